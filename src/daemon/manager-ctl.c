/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's side of the control protocol: each command of ctl-proto.h
 * answered from the manager's state, in the reply schemas of
 * docs/protocol.md. Runs on the event loop; the one slow command (reclaim)
 * is handed to the control worker and answered when it is done.
 */

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "target.h"
#include "util.h"
#include "watermark.h"

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void jadd_u64(struct json_object *o, const char *key, uint64_t v)
{
	jadd(o, key, json_object_new_uint64(v));
}

static void jadd_str(struct json_object *o, const char *key, const char *v)
{
	jadd(o, key, v ? json_object_new_string(v) : NULL);
}

static void jadd_bool(struct json_object *o, const char *key, bool v)
{
	jadd(o, key, json_object_new_boolean(v));
}

static const char *manager_mode(const struct manager *m)
{
	return m->paused ? "paused" : m->dry_run ? "dry-run" : "running";
}

/* The unit of zoneinfo's counts, as the engine's watermarks take it. */
static uint64_t page_size(const struct manager *m)
{
	struct balance_params p;

	kswapd_get_params(m->kswapd, &p);
	return p.wmark.page_size;
}

/* The first reason of a wake mask, as the protocol names it. */
static const char *wake_reason_name(unsigned reasons)
{
	static const char *const names[_BALANCE_WAKE_REASON_MAX] = {
		[BALANCE_WAKE_WATERMARK] = "watermark",
		[BALANCE_WAKE_PSI] = "psi",
		[BALANCE_WAKE_MANUAL_RECLAIM] = "manual",
		[BALANCE_WAKE_BOOST] = "boost",
		[BALANCE_WAKE_KERNEL_BOOST] = "kernel-boost",
	};

	for (unsigned i = 0; i < _BALANCE_WAKE_REASON_MAX; i++)
		if (reasons & (1u << i))
			return names[i];
	return NULL;
}

/* spread_priority of a node pass's result: null where it spread nothing. */
static void jadd_spread(struct json_object *o, const struct shrink_result *res)
{
	if (res->spread)
		jadd_u64(o, "spread_priority", res->spread_priority);
	else
		jadd(o, "spread_priority", NULL);
}

/* A node's pcp_share (balance.h) in thousandths, as nodes and stats say it. */
static uint64_t pcp_share_permille(const struct kswapd_state *st)
{
	return (uint64_t)st->pcp_share * 1000 / BALANCE_PCP_SHARE_ONE;
}

/* Every reason of a run, in wake_reason_name()'s order: an array. */
static void jadd_reasons(struct json_object *o, const char *key, unsigned reasons)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; a && i < _BALANCE_WAKE_REASON_MAX; i++)
		if (reasons & (1u << i))
			json_object_array_add(a, json_object_new_string(wake_reason_name(1u << i)));
	json_object_object_add(o, key, a);
}

/* Node totals over managed zones: free, userspace low/high, kernel boost. */
struct node_sums {
	uint64_t free, low, high, kernel_boost;
};

/* The watermark params of a node ([Node N] overrides included), from the
 * engine, which reload and set keep current; the engine-wide ones for a
 * node without a thread. */
static struct watermark_params node_wmark(struct manager *m, int id)
{
	struct balance_params p;

	if (kswapd_get_node_params(m->kswapd, id, &p) < 0)
		kswapd_get_params(m->kswapd, &p);
	return p.wmark;
}

static void node_sums(struct manager *m, const struct node_zoneinfo *n,
		      struct node_sums *ret)
{
	struct watermark_params wp = node_wmark(m, n ? n->id : -1);
	struct node_sums s = {};

	for (unsigned z = 0; n && z < n->n_zones; z++) {
		const struct zone_stat *zs = &n->zones[z];
		struct zone_watermarks w;

		if (zs->managed == 0)
			continue;
		watermark_zone(zs, &wp, &w);
		s.free = u64_add_sat(s.free, zs->free);
		s.low = u64_add_sat(s.low, w.low);
		s.high = u64_add_sat(s.high, w.high);
		s.kernel_boost = u64_add_sat(s.kernel_boost, zs->boost);
	}
	*ret = s;
}

static int node_state(struct manager *m, unsigned i, struct kswapd_state *ret)
{
	return kswapd_get_state(m->kswapd, i, ret);
}

/* ---- status ---- */

static struct json_object *actuators_json(const struct manager *m)
{
	struct json_object *a = json_object_new_array();

	if (m->features.node_reclaim)
		json_object_array_add(a, json_object_new_string("node-file"));
	if (m->features.cgroup2_memory && m->features.memory_reclaim)
		json_object_array_add(a, json_object_new_string("memory.reclaim"));
	return a;
}

/* The kernel's node-reclaim minimums that node-file passes are judged by
 * (target_node_file_gated()), as last read; null while unknown. */
static struct json_object *node_reclaim_limits_json(const struct manager *m)
{
	struct json_object *o;

	if (!m->node_reclaim.known)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	jadd_u64(o, "min_unmapped_ratio", m->node_reclaim.min_unmapped_ratio);
	jadd_u64(o, "min_slab_ratio", m->node_reclaim.min_slab_ratio);
	jadd_u64(o, "zone_reclaim_mode", m->node_reclaim.zone_reclaim_mode);
	return o;
}

struct json_object *manager_status_json(struct manager *m)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();
	uint64_t ps = page_size(m);
	struct features f;

	if (!o || !nodes) {
		json_object_put(o);
		json_object_put(nodes);
		return NULL;
	}
	actuator_features(m->actuator, &f);
	jadd_str(o, "version", PACKAGE_VERSION);
	jadd_u64(o, "protocol", CTL_PROTOCOL_VERSION);
	jadd_u64(o, "pid", (uint64_t)getpid());
	jadd_u64(o, "uptime_usec", now_usec() - m->start_usec);
	jadd_str(o, "mode", manager_mode(m));
	jadd_bool(o, "dry_run", m->dry_run);
	jadd(o, "features", feature_to_json(&f));
	jadd(o, "actuators", actuators_json(m));
	jadd(o, "node_reclaim_limits", node_reclaim_limits_json(m));
	for (unsigned i = 0; i < m->n_nodes; i++) {
		struct json_object *n = json_object_new_object();
		struct kswapd_state st;
		struct node_sums s;

		if (!n || node_state(m, i, &st) < 0) {
			json_object_put(n);
			continue;
		}
		node_sums(m, zoneinfo_node(m->zi, m->nodes[i].id), &s);
		jadd_u64(n, "node", (uint64_t)st.node);
		jadd_str(n, "state", kswapd_thread_state_to_string(st.state));
		jadd_u64(n, "priority", (uint64_t)st.priority);
		jadd_u64(n, "free_bytes", u64_mul_sat(s.free, ps));
		jadd_u64(n, "low_bytes", u64_mul_sat(s.low, ps));
		jadd_u64(n, "high_bytes", u64_mul_sat(s.high, ps));
		jadd_u64(n, "boost_bytes", st.boost_ledger_bytes + st.pending.boost_bytes);
		jadd_u64(n, "failures", st.failures);
		json_object_array_add(nodes, n);
	}
	jadd(o, "nodes", nodes);
	return o;
}

