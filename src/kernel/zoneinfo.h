/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The daemon's view of /proc/zoneinfo: every node, every zone (empty ones
 * included, as the kernel lists them), in pages, with the kernel's names.
 *
 * Fixed-size arrays: a snapshot is filled in place on every tick with no
 * allocation, so the reclaim path keeps working when memory is short.
 * Fields may be added; none are renamed (tests and --inspect use the names).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* MAX_NUMNODES is 1024 in distribution kernels but machines online at most a
 * few dozen; 64 covers every machine we know of (8-socket SNC-4 is 32). */
#define ZONEINFO_MAX_NODES 64
/* MAX_NR_ZONES: DMA, DMA32, Normal, HighMem, Movable, Device (6 at most). */
#define ZONEINFO_MAX_ZONES 8
#define ZONE_NAME_MAX 16

struct zone_stat {
	char name[ZONE_NAME_MAX]; /* "DMA", "DMA32", "Normal", "Movable"... */
	uint64_t free;            /* "pages free" */
	uint64_t boost;           /* watermark_boost, 0 where absent (<5.0) */
	uint64_t min, low, high;  /* kernel watermarks */
	uint64_t promo;           /* 0 where absent */
	uint64_t spanned, present, managed, cma;
	/* lowmem_reserve[] against allocations whose highest zone is i */
	uint64_t protection[ZONEINFO_MAX_ZONES];
	unsigned n_protection;
	bool has_boost, has_promo;
	bool node_unreclaimable;
	bool has_cma; /* "cma" line (absent on older kernels, e.g. 4.19) */
	/* The per-CPU free list of one CPU (the reader's: see
	 * zoneinfo_reader_read_node_cpu()): pages freed on that CPU go to it,
	 * uncounted in "pages free", until it holds "high:" (a batch is
	 * then given back). pcp_room = high - count, 0 if over; has_pcp
	 * when that CPU's block was read. */
	uint64_t pcp_room;
	bool has_pcp;
};

/* The per-node stats block, printed once per node inside its first zone. */
struct node_lru_stat {
	uint64_t nr_inactive_anon, nr_active_anon;
	uint64_t nr_inactive_file, nr_active_file;
	uint64_t nr_unevictable;
	uint64_t nr_slab_reclaimable, nr_slab_unreclaimable;
	uint64_t nr_file_pages, nr_anon_pages, nr_shmem, nr_dirty, nr_writeback;
	uint64_t nr_mapped; /* file pages mapped into page tables */
	uint64_t workingset_refault_anon, workingset_refault_file;
	uint64_t workingset_activate_anon, workingset_activate_file;
	uint64_t workingset_nodereclaim;
};

struct node_zoneinfo {
	int id;
	unsigned n_zones;
	struct zone_stat zones[ZONEINFO_MAX_ZONES];
	struct node_lru_stat lru;
	bool has_lru;
	/* nr_inactive_file, nr_active_file, nr_mapped, nr_dirty and
	 * nr_slab_reclaimable were all read: what the kernel's node-reclaim
	 * test reads (target_node_file_gated()). */
	bool has_node_reclaim_lines;
	/* Any zone of the node says node_unreclaimable: 1 (the kernel prints the
	 * node's pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES in every
	 * populated zone). */
	bool node_unreclaimable;
};

struct zoneinfo {
	unsigned n_nodes;
	struct node_zoneinfo nodes[ZONEINFO_MAX_NODES];
};

/*
 * Parse the text of /proc/zoneinfo (NUL-terminated, len bytes) into *ret.
 * Returns 0, -EINVAL on malformed input (bad number, duplicate key in a
 * zone, zone outside a node...), -E2BIG when more nodes/zones than fit.
 * On failure *ret is left untouched.
 */
int zoneinfo_parse(const char *buf, size_t len, struct zoneinfo *ret);

/* One node's zones, with CPU cpu's per-CPU list room (cpu < 0: none),
 * parsed into scratch and copied to *ret when whole: what
 * zoneinfo_reader_read_node_cpu() does with the text it read. -ENOENT
 * without that node; *ret untouched on failure. */
int zoneinfo_parse_node_cpu(const char *buf, size_t len, int node, int cpu,
			    struct zoneinfo *scratch, struct node_zoneinfo *ret);

/* Node lookup by kernel node id, NULL if absent. */
const struct node_zoneinfo *zoneinfo_node(const struct zoneinfo *zi, int node_id);

/* A kept-open reader: open once at start-up, re-read with pread into a buffer
 * allocated at open time; zoneinfo_reader_read() neither allocates nor opens. */
struct zoneinfo_reader;
int zoneinfo_reader_open(const char *root, struct zoneinfo_reader **ret);
int zoneinfo_reader_read(struct zoneinfo_reader *r, struct zoneinfo *ret);
/* One node's zones (a node thread's snapshot): the other nodes' lines are
 * skipped unparsed, so a defect there goes unseen here (the monitor's
 * zoneinfo_reader_read() of the whole file still refuses it). -ENOENT
 * without that node; *ret untouched on failure. */
int zoneinfo_reader_read_node(struct zoneinfo_reader *r, int node, struct node_zoneinfo *ret);
/* The same, with each zone's per-CPU list room for CPU cpu (pcp_room,
 * has_pcp); cpu < 0 reads none, as zoneinfo_reader_read_node(). */
int zoneinfo_reader_read_node_cpu(struct zoneinfo_reader *r, int node, int cpu,
				  struct node_zoneinfo *ret);
struct zoneinfo_reader *zoneinfo_reader_free(struct zoneinfo_reader *r);

/* Buffer size the reader chose at open (bytes), for logs and tests. */
size_t zoneinfo_reader_buffer_size(const struct zoneinfo_reader *r);

/* The parser's key table, in lookup order (for the test that checks it is
 * sorted); NULL past the end. */
const char *zoneinfo_key_name_at(size_t i);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct zoneinfo_reader *, zoneinfo_reader_free);
