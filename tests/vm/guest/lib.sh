# SPDX-License-Identifier: GPL-2.0-only
#
# Guest-side helpers, sourced by /vm/job and the scenario scripts. Results go
# to ttyS1 (a file on the host), one line each; chatter goes to the console.

CG=/sys/fs/cgroup
VM_RESULTS=/dev/ttyS1

vm_out() {
	echo "$*" >"$VM_RESULTS"
}

vm_say() {
	echo "vm: $*" >/dev/console
}

# vm_result PASS|FAIL|SKIP NAME MESSAGE
vm_result() {
	vm_out "$1 $2: $3"
	vm_say "$1 $2: $3"
	echo "$1 $2: $3" >>/tmp/results.local
}

# vm_info KEY VALUE: facts the host records (kernel release, command line).
vm_info() {
	vm_out "INFO $1: $2"
}

# vm_blob NAME DIR: DIR as a base64 gzip'd tar between markers.
vm_blob() {
	{
		echo "BEGIN-BLOB $1"
		tar -C "$2" -cf - . | gzip -9 | base64
		echo "END-BLOB $1"
	} >"$VM_RESULTS"
}

# vm_file_blob NAME FILE: one file, sent the same way (console and daemon logs).
vm_file_blob() {
	local d=/tmp/blob.$$
	mkdir -p "$d" && cp "$2" "$d/" 2>/dev/null && vm_blob "$1" "$d"
	rm -rf "$d"
}

# vm_cg_new PATH: create cgroup PATH (relative to the root) with the memory
# controller enabled on every ancestor.
vm_cg_new() {
	local path=$1 cur=$CG part
	for part in $(echo "$path" | tr / ' '); do
		grep -qw memory "$cur/cgroup.subtree_control" ||
			echo "+memory +io +cpu" >"$cur/cgroup.subtree_control" 2>/dev/null ||
			echo "+memory" >"$cur/cgroup.subtree_control"
		cur=$cur/$part
		mkdir -p "$cur"
	done
}

# vm_cg_run PATH CMD...: run CMD in cgroup PATH in the background; the PID
# is left in $!.
vm_cg_run() {
	local path=$1
	shift
	vm_cg_new "$path"
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$path" "$@" &
}

# vm_cg_kill PATH: kill every process of cgroup PATH (cgroup.kill, 5.14+).
vm_cg_kill() {
	[ -d "$CG/$1" ] || return 0
	echo 1 >"$CG/$1/cgroup.kill" 2>/dev/null
	local i=0
	while grep -q 'populated 1' "$CG/$1/cgroup.events" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# vm_cg_rm PATH: kill and remove cgroup PATH and its children, deepest first.
vm_cg_rm() {
	[ -d "$CG/$1" ] || return 0
	vm_cg_kill "$1"
	find "$CG/$1" -depth -type d -exec rmdir {} \; 2>/dev/null
}

# vm_vmstat KEY: one counter from /proc/vmstat (0 when absent).
vm_vmstat() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /proc/vmstat
}

# vm_vmstat_sum PREFIX: sum of counters starting with PREFIX.
vm_vmstat_sum() {
	awk -v p="$1" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' /proc/vmstat
}

# vm_psi_total FILE some|full: the total= field, in microseconds.
vm_psi_total() {
	awk -v k="$2" '$1 == k { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) { sub("total=", "", $i); print $i } }' "$1"
}

vm_memstat() {
	awk -v k="$2" '$1 == k { print $2 }' "$CG/$1/memory.stat"
}

# vm_cg_steal_targeted CG: pages reclaimed from CG by targeted reclaim, the
# kind reclaimd does (memory.reclaim, nodeN/reclaim), from memory.stat: the
# kernel's pgsteal_proactive where it exists (6.17+, counts exactly those
# writes), else pgsteal less kswapd's and khugepaged's (which leaves direct
# reclaim in, so a caller allows for a little). The kernel's own background
# reclaim of a protected cgroup is not reclaimd's and must not fail a test.
vm_cg_steal_targeted() {
	awk '{ v[$1] = $2 }
		END {
			if ("pgsteal_proactive" in v) print v["pgsteal_proactive"]
			else print v["pgsteal"] - v["pgsteal_kswapd"] - v["pgsteal_khugepaged"]
		}' "$CG/$1/memory.stat"
}

# vm_memcg_stats_settle: memory.stat counters are flushed lazily (a read
# flushes only past a threshold of pending updates; a worker flushes every
# 2 s), so a count read right after some reclaim may miss it and show up in
# the next read. Wait out the periodic flush before each read of a delta.
vm_memcg_stats_settle() {
	sleep 2.5
}

