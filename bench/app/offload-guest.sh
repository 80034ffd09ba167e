# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of `bench/app/run --mode offload` (issue 18), copied to the data
# disk as guest/main.sh and run by the image's reclaimd-vmtest.service
# (Debian 12, systemd as PID 1) once the system is up; stdout goes to ttyS1.
#
# The workload, all in work.slice, with a known cold share:
#   redis-server holding KEYS keys of VALUE bytes, of which guest/rget reads
#     only the first HOT (at RATE requests/s over CLIENTS connections);
#   guest/hotcold: HOTCOLD_HOT MiB of anon touched all the time, HOTCOLD_COLD
#     MiB never touched again;
#   COLD_FILE MiB of page cache read once.
# No other memory pressure: 2 GiB guest, 1 GiB zram swap. What the workload
# gives up is what a controller trims.
#
# Configurations (labels), ROUNDS times, interleaved:
#   none      nothing trims (the kernel has no reason to reclaim)
#   reclaimd  the package's reclaimd with a drop-in: [CGroup /work.slice]
#             Offload=yes, OffloadInterval=INTERVAL_S, OffloadPressure=
#             TARGET_MS per interval, OffloadMaxStep=PROBE_PERMYRIAD: one
#             controller per service of work.slice (the keys reach down)
#   reclaimdb the daemon of --deb-b's package with the same unit and
#             drop-in (an A/B of two builds in one boot)
#   senpai    guest/senpai.py (bench/app/senpai.py): senpai's published rule
#             with the same interval, target and probe, one controller on
#             work.slice
#   senpai_svc  the same rule with one controller per service of
#             work.slice (SERVICES), as reclaimd's are: the two controllers
#             alike but for their rules, where senpai on the slice lets
#             the kernel pick among the services
# A run: reset (swapoff/swapon brings every swapped page back, the cold
# file is read again), STEADY_S with rget on the HOT keys (the last
# MEASURE_S are the steady state), then the working set grows back: redis
# is reclaimed as far as memory.reclaim takes it, so that the grown keys
# are sure to be out, its HOT keys are read back once in order, SETTLE_S of
# reads on the hot keys, a burst reads each of GROW formerly cold keys
# once, then GROW_S of reads of the first HOT + GROW keys. (Until
# 2026-12-06 redis was reclaimed down to 48 MiB: which of its cold pages
# stayed varied from run to run, and in 7 of 9 runs of a boot 0-3 MiB of
# the grown keys came back from swap, not the 8 MiB they hold. Before that
# the grown keys were read before each run, and memory.reclaim kept them,
# the youngest pages after the hot ones.) Sampled every
# second: work.slice and redis' memory.current, pressure some and pgsteal,
# the slice's and redis' swap and zram's memory. Results as a tar.gz on
# the third disk (vdc).
TAG=OFF OUT=/tmp/offbench
. /mnt/vmtest/guest/common.sh
W=$CG/work.slice
R=$W/bench-redis.service
SERVICES="bench-redis.service bench-hotcold.service bench-coldfile.service"
zram_used() { awk '{ print $3 }' /sys/block/$ZDEV/mm_stat 2>/dev/null || echo 0; }

# Every second: uptime phase current swap some_us pgsteal zram_used
# memfree_kB, then redis' own current some_us pgsteal swap. One process: a
# shell loop forking a dozen readers a second took 5-7 s a sample in TCG.
sampler() {
	exec python3 -c '
import sys, time
W, R, Z = sys.argv[1:4]
def rd(p):
    with open(p) as f:
        return f.read()
def some(d):
    return rd(d + "/memory.pressure").split("\n")[0].split()[4].split("=")[1]
def steal(d):
    for l in rd(d + "/memory.stat").split("\n"):
        if l.startswith("pgsteal "):
            return l.split()[1]
def free():
    for l in rd("/proc/meminfo").split("\n"):
        if l.startswith("MemFree:"):
            return l.split()[1]
nxt = time.monotonic()
while True:
    try:
        print(rd("/proc/uptime").split()[0], rd("/tmp/phase").strip(), rd(W + "/memory.current").strip(),
              rd(W + "/memory.swap.current").strip(), some(W), steal(W), rd(Z).split()[2], free(),
              rd(R + "/memory.current").strip(), some(R), steal(R), rd(R + "/memory.swap.current").strip(),
              flush=True)
    except (OSError, IndexError):
        pass
    nxt += 1
    time.sleep(max(0, nxt - time.monotonic()))
' "$W" "$R" "/sys/block/$ZDEV/mm_stat"
}

