/* SPDX-License-Identifier: GPL-2.0-only */
#include "census.h"

static uint64_t interval_of(const struct census_params *p)
{
	return p->interval_usec ? p->interval_usec : CENSUS_INTERVAL_USEC_DEFAULT;
}

static uint64_t short_interval_of(const struct census_params *p)
{
	return p->short_interval_usec ? p->short_interval_usec : CENSUS_SHORT_INTERVAL_USEC_DEFAULT;
}

/* Time since the last census; a clock behind it counts as long ago (the
 * safe side: read everything). */
static bool census_older_than(const struct census *c, uint64_t usec, uint64_t now_usec)
{
	return now_usec < c->last_usec || now_usec - c->last_usec >= usec;
}

bool census_current(const struct census *c, uint64_t generation)
{
	return c->done && c->generation == generation;
}

bool census_due(const struct census *c, const struct census_params *p, uint64_t generation,
		uint64_t now_usec)
{
	if (!census_current(c, generation))
		return true;
	return census_older_than(c, interval_of(p), now_usec);
}

bool census_due_short(const struct census *c, const struct census_params *p, uint64_t now_usec)
{
	return !c->done || census_older_than(c, short_interval_of(p), now_usec);
}

void census_done(struct census *c, uint64_t generation, uint64_t now_usec)
{
	*c = (struct census){ .done = true, .last_usec = now_usec, .generation = generation };
}

enum census_read census_read_of(const struct census_candidate *cand, const struct census_params *p,
				bool census)
{
	if (cand->gone)
		return CENSUS_READ_NONE;
	if (census || cand->policy)
		return CENSUS_READ_FULL;
	if (cand->node_reclaimable_bytes < p->hot_bytes)
		return CENSUS_READ_NONE;
	if (p->priority > 0 && !cand->held && cand->reach < (unsigned)p->priority)
		return CENSUS_READ_DEFERRED;
	return CENSUS_READ_FULL;
}

enum census_read census_read_soft(const struct census_candidate *cand)
{
	return cand->soft_target && !cand->gone ? CENSUS_READ_FULL : CENSUS_READ_NONE;
}

bool census_guard_needed(enum target_backend choice, size_t n_skipped)
{
	return choice == TARGET_BACKEND_NODE_FILE && n_skipped > 0;
}
