/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "vmstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmstat vs;

	if (vmstat_parse((const char *)data, size, &vs) == 0) {
		(void)vmstat_allocstall(&vs);
		(void)vmstat_pgscan(&vs);
		(void)vmstat_pgsteal(&vs);
	}
	return 0;
}
