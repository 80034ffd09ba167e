/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The actuator against a fake host: a temporary tree with
 * sys/devices/system/node/node{0,1} (node 0 has a reclaim file, node 1 not),
 * proc/vmstat, proc/pressure/memory, and the cgroup-basic fixture as the
 * cgroup2 mount. Writes go through a hook that records them (and writes the
 * regular file, which then holds the last request), simulates the kernel's
 * counters, and injects errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actuator.h"
#include "alloc-count.h"
#include "census.h"
#include "util.h"

#define MiB (UINT64_C(1) << 20)
#define SEC UINT64_C(1000000)

/* The daemon's default cgroup brake: PressureWindow=2s, PressureLimit=10%. */
#define DAEMON_TEST_BRAKE { .window_usec = 2 * SEC, .limit_usec = 200 * 1000 }

/* A brake window short enough that a read 50 ms old is no longer taken as
 * it stands by a guard (guard_fresh(): a twentieth of it), for the tests
 * whose passes are 50 ms apart. */
#define GUARD_TEST_BRAKE { .window_usec = 500 * 1000, .limit_usec = 50 * 1000 }

/* test_guard_fresh_read's and test_guard_fresh_judged_at_read's
 * configuration: node-file writes that take what they ask
 * (hook_write_plain), under the daemon's default brake. */
#define GUARD_DAEMON_CFG                                                   \
	{                                                                  \
		.step_bytes = 256 * MiB, .write = hook_write_plain,        \
		.cgroup_brake = DAEMON_TEST_BRAKE,                         \
	}

#define MAX_WRITES 64

struct recorded {
	char path[256]; /* relative to the fake root */
	char req[64];
};

struct fake {
	char dir[256];
	uint64_t now;
	struct recorded writes[MAX_WRITES];
	unsigned n_writes;
	int fail[MAX_WRITES];        /* errno to inject for write i, 0 = ok */
	uint64_t steal_pages[MAX_WRITES]; /* pages "reclaimed" by write i; 0 = as asked */
	uint64_t vmstat_pgsteal_proactive;
	bool vmstat_workingset;      /* print workingset_refault_* (5.9+) */
	uint64_t vmstat_refault_file; /* pages */
	/* The node file reclaims at most node_file_max_pages a write and
	 * answers EAGAIN when that is short of the ask (6.18: 0 from an
	 * anon-only node; MGLRU leaving cgroups' page cache alone). */
	bool node_file_short;
	uint64_t node_file_max_pages;
	const char *fail_path;       /* writes to paths containing this fail */
	int fail_path_errno;
	unsigned n_idle;             /* idle/cgN cgroups added by add_idle() */
	uint64_t pause_after_write;  /* nodes paused once a write is made */
	/* A node-file write stalls this cgroup's memory.pressure (its brake
	 * engages) and takes 150 ms of the clock. */
	const char *brake_on_node_write;
	/* Another thread's request, made (in this one) during write number
	 * nested_at, after that write reclaimed: an overlapping write. */
	const struct shrink_request *nested;
	unsigned nested_at;
	bool cgroup_writes_in_vmstat; /* 6.18: memory.reclaim in pgsteal_proactive */
	const char *node_file_cgroup; /* whose pgsteal a node-file write moves */
	struct shrink_result nested_res;
	struct cgroup_set *cgroups;
	struct actuator *a;
};

static int run(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -EIO;
}

static void put_file(struct fake *f, const char *rel, const char *content)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	fp = fopen(path, "we");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

static void put_vmstat(struct fake *f)
{
	char buf[512];
	int k;

	k = snprintf(buf, sizeof(buf),
		     "nr_free_pages 1000\npgsteal_kswapd 5\npgsteal_proactive %" PRIu64
		     "\npgscan_proactive 0\n",
		     f->vmstat_pgsteal_proactive);
	if (f->vmstat_workingset)
		snprintf(buf + k, sizeof(buf) - (size_t)k,
			 "workingset_refault_anon 7\nworkingset_refault_file %" PRIu64
			 "\nworkingset_activate_anon 3\nworkingset_activate_file 1\n",
			 f->vmstat_refault_file);
	put_file(f, "proc/vmstat", buf);
}

static void put_pressure(struct fake *f, const char *rel, uint64_t some, uint64_t full)
{
	char buf[256];

	snprintf(buf, sizeof(buf),
		 "some avg10=0.00 avg60=0.00 avg300=0.00 total=%" PRIu64
		 "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=%" PRIu64 "\n",
		 some, full);
	put_file(f, rel, buf);
}

/* Add pages to a cgroup's memory.stat pgsteal, as the kernel would. */
static void bump_cgroup_pgsteal(struct fake *f, const char *cg_rel, uint64_t pages)
{
	char path[1024], buf[4096], out[4096];
	uint64_t v = 0;
	char *p;

	snprintf(path, sizeof(path), "%s/memory.stat", cg_rel);
	snprintf(buf, sizeof(buf), "%s/%s", f->dir, path);
	assert_true(read_file_at(AT_FDCWD, buf, buf, sizeof(buf)) > 0);
	p = strstr(buf, "pgsteal ");
	assert_non_null(p);
	v = strtoull(p + 8, NULL, 10);
	snprintf(out, sizeof(out), "anon 0\nfile 0\npgsteal %" PRIu64 "\n", v + pages);
	put_file(f, path, out);
}

static ssize_t hook_write(void *userdata, int fd, const char *buf, size_t n)
{
	struct fake *f = userdata;
	char link[64], target[1024];
	struct recorded *w;
	unsigned i = f->n_writes;
	uint64_t bytes, pages;
	size_t dl = strlen(f->dir);
	ssize_t k;

	assert_true(i < MAX_WRITES);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	k = readlink(link, target, sizeof(target) - 1);
	assert_true(k > 0);
	target[k] = '\0';
	assert_true(strncmp(target, f->dir, dl) == 0);
	w = &f->writes[i];
	snprintf(w->path, sizeof(w->path), "%s", target + dl + 1);
	assert_true(n < sizeof(w->req));
	memcpy(w->req, buf, n);
	w->req[n] = '\0';
	f->n_writes++;
	if (f->pause_after_write)
		actuator_set_paused_nodes(f->a, f->pause_after_write);
	/* Only reclaim files (and a node's compact file) are ever written:
	 * never memory.high/max. */
	assert_true(streq(w->path + strlen(w->path) - strlen("memory.reclaim"),
			  "memory.reclaim") ||
		    streq(w->path + strlen(w->path) - strlen("/reclaim"), "/reclaim") ||
		    streq(w->path + strlen(w->path) - strlen("/compact"), "/compact"));
	/* The stand-in file keeps the last request. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, buf, n, 0), (ssize_t)n);

	if (f->fail_path && strstr(w->path, f->fail_path)) {
		errno = f->fail_path_errno;
		return -1;
	}
	if (f->fail[i] && f->fail[i] != EAGAIN) {
		errno = f->fail[i];
		return -1;
	}
	bytes = strtoull(buf, NULL, 10);
	pages = f->steal_pages[i] ? f->steal_pages[i] : bytes / 4096;
	if (streq(w->path + strlen(w->path) - strlen("/compact"), "/compact")) {
		return (ssize_t)n;
	} else if (startswith(w->path, "sys/devices")) {
		bool short_of_ask = f->node_file_short && pages > f->node_file_max_pages;

		if (short_of_ask)
			pages = f->node_file_max_pages;
		f->vmstat_pgsteal_proactive += pages;
		put_vmstat(f);
		if (f->node_file_cgroup)
			bump_cgroup_pgsteal(f, f->node_file_cgroup, pages);
		if (f->brake_on_node_write) {
			put_pressure(f, f->brake_on_node_write, 3234567, 0);
			f->now += 150000;
		}
		if (short_of_ask) {
			errno = EAGAIN;
			return -1;
		}
	} else {
		char cg[256];

		snprintf(cg, sizeof(cg), "%.*s", (int)(strlen(w->path) - strlen("/memory.reclaim")),
			 w->path);
		bump_cgroup_pgsteal(f, cg, pages);
		if (f->cgroup_writes_in_vmstat) {
			f->vmstat_pgsteal_proactive += pages;
			put_vmstat(f);
		}
	}
	if (f->nested && i == f->nested_at) {
		const struct shrink_request *q = f->nested;

		f->nested = NULL;
		assert_int_equal(actuator_shrink(f->a, q, &f->nested_res), 0);
	}
	if (f->fail[i] == EAGAIN) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)n;
}

static uint64_t hook_clock(void *userdata)
{
	return ((struct fake *)userdata)->now;
}

/* Sleeping advances the fake clock, and is recorded; with
 * pause_in_sleep set, the daemon pauses meanwhile. */
static uint64_t slept_usec;
static struct actuator *pause_in_sleep;
static void hook_sleep(void *userdata, uint64_t usec)
{
	((struct fake *)userdata)->now += usec;
	slept_usec += usec;
	if (pause_in_sleep)
		actuator_set_paused_nodes(pause_in_sleep, UINT64_MAX);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	char cmd[4096];

	snprintf(f->dir, sizeof(f->dir), "%s/reclaimd-test-actuator-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p sys/devices/system/node/node0 "
		 "sys/devices/system/node/node1 proc/pressure sys/fs/cgroup && "
		 ": > sys/devices/system/node/node0/reclaim && "
		 "cp -R '%s/cgroup-basic/.' sys/fs/cgroup/ && chmod -R u+w .",
		 f->dir, FIXTURES_DIR);
	if (run(cmd) < 0)
		return -1;
	f->now = 1000 * SEC;
	put_vmstat(f);
	put_pressure(f, "proc/pressure/memory", 0, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[512];

	actuator_free(f->a);
	cgroup_set_free(f->cgroups);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)run(cmd);
	free(f);
	return 0;
}

static const struct cgroup_rule *test_rules;
static size_t test_n_rules;

/* Build the cgroup set and the actuator; cfg_in may override fields. */
static void start(struct fake *f, const struct actuator_config *cfg_in)
{
	char mount[512];
	struct cgroup_config ccfg = { .root = f->dir, .mount = "/sys/fs/cgroup",
				      .skip_fs_check = true, .rules = test_rules,
				      .n_rules = test_n_rules };
	struct actuator_config cfg = cfg_in ? *cfg_in : (struct actuator_config){};

	snprintf(mount, sizeof(mount), "%s/sys/fs/cgroup", f->dir);
	assert_int_equal(cgroup_set_new(&ccfg, &f->cgroups), 0);
	assert_int_equal(f->cgroups->n_cgroups, 3 + f->n_idle);
	cfg.root = f->dir;
	cfg.cgroups = f->cgroups;
	cfg.features = (struct features){ .cgroup2_memory = true,
					  .memory_reclaim = true,
					  .reclaim_swappiness = true,
					  .swappiness_probed = true,
					  .node_reclaim = true,
					  .node_reclaim_mask = 1,
					  .psi = true };
	if (cfg_in && cfg_in->features.node_reclaim_mask)
		cfg.features.node_reclaim_mask = cfg_in->features.node_reclaim_mask;
	cfg.features.swap = cfg_in && cfg_in->features.swap;
	cfg.node_mask = 3;
	cfg.write = cfg.write ?: hook_write;
	cfg.clock = hook_clock;
	cfg.sleep = hook_sleep;
	cfg.hook_userdata = f;
	assert_int_equal(actuator_new(&cfg, &f->a), 0);
}

/* The fixture's a.service (memory.low) and b.service (memory.min/low) carry
 * floors: not policies that keep the node file out (the kernel keeps them
 * in node reclaim), but they bound what memory.reclaim may ask of the two.
 * Clear them, so that a spread in these tests is bounded by nothing but
 * what they hold. */
static void clear_floors(struct fake *f)
{
	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.low", "0\n");
	put_file(f, "sys/fs/cgroup/system.slice/b.service/memory.min", "0\n");
	put_file(f, "sys/fs/cgroup/system.slice/b.service/memory.low", "0\n");
}

static void start_no_floors(struct fake *f, const struct actuator_config *cfg)
{
	clear_floors(f);
	start(f, cfg);
}

/* start() and start_no_floors() with the config's [CGroup] rules. */
static void start_rules(struct fake *f, const struct actuator_config *cfg,
			const struct cgroup_rule *rules, size_t n_rules)
{
	test_rules = rules;
	test_n_rules = n_rules;
	start(f, cfg);
	test_rules = NULL;
	test_n_rules = 0;
}

static void start_no_floors_rules(struct fake *f, const struct actuator_config *cfg,
				  const struct cgroup_rule *rules, size_t n_rules)
{
	clear_floors(f);
	start_rules(f, cfg, rules, n_rules);
}

/* No policy on node 0, and its node file falls short: it reclaims nothing
 * and answers EAGAIN (6.18 with MGLRU, or an anon-only node). */
static void start_node_file_short(struct fake *f, const struct actuator_config *cfg)
{
	start_no_floors(f, cfg);
	f->node_file_short = true;
	f->node_file_max_pages = 0;
}

/* The fixture's three candidates keep nothing on any node (numa_stat). */
static void no_memory_on_nodes(struct fake *f)
{
	static const char *const cgs[] = { "batch", "system.slice/a.service",
					   "system.slice/b.service" };

	for (size_t i = 0; i < ELEMENTSOF(cgs); i++) {
		char path[256];

		snprintf(path, sizeof(path), "sys/fs/cgroup/%s/memory.numa_stat", cgs[i]);
		put_file(f, path,
			 "anon N0=0 N1=0\nfile N0=0 N1=0\ninactive_anon N0=0 N1=0\n"
			 "active_anon N0=0 N1=0\ninactive_file N0=0 N1=0\nactive_file N0=0 N1=0\n");
	}
}

/* Node 0's reclaim file alone: no cgroup v2 hierarchy. */
static void start_alone(struct fake *f)
{
	struct actuator_config cfg = {
		.root = f->dir,
		.features = { .node_reclaim = true, .node_reclaim_mask = 1 },
		.node_mask = 1,
		.write = hook_write,
		.clock = hook_clock,
		.sleep = hook_sleep,
		.hook_userdata = f,
	};

	assert_int_equal(actuator_new(&cfg, &f->a), 0);
}

/* n idle leaf cgroups under idle/ (as bench/run's 200): a few KiB of
 * kernel memory, nothing on any LRU. Before start(). */
static void add_idle(struct fake *f, unsigned n)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s/sys/fs/cgroup' && mkdir idle && i=0 && while [ $i -lt %u ]; do "
		 "d=idle/cg$i && mkdir $d && : > $d/memory.reclaim && "
		 "echo 16384 > $d/memory.current && echo 0 > $d/memory.min && "
		 "echo 0 > $d/memory.low && printf 'populated 0\nfrozen 0\n' > $d/cgroup.events && "
		 "printf 'anon 0\nfile 0\npgsteal 0\n' > $d/memory.stat && "
		 "printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' > $d/memory.pressure && "
		 "printf 'anon N0=0 N1=0\nfile N0=0 N1=0\ninactive_anon N0=0 N1=0\n"
		 "active_anon N0=0 N1=0\ninactive_file N0=0 N1=0\nactive_file N0=0 N1=0\n' "
		 "> $d/memory.numa_stat && i=$((i + 1)); done",
		 f->dir, n);
	assert_int_equal(run(cmd), 0);
	f->n_idle = n;
}

static struct shrink_request node_req(int node, uint64_t bytes, int swappiness)
{
	return (struct shrink_request){ .kind = SHRINK_NODE, .node = node,
					.nr_to_reclaim = bytes, .swappiness = swappiness,
					.priority = 12 };
}

static void test_node_file_steps(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	char buf[64], path[512];

	start_no_floors(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	/* 32 MiB steps (ACTUATOR_STEP_BYTES_DEFAULT): 32 + 32 + 16. */
	assert_int_equal(f->n_writes, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(f->writes[i].path, "sys/devices/system/node/node0/reclaim");
	assert_string_equal(f->writes[0].req, "33554432 swappiness=0");
	assert_string_equal(f->writes[1].req, "33554432 swappiness=0");
	assert_string_equal(f->writes[2].req, "16777216 swappiness=0");
	assert_int_equal(res.nr_requested, 80 * MiB);
	assert_int_equal(res.nr_reclaimed, 80 * MiB); /* from pgsteal_proactive */
	assert_int_equal(res.nr_writes, 3);
	assert_int_equal(res.nr_partial, 0);
	assert_false(res.braked);
	assert_false(res.quota_limited);
	/* The stand-in file holds the last request. */
	snprintf(path, sizeof(path), "%s/sys/devices/system/node/node0/reclaim", f->dir);
	assert_int_equal(read_file_at(AT_FDCWD, path, buf, sizeof(buf)), 21);
	assert_string_equal(buf, "16777216 swappiness=0");

	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.requested_bytes, 80 * MiB);
	assert_int_equal(st.reclaimed_bytes, 80 * MiB);
	assert_int_equal(st.nr_writes, 3);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.last_usec, 1000 * SEC);
	assert_int_equal(actuator_node_stats(f->a, 5, &st), -ENOENT);

	/* Kernel default swappiness: no argument at all. */
	req = node_req(0, 4096, SWAPPINESS_KERNEL_DEFAULT);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_string_equal(f->writes[3].req, "4096");
}

