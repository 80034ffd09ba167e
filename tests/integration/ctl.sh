#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Control socket end to end (TAP): start a real reclaimd on a fixture root
# in dry-run mode with its socket in a temporary directory, then drive every
# command through reclaimctl and a raw socket (python3), as root and as an
# unprivileged peer (setpriv to uid 65534), with the adversarial cases:
# path traversal, oversized and malformed lines, more clients than allowed,
# a client that never reads.
#
# Environment: top_builddir, top_srcdir (set by make check);
# CTL_FIXTURE_ROOT overrides the fixture root.

set -u

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
reclaimd=$builddir/reclaimd
ctl=$builddir/reclaimctl
root=${CTL_FIXTURE_ROOT:-$srcdir/tests/fixtures/host-6.18-1node}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@" >>"$tmp/check.log" 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the raw socket tests"
[ -x "$reclaimd" ] && [ -x "$ctl" ] || skip_all "reclaimd or reclaimctl not built"
[ -d "$root" ] || skip_all "fixture root $root missing"

tmp=$(mktemp -d /tmp/test-ctl.XXXXXX)
sock=$tmp/control.sock
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

: >"$tmp/reclaimd.conf"
"$reclaimd" --root="$root" --dry-run --socket="$sock" --config="$tmp/reclaimd.conf" \
	--log-level=info >"$tmp/daemon.log" 2>&1 &
pid=$!

# The daemon side may not be wired yet: skip, saying why, unless it answers.
answered=
for _ in $(seq 50); do
	if "$ctl" --socket="$sock" status >/dev/null 2>&1; then
		answered=yes
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[ -n "$answered" ] || skip_all "reclaimd has no working control socket yet (status did not answer within 5 s)"

ctl() { "$ctl" --socket="$sock" "$@"; }
# json_field CMD... : run reclaimctl --json and evaluate a python expression
# on the result read from stdin: jq-like, without jq.
pyjson() { python3 -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }

