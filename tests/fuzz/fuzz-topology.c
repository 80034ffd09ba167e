/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

/* Parse, format back, parse again: the round trip must be exact. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t a[TOPOLOGY_WORDS(TOPOLOGY_MAX_CPUS)], b[TOPOLOGY_WORDS(TOPOLOGY_MAX_CPUS)];
	static char text[TOPOLOGY_LIST_MAX];
	int n, m;

	n = topology_parse_list((const char *)data, size, a, TOPOLOGY_MAX_CPUS);
	if (n < 0)
		return 0;
	if (topology_format_list(a, TOPOLOGY_MAX_CPUS, text, sizeof(text)) < 0)
		abort(); /* TOPOLOGY_LIST_MAX is too small */
	m = topology_parse_list(text, strlen(text), b, TOPOLOGY_MAX_CPUS);
	if (m != n || memcmp(a, b, sizeof(a)) != 0)
		abort();
	return 0;
}
