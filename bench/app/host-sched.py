#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The host's view of the guest's vCPUs: when QEMU's threads waited for a
host CPU (bench/app/run --trace).

    host-sched.py record QEMU_PID SERIAL OUT
        Every 20 ms, each thread of QEMU_PID: its cumulative run queue wait
        (/proc/PID/task/TID/schedstat, the second figure, ns; no tracing,
        which would need tracefs mounted on the host). Each interval in
        which a thread's wait grew is one line of OUT:
            w TID COMM T0 T1 WAITED_MS           (host CLOCK_REALTIME, s)
        and at the end each thread's totals:
            total TID COMM RUN_MS WAIT_MS
        It also follows SERIAL (the guest's results console): each guest
        line "... clock LABEL EVENT REALTIME" becomes
            sync HOST_REALTIME LABEL EVENT GUEST_REALTIME
        with the host's time when the line was read, so that the guest's
        clock can be mapped onto the host's. Ends when QEMU_PID does.

    host-sched.py report RECORD RUNS_DIR OUT
        The guest's clock offset: the smallest host - guest difference
        over the sync lines (each is late by the echo, the serial write
        and up to one sampling interval; the smallest is the least late,
        and the bias left is not measured). Then per run (a pair of
        "clock LABEL start/end" lines), for the vCPU threads and for
        QEMU's main loop (the thread that runs the virtual clock's
        timers, whose interrupts wake an idle vCPU): their wait in the
        window as a share of wall time x threads; the stalls (runs of
        intervals in which a thread waited at least half the time) of
        20 and 50 ms or more and the longest; and the wait that fell
        inside the slow requests of RUNS_DIR/LABEL.slow, as a share of
        their latency x threads (requests overlap, and an interval counts
        in each), against the window's share. An interval's wait is
        spread evenly over it: the resolution is the sampling interval.

QEMU names its vCPU threads "CPU N/TCG" with -name ...,debug-threads=on.
"""
import os
import re
import sys
import time

INTERVAL_S = 0.02
CLOCK = re.compile(r"\bclock (\S+) (start|end) (\d+\.\d+)")


def read_tasks(pid):
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for t in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                run, wait = f.read().split()[:2]
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                comm = f.read().strip().replace(" ", "_")
        except (OSError, ValueError):
            continue
        out[t] = (comm, int(run), int(wait))
    return out


def record(pid, serial, path):
    out = open(path, "w", buffering=1)
    prev, first = {}, {}
    pos, buf = 0, ""
    nxt = time.monotonic()
    while True:
        now = time.time()
        tasks = read_tasks(pid)
        if tasks is None or not os.path.exists("/proc/%d" % pid):
            break
        for t, (comm, run, wait) in tasks.items():
            first.setdefault(t, (comm, run, wait))
            if t in prev and wait > prev[t][2]:
                out.write("w %s %s %.3f %.3f %.2f\n" % (t, comm, prev[t][3], now, (wait - prev[t][2]) / 1e6))
            prev[t] = (comm, run, wait, now)
        try:
            with open(serial, errors="replace") as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
            seen = time.time()
            buf += chunk
            *lines, buf = buf.split("\n")
            for l in lines:
                m = CLOCK.search(l)
                if m:
                    out.write("sync %.6f %s %s %s\n" % (seen, m.group(1), m.group(2), m.group(3)))
        except OSError:
            pass
        nxt = max(nxt + INTERVAL_S, time.monotonic())
        time.sleep(max(0, nxt - time.monotonic()))
    for t, (comm, run, wait, _) in prev.items():
        c0, r0, w0 = first[t]
        out.write("total %s %s %.1f %.1f\n" % (t, comm, (run - r0) / 1e6, (wait - w0) / 1e6))
    out.close()


def waited_in(iv, a, b):
    """ms of wait in [a, b] by the intervals iv [(t0, t1, waited_ms)],
    each interval's wait spread evenly over it."""
    w = 0.0
    for x, y, ms in iv:
        if y > a and x < b and y > x:
            w += ms * (min(y, b) - max(x, a)) / (y - x)
    return w


