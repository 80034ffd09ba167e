/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>

#include "buddyinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct buddyinfo b;

	if (buddyinfo_parse((const char *)data, size, &b) == 0)
		for (unsigned i = 0; i < b.n_nodes; i++) {
			const struct buddyinfo_node *n = buddyinfo_node(&b, b.nodes[i].id);

			if (!n || buddyinfo_free_pages_from(n, 9) > buddyinfo_free_pages(n))
				abort();
		}
	return 0;
}
