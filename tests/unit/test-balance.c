/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * balance.c, the pure balance_pgdat(), driven against the simulated node
 * with exact byte counts. The node threads are in test-kswapd.c.
 *
 * Every branch of ../shared/seed/kswapd.c and the test that covers it:
 *
 * | seed branch                                          | test                                   |
 * |------------------------------------------------------|----------------------------------------|
 * | kswapd: cpumask not empty -> set_cpus_allowed_ptr    | test-kswapd: test_name_and_affinity    |
 * | kswapd: kswapd_highest_zoneidx() at the loop top     | test_request_merge                     |
 * | kswapd: try_to_freeze() -> continue (no balance)     | test-kswapd: test_pause_resume         |
 * | kswapd: kthread_should_stop() -> break               | test-kswapd: test_stop_within_one_write|
 * | kswapd: reclaim_order < alloc_order -> goto sleep    | test-kswapd: test_hopeless_thread      |
 * | try_to_sleep: freezing || should_stop -> return      | test-kswapd: test_pause_resume         |
 * | try_to_sleep: balanced -> short sleep (HZ/10)        | test-kswapd: test_sleep_and_wake       |
 * | try_to_sleep: woken early -> keep zoneidx, LOW_WMARK | test_request_keep_premature,           |
 * |   _HIT_QUICKLY, and no full sleep after it           |   test-kswapd: test_premature_wake,    |
 * |                                                      |   test_premature_wake_balanced         |
 * | try_to_sleep: !remaining && balanced -> full sleep   | test-kswapd: test_sleep_and_wake       |
 * | try_to_sleep: !remaining && !balanced -> HIGH_WMARK_ | test-kswapd: test_hopeless_thread      |
 * |   HIT_QUICKLY                                        |                                        |
 * | prepare_kswapd_sleep: hopeless -> sleep              | test_prepare_sleep                     |
 * | wakeup_kswapd: merge zoneidx, hopeless -> no wake    | test_request_merge, test_wake_hopeless,|
 * |                                                      |   test-kswapd: test_hopeless_thread    |
 * | balance_pgdat: count_vm_event(PAGEOUTRUN)            | test_counters                          |
 * | boost = eligible managed zones' watermark_boost      | test_boost_kernel_zones                |
 * | restart: priority = DEF_PRIORITY                     | test_boost_drop_and_restart            |
 * | buffer_heads_over_limit -> reclaim_idx = all zones   | none: no userspace analog (design.md)  |
 * | !balanced && nr_boost_reclaim -> drop, goto restart  | test_boost_drop_and_restart            |
 * | !nr_boost_reclaim && balanced -> goto out            | test_balanced_no_work                  |
 * | boost && priority == DEF_PRIORITY-2 -> no raise      | test_boost_priority_floor              |
 * | may_swap = !nr_boost_reclaim                         | test_boost_priority_floor,             |
 * |                                                      |   test_swappiness_policy               |
 * | kswapd_age_node()                                    | none: memory.reclaim ages (design.md)  |
 * | priority < DEF_PRIORITY-2 -> may_writepage (swap)    | test_raise_priority, test_swappiness_  |
 * |   (userspace: file first while the node's file LRU   |   policy, test_swap_after_file_stalls  |
 * |   covers the pass, as get_scan_count's trim mode)    |                                        |
 * | mem_cgroup_soft_limit_reclaim() before shrink_node   | test_soft_target_first,                |
 * |                                                      |   test_soft_target_covers_pass         |
 * | kswapd_shrink_node() got enough -> no raise          | test_shrink_node_satisfied             |
 * | pfmemalloc_wait wake                                 | none: no throttled allocators          |
 * | try_to_freeze() || kthread_should_stop() -> break    | test_interrupted,                      |
 * |                                                      |   test-kswapd: test_pause_mid_run      |
 * | nr_boost_reclaim -= min(nr_boost_reclaim, reclaimed) | test_boost_balanced                    |
 * | nr_boost_reclaim && !nr_reclaimed -> break           | test_boost_abort_no_progress           |
 * | raise_priority || !nr_reclaimed -> priority--        | test_raise_priority, test_no_progress  |
 * |   (the "|| !nr_reclaimed" half cannot change the     |   (the half is kept for the reader)    |
 * |   outcome here: raise_priority is only cleared by a  |                                        |
 * |   pass that reclaimed, or by the boost floor, whose  |                                        |
 * |   no-progress case aborts first)                     |                                        |
 * | while (priority >= 1)                                | test_priority_exhausted                |
 * | !sc.nr_reclaimed -> kswapd_failures++                | test_failures_hopeless                 |
 * | kswapd_failures >= MAX_RECLAIM_RETRIES: hopeless     | test_failures_hopeless                 |
 * | (userspace) a braked pass waits, counts no failure   | test_braked_no_failure,                |
 * |                                                      |   test-kswapd: test_braked_waits       |
 * | shrink_node reclaimable -> kswapd_failures = 0       | test_hopeless_recovers_by_reclaim,     |
 * |   (and the operator's direct reclaim of the node)    |   test_manual_reclaim                  |
 * | hopeless node balanced again (recovers on its own)   | test_hopeless_recovers_on_its_own      |
 * | out: boosted -> subtract the boost (userspace: the   | test_boost_kernel_paid_once            |
 * |   kernel boost counts as paid, the ledger is reduced)|                                        |
 * | out: boosted -> subtract the boost                   | test_boost_balanced,                   |
 * |                                                      |   test_boost_drop_and_restart,         |
 * |                                                      |   test_interrupted                     |
 * | psi_memstall_enter/leave (time in reclaim)           | test_counters                          |
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "balance.h"
#include "macro.h"
#include "sim-node.h"
#include "std-params.h"

#define PAGE 4096u
#define MIB (UINT64_C(1) << 20)

/*
 * The standard node: Normal zone of 1,000,000 pages, kernel high 10000, so
 * headroom 5000 pages, userspace low 15000 and high 17500. 400000 file and
 * 300000 anon pages on the LRUs.
 */
#define UHIGH 17500u

static void std_node(struct sim_node *s, uint64_t free_pages)
{
	sim_node_init(s, 0, 1000000, free_pages, 10000, 400000, 300000);
}

/* One run as kswapd.c drives it; returns the result. */
static struct balance_result drive_hz(struct balance_node *b,
				      const struct balance_params *p,
				      struct sim_node *s, unsigned hz)
{
	struct balance_result res;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct shrink_result sr;
	int r;

	assert_int_equal(sim_node_snapshot(s, s->id, &zi), 0);
	balance_begin(b, p, &zi, hz, s->now_usec);
	while ((r = balance_next(b, p, &zi, &req)) > 0) {
		int k = sim_node_shrink(s, &req, &sr);

		balance_account(b, p, &req, k < 0 ? NULL : &sr);
		assert_int_equal(sim_node_snapshot(s, s->id, &zi), 0);
	}
	assert_int_equal(r, 0);
	memset(&res, 0xaa, sizeof(res));
	balance_end(b, p, s->now_usec, &res);
	return res;
}

static struct balance_result drive(struct balance_node *b,
				   const struct balance_params *p, struct sim_node *s)
{
	return drive_hz(b, p, s, WATERMARK_ZONEIDX_ALL);
}

struct want_shrink {
	enum shrink_kind kind;
	int priority;
	int swappiness;
	uint64_t pages;  /* asked */
	uint64_t got;    /* reclaimed, pages */
};

static void assert_log(const struct sim_node *s, const struct want_shrink *w, unsigned n)
{
	if (s->n_log != n)
		fail_msg("%u shrinks, expected %u", s->n_log, n);
	for (unsigned i = 0; i < n; i++) {
		const struct shrink_request *q = &s->log[i];

		if (q->kind != w[i].kind || q->priority != w[i].priority ||
		    q->swappiness != w[i].swappiness ||
		    q->nr_to_reclaim != w[i].pages * PAGE ||
		    s->log_res[i].nr_reclaimed != w[i].got * PAGE || q->node != 0)
			fail_msg("shrink %u: kind %d prio %d swap %d pages %lu got %lu",
				 i, q->kind, q->priority, q->swappiness,
				 (unsigned long)(q->nr_to_reclaim / PAGE),
				 (unsigned long)(s->log_res[i].nr_reclaimed / PAGE));
	}
}

static void add_boost(struct balance_node *b, uint64_t bytes)
{
	struct balance_request w = BALANCE_REQUEST_NONE;

	w.reasons = 1u << BALANCE_WAKE_BOOST;
	w.boost_bytes = bytes;
	balance_node_consume(b, &w);
}

/* --- pure helpers --- */

struct swap_case {
	const char *what;
	int configured, priority;
	uint64_t boost;
	bool has_lru, stalled;
	uint64_t file_pages;
	int want;
	enum balance_swap_reason reason;
	uint64_t free_pages; /* 0: 9000, below the kernel's high (10000) */
};

static void test_swappiness_policy(void **state)
{
	/* std_node(9000): below the kernel's own high mark (10000) by 1000
	 * pages, and short of ours by 8500; a file-only pass at priority 9
	 * asks 8500 + file >> 9, at priority 1 at most the 65536-page step.
	 * But a pass that may swap asks no more than the kernel's 1000-page
	 * deficit, what its kswapd would reclaim: file pages that cover that
	 * keep the pass file-only. At 12000 free the node is short of our
	 * marks only: the kernel alone would not reclaim, and no pass swaps
	 * (issue 14). */
	static const struct swap_case cases[] = {
		{ "gentle12", 60, 12, 0, true, false, 100, 0, BALANCE_SWAP_GENTLE },
		{ "gentle10", 60, 10, 0, true, false, 100, 0, BALANCE_SWAP_GENTLE },
		{ "covers9", 60, 9, 0, true, false, 400000, 0, BALANCE_SWAP_FILE_COVERS },
		{ "covers1", 60, 1, 0, true, false, 400000, 0, BALANCE_SWAP_FILE_COVERS },
		{ "covers-exact", 60, 9, 0, true, false, 1000, 0, BALANCE_SWAP_FILE_COVERS },
		{ "short-by-one", 60, 9, 0, true, false, 999, 60, BALANCE_SWAP_FILE_SHORT },
		{ "covers-deficit", 60, 9, 0, true, false, 5000, 0, BALANCE_SWAP_FILE_COVERS },
		{ "short9", 60, 9, 0, true, false, 500, 60, BALANCE_SWAP_FILE_SHORT },
		{ "short1", 60, 1, 0, true, false, 500, 60, BALANCE_SWAP_FILE_SHORT },
		{ "stalled", 60, 9, 0, true, true, 400000, 60, BALANCE_SWAP_FILE_STALLED },
		{ "boost9", 60, 9, 1, true, true, 100, 0, BALANCE_SWAP_BOOST },
		{ "boost1", 60, 1, 4096, true, false, 100, 0, BALANCE_SWAP_BOOST },
		{ "swap200", 200, 5, 0, true, false, 100, 200, BALANCE_SWAP_FILE_SHORT },
		{ "kernel-short", SWAPPINESS_KERNEL_DEFAULT, 9, 0, true, false, 100,
		  SWAPPINESS_KERNEL_DEFAULT, BALANCE_SWAP_FILE_SHORT },
		{ "kernel-gentle", SWAPPINESS_KERNEL_DEFAULT, 10, 0, true, false, 100, 0,
		  BALANCE_SWAP_GENTLE },
		{ "no-lru", 60, 9, 0, false, false, 400000, 60, BALANCE_SWAP_FILE_UNKNOWN },
		{ "at-kernel-high", 60, 9, 0, true, false, 5000, 0,
		  BALANCE_SWAP_KERNEL_BALANCED, 10000 },
		{ "below-kernel-high", 60, 9, 0, true, false, 0, 60, BALANCE_SWAP_FILE_SHORT,
		  9999 },
		{ "below-kernel-high-batch", 60, 9, 0, true, false, 31, 60,
		  BALANCE_SWAP_FILE_SHORT, 9999 },
		{ "below-kernel-high-covers", 60, 9, 0, true, false, 32, 0,
		  BALANCE_SWAP_FILE_COVERS, 9999 },
		{ "above-short1", 60, 1, 0, true, false, 100, 0, BALANCE_SWAP_KERNEL_BALANCED,
		  12000 },
		{ "above-stalled", 60, 9, 0, true, true, 400000, 0, BALANCE_SWAP_KERNEL_BALANCED,
		  12000 },
		{ "above-no-lru", 60, 9, 0, false, false, 0, 0, BALANCE_SWAP_KERNEL_BALANCED,
		  12000 },
		{ "above-gentle", 60, 10, 0, true, false, 100, 0, BALANCE_SWAP_GENTLE, 12000 },
		{ "above-boost", 60, 9, 4096, true, false, 100, 0, BALANCE_SWAP_BOOST, 12000 },
	};
	struct balance_params p = std_params();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct swap_case *c = &cases[i];
		enum balance_swap_reason why = _BALANCE_SWAP_REASON_MAX;
		struct sim_node s;
		int got;

		std_node(&s, c->free_pages ? c->free_pages : 9000);
		s.zi.has_lru = c->has_lru;
		s.zi.lru.nr_inactive_file = c->file_pages / 2;
		s.zi.lru.nr_active_file = c->file_pages - c->file_pages / 2;
		p.swappiness = c->configured;
		got = balance_swappiness(&p, &s.zi, WATERMARK_ZONEIDX_ALL, c->priority, c->boost,
					 c->stalled, &why);
		if (got != c->want || why != c->reason)
			fail_msg("%s: swappiness %d (%s)", c->what, got,
				 balance_swap_reason_to_string(why));
	}
	assert_string_equal(balance_swap_reason_to_string(BALANCE_SWAP_FILE_COVERS),
			    "file_covers");
	assert_null(balance_swap_reason_to_string(_BALANCE_SWAP_REASON_MAX));
}

struct pass_case {
	const char *what;
	uint64_t free;
	int priority, swappiness;
	uint64_t boost_bytes, step_bytes;
	bool has_lru;
	uint64_t pages;
};

static void test_pass_bytes(void **state)
{
	static const struct pass_case cases[] = {
		/* deficit 5500 + 400000 >> 12 = 97 */
		{ "prio12-file", 12000, 12, 0, 0, 256 * MIB, true, 5597 },
		/* anon counted once swapping: 700000 >> 9 = 1367 */
		{ "prio9-swap", 12000, 9, 60, 0, 256 * MIB, true, 6867 },
		{ "prio9-kernel-swap", 12000, 9, -1, 0, 256 * MIB, true, 6867 },
		/* priority 1: half the file LRU, capped by the 256 MiB step */
		{ "prio1-capped", 12000, 1, 0, 0, 256 * MIB, true, 65536 },
		{ "prio1-1GiB-step", 12000, 1, 0, 0, 1024 * MIB, true, 205500 },
		/* balanced: only the scan pressure, floored at 32 pages */
		{ "balanced-floor", 20000, 12, 0, 0, 256 * MIB, false, 32 },
		{ "balanced-lru", 20000, 12, 0, 0, 256 * MIB, true, 97 },
		/* boost owed, rounded up to pages */
		{ "boost", 20000, 12, 0, 4 * MIB + 1, 256 * MIB, true, 1025 + 97 },
		{ "no-lru", 12000, 1, 0, 0, 256 * MIB, false, 5500 },
		{ "huge-boost", 20000, 12, 0, UINT64_MAX, 256 * MIB, true, 65536 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pass_case *c = &cases[i];
		struct balance_params p = std_params();
		struct sim_node s;
		uint64_t got;

		std_node(&s, c->free);
		s.zi.has_lru = c->has_lru;
		p.step_bytes = c->step_bytes;
		got = balance_pass_bytes(&p, &s.zi, WATERMARK_ZONEIDX_ALL, c->priority,
					 c->swappiness, c->boost_bytes);
		if (got != c->pages * PAGE)
			fail_msg("%s: %lu pages", c->what, (unsigned long)(got / PAGE));
	}
}

struct params_case {
	const char *what;
	uint64_t step;
	int swappiness;
	int r;
};

static void test_params_validate(void **state)
{
	static const struct params_case cases[] = {
		{ "defaults", BALANCE_STEP_BYTES_DEFAULT, SWAPPINESS_KERNEL_DEFAULT, 0 },
		{ "swap0", 128 * 1024, 0, 0 },
		{ "swap200", 128 * 1024, 200, 0 },
		{ "step<cluster", 128 * 1024 - 1, 0, -EINVAL },
		{ "swap201", 128 * 1024, 201, -EINVAL },
		{ "swap-2", 128 * 1024, -2, -EINVAL },
	};
	struct balance_params p;

	balance_params_init(&p);
	assert_int_equal(p.step_bytes, 256 * MIB);
	assert_int_equal(p.swappiness, SWAPPINESS_KERNEL_DEFAULT);
	assert_true(p.soft_target);
	assert_int_equal(p.wmark.headroom_permyriad, 50);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		balance_params_init(&p);
		p.step_bytes = cases[i].step;
		p.swappiness = cases[i].swappiness;
		if (balance_params_validate(&p) != cases[i].r)
			fail_msg("%s", cases[i].what);
	}
	balance_params_init(&p);
	p.wmark.page_size = 3000;
	assert_int_equal(balance_params_validate(&p), -EINVAL);
}

struct merge_case {
	unsigned pending_idx, wake_idx, want_idx;
};

static void test_request_merge(void **state)
{
	static const struct merge_case cases[] = {
		{ WATERMARK_ZONEIDX_NONE, 2, 2 },
		{ 3, 1, 3 },
		{ 1, 3, 3 },
		{ 2, WATERMARK_ZONEIDX_NONE, 2 },
		{ WATERMARK_ZONEIDX_NONE, WATERMARK_ZONEIDX_NONE, WATERMARK_ZONEIDX_NONE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct balance_request pending = BALANCE_REQUEST_NONE;
		struct balance_request w = BALANCE_REQUEST_NONE;

		pending.highest_zoneidx = cases[i].pending_idx;
		w.highest_zoneidx = cases[i].wake_idx;
		balance_request_merge(&pending, &w);
		assert_int_equal(pending.highest_zoneidx, cases[i].want_idx);
	}

	struct balance_request pending = BALANCE_REQUEST_NONE;
	struct balance_request w = { .highest_zoneidx = 1,
				     .reasons = 1u << BALANCE_WAKE_PSI,
				     .boost_bytes = UINT64_MAX - 5 };

	balance_request_merge(&pending, &w);
	w.reasons = 1u << BALANCE_WAKE_BOOST;
	w.boost_bytes = 10;
	balance_request_merge(&pending, &w);
	assert_int_equal(pending.reasons,
			 (1u << BALANCE_WAKE_PSI) | (1u << BALANCE_WAKE_BOOST));
	assert_true(pending.boost_bytes == UINT64_MAX);

	/* kswapd_highest_zoneidx(): the previous one if none pending. */
	pending = BALANCE_REQUEST_NONE;
	assert_int_equal(balance_highest_zoneidx(&pending, 2), 2);
	pending.highest_zoneidx = 1;
	assert_int_equal(balance_highest_zoneidx(&pending, 2), 1);
}

static void test_request_keep_premature(void **state)
{
	struct balance_request pending = BALANCE_REQUEST_NONE;

	/* No newer wake: the request that slept prematurely is kept. */
	balance_request_keep_premature(&pending, 2);
	assert_int_equal(pending.highest_zoneidx, 2);
	/* A newer wake's zone wins. */
	pending.highest_zoneidx = 1;
	balance_request_keep_premature(&pending, 2);
	assert_int_equal(pending.highest_zoneidx, 1);
}

static void test_reason_names(void **state)
{
	assert_string_equal(balance_wake_reason_to_string(BALANCE_WAKE_WATERMARK),
			    "watermark");
	assert_string_equal(balance_wake_reason_to_string(BALANCE_WAKE_MANUAL_RECLAIM),
			    "manual-reclaim");
	assert_null(balance_wake_reason_to_string(_BALANCE_WAKE_REASON_MAX));
	assert_null(balance_wake_reason_to_string((enum balance_wake_reason)-1));
	assert_string_equal(balance_end_reason_to_string(BALANCE_END_BOOST_NO_PROGRESS),
			    "boost-no-progress");
	assert_null(balance_end_reason_to_string(_BALANCE_END_REASON_MAX));
}

/* --- runs --- */

static void test_balanced_no_work(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, UHIGH);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 0);
	assert_int_equal(r.reason, BALANCE_END_BALANCED);
	assert_true(r.balanced);
	assert_int_equal(r.nr_reclaimed, 0);
	assert_int_equal(r.priority, DEF_PRIORITY);
	/* goto out skips kswapd_failures++ */
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.runs, 1);
	assert_int_equal(b.counters.passes[DEF_PRIORITY], 0);
}

