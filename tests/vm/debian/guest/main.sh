#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian guest's tests (tests/vm/debian/run), run by
# reclaimd-vmtest.service once the system is up, from the read-only second
# disk on /mnt/vmtest; output on ttyS1. Each scenario runs in its own shell
# under a timeout and prints one line, PASS or FAIL NAME: what was checked,
# with numbers; on a FAIL the journal since the scenario began follows
# between BEGIN-LOG and END-LOG. "DONE" ends the run.
#
#   main.sh                 every scenario in $SCENARIOS (from settings)
#   main.sh --one NAME      one scenario (what the loop runs)
#
# Scenarios, in this order (each relies on the ones before):
# scenario: install   apt install ./reclaimd_*.deb: group, conffile, units enabled and started
# scenario: enable    systemctl enable --now: active, STATUS= in systemctl status, start-up summary
# scenario: reclaim   reclaimctl reclaim cgroup and boost free page cache under the shipped unit
# scenario: hardening systemd-analyze security <= 2.0; /proc/sys and /sys read-only inside, reclaim and compact files writable; user reclaimd with exactly its 3 capabilities; socket rules
# scenario: journal   journalctl finds events by MESSAGE_ID=, NODE=, CGROUP= (a cgroup's brake); PRIORITY_LEVEL=, RECLAIMED_BYTES= set; no <N> left
# scenario: socket    only reclaimd.socket started: reclaimctl status starts the service and answers
# scenario: reload    good drop-in taken; broken one refused with FILE:LINE, old config kept; no restart on a config error
# scenario: restart   systemctl restart mid-reclaim leaves memory.min/low/high/max untouched
# scenario: watchdog  a frozen daemon is restarted after WatchdogSec= with the reason in the journal
# scenario: oomd      systemd-oomd beside reclaimd kills a thrashing ManagedOOMMemoryPressure=kill slice
# scenario: coldcache oomd kills nothing in a ManagedOOMMemoryPressure=kill slice whose cold page cache reclaimd reclaims
# scenario: remove    apt remove keeps the conffile, apt purge removes it, units gone
set -u
D=/mnt/vmtest
. "$D/settings"
export SYSTEMD_COLORS=0 SYSTEMD_PAGER= NO_COLOR=1 DEBIAN_FRONTEND=noninteractive
CG=/sys/fs/cgroup

# --- result helpers: want DESCRIPTION CONDITION (eval'ed) collects; finish prints
good="" bad=""
want() {
	if eval "$2" 2>/dev/null; then
		good="$good${good:+; }$1"
	else
		bad="$bad${bad:+; }$1"
	fi
}
finish() {
	if [ -z "$bad" ]; then
		echo "PASS $SC: $good"
	else
		echo "FAIL $SC: $bad${good:+ (held: $good)}"
	fi
}
note() { echo "NOTE $SC: $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mib() { echo $(($1 >> 20)); }
# wait_until SECONDS COMMAND...: polls every 0.5 s.
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}
prop() { systemctl show -P "$2" "$1"; }
memstat() { awk -v k="$2" '$1 == k { print $2 }' "$CG/$1/memory.stat"; }
ctl() { timeout 60 reclaimctl "$@"; }

# A cgroup holding MIB of page cache: a service in vmtest.slice that reads a
# sparse file (no disk writes) and then sleeps.
cache_unit() { # NAME MIB
	truncate -s "$2M" "/var/tmp/$1.sparse"
	systemctl stop "$1.service" 2>/dev/null
	systemd-run -q --unit="$1" --slice=vmtest.slice -p MemoryAccounting=yes \
		sh -c "dd if=/var/tmp/$1.sparse of=/dev/null bs=1M 2>/dev/null; exec sleep infinity"
	wait_until 120 cache_loaded "$1" "$2"
}
cache_loaded() { [ "$(memstat "vmtest.slice/$1.service" file 2>/dev/null || echo 0)" -ge $((($2 - 4) << 20)) ]; }

