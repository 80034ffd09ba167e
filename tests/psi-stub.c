// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY: a minimal psi_parse() for the actuator tests and actuator-probe
 * until the readers' src/psi.c is merged; remove this file from their
 * _SOURCES then. Accepts exactly the kernel's two-line format.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "psi.h"

static int stub_line(const char *p, const char *name, struct psi_line *ret)
{
	unsigned a10i, a10f, a60i, a60f, a300i, a300f;
	uint64_t total;
	char got[8];

	if (sscanf(p, "%4s avg10=%u.%u avg60=%u.%u avg300=%u.%u total=%" SCNu64, got, &a10i,
		   &a10f, &a60i, &a60f, &a300i, &a300f, &total) != 8 ||
	    strcmp(got, name) != 0)
		return -EINVAL;
	*ret = (struct psi_line){ a10i * 100 + a10f, a60i * 100 + a60f,
				  a300i * 100 + a300f, total };
	return 0;
}

int psi_parse(const char *buf, size_t len, struct psi_stat *ret)
{
	struct psi_stat s = {};
	const char *full;

	if (!buf || len == 0 || strlen(buf) != len)
		return -EINVAL;
	if (stub_line(buf, "some", &s.some) < 0)
		return -EINVAL;
	full = strstr(buf, "\nfull ");
	if (full) {
		if (stub_line(full + 1, "full", &s.full) < 0)
			return -EINVAL;
		s.has_full = true;
	}
	*ret = s;
	return 0;
}
