/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#define MiB (UINT64_C(1) << 20)

struct fixture {
	char dir[256];
};

static int run(const char *cmd)
{
	int r = system(cmd);

	return r == 0 ? 0 : -EIO;
}

/* Copy tests/fixtures/cgroup-basic to a temporary directory: the walk opens
 * memory.reclaim for writing and the source tree may be read-only. Add a
 * symlink to a directory inside the tree and one pointing out of it. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char cmd[4096];

	snprintf(f->dir, sizeof(f->dir), "%s/reclaimd-test-cgroup-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cp -R '%s/cgroup-basic/.' '%s/' && chmod -R u+w '%s' && "
		 "ln -s system.slice '%s/linked.slice' && ln -s / '%s/escape'",
		 FIXTURES_DIR, f->dir, f->dir, f->dir, f->dir);
	if (run(cmd) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)run(cmd);
	free(f);
	return 0;
}

static struct cgroup_config fixture_config(struct fixture *f)
{
	/* Not the test process' own /proc/self/cgroup: test_self says one. */
	return (struct cgroup_config){ .mount = f->dir, .skip_fs_check = true, .self_file = "" };
}

static void test_walk_leaves(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct cgroup_candidate *a;
	char cmd[4096];

	/* A child without the memory controller: batch stays the leaf for
	 * memory (the child's memory is charged to batch). */
	snprintf(cmd, sizeof(cmd), "mkdir '%s/batch/nomem' && echo 'cpu' > '%s/batch/nomem/cgroup.controllers'",
		 f->dir, f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	assert_string_equal(s->mount, f->dir);
	/* a.service, b.service, batch; not system.slice (has children), not
	 * user.slice (no memory controller), and linked.slice is a symlink:
	 * a.service is not seen twice. */
	assert_int_equal(s->n_cgroups, 3);
	assert_non_null(cgroup_set_find(s, "system.slice/b.service"));
	assert_non_null(cgroup_set_find(s, "/batch"));
	assert_null(cgroup_set_find(s, "system.slice"));
	assert_null(cgroup_set_find(s, "user.slice"));
	assert_null(cgroup_set_find(s, "linked.slice/a.service"));
	a = cgroup_set_find(s, "system.slice/a.service");
	assert_non_null(a);
	assert_string_equal(a->path, "system.slice/a.service");
	for (unsigned i = 0; i < _CGROUP_FILE_MAX; i++)
		assert_true(a->fd[i] >= 0);
	assert_int_equal(a->dir_fd, -1);
	assert_int_equal(s->nr_scans, 1);
	assert_null(cgroup_set_find(s, "batch/nomem"));

	/* A busy table (a node thread mid-write holds the read lock): the
	 * non-blocking rescan says so and keeps the old table. */
	cgroup_set_lock_shared(s);
	assert_int_equal(cgroup_rescan_try(s), -EBUSY);
	cgroup_set_unlock(s);
	assert_int_equal(s->nr_scans, 1);
	assert_int_equal(cgroup_rescan_try(s), 3);
	assert_int_equal(s->nr_scans, 2);
}

/* The daemon's own cgroup is never a candidate, and its parent does not
 * become the leaf for memory in its place; read again on every walk. */
static void test_self(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	char self[512], cmd[4096];

	snprintf(self, sizeof(self), "%s/self-cgroup", f->dir);
	cfg.self_file = self;
	/* only.slice holds nothing but the daemon's own service, which lists
	 * this process in its cgroup.procs; a.service lists it too, for
	 * later. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir only.slice && cp system.slice/memory.* only.slice/ && "
		 "cp -R system.slice/a.service only.slice/me.service && "
		 "printf '1\n%d\n' > only.slice/me.service/cgroup.procs && "
		 "printf '%d\n' > system.slice/a.service/cgroup.procs && "
		 "printf '12:memory:/x\n0::/only.slice/me.service\n' > self-cgroup",
		 f->dir, (int)getpid(), (int)getpid());
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	assert_int_equal(s->n_cgroups, 3);
	assert_null(cgroup_set_find(s, "only.slice/me.service"));
	assert_null(cgroup_set_find(s, "only.slice"));
	assert_non_null(cgroup_set_find(s, "system.slice/a.service"));
	assert_string_equal(s->self, "only.slice/me.service");

	/* Moved: the old cgroup is a candidate again, the new one is not. */
	snprintf(cmd, sizeof(cmd), "echo 0::/system.slice/a.service > '%s'", self);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 3);
	assert_non_null(cgroup_set_find(s, "only.slice/me.service"));
	assert_null(cgroup_set_find(s, "system.slice/a.service"));
	assert_string_equal(s->self, "system.slice/a.service");

	/* Configured targets leave it out too. */
	{
		const char *const targets[] = { "/system.slice/a.service", "/batch" };
		_cleanup_(cgroup_set_freep) struct cgroup_set *t = NULL;
		struct cgroup_config tc = cfg;

		tc.targets = targets;
		tc.n_targets = ELEMENTSOF(targets);
		assert_int_equal(cgroup_set_new(&tc, &t), 0);
		assert_int_equal(t->n_cgroups, 1);
		assert_non_null(cgroup_set_find(t, "batch"));
	}

	/* In the root cgroup, or with no v2 line, or no file: none left out. */
	snprintf(cmd, sizeof(cmd), "echo 0::/ > '%s'", self);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 4);
	assert_string_equal(s->self, "");
	snprintf(cmd, sizeof(cmd), "echo 4:memory:/system.slice/a.service > '%s'", self);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 4);
	assert_string_equal(s->self, "");
	snprintf(cmd, sizeof(cmd), "rm '%s'", self);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 4);
	assert_string_equal(s->self, "");
	/* A path the walk does not meet (another namespace's view). */
	snprintf(cmd, sizeof(cmd), "echo 0::/elsewhere/x.service > '%s'", self);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 4);
	assert_string_equal(s->self, "");
	/* A path the walk meets, but a cgroup this process is not in (a
	 * mount that is not our cgroup namespace's root): kept. */
	snprintf(cmd, sizeof(cmd), "echo 0::/batch > '%s' && echo 1 > '%s/batch/cgroup.procs'",
		 self, f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 4);
	assert_non_null(cgroup_set_find(s, "batch"));
	assert_string_equal(s->self, "");
}

