# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.12 6.18
# vm-timeout: 900
# vm-bench: yes
#
# A benchmark, not a test (run only when named): what the kernel's reclaim
# costs the writer per GiB on each path a node pass can take (issue 14:
# reclaimd's writes cost about twice kswapd's CPU per GiB on 6.12, where
# memory.reclaim on a leaf restarts every call at DEF_PRIORITY and under
# MGLRU takes the memcg path, while kswapd's lru_gen_shrink_node() sets its
# priority from what it needs; a write to the root's memory.reclaim takes
# the kswapd path, "To measure next" in docs/benchmarks.md):
#
# - leaf: the leaf cgroup's memory.reclaim (what a 6.12 node pass does),
#   in 2 writes of 128 MiB, 8 of 32 MiB, 32 of 8 MiB, and 64 of 1 MiB and
#   256 of 256 KiB (64 MiB asked: a first version asked 256 MiB in 1024
#   writes of 256 KiB, and on 6.18 they took all 384 MiB of the leaf, about
#   750 writes a round answering EAGAIN; a run's passes ask its deficit,
#   often under 512 KiB, and what a small write takes beyond its ask is a
#   finding of its own);
# - root: the root's memory.reclaim, written from node 0's CPU (the
#   zonelist starts at the writer's node; how much came from node 1 is
#   the price in node-boundness);
# - node: node0/reclaim (6.17+), 2 x 128 MiB, 8 x 32 MiB, 64 x 1 MiB,
#   256 x 256 KiB;
# - kswapd: the kernel's own, for the yardstick: a reader on CPU 1 with its
#   memory bound to node 0 streams node 0's free memory + 256 MiB into page
#   cache, vm.watermark_scale_factor 1000 so that kswapd0 wakes early; the
#   kswapd threads' run time (schedstat, all nodes') per GiB of
#   pgsteal_kswapd, with what direct reclaim took beside it. Not like for
#   like in one way: kswapd reclaims while the reader allocates, the
#   writers with nothing else running.
#
# Each: 384 MiB of page cache in leaf/ on node 0 and 192 MiB in other/ on
# node 1, then the writes of "SIZE swappiness=0" (once a round also the
# kernel's swappiness: "32M") by readcost --write pinned
# to CPU 0 (its thread's CPU time), per GiB the two cgroups' pgsteal grew
# (and the root's, every cgroup's: the root and node file may take others'
# pages too); three rounds, paths interleaved; MGLRU as booted, then off
# (restored as found, also when the scenario fails).
# Prints NOTE lines; fails only when nothing could be measured.

vm_cg_new leaf
vm_cg_new other
ROUNDS=3

# node_file CG N: file_N of CG's memory.numa_stat, bytes.
node_file() {
	awk -v k="file" -v n="N$2" '$1 == k { for (i = 2; i <= NF; i++) if ($i ~ "^" n "=") { sub(n "=", "", $i); print $i } }' "$CG/$1/memory.numa_stat"
}

# caches: drop the page cache, then 384 MiB of it in leaf/ on node 0 and
# 192 MiB in other/ on node 1 (checked: at least 360 and 180 MiB there).
caches() {
	vm_cg_kill leaf 2>/dev/null
	vm_cg_kill other 2>/dev/null
	sync
	echo 3 >/proc/sys/vm/drop_caches
	VM_LOCAL_WRAP="/vm/bin/membind 0" vm_cache leaf 384 0
	VM_LOCAL_WRAP="/vm/bin/membind 1" vm_cache other 192 1
	vm_memcg_stats_settle
	[ "$(node_file leaf 0)" -ge $((360 << 20)) ] && [ "$(node_file other 1)" -ge $((180 << 20)) ] ||
		vm_fail "the page cache did not land where asked: leaf has $(vm_mib $(node_file leaf 0)) MiB on node 0, other $(vm_mib $(node_file other 1)) MiB on node 1"
}

# steal: pgsteal of leaf + other, and of the root (every cgroup's).
steal() { echo "$(($(vm_memstat leaf pgsteal) + $(vm_memstat other pgsteal))) $(awk '$1 == "pgsteal" { print $2 }' $CG/memory.stat)"; }

