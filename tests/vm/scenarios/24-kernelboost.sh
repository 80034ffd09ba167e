# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 240
#
# A real kernel watermark boost, paid once by reclaimd, then compacted.
#
# The kernel raises zone->watermark_boost (zoneinfo "boost") when an
# allocation falls back to a free block of another migratetype smaller than
# a pageblock (boost_watermark()), and wakes its own kswapd, which clears the
# boost at the end of its next run: milliseconds, far below the monitor's
# interval. So the kernel's kswapd of node 1 is held off the CPU: moved to
# CPU 0, where a SCHED_FIFO spinner (/vm/bin/spin) runs with RT throttling
# off (sched_rt_runtime_us=-1; on 6.12+ also CPU 0's fair server, debugfs
# runtime 0). ksoftirqd/0 runs above the spinner, so that CPU 0's softirqs
# and the RCU grace periods that wait for them go on; CPU 0's kworkers are
# raised above it too, only if the daemon's node thread is found waiting
# for them in lru_add_drain_all() (memory.reclaim's and nodeN/reclaim's
# last retry); the spinner also empties CPU 0's per-CPU LRU batches before
# it spins. The test's own processes and the daemon's main
# thread run on CPU 1 (node 1's CPU, where reclaimd/n1 is pinned anyway);
# the test's own processes allocate on node 0 (/vm/bin/membind). The spinner is
# killed WINDOW_S seconds after reclaimd's run, and ends by itself after
# HOLD_MAX_S in any case; the settings are restored on exit.
#
# Fragmentation: node 1 is filled with 4 KiB anonymous pages and every other
# page freed (frag fill), so its free memory is order-0 holes; proactive
# compaction is off (vm.compaction_proactiveness=0) so kcompactd does not
# mend them. 128 MiB of page cache on node 1 gives a boosted run something
# it may reclaim (boosted reclaim does not swap). Then, with the daemon
# paused (so that its run sees the boost the burst leaves, not one still
# growing) and the kernel's kswapd held, 20000 page tables (frag ptes):
# unmovable allocations that fall back into the movable holes. The boost
# reaches the kernel's cap (1.5 x high at the default
# vm.watermark_boost_factor, which is left alone) on 6.1 and 6.12; 6.18
# claims fallback blocks differently and boosts less, in one or two steps
# (512 pages; 512 then 3584 in a later run). Then the
# daemon is resumed. MonitorIntervalMax=200ms, so that the monitor looks at
# the paid boost often while it stands.
#
# Asserted:
# 1. the kernel set a boost on node 1: zoneinfo boost > 0 (sampled every
#    20 ms by frag boostlog);
# 2. reclaimd ran a run for it: its run_start boost_bytes > 0 is the boost
#    the zone showed after it (PSIBoost=0 and no reclaimctl boost: no
#    userspace boost; nothing paid before the resume, see 3), woken for
#    kernel-boost, every write swappiness=0 (null on 6.1, which has no
#    swappiness=), ended balanced, reclaimed at least the boost; the
#    kernel's kswapd had not run (pageoutrun +0) by then. The same for
#    every later boosted run that ended within the hold: on 6.18 the kernel
#    can raise a new boost after the run (512 then 1024 pages 0.76 s after
#    it in one run), and a run paying the rise is right;
# 3. paid once: after each run the zone showed what the runs since the
#    resume had paid (a run pays the boost less what was paid), and while
#    that boost stood (until the kernel raised a new one, or its kswapd
#    cleared it after the hold) node 1's kernel-boost wake counter,
#    sampled with the time (metric wakes_total{reason="kernel-boost"},
#    counted when the monitor asks, even while the node thread is busy;
#    wakes of other reasons are noted), did not move in the samples
#    taken, and no run
#    started with a boost; over the longest such stand 2 samples or more,
#    between which the monitor read the whole of zoneinfo, where a boost
#    shows, 3 times or more (each read would wake the node for a paid
#    boost forgotten); the monitor read the whole of
#    zoneinfo, where the boost shows, at least 5 times over the hold after
#    the first run (monitor_zoneinfo_reads_total).
#    (With the paid boost forgotten, balance_begin() not recording
#    kernel_boost_paid[], the wake counter counted 16 wakes in 7.4 s on 6.12
#    and this failed. The node thread is free meanwhile: the node1/compact
#    write, see 4, is the reclaimd/kcomp thread's.)
# 4. the compaction: a compact event on node 1 with reason "boost", result
#    ok, after the first run; counters.compactions_boost 1 and the metric 1
#    (one compaction a minute per node, however many boosted runs);
#    the node1/compact write did the scanning, in the reclaimd/kcomp
#    thread: the compaction trace (from the resume to the event) shows
#    that thread isolating pages, all of them in node 1's pfns, and no
#    event lost. Direct compaction by other tasks and /proc/vmstat's
#    compact_migrate_scanned against kcompactd's are noted.
# The kernel's kswapd clearing the boost after the hold is noted.

