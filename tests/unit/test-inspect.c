/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "inspect.h"
#include "macro.h"
#include "readers-test.h"

/*
 * `--inspect` must match the fixture for every node and zone. The JSON is
 * serialised and parsed back (what a user's tool sees), then compared with
 * tests/unit/zoneinfo-extract.awk's reading of the same file: an awk script
 * that shares no code with the parser under test. Both directions are
 * checked: every field awk finds is in the JSON with the same value, and
 * every zone object has no field awk did not find.
 */

#define EXTRACT_AWK FIXTURES_DIR "/../unit/zoneinfo-extract.awk"

static const char *const fixture_sets[] = {
	"host-6.18-1node",
	"old-4.19-2node",
	"vm-6.12-4node",
	"vm-6.1-4node",
};

static struct json_object *inspect_roundtrip(const char *set)
{
	struct json_object *o = NULL, *back;
	char root[4096];

	fixture_root(set, root, sizeof(root));
	assert_int_equal(inspect_kernel_state(root, &o), 0);
	assert_non_null(o);
	back = json_tokener_parse(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	assert_non_null(back);
	json_object_put(o);
	return back;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no key \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static struct json_object *node_by_id(struct json_object *top, int id)
{
	struct json_object *nodes = get(top, "nodes");

	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i);

		if (json_object_get_int(get(n, "id")) == id)
			return n;
	}
	fail_msg("no node %d", id);
	abort();
}

static struct json_object *zone_by_name(struct json_object *node, const char *name)
{
	struct json_object *zones = get(node, "zones");

	for (size_t i = 0; i < json_object_array_length(zones); i++) {
		struct json_object *z = json_object_array_get_idx(zones, i);

		if (strcmp(json_object_get_string(get(z, "name")), name) == 0)
			return z;
	}
	fail_msg("no zone %s", name);
	abort();
}

/* The JSON value as awk prints it: numbers in decimal, protection as
 * "a,b,c", node_unreclaimable as 0/1. */
static void json_as_text(struct json_object *v, char *buf, size_t size)
{
	size_t pos = 0;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		snprintf(buf, size, "%d", json_object_get_boolean(v));
		break;
	case json_type_int:
		snprintf(buf, size, "%" PRIu64, json_object_get_uint64(v));
		break;
	case json_type_array:
		buf[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(v); i++)
			pos += (size_t)snprintf(buf + pos, size - pos, "%s%" PRIu64, i ? "," : "",
						json_object_get_uint64(json_object_array_get_idx(v, i)));
		break;
	default:
		fail_msg("unexpected JSON type for %s", json_object_to_json_string(v));
	}
}

struct extract_counts {
	unsigned zones, fields, lru;
};

static void check_line(struct json_object *top, char *line, struct extract_counts *c)
{
	char kind[8], node[16], a[64], b[64], value[256], got[256];
	int n = sscanf(line, "%7s %15s %63s %63s %255s", kind, node, a, b, value);
	struct json_object *jn;

	assert_true(n >= 3);
	jn = node_by_id(top, atoi(node));
	if (strcmp(kind, "ZONE") == 0) {
		(void)zone_by_name(jn, a); /* fails the test when missing */
		c->zones++;
	} else if (strcmp(kind, "F") == 0) {
		assert_int_equal(n, 5);
		json_as_text(get(zone_by_name(jn, a), b), got, sizeof(got));
		if (strcmp(got, value) != 0)
			fail_msg("node %s zone %s %s: JSON %s, file %s", node, a, b, got, value);
		c->fields++;
	} else if (strcmp(kind, "LRU") == 0) {
		struct json_object *lru = get(jn, "lru"), *v;
		char legacy[80];

		assert_int_equal(n, 4);
		/* Pre-5.9 "workingset_refault" is shown as ..._file. */
		snprintf(legacy, sizeof(legacy), "%s_file", a);
		if (json_object_object_get_ex(lru, a, &v) ||
		    (strncmp(a, "workingset_", 11) == 0 && json_object_object_get_ex(lru, legacy, &v))) {
			json_as_text(v, got, sizeof(got));
			if (strcmp(got, b) != 0)
				fail_msg("node %s lru %s: JSON %s, file %s", node, a, got, b);
			c->lru++;
		}
	} else {
		fail_msg("bad awk line %s", line);
	}
}

