#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Fills redis (bench/app): KEYS keys "key:%012d" (the names redis-benchmark's
# -r draws, "key:__rand_int__"), in order, each VALUE bytes, pipelined over
# one connection. Loaded in order, so the hot set redis-benchmark reads
# (keys 0..HOT-1, -r HOT) lies in the first allocations, apart from the cold
# rest. Each value is a slice of a 1 MiB random buffer at its own offset
# followed by as many 'x': about half random, so zram compresses a swapped
# page about 2:1 and cannot store it as a same-filled page.
#
#   loader.py KEYS VALUE [PORT]
import os
import socket
import sys

keys, size = int(sys.argv[1]), int(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 6379
rnd = os.urandom(1 << 20)
half = size // 2
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
batch = 500
pad = b"x" * (size - half)
for start in range(0, keys, batch):
    out = []
    n = min(batch, keys - start)
    for i in range(start, start + n):
        k = b"key:%012d" % i
        off = (i * 7919) % ((1 << 20) - half)
        v = rnd[off:off + half] + pad
        out.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
    s.sendall(b"".join(out))
    for _ in range(n):
        line = f.readline()
        if not line.startswith(b"+OK"):
            sys.exit("loader: unexpected reply %r" % line)
print("loaded %d keys of %d bytes" % (keys, size))
