/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A fixed ring of fixed-size records, written by node threads and read by
 * the event loop (watch events). Push never allocates and never blocks for
 * long: when the ring is full the oldest record is overwritten and counted
 * as dropped, because a reclaiming thread must never wait on a slow client.
 * The reader learns of new records through an eventfd.
 */

#include <stddef.h>
#include <stdint.h>

struct ring;

/* Allocates everything up front: n records of record_size bytes. */
int ring_new(size_t record_size, size_t n, struct ring **ret);
struct ring *ring_free(struct ring *ring);

/* Non-blocking eventfd that becomes readable when a record is pushed into
 * the empty ring. */
int ring_fd(const struct ring *ring);

/* Copy one record in; wakes the reader if the ring was empty (a reader
 * drains it with ring_pop() until 0). Safe from any thread. */
void ring_push(struct ring *ring, const void *record);
/* Makes the eventfd unreadable without taking a record, for a reader that
 * takes them later (the next push into a ring that is not empty does not
 * wake it again: it must drain). */
void ring_clear_wakeup(struct ring *ring);

/* Copy the oldest record out; returns 1, or 0 when empty. Clears the
 * eventfd when it drains the ring. */
int ring_pop(struct ring *ring, void *ret_record);

/* Records overwritten before they were read, since creation. */
uint64_t ring_dropped(const struct ring *ring);
