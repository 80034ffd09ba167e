#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# reclaimctl's command line (issue 16) against a dry-run daemon on the 6.12
# fixture: options anywhere on the line, VERB --help never runs the verb,
# unknown options are usage errors for every verb, sizes are checked, the
# cgroups table shows the policy columns, help fits 80 columns, and names
# with terminal escape sequences are printed escaped (issue 17 B13).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read the JSON replies"
fx="$tmp/root"
fixture vm-6.12-4node "$fx"
cg="$fx/sys/fs/cgroup"
# A cgroup whose name would retitle the terminal and clear the screen.
esc=$(printf 'evil\033]0;pwned\007\033[2J.service')
cp -r "$cg/system.slice/cache.service" "$cg/system.slice/$esc"
cat >"$tmp/reclaimd.conf" <<CONF
[CGroup protected.slice]
Protect=yes

[CGroup system.slice/cache.service]
Weight=400
SoftTarget=64M
CONF

check "daemon starts in dry-run on the 6.12 fixture" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run -l info
mode() { json_get 'd["mode"]'; }

# --- options anywhere on the line
ctl --json status >"$tmp/a" 2>&1
ctl status --json >"$tmp/b" 2>&1
a=$(json_get 'sorted(k for k in d if k != "uptime_usec")' <"$tmp/a")
b=$(json_get 'sorted(k for k in d if k != "uptime_usec")' <"$tmp/b")
check "'status --json' prints JSON as '--json status' does" \
	test "$(mode <"$tmp/b")" = dry-run -a -n "$a" -a "$a" = "$b"
check "--socket after the verb is taken" \
	sh -c "'$RECLAIMCTL' status --socket='$tmp/sock' --json | python3 -c 'import json,sys; json.load(sys.stdin)'"
check "'stats --json --format=prometheus' order does not matter for stats options" \
	sh -c "'$RECLAIMCTL' --format=prometheus stats --socket='$tmp/sock' | grep -q '^# TYPE reclaimd_'"

# --- VERB --help prints help and never runs the verb
ctl pause --help >"$tmp/help" 2>&1
rc=$?
check "'pause --help' exits 0" [ $rc -eq 0 ]
check "'pause --help' prints the verb's usage" grep -q "^Usage: reclaimctl \[OPTIONS\] pause" "$tmp/help"
check "'pause --help' did not pause" [ "$(ctl --json status | mode)" = dry-run ]
ctl -h reclaim node 0 1M >"$tmp/help" 2>&1
check "'-h reclaim ...' prints reclaim's help with its --swappiness" \
	grep -q -- "--swappiness=N" "$tmp/help"
check "'reclaim --help' says it needs admin rights" grep -q "AdminGroup=" "$tmp/help"

# --- unknown options: exit 2 for every verb
all_exit_2=0
for v in status nodes cgroups stats config "set a b" reload pause resume \
	"reclaim node 0 1M" "boost 0 1M" watch; do
	# shellcheck disable=SC2086
	ctl $v --no-such-option >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || ! grep -q "Unknown option '--no-such-option'" "$tmp/err"; then
		diag "'$v --no-such-option' exited $rc: $(cat "$tmp/err")"
		all_exit_2=1
	fi
done
ok $all_exit_2 "an unknown option is a usage error (exit 2) for every verb"
ctl status --reset >/dev/null 2>"$tmp/err"
check "another verb's option is refused (status --reset: exit 2)" [ $? -eq 2 ]
check "the refusal names the verb" grep -q "for 'status'" "$tmp/err"
ctl status -x >/dev/null 2>&1
check "an unknown short option is refused (exit 2)" [ $? -eq 2 ]
check "still not paused after all that" [ "$(ctl --json status | mode)" = dry-run ]

# --- sizes
ctl reclaim node 0 -5M >/dev/null 2>"$tmp/err"
check "'reclaim node 0 -5M' exits 2" [ $? -eq 2 ]
check "'reclaim node 0 -5M' says the size is invalid" grep -q "Invalid size '-5M'" "$tmp/err"
ctl boost 0 -- -1M >/dev/null 2>"$tmp/err"
check "'boost 0 -- -1M' says the size is invalid" grep -q "Invalid size '-1M'" "$tmp/err"

# --- help within 80 columns, for the program and every verb
wide=0
for v in "" status nodes cgroups stats config set reload pause resume reclaim boost watch; do
	# shellcheck disable=SC2086
	"$RECLAIMCTL" $v --help | awk -v v="$v" 'length > 80 { print "# " v ": " length ": " $0; bad = 1 } END { exit bad }' || wide=1
