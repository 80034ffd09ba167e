#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole daemon on a fixture tree: the watermark monitor sees a node below
# its userspace low mark, wakes the node thread, balance runs write to the
# node's reclaim file, and since a fixture never frees anything, 16 runs that
# reclaim nothing make the node hopeless (MAX_RECLAIM_RETRIES); when its free
# memory recovers on its own it gets another chance. Policy on a fixture; the
# real kernel is proven in host-reclaim.sh and tests/vm.
. "$(dirname "$0")/lib.sh"

fx="$tmp/root"
fixture host-6.18-1node "$fx"
: >"$fx/sys/devices/system/node/node0/reclaim"
cp "$fx/proc/zoneinfo" "$tmp/zoneinfo.balanced"
# Every zone at 16 free pages: far below any low watermark.
awk '/^  pages free/ { print "  pages free     16"; next } { print }' \
	"$tmp/zoneinfo.balanced" >"$tmp/zoneinfo.starved"
# And buddyinfo the same (16 order-0 blocks a zone): a node thread reads
# each zone's free pages from it between passes.
cp "$fx/proc/buddyinfo" "$tmp/buddyinfo.balanced"
awk '{ printf "%s %s %s %8s %6d", $1, $2, $3, $4, 16; for (i = 6; i <= NF; i++) printf " %6d", 0; print " " }' \
	"$tmp/buddyinfo.balanced" >"$tmp/buddyinfo.starved"
starve() { cat "$tmp/zoneinfo.starved" >"$fx/proc/zoneinfo" && cat "$tmp/buddyinfo.starved" >"$fx/proc/buddyinfo"; }
recover() { cat "$tmp/zoneinfo.balanced" >"$fx/proc/zoneinfo" && cat "$tmp/buddyinfo.balanced" >"$fx/proc/buddyinfo"; }
starve
cat >"$tmp/reclaimd.conf" <<CONF
[Reclaim]
MonitorIntervalMin=20ms
MonitorIntervalMax=200ms
Paused=yes
# A fixture frees nothing: no quota, so that 16 failing runs are quick.
RateLimit=0

[Node 0]
WatermarkHeadroom=64M
CONF

check "daemon starts paused on the fixture tree" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf"
check "status says paused" [ "$(ctl --json status | json_get 'd["mode"]')" = paused ]
# [Node 0] WatermarkHeadroom=64M: every zone's userspace low mark is the
# kernel's high mark plus 16384 pages.
check "[Node 0] headroom override applies to every zone" \
	[ "$(ctl --json nodes | json_get 'set(z["user_low"] - z["high"] for z in d["nodes"][0]["zones"])')" = "{16384}" ]
ctl --json watch --events >"$tmp/events.json" 2>"$tmp/watch.err" &
watch_pid=$!
sleep 0.5
check "resume" sh -c "\"$RECLAIMCTL\" --socket=\"$tmp/sock\" resume >/dev/null"

nodes() { ctl --json nodes; }
hopeless() { [ "$(nodes | json_get 'd["nodes"][0]["hopeless"]')" = True ]; }
# The flag is set as the 16th run ends; the thread shows "hopeless" once it
# has gone to sleep on it, a moment later (a distcheck run under load read
# the flag True and the state of the run: "state is hopeless" failed). One
# answer with both.
hopeless_asleep() {
	nodes >"$tmp/nodes.json" &&
		[ "$(json_get 'd["nodes"][0]["hopeless"]' <"$tmp/nodes.json")" = True ] &&
		[ "$(json_get 'd["nodes"][0]["state"]' <"$tmp/nodes.json")" = hopeless ]
}
check "the starved node becomes hopeless after 16 failed runs" wait_for 20 hopeless
check "and its thread sleeps on it" wait_for 5 hopeless_asleep
check "woken by the watermark monitor" \
	[ "$(json_get 'd["nodes"][0]["wake_reason"]' <"$tmp/nodes.json")" = watermark ]
check "at least 16 balance runs (MAX_RECLAIM_RETRIES)" \
	[ "$(json_get 'd["nodes"][0]["counters"]["runs"]' <"$tmp/nodes.json")" -ge 16 ]
check "failure count reached 16" \
	[ "$(json_get 'd["nodes"][0]["failures"]' <"$tmp/nodes.json")" -ge 16 ]
check "state is hopeless" \
	[ "$(json_get 'd["nodes"][0]["state"]' <"$tmp/nodes.json")" = hopeless ]
# Each run counted once by its end: the starved node's runs go down every
# priority (priority-exhausted), but one may be cut short by a wake or the
# resume (interrupted; seen under ASan), and none balances.
check "runs_ended counts every run once: priority-exhausted or interrupted, none balanced" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["nodes"][0]["counters"]
e = c["runs_ended"]
print("# runs %d, runs_ended %s" % (c["runs"], e))
sys.exit(0 if sum(e.values()) == c["runs"] and e["priority-exhausted"] > 0 and
	 e["priority-exhausted"] + e["interrupted"] == c["runs"] else 1)' "$tmp/nodes.json"
