/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Small helpers shared by every file: cleanup attributes in the style of
 * systemd's macro.h, so that error paths cannot leak fds or memory.
 * Destructors take NULL (or -1) and return NULL (or -1).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _cleanup_(x) __attribute__((cleanup(x)))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))
#define _pure_ __attribute__((pure))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MIN(a, b)                                                              \
	({                                                                     \
		__typeof__(a) _min_a = (a);                                    \
		__typeof__(b) _min_b = (b);                                    \
		_min_a < _min_b ? _min_a : _min_b;                             \
	})
#define MAX(a, b)                                                              \
	({                                                                     \
		__typeof__(a) _max_a = (a);                                    \
		__typeof__(b) _max_b = (b);                                    \
		_max_a > _max_b ? _max_a : _max_b;                             \
	})
#define CLAMP(x, lo, hi) MIN(MAX((x), (lo)), (hi))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

/*
 * String tables, as systemd's DEFINE_STRING_TABLE_LOOKUP: NAME_table[MAX] of
 * names indexed by an enum gives NAME_to_string(TYPE), NULL out of range,
 * and NAME_from_string(S, LEN), the index of the name equal to S[0..LEN) or
 * -EINVAL. Tables may have holes (NULL entries).
 */
#define DEFINE_STRING_TABLE_TO_STRING(scope, name, type, max)                  \
	scope const char *name##_to_string(type i)                             \
	{                                                                      \
		if ((unsigned)i >= (unsigned)(max))                            \
			return NULL;                                           \
		return name##_table[i];                                        \
	}
#define DEFINE_STRING_TABLE_FROM_STRING(scope, name, max)                      \
	scope int name##_from_string(const char *s, size_t len)                \
	{                                                                      \
		for (unsigned i = 0; i < (unsigned)(max); i++)                 \
			if (name##_table[i] && strlen(name##_table[i]) == len && \
			    memcmp(name##_table[i], s, len) == 0)              \
				return (int)i;                                 \
		return -EINVAL;                                                \
	}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* Take ownership: return the value and reset the variable so that its
 * cleanup attribute does nothing. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _p = (p);                                        \
		(p) = NULL;                                                    \
		_p;                                                            \
	})
#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _fd = (fd);                                                \
		(fd) = -1;                                                     \
		_fd;                                                           \
	})

static inline void *mfree(void *p)
{
	free(p);
	return NULL;
}

static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		/* close() on Linux always frees the fd, even on EINTR. */
		(void)close(fd);
		errno = saved;
	}
	return -1;
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	safe_close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Define a cleanup function for a type with a destructor that takes and
 * returns a pointer (foo_free(foo) returns NULL). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                \
	static inline void func##p(type *p)                                    \
	{                                                                      \
		if (*p)                                                        \
			func(*p);                                              \
	}

/* Negative errno helpers. */
static inline int negative_errno(void)
{
	/* Never return 0 by accident when errno was not set. */
	return errno > 0 ? -errno : -EIO;
}

#define RET_NERRNO(expr)                                                       \
	({                                                                     \
		int _r = (expr);                                               \
		_r < 0 ? negative_errno() : _r;                                \
	})