done
ok $wide "--help and every VERB --help fit in 80 columns"
check "--version prints the package version" \
	sh -c "'$RECLAIMCTL' --version | grep -qx 'reclaimctl (reclaimd) [0-9][0-9.]*[a-z0-9~.-]*'"
check "'status --version' prints the version too" sh -c "'$RECLAIMCTL' status --version | grep -q '^reclaimctl '"

# --- reclaimctl's errors are for people: no "<N>" priority prefix on a pipe
"$RECLAIMCTL" --socket="$tmp/none.sock" status 2>"$tmp/err" >/dev/null
check "an error on a pipe has no <N> prefix" sh -c "grep -q '^Cannot connect' '$tmp/err'"
JOURNAL_STREAM=1:1 "$RECLAIMCTL" --socket="$tmp/none.sock" status 2>"$tmp/err" >/dev/null
check "nor with JOURNAL_STREAM set" sh -c "grep -q '^Cannot connect' '$tmp/err'"

# --- completions: the verbs they offer are the verbs reclaimctl has
verbs=$("$RECLAIMCTL" --help | sed -n '/^Commands/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' | sort | tr '\n' ' ')
zsh_verbs=$(sed -n "s/^\t\t'\([a-z]*\):.*/\1/p" "$top_srcdir/etc/zsh-completion/_reclaimctl" | sort | tr '\n' ' ')
bash_verbs=$(sed -n 's/^\tlocal verbs="\(.*\)"/\1/p' "$top_srcdir/etc/bash-completion/reclaimctl" | tr ' ' '\n' | sort | tr '\n' ' ')
check "zsh completion offers every command ($zsh_verbs)" test -n "$verbs" -a "$verbs" = "$zsh_verbs"
check "bash completion offers every command" test "$verbs" = "$bash_verbs"
# bash: keys for set and cgroup paths come from the daemon.
complete_bash() { # WORDS...: the candidates for the last word
	PATH="$(dirname "$RECLAIMCTL"):$PATH" bash -c '
		complete() { :; }; compopt() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_reclaimctl; printf "%s\n" "${COMPREPLY[@]}"' sh \
		"$top_srcdir/etc/bash-completion/reclaimctl" "$@"
}
complete_bash reclaimctl --socket="$tmp/sock" set Reclaim.St >"$tmp/comp" 2>&1
check "bash completes Reclaim.StepSize after 'set Reclaim.St'" grep -qx "Reclaim.StepSize" "$tmp/comp"
# As bash splits the words by default ("=" in COMP_WORDBREAKS): an
# option's value was taken for the command.
complete_bash reclaimctl --socket = "$tmp/sock" --timeout = 5s set Reclaim.St >"$tmp/comp" 2>&1
check "...also with --socket=PATH --timeout=5s split at '='" grep -qx "Reclaim.StepSize" "$tmp/comp"
complete_bash reclaimctl --timeout = >"$tmp/comp" 2>&1
check "bash offers durations after --timeout=" grep -qx "infinity" "$tmp/comp"
complete_bash reclaimctl --socket="$tmp/sock" reclaim cgroup /system.slice/ca >"$tmp/comp" 2>&1
check "bash completes cgroup paths after 'reclaim cgroup'" grep -qx "/system.slice/cache.service" "$tmp/comp"
if command -v zsh >/dev/null 2>&1; then
	check "zsh completion parses (zsh -n)" zsh -n "$top_srcdir/etc/zsh-completion/_reclaimctl"
else
	diag "zsh not installed: the completion's syntax is not checked here"
fi

# --- cgroups: the policy columns
ctl cgroups >"$tmp/cgroups" 2>&1
check "cgroups shows the policy columns" \
	grep -Eq '^CGROUP +PROTECTED +FLOOR +SOFT_TARGET +WEIGHT +RECLAIMABLE +RECLAIMED .*BRAKE +OFFLOAD +WORKING_SET$' "$tmp/cgroups"
check "cgroups shows Protect=yes as protected" \
	grep -Eq '^/protected.slice/db.service +yes ' "$tmp/cgroups"
check "cgroups shows Weight=400 and SoftTarget=64M" \
	grep -Eq '^/system.slice/cache.service +no +[^ ]+ +64\.0M +400 ' "$tmp/cgroups"

# --- B13: names from the tree are escaped on a terminal's behalf
check "the hostile cgroup is listed by the daemon" \
	sh -c "ctl() { '$RECLAIMCTL' --socket='$tmp/sock' \"\$@\"; }; ctl --json cgroups | grep -q 'evil'"
