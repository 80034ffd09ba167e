# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12
# vm-timeout: 120
#
# Stop mid-write: SIGTERM while a memory.reclaim write is deep in the
# kernel. The write loops until it has the bytes asked, ending early only
# on a signal pending for the writing thread (EINTR); a CI run of 6.12 saw
# an offload write outlive a SIGTERM by 30 s, the unit's TimeoutStopSec=.
# Here cold.slice holds 600 MiB of anonymous memory that zram compresses
# about 2:1, and an operator's 100 GiB reclaim writes 1 GiB at a time
# (StepSize=1G, no rate limit): under TCG one write swaps for seconds. The
# daemon must be gone within 10 s of SIGTERM (a third of the unit's
# TimeoutStopSec=; 0.2-1 s alone, 3 s in a fresh-clone CI run), its write
# cut short by the join's kick (src/basic/kick.h) and logged as such, and
# the client told.
#
# Not on 6.1: there memory.reclaim's one try asks the whole remainder
# (later kernels try a quarter of it at a time) and checks for a signal only
# between tries, so the stop waits for the try: a run there cut the 1 GiB
# write short after 8.0 s, 6 s after SIGTERM. What bounds a stop on 6.1 is
# StepSize= (32 MiB by default), as reclaimd(8) says.

STOP_MAX_S=10
cat >$CONF <<CONF
[Reclaim]
StepSize=1G
RateLimit=0
PSITrigger=off
PSIBoost=0
SystemBrake=100%
PressureLimit=100%
CONF
vm_need_swap
vm_anon cold.slice 600 0
[ "$(vm_memstat cold.slice anon)" -ge $((580 << 20)) ] || vm_fail "hog did not fill 600 MiB (anon $(vm_memstat cold.slice anon))"
vm_need_daemon
pid=$DAEMON_PID
steal0=$(vm_memstat cold.slice pgsteal)
ctl reclaim cgroup /cold.slice 100G >/tmp/scenario.ctl 2>&1 &
ctl_pid=$!
# In the write: the cgroup loses pages, and the client still waits.
inwrite() { [ $(($(vm_memstat cold.slice pgsteal) - steal0)) -gt 4096 ]; }
vm_wait_until 30 inwrite || vm_fail "no reclaim from cold.slice within 30 s of the operator's reclaim ($(cat /tmp/scenario.ctl))"
kill -0 $ctl_pid 2>/dev/null || vm_fail "the 100 GiB reclaim ended before the stop: $(cat /tmp/scenario.ctl)"
worker=$(for t in /proc/$pid/task/*; do [ "$(cat $t/comm)" = reclaimd/ctl ] && echo $t; done)
vm_note "stop: the control worker before SIGTERM: $(vm_thread_cpu $worker 2>/dev/null); cold.slice pgsteal +$(($(vm_memstat cold.slice pgsteal) - steal0)) pages"
kill -0 $ctl_pid 2>/dev/null || vm_fail "the 100 GiB reclaim ended before the stop: $(cat /tmp/scenario.ctl)"

t0=$(cut -d' ' -f1 /proc/uptime)
kill -TERM $pid
i=0
while vm_alive $pid && [ $i -lt $((STOP_MAX_S * 10)) ]; do
	sleep 0.1
	i=$((i + 1))
done
if vm_alive $pid; then
	why=$(vm_threads $pid)
	# vm_run_scenario's stop waits for it and kills it.
	vm_fail "reclaimd still running ${STOP_MAX_S} s after SIGTERM; its threads: $why"
fi
stop_ms=$(awk -v a=$t0 -v b=$(cut -d' ' -f1 /proc/uptime) 'BEGIN { printf "%d", (b - a) * 1000 }')
rm -f /tmp/reclaimd.pid
wait $ctl_pid
ctl_rc=$?
cut=$(grep "Stopping: a memory.reclaim write of 1.0G cut short" $DAEMON_LOG | head -n 1)
[ -n "$cut" ] || vm_fail "the daemon stopped in ${stop_ms} ms, but the operator's 1 GiB write was not cut short (the log says: $(tail -n 3 $DAEMON_LOG | tr '\n' ' '))"
grep -q "stopping" /tmp/scenario.ctl ||
	vm_fail "the daemon stopped in ${stop_ms} ms, but the client was not told it stopped (exit $ctl_rc: $(cat /tmp/scenario.ctl))"
vm_pass "SIGTERM mid-write: gone in ${stop_ms} ms (bound ${STOP_MAX_S} s); ${cut#*: }; the client got exit $ctl_rc: $(tr '\n' ' ' </tmp/scenario.ctl | cut -c1-120)"
