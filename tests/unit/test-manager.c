/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manager as it runs: a real manager on a copy of the 6.12 fixture
 * tree, its threads running, its event loop stepped by hand.
 *
 * - Its threads do not hold each other up: one Offload=yes cgroup, whose
 *   offload write is held in the actuator's write hook (as a memory.reclaim
 *   write of a large step on a slow swap device is held in the kernel)
 *   while node 0 is asked to reclaim. Offload ran on node 0's context under
 *   node 0's lock, so node 0 waited for the whole offload pass.
 * - The watermark monitor of a dry run below the marks reads zoneinfo no
 *   faster than a dry-run node can be woken.
 */

#include <errno.h>
#include <inttypes.h>
#include <event2/event.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "ctl-proto.h"
#include "log.h"
#include "manager.h"
#include "util.h"

#define WAIT_OFFLOAD_USEC (20 * USEC_PER_SEC)
#define WAIT_NODE_USEC (5 * USEC_PER_SEC)

struct fixture {
	char dir[256];
	struct manager *m;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool offload_in_write; /* the offload thread is held in a write */
	bool release;          /* let it go */
	unsigned nr_offload_writes;
};

/* The actuator's writes: the offload thread's wait until released (a
 * bounded wait, so that a failing test still ends), everyone else's go
 * to the fixture's files. */
static ssize_t hook_write(void *userdata, int fd, const char *buf, size_t n)
{
	struct fixture *f = userdata;
	char name[16] = "";

	(void)pthread_getname_np(pthread_self(), name, sizeof(name));
	if (streq(name, "reclaimd/offl")) {
		struct timespec until;

		timespec_after_usec(&until, 2 * WAIT_OFFLOAD_USEC);
		pthread_mutex_lock(&f->lock);
		f->nr_offload_writes++;
		f->offload_in_write = true;
		pthread_cond_broadcast(&f->cond);
		while (!f->release && pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
			;
		f->offload_in_write = false;
		pthread_mutex_unlock(&f->lock);
	}
	return pwrite(fd, buf, n, 0);
}

/* Write the copy's /proc/buddyinfo in place (the daemon's reader keeps
 * its fd): each zone with managed pages in the copy's zoneinfo, with
 * pages order-0 blocks; skip_zone, if not NULL, left out. */
#define BUDDY_FREE_PAGES 1000

static void write_buddy(const char *dir, unsigned pages, const char *skip_zone)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "awk -v skip='%s' '/^Node/ { n = $2; z = $4 } $1 == \"managed\" && $2 > 0 && "
		 "n \" \" z != skip { printf \"Node %%s zone %%8s %%6d      0      0      0      0"
		 "      0      0      0      0      0      0 \\n\", n, z, %u }' %s/root/proc/zoneinfo "
		 ">%s/buddy.new && cat %s/buddy.new >%s/root/proc/buddyinfo",
		 skip_zone ? skip_zone : "", pages, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
}

/* A manager on a copy of the fixture with config text conf; sed, if not
 * NULL, edits the copy's /proc/zoneinfo first; with buddy, the copy has a
 * /proc/buddyinfo (write_buddy(), BUDDY_FREE_PAGES a zone but node 0's
 * zone skip_zone), which the fixture has not. */