# path_cost LABEL NAME FILE TEXT COUNT ASKED_MIB: one measurement, COUNT
# writes of TEXT (ASKED_MIB in all); appends "LABEL NAME cpu_ns wall_ns
# reclaimed_bytes from_node1_bytes failed asked_mib all_cgroups_bytes" to
# /tmp/scenario.cost.
path_cost() {
	local pg out rc cpu wall failed s0 s1 o0 o1
	caches
	pg=$(vm_page_size)
	s0=$(steal)
	o0=$(node_file other 1)
	out=$(taskset 1 /vm/bin/readcost --write "$4" --reads "$5" "$3" 2>&1)
	rc=$?
	vm_memcg_stats_settle
	s1=$(steal)
	o1=$(node_file other 1)
	[ $rc = 0 ] || vm_fail "$1 $2: readcost failed (exit $rc): $out"
	cpu=$(echo "$out" | sed -n 's/.*"cpu_ns": \([0-9]*\).*/\1/p')
	wall=$(echo "$out" | sed -n 's/.*"wall_ns": \([0-9]*\).*/\1/p')
	failed=$(echo "$out" | sed -n 's/.*"failed": \([0-9]*\).*/\1/p')
	[ -n "$cpu" ] && [ $((${s1% *} - ${s0% *})) -gt 0 ] || vm_fail "$1 $2: nothing reclaimed ($out)"
	echo "$1 $2 $cpu $wall $(((${s1% *} - ${s0% *}) * pg)) $((o0 - o1)) $failed $6 $(((${s1#* } - ${s0#* }) * pg))" >>/tmp/scenario.cost
}

# kswapd_runtime: the run time of every kswapd thread, ns (schedstat).
kswapd_runtime() {
	local k t=0
	for k in $(vm_pids_named 'kswapd*'); do
		t=$((t + $(cut -d' ' -f1 /proc/$k/schedstat)))
	done
	echo $t
}

# kswapd_cost LABEL: the kernel's kswapd on the same page cache, made to
# reclaim by a reader on CPU 1 with its memory bound to node 0, streaming
# node 0's free memory + 256 MiB of a new file into page cache
# (vm.watermark_scale_factor 1000, so that kswapd0 wakes early). Page
# cache, not an anonymous hog: a first version's hog was swapped (600-1500
# MiB through zram), and mlock()ed it left kswapd0 walking its 1 GiB of
# page tables for MGLRU's aging, which no write here does (6.12: 1304-1603
# ms a GiB with MGLRU, 445-494 without). Every kswapd's time against every
# kswapd's pgsteal, so that a kswapd1 woken by the higher marks counts on
# both sides. Appends "LABEL kswapd cpu_ns 0 reclaimed_bytes direct_bytes
# 0 0 0".
kswapd_cost() {
	local pg free0 wsf r0 r1 k0 k1 d0 d1
	caches
	pg=$(vm_page_size)
	free0=$(awk '$3 == "MemFree:" { print $4 }' /sys/devices/system/node/node0/meminfo)
	wsf=$(cat /proc/sys/vm/watermark_scale_factor)
	echo 1000 >/proc/sys/vm/watermark_scale_factor
	r0=$(kswapd_runtime)
	k0=$(vm_vmstat pgsteal_kswapd)
	d0=$(vm_vmstat pgsteal_direct)
	VM_LOCAL_WRAP="/vm/bin/membind 0" vm_cache stream $((free0 / 1024 + 256)) 1
	sleep 2
	r1=$(kswapd_runtime)
	k1=$(vm_vmstat pgsteal_kswapd)
	d1=$(vm_vmstat pgsteal_direct)
	echo "$wsf" >/proc/sys/vm/watermark_scale_factor
	vm_cg_kill stream
	rm -f /mnt/cache.stream
	[ $((k1 - k0)) -gt 0 ] || vm_fail "$1 kswapd: kswapd reclaimed nothing (direct $(((d1 - d0) * pg >> 20)) MiB)"
	echo "$1 kswapd $((r1 - r0)) 0 $(((k1 - k0) * pg)) $(((d1 - d0) * pg)) 0 0 0" >>/tmp/scenario.cost
}

