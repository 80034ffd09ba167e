/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manager: start-up, the event loop and its timers, and the glue between
 * the readers, the kswapd engine and the actuators (see manager.h).
 *
 * Event loop work is all short: re-reading kept fds, waking node threads,
 * answering the control socket. Reclaim writes, which can take seconds,
 * happen on the node threads and on the control worker, never here.
 */

#include <errno.h>
#include <inttypes.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "kick.h"
#include "log.h"
#include "manager.h"
#include "util.h"
#include "watermark.h"

/* Watch events queued between a node thread and the loop; a burst of runs
 * on 64 nodes fits, and a full ring drops the oldest (ring.h). */
#define MANAGER_EVENT_RING_RECORDS 4096
/* A push finding the oldest record held this old wakes the loop
 * (manager_kswapd_event()). */
#define MANAGER_EVENT_BATCH_USEC (50 * USEC_PER_MSEC)
/* How often the offload thread looks for Offload=yes cgroups whose
 * OffloadInterval= is over: a twelfth of the default 6 s, half the
 * smallest (1 s). */
#define MANAGER_OFFLOAD_TICK_USEC (500 * USEC_PER_MSEC)
/* STATUS= and MetricsFile= refresh. */
#define MANAGER_STATUS_INTERVAL_USEC (5 * USEC_PER_SEC)
/* A node thread inside one write for longer than this withholds the
 * watchdog ping when WatchdogSec= does not say otherwise: memory.reclaim of
 * a bounded step takes well under a second even on a slow disk. */
#define MANAGER_STALL_LIMIT_USEC_DEFAULT (30 * USEC_PER_SEC)

static struct timeval tv_from_usec(uint64_t usec)
{
	return (struct timeval){ .tv_sec = (time_t)(usec / USEC_PER_SEC),
				 .tv_usec = (suseconds_t)(usec % USEC_PER_SEC) };
}

static void schedule(struct event *ev, uint64_t usec)
{
	struct timeval tv = tv_from_usec(usec);

	event_add(ev, &tv);
}

static bool root_is_host(const char *root)
{
	return !root || !*root || streq(root, "/");
}

struct manager_node *manager_node(struct manager *m, int id)
{
	for (unsigned i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].id == id)
			return &m->nodes[i];
	return NULL;
}

/* ---- the backend the node threads run through ---- */

static int manager_zone_free(void *userdata, int node, struct node_zoneinfo *zi);

static int manager_snapshot(void *userdata, int node, struct node_zoneinfo *ret)
{
	struct manager *m = userdata;
	struct manager_node *mn = manager_node(m, node);
	int r;

	if (!mn)
		return -ENOENT;
	/* This node's zones alone (-ENOENT: offlined since start-up); the
	 * monitor's read of the whole file checks the rest. With the room
	 * of this CPU's per-CPU lists, where the pass this snapshot plans
	 * frees its pages (the node's thread stays on the node's CPUs). */
	r = zoneinfo_reader_read_node_cpu(mn->reader, node, sched_getcpu(), ret);
	if (r < 0)
		return r;
	/* Free pages as the monitor sees them (monitor_read_free()), where
	 * buddyinfo has them: else the counters' stay. */
	(void)manager_zone_free(m, node, ret);
	return 0;
}

static int manager_shrink(void *userdata, const struct shrink_request *req,
			  struct shrink_result *ret)
{
	struct manager *m = userdata;
	struct manager_node *mn = manager_node(m, req->node);
	pthread_mutex_t *lock;
	int r;

	/* Offload's and an operator's cgroup reclaim run on the actuator's
	 * cgroup-wide context: a lock of their own, so that a node's pass
	 * never waits for their writes. */
	if (req->kind == SHRINK_OFFLOAD || req->kind == SHRINK_CGROUP)
		lock = &m->cgroup_shrink_lock;
	else if (mn)
		lock = &mn->shrink_lock;
	else
		return -ENOENT;
	pthread_mutex_lock(lock);
	r = actuator_shrink(m->actuator, req, ret);
	pthread_mutex_unlock(lock);
	return r;
}

/* The node's line of a fresh read of its own buddyinfo reader (node
 * thread only: the reader and its snapshot are the thread's). */
static int manager_buddy_node(struct manager *m, int node, const struct buddyinfo_node **ret)
{
	struct manager_node *mn = manager_node(m, node);
	int r;

	if (!mn || mn->buddy.file.fd < 0)
		return -ENOENT;
	r = buddyinfo_reader_read(&mn->buddy, mn->buddy_snapshot);
	if (r < 0)
		return r;
	*ret = buddyinfo_node(mn->buddy_snapshot, node);
	return *ret ? 0 : -ENOENT;
}

static int manager_free_blocks(void *userdata, int node, unsigned min_order,
			       uint64_t *ret_free_pages, uint64_t *ret_high_order_pages)
{
	const struct buddyinfo_node *bn;
	int r;

	r = manager_buddy_node(userdata, node, &bn);
	if (r < 0)
		return r;
	*ret_free_pages = buddyinfo_free_pages(bn);
	*ret_high_order_pages = buddyinfo_free_pages_from(bn, min_order);
	return 0;
}

/* Each zone's free pages from buddyinfo, into zi (reclaim_backend
 * zone_free()). A zone with managed pages that buddyinfo does not list
 * (it lists the populated ones) fails it: a full snapshot instead. */
static int manager_zone_free(void *userdata, int node, struct node_zoneinfo *zi)
{
	const struct buddyinfo_node *bn;
	int r;

	r = manager_buddy_node(userdata, node, &bn);
	if (r < 0)
		return r;
	return buddyinfo_zone_free_into(bn, zi);
}

static int manager_compact(void *userdata, int node)
{
	struct manager *m = userdata;

	return actuator_compact(m->actuator, node);
}

/* From node threads: copy into the ring and return (kswapd.h). The loop
 * is woken once a batch (ring_push()): a run's wake, start, writes, end
 * and nap come a few milliseconds apart, and the record of a thread that
 * waits next (ev->waits, kswapd.h: its sleep, which follows the run's end
 * by a nap, or the run's end before a hold, a pause, the brake, its end,
 * kcompactd's compaction, the offload thread's pass) ends the batch; a
 * push by any thread once the oldest record held is
 * MANAGER_EVENT_BATCH_USEC old wakes it too, and a monitor tick takes
 * what a long write holds back (monitor_tick()). With no watch client
 * connected nobody waits for most records: they lead to journal lines,
 * most runs' at debug level; status and metrics read the threads' own
 * counters, and the node's last wake reason is kept here, as it is
 * pushed. So the ring is lazy then: each monitor tick takes the records,
 * so a line comes a monitor interval late at most (MonitorIntervalMax=),
 * and the loop is spared a wakeup or two a run. The end of a run that is
 * not routine (an operator's reclaim or boost, a PSI wake, a kernel boost,
 * a failure, a hopeless node: balance_run_routine(); not a dry run's,
 * whose lines are at debug level) is wanted even so: its line is at info
 * level, and an operator waits for it. With a watch client it waits for
 * its batch's end, the sleep a nap later, as every record does. */
static void manager_kswapd_event(const struct kswapd_event *ev, void *userdata)
{
	struct manager *m = userdata;
	unsigned wake = ev->waits ? RING_WAKE_BATCH_END : 0;

	if (ev->type == KSWAPD_EVENT_WAKE) {
		struct manager_node *mn = manager_node(m, ev->node);

		if (mn)
			__atomic_store_n(&mn->last_wake_reasons, ev->reasons, __ATOMIC_RELAXED);
	} else if (ev->type == KSWAPD_EVENT_RUN_END && ev->result.reason != BALANCE_END_DRY_RUN &&
		   !balance_run_routine(&ev->result, ev->reasons)) {
		wake |= RING_WAKE_WANTED;
	}
	ring_push(m->events, ev, ev->time_usec, wake);
}

/* Lazy while no watch client is connected, in a dry run too. (A dry run
 * kept the ring eager for a while: with the lazy ring the daemon-fixture
 * test under ASan saw none of its monitor's wakes paced. Those paced wakes
 * had come from the monitor's timer ending up to a jiffy early on
 * libevent's coarse clock, within MonitorIntervalMax= of the last wake;
 * on the precise clock (manager_event_base_new()), and with the pacing's
 * slack of an eighth (balance_wake_paced()), the monitor's own are not
 * paced, lazy ring or not.) */
void manager_subscribers_changed(void *userdata, unsigned n)
{
	struct manager *m = userdata;

	if (m->events)
		ring_set_lazy(m->events, n == 0);
}

/* ---- configuration onto the modules ---- */

static void params_from_conf(const struct conf_reclaim *c, bool dry_run, bool have_cgroups,
			     struct balance_params *p)
{
	balance_params_init(p);
	conf_watermark_params(c, (uint64_t)sysconf(_SC_PAGESIZE), &p->wmark);
	p->step_bytes = c->step_size_bytes;
	p->swappiness = c->swappiness == CONF_SPECIAL ? SWAPPINESS_KERNEL_DEFAULT
						      : (int)c->swappiness;
	/* SoftTarget= is a cgroup policy: without cgroup v2 there is no
	 * mem_cgroup_soft_limit_reclaim() pass to make. */
	p->soft_target = have_cgroups;
	p->dry_run = dry_run;
}

/* The per-cgroup policy is the config's, matched by glob on every rescan:
 * the [CGroup PATTERN] rules for path, as the cgroup walk asks for them;
 * userdata is the struct conf (--inspect: no offload runs, so "auto"
 * resolves as without compressed swap). */
static void conf_cgroup_policy_cb(void *userdata, const char *path, struct cgroup_policy *ret)
{
	conf_cgroup_policy_resolve(userdata, path, /* swap_compressed= */ false,
				   (uint64_t)sysconf(_SC_PAGESIZE), ret);
}

/* The same from the configuration in force (reloads swap m->conf). */
static void manager_cgroup_policy(void *userdata, const char *path,
				  struct cgroup_policy *ret)
{
	struct manager *m = userdata;

	/* Other threads call this (manager_swap_conf()). */
	conf_cgroup_policy_resolve(__atomic_load_n(&m->conf, __ATOMIC_ACQUIRE), path,
				   m->features.swap_compressed, (uint64_t)sysconf(_SC_PAGESIZE),
				   ret);
}

/* The actuator's runtime limits of one node: its RateLimit= ([Node N] over
 * [Reclaim]) and the brakes, which are the daemon's. */
static void limits_from_conf(const struct conf_reclaim *global, const struct conf_reclaim *node,
			     struct actuator_limits *ret)
{
	uint64_t w = global->pressure_window_usec;

	*ret = (struct actuator_limits){
		.rate_bytes_per_sec = node->rate_limit_bytes_per_sec,
		.cgroup_rate_bytes_per_sec = global->rate_limit_bytes_per_sec,
		.step_bytes = node->step_size_bytes,
		.cgroup_step_bytes = global->step_size_bytes,
		.cgroup_brake = { .window_usec = w,
				  .limit_usec = global->pressure_limit_permyriad * w /
						CONF_PERMYRIAD_MAX },
		.system_brake = { .window_usec = w,
				  .limit_usec = global->system_brake_permyriad * w /
						CONF_PERMYRIAD_MAX },
	};
}

/* What the config gives one node. */
struct manager_node_conf {
	struct balance_params params;
	struct actuator_limits limits;
	uint64_t psi_boost_bytes;
};

/* Every node's settings from the config ([Node N] over [Reclaim]); nothing
 * is changed unless all of them are usable. */
static int nodes_conf(struct manager *m, bool dry_run, struct balance_params *ret_global,
		      struct manager_node_conf *ret)
{
	const struct conf_reclaim *global = conf_reclaim(m->conf);
	bool cgroups = m->cgroups != NULL;
	int r;

