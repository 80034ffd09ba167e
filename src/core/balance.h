/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * balance_pgdat() as a state machine (PURE: no I/O, no clock reads, no
 * threads; the clock is passed in).
 *
 * The node thread (kswapd.c) steps through one run:
 *
 *	balance_begin(b, p, snapshot, highest_zoneidx, now);
 *	while (balance_next(b, p, snapshot, &req) > 0) {
 *		r = backend->shrink(userdata, &req, &res);
 *		balance_account(b, p, &req, r < 0 ? NULL : &res);
 *		if (paused || stopping) { balance_interrupt(b); break; }
 *		backend->snapshot(userdata, node, snapshot);
 *	}
 *	balance_end(b, p, now, &result);
 *
 * Every branch of the seed's balance_pgdat() is in balance.c under the name
 * of the kernel's variable or helper (nr_boost_reclaim, boosted,
 * raise_priority, restart, out). docs/design.md maps them line by line.
 */

#include <stdbool.h>
#include <stdint.h>

#include "histogram.h"

#include "backend.h"
#include "compact.h"
#include "watermark.h"
#include "zoneinfo.h"

/* The kernel's sc.priority range: a pass scans lru >> priority. */
#define DEF_PRIORITY 12
/* pgdat->kswapd_failures at which kswapd gives the node up. */
#define MAX_RECLAIM_RETRIES 16
/* The smallest batch the kernel reclaims (SWAP_CLUSTER_MAX, pages). */
#define BALANCE_CLUSTER_PAGES 32u

/* Per-pass cap: 256 MiB is about 100 ms of memory.reclaim work at the
 * 2-3 GiB/s seen for clean file pages, so a stop or pause is never more than
 * one such write away. */
#define BALANCE_STEP_BYTES_DEFAULT (UINT64_C(256) << 20)
/* Below DEF_PRIORITY - 2: SWAPPINESS_KERNEL_DEFAULT, i.e. do not pass
 * swappiness= at all and let vm.swappiness / memory.swappiness decide. */
#define BALANCE_SWAPPINESS_DEFAULT SWAPPINESS_KERNEL_DEFAULT

enum balance_wake_reason {
	BALANCE_WAKE_WATERMARK,      /* the monitor: all eligible zones < low */
	BALANCE_WAKE_PSI,            /* a memory pressure trigger */
	BALANCE_WAKE_MANUAL_RECLAIM, /* reclaimctl reclaim NODE SIZE */
	BALANCE_WAKE_BOOST,          /* reclaimctl boost, or a PSI spike */
	BALANCE_WAKE_KERNEL_BOOST,   /* the monitor: a kernel watermark boost
				      * no run paid yet */
	_BALANCE_WAKE_REASON_MAX,
};

const char *balance_wake_reason_to_string(enum balance_wake_reason r);

/*
 * A wake request: pgdat->kswapd_highest_zoneidx / kswapd_order for userspace.
 * Requests that arrive before the node thread reads them are merged
 * (balance_request_merge()), as wakeup_kswapd() merges.
 */
struct balance_request {
	unsigned highest_zoneidx; /* WATERMARK_ZONEIDX_NONE: not set */
	unsigned reasons;         /* 1u << enum balance_wake_reason */
	uint64_t boost_bytes;     /* userspace boost to add to the ledger */
};

#define BALANCE_REQUEST_NONE                                                   \
	((struct balance_request){ .highest_zoneidx = WATERMARK_ZONEIDX_NONE })

/* Whether a wake for these reasons wakes a hopeless node: the kernel leaves a
 * hopeless node to direct reclaim, so the watermark monitor and PSI do not
 * wake it; an operator's reclaim or boost does (it is the direct reclaim
 * whose success clears the failures). */
bool balance_wake_reaches_hopeless(unsigned reasons);

/* wakeup_kswapd(): the larger highest_zoneidx wins (NONE never does),
 * reasons accumulate, boosts add up (saturating). */
