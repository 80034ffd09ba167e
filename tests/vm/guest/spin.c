/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spin: busy-loop at SCHED_FIFO priority 1 for SECONDS, then exit.
 *
 *   spin SECONDS [PID...] [-- PID...]
 *
 * Pinned to one CPU (taskset), it starves every SCHED_NORMAL task there
 * once RT throttling is off (kernel.sched_rt_runtime_us=-1 and, 6.12+, the
 * CPU's fair server runtime 0 in debugfs). The time limit is its own, so a
 * scenario that dies cannot leave the CPU starved; SIGTERM ends it early.
 *
 * Each PID (e.g. the CPU's ksoftirqd and kworkers) is raised to SCHED_FIFO
 * priority 2, above the spinner, while it spins, and given its own policy
 * back when it ends (a SIGKILL leaves it raised): with softirqs left to a
 * starved ksoftirqd, RCU grace periods wait for the CPU, and so does
 * everything that waits for one (a cgroup move); work queued on the CPU
 * waits for its kworkers. The PIDs after "--" are raised the same way on
 * SIGUSR1 ("spin: raised"). A PID that is gone is skipped; one it cannot
 * raise otherwise is an error (before "running" for the first ones).
 *
 * Before spinning it empties its CPU's per-CPU LRU batches (an munmap
 * drains them: lru_add_drain()), after its own start-up faults and its
 * "running" line. lru_add_drain_all() queues work on a CPU only when it
 * holds pages in those batches or buffer heads in its bh LRU (which this
 * does not empty), and work queued on the held CPU waits for the spinner,
 * with it a memory.reclaim write that reaches its last retry or a
 * nodeN/compact write, and any other caller behind the function's one
 * mutex. Spinning itself touches no new page, but interrupts and the raised
 * ksoftirqd can fill the batches again (folio_rotate_reclaimable() at the
 * end of writeback): alone, this was not enough for the kernelboost
 * scenario's compact write, which ends only after the hold unless the CPU's
 * kworkers are raised.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop, raise_more;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	raise_more = 1;
}

struct saved {
	pid_t pid;
	int policy;
	struct sched_param sp;
};

static void restore_pids(int n, struct saved *s)
{
	for (int i = 0; i < n; i++)
		if (s[i].policy >= 0 && sched_setscheduler(s[i].pid, s[i].policy, &s[i].sp) < 0 &&
		    errno != ESRCH)
			fprintf(stderr, "spin: cannot give pid %d its policy back: %m\n", (int)s[i].pid);
}

/* Raise each PID above the spinner, keeping its policy; on a failure, give
 * those raised their policy back and return -1. */
static int raise_pids(int n, struct saved *s)
{
	struct sched_param sp = { .sched_priority = 2 };

	for (int i = 0; i < n; i++) {
		s[i].policy = sched_getscheduler(s[i].pid);
		if (s[i].policy < 0 || sched_getparam(s[i].pid, &s[i].sp) < 0 ||
		    sched_setscheduler(s[i].pid, SCHED_FIFO, &sp) < 0) {
			if (errno == ESRCH) {
				/* Gone (an idle kworker the pool let go): nothing to hold. */
				s[i].policy = -1;
				continue;
			}
			printf("spin: cannot raise pid %d: %m\n", (int)s[i].pid);
			restore_pids(i, s);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct sched_param sp = { .sched_priority = 1 };
	struct sigaction sa = { .sa_handler = on_term }, su = { .sa_handler = on_usr1 };
	struct timespec t0, t;
	struct saved saved[64], later[64];
	int npids = 0, nlater = 0, raised_later = 0, group = 0;
	double secs;
	char *p, *end;

	if (argc < 2 || argc > 2 + 64 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: spin SECONDS [PID...] [-- PID...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		long pid;

		if (strcmp(argv[i], "--") == 0 && !group) {
			group = 1;
			continue;
		}
		pid = strtol(argv[i], &end, 10);
		if (*end || end == argv[i] || pid <= 0) {
			fprintf(stderr, "spin: not a pid: '%s'\n", argv[i]);
			return 2;
		}
		if (group)
			later[nlater++].pid = (pid_t)pid;
		else
			saved[npids++].pid = (pid_t)pid;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &su, NULL);
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		perror("spin: sched_setscheduler");
		return 1;
	}
	if (raise_pids(npids, saved) < 0)
		return 1;
	printf("spin: running\n");
	fflush(stdout);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 1, 4096);
		munmap(p, 4096);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (raise_more && !raised_later) {
			raise_more = 0;
			raised_later = raise_pids(nlater, later) == 0;
			printf("spin: raised %d more: %s\n", nlater, raised_later ? "ok" : "failed");
			fflush(stdout);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!stop && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	if (raised_later)
		restore_pids(nlater, later);
	restore_pids(npids, saved);
	return 0;
}
