/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The cgroup v2 memory hierarchy: discovery (libcgroup, then statfs to make
 * sure it is cgroup2, which libcgroup does not: on a hybrid host it returns
 * the v1 memory mount), a walk that builds the candidate table with kept file
 * descriptors, and the reads the actuator makes on them.
 *
 * All control-file I/O is openat() at scan time, then pread()/pwrite() on the
 * kept fds: libcgroup's value API re-opens every file, truncates at 4 KiB and
 * hides EAGAIN. The walk opens directories with O_NOFOLLOW and never follows
 * symlinks. cgroup_rescan() runs on a slow timer or on cgroup.events, never on
 * the reclaim path.
 *
 * Threads: node threads hold the read lock (cgroup_set_lock_shared) while
 * they use the table; cgroup_rescan() builds the new table without the lock
 * and swaps it under the write lock, so it waits for in-flight writes (each a
 * bounded step). The read lock keeps a candidate alive, it does not make its
 * fields private: every node thread, the offload thread and the loop read
 * the same candidate at once. So the readers below write nothing shared
 * (but gone, which is atomic): they fill the caller's struct cgroup_state, which the caller
 * merges into cg->state with cgroup_state_publish() under the lock that
 * guards it (the actuator's, as for brake, acct and offload).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brake.h"
#include "macro.h"
#include "memstat.h"
#include "offload.h"
#include "overlap.h"
#include "target.h"

/* cgroup paths below the mount; systemd's deepest are well under 512. */
#define CGROUP_PATH_MAX 512
/* Candidates kept; more are dropped with a warning at scan time. */
#define CGROUP_CANDIDATES_MAX_DEFAULT 4096
/* Directory depth of the walk (systemd nests about 6 deep). */
#define CGROUP_WALK_DEPTH_MAX 32

enum cgroup_file {
	CGROUP_FILE_RECLAIM,
	CGROUP_FILE_NUMA_STAT,
	CGROUP_FILE_STAT,
	CGROUP_FILE_PRESSURE,
	CGROUP_FILE_MIN,
	CGROUP_FILE_LOW,
	CGROUP_FILE_CURRENT,
	CGROUP_FILE_EVENTS,
	CGROUP_FILE_SWAP_CURRENT, /* absent without swap accounting */
	_CGROUP_FILE_MAX,
};

const char *cgroup_file_to_string(enum cgroup_file f); /* "memory.reclaim" */

struct cgroup_rule {
	const char *path; /* below the cgroup mount, with or without leading '/' */
	struct cgroup_policy policy;
};

/* Accounting, for `reclaimctl cgroups`. */
struct cgroup_account {
	uint64_t requested_bytes;  /* asked of memory.reclaim (or decided, dry run) */
	uint64_t reclaimed_bytes;  /* measured from memory.stat pgsteal */
	uint64_t nr_writes;
	uint64_t nr_partial;       /* EAGAIN answers */
	uint64_t nr_errors;
	uint64_t nr_dry_run;       /* decisions not written (dry run) */
	uint64_t nr_braked;        /* times skipped by the pressure brake */
	uint64_t last_usec;        /* CLOCK_MONOTONIC of the last decision */
	uint64_t pressure_some_total_usec; /* memory.pressure some total at it */
};

/* The parts of a cgroup's state that one read filled (a bit each). */
enum {
	CGROUP_STATE_PRESSURE = 1u << 0, /* memory.pressure */
	CGROUP_STATE_GUARD = 1u << 1,    /* memory.min, memory.low */
	CGROUP_STATE_USAGE = 1u << 2,    /* memory.current */
	CGROUP_STATE_NODES = 1u << 3,    /* memory.numa_stat */
	CGROUP_STATE_ALL = CGROUP_STATE_PRESSURE | CGROUP_STATE_GUARD | CGROUP_STATE_USAGE |
			   CGROUP_STATE_NODES,
};

/* What the cgroup_read_*() functions read: into a caller's copy, then
 * published into the candidate (cgroup_state_publish()). Only the parts
 * named in parts hold a value. */
struct cgroup_state {
	unsigned parts;             /* CGROUP_STATE_* filled */
	/* USAGE */
	uint64_t current_bytes;
	/* NODES */
	uint64_t node_file_bytes[MEMSTAT_MAX_NODES];
	uint64_t node_anon_bytes[MEMSTAT_MAX_NODES];
	/* GUARD */
	uint64_t min_bytes, low_bytes;
	/* PRESSURE */
	uint64_t pressure_some_total_usec;
	/* memory.pressure avg10 at that read, hundredths of a percent, for
	 * `reclaimctl cgroups` (the brakes use the totals). */
	uint32_t pressure_some_avg10, pressure_full_avg10;
	/* memory.pressure reads published so far, by any thread: the loop's
	 * brake sample leaves out a cgroup another thread read since its last
	 * sample (actuator_sample_brakes()). */
	uint32_t nr_pressure_reads;
	/* When it was read, on the actuator's clock (0: not known). */
	uint64_t pressure_read_usec;
};

struct cgroup_candidate {
	char path[CGROUP_PATH_MAX]; /* below the mount, "" = the root cgroup */
	int dir_fd;                 /* closed once the files are open: -1 */
	int fd[_CGROUP_FILE_MAX];   /* -1 where the file is absent (root) */
	struct cgroup_policy policy;
	/* The last read of each part, as published (under the actuator's
	 * lock once its threads run: any of them may publish a read). */
	struct cgroup_state state;
	struct brake brake;
	bool brake_reported; /* the brake state last reported (the loop's) */
	uint32_t pressure_reads_sampled; /* state.nr_pressure_reads at the loop's last sample */
	struct cgroup_account acct;
	/* ENOENT/ENODEV seen: skipped until the rescan drops it. Set by
	 * whichever thread sees it and read by all, with the table's read
	 * lock only: cgroup_gone() and cgroup_check_gone(), atomic. */
	bool gone;
	/* memory.reclaim writes on it from any thread (actuator.c): its
	 * pgsteal delta over a write counts an overlapping one's too. */
	struct overlap writes;
	/* Offload= (actuator.c's offload pass; under the actuator's lock). */
	struct offload_state offload;
	enum offload_state_kind offload_reported; /* the loop's, for events */
	uint64_t offload_requested_bytes, offload_reclaimed_bytes;
	/* Offload's writes since the loop last reported them (watch `write`
	 * events: actuator_report_offload_writes()). */
	struct cgroup_offload_writes {
		unsigned nr_steps;         /* controller steps taken (dry run: decided) */
		uint64_t requested_bytes;
		uint64_t reclaimed_bytes;  /* measured */
		int swappiness;            /* asked: 0..200 or SWAPPINESS_KERNEL_DEFAULT */
		bool swappiness_dropped;   /* the kernel has no swappiness= */
		bool partial;              /* a write answered EAGAIN */
		bool dry_run;
		int error;                 /* the last pass-ending errno, or 0 */
		uint64_t last_usec;        /* CLOCK_MONOTONIC of the last */
	} offload_unreported;
};

struct cgroup_config {
	const char *root;         /* --root prefix; NULL or "/" = this host */
	const char *mount;        /* cgroup2 mount below root; NULL = discover */
	bool skip_fs_check;       /* fixture trees are not cgroup2 filesystems */
	const char *const *targets; /* configured targets; none = all leaves */
	size_t n_targets;
	const struct cgroup_rule *rules;
	size_t n_rules;
	size_t max_candidates;    /* 0 = CGROUP_CANDIDATES_MAX_DEFAULT */
	/* The policy of a candidate by path (the config's glob sections),
	 * asked on every walk before the exact-path rules; NULL: none. */
	void (*policy)(void *userdata, const char *path, struct cgroup_policy *ret);
	void *policy_userdata;
	/* Where the daemon's own cgroup is read from ("0::PATH"), on every
	 * walk; NULL: ROOT/proc/self/cgroup, "": none. */
	const char *self_file;
};

struct cgroup_set {
	char mount[4096];          /* absolute path of the cgroup2 mount */
	int root_fd;               /* O_PATH|O_DIRECTORY on it */
	struct cgroup_config cfg;  /* copied; strings owned by the caller */
	pthread_rwlock_t lock;
	struct cgroup_candidate **cgroups;   /* the candidate table */
	size_t n_cgroups;
	size_t n_skipped;          /* left out by the last walk: could not be opened */
	/* The daemon's own cgroup, left out of the table by the last walk
	 * (relative to mount); "" when none was. */
	char self[CGROUP_PATH_MAX];
	uint64_t nr_scans;
	uint64_t nr_scans_added;   /* walks (after the first) that found new cgroups */
};

/*
 * Find the cgroup2 mount that has the memory controller. Returns 0 and the
 * mount's absolute path, -ENOMEDIUM when there is no cgroup v2 memory
 * hierarchy (cgroup v1 or hybrid host), other negative errno on failure.
 */
int cgroup_discover(const struct cgroup_config *cfg, char *ret_path, size_t size);

/* Discover, walk once. */
int cgroup_set_new(const struct cgroup_config *cfg, struct cgroup_set **ret);
struct cgroup_set *cgroup_set_free(struct cgroup_set *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cgroup_set *, cgroup_set_free);

/* Re-walk; policies re-applied, accounting and brake state carried over by
 * path. Returns the number of candidates. cgroup_rescan() waits for the
 * node threads' in-flight writes (the swap takes the write lock);
 * cgroup_rescan_try() returns -EBUSY instead, for the event loop, which
 * must not block: try again on the next timer. */
int cgroup_rescan(struct cgroup_set *s);
int cgroup_rescan_try(struct cgroup_set *s);

void cgroup_set_lock_shared(struct cgroup_set *s);
void cgroup_set_unlock(struct cgroup_set *s);
/* Wait until no thread holds the read lock it held at the call (take and
 * drop the write lock): what a reader read under it before the call, e.g.
 * through the policy callback, is no longer in use after it. Blocks the
 * caller for at most the readers' bounded steps. */
void cgroup_set_quiesce(struct cgroup_set *s);
/* Look up a candidate by path (leading '/' optional); with the lock held. */
struct cgroup_candidate *cgroup_set_find(struct cgroup_set *s, const char *path);

/* Give cg the config's policy for its path (the policy callback, then the
 * exact-path rules), as the walk does for every candidate. */
void cgroup_set_apply_policy(struct cgroup_set *s, struct cgroup_candidate *cg);

/*
 * May an operator's reclaim of path touch protected memory? True when the
 * config protects path itself (Protect=yes, its own or an ancestor's) or
 * any candidate below it: memory.reclaim on a parent reclaims from its
 * whole subtree. ret_which (may be NULL) gets the protected cgroup. With
 * the lock held.
 */
bool cgroup_set_protected(struct cgroup_set *s, const char *path, char *ret_which, size_t size);

/*
 * Validate an operator's cgroup path and open its directory: it must resolve
 * beneath the root (no "..", no symlinks; openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS, or component-wise O_NOFOLLOW before 5.6).
 * Slow path only.
 */
int cgroup_path_open(int root_fd, const char *path, int *ret_fd);
/* The fallback alone (exposed for tests). */
int cgroup_path_open_nofollow(int root_fd, const char *path, int *ret_fd);

/* Open a cgroup's control files (dir_fd taken over). Slow path only. */
int cgroup_candidate_open(int dir_fd, const char *path, struct cgroup_candidate **ret);
struct cgroup_candidate *cgroup_candidate_free(struct cgroup_candidate *cg);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cgroup_candidate *, cgroup_candidate_free);