	params_from_conf(global, dry_run, cgroups, ret_global);
	r = balance_params_validate(ret_global);
	if (r < 0)
		return log_error_errno(r, "The [Reclaim] settings give unusable reclaim "
					  "parameters.");
	for (unsigned i = 0; i < m->n_nodes; i++) {
		struct conf_reclaim rc;

		conf_node_reclaim(m->conf, (unsigned)m->nodes[i].id, &rc);
		params_from_conf(&rc, dry_run, cgroups, &ret[i].params);
		limits_from_conf(global, &rc, &ret[i].limits);
		ret[i].psi_boost_bytes = rc.psi_boost_bytes;
		r = balance_params_validate(&ret[i].params);
		if (r < 0)
			return log_error_errno(r, "The [Node %d] settings give unusable reclaim "
						  "parameters.",
					       m->nodes[i].id);
	}
	return 0;
}

/* DryRun= at runtime: the node threads take it with their params, the
 * actuator with each request. */
static void manager_set_dry_run(struct manager *m, bool dry_run)
{
	struct json_object *o;

	if (m->dry_run == dry_run)
		return;
	__atomic_store_n(&m->dry_run, dry_run, __ATOMIC_RELAXED);
	if (!m->kswapd)
		return; /* starting up */
	log_info("Dry run %s.", dry_run ? "on: nothing is written" : "off: reclaiming");
	/* The monitor's pace depends on it (node_monitor_interval()): a node
	 * below its marks is read at once, not after a dry run's interval. */
	if (m->ev_monitor)
		schedule(m->ev_monitor, 0);
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("mode"));
	json_object_object_add(o, "mode", json_object_new_string(m->paused	  ? "paused"
								 : dry_run ? "dry-run"
									   : "running"));
	manager_broadcast(m, o);
}

static void psi_rearm(struct manager *m);

int manager_apply_conf_err(struct manager *m, char *err, size_t errlen)
{
	const struct conf_reclaim *rc = conf_reclaim(m->conf);
	_cleanup_free_ struct manager_node_conf *nc = NULL;
	struct balance_params p;
	bool dry_run = rc->dry_run || m->dry_run_forced;
	int r;

	if (!rc->dry_run && m->dry_run_forced) {
		snprintf(err, errlen, "DryRun=no cannot be applied: %s", m->dry_run_forced);
		return -EOPNOTSUPP;
	}
	nc = calloc(m->n_nodes, sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	r = nodes_conf(m, dry_run, &p, nc);
	if (r < 0) {
		snprintf(err, errlen, "the settings give unusable reclaim parameters: %s",
			 strerror(-r));
		return r;
	}
	/* The engine-wide params ([Reclaim] alone: what a node without a
	 * thread, and page_size(), read), then each node's. */
	if (m->kswapd)
		(void)kswapd_set_params(m->kswapd, &p);
	for (unsigned i = 0; i < m->n_nodes; i++) {
		if (m->kswapd)
			(void)kswapd_set_node_params(m->kswapd, m->nodes[i].id, &nc[i].params);
		if (m->actuator)
			(void)actuator_set_limits(m->actuator, m->nodes[i].id, &nc[i].limits);
		m->nodes[i].psi_boost_bytes = nc[i].psi_boost_bytes;
	}
	manager_set_dry_run(m, dry_run);
	if (m->kswapd)
		manager_set_paused(m, m->paused);
	log_set_max_level(rc->log_level);
	psi_rearm(m);
	/* New policies and brake windows apply at the next walk and sample;
	 * make them now. */
	if (m->ev_rescan)
		schedule(m->ev_rescan, 0);
	if (m->ev_brakes)
		schedule(m->ev_brakes, 0);
	return 0;
}

int manager_apply_conf(struct manager *m)
{
	char err[512];
	int r;

	r = manager_apply_conf_err(m, err, sizeof(err));
	if (r < 0)
		log_error("The configuration cannot be applied: %s", err);
	return r;
}

/* ---- the watermark monitor: wakeup_kswapd() from the outside ---- */

static void monitor_tick(evutil_socket_t fd, short what, void *userdata);
static void ring_event(evutil_socket_t fd, short what, void *userdata);

/* A PSI wake boosts each node by its own PSIBoost=; automatic wakes of a
 * dry run are paced by the node thread (balance_wake_paced()). */
static void wake_all(struct manager *m, enum balance_wake_reason reason)
{
	struct balance_request w = BALANCE_REQUEST_NONE;

	w.highest_zoneidx = WATERMARK_ZONEIDX_ALL;
	w.reasons = 1u << reason;
	for (unsigned i = 0; i < m->n_nodes; i++) {
		w.boost_bytes = reason == BALANCE_WAKE_PSI ? m->nodes[i].psi_boost_bytes : 0;
		(void)kswapd_wake(m->kswapd, m->nodes[i].id, &w);
	}
}

/* The trigger as conf gives it, for brake_poll_update(). */
static struct brake_params psi_trigger_params(const struct conf_psi_trigger *t)
{
	return (struct brake_params){ .window_usec = t->window_usec, .limit_usec = t->stall_usec };
}

static uint64_t psi_trigger_total(const struct conf_psi_trigger *t, const struct psi_stat *s)
{
	return t->full ? s->full.total_usec : s->some.total_usec;
}

/* PSI without a trigger: brake_poll_update() judges the stall totals. */
static void psi_poll(struct manager *m, uint64_t now)
{
	const struct conf_psi_trigger *t = &m->psi_armed;
	struct brake_params p = psi_trigger_params(t);
	struct psi_stat cur;

	if (!m->psi_available || !m->psi_polling || !t->enabled)
		return;
	if (psi_reader_read(m->psi, &cur) < 0)
		return;
	if (brake_poll_update(&m->psi_poll, &p, psi_trigger_total(t, &cur), now)) {
		m->nr_psi_events++;
		wake_all(m, BALANCE_WAKE_PSI);
	}
}

uint64_t manager_monitor_interval_cap(struct manager *m)
{
	uint64_t cap = UINT64_MAX;
	struct balance_params p;

	/* The node threads' params, which reload and set keep current (the
	 * engine-wide copy is the start-up one). */
	for (unsigned i = 0; i < m->n_nodes; i++)
		if (kswapd_get_node_params(m->kswapd, m->nodes[i].id, &p) >= 0)
			cap = MIN(cap, p.wmark.interval_max_usec);
	if (cap == UINT64_MAX) {
		kswapd_get_params(m->kswapd, &p);
		cap = p.wmark.interval_max_usec;
	}
	return cap;
}

/* How soon the monitor must read the node again: by the paced low mark,
 * where the node wakes; by the kernel's own high marks for a node backing
 * off after empty kernel-balanced runs: its thread waits for the node to
 * fall below those, or for page cache (kswapd_hold()), and a node below
 * our low mark would otherwise be re-read at MonitorIntervalMin= for as
 * long as it stays there. A dry-run node at MonitorIntervalMax=: it is
 * woken at most once per that (balance_wake_paced()), so a faster read
 * decides nothing, and each read of /proc/zoneinfo holds every zone's
 * lock, the page allocator's, with interrupts off while it prints the
 * zone (walk_zones_in_node()): a dry run below the marks read it ten
 * times a second beside the kernel's own reclaim (issue 14). Where PSI is
 * polled on this timer (the kernel refused the trigger), at most half a
 * trigger window: the poll averages the stall over the time since the
 * last, and over a longer span a stall that fires the trigger would not,
 * so the dry run would report fewer PSI wakes than the daemon would
 * make. */
static uint64_t node_monitor_interval(struct manager *m, const struct node_zoneinfo *n,
				      const struct balance_params *p)
{
	if (p->dry_run) {
		uint64_t interval = p->wmark.interval_max_usec;

		if (m->psi_polling && m->psi_armed.enabled)
			interval = MIN(interval, MAX(m->psi_armed.window_usec / 2,
						     p->wmark.interval_min_usec));
		return interval;
	}
	if (kswapd_backing_off(m->kswapd, n->id))
		return watermark_kernel_monitor_interval_usec(n, WATERMARK_ZONEIDX_ALL, &p->wmark);
	return watermark_monitor_interval_usec(n, WATERMARK_ZONEIDX_ALL, &p->wmark);
}

/* Each node's zones' free pages from a fresh read of buddyinfo, over the
 * monitor's snapshot. -ENOENT where buddyinfo is not open, or lacks a node
 * or a zone with managed pages: such a node keeps zoneinfo's counter, as
 * its thread's snapshot does (manager_zone_free() fails for it too), and
 * the others take their new figures. */
static int monitor_read_free(struct manager *m)
{
	int r, ret = 0;

	if (m->monitor_buddy.file.fd < 0)
		return -ENOENT;
	r = buddyinfo_reader_read(&m->monitor_buddy, m->monitor_buddy_snapshot);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < m->zi->n_nodes; i++) {
		struct node_zoneinfo *n = &m->zi->nodes[i];
		const struct buddyinfo_node *bn;

		if (!manager_node(m, n->id))
			continue;
		bn = buddyinfo_node(m->monitor_buddy_snapshot, n->id);
		r = bn ? buddyinfo_zone_free_into(bn, n) : -ENOENT;
		if (r < 0)
			ret = r;
	}
	return ret;
}

/*
 * The kernel's node-reclaim minimums, again with each whole zoneinfo read
 * (at most MonitorIntervalMax= apart): the sysctls may change at any time,
 * and a pass judges the node file by them (target_node_file_gated()). A
 * read that fails forgets them: the node file's own answer decides then.
 */
static void monitor_read_node_reclaim(struct manager *m)
{
	struct node_reclaim_limits l = { .known = false };
	int r;

	if (m->node_reclaim_reader.files[0].fd < 0)
		return;
	r = node_reclaim_reader_read(&m->node_reclaim_reader, &l);
	if (r < 0 && m->node_reclaim.known)
		log_notice_errno(r, "Failed to re-read vm.min_unmapped_ratio, vm.min_slab_ratio "
				    "and vm.zone_reclaim_mode: %m. The node reclaim file is tried "
				    "whatever the node holds until they read again.");
	if (l.known == m->node_reclaim.known &&
	    (!l.known || (l.min_unmapped_ratio == m->node_reclaim.min_unmapped_ratio &&
			  l.min_slab_ratio == m->node_reclaim.min_slab_ratio &&
			  l.zone_reclaim_mode == m->node_reclaim.zone_reclaim_mode)))
		return;
	if (l.known)
		log_info("Node reclaim minimums now: vm.min_unmapped_ratio=%u vm.min_slab_ratio=%u "
			 "vm.zone_reclaim_mode=%u.",
			 l.min_unmapped_ratio, l.min_slab_ratio, l.zone_reclaim_mode);
	m->node_reclaim = l;
	kswapd_set_node_reclaim_limits(m->kswapd, &l);
}

/*
 * The monitor's read. The whole of /proc/zoneinfo is what the kernel's
 * marks, boosts and LRU sizes come from, but the kernel prints it with
 * each zone's lock held and interrupts off, every CPU's per-CPU list
 * included: a monitor near the mark read it up to ten times a second,
 * and the allocator waits on those locks longer the more CPUs there are.
 * (Not for CPU: in the 6.18 application benchmark the monitor read 1-3
 * times a second and the event loop's CPU did not move, issue 14.) So it
 * is read at most every_usec (MonitorIntervalMax=) apart, and between those
 * reads only the free pages, from /proc/buddyinfo (one line a zone). The
 * free pages come from buddyinfo after a whole read as well, and in the
 * node threads' snapshots (manager_snapshot()): one measure of free
 * memory everywhere, so that no wake is judged on one measure and its run
 * on another. buddyinfo counts the free lists themselves; zoneinfo's
 * "pages free" is the NR_FREE_PAGES counter without the per-CPU deltas
 * not yet folded in, which on a large machine differs by up to
 * stat_threshold (125 pages at most) per CPU and zone: the kernel's own
 * watermark check takes the exact sum below the drift mark
 * (zone_watermark_ok_safe()). A kernel boost, a mark or an LRU size is
 * thus seen up to MonitorIntervalMax late; the kernel's kswapd clears a
 * boost in milliseconds anyway (docs/design.md, "Known gaps").
 */
