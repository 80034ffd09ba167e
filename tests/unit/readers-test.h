/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/* Shared by the readers' unit tests: load a fixture file whole. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must be defined"
#endif

/* FIXTURES_DIR/set/rel into a malloc'ed NUL-terminated buffer; aborts the
 * test program when the fixture is missing (a broken tree, not a skip). */
static inline char *fixture_load(const char *set, const char *rel, size_t *ret_len)
{
	char path[4096];
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", FIXTURES_DIR, set, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		fprintf(stderr, "cannot open fixture %s: %s\n", path, strerror(errno));
		abort();
	}
	for (;;) {
		ssize_t k;

		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		k = read(fd, buf + len, cap - 1 - len);
		if (k < 0)
			abort();
		if (k == 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static inline void fixture_root(const char *set, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", FIXTURES_DIR, set);
}

/*
 * sentinel() gives a TYPE filled with 0xa5 bytes and is_sentinel() says
 * whether one still is: a parser must leave its output as it was on failure
 * (Pacemaker's sentinel idea, STYLE.md 13).
 */
#define DEFINE_SENTINEL(type)                                                                      \
	static type sentinel(void)                                                                 \
	{                                                                                          \
		type s;                                                                            \
                                                                                                   \
		memset(&s, 0xa5, sizeof(s));                                                       \
		return s;                                                                          \
	}                                                                                          \
	static bool is_sentinel(const type *p)                                                     \
	{                                                                                          \
		type s = sentinel();                                                               \
                                                                                                   \
		return memcmp(p, &s, sizeof(s)) == 0;                                              \
	}
