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
#include "memstat.h"

#define S(x) x, sizeof(x) - 1

/*
 * memory.stat as 6.12 prints it (key order of mm/memcontrol.c
 * memory_stats[] and memcg_vm_event_stat[]), values from a VM test cgroup;
 * "zswap" and "future_key" are keys this parser does not know.
 */
static const char stat_612[] = "anon 1081344\n"
			       "file 104857600\n"
			       "kernel 339968\n"
			       "kernel_stack 16384\n"
			       "pagetables 45056\n"
			       "sec_pagetables 0\n"
			       "percpu 0\n"
			       "sock 0\n"
			       "vmalloc 0\n"
			       "shmem 0\n"
			       "zswap 0\n"
			       "file_mapped 0\n"
			       "file_dirty 4096\n"
			       "file_writeback 0\n"
			       "swapcached 0\n"
			       "anon_thp 0\n"
			       "file_thp 0\n"
			       "shmem_thp 0\n"
			       "inactive_anon 1056768\n"
			       "active_anon 24576\n"
			       "inactive_file 104857600\n"
			       "active_file 0\n"
			       "unevictable 0\n"
			       "slab_reclaimable 139264\n"
			       "slab_unreclaimable 116280\n"
			       "slab 255544\n"
			       "workingset_refault_anon 0\n"
			       "workingset_refault_file 17\n"
			       "workingset_activate_anon 0\n"
			       "workingset_activate_file 3\n"
			       "workingset_restore_anon 0\n"
			       "workingset_restore_file 0\n"
			       "workingset_nodereclaim 0\n"
			       "pgscan 25600\n"
			       "pgsteal 25344\n"
			       "pgscan_kswapd 0\n"
			       "pgscan_direct 0\n"
			       "pgscan_khugepaged 0\n"
			       "pgscan_proactive 25600\n"
			       "pgsteal_kswapd 0\n"
			       "pgsteal_direct 0\n"
			       "pgsteal_khugepaged 0\n"
			       "pgsteal_proactive 25344\n"
			       "pgfault 5032\n"
			       "pgmajfault 0\n"
			       "future_key 99\n";

static void test_memstat_valid(void **state)
{
	struct memstat s;

	assert_int_equal(memstat_parse(S(stat_612), &s), 0);
	assert_int_equal(s.v[MEMSTAT_ANON], 1081344);
	assert_int_equal(s.v[MEMSTAT_FILE], 104857600);
	assert_int_equal(s.v[MEMSTAT_FILE_DIRTY], 4096);
	assert_int_equal(s.v[MEMSTAT_INACTIVE_ANON], 1056768);
	assert_int_equal(s.v[MEMSTAT_ACTIVE_ANON], 24576);
	assert_int_equal(s.v[MEMSTAT_INACTIVE_FILE], 104857600);
	assert_int_equal(s.v[MEMSTAT_WORKINGSET_REFAULT_FILE], 17);
	assert_int_equal(s.v[MEMSTAT_WORKINGSET_ACTIVATE_FILE], 3);
	assert_int_equal(s.v[MEMSTAT_PGSCAN], 25600);
	assert_int_equal(s.v[MEMSTAT_PGSTEAL], 25344);
	assert_int_equal(s.v[MEMSTAT_PGSCAN_PROACTIVE], 25600);
	assert_int_equal(s.v[MEMSTAT_PGSTEAL_PROACTIVE], 25344);
	assert_int_equal(s.v[MEMSTAT_PGSCAN_DIRECT], 0);
	assert_int_equal(s.v[MEMSTAT_PGFAULT], 5032);
	/* Every key this parser knows is in a 6.12 file. */
	assert_int_equal(s.present, (UINT64_C(1) << _MEMSTAT_KEY_MAX) - 1);
}

/* 6.1 has no pgscan_proactive: reclaim by memory.reclaim counts as direct. */
static void test_memstat_old_kernel(void **state)
{
	struct memstat s;

	assert_int_equal(memstat_parse(S("anon 8192\npgscan_direct 300\npgsteal_direct 280\n"
					 "pgsteal 280\n"),
				       &s),
			 0);
	assert_true(memstat_has(&s, MEMSTAT_PGSTEAL_DIRECT));
	assert_false(memstat_has(&s, MEMSTAT_PGSTEAL_PROACTIVE));
	assert_int_equal(s.v[MEMSTAT_PGSTEAL_PROACTIVE], 0);
	assert_int_equal(s.v[MEMSTAT_PGSTEAL], 280);
	assert_int_equal(s.v[MEMSTAT_ANON], 8192);
}

static void test_memstat_max_value(void **state)
{
	struct memstat s;

	assert_int_equal(memstat_parse(S("pgscan 18446744073709551615\n"), &s), 0);
	assert_true(s.v[MEMSTAT_PGSCAN] == UINT64_MAX);
}

struct bad_case {
	const char *in;
	size_t len;
	int r;
};

