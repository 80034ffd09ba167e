/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hotcold: a hot set touched constantly next to a cold set touched rarely,
 * both anonymous. A good reclaimer takes the cold pages and leaves the hot
 * ones; every hot page it takes comes back as a major fault (a refault from
 * swap) that shows up as a slow access. Prints JSON on stdout: hot and cold
 * access latency, slow hot accesses, major faults of this process, and the
 * kernel's workingset_refault_{anon,file} deltas over the run.
 *
 *   hotcold [--hot-mib H] [--cold-mib C] [--seconds S]
 *           [--cold-every-ms MS] [--hot-pause-ms MS] [--warm-mib W]
 *
 * --warm-mib W adds a third set, touched with the hot one until SIGUSR1,
 * then left alone until SIGUSR2, and so on: a working set that shrinks and
 * grows back, whose pages were hot before they went cold (the kernel counts
 * their refaults as memory stall, PSI, where it does not for pages that
 * were never hot). Each signal sets the state (a lost or doubled one cannot
 * invert it), and the loop that finds it changed says so on stderr
 * ("hotcold: warm off" / "hotcold: warm on", with the warm passes so far)
 * before its hot pass; a warm pass stops at SIGUSR1, a hot pass at either
 * signal, and both at SIGHUP, answered before the next hot pass. The "warm on" and "warm off" lines and SIGHUP ("hotcold: warm
 * resident R of N pages", N system pages; "hotcold: warm resident unknown
 * (ERROR)" if mincore() failed) say how much of the warm set is in memory
 * (mincore: a page in swap counts only while the swap cache holds it): a
 * scenario that waits for the warm set to go out can see that it did,
 * where memory.swap.current of the cgroup also counts the hot and cold
 * sets and swap-cached pages. SIGHUP is answered only with --warm-mib.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

/* An access slower than this took a fault: a minor fault under TCG costs a
 * few microseconds, a swap-in from zram tens. */
#define HOTCOLD_SLOW_NSEC 20000ULL

struct hotcold_args {
	unsigned long hot_mib;
	unsigned long cold_mib;
	unsigned long seconds;
	unsigned long cold_every_msec;
	unsigned long hot_pause_msec;
	unsigned long warm_mib;
};

static volatile sig_atomic_t hotcold_warm_on = 1;

static volatile sig_atomic_t hotcold_ask_resident;

static void hotcold_set_warm(int sig)
{
	hotcold_warm_on = sig == SIGUSR2;
}

static void hotcold_ask(int sig)
{
	(void)sig;
	hotcold_ask_resident = 1;
}

/* System pages of a warm set of @mib MiB (mincore()'s unit). */
static size_t hotcold_sys_pages(unsigned long mib)
{
	long ps = sysconf(_SC_PAGESIZE);

	return (mib << 20) / (size_t)(ps > 0 ? ps : 4096);
}

/* Say how much of the warm set [p, p + mib) is in memory, by mincore(),
 * prefixed by @what; @vec holds a byte per system page. */
static void hotcold_say_resident(const char *what, unsigned char *p, unsigned long mib,
				 unsigned char *vec)
{
	size_t pages = hotcold_sys_pages(mib), i, n = 0;

	if (mincore(p, mib << 20, vec) < 0) {
		fprintf(stderr, "%sunknown (%s)\n", what, strerror(errno));
		return;
	}
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	fprintf(stderr, "%s%zu of %zu pages\n", what, n, pages);
}

static int hotcold_parse_ulong(const char *s, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		fprintf(stderr, "hotcold: bad number '%s'\n", s);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int hotcold_parse_args(int argc, char *argv[], struct hotcold_args *a)
{
	static const struct option options[] = {
		{ "hot-mib", required_argument, NULL, 'H' },
		{ "cold-mib", required_argument, NULL, 'C' },
		{ "seconds", required_argument, NULL, 's' },
		{ "cold-every-ms", required_argument, NULL, 'c' },
		{ "hot-pause-ms", required_argument, NULL, 'p' },
		{ "warm-mib", required_argument, NULL, 'w' },
		{}
	};
	unsigned long *dst;
	int c;

	while ((c = getopt_long(argc, argv, "H:C:s:c:p:w:", options, NULL)) >= 0) {
		switch (c) {
		case 'H': dst = &a->hot_mib; break;
		case 'C': dst = &a->cold_mib; break;
		case 's': dst = &a->seconds; break;
		case 'c': dst = &a->cold_every_msec; break;
		case 'p': dst = &a->hot_pause_msec; break;
		case 'w': dst = &a->warm_mib; break;
		default: return -EINVAL;
		}
		if (hotcold_parse_ulong(optarg, dst) < 0)
			return -EINVAL;
	}
	if (optind != argc || a->hot_mib == 0 || a->cold_mib == 0 || a->seconds == 0 ||
	    a->hot_mib > (1UL << 20) || a->cold_mib > (1UL << 20) || a->warm_mib > (1UL << 20)) {
		fprintf(stderr, "usage: hotcold [--hot-mib 1..] [--cold-mib 1..] [--seconds 1..] "
				"[--cold-every-ms MS] [--hot-pause-ms MS] [--warm-mib W]\n");
		return -EINVAL;
	}
	return 0;
}

static unsigned char *hotcold_map(unsigned long mib, uint64_t *seed)
{
	size_t bytes = mib << 20, off;
	unsigned char *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	for (off = 0; off < bytes; off += BENCH_PAGE_BYTES)
		bench_fill_page(p + off, BENCH_PAGE_BYTES / 2, seed);
	return p;
}

/* Touch (read and write back) one byte of every page; time each access.
 * Stop early once the warm set's state is no longer @until_not, or SIGHUP
 * asks how much of the warm set is in memory (-1: never stop): a pass of
 * swapped-out pages under a starved TCG guest can take longer than the
 * scenario waits for the "warm off" line (6.1, a fresh-clone CI run: no
 * line in 30 s while the hot pass faulted its pages back from zram; the
 * warm pass stopped at the signal, the hot one did not), or for the answer
 * to SIGHUP (6.12, a fresh-clone CI run: none in 10 s, hotcold running). */
static uint64_t hotcold_pass(unsigned char *p, unsigned long mib, struct hist *h, int until_not)
{
	size_t bytes = mib << 20, off;
	uint64_t t0, t1, slow = 0;

	for (off = 0; off < bytes; off += BENCH_PAGE_BYTES) {
		if (until_not >= 0 && (hotcold_warm_on != until_not || hotcold_ask_resident))
			break;
		t0 = bench_now_nsec();
		p[off + 8] = (unsigned char)(p[off + 8] + 1);
		t1 = bench_now_nsec();
		hist_add(h, t1 - t0);
		if (t1 - t0 >= HOTCOLD_SLOW_NSEC)
			slow++;
	}
	return slow;
}

static unsigned long long hotcold_vmstat(const char *key)
{
	unsigned long long v = 0, x;
	char name[64];
	FILE *f;

	f = fopen("/proc/vmstat", "re");
	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu", name, &x) == 2)
		if (strcmp(name, key) == 0) {
			v = x;
			break;
		}
	fclose(f);
	return v;
}

static long hotcold_majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

static void hotcold_sleep_msec(unsigned long msec)
{
	struct timespec ts = { .tv_sec = (time_t)(msec / 1000), .tv_nsec = (long)(msec % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char *argv[])
{
	struct hotcold_args a = { .hot_mib = 64, .cold_mib = 256, .seconds = 30,
				  .cold_every_msec = 10000, .hot_pause_msec = 10 };
	static struct hist hot, cold, warm;
	struct sigaction sa = { .sa_handler = hotcold_set_warm };
	int warm_seen = 1;
	uint64_t warm_passes = 0;
	unsigned char *wp = NULL, *wvec = NULL;
	unsigned long long ra0, rf0;
	uint64_t seed = 0x2545f4914f6cdd1dULL, end, next_cold, hot_slow = 0, hot_passes = 0, cold_passes = 0;
	unsigned char *hp, *cp;
	long majflt0;

	if (hotcold_parse_args(argc, argv, &a) < 0)
		return 2;
	/* Before the sets are filled: a scenario may signal as soon as it
	 * sees the memory charged, and SIGUSR1's default ends the process
	 * (6.1, a fresh-clone CI run: hotcold gone after SIGUSR1, its log
	 * empty, the cgroup's 90 MiB filled). */
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGUSR1, &sa, NULL);
	(void)sigaction(SIGUSR2, &sa, NULL);
	if (a.warm_mib) {
		sa.sa_handler = hotcold_ask;
		(void)sigaction(SIGHUP, &sa, NULL);
	}
	hp = hotcold_map(a.hot_mib, &seed);
	cp = hotcold_map(a.cold_mib, &seed);
	if (a.warm_mib) {
		wp = hotcold_map(a.warm_mib, &seed);
		wvec = malloc(hotcold_sys_pages(a.warm_mib));
	}
	if (!hp || !cp || (a.warm_mib && (!wp || !wvec))) {
		fprintf(stderr, "hotcold: %s: %s\n", a.warm_mib && wp && !wvec ? "malloc" : "mmap",
			strerror(errno));
		return 1;
	}
	hist_reset(&hot);
	hist_reset(&cold);
	hist_reset(&warm);
	majflt0 = hotcold_majflt();
	ra0 = hotcold_vmstat("workingset_refault_anon");
	rf0 = hotcold_vmstat("workingset_refault_file");
	end = bench_now_nsec() + (uint64_t)a.seconds * 1000000000ULL;
	next_cold = bench_now_nsec() + (uint64_t)a.cold_every_msec * 1000000ULL;
	while (bench_now_nsec() < end) {
		if (wp && hotcold_warm_on != warm_seen) {
			warm_seen = hotcold_warm_on;
			char what[96];

			(void)snprintf(what, sizeof(what), "hotcold: warm %s after %llu warm passes, resident ",
				       warm_seen ? "on" : "off", (unsigned long long)warm_passes);
			hotcold_say_resident(what, wp, a.warm_mib, wvec);
			fflush(stderr);
		}
		if (wp && hotcold_ask_resident) {
			hotcold_ask_resident = 0;
			hotcold_say_resident("hotcold: warm resident ", wp, a.warm_mib, wvec);
			fflush(stderr);
		}
		/* A change of the warm set's state ends the pass: its line
		 * comes next. */
		hot_slow += hotcold_pass(hp, a.hot_mib, &hot, wp ? warm_seen : -1);
		hot_passes++;
		if (wp && warm_seen && hotcold_warm_on) {
			(void)hotcold_pass(wp, a.warm_mib, &warm, 1);
			warm_passes++;
		}
		if (bench_now_nsec() >= next_cold) {
			(void)hotcold_pass(cp, a.cold_mib, &cold, -1);
			cold_passes++;
			next_cold = bench_now_nsec() + (uint64_t)a.cold_every_msec * 1000000ULL;
		}
		hotcold_sleep_msec(a.hot_pause_msec);
	}
	printf("{\"hot_mib\": %lu, \"cold_mib\": %lu, \"warm_mib\": %lu, \"seconds\": %lu, "
	       "\"hot_passes\": %llu, \"warm_passes\": %llu, \"cold_passes\": %llu, \"hot_slow_accesses\": %llu, \"majflt\": %ld, "
	       "\"workingset_refault_anon\": %llu, \"workingset_refault_file\": %llu,\n \"hot_access\": ",
	       a.hot_mib, a.cold_mib, a.warm_mib, a.seconds, (unsigned long long)hot_passes,
	       (unsigned long long)warm_passes, (unsigned long long)cold_passes, (unsigned long long)hot_slow,
	       hotcold_majflt() - majflt0, hotcold_vmstat("workingset_refault_anon") - ra0,
	       hotcold_vmstat("workingset_refault_file") - rf0);
	hist_print_json(stdout, &hot);
	printf(",\n \"cold_access\": ");
	hist_print_json(stdout, &cold);
	printf(",\n \"warm_access\": ");
	hist_print_json(stdout, &warm);
	printf("}\n");
	return 0;
}