void balance_request_merge(struct balance_request *pending,
			   const struct balance_request *wake);
/* kswapd_highest_zoneidx(): the pending request's zone, or prev if none. */
unsigned balance_highest_zoneidx(const struct balance_request *pending,
				 unsigned prev);
/* kswapd_try_to_sleep() woken prematurely: keep the zone of the request that
 * slept prematurely unless a newer wake set one. */
void balance_request_keep_premature(struct balance_request *pending,
				    unsigned highest_zoneidx);

struct balance_params {
	struct watermark_params wmark;
	uint64_t step_bytes;    /* cap on one pass, >= BALANCE_CLUSTER_PAGES pages */
	int swappiness;         /* below DEF_PRIORITY - 2: 0..200 or
				 * SWAPPINESS_KERNEL_DEFAULT */
	bool soft_target;       /* SHRINK_SOFT_TARGET pass before each node pass */
	bool dry_run;           /* copied into every shrink_request */
};

void balance_params_init(struct balance_params *p);
int balance_params_validate(const struct balance_params *p);

/* Why balance_end() was reached. */
enum balance_end_reason {
	BALANCE_END_BALANCED,          /* out: balanced and no boost owed */
	BALANCE_END_PRIORITY_EXHAUSTED, /* the do-while ran out (priority 0) */
	BALANCE_END_BOOST_NO_PROGRESS, /* nr_boost_reclaim && !nr_reclaimed */
	BALANCE_END_INTERRUPTED,       /* try_to_freeze() || kthread_should_stop() */
	BALANCE_END_BRAKED,            /* the system pressure brake stopped a
					* pass, or cut one short: wait, no
					* failure counted */
	BALANCE_END_DRY_RUN,           /* a dry run's one pass: what a run
					* would write first */
	BALANCE_END_KERNEL_BALANCED,   /* above the kernel's own marks a
					* file-only pass freed nothing, or the
					* node file fell short this run: nothing
					* to take ahead of the kernel */
	_BALANCE_END_REASON_MAX,
};

const char *balance_end_reason_to_string(enum balance_end_reason r);

/* Why a pass may swap or not (balance_swappiness()). */
enum balance_swap_reason {
	BALANCE_SWAP_BOOST,        /* 0: "do not swap for boosted reclaim" */
	BALANCE_SWAP_GENTLE,       /* 0: priority >= DEF_PRIORITY - 2 */
	BALANCE_SWAP_FILE_COVERS,  /* 0: the node's file LRU covers the pass */
	BALANCE_SWAP_FILE_SHORT,   /* configured: the file LRU is smaller */
	BALANCE_SWAP_FILE_STALLED, /* configured: the last file-only pass of
				    * the run freed nothing */
	BALANCE_SWAP_FILE_UNKNOWN, /* configured: no LRU lines in zoneinfo */
	BALANCE_SWAP_KERNEL_BALANCED, /* 0: the node is above the kernel's own
				       * high marks: kswapd would not reclaim,
				       * let alone swap */
	_BALANCE_SWAP_REASON_MAX,
};

const char *balance_swap_reason_to_string(enum balance_swap_reason r);

enum balance_phase {
	BALANCE_PHASE_IDLE,      /* no run */
	BALANCE_PHASE_CHECK,     /* top of the do-while: needs a fresh snapshot */
	BALANCE_PHASE_SOFT,      /* soft-target shrink issued, awaiting account */
	BALANCE_PHASE_NODE_PLAN, /* soft pass accounted, plan kswapd_shrink_node */
	BALANCE_PHASE_NODE,      /* node shrink issued, awaiting account */
	BALANCE_PHASE_END,       /* left the loop: call balance_end() */
};

