# SPDX-License-Identifier: GPL-2.0-only
#
# Capture job: load a few cgroups with page cache (reads of the virtio disk
# /dev/vda) and anonymous memory (hog), push some of it to zram swap, then copy
# the files reclaimd reads into /tmp/fx and send the tree to the host as blob
# "fixture". Sourced by /vm/job.

series=$(vm_kernel_series)
vm_info kernel "$(uname -r)"
vm_info cmdline "$(cat /proc/cmdline)"
vm_info uname "$(uname -a)"

# Page cache lives in files on an ext2 file system on the virtio disk: a raw
# block device's cache is dropped at its last close. Sparse files read as
# zero-filled pages without I/O, which is just as much page cache. A reader's
# pages are charged to its cgroup and stay there after it exits (populated 0,
# memory.current > 0); reading part of a file twice activates it.
mke2fs -q /dev/vda && mount /dev/vda /mnt || vm_result FAIL capture "cannot make a file system on /dev/vda"
truncate -s 300M /mnt/cache
truncate -s 300M /mnt/limited
vm_cg_run system.slice/cache.service sh -c 'dd if=/mnt/cache of=/dev/null bs=1M 2>/dev/null; dd if=/mnt/cache of=/dev/null bs=1M count=100 2>/dev/null'
cache_pid=$!
# Anonymous memory, spread over every node.
vm_cg_run system.slice/anon.service /vm/bin/hog 200 --interleave
# Protected: memory.min/low set before the memory arrives.
vm_cg_new protected.slice/db.service
echo 64M >$CG/protected.slice/memory.min
echo 128M >$CG/protected.slice/memory.low
vm_cg_run protected.slice/db.service /vm/bin/hog 100 --interleave
# Limited: page cache held down by memory.high/max, swap capped.
vm_cg_new limited.slice
echo 96M >$CG/limited.slice/memory.high
echo 128M >$CG/limited.slice/memory.max
echo 32M >$CG/limited.slice/memory.swap.max
vm_cg_run limited.slice dd if=/mnt/limited of=/dev/null bs=1M
limited_pid=$!
vm_cg_run user.slice/user-1000.slice/session-1.scope /vm/bin/hog 16
vm_cg_new empty.slice

vm_say "capture: loads started"
wait $cache_pid
wait $limited_pid
vm_say "capture: readers done"
sleep 3
# Some anon to zram swap: the swappiness= argument exists since 6.12; 6.1
# reclaims anon as well as file at its default swappiness of 60.
if [ "$series" = 6.1 ]; then
	echo 64M >$CG/system.slice/anon.service/memory.reclaim
else
	echo "64M swappiness=200" >$CG/system.slice/anon.service/memory.reclaim
fi || vm_say "capture: memory.reclaim on anon.service failed"
vm_say "capture: swapped"
sleep 2

fx=/tmp/fx
mkdir -p $fx/proc/pressure $fx/sys/devices/system/node
for f in zoneinfo vmstat meminfo swaps; do
	cat /proc/$f >$fx/proc/$f
done
for f in memory io cpu; do
	cat /proc/pressure/$f >$fx/proc/pressure/$f
done
for f in online possible has_memory has_normal_memory has_cpu; do
	[ -e /sys/devices/system/node/$f ] && cat /sys/devices/system/node/$f >$fx/sys/devices/system/node/$f
done
for n in /sys/devices/system/node/node[0-9]*; do
	d=$fx${n}
	mkdir -p $d
	for f in cpulist meminfo vmstat numastat; do
		[ -e $n/$f ] && cat $n/$f >$d/$f
	done
done
files="memory.stat memory.numa_stat memory.current memory.min memory.low memory.high memory.max
memory.swap.current memory.swap.max memory.events memory.pressure cgroup.events
cgroup.controllers cgroup.subtree_control"
find $CG -type d | while read -r dir; do
	d=$fx$dir
	mkdir -p $d
	for f in $files; do
		[ -e $dir/$f ] && cat $dir/$f >$d/$f 2>/dev/null
	done
	# The reclaim file is write-only: an empty file records that it exists.
	[ -e $dir/memory.reclaim ] && : >$d/memory.reclaim
done
vm_blob fixture $fx
vm_result PASS capture "$(find $fx -type f | wc -l) files"