/*
 * EAGAIN from the node file ends its part of the pass, what it reclaimed
 * measured; the rest of the pass goes to memory.reclaim over the cgroups
 * (6.18, MGLRU: the node file left cgroups' page cache alone that
 * memory.reclaim took at once).
 */
static void test_node_file_partial(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	uint64_t spread = 0, spread_pages = 0;

	start_no_floors(f, NULL);
	f->fail[0] = EAGAIN;
	f->steal_pages[0] = 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(f->n_writes > 1);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/reclaim");
	assert_int_equal(res.nr_partial, 1);
	assert_int_equal(res.nr_errors, 0);
	assert_true(res.node_file_short);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	/* The rest, 80 MiB less the 1000 pages, asked of the cgroups. */
	for (unsigned i = 1; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		spread += strtoull(f->writes[i].req, NULL, 10);
		spread_pages += strtoull(f->writes[i].req, NULL, 10) / 4096;
	}
	assert_int_equal(spread, 80 * MiB - 1000 * 4096);
	/* Asked in all: of the node file what it took, the rest of the
	 * cgroups (balance.c compares the two on a brake-cut pass). */
	assert_int_equal(res.nr_requested, 80 * MiB);
	/* The fake reclaims whole pages of each write. */
	assert_int_equal(res.nr_reclaimed, (1000 + spread_pages) * 4096);
	assert_true(res.nr_reclaimed > 80 * MiB - 16 * 4096);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_cgroup_spread, 1);
}

/*
 * A pass the kernel's node-reclaim minimums gate (the run's snapshot shows
 * the node's page cache and slab at them: node_file_gated) goes to
 * memory.reclaim as after an EAGAIN that took nothing, and no node-file
 * write is made: on 6.18 such a write takes nothing, anon and swap
 * notwithstanding (VM scenario node-file-gate).
 */
static void test_node_file_gated(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	uint64_t spread = 0;
	unsigned w;

	start_no_floors(f, NULL);
	req.run = 3;
	req.node_file_gated = true;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(f->n_writes > 0);
	for (unsigned i = 0; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		spread += strtoull(f->writes[i].req, NULL, 10);
	}
	assert_int_equal(spread, 80 * MiB);
	assert_true(res.node_file_gated);
	assert_true(res.node_file_short);
	assert_int_equal(res.nr_partial, 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file_gated, 1);
	assert_int_equal(st.nr_node_file, 0);

	/* The cgroups' memory on node 0 gone: no node-file write after all,
	 * where a run the node file answered EAGAIN tries it once more
	 * (test_node_file_stall_nothing_to_spread): the gate says it would
	 * take nothing. */
	no_memory_on_nodes(f);
	w = f->n_writes;
	req.priority = 11;
	f->now += 2 * CENSUS_INTERVAL_USEC_DEFAULT;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, w);
	assert_int_equal(res.nr_reclaimed, 0);

	/* The next run, not gated: the node file serves again. */
	req.run = 4;
	req.node_file_gated = false;
	req.nr_to_reclaim = 8 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, w + 1);
	assert_string_equal(f->writes[w].path, "sys/devices/system/node/node0/reclaim");
	assert_false(res.node_file_gated);
}

/* One pass of run on node 0 judged gated. */
static void gated_pass(struct fake *f, uint64_t run, struct shrink_result *res)
{
	struct shrink_request req = node_req(0, 8 * MiB, 0);

	req.run = run;
	req.node_file_gated = true;
	assert_int_equal(actuator_shrink(f->a, &req, res), 0);
}

static unsigned node_file_writes(const struct fake *f, unsigned from)
{
	unsigned k = 0;

	for (unsigned i = from; i < f->n_writes; i++)
		k += startswith(f->writes[i].path, "sys/devices");
	return k;
}

/*
 * The verdict is checked: a minute after the first pass judged gated, a
 * gated pass writes the node file anyway. EAGAIN bears the verdict out
 * (and the pass goes on as after any EAGAIN); three checks in a row
 * answered in full refute it, and from then on no pass is judged.
 */
static void test_node_file_gate_check(void **state)
{
	struct fake *f = *state;
	struct shrink_result res;
	struct actuator_node_stats st;
	unsigned w;

	start_no_floors(f, NULL);
	f->node_file_short = true; /* an anon-only node: EAGAIN, 0 pages */
	f->node_file_max_pages = 0;
	gated_pass(f, 1, &res);
	assert_true(res.node_file_gated);
	assert_int_equal(node_file_writes(f, 0), 0);

	/* 59 s on: still judged. 61 s: checked, and borne out. */
	f->now += 59 * SEC;
	w = f->n_writes;
	gated_pass(f, 2, &res);
	assert_int_equal(node_file_writes(f, w), 0);
	f->now += 2 * SEC;
	w = f->n_writes;
	gated_pass(f, 3, &res);
	assert_false(res.node_file_gated);
	assert_int_equal(node_file_writes(f, w), 1);
	assert_int_equal(res.nr_partial, 1);
	assert_true(res.node_file_short); /* spread after the EAGAIN */
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file_gate_checks, 1);
	assert_int_equal(st.nr_node_file_gate_misses, 0);
	f->now += SEC;
	w = f->n_writes;
	gated_pass(f, 4, &res);
	assert_true(res.node_file_gated);
	assert_int_equal(node_file_writes(f, w), 0);

	/* A kernel that reclaims there after all: three checks answered in
	 * full, a minute apart, and the verdicts end. */
	f->node_file_short = false;
	for (unsigned i = 0; i < ACTUATOR_GATE_MISSES; i++) {
		f->now += 61 * SEC;
		w = f->n_writes;
		gated_pass(f, 5 + i, &res);
		assert_int_equal(node_file_writes(f, w), 1);
		assert_int_equal(res.nr_partial, 0);
		assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
		/* Between checks the verdict still holds until the third. */
		if (i + 1 < ACTUATOR_GATE_MISSES) {
			f->now += SEC;
			w = f->n_writes;
			gated_pass(f, 50 + i, &res);
			assert_true(res.node_file_gated);
			assert_int_equal(node_file_writes(f, w), 0);
		}
	}
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file_gate_checks, 1 + ACTUATOR_GATE_MISSES);
	assert_int_equal(st.nr_node_file_gate_misses, ACTUATOR_GATE_MISSES);
	f->now += SEC;
	w = f->n_writes;
	gated_pass(f, 99, &res);
	assert_false(res.node_file_gated);
	assert_int_equal(node_file_writes(f, w), 1);
}

/* A dry run acts on the verdict (it shows what a run would write: the
 * spread) and never checks it: it writes nothing. */
static void test_node_file_gated_dry_run(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_no_floors(f, NULL);
	req.run = 1;
	req.node_file_gated = true;
	req.dry_run = true;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
		assert_true(res.node_file_gated);
		assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
		assert_int_equal(res.nr_requested, 8 * MiB);
		f->now += 61 * SEC;
		req.run++;
	}
	assert_int_equal(f->n_writes, 0);
}

/* Without cgroups the node file is all there is: it is written, gated or
 * not, and its answer decides. */
static void test_node_file_gated_alone(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	start_alone(f);
	req.run = 1;
	req.node_file_gated = true;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/reclaim");
	assert_false(res.node_file_gated);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file_gated, 0);
}

/* Without cgroups there is nothing else: EAGAIN ends the pass. */
static void test_node_file_partial_alone(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res;

	start_alone(f);
	f->fail[0] = EAGAIN;
	f->steal_pages[0] = 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_int_equal(res.nr_requested, 32 * MiB);
	assert_int_equal(res.nr_reclaimed, 1000 * 4096);
	assert_int_equal(res.nr_partial, 1);
	assert_false(res.node_file_short);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
}

static void test_swappiness_einval_fallback(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 40 * MiB, 0);
	struct shrink_result res;
	struct features feat;

	start_no_floors(f, NULL);
	f->fail[0] = EINVAL; /* 6.1: "swappiness=" unknown */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 3);
	assert_string_equal(f->writes[0].req, "33554432 swappiness=0");
	assert_string_equal(f->writes[1].req, "33554432");
	assert_string_equal(f->writes[2].req, "8388608");
	assert_int_equal(res.nr_reclaimed, 40 * MiB);
	assert_int_equal(res.nr_errors, 0);
	/* The write event reports no swappiness (null), not the 0 asked. */
	assert_true(res.swappiness_dropped);
	actuator_features(f->a, &feat);
	assert_false(feat.reclaim_swappiness);
	/* Later passes do not try again. */
	req = node_req(0, 4096, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_string_equal(f->writes[3].req, "4096");
	assert_true(res.swappiness_dropped);
	/* Nothing asked, nothing dropped. */
	req = node_req(0, 4096, SWAPPINESS_KERNEL_DEFAULT);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.swappiness_dropped);
}

static void test_errors(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res = { .nr_requested = 4242 };
	struct features feat;

	start_no_floors(f, NULL);
	f->fail[0] = EINTR;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.interrupted);
	assert_int_equal(f->n_writes, 1);

	f->fail[1] = EACCES;
	res.nr_requested = 4242;
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EACCES);
	assert_int_equal(res.nr_requested, 4242); /* untouched on failure */
	assert_int_equal(f->n_writes, 2);

	/* EINVAL with and without swappiness=: an error, and swappiness=
	 * stays on (it was not what the kernel refused). */
	f->fail[2] = EINVAL;
	f->fail[3] = EINVAL;
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EINVAL);
	assert_int_equal(f->n_writes, 4);
	assert_string_equal(f->writes[2].req, "33554432 swappiness=0");
	assert_string_equal(f->writes[3].req, "33554432");
	actuator_features(f->a, &feat);
	assert_true(feat.reclaim_swappiness);

	/* Unknown node. */
	req.node = 7;
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EINVAL);
	req.node = -1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EINVAL);
}

static void test_quota(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .rate_bytes_per_sec = 50 * MiB };
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct actuator_node_stats st;
	struct shrink_result res;

	/* The node file: what is reclaimed is what was asked (a spread's
	 * shares are not page multiples), so the waits are exact. */
	start_no_floors(f, &cfg);
	slept_usec = 0;
	/* A full bucket (one second's worth) serves 50 of the 80 MiB at once. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.quota_limited);
	assert_int_equal(res.nr_requested, 50 * MiB);
	assert_int_equal(slept_usec, 0);
	/* Empty bucket: throttle until one 32 MiB step is allowed (640 ms at
	 * 50 MiB/s) instead of handing the engine a short pass it would read
	 * as reclaim failing. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 640 * 1000);
	assert_int_equal(res.nr_requested, ACTUATOR_STEP_BYTES_DEFAULT);
	/* 10 MiB refilled: wait only for the other 22 MiB (440 ms). */
	slept_usec = 0;
	f->now += SEC / 5;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 440 * 1000);
	assert_int_equal(res.nr_requested, ACTUATOR_STEP_BYTES_DEFAULT);
	/* A request smaller than a step waits only for itself. */
	slept_usec = 0;
	req = node_req(0, 5 * MiB, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 100 * 1000);
	assert_int_equal(res.nr_requested, 5 * MiB);
	assert_false(res.quota_limited);
	/* The stats tell an operator that RateLimit= held the node back: three
	 * waits, their time, and the three passes cut below their ask. */
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_quota_waits, 3);
	assert_int_equal(st.quota_wait_usec, (640 + 440 + 100) * 1000);
	assert_int_equal(st.nr_quota_limited, 3);
}

/* A run's node pass at 50 MiB/s that empties node 0's bucket: 50 of the
 * 80 MiB asked, no exemption (the node at its marks). */
static void quota_bucket_emptied(struct fake *f, struct shrink_request *req,
				 struct shrink_result *res)
{
	struct actuator_config cfg = { .rate_bytes_per_sec = 50 * MiB };

	start_no_floors(f, &cfg);
	*req = node_req(0, 80 * MiB, 0);
	req->run = 1;
	slept_usec = 0;
	assert_int_equal(actuator_shrink(f->a, req, res), 0);
	assert_int_equal(res->nr_requested, 50 * MiB);
	assert_false(res->quota_exempt);
}

/* Below the kernel's own high marks a run's pass does not wait for the
 * quota (issue 14: held back, that reclaim went to kswapd): it asks at
 * least what the node lacks to them, and what that took beyond the tokens
 * leaves no debt; an overshoot past it does. Above them the quota holds as
 * before, and so it does for an operator's request. */
static void test_quota_below_kernel_marks(void **state)
{
	struct fake *f = *state;
	struct shrink_request req;
	struct actuator_node_stats st;
	struct shrink_result res;

	/* The bucket emptied by a pass above the kernel's marks. */
	quota_bucket_emptied(f, &req, &res);
	assert_true(res.quota_limited);
	assert_int_equal(res.quota_granted_bytes, 50 * MiB);
	/* Below them by 20 MiB: no wait, the 20 MiB asked. */
	req.kernel_deficit_bytes = 20 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 20 * MiB);
	assert_true(res.quota_exempt);
	assert_true(res.quota_limited);
	assert_int_equal(res.quota_granted_bytes, 20 * MiB);
	/* No debt: 0.2 s refill 10 MiB, and a 5 MiB pass above the marks
	 * goes at once (charged as debt, the 20 MiB would hold it 0.3 s). */
	f->now += SEC / 5;
	req = node_req(0, 5 * MiB, 0);
	req.run = 1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 5 * MiB);
	/* With 5 MiB of tokens left, a pass below the marks by 2 MiB asks
	 * the tokens there are, without a wait and without the exemption. */
	req = node_req(0, 80 * MiB, 0);
	req.run = 1;
	req.kernel_deficit_bytes = 2 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 5 * MiB);
	assert_false(res.quota_exempt);
	/* An overshoot is charged: 10 MiB of tokens, 20 MiB lacking, the
	 * kernel takes 30. 10 forgiven, 20 charged: 10 MiB of debt, which a
	 * 5 MiB pass above the marks then waits for too (15 MiB, 300 ms). */
	f->now += SEC / 5;
	req.kernel_deficit_bytes = 20 * MiB;
	f->steal_pages[f->n_writes] = 30 * MiB / 4096;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 20 * MiB);
	assert_int_equal(res.nr_reclaimed, 30 * MiB);
	assert_true(res.quota_exempt);
	req = node_req(0, 5 * MiB, 0);
	req.run = 1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 300 * 1000);
	/* Short of the deficit: what it took within the tokens is charged.
	 * 10 MiB of tokens, 20 lacking, the kernel takes 12: 10 charged, the
	 * bucket empty and no debt, so a 5 MiB pass 0.1 s later waits for 5
	 * MiB alone (100 ms; charging 2 would have let it go at once). */
	slept_usec = 0;
	f->now += SEC / 5;
	req = node_req(0, 80 * MiB, 0);
	req.run = 1;
	req.kernel_deficit_bytes = 20 * MiB;
	f->steal_pages[f->n_writes] = 12 * MiB / 4096;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_reclaimed, 12 * MiB);
	assert_true(res.quota_exempt);
	f->now += SEC / 10;
	req = node_req(0, 10 * MiB, 0);
	req.run = 1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 100 * 1000);
	/* An operator's request (no run) waits as before, below the marks too:
	 * the bucket empty, one 32 MiB step, 640 ms. */
	slept_usec = 0;
	req = node_req(0, 80 * MiB, 0);
	req.kernel_deficit_bytes = 20 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 640 * 1000);
	assert_false(res.quota_exempt);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_quota_exempt, 3);
	assert_int_equal(st.nr_quota_waits, 3);
	assert_int_equal(st.quota_wait_usec, (300 + 100 + 640) * 1000);
}

/* The watermark job, below our own high marks though above the kernel's,
 * does not wait either (issue 14: with no quota at all, free memory spent
 * half the time below our low mark at the same CPU per GiB): the pass asks
 * at least the deficit to our marks, and the larger of the two deficits
 * where both are given. A boost's pass (no deficit: the node at its marks)
 * waits, and so does an operator's request below them. */
