/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * balance_pgdat() from mm/vmscan.c (../shared/seed/kswapd.c), cut at every
 * place the kernel calls into reclaim so that the node thread can issue the
 * write and come back. The kernel's locals live in struct balance_run, the
 * pgdat fields in struct balance_node. Nothing here reads a clock or a file.
 */

#include <errno.h>

#include "balance.h"
#include "macro.h"
#include "util.h"

static const char *const balance_wake_reason_table[_BALANCE_WAKE_REASON_MAX] = {
	[BALANCE_WAKE_WATERMARK] = "watermark",
	[BALANCE_WAKE_PSI] = "psi",
	[BALANCE_WAKE_MANUAL_RECLAIM] = "manual-reclaim",
	[BALANCE_WAKE_BOOST] = "boost",
	[BALANCE_WAKE_KERNEL_BOOST] = "kernel-boost",
};

static const char *const balance_end_reason_table[_BALANCE_END_REASON_MAX] = {
	[BALANCE_END_BALANCED] = "balanced",
	[BALANCE_END_PRIORITY_EXHAUSTED] = "priority-exhausted",
	[BALANCE_END_BOOST_NO_PROGRESS] = "boost-no-progress",
	[BALANCE_END_INTERRUPTED] = "interrupted",
	[BALANCE_END_BRAKED] = "braked",
	[BALANCE_END_DRY_RUN] = "dry-run",
	[BALANCE_END_KERNEL_BALANCED] = "kernel-balanced",
};

DEFINE_STRING_TABLE_TO_STRING(, balance_wake_reason, enum balance_wake_reason,
			      _BALANCE_WAKE_REASON_MAX)
DEFINE_STRING_TABLE_TO_STRING(, balance_end_reason, enum balance_end_reason,
			      _BALANCE_END_REASON_MAX)

static const char *const balance_monitor_wake_table[_BALANCE_MONITOR_WAKE_MAX] = {
	[BALANCE_MONITOR_SLEEP] = "none",
	[BALANCE_MONITOR_BELOW_LOW] = "every zone below its low mark",
	[BALANCE_MONITOR_KERNEL_BOOST] = "kernel watermark boost",
};

DEFINE_STRING_TABLE_TO_STRING(, balance_monitor_wake, enum balance_monitor_wake,
			      _BALANCE_MONITOR_WAKE_MAX)

bool balance_wake_reaches_hopeless(unsigned reasons)
{
	return reasons & ((1u << BALANCE_WAKE_MANUAL_RECLAIM) |
			  (1u << BALANCE_WAKE_BOOST));
}

void balance_request_merge(struct balance_request *pending,
			   const struct balance_request *wake)
{
	/* wakeup_kswapd(): "if (curr_idx == MAX_NR_ZONES || curr_idx <
	 * highest_zoneidx) kswapd_highest_zoneidx = highest_zoneidx". */
	if (wake->highest_zoneidx != WATERMARK_ZONEIDX_NONE &&
	    (pending->highest_zoneidx == WATERMARK_ZONEIDX_NONE ||
	     pending->highest_zoneidx < wake->highest_zoneidx))
		pending->highest_zoneidx = wake->highest_zoneidx;
	pending->reasons |= wake->reasons;
	pending->boost_bytes = u64_add_sat(pending->boost_bytes, wake->boost_bytes);
}

unsigned balance_highest_zoneidx(const struct balance_request *pending,
				 unsigned prev)
{
	return pending->highest_zoneidx == WATERMARK_ZONEIDX_NONE
		       ? prev
		       : pending->highest_zoneidx;
}

void balance_request_keep_premature(struct balance_request *pending,
				    unsigned highest_zoneidx)
{
	pending->highest_zoneidx = balance_highest_zoneidx(pending, highest_zoneidx);
}

void balance_params_init(struct balance_params *p)
{
	*p = (struct balance_params){
		.step_bytes = BALANCE_STEP_BYTES_DEFAULT,
		.swappiness = BALANCE_SWAPPINESS_DEFAULT,
		.soft_target = true,
	};
	watermark_params_init(&p->wmark);
}

int balance_params_validate(const struct balance_params *p)
{
	int r;

	r = watermark_params_validate(&p->wmark);
	if (r < 0)
		return r;
	if (p->step_bytes < BALANCE_CLUSTER_PAGES * p->wmark.page_size)
		return -EINVAL;
	/* memory.reclaim accepts swappiness=0..200 (6.8+). */
	if (p->swappiness != SWAPPINESS_KERNEL_DEFAULT &&
	    (p->swappiness < 0 || p->swappiness > 200))
		return -EINVAL;
	return 0;
}

void balance_node_init(struct balance_node *b, int node)
{
	*b = (struct balance_node){ .node = node, .pcp_share = BALANCE_PCP_SHARE_ONE };
}

bool balance_node_hopeless(const struct balance_node *b)
{
	return b->kswapd_failures >= MAX_RECLAIM_RETRIES;
}

static const char *const balance_swap_reason_table[_BALANCE_SWAP_REASON_MAX] = {
	[BALANCE_SWAP_BOOST] = "boost",
	[BALANCE_SWAP_GENTLE] = "gentle",
	[BALANCE_SWAP_FILE_COVERS] = "file_covers",
	[BALANCE_SWAP_FILE_SHORT] = "file_short",
	[BALANCE_SWAP_FILE_STALLED] = "file_stalled",
	[BALANCE_SWAP_FILE_UNKNOWN] = "file_unknown",
	[BALANCE_SWAP_KERNEL_BALANCED] = "kernel_balanced",
};

DEFINE_STRING_TABLE_TO_STRING(, balance_swap_reason, enum balance_swap_reason,
			      _BALANCE_SWAP_REASON_MAX)

