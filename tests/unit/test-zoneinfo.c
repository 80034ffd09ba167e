/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "readers-test.h"
#include "zoneinfo.h"

/* Every parse goes to a heap snapshot pre-filled with a pattern, so a
 * failure can be checked to have left it untouched. */
static struct zoneinfo *zi_new_sentinel(void)
{
	struct zoneinfo *zi = malloc(sizeof(*zi));

	assert_non_null(zi);
	memset(zi, 0xa5, sizeof(*zi));
	return zi;
}

static bool zi_is_sentinel(const struct zoneinfo *zi)
{
	const unsigned char *p = (const unsigned char *)zi;

	for (size_t i = 0; i < sizeof(*zi); i++)
		if (p[i] != 0xa5)
			return false;
	return true;
}

static const struct zone_stat *zone_of(const struct zoneinfo *zi, int node, const char *name)
{
	const struct node_zoneinfo *n = zoneinfo_node(zi, node);

	assert_non_null(n);
	for (unsigned i = 0; i < n->n_zones; i++)
		if (strcmp(n->zones[i].name, name) == 0)
			return &n->zones[i];
	fail_msg("node %d has no zone %s", node, name);
	abort(); /* fail_msg() does not return; tell the compiler */
}

struct zone_expect {
	int node;
	const char *name;
	uint64_t free, boost, min, low, high, promo, spanned, present, managed;
	bool has_boost, has_promo, has_cma, node_unreclaimable;
	unsigned n_protection;
	uint64_t protection[5];
};

static void check_zone(const struct zoneinfo *zi, const struct zone_expect *e)
{
	const struct zone_stat *z = zone_of(zi, e->node, e->name);

	assert_int_equal(z->free, e->free);
	assert_int_equal(z->boost, e->boost);
	assert_int_equal(z->min, e->min);
	assert_int_equal(z->low, e->low);
	assert_int_equal(z->high, e->high);
	assert_int_equal(z->promo, e->promo);
	assert_int_equal(z->spanned, e->spanned);
	assert_int_equal(z->present, e->present);
	assert_int_equal(z->managed, e->managed);
	assert_int_equal(z->has_boost, e->has_boost);
	assert_int_equal(z->has_promo, e->has_promo);
	assert_int_equal(z->has_cma, e->has_cma);
	assert_int_equal(z->node_unreclaimable, e->node_unreclaimable);
	assert_int_equal(z->n_protection, e->n_protection);
	for (unsigned i = 0; i < e->n_protection; i++)
		assert_int_equal(z->protection[i], e->protection[i]);
}

static struct zoneinfo *parse_fixture(const char *set)
{
	struct zoneinfo *zi = zi_new_sentinel();
	size_t len;
	char *buf = fixture_load(set, "proc/zoneinfo", &len);

	assert_int_equal(zoneinfo_parse(buf, len, zi), 0);
	free(buf);
	return zi;
}

static void test_key_table_sorted(void **state)
{
	size_t n = 0;

	for (; zoneinfo_key_name_at(n + 1); n++)
		if (strcmp(zoneinfo_key_name_at(n), zoneinfo_key_name_at(n + 1)) >= 0)
			fail_msg("key table not sorted at %s", zoneinfo_key_name_at(n));
	assert_true(n > 20);
	(void)state;
}

