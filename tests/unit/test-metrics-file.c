/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics-file.c in a temporary directory: what it writes, and every target
 * it must refuse to replace (issue 17 B1), each checked untouched after.
 */
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
#include <sys/stat.h>
#include <unistd.h>

#include "metrics-file.h"
#include "util.h"

#define CONTENT "# HELP reclaimd_runs_total Runs.\n# TYPE reclaimd_runs_total counter\n"
#define SECRET "root:secret:1:\n"

static char dir[64], target[128], tmp[128], secret[128];

static int fill_ok(FILE *f, void *userdata)
{
	(void)userdata;
	return fputs(CONTENT, f) < 0 ? -EIO : 0;
}

static int fill_fail(FILE *f, void *userdata)
{
	(void)f;
	(void)userdata;
	return -ENOSPC;
}

static void put(const char *path, const char *s)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static const char *get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return NULL;
	k = read(fd, buf, size - 1);
	close(fd);
	buf[k > 0 ? k : 0] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-metrics-file.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/reclaimd.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/reclaimd.prom.tmp", dir);
	snprintf(secret, sizeof(secret), "%s/shadow", dir);
	put(secret, SECRET);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_write_and_rewrite(void **state)
{
	struct metrics_file mf = {};
	char buf[256];
	struct stat st;

	(void)state;
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	assert_string_equal(get(target, buf, sizeof(buf)), CONTENT);
	assert_int_equal(lstat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	/* A new process finds the previous reclaimd's file and replaces it. */
	mf = (struct metrics_file){};
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	metrics_file_remove(&mf);
	assert_int_equal(access(target, F_OK), -1);
}

enum plant {
	PLANT_SYMLINK,      /* reclaimd.prom -> shadow */
	PLANT_FOREIGN,      /* a file the daemon did not write */
	PLANT_HARDLINK,     /* reclaimd.prom is a second link of shadow */
	PLANT_FIFO,
	PLANT_TMP_SYMLINK,  /* reclaimd.prom.tmp -> shadow */
	PLANT_WORLD_DIR,    /* the directory is world-writable */
};

struct refuse_case {
	enum plant plant;
	int r;
};

static void plant(enum plant p)
{
	switch (p) {
	case PLANT_SYMLINK:
		assert_int_equal(symlink(secret, target), 0);
		break;
	case PLANT_FOREIGN:
		put(target, "not ours\n");
		break;
	case PLANT_HARDLINK:
		assert_int_equal(link(secret, target), 0);
		break;
	case PLANT_FIFO:
		assert_int_equal(mkfifo(target, 0644), 0);
		break;
	case PLANT_TMP_SYMLINK:
		assert_int_equal(symlink(secret, tmp), 0);
		break;
	case PLANT_WORLD_DIR:
		assert_int_equal(chmod(dir, 0777), 0);
		break;
	}
}

static void test_refuses(void **state)
{
	static const struct refuse_case cases[] = {
		{ PLANT_SYMLINK, -EEXIST },  { PLANT_FOREIGN, -EEXIST },
		{ PLANT_HARDLINK, -EEXIST }, { PLANT_FIFO, -EEXIST },
		{ PLANT_TMP_SYMLINK, -EEXIST }, { PLANT_WORLD_DIR, -EPERM },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct metrics_file mf = {};
		char buf[256];

		setup(state);
		plant(cases[i].plant);
		assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), cases[i].r);
		assert_string_equal(get(secret, buf, sizeof(buf)), SECRET);
		if (cases[i].plant == PLANT_FOREIGN)
			assert_string_equal(get(target, buf, sizeof(buf)), "not ours\n");
		metrics_file_remove(&mf); /* nothing written: removes nothing */
		assert_string_equal(get(secret, buf, sizeof(buf)), SECRET);
		teardown(state);
	}
}

static void test_fill_failure_leaves_nothing(void **state)
{
	struct metrics_file mf = {};
	char buf[256];

	(void)state;
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	assert_int_equal(metrics_file_write(&mf, target, fill_fail, NULL), -ENOSPC);
	assert_string_equal(get(target, buf, sizeof(buf)), CONTENT);
	assert_int_equal(access(tmp, F_OK), -1);
}

static void test_stale_tmp_of_ours(void **state)
{
	struct metrics_file mf = {};

	(void)state;
	put(tmp, CONTENT); /* a crash between create and rename */
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	assert_int_equal(access(tmp, F_OK), -1);
}

static void test_remove_only_ours(void **state)
{
	struct metrics_file mf = {};
	char buf[256];

	(void)state;
	assert_int_equal(metrics_file_write(&mf, target, fill_ok, NULL), 0);
	/* Replaced behind the daemon's back: not its file any more (moved
	 * aside, not unlinked, so that the new file cannot reuse the inode). */
	snprintf(buf, sizeof(buf), "%s.old", target);
	assert_int_equal(rename(target, buf), 0);
	put(target, "someone else's\n");
	metrics_file_remove(&mf);
	assert_string_equal(get(target, buf, sizeof(buf)), "someone else's\n");
}

static void test_bad_paths(void **state)
{
	struct metrics_file mf = {};

	(void)state;
	assert_int_equal(metrics_file_write(&mf, "reclaimd.prom", fill_ok, NULL), -EINVAL);
	assert_int_equal(metrics_file_write(&mf, "/tmp/", fill_ok, NULL), -EINVAL);
	assert_int_equal(metrics_file_write(&mf, "/no/such/dir/reclaimd.prom", fill_ok, NULL),
			 -ENOENT);
	assert_false(mf.written);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_rewrite, setup, teardown),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test_setup_teardown(test_fill_failure_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_tmp_of_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_only_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