void manager_status_line(struct manager *m, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	k = snprintf(buf, size, "%s, %u node%s", manager_mode(m), m->n_nodes,
		     m->n_nodes == 1 ? "" : "s");
	n = k > 0 ? MIN((size_t)k, size - 1) : 0;
	for (unsigned i = 0; i < m->n_nodes && n + 1 < size; i++) {
		char free_s[FORMAT_BYTES_MAX], high_s[FORMAT_BYTES_MAX];
		struct kswapd_state st;
		struct node_sums s;

		if (node_state(m, i, &st) < 0)
			continue;
		node_sums(m, zoneinfo_node(m->zi, m->nodes[i].id), &s);
		k = snprintf(buf + n, size - n, "; node%d %s free %s/%s", st.node,
			     kswapd_thread_state_to_string(st.state),
			     format_bytes(free_s, sizeof(free_s), u64_mul_sat(s.free, page_size(m))),
			     format_bytes(high_s, sizeof(high_s), u64_mul_sat(s.high, page_size(m))));
		n += k > 0 ? MIN((size_t)k, size - 1 - n) : 0;
	}
}

/* ---- nodes ---- */

/* The pacing measure (balance.h: struct balance_pace). */
static struct json_object *pace_json(const struct balance_pace *pc, uint64_t page_size)
{
	struct json_object *o = json_object_new_object();
	double rate = pc->rate * (double)page_size;

	if (!o)
		return NULL;
	jadd_u64(o, "lead_bytes", u64_mul_sat(pc->pages, page_size));
	json_object_object_add(o, "consumption_bytes_per_sec",
			       json_object_new_int64(rate > (double)INT64_MAX   ? INT64_MAX
						     : rate < (double)INT64_MIN ? INT64_MIN
										: (int64_t)rate));
	return o;
}

/* Passes by what decided whether they may swap (balance_swappiness()). */
static struct json_object *swap_decisions_json(const struct balance_counters *c)
{
	struct json_object *o = json_object_new_object();

	for (unsigned r = 0; o && r < _BALANCE_SWAP_REASON_MAX; r++)
		jadd_u64(o, balance_swap_reason_to_string(r), c->swap_decisions[r]);
	return o;
}

/* Runs by how they ended (the "end" of run_end events). */
static struct json_object *runs_ended_json(const struct balance_counters *c)
{
	struct json_object *o = json_object_new_object();

	for (unsigned r = 0; o && r < _BALANCE_END_REASON_MAX; r++)
		jadd_u64(o, balance_end_reason_to_string(r), c->runs_ended[r]);
	return o;
}

static struct json_object *counters_json(const struct balance_counters *c)
{
	struct json_object *o = json_object_new_object();
	uint64_t wakes = 0, reclaimed = 0;

	for (unsigned i = 0; i < _BALANCE_WAKE_REASON_MAX; i++)
		wakes += c->wakes[i];
	for (unsigned p = 0; p <= DEF_PRIORITY; p++)
		reclaimed += c->reclaimed_bytes[p];
	jadd_u64(o, "wakes", wakes);
	jadd_u64(o, "wakes_ignored_hopeless", c->wakes_ignored_hopeless);
	jadd_u64(o, "wakes_paced", c->wakes_paced);
	jadd_u64(o, "runs", c->runs);
	jadd_u64(o, "runs_braked", c->braked);
	jadd(o, "runs_ended", runs_ended_json(c));
	jadd_u64(o, "brake_cut_passes", c->brake_cut_passes);
	jadd_u64(o, "snapshots", c->snapshots);
	jadd_u64(o, "zone_free_reads", c->zone_free_reads);
	jadd_u64(o, "zone_free_unused", c->zone_free_unused);
	jadd_u64(o, "compactions_boost", c->compactions[COMPACT_BOOST]);
	jadd_u64(o, "compactions_fragmented", c->compactions[COMPACT_FRAGMENTED]);
	jadd_u64(o, "compact_errors", c->compact_errors);
	jadd_u64(o, "pcp_observations", c->pcp_observations);
	jadd_u64(o, "reclaimed_bytes", reclaimed);
	jadd_u64(o, "reclaimed_elsewhere_bytes", c->reclaimed_elsewhere_bytes);
	jadd_u64(o, "soft_reclaimed_bytes", c->soft_reclaimed_bytes);
	jadd_u64(o, "boost_reclaimed_bytes", c->boost_reclaimed_bytes);
	jadd_u64(o, "boost_restarts", c->boost_restarts);
	jadd(o, "swap_decisions", swap_decisions_json(c));
	jadd_u64(o, "shrink_errors", c->shrink_errors);
	jadd_u64(o, "failures", c->failures);
	jadd_u64(o, "hopeless", c->hopeless);
	jadd_u64(o, "low_wmark_hit_quickly", c->low_wmark_hit_quickly);
	jadd_u64(o, "high_wmark_hit_quickly", c->high_wmark_hit_quickly);
	jadd_u64(o, "full_sleeps", c->full_sleeps);
	jadd_u64(o, "last_run_usec", c->last_run_usec);
	return o;
}