measure() {
	local r=1
	while [ $r -le $ROUNDS ]; do
		path_cost "$1" leaf-128Mx2 "$CG/leaf/memory.reclaim" "128M swappiness=0" 2 256
		path_cost "$1" leaf-32Mx8 "$CG/leaf/memory.reclaim" "32M swappiness=0" 8 256
		path_cost "$1" leaf-32Mx8-kernel-swappiness "$CG/leaf/memory.reclaim" 32M 8 256
		path_cost "$1" leaf-8Mx32 "$CG/leaf/memory.reclaim" "8M swappiness=0" 32 256
		path_cost "$1" leaf-1Mx64 "$CG/leaf/memory.reclaim" "1M swappiness=0" 64 64
		path_cost "$1" leaf-256Kx256 "$CG/leaf/memory.reclaim" "256K swappiness=0" 256 64
		path_cost "$1" root-32Mx8 "$CG/memory.reclaim" "32M swappiness=0" 8 256
		if [ -e /sys/devices/system/node/node0/reclaim ]; then
			path_cost "$1" node-128Mx2 /sys/devices/system/node/node0/reclaim "128M swappiness=0" 2 256
			path_cost "$1" node-32Mx8 /sys/devices/system/node/node0/reclaim "32M swappiness=0" 8 256
			path_cost "$1" node-1Mx64 /sys/devices/system/node/node0/reclaim "1M swappiness=0" 64 64
			path_cost "$1" node-256Kx256 /sys/devices/system/node/node0/reclaim "256K swappiness=0" 256 64
		fi
		kswapd_cost "$1"
		r=$((r + 1))
	done
}

: >/tmp/scenario.cost
[ -e "$CG/memory.reclaim" ] || vm_fail "no memory.reclaim at the root"
measure "MGLRU=$(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo none)"
if [ -w /sys/kernel/mm/lru_gen/enabled ]; then
	lru_gen=$(cat /sys/kernel/mm/lru_gen/enabled)
	trap 'echo "$lru_gen" >/sys/kernel/mm/lru_gen/enabled' EXIT
	echo n >/sys/kernel/mm/lru_gen/enabled
	measure "MGLRU=$(cat /sys/kernel/mm/lru_gen/enabled)"
	echo "$lru_gen" >/sys/kernel/mm/lru_gen/enabled
fi
# Per label and path, each round: ms of the writer's CPU per GiB the two
# cgroups gave up (and of wall time), MiB asked and reclaimed (and what
# every cgroup gave up, where more), and from node 1 (kswapd: what direct
# reclaim took beside it); writes answered EAGAIN over the rounds.
awk '{ k = $1 " " $2; mib = $5 / 1048576; n[k]++; c[k] = c[k] " " sprintf("%.0f", $3 / 1e6 * 1024 / mib);
	w[k] = w[k] " " sprintf("%.0f", $4 / 1e6 * 1024 / mib); m[k] = m[k] " " int(mib); n1[k] = n1[k] " " int($6 / 1048576)
	f[k] += $7; a[k] = $8; all[k] = all[k] " " int($9 / 1048576); if ($9 - $5 > 1048576) more[k] = 1 }
	END { for (k in n) print k ": CPU ms per GiB" c[k] (k ~ /kswapd/ ? "" : "; wall ms per GiB" w[k]) (k ~ /kswapd/ ? "" : "; MiB asked " a[k]) \
		"; MiB reclaimed" m[k] (more[k] ? "; every cgroup" all[k] : "") (k ~ /kswapd/ ? "; direct reclaim beside it" : "; of it from node 1") n1[k] \
		"; EAGAIN writes " f[k] }' \
	/tmp/scenario.cost | sort | while read -r line; do vm_note "$line"; done
vm_pass "measured (NOTE lines)"