# vm_cg_steal_exact: whether vm_cg_steal_targeted counts reclaimd's kind only.
vm_cg_steal_exact() {
	grep -q '^pgsteal_proactive ' "$CG/$1/memory.stat"
}

# vm_cg_steal_counter CG: the counter vm_cg_steal_targeted reads, for notes.
vm_cg_steal_counter() {
	if vm_cg_steal_exact "$1"; then echo pgsteal_proactive; else echo "pgsteal - kswapd - khugepaged"; fi
}

vm_kernel_series() {
	uname -r | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}

# ---- scenario runner ------------------------------------------------------

RECLAIMD=/usr/sbin/reclaimd
RECLAIMCTL=/usr/bin/reclaimctl
SOCK=/run/reclaimd/control.sock
CONF=/tmp/reclaimd.conf
DAEMON_LOG=/tmp/reclaimd.log
DAEMON_PID_FILE=/tmp/reclaimd.pid
DAEMON_CG=reclaimd.service
STREAM_DEV=/dev/vda

# Once per boot: the scratch file system and the defaults vm_reset restores.
vm_job_start() {
	vm_info kernel "$(uname -r)"
	if [ -b /dev/vdb ] && ! grep -q ' /mnt ' /proc/mounts; then
		mke2fs -q /dev/vdb && mount /dev/vdb /mnt || vm_say "cannot mount the scratch disk"
	fi
	sysctl -n vm.watermark_scale_factor >/tmp/default.wsf 2>/dev/null
	sysctl -n vm.swappiness >/tmp/default.swappiness 2>/dev/null
}

# vm_run_scenario NAME TIMEOUT_S: run /vm/scenarios/NAME.sh in a child shell
# under a timeout; a scenario that reports nothing fails. On failure, send the
# daemon's log to the host. Then put the VM back as it was.
vm_run_scenario() {
	local name=$1 t=$2 rc start verdict
	vm_say "=== scenario $name (timeout ${t}s)"
	: >/tmp/results.local
	rm -f $DAEMON_LOG
	start=$(date +%s)
	# The scenario's stderr (to a file: its background workloads keep it
	# open) goes to the console after it, and its tail into the verdict of
	# a scenario that ends without one (a shell error).
	VM_SCENARIO=$name timeout -s KILL "$t" sh -c ". /vm/lib.sh; . /vm/scenarios/$name.sh" \
		</dev/null 2>/tmp/scenario.stderr
	rc=$?
	cat /tmp/scenario.stderr >&2
	if ! grep -q "^[A-Z]* $name: " /tmp/results.local; then
		if [ "$rc" = 137 ]; then
			vm_result FAIL "$name" "killed by the ${t}s scenario timeout"
		else
			vm_result FAIL "$name" "exited ($rc) without reporting a result; its stderr ended: $(tail -n 3 /tmp/scenario.stderr | tr '\n' ' ' | cut -c1-400)"
		fi
	fi
	# A daemon that does not stop on SIGTERM fails the scenario that ran
	# it. The host keeps a scenario's last verdict: one line with both.
	vm_daemon_stop "$name"
	if [ -n "$DAEMON_STOP_WHY" ]; then
		verdict=$(grep "^[A-Z]* $name: " /tmp/results.local | tail -n 1)
		vm_result FAIL "$name" "$DAEMON_STOP_WHY; the scenario had said: $(echo "$verdict" | cut -c1-600)"
	fi
	if grep -q "^FAIL $name: " /tmp/results.local && [ -s $DAEMON_LOG ]; then
		vm_file_blob "daemon-$name" $DAEMON_LOG
	fi
	vm_clocksource_check "$name"
	vm_say "=== $name done in $(($(date +%s) - start))s"
	vm_reset
}

# vm_clocksource_check NAME: a NOTE if the kernel left the TSC during
# scenario NAME. Without constant_tsc (TCG's -cpu max has none) the
# clocksource watchdog compares the TSC with the HPET, and a starved guest
# can see a skew and switch to the HPET, whose every read is a system call
# and an emulated device access, for the rest of the boot. A fresh-clone CI
# run of 6.12 under host load ran its later scenarios far slower (a 98 s
# memory.reclaim try, a workload 15 s late to a signal); the likely cause,
# unconfirmed. The guests boot with tsc=reliable since; this says if the
# clocksource changes anyway.
vm_clocksource_check() {
	local cs
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	[ -n "$cs" ] && [ "$cs" != tsc ] || return 0
	[ "$cs" != "${VM_CLOCKSOURCE_SEEN:-}" ] || return 0
	VM_CLOCKSOURCE_SEEN=$cs
	vm_out "NOTE $1: the clocksource is $cs by the end of this scenario, not tsc: $(dmesg | grep -i 'clocksource' | tail -n 3 | tr '\n' ';' | cut -c1-400)"
}