static void test_normal_reclaim(void **state)
{
	static const struct want_shrink want[] = {
		{ SHRINK_NODE, 12, 0, 5597, 5597 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 1);
	assert_true(r.balanced);
	assert_int_equal(r.nr_reclaimed, 5597 * PAGE);
	assert_int_equal(r.priority, 12);
	assert_int_equal(b.counters.passes[12], 1);
	assert_int_equal(b.counters.reclaimed_bytes[12], 5597 * PAGE);
}

/* 50% efficiency: every pass falls short, so priority drops each pass, and
 * from priority 9 the configured swappiness brings anon into the sum. */
static void test_raise_priority(void **state)
{
	static const struct want_shrink want[] = {
		{ SHRINK_NODE, 12, 0, 5597, 2798 }, /* 5500 + 400000 >> 12 */
		{ SHRINK_NODE, 11, 0, 2895, 1447 }, /* 2702 + 397202 >> 11 */
		{ SHRINK_NODE, 10, 0, 1641, 820 },  /* 1255 + 395755 >> 10 */
		/* file-only still: free (17065) is above the kernel's own high
		 * mark (10000), so the kernel alone would not reclaim here */
		{ SHRINK_NODE, 9, 0, 1206, 603 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.efficiency_permille = 500;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 4);
	assert_true(r.balanced);
	assert_int_equal(r.priority, 9);
	assert_int_equal(r.nr_reclaimed, (2798 + 1447 + 820 + 603) * PAGE);
	for (int i = 9; i <= 12; i++)
		assert_int_equal(b.counters.passes[i], 1);
	assert_int_equal(b.counters.reclaimed_bytes[9], 603 * PAGE);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_GENTLE], 3);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_KERNEL_BALANCED], 1);
}

