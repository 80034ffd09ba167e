/* SPDX-License-Identifier: GPL-2.0-only */

#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "actuator.h"
#include "census.h"
#include "log.h"
#include "psi.h"
#include "target.h"
#include "util.h"

/* memory.stat and memory.numa_stat are 2-5 KiB on 6.x; /proc/vmstat about
 * 5 KiB. 64 KiB leaves room for 64-node numa_stat files. */
#define ACTUATOR_BUF_BYTES (64 * 1024)

struct actuator_node {
	bool present;
	int reclaim_fd;                   /* nodeN/reclaim, -1 if absent */
	int compact_fd;                   /* nodeN/compact, -1 if absent */
	struct brake_quota quota;
	struct actuator_node_stats stats;
	char *buf;                        /* scratch, allocated at start */
	struct memstat_numa *numa;
	struct target_candidate *cands;
	struct cgroup_candidate **cand_cg;
	struct cgroup_candidate **skipped; /* live, not read this pass */
	bool *deferred;                   /* ... of those, CENSUS_READ_DEFERRED */
	size_t cands_max;
	struct census census;             /* census.h: which candidates a pass reads */
	bool dry_run;                     /* this call: config or request */
	/* This call: the paused nodes other than this one, which a
	 * memory.reclaim write of its pass must spare (pass_paused_nodes()). */
	uint64_t spare_nodes;
	/* actuator_set_limits(): the rate the next shrink starts (a->lock). */
	uint64_t rate_next_bytes_per_sec;
	bool rate_changed;
	/* StepSize=: the node's (a->lock), and this call's largest write
	 * (the node's, or the cgroup-wide one for offload and an operator's
	 * cgroup reclaim). */
	uint64_t step_bytes;
	uint64_t call_step_bytes;
	/* The balance run (shrink_request.run) in which the node file fell
	 * short (target_node_file_stalled()): spread until the next run tries
	 * it again. 0: none. */
	uint64_t node_file_stalled_run;
	/* Passes judged gated (shrink_request.node_file_gated): when the
	 * last one was checked by a write anyway, or the first was judged
	 * (gate_judge()); the checks in a row the kernel's answer refuted. */
	uint64_t gate_check_usec;
	unsigned gate_misses;
	/* Reclaim of this node by writes other than its own passes: the
	 * cgroup-wide context's (offload's, an operator's cgroup reclaim)
	 * and other nodes' passes over memory.reclaim, attributed to this
	 * node (offload_attribute()), cumulative, for the node's pacing:
	 * atomic. */
	uint64_t cgroup_wide_reclaimed_bytes;
	/* /proc/pressure/memory's some total as this call read it
	 * (system_braked()), and as the last census or guard of this node
	 * read it, when every live candidate had just been read: while the
	 * two are equal no task has stalled since, so no skipped candidate's
	 * brake can have engaged and the guard reads are spared
	 * (guard_calm()). The _read flags: the value is known. */
	uint64_t pass_system_some_usec, all_read_system_some_usec;
	bool pass_system_some_read, all_read_system_some_read;
	/* The monitor's last read had the node below our own high marks
	 * (actuator_set_below_high()), and how many times it has seen the
	 * node go below them: a quota wait ends on a new fall, not on a flag
	 * that may be older than the pass's own snapshot. Atomic. */
	bool below_high;
	unsigned below_high_falls;
};

struct actuator {
	struct actuator_config cfg;
	long page_size;
	int vmstat_fd;                    /* /proc/vmstat: pgsteal_proactive */
	int pressure_fd;                  /* /proc/pressure/memory */
	/* Brakes, accounting, features, and of each candidate the fields
	 * every thread shares (cgroup.h): state, brake, acct, offload. */
	pthread_mutex_t lock;
	struct brake system_brake;
	bool warned_permission;
	/* Every reclaim write (node files, memory.reclaim): /proc/vmstat's
	 * pgsteal_proactive, which measures a node-file write, counts them all.
	 * node_file_writes: the node-file writes alone, which a cgroup's
	 * pgsteal counts too (its pages on that node), watched by cgroup
	 * writes. */
	struct overlap proactive_writes, node_file_writes;
	/* Paused nodes (bit = node id), stored by the loop
	 * (actuator_set_paused_nodes()). Offload must not take from them:
	 * read by the offload thread before each judgement and again just
	 * before each write, so a pause stops a pass already under way
	 * within one write. Nor must a node pass's memory.reclaim writes,
	 * which take from every node of a cgroup: read at the start of the
	 * pass and again before each cgroup's write. */
	uint64_t paused_nodes_mask;
	uint64_t cgroup_step_bytes;       /* actuator_limits (a->lock) */
	bool stopping;                    /* actuator_stop() */
	/* A run's node pass waiting for the rate quota's tokens waits on
	 * this, so that the node falling below our own high marks
	 * (actuator_set_below_high()) or a stop ends the wait. */
	pthread_mutex_t quota_lock;
	pthread_cond_t quota_cond;        /* CLOCK_MONOTONIC */
	/* ACTUATOR_GATE_MISSES checks in a row found a node judged gated
	 * reclaiming by its node file: passes are no longer judged (atomic). */
	bool gate_off;
	char sample_buf[512];             /* actuator_sample_brakes(): the loop's */
	/* /proc/pressure/memory some total at the last brake sample (the
	 * loop's alone, as sample_buf); sample_system_read: it was read. */
	uint64_t sample_system_some_usec;
	bool sample_system_read;
	struct actuator_node nodes[MEMSTAT_MAX_NODES];
	/* The cgroup-wide context (present with cgroups): offload's and an
	 * operator's cgroup reclaim, whose memory.reclaim writes take from
	 * every node of a cgroup and belong to none. Its own scratch, rate
	 * quota ([Reclaim] RateLimit=) and counters, so that a node's pass
	 * never waits for their writes (which can take seconds) nor they for
	 * it. Its callers are serialised by the caller, as a node's are. */
	struct actuator_node cgroup_wide;
};

/* ---- configuration ---- */

void actuator_config_defaults(struct actuator_config *cfg)
{
	if (cfg->step_bytes == 0)
		cfg->step_bytes = ACTUATOR_STEP_BYTES_DEFAULT;
	if (cfg->min_write_bytes == 0)
		cfg->min_write_bytes = ACTUATOR_MIN_WRITE_BYTES_DEFAULT;
	if (cfg->cgroup_brake.window_usec == 0)
		cfg->cgroup_brake.window_usec = ACTUATOR_BRAKE_WINDOW_USEC_DEFAULT;
	if (cfg->cgroup_brake.limit_usec == 0)
		cfg->cgroup_brake.limit_usec = ACTUATOR_CGROUP_PRESSURE_LIMIT_USEC_DEFAULT;
	if (cfg->system_brake.window_usec == 0)
		cfg->system_brake.window_usec = ACTUATOR_BRAKE_WINDOW_USEC_DEFAULT;
	if (cfg->system_brake.limit_usec == 0)
		cfg->system_brake.limit_usec = ACTUATOR_SYSTEM_PRESSURE_LIMIT_USEC_DEFAULT;
}

static uint64_t actuator_now(struct actuator *a)
{
	return a->cfg.clock ? a->cfg.clock(a->cfg.hook_userdata) : now_usec();
}

static void actuator_sleep(struct actuator *a, uint64_t usec)
{
	struct timespec ts = { .tv_sec = (time_t)(usec / USEC_PER_SEC),
			       .tv_nsec = (long)(usec % USEC_PER_SEC * NSEC_PER_USEC) };

	if (a->cfg.sleep) {
		a->cfg.sleep(a->cfg.hook_userdata, usec);
		return;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR &&
	       !__atomic_load_n(&a->stopping, __ATOMIC_RELAXED))
		;
}

void actuator_stop(struct actuator *a)
{
	__atomic_store_n(&a->stopping, true, __ATOMIC_RELAXED);
	pthread_mutex_lock(&a->quota_lock);
	pthread_cond_broadcast(&a->quota_cond);
	pthread_mutex_unlock(&a->quota_lock);
}

void actuator_set_below_high(struct actuator *a, int node, bool on)
{
	struct actuator_node *n;

	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return;
	n = &a->nodes[node];
	if (__atomic_exchange_n(&n->below_high, on, __ATOMIC_RELAXED) == on || !on)
		return;
	pthread_mutex_lock(&a->quota_lock);
	__atomic_add_fetch(&n->below_high_falls, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&a->quota_cond);
	pthread_mutex_unlock(&a->quota_lock);
}

bool actuator_below_high(struct actuator *a, int node, unsigned *ret_falls)
{
	const struct actuator_node *n;

	*ret_falls = 0;
	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return false;
	n = &a->nodes[node];
	*ret_falls = __atomic_load_n(&n->below_high_falls, __ATOMIC_RELAXED);
	return __atomic_load_n(&n->below_high, __ATOMIC_RELAXED);
}

/* The quota's wait of a run's node pass (a boost's: the watermark job does
 * not wait): ends early where the monitor sees the node fall below our own
 * high marks meanwhile (the pass takes the tokens there are; the run's next
 * pass, planned below them, is quota_watermark_job()'s) or the daemon
 * stops. True when cut so. */
static bool quota_sleep(struct actuator *a, struct actuator_node *n, uint64_t usec,
			bool run_pass)
{
	struct timespec deadline;
	bool cut = false;
	unsigned falls;
	uint64_t end;

	if (!run_pass || a->cfg.sleep) {
		actuator_sleep(a, usec);
		return false;
	}
	end = now_usec() + usec;
	deadline = (struct timespec){ .tv_sec = (time_t)(end / USEC_PER_SEC),
				      .tv_nsec = (long)(end % USEC_PER_SEC * NSEC_PER_USEC) };
	pthread_mutex_lock(&a->quota_lock);
	falls = __atomic_load_n(&n->below_high_falls, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&a->stopping, __ATOMIC_RELAXED)) {
		cut = __atomic_load_n(&n->below_high_falls, __ATOMIC_RELAXED) != falls;
		/* ETIMEDOUT, or an error that would spin: the wait is over. */
		if (cut || pthread_cond_timedwait(&a->quota_cond, &a->quota_lock, &deadline) != 0)
			break;
	}
	pthread_mutex_unlock(&a->quota_lock);
	return cut;
}

/*
 * The rate quota throttles, it does not shorten: a pass cut short by the
 * quota would look to balance_pgdat() like reclaim failing, and it would
 * escalate priority and count failures until the node was hopeless, for no
 * fault of the kernel's. So wait for the tokens of one step, as DAMOS
 * quotas delay their next action: step / rate (32M at 128M/s is 250 ms),
 * longer by a debt an overshoot left. A stop ends the wait
 * (actuator_stop()); a pause does not.
 *
 * The step waited for is at most the bucket (one second of RateLimit= by
 * default): the bucket never holds more, so waiting for a StepSize= above
 * it would sleep past the refill that fills it, and a RateLimit=8M with
 * StepSize=32M would deliver 8M every 3 s.
 */
static uint64_t quota_wait(struct actuator *a, struct actuator_node *n, uint64_t want_bytes,
			   bool run_pass, uint64_t *now)
{
	uint64_t step = MIN(want_bytes, n->call_step_bytes), have, rate, before;

	step = MIN(step, n->quota.burst_bytes);
	rate = n->quota.rate_bytes_per_sec;
	have = brake_quota_available(&n->quota, want_bytes, *now);
	if (rate == 0 || have >= step)
		return have;
	/* The tokens of the step, and any debt an overshoot left. */
	before = actuator_now(a);
	if (quota_sleep(a, n,
			DIV_ROUND_UP(brake_quota_shortfall(&n->quota, step) * USEC_PER_SEC, rate),
			run_pass))
		__atomic_add_fetch(&n->stats.nr_quota_waits_cut, 1, __ATOMIC_RELAXED);
	*now = actuator_now(a);
	/* Seen in the stats: a node held back by RateLimit= falls behind
	 * the allocations, and the kernel's kswapd takes the rest. */
	__atomic_add_fetch(&n->stats.nr_quota_waits, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&n->stats.quota_wait_usec, *now > before ? *now - before : 0,
			   __ATOMIC_RELAXED);
	return brake_quota_available(&n->quota, want_bytes, *now);
}

/*
 * RateLimit= bounds what a node reclaims beyond its watermarks (a
 * PSIBoost= boost), not the watermark job itself, which the kernel's
 * kswapd does unbounded: a balance run's node pass below our own high
 * marks (wmark_deficit_bytes: the pacing lead and the kernel's watermark
 * boost in them) or the kernel's (kernel_deficit_bytes, the figure the
 * system brake's cut goes by) does not wait for tokens, and asks at least
 * what the node lacks to them; so does its soft-target pass, for what it
 * plans. Held back, that reclaim goes to kswapd, and an allocation burst
 * faster than the quota takes the node down toward its min mark, where
 * allocations stall in direct reclaim. In the synthetic benchmark, whose
 * stream alone asks about the default rate of each node, a daemon with no
 * quota at all spent about half the node-seconds below our low mark that
 * one with the quota did, at the same CPU per GiB; with this and the
 * soft-target pass's waits gone (shrink_soft_target()), about half too,
 * at less CPU per GiB (issue 14; docs/benchmarks.md "The rate quota and
 * the watermark job"). What the deficit took beyond the tokens there were is not
 * charged: a node held at its marks by allocations faster than the quota
 * would otherwise owe its boosts for as long again after. Reclaim beyond
 * the deficit, an overshoot, is charged as for any pass
 * (quota_exempt_charge()). Returns what the pass may ask, or 0 where the
 * quota decides as for any pass; *ret_due nonzero where the tokens did not
 * cover the deficit (*ret_tokens of them).
 */