# --- scenarios
sc_install() {
	deb=$(ls "$D"/reclaimd_*.deb)
	cp "$deb" /root/ && cd /root || return
	t0=$(now)
	t1=$(date +%s)
	apt install -y "./$(basename "$deb")" >/tmp/apt.out 2>&1
	rc=$?
	[ -z "${DEBUG_INSTALL:-}" ] || journalctl -q --no-pager -o short-monotonic --since "@$t1" | sed 's/^/NOTE install: /'
	[ -z "${DEBUG_INSTALL:-}" ] || sed 's/^/NOTE install: apt: /' /tmp/apt.out
	note "$(basename "$deb"): apt install exit $rc in $(since "$t0") s"
	[ $rc = 0 ] || sed 's/^/apt: /' /tmp/apt.out | tail -n 20
	want "apt install exit 0" '[ $rc = 0 ]'
	want "dpkg status installed" 'dpkg-query -W -f="\${Status}" reclaimd | grep -q "install ok installed"'
	want "group reclaimd ($(getent group reclaimd))" 'getent group reclaimd >/dev/null'
	want "system user reclaimd, primary group reclaimd, no login ($(getent passwd reclaimd))" \
		'[ "$(id -u reclaimd)" -lt 1000 ] && [ "$(id -gn reclaimd)" = reclaimd ] &&
		 getent passwd reclaimd | grep -q ":/usr/sbin/nologin$"'
	want "conffile /etc/reclaimd/reclaimd.conf" \
		'dpkg-query -W -f="\${Conffiles}" reclaimd | grep -q "/etc/reclaimd/reclaimd.conf "'
	want "reclaimd.conf.d/ made by tmpfiles" '[ -d /etc/reclaimd/reclaimd.conf.d ]'
	want "man pages, completion" '[ -f /usr/share/man/man8/reclaimd.8.gz ] && [ -f /usr/share/man/man5/reclaimd.conf.5.gz ] &&
		[ -f /usr/share/bash-completion/completions/reclaimctl ]'
	want "service and socket enabled ($(systemctl is-enabled reclaimd.service reclaimd.socket | paste -sd/ -))" \
		'[ "$(systemctl is-enabled reclaimd.service reclaimd.socket | sort -u)" = enabled ]'
	wait_until 30 systemctl -q is-active reclaimd.service
	want "service and socket started by the package ($(systemctl is-active reclaimd.service reclaimd.socket | paste -sd/ -))" \
		'systemctl -q is-active reclaimd.service && systemctl -q is-active reclaimd.socket'
	want "no error from the maintainer scripts" '! grep -qi -e "could not" -e "failed" -e "error" /tmp/apt.out'
}

sc_enable() {
	systemctl disable -q --now reclaimd.service reclaimd.socket
	t1=$(date +%s)
	t0=$(now)
	systemctl enable -q --now reclaimd
	rc=$?
	want "systemctl enable --now exit 0 ($rc, $(since "$t0") s)" '[ $rc = 0 ]'
	want "active ($(systemctl is-active reclaimd))" 'systemctl -q is-active reclaimd'
	want "socket enabled by Also= ($(systemctl is-enabled reclaimd.socket))" \
		'[ "$(systemctl is-enabled reclaimd.socket)" = enabled ]'
	wait_until 20 sh -c 'systemctl status reclaimd | grep -q "^ *Status: \""'
	status=$(systemctl status reclaimd | sed -n 's/^ *Status: //p')
	want "systemctl status shows STATUS= ($status)" '[ -n "$status" ]'
	summary=$(journalctl -q --no-pager -u reclaimd -o cat --since "@$t1" | grep -m1 'running:')
	want "journal start-up summary (${summary:-none})" '[ -n "$summary" ]'
	# It never reclaims itself: its own cgroup is no candidate.
	self=$(journalctl -q --no-pager -u reclaimd -o cat --since "@$t1" | grep -m1 "own cgroup")
	ctl --json cgroups >/tmp/ctl.out 2>&1
	want "its own cgroup is left out (${self:-not in the journal}), not in reclaimctl cgroups" \
		'[ -n "$self" ] && echo "$self" | grep -q "/system.slice/reclaimd.service " &&
		 grep -q "\"cgroups\"" /tmp/ctl.out && ! grep -q "reclaimd.service" /tmp/ctl.out'
	note "memory.min of system.slice $(cat $CG/system.slice/memory.min), of reclaimd.service $(cat $CG/system.slice/reclaimd.service/memory.min)"
	noprog=$(journalctl -q --no-pager -u reclaimd -o cat | grep -c 'boost-no-progress')
	note "journal lines with boost-no-progress since boot: $noprog"
	[ "$noprog" = 0 ] || journalctl -q --no-pager -u reclaimd -o short-monotonic |
		grep -B3 -A1 'boost-no-progress' | head -n 20 | sed 's/^/NOTE enable: journal: /'
}

sc_reclaim() {
	cache_unit cacheload 300
	f0=$(memstat vmtest.slice/cacheload.service file)
	t0=$(now)
	ctl reclaim cgroup /vmtest.slice/cacheload.service 128M >/tmp/ctl.out 2>&1
	rc=$?
	f1=$(memstat vmtest.slice/cacheload.service file)
	want "reclaimctl reclaim cgroup 128M exit $rc ($(tr '\n' ' ' </tmp/ctl.out | cut -c1-120))" '[ $rc = 0 ]'
	want "page cache $(mib "$f0") -> $(mib "$f1") MiB (>= 115 MiB freed) in $(since "$t0") s" \
		'[ $((f0 - f1)) -ge $((115 << 20)) ]'
	f0=$f1
	# The boost goes to the node that holds most of the cgroup's cache:
	# dd's pages sit where it ran (seen: 22 MiB of it on node 0, on 6.18).
	set -- $(awk '$1 == "file" { for (i = 2; i <= NF; i++) { split($i, a, "="); sub("N", "", a[1]); if (a[2] + 0 >= m) { m = a[2] + 0; n = a[1] } } print n, m }' \
		$CG/vmtest.slice/cacheload.service/memory.numa_stat)
	bnode=${1:-0} bhas=${2:-0}
	want_b=$((32 << 20))
	[ "$bhas" -lt $((64 << 20)) ] && want_b=$((bhas / 2))
	t0=$(now)
	ctl boost "$bnode" 64M >/tmp/ctl.out 2>&1
	rc=$?
	want "reclaimctl boost $bnode 64M exit $rc" '[ $rc = 0 ]'
	wait_until 60 sh -c "[ \$(( $f0 - \$(awk '\$1 == \"file\" { print \$2 }' $CG/vmtest.slice/cacheload.service/memory.stat) )) -ge $want_b ]"
	f1=$(memstat vmtest.slice/cacheload.service file)
	want "boost of node $bnode freed $(mib $((f0 - f1))) MiB of the cgroup's cache in $(since "$t0") s (>= $(mib $want_b) MiB: the cgroup had $(mib $bhas) MiB there)" \
		'[ $((f0 - f1)) -ge $want_b ]'
	errs=$(journalctl -q --no-pager -u reclaimd -o cat -p warning --since "@$(($(date +%s) - 120))" |
		grep -ci 'memory.reclaim.*\(denied\|read-only\|EROFS\|EACCES\|EPERM\)')
	want "no denied memory.reclaim write in the journal ($errs)" '[ "$errs" = 0 ]'
	systemctl stop cacheload.service
}