# Stop the daemon and every workload, remove every cgroup, drop the page
# cache, restore sysctls: the next scenario starts from a quiet VM.
vm_reset() {
	local d
	vm_daemon_stop
	for d in $(find $CG -mindepth 1 -maxdepth 1 -type d); do
		echo 1 >"$d/cgroup.kill" 2>/dev/null
	done
	sleep 0.5
	find $CG -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
	[ -s /tmp/default.wsf ] && sysctl -q -w vm.watermark_scale_factor="$(cat /tmp/default.wsf)"
	[ -s /tmp/default.swappiness ] && sysctl -q -w vm.swappiness="$(cat /tmp/default.swappiness)"
	# A scenario may have turned swap off (hopeless).
	[ -b /dev/zram0 ] && ! grep -q '^/dev/zram0 ' /proc/swaps && swapon /dev/zram0 2>/dev/null
	sync
	echo 3 >/proc/sys/vm/drop_caches
	rm -f /tmp/scenario.* $CONF
}

# ---- the daemon -----------------------------------------------------------

# ctl ARGS...: reclaimctl on the test socket. A call that takes over
# CTL_TIMEOUT_S (30) seconds is killed and returns 137: a hung daemon fails
# the scenario with a reason instead of running into its timeout.
CTL_TIMEOUT_S=30
ctl() {
	timeout -s KILL $CTL_TIMEOUT_S $RECLAIMCTL --socket=$SOCK "$@"
}

# ctl_json VERB ARGS...: reclaimctl --json output flattened by jflat.
ctl_json() {
	local out=/tmp/ctl_json.$$ rc
	ctl --json "$@" >$out
	rc=$?
	/vm/bin/jflat <$out || rc=1
	rm -f $out
	return $rc
}

# ctl_ok WHAT ARGS...: ctl ARGS, failing the scenario if it hangs.
ctl_ok() {
	local what=$1 rc
	shift
	ctl "$@" >/tmp/ctl.out 2>&1
	rc=$?
	[ $rc = 137 ] && vm_fail "reclaimctl $* hung for ${CTL_TIMEOUT_S}s ($what): the daemon stopped answering"
	return $rc
}

# jget FLATFILE PATH: one value from jflat output.
jget() {
	awk -F '\t' -v p="$2" '$1 == p { print $2; exit }' "$1"
}

# vm_daemon_start [ARGS...]: start reclaimd in cgroup reclaimd.service with
# $CONF (an empty file unless the scenario wrote one) and wait up to 20 s for
# "reclaimctl status" to answer. Returns 1 if it never answers, and leaves
# why in DAEMON_WHY ("exited with status N" or "still running").
vm_daemon_start() {
	local i
	DAEMON_WHY="$RECLAIMD or $RECLAIMCTL is not installed in the guest"
	[ -x $RECLAIMD ] && [ -x $RECLAIMCTL ] || return 1
	[ -e $CONF ] || : >$CONF
	mkdir -p /run/reclaimd
	vm_cg_new $DAEMON_CG
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$DAEMON_CG" \
		${VM_LOCAL_WRAP:-} $RECLAIMD --config=$CONF --socket=$SOCK "$@" >>$DAEMON_LOG 2>&1 &
	DAEMON_PID=$!
	echo $DAEMON_PID >$DAEMON_PID_FILE
	i=0
	while [ $i -lt 40 ]; do
		ctl status >/dev/null 2>&1 && return 0
		if ! kill -0 $DAEMON_PID 2>/dev/null; then
			wait $DAEMON_PID
			DAEMON_WHY="reclaimd exited with status $? before answering"
			grep -q "is locked" $DAEMON_LOG &&
				DAEMON_WHY="$DAEMON_WHY; the lock is held by: $(vm_lock_holder)"
			return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
	DAEMON_WHY="reclaimd is running but \"reclaimctl status\" did not answer within 20 s ($(ctl status 2>&1 | tail -n 1))"
	return 1
}

