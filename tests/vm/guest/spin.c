/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spin: busy-loop at SCHED_FIFO priority 1 for SECONDS, then exit.
 *
 *   spin SECONDS [PID...]
 *
 * Pinned to one CPU (taskset), it starves every SCHED_NORMAL task there
 * once RT throttling is off (kernel.sched_rt_runtime_us=-1 and, 6.12+, the
 * CPU's fair server runtime 0 in debugfs). The time limit is its own, so a
 * scenario that dies cannot leave the CPU starved; SIGTERM ends it early.
 *
 * Each PID (e.g. the CPU's ksoftirqd) is raised to SCHED_FIFO priority 2,
 * above the spinner, while it spins, and put back to SCHED_OTHER when it
 * ends: with softirqs left to a starved ksoftirqd, RCU grace periods wait for
 * the CPU, and so does everything that waits for one (a cgroup move).
 *
 * Before spinning it empties its CPU's per-CPU LRU batches (an munmap
 * drains them: lru_add_drain()), after its own start-up faults and its
 * "running" line: lru_add_drain_all() queues work only on CPUs that hold
 * pages there, and work queued on the held CPU waits for the spinner (with
 * it a memory.reclaim write that reaches its last retry, or a nodeN/compact
 * write). Spinning itself touches no new page. (Not enough for the
 * kernelboost scenario's compact write, which still ended only after the
 * hold in its runs: something else on the CPU, or the writer, waits.)
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void set_policy(int n, pid_t *pids, int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	for (int i = 0; i < n; i++)
		if (sched_setscheduler(pids[i], policy, &sp) < 0)
			fprintf(stderr, "spin: sched_setscheduler(%d): %m\n", (int)pids[i]);
}

int main(int argc, char *argv[])
{
	struct sched_param sp = { .sched_priority = 1 };
	struct sigaction sa = { .sa_handler = on_term };
	struct timespec t0, t;
	pid_t pids[16];
	int npids = 0;
	double secs;
	char *p;

	if (argc < 2 || argc > 2 + 16 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: spin SECONDS [PID...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		pids[npids++] = (pid_t)atoi(argv[i]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		perror("spin: sched_setscheduler");
		return 1;
	}
	set_policy(npids, pids, SCHED_FIFO, 2);
	printf("spin: running\n");
	fflush(stdout);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 1, 4096);
		munmap(p, 4096);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while (!stop && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	set_policy(npids, pids, SCHED_OTHER, 0);
	return 0;
}
