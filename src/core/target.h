/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Target choice, pure (no I/O, no clock): given a node's deficit and the
 * candidate cgroups' node-local state, how many bytes to ask of each cgroup's
 * memory.reclaim. Used where the per-node reclaim file is absent (before
 * about 6.17) and for the soft-target pass (mem_cgroup_soft_limit_reclaim()).
 *
 * memory.reclaim cannot target a node (its nodes= argument was reverted), so
 * a cgroup write reclaims from all of the cgroup's nodes; the shares are in
 * proportion to node-local reclaimable memory so that most of what is taken
 * comes from the node in deficit.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodereclaim.h"
#include "offload.h"
#include "zoneinfo.h"

/* Weight= is relative; 100 is "normal" as in cgroup v2's io.weight. */
#define TARGET_WEIGHT_DEFAULT 100u
#define TARGET_WEIGHT_MAX 10000u
/* slack_permyriad's full scale: at it, twice the weight. */
#define TARGET_SLACK_PERMYRIAD_MAX 10000u

/* Per-cgroup configuration: the [CGroup PATTERN] sections that apply to a
 * cgroup (conf_cgroup_policy_resolve()), as target_spread() and offload follow it. */
struct cgroup_policy {
	uint64_t floor_bytes;         /* Floor=: never reclaim below */
	uint64_t soft_target_bytes;   /* SoftTarget=, 0 = none */
	uint64_t pressure_limit_usec; /* PressureLimit= per brake window, 0 = default */
	unsigned weight;              /* Weight=, 0 = default (100) */
	bool protect;                 /* Protect=: never reclaimed */
	bool offload;                 /* Offload= */
	struct offload_params offload_params; /* OffloadPressure=, ...Interval=, ...MaxStep= */
	int offload_swappiness;       /* OffloadSwappiness= resolved: 0..200 or
				       * SWAPPINESS_KERNEL_DEFAULT (-1) */
};

struct target_candidate {
	/* inputs */
	uint64_t node_file_bytes;  /* memory.numa_stat file_N */
	uint64_t node_anon_bytes;  /* memory.numa_stat anon_N */
	uint64_t current_bytes;    /* memory.current */
	uint64_t floor_bytes;      /* max(memory.min, memory.low, Floor=) */
	uint64_t conf_floor_bytes; /* Floor= alone: the kernel knows nothing of
				    * it (memory.min/low it applies itself in
				    * node reclaim) */
	uint64_t soft_target_bytes; /* SoftTarget=, 0 = none */
	unsigned weight;           /* Weight=, 1..TARGET_WEIGHT_MAX */
	bool protect;              /* Protect=: never reclaimed */
	bool skip;                 /* braked, gone, or otherwise excluded */
	bool paused;               /* memory on a paused node other than the
				    * pass's (offload_paused_by()): its
				    * memory.reclaim would take from that node
				    * too, so it is planned nothing. Not a
				    * policy: the node file is node-bound and
				    * spares the paused node by itself. */
	unsigned slack_permyriad;  /* Offload=yes: how far below its stall
				    * target (offload_slack_permyriad()),
				    * 0..TARGET_SLACK_PERMYRIAD_MAX; scales
				    * the weight by 1 + slack. Not a policy. */
	/* output */
	uint64_t amount_bytes;     /* what to ask memory.reclaim for */
	uint64_t room_bytes;       /* scratch: target_room(), cached */
	double room_weighted;      /* scratch: room_bytes x weight x (1 + slack) */
	unsigned reach;            /* scratch: target_reach() */
};

struct target_params {
	bool may_swap;            /* swap usable and the pass allows swap */
	uint64_t min_write_bytes; /* shares below this are dropped (a write
				   * costs a syscall and a reclaim setup) */
	/* A node pass (a balance run's, or an operator's `reclaim node` at
	 * DEF_PRIORITY): its priority (DEF_PRIORITY .. 1), from which
	 * target_spread() descends to the first that reaches enough room
	 * (target_reach()). 0: every candidate is reached. */
	int priority;
	uint64_t page_bytes;      /* the LRU's unit for target_reach(); 0: 4096 */
};

/* What a candidate can give for this node without going below its floor;
 * nothing when protected, skipped or paused. */
uint64_t target_room(const struct target_candidate *c, const struct target_params *p);

