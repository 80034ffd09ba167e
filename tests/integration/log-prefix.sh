#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# "<N>" priority prefixes on the real daemon's stderr only when journald
# reads it: JOURNAL_STREAM must name stderr's own device and inode (issue
# 16). A file or pipe with a stale JOURNAL_STREAM (inherited from a shell
# started under systemd) gets plain lines; the stream it names gets
# prefixes. Also: a dry run logs no line per would-be write at info.
. "$(dirname "$0")/lib.sh"

fx="$top_srcdir/tests/fixtures/vm-6.12-4node"
: >"$tmp/reclaimd.conf"

JOURNAL_STREAM=1:1 start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run -l info
ok $? "daemon starts with stderr to a file and a foreign JOURNAL_STREAM"
ctl boost 0 64M >/dev/null 2>&1
sleep 1
check "daemon stops cleanly" stop_daemon
check "lines are logged" grep -q "Stopped." "$tmp/daemon.log"
check "no line has a <N> prefix" sh -c "! grep -q '^<[0-7]>' '$tmp/daemon.log'"
check "no line per would-be write at info" sh -c "! grep -q 'would write' '$tmp/daemon.log'"

# The file itself as the journal stream: prefixes.
: >"$tmp/journal.log"
stream=$(stat -c '%d:%i' "$tmp/journal.log")
JOURNAL_STREAM=$stream "$RECLAIMD" --root="$fx" --config="$tmp/reclaimd.conf" \
	--socket="$tmp/sock" --dry-run -l info >>"$tmp/journal.log" 2>&1 &
daemon_pid=$!
answers() { "$RECLAIMCTL" --socket="$tmp/sock" status >/dev/null 2>&1; }
check "daemon starts with JOURNAL_STREAM naming its stderr" wait_for 5 answers
check "daemon stops cleanly" stop_daemon
check "every line has a <N> prefix" sh -c "grep -q . '$tmp/journal.log' && ! grep -qv '^<[0-7]>' '$tmp/journal.log'"
check "an info line is <6>" grep -q '^<6>Stopped.' "$tmp/journal.log"

# Docs and code equal: every MESSAGE_ID= in log.c is listed in reclaimd(8).
ids=$(sed -n 's/.*"MESSAGE_ID=\([0-9a-f]*\)".*/\1/p' "$top_srcdir/src/basic/log.c")
missing=
for id in $ids; do grep -q "$id" "$top_srcdir/docs/reclaimd.8.scd" || missing="$missing $id"; done
check "log.c has message ids" test -n "$ids"
check "every MESSAGE_ID is documented in reclaimd(8)$missing" test -z "$missing"
tap_done
