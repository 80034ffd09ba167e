# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of bench/app/run, copied to the data disk as guest/main.sh and
# run by the image's reclaimd-vmtest.service (Debian 12, systemd) once the
# system is up; stdout goes to ttyS1. Installs reclaimd from its .deb, starts
# redis (app.slice) and fills it, then runs every configuration ROUNDS times,
# interleaved, with the page-cache stream (stream.slice) and stress-ng
# allocation bursts (burst.slice) as pressure, and guest/rget
# (bench/app/rget.c) reading the hot keys at a fixed rate. The raw results
# go as a tar.gz onto the third disk (vdc).
#
# Configurations (labels):
#   kernel    no daemon, the kernel's defaults
#   reclaimd  systemctl start reclaimd (the package's defaults)
#   wsf       vm.watermark_scale_factor tuned to reclaimd's average free memory
#   damon1    DAMON_RECLAIM, the example of its documentation (min_age 30 s,
#             quota_sz 1 GiB per 1 s, quota_ms 10), watermarks at reclaimd's free memory
#   damon2    DAMON_RECLAIM, min_age 5 s, quota_ms 100, same watermarks
#   damon3    DAMON_RECLAIM, min_age 1 s, quota_ms 100, same watermarks
#             (not in bench/app/run's default list: --configs)
#   damos     DAMON_RECLAIM's scheme set up through DAMON's sysfs interface
#             (/sys/kernel/mm/damon/admin): paddr over the same range,
#             pageout of regions with no access for 5 s or more, the same
#             quotas, weights and watermarks as damon2. The module on
#             Debian's 6.12 tried nothing with 1.3-2 GiB qualifying
#             (docs/benchmarks.md), most likely because it stages its
#             scheme on the running context and then commits a parameter
#             context without one (fixed upstream by "mm/damon/reclaim: use
#             parameter context correctly", 2025); this is the module's
#             rule without the module.
#   unpressured  the stream reads with O_DIRECT (no page cache), the same
#             bursts: the same CPU competition, memory to spare
#   reclaimdb the daemon of a second package (data disk b/*.deb, another
#             build) under the first package's unit and configuration: a
#             systemd drop-in sets ExecStart= (bench/app/run --deb-b)
#   reclaimd_NAME  reclaimd with the data disk's variants/NAME as the
#             drop-in /etc/reclaimd/reclaimd.conf.d/50-bench.conf
#             (bench/app/run --variant NAME=TEXT)
# Each DAMON run also traces two seconds of DAMON's aggregations after its
# window (tracepoint damon:damon_aggregated): how much of the monitored
# memory was unaccessed, and for how long (runs/LABEL.damontrace).
#
# Every configuration starts from the same state: the swap emptied
# (swapoff/swapon: redis' pages a previous run swapped out come back first,
# not during the window) and transparent huge pages at `madvise` for the
# whole boot (with `always` the bursts got huge pages only when memory was
# free: the unpressured runs were not the same work).
# PROFILE=1 (bench/app/run --profile): each window under perf record.
# TRACE=1 (bench/app/run --trace): each window under the scheduler's
# tracepoints (trace_start()).
TAG=APP OUT=/tmp/appbench
TR=/sys/kernel/tracing # tracefs: damon_trace() and --trace
. /mnt/vmtest/guest/common.sh
DR=/sys/module/damon_reclaim/parameters
DA=/sys/kernel/mm/damon/admin
DK=$DA/kdamonds/0
DS=$DK/contexts/0/schemes/0
# The aggregation interval of damos_on's context, DAMON_RECLAIM's default:
# ages are counted in it.
DAMOS_AGGR_US=100000

