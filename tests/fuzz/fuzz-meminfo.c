/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "meminfo.h"

/* The first byte picks /proc/meminfo or a node file (node 0..3). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct meminfo mi;

	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		(void)meminfo_parse_node((const char *)data + 1, size - 1, data[0] & 3, &mi);
	else
		(void)meminfo_parse((const char *)data + 1, size - 1, &mi);
	return 0;
}
