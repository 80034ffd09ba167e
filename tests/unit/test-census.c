/* SPDX-License-Identifier: GPL-2.0-only */
/* census.c: which candidate cgroups a reclaim pass reads (issue 14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "census.h"
#include "macro.h"

#define SEC UINT64_C(1000000)
#define MSEC UINT64_C(1000)
#define MiB (UINT64_C(1) << 20)
#define HOT_BYTES (UINT64_C(64) << 10) /* MinWrite='s default */

static void test_due(void **state)
{
	static const struct {
		struct census c;
		uint64_t generation, now_usec;
		bool due, due_short;
	} cases[] = {
		/* never ran */
		{ { .done = false }, 0, 5 * SEC, true, true },
		/* ran 0.5 s ago: neither; a short pass waits 100 ms */
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 3, 10 * SEC + 500 * MSEC,
		  false, true },
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 3, 10 * SEC + 99 * MSEC,
		  false, false },
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 3, 10 * SEC + 100 * MSEC,
		  false, true },
		/* the interval has passed */
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 3, 11 * SEC, true, true },
		/* a rescan swapped the table: new candidates are unknown */
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 4, 10 * SEC + 1, true,
		  false },
		/* a clock behind the census: read everything */
		{ { .done = true, .last_usec = 10 * SEC, .generation = 3 }, 3, 9 * SEC, true, true },
	};
	struct census_params p = { .hot_bytes = HOT_BYTES };

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		if (census_due(&cases[i].c, &p, cases[i].generation, cases[i].now_usec) !=
		    cases[i].due)
			fail_msg("case %zu: due should be %d", i, cases[i].due);
		if (census_due_short(&cases[i].c, &p, cases[i].now_usec) != cases[i].due_short)
			fail_msg("case %zu: due_short should be %d", i, cases[i].due_short);
	}
}

static void test_params(void **state)
{
	struct census c = { 0 };
	struct census_params p = { .interval_usec = 5 * SEC, .short_interval_usec = 2 * SEC };

	census_done(&c, 7, 100 * SEC);
	assert_true(c.done);
	assert_int_equal(c.generation, 7);
	assert_int_equal(c.last_usec, 100 * SEC);
	assert_false(census_due(&c, &p, 7, 104 * SEC));
	assert_true(census_due(&c, &p, 7, 105 * SEC));
	assert_false(census_due_short(&c, &p, 101 * SEC));
	assert_true(census_due_short(&c, &p, 102 * SEC));
}

static void test_read_of(void **state)
{
	static const struct {
		struct census_candidate cand;
		bool census;
		enum census_read want;
	} cases[] = {
		/* idle: skipped, except by a census */
		{ { .node_reclaimable_bytes = 0 }, false, CENSUS_READ_NONE },
		{ { .node_reclaimable_bytes = 0 }, true, CENSUS_READ_FULL },
		/* less than the smallest write: nothing can be planned */
		{ { .node_reclaimable_bytes = HOT_BYTES - 1 }, false, CENSUS_READ_NONE },
		{ { .node_reclaimable_bytes = HOT_BYTES }, false, CENSUS_READ_FULL },
		/* a policy is read every pass, idle or not */
		{ { .node_reclaimable_bytes = 0, .policy = true }, false, CENSUS_READ_FULL },
		/* removed: never, not even by a census */
		{ { .node_reclaimable_bytes = 512 * MiB, .gone = true }, true, CENSUS_READ_NONE },
		{ { .policy = true, .gone = true }, false, CENSUS_READ_NONE },
	};
	struct census_params p = { .hot_bytes = HOT_BYTES };

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (census_read_of(&cases[i].cand, &p, cases[i].census) != cases[i].want)
			fail_msg("case %zu: read should be %d", i, cases[i].want);
}

/* A pass at a priority defers the candidates its reach leaves out: read
 * only if the plan over the others descends. */
static void test_read_of_reach(void **state)
{
	static const struct {
		struct census_candidate cand;
		int priority;
		bool census;
		enum census_read want;
	} cases[] = {
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9 }, 12, false, CENSUS_READ_DEFERRED },
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9 }, 10, false, CENSUS_READ_DEFERRED },
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9 }, 9, false, CENSUS_READ_FULL },
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9 }, 1, false, CENSUS_READ_FULL },
		{ { .node_reclaimable_bytes = 900 * MiB, .reach = 12 }, 12, false, CENSUS_READ_FULL },
		/* no priority (a pass that does not spread): every one reached */
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 0 }, 0, false, CENSUS_READ_FULL },
		/* a census reads it, a policy too */
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9 }, 12, true, CENSUS_READ_FULL },
		{ { .node_reclaimable_bytes = 0, .reach = 0, .policy = true }, 12, false, CENSUS_READ_FULL },
		/* an offload backoff is a guarantee: never deferred */
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 0, .held = true }, 12, false, CENSUS_READ_FULL },
		{ { .node_reclaimable_bytes = HOT_BYTES - 1, .held = true }, 12, false, CENSUS_READ_NONE },
		/* below the smallest write: nothing to plan at any priority */
		{ { .node_reclaimable_bytes = HOT_BYTES - 1, .reach = 12 }, 12, false, CENSUS_READ_NONE },
		{ { .node_reclaimable_bytes = 3 * MiB, .reach = 9, .gone = true }, 12, true, CENSUS_READ_NONE },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct census_params p = { .hot_bytes = HOT_BYTES, .priority = cases[i].priority };

		if (census_read_of(&cases[i].cand, &p, cases[i].census) != cases[i].want)
			fail_msg("case %zu: read should be %d", i, cases[i].want);
	}
}

