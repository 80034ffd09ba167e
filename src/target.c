// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "macro.h"
#include "target.h"

/* Bytes are capped at 2^56 (64 PiB) inside the arithmetic so that
 * want x room x weight (2^56 x 2^56 x 2^14) fits in 128 bits. */
#define TARGET_BYTES_MAX (UINT64_C(1) << 56)

static uint64_t above_floor(const struct target_candidate *c)
{
	return c->current_bytes > c->floor_bytes ? c->current_bytes - c->floor_bytes : 0;
}

uint64_t target_room(const struct target_candidate *c, const struct target_params *p)
{
	uint64_t local;

	if (c->protect || c->skip)
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

static unsigned weight_of(const struct target_candidate *c)
{
	if (c->weight == 0)
		return TARGET_WEIGHT_DEFAULT;
	return MIN(c->weight, TARGET_WEIGHT_MAX);
}

/* One proportional round over what is left; returns what it planned. */
static uint64_t spread_round(struct target_candidate *c, size_t n, uint64_t want,
			     const struct target_params *p)
{
	unsigned __int128 sum = 0;
	uint64_t planned = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t room = target_room(&c[i], p) - c[i].amount_bytes;

		sum += (unsigned __int128)room * weight_of(&c[i]);
	}
	if (sum == 0)
		return 0;
	for (size_t i = 0; i < n && planned < want; i++) {
		uint64_t room = target_room(&c[i], p) - c[i].amount_bytes;
		unsigned __int128 share;

		share = (unsigned __int128)want * room * weight_of(&c[i]) / sum;
		share = MIN(share, (unsigned __int128)room);
		share = MIN(share, (unsigned __int128)(want - planned));
		c[i].amount_bytes += (uint64_t)share;
		planned += (uint64_t)share;
	}
	return planned;
}

/* Round-down leftovers (at most n bytes) go to the first with room. */
static uint64_t spread_remainder(struct target_candidate *c, size_t n, uint64_t want,
				 const struct target_params *p)
{
	uint64_t planned = 0;

	for (size_t i = 0; i < n && planned < want; i++) {
		uint64_t room = target_room(&c[i], p) - c[i].amount_bytes;
		uint64_t take = MIN(room, want - planned);

		c[i].amount_bytes += take;
		planned += take;
	}
	return planned;
}

static uint64_t drop_small(struct target_candidate *c, size_t n, uint64_t min_bytes)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i].amount_bytes < min_bytes)
			c[i].amount_bytes = 0;
		total += c[i].amount_bytes;
	}
	return total;
}

uint64_t target_spread(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
		       const struct target_params *p)
{
	uint64_t planned;

	for (size_t i = 0; i < n; i++)
		c[i].amount_bytes = 0;
	deficit_bytes = MIN(deficit_bytes, TARGET_BYTES_MAX);
	planned = spread_round(c, n, deficit_bytes, p);
	/* Capped candidates left some over: offer it once more, then hand out
	 * the rounding remainder. Two rounds keep the cost O(n). */
	if (planned < deficit_bytes)
		planned += spread_round(c, n, deficit_bytes - planned, p);
	if (planned < deficit_bytes)
		spread_remainder(c, n, deficit_bytes - planned, p);
	return drop_small(c, n, p->min_write_bytes);
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