struct json_object *manager_zones_json(const struct node_zoneinfo *n,
				      const struct watermark_params *wp)
{
	struct json_object *a = json_object_new_array();
	uint64_t ps = wp->page_size;

	for (unsigned z = 0; a && n && z < n->n_zones; z++) {
		const struct zone_stat *zs = &n->zones[z];
		struct json_object *o;
		struct zone_watermarks w;

		if (zs->managed == 0)
			continue;
		o = json_object_new_object();
		watermark_zone(zs, wp, &w);
		jadd_str(o, "zone", zs->name);
		jadd_u64(o, "free_bytes", u64_mul_sat(zs->free, ps));
		jadd_u64(o, "min_bytes", u64_mul_sat(zs->min, ps));
		jadd_u64(o, "low_bytes", u64_mul_sat(zs->low, ps));
		jadd_u64(o, "high_bytes", u64_mul_sat(zs->high, ps));
		jadd_u64(o, "user_low_bytes", u64_mul_sat(w.low, ps));
		jadd_u64(o, "user_high_bytes", u64_mul_sat(w.high, ps));
		jadd_u64(o, "boost_bytes", u64_mul_sat(zs->boost, ps));
		jadd_u64(o, "managed_bytes", u64_mul_sat(zs->managed, ps));
		/* The same in pages, as /proc/zoneinfo prints them. */
		jadd_u64(o, "free", zs->free);
		jadd_u64(o, "min", zs->min);
		jadd_u64(o, "low", zs->low);
		jadd_u64(o, "high", zs->high);
		jadd_u64(o, "headroom", w.headroom);
		jadd_u64(o, "user_low", w.low);
		jadd_u64(o, "user_high", w.high);
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *manager_nodes_json(struct manager *m)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();

	for (unsigned i = 0; o && nodes && i < m->n_nodes; i++) {
		const struct node_zoneinfo *nz = zoneinfo_node(m->zi, m->nodes[i].id);
		struct json_object *n = json_object_new_object(), *b = json_object_new_object();
		struct watermark_params wp = node_wmark(m, m->nodes[i].id);
		struct kswapd_state st;
		struct node_sums s;

		if (!n || !b || node_state(m, i, &st) < 0) {
			json_object_put(n);
			json_object_put(b);
			continue;
		}
		node_sums(m, nz, &s);
		jadd_u64(n, "node", (uint64_t)st.node);
		jadd_str(n, "state", kswapd_thread_state_to_string(st.state));
		jadd_u64(n, "priority", (uint64_t)st.priority);
		jadd_str(n, "wake_reason",
			 wake_reason_name(__atomic_load_n(&m->nodes[i].last_wake_reasons,
							  __ATOMIC_RELAXED)));
		jadd_u64(n, "failures", st.failures);
		jadd_bool(n, "hopeless", st.hopeless);
		jadd_bool(n, "paused", st.paused);
		jadd_u64(n, "empty_runs", st.empty_runs);
		jadd_u64(n, "hold_usec", st.hold_usec);
		jadd_u64(n, "pcp_share_permille", pcp_share_permille(&st));
		jadd_u64(b, "kernel_bytes", u64_mul_sat(s.kernel_boost, page_size(m)));
		jadd_u64(b, "user_bytes", st.boost_ledger_bytes);
		jadd_u64(b, "pending_bytes", st.pending.boost_bytes);
		jadd(n, "boost", b);
		jadd(n, "pace", pace_json(&st.pace, page_size(m)));
		jadd(n, "counters", counters_json(&st.counters));
		jadd(n, "zones", manager_zones_json(nz, &wp));
		json_object_array_add(nodes, n);
	}
	if (!o || !nodes) {
		json_object_put(o);
		json_object_put(nodes);
		return NULL;
	}
	jadd(o, "nodes", nodes);
	return o;
}

/* ---- cgroups ---- */

struct json_object *manager_cgroup_json(const struct actuator_cgroup_info *v, const int *node_ids,
					unsigned n_nodes, bool swap)
{
	struct json_object *c = json_object_new_object(), *nodes = json_object_new_array();
	char path[CGROUP_PATH_MAX + 1];
	uint64_t total = 0;

	for (unsigned k = 0; k < n_nodes; k++) {
		int id = node_ids[k];
		struct json_object *nn = json_object_new_object();
		uint64_t b = v->node_file_bytes[id] + (swap ? v->node_anon_bytes[id] : 0);

		total += b;
		jadd_u64(nn, "node", (uint64_t)id);
		jadd_u64(nn, "reclaimable_bytes", b);
		json_object_array_add(nodes, nn);
	}
	snprintf(path, sizeof(path), "/%s", v->path);
	jadd_str(c, "path", path);
	jadd_u64(c, "current_bytes", v->current_bytes);
	jadd_u64(c, "reclaimable_bytes", total);
	jadd(c, "nodes", nodes);
	jadd_u64(c, "floor_bytes", v->floor_bytes);
	jadd_u64(c, "protection_bytes", v->protection_bytes);
	jadd_bool(c, "protected", v->policy.protect);
	jadd_u64(c, "weight", v->policy.weight ? v->policy.weight : 100);
	jadd_u64(c, "soft_target_bytes", v->policy.soft_target_bytes);
	jadd_u64(c, "requested_bytes", v->acct.requested_bytes);
	jadd_u64(c, "reclaimed_bytes", v->acct.reclaimed_bytes);
	jadd_u64(c, "partial", v->acct.nr_partial);
	jadd_u64(c, "pressure_some_total_usec", v->pressure_some_total_usec);
	jadd(c, "pressure_some_avg10", json_object_new_double(v->pressure_some_avg10 / 100.0));
	jadd(c, "pressure_full_avg10", json_object_new_double(v->pressure_full_avg10 / 100.0));
	jadd_bool(c, "braked", v->braked);
	jadd_str(c, "brake_reason", v->braked ? "pressure" : NULL);
	jadd_bool(c, "gone", v->gone);
	jadd_bool(c, "offload", v->policy.offload);
	jadd_str(c, "offload_state", v->policy.offload && v->offload.started
					     ? offload_state_to_string(offload_shown_kind(&v->offload))
					     : NULL);
	jadd_u64(c, "working_set_bytes", v->offload.wss_bytes);
	jadd_u64(c, "offload_stall_usec", v->offload.stall_usec);
	jadd_u64(c, "offload_target_usec", v->policy.offload ? v->policy.offload_params.target_usec : 0);
	jadd_u64(c, "offload_requested_bytes", v->offload_requested_bytes);
	jadd_u64(c, "offload_reclaimed_bytes", v->offload_reclaimed_bytes);
	jadd_u64(c, "offload_backoffs", v->offload.nr_backoffs);
	jadd_u64(c, "offload_refaulting", v->offload.nr_refaulting);
	jadd_u64(c, "offload_refault_bytes", v->offload.refault_bytes);
	jadd_u64(c, "offload_swapin_bytes", v->offload.swapin_bytes);
	return c;
}

static int cgroups_json(struct manager *m, struct json_object **ret)
{
	_cleanup_free_ struct actuator_cgroup_info *v = NULL;
	struct json_object *o, *a;
	size_t n = 0;
	int r;

	r = actuator_refresh(m->actuator);
	if (r < 0)
		return r;
	r = actuator_cgroups(m->actuator, &v, &n);
	if (r < 0)
		return r;
	o = json_object_new_object();
	a = json_object_new_array();
	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int ids[MEMSTAT_MAX_NODES];
		unsigned n_ids = 0;

		for (unsigned k = 0; k < m->n_nodes; k++)
			if (m->nodes[k].id >= 0 && m->nodes[k].id < MEMSTAT_MAX_NODES)
				ids[n_ids++] = m->nodes[k].id;
		json_object_array_add(a, manager_cgroup_json(&v[i], ids, n_ids, m->features.swap));
	}
	jadd(o, "cgroups", a);
	*ret = o;
	return 0;
}

/* ---- stats ---- */

static void stat_add(struct json_object *a, const char *name, const char *type,
		     const char *help, int node, const char *label, const char *value,
		     uint64_t v)
{
	struct json_object *o = json_object_new_object(), *l = json_object_new_object();
	char buf[16];

	if (node >= 0) {
		snprintf(buf, sizeof(buf), "%d", node);
		jadd_str(l, "node", buf);
	}
	if (label)
		jadd_str(l, label, value);
	jadd_str(o, "name", name);
	jadd_str(o, "type", type);
	jadd_str(o, "help", help);
	jadd(o, "labels", l);
	jadd_u64(o, "value", v);
	json_object_array_add(a, o);
}

/* A value in seconds (Prometheus' base unit) from microseconds. */
static void stat_add_seconds_labeled(struct json_object *a, const char *name, const char *type,
				     const char *help, int node, const char *label,
				     const char *label_value, uint64_t usec)
{
	struct json_object *o;

	stat_add(a, name, type, help, node, label, label_value, 0);
	o = json_object_array_get_idx(a, json_object_array_length(a) - 1);
	jadd(o, "value", json_object_new_double((double)usec / USEC_PER_SEC));
}

static void stat_add_seconds(struct json_object *a, const char *name, const char *type,
			     const char *help, int node, uint64_t usec)
{
	stat_add_seconds_labeled(a, name, type, help, node, NULL, NULL, usec);
}

/* A histogram of durations: "buckets" [[le_seconds, cumulative]...] without
 * +Inf, "sum" seconds, "count" = "value" (docs/protocol.md). */
static void stat_add_histogram(struct json_object *a, const char *name, const char *help,
			       int node, const char *label, const char *value,
			       const struct histogram *h)
{
	struct json_object *o, *buckets = json_object_new_array();
	uint64_t count = histogram_cumulative(h, HISTOGRAM_BOUNDS);

	stat_add(a, name, "histogram", help, node, label, value, count);
	o = json_object_array_get_idx(a, json_object_array_length(a) - 1);
	for (unsigned b = 0; b < HISTOGRAM_BOUNDS; b++) {
		struct json_object *pair = json_object_new_array();

		json_object_array_add(pair, json_object_new_double(
						    (double)histogram_bounds_usec[b] / USEC_PER_SEC));
		json_object_array_add(pair, json_object_new_uint64(histogram_cumulative(h, b)));
		json_object_array_add(buckets, pair);
	}
	jadd(o, "buckets", buckets);
	jadd(o, "sum", json_object_new_double((double)__atomic_load_n(&h->sum_usec,
								       __ATOMIC_RELAXED) /
					      USEC_PER_SEC));
	jadd_u64(o, "count", count);
}

