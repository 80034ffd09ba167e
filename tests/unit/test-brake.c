/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "brake.h"

#define SEC UINT64_C(1000000)
#define MiB (UINT64_C(1) << 20)

static const struct brake_params p10 = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC };

static void test_brake_engages_and_calms(void **state)
{
	struct brake b = {};
	uint64_t t0 = 1000 * SEC;

	assert_false(brake_update(&b, &p10, 0, t0));                 /* first sample */
	assert_false(brake_update(&b, &p10, SEC / 2, t0 + 5 * SEC)); /* 0.5 s stall */
	assert_false(brake_update(&b, &p10, SEC, t0 + 6 * SEC));     /* exactly the limit */
	assert_true(brake_update(&b, &p10, SEC + 1, t0 + 7 * SEC));  /* over it */
	assert_int_equal(b.nr_engaged, 1);
	/* What engaged it is kept for the report; the window restarted. */
	assert_int_equal(b.engaged_stall_usec, SEC + 1);
	assert_int_equal(b.engaged_span_usec, 7 * SEC);
	/* Stays on until a whole calm window has passed since it engaged. */
	assert_true(brake_update(&b, &p10, SEC + 2, t0 + 12 * SEC));
	assert_int_equal(b.engaged_stall_usec, SEC + 1);
	assert_true(brake_update(&b, &p10, SEC + 3, t0 + 16 * SEC));
	assert_false(brake_update(&b, &p10, SEC + 4, t0 + 17 * SEC));
	assert_int_equal(b.nr_engaged, 1);
}

static void test_brake_stall_keeps_it_on(void **state)
{
	struct brake b = {};

	assert_false(brake_update(&b, &p10, 0, 0));
	assert_true(brake_update(&b, &p10, 2 * SEC, 1 * SEC));
	/* Another 2 s of stall within the next window: still on, restarted. */
	assert_true(brake_update(&b, &p10, 4 * SEC, 9 * SEC));
	assert_true(brake_update(&b, &p10, 4 * SEC, 18 * SEC));
	assert_false(brake_update(&b, &p10, 4 * SEC, 19 * SEC));
	assert_int_equal(b.nr_engaged, 1);
}

/* A re-created cgroup's total starts from 0 again: restart, don't wrap. */
static void test_brake_counter_backwards(void **state)
{
	struct brake b = {};

	assert_false(brake_update(&b, &p10, 50 * SEC, 0));
	assert_false(brake_update(&b, &p10, 10, SEC));
	assert_false(brake_update(&b, &p10, 10 + SEC, 2 * SEC));
	assert_true(brake_update(&b, &p10, 10 + SEC + 1, 3 * SEC));
}

/* The system brake's gate: a stall over the limit counts only in a window
 * where the evidence counter (pages refaulted) grew by evidence_min. */
static void test_brake_evidence(void **state)
{
	const struct brake_params p = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC,
					.evidence_min = 256 };
	struct brake b = {};

	assert_false(brake_update_evidence(&b, &p, 0, 1000, 0, 0));
	/* Stall with no refaults (reclaim's own work, a burst): not on. */
	assert_false(brake_update_evidence(&b, &p, 3 * SEC, 1000, 0, SEC));
	assert_false(brake_update_evidence(&b, &p, 6 * SEC, 1255, 0, 2 * SEC));
	/* The working set comes back in the same window: on at once. */
	assert_true(brake_update_evidence(&b, &p, 6 * SEC, 1256, 0, 3 * SEC));
	assert_int_equal(b.nr_engaged, 1);
	/* A stall goes on but the refaults stop: calm after a window. */
	assert_true(brake_update_evidence(&b, &p, 9 * SEC, 1300, 0, 8 * SEC));
	assert_false(brake_update_evidence(&b, &p, 12 * SEC, 1300, 0, 13 * SEC));
	/* Refaults without a stall over the limit: not on. */
	assert_false(brake_update_evidence(&b, &p, 12 * SEC + SEC / 2, 9000, 0, 14 * SEC));
	/* Evidence below the window's start (read before another thread
	 * restarted it) is no growth, and does not restart the window. */
	assert_false(brake_update_evidence(&b, &p, 20 * SEC, 10, 0, 15 * SEC));
	assert_true(brake_update_evidence(&b, &p, 20 * SEC, 1556, 0, 16 * SEC));
	assert_int_equal(b.nr_engaged, 2);
	/* A restart by a caller that did not read the counter (an
	 * out-of-order sample) keeps the known baseline: the gate stays. */
	assert_true(brake_update_evidence(&b, &p, 19 * SEC, BRAKE_EVIDENCE_UNKNOWN, 0, 17 * SEC));
	assert_int_equal(b.window_start_evidence, 1556);
	/* Over the limit with the value not read: no evidence, no engaging. */
	assert_int_equal(b.nr_engaged, 2);
	b.engaged = false;
	assert_false(brake_update_evidence(&b, &p, 24 * SEC, BRAKE_EVIDENCE_UNKNOWN, 0, 17 * SEC + 1));
	b.engaged = true;
	assert_true(brake_update_evidence(&b, &p, 25 * SEC, 1600, 0, 18 * SEC));
	assert_false(brake_update_evidence(&b, &p, 30 * SEC, 1600, 0, 28 * SEC));
}

