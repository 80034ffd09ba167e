/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-node reclaim threads: kswapd() and kswapd_try_to_sleep() from
 * ../shared/seed/kswapd.c. The decisions are balance.c's; this file owns the
 * threads, the wait queue (a mutex and a CLOCK_MONOTONIC condition variable
 * per node), the freezer and the stop flag.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kick.h"
#include "kswapd.h"
#include "log.h"
#include "macro.h"
#include "util.h"

struct kswapd_node {
	struct kswapd *k;
	int node;
	cpu_set_t cpus;
	pthread_t thread;
	bool thread_started;

	/* Everything below `lock` is guarded by it. */
	pthread_mutex_t lock;
	pthread_cond_t wait;              /* pgdat->kswapd_wait */
	struct balance_node b;
	struct balance_request pending;   /* kswapd_highest_zoneidx & co. */
	bool woken;                       /* a wake since prepare_to_wait */
	bool paused;                      /* freezing(current) */
	bool stop;                        /* kthread_should_stop() */
	/* The monitor's last snapshot had the node below the kernel's own
	 * high marks: ends a hold (kswapd_hold()), unless the run before it
	 * took a pass the system brake cut (hold_below_ends false). */
	bool kernel_short;
	bool holding;                     /* in kswapd_hold() */
	bool hold_below_ends;
	/* kswapd_hold()'s backoff: consecutive empty kernel-balanced runs,
	 * and the current (last) wait; a wait longer than brake_wait_usec is
	 * a backed-off one (kswapd_hold_backed_off()). */
	unsigned empty_runs;
	uint64_t hold_usec;
	/* A backed-off wait watches the node's file LRU (where zoneinfo
	 * shows it): its pages when the wait began, and whether the monitor
	 * has seen them grow by a batch since. file_watch_off: an early end
	 * on file growth was followed by another empty run (page cache we
	 * may not take: protected, dirty), so growth ends no wait until a
	 * run frees something. But the growth may have been in a cgroup the
	 * run did not know yet (created with its page cache, walked 100 ms
	 * after its mkdir: a run between took nothing from it): cgroups_gen
	 * counts the walks that found new cgroups (kswapd_cgroups_added()),
	 * run_cgroups_gen is its value when the last run began, and
	 * file_watch_retry lets a walk that found some since end the wait
	 * right after that run (kswapd_hold_new_cgroups()), not a later one. */
	bool hold_file_watch, file_watch_off, hold_ended_by_file;
	bool file_watch_retry;
	uint64_t cgroups_gen, run_cgroups_gen;
	/* The wake reasons of the run under way: its request's; for a run
	 * with none after a run that did not balance, the run before it's,
	 * whose work it goes on with; for one with none after a run that
	 * balanced, the watermark's (the sleep check found the marks unmet,
	 * as the monitor does). */
	unsigned run_reasons;
	uint64_t hold_file_pages;
	bool hold_file_grew;
	/* Wake reasons that came since the wait began, and a params change
	 * (kswapd_set_params()) since then. */
	unsigned hold_reasons;
	bool hold_params_changed;
	enum kswapd_thread_state state;
	int priority;
	uint64_t state_since_usec;
	uint64_t last_progress_usec;

	/* Under kswapd.params_lock: what the next run will use. */
	struct balance_params next_params;
	uint64_t next_params_gen;

	/* Private to the node thread. */
	struct balance_params params;
	uint64_t params_gen;
	struct node_reclaim_limits node_reclaim; /* kswapd.node_reclaim at the run's start */
	struct node_zoneinfo zi;
	uint64_t snapshot_usec;           /* when zi was last read whole */
	uint64_t shrink_usec;             /* when the last shrink returned */
	struct node_zoneinfo zi_free;     /* zi with fresh free pages ... */
	bool zi_free_valid;               /* ... read since the last shrink */
	struct compact_state compact;

	/* Under kswapd.compact_lock: wakeup_kcompactd()'s request. */
	enum compact_reason compact_pending; /* COMPACT_NONE: none */
	bool compacting;                      /* the kcompactd thread is in its write */
};

struct kswapd {
	struct reclaim_backend backend;
	void (*event)(const struct kswapd_event *ev, void *userdata);
	void *event_userdata;
	uint64_t short_sleep_usec;
	uint64_t brake_wait_usec;
	uint64_t snapshot_max_age_usec;
	uint64_t snapshot_reuse_usec;
	bool kernel_compacts_fragmented;

	pthread_mutex_t params_lock;
	struct balance_params params;
	uint64_t params_gen;
	/* The kernel's node-reclaim minimums (kswapd_set_node_reclaim_limits(),
	 * under params_lock): whether a node-file pass would reclaim nothing. */
	struct node_reclaim_limits node_reclaim;

	/* kcompactd: one thread does every node's nodeN/compact write, so a
	 * compaction that takes long (a big node, or a CPU that never runs
	 * the per-CPU drain it waits for) never holds a node's reclaim. */
	pthread_t kcompactd;
	bool kcompactd_started;
	pthread_mutex_t compact_lock;
	pthread_cond_t compact_wait;
	bool compact_stop;

	unsigned n_nodes;
	struct kswapd_node nodes[];
};

static const char *const kswapd_thread_state_table[_KSWAPD_STATE_MAX] = {
	[KSWAPD_STATE_STARTING] = "starting",
	[KSWAPD_STATE_SHORT_SLEEP] = "short-sleep",
	[KSWAPD_STATE_SLEEPING] = "sleeping",
	[KSWAPD_STATE_BALANCING] = "balancing",
	[KSWAPD_STATE_PAUSED] = "paused",
	[KSWAPD_STATE_HOPELESS] = "hopeless",
	[KSWAPD_STATE_BRAKED] = "braked",
	[KSWAPD_STATE_STOPPED] = "stopped",
};

static const char *const kswapd_event_type_table[_KSWAPD_EVENT_MAX] = {
	[KSWAPD_EVENT_WAKE] = "wake",
	[KSWAPD_EVENT_RUN_START] = "run-start",
	[KSWAPD_EVENT_SHRINK] = "shrink",
	[KSWAPD_EVENT_RUN_END] = "run-end",
	[KSWAPD_EVENT_SHORT_SLEEP] = "short-sleep",
	[KSWAPD_EVENT_SLEEP] = "sleep",
	[KSWAPD_EVENT_PREMATURE] = "premature",
	[KSWAPD_EVENT_FROZEN] = "frozen",
	[KSWAPD_EVENT_THAWED] = "thawed",
	[KSWAPD_EVENT_STOPPED] = "stopped",
	[KSWAPD_EVENT_BRAKED] = "braked",
	[KSWAPD_EVENT_COMPACT] = "compact",
};

