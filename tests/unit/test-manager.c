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
 * - An operator's reclaim whose write is held when the daemon stops is
 *   answered "stopping" before the write ends.
 * - The offload thread sleeps while no cgroup says Offload=yes.
 * - With no watch client, the node threads' events do not wake the loop.
 * - The loop's thread wakes once for each timer, not again for the rest of
 *   a deadline its clock had not reached.
 * - Each monitor tick tells the actuator which nodes are below our own
 *   high marks, so that a boost's quota wait ends when one falls below.
 */

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "ctl-client.h"
#include "ctl-proto.h"
#include "log.h"
#include "manager.h"
#include "ring.h"
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
	bool hold_ctl;    /* hold the control worker's writes too */
	bool ctl_in_write; /* the control worker is held in a write */
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
	} else if (streq(name, "reclaimd/ctl")) {
		struct timespec until;

		timespec_after_usec(&until, 2 * WAIT_OFFLOAD_USEC);
		pthread_mutex_lock(&f->lock);
		if (f->hold_ctl) {
			f->ctl_in_write = true;
			pthread_cond_broadcast(&f->cond);
			while (!f->release &&
			       pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
				;
			f->ctl_in_write = false;
		}
		pthread_mutex_unlock(&f->lock);
	}
	return pwrite(fd, buf, n, 0);
}

/* A manager on a copy of the fixture with config text conf; sed, if not
 * NULL, edits the copy's /proc/zoneinfo first. */
