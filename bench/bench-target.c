/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-target: the cost of one target decision (target_spread, without
 * and with a run's priority, and target_soft) over N candidates. Usage: bench-target [N [ROUNDS]]
 * (default 1000 candidates, 2000 decisions per round, 7 rounds); prints
 * the median and best round, in ns of thread CPU time per decision.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "target.h"

#define MiB (UINT64_C(1) << 20)
#define ROUNDS 7

/* Thread CPU time: the machine may be shared, and time spent preempted is
 * not the decision's cost. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A deterministic spread of candidates: sizes from 1 MiB to 4 GiB, some
 * protected, some at their floor, weights 50..400. */
static void fill(struct target_candidate *c, size_t n)
{
	uint64_t x = 88172645463325252u;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c[i] = (struct target_candidate){
			.node_file_bytes = (x % 4096 + 1) * MiB,
			.node_anon_bytes = (x >> 12) % 1024 * MiB,
			.current_bytes = (x % 8192 + 1) * MiB,
			.floor_bytes = (x >> 20) % 512 * MiB,
			.soft_target_bytes = i % 3 ? 0 : (x >> 30) % 2048 * MiB,
			.weight = 50 + (unsigned)((x >> 40) % 351),
			.protect = i % 17 == 0,
		};
	}
}

static void run(const char *name, struct target_candidate *c, size_t n, unsigned iters,
		bool soft, int priority)
{
	const struct target_params p = { .may_swap = false, .min_write_bytes = 64 << 10,
					 .priority = priority };
	uint64_t per[ROUNDS], sink = 0;

	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < iters; i++) {
			uint64_t want = (uint64_t)(i % 64 + 1) * 16 * MiB;

			sink += soft ? target_soft(c, n, want, &p) : target_spread(c, n, want, &p);
		}
		per[r] = (now_ns() - t0) / iters;
	}
	qsort(per, ROUNDS, sizeof(per[0]), cmp_u64);
	printf("%-14s candidates=%zu decisions=%u x %d: median %" PRIu64
	       " ns, best %" PRIu64 " ns per decision (checksum %" PRIu64 ")\n",
	       name, n, iters, ROUNDS, per[ROUNDS / 2], per[0], sink);
}

int main(int argc, char *argv[])
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	unsigned iters = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 2000;
	struct target_candidate *c;

	if (n == 0 || iters == 0) {
		fprintf(stderr, "usage: %s [CANDIDATES [DECISIONS]]\n", argv[0]);
		return 2;
	}
	c = calloc(n, sizeof(*c));
	if (!c)
		return 1;
	fill(c, n);
	run("target_spread", c, n, iters, false, 0);
	/* A balance run's pass: target_reach() of each candidate too. */
	run("spread prio 12", c, n, iters, false, 12);
	run("target_soft", c, n, iters, true, 0);
	free(c);
	return 0;
}
