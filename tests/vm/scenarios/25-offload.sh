# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 330
#
# Offload (issue 18): off.slice holds a 32 MiB hot set that hotcold touches
# every 10 ms, a 128 MiB anonymous cold set it never touches again, and
# 64 MiB of page cache nobody reads: 192 MiB cold. With Offload=yes and a
# 2 s interval, reclaimd must trim at least a quarter of the cold share
# (48 MiB) within 60 s, with off.slice's memory.pressure "some" stall over
# that time at most twice OffloadPressure= (the slack: the target is per
# interval, and the last interval's stall is seen only at the next). Next
# to it, prot.slice (Offload=yes and Protect=yes, 64 MiB of page cache) must
# lose nothing to targeted reclaim (memory.stat, as in the protect scenario).
# Swap is the VM's zram, so OffloadSwappiness=auto lets anon go too.

# 1% of the 2 s interval: 20 ms.
TARGET_PERMYRIAD=100
INTERVAL_S=2
COLD=$((192 << 20))

cat >$CONF <<CONF
[CGroup /off.slice]
Offload=yes
OffloadInterval=${INTERVAL_S}s
OffloadPressure=1%
OffloadMaxStep=5%

[CGroup /prot.slice]
Offload=yes
Protect=yes
OffloadInterval=${INTERVAL_S}s
CONF

vm_need_swap
vm_cg_run off.slice /vm/bin/hotcold --hot-mib 32 --cold-mib 128 --seconds 600 \
	--cold-every-ms 10000000 >/dev/null
vm_cache off.slice 64 0
vm_cache prot.slice 64 0
filled() { [ "$(vm_memstat off.slice anon)" -ge $((158 << 20)) ]; }
# The fill is the workload's, before the daemon starts. On 6.18 after the
# scenarios before it, it has taken 60 to 150 s (120 MiB of 160 at 60 s,
# 92 MiB at 120 s in CI runs), against a few seconds when run alone: the
# cause is not found yet, hence the wait and what fill_why reports.
# What held it up, if it did not fill: hotcold's CPUs, state and time,
# what the cgroup swapped, and who runs on CPU 0.
fill_why() {
	local p
	for p in $(cat $CG/off.slice/cgroup.procs); do
		echo "pid $p $(tr '\0' ' ' </proc/$p/cmdline | cut -c1-20): cpus $(awk '/Cpus_allowed_list/ { print $2 }' /proc/$p/status) state $(awk '/^State/ { print $2 }' /proc/$p/status) wchan $(cat /proc/$p/wchan) utime+stime $(awk '{ print $14 + $15 }' /proc/$p/stat);"
	done
	echo "swap $(cat $CG/off.slice/memory.swap.current 2>/dev/null) current $(cat $CG/off.slice/memory.current); MemFree $(awk '/MemFree/ { print $2 }' /proc/meminfo) kB;"
	echo "RT tasks: $(ps -eo pid,cls,psr,comm 2>/dev/null | awk '$2 == "FF" || $2 == "RR"' | tr '\n' ' ')"
}
vm_wait_until 240 filled || vm_fail "hotcold did not fill 160 MiB in 240 s (anon $(vm_memstat off.slice anon)): $(fill_why | tr '\n' ' ')"
vm_memcg_stats_settle
psteal0=$(vm_cg_steal_targeted prot.slice)
vm_need_daemon
cur0=$(cat $CG/off.slice/memory.current)
some0=$(vm_psi_total $CG/off.slice/memory.pressure some)
refaults() { echo $(($(vm_memstat off.slice workingset_refault_anon) + $(vm_memstat off.slice workingset_refault_file))); }
ref0=$(refaults)
t0=$(cut -d' ' -f1 /proc/uptime)

trimmed() { [ $((cur0 - $(cat $CG/off.slice/memory.current))) -ge $((COLD / 4)) ]; }
vm_wait_until 60 trimmed
t1=$(cut -d' ' -f1 /proc/uptime)
cur1=$(cat $CG/off.slice/memory.current)
some1=$(vm_psi_total $CG/off.slice/memory.pressure some)
ref1=$(refaults)
ctl --json cgroups | /vm/bin/jflat >/tmp/scenario.cgroups
vm_memcg_stats_settle
psteal=$(($(vm_cg_steal_targeted prot.slice) - psteal0))

dcur=$((cur0 - cur1))
elapsed_ms=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%d", (b - a) * 1000 }')
stall_us=$((some1 - some0))
# Allowed: twice the target per interval over the time taken.
allowed_us=$((2 * TARGET_PERMYRIAD * elapsed_ms / 10))
state=$(vm_cg_json_field /off.slice offload_state)
wss=$(vm_cg_json_field /off.slice working_set_bytes)
offr=$(vm_cg_json_field /off.slice offload_reclaimed_bytes)
backoffs=$(vm_cg_json_field /off.slice offload_backoffs)
pstate=$(vm_cg_json_field /prot.slice offload_state)
# MGLRU or the classic LRU (the controller reads neither: memory.reclaim
# takes the oldest generation, or the inactive list's tail): what the trim
# cost the 32 MiB hot set, in refaults.
vm_note "LRU: lru_gen $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo absent); off.slice refaulted $(((ref1 - ref0) * $(vm_page_size) / 1024)) KiB during the trim"
vm_note "off.slice $(vm_mib $cur0) -> $(vm_mib $cur1) MiB in ${elapsed_ms} ms (offload reclaimed $(vm_mib ${offr:-0}) MiB, $backoffs backoffs, state $state, working set ~$(vm_mib ${wss:-0}) MiB); some stall ${stall_us} us (allowed ${allowed_us}); prot.slice state $pstate, targeted reclaim $psteal pages ($(vm_cg_steal_counter prot.slice))"

[ $dcur -ge $((COLD / 4)) ] || vm_fail "off.slice shrank only $(vm_mib $dcur) MiB of its $(vm_mib $COLD) MiB cold share in 60 s (state $state, offload reclaimed $(vm_mib ${offr:-0}) MiB, $backoffs backoffs, stall ${stall_us} us)"
[ $stall_us -le $allowed_us ] || vm_fail "off.slice stalled ${stall_us} us in ${elapsed_ms} ms, above twice OffloadPressure=1% (${allowed_us} us)"
[ "${offr:-0}" -gt 0 ] || vm_fail "reclaimctl cgroups shows no offload reclaim for off.slice (offload_reclaimed_bytes ${offr:-none})"
[ "${wss:-0}" -gt 0 ] || vm_fail "reclaimctl cgroups shows no working-set estimate for off.slice"
[ "$pstate" = floor ] || vm_fail "prot.slice's offload state is \"$pstate\", not \"floor\" (Protect=yes)"
if vm_cg_steal_exact prot.slice; then
	[ "$psteal" -eq 0 ] || vm_fail "protected prot.slice lost $psteal pages to targeted reclaim (memory.stat pgsteal_proactive)"
else
	[ "$psteal" -le 256 ] || vm_fail "protected prot.slice lost $psteal pages to targeted or direct reclaim (memory.stat)"
fi
vm_pass "off.slice -$(vm_mib $dcur) MiB of $(vm_mib $COLD) MiB cold in ${elapsed_ms} ms with ${stall_us} us of stall (allowed ${allowed_us}); protected prot.slice lost $psteal pages"
