/* SPDX-License-Identifier: GPL-2.0-only */

#include "balance.h"
#include "macro.h"
#include "target.h"
#include "util.h"

/* Bytes are capped at 2^56 (64 PiB) inside the arithmetic so that sums over
 * up to 256 candidates fit in 64 bits (more candidates: 2^56 each is not a
 * machine that exists). */
#define TARGET_BYTES_MAX (UINT64_C(1) << 56)

static uint64_t above_floor(const struct target_candidate *c)
{
	return c->current_bytes > c->floor_bytes ? c->current_bytes - c->floor_bytes : 0;
}

uint64_t target_room(const struct target_candidate *c, const struct target_params *p)
{
	uint64_t local;

	if (c->protect || c->skip || c->paused)
		return 0;
	local = c->node_file_bytes;
	if (p->may_swap)
		local = local > UINT64_MAX - c->node_anon_bytes ? UINT64_MAX
								: local + c->node_anon_bytes;
	/* memory.reclaim takes from every node of the cgroup: never ask for
	 * more than keeps the whole cgroup above its floor. */
	local = MIN(local, above_floor(c));
	return MIN(local, TARGET_BYTES_MAX);
}

/* Weight= x (1 + slack), in 1/TARGET_SLACK_PERMYRIAD_MAX of a Weight=
 * point so that it stays whole: at most 10000 x 20000 = 2e8. */
static unsigned weight_of(const struct target_candidate *c)
{
	unsigned w = c->weight == 0 ? TARGET_WEIGHT_DEFAULT : MIN(c->weight, TARGET_WEIGHT_MAX);

	return w * (TARGET_SLACK_PERMYRIAD_MAX +
		    MIN(c->slack_permyriad, TARGET_SLACK_PERMYRIAD_MAX));
}

/*
 * weight x room x (want / sum), in double with the quotient computed once
 * per round: one decision over 1000 candidates must stay well under 10 us,
 * and a 128-bit division per candidate alone costs about that much
 * (bench/bench-target). Rounded to nearest, the share is off by at most a
 * few bytes when products pass 2^53 (> 8 PiB); callers clamp to the room
 * and to what is left, so the total is exact.
 */
static uint64_t share_of(uint64_t room, double room_weighted, double per_unit)
{
	/* Signed conversions: rooms are below 2^56, and x86-64 has no
	 * unsigned double<->u64 instruction before AVX-512. */
	double share = room_weighted * per_unit + 0.5;

	if (share >= (double)(int64_t)room)
		return room;
	return (uint64_t)(int64_t)share;
}

unsigned target_reach(const struct target_candidate *c, const struct target_params *p)
{
	const uint64_t unit = (uint64_t)TARGET_WEIGHT_DEFAULT * TARGET_SLACK_PERMYRIAD_MAX;
	uint64_t page = p->page_bytes ? p->page_bytes : 4096, pages = c->node_file_bytes / page;
	uint64_t scaled;

	if (p->may_swap)
		pages = MAX(pages, c->node_anon_bytes / page);
	/* weight_of() is Weight= x (1 + slack) in 1/10000 of a point, at
	 * least 10^4 and below 2^28; the default's is unit (10^6). From 2^36
	 * pages every weight reaches DEF_PRIORITY (2^36 x 10^4 > 10^6 x
	 * 2^12); below, pages x weight < 2^64 is exact. size >> priority > 0:
	 * size >= 2^priority. A large candidate is answered by the first
	 * comparison. */
	if (pages >= UINT64_C(1) << 36)
		return DEF_PRIORITY;
	scaled = pages * weight_of(c);
	for (unsigned prio = DEF_PRIORITY; prio > 0; prio--)
		if (scaled >= unit << prio)
			return prio;
	return 0;
}

/*
 * The priority the spread runs at: from p->priority down, the first at
 * which the room of the candidates reached (target_reach() >= it) covers
 * want; 0 (everyone) if none does. One pass over the candidates (their
 * room_bytes set), the rooms summed by reach.
 */
static unsigned spread_priority(struct target_candidate *c, size_t n, uint64_t want,
				const struct target_params *p)
{
	uint64_t by_reach[DEF_PRIORITY + 1] = { 0 }, reached = 0;
	unsigned top;

	if (p->priority <= 0)
		return 0;
	top = (unsigned)MIN(p->priority, DEF_PRIORITY);
	for (size_t i = 0; i < n; i++) {
		c[i].reach = c[i].room_bytes ? target_reach(&c[i], p) : 0;
		by_reach[c[i].reach] += c[i].room_bytes;
	}
	for (unsigned r = DEF_PRIORITY; r > top; r--)
		reached += by_reach[r];
	for (unsigned prio = top; prio > 0; prio--) {
		reached += by_reach[prio];
		if (reached >= want)
			return prio;
	}
	return 0;
}

/* Each room (none below the spread's priority prio, reach set by
 * spread_priority()) and the weighted one; returns the weighted sum and
 * the plain total. */
