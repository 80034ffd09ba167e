#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The config as an operator meets it outside the daemon: the shipped
# etc/reclaimd.conf.in is exactly what the config table prints (help texts,
# defaults, the restart-only marks), and --check-config answers at once on
# a FIFO (issue 17 B6: it used to block in open()). Then the daemon: what
# `reclaimctl config` shows is what runs, command-line values say so, and
# restart-only keys are refused by `set` and kept by a reload.
. "$(dirname "$0")/lib.sh"

"$top_builddir/reclaimd-conf-doc" conf |
	sed 's|^#Socket=.*|#Socket=@runstatedir@/reclaimd/control.sock|' >"$tmp/generated.conf"
check "etc/reclaimd.conf.in is what reclaimd-conf-doc prints (regenerate it)" \
	cmp -s "$tmp/generated.conf" "$top_srcdir/etc/reclaimd.conf.in"
marked() { grep -B1 "^#$1=" "$top_srcdir/etc/reclaimd.conf.in" | head -1 | grep -q "Read only at start"; }
for key in Socket AdminGroup MetricsFile; do
	check "the shipped config marks $key= as read only at start" marked $key
done
check "and no key that applies at runtime" sh -c \
	'[ "$(grep -c "Read only at start" "$1")" -eq 3 ]' - "$top_srcdir/etc/reclaimd.conf.in"

mkfifo "$tmp/fifo.conf"
timeout 10 "$RECLAIMD" --check-config --config="$tmp/fifo.conf" >"$tmp/out" 2>&1
rc=$?
check "--check-config on a FIFO fails at once (status $rc, not 124)" [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
check "and says why" grep -q "not a regular file" "$tmp/out"

mkdir "$tmp/dir.conf.d"
printf '[Reclaim]\nStepSize=8M\n' >"$tmp/dir.conf"
mkfifo "$tmp/dir.conf.d/10-fifo.conf"
timeout 10 "$RECLAIMD" --check-config --config="$tmp/dir.conf" >"$tmp/out" 2>&1
rc=$?
check "--check-config with a FIFO drop-in fails at once with EX_CONFIG (status $rc)" [ "$rc" -eq 78 ]
check "and names the drop-in" grep -q "10-fifo.conf: not a regular file" "$tmp/out"

fx="$top_srcdir/tests/fixtures/vm-6.12-4node"
printf '[Reclaim]\nStepSize=16M\n' >"$tmp/reclaimd.conf"
check "daemon starts in dry-run on the 6.12 fixture" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run
source_of() { ctl --json config | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(next(s["source"] + "=" + s["value"] for s in d["settings"] if s["key"] == sys.argv[1]))' "$1"; }
check "config: --dry-run shows as the command line's" \
	[ "$(source_of Reclaim.DryRun)" = "command line=yes" ]
check "config: --socket shows as the command line's" \
	[ "$(source_of Control.Socket)" = "command line=$tmp/sock" ]
check "config: a file value names its line" \
	[ "$(source_of Reclaim.StepSize)" = "$tmp/reclaimd.conf:2=16M" ]
ctl set Reclaim.DryRun no >"$tmp/out" 2>&1
check "set Reclaim.DryRun no is refused while --dry-run holds" \
	grep -q "command line" "$tmp/out"
check "and the daemon is still in dry-run" \
	[ "$(ctl --json status | json_get 'd["mode"]')" = dry-run ]
ctl set Control.MetricsFile "$tmp/m.prom" >"$tmp/out" 2>&1
check "set Control.MetricsFile is refused: needs a restart" grep -q "needs a restart" "$tmp/out"
check "and config still shows the running value" [ "$(source_of Control.MetricsFile)" = "default=" ]
check "set takes a systemd time span" ctl set Reclaim.RescanInterval "1min 30s"
check "config shows it as it runs" [ "$(source_of Reclaim.RescanInterval)" = "runtime=90s" ]
printf '[Reclaim]\nStepSize=8M\n[Control]\nMetricsFile=%s/m.prom\n' "$tmp" >"$tmp/reclaimd.conf"
check "reload with a changed restart-only key succeeds" ctl reload
check "config: the new file value is in force" [ "$(source_of Reclaim.StepSize)" = "$tmp/reclaimd.conf:2=8M" ]
check "config: the restart-only key keeps its running value" \
	[ "$(source_of Control.MetricsFile)" = "default=" ]
check "config: with a warning" sh -c \
	'"$1" --socket="$2" --json config | grep -q "MetricsFile=.*needs a restart"' - "$RECLAIMCTL" "$tmp/sock"
check "daemon stops cleanly" stop_daemon

tap_done
