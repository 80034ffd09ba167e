#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""CPU time by task name over whole scheduler traces (bench/app/run --trace
keeps each window's as raw/trace/LABEL.trace.gz):

    trace-cpu.py TRACE.gz...

One line per trace: its span, then ms of CPU per task name, largest first
("idle" for the idle task), and "harness=" the sum over the app harness'
own processes (sh, awk, sleep, cat, pgrep, python3, bench-sampler). A
CPU's time between two sched_switch events is its previous next task's.
"""
import gzip
import re
import sys

SWITCH = re.compile(r"\[(\d+)\].*?\s([\d.]+): sched_switch: prev_comm=(.*?) prev_pid=(\d+) "
                    r"prev_prio=-?\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
HARNESS = ("sh", "awk", "sleep", "cat", "pgrep", "python3", "bench-sampler")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: trace-cpu.py TRACE.gz...")
    for path in sys.argv[1:]:
        on, tot, t0, t1 = {}, {}, None, None
        with gzip.open(path, "rt", errors="replace") as f:
            for line in f:
                m = SWITCH.search(line)
                if not m:
                    continue
                cpu, t, nc, np_ = m.group(1), float(m.group(2)), m.group(6), m.group(7)
                t0 = t if t0 is None else t0
                t1 = t
                if cpu in on:
                    tot[on[cpu][0]] = tot.get(on[cpu][0], 0.0) + t - on[cpu][1]
                on[cpu] = ("idle" if np_ == "0" else nc, t)
        if t0 is None:
            print("%s: no sched_switch events" % path)
            continue
        harness = sum(tot.get(c, 0.0) for c in HARNESS)
        print("%s: %.1f s; harness=%.0f ms; %s" % (path, t1 - t0, harness * 1e3, " ".join(
            "%s=%.0f" % (c, v * 1e3) for c, v in sorted(tot.items(), key=lambda x: -x[1]))))


if __name__ == "__main__":
    main()
