# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18
# vm-timeout: 300
# vm-bench: yes
#
# A benchmark, not a test (run only when named): what QEMU's TCG does to
# the two costs issue 14 compares, measured here and, by bench/tcg-cost,
# the same way on the host (docs/benchmarks.md, "What TCG does to the
# comparison"). It prints NOTE lines and fails only when a measurement
# could not be taken.
#
# 1. The event loop's cost per wakeup: the daemon, dry run, idle,
#    MonitorIntervalMin= and MonitorIntervalMax= 250ms: over 30 s, its
#    loop thread's run time (schedstat) per voluntary context switch.
# 2. The kernel's reclaim per GiB: 384 MiB of page cache read on node 0,
#    then eight writes of "32M swappiness=0" to node0/reclaim
#    (bench/readcost --write: the writing thread's CPU time), per GiB of
#    pgsteal_proactive. With MGLRU as the kernel boots (Debian's
#    6.18: on) and with it off (the host's kernel has none).

cat >$CONF <<CONF
[Reclaim]
MonitorIntervalMin=250ms
MonitorIntervalMax=250ms
CONF
vm_daemon_start --dry-run || vm_fail "daemon: $DAEMON_WHY"
sleep 2
pid=$DAEMON_PID
run0=$(cut -d ' ' -f 1 /proc/$pid/task/$pid/schedstat)
sw0=$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' /proc/$pid/task/$pid/status)
sleep 30
run1=$(cut -d ' ' -f 1 /proc/$pid/task/$pid/schedstat)
sw1=$(awk '$1 == "voluntary_ctxt_switches:" { print $2 }' /proc/$pid/task/$pid/status)
vm_daemon_stop
wakes=$((sw1 - sw0))
[ "$wakes" -gt 0 ] || vm_fail "the loop thread did not wake in 30 s"
vm_note "loop, dry run, idle, 30 s: $wakes wakeups, $(((run1 - run0) / 1000)) us run time, $(((run1 - run0) / wakes / 1000)) us a wakeup, $(awk -v n=$((run1 - run0)) 'BEGIN { printf "%.3f", n / 30e9 * 100 }')% of a vCPU"

# reclaim_cost LABEL: 384 MiB of page cache on node 0, then eight writes
# of 32 MiB to node0/reclaim (readcost --write: its thread's CPU time over
# them), per GiB of pgsteal_proactive.
reclaim_cost() {
	local pg s0 s1 out cpu mib
	sync
	echo 3 >/proc/sys/vm/drop_caches
	VM_LOCAL_WRAP="/vm/bin/membind 0" vm_cache calib 384
	pg=$(vm_page_size)
	s0=$(vm_vmstat pgsteal_proactive)
	out=$(/vm/bin/readcost --write "32M swappiness=0" --reads 8 /sys/devices/system/node/node0/reclaim)
	s1=$(vm_vmstat pgsteal_proactive)
	mib=$(((s1 - s0) * pg >> 20))
	cpu=$(echo "$out" | sed -n 's/.*"cpu_ns": \([0-9]*\).*/\1/p')
	[ "$mib" -gt 0 ] && [ -n "$cpu" ] || vm_fail "$LABEL: node0/reclaim reclaimed nothing ($out)"
	vm_note "node-file reclaim, $LABEL: $out; $mib MiB reclaimed, $((cpu / 1000 * 1024 / mib / 1000)) ms per GiB"
	vm_cg_rm calib 2>/dev/null
}
LABEL="MGLRU $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo none)" reclaim_cost
if [ -w /sys/kernel/mm/lru_gen/enabled ]; then
	echo n >/sys/kernel/mm/lru_gen/enabled
	LABEL="MGLRU off" reclaim_cost
	echo y >/sys/kernel/mm/lru_gen/enabled
fi
vm_pass "measured (NOTE lines)"