/*
 * The highest priority at which the kernel's reclaim of the node would scan
 * the candidate at all, 0..DEF_PRIORITY: get_scan_count() asks each memcg's
 * LRU list for size >> priority pages, so at DEF_PRIORITY a memcg with
 * under 4096 pages (16 MiB) of a type on the node gives nothing, at 9
 * under 512 (2 MiB), and a small memcg is reclaimed only once the priority
 * has dropped because the large ones did not cover the deficit. Here the
 * size is the candidate's node-local file (anon too when the pass may
 * swap, the larger of the two types), in page_bytes pages, scaled by
 * weight x (1 + slack) relative to the default: Weight=1000 reaches as ten
 * times the pages would. Pure.
 */
unsigned target_reach(const struct target_candidate *c, const struct target_params *p);

/*
 * Spread deficit_bytes over the candidates in proportion to weight x
 * node-local reclaimable, each capped by its room; what a capped candidate
 * cannot take is offered once more to the others. Sets every amount_bytes;
 * returns the total planned (<= deficit_bytes).
 *
 * An offload cgroup far below its stall target loses least by giving
 * (issue 18: "a node deficit prefers cgroups whose pressure is far below
 * target"): its weight is scaled by 1 + slack, at most 2x, inside the same
 * proportional spread (and in its reach, below, as Weight= is). A factor,
 * not an order: Weight= keeps its meaning
 * (10000:1 outweighs 2x), every share stays in proportion to room and
 * capped by it, so a pass never drains a cgroup to its floor for its
 * slack; Protect=, the floors and skip bound it as any other.
 *
 * With p->priority set (a node pass), only the candidates reached at the
 * highest priority from it down whose reached room covers the deficit
 * share it (target_reach()): the large cgroups give first, and a small
 * service's pages (a daemon's mapped code, a client's libraries) are asked
 * for only when the large ones cannot cover the pass. A policy, with the
 * kernel's scan thresholds: the kernel's own reclaim reaches small memcgs
 * too but takes only their cold pages, where memory.reclaim asked of a
 * small cgroup takes what it is asked whatever its age. Spread by size
 * alone, the small ones gave their share of every pass (issue 15;
 * docs/design.md "Which cgroups a pass takes from"). If shares below
 * MinWrite= leave the plan short, it is made again over everyone: a
 * priority never plans less than the spread without one.
 */
uint64_t target_spread(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
		       const struct target_params *p);

/* target_spread(), and the priority whose reached candidates the plan ran
 * over (0: every one) in *ret_priority. */
uint64_t target_spread_at(struct target_candidate *c, size_t n, uint64_t deficit_bytes,
			  const struct target_params *p, unsigned *ret_priority);

/*
 * Soft-target pass: each candidate above its soft target gives the excess
 * (down to the soft target, never below its floor nor beyond its node-local
 * reclaimable), until limit_bytes is planned. Returns the total planned.
 */
uint64_t target_soft(struct target_candidate *c, size_t n, uint64_t limit_bytes,
		     const struct target_params *p);

/*
 * Which interface serves a node pass (SHRINK_NODE, for the engine and for an
 * operator's `reclaimctl reclaim node N`).
 *
 * The per-node reclaim file (6.17+) reclaims from the node alone but knows
 * nothing of reclaimd's cgroup policy: it would take from a Protect=yes
 * cgroup, below a Floor=, past a Weight= or a SoftTarget=, and from a cgroup
 * whose pressure brake is on. So wherever any such policy applies to memory
 * on the node, the pass is spread over the candidates with memory.reclaim,
 * which honours every one of them; the node file serves only a node no
 * policy covers, where it is exact (it reclaims from that node only) and
 * cheaper (one write instead of one per cgroup).
 *
 * memory.min and memory.low are not reclaimd's policy but the kernel's
 * protection, and the kernel applies them itself in node reclaim: the node
 * file runs __node_reclaim(), which skips a memcg below its effective
 * memory.min always, and one below its effective memory.low as the
 * kernel's kswapd does (the classic LRU skips it, never retrying with
 * memcg_low_reclaim; MGLRU's shrink_one() reclaims it once it has reached
 * the tail of the memcg LRU, with a MEMCG_LOW event). So they keep no pass
 * off the node file: it treats them as the kernel's own reclaim of the
 * node does, limited by the ancestors' protection as the kernel defines
 * it (systemd.resource-control(5): a MemoryMin= needs the same on every
 * ancestor slice). memory.reclaim written to a cgroup is
 * different: the kernel does not apply the written cgroup's own
 * protection, so target.c never asks a cgroup below its memory.min or
 * memory.low as set (floor_bytes). Otherwise every systemd host, where
 * systemd-oomd.service ships MemoryMin=64M, would never use the node file.
 * A dry run chooses exactly as a real run does, so that what it reports is
 * what a real run would write.
 */