static void test_memstat_adversarial(void **state)
{
	static char longline[MEMSTAT_LINE_MAX + 16];
	const struct bad_case cases[] = {
		{ S("anon\n"), -EINVAL },
		{ S("anon \n"), -EINVAL },
		{ S("anon  1\n"), -EINVAL },
		{ S(" anon 1\n"), -EINVAL },
		{ S("anon -1\n"), -EINVAL },
		{ S("anon +1\n"), -EINVAL },
		{ S("anon 1x\n"), -EINVAL },
		{ S("anon 1 2\n"), -EINVAL },
		{ S("anon 0x10\n"), -EINVAL },
		{ S("anon 18446744073709551616\n"), -EINVAL },
		{ S("anon 1\nanon 2\n"), -EINVAL },
		{ S("Anon 1\n"), -EINVAL },
		{ S("anon 1\n\n"), -EINVAL },
		{ S("anon\t1\n"), -EINVAL },
		{ S("unknown_but_bad x\n"), -EINVAL },
		{ "anon 1\0\n", 8, -EINVAL },
		/* Cut: the last line lacks its LF, rejected as by every reader
		 * (textscan_check_text()), not parsed as "anon 1" or "pgsteal 28". */
		{ S("anon 1\npgsteal 28"), -EINVAL },
		{ S("anon 1"), -EINVAL },
		{ longline, 0, -E2BIG },
	};

	memset(longline, 'a', sizeof(longline) - 1);
	memcpy(longline + sizeof(longline) - 4, " 1\n", 3);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct memstat s = { .present = 0x5a5a, .v = { [MEMSTAT_ANON] = 77 } };
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		if (memstat_parse(cases[i].in, len, &s) != cases[i].r)
			fail_msg("case %zu (%s): expected %d", i, cases[i].in, cases[i].r);
		/* sentinel: untouched on failure */
		assert_int_equal(s.present, 0x5a5a);
		assert_int_equal(s.v[MEMSTAT_ANON], 77);
	}
}

static void test_memstat_empty(void **state)
{
	struct memstat s = { .present = 1 };

	assert_int_equal(memstat_parse("", 0, &s), 0);
	assert_int_equal(s.present, 0);
}

static void test_memstat_key_names(void **state)
{
	assert_true(memstat_table_is_valid());
	assert_string_equal(memstat_key_to_string(MEMSTAT_PGSTEAL_PROACTIVE),
			    "pgsteal_proactive");
	assert_null(memstat_key_to_string(_MEMSTAT_KEY_MAX));
	assert_int_equal(memstat_key_from_string(S("workingset_refault_anon")),
			 MEMSTAT_WORKINGSET_REFAULT_ANON);
	assert_int_equal(memstat_key_from_string(S("anon_")), -EINVAL);
	assert_int_equal(memstat_key_from_string(S("ano")), -EINVAL);
	for (int k = 0; k < _MEMSTAT_KEY_MAX; k++) {
		const char *n = memstat_key_to_string(k);

		assert_non_null(n);
		assert_int_equal(memstat_key_from_string(n, strlen(n)), k);
	}
}

static void test_numa_valid(void **state)
{
	struct memstat_numa *s = calloc(1, sizeof(*s));
	static const char in[] = "anon N0=1081344 N1=4096\n"
				 "file N0=104857600 N1=0\n"
				 "kernel_stack N0=16384 N1=0\n"
				 "active_file N0=0 N1=0\n"
				 "inactive_file N0=104857600 N1=0\n"
				 "new_key N0=1 N1=2\n";

	assert_int_equal(memstat_numa_parse(S(in), s), 0);
	assert_int_equal(s->v[MEMSTAT_ANON][0], 1081344);
	assert_int_equal(s->v[MEMSTAT_ANON][1], 4096);
	assert_int_equal(s->v[MEMSTAT_FILE][0], 104857600);
	assert_int_equal(s->v[MEMSTAT_FILE][1], 0);
	assert_int_equal(s->v[MEMSTAT_INACTIVE_FILE][0], 104857600);
	assert_int_equal(s->node_mask, 3);
	assert_int_equal(s->present, (UINT64_C(1) << MEMSTAT_ANON) | (UINT64_C(1) << MEMSTAT_FILE) |
					     (UINT64_C(1) << MEMSTAT_KERNEL_STACK) |
					     (UINT64_C(1) << MEMSTAT_ACTIVE_FILE) |
					     (UINT64_C(1) << MEMSTAT_INACTIVE_FILE));
	free(s);
}

/* Node ids are sparse on some machines (memory-less or offline nodes). */
static void test_numa_sparse_nodes(void **state)
{
	struct memstat_numa *s = calloc(1, sizeof(*s));

	assert_int_equal(memstat_numa_parse(S("file N0=10 N2=30 N63=7\n"), s), 0);
	assert_int_equal(s->node_mask, (UINT64_C(1) << 63) | 5);
	assert_int_equal(s->v[MEMSTAT_FILE][2], 30);
	assert_int_equal(s->v[MEMSTAT_FILE][63], 7);
	assert_int_equal(s->v[MEMSTAT_FILE][1], 0);
	free(s);
}