static bool monitor_zoneinfo_due(const struct manager *m, uint64_t now, uint64_t every_usec)
{
	/* An eighth of slack: a tick a little early for its deadline reads
	 * the whole file, not a last free-pages read just before it. */
	return !m->monitor_zoneinfo_usec || now < m->monitor_zoneinfo_usec ||
	       now - m->monitor_zoneinfo_usec >= every_usec - every_usec / 8 ||
	       m->monitor_error < 0 || m->monitor_buddy_failed;
}

static int monitor_read(struct manager *m, uint64_t now, uint64_t every_usec)
{
	int r;

	if (!monitor_zoneinfo_due(m, now, every_usec)) {
		r = monitor_read_free(m);
		if (r >= 0)
			return 0;
		/* A whole read this tick, which reads buddyinfo again. */
	}
	r = zoneinfo_reader_read(m->zi_reader, m->zi);
	/* Logged when the state changes (a new error, or back to readable),
	 * not on every tick and not only once per process. Only a whole read
	 * says whether zoneinfo reads: while it fails, every tick is one. */
	if (r < 0 && r != m->monitor_error)
		log_warning_errno(r, "Failed to re-read zoneinfo: %m, retrying");
	else if (r >= 0 && m->monitor_error < 0)
		log_notice("zoneinfo is readable again.");
	m->monitor_error = MIN(r, 0);
	if (r < 0)
		return r;
	m->nr_monitor_zoneinfo_reads++;
	m->monitor_zoneinfo_usec = now;
	monitor_read_node_reclaim(m);
	if (m->monitor_buddy.file.fd < 0)
		return 0;
	/* While buddyinfo fails (or lacks a node), every tick is a whole
	 * read, as without it. */
	r = monitor_read_free(m);
	if (r < 0 && !m->monitor_buddy_failed)
		log_notice_errno(r, "Failed to read the free pages of every node from "
				    "buddyinfo (%m): the monitor reads the whole of zoneinfo "
				    "each time.");
	else if (r >= 0 && m->monitor_buddy_failed)
		log_info("buddyinfo is readable again: the monitor reads the whole of zoneinfo "
			 "once per MonitorIntervalMax= again.");
	m->monitor_buddy_failed = r < 0;
	return 0;
}

static void monitor_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	uint64_t every, interval, now = now_usec();
	int r;

	/* [Node N] may set its own bounds: the fastest node sets the pace. */
	every = interval = manager_monitor_interval_cap(m);
	m->nr_monitor_ticks++;
	r = monitor_read(m, now, every);
	if (r < 0) {
		m->nr_monitor_errors++;
		goto out;
	}
	for (unsigned i = 0; i < m->n_nodes; i++) {
		const struct node_zoneinfo *n = zoneinfo_node(m->zi, m->nodes[i].id);
		struct balance_request w = BALANCE_REQUEST_NONE;
		struct balance_params p;
		int why;

		if (!n || kswapd_get_node_params(m->kswapd, n->id, &p) < 0)
			continue;
		why = kswapd_observe(m->kswapd, n, actuator_cgroup_wide_reclaimed(m->actuator, n->id),
				     now, &p.wmark.pace_pages);
		/* A pass of the node's run waiting for the rate quota (a
		 * boost's) stops waiting below our own high marks, where the
		 * run's next pass is the watermark job, which does not wait. */
		actuator_set_below_high(m->actuator, n->id,
					!watermark_node_balanced(n, WATERMARK_ZONEIDX_ALL, &p.wmark));
		interval = MIN(interval, node_monitor_interval(m, n, &p));
		if (why <= 0)
			continue;
		log_debug("node %d: waking: %s, deficit to the high mark %" PRIu64 " pages", n->id,
			  balance_monitor_wake_to_string(why),
			  watermark_node_deficit(n, WATERMARK_ZONEIDX_ALL, &p.wmark));
		w.highest_zoneidx = WATERMARK_ZONEIDX_ALL;
		w.reasons = 1u << (why == BALANCE_MONITOR_KERNEL_BOOST ? BALANCE_WAKE_KERNEL_BOOST
								     : BALANCE_WAKE_WATERMARK);
		(void)kswapd_wake(m->kswapd, n->id, &w);
	}
	psi_poll(m, now);
	/* The next tick no later than the next whole read is due, whatever
	 * the pace: MonitorIntervalMax= is the bound on how old the marks are. */
	if (m->monitor_zoneinfo_usec && now >= m->monitor_zoneinfo_usec &&
	    now - m->monitor_zoneinfo_usec < every)
		interval = MIN(interval, every - (now - m->monitor_zoneinfo_usec));
out:
	/* What a node thread inside a long write holds back since its last
	 * batch (the records of a run's start, or of earlier writes), and,
	 * with no watch client, every record not wanted at once (the lazy
	 * ring: manager_kswapd_event()): seen a monitor interval late at most.
	 * After the wakes, so that the records a run left do not delay this
	 * tick's wakes. */
	ring_event(-1, 0, m);
	m->monitor_interval_usec = interval;
	schedule(m->ev_monitor, interval);
}

/* A kernel PSI trigger fired (POLLPRI, seen as edge-triggered EV_READ):
 * acted on when the totals show the stall (psi_event_check()). */
static void psi_trigger_event(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	struct psi_stat cur;

	if (psi_reader_read(m->psi, &cur) >= 0 &&
	    !psi_event_check(&m->psi_event, m->psi_armed.stall_usec,
			     psi_trigger_total(&m->psi_armed, &cur))) {
		m->nr_psi_events_ignored++;
		log_debug("PSI trigger event without the stall behind it (the kernel's "
			  "stale first window): not acted on.");
		return;
	}
	m->nr_psi_events++;
	wake_all(m, BALANCE_WAKE_PSI);
}

static void psi_arm(struct manager *m);

static void setup_psi(struct manager *m)
{
	const struct conf_psi_trigger *t = &conf_reclaim(m->conf)->psi_trigger;
	struct psi_stat cur;
	int r;

	r = psi_reader_open(m->root, "/proc/pressure/memory", &m->psi);
	if (r < 0) {
		log_notice_errno(r, "PSI is not available (/proc/pressure/memory: %m): "
				    "PSI wakes and the system brake are off.");
		return;
	}
	m->psi_available = psi_reader_read(m->psi, &cur) >= 0;
	if (m->psi_available) {
		struct brake_params p = psi_trigger_params(t);

		(void)brake_poll_update(&m->psi_poll, &p, psi_trigger_total(t, &cur), now_usec());
	}
	if (!m->psi_available) {
		log_notice("PSI is disabled (psi=0 on the kernel command line?): "
			   "PSI wakes and the system brake are off.");
		return;
	}
	psi_arm(m);
}

static void event_freep_(struct event **ev);

/* PSITrigger= changed (reload, set): close the old trigger, arm the new. */
static void psi_rearm(struct manager *m)
{
	const struct conf_psi_trigger *t = &conf_reclaim(m->conf)->psi_trigger;

	if (!m->psi_available || conf_psi_trigger_eq(t, &m->psi_armed))
		return;
	event_freep_(&m->ev_psi);
	m->psi_trigger_fd = safe_close(m->psi_trigger_fd);
	m->psi_polling = false;
	m->psi_armed = (struct conf_psi_trigger){};
	m->psi_poll = (struct brake_poll){};
	if (t->enabled) {
		struct brake_params p = psi_trigger_params(t);
		struct psi_stat cur;

		if (psi_reader_read(m->psi, &cur) >= 0)
			(void)brake_poll_update(&m->psi_poll, &p, psi_trigger_total(t, &cur),
						now_usec());
	}
	psi_arm(m);
	if (!t->enabled)
		log_info("PSI trigger off.");
}

/* Arm PSITrigger= as the config now says: a kernel trigger, or polling. */
static void psi_arm(struct manager *m)
{
	const struct conf_psi_trigger *t = &conf_reclaim(m->conf)->psi_trigger;
	char path[4096 + 32], spec[64];
	int r;

	if (!t->enabled)
		return;
	m->psi_armed = *t;
	if (!root_is_host(m->root)) {
		/* A fixture tree is no procfs: a trigger write would change it. */
		m->psi_polling = true;
		return;
	}
	snprintf(spec, sizeof(spec), "%s %" PRIu64 " %" PRIu64, t->full ? "full" : "some",
		 t->stall_usec, t->window_usec);
	(void)path_join(path, sizeof(path), m->root, "/proc/pressure/memory");
	r = psi_trigger_open(path, spec, &m->psi_trigger_fd);
	if (r >= 0) {
		/* libevent cannot ask epoll for EPOLLPRI; edge-triggered EV_READ
		 * sees the trigger without spinning (DESIGN.md). */
		m->ev_psi = event_new(m->base, m->psi_trigger_fd,
				      EV_READ | EV_ET | EV_PERSIST, psi_trigger_event, m);
		if (m->ev_psi && event_add(m->ev_psi, NULL) == 0) {
			struct psi_stat cur;

			if (psi_reader_read(m->psi, &cur) >= 0)
				psi_event_check_arm(&m->psi_event, psi_trigger_total(t, &cur));
			else
				m->psi_event = (struct psi_event_check){};
			log_info("PSI trigger \"%s\" armed on %s.", spec, path);
			return;
		}
	}
	log_notice_errno(r < 0 ? r : -ENOMEM,
			 "The kernel refused PSI trigger \"%s\" on %s (%m): polling "
			 "stall totals on the monitor's timer instead.",
			 spec, path);
	m->psi_polling = true;
}

/* ---- events from node threads: logs and watch streams ---- */

/* Send an event (consumed) to every watch subscriber. */
void manager_broadcast(struct manager *m, struct json_object *event)
{
	if (!event)
		return;
	if (m->ctl && ctl_server_n_subscribers(m->ctl) > 0) {
		if (!json_object_object_get_ex(event, "time_usec", NULL))
			json_object_object_add(event, "time_usec",
					       json_object_new_uint64(m->event_realtime_usec
									      ?: realtime_usec()));
		ctl_server_broadcast_event(m->ctl, event);
	}
	json_object_put(event);
}

/* A watch event of a brake going on or off: the system brake's names its
 * node (cgroup null), a cgroup's its cgroup (node null). */
static struct json_object *brake_json(int node, const char *cgroup, bool on, const char *reason)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("brake"));
	json_object_object_add(o, "node", node >= 0 ? json_object_new_int(node) : NULL);
	json_object_object_add(o, "cgroup", cgroup ? json_object_new_string(cgroup) : NULL);
	json_object_object_add(o, "on", json_object_new_boolean(on));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	return o;
}

/* The system-wide pressure brake, as seen in a node's write results:
 * report when it goes on and off, not every write it stops. A pass it cut
 * (brake_cut: the node below the kernel's own high marks) was under it
 * too: going by res.braked alone, a run's stopped soft-target pass and
 * its cut node pass told the brake on and off with every pass (794
 * events in one 34 s window of the 6.18 application benchmark). */
static void brake_event(struct manager *m, struct manager_node *mn,
			const struct kswapd_event *ev)
{
	bool on = ev->res.braked || ev->res.brake_cut;

	/* A shrink that failed has no result (kswapd_shrink()): it says
	 * nothing of the brake. */
	if (!mn || ev->error || on == mn->braked)
		return;
	mn->braked = on;
	log_event(LOG_NOTICE, LOG_EVENT_BRAKE,
		  (&(struct log_fields){ .node = ev->node, .priority_level = -1 }),
		  "node %d: system memory pressure brake %s.", ev->node,
		  mn->braked ? "on: nothing reclaimed ahead of the kernel's own marks while "
			       "everyone stalls" : "off");
	manager_broadcast(m, brake_json(ev->node, NULL, mn->braked, "system-pressure"));
}

