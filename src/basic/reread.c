/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "reread.h"
#include "util.h"

/* Read the whole file once, growing a scratch buffer: start-up only. */
static ssize_t reread_measure(int fd)
{
	size_t size = 4096;

	for (;;) {
		_cleanup_free_ char *buf = malloc(size);
		ssize_t n;

		if (!buf)
			return -ENOMEM;
		n = pread_file(fd, buf, size);
		if (n != -E2BIG)
			return n;
		if (size >= REREAD_MAX_BYTES)
			return -E2BIG;
		size *= 2;
	}
}

int reread_file_open(const char *root, const char *path, size_t min_size, struct reread_file *ret)
{
	_cleanup_close_ int fd = -1;
	char p[PATH_MAX];
	ssize_t n;
	size_t size;
	char *buf;
	int r;

	r = path_join(p, sizeof(p), root, path);
	if (r < 0)
		return r;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	n = reread_measure(fd);
	if (n < 0)
		return (int)n;
	size = MAX((size_t)n * 2 + 1, min_size);
	size = MAX(size, (size_t)64);
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	*ret = (struct reread_file){.fd = TAKE_FD(fd), .buf = buf, .size = size};
	return 0;
}

ssize_t reread_file_read(struct reread_file *f)
{
	if (!f || f->fd < 0 || !f->buf)
		return -EBADF;
	return pread_file(f->fd, f->buf, f->size);
}

int reread_reader_open(const char *root, const char *path, size_t min_size, size_t reader_size,
		       void **ret)
{
	_cleanup_free_ struct reread_file *f = NULL;
	int r;

	if (reader_size < sizeof(*f))
		return -EINVAL;
	f = calloc(1, reader_size);
	if (!f)
		return -ENOMEM;
	r = reread_file_open(root, path, min_size, f);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	return 0;
}

void *reread_reader_free(void *reader)
{
	if (!reader)
		return NULL;
	reread_file_close(reader);
	free(reader);
	return NULL;
}

void reread_file_close(struct reread_file *f)
{
	if (!f)
		return;
	f->fd = safe_close(f->fd);
	f->buf = mfree(f->buf);
	f->size = 0;
}
