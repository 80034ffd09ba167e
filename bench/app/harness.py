#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The application benchmark's own loops in the guest, one process each.

    harness.py sample PHASE_FILE
        Every second, one line: uptime phase MemFree_kB psi_some_us
        psi_full_us pgscan_kswapd pswpout pgmigrate_success
        compact_daemon_wake, then each node's fragmentation score for
        order 9 as "node:score" (0-100), as kcompactd's proactive
        compaction computes it (mm/compaction.c
        fragmentation_score_node(): each zone's extfrag_for_order(zone,
        9), the share of its free pages not in free blocks of order >= 9,
        weighted by the zone's present pages). kcompactd compacts a node
        above 100 - vm.compaction_proactiveness + 10 (90 by default).

    harness.py stream FILE MIB [direct]
        Reads FILE's first MIB MiB over and over, 16 MiB (1 MiB reads)
        then a 0.5 s pause: at most 32 MiB/s, so that the stream does
        not take a whole vCPU; O_DIRECT with "direct". After each 16 MiB
        a byte is appended to /run/bench-stream.chunks (the snapshots
        count them).

Both were shell loops that forked awk, cat, dd and sleep several times
a second; under TCG each fork and exec costs tens of milliseconds, and
the scheduler trace of 2026-12-07 (docs/benchmarks.md) counted the
harness' processes at 17-19 of each window's 80 CPU-seconds.
"""
import ctypes
import mmap
import os
import sys
import time


def rd(path):
    with open(path) as f:
        return f.read()


def zone_present():
    """{(node, zone): present pages} from /proc/zoneinfo."""
    pr, key = {}, None
    for line in rd("/proc/zoneinfo").split("\n"):
        f = line.split()
        if len(f) >= 4 and f[0] == "Node" and f[2] == "zone":
            key = (f[1].rstrip(","), f[3])
        elif len(f) == 2 and f[0] == "present" and key:
            pr[key] = int(f[1])
    return pr


def frag_scores(pr, buddyinfo):
    """Each node's order-9 fragmentation score, weighted by present pages."""
    node_present, score = {}, {}
    for (n, _), p in pr.items():
        node_present[n] = node_present.get(n, 0) + p
        score.setdefault(n, 0)
    for line in buddyinfo.split("\n"):
        f = line.split()
        if len(f) < 5 or f[0] != "Node":
            continue
        n, zone = f[1].rstrip(","), f[3]
        counts = [int(x) for x in f[4:]]
        free = sum(c << o for o, c in enumerate(counts))
        suit = sum(c << (o - 9) for o, c in enumerate(counts) if o >= 9)
        if free > 0:
            score[n] = score.get(n, 0) + pr.get((n, zone), 0) * ((free - suit * 512) * 100 // free)
    return " ".join("%s:%d" % (n, score[n] // (node_present.get(n, 0) + 1)) for n in sorted(score, key=int))


def sample(phase_file):
    pr = zone_present()
    nxt = time.monotonic()
    while True:
        try:
            vm = dict(l.split() for l in rd("/proc/vmstat").split("\n") if l)
            psi = {}
            for l in rd("/proc/pressure/memory").split("\n"):
                f = l.split()
                if f:
                    psi[f[0]] = f[-1].split("=")[1]
            free = next(l.split()[1] for l in rd("/proc/meminfo").split("\n") if l.startswith("MemFree:"))
            print(rd("/proc/uptime").split()[0], rd(phase_file).strip() or "-", free,
                  psi.get("some", "0"), psi.get("full", "0"),
                  *(vm.get(k, "0") for k in ("pgscan_kswapd", "pswpout", "pgmigrate_success", "compact_daemon_wake")),
                  frag_scores(pr, rd("/proc/buddyinfo")), flush=True)
        except (OSError, IndexError, ValueError, StopIteration) as e:
            print("# sample failed:", e, file=sys.stderr, flush=True)
        # After a stall, no burst of samples to catch up: the gap stays
        # visible (bench/app/analyze's sampler_gap_s).
        nxt = max(nxt + 1, time.monotonic())
        time.sleep(max(0, nxt - time.monotonic()))


def stream(path, mib, direct):
    flags = os.O_RDONLY | (os.O_DIRECT if direct else 0)
    fd = os.open(path, flags)
    buf = mmap.mmap(-1, 1 << 20)  # page-aligned, as O_DIRECT needs
    while True:
        off = 0
        while off < mib:
            for i in range(off, min(off + 16, mib)):
                os.preadv(fd, [buf], i << 20)
            with open("/run/bench-stream.chunks", "a") as c:
                c.write("\n")
            off += 16
            time.sleep(0.5)


def set_comm(name):
    """The task's name in ps and in the scheduler trace (PR_SET_NAME)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(15, name.encode(), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "sample":
        set_comm("bench-sampler")
        sample(sys.argv[2])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "stream":
        set_comm("bench-stream")
        stream(sys.argv[2], int(sys.argv[3]), len(sys.argv) == 5 and sys.argv[4] == "direct")
    else:
        sys.exit("usage: harness.py sample PHASE_FILE | stream FILE MIB [direct]")


if __name__ == "__main__":
    main()
