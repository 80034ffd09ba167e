/* SPDX-License-Identifier: GPL-2.0-only */

#include "brake.h"
#include "macro.h"

#define USEC_PER_SEC_ UINT64_C(1000000)

static uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void brake_restart(struct brake *b, uint64_t total_usec, uint64_t evidence,
			  uint64_t base, uint64_t now_usec)
{
	b->window_start_usec = now_usec;
	b->window_start_total_usec = total_usec;
	/* An unknown value does not replace a known baseline: a caller that
	 * did not read the counter (brake_wants_evidence() said no, and
	 * another thread moved the window meanwhile) would otherwise open the
	 * gate for a whole window. An older baseline only makes the brake
	 * easier to engage. */
	if (evidence != BRAKE_EVIDENCE_UNKNOWN || !b->started) {
		b->window_start_evidence = evidence;
		b->window_start_base = base;
	}
	b->started = true;
}

/* A limit of a whole window (100%) is off: a stall cannot exceed it. */
static bool brake_off(const struct brake_params *p)
{
	return p->window_usec == 0 || p->limit_usec >= p->window_usec;
}

/* grown per span over limit per window (strictly, or at least): past one
 * window (a sample after a quiet gap) the limit is scaled to the time that
 * passed, so a minute's trickle is not judged as one window's. In 128
 * bits: a day times a minute's window is past UINT64_MAX in µs². */
static bool brake_exceeds(uint64_t grown, uint64_t limit, uint64_t window, uint64_t span,
			  bool or_equal)
{
	unsigned __int128 g = (unsigned __int128)grown * window;
	unsigned __int128 l = (unsigned __int128)limit * MAX(span, window);

	return or_equal ? g >= l : g > l;
}

/* Whether the window's evidence lets a stall over the limit count. A
 * counter that went backwards counts no growth (a value read before
 * another thread restarted the window). Without a baseline (a kernel
 * without the counter) the stall alone decides; with one, a value not
 * read (the caller was told it was not needed, and the window moved
 * meanwhile, or the read failed) is no evidence: the next pass reads. */
static bool brake_evidence(const struct brake *b, const struct brake_params *p,
			   uint64_t evidence, uint64_t base, uint64_t elapsed)
{
	uint64_t grown;

	if (p->evidence_min == 0 || b->window_start_evidence == BRAKE_EVIDENCE_UNKNOWN)
		return true;
	if (evidence == BRAKE_EVIDENCE_UNKNOWN || evidence < b->window_start_evidence)
		return false;
	grown = evidence - b->window_start_evidence;
	if (!brake_exceeds(grown, p->evidence_min, p->window_usec, elapsed, true))
		return false;
	/* The share of what was reclaimed in the window that came back. */
	if (p->evidence_permille == 0 || base == BRAKE_EVIDENCE_UNKNOWN ||
	    b->window_start_base == BRAKE_EVIDENCE_UNKNOWN || base < b->window_start_base)
		return true;
	return (unsigned __int128)grown * 1000 >=
	       (unsigned __int128)(base - b->window_start_base) * p->evidence_permille;
}

bool brake_wants_evidence(const struct brake *b, const struct brake_params *p,
			  uint64_t total_usec, uint64_t now_usec)
{
	if (brake_off(p) || p->evidence_min == 0)
		return false;
	if (!b->started || total_usec < b->window_start_total_usec ||
	    now_usec < b->window_start_usec)
		return true;
	return now_usec - b->window_start_usec >= p->window_usec ||
	       brake_exceeds(total_usec - b->window_start_total_usec, p->limit_usec,
			     p->window_usec, now_usec - b->window_start_usec, false);
}

bool brake_update_evidence(struct brake *b, const struct brake_params *p, uint64_t total_usec,
			   uint64_t evidence, uint64_t base, uint64_t now_usec)
{
	uint64_t grown, elapsed;

	if (brake_off(p)) {
		b->engaged = false;
		return false;
	}
	if (!b->started || total_usec < b->window_start_total_usec ||
	    now_usec < b->window_start_usec) {
		brake_restart(b, total_usec, evidence, base, now_usec);
		return b->engaged;
	}
	grown = total_usec - b->window_start_total_usec;
	elapsed = now_usec - b->window_start_usec;
	if (brake_exceeds(grown, p->limit_usec, p->window_usec, elapsed, false) &&
	    brake_evidence(b, p, evidence, base, elapsed)) {
		/* Engage at once, mid-window: the workload is stalling now. */
		if (!b->engaged)
			b->nr_engaged++;
		b->engaged = true;
		b->engaged_stall_usec = grown;
		b->engaged_span_usec = elapsed;
		brake_restart(b, total_usec, evidence, base, now_usec);
		return true;
	}
	if (elapsed >= p->window_usec) {
		/* A whole window at or below the limit, or without the
		 * evidence: calm again. */
		b->engaged = false;
		brake_restart(b, total_usec, evidence, base, now_usec);
	}
	return b->engaged;
}

