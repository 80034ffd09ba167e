# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.12
# vm-timeout: 150
#
# System brake (issue 12 defect 2): while the whole system stalls above
# SystemBrake= (/proc/pressure/memory "full"), a node pass is not made, the
# run ends "braked", the node thread waits and no failure is counted. Before
# the fix every braked run counted a failure and 16 made node 0 hopeless in
# milliseconds, so reclaimd went quiet during exactly the stalls it is for.
# A task thrashing under its own memory.max (as in 05-brake) makes the
# system-wide "full" stall; 24 boosts over 12 s keep waking node 0.

cat >$CONF <<CONF
[Reclaim]
PressureWindow=2s
SystemBrake=1%
PSITrigger=off
PSIBoost=0
CONF
vm_cache calm.slice 300 0
vm_cache victim.slice 64 0
echo 96M >$CG/victim.slice/memory.max
vm_cg_run victim.slice taskset 2 /vm/bin/hotcold --hot-mib 160 --cold-mib 1 --seconds 100 --hot-pause-ms 0
vm_need_daemon
full0=$(vm_psi_total /proc/pressure/memory full)
sleep 4
full1=$(vm_psi_total /proc/pressure/memory full)
# SystemBrake=1% of a 2 s window is 20 ms of full stall per window.
[ $((full1 - full0)) -ge 80000 ] ||
	vm_fail "no system-wide stall to brake on: /proc/pressure/memory full +$((full1 - full0)) us in 4 s"

i=0
while [ $i -lt 24 ]; do
	ctl_ok boost boost 0 $((16 << 20)) || vm_fail "reclaimctl boost 0: $(cat /tmp/ctl.out)"
	sleep 0.5
	i=$((i + 1))
done
full2=$(vm_psi_total /proc/pressure/memory full)
ctl_json nodes >/tmp/scenario.nodes || vm_fail "reclaimctl --json nodes failed"
hopeless=$(jget /tmp/scenario.nodes nodes.0.hopeless)
failures=$(jget /tmp/scenario.nodes nodes.0.failures)
braked=$(jget /tmp/scenario.nodes nodes.0.counters.runs_braked)
runs=$(jget /tmp/scenario.nodes nodes.0.counters.runs)
hopeless_total=$(jget /tmp/scenario.nodes nodes.0.counters.hopeless)
[ "${braked:-0}" -ge 1 ] ||
	vm_fail "no run ended braked (runs $runs, full stall +$((full2 - full1)) us during the boosts)"
[ "$hopeless" = false ] && [ "${hopeless_total:-1}" = 0 ] ||
	vm_fail "node 0 went hopeless under the brake: runs $runs, braked $braked, failures $failures"
[ "${failures:-99}" -lt 16 ] || vm_fail "node 0 counted $failures failures under the brake"
vm_pass "system brake on (full +$((full2 - full0)) us in $((4 + 12)) s): $runs runs, $braked ended braked, failures $failures, never hopeless"