/*
 * Between passes the node thread may read the zones' free pages alone where
 * the run goes on at a gentle priority whatever else changed
 * (balance_continues_on_free()). test_raise_priority's run: after the
 * passes at 12 and 11 the next is at 11 and 10, gentle, and the node short
 * of its marks: yes; after the one at 10 the next is at 9 (its swap
 * decision reads the LRU sizes): no; at the end (balanced): no. A boosted
 * run, and no run at all: no.
 */
static void test_continues_on_free(void **state)
{
	static const bool want[] = { true, true, false, false };
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct shrink_result sr;
	unsigned n = 0;

	std_node(&s, 12000);
	s.efficiency_permille = 500;
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	assert_false(balance_continues_on_free(&b, &p, &zi)); /* no run */
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, s.now_usec);
	while (balance_next(&b, &p, &zi, &req) > 0) {
		assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
		balance_account(&b, &p, &req, &sr);
		assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
		assert_true(n < ELEMENTSOF(want));
		if (balance_continues_on_free(&b, &p, &zi) != want[n])
			fail_msg("after pass %u (priority now %d): want %d", n, b.run.priority,
				 want[n]);
		n++;
	}
	assert_int_equal(n, ELEMENTSOF(want));

	/* Boosted (a balanced node, a boost still owed after the pass), and
	 * then short of its marks: the next check drops the boost and
	 * restarts the run, a decision the whole snapshot makes. */
	std_node(&s, 20000);
	s.efficiency_permille = 500;
	balance_node_init(&b, 0);
	add_boost(&b, 64 * MIB);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, s.now_usec);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
	balance_account(&b, &p, &req, &sr);
	assert_true(b.run.nr_boost_reclaim > 0);
	sim_node_alloc(&s, 20000);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	assert_false(watermark_node_balanced(&zi, WATERMARK_ZONEIDX_ALL, &p.wmark));
	assert_int_equal(b.run.phase, BALANCE_PHASE_CHECK);
	assert_true(b.run.priority >= DEF_PRIORITY - 2);
	assert_false(balance_continues_on_free(&b, &p, &zi));
	(void)state;
}

/* What is read after each shrink: nothing after a soft-target pass (the
 * node pass is planned from the check before it), unless it took all of
 * the pass (the check comes next); the whole file while the last snapshot
 * shows a zone boost (the kernel may clear it, lowering the marks). */
static void test_refresh_kind(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct shrink_result sr;

	p.soft_target = true;
	std_node(&s, 12000);
	s.efficiency_permille = 500;
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, s.now_usec);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_SOFT_TARGET);
	assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
	balance_account(&b, &p, &req, &sr);
	assert_int_equal(balance_refresh_kind(&b, &zi), BALANCE_REFRESH_NONE);
	/* The soft pass took it all: the check is next. */
	b.run.soft_reclaimed = b.run.pass_bytes;
	assert_int_equal(balance_refresh_kind(&b, &zi), BALANCE_REFRESH_FREE);
	b.run.soft_reclaimed = 0;
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_NODE);
	assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
	balance_account(&b, &p, &req, &sr);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	assert_int_equal(balance_refresh_kind(&b, &zi), BALANCE_REFRESH_FREE);
	assert_true(balance_continues_on_free(&b, &p, &zi));
	zi.zones[0].boost = 1;
	assert_int_equal(balance_refresh_kind(&b, &zi), BALANCE_REFRESH_FULL);
	assert_false(balance_continues_on_free(&b, &p, &zi));
	(void)state;
}

/* Pacing: the monitor's measure of how fast free memory is used. A steady
 * consumer of 10000 pages/s gives a lead of about 2500 pages (250 ms of it);
 * our own reclaim, seen first as free memory coming back and then as our
 * counter, is no consumption; memory given back gives no lead. */
static void test_pace_measure(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	uint64_t t = 1000000;

	std_node(&s, 200000);
	balance_node_init(&b, 0);
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	assert_int_equal(b.pace.pages, 0);
	/* 10000 pages/s for 5 s, sampled every 20 ms: the moving average
	 * (1 s) is within 1% of the rate. */
	for (unsigned i = 0; i < 250; i++) {
		t += 20000;
		s.zi.zones[0].free -= 200;
		balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	}
	assert_true(b.pace.rate >= 9900.0 && b.pace.rate <= 10000.0);
	assert_in_range(b.pace.pages, 2475, 2500);

	/* Consumption stops; our run frees 50000 pages: free rises on one
	 * tick, the counter the next. The pair cancels: the rate decays as
	 * for no consumption at all. */
	balance_node_init(&b, 0);
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	t += 20000;
	s.zi.zones[0].free += 50000;
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	t += 20000;
	b.counters.reclaimed_bytes[12] += 50000 * PAGE;
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	/* A residue of about 2% of the pair (the two samples weigh a little
	 * differently): 50000 pages read as under 1000 pages/s. */
	assert_true(b.pace.rate > -1000.0 && b.pace.rate < 1000.0);
	assert_true(b.pace.pages <= 250);

	/* 500000 pages freed at once: a negative rate, floored at the cap's
	 * (4 headrooms = 20000 pages per 250 ms), and no lead. */
	balance_node_init(&b, 0);
	s.zi.zones[0].free = 100000;
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	t += 20000;
	s.zi.zones[0].free = 600000;
	balance_pace_update(&b, &p, &s.zi, /* others_reclaimed_bytes= */ 0, t);
	assert_true(b.pace.rate >= -80000.0 - 1);
	assert_int_equal(b.pace.pages, 0);
}

/*
 * A node pass over memory.reclaim takes from every node of the cgroup
 * (attribute_pass()): here three quarters of it came from other nodes and
 * only a quarter shows in the node's free pages. With nothing allocated,
 * the pacing sees no use: the run's counter less what came from elsewhere
 * (nr_reclaimed_elsewhere) is what showed. Counted whole, the three
 * quarters read as pages the node's allocations took, and gave a lead.
 */
static void test_pace_reclaimed_elsewhere(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct shrink_result sr;
	uint64_t t = 1000000, pages;

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_pace_update(&b, &p, &zi, /* others_reclaimed_bytes= */ 0, t);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, s.now_usec);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
	pages = sr.nr_reclaimed / PAGE;
	assert_true(pages >= 4000);
	/* Three quarters of the pages came from other nodes. */
	sim_node_alloc(&s, pages * 3 / 4);
	sr.nr_reclaimed_elsewhere = sr.nr_reclaimed / 4 * 3;
	balance_account(&b, &p, &req, &sr);
	assert_int_equal(b.counters.reclaimed_elsewhere_bytes, sr.nr_reclaimed / 4 * 3);
	t += 20000;
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_pace_update(&b, &p, &zi, /* others_reclaimed_bytes= */ 0, t);
	/* Rounding: a page or two either way. */
	assert_true(b.pace.rate > -200.0 && b.pace.rate < 200.0);
	assert_true(b.pace.pages <= 50);
	(void)state;
}

/* Issue 18: what offload reclaimed from the node (others_reclaimed_bytes)
 * counts as our own: a consumer of 10000 pages/s with offload freeing 5000
 * pages/s on the node shows free falling 5000 pages/s, and still gets the
 * lead of 10000 pages/s (it read as half before). */
static void test_pace_counts_offload(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	uint64_t t = 1000000, offload = 0;

	std_node(&s, 200000);
	balance_node_init(&b, 0);
	balance_pace_update(&b, &p, &s.zi, offload, t);
	for (unsigned i = 0; i < 250; i++) {
		t += 20000;
		s.zi.zones[0].free -= 200 - 100;
		offload += 100 * PAGE;
		balance_pace_update(&b, &p, &s.zi, offload, t);
	}
	assert_true(b.pace.rate >= 9900.0 && b.pace.rate <= 10000.0);
	assert_in_range(b.pace.pages, 2475, 2500);
}

/* The lead moves both marks: a node consumed fast wakes above the static
 * low mark and its runs refill further; capped at 4 headrooms. */
static void test_pace_wakes_early(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	/* free 16000: above the low mark (15000), below it plus 2500. */
	std_node(&s, 16000);
	balance_node_init(&b, 0);
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_SLEEP);
	b.pace.pages = 2500;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_BELOW_LOW);
	assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	/* The run refills to the paced high mark: 17500 + 2500. */
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_true(s.zi.zones[0].free >= UHIGH + 2500);
	assert_true(r.nr_reclaimed >= (UHIGH + 2500 - 16000) * PAGE);
	/* Capped: 4 headrooms (20000 pages) however fast the consumption. */
	b.pace.pages = 1000000;
	s.zi.zones[0].free = 15000 + 20000 + 1;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_SLEEP);
	s.zi.zones[0].free = 15000 + 20000 - 1;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_BELOW_LOW);
}

/* File pages first: a node with page cache to trim is not pushed to swap
 * below DEF_PRIORITY - 2 (the kernel's cache_trim_mode), until a file-only
 * pass frees nothing; then the rest of the run may swap. The node is below
 * the kernel's own high mark (9000 < 10000): its kswapd would be at work. */
static void test_swap_after_file_stalls(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 9000);
	s.swap = true;
	/* Passes at 12, 11, 10, 9 free nothing (the page cache is not ours
	 * to take), then everything asked. */
	for (unsigned i = 0; i < 4; i++)
		s.script[i] = (struct sim_step){ .set = true, .efficiency_permille = 0 };
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_true(s.n_log >= 5);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(s.log[i].swappiness, 0);
	/* The gentle passes stalled: priority 9 may swap. */
	assert_int_equal(s.log[3].priority, 9);
	assert_int_equal(s.log[3].swappiness, 60);
	assert_int_equal(s.log[4].swappiness, 60);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_FILE_STALLED], 2);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_FILE_COVERS], 0);
}

/* The node file falls short (EAGAIN) on a pass ahead of the kernel (the
 * node at or above its high marks): the actuator spreads the rest over
 * memory.reclaim, which cannot aim at the node, so the run makes no
 * further pass there and ends kernel-balanced, with what it took and no
 * failure. Below the kernel's marks, and while a boost is owed, the run
 * goes on as before; a run that fell short below them ends once the node
 * rises above them. */
/* A node of free_pages whose short node passes say the node file fell
 * short, at efficiency permille (before balance_node_init()). */
static void short_node(struct sim_node *s, uint64_t free_pages, unsigned efficiency)
{
	std_node(s, free_pages);
	s->efficiency_permille = efficiency;
	s->node_file_short = true;
}

