/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Target choice, pure (no I/O, no clock): given a node's deficit and the
 * candidate cgroups' node-local state, how many bytes to ask of each cgroup's
 * memory.reclaim. Used where the per-node reclaim file is absent (before
 * about 6.17) and for the soft-target pass (mem_cgroup_soft_limit_reclaim()).
 *
 * memory.reclaim cannot target a node (its nodes= argument was reverted), so
 * a cgroup write reclaims from all of the cgroup's nodes; the shares are in
 * proportion to node-local reclaimable memory so that most of what is taken
 * comes from the node in deficit.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Weight= is relative; 100 is "normal" as in cgroup v2's io.weight. */
#define TARGET_WEIGHT_DEFAULT 100u
#define TARGET_WEIGHT_MAX 10000u

struct target_candidate {
	/* inputs */
	uint64_t node_file_bytes;  /* memory.numa_stat file_N */
	uint64_t node_anon_bytes;  /* memory.numa_stat anon_N */
	uint64_t current_bytes;    /* memory.current */
	uint64_t floor_bytes;      /* max(memory.min, memory.low, Floor=) */
	uint64_t soft_target_bytes; /* SoftTarget=, 0 = none */
	unsigned weight;           /* Weight=, 1..TARGET_WEIGHT_MAX */
	bool protect;              /* Protect=: never reclaimed */
	bool skip;                 /* braked, gone, or otherwise excluded */
	/* output */
	uint64_t amount_bytes;     /* what to ask memory.reclaim for */
	uint64_t room_bytes;       /* scratch: target_room(), cached */
	double room_weighted;      /* scratch: room_bytes x weight */
};

struct target_params {
	bool may_swap;            /* swap usable and the pass allows swap */
	uint64_t min_write_bytes; /* shares below this are dropped (a write
				   * costs a syscall and a reclaim setup) */
};

/* What a candidate can give for this node without going below its floor. */
uint64_t target_room(const struct target_candidate *c, const struct target_params *p);

/*
 * Spread deficit_bytes over the candidates in proportion to weight x
 * node-local reclaimable, each capped by its room; what a capped candidate
 * cannot take is offered once more to the others. Sets every amount_bytes;
 * returns the total planned (<= deficit_bytes).
 */
uint64_t target_spread(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
		       const struct target_params *p);

/*
 * Soft-target pass: each candidate above its soft target gives the excess
 * (down to the soft target, never below its floor nor beyond its node-local
 * reclaimable), until limit_bytes is planned. Returns the total planned.
 */
uint64_t target_soft(struct target_candidate *c, size_t n, uint64_t limit_bytes,
		     const struct target_params *p);
