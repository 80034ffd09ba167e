# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.12
# vm-timeout: 120
#
# Brake: victim.slice thrashes (a 160 MiB hot set under memory.max=96M, so
# it swaps to zram constantly and its memory.pressure "some" grows far past
# PressureLimit=1%). reclaimd must mark it braked and take nothing more from
# it, while it still reclaims from calm.slice.

cat >$CONF <<CONF
[Reclaim]
PressureWindow=2s

[CGroup /victim.slice]
PressureLimit=1%
CONF
vm_need_daemon
vm_cache calm.slice 300 0
vm_cg_new victim.slice
echo 96M >$CG/victim.slice/memory.max
vm_cg_run victim.slice taskset 1 /vm/bin/hotcold --hot-mib 160 --cold-mib 1 --seconds 100 --hot-pause-ms 0
some0=$(vm_psi_total $CG/victim.slice/memory.pressure some)
sleep 5
some1=$(vm_psi_total $CG/victim.slice/memory.pressure some)
[ $((some1 - some0)) -ge 500000 ] || vm_fail "victim.slice did not thrash: memory.pressure some +$((some1 - some0)) us in 5 s"

braked() {
	ctl_json cgroups >/tmp/scenario.cgroups 2>/dev/null &&
		[ "$(vm_cg_json_field /victim.slice braked)" = true ]
}
vm_wait_until 20 braked || vm_fail "victim.slice not braked within 20 s (memory.pressure some +$((some1 - some0)) us per 5 s): $(grep victim /tmp/scenario.cgroups | tr '\t\n' '= ')"
reason=$(vm_cg_json_field /victim.slice brake_reason)
rv0=$(vm_cg_json_field /victim.slice reclaimed_bytes)
calm0=$(cat $CG/calm.slice/memory.current)

for n in $(ls -d /sys/devices/system/node/node[0-9]* | sed 's/.*node//'); do
	ctl boost "$n" $((64 << 20)) >/tmp/scenario.out 2>&1 || vm_fail "reclaimctl boost $n: $(cat /tmp/scenario.out)"
done
sleep 8
ctl_json cgroups >/tmp/scenario.cgroups || vm_fail "reclaimctl --json cgroups failed"
rv1=$(vm_cg_json_field /victim.slice reclaimed_bytes)
still=$(vm_cg_json_field /victim.slice braked)
dcalm=$((calm0 - $(cat $CG/calm.slice/memory.current)))
[ "${rv1:-x}" = "${rv0:-y}" ] || vm_fail "braked victim.slice was still reclaimed: reclaimed_bytes $rv0 -> $rv1"
[ "$still" = true ] || vm_fail "victim.slice brake released while it still thrashes"
[ $dcalm -ge $((32 << 20)) ] || vm_fail "calm.slice gave only $(vm_mib $dcalm) MiB: reclaim stopped altogether"
vm_pass "victim.slice braked (reason ${reason:-null}; pressure +$((some1 - some0)) us/5 s), reclaimed_bytes stayed $rv0 through 2 boosts while calm.slice gave $(vm_mib $dcalm) MiB"
