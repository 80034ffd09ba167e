/* SPDX-License-Identifier: GPL-2.0-only */

#include "macro.h"
#include "offload.h"

#define PERMYRIAD UINT64_C(10000)

static const char *const offload_state_table[_OFFLOAD_STATE_MAX] = {
	[OFFLOAD_PROBING] = "probing",
	[OFFLOAD_BACKOFF] = "backoff",
	[OFFLOAD_FLOOR] = "floor",
	[OFFLOAD_PAUSED] = "paused",
	[OFFLOAD_REFAULTING] = "refaulting",
};

DEFINE_STRING_TABLE_TO_STRING(, offload_state, enum offload_state_kind, _OFFLOAD_STATE_MAX)

bool offload_due(const struct offload_state *s, const struct offload_params *p,
		 uint64_t now_usec)
{
	return !s->started || now_usec < s->last_usec ||
	       now_usec - s->last_usec >= p->interval_usec;
}

/* The step at zero stall: a share of memory.current (senpai's probe), or
 * a size. */
static uint64_t offload_full_step(const struct offload_params *p, uint64_t current_bytes)
{
	if (p->max_step_permyriad)
		return (uint64_t)((unsigned __int128)current_bytes * p->max_step_permyriad /
				  PERMYRIAD);
	return p->max_step_bytes;
}

/* A counter grown over elapsed, scaled to one interval. */
static uint64_t per_interval(uint64_t grown, uint64_t elapsed_usec, uint64_t interval_usec)
{
	if (elapsed_usec == 0)
		return grown;
	return (uint64_t)((unsigned __int128)grown * interval_usec / elapsed_usec);
}

/* senpai: full_step * max(0, 1 - stall / target); and the refaults: times
 * max(0, 1 - refaulted / full_step). Of unit (the full step, or
 * PERMYRIAD for the share of it). */
static uint64_t offload_scaled(const struct offload_params *p, uint64_t full_step,
			       uint64_t stall_usec, uint64_t refault_bytes, uint64_t unit)
{
	unsigned __int128 v;

	if (p->target_usec == 0 || stall_usec >= p->target_usec || refault_bytes >= full_step)
		return 0;
	v = (unsigned __int128)unit * (p->target_usec - stall_usec) / p->target_usec;
	return (uint64_t)(v * (full_step - refault_bytes) / full_step);
}

static void offload_estimate(struct offload_state *s, uint64_t current_bytes, bool felt)
{
	if (s->wss_bytes == 0) {
		s->wss_bytes = current_bytes;
		return;
	}
	if (felt) {
		/* Stalling at this size: the working set is at least this
		 * big, at once; a stall further down lowers it slowly. */
		if (current_bytes >= s->wss_bytes)
			s->wss_bytes = current_bytes;
		else
			s->wss_bytes -= (s->wss_bytes - current_bytes) >> OFFLOAD_WSS_SHIFT;
		return;
	}
	s->wss_bytes = MIN(s->wss_bytes, current_bytes);
}

static void offload_restart(struct offload_state *s, const struct offload_input *in)
{
	uint64_t nr_backoffs = s->nr_backoffs, nr_refaulting = s->nr_refaulting;

	*s = (struct offload_state){
		.started = true,
		.last_usec = in->now_usec,
		.last_stall_total_usec = in->stall_total_usec,
		.last_refault_total_pages = in->refault_total_pages,
		.last_swap_bytes = in->swap_bytes,
		.last_has_swap = in->has_swap,
		.last_current_bytes = in->current_bytes,
		.kind = OFFLOAD_PROBING,
		.nr_backoffs = nr_backoffs,
		.nr_refaulting = nr_refaulting,
	};
}

/* No baseline yet, or a clock or a total that went backwards (a cgroup
 * re-created under the same name). */
static bool offload_needs_restart(const struct offload_state *s, const struct offload_input *in)
{
	return !s->started || in->now_usec < s->last_usec ||
	       in->stall_total_usec < s->last_stall_total_usec ||
	       in->refault_total_pages < s->last_refault_total_pages;
}

/* Nothing for hold intervals, then a slow start (OFFLOAD_RAMP_SHIFT). What
 * is owed stays owed: the hold made up for the steps it withheld, not for
 * what the kernel took beyond them. */
