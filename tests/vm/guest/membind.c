/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * membind NODE PROG ARGS...: run PROG with its memory bound to NUMA node
 * NODE (MPOL_BIND; inherited by its children), wherever it runs. The
 * initramfs has no numactl.
 *
 * Page tables, kernel stacks and new slabs are allocated by the task's
 * policy too, so a scenario's helper processes run on one node's CPU
 * without allocating on that node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND 2

int main(int argc, char *argv[])
{
	unsigned long mask;
	char *end;
	long node;

	if (argc < 3) {
		fprintf(stderr, "usage: membind NODE PROG ARGS...\n");
		return 2;
	}
	node = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || node < 0 || node >= 64) {
		fprintf(stderr, "membind: not a node number: '%s'\n", argv[1]);
		return 2;
	}
	mask = 1UL << node;
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64) < 0) {
		perror("membind: set_mempolicy");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror("membind: exec");
	return 127;
}