sc_hardening() {
	score=$(systemd-analyze security reclaimd.service 2>&1 |
		sed -n 's/.*Overall exposure level for reclaimd.service: \([0-9.]*\).*/\1/p')
	want "systemd-analyze security ${score:-?} <= 2.0" \
		'[ -n "$score" ] && awk -v s="$score" "BEGIN { exit !(s <= 2.0) }"'
	pid=$(prop reclaimd MainPID)
	swp0=$(cat /proc/sys/vm/swappiness)
	nsenter -t "$pid" -m sh -c 'echo 33 >/proc/sys/vm/swappiness' 2>/tmp/ns.err
	rc=$?
	want "swappiness write inside the service fails ($rc: $(head -c 80 /tmp/ns.err)), still $(cat /proc/sys/vm/swappiness)" \
		'[ $rc != 0 ] && [ "$(cat /proc/sys/vm/swappiness)" = "$swp0" ]'
	lru=$(cat /sys/kernel/mm/lru_gen/enabled 2>/dev/null || echo none)
	nsenter -t "$pid" -m sh -c "echo $lru >/sys/kernel/mm/lru_gen/enabled" 2>/dev/null
	rc=$?
	want "write under /sys/kernel/mm fails inside ($rc)" '[ $rc != 0 ]'
	# The compaction after a boosted run writes nodeN/compact: writable.
	nsenter -t "$pid" -m sh -c 'echo 1 >/sys/devices/system/node/node0/compact' 2>/tmp/ns.err
	rc=$?
	want "node0/compact write inside works ($rc $(head -c 80 /tmp/ns.err))" '[ $rc = 0 ]'
	nsenter -t "$pid" -m sh -c 'echo 1 >/sys/kernel/mm/transparent_hugepage/khugepaged/defrag' 2>/dev/null
	rc=$?
	want "write under /sys/kernel/mm/transparent_hugepage fails inside ($rc)" '[ $rc != 0 ]'
	cache_unit hardload 64
	nsenter -t "$pid" -m sh -c "echo 8M >$CG/vmtest.slice/hardload.service/memory.reclaim" 2>/tmp/ns.err
	rc=$?
	want "memory.reclaim write inside works ($rc $(head -c 80 /tmp/ns.err))" '[ $rc = 0 ]'
	if [ -e /sys/devices/system/node/node1/reclaim ]; then
		# What is checked is that the sandbox lets the write through:
		# the kernel may still find less than 1M to take on node 1 and
		# answer EAGAIN, or EIO (a fresh-clone CI run on 6.18: "echo: I/O
		# error"). A refusal by the sandbox is EACCES, EPERM or EROFS.
		nsenter -t "$pid" -m sh -c 'echo 1M >/sys/devices/system/node/node1/reclaim' 2>/tmp/ns.err
		rc=$?
		want "node1/reclaim write inside is let through ($rc $(head -c 80 /tmp/ns.err))" \
			'[ $rc = 0 ] || ! grep -qE "Permission denied|Operation not permitted|Read-only file system" /tmp/ns.err'
		# No cgroup policy covers node 1 on this system (reclaimd's
		# own cgroup is left out of reclaim): the node file serves it.
		# Chosen is what is checked: the kernel may find less than 8M
		# to take on node 1 (EAGAIN), and then the rest goes to
		# memory.reclaim with node_file_short true.
		ctl --json reclaim node 1 8M >/tmp/ctl.out 2>&1
		rc=$?
		be=$(sed -n 's/.*"backend": *"\([^"]*\)".*/\1/p' /tmp/ctl.out)
		short=$(sed -n 's/.*"node_file_short": *\([a-z]*\).*/\1/p' /tmp/ctl.out)
		want "reclaimctl reclaim node 1 8M exit $rc, through ${be:-?}, node file short ${short:-?} (node-file chosen)" \
			'[ $rc = 0 ] && { [ "$be" = node-file ] || [ "$short" = true ]; }'
		[ "$be" = node-file ] || { ctl cgroups 2>&1 | sed 's/^/NOTE hardening: cgroups: /'
			grep -l . $(find $CG -name memory.min -o -name memory.low) 2>/dev/null |
				while read -r f; do [ "$(cat "$f")" = 0 ] || echo "NOTE hardening: $f $(cat "$f")"; done; }
	else
		note "no nodeN/reclaim on $(uname -r): the node file is not checked"
	fi
	systemctl stop hardload.service
	# Its own user (issue 15): the ids and capabilities of the process.
	st() { awk -v k="$1:" '$1 == k { $1 = ""; print substr($0, 2) }' "/proc/$pid/status"; }
	ru=$(id -u reclaimd) rg=$(id -g reclaimd)
	want "runs as reclaimd ($ru:$rg): Uid $(st Uid | tr '\t' ' '), Gid $(st Gid | tr '\t' ' ')" \
		'[ "$(st Uid | tr -s "\t " " ")" = "$ru $ru $ru $ru" ] && [ "$(st Gid | tr -s "\t " " ")" = "$rg $rg $rg $rg" ]'
	# CAP_DAC_OVERRIDE bit 1, CAP_IPC_LOCK 14, CAP_SYS_RESOURCE 24: nothing else.
	caps=$(printf '%016x' $((1 << 1 | 1 << 14 | 1 << 24)))
	want "CapEff $(st CapEff) = CapPrm $(st CapPrm) = CapAmb $(st CapAmb) = CapBnd $(st CapBnd) = $caps (DAC_OVERRIDE IPC_LOCK SYS_RESOURCE)" \
		'[ "$(st CapEff)" = $caps ] && [ "$(st CapPrm)" = $caps ] && [ "$(st CapAmb)" = $caps ] && [ "$(st CapBnd)" = $caps ]'
	# What each capability is for, seen from the daemon itself.
	ctl status >/tmp/ctl.out 2>&1
	feats=$(grep '^features:' /tmp/ctl.out)
	want "it found memory.reclaim writable as that user (${feats:-no status})" 'echo "$feats" | grep -q "+memory_reclaim"'
	[ ! -e /sys/devices/system/node/node1/reclaim ] ||
		want "and nodeN/reclaim" 'echo "$feats" | grep -q "+node_reclaim"'
	J() { journalctl -q --no-pager -o cat _SYSTEMD_INVOCATION_ID="$(prop reclaimd InvocationID)"; }
	trig=$(J | grep -m1 'PSI trigger .* armed')
	want "CAP_SYS_RESOURCE: ${trig:-no PSI trigger armed}" '[ -n "$trig" ]'
	want "CAP_IPC_LOCK: mlockall worked, VmLck $(st VmLck | tr -s ' ')" \
		'[ "$(st VmLck | awk "{ print \$1 }")" -gt 0 ] && ! J | grep -q "mlockall() failed"'
	cache_unit hardload2 64
	f0=$(memstat vmtest.slice/hardload2.service file)
	ctl reclaim cgroup /vmtest.slice/hardload2.service 32M >/tmp/ctl.out 2>&1
	rc=$?
	f1=$(memstat vmtest.slice/hardload2.service file)
	want "CAP_DAC_OVERRIDE: the daemon wrote root's memory.reclaim (reclaim cgroup 32M exit $rc, cache $(mib "$f0") -> $(mib "$f1") MiB)" \
		'[ $rc = 0 ] && [ $((f0 - f1)) -ge $((24 << 20)) ]'
	systemctl stop hardload2.service
	# The control socket keeps its rules: reclaimd group may read, only root
	# (uid 0 by SO_PEERCRED) may change; the daemon's own group changes nothing.
	sock=/run/reclaimd/control.sock
	want "socket $(stat -c '%a %U:%G' $sock) in $(stat -c '%a %U:%G' /run/reclaimd): mode 660, group reclaimd" \
		'[ "$(stat -c %a $sock)" = 660 ] && [ "$(stat -c %G $sock)" = reclaimd ]'
	setpriv --reuid=nobody --regid=reclaimd --clear-groups reclaimctl status >/tmp/ctl.out 2>&1
	rc=$?
	setpriv --reuid=nobody --regid=reclaimd --clear-groups reclaimctl pause >/tmp/ctl2.out 2>&1
	rc2=$?
	ctl resume >/dev/null 2>&1
	want "group reclaimd: status exit $rc, pause refused (exit $rc2: $(head -c 60 /tmp/ctl2.out))" '[ $rc = 0 ] && [ $rc2 != 0 ]'
	setpriv --reuid=nobody --regid=nogroup --clear-groups reclaimctl status >/tmp/ctl.out 2>&1
	rc=$?
	want "others cannot connect (exit $rc)" '[ $rc != 0 ]'
	ctl pause >/dev/null 2>&1
	rc=$?
	ctl resume >/dev/null 2>&1
	rc2=$?
	want "root may pause ($rc) and resume ($rc2)" '[ $rc = 0 ] && [ $rc2 = 0 ]'
}