/* A cgroup's pressure brake, from the loop's sampling (brakes_tick). */
static void cgroup_brake_event(void *userdata, const struct actuator_brake_change *c)
{
	struct manager *m = userdata;
	char limit[FORMAT_DURATION_MAX], window[FORMAT_DURATION_MAX];
	char stall[FORMAT_DURATION_MAX], span[FORMAT_DURATION_MAX];
	char path[CGROUP_PATH_MAX + 1];
	struct json_object *o;

	(void)snprintf(path, sizeof(path), "/%s", c->path);
	if (c->on)
		log_event(LOG_NOTICE, LOG_EVENT_BRAKE,
			  (&(struct log_fields){ .node = -1, .cgroup = path, .priority_level = -1 }),
			  "cgroup %s: pressure brake on (memory \"some\" stall %s in %s, limit %s "
			  "per %s): reclaimd takes nothing from it until a calm window.",
			  path, format_duration(stall, sizeof(stall), c->stall_usec),
			  format_duration(span, sizeof(span), c->span_usec),
			  format_duration(limit, sizeof(limit), c->limit_usec),
			  format_duration(window, sizeof(window), c->window_usec));
	else
		log_event(LOG_NOTICE, LOG_EVENT_BRAKE,
			  (&(struct log_fields){ .node = -1, .cgroup = path, .priority_level = -1 }),
			  "cgroup %s: pressure brake off (a calm window).", path);
	o = brake_json(-1, path, c->on, "pressure");
	json_object_object_add(o, "stall_usec", json_object_new_uint64(c->stall_usec));
	json_object_object_add(o, "some_avg10", json_object_new_double(c->some_avg10 / 100.0));
	manager_broadcast(m, o);
}

/* An Offload=yes cgroup entered or left backoff. */
static void offload_event(void *userdata, const struct actuator_offload_change *c)
{
	struct manager *m = userdata;
	char stall[FORMAT_DURATION_MAX], target[FORMAT_DURATION_MAX];
	char refault[FORMAT_BYTES_MAX], swapin[FORMAT_BYTES_MAX], wss[FORMAT_BYTES_MAX];
	char path[CGROUP_PATH_MAX + 1];
	struct json_object *o = json_object_new_object();

	struct json_object *nodes = json_object_new_array();

	(void)snprintf(path, sizeof(path), "/%s", c->path);
	for (int i = 0; i < MEMSTAT_MAX_NODES; i++)
		if (c->state->paused_nodes & (UINT64_C(1) << i))
			json_object_array_add(nodes, json_object_new_int(i));
	if (c->to == OFFLOAD_PAUSED)
		log_event(LOG_INFO, LOG_EVENT_OFFLOAD,
			  (&(struct log_fields){ .node = -1, .cgroup = path, .priority_level = -1 }),
			  "cgroup %s: offload paused: it has memory on node(s) %s, paused "
			  "(memory.reclaim cannot spare a node).",
			  path, json_object_to_json_string_ext(nodes, JSON_C_TO_STRING_PLAIN));
	else
		log_event(LOG_INFO, LOG_EVENT_OFFLOAD,
			  (&(struct log_fields){ .node = -1, .cgroup = path, .priority_level = -1 }),
			  "cgroup %s: offload %s -> %s (memory \"some\" stall %s per interval, "
			  "target %s; refaults %s; swap-ins %s; working set about %s).",
			  path, offload_state_to_string(c->from), offload_state_to_string(c->to),
			  format_duration(stall, sizeof(stall), c->state->stall_usec),
			  format_duration(target, sizeof(target), c->target_usec),
			  format_bytes(refault, sizeof(refault), c->state->refault_bytes),
			  format_bytes(swapin, sizeof(swapin), c->state->swapin_bytes),
			  format_bytes(wss, sizeof(wss), c->state->wss_bytes));
	json_object_object_add(o, "type", json_object_new_string("offload"));
	json_object_object_add(o, "cgroup", json_object_new_string(path));
	json_object_object_add(o, "state", json_object_new_string(offload_state_to_string(c->to)));
	json_object_object_add(o, "from", json_object_new_string(offload_state_to_string(c->from)));
	json_object_object_add(o, "stall_usec", json_object_new_uint64(c->state->stall_usec));
	json_object_object_add(o, "target_usec", json_object_new_uint64(c->target_usec));
	json_object_object_add(o, "refault_bytes", json_object_new_uint64(c->state->refault_bytes));
	json_object_object_add(o, "swapin_bytes", json_object_new_uint64(c->state->swapin_bytes));
	json_object_object_add(o, "wss_bytes", json_object_new_uint64(c->state->wss_bytes));
	json_object_object_add(o, "paused_nodes", nodes);
	manager_broadcast(m, o);
}

/* An offload step's writes to one cgroup (actuator_report_offload_writes()). */
static void offload_write_event(void *userdata, const struct actuator_offload_write *w)
{
	struct manager *m = userdata;

	log_debug("cgroup /%s: offload asked %" PRIu64 " reclaimed %" PRIu64 " swappiness %d: %d",
		  w->path, w->writes.requested_bytes, w->writes.reclaimed_bytes,
		  w->writes.swappiness, w->writes.error);
	if (m->ctl && ctl_server_n_subscribers(m->ctl) > 0)
		manager_broadcast(m, manager_offload_write_json(w));
}

static void log_run_end(struct manager *m, const struct kswapd_event *ev)
{
	struct manager_node *mn = manager_node(m, ev->node);
	char bytes[FORMAT_BYTES_MAX], dur[FORMAT_DURATION_MAX], reasons[96] = "";
	size_t n = 0;

	for (unsigned i = 0; i < _BALANCE_WAKE_REASON_MAX; i++)
		if (ev->reasons & (1u << i))
			n += (size_t)snprintf(reasons + n, sizeof(reasons) - MIN(n, sizeof(reasons)),
					      "%s%s", n ? "," : "",
					      balance_wake_reason_to_string(i));
	/* In a dry run the periodic summary speaks for the runs; a routine
	 * run, after the first of its window, the window's summary
	 * (balance_run_log_account()). */
	bool info = !m->dry_run &&
		    (!mn || balance_run_log_account(&mn->run_log, &ev->result, ev->reasons,
						    now_usec()));

	log_event(info ? LOG_INFO : LOG_DEBUG, LOG_EVENT_RUN_END,
		  (&(struct log_fields){ .node = ev->node,
					 .priority_level = ev->result.priority,
					 .has_reclaimed = true,
					 .reclaimed_bytes = ev->result.nr_reclaimed }),
		  "node %d: balance run (%s) ended %s at priority %d: reclaimed %s in %s%s",
		  ev->node, n ? reasons : "-", balance_end_reason_to_string(ev->result.reason),
		  ev->result.priority, format_bytes(bytes, sizeof(bytes), ev->result.nr_reclaimed),
		  format_duration(dur, sizeof(dur), ev->result.duration_usec),
		  m->dry_run ? " (dry run)" : "");
	if (ev->result.hopeless && mn && !mn->hopeless_reported) {
		struct json_object *o = json_object_new_object();

		log_event(LOG_WARNING, LOG_EVENT_HOPELESS,
			  (&(struct log_fields){ .node = ev->node, .priority_level = -1 }),
			  "node %d: %u runs in a row reclaimed nothing: hopeless, no proactive "
			  "reclaim until memory recovers or a reclaim succeeds.",
			  ev->node, ev->result.failures);
		mn->hopeless_reported = true;
		json_object_object_add(o, "type", json_object_new_string("hopeless"));
		json_object_object_add(o, "node", json_object_new_int(ev->node));
		json_object_object_add(o, "failures", json_object_new_uint64(ev->result.failures));
		manager_broadcast(m, o);
	} else if (!ev->result.hopeless && mn) {
		mn->hopeless_reported = false;
	}
}

/* The node threads' events, taken together when a batch wakes the loop
 * (manager_kswapd_event()) or on a monitor tick: a short run's are one
 * wakeup of the loop (a run with long writes about one each 50 ms of its
 * pushes), where they were four (the first push into the
 * empty ring, a timer 50 ms later to take the run's records together, and
 * the same for its sleep a nap later; issue 14: about half of the loop's
 * nine wakeups a second in the application benchmark). Each event carries
 * its own time, so the batching changes no timestamp. */
static void ring_event(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	struct kswapd_event ev;

	while (ring_pop(m->events, &ev) > 0) {
		struct manager_node *mn = manager_node(m, ev.node);
		struct json_object *o;

		/* What this record leads to (a brake, a hopeless node, offload
		 * events) happened when it did, a batch before this drain. */
		m->event_realtime_usec = ev.time_usec ? realtime_of_usec(ev.time_usec) : 0;

		/* The offload thread's pass wrote: its writes are per cgroup,
		 * kept by the actuator (a path does not fit the ring). */
		if (ev.type == KSWAPD_EVENT_SHRINK && ev.req.kind == SHRINK_OFFLOAD) {
			actuator_report_offload_writes(m->actuator, offload_write_event, m);
			actuator_sample_offload(m->actuator, offload_event, m);
			continue;
		}

		if (ev.type == KSWAPD_EVENT_RUN_END)
			log_run_end(m, &ev);
		else if (ev.type == KSWAPD_EVENT_SHRINK)
			brake_event(m, mn, &ev);
		if (ev.type == KSWAPD_EVENT_SHRINK)
			log_debug("node %d: shrink kind %d prio %d asked %" PRIu64
				  " reclaimed %" PRIu64 " swappiness %d: %d",
				  ev.node, ev.req.kind, ev.req.priority, ev.res.nr_requested,
				  ev.res.nr_reclaimed, ev.req.swappiness, ev.error);
		if (!m->ctl || ctl_server_n_subscribers(m->ctl) == 0)
			continue;
		o = manager_event_json(m, &ev);
		manager_broadcast(m, o);
	}
	m->event_realtime_usec = 0;
}

/* ---- the control worker: operator reclaims off the loop ---- */

static void *worker_main(void *userdata)
{
	struct manager *m = userdata;

	(void)pthread_setname_np(pthread_self(), "reclaimd/ctl");
	pthread_mutex_lock(&m->worker_lock);
	for (;;) {
		struct manager_job *job;
		uint64_t start, one = 1;

		while (!m->worker_stop && (!m->job || m->job_done))
			pthread_cond_wait(&m->worker_cond, &m->worker_lock);
		if (m->worker_stop)
			break;
		job = m->job;
		pthread_mutex_unlock(&m->worker_lock);

		start = now_usec();
		job->r = manager_shrink(m, &job->req, &job->res);
		job->duration_usec = now_usec() - start;

		pthread_mutex_lock(&m->worker_lock);
		m->job_done = true;
		(void)!write(m->worker_efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&m->worker_lock);
	return NULL;
}

int manager_start_job(struct manager *m, struct manager_job *job)
{
	int r = 0;

	pthread_mutex_lock(&m->worker_lock);
	if (m->job)
		r = -EBUSY;
	else {
		m->job = job;
		m->job_done = false;
		pthread_cond_signal(&m->worker_cond);
	}
	pthread_mutex_unlock(&m->worker_lock);
	return r;
}


static void worker_event(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	struct manager_job *job = NULL;
	uint64_t v;

	(void)!read(m->worker_efd, &v, sizeof(v));
	pthread_mutex_lock(&m->worker_lock);
	if (m->job && m->job_done) {
		job = m->job;
		m->job = NULL;
	}
	pthread_mutex_unlock(&m->worker_lock);
	if (!job)
		return;
	/* The operator's node reclaim is the userspace direct reclaim: it
	 * reaches the engine (failures cleared if it freed memory, the node
	 * woken even if hopeless). */
	if (job->req.kind == SHRINK_NODE && job->r >= 0)
		(void)kswapd_manual_reclaim(m->kswapd, job->req.node, job->res.nr_reclaimed);
	manager_job_finish(m, job);
}

static int start_worker(struct manager *m)
{
	int r;

	m->worker_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->worker_efd < 0)
		return log_error_errno(negative_errno(), "Failed to create eventfd: %m");
	r = kick_thread_create(&m->worker, NULL, worker_main, m);
	if (r < 0)
		return log_error_errno(r, "Failed to start the control worker: %m");
	m->worker_started = true;
	m->ev_worker = event_new(m->base, m->worker_efd, EV_READ | EV_PERSIST, worker_event, m);
	if (!m->ev_worker || event_add(m->ev_worker, NULL) < 0)
		return log_oom();
	return 0;
}

