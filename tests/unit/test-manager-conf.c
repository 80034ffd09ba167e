/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every key of the config table either takes effect at runtime or is
 * refused there with "needs a restart" (issue 12 defect 3, issue 17 B11).
 *
 * A real manager runs on a copy of the 6.12 fixture tree (its event loop is
 * stepped by hand). For every key the table in conf.c defines, and for the
 * Node.N form of every per-node key, the test
 *	1. runs `set KEY VALUE` through the control handler,
 *	2. writes VALUE into the config file and reloads,
 * and after each reads what is in force from the module that uses it (the
 * node threads' params, the actuator's limits, the armed PSI trigger, the
 * cgroup table, the log level, the rescan timer), or, for a restart-only
 * key, checks the refusal and that the running value stayed. A key in
 * conf_items[] without a case below fails the test: a key added later must
 * be decided.
 */

#include <errno.h>
#include <event2/event.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "ctl-proto.h"
#include "log.h"
#include "manager.h"
#include "util.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

struct fixture {
	char dir[256];
	char conf_path[512];
	char base[1024]; /* the config the manager starts with */
	struct manager *m;
};

/* What is in force for a key, read from its owner. node is an index into
 * m->nodes. */
typedef uint64_t (*in_force_fn)(struct manager *m, unsigned node);

static struct balance_params node_params(struct manager *m, unsigned node)
{
	struct balance_params p;

	assert_int_equal(kswapd_get_node_params(m->kswapd, m->nodes[node].id, &p), 0);
	return p;
}

static struct actuator_limits node_limits(struct manager *m, unsigned node)
{
	struct actuator_limits l;

	assert_int_equal(actuator_get_limits(m->actuator, m->nodes[node].id, &l), 0);
	return l;
}

/* The cgroup the [CGroup] cases name, as the candidate table holds it
 * after the walk that a config change schedules. */
#define TEST_CGROUP "system.slice/cache.service"

static struct cgroup_policy cgroup_policy_now(struct manager *m)
{
	struct cgroup_candidate *cg;
	struct cgroup_policy p;

	assert_int_equal(actuator_rescan(m->actuator, /* wait= */ true) >= 0, 1);
	cgroup_set_lock_shared(m->cgroups);
	cg = cgroup_set_find(m->cgroups, TEST_CGROUP);
	assert_non_null(cg);
	p = cg->policy;
	cgroup_set_unlock(m->cgroups);
	return p;
}

static uint64_t f_headroom(struct manager *m, unsigned n)
{
	return node_params(m, n).wmark.headroom_permyriad;
}
static uint64_t f_headroom_max(struct manager *m, unsigned n)
{
	return node_params(m, n).wmark.headroom_max_bytes;
}
static uint64_t f_swappiness(struct manager *m, unsigned n)
{
	return (uint64_t)node_params(m, n).swappiness;
}
static uint64_t f_step(struct manager *m, unsigned n)
{
	return node_params(m, n).step_bytes;
}
static uint64_t f_interval_min(struct manager *m, unsigned n)
{
	return node_params(m, n).wmark.interval_min_usec;
}
static uint64_t f_interval_max(struct manager *m, unsigned n)
{
	return node_params(m, n).wmark.interval_max_usec;
}
static uint64_t f_dry_run(struct manager *m, unsigned n)
{
	/* The node threads' params and the mode reported must agree. */
	assert_int_equal(node_params(m, n).dry_run, m->dry_run);
	return node_params(m, n).dry_run;
}
static uint64_t f_rate(struct manager *m, unsigned n)
{
	return node_limits(m, n).rate_bytes_per_sec;
}
/* [Reclaim]'s also bounds the cgroup-wide context (offload, an operator's
 * cgroup reclaim); a [Node N] one does not. */
