/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The node threads against the simulated node: sleep and wake, premature
 * wakes, the hopeless node, pause/resume (the freezer), stop within one
 * write, state, params, events and the watchdog heartbeat. The branch table
 * mapping the seed to tests is at the top of test-balance.c.
 *
 * No test sleeps for a fixed time: they wait on the engine's events or on
 * the gate in the backend, with a 10 s limit that only a bug reaches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kswapd.h"
#include "sim-node.h"
#include "std-params.h"
#include "util.h"

#define PAGE 4096u
#define MIB (UINT64_C(1) << 20)
#define UHIGH 17500u
#define EV_MAX 4096
#define WAIT_LIMIT_SEC 10

struct fixture {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sim_node sims[2];
	unsigned n_sims;

	/* The gate: when closed, a shrink waits for a token. */
	bool gate_closed;
	unsigned gate_tokens;
	unsigned in_shrink;   /* shrinks that reached the gate */

	struct kswapd_event ev[EV_MAX];
	unsigned n_ev;

	uint64_t free_override[2]; /* start(): free pages of node i if set */
	const struct balance_params *node_params[2]; /* start(): [Node N] */
	uint64_t brake_wait_usec;  /* start(): 0 = the default */
	/* Pages allocated on the next short sleep (the nap), so that the
	 * sleep check finds the node below its high mark with no wake. */
	uint64_t alloc_on_nap;
	unsigned n_compact;        /* backend compact() calls */
	bool compact_held;         /* compact() waits while set */
	unsigned in_compact;       /* compact() calls that began */
	uint64_t free_pages, high_order_pages; /* backend free_blocks() */
	unsigned n_free_blocks;    /* its calls */
	bool kernel_compacts_fragmented; /* start(): the kernel's proactive compaction */
	struct node_reclaim_limits node_reclaim; /* start(): the kernel's node-reclaim minimums */
	bool zone_free;            /* start(): a backend zone_free() */
	int zone_free_error;       /* ... that fails with this */
	unsigned n_zone_free;      /* its calls */
	uint64_t snapshot_max_age_usec; /* start(): 0 = the default */
	uint64_t snapshot_reuse_usec;   /* start(): 0 = the default */
	/* >= 0: a shrink blocks in a system call on this fd (a pipe nobody
	 * writes), up to 10 s, as a long memory.reclaim write does in the
	 * kernel; block_errno: how it ended (EINTR, or ETIMEDOUT). */
	int block_fd;
	int block_errno;
	/* With block_fd: only node block_node blocks, holding shrink_held as
	 * manager.c's shrink_lock is held across a write; the other nodes'
	 * shrinks wait for it to be blocking, then for the lock. */
	int block_node;
	pthread_mutex_t shrink_held;
	bool blocking;
	unsigned waited_lock;      /* shrinks that got the lock after waiting */

	struct kswapd *k;
};

static struct fixture F;

static struct sim_node *fixture_sim(struct fixture *f, int node)
{
	for (unsigned i = 0; i < f->n_sims; i++)
		if (f->sims[i].id == node)
			return &f->sims[i];
	return NULL;
}

static int fixture_snapshot(void *userdata, int node, struct node_zoneinfo *ret)
{
	struct fixture *f = userdata;
	struct sim_node *s;
	int r;

	pthread_mutex_lock(&f->lock);
	s = fixture_sim(f, node);
	r = s ? sim_node_snapshot(s, node, ret) : -ENOENT;
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int fixture_shrink(void *userdata, const struct shrink_request *req,
			  struct shrink_result *ret)
{
	struct fixture *f = userdata;
	struct sim_node *s;
	int r;

	pthread_mutex_lock(&f->lock);
	f->in_shrink++;
	pthread_cond_broadcast(&f->cond);
	while (f->gate_closed && f->gate_tokens == 0)
		pthread_cond_wait(&f->cond, &f->lock);
	if (f->gate_closed)
		f->gate_tokens--;
	if (f->block_fd >= 0 && req->node != f->block_node) {
		while (!f->blocking)
			pthread_cond_wait(&f->cond, &f->lock);
		pthread_mutex_unlock(&f->lock);
		pthread_mutex_lock(&f->shrink_held);
		pthread_mutex_unlock(&f->shrink_held);
		pthread_mutex_lock(&f->lock);
		f->waited_lock++;
		*ret = (struct shrink_result){ .interrupted = true };
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	if (f->block_fd >= 0) {
		struct pollfd p = { .fd = f->block_fd, .events = POLLIN };
		int k, e;

		pthread_mutex_lock(&f->shrink_held);
		f->blocking = true;
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		k = poll(&p, 1, 10 * 1000);
		e = errno;
		pthread_mutex_unlock(&f->shrink_held);
		pthread_mutex_lock(&f->lock);
		f->block_errno = k < 0 ? e : ETIMEDOUT;
		/* The actuator's answer to a write cut short (actuator.h). */
		*ret = (struct shrink_result){ .interrupted = k < 0 && e == EINTR };
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	s = fixture_sim(f, req->node);
	r = s ? sim_node_shrink(s, req, ret) : -ENOENT;
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int fixture_free_blocks(void *userdata, int node, unsigned min_order,
			       uint64_t *ret_free_pages, uint64_t *ret_high_order_pages)
{
	struct fixture *f = userdata;

	pthread_mutex_lock(&f->lock);
	f->n_free_blocks++;
	*ret_free_pages = f->free_pages;
	*ret_high_order_pages = f->high_order_pages;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* The sim's zones' free pages alone, as buddyinfo would give them. */
static int fixture_zone_free(void *userdata, int node, struct node_zoneinfo *zi)
{
	struct fixture *f = userdata;
	struct node_zoneinfo now;
	struct sim_node *s;
	int r;

	pthread_mutex_lock(&f->lock);
	f->n_zone_free++;
	s = fixture_sim(f, node);
	r = f->zone_free_error ? f->zone_free_error : s ? sim_node_snapshot(s, node, &now) : -ENOENT;
	if (r >= 0)
		for (unsigned i = 0; i < zi->n_zones; i++)
			zi->zones[i].free = now.zones[i].free;
	pthread_mutex_unlock(&f->lock);
	return r;
}

static int fixture_compact(void *userdata, int node)
{
	struct fixture *f = userdata;

	pthread_mutex_lock(&f->lock);
	f->in_compact++;
	pthread_cond_broadcast(&f->cond);
	while (f->compact_held)
		pthread_cond_wait(&f->cond, &f->lock);
	f->n_compact++;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Copies into a fixed array: no allocation, as the manager's ring. */
static void fixture_event(const struct kswapd_event *ev, void *userdata)
{
	struct fixture *f = userdata;

	pthread_mutex_lock(&f->lock);
	if (f->n_ev < EV_MAX)
		f->ev[f->n_ev++] = *ev;
	if (ev->type == KSWAPD_EVENT_SHORT_SLEEP && f->alloc_on_nap) {
		sim_node_alloc(&f->sims[ev->node], f->alloc_on_nap);
		f->alloc_on_nap = 0;
	}
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static unsigned count_events_locked(struct fixture *f, int node,
				    enum kswapd_event_type t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->n_ev; i++)
		if (f->ev[i].type == t && (node < 0 || f->ev[i].node == node))
			n++;
	return n;
}

static unsigned count_events(struct fixture *f, int node, enum kswapd_event_type t)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = count_events_locked(f, node, t);
	pthread_mutex_unlock(&f->lock);
	return n;
}

static bool wait_locked(struct fixture *f, struct timespec *deadline)
{
	return pthread_cond_timedwait(&f->cond, &f->lock, deadline) != ETIMEDOUT;
}

static void deadline_in(struct timespec *ts, int sec)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += sec;
}

/* Wait until node has emitted n events of type t. */
static void wait_event(struct fixture *f, int node, enum kswapd_event_type t, unsigned n)
{
	struct timespec deadline;
	bool ok = true;

	deadline_in(&deadline, WAIT_LIMIT_SEC);
	pthread_mutex_lock(&f->lock);
	while (count_events_locked(f, node, t) < n && ok)
		ok = wait_locked(f, &deadline);
	pthread_mutex_unlock(&f->lock);
	if (!ok)
		fail_msg("timed out waiting for %u %s events on node %d",
			 n, kswapd_event_type_to_string(t), node);
}

/* A negative check has to wait for something that must not happen: 200 ms
 * is twenty times what a woken thread needs to start a run here. */
/* Whether node emits its n-th event of type t within msec. */
static bool event_within(struct fixture *f, int node, enum kswapd_event_type t, unsigned n,
			 long msec)
{
	struct timespec deadline;
	bool seen;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += msec / 1000;
	deadline.tv_nsec += (msec % 1000) * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&f->lock);
	while (!(seen = count_events_locked(f, node, t) >= n) && wait_locked(f, &deadline))
		;
	pthread_mutex_unlock(&f->lock);
	return seen;
}

static void assert_no_event_within(struct fixture *f, int node,
				   enum kswapd_event_type t, unsigned n, long msec)
{
	if (event_within(f, node, t, n, msec))
		fail_msg("unexpected %s event %u on node %d",
			 kswapd_event_type_to_string(t), n, node);
}

static void wait_in_shrink(struct fixture *f, unsigned n)
{
	struct timespec deadline;
	bool ok = true;

	deadline_in(&deadline, WAIT_LIMIT_SEC);
	pthread_mutex_lock(&f->lock);
	while (f->in_shrink < n && ok)
		ok = wait_locked(f, &deadline);
	pthread_mutex_unlock(&f->lock);
	if (!ok)
		fail_msg("timed out waiting for shrink %u", n);
}

static void gate(struct fixture *f, bool closed, unsigned tokens)
{
	pthread_mutex_lock(&f->lock);
	f->gate_closed = closed;
	f->gate_tokens += tokens;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* The last event of type t from node; fails the test if there is none. */
static const struct kswapd_event *last_event(struct fixture *f, int node,
					     enum kswapd_event_type t)
{
	static const struct kswapd_event none = { .type = _KSWAPD_EVENT_MAX };

	for (unsigned i = f->n_ev; i > 0; i--)
		if (f->ev[i - 1].type == t && f->ev[i - 1].node == node)
			return &f->ev[i - 1];
	fail_msg("no %s event from node %d", kswapd_event_type_to_string(t), node);
	return &none;
}

static struct kswapd_state state_of(struct fixture *f, unsigned index)
{
	struct kswapd_state st;

	assert_int_equal(kswapd_get_state(f->k, index, &st), 0);
	return st;
}

/* Wait until node's thread is in the hold after its n-th empty
 * kernel-balanced run. */
static void wait_empty_runs(struct fixture *f, unsigned n)
{
	for (int i = 0; i < WAIT_LIMIT_SEC * 1000; i++) {
		struct kswapd_state st = state_of(f, 0);

		if (st.empty_runs >= n)
			return;
		usleep(1000);
	}
	fail_msg("node 0 did not reach %u empty runs", n);
}

static int setup(void **state)
{
	pthread_mutexattr_t a;

	memset(&F, 0, sizeof(F));
	F.block_fd = -1;
	pthread_mutex_init(&F.shrink_held, NULL);
	/* Error-checking: a test that fails an assertion while holding the
	 * lock (cmocka longjmps out) leaves it held by this thread; teardown
	 * then gets EDEADLK instead of hanging the suite. */
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&F.lock, &a);
	pthread_mutexattr_destroy(&a);
	pthread_cond_init(&F.cond, NULL);
	*state = &F;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	/* A failed assertion may have left the lock held by this thread
	 * (EDEADLK: we hold it now either way). */
	(void)pthread_mutex_lock(&f->lock);
	pthread_mutex_unlock(&f->lock);
	/* Never leave a thread parked at the gate or in a compaction. */
	gate(f, false, 0);
	pthread_mutex_lock(&f->lock);
	f->compact_held = false;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	f->k = kswapd_free(f->k);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	pthread_mutex_destroy(&f->shrink_held);
	return 0;
}

/* Start the engine on n sims (ids 0..n-1 unless preset) with free pages. */
static void start(struct fixture *f, unsigned n, uint64_t free_pages,
		  uint64_t short_sleep_usec, const struct balance_params *p)
{
	struct kswapd_node_config nodes[2] = {};
	struct kswapd_config c = {
		.nodes = nodes,
		.n_nodes = n,
		.backend = { .snapshot = fixture_snapshot, .shrink = fixture_shrink,
			     .free_blocks = fixture_free_blocks, .compact = fixture_compact,
			     .userdata = f },
		.params = *p,
		.short_sleep_usec = short_sleep_usec,
		.brake_wait_usec = f->brake_wait_usec,
		.snapshot_max_age_usec = f->snapshot_max_age_usec,
		.snapshot_reuse_usec = f->snapshot_reuse_usec,
		.kernel_compacts_fragmented = f->kernel_compacts_fragmented,
		.node_reclaim = f->node_reclaim,
		.event = fixture_event,
		.event_userdata = f,
	};

	if (f->zone_free)
		c.backend.zone_free = fixture_zone_free;
	f->n_sims = n;
	for (unsigned i = 0; i < n; i++) {
		sim_node_init(&f->sims[i], (int)i, 1000000,
			      f->free_override[i] ?: free_pages, 10000, 400000,
			      300000);
		nodes[i].node = (int)i;
		CPU_ZERO(&nodes[i].cpus);
		nodes[i].params = f->node_params[i];
	}
	assert_int_equal(kswapd_new(&c, &f->k), 0);
}

static struct balance_request wake_req(enum balance_wake_reason r, uint64_t boost)
{
	struct balance_request w = BALANCE_REQUEST_NONE;

	w.reasons = 1u << r;
	w.boost_bytes = boost;
	return w;
}

/* Node 0 falls 12000 pages short of UHIGH, and the monitor wakes it
 * (a watermark wake for every zone). */
static void starve_and_wake(struct fixture *f)
{
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);

	pthread_mutex_lock(&f->lock);
	sim_node_alloc(&f->sims[0], UHIGH - 12000);
	pthread_mutex_unlock(&f->lock);
	w.highest_zoneidx = 0;
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
}

/* Balanced: short sleep, then full sleep, no premature count. A watermark
 * wake runs balance_pgdat, which reclaims to the high mark, and the thread
 * goes back to sleep through the short sleep. */
static void test_sleep_and_wake(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	const struct kswapd_event *ev;
	struct kswapd_state st;

	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_int_equal(count_events(f, 0, KSWAPD_EVENT_SHORT_SLEEP), 1);
	st = state_of(f, 0);
	assert_int_equal(st.state, KSWAPD_STATE_SLEEPING);
	assert_int_equal(st.counters.full_sleeps, 1);
	assert_int_equal(st.counters.low_wmark_hit_quickly, 0);
	assert_int_equal(st.counters.high_wmark_hit_quickly, 0);
	assert_int_equal(st.counters.runs, 0);

	starve_and_wake(f);

	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_log, 1);
	assert_int_equal(f->sims[0].log[0].nr_to_reclaim, 5597 * PAGE);
	assert_int_equal(f->sims[0].log[0].kind, SHRINK_NODE);
	assert_int_equal(f->sims[0].zi.zones[0].free, 17597);
	ev = last_event(f, 0, KSWAPD_EVENT_WAKE);
	assert_int_equal(ev->reasons, 1u << BALANCE_WAKE_WATERMARK);
	assert_int_equal(ev->highest_zoneidx, 0);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_true(ev->result.balanced);
	assert_int_equal(ev->result.nr_reclaimed, 5597 * PAGE);
	ev = last_event(f, 0, KSWAPD_EVENT_SHRINK);
	assert_int_equal(ev->res.nr_reclaimed, 5597 * PAGE);
	assert_int_equal(ev->error, 0);
	/* Which records say that the thread waits next (the manager's batch
	 * of events ends there): the sleep; not the run's records, nor its
	 * nap, 100 ms at most, after which the sleep comes. */
	assert_false(ev->waits);
	assert_false(last_event(f, 0, KSWAPD_EVENT_WAKE)->waits);
	assert_false(last_event(f, 0, KSWAPD_EVENT_RUN_START)->waits);
	assert_false(last_event(f, 0, KSWAPD_EVENT_RUN_END)->waits);
	assert_false(last_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP)->waits);
	assert_true(last_event(f, 0, KSWAPD_EVENT_SLEEP)->waits);
	pthread_mutex_unlock(&f->lock);

	st = state_of(f, 0);
	assert_int_equal(st.counters.wakes[BALANCE_WAKE_WATERMARK], 1);
	assert_int_equal(st.counters.runs, 1);
	assert_int_equal(st.counters.full_sleeps, 2);
	assert_int_equal(st.counters.low_wmark_hit_quickly, 0);
	assert_int_equal(st.counters.high_wmark_hit_quickly, 0);
	assert_int_equal(st.pending.reasons, 0);
}