# --- read-only commands through reclaimctl, human and JSON
check "status prints the mode" sh -c "'$ctl' --socket='$sock' status | grep -q 'mode: dry-run'"
check "status --json has the documented fields" sh -c "'$ctl' --socket='$sock' --json status | python3 -c '
import json,sys; r=json.load(sys.stdin)
assert r[\"mode\"] == \"dry-run\", r[\"mode\"]
assert r[\"protocol\"] == 1
assert isinstance(r[\"uptime_usec\"], int) and isinstance(r[\"version\"], str)
assert isinstance(r[\"features\"], dict) and isinstance(r[\"actuators\"], list)
assert len(r[\"nodes\"]) >= 1 and all(\"state\" in n and \"free_bytes\" in n for n in r[\"nodes\"])
'"
check "nodes --json lists zones with watermarks" sh -c "'$ctl' --socket='$sock' --json nodes | python3 -c '
import json,sys; r=json.load(sys.stdin)
z = r[\"nodes\"][0][\"zones\"][0]
for k in (\"free_bytes\",\"min_bytes\",\"low_bytes\",\"high_bytes\",\"user_low_bytes\",\"user_high_bytes\"):
    assert isinstance(z[k], int), k
'"
check "nodes prints a table" ctl nodes
check "cgroups --json is a list" sh -c "'$ctl' --socket='$sock' --json cgroups | python3 -c '
import json,sys; assert isinstance(json.load(sys.stdin)[\"cgroups\"], list)'"
check "cgroups prints a table" sh -c "'$ctl' --socket='$sock' cgroups | grep -q '^CGROUP'"
check "stats --json has counters" sh -c "'$ctl' --socket='$sock' --json stats | python3 -c '
import json,sys; r=json.load(sys.stdin); assert isinstance(r[\"counters\"], list) and r[\"counters\"]'"
check "stats --format=prometheus is valid exposition text" sh -c "'$ctl' --socket='$sock' stats --format=prometheus | python3 -c '
import re,sys
lines = sys.stdin.read().splitlines()
assert lines
for l in lines:
    assert re.match(r\"^(# (HELP|TYPE) reclaimd_[a-zA-Z0-9_:]+ .*|reclaimd_[a-zA-Z0-9_:]+(\{[^}]*\})? -?[0-9.e+-]+)$\", l), l
'"
check "config --json has settings with sources" sh -c "'$ctl' --socket='$sock' --json config | python3 -c '
import json,sys; s=json.load(sys.stdin)[\"settings\"]; assert s and all(\"key\" in x and \"source\" in x for x in s)'"

# --- mutating commands as root
check "pause" sh -c "'$ctl' --socket='$sock' --json pause | python3 -c '
import json,sys; assert json.load(sys.stdin)[\"mode\"] == \"paused\"'"
check "status shows paused" sh -c "'$ctl' --socket='$sock' --json status | python3 -c '
import json,sys; assert json.load(sys.stdin)[\"mode\"] == \"paused\"'"
check "resume" ctl resume
check "status back to dry-run" sh -c "'$ctl' --socket='$sock' --json status | python3 -c '
import json,sys; assert json.load(sys.stdin)[\"mode\"] == \"dry-run\"'"
key=$(ctl --json config | python3 -c 'import json,sys; print(json.load(sys.stdin)["settings"][0]["key"])')
value=$(ctl --json config | python3 -c 'import json,sys; print(json.load(sys.stdin)["settings"][0]["value"])')
check "set $key to its current value" ctl set "$key" "$value"
ctl set No.Such.Key 1 >/dev/null 2>"$tmp/err"
check "set of an unknown key fails with exit 1" test $? -eq 1
check "reload" ctl reload
# With an actuator the dry run reports the request; a fixture without one
# (no per-node reclaim file, no cgroup v2) must not claim success.
actuators=$(ctl --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["actuators"]))')
ctl --json reclaim node 0 1M >"$tmp/reclaim.json" 2>"$tmp/err"
rc=$?
if [ "$actuators" -gt 0 ]; then
	check "reclaim node 0 in dry-run reports the request" sh -c "[ $rc -eq 0 ] && python3 -c '
import json; r=json.load(open(\"$tmp/reclaim.json\")); assert r[\"requested_bytes\"] == 1048576, r; assert r[\"dry_run\"] is True'"
else
	check "reclaim node 0 without an actuator is not reported as done" sh -c "[ $rc -eq 1 ] || python3 -c '
import json; r=json.load(open(\"$tmp/reclaim.json\")); assert r[\"result\"] != \"ok\" and r[\"reclaimed_bytes\"] == 0, r'"
fi
check "boost node 0" ctl boost 0 1M
ctl reclaim cgroup /../../etc 1M >/dev/null 2>"$tmp/err"
check "path traversal cgroup refused (exit 1)" test $? -eq 1
check "path traversal message names the rule" grep -q "absolute path below the cgroup root" "$tmp/err"
ctl reclaim cgroup /nonexistent.slice 1M >/dev/null 2>"$tmp/err"
check "reclaim of a missing cgroup fails with exit 1" test $? -eq 1
ctl reclaim node x 1M >/dev/null 2>&1
check "usage error exits 2" test $? -eq 2
"$ctl" --socket="$tmp/none.sock" status >/dev/null 2>"$tmp/err"
check "no daemon exits 3" test $? -eq 3
check "no daemon hint" grep -qi "is reclaimd running" "$tmp/err"

# --- watch: events arrive
ctl --json watch --events >"$tmp/events" 2>/dev/null &
wpid=$!
sleep 0.5
ctl pause >/dev/null && ctl resume >/dev/null && ctl reclaim node 0 1M >/dev/null
sleep 1
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
check "watch --events streams typed events" python3 -c "
import json,sys
ev = [json.loads(l) for l in open('$tmp/events') if l.strip()]
assert ev and all('type' in e for e in ev), ev"

# --- unprivileged peer: connect is refused while the socket is 0660 root
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" --socket="$sock" "$@"; }
	chmod 0755 "$tmp"
	unpriv status >/dev/null 2>"$tmp/err"
	check "socket mode 0660 keeps others out (exit 3)" test $? -eq 3
	check "permission hint" grep -qi "permission denied" "$tmp/err"
	# Open the socket to everyone: now only the credential check stands.
	chmod 0666 "$sock"
	check "unprivileged status allowed" unpriv status
	check "unprivileged stats allowed" unpriv stats
	for cmd in "set $key $value" reload pause resume "reclaim node 0 1M" \
		"reclaim cgroup /a 1M" "boost 0 1M" "stats --reset"; do
		# shellcheck disable=SC2086
		unpriv $cmd >/dev/null 2>"$tmp/err"
		rc=$?
		check "unprivileged '$cmd' refused (exit 1, EPERM)" \
			sh -c "[ $rc -eq 1 ] && grep -q 'Permission denied' '$tmp/err' && grep -q EPERM '$tmp/err'"
	done
	check "mode unchanged by refused peers" sh -c "'$ctl' --socket='$sock' --json status | python3 -c '
import json,sys; assert json.load(sys.stdin)[\"mode\"] == \"dry-run\"'"
else
	n=$((n + 1)); echo "ok $n # SKIP setpriv missing or not root"
fi

# --- raw socket: adversarial lines and connection limits
python3 - "$sock" "$n" >"$tmp/raw.tap" <<'EOF'
import json, socket, sys, time

path, n = sys.argv[1], int(sys.argv[2])

def report(ok, desc):
    global n
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, desc))

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    # AF_UNIX connect() fails with EAGAIN while the listen backlog is full.
    for _ in range(500):
        try:
            s.connect(path)
            break
        except BlockingIOError:
            time.sleep(0.01)
    else:
        raise TimeoutError("listen backlog stayed full for 5 s")
    return s, s.makefile("rb")

def reply(f):
    line = f.readline()
    return json.loads(line) if line else None

s, f = conn()
s.sendall(b"garbage\n")
r = reply(f)
report(r and r["error"]["code"] == "EINVAL" and "not valid JSON" in r["error"]["message"], "malformed line gets EINVAL")
s.sendall(b'{"v":1,"id":2,"cmd":"reclaim","args":{"node":0,"bytes":"1M"}}\n')
r = reply(f)
report(r and r["id"] == 2 and r["error"]["code"] == "EINVAL", "wrong argument type gets EINVAL with the id")
s.sendall(b'{"v":1,"id":3,"cmd":"format-disk"}\n')
r = reply(f)
report(r and r["error"]["code"] == "EOPNOTSUPP", "unknown command gets EOPNOTSUPP")
s.sendall(b'{"v":1,"id":4,"cmd":"reclaim","args":{"cgroup":"/a/../../x","bytes":4096}}\n')
r = reply(f)
report(r and r["error"]["code"] == "EINVAL", "raw path traversal gets EINVAL")
s.sendall(b'{"v":1,"id":5,"cmd":"status"}\n')
r = reply(f)
report(r and r["id"] == 5 and r["ok"] is True, "connection still served after bad lines")
f.close()
s.close()

s, f = conn()
try:
    s.sendall(b'{"v":1,"cmd":"status","x":"' + b"a" * 70000)
except OSError:
    pass
r = reply(f)
report(r and r["error"]["code"] == "E2BIG", "oversized line gets E2BIG")
try:
    eof = f.readline() == b""
except OSError:
    eof = True
report(eof, "connection closed after an oversized line")
s.close()

# More clients than allowed: the excess get EUSERS at once, not a hang.
held, refused = [], 0
for i in range(140):
    c, cf = conn()
    held.append((c, cf))
time.sleep(0.3)
for c, cf in held:
    c.setblocking(False)
    try:
        data = c.recv(4096)
        if data and b'"EUSERS"' in data:
            refused += 1
    except BlockingIOError:
        pass
report(refused >= 1, "clients beyond the limit get EUSERS (%d of 140)" % refused)
for c, cf in held:
    cf.close()  # the makefile holds the fd open too
    c.close()
time.sleep(0.3)
s, f = conn()
s.sendall(b'{"v":1,"id":6,"cmd":"status"}\n')
r = reply(f)
report(r and r["ok"] is True, "served again once clients left")
s.close()

# A client that does not read is throttled; others are unaffected.
lazy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
lazy.connect(path)
lazy.settimeout(5)
sent = 0
try:
    for i in range(20000):
        lazy.sendall(b'{"v":1,"cmd":"status"}\n')
        sent += 1
except OSError:
    pass
time.sleep(0.5)
s, f = conn()
s.sendall(b'{"v":1,"id":7,"cmd":"status"}\n')
r = reply(f)
report(r and r["ok"] is True, "others served while a client does not read")
s.close()
got = 0
try:
    while True:
        d = lazy.recv(65536)
        if not d:
            break
        got += d.count(b"\n")
except OSError:
    pass
# Throttled, not dropped (issue 17 B7): once it reads, every request it
# completed is answered.
report(got >= sent, "a client that reads late gets every reply (%d of %d)" % (got, sent))
lazy.close()

def read_replies(f, n):
    out = []
    for _ in range(n):
        try:
            line = f.readline()
        except OSError:
            break  # reset by the daemon
        if not line:
            break
        try:
            out.append(json.loads(line.decode("utf-8")))  # strict UTF-8
        except ValueError:
            break  # cut off mid-line
    return out

# Issue 17 B7: 1000 requests in one write, 1000 replies in order, also
# when they add up to more than the 512 KiB output cap (nodes replies).
for cmd in (b"status", b"nodes"):
    s, f = conn()
    s.settimeout(20)
    s.sendall(b"".join(b'{"v":1,"id":%d,"cmd":"%s"}\n' % (i, cmd) for i in range(1000)))
    time.sleep(0.5)
    rs = read_replies(f, 1000)
    report(len(rs) == 1000 and [r["id"] for r in rs] == list(range(1000)),
           "1000 pipelined %s lines get 1000 replies (%d)" % (cmd.decode(), len(rs)))
    s.close()

# Issue 17 B8: 100 requests, then shutdown(SHUT_WR): 100 replies, then EOF.
s, f = conn()
s.settimeout(20)
s.sendall(b"".join(b'{"v":1,"id":%d,"cmd":"nodes"}\n' % i for i in range(100)))
s.shutdown(socket.SHUT_WR)
rs = read_replies(f, 100)
report(len(rs) == 100 and all(r.get("ok") for r in rs), "a half-closed client gets all 100 replies (%d)" % len(rs))
try:
    closed = f.readline() == b""
except OSError:
    closed = False
report(len(rs) == 100 and closed, "then the daemon closes it")
s.close()

# Issue 17 B15 and B12: NUL, bytes 0, replies in valid UTF-8.
s, f = conn()
s.sendall(b'{"v":1,"id":1,"cmd":"status"}\x00\n')
r = reply(f)
report(r and r.get("error", {}).get("code") == "EINVAL", "a NUL after a request is an error, not a blank")
s.sendall(b'{"v":1,"id":2,"cmd":"reclaim","args":{"node":0,"bytes":0}}\n{"v":1,"id":3,"cmd":"boost","args":{"node":0,"bytes":0}}\n')
rs = [reply(f), reply(f)]
report(all(r and r.get("error", {}).get("code") == "ERANGE" for r in rs),
       "bytes 0 refused for reclaim and boost (ERANGE)")
s.sendall(('{"v":1,"id":4,"cmd":"' + "a" * 63 + '\u00e9t\u00e9"}\n').encode())
line = f.readline()
try:
    msg = json.loads(line.decode("utf-8"))["error"]["message"]
    okutf = "a" * 63 + '"' in msg
except (UnicodeDecodeError, ValueError, KeyError):
    okutf = False
report(okutf, "an echoed name is cut between characters, the reply is valid UTF-8")
s.close()

# Issue 17 B3: unprivileged users trickling into every slot they can get
# (8 uids x 17 connections, a byte each 20 ms) do not lock root out.
import os, signal
if os.getuid() == 0:
    os.chmod(os.path.dirname(path), 0o755)
    os.chmod(path, 0o666)
    kids, rd = [], []
    for k in range(8):
        r_fd, w_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r_fd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65526 + k)
            socks = []
            for _ in range(17):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    c.connect(path)
                    c.send(b"{")
                except OSError:
                    pass
                socks.append(c)
            os.write(w_fd, b"x")
            while True:
                for c in socks:
                    try:
                        c.send(b" ", socket.MSG_DONTWAIT)
                    except OSError:
                        pass
                time.sleep(0.02)
        os.close(w_fd)
        os.read(r_fd, 1)
        os.close(r_fd)
        kids.append(pid)
    time.sleep(0.3)
    t0 = time.monotonic()
    try:
        s, f = conn()
        s.sendall(b'{"v":1,"id":8,"cmd":"status"}\n')
        r = reply(f)
        s.close()
    except OSError:
        r = None
    dt = time.monotonic() - t0
    for pid in kids:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.chmod(path, 0o660)
    # 100 ms on an idle machine; 2 s for a loaded one. Refused before.
    report(r is not None and r.get("ok") is True and dt < 2.0,
           "root's status answers with 136 unprivileged trickling clients (%.1f ms)" % (dt * 1000))
else:
    n += 1
    print("ok %d # SKIP not root: cannot become other uids" % n)
EOF
raw_rc=$?
cat "$tmp/raw.tap"
n=$((n + $(grep -c '^ok\|^not ok' "$tmp/raw.tap")))
failed=$((failed + $(grep -c '^not ok' "$tmp/raw.tap")))
check "raw socket script ran to the end" test "$raw_rc" -eq 0

check "daemon still running" kill -0 "$pid"
check "daemon still answers" ctl status
kill "$pid"
wait "$pid"
rc=$?
pid=
check "daemon exits cleanly on SIGTERM (status $rc)" test "$rc" -eq 0
check "no sanitizer report from the daemon" sh -c "! grep -q 'Sanitizer' '$tmp/daemon.log'"
check "daemon removed its socket" test ! -e "$sock"

# Issue 17 B14: two daemons replacing the same stale socket at once: one
# runs, the other refuses (it used to replace the first one's socket).
both=0
for round in $(seq 10); do
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$sock"
	"$reclaimd" --root="$root" --dry-run --socket="$sock" --config="$tmp/reclaimd.conf" >"$tmp/a.log" 2>&1 &
	pa=$!
	"$reclaimd" --root="$root" --dry-run --socket="$sock" --config="$tmp/reclaimd.conf" >"$tmp/b.log" 2>&1 &
	pb=$!
	sleep 1.5
	alive=0
	kill -0 $pa 2>/dev/null && alive=$((alive + 1))
	kill -0 $pb 2>/dev/null && alive=$((alive + 1))
	[ $alive -eq 1 ] || both=$((both + 1))
	kill $pa $pb 2>/dev/null
	wait $pa $pb 2>/dev/null
	rm -f "$sock"
done
check "two daemons on one stale socket: exactly one runs, 10 rounds ($both bad)" test $both -eq 0
echo "1..$n"
[ "$failed" -eq 0 ]