/* Tell a thread waiting on cond to stop, and wait for it: a reclaim write
 * it is in ends with EINTR (kick.h). */
static void thread_stop(pthread_t t, pthread_mutex_t *lock, pthread_cond_t *cond, bool *stop)
{
	pthread_mutex_lock(lock);
	*stop = true;
	pthread_cond_signal(cond);
	pthread_mutex_unlock(lock);
	kick_join(t);
}

static void stop_worker(struct manager *m)
{
	if (!m->worker_started)
		return;
	thread_stop(m->worker, &m->worker_lock, &m->worker_cond, &m->worker_stop);
	m->worker_started = false;
}

/* ---- offload: Offload=yes cgroups, on their own thread ---- */

/*
 * The offload thread wakes every MANAGER_OFFLOAD_TICK_USEC and asks the
 * actuator for a SHRINK_OFFLOAD pass, which judges each Offload=yes cgroup
 * whose OffloadInterval= is over and writes its step to memory.reclaim.
 * While no cgroup of the table says Offload=yes it does not tick: it
 * waits for a walk, the only thing that changes that (a new cgroup, or a
 * reload or `set`, which walk at once), to kick it (issue 14: two wakes a
 * second for nothing were 0.06% of the 6.18 profile's samples, about a
 * twentieth of reclaimd's). It
 * goes through manager_shrink() as the node threads and the control worker
 * do: the same actuator, the system brake, DryRun= and the accounting, on
 * the cgroup-wide context (its own scratch and rate quota, under
 * cgroup_shrink_lock, shared with an operator's cgroup reclaim only). Its
 * writes are synchronous and can take seconds, hence a thread and not the
 * loop, and a lock no node thread takes.
 */
static void *offload_main(void *userdata)
{
	struct manager *m = userdata;

	(void)pthread_setname_np(pthread_self(), "reclaimd/offl");
	pthread_mutex_lock(&m->offload_lock);
	while (!m->offload_stop) {
		struct shrink_request req = {
			.kind = SHRINK_OFFLOAD,
			.node = -1, /* the cgroup-wide context's */
			.priority = DEF_PRIORITY,
			.dry_run = __atomic_load_n(&m->dry_run, __ATOMIC_RELAXED),
		};
		struct shrink_result res = {};
		struct timespec until;
		bool idle;
		int r;

		pthread_mutex_unlock(&m->offload_lock);
		/* Paused or not: a paused cgroup is judged and written nothing. */
		r = manager_shrink(m, &req, &res);
		if (r < 0)
			log_debug_errno(r, "Offload pass failed: %m");
		__atomic_add_fetch(&m->nr_offload_passes, 1, __ATOMIC_RELAXED);
		/* Tell the loop: it reports the pass's writes per cgroup. */
		if (r < 0 || res.nr_requested > 0)
			manager_kswapd_event(&(struct kswapd_event){ .type = KSWAPD_EVENT_SHRINK,
								     .node = req.node,
								     .time_usec = now_usec(),
								     .req = req,
								     .res = res,
								     .error = r,
								     .waits = true },
					     m);
		idle = !actuator_offload_any(m->actuator);
		pthread_mutex_lock(&m->offload_lock);
		m->offload_idle = idle;
		timespec_after_usec(&until, MANAGER_OFFLOAD_TICK_USEC);
		/* A kick since the check above is seen here, under the lock. */
		while (!m->offload_stop && !m->offload_kick &&
		       (idle ? pthread_cond_wait(&m->offload_cond, &m->offload_lock)
			     : pthread_cond_timedwait(&m->offload_cond, &m->offload_lock, &until)) == 0)
			;
		m->offload_kick = false;
	}
	pthread_mutex_unlock(&m->offload_lock);
	return NULL;
}

/* Only with cgroups: without them there is nothing to offload. The thread
 * sleeps while no cgroup says Offload=yes (offload_main()). */
static int start_offload(struct manager *m)
{
	pthread_condattr_t attr;
	int r;

	if (!m->cgroups || m->n_nodes == 0)
		return 0;
	pthread_condattr_init(&attr);
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->offload_cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&m->offload_lock, NULL);
	r = kick_thread_create(&m->offload, NULL, offload_main, m);
	if (r < 0)
		return log_error_errno(r, "Failed to start the offload thread: %m");
	m->offload_started = true;
	return 0;
}

static void manager_offload_kick(struct manager *m)
{
	if (!m->offload_started)
		return;
	/* A ticking thread is not cut short: a walk every 100 ms (a burst of
	 * mkdirs) would make a pass of each. */
	pthread_mutex_lock(&m->offload_lock);
	if (m->offload_idle) {
		m->offload_kick = true;
		pthread_cond_signal(&m->offload_cond);
	}
	pthread_mutex_unlock(&m->offload_lock);
}

static void stop_offload(struct manager *m)
{
	if (!m->offload_started)
		return;
	thread_stop(m->offload, &m->offload_lock, &m->offload_cond, &m->offload_stop);
	pthread_mutex_destroy(&m->offload_lock);
	pthread_cond_destroy(&m->offload_cond);
	m->offload_started = false;
}

/* ---- pause, reload ---- */

/* pause/resume and Paused=: a node is frozen when the daemon is paused or
 * its [Node N] says Paused=yes (conf_node_paused(), read from the config in
 * force: a node's own pause is conf's, not copied here). */
void manager_set_paused(struct manager *m, bool paused)
{
	uint64_t offload_paused = 0;

	for (unsigned i = 0; i < m->n_nodes; i++) {
		if (paused || conf_node_paused(m->conf, (unsigned)m->nodes[i].id)) {
			(void)kswapd_pause(m->kswapd, m->nodes[i].id);
			/* memory.numa_stat (hence offload_paused_by()) sees
			 * nodes below MEMSTAT_MAX_NODES; a paused node above
			 * that pauses all offload rather than none. */
			offload_paused |= m->nodes[i].id < MEMSTAT_MAX_NODES
						  ? UINT64_C(1) << m->nodes[i].id
						  : UINT64_MAX;
		} else {
			(void)kswapd_resume(m->kswapd, m->nodes[i].id);
		}
	}
	/* Offload pauses a cgroup with memory on a paused node
	 * (offload_paused_by()), and the other nodes' passes spread over
	 * memory.reclaim leave it out. */
	if (m->actuator)
		actuator_set_paused_nodes(m->actuator, offload_paused);
	if (m->paused != paused) {
		struct json_object *o = json_object_new_object();

		log_info("Reclaim %s.", paused ? "paused: monitoring goes on" : "resumed");
		__atomic_store_n(&m->paused, paused, __ATOMIC_RELAXED);
		json_object_object_add(o, "type", json_object_new_string("mode"));
		json_object_object_add(o, "mode", json_object_new_string(
							 paused ? "paused" : m->dry_run ? "dry-run" : "running"));
		manager_broadcast(m, o);
	}
}

/* The watch event after set and reload; changed is borrowed. */
void manager_config_event(struct manager *m, struct json_object *changed)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("config"));
	json_object_object_add(o, "changed", json_object_get(changed));
	manager_broadcast(m, o);
}

/*
 * The configuration in force is read by other threads too: the offload
 * thread and an operator's cgroup reclaim ask the policy callback
 * (manager_cgroup_policy()) whether a path is protected, under the cgroup
 * set's read lock. So a reload publishes the new one, then waits until no
 * reader that may hold the old one is left (cgroup_set_quiesce()) before
 * the caller frees it: the old one was freed under their feet.
 */
static void manager_swap_conf(struct manager *m, struct conf *conf)
{
	__atomic_store_n(&m->conf, conf, __ATOMIC_RELEASE);
	if (m->cgroups)
		cgroup_set_quiesce(m->cgroups);
}

int manager_reload(struct manager *m, char *err, size_t errlen,
		   struct json_object **ret_changed)
{
	struct conf *new = NULL, *old = m->conf;
	struct json_object *changed;
	int r;

	(void)notify_reloading(m->notify, now_usec());
	r = conf_reload(old, &new, err, errlen);
	if (r < 0) {
		log_error("Reload failed, keeping the running configuration: %s", err);
		(void)notify_reloaded(m->notify, "reload failed; running configuration kept");
		return r;
	}
	manager_swap_conf(m, new);
	r = manager_apply_conf_err(m, err, errlen);
	if (r < 0) {
		manager_swap_conf(m, old);
		(void)manager_apply_conf(m);
		conf_free(new);
		log_error("Reload failed, keeping the running configuration: %s", err);
		(void)notify_reloaded(m->notify, "reload failed; running configuration kept");
		return r;
	}
	changed = conf_changed_keys(old, new);
	conf_free(old);
	/* The next walk says again what the new configuration ignores. */
	m->sections_above_leaves_hash = 0;
	for (size_t i = 0; i < conf_n_warnings(m->conf); i++)
		log_warning("%s", conf_warning(m->conf, i));
	if (conf_reclaim(m->conf)->paused != m->paused)
		manager_set_paused(m, conf_reclaim(m->conf)->paused);
	log_event(LOG_INFO, LOG_EVENT_RELOAD, (&(struct log_fields){ .node = -1, .priority_level = -1 }),
		  "Configuration reloaded.");
	(void)notify_reloaded(m->notify, "running");
	manager_config_event(m, changed);
	if (ret_changed)
		*ret_changed = changed;
	else
		json_object_put(changed);
	return 0;
}

/* ---- signals and slow timers ---- */

static void on_sigterm(evutil_socket_t sig, short what, void *userdata)
{
	struct manager *m = userdata;

	log_info("Received %s, stopping.", strsignal((int)sig));
	(void)notify_stopping(m->notify);
	event_base_loopbreak(m->base);
}

static void on_sighup(evutil_socket_t sig, short what, void *userdata)
{
	struct manager *m = userdata;
	char err[512];

	(void)manager_reload(m, err, sizeof(err), NULL);
}

/* Watch every directory that holds a candidate, up to the mount, for
 * cgroups created or removed below it. Slow path: after each walk. Adding
 * an existing watch returns the same one; a removed directory's watch goes
 * away by itself (IN_IGNORED). */
static void watch_cgroup_dirs(struct manager *m)
{
	struct cgroup_set *s = m->cgroups;
	char path[4096 + CGROUP_PATH_MAX + 2];

	if (m->inotify_fd < 0)
		return;
	(void)inotify_add_watch(m->inotify_fd, s->mount, IN_CREATE | IN_DELETE | IN_ONLYDIR);
	cgroup_set_lock_shared(s);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		char *slash;

		if (snprintf(path, sizeof(path), "%s/%s", s->mount, s->cgroups[i]->path) >=
		    (int)sizeof(path))
			continue;
		/* The cgroup and each ancestor below the mount. */
		do {
			(void)inotify_add_watch(m->inotify_fd, path,
						IN_CREATE | IN_DELETE | IN_ONLYDIR);
			slash = strrchr(path, '/');
			if (slash)
				*slash = '\0';
		} while (slash && strlen(path) > strlen(s->mount));
	}
	cgroup_set_unlock(s);
}

static void section_above_leaves_hash(void *userdata, const char *pattern, const char *keys,
				      const char *path)
{
	uint64_t *h = userdata;

	/* Not the path: which slice comes first depends on the walk. */
	*h = hash_fnv1a(*h, pattern);
	*h = hash_fnv1a(*h, keys);
}

static void section_above_leaves_log(void *userdata, const char *pattern, const char *keys,
				     const char *path)
{
	log_warning("[CGroup %s] %s: ignored. The section matches %s, which holds other "
		    "cgroups, and none of the cgroups reclaimd reclaims from (those at the "
		    "bottom of the memory hierarchy); these keys bound a cgroup's own reclaim "
		    "and do not reach the cgroups below. Set them in a section for those "
		    "(e.g. [CGroup %s/*]).",
		    pattern, keys, path, streq(path, "/") ? "" : path);
}

/* Keys set and ignored (conf_cgroup_sections_above_leaves()): every
 * promise kept or refused, so refused in the journal, after each walk
 * that changed them. */
