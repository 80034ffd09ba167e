# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.1
# vm-timeout: 90
#
# Old kernel (6.1): memory.reclaim has no swappiness= argument. reclaimd
# must detect that (status features.swappiness_arg false) and still reclaim:
# an explicit cgroup reclaim and a boost both free page cache.

vm_need_daemon
vm_cache load/a 300 0
vm_cache load/b 200 0
ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
feat=$(jget /tmp/scenario.status features.swappiness_arg)
[ "$feat" = false ] || vm_fail "features.swappiness_arg is '$feat' on $(uname -r), expected false"

a0=$(cat $CG/load/a/memory.current)
ctl reclaim --cgroup /load/a $((64 << 20)) >/tmp/scenario.out 2>&1 || vm_fail "reclaimctl reclaim --cgroup /load/a 64M: $(cat /tmp/scenario.out)"
da=$((a0 - $(cat $CG/load/a/memory.current)))
[ $da -ge $((48 << 20)) ] || vm_fail "reclaim --cgroup /load/a 64M freed only $(vm_mib $da) MiB"

b0=$(($(cat $CG/load/a/memory.current) + $(cat $CG/load/b/memory.current)))
ctl boost 0 $((64 << 20)) >/tmp/scenario.out 2>&1 || vm_fail "reclaimctl boost 0 64M: $(cat /tmp/scenario.out)"
boosted() {
	[ $((b0 - $(cat $CG/load/a/memory.current) - $(cat $CG/load/b/memory.current))) -ge $((48 << 20)) ]
}
vm_wait_until 30 boosted || vm_fail "boost 0 64M on 6.1 freed only $(vm_mib $((b0 - $(cat $CG/load/a/memory.current) - $(cat $CG/load/b/memory.current)))) MiB in 30 s"
kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died"
vm_pass "swappiness_arg=false on $(uname -r); reclaim --cgroup freed $(vm_mib $da) MiB of 64; boost freed at least 48 MiB of 64"
