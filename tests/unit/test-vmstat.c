/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "readers-test.h"
#include "vmstat.h"

DEFINE_SENTINEL(struct vmstat)

static struct vmstat parse_fixture(const char *set)
{
	struct vmstat vs = sentinel();
	size_t len;
	char *buf = fixture_load(set, "proc/vmstat", &len);

	assert_int_equal(vmstat_parse(buf, len, &vs), 0);
	free(buf);
	return vs;
}

static void test_table(void **state)
{
	assert_true(vmstat_table_is_valid());
	assert_string_equal(vmstat_item_to_string(VMSTAT_PGSCAN_KSWAPD), "pgscan_kswapd");
	assert_string_equal(vmstat_item_to_string(VMSTAT_KSWAPD_HIGH_WMARK_HIT_QUICKLY),
			    "kswapd_high_wmark_hit_quickly");
	assert_null(vmstat_item_to_string(_VMSTAT_ITEM_MAX));
	(void)state;
}

static void test_host_fixture(void **state)
{
	struct vmstat vs = parse_fixture("host-6.18-1node");

	assert_int_equal(vs.value[VMSTAT_NR_FREE_PAGES], 814567);
	assert_int_equal(vs.value[VMSTAT_PGMAJFAULT], 755);
	assert_int_equal(vs.value[VMSTAT_PGSTEAL_PROACTIVE], 0);
	/* 6.18 prints the _proactive and split counters, not the old names. */
	assert_true(vs.present[VMSTAT_PGSTEAL_PROACTIVE]);
	assert_true(vs.present[VMSTAT_PGSCAN_PROACTIVE]);
	assert_true(vs.present[VMSTAT_ALLOCSTALL_DEVICE]);
	assert_true(vs.present[VMSTAT_WORKINGSET_REFAULT_FILE]);
	assert_false(vs.present[VMSTAT_WORKINGSET_REFAULT]);
	assert_true(vs.present[VMSTAT_KSWAPD_LOW_WMARK_HIT_QUICKLY]);
	assert_true(vs.present[VMSTAT_PAGEOUTRUN]);
	assert_int_equal(vmstat_allocstall(&vs), 0);
	(void)state;
}

static void test_old_fixture(void **state)
{
	struct vmstat vs = parse_fixture("old-4.19-2node");

	assert_false(vs.present[VMSTAT_PGSCAN_PROACTIVE]);
	assert_false(vs.present[VMSTAT_ALLOCSTALL_DEVICE]);
	assert_false(vs.present[VMSTAT_WORKINGSET_REFAULT_FILE]);
	assert_true(vs.present[VMSTAT_WORKINGSET_REFAULT]);
	assert_int_equal(vs.value[VMSTAT_WORKINGSET_REFAULT], 4273);
	assert_int_equal(vs.value[VMSTAT_ALLOCSTALL_NORMAL], 12);
	assert_int_equal(vmstat_allocstall(&vs), 12);
	assert_int_equal(vmstat_pgscan(&vs), 950);
	assert_int_equal(vmstat_pgsteal(&vs), 800);
	(void)state;
}

static void test_vm_fixtures(void **state)
{
	struct vmstat vs = parse_fixture("vm-6.12-4node");

	/* 64 MiB pushed to zram through memory.reclaim during capture. */
	assert_int_equal(vs.value[VMSTAT_PSWPOUT], 16394);
	assert_true(vs.present[VMSTAT_WORKINGSET_REFAULT_ANON]);
	vs = parse_fixture("vm-6.1-4node");
	assert_int_equal(vs.value[VMSTAT_PSWPOUT], 38590);
	assert_int_equal(vmstat_allocstall(&vs), 0);
	(void)state;
}

static void test_sums(void **state)
{
	static const char text[] =
		"allocstall_dma 1\nallocstall_dma32 2\nallocstall_normal 4\n"
		"allocstall_movable 8\nallocstall_device 16\n"
		"pgscan_kswapd 100\npgscan_direct 200\npgscan_khugepaged 400\n"
		"pgscan_proactive 800\npgscan_direct_throttle 99999\npgscan_anon 7\n"
		"pgsteal_kswapd 10\npgsteal_direct 20\npgsteal_khugepaged 40\n"
		"pgsteal_proactive 80\npgsteal_file 5555\n";
	struct vmstat vs = sentinel();

	assert_int_equal(vmstat_parse(text, strlen(text), &vs), 0);
	assert_int_equal(vmstat_allocstall(&vs), 31);
	/* direct_throttle and anon/file are other splits, not added. */
	assert_int_equal(vmstat_pgscan(&vs), 1500);
	assert_int_equal(vmstat_pgsteal(&vs), 150);
	assert_false(vs.present[VMSTAT_PSWPIN]);
	assert_int_equal(vs.value[VMSTAT_PSWPIN], 0);
	(void)state;
}

static void test_adversarial(void **state)
{
	static const struct {
		const char *what, *text;
	} cases[] = {
		{ "empty", "" },
		{ "truncated", "pswpin 1\npswpout 2" },
		{ "duplicate", "pswpin 1\npswpin 1\n" },
		{ "bad number", "pswpin 1x\n" },
		{ "negative", "pswpin -1\n" },
		{ "overflow", "pswpin 18446744073709551616\n" },
		{ "missing value", "pswpin\n" },
		{ "two values", "pswpin 1 2\n" },
		{ "nul", "pswpin 1\n\0\n" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct vmstat vs = sentinel();
		size_t len = strlen(cases[i].text);
		int r;

		if (strcmp(cases[i].what, "nul") == 0)
			len = 11;
		r = vmstat_parse(cases[i].text, len, &vs);
		if (r != -EINVAL)
			fail_msg("%s: got %d, want -EINVAL", cases[i].what, r);
		if (!is_sentinel(&vs))
			fail_msg("%s: output written on failure", cases[i].what);
	}
	/* Unknown names are skipped unchecked: kernels add counters. */
	{
		static const char ok[] = "brand_new_counter -5 x\npswpout 3\n";
		struct vmstat vs = sentinel();

		assert_int_equal(vmstat_parse(ok, strlen(ok), &vs), 0);
		assert_int_equal(vs.value[VMSTAT_PSWPOUT], 3);
	}
	(void)state;
}

static void test_reader(void **state)
{
	_cleanup_(vmstat_reader_freep) struct vmstat_reader *r = NULL;
	struct vmstat_reader *none = (struct vmstat_reader *)0x1;
	struct vmstat vs = sentinel();
	char root[4096];

	fixture_root("old-4.19-2node", root, sizeof(root));
	assert_int_equal(vmstat_reader_open(root, &r), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vmstat_reader_read(r, &vs), 0);
		assert_int_equal(vs.value[VMSTAT_PGSCAN_KSWAPD], 900);
	}
	assert_int_equal(vmstat_reader_read(NULL, &vs), -EINVAL);
	assert_int_equal(vmstat_reader_read(r, NULL), -EINVAL);
	fixture_root("no-such-fixture", root, sizeof(root));
	assert_int_equal(vmstat_reader_open(root, &none), -ENOENT);
	assert_ptr_equal(none, (struct vmstat_reader *)0x1);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_old_fixture),
		cmocka_unit_test(test_vm_fixtures),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_adversarial),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests_name("vmstat", tests, NULL, NULL);
}
