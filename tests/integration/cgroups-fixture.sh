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
cp -r "$top_srcdir/tests/fixtures/vm-6.12-4node" "$fx"
chmod -R u+w "$fx"
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
CONF

check "daemon starts in dry-run on the 6.12 fixture" \
	start_daemon --root="$fx" --config="$tmp/reclaimd.conf" --dry-run -l debug
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
check "node-local reclaimable memory comes from memory.numa_stat" \
	[ "$(field /system.slice/cache.service reclaimable_bytes)" -gt 0 ]

cp -r "$cg/system.slice/cache.service" "$cg/system.slice/new.service"
appeared() { [ "$(field /system.slice/new.service path)" = /system.slice/new.service ]; }
check "a cgroup created after start-up is found within 3 s (inotify)" wait_for 3 appeared
rm -rf "$cg/limited.slice"
gone() { [ "$(field /limited.slice path)" = absent ]; }
check "a removed cgroup is dropped within 3 s" wait_for 3 gone

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
check "reclaim of a cgroup outside the tree is refused (exit 1)" \
	sh -c "! \"$RECLAIMCTL\" --socket=\"$tmp/sock\" reclaim cgroup /no/such 1M 2>/dev/null"
check "daemon stops cleanly" stop_daemon
tap_done