static void test_read_state(void **state)
{
	struct fixture *f = *state;
	const struct cgroup_rule rules[] = {
		{ .path = "/system.slice/a.service",
		  .policy = { .floor_bytes = 200 * MiB, .weight = 300 } },
		{ .path = "batch", .policy = { .protect = true } },
	};
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct memstat_numa *numa = malloc(sizeof(*numa));
	struct cgroup_candidate *a, *b;
	struct cgroup_state st;
	char buf[4096];
	uint64_t pgsteal = 0;

	cfg.rules = rules;
	cfg.n_rules = 2;
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	a = cgroup_set_find(s, "system.slice/a.service");
	b = cgroup_set_find(s, "system.slice/b.service");
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), 0);
	assert_int_equal(st.parts, CGROUP_STATE_ALL);
	assert_int_equal(st.current_bytes, 480 * MiB);
	assert_int_equal(st.min_bytes, 0);
	assert_int_equal(st.low_bytes, 100 * MiB);
	assert_int_equal(st.node_file_bytes[0], 300 * MiB);
	assert_int_equal(st.node_file_bytes[1], 100 * MiB);
	assert_int_equal(st.node_anon_bytes[0], 64 * MiB);
	assert_int_equal(st.node_anon_bytes[1], 16 * MiB);
	assert_int_equal(st.pressure_some_total_usec, 1234567);
	/* Floor = max(min 0, low 100 MiB, Floor= 200 MiB). */
	assert_int_equal(a->policy.weight, 300);
	assert_int_equal(cgroup_floor(&st, &a->policy), 200 * MiB);
	assert_int_equal(cgroup_read_pgsteal(a, buf, sizeof(buf), &pgsteal), 0);
	assert_int_equal(pgsteal, 900);
	assert_true(cgroup_set_find(s, "batch")->policy.protect);

	/* memory.low "max": the floor is everything. */
	assert_int_equal(cgroup_read_state(b, buf, sizeof(buf), numa, &st), 0);
	assert_true(st.low_bytes == UINT64_MAX);
	assert_true(cgroup_floor(&st, &b->policy) == UINT64_MAX);

	/* A buffer too small is an error, never a truncated parse, and the
	 * output is left as it was. */
	assert_int_equal(cgroup_read_state(a, buf, 64, numa, &st), -E2BIG);
	assert_true(st.low_bytes == UINT64_MAX);
	free(numa);
}

