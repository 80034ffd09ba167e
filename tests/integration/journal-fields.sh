#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Structured journal fields, live (issue 16): run under systemd with
# journald (the Debian systemd guest, tests/vm/debian). Starts reclaimd as a
# transient service on the 6.12 fixture in dry-run, causes a run end, a
# reload and (with -l debug) run-end entries, then asks journalctl for them
# by field: NODE=, PRIORITY_LEVEL=, RECLAIMED_BYTES=, MESSAGE_ID=, and checks
# that no MESSAGE= kept a "<N>" prefix (journald strips it only when it
# reads stderr, so a leftover means the stream decision was wrong).
#
# Usage: [top_builddir=DIR] [top_srcdir=DIR] [RECLAIMD=PATH RECLAIMCTL=PATH]
# journal-fields.sh (installed binaries: RECLAIMD=/usr/sbin/reclaimd
# RECLAIMCTL=/usr/bin/reclaimctl). TAP; skips without systemd.
reclaimd_bin=${RECLAIMD:-}
reclaimctl_bin=${RECLAIMCTL:-}
. "$(dirname "$0")/lib.sh"
[ -n "$reclaimd_bin" ] && RECLAIMD=$reclaimd_bin
[ -n "$reclaimctl_bin" ] && RECLAIMCTL=$reclaimctl_bin

[ -d /run/systemd/system ] || skip_all "not running under systemd"
command -v journalctl >/dev/null 2>&1 || skip_all "journalctl missing"
command -v systemd-run >/dev/null 2>&1 || skip_all "systemd-run missing"
[ "$(id -u)" = 0 ] || skip_all "needs root for a system service"

unit=reclaimd-journal-test-$$
fx="$tmp/root"
fixture vm-6.12-4node "$fx"
: >"$tmp/reclaimd.conf"
# The ids, from reclaimd(8) (and src/basic/log.c).
RUN_END=589561f1712540afbbed55c4510e1a71
RELOAD=38890e7e7aa84069bb1bd7702300d5d7
since=$(date '+%Y-%m-%d %H:%M:%S')

systemd-run --unit="$unit" --quiet -- "$RECLAIMD" --root="$fx" \
	--config="$tmp/reclaimd.conf" --socket="$tmp/sock" --dry-run -l debug
ok $? "reclaimd runs as the transient service $unit"
answers() { ctl status >/dev/null 2>&1; }
check "it answers on its socket" wait_for 10 answers
ctl boost 0 64M >/dev/null 2>&1
ctl reload >/dev/null 2>&1
sleep 2
systemctl stop "$unit" 2>/dev/null
journalctl --sync 2>/dev/null || sleep 1

j() { journalctl --no-pager --since="$since" -u "$unit" "$@"; }
check "the reload entry is found by MESSAGE_ID=" sh -c "journalctl --no-pager --since='$since' -u '$unit' MESSAGE_ID=$RELOAD -o cat | grep -q 'Configuration reloaded'"
j MESSAGE_ID=$RUN_END NODE=0 -o json >"$tmp/runs.json"
check "run-end entries are found by NODE=0 and MESSAGE_ID=" test -s "$tmp/runs.json"
check "a run-end entry carries PRIORITY_LEVEL= and RECLAIMED_BYTES=" python3 -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if e and all("PRIORITY_LEVEL" in x and "RECLAIMED_BYTES" in x for x in e) else 1)' "$tmp/runs.json"
check "NODE=1 finds no entry of node 0" sh -c "! journalctl --no-pager --since='$since' -u '$unit' NODE=1 -o cat | grep -q '^node 0:'"
check "no MESSAGE kept a <N> prefix" sh -c "! journalctl --no-pager --since='$since' -u '$unit' -o cat | grep -q '^<[0-7]>'"
check "info lines have PRIORITY=6" sh -c "journalctl --no-pager --since='$since' -u '$unit' -p info..info -o cat | grep -q 'Configuration reloaded'"
systemctl reset-failed "$unit" 2>/dev/null
tap_done
