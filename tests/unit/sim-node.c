/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "sim-node.h"

static struct zone_stat *sim_zone(struct sim_node *s)
{
	return &s->zi.zones[0];
}

static void sim_sync_lru(struct sim_node *s, uint64_t file, uint64_t anon)
{
	/* Two thirds of each LRU inactive, as on a settled machine. */
	s->zi.lru.nr_active_file = file / 3;
	s->zi.lru.nr_inactive_file = file - file / 3;
	s->zi.lru.nr_active_anon = anon / 3;
	s->zi.lru.nr_inactive_anon = anon - anon / 3;
	s->zi.lru.nr_file_pages = file;
	s->zi.lru.nr_anon_pages = anon;
}

static uint64_t sim_file(const struct sim_node *s)
{
	return s->zi.lru.nr_file_pages;
}

static uint64_t sim_anon(const struct sim_node *s)
{
	return s->zi.lru.nr_anon_pages;
}

void sim_node_init(struct sim_node *s, int id, uint64_t managed, uint64_t free_pages,
		   uint64_t kernel_high, uint64_t file, uint64_t anon)
{
	struct zone_stat *z;

	*s = (struct sim_node){
		.id = id,
		.page_size = 4096,
		.efficiency_permille = 1000,
		.usec_per_shrink = 1000,
	};
	s->zi.id = id;
	s->zi.n_zones = 1;
	s->zi.has_lru = true;
	s->zi.has_node_reclaim_lines = true;
	z = sim_zone(s);
	strcpy(z->name, "Normal");
	z->free = free_pages;
	z->high = kernel_high;
	z->low = kernel_high * 5 / 6;
	z->min = kernel_high * 2 / 3;
	z->spanned = z->present = z->managed = managed;
	z->n_protection = 1;
	z->has_boost = true;
	sim_sync_lru(s, file, anon);
}

void sim_node_alloc(struct sim_node *s, uint64_t pages)
{
	struct zone_stat *z = sim_zone(s);

	pages = MIN(pages, z->free);
	z->free -= pages;
	sim_sync_lru(s, sim_file(s), sim_anon(s) + pages);
}

void sim_node_release(struct sim_node *s, uint64_t pages)
{
	pages = MIN(pages, sim_anon(s));
	sim_zone(s)->free += pages;
	sim_sync_lru(s, sim_file(s), sim_anon(s) - pages);
}

void sim_node_pcp(struct sim_node *s, uint64_t high, uint64_t count)
{
	s->pcp_high = high;
	s->pcp_count = count;
}

/* Freed pages: the per-CPU list first, the zone's free pages after. */
static void sim_free(struct sim_node *s, uint64_t pages)
{
	uint64_t room = s->pcp_high > s->pcp_count ? s->pcp_high - s->pcp_count : 0;
	uint64_t to_list = s->pcp_bypassed ? 0 : MIN(room, pages);

	s->pcp_count += to_list;
	sim_zone(s)->free += pages - to_list;
}

void sim_node_advance(struct sim_node *s, uint64_t usec)
{
	s->now_usec += usec;
	sim_node_alloc(s, s->alloc_pages_per_sec * usec / 1000000);
}

int sim_node_snapshot(void *userdata, int node, struct node_zoneinfo *ret)
{
	struct sim_node *s = userdata;

	if (node != s->id)
		return -ENOENT;
	if (s->snapshot_error)
		return s->snapshot_error;
	s->n_snapshots++;
	*ret = s->zi;
	if (s->pcp_high && !s->pcp_unreported) {
		ret->zones[0].has_pcp = true;
		ret->zones[0].pcp_room =
			s->pcp_high > s->pcp_count ? s->pcp_high - s->pcp_count : 0;
	}
	return 0;
}

/* Take pages from the file LRU, then (if allowed) from anon; returns how
 * many were taken. */
static uint64_t sim_take(struct sim_node *s, uint64_t pages, bool anon_ok)
{
	uint64_t file = sim_file(s), anon = sim_anon(s);
	uint64_t from_file = MIN(pages, file);
	uint64_t from_anon = anon_ok ? MIN(pages - from_file, anon) : 0;

	sim_sync_lru(s, file - from_file, anon - from_anon);
	sim_free(s, from_file + from_anon);
	return from_file + from_anon;
}