/* Issue 14: the sleep check before the nap takes the whole snapshot the
 * run ended on, read after its last write moments before; the check after
 * the nap reads again. A one-pass run reads zoneinfo at its start, after
 * its pass and after the nap: three (before, four: the check before the
 * nap read it again). The reuse is made to always apply here (on a slow
 * CI the moments may pass KSWAPD_SNAPSHOT_REUSE_USEC). */
static void test_sleep_check_takes_the_runs_snapshot(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;
	uint64_t snaps;

	f->snapshot_reuse_usec = 600 * USEC_PER_SEC;
	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	/* Starting up there was no run: both checks read. */
	st = state_of(f, 0);
	assert_int_equal(st.counters.snapshots, 2);
	snaps = st.counters.snapshots;

	starve_and_wake(f);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	st = state_of(f, 0);
	assert_int_equal(st.counters.runs, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_log, 1);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(st.counters.snapshots - snaps, 3);
	assert_int_equal(st.counters.full_sleeps, 2);
}

/*
 * Issue 14: after a shrink of a run the node thread reads what the next
 * decision needs (balance_refresh_kind()). A run of four node passes at 50%
 * efficiency (12, 11, 10, 9), four ways:
 *  0. no zone_free() hook: a snapshot at the run's start, after each pass,
 *     and the sleep checks (the baseline);
 *  1. the hook: after the first two passes (the next at 11 and 10, gentle)
 *     the free pages alone, two snapshots fewer; after the third (the next
 *     at 9 decides swap on the LRU sizes) and the fourth, the whole file,
 *     and the hook is not even called;
 *  2. the hook failing: the baseline's snapshots, two failed calls counted;
 *  3. a soft-target pass before each node pass (nothing over a soft
 *     target): no read after it (the node pass is planned from the check
 *     before), so the baseline's snapshots.
 * The node passes are the baseline's in every case (within the LRU share
 * of a pass, lru >> priority, which a free-pages read leaves as it was).
 */
static void test_zone_free_between_passes(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct kswapd_state st;
	uint64_t snaps, base_snaps = 0, want_pages[4] = {};

	for (int round = 0; round < 4; round++) {
		unsigned k = 0;

		f->zone_free = round == 1 || round == 2;
		f->zone_free_error = round == 2 ? -EIO : 0;
		/* The run must not outlast the snapshot age, on a slow CI; and
		 * the check before the nap always takes the run's last one. */
		f->snapshot_max_age_usec = 600 * USEC_PER_SEC;
		f->snapshot_reuse_usec = 600 * USEC_PER_SEC;
		p.soft_target = round == 3;
		start(f, 1, UHIGH, 10 * 1000, &p);
		wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
		st = state_of(f, 0);
		snaps = st.counters.snapshots;
		pthread_mutex_lock(&f->lock);
		f->sims[0].efficiency_permille = 500;
		f->sims[0].soft_asks_nothing = true;
		sim_node_alloc(&f->sims[0], UHIGH - 12000);
		f->n_zone_free = 0;
		pthread_mutex_unlock(&f->lock);
		w.highest_zoneidx = 0;
		assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
		wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);

		pthread_mutex_lock(&f->lock);
		for (unsigned i = 0; i < f->sims[0].n_log; i++) {
			uint64_t got = f->sims[0].log[i].nr_to_reclaim;

			if (f->sims[0].log[i].kind != SHRINK_NODE)
				continue;
			assert_true(k < ELEMENTSOF(want_pages));
			assert_int_equal(f->sims[0].log[i].priority, 12 - (int)k);
			if (round == 0)
				want_pages[k] = got;
			assert_in_range(got, want_pages[k] - want_pages[k] / 100,
					want_pages[k] + want_pages[k] / 100);
			k++;
		}
		assert_int_equal(k, ELEMENTSOF(want_pages));
		assert_int_equal(f->sims[0].n_log, round == 3 ? 2 * k : k);
		assert_int_equal(f->n_zone_free, f->zone_free ? 2 : 0);
		pthread_mutex_unlock(&f->lock);
		st = state_of(f, 0);
		assert_true(last_event(f, 0, KSWAPD_EVENT_RUN_END)->result.balanced);
		if (round == 0)
			base_snaps = st.counters.snapshots - snaps;
		assert_true(base_snaps >= 1 + ELEMENTSOF(want_pages));
		assert_int_equal(st.counters.zone_free_reads, round == 1 ? 2 : 0);
		assert_int_equal(st.counters.zone_free_unused, round == 2 ? 2 : 0);
		assert_int_equal(st.counters.snapshots - snaps, base_snaps - (round == 1 ? 2 : 0));
		teardown(state);
		setup(state);
		f = *state;
	}
}