cfg_on() {
	case "$1" in
	none) ;;
	reclaimd)
		reclaimd_start
		;;
	reclaimdb)
		reclaimdb_start
		;;
	senpai | senpai_svc)
		systemd-run -q --unit=bench-senpai --slice=system.slice \
			python3 $D/guest/senpai.py "$(senpai_dirs $1)" "$INTERVAL_S" "$TARGET_MS" "$PROBE_PERMYRIAD" \
			$OUT/runs/$LABEL.senpai
		;;
	esac
}
# senpai_dirs CONFIG: the cgroups senpai.py runs a controller on.
senpai_dirs() {
	[ "$1" = senpai ] && { echo $W; return; }
	echo $SERVICES | tr ' ' '\n' | sed "s|^|$W/|" | paste -sd ,
}
cfg_off() {
	case "$1" in
	reclaimd)
		reclaimctl --json cgroups >$OUT/runs/$LABEL.cgroups 2>&1
		reclaimd_stop
		;;
	reclaimdb)
		reclaimctl --json cgroups >$OUT/runs/$LABEL.cgroups 2>&1
		reclaimdb_stop
		;;
	senpai | senpai_svc) systemctl stop bench-senpai.service ;;
	esac
}
cpu_usec() { # the controller's CPU so far
	case "$1" in
	reclaimd | reclaimdb) awk '$1 == "usage_usec" { print $2 }' $CG/system.slice/reclaimd.service/cpu.stat 2>/dev/null || echo 0 ;;
	senpai | senpai_svc) awk '$1 == "usage_usec" { print $2 }' $CG/system.slice/bench-senpai.service/cpu.stat 2>/dev/null || echo 0 ;;
	*) echo 0 ;;
	esac
}

# reset: every page back in memory, as after the load.
reset() {
	swapoff "/dev/$ZDEV" && swapon "/dev/$ZDEV"
	sh -c "echo \$\$ >$W/bench-coldfile.service/cgroup.procs && exec cat /var/tmp/cold.file" >/dev/null
	sleep 5
}

# memory.reclaim on redis as far as it goes: each write asks for all of
# redis' memory.current, and the writes go on while one took 4 MiB or more
# (a write that cannot get all it asks fails with EAGAIN); at most 20.
# Then the HOT keys are read once, in order (redis-cli, one connection):
# the hot set, its part of the dict and whatever a lookup walks are back,
# and every other key, the grown ones among them, stays out.
evict_redis() {
	local i cur prev w=0
	prev=$(cat $R/memory.current)
	for i in $(seq 1 20); do
		echo "$prev" >$R/memory.reclaim 2>/dev/null
		w=$((w + 1))
		cur=$(cat $R/memory.current)
		[ $((prev - cur)) -ge $((4 << 20)) ] || break
		prev=$cur
	done
	echo "evict: redis $((cur >> 20)) MiB after $w writes" >>$OUT/runs/$LABEL.burst.log
	seq 0 $((HOT - 1)) | awk '{ printf "GET key:%012d\n", $1 }' | redis-cli >/dev/null 2>&1
	echo "evict: redis $(($(cat $R/memory.current) >> 20)) MiB with the hot keys read back" >>$OUT/runs/$LABEL.burst.log
}

snap() {
	echo "uptime $(cut -d' ' -f1 /proc/uptime)"
	echo "current $(cat $W/memory.current)"
	echo "swap $(cat $W/memory.swap.current)"
	awk '$1 ~ /^(anon|file|pgsteal|pgscan|workingset_refault_anon|workingset_refault_file|pswpin|pswpout|pgmajfault)$/ { print }' $W/memory.stat
	awk '$1 == "some" { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) { sub("total=", "", $i); print "some_us", $i } }' $W/memory.pressure
	awk '$1 ~ /^(pswpin|pswpout|pgsteal_kswapd|pgsteal_direct)$/ { print "vm_" $1, $2 }' /proc/vmstat
	echo "zram_used $(zram_used)"
	echo "cpu_usec $(cpu_usec "$1")"
	echo "redis_rss_kb $(awk '/^VmRSS:/ { print $2 }' /proc/$(pgrep -x redis-server | head -n1)/status 2>/dev/null || echo 0)"
}

