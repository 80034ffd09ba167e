/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Userspace watermarks (PURE: no I/O, no clock, no threads).
 *
 * The kernel's kswapd wakes when an allocation misses a zone's `low` mark and
 * sleeps once one eligible zone is above `high`. reclaimd wants to act first,
 * so each zone gets two marks above the kernel's:
 *
 *	headroom = CLAMP(managed * headroom_permyriad / 10000,
 *			 headroom_min_bytes, headroom_max_bytes)   (in pages)
 *	ulow     = kernel high + headroom
 *	uhigh    = ulow + headroom / 2
 *
 * Reclaimd wakes when every eligible zone is below ulow and stops once one
 * eligible zone is at or above uhigh. The band between them (headroom / 2) is
 * the hysteresis: each run frees at least that much, so runs are not issued
 * for a few pages at a time.
 *
 * /proc/zoneinfo prints min/low/high through *_wmark_pages(), which add
 * zone->watermark_boost: the `high` we build on already includes the kernel's
 * boost, exactly as pgdat_balanced() sees it.
 *
 * Defaults (WATERMARK_HEADROOM_*_DEFAULT): 50 permyriad (0.5%) of managed,
 * at least 8 MiB, at most 1 GiB per zone. Worked out:
 *   - 1 GiB VM, DMA32 managed ~ 240000 pages (937 MiB): 0.5% = 4.7 MiB, so
 *     the 8 MiB floor applies: kernel high ~ 1500 pages (5.9 MiB, with
 *     min_free_kbytes ~ 4 MiB), ulow ~ 13.9 MiB, uhigh ~ 17.9 MiB: reclaimd
 *     keeps about 2% of the VM free, 8 MiB ahead of the kernel's kswapd.
 *   - 1 TiB host, Normal managed ~ 268M pages: 0.5% = 5.1 GiB, so the 1 GiB
 *     cap applies: kernel high ~ 2.3 GiB (min_free_kbytes capped at 256 MiB
 *     plus watermark_scale_factor 10 = 0.1% gaps), ulow ~ 3.3 GiB, uhigh ~
 *     3.8 GiB: 0.37% of the host, 1 GiB ahead of the kernel.
 * The floor keeps small machines from waking for a handful of pages; the cap
 * keeps big machines from holding gigabytes idle.
 */

#include <stdbool.h>
#include <stdint.h>

#include "zoneinfo.h"

#define WATERMARK_HEADROOM_PERMYRIAD_DEFAULT 50u
#define WATERMARK_HEADROOM_MIN_BYTES_DEFAULT (UINT64_C(8) << 20)
#define WATERMARK_HEADROOM_MAX_BYTES_DEFAULT (UINT64_C(1) << 30)
/* The monitor re-reads /proc/zoneinfo (95 µs a pread of the 5 KiB file on
 * this one-node 6.18 host, growing with nodes and CPUs) at most every 20 ms
 * when free memory is at the low mark (0.5% of a CPU), and once a second when
 * it is twice as high or more. */
#define WATERMARK_INTERVAL_MIN_USEC_DEFAULT (UINT64_C(20) * 1000)
#define WATERMARK_INTERVAL_MAX_USEC_DEFAULT (UINT64_C(1000) * 1000)
/* The kernel's PAGE_SIZE on x86-64; the manager sets the real one. */
#define WATERMARK_PAGE_SIZE_DEFAULT 4096u

/* "No zone requested" in a wake request: the kernel's MAX_NR_ZONES. */
#define WATERMARK_ZONEIDX_NONE ZONEINFO_MAX_ZONES
/* Every zone the node has is eligible. */
#define WATERMARK_ZONEIDX_ALL (ZONEINFO_MAX_ZONES - 1)

struct watermark_params {
	uint32_t headroom_permyriad;  /* of managed, 0..10000 */
	uint64_t headroom_min_bytes;  /* floor per zone */
	uint64_t headroom_max_bytes;  /* cap per zone, >= floor */
	uint64_t interval_min_usec;   /* monitor, at the low mark */
	uint64_t interval_max_usec;   /* monitor, far above it */
	uint64_t page_size;           /* bytes, sysconf(_SC_PAGESIZE) */
	/* The engine's pacing lead (balance.h: struct balance_pace), pages
	 * added to both userspace marks of every zone, at most
	 * WATERMARK_PACE_MAX_HEADROOMS headrooms of the zone. 0 from the
	 * config; the engine sets it per node from the measured consumption. */
	uint64_t pace_pages;
};

