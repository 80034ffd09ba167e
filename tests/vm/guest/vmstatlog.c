/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmstatlog: sample /proc/vmstat counters against CLOCK_REALTIME (the clock
 * of reclaimd's watch events), so a scenario can tell which event a kernel
 * counter moved in.
 *
 *   vmstatlog INTERVAL_MS KEY...
 *
 * Prints "REALTIME_USEC VALUE..." (values in the order of the keys, 0 for a
 * key the kernel does not have) at start and then whenever a value changed,
 * until killed.
 *
 *   vmstatlog --now
 *
 * Prints REALTIME_USEC once: a mark to compare events' time_usec with
 * (busybox date has no sub-second format).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 16

int main(int argc, char *argv[])
{
	unsigned long long v[MAX_KEYS], last[MAX_KEYS];
	static char buf[65536];
	struct timespec ts, pause;
	int fd, nkeys, first = 1;
	long ms;

	if (argc == 2 && strcmp(argv[1], "--now") == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * 1000000ULL +
					 (unsigned long long)ts.tv_nsec / 1000);
		return 0;
	}
	if (argc < 3 || (ms = strtol(argv[1], NULL, 10)) <= 0 || argc - 2 > MAX_KEYS) {
		fprintf(stderr, "usage: vmstatlog INTERVAL_MS KEY... (at most %d keys)\n", MAX_KEYS);
		return 2;
	}
	nkeys = argc - 2;
	pause.tv_sec = ms / 1000;
	pause.tv_nsec = (ms % 1000) * 1000000L;
	fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("vmstatlog: /proc/vmstat");
		return 1;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		int changed = first;

		clock_gettime(CLOCK_REALTIME, &ts);
		if (n < 0) {
			perror("vmstatlog: read");
			return 1;
		}
		buf[n] = '\0';
		for (int k = 0; k < nkeys; k++) {
			size_t len = strlen(argv[k + 2]);
			char *p = buf;

			v[k] = 0;
			while ((p = strstr(p, argv[k + 2])) != NULL) {
				if ((p == buf || p[-1] == '\n') && p[len] == ' ') {
					v[k] = strtoull(p + len + 1, NULL, 10);
					break;
				}
				p += len;
			}
			if (!first && v[k] != last[k])
				changed = 1;
			last[k] = v[k];
		}
		if (changed) {
			printf("%llu", (unsigned long long)ts.tv_sec * 1000000ULL +
					       (unsigned long long)ts.tv_nsec / 1000);
			for (int k = 0; k < nkeys; k++)
				printf(" %llu", v[k]);
			putchar('\n');
			fflush(stdout);
		}
		first = 0;
		nanosleep(&pause, NULL);
	}
}
