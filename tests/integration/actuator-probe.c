/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * actuator-probe: one actuator_shrink() on a real kernel, measured, as JSON.
 *
 *	actuator-probe [--root=DIR] [--node=N] [--bytes=SIZE] [--swappiness=N]
 *		       [--cgroup=PATH] [--no-node-file] [--dry-run]
 *		       [--protect=PATH]... [--watch=PATH]...
 *		       [--step=SIZE] [--step-delay=MS] [--compact]
 *
 * Without --cgroup: SHRINK_NODE on node N (the per-node reclaim file where
 * the kernel has it, else memory.reclaim spread over the leaf cgroups).
 * With --cgroup: SHRINK_CGROUP on that cgroup (path below the cgroup2 mount).
 * Prints features, the shrink_result, and before/after counters: /proc/vmstat
 * pgsteal_proactive, node N MemFree, and for a cgroup its memory.current,
 * memory.stat anon/file/pgsteal, memory.high and memory.max (which the
 * daemon must never change). --protect marks a cgroup Protect=yes (as the
 * config would); --watch adds a cgroup's counters to the output (e.g. the
 * protected one, during a --no-node-file spread). --step sets the largest
 * single write; --step-delay sleeps before each write (through the
 * actuator's write hook), so that a test can remove a cgroup between two
 * steps deterministically. Exit 0 when the shrink returned 0.
 * --compact: actuator_compact() on node N instead (nodeN/compact), printing
 * {"compact": 0 or -errno}.
 * Used by tests/integration/actuator-node-reclaim.sh, compact-host.sh and the
 * VM tests.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actuator.h"
#include "log.h"
#include "memstat.h"
#include "util.h"

#define PROBE_MAX_PATHS 16

struct probe_args {
	const char *protect[PROBE_MAX_PATHS];
	size_t n_protect;
	const char *watch[PROBE_MAX_PATHS];
	size_t n_watch;
	const char *root;
	const char *cgroup;
	int node;
	uint64_t bytes;
	int swappiness;
	uint64_t step_bytes;
	uint64_t step_delay_usec;
	bool dry_run;
	bool no_node_file;
	bool compact;
};

static int parse_args(int argc, char *argv[], struct probe_args *a)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "node", required_argument, NULL, 'n' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "swappiness", required_argument, NULL, 's' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "no-node-file", no_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "protect", required_argument, NULL, 'P' },
		{ "watch", required_argument, NULL, 'W' },
		{ "step", required_argument, NULL, 'S' },
		{ "step-delay", required_argument, NULL, 'D' },
		{ "compact", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*a = (struct probe_args){ .root = "/", .bytes = UINT64_C(64) << 20,
				  .swappiness = SWAPPINESS_KERNEL_DEFAULT };
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 'r':
			a->root = optarg;
			break;
		case 'n':
			if (safe_atoi(optarg, &a->node) < 0 || a->node < 0)
				return log_error_errno(-EINVAL, "Bad --node=%s.", optarg);
			break;
		case 'b':
			if (parse_size(optarg, 0, &a->bytes) < 0)
				return log_error_errno(-EINVAL, "Bad --bytes=%s.", optarg);
			break;
		case 's':
			if (safe_atoi(optarg, &a->swappiness) < 0 || a->swappiness < 0 ||
			    a->swappiness > 200)
				return log_error_errno(-EINVAL, "Bad --swappiness=%s (0..200).",
						       optarg);
			break;
		case 'c':
			a->cgroup = optarg;
			break;
		case 'F':
			a->no_node_file = true;
			break;
		case 'd':
			a->dry_run = true;
			break;
		case 'P':
			if (a->n_protect >= PROBE_MAX_PATHS)
				return log_error_errno(-E2BIG, "Too many --protect.");
			a->protect[a->n_protect++] = optarg;
			break;
		case 'S':
			if (parse_size(optarg, 0, &a->step_bytes) < 0 || a->step_bytes == 0)
				return log_error_errno(-EINVAL, "Bad --step=%s.", optarg);
			break;
		case 'D':
			if (parse_duration(optarg, USEC_PER_MSEC, &a->step_delay_usec) < 0)
				return log_error_errno(-EINVAL, "Bad --step-delay=%s.", optarg);
			break;
		case 'W':
			if (a->n_watch >= PROBE_MAX_PATHS)
				return log_error_errno(-E2BIG, "Too many --watch.");
			a->watch[a->n_watch++] = optarg;
			break;
		case 'C':
			a->compact = true;
			break;
		case 'h':
			printf("Usage: %s [--root=DIR] [--node=N] [--bytes=SIZE] "
			       "[--swappiness=N] [--cgroup=PATH] [--no-node-file] [--dry-run]\n"
			       "       [--protect=PATH]... [--watch=PATH]... [--step=SIZE] "
			       "[--step-delay=MS]\n",
			       program_invocation_short_name);
			exit(EXIT_SUCCESS);
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* The actuator's write hook: sleep, then the write the actuator would make. */
static ssize_t delayed_write(void *userdata, int fd, const char *buf, size_t n)
{
	const uint64_t *delay_usec = userdata;
	struct timespec ts = { .tv_sec = (time_t)(*delay_usec / USEC_PER_SEC),
			       .tv_nsec = (long)(*delay_usec % USEC_PER_SEC * NSEC_PER_USEC) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return pwrite(fd, buf, n, 0);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* "max" stays a string; numbers become numbers; absent is null. */
static void add_value_file(struct json_object *o, const char *key, const char *path)
{
	char buf[64];
	uint64_t v;
	ssize_t n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));

	if (n < 0 || memstat_parse_value(buf, (size_t)n, &v) < 0)
		json_object_object_add(o, key, NULL);
	else if (v == MEMSTAT_MAX)
		json_object_object_add(o, key, json_object_new_string("max"));
	else
		add_u64(o, key, v);
}

static struct json_object *host_counters(const struct probe_args *a)
{
	struct json_object *o = json_object_new_object();
	static char buf[65536];
	char path[4096], rel[128];
	struct memstat st;
	ssize_t n;

	if (path_join(path, sizeof(path), a->root, "/proc/vmstat") >= 0 &&
	    (n = read_file_at(AT_FDCWD, path, buf, sizeof(buf))) >= 0 &&
	    memstat_parse(buf, (size_t)n, &st) >= 0) {
		add_u64(o, "pgsteal_proactive", st.v[MEMSTAT_PGSTEAL_PROACTIVE]);
		add_u64(o, "pgscan_proactive", st.v[MEMSTAT_PGSCAN_PROACTIVE]);
	}
	snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%d/meminfo", a->node);
	if (path_join(path, sizeof(path), a->root, rel) >= 0 &&
	    read_file_at(AT_FDCWD, path, buf, sizeof(buf)) >= 0) {
		/* "Node 0 MemFree:         1234 kB" */
		char *p = strstr(buf, "MemFree:");
		uint64_t kb;

		if (p && sscanf(p, "MemFree: %" SCNu64, &kb) == 1)
			add_u64(o, "node_memfree_bytes", kb * 1024);
	}
	return o;
}

static struct json_object *cgroup_counters(const char *mount, const char *cg)
{
	struct json_object *o = json_object_new_object();
	static char buf[65536];
	char path[8192];
	struct memstat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/memory.current", mount, cg);
	add_value_file(o, "current", path);
	snprintf(path, sizeof(path), "%s/%s/memory.high", mount, cg);
	add_value_file(o, "memory_high", path);
	snprintf(path, sizeof(path), "%s/%s/memory.max", mount, cg);
	add_value_file(o, "memory_max", path);
	snprintf(path, sizeof(path), "%s/%s/memory.stat", mount, cg);
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n >= 0 && memstat_parse(buf, (size_t)n, &st) >= 0) {
		add_u64(o, "anon", st.v[MEMSTAT_ANON]);
		add_u64(o, "file", st.v[MEMSTAT_FILE]);
		add_u64(o, "pgsteal", st.v[MEMSTAT_PGSTEAL]);
	}
	return o;
}

