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
#include "zoneinfo.h"

#define BUDDYINFO_MAX_ORDERS 16
#define BUDDYINFO_MAX_NODES 64

#define BUDDYINFO_MAX_ZONES 8
#define BUDDYINFO_ZONE_NAME_MAX 16

struct buddyinfo_zone {
	char name[BUDDYINFO_ZONE_NAME_MAX]; /* "Normal" */
	uint64_t free_pages;                /* sum of count << order */
};

struct buddyinfo_node {
	int id;
	unsigned n_orders;                       /* the longest zone line */
	uint64_t free_blocks[BUDDYINFO_MAX_ORDERS]; /* summed over the zones */
	unsigned n_zones;
	struct buddyinfo_zone zones[BUDDYINFO_MAX_ZONES];
};

struct buddyinfo {
	unsigned n_nodes;
	struct buddyinfo_node nodes[BUDDYINFO_MAX_NODES];
};

/* Returns 0, or -EINVAL on malformed input (a line that is not "Node N,
 * zone NAME COUNT...", more than BUDDYINFO_MAX_ORDERS counts, more than
 * BUDDYINFO_MAX_NODES nodes or BUDDYINFO_MAX_ZONES zones in one, a zone
 * name longer than zoneinfo's, a zone twice in a node); *ret untouched on
 * failure. */
int buddyinfo_parse(const char *buf, size_t len, struct buddyinfo *ret);

/* The node's entry, or NULL. */
const struct buddyinfo_node *buddyinfo_node(const struct buddyinfo *b, int id);
/* Free pages of the node (sum of count << order; saturating). */
uint64_t buddyinfo_free_pages(const struct buddyinfo_node *n);
/* Free pages of the node's zone called name; -ENOENT where there is no
 * such line (buddyinfo lists populated zones only). */
int buddyinfo_zone_free_pages(const struct buddyinfo_node *n, const char *name,
			      uint64_t *ret_pages);
/* Each zone of zi with managed pages gets its free pages from n, matched
 * by name (reclaim_backend zone_free(): the rest of zi stays as its last
 * zoneinfo snapshot left it). -ENOENT, zi untouched, where a zone with
 * managed pages has no line in n. */
int buddyinfo_zone_free_into(const struct buddyinfo_node *n, struct node_zoneinfo *zi);
/* Free pages in blocks of order >= min_order (saturating). */
uint64_t buddyinfo_free_pages_from(const struct buddyinfo_node *n, unsigned min_order);

/* A kept-open /proc/buddyinfo (root-relative), re-read without allocating. */
struct buddyinfo_reader {
	struct reread_file file;
};

int buddyinfo_reader_open(const char *root, struct buddyinfo_reader *ret);
int buddyinfo_reader_read(struct buddyinfo_reader *r, struct buddyinfo *ret);
void buddyinfo_reader_close(struct buddyinfo_reader *r);
