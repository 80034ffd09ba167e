/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The real reclaim backend (struct reclaim_backend.shrink from backend.h):
 *
 *	SHRINK_NODE		the per-node reclaim file where the kernel has it
 *				(6.17+) and no cgroup policy covers memory on
 *				the node, else memory.reclaim writes spread
 *				over the candidate cgroups by target.c
 *				(target_choose_backend())
 *	SHRINK_SOFT_TARGET	memory.reclaim on cgroups above SoftTarget=
 *	SHRINK_CGROUP		memory.reclaim on one operator-named cgroup
 *	SHRINK_OFFLOAD		memory.reclaim on each Offload=yes cgroup whose
 *				interval is over, by its controller (offload.h)
 *
 * Writes happen on the calling thread, in steps of at most step_bytes,
 * under a token-bucket quota: the node's for SHRINK_NODE and
 * SHRINK_SOFT_TARGET, the cgroup-wide context's for SHRINK_CGROUP and
 * SHRINK_OFFLOAD (whose writes take from every node of a cgroup). Only
 * memory.reclaim and the node reclaim file are ever written: never
 * memory.high or memory.max.
 * No allocation and no open() on the shrink path (SHRINK_CGROUP on a cgroup
 * outside the candidate table is the one exception: an operator's request
 * opens that cgroup's files once).
 *
 * Threads: each node's calls must come from one thread at a time (its node
 * thread, or an operator's node reclaim serialised with it): a node's
 * scratch buffers are its own. Likewise SHRINK_CGROUP and SHRINK_OFFLOAD
 * calls, one at a time, on the cgroup-wide context's (req->node is not
 * looked at). Different nodes and the cgroup-wide context run in
 * parallel: an offload write never holds up a node's pass. The system
 * brake (/proc/pressure/memory full) stops SHRINK_NODE, SHRINK_SOFT_TARGET
 * and SHRINK_OFFLOAD; an operator's SHRINK_CGROUP is not braked, but
 * honours Protect=.
 *
 * Error semantics of a write:
 *	EAGAIN		partial: the kernel gave up after 16 passes; what was
 *			reclaimed is measured from counters
 *	EINTR		stop now, retry later (result->interrupted)
 *	ENOENT/ENODEV	the cgroup is gone: dropped, no error
 *	EACCES/EPERM/EROFS one message about permissions/delegation, then errors
 *	EINVAL with swappiness=	feature off, retried without it
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend.h"
#include "brake.h"
#include "cgroup.h"
#include "feature.h"
#include "histogram.h"

/* 32 MiB per write: memory.reclaim holds no lock between writes, so a
 * bounded step lets the quota, the brakes and pause/stop act in between;
 * at about 1 GiB/s of page-cache reclaim a step is some 30 ms. */
#define ACTUATOR_STEP_BYTES_DEFAULT (UINT64_C(32) << 20)
/* A node-file pass judged gated (shrink_request.node_file_gated) is
 * written anyway at most this often per node, to check the verdict; so
 * many checks in a row that reclaim end the verdicts. */
#define ACTUATOR_GATE_CHECK_USEC (UINT64_C(60) * 1000000)
#define ACTUATOR_GATE_MISSES 3u
/* Shares below 64 KiB are not worth a write (16 pages). */
#define ACTUATOR_MIN_WRITE_BYTES_DEFAULT (UINT64_C(64) << 10)
/* Brake windows: PSI totals compared over 10 s (the kernel's avg10 span). */
#define ACTUATOR_BRAKE_WINDOW_USEC_DEFAULT (UINT64_C(10) * 1000000)
/* 1 s of some-stall per 10 s window = 10%: oomd's default
 * ManagedOOMMemoryPressureLimit is 60% (kill); we back off far earlier. */
#define ACTUATOR_CGROUP_PRESSURE_LIMIT_USEC_DEFAULT (UINT64_C(1000000))
/* 0.5 s of full-stall per 10 s system-wide: everyone stalls, stop adding. */
#define ACTUATOR_SYSTEM_PRESSURE_LIMIT_USEC_DEFAULT (UINT64_C(500000))
/* ...if in the same window at least this much that reclaim had evicted came
 * back (/proc/vmstat workingset_refault_anon + _file): reclaim is what
 * stalls it. 1 MiB (256 pages of 4 KiB) is a trickle next to thrashing, which
 * refaults that much every few milliseconds of stall, and above the odd
 * page of a daemon's text coming back. */