static enum balance_swap_reason swap_reason(const struct balance_params *p,
					    const struct node_zoneinfo *n,
					    unsigned highest_zoneidx, int priority,
					    uint64_t nr_boost_reclaim, bool file_stalled)
{
	uint64_t file, want;

	/* "Do not writeback or swap pages for boosted reclaim":
	 * sc.may_swap = !nr_boost_reclaim. */
	if (nr_boost_reclaim)
		return BALANCE_SWAP_BOOST;
	/* sc.may_writepage only from priority < DEF_PRIORITY - 2 ("if we're
	 * getting trouble reclaiming"): until then, clean file pages only. */
	if (priority >= DEF_PRIORITY - 2)
		return BALANCE_SWAP_GENTLE;
	/* Above the kernel's own high marks the kernel's kswapd reclaims
	 * nothing: whatever a pass frees there is ahead of the kernel, and
	 * the kernel alone would not have swapped for it. Such a pass takes
	 * page cache only, however deep the run; anon goes to swap once the
	 * node is where kswapd would be reclaiming too (issue 14: "swap only
	 * when the kernel would"). */
	if (n && watermark_node_kernel_balanced(n, highest_zoneidx))
		return BALANCE_SWAP_KERNEL_BALANCED;
	if (!n || !n->has_lru)
		return BALANCE_SWAP_FILE_UNKNOWN;
	if (file_stalled)
		return BALANCE_SWAP_FILE_STALLED;
	/* get_scan_count()'s cache_trim_mode: while there is page cache to
	 * trim, the kernel scans file pages only. A cgroup write decides it
	 * by that cgroup's LRUs, so a write to a cgroup of anonymous memory
	 * would swap where the node's kswapd would not: decide for the node. */
	file = n->lru.nr_inactive_file + n->lru.nr_active_file;
	want = balance_pass_bytes(p, n, highest_zoneidx, priority, 0, 0) /
	       p->wmark.page_size;
	/* A pass that may swap asks no more than the kernel's deficit, or
	 * one SWAP_CLUSTER_MAX batch (balance_check()), so file pages that
	 * cover that cover what the kernel's kswapd would reclaim here. */
	want = MIN(want, MAX(watermark_node_kernel_deficit(n, highest_zoneidx),
			     (uint64_t)BALANCE_CLUSTER_PAGES));
	return file >= want ? BALANCE_SWAP_FILE_COVERS : BALANCE_SWAP_FILE_SHORT;
}

int balance_swappiness(const struct balance_params *p, const struct node_zoneinfo *n,
		       unsigned highest_zoneidx, int priority,
		       uint64_t nr_boost_reclaim, bool file_stalled,
		       enum balance_swap_reason *ret_reason)
{
	enum balance_swap_reason r = swap_reason(p, n, highest_zoneidx, priority,
						 nr_boost_reclaim, file_stalled);

	if (ret_reason)
		*ret_reason = r;
	switch (r) {
	case BALANCE_SWAP_FILE_SHORT:
	case BALANCE_SWAP_FILE_STALLED:
	case BALANCE_SWAP_FILE_UNKNOWN:
		return p->swappiness;
	default:
		return 0;
	}
}

uint64_t balance_pass_bytes(const struct balance_params *p,
			    const struct node_zoneinfo *n,
			    unsigned highest_zoneidx, int priority,
			    int swappiness, uint64_t nr_boost_reclaim)
{
	uint64_t page_size = p->wmark.page_size;
	uint64_t lru = 0, want;

	if (n->has_lru) {
		lru = n->lru.nr_inactive_file + n->lru.nr_active_file;
		if (swappiness != 0)
			lru = u64_add_sat(lru, n->lru.nr_inactive_anon +
						   n->lru.nr_active_anon);
	}
	priority = CLAMP(priority, 0, 63);

	want = watermark_node_deficit(n, highest_zoneidx, &p->wmark);
	/* Rounded up, without DIV_ROUND_UP's overflow near UINT64_MAX. */
	want = u64_add_sat(want, nr_boost_reclaim / page_size +
				     (nr_boost_reclaim % page_size != 0));
	want = u64_add_sat(want, lru >> priority);
	want = CLAMP(want, (uint64_t)BALANCE_CLUSTER_PAGES, p->step_bytes / page_size);

	return want * page_size;
}

bool balance_prepare_sleep(const struct balance_node *b,
			   const struct balance_params *p,
			   const struct node_zoneinfo *n,
			   unsigned highest_zoneidx, uint64_t pending_boost_bytes)
{
	struct balance_params paced;

	/* "Hopeless node, leave it to direct reclaim": sleep. */
	if (balance_node_hopeless(b))
		return true;
	/* A userspace boost is owed: the kernel's boost raises the watermarks
	 * prepare_kswapd_sleep() checks; ours is a ledger, checked here. */
	if (b->boost_ledger_bytes || pending_boost_bytes)
		return false;
	/* Dry run: nothing decided was done, so the snapshot cannot show
	 * progress and the node would balance back to back. Sleep until the
	 * next wake (the monitor paces those) once the run has reported. */
	if (p->dry_run)
		return true;
	paced = balance_paced_params(b, p);
	return watermark_node_balanced(n, highest_zoneidx, &paced.wmark);
}

static void balance_clear_failures(struct balance_node *b);

static uint64_t node_free_pages(const struct node_zoneinfo *n)
{
	uint64_t free = 0;

	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		if (n->zones[i].managed)
			free = u64_add_sat(free, n->zones[i].free);
	return free;
}

static uint64_t node_reclaimed_pages(const struct balance_node *b, uint64_t others_bytes,
				    uint64_t page_size)
{
	uint64_t bytes = others_bytes;

	for (unsigned i = 0; i <= DEF_PRIORITY; i++)
		bytes = u64_add_sat(bytes, b->counters.reclaimed_bytes[i]);
	/* What the node's memory.reclaim writes took from other nodes shows
	 * in their free pages, not this one's (attribute_pass()). */
	bytes -= MIN(bytes, b->counters.reclaimed_elsewhere_bytes);
	return bytes / page_size;
}

