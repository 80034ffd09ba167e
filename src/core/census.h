/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Which candidate cgroups a reclaim pass reads (PURE: the clock is passed
 * in). Issue 14: a node pass used to re-read every candidate (memory.current,
 * memory.min, memory.low, memory.numa_stat parsed, memory.pressure: five
 * preads, and a memcg stat flush in the kernel for numa_stat): 1000 reads a
 * pass on a host with 200 idle memory-enabled cgroups, many passes a
 * second. In the QEMU benchmark (five candidates) reclaimd's CPU per
 * reclaimed GiB was 3.09x the kernel's kswapd's (docs/benchmarks.md).
 *
 * The kernel's kswapd walks every memcg too, but a memcg with nothing on
 * the node's LRUs costs it a few loads (lruvec sizes are per-node counters
 * it reads in place); ours cost syscalls. So the pass cost follows the
 * cgroups that can give memory on the node:
 *
 *	census	every live candidate read in full, at least every
 *		CENSUS_INTERVAL_USEC_DEFAULT per node among the passes
 *		that read candidates (below: not a node-file pass decided
 *		by guarantees alone), on the first pass
 *		after the candidate table changed (a rescan), and on a pass
 *		whose plan fell short of the request (at most one such every
 *		CENSUS_SHORT_INTERVAL_USEC_DEFAULT);
 *	between	only the candidates that held at least hot_bytes of
 *		node-local reclaimable memory at their last read and were
 *		reached at the pass's priority (target_reach() of that read
 *		>= it), or carry a policy (target_has_policy(): Protect=,
 *		Floor=, SoftTarget=, Weight=, a brake on),
 *		are read, in full, fresh in the pass. Only those can be
 *		planned a write, so every write is planned from a read made
 *		in the same pass. hot_bytes is the smallest write (MinWrite=):
 *		a cgroup with less on the node can be planned nothing
 *		(target_spread() drops shares below it and caps each at the
 *		node-local room). One below the priority's reach (and not
 *		in an offload backoff, a guarantee) is planned nothing
 *		while the ones reached cover the pass (target_spread()
 *		descends only when they do not): such a candidate is
 *		deferred, read in the same pass only if the plan over the
 *		others descended below the pass's priority or fell short,
 *		and the plan made again (CENSUS_READ_DEFERRED). So the
 *		plan has the total and the cgroups a read of every
 *		candidate as its last read left it would give.
 *
 * The others hold no reclaimable memory on the node as far as the last
 * census knows, and get no write. One thing still needs them: the node
 * reclaim file takes from every cgroup on the node, so before it serves a
 * pass the skipped candidates' memory.pressure is read too (a brake is the
 * one guarantee they can have gained: census_guard_needed()), unless no
 * task has stalled since every candidate was last read (actuator.c
 * guard_calm()).
 *
 * Where no candidate has a preference (Weight=, SoftTarget=) and the node
 * file would serve, the guarantees alone decide (actuator.c
 * node_file_guaranteed_only()): such a pass reads no candidate in full and
 * runs no census (at most every memory.pressure, as the guard), once the
 * table of the last rescan has been read whole. The census a spread plans
 * from runs when a spread needs one.
 *
 * A cgroup that starts holding memory on the node between censuses is read
 * from the first pass at least CENSUS_INTERVAL_USEC_DEFAULT after the
 * previous census, or sooner if the others cannot cover a pass.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* 1 s: a pass reclaims at most StepSize= (32 MiB) per write, and the
 * streamer of the QEMU benchmark fills 60 MiB/s of page cache; a busy
 * cgroup left out for a second is one the others covered for that second
 * (else the pass fell short and a census ran). 1000 reads a second with
 * 200 idle cgroups instead of 1000 a pass. */
#define CENSUS_INTERVAL_USEC_DEFAULT (UINT64_C(1000000))
/* 100 ms: a node that cannot find its deficit among the cgroups it knows
 * retries at rising priority within milliseconds; one census per 100 ms
 * bounds that case to ten full reads a second. */
#define CENSUS_SHORT_INTERVAL_USEC_DEFAULT (UINT64_C(100000))

struct census_params {
	uint64_t interval_usec;       /* 0: CENSUS_INTERVAL_USEC_DEFAULT */
	uint64_t short_interval_usec; /* 0: CENSUS_SHORT_INTERVAL_USEC_DEFAULT */
	uint64_t hot_bytes;           /* node-local reclaimable read each pass */
	int priority;                 /* the pass's (target_params): a candidate
				       * reached below it is deferred; <= 0:
				       * every one is reached, none deferred */
};

/* One node's census clock. */
struct census {
	bool done;              /* a census has run */
	uint64_t last_usec;     /* when the last one ran */
	uint64_t generation;    /* the candidate table it read (rescan count) */
};

/* A candidate as its last read left it, for one node. */
struct census_candidate {
	uint64_t node_reclaimable_bytes; /* file + anon LRUs on the node */
	unsigned reach;                  /* target_reach() of the last read,
					  * with the pass's target_params */
	bool held;                       /* Offload=yes in backoff: a guarantee
					  * (the node file would take from it)
					  * though no policy; never deferred */
	bool policy;                     /* target_has_policy() */
	bool soft_target;                /* SoftTarget= set */
	bool gone;                       /* removed: never read */
};

enum census_read {
	CENSUS_READ_NONE,  /* skipped this pass */
	CENSUS_READ_FULL,  /* every file: a write may be planned from it */
	CENSUS_READ_DEFERRED, /* below the pass's reach: read in full only
			       * if the plan over the others descends */
	_CENSUS_READ_MAX,
};

/* Whether a census has read the candidate table of this generation (none
 * since a rescan: every candidate unread at least once). */
bool census_current(const struct census *c, uint64_t generation);

/* Whether this pass reads every candidate: none yet, a new table
 * (generation), or the interval has passed. */
bool census_due(const struct census *c, const struct census_params *p, uint64_t generation,
		uint64_t now_usec);

/* Whether a pass whose plan fell short of its request may read the
 * candidates it skipped (at most one such census per short interval). */
bool census_due_short(const struct census *c, const struct census_params *p, uint64_t now_usec);

/* Record a census of table generation at now_usec. */
void census_done(struct census *c, uint64_t generation, uint64_t now_usec);

/* How a pass reads one candidate (census: this pass is a census). */
enum census_read census_read_of(const struct census_candidate *cand, const struct census_params *p,
				bool census);

/* How the soft-target pass reads one candidate: only one with SoftTarget=
 * (a config policy, known without a read) can be planned anything by
 * target_soft(); with none in the table the pass reads nothing. */
enum census_read census_read_soft(const struct census_candidate *cand);

/* Whether the skipped candidates' guarantees must be read before the
 * backend chosen from the others (choice) serves the pass: only the node
 * file reaches memory the pass did not read. */
bool census_guard_needed(enum target_backend choice, size_t n_skipped);