sc_socket() {
	systemctl stop reclaimd.service reclaimd.socket
	systemctl start reclaimd.socket
	want "only the socket: service $(systemctl is-active reclaimd.service), socket $(systemctl is-active reclaimd.socket)" \
		'! systemctl -q is-active reclaimd.service && systemctl -q is-active reclaimd.socket'
	t0=$(now)
	ctl status >/tmp/ctl.out 2>&1
	rc=$?
	want "reclaimctl status answered (exit $rc) in $(since "$t0") s" '[ $rc = 0 ] && grep -qi "running" /tmp/ctl.out'
	want "the service was started by the socket ($(systemctl is-active reclaimd.service))" \
		'systemctl -q is-active reclaimd.service'
	want "it listens on the socket passed by systemd" \
		'journalctl -q --no-pager -u reclaimd -o cat --since "@$(($(date +%s) - 120))" | grep -q "Listening on the socket passed by systemd"'
}

# Structured journal fields (issue 16), from the installed service: a boost
# makes a run end on node 0, a reload logs its entry; both are found by
# field, as an operator would ask for them. The ids are reclaimd(8)'s.
sc_journal() {
	run_end=589561f1712540afbbed55c4510e1a71 reload=38890e7e7aa84069bb1bd7702300d5d7
	brake=9e2dee8fd2a9480c965390591fedc199
	t0=$(date +%s)
	sleep 1
	cache_unit jload 64
	ctl boost 0 32M >/dev/null 2>&1
	systemctl reload reclaimd
	sleep 2
	journalctl --sync 2>/dev/null
	J() { journalctl -q --no-pager -u reclaimd --since "@$t0" "$@"; }
	J MESSAGE_ID=$run_end NODE=0 -o verbose >/tmp/j.runs 2>&1
	n=$(grep -c '^ *MESSAGE=' /tmp/j.runs)
	want "run-end entries found by MESSAGE_ID= and NODE=0: $n" '[ "$n" -ge 1 ]'
	want "they carry PRIORITY_LEVEL= and RECLAIMED_BYTES= ($(grep -m1 '^ *RECLAIMED_BYTES=' /tmp/j.runs | tr -d ' '))" \
		'grep -q "^ *PRIORITY_LEVEL=" /tmp/j.runs && grep -q "^ *RECLAIMED_BYTES=" /tmp/j.runs'
	want "NODE=0 finds no entry of node 1" '! J NODE=0 -o cat | grep -q "^node 1:"'
	want "the reload entry is found by its MESSAGE_ID=" 'J MESSAGE_ID=$reload -o cat | grep -q .'
	want "no MESSAGE kept a <N> prefix" '! J -o cat | grep -q "^<[0-7]>"'
	systemctl stop jload.service 2>/dev/null
	# A cgroup's pressure brake, found by CGROUP=: anonymous memory over its
	# MemoryHigh= thrashes against zram swap (as in the oomd scenario).
	t2=$(date +%s)
	cgp=/vmtest.slice/jthrash.service
	systemd-run -q --unit=jthrash --slice=vmtest.slice -p MemoryHigh=48M -p MemorySwapMax=infinity \
		stress-ng --no-madvise --vm 1 --vm-bytes 128M --vm-keep --timeout 90s
	braked() { journalctl -q --no-pager -u reclaimd --since "@$t2" MESSAGE_ID=$brake CGROUP=$cgp -o cat | grep -q 'pressure brake on'; }
	wait_until 60 braked
	line=$(journalctl -q --no-pager -u reclaimd --since "@$t2" MESSAGE_ID=$brake CGROUP=$cgp -o cat | head -n 1)
	want "its pressure brake found by MESSAGE_ID= and CGROUP=$cgp: ${line:-nothing}" '[ -n "$line" ]'
	systemctl stop jthrash.service 2>/dev/null
	systemctl reset-failed jthrash.service 2>/dev/null
}

