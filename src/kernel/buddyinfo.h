/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * /proc/buddyinfo: free blocks per order, per zone (mm/vmstat.c
 * frag_show_print()):
 *
 *	Node 0, zone   Normal  31769  10945   5003 ...   532
 *
 * one line per populated zone, "Node" NID "," "zone" NAME, then the count
 * of free blocks of order 0, 1, ... NR_PAGE_ORDERS - 1 (11 on x86-64;
 * CONFIG_ARCH_FORCE_MAX_ORDER changes it). A block of order o is 2^o pages.
 *
 * What the compaction decision needs per node: free pages, and free pages
 * in blocks of at least a given order (the pageblock order, 9 on x86-64
 * with 4 KiB pages: a THP).
 */

#include <stdint.h>
#include <stddef.h>

#include "reread.h"

#define BUDDYINFO_MAX_ORDERS 16
#define BUDDYINFO_MAX_NODES 64

struct buddyinfo_node {
	int id;
	unsigned n_orders;                       /* the longest zone line */
	uint64_t free_blocks[BUDDYINFO_MAX_ORDERS]; /* summed over the zones */
};

struct buddyinfo {
	unsigned n_nodes;
	struct buddyinfo_node nodes[BUDDYINFO_MAX_NODES];
};

/* Returns 0, or -EINVAL on malformed input (a line that is not "Node N,
 * zone NAME COUNT...", more than BUDDYINFO_MAX_ORDERS counts, more than
 * BUDDYINFO_MAX_NODES nodes); *ret untouched on failure. */
int buddyinfo_parse(const char *buf, size_t len, struct buddyinfo *ret);

/* The node's entry, or NULL. */
const struct buddyinfo_node *buddyinfo_node(const struct buddyinfo *b, int id);
/* Free pages of the node (sum of count << order; saturating). */
uint64_t buddyinfo_free_pages(const struct buddyinfo_node *n);
/* Free pages in blocks of order >= min_order (saturating). */
uint64_t buddyinfo_free_pages_from(const struct buddyinfo_node *n, unsigned min_order);

/* A kept-open /proc/buddyinfo (root-relative), re-read without allocating. */
struct buddyinfo_reader {
	struct reread_file file;
};

int buddyinfo_reader_open(const char *root, struct buddyinfo_reader *ret);
int buddyinfo_reader_read(struct buddyinfo_reader *r, struct buddyinfo *ret);
void buddyinfo_reader_close(struct buddyinfo_reader *r);
