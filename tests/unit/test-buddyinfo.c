/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
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

/* Each zone's free pages (reclaim_backend zone_free(), issue 14): the
 * host fixture's three zones, recomputed from their columns; a zone
 * buddyinfo does not list is -ENOENT; a zone twice in a node, or a name
 * zoneinfo could not hold, is refused. */
static void test_zones(void **state)
{
	static const uint64_t dma[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3 };
	static const uint64_t dma32[] = { 4, 1, 2, 2, 2, 2, 1, 4, 4, 2, 752 };
	static const uint64_t normal[] = { 1189, 1044, 1082, 3082, 1429, 940, 511, 218, 61, 0, 9 };
	_cleanup_free_ char *buf = NULL;
	uint64_t want[3] = {}, got;
	struct buddyinfo b;
	const struct buddyinfo_node *n;
	size_t len;

	for (unsigned o = 0; o < 11; o++) {
		want[0] += dma[o] << o;
		want[1] += dma32[o] << o;
		want[2] += normal[o] << o;
	}
	buf = fixture_load("host-6.18-1node", "proc/buddyinfo", &len);
	assert_int_equal(buddyinfo_parse(buf, len, &b), 0);
	n = buddyinfo_node(&b, 0);
	assert_non_null(n);
	assert_int_equal(n->n_zones, 3);
	assert_int_equal(buddyinfo_zone_free_pages(n, "DMA", &got), 0);
	assert_int_equal(got, want[0]);
	assert_int_equal(buddyinfo_zone_free_pages(n, "DMA32", &got), 0);
	assert_int_equal(got, want[1]);
	assert_int_equal(buddyinfo_zone_free_pages(n, "Normal", &got), 0);
	assert_int_equal(got, want[2]);
	assert_int_equal(buddyinfo_free_pages(n), want[0] + want[1] + want[2]);
	assert_int_equal(buddyinfo_zone_free_pages(n, "Movable", &got), -ENOENT);
	assert_int_equal(buddyinfo_zone_free_pages(n, "Norm", &got), -ENOENT);

	assert_int_equal(buddyinfo_parse("Node 0, zone Normal 1 2\nNode 0, zone Normal 1 2\n",
					 strlen("Node 0, zone Normal 1 2\nNode 0, zone Normal 1 2\n"),
					 &b),
			 -EINVAL);
	assert_int_equal(buddyinfo_parse("Node 0, zone ABCDEFGHIJKLMNOP 1\n",
					 strlen("Node 0, zone ABCDEFGHIJKLMNOP 1\n"), &b),
			 -EINVAL);
	/* Two nodes' zones of the same name are two zones. */
	assert_int_equal(buddyinfo_parse("Node 0, zone Normal 1 2\nNode 1, zone Normal 3\n",
					 strlen("Node 0, zone Normal 1 2\nNode 1, zone Normal 3\n"),
					 &b),
			 0);
	assert_int_equal(buddyinfo_zone_free_pages(buddyinfo_node(&b, 0), "Normal", &got), 0);
	assert_int_equal(got, 1 + 4);
	assert_int_equal(buddyinfo_zone_free_pages(buddyinfo_node(&b, 1), "Normal", &got), 0);
	assert_int_equal(got, 3);
	(void)state;
}

/* The zones of host-6.18-1node's zoneinfo get buddyinfo's free pages; its
 * Movable and Device zones (managed 0, no buddyinfo line) are left alone;
 * a managed zone with no line fails, zi untouched. */
static void test_zone_free_into(void **state)
{
	_cleanup_free_ char *bbuf = NULL, *zbuf = NULL;
	struct zoneinfo *zi = calloc(1, sizeof(*zi));
	struct node_zoneinfo n, before;
	struct buddyinfo b;
	uint64_t want;
	size_t blen, zlen;

	assert_non_null(zi);
	bbuf = fixture_load("host-6.18-1node", "proc/buddyinfo", &blen);
	zbuf = fixture_load("host-6.18-1node", "proc/zoneinfo", &zlen);
	assert_int_equal(buddyinfo_parse(bbuf, blen, &b), 0);
	assert_int_equal(zoneinfo_parse(zbuf, zlen, zi), 0);
	n = zi->nodes[0];
	assert_int_equal(n.n_zones, 5);
	for (unsigned i = 0; i < n.n_zones; i++)
		n.zones[i].free = 7;
	assert_int_equal(buddyinfo_zone_free_into(buddyinfo_node(&b, 0), &n), 0);
	for (unsigned i = 0; i < n.n_zones; i++) {
		if (n.zones[i].managed == 0) {
			assert_int_equal(n.zones[i].free, 7);
			continue;
		}
		assert_int_equal(buddyinfo_zone_free_pages(buddyinfo_node(&b, 0), n.zones[i].name,
							   &want),
				 0);
		assert_int_equal(n.zones[i].free, want);
		/* The rest as zoneinfo had it. */
		assert_int_equal(n.zones[i].high, zi->nodes[0].zones[i].high);
	}
	/* A managed zone buddyinfo does not list. */
	snprintf(n.zones[1].name, sizeof(n.zones[1].name), "Other");
	before = n;
	assert_int_equal(buddyinfo_zone_free_into(buddyinfo_node(&b, 0), &n), -ENOENT);
	assert_memory_equal(&n, &before, sizeof(n));
	free(zi);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_parse_cases),
		cmocka_unit_test(test_saturates),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_zone_free_into),
	};

	return cmocka_run_group_tests_name("buddyinfo", tests, NULL, NULL);
}
