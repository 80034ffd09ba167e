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
	int efd;
	unsigned char data[];
};

int ring_new(size_t record_size, size_t n, struct ring **ret)
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

void ring_push(struct ring *ring, const void *record)
{
	uint64_t one = 1;
	size_t tail;
	bool was_empty;

	pthread_mutex_lock(&ring->lock);
	was_empty = ring->count == 0;
	if (ring->count == ring->n) {
		/* Overwrite the oldest: a reclaiming thread never waits. */
		ring->head = (ring->head + 1) % ring->n;
		ring->count--;
		ring->dropped++;
	}
	tail = (ring->head + ring->count) % ring->n;
	memcpy(ring->data + tail * ring->record_size, record, ring->record_size);
	ring->count++;
	pthread_mutex_unlock(&ring->lock);
	/* One wakeup per batch: a ring that held records has woken its
	 * reader already, which owes a drain (ring_pop() until 0; it clears
	 * the eventfd only as it takes the last record, under the lock, so a
	 * push after that finds the ring empty and writes). A run's events
	 * come a few milliseconds apart, and each write woke the reader.
	 * EAGAIN only when the counter would overflow. */
	if (was_empty)
		(void)!write(ring->efd, &one, sizeof(one));
}

void ring_clear_wakeup(struct ring *ring)
{
	uint64_t v;

	(void)!read(ring->efd, &v, sizeof(v));
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
	if (ring->count == 0)
		(void)!read(ring->efd, &v, sizeof(v));
	pthread_mutex_unlock(&ring->lock);
	return r;
}

uint64_t ring_dropped(const struct ring *ring)
{
	return __atomic_load_n(&ring->dropped, __ATOMIC_RELAXED);
}
