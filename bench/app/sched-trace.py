#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# sched-trace.py TRACE SLOW OUT: what redis-server's main thread and the
# latency client (rget) were doing while each slow request waited
# (bench/app/run --trace, issue 15). TRACE is the text of the kernel's
# trace buffer (trace_clock mono, so its times are CLOCK_MONOTONIC as
# rget's), with sched_switch on every task and sched_wakeup for the two;
# SLOW is rget's RGET_SLOW_FILE ("SCHED_S REALTIME_S LATENCY_US" a line).
#
# For each slow request, over [its scheduled send, + its latency]: the
# milliseconds each of the two spent running, runnable but not on a CPU
# (and its longest such wait), sleeping (S) and blocked (D); and the
# tasks that had the CPUs meanwhile, by time, in OUT. Then the same
# summed over every slow request (requests overlap: a stretch several
# waited through counts once for each), and over the whole trace.
# Runs in the guest after the window (the trace is large; its summary is
# what goes on the results disk).
import re
import sys

SWITCH = re.compile(r"\[(\d+)\].*?\s([\d.]+): sched_switch: prev_comm=(.*?) prev_pid=(\d+) "
                    r"prev_prio=-?\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")
WAKE = re.compile(r"\s([\d.]+): sched_wakeup: comm=(.*?) pid=(\d+)")
WATCHED = ("redis-server", "rget")


def parse(path):
    """Events in time order: ('switch', t, cpu, prev_comm, prev_pid,
    prev_state, next_comm, next_pid) and ('wake', t, comm, pid)."""
    ev = []
    lost = 0
    with open(path, errors="replace") as f:
        for line in f:
            if "sched_switch:" in line:
                m = SWITCH.search(line)
                if m:
                    ev.append(("switch", float(m.group(2)), int(m.group(1)), m.group(3), int(m.group(4)),
                               m.group(5), m.group(6), int(m.group(7))))
            elif "sched_wakeup:" in line:
                m = WAKE.search(line)
                if m:
                    ev.append(("wake", float(m.group(1)), m.group(2), int(m.group(3))))
            elif "LOST" in line:
                lost += 1
    ev.sort(key=lambda e: e[1])
    return ev, lost


def timelines(ev):
    """Per watched pid: [(t, state)] with state run/wait/S/D; per CPU:
    [(t, comm)] of who has it."""
    tl, cpus, comm_of = {}, {}, {}
    for e in ev:
        if e[0] == "wake":
            _, t, comm, pid = e
            if comm in WATCHED:
                comm_of[pid] = comm
                s = tl.setdefault(pid, [])
                if not s or s[-1][1] not in ("run", "wait"):
                    s.append((t, "wait"))
            continue
        _, t, cpu, pc, pp, ps, nc, np_ = e
        cpus.setdefault(cpu, []).append((t, nc if np_ else "idle"))
        if pc in WATCHED and pp:
            comm_of[pp] = pc
            st = "wait" if ps.startswith("R") else "D" if "D" in ps else "S"
            tl.setdefault(pp, []).append((t, st))
        if nc in WATCHED and np_:
            comm_of[np_] = nc
            tl.setdefault(np_, []).append((t, "run"))
    return tl, cpus, comm_of


def spans(series, a, b):
    """(state, start, end) of a [(t, state)] series clipped to [a, b]."""
    out = []
    for i, (t, st) in enumerate(series):
        end = series[i + 1][0] if i + 1 < len(series) else b
        s, e = max(t, a), min(end, b)
        if e > s:
            out.append((st, s, e))
    return out


def states(series, a, b):
    d = {"run": 0.0, "wait": 0.0, "S": 0.0, "D": 0.0, "maxwait": 0.0}
    for st, s, e in spans(series, a, b):
        d[st] += e - s
        if st == "wait":
            d["maxwait"] = max(d["maxwait"], e - s)
    return d


def who(cpus, a, b):
    d = {}
    for series in cpus.values():
        for c, s, e in spans(series, a, b):
            d[c] = d.get(c, 0.0) + e - s
    return sorted(d.items(), key=lambda kv: -kv[1])


def ms(x):
    return "%.1f" % (x * 1000)


def main():
    trace, slow, out = sys.argv[1:4]
    ev, lost = parse(trace)
    tl, cpus, comm_of = timelines(ev)
    reqs = []
    with open(slow) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                reqs.append((float(p[0]), float(p[2]) / 1e6))
    t0 = ev[0][1] if ev else 0
    t1 = ev[-1][1] if ev else 0
    # The main thread: the redis-server pid seen most.
    pids = {c: sorted((p for p in tl if comm_of.get(p) == c), key=lambda p: -len(tl[p])) for c in WATCHED}
    lines = ["# trace %.3f-%.3f s (mono), %d events, %d lost-event lines; pids %s" %
             (t0, t1, len(ev), lost, " ".join("%s=%s" % (c, ",".join(map(str, v[:3]))) for c, v in pids.items()))]
    tot = {c: {"run": 0.0, "wait": 0.0, "S": 0.0, "D": 0.0, "maxwait": 0.0} for c in WATCHED}
    tot_lat, tot_who, covered = 0.0, {}, 0
    lines.append("# sched_s latency_ms | per task: run wait(max) S D ms | the CPUs meanwhile (ms)")
    for sched, lat in reqs:
        a, b = sched, sched + lat
        if a < t0 or b > t1:
            continue
        covered += 1
        tot_lat += lat
        row = "%.3f %s |" % (sched, ms(lat))
        for c in WATCHED:
            if not pids[c]:
                continue
            d = states(tl[pids[c][0]], a, b)
            for k in ("run", "wait", "S", "D"):
                tot[c][k] += d[k]
            tot[c]["maxwait"] = max(tot[c]["maxwait"], d["maxwait"])
            row += " %s %s %s(%s) %s %s |" % (c, ms(d["run"]), ms(d["wait"]), ms(d["maxwait"]), ms(d["S"]), ms(d["D"]))
        w = who(cpus, a, b)
        for c, v in w:
            tot_who[c] = tot_who.get(c, 0.0) + v
        row += " " + " ".join("%s=%s" % (c, ms(v)) for c, v in w[:5])
        lines.append(row)
    lines.append("# %d of %d slow requests inside the trace, %s ms of latency in all" % (covered, len(reqs), ms(tot_lat)))
    for c in WATCHED:
        if pids[c]:
            lines.append("# summed, %s: run %s, runnable %s (longest %s), sleeping %s, blocked %s ms" %
                         (c, ms(tot[c]["run"]), ms(tot[c]["wait"]), ms(tot[c]["maxwait"]), ms(tot[c]["S"]), ms(tot[c]["D"])))
    lines.append("# summed, the CPUs during slow requests: " +
                 " ".join("%s=%s" % (c, ms(v)) for c, v in sorted(tot_who.items(), key=lambda kv: -kv[1])[:12]))
    if pids["redis-server"]:
        d = states(tl[pids["redis-server"][0]], t0, t1)
        lines.append("# the whole trace, redis-server: run %s, runnable %s (longest %s), sleeping %s, blocked %s ms" %
                     (ms(d["run"]), ms(d["wait"]), ms(d["maxwait"]), ms(d["S"]), ms(d["D"])))
    lines.append("# the whole trace, the CPUs: " +
                 " ".join("%s=%s" % (c, ms(v)) for c, v in who(cpus, t0, t1)[:12]))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


main()