#define ACTUATOR_SYSTEM_BRAKE_REFAULT_BYTES (UINT64_C(1) << 20)
/* ...and at least this share (per mille) of what was reclaimed in the
 * window: thrashing brings back much of what reclaim takes (VM
 * system-brake: about as much), streaming reclaim of cold page cache a
 * fraction of a percent (VM proactive: 2.6k-10k pages of 0.9M a run). */
#define ACTUATOR_SYSTEM_BRAKE_REFAULT_PERMILLE 100u

struct actuator_config {
	const char *root;             /* --root prefix for /sys and /proc */
	struct cgroup_set *cgroups;   /* NULL without cgroup v2 memory */
	struct features features;     /* copied; swappiness may be turned off */
	uint64_t node_mask;           /* nodes to serve; 0 = all nodeN dirs */
	bool dry_run;
	bool avoid_node_file;         /* spread over cgroups even where
				       * nodeN/reclaim exists */
	/* Largest write (StepSize=): of every node's passes until
	 * actuator_set_limits() gives a node its own, and of the cgroup-wide
	 * writes (offload's, an operator's cgroup reclaim). 0 = default. */
	uint64_t step_bytes;
	uint64_t min_write_bytes;     /* 0 = default */
	uint64_t rate_bytes_per_sec;  /* per node and cgroup-wide; 0 = unlimited */
	uint64_t burst_bytes;         /* 0 = one second's worth */
	struct brake_params cgroup_brake; /* window 0 = off; limit default per cgroup */
	struct brake_params system_brake; /* on /proc/pressure/memory full */
	/* Test hooks; NULL = pwrite(fd, buf, n, 0) and now_usec(). */
	ssize_t (*write)(void *userdata, int fd, const char *buf, size_t n);
	uint64_t (*clock)(void *userdata);
	void (*sleep)(void *userdata, uint64_t usec); /* NULL = clock_nanosleep */
	void *hook_userdata;
};

/* Fill in the defaults above for fields left 0. */
void actuator_config_defaults(struct actuator_config *cfg);

struct actuator_node_stats {
	uint64_t requested_bytes;
	uint64_t reclaimed_bytes;     /* measured */
	uint64_t nr_shrinks;
	uint64_t nr_writes;
	uint64_t nr_partial;
	uint64_t nr_errors;
	uint64_t nr_skipped;
	uint64_t nr_dry_run;
	uint64_t nr_braked;           /* calls stopped by the system brake */
	uint64_t nr_quota_limited;    /* passes the quota cut below what they asked */
	uint64_t nr_quota_waits;      /* waits for the rate quota's tokens (RateLimit=) */
	uint64_t quota_wait_usec;     /* ... and their time */
	uint64_t nr_quota_waits_cut;  /* ... of a run's node pass ended early:
				       * the node went below our own high
				       * marks meanwhile */
	uint64_t nr_quota_exempt;     /* node passes below our own or the
				       * kernel's high marks that went ahead
				       * without the tokens
				       * (quota_watermark_job()) */
	uint64_t nr_node_file;        /* shrinks served by nodeN/reclaim */
	uint64_t nr_cgroup_spread;    /* shrinks spread over cgroups */
	uint64_t nr_compact;          /* nodeN/compact writes */
	uint64_t nr_compact_errors;
	/* Candidate reads on the reclaim path (census.h): in full (five
	 * files), a skipped one's guard (memory.pressure), and the passes
	 * that read every candidate in full. */
	uint64_t nr_cgroup_reads;
	uint64_t nr_guard_reads;
	uint64_t nr_guards_calm;      /* guards spared: no stall since all were read */
	uint64_t nr_guaranteed_only;  /* node-file passes decided with no usage or
				       * numa_stat read (guarantees alone) */
	uint64_t nr_node_file_gated;  /* node-file passes sent to memory.reclaim
				       * unwritten: the kernel's node-reclaim
				       * minimums (shrink_request.node_file_gated) */
	uint64_t nr_node_file_gate_checks; /* ... written anyway to check that */
	uint64_t nr_node_file_gate_misses; /* ... checks whose write reclaimed */
	uint64_t nr_censuses;
	uint64_t nr_deferred_reads;   /* full reads of candidates below a pass's
				       * reach, its plan having descended (of
				       * nr_cgroup_reads) */
	uint64_t last_usec;
	struct histogram write_usec;  /* reclaim file write durations */
};