/* The actuator's counters of one context: a node's (node >= 0), or the
 * cgroup-wide one of offload and an operator's cgroup reclaim (label
 * context="cgroups"), so that a sum over the series is all of the
 * daemon's reclaim. */
static void stats_actuator(struct json_object *a, int node, const struct actuator_node_stats *as)
{
	const char *label = node < 0 ? "context" : NULL, *value = node < 0 ? "cgroups" : NULL;

	stat_add_histogram(a, "write_duration_seconds",
			   "Duration of writes to the kernel's reclaim files.", node, label, value,
			   &as->write_usec);
	stat_add(a, "actuator_requested_bytes_total", "counter",
		 "Bytes asked of the kernel's reclaim files.", node, label, value,
		 as->requested_bytes);
	stat_add(a, "actuator_reclaimed_bytes_total", "counter",
		 "Bytes measured as reclaimed by the actuators.", node, label, value,
		 as->reclaimed_bytes);
	stat_add(a, "actuator_writes_total", "counter", "Reclaim file writes.", node, label, value,
		 as->nr_writes);
	stat_add(a, "actuator_partial_total", "counter", "Writes answered EAGAIN (partial).", node,
		 label, value, as->nr_partial);
	stat_add(a, "actuator_errors_total", "counter", "Writes that failed.", node, label, value,
		 as->nr_errors);
	stat_add(a, "actuator_skipped_total", "counter",
		 "Times a pass left a candidate cgroup out or dropped it mid-pass: removed, "
		 "unreadable, braked, backing off from offload, or with memory on a paused node.",
		 node, label, value, as->nr_skipped);
	stat_add(a, "actuator_braked_total", "counter",
		 "Shrinks stopped by the system pressure brake.", node, label, value,
		 as->nr_braked);
	stat_add(a, "actuator_shrinks_total", "counter", "Reclaim requests served by the actuator.",
		 node, label, value, as->nr_shrinks);
	stat_add(a, "actuator_quota_waits_total", "counter",
		 "Waits for the rate quota's tokens (RateLimit=) before a write.", node, label,
		 value, as->nr_quota_waits);
	stat_add_seconds_labeled(a, "actuator_quota_wait_seconds_total", "counter",
				 "Time spent waiting for the rate quota's tokens.", node, label,
				 value, as->quota_wait_usec);
	stat_add(a, "actuator_quota_waits_cut_total", "counter",
		 "Quota waits of a run's node pass (a boost's) ended early: the node went below "
		 "reclaimd's own high marks meanwhile.",
		 node, label, value, as->nr_quota_waits_cut);
	stat_add(a, "actuator_quota_exempt_total", "counter",
		 "Node and soft-target passes below reclaimd's or the kernel's high marks that "
		 "went ahead without the rate quota's tokens for what the node lacked to them.",
		 node, label, value, as->nr_quota_exempt);
	stat_add(a, "actuator_quota_limited_total", "counter",
		 "Shrinks the rate quota let ask less than they wanted.", node, label,
		 value, as->nr_quota_limited);
}

static void stats_node(struct manager *m, unsigned i, struct json_object *a)
{
	struct actuator_node_stats as = {};
	struct kswapd_state st;
	struct node_sums s;
	uint64_t ps = page_size(m);
	int id = m->nodes[i].id;

	if (node_state(m, i, &st) < 0)
		return;
	(void)actuator_node_stats(m->actuator, id, &as);
	node_sums(m, zoneinfo_node(m->zi, id), &s);
	for (unsigned r = 0; r < _BALANCE_WAKE_REASON_MAX; r++)
		stat_add(a, "wakes_total", "counter", "Node thread wake-ups by reason.", id,
			 "reason", wake_reason_name(1u << r), st.counters.wakes[r]);
	stat_add(a, "runs_total", "counter", "balance_pgdat() runs (PAGEOUTRUN).", id, NULL,
		 NULL, st.counters.runs);
	for (unsigned r = 0; r < _BALANCE_END_REASON_MAX; r++)
		stat_add(a, "runs_ended_total", "counter", "Balance runs by how they ended.", id,
			 "end", balance_end_reason_to_string(r), st.counters.runs_ended[r]);
	/* The compactions after runs (docs/design.md, "What of `kswapd_order`
	 * is kept"): kcompactd's work in the kernel alone, so a CPU-per-page
	 * comparison sets it apart. */
	for (unsigned r = COMPACT_NONE + 1; r < _COMPACT_REASON_MAX; r++)
		stat_add(a, "compactions_total", "counter",
			 "Whole-node compaction writes after runs, by reason.", id, "reason",
			 compact_reason_to_string(r), st.counters.compactions[r]);
	stat_add(a, "compact_errors_total", "counter", "Compaction writes that failed.", id, NULL,
		 NULL, st.counters.compact_errors);
	stat_add(a, "brake_cut_passes_total", "counter",
		 "Node passes the system brake let on below the kernel's high marks, cut to what the node lacks to them.",
		 id, NULL, NULL, st.counters.brake_cut_passes);
	stat_add(a, "snapshots_total", "counter",
		 "Node thread reads of its zones: the whole of zoneinfo, or the free pages alone (buddyinfo) between passes.",
		 id, "kind", "zoneinfo", st.counters.snapshots);
	stat_add(a, "snapshots_total", "counter",
		 "Node thread reads of its zones: the whole of zoneinfo, or the free pages alone (buddyinfo) between passes.",
		 id, "kind", "free", st.counters.zone_free_reads);
	for (unsigned p = 1; p <= DEF_PRIORITY; p++) {
		char prio[8];

		snprintf(prio, sizeof(prio), "%u", p);
		stat_add(a, "passes_total", "counter", "Reclaim passes by priority.", id,
			 "priority", prio, st.counters.passes[p]);
		stat_add(a, "reclaimed_bytes_total", "counter",
			 "Bytes reclaimed by balance runs, by priority.", id, "priority", prio,
			 st.counters.reclaimed_bytes[p]);
	}
	for (unsigned r = 0; r < _BALANCE_SWAP_REASON_MAX; r++)
		stat_add(a, "swap_decisions_total", "counter",
			 "Reclaim passes by what decided whether they may swap.", id, "reason",
			 balance_swap_reason_to_string(r), st.counters.swap_decisions[r]);
	stat_add(a, "reclaimed_elsewhere_bytes_total", "counter",
		 "Of the bytes reclaimed by balance runs, those their memory.reclaim writes took "
		 "from other nodes.",
		 id, NULL, NULL, st.counters.reclaimed_elsewhere_bytes);
	stat_add(a, "boost_reclaimed_bytes_total", "counter",
		 "Bytes reclaimed while a boost was owed.", id, NULL, NULL,
		 st.counters.boost_reclaimed_bytes);
	stat_add(a, "failures_total", "counter", "Runs that reclaimed nothing.", id, NULL, NULL,
		 st.counters.failures);
	stat_add(a, "low_wmark_hit_quickly_total", "counter",
		 "Woken during the short sleep (KSWAPD_LOW_WMARK_HIT_QUICKLY).", id, NULL, NULL,
		 st.counters.low_wmark_hit_quickly);
	stat_add(a, "high_wmark_hit_quickly_total", "counter",
		 "Unbalanced after the short sleep (KSWAPD_HIGH_WMARK_HIT_QUICKLY).", id, NULL,
		 NULL, st.counters.high_wmark_hit_quickly);
	stat_add_seconds(a, "balance_seconds_total", "counter", "Time spent in balance runs.", id,
			 st.counters.total_run_usec);
	stat_add_histogram(a, "balance_duration_seconds", "Duration of balance runs.", id, NULL,
			   NULL, &st.counters.run_usec);
	stats_actuator(a, id, &as);
	stat_add(a, "actuator_cgroup_reads_total", "counter",
		 "Candidate cgroups read in full on the reclaim path (five files each).", id, NULL,
		 NULL, as.nr_cgroup_reads);
	stat_add(a, "actuator_guard_reads_total", "counter",
		 "Skipped candidate cgroups whose memory.pressure alone was read before the node file.",
		 id, NULL, NULL, as.nr_guard_reads);
	stat_add(a, "actuator_guards_calm_total", "counter",
		 "Node-file passes that read no skipped cgroup: no stall since all were read.", id,
		 NULL, NULL, as.nr_guards_calm);
	stat_add(a, "actuator_guaranteed_only_total", "counter",
		 "Node-file passes decided by guarantees alone: no candidate's usage read.", id,
		 NULL, NULL, as.nr_guaranteed_only);
	stat_add(a, "actuator_node_file_gated_total", "counter",
		 "Node-file passes sent to memory.reclaim without a write: the node's page cache "
		 "and slab at the kernel's node-reclaim minimums.",
		 id, NULL, NULL, as.nr_node_file_gated);
	stat_add(a, "actuator_node_file_gate_checks_total", "counter",
		 "Node-file passes judged so that were written anyway, at most one a minute, to "
		 "check the judgement.",
		 id, NULL, NULL, as.nr_node_file_gate_checks);
	stat_add(a, "actuator_node_file_gate_misses_total", "counter",
		 "Such checks whose write was answered in full: the judgement was wrong (three in "
		 "a row end it).",
		 id, NULL, NULL, as.nr_node_file_gate_misses);
	stat_add(a, "actuator_censuses_total", "counter",
		 "Reclaim passes that read every candidate cgroup.", id, NULL, NULL,
		 as.nr_censuses);
	stat_add(a, "actuator_deferred_reads_total", "counter",
		 "Full reads of candidate cgroups below a pass's priority's reach, read because "
		 "the plan over the others descended or fell short.",
		 id, NULL, NULL, as.nr_deferred_reads);
	stat_add(a, "free_bytes", "gauge", "Free memory of the node's managed zones.", id, NULL,
		 NULL, u64_mul_sat(s.free, ps));
	stat_add(a, "watermark_low_bytes", "gauge", "reclaimd's low watermark, summed over zones.",
		 id, NULL, NULL, u64_mul_sat(s.low, ps));
	stat_add(a, "watermark_high_bytes", "gauge",
		 "reclaimd's high watermark, summed over zones.", id, NULL, NULL, u64_mul_sat(s.high, ps));
	stat_add(a, "pace_lead_bytes", "gauge",
		 "Pacing lead added to both userspace marks of every zone (capped per zone).", id,
		 NULL, NULL, u64_mul_sat(st.pace.pages, ps));
	stat_add(a, "boost_bytes", "gauge", "Userspace boost owed.", id, NULL, NULL,
		 st.boost_ledger_bytes + st.pending.boost_bytes);
	stat_add(a, "consecutive_failures", "gauge", "Consecutive runs that reclaimed nothing.", id,
		 NULL, NULL, st.failures);
	stat_add(a, "hopeless", "gauge", "1 while the node is hopeless.", id, NULL, NULL,
		 st.hopeless);
	stat_add(a, "pcp_share_permille", "gauge",
		 "Share of the per-CPU list room a page-cache pass asks on top, as its freed pages "
		 "were seen to fill it (1000: all).",
		 id, NULL, NULL, pcp_share_permille(&st));
	stat_add(a, "empty_runs", "gauge",
		 "Consecutive kernel-balanced runs that freed nothing (each doubles the wait).", id,
		 NULL, NULL, st.empty_runs);
	stat_add_seconds(a, "hold_seconds", "gauge",
			 "The wait after the last braked or kernel-balanced run.", id, st.hold_usec);
}