static void test_node_file_short_ahead_ends_run(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	short_node(&s, 12000, 500);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_KERNEL_BALANCED);
	assert_int_equal(s.n_log, 1);
	assert_int_equal(s.log[0].kernel_deficit_bytes, 0);
	assert_true(r.nr_reclaimed > 0);
	assert_int_equal(r.failures, 0);
	assert_false(r.balanced);
	/* Below the kernel's marks: on down the priorities. */
	short_node(&s, 5000, 0);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_PRIORITY_EXHAUSTED);
	assert_int_equal(s.n_log, DEF_PRIORITY);
	/* Short below the kernel's marks, then above them after a pass that
	 * was not: the run ends at that check, no pass after it. */
	std_node(&s, 9000);
	s.script[0] = (struct sim_step){ .set = true, .efficiency_permille = 50,
					 .node_file_short = true };
	s.script[1] = (struct sim_step){ .set = true, .efficiency_permille = 300 };
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_KERNEL_BALANCED);
	assert_int_equal(s.n_log, 2);
	assert_true(s.log[0].kernel_deficit_bytes > 0);
	assert_true(s.log[1].kernel_deficit_bytes > 0);
	assert_false(s.log_res[1].node_file_short);
	/* A boost owed (on a node at our marks: an unbalanced one drops
	 * its boost for the run, as the seed's kswapd does): paid on past
	 * the short pass, and the run ends balanced. */
	short_node(&s, 20000, 500);
	balance_node_init(&b, 0);
	add_boost(&b, 16 * MIB);
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_BALANCED);
	assert_true(s.n_log > 1);
	assert_true(s.log_res[0].node_file_short);
	assert_int_equal(b.boost_ledger_bytes, 0);
}

/* Swap only when the kernel would (issue 14): the same stalled page cache
 * on a node above the kernel's own high mark, short of our marks only.
 * The kernel alone would not reclaim there at all, so no pass swaps however
 * deep the run goes; the run fails and the failure counts as the kernel's
 * would, and it is the kernel's kswapd that swaps if free memory falls to
 * its marks. */
static void test_no_swap_above_kernel_marks(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.swap = true;
	s.efficiency_permille = 0;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_false(r.balanced);
	/* The first file-only pass ahead of the kernel that frees nothing
	 * ends the run: each write ran the kernel's priority loop already.
	 * No failure: the kernel's kswapd would not have run at all, and 16
	 * would make the node hopeless until it reached our marks. */
	assert_int_equal(r.reason, BALANCE_END_KERNEL_BALANCED);
	assert_int_equal(r.priority, 9);
	assert_int_equal(r.nr_reclaimed, 0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(b.counters.failures, 0);
	assert_int_equal(s.n_log, 4);
	for (unsigned i = 0; i < s.n_log; i++) {
		assert_int_equal(s.log[i].swappiness, 0);
		/* and the system brake may stop each (actuator.c) */
		assert_int_equal(s.log[i].kernel_deficit_bytes, 0);
	}
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_GENTLE], 3);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_KERNEL_BALANCED], 1);
	assert_int_equal(b.counters.swap_decisions[BALANCE_SWAP_FILE_STALLED], 0);
	assert_string_equal(balance_end_reason_to_string(BALANCE_END_KERNEL_BALANCED),
			    "kernel-balanced");

	/* Free memory falls below the kernel's high mark: the next run's deep
	 * passes swap, as kswapd's would. */
	s.zi.zones[0].free = 9000;
	s.efficiency_permille = 1000;
	s.n_log = 0;
	for (unsigned i = 0; i < 4; i++)
		s.script[s.n_shrinks + i] =
			(struct sim_step){ .set = true, .efficiency_permille = 0 };
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_int_equal(s.log[3].priority, 9);
	assert_int_equal(s.log[3].swappiness, 60);
	/* 1000 pages short of the kernel's high mark when it was planned,
	 * and a pass that may swap asks no more than that: past it the
	 * kernel would not reclaim, and only page cache may go. */
	assert_int_equal(s.log[3].kernel_deficit_bytes, 1000 * PAGE);
	assert_int_equal(s.log[3].nr_to_reclaim, 1000 * PAGE);
	for (unsigned i = 0; i < s.n_log; i++)
		if (s.log[i].swappiness != 0)
			assert_true(s.log[i].nr_to_reclaim <= s.log[i].kernel_deficit_bytes);
}

/* A 1 MiB step: every pass gets all it asked for, so kswapd_shrink_node()
 * says enough was scanned and the priority stays at DEF_PRIORITY. */
static void test_shrink_node_satisfied(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	p.step_bytes = 1 * MIB;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_int_equal(s.n_log, 22);
	for (unsigned i = 0; i < 21; i++) {
		assert_int_equal(s.log[i].priority, 12);
		assert_int_equal(s.log[i].nr_to_reclaim, 256 * PAGE);
	}
	/* deficit 124 + 394624 >> 12 = 96 */
	assert_int_equal(s.log[21].nr_to_reclaim, 220 * PAGE);
	assert_int_equal(b.counters.passes[12], 22);
	assert_int_equal(b.counters.passes[11], 0);
	assert_int_equal(r.priority, 12);
}

/* A pass the rate quota cut short got all it was let ask: not reclaim
 * failing, so the run does not escalate priority for it (and so opens no
 * swap), as with passes the quota did not touch. Before, each cut pass
 * lowered the priority: 12, 11, 10, ... */
static void test_quota_limited_no_escalation(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	(void)state;
	std_node(&s, 12000);
	s.quota_bytes = 1000 * PAGE;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_true(s.n_log >= 3);
	for (unsigned i = 0; i < s.n_log; i++) {
		assert_int_equal(s.log[i].priority, 12);
		assert_true(s.log_res[i].quota_limited || s.log[i].nr_to_reclaim <= 1000 * PAGE);
	}
	assert_int_equal(r.priority, 12);
}

/* A pass the quota let ask nothing (its wait cut by the node falling below
 * the kernel's marks, no tokens yet) is no pass: the run goes back to the
 * top at the same priority, and neither lowers it nor marks the page
 * cache stalled (which would open swap) for it. */
static void test_quota_nothing_no_pass(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	(void)state;
	std_node(&s, 12000);
	s.quota_nothing = 2;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_true(s.n_log >= 3);
	for (unsigned i = 0; i < s.n_log; i++)
		assert_int_equal(s.log[i].priority, 12);
	assert_true(s.log_res[0].quota_limited && !s.log_res[1].nr_reclaimed);
	assert_true(s.log_res[2].nr_reclaimed > 0);
	assert_int_equal(r.priority, 12);
	assert_false(b.run.file_stalled);
	assert_int_equal(b.kswapd_failures, 0);
}

/* What a pass frees on the writer's CPU fills that CPU's free list first,
 * unseen in the zone's free pages: a page-cache pass asks the list's room
 * on top of the deficit, and the node balances in one pass where it took
 * two; a pass that may swap asks no more than the kernel's deficit. */
static void test_pcp_room(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;
	unsigned n_swap;

	/* 5500 pages short of our high mark, a list with room for 2000. */
	std_node(&s, 12000);
	sim_node_pcp(&s, 3000, 1000);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_int_equal(s.n_log, 1);
	/* deficit 5500 + 400000 >> 12 = 97, and the room */
	assert_int_equal(s.log[0].swappiness, 0);
	assert_int_equal(s.log[0].nr_to_reclaim, (5500 + 97 + 2000) * PAGE);
	assert_int_equal(s.pcp_count, 3000);
	assert_true(s.zi.zones[0].free >= UHIGH);
	/* Above the kernel's high mark (10000), below ours: the watermark
	 * job the rate quota does not hold back is the deficit to our marks
	 * and the room (a pass let ask the deficit alone would fill the list
	 * and leave free pages where they were). */
	assert_int_equal(s.log[0].kernel_deficit_bytes, 0);
	assert_int_equal(s.log[0].wmark_deficit_bytes, (5500 + 2000) * PAGE);
	/* The list took the room: the node goes on asking all of it. */
	assert_int_equal(b.counters.pcp_observations, 1);
	assert_int_equal(b.pcp_share, BALANCE_PCP_SHARE_ONE);

	/* The same without the room read: two passes, the first one's pages
	 * partly unseen; the same end. */
	std_node(&s, 12000);
	balance_node_init(&b, 0);
	sim_node_pcp(&s, 3000, 1000);
	s.pcp_unreported = true;
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_int_equal(s.n_log, 2);
	assert_int_equal(s.log[0].nr_to_reclaim, (5500 + 97) * PAGE);
	/* 3597 of 5597 seen: 1903 short, + 394403 >> 12 = 96 */
	assert_int_equal(s.log[1].nr_to_reclaim, (1903 + 96) * PAGE);
	assert_int_equal(s.pcp_count, 3000);

	/* A full list: nothing more asked. */
	std_node(&s, 12000);
	sim_node_pcp(&s, 3000, 3500);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 1);
	assert_int_equal(s.log[0].nr_to_reclaim, (5500 + 97) * PAGE);

	/* A room larger than a step: the pass stays within StepSize=. */
	std_node(&s, 12000);
	sim_node_pcp(&s, 100000, 0);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.log[0].nr_to_reclaim, p.step_bytes);

	/* A pass that got its deficit but not all the room got enough:
	 * no priority raise. */
	std_node(&s, 12000);
	sim_node_pcp(&s, 3000, 1000);
	s.efficiency_permille = 800;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_true(s.n_log >= 2);
	assert_int_equal(s.log[0].nr_to_reclaim, (5500 + 97 + 2000) * PAGE);
	assert_int_equal(s.log[1].priority, 12);

	/* Below the kernel's own high mark (10000) the kernel caps the lists
	 * itself: a page-cache pass asks no room there. */
	std_node(&s, 9000);
	sim_node_pcp(&s, 3000, 1000);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.log[0].swappiness, 0);
	assert_int_equal(s.log[0].nr_to_reclaim, (8500 + 97) * PAGE);

	/* Below the kernel's marks with the file LRU short: the pass may
	 * swap, and asks the kernel's deficit alone. */
	sim_node_init(&s, 0, 1000000, 9000, 10000, 100, 300000);
	s.swap = true;
	sim_node_pcp(&s, 3000, 1000);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	n_swap = 0;
	for (unsigned i = 0; i < s.n_log; i++) {
		if (s.log[i].swappiness == 0)
			continue;
		n_swap++;
		assert_true(s.log[i].nr_to_reclaim <= s.log[i].kernel_deficit_bytes);
	}
	assert_true(n_swap > 0);
}

/* Freed pages that pass the per-CPU list by (folios larger than the lists
 * hold): the node asks less of the room each run, a quarter less each
 * time it sees none of it filled, and more again once a pass's pages are
 * seen to go there. */