static uint64_t f_rate_cgroups(struct manager *m, unsigned n)
{
	struct actuator_limits l = node_limits(m, n);

	assert_int_equal(l.cgroup_rate_bytes_per_sec, l.rate_bytes_per_sec);
	return f_rate(m, n);
}
static uint64_t f_rate_node(struct manager *m, unsigned n)
{
	struct actuator_limits l = node_limits(m, n);

	assert_int_equal(l.cgroup_rate_bytes_per_sec, conf_reclaim(m->conf)->rate_limit_bytes_per_sec);
	return f_rate(m, n);
}
static uint64_t f_cgroup_brake_limit(struct manager *m, unsigned n)
{
	return node_limits(m, n).cgroup_brake.limit_usec;
}
static uint64_t f_system_brake_limit(struct manager *m, unsigned n)
{
	return node_limits(m, n).system_brake.limit_usec;
}
static uint64_t f_brake_window(struct manager *m, unsigned n)
{
	assert_int_equal(node_limits(m, n).cgroup_brake.window_usec,
			 node_limits(m, n).system_brake.window_usec);
	return node_limits(m, n).system_brake.window_usec;
}
static uint64_t f_psi_stall(struct manager *m, unsigned n)
{
	return m->psi_armed.enabled ? m->psi_armed.stall_usec + (m->psi_armed.full ? 1 : 0) : 0;
}
static uint64_t f_psi_boost(struct manager *m, unsigned n)
{
	return m->nodes[n].psi_boost_bytes;
}
static uint64_t f_paused(struct manager *m, unsigned n)
{
	struct kswapd_state st;

	for (unsigned i = 0;; i++) {
		assert_int_equal(kswapd_get_state(m->kswapd, i, &st), 0);
		if (st.node == m->nodes[n].id)
			return st.paused;
	}
}
static uint64_t f_log_level(struct manager *m, unsigned n)
{
	return (uint64_t)log_get_max_level();
}
/* Seconds until the rescan timer fires, after the loop ran the walk that a
 * change schedules at once (the walk re-arms it from RescanInterval=). */
static uint64_t f_rescan(struct manager *m, unsigned n)
{
	struct timeval at, now;

	assert_true(event_pending(m->ev_rescan, EV_TIMEOUT, &at));
	gettimeofday(&now, NULL);
	/* to the nearest 10 s: 120 for 2min, 30 for the default */
	return ((uint64_t)(at.tv_sec - now.tv_sec) + 5) / 10 * 10;
}
static uint64_t f_protect(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).protect;
}
static uint64_t f_floor(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).floor_bytes;
}
static uint64_t f_soft_target(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).soft_target_bytes;
}
static uint64_t f_weight(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).weight;
}
static uint64_t f_cgroup_pressure(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).pressure_limit_usec;
}
static uint64_t f_offload(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).offload;
}
static uint64_t f_offload_target(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).offload_params.target_usec;
}
static uint64_t f_offload_interval(struct manager *m, unsigned n)
{
	return cgroup_policy_now(m).offload_params.interval_usec;
}
static uint64_t f_offload_step(struct manager *m, unsigned n)
{
	struct offload_params p = cgroup_policy_now(m).offload_params;

	/* a size, so no share */
	return p.max_step_permyriad ? 0 : p.max_step_bytes;
}
static uint64_t f_offload_swappiness(struct manager *m, unsigned n)
{
	return (uint64_t)cgroup_policy_now(m).offload_swappiness;
}