static uint64_t quota_watermark_job(struct actuator_node *n, const struct shrink_request *req,
				    uint64_t ask, uint64_t now, uint64_t *ret_tokens,
				    uint64_t *ret_due)
{
	/* A balance run's ours is never the smaller (our marks sit on the
	 * kernel's); the MAX serves a request that gives the kernel's alone. */
	uint64_t deficit = MAX(req->wmark_deficit_bytes, req->kernel_deficit_bytes), due, have;

	*ret_tokens = *ret_due = 0;
	if ((req->kind != SHRINK_NODE && req->kind != SHRINK_SOFT_TARGET) || !req->run ||
	    deficit == 0 || n->quota.rate_bytes_per_sec == 0 || ask == 0)
		return 0;
	due = MIN(ask, deficit);
	have = brake_quota_available(&n->quota, ask, now);
	if (have < due) {
		*ret_tokens = have;
		*ret_due = due;
		__atomic_add_fetch(&n->stats.nr_quota_exempt, 1, __ATOMIC_RELAXED);
	}
	return MAX(have, due);
}

/* What an exempt pass is charged: what it took within the tokens there
 * were, and what it took beyond the deficit (an overshoot); what it took
 * of the deficit beyond the tokens is not charged. */
static uint64_t quota_exempt_charge(uint64_t charged, uint64_t tokens, uint64_t due)
{
	return MIN(charged, tokens) + (charged > due ? charged - due : 0);
}

/* Charge the quota for a pass: what the kernel reclaimed, which on 6.1 is
 * up to a third more than what memory.reclaim was asked (measured from the
 * pgsteal counters; the request where none can be read); a dry run, what
 * it would ask. Less, for a pass quota_watermark_job() let through (due
 * nonzero), what it took of the deficit beyond the tokens: no debt for
 * that. */
static void quota_charge_pass(struct actuator_node *n, const struct shrink_result *res,
			      uint64_t tokens, uint64_t due)
{
	uint64_t charged = n->dry_run ? res->nr_requested : res->nr_reclaimed;

	brake_quota_charge(&n->quota, due ? quota_exempt_charge(charged, tokens, due) : charged);
}

/* A write to a reclaim file; negative errno. */
static int actuator_write(struct actuator *a, int fd, const char *buf, size_t n)
{
	ssize_t k;

	if (a->cfg.write)
		k = a->cfg.write(a->cfg.hook_userdata, fd, buf, n);
	else
		k = pwrite(fd, buf, n, 0);
	if (k < 0)
		return negative_errno();
	return (size_t)k == n ? 0 : -EIO;
}

/* ---- set-up ---- */

