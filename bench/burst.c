/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * burst: allocate and touch MIB of anonymous memory in bursts, one every
 * INTERVAL, hold it HOLD, free it; time every first touch of a page (one
 * page fault each: THP is disabled on the mapping so a fault allocates one
 * 4 KiB page, which is where direct reclaim strikes) and print per-burst and
 * overall fault latency as JSON on stdout.
 *
 *   burst [--mib N] [--bursts K] [--interval-ms T] [--hold-ms H]
 *         [--fill-bytes B] [--thp]
 *
 * --fill-bytes: pseudo-random bytes written at the start of every page after
 * its fault (default 2048: zram compresses the page about 2:1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct burst_args {
	unsigned long mib;
	unsigned long bursts;
	unsigned long interval_msec;
	unsigned long hold_msec;
	unsigned long fill_bytes;
	int thp;
};

static int burst_parse_ulong(const char *s, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int burst_parse_args(int argc, char *argv[], struct burst_args *a)
{
	static const struct option options[] = {
		{ "mib", required_argument, NULL, 'm' },
		{ "bursts", required_argument, NULL, 'b' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "fill-bytes", required_argument, NULL, 'f' },
		{ "thp", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long *dst;
	int c;

	while ((c = getopt_long(argc, argv, "m:b:i:H:f:th", options, NULL)) >= 0) {
		switch (c) {
		case 'm': dst = &a->mib; break;
		case 'b': dst = &a->bursts; break;
		case 'i': dst = &a->interval_msec; break;
		case 'H': dst = &a->hold_msec; break;
		case 'f': dst = &a->fill_bytes; break;
		case 't': a->thp = 1; continue;
		case 'h':
			printf("usage: burst [--mib N] [--bursts K] [--interval-ms T] [--hold-ms H] [--fill-bytes B] [--thp]\n");
			exit(0);
		default:
			return -EINVAL;
		}
		if (burst_parse_ulong(optarg, dst) < 0) {
			fprintf(stderr, "burst: bad number '%s'\n", optarg);
			return -EINVAL;
		}
	}
	if (optind != argc || a->mib == 0 || a->mib > (1UL << 20) || a->bursts == 0) {
		fprintf(stderr, "burst: --mib must be 1..1048576 and --bursts at least 1\n");
		return -EINVAL;
	}
	return 0;
}

static void burst_sleep_msec(unsigned long msec)
{
	struct timespec ts = { .tv_sec = (time_t)(msec / 1000), .tv_nsec = (long)(msec % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One burst: map, touch every page once (timed), hold, unmap. */
static int burst_one(const struct burst_args *a, struct hist *h, uint64_t *seed, uint64_t *ret_total_nsec)
{
	size_t bytes = a->mib << 20, off;
	unsigned char *p;
	uint64_t start, t0, t1;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (!a->thp)
		(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	start = bench_now_nsec();
	t0 = start;
	for (off = 0; off < bytes; off += BENCH_PAGE_BYTES) {
		p[off] = 1; /* the fault */
		t1 = bench_now_nsec();
		hist_add(h, t1 - t0);
		bench_fill_page(p + off, a->fill_bytes, seed);
		t0 = bench_now_nsec();
	}
	*ret_total_nsec = bench_now_nsec() - start;
	burst_sleep_msec(a->hold_msec);
	munmap(p, bytes);
	return 0;
}

int main(int argc, char *argv[])
{
	struct burst_args a = { .mib = 100, .bursts = 10, .interval_msec = 2000, .hold_msec = 500,
				.fill_bytes = BENCH_PAGE_BYTES / 2 };
	static struct hist one, all;
	struct hist totals;
	uint64_t seed = 0x9e3779b97f4a7c15ULL, total_nsec = 0;
	unsigned long i;
	int r;

	if (burst_parse_args(argc, argv, &a) < 0)
		return 2;
	hist_reset(&all);
	hist_reset(&totals);
	printf("{\"mib\": %lu, \"interval_ms\": %lu, \"hold_ms\": %lu, \"fill_bytes\": %lu, \"thp\": %s,\n \"bursts\": [",
	       a.mib, a.interval_msec, a.hold_msec, a.fill_bytes, a.thp ? "true" : "false");
	for (i = 0; i < a.bursts; i++) {
		hist_reset(&one);
		r = burst_one(&a, &one, &seed, &total_nsec);
		if (r < 0) {
			fprintf(stderr, "burst: mmap %lu MiB: %s\n", a.mib, strerror(-r));
			return 1;
		}
		hist_merge(&all, &one);
		hist_add(&totals, total_nsec);
		printf("%s\n  {\"burst\": %lu, \"total_usec\": %llu, \"faults\": ", i ? "," : "", i,
		       (unsigned long long)(total_nsec / 1000));
		hist_print_json(stdout, &one);
		printf("}");
		fflush(stdout);
		if (i + 1 < a.bursts)
			burst_sleep_msec(a.interval_msec);
	}
	printf("],\n \"faults\": ");
	hist_print_json(stdout, &all);
	printf(",\n \"burst_total\": ");
	hist_print_json(stdout, &totals);
	printf("}\n");
	return 0;
}
