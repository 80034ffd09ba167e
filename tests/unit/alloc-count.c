/* SPDX-License-Identifier: GPL-2.0-only */
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "alloc-count.h"

static atomic_bool counting;
static atomic_uint n_alloc, n_open, n_pread, n_fd_pread;
static atomic_int watched_fd = -1;

void alloc_count_start(void)
{
	atomic_store(&n_alloc, 0);
	atomic_store(&n_open, 0);
	atomic_store(&n_pread, 0);
	atomic_store(&n_fd_pread, 0);
	atomic_store(&counting, true);
}

void alloc_count_stop(void)
{
	atomic_store(&counting, false);
}

unsigned alloc_count_allocs(void)
{
	return atomic_load(&n_alloc);
}

unsigned alloc_count_opens(void)
{
	return atomic_load(&n_open);
}

unsigned alloc_count_preads(void)
{
	return atomic_load(&n_pread);
}

void alloc_count_watch_fd(int fd)
{
	atomic_store(&watched_fd, fd);
}

unsigned alloc_count_fd_preads(void)
{
	return atomic_load(&n_fd_pread);
}

static void count(atomic_uint *c)
{
	if (atomic_load(&counting))
		atomic_fetch_add(c, 1);
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_openat64(int dirfd, const char *path, int flags, ...);
FILE *__real_fopen(const char *path, const char *mode);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...);
FILE *__wrap_fopen(const char *path, const char *mode);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);

void *__wrap_malloc(size_t size)
{
	count(&n_alloc);
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	count(&n_alloc);
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	count(&n_alloc);
	return __real_realloc(p, size);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode)                                                 \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, flags);                                           \
		mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0; \
		va_end(ap);                                                    \
	} while (0)

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode;

	OPEN_MODE(flags, mode);
	count(&n_open);
	return __real_open(path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode;

	OPEN_MODE(flags, mode);
	count(&n_open);
	return __real_open64(path, flags, mode);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	OPEN_MODE(flags, mode);
	count(&n_open);
	return __real_openat(dirfd, path, flags, mode);
}

int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	OPEN_MODE(flags, mode);
	count(&n_open);
	return __real_openat64(dirfd, path, flags, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
	count(&n_open);
	return __real_fopen(path, mode);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	count(&n_pread);
	if (fd >= 0 && fd == atomic_load(&watched_fd))
		count(&n_fd_pread);
	return __real_pread(fd, buf, n, off);
}
