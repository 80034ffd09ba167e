/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * NUMA topology from sysfs: which nodes are online and which CPUs each has.
 * Lists use the kernel's list format ("0-3,8,10-11", bitmap_print_to_pagebuf
 * with list=true, i.e. "%*pbl"), as in /sys/devices/system/node/online and
 * nodeN/cpulist.
 */

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoneinfo.h"

/* NR_CPUS is 8192 in Debian's kernels; MAX_NUMNODES is 1024. */
#define TOPOLOGY_MAX_CPUS    8192
#define TOPOLOGY_MAX_NODE_ID 1024
#define TOPOLOGY_WORDS(bits) (((bits) + 63) / 64)
/* Longest text topology_format_list() writes for 8192 ids: alternate ids
 * ("0,2,4,...") take at most 5 bytes each. */
#define TOPOLOGY_LIST_MAX (TOPOLOGY_MAX_CPUS / 2 * 6 + 1)

/*
 * Parse a list ("", "5", "0-3,8,10-11", optionally ending in '\n', the
 * whole of len bytes) into a bitmap of n_bits bits (n_words =
 * TOPOLOGY_WORDS(n_bits) words), cleared first. Ranges must ascend within
 * themselves (a <= b); ids must be < n_bits (-ERANGE otherwise). The kernel
 * prints neither blanks nor the "a-b:g/w" stride groups that
 * bitmap_parselist() accepts, so both are -EINVAL. Returns the number of ids
 * set; bitmap untouched on failure.
 */
int topology_parse_list(const char *buf, size_t len, uint64_t *bitmap, unsigned n_bits);

/* The inverse: "0-3,8" into buf; -ENOSPC when it does not fit. */
int topology_format_list(const uint64_t *bitmap, unsigned n_bits, char *buf, size_t size);

static inline bool topology_test_bit(const uint64_t *bitmap, unsigned bit)
{
	return (bitmap[bit / 64] >> (bit % 64)) & 1;
}

struct topology_node {
	int id;
	unsigned n_cpus; /* 0 for a CPU-less node (memory only, CXL) */
	uint64_t cpus[TOPOLOGY_WORDS(TOPOLOGY_MAX_CPUS)];
};

struct topology {
	unsigned n_nodes;
	struct topology_node nodes[ZONEINFO_MAX_NODES];
};

/*
 * Discover online nodes and their CPUs under root ("" or "/" for the real
 * system): root/sys/devices/system/node/online and nodeN/cpulist. Kernels
 * without CONFIG_NUMA have no node directory: then one node 0 with the CPUs
 * of root/sys/devices/system/cpu/online. -E2BIG past ZONEINFO_MAX_NODES
 * online nodes; *ret untouched on failure. Start-up only: it opens files.
 */
int topology_discover(const char *root, struct topology *ret);

const struct topology_node *topology_node(const struct topology *t, int node_id);

/* Fill a CPU set of setsize bytes (CPU_ALLOC_SIZE) for sched_setaffinity /
 * pthread_setaffinity_np; -ERANGE when a CPU does not fit in it. */
int topology_node_cpuset(const struct topology_node *n, cpu_set_t *set, size_t setsize);