sc_reload() {
	dir=/etc/reclaimd/reclaimd.conf.d
	pid0=$(prop reclaimd MainPID)
	printf '[Reclaim]\nStepSize=16M\n' >$dir/50-good.conf
	systemctl reload reclaimd
	rc=$?
	ctl config >/tmp/cfg.out 2>&1
	want "good drop-in: reload exit $rc, StepSize 16M from 50-good.conf" \
		'[ $rc = 0 ] && grep "StepSize" /tmp/cfg.out | grep -q "16M.*50-good.conf"'
	t1=$(date +%s)
	printf '[Reclaim]\nSwappiness=300\n' >$dir/60-broken.conf
	systemctl reload reclaimd
	rc=$?
	sleep 1
	ctl config >/tmp/cfg.out 2>&1
	line=$(journalctl -q --no-pager -u reclaimd -o cat --since "@$t1" | grep -m1 '60-broken.conf:2')
	want "broken drop-in: journal names FILE:LINE (${line:-nothing})" '[ -n "$line" ]'
	want "old config kept (StepSize $(grep StepSize /tmp/cfg.out | awk '{ print $2 }')), same pid, active" \
		'grep "StepSize" /tmp/cfg.out | grep -q "16M" && [ "$(prop reclaimd MainPID)" = "$pid0" ] && systemctl -q is-active reclaimd'
	note "systemctl reload with the broken drop-in: exit $rc"
	# A start with the broken drop-in fails with EX_CONFIG, not restarted.
	systemctl restart reclaimd 2>/dev/null
	sleep 6
	st=$(prop reclaimd ExecMainStatus) nr=$(prop reclaimd NRestarts)
	want "restart with it: exit status $st (78), $(systemctl is-active reclaimd), NRestarts $nr after 6 s (RestartSec=2s)" \
		'[ "$st" = 78 ] && [ "$nr" = 0 ] && ! systemctl -q is-active reclaimd'
	rm -f $dir/60-broken.conf $dir/50-good.conf
	systemctl reset-failed reclaimd
	systemctl start reclaimd
	want "starts again without it" 'systemctl -q is-active reclaimd'
}