static void check_cgroup_sections(struct manager *m)
{
	struct cgroup_set *s = m->cgroups;
	_cleanup_free_ const char **paths = NULL;
	uint64_t h = HASH_FNV1A_INIT;

	if (!s)
		return;
	cgroup_set_lock_shared(s);
	paths = calloc(MAX(s->n_cgroups, (size_t)1), sizeof(*paths));
	if (!paths)
		log_warning("Out of memory: the [CGroup] sections were not checked after this walk.");
	else {
		for (size_t i = 0; i < s->n_cgroups; i++)
			paths[i] = s->cgroups[i]->path;
		if (conf_cgroup_sections_above_leaves(m->conf, paths, s->n_cgroups,
						      section_above_leaves_hash, &h) == 0)
			h = 0;
		if (h != m->sections_above_leaves_hash)
			conf_cgroup_sections_above_leaves(m->conf, paths, s->n_cgroups,
							  section_above_leaves_log, NULL);
		m->sections_above_leaves_hash = h;
	}
	cgroup_set_unlock(s);
}

static void rescan_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	int r;

	r = actuator_rescan(m->actuator, false);
	if (r == -EBUSY) {
		/* A node thread is mid-write: the loop never waits for one. */
		schedule(m->ev_rescan, 100 * USEC_PER_MSEC);
		return;
	}
	if (r < 0)
		log_warning_errno(r, "Failed to rescan cgroups: %m, keeping the old table");
	else {
		m->nr_rescans++;
		log_debug("Cgroup walk: %d candidates.", r);
		watch_cgroup_dirs(m);
		check_cgroup_sections(m);
		/* Only this thread walks once running: no lock for the count. */
		if (m->kswapd && m->cgroups->nr_scans_added != m->cgroups_added_seen)
			kswapd_cgroups_added(m->kswapd);
		m->cgroups_added_seen = m->cgroups->nr_scans_added;
		manager_offload_kick(m);
	}
	schedule(m->ev_rescan, conf_reclaim(m->conf)->rescan_interval_usec);
}

/* The per-cgroup pressure brakes, sampled twice per PressureWindow=. */
static void brakes_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;

	actuator_sample_brakes(m->actuator, cgroup_brake_event, m);
	actuator_sample_offload(m->actuator, offload_event, m);
	actuator_report_offload_writes(m->actuator, offload_write_event, m); /* a ring drop */
	schedule(m->ev_brakes, MAX(conf_reclaim(m->conf)->pressure_window_usec / 2,
				   100 * USEC_PER_MSEC));
}

/* A cgroup directory was created or removed: walk again soon. 100 ms lets
 * a burst of mkdirs (a slice and its services) settle into one walk. */
static void inotify_event(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool dirs = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			/* buf is aligned for inotify_event (see above). */
			const struct inotify_event *e = (const void *)p;

			if (e->mask & (IN_CREATE | IN_DELETE | IN_Q_OVERFLOW))
				dirs = true;
			p += sizeof(*e) + e->len;
		}
	}
	if (!dirs)
		return;
	m->nr_inotify_events++;
	schedule(m->ev_rescan, 100 * USEC_PER_MSEC);
}

static void setup_inotify(struct manager *m)
{
	m->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->inotify_fd < 0) {
		log_notice_errno(negative_errno(), "inotify is not available (%m): new cgroups are "
						   "found by the periodic walk only.");
		return;
	}
	m->ev_inotify = event_new(m->base, m->inotify_fd, EV_READ | EV_PERSIST, inotify_event, m);
	if (!m->ev_inotify || event_add(m->ev_inotify, NULL) < 0) {
		log_oom();
		return;
	}
	watch_cgroup_dirs(m);
}

static void watchdog_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	uint64_t now = now_usec(), limit = notify_stale_after_usec(m->notify);
	int node;

	if (limit == 0)
		limit = MANAGER_STALL_LIMIT_USEC_DEFAULT;
	node = kswapd_find_stalled(m->kswapd, now, limit);
	if (node >= 0) {
		if (!m->watchdog_withheld)
			log_event(LOG_ERR, LOG_EVENT_WATCHDOG,
				  (&(struct log_fields){ .node = node, .priority_level = -1 }),
				  "node %d: thread stuck for more than %" PRIu64
				  " ms: withholding the watchdog ping.",
				  node, limit / USEC_PER_MSEC);
		m->watchdog_withheld = true;
	} else {
		m->watchdog_withheld = false;
		(void)notify_watchdog_tick(m->notify, now);
	}
	schedule(m->ev_watchdog, notify_watchdog_interval_usec(m->notify));
}

static int metrics_fill(FILE *f, void *userdata)
{
	struct json_object *stats = manager_stats_json(userdata);
	int r;

	if (!stats)
		return -ENOMEM;
	r = ctl_format_prometheus(stats, f);
	json_object_put(stats);
	return r;
}

/* Write MetricsFile= (metrics-file.h says where it refuses to); a failure
 * is logged when it starts or changes, and the recovery once. */
static void manager_write_metrics(struct manager *m, const char *path)
{
	int r = metrics_file_write(&m->metrics, path, metrics_fill, m);

	if (r < 0 && r != m->metrics_error) {
		if (r == -EEXIST)
			log_warning("MetricsFile=%s: a file reclaimd did not write is there "
				    "(or a link, or not a regular file); not replacing it. "
				    "Remove it or choose another path, ignoring.",
				    path);
		else if (r == -EPERM)
			log_warning("MetricsFile=%s: its directory is writable by others; "
				    "reclaimd writes only into a directory that is not "
				    "world-writable (nor group-writable unless its own), "
				    "ignoring.",
				    path);
		else
			log_warning_errno(r, "Failed to write MetricsFile=%s: %m, ignoring "
					  "(logged again only when this changes).",
					  path);
	} else if (r >= 0 && m->metrics_error < 0)
		log_info("MetricsFile=%s written again.", path);
	m->metrics_error = r < 0 ? r : 0;
}

/* Once a minute in a dry run, what the runs since the last line would have
 * done; nothing when they did nothing (balance_dry_run_summary_take()). */
static void manager_dry_run_summary(struct manager *m, uint64_t now)
{
	struct balance_dry_run_totals cur = {}, d;
	char b[FORMAT_BYTES_MAX], cb[FORMAT_BYTES_MAX], t[FORMAT_DURATION_MAX];
	char more[128] = "";
	struct actuator_node_stats cw = {};
	uint64_t span;

	if (!balance_dry_run_summary_due(&m->dry_run_summary, m->dry_run, now))
		return;
	for (unsigned i = 0; i < m->n_nodes; i++) {
		struct actuator_node_stats as = {};
		struct kswapd_state st;

		if (kswapd_get_state(m->kswapd, i, &st) >= 0)
			cur.runs += st.counters.runs;
		if (actuator_node_stats(m->actuator, m->nodes[i].id, &as) >= 0) {
			cur.writes += as.nr_dry_run;
			cur.bytes += as.requested_bytes;
		}
	}
	if (actuator_cgroup_wide_stats(m->actuator, &cw) >= 0) {
		cur.cgroup_writes = cw.nr_dry_run;
		cur.cgroup_bytes = cw.requested_bytes;
	}
	if (!balance_dry_run_summary_take(&m->dry_run_summary, &cur, now, &d, &span))
		return;
	if (d.cgroup_writes)
		snprintf(more, sizeof(more),
			 "; offload and operators' cgroup reclaims %s in %" PRIu64 " writes",
			 format_bytes(cb, sizeof(cb), d.cgroup_bytes), d.cgroup_writes);
	log_event(LOG_INFO, LOG_EVENT_DRY_RUN,
		  (&(struct log_fields){ .node = -1, .priority_level = -1 }),
		  "dry-run: in the last %s, %" PRIu64 " balance runs would have "
		  "asked %s of the reclaim files in %" PRIu64 " writes%s.",
		  format_duration(t, sizeof(t), span), d.runs, format_bytes(b, sizeof(b), d.bytes),
		  d.writes, more);
}

/* The routine runs logged at debug in each node's window, in one line
 * when the window is over (or at stop: force). */
static void manager_run_log_summary(struct manager *m, uint64_t now, bool force)
{
	for (unsigned i = 0; i < m->n_nodes; i++) {
		struct manager_node *mn = &m->nodes[i];
		struct balance_run_log_totals t;
		char b[FORMAT_BYTES_MAX], d[FORMAT_DURATION_MAX];
		uint64_t span;

		if (!balance_run_log_summary_take(&mn->run_log, now, force, &t, &span))
			continue;
		log_event(LOG_INFO, LOG_EVENT_RUN_SUMMARY,
			  (&(struct log_fields){ .node = mn->id,
						 .priority_level = t.priority,
						 .has_reclaimed = true,
						 .reclaimed_bytes = t.reclaimed_bytes }),
			  "node %d: %" PRIu64 " more routine balance run%s in the last %s "
			  "(woken by the watermark, %" PRIu64 " ended balanced and %" PRIu64
			  " kernel-balanced, none below priority %d): reclaimed %s. Each is "
			  "logged at debug; reclaimctl watch shows them.",
			  mn->id, t.runs, t.runs == 1 ? "" : "s", format_duration(d, sizeof(d), span),
			  t.ended[BALANCE_END_BALANCED], t.ended[BALANCE_END_KERNEL_BALANCED],
			  t.priority, format_bytes(b, sizeof(b), t.reclaimed_bytes));
	}
}

static void status_tick(evutil_socket_t fd, short what, void *userdata)
{
	struct manager *m = userdata;
	const char *metrics = conf_control(m->conf)->metrics_file;
	char line[256];

	manager_status_line(m, line, sizeof(line));
	(void)notify_status(m->notify, line);
	manager_dry_run_summary(m, now_usec());
	manager_run_log_summary(m, now_usec(), /* force= */ false);
	/* A path no longer configured: its file goes, as on stop. */
	if (m->metrics.written && !streq(m->metrics.path, metrics))
		metrics_file_remove(&m->metrics);
	if (metrics && *metrics)
		manager_write_metrics(m, metrics);
	schedule(m->ev_status, MANAGER_STATUS_INTERVAL_USEC);
}

/* ---- start-up ---- */

/* A buddyinfo reader and the snapshot it reads into. The reader stays
 * closed (fd -1) where the file cannot be opened: that error is
 * returned, for the caller to say what it does without; -ENOMEM for the
 * snapshot. */
static int buddy_open(const char *root, struct buddyinfo_reader *ret,
		      struct buddyinfo **ret_snapshot)
{
	int r;

	*ret = (struct buddyinfo_reader){ .file = REREAD_FILE_NULL };
	*ret_snapshot = calloc(1, sizeof(**ret_snapshot));
	if (!*ret_snapshot)
		return -ENOMEM;
	r = buddyinfo_reader_open(root, ret);
	if (r < 0)
		*ret = (struct buddyinfo_reader){ .file = REREAD_FILE_NULL };
	return r;
}

static int setup_nodes(struct manager *m)
{
	int r;

	m->nodes = calloc(m->topology.n_nodes, sizeof(*m->nodes));
	if (!m->nodes)
		return log_oom();
	for (unsigned i = 0; i < m->topology.n_nodes; i++) {
		struct manager_node *mn = &m->nodes[m->n_nodes];
		int id = m->topology.nodes[i].id;

		if (!zoneinfo_node(m->zi, id)) {
			log_info("node %d has no memory zones: no reclaim thread.", id);
			continue;
		}
		mn->id = id;
		mn->buddy = (struct buddyinfo_reader){ .file = REREAD_FILE_NULL };
		pthread_mutex_init(&mn->shrink_lock, NULL);
		m->n_nodes++;
		r = zoneinfo_reader_open(m->root, &mn->reader);
		if (r < 0)
			return log_error_errno(r, "Failed to open zoneinfo for node %d: %m", id);
		r = buddy_open(m->root, &mn->buddy, &mn->buddy_snapshot);
		if (r == -ENOMEM)
			return log_oom();
		if (r < 0)
			log_debug_errno(r, "No %s/proc/buddyinfo (%m): compaction only after "
					   "boosted runs.", m->root);
	}
	if (m->n_nodes == 0)
		return log_error_errno(-ENODEV, "No node with memory found in zoneinfo.");
	return 0;
}