/* The locals of one balance_pgdat() call. */
struct balance_run {
	enum balance_phase phase;
	enum balance_end_reason end_reason;
	unsigned highest_zoneidx;
	int priority;                  /* sc.priority */
	bool boosted;                  /* boost owed when the run began */
	bool boost_dropped;            /* !balanced && nr_boost_reclaim: restart */
	bool raise_priority;
	int swappiness;                /* of the current pass */
	enum balance_swap_reason swap_reason; /* why that swappiness */
	bool pass_error;               /* the current pass's shrink failed */
	bool node_file_short;          /* a pass of this run: the node file
					* fell short (shrink_result) */
	bool file_stalled;             /* the last file-only pass below
					* DEF_PRIORITY - 2 freed nothing */
	bool brake_cut;                /* the system brake cut a node pass to
					* the kernel's deficit: the run ended */
	uint64_t kernel_deficit_bytes; /* of the current pass: to the kernel's
					* own high marks (shrink_request) */
	uint64_t wmark_deficit_bytes;  /* of the current pass: to our own
					* high marks, with the per-CPU room
					* (shrink_request) */
	uint64_t nr_boost_reclaim;     /* bytes still owed this run */
	uint64_t kernel_boost_bytes;   /* sum of eligible zones' boost */
	uint64_t user_boost_bytes;     /* the ledger at the start */
	uint64_t nr_reclaimed;         /* sc.nr_reclaimed, bytes */
	uint64_t pass_start_reclaimed; /* sc.nr_reclaimed when the pass began */
	uint64_t pass_bytes;           /* what this pass asks for */
	uint64_t pcp_room_bytes;       /* of it, the per-CPU list's room */
	/* The list room the current page-cache pass was planned with (the
	 * full snapshot's, before the node's pcp_share and the step), and
	 * the node's free pages then: the next check compares them with
	 * what it sees (balance_pcp_observe()). 0: nothing to compare. */
	uint64_t pcp_seen_room_bytes;
	uint64_t pcp_free_before;      /* pages */
	bool pcp_measurable;           /* every write of the pass went to the
					* node file, which frees this node's
					* pages and counts them alone */
	uint64_t soft_reclaimed;       /* by this pass's soft-target shrink */
	uint64_t boost_reclaimed;      /* bytes reclaimed while boost was owed */
	int lowest_priority;           /* reached */
	uint64_t start_usec;
};

/* Per-node counters, the userspace /proc/vmstat kswapd lines. Indexed by
 * priority 0..DEF_PRIORITY (0 unused: priority never reaches it in a pass). */
struct balance_counters {
	uint64_t wakes[_BALANCE_WAKE_REASON_MAX];
	uint64_t wakes_ignored_hopeless;
	uint64_t wakes_paced;                       /* dry run: automatic wakes
						     * dropped by the pacing */
	uint64_t runs;                              /* PAGEOUTRUN */
	uint64_t runs_ended[_BALANCE_END_REASON_MAX];
	uint64_t passes[DEF_PRIORITY + 1];
	uint64_t reclaimed_bytes[DEF_PRIORITY + 1]; /* soft + node, by priority */
	uint64_t reclaimed_elsewhere_bytes;         /* ... of those, from other
						     * nodes (memory.reclaim):
						     * not in the node's pacing */
	uint64_t soft_reclaimed_bytes;
	uint64_t boost_reclaimed_bytes;
	uint64_t boost_restarts;                    /* goto restart */
	uint64_t swap_decisions[_BALANCE_SWAP_REASON_MAX]; /* passes by reason */
	uint64_t shrink_errors;                     /* backend shrink() < 0 */
	uint64_t snapshot_errors;                   /* backend snapshot() < 0 */
	uint64_t snapshots;                         /* backend snapshot(): zoneinfo */
	uint64_t zone_free_reads;                   /* backend zone_free() in its
						     * place between passes */
	uint64_t zone_free_unused;                  /* zone_free() that failed, or
						     * said the run ends: a
						     * snapshot() followed */
	uint64_t failures;                          /* runs that reclaimed nothing */
	uint64_t braked;                            /* runs ended by the system brake */
	uint64_t brake_cut_passes;                  /* node passes the brake let on,
						     * cut to the kernel deficit */
	uint64_t hopeless;                          /* times the node became hopeless */
	uint64_t hopeless_recovered;
	uint64_t low_wmark_hit_quickly;             /* KSWAPD_LOW_WMARK_HIT_QUICKLY */
	uint64_t high_wmark_hit_quickly;            /* KSWAPD_HIGH_WMARK_HIT_QUICKLY */
	uint64_t full_sleeps;
	uint64_t last_run_usec;
	uint64_t total_run_usec;                    /* psi_memstall_enter/leave */
	uint64_t compactions[_COMPACT_REASON_MAX];  /* wakeup_kcompactd(), by reason
						     * ([COMPACT_NONE] unused) */
	uint64_t compact_errors;
	uint64_t pcp_observations;                  /* passes whose list share was
						     * measured (pcp_share) */
	struct histogram run_usec;                  /* run durations */
};