static void test_host_6_18(void **state)
{
	static const struct zone_expect zones[] = {
		{ 0, "DMA", 3840, 0, 45, 56, 67, 78, 4095, 3998, 3840, true, true, true, false,
		  5, { 0, 3019, 5579, 5579, 5579 } },
		{ 0, "DMA32", 772917, 0, 9118, 11397, 13676, 15955, 1044480, 782336, 772917,
		  true, true, true, false, 5, { 0, 0, 2560, 2560, 2560 } },
		{ 0, "Normal", 37810, 0, 7731, 9663, 11595, 13527, 5505024, 5505024, 655360,
		  true, true, true, false, 5, { 0, 0, 0, 0, 0 } },
		/* Empty zones are listed, with watermarks but nothing else. */
		{ 0, "Movable", 0, 0, 32, 32, 32, 32, 0, 0, 0, true, true, true, false, 5,
		  { 0 } },
		{ 0, "Device", 0, 0, 0, 0, 0, 0, 0, 0, 0, true, true, true, false, 5, { 0 } },
	};
	struct zoneinfo *zi = parse_fixture("host-6.18-1node");
	const struct node_zoneinfo *n;
	static const char *const order[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };

	assert_int_equal(zi->n_nodes, 1);
	n = zoneinfo_node(zi, 0);
	assert_non_null(n);
	assert_null(zoneinfo_node(zi, 1));
	assert_int_equal(n->n_zones, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_string_equal(n->zones[i].name, order[i]);
	for (size_t i = 0; i < ELEMENTSOF(zones); i++)
		check_zone(zi, &zones[i]);
	assert_true(n->has_lru);
	assert_false(n->node_unreclaimable);
	assert_int_equal(n->lru.nr_inactive_file, 466333);
	assert_int_equal(n->lru.nr_active_file, 97501);
	assert_int_equal(n->lru.nr_active_anon, 388);
	assert_int_equal(n->lru.nr_slab_reclaimable, 27254);
	assert_int_equal(n->lru.nr_mapped, 2579);
	assert_true(n->has_node_reclaim_lines);
	assert_int_equal(n->lru.workingset_refault_file, 0);
	free(zi);
	(void)state;
}

static void test_old_4_19(void **state)
{
	static const struct zone_expect zones[] = {
		{ 0, "DMA", 3977, 0, 16, 20, 24, 0, 4095, 3998, 3977, false, false, false, false,
		  4, { 0, 2958, 7927, 7927 } },
		{ 0, "Normal", 1093284, 0, 6276, 7845, 9414, 0, 1310720, 1310720, 1272135,
		  false, false, false, false, 4, { 0 } },
		{ 1, "DMA", 0, 0, 0, 0, 0, 0, 0, 0, 0, false, false, false, false, 4, { 0 } },
		{ 1, "Normal", 1500000, 0, 10085, 12606, 15127, 0, 2097152, 2097152, 2064300,
		  false, false, false, true, 4, { 0 } },
	};
	struct zoneinfo *zi = parse_fixture("old-4.19-2node");
	const struct node_zoneinfo *n0, *n1;

	assert_int_equal(zi->n_nodes, 2);
	for (size_t i = 0; i < ELEMENTSOF(zones); i++)
		check_zone(zi, &zones[i]);
	n0 = zoneinfo_node(zi, 0);
	n1 = zoneinfo_node(zi, 1);
	assert_int_equal(n0->n_zones, 4);
	assert_int_equal(n1->n_zones, 4);
	assert_false(n0->node_unreclaimable);
	assert_true(n1->node_unreclaimable);
	/* Pre-5.9 names read as the _file counters. */
	assert_int_equal(n0->lru.workingset_refault_file, 4242);
	assert_int_equal(n0->lru.workingset_activate_file, 1717);
	assert_int_equal(n0->lru.workingset_refault_anon, 0);
	/* Node 1's per-node block is in Normal, its first populated zone. */
	assert_true(n1->has_lru);
	assert_int_equal(n1->lru.nr_inactive_file, 233166);
	assert_int_equal(n1->lru.nr_active_anon, 194);
	assert_int_equal(n1->lru.nr_slab_reclaimable, 13627);
	assert_int_equal(n1->lru.workingset_refault_file, 31);
	assert_int_equal(n1->lru.workingset_activate_file, 7);
	free(zi);
	(void)state;
}

/* Captured by the VM helper (tests/vm/capture): 4 nodes, CPUs on nodes 0
 * and 1 only, movablecore=256M. */
static void check_vm_nodes(const struct zoneinfo *zi)
{
	static const char *const order[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };

	assert_int_equal(zi->n_nodes, 4);
	for (int id = 0; id < 4; id++) {
		const struct node_zoneinfo *n = zoneinfo_node(zi, id);

		assert_non_null(n);
		assert_int_equal(n->n_zones, 5);
		for (unsigned i = 0; i < 5; i++)
			assert_string_equal(n->zones[i].name, order[i]);
		assert_true(n->has_lru);
		assert_false(n->node_unreclaimable);
	}
}

static void test_vm_6_12(void **state)
{
	static const struct zone_expect zones[] = {
		{ 0, "DMA32", 58657, 0, 5553, 6941, 8329, 9717, 111616, 111616, 111616,
		  true, true, true, false, 5, { 0, 0, 0, 51, 51 } },
		{ 1, "Movable", 2943, 0, 32, 208, 384, 560, 16384, 16384, 14227,
		  true, true, true, false, 5, { 0 } },
		{ 2, "DMA32", 107898, 0, 5705, 7131, 8557, 9983, 114688, 114688, 114688,
		  true, true, true, false, 5, { 0, 0, 0, 55, 55 } },
		{ 3, "Normal", 0, 0, 0, 0, 0, 0, 0, 0, 0, true, true, true, false, 5, { 0 } },
	};
	struct zoneinfo *zi = parse_fixture("vm-6.12-4node");

	check_vm_nodes(zi);
	for (size_t i = 0; i < ELEMENTSOF(zones); i++)
		check_zone(zi, &zones[i]);
	/* Nodes 1-3 have an empty DMA: their per-node block is in DMA32. */
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_active_anon, 8721);
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_inactive_file, 72536);
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_slab_reclaimable, 256);
	assert_int_equal(zoneinfo_node(zi, 3)->lru.nr_active_anon, 6656);
	assert_int_equal(zoneinfo_node(zi, 3)->lru.nr_slab_reclaimable, 23);
	free(zi);
	(void)state;
}

