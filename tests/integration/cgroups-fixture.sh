#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The cgroup side of the daemon on a fixture tree captured from a 6.12 VM
# (4 nodes, cgroup v2): [CGroup PATTERN] policies matched by glob, new and
# removed cgroups noticed through inotify without waiting for the periodic
# walk, and where a boost's reclaim would go (dry run: decisions only; the
# real writes are proven in tests/vm).
. "$(dirname "$0")/lib.sh"

fx="$tmp/root"
fixture vm-6.12-4node "$fx"
cg="$fx/sys/fs/cgroup"
cat >"$tmp/reclaimd.conf" <<CONF
[Reclaim]
# Only inotify can find new cgroups within this test's time.
RescanInterval=1h

# Protect= covers the subtree: protected.slice/db.service too.
[CGroup protected.slice]
Protect=yes

[CGroup system.slice/cache.service]
Weight=400

# A slice holds no memory of its own: Floor= there bounds nothing, and is
# said to be ignored (issue 18: "Floor= on a slice" was documented only).
[CGroup system.slice]
Floor=1G
CONF

# Issue 17 B9: a cgroup whose memory.reclaim cannot be opened (a symlink:
# ELOOP under O_NOFOLLOW) is left out; the others are still used.
cp -r "$cg/system.slice/cache.service" "$cg/broken.slice"
rm "$cg/broken.slice/memory.reclaim"
ln -s ../memory.reclaim "$cg/broken.slice/memory.reclaim"

check "daemon starts in dry-run on the 6.12 fixture" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run -l debug
check "a cgroup that cannot be opened is reported, by path and error" \
	grep -q "cannot be opened and are left out of reclaim, the first /broken.slice: Too many levels of symbolic links" "$tmp/daemon.log"
check "Floor= on a slice is said to be ignored, naming the section and the slice" \
	grep -q "\[CGroup system.slice\] Floor=: ignored. The section matches /system.slice, which holds other cgroups" "$tmp/daemon.log"
cgroups() { ctl --json cgroups; }
field() { # PATH KEY
	cgroups | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(next((str(c[sys.argv[2]]) for c in d["cgroups"] if c["path"] == sys.argv[1]), "absent"))' "$1" "$2"
}
check "Protect=yes on a slice protects its child /protected.slice/db.service" \
	[ "$(field /protected.slice/db.service protected)" = True ]
check "Weight=400 on /system.slice/cache.service" \
	[ "$(field /system.slice/cache.service weight)" = 400 ]
check "an unmatched cgroup keeps the defaults (weight 100, not protected)" \
	[ "$(field /limited.slice weight)/$(field /limited.slice protected)" = "100/False" ]
# Issue 13: the reply sent 0.0 whatever the cgroup's memory.pressure said.
check "pressure avg10 comes from the cgroup's memory.pressure (2.33 %)" \
	[ "$(field /limited.slice pressure_some_avg10)/$(field /limited.slice pressure_full_avg10)" = "2.33/2.33" ]
check "node-local reclaimable memory comes from memory.numa_stat" \
	[ "$(field /system.slice/cache.service reclaimable_bytes)" -gt 0 ]

check "the cgroups beside the broken one are candidates" \
	[ "$(field /system.slice/cache.service path)/$(field /broken.slice path)" = "/system.slice/cache.service/absent" ]
# cgroupfs creates a cgroup's files with its directory; cp -r does not, so
# a rescan can see it half-copied. A second directory event (mkdir+rmdir
# of a scratch cgroup) once the copy is whole makes the walk see it all.
settle() { mkdir "$cg/system.slice/.settle" && rmdir "$cg/system.slice/.settle"; }
cp -r "$cg/system.slice/cache.service" "$cg/system.slice/new.service"
settle
appeared() { [ "$(field /system.slice/new.service path)" = /system.slice/new.service ]; }
check "a cgroup created after start-up is found within 15 s (inotify; RescanInterval=1h)" wait_for 15 appeared
# On a rescan too: a second broken cgroup does not hide a new good one.
cp -r "$cg/broken.slice" "$cg/broken2.slice"
cp -r "$cg/system.slice/cache.service" "$cg/system.slice/new2.service"
settle
appeared2() { [ "$(field /system.slice/new2.service path)" = /system.slice/new2.service ]; }
check "a rescan with a broken cgroup still finds a new good one" wait_for 15 appeared2
rm -rf "$cg/limited.slice"
gone() { [ "$(field /limited.slice path)" = absent ]; }
check "a removed cgroup is dropped within 15 s (RescanInterval=1h)" wait_for 15 gone

ctl boost 0 64M >/dev/null
boosted() { grep -q "balance run (boost)" "$tmp/daemon.log"; }
check "a boost runs" wait_for 10 boosted
check "the boost's dry-run writes spread over cgroups" \
	grep -q "would write [0-9]* to system.slice/cache.service/memory.reclaim" "$tmp/daemon.log"