sc_restart() {
	cache_unit restartload 400
	systemctl set-property --runtime vmtest.slice MemoryHigh=1500M MemoryLow=16M
	snap() {
		find $CG -name 'memory.min' -o -name 'memory.low' -o -name 'memory.high' -o -name 'memory.max' \
			-o -name 'memory.swap.max' | grep -v '/reclaimd.service/' | sort | while read -r f; do
			echo "$f $(cat "$f")"
		done
	}
	snap >/tmp/limits.0
	ctl reclaim cgroup /vmtest.slice/restartload.service 350M >/tmp/ctl.out 2>&1 &
	sleep 1
	pid0=$(prop reclaimd MainPID)
	t0=$(now)
	systemctl restart reclaimd
	rc=$?
	t=$(since "$t0")
	wait
	snap >/tmp/limits.1
	n=$(wc -l </tmp/limits.0)
	d=$(diff /tmp/limits.0 /tmp/limits.1 | grep -c '^[<>]')
	want "systemctl restart mid-reclaim exit $rc in $t s, new pid ($pid0 -> $(prop reclaimd MainPID))" \
		'[ $rc = 0 ] && [ "$(prop reclaimd MainPID)" != "$pid0" ] && systemctl -q is-active reclaimd'
	want "$n memory.{min,low,high,max,swap.max} files unchanged ($d lines differ)" '[ "$n" -gt 0 ] && [ "$d" = 0 ]'
	[ "$d" = 0 ] || diff /tmp/limits.0 /tmp/limits.1 | head -n 10 | sed 's/^/NOTE restart: /'
	systemctl stop restartload.service
}

sc_watchdog() {
	mkdir -p /run/systemd/system/reclaimd.service.d
	printf '[Service]\nWatchdogSec=10s\nTimeoutAbortSec=5s\n' \
		>/run/systemd/system/reclaimd.service.d/50-watchdog-test.conf
	systemctl daemon-reload
	systemctl restart reclaimd
	pid0=$(prop reclaimd MainPID)
	nr0=$(prop reclaimd NRestarts)
	sleep 12
	want "pings keep it alive over 12 s with WatchdogSec=10s (pid $pid0)" \
		'[ "$(prop reclaimd MainPID)" = "$pid0" ] && [ "$(prop reclaimd NRestarts)" = "$nr0" ]'
	cg=$CG$(prop reclaimd ControlGroup)
	t1=$(date +%s)
	t0=$(now)
	echo 1 >"$cg/cgroup.freeze"
	restarted() { [ "$(prop reclaimd NRestarts)" -gt "$nr0" ] && systemctl -q is-active reclaimd; }
	wait_until 60 restarted
	t=$(since "$t0")
	[ -e "$cg/cgroup.freeze" ] && [ "$(cat "$cg/cgroup.freeze")" = 1 ] && echo 0 >"$cg/cgroup.freeze"
	why=$(journalctl -q --no-pager -u reclaimd -o cat --since "@$t1" | grep -m1 -i 'watchdog timeout')
	want "frozen cgroup: restarted after $t s (NRestarts $nr0 -> $(prop reclaimd NRestarts)), pid $pid0 -> $(prop reclaimd MainPID)" \
		'restarted && [ "$(prop reclaimd MainPID)" != "$pid0" ]'
	want "journal: ${why:-no watchdog message}" '[ -n "$why" ]'
	rm -rf /run/systemd/system/reclaimd.service.d
	systemctl daemon-reload
	systemctl restart reclaimd
}