static void test_vm_6_1(void **state)
{
	/* 6.1 has boost and cma but no promo watermark. */
	static const struct zone_expect zones[] = {
		{ 0, "DMA32", 48120, 0, 4945, 6181, 7417, 0, 111616, 111616, 111616,
		  true, false, true, false, 5, { 0, 0, 0, 51, 51 } },
		{ 1, "Movable", 3447, 0, 630, 787, 944, 0, 16384, 16384, 14231,
		  true, false, true, false, 5, { 0 } },
		{ 2, "DMA32", 107298, 0, 5081, 6351, 7621, 0, 114688, 114688, 114688,
		  true, false, true, false, 5, { 0, 0, 0, 55, 55 } },
		{ 3, "Normal", 0, 0, 0, 0, 0, 0, 0, 0, 0, true, false, true, false, 5, { 0 } },
	};
	struct zoneinfo *zi = parse_fixture("vm-6.1-4node");

	check_vm_nodes(zi);
	for (size_t i = 0; i < ELEMENTSOF(zones); i++)
		check_zone(zi, &zones[i]);
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_active_anon, 623);
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_inactive_file, 52038);
	assert_int_equal(zoneinfo_node(zi, 1)->lru.nr_slab_reclaimable, 2382);
	assert_int_equal(zoneinfo_node(zi, 3)->lru.nr_slab_reclaimable, 26);
	free(zi);
	(void)state;
}

#define ZONE_BODY                                                              \
	"  pages free     100\n"                                               \
	"        min      10\n"                                                \
	"        low      20\n"                                                \
	"        high     30\n"                                                \
	"        spanned  400\n"                                               \
	"        present  300\n"                                               \
	"        managed  200\n"                                               \
	"        protection: (0, 5)\n"

#define NODE0 "Node 0, zone      DMA\n"

static void test_minimal_and_ignored(void **state)
{
	static const char text[] = NODE0
		"  per-node stats\n"
		"      nr_inactive_file 77\n"
		"      nr_brand_new_counter 5\n" ZONE_BODY
		"      nr_zone_inactive_file 1\n"
		"  pagesets\n"
		"    cpu: 0\n"
		"              count:    4605\n"
		"              high:     99999\n"
		"  node_unreclaimable:  1\n"
		"  start_pfn:           1\n"
		"Node 0, zone   Normal\n" ZONE_BODY;
	struct zoneinfo *zi = zi_new_sentinel();
	const struct zone_stat *z;

	assert_int_equal(zoneinfo_parse(text, strlen(text), zi), 0);
	assert_int_equal(zi->n_nodes, 1);
	assert_int_equal(zi->nodes[0].n_zones, 2);
	z = &zi->nodes[0].zones[0];
	/* "high:" in the pagesets is not the "high" watermark. */
	assert_int_equal(z->high, 30);
	assert_int_equal(z->free, 100);
	assert_int_equal(z->n_protection, 2);
	assert_int_equal(z->protection[1], 5);
	assert_true(z->node_unreclaimable);
	assert_false(z->has_boost);
	assert_true(zi->nodes[0].node_unreclaimable);
	assert_int_equal(zi->nodes[0].lru.nr_inactive_file, 77);
	/* The other lines of the kernel's node-reclaim test are missing:
	 * unknown, not zero (target_node_file_gated() judges nothing). */
	assert_true(zi->nodes[0].has_lru);
	assert_false(zi->nodes[0].has_node_reclaim_lines);
	assert_false(zi->nodes[0].zones[1].node_unreclaimable);
	free(zi);
	(void)state;
}