# vm_alive PID: PID is a process that has not exited (a zombie has: its
# files, the socket's lock among them, are closed).
vm_alive() {
	local st
	st=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d ' ' -f 1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# vm_pids_named PATTERN: the pids whose comm matches the shell pattern
# (kernel threads too: "kswapd1", "kworker/0:*"), on one line.
vm_pids_named() {
	local p
	for p in /proc/[0-9]*; do
		case "$(cat $p/comm 2>/dev/null)" in $1) printf '%s ' "${p#/proc/}" ;; esac
	done
}

# vm_threads PID: each thread's name, state, wait channel and kernel stack.
vm_threads() {
	local t
	for t in /proc/$1/task/*; do
		echo "$t $(sed 's/.*) //' $t/stat 2>/dev/null | cut -d ' ' -f 12,13)"
	done >/tmp/vm_threads.0
	sleep 1
	for t in /proc/$1/task/*; do
		echo "$(cat $t/comm 2>/dev/null) $(sed 's/.*) //' $t/stat 2>/dev/null | cut -d ' ' -f 1) $(cat $t/wchan 2>/dev/null) [$(head -n 8 $t/stack 2>/dev/null | awk '{ printf "%s ", $2 }')] $(vm_thread_cpu_since $t /tmp/vm_threads.0);"
	done | tr '\n' ' '
}

# vm_thread_ticks PID: "name utime stime" of each thread of PID, one a
# line (threads of one name summed), for vm_thread_share.
vm_thread_ticks() {
	local t
	for t in /proc/$1/task/*; do
		echo "$(tr ' ' _ <$t/comm 2>/dev/null) $(sed 's/.*) //' $t/stat 2>/dev/null | cut -d ' ' -f 12,13)"
	done | awk 'NF == 3 { u[$1] += $2; s[$1] += $3 } END { for (n in u) print n, u[n], s[n] }'
}

# vm_thread_share BEFORE AFTER SECONDS: each thread's share of one vCPU
# between two vm_thread_ticks outputs (files), largest first, on one line:
# "name total% (user% + sys%)"; a thread that started or ended between
# them is counted from 0.
vm_thread_share() {
	awk -v d="$3" -v hz=100 '
		FNR == NR { u0[$1] = $2; s0[$1] = $3; next }
		{ u = ($2 - u0[$1]) / hz / d * 100; s = ($3 - s0[$1]) / hz / d * 100
		  printf "%.2f %s %.2f%% (user %.2f%% + sys %.2f%%)\n", u + s, $1, u + s, u, s }' "$1" "$2" |
		sort -rn | cut -d' ' -f2- | paste -sd ';' | sed 's/;/; /g'
}

# vm_thread_cpu_since /proc/PID/task/TID FILE: where a thread's CPU went
# since FILE recorded its ticks a second ago (a running thread has no wait
# channel and no stack to show): its user and system ticks, and its system
# call now (/proc/TID/syscall: the number and arguments, or "running" when
# on a CPU).
vm_thread_cpu_since() {
	local u0 s0 u1 s1
	read -r u0 s0 <<-EOF
	$(awk -v t="$1" '$1 == t { print $2, $3 }' $2)
	EOF
	read -r u1 s1 <<-EOF
	$(sed 's/.*) //' $1/stat 2>/dev/null | cut -d ' ' -f 12,13)
	EOF
	echo "utime +$((${u1:-0} - ${u0:-0})) stime +$((${s1:-0} - ${s0:-0})) ticks in 1 s, syscall $(cut -d ' ' -f 1-3 $1/syscall 2>/dev/null)"
}

# vm_starve_step PID FILE [begin]: FILE keeps a line for each thread of
# PID, "TID RUNTIME STATE CPU WAITED_DS UPTIME_DS COMM": its run time
# (schedstat's first field, ns), state and the CPU it last ran on (stat)
# at the last step, the tenths of a second it has been seen waiting for a
# CPU that another task held, and when the step was taken. A thread
# runnable at two steps whose run time did not move between them waited
# all that time (it cannot sleep without running first); the wait is
# credited only when no other thread of PID ran on that CPU meanwhile (a
# thread behind its own siblings is the daemon's own wait: three spinning
# threads on two CPUs must not earn time). schedstat's own wait count is
# not used: it grows only once the thread gets the CPU, and counts waits
# behind siblings too. A thread that cannot be read this step keeps its
# line; one that is gone is dropped. "begin" starts FILE afresh. VM_PROC
# (default /proc) is where the threads are read.
vm_starve_step() {
	local t p=${VM_PROC:-/proc}
	for t in $p/$1/task/*; do
		echo "${t##*/} $(cut -d ' ' -f 1 $t/schedstat 2>/dev/null) $(sed 's/.*) //' $t/stat 2>/dev/null | cut -d ' ' -f 1,37) $(cat $t/comm 2>/dev/null)"
	done | awk -v f="$2" -v begin="${3:-}" '
		BEGIN {
			getline up < "/proc/uptime"
			now = int(up * 10)
			if (begin == "")
				while ((getline l < f) > 0) {
					split(l, a, " ")
					old[a[1]] = l; rt[a[1]] = a[2]; st[a[1]] = a[3]; w[a[1]] = a[5]; t0[a[1]] = a[6]
				}
		}
		{ line[NR] = $0 }
		NF >= 5 && ($1 in rt) && $2 != rt[$1] { ran[$4] = 1 }
		END {
			for (i = 1; i <= NR; i++) {
				n = split(line[i], v, " ")
				if (n < 5) {
					if (v[1] in old) print old[v[1]]
					continue
				}
				if (!(v[1] in rt))
					w[v[1]] = 0
				else if (v[3] == "R" && st[v[1]] == "R" && v[2] == rt[v[1]] && !(v[4] in ran))
					w[v[1]] += now - t0[v[1]]
				print v[1], v[2], v[3], v[4], w[v[1]] + 0, now, v[5]
			}
		}' >"$2.new" && mv "$2.new" "$2"
}