/* Locked memory sits on the unevictable LRU and still counts in numa_stat's
 * "anon"/"file": what a candidate offers reclaim is its four evictable LRUs,
 * per node; without the LRU keys (older or partial files) the totals. */
static void test_read_state_unevictable(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct memstat_numa *numa = malloc(sizeof(*numa));
	struct cgroup_candidate *a;
	struct cgroup_state st;
	char buf[4096], path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/system.slice/a.service/memory.numa_stat", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("anon N0=629145600 N1=16777216\n"
	      "file N0=104857600 N1=8388608\n"
	      "inactive_anon N0=0 N1=12582912\n"
	      "active_anon N0=0 N1=4194304\n"
	      "inactive_file N0=62914560 N1=8388608\n"
	      "active_file N0=37748736 N1=0\n"
	      "unevictable N0=633339904 N1=0\n", fp);
	fclose(fp);
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	a = cgroup_set_find(s, "system.slice/a.service");
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), 0);
	/* Node 0: 600 MiB of anon, all of it mlocked: nothing to offer. */
	assert_int_equal(st.node_anon_bytes[0], 0);
	/* 4 MiB of file locked too: 60 + 36 MiB evictable, not 100. */
	assert_int_equal(st.node_file_bytes[0], 96 * MiB);
	assert_int_equal(st.node_anon_bytes[1], 16 * MiB);
	assert_int_equal(st.node_file_bytes[1], 8 * MiB);

	/* One LRU key missing: back to the totals. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("anon N0=629145600 N1=16777216\n"
	      "file N0=104857600 N1=8388608\n"
	      "inactive_anon N0=0 N1=12582912\n"
	      "inactive_file N0=62914560 N1=8388608\n"
	      "active_file N0=37748736 N1=0\n", fp);
	fclose(fp);
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), 0);
	assert_int_equal(st.node_anon_bytes[0], 600 * MiB);
	assert_int_equal(st.node_file_bytes[0], 100 * MiB);
	free(numa);
}

static void write_file(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/system.slice/a.service/%s", dir, file);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Node threads, the offload thread and the loop read one candidate at
 * once, each with the table's read lock only: a read fills the caller's
 * copy and leaves the candidate alone, and publishing (under the
 * actuator's lock) merges the parts read, so that a guard or pressure
 * read keeps the usage of the last full one. */