static void offload_hold(struct offload_state *s, unsigned hold)
{
	s->scale_permyriad = 0;
	s->hold = hold;
	s->ramp = OFFLOAD_RAMP_SHIFT;
}

uint64_t offload_update(struct offload_state *s, const struct offload_params *p,
			const struct offload_input *in)
{
	unsigned hold = p->hold_intervals ? p->hold_intervals : OFFLOAD_HOLD_INTERVALS_DEFAULT;
	uint64_t elapsed, full_step, yardstick, room, step, back, pay;
	bool refaulting;

	if (offload_needs_restart(s, in)) {
		offload_restart(s, in);
		return 0;
	}
	s->paused = false;
	s->paused_nodes = 0;
	elapsed = in->now_usec - s->last_usec;
	s->stall_usec = per_interval(in->stall_total_usec - s->last_stall_total_usec, elapsed,
				     p->interval_usec);
	s->refault_bytes = per_interval((in->refault_total_pages - s->last_refault_total_pages) *
					(p->page_bytes ? p->page_bytes : 4096),
					elapsed, p->interval_usec);
	s->swapin_bytes = 0;
	if (in->has_swap && s->last_has_swap && in->swap_bytes < s->last_swap_bytes &&
	    in->current_bytes > s->last_current_bytes)
		s->swapin_bytes = per_interval(MIN(s->last_swap_bytes - in->swap_bytes,
						   in->current_bytes - s->last_current_bytes),
					       elapsed, p->interval_usec);
	/* What came back: refaults and swap-ins overlap (an anon refault
	 * is a swap-in), so the larger. */
	back = MAX(s->refault_bytes, s->swapin_bytes);
	s->last_usec = in->now_usec;
	s->last_stall_total_usec = in->stall_total_usec;
	s->last_refault_total_pages = in->refault_total_pages;
	s->last_swap_bytes = in->swap_bytes;
	s->last_has_swap = in->has_swap;
	s->last_current_bytes = in->current_bytes;

	full_step = offload_full_step(p, in->current_bytes);
	/* Stall at the target: the last step ate into the working set, or
	 * the working set grows. Hold off, and every such interval during
	 * the hold restarts it. */
	if (s->stall_usec >= p->target_usec) {
		if (s->kind != OFFLOAD_BACKOFF)
			s->nr_backoffs++;
		s->kind = OFFLOAD_BACKOFF;
		offload_hold(s, hold);
		offload_estimate(s, in->current_bytes, /* felt= */ true);
		return s->last_step_bytes = 0;
	}
	/* Observe-only (no step) weighs refaults against the nominal step,
	 * so that they still keep the estimate up and the node passes off. */
	yardstick = full_step ? full_step :
		    (uint64_t)((unsigned __int128)in->current_bytes * OFFLOAD_NOMINAL_STEP_PERMYRIAD /
			       PERMYRIAD);
	refaulting = yardstick && back >= yardstick;
	offload_estimate(s, in->current_bytes, /* felt= */ s->stall_usec > 0 || refaulting);
	room = in->current_bytes > in->floor_bytes ? in->current_bytes - in->floor_bytes : 0;
	/* A full step's worth refaulted or swapped in without the stall
	 * (zram is quick to fault from, read-ahead hides file refaults):
	 * the working set grew back. Release it as a stall would: nothing for the hold, and
	 * every such interval restarts it (a backoff stays one). The first
	 * version set no hold, and took the set again the next interval: in
	 * VM scenario offload-growth on 6.18 a 6.6 MiB step reclaimed 24 MiB
	 * of a 48 MiB set that had just come back. A trickle below a full step
	 * only scales the next step down (offload_scaled()). */
	if (refaulting && !in->protect && room > 0) {
		if (s->kind != OFFLOAD_BACKOFF) {
			if (s->kind != OFFLOAD_REFAULTING)
				s->nr_refaulting++;
			s->kind = OFFLOAD_REFAULTING;
		}
		offload_hold(s, hold);
		return s->last_step_bytes = 0;
	}
	if (s->hold > 0) {
		s->hold--;
		return s->last_step_bytes = 0;
	}
	s->scale_permyriad = offload_scaled(p, full_step, s->stall_usec, back, PERMYRIAD);
	if (in->protect || room == 0) {
		s->kind = OFFLOAD_FLOOR;
		return s->last_step_bytes = 0;
	}
	/* What is owed is paid at the rate of unramped steps, and the ramp
	 * moves with the steps written only: after a hold the first step
	 * that writes is an eighth, even when the kernel's excess ate the
	 * first intervals' (the fresh-clone CI of stop 26, VM offload-growth
	 * on 6.18: three intervals paid 14 MiB owed, and the first write
	 * after the hold was a full 5.9 MiB). */
	step = MIN(offload_scaled(p, full_step, s->stall_usec, back, full_step), room);
	pay = MIN(step, s->excess_bytes);
	step -= pay;
	s->excess_bytes -= pay;
	step >>= s->ramp;
	if (step > 0 && s->ramp > 0)
		s->ramp--;
	s->kind = OFFLOAD_PROBING;
	return s->last_step_bytes = step;
}