# The scenario's own processes allocate on node 0 (/vm/bin/membind 0, for
# the whole scenario): their page tables and kernel stacks, unmovable,
# would otherwise fall back into node 1's movable blocks and raise new
# boosts (the shell and what it forks run on CPU 1). The fill, the page
# cache, the page tables and the daemon get the default policy back (local:
# node 1 for what runs on CPU 1, as before).
if [ -z "${KB_NODE0:-}" ]; then
	export KB_NODE0=1
	exec /vm/bin/membind 0 sh -c ". /vm/lib.sh; . /vm/scenarios/$VM_SCENARIO.sh"
fi
VM_LOCAL_WRAP="/vm/bin/membind default"

# The hold ends WINDOW_S after reclaimd's run (the spinner is killed), or
# after HOLD_MAX_S whatever happens (its own limit).
HOLD_MAX_S=90
WINDOW_S=5
cat >$CONF <<CONF
[Reclaim]
$VM_QUIET_RECLAIM
MonitorIntervalMax=200ms
CONF
[ -d /sys/devices/system/node/node1 ] || vm_fail "needs 2 NUMA nodes (tests/vm/run --nodes 2, the default)"
[ "$(nproc)" -ge 2 ] || vm_fail "needs 2 CPUs"

kp=$(vm_pids_named kswapd1)
[ -n "$kp" ] || vm_fail "no kswapd1 thread"
ksoftirqd0=$(vm_pids_named ksoftirqd/0)
[ -n "$ksoftirqd0" ] || vm_fail "no ksoftirqd/0 thread"
fs=/sys/kernel/debug/sched/fair_server/cpu0/runtime
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs none /sys/kernel/debug 2>/dev/null
rt0=$(cat /proc/sys/kernel/sched_rt_runtime_us)
cp0=$(cat /proc/sys/vm/compaction_proactiveness)
fs0=$(cat $fs 2>/dev/null)
kmask0=$(taskset -p $kp | sed 's/.*: //')
restore() {
	# A failure mid-hold must not leave CPU 0 to the spinner.
	[ -n "${spin_pid:-}" ] && kill "$spin_pid" 2>/dev/null
	echo "$rt0" >/proc/sys/kernel/sched_rt_runtime_us
	echo "$cp0" >/proc/sys/vm/compaction_proactiveness
	[ -n "$fs0" ] && { echo "$fs0" >$fs; } 2>/tmp/scenario.fsrestore
	[ -s /tmp/scenario.fsrestore ] &&
		vm_note "CPU 0's fair server runtime back to $fs0: $(tr '\n' ' ' </tmp/scenario.fsrestore), reads $(cat $fs)"
	taskset -p "$kmask0" $kp >/dev/null 2>&1
	taskset -p 3 $$ >/dev/null 2>&1
	vm_trace_off
}
trap restore EXIT
echo 0 >/proc/sys/vm/compaction_proactiveness
# Who compacted: the compaction tracepoints name the task that scanned
# (mm_compaction_isolate_migratepages, its pfn range and pages scanned)
# and the tasks that compacted directly in an allocation
# (mm_compaction_try_to_compact_pages). /proc/vmstat cannot tell them
# apart: a 6.1 CI run saw compact_stall +1 (some task's direct
# compaction) in the window of the node1/compact write, and the scanned
# count then proved nothing. The buffer is sized (allocated) now, before
# node 1 is fragmented: allocated in the hold, its pages would be
# unmovable allocations on node 1 raising boosts of their own.
vm_trace_on 4096 compaction/mm_compaction_isolate_migratepages \
	compaction/mm_compaction_try_to_compact_pages
sync
echo 3 >/proc/sys/vm/drop_caches

# Fragment node 1: all of its free memory (and a little more, which spills
# to node 0) in 4 KiB pages, every other one freed.
f1=$(awk '$3 == "MemFree:" { print int($4 / 1024) }' /sys/devices/system/node/node1/meminfo)
vm_cg_run frag/fill taskset 2 $VM_LOCAL_WRAP /vm/bin/frag fill $((f1 + 40)) >/tmp/scenario.fill
vm_wait_until 60 grep -q holding /tmp/scenario.fill || vm_fail "frag fill $((f1 + 40)) did not finish in 60 s"
vm_cache cache.slice 128 1
free1=$(awk '$3 == "MemFree:" { print int($4 / 1024) }' /sys/devices/system/node/node1/meminfo)
big1=$(awk '$2 == "1," { n += $14 + 2 * $15 } END { print n + 0 }' /proc/buddyinfo)
vm_note "node 1: $f1 MiB free before, $free1 MiB after the fill and 128 MiB of page cache; free 2 MiB blocks: $big1"

# The fill can raise a boost on node 1 already, which only the kernel's
# kswapd clears (at the end of a run of its own): a daemon that paid it
# would then compact at once, and its one compaction a minute per node
# would leave the boost under test none (a 6.18 run: a 512-page boost paid
# and compacted before the hold). So the boosts are cleared (rewriting
# vm.watermark_scale_factor sets every zone's watermark_boost to 0,
# __setup_per_zone_wmarks()), and the daemon is paused from its start
# until the page tables are made: its run then sees the boost the burst
# leaves (the kernel's cap, 1.5 x high at the default factor, on 6.1 and
# 6.12), not one still growing.
wsf=$(cat /proc/sys/vm/watermark_scale_factor) && echo "$wsf" >/proc/sys/vm/watermark_scale_factor ||
	vm_fail "cannot rewrite vm.watermark_scale_factor ('$wsf') to clear the boosts"
