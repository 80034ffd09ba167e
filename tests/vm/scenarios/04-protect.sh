# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 90
#
# Protection: with [CGroup /prot.slice] Protect=yes, a boost on node 0 takes
# its memory from bulk.slice and none from prot.slice, though both hold the
# same page cache on the same node.
#
# Which backend ran is read from the kernel: reclaim through the per-node
# file (6.17+) counts in /proc/vmstat pgsteal_proactive, cgroup-targeted
# memory.reclaim does not (it counts in the cgroups' memory.stat). On 6.18
# both exist; the README's guarantee (protected cgroups never lose memory)
# must hold whichever the daemon chose.

cat >$CONF <<CONF
[CGroup /prot.slice]
Protect=yes
CONF
vm_cache prot.slice 200 0
vm_cache bulk.slice 200 0
# From before the daemon starts: its whole life is under Protect=.
vm_memcg_stats_settle
psteal0=$(vm_cg_steal_targeted prot.slice)
vm_need_daemon
sleep 1
prot0=$(cat $CG/prot.slice/memory.current)
bulk0=$(cat $CG/bulk.slice/memory.current)
steal0=$(vm_vmstat pgsteal_proactive)

ctl_ok boost boost 0 $((128 << 20)) || vm_fail "reclaimctl boost: $(cat /tmp/ctl.out)"
bulk_gave() {
	[ $((bulk0 - $(cat $CG/bulk.slice/memory.current))) -ge $((64 << 20)) ]
}
vm_wait_until 40 bulk_gave
sleep 1
dprot=$((prot0 - $(cat $CG/prot.slice/memory.current)))
vm_memcg_stats_settle
psteal=$(($(vm_cg_steal_targeted prot.slice) - psteal0))
dbulk=$((bulk0 - $(cat $CG/bulk.slice/memory.current)))
dsteal=$((($(vm_vmstat pgsteal_proactive) - steal0) * 4096))
ctl_json status >/tmp/scenario.status
acts=$(awk -F '\t' '$1 ~ /^actuators\./ { printf "%s%s", s, $2; s = "," }' /tmp/scenario.status)
if [ "$dsteal" -ge $((dbulk / 2)) ] && [ "$dsteal" -gt 0 ]; then
	backend="node file (vmstat pgsteal_proactive +$(vm_mib $dsteal) MiB)"
else
	backend="memory.reclaim (vmstat pgsteal_proactive +$(vm_mib $dsteal) MiB)"
fi
vm_note "actuators [$acts]; backend that ran: $backend; bulk.slice -$dbulk bytes, prot.slice -$dprot bytes"
# memory.stat, not memory.current, tells what reclaimd took: the kernel's
# own kswapd may take from a protected cgroup too.
vm_note "prot.slice targeted reclaim (memory.stat $(vm_cg_steal_counter prot.slice)): $psteal pages"
if vm_cg_steal_exact prot.slice; then
	[ "$psteal" -eq 0 ] || vm_fail "protected prot.slice lost $psteal pages to targeted reclaim (memory.stat pgsteal_proactive; bulk.slice $(vm_mib $dbulk) MiB) in a 128 MiB boost through the $backend"
else
	[ "$psteal" -le 256 ] || vm_fail "protected prot.slice lost $psteal pages to targeted or direct reclaim (memory.stat; bulk.slice $(vm_mib $dbulk) MiB) in a 128 MiB boost through the $backend"
fi
[ $dbulk -ge $((64 << 20)) ] || vm_fail "bulk.slice gave only $(vm_mib $dbulk) MiB of a 128 MiB boost (prot.slice $(vm_mib $dprot) MiB)"
vm_pass "boost 128 MiB through the $backend: bulk.slice -$(vm_mib $dbulk) MiB, protected prot.slice -$(vm_mib $dprot) MiB"
