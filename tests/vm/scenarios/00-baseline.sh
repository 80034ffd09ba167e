# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 120
#
# Baseline, no daemon: the kernel's memory.reclaim semantics reclaimd builds
# on. Writing the root cgroup's memory.reclaim frees memory from a child;
# on 6.12 "swappiness=0" takes page cache and leaves anonymous memory alone;
# on 6.1 the swappiness= argument is refused with EINVAL.

series=$(vm_kernel_series)
swap_total=$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)
[ "${swap_total:-0}" -gt 0 ] || vm_fail "no swap: zram did not come up"

# 200 MiB of page cache (sparse file on the scratch disk: zero-filled pages
# without I/O) and 200 MiB of anonymous memory, in two cgroups.
truncate -s 200M /mnt/baseline.file
vm_cg_new base/file
sh -c 'echo $$ >$0/cgroup.procs && exec dd if=/mnt/baseline.file of=/dev/null bs=1M 2>/dev/null' $CG/base/file
vm_anon base/anon 200
sleep 1

file0=$(vm_memstat base file)
anon0=$(vm_memstat base anon)
cur0=$(cat $CG/base/memory.current)
pswpout0=$(vm_vmstat pswpout)
vm_say "baseline: base file=$(vm_mib $file0) MiB anon=$(vm_mib $anon0) MiB"
[ "$file0" -ge $((150 << 20)) ] || vm_fail "page cache not charged: base file=$file0"
[ "$anon0" -ge $((190 << 20)) ] || vm_fail "anon not charged: base anon=$anon0"

if [ "$series" = 6.1 ]; then
	err=$(echo "16M swappiness=0" 2>&1 >$CG/memory.reclaim)
	case "$err" in
	*"Invalid argument"*) ;;
	*) vm_fail "6.1 accepted or mishandled 'swappiness=0': '$err'" ;;
	esac
	# Root reclaim at the kernel's own balance (swappiness 60).
	echo 64M >$CG/memory.reclaim 2>/tmp/scenario.err
	cur1=$(cat $CG/base/memory.current)
	freed=$((cur0 - cur1))
	[ "$freed" -ge $((48 << 20)) ] || vm_fail "root memory.reclaim 64M freed only $freed bytes from base ($(cat /tmp/scenario.err))"
	vm_pass "swappiness= refused with EINVAL; root memory.reclaim 64M freed $(vm_mib $freed) MiB"
fi

# 6.12 and later: swappiness=0 must leave anonymous memory in place.
echo "64M swappiness=0" >$CG/memory.reclaim 2>/tmp/scenario.err
file1=$(vm_memstat base file)
anon1=$(vm_memstat base anon)
pswpout1=$(vm_vmstat pswpout)
dfile=$((file0 - file1))
danon=$((anon0 - anon1))
vm_say "baseline: after swappiness=0: file -$(vm_mib $dfile) MiB, anon -$(vm_mib $danon) MiB, pswpout +$((pswpout1 - pswpout0))"
[ "$dfile" -ge $((48 << 20)) ] || vm_fail "swappiness=0: file shrank only $dfile bytes ($(cat /tmp/scenario.err))"
[ "$danon" -le $((1 << 20)) ] || vm_fail "swappiness=0: anon shrank by $danon bytes"
[ "$pswpout1" = "$pswpout0" ] || vm_fail "swappiness=0: pswpout moved by $((pswpout1 - pswpout0))"

# Plain root reclaim frees more.
cur1=$(cat $CG/base/memory.current)
echo 64M >$CG/memory.reclaim 2>/tmp/scenario.err
cur2=$(cat $CG/base/memory.current)
freed=$((cur1 - cur2))
[ "$freed" -ge $((48 << 20)) ] || vm_fail "root memory.reclaim 64M freed only $freed bytes ($(cat /tmp/scenario.err))"

# swappiness=max (anon only) came after 6.12: probe, don't assume.
if err=$(echo "1M swappiness=max" 2>&1 >$CG/base/memory.reclaim); then
	max="accepted"
else
	max="refused (${err##*: })"
fi
vm_pass "swappiness=0: file -$(vm_mib $dfile) MiB, anon -$(vm_mib $danon) MiB, pswpout +0; root reclaim 64M freed $(vm_mib $freed) MiB; swappiness=max $max"
