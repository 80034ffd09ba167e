#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Real kernel, this host: the actuator's compaction step writes
# /sys/devices/system/node/node0/compact (opened at start) and the kernel
# compacts: /proc/vmstat compact_migrate_scanned grows (sysfs_compact_node()
# -> compact_node() scans every zone). One write, 0.2 s on a 24 GiB node;
# writing the node's compact file changes no cgroup and no mount. When the
# engine decides to compact is unit-tested (test-compact, test-kswapd).
. "$(dirname "$0")/lib.sh"

compact=/sys/devices/system/node/node0/compact
[ "$(id -u)" = 0 ] || skip_all "needs root to write $compact"
[ -w "$compact" ] || skip_all "this kernel has no $compact (CONFIG_COMPACTION=n)"

exec 9>/tmp/reclaimd-host-tests.lock
flock 9

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
probe="$top_builddir/tests/integration/actuator-probe"

scanned0=$(vmstat compact_migrate_scanned)
out=$("$probe" --node=0 --compact)
ok $? "actuator_compact(node 0) succeeds ($out)"
scanned1=$(vmstat compact_migrate_scanned)
check "the kernel compacted node 0 (compact_migrate_scanned $scanned0 -> $scanned1)" \
	[ "$scanned1" -gt "$scanned0" ]
tap_done
