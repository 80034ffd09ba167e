# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 60
#
# Security: a client that is neither root nor in the admin group may read
# (status) but is refused set, reclaim, boost and pause, and none of them
# takes effect. The socket is opened to everyone (mode 0666) so that the
# daemon's own peer-credential check is what is tested, not file modes.

vm_need_daemon
chmod 0666 $SOCK
nobody() {
	/vm/bin/runas 65534 65534 $RECLAIMCTL --socket=$SOCK "$@"
}
nobody status >/tmp/scenario.out 2>&1 || vm_fail "unprivileged status refused: $(cat /tmp/scenario.out)"
vm_cache load 64 0
cur0=$(cat $CG/load/memory.current)
for cmd in "set Reclaim.StepSize 1M" "reclaim cgroup /load 16777216" "boost 0 16777216" "pause"; do
	# shellcheck disable=SC2086
	if nobody $cmd >/tmp/scenario.out 2>&1; then
		vm_fail "unprivileged '$cmd' was accepted: $(cat /tmp/scenario.out)"
	fi
	grep -qiE 'EPERM|permi' /tmp/scenario.out ||
		vm_fail "unprivileged '$cmd' failed without saying why: $(cat /tmp/scenario.out)"
done
ctl_json status >/tmp/scenario.status || vm_fail "root status failed"
[ "$(jget /tmp/scenario.status mode)" = running ] || vm_fail "mode is $(jget /tmp/scenario.status mode) after a refused pause"
d=$((cur0 - $(cat $CG/load/memory.current)))
[ $d -le $((4 << 20)) ] || vm_fail "refused reclaim still freed $(vm_mib $d) MiB"
ctl --json config >/tmp/scenario.config 2>/dev/null
grep -q '"runtime"' /tmp/scenario.config && vm_fail "a refused set changed the config: $(grep -o '"key": *"[^"]*"[^}]*runtime' /tmp/scenario.config)"
ctl pause >/tmp/scenario.out 2>&1 || vm_fail "root pause refused: $(cat /tmp/scenario.out)"
ctl resume >/dev/null 2>&1
vm_pass "uid 65534: status allowed; set, reclaim, boost, pause refused with EPERM and without effect; root pause allowed"
