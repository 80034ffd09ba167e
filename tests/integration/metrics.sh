#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Prometheus side (issue 16, issue 17 B1): the real daemon's output
# passes `promtool check metrics` (Debian's prometheus package, installed by
# dev.sh), names follow the conventions (base units, _total only on
# counters, no family collision), build_info and start time are there,
# per-cgroup series appear for a cgroup reclaim touched, `stats --reset`
# leaves the exported counters alone, every family is documented in
# docs/protocol.md, and MetricsFile= is written, refuses a file it did not
# write (logging that once), and is removed on stop.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read the JSON replies"
command -v promtool >/dev/null 2>&1 ||
	skip_all "promtool is not installed (Debian package prometheus; ./dev.sh deps installs it)"

fx="$tmp/root"
fixture vm-6.12-4node "$fx"
# 40 more candidates, for the per-cgroup series cap (32).
for i in $(seq 40); do
	cp -r "$fx/sys/fs/cgroup/system.slice/cache.service" "$fx/sys/fs/cgroup/system.slice/c$i.service"
done
mkdir -m 0755 "$tmp/textfile"
prom="$tmp/textfile/reclaimd.prom"
cat >"$tmp/reclaimd.conf" <<CONF
[Control]
MetricsFile=$prom
CONF
check "daemon starts in dry-run on the 6.12 fixture with MetricsFile=" \
	start_daemon --root="$fx" \
	--config="$tmp/reclaimd.conf" --dry-run -l info
cache=/system.slice/cache.service
ctl reclaim cgroup "$cache" 1M >/dev/null 2>&1
ctl stats --format=prometheus >"$tmp/metrics" 2>&1
check "promtool check metrics passes over 'stats --format=prometheus'" \
	sh -c "promtool check metrics <'$tmp/metrics' >'$tmp/promtool.log' 2>&1"
sed 's/^/# promtool: /' "$tmp/promtool.log"

names() { sed -n 's/^# TYPE reclaimd_\([^ ]*\) \([a-z]*\)$/\1 \2/p' "$1"; }
names "$tmp/metrics" >"$tmp/families"
check "there are metric families" test -s "$tmp/families"
check "_total exactly on counters" sh -c "! awk '(\$2 == \"counter\") != (\$1 ~ /_total\$/)' '$tmp/families' | grep ."
check "no family in microseconds or other non-base units" \
	sh -c "! grep -E '_(usec|msec|ms|us|pages|kb|mb)( |_)' '$tmp/families'"
check "no gauge/counter collision (NAME and NAME_total)" \
	sh -c "! awk '{ n[\$1] = 1 } END { for (k in n) if ((k \"_total\") in n) print k }' '$tmp/families' | grep ."
version=$("$RECLAIMCTL" --version | sed 's/.* //')
check "reclaimd_build_info{version=\"$version\"} 1" \
	grep -qx "reclaimd_build_info{version=\"$version\"} 1" "$tmp/metrics"
check "reclaimd_start_time_seconds is within the last minute" python3 -c '
import re, sys, time
v = float(re.search(r"^reclaimd_start_time_seconds (\S+)$", open(sys.argv[1]).read(), re.M).group(1))
sys.exit(0 if time.time() - 60 < v <= time.time() else 1)' "$tmp/metrics"
check "histograms of balance-run and write durations" \
	sh -c "grep -q '^reclaimd_balance_duration_seconds_bucket{node=\"0\",le=\"+Inf\"}' '$tmp/metrics' &&
		grep -q '^# TYPE reclaimd_write_duration_seconds histogram' '$tmp/metrics'"
check "a cgroup reclaim touched has its series (dry run: 1 MiB asked)" \
	grep -qx "reclaimd_cgroup_requested_bytes_total{cgroup=\"$cache\"} 1048576" "$tmp/metrics"
check "the operator's cgroup reclaim is on the cgroup-wide context's series (context=\"cgroups\")" \
	grep -qx 'reclaimd_actuator_requested_bytes_total{context="cgroups"} 1048576' "$tmp/metrics"