# vm_starved_ds FILE: the longest credited wait for a CPU of a thread in
# FILE (vm_starve_step), in tenths of a second, and the thread's name:
# "120 reclaimd/n0" ("0 -" when none waited).
vm_starved_ds() {
	awk '$5 > m { m = $5; n = $7 } END { printf "%d %s\n", m, n == "" ? "-" : n }' "$1"
}

# vm_uptime_ds: the time since boot, in tenths of a second.
vm_uptime_ds() {
	awk '{ print int($1 * 10) }' /proc/uptime
}

# vm_daemon_stop [NAME]: SIGTERM, and wait for the daemon to exit: 300
# rounds of a 0.1 s sleep (DAEMON_STOP_S 30 s and each round's own checks:
# a write in progress is cut short, or on 6.1 finishes its try: what
# TimeoutStopSec=30s in the unit allows); then SIGKILL, and wait up to 30 s
# more. Sets DAEMON_STOP_WHY when it did not exit on SIGTERM, with its
# threads' kernel stacks (a CI run of 6.12 once found the socket's lock
# still held by the previous scenario's daemon when the next one started).
#
# The time a thread of the daemon was seen waiting for a CPU that another
# task held (vm_starve_step) is added to the rounds, up to
# DAEMON_STOP_MAX_S (150) since SIGTERM in all, and said in a NOTE: a
# fresh-clone CI run of 6.1 had khugepaged hold CPU 0 for over 80 s (the
# kernel's "soft lockup - CPU#0 stuck for 82s! [khugepaged:39]"), and the
# node thread bound to node 0's CPUs, runnable, got no tick in that time,
# so the daemon was killed before it could exit. Under systemd
# TimeoutStopSec= would kill it too: the kernel's stall, not the
# daemon's; every wait of the daemon's own (its threads behind each other
# included) keeps the 30 s. NAME names the scenario in that NOTE.
# VM_STOP_STATE is the file the waits are kept in.
DAEMON_STOP_S=30
DAEMON_STOP_MAX_S=150
VM_STOP_STATE=/tmp/vm_stop.starve
vm_daemon_stop() {
	local pid i=0 t0 el=0 seen=0 kmsg0 allowed=$((DAEMON_STOP_S * 10)) starved=0 who=- s w kernel
	DAEMON_STOP_WHY=
	[ -s $DAEMON_PID_FILE ] || return 0
	pid=$(cat $DAEMON_PID_FILE)
	rm -f $DAEMON_PID_FILE
	kmsg0=$(dmesg 2>/dev/null | wc -l)
	vm_starve_step "$pid" $VM_STOP_STATE begin
	t0=$(vm_uptime_ds)
	kill -TERM "$pid" 2>/dev/null || return 0
	# Rounds of 0.1 s; waits and times in tenths of a second.
	while vm_alive "$pid"; do
		i=$((i + 1))
		if [ $((i % 5)) -eq 0 ]; then
			vm_starve_step "$pid" $VM_STOP_STATE
			[ $(($(vm_uptime_ds) - t0)) -lt $((DAEMON_STOP_MAX_S * 10)) ] || break
		fi
		if [ $i -ge $allowed ]; then
			vm_starve_step "$pid" $VM_STOP_STATE
			read -r s w <<-EOF
			$(vm_starved_ds $VM_STOP_STATE)
			EOF
			# The longest seen: a starved thread that has since
			# exited keeps what it earned.
			[ "$s" -le $starved ] || { starved=$s; who=$w; }
			el=$(($(vm_uptime_ds) - t0))
			seen=$el
			allowed=$((DAEMON_STOP_S * 10 + starved))
			[ $i -lt $allowed ] && [ $el -lt $((DAEMON_STOP_MAX_S * 10)) ] || break
		fi
		sleep 0.1
	done
	el=$(($(vm_uptime_ds) - t0))
	# What the kernel said meanwhile of stalled CPUs.
	kernel=$(dmesg 2>/dev/null | tail -n +$((kmsg0 + 1)) | grep -E 'soft lockup|rcu.*stall' | head -n 3 | tr '\n' ';' | cut -c1-300)
	if ! vm_alive "$pid"; then
		[ $i -le $((DAEMON_STOP_S * 10)) ] ||
			vm_out "NOTE ${1:-${VM_SCENARIO:-stop}}: reclaimd exited $((el / 10)) s after SIGTERM; by $((seen / 10)) s its thread $who had waited $((starved / 10)) s of them for a CPU another task held${kernel:+ (the kernel: $kernel)}"
		return 0
	fi
	DAEMON_STOP_WHY="reclaimd (pid $pid) did not exit within $((el / 10)) s of SIGTERM ($DAEMON_STOP_S s and the longest wait of a thread for a CPU another task held, $((starved / 10)) s by $who, up to $DAEMON_STOP_MAX_S s)${kernel:+; the kernel: $kernel}; its threads: $(vm_threads "$pid")"
	kill -KILL "$pid" 2>/dev/null
	i=0
	while vm_alive "$pid" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	vm_alive "$pid" && DAEMON_STOP_WHY="$DAEMON_STOP_WHY; still alive 30 s after SIGKILL: $(vm_threads "$pid")"
	vm_say "$DAEMON_STOP_WHY (gone after $((($(vm_uptime_ds) - t0) / 10)) s: $(vm_alive "$pid" && echo no || echo yes))"
	return 0
}