static int setup_cgroups(struct manager *m)
{
	struct cgroup_config cc = {
		.root = m->root,
		.skip_fs_check = !root_is_host(m->root),
		.policy = manager_cgroup_policy,
		.policy_userdata = m,
	};
	int r;

	r = cgroup_set_new(&cc, &m->cgroups);
	if (r == -ENOMEDIUM) {
		log_info("No cgroup v2 hierarchy with the memory controller: memory.reclaim is "
			 "not used (cgroup v1 or hybrid host).");
		return 0;
	}
	if (r < 0)
		log_warning_errno(r, "Failed to read the cgroup v2 hierarchy: %m, not using "
				     "memory.reclaim");
	return 0;
}

static int setup_features(struct manager *m)
{
	struct feature_config fc = {
		.root = m->root,
		.cgroup_mount = m->cgroups ? m->cgroups->mount : NULL,
		.probe_write = !m->dry_run,
	};
	const char *missing;
	char buf[512];
	int r;

	r = feature_probe(&fc, &m->features);
	if (r < 0)
		return log_error_errno(r, "Failed to probe kernel features: %m");
	log_info("Kernel features: %s", feature_to_string(&m->features, buf, sizeof(buf)));
	missing = feature_missing(&m->features);
	if (missing && !m->dry_run) {
		log_error("%s", missing);
		return -EOPNOTSUPP;
	}
	m->dry_run_forced = missing;
	if (missing)
		log_warning("%s Running in dry-run mode: decisions are reported, nothing is "
			    "written.",
			    missing);
	return 0;
}

static int setup_actuator(struct manager *m)
{
	const struct conf_reclaim *rc = conf_reclaim(m->conf);
	struct actuator_config ac = {
		.write = m->opts.actuator_write,
		.hook_userdata = m->opts.hook_userdata,
		.root = m->root,
		.cgroups = m->cgroups,
		.features = m->features,
		/* DryRun= reaches the actuator with each request, so that it
		 * can change at runtime; only missing features force it here. */
		.dry_run = m->dry_run_forced != NULL,
		.rate_bytes_per_sec = rc->rate_limit_bytes_per_sec,
		.step_bytes = rc->step_size_bytes,
		.cgroup_brake = { .window_usec = rc->pressure_window_usec,
				  .limit_usec = rc->pressure_limit_permyriad *
						rc->pressure_window_usec / CONF_PERMYRIAD_MAX },
		.system_brake = { .window_usec = rc->pressure_window_usec,
				  .limit_usec = rc->system_brake_permyriad *
						rc->pressure_window_usec / CONF_PERMYRIAD_MAX },
	};
	int r;

	actuator_config_defaults(&ac);
	r = actuator_new(&ac, &m->actuator);
	if (r < 0)
		return log_error_errno(r, "Failed to set up the actuators: %m");
	return 0;
}

/* Where a node has its reclaim file, the kernel's minimums below which
 * that file reclaims nothing (nodereclaim.h). Without them (a kernel
 * without CONFIG_NUMA has none, a fixture tree may lack them) every
 * node-file pass is tried and the kernel's EAGAIN decides, as before. */
static void setup_node_reclaim(struct manager *m)
{
	int r;

	if (!m->features.node_reclaim)
		return;
	r = node_reclaim_reader_open(m->root, &m->node_reclaim_reader);
	if (r == -ENOMEM) {
		log_oom();
		return;
	}
	if (r < 0) {
		log_info_errno(r, "Cannot read %s/proc/sys/vm/min_unmapped_ratio, min_slab_ratio "
				  "or zone_reclaim_mode (%m): a node-file pass is judged by the "
				  "kernel's answer alone.", m->root);
		return;
	}
	r = node_reclaim_reader_read(&m->node_reclaim_reader, &m->node_reclaim);
	if (r < 0)
		log_info_errno(r, "Cannot parse the node reclaim minimums (%m): a node-file pass "
				  "is judged by the kernel's answer alone.");
	else
		log_debug("Node reclaim minimums: vm.min_unmapped_ratio=%u vm.min_slab_ratio=%u "
			  "vm.zone_reclaim_mode=%u.",
			  m->node_reclaim.min_unmapped_ratio, m->node_reclaim.min_slab_ratio,
			  m->node_reclaim.zone_reclaim_mode);
}

static int setup_kswapd(struct manager *m)
{
	_cleanup_free_ struct kswapd_node_config *nc = NULL;
	_cleanup_free_ struct manager_node_conf *given = NULL;
	struct kswapd_config kc = {
		.n_nodes = m->n_nodes,
		.backend = { .snapshot = manager_snapshot, .shrink = manager_shrink,
			     .free_blocks = manager_free_blocks, .compact = manager_compact,
			     .zone_free = manager_zone_free, .userdata = m },
		.event = manager_kswapd_event,
		.event_userdata = m,
		.kernel_compacts_fragmented = m->features.proactive_compaction,
		.node_reclaim = m->node_reclaim,
	};
	int r;

	nc = calloc(m->n_nodes, sizeof(*nc));
	given = calloc(m->n_nodes, sizeof(*given));
	if (!nc || !given)
		return log_oom();
	/* The params manager_apply_conf() found usable, with the DryRun= it
	 * set; from here on the engine owns them (kswapd_get_node_params()). */
	r = nodes_conf(m, m->dry_run, &kc.params, given);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < m->n_nodes; i++) {
		const struct topology_node *tn = topology_node(&m->topology, m->nodes[i].id);

		nc[i].node = m->nodes[i].id;
		nc[i].params = &given[i].params;
		CPU_ZERO(&nc[i].cpus);
		/* A CPU-less node (CXL, memory only) runs unpinned. */
		if (tn && tn->n_cpus > 0 &&
		    topology_node_cpuset(tn, &nc[i].cpus, sizeof(nc[i].cpus)) < 0) {
			log_warning("node %d: CPUs beyond %zu, not pinning its thread.",
				    nc[i].node, sizeof(cpu_set_t) * 8);
			CPU_ZERO(&nc[i].cpus);
		}
	}
	kc.nodes = nc;
	r = kswapd_new(&kc, &m->kswapd);
	if (r < 0)
		return log_error_errno(r, "Failed to start the node threads: %m");
	return 0;
}

static int setup_control(struct manager *m)
{
	const struct conf_control *cc = conf_control(m->conf);
	struct ctl_server_options o = {
		.path = m->socket_path,
		.socket_group = "reclaimd",
		.admin_group = cc->admin_group && *cc->admin_group ? cc->admin_group : NULL,
	};
	int n, r;

	n = sd_listen_fds(true);
	if (n > 1)
		log_warning("systemd passed %d sockets, using the first.", n);
	if (n > 0)
		r = ctl_server_new_from_fd(m->base, SD_LISTEN_FDS_START, &o, &manager_ctl_handler,
					   m, &m->ctl);
	else
		r = ctl_server_new(m->base, &o, &manager_ctl_handler, m, &m->ctl);
	if (r < 0)
		return log_error_errno(r, "Failed to listen on %s: %m",
				       n > 0 ? "the socket passed by systemd" : m->socket_path);
	log_info("Listening on %s.", n > 0 ? "the socket passed by systemd" : m->socket_path);
	return 0;
}

static struct event *add_timer(struct manager *m, event_callback_fn fn, uint64_t usec)
{
	struct event *ev = evtimer_new(m->base, fn, m);

	if (ev)
		schedule(ev, usec);
	return ev;
}

static struct event *add_signal(struct manager *m, int sig, event_callback_fn fn)
{
	struct event *ev = evsignal_new(m->base, sig, fn, m);

	if (ev && event_add(ev, NULL) < 0) {
		event_free(ev);
		return NULL;
	}
	return ev;
}

struct event_base *manager_event_base_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (!cfg)
		return NULL;
	/* Edge-triggered events for the PSI trigger fd (see setup_psi()). */
	event_config_require_features(cfg, EV_FEATURE_ET);
	/* Timers on CLOCK_MONOTONIC, not libevent's default _COARSE: with a
	 * clock up to a jiffy behind, the wait for a timer ended before
	 * libevent saw its deadline, and the loop waited again for the rest
	 * (up to 4 ms at HZ=250). A dry run's monitor at 250 ms woke the loop
	 * 239-263 times in 30 s for about 120 ticks; with this, 125 (the
	 * timer is a timerfd, rearmed once a pass). */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

static int setup_loop(struct manager *m)
{
	m->base = manager_event_base_new();
	if (!m->base)
		return log_error_errno(-ENOSYS, "Failed to create an event loop with edge "
						"triggers (epoll).");
	return 0;
}

static int setup_events(struct manager *m)
{
	m->ev_ring = event_new(m->base, ring_fd(m->events), EV_READ | EV_PERSIST, ring_event, m);
	if (!m->ev_ring || event_add(m->ev_ring, NULL) < 0)
		return log_oom();
	m->ev_sigterm = add_signal(m, SIGTERM, on_sigterm);
	m->ev_sigint = add_signal(m, SIGINT, on_sigterm);
	m->ev_sighup = add_signal(m, SIGHUP, on_sighup);
	m->ev_monitor = add_timer(m, monitor_tick, 0);
	m->ev_status = add_timer(m, status_tick, MANAGER_STATUS_INTERVAL_USEC);
	if (m->cgroups) {
		m->ev_rescan = add_timer(m, rescan_tick,
					 conf_reclaim(m->conf)->rescan_interval_usec);
		setup_inotify(m);
		m->ev_brakes = add_timer(m, brakes_tick, 0);
	}
	if (notify_watchdog_interval_usec(m->notify) > 0)
		m->ev_watchdog = add_timer(m, watchdog_tick,
					   notify_watchdog_interval_usec(m->notify));
	if (!m->ev_sigterm || !m->ev_sigint || !m->ev_sighup || !m->ev_monitor ||
	    !m->ev_status || (m->cgroups && (!m->ev_rescan || !m->ev_brakes)))
		return log_oom();
	return 0;
}

static void log_detected(struct manager *m)
{
	char b[6][FORMAT_BYTES_MAX];

	for (unsigned i = 0; i < m->n_nodes; i++) {
		const struct node_zoneinfo *n = zoneinfo_node(m->zi, m->nodes[i].id);
		const struct topology_node *tn = topology_node(&m->topology, m->nodes[i].id);
		char cpus[256] = "none";
		struct balance_params p;
		uint64_t ps;

		if (kswapd_get_node_params(m->kswapd, m->nodes[i].id, &p) < 0)
			continue;
		ps = p.wmark.page_size;
		if (tn && tn->n_cpus > 0)
			(void)topology_format_list(tn->cpus, TOPOLOGY_MAX_CPUS, cpus, sizeof(cpus));
		log_info("node %d: cpus %s", m->nodes[i].id, cpus);
		for (unsigned z = 0; n && z < n->n_zones; z++) {
			const struct zone_stat *zs = &n->zones[z];
			struct zone_watermarks w;

			if (zs->managed == 0)
				continue;
			watermark_zone(zs, &p.wmark, &w);
			log_info("node %d zone %-7s free %s, kernel min/low/high %s/%s/%s, "
				 "reclaimd low/high %s/%s",
				 m->nodes[i].id, zs->name,
				 format_bytes(b[0], sizeof(b[0]), zs->free * ps),
				 format_bytes(b[1], sizeof(b[1]), zs->min * ps),
				 format_bytes(b[2], sizeof(b[2]), zs->low * ps),
				 format_bytes(b[3], sizeof(b[3]), zs->high * ps),
				 format_bytes(b[4], sizeof(b[4]), w.low * ps),
				 format_bytes(b[5], sizeof(b[5]), w.high * ps));
		}
	}
	log_info("Actuators: %s%s%s%s", m->features.node_reclaim ? "per-node reclaim file " : "",
		 m->features.cgroup2_memory && m->features.memory_reclaim
			 ? "cgroup v2 memory.reclaim "
			 : "",
		 !m->features.node_reclaim && !m->features.memory_reclaim ? "none " : "",
		 m->dry_run ? "(dry run: nothing is written)" : "");
}