static void test_state_publish(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct memstat_numa *numa = malloc(sizeof(*numa));
	struct cgroup_state st;
	struct cgroup_candidate *a;
	char buf[4096];

	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	a = cgroup_set_find(s, "system.slice/a.service");
	/* Nothing published yet. */
	assert_int_equal(a->state.parts, 0);
	assert_int_equal(a->state.current_bytes, 0);

	/* Sentinels: no read writes the candidate's state. */
	a->state.current_bytes = a->state.low_bytes = a->state.pressure_some_total_usec = 7;
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), 0);
	assert_int_equal(cgroup_read_guard(a, buf, sizeof(buf), &st), 0);
	assert_int_equal(cgroup_read_pressure(a, buf, sizeof(buf), &st), 0);
	assert_int_equal(a->state.parts, 0);
	assert_int_equal(a->state.current_bytes, 7);
	assert_int_equal(a->state.low_bytes, 7);
	assert_int_equal(a->state.pressure_some_total_usec, 7);
	assert_int_equal(a->state.node_file_bytes[0], 0);

	/* A full read publishes every part. */
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), 0);
	cgroup_state_publish(&a->state, &st);
	assert_int_equal(a->state.parts, CGROUP_STATE_ALL);
	assert_int_equal(a->state.current_bytes, 480 * MiB);
	assert_int_equal(a->state.node_file_bytes[0], 300 * MiB);
	assert_int_equal(a->state.low_bytes, 100 * MiB);
	assert_int_equal(a->state.pressure_some_total_usec, 1234567);

	/* A guard read: memory.min/low and memory.pressure; the usage stays
	 * the full read's though memory.current changed. */
	write_file(f->dir, "memory.current", "1048576\n");
	write_file(f->dir, "memory.low", "209715200\n");
	write_file(f->dir, "memory.pressure",
		   "some avg10=2.00 avg60=0.25 avg300=0.05 total=2000000\n"
		   "full avg10=1.00 avg60=0.00 avg300=0.00 total=1000\n");
	assert_int_equal(cgroup_read_guard(a, buf, sizeof(buf), &st), 0);
	assert_int_equal(st.parts, CGROUP_STATE_GUARD | CGROUP_STATE_PRESSURE);
	cgroup_state_publish(&a->state, &st);
	assert_int_equal(a->state.current_bytes, 480 * MiB);
	assert_int_equal(a->state.node_file_bytes[0], 300 * MiB);
	assert_int_equal(a->state.low_bytes, 200 * MiB);
	assert_int_equal(a->state.pressure_some_total_usec, 2000000);
	assert_int_equal(a->state.pressure_some_avg10, 200);
	assert_int_equal(a->state.pressure_full_avg10, 100);
	assert_int_equal(cgroup_floor(&a->state, &a->policy), 200 * MiB);

	/* A pressure read (the brakes' sample): memory.pressure alone. */
	write_file(f->dir, "memory.low", "314572800\n");
	write_file(f->dir, "memory.pressure",
		   "some avg10=3.00 avg60=0.25 avg300=0.05 total=3000000\n");
	assert_int_equal(cgroup_read_pressure(a, buf, sizeof(buf), &st), 0);
	assert_int_equal(st.parts, CGROUP_STATE_PRESSURE);
	cgroup_state_publish(&a->state, &st);
	assert_int_equal(a->state.low_bytes, 200 * MiB);
	assert_int_equal(a->state.pressure_some_total_usec, 3000000);
	assert_int_equal(a->state.pressure_full_avg10, 0);
	assert_int_equal(a->state.current_bytes, 480 * MiB);
	assert_int_equal(a->state.parts, CGROUP_STATE_ALL);

	/* A failed read leaves the caller's copy alone too. */
	assert_int_equal(cgroup_read_guard(a, buf, 16, &st), -E2BIG);
	assert_int_equal(st.parts, CGROUP_STATE_PRESSURE);
	assert_int_equal(st.pressure_some_total_usec, 3000000);
	free(numa);
}

static void test_gone(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct memstat_numa *numa = malloc(sizeof(*numa));
	struct cgroup_candidate *a;
	struct cgroup_state st;
	char buf[4096];

	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	a = cgroup_set_find(s, "system.slice/a.service");
	assert_int_equal(cgroup_check_gone(a, -EAGAIN), -EAGAIN);
	assert_false(a->gone);
	assert_int_equal(cgroup_check_gone(a, -ENODEV), -ENODEV);
	assert_true(a->gone);
	assert_int_equal(cgroup_read_state(a, buf, sizeof(buf), numa, &st), -ENODEV);
	free(numa);
}

static void test_rescan_carries_state(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	char cmd[4096];

	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	/* The first walk finds everything and counts no walk that added;
	 * a walk of the same tree adds nothing. */
	assert_int_equal(s->nr_scans_added, 0);
	assert_int_equal(cgroup_rescan(s), 3);
	assert_int_equal(s->nr_scans_added, 0);
	cgroup_set_find(s, "batch")->acct.requested_bytes = 12345;
	cgroup_set_find(s, "batch")->brake.engaged = true;
	cgroup_set_find(s, "system.slice/b.service")->acct.nr_writes = 7;
	/* b.service is removed; a new leaf appears. */
	snprintf(cmd, sizeof(cmd),
		 "rm -rf '%s/system.slice/b.service' && mkdir '%s/batch2' && "
		 "cp '%s/batch/'memory.* '%s/batch2/'",
		 f->dir, f->dir, f->dir, f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 3);
	assert_int_equal(s->nr_scans, 3);
	/* batch2 is new (kswapd_cgroups_added() is told). */
	assert_int_equal(s->nr_scans_added, 1);
	assert_null(cgroup_set_find(s, "system.slice/b.service"));
	assert_int_equal(cgroup_set_find(s, "batch")->acct.requested_bytes, 12345);
	assert_true(cgroup_set_find(s, "batch")->brake.engaged);
	assert_int_equal(cgroup_set_find(s, "batch2")->acct.requested_bytes, 0);
	/* A removal alone adds nothing. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/batch2'", f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 2);
	assert_int_equal(s->nr_scans_added, 1);
}

static void test_targets_and_limit(void **state)
{
	struct fixture *f = *state;
	const char *const targets[] = { "system.slice", "/batch", "../etc", "escape",
					"nonexistent" };
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL, *s2 = NULL;

	cfg.targets = targets;
	cfg.n_targets = ELEMENTSOF(targets);
	/* Bad targets are skipped with a warning; good ones kept. */
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	assert_int_equal(s->n_cgroups, 2);
	assert_non_null(cgroup_set_find(s, "system.slice"));
	assert_non_null(cgroup_set_find(s, "batch"));

	cfg = fixture_config(f);
	cfg.max_candidates = 1;
	assert_int_equal(cgroup_set_new(&cfg, &s2), 0);
	assert_int_equal(s2->n_cgroups, 1);
}