/* The identity of a sample: its name and labels, as Prometheus sees it. */
static const char *sample_key(struct json_object *sample, char *buf, size_t size)
{
	struct json_object *name = NULL, *labels = NULL;

	json_object_object_get_ex(sample, "name", &name);
	json_object_object_get_ex(sample, "labels", &labels);
	snprintf(buf, size, "%s%s", json_object_get_string(name),
		 labels ? json_object_to_json_string_ext(labels, JSON_C_TO_STRING_PLAIN) : "");
	return buf;
}

/* Counters since the last reset, as "since_reset" beside the value: the
 * baseline by name and labels subtracted (gauges and histograms are left
 * alone). "value" itself is never reset: Prometheus counters only go up. */
static void stats_apply_baseline(struct json_object *counters, struct json_object *baseline)
{
	struct json_object *index = json_object_new_object();
	char key[512];

	for (size_t i = 0; index && i < json_object_array_length(baseline); i++) {
		struct json_object *b = json_object_array_get_idx(baseline, i), *v;

		if (json_object_object_get_ex(b, "value", &v))
			json_object_object_add(index, sample_key(b, key, sizeof(key)),
					       json_object_get(v));
	}
	for (size_t i = 0; index && i < json_object_array_length(counters); i++) {
		struct json_object *c = json_object_array_get_idx(counters, i), *type, *v, *base;
		uint64_t now, then;

		if (!json_object_object_get_ex(c, "type", &type) ||
		    !streq(json_object_get_string(type), "counter") ||
		    !json_object_object_get_ex(c, "value", &v) ||
		    !json_object_object_get_ex(index, sample_key(c, key, sizeof(key)), &base))
			continue;
		if (json_object_is_type(v, json_type_double)) {
			double d = json_object_get_double(v) - json_object_get_double(base);

			json_object_object_add(c, "since_reset", json_object_new_double(MAX(d, 0.0)));
			continue;
		}
		now = json_object_get_uint64(v);
		then = json_object_get_uint64(base);
		json_object_object_add(c, "since_reset",
				       json_object_new_uint64(now > then ? now - then : 0));
	}
	json_object_put(index);
}

/* Per-cgroup series only for candidates reclaim touched, and at most this
 * many, so that a host with thousands of cgroups does not explode the
 * series count; the rest are counted in cgroups_unexported. */
#define MANAGER_METRICS_CGROUPS_MAX 32

