/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Offload: proactive reclaim of one cgroup towards its working set, steered
 * by its own memory.pressure, as Meta's TMO does with senpai. Pure: the
 * caller reads the cgroup's files and passes the clock in.
 *
 * senpai's published rule, every interval (6 s) per cgroup:
 *
 *	reclaim = memory.current * probe * max(0, 1 - stall / target)
 *
 * with stall the memory.pressure "some" total grown during the interval,
 * target 10 ms per 6 s and probe 1%. Ours is the same rule with the probe
 * and its cap in one setting (max_step: a share of memory.current or a size)
 * and these changes:
 *
 *  - Backoff. An interval whose stall reaches the target means the working
 *    set grew or reclaim ate into it: nothing is reclaimed for
 *    hold_intervals intervals, and any such interval during the hold
 *    restarts it. senpai resumes as soon as one interval is quiet, so a
 *    growing working set is probed again while it is still refaulting.
 *  - Refaults (memory.stat workingset_refault_anon + _file), which PSI
 *    misses where faulting back is quick (zram) or hidden (read-ahead),
 *    scale the step down too: times max(0, 1 - refaulted / full step). A
 *    full step's worth in one interval takes nothing that interval (state
 *    refaulting: the node loops leave the cgroup alone) but sets no hold:
 *    the refaults a step leaves behind trickle in for a minute, and a hold
 *    they restarted kept a cgroup from being trimmed for most of it
 *    (issue 18, the real-kernel benchmark's first round).
 *  - Swap-ins count as refaults do, the larger of the two: how far
 *    memory.swap.current fell between two judgements, at most as far as
 *    memory.current rose. With zram a swap-in frees its slot at once, and
 *    both are page counters, exact at any read, where the refault counters
 *    and PSI showed nothing for two intervals while 34 MiB came back from
 *    zram (VM offload-growth, 6.12). Swap freed otherwise (a task exiting,
 *    munmap) lowers memory.current too, or leaves it: the cap keeps that
 *    out. The baseline is taken again after each step of ours
 *    (offload_note_step()), so that its swap-out does not hide what comes
 *    back nor its reclaim the rise.
 *  - Slow start. After a hold the steps start at an eighth and double each
 *    interval that probes (OFFLOAD_RAMP_SHIFT): the set the hold protected
 *    may be all in use when it ends.
 *  - The kernel's overshoot (memory.reclaim taking more than asked) comes
 *    off the following steps (offload_note_reclaimed()).
 *  - Floor and Protect=. Never below the floor (max(memory.min, memory.low,
 *    Floor=)), nothing from a protected cgroup.
 *
 * The working-set estimate is the memory.current that pressure is met at:
 * an interval with stall, a backoff, or a full step's worth refaulted
 * (observe-only: 1% of memory.current, OFFLOAD_NOMINAL_STEP_PERMYRIAD)
 * raises it to memory.current at once
 * (stalling at this size, the cgroup needs at least this much) or lowers it
 * towards memory.current by a moving average (1/4 per interval); a quiet
 * interval only lowers it to memory.current, since a cgroup that shrank
 * without stalling needs no more.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* senpai's interval (6 s). */
#define OFFLOAD_INTERVAL_USEC_DEFAULT (UINT64_C(6) * 1000000)
/* Intervals without reclaim after a backoff: 3 x 6 s = 18 s, long enough
 * for memory.pressure to show what the last step cost (PSI totals are
 * updated every 2 s, PSI_FREQ) and for a working set that is growing to be
 * refaulted in before it is probed again. */
#define OFFLOAD_HOLD_INTERVALS_DEFAULT 3U
/* After a hold the steps start at 1/8 of the rule's and double each
 * interval that probes (1/8, 1/4, 1/2, then the rule's): the hold ended a
 * step that ate into the working set, and the set it found may still be
 * all in use. */
#define OFFLOAD_RAMP_SHIFT 3U
/* Moving average weight of the working-set estimate: 1/4 per interval. */
#define OFFLOAD_WSS_SHIFT 2
/* The step refaults are weighed against where OffloadMaxStep=0 (observe
 * only) takes none: the default OffloadMaxStep=, 1% of memory.current. */
#define OFFLOAD_NOMINAL_STEP_PERMYRIAD 100U

struct offload_params {
	uint64_t interval_usec;       /* how often a cgroup is judged */
	uint64_t target_usec;         /* stall allowed per interval */
	uint64_t max_step_permyriad;  /* step at zero stall, of memory.current ... */
	uint64_t max_step_bytes;      /* ... or this size when permyriad is 0 */
	unsigned hold_intervals;      /* 0 = OFFLOAD_HOLD_INTERVALS_DEFAULT */
	uint64_t page_bytes;          /* size of the refault counters' unit */
};

/* One interval's reads of the cgroup. */
struct offload_input {
	uint64_t now_usec;
	uint64_t stall_total_usec;    /* memory.pressure some total */
	uint64_t refault_total_pages; /* workingset_refault_anon + _file */
	uint64_t swap_bytes;          /* memory.swap.current ... */
	bool has_swap;                /* ... where it was read (swap accounting) */
	uint64_t current_bytes;       /* memory.current */
	uint64_t floor_bytes;         /* max(memory.min, memory.low, Floor=) */
	bool protect;                 /* Protect= */
};

enum offload_state_kind {
	OFFLOAD_PROBING,  /* reclaiming, stall below the target */
	OFFLOAD_BACKOFF,  /* stall: holding off */
	OFFLOAD_FLOOR,    /* at the floor, or protected: nothing to take */
	OFFLOAD_REFAULTING, /* a full step refaulted: the set grew back; held */
	OFFLOAD_PAUSED,   /* shown only (offload_shown_kind()): a node it has
			   * memory on is paused; kind keeps the controller's */
	_OFFLOAD_STATE_MAX,
};

const char *offload_state_to_string(enum offload_state_kind k); /* "probing" */

struct offload_state {
	bool started;
	uint64_t last_usec;
	uint64_t last_stall_total_usec;
	uint64_t last_refault_total_pages;
	uint64_t last_swap_bytes;
	bool last_has_swap;
	uint64_t last_current_bytes;
	uint64_t last_step_bytes;     /* decided at the last interval */
	uint64_t scale_permyriad;     /* ... as a share of the full step */
	unsigned hold;                /* intervals of backoff left */
	unsigned ramp;                /* the next probing step is the rule's >> ramp */
	uint64_t excess_bytes;        /* reclaimed beyond what was asked, not yet
				       * taken off a later step */
	enum offload_state_kind kind;
	uint64_t wss_bytes;           /* working-set estimate; 0 = none yet */
	uint64_t stall_usec;          /* last interval's stall, per interval */
	uint64_t refault_bytes;       /* last interval's refaults */
	uint64_t swapin_bytes;        /* last interval's swap-ins: the fall of
				       * memory.swap.current, at most the rise
				       * of memory.current */
	uint64_t nr_backoffs;         /* stall backoffs (refaulting is not one) */
	uint64_t nr_refaulting;       /* intervals entered refaulting from another state */
	bool paused;                  /* offload_pause() at the last judgement */
	uint64_t paused_nodes;        /* ... for these nodes (bit = node id) */
};

/* Is an interval over since the last judgement (or none made yet)? */
bool offload_due(const struct offload_state *s, const struct offload_params *p,
		 uint64_t now_usec);

/*
 * Judge one interval: the bytes to reclaim now (0 on the first sample, in
 * backoff, at the floor, for a protected cgroup). Updates s (state, hold,
 * estimate). A total that went backwards (a cgroup re-created under the
 * same name) restarts the controller.
 */
uint64_t offload_update(struct offload_state *s, const struct offload_params *p,
			const struct offload_input *in);

/*
 * After a step was written: memory.swap.current (has_swap: it was read)
 * and memory.current read again, the baseline of the next judgement's
 * swap-ins. Nothing else changes.
 */
void offload_note_step(struct offload_state *s, uint64_t swap_bytes, bool has_swap,
		       uint64_t current_bytes);

/*
 * After a step was written: what was asked and what the kernel reclaimed.
 * memory.reclaim can take more than asked (6.18 with MGLRU: 16 MiB for a
 * 6.4 MiB step in VM offload-growth); the excess comes off the following
 * steps, so that over time no more is taken than the rule allows
 * (OffloadMaxStep= per interval), a hold included: on 6.18 the kernel took
 * 16 MiB for the 0.8 MiB first step after a hold as for a 6.4 MiB one
 * (4096 pages: MGLRU's largest batch). A shortfall is not made up.
 */
void offload_note_reclaimed(struct offload_state *s, uint64_t requested, uint64_t reclaimed);

/*
 * Paused= and offload. memory.reclaim on a cgroup is not node-bound: it
 * takes from every node the cgroup has pages on, so a write cannot spare a
 * paused node. A cgroup's offload therefore pauses while any node it has
 * memory on (memory.numa_stat file_N + anon_N, memory_nodes: bit = node id)
 * is paused (paused_nodes: [Node N] Paused=yes, or every node while the
 * daemon is paused). memory_nodes 0 means "not known" (numa_stat unread
 * or empty): then any paused node pauses it, the safe side.
 */
bool offload_paused_by(uint64_t memory_nodes, uint64_t paused_nodes);

/*
 * A judgement skipped for a pause: the interval's totals become the new
 * baseline (the next interval is measured from here, with no step of ours
 * in it), the state is marked paused (paused_nodes: the paused nodes it has
 * memory on), and kind, hold, estimate and counters are kept: a cgroup
 * that was backing off still is after the pause. Nothing is reclaimed.
 */
void offload_pause(struct offload_state *s, const struct offload_input *in,
		   uint64_t paused_nodes);

/* The state to show (cgroups reply, offload events): OFFLOAD_PAUSED while
 * paused, else kind. */
/* Pause or resume the state as it stands, between judgements: a pause
 * that came while a pass waited for the quota, or the shown state
 * following pause and resume at once (the next judgement would only come
 * an OffloadInterval= later). The controller's baseline is left alone. */
void offload_set_paused(struct offload_state *s, bool paused, uint64_t paused_nodes);

enum offload_state_kind offload_shown_kind(const struct offload_state *s);

/* Whether a change of shown state is reported (watch event, log line):
 * into or out of backoff or a pause; probing <-> floor is not news. */
bool offload_change_is_news(enum offload_state_kind from, enum offload_state_kind to);

/*
 * Which node an offload write's reclaim came from (issue 18: the node's
 * pacing counts every write of ours). memory.reclaim reports no node, and a
 * second numa_stat read after each write would cost a memcg stat flush, so
 * the measured total is spread by the cgroup's node-local LRU pages as read
 * just before the write (numa_stat: file_N, plus anon_N when the write
 * allowed swap), as the kernel's reclaim of a memcg walks its per-node
 * lruvecs in proportion to their size. Adds to ret[i] (n nodes); rounding
 * goes to the node with the most; with no node-local pages known nothing
 * is attributed. Returns the bytes attributed.
 */
uint64_t offload_attribute(uint64_t reclaimed_bytes, const uint64_t *file_bytes,
			   const uint64_t *anon_bytes, size_t n, bool anon, uint64_t *ret);

/* offload_slack_permyriad()'s full scale: a stall of nothing. */
#define OFFLOAD_SLACK_PERMYRIAD_MAX 10000U

/*
 * How far below its stall target the cgroup's last judged interval was
 * (issue 18: "a node deficit prefers cgroups whose pressure is far below
 * target"), in 1/10000: the share of a full step the rule took,
 * 10000 x (1 - stall / target) x (1 - refaulted / full step). 0 unless
 * that interval took a step: not before the first judgement, in backoff
 * (and its hold), refaulting, at the floor or
 * protected, observe-only, or paused (until judged again). A node pass
 * scales the cgroup's Weight= by 1 + slack (target_candidate.slack_permyriad).
 * Judged once an interval: the node's own takings since then show up as
 * stall in the next one.
 */
unsigned offload_slack_permyriad(const struct offload_state *s, const struct offload_params *p);

/* In backoff, or refaulting (the node loops leave such a cgroup alone). */
static inline bool offload_backing_off(const struct offload_state *s)
{
	return s->started && (s->kind == OFFLOAD_BACKOFF || s->kind == OFFLOAD_REFAULTING);
}