/* The pacing lead is capped per zone at this many headrooms. */
#define WATERMARK_PACE_MAX_HEADROOMS 4u

struct zone_watermarks {
	uint64_t headroom; /* pages */
	uint64_t pace;     /* pages: MIN(pace_pages, 4 headrooms) */
	uint64_t low;      /* pages: kernel high + headroom + pace */
	uint64_t high;     /* pages: low + headroom / 2 */
};

void watermark_params_init(struct watermark_params *p);
/* -EINVAL naming nothing: the caller logs which field it set. Returns 0 if
 * the params are usable (permyriad <= 10000, min <= max, page size a power
 * of two, 0 < interval_min <= interval_max). */
int watermark_params_validate(const struct watermark_params *p);

uint64_t watermark_headroom_pages(const struct zone_stat *z,
				  const struct watermark_params *p);
void watermark_zone(const struct zone_stat *z, const struct watermark_params *p,
		    struct zone_watermarks *ret);

/* managed_zone() and i <= highest_zoneidx. */
bool watermark_zone_eligible(const struct zone_stat *z, unsigned idx,
			     unsigned highest_zoneidx);
/* lowmem_reserve[highest_zoneidx] ("protection:"), 0 if not printed. */
uint64_t watermark_zone_protection(const struct zone_stat *z,
				   unsigned highest_zoneidx);

/* free >= userspace high + protection[highest_zoneidx]. */
bool watermark_zone_balanced(const struct zone_stat *z, unsigned highest_zoneidx,
			     const struct watermark_params *p);
/* pgdat_balanced(): at least one eligible zone balanced; a node without an
 * eligible managed zone needs no balancing by definition (as in the kernel). */
bool watermark_node_balanced(const struct node_zoneinfo *n,
			     unsigned highest_zoneidx,
			     const struct watermark_params *p);
/* Pages to free to balance the node: the smallest deficit of an eligible
 * zone to its high mark (+ protection); 0 when balanced. */
uint64_t watermark_node_deficit(const struct node_zoneinfo *n,
				unsigned highest_zoneidx,
				const struct watermark_params *p);
/* The per-CPU list room (zone_stat.pcp_room) of that zone, the one
 * watermark_node_deficit() measures: pages a reclaim on the CPU it was
 * read for frees into that list before "pages free" rises. 0 when the
 * node is balanced or the room was not read. */
uint64_t watermark_node_pcp_room(const struct node_zoneinfo *n, unsigned highest_zoneidx,
				 const struct watermark_params *p);
/* pgdat_balanced() against the kernel's own high marks (zoneinfo `high` +
 * protection): the node's kswapd, were it awake, would stop here. Above
 * these marks a pass is proactive: the kernel alone would not reclaim, so
 * it would not swap (balance.c: swap_reason()) and the system brake stops
 * such a pass (actuator.c). True for a node without an eligible managed
 * zone. */
bool watermark_node_kernel_balanced(const struct node_zoneinfo *n,
				    unsigned highest_zoneidx);
/* Pages the node lacks to those marks: the smallest deficit of an eligible
 * zone, what the node's kswapd would reclaim now; 0 when kernel-balanced. */
uint64_t watermark_node_kernel_deficit(const struct node_zoneinfo *n,
				       unsigned highest_zoneidx);
/* The allocator's fast path would fail: every eligible zone is below its
 * userspace low mark (+ protection). What makes the monitor wake the node.
 * False for a node without eligible zones. */
bool watermark_node_below_low(const struct node_zoneinfo *n,
			      unsigned highest_zoneidx,
			      const struct watermark_params *p);

/*
 * The monitor's next re-read, in µs. With m = low + protection of the eligible
 * zone with the most free memory above its low mark and d = its free - m
 * (0 if below):
 *	interval = min + (max - min) * MIN(d, m) / m
 * so the interval is interval_min at (or below) the low mark and rises
 * linearly to interval_max at twice the low mark. A node without eligible
 * zones gets interval_max.
 */
uint64_t watermark_monitor_interval_usec(const struct node_zoneinfo *n,
					 unsigned highest_zoneidx,
					 const struct watermark_params *p);
/* The same interval by the kernel's own high marks (no headroom, no pacing
 * lead): how the monitor watches a node whose thread only waits for it to
 * fall below those (kswapd.h: kswapd_backing_off()). */
uint64_t watermark_kernel_monitor_interval_usec(const struct node_zoneinfo *n,
						unsigned highest_zoneidx,
						const struct watermark_params *p);
