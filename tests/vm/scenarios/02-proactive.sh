# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.12
# vm-timeout: 240
#
# 6.12 only: a benchmark-like pair of workload runs (2-3 minutes under TCG),
# kept to one kernel so that the VM step stays within its budget
# (tests/vm/README.md). Nothing stops it elsewhere: --kernel 6.18 with the
# header extended runs it there.
#
# Proactive watermark. A workload in cgroup work/ streams page cache from a
# 4 GiB file (twice RAM) on the virtio scratch disk and allocates anonymous
# bursts. The file is sparse: its pages are zero-filled without I/O, which
# fills the page cache at memory speed (reading the raw virtio disk under TCG
# manages only about 26 MiB/s, too slow to pressure 2 GiB); they are ordinary
# clean file pages on the LRU all the same. It runs twice
# in this boot from a dropped page cache: without reclaimd, then with it
# (default config). For both, print the
# kernel's kswapd work (pageoutrun and
# pgscan_kswapd deltas), pgscan_direct, allocstall_*, PSI memory some/full
# totals and burst fault latency. Pass when, with reclaimd:
#   - the kernel's kswapd work is at most half of what it was without, and
#   - every time a node's free memory fell below reclaimd's low watermark it
#     was back at its high watermark within REFILL_BOUND_S.
# Measured under TCG: the kernel's kswapd keeps up, so allocstall stays 0
# without reclaimd too and cannot judge (issue 8).
#
# The system brake is the default one. This workload's own bursts stall
# the system (the kernel alone: 1.3-1.7 s of PSI full a run, with no direct
# reclaim) but bring next to nothing back (workingset_refault, noted), and
# the brake needs both (docs/design.md, "The system brake needs what
# reclaim evicted to come back"). Before it did, it tripped on that stall in about one
# run in four and the kernel's kswapd kept 36-60% of its work, which failed
# this check in CI (stop 20: 0.53); stop 21 ran it with SystemBrake=100%.
#
# Booted with "reclaimvm.reference" on the kernel command line (VM_APPEND),
# the second run uses a crude shell loop writing root memory.reclaim instead
# of reclaimd: a check of this scenario's own yardstick.

# Free memory is the node's MemFree against reclaimd's node watermarks
# (status nodes[].low_bytes/high_bytes, summed over zones). A 200 MiB burst
# alone takes 3-5 s under TCG and free memory cannot be back at the high
# watermark before the burst stops allocating. Measured worst with reclaimd
# 7.6-14.5 s on a quiet host and up to 25.4 s while another QEMU ran beside
# it (TCG: memory.reclaim itself runs at emulated speed, some 30-100 MiB/s);
# kernel alone against the same marks 2.2-10.2 s. The bound catches a daemon
# that does not refill at all; the figure is printed either way.
REFILL_BOUND_S=40
BURST_MIB=200
BURSTS=5
BURST_INTERVAL_MS=1000
STREAM_WARMUP_S=10
# Locked anonymous ballast, interleaved over the nodes: the page cache fills
# only at about 35 MiB/s under TCG, so without it 2 GiB would take a minute
# to reach the watermarks.
BALLAST_MIB=1400

# Counters and PSI totals, one "key value" line each.
proactive_snapshot() {
	{
		for k in pageoutrun pgscan_kswapd pgscan_direct pgsteal_kswapd pgsteal_direct pswpout \
			workingset_refault_anon workingset_refault_file; do
			echo "$k $(vm_vmstat $k)"
		done
		echo "allocstall $(vm_vmstat_sum allocstall_)"
		echo "psi_some_usec $(vm_psi_total /proc/pressure/memory some)"
		echo "psi_full_usec $(vm_psi_total /proc/pressure/memory full)"
	} >"$1"
}

# Per node, every 0.5 s: "UPTIME NODE FREE_BYTES".
proactive_sampler() {
	while :; do
		t=$(cut -d' ' -f1 /proc/uptime)
		for n in /sys/devices/system/node/node[0-9]*; do
			awk -v t="$t" -v n="${n##*node}" '$3 == "MemFree:" { print t, n, $4 * 1024 }' $n/meminfo
		done
		sleep 0.5
	done
}

