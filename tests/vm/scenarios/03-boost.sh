# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 90
#
# Boost: "reclaimctl boost 0 BYTES" reclaims the requested amount on node 0
# from page cache only: anonymous memory stays and pswpout does not move,
# although zram swap is on (boosted passes write swappiness=0).

BOOST=$((96 << 20))

vm_cache load/file 300 0
vm_anon load/anon 200 0
vm_need_daemon
sleep 1
file0=$(vm_memstat load file)
anon0=$(vm_memstat load anon)
pswpout0=$(vm_vmstat pswpout)
vm_need_swap

t0=$(cut -d' ' -f1 /proc/uptime)
ctl_ok boost boost 0 $BOOST || vm_fail "reclaimctl boost 0 $BOOST: $(cat /tmp/ctl.out)"
boosted() {
	[ $((file0 - $(vm_memstat load file))) -ge $((BOOST * 9 / 10)) ]
}
vm_wait_until 40 boosted
t1=$(cut -d' ' -f1 /proc/uptime)
sleep 1
dfile=$((file0 - $(vm_memstat load file)))
danon=$((anon0 - $(vm_memstat load anon)))
dswp=$(($(vm_vmstat pswpout) - pswpout0))
[ $dfile -ge $((BOOST * 9 / 10)) ] || vm_fail "boost $(vm_mib $BOOST) MiB: page cache shrank only $(vm_mib $dfile) MiB in 40 s"
[ $danon -le $((1 << 20)) ] || vm_fail "boost took $(vm_mib $danon) MiB of anonymous memory"
[ $dswp = 0 ] || vm_fail "boost swapped out $dswp pages"
vm_pass "boost $(vm_mib $BOOST) MiB on node 0: page cache -$(vm_mib $dfile) MiB in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }') s, anon -$(vm_mib $danon) MiB, pswpout +0"
