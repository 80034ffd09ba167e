/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "alloc-count.h"
#include "buddyinfo.h"
#include "macro.h"
#include "meminfo.h"
#include "psi.h"
#include "readers-test.h"
#include "vmstat.h"
#include "zoneinfo.h"

/*
 * After start-up a tick allocates nothing and opens nothing: a reclaimer
 * runs when memory is short (counted by alloc-count.c).
 */

#define TICKS 100

struct readers {
	struct zoneinfo_reader *zoneinfo;
	struct vmstat_reader *vmstat;
	struct meminfo_reader *meminfo, *node_meminfo;
	struct psi_reader *psi;
	struct buddyinfo_reader buddy; /* a node thread's read between passes */
};

static void open_all(const char *set, struct readers *r)
{
	char root[4096];

	fixture_root(set, root, sizeof(root));
	alloc_count_start();
	assert_int_equal(zoneinfo_reader_open(root, &r->zoneinfo), 0);
	assert_int_equal(vmstat_reader_open(root, &r->vmstat), 0);
	assert_int_equal(meminfo_reader_open(root, -1, &r->meminfo), 0);
	assert_int_equal(meminfo_reader_open(root, 0, &r->node_meminfo), 0);
	assert_int_equal(psi_reader_open(root, "/proc/pressure/memory", &r->psi), 0);
	assert_int_equal(buddyinfo_reader_open(root, &r->buddy), 0);
	alloc_count_stop();
	/* The counters see the library: opening did allocate and open. */
	assert_true(alloc_count_allocs() >= 6);
	assert_int_equal(alloc_count_opens(), 6);
}

static void close_all(struct readers *r)
{
	zoneinfo_reader_free(r->zoneinfo);
	vmstat_reader_free(r->vmstat);
	meminfo_reader_free(r->meminfo);
	meminfo_reader_free(r->node_meminfo);
	psi_reader_free(r->psi);
	buddyinfo_reader_close(&r->buddy);
}

static void test_tick_allocates_and_opens_nothing(void **state)
{
	static struct zoneinfo zi; /* the caller's snapshot: allocated once */
	static struct buddyinfo bi;
	struct readers r = {};
	struct vmstat vs;
	struct meminfo mi;
	struct psi_stat ps;

	open_all("host-6.18-1node", &r);
	alloc_count_start();
	for (int i = 0; i < TICKS; i++) {
		assert_int_equal(zoneinfo_reader_read(r.zoneinfo, &zi), 0);
		assert_int_equal(vmstat_reader_read(r.vmstat, &vs), 0);
		assert_int_equal(meminfo_reader_read(r.meminfo, &mi), 0);
		assert_int_equal(meminfo_reader_read(r.node_meminfo, &mi), 0);
		assert_int_equal(psi_reader_read(r.psi, &ps), 0);
		assert_int_equal(buddyinfo_reader_read(&r.buddy, &bi), 0);
		assert_int_equal(buddyinfo_zone_free_into(buddyinfo_node(&bi, 0), &zi.nodes[0]), 0);
	}
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	/* And the reads did read: */
	assert_int_equal(zi.nodes[0].zones[1].managed, 772917);
	/* DMA32's free pages, from buddyinfo: 4 + 1 * 2 + 2 * 4 + ... + 752 * 1024 */
	assert_int_equal(zi.nodes[0].zones[1].free, 772798);
	assert_int_equal(mi.value[MEMINFO_MEM_FREE], 3258468);
	close_all(&r);
	(void)state;
}

/* The pure parser the readers use allocates nothing either. */
static void test_parse_allocates_nothing(void **state)
{
	static struct zoneinfo zi;
	size_t len;
	char *buf = fixture_load("old-4.19-2node", "proc/zoneinfo", &len);

	alloc_count_start();
	for (int i = 0; i < TICKS; i++)
		assert_int_equal(zoneinfo_parse(buf, len, &zi), 0);
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	free(buf);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_allocates_and_opens_nothing),
		cmocka_unit_test(test_parse_allocates_nothing),
	};

	return cmocka_run_group_tests_name("readers-tick", tests, NULL, NULL);
}
