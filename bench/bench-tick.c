/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-tick: the daemon's periodic work on a fixture tree with N cgroups
 * (default 1000), timed call by call, with allocations counted:
 *
 *   bench-tick FIXTURE_DIR [N_CGROUPS] [ITERATIONS]
 *
 * FIXTURE_DIR is tests/fixtures/vm-6.12-4node (its /proc and node files are
 * copied). A tree under $TMPDIR (or /tmp) gets N_CGROUPS leaf cgroups, ten
 * per slice, each with the files the actuator opens; it is removed at exit.
 * Timed (median, p90, min of CLOCK_MONOTONIC; median and min of the thread's
 * CPU time, CLOCK_THREAD_CPUTIME_ID):
 *   - monitor tick: zoneinfo pread + parse and, per node, the watermark
 *     decisions manager.c's monitor_tick makes (below low? next interval);
 *   - cgroup rescan (the slow timer's walk of the tree);
 *   - a node pass in dry run through the actuator: SHRINK_NODE spread over
 *     the candidates (avoid_node_file), which re-reads every candidate's
 *     state and runs the target chooser, writing nothing;
 *   - the offload thread's work (manager.c's offload_main(): a
 *     SHRINK_OFFLOAD every 500 ms) with every cgroup Offload=yes by the
 *     config (defaults otherwise: 6 s interval, 1% step): a tick in which
 *     no cgroup is due; a pass in which every one is due and judged (its
 *     files read, its controller run) in dry run; the same pass writing
 *     each step to memory.reclaim, a plain file here (the write syscall,
 *     not the kernel's reclaim behind it); and what the loop does after a
 *     pass that decided steps (report the writes and the state changes).
 *     For these rows each cgroup's memory.stat and memory.numa_stat are the
 *     captured 6.12 files of system.slice/cache.service (a judgement parses
 *     both; the synthetic ones are a few lines). The actuator's clock is
 *     a counter: each judging pass starts an OffloadInterval= after the
 *     last one ended, and the rate quota's waits move it on instead of
 *     sleeping (a sleep costs no CPU).
 * malloc/calloc/realloc/free/strdup are wrapped (-Wl,--wrap=...): calls made
 * by the daemon's code in libreclaimd.a are counted. Calls glibc makes
 * internally (opendir's buffer) are not: the count is a floor for the
 * rescan, exact for the tick and the node pass (neither calls into glibc
 * functions that allocate). Run it with stderr to /dev/null: in dry run the
 * actuator logs every write it would make (info level), and the first node
 * pass figure includes formatting those lines. Results go to
 * docs/benchmarks.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actuator.h"
#include "cgroup.h"
#include "conf.h"
#include "log.h"
#include "util.h"
#include "watermark.h"
#include "zoneinfo.h"

static uint64_t nr_allocs;
static uint64_t nr_frees;

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);

void *__wrap_malloc(size_t n)
{
	nr_allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	nr_allocs++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	nr_allocs++;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (p)
		nr_frees++;
	__real_free(p);
}

char *__wrap_strdup(const char *s)
{
	nr_allocs++;
	return __real_strdup(s);
}

/*
 * A call's cost on two clocks: wall time, and the calling thread's CPU time
 * (user + system). On a loaded host the wall clock also counts the time
 * the thread waited for a CPU; its CPU time does not (the cache misses
 * after being preempted it does), so it is the figure for a CPU share.
 */
struct tick_sample {
	uint64_t wall_nsec;
	uint64_t cpu_nsec;
};

static uint64_t tick_clock_nsec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The thread's CPU clock is a system call (about 1 us here), the
 * monotonic one is not (vDSO): it is read outside the wall interval. */
static struct tick_sample tick_start(void)
{
	uint64_t cpu = tick_clock_nsec(CLOCK_THREAD_CPUTIME_ID);

	return (struct tick_sample){ .wall_nsec = tick_clock_nsec(CLOCK_MONOTONIC), .cpu_nsec = cpu };
}

/* The time since start, on both clocks. */
static struct tick_sample tick_since(struct tick_sample start)
{
	uint64_t wall = tick_clock_nsec(CLOCK_MONOTONIC) - start.wall_nsec;

	return (struct tick_sample){ .wall_nsec = wall,
				     .cpu_nsec = tick_clock_nsec(CLOCK_THREAD_CPUTIME_ID) - start.cpu_nsec };
}

static int tick_cmp_wall(const void *a, const void *b)
{
	uint64_t x = ((const struct tick_sample *)a)->wall_nsec;
	uint64_t y = ((const struct tick_sample *)b)->wall_nsec;

	return x < y ? -1 : x > y;
}

static int tick_cmp_cpu(const void *a, const void *b)
{
	uint64_t x = ((const struct tick_sample *)a)->cpu_nsec;
	uint64_t y = ((const struct tick_sample *)b)->cpu_nsec;

	return x < y ? -1 : x > y;
}

static void tick_report(const char *what, struct tick_sample *ns, unsigned n, uint64_t allocs,
			uint64_t frees)
{
	double median, p90, min;

	qsort(ns, n, sizeof(ns[0]), tick_cmp_wall);
	median = ns[n / 2].wall_nsec / 1000.0;
	p90 = ns[n * 9 / 10].wall_nsec / 1000.0;
	min = ns[0].wall_nsec / 1000.0;
	qsort(ns, n, sizeof(ns[0]), tick_cmp_cpu);
	printf("%-52s median %9.2f us  p90 %9.2f us  min %9.2f us  cpu median %9.2f us  min %9.2f us"
	       "  (n=%u)  allocs/call %.2f  frees/call %.2f\n",
	       what, median, p90, min, ns[n / 2].cpu_nsec / 1000.0, ns[0].cpu_nsec / 1000.0, n,
	       (double)allocs / n, (double)frees / n);
}

static int tick_put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	int fd;
	ssize_t len = (ssize_t)strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* The files a candidate cgroup has on a 4-node 6.12 machine. */
static int tick_make_cgroup(const char *dir, unsigned i)
{
	char current[64], numa[1024];
	static const char *const names[] = { "cgroup.events", "memory.min", "memory.low", "memory.pressure",
					     "memory.stat", "memory.reclaim" };
	static const char *const texts[] = {
		"populated 1\nfrozen 0\n", "0\n", "0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=100\n",
		"anon 8388608\nfile 33554432\nshmem 0\npgscan 1000\npgsteal 900\n", ""
	};
	uint64_t file = (uint64_t)(i % 64 + 1) << 20;
	int r;

	if (mkdir(dir, 0755) < 0)
		return -errno;
	snprintf(current, sizeof(current), "%" PRIu64 "\n", file * 4 + (8 << 20));
	snprintf(numa, sizeof(numa),
		 "anon N0=2097152 N1=2097152 N2=2097152 N3=2097152\n"
		 "file N0=%" PRIu64 " N1=%" PRIu64 " N2=%" PRIu64 " N3=%" PRIu64 "\n"
		 "inactive_anon N0=2097152 N1=2097152 N2=2097152 N3=2097152\n"
		 "active_anon N0=0 N1=0 N2=0 N3=0\n"
		 "inactive_file N0=%" PRIu64 " N1=%" PRIu64 " N2=%" PRIu64 " N3=%" PRIu64 "\n"
		 "active_file N0=0 N1=0 N2=0 N3=0\nunevictable N0=0 N1=0 N2=0 N3=0\n",
		 file, file, file, file, file, file, file, file);
	r = tick_put(dir, "memory.current", current);
	if (r >= 0)
		r = tick_put(dir, "memory.numa_stat", numa);
	for (size_t k = 0; r >= 0 && k < ELEMENTSOF(names); k++)
		r = tick_put(dir, names[k], texts[k]);
	return r;
}

static int tick_make_tree(const char *fixture, const char *root, unsigned n_cgroups)
{
	char cmd[8192], cg[600], dir[700];
	int r;

	snprintf(cmd, sizeof(cmd),
		 "cp -R '%s/proc' '%s/' && mkdir -p '%s/sys/devices' '%s/sys/fs/cgroup' && "
		 "cp -R '%s/sys/devices/system' '%s/sys/devices/' && chmod -R u+w '%s'",
		 fixture, root, root, root, fixture, root, root);
	if (system(cmd) != 0)
		return -EIO;
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", root);
	r = tick_put(cg, "cgroup.controllers", "cpu io memory pids\n");
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n_cgroups; i++) {
		if (i % 10 == 0) {
			snprintf(dir, sizeof(dir), "%s/s%u.slice", cg, i / 10);
			if (mkdir(dir, 0755) < 0)
				return -errno;
		}
		snprintf(dir, sizeof(dir), "%s/s%u.slice/c%u.service", cg, i / 10, i);
		r = tick_make_cgroup(dir, i);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The offload rows' config: every cgroup below a slice Offload=yes, all
 * else the defaults (the VM scenario offload-many's, without its 5% step). */
static const char tick_offload_conf_text[] = "[CGroup /*.slice/*]\nOffload=yes\n";

/* A path's policy as the daemon resolves it, swap not compressed:
 * OffloadSwappiness=auto is 0, page cache only. */
static void tick_offload_policy(void *userdata, const char *path, struct cgroup_policy *ret)
{
	conf_cgroup_policy_resolve(userdata, path, /* swap_compressed= */ false,
				   (uint64_t)sysconf(_SC_PAGESIZE), ret);
}

/* The actuator's clock for the offload rows (actuator_config.clock and
 * .sleep): a counter in microseconds. */
static uint64_t tick_clock_now(void *userdata)
{
	return *(uint64_t *)userdata;
}

static void tick_clock_sleep(void *userdata, uint64_t usec)
{
	*(uint64_t *)userdata += usec;
}

/* Each cgroup's memory.stat and memory.numa_stat get the text of the
 * fixture's captured ones of system.slice/cache.service (a 6.12 kernel's:
 * 60 and 31 lines), rewritten in place: the kept fds read them. */
static int tick_real_stat_files(const char *fixture, const char *root, unsigned n_cgroups)
{
	static const char *const names[] = { "memory.stat", "memory.numa_stat" };
	char path[4096], dir[700];

	for (size_t k = 0; k < ELEMENTSOF(names); k++) {
		char text[8192];
		ssize_t len;
		int fd;

		snprintf(path, sizeof(path), "%s/sys/fs/cgroup/system.slice/cache.service/%s", fixture,
			 names[k]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (len <= 0)
			return -EIO;
		text[len] = 0;
		for (unsigned i = 0; i < n_cgroups; i++) {
			int r;

			snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/s%u.slice/c%u.service", root, i / 10,
				 i);
			r = tick_put(dir, names[k], text);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* The actuator as manager.c's setup_actuator() configures it from conf
 * (RateLimit=, the brakes), on the fake clock. */
static int tick_offload_actuator(const char *root, struct cgroup_set *set, const struct conf *conf,
				 uint64_t *clock, struct actuator **ret)
{
	const struct conf_reclaim *rc = conf_reclaim(conf);
	struct actuator_config acfg = {
		.root = root,
		.cgroups = set,
		.rate_bytes_per_sec = rc->rate_limit_bytes_per_sec,
		.cgroup_brake = { .window_usec = rc->pressure_window_usec,
				  .limit_usec = rc->pressure_limit_permyriad * rc->pressure_window_usec /
						CONF_PERMYRIAD_MAX },
		.system_brake = { .window_usec = rc->pressure_window_usec,
				  .limit_usec = rc->system_brake_permyriad * rc->pressure_window_usec /
						CONF_PERMYRIAD_MAX },
		.clock = tick_clock_now,
		.sleep = tick_clock_sleep,
		.hook_userdata = clock,
	};

	acfg.features = (struct features){ .cgroup2_memory = true, .memory_reclaim = true,
					   .reclaim_swappiness = true, .swappiness_probed = true,
					   .psi = true };
	actuator_config_defaults(&acfg);
	return actuator_new(&acfg, ret);
}

/* One SHRINK_OFFLOAD as offload_main() asks for it (manager_shrink() adds
 * the node's shrink_lock); the bytes it decided, or a negative errno. */
static int64_t tick_offload_shrink(struct actuator *act, bool dry_run)
{
	struct shrink_request req = { .kind = SHRINK_OFFLOAD, .node = 0, .priority = 12,
				      .dry_run = dry_run };
	struct shrink_result res = {};
	int r;

	r = actuator_shrink(act, &req, &res);
	return r < 0 ? r : (int64_t)res.nr_requested;
}

static void tick_offload_write_noop(void *userdata, const struct actuator_offload_write *w)
{
	(void)userdata;
	(void)w;
}

static void tick_offload_change_noop(void *userdata, const struct actuator_offload_change *c)
{
	(void)userdata;
	(void)c;
}

/* Judging passes, n_pass of them, each an OffloadInterval= after the last
 * ended; then, timed apart, what the loop does on the event of a pass
 * that decided steps (ring_event(): report the writes and the state
 * changes; its callbacks log at debug and broadcast to watchers: none
 * here). */
static int tick_offload_passes(struct actuator *act, uint64_t *clock, uint64_t interval_usec,
			       bool dry_run, const char *what, struct tick_sample *ns,
			       struct tick_sample *ns_report,
			       unsigned n_pass)
{
	uint64_t allocs = 0, frees = 0, a_rep = 0, f_rep = 0, decided = 0;

	for (unsigned i = 0; i < n_pass; i++) {
		uint64_t a0 = nr_allocs, f0 = nr_frees;
		struct tick_sample t0;
		int64_t k;

		*clock += interval_usec;
		t0 = tick_start();
		k = tick_offload_shrink(act, dry_run);
		ns[i] = tick_since(t0);
		if (k < 0) {
			fprintf(stderr, "offload pass: %s\n", strerror((int)-k));
			return (int)k;
		}
		decided += (uint64_t)k;
		allocs += nr_allocs - a0;
		frees += nr_frees - f0;
		a0 = nr_allocs;
		f0 = nr_frees;
		t0 = tick_start();
		actuator_report_offload_writes(act, tick_offload_write_noop, NULL);
		actuator_sample_offload(act, tick_offload_change_noop, NULL);
		ns_report[i] = tick_since(t0);
		a_rep += nr_allocs - a0;
		f_rep += nr_frees - f0;
	}
	tick_report(what, ns, n_pass, allocs, frees);
	printf("  (decided %.1f MiB a pass)\n", (double)decided / n_pass / (1 << 20));
	if (dry_run)
		tick_report("  then the loop's report of the pass", ns_report, n_pass, a_rep, f_rep);
	return 0;
}

/* The offload thread's work over every cgroup, Offload=yes. */
static int tick_offload(const char *fixture, const char *root, unsigned n_cgroups,
			struct cgroup_set *set, struct tick_sample *ns, unsigned iters)
{
	_cleanup_(actuator_freep) struct actuator *act = NULL;
	_cleanup_free_ struct tick_sample *ns_report = NULL;
	struct conf *conf = NULL;
	uint64_t clock = UINT64_C(1000000000), interval_usec, a0, f0;
	unsigned n_pass = MIN(iters, 500u);
	char err[256];
	int r;

	r = conf_load_string(tick_offload_conf_text, strlen(tick_offload_conf_text), "bench-tick",
			     &conf, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "config: %s\n", err);
		return r;
	}
	ns_report = calloc(iters, sizeof(*ns_report));
	r = ns_report ? tick_real_stat_files(fixture, root, n_cgroups) : -ENOMEM;
	if (r < 0)
		goto out;
	/* The daemon walks with the config's policy (a reload, here). */
	set->cfg.policy = tick_offload_policy;
	set->cfg.policy_userdata = conf;
	r = cgroup_rescan(set);
	if (r >= 0)
		r = tick_offload_actuator(root, set, conf, &clock, &act);
	if (r < 0)
		goto out;
	interval_usec = set->cgroups[0]->policy.offload_params.interval_usec;
	printf("offload: %zu cgroups, interval %" PRIu64 " ms, max step %" PRIu64 "/10000\n",
	       set->n_cgroups, interval_usec / 1000,
	       set->cgroups[0]->policy.offload_params.max_step_permyriad);
	/* The first judgement of each is its first sample (no step). */
	if (tick_offload_shrink(act, /* dry_run= */ true) != 0) {
		fprintf(stderr, "offload: the first pass failed or took a step\n");
		r = -EIO;
		goto out;
	}

	/* Ticks of the 500 ms timer with nothing due: 1 us apart, all well
	 * inside the interval the pass above started. */
	a0 = nr_allocs;
	f0 = nr_frees;
	for (unsigned i = 0; i < iters; i++) {
		struct tick_sample t0 = tick_start();
		int64_t k;

		clock++;
		k = tick_offload_shrink(act, /* dry_run= */ true);
		ns[i] = tick_since(t0);
		if (k != 0) {
			fprintf(stderr, "offload tick: judged (%" PRId64 ")\n", k);
			r = -EIO;
			goto out;
		}
	}
	tick_report("offload tick, nothing due", ns, iters, nr_allocs - a0, nr_frees - f0);

	r = tick_offload_passes(act, &clock, interval_usec, /* dry_run= */ true,
				"offload pass, every cgroup judged, dry run", ns, ns_report, n_pass);
	if (r >= 0)
		r = tick_offload_passes(act, &clock, interval_usec, /* dry_run= */ false,
					"offload pass, every cgroup judged, writes", ns, ns_report,
					n_pass);
out:
	/* The set outlives the config: walk without it from now on. */
	set->cfg.policy = NULL;
	set->cfg.policy_userdata = NULL;
	conf_free(conf);
	return r;
}

int main(int argc, char **argv)
{
	static struct zoneinfo zi;
	char root[512], cmd[600];
	unsigned n_cgroups = 1000, iters = 2000, n_rescan;
	struct zoneinfo_reader *zr = NULL;
	struct cgroup_set *set = NULL;
	struct actuator *act = NULL;
	struct watermark_params wp;
	struct tick_sample *ns;
	uint64_t a0, f0, below = 0;
	int r, ret = 1;

	if (argc < 2 || (argc > 2 && (safe_atou(argv[2], &n_cgroups) < 0 || n_cgroups < 1)) ||
	    (argc > 3 && (safe_atou(argv[3], &iters) < 0 || iters < 10))) {
		fprintf(stderr, "usage: %s FIXTURE_DIR [N_CGROUPS >= 1] [ITERATIONS >= 10]\n", argv[0]);
		return 2;
	}
	ns = calloc(iters, sizeof(*ns));
	if (!ns)
		return 1;
	snprintf(root, sizeof(root), "%s/reclaimd-bench-tick-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	r = tick_make_tree(argv[1], root, n_cgroups);
	if (r < 0) {
		fprintf(stderr, "cannot build the fixture tree under %s: %s\n", root, strerror(-r));
		goto out;
	}

	/* What timing an empty call costs, part of every figure below. */
	for (unsigned i = 0; i < iters; i++)
		ns[i] = tick_since(tick_start());
	tick_report("(an empty call: the clocks' own cost)", ns, iters, 0, 0);

	/* Monitor tick. */
	watermark_params_init(&wp);
	r = zoneinfo_reader_open(root, &zr);
	if (r >= 0)
		r = zoneinfo_reader_read(zr, &zi);
	if (r < 0) {
		fprintf(stderr, "zoneinfo under %s: %s\n", root, strerror(-r));
		goto out;
	}
	a0 = nr_allocs;
	f0 = nr_frees;
	for (unsigned i = 0; i < iters; i++) {
		struct tick_sample t0 = tick_start();
		uint64_t interval = UINT64_MAX;

		r = zoneinfo_reader_read(zr, &zi);
		if (r < 0)
			goto out;
		for (unsigned k = 0; k < zi.n_nodes; k++) {
			const struct node_zoneinfo *n = &zi.nodes[k];

			interval = MIN(interval, watermark_monitor_interval_usec(n, WATERMARK_ZONEIDX_ALL, &wp));
			below += watermark_node_below_low(n, WATERMARK_ZONEIDX_ALL, &wp);
		}
		ns[i] = tick_since(t0);
	}
	printf("fixture %s: %u nodes, %u cgroups\n", argv[1], zi.n_nodes, n_cgroups);
	tick_report("monitor tick (zoneinfo re-read + watermarks)", ns, iters, nr_allocs - a0, nr_frees - f0);

	/* Cgroup rescan. */
	{
		struct cgroup_config ccfg = { .root = root, .mount = "/sys/fs/cgroup", .skip_fs_check = true };

		r = cgroup_set_new(&ccfg, &set);
		if (r < 0) {
			fprintf(stderr, "cgroup walk: %s\n", strerror(-r));
			goto out;
		}
		printf("candidates: %zu\n", set->n_cgroups);
		n_rescan = MIN(iters, 50u);
		a0 = nr_allocs;
		f0 = nr_frees;
		for (unsigned i = 0; i < n_rescan; i++) {
			struct tick_sample t0 = tick_start();

			r = cgroup_rescan(set);
			ns[i] = tick_since(t0);
			if (r < 0) {
				fprintf(stderr, "rescan: %s\n", strerror(-r));
				goto out;
			}
		}
		tick_report("cgroup rescan (walk, reopen new, carry state)", ns, n_rescan, nr_allocs - a0,
			    nr_frees - f0);
	}

	/* A node pass in dry run, spread over the candidates. */
	{
		struct actuator_config acfg = { .root = root, .cgroups = set, .dry_run = true,
						.avoid_node_file = true, .node_mask = 0xf };
		struct shrink_request req = { .kind = SHRINK_NODE, .nr_to_reclaim = UINT64_C(64) << 20,
					      .swappiness = SWAPPINESS_KERNEL_DEFAULT, .priority = 12 };
		struct shrink_result res;
		unsigned n_pass = MIN(iters, 500u);

		acfg.features = (struct features){ .cgroup2_memory = true, .memory_reclaim = true,
						   .reclaim_swappiness = true, .swappiness_probed = true,
						   .psi = true };
		r = actuator_new(&acfg, &act);
		if (r < 0) {
			fprintf(stderr, "actuator: %s\n", strerror(-r));
			goto out;
		}
		for (int pass = 0; pass < 2; pass++) {
		/* First at the daemon's default level (info: dry run logs one
		 * line per write it would make), then with info lines off. */
		if (pass == 1)
			log_set_max_level(LOG_WARNING);
		a0 = nr_allocs;
		f0 = nr_frees;
		for (unsigned i = 0; i < n_pass; i++) {
			struct tick_sample t0 = tick_start();

			req.node = (int)(i % 4);
			memset(&res, 0, sizeof(res));
			r = actuator_shrink(act, &req, &res);
			ns[i] = tick_since(t0);
			if (r < 0) {
				fprintf(stderr, "shrink: %s\n", strerror(-r));
				goto out;
			}
		}
		tick_report(pass ? "node pass, dry run, spread (log level warning)"
				 : "node pass, dry run, spread (log level info)",
			    ns, n_pass, nr_allocs - a0, nr_frees - f0);
		}
		printf("last pass: requested %" PRIu64 " bytes, %u skipped\n", res.nr_requested, res.nr_skipped);
	}

	/* The offload thread, the daemon's default log level. */
	log_set_max_level(LOG_INFO);
	r = tick_offload(argv[1], root, n_cgroups, set, ns, iters);
	if (r < 0)
		goto out;
	printf("(%" PRIu64 " below-low decisions)\n", below);
	ret = 0;
out:
	actuator_free(act);
	cgroup_set_free(set);
	zoneinfo_reader_free(zr);
	free(ns);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void)system(cmd);
	return ret;
}