struct actuator;

int actuator_new(const struct actuator_config *cfg, struct actuator **ret);
struct actuator *actuator_free(struct actuator *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct actuator *, actuator_free);

/* backend->shrink = actuator_shrink, backend->userdata = a; snapshot is
 * left as it was (the zoneinfo reader provides it). */
void actuator_backend(struct actuator *a, struct reclaim_backend *backend);
int actuator_shrink(void *userdata, const struct shrink_request *req,
		    struct shrink_result *ret);
/* The monitor's read of the node: below our own high marks (a boost aside)
 * or not. A run's node pass waiting for the rate quota (a boost's) stops
 * waiting when the node goes below them (docs/design.md, "The quota bounds
 * boosts, not the watermark job"). Any thread. */
void actuator_set_below_high(struct actuator *a, int node, bool on);
/* What the monitor last said of the node, and how many times it has seen
 * it fall below them (a quota wait ends on a new fall). Any thread. */
bool actuator_below_high(struct actuator *a, int node, unsigned *ret_falls);

/*
 * Limits that a config reload or `reclaimctl set` changes at runtime: a
 * node's rate quota (RateLimit=, per node) and the brakes (PressureLimit=,
 * SystemBrake=, PressureWindow=). Set from the loop thread; a node thread
 * takes a new rate at its next shrink (the quota restarts full), the
 * brakes at their next sample. Get returns what is in force.
 */
struct actuator_limits {
	uint64_t rate_bytes_per_sec; /* 0 = unlimited */
	/* The cgroup-wide quota (offload, an operator's cgroup reclaim): the
	 * [Reclaim] RateLimit=, actuator-wide. 0 = unlimited. */
	uint64_t cgroup_rate_bytes_per_sec;
	/* The node's StepSize=, the largest write of its passes; and the
	 * [Reclaim] one, of offload's and an operator's cgroup writes
	 * (actuator-wide, as the brakes). 0 = leave as it is. */
	uint64_t step_bytes;
	uint64_t cgroup_step_bytes;
	struct brake_params cgroup_brake;
	struct brake_params system_brake;
};
int actuator_set_limits(struct actuator *a, int node, const struct actuator_limits *l);
int actuator_get_limits(struct actuator *a, int node, struct actuator_limits *ret);

/* The daemon is stopping: from now on no reclaim write begins (write
 * returns EINTR: the pass ends, interrupted) and a rate-quota wait ends at
 * the first signal. The threads' writes in progress are cut short by the
 * kick of their join (kick.h). Any thread; for good. */
void actuator_stop(struct actuator *a);

/* Compact the node: "1" to /sys/devices/system/node/nodeN/compact, opened
 * at start (no open here). -EOPNOTSUPP where the file is absent (kernel
 * without CONFIG_COMPACTION, or a fixture tree without it). */
int actuator_compact(struct actuator *a, int node);

/* The paused nodes, which no cgroup write may take memory from (bit = node
 * id: every node while the daemon is paused, else those with [Node N]
 * Paused=yes). Offload judges a cgroup with memory on one of them and
 * writes it nothing (offload_paused_by()). A node or soft-target pass spread over
 * memory.reclaim spares such a cgroup too, unless the paused node is the
 * pass's own (then the pass is an operator's `reclaim node N`); the node
 * file is node-bound and needs no such care. Takes effect at the next
 * cgroup of a pass under way, and before its next write. Any thread. */
void actuator_set_paused_nodes(struct actuator *a, uint64_t nodes);
uint64_t actuator_paused_nodes(const struct actuator *a);

/* What the cgroup-wide writes (offload's, an operator's cgroup reclaim)
 * reclaimed from node so far (bytes, cumulative), attributed by
 * offload_attribute(): for the node's pacing (kswapd_observe()). No lock,
 * no I/O; 0 for an unknown node. */
uint64_t actuator_cgroup_wide_reclaimed(struct actuator *a, int node);

/* Features as now known (swappiness may have been switched off by EINVAL). */
void actuator_features(struct actuator *a, struct features *ret);
int actuator_node_stats(struct actuator *a, int node, struct actuator_node_stats *ret);
/* The cgroup-wide context's (offload, an operator's cgroup reclaim);
 * -ENOENT without cgroups. */
int actuator_cgroup_wide_stats(struct actuator *a, struct actuator_node_stats *ret);