# run CONFIG INDEX
run() {
	LABEL=$1-$2
	RUN_T=$(date +%s)
	echo reset >/tmp/phase
	sampler >$OUT/samples/$LABEL.txt &
	sp=$!
	reset
	snap "$1" >$OUT/runs/$LABEL.start
	echo steady >/tmp/phase
	cfg_on "$1"
	$D/guest/rget 6379 "$HOT" "$RATE" $((STEADY_S - MEASURE_S)) "$CLIENTS" >/dev/null 2>&1
	snap "$1" >$OUT/runs/$LABEL.measure
	echo measure >/tmp/phase
	$D/guest/rget 6379 "$HOT" "$RATE" "$MEASURE_S" "$CLIENTS" >$OUT/runs/$LABEL.rget 2>&1
	snap "$1" >$OUT/runs/$LABEL.grow
	# The grown keys are evicted first, in every configuration, so that
	# the growth swaps them back in and stalls redis: all of redis that
	# memory.reclaim takes, then the hot keys read back; SETTLE_S of
	# reads on the hot keys let that stall, and any hold it set, pass
	# before the burst.
	echo evict >/tmp/phase
	evict_redis
	$D/guest/rget 6379 "$HOT" "$RATE" "$SETTLE_S" "$CLIENTS" >/dev/null 2>&1
	snap "$1" >$OUT/runs/$LABEL.evicted
	echo grow >/tmp/phase
	# The working set grows back: a burst that reads each of GROW formerly
	# cold keys once, in order (redis-cli, one connection), then the hot
	# set is the first HOT + GROW keys, read at RATE.
	t=$(date +%s.%N)
	seq "$HOT" $((HOT + GROW - 1)) | awk '{ printf "GET key:%012d\n", $1 }' | redis-cli >/dev/null 2>&1
	echo "burst_s $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" >$OUT/runs/$LABEL.burst
	$D/guest/rget 6379 $((HOT + GROW)) "$RATE" "$GROW_S" "$CLIENTS" >$OUT/runs/$LABEL.hot-rget 2>&1
	snap "$1" >$OUT/runs/$LABEL.end
	echo teardown >/tmp/phase
	cfg_off "$1"
	kill $sp
	wait $sp 2>/dev/null
	say "$LABEL: current $(($(cat $W/memory.current) >> 20)) MiB, swap $(($(cat $W/memory.swap.current) >> 20)) MiB, steady rget: $(cat $OUT/runs/$LABEL.rget), $(($(date +%s) - RUN_T)) s"
}

save() {
	echo "$(($(date +%s) - T0))" >$OUT/guest-seconds
	tar -C $OUT -czf /tmp/offbench.tgz . && dd if=/tmp/offbench.tgz of=/dev/vdc bs=1M conv=fsync 2>/dev/null
}

# --- setup
echo setup >/tmp/phase
say "setup: $(uname -r), $(nproc) CPUs, MemTotal $(($(meminfo MemTotal) / 1024)) MiB, up $(cut -d' ' -f1 /proc/uptime) s"
say "settings: $(grep -v '^#' $D/settings | tr '\n' ' ')"
swap_zram
install_deb
install_b
mkdir -p /etc/reclaimd/reclaimd.conf.d
cat >/etc/reclaimd/reclaimd.conf.d/50-offload.conf <<EOF
[CGroup /work.slice]
Offload=yes
OffloadInterval=${INTERVAL_S}s
OffloadPressure=$(awk -v t="$TARGET_MS" -v i="$INTERVAL_S" 'BEGIN { printf "%g%%", t / (i * 1000) * 100 }')
OffloadMaxStep=$(awk -v p="$PROBE_PERMYRIAD" 'BEGIN { printf "%g%%", p / 100 }')
EOF
cp /etc/reclaimd/reclaimd.conf.d/50-offload.conf $OUT/offload.conf
say "reclaimd drop-in: $(tr '\n' ' ' <$OUT/offload.conf)"
say "kernel: lru_gen $(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled), swappiness $(cat /proc/sys/vm/swappiness)"

systemd-run -q --unit=bench-redis --slice=work.slice \
	redis-server --port 6379 --save '' --appendonly no --protected-mode no --daemonize no
wait_until 60 sh -c 'redis-cli ping 2>/dev/null | grep -q PONG'
t=$(date +%s)
python3 $D/guest/loader.py "$KEYS" "$VALUE" >>$OUT/log.txt 2>&1
say "redis: $KEYS keys of $VALUE bytes loaded in $(($(date +%s) - t)) s, rss $(($(awk '/^VmRSS:/ { print $2 }' /proc/$(pgrep -x redis-server)/status) / 1024)) MiB"
systemd-run -q --unit=bench-hotcold --slice=work.slice $D/guest/hotcold --hot-mib "$HOTCOLD_HOT" \
	--cold-mib "$HOTCOLD_COLD" --seconds 100000 --cold-every-ms 100000000 --hot-pause-ms 200
# The cold file's page cache is charged to a leaf that lives all boot
# (reset reads it from there): a transient unit's cgroup would be removed
# and its pages moved up to work.slice itself.
systemd-run -q --unit=bench-coldfile --slice=work.slice sleep infinity
dd if=/dev/urandom of=/var/tmp/cold.file bs=1M count="$COLD_FILE" 2>/dev/null
sync
echo 1 >/proc/sys/vm/drop_caches
wait_until 120 sh -c "[ \$(awk '\$1 == \"anon\" { print \$2 }' $W/memory.stat) -ge $(((HOTCOLD_HOT + HOTCOLD_COLD) << 20)) ]"
$D/guest/rget 6379 "$HOT" "$RATE" 10 "$CLIENTS" >$OUT/idle.rget 2>&1
say "work.slice: current $(($(cat $W/memory.current) >> 20)) MiB; idle rget at $RATE/s: $(cat $OUT/idle.rget)"

for r in $(seq 1 "$ROUNDS"); do
	for c in $CONFIGS; do
		run "$c" "$r"
		save
	done
done

systemctl stop $SERVICES
dmesg >$OUT/dmesg.txt
save
say "results: $(stat -c %s /tmp/offbench.tgz) bytes on vdc"
echo DONE