DEFINE_STRING_TABLE_TO_STRING(, kswapd_thread_state, enum kswapd_thread_state,
			      _KSWAPD_STATE_MAX)
DEFINE_STRING_TABLE_TO_STRING(, kswapd_event_type, enum kswapd_event_type, _KSWAPD_EVENT_MAX)

/* --- helpers run by the node thread --- */

static void kswapd_emit(struct kswapd_node *kn, struct kswapd_event *ev)
{
	if (!kn->k->event)
		return;
	ev->node = kn->node;
	ev->time_usec = now_usec();
	kn->k->event(ev, kn->k->event_userdata);
}

static void kswapd_emit_type(struct kswapd_node *kn, enum kswapd_event_type t)
{
	struct kswapd_event ev = { .type = t };

	kswapd_emit(kn, &ev);
}

/* Under kn->lock. */
static void kswapd_set_state(struct kswapd_node *kn, enum kswapd_thread_state s)
{
	uint64_t now = now_usec();

	kn->state = s;
	kn->state_since_usec = now;
	kn->last_progress_usec = now;
}

static bool kswapd_should_stop(struct kswapd_node *kn)
{
	bool stop;

	pthread_mutex_lock(&kn->lock);
	stop = kn->stop;
	pthread_mutex_unlock(&kn->lock);
	return stop;
}

/* Runtime params are applied at the start of a run, never in the middle. */
static void kswapd_load_params(struct kswapd_node *kn)
{
	struct kswapd *k = kn->k;

	pthread_mutex_lock(&k->params_lock);
	if (kn->params_gen != kn->next_params_gen) {
		kn->params = kn->next_params;
		kn->params_gen = kn->next_params_gen;
	}
	kn->node_reclaim = k->node_reclaim;
	pthread_mutex_unlock(&k->params_lock);
}

/* Fresh zoneinfo into kn->zi; counts a failure. */
static int kswapd_snapshot(struct kswapd_node *kn)
{
	int r;

	r = kn->k->backend.snapshot(kn->k->backend.userdata, kn->node, &kn->zi);
	pthread_mutex_lock(&kn->lock);
	if (r < 0) {
		kn->b.counters.snapshot_errors++;
	} else {
		kn->b.counters.snapshots++;
		kn->snapshot_usec = now_usec();
	}
	pthread_mutex_unlock(&kn->lock);
	return r;
}

/*
 * After a shrink of a run, the read balance_refresh_kind() calls for
 * (issue 14: zoneinfo was more than half of a pass's reads, 249 us under
 * TCG against buddyinfo's 53): none after a soft-target pass; the zones'
 * free pages alone (backend zone_free()) into kn->zi_free while the last
 * full snapshot is under snapshot_max_age_usec old (its marks and LRU
 * sizes hold that long at most), adopted or not by kswapd_next() under the
 * lock its balance_next() runs under; else the whole of zoneinfo.
 */
static int kswapd_refresh(struct kswapd_node *kn)
{
	struct reclaim_backend *be = &kn->k->backend;
	enum balance_refresh kind;

	kn->zi_free_valid = false;
	pthread_mutex_lock(&kn->lock);
	kind = balance_refresh_kind(&kn->b, &kn->zi);
	pthread_mutex_unlock(&kn->lock);
	if (kind == BALANCE_REFRESH_NONE)
		return 0;
	if (kind == BALANCE_REFRESH_FREE && be->zone_free &&
	    now_usec() - kn->snapshot_usec < kn->k->snapshot_max_age_usec) {
		kn->zi_free = kn->zi;
		if (be->zone_free(be->userdata, kn->node, &kn->zi_free) >= 0) {
			/* The per-CPU lists' room is the full read's, and the
			 * pass since may have filled it: unknown until the
			 * next (balance_check() asks it once). */
			for (unsigned i = 0; i < kn->zi_free.n_zones && i < ZONEINFO_MAX_ZONES; i++) {
				kn->zi_free.zones[i].pcp_room = 0;
				kn->zi_free.zones[i].has_pcp = false;
			}
			kn->zi_free_valid = true;
			return 0;
		}
		pthread_mutex_lock(&kn->lock);
		kn->b.counters.zone_free_unused++;
		pthread_mutex_unlock(&kn->lock);
	}
	return kswapd_snapshot(kn);
}

/* The whole snapshot was read after the run's last write, moments ago
 * (KSWAPD_SNAPSHOT_REUSE_USEC): as good as a new read. */
static bool kswapd_snapshot_fresh(const struct kswapd_node *kn)
{
	return kn->snapshot_usec && kn->snapshot_usec >= kn->shrink_usec &&
	       now_usec() - kn->snapshot_usec < kn->k->snapshot_reuse_usec;
}

/* prepare_kswapd_sleep(). A node whose zoneinfo cannot be read sleeps: we
 * would otherwise spin on a node we cannot see. before_nap: the check
 * before the nap, which takes a fresh snapshot (kswapd_snapshot_fresh())
 * as it is. The check after the nap always reads. */
static bool kswapd_prepare_sleep(struct kswapd_node *kn, unsigned highest_zoneidx,
				 bool before_nap)
{
	bool sleep;

	if (!(before_nap && kswapd_snapshot_fresh(kn)) && kswapd_snapshot(kn) < 0)
		return true;

	pthread_mutex_lock(&kn->lock);
	sleep = balance_prepare_sleep(&kn->b, &kn->params, &kn->zi,
				      highest_zoneidx, kn->pending.boost_bytes);
	/* A dry-run node sleeps whatever its watermarks say, so a wake that
	 * came before this check (one prepare_to_wait would not see) must
	 * keep it up. */
	if (kn->params.dry_run && kn->pending.reasons)
		sleep = false;
	pthread_mutex_unlock(&kn->lock);
	return sleep;
}

/*
 * Enter state s, tell the event callback (ev), then wait on the node's queue
 * until woken, paused or stopped, or until timeout_usec passed (0: no
 * timeout). A wake between the two is not lost: `woken` stays set. Returns
 * true if woken: the seed's "remaining" != 0.
 */
static bool kswapd_wait(struct kswapd_node *kn, enum kswapd_thread_state s,
			enum kswapd_event_type ev, uint64_t timeout_usec)
{
	struct timespec deadline;
	bool woken;

	if (timeout_usec)
		timespec_after_usec(&deadline, timeout_usec);

	pthread_mutex_lock(&kn->lock);
	kswapd_set_state(kn, s);
	pthread_mutex_unlock(&kn->lock);
	kswapd_emit(kn, &(struct kswapd_event){ .type = ev, .waits = timeout_usec == 0 });

