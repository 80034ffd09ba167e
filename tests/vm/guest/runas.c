/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runas UID GID PROG ARGS...: drop every group and run PROG as UID:GID (busybox
 * setpriv cannot change ids and the initramfs has no passwd database).
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID PROG ARGS...\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 10);
	gid = (gid_t)strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		perror("runas");
		return 126;
	}
	execv(argv[3], argv + 3);
	perror("runas: exec");
	return 127;
}
