/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feature.h"
#include "util.h"

#define S(x) x, sizeof(x) - 1

/* /proc/meminfo lines as 6.18 prints them (this machine, no swap). */
static const char meminfo_noswap[] = "MemTotal:        8131048 kB\n"
				     "MemFree:         4614980 kB\n"
				     "SwapCached:            0 kB\n"
				     "SwapTotal:             0 kB\n"
				     "SwapFree:              0 kB\n"
				     "Zswap:                 0 kB\n";

static void test_meminfo_swap(void **state)
{
	uint64_t total = 1, free_ = 2;

	assert_int_equal(feature_parse_meminfo_swap(S(meminfo_noswap), &total, &free_), 0);
	assert_int_equal(total, 0);
	assert_int_equal(free_, 0);
	assert_int_equal(feature_parse_meminfo_swap(
				 S("SwapTotal:       2097148 kB\nSwapFree:        1048576 kB\n"),
				 &total, &free_),
			 0);
	assert_int_equal(total, UINT64_C(2097148) * 1024);
	assert_int_equal(free_, UINT64_C(1048576) * 1024);

	/* adversarial: untouched */
	total = 11;
	free_ = 22;
	assert_int_equal(feature_parse_meminfo_swap(S("SwapTotal: 1 kB\n"), &total, &free_),
			 -EINVAL);
	assert_int_equal(feature_parse_meminfo_swap(S("SwapTotal: x kB\nSwapFree: 1 kB\n"),
						    &total, &free_),
			 -EINVAL);
	assert_int_equal(feature_parse_meminfo_swap(S("SwapTotal: 1 MB\nSwapFree: 1 kB\n"),
						    &total, &free_),
			 -EINVAL);
	assert_int_equal(feature_parse_meminfo_swap(
				 S("SwapTotal: 1 kB\nSwapTotal: 2 kB\nSwapFree: 1 kB\n"), &total,
				 &free_),
			 -EINVAL);
	assert_int_equal(feature_parse_meminfo_swap(
				 S("SwapTotal: 99999999999999999999 kB\nSwapFree: 1 kB\n"), &total,
				 &free_),
			 -EINVAL);
	assert_int_equal(total, 11);
	assert_int_equal(free_, 22);
}

struct tree {
	char dir[256];
};

static void put(struct tree *t, const char *rel, const char *content)
{
	char path[1024], cmd[2048];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", t->dir, rel);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "%s/reclaimd-test-feature-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	(void)system(cmd);
	free(t);
	return 0;
}

/* A 2-node host with node reclaim on node 1 only, swap, PSI, and a cgroup2
 * mount whose memory.reclaim records the probe. */