	pthread_mutex_lock(&kn->lock);
	while (!kn->woken && !kn->paused && !kn->stop) {
		if (!timeout_usec)
			pthread_cond_wait(&kn->wait, &kn->lock);
		else if (pthread_cond_timedwait(&kn->wait, &kn->lock,
						&deadline) == ETIMEDOUT)
			break;
	}
	woken = kn->woken;
	pthread_mutex_unlock(&kn->lock);
	return woken;
}

/* prepare_to_wait(): wakes from now on end the sleep. Returns false if the
 * thread is being frozen or stopped ("if (freezing(current) ||
 * kthread_should_stop()) return;"). */
static bool kswapd_prepare_to_wait(struct kswapd_node *kn)
{
	bool ok;

	pthread_mutex_lock(&kn->lock);
	ok = !kn->paused && !kn->stop;
	if (ok)
		kn->woken = false;
	pthread_mutex_unlock(&kn->lock);
	return ok;
}

static void kswapd_count_premature(struct kswapd_node *kn, bool remaining)
{
	struct kswapd_event ev = { .type = KSWAPD_EVENT_PREMATURE,
				   .premature_low = remaining };

	pthread_mutex_lock(&kn->lock);
	if (remaining)
		kn->b.counters.low_wmark_hit_quickly++;
	else
		kn->b.counters.high_wmark_hit_quickly++;
	pthread_mutex_unlock(&kn->lock);
	kswapd_emit(kn, &ev);
}

static void kswapd_sleep_until_woken(struct kswapd_node *kn)
{
	enum kswapd_thread_state s;

	pthread_mutex_lock(&kn->lock);
	kn->b.counters.full_sleeps++;
	kn->empty_runs = 0;
	kn->file_watch_off = false;
	kn->file_watch_retry = false;
	s = balance_node_hopeless(&kn->b) ? KSWAPD_STATE_HOPELESS
					  : KSWAPD_STATE_SLEEPING;
	pthread_mutex_unlock(&kn->lock);

	(void)kswapd_wait(kn, s, KSWAPD_EVENT_SLEEP, /* timeout_usec= */ 0);
}

static void kswapd_try_to_sleep(struct kswapd_node *kn, unsigned highest_zoneidx)
{
	bool remaining = false;

	if (!kswapd_prepare_to_wait(kn))
		return;

	/* "Try to sleep for a short interval." */
	if (kswapd_prepare_sleep(kn, highest_zoneidx, /* before_nap= */ true)) {
		remaining = kswapd_wait(kn, KSWAPD_STATE_SHORT_SLEEP,
					KSWAPD_EVENT_SHORT_SLEEP,
					kn->k->short_sleep_usec);

		pthread_mutex_lock(&kn->lock);
		/* "If woken prematurely then reset kswapd_highest_zoneidx and
		 * order." */
		if (remaining)
			balance_request_keep_premature(&kn->pending, highest_zoneidx);
		/* Unlike the freezer's fake signal, a pause or stop is not a
		 * premature wake: leave without counting one. */
		if (!remaining && (kn->paused || kn->stop)) {
			pthread_mutex_unlock(&kn->lock);
			return;
		}
		pthread_mutex_unlock(&kn->lock);
	}

	/* "After a short sleep, check if it was a premature sleep. If not,
	 * then go fully to sleep until explicitly woken up." */
	if (!remaining && kswapd_prepare_sleep(kn, highest_zoneidx, /* before_nap= */ false))
		kswapd_sleep_until_woken(kn);
	else
		kswapd_count_premature(kn, remaining);
}

/* kswapd_highest_zoneidx() at the top of the loop: peek, do not consume. */
static unsigned kswapd_peek_zoneidx(struct kswapd_node *kn, unsigned prev)
{
	unsigned idx;

	pthread_mutex_lock(&kn->lock);
	idx = balance_highest_zoneidx(&kn->pending, prev);
	pthread_mutex_unlock(&kn->lock);
	return idx;
}

/* "Read the new order and highest_zoneidx" and reset them. short_run:
 * the run before did not balance (kn->run_reasons). */
static unsigned kswapd_consume(struct kswapd_node *kn, unsigned prev, bool short_run)
{
	struct balance_request req;
	unsigned idx;

	pthread_mutex_lock(&kn->lock);
	req = kn->pending;
	idx = balance_highest_zoneidx(&req, prev);
	kn->pending = BALANCE_REQUEST_NONE;
	balance_node_consume(&kn->b, &req);
	if (req.reasons)
		kn->run_reasons = req.reasons;
	else if (!short_run)
		kn->run_reasons = 1u << BALANCE_WAKE_WATERMARK;
	pthread_mutex_unlock(&kn->lock);

	if (req.reasons) {
		struct kswapd_event ev = {
			.type = KSWAPD_EVENT_WAKE,
			.highest_zoneidx = idx,
			.reasons = req.reasons,
			.boost_bytes = req.boost_bytes,
		};

		kswapd_emit(kn, &ev);
	}
	return idx;
}

static uint64_t node_file_pages(const struct node_zoneinfo *n)
{
	return n->has_lru ? n->lru.nr_inactive_file + n->lru.nr_active_file : 0;
}

/* Whether a run that ended with res holds the node (kswapd_hold()). */
static bool kswapd_run_holds(const struct balance_result *res)
{
	return res->braked || res->reason == BALANCE_END_KERNEL_BALANCED;
}

/* The file watch is off after an empty run that file growth began, and
 * a cgroup walk since that run began found new cgroups: the growth may
 * have been theirs. Once per such run (file_watch_retry). Under kn->lock. */
static bool kswapd_hold_new_cgroups(const struct kswapd_node *kn)
{
	return kn->file_watch_off && kn->file_watch_retry &&
	       kn->cgroups_gen != kn->run_cgroups_gen;
}

/* Whether a backed-off wait ends before its time: the node has page cache
 * to take again, or may have (kswapd_hold_new_cgroups()), a wake came
 * since the wait began that the watermark monitor did not send (an
 * operator's reclaim or boost, PSI), or new params. Under kn->lock. */
static bool kswapd_hold_ends_early(const struct kswapd_node *kn)
{
	return kn->hold_file_grew || (kn->hold_reasons & ~(1u << BALANCE_WAKE_WATERMARK)) ||
	       kn->hold_params_changed || kswapd_hold_new_cgroups(kn);
}

/* The node below the kernel's own high marks ends the wait (the monitor
 * saw it there since it began). Under kn->lock. */
static bool kswapd_hold_below(const struct kswapd_node *kn)
{
	return kn->hold_below_ends && kn->kernel_short;
}

/* In a backed-off wait (the second or later). Under kn->lock. */
static bool kswapd_hold_backed_off(const struct kswapd_node *kn)
{
	return kn->holding && kn->hold_usec > kn->k->brake_wait_usec;
}

