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

/* Non-blocking eventfd that becomes readable when a batch of records is
 * announced (ring_push()); ring_pop() until 0 clears it. */
int ring_fd(const struct ring *ring);

/* Copy one record in, pushed at now_usec (any clock the pushers share).
 * Wakes the reader if no wakeup is owed for the records held and the
 * record is urgent (its pusher is about to wait: nothing may follow it for
 * long), the records not announced are wake_after_usec old, or the ring is
 * half full. Records held without a wakeup are taken by a reader that
 * drains on a wakeup of its own. Safe from any thread. */
void ring_push(struct ring *ring, const void *record, uint64_t now_usec, bool urgent);

/* Makes the eventfd unreadable, for a reader woken by it that drains next:
 * a pusher writes it after it lets go of the ring, so a reader that
 * drained on a wakeup of its own may find it readable with nothing held. */
void ring_clear_wakeup(struct ring *ring);

/* Copy the oldest record out; returns 1, or 0 when empty. Clears the
 * eventfd when it drains an announced batch. */
int ring_pop(struct ring *ring, void *ret_record);

/* Records overwritten before they were read, since creation. */
uint64_t ring_dropped(const struct ring *ring);