b_reset=$(awk '$1 == "Node" { n = ($2 == "1,") } n && $1 == "boost" { b += $2 } END { print b + 0 }' /proc/zoneinfo)
[ "$b_reset" = 0 ] || vm_fail "node 1's boost was $b_reset pages right after rewriting vm.watermark_scale_factor, not 0"
vm_need_daemon
ctl_ok pause pause || vm_fail "reclaimctl pause: $(cat /tmp/ctl.out)"
taskset -p 2 "$(cat /tmp/reclaimd.pid)" >/dev/null
taskset -p 2 $$ >/dev/null
vm_watch_start
vm_cg_run boostlog taskset 2 /vm/bin/frag boostlog 20 1 >/tmp/scenario.boost
vm_cg_run vmstatlog taskset 2 /vm/bin/vmstatlog 10 pageoutrun compact_migrate_scanned compact_daemon_migrate_scanned compact_stall >/tmp/scenario.vmstatlog
# node 1's wake and run counters with the time, every ~100 ms: the monitor
# counts a wake when it asks, even while the node thread is busy.
# Each sample: the time before the question and after the answer, node
# 1's kernel-boost wakes, all its wakes (metric
# reclaimd_wakes_total{node="1"}), the monitor's whole reads of zoneinfo,
# where it sees boosts (monitor_zoneinfo_reads_total). The answer holds the counters at some
# moment between the two times (a 6.18 run: a sample stamped 2 ms after
# the run's end, after its answer, still showed the count before the
# run's own wake).
cat >/tmp/scenario.wakes.awk <<'AWK'
BEGIN { FS = "\t" }
{ n = split($1, k, ".") }
n == 3 && k[1] == "counters" && k[3] == "name" { nm[k[2]] = $2 }
n == 3 && k[1] == "counters" && k[3] == "value" { val[k[2]] = $2 }
n == 4 && k[1] == "counters" && k[3] == "labels" { lab[k[2] "," k[4]] = $2 }
END {
	for (i in nm) {
		if (nm[i] == "wakes_total" && lab[i ",node"] == "1") {
			f = 1
			all += val[i]
			if (lab[i ",reason"] == "kernel-boost")
				kb += val[i]
		}
		if (nm[i] == "monitor_zoneinfo_reads_total")
			zr = val[i]
	}
	if (f)
		print kb + 0, all + 0, zr + 0
}
AWK
vm_cg_run nodelog taskset 2 sh -c '. /vm/lib.sh
	while :; do
		t0=$(/vm/bin/frag now)
		wr=$(ctl --json stats 2>/dev/null | /vm/bin/jflat | awk -f /tmp/scenario.wakes.awk)
		t1=$(/vm/bin/frag now)
		[ -z "$wr" ] || echo "$t0 $t1 $wr"
	done' >/tmp/scenario.nodelog
sleep 1
[ -s /tmp/scenario.boost ] && [ -s /tmp/scenario.vmstatlog ] ||
	vm_fail "the samplers did not start (boostlog: $(head -c 200 /tmp/scenario.boost), vmstatlog: $(head -c 200 /tmp/scenario.vmstatlog)); stderr: $(tail -n 3 /tmp/scenario.stderr | tr '\n' ' ')"
node1() { # FILE KEY: nodes.1.KEY (node 1 is the second node)
	jget "$1" "nodes.1.$2"
}
ctl_json nodes >/tmp/scenario.nodes0 || vm_fail "reclaimctl --json nodes failed"
[ "$(node1 /tmp/scenario.nodes0 node)" = 1 ] || vm_fail "nodes[1] is not node 1"

# frag ptes is started, and moved into its cgroup, before the hold: it maps
# its slots and waits for SIGUSR1 to touch them. A move into a cgroup waits
# for an RCU grace period (cgroup_attach_lock()), and CPU 0, held by the
# spinner, can stall grace periods once its softirqs are left to the starved
# ksoftirqd/0: a 6.1 CI run started frag ptes inside the hold and it never
# reached its cgroup in 80 s (no process in it, nothing printed, no boost).
vm_cg_run frag/ptes taskset 2 $VM_LOCAL_WRAP /vm/bin/frag ptes 20000 >/tmp/scenario.ptes
vm_wait_until 20 grep -q ready /tmp/scenario.ptes ||
	vm_fail "frag ptes 20000 did not map its slots in 20 s (in its cgroup: $(for p in $(cat $CG/frag/ptes/cgroup.procs); do echo "$p $(cat /proc/$p/comm) $(cat /proc/$p/wchan)"; done | tr '\n' ' '); frag said: $(tr '\n' ' ' </tmp/scenario.ptes))"
