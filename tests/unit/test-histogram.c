/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "histogram.h"

#define MSEC UINT64_C(1000)
#define SEC UINT64_C(1000000)

struct bucket_case {
	uint64_t usec;
	unsigned bucket;
};

static void test_histogram_bucket(void **state)
{
	static const struct bucket_case cases[] = {
		{ 0, 0 },
		{ 100, 0 },	      /* le is inclusive */
		{ 101, 1 },
		{ 1 * MSEC, 1 },
		{ 7 * MSEC, 3 },
		{ 30 * SEC, HISTOGRAM_BOUNDS - 1 },
		{ 30 * SEC + 1, HISTOGRAM_BOUNDS }, /* +Inf */
		{ UINT64_MAX, HISTOGRAM_BOUNDS },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(histogram_bucket(cases[i].usec), cases[i].bucket);
}

static void test_histogram_bounds_ascend(void **state)
{
	(void)state;
	for (unsigned i = 1; i < HISTOGRAM_BOUNDS; i++)
		assert_true(histogram_bounds_usec[i] > histogram_bounds_usec[i - 1]);
}

static void test_histogram_cumulative(void **state)
{
	struct histogram h = {};

	(void)state;
	histogram_record(&h, 50);
	histogram_record(&h, 50);
	histogram_record(&h, 3 * MSEC);
	histogram_record(&h, 60 * SEC);
	assert_int_equal(histogram_cumulative(&h, 0), 2);
	assert_int_equal(histogram_cumulative(&h, 1), 2);
	assert_int_equal(histogram_cumulative(&h, 2), 3);
	assert_int_equal(histogram_cumulative(&h, HISTOGRAM_BOUNDS - 1), 3);
	assert_int_equal(histogram_cumulative(&h, HISTOGRAM_BOUNDS), 4);
	assert_int_equal(h.sum_usec, 100 + 3 * MSEC + 60 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram_bucket),
		cmocka_unit_test(test_histogram_bounds_ascend),
		cmocka_unit_test(test_histogram_cumulative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