/* One row of `reclaimctl cgroups`. */
struct actuator_cgroup_info {
	char path[CGROUP_PATH_MAX];
	uint64_t current_bytes, floor_bytes;
	struct cgroup_policy policy;
	struct cgroup_account acct;
	bool braked;
	bool gone;
	uint64_t protection_bytes;    /* max(memory.min, memory.low) */
	uint64_t pressure_some_total_usec;
	uint32_t pressure_some_avg10, pressure_full_avg10; /* hundredths of a % */
	uint64_t node_file_bytes[MEMSTAT_MAX_NODES];
	uint64_t node_anon_bytes[MEMSTAT_MAX_NODES];
	struct offload_state offload;
	uint64_t offload_requested_bytes, offload_reclaimed_bytes;
};

/* A candidate's row as last read (the caller holds what guards cg). */
void actuator_cgroup_info_fill(const struct cgroup_candidate *cg, struct actuator_cgroup_info *ret);

/* A cgroup's pressure brake went on or off (actuator_sample_brakes()). */
struct actuator_brake_change {
	const char *path;          /* below the mount, "" = the root cgroup */
	bool on;
	uint32_t some_avg10;       /* memory.pressure some avg10, 1/100 % */
	uint64_t stall_usec;       /* "some" stall the window grew by ... */
	uint64_t span_usec;        /* ... in this long (0: a new window) */
	uint64_t limit_usec;       /* the stall allowed per window */
	uint64_t window_usec;
};
typedef void (*actuator_brake_fn)(void *userdata, const struct actuator_brake_change *c);

/*
 * Sample every candidate's memory.pressure and update its brake, from a
 * timer (the manager's, every half PressureWindow=): a brake then knows a
 * cgroup is thrashing before the next shrink considers it, instead of
 * learning it from two samples inside one balance run milliseconds apart.
 * fn (may be NULL) hears of each brake that went on or off since the last
 * sample, a node thread's decision included; a protected cgroup's brake is
 * never on (nothing is taken from it anyway). Called from one thread (the
 * loop), with the cgroup table locked shared: fn must not rescan. No
 * allocation, no open.
 */
void actuator_sample_brakes(struct actuator *a, actuator_brake_fn fn, void *userdata);

/* An Offload=yes cgroup entered or left backoff (actuator_sample_offload()). */
struct actuator_offload_change {
	const char *path;
	enum offload_state_kind from, to;
	const struct offload_state *state;
	uint64_t target_usec;      /* the stall allowed per interval */
};
typedef void (*actuator_offload_fn)(void *userdata, const struct actuator_offload_change *c);

/* Whether any cgroup of the table (not gone) says Offload=yes: the
 * offload thread ticks only then. With the table locked shared. */
bool actuator_offload_any(struct actuator *a);

/* Report each Offload=yes cgroup whose controller changed state since the
 * last call (the loop's timer; the offload pass runs on another thread).
 * With the cgroup table locked shared; no allocation, no I/O. */
void actuator_sample_offload(struct actuator *a, actuator_offload_fn fn, void *userdata);

/* Offload's writes to one cgroup since the last report: one controller
 * step normally (an interval is at least 1 s and the loop reports after
 * each offload pass), summed if the loop fell behind. */
struct actuator_offload_write {
	const char *path;          /* below the mount, "" = the root cgroup */
	struct cgroup_offload_writes writes;
};
typedef void (*actuator_offload_write_fn)(void *userdata, const struct actuator_offload_write *w);

/* Report, and forget, each Offload=yes cgroup's writes since the last call
 * (the loop, after the offload thread's pass: watch `write` events with
 * target "offload"). With the cgroup table locked shared; no allocation,
 * no I/O. */
void actuator_report_offload_writes(struct actuator *a, actuator_offload_write_fn fn,
				    void *userdata);

/* Re-read every candidate's memory.current/min/low/numa_stat/pressure so
 * that a report is current (control path only: it allocates). The values
 * are otherwise refreshed by each shrink that considers the cgroup. */
int actuator_refresh(struct actuator *a);

/* A copy of the candidate table (allocated; control path only). */
int actuator_cgroups(struct actuator *a, struct actuator_cgroup_info **ret, size_t *ret_n);

/* Rescan the candidate table (slow timer, cgroup.events). With wait=false
 * (the event loop) -EBUSY while a node thread is mid-write: retry later. */
int actuator_rescan(struct actuator *a, bool wait);