/* The kernel's node-reclaim minimums gate a node whose reclaimable page
 * cache and slab are at them: its node passes say node_file_gated (the
 * actuator spreads them without the node-file write). Limits set at
 * runtime apply from the next run; unknown ones gate nothing. */
static void test_node_file_gated(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	const struct node_reclaim_limits unknown = { .known = false };
	unsigned gated = 0, open = 0;

	f->node_reclaim = (struct node_reclaim_limits){ .known = true, .min_unmapped_ratio = 1,
							 .min_slab_ratio = 5 };
	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);

	/* 0: gated; 1: the limits unknown (set at runtime); 2: known again
	 * (set at runtime), gated; 3: page cache above the minimum. */
	for (int round = 0; round < 4; round++) {
		bool want = round == 0 || round == 2;
		unsigned from;

		if (round == 1)
			kswapd_set_node_reclaim_limits(f->k, &unknown);
		if (round == 2)
			kswapd_set_node_reclaim_limits(f->k, &f->node_reclaim);
		pthread_mutex_lock(&f->lock);
		/* 1% of the node's 1000000 managed pages is 10000, judged
		 * gated from 9375 (a sixteenth below) down. */
		f->sims[0].zi.lru.nr_file_pages = round == 3 ? 400000 : 9000;
		f->sims[0].zi.lru.nr_slab_reclaimable = 100;
		sim_node_alloc(&f->sims[0], UHIGH - 12000); /* sets the file LRU */
		from = f->sims[0].n_log;
		pthread_mutex_unlock(&f->lock);
		w.highest_zoneidx = 0;
		assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
		wait_event(f, 0, KSWAPD_EVENT_SLEEP, (unsigned)round + 2);

		pthread_mutex_lock(&f->lock);
		assert_true(f->sims[0].n_log > from);
		for (unsigned i = from; i < f->sims[0].n_log; i++) {
			if (f->sims[0].log[i].kind != SHRINK_NODE)
				continue;
			if (f->sims[0].log[i].node_file_gated != want)
				fail_msg("round %d, shrink %u: node_file_gated %d", round, i,
					 f->sims[0].log[i].node_file_gated);
			if (want)
				gated++;
			else
				open++;
		}
		pthread_mutex_unlock(&f->lock);
	}
	assert_true(gated > 0);
	assert_true(open > 0);
}

/* One run with the free-pages reads between passes, on a node 5500
 * pages short of our high mark whose writer's list has room for 2000
 * (bypassed: the freed pages pass it by), half of each ask reclaimed. */
static void pcp_run(struct fixture *f, bool bypassed)
{
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);

	f->zone_free = true;
	f->snapshot_max_age_usec = 600 * USEC_PER_SEC;
	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	sim_node_pcp(&f->sims[0], 3000, 1000);
	f->sims[0].pcp_bypassed = bypassed;
	f->sims[0].efficiency_permille = 500;
	sim_node_alloc(&f->sims[0], UHIGH - 12000);
	f->n_zone_free = 0;
	pthread_mutex_unlock(&f->lock);
	w.highest_zoneidx = 0;
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
}

/* The per-CPU list's room comes with a full snapshot and is asked once:
 * the free-pages read between passes leaves it unknown, so the pass after
 * one that filled the list does not ask it again. */
static void test_zone_free_pcp_room_once(void **state)
{
	struct fixture *f = *state;
	const struct shrink_request *q;
	struct kswapd_state st;

	pcp_run(f, false);

	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].n_log >= 2);
	assert_true(f->n_zone_free >= 1);
	/* 5500 short + 400000 >> 12 = 97, and the room of 2000; half
	 * reclaimed: 2000 into the list, 1798 seen. */
	q = &f->sims[0].log[0];
	assert_int_equal(q->priority, 12);
	assert_int_equal(q->nr_to_reclaim, (5500 + 97 + 2000) * PAGE);
	/* Read from the free pages alone: 3702 short + 400000 >> 11 = 195
	 * (the LRU sizes are the full read's), and no room: the list is
	 * full, 3000 of 3000, which only the next full read would say. */
	q = &f->sims[0].log[1];
	assert_int_equal(q->priority, 11);
	assert_int_equal(q->nr_to_reclaim, (3702 + 195) * PAGE);
	assert_int_equal(f->sims[0].pcp_count, 3000);
	pthread_mutex_unlock(&f->lock);
	assert_true(last_event(f, 0, KSWAPD_EVENT_RUN_END)->result.balanced);
	/* The first pass measured the list's share (2000 of its 3798 pages
	 * unshown, the whole room); the second had no room to measure. */
	st = state_of(f, 0);
	assert_int_equal(st.counters.pcp_observations, 1);
	assert_int_equal(st.pcp_share, BALANCE_PCP_SHARE_ONE);
}

/* The same with the freed pages passing the list by (large folios): the
 * free pages refresh shows them all, and the node asks a quarter less of
 * the room for each pass measured. */
static void test_zone_free_pcp_bypassed(void **state)
{
	struct fixture *f = *state;
	struct kswapd_state st;

	pcp_run(f, true);

	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].n_log >= 2);
	assert_int_equal(f->sims[0].log[0].nr_to_reclaim, (5500 + 97 + 2000) * PAGE);
	assert_int_equal(f->sims[0].pcp_count, 1000);
	pthread_mutex_unlock(&f->lock);
	st = state_of(f, 0);
	/* Measured twice, each time none of it seen in the list: the first
	 * pass, and the one planned from the full read at priority 9 (the
	 * refreshes between, of the free pages alone, clear the room); 1024
	 * x 3 / 4 x 3 / 4. */
	assert_int_equal(st.counters.pcp_observations, 2);
	assert_int_equal(st.pcp_share, 576);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_log, 4);
	assert_int_equal(f->sims[0].log[3].priority, 9);
	assert_true(f->sims[0].log[3].wmark_deficit_bytes >
		    f->sims[0].log[2].wmark_deficit_bytes);
	pthread_mutex_unlock(&f->lock);
}

/* A pass after which the node is balanced: the free pages say the run
 * ends, so the whole file is read and decides (a run's end stands on a
 * full snapshot). */
static void test_zone_free_run_ends_on_snapshot(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;

	f->zone_free = true;
	f->snapshot_max_age_usec = 600 * USEC_PER_SEC;
	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	starve_and_wake(f);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_log, 1);
	assert_int_equal(f->n_zone_free, 1);
	pthread_mutex_unlock(&f->lock);
	st = state_of(f, 0);
	assert_true(last_event(f, 0, KSWAPD_EVENT_RUN_END)->result.balanced);
	assert_int_equal(st.counters.zone_free_reads, 0);
	assert_int_equal(st.counters.zone_free_unused, 1);
}

/* A soft-target pass that asked nothing (no cgroup has SoftTarget=) is
 * no write event; the node pass after it is. Every pass used to send an
 * empty "soft-target" write first. */
static void test_empty_soft_pass_silent(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	const struct kswapd_event *ev;
	enum shrink_kind kind0, kind1, last;
	unsigned n_log, n_shrink;

	p.soft_target = true;
	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	f->sims[0].soft_asks_nothing = true;
	sim_node_alloc(&f->sims[0], UHIGH - 12000);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);

	/* Copied under the lock, asserted outside it (a failed assert must
	 * not leave the fixture's lock held for the teardown). */
	pthread_mutex_lock(&f->lock);
	n_log = f->sims[0].n_log;
	kind0 = f->sims[0].log[0].kind;
	kind1 = f->sims[0].log[1].kind;
	n_shrink = count_events_locked(f, 0, KSWAPD_EVENT_SHRINK);
	ev = last_event(f, 0, KSWAPD_EVENT_SHRINK);
	last = ev ? ev->req.kind : SHRINK_SOFT_TARGET;
	pthread_mutex_unlock(&f->lock);
	/* Both passes ran... */
	assert_int_equal(n_log, 2);
	assert_int_equal(kind0, SHRINK_SOFT_TARGET);
	assert_int_equal(kind1, SHRINK_NODE);
	/* ...and only the node's is an event. */
	assert_int_equal(n_shrink, 1);
	assert_int_equal(last, SHRINK_NODE);
}

/* Woken during the short sleep: KSWAPD_LOW_WMARK_HIT_QUICKLY. The short
 * sleep is 10 s here, so only the wake can end it. */
static void test_premature_wake(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_MANUAL_RECLAIM, MIB);
	const struct kswapd_event *ev;
	struct kswapd_state st;

	start(f, 1, UHIGH, 10 * USEC_PER_SEC, &p);
	wait_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP, 1);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);

	st = state_of(f, 0);
	assert_int_equal(st.counters.low_wmark_hit_quickly, 1);
	assert_int_equal(st.counters.high_wmark_hit_quickly, 0);
	assert_int_equal(st.counters.full_sleeps, 0);
	assert_int_equal(st.counters.wakes[BALANCE_WAKE_MANUAL_RECLAIM], 1);
	pthread_mutex_lock(&f->lock);
	ev = last_event(f, 0, KSWAPD_EVENT_PREMATURE);
	assert_true(ev->premature_low);
	/* The 1 MiB asked for is paid as a boost: file only. */
	assert_int_equal(f->sims[0].n_log, 1);
	assert_int_equal(f->sims[0].log[0].nr_to_reclaim, (256 + 97) * PAGE);
	assert_int_equal(f->sims[0].log[0].swappiness, 0);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_int_equal(ev->result.boost_reclaimed, MIB);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(state_of(f, 0).boost_ledger_bytes, 0);
}

