#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What the watermark monitor reads (issue 14): each zone's free pages from
# /proc/buddyinfo at its own pace, the whole of /proc/zoneinfo (the marks,
# the kernel's boosts, the LRU sizes) at most once per MonitorIntervalMax=,
# and the node thread's snapshot the same free pages as the monitor. On a
# copy of the 6.18 fixture, whose two files are made to disagree: buddyinfo
# says the node is starved, zoneinfo that it is far above its marks.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"
fx="$tmp/root"
fixture host-6.18-1node "$fx"
: >"$fx/sys/devices/system/node/node0/reclaim"
cat >"$tmp/reclaimd.conf" <<CONF
[Reclaim]
MonitorIntervalMin=20ms
MonitorIntervalMax=1s
# A fixture frees nothing: no quota, so that the failing runs are quick.
RateLimit=0
CONF

# "TICKS ZONEINFO_READS": the monitor's two counters from one answer.
reads() {
	ctl --json stats | json_get "' '.join(str(sum(c['value'] for c in d['counters'] if c['name'] == n)) for n in ('monitor_ticks_total', 'monitor_zoneinfo_reads_total'))"
}
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
runs() { ctl --json nodes | json_get 'd["nodes"][0]["counters"]["runs"]'; }

check "daemon starts on the 6.18 fixture" start_daemon --root="$fx" --config="$tmp/reclaimd.conf"
sleep 1
check "far above the marks in both files: no run" [ "$(runs)" = 0 ]

# Every zone at 16 free pages in buddyinfo alone.
awk '{ printf "%s %s %s %8s %6d", $1, $2, $3, $4, 16; for (i = 6; i <= NF; i++) printf " %6d", 0; print " " }' \
	"$top_srcdir/tests/fixtures/host-6.18-1node/proc/buddyinfo" >"$tmp/buddyinfo.starved"
cat "$tmp/buddyinfo.starved" >"$fx/proc/buddyinfo"
ran() { [ "$(runs)" -ge 1 ]; }
check "a node that buddyinfo shows starved is woken, though zoneinfo's counter says it is not" \
	wait_for 5 ran
check "status shows buddyinfo's free pages: 16 a zone with managed pages" \
	[ "$(ctl --json nodes | json_get 'sorted({z["free"] for z in d["nodes"][0]["zones"]})')" = "[16]" ]
# With zoneinfo's free pages the woken run would find the node balanced
# and end at once, a wake for nothing (seen before the snapshot took them:
# its first run ended "balanced at priority 12" with no write).
wrote() { grep -Eq '^[0-9]+' "$fx/sys/devices/system/node/node0/reclaim"; }
check "the run's snapshot sees the same free pages: it wrote to node0/reclaim" wait_for 5 wrote
check "and no run ended balanced" \
	[ "$(ctl --json nodes | json_get 'd["nodes"][0]["counters"]["runs_ended"]["balanced"]')" = 0 ]

# Below the mark the monitor reads free memory every 20 ms, zoneinfo once
# a second.
r=$(reads); t0=${r% *}; z0=${r#* }
sleep 3
r=$(reads); t1=${r% *}; z1=${r#* }
diag "in 3 s: $((t1 - t0)) monitor reads, $((z1 - z0)) of the whole of zoneinfo"
check "the monitor reads free memory at MonitorIntervalMin= below the mark (>= 30 in 3 s)" \
	[ $((t1 - t0)) -ge 30 ]
check "and the whole of zoneinfo once per MonitorIntervalMax= (2 to 5 in 3 s)" \
	between $((z1 - z0)) 2 5

# A mark the kernel changes (min_free_kbytes, a boost) is in zoneinfo only:
# seen within MonitorIntervalMax=.
high() { [ "$(ctl --json nodes | json_get '13700 in [z["high"] for z in d["nodes"][0]["zones"]]')" = True ]; }
not_high() { ! high; }
check "no zone's high mark is 13700 before" not_high
# (Rewritten in place: the daemon keeps its files open.)
sed '0,/^        high     13676$/s//        high     13700/' "$fx/proc/zoneinfo" >"$tmp/zi" &&
	cat "$tmp/zi" >"$fx/proc/zoneinfo"
check "a changed mark in zoneinfo is seen within MonitorIntervalMax=" wait_for 3 high

# buddyinfo gone unreadable: the whole of zoneinfo on every read, as
# without it, and the daemon goes on. zoneinfo starved too, so that the
# monitor keeps its fastest pace.
printf 'garbage\n' >"$fx/proc/buddyinfo"
awk '/^  pages free/ { print "  pages free     16"; next } { print }' "$fx/proc/zoneinfo" >"$tmp/zi" &&
	cat "$tmp/zi" >"$fx/proc/zoneinfo"
sleep 0.5
r=$(reads); t0=${r% *}; z0=${r#* }
sleep 1
r=$(reads); t1=${r% *}; z1=${r#* }
check "an unreadable buddyinfo: every monitor read is of zoneinfo ($((t1 - t0)) and $((z1 - z0)))" \
	sh -c '[ "$1" -ge 5 ] && [ "$2" -eq "$1" ]' - $((t1 - t0)) $((z1 - z0))
check "the fallback is logged once, not per read" \
	[ "$(grep -c "Failed to read the free pages of every node from buddyinfo" "$tmp/daemon.log")" = 1 ]
# Back, still starved: the monitor keeps its fastest pace.
cat "$tmp/buddyinfo.starved" >"$fx/proc/buddyinfo"
back() { grep -q "buddyinfo is readable again" "$tmp/daemon.log"; }
check "and so is the recovery" wait_for 3 back
r=$(reads); t0=${r% *}; z0=${r#* }
sleep 1
r=$(reads); t1=${r% *}; z1=${r#* }
check "after which the monitor reads free memory alone again ($((t1 - t0)) reads, $((z1 - z0)) whole)" \
	sh -c '[ "$1" -ge 5 ] && [ "$2" -le 2 ]' - $((t1 - t0)) $((z1 - z0))
check "daemon stops cleanly" stop_daemon
tap_done
