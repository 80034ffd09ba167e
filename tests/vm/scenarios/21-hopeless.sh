# SPDX-License-Identifier: GPL-2.0-only
# vm-kernels: 6.18 6.12 6.1
# vm-timeout: 180
#
# Hopeless and recovery (the seed's kswapd_failures, MAX_RECLAIM_RETRIES):
# with swap off and the page cache dropped, node 0 is filled by a locked
# ballast below reclaimd's low watermark, so that nothing on it can be
# reclaimed. Every run must reclaim nothing and count a failure (run_end
# failures 1, 2, ... 16), and the 16th makes the node hopeless (a "hopeless"
# event, status state hopeless). While hopeless, watermark wakes are counted
# and ignored (wakes_total{reason=watermark} and wakes_ignored_hopeless grow
# together, runs_total does not), as wakeup_kswapd() leaves a hopeless node
# to direct reclaim. Once the ballast is freed the node is balanced, its
# failures are cleared, and a later shortage (page cache this time) gets a
# run that reclaims again.

cat >$CONF <<CONF
[Reclaim]
$VM_QUIET_RECLAIM
CONF
swapoff /dev/zram0 || vm_fail "swapoff /dev/zram0 failed"
sync
echo 3 >/proc/sys/vm/drop_caches
vm_need_daemon
vm_watch_start

free0=$(awk '$3 == "MemFree:" { print int($4 / 1024) }' /sys/devices/system/node/node0/meminfo)
# More than node 0 has: it fills to the kernel's low watermark, the rest
# lands on node 1.
vm_cg_run fill taskset 1 /vm/bin/hog $((free0 + 48)) --mlock >/tmp/scenario.hog 2>&1
vm_wait_until 90 grep -q holding /tmp/scenario.hog ||
	vm_fail "the locked ballast of $((free0 + 48)) MiB did not come up in 90 s: $(cat /tmp/scenario.hog) (node 0 free $(awk '$3 == "MemFree:" { print $4 }' /sys/devices/system/node/node0/meminfo) kB)"
# A zone of node 0 above the kernel's own high mark balances the node for
# the kernel: there reclaimd's runs end kernel-balanced and count no failure
# (balance_end_counts_failure(), by design), and the node never goes
# hopeless. A fresh-clone CI run on 6.18 saw that (runs ending
# kernel-balanced at priority 9 for 120 s): memory freed on node 0 after
# the ballast came up, where the Movable zone's high mark is 2 MiB. So the
# ballast is topped up while a zone is above it, one hog at a time.
node0_excess_mib() { # what node 0's zones above their high mark (and reserve) hold over their low one
	awk -v ps="$(vm_page_size)" '
	function zone_done() { if (n == "0," && z != "DMA" && f > h + p) x += f - (l + p) }
	$1 == "Node" { zone_done(); n = $2; z = $4; f = l = h = p = 0 }
	$1 == "pages" && $2 == "free" { f = $3 }
	$1 == "low" { l = $2 }
	$1 == "high" { h = $2 }
	# lowmem_reserve: the kernel counts a zone balanced only above it too.
	$1 == "protection:" { gsub(/[(),]/, " "); for (i = 2; i <= NF; i++) if ($i + 0 > p) p = $i + 0 }
	END { zone_done(); print int(x * ps / 1048576) }' /proc/zoneinfo
}
# At most TOPUPS_MAX hogs, one at a time (the last one holding).
TOPUPS_MAX=4
topups=0
: >/tmp/scenario.topup
topup() {
	local x
	[ $topups -lt $TOPUPS_MAX ] || return 0
	# Each hog started so far holds, or failed (and said so).
	[ "$(grep -c 'holding\|hog: ' /tmp/scenario.topup)" -ge $topups ] || return 0
	x=$(node0_excess_mib)
	[ "$x" -gt 0 ] || return 0
	topups=$((topups + 1))
	vm_cg_run fill taskset 1 /vm/bin/hog $((x + 8)) --mlock >>/tmp/scenario.topup 2>&1
}
hopeless() {
	topup
	[ -n "$(vm_events 'ev("type") == "hopeless" && ev("node") + 0 == 0')" ]
}
vm_wait_until 120 hopeless || vm_fail "node 0 not hopeless within 120 s: $(vm_events 'ev("node") + 0 == 0 && ev("type") == "run_end"' | tail -n 3 | tr '\t\n' ' ;') free $(awk '$3 == "MemFree:" { print $4 }' /sys/devices/system/node/node0/meminfo) kB; top-ups $topups: $(tr '\n' ' ' </tmp/scenario.topup | cut -c1-200)"
# The runs up to the one that made the node hopeless (its run_end comes
# right after the "hopeless" event): their failures count and what they got.
run16() {
	[ -n "$(vm_events 'ev("type") == "run_end" && ev("node") + 0 == 0 && ev("failures") + 0 >= 16')" ]
}
vm_wait_until 10 run16 || vm_fail "a hopeless event but no run_end with failures 16"
awk -F '\t' "$AWK_EV"'
	ev("node") + 0 != 0 { next }
	ev("type") == "hopeless" { h = ev("failures") }
	ev("type") == "run_end" && ev("end") == "kernel-balanced" { if (n) kb++; next }
	ev("type") == "run_end" { n++; f = f "," ev("failures") }
	ev("type") == "run_end" && ev("failures") + 0 > 0 { got += ev("reclaimed_bytes") }
	ev("type") == "run_end" && ev("failures") + 0 >= 16 { print n, f, got, h, kb + 0; exit }' \
	/tmp/scenario.events >/tmp/scenario.runs