/* The decision for every key. in_force NULL: restart-only. */
static const struct key_case {
	const char *key;
	const char *value;
	in_force_fn in_force;
	uint64_t expect;
} cases[] = {
	{ "Reclaim.WatermarkHeadroom", "2%", f_headroom, 200 },
	{ "Reclaim.WatermarkHeadroomMax", "512M", f_headroom_max, 512 * MIB },
	{ "Reclaim.Swappiness", "60", f_swappiness, 60 },
	{ "Reclaim.StepSize", "64M", f_step, 64 * MIB },
	{ "Reclaim.RateLimit", "64M", f_rate_cgroups, 64 * MIB },
	{ "Reclaim.MonitorIntervalMin", "200ms", f_interval_min, 200000 },
	{ "Reclaim.MonitorIntervalMax", "4s", f_interval_max, 4000000 },
	/* full: +1 (see f_psi_stall) */
	{ "Reclaim.PSITrigger", "full 200000 2000000", f_psi_stall, 200001 },
	{ "Reclaim.PSIBoost", "32M", f_psi_boost, 32 * MIB },
	/* 20% of the default 2 s window */
	{ "Reclaim.PressureLimit", "20%", f_cgroup_brake_limit, 400000 },
	{ "Reclaim.SystemBrake", "10%", f_system_brake_limit, 200000 },
	{ "Reclaim.PressureWindow", "4s", f_brake_window, 4000000 },
	{ "Reclaim.RescanInterval", "2min", f_rescan, 120 },
	{ "Reclaim.DryRun", "no", f_dry_run, 0 },
	{ "Reclaim.Paused", "yes", f_paused, 1 },
	{ "Reclaim.LogLevel", "debug", f_log_level, LOG_DEBUG },
	{ "Node.0.WatermarkHeadroom", "2%", f_headroom, 200 },
	{ "Node.0.WatermarkHeadroomMax", "512M", f_headroom_max, 512 * MIB },
	{ "Node.0.Swappiness", "60", f_swappiness, 60 },
	{ "Node.0.StepSize", "64M", f_step, 64 * MIB },
	{ "Node.0.RateLimit", "64M", f_rate_node, 64 * MIB },
	{ "Node.0.PSIBoost", "32M", f_psi_boost, 32 * MIB },
	{ "Node.0.Paused", "yes", f_paused, 1 },
	{ "CGroup." TEST_CGROUP ".Protect", "yes", f_protect, 1 },
	{ "CGroup." TEST_CGROUP ".Floor", "1G", f_floor, GIB },
	{ "CGroup." TEST_CGROUP ".SoftTarget", "1G", f_soft_target, GIB },
	{ "CGroup." TEST_CGROUP ".Weight", "200", f_weight, 200 },
	/* 50% of the default 2 s window */
	{ "CGroup." TEST_CGROUP ".PressureLimit", "50%", f_cgroup_pressure, 1000000 },
	{ "CGroup." TEST_CGROUP ".Offload", "yes", f_offload, 1 },
	/* 0.2% of the default 6 s interval */
	{ "CGroup." TEST_CGROUP ".OffloadPressure", "0.2%", f_offload_target, 12000 },
	{ "CGroup." TEST_CGROUP ".OffloadInterval", "10s", f_offload_interval, 10000000 },
	{ "CGroup." TEST_CGROUP ".OffloadMaxStep", "8M", f_offload_step, 8 * MIB },
	{ "CGroup." TEST_CGROUP ".OffloadSwappiness", "60", f_offload_swappiness, 60 },
	{ "Control.Socket", "/run/elsewhere.sock", NULL, 0 },
	{ "Control.AdminGroup", "adm", NULL, 0 },
	{ "Control.MetricsFile", "/etc/shadow", NULL, 0 },
};

static const struct key_case *find_case(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		if (streq(cases[i].key, key))
			return &cases[i];
	return NULL;
}

