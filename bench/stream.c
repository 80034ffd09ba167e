/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stream: read a file or block device sequentially, over and over, so the
 * page cache fills with use-once pages faster than anything else uses memory.
 * Stops after --loops passes, after --seconds, or on SIGTERM/SIGINT, and then
 * prints what it read as JSON on stdout.
 *
 *   stream PATH [--loops N] [--seconds S] [--limit-mib M] [--bs-kib K]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static volatile sig_atomic_t stream_stop;

static void stream_on_signal(int sig)
{
	(void)sig;
	stream_stop = 1;
}

static int stream_parse_ulong(const char *s, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		fprintf(stderr, "stream: bad number '%s'\n", s);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* One pass from offset 0 to EOF or limit_bytes; returns bytes read or -errno. */
static int64_t stream_pass(int fd, unsigned char *buf, size_t bs, uint64_t limit_bytes)
{
	uint64_t done = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while (!stream_stop && (limit_bytes == 0 || done < limit_bytes)) {
		n = read(fd, buf, bs);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	return (int64_t)done;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "loops", required_argument, NULL, 'l' },
		{ "seconds", required_argument, NULL, 's' },
		{ "limit-mib", required_argument, NULL, 'L' },
		{ "bs-kib", required_argument, NULL, 'b' },
		{}
	};
	unsigned long loops = 0, seconds = 0, limit_mib = 0, bs_kib = 1024, *dst, passes = 0;
	struct sigaction sa = { .sa_handler = stream_on_signal };
	uint64_t total = 0, start, elapsed;
	unsigned char *buf;
	int64_t n;
	int c, fd;

	while ((c = getopt_long(argc, argv, "l:s:L:b:", options, NULL)) >= 0) {
		switch (c) {
		case 'l': dst = &loops; break;
		case 's': dst = &seconds; break;
		case 'L': dst = &limit_mib; break;
		case 'b': dst = &bs_kib; break;
		default: return 2;
		}
		if (stream_parse_ulong(optarg, dst) < 0)
			return 2;
	}
	if (optind + 1 != argc || bs_kib == 0 || bs_kib > 65536) {
		fprintf(stderr, "usage: stream PATH [--loops N] [--seconds S] [--limit-mib M] [--bs-kib 1..65536]\n");
		return 2;
	}
	/* No SA_RESTART: a signal must interrupt a read stuck in reclaim. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "stream: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	buf = malloc(bs_kib << 10);
	if (!buf)
		return 1;
	start = bench_now_nsec();
	while (!stream_stop && (loops == 0 || passes < loops)) {
		n = stream_pass(fd, buf, bs_kib << 10, (uint64_t)limit_mib << 20);
		if (n < 0) {
			fprintf(stderr, "stream: read %s: %s\n", argv[optind], strerror((int)-n));
			return 1;
		}
		total += (uint64_t)n;
		if (n == 0)
			break;
		if (!stream_stop)
			passes++;
		if (seconds && bench_now_nsec() - start >= (uint64_t)seconds * 1000000000ULL)
			break;
	}
	elapsed = bench_now_nsec() - start;
	printf("{\"path\": \"%s\", \"passes\": %lu, \"bytes\": %llu, \"seconds\": %.3f, \"mib_per_s\": %.1f}\n",
	       argv[optind], passes, (unsigned long long)total, elapsed / 1e9,
	       elapsed ? (double)total / 1048576.0 / (elapsed / 1e9) : 0.0);
	free(buf);
	close(fd);
	return 0;
}