static uint64_t sim_reclaim(struct sim_node *s, const struct shrink_request *req,
			    int efficiency)
{
	uint64_t pages = req->nr_to_reclaim / s->page_size;
	uint64_t got;

	if (req->kind == SHRINK_SOFT_TARGET) {
		/* Over-soft-target cgroups give up their excess, no more. */
		got = sim_take(s, MIN(pages, s->soft_excess_pages), false);
		s->soft_excess_pages -= got;
		return got;
	}

	got = sim_take(s, pages * (uint64_t)efficiency / 1000,
		       s->swap && req->swappiness != 0);
	return got;
}

static void sim_refault(struct sim_node *s, uint64_t reclaimed)
{
	uint64_t back = reclaimed * s->refault_permille / 1000;
	struct zone_stat *z = sim_zone(s);

	back = MIN(back, z->free);
	z->free -= back;
	sim_sync_lru(s, sim_file(s) + back, sim_anon(s));
	s->zi.lru.workingset_refault_file += back;
	s->refaulted_pages += back;
}

int sim_node_shrink(void *userdata, const struct shrink_request *req,
		    struct shrink_result *ret)
{
	struct sim_node *s = userdata;
	const struct sim_step *step = NULL;
	int efficiency = (int)s->efficiency_permille;
	unsigned n = s->n_shrinks++;
	struct shrink_request cut;
	bool limited = false;
	uint64_t got;

	if (n < SIM_SCRIPT_MAX && s->script[n].set) {
		step = &s->script[n];
		if (step->efficiency_permille >= 0)
			efficiency = step->efficiency_permille;
	}
	if (req->node != s->id)
		return -ENOENT;
	if (s->shrink_error)
		return s->shrink_error;
	if (s->braked) {
		/* As actuator_shrink(): a node pass below the kernel's own
		 * marks goes on, cut to what the node lacks to them. */
		if (req->kind != SHRINK_NODE || req->kernel_deficit_bytes == 0) {
			*ret = (struct shrink_result){ .braked = true };
			return 0;
		}
		cut = *req;
		cut.nr_to_reclaim = MIN(cut.nr_to_reclaim, req->kernel_deficit_bytes);
		req = &cut;
	}

	if (s->quota_nothing && req->kind == SHRINK_NODE) {
		s->quota_nothing--;
		*ret = (struct shrink_result){ .quota_limited = true };
		if (s->n_log < SIM_LOG_MAX) {
			s->log[s->n_log] = *req;
			s->log_res[s->n_log] = *ret;
			s->n_log++;
		}
		return 0;
	}
	if (s->quota_bytes && req->kind == SHRINK_NODE && req->nr_to_reclaim > s->quota_bytes) {
		if (req != &cut)
			cut = *req;
		cut.nr_to_reclaim = s->quota_bytes;
		req = &cut;
		limited = true;
	}

	got = req->dry_run ? 0 : sim_reclaim(s, req, efficiency);
	sim_refault(s, got);
	sim_node_advance(s, s->usec_per_shrink);
	if (step)
		sim_node_alloc(s, step->alloc_pages);

	*ret = (struct shrink_result){
		.nr_requested = req->kind == SHRINK_SOFT_TARGET && s->soft_asks_nothing
					? 0
					: req->nr_to_reclaim,
		.nr_reclaimed = got * s->page_size,
		.nr_writes = 1,
		.nr_partial = got * s->page_size < req->nr_to_reclaim,
		.brake_cut = s->braked,
		.quota_limited = limited,
		.quota_granted_bytes = limited ? s->quota_bytes : 0,
		.backend = req->kind == SHRINK_NODE && !s->spread ? TARGET_BACKEND_NODE_FILE
								   : TARGET_BACKEND_CGROUPS,
		.node_file_short = req->kind == SHRINK_NODE &&
				   ((step && step->node_file_short) ||
				    (s->node_file_short && got * s->page_size < req->nr_to_reclaim)),
	};
	if (s->n_log < SIM_LOG_MAX) {
		s->log[s->n_log] = *req;
		s->log_res[s->n_log] = *ret;
		s->n_log++;
	}
	return 0;
}

struct reclaim_backend sim_node_backend(struct sim_node *s)
{
	return (struct reclaim_backend){
		.snapshot = sim_node_snapshot,
		.shrink = sim_node_shrink,
		.userdata = s,
	};
}