/* brake_wait_usec << shift, saturating. */
static uint64_t kswapd_hold_length(uint64_t wait, unsigned shift)
{
	return wait > (UINT64_MAX >> shift) ? UINT64_MAX : wait << shift;
}

/* A run the system brake stopped (braked), or one that found nothing to
 * take ahead of the kernel (kernel-balanced: a file-only pass there freed
 * nothing, or the node file fell short), waits brake_wait_usec, as the
 * rate quota does, before the thread goes back to try-to-sleep. Wakes do
 * not end the wait (the PSI trigger fires exactly during the stalls the
 * brake is for, and a node short of our marks only keeps waking); a pause,
 * a stop, or the monitor seeing the node below the kernel's own high marks
 * after the wait began do: there a pass may swap, and the brake cuts it
 * rather than stopping it (actuator.c). Not after a run that ended with
 * such a cut pass (res->brake_cut): it took what the node lacked to the
 * kernel's marks, and what the node lacks after it is the kernel's kswapd's
 * until the wait ends, so that a braked node writes once a wait at most.
 *
 * Kernel-balanced runs that freed nothing back off: each doubles the wait,
 * up to KSWAPD_EMPTY_HOLD_SHIFT_MAX, and a run that frees anything or ends
 * another way, a full sleep, a pause or new params start again at one wait.
 * A backed-off wait is never shorter than one wait (brake_wait_usec); past
 * that it also ends when the node's file LRU grows by a batch, a wake
 * other than the monitor's comes, or params change
 * (kswapd_hold_ends_early()). */
static void kswapd_hold(struct kswapd_node *kn, const struct balance_result *res)
{
	bool braked = res->braked, ended = false;
	struct timespec floor, deadline;

	pthread_mutex_lock(&kn->lock);
	if (!braked && res->nr_reclaimed == 0) {
		kn->empty_runs++;
		if (kn->hold_ended_by_file)
			kn->file_watch_off = true;
		/* The retry lives in the wait after that run alone. */
		kn->file_watch_retry = kn->hold_ended_by_file;
	} else {
		kn->empty_runs = 0;
		kn->file_watch_off = false;
		kn->file_watch_retry = false;
	}
	kn->hold_ended_by_file = false;
	kn->hold_usec = kswapd_hold_length(kn->k->brake_wait_usec,
					   MIN(kn->empty_runs ? kn->empty_runs - 1 : 0,
					       KSWAPD_EMPTY_HOLD_SHIFT_MAX));
	kn->hold_file_watch = kn->empty_runs > 1 && kn->zi.has_lru && !kn->file_watch_off;
	kn->hold_file_pages = node_file_pages(&kn->zi);
	kn->hold_file_grew = false;
	kn->hold_reasons = 0;
	kn->hold_params_changed = false;
	timespec_after_usec(&floor, MIN(kn->hold_usec, kn->k->brake_wait_usec));
	timespec_after_usec(&deadline, kn->hold_usec);
	kswapd_set_state(kn, braked ? KSWAPD_STATE_BRAKED : KSWAPD_STATE_SHORT_SLEEP);
	kn->kernel_short = false;
	kn->hold_below_ends = !res->brake_cut;
	kn->holding = true;
	pthread_mutex_unlock(&kn->lock);
	if (braked)
		kswapd_emit(kn, &(struct kswapd_event){ .type = KSWAPD_EVENT_BRAKED, .waits = true });

	pthread_mutex_lock(&kn->lock);
	/* The first brake_wait_usec: only a pause, a stop or the kernel's
	 * marks end it. */
	while (!(ended = kn->paused || kn->stop || kswapd_hold_below(kn)))
		if (pthread_cond_timedwait(&kn->wait, &kn->lock, &floor) == ETIMEDOUT)
			break;
	/* The rest of a backed-off wait (only after kernel-balanced runs). */
	if (!ended && kswapd_hold_backed_off(kn)) {
		while (!(ended = kn->paused || kn->stop || kswapd_hold_below(kn) ||
				 kswapd_hold_ends_early(kn)))
			if (pthread_cond_timedwait(&kn->wait, &kn->lock, &deadline) == ETIMEDOUT)
				break;
		kn->hold_ended_by_file = ended && kn->hold_file_grew && !kswapd_hold_below(kn) &&
					 !kn->paused && !kn->stop;
	}
	if (kn->hold_params_changed)
		kn->empty_runs = 0;
	kn->holding = false;
	pthread_mutex_unlock(&kn->lock);
}

/* A compaction was written (r: its result) or, in a dry run, decided:
 * count it and report it. waits: kcompactd's, which waits for its next
 * request after this (a node thread compacting itself, in a dry run or
 * without kcompactd, goes on to its sleep). */
static void kswapd_compact_done(struct kswapd_node *kn, enum compact_reason reason, int r,
				bool waits)
{
	struct kswapd_event ev = { .type = KSWAPD_EVENT_COMPACT, .compact = reason, .error = r,
				   .waits = waits };

	if (r == -EOPNOTSUPP)
		return;
	pthread_mutex_lock(&kn->lock);
	if (r < 0)
		kn->b.counters.compact_errors++;
	else
		kn->b.counters.compactions[reason]++;
	pthread_mutex_unlock(&kn->lock);
	kswapd_emit(kn, &ev);
}

/* The kcompactd thread: takes the nodes' requests in turn, one write each. */
static void *kcompactd_thread(void *userdata)
{
	struct kswapd *k = userdata;

	pthread_mutex_lock(&k->compact_lock);
	for (;;) {
		struct kswapd_node *kn = NULL;
		enum compact_reason reason;
		int r;

		for (unsigned i = 0; i < k->n_nodes && !kn; i++)
			if (k->nodes[i].compact_pending != COMPACT_NONE)
				kn = &k->nodes[i];
		if (k->compact_stop)
			break;
		if (!kn) {
			pthread_cond_wait(&k->compact_wait, &k->compact_lock);
			continue;
		}
		reason = kn->compact_pending;
		kn->compact_pending = COMPACT_NONE;
		kn->compacting = true;
		pthread_mutex_unlock(&k->compact_lock);
		r = k->backend.compact(k->backend.userdata, kn->node);
		kswapd_compact_done(kn, reason, r, /* waits= */ true);
		pthread_mutex_lock(&k->compact_lock);
		kn->compacting = false;
	}
	pthread_mutex_unlock(&k->compact_lock);
	return NULL;
}

/* wakeup_kcompactd() after a run (compact.h says when). A dry run decides
 * and reports, and writes nothing. */
