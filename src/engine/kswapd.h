/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * One reclaim thread per NUMA node: kswapd() and kswapd_try_to_sleep() from
 * mm/vmscan.c (../shared/seed/kswapd.c), executing balance.c's plans through
 * a struct reclaim_backend.
 *
 * Everything is allocated in kswapd_new(); the threads' loop neither allocates
 * nor opens files (the backend must not either), so reclaim keeps working
 * when memory is short. Threads are named "reclaimd/nN" and pinned to the
 * node's CPUs when a non-empty cpu set is given.
 *
 * Locking: one mutex per node guards its balance state, its pending wake
 * request and its flags; it is never held across a backend call or the event
 * callback. The params have their own mutex; a node copies them at the start
 * of each run.
 */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "balance.h"

/* kswapd_try_to_sleep(): schedule_timeout(HZ/10). */
#define KSWAPD_SHORT_SLEEP_USEC_DEFAULT (UINT64_C(100) * 1000)
/* After a run the system pressure brake stopped, or ended after a pass it
 * cut: how long the thread waits before it tries again. The brake compares
 * PSI totals over PressureWindow= (10 s by default) and lets go only after
 * a whole window below the limit, so retrying sooner than a second only
 * re-reads /proc/pressure/memory to hear "still on". */
#define KSWAPD_BRAKE_WAIT_USEC_DEFAULT (UINT64_C(1000) * 1000)
/* A kernel-balanced run that freed nothing doubles the next wait, up to
 * this shift (2^5 = 32 brake waits: 32 s, the daemon's brake wait being
 * 1 s): a node between the kernel's high marks and ours with nothing but
 * anonymous memory above the kernel's marks would otherwise run once a
 * wait, each run a full descent of empty passes, for as long as it stays
 * there. Past its first brake wait such a longer wait also ends when the
 * node's file LRU grows by BALANCE_CLUSTER_PAGES (something to take again),
 * a wake other than the watermark monitor's comes, or params change
 * (kswapd_hold()). */
#define KSWAPD_EMPTY_HOLD_SHIFT_MAX 5u
/* Between a run's passes the zones' free pages alone may be read (backend
 * zone_free()) while the last full zoneinfo snapshot is younger than this:
 * its marks, their boost and the LRU sizes hold that long at most. The
 * monitor's own zoneinfo read is a second apart when free memory is twice
 * the low mark, and a run's end always reads the whole file. */
#define KSWAPD_SNAPSHOT_MAX_AGE_USEC (UINT64_C(1000) * 1000)
/* The sleep check before the nap takes the whole snapshot read after the
 * run's last write while it is younger than this: the run's end read the
 * file moments before, and the check after the nap reads it again
 * (prepare_kswapd_sleep() reads the zones' counters; ours read a file
 * twice in a row, one of a run's four or five zoneinfo reads in the 6.18
 * application benchmark). */
#define KSWAPD_SNAPSHOT_REUSE_USEC (UINT64_C(10) * 1000)
/* Pass as node to act on every node. */
#define KSWAPD_ALL_NODES (-1)

enum kswapd_thread_state {
	KSWAPD_STATE_STARTING,
	KSWAPD_STATE_SHORT_SLEEP, /* balanced: the 100 ms nap */
	KSWAPD_STATE_SLEEPING,    /* until woken */
	KSWAPD_STATE_BALANCING,   /* balance_pgdat() at kswapd_state.priority */
	KSWAPD_STATE_PAUSED,      /* in the refrigerator */
	KSWAPD_STATE_HOPELESS,    /* sleeping with kswapd_failures >= 16 */
	KSWAPD_STATE_BRAKED,      /* waiting out the system pressure brake */
	KSWAPD_STATE_STOPPED,
	_KSWAPD_STATE_MAX,
};

const char *kswapd_thread_state_to_string(enum kswapd_thread_state s);

enum kswapd_event_type {
	KSWAPD_EVENT_WAKE,        /* request consumed: reasons, boost, zoneidx */
	KSWAPD_EVENT_RUN_START,   /* zoneidx, boost owed */
	KSWAPD_EVENT_SHRINK,      /* req, res, error */
	KSWAPD_EVENT_RUN_END,     /* result */
	KSWAPD_EVENT_SHORT_SLEEP, /* about to nap */
	KSWAPD_EVENT_SLEEP,       /* about to sleep until woken */
	KSWAPD_EVENT_PREMATURE,   /* premature_low: woken in the nap (LOW_WMARK),
				   * else not balanced after it (HIGH_WMARK) */
	KSWAPD_EVENT_FROZEN,      /* entering the refrigerator */
	KSWAPD_EVENT_THAWED,
	KSWAPD_EVENT_STOPPED,     /* last event of a thread */
	KSWAPD_EVENT_BRAKED,      /* about to wait out the system brake */
	KSWAPD_EVENT_COMPACT,     /* compaction: compact reason, error */
	_KSWAPD_EVENT_MAX,
};