static double spread_prepare(struct target_candidate *c, size_t n, unsigned prio,
			     const struct target_params *p, uint64_t *ret_total)
{
	double sum = 0;
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		c[i].amount_bytes = 0;
		c[i].room_bytes = prio > 0 && c[i].reach < prio ? 0 : target_room(&c[i], p);
		c[i].room_weighted = (double)(int64_t)c[i].room_bytes * weight_of(&c[i]);
		sum += c[i].room_weighted;
		total += c[i].room_bytes; /* <= n x 2^56: no overflow below 256 */
	}
	*ret_total = total;
	return sum;
}

/* Refresh room_weighted to what is left; returns their sum. */
static double spread_sum(struct target_candidate *c, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		c[i].room_weighted = (double)(int64_t)(c[i].room_bytes - c[i].amount_bytes) *
				     weight_of(&c[i]);
		sum += c[i].room_weighted;
	}
	return sum;
}

/*
 * One proportional round over what is left (sum: the weighted room left);
 * returns what it planned, and whether a share was cut to its room. A
 * candidate whose amount would stay below min_bytes gets nothing (a write
 * costs a syscall and a reclaim set-up); its share is left over.
 */
static uint64_t spread_round(struct target_candidate *c, size_t n, uint64_t want,
			     uint64_t min_bytes, double sum, bool *ret_capped)
{
	double per_unit;
	uint64_t planned = 0;
	bool capped = false;

	if (sum <= 0)
		return 0;
	per_unit = (double)want / sum;
	for (size_t i = 0; i < n && planned < want; i++) {
		uint64_t room = c[i].room_bytes - c[i].amount_bytes, share;

		if (room == 0)
			continue;
		share = share_of(room, c[i].room_weighted, per_unit);
		capped |= share == room;
		share = MIN(share, want - planned);
		if (c[i].amount_bytes + share < min_bytes)
			continue;
		c[i].amount_bytes += share;
		planned += share;
	}
	*ret_capped = capped;
	return planned;
}

/* Rounding leftovers (a few bytes) go to the first candidate that already
 * has an amount and room left, so no write below min_bytes appears. */
static uint64_t spread_remainder(struct target_candidate *c, size_t n, uint64_t want)
{
	uint64_t planned = 0;

	for (size_t i = 0; i < n && planned < want; i++) {
		uint64_t take = MIN(c[i].room_bytes - c[i].amount_bytes, want - planned);

		if (c[i].amount_bytes == 0)
			continue;
		c[i].amount_bytes += take;
		planned += take;
	}
	return planned;
}

/* An ask whose every share falls below min_bytes (a pass capped at a
 * small deficit) is one write, to the candidate with the most weighted
 * room, rather than none: a pass that writes nothing reads as one that
 * freed nothing, and the run would go down every priority to a failure. */
static uint64_t spread_one(struct target_candidate *c, size_t n, uint64_t want)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		if (c[i].room_bytes > 0 &&
		    (best == n || c[i].room_weighted > c[best].room_weighted))
			best = i;
	if (best == n)
		return 0;
	c[best].amount_bytes = MIN(want, c[best].room_bytes);
	return c[best].amount_bytes;
}

/* The deficit covers all the room: everyone gives all of it. */
static uint64_t spread_all(struct target_candidate *c, size_t n, uint64_t min_bytes)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		c[i].amount_bytes = c[i].room_bytes >= min_bytes ? c[i].room_bytes : 0;
		total += c[i].amount_bytes;
	}
	return total;
}

/* The spread over the candidates reached at prio (0: all). */
static uint64_t spread_plan(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
			    const struct target_params *p, unsigned prio)
{
	uint64_t planned, total;
	bool capped;
	double sum;

	sum = spread_prepare(c, n, prio, p, &total);
	if (sum <= 0 || deficit_bytes == 0)
		return 0;
	if (deficit_bytes >= total)
		return spread_all(c, n, p->min_write_bytes);
	planned = spread_round(c, n, deficit_bytes, p->min_write_bytes, sum, &capped);
	/* A weighted share was cut to its room: offer what is left once more
	 * (only with unequal weights). Then hand out the rounding remainder.
	 * Three passes at most: the cost stays O(n). */
	if (capped && planned < deficit_bytes)
		planned += spread_round(c, n, deficit_bytes - planned, p->min_write_bytes,
					spread_sum(c, n), &capped);
	if (planned < deficit_bytes)
		planned += spread_remainder(c, n, deficit_bytes - planned);
	if (planned == 0)
		planned = spread_one(c, n, deficit_bytes);
	return planned;
}

uint64_t target_spread(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
		       const struct target_params *p)
{
	unsigned prio;

	return target_spread_at(c, n, deficit_bytes, p, &prio);
}