static void test_pcp_share(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;
	/* 2000 x 768 / 1024, x 576 / 1024; the shares 768, 576, 432 */
	uint64_t room[] = { 2000, 1500, 1125 }, share[] = { 768, 576, 432 };

	(void)state;
	/* 5500 pages short of our high mark, a list with room for 2000. */
	std_node(&s, 12000);
	sim_node_pcp(&s, 3000, 1000);
	s.pcp_bypassed = true;
	balance_node_init(&b, 0);
	for (unsigned i = 0; i < 3; i++) {
		unsigned n0 = s.n_log;

		r = drive(&b, &p, &s);
		assert_true(r.balanced);
		assert_int_equal(s.n_log, n0 + 1);
		assert_int_equal(s.log[n0].wmark_deficit_bytes, (5500 + room[i]) * PAGE);
		/* None of it went to the list: the zone has it all. */
		assert_int_equal(s.pcp_count, 1000);
		assert_int_equal(b.counters.pcp_observations, i + 1);
		assert_int_equal(b.pcp_share, share[i]);
		/* Allocated back to where it was. */
		sim_node_alloc(&s, s.zi.zones[0].free - 12000);
	}

	/* The pages go to the list again: asked 843 of the room (2000 x 432
	 * / 1024), the pass saw 2000 of its pages unshown (the list's room),
	 * the rest of the deficit in a second pass (the full list shows no
	 * room: nothing measured there). */
	s.pcp_bypassed = false;
	{
		unsigned n0 = s.n_log;

		r = drive(&b, &p, &s);
		assert_true(r.balanced);
		assert_int_equal(s.n_log, n0 + 2);
		assert_int_equal(s.log[n0].wmark_deficit_bytes, (5500 + 843) * PAGE);
		assert_int_equal(s.pcp_count, 3000);
		assert_int_equal(b.counters.pcp_observations, 4);
		/* rounded up, towards the new share */
		assert_int_equal(b.pcp_share, (3 * 432 + BALANCE_PCP_SHARE_ONE + 3) / 4);
	}
	/* ... and back to all of it, in a few runs. */
	for (unsigned i = 0; i < 30 && b.pcp_share < BALANCE_PCP_SHARE_ONE; i++) {
		sim_node_pcp(&s, 3000, 1000);
		sim_node_alloc(&s, s.zi.zones[0].free - 12000);
		r = drive(&b, &p, &s);
		assert_true(r.balanced);
	}
	assert_int_equal(b.pcp_share, BALANCE_PCP_SHARE_ONE);

	/* Not measured: passes served by memory.reclaim (a cgroup's write
	 * frees and counts its pages on every node), one where the node file
	 * fell short (the rest spread), and a room under a MiB (a floor for
	 * the noise). Each asks the whole room and learns nothing. */
	for (unsigned i = 0; i < 3; i++) {
		std_node(&s, 12000);
		sim_node_pcp(&s, 3000, i == 2 ? 2900 : 1000);
		s.pcp_bypassed = true;
		s.spread = i == 0;
		if (i == 1)
			s.script[0] = (struct sim_step){ .set = true, .efficiency_permille = -1,
							 .node_file_short = true };
		balance_node_init(&b, 0);
		(void)drive(&b, &p, &s);
		assert_int_equal(s.log[0].wmark_deficit_bytes,
				 (5500 + (i == 2 ? 100 : 2000)) * PAGE);
		assert_int_equal(b.counters.pcp_observations, 0);
		assert_int_equal(b.pcp_share, BALANCE_PCP_SHARE_ONE);
	}
}

/* A pass that reclaims nothing lowers the priority even if it was not
 * asked to raise it; reaching the end of the do-while ends the run short,
 * without a failure when something was reclaimed. */
static void test_priority_exhausted(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.efficiency_permille = 1;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 12);
	for (int i = 0; i < 12; i++)
		assert_int_equal(s.log[i].priority, 12 - i);
	assert_int_equal(r.reason, BALANCE_END_PRIORITY_EXHAUSTED);
	assert_false(r.balanced);
	assert_int_equal(r.priority, 1);
	assert_true(r.nr_reclaimed > 0);
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.runs_ended[BALANCE_END_PRIORITY_EXHAUSTED], 1);
}

static void test_no_progress(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	/* Nothing reclaimed: every pass lowers the priority, the run ends
	 * with no progress and counts a failure. Below the kernel's own high
	 * mark (10000), where a run goes down every priority
	 * (test_no_swap_above_kernel_marks: above it, it ends sooner). */
	std_node(&s, 9000);
	s.efficiency_permille = 0;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 12);
	assert_int_equal(r.nr_reclaimed, 0);
	assert_int_equal(r.reason, BALANCE_END_PRIORITY_EXHAUSTED);
	assert_int_equal(b.kswapd_failures, 1);
	assert_int_equal(b.counters.failures, 1);
}

static void test_failures_hopeless(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	/* Below the kernel's own high mark: above it a run that frees
	 * nothing is kernel-balanced, no failure. */
	std_node(&s, 9000);
	s.efficiency_permille = 0;
	balance_node_init(&b, 0);
	for (unsigned i = 1; i < MAX_RECLAIM_RETRIES; i++) {
		r = drive(&b, &p, &s);
		assert_int_equal(r.failures, i);
		assert_false(r.hopeless);
		assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	}
	r = drive(&b, &p, &s);
	assert_int_equal(r.failures, MAX_RECLAIM_RETRIES);
	assert_true(r.hopeless);
	assert_true(balance_node_hopeless(&b));
	assert_int_equal(b.counters.hopeless, 1);
	assert_int_equal(b.counters.failures, MAX_RECLAIM_RETRIES);
	/* A hopeless node sleeps although it is not balanced. */
	assert_true(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
}

/* Issue 12 defect 2: under SystemBrake= every shrink comes back braked with
 * nothing reclaimed. Each run ends at once (one shrink, no priority
 * escalation), counts no failure, and keeps the boost it owes; the node
 * never goes hopeless however long the stall lasts. */
static void test_braked_no_failure(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.braked = true;
	balance_node_init(&b, 0);
	for (unsigned i = 0; i < 3 * MAX_RECLAIM_RETRIES; i++) {
		s.n_log = 0;
		r = drive(&b, &p, &s);
		assert_int_equal(r.reason, BALANCE_END_BRAKED);
		assert_true(r.braked);
		assert_false(r.balanced);
		assert_int_equal(r.failures, 0);
		assert_false(r.hopeless);
		assert_int_equal(r.priority, DEF_PRIORITY);
		assert_int_equal(s.n_shrinks, i + 1);
	}
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.failures, 0);
	assert_int_equal(b.counters.hopeless, 0);
	assert_int_equal(b.counters.braked, 3 * MAX_RECLAIM_RETRIES);
	assert_int_equal(b.counters.runs_ended[BALANCE_END_BRAKED], 3 * MAX_RECLAIM_RETRIES);

	/* Brake off: the same node reclaims and balances. */
	s.braked = false;
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_BALANCED);

	/* A boost owed on a balanced node is still owed after a braked run,
	 * as after a pause. */
	add_boost(&b, 4 * MIB);
	s.braked = true;
	r = drive(&b, &p, &s);
	assert_int_equal(r.reason, BALANCE_END_BRAKED);
	assert_int_equal(b.boost_ledger_bytes, 4 * MIB);
	s.braked = false;
	r = drive(&b, &p, &s);
	assert_int_equal(r.boost_reclaimed, 4 * MIB);
	assert_int_equal(b.boost_ledger_bytes, 0);
	assert_string_equal(balance_end_reason_to_string(BALANCE_END_BRAKED), "braked");
}

static void make_hopeless(struct balance_node *b, const struct balance_params *p,
			  struct sim_node *s)
{
	unsigned saved = s->efficiency_permille;
	uint64_t free = s->zi.zones[0].free;

	/* Failures count below the kernel's own high mark (10000) only. */
	s->efficiency_permille = 0;
	s->zi.zones[0].free = 9000;
	for (unsigned i = 0; i < MAX_RECLAIM_RETRIES; i++)
		(void)drive(b, p, s);
	s->efficiency_permille = saved;
	s->zi.zones[0].free = free;
	assert_true(balance_node_hopeless(b));
	s->n_log = 0;
}

static void test_hopeless_recovers_by_reclaim(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	make_hopeless(&b, &p, &s);
	/* The operator's reclaim reaches it and succeeds. */
	r = drive(&b, &p, &s);
	assert_true(r.balanced);
	assert_false(r.hopeless);
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.hopeless_recovered, 1);
}

/* Issue 12 defect 6: an operator's node reclaim reaches the engine. */
static void test_manual_reclaim(void **state)
{
	struct balance_params p = std_params();
	struct balance_request pending = BALANCE_REQUEST_NONE;
	struct balance_node b;
	struct sim_node s;

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	make_hopeless(&b, &p, &s);

	/* Nothing reclaimed: the failures stay, but the node is woken. */
	assert_true(balance_node_manual_reclaim(&b, &pending, 0));
	assert_true(balance_node_hopeless(&b));
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_MANUAL_RECLAIM], 1);
	assert_int_equal(pending.reasons, 1u << BALANCE_WAKE_MANUAL_RECLAIM);
	assert_int_equal(pending.highest_zoneidx, WATERMARK_ZONEIDX_ALL);

	/* It freed memory: failures cleared, hopeless no more, woken. */
	pending = BALANCE_REQUEST_NONE;
	assert_true(balance_node_manual_reclaim(&b, &pending, 4096));
	assert_false(balance_node_hopeless(&b));
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.hopeless_recovered, 1);
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_MANUAL_RECLAIM], 2);
	assert_int_equal(b.counters.wakes_ignored_hopeless, 0);
}

static void test_hopeless_recovers_on_its_own(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	make_hopeless(&b, &p, &s);
	/* Still short: stays hopeless. */
	assert_false(balance_observe(&b, &p, &s.zi));
	assert_true(balance_node_hopeless(&b));
	/* A process exits, free memory is back above the high mark. */
	sim_node_release(&s, UHIGH - s.zi.zones[0].free);
	assert_true(balance_observe(&b, &p, &s.zi));
	assert_false(balance_node_hopeless(&b));
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(b.counters.hopeless_recovered, 1);
	/* Observing a healthy node changes nothing. */
	assert_false(balance_observe(&b, &p, &s.zi));
	assert_int_equal(b.counters.hopeless_recovered, 1);
}

static void test_wake_hopeless(void **state)
{
	struct balance_params p = std_params();
	struct balance_request pending = BALANCE_REQUEST_NONE;
	struct balance_request w = BALANCE_REQUEST_NONE;
	struct balance_node b;
	struct sim_node s;

	std_node(&s, 12000);
	balance_node_init(&b, 0);

	w.reasons = 1u << BALANCE_WAKE_WATERMARK;
	w.highest_zoneidx = 1;
	assert_true(balance_node_wake(&b, &pending, &w));
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_WATERMARK], 1);

	make_hopeless(&b, &p, &s);
	pending = BALANCE_REQUEST_NONE;
	w.highest_zoneidx = 2;
	assert_false(balance_node_wake(&b, &pending, &w));
	w.reasons = 1u << BALANCE_WAKE_PSI;
	assert_false(balance_node_wake(&b, &pending, &w));
	assert_int_equal(b.counters.wakes_ignored_hopeless, 2);
	/* Recorded all the same, as wakeup_kswapd() records before it
	 * checks. */
	assert_int_equal(pending.highest_zoneidx, 2);
	w.reasons = 1u << BALANCE_WAKE_MANUAL_RECLAIM;
	assert_true(balance_node_wake(&b, &pending, &w));
	w.reasons = 1u << BALANCE_WAKE_BOOST;
	assert_true(balance_node_wake(&b, &pending, &w));
	assert_int_equal(b.counters.wakes_ignored_hopeless, 2);
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_WATERMARK], 2);
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_PSI], 1);
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_MANUAL_RECLAIM], 1);
	assert_int_equal(b.counters.wakes[BALANCE_WAKE_BOOST], 1);
}

static void test_prepare_sleep(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;

	balance_node_init(&b, 0);
	std_node(&s, UHIGH);
	assert_true(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	/* A boost owed or pending keeps the node awake. */
	assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 1));
	add_boost(&b, MIB);
	assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	b.boost_ledger_bytes = 0;
	std_node(&s, UHIGH - 1);
	assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	/* Dry run: an unbalanced node sleeps until woken (nothing it decided
	 * was done, so it would otherwise run back to back); a boost owed
	 * still keeps it up. */
	p.dry_run = true;
	assert_true(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
	assert_false(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 1));
	p.dry_run = false;
	/* Hopeless: sleep, boost or not. */
	b.kswapd_failures = MAX_RECLAIM_RETRIES;
	assert_true(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, MIB));
}

