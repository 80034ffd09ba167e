/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The manager: reclaimd's glue. It owns the libevent loop (timers, signals,
 * the PSI trigger fd, the control socket) and the long-lived objects, and
 * wires the readers, the kswapd engine and the actuators together. It makes
 * no reclaim decision itself: those are in watermark.c, balance.c and
 * target.c.
 *
 * manager.c	lifecycle, the watermark monitor, PSI, timers, signals
 * manager-ctl.c	the control commands and the JSON the daemon reports
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "actuator.h"
#include "buddyinfo.h"
#include "balance.h"
#include "cgroup.h"
#include "conf.h"
#include "ctl-prometheus.h"
#include "metrics-file.h"
#include "ctl-server.h"
#include "feature.h"
#include "kswapd.h"
#include "nodereclaim.h"
#include "notify.h"
#include "psi.h"
#include "ring.h"
#include "topology.h"
#include "zoneinfo.h"

struct event;
struct event_base;

struct manager_options {
	const char *root;        /* "" for this host, else a fixture tree */
	const char *socket_path; /* overrides [Control] Socket= */
	bool dry_run;            /* --dry-run: overrides DryRun= */
	/* Test hook: the actuator's reclaim-file writes (actuator_config
	 * .write); NULL = pwrite(). */
	ssize_t (*actuator_write)(void *userdata, int fd, const char *buf, size_t n);
	void *hook_userdata;
};

/* What a node thread needs that is its own: a zoneinfo reader (kept fd,
 * buffer and scratch to parse its node into), so that no two threads share
 * one. */
struct manager_node {
	int id;
	struct zoneinfo_reader *reader;
	/* /proc/buddyinfo for the compaction step (fd -1 where absent). */
	struct buddyinfo_reader buddy;
	struct buddyinfo *buddy_snapshot;
	/* Serialises the actuator's per-node scratch between the node thread
	 * and an operator's `reclaimctl reclaim node` on the same node. */
	pthread_mutex_t shrink_lock;
	/* No copy of the node's reclaim params ([Reclaim] with its [Node N]
	 * overrides): the engine holds them under its own lock for the node
	 * thread, and the loop asks it (kswapd_get_node_params()). */
	/* The node's last wake (status): written by its thread as it pushes
	 * the wake (manager_kswapd_event()), atomically. */
	unsigned last_wake_reasons;
	struct balance_run_log run_log; /* routine runs' lines (loop only) */
	bool hopeless_reported;
	bool braked; /* last shrink under the system brake (stopped or cut) */
	uint64_t psi_boost_bytes; /* PSIBoost= with [Node N] (loop only) */
};

/* An operator's reclaim, run on the control worker thread (memory.reclaim
 * is synchronous and can take seconds: never on the event loop). */
struct manager_job {
	struct ctl_call *call;
	struct shrink_request req;
	char cgroup[CGROUP_PATH_MAX];
	bool has_swappiness;
	struct shrink_result res;
	int r;
	uint64_t duration_usec;
};

struct manager {
	struct event_base *base;
	struct manager_options opts;
	char root[4096];
	char socket_path[4096];
	bool dry_run;
	/* Dry-run whatever the config says: the kernel lacks what reclaim
	 * needs (feature_missing()); DryRun=no is then refused. */
	const char *dry_run_forced;
	/* The daemon's pause (pause/resume, [Reclaim] Paused=), kept only
	 * here. A node's own Paused= is the config's (conf_node_paused()); the
	 * node threads' freezer (kswapd_pause()) follows from the two in
	 * manager_set_paused(), which also tells the actuator which nodes
	 * offload and the other nodes' memory.reclaim writes must spare
	 * (actuator_set_paused_nodes()). */
	bool paused;
	uint64_t start_usec, stats_since_usec;
	uint64_t start_realtime_usec; /* reclaimd_start_time_seconds */
	/* Counter values at the last `stats --reset`: "since_reset" is the
	 * value minus these; the exported "value" is never reset. */
	struct json_object *stats_baseline;
	/* MetricsFile=: the file written, and the last write's result so
	 * that a failure is logged once, not every 5 s. */
	struct metrics_file metrics;
	int metrics_error;
	/* Dry run: the last summary line (one a minute at most). */
	struct balance_dry_run_summary dry_run_summary;

	struct conf *conf;
	struct topology topology;
	struct features features;
	struct cgroup_set *cgroups;
	struct actuator *actuator;
	struct kswapd *kswapd;
	struct manager_node *nodes;
	unsigned n_nodes;

	/* The watermark monitor's own readers and snapshot: the whole of
	 * zoneinfo at most MonitorIntervalMax apart, each zone's free pages
	 * from buddyinfo on every tick (fd -1 where absent: zoneinfo each
	 * tick). monitor_tick() says why. */
	struct zoneinfo_reader *zi_reader;
	struct zoneinfo *zi;
	struct buddyinfo_reader monitor_buddy;
	struct buddyinfo *monitor_buddy_snapshot;
	/* The kernel's node-reclaim minimums (vm.min_unmapped_ratio & co.),
	 * read at start where a node has its reclaim file and again with
	 * each whole zoneinfo read; node_reclaim.known false: not read (fds
	 * -1 where not open). */
	struct node_reclaim_reader node_reclaim_reader;
	struct node_reclaim_limits node_reclaim;
	uint64_t monitor_zoneinfo_usec; /* the last whole read, 0: none */
	bool monitor_buddy_failed; /* the last read of it failed (logged once) */
	uint64_t monitor_interval_usec;
	uint64_t nr_monitor_ticks, nr_monitor_zoneinfo_reads, nr_monitor_errors;
	int monitor_error; /* of the last zoneinfo read, 0 = fine (for the log) */