static int open_under_root(const char *root, const char *path, int flags)
{
	char full[4096];
	int fd;

	if (path_join(full, sizeof(full), root, path) < 0)
		return -ENAMETOOLONG;
	fd = open(full, flags | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

static uint64_t discover_nodes(const char *root)
{
	uint64_t mask = 0;

	for (unsigned n = 0; n < MEMSTAT_MAX_NODES; n++) {
		char rel[64];
		int fd;

		snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%u", n);
		fd = open_under_root(root, rel, O_RDONLY | O_DIRECTORY);
		if (fd >= 0)
			mask |= UINT64_C(1) << n;
		safe_close(fd);
	}
	/* No sysfs node directories (CONFIG_NUMA=n): one node 0. */
	return mask ? mask : 1;
}

static int node_setup(struct actuator *a, unsigned id, size_t max_cands)
{
	struct actuator_node *n = &a->nodes[id];
	char rel[64];

	n->present = true;
	brake_quota_init(&n->quota, a->cfg.rate_bytes_per_sec, a->cfg.burst_bytes);
	n->reclaim_fd = -1;
	snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%u/compact", id);
	n->compact_fd = open_under_root(a->cfg.root, rel, O_WRONLY);
	/* Absent: a kernel without CONFIG_COMPACTION. Anything else (EROFS
	 * from a unit that does not list it in ReadWritePaths=, EACCES) is a
	 * promise not kept: say so once. */
	if (n->compact_fd < 0 && n->compact_fd != -ENOENT)
		log_notice_errno(n->compact_fd,
				 "Cannot open %s for writing (%m): node %u is not compacted after "
				 "boosted runs.",
				 rel, id);
	if ((a->cfg.features.node_reclaim_mask >> id) & 1) {
		snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%u/reclaim", id);
		n->reclaim_fd = open_under_root(a->cfg.root, rel, O_WRONLY);
		if (n->reclaim_fd < 0)
			log_debug_errno(n->reclaim_fd, "Cannot open %s: %m, ignoring.", rel);
	}
	n->buf = malloc(ACTUATOR_BUF_BYTES);
	n->numa = malloc(sizeof(*n->numa));
	n->cands = calloc(max_cands, sizeof(*n->cands));
	n->cand_cg = calloc(max_cands, sizeof(*n->cand_cg));
	n->skipped = calloc(max_cands, sizeof(*n->skipped));
	n->deferred = calloc(max_cands, sizeof(*n->deferred));
	if (!n->buf || !n->numa || !n->cands || !n->cand_cg || !n->skipped || !n->deferred)
		return -ENOMEM;
	n->cands_max = max_cands;
	return 0;
}

/* The cgroup-wide context: scratch for one cgroup's reads and a quota, no
 * node files, no candidate arrays (it plans nothing). */
static int cgroup_wide_setup(struct actuator *a)
{
	struct actuator_node *n = &a->cgroup_wide;

	n->present = true;
	n->reclaim_fd = n->compact_fd = -1;
	brake_quota_init(&n->quota, a->cfg.rate_bytes_per_sec, a->cfg.burst_bytes);
	n->buf = malloc(ACTUATOR_BUF_BYTES);
	n->numa = malloc(sizeof(*n->numa));
	return n->buf && n->numa ? 0 : -ENOMEM;
}

static void context_free(struct actuator_node *n)
{
	if (!n->present)
		return;
	safe_close(n->reclaim_fd);
	safe_close(n->compact_fd);
	free(n->buf);
	free(n->numa);
	free(n->cands);
	free(n->cand_cg);
	free(n->skipped);
	free(n->deferred);
}

struct actuator *actuator_free(struct actuator *a)
{
	if (!a)
		return NULL;
	for (unsigned i = 0; i < MEMSTAT_MAX_NODES; i++)
		context_free(&a->nodes[i]);
	context_free(&a->cgroup_wide);
	safe_close(a->vmstat_fd);
	safe_close(a->pressure_fd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->quota_cond);
	pthread_mutex_destroy(&a->quota_lock);
	free(a);
	return NULL;
}

int actuator_new(const struct actuator_config *cfg, struct actuator **ret)
{
	_cleanup_(actuator_freep) struct actuator *a = NULL;
	size_t max_cands;
	uint64_t mask;
	int r;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->quota_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&a->quota_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	a->cfg = *cfg;
	actuator_config_defaults(&a->cfg);
	a->page_size = sysconf(_SC_PAGESIZE);
	a->vmstat_fd = open_under_root(cfg->root, "/proc/vmstat", O_RDONLY);
	a->pressure_fd = open_under_root(cfg->root, "/proc/pressure/memory", O_RDONLY);
	max_cands = cfg->cgroups ? cfg->cgroups->cfg.max_candidates : 0;
	mask = cfg->node_mask ? cfg->node_mask : discover_nodes(cfg->root);
	a->cgroup_step_bytes = a->cfg.step_bytes;
	for (unsigned i = 0; i < MEMSTAT_MAX_NODES; i++) {
		a->nodes[i].step_bytes = a->cfg.step_bytes;
		if (!((mask >> i) & 1))
			continue;
		r = node_setup(a, i, max_cands);
		if (r < 0)
			return r;
	}
	if (cfg->cgroups) {
		r = cgroup_wide_setup(a);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(a);
	return 0;
}

void actuator_backend(struct actuator *a, struct reclaim_backend *backend)
{
	backend->shrink = actuator_shrink;
	backend->userdata = a;
}

/* ---- measurement ---- */

/* The kept-open /proc/vmstat, read into the node's buffer and parsed. */
static int read_vmstat(struct actuator *a, struct actuator_node *n, struct memstat *ret)
{
	ssize_t k;

	if (a->vmstat_fd < 0)
		return -EOPNOTSUPP;
	k = pread_file(a->vmstat_fd, n->buf, ACTUATOR_BUF_BYTES);
	if (k < 0)
		return (int)k;
	return memstat_parse(n->buf, (size_t)k, ret);
}

static int read_vmstat_pgsteal_proactive(struct actuator *a, struct actuator_node *n,
					 uint64_t *ret_pages)
{
	struct memstat st;
	int r;

	r = read_vmstat(a, n, &st);
	if (r < 0)
		return r;
	if (!memstat_has(&st, MEMSTAT_PGSTEAL_PROACTIVE))
		return -EOPNOTSUPP;
	*ret_pages = st.v[MEMSTAT_PGSTEAL_PROACTIVE];
	return 0;
}

/*
 * What one write reclaimed: the counter delta when the counter exists,
 * otherwise the kernel's word (success = at least what was asked, EAGAIN =
 * unknown, counted as 0).
 */
static uint64_t measured_bytes(struct actuator *a, int r_before, uint64_t before,
			       int r_after, uint64_t after, int r_write, uint64_t step)
{
	if (r_before >= 0 && r_after >= 0 && after >= before)
		return (after - before) * (uint64_t)a->page_size;
	return r_write == 0 ? step : 0;
}

/* ---- writes ---- */

static int format_request(char *buf, size_t size, uint64_t bytes, int swappiness)
{
	int k;

	if (swappiness == SWAPPINESS_KERNEL_DEFAULT)
		k = snprintf(buf, size, "%" PRIu64, bytes);
	else
		k = snprintf(buf, size, "%" PRIu64 " swappiness=%d", bytes, swappiness);
	return k < 0 || (size_t)k >= size ? -EINVAL : k;
}

static int effective_swappiness(struct actuator *a, int swappiness)
{
	bool ok;

	if (swappiness == SWAPPINESS_KERNEL_DEFAULT)
		return swappiness;
	pthread_mutex_lock(&a->lock);
	ok = a->cfg.features.reclaim_swappiness;
	pthread_mutex_unlock(&a->lock);
	/* Before 6.8 there is no way to ask for file-only reclaim; the
	 * kernel's vm.swappiness applies (without swap it is file-only). */
	return ok ? swappiness : SWAPPINESS_KERNEL_DEFAULT;
}

static void swappiness_unsupported(struct actuator *a)
{
	pthread_mutex_lock(&a->lock);
	if (a->cfg.features.reclaim_swappiness)
		log_notice("The kernel refused \"swappiness=\" in a reclaim write "
			   "(before 6.8): writing plain byte counts from now on.");
	a->cfg.features.reclaim_swappiness = false;
	a->cfg.features.swappiness_probed = true;
	pthread_mutex_unlock(&a->lock);
}

static void permission_denied(struct actuator *a, int r, const char *what)
{
	pthread_mutex_lock(&a->lock);
	if (!a->warned_permission)
		log_error_errno(r,
				"Cannot write %s: %m. reclaimd needs root (or a delegated "
				"cgroup subtree it owns, and a writable /sys for the node "
				"reclaim file); check ProtectKernelTunables=/ReadWritePaths= "
				"in the unit and the cgroup's ownership.",
				what);
	a->warned_permission = true;
	pthread_mutex_unlock(&a->lock);
}

/*
 * One bounded write with the errno rules of the header. Returns 0 (done,
 * possibly partial: *ret_partial), or a negative errno that ends the pass.
 * EINVAL from swappiness= is retried once without it.
 */
static int write_step(struct actuator *a, int fd, uint64_t bytes, int *swappiness,
		      bool *ret_partial, const char *what)
{
	char req[64];
	int k, r;

	*ret_partial = false;
	k = format_request(req, sizeof(req), bytes, *swappiness);
	if (k < 0)
		return k;
	r = actuator_write(a, fd, req, (size_t)k);
	if (r == -EINVAL && *swappiness != SWAPPINESS_KERNEL_DEFAULT) {
		k = format_request(req, sizeof(req), bytes, SWAPPINESS_KERNEL_DEFAULT);
		r = actuator_write(a, fd, req, (size_t)k);
		/* Only when the plain request is accepted was it swappiness=
		 * that the kernel refused. */
		if (r != -EINVAL) {
			swappiness_unsupported(a);
			*swappiness = SWAPPINESS_KERNEL_DEFAULT;
		}
	}
	if (r == -EAGAIN) {
		*ret_partial = true;
		return 0;
	}
	if (r == -EACCES || r == -EPERM || r == -EROFS)
		permission_denied(a, r, what);
	return r;
}

/* write_step() timed into the node's write histogram (no allocation:
 * preallocated counters, see histogram.h). */
static int write_step_timed(struct actuator *a, struct actuator_node *n, int fd, uint64_t bytes,
			    int *swappiness, bool *ret_partial, const char *what)
{
	char size[FORMAT_BYTES_MAX], dur[FORMAT_DURATION_MAX];
	uint64_t start, usec;
	int r;

	/* Stopping (actuator_stop()): no write begins. */
	*ret_partial = false;
	if (__atomic_load_n(&a->stopping, __ATOMIC_RELAXED))
		return -EINTR;
	start = now_usec();
	r = write_step(a, fd, bytes, swappiness, ret_partial, what);
	usec = now_usec() - start;
	histogram_record(&n->stats.write_usec, usec);
	/* A stop's kick (kick.h), or a KICK_SIGNAL sent from outside: the
	 * daemon's threads block every other signal. */
	if (r == -EINTR) {
		bool stopping = __atomic_load_n(&a->stopping, __ATOMIC_RELAXED);

		log_full(stopping ? LOG_INFO : LOG_DEBUG, "%s: a %s write of %s cut short after %s.",
			 stopping ? "Stopping" : "Interrupted",
			 what, format_bytes(size, sizeof(size), bytes),
			 format_duration(dur, sizeof(dur), usec));
	}
	return r;
}

/* ---- node file ---- */

static int shrink_node_file(struct actuator *a, struct actuator_node *n, int node,
			    uint64_t want, int swappiness, struct shrink_result *res)
{
	uint64_t done = 0;
	int asked = swappiness;

	swappiness = effective_swappiness(a, swappiness);
	res->swappiness_dropped |= asked != swappiness;
	while (done < want) {
		uint64_t step = MIN(want - done, n->call_step_bytes), before = 0, after = 0;
		uint64_t got;
		int rb, ra, r;
		bool partial;
		struct overlap_token ov, nov;
		bool overlapped;

		res->nr_requested += step;
		if (n->dry_run) {
			/* debug: the manager logs a periodic summary at info. */
			log_debug("dry-run: would write %" PRIu64 " to node%d/reclaim.", step,
				 node);
			__atomic_add_fetch(&n->stats.nr_dry_run, 1, __ATOMIC_RELAXED);
			done += step;
			continue;
		}
		overlap_begin(&a->proactive_writes, &ov);
		overlap_begin(&a->node_file_writes, &nov);
		rb = read_vmstat_pgsteal_proactive(a, n, &before);
		r = write_step_timed(a, n, n->reclaim_fd, step, &swappiness, &partial,
				     "node reclaim file");
		ra = read_vmstat_pgsteal_proactive(a, n, &after);
		(void)overlap_end(&a->node_file_writes, &nov);
		overlapped = overlap_end(&a->proactive_writes, &ov);
		if (r == -EINTR) {
			res->interrupted = true;
			return 0;
		}
		if (r < 0) {
			res->nr_errors++;
			return r;
		}
		res->nr_writes++;
		res->swappiness_dropped |= asked != swappiness;
		got = measured_bytes(a, rb, before, ra, after, partial ? -EAGAIN : 0, step);
		/* /proc/vmstat is global: other threads' writes land in the
		 * same counter, so with company take at most the step. */
		if (overlapped)
			got = MIN(got, step);
		res->nr_reclaimed += got;
		done += step;
		if (partial) {
			res->nr_partial++;
			break;
		}
	}
	return 0;
}

/* ---- cgroups ---- */

static void account_cgroup(struct actuator *a, struct actuator_node *n, struct cgroup_candidate *cg,
			   uint64_t requested, uint64_t reclaimed, bool partial, bool error,
			   uint64_t now)
{
	pthread_mutex_lock(&a->lock);
	cg->acct.requested_bytes += requested;
	cg->acct.reclaimed_bytes += reclaimed;
	if (n->dry_run)
		cg->acct.nr_dry_run++;
	else
		cg->acct.nr_writes++;
	cg->acct.nr_partial += partial;
	cg->acct.nr_errors += error;
	cg->acct.last_usec = now;
	cg->acct.pressure_some_total_usec = cg->state.pressure_some_total_usec;
	pthread_mutex_unlock(&a->lock);
}

/* memory.reclaim on one cgroup in bounded steps; 0 or a pass-ending errno. */
static bool cgroup_write_held(struct actuator *a, struct cgroup_candidate *cg, int spare);

/* shrink_cgroup_amount()'s spare: a pause of any node the cgroup has
 * memory on stops its writes, before each one (SPARE_ANY), or of any but
 * the pass's own node (a node id); SPARE_UNCHECKED: the caller checks
 * before each call, as offload does (offload_pause_held()). */
#define SPARE_ANY (-1)
#define SPARE_UNCHECKED (-2)

static int shrink_cgroup_amount(struct actuator *a, struct actuator_node *n,
				struct cgroup_candidate *cg, uint64_t want, int swappiness,
				int spare, struct shrink_result *res, uint64_t now)
{
	uint64_t done = 0;
	int asked = swappiness;

	swappiness = effective_swappiness(a, swappiness);
	res->swappiness_dropped |= asked != swappiness;
	while (done < want && !cgroup_gone(cg)) {
		uint64_t step = MIN(want - done, n->call_step_bytes), before = 0, after = 0;
		int rb, ra, r;
		bool partial = false;
		uint64_t got = 0;
		struct overlap_token ov, pov, nov;
		bool overlapped;

		/* memory.reclaim cannot spare a node: a pause that came since
		 * the plan (or the last step) holds before the next write. */
		if (spare != SPARE_UNCHECKED && cgroup_write_held(a, cg, spare)) {
			res->nr_skipped++;
			break;
		}
		res->nr_requested += step;
		if (n->dry_run) {
			__atomic_add_fetch(&n->stats.nr_dry_run, 1, __ATOMIC_RELAXED);
			log_debug("dry-run: would write %" PRIu64 " to %s/memory.reclaim.", step,
				 cg->path[0] ? cg->path : "(root)");
			account_cgroup(a, n, cg, step, 0, false, false, now);
			done += step;
			continue;
		}
		overlap_begin(&cg->writes, &ov);
		overlap_watch_begin(&a->node_file_writes, &nov);
		overlap_begin(&a->proactive_writes, &pov);
		rb = cgroup_read_pgsteal(cg, n->buf, ACTUATOR_BUF_BYTES, &before);
		r = write_step_timed(a, n, cg->fd[CGROUP_FILE_RECLAIM], step, &swappiness,
				     &partial, "memory.reclaim");
		(void)overlap_end(&a->proactive_writes, &pov);
		if (r < 0)
			(void)overlap_end(&cg->writes, &ov);
		if (r == -ENOENT || r == -ENODEV) {
			cgroup_check_gone(cg, r);
			res->nr_skipped++;
			return 0;
		}
		if (r == -EINTR) {
			res->interrupted = true;
			return -EINTR;
		}
		if (r < 0) {
			res->nr_errors++;
			account_cgroup(a, n, cg, step, 0, false, true, now);
			return r;
		}
		ra = cgroup_read_pgsteal(cg, n->buf, ACTUATOR_BUF_BYTES, &after);
		overlapped = overlap_end(&cg->writes, &ov);
		overlapped |= overlap_watch_end(&a->node_file_writes, &nov);
		if (ra == -ENOENT || ra == -ENODEV) {
			/* Removed after this write: dropped from now on. */
			cgroup_check_gone(cg, ra);
			res->nr_skipped++;
		}
		got = measured_bytes(a, rb, before, ra, after, partial ? -EAGAIN : 0, step);
		/* Another thread's write to it overlapped this one (node threads
		 * spreading over the same cgroup, offload), or a node-file write
		 * (it reclaims the cgroup's pages on its node): their pages are in
		 * the delta too, so take at most the step, as the node file does.
		 * Not seen: a write to a cgroup above or below this one, or an
		 * operator's to a cgroup outside the table (its own candidate). */
		if (overlapped)
			got = MIN(got, step);
		res->nr_writes++;
		res->swappiness_dropped |= asked != swappiness;
		res->nr_reclaimed += got;
		res->nr_partial += partial;
		account_cgroup(a, n, cg, step, got, partial, false, now);
		done += step;
		if (partial)
			break;
	}
	return 0;
}

/* Make a read of cg (cgroup_read_*()) what every thread sees: a node
 * thread, the offload thread and the loop read the same candidate at once,
 * each under the table's read lock only, so the read went to the caller's
 * copy and is merged here, under the actuator's lock (no file I/O in it). */
static void cgroup_publish(struct actuator *a, struct cgroup_candidate *cg,
			   struct cgroup_state *st)
{
	st->pressure_read_usec = actuator_now(a);
	pthread_mutex_lock(&a->lock);
	cgroup_state_publish(&cg->state, st);
	pthread_mutex_unlock(&a->lock);
}

/* Per-cgroup brake on memory.pressure some total. */
/* Feed cg's brake its last pressure read, judged at now, or, at_read, at
 * the read's own time (a read another thread made, taken as it stands):
 * its total judged at a later time would restart the brake's window there
 * and count the stall between the two in the next window. A read older
 * than the window's start (a newer one restarted it) feeds nothing: the
 * brake stands as that read left it. ret (may be NULL): the parameters it
 * was judged by and the stall its window had grown by. */
static bool cgroup_braked(struct actuator *a, struct cgroup_candidate *cg, uint64_t now,
			  bool at_read, struct actuator_brake_change *ret)
{
	struct brake_params p;
	uint64_t stall = 0, span = 0;
	bool on;

	pthread_mutex_lock(&a->lock);
	p = a->cfg.cgroup_brake; /* actuator_set_limits() changes it under the lock */
	if (cg->policy.pressure_limit_usec)
		p.limit_usec = cg->policy.pressure_limit_usec;
	if (at_read && cg->state.pressure_read_usec)
		now = cg->state.pressure_read_usec;
	if (cg->brake.started &&
	    cg->state.pressure_some_total_usec >= cg->brake.window_start_total_usec &&
	    now >= cg->brake.window_start_usec) {
		stall = cg->state.pressure_some_total_usec - cg->brake.window_start_total_usec;
		span = now - cg->brake.window_start_usec;
	}
	if (at_read && cg->brake.started && now < cg->brake.window_start_usec)
		on = cg->brake.engaged;
	else
		on = brake_update(&cg->brake, &p, cg->state.pressure_some_total_usec, now);
	if (on) {
		cg->acct.nr_braked++;
		/* The stall that engaged it: another thread's read may have,
		 * and the window restarted then. */
		stall = cg->brake.engaged_stall_usec;
		span = cg->brake.engaged_span_usec;
	}
	pthread_mutex_unlock(&a->lock);
	if (ret) {
		ret->limit_usec = p.limit_usec;
		ret->window_usec = p.window_usec;
		ret->stall_usec = stall;
		ret->span_usec = span;
	}
	return on;
}

/* An Offload=yes cgroup in backoff is at its stall target: the node's
 * passes leave it alone as they leave a braked one. Below the target, how
 * far (offload_slack_permyriad()) weighs its share of a pass spread over
 * memory.reclaim (issue 18). Both from the controller's state as the
 * offload thread left it: no file read (docs/design.md, "Two controllers,
 * one actuator"). */
static bool offload_holding_locked(const struct cgroup_candidate *cg, unsigned *ret_slack_permyriad)
{
	bool on = cg->policy.offload && offload_backing_off(&cg->offload);

	*ret_slack_permyriad = cg->policy.offload && !on ?
		offload_slack_permyriad(&cg->offload, &cg->policy.offload_params) : 0;
	return on;
}

static bool cgroup_offload_holding(struct actuator *a, struct cgroup_candidate *cg,
				   unsigned *ret_slack_permyriad)
{
	bool on;

	pthread_mutex_lock(&a->lock);
	on = offload_holding_locked(cg, ret_slack_permyriad);
	pthread_mutex_unlock(&a->lock);
	return on;
}

/* The nodes a cgroup had memory on at the read st (bit = node id; 0: none
 * seen, numa_stat unread or empty). */
static uint64_t cgroup_memory_nodes(const struct cgroup_state *st)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < MEMSTAT_MAX_NODES; i++)
		if (st->node_file_bytes[i] || st->node_anon_bytes[i])
			mask |= UINT64_C(1) << i;
	return mask;
}

/*
 * Paused nodes and the node passes. memory.reclaim on a cgroup takes from
 * every node the cgroup has pages on, so a pass on one node spread over
 * memory.reclaim would reclaim from a paused one through any candidate
 * with memory there. Offload's rule decides (offload_paused_by(): the
 * nodes of its last numa_stat read; none seen, any paused node), by the
 * mask offload is paused by, less the pass's own node: a node's pause
 * freezes its own thread, so a pass on a paused node is an operator's
 * explicit `reclaim node N`, which asks for that node's memory.
 */
static uint64_t pass_paused_nodes(const struct actuator *a, int node)
{
	return actuator_paused_nodes(a) & ~(UINT64_C(1) << node);
}

/* The paused nodes (of paused_nodes) memory.reclaim on a cgroup with the
 * state st would take from; 0: none. */
static uint64_t cgroup_paused_nodes(const struct cgroup_state *st, uint64_t paused_nodes)
{
	uint64_t memory_nodes = cgroup_memory_nodes(st);

	if (!offload_paused_by(memory_nodes, paused_nodes))
		return 0;
	return memory_nodes ? memory_nodes & paused_nodes : paused_nodes;
}

/* Whether a paused node holds the next memory.reclaim write to cg (spare:
 * SPARE_ANY or the pass's own node, which its pause does not count for). */
static bool cgroup_write_held(struct actuator *a, struct cgroup_candidate *cg, int spare)
{
	uint64_t paused = spare >= 0 ? pass_paused_nodes(a, spare) : actuator_paused_nodes(a);
	bool held;

	if (!paused)
		return false;
	pthread_mutex_lock(&a->lock);
	held = cgroup_paused_nodes(&cg->state, paused) != 0;
	pthread_mutex_unlock(&a->lock);
	return held;
}

/* A candidate's row for target.c, from its published state (a->lock
 * held). */
static struct target_candidate candidate_of(const struct cgroup_candidate *cg, int node, bool braked)
{
	return (struct target_candidate){
		.node_file_bytes = cg->state.node_file_bytes[node],
		.node_anon_bytes = cg->state.node_anon_bytes[node],
		.current_bytes = cg->state.current_bytes,
		.floor_bytes = cgroup_floor(&cg->state, &cg->policy),
		.conf_floor_bytes = cg->policy.floor_bytes,
		.soft_target_bytes = cg->policy.soft_target_bytes,
		.weight = cg->policy.weight,
		.protect = cg->policy.protect,
		.skip = braked,
	};
}

/* tp: the pass's plan (NULL: no priority, every candidate reached). */
static struct census_params census_params(struct actuator *a, const struct target_params *tp)
{
	/* Less than the smallest write on the node can be planned nothing. */
	return (struct census_params){
		.hot_bytes = a->cfg.min_write_bytes,
		.priority = tp ? tp->priority : 0,
	};
}

/* What census.h decides a pass reads by: cg as its last read left it,
 * with an offload backoff and the slack it has now (as collect_one() will
 * see them) and, for a pass with a priority (tp; NULL: none), its reach. */
static struct census_candidate census_candidate_of(struct actuator *a, struct cgroup_candidate *cg,
						   int node, const struct target_params *tp)
{
	struct census_candidate cc;
	struct target_candidate tc;

	pthread_mutex_lock(&a->lock);
	tc = candidate_of(cg, node, cg->brake.engaged);
	cc = (struct census_candidate){
		.node_reclaimable_bytes = tc.node_file_bytes + tc.node_anon_bytes,
		.held = offload_holding_locked(cg, &tc.slack_permyriad),
		.policy = target_has_policy(&tc),
		.soft_target = tc.soft_target_bytes != 0,
		.gone = cgroup_gone(cg),
	};
	pthread_mutex_unlock(&a->lock);
	if (tp && tp->priority > 0 && !cc.policy && !cc.held)
		cc.reach = target_reach(&tc, tp);
	return cc;
}

/*
 * A guard takes a memory.pressure read younger than a twentieth of
 * PressureWindow= (100 ms by default) as it stands, whichever thread made
 * it: the brake weighs the stall of a whole window, and a read that young
 * misses at most a twentieth of it, so a brake engages that much later at
 * most. The passes of one run, a few milliseconds apart, and the other
 * node's pass beside them read every candidate each while the system
 * stalls (issue 14: about 1000 reads in a 34 s window of the 6.18
 * application benchmark, for some 90 writes, three in four of them within
 * 50 ms of the write before). a->lock held.
 */
static bool guard_fresh(const struct actuator *a, const struct cgroup_candidate *cg, uint64_t now)
{
	const struct cgroup_state *st = &cg->state;

	return (st->parts & CGROUP_STATE_PRESSURE) && st->pressure_read_usec &&
	       now >= st->pressure_read_usec &&
	       now - st->pressure_read_usec < a->cfg.cgroup_brake.window_usec / 20;
}

/* Append cg to the node's candidate array: as read (full), or with its
 * guarantees only, and then with no node-local memory, so that it is
 * planned nothing but counts for target_policy_on_node(). true: a guard
 * took a fresh read as it stood (guard_fresh()). */
static bool collect_one(struct actuator *a, struct actuator_node *n, struct cgroup_candidate *cg,
			int node, uint64_t now, struct shrink_result *res, bool guard, size_t *k)
{
	struct cgroup_state st = { .parts = 0 };
	struct target_candidate tc;
	unsigned slack = 0;
	bool braked = false, fresh = false;
	int r = 0;

	if (guard) {
		/* Only a brake can make a skipped candidate a guarantee:
		 * memory.min and memory.low keep no pass off the node file
		 * (target.h). A read taken as it stands is judged as at its
		 * own time (cgroup_braked()). */
		pthread_mutex_lock(&a->lock);
		fresh = guard_fresh(a, cg, now);
		pthread_mutex_unlock(&a->lock);
		if (!fresh) {
			r = cgroup_read_pressure(cg, n->buf, ACTUATOR_BUF_BYTES, &st);
			__atomic_add_fetch(&n->stats.nr_guard_reads, 1, __ATOMIC_RELAXED);
		}
	} else {
		r = cgroup_read_state(cg, n->buf, ACTUATOR_BUF_BYTES, n->numa, &st);
		__atomic_add_fetch(&n->stats.nr_cgroup_reads, 1, __ATOMIC_RELAXED);
	}
	if (r < 0) {
		res->nr_skipped++;
		return false;
	}
	/* A guard read leaves the usage of the last full one in place. */
	st.pressure_read_usec = now;
	pthread_mutex_lock(&a->lock);
	cgroup_state_publish(&cg->state, &st);
	tc = candidate_of(cg, node, /* braked= */ false);
	tc.paused = cgroup_paused_nodes(&cg->state, n->spare_nodes) != 0;
	pthread_mutex_unlock(&a->lock);
	if (!cg->policy.protect && cgroup_braked(a, cg, now, fresh, NULL)) {
		res->nr_skipped++;
		braked = true;
	} else if (cgroup_offload_holding(a, cg, &slack)) {
		res->nr_skipped++;
		braked = true;
	}
	tc.skip = braked;
	tc.slack_permyriad = slack;
	n->cands[*k] = tc;
	if (guard)
		n->cands[*k].node_file_bytes = n->cands[*k].node_anon_bytes = 0;
	n->cand_cg[(*k)++] = cg;
	return fresh;
}

/* Every live candidate has just been read (a census, or a guard of the
 * skipped ones): what the system's stall was before the reads. */
static void all_read(struct actuator_node *n)
{
	n->all_read_system_some_usec = n->pass_system_some_usec;
	n->all_read_system_some_read = n->pass_system_some_read;
}

/* A guard has judged every skipped candidate. The stall baseline of
 * guard_calm() moves only where each was read in the guard itself: a
 * fresh read taken as it stood (guard_fresh()) came before the system's
 * stall that the pass read, so the stall between the two would go
 * unread. */
static void guard_swept(struct actuator_node *n, bool fresh)
{
	if (!fresh)
		all_read(n);
}

static void census_record(struct actuator *a, struct actuator_node *n, uint64_t now)
{
	census_done(&n->census, a->cfg.cgroups->nr_scans, now);
	all_read(n);
	__atomic_add_fetch(&n->stats.nr_censuses, 1, __ATOMIC_RELAXED);
}

/*
 * May the node file serve without reading the skipped candidates' guard?
 * A task that stalls in a cgroup stalls the system too
 * (sample_system_stalled()): while /proc/pressure/memory's some total
 * stands where it stood before every live candidate was last read, no
 * skipped one has stalled since its last read, so none can have had its
 * brake engage. On a calm systemd host with hundreds of idle cgroups this
 * spares every guard read of a node-file pass.
 */
static bool guard_calm(const struct actuator_node *n)
{
	return n->pass_system_some_read && n->all_read_system_some_read &&
	       n->pass_system_some_usec == n->all_read_system_some_usec;
}

/* What a node pass read of its candidates (read_for_backend()). */
struct pass_reads {
	size_t k;             /* rows in n->cands */
	size_t k_read;        /* of those, read in full; guard rows follow */
	size_t skipped;       /* live candidates left out (n->skipped) */
	size_t deferred;      /* of those, below the pass's reach (n->deferred) */
	unsigned read_skips;  /* res->nr_skipped after the rows read in full */
	bool guarded;         /* the skipped ones have guard rows */
};

/*
 * Fill the node's candidate array from the table (read lock held) with the
 * candidates census.h says this pass reads (tp: its plan), each read
 * fresh; a protected or braked one too, so that target_policy_on_node()
 * sees the policies that cover memory on the node (target.c gives those
 * nothing). The live ones left out go to n->skipped, those below the
 * pass's reach marked in n->deferred.
 */
static void collect_candidates(struct actuator *a, struct actuator_node *n, int node,
			       const struct target_params *tp, uint64_t now,
			       struct shrink_result *res, struct pass_reads *rd)
{
	struct cgroup_set *s = a->cfg.cgroups;
	struct census_params p = census_params(a, tp);
	bool census = census_due(&n->census, &p, s->nr_scans, now);
	size_t k = 0, u = 0, d = 0;

	for (size_t i = 0; i < s->n_cgroups && k + u < n->cands_max; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct census_candidate cc;

		if (cgroup_gone(cg))
			continue;
		cc = census_candidate_of(a, cg, node, tp);
		switch (census_read_of(&cc, &p, census)) {
		case CENSUS_READ_FULL:
			collect_one(a, n, cg, node, now, res, /* guard= */ false, &k);
			break;
		case CENSUS_READ_DEFERRED:
			d++;
			n->deferred[u] = true;
			n->skipped[u++] = cg;
			break;
		default:
			n->deferred[u] = false;
			n->skipped[u++] = cg;
			break;
		}
	}
	if (census)
		census_record(a, n, now);
	*rd = (struct pass_reads){
		.k = k, .k_read = k, .skipped = u, .deferred = d, .read_skips = res->nr_skipped,
	};
}

/* The soft-target pass's candidates (read lock held): those with
 * SoftTarget=, read fresh; none read when no cgroup has one. */
static size_t collect_soft_targets(struct actuator *a, struct actuator_node *n, int node,
				   uint64_t now, struct shrink_result *res)
{
	struct cgroup_set *s = a->cfg.cgroups;
	size_t k = 0;

	for (size_t i = 0; i < s->n_cgroups && k < n->cands_max; i++) {
		struct census_candidate cc = census_candidate_of(a, s->cgroups[i], node, NULL);

		if (census_read_soft(&cc) == CENSUS_READ_FULL)
			collect_one(a, n, s->cgroups[i], node, now, res, /* guard= */ false, &k);
	}
	return k;
}

/* Read the skipped candidates too, appended after the first k (guards
 * only, or in full: then every live candidate was read, a census). */
static size_t collect_skipped(struct actuator *a, struct actuator_node *n, int node, uint64_t now,
			      struct shrink_result *res, size_t k, size_t u, bool guard,
			      bool *ret_fresh)
{
	bool fresh = false;

	for (size_t j = 0; j < u && k < n->cands_max; j++)
		fresh |= collect_one(a, n, n->skipped[j], node, now, res, guard, &k);
	if (!guard)
		census_record(a, n, now);
	if (ret_fresh)
		*ret_fresh = fresh;
	return k;
}

/* Candidates with memory on the pass's node that a paused node kept out
 * of the plan: skipped, as braked ones are. */
static unsigned count_paused(const struct target_candidate *c, size_t k)
{
	unsigned nr = 0;

	for (size_t i = 0; i < k; i++)
		nr += c[i].paused && !c[i].skip && !c[i].protect &&
		      (c[i].node_file_bytes || c[i].node_anon_bytes);
	return nr;
}

/* Whether a memory.reclaim write asked at swappiness may have taken anon
 * pages: swap in use, and a swappiness other than 0 asked, or 0 dropped (a
 * kernel before 6.8 applies its vm.swappiness). As plan_params(). */
static bool write_took_anon(const struct actuator *a, int swappiness,
			    const struct shrink_result *res)
{
	return a->cfg.features.swap && (swappiness != 0 || res->swappiness_dropped);
}

/*
 * Spread what a memory.reclaim write to cg reclaimed (bytes) over the
 * nodes it came from, by the cgroup's node-local LRU pages as last
 * published (the pass's read, the offload judgement's, or a node thread's
 * since; anon where the write could take it, write_took_anon()), as the
 * kernel's memcg reclaim walks the lruvec of every node: each node but
 * own's (-1: none) counts its share as reclaim by others, for its pacing
 * (actuator_cgroup_wide_reclaimed()). Returns what went to the others.
 * Nothing where the cgroup's numa_stat showed nothing.
 */
static uint64_t attribute_nodes(struct actuator *a, const struct cgroup_candidate *cg,
				uint64_t reclaimed, bool anon, int own)
{
	uint64_t per_node[MEMSTAT_MAX_NODES] = {}, total, others = 0;

	if (!reclaimed)
		return 0;
	pthread_mutex_lock(&a->lock);
	total = offload_attribute(reclaimed, cg->state.node_file_bytes, cg->state.node_anon_bytes,
				  MEMSTAT_MAX_NODES, anon, per_node);
	pthread_mutex_unlock(&a->lock);
	if (total == 0)
		return 0;
	for (int i = 0; i < MEMSTAT_MAX_NODES; i++) {
		if (i == own || !per_node[i])
			continue;
		others += per_node[i];
		if (a->nodes[i].present)
			__atomic_add_fetch(&a->nodes[i].cgroup_wide_reclaimed_bytes, per_node[i],
					   __ATOMIC_RELAXED);
	}
	return MIN(others, reclaimed);
}

/*
 * A node (or soft-target) pass's write: only the pass node's share is the
 * node's own. The others' shares go to those nodes (attribute_nodes())
 * and are told to the pass's run (res->nr_reclaimed_elsewhere), whose
 * pacing would otherwise count them as pages the node's allocations used:
 * a run chasing the last of its deficit over a cgroup spread across nodes
 * raised its own lead pass by pass (docs/design.md "Pacing"). None read
 * (numa_stat empty): all the node's, as before.
 */
static void attribute_pass(struct actuator *a, const struct cgroup_candidate *cg, int node,
			   uint64_t reclaimed, bool anon, struct shrink_result *res)
{
	if (node >= 0 && node < MEMSTAT_MAX_NODES)
		res->nr_reclaimed_elsewhere += attribute_nodes(a, cg, reclaimed, anon, node);
}

static int write_plan(struct actuator *a, struct actuator_node *n, int node, size_t k,
		      int swappiness, struct shrink_result *res, uint64_t now)
{
	res->nr_skipped += count_paused(n->cands, k);
	for (size_t i = 0; i < k; i++) {
		uint64_t before = res->nr_reclaimed;
		int r;

		if (n->cands[i].amount_bytes == 0)
			continue;
		/* A node paused since the plan was made holds before each
		 * write (shrink_cgroup_amount()), as for offload. */
		r = shrink_cgroup_amount(a, n, n->cand_cg[i], n->cands[i].amount_bytes,
					 swappiness, node, res, now);
		attribute_pass(a, n->cand_cg[i], node, res->nr_reclaimed - before,
			       write_took_anon(a, swappiness, res), res);
		if (r == -EINTR)
			return 0;
		if (r == -EACCES || r == -EPERM || r == -EROFS)
			return r;
		/* Other errors end this cgroup, not the pass. */
	}
	return 0;
}

/* A node pass spreads from its priority down (target_reach()): the
 * engine's runs and an operator's `reclaim node` alike. */
static struct target_params plan_params(struct actuator *a, const struct shrink_request *req)
{
	return (struct target_params){
		.may_swap = a->cfg.features.swap && req->swappiness != 0,
		.min_write_bytes = a->cfg.min_write_bytes,
		.priority = req->kind == SHRINK_NODE ? req->priority : 0,
		.page_bytes = a->page_size > 0 ? (uint64_t)a->page_size : 0,
	};
}

/*
 * The soft-target pass: memory.reclaim on cgroups above SoftTarget=. The
 * quota is asked for what the plan asks, after the plan, and never waited
 * for: the pass takes the tokens there are (none: no write) and the node
 * pass after it, which waits where a pass must, does the rest. It used to
 * wait for the run's whole pass first, then, with no SoftTarget=
 * anywhere, find nothing to write: in the synthetic benchmark 52-130
 * waits a node a run, 3.9-13.4 s of a run of about 45 s (882a234, issue
 * 14). A wait here would also hold the cgroup table's read lock, which a
 * reload's quiesce and a rescan wait for, and every node's pass behind
 * them. Below the node's marks a run's soft pass is the watermark job, as
 * its node pass is (quota_watermark_job()), for what it plans. Charges
 * the quota.
 */
static int shrink_soft_target(struct actuator *a, struct actuator_node *n,
			      const struct shrink_request *req, uint64_t ask,
			      struct shrink_result *res, uint64_t now)
{
	struct target_params tp = plan_params(a, req);
	uint64_t planned, want, tokens, due;
	size_t k;
	int r;

	if (!a->cfg.cgroups)
		return -EOPNOTSUPP;
	n->spare_nodes = pass_paused_nodes(a, req->node);
	cgroup_set_lock_shared(a->cfg.cgroups);
	k = collect_soft_targets(a, n, req->node, now, res);
	res->backend = TARGET_BACKEND_CGROUPS;
	planned = target_soft(n->cands, k, ask, &tp);
	if (planned) {
		want = quota_watermark_job(n, req, planned, now, &tokens, &due);
		if (!want)
			want = brake_quota_available(&n->quota, planned, now);
		res->quota_limited = want < planned;
		res->quota_granted_bytes = want;
		res->quota_exempt = due > 0;
		/* Re-planned to the tokens (none: no write). */
		if (want < planned)
			(void)target_soft(n->cands, k, want, &tp);
	}
	r = write_plan(a, n, req->node, k, req->swappiness, res, now);
	cgroup_set_unlock(a->cfg.cgroups);
	if (planned)
		quota_charge_pass(n, res, tokens, due);
	return r;
}

/*
 * The plan over the rows read descended below the pass's priority, or
 * fell short: the deferred candidates (below the pass's reach at their
 * last read) may take part, read now in full after the rows read in full,
 * and out of n->skipped; when none is left there every live candidate has
 * been read, a census. Where the skipped ones have guard rows (a brake
 * found by the guard sent the pass here, seldom) every one is read in
 * full instead, a census too: mending the guard rows around the deferred
 * ones would judge their brakes twice.
 */
static void read_deferred(struct actuator *a, struct actuator_node *n, int node, uint64_t now,
			  struct shrink_result *res, struct pass_reads *rd)
{
	size_t k = rd->k_read, u = 0;

	res->nr_skipped = rd->read_skips;
	if (rd->guarded) {
		k = collect_skipped(a, n, node, now, res, k, rd->skipped, /* guard= */ false, NULL);
	} else {
		for (size_t j = 0; j < rd->skipped; j++) {
			if (!n->deferred[j]) {
				n->deferred[u] = false;
				n->skipped[u++] = n->skipped[j];
			} else if (k < n->cands_max) {
				collect_one(a, n, n->skipped[j], node, now, res, /* guard= */ false, &k);
				__atomic_add_fetch(&n->stats.nr_deferred_reads, 1, __ATOMIC_RELAXED);
			}
		}
		if (u == 0)
			census_record(a, n, now);
	}
	*rd = (struct pass_reads){
		.k = k, .k_read = k, .skipped = u, .read_skips = res->nr_skipped,
	};
}

/* The spread of a node pass over memory.reclaim, from the candidates rd
 * read. The table's read lock is held, and released here. *ret_planned:
 * what the plan asked of the cgroups. */
static int spread_node(struct actuator *a, struct actuator_node *n,
		       const struct shrink_request *req, uint64_t want,
		       struct shrink_result *res, uint64_t now, struct pass_reads *rd,
		       uint64_t *ret_planned)
{
	struct target_params tp = plan_params(a, req);
	struct census_params cp = census_params(a, &tp);
	size_t k = rd->k;
	uint64_t planned;
	int r;

	__atomic_add_fetch(&n->stats.nr_cgroup_spread, 1, __ATOMIC_RELAXED);
	res->backend = TARGET_BACKEND_CGROUPS;
	planned = target_spread_at(n->cands, k, want, &tp, &res->spread_priority);
	/* The cgroups reached at the pass's priority did not cover it: over
	 * every candidate the plan would reach further, the deferred ones
	 * too (census.h). */
	if (rd->deferred > 0 && (planned < want || (int)res->spread_priority < tp.priority)) {
		read_deferred(a, n, req->node, now, res, rd);
		k = rd->k;
		planned = target_spread_at(n->cands, k, want, &tp, &res->spread_priority);
	}
	/* Short of the deficit among the cgroups read: the others too (a
	 * census), in place of any guard rows. */
	if (planned < want && rd->skipped > 0 && census_due_short(&n->census, &cp, now)) {
		/* The same cgroups again: a skip counts once a pass. */
		res->nr_skipped = rd->read_skips;
		k = collect_skipped(a, n, req->node, now, res, rd->k_read, rd->skipped,
				    /* guard= */ false, NULL);
		planned = target_spread_at(n->cands, k, want, &tp, &res->spread_priority);
	}
	res->spread = true;
	*ret_planned = planned;
	r = write_plan(a, n, req->node, k, req->swappiness, res, now);
	cgroup_set_unlock(a->cfg.cgroups);
	return r;
}

/*
 * Whether to act on a pass judged gated (target_node_file_gated()). The
 * verdict models a kernel function, so it is checked: at most once a
 * ACTUATOR_GATE_CHECK_USEC per node the write is made anyway, and a
 * node file that then reclaims refutes it (gate_checked()). Not in a dry
 * run, which writes nothing.
 */
enum gate_verdict {
	GATE_OFF,   /* verdicts no longer trusted: the node file as before */
	GATE_ACT,   /* straight to memory.reclaim */
	GATE_CHECK, /* write anyway, and judge the answer */
};

static enum gate_verdict gate_judge(struct actuator *a, struct actuator_node *n, uint64_t now)
{
	if (__atomic_load_n(&a->gate_off, __ATOMIC_RELAXED))
		return GATE_OFF;
	if (n->dry_run)
		return GATE_ACT;
	if (!n->gate_check_usec || now < n->gate_check_usec) {
		n->gate_check_usec = now;
		return GATE_ACT;
	}
	if (now - n->gate_check_usec < ACTUATOR_GATE_CHECK_USEC)
		return GATE_ACT;
	n->gate_check_usec = now;
	return GATE_CHECK;
}

/* A check's answer: EAGAIN bears the verdict out (what it took is not
 * told apart from the other node's writes in the global pgsteal_proactive,
 * and the kernel may take a little down to a minimum lower than ours); a
 * write answered in full refutes it, and ACTUATOR_GATE_MISSES refutations
 * in a row on a node end the verdicts for good (a kernel whose node
 * reclaim no longer keeps zone reclaim's minimums). */
static void gate_checked(struct actuator *a, struct actuator_node *n, int node,
			 const struct shrink_result *res)
{
	char got[FORMAT_BYTES_MAX];

	__atomic_add_fetch(&n->stats.nr_node_file_gate_checks, 1, __ATOMIC_RELAXED);
	if (res->nr_partial) {
		n->gate_misses = 0;
		return;
	}
	__atomic_add_fetch(&n->stats.nr_node_file_gate_misses, 1, __ATOMIC_RELAXED);
	format_bytes(got, sizeof(got), res->nr_reclaimed);
	log_debug("node%d/reclaim reclaimed %s although the node's page cache and slab were "
		  "at the kernel's node-reclaim minimums by its snapshot (%u in a row).",
		  node, got, n->gate_misses + 1);
	if (++n->gate_misses < ACTUATOR_GATE_MISSES ||
	    __atomic_exchange_n(&a->gate_off, true, __ATOMIC_RELAXED))
		return;
	log_notice("node%d/reclaim reclaimed %s on a node at the kernel's node-reclaim minimums "
		   "(vm.min_unmapped_ratio, vm.min_slab_ratio), %u checks in a row: this kernel "
		   "does not keep them in its node reclaim; every node-file pass is written from "
		   "now on, its answer deciding.",
		   node, got, n->gate_misses);
}

/* The node file fell short of want (target_node_file_stalled()): the rest
 * of the pass over memory.reclaim, from candidates read again (the node
 * file took from them meanwhile, and a node may have been paused), and,
 * in a balance run, the rest of the run too (shrink_node()). The pass
 * asked want in all: of the node file, what it took; the rest of the
 * cgroups. Skips are counted by this read, once (skips: the pass's count
 * before the node file's part). */
static int node_file_fall_back(struct actuator *a, struct actuator_node *n,
			       const struct shrink_request *req, uint64_t want,
			       struct shrink_result *res, uint64_t now, unsigned skips)
{
	struct pass_reads rd = {};
	struct target_params tp;
	uint64_t planned;

	if (res->node_file_gated)
		log_debug("node%d/reclaim would reclaim nothing at priority %d (the node's "
			  "page cache and slab at the kernel's node-reclaim minimums): "
			  "memory.reclaim for the rest of the %s.",
			  req->node, req->priority, req->run ? "run" : "request");
	else
		log_debug("node%d/reclaim fell short at priority %d (%" PRIu64 " of %" PRIu64
			  " bytes, %u EAGAIN): memory.reclaim for the rest of the %s.",
			  req->node, req->priority, res->nr_reclaimed, want, res->nr_partial,
			  req->run ? "run" : "request");
	/* A gated pass is judged again at the next: the node may have
	 * gained page cache (a wrong verdict would cost the node file's
	 * node-local reclaim for the rest of the run). */
	if (req->run && !res->node_file_gated)
		n->node_file_stalled_run = req->run;
	res->node_file_short = true;
	if (res->nr_reclaimed >= want)
		return 0;
	if (res->nr_requested > res->nr_reclaimed)
		res->nr_requested = res->nr_reclaimed;
	n->spare_nodes = pass_paused_nodes(a, req->node);
	cgroup_set_lock_shared(a->cfg.cgroups);
	res->nr_skipped = skips;
	tp = plan_params(a, req);
	collect_candidates(a, n, req->node, &tp, now, res, &rd);
	return spread_node(a, n, req, want - res->nr_reclaimed, res, now, &rd, &planned);
}

/*
 * Whether the node file serves this pass, decided from guarantees alone.
 * Where no candidate carries a preference (Weight=, SoftTarget=, which
 * count only where their cgroup has memory on the node: numa_stat), only a
 * guarantee keeps the node file out (target_policy_on_node()): Protect= and
 * Floor= (config), an engaged brake or an offload backoff (state kept
 * here), a brake engaging now (memory.pressure). None of those needs the
 * candidates' usage, floors or numa_stat, and the node file needs no plan.
 * So such a pass reads at most every candidate's memory.pressure, and
 * nothing while guard_calm(); before, it read the hot candidates' five
 * files with a memcg stat flush, and every candidate once a second (issue
 * 14: memory.numa_stat was the largest read of the daemon's profile on
 * 6.18, docs/benchmarks.md). The census that a spread plans from runs when
 * a spread needs one (collect_candidates(), by census.h's rules); only a
 * new table (a rescan) is read whole first. Table read lock
 * held; false: decide as before (res->nr_skipped as it came in).
 */
static bool node_file_guaranteed_only(struct actuator *a, struct actuator_node *n, int node,
				      const struct target_backend_input *in, uint64_t now,
				      struct shrink_result *res)
{
	struct cgroup_set *s = a->cfg.cgroups;
	struct target_backend_input no_policy = *in;
	unsigned skips = res->nr_skipped;
	size_t k = 0;

	no_policy.policy_on_node = false;
	if (target_choose_backend(&no_policy) != TARGET_BACKEND_NODE_FILE ||
	    !census_current(&n->census, s->nr_scans) || s->n_cgroups > n->cands_max)
		return false;
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct census_candidate cc;

		if (cgroup_gone(cg))
			continue;
		/* Any policy, a brake or an offload backoff on: the full read
		 * decides. */
		cc = census_candidate_of(a, cg, node, NULL);
		if (cc.policy || cc.held)
			return false;
	}
	if (guard_calm(n)) {
		__atomic_add_fetch(&n->stats.nr_guards_calm, 1, __ATOMIC_RELAXED);
	} else {
		bool fresh = false;

		for (size_t i = 0; i < s->n_cgroups; i++)
			if (!cgroup_gone(s->cgroups[i]))
				fresh |= collect_one(a, n, s->cgroups[i], node, now, res,
						     /* guard= */ true, &k);
		guard_swept(n, fresh);
		if (target_policy_on_node(n->cands, k)) {
			res->nr_skipped = skips;
			return false;
		}
	}
	__atomic_add_fetch(&n->stats.nr_guaranteed_only, 1, __ATOMIC_RELAXED);
	return true;
}

