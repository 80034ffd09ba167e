#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# sd_notify under a real NOTIFY_SOCKET: READY=1 with STATUS=, WATCHDOG=1
# pings, pings that stop when a node thread is stuck, STOPPING=1.
# Part 1 drives notify.c through tests/unit/test-notify's "driver" (two
# node threads, node1 stops beating); part 2 does the same checks on the
# real daemon (reclaimd --root=FIXTURE --dry-run).
#
# Output: TAP.

: "${top_builddir:=.}" "${top_srcdir:=.}"
helper="$top_builddir/tests/unit/test-notify"
tmp=$(mktemp -d /tmp/notify-sh-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..7"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# WatchdogSec=0.9s: ticks every 150 ms, a heartbeat is stale after 300 ms.
"$helper" listen 900000 10000 "$helper" driver 1000 2500 >"$tmp/out" 2>"$tmp/err"
rc=$?

check "driver exits 0" '[ $rc -eq 0 ]'
check "first message is READY=1 with STATUS=" \
	'head -n1 "$tmp/out" | grep -q " READY=1|STATUS=driver: 2 nodes up$"'
# Pings while both threads beat (1 s at one per 150 ms: expect about 7).
pings_before=$(awk '/STATUS=driver: node1 stuck/ { exit } / WATCHDOG=1$/ { c++ } END { print c + 0 }' "$tmp/out")
check "WATCHDOG=1 pings while every thread beats ($pings_before)" '[ "$pings_before" -ge 3 ]'
# After node1 stops: stale after 300 ms, next tick within 150 ms; 400 ms of
# slack for a loaded machine. None may follow that.
late=$(awk '/STATUS=driver: node1 stuck/ { t = $1 } t && / WATCHDOG=1$/ && $1 > t + 0.85 { c++ } END { print c + 0 }' "$tmp/out")
check "no WATCHDOG=1 once node1 is stuck (late pings: $late)" '[ "$late" -eq 0 ] && grep -q "node1 stuck" "$tmp/out"'
check "the withheld pings are logged once" \
	'[ "$(grep -c "Thread node1 made no progress .* withholding watchdog pings" "$tmp/err")" -eq 1 ]'
check "last message is STOPPING=1" 'tail -n1 "$tmp/out" | grep -q " STOPPING=1$"'

# Part 2: the real daemon.
daemon="$top_builddir/reclaimd"
root="$top_srcdir/tests/fixtures/host-6.18-1node"
{
	: >"$tmp/empty.conf"
	"$helper" listen 1000000 3000 "$daemon" --root="$root" --dry-run \
		--config="$tmp/empty.conf" --socket="$tmp/control.sock" \
		>"$tmp/out" 2>"$tmp/err"
	check "reclaimd --dry-run sends READY=1, STATUS= and WATCHDOG=1" \
		'grep -q " READY=1" "$tmp/out" && grep -q "STATUS=." "$tmp/out" &&
		 [ "$(grep -c " WATCHDOG=1$" "$tmp/out")" -ge 3 ] && grep -q "STOPPING=1" "$tmp/out"'
}
