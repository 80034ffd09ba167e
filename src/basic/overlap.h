/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Whether a write overlapped another one to the same target, from any
 * thread: a counter delta read around a write (pgsteal of a cgroup, of
 * /proc/vmstat) then holds the other write's pages too. Lock-free: a
 * writer already in flight when this one began, or one that began before
 * it ended, is an overlap. No allocation, no system call.
 */

#include <stdbool.h>
#include <stdint.h>

struct overlap {
	unsigned in_flight;
	uint64_t starts;
};

struct overlap_token {
	unsigned in_flight; /* writers in flight when this one began, itself included */
	uint64_t start;     /* starts up to and including this one */
};

static inline void overlap_begin(struct overlap *o, struct overlap_token *t)
{
	t->in_flight = __atomic_add_fetch(&o->in_flight, 1, __ATOMIC_SEQ_CST);
	t->start = __atomic_add_fetch(&o->starts, 1, __ATOMIC_SEQ_CST);
}

/* Ends the write begun with t; true if another overlapped it. */
static inline bool overlap_end(struct overlap *o, const struct overlap_token *t)
{
	bool other = t->in_flight > 1 || __atomic_load_n(&o->starts, __ATOMIC_SEQ_CST) != t->start;

	(void)__atomic_sub_fetch(&o->in_flight, 1, __ATOMIC_SEQ_CST);
	return other;
}