static void write_conf(struct fixture *f, const char *extra)
{
	FILE *fp = fopen(f->conf_path, "we");

	assert_non_null(fp);
	fprintf(fp, "%s%s", f->base, extra);
	assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct manager_options o = { 0 };
	struct conf *c = NULL;
	char cmd[1024], err[512], root[300];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-manager-conf.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* A copy: leaving dry-run may write the fixture's reclaim files. */
	snprintf(cmd, sizeof(cmd), "cp -r %s/vm-6.12-4node %s/root", FIXTURES_DIR, f->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(root, sizeof(root), "%s/root", f->dir);
	snprintf(f->conf_path, sizeof(f->conf_path), "%s/reclaimd.conf", f->dir);
	snprintf(f->base, sizeof(f->base), "[Reclaim]\nDryRun=yes\n[Control]\nSocket=%s/sock\n",
		 f->dir);
	write_conf(f, "");
	assert_int_equal(conf_load(f->conf_path, NULL, &c, err, sizeof(err)), 0);
	o.root = root;
	log_set_max_level(LOG_WARNING);
	assert_int_equal(manager_new(&o, c, &f->m), 0);
	assert_true(f->m->n_nodes >= 2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	manager_free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)system(cmd);
	free(f);
	return 0;
}

/* Let the timers a change scheduled at 0 (walk, brake sample) run. */
static void step_loop(struct manager *m)
{
	(void)event_base_loop(m->base, EVLOOP_NONBLOCK);
}

static int run_set(struct manager *m, const char *key, const char *value, char *err,
		   size_t errlen)
{
	struct json_object *args = json_object_new_object(), *ret = NULL;
	struct ctl_peer peer = { .uid = 0, .admin = true };
	int r;

	json_object_object_add(args, "key", json_object_new_string(key));
	json_object_object_add(args, "value", json_object_new_string(value));
	err[0] = '\0';
	r = manager_ctl_handler.handle(m, NULL, &peer, ctl_command_find("set"), args, &ret, err,
				       errlen);
	json_object_put(args);
	json_object_put(ret);
	step_loop(m);
	return r;
}

static int run_reload(struct fixture *f, const char *extra, char *err, size_t errlen)
{
	int r;

	write_conf(f, extra);
	r = manager_reload(f->m, err, errlen, NULL);
	step_loop(f->m);
	return r;
}

/* The config-file form of a key: "[Reclaim]\nX=V\n", "[Node 0]\n...". */
static void file_form(const char *key, const char *value, char *buf, size_t size)
{
	const char *first = strchr(key, '.'), *last = strrchr(key, '.');

	if (!first || !last)
		fail_msg("%s: no section", key);
	else if (first == last)
		snprintf(buf, size, "[%.*s]\n%s=%s\n", (int)(first - key), key, last + 1, value);
	else
		snprintf(buf, size, "[%.*s %.*s]\n%s=%s\n", (int)(first - key), key,
			 (int)(last - first - 1), first + 1, last + 1, value);
}

static bool has_warning(const struct conf *c, const char *needle)
{
	for (size_t i = 0; i < conf_n_warnings(c); i++)
		if (strstr(conf_warning(c, i), needle))
			return true;
	return false;
}

static void check_case(struct fixture *f, const struct key_case *kc)
{
	struct manager *m = f->m;
	bool node_key = startswith(kc->key, "Node.");
	char err[512], before_s[256], now_s[256], text[512];
	uint64_t before0 = 0, before1 = 0;
	int r;

	print_message("# %s=%s\n", kc->key, kc->value);
	assert_int_equal(conf_get(m->conf, kc->key, before_s, sizeof(before_s)), 0);
	if (kc->in_force) {
		before0 = kc->in_force(m, 0);
		before1 = kc->in_force(m, 1);
		assert_int_not_equal(before0, kc->expect); /* a value that changes something */
	}

	/* 1. set */
	r = run_set(m, kc->key, kc->value, err, sizeof(err));
	if (!kc->in_force) {
		assert_int_equal(r, -EBUSY);
		assert_non_null(strstr(err, "needs a restart"));
		assert_int_equal(conf_get(m->conf, kc->key, now_s, sizeof(now_s)), 0);
		assert_string_equal(now_s, before_s); /* `config` shows what runs */
	} else {
		if (r < 0)
			fail_msg("set %s=%s: %s", kc->key, kc->value, err);
		assert_int_equal(kc->in_force(m, 0), kc->expect);
		/* [Node 0] is node 0's own; [Reclaim] is every node's. */
		assert_int_equal(kc->in_force(m, 1), node_key ? before1 : kc->expect);
	}
	/* Back to the file's value. */
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
	if (kc->in_force)
		assert_int_equal(kc->in_force(m, 0), before0);

	/* 2. reload with the value in the file */
	file_form(kc->key, kc->value, text, sizeof(text));
	r = run_reload(f, text, err, sizeof(err));
	if (r < 0)
		fail_msg("reload with %s=%s: %s", kc->key, kc->value, err);
	if (!kc->in_force) {
		assert_int_equal(conf_get(m->conf, kc->key, now_s, sizeof(now_s)), 0);
		assert_string_equal(now_s, before_s);
		assert_true(has_warning(m->conf, "needs a restart"));
	} else {
		assert_int_equal(kc->in_force(m, 0), kc->expect);
		assert_int_equal(kc->in_force(m, 1), node_key ? before1 : kc->expect);
	}
	/* 3. a reload that drops it goes back */
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
	if (kc->in_force) {
		assert_int_equal(kc->in_force(m, 0), before0);
		assert_int_equal(kc->in_force(m, 1), before1);
	}
	assert_int_equal(conf_get(m->conf, kc->key, now_s, sizeof(now_s)), 0);
	assert_string_equal(now_s, before_s);
}

static void test_every_key_decided(void **state)
{
	struct fixture *f = *state;
	size_t n = 0;

	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_item *it = &conf_items[i];
		char key[256];
		const struct key_case *kc;

		for (int node_form = 0; node_form <= (int)it->per_node; node_form++) {
			if (it->section == CONF_SECTION_CGROUP)
				snprintf(key, sizeof(key), "CGroup.%s.%s", TEST_CGROUP, it->name);
			else if (node_form)
				snprintf(key, sizeof(key), "Node.0.%s", it->name);
			else
				snprintf(key, sizeof(key), "%s.%s", conf_section_name(it->section),
					 it->name);
			kc = find_case(key);
			if (!kc) {
				fail_msg("%s: no case in test-manager-conf.c: decide whether it "
					 "applies at runtime or needs a restart",
					 key);
				return;
			}
			/* The table and the test agree on restart-only keys. */
			assert_int_equal(kc->in_force == NULL, it->restart);
			check_case(f, kc);
			n++;
		}
	}
	assert_int_equal(n, ELEMENTSOF(cases));
}