/* Woken early on a node that is still balanced: the wake is not swallowed
 * by a full sleep ("if (!remaining && ...)"), it runs balance_pgdat, which
 * finds nothing to do. */
static void test_premature_wake_balanced(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct kswapd_state st;

	start(f, 1, UHIGH, 10 * USEC_PER_SEC, &p);
	wait_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP, 1);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);
	st = state_of(f, 0);
	assert_int_equal(st.counters.low_wmark_hit_quickly, 1);
	assert_int_equal(st.counters.full_sleeps, 0);
	assert_int_equal(st.counters.runs, 1);
	assert_int_equal(st.counters.runs_ended[BALANCE_END_BALANCED], 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_shrinks, 0);
	pthread_mutex_unlock(&f->lock);
}

/* One node at free_pages whose every shrink, from its first write on,
 * reclaims nothing (efficiency 0) or comes back braked. */
static void start_gated(struct fixture *f, const struct balance_params *p,
			uint64_t free_pages, bool braked)
{
	pthread_mutex_lock(&f->lock);
	f->gate_closed = true; /* hold the first write until the sim is set */
	pthread_mutex_unlock(&f->lock);
	start(f, 1, free_pages, 10 * 1000, p);
	wait_in_shrink(f, 1);
	pthread_mutex_lock(&f->lock);
	if (braked)
		f->sims[0].braked = true;
	else
		f->sims[0].efficiency_permille = 0;
	f->gate_closed = false;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void start_failing(struct fixture *f, const struct balance_params *p,
			  uint64_t free_pages)
{
	start_gated(f, p, free_pages, false);
}

/* A node that cannot be reclaimed: each run ends short and goes straight
 * back to try-to-sleep, which counts KSWAPD_HIGH_WMARK_HIT_QUICKLY; after 16
 * failed runs the node is hopeless and sleeps; watermark wakes are ignored;
 * an operator's reclaim still reaches it, and its success clears failures. */
static void test_hopeless_thread(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct balance_request m = wake_req(BALANCE_WAKE_MANUAL_RECLAIM, 0);
	const struct kswapd_event *ev;
	struct kswapd_state st;

	/* Below the kernel's own high mark (10000): every failing run goes
	 * down all twelve priorities (above it, it ends at the first empty
	 * file-only pass below the gentle ones: test-balance). */
	start_failing(f, &p, 9000);

	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	st = state_of(f, 0);
	assert_int_equal(st.state, KSWAPD_STATE_HOPELESS);
	assert_true(st.hopeless);
	assert_int_equal(st.failures, MAX_RECLAIM_RETRIES);
	assert_int_equal(st.counters.runs, MAX_RECLAIM_RETRIES);
	assert_int_equal(st.counters.high_wmark_hit_quickly, MAX_RECLAIM_RETRIES);
	assert_int_equal(st.counters.low_wmark_hit_quickly, 0);
	assert_int_equal(st.counters.hopeless, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_shrinks, MAX_RECLAIM_RETRIES * DEF_PRIORITY);
	pthread_mutex_unlock(&f->lock);

	/* Ignored: no run. */
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, MAX_RECLAIM_RETRIES + 1, 200);
	st = state_of(f, 0);
	assert_int_equal(st.counters.wakes_ignored_hopeless, 1);
	assert_int_equal(st.state, KSWAPD_STATE_HOPELESS);

	pthread_mutex_lock(&f->lock);
	f->sims[0].efficiency_permille = 1000;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &m), 0);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);

	st = state_of(f, 0);
	assert_int_equal(st.counters.runs, MAX_RECLAIM_RETRIES + 1);
	assert_false(st.hopeless);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.counters.hopeless_recovered, 1);
	assert_int_equal(st.state, KSWAPD_STATE_SLEEPING);
	pthread_mutex_lock(&f->lock);
	/* One wake event carrying both requests: the ignored one was merged. */
	assert_int_equal(count_events_locked(f, 0, KSWAPD_EVENT_WAKE), 1);
	ev = last_event(f, 0, KSWAPD_EVENT_WAKE);
	assert_int_equal(ev->reasons, (1u << BALANCE_WAKE_WATERMARK) |
					      (1u << BALANCE_WAKE_MANUAL_RECLAIM));
	pthread_mutex_unlock(&f->lock);
}

/* One node at 12000 free pages (between the kernel's high mark and ours)
 * whose every shrink comes back braked from its first write on; a brake
 * wait of wait_usec. */
static void start_braked(struct fixture *f, const struct balance_params *p,
			 uint64_t wait_usec)
{
	f->brake_wait_usec = wait_usec;
	start_gated(f, p, 12000, true);
}

/* Issue 12 defect 2: under the system brake a node below its low mark
 * waits brake_wait_usec between runs (state "braked"), counts no failure and
 * never goes hopeless; once the brake lets go it balances. */
static void test_braked_waits(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;
	unsigned shrinks;

	start_braked(f, &p, 50 * 1000);

	wait_event(f, 0, KSWAPD_EVENT_BRAKED, 3);
	st = state_of(f, 0);
	assert_int_equal(st.failures, 0);
	assert_false(st.hopeless);
	assert_int_equal(st.counters.hopeless, 0);
	assert_int_equal(st.counters.failures, 0);
	assert_true(st.counters.braked >= 3);
	/* One shrink per run and one run per wait: 3 waits of 50 ms cannot
	 * hold 16 runs of 12 passes, which is what made the node hopeless. */
	pthread_mutex_lock(&f->lock);
	shrinks = f->sims[0].n_shrinks;
	pthread_mutex_unlock(&f->lock);
	assert_true(shrinks <= st.counters.runs + 1);
	assert_true(st.counters.runs < MAX_RECLAIM_RETRIES);
	assert_true(st.state == KSWAPD_STATE_BRAKED || st.state == KSWAPD_STATE_BALANCING ||
		    st.state == KSWAPD_STATE_SHORT_SLEEP);
	assert_string_equal(kswapd_thread_state_to_string(KSWAPD_STATE_BRAKED), "braked");

	pthread_mutex_lock(&f->lock);
	f->sims[0].braked = false;
	pthread_mutex_unlock(&f->lock);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	st = state_of(f, 0);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.counters.runs_ended[BALANCE_END_BALANCED], 1);
	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].zi.zones[0].free >= UHIGH);
	pthread_mutex_unlock(&f->lock);
}

/* A run with no wake of its own after a run that balanced: free memory
 * fell below the high mark in the nap (a premature sleep). It is the
 * watermark's, not the last wake's: it carried the PSI wake's reasons, so
 * that every such run after one PSI wake was logged as PSI's, at info. */
static void test_run_reasons_after_balanced(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_PSI, 0);
	const struct kswapd_event *ev;

	start(f, 1, UHIGH, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	sim_node_alloc(&f->sims[0], UHIGH - 12000);
	f->alloc_on_nap = 3000;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 2);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(count_events_locked(f, 0, KSWAPD_EVENT_WAKE), 1);
	assert_true(count_events_locked(f, 0, KSWAPD_EVENT_PREMATURE) >= 1);
	for (unsigned i = 0, n = 0; i < f->n_ev; i++) {
		ev = &f->ev[i];
		if (ev->node != 0 || ev->type != KSWAPD_EVENT_RUN_END)
			continue;
		assert_true(ev->result.balanced);
		assert_int_equal(ev->reasons, n++ == 0 ? 1u << BALANCE_WAKE_PSI
						     : 1u << BALANCE_WAKE_WATERMARK);
	}
	pthread_mutex_unlock(&f->lock);
}

/* Issue 12 defect 6: kswapd_manual_reclaim() wakes a hopeless node and, when
 * the operator's reclaim freed memory, clears its failures. */
static void test_manual_reclaim_thread(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;

	/* Below the kernel's own high mark, where failures count. */
	start_failing(f, &p, 9000);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_true(state_of(f, 0).hopeless);

	pthread_mutex_lock(&f->lock);
	f->sims[0].efficiency_permille = 1000;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_manual_reclaim(f->k, 0, 4096), 0);
	st = state_of(f, 0);
	assert_false(st.hopeless);
	assert_int_equal(st.failures, 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, MAX_RECLAIM_RETRIES + 1);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	/* One wake, a chain of runs: each run's start and end carry the
	 * reasons of the wake whose work it goes on with (the journal's line
	 * judges a run by them; the loop's last wake could be stale). The
	 * runs before any wake: the start found the node below its marks,
	 * the watermark's. */
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0, wake = 1u << BALANCE_WAKE_WATERMARK; i < f->n_ev; i++) {
		const struct kswapd_event *e = &f->ev[i];

		if (e->node != 0)
			continue;
		if (e->type == KSWAPD_EVENT_WAKE)
			wake = e->reasons;
		else if (e->type == KSWAPD_EVENT_RUN_START || e->type == KSWAPD_EVENT_RUN_END)
			assert_int_equal(e->reasons, wake);
	}
	assert_int_equal(last_event(f, 0, KSWAPD_EVENT_RUN_END)->reasons,
			 1u << BALANCE_WAKE_MANUAL_RECLAIM);
	pthread_mutex_unlock(&f->lock);
	st = state_of(f, 0);
	assert_int_equal(st.counters.wakes[BALANCE_WAKE_MANUAL_RECLAIM], 1);
	assert_int_equal(st.counters.runs, MAX_RECLAIM_RETRIES + 1);
	assert_int_equal(st.state, KSWAPD_STATE_SLEEPING);
	assert_int_equal(kswapd_manual_reclaim(f->k, 7, 0), -ENOENT);
}

/* A kernel boost of 512 pages on node 0's first zone, a wake, and the
 * compaction after the run that pays it: one, reason boost (a copy). */
static struct kswapd_event boost_compacts(struct fixture *f, const struct balance_request *w)
{
	struct kswapd_event ev;