static void test_quota_watermark_job(void **state)
{
	struct fake *f = *state;
	struct shrink_request req;
	struct actuator_node_stats st;
	struct shrink_result res;

	/* A boost's pass empties the bucket. */
	quota_bucket_emptied(f, &req, &res);
	/* Below our marks by 24 MiB, at the kernel's: no wait, 24 asked. */
	req.wmark_deficit_bytes = 24 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 24 * MiB);
	assert_true(res.quota_exempt);
	assert_int_equal(res.quota_granted_bytes, 24 * MiB);
	/* Both deficits: the larger is due (the brake's cut aside). */
	req.kernel_deficit_bytes = 8 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 24 * MiB);
	req.wmark_deficit_bytes = 4 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	/* The job left no debt: a boost's 5 MiB pass 0.2 s on goes at once. */
	f->now += SEC / 5;
	req = node_req(0, 5 * MiB, 0);
	req.run = 1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_false(res.quota_exempt);
	/* With 5 MiB left, a boost's pass waits for the rest of a step
	 * (27 MiB, 540 ms)... */
	req.nr_to_reclaim = 80 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 540 * 1000);
	assert_int_equal(res.nr_requested, ACTUATOR_STEP_BYTES_DEFAULT);
	/* ... and, the bucket empty, an operator's request below our marks
	 * waits for a whole step (640 ms). */
	slept_usec = 0;
	req = node_req(0, 80 * MiB, 0);
	req.wmark_deficit_bytes = 24 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 640 * 1000);
	assert_false(res.quota_exempt);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_quota_exempt, 3);
	assert_int_equal(st.nr_quota_waits, 2);
	assert_int_equal(st.quota_wait_usec, (540 + 640) * 1000);
}

struct fall_later {
	struct actuator *a;
	bool done;
};

/* Falls below our own high marks, every 5 ms until the pass is back: one
 * fall before the wait began would not cut it. */
static void *fall_later(void *userdata)
{
	struct fall_later *fl = userdata;

	while (!__atomic_load_n(&fl->done, __ATOMIC_RELAXED)) {
		usleep(5 * 1000);
		actuator_set_below_high(fl->a, 0, false);
		actuator_set_below_high(fl->a, 0, true);
	}
	return NULL;
}

/* A run's node pass waiting for the quota (a boost's) stops waiting when
 * the monitor sees the node fall below our own high marks meanwhile (the real
 * clock here: the wait is a condition variable's). The deadline is
 * absolute, so a return before it is the fall's doing. A flag already up
 * when the wait began is not a fall: that wait runs its course. */
static void test_quota_wait_cut_by_fall(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = {
		.root = f->dir,
		.features = { .node_reclaim = true, .node_reclaim_mask = 1 },
		.node_mask = 1,
		.write = hook_write,
		.clock = hook_clock,
		.hook_userdata = f,
		.rate_bytes_per_sec = 1 * MiB,
	};
	struct shrink_request req = node_req(0, 2 * MiB, 0);
	struct fall_later fl = {};
	struct actuator_node_stats st;
	struct shrink_result res;
	uint64_t t0, took;
	pthread_t t;

	assert_int_equal(actuator_new(&cfg, &f->a), 0);
	req.run = 1;
	/* The bucket's 1 MiB at once. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_requested, 1 * MiB);
	/* Empty: a wait of 1 s for the next MiB, cut by a fall. The fake
	 * clock stands still: no tokens came, the pass asks nothing. */
	fl.a = f->a;
	assert_int_equal(pthread_create(&t, NULL, fall_later, &fl), 0);
	t0 = now_usec();
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	took = now_usec() - t0;
	__atomic_store_n(&fl.done, true, __ATOMIC_RELAXED);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(took < 900 * 1000);
	assert_true(res.quota_limited);
	assert_int_equal(res.quota_granted_bytes, 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_quota_waits, 1);
	assert_int_equal(st.nr_quota_waits_cut, 1);
	/* Still below (no new fall): the bucket of 16 MiB emptied, a 1 MiB
	 * pass waits its 62.5 ms out. */
	actuator_free(f->a);
	cfg.rate_bytes_per_sec = 16 * MiB;
	assert_int_equal(actuator_new(&cfg, &f->a), 0);
	actuator_set_below_high(f->a, 0, true);
	req.nr_to_reclaim = 16 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	req.nr_to_reclaim = 1 * MiB;
	t0 = now_usec();
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	took = now_usec() - t0;
	assert_true(took >= 60 * 1000);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_quota_waits, 1);
	assert_int_equal(st.nr_quota_waits_cut, 0);
}

/* A RateLimit= below StepSize= (8M against the default 32M): a pass waits
 * for what the bucket can hold (one second's worth), not for a step it never
 * holds, so the delivered rate is the limit, not a quarter of it. */
static void test_quota_below_step(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .rate_bytes_per_sec = 8 * MiB };
	struct shrink_request req = node_req(0, 32 * MiB, 0);
	struct shrink_result res;
	uint64_t total = 0, t0;

	start_no_floors(f, &cfg);
	slept_usec = 0;
	t0 = f->now;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
		assert_int_equal(res.nr_requested, 8 * MiB);
		total += res.nr_reclaimed;
	}
	/* The full bucket at once, then 8 MiB a second. */
	assert_int_equal(slept_usec, 4 * SEC);
	assert_int_equal(f->now - t0, 4 * SEC);
	assert_int_equal(total, 40 * MiB);
}

/* The quota is charged what the kernel reclaimed, not what was asked: on
 * 6.1 memory.reclaim overshoots (75.6 MB asked, 100.9 MB freed), and the
 * debt delays the next pass. */
static void test_quota_charges_reclaimed(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .rate_bytes_per_sec = 8 * MiB };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_no_floors(f, &cfg);
	slept_usec = 0;
	f->steal_pages[0] = 12 * MiB / 4096; /* asked 8, 12 reclaimed */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	assert_int_equal(res.nr_reclaimed, 12 * MiB);
	assert_int_equal(slept_usec, 0);
	/* The next 8 MiB waits for them and the 4 MiB owed: 1.5 s. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 3 * SEC / 2);
	assert_int_equal(res.nr_requested, 8 * MiB);
	assert_false(res.quota_limited);
}

static void test_dry_run(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .dry_run = true };
	struct shrink_request req = node_req(0, 80 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	start_no_floors(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 0);
	assert_int_equal(res.nr_requested, 80 * MiB);
	assert_int_equal(res.nr_reclaimed, 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_dry_run, 3);
	assert_int_equal(st.requested_bytes, 80 * MiB);

	/* Cgroup spread (node 1 has no reclaim file): decisions counted. */
	req = node_req(1, 153 * MiB, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 0);
	assert_int_equal(res.nr_requested, 153 * MiB);
	cgroup_set_lock_shared(f->cgroups);
	assert_int_equal(cgroup_set_find(f->cgroups, "batch")->acct.requested_bytes, 128 * MiB);
	assert_int_equal(cgroup_set_find(f->cgroups, "batch")->acct.nr_dry_run, 4);
	assert_int_equal(cgroup_set_find(f->cgroups, "batch")->acct.nr_writes, 0);
	cgroup_set_unlock(f->cgroups);
}

/* A request's dry_run works on a live actuator too. */
static void test_dry_run_request(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_no_floors(f, NULL);
	req.dry_run = true;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	req.dry_run = false;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
}

static void test_system_brake(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_no_floors(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.braked);
	assert_int_equal(f->n_writes, 1);
	/* 0.6 s of full stall within 1 s: over the 0.5 s per 10 s default. */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 700000, 600000);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.braked);
	assert_int_equal(res.nr_requested, 0);
	assert_int_equal(f->n_writes, 1);
	/* Calm for a whole window: released. */
	f->now += 11 * SEC;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.braked);
	assert_int_equal(f->n_writes, 2);
}

/* A full stall alone is no thrashing (kswapd's and our own reclaim stall,
 * as does a burst of allocations): the brake goes on only in a window in
 * which 1 MiB that reclaim evicted also came back (workingset_refault), and
 * at least a tenth of what was reclaimed in it (pgsteal_*; each 8 MiB
 * write here reclaims 2048 pages). */
static void test_system_brake_refaults(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	uint64_t ws = MiB / (uint64_t)sysconf(_SC_PAGESIZE);

	f->vmstat_workingset = true;
	f->vmstat_refault_file = 1000;
	put_vmstat(f);
	start_no_floors(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the window starts */
	/* 0.6 s of full stall, 1 MiB less a page refaulted: not braked. */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 700000, 600000);
	f->vmstat_refault_file += ws - 1;
	put_vmstat(f);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.braked);
	assert_false(res.brake_cut);
	assert_int_equal(f->n_writes, 2);
	/* One more page: 1 MiB back, but of 4096 pages reclaimed (6%). */
	f->now += SEC;
	f->vmstat_refault_file += 1;
	put_vmstat(f);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.braked);
	assert_int_equal(f->n_writes, 3);
	/* 656 of 6144 (10.7%) in the same window: on. */
	f->now += SEC;
	f->vmstat_refault_file += 400;
	put_vmstat(f);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.braked);
	assert_int_equal(f->n_writes, 3);
}

/* The system brake stops proactive reclaim only: a node pass planned below
 * the kernel's own high marks goes on, cut to what the node lacks to them
 * (its kswapd would reclaim that much anyway); one at or above them, a
 * soft-target pass and an offload pass are stopped as before. */
static void test_system_brake_kernel_deficit(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_no_floors(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the window starts */
	assert_int_equal(f->n_writes, 1);
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 700000, 600000);
	req.kernel_deficit_bytes = 2 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.braked);
	assert_true(res.brake_cut);
	assert_int_equal(res.nr_requested, 2 * MiB);
	assert_int_equal(f->n_writes, 2);
	assert_string_equal(f->writes[1].req, "2097152 swappiness=0");
	/* Larger than the pass: the pass as planned. (The stall goes on.) */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 1400000, 1200000);
	req.kernel_deficit_bytes = 64 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.brake_cut);
	assert_int_equal(res.nr_requested, 8 * MiB);
	assert_int_equal(f->n_writes, 3);
	/* At the kernel's marks: stopped. */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 2100000, 1800000);
	req.kernel_deficit_bytes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.braked);
	assert_false(res.brake_cut);
	assert_int_equal(f->n_writes, 3);
	/* Only a node pass carries the exception. */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 2800000, 2400000);
	req.kind = SHRINK_SOFT_TARGET;
	req.kernel_deficit_bytes = 2 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.braked);
	assert_int_equal(f->n_writes, 3);
}

/*
 * Node 1 has no reclaim file: spread over cgroups by node-1-local file.
 * a.service: file N1 = 100 MiB, room 380 MiB above its floor (low 100 MiB);
 * b.service: floor "max" -> nothing; batch: file N1 = 512 MiB.
 * 153 MiB over 612 MiB of local file: a 25 MiB, batch 128 MiB.
 */
static void test_spread(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	struct actuator_cgroup_info *info = NULL;
	size_t n = 0;
	unsigned seen = 0;

	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 2);
	for (int i = 0; i < 2; i++) {
		if (streq(f->writes[i].path, "sys/fs/cgroup/system.slice/a.service/memory.reclaim")) {
			assert_string_equal(f->writes[i].req, "26214400 swappiness=0");
			seen |= 1;
		} else if (streq(f->writes[i].path, "sys/fs/cgroup/batch/memory.reclaim")) {
			assert_string_equal(f->writes[i].req, "134217728 swappiness=0");
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
	assert_int_equal(res.nr_requested, 153 * MiB);
	assert_int_equal(res.nr_reclaimed, 153 * MiB); /* memory.stat pgsteal deltas */

	assert_int_equal(actuator_cgroups(f->a, &info, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		if (streq(info[i].path, "batch")) {
			assert_int_equal(info[i].acct.requested_bytes, 128 * MiB);
			assert_int_equal(info[i].acct.reclaimed_bytes, 128 * MiB);
			assert_int_equal(info[i].acct.nr_writes, 1);
			assert_int_equal(info[i].acct.last_usec, 1000 * SEC);
			assert_int_equal(info[i].current_bytes, 1024 * MiB);
		} else if (streq(info[i].path, "system.slice/a.service")) {
			assert_int_equal(info[i].acct.requested_bytes, 25 * MiB);
			assert_int_equal(info[i].acct.pressure_some_total_usec, 1234567);
			assert_int_equal(info[i].floor_bytes, 100 * MiB);
		} else {
			assert_string_equal(info[i].path, "system.slice/b.service");
			assert_int_equal(info[i].acct.requested_bytes, 0);
		}
	}
	free(info);
}

static unsigned count_writes_to(const struct fake *f, unsigned from, const char *path)
{
	unsigned k = 0;

	for (unsigned i = from; i < f->n_writes; i++)
		k += streq(f->writes[i].path, path);
	return k;
}

/*
 * Issue 15: a node pass spreads from its priority (target_reach()). With
 * a.service holding 3 MiB of file on node 1 (768 pages: reached from
 * priority 9) and batch 512 MiB, a pass at DEF_PRIORITY asks batch alone;
 * the same pass at priority 9, or one that batch cannot cover, asks both.
 * The operator's `reclaim node` (priority DEF_PRIORITY) spreads the same.
 */
static void test_spread_priority(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 32 * MiB, 0);
	struct shrink_result res;

	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=3145728\n");
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "33554432 swappiness=0");
	assert_true(res.spread);
	assert_int_equal(res.spread_priority, 12);

	req.priority = 9;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 3);
	assert_int_equal(count_writes_to(f, 1, "sys/fs/cgroup/system.slice/a.service/memory.reclaim"), 1);

	/* More than batch's 512 MiB at DEF_PRIORITY: a.service too. */
	req = node_req(1, 514 * MiB, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_requested, 514 * MiB);
	assert_int_equal(count_writes_to(f, 3, "sys/fs/cgroup/system.slice/a.service/memory.reclaim"), 1);
	assert_int_equal(res.spread_priority, 9); /* 768 pages: reached from 9 */
}

static void test_spread_protect(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .protect = true } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;

	start_rules(f, &cfg, rules, 1);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	/* Only a.service, capped at its node-1 file (100 MiB). */
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path,
			    "sys/fs/cgroup/system.slice/a.service/memory.reclaim");
	assert_string_equal(f->writes[0].req, "104857600 swappiness=0");

	/* Operator requests honour Protect= too. */
	req = (struct shrink_request){ .kind = SHRINK_CGROUP, .node = 0, .cgroup = "batch",
				       .nr_to_reclaim = MiB, .swappiness = 0 };
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EPERM);
	assert_int_equal(f->n_writes, 1);
}

/* Issue 12 defect 1: with the node file present, a node pass goes to it only
 * while no cgroup policy covers memory on the node; otherwise it is spread
 * over memory.reclaim, which honours Protect=, floors and brakes. */
static void test_node_file_or_spread(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .protect = true } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	/* Protect=yes on batch, which has memory on node 0: never the node
	 * file, and batch is not written. */
	start_no_floors_rules(f, &cfg, rules, 1);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(f->n_writes >= 1);
	for (unsigned i = 0; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		assert_null(strstr(f->writes[i].path, "batch"));
	}
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 0);
	assert_int_equal(st.nr_cgroup_spread, 1);
	/* The operator's `reclaim node 0` is a node pass: the same rule. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 0);
	assert_int_equal(st.nr_cgroup_spread, 2);
}

/* The node file falls short (EAGAIN) at any priority: 6.18 left cgroups'
 * page cache alone with MGLRU, and freed nothing from an anon-only node with
 * swap. The rest of the pass and of the run is spread over memory.reclaim;
 * the next run tries the node file again. */
static void test_node_file_stall_spreads(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .features.swap = true };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	unsigned w;

	start_node_file_short(f, &cfg);
	req.run = 7;
	/* Priority 12, swappiness=0: the node file answers EAGAIN with
	 * nothing, and the cgroups give the pass its 8 MiB. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.node_file_short);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_true(res.nr_reclaimed > 8 * MiB - 16 * 4096);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/reclaim");
	assert_true(f->n_writes > 1);
	/* Priority 11 of the same run: memory.reclaim only. */
	w = f->n_writes;
	req.priority = 11;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_false(res.node_file_short);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_true(res.nr_reclaimed > 8 * MiB - 16 * 4096);
	assert_true(f->n_writes > w);
	for (unsigned i = w; i < f->n_writes; i++)
		assert_false(startswith(f->writes[i].path, "sys/devices"));
	/* Priority 9 with swap: still memory.reclaim. */
	req.priority = 9;
	req.swappiness = SWAPPINESS_KERNEL_DEFAULT;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_cgroup_spread, 3);
	/* The next run: the node file first, which now answers in full. */
	f->node_file_short = false;
	w = f->n_writes;
	req.run = 8;
	req.priority = 12;
	req.swappiness = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_false(res.node_file_short);
	assert_int_equal(f->n_writes, w + 1);
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
}

/* An operator's `reclaim node` (run 0) between the passes of a run neither
 * ends the run's stall nor, falling short itself, starts one. */
static void test_node_file_stall_operator(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0), op = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	unsigned w;

	start_node_file_short(f, NULL);
	req.run = 7;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.node_file_short);
	/* The operator's request tries the node file (its own run), which
	 * answers in full now. */
	f->node_file_short = false;
	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &op, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_string_equal(f->writes[w].path, "sys/devices/system/node/node0/reclaim");
	/* The run goes on spread. */
	w = f->n_writes;
	req.priority = 11;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_true(f->n_writes > w);
	for (unsigned i = w; i < f->n_writes; i++)
		assert_false(startswith(f->writes[i].path, "sys/devices"));
	/* A new run; an operator's request falls short: the run's next
	 * pass still tries the node file. */
	req.run = 8;
	req.priority = 12;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	f->node_file_short = true;
	assert_int_equal(actuator_shrink(f->a, &op, &res), 0);
	assert_true(res.node_file_short);
	f->node_file_short = false;
	w = f->n_writes;
	req.priority = 11;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(f->n_writes, w + 1);
}