struct bad_case {
	const char *what;
	const char *text;
	int r;
};

static void test_adversarial(void **state)
{
	static const struct bad_case cases[] = {
		{ "empty", "", -EINVAL },
		{ "no newline at end (truncated)", NODE0 ZONE_BODY "  node_unreclaimable:  0",
		  -EINVAL },
		{ "zone fields before any node", ZONE_BODY, -EINVAL },
		{ "per-node stats before any node", "  per-node stats\n", -EINVAL },
		{ "no zone field at all", NODE0, -EINVAL },
		{ "truncated zone: managed and protection missing",
		  NODE0 "  pages free     100\n        min      10\n        low      20\n"
		  "        high     30\n        spanned  400\n        present  300\n",
		  -EINVAL },
		{ "bad number", NODE0 ZONE_BODY "        boost    12x\n", -EINVAL },
		{ "negative number", NODE0 ZONE_BODY "        boost    -1\n", -EINVAL },
		{ "overflow", NODE0 ZONE_BODY "        boost    18446744073709551616\n", -EINVAL },
		{ "missing value", NODE0 ZONE_BODY "        boost\n", -EINVAL },
		{ "two values", NODE0 ZONE_BODY "        boost    1 2\n", -EINVAL },
		{ "duplicate key in a zone", NODE0 ZONE_BODY "        min      11\n", -EINVAL },
		{ "duplicate pages free", NODE0 ZONE_BODY "  pages free     1\n", -EINVAL },
		{ "duplicate protection", NODE0 ZONE_BODY "        protection: (0, 5)\n",
		  -EINVAL },
		{ "watermark before pages free", NODE0 "        min      10\n" ZONE_BODY,
		  -EINVAL },
		{ "protection unclosed", NODE0 "  pages free 1\n min 1\n low 1\n high 1\n"
		  " spanned 1\n present 1\n managed 1\n protection: (0, 5\n", -EINVAL },
		{ "protection empty", NODE0 "  pages free 1\n min 1\n low 1\n high 1\n"
		  " spanned 1\n present 1\n managed 1\n protection: ()\n", -EINVAL },
		{ "protection double comma", NODE0 "  pages free 1\n min 1\n low 1\n high 1\n"
		  " spanned 1\n present 1\n managed 1\n protection: (0,,5)\n", -EINVAL },
		{ "protection trailing junk", NODE0 "  pages free 1\n min 1\n low 1\n high 1\n"
		  " spanned 1\n present 1\n managed 1\n protection: (0, 5) x\n", -EINVAL },
		{ "protection too long", NODE0 "  pages free 1\n min 1\n low 1\n high 1\n"
		  " spanned 1\n present 1\n managed 1\n protection: (0, 1, 2, 3, 4, 5, 6, 7, 8)\n",
		  -E2BIG },
		{ "node_unreclaimable 2", NODE0 ZONE_BODY "  node_unreclaimable:  2\n", -EINVAL },
		{ "header without comma", "Node 0 zone DMA\n" ZONE_BODY, -EINVAL },
		{ "header without zone name", "Node 0, zone\n" ZONE_BODY, -EINVAL },
		{ "header with junk", "Node 0, zone DMA extra\n" ZONE_BODY, -EINVAL },
		{ "header negative node", "Node -1, zone DMA\n" ZONE_BODY, -EINVAL },
		{ "zone name too long", "Node 0, zone ABCDEFGHIJKLMNOP\n" ZONE_BODY, -EINVAL },
		{ "zone twice in a node", NODE0 ZONE_BODY NODE0 ZONE_BODY, -EINVAL },
		{ "node listed twice apart",
		  NODE0 ZONE_BODY "Node 1, zone DMA\n" ZONE_BODY "Node 0, zone Normal\n" ZONE_BODY,
		  -EINVAL },
		{ "per-node stats twice in a node",
		  NODE0 "  per-node stats\n" ZONE_BODY "Node 0, zone Normal\n  per-node stats\n"
		  ZONE_BODY, -EINVAL },
		{ "per-node stats after pages free", NODE0 ZONE_BODY "  per-node stats\n",
		  -EINVAL },
		{ "duplicate per-node counter",
		  NODE0 "  per-node stats\n nr_dirty 1\n nr_dirty 2\n" ZONE_BODY, -EINVAL },
		{ "old and new refault names together",
		  NODE0 "  per-node stats\n workingset_refault 1\n workingset_refault_file 2\n"
		  ZONE_BODY, -EINVAL },
		{ "carriage return", NODE0 ZONE_BODY "        boost    1\r\n", -EINVAL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct zoneinfo *zi = zi_new_sentinel();
		int r = zoneinfo_parse(cases[i].text, strlen(cases[i].text), zi);

		if (r != cases[i].r)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].r);
		if (!zi_is_sentinel(zi))
			fail_msg("%s: output written on failure", cases[i].what);
		free(zi);
	}
	(void)state;
}