static void kswapd_compact(struct kswapd_node *kn, const struct balance_result *result)
{
	const struct reclaim_backend *be = &kn->k->backend;
	struct compact_input in = {
		.balanced = result->balanced,
		.kernel_boost_paid = result->kernel_boost_paid,
		.kernel_compacts_fragmented = kn->k->kernel_compacts_fragmented,
	};
	struct kswapd_event ev = { .type = KSWAPD_EVENT_COMPACT };
	int r = 0;

	if (!be->compact || !result->balanced)
		return;
	/* The free blocks only count for COMPACT_FRAGMENTED. */
	if (be->free_blocks && !in.kernel_compacts_fragmented)
		in.have_blocks = be->free_blocks(be->userdata, kn->node, COMPACT_ORDER,
						 &in.free_pages, &in.high_order_pages) >= 0;
	ev.compact = compact_decide(&kn->compact, &in, now_usec());
	if (ev.compact == COMPACT_NONE)
		return;
	if (!kn->params.dry_run && kn->k->kcompactd_started) {
		/* wakeup_kcompactd(): the write is kcompactd's; a request
		 * still pending or being written for this node covers this
		 * one (compact_decide() already spaces them a minute apart). */
		pthread_mutex_lock(&kn->k->compact_lock);
		if (kn->compact_pending == COMPACT_NONE && !kn->compacting) {
			kn->compact_pending = ev.compact;
			pthread_cond_signal(&kn->k->compact_wait);
		}
		pthread_mutex_unlock(&kn->k->compact_lock);
		return;
	}
	if (!kn->params.dry_run)
		r = be->compact(be->userdata, kn->node);
	kswapd_compact_done(kn, ev.compact, r, /* waits= */ false);
}

/* try_to_freeze(): returns true if the thread was frozen. */
static bool kswapd_try_to_freeze(struct kswapd_node *kn)
{
	pthread_mutex_lock(&kn->lock);
	if (!kn->paused || kn->stop) {
		pthread_mutex_unlock(&kn->lock);
		return false;
	}
	kswapd_set_state(kn, KSWAPD_STATE_PAUSED);
	kn->empty_runs = 0;
	kn->file_watch_off = false;
	kn->file_watch_retry = false;
	pthread_mutex_unlock(&kn->lock);

	kswapd_emit(kn, &(struct kswapd_event){ .type = KSWAPD_EVENT_FROZEN, .waits = true });

	pthread_mutex_lock(&kn->lock);
	while (kn->paused && !kn->stop)
		pthread_cond_wait(&kn->wait, &kn->lock);
	pthread_mutex_unlock(&kn->lock);

	kswapd_emit_type(kn, KSWAPD_EVENT_THAWED);
	return true;
}

/* One shrink of the run; returns true if the run must stop here ("ret =
 * try_to_freeze(); if (ret || kthread_should_stop()) break;"). */
static bool kswapd_shrink(struct kswapd_node *kn, const struct shrink_request *req)
{
	struct kswapd_event ev = { .type = KSWAPD_EVENT_SHRINK, .req = *req };
	bool leave;
	int r;

	r = kn->k->backend.shrink(kn->k->backend.userdata, req, &ev.res);
	if (r < 0) {
		ev.error = r;
		ev.res = (struct shrink_result){ 0 };
	}

	pthread_mutex_lock(&kn->lock);
	balance_account(&kn->b, &kn->params, req, r < 0 ? NULL : &ev.res);
	kn->last_progress_usec = kn->shrink_usec = now_usec();
	leave = kn->paused || kn->stop;
	if (leave)
		balance_interrupt(&kn->b);
	pthread_mutex_unlock(&kn->lock);

	/* A soft-target pass that found no cgroup above its SoftTarget=
	 * asked for nothing and wrote nothing: no event (every pass would
	 * otherwise log an empty write before the node's). */
	if (req->kind == SHRINK_SOFT_TARGET && r >= 0 && !ev.res.nr_requested &&
	    !ev.res.braked)
		return leave;
	kswapd_emit(kn, &ev);
	return leave;
}

static int kswapd_next(struct kswapd_node *kn, struct shrink_request *ret)
{
	int r;

	pthread_mutex_lock(&kn->lock);
	if (kn->zi_free_valid) {
		/* The free pages alone serve if with them the run goes on;
		 * where it would end (or anything else changed), the whole
		 * file decides. */
		kn->zi_free_valid = false;
		if (balance_continues_on_free(&kn->b, &kn->params, &kn->zi_free)) {
			kn->zi = kn->zi_free;
			kn->b.counters.zone_free_reads++;
		} else {
			kn->b.counters.zone_free_unused++;
			pthread_mutex_unlock(&kn->lock);
			r = kswapd_snapshot(kn);
			pthread_mutex_lock(&kn->lock);
			if (r < 0) {
				balance_interrupt(&kn->b);
				pthread_mutex_unlock(&kn->lock);
				return 0;
			}
		}
	}
	r = balance_next(&kn->b, &kn->params, &kn->zi, ret);
	if (r > 0)
		kn->priority = ret->priority;
	/* From the snapshot the pass was planned on (its LRU lines are the
	 * last whole read's, under snapshot_max_age_usec old). */
	if (r > 0 && ret->kind == SHRINK_NODE)
		ret->node_file_gated = target_node_file_gated(&kn->node_reclaim, &kn->zi);
	pthread_mutex_unlock(&kn->lock);
	return r;
}

static void kswapd_balance_pgdat(struct kswapd_node *kn, unsigned highest_zoneidx,
				 struct balance_result *ret)
{
	struct kswapd_event ev = { .type = KSWAPD_EVENT_RUN_START };
	struct shrink_request req;

	kswapd_load_params(kn);
	if (kswapd_snapshot(kn) < 0) {
		/* Nothing to decide on: back to try-to-sleep, which sleeps. */
		*ret = (struct balance_result){ .balanced = true };
		return;
	}

	pthread_mutex_lock(&kn->lock);
	balance_begin(&kn->b, &kn->params, &kn->zi, highest_zoneidx, now_usec());
	kswapd_set_state(kn, KSWAPD_STATE_BALANCING);
	kn->run_cgroups_gen = kn->cgroups_gen;
	kn->priority = DEF_PRIORITY;
	ev.highest_zoneidx = highest_zoneidx;
	ev.boost_bytes = kn->b.run.nr_boost_reclaim;
	ev.reasons = kn->run_reasons;
	pthread_mutex_unlock(&kn->lock);
	kswapd_emit(kn, &ev);

	while (kswapd_next(kn, &req) > 0) {
		if (kswapd_shrink(kn, &req))
			break;
		if (kswapd_refresh(kn) < 0) {
			pthread_mutex_lock(&kn->lock);
			balance_interrupt(&kn->b);
			pthread_mutex_unlock(&kn->lock);
			break;
		}
	}