	pthread_mutex_lock(&f->lock);
	f->sims[0].zi.zones[0].boost = 512;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, w), 0);
	wait_event(f, 0, KSWAPD_EVENT_COMPACT, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->n_compact, 1);
	ev = *last_event(f, 0, KSWAPD_EVENT_COMPACT);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(ev.compact, COMPACT_BOOST);
	return ev;
}

/* Issue 12 defect 5: a run that paid a kernel boost and balanced the node is
 * followed by one compaction (reason boost); the next run, with the boost
 * already paid, is not; and compactions are rate-limited. */
static void test_compact_after_boost(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct kswapd_event compact;
	const struct kswapd_event *ev;
	struct kswapd_state st;

	f->free_pages = 20000;
	f->high_order_pages = 20000; /* not fragmented */
	start(f, 1, 20000, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->n_compact, 0);
	pthread_mutex_unlock(&f->lock);

	compact = boost_compacts(f, &w);
	assert_int_equal(compact.error, 0);
	/* kcompactd's: it waits for its next request. */
	assert_true(compact.waits);
	pthread_mutex_lock(&f->lock);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_int_equal(ev->result.boost_reclaimed, 512 * PAGE);
	pthread_mutex_unlock(&f->lock);
	st = state_of(f, 0);
	assert_int_equal(st.counters.compactions[COMPACT_BOOST], 1);

	/* Paid: the next run owes nothing and compacts nothing; fragmented
	 * free memory within the minute is rate-limited. */
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	pthread_mutex_lock(&f->lock);
	f->high_order_pages = 0;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 2);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 3);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->n_compact, 1);
	assert_int_equal(last_event(f, 0, KSWAPD_EVENT_RUN_END)->result.boost_reclaimed, 0);
	pthread_mutex_unlock(&f->lock);
	st = state_of(f, 0);
	assert_int_equal(st.counters.compactions[COMPACT_FRAGMENTED], 0);
}

/* Where the kernel has proactive compaction, kcompactd compacts a
 * fragmented node itself (beside reclaimd its kswapd sleeps, which is what
 * kcompactd waits for), so a balanced run over fragmented free memory
 * compacts nothing and reads no free blocks; a paid boost still compacts,
 * as kswapd still wakes kcompactd for it. Without proactive compaction the
 * same run compacts, reason fragmented. */
static void test_compact_fragmented_left_to_kernel(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct kswapd_state st;

	f->free_pages = 20000;
	f->high_order_pages = 0; /* fragmented: no free block of order 9 */
	f->kernel_compacts_fragmented = true;
	start(f, 1, 20000, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	pthread_mutex_lock(&f->lock);
	assert_true(last_event(f, 0, KSWAPD_EVENT_RUN_END)->result.balanced);
	assert_int_equal(f->n_compact, 0);
	assert_int_equal(f->n_free_blocks, 0);
	pthread_mutex_unlock(&f->lock);

	(void)boost_compacts(f, &w);
	st = state_of(f, 0);
	assert_int_equal(st.counters.compactions[COMPACT_FRAGMENTED], 0);
	assert_int_equal(st.counters.compactions[COMPACT_BOOST], 1);
}

/* ... and on a kernel without it (before 5.9) the same run compacts,
 * reason fragmented. */
static void test_compact_fragmented_without_kernel_proactive(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);

	f->free_pages = 20000;
	f->high_order_pages = 0;
	start(f, 1, 20000, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_COMPACT, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->n_compact, 1);
	assert_int_equal(last_event(f, 0, KSWAPD_EVENT_COMPACT)->compact, COMPACT_FRAGMENTED);
	assert_true(f->n_free_blocks > 0);
	pthread_mutex_unlock(&f->lock);
}

/* The compaction write is kcompactd's, not the node thread's: a write that
 * takes long (seen in the VM: 8-35 s while a CPU could not run the per-CPU
 * drain it waits for) holds neither the node's next run nor its watchdog. */
static void test_compact_does_not_hold_reclaim(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct timespec deadline;
	unsigned n_ev, n_done;
	bool ok = true;

	f->free_pages = 20000;
	f->high_order_pages = 20000;
	start(f, 1, 20000, 10 * 1000, &p);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	f->compact_held = true;
	f->sims[0].zi.zones[0].boost = 512;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);

	/* The compaction began and hangs in the kernel ... */
	deadline_in(&deadline, WAIT_LIMIT_SEC);
	pthread_mutex_lock(&f->lock);
	while (f->in_compact == 0 && ok)
		ok = wait_locked(f, &deadline);
	pthread_mutex_unlock(&f->lock);
	assert_true(ok);
	/* ... while the node runs again when woken and goes back to sleep. */
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 2);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 2);
	pthread_mutex_lock(&f->lock);
	n_ev = count_events_locked(f, 0, KSWAPD_EVENT_COMPACT);
	n_done = f->n_compact;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(n_ev, 0);
	assert_int_equal(n_done, 0);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 3);
	assert_true(kswapd_find_stalled(f->k, now_usec() + 1, 1) < 0);

	/* The write returns: reported once, counted. */
	pthread_mutex_lock(&f->lock);
	f->compact_held = false;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	wait_event(f, 0, KSWAPD_EVENT_COMPACT, 1);
	assert_int_equal(state_of(f, 0).counters.compactions[COMPACT_BOOST], 1);
}

/* A hopeless node whose free memory came back on its own is woken again. */
static void test_hopeless_observe(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct node_zoneinfo zi;

	/* Below the kernel's own high mark, where failures count. */
	start_failing(f, &p, 9000);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_true(state_of(f, 0).hopeless);

	pthread_mutex_lock(&f->lock);
	sim_node_release(&f->sims[0], UHIGH - 9000);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1000000, NULL), 0);
	assert_false(state_of(f, 0).hopeless);
	assert_int_equal(state_of(f, 0).state, KSWAPD_STATE_SLEEPING);

	/* Not ignored any more. */
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, MAX_RECLAIM_RETRIES + 1);
	assert_int_equal(state_of(f, 0).counters.wakes_ignored_hopeless, 0);

	zi.id = 7;
	assert_int_equal(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1000000, NULL), -ENOENT);
}

/* A brake wait ends early when the monitor sees the node below the kernel's
 * own high mark (10000 pages here), where a pass is cut rather than stopped
 * by the brake; a snapshot short of our marks only does not end it. The
 * wait is 30 s: a second braked run within the 10 s limit shows the end. */
static void test_braked_wait_ends_below_kernel_marks(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct node_zoneinfo zi;

	start_braked(f, &p, 30 * 1000 * 1000);
	wait_event(f, 0, KSWAPD_EVENT_BRAKED, 1);

	pthread_mutex_lock(&f->lock);
	/* The hold announces itself: the run's end does not, one wakeup of
	 * the manager's loop for the two. */
	assert_true(last_event(f, 0, KSWAPD_EVENT_BRAKED)->waits);
	assert_false(last_event(f, 0, KSWAPD_EVENT_RUN_END)->waits);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	zi.zones[0].free = 11000;
	assert_true(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1000000, NULL) >= 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_BRAKED, 2, 200);
	assert_int_equal(state_of(f, 0).state, KSWAPD_STATE_BRAKED);

	zi.zones[0].free = 9000;
	assert_true(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1020000, NULL) >= 0);
	wait_event(f, 0, KSWAPD_EVENT_BRAKED, 2);
	assert_int_equal(state_of(f, 0).failures, 0);
}

/* Under the system brake a node below the kernel's own high mark (10000
 * pages; 9000 free here) gets one pass, cut to the 1000 pages it lacks to
 * it, and the run ends braked. Its wait (30 s here) is not ended by the
 * monitor seeing the node below the kernel's marks again: until the wait
 * ends what the node lacks is the kernel's kswapd's. A pause still ends
 * it. (Before, the run went on pass by pass, each cut to the deficit of
 * the moment, and the monitor's snapshot ended the wait: in the 6.18
 * application benchmark a run of 416 writes of 100-200 KiB.) */
static void test_braked_cut_run_waits(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	const struct kswapd_event *ev;
	struct node_zoneinfo zi;
	struct kswapd_state st;

	f->brake_wait_usec = 30 * 1000 * 1000;
	start_gated(f, &p, 9000, true);
	wait_event(f, 0, KSWAPD_EVENT_BRAKED, 1);
	st = state_of(f, 0);
	assert_int_equal(st.counters.runs, 1);
	assert_int_equal(st.counters.runs_ended[BALANCE_END_BRAKED], 1);
	assert_int_equal(st.counters.brake_cut_passes, 1);
	assert_int_equal(st.failures, 0);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_shrinks, 1);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_true(ev->result.braked);
	assert_true(ev->result.brake_cut);
	assert_int_equal(ev->result.nr_reclaimed, 1000 * PAGE);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);

	zi.zones[0].free = 9000;
	assert_true(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1000000, NULL) >= 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, 2, 300);
	assert_int_equal(state_of(f, 0).state, KSWAPD_STATE_BRAKED);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_shrinks, 1);
	pthread_mutex_unlock(&f->lock);

	assert_int_equal(kswapd_pause(f->k, 0), 0);
	wait_event(f, 0, KSWAPD_EVENT_FROZEN, 1);
	assert_int_equal(state_of(f, 0).state, KSWAPD_STATE_PAUSED);
}

/* A run that finds nothing to take ahead of the kernel (kernel-balanced)
 * counts no failure and holds the thread like a brake wait (30 s here):
 * wakes do not start runs back to back, the monitor seeing the node below
 * the kernel's own high mark (10000) does. */
static void test_kernel_balanced_holds(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct node_zoneinfo zi;
	struct kswapd_state st;

	f->brake_wait_usec = 30 * 1000 * 1000;
	start_failing(f, &p, 12000);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);

	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, 2, 200);
	st = state_of(f, 0);
	assert_int_equal(st.counters.runs, 1);
	assert_int_equal(st.failures, 0);
	assert_false(st.hopeless);
	assert_int_equal(st.counters.runs_ended[BALANCE_END_KERNEL_BALANCED], 1);
	assert_int_equal(st.state, KSWAPD_STATE_SHORT_SLEEP);
	/* The first wait is no backoff: the monitor keeps its pace. */
	assert_false(kswapd_backing_off(f->k, 0));
	/* The run's end is its thread's last record before the hold: it
	 * ends the manager's batch (before, the run's records waited there
	 * for the next monitor tick, up to MonitorIntervalMax=). */
	pthread_mutex_lock(&f->lock);
	assert_true(last_event(f, 0, KSWAPD_EVENT_RUN_END)->waits);
	pthread_mutex_unlock(&f->lock);

	pthread_mutex_lock(&f->lock);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	zi.zones[0].free = 9000;
	assert_true(kswapd_observe(f->k, &zi, /* others_reclaimed_bytes= */ 0, 1000000, NULL) >= 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_START, 2);
}

