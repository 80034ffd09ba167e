/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * readcost: what one read of a kernel file costs, as the daemon reads it
 * (a kept fd, pread from offset 0 into a 16 KiB buffer). For each file:
 * the median and the 90th percentile of the reads' wall time and their
 * total CPU time (this thread's, user + system) over N reads, and the
 * bytes one read returns. Issue 14: which of the files a reclaim pass
 * reads cost what, measured in the guest whose kernel produces them.
 *
 *   readcost [--reads N] FILE...
 *   readcost --write TEXT [--reads N] FILE...
 *
 * Prints one JSON object per file on stdout:
 *   {"file": F, "bytes": B, "reads": N, "median_ns": M, "p90_ns": P,
 *    "cpu_ns_per_read": C}
 * With --write, N writes of TEXT instead (a reclaim file: what the
 * kernel's reclaim inside the writes costs the writer, this thread's CPU
 * time, which the kernel brings up to date when asked, unlike
 * /proc/PID/schedstat of a running task):
 *   {"file": F, "write": TEXT, "writes": N, "failed": E, "cpu_ns": C,
 *    "wall_ns": W}
 * where failed counts the writes answered EAGAIN (less reclaimed than
 * asked) and wall_ns is the time the writes took (above cpu_ns: another
 * task on the writer's CPU, or the kernel making it wait, e.g. for
 * lru_add_drain_all() on a write's last retry or in reclaim_throttle());
 * any other error ends the program with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES 16384

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* open(2), saying why it failed. */
static int open_or_say(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "readcost: %s: %s\n", path, strerror(errno));
	return fd;
}

static int measure(const char *path, unsigned reads, uint64_t *ns)
{
	static char buf[BUF_BYTES];
	uint64_t cpu0, cpu1;
	ssize_t k = 0;
	int fd;

	fd = open_or_say(path, O_RDONLY);
	if (fd < 0)
		return -1;
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned i = 0; i < reads; i++) {
		uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

		k = pread(fd, buf, sizeof(buf), 0);
		ns[i] = clock_ns(CLOCK_MONOTONIC) - t0;
		if (k < 0) {
			fprintf(stderr, "readcost: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	cpu1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	close(fd);
	qsort(ns, reads, sizeof(*ns), cmp_u64);
	printf("{\"file\": \"%s\", \"bytes\": %zd, \"reads\": %u, \"median_ns\": %llu, "
	       "\"p90_ns\": %llu, \"cpu_ns_per_read\": %llu}\n",
	       path, k, reads, (unsigned long long)ns[reads / 2],
	       (unsigned long long)ns[reads * 9 / 10],
	       (unsigned long long)((cpu1 - cpu0) / reads));
	return 0;
}

static int measure_writes(const char *path, const char *text, unsigned writes)
{
	uint64_t cpu0, cpu1, wall0, wall1;
	unsigned failed = 0;
	int fd;

	fd = open_or_say(path, O_WRONLY);
	if (fd < 0)
		return -1;
	wall0 = clock_ns(CLOCK_MONOTONIC);
	cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned i = 0; i < writes; i++) {
		if (pwrite(fd, text, strlen(text), 0) >= 0)
			continue;
		if (errno != EAGAIN) {
			fprintf(stderr, "readcost: %s: writing \"%s\": %s\n", path, text,
				strerror(errno));
			close(fd);
			return -1;
		}
		failed++; /* less than asked was reclaimed */
	}
	cpu1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	wall1 = clock_ns(CLOCK_MONOTONIC);
	close(fd);
	printf("{\"file\": \"%s\", \"write\": \"%s\", \"writes\": %u, \"failed\": %u, "
	       "\"cpu_ns\": %llu, \"wall_ns\": %llu}\n",
	       path, text, writes, failed, (unsigned long long)(cpu1 - cpu0),
	       (unsigned long long)(wall1 - wall0));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reads", required_argument, NULL, 'n' },
		{ "write", required_argument, NULL, 'w' },
		{},
	};
	const char *text = NULL;
	unsigned reads = 2000;
	uint64_t *ns;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			reads = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			text = optarg;
			break;
		default:
			return 2;
		}
	}
	if (reads == 0 || optind >= argc) {
		fprintf(stderr, "usage: readcost [--write TEXT] [--reads N] FILE...\n");
		return 2;
	}
	if (text) {
		for (int i = optind; i < argc; i++)
			rc |= measure_writes(argv[i], text, reads) < 0;
		return rc;
	}
	ns = calloc(reads, sizeof(*ns));
	if (!ns)
		return 1;
	for (int i = optind; i < argc; i++)
		rc |= measure(argv[i], reads, ns) < 0;
	free(ns);
	return rc;
}