/* The per-node state that outlives a run (the pgdat fields kswapd uses). */
/*
 * Pacing: how fast the node's free memory is being used, and the lead that
 * buys. The wake-at-low, refill-to-high band is half a headroom (4 MiB per
 * zone on a small machine), which a page-cache stream eats in under 100 ms;
 * a node that is consumed fast must wake earlier and refill further, as the
 * kernel's watermark_scale_factor would if it were tuned to the load. The
 * monitor measures, per fresh snapshot,
 *	consumed = (free before - free now) + (reclaimed by our writes since)
 * so our own reclaim does not read as a drop in use, and keeps a signed
 * moving average (time constant BALANCE_PACE_TAU_USEC) of consumed per
 * second. The lead is what that rate uses in BALANCE_PACE_LEAD_USEC (a
 * monitor interval and a write or two), added to both userspace marks
 * (watermark_params.pace_pages, capped per zone at
 * WATERMARK_PACE_MAX_HEADROOMS headrooms). A node giving memory back
 * (frees, the kernel's own reclaim) has a negative rate, floored at the
 * cap's rate, and no lead.
 */
#define BALANCE_PACE_TAU_USEC (UINT64_C(1000) * 1000)
#define BALANCE_PACE_LEAD_USEC (UINT64_C(250) * 1000)

struct balance_pace {
	uint64_t last_usec;      /* 0: no sample yet */
	uint64_t last_free;      /* pages, managed zones */
	uint64_t last_reclaimed; /* pages, by this node's runs */
	double rate;             /* pages per second, signed */
	uint64_t pages;          /* the lead, pages */
};

/*
 * The share of the writer's per-CPU list room that a page-cache pass's
 * freed pages were seen to fill, in BALANCE_PCP_SHARE_ONE parts. The
 * lists take single pages and folios up to order 3, not larger ones (6.18's
 * ext4 reads page cache in order 4 to 8 folios, which go back to the zone at
 * once), and a run of order 1 to 3 frees can drain a list (the allocator's
 * free_high). A node starts at one (the room asked in full). After each pass
 * whose list room was read (even if the share or the step left none to
 * ask), the next check compares the node's free pages with what the pass
 * freed: of min(freed, room), the part that did not show is the share
 * seen; the node keeps a moving average, a quarter of the new share to
 * three of what it had, rounded towards the new. Only passes the node
 * file served alone are measured: a memory.reclaim write frees and counts
 * the cgroup's pages on every node. What others allocate and free
 * meanwhile disturbs the measure either way (allocations show as pages
 * unshown, frees as pages shown). A pass of less than
 * BALANCE_PCP_OBSERVE_MIN_BYTES on either side is not measured: a floor
 * for that noise (and for the per-CPU counters' drift in zoneinfo's free
 * pages, where buddyinfo cannot be read).
 */