/* Read the candidates census.h says the pass reads, and, where the node
 * file would serve, the skipped ones' guards; in->policy_on_node from what
 * was read. Table read lock held. */
static void read_for_backend(struct actuator *a, struct actuator_node *n,
			     const struct shrink_request *req, struct target_backend_input *in,
			     uint64_t now, struct shrink_result *res, struct pass_reads *rd)
{
	struct target_params tp = plan_params(a, req);
	int node = req->node;
	bool fresh;

	collect_candidates(a, n, node, &tp, now, res, rd);
	in->policy_on_node = target_policy_on_node(n->cands, rd->k);
	/* The node file would take from the skipped ones too. */
	if (!census_guard_needed(target_choose_backend(in), rd->skipped))
		return;
	if (guard_calm(n)) {
		__atomic_add_fetch(&n->stats.nr_guards_calm, 1, __ATOMIC_RELAXED);
		return;
	}
	rd->k = collect_skipped(a, n, node, now, res, rd->k, rd->skipped, /* guard= */ true, &fresh);
	rd->guarded = true;
	guard_swept(n, fresh);
	in->policy_on_node = target_policy_on_node(n->cands, rd->k);
}

/* kswapd_shrink_node(): the node file where no cgroup policy covers memory
 * on the node, else memory.reclaim spread over the candidates
 * (target_choose_backend() says why). */