# vm_lock_holder: who holds the control socket's lock (/proc/locks).
vm_lock_holder() {
	local ino pid
	ino=$(stat -c %i $SOCK.lock 2>/dev/null) || { echo "no $SOCK.lock"; return; }
	for pid in $(awk -v i=":$ino" '$2 == "FLOCK" && substr($6, length($6) - length(i) + 1) == i { print $5 }' /proc/locks); do
		echo "pid $pid ($(cat /proc/$pid/comm 2>/dev/null || echo gone)): $(vm_threads $pid)"
	done
}

# [Reclaim] keys for a scenario that measures something other than the PSI
# wake and the brakes: neither wakes, boosts nor stops its reclaim. In a
# $CONF here-document, on a line of its own.
VM_QUIET_RECLAIM='PSITrigger=off
PSIBoost=0
SystemBrake=100%
PressureLimit=100%'

# vm_need_swap: end the scenario (FAIL) when there is no swap: /vm/init
# sets up zram, and a scenario that swaps asserts nothing without it.
vm_need_swap() {
	[ "$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)" -gt 0 ] ||
		vm_fail "no swap: zram did not come up ($(cat /proc/swaps | tr '\n' ' '))"
}

# vm_need_daemon [ARGS...]: start the daemon or end the scenario. A daemon
# that should start and does not is a FAIL, with its log (vm_run_scenario
# sends the whole log to the host, which prints it). Only a guest without
# the binaries (tests/vm/run found none in its --build directory) SKIPs:
# that is the environment lacking something, not the daemon failing.
vm_need_daemon() {
	if [ ! -x $RECLAIMD ] || [ ! -x $RECLAIMCTL ]; then
		vm_result SKIP "$VM_SCENARIO" "reclaimd/reclaimctl not built (none in tests/vm/run's --build directory)"
		exit 0
	fi
	if ! vm_daemon_start "$@"; then
		vm_fail "the daemon did not start: $DAEMON_WHY; log: $(tail -n 3 $DAEMON_LOG 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
	fi
}

# vm_fail REASON / vm_pass MESSAGE: the scenario's verdict, then leave.
vm_fail() {
	vm_result FAIL "$VM_SCENARIO" "$*"
	exit 0
}