/* A cgroup whose brake engaged while the node file swept is left out of
 * the fallback's spread and counted as skipped, once. */
static void test_node_file_fall_back_skips(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_node_file_short(f, NULL);
	f->brake_on_node_write = "sys/fs/cgroup/batch/memory.pressure";
	req.run = 7;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.node_file_short);
	assert_true(f->n_writes > 1);
	for (unsigned i = 1; i < f->n_writes; i++)
		assert_null(strstr(f->writes[i].path, "batch"));
	assert_int_equal(res.nr_skipped, 1);
}

/* Node 1 paused while the node file swept: the fallback's plan spares it
 * (b.service, the only cgroup with nothing on node 1, takes the rest). */
static void test_node_file_fall_back_pause(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	start_node_file_short(f, NULL);
	f->pause_after_write = UINT64_C(1) << 1;
	req.run = 7;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.node_file_short);
	assert_int_equal(f->n_writes, 2);
	assert_string_equal(f->writes[1].path,
			    "sys/fs/cgroup/system.slice/b.service/memory.reclaim");
	assert_int_equal(strtoull(f->writes[1].req, NULL, 10), 8 * MiB);
}

/* Stalled, and the cgroups have nothing on the node to give: what is left
 * is the node file's (the root's own pages, a removed cgroup's cache), so
 * it serves the pass once more, with no fallback after it. */
static void test_node_file_stall_nothing_to_spread(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	unsigned w;

	start_node_file_short(f, NULL);
	req.run = 7;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_true(res.node_file_short);
	/* The cgroups' memory on node 0 is gone. */
	no_memory_on_nodes(f);
	f->node_file_short = false;
	w = f->n_writes;
	req.priority = 11;
	f->now += 2 * CENSUS_INTERVAL_USEC_DEFAULT;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_false(res.spread); /* the spread before it planned nothing */
	assert_int_equal(f->n_writes, w + 1);
	assert_string_equal(f->writes[w].path, "sys/devices/system/node/node0/reclaim");
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
	/* Short again: nothing more this pass. */
	f->node_file_short = true;
	w = f->n_writes;
	req.priority = 10;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, w + 1);
	assert_false(res.node_file_short);
	assert_int_equal(res.nr_partial, 1);
}

/*
 * A Floor= covers every node: spread. memory.low on a.service and
 * memory.min on b.service alone do not: the kernel keeps them in node
 * reclaim itself, and a systemd host (systemd-oomd.service ships
 * MemoryMin=64M) would otherwise never use the node file.
 */
static void test_floor_spreads(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "system.slice/b.service", .policy = { .floor_bytes = MiB } },
	};
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	start(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/reclaim");
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_cgroup_spread, 0);

	actuator_free(f->a);
	cgroup_set_free(f->cgroups);
	f->n_writes = 0;
	start_rules(f, NULL, rules, 1);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_true(f->n_writes >= 1);
	for (unsigned i = 0; i < f->n_writes; i++)
		assert_false(startswith(f->writes[i].path, "sys/devices"));
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 0);
	assert_int_equal(st.nr_cgroup_spread, 1);
}

/* Issue 12 defect 5: the compaction step writes nodeN/compact, opened at
 * start; a node without the file says -EOPNOTSUPP. */
static void test_compact(void **state)
{
	struct fake *f = *state;
	struct actuator_node_stats st;

	put_file(f, "sys/devices/system/node/node0/compact", "");
	start(f, NULL);
	alloc_count_start();
	assert_int_equal(actuator_compact(f->a, 0), 0);
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/compact");
	assert_string_equal(f->writes[0].req, "1");
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_compact, 1);
	assert_int_equal(st.nr_compact_errors, 0);
	assert_int_equal(actuator_compact(f->a, 1), -EOPNOTSUPP);
	assert_int_equal(actuator_compact(f->a, 5), -EINVAL);
	assert_int_equal(f->n_writes, 1);
}

static void test_spread_gone(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;

	start(f, &cfg);
	f->fail_path = "a.service";
	f->fail_path_errno = ENODEV; /* removed while we held its fd */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 2);
	assert_int_equal(res.nr_errors, 0);
	assert_int_equal(res.nr_skipped, 1);
	assert_int_equal(res.nr_requested, 153 * MiB);
	assert_int_equal(res.nr_reclaimed, 128 * MiB); /* batch only */
	cgroup_set_lock_shared(f->cgroups);
	assert_true(cgroup_set_find(f->cgroups, "system.slice/a.service")->gone);
	assert_int_equal(cgroup_set_find(f->cgroups, "system.slice/a.service")->acct.nr_errors, 0);
	cgroup_set_unlock(f->cgroups);

	/* The next pass leaves it out without a write: batch takes it all. */
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "160432128 swappiness=0");

	/* ENOENT is the same. A rescan then drops it (here it is still on
	 * disk, so it comes back fresh, without the gone mark). */
	assert_int_equal(actuator_rescan(f->a, /* wait= */ false), 3);
	cgroup_set_lock_shared(f->cgroups);
	assert_false(cgroup_set_find(f->cgroups, "system.slice/a.service")->gone);
	cgroup_set_unlock(f->cgroups);
	f->fail_path_errno = ENOENT;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_errors, 0);
	assert_int_equal(res.nr_skipped, 1);
}

static void test_cgroup_brake(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;

	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 2);
	/* a.service stalls 2 s within 1 s (limit 1 s per 10 s): skipped. */
	f->now += SEC;
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 3234567, 0);
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 1);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	/* batch alone takes all it can: 153 MiB of its 512 MiB. */
	assert_string_equal(f->writes[0].req, "160432128 swappiness=0");
	cgroup_set_lock_shared(f->cgroups);
	assert_int_equal(cgroup_set_find(f->cgroups, "system.slice/a.service")->acct.nr_braked, 1);
	cgroup_set_unlock(f->cgroups);
}

struct brake_log {
	unsigned n;
	char path[4][64];
	bool on[4];
	uint64_t limit_usec, stall_usec;
};

static void record_brake(void *userdata, const struct actuator_brake_change *c)
{
	struct brake_log *l = userdata;

	assert_true(l->n < ELEMENTSOF(l->on));
	snprintf(l->path[l->n], sizeof(l->path[0]), "%s", c->path);
	l->on[l->n++] = c->on;
	l->limit_usec = c->limit_usec;
	l->stall_usec = c->stall_usec;
}

/* The loop samples the brakes between shrinks: the first shrink after a
 * cgroup starts thrashing already skips it, and the report says braked.
 * Each change is told once (the CGROUP= journal entry and watch event). */
static void test_sample_brakes(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	_cleanup_free_ struct actuator_cgroup_info *v = NULL;
	size_t n = 0;
	bool braked = false;

	struct brake_log log = { 0 };

	start(f, &cfg);
	actuator_sample_brakes(f->a, record_brake, &log); /* the window starts */
	assert_int_equal(log.n, 0);
	f->now += SEC;
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 3234567, 0);
	/* The system stalls with it (a cgroup's tasks are the system's). */
	put_pressure(f, "proc/pressure/memory", 3234567, 0);
	actuator_sample_brakes(f->a, record_brake, &log); /* 2 s of stall in 1 s: on */
	assert_int_equal(log.n, 1);
	assert_string_equal(log.path[0], "system.slice/a.service");
	assert_true(log.on[0]);
	assert_true(log.limit_usec > 0);
	assert_true(log.stall_usec > log.limit_usec);
	actuator_sample_brakes(f->a, record_brake, &log); /* still on: not told again */
	assert_int_equal(log.n, 1);
	assert_int_equal(actuator_cgroups(f->a, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].path, "system.slice/a.service"))
			braked = v[i].braked;
	assert_true(braked);
	/* The very first shrink leaves it alone. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 1);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	/* A whole calm window (10 s, no growth) releases it. */
	f->now += 11 * SEC;
	actuator_sample_brakes(f->a, record_brake, &log);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.path[1], "system.slice/a.service");
	assert_false(log.on[1]);
	free(v);
	v = NULL;
	assert_int_equal(actuator_cgroups(f->a, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].path, "system.slice/a.service"))
			assert_false(v[i].braked);
}

/* A brake engaged by a node pass's read (the window restarts then) is
 * reported by the loop's next sample with the stall that engaged it, not
 * the new window's (the log said "stall 0us in 713ms"). */
static void test_sample_brakes_engaged_by_pass(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	struct brake_log log = { 0 };

	start(f, &cfg);
	actuator_sample_brakes(f->a, record_brake, &log); /* the window starts */
	f->now += SEC;
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 3234567, 0);
	put_pressure(f, "proc/pressure/memory", 3234567, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 1); /* the pass engaged it */
	f->now += 100 * 1000;
	actuator_sample_brakes(f->a, record_brake, &log);
	assert_int_equal(log.n, 1);
	assert_true(log.on[0]);
	assert_int_equal(log.stall_usec, 2000000); /* from the fixture's 1234567 */
}

/* A brake sample, counting the preads of a.service's memory.pressure. */
static unsigned sample_pressure_preads(struct fake *f, struct brake_log *log)
{
	struct cgroup_candidate *cg = cgroup_set_find(f->cgroups, "system.slice/a.service");

	assert_non_null(cg);
	alloc_count_watch_fd(cg->fd[CGROUP_FILE_PRESSURE]);
	alloc_count_start();
	actuator_sample_brakes(f->a, record_brake, log);
	alloc_count_stop();
	alloc_count_watch_fd(-1);
	return alloc_count_fd_preads();
}

/* Issue 18, the loop's cost at 100 cgroups: while /proc/pressure/memory's
 * some total stands still, no cgroup's memory.pressure is read by the
 * brake sample, and a brake that is off stays off; a stall anywhere reads
 * them all; an engaged brake is read on every sample, so its release (a
 * calm window) is seen and told. Before, every sample read every cgroup. */
static void test_sample_brakes_calm_system(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	const char *pressure = "sys/fs/cgroup/system.slice/a.service/memory.pressure";
	struct brake_log log = { 0 };

	start(f, &cfg);
	assert_true(sample_pressure_preads(f, &log) > 0); /* the first: all read */
	f->now += SEC;
	assert_int_equal(sample_pressure_preads(f, &log), 0);
	assert_int_equal(sample_pressure_preads(f, &log), 0);
	assert_int_equal(log.n, 0);
	/* A stall in the system: every cgroup read; a.service's brake on. */
	f->now += SEC;
	put_pressure(f, pressure, 3234567, 0);
	put_pressure(f, "proc/pressure/memory", 3234567, 0);
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 1);
	assert_true(log.on[0]);
	/* Calm again: the engaged brake is still read each sample... */
	f->now += SEC;
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 1);
	/* ...and released after a calm window, told once. */
	f->now += 11 * SEC;
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 2);
	assert_false(log.on[1]);
	/* Off again: not read while the system is calm. */
	f->now += SEC;
	assert_int_equal(sample_pressure_preads(f, &log), 0);
	assert_int_equal(log.n, 2);
}

/* The loop's sample judges a pass's read, taken as it stands while the
 * system stalls, as at the read's time. Judged at the sample's, the
 * brake's window restarted there with the read's older total, and the
 * stall between the two counted in the next window: 210 ms in 200 ms, a
 * brake on (limit 200 ms a 2 s window) where the stall was 210 ms in
 * 2.5 s. */
static void test_sample_brakes_judged_at_read(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = {
		.step_bytes = 256 * MiB,
		.cgroup_brake = DAEMON_TEST_BRAKE,
	};
	const char *pressure = "sys/fs/cgroup/system.slice/a.service/memory.pressure";
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	struct brake_log log = { 0 };

	put_pressure(f, pressure, 1000000, 0);
	start(f, &cfg);
	actuator_sample_brakes(f->a, record_brake, &log); /* the window starts */
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 1950 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* reads a.service */
	assert_int_equal(res.nr_skipped, 0);
	put_pressure(f, "proc/pressure/memory", 2000, 0);
	f->now += 350 * 1000;
	assert_int_equal(sample_pressure_preads(f, &log), 0); /* the pass's read */
	put_pressure(f, pressure, 1210000, 0);
	put_pressure(f, "proc/pressure/memory", 300000, 0);
	f->now += 200 * 1000;
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 0);
}

/* Issue 14: while the system stalls, a node pass reads the candidates'
 * memory.pressure itself; the loop's next sample does not read a cgroup
 * again that a pass read since the sample before, and still tells a brake
 * that read engaged. A cgroup nobody read since is read. Before, every
 * sample read every cgroup while the system stalled. */
static void test_sample_brakes_read_by_pass(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	const char *pressure = "sys/fs/cgroup/system.slice/a.service/memory.pressure";
	struct shrink_request req = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	struct brake_log log = { 0 };

	start(f, &cfg);
	assert_true(sample_pressure_preads(f, &log) > 0); /* the first: all read */
	/* The system stalls, a.service a little (under its limit). */
	f->now += SEC;
	put_pressure(f, pressure, 1334567, 0);
	put_pressure(f, "proc/pressure/memory", 2234567, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 0);
	assert_int_equal(sample_pressure_preads(f, &log), 0); /* the pass's read stands */
	assert_int_equal(log.n, 0);
	/* Stalling on, no pass since: read. */
	f->now += SEC;
	put_pressure(f, "proc/pressure/memory", 2334567, 0);
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 0);
	/* A pass's read engages the brake: told by the sample, not read. */
	f->now += SEC;
	put_pressure(f, pressure, 4334567, 0);
	put_pressure(f, "proc/pressure/memory", 5334567, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 1);
	assert_int_equal(sample_pressure_preads(f, &log), 0);
	assert_int_equal(log.n, 1);
	assert_string_equal(log.path[0], "system.slice/a.service");
	assert_true(log.on[0]);
	/* Engaged, no pass since: read on the next sample. */
	f->now += SEC;
	assert_true(sample_pressure_preads(f, &log) > 0);
	assert_int_equal(log.n, 1);
}

static void test_soft_target(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .soft_target_bytes = 900 * MiB } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = { .kind = SHRINK_SOFT_TARGET, .node = 1,
				      .nr_to_reclaim = 1024 * MiB, .swappiness = 0 };
	struct shrink_result res;
	struct actuator_node_stats st;

	start_rules(f, &cfg, rules, 1);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	/* batch: 1 GiB current, soft target 900 MiB: 124 MiB. */
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "130023424 swappiness=0");
	assert_int_equal(res.nr_reclaimed, 124 * MiB);
	/* Only batch, the one cgroup with SoftTarget=, was read. */
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 1);
}

/* Without SoftTarget= anywhere the soft pass (made before every node pass
 * while cgroups exist) can plan nothing, and reads no cgroup file: only
 * /proc/pressure/memory for the system brake. */
static void test_soft_target_none_reads_nothing(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = { .kind = SHRINK_SOFT_TARGET, .node = 1,
				      .nr_to_reclaim = 8 * MiB, .swappiness = 0 };
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 20);
	start(f, &cfg);
	/* The first pass also starts the system brake's window, which reads
	 * /proc/vmstat (the refault baseline); the second is any pass. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	f->now += SEC;
	alloc_count_start();
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	alloc_count_stop();
	assert_int_equal(res.nr_writes, 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 0);
	assert_int_equal(st.nr_censuses, 0);
	/* /proc/pressure/memory alone (a read and the one that finds its end). */
	assert_true(alloc_count_preads() <= 2);
}

/* The soft-target pass asks the quota for what it plans, after planning,
 * and never waits (issue 14: in the synthetic benchmark, with no
 * SoftTarget= anywhere, the soft passes waited for the run's whole pass,
 * then wrote nothing): cut to the tokens there are where it plans more;
 * below the node's marks a run's soft pass is the watermark job. */
static void test_soft_target_quota(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .soft_target_bytes = 900 * MiB } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .rate_bytes_per_sec = 50 * MiB };
	struct shrink_request req = { .kind = SHRINK_SOFT_TARGET, .node = 1,
				      .nr_to_reclaim = 1024 * MiB, .swappiness = 0, .run = 1 };
	struct shrink_result res;
	struct actuator_node_stats st;

	start_rules(f, &cfg, rules, 1);
	slept_usec = 0;
	/* batch is 124 MiB above its soft target: the bucket's 50 MiB. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].req, "52428800 swappiness=0");
	assert_true(res.quota_limited);
	assert_int_equal(res.quota_granted_bytes, 50 * MiB);
	/* The bucket empty, below the node's marks by 20 MiB: no wait. */
	req.wmark_deficit_bytes = 20 * MiB;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(f->n_writes, 2);
	assert_string_equal(f->writes[1].req, "20971520 swappiness=0");
	assert_true(res.quota_exempt);
	/* At the marks, the bucket empty: no wait (it would hold the cgroup
	 * table's lock), no write; the node pass after it waits if it must. */
	req.wmark_deficit_bytes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(f->n_writes, 2);
	assert_true(res.quota_limited);
	assert_int_equal(res.quota_granted_bytes, 0);
	/* Half a second later, the 25 MiB there are (the exempt pass left no
	 * debt). */
	f->now += SEC / 2;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(f->n_writes, 3);
	assert_string_equal(f->writes[2].req, "26214400 swappiness=0");
	/* batch at its soft target: nothing planned, no write, and the
	 * quota not asked. */
	put_file(f, "sys/fs/cgroup/batch/memory.current", "943718400\n");
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 3);
	assert_false(res.quota_limited);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_quota_waits, 0);
	assert_int_equal(st.nr_quota_exempt, 1);
}

