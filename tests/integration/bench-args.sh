#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/run's --kernel (issue 14: the synthetic benchmark on 6.18 too)
# refuses what it cannot do before it builds or boots anything: a kernel
# series outside tests/vm's, and --docs on any kernel but the 6.12 whose
# tables docs/benchmarks.md holds. No VM is booted here.
. "$(dirname "$0")/lib.sh"

RUN="$top_srcdir/bench/run"

"$RUN" --kernel 5.4 --out "$tmp/out" >"$tmp/k.out" 2>&1
rc=$?
check "--kernel 5.4 is refused (status $rc)" [ "$rc" -ne 0 ]
check "naming the series it knows" grep -q "kernel '5.4' is not one of 6.18 6.12 6.1" "$tmp/k.out"
"$RUN" --kernel 6.18 --docs --out "$tmp/out" >"$tmp/d.out" 2>&1
rc=$?
check "--kernel 6.18 --docs is refused (status $rc)" [ "$rc" -ne 0 ]
check "saying why" grep -q "replaces docs/benchmarks.md's tables of 6.12" "$tmp/d.out"
check "--help documents --kernel" sh -c "'$RUN' --help | grep -q -- '--kernel K'"
check "nothing was booted" [ ! -e "$tmp/out/raw" ]
tap_done
