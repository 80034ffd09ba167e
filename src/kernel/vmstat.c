/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "keytable.h"
#include "macro.h"
#include "reread.h"
#include "textscan.h"
#include "vmstat.h"

/*
 * /proc/vmstat, as printed by vmstat_show() in mm/vmstat.c: one
 * "%s %lu" line per counter (zone stats, NUMA stats, node stats, dirty
 * thresholds, then events), in an order and set that change with the
 * kernel's version and config.
 *
 * Grammar: lines of NAME SP VALUE, VALUE decimal. Names this parser does
 * not know are skipped unchecked; a known name must appear once, with a
 * valid number and nothing after it.
 */

/* Sorted by name (strcmp order); test-vmstat checks it. */
static const struct keytable_entry vmstat_names[] = {
	{"allocstall_device", VMSTAT_ALLOCSTALL_DEVICE},
	{"allocstall_dma", VMSTAT_ALLOCSTALL_DMA},
	{"allocstall_dma32", VMSTAT_ALLOCSTALL_DMA32},
	{"allocstall_movable", VMSTAT_ALLOCSTALL_MOVABLE},
	{"allocstall_normal", VMSTAT_ALLOCSTALL_NORMAL},
	{"compact_stall", VMSTAT_COMPACT_STALL},
	{"kswapd_high_wmark_hit_quickly", VMSTAT_KSWAPD_HIGH_WMARK_HIT_QUICKLY},
	{"kswapd_inodesteal", VMSTAT_KSWAPD_INODESTEAL},
	{"kswapd_low_wmark_hit_quickly", VMSTAT_KSWAPD_LOW_WMARK_HIT_QUICKLY},
	{"nr_free_pages", VMSTAT_NR_FREE_PAGES},
	{"oom_kill", VMSTAT_OOM_KILL},
	{"pageoutrun", VMSTAT_PAGEOUTRUN},
	{"pgmajfault", VMSTAT_PGMAJFAULT},
	{"pgrefill", VMSTAT_PGREFILL},
	{"pgrotated", VMSTAT_PGROTATED},
	{"pgscan_anon", VMSTAT_PGSCAN_ANON},
	{"pgscan_direct", VMSTAT_PGSCAN_DIRECT},
	{"pgscan_direct_throttle", VMSTAT_PGSCAN_DIRECT_THROTTLE},
	{"pgscan_file", VMSTAT_PGSCAN_FILE},
	{"pgscan_khugepaged", VMSTAT_PGSCAN_KHUGEPAGED},
	{"pgscan_kswapd", VMSTAT_PGSCAN_KSWAPD},
	{"pgscan_proactive", VMSTAT_PGSCAN_PROACTIVE},
	{"pgsteal_anon", VMSTAT_PGSTEAL_ANON},
	{"pgsteal_direct", VMSTAT_PGSTEAL_DIRECT},
	{"pgsteal_file", VMSTAT_PGSTEAL_FILE},
	{"pgsteal_khugepaged", VMSTAT_PGSTEAL_KHUGEPAGED},
	{"pgsteal_kswapd", VMSTAT_PGSTEAL_KSWAPD},
	{"pgsteal_proactive", VMSTAT_PGSTEAL_PROACTIVE},
	{"pswpin", VMSTAT_PSWPIN},
	{"pswpout", VMSTAT_PSWPOUT},
	{"workingset_activate", VMSTAT_WORKINGSET_ACTIVATE},
	{"workingset_activate_anon", VMSTAT_WORKINGSET_ACTIVATE_ANON},
	{"workingset_activate_file", VMSTAT_WORKINGSET_ACTIVATE_FILE},
	{"workingset_nodereclaim", VMSTAT_WORKINGSET_NODERECLAIM},
	{"workingset_nodes", VMSTAT_WORKINGSET_NODES},
	{"workingset_refault", VMSTAT_WORKINGSET_REFAULT},
	{"workingset_refault_anon", VMSTAT_WORKINGSET_REFAULT_ANON},
	{"workingset_refault_file", VMSTAT_WORKINGSET_REFAULT_FILE},
	{"workingset_restore_anon", VMSTAT_WORKINGSET_RESTORE_ANON},
	{"workingset_restore_file", VMSTAT_WORKINGSET_RESTORE_FILE},
};

DEFINE_KEYTABLE_TO_STRING(, vmstat_item, enum vmstat_item, vmstat_names)
DEFINE_KEYTABLE_IS_VALID(, vmstat, vmstat_names, _VMSTAT_ITEM_MAX)

static int vmstat_parse_line(const char *s, const char *end, struct vmstat *vs)
{
	struct textscan_token key, value;
	int id;

	key = textscan_take(&s, end);
	if (key.len == 0)
		return 0;
	id = keytable_lookup(vmstat_names, ELEMENTSOF(vmstat_names), key);
	if (id < 0)
		return 0;
	value = textscan_take(&s, end);
	if (!textscan_token_u64(value, &vs->value[id]) || !textscan_at_eol(&s, end))
		return -EINVAL;
	if (vs->present[id])
		return -EINVAL; /* the same counter twice */
	vs->present[id] = true;
	return 0;
}

int vmstat_parse(const char *buf, size_t len, struct vmstat *ret)
{
	const char *cur = buf, *end = buf + len, *line, *eol;
	struct vmstat vs = {};
	int r;

	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	while (textscan_next_line(&cur, end, &line, &eol)) {
		r = vmstat_parse_line(line, eol, &vs);
		if (r < 0)
			return r;
	}
	*ret = vs;
	return 0;
}

static uint64_t vmstat_sum(const struct vmstat *vs, enum vmstat_item first, enum vmstat_item last)
{
	uint64_t sum = 0;

	for (int i = first; i <= (int)last; i++)
		sum += vs->value[i];
	return sum;
}

uint64_t vmstat_allocstall(const struct vmstat *vs)
{
	return vmstat_sum(vs, VMSTAT_ALLOCSTALL_DMA, VMSTAT_ALLOCSTALL_DEVICE);
}

uint64_t vmstat_pgscan(const struct vmstat *vs)
{
	return vmstat_sum(vs, VMSTAT_PGSCAN_KSWAPD, VMSTAT_PGSCAN_PROACTIVE);
}

uint64_t vmstat_pgsteal(const struct vmstat *vs)
{
	return vmstat_sum(vs, VMSTAT_PGSTEAL_KSWAPD, VMSTAT_PGSTEAL_PROACTIVE);
}

struct vmstat_reader {
	struct reread_file file;
};

/* /proc/vmstat is about 4 KiB on 6.18 and grows with every release. */
#define VMSTAT_MIN_BUFFER_BYTES (16 * 1024)

_Static_assert(offsetof(struct vmstat_reader, file) == 0, "a reread reader");

int vmstat_reader_open(const char *root, struct vmstat_reader **ret)
{
	return REREAD_READER_OPEN(root, "/proc/vmstat", VMSTAT_MIN_BUFFER_BYTES, ret);
}

int vmstat_reader_read(struct vmstat_reader *r, struct vmstat *ret)
{
	return REREAD_READER_PARSE(r, vmstat_parse, ret);
}

struct vmstat_reader *vmstat_reader_free(struct vmstat_reader *r)
{
	return reread_reader_free(r);
}