static struct fixture *fixture_new_buddy(const char *conf, const char *sed, bool buddy,
				       const char *skip_zone)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct manager_options o = { .actuator_write = hook_write };
	struct conf *c = NULL;
	char cmd[1024], err[512], root[300], path[512];
	pthread_condattr_t attr;
	FILE *fp;

	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&attr);
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cond, &attr);
	pthread_condattr_destroy(&attr);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-manager.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* A copy: the writes go to its reclaim files. */
	snprintf(cmd, sizeof(cmd), "cp -r %s/vm-6.12-4node %s/root", FIXTURES_DIR, f->dir);
	assert_int_equal(system(cmd), 0);
	if (sed) {
		snprintf(cmd, sizeof(cmd), "sed -i '%s' %s/root/proc/zoneinfo", sed, f->dir);
		assert_int_equal(system(cmd), 0);
	}
	if (buddy)
		write_buddy(f->dir, BUDDY_FREE_PAGES, skip_zone);
	snprintf(root, sizeof(root), "%s/root", f->dir);
	snprintf(path, sizeof(path), "%s/reclaimd.conf", f->dir);
	fp = fopen(path, "we");
	assert_non_null(fp);
	fprintf(fp, "[Control]\nSocket=%s/sock\n%s", f->dir, conf);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(conf_load(path, NULL, &c, err, sizeof(err)), 0);
	o.root = root;
	o.hook_userdata = f;
	log_set_max_level(LOG_WARNING);
	assert_int_equal(manager_new(&o, c, &f->m), 0);
	assert_true(f->m->n_nodes >= 2);
	return f;
}

static struct fixture *fixture_new(const char *conf, const char *sed)
{
	return fixture_new_buddy(conf, sed, false, NULL);
}

/* 10% of the cgroup's 300 MiB a 1 s interval: a step at its second
 * judgement, a second after start. */
static int setup_offload(void **state)
{
	*state = fixture_new("[Reclaim]\nDryRun=no\n"
			     "[CGroup system.slice/cache.service]\nOffload=yes\n"
			     "OffloadInterval=1s\nOffloadMaxStep=10%\n",
			     NULL);
	return 0;
}

/* Every zone far below every mark (as bench/dryrun-cost makes it). */
static int setup_dry_below(void **state)
{
	*state = fixture_new("[Reclaim]\nDryRun=yes\n",
			     "s/^\\(  pages free[[:space:]]*\\)[0-9]*/\\1100/");
	return 0;
}

/* Every zone far below every mark in zoneinfo (100 pages free), at
 * BUDDY_FREE_PAGES in buddyinfo; full reads due every 300 ms. */
#define MONITOR_FREE_CONF "[Reclaim]\nDryRun=no\nPSITrigger=off\nMonitorIntervalMax=300ms\n"
#define MONITOR_FREE_SED "s/^\\(  pages free[[:space:]]*\\)[0-9]*/\\1100/"

static int setup_monitor_free(void **state)
{
	*state = fixture_new_buddy(MONITOR_FREE_CONF, MONITOR_FREE_SED, true, NULL);
	return 0;
}

/* At the default MonitorIntervalMax= (2 s): a second between full reads. */
static int setup_monitor_default(void **state)
{
	*state = fixture_new_buddy("[Reclaim]\nDryRun=no\nPSITrigger=off\n", MONITOR_FREE_SED,
				   true, NULL);
	return 0;
}

/* A boost standing on every zone. */
static int setup_monitor_boost(void **state)
{
	*state = fixture_new_buddy(MONITOR_FREE_CONF,
				   MONITOR_FREE_SED ";s/^\\(        boost[[:space:]]*\\)0/\\15/", true,
				   NULL);
	return 0;
}

/* No buddyinfo (the fixture's tree has none). */
static int setup_monitor_nobuddy(void **state)
{
	*state = fixture_new(MONITOR_FREE_CONF, MONITOR_FREE_SED);
	return 0;
}

/* Buddyinfo without node 0's Movable zone. */
static int setup_monitor_zone_missing(void **state)
{
	*state = fixture_new_buddy(MONITOR_FREE_CONF, MONITOR_FREE_SED, true, "0, Movable");
	return 0;
}

/* Node 3 without managed pages (memoryless), which buddyinfo lists not. */
static int setup_monitor_memoryless(void **state)
{
	*state = fixture_new_buddy(MONITOR_FREE_CONF,
				   MONITOR_FREE_SED
				   ";/^Node 3,/,$ s/^\\(        managed[[:space:]]*\\)[0-9]*/\\10/",
				   true, NULL);
	return 0;
}

