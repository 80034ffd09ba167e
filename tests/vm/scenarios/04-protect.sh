# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 90
#
# Protection: with [CGroup /prot.slice] Protect=yes, a boost on node 0 takes
# its memory from bulk.slice and none from prot.slice, though both hold the
# same page cache on the same node.

cat >$CONF <<CONF
[CGroup /prot.slice]
Protect=yes
CONF
vm_cache prot.slice 200 0
vm_cache bulk.slice 200 0
vm_need_daemon
sleep 1
prot0=$(cat $CG/prot.slice/memory.current)
bulk0=$(cat $CG/bulk.slice/memory.current)

ctl_ok boost boost 0 $((128 << 20)) || vm_fail "reclaimctl boost: $(cat /tmp/ctl.out)"
bulk_gave() {
	[ $((bulk0 - $(cat $CG/bulk.slice/memory.current))) -ge $((64 << 20)) ]
}
vm_wait_until 40 bulk_gave
sleep 1
dprot=$((prot0 - $(cat $CG/prot.slice/memory.current)))
dbulk=$((bulk0 - $(cat $CG/bulk.slice/memory.current)))
[ $dprot -le $((1 << 20)) ] || vm_fail "protected prot.slice lost $(vm_mib $dprot) MiB (bulk.slice $(vm_mib $dbulk) MiB) to a 128 MiB boost"
[ $dbulk -ge $((64 << 20)) ] || vm_fail "bulk.slice gave only $(vm_mib $dbulk) MiB of a 128 MiB boost (prot.slice $(vm_mib $dprot) MiB)"
vm_pass "boost 128 MiB: bulk.slice -$(vm_mib $dbulk) MiB, protected prot.slice -$(vm_mib $dprot) MiB"
