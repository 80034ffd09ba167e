#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Real kernel, this host: the daemon reclaims page cache from node 0 through
# /sys/devices/system/node/node0/reclaim (kernel 6.17+), for an operator's
# `reclaimctl reclaim` and for `reclaimctl boost`, and the kernel's own
# counters (/proc/vmstat pgsteal_proactive) show it.
. "$(dirname "$0")/lib.sh"

node_file=/sys/devices/system/node/node0/reclaim
[ "$(id -u)" = 0 ] || skip_all "needs root to write $node_file"
[ -w "$node_file" ] || skip_all "this kernel has no per-node reclaim file ($node_file, 6.17+)"

# The host tests read the kernel's global counters (pgsteal_proactive): one
# at a time, even under make -j (actuator-node-reclaim.sh takes this too).
exec 9>/tmp/reclaimd-host-tests.lock
flock 9

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
page_size=$(getconf PAGESIZE)
mib=1048576

# 384 MiB of clean page cache to take from. Read once: pages read twice go
# to the active list, which proactive reclaim only reaches after aging it
# (seen: 41 of 96 MiB), while use-once pages stay inactive.
# Written with O_DIRECT so that the one read below is the pages' first use.
dd if=/dev/zero of="$tmp/cache" bs=1M count=384 oflag=direct status=none
cat "$tmp/cache" >/dev/null
: >"$tmp/empty.conf"

check "daemon starts on this host" start_daemon --config="$tmp/empty.conf"
check "status lists the per-node reclaim file as an actuator" \
	sh -c "\"$RECLAIMCTL\" --socket=\"$tmp/sock\" --json status | grep -q node-file"

steal0=$(vmstat pgsteal_proactive)
ctl --json reclaim node 0 96M >"$tmp/reclaim.json"
ok $? "reclaimctl reclaim node 0 96M succeeds"
steal1=$(vmstat pgsteal_proactive)
measured=$(json_get 'd["reclaimed_bytes"]' <"$tmp/reclaim.json")
check "the reply says the node file served it" \
	[ "$(json_get 'd["backend"]' <"$tmp/reclaim.json")" = node-file ]
kernel=$(((steal1 - steal0) * page_size))
diag "reclaim: daemon measured $((measured / mib)) MiB, kernel pgsteal_proactive +$((kernel / mib)) MiB"
check "the kernel reclaimed at least 48 MiB proactively" [ "$kernel" -ge $((48 * mib)) ]
check "the daemon's measure is within 25% of the kernel's counter" \
	python3 -c "import sys; m, k = $measured, $kernel; sys.exit(0 if abs(m - k) <= 0.25 * k else 1)"

steal0=$(vmstat pgsteal_proactive)
swpout0=$(vmstat pswpout)
ctl boost 0 64M >/dev/null
ok $? "reclaimctl boost 0 64M accepted"
# Measured from pgsteal_proactive, which counts LRU pages only (the kernel
# also frees slab towards the request): at least three quarters.
boosted() {
	[ "$(ctl --json nodes | json_get 'd["nodes"][0]["counters"]["boost_reclaimed_bytes"]')" -ge $((48 * mib)) ]
}
check "the boost was reclaimed by a balance run" wait_for 20 boosted
steal1=$(vmstat pgsteal_proactive)
kernel=$(((steal1 - steal0) * page_size))
diag "boost: kernel pgsteal_proactive +$((kernel / mib)) MiB"
check "the kernel counted at least 48 MiB of it" [ "$kernel" -ge $((48 * mib)) ]
check "boosted reclaim swapped nothing out" [ "$(vmstat pswpout)" = "$swpout0" ]
check "the boost ledger is settled" \
	[ "$(ctl --json nodes | json_get 'd["nodes"][0]["boost"]["user_bytes"] + d["nodes"][0]["boost"]["pending_bytes"]')" = 0 ]
check "daemon stops cleanly" stop_daemon
tap_done