static void test_embedded_nul(void **state)
{
	static const char text[] = NODE0 "  pages\0free 1\n" ZONE_BODY;
	struct zoneinfo *zi = zi_new_sentinel();

	assert_int_equal(zoneinfo_parse(text, sizeof(text) - 1, zi), -EINVAL);
	assert_true(zi_is_sentinel(zi));
	free(zi);
	(void)state;
}

/* A text of n_nodes nodes of n_zones zones each, all valid. */
static char *make_text(unsigned n_nodes, unsigned n_zones, size_t *ret_len)
{
	size_t cap = (size_t)n_nodes * n_zones * 256 + 1, len = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (unsigned n = 0; n < n_nodes; n++)
		for (unsigned z = 0; z < n_zones; z++)
			len += (size_t)snprintf(buf + len, cap - len,
						"Node %u, zone Z%u\n" ZONE_BODY, n, z);
	*ret_len = len;
	return buf;
}

static void test_limits(void **state)
{
	struct zoneinfo *zi = zi_new_sentinel();
	size_t len;
	char *text;

	text = make_text(ZONEINFO_MAX_NODES, 2, &len);
	assert_int_equal(zoneinfo_parse(text, len, zi), 0);
	assert_int_equal(zi->n_nodes, ZONEINFO_MAX_NODES);
	assert_int_equal(zi->nodes[ZONEINFO_MAX_NODES - 1].id, ZONEINFO_MAX_NODES - 1);
	free(text);

	memset(zi, 0xa5, sizeof(*zi));
	text = make_text(ZONEINFO_MAX_NODES + 1, 1, &len);
	assert_int_equal(zoneinfo_parse(text, len, zi), -E2BIG);
	assert_true(zi_is_sentinel(zi));
	free(text);

	text = make_text(1, ZONEINFO_MAX_ZONES, &len);
	assert_int_equal(zoneinfo_parse(text, len, zi), 0);
	assert_int_equal(zi->nodes[0].n_zones, ZONEINFO_MAX_ZONES);
	free(text);

	memset(zi, 0xa5, sizeof(*zi));
	text = make_text(1, ZONEINFO_MAX_ZONES + 1, &len);
	assert_int_equal(zoneinfo_parse(text, len, zi), -E2BIG);
	assert_true(zi_is_sentinel(zi));
	free(text);
	free(zi);
	(void)state;
}