ptes_pid=$(cat $CG/frag/ptes/cgroup.procs)
[ -n "$ptes_pid" ] && [ "$(cat /proc/$ptes_pid/comm)" = frag ] || vm_fail "frag ptes is not the process of its cgroup: '$ptes_pid'"

# The hold (the daemon is paused).
echo -1 >/proc/sys/kernel/sched_rt_runtime_us
# On 6.12+ CFS tasks (kswapd1) would get the fair server's runtime on CPU 0
# beside the spinner: checked, not assumed.
if [ -e $fs ]; then
	{ echo 0 >$fs; } 2>/tmp/scenario.fs ||
		vm_fail "cannot set CPU 0's fair server runtime to 0: $(cat /tmp/scenario.fs)"
	[ "$(cat $fs)" = 0 ] || vm_fail "CPU 0's fair server runtime reads $(cat $fs) after writing 0"
fi
taskset -p 1 $kp >/dev/null || vm_fail "cannot move kswapd1 to CPU 0"
# Not in a cgroup: an RT task outside the root cgroup needs RT group
# scheduling on some kernels. It ends by itself.
# ksoftirqd/0 runs above it (spin raises it to SCHED_FIFO 2 and gives it
# its policy back): with CPU 0's softirqs left to a starved ksoftirqd, RCU
# grace periods wait for CPU 0, and with them anything that waits for one.
# CPU 0's kworkers are raised too, but only when the daemon's node thread
# is found waiting in lru_add_drain_all() (below): that queues work on
# CPU 0 and waits for it, and a memory.reclaim or nodeN/reclaim write
# calls it at its last retry. In a 6.18 run the boosted run's second
# node1/reclaim write sat there until the hold ended, and no run ended in
# 15 s (reclaimd/n1: __flush_work __lru_add_drain_all
# user_proactive_reclaim reclaim_store). Raised from the start, the
# kworkers let the kernel's kswapd clear the boost within the hold in 2 of
# 22 runs (pageoutrun +1 at the clear, 0.4 and 0.6 s after the run); how
# is not known.
kworkers0=$(vm_pids_named 'kworker/0:*')
[ -n "$kworkers0" ] || vm_fail "no kworker/0:* thread"
taskset 1 /vm/bin/spin $HOLD_MAX_S $ksoftirqd0 -- $kworkers0 >/tmp/scenario.spin &
spin_pid=$!
vm_wait_until 5 grep -q running /tmp/scenario.spin || vm_fail "spin did not start: $(cat /tmp/scenario.spin)"
pageout0=$(vm_vmstat pageoutrun)
kill -USR1 $ptes_pid || vm_fail "cannot signal frag ptes ($ptes_pid) to touch its slots"
t_ptes=$(/vm/bin/frag now)
# About 1.7 s on 6.18, 6.12 and 6.1 with the move made before the hold.
# Made inside it, the same step took 15 s on an idle 6.18 guest and 4-6 s
# on 6.12 and 6.1: the move waited for the grace period. A fresh-clone CI
# run on a loaded host saw 6.1 not finish in 60 s beside an RCU stall on
# CPU 0. Up to 80 s, still inside the spinner's HOLD_MAX_S; the failure
# says what frag printed and where it waits.
vm_wait_until 80 grep -q holding /tmp/scenario.ptes ||
	vm_fail "frag ptes 20000 did not finish in 80 s (pid $ptes_pid $(cat /proc/$ptes_pid/wchan 2>/dev/null || echo gone) $(head -n 4 /proc/$ptes_pid/stack 2>/dev/null | tr '\n' ' '); frag said: $(tr '\n' ' ' </tmp/scenario.ptes); boost $(awk '{ printf "%s ", $2 }' /tmp/scenario.boost))"
ptes_ms=$(( ($(/vm/bin/frag now) - t_ptes) / 1000 ))
# The boost can still grow after frag holds: on 6.18 a CI run saw 512
# pages, resumed 1 s after the page tables were done (1.7 s, since they
# are made without the cgroup move), then 4608 after reclaimd's run, a
# second boost and a second run. Made inside the hold, the page tables
# took 15 s there and the boost had settled. So resume once the boost
# has stood unchanged for 3 s (boostlog prints changes only), 30 s at most.
boost_settled() {
	[ $(($(/vm/bin/frag now) - $(tail -n 1 /tmp/scenario.boost | cut -d' ' -f1))) -ge 3000000 ]
}
vm_wait_until 30 boost_settled ||
	vm_note "the boost was still changing 30 s after the page tables: $(awk '{ printf "%s ", $2 }' /tmp/scenario.boost)"
t_resume=$(/vm/bin/frag now)
echo 1 >$VM_TRACE/tracing_on
ctl_ok resume resume || vm_fail "reclaimctl resume: $(cat /tmp/ctl.out)"