static void test_operator_cgroup(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = { .kind = SHRINK_CGROUP, .node = 0,
				      .cgroup = "/system.slice", .nr_to_reclaim = 10 * MiB,
				      .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	struct shrink_result res;

	start(f, NULL);
	/* Not a candidate (not a leaf), opened for the request. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/system.slice/memory.reclaim");
	assert_string_equal(f->writes[0].req, "10485760");
	assert_int_equal(res.nr_reclaimed, 10 * MiB);

	req.cgroup = "../../etc";
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EPERM);
	req.cgroup = "user.slice"; /* no memory controller */
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EOPNOTSUPP);
	req.cgroup = "nope";
	assert_int_equal(actuator_shrink(f->a, &req, &res), -ENOENT);
	req.cgroup = NULL;
	assert_int_equal(actuator_shrink(f->a, &req, &res), -EOPNOTSUPP);
	assert_int_equal(f->n_writes, 1);
}

/* StepSize=: a node's passes write at most the node's own step, offload
 * and an operator's cgroup reclaim the [Reclaim] one, both changed at
 * runtime (actuator_set_limits(), as `set` and a reload do). */
static void test_step_limits(void **state)
{
	struct fake *f = *state;
	struct shrink_request node = node_req(0, 20 * MiB, 0);
	struct shrink_request cgroup = { .kind = SHRINK_CGROUP, .node = 0,
					 .cgroup = "/system.slice", .nr_to_reclaim = 10 * MiB,
					 .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	struct actuator_limits l;
	struct shrink_result res;

	start_no_floors(f, NULL);
	assert_int_equal(actuator_get_limits(f->a, 0, &l), 0);
	assert_int_equal(l.step_bytes, ACTUATOR_STEP_BYTES_DEFAULT);
	assert_int_equal(l.cgroup_step_bytes, ACTUATOR_STEP_BYTES_DEFAULT);
	l.step_bytes = 8 * MiB;
	l.cgroup_step_bytes = 4 * MiB;
	assert_int_equal(actuator_set_limits(f->a, 0, &l), 0);
	assert_int_equal(actuator_get_limits(f->a, 1, &l), 0);
	assert_int_equal(l.step_bytes, ACTUATOR_STEP_BYTES_DEFAULT); /* node 1's own */
	assert_int_equal(l.cgroup_step_bytes, 4 * MiB);

	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(f->n_writes, 3);
	assert_string_equal(f->writes[0].path, "sys/devices/system/node/node0/reclaim");
	assert_string_equal(f->writes[0].req, "8388608 swappiness=0");
	assert_string_equal(f->writes[1].req, "8388608 swappiness=0");
	assert_string_equal(f->writes[2].req, "4194304 swappiness=0");

	assert_int_equal(actuator_shrink(f->a, &cgroup, &res), 0);
	assert_int_equal(f->n_writes, 6);
	assert_string_equal(f->writes[3].path, "sys/fs/cgroup/system.slice/memory.reclaim");
	assert_string_equal(f->writes[3].req, "4194304");
	assert_string_equal(f->writes[4].req, "4194304");
	assert_string_equal(f->writes[5].req, "2097152");
	assert_int_equal(res.nr_writes, 3);
}

/* actuator_stop(): no write begins after it, on any path; the pass ends
 * interrupted (what a node thread reads as "stop now"), not failed. */
static void test_stop_refuses_writes(void **state)
{
	struct fake *f = *state;
	struct shrink_request node = node_req(0, 8 * MiB, 0);
	struct shrink_request cgroup = { .kind = SHRINK_CGROUP, .node = 0,
					 .cgroup = "/system.slice", .nr_to_reclaim = 8 * MiB,
					 .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	struct shrink_result res;

	start_no_floors(f, NULL);
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(f->n_writes, 1);
	actuator_stop(f->a);
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_true(res.interrupted);
	assert_int_equal(res.nr_errors, 0);
	assert_int_equal(actuator_shrink(f->a, &cgroup, &res), 0);
	assert_true(res.interrupted);
	assert_int_equal(res.nr_writes, 0);
	assert_int_equal(f->n_writes, 1);
}

static const struct shrink_request batch_8m = {
	.kind = SHRINK_CGROUP, .node = 0, .cgroup = "/batch", .nr_to_reclaim = 8 * MiB,
	.swappiness = SWAPPINESS_KERNEL_DEFAULT,
};

/* outer, with inner made during outer's first write (write number
 * f->n_writes): the two writes land at outer_path then inner_path, and
 * each measures the 8 MiB it asked. */
static void shrink_overlapped(struct fake *f, const struct shrink_request *outer,
			      const struct shrink_request *inner, const char *outer_path,
			      const char *inner_path)
{
	unsigned first = f->n_writes;
	struct shrink_result res;

	f->nested = inner;
	f->nested_at = first;
	assert_int_equal(actuator_shrink(f->a, outer, &res), 0);
	assert_int_equal(f->n_writes, first + 2);
	assert_string_equal(f->writes[first].path, outer_path);
	assert_string_equal(f->writes[first + 1].path, inner_path);
	assert_int_equal(f->nested_res.nr_reclaimed, 8 * MiB);
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
}

/* Two threads' writes to one cgroup overlap (node threads spreading over
 * the same cgroup, offload beside them): each pgsteal delta holds the
 * other's pages. Node 1's 8 MiB request on batch comes in the middle of
 * node 0's 8 MiB write to it: the kernel reclaims 16 MiB in all, and the
 * two measure 8 MiB each, not 16 and 8 (before: 24 MiB counted). */
static void test_overlapping_cgroup_writes(void **state)
{
	struct fake *f = *state;
	struct shrink_request outer = batch_8m, inner = batch_8m;
	struct shrink_result res;
	uint64_t acct;

	inner.node = 1;
	start(f, NULL);
	shrink_overlapped(f, &outer, &inner, "sys/fs/cgroup/batch/memory.reclaim",
			  "sys/fs/cgroup/batch/memory.reclaim");
	cgroup_set_lock_shared(f->cgroups);
	acct = cgroup_set_find(f->cgroups, "batch")->acct.reclaimed_bytes;
	cgroup_set_unlock(f->cgroups);
	assert_int_equal(acct, 16 * MiB);

	/* Alone again, an overshoot is measured as it is. */
	f->steal_pages[2] = 12 * MiB / 4096;
	assert_int_equal(actuator_shrink(f->a, &outer, &res), 0);
	assert_int_equal(res.nr_reclaimed, 12 * MiB);
}

/* A node-file write is measured by /proc/vmstat's pgsteal_proactive, which
 * counts memory.reclaim writes too (6.18): one to batch from node 1 in the
 * middle of node 0's 8 MiB node-file write does not make it 16. And a
 * cgroup's pgsteal counts a node-file write's pages of it: a node-file
 * write in the middle of one to batch does not make that 16 either. */
static void test_overlapping_node_file_write(void **state)
{
	struct fake *f = *state;
	struct shrink_request node = node_req(0, 8 * MiB, 0), cg = batch_8m;

	cg.node = 1;
	start_no_floors(f, NULL);
	f->cgroup_writes_in_vmstat = true;
	shrink_overlapped(f, &node, &cg, "sys/devices/system/node/node0/reclaim",
			  "sys/fs/cgroup/batch/memory.reclaim");

	/* The other way round: a node-file write takes batch's pages on
	 * node 0 during node 1's write to batch. */
	f->node_file_cgroup = "sys/fs/cgroup/batch";
	shrink_overlapped(f, &cg, &node, "sys/fs/cgroup/batch/memory.reclaim",
			  "sys/devices/system/node/node0/reclaim");
}

/*
 * An operator's `reclaim cgroup` is refused while a node the cgroup has
 * memory on is paused: memory.reclaim cannot spare the node, and the
 * request names a cgroup, not its nodes. Nothing is written and the
 * paused nodes are said (the manager's error names them). batch has page
 * cache on nodes 0 and 1, b.service on node 0 alone.
 */
static void test_operator_cgroup_paused(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = { .kind = SHRINK_CGROUP, .node = 0, .cgroup = "batch",
				      .nr_to_reclaim = 10 * MiB,
				      .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	struct shrink_result res;

	start(f, NULL);
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 0);
	assert_int_equal(res.paused_nodes, UINT64_C(1) << 1);
	assert_int_equal(res.nr_requested, 0);
	/* A dry run is refused as a real run would be. */
	req.dry_run = true;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.paused_nodes, UINT64_C(1) << 1);
	assert_int_equal(res.nr_requested, 0);
	req.dry_run = false;
	/* The daemon paused: every node; only those batch has memory on. */
	actuator_set_paused_nodes(f->a, UINT64_MAX);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.paused_nodes, UINT64_C(3));
	assert_int_equal(f->n_writes, 0);

	/* Node 1 paused, b.service has nothing there: reclaimed. */
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	req.cgroup = "system.slice/b.service";
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.paused_nodes, 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path,
			    "sys/fs/cgroup/system.slice/b.service/memory.reclaim");
	/* Resumed: batch too. */
	actuator_set_paused_nodes(f->a, 0);
	req.cgroup = "batch";
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.paused_nodes, 0);
	assert_int_equal(f->n_writes, 2);
	assert_string_equal(f->writes[1].path, "sys/fs/cgroup/batch/memory.reclaim");
}

/* A write that only writes: no recording, no simulated counters. */
static ssize_t hook_write_plain(void *userdata, int fd, const char *buf, size_t n)
{
	return pwrite(fd, buf, n, 0);
}

/* hook_write_plain, but node0/reclaim (inode plain_node_file_ino) answers
 * EAGAIN: the node file falls short. */
static ino_t plain_node_file_ino;
static ssize_t hook_write_plain_node_short(void *userdata, int fd, const char *buf, size_t n)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	if (st.st_ino == plain_node_file_ino) {
		errno = EAGAIN;
		return -1;
	}
	return pwrite(fd, buf, n, 0);
}

/*
 * PF_MEMALLOC: once the actuator is set up, shrinking allocates nothing and
 * opens nothing, for the node file, the spread over cgroups, the spread
 * after the node file fell short and the soft-target pass alike (counted by
 * alloc-count.c through --wrap).
 */
static void test_shrink_allocates_nothing(void **state)
{
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .soft_target_bytes = 1 } },
	};
	struct fake *f = *state;
	struct actuator_config cfg = { .write = hook_write_plain };
	struct shrink_request node0 = node_req(0, 8 * MiB, 0);
	struct shrink_request node1 = node_req(1, 8 * MiB, 0);
	struct shrink_request soft = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	soft.kind = SHRINK_SOFT_TARGET;
	/* No policy: node 0's passes go to node0/reclaim. */
	start_no_floors(f, &cfg);
	alloc_count_start();
	for (int i = 0; i < 20; i++) {
		assert_int_equal(actuator_shrink(f->a, &node0, &res), 0);
		assert_int_equal(res.nr_writes, 1); /* node0/reclaim */
		assert_int_equal(actuator_shrink(f->a, &node1, &res), 0);
		assert_true(res.nr_writes >= 1); /* spread over cgroups */
	}
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);

	/* node0/reclaim answers EAGAIN: the rest of each pass is spread. */
	{
		char path[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/sys/devices/system/node/node0/reclaim", f->dir);
		assert_int_equal(stat(path, &st), 0);
		plain_node_file_ino = st.st_ino;
	}
	f->a = actuator_free(f->a);
	f->cgroups = cgroup_set_free(f->cgroups);
	cfg.write = hook_write_plain_node_short;
	start(f, &cfg);
	alloc_count_start();
	for (int i = 0; i < 20; i++) {
		assert_int_equal(actuator_shrink(f->a, &node0, &res), 0);
		assert_true(res.node_file_short);
		assert_true(res.nr_writes >= 2); /* node0/reclaim, then cgroups */
	}
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	cfg.write = hook_write_plain;

	/* SoftTarget= on batch: the soft pass, and node 0 spread too. */
	f->a = actuator_free(f->a);
	f->cgroups = cgroup_set_free(f->cgroups);
	start_rules(f, &cfg, rules, 1);
	alloc_count_start();
	for (int i = 0; i < 20; i++) {
		assert_int_equal(actuator_shrink(f->a, &node0, &res), 0);
		assert_true(res.nr_writes >= 1); /* spread: a policy covers node 0 */
		assert_int_equal(actuator_shrink(f->a, &soft, &res), 0);
		assert_true(res.nr_writes >= 1); /* batch is above its soft target */
	}
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
}

static unsigned offload_events;
static void offload_seen(void *userdata, const struct actuator_offload_change *c)
{
	assert_string_equal(c->path, "batch");
	assert_int_equal(c->to, offload_events == 0 ? OFFLOAD_BACKOFF : OFFLOAD_PROBING);
	offload_events++;
}

static unsigned offload_backoffs;
static void offload_seen_backoff(void *userdata, const struct actuator_offload_change *c)
{
	offload_backoffs += c->to == OFFLOAD_BACKOFF;
}

/* Offload=yes on batch (1 GiB of page cache) and on a protected
 * a.service: SHRINK_OFFLOAD takes 1% of batch per interval and nothing from
 * a.service; batch in backoff is left alone by the node's passes. */
static void test_offload(void **state)
{
	struct fake *f = *state;
	static const struct offload_params op = {
		.interval_usec = 6 * SEC, .target_usec = 6000, .max_step_permyriad = 100,
		.page_bytes = 4096,
	};
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .offload = true, .offload_params = op } },
		{ .path = "system.slice/a.service",
		  .policy = { .offload = true, .offload_params = op, .protect = true } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request node = node_req(1, 153 * MiB, 0);
	struct shrink_result res;
	struct actuator_cgroup_info *info;
	struct actuator_node_stats st;
	uint64_t shrinks;
	size_t n;

	start_rules(f, &cfg, rules, ELEMENTSOF(rules));
	offload_events = 0;

	/* The first judgement only samples. */
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 0);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "10737418 swappiness=0"); /* 1% of 1 GiB */
	assert_int_equal(res.nr_reclaimed, 10737418 / 4096 * 4096);
	/* Not due again within the interval: not even a shrink counted. */
	f->now += 3 * SEC;
	assert_int_equal(actuator_cgroup_wide_stats(f->a, &st), 0);
	shrinks = st.nr_shrinks;
	assert_int_equal(shrinks, 2); /* the two judged passes */
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_int_equal(actuator_cgroup_wide_stats(f->a, &st), 0);
	assert_int_equal(st.nr_shrinks, shrinks);
	/* A node pass (node 1, no node file) takes from batch alone:
	 * a.service is protected, b.service at its floor ("max"). */
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(f->n_writes, 2);
	assert_string_equal(f->writes[1].path, "sys/fs/cgroup/batch/memory.reclaim");

	/* 6 ms of stall over the interval: the target, so backoff. */
	put_pressure(f, "sys/fs/cgroup/batch/memory.pressure", 6000, 0);
	f->now += 3 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 2);
	actuator_sample_offload(f->a, offload_seen, NULL);
	assert_int_equal(offload_events, 1);
	/* In backoff, the node's pass leaves batch alone too. */
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(f->n_writes, 2);

	assert_int_equal(actuator_cgroups(f->a, &info, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(info[i].path, "batch")) {
			assert_int_equal(info[i].offload.kind, OFFLOAD_BACKOFF);
			assert_int_equal(info[i].offload_requested_bytes, 10737418);
			assert_int_equal(info[i].offload.nr_backoffs, 1);
		}
	free(info);

	/* Three quiet intervals of hold, then it probes again: an eighth of
	 * the step, of which the kernel takes 4 MiB. */
	for (int i = 0; i < 3; i++) {
		f->now += 6 * SEC;
		assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
		assert_int_equal(f->n_writes, 2);
	}
	f->now += 6 * SEC;
	f->steal_pages[2] = 4 * MiB / 4096;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 3);
	assert_string_equal(f->writes[2].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[2].req, "1342177 swappiness=0");
	actuator_sample_offload(f->a, offload_seen, NULL);
	assert_int_equal(offload_events, 2);
	/* The 2852127 bytes taken beyond the ask come off the next step at a
	 * whole step's rate, and the ramp goes on from what is left: a
	 * quarter of 7885291; then half a step. */
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 4);
	assert_string_equal(f->writes[3].req, "1971322 swappiness=0");
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 5);
	assert_string_equal(f->writes[4].req, "5368709 swappiness=0");
}