/*
 * Read memory.current/min/low, memory.numa_stat and memory.pressure into
 * *ret (parts CGROUP_STATE_ALL), with buf (size bytes) and *numa as
 * scratch; no allocation, no open. cg->state is not touched: publish *ret.
 * *ret is left alone on failure; a cgroup that vanished gets gone = true
 * and -ENODEV.
 */
int cgroup_read_state(struct cgroup_candidate *cg, char *buf, size_t size, struct memstat_numa *numa,
		      struct cgroup_state *ret);

/*
 * cgroup_read_state() without memory.numa_stat (and the memcg stat flush
 * its read costs): parts USAGE, GUARD and PRESSURE, for a judgement that
 * needs the node split only if it goes on to write (offload). -EOPNOTSUPP
 * for the root cgroup, whose usage is its LRU size from memory.numa_stat.
 */
int cgroup_read_state_no_nodes(struct cgroup_candidate *cg, char *buf, size_t size,
			       struct cgroup_state *ret);

/* memory.numa_stat alone: parts NODES of *ret. */
int cgroup_read_nodes(struct cgroup_candidate *cg, char *buf, size_t size, struct memstat_numa *numa,
		      struct cgroup_state *ret);

/*
 * memory.min, memory.low and memory.pressure (three of cgroup_read_state()'s
 * five files, without memory.numa_stat and its memcg stat flush), parts
 * GUARD and PRESSURE of *ret: the part of cgroup_read_state() before the
 * usage. (A skipped candidate's guard before the node file reads its
 * memory.pressure alone, cgroup_read_pressure(): census.h.) No allocation,
 * no open; *ret is left alone on failure; a vanished cgroup gets gone =
 * true and -ENODEV.
 */
