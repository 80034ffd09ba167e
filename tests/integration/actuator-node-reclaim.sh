#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Real-kernel test of the per-node reclaim path: fill page cache with a
# 512 MiB file, have the actuator (actuator-probe, SHRINK_NODE on node 0)
# reclaim 256 MiB through /sys/devices/system/node/node0/reclaim, and check
# the kernel's own counters: /proc/vmstat pgsteal_proactive grew by at least
# half of it, and node 0's MemFree rose by at least a quarter (other
# processes allocate meanwhile). Needs root and a 6.17+ kernel.

set -u
probe="${top_builddir:-.}/tests/integration/actuator-probe"
reclaim=/sys/devices/system/node/node0/reclaim
dir="${top_builddir:-.}"
bytes=$((256 * 1024 * 1024))

skip() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root to write $reclaim"
[ -e "$reclaim" ] || skip "$reclaim absent (kernel before 6.17)"
[ -x "$probe" ] || skip "$probe not built"
# tmpfs pages are shmem: without swap they cannot be reclaimed.
fstype=$(stat -f -c %T "$dir")
[ "$fstype" != tmpfs ] || skip "$dir is on tmpfs; page cache there is not reclaimable without swap"
avail_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
[ "$avail_kb" -gt $((600 * 1024)) ] || skip "less than 600 MiB free on $dir"

# The host tests read the kernel's global counters: one at a time, even
# under make -j (host-reclaim.sh takes the same lock).
exec 9>/tmp/reclaimd-host-tests.lock
flock 9

file=$(mktemp "$dir/actuator-node-reclaim.XXXXXX") || exit 1
trap 'rm -f "$file"' EXIT

echo "1..5"
dd if=/dev/zero of="$file" bs=1M count=512 conv=fsync status=none
cat "$file" > /dev/null

out=$("$probe" --node=0 --bytes=$bytes --swappiness=0)
rc=$?
# The JSON prints "before" then "after": first and second occurrence.
field() { printf '%s\n' "$out" | sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p" | sed -n "${2}p"; }

if [ $rc -eq 0 ] && [ "$(field rc 1)" = 0 ]; then echo "ok 1 - shrink returned 0"; else
	echo "not ok 1 - shrink returned 0 (exit $rc)"; printf '%s\n' "$out" | sed 's/^/# /'; fi

writes=$(field writes 1)
if [ "${writes:-0}" -ge 1 ]; then echo "ok 2 - wrote the node reclaim file ($writes writes)"; else
	echo "not ok 2 - wrote the node reclaim file"; fi

page=$(getconf PAGESIZE)
steal_before=$(field pgsteal_proactive 1)
steal_after=$(field pgsteal_proactive 2)
stolen=$(( (steal_after - steal_before) * page ))
if [ "$stolen" -ge $((bytes / 2)) ]; then
	echo "ok 3 - pgsteal_proactive grew by $stolen bytes (>= half of $bytes)"
else
	echo "not ok 3 - pgsteal_proactive grew by $stolen bytes (< half of $bytes)"
fi

free_before=$(field node_memfree_bytes 1)
free_after=$(field node_memfree_bytes 2)
rose=$((free_after - free_before))
if [ "$rose" -ge $((bytes / 4)) ]; then
	echo "ok 4 - node0 MemFree rose by $rose bytes (>= a quarter of $bytes)"
else
	echo "not ok 4 - node0 MemFree rose by $rose bytes (< a quarter of $bytes)"
fi

measured=$(field reclaimed_bytes 1)
if [ "${measured:-0}" -ge $((bytes / 2)) ] && [ "$measured" -le $((stolen + 4 * page)) ]; then
	echo "ok 5 - actuator measured $measured bytes, consistent with pgsteal_proactive"
else
	echo "not ok 5 - actuator measured ${measured:-?} bytes (pgsteal_proactive: $stolen)"
fi