# 2. The boosted runs on node 1 (their run_start carries a boost) that
# started after the resume, ended: one line each (start end boost
# end-reason reclaimed wake writes...). (The daemon may have paid a boost
# before the pause: the fill can raise one, and only the kernel's kswapd
# clears it, at the end of a run of its own.)
boosted_runs() {
	awk -F '\t' -v t0=$t_resume "$AWK_EV"'
		ev("node") + 0 != 1 || ev("time_usec") + 0 < t0 { next }
		ev("type") == "wake" && !s { w = ev("reason") }
		ev("type") == "run_start" && ev("boost_bytes") + 0 > 0 && !s { s = ev("time_usec"); b = ev("boost_bytes"); seq = ""; next }
		s && ev("type") == "write" { seq = seq " " ev("priority") ":" ev("swappiness") ":" ev("reclaimed_bytes") }
		s && ev("type") == "run_end" { print s, ev("time_usec"), b, ev("end"), ev("reclaimed_bytes"), w, seq; s = ""; w = "" }' /tmp/scenario.events >/tmp/scenario.runs
	[ -s /tmp/scenario.runs ]
}
# Wait up to 15 s for the first boosted run to end; once, if the node
# thread waits in lru_add_drain_all() (see above), raise CPU 0's kworkers
# and give it 15 s more.
n1_in_drain() {
	local t
	for t in /proc/$(cat /tmp/reclaimd.pid)/task/*; do
		[ "$(cat $t/comm 2>/dev/null)" = reclaimd/n1 ] && grep -q lru_add_drain_all $t/stack 2>/dev/null && return 0
	done
	return 1
}
drain_raised=
i=0
while ! boosted_runs && [ $i -lt 30 ]; do
	if [ -z "$drain_raised" ] && [ $i -ge 6 ] && n1_in_drain; then
		kill -USR1 $spin_pid
		drain_raised=$i
		i=0
		vm_note "reclaimd/n1 waited in lru_add_drain_all() for CPU 0's work $((drain_raised / 2)) s into the wait: CPU 0's kworkers raised ($(grep raised /tmp/scenario.spin))"
	fi
	sleep 0.5
	i=$((i + 1))
done
ctl_json nodes >/tmp/scenario.nodes1 || vm_fail "reclaimctl --json nodes failed"
ctl_json stats >/tmp/scenario.stats || vm_fail "reclaimctl --json stats failed"
ticks1=$(vm_stat monitor_zoneinfo_reads_total)
boost_max=$(awk '$2 > m { m = $2 } END { print m + 0 }' /tmp/scenario.boost)
[ "$boost_max" -gt 0 ] || vm_fail "the kernel raised no boost on node 1 (zoneinfo boost 0 in every 20 ms sample; ptes: $(cat /tmp/scenario.ptes); node 1 free 2 MiB blocks before: $big1)"
read -r r_start r_end r_boost r_reason r_reclaimed r_wake r_seq </tmp/scenario.runs
[ -n "$r_start" ] || vm_fail "the kernel boosted node 1 (up to $boost_max pages) but no reclaimd run with a boost ended within 15 s of the resume: $(vm_events 'ev("node") + 0 == 1' | tail -n 5 | tr '\t\n' ' ;') threads: $(vm_threads "$(cat /tmp/reclaimd.pid)")"
vm_note "frag ptes took $ptes_ms ms; kernel boost on node 1 (pages, as sampled): $(awk '{ printf "%s ", $2 }' /tmp/scenario.boost)"

# 3. Paid once: wait for the hold to end, looking at what the monitor did
# meanwhile while the boost stood.
sleep $WINDOW_S
t_hold=$(/vm/bin/frag now)
kill $spin_pid
wait $spin_pid
spin_pid=
ctl_json nodes >/tmp/scenario.nodes2 || vm_fail "reclaimctl --json nodes failed"
ctl_json stats >/tmp/scenario.stats || vm_fail "reclaimctl --json stats failed"
ticks2=$(vm_stat monitor_zoneinfo_reads_total)
vm_cg_kill nodelog
t_nl=$(/vm/bin/frag now)
# Every boosted run that ended within the hold. On 6.18 the kernel can
# raise a new boost after a run (512, then 1024 or 4608 pages, from 0.7 s
# after it; whatever of the guest allocated unmovable memory on node 1,
# where the free pages left are in movable blocks), and a second run
# paying the new boost is right. So each run's paid boost stands from its
# end until the boost first changes (boostlog prints changes only): to a
# new boost, or to 0 when the kernel's kswapd clears it after the hold; or
# it was still standing when node 1's counters stopped being sampled.
boosted_runs
awk -v t=$t_hold '$2 < t' /tmp/scenario.runs >/tmp/scenario.runs.hold
nruns=$(wc -l </tmp/scenario.runs.hold)
r_last_end=$(awk '{ e = $2 } END { print e }' /tmp/scenario.runs.hold)
pageout_hold=$(($(vm_vmstat_at $r_last_end) - pageout0))
vm_events 'ev("node") + 0 == 1 && ev("type") == "run_start" && ev("boost_bytes") + 0 > 0' |
	awk -F '\t' "$AWK_EV"'{ print ev("time_usec") }' >/tmp/scenario.bstarts
# One line per run: end, paid pages (p0 and the runs' so far), zoneinfo
# boost at its end, the time
# of the first change after it (or of the end of sampling), the boost it
# changed to (- if none), how long it stood (ms), then node 1's samples
# while it stood (asked after the run's end, answered 100 ms before the
# change, which the monitor may see first): count, span (ms), first and
# last kernel-boost wake count, wakes of any reason between them; and the
# boosted runs that started meanwhile (to the
# same 100 ms before the change).
# A run pays the boost not yet paid (balance_kernel_boost_unpaid(): the
# zone's boost less what earlier runs paid), so after each run the zone
# shows what was paid before the resume (p0: 0, or a boost the daemon paid
# before the pause) plus what the runs since paid.
p0=
cum=0
while read -r s e b rest; do
	p=$((b / 4096))
	cum=$((cum + p))
	at=$(awk -v t=$e '$1 <= t { v = $2 } END { print v + 0 }' /tmp/scenario.boost)
	[ -n "$p0" ] || p0=$((at - p))
	paid=$((p0 + cum))
	set -- $(awk -v t=$e -v p=$paid '$1 > t && $2 != p { print $1, $2; exit }' /tmp/scenario.boost)
	c=${1:-$t_nl} to=${2:--}
	nl=$(awk -v a=$e -v b=$((c - 100000)) '$1 > a && $2 < b && $5 != "" { if (!n++) { t0 = $2; w0 = $3; a0 = $4; z0 = $5 } t1 = $2; w1 = $3; a1 = $4; z1 = $5 }
		END { printf "%d %d %s %s %s %s", n, (t1 - t0) / 1000, (n ? w0 : "-"), (n ? w1 : "-"), (n ? a1 - a0 : "-"), (n ? z1 - z0 : 0) }' /tmp/scenario.nodelog)
	st=$(awk -v a=$e -v b=$((c - 100000)) '$1 >= a && $1 < b { n++ } END { print n + 0 }' /tmp/scenario.bstarts)
	echo "$e $paid $at $c $to $(((c - e) / 1000)) $nl $st"
done </tmp/scenario.runs.hold >/tmp/scenario.paid
vm_note "boosted runs within the hold: $nruns (start end boost end-reason reclaimed wake writes prio:swappiness:reclaimed): $(tr '\n' ';' </tmp/scenario.runs.hold)"
vm_note "node 1 boost after the reset before the daemon's start: $b_reset pages; paid before the resume: ${p0:-?} pages; each paid boost (end paid at-end changed-at changed-to stood-ms samples span-ms kernel-boost-wakes-first kernel-boost-wakes-last wakes-any-reason zoneinfo-reads boosted-starts): $(tr '\n' ';' </tmp/scenario.paid); monitor reads of the whole of zoneinfo over the hold after the first run +$((ticks2 - ticks1))"
# The longest stand: the paid-once checks need one at least 1 s long.
read -r l_e l_p l_at l_c l_to l_ms l_n l_span l_w0 l_w1 l_any l_zr l_st <<EOF2
$(sort -k6,6n /tmp/scenario.paid | tail -n 1)
EOF2

# 4. The compaction.
compacted() {
	[ -n "$(vm_events 'ev("node") + 0 == 1 && ev("type") == "compact"')" ]
}
vm_wait_until 20 compacted
ctl_json nodes >/tmp/scenario.nodes3 || vm_fail "reclaimctl --json nodes failed"
sleep 1
echo 0 >$VM_TRACE/tracing_on
cat $VM_TRACE/trace >/tmp/scenario.trace
overrun=$(vm_trace_lost)
vm_cg_kill boostlog
vm_cg_kill vmstatlog
vm_watch_stop
boosted_runs
nruns_all=$(wc -l </tmp/scenario.runs)
cev=$(vm_events 'ev("node") + 0 == 1 && ev("type") == "compact"' | head -n 1)
c_time=$(echo "$cev" | awk -F '\t' "$AWK_EV"'{ print ev("time_usec") }')
c_reason=$(echo "$cev" | awk -F '\t' "$AWK_EV"'{ print ev("reason") }')
c_result=$(echo "$cev" | awk -F '\t' "$AWK_EV"'{ print ev("result") }')
# The scans to 500 ms after the event, which is stamped after the write
# returned: vmstatlog prints a sample only when a counter changed, so the
# last one before a time is the value then only if vmstatlog read the file
# between the write and that time. 20 ms was too short under TCG (a 6.12
# CI run: +16408 for both, the write's scan not yet sampled). The stall to
# 20 ms after it, as before: direct compaction later is not the write's.
c_win=$((c_time + 500000))
ms=$(($(vm_vmstat_at $c_win 3) - $(vm_vmstat_at $r_end 3)))
ds=$(($(vm_vmstat_at $c_win 4) - $(vm_vmstat_at $r_end 4)))
stall=$(($(vm_vmstat_at $((c_time + 20000)) 5) - $(vm_vmstat_at $r_end 5)))
cb=$(node1 /tmp/scenario.nodes3 counters.compactions_boost)
# The trace: the daemon's compaction thread (its tid), what it scanned and
# where; the tasks that compacted directly (try_to_compact_pages), by name.
kcomp=
for t in /proc/$(cat /tmp/reclaimd.pid)/task/*; do
	[ "$(cat $t/comm 2>/dev/null)" = reclaimd/kcomp ] && kcomp=${t##*/}