static void stats_cgroups(struct manager *m, struct json_object *a)
{
	_cleanup_free_ struct actuator_cgroup_info *v = NULL;
	size_t n = 0, exported = 0, left_out = 0;

	if (!m->actuator || actuator_cgroups(m->actuator, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[CGROUP_PATH_MAX + 1];

		if (v[i].acct.requested_bytes == 0 && !v[i].braked && !v[i].policy.offload)
			continue;
		if (exported == MANAGER_METRICS_CGROUPS_MAX) {
			left_out++;
			continue;
		}
		exported++;
		snprintf(path, sizeof(path), "/%s", v[i].path);
		stat_add(a, "cgroup_requested_bytes_total", "counter",
			 "Bytes asked of a cgroup's memory.reclaim.", -1, "cgroup", path,
			 v[i].acct.requested_bytes);
		stat_add(a, "cgroup_reclaimed_bytes_total", "counter",
			 "Bytes measured as reclaimed from a cgroup.", -1, "cgroup", path,
			 v[i].acct.reclaimed_bytes);
		stat_add(a, "cgroup_braked", "gauge", "1 while a cgroup's pressure brake holds.",
			 -1, "cgroup", path, v[i].braked);
		if (!v[i].policy.offload)
			continue;
		stat_add(a, "cgroup_offload_reclaimed_bytes_total", "counter",
			 "Bytes measured as reclaimed from a cgroup by Offload=.", -1, "cgroup",
			 path, v[i].offload_reclaimed_bytes);
		stat_add(a, "cgroup_offload_backoffs_total", "counter",
			 "Times a cgroup's offload controller backed off for a stall.", -1,
			 "cgroup", path,
			 v[i].offload.nr_backoffs);
		stat_add(a, "cgroup_offload_refaulting_total", "counter",
			 "Times a cgroup's offload controller saw a full step's worth "
			 "refaulted or swapped in in an interval and took none (refaulting).",
			 -1, "cgroup", path, v[i].offload.nr_refaulting);
		stat_add(a, "cgroup_offload_backoff", "gauge",
			 "1 while a cgroup's offload controller holds off (backoff or refaulting).",
			 -1, "cgroup", path,
			 offload_backing_off(&v[i].offload));
		stat_add(a, "cgroup_working_set_bytes", "gauge",
			 "Offload's working-set estimate of a cgroup.", -1, "cgroup", path,
			 v[i].offload.wss_bytes);
	}
	stat_add(a, "cgroups_unexported", "gauge",
		 "Cgroups reclaim touched but left out of the per-cgroup series (cap "
		 "reached).",
		 -1, NULL, NULL, left_out);
}

static struct json_object *stats_counters(struct manager *m)
{
	struct json_object *a = json_object_new_array();
	struct actuator_node_stats as;

	if (!a)
		return NULL;
	for (unsigned i = 0; i < m->n_nodes; i++)
		stats_node(m, i, a);
	if (m->actuator && actuator_cgroup_wide_stats(m->actuator, &as) >= 0)
		stats_actuator(a, -1, &as);
	stat_add(a, "monitor_ticks_total", "counter",
		 "Watermark monitor reads of free memory (buddyinfo, or zoneinfo).", -1, NULL, NULL,
		 m->nr_monitor_ticks);
	stat_add(a, "monitor_zoneinfo_reads_total", "counter",
		 "Watermark monitor reads of the whole of zoneinfo (marks, boosts, LRU sizes).", -1,
		 NULL, NULL, m->nr_monitor_zoneinfo_reads);
	stat_add_seconds(a, "monitor_interval_seconds", "gauge", "Current monitor interval.", -1,
			 m->monitor_interval_usec);
	stat_add(a, "psi_events_total", "counter", "Memory pressure wakes (trigger or polled).",
		 -1, NULL, NULL, m->nr_psi_events);
	stat_add(a, "psi_events_ignored_total", "counter",
		 "PSI trigger events not acted on: no stall behind them (the kernel's stale first window).",
		 -1, NULL, NULL, m->nr_psi_events_ignored);
	stat_add(a, "cgroup_rescans_total", "counter", "Walks of the cgroup tree.", -1, NULL, NULL,
		 m->nr_rescans);
	stat_add(a, "events_dropped_total", "counter",
		 "Watch events dropped because the ring was full.", -1, NULL, NULL,
		 ring_dropped(m->events));
	stat_add(a, "paused", "gauge", "1 while reclaim is paused.", -1, NULL, NULL, m->paused);
	stat_add(a, "dry_run", "gauge", "1 in dry-run mode.", -1, NULL, NULL, m->dry_run);
	stat_add(a, "build_info", "gauge", "Always 1; the version as a label.", -1, "version",
		 PACKAGE_VERSION, 1);
	stat_add_seconds(a, "start_time_seconds", "gauge",
			 "When reclaimd started, seconds since the epoch.", -1,
			 m->start_realtime_usec);
	stats_cgroups(m, a);
	return a;
}

struct json_object *manager_stats_json(struct manager *m)
{
	struct json_object *o = json_object_new_object(), *a = stats_counters(m);

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	if (m->stats_baseline)
		stats_apply_baseline(a, m->stats_baseline);
	jadd_u64(o, "since_usec", now_usec() - m->stats_since_usec);
	jadd(o, "counters", a);
	return o;
}

void manager_stats_reset(struct manager *m)
{
	struct json_object *a = stats_counters(m);

	if (!a)
		return; /* -ENOMEM: keep the old baseline */
	json_object_put(m->stats_baseline);
	m->stats_baseline = a;
	m->stats_since_usec = now_usec();
}

/* ---- config ---- */

static struct json_object *config_json(struct manager *m)
{
	return conf_settings_json(m->conf);
}

static int cmd_set(struct manager *m, struct json_object *args, struct json_object **ret,
		   char *err, size_t errlen)
{
	struct json_object *k, *v;
	const char *key, *value;
	char previous[256];
	bool had;
	int r;

	if (!json_object_object_get_ex(args, "key", &k) ||
	    !json_object_object_get_ex(args, "value", &v))
		return -EINVAL;
	key = json_object_get_string(k);
	value = json_object_get_string(v);
	had = conf_get(m->conf, key, previous, sizeof(previous)) >= 0;

	r = conf_set(m->conf, key, value, err, errlen);
	if (r < 0)
		return r;
	r = manager_apply_conf_err(m, err, errlen);
	if (r < 0) {
		if (had)
			(void)conf_set(m->conf, key, previous, NULL, 0);
		(void)manager_apply_conf(m);
		return r;
	}
	if (streq(key, "Reclaim.Paused") && conf_reclaim(m->conf)->paused != m->paused)
		manager_set_paused(m, conf_reclaim(m->conf)->paused);
	log_info("Runtime change: %s=%s (was %s).", key, value, had ? previous : "unset");
	{
		struct json_object *changed = json_object_new_array();

		json_object_array_add(changed, json_object_new_string(key));
		manager_config_event(m, changed);
		json_object_put(changed);
	}
	*ret = json_object_new_object();
	jadd_str(*ret, "key", key);
	jadd_str(*ret, "value", value);
	jadd_str(*ret, "previous", had ? previous : NULL);
	return 0;
}

/* ---- reclaim, boost, pause ---- */

/* Refused before a job starts: a path that does not fit (never cut to
 * another cgroup's name, issue 17 B5) or protected memory (B4; the
 * actuator checks again when it writes). */
static int reclaim_cgroup_check(struct manager *m, const char *path, char *err, size_t errlen)
{
	char which[CGROUP_PATH_MAX + 1];
	bool protected;

	if (strlen(path) >= CGROUP_PATH_MAX) {
		snprintf(err, errlen, "The cgroup path is %zu bytes; reclaimd handles cgroup "
				      "paths of at most %d bytes.",
			 strlen(path), CGROUP_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	cgroup_set_lock_shared(m->cgroups);
	protected = cgroup_set_protected(m->cgroups, path, which, sizeof(which));
	cgroup_set_unlock(m->cgroups);
	if (protected && streq(which + 1, path + 1))
		snprintf(err, errlen, "%s is protected by Protect=yes in the configuration; "
				      "not reclaiming.", path);
	else if (protected)
		snprintf(err, errlen, "%s holds %.*s, which Protect=yes protects, and "
				      "memory.reclaim on a parent takes from its children; "
				      "not reclaiming.",
			 path, (int)utf8_prefix(which, 96), which);
	return protected ? -EPERM : 0;
}

static int cmd_reclaim(struct manager *m, struct ctl_call *call, struct json_object *args,
		       char *err, size_t errlen)
{
	_cleanup_free_ struct manager_job *job = NULL;
	struct json_object *x;
	int r;

	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->call = call;
	job->req.nr_to_reclaim = json_object_object_get_ex(args, "bytes", &x)
					 ? json_object_get_uint64(x)
					 : 0;
	job->req.swappiness = SWAPPINESS_KERNEL_DEFAULT;
	if (json_object_object_get_ex(args, "swappiness", &x)) {
		job->req.swappiness = (int)json_object_get_uint64(x);
		job->has_swappiness = true;
	}
	job->req.priority = DEF_PRIORITY;
	job->req.dry_run = m->dry_run;
	if (json_object_object_get_ex(args, "cgroup", &x)) {
		if (!m->cgroups) {
			snprintf(err, errlen, "There is no cgroup v2 memory hierarchy on this host: "
					      "reclaim a node instead.");
			return -ENODEV;
		}
		r = reclaim_cgroup_check(m, json_object_get_string(x), err, errlen);
		if (r < 0)
			return r;
		snprintf(job->cgroup, sizeof(job->cgroup), "%s", json_object_get_string(x));
		job->req.kind = SHRINK_CGROUP;
		job->req.cgroup = job->cgroup;
		job->req.node = -1; /* the cgroup-wide context's */
	} else {
		json_object_object_get_ex(args, "node", &x);
		job->req.kind = SHRINK_NODE;
		job->req.node = (int)json_object_get_uint64(x);
		if (!manager_node(m, job->req.node)) {
			snprintf(err, errlen, "There is no node %d with memory.", job->req.node);
			return -ENODEV;
		}
		/* Judged as a balance run's pass is (kswapd_next()), on the
		 * monitor's last whole zoneinfo read: where the node file would
		 * take nothing and answer EAGAIN, the request goes to
		 * memory.reclaim without that write. */
		job->req.node_file_gated = target_node_file_gated(
			&m->node_reclaim, zoneinfo_node(m->zi, job->req.node));
	}
	r = manager_start_job(m, job);
	if (r == -EBUSY) {
		snprintf(err, errlen, "Another reclaim request is running; try again when it "
				      "is done.");
		return r;
	}
	TAKE_PTR(job);
	return CTL_HANDLE_DEFERRED;
}

/* "0,2": the node ids in mask (bit = node id). */
static const char *format_node_list(char *buf, size_t size, uint64_t mask)
{
	size_t w = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 64 && w < size; i++)
		if ((mask >> i) & 1)
			w += (size_t)snprintf(buf + w, size - w, "%s%u", w ? "," : "", i);
	return buf;
}

/* A cgroup's reclaim refused by the actuator: it has memory on a paused
 * node (shrink_result.paused_nodes). The nodes first: a long path may be
 * cut at CTL_ERROR_MESSAGE_MAX. */
static void reply_paused(struct manager_job *job)
{
	char msg[CTL_ERROR_MESSAGE_MAX + CGROUP_PATH_MAX], nodes[192];

	snprintf(msg, sizeof(msg),
		 "Node(s) %s paused and %s has memory there; memory.reclaim cannot spare a "
		 "node, not reclaiming. Resume first (reclaimctl resume, or reclaimctl set "
		 "Node.N.Paused no).",
		 format_node_list(nodes, sizeof(nodes), job->res.paused_nodes), job->cgroup);
	ctl_call_reply(job->call, -EBUSY, NULL, msg);
}

void manager_job_finish(struct manager *m, struct manager_job *job)
{
	struct json_object *o;
	const char *result;

	if (job->r >= 0 && job->req.kind == SHRINK_CGROUP && job->res.paused_nodes) {
		reply_paused(job);
		free(job);
		return;
	}
	if (job->r < 0 && job->res.nr_writes == 0) {
		char msg[CTL_ERROR_MESSAGE_MAX + CGROUP_PATH_MAX];

		snprintf(msg, sizeof(msg), "Reclaim from %s failed: %s",
			 job->req.kind == SHRINK_CGROUP ? job->cgroup : "the node",
			 strerror(-job->r));
		ctl_call_reply(job->call, job->r, NULL, msg);
		free(job);
		return;
	}
	o = json_object_new_object();
	if (job->req.kind == SHRINK_CGROUP)
		jadd_str(o, "cgroup", job->cgroup);
	else
		jadd_u64(o, "node", (uint64_t)job->req.node);
	result = job->r < 0 ? ctl_error_code_to_string(job->r)
	       : job->res.nr_partial ? "partial"
				     : "ok";
	jadd_u64(o, "requested_bytes", job->res.nr_requested);
	jadd_u64(o, "reclaimed_bytes", job->res.nr_reclaimed);
	jadd_u64(o, "duration_usec", job->duration_usec);
	if (job->has_swappiness)
		jadd_u64(o, "swappiness", (uint64_t)job->req.swappiness);
	else
		jadd(o, "swappiness", NULL);
	jadd_bool(o, "dry_run", job->req.dry_run);
	jadd_bool(o, "braked", job->res.braked);
	/* Which interface served it (target_choose_backend()): a node pass
	 * where a cgroup policy covers the node is spread over memory.reclaim. */
	jadd_str(o, "backend", target_backend_to_string(job->res.backend));
	jadd_spread(o, &job->res);
	jadd_bool(o, "node_file_short", job->res.node_file_short);
	jadd_bool(o, "node_file_gated", job->res.node_file_gated);
	jadd_str(o, "result", result);
	if (job->req.kind == SHRINK_CGROUP)
		log_info("Operator reclaim from cgroup %s: asked %" PRIu64 ", reclaimed %" PRIu64
			 " (%s)",
			 job->cgroup, job->res.nr_requested, job->res.nr_reclaimed, result);
	else
		log_info("Operator reclaim from node %d: asked %" PRIu64 ", reclaimed %" PRIu64
			 " through %s (%s)",
			 job->req.node, job->res.nr_requested, job->res.nr_reclaimed,
			 target_backend_to_string(job->res.backend), result);
	ctl_call_reply(job->call, 0, o, NULL);
	free(job);
}

static int cmd_boost(struct manager *m, struct json_object *args, struct json_object **ret,
		     char *err, size_t errlen)
{
	struct balance_request w = BALANCE_REQUEST_NONE;
	struct json_object *x;
	struct kswapd_state st = {};
	int node, r;

	json_object_object_get_ex(args, "node", &x);
	node = (int)json_object_get_uint64(x);
	json_object_object_get_ex(args, "bytes", &x);
	w.boost_bytes = json_object_get_uint64(x);
	w.reasons = 1u << BALANCE_WAKE_BOOST;
	w.highest_zoneidx = WATERMARK_ZONEIDX_ALL;
	if (!manager_node(m, node)) {
		snprintf(err, errlen, "There is no node %d with memory.", node);
		return -ENODEV;
	}
	r = kswapd_wake(m->kswapd, node, &w);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].id == node)
			(void)node_state(m, i, &st);
	*ret = json_object_new_object();
	jadd_u64(*ret, "node", (uint64_t)node);
	jadd_u64(*ret, "added_bytes", w.boost_bytes);
	jadd_u64(*ret, "pending_bytes", st.boost_ledger_bytes + st.pending.boost_bytes);
	return 0;
}

