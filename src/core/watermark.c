/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace watermarks and pgdat_balanced(): see watermark.h for the formulas
 * and the numbers they give on a 1 GiB VM and a 1 TiB host.
 */

#include <errno.h>

#include "macro.h"
#include "util.h"
#include "watermark.h"

void watermark_params_init(struct watermark_params *p)
{
	*p = (struct watermark_params){
		.headroom_permyriad = WATERMARK_HEADROOM_PERMYRIAD_DEFAULT,
		.headroom_min_bytes = WATERMARK_HEADROOM_MIN_BYTES_DEFAULT,
		.headroom_max_bytes = WATERMARK_HEADROOM_MAX_BYTES_DEFAULT,
		.interval_min_usec = WATERMARK_INTERVAL_MIN_USEC_DEFAULT,
		.interval_max_usec = WATERMARK_INTERVAL_MAX_USEC_DEFAULT,
		.page_size = WATERMARK_PAGE_SIZE_DEFAULT,
	};
}

int watermark_params_validate(const struct watermark_params *p)
{
	if (p->headroom_permyriad > 10000)
		return -EINVAL;
	if (p->headroom_min_bytes > p->headroom_max_bytes)
		return -EINVAL;
	if (p->page_size == 0 || (p->page_size & (p->page_size - 1)) != 0)
		return -EINVAL;
	if (p->interval_min_usec == 0 ||
	    p->interval_min_usec > p->interval_max_usec)
		return -EINVAL;
	return 0;
}

uint64_t watermark_headroom_pages(const struct zone_stat *z,
				  const struct watermark_params *p)
{
	/* managed < 2^52 pages on any machine, so the product cannot wrap. */
	uint64_t scaled = z->managed * p->headroom_permyriad / 10000;

	return CLAMP(scaled, p->headroom_min_bytes / p->page_size,
		     p->headroom_max_bytes / p->page_size);
}

void watermark_zone(const struct zone_stat *z, const struct watermark_params *p,
		    struct zone_watermarks *ret)
{
	uint64_t headroom = watermark_headroom_pages(z, p);

	ret->headroom = headroom;
	ret->pace = MIN(p->pace_pages, headroom * WATERMARK_PACE_MAX_HEADROOMS);
	ret->low = u64_add_sat(u64_add_sat(z->high, headroom), ret->pace);
	ret->high = u64_add_sat(ret->low, headroom / 2);
}

bool watermark_zone_eligible(const struct zone_stat *z, unsigned idx,
			     unsigned highest_zoneidx)
{
	return idx <= highest_zoneidx && z->managed > 0;
}

uint64_t watermark_zone_protection(const struct zone_stat *z,
				   unsigned highest_zoneidx)
{
	if (highest_zoneidx >= z->n_protection ||
	    highest_zoneidx >= ZONEINFO_MAX_ZONES)
		return 0;
	return z->protection[highest_zoneidx];
}

/* The zone index the protection is taken at: the request's highest zone,
 * capped to the zones the node lists (WATERMARK_ZONEIDX_ALL asks for all). */
static unsigned watermark_classzone(const struct node_zoneinfo *n,
				    unsigned highest_zoneidx)
{
	if (n->n_zones == 0)
		return 0;
	return MIN(highest_zoneidx, n->n_zones - 1);
}

static uint64_t watermark_zone_high_mark(const struct zone_stat *z,
					 unsigned classzone,
					 const struct watermark_params *p)
{
	struct zone_watermarks w;

	watermark_zone(z, p, &w);
	return u64_add_sat(w.high, watermark_zone_protection(z, classzone));
}

static uint64_t watermark_zone_low_mark(const struct zone_stat *z,
					unsigned classzone,
					const struct watermark_params *p)
{
	struct zone_watermarks w;

	watermark_zone(z, p, &w);
	return u64_add_sat(w.low, watermark_zone_protection(z, classzone));
}

bool watermark_zone_balanced(const struct zone_stat *z, unsigned highest_zoneidx,
			     const struct watermark_params *p)
{
	return z->free >= watermark_zone_high_mark(z, highest_zoneidx, p);
}

bool watermark_node_balanced(const struct node_zoneinfo *n,
			     unsigned highest_zoneidx,
			     const struct watermark_params *p)
{
	/* Balanced exactly when nothing is owed: an eligible zone at its
	 * high mark, or no eligible managed zone at all ("it does not need
	 * balancing by definition", pgdat_balanced). */
	return watermark_node_deficit(n, highest_zoneidx, p) == 0;
}

/* pgdat_balanced()'s deficit against the userspace high marks of p, or
 * with p NULL the kernel's own (zoneinfo high), protection added either
 * way: the smallest of the eligible zones', 0 once one is at its mark. */
