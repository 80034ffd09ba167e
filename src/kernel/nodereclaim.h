/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The kernel's node-reclaim minimums: /proc/sys/vm/min_unmapped_ratio,
 * min_slab_ratio and zone_reclaim_mode, one number each.
 *
 * The per-node reclaim file (nodeN/reclaim, 6.17+) runs __node_reclaim(),
 * the function zone reclaim has used since 2.6.16, and that function
 * shrinks the node only while its reclaimable page cache is above
 * min_unmapped_pages or its reclaimable slab above min_slab_pages (the
 * ratios of the node's managed pages, mm/vmscan.c). Below both it does
 * nothing, whatever else the node holds: the write is answered EAGAIN
 * after its retries, with nothing reclaimed, anonymous memory and swap
 * notwithstanding. What counts as reclaimable page cache depends on
 * zone_reclaim_mode: without RECLAIM_UNMAP (4) the file LRU pages less the
 * mapped ones, without RECLAIM_WRITE (2) less the dirty ones
 * (node_pagecache_reclaimable()). Checked on Debian's 6.18 by the VM
 * scenario `node-file-gate`; target_node_file_gated() (core/target.h)
 * applies it to a zoneinfo snapshot.
 */

#include <stdbool.h>
#include <stddef.h>

#include "reread.h"

#define NODE_RECLAIM_RECLAIM_WRITE 2u /* zone_reclaim_mode: write dirty pages */
#define NODE_RECLAIM_RECLAIM_UNMAP 4u /* zone_reclaim_mode: unmap mapped pages */

struct node_reclaim_limits {
	bool known;                  /* all three were read */
	unsigned min_unmapped_ratio; /* percent of each zone's managed pages */
	unsigned min_slab_ratio;     /* percent of each zone's managed pages */
	unsigned zone_reclaim_mode;  /* RECLAIM_* bits */
};

/* "N\n" as the three sysctls print it: 0, or -EINVAL (*ret untouched). */
int node_reclaim_parse_value(const char *buf, size_t len, unsigned *ret);

/* Kept-open sysctl files (root-relative), re-read without allocating. */
struct node_reclaim_reader {
	struct reread_file files[3];
};

/* Opens all three; -ENOENT etc. where one is missing (a kernel without
 * CONFIG_NUMA has none), with nothing left open. */
int node_reclaim_reader_open(const char *root, struct node_reclaim_reader *ret);
/* All three into *ret (known set); a negative errno, *ret untouched, if
 * any read or parse fails. */
int node_reclaim_reader_read(struct node_reclaim_reader *r, struct node_reclaim_limits *ret);
void node_reclaim_reader_close(struct node_reclaim_reader *r);
