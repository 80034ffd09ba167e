/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace watermarks: the headroom formula on the machines watermark.h
 * names, pgdat_balanced() semantics with lowmem protection and eligibility,
 * the deficit, the monitor's below-low test and its adaptive interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "watermark.h"

#define MIB (UINT64_C(1) << 20)

static struct watermark_params defaults(void)
{
	struct watermark_params p;

	watermark_params_init(&p);
	return p;
}

static struct zone_stat zone(const char *name, uint64_t managed, uint64_t free,
			     uint64_t high, uint64_t p0, uint64_t p1, uint64_t p2)
{
	struct zone_stat z = {
		.free = free,
		.min = high * 2 / 3,
		.low = high * 5 / 6,
		.high = high,
		.spanned = managed,
		.present = managed,
		.managed = managed,
		.protection = { p0, p1, p2, p2 },
		.n_protection = 4,
	};

	strncpy(z.name, name, sizeof(z.name) - 1);
	return z;
}

/* DMA (16 MiB), DMA32 (~2 GiB), Normal (~3.8 GiB), an empty Movable zone,
 * with lowmem protection as the kernel computes it (lowmem_reserve_ratio
 * 256/256/32): the small zones are kept for allocations that need them. */
static struct node_zoneinfo three_zones(uint64_t dma, uint64_t dma32, uint64_t normal)
{
	struct node_zoneinfo n = { .id = 0, .n_zones = 4 };

	n.zones[0] = zone("DMA", 3976, dma, 20, 0, 1500, 15000);
	n.zones[1] = zone("DMA32", 500000, dma32, 2000, 0, 0, 14000);
	n.zones[2] = zone("Normal", 1000000, normal, 10000, 0, 0, 0);
	n.zones[3] = zone("Movable", 0, 0, 0, 0, 0, 0);
	return n;
}

static void test_defaults(void **state)
{
	struct watermark_params p = defaults();

	assert_int_equal(p.headroom_permyriad, 50);
	assert_int_equal(p.headroom_min_bytes, 8 * MIB);
	assert_int_equal(p.headroom_max_bytes, 1024 * MIB);
	assert_int_equal(p.page_size, 4096);
	assert_int_equal(watermark_params_validate(&p), 0);
}

struct headroom_case {
	const char *what;
	uint64_t managed, high;
	uint64_t headroom, low, uhigh;
};

/* The numbers watermark.h states for a 1 GiB VM and a 1 TiB host. */
static void test_headroom(void **state)
{
	static const struct headroom_case cases[] = {
		/* 1 GiB VM, DMA32: 0.5% = 1200 pages < 8 MiB floor. */
		{ "1GiB-vm", 240000, 1500, 2048, 3548, 4572 },
		/* 4 GiB: 0.5% = 5000 pages, between floor and cap. */
		{ "4GiB", 1000000, 10000, 5000, 15000, 17500 },
		/* 1 TiB host: 0.5% = 1340000 pages > 1 GiB cap. */
		{ "1TiB-host", 268000000, 600000, 262144, 862144, 993216 },
		/* Exactly at the floor and the cap. */
		{ "floor-edge", 409600, 0, 2048, 2048, 3072 },
		{ "cap-edge", 52428800, 0, 262144, 262144, 393216 },
		/* An empty zone still gets the floor; it is never eligible. */
		{ "empty", 0, 0, 2048, 2048, 3072 },
	};
	struct watermark_params p = defaults();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct zone_stat z = zone("Normal", cases[i].managed, 0,
					  cases[i].high, 0, 0, 0);
		struct zone_watermarks w;

		watermark_zone(&z, &p, &w);
		if (w.headroom != cases[i].headroom || w.low != cases[i].low ||
		    w.high != cases[i].uhigh)
			fail_msg("%s: headroom %lu low %lu high %lu", cases[i].what,
				 (unsigned long)w.headroom, (unsigned long)w.low,
				 (unsigned long)w.high);
		assert_int_equal(watermark_headroom_pages(&z, &p), cases[i].headroom);
	}
}

static void test_headroom_page_size(void **state)
{
	struct watermark_params p = defaults();
	struct zone_stat z = zone("Normal", 1000, 0, 0, 0, 0, 0);

	/* 64 KiB pages (arm64, ppc64): the floor is 128 pages, not 2048. */
	p.page_size = 65536;
	assert_int_equal(watermark_headroom_pages(&z, &p), 128);
	p.headroom_permyriad = 0;
	p.headroom_min_bytes = 0;
	assert_int_equal(watermark_headroom_pages(&z, &p), 0);
}

