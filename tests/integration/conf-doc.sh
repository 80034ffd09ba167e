#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The config as an operator meets it outside the daemon: the shipped
# etc/reclaimd.conf.in is exactly what the config table prints (help texts,
# defaults, the restart-only marks), and --check-config answers at once on
# a FIFO (issue 17 B6: it used to block in open()).
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
check "--check-config with a FIFO drop-in fails at once (status $rc)" [ "$rc" -eq 1 ]
check "and names the drop-in" grep -q "10-fifo.conf: not a regular file" "$tmp/out"

tap_done