check "balance runs wrote to node0/reclaim" \
	grep -Eq '^[0-9]+' "$fx/sys/devices/system/node/node0/reclaim"
# The watch client is stopped once it has written the hopeless event, the
# last of the runs': a client slow to read (a make check at nice 19 beside
# a benchmark guest) had written none of the runs' own events when it was killed at once.
wait_for 10 grep -q '"hopeless"' "$tmp/events.json" ||
	diag "no hopeless event from the watch client in 10 s"
kill "$watch_pid"
wait "$watch_pid" 2>/dev/null
# The seed's swap policy, seen in the write events: gentle priorities
# (>= DEF_PRIORITY - 2) reclaim file pages only, lower ones use the kernel's
# swappiness.
events() { # PYTHON-CONDITION on event e: count of matching events
	python3 -c 'import json,sys
n = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line: continue
    o = json.loads(line); e = o.get("event", o)
    if eval(sys.argv[2]): n += 1
print(n)' "$tmp/events.json" "$1"
}
# Every type the stream sent has its row in docs/protocol.md's table of
# watch events (the node threads' sleep, nap and premature events had
# none).
undocumented=$(python3 -c 'import json, sys
types = set()
for line in open(sys.argv[1]):
    if line.strip():
        o = json.loads(line)
        types.add(o.get("event", o)["type"])
doc = open(sys.argv[2]).read()
watch = doc[doc.index("### watch"):]
rows = [l.split("|")[1] for l in watch.splitlines() if l.startswith("| `")]
print(" ".join(sorted(t for t in types if not any("`%s`" % t in r for r in rows))))' \
	"$tmp/events.json" "$top_srcdir/docs/protocol.md")
diag "event types the stream sent: $(python3 -c 'import json, sys; print(" ".join(sorted({json.loads(l).get("event", json.loads(l))["type"] for l in open(sys.argv[1]) if l.strip()})))' "$tmp/events.json")"
check "every event type the stream sent is in docs/protocol.md's watch table${undocumented:+ (not: $undocumented)}" \
	[ -z "$undocumented" ]
check "watch streamed wake events with reason watermark" \
	[ "$(events 'e["type"] == "wake" and e["reason"] == "watermark"')" -ge 1 ]
check "writes at priorities 12..10 pass swappiness=0" \
	[ "$(events 'e["type"] == "write" and e["priority"] >= 10 and e["swappiness"] == 0')" -ge 3 ]
check "no write at a gentle priority may swap" \
	[ "$(events 'e["type"] == "write" and e["priority"] >= 10 and e["swappiness"] != 0')" = 0 ]
check "writes below priority 10 leave swappiness to the kernel" \
	[ "$(events 'e["type"] == "write" and e["priority"] < 10 and e["swappiness"] is None')" -ge 1 ]
# The fixture's files free nothing, so the gentle passes stall and the
# node's page cache, though it would cover the pass, is not ours to take.
check "and say why: file-only passes freed nothing (file_stalled)" \
	[ "$(events 'e["type"] == "write" and e["priority"] < 10 and e.get("swap_reason") == "file_stalled"')" -ge 1 ]
check "gentle writes say gentle" \
	[ "$(events 'e["type"] == "write" and e["priority"] >= 10 and e.get("swap_reason") != "gentle"')" = 0 ]
check "run_end events report priority 1 reached" \
	[ "$(events 'e["type"] == "run_end" and e["priority"] == 1')" -ge 1 ]
check "run_start and run_end events carry the run's reasons" \
	[ "$(events 'e["type"] in ("run_start", "run_end") and "watermark" in e.get("reasons", [])')" -ge 2 ]
check "every run_end has its reasons, none unnamed" \
	[ "$(events 'e["type"] == "run_end" and (not e.get("reasons") or None in e["reasons"])')" = 0 ]
check "one hopeless event, with 16 failures" \
	[ "$(events 'e["type"] == "hopeless" and e["failures"] == 16')" = 1 ]
# Stamped when its run ended, not when the loop took the run's record
# (a batch later: the ring wakes the loop once a batch).
check "the hopeless event carries its run's time" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [o.get("event", o) for o in ev]
h = [e["time_usec"] for e in ev if e["type"] == "hopeless"]
r = [e["time_usec"] for e in ev if e["type"] == "run_end" and e.get("failures") == 16]
print("# hopeless %s, run_end with 16 failures %s" % (h, r))
sys.exit(0 if h and r and abs(h[0] - r[0]) <= 2000 else 1)' "$tmp/events.json"
check "a mode event when resumed" \
	[ "$(events 'e["type"] == "mode" and e["mode"] == "running"')" = 1 ]
runs_before=$(json_get 'd["nodes"][0]["counters"]["runs"]' <"$tmp/nodes.json")
sleep 1
runs_after=$(nodes | json_get 'd["nodes"][0]["counters"]["runs"]')
check "a hopeless node is not reclaimed from (runs $runs_before -> $runs_after)" \
	[ "$runs_after" -le $((runs_before + 1)) ]
# An operator's node reclaim is the userspace direct reclaim: it reaches the
# engine and wakes the hopeless node (issue 12 defect 6). The fixture frees
# nothing, so its failures stay; test-kswapd covers the clearing.
ctl reclaim node 0 1M >/dev/null
woken_by_operator() {
	[ "$(nodes | json_get 'd["nodes"][0]["counters"]["runs"]')" -gt "$runs_after" ]
}
check "an operator's reclaim node wakes the hopeless node" wait_for 5 woken_by_operator

# stats --reset: read, return, then start a baseline: since_reset restarts
# from 0 while value (what Prometheus sees) keeps counting.
ctl --json stats --reset >"$tmp/stats1.json"
ctl --json stats >"$tmp/stats2.json"
counter() { # FILE NAME: the node-0 value of a counter
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(sum(c.get("since_reset", c["value"]) for c in d["counters"] if c["name"] == sys.argv[2]))' "$1" "$2"
}
check "stats --reset returned the counters before zeroing them" \
	[ "$(counter "$tmp/stats1.json" runs_total)" -ge 16 ]
check "after the reset runs_total restarts from 0 (since_reset)" \
	[ "$(counter "$tmp/stats2.json" runs_total)" -le 1 ]
check "after the reset the exported runs_total value keeps counting" \
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sum(c["value"] for c in d["counters"] if c["name"] == "runs_total") >= 16 else 1)' "$tmp/stats2.json"
# A run is counted when it starts and by its end when it ends: the two agree
# once the operator's run above is over.
ends_add_up() {
	ctl --json stats | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = lambda n: sum(c["value"] for c in d["counters"] if c["name"] == n)
sys.exit(0 if v("runs_ended_total") == v("runs_total") >= 16 else 1)'
}
check "runs_ended_total{end} adds up to runs_total" wait_for 5 ends_add_up
check "gauges are not reset" \
	[ "$(counter "$tmp/stats2.json" consecutive_failures)" -ge 16 ]

