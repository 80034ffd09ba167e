/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the bench/ workload programs: a fixed-size latency histogram (no
 * allocation while measuring: the programs run while memory is short, and
 * storing every sample of a 400 MiB burst would itself take 800 KiB), the
 * clock, and a pseudo-random page fill.
 *
 * Buckets: values below 16 ns are exact; above, each power of two is split
 * into 16 linear sub-buckets, so a percentile is reported with at most 1/16
 * (6.25%) relative error. 60 powers of two cover any 64-bit nanosecond value.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BENCH_PAGE_BYTES 4096UL
#define HIST_SUB_BITS 4
#define HIST_SUB (1U << HIST_SUB_BITS)
#define HIST_BUCKETS (64U * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum_nsec;
	uint64_t max_nsec;
	uint64_t bucket[HIST_BUCKETS];
};

static inline uint64_t bench_now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline unsigned hist_index(uint64_t v)
{
	unsigned msb;

	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63U - (unsigned)__builtin_clzll(v);
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB +
	       (unsigned)((v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

/* The lowest value a bucket holds: what a percentile reports. */
static inline uint64_t hist_bucket_value(unsigned i)
{
	unsigned shift;

	if (i < HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	return ((uint64_t)HIST_SUB + i % HIST_SUB) << shift;
}

static inline void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

static inline void hist_add(struct hist *h, uint64_t nsec)
{
	unsigned i = hist_index(nsec);

	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->bucket[i]++;
	h->count++;
	h->sum_nsec += nsec;
	if (nsec > h->max_nsec)
		h->max_nsec = nsec;
}

static inline void hist_merge(struct hist *into, const struct hist *h)
{
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		into->bucket[i] += h->bucket[i];
	into->count += h->count;
	into->sum_nsec += h->sum_nsec;
	if (h->max_nsec > into->max_nsec)
		into->max_nsec = h->max_nsec;
}

/* permille: 500 for p50, 990 for p99. */
static inline uint64_t hist_percentile(const struct hist *h, unsigned permille)
{
	uint64_t rank, seen = 0;
	unsigned i;

	if (h->count == 0)
		return 0;
	rank = (h->count * permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			return hist_bucket_value(i);
	}
	return h->max_nsec;
}

static inline void hist_print_json(FILE *f, const struct hist *h)
{
	fprintf(f, "{\"count\": %llu, \"mean_nsec\": %llu, \"p50_nsec\": %llu, "
		   "\"p99_nsec\": %llu, \"max_nsec\": %llu}",
		(unsigned long long)h->count,
		(unsigned long long)(h->count ? h->sum_nsec / h->count : 0),
		(unsigned long long)hist_percentile(h, 500),
		(unsigned long long)hist_percentile(h, 990),
		(unsigned long long)h->max_nsec);
}

/*
 * Fill the first fill_bytes of a page with xorshift output and leave the
 * rest zero: with half a page zram compresses it about 2:1, instead of
 * storing a same-filled page for free, and the kernel cannot merge it. Less
 * is cheaper under TCG (every instruction is emulated) and still not
 * same-filled.
 */
static inline void bench_fill_page(unsigned char *page, size_t fill_bytes, uint64_t *state)
{
	uint64_t x = *state;
	size_t i;

	for (i = 0; i < fill_bytes && i < BENCH_PAGE_BYTES; i += sizeof(x)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(page + i, &x, sizeof(x));
	}
	*state = x;
}

#endif