/* A sample after a quiet gap is judged per window: the stall and the
 * refaults of a minute against six windows' worth, not one. */
static void test_brake_gap_scaled(void **state)
{
	const struct brake_params p = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC,
					.evidence_min = 256 };
	struct brake b = {}, c = {};

	assert_false(brake_update_evidence(&b, &p, 0, 0, 0, 0));
	/* 60 s later: 3 s of stall (6 allowed), 1000 refaults (1536): calm. */
	assert_false(brake_update_evidence(&b, &p, 3 * SEC, 1000, 0, 60 * SEC));
	/* The window restarted there: 7 s of stall in 60 s, but 1000 and then
	 * 1535 refaults fall short of 1536; 1536 does not. */
	assert_false(brake_update_evidence(&b, &p, 10 * SEC, 2000, 0, 120 * SEC));
	assert_false(brake_update_evidence(&b, &p, 17 * SEC, 3535, 0, 180 * SEC));
	assert_true(brake_update_evidence(&b, &p, 24 * SEC, 5071, 0, 240 * SEC));
	/* Without evidence the stall is scaled the same way. */
	assert_false(brake_update(&c, &p, 0, 0));
	assert_false(brake_update(&c, &p, 6 * SEC, 60 * SEC));
	assert_true(brake_update(&c, &p, 12 * SEC + 1, 120 * SEC));
}

/* /proc/vmstat is read only where the evidence decides: a window's start
 * and a stall over the limit. */
static void test_brake_wants_evidence(void **state)
{
	const struct brake_params p = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC,
					.evidence_min = 256 };
	const struct brake_params no_gate = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC };
	const struct brake_params off = { .window_usec = 10 * SEC, .limit_usec = 10 * SEC,
					  .evidence_min = 256 };
	struct brake b = {};

	assert_true(brake_wants_evidence(&b, &p, 0, 0));
	assert_false(brake_wants_evidence(&b, &no_gate, 0, 0));
	assert_false(brake_wants_evidence(&b, &off, 0, 0));
	assert_false(brake_update_evidence(&b, &p, 0, 100, 0, 0));
	assert_false(brake_wants_evidence(&b, &p, SEC, 5 * SEC));
	assert_true(brake_wants_evidence(&b, &p, SEC + 1, 5 * SEC));
	assert_true(brake_wants_evidence(&b, &p, 0, 10 * SEC));
	assert_false(brake_wants_evidence(&b, &off, 9 * SEC, 9 * SEC));
}

/* SystemBrake=100% and PressureLimit=100% are off: no stall exceeds a
 * whole window, even one summed over a gap. */
static void test_brake_whole_window_off(void **state)
{
	const struct brake_params off = { .window_usec = 2 * SEC, .limit_usec = 2 * SEC };
	struct brake b = {};

	assert_false(brake_update(&b, &off, 0, 0));
	assert_false(brake_update(&b, &off, 50 * SEC, 60 * SEC));
	assert_false(b.engaged);
	assert_int_equal(b.nr_engaged, 0);
}

/* The system brake's ratio: refaults count only as a share of what was
 * reclaimed in the window (evidence_permille of the base counter). */
static void test_brake_evidence_ratio(void **state)
{
	const struct brake_params p = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC,
					.evidence_min = 256, .evidence_permille = 100 };
	struct brake b = {}, c = {};

	assert_false(brake_update_evidence(&b, &p, 0, 0, 0, 0));
	/* 1000 refaults beside 100000 pages reclaimed (1%): streaming. */
	assert_false(brake_update_evidence(&b, &p, 3 * SEC, 1000, 100000, SEC));
	/* 11000 of 100000 (11%): thrashing. */
	assert_true(brake_update_evidence(&b, &p, 4 * SEC, 11000, 100000, 2 * SEC));
	/* No base counter: the minimum alone decides. */
	assert_false(brake_update_evidence(&c, &p, 0, 0, BRAKE_EVIDENCE_UNKNOWN, 0));
	assert_true(brake_update_evidence(&c, &p, 3 * SEC, 1000, BRAKE_EVIDENCE_UNKNOWN, SEC));
}