# Free memory recovers on its own: the monitor lets the node try again.
recover
not_hopeless() { [ "$(nodes | json_get 'd["nodes"][0]["hopeless"]')" = False ]; }
check "hopeless clears when free memory recovers" wait_for 10 not_hopeless

# Dry run: the same decisions, nothing written.
stop_daemon
: >"$fx/sys/devices/system/node/node0/reclaim"
starve
check "daemon starts in dry-run mode" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run
ctl resume >/dev/null
ran() { [ "$(nodes | json_get 'd["nodes"][0]["counters"]["runs"]')" -ge 2 ]; }
check "dry run still makes balance runs" wait_for 10 ran
# Nothing is freed in a dry run: automatic wakes come one per
# MonitorIntervalMax (200 ms here) instead of one per monitor tick (20 ms at
# the low mark), and no failures are counted. The monitor reads a dry-run
# node at MonitorIntervalMax (test-manager: test_dry_run_monitor_paced), and
# the node thread drops an automatic wake closer than seven eighths of that
# to the last (test-balance: test_wake_paced; the monitor's ticks are not
# that early, so here it has none to drop). The bounds are taken from the time that
# really passed, so a loaded machine (a long sleep, a slow reply) widens the
# upper one instead of failing; unpaced, the runs come 10 times as often.
ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(ms)
r0=$(nodes | json_get 'd["nodes"][0]["counters"]["runs"]')
sleep 2
r1=$(nodes | json_get 'd["nodes"][0]["counters"]["runs"]')
t1=$(ms)
allowed=$(( (t1 - t0) / 200 + 2 ))
check "dry-run runs are paced ($((r1 - r0)) in $((t1 - t0)) ms, at most $allowed)" \
	[ $((r1 - r0)) -le "$allowed" ]
check "dry-run runs came at that pace, not absent ($((r1 - r0)), at least $(((t1 - t0) / 400)))" \
	[ $((r1 - r0)) -ge $(((t1 - t0) / 400)) ]
check "dry-run runs count no failures" \
	[ "$(nodes | json_get 'd["nodes"][0]["failures"]')" = 0 ]
check "dry run reports mode dry-run" \
	[ "$(ctl --json status | json_get 'd["mode"]')" = dry-run ]
check "dry run wrote nothing to node0/reclaim" \
	[ ! -s "$fx/sys/devices/system/node/node0/reclaim" ]
check "daemon stops cleanly on SIGTERM" stop_daemon
tap_done