static int shrink_node(struct actuator *a, struct actuator_node *n,
		       const struct shrink_request *req, uint64_t want,
		       struct shrink_result *res, uint64_t now)
{
	struct target_backend_input in = {
		.node_file = n->reclaim_fd >= 0,
		.cgroups = a->cfg.cgroups != NULL,
		.avoid_node_file = a->cfg.avoid_node_file,
	};
	struct pass_reads rd = {};
	unsigned skips = res->nr_skipped;
	uint64_t planned = 0;
	bool retry = false, check = false;
	int r;

	/* A stall holds for the rest of its balance run. An operator's
	 * request (run 0) neither sees nor ends it. */
	in.node_file_stalled = req->run && req->run == n->node_file_stalled_run;
	n->spare_nodes = pass_paused_nodes(a, req->node);
	/* The kernel would answer EAGAIN having taken nothing (the node's
	 * page cache and slab at its node-reclaim minimums): what that answer
	 * leads to, without the write and its retries, the candidates read
	 * once, by the fall-back. Now and then the write is made anyway, and
	 * its answer checks the verdict (gate_checked()). */
	if (req->node_file_gated && in.cgroups && in.node_file && !in.avoid_node_file) {
		enum gate_verdict v = gate_judge(a, n, now);

		if (v == GATE_ACT) {
			res->node_file_gated = true;
			__atomic_add_fetch(&n->stats.nr_node_file_gated, 1, __ATOMIC_RELAXED);
			return node_file_fall_back(a, n, req, want, res, now, skips);
		}
		check = v == GATE_CHECK;
	}
	if (in.cgroups) {
		cgroup_set_lock_shared(a->cfg.cgroups);
		/* No preference anywhere: the guarantees decide, and the
		 * node file needs no candidate read. */
		if (!node_file_guaranteed_only(a, n, req->node, &in, now, res))
			read_for_backend(a, n, req, &in, now, res, &rd);
	}
	switch (target_choose_backend(&in)) {
	case TARGET_BACKEND_NODE_FILE:
		if (in.cgroups)
			cgroup_set_unlock(a->cfg.cgroups);
		break;
	case TARGET_BACKEND_CGROUPS:
		r = spread_node(a, n, req, want, res, now, &rd, &planned);
		/* Stalled, and the cgroups had nothing to give: what is left
		 * on the node is out of their reach (the root's own pages, a
		 * removed cgroup's page cache), the node file's once more. */
		retry = in.node_file_stalled;
		in.node_file_stalled = false;
		if (!retry || r < 0 || planned > 0 || res->interrupted ||
		    target_choose_backend(&in) != TARGET_BACKEND_NODE_FILE)
			return r;
		break;
	default:
		if (in.cgroups)
			cgroup_set_unlock(a->cfg.cgroups);
		return -EOPNOTSUPP;
	}
	__atomic_add_fetch(&n->stats.nr_node_file, 1, __ATOMIC_RELAXED);
	res->backend = TARGET_BACKEND_NODE_FILE;
	/* A spread that planned nothing before this retry spread nothing. */
	res->spread = false;
	res->spread_priority = 0;
	r = shrink_node_file(a, n, req->node, want, req->swappiness, res);
	if (check && r >= 0 && !res->interrupted && res->nr_writes)
		gate_checked(a, n, req->node, res);
	if (!retry && r >= 0 && !n->dry_run && !res->interrupted && in.cgroups &&
	    target_node_file_stalled(&(struct target_node_file_pass){
		    .nr_writes = res->nr_writes,
		    .nr_partial = res->nr_partial,
	    }))
		return node_file_fall_back(a, n, req, want, res, now, skips);
	return r;
}

