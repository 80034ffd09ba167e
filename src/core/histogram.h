/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A duration histogram with fixed buckets, recorded into preallocated
 * counters: histogram_record() does a few compares and two relaxed atomic
 * adds, no allocation, no lock, so a node thread can call it on the reclaim
 * path while the main loop reads a copy for the stats.
 *
 * The bounds cover what StepSize= versus WatchdogSec= tuning needs: a
 * memory.reclaim write of a 16 MiB step takes 1-100 ms on a warm page cache
 * and seconds when it swaps to a slow disk; a balance run is several such
 * writes; the watchdog fires at tens of seconds.
 */

#include <stdint.h>

#define HISTOGRAM_BOUNDS 14

/* Upper bounds ("le") of the finite buckets, microseconds, ascending. */
extern const uint64_t histogram_bounds_usec[HISTOGRAM_BOUNDS];

struct histogram {
	/* count[i]: samples <= histogram_bounds_usec[i] and above the bound
	 * before (not cumulative); count[HISTOGRAM_BOUNDS]: above the last. */
	uint64_t count[HISTOGRAM_BOUNDS + 1];
	uint64_t sum_usec;
};

/* Index of the bucket that holds usec. */
unsigned histogram_bucket(uint64_t usec);

void histogram_record(struct histogram *h, uint64_t usec);

/* Prometheus' cumulative count of samples <= bound i (i == HISTOGRAM_BOUNDS:
 * +Inf, the total). */
uint64_t histogram_cumulative(const struct histogram *h, unsigned i);