static uint64_t node_deficit(const struct node_zoneinfo *n, unsigned highest_zoneidx,
			     const struct watermark_params *p)
{
	unsigned classzone = watermark_classzone(n, highest_zoneidx);
	uint64_t best = UINT64_MAX;

	for (unsigned i = 0; i < n->n_zones; i++) {
		const struct zone_stat *z = &n->zones[i];
		uint64_t mark;

		if (!watermark_zone_eligible(z, i, classzone))
			continue;
		mark = p ? watermark_zone_high_mark(z, classzone, p)
			 : u64_add_sat(z->high, watermark_zone_protection(z, classzone));
		if (z->free >= mark)
			return 0;
		best = MIN(best, mark - z->free);
	}

	return best == UINT64_MAX ? 0 : best;
}

uint64_t watermark_node_deficit(const struct node_zoneinfo *n,
				unsigned highest_zoneidx,
				const struct watermark_params *p)
{
	return node_deficit(n, highest_zoneidx, p);
}

uint64_t watermark_node_pcp_room(const struct node_zoneinfo *n, unsigned highest_zoneidx,
				 const struct watermark_params *p)
{
	unsigned classzone = watermark_classzone(n, highest_zoneidx);
	uint64_t best = UINT64_MAX, room = 0;

	/* node_deficit()'s zone: the one nearest its mark. */
	for (unsigned i = 0; i < n->n_zones; i++) {
		const struct zone_stat *z = &n->zones[i];
		uint64_t mark;

		if (!watermark_zone_eligible(z, i, classzone))
			continue;
		mark = watermark_zone_high_mark(z, classzone, p);
		if (z->free >= mark)
			return 0;
		if (mark - z->free < best) {
			best = mark - z->free;
			room = z->has_pcp ? z->pcp_room : 0;
		}
	}
	return room;
}

uint64_t watermark_node_kernel_deficit(const struct node_zoneinfo *n,
				       unsigned highest_zoneidx)
{
	return node_deficit(n, highest_zoneidx, NULL);
}

bool watermark_node_kernel_balanced(const struct node_zoneinfo *n,
				    unsigned highest_zoneidx)
{
	return watermark_node_kernel_deficit(n, highest_zoneidx) == 0;
}

bool watermark_node_below_low(const struct node_zoneinfo *n,
			      unsigned highest_zoneidx,
			      const struct watermark_params *p)
{
	unsigned classzone = watermark_classzone(n, highest_zoneidx);
	bool any_eligible = false;

	for (unsigned i = 0; i < n->n_zones; i++) {
		const struct zone_stat *z = &n->zones[i];

		if (!watermark_zone_eligible(z, i, classzone))
			continue;
		any_eligible = true;
		if (z->free >= watermark_zone_low_mark(z, classzone, p))
			return false;
	}

	return any_eligible;
}

uint64_t watermark_monitor_interval_usec(const struct node_zoneinfo *n,
					 unsigned highest_zoneidx,
					 const struct watermark_params *p)
{
	unsigned classzone = watermark_classzone(n, highest_zoneidx);
	uint64_t span = p->interval_max_usec - p->interval_min_usec;
	uint64_t best_d = 0, best_m = 0;
	bool any_eligible = false;

	for (unsigned i = 0; i < n->n_zones; i++) {
		const struct zone_stat *z = &n->zones[i];
		uint64_t m, d;

		if (!watermark_zone_eligible(z, i, classzone))
			continue;
		m = watermark_zone_low_mark(z, classzone, p);
		d = z->free > m ? z->free - m : 0;
		/* Compare the ratios d/m without dividing (128-bit products
		 * cannot wrap). */
		if (!any_eligible || (unsigned __int128)d * best_m >
					     (unsigned __int128)best_d * m) {
			best_d = d;
			best_m = m;
		}
		any_eligible = true;
	}

	if (!any_eligible)
		return p->interval_max_usec;
	if (best_m == 0)
		/* Nothing to protect (watermarks all zero): never urgent. */
		return p->interval_max_usec;

	return p->interval_min_usec +
	       (uint64_t)((unsigned __int128)span * MIN(best_d, best_m) / best_m);
}

uint64_t watermark_kernel_monitor_interval_usec(const struct node_zoneinfo *n,
						unsigned highest_zoneidx,
						const struct watermark_params *p)
{
	struct watermark_params kernel = *p;

	kernel.headroom_permyriad = 0;
	kernel.headroom_min_bytes = kernel.headroom_max_bytes = 0;
	kernel.pace_pages = 0;
	return watermark_monitor_interval_usec(n, highest_zoneidx, &kernel);
}
