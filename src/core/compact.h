/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * When to compact a node (PURE: the clock is passed in). The seed's
 * compaction step: balance_pgdat() wakes kcompactd after a boosted run
 * ("As there is now likely space, wakeup kcompact to defragment
 * pageblocks": wakeup_kcompactd(pgdat, pageblock_order, ...)), and
 * kswapd_try_to_sleep() wakes it for the allocation order when the node can
 * sleep. Userspace has /sys/devices/system/node/nodeN/compact (a full,
 * synchronous compaction of the node's zones: 0.22 s on this 24 GiB host)
 * and /proc/buddyinfo.
 *
 * Compact a node after a run that balanced it and either
 * - paid a kernel watermark boost (the kernel boosts the watermarks on a
 *   fragmentation event: an allocation fell back to another migratetype), or
 * - left its free memory fragmented: less than COMPACT_FREE_HIGH_ORDER_PERCENT
 *   of the free pages in blocks of COMPACT_ORDER or more. That is the
 *   kernel's own proactive-compaction mark (fragmentation_score_wmark(),
 *   high = 100 - vm.compaction_proactiveness + 10 = 90 at the default 20: a
 *   score above 90% of free memory outside huge-page blocks starts
 *   kcompactd). Only on a kernel without proactive compaction (before
 *   5.9: no vm.compaction_proactiveness), which in practice is a dry run
 *   there or a --root tree without the file: reclaimd writes on 5.19+
 *   only. Where the kernel has it and it is not 0, kcompactd checks every
 *   node twice a second and compacts one above its mark itself, stopping
 *   at its low mark, unless the node's kswapd is running
 *   (should_proactive_compact_node()) or it deferred after a compaction
 *   that did not lower the score (proactive_defer: 64 checks): beside
 *   reclaimd, kswapd mostly sleeps, so the kernel already does this work,
 *   lighter than a whole-node write; at vm.compaction_proactiveness=0 the
 *   operator turned it off.
 * A node that is not balanced is not compacted: "if reclaim cannot keep an
 * eligible zone balanced ... it's also unlikely that compaction will
 * succeed" (kswapd_try_to_sleep()). At most one compaction per
 * COMPACT_INTERVAL_USEC_DEFAULT per node, whatever the reason: a full node
 * compaction is a whole-node scan, and kcompactd keeps doing the fine work.
 */

#include <stdbool.h>
#include <stdint.h>

/* pageblock_order on x86-64 with 4 KiB pages (HPAGE_PMD_ORDER): a THP. */
#define COMPACT_ORDER 9u
/* 100 - the kernel's proactive-compaction high mark (90, see above). */
#define COMPACT_FREE_HIGH_ORDER_PERCENT 10u
/* One full node compaction a minute at most: 0.22 s per 24 GiB is 0.4% of
 * a CPU at that pace, and kcompactd runs in between. */
#define COMPACT_INTERVAL_USEC_DEFAULT (UINT64_C(60) * 1000000)

enum compact_reason {
	COMPACT_NONE,
	COMPACT_BOOST,       /* the run paid a kernel watermark boost */
	COMPACT_FRAGMENTED,  /* high-order free blocks below the mark */
	_COMPACT_REASON_MAX,
};

const char *compact_reason_to_string(enum compact_reason r);

struct compact_input {
	bool balanced;             /* the run ended balanced */
	bool kernel_boost_paid;    /* the run paid a kernel boost */
	/* The kernel compacts fragmented nodes itself (proactive compaction):
	 * no COMPACT_FRAGMENTED. */
	bool kernel_compacts_fragmented;
	bool have_blocks;          /* the two counts below are known */
	uint64_t free_pages;       /* buddyinfo: the node's free pages */
	uint64_t high_order_pages; /* free pages in blocks >= COMPACT_ORDER */
};

struct compact_state {
	uint64_t last_usec;        /* last compaction decided, 0 = never */
	uint64_t interval_usec;    /* 0: COMPACT_INTERVAL_USEC_DEFAULT */
};

/* Whether free memory is fragmented by the mark above (false without
 * counts, or with no free memory). */
bool compact_fragmented(const struct compact_input *in);

/* The decision; a reason other than COMPACT_NONE records now_usec. */
enum compact_reason compact_decide(struct compact_state *s, const struct compact_input *in,
				   uint64_t now_usec);