/* The largest lead any zone of the node takes (its cap), in pages. */
static uint64_t node_pace_cap(const struct node_zoneinfo *n, const struct watermark_params *wp)
{
	uint64_t cap = 0;

	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		if (n->zones[i].managed)
			cap = MAX(cap, watermark_headroom_pages(&n->zones[i], wp) *
					       WATERMARK_PACE_MAX_HEADROOMS);
	return cap;
}

void balance_pace_update(struct balance_node *b, const struct balance_params *p,
			 const struct node_zoneinfo *n, uint64_t others_reclaimed_bytes,
			 uint64_t now_usec)
{
	struct balance_pace *pc = &b->pace;
	uint64_t free = node_free_pages(n);
	uint64_t reclaimed = node_reclaimed_pages(b, others_reclaimed_bytes, p->wmark.page_size);
	double dt, consumed, alpha, floor_rate, lead;

	if (!pc->last_usec || now_usec <= pc->last_usec || reclaimed < pc->last_reclaimed) {
		/* First sample, a clock that did not move, or counters reset. */
		*pc = (struct balance_pace){ .last_usec = now_usec, .last_free = free,
					     .last_reclaimed = reclaimed, .rate = pc->rate,
					     .pages = pc->pages };
		return;
	}
	dt = (double)(now_usec - pc->last_usec);
	consumed = ((double)pc->last_free - (double)free) +
		   (double)(reclaimed - pc->last_reclaimed);
	alpha = dt / (dt + (double)BALANCE_PACE_TAU_USEC);
	pc->rate += alpha * (consumed * 1e6 / dt - pc->rate);
	floor_rate = -(double)node_pace_cap(n, &p->wmark) * 1e6 / (double)BALANCE_PACE_LEAD_USEC;
	if (pc->rate < floor_rate)
		pc->rate = floor_rate;
	lead = pc->rate * (double)BALANCE_PACE_LEAD_USEC / 1e6;
	pc->pages = lead > 0 ? (uint64_t)lead : 0;
	pc->last_usec = now_usec;
	pc->last_free = free;
	pc->last_reclaimed = reclaimed;
}

struct balance_params balance_paced_params(const struct balance_node *b,
					   const struct balance_params *p)
{
	struct balance_params pp = *p;

	pp.wmark.pace_pages = b->pace.pages;
	return pp;
}

bool balance_node_wake(struct balance_node *b, struct balance_request *pending,
		       const struct balance_request *w)
{
	for (unsigned i = 0; i < _BALANCE_WAKE_REASON_MAX; i++)
		if (w->reasons & (1u << i))
			b->counters.wakes[i]++;
	/* The request is recorded before the hopeless check, as in
	 * wakeup_kswapd(). */
	balance_request_merge(pending, w);
	if (balance_node_hopeless(b) && !balance_wake_reaches_hopeless(w->reasons)) {
		b->counters.wakes_ignored_hopeless++;
		return false;
	}
	return true;
}

bool balance_node_manual_reclaim(struct balance_node *b, struct balance_request *pending,
				 uint64_t reclaimed_bytes)
{
	struct balance_request w = {
		.highest_zoneidx = WATERMARK_ZONEIDX_ALL,
		.reasons = 1u << BALANCE_WAKE_MANUAL_RECLAIM,
	};

	if (reclaimed_bytes)
		balance_clear_failures(b);
	return balance_node_wake(b, pending, &w);
}

void balance_node_consume(struct balance_node *b,
			  const struct balance_request *req)
{
	b->boost_ledger_bytes = u64_add_sat(b->boost_ledger_bytes, req->boost_bytes);
}

static void balance_clear_failures(struct balance_node *b)
{
	if (balance_node_hopeless(b))
		b->counters.hopeless_recovered++;
	b->kswapd_failures = 0;
}

bool balance_observe(struct balance_node *b, const struct balance_params *p,
		     const struct node_zoneinfo *n)
{
	if (!balance_node_hopeless(b))
		return false;
	if (!watermark_node_balanced(n, WATERMARK_ZONEIDX_ALL, &p->wmark))
		return false;
	balance_clear_failures(b);
	return true;
}

static unsigned balance_classzone(const struct node_zoneinfo *n, unsigned highest_zoneidx)
{
	return n->n_zones ? MIN(highest_zoneidx, n->n_zones - 1) : 0;
}

uint64_t balance_kernel_boost_unpaid(const struct balance_node *b,
				     const struct node_zoneinfo *n,
				     unsigned highest_zoneidx)
{
	unsigned classzone = balance_classzone(n, highest_zoneidx);
	uint64_t pages = 0;

	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		if (watermark_zone_eligible(&n->zones[i], i, classzone) &&
		    n->zones[i].boost > b->kernel_boost_paid[i])
			pages = u64_add_sat(pages, n->zones[i].boost - b->kernel_boost_paid[i]);
	return pages;
}

enum balance_monitor_wake balance_monitor_wake(struct balance_node *b,
					       const struct balance_params *p,
					       const struct node_zoneinfo *n)
{
	struct balance_params paced;

	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		b->kernel_boost_paid[i] = MIN(b->kernel_boost_paid[i], n->zones[i].boost);
	paced = balance_paced_params(b, p);
	if (watermark_node_below_low(n, WATERMARK_ZONEIDX_ALL, &paced.wmark))
		return BALANCE_MONITOR_BELOW_LOW;
	if (balance_kernel_boost_unpaid(b, n, WATERMARK_ZONEIDX_ALL))
		return BALANCE_MONITOR_KERNEL_BOOST;
	return BALANCE_MONITOR_SLEEP;
}

bool balance_wake_paced(struct balance_node *b, const struct balance_params *p,
			unsigned reasons, uint64_t now_usec)
{
	const unsigned automatic = (1u << BALANCE_WAKE_WATERMARK) | (1u << BALANCE_WAKE_PSI) |
				   (1u << BALANCE_WAKE_KERNEL_BOOST);

	if (!p->dry_run || (reasons & ~automatic) || !reasons)
		return false;
	if (b->last_auto_wake_usec && now_usec >= b->last_auto_wake_usec &&
	    now_usec - b->last_auto_wake_usec <
		    p->wmark.interval_max_usec - p->wmark.interval_max_usec / 8) {
		b->counters.wakes_paced++;
		return true;
	}
	b->last_auto_wake_usec = now_usec;
	return false;
}