#define BALANCE_PCP_SHARE_ONE 1024u
#define BALANCE_PCP_OBSERVE_MIN_BYTES (UINT64_C(1) << 20)

struct balance_node {
	int node;                      /* kernel node id */
	unsigned pcp_share;            /* of BALANCE_PCP_SHARE_ONE (above) */
	unsigned kswapd_failures;
	uint64_t boost_ledger_bytes;   /* userspace boosts owed */
	/* Per zone, the kernel's zoneinfo `boost` (pages) a run has already
	 * paid: the kernel's kswapd clears zone->watermark_boost at "out",
	 * ours cannot, so it remembers what it paid instead. */
	uint64_t kernel_boost_paid[ZONEINFO_MAX_ZONES];
	/* Dry run: the last automatic wake let through (balance_wake_paced). */
	uint64_t last_auto_wake_usec;
	struct balance_pace pace;      /* the monitor's (balance_pace_update) */
	struct balance_run run;
	struct balance_counters counters;
};

/* What a run achieved; !balanced is the seed's "reclaim_order < alloc_order":
 * go straight back to kswapd_try_sleep. */
struct balance_result {
	enum balance_end_reason reason;
	bool balanced;
	uint64_t nr_reclaimed;     /* bytes */
	uint64_t boost_reclaimed;  /* bytes, while boost was owed */
	int priority;              /* lowest priority a pass ran at */
	unsigned failures;         /* kswapd_failures after the run */
	bool hopeless;
	bool braked;               /* BALANCE_END_BRAKED: wait before retrying */
	bool brake_cut;            /* ... after a pass the brake cut to what the
				    * node lacked to the kernel's own high
				    * marks: the wait is not cut short by the
				    * node falling below them (kswapd.c) */
	bool kernel_boost_paid;    /* the run paid a kernel watermark boost */
	uint64_t duration_usec;
};

void balance_node_init(struct balance_node *b, int node);
bool balance_node_hopeless(const struct balance_node *b);

/* The pass policy, exposed for tests, the bench and the docs:
 *   may_swap = !nr_boost_reclaim, and gentle priorities (>= DEF_PRIORITY - 2)
 *   reclaim file pages only: swappiness 0. Below that, file pages first, as
 *   the kernel's cache_trim_mode: swappiness 0 while the node's file LRU
 *   (inactive + active) holds at least what a file-only pass asks
 *   (balance_pass_bytes() with swappiness 0), unless the run's last
 *   file-only pass freed nothing (file_stalled: the file pages are not ours
 *   to take, e.g. a protected cgroup's); else p->swappiness. The reason goes
 *   to *ret_reason (may be NULL). */
int balance_swappiness(const struct balance_params *p, const struct node_zoneinfo *n,
		       unsigned highest_zoneidx, int priority,
		       uint64_t nr_boost_reclaim, bool file_stalled,
		       enum balance_swap_reason *ret_reason);
/*
 * Bytes one pass asks for:
 *	lru  = file LRU + (swappiness != 0 ? anon LRU : 0)     (pages)
 *	want = deficit to the userspace high mark + boost owed + (lru >> priority)
 *	pass = CLAMP(want, BALANCE_CLUSTER_PAGES, step_bytes / page_size) pages
 * The deficit is what balances the node at 100% efficiency; lru >> priority
 * is the kernel's scan pressure, 1/4096 of the LRU at DEF_PRIORITY and half of
 * it at priority 1, so a node that does not give pages back is asked harder.
 * A pass that may swap is then capped by balance_check() at the node's
 * deficit to the kernel's own high marks (at least BALANCE_CLUSTER_PAGES);
 * a page-cache pass above those marks asks the writer's per-CPU list room
 * on top, within step_bytes (balance_run.pcp_room_bytes).
 */
uint64_t balance_pass_bytes(const struct balance_params *p,
			    const struct node_zoneinfo *n,
			    unsigned highest_zoneidx, int priority,
			    int swappiness, uint64_t nr_boost_reclaim);

