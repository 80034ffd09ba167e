/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Bounded cursors over kernel text files, shared by the parsers in
 * zoneinfo.c, psi.c, vmstat.c, meminfo.c, buddyinfo.c, topology.c and
 * memstat.c. Every function takes the end of the buffer and never reads
 * past it, and never relies on a terminating NUL (fuzzers hand over raw
 * bytes).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct textscan_token {
	const char *s;
	size_t len;
};

static inline bool textscan_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline void textscan_skip_spaces(const char **p, const char *end)
{
	while (*p < end && textscan_is_space(**p))
		(*p)++;
}

/* Next run of non-blank bytes; empty token at the end of the line. */
static inline struct textscan_token textscan_take(const char **p, const char *end)
{
	struct textscan_token t;

	textscan_skip_spaces(p, end);
	t.s = *p;
	while (*p < end && !textscan_is_space(**p))
		(*p)++;
	t.len = (size_t)(*p - t.s);
	return t;
}

static inline bool textscan_token_eq(struct textscan_token t, const char *s)
{
	size_t n = strlen(s);

	return t.len == n && memcmp(t.s, s, n) == 0;
}

/* strcmp() order of a token against a NUL-terminated name, without
 * strlen(): the key lookups run on every line of every tick, and most
 * comparisons end at the first or second byte. */
static inline int textscan_token_cmp(struct textscan_token t, const char *name)
{
	size_t i;

	for (i = 0; i < t.len && name[i]; i++)
		if (t.s[i] != name[i])
			return (unsigned char)t.s[i] < (unsigned char)name[i] ? -1 : 1;
	if (i == t.len)
		return name[i] ? -1 : 0;
	return 1; /* the token is longer */
}

/* The byte c here, consumed; for grammars that fix their separators
 * (memory.stat's one SP, numa_stat's "N" and "="). */
static inline bool textscan_skip_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static inline bool textscan_is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A kernel counter name as cgroup files print them, 1*(a-z / 0-9 / "_");
 * an empty token when none starts here. No blanks are skipped. */
static inline struct textscan_token textscan_take_key(const char **p, const char *end)
{
	struct textscan_token t = {.s = *p};

	while (*p < end && textscan_is_key_char(**p))
		(*p)++;
	t.len = (size_t)(*p - t.s);
	return t;
}

/* Only blanks left on the line. */
static inline bool textscan_at_eol(const char **p, const char *end)
{
	textscan_skip_spaces(p, end);
	return *p == end;
}

/*
 * Decimal digits as printed by the kernel's %lu/%u: no sign, no leading
 * blanks, at least one digit, no overflow. Returns the number of bytes used
 * (0 when there is no valid number here: malformed or overflowing).
 */
size_t textscan_u64(const char *p, const char *end, uint64_t *ret);

/* A whole token that is exactly a number. */
bool textscan_token_u64(struct textscan_token t, uint64_t *ret);

/* Split buf[0..len) into lines; returns false at the end. The text must end
 * in '\n' (callers check: a file cut mid-line is truncated). */
bool textscan_next_line(const char **cursor, const char *end, const char **ret_line,
			const char **ret_eol);

/* The checks every parser makes on the whole buffer first: not empty, no
 * NUL inside, last byte a newline (a cut-off read is not whole). */
int textscan_check_text(const char *buf, size_t len);
