/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cost of the engine's decisions, without any I/O:
 *   - one balance decision step: balance_next() planning a pass (balanced
 *     check, boost, swappiness, pass size) plus balance_account() of its
 *     result, on a 4-zone node that stays unbalanced;
 *   - a whole run at 0% efficiency (begin, 12 passes, end);
 *   - watermark_node_balanced() and the monitor's interval on their own.
 *
 * Choosing which of 1000 cgroups to reclaim from is the actuators' part
 * (src/target.c) and is measured there; this is the engine's share of one
 * balance decision.
 *
 * Usage: bench-balance [batches] (default 201). Prints the median over
 * batches of the per-iteration cost, in nanoseconds.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "balance.h"
#include "watermark.h"

#define BATCH 1000

static volatile uint64_t sink;

static uint64_t now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void zone(struct zone_stat *z, const char *name, uint64_t managed,
		 uint64_t free, uint64_t high, uint64_t p2)
{
	memset(z, 0, sizeof(*z));
	strncpy(z->name, name, sizeof(z->name) - 1);
	z->managed = z->present = z->spanned = managed;
	z->free = free;
	z->high = high;
	z->low = high * 5 / 6;
	z->min = high * 2 / 3;
	z->protection[2] = z->protection[3] = p2;
	z->n_protection = 4;
}

/* A 6 GiB node short of memory: DMA, DMA32, Normal, empty Movable. */
static void node(struct node_zoneinfo *n)
{
	memset(n, 0, sizeof(*n));
	n->n_zones = 4;
	zone(&n->zones[0], "DMA", 3976, 3500, 20, 15000);
	zone(&n->zones[1], "DMA32", 500000, 4000, 2000, 14000);
	zone(&n->zones[2], "Normal", 1000000, 12000, 10000, 0);
	zone(&n->zones[3], "Movable", 0, 0, 0, 0);
	n->has_lru = true;
	n->lru.nr_inactive_file = 300000;
	n->lru.nr_active_file = 100000;
	n->lru.nr_inactive_anon = 200000;
	n->lru.nr_active_anon = 100000;
}

struct bench_ctx {
	struct balance_params p;
	struct balance_node b;
	struct node_zoneinfo n;
	uint64_t t;
};

/* One pass decision: plan, then account a full reclaim (so the priority
 * stays put and the run never ends on its own). */
static void one_step(struct bench_ctx *c)
{
	struct shrink_request req;
	struct shrink_result res = { 0 };

	if (balance_next(&c->b, &c->p, &c->n, &req) <= 0) {
		struct balance_result r;

		balance_end(&c->b, &c->p, c->t, &r);
		balance_begin(&c->b, &c->p, &c->n, WATERMARK_ZONEIDX_ALL, c->t);
		(void)balance_next(&c->b, &c->p, &c->n, &req);
	}
	res.nr_reclaimed = req.nr_to_reclaim;
	balance_account(&c->b, &c->p, &req, &res);
	sink += req.nr_to_reclaim;
}

/* A whole run where nothing comes back: 12 passes and the end. */
static void one_run(struct bench_ctx *c)
{
	struct shrink_request req;
	struct shrink_result res = { 0 };
	struct balance_result r;

	balance_begin(&c->b, &c->p, &c->n, WATERMARK_ZONEIDX_ALL, c->t);
	while (balance_next(&c->b, &c->p, &c->n, &req) > 0)
		balance_account(&c->b, &c->p, &req, &res);
	balance_end(&c->b, &c->p, ++c->t, &r);
	c->b.kswapd_failures = 0; /* stay out of hopeless */
	sink += r.priority;
}

static void one_balanced(struct bench_ctx *c)
{
	sink += watermark_node_balanced(&c->n, WATERMARK_ZONEIDX_ALL, &c->p.wmark);
}

static void one_interval(struct bench_ctx *c)
{
	sink += watermark_monitor_interval_usec(&c->n, WATERMARK_ZONEIDX_ALL,
						&c->p.wmark);
}

static double bench(const char *what, void (*fn)(struct bench_ctx *), int batches)
{
	struct bench_ctx c;
	uint64_t *ns = calloc((size_t)batches, sizeof(uint64_t));
	double median;

	if (!ns)
		abort();
	balance_params_init(&c.p);
	c.p.swappiness = 60;
	balance_node_init(&c.b, 0);
	node(&c.n);
	c.t = 0;
	balance_begin(&c.b, &c.p, &c.n, WATERMARK_ZONEIDX_ALL, c.t);

	for (int i = 0; i < batches; i++) {
		uint64_t t0 = now_nsec();

		for (int j = 0; j < BATCH; j++)
			fn(&c);
		ns[i] = now_nsec() - t0;
	}
	qsort(ns, (size_t)batches, sizeof(ns[0]), cmp_u64);
	median = (double)ns[batches / 2] / BATCH;
	printf("%-44s median %8.1f ns  (min %.1f, max %.1f; %d x %d)\n", what,
	       median, (double)ns[0] / BATCH, (double)ns[batches - 1] / BATCH,
	       batches, BATCH);
	free(ns);
	return median;
}

int main(int argc, char **argv)
{
	int batches = argc > 1 ? atoi(argv[1]) : 201;

	if (batches < 1) {
		fprintf(stderr, "Usage: %s [batches]\n", argv[0]);
		return 2;
	}
	{
		/* The bench is meaningless if the node were balanced. */
		struct bench_ctx c;

		balance_params_init(&c.p);
		node(&c.n);
		if (watermark_node_balanced(&c.n, WATERMARK_ZONEIDX_ALL, &c.p.wmark)) {
			fprintf(stderr, "bench node is balanced\n");
			return 1;
		}
	}
	bench("balance step (plan a pass + account it)", one_step, batches);
	bench("balance run (begin, 12 passes, end)", one_run, batches);
	bench("watermark_node_balanced (4 zones)", one_balanced, batches);
	bench("watermark_monitor_interval_usec (4 zones)", one_interval, batches);
	return 0;
}
