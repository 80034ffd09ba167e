/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "psi.h"
#include "readers-test.h"

/* pread is wrapped (-Wl,--wrap=pread) so a test can make the kernel's
 * "PSI disabled" answer appear: psi_show() fails reads with EOPNOTSUPP. */
static int pread_fail_errno;
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (pread_fail_errno) {
		errno = pread_fail_errno;
		return -1;
	}
	return __real_pread(fd, buf, n, off);
}

static const struct psi_stat sentinel = {
	.some = { 11, 22, 33, 44 },
	.full = { 55, 66, 77, 88 },
	.has_full = true,
};

/* Field by field: the structs have padding. */
static bool psi_stat_is_sentinel(const struct psi_stat *st)
{
	return st->some.avg10 == 11 && st->some.avg60 == 22 && st->some.avg300 == 33 &&
	       st->some.total_usec == 44 && st->full.avg10 == 55 && st->full.avg60 == 66 &&
	       st->full.avg300 == 77 && st->full.total_usec == 88 && st->has_full;
}

static void check_line(const struct psi_line *l, uint32_t a10, uint32_t a60, uint32_t a300,
		       uint64_t total)
{
	assert_int_equal(l->avg10, a10);
	assert_int_equal(l->avg60, a60);
	assert_int_equal(l->avg300, a300);
	assert_int_equal(l->total_usec, total);
}

static struct psi_stat parse_fixture(const char *set, const char *rel)
{
	struct psi_stat st = sentinel;
	size_t len;
	char *buf = fixture_load(set, rel, &len);

	assert_int_equal(psi_parse(buf, len, &st), 0);
	free(buf);
	return st;
}

static void test_host_fixture(void **state)
{
	struct psi_stat st;

	st = parse_fixture("host-6.18-1node", "proc/pressure/memory");
	check_line(&st.some, 0, 0, 0, 0);
	check_line(&st.full, 0, 0, 0, 0);
	assert_true(st.has_full);

	st = parse_fixture("host-6.18-1node", "proc/pressure/io");
	check_line(&st.some, 0, 1, 25, 4027523);
	check_line(&st.full, 0, 1, 24, 3916198);
	assert_true(st.has_full);

	st = parse_fixture("host-6.18-1node", "proc/pressure/cpu");
	check_line(&st.some, 0, 43, 50, 4909467);
	check_line(&st.full, 0, 0, 0, 0);
	assert_true(st.has_full);
	(void)state;
}

static void test_vm_fixtures(void **state)
{
	struct psi_stat st;

	st = parse_fixture("vm-6.12-4node", "proc/pressure/memory");
	check_line(&st.some, 180, 65, 15, 504656);
	check_line(&st.full, 155, 56, 13, 477536);
	st = parse_fixture("vm-6.1-4node", "proc/pressure/memory");
	check_line(&st.some, 99, 67, 17, 579640);
	check_line(&st.full, 91, 62, 16, 548828);
	(void)state;
}

/* A cgroup's memory.pressure, opened by absolute path with root "". */
static void test_cgroup_file(void **state)
{
	_cleanup_(psi_reader_freep) struct psi_reader *r = NULL;
	struct psi_stat st = sentinel;
	char path[4096];

	fixture_root("vm-6.12-4node", path, sizeof(path));
	strncat(path, "/sys/fs/cgroup/limited.slice/memory.pressure", sizeof(path) - strlen(path) - 1);
	assert_int_equal(psi_reader_open("", path, &r), 0);
	assert_int_equal(psi_reader_read(r, &st), 0);
	check_line(&st.some, 233, 125, 31, 1020462);
	check_line(&st.full, 233, 125, 31, 1020462);
	(void)state;
}

static void test_valid_strings(void **state)
{
	static const char cpu_old[] = "some avg10=12.34 avg60=100.00 avg300=0.07 total=18446744073709551615\n";
	static const char future[] = "some avg10=1.00 avg60=2.00 avg300=3.00 avg900=9.99 total=5\n"
				     "partial avg10=1.00\n"
				     "full avg10=0.50 avg60=0.25 avg300=0.01 total=4\n";
	struct psi_stat st = sentinel;

	/* cpu before 5.13: no "full" line. */
	assert_int_equal(psi_parse(cpu_old, strlen(cpu_old), &st), 0);
	check_line(&st.some, 1234, 10000, 7, UINT64_MAX);
	assert_false(st.has_full);
	check_line(&st.full, 0, 0, 0, 0);

	/* Unknown keys and lines are skipped. */
	st = sentinel;
	assert_int_equal(psi_parse(future, strlen(future), &st), 0);
	check_line(&st.some, 100, 200, 300, 5);
	check_line(&st.full, 50, 25, 1, 4);
	assert_true(st.has_full);
	(void)state;
}

