/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "psi.h"
#include "reread.h"
#include "textscan.h"
#include "util.h"

/*
 * PSI files, as printed by psi_show() in kernel/sched/psi.c (4.20+):
 *
 *	some avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu
 *	full avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu
 *
 * Grammar: lines of KIND (KEY "=" VALUE)*, KIND one of some/full, each at
 * most once; "some" is required, "full" is missing from cpu before 5.13.
 * avg* are decimal with exactly two fraction digits (LOAD_INT/LOAD_FRAC),
 * total is an integer in microseconds. avg10, avg60, avg300 and total must
 * each appear exactly once; unknown KEY=VALUE pairs and unknown KINDs are
 * ignored (kernels may add them).
 */

enum psi_kind {
	PSI_SOME,
	PSI_FULL,
	_PSI_KIND_MAX,
};

static const char *const psi_kind_names[_PSI_KIND_MAX] = {
	[PSI_SOME] = "some",
	[PSI_FULL] = "full",
};

enum psi_key {
	PSI_AVG10,
	PSI_AVG60,
	PSI_AVG300,
	PSI_TOTAL,
	_PSI_KEY_MAX,
};

static const char *const psi_key_names[_PSI_KEY_MAX] = {
	[PSI_AVG10] = "avg10",
	[PSI_AVG60] = "avg60",
	[PSI_AVG300] = "avg300",
	[PSI_TOTAL] = "total",
};

static int psi_lookup(const char *const *names, size_t n, struct textscan_token t)
{
	for (size_t i = 0; i < n; i++)
		if (textscan_token_eq(t, names[i]))
			return (int)i;
	return -1;
}

/* "12.34" as 1234: exactly two fraction digits, as the kernel prints. */
static bool psi_parse_avg(struct textscan_token t, uint32_t *ret)
{
	const char *end = t.s + t.len;
	uint64_t i;
	size_t n;

	n = textscan_u64(t.s, end, &i);
	if (n == 0 || n + 3 != t.len || t.s[n] != '.')
		return false;
	if (t.s[n + 1] < '0' || t.s[n + 1] > '9' || t.s[n + 2] < '0' || t.s[n + 2] > '9')
		return false;
	if (i > (UINT32_MAX - 99) / 100)
		return false;
	*ret = (uint32_t)(i * 100 + (uint64_t)(t.s[n + 1] - '0') * 10 +
			  (uint64_t)(t.s[n + 2] - '0'));
	return true;
}

static int psi_parse_pair(struct textscan_token t, struct psi_line *line, unsigned *seen)
{
	const char *eq = memchr(t.s, '=', t.len);
	struct textscan_token key, value;
	int k;

	if (!eq)
		return -EINVAL;
	key = (struct textscan_token){t.s, (size_t)(eq - t.s)};
	value = (struct textscan_token){eq + 1, t.len - key.len - 1};
	k = psi_lookup(psi_key_names, _PSI_KEY_MAX, key);
	if (k < 0)
		return 0; /* a key this parser does not know */
	if (*seen & (1u << k))
		return -EINVAL;
	*seen |= 1u << k;
	switch (k) {
	case PSI_AVG10:
		return psi_parse_avg(value, &line->avg10) ? 0 : -EINVAL;
	case PSI_AVG60:
		return psi_parse_avg(value, &line->avg60) ? 0 : -EINVAL;
	case PSI_AVG300:
		return psi_parse_avg(value, &line->avg300) ? 0 : -EINVAL;
	default:
		return textscan_token_u64(value, &line->total_usec) ? 0 : -EINVAL;
	}
}

static int psi_parse_line(const char *s, const char *end, struct psi_line *line)
{
	unsigned seen = 0;
	int r;

	for (;;) {
		struct textscan_token t = textscan_take(&s, end);

		if (t.len == 0)
			break;
		r = psi_parse_pair(t, line, &seen);
		if (r < 0)
			return r;
	}
	if (seen != (1u << _PSI_KEY_MAX) - 1)
		return -EINVAL; /* a field missing */
	return 0;
}

