/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>

#include "textscan.h"

size_t textscan_u64(const char *p, const char *end, uint64_t *ret)
{
	const char *s = p;
	uint64_t v = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		p++;
	}
	if (p == s)
		return 0;
	*ret = v;
	return (size_t)(p - s);
}

bool textscan_token_u64(struct textscan_token t, uint64_t *ret)
{
	uint64_t v;

	if (t.len == 0 || textscan_u64(t.s, t.s + t.len, &v) != t.len)
		return false;
	*ret = v;
	return true;
}

bool textscan_next_line(const char **cursor, const char *end, const char **ret_line,
			const char **ret_eol)
{
	const char *p = *cursor, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	*ret_line = p;
	*ret_eol = nl;
	*cursor = nl < end ? nl + 1 : end;
	return true;
}

int textscan_check_text(const char *buf, size_t len)
{
	if (!buf || len == 0)
		return -EINVAL;
	if (buf[len - 1] != '\n')
		return -EINVAL; /* cut mid-line: truncated */
	if (memchr(buf, '\0', len))
		return -EINVAL;
	return 0;
}