static void test_adversarial(void **state)
{
	static const struct {
		const char *what, *text;
	} cases[] = {
		{ "empty", "" },
		{ "truncated", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1" },
		{ "no some line", "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n" },
		{ "some twice", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
				"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n" },
		{ "total missing", "some avg10=0.00 avg60=0.00 avg300=0.00\n" },
		{ "avg10 twice", "some avg10=0.00 avg10=0.00 avg60=0.00 avg300=0.00 total=1\n" },
		{ "one fraction digit", "some avg10=0.4 avg60=0.00 avg300=0.00 total=1\n" },
		{ "three fraction digits", "some avg10=0.456 avg60=0.00 avg300=0.00 total=1\n" },
		{ "no fraction", "some avg10=1 avg60=0.00 avg300=0.00 total=1\n" },
		{ "two dots", "some avg10=1.2.3 avg60=0.00 avg300=0.00 total=1\n" },
		{ "letters", "some avg10=ab.cd avg60=0.00 avg300=0.00 total=1\n" },
		{ "negative total", "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n" },
		{ "total overflow", "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n" },
		{ "empty value", "some avg10= avg60=0.00 avg300=0.00 total=1\n" },
		{ "token without =", "some avg10=0.00 avg60 avg300=0.00 total=1\n" },
		{ "avg out of range", "some avg10=99999999999.00 avg60=0.00 avg300=0.00 total=1\n" },
		{ "bad full line", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nfull total=x\n" },
		{ "nul inside", "some avg10=0.00\0avg60=0.00 avg300=0.00 total=1\n" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct psi_stat st = sentinel;
		size_t len = strlen(cases[i].text);
		int r;

		if (strcmp(cases[i].what, "nul inside") == 0)
			len = sizeof("some avg10=0.00\0avg60=0.00 avg300=0.00 total=1\n") - 1;
		r = psi_parse(cases[i].text, len, &st);
		if (r != -EINVAL)
			fail_msg("%s: got %d, want -EINVAL", cases[i].what, r);
		if (!psi_stat_is_sentinel(&st))
			fail_msg("%s: output written on failure", cases[i].what);
	}
	(void)state;
}

static void test_reader(void **state)
{
	_cleanup_(psi_reader_freep) struct psi_reader *r = NULL;
	struct psi_stat st = sentinel;
	char root[4096];

	fixture_root("host-6.18-1node", root, sizeof(root));
	assert_int_equal(psi_reader_open(root, "/proc/pressure/io", &r), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(psi_reader_read(r, &st), 0);
		check_line(&st.full, 0, 1, 24, 3916198);
	}
	(void)state;
}

/* Absent (4.19, psi=0) and disabled (cgroup file, EOPNOTSUPP) are told
 * apart, and both are "unavailable". */
static void test_absent_and_disabled(void **state)
{
	struct psi_reader *r = (struct psi_reader *)0x1;
	char root[4096];
	int k;

	fixture_root("old-4.19-2node", root, sizeof(root));
	k = psi_reader_open(root, "/proc/pressure/memory", &r);
	assert_int_equal(k, -ENOENT);
	assert_true(psi_error_is_unavailable(k));
	assert_ptr_equal(r, (struct psi_reader *)0x1);

	fixture_root("host-6.18-1node", root, sizeof(root));
	pread_fail_errno = EOPNOTSUPP;
	k = psi_reader_open(root, "/proc/pressure/memory", &r);
	pread_fail_errno = 0;
	assert_int_equal(k, -EOPNOTSUPP);
	assert_true(psi_error_is_unavailable(k));
	assert_ptr_equal(r, (struct psi_reader *)0x1);

	/* Disabled after open: the read says so, the output is untouched. */
	r = NULL;
	assert_int_equal(psi_reader_open(root, "/proc/pressure/memory", &r), 0);
	{
		struct psi_stat st = sentinel;

		pread_fail_errno = EOPNOTSUPP;
		assert_int_equal(psi_reader_read(r, &st), -EOPNOTSUPP);
		pread_fail_errno = 0;
		assert_true(psi_stat_is_sentinel(&st));
	}
	psi_reader_free(r);
	assert_false(psi_error_is_unavailable(-EINVAL));
	(void)state;
}

static void test_trigger_open(void **state)
{
	char path[] = "/tmp/test-psi.XXXXXX", got[64];
	int fd = -7, tfd;
	ssize_t n;

	tfd = mkstemp(path);
	assert_true(tfd >= 0);

	/* The spec goes out with its NUL, as psi_write() expects. */
	assert_int_equal(psi_trigger_open(path, "some 150000 1000000", &fd), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	n = pread(tfd, got, sizeof(got), 0);
	assert_int_equal(n, sizeof("some 150000 1000000"));
	assert_memory_equal(got, "some 150000 1000000", sizeof("some 150000 1000000"));
	close(fd);

	/* The kernel's refusal comes back unchanged, fd untouched:
	 * /dev/full refuses every write with ENOSPC. */
	fd = -7;
	assert_int_equal(psi_trigger_open("/dev/full", "some 150000 1000000", &fd), -ENOSPC);
	assert_int_equal(fd, -7);
	assert_int_equal(psi_trigger_open("/nonexistent/memory.pressure", "some 1 2", &fd), -ENOENT);
	/* psi_write() reads at most 32 bytes: a longer spec is refused here. */
	assert_int_equal(psi_trigger_open(path, "some 150000000000 100000000000000000", &fd), -EINVAL);
	assert_int_equal(psi_trigger_open(path, "", &fd), -EINVAL);
	assert_int_equal(fd, -7);

	close(tfd);
	unlink(path);
	(void)state;
}

static void test_stall_permyriad(void **state)
{
	static const struct {
		uint64_t prev, cur, window;
		int r;
		unsigned out;
	} cases[] = {
		{ 0, 150000, 1000000, 0, 1500 },       /* 150 ms in 1 s: 15% */
		{ 1000, 1000, 1000000, 0, 0 },         /* no stall */
		{ 0, 1, 1000000, 0, 0 },               /* rounds down */
		{ 0, 999999, 1000000, 0, 9999 },
		{ 0, 1000000, 1000000, 0, 10000 },     /* all of it */
		{ 0, 3000000, 1000000, 0, 10000 },     /* clamped */
		{ 5, 4, 1000000, -ERANGE, 0 },         /* counter went back */
		{ 0, 1, 0, -EINVAL, 0 },               /* no window */
		{ 0, UINT64_MAX - 1, UINT64_MAX, 0, 9999 }, /* no overflow */
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned v = 77777;
		int r = psi_stall_permyriad(cases[i].prev, cases[i].cur, cases[i].window, &v);

		if (r != cases[i].r)
			fail_msg("case %zu: got %d, want %d", i, r, cases[i].r);
		assert_int_equal(v, r == 0 ? cases[i].out : 77777);
	}
	(void)state;
}

static void test_stat_stall_permyriad(void **state)
{
	struct psi_stat a = { .some = { .total_usec = 100 }, .full = { .total_usec = 10 }, .has_full = true };
	struct psi_stat b = { .some = { .total_usec = 250100 }, .full = { .total_usec = 50010 }, .has_full = true };
	unsigned v = 7;

	assert_int_equal(psi_stat_stall_permyriad(&a, &b, false, 500000, &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(psi_stat_stall_permyriad(&a, &b, true, 500000, &v), 0);
	assert_int_equal(v, 1000);
	b.has_full = false;
	v = 7;
	assert_int_equal(psi_stat_stall_permyriad(&a, &b, true, 500000, &v), -ENODATA);
	assert_int_equal(v, 7);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_vm_fixtures),
		cmocka_unit_test(test_cgroup_file),
		cmocka_unit_test(test_valid_strings),
		cmocka_unit_test(test_adversarial),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_absent_and_disabled),
		cmocka_unit_test(test_trigger_open),
		cmocka_unit_test(test_stall_permyriad),
		cmocka_unit_test(test_stat_stall_permyriad),
	};

	return cmocka_run_group_tests_name("psi", tests, NULL, NULL);
}