static struct fixture *fixture_new(const char *conf, const char *sed)
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
	snprintf(root, sizeof(root), "%s/root", f->dir);
	snprintf(path, sizeof(path), "%s/reclaimd.conf", f->dir);
	fp = fopen(path, "we");
	assert_non_null(fp);
	fprintf(fp, "[Control]\nSocket=%s/sock\n", f->dir);
	/* Not root: this user's group may change the daemon. */
	if (getuid() != 0 && getgrgid(getgid()))
		fprintf(fp, "AdminGroup=%s\n", getgrgid(getgid())->gr_name);
	fputs(conf, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(conf_load(path, NULL, &c, err, sizeof(err)), 0);
	o.root = root;
	o.hook_userdata = f;
	log_set_max_level(LOG_WARNING);
	assert_int_equal(manager_new(&o, c, &f->m), 0);
	assert_true(f->m->n_nodes >= 2);
	return f;
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
	if (f->m && f->m->job) {
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

/* The fixture's zoneinfo with every zone's free pages set to free, in place:
 * the reader keeps the file it opened at start. The fixture has no
 * buddyinfo, so every monitor tick reads zoneinfo whole (monitor_read());
 * with one, the monitor's free pages would come from it instead. */
static void zoneinfo_free_set(struct fixture *f, unsigned free)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "sed 's/^\\(  pages free[[:space:]]*\\)[0-9]*/\\1%u/' %s/root/proc/zoneinfo >%s/zi && "
		 "cat %s/zi >%s/root/proc/zoneinfo",
		 free, f->dir, f->dir, f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
}

/* What the actuator holds of every node: below our high marks or not, and
 * the falls counted. */
static void assert_every_node(struct fixture *f, bool below, unsigned want_falls)
{
	unsigned falls;

	for (unsigned i = 0; i < f->m->n_nodes; i++) {
		assert_int_equal(actuator_below_high(f->m->actuator, f->m->nodes[i].id, &falls), below);
		assert_int_equal(falls, want_falls);
	}
}

static void monitor_tick_wait(struct fixture *f)
{
	uint64_t ticks = f->m->nr_monitor_ticks;

	while (f->m->nr_monitor_ticks == ticks)
		(void)event_base_loop(f->m->base, EVLOOP_ONCE);
}

/* The monitor's part in "a boost's wait ends when the node falls below our
 * high marks" (actuator_set_below_high(); the wait itself is test-actuator
 * test_quota_wait_cut_by_fall): every tick says of every node whether it
 * is below them, and a fall counts once until the node was above again.
 * A dry run, so that the nodes' threads take nothing meanwhile. */
static void test_monitor_below_high(void **state)
{
	struct fixture *f = *state;
	char cmd[512];
	uint64_t errors;
	unsigned falls;

	monitor_tick_wait(f); /* every zone at 100 free pages */
	assert_every_node(f, true, 1);
	monitor_tick_wait(f);
	assert_true(actuator_below_high(f->m->actuator, f->m->nodes[0].id, &falls));
	assert_int_equal(falls, 1);
	zoneinfo_free_set(f, 1000000);
	monitor_tick_wait(f);
	assert_every_node(f, false, 1);
	zoneinfo_free_set(f, 100);
	monitor_tick_wait(f);
	assert_every_node(f, true, 2);
	/* A tick whose read fails says nothing: the side and the count stay
	 * (a wait then runs to its tokens). */
	snprintf(cmd, sizeof(cmd), "echo garbage >%s/root/proc/zoneinfo", f->dir);
	assert_int_equal(system(cmd), 0);
	errors = f->m->nr_monitor_errors;
	monitor_tick_wait(f);
	assert_true(f->m->nr_monitor_errors > errors);
	assert_every_node(f, true, 2);
}

static uint64_t offload_passes(struct manager *m)
{
	return __atomic_load_n(&m->nr_offload_passes, __ATOMIC_RELAXED);
}

/* With no Offload=yes cgroup the offload thread does not tick (it woke
 * twice a second for nothing); a reload that brings one wakes it, through
 * the walk the reload makes, and it ticks from then on. */
static void test_offload_idle_until_configured(void **state)
{
	struct fixture *f = *state;
	uint64_t until = now_usec() + WAIT_NODE_USEC, passes, rescans;
	char path[512], err[512];
	FILE *fp;

	/* Its first pass, at start. */
	while (offload_passes(f->m) == 0 && now_usec() < until)
		usleep(10 * 1000);
	passes = offload_passes(f->m);
	assert_int_equal(passes, 1);
	/* Three ticks' time: no pass. */
	usleep(1600 * 1000);
	assert_int_equal(offload_passes(f->m), passes);

	/* Its writes are not held (hook_write()). */
	pthread_mutex_lock(&f->lock);
	f->release = true;
	pthread_mutex_unlock(&f->lock);
	snprintf(path, sizeof(path), "%s/reclaimd.conf", f->dir);
	fp = fopen(path, "ae");
	assert_non_null(fp);
	fputs("[CGroup system.slice/cache.service]\nOffload=yes\nOffloadInterval=1s\n", fp);
	assert_int_equal(fclose(fp), 0);
	rescans = f->m->nr_rescans;
	assert_int_equal(manager_reload(f->m, err, sizeof(err), NULL), 0);
	until = now_usec() + WAIT_NODE_USEC;
	while (f->m->nr_rescans == rescans && now_usec() < until)
		(void)event_base_loop(f->m->base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
	assert_true(f->m->nr_rescans > rescans);
	/* Woken by the walk, then a tick every 500 ms. */
	until = now_usec() + WAIT_NODE_USEC;
	while (offload_passes(f->m) < passes + 3 && now_usec() < until)
		usleep(10 * 1000);
	assert_true(offload_passes(f->m) >= passes + 3);
}

static int setup_reclaiming(void **state)
{
	*state = fixture_new("[Reclaim]\nDryRun=no\n", NULL);
	return 0;
}

static void *free_thread(void *userdata)
{
	manager_free(userdata);
	return NULL;
}

/* A client on the manager's socket that asked for an 8 MiB reclaim of
 * cache.service. */
static struct ctl_client *send_reclaim(struct fixture *f)
{
	const char *req = "{\"v\":1,\"id\":1,\"cmd\":\"reclaim\",\"args\":"
			  "{\"cgroup\":\"/system.slice/cache.service\",\"bytes\":8388608}}\n";
	struct ctl_client *c = NULL;
	char sock[300];

	snprintf(sock, sizeof(sock), "%s/sock", f->dir);
	assert_int_equal(ctl_client_connect(sock, WAIT_NODE_USEC, &c), 0);
	assert_int_equal(ctl_client_send_raw(c, req, strlen(req)), 0);
	return c;
}

/* The daemon stops while an operator's reclaim is in a write: the client
 * is told at once, not when the write ends. It was told only after the
 * threads were joined, and the join waits for the kernel's try in
 * progress: a CI run of 6.12 (VM scenario `stop`) took 34 s from SIGTERM
 * to exit, and the client had given up with "No answer from the daemon
 * in time". */
static void test_stop_answers_before_join(void **state)
{
	struct fixture *f = *state;
	_cleanup_(ctl_client_freep) struct ctl_client *c = NULL;
	uint64_t until = now_usec() + WAIT_NODE_USEC;
	struct ctl_reply reply;
	struct ctl_error e;
	pthread_t t;
	bool held;
	int r;

	f->hold_ctl = true;
	c = send_reclaim(f);
	for (;;) {
		(void)event_base_loop(f->m->base, EVLOOP_NONBLOCK);
		pthread_mutex_lock(&f->lock);
		held = f->ctl_in_write;
		pthread_mutex_unlock(&f->lock);
		if (held || now_usec() > until)
			break;
		usleep(5000);
	}
	assert_true(held);
	/* The loop has ended (SIGTERM); the write is still held. */
	assert_int_equal(pthread_create(&t, NULL, free_thread, f->m), 0);
	r = ctl_client_read(c, WAIT_NODE_USEC, &reply, &e);
	pthread_mutex_lock(&f->lock);
	held = f->ctl_in_write;
	f->release = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	f->m = NULL;
	if (r < 0)
		fail_msg("no answer while the write was held: %s", e.message);
	assert_true(held);
	assert_int_equal(reply.kind, CTL_REPLY_ERROR);
	assert_int_equal(reply.error.code, -ECANCELED);
	assert_string_equal(reply.error.message, "reclaimd is stopping.");
	ctl_reply_done(&reply);
	/* Once: then the connection closes (a review found the answer sent
	 * twice, by the call's flush and the server's at free). */
	assert_int_equal(ctl_client_read(c, WAIT_NODE_USEC, &reply, &e), -ECONNRESET);
}

/* A reclaim done before the stop, whose result the loop had not taken
 * back yet: answered with its result, not "stopping". */
static void test_stop_answers_done_job(void **state)
{
	struct fixture *f = *state;
	_cleanup_(ctl_client_freep) struct ctl_client *c = send_reclaim(f);
	uint64_t until = now_usec() + WAIT_NODE_USEC;
	struct json_object *x;
	struct ctl_reply reply;
	struct ctl_error e;
	bool held = false;
	int r;

	/* Stepped until the job's write is held, then left: the worker's end
	 * is not taken back. (Stepped until the job was seen instead, a
	 * loaded CI run took it back between two steps.) */
	f->hold_ctl = true;
	while (!held && now_usec() < until) {
		(void)event_base_loop(f->m->base, EVLOOP_NONBLOCK);
		pthread_mutex_lock(&f->lock);
		held = f->ctl_in_write;
		pthread_mutex_unlock(&f->lock);
		usleep(5000);
	}
	pthread_mutex_lock(&f->lock);
	f->release = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	assert_true(held);
	assert_non_null(f->m->job);
	assert_true(job_wait(f->m, WAIT_NODE_USEC));
	manager_free(f->m);
	f->m = NULL;
	r = ctl_client_read(c, WAIT_NODE_USEC, &reply, &e);
	if (r < 0)
		fail_msg("no answer: %s", e.message);
	if (reply.kind != CTL_REPLY_OK)
		fail_msg("answered %s \"%s\", not its result",
			 ctl_error_code_to_string(reply.error.code), reply.error.message);
	assert_true(json_object_object_get_ex(reply.payload, "requested_bytes", &x));
	assert_int_equal(json_object_get_uint64(x), 8388608);
	ctl_reply_done(&reply);
}

/* Node 0's thread in its full sleep (state SLEEPING, a full sleep
 * counted), within WAIT_NODE_USEC. */
static struct kswapd_state sleeping(struct fixture *f, uint64_t sleeps_past)
{
	uint64_t until = now_usec() + WAIT_NODE_USEC;
	struct kswapd_state st = { 0 };

	do {
		assert_int_equal(kswapd_get_state(f->m->kswapd, 0, &st), 0);
		if (st.counters.full_sleeps > sleeps_past && st.state == KSWAPD_STATE_SLEEPING)
			break;
		usleep(5000);
	} while (now_usec() < until);
	assert_true(st.counters.full_sleeps > sleeps_past);
	assert_int_equal(st.state, KSWAPD_STATE_SLEEPING);
	return st;
}

/* Node 0's thread, asleep, woken for reason and back in its full sleep:
 * its wake record was pushed as the run began, before the sleep was
 * counted; the sleep's own record follows the state, so 500 ms more. */
static struct kswapd_state wake_and_sleep(struct fixture *f, enum balance_wake_reason reason,
					  uint64_t boost_bytes)
{
	struct balance_request w = BALANCE_REQUEST_NONE;
	struct kswapd_state st;

	st = sleeping(f, 0);
	w.reasons = 1u << reason;
	w.boost_bytes = boost_bytes;
	assert_int_equal(kswapd_wake(f->m->kswapd, f->m->nodes[0].id, &w), 0);
	st = sleeping(f, st.counters.full_sleeps);
	usleep(500000);
	return st;
}

/* The records held, taken as the loop's drain takes them. */
static unsigned drain(struct fixture *f)
{
	struct kswapd_event ev;
	unsigned n = 0;

	while (ring_pop(f->m->events, &ev) == 1)
		n++;
	return n;
}

/* With no watch client nobody waits for most of the node threads' events:
 * the ring is lazy and the monitor tick takes them, so a routine run wakes
 * the loop for nothing (before, each batch woke it: one or two wakeups a
 * run: a fifth of the loop's wakeups in the 6.18 application benchmark
 * without a watcher, docs/benchmarks.md). The end of a run that is not
 * routine (here an operator's boost) still wakes it: its line is at info
 * level. A watch client's subscription announces what is held at once;
 * its end makes the ring lazy again. The loop is not stepped (its monitor
 * tick would drain the ring): the test takes the records itself. Where a
 * wakeup is expected, it is waited for (a loaded CI run once counted the
 * sleep before the thread had pushed its records). */
static void test_events_lazy_without_watchers(void **state)
{
	struct fixture *f = *state;
	struct pollfd p = { .fd = ring_fd(f->m->events), .events = POLLIN };
	struct kswapd_state st;

	/* The start-up's records, if any, out of the way. */
	(void)sleeping(f, 0);
	usleep(100000);
	(void)drain(f);
	/* A watermark wake of a node above its marks: its wake, a routine
	 * run balanced at once (or none: a premature wake) and its sleep,
	 * held unannounced. */
	st = wake_and_sleep(f, BALANCE_WAKE_WATERMARK, 0);
	assert_int_equal(st.failures, 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	/* status's wake reason does not wait for the records: kept as the
	 * wake was pushed. */
	assert_int_equal(__atomic_load_n(&f->m->nodes[0].last_wake_reasons, __ATOMIC_RELAXED),
			 1u << BALANCE_WAKE_WATERMARK);
	/* A watcher comes: announced at once. */
	manager_subscribers_changed(f->m, 1);
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(drain(f) >= 1); /* the wake at least */
	assert_int_equal(poll(&p, 1, 0), 0);
	/* With a watcher the sleep ends the batch and wakes the loop. */
	(void)wake_and_sleep(f, BALANCE_WAKE_WATERMARK, 0);
	assert_int_equal(poll(&p, 1, WAIT_NODE_USEC / 1000), 1);
	assert_true(drain(f) > 0);
	/* The last one gone: lazy again. */
	manager_subscribers_changed(f->m, 0);
	(void)wake_and_sleep(f, BALANCE_WAKE_WATERMARK, 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_true(drain(f) > 0);
	/* A dry run's are held too. It kept the ring eager while its paced
	 * wakes were not understood: they came from the monitor's timer
	 * ending early on libevent's coarse clock (test_loop_one_wakeup_per_timer). */
	assert_int_equal(run_set(f->m, "Reclaim.DryRun", "yes"), 0);
	st = wake_and_sleep(f, BALANCE_WAKE_WATERMARK, 0);
	assert_int_equal(st.failures, 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_true(drain(f) > 0);
	assert_int_equal(run_set(f->m, "Reclaim.DryRun", "no"), 0);
	/* An operator's boost ends a run that is not routine: announced. */
	(void)wake_and_sleep(f, BALANCE_WAKE_BOOST, 1 << 20);
	assert_int_equal(poll(&p, 1, WAIT_NODE_USEC / 1000), 1);
	assert_true(drain(f) > 0);
}

struct timer_count {
	struct event *ev;
	unsigned fired, n;
};

/* Rescheduled from its own callback, as the monitor's tick is, at 20-24 ms:
 * intervals whose phase to the jiffy moves, as the monitor's paced ones do
 * (at a whole number of jiffies the clock's lag hardly changes between
 * two ticks, and the early end was rare). */
static void count_timer(evutil_socket_t fd, short what, void *userdata)
{
	struct timer_count *t = userdata;
	const struct timeval tv = { .tv_usec = 20000 + (suseconds_t)(t->fired * 1700 % 4000) };

	(void)fd;
	(void)what;
	if (++t->fired < t->n)
		assert_int_equal(evtimer_add(t->ev, &tv), 0);
}

/* libevent's default clock is CLOCK_MONOTONIC_COARSE, up to a jiffy behind:
 * the wait for a timer ended before the loop saw the deadline, and it
 * waited again for the rest. A dry run's monitor at 250 ms woke the loop
 * 239-263 times in 30 s for about 120 ticks. Each wait that blocks is a voluntary
 * context switch of this thread: one a timer, a few to spare. */
static void test_loop_one_wakeup_per_timer(void **state)
{
	struct event_base *base = manager_event_base_new();
	struct timer_count t = { .n = 25 };
	struct rusage r0, r1;

	(void)state;
	assert_non_null(base);
	t.ev = evtimer_new(base, count_timer, &t);
	assert_non_null(t.ev);
	assert_int_equal(getrusage(RUSAGE_THREAD, &r0), 0);
	count_timer(-1, 0, &t);
	assert_int_equal(event_base_dispatch(base), 1); /* no event left */
	assert_int_equal(getrusage(RUSAGE_THREAD, &r1), 0);
	assert_int_equal(t.fired, t.n);
	print_message("%u timers, %ld voluntary switches\n", t.n - 1, r1.ru_nvcsw - r0.ru_nvcsw);
	/* RUSAGE_THREAD counts them (a timer already due when the loop
	 * waits, after a preemption of this thread, is no switch: half). */
	assert_true(r1.ru_nvcsw - r0.ru_nvcsw >= (t.n - 1) / 2);
	assert_true(r1.ru_nvcsw - r0.ru_nvcsw <= t.n - 1 + (t.n - 1) / 5);
	event_free(t.ev);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_node_not_held_by_offload, setup_offload,
						teardown),
		cmocka_unit_test_setup_teardown(test_monitor_below_high, setup_dry_below, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_monitor_paced, setup_dry_below,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_answers_before_join,
						setup_reclaiming, teardown),
		cmocka_unit_test_setup_teardown(test_stop_answers_done_job, setup_reclaiming,
						teardown),
		cmocka_unit_test_setup_teardown(test_offload_idle_until_configured,
						setup_reclaiming, teardown),
		cmocka_unit_test(test_loop_one_wakeup_per_timer),
		cmocka_unit_test_setup_teardown(test_events_lazy_without_watchers,
						setup_reclaiming, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
