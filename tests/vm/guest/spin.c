/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spin: busy-loop at SCHED_FIFO priority 1 for SECONDS, then exit.
 *
 *   spin SECONDS
 *
 * Pinned to one CPU (taskset), it starves every SCHED_NORMAL task there
 * once RT throttling is off (kernel.sched_rt_runtime_us=-1 and, 6.12+, the
 * CPU's fair server runtime 0 in debugfs). The time limit is its own, so a
 * scenario that dies cannot leave the CPU starved.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char *argv[])
{
	struct sched_param sp = { .sched_priority = 1 };
	struct timespec t0, t;
	double secs;

	if (argc != 2 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: spin SECONDS\n");
		return 2;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		perror("spin: sched_setscheduler");
		return 1;
	}
	printf("spin: running\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	return 0;
}