done
[ -n "$kcomp" ] || vm_fail "no reclaimd/kcomp thread: $(vm_threads "$(cat /tmp/reclaimd.pid)")"
# node 1's lowest pfn: the start_pfn of its first populated zone.
n1_pfn=$(awk '$1 == "Node" { n = ($2 == "1,") } n && $1 == "start_pfn:" && $2 > 0 && (m == "" || $2 < m) { m = $2 } END { print m }' /proc/zoneinfo)
# "TASK-PID [CPU] FLAGS TIME: mm_compaction_isolate_migratepages: range=(0xA ~ 0xB) nr_scanned=N nr_taken=M"
sed -n 's/^ *\(.*\)-\([0-9]*\) *\[[0-9]*\].* mm_compaction_isolate_migratepages: range=(0x\([0-9a-f]*\) ~ 0x\([0-9a-f]*\)) nr_scanned=\([0-9]*\).*/\2 \3 \4 \5 \1/p' \
	/tmp/scenario.trace >/tmp/scenario.isolate
k_scanned=0 k_blocks=0 k_below=0 o_scanned=0
while read -r pid a b n comm; do
	if [ "$pid" = "$kcomp" ]; then
		if [ $((0x$a)) -ge "$n1_pfn" ]; then
			k_scanned=$((k_scanned + n))
			k_blocks=$((k_blocks + 1))
		else
			k_below=$((k_below + 1))
		fi
	else
		o_scanned=$((o_scanned + n))
	fi