/* A kernel without the evidence counter: the stall alone decides, as
 * brake_update() does whatever evidence_min says. */
static void test_brake_evidence_unknown(void **state)
{
	const struct brake_params p = { .window_usec = 10 * SEC, .limit_usec = 1 * SEC,
					.evidence_min = 256 };
	struct brake b = {}, c = {};

	assert_false(brake_update_evidence(&b, &p, 0, BRAKE_EVIDENCE_UNKNOWN, 0, 0));
	assert_true(brake_update_evidence(&b, &p, 2 * SEC, BRAKE_EVIDENCE_UNKNOWN, 0, SEC));
	assert_false(brake_update(&c, &p, 0, 0));
	assert_true(brake_update(&c, &p, 2 * SEC, SEC));
}

static void test_brake_disabled(void **state)
{
	struct brake_params off = { .window_usec = 0, .limit_usec = 0 };
	struct brake b = {};

	assert_false(brake_update(&b, &off, 0, 0));
	assert_false(brake_update(&b, &off, 100 * SEC, SEC));
}

static void test_quota(void **state)
{
	struct brake_quota q;
	uint64_t t0 = 5 * SEC;

	brake_quota_init(&q, 100 * MiB, 0); /* burst = one second's worth */
	assert_int_equal(brake_quota_available(&q, 200 * MiB, t0), 100 * MiB);
	brake_quota_charge(&q, 100 * MiB);
	assert_int_equal(brake_quota_available(&q, 200 * MiB, t0), 0);
	assert_int_equal(brake_quota_available(&q, 200 * MiB, t0 + SEC / 2), 50 * MiB);
	brake_quota_charge(&q, 30 * MiB);
	assert_int_equal(brake_quota_available(&q, 200 * MiB, t0 + SEC / 2), 20 * MiB);
	/* Refill caps at the burst. */
	assert_int_equal(brake_quota_available(&q, 200 * MiB, t0 + 100 * SEC), 100 * MiB);
	assert_int_equal(brake_quota_available(&q, 7, t0 + 100 * SEC), 7);
	/* Overcharge never wraps. */
	brake_quota_charge(&q, 500 * MiB);
	assert_int_equal(brake_quota_available(&q, 1, t0 + 100 * SEC), 0);
}

/* Charged what was reclaimed: an overshoot past the tokens is a debt that
 * refills repay before any token is available (6.1's memory.reclaim frees a
 * third more than asked; RateLimit=8M delivered 10.9 MiB/s). */
static void test_quota_debt(void **state)
{
	struct brake_quota q;
	uint64_t t0 = 5 * SEC;

	brake_quota_init(&q, 8 * MiB, 0);
	assert_int_equal(brake_quota_available(&q, 8 * MiB, t0), 8 * MiB);
	/* Asked 8, reclaimed 12: 4 MiB owed. */
	brake_quota_charge(&q, 12 * MiB);
	assert_int_equal(brake_quota_shortfall(&q, 8 * MiB), 12 * MiB);
	/* Half a second repays the debt, no more. */
	assert_int_equal(brake_quota_available(&q, 8 * MiB, t0 + SEC / 2), 0);
	assert_int_equal(brake_quota_shortfall(&q, 8 * MiB), 8 * MiB);
	assert_int_equal(brake_quota_available(&q, 8 * MiB, t0 + SEC), 4 * MiB);
	assert_int_equal(brake_quota_shortfall(&q, 8 * MiB), 4 * MiB);
	assert_int_equal(brake_quota_available(&q, 8 * MiB, t0 + 3 * SEC / 2), 8 * MiB);
	assert_int_equal(brake_quota_shortfall(&q, 8 * MiB), 0);
}

static void test_quota_slow_rate_accumulates(void **state)
{
	struct brake_quota q;

	/* 1 byte per second, bucket 10 bytes, start empty. */
	brake_quota_init(&q, 1, 10);
	brake_quota_charge(&q, 10);
	assert_int_equal(brake_quota_available(&q, 100, 0), 0);
	/* 0.6 s twice: sub-byte refills are not lost. */
	assert_int_equal(brake_quota_available(&q, 100, 600000), 0);
	assert_int_equal(brake_quota_available(&q, 100, 1200000), 1);
}

