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
#include "topology.h"

#define BITS 128

static void test_parse_list(void **state)
{
	static const struct {
		const char *in;
		int r;
		const char *back; /* topology_format_list() of the result */
	} cases[] = {
		{ "", 0, "" },
		{ "\n", 0, "" },          /* CPU-less node */
		{ "0\n", 1, "0" },
		{ "0-3\n", 4, "0-3" },
		{ "0-3,8,10-11\n", 7, "0-3,8,10-11" },
		{ "127", 1, "127" },
		{ "5-5", 1, "5" },
		{ "0,1,2", 3, "0-2" },    /* adjacent singles re-join */
		{ "0-63,64-127", 128, "0-127" },
		/* adversarial */
		{ "128", -ERANGE, NULL },
		{ "0-128", -ERANGE, NULL },
		{ "18446744073709551616", -EINVAL, NULL },
		{ "3-1", -EINVAL, NULL },
		{ "0-3,2", -EINVAL, NULL },  /* overlaps */
		{ "4,1", -EINVAL, NULL },    /* descends */
		{ "0,", -EINVAL, NULL },
		{ ",0", -EINVAL, NULL },
		{ "0,,1", -EINVAL, NULL },
		{ "0-", -EINVAL, NULL },
		{ "-1", -EINVAL, NULL },
		{ "0 - 3", -EINVAL, NULL },
		{ " 0", -EINVAL, NULL },
		{ "0-7:2/4", -EINVAL, NULL }, /* stride groups: the kernel never prints them */
		{ "0\n\n", -EINVAL, NULL },
		{ "a", -EINVAL, NULL },
		{ "0x1", -EINVAL, NULL },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t bm[TOPOLOGY_WORDS(BITS)];
		char back[64];
		int r;

		memset(bm, 0xa5, sizeof(bm));
		r = topology_parse_list(cases[i].in, strlen(cases[i].in), bm, BITS);
		if (r != cases[i].r)
			fail_msg("\"%s\": got %d, want %d", cases[i].in, r, cases[i].r);
		if (r < 0) {
			for (size_t w = 0; w < ELEMENTSOF(bm); w++)
				assert_int_equal(bm[w], UINT64_C(0xa5a5a5a5a5a5a5a5));
			continue;
		}
		assert_int_equal(topology_format_list(bm, BITS, back, sizeof(back)), 0);
		assert_string_equal(back, cases[i].back);
	}
	(void)state;
}

static void test_bits_exact(void **state)
{
	uint64_t bm[TOPOLOGY_WORDS(BITS)];

	assert_int_equal(topology_parse_list("0-3,8,10-11,64", 14, bm, BITS), 8);
	assert_int_equal(bm[0], UINT64_C(0xd0f));
	assert_int_equal(bm[1], 1);
	(void)state;
}

static void test_format_nospace(void **state)
{
	uint64_t bm[TOPOLOGY_WORDS(BITS)] = { UINT64_C(0x5555) };
	char small[8];

	/* "0,2,4,6,8,10,12,14" does not fit in 8 bytes. */
	assert_int_equal(topology_format_list(bm, BITS, small, sizeof(small)), -ENOSPC);
	(void)state;
}

static void test_discover_old(void **state)
{
	struct topology *t = calloc(1, sizeof(*t));
	const struct topology_node *n;
	char root[4096];

	fixture_root("old-4.19-2node", root, sizeof(root));
	assert_int_equal(topology_discover(root, t), 0);
	assert_int_equal(t->n_nodes, 2);
	n = topology_node(t, 1);
	assert_non_null(n);
	assert_int_equal(n->n_cpus, 2);
	assert_int_equal(n->cpus[0], 0xc); /* CPUs 2-3 */
	assert_int_equal(topology_node(t, 0)->cpus[0], 0x3);
	assert_null(topology_node(t, 2));
	free(t);
	(void)state;
}

/* Nodes 2 and 3 of the VM captures have memory and no CPU: cpulist "\n". */
static void test_discover_vm(void **state)
{
	static const char *const sets[] = { "vm-6.12-4node", "vm-6.1-4node" };

	for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
		struct topology *t = calloc(1, sizeof(*t));
		char root[4096];

		fixture_root(sets[i], root, sizeof(root));
		assert_int_equal(topology_discover(root, t), 0);
		assert_int_equal(t->n_nodes, 4);
		assert_int_equal(topology_node(t, 0)->cpus[0], 0x1);
		assert_int_equal(topology_node(t, 1)->cpus[0], 0x2);
		assert_int_equal(topology_node(t, 2)->n_cpus, 0);
		assert_int_equal(topology_node(t, 3)->n_cpus, 0);
		assert_int_equal(topology_node(t, 3)->id, 3);
		free(t);
	}
	(void)state;
}

static void test_discover_host(void **state)
{
	struct topology *t = calloc(1, sizeof(*t));
	cpu_set_t *set = CPU_ALLOC(64);
	char root[4096];

	fixture_root("host-6.18-1node", root, sizeof(root));
	assert_int_equal(topology_discover(root, t), 0);
	assert_int_equal(t->n_nodes, 1);
	assert_int_equal(t->nodes[0].id, 0);
	assert_int_equal(t->nodes[0].n_cpus, 2);
	assert_int_equal(topology_node_cpuset(&t->nodes[0], set, CPU_ALLOC_SIZE(64)), 0);
	assert_int_equal(CPU_COUNT_S(CPU_ALLOC_SIZE(64), set), 2);
	assert_true(CPU_ISSET_S(1, CPU_ALLOC_SIZE(64), set));
	/* A CPU beyond the set's size is an error, not a silent drop. */
	t->nodes[0].cpus[1] = 1; /* CPU 64 */
	assert_int_equal(topology_node_cpuset(&t->nodes[0], set, 8), -ERANGE);
	CPU_FREE(set);
	free(t);
	(void)state;
}

static void test_discover_missing(void **state)
{
	struct topology *t = malloc(sizeof(*t));
	char root[4096];

	memset(t, 0xa5, sizeof(*t));
	fixture_root("no-such-fixture", root, sizeof(root));
	assert_int_equal(topology_discover(root, t), -ENOENT);
	assert_int_equal(t->n_nodes, 0xa5a5a5a5);
	free(t);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_bits_exact),
		cmocka_unit_test(test_format_nospace),
		cmocka_unit_test(test_discover_old),
		cmocka_unit_test(test_discover_vm),
		cmocka_unit_test(test_discover_host),
		cmocka_unit_test(test_discover_missing),
	};

	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