/* The README's trial: start with DryRun=yes, drop it, reload: reclaiming. */
static void test_reload_leaves_dry_run(void **state)
{
	struct fixture *f = *state;
	char err[512], base[1024];

	assert_true(f->m->dry_run);
	snprintf(base, sizeof(base), "%s", f->base);
	snprintf(f->base, sizeof(f->base), "[Control]\nSocket=%s/sock\n", f->dir);
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
	assert_false(f->m->dry_run);
	assert_false(f_dry_run(f->m, 0));
	/* and the actuator writes: a request now is no dry run (it was forced
	 * to one for the daemon's life when DryRun=yes was read at start). */
	{
		struct manager_node *mn = &f->m->nodes[0];
		struct shrink_request req = {
			.kind = SHRINK_CGROUP, .node = mn->id, .nr_to_reclaim = 1 << 20,
			.swappiness = SWAPPINESS_KERNEL_DEFAULT, .priority = DEF_PRIORITY,
			.dry_run = f->m->dry_run, .cgroup = TEST_CGROUP,
		};
		struct actuator_node_stats before, after;
		struct shrink_result res;

		/* A cgroup's reclaim runs on the cgroup-wide context. */
		assert_int_equal(actuator_cgroup_wide_stats(f->m->actuator, &before), 0);
		pthread_mutex_lock(&f->m->cgroup_shrink_lock);
		assert_int_equal(actuator_shrink(f->m->actuator, &req, &res), 0);
		pthread_mutex_unlock(&f->m->cgroup_shrink_lock);
		assert_int_equal(actuator_cgroup_wide_stats(f->m->actuator, &after), 0);
		assert_int_equal(after.nr_dry_run, before.nr_dry_run);
		assert_int_equal(after.nr_writes, before.nr_writes + res.nr_writes);
		assert_true(res.nr_writes >= 1);
	}
	/* and `set Reclaim.DryRun yes` goes back */
	assert_int_equal(run_set(f->m, "Reclaim.DryRun", "yes", err, sizeof(err)), 0);
	assert_true(f->m->dry_run);
	assert_true(f_dry_run(f->m, 1));
	snprintf(f->base, sizeof(f->base), "%s", base);
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
}

/* --dry-run on the command line: `set` refuses, reload keeps it. */
static void test_cmdline_dry_run(void **state)
{
	struct fixture *f = *state;
	char err[512], v[64];
	struct json_object *j, *list;
	bool seen = false;

	assert_int_equal(conf_set_cmdline(f->m->conf, "Reclaim.DryRun", "yes", err, sizeof(err)), 0);
	assert_int_equal(run_set(f->m, "Reclaim.DryRun", "no", err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "command line"));
	assert_true(f->m->dry_run);
	assert_int_equal(run_reload(f, "[Reclaim]\nDryRun=no\n", err, sizeof(err)), 0);
	assert_true(f->m->dry_run);
	assert_int_equal(conf_get(f->m->conf, "Reclaim.DryRun", v, sizeof(v)), 0);
	assert_string_equal(v, "yes");
	/* `reclaimctl config` names the source */
	j = conf_settings_json(f->m->conf);
	assert_true(json_object_object_get_ex(j, "settings", &list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i), *k, *s;

		if (json_object_object_get_ex(o, "key", &k) &&
		    streq(json_object_get_string(k), "Reclaim.DryRun")) {
			assert_true(json_object_object_get_ex(o, "source", &s));
			assert_string_equal(json_object_get_string(s), "command line");
			seen = true;
		}
	}
	assert_true(seen);
	json_object_put(j);
}

/* The monitor sleeps as long as the nodes' MonitorIntervalMax= in force:
 * raising it by set or reload reached the node threads but not the monitor,
 * which kept the start-up value (found by an audit: 10s set, ticks every 2s
 * went on). */
static void test_monitor_follows_interval_max(void **state)
{
	struct fixture *f = *state;
	struct balance_params engine;
	char err[512];

	assert_int_equal(run_set(f->m, "Reclaim.MonitorIntervalMax", "10s", err, sizeof(err)), 0);
	assert_int_equal(manager_monitor_interval_cap(f->m), 10 * 1000000);
	/* The engine-wide params follow too (a review found them frozen at
	 * their start-up values once the manager's copy was gone). */
	kswapd_get_params(f->m->kswapd, &engine);
	assert_int_equal(engine.wmark.interval_max_usec, 10 * 1000000);
	assert_int_equal(run_reload(f, "[Reclaim]\nMonitorIntervalMax=7s\n", err, sizeof(err)), 0);
	assert_int_equal(manager_monitor_interval_cap(f->m), 7 * 1000000);
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
	assert_int_equal(manager_monitor_interval_cap(f->m), f_interval_max(f->m, 0));
}

