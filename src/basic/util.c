/* SPDX-License-Identifier: GPL-2.0-only */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int safe_atou64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ret = v;
	return 0;
}

int safe_atou(const char *s, unsigned *ret)
{
	uint64_t v;
	int r;

	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v > UINT_MAX)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int safe_atoi(const char *s, int *ret)
{
	uint64_t v;
	bool neg = false;
	int r;

	if (s && *s == '-') {
		neg = true;
		s++;
	}
	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v > (uint64_t)INT_MAX + (neg ? 1 : 0))
		return -ERANGE;
	*ret = neg ? (int)(-(int64_t)v) : (int)v;
	return 0;
}

/*
 * Split "1.5G" into an integer part, a fraction (up to 9 digits, as
 * billionths) and a suffix.
 */
static int parse_decimal(const char *s, uint64_t *ret_int, uint64_t *ret_frac_e9,
			 const char **ret_suffix)
{
	uint64_t i = 0, frac = 0, scale = UINT64_C(100000000);
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (i > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		i = i * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	*ret_int = i;
	*ret_frac_e9 = frac;
	*ret_suffix = p;
	return 0;
}

static int mul_frac(uint64_t i, uint64_t frac_e9, uint64_t mult, uint64_t *ret)
{
	uint64_t whole, part;

	if (mult != 0 && i > UINT64_MAX / mult)
		return -ERANGE;
	whole = i * mult;
	/* frac_e9 < 1e9 and mult <= 2^50 (P): the product needs 80 bits.
	 * (Splitting mult at 2^20 and dividing each half lost the fraction
	 * below 1024 units: "1.5M" came out as 1M.) */
	part = (uint64_t)((unsigned __int128)frac_e9 * mult / UINT64_C(1000000000));
	if (whole > UINT64_MAX - part)
		return -ERANGE;
	*ret = whole + part;
	return 0;
}

int parse_size(const char *s, uint64_t percent_base, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} table[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "K", UINT64_C(1) << 10 },  { "KB", UINT64_C(1) << 10 },
		{ "KiB", UINT64_C(1) << 10 }, { "M", UINT64_C(1) << 20 },
		{ "MB", UINT64_C(1) << 20 },  { "MiB", UINT64_C(1) << 20 },
		{ "G", UINT64_C(1) << 30 },  { "GB", UINT64_C(1) << 30 },
		{ "GiB", UINT64_C(1) << 30 }, { "T", UINT64_C(1) << 40 },
		{ "TB", UINT64_C(1) << 40 },  { "TiB", UINT64_C(1) << 40 },
		{ "P", UINT64_C(1) << 50 },  { "PB", UINT64_C(1) << 50 },
		{ "PiB", UINT64_C(1) << 50 },
	};
	uint64_t i, frac, v;
	const char *suffix;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_decimal(s, &i, &frac, &suffix);
	if (r < 0)
		return r;

	if (streq(suffix, "%")) {
		/* Percent of the base, in 1/1e9 steps: i.f% of base. */
		if (percent_base == 0)
			return -EINVAL;
		if (i > 100 || (i == 100 && frac > 0))
			return -ERANGE;
		r = mul_frac(i, frac, percent_base / 100, &v);
		if (r < 0)
			return r;
		/* Add the remainder part: (base % 100) * pct / 100. */
		v += (percent_base % 100) * i / 100;
		*ret = v;
		return 0;
	}

	for (size_t k = 0; k < ELEMENTSOF(table); k++) {
		if (strcasecmp(suffix, table[k].suffix) != 0)
			continue;
		if (table[k].mult == 1 && frac != 0)
			return -EINVAL; /* "1.5" bytes */
		r = mul_frac(i, frac, table[k].mult, &v);
		if (r < 0)
			return r;
		*ret = v;
		return 0;
	}
	return -EINVAL;
}

/*
 * systemd.time(7) time spans: one or more NUMBER UNIT components, white
 * space allowed between and inside them ("1min 30s", "1min30s", "2 h",
 * "1.5d"), summed. A bare NUMBER, alone, is in default_unit_usec. A month
 * is 30.44 days and a year 365.25 days, as systemd counts them.
 */
