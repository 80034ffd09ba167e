#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/hotcold answers SIGUSR1 from its start, before its sets are filled:
# the VM scenario offload-growth signals it once the cgroup's memory is
# charged, and a hotcold still filling its warm set died of the signal's
# default action (6.1, a fresh-clone CI run: "hotcold gone", its log
# empty). A 400 MiB warm set takes well over 50 ms to fill here; signalled
# at 50 ms, hotcold must leave the warm set and exit 0.
. "$(dirname "$0")/lib.sh"

HOTCOLD="$top_builddir/bench/hotcold"
check "bench/hotcold is built (make builds it with the daemon)" [ -x "$HOTCOLD" ]

"$HOTCOLD" --hot-mib 16 --warm-mib 400 --cold-mib 8 --seconds 3 >/dev/null 2>"$tmp/hotcold.err" &
pid=$!
sleep 0.05
kill -USR1 "$pid"
wait "$pid"
rc=$?
check "hotcold signalled while filling its sets exits 0 (status $rc; 138 is death by SIGUSR1)" [ "$rc" -eq 0 ]
check "and says it left the warm set" grep -q "hotcold: warm off" "$tmp/hotcold.err"
tap_done