	ev = (struct kswapd_event){ .type = KSWAPD_EVENT_RUN_END };
	pthread_mutex_lock(&kn->lock);
	ev.reasons = kn->run_reasons;
	balance_end(&kn->b, &kn->params, now_usec(), &ev.result);
	kn->last_progress_usec = now_usec();
	pthread_mutex_unlock(&kn->lock);
	/* A hold follows (kswapd_thread()), a second or more; a braked one
	 * says so itself (BRAKED), one wakeup of the loop for the two. */
	ev.waits = kswapd_run_holds(&ev.result) && !ev.result.braked;
	kswapd_emit(kn, &ev);
	*ret = ev.result;
}

static void *kswapd_thread(void *userdata)
{
	struct kswapd_node *kn = userdata;
	unsigned highest_zoneidx = WATERMARK_ZONEIDX_ALL;
	bool short_run = false;

	kswapd_load_params(kn);

	for (;;) {
		struct balance_result result;
		bool frozen;

		/* A run that ended short goes straight back to
		 * kswapd_try_sleep, keeping its highest_zoneidx. */
		if (!short_run)
			highest_zoneidx = kswapd_peek_zoneidx(kn, highest_zoneidx);
		kswapd_try_to_sleep(kn, highest_zoneidx);

		highest_zoneidx = kswapd_consume(kn, highest_zoneidx, short_run);

		frozen = kswapd_try_to_freeze(kn);
		if (kswapd_should_stop(kn))
			break;
		/* "We can speed up thawing tasks if we don't call
		 * balance_pgdat after returning from the refrigerator" */
		if (frozen) {
			short_run = false;
			continue;
		}

		kswapd_balance_pgdat(kn, highest_zoneidx, &result);
		kswapd_compact(kn, &result);
		if (kswapd_run_holds(&result)) {
			kswapd_hold(kn, &result);
		} else {
			pthread_mutex_lock(&kn->lock);
			kn->empty_runs = 0;
			pthread_mutex_unlock(&kn->lock);
		}
		short_run = !result.balanced;
	}

	pthread_mutex_lock(&kn->lock);
	kswapd_set_state(kn, KSWAPD_STATE_STOPPED);
	pthread_mutex_unlock(&kn->lock);
	kswapd_emit(kn, &(struct kswapd_event){ .type = KSWAPD_EVENT_STOPPED, .waits = true });
	return NULL;
}

/* --- the manager's side --- */

static struct kswapd_node *kswapd_find(struct kswapd *k, int node)
{
	for (unsigned i = 0; i < k->n_nodes; i++)
		if (k->nodes[i].node == node)
			return &k->nodes[i];
	return NULL;
}

static int kswapd_validate(const struct kswapd_config *c)
{
	if (!c->nodes || c->n_nodes == 0 || c->n_nodes > ZONEINFO_MAX_NODES)
		return -EINVAL;
	if (!c->backend.snapshot || !c->backend.shrink)
		return -EINVAL;
	for (unsigned i = 0; i < c->n_nodes; i++) {
		if (c->nodes[i].node < 0)
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (c->nodes[j].node == c->nodes[i].node)
				return -EINVAL;
		if (c->nodes[i].params && balance_params_validate(c->nodes[i].params) < 0)
			return -EINVAL;
	}
	return balance_params_validate(&c->params);
}

