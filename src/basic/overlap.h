/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Whether a write overlapped another one to the same target, from any
 * thread: a counter delta read around a write (pgsteal of a cgroup, of
 * /proc/vmstat) then holds the other write's pages too. Lock-free: a
 * writer already in flight when this one began, or one that began before
 * it ended, is an overlap. No allocation, no system call.
 *
 * The writers in flight and the starts share one word, so that a begin
 * takes both at once: with two counters, A in, B in, B counted, A counted
 * left A seeing neither (a review of the first version).
 */

#include <stdbool.h>
#include <stdint.h>

#define OVERLAP_IN_FLIGHT_BITS 16

struct overlap {
	uint64_t v; /* starts << OVERLAP_IN_FLIGHT_BITS | writers in flight */
};

struct overlap_token {
	uint64_t in_flight; /* writers in flight when this one began, itself included */
	uint64_t start;     /* starts up to and including this one */
};

static inline void overlap_begin(struct overlap *o, struct overlap_token *t)
{
	uint64_t v = __atomic_add_fetch(&o->v, (UINT64_C(1) << OVERLAP_IN_FLIGHT_BITS) | 1,
					__ATOMIC_SEQ_CST);

	t->in_flight = v & ((UINT64_C(1) << OVERLAP_IN_FLIGHT_BITS) - 1);
	t->start = v >> OVERLAP_IN_FLIGHT_BITS;
}

/* Ends the write begun with t; true if another overlapped it. */
static inline bool overlap_end(struct overlap *o, const struct overlap_token *t)
{
	uint64_t v = __atomic_load_n(&o->v, __ATOMIC_SEQ_CST);
	bool other = t->in_flight > 1 || v >> OVERLAP_IN_FLIGHT_BITS != t->start;

	(void)__atomic_sub_fetch(&o->v, 1, __ATOMIC_SEQ_CST);
	return other;
}

/* Watching writers of o without being one: a write of another kind whose
 * counter o's writes also move (a node-file write reclaims a cgroup's
 * pages on that node). overlap_watch_end() is true if one of o's writes
 * was in flight at the watch's start or began before its end. */
static inline void overlap_watch_begin(struct overlap *o, struct overlap_token *t)
{
	uint64_t v = __atomic_load_n(&o->v, __ATOMIC_SEQ_CST);

	t->in_flight = (v & ((UINT64_C(1) << OVERLAP_IN_FLIGHT_BITS) - 1)) + 1;
	t->start = v >> OVERLAP_IN_FLIGHT_BITS;
}

static inline bool overlap_watch_end(struct overlap *o, const struct overlap_token *t)
{
	return t->in_flight > 1 ||
	       __atomic_load_n(&o->v, __ATOMIC_SEQ_CST) >> OVERLAP_IN_FLIGHT_BITS != t->start;
}

/* Writers in flight now (tests). */
static inline unsigned overlap_in_flight(struct overlap *o)
{
	return (unsigned)(__atomic_load_n(&o->v, __ATOMIC_SEQ_CST) &
			  ((UINT64_C(1) << OVERLAP_IN_FLIGHT_BITS) - 1));
}