static void test_reader_fixture(void **state)
{
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *r = NULL;
	struct zoneinfo *a = zi_new_sentinel(), *b = parse_fixture("old-4.19-2node");
	char root[4096];

	fixture_root("old-4.19-2node", root, sizeof(root));
	assert_int_equal(zoneinfo_reader_open(root, &r), 0);
	/* 64 KiB floor: the file is 9 KiB. */
	assert_int_equal(zoneinfo_reader_buffer_size(r), 64 * 1024);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(zoneinfo_reader_read(r, a), 0);
		assert_int_equal(a->n_nodes, 2);
		assert_memory_equal(a->nodes, b->nodes, 2 * sizeof(a->nodes[0]));
	}
	free(a);
	free(b);
	(void)state;
}

static void test_reader_missing(void **state)
{
	struct zoneinfo_reader *r = (struct zoneinfo_reader *)0x1;
	char root[4096];

	fixture_root("no-such-fixture", root, sizeof(root));
	assert_int_equal(zoneinfo_reader_open(root, &r), -ENOENT);
	assert_ptr_equal(r, (struct zoneinfo_reader *)0x1);
	(void)state;
}

/* A file that outgrows the buffer chosen at open gives -E2BIG, not a
 * truncated parse; the caller reopens on its slow path. */
static void test_reader_grows(void **state)
{
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *r = NULL;
	char dir[] = "/tmp/test-zoneinfo.XXXXXX", path[256];
	struct zoneinfo *zi = zi_new_sentinel();
	size_t len;
	char *text;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", dir);
	text = make_text(1, 1, &len);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
	assert_int_equal(zoneinfo_reader_open(dir, &r), 0);

	text = make_text(ZONEINFO_MAX_NODES, ZONEINFO_MAX_ZONES, &len);
	assert_true(len > zoneinfo_reader_buffer_size(r));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
	assert_int_equal(zoneinfo_reader_read(r, zi), -E2BIG);
	assert_true(zi_is_sentinel(zi));

	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
	free(zi);
	(void)state;
}