/* An operator's request; a cgroup outside the table is opened here. */
static int shrink_one_cgroup(struct actuator *a, struct actuator_node *n,
			     const struct shrink_request *req, uint64_t want,
			     struct shrink_result *res, uint64_t now)
{
	_cleanup_(cgroup_candidate_freep) struct cgroup_candidate *tmp = NULL;
	struct cgroup_candidate *cg;
	struct cgroup_state st;
	int fd, r;

	if (!a->cfg.cgroups || !req->cgroup)
		return -EOPNOTSUPP;
	cgroup_set_lock_shared(a->cfg.cgroups);
	cg = cgroup_set_find(a->cfg.cgroups, req->cgroup);
	if (!cg) {
		r = cgroup_path_open(a->cfg.cgroups->root_fd, req->cgroup, &fd);
		if (r >= 0)
			r = cgroup_candidate_open(fd, req->cgroup, &tmp);
		if (r < 0) {
			cgroup_set_unlock(a->cfg.cgroups);
			return r;
		}
		/* Not a walked leaf (a slice with children): the config's
		 * rules still apply (issue 17 B4). */
		cgroup_set_apply_policy(a->cfg.cgroups, tmp);
		cg = tmp;
	}
	/* Its own Protect= or a protected cgroup below it: memory.reclaim
	 * on a parent reclaims from the whole subtree. */
	if (cg->policy.protect || cgroup_set_protected(a->cfg.cgroups, cg->path, NULL, 0)) {
		cgroup_set_unlock(a->cfg.cgroups);
		log_notice("cgroup /%s is protected (Protect=yes) or holds a protected "
			   "cgroup, not reclaiming.", cg->path);
		return -EPERM;
	}
	/* Removed meanwhile (here or during the writes): counted in
	 * nr_skipped, not an error. Other read errors only cost the
	 * pressure-at-decision figure. */
	r = cgroup_read_state(cg, n->buf, ACTUATOR_BUF_BYTES, n->numa, &st);
	if (r == -ENOENT || r == -ENODEV) {
		cgroup_set_unlock(a->cfg.cgroups);
		res->nr_skipped++;
		return 0;
	}
	if (r >= 0)
		cgroup_publish(a, cg, &st);
	/* memory.reclaim cannot spare a node: while one the cgroup has
	 * memory on is paused (offload's rule, by the numa_stat just read),
	 * nothing is written, and the nodes are said (as res->braked says
	 * the system brake). Explicit as it is, the request names a cgroup,
	 * not the nodes its pages are on. */
	pthread_mutex_lock(&a->lock);
	res->paused_nodes = cgroup_paused_nodes(&cg->state, actuator_paused_nodes(a));
	pthread_mutex_unlock(&a->lock);
	if (res->paused_nodes) {
		cgroup_set_unlock(a->cfg.cgroups);
		return 0;
	}
	res->backend = TARGET_BACKEND_CGROUPS;
	r = shrink_cgroup_amount(a, n, cg, want, req->swappiness, SPARE_ANY, res, now);
	/* The nodes' pacing counts it as their own reclaim, as offload's. */
	(void)attribute_nodes(a, cg, res->nr_reclaimed, write_took_anon(a, req->swappiness, res), -1);
	cgroup_set_unlock(a->cfg.cgroups);
	return r == -EINTR ? 0 : r;
}

/* ---- offload ---- */

/* Feed one Offload=yes cgroup's controller its reads; the step to take
 * (0: none). memory.reclaim on a cgroup reclaims its whole subtree, so a
 * protected cgroup below it counts as Protect= (as for an operator's).
 * While a node it has memory on is paused (paused_nodes), the controller
 * is paused instead of judged (offload_pause()).
 *
 * memory.numa_stat (the costliest read: a memcg stat flush and a line per
 * key and node) is read only where its node split is used: while a node
 * is paused, for the rule above, and before a step of at least MinWrite=,
 * whose reclaim attribute_nodes() spreads over the nodes by it. A
 * judgement that writes nothing (most of them, at steady state) reads
 * memory.current, min, low, pressure, stat and swap.current. */
static uint64_t offload_judge(struct actuator *a, struct actuator_node *n,
			      struct cgroup_candidate *cg, uint64_t now)
{
	struct offload_input in = { .now_usec = now };
	uint64_t step, memory_nodes, paused_nodes;
	struct cgroup_state st;
	bool nodes_read = false;
	int r;

	paused_nodes = actuator_paused_nodes(a);
	r = paused_nodes ? -EOPNOTSUPP
			 : cgroup_read_state_no_nodes(cg, n->buf, ACTUATOR_BUF_BYTES, &st);
	if (r == -EOPNOTSUPP) {
		r = cgroup_read_state(cg, n->buf, ACTUATOR_BUF_BYTES, n->numa, &st);
		nodes_read = true;
	}
	if (r < 0)
		return 0;
	cgroup_publish(a, cg, &st);
	/* Kernels before 5.9 have no _anon/_file split: the stall alone
	 * (refault_total_pages stays 0). */
	(void)cgroup_read_refaults(cg, n->buf, ACTUATOR_BUF_BYTES, &in.refault_total_pages);
	/* Without swap accounting: refaults and the stall alone. */
	in.has_swap = cgroup_read_swap(cg, n->buf, ACTUATOR_BUF_BYTES, &in.swap_bytes) >= 0;
	in.stall_total_usec = st.pressure_some_total_usec;
	in.current_bytes = st.current_bytes;
	in.floor_bytes = cgroup_floor(&st, &cg->policy);
	in.protect = cg->policy.protect ||
		     cgroup_set_protected(a->cfg.cgroups, cg->path, NULL, 0);
	/* Not read: no node is paused (paused_nodes 0), none pauses it. */
	memory_nodes = nodes_read ? cgroup_memory_nodes(&st) : 0;
	pthread_mutex_lock(&a->lock);
	if (offload_paused_by(memory_nodes, paused_nodes)) {
		offload_pause(&cg->offload, &in,
			      memory_nodes ? memory_nodes & paused_nodes : paused_nodes);
		step = 0;
	} else {
		step = offload_update(&cg->offload, &cg->policy.offload_params, &in);
	}
	pthread_mutex_unlock(&a->lock);
	/* The step's reclaim is spread over the nodes by a fresh split. A
	 * failed read leaves the last one (attribution only). */
	if (!nodes_read && step >= a->cfg.min_write_bytes &&
	    cgroup_read_nodes(cg, n->buf, ACTUATOR_BUF_BYTES, n->numa, &st) >= 0) {
		cgroup_publish(a, cg, &st);
	}
	return step;
}

/* Keep one step's write for the loop's watch event (a->lock held); summed
 * until actuator_report_offload_writes() takes it. */
static void offload_note_write(struct cgroup_candidate *cg, const struct shrink_result *res,
			       uint64_t requested, uint64_t reclaimed, bool partial, bool dry_run,
			       int r, uint64_t now)
{
	struct cgroup_offload_writes *w = &cg->offload_unreported;

	if (requested == 0 && r >= 0)
		return;
	w->nr_steps++;
	w->requested_bytes += requested;
	w->reclaimed_bytes += reclaimed;
	w->swappiness = cg->policy.offload_swappiness;
	w->swappiness_dropped = res->swappiness_dropped;
	w->partial |= partial;
	w->dry_run = dry_run;
	w->error = r < 0 ? r : 0;
	w->last_usec = now;
}

/* Is the cgroup paused by the nodes paused now (actuator_paused_nodes())?
 * If so its state says so. By the nodes it had memory on at its last
 * read. */
