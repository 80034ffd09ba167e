# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18
# vm-timeout: 300
# vm-bench: yes
#
# A benchmark, not a test (run only when named): is a reclaim write counted
# as a memory stall by PSI? The kernel's kswapd is (balance_pgdat() runs
# inside psi_memstall_enter()), so the kernel alone's /proc/pressure/memory
# includes kswapd's own reclaim. The synthetic benchmark on 6.18 found the
# daemon's PSI full in the bursts at 0.56 of the kernel alone's with no
# direct reclaim in two runs of three (docs/benchmarks.md, "The synthetic
# benchmark on 6.18"), where on 6.12, over memory.reclaim, it was 0.02.
#
# Three rounds, interleaved: 384 MiB of page cache read into leafN/ on node
# 0, then "256M swappiness=0" written once (readcost --write, pinned to CPU
# 0, in cgroup writer/: the write's own wall and CPU time) to node0/reclaim
# (node) or to leafN/memory.reclaim (cg). Per write: its wall and CPU time,
# what leafN's pgsteal grew by (after the memcg stats' flush), what
# kswapd scanned meanwhile (none, or the stall is not only the write's),
# and the growth of the system's PSI memory some/full totals and of
# writer/'s own memory.pressure. Nothing else runs. Prints one line;
# fails only when a write fails or reclaims nothing.
# psi_totals FILE: "SOME FULL", the stall totals of a pressure file (µs).
psi_totals() { echo "$(vm_psi_total "$1" some) $(vm_psi_total "$1" full)"; }
[ -w /sys/devices/system/node/node0/reclaim ] || vm_fail "no node0/reclaim on $(uname -r)"
vm_cg_new writer
out=
n=0
for round in 1 2 3; do
	for path in node cg; do
		n=$((n + 1))
		sync
		echo 3 >/proc/sys/vm/drop_caches
		sleep 1
		vm_cache leaf$n 384 0
		st0=$(vm_memstat leaf$n pgsteal)
		p0=$(psi_totals /proc/pressure/memory)
		w0=$(psi_totals $CG/writer/memory.pressure)
		k0=$(vm_vmstat pgscan_kswapd)
		if [ $path = node ]; then
			f=/sys/devices/system/node/node0/reclaim
		else
			f=$CG/leaf$n/memory.reclaim
		fi
		r=$(sh -c 'echo $$ >"$0/cgroup.procs" && exec taskset 1 /vm/bin/readcost --write "256M swappiness=0" --reads 1 "$1"' \
			$CG/writer $f 2>&1) || vm_fail "$path write: $r"
		p1=$(psi_totals /proc/pressure/memory)
		w1=$(psi_totals $CG/writer/memory.pressure)
		k1=$(vm_vmstat pgscan_kswapd)
		vm_memcg_stats_settle
		got=$((($(vm_memstat leaf$n pgsteal) - st0) / 256))
		[ "$got" -gt 0 ] || vm_fail "the $path write reclaimed nothing from leaf$n: $r"
		wall=$(echo "$r" | sed -n 's/.*"wall_ns": \([0-9]*\).*/\1/p')
		cpu=$(echo "$r" | sed -n 's/.*"cpu_ns": \([0-9]*\).*/\1/p')
		out="$out; $path $round: $((${wall:-0} / 1000000)) ms ($((${cpu:-0} / 1000000)) ms CPU), leaf -$got MiB, kswapd scanned +$((k1 - k0)), system some/full +$(echo $p0 $p1 | awk '{ print $3 - $1 "/" $4 - $2 }') us, writer's +$(echo $w0 $w1 | awk '{ print $3 - $1 "/" $4 - $2 }') us"
	done
done
vm_pass "${out#; }"
