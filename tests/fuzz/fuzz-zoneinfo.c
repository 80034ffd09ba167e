/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "zoneinfo.h"

/* The parser takes raw bytes with a length: no NUL is added, so a read
 * past len is an ASan error. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zoneinfo zi;

	(void)zoneinfo_parse((const char *)data, size, &zi);
	(void)zoneinfo_node(&zi, 0);
	return 0;
}