check "cgroups prints no raw ESC or BEL byte" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '[\\033\\007]')\" '$tmp/cgroups'"
check "cgroups prints the name escaped" grep -Fq 'evil\x1b]0;pwned\x07\x1b[2J.service' "$tmp/cgroups"
ctl watch --events >"$tmp/events" 2>/dev/null &
wpid=$!
sleep 0.5
ctl reclaim cgroup "/system.slice/$esc" 1M >"$tmp/reclaim" 2>&1
sleep 0.5
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
check "reclaim's reply and watch events carry no raw ESC byte" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '\\033')\" '$tmp/reclaim' '$tmp/events'"

# --- how long a call waits: a daemon that reads requests and never answers
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c); c.recv(4096)
' "$tmp/silent.sock" &
silent_pid=$!
extra_pids="$silent_pid"
for _ in $(seq 50); do [ -S "$tmp/silent.sock" ] && break; sleep 0.1; done
silent() { "$RECLAIMCTL" --socket="$tmp/silent.sock" "$@"; }
ms() { date +%s%3N; }
t0=$(ms)
silent --timeout=1 status >/dev/null 2>"$tmp/err"
rc=$?
t1=$(ms)
check "--timeout=1: a silent daemon's status ends in 1 s ($((t1 - t0)) ms), exit 1" \
	[ $rc -eq 1 -a $((t1 - t0)) -ge 1000 -a $((t1 - t0)) -lt 5000 ]
check "...saying there was no answer within 1.00s" grep -q "status: no answer from the daemon within 1.00s" "$tmp/err"
silent --timeout=500ms reclaim node 0 1M >/dev/null 2>"$tmp/err"
check "--timeout=500ms on reclaim says the reclaim goes on in the daemon" \
	grep -q "no answer within 500ms; the reclaim goes on in the daemon" "$tmp/err"
for t in 0 abc -1s; do
	silent --timeout=$t status >/dev/null 2>"$tmp/err"
	rc=$?
	check "--timeout=$t is a usage error (exit 2) naming the value" \
		sh -c "[ $rc -eq 2 ] && grep -q -- \"Invalid timeout '$t'\" '$tmp/err'"
done
# infinity, and a timeout past the end of the clock (it wrapped around
# and failed at once): both still waiting a second later.
silent --timeout=infinity status >/dev/null 2>&1 &
ipid=$!
silent --timeout=584000y status >/dev/null 2>"$tmp/err.huge" &
hpid=$!
extra_pids="$extra_pids $ipid $hpid"
sleep 1
check "--timeout=infinity waits" kill -0 $ipid
check "--timeout=584000y waits too (no wrap-around: $(cat "$tmp/err.huge"))" kill -0 $hpid
kill $ipid $hpid 2>/dev/null
wait $ipid $hpid 2>/dev/null
# The defaults: 30 s for a query; a reclaim waits until it is done (a CI
# run of 6.12 saw a reclaim's client give up at 30 s, "No answer from the
# daemon in time", while the kernel's try still ran).
silent status >/dev/null 2>"$tmp/err.status" &
qpid=$!
silent reclaim node 0 1M >/dev/null 2>"$tmp/err.reclaim" &
rpid=$!
extra_pids="$extra_pids $qpid $rpid"
sleep 33
kill -0 $qpid 2>/dev/null
check "a query gives up after 30 s by default" [ $? -ne 0 ]
check "...saying so" grep -q "status: no answer from the daemon within 30.00s" "$tmp/err.status"
kill -0 $rpid 2>/dev/null
check "a reclaim still waits after 33 s" [ $? -eq 0 ]
kill $rpid $silent_pid 2>/dev/null
wait $qpid $rpid $silent_pid 2>/dev/null

# --- completions offer every option reclaimctl has for every command
opts=$("$RECLAIMCTL" --help | sed -n '/^Options/,/^$/s/^ *\(-. \)\{0,1\}--\([a-z]*\)\(=*\).*/--\2\3/p' | sed 's/=.*/=/' | sort | tr '\n' ' ')
bash_opts=$(sed -n 's/^\tlocal global="\(.*\)"/\1/p' "$top_srcdir/etc/bash-completion/reclaimctl" | tr ' ' '\n' | sort | tr '\n' ' ')
zsh_opts=$(sed -n "/^\tglobal=(/,/^\t)/p" "$top_srcdir/etc/zsh-completion/_reclaimctl" | grep -o -- '--[a-z]*=\{0,1\}' | sort -u | tr '\n' ' ')
check "bash completion offers every global option ($opts)" test -n "$opts" -a "$opts" = "$bash_opts"
check "zsh completion offers every global option ($zsh_opts)" test "$opts" = "$zsh_opts"

check "daemon stops cleanly" stop_daemon
tap_done