int cgroup_read_guard(struct cgroup_candidate *cg, char *buf, size_t size,
		      struct cgroup_state *ret);

/* memory.pressure alone (the brakes' sampling), part PRESSURE of *ret; no
 * allocation, no open; *ret is left alone on failure. */
int cgroup_read_pressure(struct cgroup_candidate *cg, char *buf, size_t size,
			 struct cgroup_state *ret);

/* Merge a read into a candidate's published state: the parts src filled
 * replace dst's, the others stay as an earlier read left them. Pure; the
 * caller holds the lock that guards dst (the actuator's). */
void cgroup_state_publish(struct cgroup_state *dst, const struct cgroup_state *src);

/* memory.stat workingset_refault_anon + _file (pages): what came back
 * after reclaim, offload's sign of a growing working set. */
int cgroup_read_refaults(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_pages);

/* memory.current (bytes; 0 for the root, which has none). */
int cgroup_read_current(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_bytes);

/* memory.swap.current (bytes): offload's swap-ins, where it falls.
 * -EOPNOTSUPP where the file is absent (the root cgroup, a kernel without
 * swap accounting). */
int cgroup_read_swap(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_bytes);

/* memory.stat pgsteal total (pages): what the kernel reclaimed from the
 * cgroup by any reclaimer; the actuator takes deltas around its writes. */
int cgroup_read_pgsteal(struct cgroup_candidate *cg, char *buf, size_t size, uint64_t *ret_pages);

/* The floor: max(memory.min, memory.low, Floor=). */
uint64_t cgroup_floor(const struct cgroup_state *st, const struct cgroup_policy *policy);

/* Mark gone when r is ENOENT/ENODEV (the cgroup was removed); returns r.
 * Any thread. */
int cgroup_check_gone(struct cgroup_candidate *cg, int r);

/* Has a read or write found cg removed? Any thread. Relaxed: gone only
 * ever goes from false to true, and a thread that sees it late makes one
 * more read or write that fails with ENOENT/ENODEV, which is handled. */
static inline bool cgroup_gone(const struct cgroup_candidate *cg)
{
	return __atomic_load_n(&cg->gone, __ATOMIC_RELAXED);
}
