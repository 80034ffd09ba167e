# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18
# vm-timeout: 120
#
# Protection with the per-node reclaim file present (6.17+; issue 12 defect
# 1): where node0/reclaim and cgroup v2 memory.reclaim both exist, a node
# pass must not go to the node file while a policy covers memory on the node,
# or Protect= would not hold. With [CGroup /prot.slice] Protect=yes, a boost
# and an operator's "reclaim node 0" both take from bulk.slice and nothing
# from prot.slice (before the fix the node file took from both alike).

[ -w /sys/devices/system/node/node0/reclaim ] ||
	vm_fail "this kernel has no /sys/devices/system/node/node0/reclaim (6.17+ expected)"
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

ctl_ok boost boost 0 $((96 << 20)) || vm_fail "reclaimctl boost: $(cat /tmp/ctl.out)"
bulk_gave() {
	[ $((bulk0 - $(cat $CG/bulk.slice/memory.current))) -ge $((48 << 20)) ]
}
vm_wait_until 40 bulk_gave
ctl_ok reclaim reclaim node 0 32M || vm_fail "reclaimctl reclaim node 0 32M: $(cat /tmp/ctl.out)"
sleep 1
dprot=$((prot0 - $(cat $CG/prot.slice/memory.current)))
vm_memcg_stats_settle
psteal=$(($(vm_cg_steal_targeted prot.slice) - psteal0))
dbulk=$((bulk0 - $(cat $CG/bulk.slice/memory.current)))
# memory.stat, not memory.current, tells what reclaimd took: the kernel's
# own kswapd may take from a protected cgroup too.
vm_note "prot.slice memory.current -$dprot bytes, targeted reclaim (memory.stat $(vm_cg_steal_counter prot.slice)) $psteal pages"
if vm_cg_steal_exact prot.slice; then
	[ "$psteal" -eq 0 ] ||
		vm_fail "protected prot.slice lost $psteal pages to targeted reclaim with the node file present (bulk.slice $(vm_mib $dbulk) MiB)"
else
	[ "$psteal" -le 256 ] ||
		vm_fail "protected prot.slice lost $psteal pages to targeted or direct reclaim with the node file present (bulk.slice $(vm_mib $dbulk) MiB)"
fi
[ $dbulk -ge $((48 << 20)) ] ||
	vm_fail "bulk.slice gave only $(vm_mib $dbulk) MiB (prot.slice $(vm_mib $dprot) MiB)"
vm_pass "node0/reclaim present; boost 96 MiB + reclaim node 0 32M: bulk.slice -$(vm_mib $dbulk) MiB, protected prot.slice -$(vm_mib $dprot) MiB"
