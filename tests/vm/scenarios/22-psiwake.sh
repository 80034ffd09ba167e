# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 120
#
# PSI trigger wake: the VM kernels accept a trigger on /proc/pressure/memory
# (this host refuses it), so reclaimd must arm one (its log says "PSI
# trigger ... armed", not "polling") and wake every node with reason "psi" when
# memory stalls pass the default PSITrigger= (some 150 ms per 1 s): a cgroup
# thrashing under its own memory.max (as in scenario brake) stalls for
# seconds per second. Quiet first: no psi wake while nothing stalls. Each
# psi wake carries PSIBoost= (64M), and a run follows with that boost.
# The brakes are off so that the boosted runs are not held back.

cat >$CONF <<CONF
[Reclaim]
SystemBrake=100%
PressureLimit=100%
CONF
vm_cache calm.slice 200 0
vm_need_daemon
trig=$(grep -o 'PSI trigger .* armed on [^ ]*' $DAEMON_LOG | head -n 1)
[ -n "$trig" ] || vm_fail "no PSI trigger armed on $(uname -r), whose kernel accepts triggers: $(grep -i psi $DAEMON_LOG | head -n 2 | tr '\n' ' ')"
vm_watch_start

some0=$(vm_psi_total /proc/pressure/memory some)
sleep 4
some1=$(vm_psi_total /proc/pressure/memory some)
quiet=$(vm_events 'ev("type") == "wake" && ev("reason") ~ /psi/' | wc -l)
# Since the arming, not only since the watch began: a kernel trigger's
# first window starts at a stale total and fires on the first stall after
# the arming (seen after a thrashing scenario on 6.18, and at every Debian
# boot); the daemon checks such an event against the totals and ignores it.
ctl_json stats >/tmp/scenario.stats || vm_fail "reclaimctl --json stats failed"
qev=$(vm_stat psi_events_total)
qign=$(vm_stat psi_events_ignored_total)
vm_note "quiet 4 s: /proc/pressure/memory some +$((some1 - some0)) us, psi wakes $quiet; since the arming: psi events acted on ${qev:-?}, ignored ${qign:-?}"
[ "$quiet" = 0 ] && [ "${qev:-x}" = 0 ] || vm_fail "$quiet psi wakes ($qev events since the arming) while memory some stall grew only $((some1 - some0)) us in 4 s"

n0=$(vm_now_usec)
vm_cg_new victim.slice
echo 96M >$CG/victim.slice/memory.max
t0=$(cut -d' ' -f1 /proc/uptime)
vm_cg_run victim.slice taskset 2 /vm/bin/hotcold --hot-mib 160 --cold-mib 1 --seconds 60 --hot-pause-ms 0
psi_woken() {
	vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
		ev("type") == "wake" && ev("reason") ~ /psi/ { w[ev("node")] = 1 }
		END { n = 0; for (i in w) n++; exit n < '"$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)"' }'
}
vm_wait_until 40 psi_woken
t1=$(cut -d' ' -f1 /proc/uptime)
some2=$(vm_psi_total /proc/pressure/memory some)
woken=$(vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
	ev("type") == "wake" && ev("reason") ~ /psi/ { n[ev("node")]++; b = ev("boost_bytes") }
	END { for (i in n) printf "node%s:%d ", i, n[i]; printf "boost_bytes=%s", b }')
vm_note "thrashing: some +$((some2 - some1)) us in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }') s; psi wakes $woken"
psi_woken || vm_fail "not every node had a psi wake within 40 s of the thrashing (some +$((some2 - some1)) us): $woken"
# The kernel's trigger and /proc/pressure/memory's total aggregate the
# per-CPU stall over different sampling intervals (the trigger's poll
# aggregator and the averaging one weight each CPU by its own non-idle
# time), so a trigger for 150 ms can fire while the total shows less: 132 ms
# was seen on 6.18. The daemon acts on an event only when the total grew by
# at least half the threshold (core/brake.c: psi_event_check); hold it to
# that, which a trigger fired on a stale window (+0 us) still fails.
[ $((some2 - some1)) -ge 75000 ] || vm_fail "the trigger fired but the kernel shows only $((some2 - some1)) us of stall, under half of PSITrigger='s 150 ms"
boost=$(echo "$woken" | sed -n 's/.*boost_bytes=//p')
[ "$boost" = $((64 << 20)) ] || vm_fail "psi wake boost_bytes=$boost, PSIBoost= is 64M"
boosted_run() {
	vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
		ev("type") == "run_start" && ev("boost_bytes") + 0 > 0 { f = 1 } END { exit !f }'
}
vm_wait_until 20 boosted_run || vm_fail "no boosted run followed the psi wakes"
ctl_json stats >/tmp/scenario.stats || vm_fail "reclaimctl --json stats failed"
p0=$(vm_stat wakes_total node=0 reason=psi)
[ "${p0:-0}" -gt 0 ] || vm_fail "stats wakes_total{node=0,reason=psi} is '${p0}'"
vm_pass "${trig%% on *}; quiet: 0 psi wakes; thrashing (some +$((some2 - some1)) us): $woken, wakes_total{psi} node 0 = $p0, a boosted run followed"
