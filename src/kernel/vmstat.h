/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The subset of /proc/vmstat the daemon uses: reclaim and stall counters.
 * Every value is cumulative since boot (events, or pages for pgscan/pgsteal
 * and pswpin/out) except workingset_nodes; compare two snapshots. Items a
 * kernel does not print are marked absent (present[] false, value 0):
 * _proactive counters are 6.x+ (seen on 6.18), _anon/_file workingset
 * splits are 5.9+, "workingset_refault" without suffix is pre-5.9.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

enum vmstat_item {
	VMSTAT_ALLOCSTALL_DMA,
	VMSTAT_ALLOCSTALL_DMA32,
	VMSTAT_ALLOCSTALL_NORMAL,
	VMSTAT_ALLOCSTALL_MOVABLE,
	VMSTAT_ALLOCSTALL_DEVICE,
	VMSTAT_PGSCAN_KSWAPD,
	VMSTAT_PGSCAN_DIRECT,
	VMSTAT_PGSCAN_KHUGEPAGED,
	VMSTAT_PGSCAN_PROACTIVE,
	VMSTAT_PGSCAN_DIRECT_THROTTLE,
	VMSTAT_PGSCAN_ANON,
	VMSTAT_PGSCAN_FILE,
	VMSTAT_PGSTEAL_KSWAPD,
	VMSTAT_PGSTEAL_DIRECT,
	VMSTAT_PGSTEAL_KHUGEPAGED,
	VMSTAT_PGSTEAL_PROACTIVE,
	VMSTAT_PGSTEAL_ANON,
	VMSTAT_PGSTEAL_FILE,
	VMSTAT_PAGEOUTRUN,
	VMSTAT_KSWAPD_LOW_WMARK_HIT_QUICKLY,
	VMSTAT_KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	VMSTAT_KSWAPD_INODESTEAL,
	VMSTAT_WORKINGSET_NODES,
	VMSTAT_WORKINGSET_REFAULT,
	VMSTAT_WORKINGSET_REFAULT_ANON,
	VMSTAT_WORKINGSET_REFAULT_FILE,
	VMSTAT_WORKINGSET_ACTIVATE,
	VMSTAT_WORKINGSET_ACTIVATE_ANON,
	VMSTAT_WORKINGSET_ACTIVATE_FILE,
	VMSTAT_WORKINGSET_RESTORE_ANON,
	VMSTAT_WORKINGSET_RESTORE_FILE,
	VMSTAT_WORKINGSET_NODERECLAIM,
	VMSTAT_PSWPIN,
	VMSTAT_PSWPOUT,
	VMSTAT_PGMAJFAULT,
	VMSTAT_PGREFILL,
	VMSTAT_PGROTATED,
	VMSTAT_OOM_KILL,
	VMSTAT_COMPACT_STALL,
	VMSTAT_NR_FREE_PAGES,
	_VMSTAT_ITEM_MAX,
};

struct vmstat {
	uint64_t value[_VMSTAT_ITEM_MAX];
	bool present[_VMSTAT_ITEM_MAX];
};

/* The kernel's name of an item ("pgscan_kswapd"), NULL when out of range. */
const char *vmstat_item_to_string(enum vmstat_item i);

/*
 * Parse the text of /proc/vmstat ("name value" lines). Unknown names are
 * ignored. Returns 0, or -EINVAL on a malformed number for a known name, a
 * name given twice, or a text not ending in a newline (truncated). *ret is
 * untouched on failure.
 */
int vmstat_parse(const char *buf, size_t len, struct vmstat *ret);

/* Sums over the per-zone and per-reclaimer splits; absent items count 0. */
uint64_t vmstat_allocstall(const struct vmstat *vs);
uint64_t vmstat_pgscan(const struct vmstat *vs);  /* kswapd+direct+khugepaged+proactive */
uint64_t vmstat_pgsteal(const struct vmstat *vs); /* the same four */

/* Kept-open /proc/vmstat under root; read() neither allocates nor opens. */
struct vmstat_reader;
int vmstat_reader_open(const char *root, struct vmstat_reader **ret);
int vmstat_reader_read(struct vmstat_reader *r, struct vmstat *ret);
struct vmstat_reader *vmstat_reader_free(struct vmstat_reader *r);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmstat_reader *, vmstat_reader_free);

/* The name table is sorted and complete (for test-vmstat). */
bool vmstat_table_is_valid(void);