/* A dry run attempted nothing: a run that "reclaimed" nothing is no
 * failure, and the node never becomes hopeless. */
static void test_dry_run_no_failures(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	p.dry_run = true;
	std_node(&s, 12000);
	s.efficiency_permille = 0;
	balance_node_init(&b, 0);
	for (unsigned i = 0; i < 2 * MAX_RECLAIM_RETRIES; i++) {
		r = drive(&b, &p, &s);
		assert_false(r.balanced);
		assert_int_equal(r.failures, 0);
		assert_false(r.hopeless);
	}
	assert_int_equal(b.counters.failures, 0);
	assert_int_equal(b.counters.runs, 2 * MAX_RECLAIM_RETRIES);
}

/* --- boost --- */

static void test_boost_balanced(void **state)
{
	static const struct want_shrink want[] = {
		/* boost 1024 pages + 400000 >> 12, swappiness 0 */
		{ SHRINK_NODE, 12, 0, 1121, 1121 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 20000);
	balance_node_init(&b, 0);
	add_boost(&b, 4 * MIB);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 1);
	/* At our marks: no watermark job, the rate quota holds a boost. */
	assert_int_equal(s.log[0].wmark_deficit_bytes, 0);
	assert_int_equal(s.log[0].kernel_deficit_bytes, 0);
	assert_true(r.balanced);
	assert_int_equal(r.boost_reclaimed, 4 * MIB);
	assert_int_equal(b.boost_ledger_bytes, 0);
	assert_int_equal(b.counters.boost_reclaimed_bytes, 4 * MIB);
	assert_int_equal(b.counters.boost_restarts, 0);
}

/* Only eligible managed zones' watermark_boost counts; the kernel's boost is
 * not ours to clear, so the (empty) ledger stays empty. */
static void test_boost_kernel_zones(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 20000);
	s.zi.n_zones = 3;
	s.zi.zones[0].boost = 512;
	s.zi.zones[1] = s.zi.zones[0];
	s.zi.zones[1].boost = 1000; /* zone 1: not eligible for hz 0 */
	s.zi.zones[2] = s.zi.zones[0];
	s.zi.zones[2].managed = 0;
	s.zi.zones[2].boost = 2000; /* unmanaged */
	balance_node_init(&b, 0);
	r = drive_hz(&b, &p, &s, 0);
	assert_int_equal(s.n_log, 1);
	/* 512 + 400000 >> 12 */
	assert_int_equal(s.log[0].nr_to_reclaim, (512 + 97) * PAGE);
	assert_int_equal(s.log[0].swappiness, 0);
	assert_int_equal(r.boost_reclaimed, 512 * PAGE);
	assert_int_equal(b.boost_ledger_bytes, 0);
}

/* Issue 12 defect 4: the kernel's boost is paid once per run. zoneinfo
 * keeps showing it until the kernel's own kswapd clears it, so the monitor
 * must not wake the node for it again, nor a later run pay it again: only a
 * new boost (a zone's boost above what was paid) or a deficit wakes. */
static void test_boost_kernel_paid_once(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 20000);
	s.zi.zones[0].boost = 512;
	balance_node_init(&b, 0);
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_KERNEL_BOOST);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 1);
	assert_int_equal(r.boost_reclaimed, 512 * PAGE);

	/* Still in zoneinfo, already paid: no wake, and a run woken for
	 * another reason owes nothing. */
	assert_int_equal(s.zi.zones[0].boost, 512);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_SLEEP);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 1);
	assert_int_equal(r.boost_reclaimed, 0);
	assert_int_equal(r.reason, BALANCE_END_BALANCED);

	/* A new fragmentation event raises it: only the rise is owed. */
	s.zi.zones[0].boost = 800;
	assert_int_equal(balance_kernel_boost_unpaid(&b, &s.zi, WATERMARK_ZONEIDX_ALL), 288);
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_KERNEL_BOOST);
	r = drive(&b, &p, &s);
	assert_int_equal(r.boost_reclaimed, 288 * PAGE);
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_SLEEP);

	/* The kernel's kswapd cleared it; a later boost of the same size is
	 * a new one. */
	s.zi.zones[0].boost = 0;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_SLEEP);
	s.zi.zones[0].boost = 512;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_KERNEL_BOOST);

	/* A deficit wakes whatever the boost. */
	s.zi.zones[0].free = 12000;
	assert_int_equal(balance_monitor_wake(&b, &p, &s.zi), BALANCE_MONITOR_BELOW_LOW);
	assert_string_equal(balance_monitor_wake_to_string(BALANCE_MONITOR_KERNEL_BOOST),
			    "kernel watermark boost");
	assert_null(balance_monitor_wake_to_string(_BALANCE_MONITOR_WAKE_MAX));
}

/* Dry-run pacing (was manager.c's wake_paced(), tested only by
 * daemon-fixture.sh check 25). */
static void test_wake_paced(void **state)
{
	static const unsigned W = 1u << BALANCE_WAKE_WATERMARK, P = 1u << BALANCE_WAKE_PSI,
			      M = 1u << BALANCE_WAKE_MANUAL_RECLAIM, B = 1u << BALANCE_WAKE_BOOST,
			      K = 1u << BALANCE_WAKE_KERNEL_BOOST;
	static const struct {
		bool dry_run;
		unsigned reasons;
		uint64_t at_usec;
		bool paced;
	} cases[] = {
		/* dry run: the first automatic wake passes, then one per
		 * interval_max (1 s), with an eighth of slack for a monitor
		 * tick a little early */
		{ true, W, 1000000, false },
		{ true, W, 1500000, true },
		{ true, P, 1874999, true },
		{ true, P, 1875000, false },
		{ true, W | P, 2100000, true },
		/* operator wakes are never paced, nor do they move the clock */
		{ true, M, 2200000, false },
		{ true, B, 2300000, false },
		{ true, W | B, 2400000, false },
		{ true, W, 2500000, true },
		{ true, W, 3000000, false },
		/* a kernel boost is the monitor's, as automatic as a watermark */
		{ true, K, 3500000, true },
		{ true, K, 4000000, false },
		/* not a dry run: never paced */
		{ false, W, 4000001, false },
		{ false, P, 4000002, false },
		{ false, K, 4000003, false },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	uint64_t paced = 0;

	balance_node_init(&b, 0);
	p.wmark.interval_max_usec = 1000000;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		p.dry_run = cases[i].dry_run;
		if (balance_wake_paced(&b, &p, cases[i].reasons, cases[i].at_usec) != cases[i].paced)
			fail_msg("case %zu: paced should be %d", i, cases[i].paced);
		paced += cases[i].paced;
	}
	assert_int_equal(b.counters.wakes_paced, paced);
}

/* Which run ends are routine (balance_run_routine()): the watermark's
 * alone, ended balanced or kernel-balanced at a gentle priority, with no
 * failure and no boost paid. Each other case is logged at info. */