static enum offload_state_kind offload_last_to;
static uint64_t offload_last_paused_nodes;
static void offload_record(void *userdata, const struct actuator_offload_change *c)
{
	assert_string_equal(c->path, "batch");
	offload_last_to = c->to;
	offload_last_paused_nodes = c->state->paused_nodes;
	offload_events++;
}

static const struct offload_params test_offload_params = {
	.interval_usec = 6 * SEC, .target_usec = 6000, .max_step_permyriad = 100,
	.page_bytes = 4096,
};
static const struct cgroup_rule offload_batch_rule[] = {
	{ .path = "batch", .policy = { .offload = true, .offload_params = test_offload_params } },
};

/* batch with Offload=yes, at 8 MiB/s where rated (else unlimited). */
static void start_offload_batch_rated(struct fake *f, bool rated)
{
	struct actuator_config cfg = { .step_bytes = 256 * MiB,
				       .rate_bytes_per_sec = rated ? 8 * MiB : 0 };

	start_rules(f, &cfg, offload_batch_rule, ELEMENTSOF(offload_batch_rule));
}

static void start_offload_batch(struct fake *f)
{
	start_offload_batch_rated(f, false);
}

/* Issue 18: [Node N] Paused= and `reclaimctl pause` reach offload. batch
 * has page cache on nodes 0 and 1: with node 1 paused its offload pauses
 * (memory.reclaim cannot spare node 1), shown and reported as "paused";
 * once it has nothing on node 1 it is trimmed again; with every node
 * paused (the daemon's pause) nothing is written. */
static void test_offload_paused(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_result res;
	struct actuator_cgroup_info *info;
	size_t n;

	start_offload_batch(f);
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	offload_events = 0;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	for (int i = 0; i < 3; i++) {
		f->now += 6 * SEC;
		assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
		assert_int_equal(f->n_writes, 0);
	}
	actuator_sample_offload(f->a, offload_record, NULL);
	assert_int_equal(offload_events, 1);
	assert_int_equal(offload_last_to, OFFLOAD_PAUSED);
	assert_int_equal(offload_last_paused_nodes, UINT64_C(1) << 1);
	assert_int_equal(actuator_cgroups(f->a, &info, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(info[i].path, "batch"))
			assert_int_equal(offload_shown_kind(&info[i].offload), OFFLOAD_PAUSED);
	free(info);

	/* All of it on node 0 now: node 1's pause does not hold it. */
	put_file(f, "sys/fs/cgroup/batch/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=1073741824 N1=0\n");
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	actuator_sample_offload(f->a, offload_record, NULL);
	assert_int_equal(offload_events, 2);
	assert_int_equal(offload_last_to, OFFLOAD_PROBING);

	/* The daemon paused: every node. */
	actuator_set_paused_nodes(f->a, UINT64_C(3));
	for (int i = 0; i < 3; i++) {
		f->now += 6 * SEC;
		assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
		assert_int_equal(f->n_writes, 1);
	}
	/* Resumed: trimmed at the next interval. */
	actuator_set_paused_nodes(f->a, 0);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 2);
}

/* Offload shrink of batch, counting the preads of its memory.numa_stat. */
static unsigned offload_numa_preads(struct fake *f, struct shrink_request *off,
				    struct shrink_result *res)
{
	struct cgroup_candidate *cg = cgroup_set_find(f->cgroups, "batch");

	assert_non_null(cg);
	alloc_count_watch_fd(cg->fd[CGROUP_FILE_NUMA_STAT]);
	alloc_count_start();
	assert_int_equal(actuator_shrink(f->a, off, res), 0);
	alloc_count_stop();
	alloc_count_watch_fd(-1);
	return alloc_count_fd_preads();
}

/* Issue 18, the cost of a judgement at 100 cgroups: memory.numa_stat (a
 * memcg stat flush in the kernel) is read only where its node split is
 * used: before a step that writes (attribute_nodes() spreads the reclaim by
 * it) and while a node is paused (offload's rule). A judgement that writes
 * nothing does not read it. Before, every judgement read it. */
static void test_offload_numa_stat_when_used(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_result res;

	start_offload_batch(f);
	/* The first judgement only samples: no step, no numa_stat. */
	assert_int_equal(offload_numa_preads(f, &off, &res), 0);
	assert_int_equal(f->n_writes, 0);
	/* A step: read before the write, its reclaim spread over the nodes
	 * (batch's fixture cache is on nodes 0 and 1). */
	f->now += 6 * SEC;
	f->steal_pages[0] = 1000;
	assert_true(offload_numa_preads(f, &off, &res) > 0);
	assert_int_equal(f->n_writes, 1);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 500 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 1), 500 * 4096);
	/* At the target: backoff, no step, no numa_stat. */
	put_pressure(f, "sys/fs/cgroup/batch/memory.pressure", 6000, 0);
	f->now += 6 * SEC;
	assert_int_equal(offload_numa_preads(f, &off, &res), 0);
	assert_int_equal(f->n_writes, 1);
	/* A node paused: read, for the pause rule. */
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	f->now += 6 * SEC;
	assert_true(offload_numa_preads(f, &off, &res) > 0);
	assert_int_equal(f->n_writes, 1);
}

static enum offload_state_kind batch_shown(struct fake *f)
{
	struct actuator_cgroup_info *info;
	enum offload_state_kind k = _OFFLOAD_STATE_MAX;
	size_t n;

	assert_int_equal(actuator_cgroups(f->a, &info, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(info[i].path, "batch"))
			k = offload_shown_kind(&info[i].offload);
	free(info);
	return k;
}

static unsigned batch_writes(const struct fake *f)
{
	unsigned k = 0;

	for (unsigned i = 0; i < f->n_writes; i++)
		k += streq(f->writes[i].path, "sys/fs/cgroup/batch/memory.reclaim");
	return k;
}

/* A pause that comes while an offload pass is under way holds before its
 * next write, and the shown state follows pause and resume between
 * judgements (a review found the pass read the paused nodes once, at its
 * start, writing on through its quota waits, and the state shown stale
 * for up to an OffloadInterval=). */
static void test_offload_pause_mid_pass(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request op = { .kind = SHRINK_CGROUP, .node = 0, .cgroup = "batch",
				     .nr_to_reclaim = 16 * MiB, .priority = 12 };
	struct shrink_result res;
	unsigned before;

	start_offload_batch_rated(f, true);
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	f->now += 6 * SEC;
	/* An operator's cgroup reclaim empties the cgroup-wide quota, which
	 * offload shares: offload's step must wait for it, and the daemon
	 * pauses during that wait. */
	assert_int_equal(actuator_shrink(f->a, &op, &res), 0);
	before = batch_writes(f); /* the operator's own */
	slept_usec = 0;
	pause_in_sleep = f->a;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	pause_in_sleep = NULL;
	assert_true(slept_usec > 0);
	assert_int_equal(batch_writes(f), before);
	assert_int_equal(batch_shown(f), OFFLOAD_PAUSED);

	/* Resumed between judgements: no longer shown paused at the next
	 * tick, a second later. */
	actuator_set_paused_nodes(f->a, 0);
	f->now += SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(batch_shown(f), OFFLOAD_PROBING);
	/* Paused between judgements: shown paused at the next tick. */
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	f->now += SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(batch_shown(f), OFFLOAD_PAUSED);
	assert_int_equal(batch_writes(f), before);
}

/* Offload runs on a context of its own: a node pass that empties its
 * node's quota does not hold up offload's step, nor does offload's step,
 * or an operator's cgroup reclaim, empty a node's (they shared node 0's
 * quota, scratch and lock: an offload pass over many cgroups held up the
 * node's watermark passes for its whole length). Both have RateLimit=. */
static void test_offload_own_context(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request op = { .kind = SHRINK_CGROUP, .node = 0, .cgroup = "batch",
				     .nr_to_reclaim = 8 * MiB, .priority = 12 };
	struct shrink_request node = node_req(0, 8 * MiB, 0);
	struct actuator_node_stats st, cw;
	struct actuator_limits l;
	struct shrink_result res;
	unsigned before;

	start_offload_batch_rated(f, true);
	assert_int_equal(actuator_get_limits(f->a, 0, &l), 0);
	assert_int_equal(l.cgroup_rate_bytes_per_sec, 8 * MiB);
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	f->now += 6 * SEC;
	/* Node 0's pass empties node 0's quota; offload's step goes at once. */
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	before = batch_writes(f);
	slept_usec = 0;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_true(batch_writes(f) > before);
	assert_true(res.nr_requested > 0);
	/* The other way: an operator's cgroup reclaim empties the cgroup-wide
	 * quota, and node 0's next pass, a second later, does not wait. */
	assert_int_equal(actuator_shrink(f->a, &op, &res), 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	f->now += SEC;
	slept_usec = 0;
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(slept_usec, 0);
	assert_int_equal(res.nr_requested, 8 * MiB);
	/* Counted apart: node 0 has its two passes; the cgroup-wide context
	 * offload's passes and the operator's. */
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_shrinks, 2);
	assert_int_equal(st.requested_bytes, 16 * MiB);
	assert_int_equal(actuator_cgroup_wide_stats(f->a, &cw), 0);
	assert_true(cw.requested_bytes > 8 * MiB);
	/* A later RateLimit= reaches the cgroup-wide quota too: the next
	 * offload step (1% of batch's 1 GiB) gets a bucket of 4 MiB, where
	 * the old one would be full again at 8 MiB. */
	l.cgroup_rate_bytes_per_sec = 4 * MiB;
	assert_int_equal(actuator_set_limits(f->a, 0, &l), 0);
	assert_int_equal(actuator_get_limits(f->a, 1, &l), 0);
	assert_int_equal(l.cgroup_rate_bytes_per_sec, 4 * MiB);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(res.nr_requested, 4 * MiB);
	assert_true(res.quota_limited);
}

static struct actuator_offload_write offload_write_seen;
static unsigned offload_writes_seen;
static void offload_write_record(void *userdata, const struct actuator_offload_write *w)
{
	offload_write_seen = *w;
	offload_writes_seen++;
}

/* Issue 18: each offload step's write is kept for the loop's watch event
 * (a `write` with target "offload"): the cgroup, bytes asked and
 * reclaimed, swappiness; reported once. */
static void test_offload_writes_reported(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_result res;

	start_offload_batch(f);
	offload_writes_seen = 0;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	actuator_report_offload_writes(f->a, offload_write_record, NULL);
	assert_int_equal(offload_writes_seen, 0);
	f->now += 6 * SEC;
	f->steal_pages[0] = 1000;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(f->n_writes, 1);
	actuator_report_offload_writes(f->a, offload_write_record, NULL);
	assert_int_equal(offload_writes_seen, 1);
	assert_string_equal(offload_write_seen.path, "batch");
	assert_int_equal(offload_write_seen.writes.nr_steps, 1);
	assert_int_equal(offload_write_seen.writes.requested_bytes, 10737418);
	assert_int_equal(offload_write_seen.writes.reclaimed_bytes, 1000 * 4096);
	assert_int_equal(offload_write_seen.writes.swappiness, 0);
	assert_false(offload_write_seen.writes.partial);
	assert_false(offload_write_seen.writes.dry_run);
	assert_int_equal(offload_write_seen.writes.error, 0);
	assert_int_equal(offload_write_seen.writes.last_usec, f->now);
	/* Reported once. */
	actuator_report_offload_writes(f->a, offload_write_record, NULL);
	assert_int_equal(offload_writes_seen, 1);
}

/* Issue 18: what offload reclaimed counts for the nodes' pacing, spread by
 * the cgroup's node-local pages: batch has 512 MiB of page cache on each
 * node, so each node is credited half of the 1000 pages measured. */
static void test_offload_reclaimed_per_node(void **state)
{
	struct fake *f = *state;
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request op_req = { .kind = SHRINK_CGROUP, .nr_to_reclaim = 8 * MiB,
					 .swappiness = SWAPPINESS_KERNEL_DEFAULT, .priority = 12 };
	struct shrink_result res;

	start_offload_batch(f);
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 0);
	f->now += 6 * SEC;
	f->steal_pages[0] = 1000;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(res.nr_reclaimed, 1000 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 500 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 1), 500 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 5), 0); /* no such node */
	/* An operator's cgroup reclaim is the nodes' too: it read as memory
	 * coming back and shrank the lead of a node being consumed. */
	op_req.cgroup = "batch";
	f->steal_pages[1] = 3000;
	assert_int_equal(actuator_shrink(f->a, &op_req, &res), 0);
	assert_int_equal(res.nr_reclaimed, 3000 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 2000 * 4096);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 1), 2000 * 4096);
}

/*
 * A node pass over memory.reclaim takes from every node of the cgroup: a
 * node-1 pass to batch (512 MiB of page cache on each node) took half of
 * its pages from node 0. That half is node 0's as reclaim by others (its
 * pacing sees the memory come back) and the pass's run is told it came
 * from elsewhere (nr_reclaimed_elsewhere), not from node 1.
 */
static void test_node_pass_reclaimed_elsewhere(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_result res;

	/* batch alone on node 1. */
	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=0\n");
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
	assert_int_equal(res.nr_reclaimed_elsewhere, 4 * MiB);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 4 * MiB);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 1), 0);
}

/*
 * The anon share of a node pass's attribution follows what the write could
 * take: batch holds 300 MiB of anon on node 0 and 100 MiB of page cache
 * on node 1. Without swap a write at the kernel's swappiness takes page
 * cache only, all node 1's: nothing elsewhere. With swap its anon counts,
 * three quarters of it on node 0.
 */
static void test_node_pass_elsewhere_anon(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 8 * MiB, SWAPPINESS_KERNEL_DEFAULT);
	struct shrink_result res;

	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=0\n");
	put_file(f, "sys/fs/cgroup/batch/memory.numa_stat",
		 "anon N0=314572800 N1=0\nfile N0=0 N1=104857600\n");
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
	assert_int_equal(res.nr_reclaimed_elsewhere, 0);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 0);

	actuator_free(f->a);
	f->a = NULL;
	cgroup_set_free(f->cgroups);
	f->cgroups = NULL;
	cfg.features.swap = true;
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_reclaimed, 8 * MiB);
	assert_int_equal(res.nr_reclaimed_elsewhere, 6 * MiB);
	assert_int_equal(actuator_cgroup_wide_reclaimed(f->a, 0), 6 * MiB);
}

/* The request written to path among writes [from, f->n_writes), or NULL. */
static const char *written_to(const struct fake *f, unsigned from, const char *path)
{
	for (unsigned i = from; i < f->n_writes; i++)
		if (streq(f->writes[i].path, path))
			return f->writes[i].req;
	return NULL;
}

/* One node-0 pass of 120 MiB (file only); the requests written to
 * a.service and batch, which must be the only ones. */
static void slack_node_pass(struct fake *f, const char *want_a, const char *want_batch)
{
	struct shrink_request node = node_req(0, 120 * MiB, 0);
	struct shrink_result res;
	unsigned w = f->n_writes;

	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(f->n_writes, w + 2);
	assert_non_null(written_to(f, w, "sys/fs/cgroup/system.slice/a.service/memory.reclaim"));
	assert_string_equal(written_to(f, w, "sys/fs/cgroup/system.slice/a.service/memory.reclaim"),
			    want_a);
	assert_non_null(written_to(f, w, "sys/fs/cgroup/batch/memory.reclaim"));
	assert_string_equal(written_to(f, w, "sys/fs/cgroup/batch/memory.reclaim"), want_batch);
}

/*
 * Issue 18: where a policy already spreads a node pass over memory.reclaim
 * (here Weight=200 on a.service), an Offload=yes cgroup far below its
 * stall target gives more, by its slack: weight x (1 + slack), at most 2x.
 * Node 0, no floors; a.service 300 MiB of page cache there, batch set to
 * 300 MiB too, b.service none. 120 MiB a pass:
 *   batch not judged yet (1x): a.service 200 : batch 100 -> 80 / 40 MiB
 *   no stall (2x):             200 : 200               -> 60 / 60 MiB
 *   a quarter of the target (1.75x): 200 : 175         -> 64 / 56 MiB
 * and in backoff batch is skipped, as before.
 */
