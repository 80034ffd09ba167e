# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 60
#
# Start-up: reclaimd sends READY=1 to its notify socket (a stand-in for
# systemd's, NOTIFY_SOCKET) and answers "reclaimctl status" in mode
# "running", and "reclaimctl --json nodes" lists every NUMA node with every
# populated zone's min/low/high watermarks equal to the VM's /proc/zoneinfo,
# in bytes.

# In a cgroup of its own so that the reset after the scenario kills it.
vm_cg_run notify /vm/bin/notifylisten /run/notify.sock >/tmp/scenario.notify
sleep 0.3
export NOTIFY_SOCKET=/run/notify.sock
vm_need_daemon
unset NOTIFY_SOCKET
ready() { grep -q '^READY=1$' /tmp/scenario.notify; }
vm_wait_until 10 ready || vm_fail "no READY=1 on NOTIFY_SOCKET within 10 s of answering (got: $(tr '\n' ' ' </tmp/scenario.notify))"
status_line=$(grep '^STATUS=' /tmp/scenario.notify | tail -n 1)
ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
mode=$(jget /tmp/scenario.status mode)
[ "$mode" = running ] || vm_fail "status mode is '$mode', expected running"

ctl_json nodes >/tmp/scenario.nodes || vm_fail "reclaimctl --json nodes failed"
# zoneinfo as "NODE ZONE MIN LOW HIGH MANAGED" in pages.
awk '$1 == "Node" { n = $2; sub(",", "", n); z = $4 }
     $1 == "min" { mn = $2 } $1 == "low" { lo = $2 } $1 == "high" { hi = $2 }
     $1 == "managed" { print n, z, mn, lo, hi, $2 }' /proc/zoneinfo >/tmp/scenario.zones
# reclaimctl as the same columns, in bytes.
awk -F '\t' '{
	n = split($1, p, ".")
	if (p[1] != "nodes") next
	if (n == 3 && p[3] == "node") node[p[2]] = $2
	if (n == 5 && p[3] == "zones") { v[p[2], p[4], p[5]] = $2; zi[p[2], p[4]] = 1 }
     }
     END { for (k in zi) { split(k, q, SUBSEP)
	print node[q[1]], v[q[1], q[2], "zone"], v[q[1], q[2], "min_bytes"], v[q[1], q[2], "low_bytes"],
	      v[q[1], q[2], "high_bytes"] } }' /tmp/scenario.nodes >/tmp/scenario.ctlzones

nodes_sys=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
nodes_ctl=$(awk -F '\t' '$1 ~ /^nodes\.[0-9]+\.node$/' /tmp/scenario.nodes | wc -l)
[ "$nodes_ctl" = "$nodes_sys" ] || vm_fail "reclaimctl nodes lists $nodes_ctl nodes, the VM has $nodes_sys"

checked=0
while read -r n z mn lo hi managed; do
	[ "$managed" -gt 0 ] || continue
	got=$(awk -v n=$n -v z=$z '$1 == n && $2 == z { print $3, $4, $5 }' /tmp/scenario.ctlzones)
	[ -n "$got" ] || vm_fail "node $n zone $z (managed $managed pages) missing from reclaimctl nodes"
	want="$((mn * 4096)) $((lo * 4096)) $((hi * 4096))"
	[ "$got" = "$want" ] || vm_fail "node $n zone $z watermarks min/low/high: reclaimctl '$got', zoneinfo '$want' bytes"
	checked=$((checked + 1))
done </tmp/scenario.zones
[ $checked -gt 0 ] || vm_fail "no populated zone in /proc/zoneinfo?"
vm_pass "READY=1 sent (${status_line:-no STATUS=}); status answers, mode running; $nodes_ctl nodes, $checked populated zones with min/low/high equal to /proc/zoneinfo"