static int kswapd_node_init(struct kswapd *k, struct kswapd_node *kn,
			    const struct kswapd_node_config *nc)
{
	pthread_condattr_t attr;
	int r;

	kn->k = k;
	kn->node = nc->node;
	kn->cpus = nc->cpus;
	kn->pending = BALANCE_REQUEST_NONE;
	kn->state = KSWAPD_STATE_STARTING;
	kn->priority = DEF_PRIORITY;
	kn->state_since_usec = kn->last_progress_usec = now_usec();
	kn->next_params = nc->params ? *nc->params : k->params;
	kn->next_params_gen = 1;
	balance_node_init(&kn->b, nc->node);

	r = pthread_mutex_init(&kn->lock, NULL);
	if (r != 0)
		return -r;
	r = pthread_condattr_init(&attr);
	if (r == 0) {
		/* Timed waits must not jump with the wall clock. */
		r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (r == 0)
			r = pthread_cond_init(&kn->wait, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (r != 0) {
		pthread_mutex_destroy(&kn->lock);
		return -r;
	}
	return 0;
}

static int kswapd_node_start(struct kswapd_node *kn)
{
	char name[16];
	pthread_attr_t attr;
	int r;

	r = pthread_attr_init(&attr);
	if (r != 0)
		return -r;
	if (CPU_COUNT(&kn->cpus) > 0)
		/* set_cpus_allowed_ptr(tsk, cpumask_of_node(node)) */
		(void)pthread_attr_setaffinity_np(&attr, sizeof(kn->cpus), &kn->cpus);

	r = -kick_thread_create(&kn->thread, &attr, kswapd_thread, kn);
	if (r == EINVAL && CPU_COUNT(&kn->cpus) > 0) {
		/* The node's CPUs went offline since the cpulist was read. */
		log_warning("Cannot pin reclaimd/n%d to its CPUs, running it unpinned.",
			    kn->node);
		pthread_attr_destroy(&attr);
		pthread_attr_init(&attr);
		r = -kick_thread_create(&kn->thread, &attr, kswapd_thread, kn);
	}
	pthread_attr_destroy(&attr);
	if (r != 0)
		return -r;
	kn->thread_started = true;

	(void)snprintf(name, sizeof(name), "reclaimd/n%d", kn->node);
	(void)pthread_setname_np(kn->thread, name);
	return 0;
}

/* Every thread blocks all signals but the kick (kick.h), so that SIGTERM
 * and friends go to the event loop's thread, and a stop can interrupt a
 * reclaim write in progress. */
static int kswapd_start_all(struct kswapd *k)
{
	int r = 0;

	if (k->backend.compact) {
		r = kick_thread_create(&k->kcompactd, NULL, kcompactd_thread, k);
		if (r == 0) {
			k->kcompactd_started = true;
			(void)pthread_setname_np(k->kcompactd, "reclaimd/kcomp");
		}
	}
	for (unsigned i = 0; i < k->n_nodes && r == 0; i++)
		r = kswapd_node_start(&k->nodes[i]);
	return r;
}

int kswapd_new(const struct kswapd_config *c, struct kswapd **ret)
{
	struct kswapd *k;
	unsigned inited = 0;
	int r;

	r = kswapd_validate(c);
	if (r < 0)
		return r;

	k = calloc(1, sizeof(*k) + c->n_nodes * sizeof(k->nodes[0]));
	if (!k)
		return -ENOMEM;
	k->backend = c->backend;
	k->event = c->event;
	k->event_userdata = c->event_userdata;
	k->short_sleep_usec = c->short_sleep_usec ?: KSWAPD_SHORT_SLEEP_USEC_DEFAULT;
	k->kernel_compacts_fragmented = c->kernel_compacts_fragmented;
	k->node_reclaim = c->node_reclaim;
	k->brake_wait_usec = c->brake_wait_usec ?: KSWAPD_BRAKE_WAIT_USEC_DEFAULT;
	k->snapshot_max_age_usec = c->snapshot_max_age_usec ?: KSWAPD_SNAPSHOT_MAX_AGE_USEC;
	k->snapshot_reuse_usec = c->snapshot_reuse_usec ?: KSWAPD_SNAPSHOT_REUSE_USEC;
	k->params = c->params;
	k->params_gen = 1;
	k->n_nodes = 0;

	r = -pthread_mutex_init(&k->params_lock, NULL);
	if (r < 0) {
		free(k);
		return r;
	}
	r = -pthread_mutex_init(&k->compact_lock, NULL);
	if (r == 0) {
		r = -pthread_cond_init(&k->compact_wait, NULL);
		if (r < 0)
			pthread_mutex_destroy(&k->compact_lock);
	}
	if (r < 0) {
		pthread_mutex_destroy(&k->params_lock);
		free(k);
		return r;
	}

	for (; inited < c->n_nodes; inited++) {
		r = kswapd_node_init(k, &k->nodes[inited], &c->nodes[inited]);
		if (r < 0)
			goto fail;
		k->n_nodes = inited + 1;
	}

	r = kswapd_start_all(k);
	if (r < 0)
		goto fail;

	*ret = k;
	return 0;

fail:
	kswapd_free(k);
	return r;
}

void kswapd_stop(struct kswapd *k)
{
	for (unsigned i = 0; i < k->n_nodes; i++) {
		struct kswapd_node *kn = &k->nodes[i];

		pthread_mutex_lock(&kn->lock);
		kn->stop = true;
		pthread_cond_broadcast(&kn->wait);
		pthread_mutex_unlock(&kn->lock);
	}
	/* kcompactd finishes a write it is in (the kernel's compaction
	 * cannot be interrupted) and drops what is pending. */
	pthread_mutex_lock(&k->compact_lock);
	k->compact_stop = true;
	pthread_cond_broadcast(&k->compact_wait);
	pthread_mutex_unlock(&k->compact_lock);
}

struct kswapd *kswapd_free(struct kswapd *k)
{
	if (!k)
		return NULL;

	kswapd_stop(k);
	for (unsigned i = 0; i < k->n_nodes; i++) {
		struct kswapd_node *kn = &k->nodes[i];

		/* A reclaim write in progress ends with EINTR (kick.h). */
		if (kn->thread_started)
			kick_join(kn->thread);
	}
	/* The kernel's compaction ends on a fatal signal only: the kick is
	 * lost on it, and the join waits for the write. */
	if (k->kcompactd_started)
		kick_join(k->kcompactd);
	for (unsigned i = 0; i < k->n_nodes; i++) {
		pthread_cond_destroy(&k->nodes[i].wait);
		pthread_mutex_destroy(&k->nodes[i].lock);
	}
	pthread_cond_destroy(&k->compact_wait);
	pthread_mutex_destroy(&k->compact_lock);
	pthread_mutex_destroy(&k->params_lock);
	free(k);
	return NULL;
}

static void kswapd_node_wake(struct kswapd_node *kn, const struct balance_request *w)
{
	struct balance_params p;
	uint64_t now = now_usec();

	pthread_mutex_lock(&kn->k->params_lock);
	p = kn->next_params;
	pthread_mutex_unlock(&kn->k->params_lock);

	pthread_mutex_lock(&kn->lock);
	if (!balance_wake_paced(&kn->b, &p, w->reasons, now) &&
	    balance_node_wake(&kn->b, &kn->pending, w)) {
		kn->woken = true;
		if (kn->holding)
			kn->hold_reasons |= w->reasons;
		pthread_cond_broadcast(&kn->wait);
	}
	pthread_mutex_unlock(&kn->lock);
}

int kswapd_wake(struct kswapd *k, int node, const struct balance_request *w)
{
	struct kswapd_node *kn;

	if (node == KSWAPD_ALL_NODES) {
		for (unsigned i = 0; i < k->n_nodes; i++)
			kswapd_node_wake(&k->nodes[i], w);
		return 0;
	}

	kn = kswapd_find(k, node);
	if (!kn)
		return -ENOENT;
	kswapd_node_wake(kn, w);
	return 0;
}

int kswapd_manual_reclaim(struct kswapd *k, int node, uint64_t reclaimed_bytes)
{
	struct kswapd_node *kn = kswapd_find(k, node);

	if (!kn)
		return -ENOENT;
	pthread_mutex_lock(&kn->lock);
	if (balance_node_manual_reclaim(&kn->b, &kn->pending, reclaimed_bytes)) {
		kn->woken = true;
		if (kn->holding)
			kn->hold_reasons |= 1u << BALANCE_WAKE_MANUAL_RECLAIM;
		pthread_cond_broadcast(&kn->wait);
	}
	pthread_mutex_unlock(&kn->lock);
	return 0;
}

static void kswapd_node_set_paused(struct kswapd_node *kn, bool paused)
{
	pthread_mutex_lock(&kn->lock);
	kn->paused = paused;
	pthread_cond_broadcast(&kn->wait);
	pthread_mutex_unlock(&kn->lock);
}

static int kswapd_set_paused(struct kswapd *k, int node, bool paused)
{
	struct kswapd_node *kn;

	if (node == KSWAPD_ALL_NODES) {
		for (unsigned i = 0; i < k->n_nodes; i++)
			kswapd_node_set_paused(&k->nodes[i], paused);
		return 0;
	}

	kn = kswapd_find(k, node);
	if (!kn)
		return -ENOENT;
	kswapd_node_set_paused(kn, paused);
	return 0;
}

int kswapd_pause(struct kswapd *k, int node)
{
	return kswapd_set_paused(k, node, true);
}

int kswapd_resume(struct kswapd *k, int node)
{
	return kswapd_set_paused(k, node, false);
}

int kswapd_observe(struct kswapd *k, const struct node_zoneinfo *n,
		   uint64_t others_reclaimed_bytes, uint64_t now_usec, uint64_t *ret_pace_pages)
{
	struct balance_params p;
	struct kswapd_node *kn;
	enum balance_monitor_wake why;

	kn = kswapd_find(k, n->id);
	if (!kn)
		return -ENOENT;
	(void)kswapd_get_node_params(k, n->id, &p);

	pthread_mutex_lock(&kn->lock);
	balance_pace_update(&kn->b, &p, n, others_reclaimed_bytes, now_usec);
	(void)balance_observe(&kn->b, &p, n);
	why = balance_monitor_wake(&kn->b, &p, n);
	kn->kernel_short = !watermark_node_kernel_balanced(n, WATERMARK_ZONEIDX_ALL);
	if (kn->holding && kn->hold_file_watch && n->has_lru &&
	    node_file_pages(n) >= kn->hold_file_pages + BALANCE_CLUSTER_PAGES)
		kn->hold_file_grew = true;
	if (kn->holding && (kswapd_hold_below(kn) || kn->hold_file_grew))
		pthread_cond_broadcast(&kn->wait);
	if (ret_pace_pages)
		*ret_pace_pages = kn->b.pace.pages;
	pthread_mutex_unlock(&kn->lock);
	return (int)why;
}

void kswapd_cgroups_added(struct kswapd *k)
{
	for (unsigned i = 0; i < k->n_nodes; i++) {
		struct kswapd_node *kn = &k->nodes[i];

		pthread_mutex_lock(&kn->lock);
		kn->cgroups_gen++;
		if (kn->holding && kswapd_hold_new_cgroups(kn))
			pthread_cond_broadcast(&kn->wait);
		pthread_mutex_unlock(&kn->lock);
	}
}

bool kswapd_backing_off(struct kswapd *k, int node)
{
	struct kswapd_node *kn = kswapd_find(k, node);
	bool r;

	if (!kn)
		return false;
	pthread_mutex_lock(&kn->lock);
	r = kswapd_hold_backed_off(kn);
	pthread_mutex_unlock(&kn->lock);
	return r;
}

void kswapd_set_node_reclaim_limits(struct kswapd *k, const struct node_reclaim_limits *l)
{
	if (!k || !l)
		return;
	pthread_mutex_lock(&k->params_lock);
	k->node_reclaim = *l;
	pthread_mutex_unlock(&k->params_lock);
}

/* New params reach a backed-off wait (it ends, past its first
 * brake_wait_usec) and start the backoff again. */
static void kswapd_node_params_changed(struct kswapd_node *kn)
{
	pthread_mutex_lock(&kn->lock);
	kn->empty_runs = 0;
	kn->file_watch_off = false;
	kn->file_watch_retry = false;
	if (kn->holding) {
		kn->hold_params_changed = true;
		pthread_cond_broadcast(&kn->wait);
	}
	pthread_mutex_unlock(&kn->lock);
}

int kswapd_set_params(struct kswapd *k, const struct balance_params *p)
{
	int r;

	r = balance_params_validate(p);
	if (r < 0)
		return r;

	pthread_mutex_lock(&k->params_lock);
	k->params = *p;
	k->params_gen++;
	for (unsigned i = 0; i < k->n_nodes; i++) {
		k->nodes[i].next_params = *p;
		k->nodes[i].next_params_gen++;
	}
	pthread_mutex_unlock(&k->params_lock);
	for (unsigned i = 0; i < k->n_nodes; i++)
		kswapd_node_params_changed(&k->nodes[i]);
	return 0;
}

int kswapd_set_node_params(struct kswapd *k, int node, const struct balance_params *p)
{
	struct kswapd_node *kn = kswapd_find(k, node);
	int r;

	if (!kn)
		return -ENOENT;
	r = balance_params_validate(p);
	if (r < 0)
		return r;
	pthread_mutex_lock(&k->params_lock);
	kn->next_params = *p;
	kn->next_params_gen++;
	pthread_mutex_unlock(&k->params_lock);
	kswapd_node_params_changed(kn);
	return 0;
}

int kswapd_get_node_params(struct kswapd *k, int node, struct balance_params *ret)
{
	struct kswapd_node *kn = kswapd_find(k, node);

	if (!kn)
		return -ENOENT;
	pthread_mutex_lock(&k->params_lock);
	*ret = kn->next_params;
	pthread_mutex_unlock(&k->params_lock);
	return 0;
}

void kswapd_get_params(struct kswapd *k, struct balance_params *ret)
{
	pthread_mutex_lock(&k->params_lock);
	*ret = k->params;
	pthread_mutex_unlock(&k->params_lock);
}

unsigned kswapd_n_nodes(const struct kswapd *k)
{
	return k->n_nodes;
}

/* Under kn->lock. A node asleep shows as hopeless while it is, so that a
 * recovery seen by kswapd_observe() shows at once. */
static enum kswapd_thread_state kswapd_visible_state(const struct kswapd_node *kn)
{
	bool hopeless = balance_node_hopeless(&kn->b);

	if (kn->state == KSWAPD_STATE_HOPELESS && !hopeless)
		return KSWAPD_STATE_SLEEPING;
	if (kn->state == KSWAPD_STATE_SLEEPING && hopeless)
		return KSWAPD_STATE_HOPELESS;
	return kn->state;
}

int kswapd_get_state(struct kswapd *k, unsigned index, struct kswapd_state *ret)
{
	struct kswapd_node *kn;

	if (index >= k->n_nodes)
		return -ENOENT;
	kn = &k->nodes[index];

	pthread_mutex_lock(&kn->lock);
	*ret = (struct kswapd_state){
		.node = kn->node,
		.state = kswapd_visible_state(kn),
		.priority = kn->priority,
		.paused = kn->paused,
		.hopeless = balance_node_hopeless(&kn->b),
		.failures = kn->b.kswapd_failures,
		.boost_ledger_bytes = kn->b.boost_ledger_bytes,
		.pending = kn->pending,
		.last_progress_usec = kn->last_progress_usec,
		.state_since_usec = kn->state_since_usec,
		.counters = kn->b.counters,
		.pace = kn->b.pace,
		.empty_runs = kn->empty_runs,
		.hold_usec = kn->hold_usec,
		.pcp_share = kn->b.pcp_share,
	};
	pthread_mutex_unlock(&kn->lock);
	return 0;
}

static bool kswapd_state_is_asleep(enum kswapd_thread_state s)
{
	return s == KSWAPD_STATE_SHORT_SLEEP || s == KSWAPD_STATE_SLEEPING ||
	       s == KSWAPD_STATE_PAUSED || s == KSWAPD_STATE_HOPELESS ||
	       s == KSWAPD_STATE_BRAKED ||
	       s == KSWAPD_STATE_STOPPED;
}

int kswapd_find_stalled(struct kswapd *k, uint64_t now_usec, uint64_t limit_usec)
{
	for (unsigned i = 0; i < k->n_nodes; i++) {
		struct kswapd_node *kn = &k->nodes[i];
		bool stalled;

		pthread_mutex_lock(&kn->lock);
		stalled = !kswapd_state_is_asleep(kn->state) &&
			  now_usec > kn->last_progress_usec &&
			  now_usec - kn->last_progress_usec > limit_usec;
		pthread_mutex_unlock(&kn->lock);
		if (stalled)
			return kn->node;
	}
	return -ENOENT;
}