vm_pass() {
	vm_result PASS "$VM_SCENARIO" "$*"
	exit 0
}

# vm_note TEXT: a figure the host prints with the results.
vm_note() {
	vm_out "NOTE $VM_SCENARIO: $*"
	vm_say "NOTE $VM_SCENARIO: $*"
}

vm_mib() {
	echo $(($1 / 1048576))
}

# The kernel's trace events (tracefs), for a scenario that must know which
# task did what. vm_trace_on KB EVENT...: the buffer at KB per CPU (sized
# now: its pages are allocated when it is), empty, only the EVENTs
# (SUBSYSTEM/NAME) enabled, recording off ("echo 1 >$VM_TRACE/tracing_on"
# records). vm_trace_off: every event off, the buffer back to its size,
# recording on (the defaults); call it from the scenario's EXIT trap, so
# that a failure leaves no event on for the scenarios after it.
# vm_trace_lost: the events the buffer lost since vm_trace_on.
VM_TRACE=/sys/kernel/tracing
vm_trace_on() {
	local kb=$1 e
	shift
	grep -q " $VM_TRACE tracefs " /proc/mounts || mount -t tracefs nodev $VM_TRACE ||
		vm_fail "cannot mount tracefs on $VM_TRACE"
	for e in "$@"; do
		[ -e "$VM_TRACE/events/$e/enable" ] ||
			vm_fail "no trace event $e in $VM_TRACE/events ($(ls $VM_TRACE/events/${e%/*} 2>&1 | tr '\n' ' ' | cut -c1-300))"
	done
	[ -n "${vm_trace_kb0:-}" ] || vm_trace_kb0=$(cut -d' ' -f1 $VM_TRACE/buffer_size_kb)
	echo 0 >$VM_TRACE/tracing_on
	echo 0 >$VM_TRACE/events/enable
	echo "$kb" >$VM_TRACE/buffer_size_kb || vm_fail "cannot size the trace buffer to $kb KiB"
	echo >$VM_TRACE/trace
	for e in "$@"; do
		echo 1 >"$VM_TRACE/events/$e/enable" || vm_fail "cannot enable the trace event $e"
	done
}
vm_trace_off() {
	[ -n "${vm_trace_kb0:-}" ] || return 0
	echo 0 >$VM_TRACE/tracing_on
	echo 0 >$VM_TRACE/events/enable
	echo "$vm_trace_kb0" >$VM_TRACE/buffer_size_kb
	echo 1 >$VM_TRACE/tracing_on
	vm_trace_kb0=
}
vm_trace_lost() {
	awk '$1 == "overrun:" || $1 == "commit" || $1 == "dropped" { n += $NF } END { print n + 0 }' \
		$VM_TRACE/per_cpu/cpu*/stats
}

# vm_page_size: the kernel's page size in bytes (the guest's busybox has no
# getconf): from a process's mappings, 4096 where smaps does not say.
vm_page_size() {
	cat /proc/self/smaps 2>/dev/null |
		awk '$1 == "KernelPageSize:" && !ps { ps = $2 * 1024 } END { print ps ? ps : 4096 }'
}

# ---- loads ----------------------------------------------------------------

# vm_cache CG MIB [CPU]: MIB of page cache charged to cgroup CG, read from a
# sparse file on the scratch file system by a task pinned to CPU (default 0)
# so the pages sit on that CPU's node. The cache stays after the reader exits.
# Like the daemon (vm_daemon_start), the reader runs under $VM_LOCAL_WRAP:
# a scenario that binds its own memory elsewhere sets it to give these the
# default, local policy back ("/vm/bin/membind default").
vm_cache() {
	local cg=$1 mib=$2 cpu=${3:-0} f
	f=/mnt/cache.$(echo "$1" | tr / _)
	truncate -s "${mib}M" "$f"
	vm_cg_new "$cg"
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$cg" \
		${VM_LOCAL_WRAP:-} taskset "$((1 << cpu))" dd if="$f" of=/dev/null bs=1M 2>/dev/null
}

# vm_anon CG MIB [CPU]: a hog holding MIB of anonymous memory in cgroup CG,
# in the background.
vm_anon() {
	vm_cg_run "$1" taskset "$((1 << ${3:-0}))" /vm/bin/hog "$2"
	sleep 0.5
	local i=0
	while [ "$(vm_memstat "$1" anon)" -lt $((($2 - 2) << 20)) ] && [ $i -lt 300 ]; do
		sleep 0.2
		i=$((i + 1))
	done
}

