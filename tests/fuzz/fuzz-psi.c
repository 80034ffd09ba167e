/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "psi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct psi_stat prev;
	struct psi_stat st;
	unsigned v;

	if (psi_parse((const char *)data, size, &st) == 0) {
		(void)psi_stat_stall_permyriad(&prev, &st, false, 1000000, &v);
		(void)psi_stat_stall_permyriad(&prev, &st, true, 1, &v);
		prev = st;
	}
	return 0;
}