static void test_run_routine(void **state)
{
	const unsigned wm = 1u << BALANCE_WAKE_WATERMARK;
	const struct balance_result ok = { .reason = BALANCE_END_BALANCED,
					   .balanced = true,
					   .nr_reclaimed = 20 * MIB,
					   .priority = DEF_PRIORITY };
	struct {
		const char *what;
		struct balance_result r;
		unsigned wake;
		bool routine;
	} cases[] = {
		{ "balanced at 12", ok, wm, true },
		{ "kernel-balanced, nothing taken",
		  { .reason = BALANCE_END_KERNEL_BALANCED, .priority = DEF_PRIORITY },
		  wm,
		  true },
		{ "balanced at 10", { .reason = BALANCE_END_BALANCED, .priority = 10 }, wm, true },
		{ "balanced at 9", { .reason = BALANCE_END_BALANCED, .priority = 9 }, wm, false },
		{ "PSI wake", ok, 1u << BALANCE_WAKE_PSI, false },
		{ "watermark and boost", ok, wm | 1u << BALANCE_WAKE_BOOST, false },
		{ "kernel boost wake", ok, 1u << BALANCE_WAKE_KERNEL_BOOST, false },
		{ "operator", ok, 1u << BALANCE_WAKE_MANUAL_RECLAIM, false },
		{ "no wake known", ok, 0, false },
		{ "boost paid",
		  { .reason = BALANCE_END_BALANCED, .priority = DEF_PRIORITY,
		    .boost_reclaimed = MIB },
		  wm,
		  false },
		{ "kernel boost paid",
		  { .reason = BALANCE_END_BALANCED, .priority = DEF_PRIORITY,
		    .kernel_boost_paid = true },
		  wm,
		  false },
		{ "failures",
		  { .reason = BALANCE_END_KERNEL_BALANCED, .priority = DEF_PRIORITY, .failures = 1 },
		  wm,
		  false },
		{ "priority-exhausted", { .reason = BALANCE_END_PRIORITY_EXHAUSTED, .priority = 1 }, wm,
		  false },
		{ "braked", { .reason = BALANCE_END_BRAKED, .priority = DEF_PRIORITY }, wm, false },
		{ "boost-no-progress",
		  { .reason = BALANCE_END_BOOST_NO_PROGRESS, .priority = DEF_PRIORITY },
		  wm,
		  false },
		{ "interrupted", { .reason = BALANCE_END_INTERRUPTED, .priority = DEF_PRIORITY }, wm,
		  false },
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (balance_run_routine(&cases[i].r, cases[i].wake) != cases[i].routine)
			fail_msg("%s: routine should be %d", cases[i].what, cases[i].routine);
}

/* The run-end lines of routine runs: the first of a window at info, the
 * next at debug and summed up once the window is over; a notable run at
 * info whatever the window; a window over with nothing to sum up closes,
 * and a stop sums up what is counted (force). */
static void test_run_log_window(void **state)
{
	const uint64_t SEC = 1000000, t0 = 7 * SEC, window = BALANCE_RUN_LOG_WINDOW_USEC;
	const unsigned wm = 1u << BALANCE_WAKE_WATERMARK;
	const struct balance_result routine = { .reason = BALANCE_END_BALANCED,
						.nr_reclaimed = 4 * MIB,
						.priority = DEF_PRIORITY };
	const struct balance_result at11 = { .reason = BALANCE_END_KERNEL_BALANCED,
					     .nr_reclaimed = MIB,
					     .priority = DEF_PRIORITY - 1 };
	const struct balance_result exhausted = { .reason = BALANCE_END_PRIORITY_EXHAUSTED,
						  .priority = 1 };
	struct balance_run_log l = {};
	struct balance_run_log_totals t;
	uint64_t span;

	(void)state;
	assert_int_equal(window, 60 * SEC);
	assert_false(balance_run_log_summary_take(&l, t0, false, &t, &span));
	assert_true(balance_run_log_account(&l, &routine, wm, t0));
	for (int i = 1; i <= 99; i++)
		assert_false(balance_run_log_account(&l, i % 3 ? &routine : &at11, wm,
						     t0 + (uint64_t)i * 100000));
	/* Not routine: logged, not counted. */
	assert_true(balance_run_log_account(&l, &exhausted, wm, t0 + 10 * SEC));
	assert_true(balance_run_log_account(&l, &routine, 1u << BALANCE_WAKE_PSI,
					    t0 + 11 * SEC));
	assert_false(balance_run_log_summary_take(&l, t0 + window - 1, false, &t, &span));
	assert_true(balance_run_log_summary_take(&l, t0 + window + 5, false, &t, &span));
	assert_int_equal(t.runs, 99);
	assert_int_equal(t.ended[BALANCE_END_BALANCED], 66);
	assert_int_equal(t.ended[BALANCE_END_KERNEL_BALANCED], 33);
	assert_int_equal(t.reclaimed_bytes, 66 * 4 * MIB + 33 * MIB);
	assert_int_equal(t.priority, DEF_PRIORITY - 1);
	assert_int_equal(span, window + 5);
	/* Still coming: the next window opened with no line of its own. */
	assert_false(balance_run_log_account(&l, &routine, wm, t0 + window + 6));
	assert_false(balance_run_log_summary_take(&l, t0 + window + 7, false, &t, &span));
	/* At stop, what is counted whatever the window's age. */
	assert_true(balance_run_log_summary_take(&l, t0 + window + 8, true, &t, &span));
	assert_int_equal(t.runs, 1);
	assert_int_equal(t.priority, DEF_PRIORITY);
	assert_int_equal(span, 3);
	/* A window with nothing counted closes: the next routine run is
	 * logged, and opens one. */
	assert_false(balance_run_log_summary_take(&l, t0 + 3 * window, false, &t, &span));
	assert_int_equal(l.since_usec, 0);
	assert_true(balance_run_log_account(&l, &routine, wm, t0 + 3 * window + 1));
	assert_false(balance_run_log_account(&l, &routine, wm, t0 + 3 * window + 2));
	/* A window over with nothing counted, before the tick that would
	 * close it: the next routine run is logged, and opens the next. */
	assert_true(balance_run_log_summary_take(&l, t0 + 4 * window + 2, false, &t, &span));
	assert_true(balance_run_log_account(&l, &routine, wm, t0 + 5 * window + 3));
	assert_false(balance_run_log_account(&l, &routine, wm, t0 + 5 * window + 4));
	assert_true(balance_run_log_summary_take(&l, t0 + 6 * window + 3, false, &t, &span));
	assert_int_equal(t.runs, 1);
}

/* The dry run's summary line: only in dry run, a minute apart at least,
 * and only when the runs since the last one would have written. */
static void test_dry_run_summary(void **state)
{
	const uint64_t start = 5000000, minute = BALANCE_DRY_RUN_SUMMARY_USEC;
	struct balance_dry_run_summary s = { .since_usec = start };
	struct balance_dry_run_totals d;
	uint64_t span;

	assert_int_equal(minute, 60000000);
	assert_false(balance_dry_run_summary_due(&s, /* dry_run= */ false, start + 10 * minute));
	assert_false(balance_dry_run_summary_due(&s, true, start));
	assert_false(balance_dry_run_summary_due(&s, true, start + minute - 1));
	assert_true(balance_dry_run_summary_due(&s, true, start + minute));

	/* Runs that would have written nothing: no line, but the mark moves. */
	assert_false(balance_dry_run_summary_take(&s, &(struct balance_dry_run_totals){ 4, 0, 0 },
						  start + minute, &d, &span));
	assert_int_equal(s.since_usec, start + minute);
	assert_int_equal(s.at.runs, 4);
	assert_false(balance_dry_run_summary_due(&s, true, start + 2 * minute - 1));
	assert_true(balance_dry_run_summary_due(&s, true, start + 2 * minute + 7));

	/* What was decided since the mark, over the time since it. */
	assert_true(balance_dry_run_summary_take(&s, &(struct balance_dry_run_totals){ 9, 3, 3 * MIB },
						 start + 2 * minute + 7, &d, &span));
	assert_int_equal(d.runs, 5);
	assert_int_equal(d.writes, 3);
	assert_int_equal(d.bytes, 3 * MIB);
	assert_int_equal(span, minute + 7);
	assert_int_equal(s.since_usec, start + 2 * minute + 7);
	assert_int_equal(s.at.writes, 3);

	/* More runs, no more writes: nothing to say. */
	assert_false(balance_dry_run_summary_take(&s, &(struct balance_dry_run_totals){ 12, 3, 3 * MIB },
						  start + 3 * minute + 7, &d, &span));
	/* Offload's writes alone are worth a line (they were counted under
	 * node 0's until they had a context of their own). */
	assert_true(balance_dry_run_summary_take(
		&s, &(struct balance_dry_run_totals){ 12, 3, 3 * MIB, 2, 8 * MIB },
		start + 4 * minute + 7, &d, &span));
	assert_int_equal(d.runs, 0);
	assert_int_equal(d.writes, 0);
	assert_int_equal(d.cgroup_writes, 2);
	assert_int_equal(d.cgroup_bytes, 8 * MIB);
}

/* 50% efficiency, 4 MiB boost, 1 MiB steps: 128 pages a pass; the priority
 * falls to DEF_PRIORITY - 2 and stays there; never any swap. */
static void test_boost_priority_floor(void **state)
{
	static const int want_prio[] = { 12, 11, 10, 10, 10, 10, 10, 10 };
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 20000);
	s.efficiency_permille = 500;
	p.step_bytes = 1 * MIB;
	balance_node_init(&b, 0);
	add_boost(&b, 4 * MIB);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(s.log[i].priority, want_prio[i]);
		assert_int_equal(s.log[i].swappiness, 0);
		assert_int_equal(s.log[i].nr_to_reclaim, 256 * PAGE);
		assert_int_equal(s.log_res[i].nr_reclaimed, 128 * PAGE);
	}
	assert_true(r.balanced);
	assert_int_equal(r.priority, DEF_PRIORITY - 2);
	assert_int_equal(b.counters.passes[10], 6);
	assert_int_equal(b.counters.passes[9], 0);
	assert_int_equal(b.boost_ledger_bytes, 0);
}

/* Balanced with a boost; the first boosted pass falls short (priority 11),
 * then an allocation burst unbalances the node: the boost is dropped and
 * the run restarts as normal reclaim at DEF_PRIORITY. The dropped boost is
 * cleared from the ledger at the end, as the kernel clears zone boosts. */
static void test_boost_drop_and_restart(void **state)
{
	static const struct want_shrink want[] = {
		{ SHRINK_NODE, 12, 0, 256, 128 },
		{ SHRINK_NODE, 11, 0, 256, 256 },
		/* restart: deficit 17500 - 15984 = 1516 */
		{ SHRINK_NODE, 12, 0, 256, 256 },
		{ SHRINK_NODE, 12, 0, 256, 256 },
		{ SHRINK_NODE, 12, 0, 256, 256 },
		{ SHRINK_NODE, 12, 0, 256, 256 },
		{ SHRINK_NODE, 12, 0, 256, 256 },
		{ SHRINK_NODE, 12, 0, 256, 256 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 17600);
	p.step_bytes = 1 * MIB;
	s.script[0] = (struct sim_step){ .set = true, .efficiency_permille = 500 };
	s.script[1] = (struct sim_step){ .set = true, .efficiency_permille = -1,
					 .alloc_pages = 2000 };
	balance_node_init(&b, 0);
	add_boost(&b, 4 * MIB);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 8);
	assert_true(r.balanced);
	assert_int_equal(b.counters.boost_restarts, 1);
	assert_int_equal(r.boost_reclaimed, 384 * PAGE);
	assert_int_equal(b.boost_ledger_bytes, 0);
	assert_int_equal(b.counters.passes[12], 7);
	assert_int_equal(b.counters.passes[11], 1);
}

static void test_boost_abort_no_progress(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 20000);
	s.efficiency_permille = 0;
	balance_node_init(&b, 0);
	add_boost(&b, 4 * MIB);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_log, 1);
	assert_int_equal(r.reason, BALANCE_END_BOOST_NO_PROGRESS);
	assert_false(r.balanced);
	assert_int_equal(b.kswapd_failures, 1);
	/* Cleared like a zone boost, so the node can sleep. */
	assert_int_equal(b.boost_ledger_bytes, 0);
	assert_true(balance_prepare_sleep(&b, &p, &s.zi, WATERMARK_ZONEIDX_ALL, 0));
}

/* Pause or stop after a write: leave the loop; a boost keeps what it still
 * owes, for the next run. */
static void test_interrupted(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct shrink_result sr;
	struct balance_result r;

	std_node(&s, 20000);
	p.step_bytes = 1 * MIB;
	balance_node_init(&b, 0);
	add_boost(&b, 4 * MIB);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 1000);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	/* Issued and not accounted: asking again is a bug. */
	assert_int_equal(balance_next(&b, &p, &zi, &req), -EBUSY);
	assert_int_equal(sim_node_shrink(&s, &req, &sr), 0);
	balance_account(&b, &p, &req, &sr);
	balance_interrupt(&b);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 1500, &r);
	assert_int_equal(r.reason, BALANCE_END_INTERRUPTED);
	assert_false(r.balanced);
	assert_int_equal(r.nr_reclaimed, 1 * MIB);
	assert_int_equal(b.boost_ledger_bytes, 3 * MIB);
	assert_int_equal(b.kswapd_failures, 0);
	assert_int_equal(r.duration_usec, 500);
	/* No run in progress. */
	assert_int_equal(balance_next(&b, &p, &zi, &req), -EINVAL);
}

/* A pass ahead of the kernel ends the run only if it freed nothing for
 * want of page cache: a write that failed or was interrupted says nothing
 * of that, and the run goes on. */
static void test_kernel_balanced_not_on_errors(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct balance_result r;
	const struct shrink_result empty = { .nr_writes = 1 };
	const struct shrink_result failed = { .nr_writes = 1, .nr_errors = 1 };

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 1000);
	for (int prio = 12; prio >= 9; prio--) {
		assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
		assert_int_equal(req.priority, prio);
		balance_account(&b, &p, &req, prio == 9 ? &failed : &empty);
	}
	/* Priority 9's write failed: priority 8 is asked, file-only. */
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.priority, 8);
	assert_int_equal(req.swappiness, 0);
	balance_account(&b, &p, &req, &empty);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 2000, &r);
	assert_int_equal(r.reason, BALANCE_END_KERNEL_BALANCED);
	assert_int_equal(r.priority, 8);
}

/* Under the system brake: plan the run's passes up to its node pass, each
 * soft-target pass before it stopped by the brake. */
static void braked_to_node_pass(struct balance_node *b, const struct balance_params *p,
				const struct node_zoneinfo *zi, struct shrink_request *req)
{
	const struct shrink_result braked = { .braked = true };

	do {
		assert_int_equal(balance_next(b, p, zi, req), 1);
		if (req->kind == SHRINK_SOFT_TARGET)
			balance_account(b, p, req, &braked);
	} while (req->kind != SHRINK_NODE);
}

/* Under the system brake the soft-target pass is stopped, but a node below
 * the kernel's own high mark still gets its node pass (the actuator cuts
 * it to kernel_deficit_bytes), and the run ends braked after it; above
 * the mark the run ends braked at once. */
