/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * MetricsFile=: the Prometheus text written where node_exporter's textfile
 * collector reads it, without letting the path become root's pen (issue 17
 * B1). The file is written only:
 *
 * - inside a directory that is neither world-writable (/tmp, /dev/shm) nor,
 *   unless the daemon owns it, group-writable, opened with O_NOFOLLOW;
 * - through "NAME.tmp" created with O_CREAT|O_EXCL|O_NOFOLLOW (node_exporter
 *   reads only *.prom, so it never sees half a file), then renameat() over
 *   NAME, which replaces a directory entry and never follows a link;
 * - over a NAME that is absent, or a regular file with one link, owned by
 *   the daemon's user (or root: a reclaimd from before the unit's User=),
 *   that this process wrote (same device and inode) or
 *   that a previous reclaimd wrote (it starts with "# HELP reclaimd_").
 *   Anything else (a symbolic link, a FIFO, a file the daemon did not
 *   create) is refused with -EEXIST and left untouched.
 *
 * metrics_file_remove() unlinks the file on stop if it is still the one
 * written. Slow path only (the status timer): it opens files.
 */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct metrics_file {
	char path[4096]; /* as last written, for remove */
	dev_t dev;
	ino_t ino;
	bool written;
};

/* Write path with fill(f, userdata) (0 or a negative errno). Returns 0 or a
 * negative errno: -EPERM for an unsafe directory, -EEXIST for a target it
 * must not replace, others from the file system. */
int metrics_file_write(struct metrics_file *mf, const char *path,
		       int (*fill)(FILE *f, void *userdata), void *userdata);

/* Remove the file last written, if it is still that file. */
void metrics_file_remove(struct metrics_file *mf);
