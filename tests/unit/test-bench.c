/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench/bench.h: the latency histogram the workload programs report
 * percentiles from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../bench/bench.h"

static struct hist h;

/* Every bucket's lowest value maps back to that bucket, and buckets are
 * contiguous: the value below a bucket's lowest belongs to the one before. */
static void test_hist_index_roundtrip(void **state)
{
	unsigned i;

	for (i = 0; i < 61 * HIST_SUB; i++) {
		uint64_t v = hist_bucket_value(i);

		assert_int_equal(hist_index(v), i);
		if (i > 0)
			assert_int_equal(hist_index(v - 1), i - 1);
	}
}

struct index_case {
	uint64_t v;
	unsigned index;
	uint64_t lowest;
};

static void test_hist_index_values(void **state)
{
	static const struct index_case cases[] = {
		{ 0, 0, 0 },
		{ 15, 15, 15 },
		{ 16, 16, 16 },
		{ 31, 31, 31 },
		{ 32, 32, 32 },
		{ 33, 32, 32 },  /* 32..33 share a bucket of width 2 */
		{ 34, 33, 34 },
		{ 1000, 111, 992 }, /* 512..1023 in steps of 32 */
		{ 1023, 111, 992 },
		{ 1024, 112, 1024 },
		{ UINT64_MAX, 60 * 16 + 15, UINT64_C(31) << 59 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(hist_index(cases[i].v), cases[i].index);
		assert_int_equal(hist_bucket_value(hist_index(cases[i].v)), cases[i].lowest);
	}
}

static void test_hist_percentiles(void **state)
{
	uint64_t v;

	hist_reset(&h);
	/* 1..100 ns: p50 is 50 (bucket 50..51), p99 is 99 (bucket 96..99),
	 * p100 is 100 (bucket 100..103). */
	for (v = 1; v <= 100; v++)
		hist_add(&h, v);
	assert_int_equal(h.count, 100);
	assert_int_equal(h.sum_nsec, 5050);
	assert_int_equal(h.max_nsec, 100);
	assert_int_equal(hist_percentile(&h, 500), 50);
	assert_int_equal(hist_percentile(&h, 990), 96);
	assert_int_equal(hist_percentile(&h, 1000), 100);
	assert_int_equal(hist_percentile(&h, 0), 1);
}

static void test_hist_outlier(void **state)
{
	unsigned i;

	hist_reset(&h);
	/* 999 fast faults and one 4 s stall: p99 must not see the stall, the
	 * maximum must. */
	for (i = 0; i < 999; i++)
		hist_add(&h, 2000);
	hist_add(&h, UINT64_C(4000000000));
	assert_int_equal(hist_percentile(&h, 990), 1984);
	assert_int_equal(h.max_nsec, UINT64_C(4000000000));
	assert_true(hist_percentile(&h, 1000) <= UINT64_C(4000000000));
	assert_true(hist_percentile(&h, 1000) >= UINT64_C(4000000000) / 16 * 15);
}

static void test_hist_empty_and_merge(void **state)
{
	static struct hist a, b;

	hist_reset(&a);
	hist_reset(&b);
	assert_int_equal(hist_percentile(&a, 500), 0);
	hist_add(&a, 10);
	hist_add(&b, 1000);
	hist_add(&b, 1000);
	hist_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.sum_nsec, 2010);
	assert_int_equal(a.max_nsec, 1000);
	assert_int_equal(hist_percentile(&a, 300), 10);
	assert_int_equal(hist_percentile(&a, 500), 992);
}

static void test_fill_page(void **state)
{
	static unsigned char page[BENCH_PAGE_BYTES];
	uint64_t s1 = 1, s2 = 1;
	size_t i, nonzero = 0;

	memset(page, 0, sizeof(page));
	bench_fill_page(page, 256, &s1);
	for (i = 0; i < 256; i++)
		nonzero += page[i] != 0;
	assert_true(nonzero > 200);
	for (i = 256; i < BENCH_PAGE_BYTES; i++)
		assert_int_equal(page[i], 0);
	assert_int_not_equal(s1, 1);
	/* Never writes past the page, whatever is asked. */
	bench_fill_page(page, SIZE_MAX, &s2);
	assert_int_not_equal(page[BENCH_PAGE_BYTES - 8], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_index_roundtrip),
		cmocka_unit_test(test_hist_index_values),
		cmocka_unit_test(test_hist_percentiles),
		cmocka_unit_test(test_hist_outlier),
		cmocka_unit_test(test_hist_empty_and_merge),
		cmocka_unit_test(test_fill_page),
	};

	return cmocka_run_group_tests_name("bench", tests, NULL, NULL);
}
