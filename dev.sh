#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Developer entry point; the README's two commands are `./dev.sh run` and
# `./dev.sh test`. Both install what is missing (apt-get, Debian 12), build,
# and are safe to rerun.
#
#   ./dev.sh run    build and run reclaimd in the foreground on this host
#   ./dev.sh test   build and run every test: unit, ASan+UBSan, fuzz smoke,
#                   distcheck, unit files, and the real-kernel VM tests
#   ./dev.sh deps   only install the Debian packages
#   ./dev.sh build  only build (in ./build)
#   ./dev.sh deb    build the Debian package (build/deb/reclaimd_*.deb) and
#                   run lintian on it
#
# Environment: FUZZ_SECONDS (per fuzzer, default 15), SKIP_VM=1 to leave out
# the QEMU tests (both the busybox matrix and the Debian guest), JOBS
# (default nproc).
set -eu

cd "$(dirname "$0")"
top=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}

BUILD_DEPS="build-essential autoconf automake libtool pkg-config autoconf-archive
libevent-dev libsystemd-dev libcgroup-dev libjson-c-dev libinih-dev libcmocka-dev
scdoc"
# prometheus: for promtool (tests/integration/metrics.sh); Debian ships it
# only in the server package (19 MB download), which installs no running
# service here.
# linux-perf: bench/run --profile copies the host's perf into the guest.
TEST_DEPS="clang systemd qemu-system-x86 busybox-static cpio kmod gnuplot-nox
python3 procps util-linux iproute2 prometheus linux-perf"
# The Debian package and the Debian guest (tests/vm/debian).
DEB_DEPS="debhelper devscripts lintian fakeroot dpkg-dev mmdebstrap e2fsprogs
debian-archive-keyring"