static void test_quota_unlimited(void **state)
{
	struct brake_quota q;

	brake_quota_init(&q, 0, 0);
	assert_true(brake_quota_available(&q, UINT64_MAX, 0) == UINT64_MAX);
	brake_quota_charge(&q, UINT64_MAX);
	assert_true(brake_quota_available(&q, UINT64_MAX, 0) == UINT64_MAX);
}

/* The PSI trigger emulated by polling (was manager.c's psi_poll(), tested
 * only through the daemon): "some 150000 1000000" = 150 ms per 1 s. */
static void test_poll(void **state)
{
	static const struct {
		uint64_t total_usec, now_usec;
		bool fired;
	} steps[] = {
		{ 1000, 0, false },            /* first sample: starts the count */
		{ 500000, 100000, false },     /* 100 ms < window / 4: not judged */
		{ 1000, 1000000, false },      /* 1 s, nothing grew */
		{ 151000, 2000000, true },     /* 150 ms in 1 s: at the threshold */
		{ 250000, 3000000, false },    /* 99 ms in 1 s */
		{ 325000, 3500000, true },     /* 75 ms in 0.5 s: 150 ms/s */
		{ 325000, 3700000, false },    /* 0.2 s: too short, kept */
		{ 399999, 4000000, false },    /* just under 75 ms in 0.5 s */
		{ 100, 5000000, false },       /* went backwards: restart */
		{ 300100, 7000000, true },     /* 300 ms in 2 s */
		{ UINT64_C(100000000000), UINT64_C(86400000000) + 7000000, true },
					       /* a day later, 1e11 µs grown:
					        * no overflow in the product */
	};
	struct brake_params p = { .window_usec = 1000000, .limit_usec = 150000 };
	struct brake_poll s = { 0 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (brake_poll_update(&s, &p, steps[i].total_usec, steps[i].now_usec) !=
		    steps[i].fired)
			fail_msg("step %zu: fired should be %d", i, steps[i].fired);

	/* A zero window never fires. */
	p.window_usec = 0;
	s = (struct brake_poll){ 0 };
	assert_false(brake_poll_update(&s, &p, 0, 0));
	assert_false(brake_poll_update(&s, &p, 1000000, 1000000));
}

/* A kernel trigger's event right after arming, with no stall since (the
 * stale poll total: seen on 6.18 and at every Debian boot), is not acted on;
 * one with the stall behind it is, and each later one needs its own. */
static void test_psi_event_check(void **state)
{
	struct psi_event_check c = { 0 };

	(void)state;
	/* Not armed: taken (nothing to judge by). */
	assert_true(psi_event_check(&c, 150000, 5000000));
	psi_event_check_arm(&c, 9000000); /* 9 s of stall since boot */
	assert_false(psi_event_check(&c, 150000, 9000000));
	assert_false(psi_event_check(&c, 150000, 9074999));
	/* Half the threshold since the arming: the kernel's window had the
	 * rest just before the handler's read. */
	assert_true(psi_event_check(&c, 150000, 9075000));
	/* The next event needs stall since this one. */
	assert_false(psi_event_check(&c, 150000, 9080000));
	assert_true(psi_event_check(&c, 150000, 9300000));
	/* A total that went backwards re-arms and is taken. */
	assert_true(psi_event_check(&c, 150000, 100));
	assert_false(psi_event_check(&c, 150000, 100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brake_engages_and_calms),
		cmocka_unit_test(test_brake_stall_keeps_it_on),
		cmocka_unit_test(test_brake_counter_backwards),
		cmocka_unit_test(test_brake_evidence),
		cmocka_unit_test(test_brake_evidence_unknown),
		cmocka_unit_test(test_brake_evidence_ratio),
		cmocka_unit_test(test_brake_gap_scaled),
		cmocka_unit_test(test_brake_wants_evidence),
		cmocka_unit_test(test_brake_whole_window_off),
		cmocka_unit_test(test_brake_disabled),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_quota_debt),
		cmocka_unit_test(test_quota_slow_rate_accumulates),
		cmocka_unit_test(test_quota_unlimited),
		cmocka_unit_test(test_poll),
		cmocka_unit_test(test_psi_event_check),
	};

	return cmocka_run_group_tests_name("brake", tests, NULL, NULL);
}