static bool offload_pause_held(struct actuator *a, struct cgroup_candidate *cg)
{
	uint64_t paused = actuator_paused_nodes(a), memory_nodes;
	bool on;

	pthread_mutex_lock(&a->lock);
	memory_nodes = cgroup_memory_nodes(&cg->state);
	on = offload_paused_by(memory_nodes, paused);
	if (on)
		offload_set_paused(&cg->offload, true,
				   memory_nodes ? memory_nodes & paused : paused);
	pthread_mutex_unlock(&a->lock);
	return on;
}

/* The shown state follows pause and resume at once: a cgroup not due for
 * judgement is marked paused or resumed by the nodes paused now, from
 * the nodes it had memory on at its last read (its judgement reads them
 * again). Once a tick of the offload thread, one table walk. */
static void offload_follow_pause(struct actuator *a)
{
	struct cgroup_set *s = a->cfg.cgroups;
	uint64_t paused = actuator_paused_nodes(a);

	if (!s)
		return;
	cgroup_set_lock_shared(s);
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		uint64_t memory_nodes;
		bool on;

		if (cgroup_gone(cg) || !cg->policy.offload || !cg->offload.started)
			continue;
		memory_nodes = cgroup_memory_nodes(&cg->state);
		on = offload_paused_by(memory_nodes, paused);
		if (on != cg->offload.paused)
			offload_set_paused(&cg->offload, on,
					   memory_nodes ? memory_nodes & paused : paused);
	}
	pthread_mutex_unlock(&a->lock);
	cgroup_set_unlock(s);
}

/* Take one cgroup's step under the cgroup-wide quota; 0 or a pass-ending
 * errno. */
static int offload_take(struct actuator *a, struct actuator_node *n,
			struct cgroup_candidate *cg, uint64_t step,
			struct shrink_result *res, uint64_t *now)
{
	uint64_t want, requested = res->nr_requested, reclaimed = res->nr_reclaimed;
	uint64_t swap = 0, current = 0;
	unsigned partial = res->nr_partial;
	bool has_swap, rebase;
	int r;

	want = quota_wait(a, n, step, false, now);
	res->quota_limited |= want < step;
	if (want == 0)
		return 0;
	/* The quota may have slept: a pause that came meanwhile holds. */
	if (offload_pause_held(a, cg))
		return 0;
	r = shrink_cgroup_amount(a, n, cg, want, cg->policy.offload_swappiness, SPARE_UNCHECKED,
				 res, *now);
	requested = res->nr_requested - requested;
	reclaimed = res->nr_reclaimed - reclaimed;
	brake_quota_charge(&n->quota, n->dry_run ? requested : reclaimed);
	/* The step's swap-out and reclaim are ours: the next judgement's
	 * swap-ins count from here (kept fds, no allocation). */
	rebase = reclaimed > 0 &&
		 cgroup_read_current(cg, n->buf, ACTUATOR_BUF_BYTES, &current) >= 0;
	has_swap = rebase && cgroup_read_swap(cg, n->buf, ACTUATOR_BUF_BYTES, &swap) >= 0;
	pthread_mutex_lock(&a->lock);
	if (rebase)
		offload_note_step(&cg->offload, swap, has_swap, current);
	offload_note_reclaimed(&cg->offload, requested, reclaimed);
	cg->offload_requested_bytes += requested;
	cg->offload_reclaimed_bytes += reclaimed;
	offload_note_write(cg, res, requested, reclaimed, res->nr_partial > partial, n->dry_run, r,
			   *now);
	pthread_mutex_unlock(&a->lock);
	(void)attribute_nodes(a, cg, reclaimed, write_took_anon(a, cg->policy.offload_swappiness, res),
			      -1);
	return r;
}

/* Is any Offload=yes cgroup's interval over? Without one, the offload
 * thread's tick is no shrink at all: no brake sample, no accounting. */
static bool offload_any_due(struct actuator *a, uint64_t now)
{
	struct cgroup_set *s = a->cfg.cgroups;
	bool due = false;

	if (!s)
		return false;
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups && !due; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];

		due = !cgroup_gone(cg) && cg->policy.offload &&
		      offload_due(&cg->offload, &cg->policy.offload_params, now);
	}
	cgroup_set_unlock(s);
	return due;
}

bool actuator_offload_any(struct actuator *a)
{
	struct cgroup_set *s = a->cfg.cgroups;
	bool any = false;

	if (!s)
		return false;
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups && !any; i++)
		any = !cgroup_gone(s->cgroups[i]) && s->cgroups[i]->policy.offload;
	cgroup_set_unlock(s);
	return any;
}

/* SHRINK_OFFLOAD: every Offload=yes cgroup whose interval is over. The
 * table stays locked shared across the quota's waits, as across a node
 * pass's writes (the loop's rescan retries). */
static int shrink_offload(struct actuator *a, struct actuator_node *n,
			  struct shrink_result *res, uint64_t *now)
{
	struct cgroup_set *s = a->cfg.cgroups;
	int r = 0;

	if (!s)
		return -EOPNOTSUPP;
	cgroup_set_lock_shared(s);
	res->backend = TARGET_BACKEND_CGROUPS;
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		uint64_t step;

		if (cgroup_gone(cg) || !cg->policy.offload ||
		    !offload_due(&cg->offload, &cg->policy.offload_params, *now))
			continue;
		step = offload_judge(a, n, cg, *now);
		if (step < a->cfg.min_write_bytes)
			continue;
		r = offload_take(a, n, cg, step, res, now);
		if (r == -EINTR || r == -EACCES || r == -EPERM || r == -EROFS)
			break;
		r = 0; /* other errors end this cgroup, not the pass */
	}
	cgroup_set_unlock(s);
	return r == -EINTR ? 0 : r;
}

/* ---- the entry point ---- */

/* Pages refaulted since boot (workingset_refault_anon + _file, 5.9+: read
 * back in after reclaim evicted them), the system brake's evidence, and
 * pages reclaimed since boot by anyone (pgsteal_kswapd, _direct,
 * _khugepaged, _proactive), its base; BRAKE_EVIDENCE_UNKNOWN without the
 * counters. Not workingset_activate: a task cycling through more than its
 * memory.max refaults pages whose refault distance is too long to activate
 * them, and thrashes all the same (VM scenario system-brake). */
static void read_vmstat_workingset(struct actuator *a, struct actuator_node *n,
				   uint64_t *ret_refaulted, uint64_t *ret_reclaimed)
{
	static const enum memstat_key steal[] = {
		MEMSTAT_PGSTEAL_KSWAPD, MEMSTAT_PGSTEAL_DIRECT, MEMSTAT_PGSTEAL_KHUGEPAGED,
		MEMSTAT_PGSTEAL_PROACTIVE,
	};
	struct memstat st;
	uint64_t reclaimed = 0;
	bool any = false;

	*ret_refaulted = *ret_reclaimed = BRAKE_EVIDENCE_UNKNOWN;
	if (read_vmstat(a, n, &st) < 0 ||
	    (!memstat_has(&st, MEMSTAT_WORKINGSET_REFAULT_ANON) &&
	     !memstat_has(&st, MEMSTAT_WORKINGSET_REFAULT_FILE)))
		return;
	*ret_refaulted = st.v[MEMSTAT_WORKINGSET_REFAULT_ANON] +
			 st.v[MEMSTAT_WORKINGSET_REFAULT_FILE];
	for (size_t i = 0; i < ELEMENTSOF(steal); i++) {
		any |= memstat_has(&st, steal[i]);
		reclaimed += st.v[steal[i]];
	}
	if (any)
		*ret_reclaimed = reclaimed;
}

/*
 * The system brake: /proc/pressure/memory full over SystemBrake= in a window
 * in which what reclaim evicted also came back (at least
 * ACTUATOR_SYSTEM_BRAKE_REFAULT_BYTES refaulted, and at least
 * ACTUATOR_SYSTEM_BRAKE_REFAULT_PERMILLE of what was reclaimed in it). A
 * full stall alone is also kswapd's and our own reclaim work, and a burst
 * of allocations: a brake on it stopped reclaim the workload needed (issue
 * 14). Refaults alone were near what reclaimd's own streaming reclaim
 * brings back (a few hundred pages a window among tens of thousands
 * reclaimed).
 */
static bool system_braked(struct actuator *a, struct actuator_node *n, uint64_t now)
{
	uint64_t evidence, reclaimed;
	struct brake_params p;
	struct psi_stat psi;
	bool on, wants;
	ssize_t k;

	if (a->pressure_fd < 0)
		return false;
	k = pread_file(a->pressure_fd, n->buf, ACTUATOR_BUF_BYTES);
	if (k < 0 || psi_parse(n->buf, (size_t)k, &psi) < 0)
		return false;
	n->pass_system_some_usec = psi.some.total_usec;
	n->pass_system_some_read = true;
	if (!psi.has_full)
		return false;
	pthread_mutex_lock(&a->lock);
	p = a->cfg.system_brake;
	p.evidence_min = ACTUATOR_SYSTEM_BRAKE_REFAULT_BYTES / (uint64_t)a->page_size;
	p.evidence_permille = ACTUATOR_SYSTEM_BRAKE_REFAULT_PERMILLE;
	wants = brake_wants_evidence(&a->system_brake, &p, psi.full.total_usec, now);
	pthread_mutex_unlock(&a->lock);
	/* Read only at a window's start and over the limit, not every pass,
	 * and outside the lock every node thread and the loop share. A value
	 * read before another thread restarted the window counts no growth. */
	evidence = reclaimed = BRAKE_EVIDENCE_UNKNOWN;
	if (wants)
		read_vmstat_workingset(a, n, &evidence, &reclaimed);
	pthread_mutex_lock(&a->lock);
	on = brake_update_evidence(&a->system_brake, &p, psi.full.total_usec, evidence, reclaimed,
				   now);
	pthread_mutex_unlock(&a->lock);
	return on;
}

/* The rate a context's next shrink starts its quota with (a->lock held). */
static uint64_t context_rate(const struct actuator_node *n)
{
	return n->rate_changed ? n->rate_next_bytes_per_sec : n->quota.rate_bytes_per_sec;
}

static void context_set_rate(struct actuator_node *n, uint64_t rate)
{
	if (rate == context_rate(n))
		return;
	n->rate_next_bytes_per_sec = rate;
	n->rate_changed = true;
}

