# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 60
#
# Reload: a broken config on "reclaimctl reload" is reported (non-zero exit,
# the message names the file and line) and the running config stays; a good
# one is then taken.

cat >$CONF <<CONF
[Reclaim]
StepSize=16M
CONF
vm_need_daemon

# config_value KEY: the value "reclaimctl --json config" shows for KEY.
config_value() {
	ctl_json config >/tmp/scenario.cfg || return 1
	awk -F '\t' -v k="$1" '
		{ n = split($1, p, ".") }
		n == 3 && p[1] == "settings" && p[3] == "key" && $2 == k { want = p[2] }
		n == 3 && p[1] == "settings" && p[3] == "value" { v[p[2]] = $2 }
		END { if (want != "") print v[want] }' /tmp/scenario.cfg
}
v0=$(config_value Reclaim.StepSize)
[ -n "$v0" ] || vm_fail "config has no Reclaim.StepSize"

cat >$CONF <<CONF
[Reclaim]
StepSize=banana
CONF
if ctl_ok reload reload; then
	vm_fail "reload of a broken config succeeded: $(cat /tmp/ctl.out)"
fi
cp /tmp/ctl.out /tmp/scenario.broken
grep -q "$CONF:2" /tmp/scenario.broken || vm_fail "reload error does not name $CONF:2: $(cat /tmp/scenario.broken)"
kill -0 $DAEMON_PID 2>/dev/null || vm_fail "reclaimd died on a broken reload"
v1=$(config_value Reclaim.StepSize)
[ "$v1" = "$v0" ] || vm_fail "StepSize changed from '$v0' to '$v1' by a failed reload"

cat >$CONF <<CONF
[Reclaim]
StepSize=8M
CONF
ctl_ok reload reload || vm_fail "reload of a good config failed: $(cat /tmp/ctl.out)"
v2=$(config_value Reclaim.StepSize)
[ "$v2" != "$v0" ] || vm_fail "good reload did not change StepSize (still '$v2')"
vm_pass "broken reload refused ($(head -n 1 /tmp/scenario.broken | cut -c1-100)), StepSize stayed '$v0'; good reload took '$v2'"