const char *kswapd_event_type_to_string(enum kswapd_event_type t);

/* Flat and fixed-size so that the callback can copy it into a ring. */
struct kswapd_event {
	enum kswapd_event_type type;
	int node;
	uint64_t time_usec;               /* CLOCK_MONOTONIC */
	unsigned highest_zoneidx;         /* WAKE, RUN_START */
	unsigned reasons;                 /* WAKE: 1u << enum balance_wake_reason;
					   * RUN_START, RUN_END: the run's (its
					   * wake's; for a run with none, the run
					   * before it's if that did not balance,
					   * else the watermark's) */
	uint64_t boost_bytes;             /* WAKE: requested; RUN_START: owed */
	struct shrink_request req;        /* SHRINK (req.cgroup is NULL) */
	struct shrink_result res;         /* SHRINK */
	int error;                        /* SHRINK: backend's negative errno */
	struct balance_result result;     /* RUN_END */
	bool premature_low;               /* PREMATURE */
	enum compact_reason compact;      /* COMPACT */
	/* The thread that emitted it waits next, for a wake, a thaw, the end
	 * of a hold (RUN_END of a kernel-balanced run; BRAKED, which follows
	 * a braked run's) or its end, or kcompactd for its next request
	 * (COMPACT): nothing it
	 * emits may follow for long (the manager's batches of events). Not
	 * for a nap (SHORT_SLEEP): the nap is short_sleep_usec at most. */
	bool waits;
};

/*
 * config.event is called from the node threads, concurrently for different nodes, with no
 * engine lock held. It must not allocate, block or call back into kswapd_*
 * for long: the manager copies the event into a fixed ring (written under its
 * own mutex, read by the event loop) and returns.
 */

struct kswapd_node_config {
	int node;         /* kernel node id */
	cpu_set_t cpus;   /* from nodeN/cpulist; empty: no pinning */
	/* [Node N] overrides; NULL: kswapd_config.params. */
	const struct balance_params *params;
};

struct kswapd_config {
	const struct kswapd_node_config *nodes;
	unsigned n_nodes;                 /* 1..ZONEINFO_MAX_NODES */
	struct reclaim_backend backend;
	struct balance_params params;
	/* The kernel has proactive compaction (features.proactive_compaction):
	 * no compaction for fragmented free memory (compact.h). */
	bool kernel_compacts_fragmented;
	/* The kernel's node-reclaim minimums at start (known false: none;
	 * kswapd_set_node_reclaim_limits() later). */
	struct node_reclaim_limits node_reclaim;
	uint64_t short_sleep_usec;        /* 0: KSWAPD_SHORT_SLEEP_USEC_DEFAULT */
	uint64_t brake_wait_usec;         /* 0: KSWAPD_BRAKE_WAIT_USEC_DEFAULT */
	uint64_t snapshot_max_age_usec;   /* 0: KSWAPD_SNAPSHOT_MAX_AGE_USEC */
	uint64_t snapshot_reuse_usec;     /* 0: KSWAPD_SNAPSHOT_REUSE_USEC */
	void (*event)(const struct kswapd_event *ev, void *userdata); /* or NULL */
	void *event_userdata;
};

/* A consistent copy of one node's state for status and metrics. */
struct kswapd_state {
	int node;
	enum kswapd_thread_state state;
	int priority;                     /* BALANCING: current sc.priority */
	bool paused;                      /* pause requested */
	bool hopeless;
	unsigned failures;                /* kswapd_failures */
	uint64_t boost_ledger_bytes;
	struct balance_request pending;   /* not yet consumed */
	uint64_t last_progress_usec;      /* heartbeat, CLOCK_MONOTONIC */
	uint64_t state_since_usec;
	struct balance_counters counters;
	struct balance_pace pace;         /* the monitor's pacing measure */
	/* Consecutive kernel-balanced runs that freed nothing, and the length
	 * of the wait after the last held run (kswapd_hold()); 0: none yet. */
	unsigned empty_runs;
	uint64_t hold_usec;
	unsigned pcp_share;               /* balance_node.pcp_share */
};

struct kswapd;