static struct json_object *counters(const struct probe_args *a, const struct cgroup_set *s)
{
	struct json_object *o = host_counters(a), *w;

	if (a->cgroup && s)
		json_object_object_add(o, "cgroup", cgroup_counters(s->mount, a->cgroup));
	if (a->n_watch > 0 && s) {
		w = json_object_new_object();
		for (size_t i = 0; i < a->n_watch; i++)
			json_object_object_add(w, a->watch[i],
					       cgroup_counters(s->mount, a->watch[i]));
		json_object_object_add(o, "watch", w);
	}
	return o;
}

static struct json_object *result_json(const struct shrink_result *res, int r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "rc", json_object_new_int(r));
	if (r < 0)
		json_object_object_add(o, "error", json_object_new_string(strerror(-r)));
	add_u64(o, "requested_bytes", res->nr_requested);
	add_u64(o, "reclaimed_bytes", res->nr_reclaimed);
	add_u64(o, "writes", res->nr_writes);
	add_u64(o, "partial", res->nr_partial);
	add_u64(o, "errors", res->nr_errors);
	add_u64(o, "skipped", res->nr_skipped);
	json_object_object_add(o, "braked", json_object_new_boolean(res->braked));
	json_object_object_add(o, "quota_limited", json_object_new_boolean(res->quota_limited));
	json_object_object_add(o, "interrupted", json_object_new_boolean(res->interrupted));
	json_object_object_add(o, "backend",
			       json_object_new_string(target_backend_to_string(res->backend)));
	json_object_object_add(o, "node_file_short", json_object_new_boolean(res->node_file_short));
	return o;
}