static void test_braked_soft_pass_below_kernel_marks(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct node_zoneinfo zi;
	struct shrink_request req;
	struct balance_result r;
	const struct shrink_result braked = { .braked = true };
	const struct shrink_result cut = {
		.brake_cut = true, .nr_requested = 1000 * PAGE, .nr_reclaimed = 1000 * PAGE
	};

	p.soft_target = true;
	std_node(&s, 9000);
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 1000);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_SOFT_TARGET);
	balance_account(&b, &p, &req, &braked);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_NODE);
	assert_int_equal(req.kernel_deficit_bytes, 1000 * PAGE);
	/* The actuator cut it to the deficit and got it: counted as a cut
	 * pass, and the run ends there, braked, with what it got, although
	 * the node is still short of our marks (before, it went on with a
	 * pass at DEF_PRIORITY, each cut to the deficit of the moment). */
	balance_account(&b, &p, &req, &cut);
	assert_int_equal(b.counters.brake_cut_passes, 1);
	assert_int_equal(b.counters.reclaimed_bytes[DEF_PRIORITY], 1000 * PAGE);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 2000, &r);
	assert_int_equal(r.reason, BALANCE_END_BRAKED);
	assert_true(r.braked);
	assert_true(r.brake_cut);
	assert_int_equal(r.nr_reclaimed, 1000 * PAGE);
	assert_int_equal(r.failures, 0);
	assert_int_equal(b.counters.braked, 1);

	/* A cut pass that got nothing ends it braked too: no failure, no
	 * priority below DEF_PRIORITY. */
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 3000);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	balance_account(&b, &p, &req, &braked);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_NODE);
	balance_account(&b, &p, &req,
			&(const struct shrink_result){ .brake_cut = true,
						       .nr_requested = 1000 * PAGE });
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 4000, &r);
	assert_int_equal(r.reason, BALANCE_END_BRAKED);
	assert_true(r.brake_cut);
	assert_int_equal(r.priority, DEF_PRIORITY);
	assert_int_equal(r.failures, 0);

	/* Far below the kernel's mark, with a pass the step keeps under the
	 * deficit, the deficit does not shorten the pass: the brake let it
	 * on, whole, and the run goes on as the kernel's kswapd would. */
	p.step_bytes = 16 * MIB;
	std_node(&s, 500);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 4500);
	braked_to_node_pass(&b, &p, &zi, &req);
	assert_true(req.kernel_deficit_bytes >= req.nr_to_reclaim);
	balance_account(&b, &p, &req,
			&(const struct shrink_result){ .brake_cut = true,
						       .nr_requested = req.nr_to_reclaim,
						       .nr_reclaimed = req.nr_to_reclaim });
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	balance_interrupt(&b);
	balance_end(&b, &p, 4600, &r);
	assert_int_equal(r.reason, BALANCE_END_INTERRUPTED);
	p = std_params();
	p.soft_target = true;
	std_node(&s, 9000);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);

	/* A pause or stop that came during the cut pass makes the run an
	 * interrupted one, which holds no wait: not brake_cut. */
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 5000);
	braked_to_node_pass(&b, &p, &zi, &req);
	balance_account(&b, &p, &req, &cut);
	balance_interrupt(&b);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 6000, &r);
	assert_int_equal(r.reason, BALANCE_END_INTERRUPTED);
	assert_false(r.braked);
	assert_false(r.brake_cut);
	assert_int_equal(r.nr_reclaimed, 1000 * PAGE);

	std_node(&s, 12000);
	balance_node_init(&b, 0);
	assert_int_equal(sim_node_snapshot(&s, 0, &zi), 0);
	balance_begin(&b, &p, &zi, WATERMARK_ZONEIDX_ALL, 1000);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 1);
	assert_int_equal(req.kind, SHRINK_SOFT_TARGET);
	balance_account(&b, &p, &req, &braked);
	assert_int_equal(balance_next(&b, &p, &zi, &req), 0);
	balance_end(&b, &p, 2000, &r);
	assert_int_equal(r.reason, BALANCE_END_BRAKED);
	assert_false(r.brake_cut);
}

/* --- soft target --- */

static void test_soft_target_first(void **state)
{
	static const struct want_shrink want[] = {
		{ SHRINK_SOFT_TARGET, 12, 0, 5597, 1000 },
		{ SHRINK_NODE, 12, 0, 4597, 4597 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	p.soft_target = true;
	std_node(&s, 12000);
	s.soft_excess_pages = 1000;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 2);
	assert_true(r.balanced);
	assert_int_equal(b.counters.soft_reclaimed_bytes, 1000 * PAGE);
	assert_int_equal(b.counters.reclaimed_bytes[12], 5597 * PAGE);
	assert_int_equal(b.counters.passes[12], 1);
}

/* Below the kernel's high mark (10000) by 1000 pages: the soft pass takes
 * 600 of them, and the node pass is told the 400 left (the rate quota
 * and the system brake's cut go by it), not the 1000 seen before; the
 * deficit to our own marks is told less the 600 too. */
static void test_soft_target_kernel_deficit(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	uint64_t wmark_deficit;

	(void)state;
	p.soft_target = true;
	std_node(&s, 9000);
	s.soft_excess_pages = 600;
	wmark_deficit = watermark_node_deficit(&s.zi, WATERMARK_ZONEIDX_ALL, &p.wmark);
	assert_true(wmark_deficit > 1000);
	balance_node_init(&b, 0);
	(void)drive(&b, &p, &s);
	assert_true(s.n_log >= 2);
	assert_int_equal(s.log[0].kind, SHRINK_SOFT_TARGET);
	assert_int_equal(s.log_res[0].nr_reclaimed, 600 * PAGE);
	assert_int_equal(s.log[1].kind, SHRINK_NODE);
	assert_int_equal(s.log[1].kernel_deficit_bytes, 400 * PAGE);
	/* And the deficit to our own marks, which the rate quota does not
	 * hold back either (the watermark job). */
	assert_int_equal(s.log[1].wmark_deficit_bytes, (wmark_deficit - 600) * PAGE);
}

/* The soft pass freed the whole pass: no node write, priority kept. */
static void test_soft_target_covers_pass(void **state)
{
	static const struct want_shrink want[] = {
		{ SHRINK_SOFT_TARGET, 12, 0, 5597, 5597 },
	};
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	p.soft_target = true;
	std_node(&s, 12000);
	s.soft_excess_pages = 100000;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_log(&s, want, 1);
	assert_true(r.balanced);
	assert_int_equal(r.priority, 12);
}

static void test_shrink_error(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.shrink_error = -EIO;
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	assert_int_equal(s.n_shrinks, 12);
	assert_int_equal(b.counters.shrink_errors, 12);
	assert_int_equal(r.nr_reclaimed, 0);
	assert_int_equal(b.kswapd_failures, 1);
}

static void test_dry_run(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;

	struct balance_result r;

	p.dry_run = true;
	std_node(&s, 12000);
	balance_node_init(&b, 0);
	r = drive(&b, &p, &s);
	/* One pass, at DEF_PRIORITY and file-only, then the run ends: it
	 * used to walk all twelve priorities (and plan swap below 10) as if
	 * each write had failed. */
	assert_int_equal(s.n_log, 1);
	assert_true(s.log[0].dry_run);
	assert_int_equal(s.log[0].priority, DEF_PRIORITY);
	assert_int_equal(s.log[0].swappiness, 0);
	assert_int_equal(r.reason, BALANCE_END_DRY_RUN);
	assert_string_equal(balance_end_reason_to_string(r.reason), "dry-run");
	assert_false(r.balanced);
	assert_int_equal(r.failures, 0);
	assert_int_equal(s.zi.zones[0].free, 12000);
}

static void test_counters(void **state)
{
	struct balance_params p = std_params();
	struct balance_node b;
	struct sim_node s;
	struct balance_result r;

	std_node(&s, 12000);
	s.usec_per_shrink = 2500;
	s.efficiency_permille = 500;
	balance_node_init(&b, 0);
	s.now_usec = 1000000;
	r = drive(&b, &p, &s);
	/* Four shrinks of 2.5 ms simulated time each. */
	assert_int_equal(r.duration_usec, 10000);
	assert_int_equal(b.counters.last_run_usec, 10000);
	(void)drive(&b, &p, &s); /* balanced: no shrink, no time */
	assert_int_equal(b.counters.last_run_usec, 0);
	assert_int_equal(b.counters.total_run_usec, 10000);
	assert_int_equal(b.counters.runs, 2);
	assert_int_equal(b.counters.runs_ended[BALANCE_END_BALANCED], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swappiness_policy),
		cmocka_unit_test(test_pass_bytes),
		cmocka_unit_test(test_pcp_room),
		cmocka_unit_test(test_pcp_share),
		cmocka_unit_test(test_params_validate),
		cmocka_unit_test(test_request_merge),
		cmocka_unit_test(test_request_keep_premature),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_balanced_no_work),
		cmocka_unit_test(test_normal_reclaim),
		cmocka_unit_test(test_raise_priority),
		cmocka_unit_test(test_continues_on_free),
		cmocka_unit_test(test_refresh_kind),
		cmocka_unit_test(test_swap_after_file_stalls),
		cmocka_unit_test(test_no_swap_above_kernel_marks),
		cmocka_unit_test(test_node_file_short_ahead_ends_run),
		cmocka_unit_test(test_kernel_balanced_not_on_errors),
		cmocka_unit_test(test_braked_soft_pass_below_kernel_marks),
		cmocka_unit_test(test_pace_measure),
		cmocka_unit_test(test_pace_counts_offload),
		cmocka_unit_test(test_pace_reclaimed_elsewhere),
		cmocka_unit_test(test_pace_wakes_early),
		cmocka_unit_test(test_shrink_node_satisfied),
		cmocka_unit_test(test_quota_limited_no_escalation),
		cmocka_unit_test(test_quota_nothing_no_pass),
		cmocka_unit_test(test_priority_exhausted),
		cmocka_unit_test(test_no_progress),
		cmocka_unit_test(test_failures_hopeless),
		cmocka_unit_test(test_braked_no_failure),
		cmocka_unit_test(test_hopeless_recovers_by_reclaim),
		cmocka_unit_test(test_hopeless_recovers_on_its_own),
		cmocka_unit_test(test_manual_reclaim),
		cmocka_unit_test(test_wake_hopeless),
		cmocka_unit_test(test_prepare_sleep),
		cmocka_unit_test(test_dry_run_no_failures),
		cmocka_unit_test(test_boost_balanced),
		cmocka_unit_test(test_boost_kernel_zones),
		cmocka_unit_test(test_boost_kernel_paid_once),
		cmocka_unit_test(test_wake_paced),
		cmocka_unit_test(test_dry_run_summary),
		cmocka_unit_test(test_run_routine),
		cmocka_unit_test(test_run_log_window),
		cmocka_unit_test(test_boost_priority_floor),
		cmocka_unit_test(test_boost_drop_and_restart),
		cmocka_unit_test(test_boost_abort_no_progress),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_soft_target_first),
		cmocka_unit_test(test_soft_target_covers_pass),
		cmocka_unit_test(test_soft_target_kernel_deficit),
		cmocka_unit_test(test_shrink_error),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_counters),
	};

	return cmocka_run_group_tests_name("balance", tests, NULL, NULL);
}