/* prepare_kswapd_sleep(): a hopeless node sleeps; a node owed a userspace
 * boost (ledger + pending) does not; otherwise sleep if balanced. */
bool balance_prepare_sleep(const struct balance_node *b,
			   const struct balance_params *p,
			   const struct node_zoneinfo *n,
			   unsigned highest_zoneidx, uint64_t pending_boost_bytes);

/* wakeup_kswapd() for one node: count the wake's reasons and merge it into
 * the pending request. Returns whether to wake the thread: false for a
 * hopeless node and a wake that does not reach it (counted as ignored). */
bool balance_node_wake(struct balance_node *b, struct balance_request *pending,
		       const struct balance_request *w);
/* An operator's `reclaimctl reclaim node` finished, having reclaimed
 * reclaimed_bytes from the node: the userspace direct reclaim. As
 * shrink_node()'s "if (reclaimable) pgdat->kswapd_failures = 0", any byte
 * clears the failures (a hopeless node recovers); then the node is woken
 * with BALANCE_WAKE_MANUAL_RECLAIM, which reaches a hopeless node, to look
 * at its watermarks again. Returns whether to wake the thread. */
bool balance_node_manual_reclaim(struct balance_node *b, struct balance_request *pending,
				 uint64_t reclaimed_bytes);
/* The thread read the pending request: add its boost to the ledger. */
void balance_node_consume(struct balance_node *b,
			  const struct balance_request *req);

/* Why the watermark monitor wakes a node (balance_monitor_wake()). */
enum balance_monitor_wake {
	BALANCE_MONITOR_SLEEP,        /* no reason */
	BALANCE_MONITOR_BELOW_LOW,    /* every eligible zone below its low mark */
	BALANCE_MONITOR_KERNEL_BOOST, /* a zone's boost grew since a run paid it */
	_BALANCE_MONITOR_WAKE_MAX,
};

const char *balance_monitor_wake_to_string(enum balance_monitor_wake w);

/* Sum of the eligible zones' kernel `boost` (pages) not yet paid by a run. */
uint64_t balance_kernel_boost_unpaid(const struct balance_node *b,
				     const struct node_zoneinfo *n,
				     unsigned highest_zoneidx);

/*
 * The monitor's wake condition, on a fresh snapshot outside a run: the
 * allocator's wakeup_kswapd() at the low mark, or a kernel watermark boost
 * (a fragmentation event: the kernel wakes kswapd for it). A boost is paid
 * once per run, as the seed clears zone->watermark_boost at "out": the next
 * wake needs a new boost (a zone's boost above what was paid) or a
 * watermark deficit. A boost the kernel lowered (its own kswapd paid it) is
 * forgotten down to what is left, so a later boost of the same size wakes.
 */
enum balance_monitor_wake balance_monitor_wake(struct balance_node *b,
					       const struct balance_params *p,
					       const struct node_zoneinfo *n);

/*
 * Dry-run pacing: nothing decided is written, so a node below its low mark
 * stays there and every monitor tick would start a full 12-priority run
 * (measured under QEMU at 50% of a vCPU, more than the real daemon's 28%).
 * In dry run an automatic wake (watermark, kernel boost, PSI) within
 * seven eighths of wmark.interval_max_usec of the last one let through is
 * dropped (counted in wakes_paced); operator wakes are never paced. The
 * eighth is for the monitor, which reads a dry-run node at that interval:
 * a tick a little early (its work took longer than the last one's) is
 * not dropped for a whole interval more. Returns true to drop.
 */
bool balance_wake_paced(struct balance_node *b, const struct balance_params *p,
			unsigned reasons, uint64_t now_usec);

/* Dry run: what the runs would have done is logged as one summary line at
 * most this often, not a line per would-be write (280 lines a minute were
 * seen). */
#define BALANCE_DRY_RUN_SUMMARY_USEC (UINT64_C(60) * 1000 * 1000)