# snap: counters at one instant, "key value" lines.
snap() {
	echo "uptime $(cut -d' ' -f1 /proc/uptime)"
	awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^total=/) { v = $i; sub("total=", "", v); print "psi_" $1 "_us", v } }' /proc/pressure/memory
	awk '$1 ~ /^(pgscan_kswapd|pgsteal_kswapd|pgscan_direct|pgsteal_direct|pswpin|pswpout|pgmajfault|pageoutrun|workingset_refault_anon|workingset_refault_file|pgscan_khugepaged|pgsteal_khugepaged|pgmigrate_success|compact_migrate_scanned|compact_free_scanned|compact_stall|compact_daemon_wake|numa_hint_faults|numa_pages_migrated|numa_pte_updates)$/ { print }
	     $1 ~ /^allocstall_/ { as += $2 } END { print "allocstall", as }' /proc/vmstat
	k=0
	for p in $(pgrep '^kswapd'); do
		k=$((k + $(awk '{ print $14 + $15 }' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo "kswapd_ticks $k"
	# The kernel's compaction threads: kswapd wakes kcompactd after a
	# boosted run (the kernel's fragmentation work), which reclaimd's own
	# compaction thread (reclaimd/kcomp, in its cgroup) does in its place.
	k=0
	for p in $(pgrep '^kcompactd'); do
		k=$((k + $(awk '{ print $14 + $15 }' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo "kcompactd_ticks $k"
	k=0
	for p in $(pgrep '^kdamond'); do
		k=$((k + $(awk '{ print $14 + $15 }' /proc/$p/stat 2>/dev/null || echo 0)))
	done
	echo "kdamond_ticks $k"
	echo "reclaimd_usec $(awk '$1 == "usage_usec" { print $2 }' $CG/system.slice/reclaimd.service/cpu.stat 2>/dev/null || echo 0)"
	# Each reclaimd thread's run time (schedstat, ns), by its name with
	# "/" as "_": the event loop ("reclaimd"), the node threads
	# ("reclaimd_n0"), compaction, offload. Which part of the daemon's CPU
	# is whose, where a sampled profile has too few samples to say.
	# With each thread's wakeups (voluntary context switches) and read
	# and write calls (io: syscr, syscw, rchar): what it spends them on.
	for t in /proc/$(pgrep -xo reclaimd 2>/dev/null || echo none)/task/*; do
		[ -r $t/schedstat ] || continue
		n=$(tr "/ " "__" <$t/comm)
		echo "thread_${n}_ns $(cut -d' ' -f1 $t/schedstat)"
		awk -v n=$n '$1 == "voluntary_ctxt_switches:" { print "thrwake_" n, $2 }' $t/status
		awk -v n=$n '$1 ~ /^(syscr|syscw|rchar):$/ { sub(":", "", $1); print "thr" $1 "_" n, $2 }' $t/io
	done 2>/dev/null | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }'
	# The daemon's own counters of what its threads did (summed over
	# labels): which work the threads' time went to.
	reclaimctl --json stats 2>/dev/null | python3 -c '
import json, sys
want = ("monitor_ticks_total", "monitor_zoneinfo_reads_total", "cgroup_rescans_total", "psi_events_total", "snapshots_total",
        "passes_total", "actuator_writes_total", "actuator_cgroup_reads_total",
        "actuator_guard_reads_total", "actuator_censuses_total", "wakes_total", "runs_total",
        "actuator_quota_waits_total", "actuator_quota_waits_cut_total", "actuator_quota_exempt_total",
        "actuator_quota_wait_seconds_total")
s = {}
try:
    for c in json.load(sys.stdin).get("counters", []):
        if c.get("name") == "pcp_share_permille":
            # A gauge per node: the share of the per-CPU list room asked.
            s["pcp_share_permille_n%s" % (c.get("labels") or {}).get("node", "?")] = c.get("value") or 0
        if c.get("name") in want:
            # Seconds as milliseconds: the values are printed whole.
            k, v = c["name"], c.get("value") or 0
            if k.endswith("_seconds_total"):
                k, v = k.replace("_seconds_total", "_ms_total"), v * 1000
            s[k] = s.get(k, 0) + v
except ValueError:
    pass
for k, v in sorted(s.items()):
    print("stat_%s %d" % (k, v))' 2>/dev/null
	# All reclaim, every path (the root memcg's memory.stat): what
	# memory.reclaim writes took is this less kswapd's, direct reclaim's and
	# khugepaged's.
	awk '$1 == "pgsteal" || $1 == "pgscan" { print "root_" $1, $2 }' $CG/memory.stat
	# DAMON's reclaim through either interface: the module's counters, and
	# the sysfs scheme's while one is set up (damos).
	local dr dt
	dr=$(cat $DR/bytes_reclaimed_regions 2>/dev/null || echo 0)
	dt=$(cat $DR/bytes_reclaim_tried_regions 2>/dev/null || echo 0)
	if [ -d $DS ]; then
		echo update_schemes_stats >$DK/state 2>/dev/null
		dr=$((dr + $(cat $DS/stats/sz_applied)))
		dt=$((dt + $(cat $DS/stats/sz_tried)))
	fi
	echo "damon_reclaimed $dr"
	echo "damon_tried $dt"
	# redis' own major faults (its text and libraries read back) and its
	# cgroup's refaults: what reclaim took from redis and had to return.
	echo "redis_majflt $(awk '{ print $12 }' /proc/$(pgrep -x redis-server | head -n1)/stat 2>/dev/null || echo 0)"
	awk '$1 ~ /^workingset_refault_(anon|file)$/ { print "app_" $1, $2 }' $CG/app.slice/memory.stat
	echo "redis_rss_kb $(awk '/^VmRSS:/ { print $2 }' /proc/$(pgrep -x redis-server | head -n1)/status 2>/dev/null || echo 0)"
	echo "redis_swap_kb $(awk '/^VmSwap:/ { print $2 }' /proc/$(pgrep -x redis-server | head -n1)/status 2>/dev/null || echo 0)"
	echo "stream_chunks $(stat -c %s /run/bench-stream.chunks 2>/dev/null || echo 0)"
	echo "memfree_kb $(meminfo MemFree)"
	echo "cached_kb $(meminfo Cached)"
}

# Every second, one line (bench/app/harness.py says which figures): one
# Python process, where a shell loop forked awk, cat and sleep each second.
sampler() { exec python3 $D/guest/harness.py sample /tmp/phase; }

# stream_start FLAG: "" for the page cache, "direct" for O_DIRECT. 16 MiB
# reads with a 0.5 s pause, at most 32 MiB/s (harness.py stream).
stream_start() {
	systemd-run -q --unit=bench-stream --slice=stream.slice \
		python3 $D/guest/harness.py stream /var/tmp/stream.sparse $((STREAM_MIB)) $1
}
stream_stop() { systemctl stop bench-stream.service 2>/dev/null; }

# --- the configurations: cfg_on CONFIG, cfg_off CONFIG
cfg_on() {
	case "$1" in
	kernel) ;;
	reclaimd)
		reclaimd_start
		;;
	reclaimdb)
		reclaimdb_start
		;;
	reclaimd_*)
		mkdir -p /etc/reclaimd/reclaimd.conf.d
		cp "$D/variants/${1#reclaimd_}" /etc/reclaimd/reclaimd.conf.d/50-bench.conf || return 1
		cp /etc/reclaimd/reclaimd.conf.d/50-bench.conf $OUT/runs/$LABEL.dropin
		reclaimd_start
		;;
	wsf) sysctl -q -w vm.watermark_scale_factor=$WSF ;;
	damon1 | damon2 | damon3)
		echo N >$DR/enabled
		case "$1" in
		damon1) echo 30000000 >$DR/min_age && echo 10 >$DR/quota_ms ;;
		damon2) echo 5000000 >$DR/min_age && echo 100 >$DR/quota_ms ;;
		damon3) echo 1000000 >$DR/min_age && echo 100 >$DR/quota_ms ;;
		esac
		echo $((1 << 30)) >$DR/quota_sz
		echo 1000 >$DR/quota_reset_interval_ms
		echo $DAMON_HIGH >$DR/wmarks_high
		echo $DAMON_MID >$DR/wmarks_mid
		echo $DAMON_LOW >$DR/wmarks_low
		echo Y >$DR/enabled
		;;
	damos) damos_on 5000000 100 ;;
	unpressured)
		stream_stop
		sync
		echo 3 >/proc/sys/vm/drop_caches
		stream_start direct
		;;
	*) return 1 ;;
	esac
}

# damos_on MIN_AGE_US QUOTA_MS: DAMON_RECLAIM's scheme through DAMON's sysfs
# interface: one kdamond, one paddr context over the module's default range
# (the largest System RAM resource), the module's monitoring attributes,
# one pageout scheme with its access pattern (no access, at least MIN_AGE_US
# old), quotas (QUOTA_MS a second, 1 GiB a second), weights (age only) and
# this round's watermarks (free memory rate, 5 s checks).
damos_on() {
	local c=$DK/contexts/0 start end r s e best=0
	start=$(cat $DR/monitor_region_start) end=$(cat $DR/monitor_region_end)
	if [ "$start" = 0 ] && [ "$end" = 0 ]; then
		# The module fills these in when it starts; before, the largest
		# System RAM range of /proc/iomem (as the module picks it; the
		# module's end is the range's last byte, this one past it).
		for r in $(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1:\2/p' /proc/iomem); do
			s=$((0x${r%:*})) e=$((0x${r#*:} + 1))
			[ $((e - s)) -gt "$best" ] && best=$((e - s)) start=$s end=$e
		done
	fi
	echo 1 >$DA/kdamonds/nr_kdamonds
	echo 1 >$DK/contexts/nr_contexts
	echo paddr >$c/operations
	echo 5000 >$c/monitoring_attrs/intervals/sample_us
	echo $DAMOS_AGGR_US >$c/monitoring_attrs/intervals/aggr_us
	echo 10 >$c/monitoring_attrs/nr_regions/min
	echo 1000 >$c/monitoring_attrs/nr_regions/max
	echo 1 >$c/targets/nr_targets
	echo 1 >$c/targets/0/regions/nr_regions
	echo "$end" >$c/targets/0/regions/0/end
	echo "$start" >$c/targets/0/regions/0/start
	echo 1 >$c/schemes/nr_schemes
	echo pageout >$DS/action
	echo 4096 >$DS/access_pattern/sz/min
	echo 18446744073709551615 >$DS/access_pattern/sz/max
	echo 0 >$DS/access_pattern/nr_accesses/min
	echo 0 >$DS/access_pattern/nr_accesses/max
	echo $(($1 / DAMOS_AGGR_US)) >$DS/access_pattern/age/min
	echo 4294967295 >$DS/access_pattern/age/max
	echo "$2" >$DS/quotas/ms
	echo $((1 << 30)) >$DS/quotas/bytes
	echo 1000 >$DS/quotas/reset_interval_ms
	echo 0 >$DS/quotas/weights/sz_permil
	echo 0 >$DS/quotas/weights/nr_accesses_permil
	echo 1 >$DS/quotas/weights/age_permil
	echo free_mem_rate >$DS/watermarks/metric
	echo 5000000 >$DS/watermarks/interval_us
	echo $DAMON_HIGH >$DS/watermarks/high
	echo $DAMON_MID >$DS/watermarks/mid
	echo $DAMON_LOW >$DS/watermarks/low
	echo on >$DK/state
}
damos_off() {
	echo update_schemes_stats >$DK/state 2>/dev/null
	{
		echo "range $(cat $DK/contexts/0/targets/0/regions/0/start)-$(cat $DK/contexts/0/targets/0/regions/0/end)"
		echo "min_age_aggregations $(cat $DS/access_pattern/age/min) quota_ms $(cat $DS/quotas/ms)"
		echo "wmarks high $(cat $DS/watermarks/high) mid $(cat $DS/watermarks/mid) low $(cat $DS/watermarks/low)"
		for f in $DS/stats/*; do echo "$(basename $f) $(cat $f)"; done
	} >$OUT/runs/$LABEL.damon 2>&1
	echo off >$DK/state
	echo 0 >$DA/kdamonds/nr_kdamonds
}
cfg_off() {
	case "$1" in
	reclaimd)
		reclaimd_stop
		;;
	reclaimdb)
		reclaimdb_stop
		;;
	reclaimd_*)
		reclaimd_stop
		rm -f /etc/reclaimd/reclaimd.conf.d/50-bench.conf
		;;
	wsf) sysctl -q -w vm.watermark_scale_factor=10 ;;
	damon1 | damon2 | damon3)
		for f in $DR/*; do echo "$(basename $f) $(cat $f 2>/dev/null)"; done >$OUT/runs/$LABEL.damon
		echo N >$DR/enabled
		;;
	damos) damos_off ;;
	unpressured)
		stream_stop
		stream_start ""
		;;
	esac
}

# swap_empty: every swapped page back in, the zram device empty again.
swap_empty() {
	_t=$(date +%s) _kb=$(($(meminfo SwapTotal) - $(meminfo SwapFree)))
	if ! swapoff /dev/$ZDEV || ! swapon /dev/$ZDEV; then
		# Without swap every later run would differ: stop, as swap_zram does.
		say "swap_empty: swapoff/swapon /dev/$ZDEV failed: stopping"
		save
		echo DONE
		exit 1
	fi
	echo "$LABEL swapped_kb $_kb seconds $(($(date +%s) - _t))" >>$OUT/swap-empty.txt
}

# damon_trace CONFIG: two seconds of DAMON's aggregations, the module's or
# the sysfs scheme's (tracepoint
# damon:damon_aggregated, one line a region an aggregation: its physical
# range, nr_accesses, age in aggregations), summed up by bytes: how much
# of the monitored memory had no access in an aggregation and how old
# such regions were, against the run's min_age. Why DAMON_RECLAIM tried
# nothing in earlier boots (nr_reclaim_tried_regions 0) is in there.
damon_trace() {
	local t=$TR ev
	[ -d $t/events ] || t=/sys/kernel/debug/tracing
	ev=$t/events/damon/damon_aggregated/enable
	if [ ! -e $ev ]; then
		echo "no tracepoint damon:damon_aggregated under $t" >$OUT/runs/$LABEL.damontrace
		return 0
	fi
	echo trace >/tmp/phase
	# Whether DAMON_RECLAIM was active at all: its watermarks against free
	# memory (per mille of MemTotal), its thread.
	local min_age_us aggr_us kd
	if [ "$1" = damos ]; then
		aggr_us=$DAMOS_AGGR_US kd=$(cat $DK/pid)
		min_age_us=$(($(cat $DS/access_pattern/age/min) * aggr_us))
	else
		min_age_us=$(cat $DR/min_age) kd=$(cat $DR/kdamond_pid)
		aggr_us=$(cat $DR/aggr_interval 2>/dev/null || echo $DAMOS_AGGR_US)
	fi
	echo "free_permille $(awk '$1 == "MemTotal:" { t = $2 } $1 == "MemFree:" { f = $2 } END { printf "%d", f * 1000 / t }' /proc/meminfo)" \
		"wmarks high $DAMON_HIGH mid $DAMON_MID low $DAMON_LOW kdamond_pid $kd" >$OUT/runs/$LABEL.damontrace
	# 2 s of up to 1000 regions ten times a second, on kdamond's CPU: 2 MiB
	# a CPU is room enough; the size before is put back (the buffer is
	# memory the benchmark's later runs would lack).
	local kb
	kb=$(cut -d' ' -f1 $t/buffer_size_kb)
	echo 0 >$t/tracing_on
	echo 2048 >$t/buffer_size_kb
	echo >$t/trace
	echo 1 >$ev
	echo 1 >$t/tracing_on
	sleep 2
	echo 0 >$t/tracing_on
	echo 0 >$ev
	awk -v min_age_us="$min_age_us" -v aggr_us="$aggr_us" '
	match($0, /[0-9]+-[0-9]+: [0-9]+ [0-9]+/) {
		split(substr($0, RSTART, RLENGTH), f, /[-: ]+/)
		sz = f[2] - f[1]; nr = f[3]; age = f[4]
		if (lo == "" || f[1] + 0 < lo + 0) lo = f[1]
		starts[f[1]]++
		lines++; tot += sz
		if (nr == 0) {
			z += sz
			s = age * aggr_us / 1e6
			if (s < 1) z1 += sz; else if (s < 5) z5 += sz; else if (s < 30) z30 += sz; else zold += sz
			if (age * aggr_us >= min_age_us) zmin += sz
			if (age > zmax) zmax = age
		} else if (nr <= 2) a2 += sz; else if (nr <= 10) a10 += sz; else amore += sz
	}
	END {
		aggs = starts[lo]; if (aggs == 0) { print "no aggregation traced"; exit }
		m = 1048576 * aggs
		printf "aggregations %d regions_per_aggregation %.0f monitored_mib %.0f\n", aggs, lines / aggs, tot / m
		printf "no_access_mib %.1f of_which_age_lt1s %.1f 1to5s %.1f 5to30s %.1f ge30s %.1f at_least_min_age %.1f max_age_s %.1f\n",
			z / m, z1 / m, z5 / m, z30 / m, zold / m, zmin / m, zmax * aggr_us / 1e6
		printf "accessed_mib 1to2 %.1f 3to10 %.1f more %.1f (samples an aggregation)\n", a2 / m, a10 / m, amore / m
	}' $t/trace >>$OUT/runs/$LABEL.damontrace 2>&1
	echo >$t/trace
	echo "$kb" >$t/buffer_size_kb
}

# --profile: the window under perf, every CPU, call graphs, the cpu-clock
# software event (TCG has no hardware counters); reports (self and
# children, by task and symbol) in profile/LABEL.*.txt.
# perf starts a second before the window's first snapshot and stops at
# its last; the reports are written after the configuration is off.
profile_start() {
	[ "${PROFILE:-0}" = 1 ] || return 0
	mkdir -p $OUT/profile
	perf record -a -g -e cpu-clock -F ${PROFILE_HZ:-199} -o /var/tmp/perf.data >/dev/null 2>>$OUT/profile/$LABEL.err &
	PERF_PID=$!
	sleep 1
}
profile_stop() {
	[ "${PROFILE:-0}" = 1 ] || return 0
	kill -INT $PERF_PID 2>/dev/null
	wait $PERF_PID 2>/dev/null
}
profile_report() {
	[ "${PROFILE:-0}" = 1 ] || return 0
	perf report -i /var/tmp/perf.data --stdio --no-children -g none --sort comm,dso,sym \
		--percent-limit 0.1 >$OUT/profile/$LABEL.self.txt 2>>$OUT/profile/$LABEL.err
	perf report -i /var/tmp/perf.data --stdio --children -g none --sort comm,sym \
		--percent-limit 0.3 >$OUT/profile/$LABEL.children.txt 2>>$OUT/profile/$LABEL.err
	# Per thread, and the reclaimers' own in detail: reclaimd's threads
	# and kswapd's, down to 0.01% of all samples.
	perf report -i /var/tmp/perf.data --stdio --no-children -g none --sort comm \
		>$OUT/profile/$LABEL.comm.txt 2>>$OUT/profile/$LABEL.err
	comms=$(perf report -i /var/tmp/perf.data --stdio --no-children -g none --sort comm 2>/dev/null |
		awk '$2 ~ /^(reclaimd|kswapd)/ { printf "%s%s", s, $2; s = "," }')
	[ -z "$comms" ] || perf report -i /var/tmp/perf.data --stdio --children -g none --sort comm,sym \
		--comms "$comms" --percent-limit 0.01 >$OUT/profile/$LABEL.reclaimers.txt 2>>$OUT/profile/$LABEL.err
	# The same threads' own samples by binary (kernel, reclaimd, libc,
	# libevent...): children reports add up call chains, which without
	# frame pointers in user space are partly garbage.
	[ -z "$comms" ] || perf report -i /var/tmp/perf.data --stdio --no-children -g none --sort comm,dso,sym \
		--comms "$comms" --percent-limit 0.005 >$OUT/profile/$LABEL.reclaimers-self.txt 2>>$OUT/profile/$LABEL.err
	rm -f /var/tmp/perf.data
}

# --trace: the window under the scheduler's tracepoints (every
# sched_switch, the sched_wakeup of redis-server and rget) on the mono
# clock, as rget's slow requests; bench/app/sched-trace.py says per slow
# request what the two did and who had the CPUs, in trace/LABEL.txt. The
# buffers (16 MiB a CPU) exist only from a second before the window to
# its report, in every configuration alike.
trace_start() {
	[ "${TRACE:-0}" = 1 ] || return 0
	mkdir -p $OUT/trace
	[ -d $TR/events ] || mount -t tracefs nodev $TR 2>>$OUT/trace/$LABEL.err
	{
		echo 0 >$TR/tracing_on
		echo mono >$TR/trace_clock
		echo 16384 >$TR/buffer_size_kb
		echo >$TR/trace
		echo 'comm == "redis-server" || comm == "rget"' >$TR/events/sched/sched_wakeup/filter
		echo 1 >$TR/events/sched/sched_wakeup/enable
		echo 1 >$TR/events/sched/sched_switch/enable
		echo 1 >$TR/tracing_on
	} 2>>$OUT/trace/$LABEL.err
	sleep 1
}
trace_stop() {
	[ "${TRACE:-0}" = 1 ] || return 0
	echo 0 >$TR/tracing_on
}
trace_report() {
	[ "${TRACE:-0}" = 1 ] || return 0
	cat $TR/trace >/var/tmp/trace.txt 2>>$OUT/trace/$LABEL.err
	{
		echo 0 >$TR/events/sched/sched_switch/enable
		echo 0 >$TR/events/sched/sched_wakeup/enable
		echo 0 >$TR/events/sched/sched_wakeup/filter
		echo >$TR/trace
		echo 4 >$TR/buffer_size_kb
	} 2>>$OUT/trace/$LABEL.err
	python3 $D/guest/sched-trace.py /var/tmp/trace.txt $OUT/runs/$LABEL.slow $OUT/trace/$LABEL.txt \
		2>>$OUT/trace/$LABEL.err
	# The trace itself too (a few MiB of text, a tenth of it compressed),
	# so that a reading can be checked again.
	gzip -c /var/tmp/trace.txt >$OUT/trace/$LABEL.trace.gz
	rm -f /var/tmp/trace.txt
}

# run CONFIG INDEX
run() {
	LABEL=$1-$2
	RUN_T=$(date +%s)
	echo setup >/tmp/phase
	swap_empty
	sampler >$OUT/samples/$LABEL.txt &
	sp=$!
	if ! cfg_on "$1"; then
		say "$LABEL: no configuration '$1' (or its variant file): skipped"
		kill $sp
		return 0
	fi
	echo settle >/tmp/phase
	# Warm-up: the hot keys back in memory (a previous run may have swapped
	# some out), the config settles.
	$D/guest/rget 6379 "$HOT" "$RATE" 5 "$CLIENTS" >/dev/null 2>&1
	sleep "$SETTLE_S"
	profile_start
	trace_start
	snap >$OUT/runs/$LABEL.start
	echo window >/tmp/phase
	# reclaimd's events over the window (runs, writes, compactions), on
	# CLOCK_REALTIME as rget's slow requests.
	wp=
	# Not with --no-watch (WATCH=0): a subscriber makes the daemon's
	# event ring wake its loop once a batch.
	case "$1" in
	reclaimd*)
		if [ "${WATCH:-1}" = 1 ]; then
			reclaimctl --json watch --events >$OUT/runs/$LABEL.watch 2>&1 &
			wp=$!
		fi
		;;
	esac
	# Each burst's work (bogo ops) in its own YAML file: how much the bursts
	# got done in the window, which free memory and stalls change.
	# --no-madvise: stress-ng otherwise gives each buffer a random madvise()
	# when it maps it and again before it unmaps it, MADV_PAGEOUT among them
	# (3 in 60 picks, strace): up to 53637 pages swapped out in a second
	# with no reclaim under way, in the kernel's and reclaimd's windows
	# alike (app618both, docs/benchmarks.md), and MADV_HUGEPAGE, which
	# makes a burst's memory huge pages and its compaction come and go.
	systemd-run -q --unit=bench-burst --slice=burst.slice sh -c "
		n=0; while :; do n=\$((n + 1)); stress-ng --no-madvise --vm 1 --vm-bytes ${BURST_MIB}M --vm-method write64 --vm-hang $BURST_HOLD_S \
			--timeout ${BURST_ON_S}s -q --metrics-brief --yaml $OUT/runs/$LABEL.burst\$n.yaml; sleep $BURST_OFF_S; done"
	# --trace: the window's ends on the guest's CLOCK_REALTIME, on the
	# results console, where the host (host-sched.py) stamps them with its
	# own clock as they come.
	[ "${TRACE:-0}" = 0 ] || echo "$TAG clock $LABEL start $(date +%s.%N)"
	RGET_SLOW_US=10000 RGET_SLOW_FILE=$OUT/runs/$LABEL.slow \
		timeout $((WINDOW_S * 3)) $D/guest/rget 6379 "$HOT" "$RATE" "$WINDOW_S" "$CLIENTS" >$OUT/runs/$LABEL.rget 2>&1
	[ "${TRACE:-0}" = 0 ] || echo "$TAG clock $LABEL end $(date +%s.%N)"
	snap >$OUT/runs/$LABEL.end
	case "$1" in damon* | damos) damon_trace "$1" ;; esac
	profile_stop
	trace_stop
	[ -z "$wp" ] || kill $wp 2>/dev/null
	systemctl stop bench-burst.service
	echo teardown >/tmp/phase
	cfg_off "$1"
	kill $sp
	wait $sp 2>/dev/null
	profile_report
	trace_report
	p99=$(awk '{ print $8 }' $OUT/runs/$LABEL.rget)
	rps=$(awk '{ print $16 }' $OUT/runs/$LABEL.rget)
	free=$(awk '$2 == "settle" || $2 == "window" { s += $3; n++ } END { if (n) printf "%d", s / n / 1024 }' $OUT/samples/$LABEL.txt)
	say "$LABEL: p99 ${p99:-?} us, ${rps:-?} req/s, avg free $free MiB, $(($(date +%s) - RUN_T)) s"
}

# avg_free CONFIG: mean MemFree (bytes) over the settle and window samples of its runs so far.
avg_free() {
	cat $OUT/samples/$1*.txt 2>/dev/null |
		awk '$2 == "settle" || $2 == "window" { s += $3; n++ } END { printf "%d", n ? s / n * 1024 : 0 }'
}

# solve_wsf WANT_BYTES SCALE: the smallest factor whose predicted extra free
# memory, SCALE x 2 x (sum over zones of max(min/4, managed*wsf/10000) at wsf
# less at 10), reaches WANT (mm/page_alloc.c __setup_per_zone_wmarks: kswapd
# reclaims to high = min + 2 gaps). SCALE corrects the prediction by what a
# calibration measured (0.69 on this guest in docs/benchmarks.md).
solve_wsf() {
	awk -v want="$1" -v scale="$2" '
		$1 == "min" { mn = $2 }
		$1 == "managed" && $2 > 0 { n++; m[n] = $2; lo[n] = mn }
		function gap(w,   s, i, g, d) {
			s = 0
			for (i = 1; i <= n; i++) {
				g = m[i] * w / 10000; if (g < lo[i] / 4) g = lo[i] / 4
				d = m[i] * 10 / 10000; if (d < lo[i] / 4) d = lo[i] / 4
				s += 2 * (g - d) * 4096
			}
			return s
		}
		END { for (w = 10; w < 3000; w++) if (gap(w) * scale >= want) break; print w, gap(w) }' /proc/zoneinfo
}

# --- setup
say "setup: $(uname -r), $(nproc) CPUs, $(ls -d /sys/devices/system/node/node* | wc -l) nodes, MemTotal $(($(meminfo MemTotal) / 1024)) MiB, up $(cut -d' ' -f1 /proc/uptime) s"
say "settings: $(grep -v '^#' $D/settings | tr '\n' ' ')"
# save: the results so far onto vdc (a VM killed at the host's timeout
# still leaves the runs it finished).
save() {
	echo "$(($(date +%s) - T0))" >$OUT/guest-seconds
	tar -C $OUT -czf /tmp/appbench.tgz . && dd if=/tmp/appbench.tgz of=/dev/vdc bs=1M conv=fsync 2>/dev/null
}

swap_zram
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
[ "${PROFILE:-0}" = 1 ] && sysctl -q -w kernel.perf_event_paranoid=-1 kernel.kptr_restrict=0
install_deb
if ls $D/dbgsym/*.deb >/dev/null 2>&1; then
	dpkg -i $D/dbgsym/*.deb >>$OUT/apt.log 2>&1
	rc=$?
	say "debug symbols: $(ls $D/dbgsym/): dpkg exit $rc"
fi
install_b
cp /etc/reclaimd/reclaimd.conf $OUT/reclaimd.conf 2>/dev/null
say "cgroup: controllers enabled at the root: $(cat $CG/cgroup.subtree_control)"
# --numa-balancing: the kernel's automatic NUMA balancing (task and page
# migration between the nodes) on or off for the whole boot.
[ -z "${NUMA_BALANCING:-}" ] || sysctl -q -w kernel.numa_balancing=$NUMA_BALANCING
say "kernel: numa_balancing $(cat /proc/sys/kernel/numa_balancing 2>/dev/null), lru_gen $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled), swappiness $(cat /proc/sys/vm/swappiness), wsf $(cat /proc/sys/vm/watermark_scale_factor), damon_reclaim $(ls $DR >/dev/null 2>&1 && echo yes || echo no)"
ls $DR >$OUT/damon-params.txt 2>&1
cat /proc/zoneinfo >$OUT/zoneinfo.txt

systemd-run -q --unit=bench-redis --slice=app.slice \
	redis-server --port 6379 --save '' --appendonly no --protected-mode no --daemonize no
wait_until 60 sh -c 'redis-cli ping 2>/dev/null | grep -q PONG'
t=$(date +%s)
python3 $D/guest/loader.py "$KEYS" "$VALUE" >>$OUT/log.txt 2>&1
say "redis: $KEYS keys of $VALUE bytes loaded in $(($(date +%s) - t)) s, used_memory $(redis-cli info memory | tr -d '\r' | sed -n 's/^used_memory_human://p'), rss $(($(awk '/^VmRSS:/ { print $2 }' /proc/$(pgrep -x redis-server)/status) / 1024)) MiB"
# redis-benchmark, idle, for reference (its GET rate with nothing else
# running: how fast the guest is on this host at this moment).
redis-benchmark -c "$CLIENTS" -n 5000 -r "$HOT" -t get --csv >$OUT/calibration.csv 2>&1
rps=$(awk -F'"' 'NR == 2 { printf "%d", $4 }' $OUT/calibration.csv)
$D/guest/rget 6379 "$HOT" "$RATE" 10 "$CLIENTS" >$OUT/idle.rget 2>&1
say "idle: redis-benchmark $rps GET/s (closed loop, $CLIENTS clients); rget at $RATE/s: $(cat $OUT/idle.rget)"

truncate -s "${STREAM_MIB}M" /var/tmp/stream.sparse
stream_start ""
refill() { [ "$(meminfo MemFree)" -lt $((FILL_FREE_MIB * 1024)) ]; }
t=$(date +%s)
wait_until 240 refill
say "page cache filled in $(($(date +%s) - t)) s: MemFree $(($(meminfo MemFree) / 1024)) MiB, Cached $(($(meminfo Cached) / 1024)) MiB"

# --- the rounds
WSF=0 DAMON_HIGH=0 DAMON_MID=0 DAMON_LOW=0
total_kb=$(meminfo MemTotal)
for r in $(seq 1 "$ROUNDS"); do
	for c in $CONFIGS; do
		case "$c" in
		wsf)
			fe=$(avg_free reclaimd) fk=$(avg_free kernel)
			want=$((fe - fk))
			if [ -s $OUT/samples/wsf-1.txt ]; then
				# Re-solve with the scale round 1 measured (its wsf run
				# against its kernel run: the host's load moves free
				# memory between rounds).
				fw=$(avg_free wsf-1) fk1=$(avg_free kernel-1)
				pred=$(awk -v w="$WSF" '$1 == "min" { mn = $2 } $1 == "managed" && $2 > 0 {
					g = $2 * w / 10000; if (g < mn / 4) g = mn / 4; d = $2 * 10 / 10000; if (d < mn / 4) d = mn / 4
					s += 2 * (g - d) * 4096 } END { printf "%d", s }' /proc/zoneinfo)
				scale=$(awk -v a="$((fw - fk1))" -v p="$pred" 'BEGIN { s = p > 0 ? a / p : 0.69; if (s < 0.4) s = 0.4; if (s > 1.5) s = 1.5; printf "%.3f", s }')
			else
				scale=0.69
			fi
			WSF=$(solve_wsf "$want" "$scale" | cut -d' ' -f1)
			[ "$WSF" -le 1000 ] || WSF=1000
			say "wsf: free reclaimd $((fe >> 20)) MiB, kernel $((fk >> 20)) MiB, want +$((want >> 20)) MiB, scale $scale -> watermark_scale_factor $WSF"
			echo "round $r fe $fe fk $fk want $want scale $scale wsf $WSF" >>$OUT/wsf.txt
			;;
		damon1 | damon2 | damon3 | damos)
			# Free memory target in per-mille of MemTotal: DAMON_RECLAIM
			# starts below wmarks_mid, stops above wmarks_high (and below
			# wmarks_low, leaving it to the kernel).
			fe=$(avg_free reclaimd)
			DAMON_MID=$(awk -v f="$fe" -v t="$total_kb" 'BEGIN { printf "%d", f / (t * 1024) * 1000 + 0.5 }')
			DAMON_HIGH=$((DAMON_MID + 20))
			DAMON_LOW=5
			echo "round $r $c fe $fe high $DAMON_HIGH mid $DAMON_MID low $DAMON_LOW" >>$OUT/damon.txt
			;;
		unpressured) ;;
		esac
		run "$c" "$r"
		save
		if [ "$c" = unpressured ] && [ "$r" -lt "$ROUNDS" ]; then
			t=$(date +%s)
			wait_until 240 refill
			say "page cache refilled in $(($(date +%s) - t)) s"
		fi
	done
done

# --- results onto vdc
stream_stop
systemctl stop bench-redis.service
dmesg >$OUT/dmesg.txt
save
say "results: $(stat -c %s /tmp/appbench.tgz) bytes on vdc"
echo DONE