# The crude reference: root memory.reclaim whenever free memory is below
# twice the sum of the kernel's high watermarks plus 64 MiB.
proactive_shell_loop() {
	local high_pages thresh_kb
	high_pages=$(awk '$1 == "high" { s += $2 } END { print s }' /proc/zoneinfo)
	thresh_kb=$((high_pages * 4 * 2 + 65536))
	while :; do
		free_kb=$(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo)
		if [ "$free_kb" -lt "$thresh_kb" ]; then
			echo 64M >$CG/memory.reclaim 2>/dev/null
		else
			sleep 0.2
		fi
	done
}

# proactive_run LABEL: one run of the workload; results in /tmp/scenario.LABEL.*
proactive_run() {
	local label=$1 stream_pid sampler_pid
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	proactive_snapshot /tmp/scenario.$label.before
	proactive_sampler >/tmp/scenario.$label.samples &
	sampler_pid=$!
	vm_cg_run work/stream /vm/bin/stream /mnt/stream.file
	stream_pid=$!
	sleep $STREAM_WARMUP_S
	vm_cg_new work/burst
	sh -c 'echo $$ >$0/cgroup.procs && exec /vm/bin/burst --mib $1 --bursts $2 --interval-ms $3 --hold-ms 500 $4 $5' \
		$CG/work/burst $BURST_MIB $BURSTS $BURST_INTERVAL_MS --fill-bytes 256 >/tmp/scenario.$label.burst.json
	kill $stream_pid
	wait $stream_pid 2>/dev/null
	kill $sampler_pid
	wait $sampler_pid 2>/dev/null
	proactive_snapshot /tmp/scenario.$label.after
}

# delta LABEL KEY
delta() {
	echo $(($(awk -v k=$2 '$1 == k { print $2 }' /tmp/scenario.$1.after) - \
		$(awk -v k=$2 '$1 == k { print $2 }' /tmp/scenario.$1.before)))
}

# proactive_refill LABEL: the longest time (s) a node took from falling below
# the userspace low watermark to being back at the high one, over all nodes,
# and the seconds spent below low. Watermarks per node in /tmp/scenario.wmarks
# ("NODE LOW HIGH").
proactive_refill() {
	awk 'FNR == NR { low[$1] = $2; high[$1] = $3; next }
	     {
		t = $1; n = $2; f = $3
		if (n in last) dt = t - last[n]; else dt = 0
		last[n] = t
		if (f < low[n]) below += dt
		if (!(n in start) && f < low[n]) start[n] = t
		if ((n in start) && f >= high[n]) {
			if (t - start[n] > worst) worst = t - start[n]
			delete start[n]
		}
	     }
	     END {
		for (n in start) if (t - start[n] > worst) worst = t - start[n]
		printf "%.1f %.1f\n", worst, below
	     }' /tmp/scenario.wmarks /tmp/scenario.$1.samples
}

proactive_figures() {
	local label=$1 b=/tmp/scenario.$1.burst.flat
	/vm/bin/jflat </tmp/scenario.$label.burst.json >$b || echo "" >$b
	echo "pageoutrun=$(delta $label pageoutrun) pgscan_kswapd=$(delta $label pgscan_kswapd)" \
		"pgscan_direct=$(delta $label pgscan_direct) allocstall=$(delta $label allocstall)" \
		"pswpout=$(delta $label pswpout)" \
		"refault=$(($(delta $label workingset_refault_anon) + $(delta $label workingset_refault_file)))" \
		"psi_some_ms=$(($(delta $label psi_some_usec) / 1000)) psi_full_ms=$(($(delta $label psi_full_usec) / 1000))" \
		"burst_p50_us=$(($(jget $b faults.p50_nsec) / 1000)) burst_p99_us=$(($(jget $b faults.p99_nsec) / 1000))" \
		"burst_max_us=$(($(jget $b faults.max_nsec) / 1000))" \
		"burst_total_ms_p50=$(($(jget $b burst_total.p50_nsec) / 1000000))" \
		"refill_worst_s,below_low_s=$(proactive_refill $label | tr ' ' ,)"
}