/* Validates the config (params, node ids unique), allocates everything and
 * starts one thread per node. -EINVAL on a bad config, -ENOMEM, or the
 * pthread error (negative). */
int kswapd_new(const struct kswapd_config *c, struct kswapd **ret);
/* Ask every thread to stop (kthread_should_stop); returns at once. A thread
 * inside a backend write stops when the write returns. */
void kswapd_stop(struct kswapd *k);
/* kswapd_stop() and join; NULL-safe; returns NULL. */
struct kswapd *kswapd_free(struct kswapd *k);

/* wakeup_kswapd(): merge the request and wake the node if it is asleep.
 * A hopeless node ignores watermark and PSI wakes (counted). In dry run,
 * automatic wakes are paced (balance_wake_paced()). -ENOENT for an
 * unknown node; KSWAPD_ALL_NODES wakes every node. */
int kswapd_wake(struct kswapd *k, int node, const struct balance_request *w);
/* An operator's node reclaim finished (balance_node_manual_reclaim()):
 * clears the node's failures if it reclaimed anything and wakes it, hopeless
 * or not. -ENOENT for an unknown node. */
int kswapd_manual_reclaim(struct kswapd *k, int node, uint64_t reclaimed_bytes);
/* The freezer: a paused node finishes its current write and sleeps until
 * resumed or stopped. */
int kswapd_pause(struct kswapd *k, int node);
int kswapd_resume(struct kswapd *k, int node);
/* The monitor's fresh snapshot, taken at now_usec (CLOCK_MONOTONIC):
 * updates the node's pacing measure (*ret_pace_pages: its lead, may be
 * NULL; others_reclaimed_bytes: what writers other than the node's runs,
 * offload and an operator's cgroup reclaim, reclaimed from the node so
 * far, cumulative: balance_pace_update()), lets a hopeless node whose free
 * memory recovered on its own be
 * woken again, and says whether the monitor should wake the node (enum
 * balance_monitor_wake, > 0: BELOW_LOW wakes with BALANCE_WAKE_WATERMARK,
 * KERNEL_BOOST with BALANCE_WAKE_KERNEL_BOOST). Never wakes the thread
 * itself. -ENOENT for an unknown node. */
int kswapd_observe(struct kswapd *k, const struct node_zoneinfo *n,
		   uint64_t others_reclaimed_bytes, uint64_t now_usec, uint64_t *ret_pace_pages);
/* A cgroup walk found cgroups it did not have. A node whose file watch a
 * run that took nothing turned off (the growth that ended its wait was
 * page cache it could not take) gets one more run for it: the growth may
 * have been theirs, charged before the walk (kswapd_hold()). */
void kswapd_cgroups_added(struct kswapd *k);
/* Whether the node's thread is in a backed-off wait (the second or later
 * after empty kernel-balanced runs, kswapd_hold()): it waits for the node
 * to fall below the kernel's own high marks or for page cache, so the
 * monitor may watch it by the kernel's marks rather than ours. False for
 * an unknown node. */
bool kswapd_backing_off(struct kswapd *k, int node);
/* The kernel's node-reclaim minimums (nodereclaim.h), applied by each node
 * at its next run: a node-file pass on a node they gate goes to
 * memory.reclaim without the write (shrink_request.node_file_gated). Until
 * set, or with known false, no pass is judged gated. */
void kswapd_set_node_reclaim_limits(struct kswapd *k, const struct node_reclaim_limits *l);
/* New params, applied by each node at its next run. -EINVAL if invalid. */
int kswapd_set_params(struct kswapd *k, const struct balance_params *p);
void kswapd_get_params(struct kswapd *k, struct balance_params *ret);
/* The same for one node ([Node N] overrides); -ENOENT for an unknown node. */
int kswapd_set_node_params(struct kswapd *k, int node, const struct balance_params *p);
int kswapd_get_node_params(struct kswapd *k, int node, struct balance_params *ret);

unsigned kswapd_n_nodes(const struct kswapd *k);
/* By index 0..n_nodes-1 (-ENOENT beyond); *ret untouched on failure. */
int kswapd_get_state(struct kswapd *k, unsigned index, struct kswapd_state *ret);

/* For the systemd watchdog: the node id of a thread that has been inside one
 * backend call (or otherwise awake without progress) for longer than
 * limit_usec at now_usec, or -ENOENT if every thread is alive. A sleeping or
 * paused thread is alive. */
int kswapd_find_stalled(struct kswapd *k, uint64_t now_usec, uint64_t limit_usec);