done </tmp/scenario.isolate
others=$(awk -v k="$kcomp" '$1 != k { $1 = $2 = $3 = $4 = ""; sub("^ *", ""); print }' /tmp/scenario.isolate |
	sort | uniq -c | tr '\n' ' ')
# The same thread compacts every node: a boost paid on node 0 meanwhile
# has its own compact event.
cev0=$(vm_events 'ev("node") + 0 == 0 && ev("type") == "compact"' | tr '\t\n' ' ;' | cut -c1-600)
direct=$(sed -n 's/^ *\(.*\)-[0-9]* *\[[0-9]*\].* mm_compaction_try_to_compact_pages: \(order=[0-9]*\).*/\1 \2/p' /tmp/scenario.trace |
	sort | uniq -c | tr '\n' ';')
vm_note "compact event: reason $c_reason, result $c_result, $(( (c_time - r_end) / 1000 )) ms after the run; compact_migrate_scanned +$ms (kcompactd's +$ds), compact_stall +$stall; compactions_boost $cb; boost at the end $(awk '{ b = $2 } END { print b }' /tmp/scenario.boost) pages"
vm_note "trace from the resume: reclaimd/kcomp ($kcomp) scanned $k_scanned pages of node 1 in $k_blocks isolations, and $k_below isolations below node 1's first pfn $n1_pfn (node 0's compact events: ${cev0:-none}); others scanned $o_scanned pages (isolations by task name: ${others:-none}); direct compaction (try_to_compact_pages by task): ${direct:-none}; trace events lost $overrun"

# The verdicts, in the order above.
[ "$nruns" -ge 1 ] || vm_fail "the first boosted run ended after the hold: $(cat /tmp/scenario.runs)"
ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
sw_arg=$(jget /tmp/scenario.status features.reclaim_swappiness)
while read -r q_start q_end q_boost q_reason q_reclaimed q_wake q_seq; do
	# Boosted reclaim does not swap: swappiness=0 on every write where the
	# kernel takes swappiness= (6.8+); 6.1's memory.reclaim has none (the
	# event says null, status features.reclaim_swappiness false).
	for w in $q_seq; do
		sw=$(echo "$w" | cut -d: -f2)
		[ "$sw" = 0 ] || { [ "$sw_arg" = false ] && [ "$sw" = null ]; } ||
			vm_fail "a write of a boosted run had swappiness $sw (features.reclaim_swappiness $sw_arg):$q_seq"
	done
	[ "$q_wake" = kernel-boost ] || vm_fail "the wake before a boosted run says '$q_wake', not kernel-boost"
	[ "$q_reason" = balanced ] || vm_fail "a boosted run ended $q_reason, not balanced (reclaimed $q_reclaimed of a $q_boost-byte boost)"
	[ "$q_reclaimed" -ge "$q_boost" ] || vm_fail "a boosted run reclaimed $q_reclaimed bytes, less than its boost $q_boost"
done </tmp/scenario.runs.hold
# What was paid before the resume: nothing (boosts cleared before the
# daemon started, the daemon paused from its start, and the monitor, which
# goes on while paused, lowers what it counts as paid to the boost it
# sees). Only a run in the moment between the start and the pause could
# have paid something: the boost as the samplers first saw it, no more.
runs0=$(node1 /tmp/scenario.nodes0 counters.runs)
[ "$p0" = 0 ] || { [ "${runs0:-0}" -gt 0 ] && [ "$p0" = "$(head -n 1 /tmp/scenario.boost | cut -d' ' -f2)" ]; } ||
	vm_fail "the first boosted run paid $((r_boost / 4096)) pages and the zone then showed $((p0 + r_boost / 4096)): it did not pay the boost (runs before the resume: ${runs0:-?}; boost as sampled: $(awk '{ printf "%s ", $2 }' /tmp/scenario.boost))"