static void test_offload_slack_spread(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch",
		  .policy = { .offload = true, .offload_params = test_offload_params } },
		{ .path = "system.slice/a.service", .policy = { .weight = 200 } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request node = node_req(0, 120 * MiB, 0);
	struct shrink_result res;
	unsigned w;

	put_file(f, "sys/fs/cgroup/batch/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=314572800 N1=536870912\n");
	put_file(f, "sys/fs/cgroup/system.slice/b.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=0\n");
	start_no_floors_rules(f, &cfg, rules, ELEMENTSOF(rules));

	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	assert_int_equal(f->n_writes, 0);
	slack_node_pass(f, "83886080 swappiness=0", "41943040 swappiness=0");

	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_string_equal(written_to(f, f->n_writes - 1, "sys/fs/cgroup/batch/memory.reclaim"),
			    "10737418 swappiness=0"); /* 1% of 1 GiB */
	slack_node_pass(f, "62914560 swappiness=0", "62914560 swappiness=0");

	/* 1.5 ms of stall in 6 s: a quarter of the 6 ms target. */
	put_pressure(f, "sys/fs/cgroup/batch/memory.pressure", 1500, 0);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_string_equal(written_to(f, f->n_writes - 1, "sys/fs/cgroup/batch/memory.reclaim"),
			    "8053063 swappiness=0"); /* three quarters of a step */
	slack_node_pass(f, "67108864 swappiness=0", "58720256 swappiness=0");

	/* At the target: backoff, and the node's pass leaves batch alone. */
	put_pressure(f, "sys/fs/cgroup/batch/memory.pressure", 1500 + 6000, 0);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(f->n_writes, w + 1);
	assert_string_equal(f->writes[w].path, "sys/fs/cgroup/system.slice/a.service/memory.reclaim");
	assert_string_equal(f->writes[w].req, "125829120 swappiness=0");
}

/* Issue 18, and the review of 85528fc: the slack is not a policy. With
 * Offload=yes on batch judged at no stall (full slack) and no other policy
 * on node 0, a node pass still goes to the node-bound node0/reclaim, not to
 * memory.reclaim (which would also take from node 1, paused or not). */
static void test_offload_slack_keeps_node_file(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request node = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_cgroup_info *info = NULL;
	struct actuator_node_stats st;
	size_t n = 0;
	unsigned w;

	start_no_floors_rules(f, &cfg, offload_batch_rule, ELEMENTSOF(offload_batch_rule));
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* first sample */
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	assert_int_equal(actuator_cgroups(f->a, &info, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (streq(info[i].path, "batch"))
			assert_int_equal(offload_slack_permyriad(&info[i].offload,
								 &test_offload_params),
					 OFFLOAD_SLACK_PERMYRIAD_MAX);
	free(info);

	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(f->n_writes, w + 1);
	assert_string_equal(f->writes[w].path, "sys/devices/system/node/node0/reclaim");
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_cgroup_spread, 0);

	/* At its stall target batch backs off: a guarantee, known without a
	 * read, so the next pass spreads and spares batch even while the
	 * system's some total stands still (no guard read would see it). */
	put_pressure(f, "sys/fs/cgroup/batch/memory.pressure", 6000, 0);
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	w = f->n_writes;
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &node, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_true(f->n_writes > w);
	for (unsigned i = w; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		assert_null(strstr(f->writes[i].path, "batch"));
	}
}

/* Ten node passes 50 ms apart (no census due), each of them writing, with
 * no allocation, no file opened and at most 60 preads (what: the table). */
static void passes_between_censuses(struct fake *f, const struct shrink_request *req,
				    const char *what, struct shrink_result *res)
{
	for (int i = 0; i < 10; i++) {
		unsigned preads;

		f->now += 50000;
		alloc_count_start();
		assert_int_equal(actuator_shrink(f->a, req, res), 0);
		alloc_count_stop();
		preads = alloc_count_preads();
		if (preads > 60)
			fail_msg("pass %d: %u preads with %s", i, preads, what);
		assert_true(res->nr_writes >= 1);
		assert_int_equal(alloc_count_allocs(), 0);
		assert_int_equal(alloc_count_opens(), 0);
	}
}

/*
 * Issue 14: with 200 idle cgroups beside the fixture's three, a node pass
 * between censuses reads the candidates that can give memory on the node
 * or carry a policy (a.service and batch hold memory on node 1; b.service
 * holds none there, and its memory.min/low are the kernel's, not a policy
 * of reclaimd's), not the 200: about 30 preads a pass instead of over
 * 2000 (203 candidates x five files x two preads). Every candidate is read
 * again once the census interval has passed.
 */
static void test_idle_cgroups_skipped(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .write = hook_write_plain };
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 200);
	start(f, &cfg);
	/* The first pass is a census. */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_cgroup_reads, 203);
	passes_between_censuses(f, &req, "200 idle cgroups", &res);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_cgroup_reads, 203 + 10 * 2);
	assert_int_equal(st.nr_guard_reads, 0); /* node 1 has no node file */
	/* A second later: a census again. */
	f->now += CENSUS_INTERVAL_USEC_DEFAULT;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 2);
	assert_int_equal(st.nr_cgroup_reads, 2 * 203 + 10 * 2);
}

/*
 * The node file takes from every cgroup on the node: before it serves a
 * pass, every candidate's memory.pressure is read (no preference anywhere:
 * a brake is the one guarantee that can have appeared), unless no task has
 * stalled since every candidate was last read. An idle cgroup whose
 * pressure brake engages after the census sends the pass to memory.reclaim
 * at once, as when every candidate was read on every pass. memory.min
 * alone does not: the kernel keeps it in node reclaim.
 */
static void test_guard_before_node_file(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .cgroup_brake = GUARD_TEST_BRAKE };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 2);
	start_no_floors(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_censuses, 1);
	/* No census due, no stall anywhere since it: the node file, with
	 * no guard read (guard_calm()). */
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 2);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_guard_reads, 0);
	assert_int_equal(st.nr_guards_calm, 1);
	/* Some task stalled: the five cgroups' memory.pressure is read
	 * (no brake), none in full, then the node file. */
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 3);
	assert_int_equal(st.nr_guard_reads, 5);
	assert_int_equal(st.nr_cgroup_reads, 5); /* the census's */
	assert_int_equal(st.nr_guards_calm, 1);
	/* idle/cg1 gets memory.min, no stall since the guard: still the
	 * node file, no read. */
	put_file(f, "sys/fs/cgroup/idle/cg1/memory.min", "1048576\n");
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 4);
	assert_int_equal(st.nr_guard_reads, 5);
	assert_int_equal(st.nr_guards_calm, 2);
	/* Now it stalls, the system with it, and its pressure brake
	 * engages: the guard sees it, the pass is spread and spares it. */
	put_pressure(f, "sys/fs/cgroup/idle/cg1/memory.pressure", 3234567, 0);
	put_pressure(f, "proc/pressure/memory", 1000 + 3234567, 0);
	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_node_file, 4);
	assert_int_equal(st.nr_cgroup_spread, 1);
	assert_int_equal(st.nr_guard_reads, 10);
	assert_true(f->n_writes >= 1);
	for (unsigned i = 0; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		assert_null(strstr(f->writes[i].path, "idle/"));
	}
	/* No stall since: the engaged brake is known without a read, and
	 * keeps the pass spread on a calm system too. */
	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 4);
	assert_int_equal(st.nr_cgroup_spread, 2);
	assert_true(f->n_writes >= 1);
	for (unsigned i = 0; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		assert_null(strstr(f->writes[i].path, "idle/"));
	}
}

/* A preference on a cgroup with no memory on the node (Weight= on an idle
 * one) is no policy there, so the node file serves, but the pass reads the
 * hot candidates and that one in full (a preference counts where its
 * cgroup has memory, which takes numa_stat), and guards the skipped one:
 * nothing while no task has stalled since all were read, its
 * memory.pressure when some have. */
static const struct cgroup_rule idle_weight_rule[] = {
	{ .path = "idle/cg0", .policy = { .weight = 200 } },
};

/* Two idle cgroups beside the fixture's three, no floors, rules; two
 * node-0 passes 50 ms apart, the first a census. */
static void preference_passes(struct fake *f, const struct cgroup_rule *rules, size_t n_rules,
			      struct shrink_result *res, struct actuator_node_stats *st)
{
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .cgroup_brake = GUARD_TEST_BRAKE };
	struct shrink_request req = node_req(0, 8 * MiB, 0);

	add_idle(f, 2);
	start_no_floors_rules(f, &cfg, rules, n_rules);
	assert_int_equal(actuator_shrink(f->a, &req, res), 0); /* the census */
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &req, res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, st), 0);
}

static void test_preference_elsewhere_guards(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	preference_passes(f, idle_weight_rule, ELEMENTSOF(idle_weight_rule), &res, &st);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(st.nr_guaranteed_only, 0);
	assert_int_equal(st.nr_cgroup_reads, 5 + 4);
	assert_int_equal(st.nr_guard_reads, 0);
	assert_int_equal(st.nr_guards_calm, 1);
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 50000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 5 + 2 * 4);
	assert_int_equal(st.nr_guard_reads, 1);
	assert_int_equal(st.nr_guards_calm, 1);
}

/*
 * Issue 14: with no Weight= or SoftTarget= anywhere, a node-file pass is
 * decided by guarantees alone and reads no candidate in full: between the
 * census of a new table and the next rescan, nothing while no task has
 * stalled, only memory.pressure while some have. Before, each pass read
 * the cgroups holding memory on the node in full (five files, a memcg stat
 * flush for numa_stat), and every candidate once a second. A preference
 * brings the reads back: it counts only where its cgroup has memory on the
 * node.
 */
static void test_node_file_guaranteed_only(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .write = hook_write_plain };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	unsigned preads;

	add_idle(f, 200);
	start_no_floors(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 203);
	/* 20 passes over two seconds: the census interval passes too. */
	for (int i = 0; i < 20; i++) {
		f->now += 100000;
		alloc_count_start();
		assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
		alloc_count_stop();
		preads = alloc_count_preads();
		/* /proc/pressure/memory and the node file's measure. */
		if (preads > 6)
			fail_msg("pass %d: %u preads", i, preads);
		assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
		assert_int_equal(alloc_count_allocs(), 0);
		assert_int_equal(alloc_count_opens(), 0);
	}
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 203);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_guard_reads, 0);
	assert_int_equal(st.nr_guaranteed_only, 20);
	assert_int_equal(st.nr_node_file, 21);
	/* A stall: every candidate's memory.pressure, nothing else. */
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 100000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 203);
	assert_int_equal(st.nr_guard_reads, 203);
	assert_int_equal(st.nr_guaranteed_only, 21);
	/* A new table (a rescan): read whole once, then not again. */
	assert_int_equal(actuator_rescan(f->a, /* wait= */ false), 203);
	f->now += 100000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	f->now += 100000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_censuses, 2);
	assert_int_equal(st.nr_cgroup_reads, 2 * 203);
	assert_int_equal(st.nr_guaranteed_only, 22);
}

/* Issue 14: while the system stalls, a node-file pass's guard takes a
 * candidate's memory.pressure read younger than a twentieth of the brake's
 * window (the daemon's defaults: 2 s, 100 ms) as it stands (the next pass
 * of a run), and reads it again once older; a brake engages up to that
 * much later. The guard that took reads as they stood leaves the calm
 * baseline where it was: the next pass reads the system's stall since
 * them. Before, every pass read all 203 while the system stalled. */
static void test_guard_fresh_read(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = GUARD_DAEMON_CFG;
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 200);
	start_no_floors(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	/* A stall: the guard reads every candidate's memory.pressure. */
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 200 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 203);
	/* Stalling on: the next pass, 50 ms later, takes those. */
	put_pressure(f, "proc/pressure/memory", 2000, 0);
	f->now += 50 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 203);
	/* The stall stops. The baseline is from before the first guard, so
	 * the next pass is not calm, and a second on none is fresh. */
	f->now += SEC;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 2 * 203);
	/* Now calm: nothing read. */
	f->now += SEC;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 2 * 203);
	/* The system stalls again: read. Just after, a.service thrashes: the
	 * pass 50 ms later takes the read from before as it stands (the
	 * brake engages up to a twentieth of the window late), the one
	 * 150 ms later reads it, and its brake keeps the node file out. */
	put_pressure(f, "proc/pressure/memory", 3000, 0);
	f->now += SEC;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 3 * 203);
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 9234567, 0);
	put_pressure(f, "proc/pressure/memory", 9000000, 0);
	f->now += 50 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	assert_int_equal(res.nr_skipped, 0);
	f->now += 100 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 4 * 203);
}

/* A read a guard takes as it stands is judged as at its time. Judged at
 * the pass's time, the brake's window would restart there with the read's
 * older total, and the stall between the two would count in the next
 * window: here 210 ms counted in a window of 200 ms, a brake on (limit
 * 200 ms a 2 s window) where the stall was 210 ms in 2.2 s. */
static void test_guard_fresh_judged_at_read(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = GUARD_DAEMON_CFG;
	const char *pressure = "sys/fs/cgroup/system.slice/a.service/memory.pressure";
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;

	add_idle(f, 2);
	put_pressure(f, pressure, 1000000, 0);
	start_no_floors(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census: the window starts */
	/* Others stall; a.service not yet. */
	put_pressure(f, "proc/pressure/memory", 1000, 0);
	f->now += 1950 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	put_pressure(f, "proc/pressure/memory", 2000, 0);
	f->now += 50 * 1000; /* that read taken as it stands */
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
	/* a.service stalls 210 ms in the next 250 ms. */
	put_pressure(f, pressure, 1210000, 0);
	put_pressure(f, "proc/pressure/memory", 300000, 0);
	f->now += 200 * 1000;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.nr_skipped, 0);
	assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
}

/* A Weight= counts where its cgroup has memory on the node: the pass reads
 * the cgroups holding memory there, as before. */
static void test_node_file_preference_reads(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "system.slice/b.service", .policy = { .weight = 200 } },
	};
	struct shrink_result res;
	struct actuator_node_stats st;

	preference_passes(f, rules, ELEMENTSOF(rules), &res, &st);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(st.nr_guaranteed_only, 0);
	assert_true(st.nr_cgroup_reads > 5);
}

/*
 * A skipped cgroup counts once a pass (reclaimd_actuator_skipped_total):
 * read first as a guard row, braked there (which moves the pass off the
 * node file), then read again by the short pass's census, it used to be
 * counted twice. (The Weight= on idle/cg0 makes the pass read the hot
 * candidates and guard the skipped ones, not decide by guarantees alone.)
 */
static void test_skip_counted_once(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .cgroup_brake = GUARD_TEST_BRAKE };
	struct shrink_request small = node_req(0, 8 * MiB, 0);
	struct shrink_request big = node_req(0, 4096 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 2);
	start_no_floors_rules(f, &cfg, idle_weight_rule, ELEMENTSOF(idle_weight_rule));
	assert_int_equal(actuator_shrink(f->a, &small, &res), 0); /* the census */
	f->now += 150000; /* a short pass's census is due, a full one is not */
	put_pressure(f, "sys/fs/cgroup/idle/cg1/memory.pressure", 3234567, 0);
	put_pressure(f, "proc/pressure/memory", 3234567, 0); /* the system stalls with it */
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_guard_reads, 1);
	assert_int_equal(st.nr_cgroup_spread, 1);
	assert_int_equal(st.nr_censuses, 2);
	assert_int_equal(res.nr_skipped, 1);
}

/*
 * The deferred read after a guard: idle/cg2's 3 MiB on node 0 are below
 * DEF_PRIORITY's reach, idle/cg1 holds nothing there. Both get guard rows
 * before the node file would serve; cg1's brake engages, the pass spreads,
 * the plan over the cgroups read descends, and every skipped candidate is
 * read in full in the same pass, a census (the short one alone is not due
 * 50 ms after the last): one guard read each, cg1 skipped once, cg2
 * planned.
 */
static void test_reach_deferred_after_guard(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .cgroup_brake = GUARD_TEST_BRAKE };
	struct shrink_request small = node_req(0, 8 * MiB, 0);
	struct shrink_request big = node_req(0, 4096 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 3);
	put_file(f, "sys/fs/cgroup/idle/cg2/memory.current", "3145728\n");
	put_file(f, "sys/fs/cgroup/idle/cg2/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=3145728 N1=0\n");
	start_no_floors_rules(f, &cfg, idle_weight_rule, ELEMENTSOF(idle_weight_rule));
	assert_int_equal(actuator_shrink(f->a, &small, &res), 0); /* the census */
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_node_file, 1);
	f->now += 50000;
	put_pressure(f, "sys/fs/cgroup/idle/cg1/memory.pressure", 3234567, 0);
	put_pressure(f, "proc/pressure/memory", 3234567, 0);
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_node_file, 1);
	assert_int_equal(st.nr_cgroup_spread, 1);
	assert_int_equal(st.nr_guard_reads, 2);
	assert_int_equal(st.nr_deferred_reads, 0);
	assert_int_equal(st.nr_censuses, 2);
	assert_int_equal(res.nr_skipped, 1);
	assert_int_equal(count_writes_to(f, 0, "sys/fs/cgroup/idle/cg2/memory.reclaim"), 1);
	assert_int_equal(count_writes_to(f, 0, "sys/fs/cgroup/idle/cg1/memory.reclaim"), 0);
}

/*
 * A cgroup that fills between censuses is found at the latest by the next
 * census; sooner when the cgroups read cannot cover the pass: a short plan
 * reads the rest (at most once per CENSUS_SHORT_INTERVAL_USEC_DEFAULT).
 */
