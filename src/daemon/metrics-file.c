/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Safe MetricsFile= writing (see metrics-file.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "metrics-file.h"
#include "util.h"

/* What a file written by ctl_format_prometheus() starts with. */
#define METRICS_FILE_MAGIC "# HELP reclaimd_"

static int metrics_file_split(const char *path, char *dir, size_t dir_size, const char **ret_base)
{
	const char *slash = strrchr(path, '/');

	if (!slash || path[0] != '/' || !slash[1] || streq(slash + 1, ".") ||
	    streq(slash + 1, ".."))
		return -EINVAL;
	if ((size_t)(slash - path) + 2 > dir_size)
		return -ENAMETOOLONG;
	if (slash == path)
		snprintf(dir, dir_size, "/");
	else
		snprintf(dir, dir_size, "%.*s", (int)(slash - path), path);
	*ret_base = slash + 1;
	return 0;
}

static int metrics_file_open_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	/* Where others may create and rename entries, the daemon does not
	 * write: /tmp and its kind, or a group's directory not ours. */
	if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_uid != geteuid()))
		return -EPERM;
	return TAKE_FD(fd);
}

/* Ours: the daemon's user, or root, whose file can only be a previous
 * reclaimd's from before reclaimd.service ran as user "reclaimd" (an
 * upgrade). Nobody but root can make a file owned by root. */
static bool metrics_file_owner_ok(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

/* A previous reclaimd's file: regular, ours, one link, our header. */
static bool metrics_file_is_reclaimd(int dirfd, const char *base)
{
	_cleanup_close_ int fd = openat(dirfd, base,
					O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char head[sizeof(METRICS_FILE_MAGIC) - 1];
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	return pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	       memcmp(head, METRICS_FILE_MAGIC, sizeof(head)) == 0;
}

/* May NAME be replaced? 0 yes, -EEXIST no. */
static int metrics_file_check_target(struct metrics_file *mf, int dirfd, const char *base)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || !metrics_file_owner_ok(st.st_uid))
		return -EEXIST;
	if (mf->written && st.st_dev == mf->dev && st.st_ino == mf->ino)
		return 0;
	return metrics_file_is_reclaimd(dirfd, base) ? 0 : -EEXIST;
}

/* O_EXCL: a leftover NAME.tmp of ours (a crash between create and rename)
 * is unlinked once and the create retried; anything else there is not. */
static int metrics_file_create_tmp(int dirfd, const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd;

	fd = openat(dirfd, tmp, flags, 0644);
	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : negative_errno();
	if (fstatat(dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode) || !metrics_file_owner_ok(st.st_uid) ||
	    !metrics_file_is_reclaimd(dirfd, tmp))
		return -EEXIST;
	if (unlinkat(dirfd, tmp, 0) < 0)
		return negative_errno();
	fd = openat(dirfd, tmp, flags, 0644);
	return fd >= 0 ? fd : negative_errno();
}

int metrics_file_write(struct metrics_file *mf, const char *path,
		       int (*fill)(FILE *f, void *userdata), void *userdata)
{
	_cleanup_close_ int dirfd = -EBADF;
	_cleanup_fclose_ FILE *f = NULL;
	char dir[4096], tmp[NAME_MAX + 1];
	const char *base;
	struct stat st;
	int fd, r;

	r = metrics_file_split(path, dir, sizeof(dir), &base);
	if (r < 0)
		return r;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", base) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	dirfd = metrics_file_open_dir(dir);
	if (dirfd < 0)
		return dirfd;
	r = metrics_file_check_target(mf, dirfd, base);
	if (r < 0)
		return r;
	fd = metrics_file_create_tmp(dirfd, tmp);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "we");
	if (!f) {
		r = negative_errno();
		safe_close(fd);
		goto fail;
	}
	r = fill(f, userdata);
	if (r >= 0 && fflush(f) != 0)
		r = negative_errno();
	if (r >= 0 && fstat(fileno(f), &st) < 0)
		r = negative_errno();
	if (r < 0)
		goto fail;
	/* Checked again right before: the window is the fill above. */
	r = metrics_file_check_target(mf, dirfd, base);
	if (r < 0)
		goto fail;
	if (renameat(dirfd, tmp, dirfd, base) < 0) {
		r = negative_errno();
		goto fail;
	}
	snprintf(mf->path, sizeof(mf->path), "%s", path);
	mf->dev = st.st_dev;
	mf->ino = st.st_ino;
	mf->written = true;
	return 0;
fail:
	(void)unlinkat(dirfd, tmp, 0);
	return r;
}

void metrics_file_remove(struct metrics_file *mf)
{
	_cleanup_close_ int dirfd = -EBADF;
	char dir[4096];
	const char *base;
	struct stat st;

	if (!mf->written || metrics_file_split(mf->path, dir, sizeof(dir), &base) < 0)
		return;
	mf->written = false;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0 || fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISREG(st.st_mode) && st.st_dev == mf->dev && st.st_ino == mf->ino)
		(void)unlinkat(dirfd, base, 0);
}