sc_oomd() {
	mkdir -p /etc/systemd/oomd.conf.d
	printf '[OOM]\nDefaultMemoryPressureDurationSec=5s\n' >/etc/systemd/oomd.conf.d/50-test.conf
	systemctl restart systemd-oomd
	want "both active: reclaimd $(systemctl is-active reclaimd), systemd-oomd $(systemctl is-active systemd-oomd)" \
		'systemctl -q is-active reclaimd && systemctl -q is-active systemd-oomd'
	mkdir -p /run/systemd/system
	printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' \
		>/run/systemd/system/thrash.slice
	systemctl daemon-reload
	t1=$(date +%s)
	t0=$(now)
	# Anonymous memory twice its MemoryHigh=: it thrashes against zram swap.
	# --no-madvise: stress-ng's default random madvise() advice on its
	# buffer (MADV_PAGEOUT, MADV_HUGEPAGE among them) would vary the load.
	systemd-run -q --unit=thrash --slice=thrash.slice -p MemoryHigh=48M -p MemorySwapMax=infinity \
		stress-ng --no-madvise --vm 1 --vm-bytes 128M --vm-keep --timeout 170s
	killed() { journalctl -q --no-pager -u systemd-oomd -o cat --since "@$t1" | grep -q 'Killed'; }
	wait_until 100 killed
	t=$(since "$t0")
	p=$(awk -F'avg10=' '/^some/ { split($2, a, " "); print a[1] }' $CG/thrash.slice/memory.pressure 2>/dev/null)
	msg=$(journalctl -q --no-pager -u systemd-oomd -o cat --since "@$t1" | grep -m1 'Killed')
	want "oomd killed the thrashing slice's unit after $t s: ${msg:-nothing}" '[ -n "$msg" ]'
	want "reclaimd still active" 'systemctl -q is-active reclaimd'
	note "thrash.slice memory some avg10 at the end: ${p:-gone}"
	systemctl stop thrash.service 2>/dev/null
	systemctl reset-failed thrash.service 2>/dev/null
	rm -f /run/systemd/system/thrash.slice /etc/systemd/oomd.conf.d/50-test.conf
	systemctl daemon-reload
}

# The other side of sc_oomd: a slice under oomd's pressure kill that is not
# thrashing. Its service reads a sparse file once through, 48 MiB a second,
# bound to node 0 (1 GiB), so that its page cache, all cold, grows past what
# the node holds and towards its MemoryHigh=: the node runs short and
# reclaimd reclaims, from it above all. Over a 36 s window its memory
# pressure (full avg10, what oomd judges; some noted) stays below the
# slice's 20 % limit, oomd kills nothing, the service runs on, and reclaimd
# reclaimed from it (its own per-cgroup counter): not a window where nothing
# happened.
sc_coldcache() {
	mkdir -p /etc/systemd/oomd.conf.d /run/systemd/system
	printf '[OOM]\nDefaultMemoryPressureDurationSec=5s\n' >/etc/systemd/oomd.conf.d/50-test.conf
	systemctl restart systemd-oomd
	printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=20%%\n' \
		>/run/systemd/system/cold.slice
	systemctl daemon-reload
	want "both active: reclaimd $(systemctl is-active reclaimd), systemd-oomd $(systemctl is-active systemd-oomd)" \
		'systemctl -q is-active reclaimd && systemctl -q is-active systemd-oomd'
	truncate -s 4G /var/tmp/cold.sparse
	rm -f /tmp/cold.read
	t1=$(date +%s)
	systemd-run -q --unit=coldread --slice=cold.slice -p MemoryAccounting=yes -p MemoryHigh=900M \
		-p NUMAPolicy=bind -p NUMAMask=0 sh -c '
		i=0
		while [ $i -lt 80 ]; do
			dd if=/var/tmp/cold.sparse of=/dev/null bs=1M count=48 skip=$((i * 48)) 2>/dev/null
			i=$((i + 1)); echo $i >/tmp/cold.read; sleep 1
		done; exec sleep infinity'
	cgs=$CG/cold.slice
	filled() { [ "$(cat $cgs/memory.current 2>/dev/null || echo 0)" -ge $((600 << 20)) ]; }
	wait_until 90 filled
	note "filled to $(mib "$(cat $cgs/memory.current)") MiB in $(($(date +%s) - t1)) s"
	rec() { ctl stats --format=prometheus 2>/dev/null |
		awk '/^reclaimd_cgroup_reclaimed_bytes_total\{cgroup="\/cold\.slice/ { s += $NF } END { printf "%d\n", s }'; }
	vm() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
	r0=$(rec) k0=$(vm pgsteal_kswapd) d0=$(vm pgsteal_direct) n0=$(cat /tmp/cold.read)
	high0=$(awk '$1 == "high" { print $2 }' $cgs/coldread.service/memory.events)
	t0=$(now)
	maxfull=0 maxsome=0 peak=0 end=$(($(date +%s) + 36))
	while [ "$(date +%s)" -lt $end ]; do
		p=$(cat $cgs/memory.pressure 2>/dev/null)
		f=$(echo "$p" | awk -F'avg10=' '/^full/ { split($2, a, " "); print a[1] }')
		sm=$(echo "$p" | awk -F'avg10=' '/^some/ { split($2, a, " "); print a[1] }')
		maxfull=$(awk -v a="$maxfull" -v b="${f:-100}" 'BEGIN { print (b > a) ? b : a }')
		maxsome=$(awk -v a="$maxsome" -v b="${sm:-100}" 'BEGIN { print (b > a) ? b : a }')
		c=$(cat $cgs/memory.current 2>/dev/null || echo 0)
		[ "$c" -le "$peak" ] || peak=$c
		sleep 1
	done
	t=$(since "$t0")
	r1=$(rec) n1=$(cat /tmp/cold.read)
	high1=$(awk '$1 == "high" { print $2 }' $cgs/coldread.service/memory.events)
	killed=$(journalctl -q --no-pager -u systemd-oomd -o cat --since "@$t1" | grep -c 'Killed')
	want "it grew: read $(((n1 - n0) * 48)) MiB in the $t s window ($((n1 * 48)) MiB in all, > node 0's 1024)" \
		'[ $((n1 * 48)) -gt 1024 ] && [ $((n1 - n0)) -ge 8 ]'
	want "reclaimd reclaimed $(mib $((r1 - r0))) MiB from cold.slice in the window (>= 64)" \
		'[ $((r1 - r0)) -ge $((64 << 20)) ]'
	want "cold.slice memory pressure full avg10 at most $maxfull % in the window (< the slice's 20 %)" \
		'awk -v m="$maxfull" "BEGIN { exit !(m < 20) }"'
	want "oomd killed nothing ($killed 'Killed' lines since the start), coldread $(systemctl is-active coldread)" \
		'[ "$killed" = 0 ] && systemctl -q is-active coldread'
	note "window: some avg10 at most $maxsome %, memory.current peak $(mib $peak) MiB of MemoryHigh=900M, memory.events high +$((high1 - high0)), vmstat pgsteal_kswapd +$(mib $((($(vm pgsteal_kswapd) - k0) * 4096))) MiB, pgsteal_direct +$(mib $((($(vm pgsteal_direct) - d0) * 4096))) MiB"
	systemctl stop coldread.service 2>/dev/null
	systemctl reset-failed coldread.service 2>/dev/null
	rm -f /run/systemd/system/cold.slice /etc/systemd/oomd.conf.d/50-test.conf /var/tmp/cold.sparse
	systemctl daemon-reload
	systemctl restart systemd-oomd
}

