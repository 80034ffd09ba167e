/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * membind NODE|default PROG ARGS...: run PROG with its memory bound to NUMA
 * node NODE (MPOL_BIND), or with the default policy (local allocation),
 * wherever it runs; inherited by its children. The initramfs has no numactl.
 *
 * Page tables, kernel stacks and new slabs are allocated by the task's
 * policy too, so a scenario's own processes run on one node's CPU without
 * allocating on that node.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_DEFAULT 0
#define MPOL_BIND 2

int main(int argc, char *argv[])
{
	unsigned long mask;
	char *end;
	long node;
	long r;

	if (argc < 3) {
		fprintf(stderr, "usage: membind NODE|default PROG ARGS...\n");
		return 2;
	}
	if (strcmp(argv[1], "default") == 0) {
		r = syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	} else {
		node = strtol(argv[1], &end, 10);
		if (*end || end == argv[1] || node < 0 || node >= (long)(sizeof(mask) * CHAR_BIT)) {
			fprintf(stderr, "membind: not a node number: '%s'\n", argv[1]);
			return 2;
		}
		mask = 1UL << node;
		/* The kernel reads maxnode - 1 bits (get_nodes()). */
		r = syscall(SYS_set_mempolicy, MPOL_BIND, &mask, sizeof(mask) * CHAR_BIT + 1);
	}
	if (r < 0) {
		perror("membind: set_mempolicy");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror("membind: exec");
	return 127;
}