[ "$pageout_hold" = 0 ] || vm_fail "the kernel's kswapd ran $pageout_hold times before reclaimd's last boosted run in the hold ended: the hold failed"
while read -r p_e p_p p_at p_c p_to p_ms p_n p_span p_w0 p_w1 p_any p_zr p_st; do
	[ "$p_at" = "$p_p" ] || vm_fail "zoneinfo boost after a run was $p_at pages (paid $p_p, $p0 of them before the resume): not the boost that was paid"
	[ "$p_w0" = "$p_w1" ] || vm_fail "node 1 was woken $((p_w1 - p_w0)) times for kernel-boost while zoneinfo still showed the $p_p-page boost it had paid: paid again (node 1's events then: $(vm_events 'ev("node") + 0 == 1 && ev("time_usec") + 0 > '"$p_e"' && ev("time_usec") + 0 < '"$p_c" | tr '\t\n' ' ;' | cut -c1-1500); samples (asked, answered, kernel-boost wakes, all wakes): $(awk -v a=$p_e -v b=$p_c '$2 > a && $1 < b' /tmp/scenario.nodelog | tr '\n' ';' | cut -c1-1200))"
	[ "$p_st" = 0 ] || vm_fail "$p_st runs on node 1 started with a boost while the paid $p_p-page boost stood: $(vm_events 'ev("node") + 0 == 1 && ev("type") == "run_start"' | tr '\t\n' ' ;')"
done </tmp/scenario.paid
# A paid boost forgotten is woken for at the first whole read of zoneinfo
# that shows it (16 wakes in 7.4 s on 6.12 when it was): three such reads
# between the samples taken while it stood are enough to tell. The kernel's
# own kswapd, held off CPU 0, has still cleared the boost within the hold
# now and then (938 ms after the run in a 6.12 CI run, pageoutrun +1),
# which a fixed 1 s required of the stand did not survive.
[ "$l_n" -ge 2 ] && [ "$l_zr" -ge 3 ] || vm_fail "the longest paid boost stood $l_ms ms (then ${l_to} pages), with $l_n samples of node 1's counters over $l_span ms and $l_zr whole reads of zoneinfo by the monitor between them: too few to show it was not paid twice (pageoutrun at the run's end $(vm_vmstat_at $l_e), 100 ms after the change $(vm_vmstat_at $((l_c + 100000))), at the end $(vm_vmstat_at 99999999999999999); the spinner said: $(tr '\n' ' ' </tmp/scenario.spin))"
[ $((ticks2 - ticks1)) -ge 5 ] || vm_fail "the monitor read the whole of zoneinfo only $((ticks2 - ticks1)) times over the hold after the first run"
[ -n "$cev" ] || vm_fail "no compact event on node 1 within 20 s of the hold's end"
[ "$c_reason" = boost ] && [ "$c_result" = ok ] || vm_fail "compact event reason $c_reason result $c_result (want boost, ok)"
[ "$c_time" -gt "$r_end" ] || vm_fail "the compact event came before the boosted run ended"
# One compaction a minute per node at most (compact.h), whatever the
# number of boosted runs.
[ "$cb" = 1 ] || vm_fail "counters.compactions_boost is $cb on node 1, want 1 ($nruns_all boosted runs)"
ctl_json stats >/tmp/scenario.stats || vm_fail "reclaimctl --json stats failed"
mcb=$(vm_stat compactions_total node=1 reason=boost)
[ "$mcb" = 1 ] || vm_fail "metric reclaimd_compactions_total{node=\"1\",reason=\"boost\"} is ${mcb:-absent}, want 1 (nodes says $cb)"
[ "$overrun" = 0 ] || vm_fail "the compaction trace lost $overrun events: the sums below would be short"
[ "$k_scanned" -gt 0 ] || vm_fail "reclaimd/kcomp ($kcomp) scanned no page in the trace (others scanned $o_scanned: ${others:-none}): the node1/compact write scanned nothing"
[ "$k_below" = 0 ] || [ -n "$cev0" ] ||
	vm_fail "reclaimd/kcomp scanned $k_below ranges below node 1's first pfn $n1_pfn, with no compact event on node 0"
vm_pass "kernel boost on node 1 up to $boost_max pages; $nruns run(s) in the hold, the first paid $r_boost bytes (reclaimed $r_reclaimed, write swappiness $(for w in $r_seq; do echo "$w" | cut -d: -f2; done | sort -u | tr "\n" " ")ended balanced); the longest paid boost ($l_p pages) stood $l_ms ms, node 1 kernel-boost wakes +0 (any reason +$l_any) over $l_span ms of it and $l_zr whole reads of zoneinfo; compactions_boost $cb; compact reason boost ok; reclaimd/kcomp scanned $k_scanned pages of node 1 (others $o_scanned; direct compaction: ${direct:-none})"