enum target_backend {
	TARGET_BACKEND_NONE,      /* neither interface: -EOPNOTSUPP */
	TARGET_BACKEND_NODE_FILE, /* /sys/devices/system/node/nodeN/reclaim */
	TARGET_BACKEND_CGROUPS,   /* memory.reclaim spread by target_spread() */
	_TARGET_BACKEND_MAX,
};

const char *target_backend_to_string(enum target_backend b);

struct target_backend_input {
	bool node_file;        /* nodeN/reclaim is open */
	bool cgroups;          /* cgroup v2 memory.reclaim candidates exist */
	bool avoid_node_file;  /* configuration: always spread */
	bool policy_on_node;   /* target_policy_on_node() */
	bool node_file_stalled; /* target_node_file_stalled() earlier in this run */
};

enum target_backend target_choose_backend(const struct target_backend_input *in);

/*
 * Whether the node file would reclaim nothing on node n, by the kernel's own
 * test before it shrinks a node (nodereclaim.h, __node_reclaim()): its
 * reclaimable page cache at or below min_unmapped_pages and its reclaimable
 * slab at or below min_slab_pages, each the sum over the node's zones of
 * managed * ratio / 100. Such a write takes nothing and is answered EAGAIN
 * after its retries, the last of which drains every CPU's LRU batches, so
 * a pass goes to memory.reclaim at once, as after that answer
 * (docs/design.md, "When the node file falls short"). False where the
 * limits or the node's LRU lines are unknown: the write decides.
 */
bool target_node_file_gated(const struct node_reclaim_limits *l, const struct node_zoneinfo *n);

/*
 * Whether the node file fell short in a pass: a write answered EAGAIN,
 * the kernel's own word that user_proactive_reclaim() gave up after its
 * sweep from DEF_PRIORITY down and its retries. A write answered in full
 * reclaimed what it asked, some of it perhaps slab, which pgsteal does not
 * count: nothing measured is no evidence.
 *
 * At any priority and swappiness. On 6.18 with MGLRU, four cgroups held
 * 32 MiB of read-once page cache each on node 0: three node0/reclaim
 * writes of "16M swappiness=0" took from two of them, never from the other
 * two, and the third answered EAGAIN; memory.reclaim on one of the two
 * then took 16 MiB at once (the lru_gen debugfs showed their generations
 * aged some 40 times by those writes, their pages kept). And with swap
 * allowed the node file reclaimed 0 bytes from a node whose reclaimable
 * memory was anonymous, where memory.reclaim on the cgroups swaps (the
 * kernel's node-reclaim minimums: target_node_file_gated() above). The
 * rest of the pass and of the run is then spread over memory.reclaim
 * (node_file_stalled above; docs/design.md, "When the node file falls
 * short").
 */
struct target_node_file_pass {
	unsigned nr_writes;
	unsigned nr_partial;   /* writes answered EAGAIN */
};

bool target_node_file_stalled(const struct target_node_file_pass *p);

/* Whether a candidate carries a policy of reclaimd's: Protect=, Floor=,
 * SoftTarget=, a Weight= other than the default, or skip (its pressure
 * brake is on). Not memory.min or memory.low: the kernel's own, applied by
 * the kernel in node reclaim (above). Not slack_permyriad: offload's
 * slack weighs the shares of a pass some policy already spreads over
 * memory.reclaim; alone it must not move a pass off the node file, which
 * is node-bound, onto memory.reclaim, which also takes from the cgroup's
 * other nodes. Nor paused, for the same reason: the node file is what
 * spares a paused node best. */
bool target_has_policy(const struct target_candidate *c);
/* Whether a policy covers memory on the node the candidates were collected
 * for: any guarantee (Protect=, Floor=, an engaged brake) anywhere, since
 * numa_stat cannot prove a cgroup has no page on the node; a preference
 * (Weight=, SoftTarget=) where its cgroup has memory (file or anon) there. */
bool target_policy_on_node(const struct target_candidate *c, size_t n);