/* The job back from the worker, done or not after timeout_usec. */
static bool job_wait(struct manager *m, uint64_t timeout_usec)
{
	uint64_t until = now_usec() + timeout_usec;
	bool done;

	for (;;) {
		pthread_mutex_lock(&m->worker_lock);
		done = m->job && m->job_done;
		pthread_mutex_unlock(&m->worker_lock);
		if (done || now_usec() >= until)
			return done;
		usleep(10 * 1000);
	}
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	pthread_mutex_lock(&f->lock);
	f->release = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	/* A job the test left (it has no control call to answer): taken back
	 * once the worker is done with it. */
	if (f->m->job) {
		(void)job_wait(f->m, 30 * USEC_PER_SEC);
		pthread_mutex_lock(&f->m->worker_lock);
		free(f->m->job);
		f->m->job = NULL;
		pthread_mutex_unlock(&f->m->worker_lock);
	}
	manager_free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)system(cmd);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* An operator's reclaim of node 0 (the userspace direct reclaim) is served
 * while an offload write is under way: it waited for the offload write
 * before, which on a kernel is up to a whole offload pass over every due
 * cgroup (every StepSize= write of each). The node threads' passes take
 * the same lock as the operator's node reclaim. */
static void test_node_not_held_by_offload(void **state)
{
	struct fixture *f = *state;
	struct manager_job *job = calloc(1, sizeof(*job));
	struct timespec until;
	bool in_write;

	assert_non_null(job);
	timespec_after_usec(&until, WAIT_OFFLOAD_USEC);
	pthread_mutex_lock(&f->lock);
	while (!f->offload_in_write &&
	       pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
		;
	in_write = f->offload_in_write;
	pthread_mutex_unlock(&f->lock);
	assert_true(in_write);

	job->req = (struct shrink_request){ .kind = SHRINK_NODE,
					    .node = f->m->nodes[0].id,
					    .nr_to_reclaim = UINT64_C(1) << 20,
					    .priority = DEF_PRIORITY };
	assert_int_equal(manager_start_job(f->m, job), 0);
	assert_true(job_wait(f->m, WAIT_NODE_USEC));
	assert_true(job->r >= 0);
	assert_int_equal(job->res.nr_requested, UINT64_C(1) << 20);
	/* ...and the offload write was still held all along. */
	pthread_mutex_lock(&f->lock);
	in_write = f->offload_in_write;
	pthread_mutex_unlock(&f->lock);
	assert_true(in_write);
}

static int run_set(struct manager *m, const char *key, const char *value)
{
	struct json_object *args = json_object_new_object(), *ret = NULL;
	struct ctl_peer peer = { .uid = 0, .admin = true };
	char err[512] = "";
	int r;

	json_object_object_add(args, "key", json_object_new_string(key));
	json_object_object_add(args, "value", json_object_new_string(value));
	r = manager_ctl_handler.handle(m, NULL, &peer, ctl_command_find("set"), args, &ret, err,
				       sizeof(err));
	json_object_put(args);
	json_object_put(ret);
	return r;
}

/* A dry run below the marks: the monitor re-read zoneinfo every
 * MonitorIntervalMin= (100 ms), though a dry-run node is woken at most
 * once per MonitorIntervalMax= (2 s), and each read holds every zone's
 * lock with interrupts off (docs/benchmarks.md, "The dry run's monitor").
 * Where PSI is polled on the monitor's timer (a fixture tree, a refused
 * trigger) half a trigger window, so that the dry run sees the stalls the
 * daemon would. */
static void test_dry_run_monitor_paced(void **state)
{
	struct fixture *f = *state;
	struct balance_params p;
	uint64_t ticks = f->m->nr_monitor_ticks;

	/* The first tick is due at once. */
	(void)event_base_loop(f->m->base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
	assert_true(f->m->nr_monitor_ticks > ticks);
	assert_int_equal(kswapd_get_node_params(f->m->kswapd, f->m->nodes[0].id, &p), 0);
	assert_true(p.dry_run);
	assert_true(f->m->psi_polling); /* a fixture tree takes no trigger */
	assert_int_equal(f->m->monitor_interval_usec, f->m->psi_armed.window_usec / 2);
	assert_true(f->m->monitor_interval_usec > p.wmark.interval_min_usec);
	/* Without PSI wakes, MonitorIntervalMax=. */
	assert_int_equal(run_set(f->m, "Reclaim.PSITrigger", "off"), 0);
	ticks = f->m->nr_monitor_ticks;
	while (f->m->nr_monitor_ticks == ticks)
		(void)event_base_loop(f->m->base, EVLOOP_ONCE);
	assert_int_equal(f->m->monitor_interval_usec, p.wmark.interval_max_usec);
	/* Reclaiming, the same node is read at the fastest, from at once. */
	ticks = f->m->nr_monitor_ticks;
	assert_int_equal(run_set(f->m, "Reclaim.DryRun", "no"), 0);
	(void)event_base_loop(f->m->base, EVLOOP_NONBLOCK);
	assert_true(f->m->nr_monitor_ticks > ticks);
	assert_int_equal(kswapd_get_node_params(f->m->kswapd, f->m->nodes[0].id, &p), 0);
	assert_false(p.dry_run);
	assert_int_equal(f->m->monitor_interval_usec, p.wmark.interval_min_usec);
}

/* Node 0's free pages in the monitor's snapshot. */
static uint64_t monitor_node0_free(struct manager *m)
{
	const struct node_zoneinfo *n = zoneinfo_node(m->zi, m->nodes[0].id);
	uint64_t free = 0;

	assert_non_null(n);
	for (unsigned i = 0; i < n->n_zones; i++)
		if (n->zones[i].managed)
			free += n->zones[i].free;
	return free;
}

/* One tick of the monitor; true if it read free pages alone. A free read
 * only while the full read is younger than limit_usec, and a full read
 * renews it. */
static bool monitor_tick_once(struct manager *m, uint64_t limit_usec)
{
	uint64_t ticks = m->nr_monitor_ticks, frees = m->nr_monitor_free_reads;
	uint64_t full = m->monitor_full_usec;

	while (m->nr_monitor_ticks == ticks)
		(void)event_base_loop(m->base, EVLOOP_ONCE);
	if (m->nr_monitor_free_reads > frees) {
		assert_int_equal(m->monitor_full_usec, full);
		if (m->monitor_tick_usec - full >= limit_usec)
			fail_msg("a free-pages read %" PRIu64 " us after the full read (limit %" PRIu64
				 " us)", m->monitor_tick_usec - full, limit_usec);
		return true;
	}
	assert_int_equal(m->monitor_full_usec, m->monitor_tick_usec);
	return false;
}

/* Ticks for duration_usec: how many read free pages alone, each checked
 * by monitor_tick_once(); the snapshot's free pages are zoneinfo's after
 * every tick (buddyinfo unchanged: its offset from zoneinfo applied). */
static unsigned monitor_ticks(struct manager *m, uint64_t limit_usec, uint64_t duration_usec,
			      unsigned *ret_full)
{
	uint64_t until = now_usec() + duration_usec, zones = 0;
	const struct node_zoneinfo *n = zoneinfo_node(m->zi, m->nodes[0].id);
	unsigned free_reads = 0, full_reads = 0;

	for (unsigned i = 0; i < n->n_zones; i++)
		zones += n->zones[i].managed != 0;
	while (now_usec() < until) {
		if (monitor_tick_once(m, limit_usec))
			free_reads++;
		else
			full_reads++;
		assert_int_equal(monitor_node0_free(m), zones * 100);
	}
	*ret_full = full_reads;
	return free_reads;
}

/* Near the marks the monitor ticks every MonitorIntervalMin= (100 ms), and
 * each read of all of /proc/zoneinfo holds every zone's lock with
 * interrupts off while the kernel prints the zone (issue 14): between full
 * reads at most MonitorIntervalMax= (here 300 ms) apart, each zone's free
 * pages alone from /proc/buddyinfo, with its offset from zoneinfo's count
 * at the last full read. */
static void test_monitor_free_between_full(void **state)
{
	struct fixture *f = *state;
	unsigned full, free_reads, tries = 0;

	assert_int_equal(monitor_node0_free(f->m), 3 * 100); /* DMA, DMA32, Movable */
	free_reads = monitor_ticks(f->m, 300 * 1000, 1500 * 1000, &full);
	assert_true(free_reads >= 2);
	assert_true(full >= 2);
	/* Two free reads between full ones at 100 ms ticks 300 ms apart
	 * (three where a tick comes early), not the other way round. */
	assert_true(free_reads <= 3 * (full + 1));
	assert_int_equal(f->m->nr_monitor_free_errors, 0);

	/* 500 more pages a zone in buddyinfo after a full read: the free
	 * read after it says 600 a zone (100 + 500), the full read after that
	 * zoneinfo's 100 again. */
	for (;;) {
		while (monitor_tick_once(f->m, 300 * 1000))
			;
		write_buddy(f->dir, BUDDY_FREE_PAGES + 500, NULL);
		if (monitor_tick_once(f->m, 300 * 1000))
			break;
		write_buddy(f->dir, BUDDY_FREE_PAGES, NULL);
		/* A slow machine may have missed the window: again. */
		assert_true(++tries < 20);
	}
	assert_int_equal(monitor_node0_free(f->m), 3 * 600);
	while (monitor_tick_once(f->m, 300 * 1000))
		assert_int_equal(monitor_node0_free(f->m), 3 * 600);
	assert_int_equal(monitor_node0_free(f->m), 3 * 100);
}

/* The default MonitorIntervalMax= is 2 s; a full read still comes every
 * second (KSWAPD_SNAPSHOT_MAX_AGE_USEC, the age a node thread allows). */
static void test_monitor_full_every_second(void **state)
{
	struct fixture *f = *state;
	unsigned full, free_reads;

	free_reads = monitor_ticks(f->m, 1000 * 1000, 2500 * 1000, &full);
	assert_true(free_reads >= 5);
	assert_true(full >= 2);
}

/* A boost standing: every read is a full one (the marks move when the
 * kernel clears it, and only zoneinfo shows it). */
static void test_monitor_full_while_boosted(void **state)
{
	struct fixture *f = *state;
	unsigned full;

	assert_int_equal(monitor_ticks(f->m, 300 * 1000, 1000 * 1000, &full), 0);
	assert_true(f->m->monitor_full_boost);
	assert_true(full >= 5);
}

/* Without buddyinfo, or without one of a node's zones in it: full reads. */
static void test_monitor_full_without_buddyinfo(void **state)
{
	struct fixture *f = *state;
	unsigned full;

	assert_int_equal(monitor_ticks(f->m, 300 * 1000, 1000 * 1000, &full), 0);
	assert_false(f->m->monitor_free_ok);
	assert_true(full >= 5);
}

/* A node without managed pages has no buddyinfo line: it does not stop the
 * free-pages reads of the others. */
static void test_monitor_free_memoryless(void **state)
{
	struct fixture *f = *state;
	unsigned full;

	assert_true(monitor_ticks(f->m, 300 * 1000, 1000 * 1000, &full) >= 2);
	assert_true(f->m->monitor_free_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_node_not_held_by_offload, setup_offload,
						teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_monitor_paced, setup_dry_below,
						teardown),
		cmocka_unit_test_setup_teardown(test_monitor_free_between_full, setup_monitor_free,
						teardown),
		cmocka_unit_test_setup_teardown(test_monitor_full_while_boosted,
						setup_monitor_boost, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_full_every_second,
						setup_monitor_default, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_full_without_buddyinfo,
						setup_monitor_nobuddy, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_full_without_buddyinfo,
						setup_monitor_zone_missing, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_free_memoryless,
						setup_monitor_memoryless, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