sc_remove() {
	apt remove -y reclaimd >/tmp/apt.out 2>&1
	rc=$?
	want "apt remove exit $rc" '[ $rc = 0 ]'
	want "daemon stopped and gone, config kept (dpkg: $(dpkg-query -W -f='${db:Status-Abbrev}' reclaimd))" \
		'! systemctl -q is-active reclaimd && [ ! -e /usr/sbin/reclaimd ] && [ -f /etc/reclaimd/reclaimd.conf ]'
	apt purge -y reclaimd >/tmp/apt2.out 2>&1
	rc=$?
	left=$(ls -d /etc/reclaimd /lib/systemd/system/reclaimd.* /usr/lib/sysusers.d/reclaimd.conf \
		/etc/systemd/system/*/reclaimd.* 2>/dev/null | paste -sd' ' -)
	want "apt purge exit $rc: nothing left (${left:-none}), dpkg forgot it" \
		'[ $rc = 0 ] && [ -z "$left" ] && ! dpkg-query -W reclaimd 2>/dev/null | grep -q .'
	failed=$(systemctl list-units --failed --plain --no-legend | grep -c reclaimd)
	want "no failed reclaimd unit ($failed)" '[ "$failed" = 0 ]'
	[ $rc = 0 ] || tail -n 20 /tmp/apt.out /tmp/apt2.out
}

if [ "${1:-}" = --one ]; then
	SC=$2
	"sc_$2"
	finish
	exit 0
fi

# --- the run
exec 2>&1
if [ "${SHELL_ONLY:-0}" = 1 ]; then
	touch /run/vmtest-shell
	passwd -d root >/dev/null
	echo "shell: log in as root on the console (no password); the package is in $D"
	exit 0
fi
echo "NOTE setup: $(uname -r), systemd $(systemctl --version | sed -n '1s/systemd \([0-9]*\).*/\1/p'), up $(now) s, $(ls -d /sys/devices/system/node/node* | wc -l) nodes, cgroup $(stat -fc %T $CG)"
# zram swap, 1 GiB.
modprobe zram && dev=$(zramctl --find --size 1G --algorithm lz4 2>/dev/null || zramctl --find --size 1G) &&
	mkswap -q "$dev" && swapon "$dev" && echo "NOTE setup: swap $(swapon --show=NAME,SIZE --noheadings | tr -s ' ')"
for sc in $SCENARIOS; do
	t0=$(date +%s)
	timeout -s KILL 240 sh "$D/guest/main.sh" --one "$sc" >/tmp/sc.out 2>&1
	rc=$?
	cat /tmp/sc.out
	grep -q "^PASS $sc:" /tmp/sc.out && continue
	grep -q "^FAIL $sc:" /tmp/sc.out || echo "FAIL $sc: killed or exited $rc (240 s timeout)"
	echo "BEGIN-LOG $sc (journal since the scenario began)"
	journalctl -q --no-pager -o short-monotonic --since "@$t0" | tail -n 150
	echo "END-LOG $sc"
done
echo DONE