int parse_duration(const char *s, uint64_t default_unit_usec, uint64_t *ret_usec)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} table[] = {
		{ "us", 1 },
		{ "usec", 1 },
		{ "\xc2\xb5s", 1 }, /* µs */
		{ "ms", USEC_PER_MSEC },
		{ "msec", USEC_PER_MSEC },
		{ "s", USEC_PER_SEC },
		{ "sec", USEC_PER_SEC },
		{ "second", USEC_PER_SEC },
		{ "seconds", USEC_PER_SEC },
		{ "m", 60 * USEC_PER_SEC },
		{ "min", 60 * USEC_PER_SEC },
		{ "minute", 60 * USEC_PER_SEC },
		{ "minutes", 60 * USEC_PER_SEC },
		{ "h", 3600 * USEC_PER_SEC },
		{ "hr", 3600 * USEC_PER_SEC },
		{ "hour", 3600 * USEC_PER_SEC },
		{ "hours", 3600 * USEC_PER_SEC },
		{ "d", 86400 * USEC_PER_SEC },
		{ "day", 86400 * USEC_PER_SEC },
		{ "days", 86400 * USEC_PER_SEC },
		{ "w", 7 * 86400 * USEC_PER_SEC },
		{ "week", 7 * 86400 * USEC_PER_SEC },
		{ "weeks", 7 * 86400 * USEC_PER_SEC },
		{ "M", 2629800 * USEC_PER_SEC },
		{ "month", 2629800 * USEC_PER_SEC },
		{ "months", 2629800 * USEC_PER_SEC },
		{ "y", 31557600 * USEC_PER_SEC },
		{ "year", 31557600 * USEC_PER_SEC },
		{ "years", 31557600 * USEC_PER_SEC },
	};
	uint64_t total = 0;
	unsigned n = 0;
	const char *p;

	if (!s)
		return -EINVAL;
	for (p = s + strspn(s, " \t"); *p; p += strspn(p, " \t"), n++) {
		uint64_t i, frac, v, mult = 0;
		const char *suffix;
		size_t len;
		int r;

		r = parse_decimal(p, &i, &frac, &suffix);
		if (r < 0)
			return r;
		suffix += strspn(suffix, " \t");
		len = strcspn(suffix, " \t0123456789.");
		if (len == 0) {
			/* A bare number is the whole value. */
			if (n > 0 || *suffix)
				return -EINVAL;
			mult = default_unit_usec;
		}
		for (size_t k = 0; len > 0 && k < ELEMENTSOF(table); k++)
			if (strlen(table[k].suffix) == len && strncmp(suffix, table[k].suffix, len) == 0)
				mult = table[k].usec;
		if (mult == 0)
			return -EINVAL;
		r = mul_frac(i, frac, mult, &v);
		if (r < 0)
			return r;
		if (total > UINT64_MAX - v)
			return -ERANGE;
		total += v;
		p = suffix + len;
	}
	if (n == 0)
		return -EINVAL;
	*ret_usec = total;
	return 0;
}

int parse_boolean(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -EINVAL;
}

char *format_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char suffixes[] = "BKMGTPE";
	unsigned i = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && i + 1 < sizeof(suffixes) - 1) {
		rem = whole % 1024;
		whole /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%" PRIu64 "B", bytes);
	else
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "%c", whole,
			 rem * 10 / 1024, suffixes[i]);
	return buf;
}

char *format_duration(char *buf, size_t size, uint64_t usec)
{
	if (usec == USEC_INFINITY)
		snprintf(buf, size, "infinity");
	else if (usec >= USEC_PER_SEC)
		snprintf(buf, size, "%" PRIu64 ".%02" PRIu64 "s", usec / USEC_PER_SEC,
			 usec % USEC_PER_SEC / 10000);
	else if (usec >= USEC_PER_MSEC)
		snprintf(buf, size, "%" PRIu64 "ms", usec / USEC_PER_MSEC);
	else
		snprintf(buf, size, "%" PRIu64 "us", usec);
	return buf;
}

static uint64_t clock_usec(clockid_t clock)
{
	struct timespec ts;

	(void)clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / NSEC_PER_USEC;
}