bool brake_update(struct brake *b, const struct brake_params *p, uint64_t total_usec,
		  uint64_t now_usec)
{
	struct brake_params q = *p;

	q.evidence_min = 0;
	return brake_update_evidence(b, &q, total_usec, BRAKE_EVIDENCE_UNKNOWN,
				     BRAKE_EVIDENCE_UNKNOWN, now_usec);
}

void brake_quota_init(struct brake_quota *q, uint64_t rate_bytes_per_sec,
		      uint64_t burst_bytes)
{
	*q = (struct brake_quota){
		.rate_bytes_per_sec = rate_bytes_per_sec,
		.burst_bytes = burst_bytes ? burst_bytes : rate_bytes_per_sec,
	};
	q->tokens_bytes = q->burst_bytes;
}

static void brake_quota_refill(struct brake_quota *q, uint64_t now_usec)
{
	unsigned __int128 add;

	if (!q->started || now_usec < q->last_usec) {
		q->started = true;
		q->last_usec = now_usec;
		return;
	}
	add = (unsigned __int128)(now_usec - q->last_usec) * q->rate_bytes_per_sec /
	      USEC_PER_SEC_;
	if (add == 0)
		return; /* keep last_usec so sub-byte refills accumulate */
	if (add <= q->debt_bytes) {
		q->debt_bytes -= (uint64_t)add;
		add = 0;
	} else {
		add -= q->debt_bytes;
		q->debt_bytes = 0;
	}
	q->tokens_bytes = (uint64_t)MIN((unsigned __int128)q->tokens_bytes + add,
					(unsigned __int128)q->burst_bytes);
	q->last_usec = now_usec;
}

uint64_t brake_quota_available(struct brake_quota *q, uint64_t want_bytes,
			       uint64_t now_usec)
{
	if (q->rate_bytes_per_sec == 0)
		return want_bytes;
	brake_quota_refill(q, now_usec);
	return MIN(want_bytes, q->tokens_bytes);
}

void brake_quota_charge(struct brake_quota *q, uint64_t bytes)
{
	if (q->rate_bytes_per_sec == 0)
		return;
	if (bytes > q->tokens_bytes)
		q->debt_bytes = sat_add_u64(q->debt_bytes, bytes - q->tokens_bytes);
	q->tokens_bytes -= MIN(bytes, q->tokens_bytes);
}

uint64_t brake_quota_shortfall(const struct brake_quota *q, uint64_t want_bytes)
{
	if (q->rate_bytes_per_sec == 0 || q->tokens_bytes >= want_bytes)
		return 0;
	return sat_add_u64(want_bytes - q->tokens_bytes, q->debt_bytes);
}

bool brake_poll_update(struct brake_poll *s, const struct brake_params *p,
		       uint64_t total_usec, uint64_t now_usec)
{
	uint64_t grown, elapsed;

	if (!s->started || total_usec < s->last_total_usec || now_usec < s->last_usec) {
		*s = (struct brake_poll){ .last_total_usec = total_usec,
					  .last_usec = now_usec,
					  .started = true };
		return false;
	}
	elapsed = now_usec - s->last_usec;
	if (p->window_usec == 0 || elapsed < p->window_usec / 4)
		return false;
	grown = total_usec - s->last_total_usec;
	s->last_total_usec = total_usec;
	s->last_usec = now_usec;
	/* Both sides in µs²: a day elapsed times a 10 s window is 8.6e20,
	 * past UINT64_MAX, so compare in 128 bits. */
	return grown > 0 && (unsigned __int128)grown * p->window_usec >=
				    (unsigned __int128)p->limit_usec * elapsed;
}

void psi_event_check_arm(struct psi_event_check *c, uint64_t total_usec)
{
	*c = (struct psi_event_check){ .total_usec = total_usec, .armed = true };
}

bool psi_event_check(struct psi_event_check *c, uint64_t threshold_usec, uint64_t total_usec)
{
	if (!c->armed || total_usec < c->total_usec) {
		/* Never armed, or a total that went backwards: nothing to
		 * judge by; take it and judge the next from here. */
		psi_event_check_arm(c, total_usec);
		return true;
	}
	if ((total_usec - c->total_usec) * 2 < threshold_usec)
		return false;
	c->total_usec = total_usec;
	return true;
}