struct validate_case {
	const char *what;
	uint32_t permyriad;
	uint64_t min, max, page, imin, imax;
	int r;
};

static void test_validate(void **state)
{
	static const struct validate_case cases[] = {
		{ "ok", 50, 8, 16, 4096, 1, 2, 0 },
		{ "all-of-managed", 10000, 0, 0, 4096, 1, 1, 0 },
		{ "permyriad>10000", 10001, 8, 16, 4096, 1, 2, -EINVAL },
		{ "min>max", 50, 17, 16, 4096, 1, 2, -EINVAL },
		{ "page-0", 50, 8, 16, 0, 1, 2, -EINVAL },
		{ "page-not-pow2", 50, 8, 16, 4095, 1, 2, -EINVAL },
		{ "interval-0", 50, 8, 16, 4096, 0, 2, -EINVAL },
		{ "interval-min>max", 50, 8, 16, 4096, 3, 2, -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct watermark_params p = {
			.headroom_permyriad = cases[i].permyriad,
			.headroom_min_bytes = cases[i].min,
			.headroom_max_bytes = cases[i].max,
			.page_size = cases[i].page,
			.interval_min_usec = cases[i].imin,
			.interval_max_usec = cases[i].imax,
		};

		if (watermark_params_validate(&p) != cases[i].r)
			fail_msg("%s", cases[i].what);
	}
}

static void test_zone_balanced_boundary(void **state)
{
	struct watermark_params p = defaults();
	/* uhigh = 10000 + 5000 + 2500 = 17500 pages. */
	struct zone_stat z = zone("Normal", 1000000, 17500, 10000, 0, 3000, 0);

	assert_true(watermark_zone_balanced(&z, 0, &p));
	z.free = 17499;
	assert_false(watermark_zone_balanced(&z, 0, &p));
	/* protection[1] = 3000 applies to requests whose highest zone is 1. */
	z.free = 20499;
	assert_false(watermark_zone_balanced(&z, 1, &p));
	z.free = 20500;
	assert_true(watermark_zone_balanced(&z, 1, &p));
	/* Past the printed protection: none. */
	z.n_protection = 2;
	z.free = 17500;
	assert_true(watermark_zone_balanced(&z, 3, &p));
	assert_int_equal(watermark_zone_protection(&z, 1), 3000);
	assert_int_equal(watermark_zone_protection(&z, 2), 0);
	assert_int_equal(watermark_zone_protection(&z, 100), 0);
}

/* A zoneinfo high (or protection) near 2^64 saturates the userspace marks
 * instead of wrapping them below the kernel's (issue 17 B10, found again by
 * an audit: user_low 5.8 MB under a high of 2^64 - 1): such a zone is never
 * balanced and always below its low mark, with or without a pacing lead. */
static void test_marks_saturate(void **state)
{
	struct watermark_params p = defaults();
	struct zone_stat z = zone("Normal", 1000000, UINT64_MAX - 1, UINT64_MAX - 1000, 0,
				  UINT64_MAX, 0);
	struct zone_watermarks w;

	watermark_zone(&z, &p, &w);
	assert_true(w.low >= z.high);
	assert_true(w.high >= w.low);
	assert_int_equal(w.high, UINT64_MAX);
	p.pace_pages = 1000;
	watermark_zone(&z, &p, &w);
	assert_int_equal(w.low, UINT64_MAX);
	assert_false(watermark_zone_balanced(&z, 0, &p));
	assert_false(watermark_zone_balanced(&z, 1, &p));
}

static void test_eligible(void **state)
{
	struct zone_stat z = zone("DMA32", 10, 0, 0, 0, 0, 0);
	struct zone_stat empty = zone("Movable", 0, 0, 0, 0, 0, 0);

	assert_true(watermark_zone_eligible(&z, 1, 1));
	assert_true(watermark_zone_eligible(&z, 1, 2));
	assert_false(watermark_zone_eligible(&z, 2, 1));
	assert_false(watermark_zone_eligible(&empty, 0, 3));
}

struct node_case {
	const char *what;
	uint64_t dma, dma32, normal;
	unsigned hz;
	bool balanced;
	uint64_t deficit;
	bool below_low;
	bool kernel_balanced; /* at the kernel's own high (+ protection) */
};

/*
 * Marks with protection for hz = 2 (Normal): DMA 3092 + 15000 = 18092,
 * DMA32 5750 + 14000 = 19750, Normal 17500. Low marks: DMA 2068 + 15000,
 * DMA32 4500 + 14000 = 18500, Normal 15000. For hz = 1: DMA 3092 + 1500,
 * DMA32 5750 (low 4500). The kernel's own high marks with protection for
 * hz = 2: DMA 20 + 15000, DMA32 2000 + 14000 = 16000, Normal 10000; for
 * hz = 1: DMA 20 + 1500 = 1520, DMA32 2000.
 */
static void test_node(void **state)
{
	static const struct node_case cases[] = {
		{ "normal-at-high", 3500, 0, 17500, 2, true, 0, false, true },
		{ "normal-short", 3500, 0, 17499, 2, false, 1, false, true },
		{ "dma32-carries-it", 3500, 19750, 0, 2, true, 0, false, true },
		{ "smallest-deficit", 3500, 19000, 17000, 2, false, 500, false, true },
		{ "dma-protected", 18091, 0, 0, 2, false, 1, false, true },
		{ "dma-below-low", 17067, 0, 0, 2, false, 1025, true, true },
		{ "all-below-low", 3500, 18499, 14999, 2, false, 1251, true, true },
		{ "normal-at-low", 3500, 18499, 15000, 2, false, 1251, false, true },
		/* Between the kernel's marks and ours: reclaimd's work alone. */
		{ "normal-kernel-high", 3500, 0, 10000, 2, false, 7500, true, true },
		{ "normal-below-kernel-high", 3500, 15999, 9999, 2, false, 3751, true, false },
		{ "dma32-kernel-high", 3500, 16000, 9999, 2, false, 3750, true, true },
		{ "dma-kernel-high-protected", 15019, 0, 0, 2, false, 3073, true, false },
		/* A DMA32-only request: Normal is not eligible however free. */
		{ "hz1-normal-ineligible", 3500, 5000, 1000000, 1, false, 750, false, true },
		{ "hz1-dma32", 0, 5750, 0, 1, true, 0, false, true },
		{ "hz1-below-low", 3567, 4499, 1000000, 1, false, 1025, true, true },
		{ "hz1-dma-above-low", 3568, 4499, 1000000, 1, false, 1024, false, true },
		{ "hz1-below-kernel-high", 1519, 1999, 1000000, 1, false, 3073, true, false },
		/* WATERMARK_ZONEIDX_ALL is capped at the node's last zone. */
		{ "all-zones", 3500, 0, 17500, WATERMARK_ZONEIDX_ALL, true, 0, false, true },
	};
	struct watermark_params p = defaults();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct node_case *c = &cases[i];
		struct node_zoneinfo n = three_zones(c->dma, c->dma32, c->normal);
		bool b = watermark_node_balanced(&n, c->hz, &p);
		uint64_t d = watermark_node_deficit(&n, c->hz, &p);
		bool l = watermark_node_below_low(&n, c->hz, &p);
		bool k = watermark_node_kernel_balanced(&n, c->hz);
		uint64_t kd = watermark_node_kernel_deficit(&n, c->hz);

		if (b != c->balanced || d != c->deficit || l != c->below_low ||
		    k != c->kernel_balanced || (kd == 0) != k)
			fail_msg("%s: balanced %d deficit %lu below_low %d kernel_balanced %d",
				 c->what, b, (unsigned long)d, l, k);
	}
}