static void test_probe(void **state)
{
	struct tree *t = *state;
	char mount[512], buf[256], path[1024];
	struct feature_config cfg = { .root = t->dir, .probe_write = true };
	struct features f;
	struct json_object *j;

	put(t, "proc/meminfo", "SwapTotal:       1024 kB\nSwapFree:        512 kB\n");
	put(t, "proc/pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	put(t, "sys/devices/system/node/node1/reclaim", "");
	put(t, "proc/sys/vm/compaction_proactiveness", "20\n");
	put(t, "sys/fs/cgroup/memory.reclaim", "");
	snprintf(mount, sizeof(mount), "%s/sys/fs/cgroup", t->dir);
	cfg.cgroup_mount = mount;
	assert_int_equal(feature_probe(&cfg, &f), 0);
	assert_true(f.cgroup2_memory);
	assert_string_equal(f.cgroup2_mount, mount);
	assert_true(f.memory_reclaim);
	assert_true(f.node_reclaim);
	assert_int_equal(f.node_reclaim_mask, 2);
	assert_true(f.swap);
	assert_int_equal(f.swap_total_bytes, 1024 * 1024);
	assert_true(f.psi);
	assert_true(f.proactive_compaction);
	/* The probe asked the root cgroup for nothing, with swappiness=0: a
	 * page asked there takes a batch from every cgroup, protected ones
	 * too. */
	assert_true(f.swappiness_probed);
	assert_true(f.reclaim_swappiness);
	snprintf(path, sizeof(path), "%s/memory.reclaim", mount);
	assert_true(read_file_at(AT_FDCWD, path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "0 swappiness=0");
	assert_null(feature_missing(&f));

	feature_to_string(&f, buf, sizeof(buf));
	assert_string_equal(buf, "cgroup2-memory=yes memory.reclaim=yes swappiness=yes "
				 "node-reclaim=1 swap=yes psi=yes proactive-compaction=yes");
	j = feature_to_json(&f);
	assert_non_null(j);
	assert_true(json_object_get_boolean(json_object_object_get(j, "node_reclaim")));
	assert_int_equal(json_object_array_length(json_object_object_get(j, "node_reclaim_nodes")),
			 1);
	assert_int_equal(json_object_get_uint64(json_object_object_get(j, "swap_total_bytes")),
			 1024 * 1024);
	assert_true(json_object_get_boolean(json_object_object_get(j, "proactive_compaction")));
	json_object_put(j);
}

/* This host without the node file: a hybrid cgroup host, no swap. */
static void test_nothing_available(void **state)
{
	struct tree *t = *state;
	struct feature_config cfg = { .root = t->dir, .probe_write = true };
	struct features f;
	char buf[256];

	put(t, "proc/meminfo", meminfo_noswap);
	assert_int_equal(feature_probe(&cfg, &f), 0);
	assert_false(f.cgroup2_memory);
	assert_false(f.memory_reclaim);
	assert_false(f.node_reclaim);
	assert_false(f.swap);
	assert_false(f.psi);
	assert_false(f.proactive_compaction);
	assert_false(f.swappiness_probed);
	assert_non_null(feature_missing(&f));
	assert_non_null(strstr(feature_missing(&f), "no cgroup v2 hierarchy"));
	assert_non_null(strstr(feature_missing(&f), "--dry-run"));
	feature_to_string(&f, buf, sizeof(buf));
	assert_string_equal(buf, "cgroup2-memory=no memory.reclaim=no swappiness=yes(unprobed) "
				 "node-reclaim=none swap=no psi=no proactive-compaction=no");

	/* cgroup2 with memory but no memory.reclaim: a pre-5.19 kernel. */
	f.cgroup2_memory = true;
	assert_non_null(strstr(feature_missing(&f), "older than 5.19"));
}

/* Dry run: no probe write, swappiness assumed until a write says EINVAL. */
static void test_dry_run_no_write(void **state)
{
	struct tree *t = *state;
	struct feature_config cfg = { .root = t->dir, .probe_write = false };
	struct features f;
	char buf[64], path[1024];

	put(t, "sys/devices/system/node/node0/reclaim", "");
	assert_int_equal(feature_probe(&cfg, &f), 0);
	assert_true(f.node_reclaim);
	assert_true(f.reclaim_swappiness);
	assert_false(f.swappiness_probed);
	snprintf(path, sizeof(path), "%s/sys/devices/system/node/node0/reclaim", t->dir);
	assert_int_equal(read_file_at(AT_FDCWD, path, buf, sizeof(buf)), 0);
}

/* /proc/swaps as 6.12 prints it with a zram device and with a file. */
static void test_swaps_zram(void **state)
{
	static const char zram[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/zram0                              partition\t524284\t\t0\t\t100\n";
	static const char file[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/swapfile                               file\t\t1048572\t\t0\t\t-2\n";

	assert_true(feature_parse_swaps_zram(S(zram)));
	assert_false(feature_parse_swaps_zram(S(file)));
	assert_false(feature_parse_swaps_zram(S("")));
	/* Only at the start of a line: a file named after it is a file. */
	assert_false(feature_parse_swaps_zram(S("/var/dev/zram0 file 1 0 -2\n")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo_swap),
		cmocka_unit_test(test_swaps_zram),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_available, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_no_write, setup, teardown),
	};

	return cmocka_run_group_tests_name("feature", tests, NULL, NULL);
}