int manager_new(const struct manager_options *opts, struct conf *conf, struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	const struct conf_reclaim *rc = conf_reclaim(conf);
	struct balance_params p;
	const char *sock;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return log_oom();
	m->psi_trigger_fd = -1;
	m->worker_efd = -1;
	m->inotify_fd = -1;
	m->monitor_buddy = (struct buddyinfo_reader){ .file = REREAD_FILE_NULL };
	for (size_t i = 0; i < ELEMENTSOF(m->node_reclaim_reader.files); i++)
		m->node_reclaim_reader.files[i] = REREAD_FILE_NULL;
	pthread_mutex_init(&m->worker_lock, NULL);
	pthread_cond_init(&m->worker_cond, NULL);
	pthread_mutex_init(&m->cgroup_shrink_lock, NULL);
	m->conf = conf;
	m->opts = *opts;
	snprintf(m->root, sizeof(m->root), "%s", root_is_host(opts->root) ? "" : opts->root);
	sock = opts->socket_path ? opts->socket_path : conf_control(conf)->socket;
	if (snprintf(m->socket_path, sizeof(m->socket_path), "%s", sock) >=
	    (int)sizeof(m->socket_path))
		return log_error_errno(-ENAMETOOLONG, "Socket path too long: %s", sock);
	m->dry_run = opts->dry_run || rc->dry_run;
	m->start_usec = m->stats_since_usec = now_usec();
	m->start_realtime_usec = realtime_usec();
	m->dry_run_summary.since_usec = m->start_usec;
	params_from_conf(rc, m->dry_run, false, &p);
	r = balance_params_validate(&p);
	if (r < 0)
		return log_error_errno(r, "Configuration gives unusable reclaim parameters.");

	r = topology_discover(m->root, &m->topology);
	if (r < 0)
		return log_error_errno(r, "Failed to discover NUMA nodes: %m");
	m->zi = calloc(1, sizeof(*m->zi));
	if (!m->zi)
		return log_oom();
	r = zoneinfo_reader_open(m->root, &m->zi_reader);
	if (r < 0)
		return log_error_errno(r, "Failed to open %s/proc/zoneinfo: %m", m->root);
	r = zoneinfo_reader_read(m->zi_reader, m->zi);
	if (r < 0)
		return log_error_errno(r, "Failed to parse %s/proc/zoneinfo: %m", m->root);
	r = buddy_open(m->root, &m->monitor_buddy, &m->monitor_buddy_snapshot);
	if (r == -ENOMEM)
		return log_oom();
	if (r < 0)
		log_info_errno(r, "No %s/proc/buddyinfo (%m): the monitor reads the whole of "
				  "zoneinfo each time.", m->root);

	r = setup_nodes(m);
	if (r < 0)
		return r;
	r = setup_cgroups(m);
	if (r < 0)
		return r;
	r = manager_apply_conf(m); /* m->kswapd is NULL: just compute */
	if (r < 0)
		return r;
	r = setup_features(m);
	if (r < 0)
		return r;
	/* The first walk ran before the probe: OffloadSwappiness=auto needs
	 * to know whether swap is compressed. */
	if (m->cgroups && cgroup_rescan(m->cgroups) >= 0)
		check_cgroup_sections(m);
	r = setup_actuator(m);
	if (r < 0)
		return r;
	setup_node_reclaim(m);
	r = manager_apply_conf(m); /* the actuator's limits, as on every change */
	if (r < 0)
		return r;
	r = setup_loop(m);
	if (r < 0)
		return r;
	r = ring_new(sizeof(struct kswapd_event), MANAGER_EVENT_RING_RECORDS,
		     MANAGER_EVENT_BATCH_USEC, &m->events);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate the event ring: %m");
	/* No watch client yet (manager_subscribers_changed()). */
	ring_set_lazy(m->events, true);
	r = notify_new(&m->notify);
	if (r < 0)
		return log_error_errno(r, "Failed to set up sd_notify: %m");
	r = setup_kswapd(m);
	if (r < 0)
		return r;
	manager_set_paused(m, rc->paused); /* and [Node N] Paused= */
	r = setup_control(m);
	if (r < 0)
		return r;
	r = start_worker(m);
	if (r < 0)
		return r;
	r = start_offload(m);
	if (r < 0)
		return r;
	setup_psi(m);
	r = setup_events(m);
	if (r < 0)
		return r;
	log_detected(m);
	*ret = TAKE_PTR(m);
	return 0;
}

int manager_run(struct manager *m)
{
	char line[256];

	manager_status_line(m, line, sizeof(line));
	(void)notify_ready(m->notify, line);
	log_info("reclaimd %s running: %s", PACKAGE_VERSION, line);
	if (event_base_dispatch(m->base) < 0)
		return log_error_errno(-EIO, "Event loop failed.");
	return m->exit_code;
}

static void event_freep_(struct event **ev)
{
	if (*ev)
		event_free(*ev);
	*ev = NULL;
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	/* MetricsFile= describes a running daemon: gone with it. */
	metrics_file_remove(&m->metrics);
	/* No reclaim write begins from here; the threads' joins cut short
	 * those in progress (kick.h). */
	if (m->actuator)
		actuator_stop(m->actuator);
	/* An operator's reclaim in progress is answered before the joins,
	 * and sent at once: they wait for the kernel's try under way, which
	 * takes what it takes (a loaded CI run of 6.12: 34 s from SIGTERM to
	 * exit, and the client, whose call began before, gave up at 30 s
	 * with "no answer"). One done before the loop took it back gets its
	 * result. Else the job is the worker's until it is joined. */
	if (m->job && m->job->call) {
		struct manager_job *done = NULL;

		ctl_call_flush_reply(m->job->call);
		pthread_mutex_lock(&m->worker_lock);
		if (m->job_done) {
			done = m->job;
			m->job = NULL;
		}
		pthread_mutex_unlock(&m->worker_lock);
		if (done)
			manager_job_finish(m, done);
		else {
			ctl_call_reply(m->job->call, -ECANCELED, NULL, "reclaimd is stopping.");
			m->job->call = NULL;
		}
	}
	/* Node threads first: they use everything below. */
	m->kswapd = kswapd_free(m->kswapd);
	stop_worker(m);
	stop_offload(m);
	free(m->job);
	m->job = NULL;
	/* The runs that ended while the threads stopped, then what is counted
	 * of the routine ones and not yet summed up. */
	if (m->events)
		ring_event(-1, 0, m);
	if (m->nodes)
		manager_run_log_summary(m, now_usec(), /* force= */ true);
	m->ctl = ctl_server_free(m->ctl);
	event_freep_(&m->ev_monitor);
	event_freep_(&m->ev_rescan);
	event_freep_(&m->ev_inotify);
	event_freep_(&m->ev_brakes);
	event_freep_(&m->ev_watchdog);
	event_freep_(&m->ev_status);
	event_freep_(&m->ev_ring);
	event_freep_(&m->ev_psi);
	event_freep_(&m->ev_worker);
	event_freep_(&m->ev_sigterm);
	event_freep_(&m->ev_sigint);
	event_freep_(&m->ev_sighup);
	if (m->base)
		event_base_free(m->base);
	m->actuator = actuator_free(m->actuator);
	m->cgroups = cgroup_set_free(m->cgroups);
	for (unsigned i = 0; i < m->n_nodes; i++) {
		zoneinfo_reader_free(m->nodes[i].reader);
		buddyinfo_reader_close(&m->nodes[i].buddy);
		free(m->nodes[i].buddy_snapshot);
		pthread_mutex_destroy(&m->nodes[i].shrink_lock);
	}
	free(m->nodes);
	zoneinfo_reader_free(m->zi_reader);
	free(m->zi);
	buddyinfo_reader_close(&m->monitor_buddy);
	node_reclaim_reader_close(&m->node_reclaim_reader);
	free(m->monitor_buddy_snapshot);
	psi_reader_free(m->psi);
	safe_close(m->psi_trigger_fd);
	safe_close(m->worker_efd);
	safe_close(m->inotify_fd);
	ring_free(m->events);
	notify_free(m->notify);
	conf_free(m->conf);
	json_object_put(m->stats_baseline);
	pthread_mutex_destroy(&m->worker_lock);
	pthread_cond_destroy(&m->worker_cond);
	pthread_mutex_destroy(&m->cgroup_shrink_lock);
	free(m);
	return NULL;
}

/* ---- --inspect: what the daemon would start with, without starting ---- */

/* The candidates as the `cgroups` reply would show them: the same row, from
 * a bare walk (no actuator yet), listing the nodes that hold their memory. */
static struct json_object *inspect_cgroups(struct cgroup_set *s, bool swap)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; s && a && i < s->n_cgroups; i++) {
		struct cgroup_candidate *cg = s->cgroups[i];
		struct actuator_cgroup_info info;
		char buf[4096];
		struct memstat_numa numa;
		struct cgroup_state st;
		int ids[MEMSTAT_MAX_NODES];
		unsigned n_ids = 0;

		/* No other thread yet: published without a lock. */
		if (cgroup_read_state(cg, buf, sizeof(buf), &numa, &st) >= 0)
			cgroup_state_publish(&cg->state, &st);
		actuator_cgroup_info_fill(cg, &info);
		for (int n = 0; n < MEMSTAT_MAX_NODES; n++)
			if (info.node_file_bytes[n] || info.node_anon_bytes[n])
				ids[n_ids++] = n;
		json_object_array_add(a, manager_cgroup_json(&info, ids, n_ids, swap));
	}
	return a;
}

static struct json_object *inspect_watermarks(const char *root, const struct balance_params *p)
{
	struct zoneinfo_reader *r = NULL;
	struct json_object *a = json_object_new_array();
	_cleanup_free_ struct zoneinfo *zi = calloc(1, sizeof(*zi));

	if (!a || !zi || zoneinfo_reader_open(root, &r) < 0 || zoneinfo_reader_read(r, zi) < 0) {
		zoneinfo_reader_free(r);
		return a;
	}
	for (unsigned i = 0; i < zi->n_nodes; i++) {
		const struct node_zoneinfo *n = &zi->nodes[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "node", json_object_new_int(n->id));
		json_object_object_add(
			o, "balanced",
			json_object_new_boolean(watermark_node_balanced(n, WATERMARK_ZONEIDX_ALL, &p->wmark)));
		json_object_object_add(
			o, "below_low",
			json_object_new_boolean(watermark_node_below_low(n, WATERMARK_ZONEIDX_ALL, &p->wmark)));
		json_object_object_add(o, "zones", manager_zones_json(n, &p->wmark));
		json_object_array_add(a, o);
	}
	zoneinfo_reader_free(r);
	return a;
}

int manager_inspect(const char *root, const struct conf *conf, struct json_object *j)
{
	struct cgroup_config cc = {
		.root = root,
		.skip_fs_check = !root_is_host(root),
		.policy = conf_cgroup_policy_cb,
		.policy_userdata = (void *)conf,
		/* --inspect runs from an operator's shell, whose cgroup is
		 * not the daemon's: none is left out (the running daemon
		 * leaves out its own). */
		.self_file = "",
	};
	struct feature_config fc = { .root = root };
	struct cgroup_set *s = NULL;
	struct balance_params p;
	struct features f = {};
	int r;

	params_from_conf(conf_reclaim(conf), true, false, &p);
	r = cgroup_set_new(&cc, &s);
	if (r < 0 && r != -ENOMEDIUM)
		log_warning_errno(r, "Failed to read the cgroup v2 hierarchy: %m");
	fc.cgroup_mount = s ? s->mount : NULL;
	if (feature_probe(&fc, &f) >= 0)
		json_object_object_add(j, "features", feature_to_json(&f));
	json_object_object_add(j, "cgroups", inspect_cgroups(s, f.swap));
	json_object_object_add(j, "watermarks", inspect_watermarks(root, &p));
	cgroup_set_free(s);
	return 0;
}