static void test_read_soft(void **state)
{
	static const struct {
		struct census_candidate cand;
		enum census_read want;
	} cases[] = {
		/* no SoftTarget=: target_soft() plans nothing, busy or not */
		{ { .node_reclaimable_bytes = 900 * MiB }, CENSUS_READ_NONE },
		{ { .node_reclaimable_bytes = 900 * MiB, .policy = true }, CENSUS_READ_NONE },
		/* SoftTarget=: read fresh, even with nothing on the node */
		{ { .policy = true, .soft_target = true }, CENSUS_READ_FULL },
		{ { .policy = true, .soft_target = true, .gone = true }, CENSUS_READ_NONE },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (census_read_soft(&cases[i].cand) != cases[i].want)
			fail_msg("case %zu: read should be %d", i, cases[i].want);
}

static void test_guard_needed(void **state)
{
	/* Only the node file reaches memory the pass did not read. */
	assert_true(census_guard_needed(TARGET_BACKEND_NODE_FILE, 200));
	assert_false(census_guard_needed(TARGET_BACKEND_NODE_FILE, 0));
	assert_false(census_guard_needed(TARGET_BACKEND_CGROUPS, 200));
	assert_false(census_guard_needed(TARGET_BACKEND_NONE, 200));
}

/*
 * The table: 200 idle cgroups and one busy one (work/stream), a
 * node pass every 50 ms for 5 s, driven as the actuator drives it: a census
 * when due reads all, otherwise census_read_of() per candidate; a read
 * learns the cgroup's true node-local memory. Reads per pass follow the
 * busy cgroup, not the table: 1, with a full read of 201 once a second.
 * Reading every candidate on every pass (the old collect_candidates())
 * fails the per-pass count.
 */
#define N_IDLE 200
#define N_CG (N_IDLE + 1)

struct sim {
	uint64_t truth[N_CG]; /* node-local reclaimable bytes */
	struct census_candidate known[N_CG];
	struct census c;
};

static unsigned sim_pass(struct sim *s, const struct census_params *p, uint64_t now,
			 bool *ret_census, bool *ret_read)
{
	bool census = census_due(&s->c, p, /* generation= */ 1, now);
	unsigned reads = 0;

	for (unsigned i = 0; i < N_CG; i++) {
		ret_read[i] = census_read_of(&s->known[i], p, census) == CENSUS_READ_FULL;
		if (!ret_read[i])
			continue;
		s->known[i].node_reclaimable_bytes = s->truth[i];
		reads++;
	}
	if (census)
		census_done(&s->c, 1, now);
	*ret_census = census;
	return reads;
}

static void test_idle_table_reads(void **state)
{
	static struct sim s;
	struct census_params p = { .hot_bytes = HOT_BYTES };
	unsigned censuses = 0, total = 0, passes = 0;
	bool read[N_CG];
	/* Cgroup 7 starts holding memory at 2.03 s; when is it first read? */
	const uint64_t t0 = 2 * SEC + 30 * MSEC;
	uint64_t found = 0;

	s.truth[N_IDLE] = 900 * MiB; /* the busy one, last in the table */
	for (uint64_t now = SEC; now < 6 * SEC; now += 50 * MSEC) {
		bool census;
		unsigned reads;

		if (now >= t0)
			s.truth[7] = 10 * MiB;
		reads = sim_pass(&s, &p, now, &census, read);
		passes++;
		total += reads;
		assert_true(read[N_IDLE]); /* the busy one, fresh every pass */
		if (census) {
			censuses++;
			assert_int_equal(reads, N_CG);
		} else {
			assert_int_equal(reads, found ? 2 : 1);
		}
		if (!found && now >= t0 && read[7])
			found = now;
	}
	assert_int_equal(passes, 100);
	/* At 1, 2, 3, 4 and 5 s. */
	assert_int_equal(censuses, 5);
	/* 95 passes between censuses read the busy one, the 57 of them after
	 * 3 s cgroup 7 too. */
	assert_int_equal(total, 5 * N_CG + 95 + 57);
	/* Found by the first census after it filled: within the interval. */
	assert_true(found > t0);
	assert_true(found - t0 <= CENSUS_INTERVAL_USEC_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_read_of),
		cmocka_unit_test(test_read_of_reach),
		cmocka_unit_test(test_read_soft),
		cmocka_unit_test(test_guard_needed),
		cmocka_unit_test(test_idle_table_reads),
	};

	return cmocka_run_group_tests_name("census", tests, NULL, NULL);
}