static void test_numa_adversarial(void **state)
{
	const struct bad_case cases[] = {
		{ S("file\n"), -EINVAL },
		{ S("file \n"), -EINVAL },
		{ S("file N0=1 \n"), -EINVAL },
		{ S("file N0=1  N1=2\n"), -EINVAL },
		{ S("file N0=\n"), -EINVAL },
		{ S("file N=1\n"), -EINVAL },
		{ S("file X0=1\n"), -EINVAL },
		{ S("file N0\n"), -EINVAL },
		{ S("file N0=1 N0=2\n"), -EINVAL },
		{ S("file N0=1\nfile N0=2\n"), -EINVAL },
		{ S("file N-1=1\n"), -EINVAL },
		{ S("file N0=-1\n"), -EINVAL },
		{ S("file N0=1=2\n"), -EINVAL },
		{ S("file N0=18446744073709551616\n"), -EINVAL },
		{ S("file 5\n"), -EINVAL },
		{ S("file N64=1\n"), -E2BIG },
		{ S("file N99999999999999999999=1\n"), -EINVAL },
		{ S("file N64\n"), -EINVAL },
		{ S("file N0=1\nanon N0=2"), -EINVAL }, /* cut: no final LF */
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct memstat_numa *s = malloc(sizeof(*s));

		memset(s, 0x5a, sizeof(*s));
		if (memstat_numa_parse(cases[i].in, cases[i].len, s) != cases[i].r)
			fail_msg("case %zu (%s): expected %d", i, cases[i].in, cases[i].r);
		assert_true(s->present == UINT64_C(0x5a5a5a5a5a5a5a5a));
		assert_true(s->v[MEMSTAT_FILE][0] == UINT64_C(0x5a5a5a5a5a5a5a5a));
		free(s);
	}
}

static void test_value(void **state)
{
	static const struct {
		const char *in;
		int r;
		uint64_t v;
	} cases[] = {
		{ "0\n", 0, 0 },
		{ "104857600\n", 0, 104857600 },
		{ "104857600", 0, 104857600 },
		{ "max\n", 0, MEMSTAT_MAX },
		{ "max", 0, MEMSTAT_MAX },
		{ "18446744073709551615\n", 0, UINT64_MAX },
		/* adversarial */
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "max\n\n", -EINVAL, 0 },
		{ "Max\n", -EINVAL, 0 },
		{ "maximum\n", -EINVAL, 0 },
		{ "12 \n", -EINVAL, 0 },
		{ " 12\n", -EINVAL, 0 },
		{ "-1\n", -EINVAL, 0 },
		{ "1e3\n", -EINVAL, 0 },
		{ "1K\n", -EINVAL, 0 },
		{ "18446744073709551616\n", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint64_t v = 4242;
		int r = memstat_parse_value(cases[i].in, strlen(cases[i].in), &v);

		if (r != cases[i].r)
			fail_msg("case %zu (%s): got %d", i, cases[i].in, r);
		assert_true(v == (r == 0 ? cases[i].v : 4242));
	}
}

static void test_events(void **state)
{
	struct memstat_events e = { .populated = true, .frozen = true, .has_frozen = true };

	assert_int_equal(memstat_parse_events(S("populated 0\nfrozen 1\n"), &e), 0);
	assert_false(e.populated);
	assert_true(e.frozen);
	assert_true(e.has_frozen);

	/* 5.0/5.1: no frozen line */
	assert_int_equal(memstat_parse_events(S("populated 1\n"), &e), 0);
	assert_true(e.populated);
	assert_false(e.frozen);
	assert_false(e.has_frozen);

	/* adversarial: sentinel stays */
	e = (struct memstat_events){ .populated = true, .frozen = true };
	assert_int_equal(memstat_parse_events(S("populated 2\n"), &e), -EINVAL);
	assert_int_equal(memstat_parse_events(S("frozen 0\n"), &e), -EINVAL);
	assert_int_equal(memstat_parse_events(S("populated 0\npopulated 1\n"), &e), -EINVAL);
	assert_int_equal(memstat_parse_events(S("populated\n"), &e), -EINVAL);
	assert_int_equal(memstat_parse_events(S(""), &e), -EINVAL);
	assert_int_equal(memstat_parse_events(S("populated 0\nfrozen 0"), &e), -EINVAL);
	assert_true(e.populated);
	assert_true(e.frozen);
	/* unknown keys ignored */
	assert_int_equal(memstat_parse_events(S("populated 0\nfrozen 0\nnew 1\n"), &e), 0);
	assert_false(e.populated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memstat_valid),
		cmocka_unit_test(test_memstat_old_kernel),
		cmocka_unit_test(test_memstat_max_value),
		cmocka_unit_test(test_memstat_adversarial),
		cmocka_unit_test(test_memstat_empty),
		cmocka_unit_test(test_memstat_key_names),
		cmocka_unit_test(test_numa_valid),
		cmocka_unit_test(test_numa_sparse_nodes),
		cmocka_unit_test(test_numa_adversarial),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests_name("memstat", tests, NULL, NULL);
}