check "no write is planned for a protected cgroup" \
	sh -c "! grep -q 'would write .* to protected.slice' \"$tmp/daemon.log\""

ctl --json reclaim cgroup /system.slice/cache.service 16M --swappiness=0 >"$tmp/reclaim.json"
ok $? "reclaim cgroup /system.slice/cache.service 16M (dry run) succeeds"
check "the reply names the cgroup and is a dry run" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["cgroup"] == "/system.slice/cache.service" and d["dry_run"] and d["swappiness"] == 0 else 1)' "$tmp/reclaim.json"
check "and has no spread priority (a cgroup write spreads nothing)" \
	python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["spread_priority"] is None else 1)' "$tmp/reclaim.json"
# Issue 15: a node pass over memory.reclaim spreads over the cgroups its
# priority reaches (target_reach()); the reply says at which.
ctl --json reclaim node 0 8M >"$tmp/reclaim-node.json"
ok $? "reclaim node 0 8M (dry run) succeeds"
diag "reclaim node 0 8M: $(cat "$tmp/reclaim-node.json")"
# The fixture's node 0 has cgroups of 4096 pages or more whose room
# covers 8 MiB: the spread runs at DEF_PRIORITY, the request's.
check "a node reclaim spread over memory.reclaim says the priority its spread ran at (12)" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["backend"] == "memory.reclaim" and d["spread_priority"] == 12 else 1)' "$tmp/reclaim-node.json"
check "and reclaimctl says so" \
	sh -c '"$1" --socket="$2" reclaim node 0 8M | grep -q "through memory.reclaim, spread over the cgroups reached at priority 12 (ok, dry run)"' - "$RECLAIMCTL" "$tmp/sock"
# StepSize= bounds an operator's cgroup writes too, on `set` as at start:
# the actuator's own 32 MiB stood in for it until stop 26.
# 12 MiB and 8 KiB: at 4 MiB a write, the last one is 8 KiB, which no node
# pass writes (a share below 64 KiB is not worth one), so it is the
# operator's.
check "set Reclaim.StepSize 4M" ctl set Reclaim.StepSize 4M
n8k=$(grep -c 'would write 8192 to system.slice/cache.service/memory.reclaim' "$tmp/daemon.log")
ctl reclaim cgroup /system.slice/cache.service 12591104 >/dev/null
check "StepSize=4M set at runtime: a 12M+8K operator reclaim ends with an 8 KiB write" \
	[ "$(grep -c 'would write 8192 to system.slice/cache.service/memory.reclaim' "$tmp/daemon.log")" = $((n8k + 1)) ]
check "and is not one write" \
	sh -c "! grep -q 'would write 12591104 to system.slice/cache.service' \"$tmp/daemon.log\""
ctl set Reclaim.StepSize 32M >/dev/null
check "reclaim of a cgroup outside the tree is refused (exit 1)" \
	sh -c "! \"$RECLAIMCTL\" --socket=\"$tmp/sock\" reclaim cgroup /no/such 1M 2>/dev/null"

# Issue 17 B4: Protect= holds on the operator's path for a cgroup with
# children (not a walked leaf), and for a parent of a protected cgroup.
for p in /protected.slice /protected.slice/db.service /; do
	ctl reclaim cgroup "$p" 1M >/dev/null 2>"$tmp/err"
	rc=$?
	check "reclaim cgroup $p refused: protected (exit 1, EPERM)" \
		sh -c "[ $rc -eq 1 ] && grep -q EPERM '$tmp/err' && grep -q 'Protect=yes' '$tmp/err'"
done
check "no reclaim of a protected cgroup was even planned" \
	sh -c "! grep -q 'Operator reclaim from cgroup /protected.slice\\|Operator reclaim from cgroup / ' '$tmp/daemon.log'"
check "an unprotected slice with children is still reclaimable" ctl reclaim cgroup /system.slice 1M
# Issue 17 B15: the errno of a failed open is named, not EIO.
ctl reclaim cgroup /broken.slice 1M >/dev/null 2>"$tmp/err"
check "reclaim of a cgroup whose memory.reclaim is a symlink says ELOOP" grep -q ELOOP "$tmp/err"

