/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <pthread.h>

#include "ring.h"

struct rec {
	uint64_t seq;
	char pad[24];
};

static int readable(const struct ring *ring)
{
	struct pollfd p = { .fd = ring_fd(ring), .events = POLLIN };

	return poll(&p, 1, 0);
}

/* Reads the eventfd without taking a record: no reader of the ring does
 * (the loop drains, and the last pop of an announced batch clears it);
 * here it tells a wakeup from none while records stay held. */
static void clear_wakeup(struct ring *ring)
{
	uint64_t v;

	assert_int_equal(read(ring_fd(ring), &v, sizeof(v)), (ssize_t)sizeof(v));
}

static void test_fifo_and_wakeup(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};

	assert_int_equal(ring_new(sizeof(struct rec), 4, 50, &ring), 0);
	assert_int_equal(readable(ring), 0);
	assert_int_equal(ring_pop(ring, &r), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		r.seq = i;
		ring_push(ring, &r, 0, RING_WAKE_BATCH_END);
	}
	assert_int_equal(readable(ring), 1);
	for (uint64_t i = 1; i <= 3; i++) {
		assert_int_equal(ring_pop(ring, &r), 1);
		assert_int_equal(r.seq, i);
	}
	/* drained: the eventfd is no longer readable */
	assert_int_equal(readable(ring), 0);
	assert_int_equal(ring_dropped(ring), 0);
	ring_free(ring);
	(void)state;
}

/* One wakeup per batch: pushes into a ring that holds records do not
 * write the eventfd again (each write woke the event loop: a run's events
 * come milliseconds apart). A reader that clears the wakeup and drains
 * later is woken again only by a push into the drained ring. */
static void test_one_wakeup_per_batch(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};
	uint64_t v = 0;

	assert_int_equal(ring_new(sizeof(struct rec), 8, 50, &ring), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		r.seq = i;
		ring_push(ring, &r, i, RING_WAKE_BATCH_END);
	}
	assert_int_equal(read(ring_fd(ring), &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_int_equal(v, 1);
	/* Cleared with records still held: a further push does not wake. */
	r.seq = 4;
	ring_push(ring, &r, 4, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 0);
	for (uint64_t i = 1; i <= 4; i++)
		assert_int_equal(ring_pop(ring, &r), 1);
	assert_int_equal(ring_pop(ring, &r), 0);
	/* Drained: the next push wakes. */
	ring_push(ring, &r, 5, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 1);
	clear_wakeup(ring);
	assert_int_equal(readable(ring), 0);
	assert_int_equal(ring_pop(ring, &r), 1);
	ring_free(ring);
	(void)state;
}

/* The pusher says where a batch ends: records that are not urgent wait,
 * unannounced, until an urgent one, until the oldest of them is
 * wake_after_usec old at a push, or until the ring is half full. Before,
 * the first push into the empty ring woke the reader, and the run's sleep
 * a nap later woke it again: with its drain timer, four wakeups a run. */
static void test_batch_ends_where_the_pusher_says(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};

	assert_int_equal(ring_new(sizeof(struct rec), 8, 50, &ring), 0);
	/* A run: wake, start, write at t = 0..20, none urgent. */
	for (uint64_t i = 0; i < 3; i++) {
		r.seq = i + 1;
		ring_push(ring, &r, i * 10, 0);
		assert_int_equal(readable(ring), 0);
	}
	/* Its end before a hold, urgent, at 40 (younger than the age that
	 * would wake): one wakeup for the four. */
	r.seq = 4;
	ring_push(ring, &r, 40, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 1);
	clear_wakeup(ring);
	for (uint64_t i = 1; i <= 4; i++) {
		assert_int_equal(ring_pop(ring, &r), 1);
		assert_int_equal(r.seq, i);
	}
	assert_int_equal(ring_pop(ring, &r), 0);

	/* Age: a record pushed at 1000 and one at 1049 wait; one at 1050
	 * (a write that took 50 ms) wakes. */
	ring_push(ring, &r, 1000, 0);
	ring_push(ring, &r, 1049, 0);
	assert_int_equal(readable(ring), 0);
	ring_push(ring, &r, 1050, 0);
	assert_int_equal(readable(ring), 1);
	/* Announced: nothing more writes the eventfd until it is drained. */
	ring_push(ring, &r, 5000, RING_WAKE_BATCH_END);
	clear_wakeup(ring);
	ring_push(ring, &r, 5001, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 0);
	while (ring_pop(ring, &r) == 1)
		;

	/* Taken unannounced (a reader's own wakeup): no eventfd to clear,
	 * and the age starts again with the next record. */
	ring_push(ring, &r, 6000, 0);
	assert_int_equal(ring_pop(ring, &r), 1);
	assert_int_equal(ring_pop(ring, &r), 0);
	ring_push(ring, &r, 6040, 0);
	assert_int_equal(readable(ring), 0);
	/* A push from an instant read before the held record's: no age. */
	ring_push(ring, &r, 5990, 0);
	assert_int_equal(readable(ring), 0);

	/* Half full (4 of 8) wakes, whatever the age. */
	ring_push(ring, &r, 6041, 0);
	assert_int_equal(readable(ring), 0);
	ring_push(ring, &r, 6042, 0);
	assert_int_equal(readable(ring), 1);
	ring_free(ring);
	(void)state;
}