	/* PSI: a kernel trigger where accepted, else polling total deltas. */
	struct psi_reader *psi;
	struct brake_poll psi_poll;      /* polling: brake_poll_update() */
	struct psi_event_check psi_event; /* trigger: psi_event_check() */
	int psi_trigger_fd;
	struct conf_psi_trigger psi_armed; /* the trigger in force */
	bool psi_available, psi_polling;
	uint64_t nr_psi_events;
	uint64_t nr_psi_events_ignored; /* trigger events without the stall */

	struct ring *events;
	struct ctl_server *ctl;
	struct notify *notify;
	bool watchdog_withheld;

	/* The control worker. */
	pthread_t worker;
	bool worker_started;
	pthread_mutex_t worker_lock;
	pthread_cond_t worker_cond;
	struct manager_job *job;       /* queued or running, one at a time */
	bool job_done, worker_stop;
	int worker_efd;

	/* The offload thread (Offload=yes cgroups). m->dry_run is read there:
	 * the loop stores it atomically. The nodes offload must not take from
	 * are the actuator's (actuator_set_paused_nodes()). */
	pthread_t offload;
	bool offload_started, offload_stop;
	/* A walk may have brought an Offload=yes cgroup (under offload_lock):
	 * an idle offload thread looks again (manager_offload_kick()). */
	bool offload_kick, offload_idle;
	/* Serialises the actuator's cgroup-wide context between the offload
	 * thread and an operator's `reclaimctl reclaim cgroup`. */
	pthread_mutex_t cgroup_shrink_lock;
	pthread_mutex_t offload_lock;
	pthread_cond_t offload_cond; /* CLOCK_MONOTONIC */
	uint64_t nr_offload_passes;

	/* New and removed cgroups: inotify on the cgroup directories (mkdir
	 * and rmdir on cgroupfs go through vfs_mkdir()/vfs_rmdir(), which
	 * notify), debounced into a rescan. */
	int inotify_fd;
	uint64_t nr_rescans, nr_inotify_events;
	uint64_t cgroups_added_seen;     /* cgroups->nr_scans_added told kswapd */
	/* The [CGroup] sections last found setting keys that reach no
	 * candidate (check_cgroup_sections()), as a hash: told once per
	 * change, and again after a reload. */
	uint64_t sections_above_leaves_hash;

	struct event *ev_monitor, *ev_rescan, *ev_watchdog, *ev_status, *ev_inotify, *ev_brakes;
	struct event *ev_ring, *ev_psi, *ev_worker;
	/* While the drain handles a record, its time (realtime): what the
	 * events it leads to are stamped with (manager_broadcast()). */
	uint64_t event_realtime_usec;
	struct event *ev_sigterm, *ev_sigint, *ev_sighup;
	int exit_code;
};

int manager_new(const struct manager_options *opts, struct conf *conf, struct manager **ret);
struct manager *manager_free(struct manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct manager *, manager_free);
int manager_run(struct manager *m);

/* Detected state as one JSON object: --inspect adds it to the readers'. */
int manager_inspect(const char *root, const struct conf *conf, struct json_object *j);

/* manager.c, for manager-ctl.c */
int manager_reload(struct manager *m, char *err, size_t errlen, struct json_object **ret_changed);
/* The longest the watermark monitor sleeps: the MonitorIntervalMax= in
 * force (the smallest over the node threads' params). */
uint64_t manager_monitor_interval_cap(struct manager *m);
int manager_apply_conf(struct manager *m);
/* The same, with the reason a config cannot be applied in err. */
int manager_apply_conf_err(struct manager *m, char *err, size_t errlen);
void manager_set_paused(struct manager *m, bool paused);
struct manager_node *manager_node(struct manager *m, int id);
int manager_start_job(struct manager *m, struct manager_job *job);

/* manager-ctl.c */
extern const struct ctl_handler manager_ctl_handler;
struct json_object *manager_status_json(struct manager *m);
struct json_object *manager_nodes_json(struct manager *m);
/* One node's populated zones with the kernel's and reclaimd's marks, in pages
 * and bytes: the `nodes` reply and `--inspect` print this one shape. */
struct json_object *manager_zones_json(const struct node_zoneinfo *n,
				      const struct watermark_params *wp);
/* One candidate as the `cgroups` reply and `--inspect` print it; node_ids
 * are the nodes to list (each < MEMSTAT_MAX_NODES), swap whether anon counts
 * as reclaimable. */
struct json_object *manager_cgroup_json(const struct actuator_cgroup_info *v, const int *node_ids,
					unsigned n_nodes, bool swap);
struct json_object *manager_stats_json(struct manager *m);
void manager_stats_reset(struct manager *m);
void manager_broadcast(struct manager *m, struct json_object *event);
/* The daemon's event loop: epoll, edge triggers, timers on the precise
 * monotonic clock (one wakeup a timer). NULL where that cannot be had. */
struct event_base *manager_event_base_new(void);
/* ctl_handler.subscribers_changed: the event ring is lazy while no watch
 * client is connected (manager_kswapd_event()). */
void manager_subscribers_changed(void *userdata, unsigned n);
void manager_config_event(struct manager *m, struct json_object *changed);
struct json_object *manager_event_json(struct manager *m, const struct kswapd_event *ev);
struct json_object *manager_offload_write_json(const struct actuator_offload_write *w);
void manager_status_line(struct manager *m, char *buf, size_t size);
void manager_job_finish(struct manager *m, struct manager_job *job);
