/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keytable.h"
#include "macro.h"
#include "meminfo.h"
#include "reread.h"
#include "textscan.h"

/*
 * /proc/meminfo (meminfo_proc_show() in fs/proc/meminfo.c) and
 * /sys/devices/system/node/nodeN/meminfo (node_read_meminfo() in
 * drivers/base/node.c):
 *
 *	MemTotal:       24684092 kB
 *	HugePages_Total:       0
 *	Node 0 MemTotal:        5728468 kB
 *
 * Grammar: lines of [ "Node" N ] NAME ":" VALUE [ "kB" ], VALUE decimal.
 * Names this parser does not know are skipped unchecked; a known name must
 * appear once, with a valid number and, if any, the unit kB.
 */

/* Sorted by name (strcmp order); test-meminfo checks it. */
static const struct keytable_entry meminfo_names[] = {
	{"Active", MEMINFO_ACTIVE},
	{"Active(anon)", MEMINFO_ACTIVE_ANON},
	{"Active(file)", MEMINFO_ACTIVE_FILE},
	{"AnonPages", MEMINFO_ANON_PAGES},
	{"Buffers", MEMINFO_BUFFERS},
	{"Cached", MEMINFO_CACHED},
	{"Dirty", MEMINFO_DIRTY},
	{"FilePages", MEMINFO_FILE_PAGES},
	{"HugePages_Free", MEMINFO_HUGE_PAGES_FREE},
	{"HugePages_Total", MEMINFO_HUGE_PAGES_TOTAL},
	{"Inactive", MEMINFO_INACTIVE},
	{"Inactive(anon)", MEMINFO_INACTIVE_ANON},
	{"Inactive(file)", MEMINFO_INACTIVE_FILE},
	{"KReclaimable", MEMINFO_KRECLAIMABLE},
	{"Mapped", MEMINFO_MAPPED},
	{"MemAvailable", MEMINFO_MEM_AVAILABLE},
	{"MemFree", MEMINFO_MEM_FREE},
	{"MemTotal", MEMINFO_MEM_TOTAL},
	{"MemUsed", MEMINFO_MEM_USED},
	{"Mlocked", MEMINFO_MLOCKED},
	{"SReclaimable", MEMINFO_SRECLAIMABLE},
	{"SUnreclaim", MEMINFO_SUNRECLAIM},
	{"Shmem", MEMINFO_SHMEM},
	{"Slab", MEMINFO_SLAB},
	{"SwapCached", MEMINFO_SWAP_CACHED},
	{"SwapFree", MEMINFO_SWAP_FREE},
	{"SwapTotal", MEMINFO_SWAP_TOTAL},
	{"Unevictable", MEMINFO_UNEVICTABLE},
	{"Writeback", MEMINFO_WRITEBACK},
	{"Zswap", MEMINFO_ZSWAP},
	{"Zswapped", MEMINFO_ZSWAPPED},
};

DEFINE_KEYTABLE_TO_STRING(, meminfo_item, enum meminfo_item, meminfo_names)
DEFINE_KEYTABLE_IS_VALID(, meminfo, meminfo_names, _MEMINFO_ITEM_MAX)

uint64_t meminfo_bytes(const struct meminfo *mi, enum meminfo_item i)
{
	if (!mi || (int)i < 0 || i >= _MEMINFO_ITEM_MAX)
		return 0;
	return mi->value[i] > UINT64_MAX / 1024 ? UINT64_MAX : mi->value[i] * 1024;
}

/* "Node" N at the start of a node file's line. */
static int meminfo_take_node(const char **s, const char *end, int node_id)
{
	struct textscan_token t = textscan_take(s, end);
	uint64_t id;

	if (!textscan_token_eq(t, "Node"))
		return -EINVAL;
	t = textscan_take(s, end);
	if (!textscan_token_u64(t, &id) || node_id < 0 || id != (uint64_t)node_id)
		return -EINVAL;
	return 0;
}

static int meminfo_parse_line(const char *s, const char *end, int node_id, struct meminfo *mi)
{
	struct textscan_token key, value, unit;
	int id, r;

	if (textscan_at_eol(&s, end))
		return 0;
	if (node_id >= 0) {
		r = meminfo_take_node(&s, end, node_id);
		if (r < 0)
			return r;
	}
	key = textscan_take(&s, end);
	if (key.len < 2 || key.s[key.len - 1] != ':')
		return -EINVAL; /* every meminfo line is "Name:" */
	key.len--;
	id = keytable_lookup(meminfo_names, ELEMENTSOF(meminfo_names), key);
	if (id < 0)
		return 0;
	value = textscan_take(&s, end);
	if (!textscan_token_u64(value, &mi->value[id]))
		return -EINVAL;
	unit = textscan_take(&s, end);
	if (unit.len > 0 && !textscan_token_eq(unit, "kB"))
		return -EINVAL;
	if (!textscan_at_eol(&s, end) || mi->present[id])
		return -EINVAL;
	mi->present[id] = true;
	return 0;
}

static int meminfo_parse_full(const char *buf, size_t len, int node_id, struct meminfo *ret)
{
	const char *cur = buf, *end = buf + len, *line, *eol;
	struct meminfo mi = {};
	int r;

	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	while (textscan_next_line(&cur, end, &line, &eol)) {
		r = meminfo_parse_line(line, eol, node_id, &mi);
		if (r < 0)
			return r;
	}
	*ret = mi;
	return 0;
}

int meminfo_parse(const char *buf, size_t len, struct meminfo *ret)
{
	return meminfo_parse_full(buf, len, -1, ret);
}

int meminfo_parse_node(const char *buf, size_t len, int node_id, struct meminfo *ret)
{
	if (node_id < 0)
		return -EINVAL;
	return meminfo_parse_full(buf, len, node_id, ret);
}

struct meminfo_reader {
	struct reread_file file;
	int node_id;
};

/* Both files are under 2 KiB on 6.18. */
#define MEMINFO_MIN_BUFFER_BYTES (8 * 1024)

_Static_assert(offsetof(struct meminfo_reader, file) == 0, "a reread reader");

int meminfo_reader_open(const char *root, int node_id, struct meminfo_reader **ret)
{
	struct meminfo_reader *r;
	char path[64];
	int k;

	if (node_id < 0)
		snprintf(path, sizeof(path), "/proc/meminfo");
	else
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node_id);
	k = REREAD_READER_OPEN(root, path, MEMINFO_MIN_BUFFER_BYTES, &r);
	if (k < 0)
		return k;
	r->node_id = node_id;
	*ret = r;
	return 0;
}

int meminfo_reader_read(struct meminfo_reader *r, struct meminfo *ret)
{
	return REREAD_READER_PARSE(r, meminfo_parse_full, ret, r->node_id);
}

struct meminfo_reader *meminfo_reader_free(struct meminfo_reader *r)
{
	return reread_reader_free(r);
}
