# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.1
# vm-timeout: 90
#
# 6.1 only: it is about a kernel without memory.reclaim's swappiness=
# argument (6.8+), which 6.12 and 6.18 have.
#
# Old kernel (6.1): memory.reclaim has no swappiness= argument. reclaimd
# must detect that (status features.swappiness_arg false) and still reclaim:
# an explicit cgroup reclaim and a boost both free page cache.

vm_cache load/a 300 0
vm_cache load/b 200 0
vm_need_daemon
ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
# Feature names are free-form (docs/protocol.md): every features.*swappiness*
# flag but the "probed" one must be false.
feat=$(awk -F '\t' '$1 ~ /^features\.[a-z_]*swappiness[a-z_]*$/ && $1 !~ /probed/ { printf "%s=%s ", substr($1, 10), $2 }' /tmp/scenario.status)
[ -n "$feat" ] || vm_fail "status features has no swappiness flag: $(grep '^features' /tmp/scenario.status | tr '\t\n' '= ')"
case "$feat" in *=true*) vm_fail "swappiness reported supported on $(uname -r): $feat" ;; esac

a0=$(cat $CG/load/a/memory.current)
ctl_ok reclaim reclaim cgroup /load/a $((64 << 20)) || vm_fail "reclaimctl reclaim cgroup /load/a 64M: $(cat /tmp/ctl.out)"
da=$((a0 - $(cat $CG/load/a/memory.current)))
[ $da -ge $((48 << 20)) ] || vm_fail "reclaim cgroup /load/a 64M freed only $(vm_mib $da) MiB"

b0=$(($(cat $CG/load/a/memory.current) + $(cat $CG/load/b/memory.current)))
ctl_ok boost boost 0 $((64 << 20)) || vm_fail "reclaimctl boost 0 64M: $(cat /tmp/ctl.out)"
boosted() {
	[ $((b0 - $(cat $CG/load/a/memory.current) - $(cat $CG/load/b/memory.current))) -ge $((48 << 20)) ]
}
vm_wait_until 30 boosted || vm_fail "boost 0 64M on 6.1 freed only $(vm_mib $((b0 - $(cat $CG/load/a/memory.current) - $(cat $CG/load/b/memory.current)))) MiB in 30 s"
kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died"
vm_pass "${feat% } on $(uname -r); reclaim cgroup freed $(vm_mib $da) MiB of 64; boost freed at least 48 MiB of 64"
