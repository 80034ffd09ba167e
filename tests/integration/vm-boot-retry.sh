#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/vm/debian/run against a stand-in for qemu-system-x86_64 (first in
# PATH), so that the harness's own decisions are tested without a guest:
#   - a kernel that panics while booting, before the guest's tests said their
#     first line, is booted once more, with a NOTE, and the second boot's
#     results count;
#   - a panic after the tests began is a result: no second boot, FAIL;
#   - a kernel that panics twice FAILs (one retry, not a loop);
#   - a guest that stops early without a panic is not booted again.
# The stand-in writes the console (first -serial file:) and the results
# (second -serial file:) as the scenario in $FAKE_PLAN says, one word per
# boot: "early" (a panic before the tests), "late" (a panic after
# "NOTE setup:"), "quiet" (nothing on either, no panic: a guest that hung
# or powered off early) or "good" (the install scenario passes, DONE).
#
# Output: TAP.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

command -v mkfs.ext4 >/dev/null 2>&1 || skip_all "mkfs.ext4 not installed (apt-get install e2fsprogs)"

# A fake image: what run reads of it (manifest, a 6.12 kernel and initrd).
img=$tmp/image
mkdir -p "$img/boot" "$tmp/bin"
echo "fake image for vm-boot-retry.sh" >"$img/manifest"
: >"$img/boot/vmlinuz-6.12.1-fake" && : >"$img/boot/initrd.img-6.12.1-fake" && : >"$img/disk.img"
: >"$tmp/reclaimd_0.0_amd64.deb"

cat >"$tmp/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# Stand-in for qemu: one word of $FAKE_PLAN per boot, counted in $FAKE_COUNT.
n=$(($(cat "$FAKE_COUNT" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE_COUNT"
what=$(echo "$FAKE_PLAN" | cut -d' ' -f"$n")
console="" results=""
for a in "$@"; do
	case "$a" in
	file:*) if [ -z "$console" ]; then console=${a#file:}; else results=${a#file:}; fi ;;
	esac
done
: >"$console"
: >"$results"
panic() {
	printf '[    1.239598] Oops: int3: 0000 [#1] SMP NOPTI\r\n' >>"$console"
	printf '[    1.240300] RIP: 0010:sched_clock_cpu+0x9/0x1f0\r\n' >>"$console"
	printf '[    1.242521] Kernel panic - not syncing: Fatal exception in interrupt\r\n' >>"$console"
}
case "$what" in
early) panic ;;
late) printf 'NOTE setup: 6.12.1-fake\r\n' >>"$results"; panic ;;
quiet) printf '[    1.000000] Run /init as init process\r\n' >>"$console" ;;
good) printf 'NOTE setup: 6.12.1-fake\r\nPASS install: fake\r\nDONE\r\n' >>"$results" ;;
*) echo "fake qemu: no plan for boot $n" >&2; exit 1 ;;
esac
exit 0
EOF
chmod +x "$tmp/bin/qemu-system-x86_64"

# run_plan NAME PLAN: the harness on the install scenario; output in
# $tmp/NAME.out, exit status in $tmp/NAME.rc, boots in $tmp/NAME.count.
run_plan() {
	rm -rf "$tmp/work"
	PATH="$tmp/bin:$PATH" FAKE_PLAN=$2 FAKE_COUNT=$tmp/$1.count \
		RECLAIMD_DEBIAN_IMAGE=$img RECLAIMD_DEBIAN_WORK=$tmp/work \
		"$top_srcdir/tests/vm/debian/run" --deb "$tmp/reclaimd_0.0_amd64.deb" \
		--kernel 6.12 --scenario install --timeout 60 >"$tmp/$1.out" 2>&1
	echo $? >"$tmp/$1.rc"
	[ -f "$tmp/$1.count" ] || echo 0 >"$tmp/$1.count"
}
show() { sed 's/^/#   /' "$tmp/$1.out"; }

run_plan early "early good"
check "a panic before the tests began: booted twice ($(cat "$tmp/early.count"))" [ "$(cat "$tmp/early.count")" = 2 ]
check "... the retry is said, with the oops and where (NOTE 6.12 boot: ... Oops: int3 ... sched_clock_cpu)" \
	grep -q '^NOTE 6.12 boot: the kernel panicked while booting, before the tests began (Oops: int3: 0000 \[#1\] SMP NOPTI; RIP 0010:sched_clock_cpu+0x9/0x1f0); booting again' "$tmp/early.out"
check "... the first boot's console is kept (console-panic.log has the panic)" \
	grep -q 'Kernel panic' "$tmp/work/run-6.12/console-panic.log"
check "... the second boot's results count: PASS install, exit 0 (rc $(cat "$tmp/early.rc"))" \
	sh -c "grep -q '^PASS 6.12 install: fake' '$tmp/early.out' && [ \"\$(cat '$tmp/early.rc')\" = 0 ]"
[ "$(cat "$tmp/early.rc")" = 0 ] || show early

run_plan late "late good"
check "a panic after the tests began: no second boot ($(cat "$tmp/late.count"))" [ "$(cat "$tmp/late.count")" = 1 ]
check "... it FAILs (exit $(cat "$tmp/late.rc"), install not reported)" \
	sh -c "[ \"\$(cat '$tmp/late.rc')\" != 0 ] && grep -q '^FAIL 6.12 install: not reported' '$tmp/late.out' && ! grep -q 'booting again' '$tmp/late.out'"

run_plan quiet "quiet good"
check "a guest that stopped early without a panic: no second boot ($(cat "$tmp/quiet.count"))" [ "$(cat "$tmp/quiet.count")" = 1 ]
check "... it FAILs (exit $(cat "$tmp/quiet.rc"))" \
	sh -c "[ \"\$(cat '$tmp/quiet.rc')\" != 0 ] && grep -q '^FAIL 6.12 install: not reported' '$tmp/quiet.out' && ! grep -q 'booting again' '$tmp/quiet.out'"

run_plan twice "early early good"
check "a kernel that panics twice: two boots, not three ($(cat "$tmp/twice.count"))" [ "$(cat "$tmp/twice.count")" = 2 ]
check "... it FAILs (exit $(cat "$tmp/twice.rc"))" \
	sh -c "[ \"\$(cat '$tmp/twice.rc')\" != 0 ] && grep -q '^FAIL 6.12 install: not reported' '$tmp/twice.out'"

tap_done