/* Kernel-balanced runs that free nothing back off: the wait after the n-th
 * is brake_wait << (n - 1), capped at 32 waits; the runs count no failure.
 * (Before: one run a wait for as long as the node stayed between the
 * kernel's high marks and ours.) */
static void test_kernel_balanced_backs_off(void **state)
{
	const uint64_t wait = 10 * 1000;
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;
	uint64_t end[8] = { 0 }, start[8] = { 0 };
	unsigned ne = 0, ns = 0;

	unsigned ended = 0;

	f->brake_wait_usec = wait;
	start_failing(f, &p, 12000);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 8);
	wait_empty_runs(f, 8);
	st = state_of(f, 0);
	assert_true(st.empty_runs >= 8);
	assert_int_equal(st.hold_usec, 32 * wait);
	assert_int_equal(st.failures, 0);
	assert_false(st.hopeless);
	/* Every run that ended ended kernel-balanced (a ninth may be on). */
	for (unsigned i = 0; i < _BALANCE_END_REASON_MAX; i++)
		ended += st.counters.runs_ended[i];
	assert_true(ended >= 8);
	assert_int_equal(st.counters.runs_ended[BALANCE_END_KERNEL_BALANCED], ended);

	/* The gap from each run's end to the next one's start is at least
	 * its wait: 10, 20, 40, 80, 160, 320, 320 ms. */
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < f->n_ev; i++) {
		if (f->ev[i].node != 0)
			continue;
		if (f->ev[i].type == KSWAPD_EVENT_RUN_END && ne < 8)
			end[ne++] = f->ev[i].time_usec;
		if (f->ev[i].type == KSWAPD_EVENT_RUN_START && ns < 8)
			start[ns++] = f->ev[i].time_usec;
	}
	pthread_mutex_unlock(&f->lock);
	assert_true(ne >= 7 && ns == 8);
	for (unsigned i = 0; i < 7; i++) {
		static const uint64_t waits[7] = { 1, 2, 4, 8, 16, 32, 32 };
		uint64_t want = waits[i] * wait;

		if (start[i + 1] - end[i] < want)
			fail_msg("run %u: next run %" PRIu64 " us after it, its wait is %" PRIu64 " us",
				 i + 1, start[i + 1] - end[i], want);
	}
}

/* A backed-off wait (the second on) ends early, once its first brake wait
 * is over, when the node's file LRU grows by a batch (BALANCE_CLUSTER_PAGES;
 * not by less) or when a wake other than the watermark monitor's comes; a
 * watermark wake does not end it; a run that frees something starts the
 * backoff again. */
static void test_kernel_balanced_backoff_ends(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	struct node_zoneinfo zi;

	f->brake_wait_usec = 1000 * 1000;
	start_failing(f, &p, 12000);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 3);
	wait_empty_runs(f, 3);
	assert_int_equal(state_of(f, 0).hold_usec, 4 * 1000 * 1000);
	assert_true(kswapd_backing_off(f->k, 0));
	assert_false(kswapd_backing_off(f->k, 7));

	pthread_mutex_lock(&f->lock);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	assert_true(kswapd_observe(f->k, &zi, 0, 1000000, NULL) >= 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, 4, 300);
	zi.lru.nr_inactive_file += BALANCE_CLUSTER_PAGES - 1;
	assert_true(kswapd_observe(f->k, &zi, 0, 1100000, NULL) >= 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, 4, 300);
	zi.lru.nr_inactive_file += 1;
	assert_true(kswapd_observe(f->k, &zi, 0, 1200000, NULL) >= 0);
	/* The wait had more than 3 s left; it ends at its first second. */
	if (!event_within(f, 0, KSWAPD_EVENT_RUN_START, 4, 2000))
		fail_msg("file pages grew by %u, the backed-off wait did not end", BALANCE_CLUSTER_PAGES);

	/* The fourth: 8 s. The monitor's wake leaves it, an operator's ends it. */
	wait_empty_runs(f, 4);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, 5, 300);
	pthread_mutex_lock(&f->lock);
	f->sims[0].efficiency_permille = 1000;
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_manual_reclaim(f->k, 0, 0), 0);
	if (!event_within(f, 0, KSWAPD_EVENT_RUN_START, 5, 2000))
		fail_msg("an operator's reclaim did not end the backed-off wait");
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 5);
	/* That run freed memory: the backoff starts again. */
	for (int i = 0; i < 1000 && state_of(f, 0).empty_runs; i++)
		usleep(1000);
	assert_int_equal(state_of(f, 0).empty_runs, 0);
	assert_int_equal(state_of(f, 0).failures, 0);
}

/* Runs of node 0 that started since index from of the event log. */
static unsigned runs_since(struct fixture *f, unsigned from)
{
	unsigned n = 0;

	pthread_mutex_lock(&f->lock);
	for (unsigned i = from; i < f->n_ev; i++)
		if (f->ev[i].node == 0 && f->ev[i].type == KSWAPD_EVENT_RUN_START)
			n++;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static unsigned n_events(struct fixture *f)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = f->n_ev;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Page cache the runs cannot take (protected, dirty: efficiency 0 here)
 * growing by a batch at every monitor tick: a backed-off wait is never
 * shorter than one brake wait, and once an early end on file growth gave
 * another empty run, growth ends no wait until a run frees something. (A
 * review of the first version counted 60 empty runs in 3 s at a 1 s wait.) */
static void test_backoff_file_growth_not_taken(void **state)
{
	const uint64_t wait = 100 * 1000;
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct node_zoneinfo zi;
	unsigned from, runs;

	f->brake_wait_usec = wait;
	start_failing(f, &p, 12000);
	wait_empty_runs(f, 2);
	from = n_events(f);
	pthread_mutex_lock(&f->lock);
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	/* 2 s of growth, a tick every 20 ms. */
	for (int i = 0; i < 100; i++) {
		zi.lru.nr_inactive_file += BALANCE_CLUSTER_PAGES;
		assert_true(kswapd_observe(f->k, &zi, 0, 1000000 + i * 20000, NULL) >= 0);
		usleep(20 * 1000);
	}
	runs = runs_since(f, from);
	/* At most: the wait of 200 ms ended early once, one more empty run,
	 * then 400, 800 ms ... (5 in 2 s). One a tick would be 100; one a
	 * brake wait 20. */
	if (runs > 6)
		fail_msg("%u empty runs in 2 s of page cache they could not take", runs);
	assert_false(state_of(f, 0).hopeless);
}

/* Grow node 0's file LRU by a batch, as the monitor would see it. */
static void grow_file(struct fixture *f, uint64_t now)
{
	struct node_zoneinfo zi;

	pthread_mutex_lock(&f->lock);
	f->sims[0].zi.lru.nr_inactive_file += BALANCE_CLUSTER_PAGES;
	zi = f->sims[0].zi;
	pthread_mutex_unlock(&f->lock);
	assert_true(kswapd_observe(f->k, &zi, 0, now, NULL) >= 0);
}

static unsigned shrinks_reached(struct fixture *f)
{
	unsigned n;

	pthread_mutex_lock(&f->lock);
	n = f->in_shrink;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Page cache in a cgroup created with it: the monitor sees the growth and
 * ends the wait before the cgroup walk knows the cgroup, and the run takes
 * nothing (a fresh-clone CI run of 5b61366 on 6.18: VM backoff waited out
 * its 32 s). A walk that found new cgroups since that run began ends the
 * wait (past its first brake wait) for one more run; once: the next empty
 * run leaves the file watch off, and walks end no wait. Nor does a walk
 * end a wait the file watch did not start. Before kswapd_cgroups_added()
 * the wait after the empty run went its whole length. */
static void test_backoff_new_cgroups_retry(void **state)
{
	const uint64_t wait = 250 * 1000;
	struct fixture *f = *state;
	struct balance_params p = std_params();
	unsigned n, shrinks;

	f->brake_wait_usec = wait;
	start_failing(f, &p, 12000);
	wait_empty_runs(f, 3); /* a 1 s wait, the file watch on */
	n = count_events(f, 0, KSWAPD_EVENT_RUN_START);
	kswapd_cgroups_added(f->k);
	/* An early end would come at 250 ms. */
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, n + 1, 500);

	/* Growth ends the next wait (2 s); the run it starts is held in its
	 * write while a walk finds new cgroups, and takes nothing. */
	wait_empty_runs(f, 4);
	n = count_events(f, 0, KSWAPD_EVENT_RUN_START);
	shrinks = shrinks_reached(f);
	gate(f, true, 0);
	grow_file(f, 1000000);
	wait_in_shrink(f, shrinks + 1);
	kswapd_cgroups_added(f->k);
	gate(f, false, 0);
	wait_empty_runs(f, 5); /* a 4 s wait, the file watch off */
	if (!event_within(f, 0, KSWAPD_EVENT_RUN_START, n + 2, 2000))
		fail_msg("new cgroups found during the run growth started did not end the wait after it");

	/* The retry is spent: the next wait (8 s) goes on through walks
	 * and growth. */
	wait_empty_runs(f, 6);
	n = count_events(f, 0, KSWAPD_EVENT_RUN_START);
	kswapd_cgroups_added(f->k);
	grow_file(f, 2000000);
	assert_no_event_within(f, 0, KSWAPD_EVENT_RUN_START, n + 1, 800);
}

/* Wakes other than the monitor's end a backed-off wait, but no sooner than
 * one brake wait: PSI every 50 ms for 2 s at a 200 ms wait gives at most
 * one run a wait, as before the backoff. */
static void test_backoff_wakes_keep_the_floor(void **state)
{
	const uint64_t wait = 200 * 1000;
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_PSI, 0);
	unsigned from, runs;

	f->brake_wait_usec = wait;
	start_failing(f, &p, 12000);
	wait_empty_runs(f, 2);
	from = n_events(f);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
		usleep(50 * 1000);
	}
	runs = runs_since(f, from);
	if (runs > 2000 / 200 + 1)
		fail_msg("%u runs in 2 s at a %" PRIu64 " us wait", runs, wait);
	/* And they did end the backed-off waits: without, 400 + 800 ms. */
	if (runs < 3)
		fail_msg("only %u runs in 2 s of PSI wakes: the waits did not end", runs);
}

