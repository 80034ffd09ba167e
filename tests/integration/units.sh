#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The generated systemd units: `systemd-analyze verify` is clean (no output,
# exit 0) and `systemd-analyze security --offline=true` rates the service's
# exposure 2.0 or better; plus the settings the daemon depends on.
#
# verify checks that ExecStart= exists and that the Documentation= man
# pages exist. The units carry the configured paths (@sbindir@, ...), where
# nothing is installed yet, so they are verified with --root= on a scratch
# tree that holds the units, the built reclaimd at its configured path, the
# host's system units (for sysinit.target etc.) and /bin/kill; the man pages
# come from the build (MANPATH), or --man=no when scdoc is missing.
#
# Output: TAP.

: "${top_builddir:=.}" "${top_srcdir:=.}"
service="$top_builddir/systemd/reclaimd.service"
socket="$top_builddir/systemd/reclaimd.socket"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not installed (apt-get install systemd)"
	exit 0
fi
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -f "$d/sysinit.target" ] && sysunits=$d && break
done
if [ -z "$sysunits" ]; then
	echo "1..0 # SKIP no system units (sysinit.target) to verify against"
	exit 0
fi

tmp=$(mktemp -d /tmp/units-sh-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..11"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

root="$tmp/root"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$service")
mkdir -p "$root/etc/systemd/system" "$root${exec_start%/*}" "$root/bin" "$root/usr/lib/systemd"
cp "$service" "$socket" "$root/etc/systemd/system/"
cp "$top_builddir/reclaimd" "$root$exec_start"
kill_bin=$(sed -n 's/^ExecReload=\([^ ]*\).*/\1/p' "$service")
cp "$kill_bin" "$root$kill_bin"
cp -R "$sysunits" "$root/usr/lib/systemd/system"
[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"

man=--man=no
if [ -f "$top_builddir/docs/reclaimd.8" ]; then
	mkdir -p "$tmp/man/man1" "$tmp/man/man8" "$tmp/man/man5"
	cp "$top_builddir/docs/reclaimctl.1" "$tmp/man/man1/"
	cp "$top_builddir/docs/reclaimd.8" "$tmp/man/man8/"
	cp "$top_builddir/docs/reclaimd.conf.5" "$tmp/man/man5/"
	man=--man=yes
	export MANPATH="$tmp/man"
fi

systemd-analyze verify "$man" --root="$root" reclaimd.service reclaimd.socket >"$tmp/out" 2>&1
rc=$?
check "systemd-analyze verify $man: exit 0 ($rc) and no output" '[ $rc -eq 0 ] && [ ! -s "$tmp/out" ]'

# The check is not vacuous: a unit with a bad key or a missing binary fails.
sed 's/^LockPersonality=yes/LockPersonality=yes\nNoSuchSetting=1/' "$service" >"$root/etc/systemd/system/reclaimd.service"
systemd-analyze verify "$man" --root="$root" reclaimd.service >"$tmp/out" 2>&1
check "verify reports an unknown key" 'grep -q "Unknown key .NoSuchSetting." "$tmp/out"'
cp "$service" "$root/etc/systemd/system/"

systemd-analyze security --offline=true "$service" >"$tmp/out" 2>&1
score=$(sed -n 's/.*Overall exposure level for reclaimd.service: \([0-9.]*\).*/\1/p' "$tmp/out")
check "security --offline exposure $score <= 2.0" \
	'[ -n "$score" ] && awk -v s="$score" "BEGIN { exit !(s <= 2.0) }"'

grep -v '^#' "$service" >"$tmp/svc"
check "Type=notify with ExecReload=kill -HUP and WatchdogSec=" \
	'grep -qx "Type=notify" "$tmp/svc" && grep -qx "ExecReload=/bin/kill -HUP \$MAINPID" "$tmp/svc" && grep -q "^WatchdogSec=[1-9]" "$tmp/svc"'
# Its own user with exactly three capabilities, bounding and ambient alike
# (issue 15): the guest's hardening scenario checks CapEff of the process.
caps() { sed -n "s/^$1=//p" "$tmp/svc" | tr ' ' '\n' | grep . | sort | paste -sd' ' -; }
want_caps="CAP_DAC_OVERRIDE CAP_IPC_LOCK CAP_SYS_RESOURCE"
check "User=reclaimd Group=reclaimd; bounding ($(caps CapabilityBoundingSet)) and ambient ($(caps AmbientCapabilities)) capabilities are exactly $want_caps" \
	'grep -qx "User=reclaimd" "$tmp/svc" && grep -qx "Group=reclaimd" "$tmp/svc" &&
	 [ "$(grep -c "^CapabilityBoundingSet=" "$tmp/svc")" = 1 ] && [ "$(grep -c "^AmbientCapabilities=" "$tmp/svc")" = 1 ] &&
	 [ "$(caps CapabilityBoundingSet)" = "$want_caps" ] && [ "$(caps AmbientCapabilities)" = "$want_caps" ]'
check "the sysusers file makes that user: u reclaimd" \
	'grep -q "^u reclaimd " "$top_srcdir/systemd/sysusers/reclaimd.conf"'
# Continuation lines joined: one line per setting.
sed -e ':a' -e '/\\$/{N;s/\\\n[[:space:]]*/ /;ba' -e '}' "$tmp/svc" >"$tmp/svc1"
rwpaths() { sed -n 's/^ReadWritePaths=//p' "$tmp/svc1" | tr -s ' ' '\n'; }
check "writes only cgroupfs and node0..63/reclaim and /compact: ProtectKernelTunables=yes, no ProtectControlGroups=, ProcSubset=pid" \
	'! grep -q "^ProtectControlGroups=yes" "$tmp/svc1" && ! grep -q "^ProcSubset=pid" "$tmp/svc1" &&
	 grep -qx "ProtectSystem=strict" "$tmp/svc1" && grep -qx "ProtectKernelTunables=yes" "$tmp/svc1" &&
	 grep -qx "ReadWritePaths=/sys/fs/cgroup" "$tmp/svc1" &&
	 [ "$(rwpaths | grep -c "^-/sys/devices/system/node/node[0-9]*/reclaim$")" = 64 ] &&
	 [ "$(rwpaths | grep -c "^-/sys/devices/system/node/node[0-9]*/compact$")" = 64 ] &&
	 [ "$(rwpaths | grep -vc -e "^/sys/fs/cgroup$" -e "^-/sys/devices/system/node/node[0-9]*/reclaim$" \
		-e "^-/sys/devices/system/node/node[0-9]*/compact$")" = 0 ]'
check "skipped where it cannot work: ConditionPathExists= PSI and cgroup v2" \
	'grep -qx "ConditionPathExists=/proc/pressure/memory" "$tmp/svc1" &&
	 grep -qx "ConditionPathExists=/sys/fs/cgroup/cgroup.controllers" "$tmp/svc1"'
printf '[Reclaim]\nSwappiness=300\n' >"$tmp/bad.conf"
"$top_builddir/reclaimd" --config="$tmp/bad.conf" >"$tmp/out" 2>&1
rc=$?
prevent=$(sed -n 's/^RestartPreventExitStatus=//p' "$tmp/svc1")
check "a config error exits $rc, which RestartPreventExitStatus=$prevent keeps from restarting" \
	'[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" = "$prevent" ] && grep -q "bad.conf:2" "$tmp/out"'
# No MemoryMin=/MemoryLow=: without the same on system.slice they protect
# nothing against node or global reclaim (mlockall() keeps the pages).
check "stays resident: OOMScoreAdjust=-1000, no MemoryMin=/MemoryLow=, RuntimeDirectory=reclaimd" \
	'! grep -q "^Memory\(Min\|Low\)=" "$tmp/svc" && grep -qx "OOMScoreAdjust=-1000" "$tmp/svc" &&
	 grep -qx "RuntimeDirectory=reclaimd" "$tmp/svc"'
check "socket: control.sock, SocketMode=0660, SocketGroup=reclaimd" \
	'grep -q "^ListenStream=/.*/reclaimd/control.sock$" "$socket" && grep -qx "SocketMode=0660" "$socket" &&
	 grep -qx "SocketGroup=reclaimd" "$socket"'