int psi_parse(const char *buf, size_t len, struct psi_stat *ret)
{
	struct psi_line lines[_PSI_KIND_MAX] = {};
	const char *cur = buf, *end = buf + len, *line, *eol;
	unsigned seen = 0;
	int r;

	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	while (textscan_next_line(&cur, end, &line, &eol)) {
		struct textscan_token t = textscan_take(&line, eol);
		int kind;

		if (t.len == 0)
			continue;
		kind = psi_lookup(psi_kind_names, _PSI_KIND_MAX, t);
		if (kind < 0)
			continue;
		if (seen & (1u << kind))
			return -EINVAL; /* "some" twice */
		seen |= 1u << kind;
		r = psi_parse_line(line, eol, &lines[kind]);
		if (r < 0)
			return r;
	}
	if (!(seen & (1u << PSI_SOME)))
		return -EINVAL;
	*ret = (struct psi_stat){
		.some = lines[PSI_SOME],
		.full = lines[PSI_FULL],
		.has_full = seen & (1u << PSI_FULL),
	};
	return 0;
}

/* Two lines of at most 87 bytes each ("some avg10=100.00 ... total=" and
 * 20 digits); 512 leaves room for fields future kernels may add. */
#define PSI_BUFFER_BYTES 512

struct psi_reader {
	struct reread_file file;
};

int psi_reader_open(const char *root, const char *path, struct psi_reader **ret)
{
	struct psi_reader *r;
	struct psi_stat st;
	int k;

	k = REREAD_READER_OPEN(root, path, PSI_BUFFER_BYTES, &r);
	if (k < 0)
		return k;
	k = psi_reader_read(r, &st);
	if (k < 0) {
		psi_reader_free(r);
		return k;
	}
	*ret = r;
	return 0;
}

int psi_reader_read(struct psi_reader *r, struct psi_stat *ret)
{
	return REREAD_READER_PARSE(r, psi_parse, ret);
}

struct psi_reader *psi_reader_free(struct psi_reader *r)
{
	return reread_reader_free(r);
}

int psi_trigger_open(const char *path, const char *spec, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	size_t len;
	ssize_t k;

	if (!path || !spec || !ret_fd)
		return -EINVAL;
	len = strlen(spec) + 1; /* the kernel replaces the last byte with NUL */
	if (len > PSI_TRIGGER_SPEC_MAX || len < 2)
		return -EINVAL;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	k = write(fd, spec, len);
	if (k < 0)
		return negative_errno();
	if ((size_t)k != len)
		return -EIO;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int psi_stall_permyriad(uint64_t prev_total_usec, uint64_t cur_total_usec, uint64_t window_usec,
			unsigned *ret_permyriad)
{
	uint64_t delta;

	if (window_usec == 0)
		return -EINVAL;
	if (cur_total_usec < prev_total_usec)
		return -ERANGE;
	delta = cur_total_usec - prev_total_usec;
	if (delta >= window_usec) {
		*ret_permyriad = 10000;
		return 0;
	}
	/* 128-bit product: delta * 10000 overflows 64 bits past 58 years. */
	*ret_permyriad = (unsigned)((unsigned __int128)delta * 10000 / window_usec);
	return 0;
}

int psi_stat_stall_permyriad(const struct psi_stat *prev, const struct psi_stat *cur, bool full,
			     uint64_t window_usec, unsigned *ret_permyriad)
{
	if (!prev || !cur)
		return -EINVAL;
	if (full && (!prev->has_full || !cur->has_full))
		return -ENODATA;
	return psi_stall_permyriad(full ? prev->full.total_usec : prev->some.total_usec,
				   full ? cur->full.total_usec : cur->some.total_usec, window_usec,
				   ret_permyriad);
}
