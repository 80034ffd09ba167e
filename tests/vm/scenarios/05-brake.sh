# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 120
#
# Brake: victim.slice thrashes (a 160 MiB hot set under memory.max=96M, so
# its own limit reclaim swaps it to zram constantly and its memory.pressure
# "some" grows far past PressureLimit=1%). reclaimd must report it braked and
# take nothing from it during a boost, and still reclaim calm.slice. (The
# limit reclaim leaves victim.slice little page cache, so "nothing taken" is
# the weaker check; "braked" is the one that bites.)

# The thrashing task is the only busy one, so /proc/pressure/memory grows
# too: the system-wide brake (SystemBrake) would stop all reclaim and the PSI
# trigger's boosts would drain calm.slice before the test boost. Both off, to
# test the per-cgroup brake alone.
cat >$CONF <<CONF
[Reclaim]
PressureWindow=2s
SystemBrake=100%
PSITrigger=off
PSIBoost=0

[CGroup /victim.slice]
PressureLimit=1%
CONF
vm_cache calm.slice 300 0
vm_cache victim.slice 64 0
echo 96M >$CG/victim.slice/memory.max
# The daemon and its event stream first: the brake going on is an event.
vm_need_daemon
vm_watch_start
vm_cg_run victim.slice taskset 2 /vm/bin/hotcold --hot-mib 160 --cold-mib 1 --seconds 100 --hot-pause-ms 0
some0=$(vm_psi_total $CG/victim.slice/memory.pressure some)
sleep 5
some1=$(vm_psi_total $CG/victim.slice/memory.pressure some)
[ $((some1 - some0)) -ge 500000 ] || vm_fail "victim.slice did not thrash: memory.pressure some +$((some1 - some0)) us in 5 s"

ctl_json cgroups >/tmp/scenario.cgroups || vm_fail "reclaimctl --json cgroups failed"
rv0=$(vm_cg_json_field /victim.slice reclaimed_bytes)
calm0=$(cat $CG/calm.slice/memory.current)
ctl_ok boost boost 0 $((128 << 20)) || vm_fail "reclaimctl boost 0: $(cat /tmp/ctl.out)"
sleep 8
ctl_json cgroups >/tmp/scenario.cgroups || vm_fail "reclaimctl --json cgroups failed"
rv1=$(vm_cg_json_field /victim.slice reclaimed_bytes)
braked=$(vm_cg_json_field /victim.slice braked)
reason=$(vm_cg_json_field /victim.slice brake_reason)
dcalm=$((calm0 - $(cat $CG/calm.slice/memory.current)))
[ "${rv1:-x}" = "${rv0:-y}" ] || vm_fail "thrashing victim.slice was reclaimed by reclaimd: reclaimed_bytes ${rv0:-absent} -> ${rv1:-absent}"
[ "$braked" = true ] || vm_fail "victim.slice not reported braked (memory.pressure some +$((some1 - some0)) us per 5 s): $(awk -F '\t' -v p=/victim.slice '$1 ~ /^cgroups\.[0-9]+\.path$/ { split($1, k, "."); if ($2 == p) w = k[2] } { split($1, k, "."); if (k[1] == "cgroups") f[k[2]] = f[k[2]] " " substr($1, length(k[1] k[2]) + 3) "=" $2 } END { print f[w] }' /tmp/scenario.cgroups)"
[ $dcalm -ge $((32 << 20)) ] || vm_fail "calm.slice gave only $(vm_mib $dcalm) MiB: reclaim stopped altogether"
# Issue 16: the transition is told once, as a log line naming the cgroup
# (CGROUP= in the journal, proven in tests/vm/debian) and a watch event.
vm_watch_stop
line=$(grep -m1 'cgroup /victim.slice: pressure brake on' $DAEMON_LOG)
vm_note "log: ${line:-none}"
[ -n "$line" ] || vm_fail "no 'cgroup /victim.slice: pressure brake on' line in the daemon's log"
non=$(vm_events 'ev("type") == "brake" && ev("cgroup") == "/victim.slice" && ev("on") == "true" && ev("reason") == "pressure"' | wc -l)
[ "$non" -ge 1 ] || vm_fail "no brake-on event for /victim.slice: $(vm_events 'ev("type") == "brake"' | tr '\t\n' ' ;')"
vm_pass "victim.slice braked (reason ${reason:-null}; brake event and log line; pressure +$((some1 - some0)) us/5 s), reclaimed_bytes stayed $rv0 through a 128 MiB boost while calm.slice gave $(vm_mib $dcalm) MiB"