/* Issue 17 B9: one cgroup whose memory.reclaim cannot be opened (ELOOP:
 * a symlink under O_NOFOLLOW; EISDIR: a directory) is left out and
 * counted; the walk keeps the others, at start and on a rescan. */
static void test_bad_cgroup_skipped(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "cd '%s/system.slice/a.service' && rm memory.reclaim && "
		 "ln -s ../memory.reclaim memory.reclaim", f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	assert_int_equal(s->n_cgroups, 2);
	assert_int_equal(s->n_skipped, 1);
	assert_null(cgroup_set_find(s, "system.slice/a.service"));
	assert_non_null(cgroup_set_find(s, "system.slice/b.service"));
	assert_non_null(cgroup_set_find(s, "batch"));
	/* A second one on a rescan. */
	snprintf(cmd, sizeof(cmd), "cd '%s/batch' && rm memory.reclaim && mkdir memory.reclaim",
		 f->dir);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(cgroup_rescan(s), 1);
	assert_int_equal(s->n_skipped, 2);
	assert_non_null(cgroup_set_find(s, "system.slice/b.service"));
}

/* Issue 17 B4: what the operator's reclaim may not touch. */
static void policy_protect_system(void *userdata, const char *path, struct cgroup_policy *ret)
{
	(void)userdata;
	*ret = (struct cgroup_policy){ .protect = streq(path, "system.slice/a.service") };
}

static void test_protected(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	char which[CGROUP_PATH_MAX + 1];

	cfg.policy = policy_protect_system;
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	assert_true(cgroup_set_protected(s, "/system.slice/a.service", which, sizeof(which)));
	assert_string_equal(which, "/system.slice/a.service");
	/* A parent of a protected cgroup, up to the root. */
	assert_true(cgroup_set_protected(s, "/system.slice", which, sizeof(which)));
	assert_string_equal(which, "/system.slice/a.service");
	assert_true(cgroup_set_protected(s, "/", NULL, 0));
	/* Siblings and prefixes that are not parents are not. */
	assert_false(cgroup_set_protected(s, "/system.slice/b.service", NULL, 0));
	assert_false(cgroup_set_protected(s, "/batch", NULL, 0));
	assert_false(cgroup_set_protected(s, "/system.slice/a", NULL, 0));
}

/*
 * cgroup_set_quiesce() as a reload uses it (manager_swap_conf()): a reader
 * thread asks the policy callback under the read lock, and the callback
 * still uses the configuration it loaded while the loop publishes a new
 * one and frees the old. The loop's free must wait for it: before, a
 * reload freed the old configuration under the offload thread's feet.
 */
struct quiesce_conf {
	bool alive;
};

static struct quiesce_conf *quiesce_current;
static pthread_mutex_t quiesce_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t quiesce_cond = PTHREAD_COND_INITIALIZER;
static bool quiesce_armed, quiesce_inside, quiesce_saw_dead;

static void policy_slow(void *userdata, const char *path, struct cgroup_policy *ret)
{
	struct quiesce_conf *c = __atomic_load_n(&quiesce_current, __ATOMIC_ACQUIRE);

	(void)userdata;
	(void)path;
	*ret = (struct cgroup_policy){};
	if (!quiesce_armed)
		return; /* the scan of cgroup_set_new() */
	pthread_mutex_lock(&quiesce_mutex);
	quiesce_inside = true;
	pthread_cond_signal(&quiesce_cond);
	pthread_mutex_unlock(&quiesce_mutex);
	usleep(200 * 1000);
	if (!__atomic_load_n(&c->alive, __ATOMIC_ACQUIRE))
		quiesce_saw_dead = true;
}

