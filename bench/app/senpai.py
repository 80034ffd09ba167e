#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# A senpai-style offload controller for `bench/app/run --mode offload`,
# written from senpai's published algorithm (not its code), the same rule as
# bench/bench-offload.c's simulated one: every INTERVAL seconds, with STALL
# the cgroup's memory.pressure "some" time over the last interval,
#
#   reclaim = memory.current x PROBE x max(0, 1 - STALL / TARGET)
#
# written to the cgroup's memory.reclaim (the kernel's proactive reclaim;
# senpai's newer releases use it where the kernel has it). Nothing is asked
# while the stall is at or above the target (senpai's backoff raises a
# memory.high limit, which memory.reclaim has none of). Logs one line per
# interval and cgroup: seconds since start, memory.current, stall_us, asked
# bytes, the write's result (ok or the error), the cgroup's directory name.
#
#   senpai.py CGROUP_DIR[,CGROUP_DIR...] INTERVAL_S TARGET_MS PROBE_PERMYRIAD LOG
#
# With several directories each is a controller of its own (its own stall,
# its own step), in one process on one clock: senpai deployed per service,
# as reclaimd's controllers are, where one directory is senpai on the
# slice.
import os
import sys
import time

cgs, interval, target_ms, probe, log = sys.argv[1].split(","), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
target_us = target_ms * 1000


def some_total(cg):
    with open(os.path.join(cg, "memory.pressure")) as f:
        for line in f:
            p = line.split()
            if p[0] == "some":
                return int(p[4].split("=")[1])
    raise SystemExit("senpai: no some line in %s/memory.pressure" % cg)


def current(cg):
    with open(os.path.join(cg, "memory.current")) as f:
        return int(f.read())


t0 = time.monotonic()
last = {cg: some_total(cg) for cg in cgs}
out = open(log, "a", buffering=1)
next_t = t0 + interval
while True:
    time.sleep(max(0.0, next_t - time.monotonic()))
    next_t += interval
    for cg in cgs:
        total = some_total(cg)
        stall, last[cg] = total - last[cg], total
        cur = current(cg)
        ask = 0
        if stall < target_us:
            ask = int(cur * probe / 10000 * (target_us - stall) / target_us) & ~4095
        res = "ok"
        if ask > 0:
            try:
                with open(os.path.join(cg, "memory.reclaim"), "w") as f:
                    f.write("%d" % ask)
            except OSError as e:
                res = e.strerror.replace(" ", "_")
        out.write("%.2f %d %d %d %s %s\n" % (time.monotonic() - t0, cur, stall, ask, res, os.path.basename(cg)))