static void test_short_pass_census(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 4096 * MiB };
	struct shrink_request small = node_req(1, 8 * MiB, 0);
	struct shrink_request big = node_req(1, 1024 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	bool cg0;

	add_idle(f, 2);
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &small, &res), 0); /* the census */
	put_file(f, "sys/fs/cgroup/idle/cg0/memory.current", "536870912\n");
	put_file(f, "sys/fs/cgroup/idle/cg0/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=536870912\ninactive_anon N0=0 N1=0\n"
		 "active_anon N0=0 N1=0\ninactive_file N0=0 N1=536870912\n"
		 "active_file N0=0 N1=0\n");
	/* 50 ms on: short of 1 GiB (batch 512 MiB, a.service 100 MiB on
	 * node 1), but a census ran 50 ms ago: cg0 is not read yet. */
	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	for (unsigned i = 0; i < f->n_writes; i++)
		assert_null(strstr(f->writes[i].path, "idle/"));
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	/* 100 ms after the census: the short pass reads the rest. */
	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 2);
	cg0 = false;
	for (unsigned i = 0; i < f->n_writes; i++)
		if (streq(f->writes[i].path, "sys/fs/cgroup/idle/cg0/memory.reclaim"))
			cg0 = true;
	assert_true(cg0);
}

/*
 * Between censuses a pass reads only the candidates its priority reaches
 * (census.h, CENSUS_READ_DEFERRED): a.service's 3 MiB on node 1 is reached
 * from priority 9 (768 pages), so a pass at DEF_PRIORITY that batch covers
 * reads batch alone and plans what a read of both would (batch the whole
 * 8 MiB). One that batch cannot cover at 12 descends: a.service is then
 * read in the same pass, no census, and planned as in test_spread_priority.
 * At priority 9 it is read with batch from the start.
 */
static void test_reach_deferred(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_request big = node_req(1, 514 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=3145728\n");
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_cgroup_reads, 3);

	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 4); /* batch alone */
	assert_int_equal(st.nr_deferred_reads, 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "8388608 swappiness=0");
	assert_int_equal(res.spread_priority, 12);

	f->now += 50000;
	f->n_writes = 0;
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_cgroup_reads, 6);
	assert_int_equal(st.nr_deferred_reads, 1);
	assert_int_equal(res.nr_requested, 514 * MiB);
	assert_int_equal(res.spread_priority, 9);
	assert_int_equal(count_writes_to(f, 0, "sys/fs/cgroup/system.slice/a.service/memory.reclaim"), 1);

	f->now += 50000;
	req.priority = 9;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_cgroup_reads, 8);
	assert_int_equal(st.nr_deferred_reads, 1);
	assert_int_equal(st.nr_censuses, 1);
}

/*
 * An Offload=yes cgroup in backoff is a guarantee the node file would not
 * keep (it takes from every cgroup on the node): a.service, backing off
 * with 3 MiB on node 0 (below DEF_PRIORITY's reach), is read on every
 * pass between censuses as before, not deferred, so node 0's passes keep
 * to memory.reclaim and leave it alone, though no task stalled since the
 * census (no guard read).
 */
static void test_reach_offload_backoff_read(void **state)
{
	struct fake *f = *state;
	static const struct offload_params op = {
		.interval_usec = 6 * SEC, .target_usec = 6000, .max_step_permyriad = 100,
		.page_bytes = 4096,
	};
	static const struct cgroup_rule rules[] = {
		{ .path = "system.slice/a.service", .policy = { .offload = true, .offload_params = op } },
	};
	struct actuator_config cfg = { .step_bytes = 256 * MiB };
	struct shrink_request off = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12 };
	struct shrink_request req = node_req(0, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;
	unsigned w;

	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=3145728 N1=0\n");
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 0, 0);
	start_no_floors_rules(f, &cfg, rules, ELEMENTSOF(rules));
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* samples */
	f->now += 6 * SEC;
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0); /* a step */
	f->now += 6 * SEC;
	put_pressure(f, "sys/fs/cgroup/system.slice/a.service/memory.pressure", 6000, 0);
	assert_int_equal(actuator_shrink(f->a, &off, &res), 0);
	offload_backoffs = 0;
	actuator_sample_offload(f->a, offload_seen_backoff, NULL);
	assert_int_equal(offload_backoffs, 1);

	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	f->now += 50000;
	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(actuator_node_stats(f->a, 0, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_guard_reads, 0);
	assert_int_equal(st.nr_node_file, 0);
	assert_true(f->n_writes > w);
	for (unsigned i = w; i < f->n_writes; i++) {
		assert_false(startswith(f->writes[i].path, "sys/devices"));
		assert_null(strstr(f->writes[i].path, "a.service"));
	}
}

/*
 * A host of many small services (docs/design.md "Which cgroups a pass
 * reads"): 200 cgroups with 2 MiB of page cache each on node 1, every one
 * above MinWrite= and below DEF_PRIORITY's reach (512 pages: reached from
 * 9). Between censuses a pass at 12 that batch and a.service cover reads
 * those two, not the 200: about 20 preads a pass where it took over 2000
 * (202 cgroups x five files x two preads) before the reach deferred them.
 */
static void test_small_cgroups_deferred(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .write = hook_write_plain };
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	add_idle(f, 200);
	for (unsigned i = 0; i < 200; i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "sys/fs/cgroup/idle/cg%u/memory.current", i);
		put_file(f, rel, "2097152\n");
		snprintf(rel, sizeof(rel), "sys/fs/cgroup/idle/cg%u/memory.numa_stat", i);
		put_file(f, rel, "anon N0=0 N1=0\nfile N0=0 N1=2097152\n");
	}
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	passes_between_censuses(f, &req, "200 small cgroups", &res);
	assert_int_equal(res.spread_priority, 12);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_censuses, 1);
	assert_int_equal(st.nr_cgroup_reads, 203 + 10 * 2);
	assert_int_equal(st.nr_deferred_reads, 0);
}

/* The deferred read allocates and opens nothing (the writes only write). */
static void test_reach_deferred_allocates_nothing(void **state)
{
	struct fake *f = *state;
	struct actuator_config cfg = { .step_bytes = 256 * MiB, .write = hook_write_plain };
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_request big = node_req(1, 514 * MiB, 0);
	struct shrink_result res;
	struct actuator_node_stats st;

	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=0\nfile N0=0 N1=3145728\n");
	start(f, &cfg);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0); /* the census */
	f->now += 50000;
	alloc_count_start();
	assert_int_equal(actuator_shrink(f->a, &big, &res), 0);
	alloc_count_stop();
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	assert_int_equal(actuator_node_stats(f->a, 1, &st), 0);
	assert_int_equal(st.nr_deferred_reads, 1);
	assert_int_equal(res.spread_priority, 9);
}

/* Both nodes with a reclaim file, no floors; a.service has its memory on
 * node 1 alone (100 MiB of page cache, 16 MiB anon), batch 512 MiB of page
 * cache on each node, b.service on node 0 alone. */
static void start_pause_nodes(struct fake *f, const struct cgroup_rule *rules, size_t n_rules)
{
	struct actuator_config cfg = { .step_bytes = 256 * MiB,
				       .features.node_reclaim_mask = 3 };

	put_file(f, "sys/devices/system/node/node1/reclaim", "");
	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=16777216\nfile N0=0 N1=104857600\n");
	start_no_floors_rules(f, &cfg, rules, n_rules);
}

static const struct cgroup_rule weight_a_rule[] = {
	{ .path = "system.slice/a.service", .policy = { .weight = 200 } },
};

/*
 * [Node N] Paused= and the node passes. Weight=200 on a.service sends node
 * 1's passes to memory.reclaim (target_choose_backend()), which is not
 * node-bound: a write to batch also reclaims its node-0 pages. With node 0
 * running both give, by weight x node-1 room (a.service 200 x 100 MiB :
 * batch 100 x 512 MiB of 64 MiB: 17.98 / 46.02 MiB); with node 0 paused
 * batch gets nothing, counted skipped, and a.service the whole pass. Node
 * 1's own pause (the operator's `reclaim node 1` while it is paused) spares
 * no one: the pass is its own.
 */
static void test_pause_spares_node_pass(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(1, 64 * MiB, 0);
	struct shrink_result res;
	const char *a;
	unsigned w;

	start_pause_nodes(f, weight_a_rule, ELEMENTSOF(weight_a_rule));
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(f->n_writes, 2);
	a = written_to(f, 0, "sys/fs/cgroup/system.slice/a.service/memory.reclaim");
	assert_non_null(a);
	assert_in_range(strtoull(a, NULL, 10), 17 * MiB, 19 * MiB);
	assert_non_null(written_to(f, 0, "sys/fs/cgroup/batch/memory.reclaim"));
	assert_int_equal(res.nr_requested, 64 * MiB);
	assert_int_equal(res.nr_skipped, 0);

	actuator_set_paused_nodes(f->a, UINT64_C(1) << 0);
	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(res.backend, TARGET_BACKEND_CGROUPS);
	assert_int_equal(f->n_writes, w + 1);
	assert_string_equal(f->writes[w].path,
			    "sys/fs/cgroup/system.slice/a.service/memory.reclaim");
	assert_string_equal(f->writes[w].req, "67108864 swappiness=0");
	assert_int_equal(res.nr_skipped, 1); /* batch; b.service has nothing on node 1 */

	/* Node 1 itself paused: both give again. */
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 1);
	w = f->n_writes;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, w + 2);
	assert_non_null(written_to(f, w, "sys/fs/cgroup/batch/memory.reclaim"));
	assert_int_equal(res.nr_skipped, 0);
}

/* The guard: with no policy on node 1 its passes go to node1/reclaim,
 * which is node-bound and spares node 0 by itself. Node 0's pause changes
 * nothing there: a pause elsewhere is no reason to spread. */
static void test_pause_keeps_node_file(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(1, 8 * MiB, 0);
	struct shrink_result res;

	start_pause_nodes(f, NULL, 0);
	for (unsigned paused = 0; paused < 2; paused++) {
		unsigned w = f->n_writes;

		actuator_set_paused_nodes(f->a, paused ? UINT64_C(1) << 0 : 0);
		assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
		assert_int_equal(res.backend, TARGET_BACKEND_NODE_FILE);
		assert_int_equal(f->n_writes, w + 1);
		assert_string_equal(f->writes[w].path, "sys/devices/system/node/node1/reclaim");
		assert_string_equal(f->writes[w].req, "8388608 swappiness=0");
		assert_int_equal(res.nr_skipped, 0);
	}
}

/* The soft-target pass writes memory.reclaim too: batch above its
 * SoftTarget= is left alone while node 0 is paused. */
static void test_pause_spares_soft_target(void **state)
{
	struct fake *f = *state;
	static const struct cgroup_rule rules[] = {
		{ .path = "batch", .policy = { .soft_target_bytes = 900 * MiB } },
	};
	struct shrink_request req = { .kind = SHRINK_SOFT_TARGET, .node = 1,
				      .nr_to_reclaim = 1024 * MiB, .swappiness = 0 };
	struct shrink_result res;

	start_pause_nodes(f, rules, ELEMENTSOF(rules));
	actuator_set_paused_nodes(f->a, UINT64_C(1) << 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 0);
	assert_int_equal(res.nr_skipped, 1);
	actuator_set_paused_nodes(f->a, 0);
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_string_equal(f->writes[0].path, "sys/fs/cgroup/batch/memory.reclaim");
	assert_string_equal(f->writes[0].req, "130023424 swappiness=0");
}

/* A pause that comes while a node pass writes holds before its next
 * cgroup, as offload's does. a.service and batch both have memory on
 * nodes 0 and 1 and are both planned; the pass's first write (to either:
 * the table is in readdir order) pauses node 0, and the other is not
 * written. */
static void test_pause_mid_node_pass(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(1, 64 * MiB, 0);
	struct shrink_result res;

	start_pause_nodes(f, weight_a_rule, ELEMENTSOF(weight_a_rule));
	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=16777216\nfile N0=104857600 N1=104857600\n");
	f->pause_after_write = UINT64_C(1) << 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_int_equal(res.nr_skipped, 1);
}

/* The same with 8 MiB steps: a.service's share (~18 MiB) is three writes,
 * and the pause that came with its first holds the next ones (it held only
 * between cgroups, so a share of many steps went on after the pause). */
static void test_pause_mid_cgroup_share(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = node_req(1, 64 * MiB, 0);
	struct shrink_result res;
	struct actuator_config cfg = { .step_bytes = 8 * MiB,
				       .features.node_reclaim_mask = 3 };

	put_file(f, "sys/devices/system/node/node1/reclaim", "");
	put_file(f, "sys/fs/cgroup/system.slice/a.service/memory.numa_stat",
		 "anon N0=0 N1=16777216\nfile N0=104857600 N1=104857600\n");
	start_no_floors_rules(f, &cfg, weight_a_rule, ELEMENTSOF(weight_a_rule));
	f->pause_after_write = UINT64_C(1) << 0;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	for (unsigned i = 1; i < f->n_writes; i++)
		if (strstr(f->writes[i].path, "a.service") || strstr(f->writes[i].path, "batch"))
			fail_msg("write %u after node 0 paused: %s %s", i, f->writes[i].path,
				 f->writes[i].req);
	assert_int_equal(f->n_writes, 1);
}

/* An operator's reclaim of a cgroup in many steps stops at the pause. */
static void test_operator_cgroup_pause_mid(void **state)
{
	struct fake *f = *state;
	struct shrink_request req = { .kind = SHRINK_CGROUP, .node = 0, .cgroup = "batch",
				      .nr_to_reclaim = 10 * MiB,
				      .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	struct shrink_result res;
	struct actuator_config cfg = { .step_bytes = 1 * MiB };

	start(f, &cfg);
	f->pause_after_write = UINT64_C(1) << 1;
	assert_int_equal(actuator_shrink(f->a, &req, &res), 0);
	assert_int_equal(f->n_writes, 1);
	assert_int_equal(res.nr_requested, 1 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_node_file_steps),
		T(test_node_file_partial),
		T(test_node_file_partial_alone),
		T(test_node_file_gated),
		T(test_node_file_gated_alone),
		T(test_node_file_gate_check),
		T(test_node_file_gated_dry_run),
		T(test_swappiness_einval_fallback),
		T(test_errors),
		T(test_quota),
		T(test_quota_below_step),
		T(test_quota_below_kernel_marks),
		T(test_quota_watermark_job),
		T(test_quota_wait_cut_by_fall),
		T(test_quota_charges_reclaimed),
		T(test_dry_run),
		T(test_dry_run_request),
		T(test_system_brake),
		T(test_system_brake_kernel_deficit),
		T(test_system_brake_refaults),
		T(test_spread),
		T(test_spread_priority),
		T(test_spread_protect),
		T(test_node_file_or_spread),
		T(test_node_file_stall_spreads),
		T(test_node_file_stall_operator),
		T(test_node_file_fall_back_skips),
		T(test_node_file_fall_back_pause),
		T(test_node_file_stall_nothing_to_spread),
		T(test_floor_spreads),
		T(test_compact),
		T(test_spread_gone),
		T(test_cgroup_brake),
		T(test_soft_target),
		T(test_soft_target_none_reads_nothing),
		T(test_soft_target_quota),
		T(test_overlapping_cgroup_writes),
		T(test_overlapping_node_file_write),
		T(test_operator_cgroup),
		T(test_step_limits),
		T(test_stop_refuses_writes),
		T(test_operator_cgroup_paused),
		T(test_shrink_allocates_nothing),
		T(test_sample_brakes),
		T(test_sample_brakes_calm_system),
		T(test_sample_brakes_read_by_pass),
		T(test_sample_brakes_judged_at_read),
		T(test_sample_brakes_engaged_by_pass),
		T(test_offload),
		T(test_offload_paused),
		T(test_offload_numa_stat_when_used),
		T(test_offload_pause_mid_pass),
		T(test_offload_own_context),
		T(test_offload_writes_reported),
		T(test_offload_reclaimed_per_node),
		T(test_offload_slack_spread),
		T(test_offload_slack_keeps_node_file),
		T(test_idle_cgroups_skipped),
		T(test_guard_before_node_file),
		T(test_node_file_guaranteed_only),
		T(test_guard_fresh_read),
		T(test_guard_fresh_judged_at_read),
		T(test_node_file_preference_reads),
		T(test_preference_elsewhere_guards),
		T(test_short_pass_census),
		T(test_reach_deferred),
		T(test_node_pass_reclaimed_elsewhere),
		T(test_node_pass_elsewhere_anon),
		T(test_small_cgroups_deferred),
		T(test_reach_offload_backoff_read),
		T(test_reach_deferred_allocates_nothing),
		T(test_skip_counted_once),
		T(test_reach_deferred_after_guard),
		T(test_pause_spares_node_pass),
		T(test_pause_keeps_node_file),
		T(test_pause_spares_soft_target),
		T(test_pause_mid_node_pass),
		T(test_pause_mid_cgroup_share),
		T(test_operator_cgroup_pause_mid),
#undef T
	};

	return cmocka_run_group_tests_name("actuator", tests, NULL, NULL);
}
