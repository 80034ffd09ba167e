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
#include "nodereclaim.h"
#include "readers-test.h"

static void test_parse_value(void **state)
{
	static const struct {
		const char *text;
		int r;
		unsigned v;
	} t[] = {
		{ "1\n", 0, 1 },
		{ "0\n", 0, 0 },
		{ "100\n", 0, 100 },
		{ "4294967295\n", 0, 4294967295u },
		{ "4294967296\n", -EINVAL, 0 },
		{ "1", -EINVAL, 0 },     /* cut off: no newline */
		{ "", -EINVAL, 0 },
		{ "-1\n", -EINVAL, 0 },
		{ "1 2\n", -EINVAL, 0 },
		{ "1\n2\n", -EINVAL, 0 },
		{ "x\n", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		unsigned v = 77;
		int r = node_reclaim_parse_value(t[i].text, strlen(t[i].text), &v);

		if (r != t[i].r)
			fail_msg("case %zu (%s): r %d, want %d", i, t[i].text, r, t[i].r);
		if (r == 0 && v != t[i].v)
			fail_msg("case %zu: %u, want %u", i, v, t[i].v);
		if (r < 0 && v != 77)
			fail_msg("case %zu: output changed on failure", i);
	}
	(void)state;
}

static char root[] = "/tmp/test-nodereclaim.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/sys/vm/%s", root, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	char path[256];

	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys/vm", root);
	mkdir(path, 0755);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

static void test_reader(void **state)
{
	struct node_reclaim_reader r;
	struct node_reclaim_limits l, want;
	char path[256];

	put("min_unmapped_ratio", "1\n");
	put("min_slab_ratio", "5\n");
	put("zone_reclaim_mode", "0\n");
	assert_int_equal(node_reclaim_reader_open(root, &r), 0);
	assert_int_equal(node_reclaim_reader_read(&r, &l), 0);
	assert_true(l.known);
	assert_int_equal(l.min_unmapped_ratio, 1);
	assert_int_equal(l.min_slab_ratio, 5);
	assert_int_equal(l.zone_reclaim_mode, 0);

	/* Kept open: a change shows at the next read. */
	put("min_unmapped_ratio", "0\n");
	put("zone_reclaim_mode", "6\n");
	assert_int_equal(node_reclaim_reader_read(&r, &l), 0);
	assert_int_equal(l.min_unmapped_ratio, 0);
	assert_int_equal(l.zone_reclaim_mode, NODE_RECLAIM_RECLAIM_WRITE | NODE_RECLAIM_RECLAIM_UNMAP);

	/* A bad value fails the read and leaves the output as it was (set
	 * byte by byte: a struct copied by value need not keep its padding,
	 * so DEFINE_SENTINEL's sentinel() cannot serve here). */
	put("min_slab_ratio", "five\n");
	memset(&l, 0xa5, sizeof(l));
	memset(&want, 0xa5, sizeof(want));
	assert_int_equal(node_reclaim_reader_read(&r, &l), -EINVAL);
	assert_memory_equal(&l, &want, sizeof(l));
	node_reclaim_reader_close(&r);
	assert_int_equal(r.files[0].fd, -1);

	/* One missing: nothing opened. */
	snprintf(path, sizeof(path), "%s/proc/sys/vm/min_slab_ratio", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(node_reclaim_reader_open(root, &r), -ENOENT);
	assert_int_equal(node_reclaim_reader_read(NULL, &l), -EINVAL);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests_name("nodereclaim", tests, setup, teardown);
}