deps() {
	missing=""
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	echo "dev.sh: installing$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "dev.sh: installing packages needs root (run as root or with sudo)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

configure_in() { # DIR [configure args]
	dir=$1
	shift
	[ -x "$top/configure" ] && [ "$top/configure" -nt "$top/configure.ac" ] ||
		(cd "$top" && autoreconf -fi) || return 1
	mkdir -p "$dir" || return 1
	stamp="$dir/.configure-args"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
		(cd "$dir" && "$top/configure" -q "$@") || return 1
		echo "$*" >"$stamp"
	fi
}

# Step functions run under `if` (see step()), where `set -e` does not apply:
# every command that can fail ends in `|| return 1`.
build() {
	configure_in "$top/build" --enable-werror --localstatedir=/var --runstatedir=/run \
		--sysconfdir=/etc || return 1
	make -C "$top/build" -j"$JOBS" || return 1
}

PASSED=0
FAILED=0
count_suite() { # test-suite.log
	[ -f "$1" ] || return 0
	p=$(sed -n 's/^# PASS: *//p' "$1" | head -n1)
	f=$(sed -n 's/^# FAIL: *//p' "$1" | head -n1)
	e=$(sed -n 's/^# ERROR: *//p' "$1" | head -n1)
	PASSED=$((PASSED + ${p:-0}))
	FAILED=$((FAILED + ${f:-0} + ${e:-0}))
}

step() { # NAME COMMAND... (sh has no locals: the step functions must not
	# touch step_name)
	step_name=$1
	shift
	echo
	echo "==== $step_name"
	if "$@"; then
		echo "==== $step_name: ok"
	else
		echo "==== $step_name: FAILED"
		FAILED_STEPS="${FAILED_STEPS:-} $step_name"
	fi
}

unit_tests() {
	make -C "$top/build" -j"$JOBS" check || { cat "$top/build/test-suite.log"; return 1; }
}

asan_tests() {
	configure_in "$top/build-asan" --enable-werror --enable-asan --enable-ubsan || return 1
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C "$top/build-asan" -j"$JOBS" check ||
		{ cat "$top/build-asan/test-suite.log"; return 1; }
}

fuzz_smoke() {
	configure_in "$top/build-fuzz" CC=clang --enable-werror --enable-fuzzing \
		--enable-asan --enable-ubsan --disable-tests || return 1
	make -C "$top/build-fuzz" -j"$JOBS" || return 1
	found=0
	for f in "$top"/build-fuzz/tests/fuzz/fuzz-*; do
		[ -x "$f" ] || continue
		found=1
		name=$(basename "$f")
		corpus="$top/build-fuzz/corpus/$name"
		mkdir -p "$corpus"
		echo "fuzz: $name for ${FUZZ_SECONDS}s"
		"$f" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -print_final_stats=1 \
			"$corpus" "$top/tests/fuzz/seeds/${name#fuzz-}" 2>"$corpus.log" ||
			{ tail -n 60 "$corpus.log"; return 1; }
		grep -E 'stat::number_of_executed_units' "$corpus.log" || true
		PASSED=$((PASSED + 1))
	done
	[ "$found" = 1 ] || { echo "fuzz: no fuzz targets were built"; return 1; }
}

distcheck() {
	make -C "$top/build" -j"$JOBS" distcheck \
		DISTCHECK_CONFIGURE_FLAGS="--enable-werror" >"$top/build/distcheck.log" 2>&1 ||
		{ tail -n 80 "$top/build/distcheck.log"; return 1; }
	tail -n 4 "$top/build/distcheck.log"
}

vm_tests() {
	if [ "${SKIP_VM:-0}" = 1 ]; then
		echo "vm: skipped (SKIP_VM=1)"
		return 0
	fi
	"$top/tests/vm/run" --build "$top/build" || return 1
}

# The package is built from a copy of the tracked and untracked-but-not-
# ignored files (not from the work tree, which dpkg-buildpackage would
# configure in place and write beside), without the unit tests: the
# unit-tests step ran them.
deb_build() {
	command -v git >/dev/null && git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
		{ echo "deb: needs a git checkout (git ls-files)"; return 1; }
	# Built already from these very sources: reused.
	key=$(cd "$top" && { git ls-files -s; git diff HEAD; git ls-files -z --others --exclude-standard |
		xargs -0 cat 2>/dev/null; } | sha256sum | cut -c1-16)
	if [ "$(cat "$top/build/deb/.sources" 2>/dev/null)" = "$key" ] &&
		ls "$top"/build/deb/reclaimd_*.deb 2>/dev/null; then
		echo "deb: unchanged sources, package reused"
		return 0
	fi
	rm -rf "$top/build/deb" && mkdir -p "$top/build/deb/src" || return 1
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -C "$top/build/deb/src" -xf - || return 1
	(cd "$top/build/deb/src" && DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" \
		dpkg-buildpackage -us -uc -b) >"$top/build/deb/build.log" 2>&1 ||
		{ tail -n 60 "$top/build/deb/build.log"; return 1; }
	ls "$top"/build/deb/reclaimd_*.deb || return 1
	# lintian at its default level: errors and warnings fail the step.
	lintian --fail-on error,warning "$top"/build/deb/reclaimd_*.changes || return 1
	echo "deb: lintian clean"
	echo "$key" >"$top/build/deb/.sources"
}

debian_vm_tests() {
	rm -f "$top/build/debian-vm-results.txt"
	if [ "${SKIP_VM:-0}" = 1 ]; then
		echo "debian-vm: skipped (SKIP_VM=1)"
		return 0
	fi
	deb_build || return 1
	"$top/tests/vm/debian/run" --deb "$top"/build/deb/reclaimd_*.deb \
		--results "$top/build/debian-vm-results.txt" || return 1
}

add_results() { # FILE with "NPASSED NFAILED"
	[ -f "$1" ] || return 0
	counts=$(cat "$1")
	PASSED=$((PASSED + ${counts% *}))
	FAILED=$((FAILED + ${counts#* }))
}

cmd=${1:-}
case "$cmd" in
deps)
	deps $BUILD_DEPS $TEST_DEPS $DEB_DEPS
	;;
deb)
	deps $BUILD_DEPS $DEB_DEPS
	deb_build
	;;
build)
	deps $BUILD_DEPS
	build
	;;
run)
	deps $BUILD_DEPS
	build
	mkdir -p /run/reclaimd
	echo "dev.sh: starting reclaimd in the foreground (Ctrl-C stops it);"
	echo "dev.sh: in another terminal: build/reclaimctl status"
	exec "$top/build/reclaimd" --config="$top/build/etc/reclaimd.conf" \
		--socket=/run/reclaimd/control.sock
	;;
test)
	deps $BUILD_DEPS $TEST_DEPS $DEB_DEPS
	step build build
	step unit-tests unit_tests
	count_suite "$top/build/test-suite.log"
	step asan-ubsan-tests asan_tests
	count_suite "$top/build-asan/test-suite.log"
	step fuzz-smoke fuzz_smoke
	step distcheck distcheck
	step vm-tests vm_tests
	add_results "$top/build/vm-results.txt"
	step debian-vm-tests debian_vm_tests
	add_results "$top/build/debian-vm-results.txt"
	echo
	if [ -n "${FAILED_STEPS:-}" ]; then
		echo "FAILED steps:${FAILED_STEPS}"
		FAILED=$((FAILED > 0 ? FAILED : 1))
	fi
	echo "$PASSED passed, $FAILED failed"
	[ -z "${FAILED_STEPS:-}" ]
	;;
*)
	sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