/* New params (reload, set) end a backed-off wait after its first brake
 * wait and start the backoff again; a full sleep does too. */
static void test_backoff_params_and_sleep(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	unsigned from;

	f->brake_wait_usec = 500 * 1000;
	start_failing(f, &p, 12000);
	wait_empty_runs(f, 3); /* a 2 s wait */
	from = n_events(f);
	assert_int_equal(kswapd_set_params(f->k, &p), 0);
	if (!event_within(f, 0, KSWAPD_EVENT_RUN_START, count_events(f, 0, KSWAPD_EVENT_RUN_START) + 1,
			  1500))
		fail_msg("new params did not end the backed-off wait");
	assert_true(runs_since(f, from) >= 1);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, count_events(f, 0, KSWAPD_EVENT_RUN_START));
	for (int i = 0; i < 1000 && state_of(f, 0).empty_runs != 1; i++)
		usleep(1000);
	assert_int_equal(state_of(f, 0).empty_runs, 1);
	assert_int_equal(state_of(f, 0).hold_usec, 500 * 1000);

	/* Back to a backed-off wait, then the node balances on its own. */
	wait_empty_runs(f, 2);
	pthread_mutex_lock(&f->lock);
	f->sims[0].zi.zones[0].free = UHIGH + 1000;
	pthread_mutex_unlock(&f->lock);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	assert_int_equal(state_of(f, 0).empty_runs, 0);
}

/* Pause in the middle of a run: the write in progress finishes, no other
 * write is issued, the thread sleeps in the refrigerator; wakes do nothing
 * until resume; after resume the thread does not balance straight away
 * ("speed up thawing") but goes through try-to-sleep, finds the node
 * unbalanced and balances it. */
static void test_pause_mid_run(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_WATERMARK, 0);
	const struct kswapd_event *ev;
	struct kswapd_state st;

	pthread_mutex_lock(&f->lock);
	f->gate_closed = true;
	pthread_mutex_unlock(&f->lock);
	start(f, 1, 12000, 10 * 1000, &p);
	pthread_mutex_lock(&f->lock);
	f->sims[0].efficiency_permille = 500;
	pthread_mutex_unlock(&f->lock);
	wait_in_shrink(f, 1);

	assert_int_equal(kswapd_pause(f->k, 0), 0);
	st = state_of(f, 0);
	assert_true(st.paused);
	assert_int_equal(st.state, KSWAPD_STATE_BALANCING);
	assert_int_equal(st.priority, DEF_PRIORITY);
	gate(f, true, 1);

	wait_event(f, 0, KSWAPD_EVENT_FROZEN, 1);
	st = state_of(f, 0);
	assert_int_equal(st.state, KSWAPD_STATE_PAUSED);
	pthread_mutex_lock(&f->lock);
	assert_true(last_event(f, 0, KSWAPD_EVENT_FROZEN)->waits);
	assert_int_equal(f->sims[0].n_shrinks, 1);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_int_equal(ev->result.reason, BALANCE_END_INTERRUPTED);
	pthread_mutex_unlock(&f->lock);
	/* Leaving for the freezer is not a premature sleep. */
	assert_int_equal(st.counters.high_wmark_hit_quickly, 1); /* at start */
	assert_int_equal(st.counters.low_wmark_hit_quickly, 0);

	/* Wakes while frozen are recorded, not acted on. */
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	st = state_of(f, 0);
	assert_int_equal(st.state, KSWAPD_STATE_PAUSED);
	assert_int_equal(st.pending.reasons, 1u << BALANCE_WAKE_WATERMARK);
	assert_int_equal(count_events(f, 0, KSWAPD_EVENT_RUN_START), 1);

	gate(f, false, 0);
	assert_int_equal(kswapd_resume(f->k, 0), 0);
	wait_event(f, 0, KSWAPD_EVENT_THAWED, 1);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	st = state_of(f, 0);
	assert_false(st.paused);
	assert_int_equal(st.counters.runs, 2);
	assert_int_equal(st.counters.high_wmark_hit_quickly, 2);
	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].zi.zones[0].free >= UHIGH);
	pthread_mutex_unlock(&f->lock);
}

/* Pause while asleep: the freezer takes the thread out of its sleep at once
 * (no 100 ms wait, no premature count); resume puts it back to sleep. */
static void test_pause_resume(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_state st;

	start(f, 2, UHIGH, 10 * USEC_PER_SEC, &p);
	wait_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP, 1);
	wait_event(f, 1, KSWAPD_EVENT_SHORT_SLEEP, 1);

	assert_int_equal(kswapd_pause(f->k, KSWAPD_ALL_NODES), 0);
	wait_event(f, 0, KSWAPD_EVENT_FROZEN, 1);
	wait_event(f, 1, KSWAPD_EVENT_FROZEN, 1);
	for (unsigned i = 0; i < 2; i++) {
		st = state_of(f, i);
		assert_int_equal(st.state, KSWAPD_STATE_PAUSED);
		assert_int_equal(st.counters.low_wmark_hit_quickly, 0);
		assert_int_equal(st.counters.high_wmark_hit_quickly, 0);
		assert_int_equal(st.counters.runs, 0);
	}

	/* Resume one node only. */
	assert_int_equal(kswapd_resume(f->k, 1), 0);
	wait_event(f, 1, KSWAPD_EVENT_SHORT_SLEEP, 2);
	assert_int_equal(state_of(f, 0).state, KSWAPD_STATE_PAUSED);
	assert_int_equal(state_of(f, 1).counters.runs, 0);
	assert_int_equal(kswapd_resume(f->k, 0), 0);
	wait_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP, 2);
	assert_int_equal(kswapd_pause(f->k, 5), -ENOENT);
	assert_int_equal(kswapd_resume(f->k, 5), -ENOENT);
}

/* kthread_should_stop(): a thread inside a write stops when it returns,
 * without issuing another; sleeping threads stop at once. */
static void test_stop_within_one_write(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	const struct kswapd_event *ev;

	f->gate_closed = true;
	f->free_override[1] = UHIGH; /* node 1 sleeps */
	start(f, 2, 12000, 10 * USEC_PER_SEC, &p);
	wait_in_shrink(f, 1);

	kswapd_stop(f->k);
	/* Open the gate entirely: a thread that ignored the stop would now
	 * issue more writes, and the count below would say so. */
	gate(f, false, 0);
	f->k = kswapd_free(f->k);

	assert_int_equal(f->in_shrink, 1);
	assert_int_equal(count_events(f, 0, KSWAPD_EVENT_STOPPED), 1);
	assert_int_equal(count_events(f, 1, KSWAPD_EVENT_STOPPED), 1);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_int_equal(ev->result.reason, BALANCE_END_INTERRUPTED);
	assert_int_equal(f->ev[f->n_ev - 1].type, KSWAPD_EVENT_STOPPED);
}

/* A stop cuts short a write that would go on in the kernel (a
 * memory.reclaim write loops until it has its bytes; only a signal pending
 * ends it early, with EINTR): the join kicks the thread (kick.h), again
 * until it has left, so a kick that came before the write began is not the
 * last. Before the kick, the stop waited out the write: 10 s here, past
 * TimeoutStopSec= in CI. */
static void test_stop_interrupts_write(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	const struct kswapd_event *ev;
	uint64_t start_usec;
	int fds[2];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	f->block_fd = fds[0];
	start(f, 1, 12000, 10 * USEC_PER_SEC, &p);
	wait_in_shrink(f, 1);

	start_usec = now_usec();
	f->k = kswapd_free(f->k);
	assert_true(now_usec() - start_usec < 5 * USEC_PER_SEC);
	assert_int_equal(f->block_errno, EINTR);
	assert_int_equal(f->in_shrink, 1);
	ev = last_event(f, 0, KSWAPD_EVENT_RUN_END);
	assert_int_equal(ev->result.reason, BALANCE_END_INTERRUPTED);
	assert_int_equal(f->ev[f->n_ev - 1].type, KSWAPD_EVENT_STOPPED);
	close(fds[0]);
	close(fds[1]);
	f->block_fd = -1;
}

/* The same when the thread stopped first is not the writer but one waiting
 * for a lock the writer holds (manager.c's shrink_lock: offload and an
 * operator's reclaim take node 0's): a mutex wait is not interrupted, so
 * the join kicks every thread, and the writer's EINTR frees the waiter.
 * Kicking only the thread joined waited out the 10 s write. */
static void test_stop_frees_lock_waiter(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	uint64_t start_usec;
	int fds[2];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	f->block_fd = fds[0];
	f->block_node = 1;
	start(f, 2, 12000, 10 * USEC_PER_SEC, &p);
	wait_in_shrink(f, 2);
	usleep(50 * 1000); /* node 0 is in its lock wait */

	start_usec = now_usec();
	f->k = kswapd_free(f->k); /* joins node 0 first */
	assert_true(now_usec() - start_usec < 5 * USEC_PER_SEC);
	assert_int_equal(f->block_errno, EINTR);
	assert_int_equal(f->waited_lock, 1);
	assert_int_equal(count_events(f, 0, KSWAPD_EVENT_STOPPED), 1);
	assert_int_equal(count_events(f, 1, KSWAPD_EVENT_STOPPED), 1);
	close(fds[0]);
	close(fds[1]);
	f->block_fd = -1;
}

