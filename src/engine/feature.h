/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * What this kernel and host offer the actuators, probed once at start-up and
 * shown by --inspect and `reclaimctl status`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memstat.h"

struct json_object;

struct features {
	bool cgroup2_memory;       /* a cgroup2 mount with the memory controller */
	char cgroup2_mount[4096];
	bool memory_reclaim;       /* memory.reclaim at its root (5.19+) */
	bool reclaim_swappiness;   /* "swappiness=" accepted (6.8+) */
	bool swappiness_probed;    /* false: not probed (dry run, no file) */
	bool node_reclaim;         /* /sys/devices/system/node/nodeN/reclaim (6.17+) */
	uint64_t node_reclaim_mask; /* nodes that have it */
	bool swap;                 /* swap configured and not full */
	uint64_t swap_total_bytes, swap_free_bytes;
	bool swap_compressed;      /* a zram device in /proc/swaps, or zswap on */
	bool psi;                  /* /proc/pressure/memory readable */
	/* /proc/sys/vm/compaction_proactiveness exists (5.9+): kcompactd
	 * compacts a fragmented node by itself (compact.h). */
	bool proactive_compaction;
};

struct feature_config {
	const char *root;         /* --root prefix */
	const char *cgroup_mount; /* from cgroup_discover(), NULL = none */
	/* Probe "swappiness=" with a 4 KiB write to the root cgroup's
	 * memory.reclaim (or node 0's reclaim file): the only way to ask, and
	 * it reclaims at most 4 KiB. Off in dry-run mode. */
	bool probe_write;
};

int feature_probe(const struct feature_config *cfg, struct features *ret);

/* The swap part alone, from /proc/meminfo text (pure). */
int feature_parse_meminfo_swap(const char *buf, size_t len, uint64_t *ret_total,
				uint64_t *ret_free);

/*
 * /proc/swaps ("Filename Type Size Used Priority" header, then one line per
 * swap area): true when an area is a zram device ("/dev/zram*"), whose
 * swap-out is a compression in memory, not a disk write (pure).
 */
bool feature_parse_swaps_zram(const char *buf, size_t len);

/* "cgroup2-memory=yes memory.reclaim=yes swappiness=yes node-reclaim=0,1 ..." */
char *feature_to_string(const struct features *f, char *buf, size_t size);
/* A json-c object (new reference), NULL on OOM. */
struct json_object *feature_to_json(const struct features *f);

/*
 * NULL when at least one reclaim path exists; otherwise one message saying
 * what is missing and what to do (the daemon logs it once; with --dry-run it
 * still runs and reports decisions).
 */
const char *feature_missing(const struct features *f);

/* Whether a write of "BYTES swappiness=N" may be used. */
static inline bool feature_can_swappiness(const struct features *f)
{
	return f->reclaim_swappiness;
}
