/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "zoneinfo.h"

/* The parser takes raw bytes with a length: no NUL is added, so a read
 * past len is an ASan error. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zoneinfo zi, scratch;
	struct node_zoneinfo n;

	(void)zoneinfo_parse((const char *)data, size, &zi);
	(void)zoneinfo_node(&zi, 0);
	/* A node thread's read: one node, one CPU's per-CPU lists. */
	for (int cpu = -1; cpu < 2; cpu++)
		(void)zoneinfo_parse_node_cpu((const char *)data, size, 0, cpu, &scratch, &n);
	return 0;
}