/* Fields in the JSON's zones, "name" aside: must equal what awk found. */
static unsigned json_zone_fields(struct json_object *top, unsigned *ret_zones)
{
	struct json_object *nodes = get(top, "nodes");
	unsigned fields = 0, zones = 0;

	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *zs = get(json_object_array_get_idx(nodes, i), "zones");

		for (size_t j = 0; j < json_object_array_length(zs); j++) {
			fields += (unsigned)json_object_object_length(json_object_array_get_idx(zs, j)) - 1;
			zones++;
		}
	}
	*ret_zones = zones;
	return fields;
}

static void check_fixture(const char *set)
{
	struct json_object *top = inspect_roundtrip(set);
	struct extract_counts c = {};
	char cmd[8192], line[1024];
	unsigned json_zones;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "awk -f '%s' '%s/%s/proc/zoneinfo'", EXTRACT_AWK, FIXTURES_DIR, set);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		check_line(top, line, &c);
	assert_int_equal(pclose(p), 0);

	assert_true(c.zones > 0 && c.fields > 0 && c.lru > 0);
	assert_int_equal(json_zone_fields(top, &json_zones), c.fields);
	assert_int_equal(json_zones, c.zones);
	json_object_put(top);
}

static void test_zones_match_fixtures(void **state)
{
	if (system("awk 'BEGIN { exit 0 }'") != 0)
		skip(); /* no awk: nothing independent to compare against */
	for (size_t i = 0; i < ELEMENTSOF(fixture_sets); i++)
		check_fixture(fixture_sets[i]);
	(void)state;
}

static void test_host_other_sources(void **state)
{
	struct json_object *top = inspect_roundtrip("host-6.18-1node");
	struct json_object *cpu = get(get(top, "pressure"), "cpu");
	struct json_object *n0 = node_by_id(top, 0);

	assert_string_equal(json_object_get_string(get(n0, "cpulist")), "0-1");
	/* avg printed as the kernel does, not as a binary double. */
	assert_string_equal(json_object_to_json_string(get(get(cpu, "some"), "avg60")), "0.43");
	assert_int_equal(json_object_get_uint64(get(get(cpu, "some"), "total")), 4909467);
	assert_int_equal(json_object_get_uint64(get(get(get(get(top, "pressure"), "io"), "full"), "total")),
			 3916198);
	assert_int_equal(json_object_get_uint64(get(get(top, "vmstat"), "pgmajfault")), 755);
	assert_int_equal(json_object_get_uint64(get(get(top, "meminfo"), "MemTotal")), 24684092);
	assert_int_equal(json_object_get_uint64(get(get(n0, "meminfo"), "MemFree")), 3258468);
	/* Empty zones have no node_unreclaimable line; populated ones do. */
	assert_false(json_object_object_get_ex(zone_by_name(n0, "Movable"), "node_unreclaimable", NULL));
	assert_true(json_object_object_get_ex(zone_by_name(n0, "DMA"), "node_unreclaimable", NULL));
	json_object_put(top);
	(void)state;
}

static void test_old_other_sources(void **state)
{
	struct json_object *top = inspect_roundtrip("old-4.19-2node");
	struct json_object *mem = get(get(top, "pressure"), "memory");
	struct json_object *n1 = node_by_id(top, 1);
	struct json_object *dma = zone_by_name(node_by_id(top, 0), "DMA");

	/* 4.19 has no PSI: said, not hidden. */
	assert_string_equal(json_object_get_string(get(mem, "error")), strerror(ENOENT));
	assert_string_equal(json_object_get_string(get(n1, "cpulist")), "2-3");
	assert_true(json_object_get_boolean(get(n1, "node_unreclaimable")));
	/* Lines 4.19 does not print are left out, not shown as 0. */
	assert_false(json_object_object_get_ex(dma, "boost", NULL));
	assert_false(json_object_object_get_ex(dma, "promo", NULL));
	assert_false(json_object_object_get_ex(dma, "cma", NULL));
	assert_int_equal(json_object_get_uint64(get(get(top, "vmstat"), "allocstall_normal")), 12);
	assert_false(json_object_object_get_ex(get(top, "vmstat"), "pgscan_proactive", NULL));
	json_object_put(top);
	(void)state;
}

static void test_missing_root(void **state)
{
	struct json_object *o = (struct json_object *)0x1;
	char root[4096];

	fixture_root("no-such-fixture", root, sizeof(root));
	assert_int_equal(inspect_kernel_state(root, &o), -ENOENT);
	assert_ptr_equal(o, (struct json_object *)0x1);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones_match_fixtures),
		cmocka_unit_test(test_host_other_sources),
		cmocka_unit_test(test_old_other_sources),
		cmocka_unit_test(test_missing_root),
	};

	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
