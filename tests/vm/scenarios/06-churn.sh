# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 150
#
# Churn: 24 cgroups are created with page cache and removed again while
# reclaimd reclaims from them (boosts on both nodes, explicit reclaims of
# cgroups that may be gone). The daemon must not crash, must not log an
# error storm, and must drop the removed cgroups from "reclaimctl cgroups".

cat >$CONF <<CONF
[Reclaim]
RescanInterval=1s
CONF
vm_need_daemon
lines0=$(wc -l <$DAEMON_LOG)
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | sed 's/.*node//')
errs=0
i=0
while [ $i -lt 24 ]; do
	vm_cache churn/cg$i 24 $((i % 2))
	for n in $nodes; do
		ctl_ok "cycle $i" boost "$n" $((16 << 20))
	done
	# Reclaim from a live cgroup and from one that is being removed.
	ctl_ok "cycle $i" reclaim cgroup /churn/cg$i $((8 << 20))
	if [ $i -ge 2 ]; then
		vm_cg_rm churn/cg$((i - 2)) &
		rm_pid=$!
		ctl_ok "cycle $i, removed cgroup" reclaim cgroup /churn/cg$((i - 2)) $((8 << 20))
		wait $rm_pid
	fi
	kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died at cycle $i: $(tail -n 3 $DAEMON_LOG | tr '\n' ' ')"
	i=$((i + 1))
done
vm_cg_rm churn/cg22
vm_cg_rm churn/cg23
[ -d $CG/churn/cg0 ] && vm_fail "cgroup removal itself failed"

# A reclaim of a cgroup that no longer exists is refused, not a crash.
ctl_ok "removed cgroup" reclaim cgroup /churn/cg5 $((1 << 20)) &&
	vm_fail "reclaim of the removed /churn/cg5 succeeded: $(cat /tmp/ctl.out)"

gone() {
	ctl_json cgroups >/tmp/scenario.cgroups 2>/dev/null &&
		! grep -q '^cgroups\.[0-9]*\.path	/churn/cg' /tmp/scenario.cgroups
}
vm_wait_until 10 gone || vm_fail "removed cgroups still listed: $(grep -o '/churn/cg[0-9]*' /tmp/scenario.cgroups | tr '\n' ' ')"
kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died"
ctl status >/dev/null 2>&1 || vm_fail "reclaimd stopped answering"
new=$(($(wc -l <$DAEMON_LOG) - lines0))
bad=$(tail -n "$new" $DAEMON_LOG | grep -ciE 'error|warn|fail')
# 24 removals: one line each at most is fine; a storm is a line per pass.
[ "$bad" -le 48 ] || vm_fail "error storm: $bad error/warning lines in the daemon log during churn"
vm_pass "24 cgroups created and removed under reclaim: daemon alive, $bad warning/error lines, removed cgroups dropped"
