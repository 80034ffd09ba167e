/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rget: paced redis GET latency for bench/app (issue 15). redis-benchmark
 * has no time limit and no request rate: under this benchmark's pressure in
 * TCG it ran 18x slower than idle and a run could not be bounded. rget sends
 * GET key:%012d (the names redis-benchmark's -r draws and bench/app/loader.py
 * writes) for uniformly random keys below HOT, over CONNS connections, at a
 * fixed total RATE (requests per second) for SECONDS, and times every request
 * from its scheduled send time to the end of its reply (a request that could
 * not be sent on time because the previous one on its connection was slow is
 * charged the wait: no coordinated omission). Prints one line:
 *   requests N late L p50_us A p99_us B p999_us C max_us D mean_us E rate R
 *
 *   rget PORT HOT RATE SECONDS CONNS [FIRST]
 *
 * FIRST (default 0) moves the key range to FIRST..FIRST+HOT-1: the offload
 * benchmark reads formerly cold keys with it (a working set that grows).
 *
 * RGET_SLOW_US=N RGET_SLOW_FILE=PATH: every request slower than N us is
 * also written to PATH as "SCHED_S REALTIME_S LATENCY_US": its scheduled
 * send time on CLOCK_MONOTONIC (the clock of journalctl -o short-monotonic)
 * and on CLOCK_REALTIME (reclaimctl watch's time_usec), to line slow
 * requests up with what else happened then.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 16
#define MAXREQ 2000000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct conn {
	int fd;
	int busy;       /* a request is out */
	double sched;   /* its scheduled time */
	long want;      /* bytes of reply still expected, -1 = header not parsed */
	char hdr[64];
	int hlen;
};

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: rget PORT HOT RATE SECONDS CONNS [FIRST]\n");
		return 2;
	}
	int port = atoi(argv[1]), nc = atoi(argv[5]);
	long hot = atol(argv[2]), first = argc == 7 ? atol(argv[6]) : 0;
	double rate = atof(argv[3]), secs = atof(argv[4]);
	if (nc < 1 || nc > MAXC || hot < 1 || first < 0 || rate <= 0 || secs <= 0)
		return 2;
	static double lat[MAXREQ];
	long n = 0, late = 0;
	const char *slow_env = getenv("RGET_SLOW_US"), *slow_path = getenv("RGET_SLOW_FILE");
	double slow_us = slow_env ? atof(slow_env) : 0;
	FILE *slow = NULL;
	if (slow_us > 0 && slow_path) {
		slow = fopen(slow_path, "w");
		if (!slow) {
			perror("rget: RGET_SLOW_FILE");
			return 2;
		}
		/* A line at a time: timeout(1) may end a stalled run. */
		setvbuf(slow, NULL, _IOLBF, 0);
	}
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	double mono_to_real = rt.tv_sec + rt.tv_nsec / 1e9 - now();
	struct conn c[MAXC];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < nc; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("rget: connect");
			return 1;
		}
	}
	srandom(getpid());
	double t0 = now(), next = t0, step = 1.0 / rate, end = t0 + secs;
	int rr = 0;
	char buf[65536];
	for (;;) {
		double t = now();
		/* Send every request that is due on a free connection. */
		while (next <= t && next < end) {
			int k = -1;
			for (int j = 0; j < nc; j++) {
				int i = (rr + j) % nc;
				if (!c[i].busy) {
					k = i;
					break;
				}
			}
			if (k < 0)
				break; /* all busy: it waits, and is charged the wait */
			rr = (k + 1) % nc;
			char req[96];
			char key[32];
			int kl = snprintf(key, sizeof(key), "key:%012ld", first + random() % hot);
			int l = snprintf(req, sizeof(req), "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", kl, key);
			if (t - next > 0.001)
				late++;
			if (write(c[k].fd, req, l) != l) {
				perror("rget: write");
				return 1;
			}
			c[k].busy = 1;
			c[k].sched = next;
			c[k].want = -1;
			c[k].hlen = 0;
			next += step;
		}
		int busy = 0;
		for (int i = 0; i < nc; i++)
			busy += c[i].busy;
		if (!busy && next >= end)
			break;
		struct pollfd p[MAXC];
		for (int i = 0; i < nc; i++)
			p[i] = (struct pollfd){ .fd = c[i].fd, .events = c[i].busy ? POLLIN : 0 };
		/* Sleep until the next send, or a reply if every connection is busy. */
		double wait = next < end && busy < nc ? next - now() : 1.0;
		int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
		if (poll(p, nc, ms) < 0 && errno != EINTR) {
			perror("rget: poll");
			return 1;
		}
		for (int i = 0; i < nc; i++) {
			if (!(p[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			ssize_t r = read(c[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				fprintf(stderr, "rget: connection lost\n");
				return 1;
			}
			char *q = buf;
			while (r > 0 && c[i].want < 0) {
				/* "$LEN\r\n" (or "$-1\r\n" for a missing key) */
				c[i].hdr[c[i].hlen++] = *q++;
				r--;
				if (c[i].hlen >= 2 && c[i].hdr[c[i].hlen - 1] == '\n') {
					long v = atol(c[i].hdr + 1);
					c[i].want = v < 0 ? 0 : v + 2;
				} else if (c[i].hlen >= (int)sizeof(c[i].hdr) - 1) {
					fprintf(stderr, "rget: bad reply\n");
					return 1;
				}
			}
			if (c[i].want >= 0) {
				c[i].want -= r;
				if (c[i].want <= 0) {
					double us = (now() - c[i].sched) * 1e6;
					if (n < MAXREQ)
						lat[n++] = us;
					if (slow && us > slow_us)
						fprintf(slow, "%.6f %.6f %.0f\n", c[i].sched,
							c[i].sched + mono_to_real, us);
					c[i].busy = 0;
				}
			}
		}
	}
	double el = now() - t0;
	if (slow)
		fclose(slow);
	if (n == 0) {
		printf("requests 0\n");
		return 1;
	}
	qsort(lat, n, sizeof(lat[0]), cmp);
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += lat[i];
#define P(q) lat[(long)((q) * (n - 1) + 0.5)]
	printf("requests %ld late %ld p50_us %.0f p99_us %.0f p999_us %.0f max_us %.0f mean_us %.0f rate %.1f\n",
	       n, late, P(0.50), P(0.99), P(0.999), lat[n - 1], sum / n, n / el);
	return 0;
}