static bool read_comm(const char *task, char *buf, size_t size)
{
	char path[320];
	FILE *fp;
	bool ok;

	snprintf(path, sizeof(path), "/proc/self/task/%s/comm", task);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	ok = fgets(buf, (int)size, fp) != NULL;
	fclose(fp);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

/* set_cpus_allowed_ptr(cpumask_of_node()): named after the node, pinned to
 * its CPUs when it has some. */
static void test_name_and_affinity(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct kswapd_node_config nodes[2] = {};
	struct kswapd_config c = {
		.nodes = nodes,
		.n_nodes = 2,
		.backend = { .snapshot = fixture_snapshot, .shrink = fixture_shrink,
			     .free_blocks = fixture_free_blocks, .compact = fixture_compact,
			     .userdata = f },
		.params = p,
		.event = fixture_event,
		.event_userdata = f,
	};
	cpu_set_t mine;
	int cpu = -1;
	unsigned found = 0;
	DIR *d;
	struct dirent *de;

	assert_int_equal(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
		if (CPU_ISSET(i, &mine))
			cpu = i;
	f->n_sims = 2;
	sim_node_init(&f->sims[0], 3, 1000000, UHIGH, 10000, 400000, 300000);
	sim_node_init(&f->sims[1], 12, 1000000, UHIGH, 10000, 400000, 300000);
	nodes[0].node = 3;
	CPU_ZERO(&nodes[0].cpus);
	CPU_SET(cpu, &nodes[0].cpus);
	nodes[1].node = 12;
	CPU_ZERO(&nodes[1].cpus); /* CPU-less node: not pinned */
	assert_int_equal(kswapd_new(&c, &f->k), 0);
	wait_event(f, 3, KSWAPD_EVENT_SLEEP, 1);
	wait_event(f, 12, KSWAPD_EVENT_SLEEP, 1);

	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((de = readdir(d))) {
		char comm[32];
		cpu_set_t set;

		if (de->d_name[0] == '.' || !read_comm(de->d_name, comm, sizeof(comm)))
			continue;
		if (streq(comm, "reclaimd/n3")) {
			assert_int_equal(sched_getaffinity(atoi(de->d_name), sizeof(set), &set), 0);
			assert_int_equal(CPU_COUNT(&set), 1);
			assert_true(CPU_ISSET(cpu, &set));
			found |= 1;
		} else if (streq(comm, "reclaimd/n12")) {
			assert_int_equal(sched_getaffinity(atoi(de->d_name), sizeof(set), &set), 0);
			assert_true(CPU_EQUAL(&set, &mine));
			found |= 2;
		}
	}
	closedir(d);
	assert_int_equal(found, 3);
	assert_int_equal(kswapd_n_nodes(f->k), 2);
	assert_int_equal(state_of(f, 1).node, 12);
}

/* Params set at runtime apply at the next run, not in the middle of one. */
static void test_params_next_run(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_params q;
	struct balance_request w = wake_req(BALANCE_WAKE_PSI, 0);

	pthread_mutex_lock(&f->lock);
	f->gate_closed = true;
	pthread_mutex_unlock(&f->lock);
	start(f, 1, 12000, 10 * 1000, &p);
	wait_in_shrink(f, 1);

	/* Mid-run: the run keeps its own copy. */
	q = p;
	q.dry_run = true;
	q.soft_target = true;
	assert_int_equal(kswapd_set_params(f->k, &q), 0);
	gate(f, false, 0);
	wait_event(f, 0, KSWAPD_EVENT_SLEEP, 1);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->sims[0].n_log, 1);
	assert_false(f->sims[0].log[0].dry_run);
	sim_node_alloc(&f->sims[0], 5000);
	pthread_mutex_unlock(&f->lock);

	assert_int_equal(kswapd_wake(f->k, KSWAPD_ALL_NODES, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 2);
	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].n_log > 2);
	assert_int_equal(f->sims[0].log[1].kind, SHRINK_SOFT_TARGET);
	assert_true(f->sims[0].log[1].dry_run);
	pthread_mutex_unlock(&f->lock);

	kswapd_get_params(f->k, &p);
	assert_true(p.dry_run);
	q.swappiness = 201;
	assert_int_equal(kswapd_set_params(f->k, &q), -EINVAL);
	kswapd_get_params(f->k, &p);
	assert_int_equal(p.swappiness, 60);
}

/* [Node N] overrides: each node runs with its own params, from start-up
 * (kswapd_node_config.params) and at runtime (kswapd_set_node_params). */
static void test_node_params(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params(), q, got;
	struct balance_request w = wake_req(BALANCE_WAKE_PSI, 0);

	q = p;
	q.dry_run = true;
	f->node_params[1] = &q;
	start(f, 2, 12000, 10 * 1000, &p);
	/* A dry-run node runs when woken (the daemon's monitor paces those
	 * wakes), never back to back on its own: balance_prepare_sleep(). */
	assert_int_equal(kswapd_wake(f->k, 1, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 1);
	wait_event(f, 1, KSWAPD_EVENT_RUN_END, 1);
	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].n_log > 0 && f->sims[1].n_log > 0);
	assert_false(f->sims[0].log[0].dry_run);
	assert_true(f->sims[1].log[0].dry_run);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_get_node_params(f->k, 1, &got), 0);
	assert_true(got.dry_run);
	assert_int_equal(kswapd_get_node_params(f->k, 0, &got), 0);
	assert_false(got.dry_run);

	/* Runtime: node 0 alone becomes dry-run at its next run. */
	assert_int_equal(kswapd_set_node_params(f->k, 0, &q), 0);
	pthread_mutex_lock(&f->lock);
	f->sims[0].n_log = 0;
	sim_node_alloc(&f->sims[0], 5000);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(kswapd_wake(f->k, 0, &w), 0);
	wait_event(f, 0, KSWAPD_EVENT_RUN_END, 2);
	pthread_mutex_lock(&f->lock);
	assert_true(f->sims[0].n_log > 0);
	assert_true(f->sims[0].log[0].dry_run);
	pthread_mutex_unlock(&f->lock);

	/* kswapd_set_params() sets every node again. */
	assert_int_equal(kswapd_set_params(f->k, &p), 0);
	assert_int_equal(kswapd_get_node_params(f->k, 1, &got), 0);
	assert_false(got.dry_run);

	assert_int_equal(kswapd_set_node_params(f->k, 7, &q), -ENOENT);
	assert_int_equal(kswapd_get_node_params(f->k, 7, &got), -ENOENT);
	q.swappiness = 201;
	assert_int_equal(kswapd_set_node_params(f->k, 1, &q), -EINVAL);
	f->node_params[1] = NULL;
}

/* The watchdog: a thread stuck in a write is found; sleeping ones are not. */
static void test_find_stalled(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	uint64_t now;

	f->gate_closed = true;
	f->free_override[0] = UHIGH; /* node 0 sleeps */
	start(f, 2, 12000, 10 * USEC_PER_SEC, &p);
	wait_in_shrink(f, 1);
	wait_event(f, 0, KSWAPD_EVENT_SHORT_SLEEP, 1);

	now = now_usec();
	assert_int_equal(kswapd_find_stalled(f->k, now, 60 * USEC_PER_SEC), -ENOENT);
	assert_int_equal(kswapd_find_stalled(f->k, now + 120 * USEC_PER_SEC,
					     60 * USEC_PER_SEC), 1);
	assert_true(state_of(f, 1).last_progress_usec <= now);
	gate(f, false, 0);
	wait_event(f, 1, KSWAPD_EVENT_SHORT_SLEEP, 1);
	assert_int_equal(kswapd_find_stalled(f->k, now_usec() + 120 * USEC_PER_SEC,
					     60 * USEC_PER_SEC), -ENOENT);
}

static void test_api_errors(void **state)
{
	struct fixture *f = *state;
	struct balance_params p = std_params();
	struct balance_request w = wake_req(BALANCE_WAKE_PSI, 0);
	struct kswapd_node_config nodes[2] = { { .node = 0 }, { .node = 0 } };
	struct kswapd_config c = {
		.nodes = nodes,
		.n_nodes = 2,
		.backend = { .snapshot = fixture_snapshot, .shrink = fixture_shrink,
			     .free_blocks = fixture_free_blocks, .compact = fixture_compact,
			     .userdata = f },
		.params = p,
	};
	struct kswapd *k = (struct kswapd *)0x1;
	struct kswapd_state st;

	/* Duplicate node, no nodes, no backend, bad params, negative id. */
	assert_int_equal(kswapd_new(&c, &k), -EINVAL);
	c.n_nodes = 0;
	assert_int_equal(kswapd_new(&c, &k), -EINVAL);
	c.n_nodes = 1;
	c.backend.shrink = NULL;
	assert_int_equal(kswapd_new(&c, &k), -EINVAL);
	c.backend.shrink = fixture_shrink;
	c.params.step_bytes = 1;
	assert_int_equal(kswapd_new(&c, &k), -EINVAL);
	c.params = p;
	nodes[0].node = -1;
	assert_int_equal(kswapd_new(&c, &k), -EINVAL);
	assert_ptr_equal(k, (struct kswapd *)0x1);
	assert_null(kswapd_free(NULL));

	start(f, 1, UHIGH, 10 * 1000, &p);
	assert_int_equal(kswapd_wake(f->k, 1, &w), -ENOENT);
	memset(&st, 0x5a, sizeof(st));
	assert_int_equal(kswapd_get_state(f->k, 1, &st), -ENOENT);
	assert_int_equal(st.node, 0x5a5a5a5a); /* untouched */
	assert_string_equal(kswapd_thread_state_to_string(KSWAPD_STATE_HOPELESS),
			    "hopeless");
	assert_null(kswapd_thread_state_to_string(_KSWAPD_STATE_MAX));
	assert_string_equal(kswapd_event_type_to_string(KSWAPD_EVENT_RUN_END), "run-end");
	assert_null(kswapd_event_type_to_string(_KSWAPD_EVENT_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zone_free_between_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_file_gated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_free_pcp_room_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_free_pcp_bypassed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_free_run_ends_on_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_soft_pass_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleep_and_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleep_check_takes_the_runs_snapshot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_premature_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_premature_wake_balanced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hopeless_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_braked_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_braked_wait_ends_below_kernel_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_braked_cut_run_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_balanced_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_balanced_backs_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_balanced_backoff_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_file_growth_not_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_new_cgroups_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_wakes_keep_the_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_params_and_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_reasons_after_balanced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_reclaim_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_after_boost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_fragmented_left_to_kernel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compact_fragmented_without_kernel_proactive,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_does_not_hold_reclaim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hopeless_observe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_mid_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_within_one_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_interrupts_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_frees_lock_waiter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_and_affinity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_next_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_stalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("kswapd", tests, NULL, NULL);
}