static struct json_object *warnings_json(const struct conf *conf)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < conf_n_warnings(conf); i++)
		json_object_array_add(a, json_object_new_string(conf_warning(conf, i)));
	return a;
}

static struct json_object *mode_json(struct manager *m, bool changed)
{
	struct json_object *o = json_object_new_object();

	jadd_str(o, "mode", manager_mode(m));
	jadd_bool(o, "changed", changed);
	return o;
}

static int manager_ctl_handle(void *userdata, struct ctl_call *call, const struct ctl_peer *peer,
			      const struct ctl_command *command, struct json_object *args,
			      struct json_object **ret, char *err, size_t errlen)
{
	struct manager *m = userdata;
	struct json_object *x, *changed = NULL;
	bool was;
	int r;

	switch (command->id) {
	case CTL_CMD_STATUS:
		*ret = manager_status_json(m);
		return *ret ? 0 : -ENOMEM;
	case CTL_CMD_NODES:
		*ret = manager_nodes_json(m);
		return *ret ? 0 : -ENOMEM;
	case CTL_CMD_CGROUPS:
		return cgroups_json(m, ret);
	case CTL_CMD_STATS:
		/* With reset: read, return, then start a new baseline
		 * (docs/protocol.md). */
		*ret = manager_stats_json(m);
		if (*ret && json_object_object_get_ex(args, "reset", &x) &&
		    json_object_get_boolean(x))
			manager_stats_reset(m);
		return *ret ? 0 : -ENOMEM;
	case CTL_CMD_CONFIG:
		*ret = config_json(m);
		return *ret ? 0 : -ENOMEM;
	case CTL_CMD_SET:
		return cmd_set(m, args, ret, err, errlen);
	case CTL_CMD_RELOAD:
		r = manager_reload(m, err, errlen, &changed);
		if (r < 0)
			return r;
		*ret = json_object_new_object();
		jadd_str(*ret, "file", conf_main_path(m->conf));
		jadd(*ret, "changed", changed);
		/* What the files say but is not in force: a restart-only
		 * key keeps its running value until the restart. */
		jadd(*ret, "warnings", warnings_json(m->conf));
		return 0;
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
		was = m->paused;
		manager_set_paused(m, command->id == CTL_CMD_PAUSE);
		*ret = mode_json(m, was != m->paused);
		return 0;
	case CTL_CMD_RECLAIM:
		return cmd_reclaim(m, call, args, err, errlen);
	case CTL_CMD_BOOST:
		return cmd_boost(m, args, ret, err, errlen);
	default:
		snprintf(err, errlen, "Command %s is not handled by this daemon.", command->name);
		return -EOPNOTSUPP;
	}
}