# Issue 17 B5: a path longer than reclaimd handles is refused, never cut to
# the cgroup named by its first 511 bytes (made to exist here).
a200=$(printf 'a%.0s' $(seq 200))
b200=$(printf 'b%.0s' $(seq 200))
c97=$(printf 'c%.0s' $(seq 97))
short="/deep.slice/$a200/$b200/$c97"
mkdir -p "$cg$short"
cp "$cg"/system.slice/cache.service/memory.* "$cg$short/"
check "the 511-byte cgroup is reclaimable" ctl reclaim cgroup "$short" 1M
ctl reclaim cgroup "$short/$(printf 'd%.0s' $(seq 99))" 1M >/dev/null 2>"$tmp/err"
rc=$?
check "a 611-byte cgroup path is refused with ENAMETOOLONG (exit 1)" \
	sh -c "[ $rc -eq 1 ] && grep -q ENAMETOOLONG '$tmp/err' && grep -q 'at most 511 bytes' '$tmp/err'"

# [Node N] Paused= and `pause` hold for an operator's cgroup reclaim too:
# memory.reclaim cannot spare a node, so a cgroup with memory on a paused
# node is refused, naming the nodes. cache.service has memory on nodes 0
# and 1 only.
paused_refusal() { # EXPECTED-NODES
	ctl reclaim cgroup /system.slice/cache.service 1M >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q EBUSY "$tmp/err" && grep -q "Node(s) $1 paused" "$tmp/err" ||
		{ diag "exit $rc: $(cat "$tmp/err")"; return 1; }
}
ctl set Node.1.Paused yes >/dev/null
check "reclaim of a cgroup with memory on paused node 1 is refused (exit 1, EBUSY), naming node 1" \
	paused_refusal 1
ctl set Node.1.Paused no >/dev/null
ctl set Node.2.Paused yes >/dev/null
check "node 2 paused, where the cgroup has no memory: reclaimed" \
	ctl reclaim cgroup /system.slice/cache.service 1M
ctl set Node.2.Paused no >/dev/null
ctl pause >/dev/null
check "with the daemon paused: refused, naming nodes 0 and 1" paused_refusal 0,1
ctl resume >/dev/null
check "resumed: reclaimed" ctl reclaim cgroup /system.slice/cache.service 1M

# Issue 16: a cgroup's pressure brake going on and off is told once each,
# as a log line naming the cgroup (CGROUP= in the journal, proven in
# tests/vm/debian) and a watch event. The pressure file is rewritten in
# place: the daemon keeps it open. The system's stall grows with the
# cgroup's, as on a kernel (a task stalled in a cgroup stalls the system):
# the brake sample reads no cgroup while the system's some total stands
# still.
ctl --json watch --events >"$tmp/brake-events" 2>/dev/null &
wpid=$!
sleep 1
sys_some=$(sed -n 's/^some .*total=//p' "$fx/proc/pressure/memory")
printf 'some avg10=42.00 avg60=1.25 avg300=0.31 total=8000000\nfull avg10=2.33 avg60=1.25 avg300=0.31 total=0\n' \
	>"$cg/system.slice/cache.service/memory.pressure"
sys_full=$(sed -n 's/^full .*total=//p' "$fx/proc/pressure/memory")
printf 'some avg10=1.80 avg60=0.65 avg300=0.15 total=%s\nfull avg10=1.55 avg60=0.56 avg300=0.13 total=%s\n' \
	$((sys_some + 8000000)) "$sys_full" >"$fx/proc/pressure/memory"
brake_on() { grep -q 'cgroup /system.slice/cache.service: pressure brake on (memory "some" stall 8.00s in ' "$tmp/daemon.log"; }
check "8 s of stall: the brake going on is logged, naming the cgroup and its pressure" wait_for 10 brake_on
brake_off() { grep -q 'cgroup /system.slice/cache.service: pressure brake off' "$tmp/daemon.log"; }
check "a calm window later, the brake going off is logged" wait_for 10 brake_off
sleep 1
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
check "watch streamed one brake event on and one off for /system.slice/cache.service, node null" \
	watch_brakes_are "$tmp/brake-events" \
	'[(True, "pressure", None, "/system.slice/cache.service"), (False, "pressure", None, "/system.slice/cache.service")]' \
	/system.slice/cache.service
check "each transition was logged once" \
	[ "$(grep -c 'cgroup /system.slice/cache.service: pressure brake' "$tmp/daemon.log")" = 2 ]
# The walks since start (inotify: cgroups created and removed) found the
# same ignored section: said once, not after every walk.
check "the ignored Floor= was said once through every walk since start" \
	[ "$(grep -c '\[CGroup system.slice\] Floor=: ignored' "$tmp/daemon.log")" = 1 ]
# A reload is a new configuration: said again, once.
ignored_said() { [ "$(grep -c '\[CGroup system.slice\] Floor=: ignored' "$tmp/daemon.log")" = "$1" ]; }
check "reclaimctl reload answers" ctl reload
check "after a reload the ignored Floor= is said again" wait_for 10 ignored_said 2
sleep 2
check "and only once after it" ignored_said 2
check "daemon stops cleanly" stop_daemon
tap_done