check "a cgroup reclaim never touched has none" \
	sh -c "! grep -q 'cgroup=\"/limited.slice\"' '$tmp/metrics'"
check "the count of cgroups passes left out is exported per node (actuator_skipped_total; counted: test-actuator)" \
	grep -q '^reclaimd_actuator_skipped_total{node="0"} [0-9]' "$tmp/metrics"
check "cgroups_unexported is 0 below the cap" grep -qx "reclaimd_cgroups_unexported 0" "$tmp/metrics"

undocumented=$(awk '{ print $1 }' "$tmp/families" | while read -r f; do
	grep -q "reclaimd_$f\b" "$top_srcdir/docs/protocol.md" || echo "$f"
done)
[ -z "$undocumented" ] || diag "not in docs/protocol.md: $undocumented"
check "every metric family is documented in docs/protocol.md" test -z "$undocumented"

# --- stats --reset: a baseline for the table, never a reset of the exports
ctl stats --reset >/dev/null
ctl --json stats >"$tmp/stats.json"
check "after --reset the exported value still counts from start" \
	sh -c "ctl() { '$RECLAIMCTL' --socket='$tmp/sock' \"\$@\"; }; ctl stats --format=prometheus |
		grep -qx 'reclaimd_cgroup_requested_bytes_total{cgroup=\"$cache\"} 1048576'"
check "after --reset the JSON carries since_reset 0 beside value" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = next(c for c in d["counters"] if c["name"] == "cgroup_requested_bytes_total")
sys.exit(0 if c["value"] == 1048576 and c["since_reset"] == 0 else 1)' "$tmp/stats.json"
check "the table shows counters since the reset" \
	sh -c "'$RECLAIMCTL' --socket='$tmp/sock' stats | grep -q '^counters since the last reset'"

# --- the per-cgroup cap
for i in $(seq 40); do ctl reclaim cgroup "/system.slice/c$i.service" 1M >/dev/null 2>&1; done
ctl stats --format=prometheus >"$tmp/metrics40"
touched=$(ctl --json cgroups | json_get 'sum(1 for c in d["cgroups"] if c["requested_bytes"] > 0 or c["braked"])')
check "$touched touched cgroups (>= 41): 32 series per family" \
	test "$touched" -ge 41 -a "$(grep -c '^reclaimd_cgroup_requested_bytes_total{' "$tmp/metrics40")" -eq 32
check "the rest, $((touched - 32)), counted as unexported" \
	grep -qx "reclaimd_cgroups_unexported $((touched - 32))" "$tmp/metrics40"
check "promtool passes with the cap reached" sh -c "promtool check metrics <'$tmp/metrics40'"

# --- MetricsFile=
written() { [ -s "$prom" ]; }
check "MetricsFile= is written within 7 s" wait_for 7 written
check "promtool check metrics passes over MetricsFile=" sh -c "promtool check metrics <'$prom'"
check "no temporary file is left beside it" sh -c "! ls '$tmp/textfile' | grep -q tmp"
check "daemon stops cleanly" stop_daemon
check "MetricsFile= is removed on stop" test ! -e "$prom"

# A file reclaimd did not write is never replaced; the refusal is logged once.
printf 'root:x:0:0\n' >"$tmp/textfile/passwd"
cat >"$tmp/reclaimd.conf" <<CONF
[Control]
MetricsFile=$tmp/textfile/passwd
CONF
check "daemon starts with MetricsFile= naming a foreign file" \
	start_daemon --root="$top_srcdir/tests/fixtures/vm-6.12-4node" \
	--config="$tmp/reclaimd.conf" --dry-run -l info
sleep 11
check "the foreign file is untouched after two refresh periods" \
	test "$(cat "$tmp/textfile/passwd")" = "root:x:0:0"
check "the refusal is logged exactly once" \
	test "$(grep -c 'MetricsFile=.*not replacing it' "$tmp/daemon.log")" -eq 1
check "daemon stops cleanly" stop_daemon
check "the foreign file survives the stop" test "$(cat "$tmp/textfile/passwd")" = "root:x:0:0"
tap_done
