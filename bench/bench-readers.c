/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Median cost of the readers' per-tick work, timed one call at a time with
 * clock_gettime(CLOCK_MONOTONIC):
 *	bench-readers ROOT MEMSTAT_FILE [ITERATIONS]
 * ROOT is a fixture tree (the 4-node one) or "/" for this machine.
 * Results go to docs/benchmarks.md ("## Readers").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reread.h"
#include "util.h"
#include "zoneinfo.h"

static uint64_t now_nsec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *ns, unsigned n)
{
	qsort(ns, n, sizeof(ns[0]), cmp_u64);
	printf("%-44s median %7.2f us  p90 %7.2f us  min %7.2f us  (n=%u)\n", what,
	       ns[n / 2] / 1000.0, ns[n * 9 / 10] / 1000.0, ns[0] / 1000.0, n);
}

int main(int argc, char **argv)
{
	static struct zoneinfo zi;
	struct zoneinfo_reader *zr = NULL;
	struct reread_file ms = REREAD_FILE_NULL;
	unsigned n = 20000;
	uint64_t *ns;
	ssize_t len = 0;
	int r;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROOT MEMSTAT_FILE [ITERATIONS]\n", argv[0]);
		return 2;
	}
	if (argc > 3 && (safe_atou(argv[3], &n) < 0 || n < 10)) {
		fprintf(stderr, "bad iteration count %s\n", argv[3]);
		return 2;
	}
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return 1;

	r = zoneinfo_reader_open(argv[1], &zr);
	if (r < 0) {
		fprintf(stderr, "zoneinfo under %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	r = zoneinfo_reader_read(zr, &zi);
	if (r < 0) {
		fprintf(stderr, "zoneinfo parse: %s\n", strerror(-r));
		return 1;
	}
	printf("zoneinfo: %u nodes, %u zones on node 0\n", zi.n_nodes, zi.nodes[0].n_zones);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = now_nsec();

		r = zoneinfo_reader_read(zr, &zi);
		ns[i] = now_nsec() - t0;
		if (r < 0)
			return 1;
	}
	report("zoneinfo pread + parse (zoneinfo_reader_read)", ns, n);

	/* A node thread's snapshot: its node alone, the last one (the others'
	 * lines skipped before it). */
	{
		static struct node_zoneinfo nz;
		int last = zi.nodes[zi.n_nodes - 1].id;

		for (unsigned i = 0; i < n; i++) {
			uint64_t t0 = now_nsec();

			r = zoneinfo_reader_read_node(zr, last, &nz);
			ns[i] = now_nsec() - t0;
			if (r < 0)
				return 1;
		}
		printf("zoneinfo node %d of %u:\n", last, zi.n_nodes);
		report("zoneinfo pread + parse of one node (zoneinfo_reader_read_node)", ns, n);
	}

	/* The same file's pread alone, to split the cost. */
	{
		struct reread_file zf = REREAD_FILE_NULL;

		if (reread_file_open(argv[1], "/proc/zoneinfo", 0, &zf) < 0)
			return 1;
		for (unsigned i = 0; i < n; i++) {
			uint64_t t0 = now_nsec();

			len = reread_file_read(&zf);
			ns[i] = now_nsec() - t0;
			if (len < 0)
				return 1;
		}
		printf("zoneinfo file: %zd bytes\n", len);
		report("zoneinfo pread alone", ns, n);
		reread_file_close(&zf);
	}

	r = reread_file_open("", argv[2], 0, &ms);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	len = reread_file_read(&ms);
	if (len < 0)
		return 1;
	printf("memory.stat-sized file: %zd bytes\n", len);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = now_nsec();

		len = reread_file_read(&ms);
		ns[i] = now_nsec() - t0;
		if (len < 0)
			return 1;
	}
	report("memory.stat pread (reread_file_read)", ns, n);

	reread_file_close(&ms);
	zoneinfo_reader_free(zr);
	free(ns);
	return 0;
}
