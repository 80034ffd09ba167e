/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A fixed ring of fixed-size records, written by node threads and read by
 * the event loop (watch events). Push never allocates and never blocks for
 * long: when the ring is full the oldest record is overwritten and counted
 * as dropped, because a reclaiming thread must never wait on a slow client.
 * The reader learns of new records through an eventfd, once a batch.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring;

/* Allocates everything up front: n records of record_size bytes. A record
 * not announced wakes the reader at the next push once wake_after_usec
 * old (ring_push()). */
int ring_new(size_t record_size, size_t n, uint64_t wake_after_usec, struct ring **ret);
struct ring *ring_free(struct ring *ring);

/* Non-blocking eventfd, readable while a batch of records announced
 * (ring_push()) is held: ring_pop() until 0 clears it. */
int ring_fd(const struct ring *ring);

/* What a record asks of the reader's wakeup: flags, 0 for nothing (it
 * waits for its batch's end). */
enum {
	/* Its pusher is about to wait: nothing may follow it for long, so
	 * it ends the batch (not on a lazy ring). */
	RING_WAKE_BATCH_END = 1u << 0,
	/* Someone waits for it even when nobody watches the batches: on a
	 * lazy ring it wakes the reader (on another, its batch's end does,
	 * soon). */
	RING_WAKE_WANTED = 1u << 1,
};

/* Copy one record in, pushed at now_usec (any clock the pushers share).
 * Wakes the reader if no wakeup is owed for the records held and: the
 * ring is half full; or on a lazy ring the record is RING_WAKE_WANTED; or
 * on another the record is RING_WAKE_BATCH_END or the records not
 * announced are wake_after_usec old. Records held without a wakeup are
 * taken by a reader that drains on a wakeup of its own. Safe from any
 * thread. */
void ring_push(struct ring *ring, const void *record, uint64_t now_usec, unsigned wake);

/* Lazy (off at creation): nobody waits for most records, so a push wakes
 * the reader only as ring_push() says, and the reader takes the rest on
 * wakeups of its own. Turning it off announces the records held. Safe
 * from any thread. */
void ring_set_lazy(struct ring *ring, bool lazy);

/* Copy the oldest record out; returns 1, or 0 when empty. Clears the
 * eventfd when it drains an announced batch. */
int ring_pop(struct ring *ring, void *ret_record);

/* Records overwritten before they were read, since creation. */
uint64_t ring_dropped(const struct ring *ring);