/* The kernel's own deficit: the smallest of the eligible zones' to zoneinfo
 * `high` + protection (marks in test_node's comment). */
static void test_node_kernel_deficit(void **state)
{
	struct node_zoneinfo n = three_zones(3500, 0, 9000);

	assert_int_equal(watermark_node_kernel_deficit(&n, 2), 1000);
	n = three_zones(14000, 0, 0);
	assert_int_equal(watermark_node_kernel_deficit(&n, 2), 1020);
	/* hz = 1: DMA 20 + 1500, DMA32 2000; Normal not eligible. */
	n = three_zones(1000, 1500, 0);
	assert_int_equal(watermark_node_kernel_deficit(&n, 1), 500);
	n = three_zones(0, 0, 10000);
	assert_int_equal(watermark_node_kernel_deficit(&n, 2), 0);
}

static void test_node_without_eligible_zone(void **state)
{
	struct watermark_params p = defaults();
	struct node_zoneinfo n = { .id = 1, .n_zones = 2 };
	struct node_zoneinfo none = { .id = 2 };

	/* Memoryless-looking node: zones listed, nothing managed. */
	n.zones[0] = zone("DMA32", 0, 0, 0, 0, 0, 0);
	n.zones[1] = zone("Normal", 0, 0, 0, 0, 0, 0);
	assert_true(watermark_node_balanced(&n, WATERMARK_ZONEIDX_ALL, &p));
	assert_int_equal(watermark_node_deficit(&n, WATERMARK_ZONEIDX_ALL, &p), 0);
	assert_false(watermark_node_below_low(&n, WATERMARK_ZONEIDX_ALL, &p));
	assert_true(watermark_node_kernel_balanced(&n, WATERMARK_ZONEIDX_ALL));
	assert_int_equal(watermark_node_kernel_deficit(&n, WATERMARK_ZONEIDX_ALL), 0);
	assert_int_equal(watermark_monitor_interval_usec(&n, WATERMARK_ZONEIDX_ALL, &p),
			 p.interval_max_usec);
	assert_true(watermark_node_balanced(&none, 0, &p));
	assert_false(watermark_node_below_low(&none, 0, &p));
}

