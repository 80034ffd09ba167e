/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Brakes, pure (the clock is passed in):
 *
 * - A pressure brake: a PSI "total" counter (memory.pressure some for a
 *   cgroup, /proc/pressure/memory full for the system) that grew by more than
 *   limit_usec within window_usec means reclaim is eating a working set: the
 *   brake engages and stays on until one whole window passes with growth at or
 *   below the limit. PSI averages lag by about 2 s, so totals are compared.
 *   A stall alone does not say who causes it: reclaim's own work (kswapd's
 *   runs and ours are memory stalls too), a burst of allocations, or pages
 *   reclaimed pages coming back. With evidence_min the brake also asks a
 *   second counter (the system brake: workingset_refault, pages read back
 *   in after reclaim evicted them) to grow by that much in the same
 *   window, and with evidence_permille by at least that share of a third
 *   counter's growth (pages reclaimed): a trickle of refaults beside a
 *   stream of reclaim is reclaim doing well, not thrashing. A window
 *   without it is calm.
 *
 * - A rate quota: a token bucket in bytes, like DAMON_RECLAIM's quota_sz over
 *   quota_reset_interval_ms, capping how fast a node thread reclaims.
 */

#include <stdbool.h>
#include <stdint.h>

struct brake_params {
	uint64_t window_usec;  /* 0 disables the brake */
	uint64_t limit_usec;   /* stall time allowed to accrue per window */
	uint64_t evidence_min; /* 0: the stall alone decides; else the
				* evidence counter must grow by this much in
				* the window too */
	unsigned evidence_permille; /* 0: no ratio; else the evidence must
				     * also be this share of the base
				     * counter's growth */
};

/* An evidence counter the kernel does not have: the stall alone decides. */
#define BRAKE_EVIDENCE_UNKNOWN UINT64_MAX

struct brake {
	uint64_t window_start_usec;
	uint64_t window_start_total_usec;
	uint64_t window_start_evidence;
	uint64_t window_start_base;
	bool started;
	bool engaged;
	uint64_t nr_engaged; /* times it went on, for status */
	/* The stall and the span it grew in, of the sample that last found
	 * the limit exceeded: what a report of the brake going on says,
	 * whichever caller's sample engaged it (the window restarts then). */
	uint64_t engaged_stall_usec, engaged_span_usec;
};

/*
 * Feed one sample; returns true when the brake is on (skip reclaim).
 * A total that went backwards (a cgroup removed and re-created under the
 * same name) restarts the window. brake_update() has no evidence counter
 * (p->evidence_min is not asked).
 */
bool brake_update(struct brake *b, const struct brake_params *p, uint64_t total_usec,
		  uint64_t now_usec);
/* Whether the next brake_update_evidence() with this total at now_usec will
 * look at the evidence: a window that starts, or a stall over the limit.
 * Between those the caller may pass BRAKE_EVIDENCE_UNKNOWN and not read it
 * (a read of /proc/vmstat per reclaim pass costs more than the pass's
 * other reads together). */
bool brake_wants_evidence(const struct brake *b, const struct brake_params *p,
			  uint64_t total_usec, uint64_t now_usec);
/* The same with the evidence counter's cumulative value and the base
 * counter's (either may be BRAKE_EVIDENCE_UNKNOWN; an unknown base skips
 * the ratio). An evidence counter below the window's start
 * counts as no growth. A sample more than a window after the window
 * started (the caller was quiet) is judged against both limits scaled to
 * the time that passed. A limit of a whole window (100%) turns the brake
 * off. */
bool brake_update_evidence(struct brake *b, const struct brake_params *p, uint64_t total_usec,
			   uint64_t evidence, uint64_t base, uint64_t now_usec);

struct brake_quota {
	uint64_t rate_bytes_per_sec; /* 0 = unlimited */
	uint64_t burst_bytes;        /* bucket size; 0 = one second's worth */
	uint64_t tokens_bytes;
	uint64_t debt_bytes;         /* charged beyond the tokens: repaid first */
	uint64_t last_usec;
	bool started;
};

void brake_quota_init(struct brake_quota *q, uint64_t rate_bytes_per_sec,
		      uint64_t burst_bytes);
/* How many of want_bytes may be reclaimed now (refills first). */
uint64_t brake_quota_available(struct brake_quota *q, uint64_t want_bytes,
			       uint64_t now_usec);
/*
 * Charge what the kernel actually reclaimed (memory.reclaim overshoots the
 * request on 6.1): what the tokens do not cover is a debt that refills repay
 * before any token is available again.
 */
void brake_quota_charge(struct brake_quota *q, uint64_t bytes);
/* Bytes that must still be refilled before want_bytes are available (0 when
 * they are, or when the quota is unlimited); after brake_quota_available(). */
uint64_t brake_quota_shortfall(const struct brake_quota *q, uint64_t want_bytes);

/*
 * A PSI trigger ("some|full STALL WINDOW", the kernel's psi_trigger) emulated
 * by polling totals where the kernel refuses a trigger (this host's
 * /proc/pressure/memory answers EINVAL) or on a fixture tree: it fires when
 * the stall time grown since the last judged sample reaches
 * p->limit_usec per p->window_usec, scaled to the time that passed
 * (grown * window >= stall * elapsed, and grown > 0). A sample less than a
 * quarter window after the last judged one is too short to judge (one
 * stalled tick would read as a storm) and leaves the last sample in place. The first sample, and a total that went backwards,
 * only start the count.
 */
struct brake_poll {
	uint64_t last_total_usec;
	uint64_t last_usec;
	bool started;
};

bool brake_poll_update(struct brake_poll *s, const struct brake_params *p,
		       uint64_t total_usec, uint64_t now_usec);

/*
 * A kernel PSI trigger's event, checked against the stall totals. The kernel
 * starts a new trigger's window at the poll aggregator's total, which is not
 * kept up to date while no trigger polls; the first poll then adds every
 * stall since the last one (since boot, the first time) to the window, and
 * the trigger fires on an idle system right after it is armed. An event is
 * taken when the stall since the arming, or since the last event taken, has
 * reached half the threshold (half: the total read in the handler comes a
 * little after the kernel's). The kernel fires at most once a window, so
 * the window of every later event starts after the last one: a real event
 * always passes.
 */
struct psi_event_check {
	uint64_t total_usec; /* at the arming or the last event taken */
	bool armed;
};

void psi_event_check_arm(struct psi_event_check *c, uint64_t total_usec);
/* Whether to act on an event (records its total if so). */
bool psi_event_check(struct psi_event_check *c, uint64_t threshold_usec, uint64_t total_usec);
