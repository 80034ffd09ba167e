/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The subset of /proc/meminfo and of the per-node
 * /sys/devices/system/node/nodeN/meminfo the daemon uses. Values are kept in
 * the kernel's unit, kB (1024 bytes), except HugePages_* which are counts.
 * Items a file does not print are absent (present[] false, value 0): the
 * node files have no MemAvailable or Swap*, /proc/meminfo has no MemUsed or
 * FilePages.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

enum meminfo_item {
	MEMINFO_MEM_TOTAL,	  /* MemTotal */
	MEMINFO_MEM_FREE,	  /* MemFree */
	MEMINFO_MEM_AVAILABLE,	  /* MemAvailable */
	MEMINFO_MEM_USED,	  /* MemUsed */
	MEMINFO_BUFFERS,	  /* Buffers */
	MEMINFO_CACHED,		  /* Cached */
	MEMINFO_SWAP_CACHED,	  /* SwapCached */
	MEMINFO_ACTIVE,		  /* Active */
	MEMINFO_INACTIVE,	  /* Inactive */
	MEMINFO_ACTIVE_ANON,	  /* Active(anon) */
	MEMINFO_INACTIVE_ANON,	  /* Inactive(anon) */
	MEMINFO_ACTIVE_FILE,	  /* Active(file) */
	MEMINFO_INACTIVE_FILE,	  /* Inactive(file) */
	MEMINFO_UNEVICTABLE,	  /* Unevictable */
	MEMINFO_MLOCKED,	  /* Mlocked */
	MEMINFO_SWAP_TOTAL,	  /* SwapTotal */
	MEMINFO_SWAP_FREE,	  /* SwapFree */
	MEMINFO_ZSWAP,		  /* Zswap */
	MEMINFO_ZSWAPPED,	  /* Zswapped */
	MEMINFO_DIRTY,		  /* Dirty */
	MEMINFO_WRITEBACK,	  /* Writeback */
	MEMINFO_FILE_PAGES,	  /* FilePages */
	MEMINFO_ANON_PAGES,	  /* AnonPages */
	MEMINFO_MAPPED,		  /* Mapped */
	MEMINFO_SHMEM,		  /* Shmem */
	MEMINFO_KRECLAIMABLE,	  /* KReclaimable */
	MEMINFO_SLAB,		  /* Slab */
	MEMINFO_SRECLAIMABLE,	  /* SReclaimable */
	MEMINFO_SUNRECLAIM,	  /* SUnreclaim */
	MEMINFO_HUGE_PAGES_TOTAL, /* HugePages_Total */
	MEMINFO_HUGE_PAGES_FREE,  /* HugePages_Free */
	_MEMINFO_ITEM_MAX,
};

struct meminfo {
	uint64_t value[_MEMINFO_ITEM_MAX]; /* kB */
	bool present[_MEMINFO_ITEM_MAX];
};

/* The kernel's name of an item ("Active(file)"), NULL when out of range. */
const char *meminfo_item_to_string(enum meminfo_item i);

/* value in bytes (kB * 1024); 0 when absent. */
uint64_t meminfo_bytes(const struct meminfo *mi, enum meminfo_item i);

/*
 * Parse /proc/meminfo ("Name:   123 kB" lines). Unknown names are ignored;
 * a known name given twice, a bad number or unit, a line starting "Node",
 * or a text not ending in a newline is -EINVAL. *ret untouched on failure.
 */
int meminfo_parse(const char *buf, size_t len, struct meminfo *ret);

/* Parse nodeN/meminfo ("Node 0 MemFree:   123 kB"): every line must carry
 * "Node <node_id>"; otherwise as meminfo_parse(). */
int meminfo_parse_node(const char *buf, size_t len, int node_id, struct meminfo *ret);

/* Kept-open /proc/meminfo (node_id < 0) or nodeN/meminfo under root;
 * read() neither allocates nor opens. */
struct meminfo_reader;
int meminfo_reader_open(const char *root, int node_id, struct meminfo_reader **ret);
int meminfo_reader_read(struct meminfo_reader *r, struct meminfo *ret);
struct meminfo_reader *meminfo_reader_free(struct meminfo_reader *r);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct meminfo_reader *, meminfo_reader_free);

/* The name table is sorted and complete (for test-meminfo). */
bool meminfo_table_is_valid(void);
