# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the shell integration tests: TAP output, a daemon in a
# temporary directory, and JSON field extraction (python3).
#
# Environment from the Makefile: top_srcdir, top_builddir.

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RECLAIMD="$top_builddir/reclaimd"
RECLAIMCTL="$top_builddir/reclaimctl"

tap_n=0
tap_failed=0
ok() { # CONDITION-EXIT-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
check() { # DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok 0 "$desc"; else ok 1 "$desc"; fi
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
diag() { echo "# $*"; }
tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# A scratch directory removed at exit, with the daemon stopped.
tmp=$(mktemp -d /tmp/reclaimd-test.XXXXXX)
daemon_pid=""
# Other processes a test started: killed at exit too.
extra_pids=""
cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	# shellcheck disable=SC2086
	[ -z "$extra_pids" ] || kill $extra_pids 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
# dash runs no EXIT trap on a signal: exit through it.
trap 'exit 143' TERM
trap 'exit 130' INT

# start_daemon ARGS...: reclaimd in the background, logging to $tmp/daemon.log,
# waiting until its socket answers `status` (5 s at most).
start_daemon() {
	"$RECLAIMD" --socket="$tmp/sock" "$@" >"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 50); do
		if "$RECLAIMCTL" --socket="$tmp/sock" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "reclaimd did not answer; its log:"
	sed 's/^/#   /' "$tmp/daemon.log"
	return 1
}

stop_daemon() {
	[ -n "$daemon_pid" ] || return 0
	kill "$daemon_pid" 2>/dev/null
	wait "$daemon_pid"
	rc=$?
	daemon_pid=""
	return $rc
}

ctl() { "$RECLAIMCTL" --socket="$tmp/sock" "$@"; }

# fixture NAME DIR: a writable copy of tests/fixtures/NAME at DIR, for a
# test to change under the daemon.
fixture() {
	cp -r "$top_srcdir/tests/fixtures/$1" "$2" && chmod -R u+w "$2"
}

# jq-like extraction: json_get EXPR < JSON, EXPR a python expression on `d`.
json_get() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# watch_brakes_are FILE EXPECTED [CGROUP]: the `brake` events of a watch
# stream saved in FILE (a JSON object a line), each as (on, reason, node,
# cgroup), those of CGROUP alone where it is given, are EXPECTED (a Python
# literal list). Prints what it saw.
watch_brakes_are() {
	python3 -c '
import ast, json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [o.get("event", o) for o in ev]
b = [(e["on"], e["reason"], e["node"], e.get("cgroup")) for e in ev if e.get("type") == "brake"]
if len(sys.argv) > 3:
    b = [t for t in b if t[3] == sys.argv[3]]
print("# brake events: %s" % b)
sys.exit(0 if b == ast.literal_eval(sys.argv[2]) else 1)' "$@"
}

# wait_for SECONDS COMMAND...: retry until the command succeeds.
wait_for() {
	deadline=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