/* Lazy (no watch client): neither a batch's end nor age wakes the
 * reader, which takes the records on its own wakeups (the monitor tick);
 * a record someone waits for and a ring half full still wake; turning lazy
 * off announces what is held, and the rules above apply again: there a
 * wanted record waits for its batch's end. */
static void test_lazy(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};

	assert_int_equal(ring_new(sizeof(struct rec), 8, 50, &ring), 0);
	ring_set_lazy(ring, true);
	r.seq = 1;
	ring_push(ring, &r, 0, 0);
	r.seq = 2;
	ring_push(ring, &r, 1000, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 0);
	/* Taken on the reader's own wakeup, in order, no eventfd. */
	assert_int_equal(ring_pop(ring, &r), 1);
	assert_int_equal(r.seq, 1);
	assert_int_equal(ring_pop(ring, &r), 1);
	assert_int_equal(r.seq, 2);
	assert_int_equal(ring_pop(ring, &r), 0);
	/* Half full (4 of 8) wakes even so. */
	for (uint64_t i = 0; i < 3; i++) {
		ring_push(ring, &r, 2000 + i, RING_WAKE_BATCH_END);
		assert_int_equal(readable(ring), 0);
	}
	ring_push(ring, &r, 2003, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 1);
	while (ring_pop(ring, &r) == 1)
		;
	assert_int_equal(readable(ring), 0);
	/* A record someone waits for (an operator's run ended). */
	ring_push(ring, &r, 2500, 0);
	ring_push(ring, &r, 2501, RING_WAKE_WANTED);
	assert_int_equal(readable(ring), 1);
	while (ring_pop(ring, &r) == 1)
		;
	assert_int_equal(readable(ring), 0);
	/* A subscriber came: what is held is announced at once. */
	ring_push(ring, &r, 3000, RING_WAKE_BATCH_END);
	assert_int_equal(readable(ring), 0);
	ring_set_lazy(ring, false);
	assert_int_equal(readable(ring), 1);
	while (ring_pop(ring, &r) == 1)
		;
	assert_int_equal(readable(ring), 0);
	/* Not lazy, an empty ring: nothing to announce; a wanted record
	 * waits for its batch's end, which wakes. */
	ring_set_lazy(ring, false);
	assert_int_equal(readable(ring), 0);
	ring_push(ring, &r, 4000, RING_WAKE_WANTED);
	assert_int_equal(readable(ring), 0);
	ring_push(ring, &r, 4001, RING_WAKE_BATCH_END | RING_WAKE_WANTED);
	assert_int_equal(readable(ring), 1);
	ring_free(ring);
	(void)state;
}

static void test_overflow_drops_oldest(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};

	assert_int_equal(ring_new(sizeof(struct rec), 4, 50, &ring), 0);
	/* Not urgent: the half-full ring announces itself, before it can
	 * overwrite a record no reader was told of. */
	for (uint64_t i = 1; i <= 10; i++) {
		r.seq = i;
		ring_push(ring, &r, 0, 0);
		assert_int_equal(readable(ring), i >= 2);
	}
	assert_int_equal(ring_dropped(ring), 6);
	for (uint64_t i = 7; i <= 10; i++) {
		assert_int_equal(ring_pop(ring, &r), 1);
		assert_int_equal(r.seq, i);
	}
	/* The drain of the announced batch cleared the eventfd. */
	assert_int_equal(readable(ring), 0);
	assert_int_equal(ring_pop(ring, &r), 0);
	ring_free(ring);
	(void)state;
}

static void *producer(void *p)
{
	struct ring *ring = p;
	struct rec r = {};

	for (uint64_t i = 1; i <= 100000; i++) {
		r.seq = i;
		ring_push(ring, &r, 0, RING_WAKE_BATCH_END);
	}
	return NULL;
}

static void test_threads_keep_order(void **state)
{
	struct ring *ring = NULL;
	struct rec r = {};
	uint64_t last = 0, got = 0;
	pthread_t t;

	assert_int_equal(ring_new(sizeof(struct rec), 64, 50, &ring), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, ring), 0);
	while (last < 100000) {
		if (ring_pop(ring, &r) == 1) {
			/* strictly increasing even when records were dropped */
			assert_true(r.seq > last);
			last = r.seq;
			got++;
		}
	}
	pthread_join(t, NULL);
	assert_int_equal(got + ring_dropped(ring), 100000);
	/* Drained after every push: the eventfd is readable exactly while
	 * an announced batch is held. */
	assert_int_equal(ring_pop(ring, &r), 0);
	assert_int_equal(readable(ring), 0);
	ring_free(ring);
	(void)state;
}

static void test_bad_args(void **state)
{
	struct ring *ring = (struct ring *)0x1;

	assert_int_equal(ring_new(0, 4, 50, &ring), -EINVAL);
	assert_int_equal(ring_new(8, 0, 50, &ring), -EINVAL);
	assert_ptr_equal(ring, (struct ring *)0x1);
	assert_null(ring_free(NULL));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_and_wakeup),
		cmocka_unit_test(test_one_wakeup_per_batch),
		cmocka_unit_test(test_batch_ends_where_the_pusher_says),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_overflow_drops_oldest),
		cmocka_unit_test(test_threads_keep_order),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
