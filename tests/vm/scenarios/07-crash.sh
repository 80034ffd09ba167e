# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 120
#
# Crash safety: kill -9 while reclaimd is in the middle of a large reclaim
# leaves nothing behind: every memory.{min,low,high,max,swap.max} in the
# tree and the vm sysctls are as before, no process is left in its cgroup,
# and a restarted daemon answers on the same socket path.

vm_cache load/a 400 0
vm_cache load/b 400 1
vm_anon load/c 100 0
vm_need_daemon

limits() {
	find $CG -type d | sort | while read -r d; do
		for f in memory.min memory.low memory.high memory.max memory.swap.max memory.swap.high memory.oom.group; do
			[ -e $d/$f ] && echo "$d/$f $(cat $d/$f)"
		done
	done
	for s in vm.watermark_scale_factor vm.min_free_kbytes vm.swappiness vm.watermark_boost_factor \
		vm.vfs_cache_pressure vm.dirty_ratio; do
		echo "$s $(sysctl -n $s)"
	done
}
limits >/tmp/scenario.limits0

for n in $(ls -d /sys/devices/system/node/node[0-9]* | sed 's/.*node//'); do
	ctl boost "$n" $((300 << 20)) >/dev/null 2>&1
done
ctl reclaim cgroup /load $((300 << 20)) >/dev/null 2>&1 &
sleep 1.5
kill -9 $DAEMON_PID
wait $DAEMON_PID 2>/dev/null
rm -f /tmp/reclaimd.pid
sleep 1
limits >/tmp/scenario.limits1
if ! cmp -s /tmp/scenario.limits0 /tmp/scenario.limits1; then
	vm_fail "changed after kill -9: $(diff /tmp/scenario.limits0 /tmp/scenario.limits1 | grep '^[-+][^-+]' | tr '\n' ' ')"
fi
left=$(cat $CG/$DAEMON_CG/cgroup.procs | wc -l)
[ "$left" = 0 ] || vm_fail "$left processes left in $DAEMON_CG after kill -9"

echo "--- restart" >>$DAEMON_LOG
vm_daemon_start || vm_fail "restarted reclaimd does not answer on $SOCK (stale socket?)"
ctl_json status >/tmp/scenario.status || vm_fail "status after restart failed"
mode=$(jget /tmp/scenario.status mode)
[ "$mode" = running ] || vm_fail "restarted daemon in mode '$mode'"
vm_pass "kill -9 mid-reclaim: $(wc -l </tmp/scenario.limits0) limits and sysctls unchanged, nothing left; restart answers in mode running"