# vm_wait_until SECONDS COMMAND...: poll COMMAND every 0.5 s until it
# succeeds; 1 on timeout.
vm_wait_until() {
	local n=$(($1 * 2)) i=0
	shift
	while [ $i -lt $n ]; do
		"$@" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

# vm_cg_json_field PATH FIELD: FIELD of cgroup PATH in "reclaimctl --json
# cgroups" (flattened in /tmp/scenario.cgroups by the caller).
vm_cg_json_field() {
	awk -F '\t' -v p="$1" -v f="$2" '
		{ n = split($1, k, ".") }
		n == 3 && k[1] == "cgroups" && k[3] == "path" && $2 == p { want = k[2] }
		n == 3 && k[1] == "cgroups" && k[3] == f { v[k[2]] = $2 }
		END { if (want != "") print v[want] }' /tmp/scenario.cgroups
}

# ---- events and kernel counters over time -----------------------------------

# vm_watch_start: "reclaimctl --json watch --events" into /tmp/scenario.events,
# one event per line as tab-separated "key=value" fields (jflat --lines), in
# cgroup watch/ (the reset kills it). Waits until the subscription is live.
vm_watch_start() {
	vm_cg_run watch sh -c "$RECLAIMCTL --socket=$SOCK --json watch --events 2>/tmp/scenario.watch.err | /vm/bin/jflat --lines >/tmp/scenario.events"
	sleep 1
	kill -0 $! 2>/dev/null || vm_fail "reclaimctl watch --events did not start: $(cat /tmp/scenario.watch.err)"
}

vm_watch_stop() {
	vm_cg_kill watch
}

# vm_vmstatlog_start KEY...: sample /proc/vmstat KEYs every 10 ms against
# CLOCK_REALTIME (the events' clock) into /tmp/scenario.vmstatlog.
vm_vmstatlog_start() {
	vm_cg_run vmstatlog /vm/bin/vmstatlog 10 "$@" >/tmp/scenario.vmstatlog
}

# vm_vmstat_at USEC [COLUMN]: the sampled value (column 2 by default: the
# first key) at the last sample taken at or before USEC.
vm_vmstat_at() {
	awk -v t="$1" -v c="${2:-2}" '$1 <= t { v = $c } END { print v + 0 }' /tmp/scenario.vmstatlog
}

# AWK_EV: an awk function ev(KEY) giving a field of an event line.
AWK_EV='function ev(k,   i, p) {
	for (i = 1; i <= NF; i++) { p = index($i, "="); if (substr($i, 1, p - 1) == k) return substr($i, p + 1) }
	return ""
}'

# vm_now_usec: now, on the events' clock (CLOCK_REALTIME, microseconds).
vm_now_usec() {
	/vm/bin/vmstatlog --now
}

# vm_events_since USEC: the event lines of things that happened at or
# after USEC (vm_now_usec), in the stream's order. Not a count of lines
# read before: a node thread's events reach the stream in batches, a
# run's when its thread waits next (protocol.md "watch"), so the records
# of a run that ended before the mark can arrive after it.
vm_events_since() {
	[ -n "$1" ] || vm_fail "vm_events_since: no time mark (vm_now_usec failed?)"
	awk -F '\t' -v t="$1" "$AWK_EV"' ev("time_usec") + 0 >= t + 0 { print }' /tmp/scenario.events
}

# vm_events AWK_CONDITION: event lines matching the condition (ev() usable).
vm_events() {
	awk -F '\t' "$AWK_EV $1 { print }" /tmp/scenario.events
}

# vm_stat NAME LABEL=VALUE...: one sample of "reclaimctl --json stats"
# (flattened in /tmp/scenario.stats by the caller with ctl_json stats).
vm_stat() {
	local name=$1
	shift
	awk -F '\t' -v name="$name" -v want="$*" '
		{ n = split($1, k, ".") }
		n == 3 && k[1] == "counters" && k[3] == "name" { nm[k[2]] = $2 }
		n == 3 && k[1] == "counters" && k[3] == "value" { val[k[2]] = $2 }
		n == 4 && k[1] == "counters" && k[3] == "labels" { lab[k[2]] = lab[k[2]] " " k[4] "=" $2 }
		END {
			c = split(want, w, " ")
			for (i in nm) {
				if (nm[i] != name) continue
				ok = 1
				for (j = 1; j <= c; j++) if (index(lab[i] " ", " " w[j] " ") == 0) ok = 0
				if (ok) { print val[i]; exit }
			}
		}' /tmp/scenario.stats
}