bool balance_dry_run_summary_due(const struct balance_dry_run_summary *s, bool dry_run,
				 uint64_t now_usec)
{
	return dry_run && now_usec - s->since_usec >= BALANCE_DRY_RUN_SUMMARY_USEC;
}

bool balance_dry_run_summary_take(struct balance_dry_run_summary *s,
				  const struct balance_dry_run_totals *cur, uint64_t now_usec,
				  struct balance_dry_run_totals *ret_delta, uint64_t *ret_span_usec)
{
	bool wrote = cur->writes > s->at.writes || cur->cgroup_writes > s->at.cgroup_writes;

	*ret_delta = (struct balance_dry_run_totals){
		.runs = cur->runs - s->at.runs,
		.writes = cur->writes - s->at.writes,
		.bytes = cur->bytes - s->at.bytes,
		.cgroup_writes = cur->cgroup_writes - s->at.cgroup_writes,
		.cgroup_bytes = cur->cgroup_bytes - s->at.cgroup_bytes,
	};
	*ret_span_usec = now_usec - s->since_usec;
	*s = (struct balance_dry_run_summary){ .since_usec = now_usec, .at = *cur };
	return wrote;
}

bool balance_run_routine(const struct balance_result *r, unsigned wake_reasons)
{
	return wake_reasons == 1u << BALANCE_WAKE_WATERMARK &&
	       (r->reason == BALANCE_END_BALANCED || r->reason == BALANCE_END_KERNEL_BALANCED) &&
	       r->priority >= DEF_PRIORITY - 2 && r->failures == 0 && !r->hopeless &&
	       r->boost_reclaimed == 0 && !r->kernel_boost_paid;
}

bool balance_run_log_account(struct balance_run_log *l, const struct balance_result *r,
			     unsigned wake_reasons, uint64_t now_usec)
{
	struct balance_run_log_totals *q = &l->quiet;

	if (!balance_run_routine(r, wake_reasons))
		return true;
	/* The first of a window, or the first after a window over with
	 * nothing counted (which the next summary would close): logged, and
	 * not counted. */
	if (!l->since_usec || (!q->runs && now_usec - l->since_usec >= BALANCE_RUN_LOG_WINDOW_USEC)) {
		*l = (struct balance_run_log){ .since_usec = MAX(now_usec, UINT64_C(1)) };
		return true;
	}
	q->priority = q->runs ? MIN(q->priority, r->priority) : r->priority;
	q->runs++;
	q->reclaimed_bytes += r->nr_reclaimed;
	q->ended[r->reason]++;
	return false;
}

bool balance_run_log_summary_take(struct balance_run_log *l, uint64_t now_usec, bool force,
				  struct balance_run_log_totals *ret, uint64_t *ret_span_usec)
{
	if (!l->since_usec || (!force && now_usec - l->since_usec < BALANCE_RUN_LOG_WINDOW_USEC))
		return false;
	*ret = l->quiet;
	*ret_span_usec = now_usec - l->since_usec;
	/* Runs still coming: the next window starts with no line of its own;
	 * none: closed, the next routine run is logged. */
	*l = (struct balance_run_log){ .since_usec = ret->runs ? MAX(now_usec, UINT64_C(1)) : 0 };
	return ret->runs > 0;
}

/* restart: "sc.priority = DEF_PRIORITY" */
static void balance_restart(struct balance_run *run)
{
	run->priority = DEF_PRIORITY;
	run->phase = BALANCE_PHASE_CHECK;
}