/* A root holding proc/zoneinfo with text; the directory name in dir. */
static void write_root(char *dir, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void remove_root(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/proc/zoneinfo", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

/* A node thread's snapshot (issue 14): one node's zones, the others'
 * lines skipped unparsed; the same node as the whole parse gives. */
static void test_reader_node(void **state)
{
	static const char *const sets[] = { "old-4.19-2node", "vm-6.12-4node", "host-6.18-1node" };

	for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
		_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *r = NULL;
		struct zoneinfo *whole = parse_fixture(sets[i]);
		struct node_zoneinfo n;
		char root[4096];

		fixture_root(sets[i], root, sizeof(root));
		assert_int_equal(zoneinfo_reader_open(root, &r), 0);
		for (unsigned k = 0; k < whole->n_nodes; k++) {
			memset(&n, 0x5a, sizeof(n));
			assert_int_equal(zoneinfo_reader_read_node(r, whole->nodes[k].id, &n), 0);
			assert_memory_equal(&n, &whole->nodes[k], sizeof(n));
		}
		/* No such node: -ENOENT, *ret untouched. */
		memset(&n, 0x5a, sizeof(n));
		assert_int_equal(zoneinfo_reader_read_node(r, 9, &n), -ENOENT);
		for (size_t b = 0; b < sizeof(n); b++)
			assert_int_equal(((unsigned char *)&n)[b], 0x5a);
		assert_int_equal(zoneinfo_reader_read_node(r, -1, &n), -EINVAL);
		free(whole);
	}
	(void)state;
}

struct capture_room {
	const char *set, *zone_name;
	unsigned zone;
	uint64_t room[2]; /* CPU 0's, CPU 1's */
};

static const struct capture_room captures[] = {
	{ "vm-6.12-4node", "DMA32", 1, { 7828 - 1684, 6941 - 5168 } },
	{ "host-6.18-1node", "Normal", 2, { 4831 - 4473, 4831 - 3317 } },
};

/* The room of one CPU's per-CPU list in each zone ("high:" less
 * "count:"), read by a node thread for the CPU it runs on. */
static void test_reader_node_cpu(void **state)
{
	static const char text[] = "Node 0, zone   Normal\n" ZONE_BODY
				   "  pagesets\n"
				   "    cpu: 0\n"
				   "              count: 10\n"
				   "              high:  90\n"
				   "              batch: 7\n"
				   "  vm stats threshold: 4\n"
				   "    cpu: 1\n"
				   "              count: 500\n"
				   "              high:  400\n"
				   "              batch: 7\n"
				   "  vm stats threshold: 4\n"
				   "    cpu: 2\n"
				   "              count: 3\n"
				   "              high:  x\n"
				   "  vm stats threshold: 4\n"
				   "  node_unreclaimable:  0\n"
				   "  start_pfn:           1\n";
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *r = NULL;
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *f = NULL;
	struct zoneinfo *whole;
	struct node_zoneinfo n;
	char dir[] = "/tmp/test-zoneinfo.XXXXXX", root[4096];

	write_root(dir, text, sizeof(text) - 1);
	assert_int_equal(zoneinfo_reader_open(dir, &r), 0);
	assert_int_equal(zoneinfo_reader_read_node_cpu(r, 0, 0, &n), 0);
	assert_true(n.zones[0].has_pcp);
	assert_int_equal(n.zones[0].pcp_room, 80);
	assert_int_equal(n.zones[0].free, 100);
	/* Over its high: no room. */
	assert_int_equal(zoneinfo_reader_read_node_cpu(r, 0, 1, &n), 0);
	assert_true(n.zones[0].has_pcp);
	assert_int_equal(n.zones[0].pcp_room, 0);
	/* A value that is no number, a CPU not listed, no CPU: unknown,
	 * never guessed; the rest of the zone is read as ever. */
	static const int unknown[] = { 2, 7, -1 };
	for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
		assert_int_equal(zoneinfo_reader_read_node_cpu(r, 0, unknown[i], &n), 0);
		assert_false(n.zones[0].has_pcp);
		assert_int_equal(n.zones[0].pcp_room, 0);
		assert_int_equal(n.zones[0].high, 30);
	}
	assert_int_equal(zoneinfo_reader_read_node(r, 0, &n), 0);
	assert_false(n.zones[0].has_pcp);
	remove_root(dir);
	/* The same parse from a buffer (what the fuzzer drives). */
	whole = zi_new_sentinel();
	assert_int_equal(zoneinfo_parse_node_cpu(text, sizeof(text) - 1, 0, 0, whole, &n), 0);
	assert_int_equal(n.zones[0].pcp_room, 80);
	assert_int_equal(zoneinfo_parse_node_cpu(text, sizeof(text) - 1, 1, 0, whole, &n), -ENOENT);
	assert_int_equal(zoneinfo_parse_node_cpu(text, sizeof(text) - 1, -1, 0, whole, &n), -EINVAL);
	free(whole);

	/* Real captures: 6.12's node 0 DMA32 lists hold 1684 of 7828 and
	 * 5168 of 6941 pages; 6.18's (values aligned wider) Normal lists
	 * 4473 and 3317 of 4831. */
	for (size_t i = 0; i < ELEMENTSOF(captures); i++) {
		const struct capture_room *c = &captures[i];

		fixture_root(c->set, root, sizeof(root));
		assert_int_equal(zoneinfo_reader_open(root, &f), 0);
		for (int cpu = 0; cpu < 2; cpu++) {
			assert_int_equal(zoneinfo_reader_read_node_cpu(f, 0, cpu, &n), 0);
			assert_string_equal(n.zones[c->zone].name, c->zone_name);
			assert_true(n.zones[c->zone].has_pcp);
			assert_int_equal(n.zones[c->zone].pcp_room, c->room[cpu]);
		}
		f = zoneinfo_reader_free(f);
	}
	/* The whole file, the monitor's read, leaves the lists unread. */
	whole = parse_fixture("vm-6.12-4node");
	for (unsigned k = 0; k < whole->n_nodes; k++)
		for (unsigned z = 0; z < whole->nodes[k].n_zones; z++)
			assert_false(whole->nodes[k].zones[z].has_pcp);
	free(whole);
	(void)state;
}

/* A defect in another node's lines is that node's (and the whole
 * parse's) to find; in the node's own, the node read refuses it. */
