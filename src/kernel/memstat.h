/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Parsers for cgroup v2 memory controller files, on buffers (no I/O):
 *
 *	memory.stat		"KEY VALUE\n" lines, bytes or event counts
 *	memory.numa_stat	"KEY N0=VALUE N1=VALUE ...\n" lines, bytes
 *	memory.current, memory.min, memory.low, memory.high, memory.max,
 *	memory.swap.current, memory.swap.max
 *				one "VALUE\n" or "max\n" line
 *	cgroup.events		"populated 0|1\nfrozen 0|1\n"
 *
 * /proc/vmstat has memory.stat's grammar, so memstat_parse() reads its
 * pgsteal_* / pgscan_* counters too.
 *
 * Every parser returns 0, -EINVAL on malformed input (bad number, missing
 * value, duplicate known key, a NUL inside the text, a line file whose last
 * line lacks its LF), -E2BIG when something is larger than the fixed structs
 * hold (a line over MEMSTAT_LINE_MAX bytes, a node id >= MEMSTAT_MAX_NODES).
 * Unknown keys are ignored: kernels add keys. On failure *ret is left
 * untouched.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line accepted: memory.numa_stat lines are "key" + " N%d=%llu" per
 * node, about 25 bytes per node; 64 nodes fit in 2 KiB with room to spare. */
#define MEMSTAT_LINE_MAX 4096
/* Same bound as zoneinfo.h's ZONEINFO_MAX_NODES. */
#define MEMSTAT_MAX_NODES 64
/* "max" in memory.min/low/high/max/swap.max. */
#define MEMSTAT_MAX UINT64_MAX

enum memstat_key {
	MEMSTAT_ANON,
	MEMSTAT_FILE,
	MEMSTAT_KERNEL,
	MEMSTAT_KERNEL_STACK,
	MEMSTAT_PAGETABLES,
	MEMSTAT_SOCK,
	MEMSTAT_SHMEM,
	MEMSTAT_FILE_MAPPED,
	MEMSTAT_FILE_DIRTY,
	MEMSTAT_FILE_WRITEBACK,
	MEMSTAT_SWAPCACHED,
	MEMSTAT_ANON_THP,
	MEMSTAT_FILE_THP,
	MEMSTAT_SHMEM_THP,
	MEMSTAT_INACTIVE_ANON,
	MEMSTAT_ACTIVE_ANON,
	MEMSTAT_INACTIVE_FILE,
	MEMSTAT_ACTIVE_FILE,
	MEMSTAT_UNEVICTABLE,
	MEMSTAT_SLAB_RECLAIMABLE,
	MEMSTAT_SLAB_UNRECLAIMABLE,
	MEMSTAT_SLAB,
	MEMSTAT_WORKINGSET_REFAULT_ANON,
	MEMSTAT_WORKINGSET_REFAULT_FILE,
	MEMSTAT_WORKINGSET_ACTIVATE_ANON,
	MEMSTAT_WORKINGSET_ACTIVATE_FILE,
	MEMSTAT_WORKINGSET_RESTORE_ANON,
	MEMSTAT_WORKINGSET_RESTORE_FILE,
	MEMSTAT_WORKINGSET_NODERECLAIM,
	MEMSTAT_PGSCAN,
	MEMSTAT_PGSTEAL,
	MEMSTAT_PGSCAN_KSWAPD,
	MEMSTAT_PGSCAN_DIRECT,
	MEMSTAT_PGSCAN_KHUGEPAGED,
	MEMSTAT_PGSCAN_PROACTIVE,
	MEMSTAT_PGSTEAL_KSWAPD,
	MEMSTAT_PGSTEAL_DIRECT,
	MEMSTAT_PGSTEAL_KHUGEPAGED,
	MEMSTAT_PGSTEAL_PROACTIVE,
	MEMSTAT_PGFAULT,
	MEMSTAT_PGMAJFAULT,
	_MEMSTAT_KEY_MAX,
};

struct memstat {
	uint64_t v[_MEMSTAT_KEY_MAX];
	uint64_t present; /* bit k set when key k was in the file */
};

/* "anon" for MEMSTAT_ANON; NULL when out of range. */
const char *memstat_key_to_string(enum memstat_key k);
/* -EINVAL for an unknown name. */
int memstat_key_from_string(const char *s, size_t len);
/* The name table is sorted and names every key once (for the test). */
bool memstat_table_is_valid(void);

static inline bool memstat_has(const struct memstat *s, enum memstat_key k)
{
	return (s->present >> k) & 1;
}

int memstat_parse(const char *buf, size_t len, struct memstat *ret);

/* memory.numa_stat: the same keys (only those the kernel prints per node);
 * values indexed by kernel node id. */
struct memstat_numa {
	uint64_t v[_MEMSTAT_KEY_MAX][MEMSTAT_MAX_NODES];
	uint64_t present;   /* keys seen */
	uint64_t node_mask; /* node ids seen (bit n = node n) */
};

int memstat_numa_parse(const char *buf, size_t len, struct memstat_numa *ret);

/* One value or "max" (MEMSTAT_MAX); a single trailing newline is allowed. */
int memstat_parse_value(const char *buf, size_t len, uint64_t *ret);

struct memstat_events {
	bool populated;
	bool frozen;
	bool has_frozen; /* frozen appeared in 5.2 */
};

int memstat_parse_events(const char *buf, size_t len, struct memstat_events *ret);
