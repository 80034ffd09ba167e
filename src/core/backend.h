/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The seam between the kswapd engine (kswapd.c, balance.c) and whatever
 * carries out reclaim: the real actuators (actuator.c: per-node reclaim file,
 * cgroup v2 memory.reclaim) or the simulated node used by the tests.
 *
 * Node threads call these; they may block for seconds (memory.reclaim is
 * synchronous). Implementations must not allocate or open files: they run on
 * the reclaim path.
 */

#include <stdbool.h>
#include <stdint.h>

#include "target.h"
#include "zoneinfo.h"

/* swappiness value meaning "do not pass swappiness=, use the kernel's". */
#define SWAPPINESS_KERNEL_DEFAULT (-1)

enum shrink_kind {
	/* mem_cgroup_soft_limit_reclaim(): only cgroups above their configured
	 * soft target, down to it. */
	SHRINK_SOFT_TARGET,
	/* kswapd_shrink_node(): the node-level pass. */
	SHRINK_NODE,
	/* An operator's `reclaimctl reclaim` on one cgroup. */
	SHRINK_CGROUP,
	/* Offload= (offload.h): every cgroup whose interval is over is
	 * judged and trimmed by its own controller; nr_to_reclaim is ignored
	 * (each controller decides its step), the quota still caps the sum. */
	SHRINK_OFFLOAD,
};

struct shrink_request {
	enum shrink_kind kind;
	int node;                 /* kernel node id; -1 for SHRINK_CGROUP and
				   * SHRINK_OFFLOAD, which belong to no node */
	uint64_t nr_to_reclaim;   /* bytes */
	int swappiness;           /* 0 = file only (boost / gentle priority),
				   * SWAPPINESS_KERNEL_DEFAULT, or 1..200 */
	int priority;             /* DEF_PRIORITY (12) .. 1, for accounting, and
				   * SHRINK_NODE's spread (target_reach()) */
	const char *swap_reason;  /* balance_swap_reason_to_string(), for the
				   * write event; NULL outside a balance run */
	bool dry_run;             /* decide and account, but do not write */
	const char *cgroup;       /* SHRINK_CGROUP only: path below the root */
	/* SHRINK_NODE only: what the node lacks to the kernel's own high
	 * marks when the pass was planned (0: at or above them), i.e. what
	 * its kswapd would be reclaiming now whatever we do. The system brake
	 * stops proactive reclaim only: it lets a pass through cut to this. */
	uint64_t kernel_deficit_bytes;
	/* SHRINK_NODE and SHRINK_SOFT_TARGET of a balance run: what the node
	 * lacks to reclaimd's own high marks (the pacing lead and the
	 * kernel's watermark boost in them, PSIBoost= not) when the pass was
	 * planned, with the per-CPU lists' room a page-cache pass asks (0: at
	 * or above them). That is the watermark job, the kernel's kswapd's
	 * own, which the rate quota does not hold back (actuator.c:
	 * quota_watermark_job()). Never below kernel_deficit_bytes: our marks
	 * sit on the kernel's. */
	uint64_t wmark_deficit_bytes;
	/* SHRINK_NODE and SHRINK_SOFT_TARGET of a balance run: the node's
	 * run number (balance_counters.runs, from 1), so that the actuator
	 * can keep a verdict for the rest of a run (the node file fell
	 * short); 0 outside a run (an operator's request), a run of its own. */
	uint64_t run;
	/* SHRINK_NODE of a balance run: by the run's snapshot the node file
	 * would reclaim nothing (target_node_file_gated()), so the pass goes
	 * to memory.reclaim as if it had answered EAGAIN, without the write. */
	bool node_file_gated;
};

struct shrink_result {
	uint64_t nr_requested;    /* bytes asked of the kernel */
	uint64_t nr_reclaimed;    /* bytes measured as reclaimed */
	uint64_t nr_reclaimed_elsewhere; /* ... of those, a node or soft-target
				   * pass's memory.reclaim writes took from
				   * other nodes than the pass's
				   * (offload_attribute() by the cgroup's
				   * node-local LRU pages of the pass's read):
				   * not the node's own for its pacing */
	unsigned nr_writes;       /* reclaim-file writes issued */
	unsigned nr_partial;      /* writes answered EAGAIN */
	unsigned nr_errors;       /* writes that failed otherwise */
	unsigned nr_skipped;      /* candidates skipped (braked, floor, gone,
				   * or memory on another, paused node) */
	bool braked;              /* the system-wide pressure brake was on */
	bool brake_cut;           /* it was, and the node is below the kernel's
				   * own marks: the pass was cut to
				   * kernel_deficit_bytes, not stopped */
	bool quota_limited;       /* the per-node rate quota cut the request */
	uint64_t quota_granted_bytes; /* ... to this much (when quota_limited) */
	bool quota_exempt;        /* a node pass below the kernel's own high
				   * marks went ahead without the tokens for
				   * what the node lacked to them */
	bool interrupted;         /* EINTR: try again later */
	enum target_backend backend; /* what served the pass (NONE: nothing ran);
				      * the last one where the node file fell
				      * short */
	bool node_file_short;     /* the node file fell short
				   * (target_node_file_stalled()), or would
				   * have (node_file_gated): the rest of the
				   * pass went to memory.reclaim */
	bool node_file_gated;     /* the pass's node_file_gated was acted on:
				   * no node-file write was made */
	bool swappiness_dropped;  /* a swappiness was asked for but the kernel
				   * has no swappiness= (before 6.8): none was
				   * written, the kernel's applied */
	bool spread;              /* a node pass planned over memory.reclaim
				   * (target_spread()) */
	unsigned spread_priority; /* ... over the cgroups its priority reached
				   * at this one (target_reach(); 0: all) */
	uint64_t paused_nodes;    /* SHRINK_CGROUP: nothing was written, the
				   * cgroup has memory on these paused nodes
				   * (bit = node id; memory.reclaim cannot
				   * spare a node) */
};

struct reclaim_backend {
	/* Fresh zoneinfo for one node (kept fd, pread, no allocation). */
	int (*snapshot)(void *userdata, int node, struct node_zoneinfo *ret);
	/* Carry out one shrink request; 0 or negative errno. A partial
	 * reclaim is not an error: result->nr_reclaimed says how much. */
	int (*shrink)(void *userdata, const struct shrink_request *req,
		      struct shrink_result *ret);
	/* Optional, NULL: no compaction step (compact.h). The node's free
	 * pages and those in blocks of order >= min_order (/proc/buddyinfo,
	 * kept fd, no allocation). */
	int (*free_blocks)(void *userdata, int node, unsigned min_order,
			   uint64_t *ret_free_pages, uint64_t *ret_high_order_pages);
	/* Optional: compact the node (nodeN/compact); -EOPNOTSUPP where the
	 * kernel has no such file. */
	int (*compact)(void *userdata, int node);
	/* Optional, NULL: always snapshot(). Each zone's free pages alone,
	 * into zi as the last snapshot left it (/proc/buddyinfo: a fifth of
	 * what zoneinfo costs the kernel to print, issue 14); zi untouched
	 * on failure. Between a run's passes only
	 * (balance_continues_on_free()). */
	int (*zone_free)(void *userdata, int node, struct node_zoneinfo *zi);
	void *userdata;
};
