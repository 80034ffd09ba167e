/* SPDX-License-Identifier: GPL-2.0-only */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "macro.h"
#include "ring.h"

struct ring {
	pthread_mutex_t lock;
	size_t record_size, n;
	size_t head;  /* next record to read */
	size_t count; /* records held */
	uint64_t dropped;
	uint64_t wake_after_usec;
	/* The eventfd was written for the records held: the reader owes a
	 * drain. Cleared when a pop empties the ring. */
	bool announced;
	bool lazy; /* ring_set_lazy() */
	/* When the oldest record not announced was pushed. */
	uint64_t held_since_usec;
	int efd;
	unsigned char data[];
};

int ring_new(size_t record_size, size_t n, uint64_t wake_after_usec, struct ring **ret)
{
	struct ring *ring;

	if (record_size == 0 || n == 0 || n > SIZE_MAX / record_size / 2)
		return -EINVAL;
	ring = calloc(1, sizeof(*ring) + record_size * n);
	if (!ring)
		return -ENOMEM;
	ring->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ring->efd < 0) {
		int r = negative_errno();
		free(ring);
		return r;
	}
	pthread_mutex_init(&ring->lock, NULL);
	ring->record_size = record_size;
	ring->n = n;
	ring->wake_after_usec = wake_after_usec;
	*ret = ring;
	return 0;
}

struct ring *ring_free(struct ring *ring)
{
	if (!ring)
		return NULL;
	safe_close(ring->efd);
	pthread_mutex_destroy(&ring->lock);
	free(ring);
	return NULL;
}

int ring_fd(const struct ring *ring)
{
	return ring->efd;
}

void ring_push(struct ring *ring, const void *record, uint64_t now_usec, unsigned wake)
{
	uint64_t one = 1;
	size_t tail;

	pthread_mutex_lock(&ring->lock);
	if (ring->count == 0 || ring->announced)
		ring->held_since_usec = now_usec;
	if (ring->count == ring->n) {
		/* Overwrite the oldest: a reclaiming thread never waits. */
		ring->head = (ring->head + 1) % ring->n;
		ring->count--;
		ring->dropped++;
	}
	tail = (ring->head + ring->count) % ring->n;
	memcpy(ring->data + tail * ring->record_size, record, ring->record_size);
	ring->count++;
	/* One wakeup per batch, and the pusher says where a batch ends: a
	 * ring already announced is drained by the reader anyway (it clears
	 * the eventfd only as it takes the last record, under the lock, so a
	 * push after that starts a new batch). Otherwise the reader is woken
	 * by a record that asks (the pusher is about to wait), by records held
	 * wake_after_usec, or by a ring half full; until then it may take
	 * them on a wakeup of its own. Pushers' clocks agree, but one may
	 * push an instant it read before another's: no age then. The
	 * eventfd is written under the lock, so that it is readable exactly
	 * while an announced batch is held (an eventfd write does not block;
	 * EAGAIN only when its counter would overflow): a pusher preempted
	 * between the two would hold back every thread's announcements, and
	 * a drain between them would leave the reader a wakeup for nothing.
	 * A lazy ring is announced only for a record someone waits for, or half
	 * full. */
	if (!ring->announced &&
	    (ring->count * 2 >= ring->n ||
	     (ring->lazy ? (wake & RING_WAKE_WANTED) != 0
			 : ((wake & RING_WAKE_BATCH_END) ||
			    (now_usec >= ring->held_since_usec &&
			     now_usec - ring->held_since_usec >= ring->wake_after_usec))))) {
		ring->announced = true;
		(void)!write(ring->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&ring->lock);
}

void ring_set_lazy(struct ring *ring, bool lazy)
{
	uint64_t one = 1;

	pthread_mutex_lock(&ring->lock);
	ring->lazy = lazy;
	if (!lazy && ring->count > 0 && !ring->announced) {
		ring->announced = true;
		(void)!write(ring->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&ring->lock);
}

int ring_pop(struct ring *ring, void *ret_record)
{
	uint64_t v;
	int r = 0;

	pthread_mutex_lock(&ring->lock);
	if (ring->count > 0) {
		memcpy(ret_record, ring->data + ring->head * ring->record_size,
		       ring->record_size);
		ring->head = (ring->head + 1) % ring->n;
		ring->count--;
		r = 1;
	}
	/* Emptied: the next push starts a batch. The eventfd was written for
	 * this one only if it was announced (a reader draining on a wakeup of
	 * its own pays no read for a batch it took unannounced). */
	if (ring->count == 0 && ring->announced) {
		ring->announced = false;
		(void)!read(ring->efd, &v, sizeof(v));
	}
	pthread_mutex_unlock(&ring->lock);
	return r;
}

uint64_t ring_dropped(const struct ring *ring)
{
	return __atomic_load_n(&ring->dropped, __ATOMIC_RELAXED);
}