/* reload's "changed" names the keys of a [Node N] or [CGroup] section that
 * the new files dropped (the daemon's own diff missed them, issue 13). */
static void test_reload_changed_removed_sections(void **state)
{
	struct fixture *f = *state;
	struct json_object *changed = NULL;
	char err[512];
	bool node = false, cgroup = false;

	assert_int_equal(run_reload(f, "[Node 1]\nPaused=yes\n[CGroup x.slice]\nWeight=7\n", err,
				    sizeof(err)), 0);
	write_conf(f, "");
	assert_int_equal(manager_reload(f->m, err, sizeof(err), &changed), 0);
	for (size_t i = 0; i < json_object_array_length(changed); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(changed, i));

		node |= streq(k, "Node.1.Paused");
		cgroup |= streq(k, "CGroup.x.slice.Weight");
	}
	json_object_put(changed);
	assert_true(node);
	assert_true(cgroup);
}

/* A restart-only key changed in the files keeps its running value, and
 * the reload reply says so (issue 17: it was only in the journal and in
 * `config`, not in what `reclaimctl reload` showed). */
static void test_reload_names_kept_keys(void **state)
{
	struct fixture *f = *state;
	struct ctl_peer peer = { .uid = 0, .admin = true };
	struct json_object *ret = NULL, *warnings;
	char err[512] = "";
	const char *w;

	write_conf(f, "[Control]\nMetricsFile=/run/reclaimd-test-kept.prom\n");
	assert_int_equal(manager_ctl_handler.handle(f->m, NULL, &peer, ctl_command_find("reload"),
						    NULL, &ret, err, sizeof(err)), 0);
	step_loop(f->m);
	warnings = json_object_object_get(ret, "warnings");
	assert_non_null(warnings);
	assert_int_equal(json_object_array_length(warnings), 1);
	w = json_object_get_string(json_object_array_get_idx(warnings, 0));
	assert_non_null(strstr(w, "Control.MetricsFile=/run/reclaimd-test-kept.prom needs a restart"));
	json_object_put(ret);
	/* Kept, not applied. */
	assert_null(strstr(conf_control(f->m->conf)->metrics_file ?: "",
			   "reclaimd-test-kept"));
}

static void run_command(struct manager *m, const char *name)
{
	struct ctl_peer peer = { .uid = 0, .admin = true };
	struct json_object *ret = NULL;
	char err[512] = "";

	assert_int_equal(manager_ctl_handler.handle(m, NULL, &peer, ctl_command_find(name), NULL,
						    &ret, err, sizeof(err)),
			 0);
	json_object_put(ret);
	step_loop(m);
}

/* Issue 18: what the offload thread is told is paused follows the node
 * threads: every node under `reclaimctl pause`, a [Node N] Paused=yes
 * node alone, nothing after resume. */
static void test_pause_reaches_offload(void **state)
{
	struct fixture *f = *state;
	struct manager *m = f->m;
	uint64_t all = 0;
	char err[512];

	for (unsigned i = 0; i < m->n_nodes; i++)
		all |= UINT64_C(1) << m->nodes[i].id;
	assert_true(m->n_nodes >= 2);
	assert_int_equal(actuator_paused_nodes(m->actuator), 0);
	run_command(m, "pause");
	assert_int_equal(actuator_paused_nodes(m->actuator), all);
	run_command(m, "resume");
	assert_int_equal(actuator_paused_nodes(m->actuator), 0);
	assert_int_equal(run_reload(f, "[Node 1]\nPaused=yes\n", err, sizeof(err)), 0);
	assert_int_equal(actuator_paused_nodes(m->actuator), UINT64_C(1) << m->nodes[1].id);
	run_command(m, "pause");
	assert_int_equal(actuator_paused_nodes(m->actuator), all);
	run_command(m, "resume");
	assert_int_equal(actuator_paused_nodes(m->actuator), UINT64_C(1) << m->nodes[1].id);
	assert_int_equal(run_reload(f, "", err, sizeof(err)), 0);
	assert_int_equal(actuator_paused_nodes(m->actuator), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_key_decided, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_leaves_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_changed_removed_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_follows_interval_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_names_kept_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_reaches_offload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
