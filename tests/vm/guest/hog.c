/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hog: hold MIB mebibytes of anonymous memory until killed.
 *
 *   hog MIB [--interleave] [--mlock]
 *
 * --interleave spreads the pages over every NUMA node (MPOL_INTERLEAVE via
 * the raw syscall: the initramfs has no libnuma). Pages hold a pseudo-random
 * half and a zero half so zram compresses them about 2:1 and cannot store
 * them as same-filled pages (which would make swap-out nearly free).
 * --mlock makes a ballast instead: the pages are locked (unevictable, out of
 * every reclaimer's reach) and only touched, which is much faster under TCG.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE_BYTES 4096UL
#define MPOL_INTERLEAVE 3

int main(int argc, char *argv[])
{
	unsigned long mib, bytes, i, mask = ~0UL;
	uint64_t x = 88172645463325252ULL;
	unsigned char *p;
	int a, interleave = 0, lock = 0;

	if (argc < 2 || (mib = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: hog MIB [--interleave] [--mlock]\n");
		return 2;
	}
	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "--interleave") == 0)
			interleave = 1;
		else if (strcmp(argv[a], "--mlock") == 0)
			lock = 1;
		else {
			fprintf(stderr, "hog: unknown option '%s'\n", argv[a]);
			return 2;
		}
	}
	if (interleave && syscall(SYS_set_mempolicy, MPOL_INTERLEAVE, &mask, 64) < 0)
		perror("hog: set_mempolicy");
	bytes = mib << 20;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("hog: mmap");
		return 1;
	}
	if (lock) {
		if (mlock(p, bytes) < 0) {
			perror("hog: mlock");
			return 1;
		}
		printf("hog: holding %lu MiB locked\n", mib);
		fflush(stdout);
		for (;;)
			pause();
	}
	for (i = 0; i < bytes; i += 8) {
		if ((i % PAGE_BYTES) >= PAGE_BYTES / 2)
			continue;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
	for (i = PAGE_BYTES / 2; i < bytes; i += PAGE_BYTES)
		p[i] = 1; /* touch the zero half too: the page is already faulted */
	printf("hog: holding %lu MiB\n", mib);
	fflush(stdout);
	for (;;)
		pause();
}
