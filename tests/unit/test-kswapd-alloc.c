/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PF_MEMALLOC's userspace half: once the node threads run, a steady-state
 * loop iteration (wake, balance_pgdat with its writes, try-to-sleep, sleep)
 * allocates nothing and opens nothing. Linked with
 * -Wl,--wrap=malloc,calloc,realloc,open,openat,... so that every such call
 * from the engine's objects goes through the counters below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc-count.h"
#include "kswapd.h"
#include "sim-node.h"

/* A fixed ring of run-end counts, as the manager would keep. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct sim_node sim;
static unsigned n_sleeps, n_run_ends;

static int snapshot(void *userdata, int node, struct node_zoneinfo *ret)
{
	int r;

	pthread_mutex_lock(&lock);
	r = sim_node_snapshot(&sim, node, ret);
	pthread_mutex_unlock(&lock);
	return r;
}

static int shrink(void *userdata, const struct shrink_request *req,
		  struct shrink_result *ret)
{
	int r;

	pthread_mutex_lock(&lock);
	r = sim_node_shrink(&sim, req, ret);
	pthread_mutex_unlock(&lock);
	return r;
}

static void on_event(const struct kswapd_event *ev, void *userdata)
{
	pthread_mutex_lock(&lock);
	if (ev->type == KSWAPD_EVENT_SLEEP)
		n_sleeps++;
	else if (ev->type == KSWAPD_EVENT_RUN_END)
		n_run_ends++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void wait_sleeps(unsigned n)
{
	struct timespec deadline;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&lock);
	while (n_sleeps < n && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&cond, &lock, &deadline);
	pthread_mutex_unlock(&lock);
	if (r == ETIMEDOUT)
		fail_msg("timed out waiting for sleep %u", n);
}

static struct kswapd *start(void)
{
	struct kswapd_node_config node = { .node = 0 };
	struct kswapd_config c = {
		.nodes = &node,
		.n_nodes = 1,
		.backend = { snapshot, shrink, NULL },
		.short_sleep_usec = 1000,
		.event = on_event,
	};
	struct kswapd *k;

	CPU_ZERO(&node.cpus);
	balance_params_init(&c.params);
	c.params.swappiness = 60;
	c.params.step_bytes = UINT64_C(1) << 20; /* several writes a run */
	assert_int_equal(kswapd_new(&c, &k), 0);
	return k;
}

/* The wrappers see the engine's calls: kswapd_new() allocates. */
static void test_wrap_works(void **state)
{
	struct kswapd *k;

	sim_node_init(&sim, 0, 1000000, 17500, 10000, 400000, 300000);
	alloc_count_start();
	k = start();
	alloc_count_stop();
	assert_true(alloc_count_allocs() >= 1);
	kswapd_free(k);
}

static void test_steady_state_allocates_nothing(void **state)
{
	struct balance_request w = BALANCE_REQUEST_NONE;
	struct kswapd *k;
	unsigned runs;

	sim_node_init(&sim, 0, 1000000, 17500, 10000, 400000, 300000);
	n_sleeps = n_run_ends = 0;
	k = start();
	wait_sleeps(1);

	alloc_count_start();
	w.reasons = 1u << BALANCE_WAKE_WATERMARK;
	for (unsigned i = 0; i < 50; i++) {
		pthread_mutex_lock(&lock);
		sim_node_alloc(&sim, 6000); /* below the low mark */
		pthread_mutex_unlock(&lock);
		assert_int_equal(kswapd_wake(k, 0, &w), 0);
		wait_sleeps(i + 2);
	}
	alloc_count_stop();

	pthread_mutex_lock(&lock);
	runs = n_run_ends;
	pthread_mutex_unlock(&lock);
	assert_int_equal(runs, 50);
	assert_true(sim.n_shrinks >= 50 * 6); /* 6000 pages in 256-page steps */
	assert_int_equal(alloc_count_allocs(), 0);
	assert_int_equal(alloc_count_opens(), 0);
	kswapd_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_works),
		cmocka_unit_test(test_steady_state_allocates_nothing),
	};

	return cmocka_run_group_tests_name("kswapd-alloc", tests, NULL, NULL);
}