struct interval_case {
	uint64_t free;
	uint64_t usec;
};

static void test_interval(void **state)
{
	/* One Normal zone, low mark 15000 pages; span 980 ms. */
	static const struct interval_case cases[] = {
		{ 0, 20000 },
		{ 14999, 20000 },
		{ 15000, 20000 },
		{ 15001, 20065 },   /* 980000 * 1 / 15000 = 65 */
		{ 18750, 265000 },  /* a quarter of the way */
		{ 22500, 510000 },  /* half */
		{ 30000, 1000000 }, /* twice the low mark */
		{ 1000000, 1000000 },
	};
	struct watermark_params p = defaults();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct node_zoneinfo n = { .n_zones = 1 };
		uint64_t got;

		n.zones[0] = zone("Normal", 1000000, cases[i].free, 10000, 0, 0, 0);
		got = watermark_monitor_interval_usec(&n, 0, &p);
		if (got != cases[i].usec)
			fail_msg("free %lu: %lu usec, expected %lu",
				 (unsigned long)cases[i].free, (unsigned long)got,
				 (unsigned long)cases[i].usec);
	}
}

/* The kernel's-marks interval (a node backing off, kswapd_backing_off()):
 * the same scale with the kernel's high mark (10000) as the low mark, no
 * headroom and no pacing lead. */
static void test_kernel_interval(void **state)
{
	struct watermark_params p = defaults();
	struct node_zoneinfo n = { .n_zones = 1 };

	p.pace_pages = 2000;
	/* At 12500 free: under our low mark (15000 + lead), a quarter of the
	 * way from the kernel's high to twice it. */
	n.zones[0] = zone("Normal", 1000000, 12500, 10000, 0, 0, 0);
	assert_int_equal(watermark_monitor_interval_usec(&n, 0, &p), 20000);
	assert_int_equal(watermark_kernel_monitor_interval_usec(&n, 0, &p), 265000);
	n.zones[0] = zone("Normal", 1000000, 20000, 10000, 0, 0, 0);
	assert_int_equal(watermark_kernel_monitor_interval_usec(&n, 0, &p), 1000000);
	n.zones[0] = zone("Normal", 1000000, 9000, 10000, 0, 0, 0);
	assert_int_equal(watermark_kernel_monitor_interval_usec(&n, 0, &p), 20000);
	/* The caller's params are left as they were. */
	assert_int_equal(p.pace_pages, 2000);
	assert_int_equal(p.headroom_min_bytes, defaults().headroom_min_bytes);
}

static void test_interval_monotone_and_multizone(void **state)
{
	struct watermark_params p = defaults();
	uint64_t prev = 0;

	/* Closer to the low mark is never slower. */
	for (uint64_t f = 0; f <= 40000; f += 250) {
		struct node_zoneinfo n = { .n_zones = 1 };
		uint64_t got;

		n.zones[0] = zone("Normal", 1000000, f, 10000, 0, 0, 0);
		got = watermark_monitor_interval_usec(&n, 0, &p);
		assert_true(got >= prev);
		assert_in_range(got, p.interval_min_usec, p.interval_max_usec);
		prev = got;
	}

	/* The zone furthest above its mark decides: DMA32 is at its low mark
	 * (18500) but Normal is at 22500 (half-way to twice 15000). */
	struct node_zoneinfo n = three_zones(3500, 18500, 22500);
	assert_int_equal(watermark_monitor_interval_usec(&n, 2, &p), 510000);
	n = three_zones(3500, 18500, 15000);
	assert_int_equal(watermark_monitor_interval_usec(&n, 2, &p), 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_headroom),
		cmocka_unit_test(test_headroom_page_size),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_zone_balanced_boundary),
		cmocka_unit_test(test_marks_saturate),
		cmocka_unit_test(test_eligible),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_node_kernel_deficit),
		cmocka_unit_test(test_node_without_eligible_zone),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_interval_monotone_and_multizone),
		cmocka_unit_test(test_kernel_interval),
	};

	return cmocka_run_group_tests_name("watermark", tests, NULL, NULL);
}