uint64_t now_usec(void)
{
	return clock_usec(CLOCK_MONOTONIC);
}

void timespec_after_usec(struct timespec *ret, uint64_t usec)
{
	uint64_t t = now_usec() + usec;

	ret->tv_sec = (time_t)(t / USEC_PER_SEC);
	ret->tv_nsec = (long)(t % USEC_PER_SEC * NSEC_PER_USEC);
}

uint64_t realtime_usec(void)
{
	return clock_usec(CLOCK_REALTIME);
}

uint64_t realtime_of_usec(uint64_t monotonic_usec)
{
	uint64_t now = now_usec();

	return realtime_usec() - (now - MIN(monotonic_usec, now));
}

ssize_t pread_file(int fd, char *buf, size_t size)
{
	size_t n = 0;

	if (size < 2)
		return -EINVAL;
	for (;;) {
		ssize_t k = pread(fd, buf + n, size - 1 - n, (off_t)n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == size - 1) {
			/* Full: is there more? A truncated read is never whole. */
			char c;
			k = pread(fd, &c, 1, (off_t)n);
			if (k > 0)
				return -E2BIG;
			break;
		}
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

ssize_t read_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	return pread_file(fd, buf, size);
}

/*
 * Not access(W_OK): that checks the real uid with, for a uid other than 0,
 * no capabilities at all, so a daemon running as its own user with
 * CAP_DAC_OVERRIDE would be told that the root-owned memory.reclaim and
 * nodeN/reclaim (mode 0200) are not writable. Opening a kernel control
 * file for writing changes nothing; only a write() does.
 */
bool file_is_writable(const char *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	safe_close(fd);
	return true;
}

int write_file_at(int dirfd, const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t k;

	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	k = write(fd, value, len);
	if (k < 0)
		return negative_errno();
	if ((size_t)k != len)
		return -EIO;
	return 0;
}

int path_join(char *buf, size_t size, const char *root, const char *path)
{
	int k;

	if (!root || streq(root, "/"))
		root = "";
	k = snprintf(buf, size, "%s%s%s", root,
		     (*root && path[0] != '/') ? "/" : "", path);
	if (k < 0 || (size_t)k >= size)
		return -ENAMETOOLONG;
	return 0;
}

bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0; its code
 * point in *ret_c. */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *ret_c)
{
	uint32_t c;
	size_t len;

	if (s[0] < 0x80) {
		*ret_c = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*ret_c = c;
	return len;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t i = 0, n = strnlen(s, max);
	uint32_t c;

	while (i < n) {
		size_t k = utf8_sequence((const unsigned char *)s + i, n - i, &c);

		if (k == 0)
			break;
		i += k;
	}
	/* An invalid byte ends the prefix too: the caller prints valid text. */
	return i;
}

char *utf8_sanitize(const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd";
	char *out = malloc(n * 3 + 1), *w = out;
	uint32_t c;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_sequence((const unsigned char *)s + i, n - i, &c);

		if (k == 0) {
			memcpy(w, replacement, 3);
			w += 3;
			i++;
			continue;
		}
		memcpy(w, s + i, k);
		w += k;
		i += k;
	}
	*w = '\0';
	return out;
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated) that is not a
 * control character (C0, DEL, C1), or 0. */
static size_t utf8_printable_len(const unsigned char *s)
{
	uint32_t c;
	size_t k = utf8_sequence(s, strnlen((const char *)s, 4), &c);

	if (k == 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return 0;
	return k;
}
char *escape_terminal(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	if (size == 0)
		return buf;
	while (*p) {
		size_t k = utf8_printable_len(p);

		if (k > 0) {
			if (n + k >= size)
				break;
			memcpy(buf + n, p, k);
			p += k;
		} else {
			k = 4;
			if (n + k >= size)
				break;
			snprintf(buf + n, size - n, "\\x%02x", *p);
			p++;
		}
		n += k;
	}
	buf[n] = '\0';
	return buf;
}

uint64_t hash_fnv1a(uint64_t h, const char *str)
{
	do {
		h ^= (unsigned char)*str;
		h *= UINT64_C(0x100000001b3);
	} while (*str++);
	return h;
}