reference=0
truncate -s 4G /mnt/stream.file || vm_fail "cannot create the sparse stream file"
vm_cg_run ballast /vm/bin/hog $BALLAST_MIB --interleave --mlock
sleep 1
vm_wait_until 60 sh -c "[ \$(awk '\$1 == \"Mlocked:\" { print \$2 }' /proc/meminfo) -ge $((BALLAST_MIB * 1024 - 4096)) ]" ||
	vm_fail "ballast not locked: $(grep Mlocked /proc/meminfo)"
grep -q reclaimvm.reference /proc/cmdline && reference=1

# Kernel watermarks per node (pages summed over zones) stand in for the
# daemon's until it reports its own.
awk '$1 == "Node" { n = $2; sub(",", "", n) } $1 == "low" { l[n] += $2 } $1 == "high" { h[n] += $2 }
     END { for (n in l) print n, l[n] * 4096, h[n] * 4096 }' /proc/zoneinfo >/tmp/scenario.wmarks

proactive_run without
vm_note "without reclaimd: $(proactive_figures without)"

if [ $reference = 1 ]; then
	proactive_shell_loop &
	loop_pid=$!
	proactive_run with
	kill $loop_pid
	vm_note "with shell loop: $(proactive_figures with)"
	with_what="the shell loop"
else
	vm_need_daemon
	ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
	awk -F '\t' '$1 ~ /^nodes\.[0-9]+\.(node|low_bytes|high_bytes)$/ {
		split($1, p, "."); v[p[2], p[3]] = $2; idx[p[2]] = 1 }
	     END { for (i in idx) print v[i, "node"], v[i, "low_bytes"], v[i, "high_bytes"] }' \
		/tmp/scenario.status >/tmp/scenario.wmarks
	[ -s /tmp/scenario.wmarks ] || vm_fail "status has no nodes[].low_bytes/high_bytes"
	proactive_run with
	vm_note "with reclaimd: $(proactive_figures with)"
	# The daemon's own account of the run, so that a poor figure says
	# whether its runs were braked, failed or swapped (counters are
	# cumulative; the workload is the only load since start-up).
	ctl_json nodes >/tmp/scenario.nodes || true
	vm_note "reclaimd's runs: $(awk -F '\t' '
		$1 ~ /^nodes\.[0-9]+\.counters\.(wakes|runs|failures|hopeless|reclaimed_bytes|brake_cut_passes|runs_ended\.[a-z-]+|swap_decisions\.[a-z_]+)$/ && $2 != 0 {
			sub(/^nodes\./, "n", $1); sub(/\.counters\./, ".", $1); sub(/swap_decisions\./, "swap.", $1)
			sub(/runs_ended\./, "end.", $1)
			if ($1 ~ /_bytes$/) { sub(/_bytes$/, "_mib", $1); $2 = int($2 / 1048576) }
			printf "%s=%s ", $1, $2 }' /tmp/scenario.nodes)"
	with_what="reclaimd"
	kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died during the workload"
fi
vm_note "userspace watermarks (node low high bytes): $(tr '\n' ';' </tmp/scenario.wmarks)"

k0=$(($(delta without pgscan_kswapd)))
k1=$(($(delta with pgscan_kswapd)))
o0=$(($(delta without pageoutrun)))
o1=$(($(delta with pageoutrun)))
[ "$k0" -ge 10000 ] || vm_fail "the workload hardly woke the kernel's kswapd without reclaimd (pgscan_kswapd +$k0): no yardstick"
[ $((k1 * 2)) -le "$k0" ] || vm_fail "pgscan_kswapd with $with_what $k1, without $k0: not halved"
[ $((o1 * 2)) -le "$o0" ] || vm_fail "pageoutrun with $with_what $o1, without $o0: not halved"
worst=$(proactive_refill with | cut -d' ' -f1)
awk -v w="$worst" -v b=$REFILL_BOUND_S 'BEGIN { exit !(w <= b) }' ||
	vm_fail "a node stayed below its high watermark for ${worst}s after falling below low (bound ${REFILL_BOUND_S}s)"
vm_pass "kswapd work with $with_what: pgscan_kswapd $k1 vs $k0, pageoutrun $o1 vs $o0; refill within ${worst}s (bound ${REFILL_BOUND_S}s)"