int main(int argc, char *argv[])
{
	_cleanup_(cgroup_set_freep) struct cgroup_set *cgroups = NULL;
	_cleanup_(actuator_freep) struct actuator *act = NULL;
	struct actuator_config cfg = {};
	/* The probe drives the actuator alone: no cgroup is left out as its
	 * own (a scenario may run it inside the cgroup it targets). */
	struct cgroup_config ccfg = { .self_file = "" };
	struct feature_config fcfg = {};
	struct shrink_request req = {};
	struct shrink_result res = {};
	struct json_object *out, *before;
	struct probe_args a;
	struct cgroup_rule rules[PROBE_MAX_PATHS] = {};
	const char *missing;
	int r;

	r = parse_args(argc, argv, &a);
	if (r < 0)
		return 2;
	for (size_t i = 0; i < a.n_protect; i++)
		rules[i] = (struct cgroup_rule){ .path = a.protect[i], .policy.protect = true };
	ccfg.rules = rules;
	ccfg.n_rules = a.n_protect;
	ccfg.root = a.root;
	r = cgroup_set_new(&ccfg, &cgroups);
	if (r < 0 && a.cgroup)
		return log_error_errno(r, "No cgroup v2 memory hierarchy: %m"), 1;
	fcfg.root = a.root;
	fcfg.cgroup_mount = cgroups ? cgroups->mount : NULL;
	fcfg.probe_write = !a.dry_run;
	(void)feature_probe(&fcfg, &cfg.features);
	missing = feature_missing(&cfg.features);
	if (missing)
		log_error("%s", missing);
	cfg.root = a.root;
	cfg.cgroups = cgroups;
	cfg.dry_run = a.dry_run;
	cfg.avoid_node_file = a.no_node_file;
	cfg.step_bytes = a.step_bytes;
	if (a.step_delay_usec > 0) {
		cfg.write = delayed_write;
		cfg.hook_userdata = &a.step_delay_usec;
	}
	/* Brakes off (a limit no stall reaches): the probe measures one
	 * write, not the policy. */
	cfg.system_brake.limit_usec = UINT64_MAX;
	cfg.cgroup_brake.limit_usec = UINT64_MAX;
	r = actuator_new(&cfg, &act);
	if (r < 0)
		return log_error_errno(r, "actuator_new: %m"), 1;
	if (a.compact) {
		r = actuator_compact(act, a.node);
		printf("{\"compact\": %d}\n", r);
		return r < 0;
	}

	req = (struct shrink_request){
		.kind = a.cgroup ? SHRINK_CGROUP : SHRINK_NODE,
		.node = a.node,
		.nr_to_reclaim = a.bytes,
		.swappiness = a.swappiness,
		.priority = 12,
		.dry_run = a.dry_run,
		.cgroup = a.cgroup,
	};
	before = counters(&a, cgroups);
	r = actuator_shrink(act, &req, &res);

	out = json_object_new_object();
	json_object_object_add(out, "kind",
			       json_object_new_string(a.cgroup ? "cgroup" : "node"));
	json_object_object_add(out, "node", json_object_new_int(a.node));
	if (a.cgroup)
		json_object_object_add(out, "cgroup", json_object_new_string(a.cgroup));
	add_u64(out, "bytes", a.bytes);
	json_object_object_add(out, "swappiness", json_object_new_int(a.swappiness));
	json_object_object_add(out, "features", feature_to_json(&cfg.features));
	{
		struct features now;

		actuator_features(act, &now);
		json_object_object_add(out, "swappiness_after",
				       json_object_new_boolean(now.reclaim_swappiness));
	}
	json_object_object_add(out, "result", result_json(&res, r));
	json_object_object_add(out, "before", before);
	json_object_object_add(out, "after", counters(&a, cgroups));
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY));
	json_object_put(out);
	return r < 0 ? 1 : 0;
}