static void *quiesce_reader(void *arg)
{
	struct cgroup_set *s = arg;

	cgroup_set_lock_shared(s);
	(void)cgroup_set_protected(s, "/batch", NULL, 0);
	cgroup_set_unlock(s);
	return NULL;
}

static void test_quiesce(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	_cleanup_(cgroup_set_freep) struct cgroup_set *s = NULL;
	struct quiesce_conf old = { .alive = true }, new = { .alive = true };
	pthread_t t;

	quiesce_current = &old;
	cfg.policy = policy_slow;
	assert_int_equal(cgroup_set_new(&cfg, &s), 0);
	quiesce_armed = true;
	assert_int_equal(pthread_create(&t, NULL, quiesce_reader, s), 0);
	pthread_mutex_lock(&quiesce_mutex);
	while (!quiesce_inside)
		pthread_cond_wait(&quiesce_cond, &quiesce_mutex);
	pthread_mutex_unlock(&quiesce_mutex);
	/* The reader holds old: publish new, wait, then "free" old. */
	__atomic_store_n(&quiesce_current, &new, __ATOMIC_RELEASE);
	cgroup_set_quiesce(s);
	__atomic_store_n(&old.alive, false, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(quiesce_saw_dead);
}

static void test_path_open(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *path;
		int r;
	} cases[] = {
		{ "system.slice/a.service", 0 },
		{ "/system.slice/a.service", 0 },
		{ "system.slice//a.service/", 0 },
		{ "/", 0 },
		{ "", 0 },
		{ "..", -EPERM },
		{ "../etc", -EPERM },
		{ "system.slice/../..", -EPERM },
		{ "system.slice/../batch", -EPERM },
		{ "escape", -ELOOP },
		{ "escape/etc", -ELOOP },
		{ "linked.slice/a.service", -ELOOP },
		{ "nonexistent", -ENOENT },
		{ "system.slice/a.service/memory.current", -ENOTDIR },
	};
	_cleanup_close_ int root = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(root >= 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int fd = -77, r;

		r = cgroup_path_open(root, cases[i].path, &fd);
		if (r != cases[i].r)
			fail_msg("openat2 case %zu (%s): got %d", i, cases[i].path, r);
		if (r < 0)
			assert_int_equal(fd, -77);
		safe_close(fd);
		/* The pre-5.6 fallback gives the same answers. */
		fd = -77;
		r = cgroup_path_open_nofollow(root, cases[i].path, &fd);
		if (r != cases[i].r)
			fail_msg("fallback case %zu (%s): got %d", i, cases[i].path, r);
		if (r < 0)
			assert_int_equal(fd, -77);
		safe_close(fd);
	}
	assert_int_equal(cgroup_path_open(root, NULL, &(int){ 0 }), -EINVAL);
}

static void test_discover(void **state)
{
	struct fixture *f = *state;
	struct cgroup_config cfg = fixture_config(f);
	char path[4096] = "untouched", sub[4096];

	/* A tmpfs is not cgroup2. */
	cfg.skip_fs_check = false;
	assert_int_equal(cgroup_discover(&cfg, path, sizeof(path)), -ENOMEDIUM);
	assert_string_equal(path, "untouched");
	/* No memory in cgroup.controllers. */
	snprintf(sub, sizeof(sub), "%s/user.slice", f->dir);
	cfg = fixture_config(f);
	cfg.mount = sub;
	assert_int_equal(cgroup_discover(&cfg, path, sizeof(path)), -ENOMEDIUM);
	/* --root + mount below it. */
	cfg = (struct cgroup_config){ .root = f->dir, .mount = "/system.slice/..",
				      .skip_fs_check = true };
	assert_int_equal(cgroup_discover(&cfg, path, sizeof(path)), 0);
	assert_true(startswith(path, f->dir));
	assert_int_equal(cgroup_discover(&cfg, path, 8), -ENAMETOOLONG);
}

static void test_file_names(void **state)
{
	assert_string_equal(cgroup_file_to_string(CGROUP_FILE_RECLAIM), "memory.reclaim");
	assert_string_equal(cgroup_file_to_string(CGROUP_FILE_EVENTS), "cgroup.events");
	assert_null(cgroup_file_to_string(_CGROUP_FILE_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_state_unevictable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_publish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rescan_carries_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cgroup_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discover, setup, teardown),
		cmocka_unit_test(test_file_names),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
