/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buddyinfo.h"
#include "macro.h"
#include "readers-test.h"

/* The captured host file (tests/fixtures/host-6.18-1node/README):
 *	Node 0, zone      DMA      0 ...  0      1      1      3
 *	Node 0, zone    DMA32      4 ...  4      2    752
 *	Node 0, zone   Normal  31769 ...     57    136    532
 * parsed, summed over the zones, and counted in pages. */
static void test_host_fixture(void **state)
{
	_cleanup_free_ char *buf = NULL;
	struct buddyinfo b;
	const struct buddyinfo_node *n;
	uint64_t free_pages = 0, high = 0;
	size_t len;

	buf = fixture_load("host-6.18-1node", "proc/buddyinfo", &len);
	assert_int_equal(buddyinfo_parse(buf, len, &b), 0);
	assert_int_equal(b.n_nodes, 1);
	n = buddyinfo_node(&b, 0);
	assert_non_null(n);
	assert_null(buddyinfo_node(&b, 1));
	assert_int_equal(n->n_orders, 11);
	/* Recomputed from the columns as the kernel prints them. */
	for (unsigned o = 0; o < n->n_orders && o < BUDDYINFO_MAX_ORDERS; o++) {
		free_pages += n->free_blocks[o] << o;
		if (o >= 9)
			high += n->free_blocks[o] << o;
	}
	assert_int_equal(buddyinfo_free_pages(n), free_pages);
	assert_int_equal(buddyinfo_free_pages_from(n, 9), high);
	assert_true(high > 0 && high < free_pages);
	/* order 10 over the three zones: 3 + 752 + n (Normal) */
	assert_true(n->free_blocks[10] >= 3 + 752);
}

static void test_parse_cases(void **state)
{
	static const struct {
		const char *text;
		int r;
		unsigned n_nodes;
		uint64_t free0, high0; /* node 0 (or the first), order >= 9 */
	} cases[] = {
		{ "Node 0, zone   Normal      1      1      0      0      0      0      0      0"
		  "      0      1      2 \n",
		  0, 1, 1 + 2 + 512 + 2048, 512 + 2048 },
		/* two zones add up; a node line later is another node */
		{ "Node 0, zone DMA 1 0\nNode 0, zone Normal 1 1\nNode 1, zone Normal 4\n", 0, 2,
		  1 + 1 + 2, 0 },
		/* blank lines are skipped */
		{ "\nNode 0, zone DMA 3\n\n", 0, 1, 3, 0 },
		{ "Node 0, zone DMA\n", -EINVAL },               /* no counts */
		{ "Node 0 zone DMA 1\n", -EINVAL },              /* no comma */
		{ "Node x, zone DMA 1\n", -EINVAL },
		{ "Node 64, zone DMA 1\n", -EINVAL },            /* > BUDDYINFO_MAX_NODES */
		{ "Node 0, zon DMA 1\n", -EINVAL },
		{ "Node 0, zone DMA 1 -1\n", -EINVAL },
		{ "Node 0, zone DMA 1 2\n" "garbage\n", -EINVAL },
		{ "Node 0, zone DMA 1 99999999999999999999\n", -EINVAL }, /* overflow */
		{ "Node 0, zone DMA 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", -EINVAL }, /* 17 orders */
		{ "Node 0, zone DMA 1", -EINVAL },               /* cut: no newline */
		{ "", -EINVAL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct buddyinfo b, sentinel;
		int r;

		memset(&b, 0x5a, sizeof(b));
		sentinel = b;
		r = buddyinfo_parse(cases[i].text, strlen(cases[i].text), &b);
		if (r != cases[i].r)
			fail_msg("case %zu: %d, want %d", i, r, cases[i].r);
		if (r < 0) {
			/* untouched on failure */
			assert_memory_equal(&b, &sentinel, sizeof(b));
			continue;
		}
		assert_int_equal(b.n_nodes, cases[i].n_nodes);
		assert_int_equal(buddyinfo_free_pages(&b.nodes[0]), cases[i].free0);
		assert_int_equal(buddyinfo_free_pages_from(&b.nodes[0], 9), cases[i].high0);
	}
}

/* Counts near UINT64_MAX saturate instead of wrapping. */
static void test_saturates(void **state)
{
	static const char text[] = "Node 0, zone DMA 0 0 0 0 0 0 0 0 0 0 18446744073709551615\n"
				   "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 1\n";
	struct buddyinfo b;

	assert_int_equal(buddyinfo_parse(text, strlen(text), &b), 0);
	assert_int_equal(b.nodes[0].free_blocks[10], UINT64_MAX);
	assert_int_equal(buddyinfo_free_pages(&b.nodes[0]), UINT64_MAX);
	assert_int_equal(buddyinfo_free_pages_from(&b.nodes[0], 11), 0);
}

static void test_reader(void **state)
{
	struct buddyinfo_reader r;
	struct buddyinfo b;
	char root[4096];

	fixture_root("host-6.18-1node", root, sizeof(root));
	assert_int_equal(buddyinfo_reader_open(root, &r), 0);
	assert_int_equal(buddyinfo_reader_read(&r, &b), 0);
	assert_int_equal(buddyinfo_reader_read(&r, &b), 0);
	assert_int_equal(b.n_nodes, 1);
	assert_int_equal(buddyinfo_reader_read(NULL, &b), -EINVAL);
	assert_int_equal(buddyinfo_reader_read(&r, NULL), -EINVAL);
	buddyinfo_reader_close(&r);
	assert_int_equal(r.file.fd, -1);
	fixture_root("vm-6.12-4node", root, sizeof(root));
	assert_int_equal(buddyinfo_reader_open(root, &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_saturates),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests_name("buddyinfo", tests, NULL, NULL);
}
