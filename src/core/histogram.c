/* SPDX-License-Identifier: GPL-2.0-only */
#include "histogram.h"

#define MSEC UINT64_C(1000)
#define SEC UINT64_C(1000000)

const uint64_t histogram_bounds_usec[HISTOGRAM_BOUNDS] = {
	100,	  1 * MSEC,   5 * MSEC,	 10 * MSEC, 25 * MSEC, 50 * MSEC, 100 * MSEC,
	250 * MSEC, 500 * MSEC, 1 * SEC, 2500 * MSEC, 5 * SEC, 10 * SEC,	 30 * SEC,
};

unsigned histogram_bucket(uint64_t usec)
{
	unsigned i = 0;

	while (i < HISTOGRAM_BOUNDS && usec > histogram_bounds_usec[i])
		i++;
	return i;
}

void histogram_record(struct histogram *h, uint64_t usec)
{
	__atomic_add_fetch(&h->count[histogram_bucket(usec)], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->sum_usec, usec, __ATOMIC_RELAXED);
}

uint64_t histogram_cumulative(const struct histogram *h, unsigned i)
{
	uint64_t n = 0;

	for (unsigned k = 0; k <= i && k <= HISTOGRAM_BOUNDS; k++)
		n += __atomic_load_n(&h->count[k], __ATOMIC_RELAXED);
	return n;
}
