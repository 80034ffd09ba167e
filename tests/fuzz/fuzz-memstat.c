/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz-memstat: the first byte picks the parser (memory.stat,
 * memory.numa_stat, a single value, cgroup.events); the rest is the file.
 * Checks beyond "no crash": a failed parse leaves the output untouched, and
 * a successful parse only reports keys/nodes that fit the structs.
 */

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_stat(const char *buf, size_t len)
{
	struct memstat s;
	int r;

	memset(&s, 0xa5, sizeof(s));
	r = memstat_parse(buf, len, &s);
	if (r < 0) {
		assert(s.present == UINT64_C(0xa5a5a5a5a5a5a5a5));
		return;
	}
	assert(s.present < (UINT64_C(1) << _MEMSTAT_KEY_MAX));
	for (int k = 0; k < _MEMSTAT_KEY_MAX; k++)
		if (!memstat_has(&s, k))
			assert(s.v[k] == 0);
}

static void fuzz_numa(const char *buf, size_t len)
{
	static struct memstat_numa s;
	int r;

	memset(&s, 0xa5, sizeof(s));
	r = memstat_numa_parse(buf, len, &s);
	if (r < 0) {
		assert(s.node_mask == UINT64_C(0xa5a5a5a5a5a5a5a5));
		return;
	}
	assert(s.present < (UINT64_C(1) << _MEMSTAT_KEY_MAX));
	if (s.present == 0)
		assert(s.node_mask == 0 || len > 0);
}

static void fuzz_value(const char *buf, size_t len)
{
	uint64_t v = 4242;

	if (memstat_parse_value(buf, len, &v) < 0)
		assert(v == 4242);
}

static void fuzz_events(const char *buf, size_t len)
{
	struct memstat_events e = { .populated = true, .frozen = true, .has_frozen = false };

	if (memstat_parse_events(buf, len, &e) < 0)
		assert(e.populated && e.frozen && !e.has_frozen);
	else if (!e.has_frozen)
		assert(!e.frozen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (size < 1 || size > 256 * 1024)
		return 0;
	/* The readers hand NUL-terminated buffers (pread_file): do the same,
	 * in an exact-size allocation so overreads are caught. */
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		fuzz_stat(buf, size - 1);
		break;
	case 1:
		fuzz_numa(buf, size - 1);
		break;
	case 2:
		fuzz_value(buf, size - 1);
		break;
	default:
		fuzz_events(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