void balance_begin(struct balance_node *b, const struct balance_params *p,
		   const struct node_zoneinfo *n, unsigned highest_zoneidx,
		   uint64_t now_usec)
{
	struct balance_run *run = &b->run;
	unsigned classzone = balance_classzone(n, highest_zoneidx);

	*run = (struct balance_run){
		.highest_zoneidx = highest_zoneidx,
		.start_usec = now_usec,
		.lowest_priority = DEF_PRIORITY,
	};
	b->counters.runs++; /* count_vm_event(PAGEOUTRUN) */

	/* "Account for the reclaim boost": eligible managed zones only, and
	 * only what no run paid yet. The zone boost stays in place (the
	 * kernel's kswapd clears it); the seed clears it at "out" whatever
	 * the run's end, so it counts as paid from here on. */
	run->kernel_boost_bytes = balance_kernel_boost_unpaid(b, n, highest_zoneidx) *
				  p->wmark.page_size;
	for (unsigned i = 0; i < n->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		if (watermark_zone_eligible(&n->zones[i], i, classzone))
			b->kernel_boost_paid[i] = n->zones[i].boost;
	run->user_boost_bytes = b->boost_ledger_bytes;
	run->nr_boost_reclaim = u64_add_sat(run->kernel_boost_bytes,
					run->user_boost_bytes);
	run->boosted = run->nr_boost_reclaim != 0;

	balance_restart(run);
}

static void balance_leave(struct balance_run *run, enum balance_end_reason why)
{
	run->end_reason = why;
	run->phase = BALANCE_PHASE_END;
}

static void balance_fill(const struct balance_node *b,
			 const struct balance_params *p, enum shrink_kind kind,
			 uint64_t bytes, struct shrink_request *ret)
{
	*ret = (struct shrink_request){
		.kind = kind,
		.node = b->node,
		.nr_to_reclaim = bytes,
		.swappiness = b->run.swappiness,
		.priority = b->run.priority,
		.swap_reason = balance_swap_reason_to_string(b->run.swap_reason),
		.dry_run = p->dry_run,
		.kernel_deficit_bytes = kind == SHRINK_NODE ? b->run.kernel_deficit_bytes : 0,
		.wmark_deficit_bytes = kind == SHRINK_NODE || kind == SHRINK_SOFT_TARGET
					       ? b->run.wmark_deficit_bytes
					       : 0,
		.run = b->counters.runs,
	};
}

enum balance_refresh balance_refresh_kind(const struct balance_node *b,
					  const struct node_zoneinfo *last)
{
	const struct balance_run *run = &b->run;

	/* After the soft-target pass the node pass is planned from the
	 * check before it, unless the soft pass took all of it: then the
	 * check comes next, at the same priority (balance_plan_node()). */
	if (run->phase == BALANCE_PHASE_NODE_PLAN && run->pass_bytes > run->soft_reclaimed)
		return BALANCE_REFRESH_NONE;
	if ((run->phase != BALANCE_PHASE_CHECK && run->phase != BALANCE_PHASE_NODE_PLAN) ||
	    run->priority < DEF_PRIORITY - 2 || run->nr_boost_reclaim)
		return BALANCE_REFRESH_FULL;
	for (unsigned i = 0; i < last->n_zones && i < ZONEINFO_MAX_ZONES; i++)
		if (last->zones[i].boost)
			return BALANCE_REFRESH_FULL;
	return BALANCE_REFRESH_FREE;
}

bool balance_continues_on_free(const struct balance_node *b, const struct balance_params *p,
			       const struct node_zoneinfo *n)
{
	struct balance_params paced;

	if (balance_refresh_kind(b, n) != BALANCE_REFRESH_FREE)
		return false;
	paced = balance_paced_params(b, p);
	return !watermark_node_balanced(n, b->run.highest_zoneidx, &paced.wmark);
}

/* The room of the per-CPU list a page-cache pass fills first (seen: the
 * whole of it), scaled by the share the node's passes were seen to fill,
 * as far as the step leaves room for it after run->pass_bytes. */
static uint64_t balance_pcp_room_bytes(const struct balance_node *b,
				       const struct balance_params *p,
				       const struct node_zoneinfo *n,
				       const struct balance_run *run, uint64_t *seen)
{
	uint64_t pages = watermark_node_pcp_room(n, run->highest_zoneidx, &p->wmark), room;

	*seen = u64_mul_sat(pages, p->wmark.page_size);
	/* A list's room is a few thousand pages. */
	pages = MIN(pages, UINT64_MAX / BALANCE_PCP_SHARE_ONE) * b->pcp_share /
		BALANCE_PCP_SHARE_ONE;
	room = u64_mul_sat(pages, p->wmark.page_size);
	return run->pass_bytes >= p->step_bytes ? 0 : MIN(room, p->step_bytes - run->pass_bytes);
}

/* What the last pass's freed pages did to the node's free pages, where it
 * was planned with a list room (balance_node.pcp_share). n: the snapshot
 * after it. */
static void balance_pcp_observe(struct balance_node *b, const struct balance_params *p,
				const struct node_zoneinfo *n)
{
	struct balance_run *run = &b->run;
	uint64_t room = run->pcp_seen_room_bytes, got, base, free_now, rose, unseen, seen;

	run->pcp_seen_room_bytes = 0;
	if (!room || !run->pcp_measurable || run->nr_reclaimed <= run->pass_start_reclaimed)
		return;
	got = run->nr_reclaimed - run->pass_start_reclaimed;
	base = MIN(got, room);
	if (base < BALANCE_PCP_OBSERVE_MIN_BYTES)
		return;
	free_now = node_free_pages(n);
	rose = free_now > run->pcp_free_before
		       ? u64_mul_sat(free_now - run->pcp_free_before, p->wmark.page_size)
		       : 0;
	unseen = got > rose ? got - rose : 0;
	seen = MIN(unseen, base) * BALANCE_PCP_SHARE_ONE / base;
	/* Rounded towards the new share, so that it reaches it. */
	b->pcp_share = (unsigned)((3 * (uint64_t)b->pcp_share + seen + (seen > b->pcp_share ? 3 : 0)) / 4);
	b->counters.pcp_observations++;
}

/* The top of the do-while, up to mem_cgroup_soft_limit_reclaim(). Returns
 * true if the pass goes on, false if the run left the loop (out). */
static bool balance_check(struct balance_node *b, const struct balance_params *params,
			  const struct node_zoneinfo *n)
{
	/* The marks with the pacing lead the monitor measured. */
	const struct balance_params paced = balance_paced_params(b, params);
	const struct balance_params *p = &paced;
	struct balance_run *run = &b->run;
	bool balanced;

	balance_pcp_observe(b, p, n);
	/* "If the pgdat is imbalanced then ignore boosting and preserve the
	 * watermarks for a later time and restart." */
	balanced = watermark_node_balanced(n, run->highest_zoneidx, &p->wmark);
	if (!balanced && run->nr_boost_reclaim) {
		run->nr_boost_reclaim = 0;
		run->boost_dropped = true;
		b->counters.boost_restarts++;
		balance_restart(run); /* goto restart */
	}

	/* "If boosting is not active then only reclaim if there are no
	 * eligible zones." */
	if (!run->nr_boost_reclaim && balanced) {
		balance_leave(run, BALANCE_END_BALANCED); /* goto out */
		return false;
	}

	/* The node file, the kernel's own node reclaim, fell short this run
	 * (EAGAIN), and the node is ahead of the kernel (at or above its high
	 * marks): the actuator would serve the pass over memory.reclaim, which
	 * cannot aim at a node (a cgroup write takes from every node the
	 * cgroup has pages on). In the 6.18 redis benchmark four such runs
	 * spread 86-161 MiB each down to priority 1 while node 0 never
	 * reached our marks. So no further pass: the run ends here, as a
	 * kernel-balanced one, with what it took (the pass that met the EAGAIN
	 * spread its rest: the multi-gen LRU leaves young page cache to
	 * memory.reclaim), and the next run tries the node file first. Below
	 * the kernel's marks the run goes on as the kernel's kswapd would,
	 * and so does a boost still owed (the kernel's kswapd reclaims for its
	 * boost above its marks too). From this snapshot, before the pass is
	 * counted. */
	if (run->node_file_short && !run->nr_boost_reclaim &&
	    !watermark_node_kernel_deficit(n, run->highest_zoneidx)) {
		balance_leave(run, BALANCE_END_KERNEL_BALANCED);
		return false;
	}

	run->raise_priority = true;
	/* "Limit the priority of boosting to avoid reclaim writeback" */
	if (run->nr_boost_reclaim && run->priority == DEF_PRIORITY - 2)
		run->raise_priority = false;

	run->swappiness = balance_swappiness(p, n, run->highest_zoneidx, run->priority,
					     run->nr_boost_reclaim, run->file_stalled,
					     &run->swap_reason);
	b->counters.swap_decisions[run->swap_reason]++;
	run->kernel_deficit_bytes =
		watermark_node_kernel_deficit(n, run->highest_zoneidx) * p->wmark.page_size;
	/* The watermark job: what the node lacks to our own high marks,
	 * which the rate quota does not hold back (a boost it does). */
	run->wmark_deficit_bytes =
		watermark_node_deficit(n, run->highest_zoneidx, &p->wmark) * p->wmark.page_size;
	run->pass_bytes = balance_pass_bytes(p, n, run->highest_zoneidx,
					     run->priority, run->swappiness,
					     run->nr_boost_reclaim);
	/* A pass that may swap asks no more than the node lacks to the
	 * kernel's own high marks: that much the kernel's kswapd would
	 * reclaim, swapping as it judges; past it the node is where the
	 * kernel would not reclaim, and only page cache may go
	 * (BALANCE_SWAP_KERNEL_BALANCED). A whole step with swap allowed
	 * swapped up to 32 MiB a pass where the kernel alone swapped nothing
	 * (issue 14, VM proactive on 6.12, whose memory.reclaim cannot aim at
	 * a node). */
	if (run->swappiness != 0 && run->kernel_deficit_bytes)
		run->pass_bytes = MIN(run->pass_bytes,
				      MAX(run->kernel_deficit_bytes,
					  (uint64_t)BALANCE_CLUSTER_PAGES * p->wmark.page_size));
	/* The per-CPU free list of the zone short of its mark: what a pass
	 * frees on the writer's CPU goes there first, uncounted in "pages
	 * free", until the list holds its "high:" (on 6.18, three 8 MiB
	 * node-file writes in a row raised the zone's free pages by nothing
	 * and that list by 2048 pages each). The kernel's kswapd shrinks the
	 * lists of the zones it reclaims while it runs (ZONE_RECLAIM_ACTIVE);
	 * a writer cannot, so a pass asked the deficit alone came back with
	 * it unseen, and the run asked again, in halving passes, up to the
	 * same end: the list full and the zone at its mark. A page-cache pass
	 * asks the room too, one pass for several. Only a page-cache pass
	 * above the kernel's own marks: below them the kernel caps the lists
	 * itself (ZONE_BELOW_HIGH: at high_min:, ZONE_RECLAIM_ACTIVE: four
	 * batches), so the high: zoneinfo prints is no room, and a pass that
	 * may swap is bounded by the kernel's deficit (above). The room only
	 * from a full snapshot: the free-pages refresh between passes clears
	 * it, so a room a pass filled is not asked again. Whether the pass
	 * got enough (raise_priority) is judged without it. */
	run->pcp_room_bytes = 0;
	if (run->swappiness == 0 && run->kernel_deficit_bytes == 0) {
		run->pcp_room_bytes = balance_pcp_room_bytes(b, p, n, run, &run->pcp_seen_room_bytes);
		run->pcp_free_before = node_free_pages(n);
		run->pcp_measurable = true;
	}
	run->pass_bytes = u64_add_sat(run->pass_bytes, run->pcp_room_bytes);
	/* The room is part of the watermark job: a pass let ask the deficit
	 * alone would fill the list and leave "pages free" where it was. */
	if (run->wmark_deficit_bytes)
		run->wmark_deficit_bytes = u64_add_sat(run->wmark_deficit_bytes,
						       run->pcp_room_bytes);
	run->pass_start_reclaimed = run->nr_reclaimed;
	run->soft_reclaimed = 0;
	run->lowest_priority = MIN(run->lowest_priority, run->priority);
	b->counters.passes[run->priority]++;
	return true;
}

/* The tail of the do-while, after kswapd_shrink_node(). */
static void balance_end_pass(struct balance_node *b)
{
	struct balance_run *run = &b->run;
	uint64_t nr_reclaimed = run->nr_reclaimed - run->pass_start_reclaimed;
	uint64_t paid = MIN(run->nr_boost_reclaim, nr_reclaimed);

	run->boost_reclaimed += paid;
	run->nr_boost_reclaim -= paid;

	/* "If reclaim made no progress for a boost, stop reclaim as IO cannot
	 * be queued and it could be an infinite loop in extreme
	 * circumstances." */
	if (run->nr_boost_reclaim && !nr_reclaimed) {
		balance_leave(run, BALANCE_END_BOOST_NO_PROGRESS);
		return;
	}

	/* File pages first, until a file-only pass below the gentle
	 * priorities frees nothing: what page cache there is, is not ours to
	 * take (a protected cgroup's, or dirty), and anon may go from here on
	 * in this run. */
	if (!nr_reclaimed && (run->swap_reason == BALANCE_SWAP_FILE_COVERS ||
			      run->swap_reason == BALANCE_SWAP_GENTLE))
		run->file_stalled = true;

	/* Ahead of the kernel only page cache may go (swap_reason()). Each
	 * write already ran the kernel's own priority loop, so a file-only
	 * pass there that freed nothing is not helped by asking more at a
	 * lower priority: the run ends, instead of nine more empty writes,
	 * and counts no failure (balance_end_counts_failure()).
	 * A write that failed says nothing of the page cache: go on. */
	if (!nr_reclaimed && !run->pass_error &&
	    run->swap_reason == BALANCE_SWAP_KERNEL_BALANCED) {
		balance_leave(run, BALANCE_END_KERNEL_BALANCED);
		return;
	}

	/* "Raise priority if scanning rate is too low or there was no
	 * progress in reclaiming pages" */
	if (run->raise_priority || !nr_reclaimed)
		run->priority--;

	if (run->priority >= 1)
		run->phase = BALANCE_PHASE_CHECK;
	else
		balance_leave(run, BALANCE_END_PRIORITY_EXHAUSTED);
}

/* kswapd_shrink_node(): ask for the pass minus what the soft-target pass
 * already freed. If that left nothing to ask, the pass got what it wanted
 * ("no need to raise the scanning priority"). Returns true if a shrink is
 * to be issued. */
static bool balance_plan_node(struct balance_node *b,
			      const struct balance_params *p,
			      struct shrink_request *ret)
{
	struct balance_run *run = &b->run;
	uint64_t bytes = run->pass_bytes > run->soft_reclaimed
				 ? run->pass_bytes - run->soft_reclaimed
				 : 0;

	if (bytes == 0) {
		run->raise_priority = false;
		balance_end_pass(b);
		return false;
	}

	balance_fill(b, p, SHRINK_NODE, bytes, ret);
	/* The deficits were taken before the soft-target pass, which freed
	 * part of them (the rate quota and the system brake's cut go by
	 * them). */
	ret->kernel_deficit_bytes -= MIN(ret->kernel_deficit_bytes, run->soft_reclaimed);
	ret->wmark_deficit_bytes -= MIN(ret->wmark_deficit_bytes, run->soft_reclaimed);
	run->phase = BALANCE_PHASE_NODE;
	return true;
}

int balance_next(struct balance_node *b, const struct balance_params *p,
		 const struct node_zoneinfo *n, struct shrink_request *ret)
{
	struct balance_run *run = &b->run;

	for (;;) {
		switch (run->phase) {
		case BALANCE_PHASE_IDLE:
			return -EINVAL;
		case BALANCE_PHASE_SOFT:
		case BALANCE_PHASE_NODE:
			return -EBUSY;
		case BALANCE_PHASE_END:
			return 0;
		case BALANCE_PHASE_CHECK:
			if (!balance_check(b, p, n))
				return 0;
			if (p->soft_target) {
				/* "Call soft limit reclaim before calling
				 * shrink_node." */
				balance_fill(b, p, SHRINK_SOFT_TARGET,
					     run->pass_bytes, ret);
				run->phase = BALANCE_PHASE_SOFT;
				return 1;
			}
			run->phase = BALANCE_PHASE_NODE_PLAN;
			break;
		case BALANCE_PHASE_NODE_PLAN:
			if (balance_plan_node(b, p, ret))
				return 1;
			break;
		}
	}
}

void balance_account(struct balance_node *b, const struct balance_params *p,
		     const struct shrink_request *req,
		     const struct shrink_result *res)
{
	struct balance_run *run = &b->run;
	uint64_t got = res ? res->nr_reclaimed : 0, asked;

	if (run->phase != BALANCE_PHASE_SOFT && run->phase != BALANCE_PHASE_NODE)
		return;
	if (!res)
		b->counters.shrink_errors++;
	/* What says nothing of the page cache: a shrink or a write that
	 * failed, or one interrupted. */
	run->pass_error = !res || res->nr_errors || res->interrupted;
	if (res && res->node_file_short)
		run->node_file_short = true;
	/* What the per-CPU list share is measured on: the node file's pages
	 * alone (balance_pcp_observe()). */
	if (!res || (run->phase == BALANCE_PHASE_SOFT && got) ||
	    (run->phase == BALANCE_PHASE_NODE &&
	     (res->backend != TARGET_BACKEND_NODE_FILE || res->node_file_short)))
		run->pcp_measurable = false;
	if (res && res->braked && !res->nr_reclaimed && run->phase == BALANCE_PHASE_SOFT &&
	    run->kernel_deficit_bytes) {
		/* The brake stops the soft-target pass (proactive by nature)
		 * but cuts, not stops, a node pass below the kernel's own
		 * marks (actuator.c): go on to it. */
		run->soft_reclaimed = 0;
		run->phase = BALANCE_PHASE_NODE_PLAN;
		return;
	}
	/* The quota let the pass ask nothing (a boost's wait was cut by the
	 * node falling below our own high marks, with no tokens yet): no pass
	 * was made. Back to the top at the same priority, on a fresh
	 * snapshot: planned below the marks, the boost is dropped and the
	 * next pass, the watermark job, does not wait. */
	if (res && res->quota_limited && res->quota_granted_bytes == 0 && !res->nr_reclaimed &&
	    run->phase == BALANCE_PHASE_NODE) {
		run->phase = BALANCE_PHASE_CHECK;
		return;
	}
	if (res && res->braked && !res->nr_reclaimed) {
		/* Not a pass that failed: a pass that was not allowed. Like
		 * the rate quota it must wait, not escalate priority or count
		 * toward kswapd_failures. */
		balance_leave(run, BALANCE_END_BRAKED);
		return;
	}

	run->nr_reclaimed = u64_add_sat(run->nr_reclaimed, got);
	b->counters.reclaimed_bytes[run->priority] += got;
	b->counters.reclaimed_elsewhere_bytes += MIN(res ? res->nr_reclaimed_elsewhere : 0, got);
	/* shrink_node(): "if (reclaimable) pgdat->kswapd_failures = 0" */
	if (got)
		balance_clear_failures(b);

	/* Under the system brake a node pass below the kernel's own high
	 * marks goes on, no further than what the node lacks to them
	 * (actuator.c). Where that cut the pass short, it took all the
	 * kernel's kswapd owes the node now, and the run ends braked, with
	 * whatever the pass got: going on chased the allocations pass by pass,
	 * each cut to the deficit of the moment (one 1 s run of 416 writes of
	 * 100-200 KiB in the 6.18 application benchmark, beside the kernel's
	 * kswapd, awake there anyway). The wait that follows (kswapd.c)
	 * leaves what comes next to the kernel's kswapd. A pass the deficit
	 * did not shorten goes on as any, as the kernel's kswapd would. (No
	 * boost is owed here: a node short of the kernel's marks is short of
	 * ours, and balance_check() dropped it.) */
	if (res && res->brake_cut) {
		b->counters.brake_cut_passes++;
		if (req->kernel_deficit_bytes < req->nr_to_reclaim) {
			run->brake_cut = true;
			balance_leave(run, BALANCE_END_BRAKED);
			return;
		}
	}

	if (run->phase == BALANCE_PHASE_SOFT) {
		/* sc.nr_reclaimed += nr_soft_reclaimed */
		run->soft_reclaimed = got;
		b->counters.soft_reclaimed_bytes += got;
		run->phase = BALANCE_PHASE_NODE_PLAN;
		return;
	}

	/* "There should be no need to raise the scanning priority if enough
	 * pages are already being scanned that that high watermark would be
	 * met at 100% efficiency." memory.reclaim does not say how much it
	 * scanned: reclaimed >= asked is the userspace stand-in. What was
	 * asked is what the rate quota let the pass ask: a pass it cut short
	 * is not reclaim failing (no escalation, no swap opened for it). */
	asked = req->nr_to_reclaim > run->pcp_room_bytes ? req->nr_to_reclaim - run->pcp_room_bytes
							 : 0;
	if (res && res->quota_limited)
		asked = MIN(asked, res->quota_granted_bytes);
	if (got >= asked)
		run->raise_priority = false;
	/* A dry run wrote nothing, so the next pass would see the same
	 * snapshot and go on as if reclaim had failed: down every priority,
	 * planning writes (and swap, file_stalled) that a run whose writes
	 * worked would not reach, at twelve passes' cost. It shows the
	 * first pass, what a run would write first, and ends. */
	if (p->dry_run) {
		balance_leave(run, BALANCE_END_DRY_RUN);
		return;
	}
	balance_end_pass(b);
}

void balance_interrupt(struct balance_node *b)
{
	if (b->run.phase != BALANCE_PHASE_IDLE)
		balance_leave(&b->run, BALANCE_END_INTERRUPTED);
}

/* "If reclaim was boosted, account for the reclaim done in this pass". The
 * kernel clears every zone boost it saw at the start, even a dropped one
 * ("the zone watermarks will be still reset at the end of balancing") or one
 * that made no progress. We do the same for the ledger, except that a run
 * interrupted by pause or stop keeps what it still owes. */
static void balance_settle_boost(struct balance_node *b)
{
	struct balance_run *run = &b->run;
	uint64_t paid;

	if (!run->boosted)
		return;
	b->counters.boost_reclaimed_bytes += run->boost_reclaimed;
	if ((run->end_reason == BALANCE_END_INTERRUPTED ||
	     run->end_reason == BALANCE_END_BRAKED) &&
	    !run->boost_dropped)
		paid = run->boost_reclaimed;
	else
		paid = run->user_boost_bytes;
	b->boost_ledger_bytes -= MIN(b->boost_ledger_bytes, paid);
}

/* The do-while left without reaching "out": "if (!sc.nr_reclaimed)
 * pgdat->kswapd_failures++". A dry run attempted nothing, and a braked run
 * was not allowed to: neither is a failure. Nor is a kernel-balanced one:
 * above its own marks the kernel's kswapd would not have run at all, and a
 * failure there would make the node hopeless until it reached our marks,
 * ignoring it when it falls to the kernel's (where it may swap). */
static bool balance_end_counts_failure(const struct balance_run *run,
				       const struct balance_params *p)
{
	if (run->end_reason == BALANCE_END_BALANCED ||
	    run->end_reason == BALANCE_END_BRAKED ||
	    run->end_reason == BALANCE_END_KERNEL_BALANCED)
		return false;
	return !run->nr_reclaimed && !p->dry_run;
}

void balance_end(struct balance_node *b, const struct balance_params *p,
		 uint64_t now_usec, struct balance_result *ret)
{
	struct balance_run *run = &b->run;
	uint64_t duration;

	if (run->phase == BALANCE_PHASE_IDLE)
		return;
	if (run->phase != BALANCE_PHASE_END)
		balance_leave(run, BALANCE_END_INTERRUPTED);

	if (balance_end_counts_failure(run, p)) {
		b->kswapd_failures++;
		b->counters.failures++;
		if (b->kswapd_failures == MAX_RECLAIM_RETRIES)
			b->counters.hopeless++;
	}

	balance_settle_boost(b);
	if (run->end_reason == BALANCE_END_BRAKED)
		b->counters.braked++;

	duration = now_usec > run->start_usec ? now_usec - run->start_usec : 0;
	b->counters.last_run_usec = duration;
	b->counters.total_run_usec += duration;
	histogram_record(&b->counters.run_usec, duration);
	b->counters.runs_ended[run->end_reason]++;

	*ret = (struct balance_result){
		.reason = run->end_reason,
		.balanced = run->end_reason == BALANCE_END_BALANCED,
		.nr_reclaimed = run->nr_reclaimed,
		.boost_reclaimed = run->boost_reclaimed,
		.priority = run->lowest_priority,
		.failures = b->kswapd_failures,
		.hopeless = balance_node_hopeless(b),
		.braked = run->end_reason == BALANCE_END_BRAKED,
		.brake_cut = run->end_reason == BALANCE_END_BRAKED && run->brake_cut,
		.kernel_boost_paid = run->kernel_boost_bytes != 0,
		.duration_usec = duration,
	};
	run->phase = BALANCE_PHASE_IDLE;
}
