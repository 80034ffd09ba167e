# SPDX-License-Identifier: GPL-2.0-only
#
# What the guest sides of bench/app/run share (guest.sh, offload-guest.sh),
# sourced from the data disk as guest/common.sh after setting TAG (the
# prefix of the lines on ttyS1) and OUT (the results directory).
set -u
D=/mnt/vmtest
. "$D/settings"
export SYSTEMD_COLORS=0 SYSTEMD_PAGER= NO_COLOR=1 DEBIAN_FRONTEND=noninteractive
CG=/sys/fs/cgroup
mkdir -p $OUT/runs $OUT/samples
T0=$(date +%s)

say() {
	echo "$TAG $(($(date +%s) - T0))s $*"
	echo "$(($(date +%s) - T0)) $*" >>$OUT/log.txt
}
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# 1 GiB of zram swap (retried: udev may hold the new device for a moment);
# ZDEV is its device name. Stops the benchmark without swap on zram.
swap_zram() {
	modprobe zram
	for i in 1 2 3 4 5 6 7 8 9 10; do
		udevadm settle 2>/dev/null
		dev=$(zramctl --find --size 1G --algorithm lz4 2>/dev/null) && mkswap -q "$dev" && swapon "$dev" && break
		sleep 2
	done
	ZDEV=$(basename "$(swapon --show=NAME --noheadings | head -n1)")
	say "swap: $(swapon --show=NAME,SIZE --noheadings | tr -s ' ')"
	case "$ZDEV" in
	zram*) ;;
	*) say "no zram swap: stopping"; echo DONE; exit 1 ;;
	esac
}

# apt install the data disk's .deb as a user would, then stop the service
# (each configuration starts it when it wants it). No package, or one that
# does not install, stops the benchmark: its reclaimd runs would measure
# nothing. (save: the guest script's, which puts OUT on the results disk.)
install_deb() {
	systemctl stop redis-server.service systemd-oomd.service systemd-oomd.socket 2>/dev/null
	deb=$(ls "$D"/reclaimd_*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { say "no reclaimd_*.deb on the data disk: stopping"; save; echo DONE; exit 1; }
	cp "$deb" /root/ && cd /root
	t=$(date +%s)
	rc=0
	apt install -y "./$(basename "$deb")" >$OUT/apt.log 2>&1 || rc=$?
	say "apt install $(basename "$deb"): exit $rc in $(($(date +%s) - t)) s"
	if [ $rc != 0 ] || ! systemctl cat reclaimd.service >/dev/null 2>&1; then
		say "the package did not install (apt.log: $(tail -n 3 $OUT/apt.log | tr '\n' ' ')): stopping"
		save
		echo DONE
		exit 1
	fi
	systemctl stop reclaimd.service reclaimd.socket
}

# --deb-b: the data disk's b/*.deb unpacked beside the installed package;
# reclaimdb_start runs its daemon by the installed unit and configuration,
# reclaimdb_stop as reclaimd_stop, and the unit is the package's again.
install_b() {
	ls $D/b/*.deb >/dev/null 2>&1 || return 0
	mkdir -p /usr/local/lib/reclaimd-b && dpkg-deb -x $D/b/*.deb /usr/local/lib/reclaimd-b
	say "package b: $(basename $D/b/*.deb), $(sha256sum /usr/local/lib/reclaimd-b/usr/sbin/reclaimd | cut -c1-12) against $(sha256sum /usr/sbin/reclaimd | cut -c1-12)"
}
B_DROPIN=/etc/systemd/system/reclaimd.service.d/50-bench-b.conf
reclaimdb_unit_off() {
	rm -f $B_DROPIN
	systemctl daemon-reload
}
reclaimdb_start() {
	mkdir -p "$(dirname $B_DROPIN)"
	printf '[Service]\nExecStart=\nExecStart=/usr/local/lib/reclaimd-b/usr/sbin/reclaimd\n' >$B_DROPIN
	systemctl daemon-reload
	reclaimd_start && return 0
	# Not started: the unit is the package's again (a run that fails to
	# start is skipped without its cfg_off).
	reclaimdb_unit_off
	return 1
}
reclaimdb_stop() {
	reclaimd_stop
	reclaimdb_unit_off
}

# The package's service as a configuration's controller: reclaimd_start
# waits for it to be active; reclaimd_stop saves its journal since RUN_T as
# $OUT/runs/$LABEL.journal, `reclaimctl --json cgroups` as
# $OUT/runs/$LABEL.cgroups.json, and stops it with its socket.
reclaimd_start() {
	systemctl start reclaimd.service
	wait_until 30 systemctl -q is-active reclaimd.service
}
reclaimd_stop() {
	journalctl -q --no-pager -u reclaimd -o short-monotonic --since "@$RUN_T" >$OUT/runs/$LABEL.journal 2>&1
	# What each cgroup gave (reclaimed_bytes per cgroup since start).
	reclaimctl --json cgroups >$OUT/runs/$LABEL.cgroups.json 2>$OUT/runs/$LABEL.cgroups.err
	systemctl stop reclaimd.service reclaimd.socket
}
