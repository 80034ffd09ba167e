#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The VM guests' vm_daemon_stop (tests/vm/guest/lib.sh), on this host, with
# stand-ins for the daemon, so that its verdict is tested without a guest:
#   - a daemon that exits on SIGTERM passes, and says nothing;
#   - a daemon that ignores SIGTERM, with a CPU to run on, fails after
#     DAEMON_STOP_S and is killed: no more time than that;
#   - a daemon that would exit but waits for a CPU held by another task (a
#     fresh-clone CI run of 6.1: khugepaged held CPU 0 for over 80 s and the
#     node thread bound there got no tick) is given that wait on top, and
#     passes with a NOTE naming the wait;
#   - one whose thread waits behind its own sibling is not;
#   - one whose wait for a CPU has no end is killed at DAEMON_STOP_MAX_S.
# The stand-in is a shell that exits when told; its threads' state, run time
# and wait (stat, schedstat) are files written as each case says (VM_PROC),
# so that no CPU has to be starved on this host. The times are scaled down
# (DAEMON_STOP_S 2, DAEMON_STOP_MAX_S 9), and the bounds on how long a
# stop took loose (whole seconds, and 1 s for the threads' stacks).
#
# Output: TAP.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

. "$top_srcdir/tests/vm/guest/lib.sh"
# What the guest sends to its serial ports, kept here.
vm_out() { echo "$*" >>"$tmp/out"; }
vm_say() { echo "$*" >>"$tmp/said"; }
DAEMON_PID_FILE=$tmp/pid
DAEMON_STOP_S=2
DAEMON_STOP_MAX_S=9
VM_PROC=$tmp/proc
VM_STOP_STATE=$tmp/starve

# standin TERM_ACTION: a stand-in daemon (its pid in $pid) that runs
# TERM_ACTION on SIGTERM ("exit 0", or "" to ignore it) and exits once
# $tmp/go exists.
standin() {
	rm -f "$tmp/go"
	sh -c "trap '$1' TERM; while [ ! -e '$tmp/go' ]; do sleep 0.1; done" &
	pid=$!
}

# threads SECONDS SPEC...: the stand-in's threads as $VM_PROC shows them,
# every 0.2 s for SECONDS, one a SPEC "STATE:RUN_NS:CPU": in STATE, last
# on CPU, its run time (schedstat) growing by RUN_NS each time; then
# $tmp/go. In the background (its pid in $threads).
threads() {
	secs=$1
	shift
	(
		n=0
		while [ $n -lt $((secs * 5)) ]; do
			k=0
			for spec in "$@"; do
				k=$((k + 1))
				d=$VM_PROC/$pid/task/$((pid * 10 + k))
				mkdir -p "$d"
				echo sh >"$d/comm"
				IFS=: read -r state step cpu <<-EOF
				$spec
				EOF
				echo "$((1000000 + n * step)) 0 $n" >"$d/schedstat.new" && mv "$d/schedstat.new" "$d/schedstat"
				# stat: field 3 the state, 39 the CPU it last ran on.
				echo "$pid (sh) $state$(seq 4 38 | sed 's/.*/ 0/' | tr -d '\n') $cpu 0 0" >"$d/stat.new" &&
					mv "$d/stat.new" "$d/stat"
			done
			n=$((n + 1))
			sleep 0.2
		done
		touch "$tmp/go"
	) &
	threads=$!
	sleep 0.5
}

# stop_it: vm_daemon_stop on the stand-in; the seconds it took in $took.
stop_it() {
	: >"$tmp/out"
	extra_pids="$pid $threads"
	echo "$pid" >"$DAEMON_PID_FILE"
	t=$(date +%s)
	vm_daemon_stop case
	took=$(($(date +%s) - t))
	kill "$pid" "$threads" 2>/dev/null
	wait "$pid" "$threads" 2>/dev/null
	extra_pids=""
}

failed() {
	case "$DAEMON_STOP_WHY" in *"did not exit within"*) return 0 ;; esac
	return 1
}

# 1. Exits on SIGTERM.
standin "exit 0"
threads 30 R:10000000:0
stop_it
check "a daemon that exits on SIGTERM passes" [ -z "$DAEMON_STOP_WHY" ]
check "... and no NOTE is sent" [ ! -s "$tmp/out" ]

# 2. Ignores SIGTERM, running all the while (its run time grows).
standin ""
threads 30 R:200000000:0
stop_it
check "a daemon that ignores SIGTERM while it runs fails (${DAEMON_STOP_WHY:-no verdict})" failed
case "$DAEMON_STOP_WHY" in *"another task held, 0 s by"*) r=0 ;; *) r=1 ;; esac
ok $r "... after DAEMON_STOP_S, no wait credited ($took s)"

check "... and no NOTE of a wait is sent" [ ! -s "$tmp/out" ]

# 3. Would exit, but is runnable and gets no tick for 4 s (the 6.1 run's
# node thread under a soft lockup), while its other thread runs on the
# other CPU.
standin ""
threads 4 R:0:0 S:1000000:1
stop_it
check "a daemon runnable without a CPU is given the wait, and passes (${DAEMON_STOP_WHY:-exited in $took s})" [ -z "$DAEMON_STOP_WHY" ]
check "... past DAEMON_STOP_S ($took s)" [ "$took" -gt "$DAEMON_STOP_S" ]
grep -q "^NOTE case: reclaimd exited [0-9]* s after SIGTERM; by [0-9]* s its thread sh had waited [1-9][0-9]* s of them for a CPU another task held" "$tmp/out"
ok $? "... with a NOTE of the wait: $(cat "$tmp/out")"

# 4. A thread waits behind its sibling on the same CPU, which runs: the
# daemon's own wait, no more time.
standin ""
threads 30 R:0:0 R:200000000:0
stop_it
check "a daemon whose thread waits behind its own sibling fails (${DAEMON_STOP_WHY:-no verdict})" failed
# (Under load the stand-in's files can lag a step behind, which credits a
# few tenths: under 2 s is no extension that matters.)
case "$DAEMON_STOP_WHY" in *"another task held, "[01]" s by"*) r=0 ;; *) r=1 ;; esac
ok $r "... after DAEMON_STOP_S, no wait of note credited ($took s)"

# 5. Runnable without a CPU for good: killed at DAEMON_STOP_MAX_S.
standin ""
threads 60 R:0:0
stop_it
check "a daemon that never gets a CPU fails (${DAEMON_STOP_WHY:-no verdict})" failed
check "... at DAEMON_STOP_MAX_S ($took s; $DAEMON_STOP_MAX_S and 1 s of stacks)" \
	[ "$took" -ge "$DAEMON_STOP_MAX_S" -a "$took" -le $((DAEMON_STOP_MAX_S + 5)) ]

tap_done