read -r nruns fails got hfail kbruns </tmp/scenario.runs
vm_note "node 0: $nruns runs to hopeless, failures $fails, reclaimed $got bytes; hopeless event failures=$hfail; $kbruns runs ended kernel-balanced between them; ballast topped up $topups times ($(grep -o 'holding [0-9]* MiB' /tmp/scenario.topup | tr '\n' ' '))"
[ "$hfail" = 16 ] || vm_fail "hopeless event at failures=$hfail, not 16 (MAX_RECLAIM_RETRIES)"
case "$fails" in *",1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16") ;; *) vm_fail "failures did not count 1..16 run after run: $fails" ;; esac
[ "$got" = 0 ] || vm_fail "the failed runs reclaimed $got bytes"

ctl_json status >/tmp/scenario.status || vm_fail "reclaimctl --json status failed"
[ "$(jget /tmp/scenario.status nodes.0.state)" = hopeless ] || vm_fail "status node 0 state $(jget /tmp/scenario.status nodes.0.state), not hopeless"
ctl_json nodes >/tmp/scenario.n0 || vm_fail "reclaimctl --json nodes failed"
sleep 5
ctl_json nodes >/tmp/scenario.n1 || vm_fail "reclaimctl --json nodes failed"
ctl_json stats >/tmp/scenario.stats
c() { jget /tmp/scenario.$1 nodes.0.counters.$2; }
dwakes=$(($(c n1 wakes) - $(c n0 wakes)))
dign=$(($(c n1 wakes_ignored_hopeless) - $(c n0 wakes_ignored_hopeless)))
druns=$(($(c n1 runs) - $(c n0 runs)))
vm_note "hopeless for 5 s: wakes +$dwakes, wakes_ignored_hopeless +$dign, runs +$druns; wakes_total{watermark} $(vm_stat wakes_total node=0 reason=watermark), failures_total $(vm_stat failures_total node=0)"
[ "$dign" -gt 0 ] || vm_fail "no wake ignored while hopeless (wakes +$dwakes): the monitor stopped waking a short node"
[ "$dign" = "$dwakes" ] || vm_fail "while hopeless, $dwakes wakes but $dign ignored"
[ "$druns" = 0 ] || vm_fail "$druns runs on a hopeless node"

# Free the node: failures cleared once it is balanced.
vm_cg_kill fill
recovered() {
	ctl_json status >/tmp/scenario.status &&
		[ "$(jget /tmp/scenario.status nodes.0.failures)" = 0 ] &&
		[ "$(jget /tmp/scenario.status nodes.0.state)" != hopeless ]
}
vm_wait_until 30 recovered || vm_fail "node 0 still $(jget /tmp/scenario.status nodes.0.state) with failures $(jget /tmp/scenario.status nodes.0.failures) 30 s after its memory was freed"
runs1=$(jget /tmp/scenario.n1 nodes.0.counters.runs)

# A new shortage, of page cache: a run takes it.
n0=$(vm_now_usec)
free0=$(awk '$3 == "MemFree:" { print int($4 / 1024) }' /sys/devices/system/node/node0/meminfo)
vm_cg_run fill2 taskset 1 /vm/bin/hog $((free0 - 96)) --mlock >/tmp/scenario.hog2 2>&1
vm_wait_until 90 grep -q holding /tmp/scenario.hog2 || vm_fail "the second ballast did not come up: $(cat /tmp/scenario.hog2)"
vm_cache cache 160 0
reclaimed_again() {
	vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
		ev("node") + 0 == 0 && ev("type") == "run_end" && ev("reclaimed_bytes") + 0 > 0 { f = 1 } END { exit !f }'
}
vm_wait_until 60 reclaimed_again || vm_fail "no run on node 0 reclaimed anything after the recovery: $(vm_events_since $n0 | awk -F '\t' "$AWK_EV"' ev("node") + 0 == 0 && ev("type") ~ /run_end|wake/' | tail -n 3 | tr '\t\n' ' ;')"
ctl_json nodes >/tmp/scenario.n2 || vm_fail "reclaimctl --json nodes failed"
r=$(vm_events_since $n0 | awk -F '\t' "$AWK_EV"'
	ev("node") + 0 == 0 && ev("type") == "wake" { w = ev("reason") }
	ev("node") + 0 == 0 && ev("type") == "run_end" && ev("reclaimed_bytes") + 0 > 0 { print (w == "" ? "none" : w), ev("reclaimed_bytes"), ev("failures"); exit }')
set -- $r
vm_note "after recovery: a $1 wake, run reclaimed $2 bytes, failures $3; runs $runs1 -> $(c n2 runs)"
[ "$3" = 0 ] || vm_fail "failures $3 after a run that reclaimed"
swapon /dev/zram0 2>/dev/null
vm_pass "16 failed runs (failures $fails) made node 0 hopeless; 5 s hopeless: $dwakes wakes all ignored, 0 runs; freed: failures 0, then a $1 wake reclaimed $(vm_mib $2) MiB"