/* Dry run: totals over every node, runs from the counters and would-be
 * writes and their bytes from the backend's accounting. */
struct balance_dry_run_totals {
	uint64_t runs, writes, bytes;
	/* Offload's and operators' cgroup reclaims (the actuator's
	 * cgroup-wide writes), which are no node's runs. */
	uint64_t cgroup_writes, cgroup_bytes;
};

/* The last summary line: when, and the totals then. */
struct balance_dry_run_summary {
	uint64_t since_usec;
	struct balance_dry_run_totals at;
};

/* Whether a summary is due at now_usec: only in dry run, and a whole
 * BALANCE_DRY_RUN_SUMMARY_USEC after the last one. */
bool balance_dry_run_summary_due(const struct balance_dry_run_summary *s, bool dry_run,
				 uint64_t now_usec);
/* Take cur, the totals at now_usec, as the new mark. Returns true, with
 * the differences since the last mark in *ret_delta and its age in
 * *ret_span_usec, if the runs since would have written anything: a summary
 * of nothing is not logged. */
bool balance_dry_run_summary_take(struct balance_dry_run_summary *s,
				  const struct balance_dry_run_totals *cur, uint64_t now_usec,
				  struct balance_dry_run_totals *ret_delta,
				  uint64_t *ret_span_usec);

/*
 * The journal's line per balance run, made quiet where nothing happened
 * worth a line (issue 14: on 6.18 the redis bench logged a run end every
 * 0.1-1 s, and journald took 0.47% of the guest's CPU samples against
 * 0.20% with the kernel alone: the difference is more than half of what
 * kswapd's whole reclaim took there, 0.49%). A routine run (woken by the
 * watermark alone, ended balanced or kernel-balanced at a gentle priority,
 * >= DEF_PRIORITY - 2, with no failure and no boost paid) is logged at
 * info only when it opens its node's window (the first after a quiet
 * one); the next ones at debug, counted, and summed up in one line when
 * the window (BALANCE_RUN_LOG_WINDOW_USEC) is over, which opens the next
 * while runs keep coming. Every other run end is logged at
 * info as before. A summary of nothing closes the window: the next
 * routine run is logged again.
 */
#define BALANCE_RUN_LOG_WINDOW_USEC (UINT64_C(60) * 1000 * 1000)

struct balance_run_log_totals {
	uint64_t runs;
	uint64_t reclaimed_bytes;
	uint64_t ended[_BALANCE_END_REASON_MAX];
	int priority; /* the lowest a run ended at */
};

struct balance_run_log {
	uint64_t since_usec; /* the window's start; 0: no window open */
	struct balance_run_log_totals quiet; /* the runs logged at debug in it */
};

/* Whether a run's end is routine (wake_reasons: a BALANCE_WAKE_* mask). */
bool balance_run_routine(const struct balance_result *r, unsigned wake_reasons);
/* Account a run's end at now_usec: true if it is logged at info, false if
 * at debug (counted for the window's summary). */
bool balance_run_log_account(struct balance_run_log *l, const struct balance_result *r,
			     unsigned wake_reasons, uint64_t now_usec);
/* At now_usec, or at stop (force): if the window is over and runs were
 * counted in it, true with their totals and the window's age; the next
 * window starts now. A window over with nothing counted closes. */
bool balance_run_log_summary_take(struct balance_run_log *l, uint64_t now_usec, bool force,
				  struct balance_run_log_totals *ret, uint64_t *ret_span_usec);

/* A fresh snapshot taken at now_usec (the monitor's): update b->pace.
 * others_reclaimed_bytes: what the actuator's other writers (offload, an
 * operator's cgroup reclaim) reclaimed from the node so far, cumulative
 * (issue 18: every write of the actuator counts, not only this node's
 * runs). */
