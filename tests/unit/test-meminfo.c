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
#include "meminfo.h"
#include "readers-test.h"

DEFINE_SENTINEL(struct meminfo)

static void test_table(void **state)
{
	assert_true(meminfo_table_is_valid());
	assert_string_equal(meminfo_item_to_string(MEMINFO_ACTIVE_FILE), "Active(file)");
	assert_string_equal(meminfo_item_to_string(MEMINFO_SRECLAIMABLE), "SReclaimable");
	assert_null(meminfo_item_to_string(_MEMINFO_ITEM_MAX));
	(void)state;
}

static void test_host_fixture(void **state)
{
	struct meminfo mi = sentinel();
	size_t len;
	char *buf = fixture_load("host-6.18-1node", "proc/meminfo", &len);

	assert_int_equal(meminfo_parse(buf, len, &mi), 0);
	free(buf);
	assert_int_equal(mi.value[MEMINFO_MEM_TOTAL], 24684092);
	assert_int_equal(mi.value[MEMINFO_MEM_FREE], 22213840);
	assert_int_equal(mi.value[MEMINFO_MEM_AVAILABLE], 24312408);
	assert_int_equal(mi.value[MEMINFO_ACTIVE_FILE], 390004);
	assert_true(mi.present[MEMINFO_SWAP_TOTAL]);
	assert_int_equal(mi.value[MEMINFO_SWAP_TOTAL], 0);
	assert_false(mi.present[MEMINFO_MEM_USED]);
	assert_int_equal(meminfo_bytes(&mi, MEMINFO_MEM_TOTAL), UINT64_C(24684092) * 1024);
	(void)state;
}

static void test_node_fixture(void **state)
{
	struct meminfo mi = sentinel();
	size_t len;
	char *buf = fixture_load("host-6.18-1node", "sys/devices/system/node/node0/meminfo", &len);

	assert_int_equal(meminfo_parse_node(buf, len, 0, &mi), 0);
	assert_int_equal(mi.value[MEMINFO_MEM_FREE], 3258468);
	assert_int_equal(mi.value[MEMINFO_FILE_PAGES], 2264196);
	assert_true(mi.present[MEMINFO_HUGE_PAGES_TOTAL]);
	assert_false(mi.present[MEMINFO_MEM_AVAILABLE]);
	assert_false(mi.present[MEMINFO_SWAP_TOTAL]);

	/* The wrong node, or the node file read as /proc/meminfo. */
	mi = sentinel();
	assert_int_equal(meminfo_parse_node(buf, len, 1, &mi), -EINVAL);
	assert_int_equal(meminfo_parse(buf, len, &mi), -EINVAL);
	assert_true(is_sentinel(&mi));
	free(buf);
	(void)state;
}

static void test_vm_fixtures(void **state)
{
	static const struct {
		const char *set;
		uint64_t swap_free, node2_free;
	} cases[] = {
		{ "vm-6.12-4node", 982780, 449852 },
		{ "vm-6.1-4node", 894204, 459000 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct meminfo mi = sentinel();
		size_t len;
		char *buf = fixture_load(cases[i].set, "proc/meminfo", &len);

		assert_int_equal(meminfo_parse(buf, len, &mi), 0);
		assert_int_equal(mi.value[MEMINFO_SWAP_TOTAL], 1048572);
		assert_int_equal(mi.value[MEMINFO_SWAP_FREE], cases[i].swap_free);
		free(buf);
		buf = fixture_load(cases[i].set, "sys/devices/system/node/node2/meminfo", &len);
		assert_int_equal(meminfo_parse_node(buf, len, 2, &mi), 0);
		assert_int_equal(mi.value[MEMINFO_MEM_FREE], cases[i].node2_free);
		free(buf);
	}
	(void)state;
}

static void test_adversarial(void **state)
{
	static const struct {
		const char *what, *text;
	} cases[] = {
		{ "empty", "" },
		{ "truncated", "MemTotal:  100 kB\nMemFree:  10 kB" },
		{ "duplicate", "MemTotal:  100 kB\nMemTotal:  100 kB\n" },
		{ "no colon", "MemTotal  100 kB\n" },
		{ "bad number", "MemTotal:  1e5 kB\n" },
		{ "bad unit", "MemTotal:  100 MB\n" },
		{ "junk after unit", "MemTotal:  100 kB x\n" },
		{ "missing value", "MemTotal:\n" },
		{ "overflow", "MemTotal:  18446744073709551616 kB\n" },
		{ "node line in /proc/meminfo", "Node 0 MemTotal:  100 kB\n" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct meminfo mi = sentinel();
		int r = meminfo_parse(cases[i].text, strlen(cases[i].text), &mi);

		if (r != -EINVAL)
			fail_msg("%s: got %d, want -EINVAL", cases[i].what, r);
		if (!is_sentinel(&mi))
			fail_msg("%s: output written on failure", cases[i].what);
	}
	{
		static const char mixed[] = "Node 0 MemTotal:  100 kB\nNode 1 MemFree:  10 kB\n";
		struct meminfo mi = sentinel();

		assert_int_equal(meminfo_parse_node(mixed, strlen(mixed), 0, &mi), -EINVAL);
		assert_true(is_sentinel(&mi));
		assert_int_equal(meminfo_parse_node(mixed, strlen(mixed), -1, &mi), -EINVAL);
	}
	(void)state;
}

static void test_reader(void **state)
{
	_cleanup_(meminfo_reader_freep) struct meminfo_reader *sys = NULL, *node1 = NULL;
	struct meminfo_reader *none = (struct meminfo_reader *)0x1;
	struct meminfo mi = sentinel();
	char root[4096];

	fixture_root("old-4.19-2node", root, sizeof(root));
	assert_int_equal(meminfo_reader_open(root, -1, &sys), 0);
	assert_int_equal(meminfo_reader_open(root, 1, &node1), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(meminfo_reader_read(sys, &mi), 0);
		assert_int_equal(mi.value[MEMINFO_MEM_TOTAL], 24684092);
		assert_false(mi.present[MEMINFO_KRECLAIMABLE]); /* 4.20+ */
		assert_int_equal(meminfo_reader_read(node1, &mi), 0);
		assert_int_equal(mi.value[MEMINFO_MEM_FREE], 3258468);
	}
	assert_int_equal(meminfo_reader_open(root, 2, &none), -ENOENT);
	assert_ptr_equal(none, (struct meminfo_reader *)0x1);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_node_fixture),
		cmocka_unit_test(test_vm_fixtures),
		cmocka_unit_test(test_adversarial),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests_name("meminfo", tests, NULL, NULL);
}