def stalls(iv):
    """Runs of adjacent intervals of one thread in which it waited at
    least half the time: [(start, end, waited_ms)]."""
    out = []
    for x, y, ms in sorted(iv):
        busy = y > x and ms >= 500 * (y - x)
        if busy and out and abs(out[-1][1] - x) < 1e-3:
            out[-1] = (out[-1][0], y, out[-1][2] + ms)
        elif busy:
            out.append((x, y, ms))
    return out


def report(rec, runs_dir, path):
    iv, syncs, totals = {}, [], {}
    for l in open(rec):
        f = l.split()
        if f[0] == "w":
            iv.setdefault((f[1], f[2]), []).append((float(f[3]), float(f[4]), float(f[5])))
        elif f[0] == "sync":
            syncs.append((float(f[1]), f[2], f[3], float(f[4])))
        elif f[0] == "total":
            totals[(f[1], f[2])] = (float(f[3]), float(f[4]))
    lines = ["# host view of QEMU's threads (host-sched.py): waits for a host CPU, sampled every %d ms" %
             (INTERVAL_S * 1000)]
    if not syncs:
        lines.append("# no clock lines from the guest: nothing to align")
        open(path, "w").write("\n".join(lines) + "\n")
        return
    off = min(h - g for h, _, _, g in syncs)
    spread = sorted(h - g - off for h, _, _, g in syncs)
    lines.append("# guest clock + %.3f s = host clock (%d sync lines; their lateness beyond the least late: median %.1f ms, "
                 "max %.1f ms)" % (off, len(syncs), spread[len(spread) // 2] * 1e3, spread[-1] * 1e3))
    # The vCPUs by name; the main loop is the thread with the process' own id.
    threads = set(totals) | set(iv)
    pid = min((t for t, _ in threads), key=int, default=None)
    groups = [("vCPUs", sorted(k for k in threads if k[1].startswith("CPU"))),
              ("main loop", [k for k in threads if k[0] == pid])]
    for k, (run, wait) in sorted(totals.items(), key=lambda x: int(x[0][0])):
        lines.append("# whole boot, %s %s: ran %.1f s, waited %.1f s for a host CPU" % (k[1], k[0], run / 1e3, wait / 1e3))
    bounds = {}
    for h, label, ev, g in syncs:
        bounds.setdefault(label, {})[ev] = g + off
    lines.append("# run | threads | wait in the window, % of wall x threads | stalls >= 20 ms, >= 50 ms, longest ms | "
                 "slow requests, summed latency s | wait inside them, % of latency x threads")
    for label, b in bounds.items():
        if "start" not in b or "end" not in b:
            continue
        a, e = b["start"], b["end"]
        slow = []
        try:
            for l in open(os.path.join(runs_dir, label + ".slow")):
                f = l.split()
                x = float(f[1]) + off
                slow.append((x, x + float(f[2]) / 1e6))
        except FileNotFoundError:
            pass
        except (OSError, IndexError, ValueError) as err:
            print("host-sched.py: %s.slow: %s; its slow requests left out" % (label, err), file=sys.stderr)
            slow = []
        slow_s = sum(y - x for x, y in slow)
        for name, keys in groups:
            if not keys:
                continue
            n = len(keys)
            win_w = slow_w = 0.0
            st = []
            for k in keys:
                ivk = [x for x in iv.get(k, []) if x[1] > a and x[0] < e]
                win_w += waited_in(ivk, a, e)
                slow_w += sum(waited_in(ivk, x, y) for x, y in slow)
                st += [x for x in stalls(ivk) if x[1] > a and x[0] < e]
            lens = [(y - x) * 1e3 for x, y, _ in st]
            lines.append("%s | %s (%d) | %.1f%% | %d, %d, %.0f | %d, %.2f | %.1f%%" % (
                label, name, n, 100 * win_w / 1e3 / (n * (e - a)) if e > a else 0,
                sum(1 for l in lens if l >= 20), sum(1 for l in lens if l >= 50), max(lens or [0]),
                len(slow), slow_s, 100 * slow_w / 1e3 / (n * slow_s) if slow_s else 0))
    open(path, "w").write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "record":
        record(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: host-sched.py record QEMU_PID SERIAL OUT | report RECORD RUNS_DIR OUT")


if __name__ == "__main__":
    main()