const struct ctl_handler manager_ctl_handler = {
	.handle = manager_ctl_handle,
	.subscribers_changed = manager_subscribers_changed,
};

/* ---- watch events ---- */

/* An offload write (one cgroup's step, summed if the loop fell behind):
 * a `write` event as a node pass's, with target "offload", the cgroup, and
 * node and priority null (memory.reclaim on a cgroup is not node-bound;
 * offload has no priority). */
struct json_object *manager_offload_write_json(const struct actuator_offload_write *w)
{
	struct json_object *o = json_object_new_object();
	const struct cgroup_offload_writes *x = &w->writes;
	char path[CGROUP_PATH_MAX + 1];

	if (!o)
		return NULL;
	(void)snprintf(path, sizeof(path), "/%s", w->path);
	jadd_str(o, "type", "write");
	jadd_str(o, "target", "offload");
	jadd(o, "node", NULL);
	jadd_str(o, "cgroup", path);
	jadd(o, "priority", NULL);
	jadd_u64(o, "requested_bytes", x->requested_bytes);
	jadd_u64(o, "reclaimed_bytes", x->reclaimed_bytes);
	if (x->swappiness >= 0 && !x->swappiness_dropped)
		jadd_u64(o, "swappiness", (uint64_t)x->swappiness);
	else
		jadd(o, "swappiness", NULL);
	jadd(o, "swap_reason", NULL);
	jadd_bool(o, "braked", false);
	jadd_bool(o, "brake_cut", false);
	jadd_str(o, "backend", x->dry_run ? target_backend_to_string(TARGET_BACKEND_NONE)
					  : target_backend_to_string(TARGET_BACKEND_CGROUPS));
	jadd(o, "spread_priority", NULL);
	jadd_bool(o, "node_file_short", false);
	jadd_bool(o, "node_file_gated", false);
	jadd_str(o, "result", x->error < 0 ? ctl_error_code_to_string(x->error)
			      : x->partial  ? "partial"
					    : "ok");
	jadd_u64(o, "steps", x->nr_steps);
	jadd_u64(o, "time_usec", realtime_of_usec(x->last_usec));
	return o;
}

struct json_object *manager_event_json(struct manager *m, const struct kswapd_event *ev)
{
	struct json_object *o = json_object_new_object();
	const char *type = kswapd_event_type_to_string(ev->type);

	if (!o)
		return NULL;
	switch (ev->type) {
	case KSWAPD_EVENT_WAKE:
		type = "wake";
		jadd_str(o, "reason", wake_reason_name(ev->reasons));
		jadd_u64(o, "boost_bytes", ev->boost_bytes);
		break;
	case KSWAPD_EVENT_RUN_START:
		type = "run_start";
		jadd_u64(o, "priority", DEF_PRIORITY);
		jadd_u64(o, "boost_bytes", ev->boost_bytes);
		jadd_reasons(o, "reasons", ev->reasons);
		break;
	case KSWAPD_EVENT_RUN_END:
		type = "run_end";
		jadd_u64(o, "priority", (uint64_t)ev->result.priority);
		jadd_u64(o, "reclaimed_bytes", ev->result.nr_reclaimed);
		jadd_u64(o, "duration_usec", ev->result.duration_usec);
		jadd_bool(o, "balanced", ev->result.balanced);
		jadd_str(o, "end", balance_end_reason_to_string(ev->result.reason));
		jadd_u64(o, "failures", ev->result.failures);
		jadd_reasons(o, "reasons", ev->reasons);
		break;
	case KSWAPD_EVENT_COMPACT:
		jadd_str(o, "reason", compact_reason_to_string(ev->compact));
		jadd_str(o, "result", ev->error < 0 ? ctl_error_code_to_string(ev->error) : "ok");
		break;
	case KSWAPD_EVENT_SHRINK:
		type = "write";
		jadd_str(o, "target", ev->req.kind == SHRINK_SOFT_TARGET ? "soft-target" : "node");
		jadd_u64(o, "priority", (uint64_t)ev->req.priority);
		jadd_u64(o, "requested_bytes", ev->res.nr_requested);
		jadd_u64(o, "reclaimed_bytes", ev->res.nr_reclaimed);
		/* null where no swappiness= reached the kernel (unset, or
		 * dropped before 6.8) */
		if (ev->req.swappiness >= 0 && !ev->res.swappiness_dropped)
			jadd_u64(o, "swappiness", (uint64_t)ev->req.swappiness);
		else
			jadd(o, "swappiness", NULL);
		if (ev->req.swap_reason)
			jadd_str(o, "swap_reason", ev->req.swap_reason);
		else
			jadd(o, "swap_reason", NULL);
		jadd_bool(o, "braked", ev->res.braked);
		jadd_bool(o, "brake_cut", ev->res.brake_cut);
		jadd_str(o, "backend", target_backend_to_string(ev->res.backend));
		jadd_spread(o, &ev->res);
		jadd_bool(o, "node_file_short", ev->res.node_file_short);
		jadd_bool(o, "node_file_gated", ev->res.node_file_gated);
		jadd_str(o, "result", ev->error < 0 ? ctl_error_code_to_string(ev->error)
				      : ev->res.nr_partial ? "partial"
							   : "ok");
		break;
	default:
		break;
	}
	jadd_str(o, "type", type);
	jadd_u64(o, "node", (uint64_t)ev->node);
	/* Events carry CLOCK_MONOTONIC; the protocol speaks CLOCK_REALTIME. */
	jadd_u64(o, "time_usec", realtime_of_usec(ev->time_usec));
	return o;
}
