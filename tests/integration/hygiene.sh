#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What the daemon makes of odd kernel files (issue 17 B15), on a copy of
# the 6.12 fixture in dry-run: an absurd zoneinfo value is shown saturated,
# not wrapped; a PSI total that goes backwards is a new baseline, not a
# stall that wakes every node; a zoneinfo that cannot be parsed is logged
# when that starts (each time) and when it ends.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"
fx="$tmp/root"
fixture vm-6.12-4node "$fx"
zi="$fx/proc/zoneinfo"
cp "$zi" "$tmp/zoneinfo.good"
# 2^62 free pages in node 0's first zone: 2^74 bytes, which wrapped to 0.
sed -i '0,/pages free     3776/s//pages free     4611686018427387904/' "$zi"
: >"$tmp/reclaimd.conf"

check "daemon starts in dry-run on the 6.12 fixture" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run -l info

max=18446744073709551615
check "status: an absurd free figure saturates at 2^64-1, not wraps" \
	[ "$(ctl --json status | json_get 'd["nodes"][0]["free_bytes"]')" = "$max" ]
check "nodes: the zone's free_bytes saturates too" \
	[ "$(ctl --json nodes | json_get 'd["nodes"][0]["zones"][0]["free_bytes"]')" = "$max" ]
check "stats: free_bytes of node 0 saturates" \
	[ "$(ctl --json stats | json_get '[c["value"] for c in d["counters"] if c["name"] == "free_bytes" and c["labels"]["node"] == "0"][0]')" = "$max" ]

# PSI (polled: a fixture file takes no trigger): totals that go backwards.
psi_events() { ctl --json stats | json_get '[c["value"] for c in d["counters"] if c["name"] == "psi_events_total"][0]'; }
ticks() { ctl --json stats | json_get '[c["value"] for c in d["counters"] if c["name"] == "monitor_ticks_total"][0]'; }
before=$(psi_events)
printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=100\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=50\n' \
	>"$fx/proc/pressure/memory"
t0=$(ticks)
polled() { [ "$(ticks)" -ge $((t0 + 3)) ]; }
wait_for 10 polled
sleep 1
check "a PSI total going backwards wakes nothing (psi_events_total $before -> $(psi_events))" \
	[ "$(psi_events)" = "$before" ]

# zoneinfo unparsable, back, unparsable again: three log lines.
failed() { grep -c "Failed to re-read zoneinfo" "$tmp/daemon.log"; }
printf 'garbage\n' >"$zi"
one() { [ "$(failed)" -ge 1 ]; }
check "a zoneinfo read error is logged" wait_for 10 one
sleep 2
check "once per episode, not per tick" [ "$(failed)" = 1 ]
cp "$tmp/zoneinfo.good" "$zi"
back() { grep -q "zoneinfo is readable again" "$tmp/daemon.log"; }
check "the recovery is logged" wait_for 10 back
printf 'garbage\n' >"$zi"
two() { [ "$(failed)" -ge 2 ]; }
check "a second episode is logged again" wait_for 10 two
cp "$tmp/zoneinfo.good" "$zi"

check "daemon stops cleanly" stop_daemon
tap_done
