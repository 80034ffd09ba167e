/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A simulated NUMA node for the engine's tests: one Normal zone, file and anon
 * LRUs, cgroups above their soft target, allocations, reclaim efficiency and
 * refaults, on a simulated clock. Deterministic: the same script gives the
 * same shrinks, so tests assert exact byte counts.
 *
 * Not thread-safe: test-kswapd.c wraps it in its own mutex.
 */

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "zoneinfo.h"

#define SIM_LOG_MAX 256
#define SIM_SCRIPT_MAX 64

/* What happens around the n-th shrink (0-based), overriding the defaults. */
struct sim_step {
	bool set;
	int efficiency_permille;   /* for this shrink; -1: the node's default */
	uint64_t alloc_pages;      /* allocated right after this shrink */
	bool node_file_short;      /* says the node file fell short */
};

struct sim_node {
	int id;
	uint64_t page_size;
	struct node_zoneinfo zi;   /* zones[0] is the Normal zone */

	/* Reclaim model. */
	unsigned efficiency_permille; /* share of a node request reclaimed */
	bool swap;                    /* anon is reclaimable if swappiness != 0 */
	unsigned refault_permille;    /* reclaimed file pages faulting straight back */
	uint64_t soft_excess_pages;   /* held by cgroups above their soft target */
	/* No cgroup has a SoftTarget=: the soft-target pass asks nothing, as
	 * the actuator's does (nr_requested 0). */
	bool soft_asks_nothing;
	uint64_t usec_per_shrink;     /* simulated time one shrink takes */
	uint64_t alloc_pages_per_sec; /* allocations as time passes */
	int shrink_error;             /* negative errno to fail shrinks with */
	int snapshot_error;           /* negative errno to fail snapshots with */
	bool braked;                  /* the system brake is on, as actuator.c:
				       * shrinks reclaim nothing and say braked,
				       * but a node shrink below the kernel's
				       * own marks is cut to its deficit */
	bool node_file_short;         /* a node shrink short of its ask says
				       * the node file fell short, as actuator.c */
	bool spread;                  /* node shrinks served by memory.reclaim
				       * (else by the node file) */
	uint64_t quota_bytes;         /* the rate quota lets a node shrink ask
				       * at most this much (quota_limited, as
				       * actuator.c); 0: no quota */
	unsigned quota_nothing;       /* the next this many node shrinks the
				       * quota lets ask nothing (a wait cut by
				       * a fall with no tokens yet) */

	/* The writer's per-CPU free list of the zone (sim_node_pcp()): what
	 * a shrink frees fills it first, unseen in the zone's free pages,
	 * up to pcp_high; snapshots report its room. pcp_high 0: none. */
	uint64_t pcp_high, pcp_count;
	bool pcp_unreported;          /* ... and snapshots say nothing of it */
	bool pcp_bypassed;            /* ... or the freed pages pass it by, to
				       * the zone (folios larger than the
				       * lists hold), its room still shown */

	struct sim_step script[SIM_SCRIPT_MAX];

	uint64_t now_usec;
	uint64_t refaulted_pages;     /* total */
	unsigned n_shrinks;           /* including failed ones */
	unsigned n_snapshots;
	unsigned n_log;
	struct shrink_request log[SIM_LOG_MAX];
	struct shrink_result log_res[SIM_LOG_MAX];
};

/*
 * A node with one Normal zone of managed pages, free pages, the kernel's high
 * watermark (low = high * 5 / 6, min = high * 2 / 3), file and anon LRU pages.
 * Efficiency 100%, no swap, no refaults, no soft excess, 1 ms per shrink.
 */
void sim_node_init(struct sim_node *s, int id, uint64_t managed, uint64_t free_pages,
		   uint64_t kernel_high, uint64_t file, uint64_t anon);

/* Give the zone a per-CPU free list holding count of high pages. */
void sim_node_pcp(struct sim_node *s, uint64_t high, uint64_t count);

/* Let usec of simulated time pass (allocations at alloc_pages_per_sec). */
void sim_node_advance(struct sim_node *s, uint64_t usec);
/* Allocate pages now (they become anon LRU pages). */
void sim_node_alloc(struct sim_node *s, uint64_t pages);
/* Free pages now (a process exits): free memory recovers on its own. */
void sim_node_release(struct sim_node *s, uint64_t pages);

/* struct reclaim_backend callbacks; userdata is the struct sim_node. */
int sim_node_snapshot(void *userdata, int node, struct node_zoneinfo *ret);
int sim_node_shrink(void *userdata, const struct shrink_request *req,
		    struct shrink_result *ret);
struct reclaim_backend sim_node_backend(struct sim_node *s);
