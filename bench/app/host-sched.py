#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The host's view of the guest's vCPUs: when QEMU's threads waited for a
host CPU (bench/app/run --trace).

    host-sched.py record QEMU_PID SERIAL OUT
        Every 20 ms, each thread of QEMU_PID: its cumulative run queue wait
        (/proc/PID/task/TID/schedstat, the second figure, ns; no tracing,
        which would need tracefs mounted on the host). A stretch of samples
        in which a thread's wait grew is one line of OUT:
            wait TID COMM START END WAITED_MS       (host CLOCK_REALTIME, s)
        stretches under 5 ms left out; at the end each thread's totals:
            total TID COMM RUN_MS WAIT_MS
        It also follows SERIAL (the guest's results console): each guest
        line "... clock LABEL EVENT REALTIME" becomes
            sync HOST_REALTIME LABEL EVENT GUEST_REALTIME
        with the host's time when the line was seen, so that the guest's
        clock can be mapped onto the host's. Ends when QEMU_PID does.

    host-sched.py report RECORD RUNS_DIR OUT
        Per run (a pair of "clock LABEL start/end" lines): the guest's
        clock offset (the smallest host - guest difference over all sync
        lines: the serial write is synchronous in the vCPU thread, so the
        smallest is the closest), the vCPU threads' waits inside the window
        (count over 20 and 50 ms, longest, total), and for the slow
        requests of RUNS_DIR/LABEL.slow how much vCPU wait fell inside
        them, as a share of their vCPU time (latency x vCPUs; requests
        overlap, and a stretch counts once in each), against the
        window's share. A stretch's wait is spread evenly over it.

QEMU names its vCPU threads "CPU N/TCG" with -name ...,debug-threads=on.
"""
import os
import re
import sys
import time

INTERVAL_S = 0.02
MIN_WAIT_MS = 5.0
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
    prev, open_st, first = {}, {}, {}
    pos, buf = 0, ""
    nxt = time.monotonic()
    while True:
        now = time.time()
        tasks = read_tasks(pid)
        if tasks is None or not os.path.exists("/proc/%d" % pid):
            break
        for t, (comm, run, wait) in tasks.items():
            first.setdefault(t, (comm, run, wait))
            if t in prev:
                d = (wait - prev[t][2]) / 1e6
                st = open_st.get(t)
                if d > 0:
                    if st:
                        st[1] = now
                        st[2] += d
                    else:
                        open_st[t] = [prev[t][3], now, d]
                elif st:
                    if st[2] >= MIN_WAIT_MS:
                        out.write("wait %s %s %.3f %.3f %.1f\n" % (t, comm, st[0], st[1], st[2]))
                    del open_st[t]
            prev[t] = (comm, run, wait, now)
        try:
            with open(serial, errors="replace") as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
            buf += chunk
            *lines, buf = buf.split("\n")
            for l in lines:
                m = CLOCK.search(l)
                if m:
                    out.write("sync %.6f %s %s %s\n" % (now, m.group(1), m.group(2), m.group(3)))
        except OSError:
            pass
        nxt += INTERVAL_S
        time.sleep(max(0, nxt - time.monotonic()))
    for t, (comm, run, wait, _) in prev.items():
        c0, r0, w0 = first[t]
        out.write("total %s %s %.1f %.1f\n" % (t, comm, (run - r0) / 1e6, (wait - w0) / 1e6))
    out.close()


def waited_in(st, a, b):
    """ms of host run queue wait in [a, b] by the stretches st [(start,
    end, waited_ms)], each stretch's wait spread evenly over it (a
    stretch is known to the sampling interval only)."""
    w = 0.0
    for x, y, ms in st:
        if y > a and x < b and y > x:
            w += ms * (min(y, b) - max(x, a)) / (y - x)
    return w


def report(rec, runs_dir, path):
    waits, syncs, totals = [], [], []
    for l in open(rec):
        f = l.split()
        if f[0] == "wait":
            waits.append((f[2], float(f[3]), float(f[4]), float(f[5])))
        elif f[0] == "sync":
            syncs.append((float(f[1]), f[2], f[3], float(f[4])))
        elif f[0] == "total":
            totals.append((f[2], float(f[3]), float(f[4])))
    lines = ["# host view of the vCPU threads (host-sched.py): waits for a host CPU, sampled every %d ms" %
             (INTERVAL_S * 1000)]
    if not syncs:
        lines.append("# no clock lines from the guest: nothing to align")
        open(path, "w").write("\n".join(lines) + "\n")
        return
    off = min(h - g for h, _, _, g in syncs)
    spread = sorted(h - g - off for h, _, _, g in syncs)
    lines.append("# guest clock + %.3f s = host clock (sync lines %d, their excess over the smallest: median %.1f ms, max %.1f ms)" %
                 (off, len(syncs), spread[len(spread) // 2] * 1e3, spread[-1] * 1e3))
    for comm, run, wait in totals:
        if comm.startswith("CPU"):
            lines.append("# whole boot, %s: ran %.1f s, waited %.1f s for a host CPU" % (comm, run / 1e3, wait / 1e3))
    vcpu = [w for w in waits if w[0].startswith("CPU")]
    bounds = {}
    for h, label, ev, g in syncs:
        bounds.setdefault(label, {})[ev] = g + off
    nv = len({w[0] for w in vcpu}) or 1
    lines.append("# run | window s | vCPU waits >= 20 ms, >= 50 ms, longest ms | vCPU wait in the window, ms "
                 "and %% of its vCPU time | slow requests, their summed latency s | vCPU wait in them, ms and %% of "
                 "their vCPU time (%d vCPUs)" % nv)
    for label, b in bounds.items():
        if "start" not in b or "end" not in b:
            continue
        a, e = b["start"], b["end"]
        st = [(s, t, w) for _, s, t, w in vcpu if t > a and s < e]
        slow = []
        try:
            for l in open(os.path.join(runs_dir, label + ".slow")):
                f = l.split()
                x = float(f[1]) + off
                slow.append((x, x + float(f[2]) / 1e6))
        except (OSError, IndexError, ValueError):
            pass
        win_w = waited_in(st, a, e)
        slow_w = sum(waited_in(st, x, y) for x, y in slow)
        slow_s = sum(y - x for x, y in slow)
        lines.append("%s | %.1f | %d, %d, %.0f | %.0f, %.1f%% | %d, %.2f | %.0f, %.1f%%" % (
            label, e - a, sum(1 for x in st if x[2] >= 20), sum(1 for x in st if x[2] >= 50),
            max([x[2] for x in st] or [0]), win_w, 100 * win_w / 1e3 / (nv * (e - a)) if e > a else 0,
            len(slow), slow_s, slow_w, 100 * slow_w / 1e3 / (nv * slow_s) if slow_s else 0))
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
