/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frag: fragment a node's free memory and provoke a kernel watermark boost.
 *
 *   frag fill MIB       fault in MIB of anonymous memory in 4 KiB pages
 *                       (MADV_NOHUGEPAGE, MADV_POPULATE_WRITE), then free
 *                       every other page (MADV_DONTNEED): the free memory
 *                       is left in order-0 holes, no free 2 MiB block can
 *                       form from it. Holds the rest until killed.
 *   frag ptes N         map N 2 MiB-aligned slots of a sparse mapping, say
 *                       "ready" and wait for SIGUSR1; then touch one byte in
 *                       each: N page-table pages, unmovable kernel
 *                       allocations that fall back to the fragmented movable
 *                       blocks once the unmovable free lists are empty
 *                       (steal_suitable_fallback()/try_to_claim_block() ->
 *                       boost_watermark()). Holds until killed. The wait
 *                       lets the caller start it, and move it into a
 *                       cgroup, before it holds a CPU off: a move into a
 *                       cgroup waits for an RCU grace period
 *                       (cgroup_attach_lock(), percpu_down_write()), which
 *                       a CPU held by a SCHED_FIFO spinner can stall.
 *   frag now            the current CLOCK_REALTIME in microseconds (the
 *                       clock of reclaimd's watch events).
 *   frag boostlog MS NODE
 *                       every MS ms, "REALTIME_USEC BOOST_PAGES" (the
 *                       node's zoneinfo boost lines summed) at start and
 *                       whenever it changed, until killed.
 *
 * Run fill and ptes pinned to a CPU of the node (taskset): the default
 * memory policy allocates on the local node.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE_BYTES 4096UL
#define SLOT_BYTES (2UL << 20)

static void hold(const char *what)
{
	printf("frag: holding %s\n", what);
	fflush(stdout);
	for (;;)
		pause();
}

static int fill(unsigned long mib)
{
	unsigned long bytes = mib << 20, i;
	unsigned char *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("frag: mmap");
		return 1;
	}
	if (madvise(p, bytes, MADV_NOHUGEPAGE) < 0)
		perror("frag: MADV_NOHUGEPAGE");
	if (madvise(p, bytes, MADV_POPULATE_WRITE) < 0) {
		/* Before 5.14: fault page by page. */
		for (i = 0; i < bytes; i += PAGE_BYTES)
			p[i] = 1;
	}
	for (i = PAGE_BYTES; i < bytes; i += 2 * PAGE_BYTES)
		if (madvise(p + i, PAGE_BYTES, MADV_DONTNEED) < 0) {
			perror("frag: MADV_DONTNEED");
			return 1;
		}
	hold("half of the pages, every other one freed");
	return 0;
}

static int ptes(unsigned long n)
{
	unsigned long bytes = n * SLOT_BYTES, i;
	unsigned char *p;
	sigset_t go;
	int sig;

	p = mmap(NULL, bytes + SLOT_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("frag: mmap");
		return 1;
	}
	p = (unsigned char *)(((unsigned long)p + SLOT_BYTES - 1) & ~(SLOT_BYTES - 1));
	if (madvise(p, bytes, MADV_NOHUGEPAGE) < 0)
		perror("frag: MADV_NOHUGEPAGE");
	sigemptyset(&go);
	sigaddset(&go, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &go, NULL) < 0) {
		perror("frag: sigprocmask");
		return 1;
	}
	printf("frag: ready\n");
	fflush(stdout);
	if (sigwait(&go, &sig) != 0) {
		fprintf(stderr, "frag: sigwait failed\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		p[i * SLOT_BYTES] = 1;
	hold("the page tables");
	return 0;
}

static unsigned long long node_boost(int fd, int node)
{
	static char buf[1 << 17];
	unsigned long long sum = 0;
	char hdr[32];
	size_t len = 0;
	ssize_t n;
	char *line, *save = NULL;
	int in = 0;

	/* A seq_file: one read returns about a page, so read to the end. */
	if (lseek(fd, 0, SEEK_SET) < 0)
		return 0;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	snprintf(hdr, sizeof(hdr), "Node %d, zone", node);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Node ", 5) == 0) {
			in = strncmp(line, hdr, strlen(hdr)) == 0;
			continue;
		}
		if (in) {
			char *s = line + strspn(line, " ");

			if (strncmp(s, "boost ", 6) == 0)
				sum += strtoull(s + 6, NULL, 10);
		}
	}
	return sum;
}

static int boostlog(long ms, int node)
{
	struct timespec ts, pause = { ms / 1000, (ms % 1000) * 1000000L };
	unsigned long long last = 0, v;
	int fd = open("/proc/zoneinfo", O_RDONLY | O_CLOEXEC), first = 1;

	if (fd < 0) {
		perror("frag: /proc/zoneinfo");
		return 1;
	}
	for (;;) {
		v = node_boost(fd, node);
		if (first || v != last) {
			clock_gettime(CLOCK_REALTIME, &ts);
			printf("%llu %llu\n",
			       (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000, v);
			fflush(stdout);
		}
		last = v;
		first = 0;
		nanosleep(&pause, NULL);
	}
}

int main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "fill") == 0)
		return fill(strtoul(argv[2], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "ptes") == 0)
		return ptes(strtoul(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "boostlog") == 0 && atol(argv[2]) > 0)
		return boostlog(atol(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: frag fill MIB | frag ptes N | frag now | frag boostlog MS NODE\n");
	return 2;
}