uint64_t target_spread_at(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
			  const struct target_params *p, unsigned *ret_priority)
{
	uint64_t planned;
	unsigned prio;

	deficit_bytes = MIN(deficit_bytes, TARGET_BYTES_MAX);
	for (size_t i = 0; i < n; i++)
		c[i].room_bytes = target_room(&c[i], p);
	prio = spread_priority(c, n, deficit_bytes, p);
	planned = spread_plan(c, n, deficit_bytes, p, prio);
	/* The rooms reached covered the ask but shares below MinWrite= were
	 * dropped: over everyone, so that the priority never plans less
	 * than the spread without it. */
	if (planned < deficit_bytes && prio > 0) {
		prio = 0;
		planned = spread_plan(c, n, deficit_bytes, p, 0);
	}
	*ret_priority = prio;
	return planned;
}

uint64_t target_soft(struct target_candidate *c, size_t n, uint64_t limit_bytes,
		     const struct target_params *p)
{
	uint64_t planned = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t excess, take;

		c[i].amount_bytes = 0;
		if (c[i].soft_target_bytes == 0 ||
		    c[i].current_bytes <= c[i].soft_target_bytes)
			continue;
		excess = c[i].current_bytes - c[i].soft_target_bytes;
		take = MIN(excess, target_room(&c[i], p));
		take = MIN(take, limit_bytes - planned);
		if (take < p->min_write_bytes)
			continue;
		c[i].amount_bytes = take;
		planned += take;
	}
	return planned;
}

static const char *const target_backend_table[_TARGET_BACKEND_MAX] = {
	[TARGET_BACKEND_NONE] = "none",
	[TARGET_BACKEND_NODE_FILE] = "node-file",
	[TARGET_BACKEND_CGROUPS] = "memory.reclaim",
};

DEFINE_STRING_TABLE_TO_STRING(, target_backend, enum target_backend, _TARGET_BACKEND_MAX)

enum target_backend target_choose_backend(const struct target_backend_input *in)
{
	bool node_file = in->node_file && !in->avoid_node_file;

	/* A stalled node file still serves where there is nothing else. */
	if (in->cgroups && (in->policy_on_node || !node_file || in->node_file_stalled))
		return TARGET_BACKEND_CGROUPS;
	return node_file ? TARGET_BACKEND_NODE_FILE : TARGET_BACKEND_NONE;
}

/* node_pagecache_reclaimable() of mm/vmscan.c, from the snapshot's lines. */
static uint64_t node_pagecache_reclaimable(const struct node_reclaim_limits *l,
					   const struct node_lru_stat *s)
{
	uint64_t file = s->nr_inactive_file + s->nr_active_file, pages;

	if (l->zone_reclaim_mode & NODE_RECLAIM_RECLAIM_UNMAP)
		pages = s->nr_file_pages;
	else
		pages = file > s->nr_mapped ? file - s->nr_mapped : 0;
	if (!(l->zone_reclaim_mode & NODE_RECLAIM_RECLAIM_WRITE))
		pages -= MIN(pages, s->nr_dirty);
	return pages;
}

bool target_node_file_gated(const struct node_reclaim_limits *l, const struct node_zoneinfo *n)
{
	uint64_t min_unmapped = 0, min_slab = 0;

	if (!l || !l->known || !n || !n->has_node_reclaim_lines)
		return false;
	/* setup_min_unmapped_ratio(), setup_min_slab_ratio(): per zone. */
	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++) {
		min_unmapped += n->zones[i].managed * MIN(l->min_unmapped_ratio, 100u) / 100;
		min_slab += n->zones[i].managed * MIN(l->min_slab_ratio, 100u) / 100;
	}
	/* Leaning open by a sixteenth of each: the kernel computed its
	 * minimums from the managed pages of their last setup (boot, a
	 * sysctl write, memory hot-plug), the snapshot is up to a second
	 * old, and a node judged gated that was not loses its node-local
	 * pass, where one judged open that was not costs one EAGAIN. */
	return u64_add_sat(node_pagecache_reclaimable(l, &n->lru), min_unmapped / 16) <=
		       min_unmapped &&
	       u64_add_sat(n->lru.nr_slab_reclaimable, min_slab / 16) <= min_slab;
}

bool target_node_file_stalled(const struct target_node_file_pass *p)
{
	return p->nr_writes > 0 && p->nr_partial > 0;
}

/* A guarantee: what must hold on every node (Protect=, Floor=, an engaged
 * brake); the rest of a policy is a preference. memory.min and memory.low
 * are the kernel's, which the node file keeps by itself (target.h). */
static bool target_has_guarantee(const struct target_candidate *c)
{
	return c->protect || c->skip || c->conf_floor_bytes;
}

bool target_has_policy(const struct target_candidate *c)
{
	return target_has_guarantee(c) || c->soft_target_bytes ||
	       (c->weight && c->weight != TARGET_WEIGHT_DEFAULT);
}

bool target_policy_on_node(const struct target_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* A guarantee (Protect=, Floor=, a brake) covers the node
		 * whatever numa_stat said: the kernel flushes it lazily (a
		 * few pages on a node read as none) and the cgroup may fault
		 * pages there between the read and the write, and the node
		 * file takes from every cgroup with memory on the node. */
		if (target_has_guarantee(&c[i]))
			return true;
		if (target_has_policy(&c[i]) && (c[i].node_file_bytes || c[i].node_anon_bytes))
			return true;
	}
	return false;
}