static void test_reader_node_defect(void **state)
{
	static const char text[] = "Node 0, zone   Normal\n" ZONE_BODY
				   "Node 1, zone   Normal\n"
				   "  pages free     200\n"
				   "        min      x\n";
	_cleanup_(zoneinfo_reader_freep) struct zoneinfo_reader *r = NULL;
	struct zoneinfo *zi = zi_new_sentinel();
	struct node_zoneinfo n;
	char dir[] = "/tmp/test-zoneinfo.XXXXXX";

	write_root(dir, text, sizeof(text) - 1);
	assert_int_equal(zoneinfo_reader_open(dir, &r), 0);
	assert_int_equal(zoneinfo_reader_read(r, zi), -EINVAL);
	assert_true(zi_is_sentinel(zi));
	assert_int_equal(zoneinfo_reader_read_node(r, 0, &n), 0);
	assert_int_equal(n.id, 0);
	assert_int_equal(n.n_zones, 1);
	assert_int_equal(n.zones[0].free, 100);
	assert_int_equal(n.zones[0].high, 30);
	assert_int_equal(zoneinfo_reader_read_node(r, 1, &n), -EINVAL);
	remove_root(dir);
	free(zi);
	(void)state;
}

/* The vm-6.12-4node fixture with each zone's per-CPU pagesets grown to
 * ncpu CPUs, as a large machine prints them. */
static char *with_cpus(const char *text, unsigned ncpu, size_t *ret_len)
{
	size_t cap = strlen(text) + (size_t)ncpu * 160 * 32 + 1, len = 0;
	char *out = malloc(cap);
	const char *s = text;
	bool in_pagesets = false;

	assert_non_null(out);
	while (*s) {
		const char *eol = strchrnul(s, '\n');
		size_t n = (size_t)(eol - s) + (*eol == '\n');

		/* Drop the fixture's own per-CPU lines; write ncpu of them
		 * after the heading. */
		if (in_pagesets && (strncmp(s, "    ", 4) == 0 ||
				    strncmp(s, "  vm stats threshold:", 21) == 0)) {
			s += n;
			continue;
		}
		in_pagesets = strncmp(s, "  pagesets\n", 11) == 0;
		memcpy(out + len, s, n);
		len += n;
		if (in_pagesets)
			for (unsigned c = 0; c < ncpu; c++)
				len += (size_t)snprintf(out + len, cap - len,
							"    cpu: %u\n"
							"              count: %u\n"
							"              high:  %u\n"
							"              batch: 63\n"
							"  vm stats threshold: 24\n",
							c, c * 7 % 300, 378 + c);
		s += n;
	}
	out[len] = '\0';
	*ret_len = len;
	return out;
}

/* The per-CPU pagesets are skipped unparsed (most of the file on a large
 * machine); the parse is the same with 2 CPUs' and with 256 CPUs'. */
static void test_many_cpus(void **state)
{
	size_t len, big_len;
	char *text = fixture_load("vm-6.12-4node", "proc/zoneinfo", &len);
	char *big = with_cpus(text, 256, &big_len);
	struct zoneinfo *a = zi_new_sentinel(), *b = zi_new_sentinel();

	assert_true(big_len > 10 * len);
	assert_int_equal(zoneinfo_parse(text, len, a), 0);
	assert_int_equal(zoneinfo_parse(big, big_len, b), 0);
	assert_int_equal(a->n_nodes, 4);
	assert_int_equal(b->n_nodes, 4);
	assert_memory_equal(a->nodes, b->nodes, 4 * sizeof(a->nodes[0]));
	free(a);
	free(b);
	free(big);
	free(text);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_table_sorted),
		cmocka_unit_test(test_host_6_18),
		cmocka_unit_test(test_old_4_19),
		cmocka_unit_test(test_vm_6_12),
		cmocka_unit_test(test_vm_6_1),
		cmocka_unit_test(test_minimal_and_ignored),
		cmocka_unit_test(test_adversarial),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_reader_fixture),
		cmocka_unit_test(test_reader_node),
		cmocka_unit_test(test_reader_node_cpu),
		cmocka_unit_test(test_reader_node_defect),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_reader_missing),
		cmocka_unit_test(test_reader_grows),
	};

	return cmocka_run_group_tests_name("zoneinfo", tests, NULL, NULL);
}
