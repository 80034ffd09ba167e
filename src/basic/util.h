/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)
#define USEC_INFINITY UINT64_MAX

/* Parse a decimal unsigned integer; the whole string must be consumed, no
 * sign, no leading/trailing space, no overflow. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atou(const char *s, unsigned *ret);
int safe_atoi(const char *s, int *ret);

/*
 * Sizes: "4096", "64K", "1.5G", "512MiB", "10%".
 * Suffixes are binary (K = 1024), as in the kernel's memparse() and
 * memory.reclaim. A trailing "B" or "iB" is accepted. "%" is relative to
 * percent_base (pass 0 to refuse percentages). Overflow is -ERANGE.
 */
int parse_size(const char *s, uint64_t percent_base, uint64_t *ret);

/* Durations: "250ms", "2s", "1min", "1h", "500us"; a bare number is in
 * default_unit_usec units. Overflow is -ERANGE. */
int parse_duration(const char *s, uint64_t default_unit_usec, uint64_t *ret_usec);

/* Booleans as systemd accepts them: yes/no, true/false, on/off, 1/0. */
int parse_boolean(const char *s);

/* "1.5G", "300M", "4.0K", "12B" into buf; returns buf. */
#define FORMAT_BYTES_MAX 16
char *format_bytes(char *buf, size_t size, uint64_t bytes);
/* "1.20s", "250ms", "40us". */
#define FORMAT_DURATION_MAX 24
char *format_duration(char *buf, size_t size, uint64_t usec);

uint64_t now_usec(void); /* CLOCK_MONOTONIC */
struct timespec;
/* The CLOCK_MONOTONIC deadline usec from now, for a condition variable
 * set to that clock (pthread_cond_timedwait). */
void timespec_after_usec(struct timespec *ret, uint64_t usec);
uint64_t realtime_usec(void);
/* The CLOCK_REALTIME of a CLOCK_MONOTONIC instant (now_usec()) up to now:
 * an event's time for a client. One in the future counts as now. */
uint64_t realtime_of_usec(uint64_t monotonic_usec);

/*
 * Re-read a kept-open file from offset 0 into buf (size includes room for a
 * terminating NUL). Returns the length read, -E2BIG if the file did not fit
 * (a truncated read is never presented as whole), or a negative errno.
 * Does not allocate: safe on the reclaim path.
 */
ssize_t pread_file(int fd, char *buf, size_t size);

/* Read a small file (below dirfd) whole into buf, opening it; for start-up
 * and the slow paths only. */
ssize_t read_file_at(int dirfd, const char *path, char *buf, size_t size);

/* May this process open PATH for writing, with its effective uid and
 * capabilities (unlike access(W_OK))? Opens and closes it: for kernel
 * control files, where only a write() acts. */
bool file_is_writable(const char *path);

/* Write the whole string to a file below dirfd (start-up / slow path). */
int write_file_at(int dirfd, const char *path, const char *value);

/* Join root and path into buf: "/fixture" + "/proc/zoneinfo". */
int path_join(char *buf, size_t size, const char *root, const char *path);

static inline bool streq(const char *a, const char *b)
{
	return a && b && __builtin_strcmp(a, b) == 0;
}
bool startswith(const char *s, const char *prefix);

/* UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
 * utf8_prefix() is the longest prefix of s, at most max bytes, that does
 * not end inside a multibyte character: for "%.*s" instead of "%.64s",
 * which can cut one in half. */
size_t utf8_prefix(const char *s, size_t max);
/* A copy of s[0..n) with every byte that is not part of a valid UTF-8
 * sequence replaced by U+FFFD; NULL on -ENOMEM. */
char *utf8_sanitize(const char *s, size_t n);
/*
 * Copy s into buf (size bytes, always NUL-terminated) so that a terminal
 * shows it and does not obey it: control characters (C0, DEL, and the C1
 * range U+0080..U+009F, which some terminals read as CSI) and bytes that are
 * not valid UTF-8 become "\xNN"; printable ASCII and valid UTF-8 pass. A name
 * from the cgroup tree may hold any byte but '/' and NUL. Output is cut only
 * between whole characters or escapes. Returns buf.
 */
char *escape_terminal(char *buf, size_t size, const char *s);

/* Saturating arithmetic for figures read from the kernel: an absurd value
 * (a corrupt or hostile zoneinfo) shows as UINT64_MAX, never wraps to a
 * small plausible one. */
static inline uint64_t u64_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline uint64_t u64_mul_sat(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* FNV-1a over str and its terminating 0 (so that "ab","c" and "a","bc"
 * differ), continued from h (HASH_FNV1A_INIT to start). Not for hostile
 * input: a fingerprint of the daemon's own state. */
#define HASH_FNV1A_INIT UINT64_C(0xcbf29ce484222325)
uint64_t hash_fnv1a(uint64_t h, const char *str);
