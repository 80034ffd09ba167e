# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 120
#
# Rate limit: with RateLimit=8M (StepSize=4M, so a pass fits the quota's
# one-second burst), a 96 MiB boost on node 0 over 224 MiB of page cache
# must take about 11 s: the run's rate within 10% of 8 MiB/s, every write at
# most StepSize, and the kernel's own count of what left the page cache
# (memory.current of the loaded cgroup) within 10% of what the daemon
# measured. The quota starts full (one second of RateLimit, its burst), so
# the rate is (reclaimed_bytes - RateLimit x 1 s) / duration_usec of the
# run: what the limit allows over a run of that length.

RATE=$((8 << 20))
STEP=$((4 << 20))
BOOST=$((96 << 20))
cat >$CONF <<CONF
[Reclaim]
RateLimit=8M
StepSize=4M
$VM_QUIET_RECLAIM
CONF
vm_cache load 224 0
vm_say "ratelimit: page cache loaded"
vm_need_daemon
vm_watch_start
sleep 1
cur0=$(cat $CG/load/memory.current)
n0=$(vm_now_usec)
ctl_ok boost boost 0 $BOOST || vm_fail "reclaimctl boost 0 96M: $(cat /tmp/ctl.out)"
run_done() {
	vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
		ev("node") + 0 == 0 && ev("type") == "run_start" { s = 1 }
		s && ev("node") + 0 == 0 && ev("type") == "run_end" { f = 1 } END { exit !f }'
}
vm_wait_until 60 run_done || vm_fail "the boosted run on node 0 did not end within 60 s: $(vm_events_since $n0 | grep -v type=write | tail -n 4 | tr '\t\n' ' ;')"
cur1=$(cat $CG/load/memory.current)
vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
	ev("node") != 0 { next }
	ev("type") == "run_start" { s = 1; next }
	s && ev("type") == "write" { n++; req += ev("requested_bytes"); if (ev("requested_bytes") + 0 > max) max = ev("requested_bytes") }
	s && ev("type") == "run_end" { print ev("reclaimed_bytes"), ev("duration_usec"), ev("end"), n, req, max + 0; exit }' >/tmp/scenario.run
read -r got dur end writes req maxw </tmp/scenario.run
kern=$((cur0 - cur1))
rate=$(awk -v b=$got -v d=$dur -v l=$RATE 'BEGIN { printf "%.2f", (b - l) / d * 1000000 / 1048576 }')
krate=$(awk -v b=$kern -v d=$dur -v l=$RATE 'BEGIN { printf "%.2f", (b - l) / d * 1000000 / 1048576 }')
vm_note "boosted run: reclaimed $got bytes in $dur us ($rate MiB/s after the 1 s burst, kernel's page cache -$kern bytes: $krate MiB/s), $writes writes requesting $req bytes, largest $maxw, ended $end"
awk -v r=$got -v d=$dur -v l=$RATE 'BEGIN { x = (r - l) / d * 1000000; exit !(x >= 0.9 * l && x <= 1.1 * l) }' ||
	vm_fail "rate $rate MiB/s over the run is not within 10% of RateLimit=8M"
awk -v r=$kern -v d=$dur -v l=$RATE 'BEGIN { x = (r - l) / d * 1000000; exit !(x <= 1.1 * l) }' ||
	vm_fail "the kernel's page cache shrank at $krate MiB/s, over RateLimit=8M by more than 10%"
awk -v a=$got -v b=$kern 'BEGIN { exit !(b >= 0.9 * a && b <= 1.1 * a) }' ||
	vm_fail "the daemon measured $got bytes, the kernel's page cache shrank by $kern"
[ "$maxw" -le $STEP ] || vm_fail "a write asked $maxw bytes, StepSize is $STEP"
[ "$got" -ge $((BOOST * 9 / 10)) ] || vm_fail "the run reclaimed $got of a $BOOST boost"
vm_pass "96 MiB boost at RateLimit=8M: $rate MiB/s over $((dur / 1000)) ms (kernel $krate MiB/s), $writes writes <= 4 MiB, ended $end"