int actuator_set_limits(struct actuator *a, int node, const struct actuator_limits *l)
{
	struct actuator_node *n;

	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return -EINVAL;
	n = &a->nodes[node];
	pthread_mutex_lock(&a->lock);
	context_set_rate(n, l->rate_bytes_per_sec);
	if (a->cgroup_wide.present)
		context_set_rate(&a->cgroup_wide, l->cgroup_rate_bytes_per_sec);
	if (l->step_bytes)
		n->step_bytes = l->step_bytes;
	if (l->cgroup_step_bytes)
		a->cgroup_step_bytes = l->cgroup_step_bytes;
	a->cfg.cgroup_brake = l->cgroup_brake;
	a->cfg.system_brake = l->system_brake;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int actuator_get_limits(struct actuator *a, int node, struct actuator_limits *ret)
{
	struct actuator_node *n;

	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return -EINVAL;
	n = &a->nodes[node];
	pthread_mutex_lock(&a->lock);
	*ret = (struct actuator_limits){
		.rate_bytes_per_sec = context_rate(n),
		.cgroup_rate_bytes_per_sec = a->cgroup_wide.present ? context_rate(&a->cgroup_wide)
								    : 0,
		.step_bytes = n->step_bytes,
		.cgroup_step_bytes = a->cgroup_step_bytes,
		.cgroup_brake = a->cfg.cgroup_brake,
		.system_brake = a->cfg.system_brake,
	};
	pthread_mutex_unlock(&a->lock);
	return 0;
}

static void node_account(struct actuator *a, struct actuator_node *n,
			 const struct shrink_result *res, uint64_t now)
{
	pthread_mutex_lock(&a->lock);
	n->stats.nr_shrinks++;
	n->stats.requested_bytes += res->nr_requested;
	n->stats.reclaimed_bytes += res->nr_reclaimed;
	n->stats.nr_writes += res->nr_writes;
	n->stats.nr_partial += res->nr_partial;
	n->stats.nr_errors += res->nr_errors;
	n->stats.nr_skipped += res->nr_skipped;
	n->stats.nr_braked += res->braked;
	n->stats.nr_quota_limited += res->quota_limited;
	n->stats.last_usec = now;
	pthread_mutex_unlock(&a->lock);
}

static int dispatch(struct actuator *a, struct actuator_node *n,
		    const struct shrink_request *req, uint64_t want,
		    struct shrink_result *res, uint64_t now)
{
	switch (req->kind) {
	case SHRINK_NODE:
		return shrink_node(a, n, req, want, res, now);
	case SHRINK_SOFT_TARGET:
		break; /* actuator_shrink() runs it: its quota is for its plan */
	case SHRINK_CGROUP:
		return shrink_one_cgroup(a, n, req, want, res, now);
	case SHRINK_OFFLOAD:
		break; /* actuator_shrink() runs it: its quota is per cgroup */
	}
	return -EINVAL;
}

/* Whose scratch and quota a request runs on: its node's, or for offload
 * and an operator's cgroup reclaim the cgroup-wide context (their node is
 * not looked at). */
static int request_context(struct actuator *a, const struct shrink_request *req,
			   struct actuator_node **ret)
{
	if (req->kind == SHRINK_OFFLOAD || req->kind == SHRINK_CGROUP) {
		if (!a->cgroup_wide.present)
			return -EOPNOTSUPP; /* no cgroup v2 memory hierarchy */
		*ret = &a->cgroup_wide;
		return 0;
	}
	if (req->node < 0 || req->node >= MEMSTAT_MAX_NODES || !a->nodes[req->node].present)
		return -EINVAL;
	*ret = &a->nodes[req->node];
	return 0;
}

int actuator_shrink(void *userdata, const struct shrink_request *req,
		    struct shrink_result *ret)
{
	struct actuator *a = userdata;
	struct shrink_result res = {};
	struct actuator_node *n;
	uint64_t now, want, ask, tokens, due;
	int r;

	r = request_context(a, req, &n);
	if (r < 0)
		return r;
	n->dry_run = a->cfg.dry_run || req->dry_run;
	pthread_mutex_lock(&a->lock);
	if (n->rate_changed) {
		brake_quota_init(&n->quota, n->rate_next_bytes_per_sec, a->cfg.burst_bytes);
		n->rate_changed = false;
	}
	n->call_step_bytes = n == &a->cgroup_wide ? a->cgroup_step_bytes : n->step_bytes;
	pthread_mutex_unlock(&a->lock);
	now = actuator_now(a);
	if (req->kind == SHRINK_OFFLOAD)
		offload_follow_pause(a);
	if (req->kind == SHRINK_OFFLOAD && !offload_any_due(a, now)) {
		*ret = res;
		return 0;
	}
	ask = req->nr_to_reclaim;
	n->pass_system_some_read = false; /* until system_braked() reads it */
	if (req->kind != SHRINK_CGROUP && system_braked(a, n, now)) {
		/* The brake stops proactive reclaim. A node pass below the
		 * kernel's own marks is not: the node's kswapd would reclaim
		 * that much now, so stopping it only hands the same work to
		 * kswapd (a stall we could have spared, issue 14). It goes on,
		 * cut to what the kernel would take, and no further. */
		if (req->kind != SHRINK_NODE || req->kernel_deficit_bytes == 0) {
			res.braked = true;
			node_account(a, n, &res, now);
			*ret = res;
			return 0;
		}
		res.brake_cut = true;
		ask = MIN(ask, req->kernel_deficit_bytes);
	}
	if (req->kind == SHRINK_OFFLOAD || req->kind == SHRINK_SOFT_TARGET) {
		/* Each controller's step waits for and charges the quota;
		 * the soft-target pass plans, then takes the tokens there
		 * are for its plan. */
		r = req->kind == SHRINK_OFFLOAD ? shrink_offload(a, n, &res, &now)
						: shrink_soft_target(a, n, req, ask, &res, now);
		node_account(a, n, &res, now);
		if (r < 0)
			return r;
		*ret = res;
		return 0;
	}
	want = quota_watermark_job(n, req, ask, now, &tokens, &due);
	if (!want)
		want = quota_wait(a, n, ask, req->kind == SHRINK_NODE && req->run, &now);
	res.quota_limited = want < ask;
	res.quota_granted_bytes = want;
	res.quota_exempt = due > 0;
	r = want > 0 ? dispatch(a, n, req, want, &res, now) : 0;
	quota_charge_pass(n, &res, tokens, due);
	node_account(a, n, &res, now);
	if (r < 0)
		return r;
	*ret = res;
	return 0;
}

int actuator_compact(struct actuator *a, int node)
{
	struct actuator_node *n;
	int r;

	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return -EINVAL;
	n = &a->nodes[node];
	if (n->compact_fd < 0)
		return -EOPNOTSUPP;
	/* sysfs_compact_node(): any write compacts every zone of the node. */
	r = actuator_write(a, n->compact_fd, "1", 1);
	pthread_mutex_lock(&a->lock);
	if (r < 0)
		n->stats.nr_compact_errors++;
	else
		n->stats.nr_compact++;
	pthread_mutex_unlock(&a->lock);
	return r;
}

/* ---- status ---- */

void actuator_set_paused_nodes(struct actuator *a, uint64_t nodes)
{
	__atomic_store_n(&a->paused_nodes_mask, nodes, __ATOMIC_RELAXED);
}

uint64_t actuator_paused_nodes(const struct actuator *a)
{
	return __atomic_load_n(&a->paused_nodes_mask, __ATOMIC_RELAXED);
}

uint64_t actuator_cgroup_wide_reclaimed(struct actuator *a, int node)
{
	if (!a || node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return 0;
	return __atomic_load_n(&a->nodes[node].cgroup_wide_reclaimed_bytes, __ATOMIC_RELAXED);
}

void actuator_features(struct actuator *a, struct features *ret)
{
	pthread_mutex_lock(&a->lock);
	*ret = a->cfg.features;
	pthread_mutex_unlock(&a->lock);
}

int actuator_node_stats(struct actuator *a, int node, struct actuator_node_stats *ret)
{
	if (node < 0 || node >= MEMSTAT_MAX_NODES || !a->nodes[node].present)
		return -ENOENT;
	pthread_mutex_lock(&a->lock);
	*ret = a->nodes[node].stats;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int actuator_cgroup_wide_stats(struct actuator *a, struct actuator_node_stats *ret)
{
	if (!a->cgroup_wide.present)
		return -ENOENT;
	pthread_mutex_lock(&a->lock);
	*ret = a->cgroup_wide.stats;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

void actuator_cgroup_info_fill(const struct cgroup_candidate *cg, struct actuator_cgroup_info *ret)
{
	memcpy(ret->path, cg->path, sizeof(ret->path));
	ret->current_bytes = cg->state.current_bytes;
	ret->floor_bytes = cgroup_floor(&cg->state, &cg->policy);
	ret->policy = cg->policy;
	ret->acct = cg->acct;
	ret->braked = cg->brake.engaged;
	ret->gone = cgroup_gone(cg);
	ret->protection_bytes = MAX(cg->state.min_bytes, cg->state.low_bytes);
	ret->pressure_some_total_usec = cg->state.pressure_some_total_usec;
	ret->pressure_some_avg10 = cg->state.pressure_some_avg10;
	ret->pressure_full_avg10 = cg->state.pressure_full_avg10;
	memcpy(ret->node_file_bytes, cg->state.node_file_bytes, sizeof(ret->node_file_bytes));
	memcpy(ret->node_anon_bytes, cg->state.node_anon_bytes, sizeof(ret->node_anon_bytes));
	ret->offload = cg->offload;
	ret->offload_requested_bytes = cg->offload_requested_bytes;
	ret->offload_reclaimed_bytes = cg->offload_reclaimed_bytes;
}

int actuator_cgroups(struct actuator *a, struct actuator_cgroup_info **ret, size_t *ret_n)
{
	struct cgroup_set *s = a->cfg.cgroups;
	struct actuator_cgroup_info *v;

	if (!s) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	cgroup_set_lock_shared(s);
	v = calloc(s->n_cgroups ? s->n_cgroups : 1, sizeof(*v));
	if (!v) {
		cgroup_set_unlock(s);
		return -ENOMEM;
	}
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < s->n_cgroups; i++)
		actuator_cgroup_info_fill(s->cgroups[i], &v[i]);
	pthread_mutex_unlock(&a->lock);
	*ret_n = s->n_cgroups;
	cgroup_set_unlock(s);
	*ret = v;
	return 0;
}

/*
 * Has any task stalled on memory since the last sample? A task that stalls
 * in a cgroup stalls the system too, so while /proc/pressure/memory's some
 * total stands still no cgroup's memory.pressure some total moves either
 * (to within the microsecond each file rounds to: the kernel weighs each
 * CPU's stall by a group's own non-idle time). true when unknown (no PSI,
 * a failed read, the first sample).
 */
static bool sample_system_stalled(struct actuator *a)
{
	struct psi_stat psi;
	bool moved;
	ssize_t k;

	if (a->pressure_fd < 0)
		return true;
	k = pread_file(a->pressure_fd, a->sample_buf, sizeof(a->sample_buf));
	if (k < 0 || psi_parse(a->sample_buf, (size_t)k, &psi) < 0) {
		a->sample_system_read = false;
		return true;
	}
	moved = !a->sample_system_read || psi.some.total_usec != a->sample_system_some_usec;
	a->sample_system_some_usec = psi.some.total_usec;
	a->sample_system_read = true;
	return moved;
}

/*
 * The loop's brake sample, every half PressureWindow=. With no stall in
 * the system since the last sample, a cgroup whose brake is off is judged
 * on its last read (its window moves on with the clock; with no new stall
 * it cannot engage) without reading its memory.pressure: on a calm host
 * with hundreds of cgroups that was most of the loop's reads. An engaged
 * brake is read, so a release is reported with a fresh avg10. Neither is
 * read where another thread read it since the last sample (a node pass's
 * census or guard, offload's judgement): that read, at most a sample
 * old, is judged as at its own time where the system has stalled since
 * (cgroup_braked()), else at the sample's. While the system stalls, the node
 * passes under way read every candidate's memory.pressure about as often
 * as the loop would (issue 14: 19 cgroups of a systemd guest; leaving
 * those out halved the loop's read calls); a cgroup whose brake changed
 * at such a read is told at the next sample, half a window at most after
 * the pass itself acted on it.
 */
void actuator_sample_brakes(struct actuator *a, actuator_brake_fn fn, void *userdata)
{
	struct cgroup_set *s = a->cfg.cgroups;
	uint64_t now = actuator_now(a);
	bool stalled;

	if (!s)
		return;
	stalled = sample_system_stalled(a);
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct actuator_brake_change c = { .path = cg->path };
		struct cgroup_state st;
		bool was_read, read_since;

		if (cgroup_gone(cg))
			continue;
		pthread_mutex_lock(&a->lock);
		was_read = cg->state.parts & CGROUP_STATE_PRESSURE;
		read_since = cg->state.nr_pressure_reads != cg->pressure_reads_sampled;
		cg->pressure_reads_sampled = cg->state.nr_pressure_reads;
		pthread_mutex_unlock(&a->lock);
		/* Not read: judged on the last read, by whichever thread made
		 * it (a pass's or offload's may be newer than this loop's). */
		if ((stalled || cg->brake_reported || !was_read) && !read_since) {
			if (cgroup_read_pressure(cg, a->sample_buf, sizeof(a->sample_buf), &st) < 0)
				continue;
			st.pressure_read_usec = now;
			pthread_mutex_lock(&a->lock);
			cgroup_state_publish(&cg->state, &st);
			cg->pressure_reads_sampled = cg->state.nr_pressure_reads;
			pthread_mutex_unlock(&a->lock);
		}
		/* Another thread's read while the system stalled is judged at
		 * its time; with no stall since, its total is the one at now. */
		c.on = cgroup_braked(a, cg, now, read_since && stalled, &c) && !cg->policy.protect;
		if (c.on == cg->brake_reported)
			continue;
		cg->brake_reported = c.on;
		pthread_mutex_lock(&a->lock);
		c.some_avg10 = cg->state.pressure_some_avg10;
		pthread_mutex_unlock(&a->lock);
		if (fn)
			fn(userdata, &c);
	}
	cgroup_set_unlock(s);
}

void actuator_sample_offload(struct actuator *a, actuator_offload_fn fn, void *userdata)
{
	struct cgroup_set *s = a->cfg.cgroups;

	if (!s)
		return;
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct offload_state st;
		struct actuator_offload_change c = {
			.path = cg->path,
			.state = &st,
			.target_usec = cg->policy.offload_params.target_usec,
		};

		pthread_mutex_lock(&a->lock);
		st = cg->offload;
		c.from = cg->offload_reported;
		cg->offload_reported = offload_shown_kind(&st);
		pthread_mutex_unlock(&a->lock);
		c.to = offload_shown_kind(&st);
		if (fn && cg->policy.offload && offload_change_is_news(c.from, c.to))
			fn(userdata, &c);
	}
	cgroup_set_unlock(s);
}

void actuator_report_offload_writes(struct actuator *a, actuator_offload_write_fn fn,
				    void *userdata)
{
	struct cgroup_set *s = a->cfg.cgroups;

	if (!s)
		return;
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct actuator_offload_write w = { .path = cg->path };

		pthread_mutex_lock(&a->lock);
		w.writes = cg->offload_unreported;
		cg->offload_unreported = (struct cgroup_offload_writes){};
		pthread_mutex_unlock(&a->lock);
		if (fn && w.writes.nr_steps > 0)
			fn(userdata, &w);
	}
	cgroup_set_unlock(s);
}

int actuator_refresh(struct actuator *a)
{
	struct cgroup_set *s = a->cfg.cgroups;
	_cleanup_free_ struct memstat_numa *numa = NULL;
	_cleanup_free_ char *buf = NULL;

	if (!s)
		return 0;
	buf = malloc(ACTUATOR_BUF_BYTES);
	numa = malloc(sizeof(*numa));
	if (!buf || !numa)
		return -ENOMEM;
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		struct cgroup_state st;

		/* A vanished cgroup is marked gone and reported as such. */
		if (cgroup_read_state(s->cgroups[i], buf, ACTUATOR_BUF_BYTES, numa, &st) >= 0)
			cgroup_publish(a, s->cgroups[i], &st);
	}
	cgroup_set_unlock(s);
	return 0;
}

int actuator_rescan(struct actuator *a, bool wait)
{
	if (!a->cfg.cgroups)
		return 0;
	return wait ? cgroup_rescan(a->cfg.cgroups) : cgroup_rescan_try(a->cfg.cgroups);
}