void balance_pace_update(struct balance_node *b, const struct balance_params *p,
			 const struct node_zoneinfo *n, uint64_t others_reclaimed_bytes,
			 uint64_t now_usec);
/*
 * What the node thread reads after a shrink of a run, before the next
 * balance_next() (issue 14: /proc/zoneinfo was more than half of a pass's
 * reads):
 *
 *	NONE	nothing: a soft-target pass was made and the node pass comes
 *		next, planned from what the check before them decided
 *		(balance_plan_node() reads no zoneinfo; where the soft pass
 *		took all of it, the check comes next instead: FREE or FULL);
 *	FREE	the zones' free pages may do (backend zone_free()), if with
 *		them the run still goes on (balance_continues_on_free()): the
 *		next check is at priority >= DEF_PRIORITY - 2, whose swap
 *		decision is "gentle" and reads no LRU size, no boost is owed
 *		(a boost dropped restarts the run), and the last full
 *		snapshot shows no zone boost (the kernel may clear it, which
 *		lowers every mark built on `high`);
 *	FULL	the whole of zoneinfo: every other case, so that a run's end
 *		and any pass that may swap stand on a full snapshot.
 */
enum balance_refresh {
	BALANCE_REFRESH_NONE,
	BALANCE_REFRESH_FREE,
	BALANCE_REFRESH_FULL,
};
enum balance_refresh balance_refresh_kind(const struct balance_node *b,
					  const struct node_zoneinfo *last);
/* With the zones' free pages of n (the rest as the last full snapshot had
 * it), the next check goes on with the run: the node is short of its
 * paced high marks. Decided in the same critical section as the
 * balance_next() that follows, since the monitor moves the pacing lead. */
bool balance_continues_on_free(const struct balance_node *b, const struct balance_params *p,
			       const struct node_zoneinfo *n);

/* p with the node's pacing lead in its watermarks: what every watermark
 * decision of the engine (wake, balanced, deficit, sleep) is made with. */
struct balance_params balance_paced_params(const struct balance_node *b,
					   const struct balance_params *p);

/* A fresh snapshot seen outside a run (the monitor's): a hopeless node whose
 * free memory recovered on its own is given another chance. Returns true if
 * the node stopped being hopeless. */
bool balance_observe(struct balance_node *b, const struct balance_params *p,
		     const struct node_zoneinfo *n);

/* Start a run: count the boost owed, priority = DEF_PRIORITY. */
void balance_begin(struct balance_node *b, const struct balance_params *p,
		   const struct node_zoneinfo *n, unsigned highest_zoneidx,
		   uint64_t now_usec);
/* The next step: 1 and *ret filled with a shrink to issue, 0 when the run is
 * over (call balance_end()), -EBUSY if a shrink awaits balance_account(),
 * -EINVAL if no run is in progress. n is the freshest snapshot. */
int balance_next(struct balance_node *b, const struct balance_params *p,
		 const struct node_zoneinfo *n, struct shrink_request *ret);
/* Account the shrink just issued; res NULL if the backend failed (counts as
 * nothing reclaimed). A result with braked set ends the run
 * (BALANCE_END_BRAKED): the brake said reclaim must not add to a
 * system-wide stall, which is no failure of the kernel's, so the run counts
 * no failure and keeps the boost it still owes; the thread waits
 * (balance_result.braked) before it tries again. So does one with
 * brake_cut set whose pass the kernel's deficit cut short
 * (kernel_deficit_bytes < nr_to_reclaim), after counting what it got
 * (balance_result.brake_cut). */
void balance_account(struct balance_node *b, const struct balance_params *p,
		     const struct shrink_request *req,
		     const struct shrink_result *res);
/* Leave the loop now (freeze or stop after a shrink): the seed's break. */
void balance_interrupt(struct balance_node *b);
/* Finish the run: failures, hopeless, boost ledger, counters. */
void balance_end(struct balance_node *b, const struct balance_params *p,
		 uint64_t now_usec, struct balance_result *ret);
