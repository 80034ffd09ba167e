// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "macro.h"
#include "meminfo.h"
#include "psi.h"
#include "readers-test.h"
#include "vmstat.h"
#include "zoneinfo.h"

/*
 * After start-up a tick allocates nothing and opens nothing: a reclaimer
 * runs when memory is short. This program is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=open,--wrap=openat
 * (and the 64-bit names): every call from the library objects goes through
 * the counters below. --wrap rewrites undefined references in the objects
 * being linked, so it catches the library's calls; cmocka (a shared
 * library) is not counted.
 */

static unsigned n_alloc, n_open;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
int __real_open(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
int __wrap_open(const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...);

void *__wrap_malloc(size_t n)
{
	n_alloc++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	n_alloc++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	n_alloc++;
	return __real_realloc(p, n);
}

/* The readers only open read-only (no O_CREAT): no mode argument. */
int __wrap_open(const char *path, int flags, ...)
{
	n_open++;
	return __real_open(path, flags);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	n_open++;
	return __real_openat(dirfd, path, flags);
}

int __wrap_open64(const char *path, int flags, ...)
{
	n_open++;
	return __real_open(path, flags);
}

int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
	n_open++;
	return __real_openat(dirfd, path, flags);
}

#define TICKS 100

struct readers {
	struct zoneinfo_reader *zoneinfo;
	struct vmstat_reader *vmstat;
	struct meminfo_reader *meminfo, *node_meminfo;
	struct psi_reader *psi;
};

static void open_all(const char *set, struct readers *r)
{
	char root[4096];

	fixture_root(set, root, sizeof(root));
	n_alloc = n_open = 0;
	assert_int_equal(zoneinfo_reader_open(root, &r->zoneinfo), 0);
	assert_int_equal(vmstat_reader_open(root, &r->vmstat), 0);
	assert_int_equal(meminfo_reader_open(root, -1, &r->meminfo), 0);
	assert_int_equal(meminfo_reader_open(root, 0, &r->node_meminfo), 0);
	assert_int_equal(psi_reader_open(root, "/proc/pressure/memory", &r->psi), 0);
	/* The counters see the library: opening did allocate and open. */
	assert_true(n_alloc >= 5);
	assert_int_equal(n_open, 5);
}

static void close_all(struct readers *r)
{
	zoneinfo_reader_free(r->zoneinfo);
	vmstat_reader_free(r->vmstat);
	meminfo_reader_free(r->meminfo);
	meminfo_reader_free(r->node_meminfo);
	psi_reader_free(r->psi);
}

static void test_tick_allocates_and_opens_nothing(void **state)
{
	static struct zoneinfo zi; /* the caller's snapshot: allocated once */
	struct readers r = {};
	struct vmstat vs;
	struct meminfo mi;
	struct psi_stat ps;

	open_all("host-6.18-1node", &r);
	n_alloc = n_open = 0;
	for (int i = 0; i < TICKS; i++) {
		assert_int_equal(zoneinfo_reader_read(r.zoneinfo, &zi), 0);
		assert_int_equal(vmstat_reader_read(r.vmstat, &vs), 0);
		assert_int_equal(meminfo_reader_read(r.meminfo, &mi), 0);
		assert_int_equal(meminfo_reader_read(r.node_meminfo, &mi), 0);
		assert_int_equal(psi_reader_read(r.psi, &ps), 0);
	}
	assert_int_equal(n_alloc, 0);
	assert_int_equal(n_open, 0);
	/* And the reads did read: */
	assert_int_equal(zi.nodes[0].zones[1].managed, 772917);
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

	n_alloc = n_open = 0;
	for (int i = 0; i < TICKS; i++)
		assert_int_equal(zoneinfo_parse(buf, len, &zi), 0);
	assert_int_equal(n_alloc, 0);
	assert_int_equal(n_open, 0);
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