void offload_note_step(struct offload_state *s, uint64_t swap_bytes, bool has_swap,
		       uint64_t current_bytes)
{
	if (!s->started)
		return;
	s->last_swap_bytes = swap_bytes;
	s->last_has_swap = has_swap;
	s->last_current_bytes = current_bytes;
}

void offload_note_reclaimed(struct offload_state *s, uint64_t requested, uint64_t reclaimed)
{
	if (!s->started || reclaimed <= requested)
		return;
	s->excess_bytes += reclaimed - requested;
}

unsigned offload_slack_permyriad(const struct offload_state *s, const struct offload_params *p)
{
	if (!s->started || s->paused || s->kind != OFFLOAD_PROBING || s->last_step_bytes == 0 ||
	    p->target_usec == 0)
		return 0;
	return (unsigned)MIN(s->scale_permyriad, (uint64_t)OFFLOAD_SLACK_PERMYRIAD_MAX);
}

bool offload_paused_by(uint64_t memory_nodes, uint64_t paused_nodes)
{
	if (paused_nodes == 0)
		return false;
	return memory_nodes == 0 || (memory_nodes & paused_nodes) != 0;
}

void offload_pause(struct offload_state *s, const struct offload_input *in,
		   uint64_t paused_nodes)
{
	if (offload_needs_restart(s, in))
		offload_restart(s, in);
	s->last_usec = in->now_usec;
	s->last_stall_total_usec = in->stall_total_usec;
	s->last_refault_total_pages = in->refault_total_pages;
	s->last_swap_bytes = in->swap_bytes;
	s->last_has_swap = in->has_swap;
	s->last_current_bytes = in->current_bytes;
	s->last_step_bytes = 0;
	s->paused = true;
	s->paused_nodes = paused_nodes;
}

void offload_set_paused(struct offload_state *s, bool paused, uint64_t paused_nodes)
{
	s->paused = paused;
	s->paused_nodes = paused ? paused_nodes : 0;
	if (paused)
		s->last_step_bytes = 0;
}

enum offload_state_kind offload_shown_kind(const struct offload_state *s)
{
	return s->paused ? OFFLOAD_PAUSED : s->kind;
}

bool offload_change_is_news(enum offload_state_kind from, enum offload_state_kind to)
{
	return from != to && (from == OFFLOAD_BACKOFF || to == OFFLOAD_BACKOFF ||
			      from == OFFLOAD_PAUSED || to == OFFLOAD_PAUSED);
}

static uint64_t node_pages_of(const uint64_t *file_bytes, const uint64_t *anon_bytes, size_t i,
			      bool anon)
{
	uint64_t v = file_bytes[i];

	if (anon)
		v = v > UINT64_MAX - anon_bytes[i] ? UINT64_MAX : v + anon_bytes[i];
	return v;
}

uint64_t offload_attribute(uint64_t reclaimed_bytes, const uint64_t *file_bytes,
			   const uint64_t *anon_bytes, size_t n, bool anon, uint64_t *ret)
{
	unsigned __int128 total = 0;
	uint64_t given = 0, most = 0;
	size_t top = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t v = node_pages_of(file_bytes, anon_bytes, i, anon);

		total += v;
		if (v > most) {
			most = v;
			top = i;
		}
	}
	if (total == 0 || reclaimed_bytes == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t share = (uint64_t)((unsigned __int128)reclaimed_bytes *
					    node_pages_of(file_bytes, anon_bytes, i, anon) / total);

		ret[i] += share;
		given += share;
	}
	ret[top] += reclaimed_bytes - given;
	return reclaimed_bytes;
}
