/* SPDX-License-Identifier: GPL-2.0-only */
/* compact.c: when the engine compacts a node (issue 12 defect 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compact.h"
#include "macro.h"

#define SEC UINT64_C(1000000)

static void test_fragmented(void **state)
{
	static const struct {
		struct compact_input in;
		bool fragmented;
	} cases[] = {
		{ { .have_blocks = false, .free_pages = 1000, .high_order_pages = 0 }, false },
		{ { .have_blocks = true, .free_pages = 0, .high_order_pages = 0 }, false },
		/* the kernel's mark: < 10% of free pages in order >= 9 blocks */
		{ { .have_blocks = true, .free_pages = 1000, .high_order_pages = 99 }, true },
		{ { .have_blocks = true, .free_pages = 1000, .high_order_pages = 100 }, false },
		{ { .have_blocks = true, .free_pages = 1000, .high_order_pages = 1000 }, false },
		{ { .have_blocks = true, .free_pages = 1000, .high_order_pages = 0 }, true },
		/* inconsistent counts: not acted on */
		{ { .have_blocks = true, .free_pages = 10, .high_order_pages = 20 }, false },
		/* huge counts do not overflow */
		{ { .have_blocks = true, .free_pages = UINT64_MAX, .high_order_pages = 0 }, true },
		{ { .have_blocks = true, .free_pages = UINT64_MAX,
		    .high_order_pages = UINT64_MAX / 5 }, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (compact_fragmented(&cases[i].in) != cases[i].fragmented)
			fail_msg("case %zu: fragmented should be %d", i, cases[i].fragmented);
}

static void test_decide(void **state)
{
	static const struct {
		bool balanced, boost_paid;
		uint64_t free_pages, high_order_pages, at_usec;
		enum compact_reason want;
	} steps[] = {
		/* not balanced: never (kswapd_try_to_sleep()'s rule) */
		{ false, true, 1000, 0, 10 * SEC, COMPACT_NONE },
		/* a run that paid a kernel boost */
		{ true, true, 1000, 900, 10 * SEC, COMPACT_BOOST },
		/* rate-limited: one per minute, whatever the reason */
		{ true, true, 1000, 900, 20 * SEC, COMPACT_NONE },
		{ true, false, 1000, 0, 69 * SEC, COMPACT_NONE },
		{ true, false, 1000, 0, 70 * SEC, COMPACT_FRAGMENTED },
		/* not fragmented, no boost: nothing, and the clock is kept */
		{ true, false, 1000, 500, 200 * SEC, COMPACT_NONE },
		{ true, true, 1000, 500, 200 * SEC, COMPACT_BOOST },
	};
	struct compact_state s = { 0 };

	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		struct compact_input in = {
			.balanced = steps[i].balanced,
			.kernel_boost_paid = steps[i].boost_paid,
			.have_blocks = true,
			.free_pages = steps[i].free_pages,
			.high_order_pages = steps[i].high_order_pages,
		};
		enum compact_reason got = compact_decide(&s, &in, steps[i].at_usec);

		if (got != steps[i].want)
			fail_msg("step %zu: %s, want %s", i, compact_reason_to_string(got),
				 compact_reason_to_string(steps[i].want));
	}
	/* A configured interval replaces the minute. */
	s = (struct compact_state){ .interval_usec = SEC };
	{
		struct compact_input in = { .balanced = true, .kernel_boost_paid = true };

		assert_int_equal(compact_decide(&s, &in, 5 * SEC), COMPACT_BOOST);
		assert_int_equal(compact_decide(&s, &in, 5 * SEC + SEC / 2), COMPACT_NONE);
		assert_int_equal(compact_decide(&s, &in, 6 * SEC), COMPACT_BOOST);
	}
	/* The kernel compacts fragmented nodes itself (proactive compaction,
	 * 5.9+): fragmented free memory is left to it, a paid boost is not;
	 * a decision for nothing keeps the clock. */
	s = (struct compact_state){ 0 };
	{
		struct compact_input in = { .balanced = true, .have_blocks = true,
					    .free_pages = 1000, .high_order_pages = 0,
					    .kernel_compacts_fragmented = true };

		assert_int_equal(compact_decide(&s, &in, 10 * SEC), COMPACT_NONE);
		assert_int_equal(s.last_usec, 0);
		in.kernel_boost_paid = true;
		assert_int_equal(compact_decide(&s, &in, 10 * SEC), COMPACT_BOOST);
	}
	assert_string_equal(compact_reason_to_string(COMPACT_FRAGMENTED), "fragmented");
	assert_null(compact_reason_to_string(_COMPACT_REASON_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragmented),
		cmocka_unit_test(test_decide),
	};

	return cmocka_run_group_tests_name("compact", tests, NULL, NULL);
}
