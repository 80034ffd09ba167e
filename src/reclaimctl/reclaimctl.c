/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reclaimctl: steer and observe reclaimd over its control socket.
 *
 * A verb table over the client library (ctl-client.h). The daemon formats
 * its state as JSON (schemas in docs/protocol.md); this file only prints
 * it: aligned tables for people, the JSON itself with --json, Prometheus
 * text for `stats --format=prometheus`.
 *
 * Exit codes: 0 ok, 1 the daemon refused or failed, 2 usage, 3 cannot
 * connect.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl-client.h"
#include "ctl-prometheus.h"
#include "ctl-proto.h"
#include "log.h"
#include "macro.h"
#include "util.h"

enum {
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_NO_CONNECTION = 3,
};

/* Connecting to a local socket takes microseconds; 5 s only matters when
 * the daemon's backlog is full. */
#define RECLAIMCTL_CONNECT_TIMEOUT_USEC (5 * USEC_PER_SEC)
/* Events kept on screen by the live watch view. */
#define RECLAIMCTL_WATCH_EVENTS 12

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

struct ctx {
	const char *socket_path;
	bool json;
	bool color;
	uint64_t timeout_usec; /* --timeout=, 0 when not given */
};

/* How long a call waits for its answer unless --timeout= says: a query is
 * answered at once, or something is wrong with the daemon. */
#define RECLAIMCTL_CALL_TIMEOUT_USEC (30 * USEC_PER_SEC)

/* ---- small JSON accessors: absent or mistyped fields print as "-" ---- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && !json_object_is_type(v, json_type_null) ? json_object_get_string(v)
							    : "-";
}

/* jstr() made safe for a terminal (escape_terminal()). */
static const char *jsafe(struct json_object *o, const char *key, char *buf, size_t size)
{
	return escape_terminal(buf, size, jstr(o, key));
}

static bool jnum(struct json_object *o, const char *key, uint64_t *ret)
{
	struct json_object *v = jget(o, key);

	if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return false;
	*ret = json_object_get_uint64(v);
	return true;
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static const char *jbytes(struct json_object *o, const char *key, char *buf, size_t size)
{
	uint64_t v;

	return jnum(o, key, &v) ? format_bytes(buf, size, v) : "-";
}

static const char *jusec(struct json_object *o, const char *key, char *buf, size_t size)
{
	uint64_t v;

	return jnum(o, key, &v) ? format_duration(buf, size, v) : "-";
}

/* A value for people: sizes for *_bytes, durations for *_usec. */
static const char *jhuman(const char *key, struct json_object *v, char *buf, size_t size)
{
	size_t n = strlen(key);

	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		if ((n > 6 && streq(key + n - 6, "_bytes")) ||
		    (n > 12 && streq(key + n - 12, "_bytes_total")))
			return format_bytes(buf, size, json_object_get_uint64(v));
		if (n > 5 && streq(key + n - 5, "_usec"))
			return format_duration(buf, size, json_object_get_uint64(v));
	}
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	snprintf(buf, size, "%s", ctl_json_to_string(v));
	return buf;
}

/* ---- aligned tables ---- */

#define TABLE_MAX_COLUMNS 12

struct table {
	size_t n_columns, n_rows;
	const char *header[TABLE_MAX_COLUMNS];
	unsigned right_aligned; /* bit per column */
	char **cells;           /* n_rows x n_columns */
	const char **colors;    /* ANSI sequence per cell, or NULL */
};

static void table_done(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colors);
}

/* Append a row of n_columns strings (copied). */
static void table_add(struct table *t, ...)
{
	size_t base = t->n_rows * t->n_columns;
	va_list ap;

	t->cells = realloc(t->cells, (base + t->n_columns) * sizeof(char *));
	t->colors = realloc(t->colors, (base + t->n_columns) * sizeof(char *));
	if (!t->cells || !t->colors) {
		log_oom();
		exit(EXIT_REFUSED);
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		const char *s = va_arg(ap, const char *);
		char safe[4 * 1024];

		/* Cells come from the daemon: cgroup names may hold any byte. */
		t->cells[base + i] = strdup(escape_terminal(safe, sizeof(safe), s ? s : "-"));
		t->colors[base + i] = NULL;
		if (!t->cells[base + i]) {
			log_oom();
			exit(EXIT_REFUSED);
		}
	}
	va_end(ap);
	t->n_rows++;
}

static void table_color_last(struct table *t, size_t column, const char *color)
{
	t->colors[(t->n_rows - 1) * t->n_columns + column] = color;
}

static void table_cell(FILE *f, const struct ctx *ctx, const char *s, const char *color,
		       size_t width, bool right, bool last)
{
	int pad = (int)(width - strlen(s));

	if (right)
		fprintf(f, "%*s", pad, "");
	if (color && ctx->color)
		fprintf(f, "%s%s\033[0m", color, s);
	else
		fputs(s, f);
	if (!right && !last)
		fprintf(f, "%*s", pad, "");
	fputs(last ? "\n" : "  ", f);
}

static void table_print(const struct table *t, const struct ctx *ctx, FILE *f)
{
	size_t width[TABLE_MAX_COLUMNS] = {};

	for (size_t c = 0; c < t->n_columns; c++) {
		width[c] = strlen(t->header[c]);
		for (size_t r = 0; r < t->n_rows; r++)
			width[c] = MAX(width[c], strlen(t->cells[r * t->n_columns + c]));
	}
	for (size_t c = 0; c < t->n_columns; c++)
		table_cell(f, ctx, t->header[c], "\033[1m", width[c],
			   t->right_aligned & (1u << c), c + 1 == t->n_columns);
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_columns; c++)
			table_cell(f, ctx, t->cells[r * t->n_columns + c],
				   t->colors[r * t->n_columns + c], width[c],
				   t->right_aligned & (1u << c), c + 1 == t->n_columns);
}

/* ---- talking to the daemon ---- */

static int connect_or_hint(const struct ctx *ctx, struct ctl_client **ret)
{
	int r = ctl_client_connect(ctx->socket_path, RECLAIMCTL_CONNECT_TIMEOUT_USEC, ret);

	if (r >= 0)
		return 0;
	switch (r) {
	case -ENOENT:
		log_error("Cannot connect to %s: no such socket. Is reclaimd running "
			  "(systemctl status reclaimd)? Use --socket=PATH or "
			  "RECLAIMD_SOCKET for another socket.",
			  ctx->socket_path);
		break;
	case -ECONNREFUSED:
		log_error("Cannot connect to %s: nothing listens there. reclaimd is "
			  "not running (the socket is stale); start it with "
			  "systemctl start reclaimd.",
			  ctx->socket_path);
		break;
	case -EACCES:
	case -EPERM:
		log_error("Cannot connect to %s: permission denied. Run as root or "
			  "as a member of the socket's group (reclaimd).",
			  ctx->socket_path);
		break;
	case -ETIMEDOUT:
		log_error("Cannot connect to %s: reclaimd did not accept the "
			  "connection in time; it may be overloaded.",
			  ctx->socket_path);
		break;
	default:
		log_error_errno(r, "Cannot connect to %s: %s. Is reclaimd running? "
				"Use --socket=PATH or RECLAIMD_SOCKET for another socket.",
				ctx->socket_path, strerror(-r));
	}
	return EXIT_NO_CONNECTION;
}

/* Returns an exit code; on 0, *ret is the result. */
static int client_call(const struct ctx *ctx, struct ctl_client *c, const char *cmd,
		       struct json_object *args, struct json_object **ret)
{
	/* A reclaim is answered when it is done: how long the kernel takes
	 * for the bytes asked at RateLimit= is not the client's to guess (a
	 * 10G reclaim at the default 128M/s is 80 s). */
	bool reclaim = streq(cmd, "reclaim");
	uint64_t timeout = ctx->timeout_usec ? ctx->timeout_usec
				: reclaim   ? USEC_INFINITY
					    : RECLAIMCTL_CALL_TIMEOUT_USEC;
	struct ctl_error e = {};
	char d[32];
	int r;

	ctl_client_set_timeout(c, timeout);
	r = ctl_client_call(c, cmd, args, ret, &e);
	if (r == -EREMOTE) {
		log_error("%s (%s)", e.message, ctl_error_code_to_string(e.code));
		return EXIT_REFUSED;
	}
	if (r == -ETIMEDOUT && reclaim) {
		log_error("%s: no answer within %s; the reclaim goes on in the daemon "
			  "(reclaimctl stats shows its writes; a new reclaim is refused "
			  "until it ends).",
			  cmd, format_duration(d, sizeof(d), timeout));
		return EXIT_REFUSED;
	}
	if (r == -ETIMEDOUT) {
		log_error("%s: no answer from the daemon within %s; it may be overloaded "
			  "(--timeout=TIME waits longer).",
			  cmd, format_duration(d, sizeof(d), timeout));
		return EXIT_REFUSED;
	}
	if (r < 0) {
		log_error("%s: %s", cmd, e.message);
		return EXIT_REFUSED;
	}
	return 0;
}

static int call(const struct ctx *ctx, const char *cmd, struct json_object *args,
		struct json_object **ret)
{
	_cleanup_(ctl_client_freep) struct ctl_client *c = NULL;
	int r;

	r = connect_or_hint(ctx, &c);
	if (r != 0)
		return r;
	return client_call(ctx, c, cmd, args, ret);
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Run cmd and hand the result to print (or print it as JSON). */
static int run_simple(const struct ctx *ctx, const char *cmd, struct json_object *args,
		      void (*print)(const struct ctx *, struct json_object *))
{
	struct json_object *result = NULL;
	int r = call(ctx, cmd, args, &result);

	json_object_put(args);
	if (r != 0)
		return r;
	if (ctx->json || !print)
		print_json(result);
	else
		print(ctx, result);
	json_object_put(result);
	return 0;
}

/* ---- printers ---- */

static const char *state_color(const char *state)
{
	if (startswith(state, "hopeless"))
		return "\033[31m";
	if (startswith(state, "paused"))
		return "\033[33m";
	if (startswith(state, "balancing"))
		return "\033[32m";
	return NULL;
}

/* "balancing" with its priority, as the seed names it. */
static void node_state(struct json_object *n, char *buf, size_t size)
{
	uint64_t prio;

	if (streq(jstr(n, "state"), "balancing") && jnum(n, "priority", &prio))
		snprintf(buf, size, "balancing@%" PRIu64, prio);
	else
		snprintf(buf, size, "%s", jstr(n, "state"));
}

static void print_node_lines(const struct ctx *ctx, struct json_object *nodes)
{
	struct table t = { .n_columns = 7,
			   .header = { "NODE", "STATE", "FREE", "LOW", "HIGH", "BOOST", "FAILURES" },
			   .right_aligned = 0x7d };
	size_t n = json_object_is_type(nodes, json_type_array) ? json_object_array_length(nodes) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(nodes, i);
		char b[5][FORMAT_BYTES_MAX], state[48];

		node_state(o, state, sizeof(state));
		table_add(&t, jstr(o, "node"), state,
			  jbytes(o, "free_bytes", b[0], sizeof(b[0])),
			  jbytes(o, "low_bytes", b[1], sizeof(b[1])),
			  jbytes(o, "high_bytes", b[2], sizeof(b[2])),
			  jbytes(o, "boost_bytes", b[3], sizeof(b[3])), jstr(o, "failures"));
		table_color_last(&t, 1, state_color(state));
	}
	table_print(&t, ctx, stdout);
	table_done(&t);
}

static void print_status(const struct ctx *ctx, struct json_object *o)
{
	char up[FORMAT_DURATION_MAX], version[64];
	struct json_object *features = jget(o, "features"), *actuators = jget(o, "actuators"),
			   *limits = jget(o, "node_reclaim_limits");
	const char *mode = jstr(o, "mode");

	printf("reclaimd %s (protocol %s), pid %s, up %s, mode: ",
	       jsafe(o, "version", version, sizeof(version)),
	       jstr(o, "protocol"), jstr(o, "pid"), jusec(o, "uptime_usec", up, sizeof(up)));
	if (ctx->color && !streq(mode, "running"))
		printf("\033[33m%s\033[0m\n", mode);
	else
		printf("%s\n", mode);
	printf("features:");
	if (features && json_object_is_type(features, json_type_object)) {
		json_object_object_foreach(features, k, v) {
			char buf[64];

			if (json_object_is_type(v, json_type_boolean))
				printf(" %s%s", json_object_get_boolean(v) ? "+" : "-", k);
			else
				printf(" %s=%s", k, jhuman(k, v, buf, sizeof(buf)));
		}
	}
	printf("\nactuators:");
	if (!actuators || !json_object_is_type(actuators, json_type_array) ||
	    json_object_array_length(actuators) == 0)
		printf(" none");
	for (size_t i = 0; actuators && json_object_is_type(actuators, json_type_array) &&
			   i < json_object_array_length(actuators);
	     i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(actuators, i)));
	if (limits && json_object_is_type(limits, json_type_object)) {
		char b[3][32];

		printf("\nnode reclaim minimums: vm.min_unmapped_ratio=%s%% vm.min_slab_ratio=%s%% "
		       "vm.zone_reclaim_mode=%s",
		       jsafe(limits, "min_unmapped_ratio", b[0], sizeof(b[0])),
		       jsafe(limits, "min_slab_ratio", b[1], sizeof(b[1])),
		       jsafe(limits, "zone_reclaim_mode", b[2], sizeof(b[2])));
	}
	printf("\n\n");
	print_node_lines(ctx, jget(o, "nodes"));
}

static void print_node_detail(const struct ctx *ctx, struct json_object *n)
{
	struct json_object *zones = jget(n, "zones"), *boost = jget(n, "boost"),
			   *counters = jget(n, "counters");
	struct table t = { .n_columns = 9,
			   .header = { "ZONE", "FREE", "MIN", "LOW", "HIGH", "USER_LOW",
				       "USER_HIGH", "BOOST", "MANAGED" },
			   .right_aligned = 0x1fe };
	char state[48], b[8][FORMAT_BYTES_MAX];

	node_state(n, state, sizeof(state));
	printf("node %s: %s, woken by %s, failures %s%s\n", jstr(n, "node"), state,
	       jstr(n, "wake_reason"), jstr(n, "failures"),
	       jbool(n, "hopeless") ? " (hopeless)" : "");
	/* Kernel-balanced runs that freed nothing back off (design.md). */
	if (jget(n, "empty_runs") && json_object_get_int64(jget(n, "empty_runs")) > 0)
		printf("  backing off: %s empty kernel-balanced runs, waiting %.1f s between runs\n",
		       jstr(n, "empty_runs"),
		       (double)json_object_get_int64(jget(n, "hold_usec")) / 1e6);
	printf("  boost: kernel %s, userspace %s, pending %s\n",
	       jbytes(boost, "kernel_bytes", b[0], sizeof(b[0])),
	       jbytes(boost, "user_bytes", b[1], sizeof(b[1])),
	       jbytes(boost, "pending_bytes", b[2], sizeof(b[2])));
	if (counters && json_object_is_type(counters, json_type_object)) {
		printf("  counters:");
		json_object_object_foreach(counters, k, v)
			printf(" %s=%s", k, jhuman(k, v, b[0], sizeof(b[0])));
		printf("\n");
	}
	for (size_t i = 0; zones && json_object_is_type(zones, json_type_array) &&
			   i < json_object_array_length(zones);
	     i++) {
		struct json_object *z = json_object_array_get_idx(zones, i);

		table_add(&t, jstr(z, "zone"), jbytes(z, "free_bytes", b[0], sizeof(b[0])),
			  jbytes(z, "min_bytes", b[1], sizeof(b[1])),
			  jbytes(z, "low_bytes", b[2], sizeof(b[2])),
			  jbytes(z, "high_bytes", b[3], sizeof(b[3])),
			  jbytes(z, "user_low_bytes", b[4], sizeof(b[4])),
			  jbytes(z, "user_high_bytes", b[5], sizeof(b[5])),
			  jbytes(z, "boost_bytes", b[6], sizeof(b[6])),
			  jbytes(z, "managed_bytes", b[7], sizeof(b[7])));
	}
	table_print(&t, ctx, stdout);
	table_done(&t);
}

static void print_nodes(const struct ctx *ctx, struct json_object *o)
{
	struct json_object *nodes = jget(o, "nodes");

	for (size_t i = 0; nodes && json_object_is_type(nodes, json_type_array) &&
			   i < json_object_array_length(nodes);
	     i++) {
		if (i)
			printf("\n");
		print_node_detail(ctx, json_object_array_get_idx(nodes, i));
	}
}

/* The policy columns reclaimctl(1) promises, from the cgroups reply. */
static void print_cgroups(const struct ctx *ctx, struct json_object *o)
{
	struct json_object *list = jget(o, "cgroups");
	struct table t = { .n_columns = 12,
			   .header = { "CGROUP", "PROTECTED", "FLOOR", "SOFT_TARGET", "WEIGHT",
				       "RECLAIMABLE", "RECLAIMED", "SOME10", "FULL10",
				       "BRAKE", "OFFLOAD", "WORKING_SET" },
			   .right_aligned = 0x9fc };

	for (size_t i = 0; list && json_object_is_type(list, json_type_array) &&
			   i < json_object_array_length(list);
	     i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		char b[5][FORMAT_BYTES_MAX];
		uint64_t soft, wss;
		const char *off = jstr(c, "offload_state");

		/* soft_target_bytes 0: none configured. */
		table_add(&t, jstr(c, "path"), jbool(c, "protected") ? "yes" : "no",
			  jbytes(c, "floor_bytes", b[0], sizeof(b[0])),
			  jnum(c, "soft_target_bytes", &soft) && soft == 0
				  ? "-"
				  : jbytes(c, "soft_target_bytes", b[1], sizeof(b[1])),
			  jstr(c, "weight"), jbytes(c, "reclaimable_bytes", b[2], sizeof(b[2])),
			  jbytes(c, "reclaimed_bytes", b[3], sizeof(b[3])),
			  jstr(c, "pressure_some_avg10"), jstr(c, "pressure_full_avg10"),
			  jbool(c, "braked") ? jstr(c, "brake_reason") : "no",
			  /* Offload=yes not yet judged: "yes" */
			  !jbool(c, "offload") ? "no" : streq(off, "-") ? "yes" : off,
			  jnum(c, "working_set_bytes", &wss) && wss == 0
				  ? "-"
				  : jbytes(c, "working_set_bytes", b[4], sizeof(b[4])));
		if (jbool(c, "braked"))
			table_color_last(&t, 9, "\033[33m");
	}
	table_print(&t, ctx, stdout);
	table_done(&t);
}

static void labels_string(struct json_object *labels, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!labels || !json_object_is_type(labels, json_type_object))
		return;
	json_object_object_foreach(labels, k, v) {
		if (n < size)
			n += snprintf(buf + n, size - n, "%s%s=%s", n ? "," : "", k,
				      json_object_get_string(v));
	}
}

/* The table shows counters since the last `stats --reset` ("since_reset")
 * when there was one; the exported values (--json, prometheus) never reset. */
static void print_stats(const struct ctx *ctx, struct json_object *o)
{
	struct json_object *list = jget(o, "counters");
	struct table t = { .n_columns = 3, .header = { "COUNTER", "LABELS", "VALUE" },
			   .right_aligned = 0x4 };
	char since[FORMAT_DURATION_MAX];
	bool reset = false;

	for (size_t i = 0; list && json_object_is_type(list, json_type_array) &&
			   i < json_object_array_length(list);
	     i++) {
		struct json_object *c = json_object_array_get_idx(list, i);
		char labels[256], value[64];
		const char *name = jstr(c, "name");
		struct json_object *v = jget(c, "since_reset") ?: jget(c, "value");

		reset = reset || jget(c, "since_reset");
		labels_string(jget(c, "labels"), labels, sizeof(labels));
		table_add(&t, name, labels, v ? jhuman(name, v, value, sizeof(value)) : "-");
	}
	printf("counters since %s %s ago\n\n", reset ? "the last reset" : "start",
	       jusec(o, "since_usec", since, sizeof(since)));
	table_print(&t, ctx, stdout);
	table_done(&t);
}

static void print_config(const struct ctx *ctx, struct json_object *o)
{
	struct json_object *list = jget(o, "settings");
	struct table t = { .n_columns = 3, .header = { "KEY", "VALUE", "SOURCE" } };
	char file[4096];

	if (jget(o, "file"))
		printf("config file: %s\n\n", jsafe(o, "file", file, sizeof(file)));
	for (size_t i = 0; list && json_object_is_type(list, json_type_array) &&
			   i < json_object_array_length(list);
	     i++) {
		struct json_object *s = json_object_array_get_idx(list, i);

		table_add(&t, jstr(s, "key"), jstr(s, "value"), jstr(s, "source"));
		if (!streq(jstr(s, "source"), "default"))
			table_color_last(&t, 2, "\033[36m");
	}
	table_print(&t, ctx, stdout);
	table_done(&t);
}

static void print_set(const struct ctx *ctx, struct json_object *o)
{
	char k[256], v[1024], p[1024];

	(void)ctx;
	printf("%s = %s (was %s)\n", jsafe(o, "key", k, sizeof(k)), jsafe(o, "value", v, sizeof(v)),
	       jsafe(o, "previous", p, sizeof(p)));
}

static void print_reload(const struct ctx *ctx, struct json_object *o)
{
	struct json_object *changed = jget(o, "changed"), *warnings = jget(o, "warnings");
	size_t n = changed && json_object_is_type(changed, json_type_array)
			   ? json_object_array_length(changed)
			   : 0;

	char file[4096];

	(void)ctx;
	printf("Reloaded %s: %zu value%s changed", jsafe(o, "file", file, sizeof(file)), n,
	       n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : ": ",
		       escape_terminal(file, sizeof(file),
				       json_object_get_string(json_object_array_get_idx(changed, i))));
	printf(".\n");
	n = warnings && json_object_is_type(warnings, json_type_array)
		    ? json_object_array_length(warnings)
		    : 0;
	for (size_t i = 0; i < n; i++)
		printf("Warning: %s\n",
		       escape_terminal(file, sizeof(file),
				       json_object_get_string(json_object_array_get_idx(warnings, i))));
}

static void print_mode(const struct ctx *ctx, struct json_object *o)
{
	(void)ctx;
	printf("reclaimd is %s%s.\n", jstr(o, "mode"),
	       jget(o, "changed") && !jbool(o, "changed") ? " (it already was)" : "");
}

static void print_reclaim(const struct ctx *ctx, struct json_object *o)
{
	char got[FORMAT_BYTES_MAX], want[FORMAT_BYTES_MAX], took[FORMAT_DURATION_MAX], path[4096];
	struct json_object *sp;

	(void)ctx;
	if (jget(o, "cgroup"))
		printf("cgroup %s: ", jsafe(o, "cgroup", path, sizeof(path)));
	else
		printf("node %s: ", jstr(o, "node"));
	printf("reclaimed %s of %s in %s", jbytes(o, "reclaimed_bytes", got, sizeof(got)),
	       jbytes(o, "requested_bytes", want, sizeof(want)),
	       jusec(o, "duration_usec", took, sizeof(took)));
	if (jget(o, "swappiness") && !json_object_is_type(jget(o, "swappiness"), json_type_null))
		printf(", swappiness %s", jstr(o, "swappiness"));
	if (!jget(o, "cgroup") && jget(o, "backend"))
		printf(", through %s", jstr(o, "backend"));
	if (!jget(o, "cgroup") && jbool(o, "node_file_gated"))
		printf(" (node file not written: at the kernel's node-reclaim minimums)");
	else if (!jget(o, "cgroup") && jbool(o, "node_file_short"))
		printf(" (the node file fell short)");
	/* Which cgroups a node's spread reached (docs/design.md "Which
	 * cgroups a pass takes from"); null where it spread nothing. */
	sp = jget(o, "spread_priority");
	if (sp && json_object_is_type(sp, json_type_int) && json_object_get_int(sp) > 0)
		printf(", spread over the cgroups reached at priority %d", json_object_get_int(sp));
	else if (sp && json_object_is_type(sp, json_type_int))
		printf(", spread over every cgroup");
	printf(" (%s%s)\n", jstr(o, "result"), jbool(o, "dry_run") ? ", dry run" : "");
}

static void print_boost(const struct ctx *ctx, struct json_object *o)
{
	char added[FORMAT_BYTES_MAX], pending[FORMAT_BYTES_MAX];

	(void)ctx;
	printf("node %s: boost +%s, %s pending\n", jstr(o, "node"),
	       jbytes(o, "added_bytes", added, sizeof(added)),
	       jbytes(o, "pending_bytes", pending, sizeof(pending)));
}

/* "12:00:01.234 node 0 wake reason=watermark" */
static void format_event_raw(struct json_object *ev, char *buf, size_t size)
{
	uint64_t t, node;
	time_t sec;
	struct tm tm;
	size_t n;

	if (!jnum(ev, "time_usec", &t))
		t = realtime_usec();
	sec = (time_t)(t / USEC_PER_SEC);
	localtime_r(&sec, &tm);
	n = strftime(buf, size, "%H:%M:%S", &tm);
	n += snprintf(buf + n, size - n, ".%03u ", (unsigned)(t % USEC_PER_SEC / 1000));
	if (n < size && jnum(ev, "node", &node))
		n += snprintf(buf + n, size - n, "node %" PRIu64 " ", node);
	if (n < size)
		n += snprintf(buf + n, size - n, "%s", jstr(ev, "type"));
	json_object_object_foreach(ev, k, v) {
		char tmp[64];

		if (streq(k, "type") || streq(k, "time_usec") || streq(k, "node"))
			continue;
		if (n < size)
			n += snprintf(buf + n, size - n, " %s=%s", k, jhuman(k, v, tmp, sizeof(tmp)));
	}
}

/* An event line, safe for a terminal (it may carry cgroup names). */
static void format_event(struct json_object *ev, char *buf, size_t size)
{
	char raw[1024];

	format_event_raw(ev, raw, sizeof(raw));
	escape_terminal(buf, size, raw);
}

/* ---- command line ---- */

/*
 * Options may stand anywhere on the line, before or after the verb, as
 * systemctl takes them: `reclaimctl status --json` is `reclaimctl --json
 * status`. Global options go with every verb; a verb's own (verb set) only
 * with that verb. "--" ends options; "-5M" is an argument (a negative number
 * the verb then refuses), not a cluster of short options.
 */
enum cli_opt {
	OPT_HELP,
	OPT_VERSION,
	OPT_SOCKET,
	OPT_JSON,
	OPT_TIMEOUT,
	OPT_RESET,
	OPT_FORMAT,
	OPT_SWAPPINESS,
	OPT_EVENTS,
	OPT_INTERVAL,
	_OPT_MAX,
};

struct cli_option {
	const char *name;
	char short_name;
	const char *arg; /* placeholder of its value, NULL for a flag */
	const char *verb; /* NULL: every verb */
	const char *help;
};

static const struct cli_option cli_options[_OPT_MAX] = {
	[OPT_HELP] = { "help", 'h', NULL, NULL, "Show this help and exit" },
	[OPT_VERSION] = { "version", 'V', NULL, NULL, "Show the version and exit" },
	[OPT_SOCKET] = { "socket", 0, "PATH", NULL, "Control socket (default $RECLAIMD_SOCKET)" },
	[OPT_JSON] = { "json", 0, NULL, NULL, "Print JSON instead of tables" },
	[OPT_TIMEOUT] = { "timeout", 0, "TIME", NULL,
			  "Wait at most TIME (or infinity) for the answer; default "
			  "30s, a reclaim until it is done" },
	[OPT_RESET] = { "reset", 0, NULL, "stats",
			"Start a new baseline for this table (admin; the exported "
			"counters keep counting)" },
	[OPT_FORMAT] = { "format", 0, "FMT", "stats", "table (default) or prometheus" },
	[OPT_SWAPPINESS] = { "swappiness", 0, "N", "reclaim",
			     "swappiness= for this write, 0..200 (0: file pages only)" },
	[OPT_EVENTS] = { "events", 0, NULL, "watch", "Print events one per line, no live view" },
	[OPT_INTERVAL] = { "interval", 0, "TIME", "watch",
			   "Refresh of the live view (default 1s, at least 100ms)" },
};

#define CLI_MAX_ARGS 8

struct cli {
	const char *opt[_OPT_MAX]; /* value, "" for a flag given, NULL absent */
	char *args[CLI_MAX_ARGS];  /* the verb, then its arguments */
	int n_args;
};

static const struct cli_option *cli_option_find(const char *name, size_t len, char short_name)
{
	for (size_t i = 0; i < _OPT_MAX; i++) {
		const struct cli_option *o = &cli_options[i];

		if (short_name ? o->short_name == short_name
			       : strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

static int cli_add_arg(struct cli *cli, char *a)
{
	if (cli->n_args >= CLI_MAX_ARGS) {
		log_error("Too many arguments: '%s'.", a);
		return -E2BIG;
	}
	cli->args[cli->n_args++] = a;
	return 0;
}

/* "--name", "--name=value", "--name value". */
static int cli_parse_long(struct cli *cli, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	const struct cli_option *o = cli_option_find(a, eq ? (size_t)(eq - a) : strlen(a), 0);

	if (!o) {
		log_error("Unknown option '%s'. See %s --help.", argv[*i],
			  program_invocation_short_name);
		return -EINVAL;
	}
	if (!o->arg && eq) {
		log_error("Option --%s takes no value.", o->name);
		return -EINVAL;
	}
	if (o->arg && !eq && *i + 1 >= argc) {
		log_error("Option --%s needs a value: --%s=%s.", o->name, o->name, o->arg);
		return -EINVAL;
	}
	cli->opt[o - cli_options] = !o->arg ? "" : eq ? eq + 1 : argv[++*i];
	return 0;
}

/* "-hV": flags only. */
static int cli_parse_short(struct cli *cli, const char *a)
{
	for (const char *p = a + 1; *p; p++) {
		const struct cli_option *o = cli_option_find(NULL, 0, *p);

		if (!o || o->arg) {
			log_error("Unknown option '-%c'. See %s --help.", *p,
				  program_invocation_short_name);
			return -EINVAL;
		}
		cli->opt[o - cli_options] = "";
	}
	return 0;
}

static bool cli_is_option(const char *a)
{
	/* "-" alone and negative numbers are arguments. */
	return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9');
}

static int cli_parse(struct cli *cli, int argc, char **argv)
{
	bool options_done = false;
	int r;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (options_done || !cli_is_option(a))
			r = cli_add_arg(cli, a);
		else if (streq(a, "--")) {
			options_done = true;
			r = 0;
		} else if (a[1] == '-')
			r = cli_parse_long(cli, argc, argv, &i);
		else
			r = cli_parse_short(cli, a);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- verbs ---- */

static int parse_bytes_arg(const char *s, uint64_t *ret)
{
	int r = parse_size(s, 0, ret);

	if (r < 0 || *ret == 0) {
		log_error("Invalid size '%s': use a positive number of bytes or K/M/G, "
			  "e.g. 512M.",
			  s);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_node_arg(const char *s, unsigned *ret)
{
	if (safe_atou(s, ret) < 0) {
		log_error("Invalid node '%s': use a NUMA node number, e.g. 0.", s);
		return EXIT_USAGE;
	}
	return 0;
}

static int verb_status(const struct ctx *ctx, const struct cli *cli)
{
	(void)cli;
	return run_simple(ctx, "status", NULL, print_status);
}

static int verb_nodes(const struct ctx *ctx, const struct cli *cli)
{
	(void)cli;
	return run_simple(ctx, "nodes", NULL, print_nodes);
}

static int verb_cgroups(const struct ctx *ctx, const struct cli *cli)
{
	(void)cli;
	return run_simple(ctx, "cgroups", NULL, print_cgroups);
}

static int verb_stats(const struct ctx *ctx, const struct cli *cli)
{
	const char *format = cli->opt[OPT_FORMAT];
	struct json_object *args, *result = NULL;
	int r;

	if (format && !streq(format, "prometheus") && !streq(format, "table")) {
		log_error("Unknown format '%s': use table or prometheus.", format);
		return EXIT_USAGE;
	}
	args = json_object_new_object();
	if (cli->opt[OPT_RESET])
		json_object_object_add(args, "reset", json_object_new_boolean(true));
	if (!streq(format, "prometheus"))
		return run_simple(ctx, "stats", args, print_stats);
	r = call(ctx, "stats", args, &result);
	json_object_put(args);
	if (r != 0)
		return r;
	r = ctl_format_prometheus(result, stdout);
	json_object_put(result);
	if (r < 0) {
		log_error("The daemon's stats have no counters list.");
		return EXIT_REFUSED;
	}
	return 0;
}

static int verb_config(const struct ctx *ctx, const struct cli *cli)
{
	(void)cli;
	return run_simple(ctx, "config", NULL, print_config);
}

static int verb_set(const struct ctx *ctx, const struct cli *cli)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "key", json_object_new_string(cli->args[1]));
	json_object_object_add(args, "value", json_object_new_string(cli->args[2]));
	return run_simple(ctx, "set", args, print_set);
}

static int verb_reload(const struct ctx *ctx, const struct cli *cli)
{
	(void)cli;
	return run_simple(ctx, "reload", NULL, print_reload);
}

static int verb_pause(const struct ctx *ctx, const struct cli *cli)
{
	return run_simple(ctx, cli->args[0], NULL, print_mode);
}

/* reclaim node N BYTES | reclaim cgroup PATH BYTES, [--swappiness=N] */
static int verb_reclaim(const struct ctx *ctx, const struct cli *cli)
{
	_cleanup_(json_object_putp) struct json_object *args = json_object_new_object();
	const char *what = cli->args[1];
	uint64_t bytes;
	unsigned node, swappiness;
	int r;

	if (cli->opt[OPT_SWAPPINESS]) {
		if (safe_atou(cli->opt[OPT_SWAPPINESS], &swappiness) < 0 || swappiness > 200) {
			log_error("Invalid swappiness '%s': use 0..200.", cli->opt[OPT_SWAPPINESS]);
			return EXIT_USAGE;
		}
		json_object_object_add(args, "swappiness", json_object_new_int(swappiness));
	}
	if (!streq(what, "node") && !streq(what, "cgroup")) {
		log_error("Usage: reclaimctl reclaim node N BYTES | cgroup PATH BYTES "
			  "[--swappiness=0..200]");
		return EXIT_USAGE;
	}
	if (streq(what, "node")) {
		r = parse_node_arg(cli->args[2], &node);
		if (r != 0)
			return r;
		json_object_object_add(args, "node", json_object_new_int(node));
	} else
		json_object_object_add(args, "cgroup", json_object_new_string(cli->args[2]));
	r = parse_bytes_arg(cli->args[3], &bytes);
	if (r != 0)
		return r;
	json_object_object_add(args, "bytes", json_object_new_uint64(bytes));
	return run_simple(ctx, "reclaim", TAKE_PTR(args), print_reclaim);
}

/* boost [node] N BYTES */
static int verb_boost(const struct ctx *ctx, const struct cli *cli)
{
	struct json_object *args;
	uint64_t bytes;
	unsigned node;
	int i = 1, r;

	if (cli->n_args == 4 && streq(cli->args[1], "node"))
		i = 2;
	else if (cli->n_args != 3) {
		log_error("Usage: reclaimctl boost [node] N BYTES");
		return EXIT_USAGE;
	}
	r = parse_node_arg(cli->args[i], &node);
	if (r == 0)
		r = parse_bytes_arg(cli->args[i + 1], &bytes);
	if (r != 0)
		return r;
	args = json_object_new_object();
	json_object_object_add(args, "node", json_object_new_int(node));
	json_object_object_add(args, "bytes", json_object_new_uint64(bytes));
	return run_simple(ctx, "boost", args, print_boost);
}

static int watch_subscribe(const struct ctx *ctx, struct ctl_client **ret)
{
	struct json_object *result = NULL;
	int r;

	r = connect_or_hint(ctx, ret);
	if (r != 0)
		return r;
	r = client_call(ctx, *ret, "watch", NULL, &result);
	json_object_put(result);
	return r;
}

/* Print every event as it comes, until the daemon goes away. */
static int watch_events(const struct ctx *ctx)
{
	_cleanup_(ctl_client_freep) struct ctl_client *c = NULL;
	int r = watch_subscribe(ctx, &c);

	if (r != 0)
		return r;
	for (;;) {
		struct ctl_reply reply;
		struct ctl_error e;
		char line[1024];

		r = ctl_client_read(c, USEC_INFINITY, &reply, &e);
		if (r < 0) {
			log_error("%s", e.message);
			return EXIT_REFUSED;
		}
		if (reply.kind == CTL_REPLY_EVENT) {
			if (ctx->json)
				puts(ctl_json_to_string(reply.payload));
			else {
				format_event(reply.payload, line, sizeof(line));
				puts(line);
			}
			fflush(stdout);
		}
		ctl_reply_done(&reply);
	}
}

struct watch_view {
	char events[RECLAIMCTL_WATCH_EVENTS][256];
	size_t n_events, next;
};

static void watch_view_add(struct watch_view *v, struct json_object *ev)
{
	format_event(ev, v->events[v->next], sizeof(v->events[0]));
	v->next = (v->next + 1) % RECLAIMCTL_WATCH_EVENTS;
	v->n_events = MIN(v->n_events + 1, (size_t)RECLAIMCTL_WATCH_EVENTS);
}

static void watch_view_draw(const struct ctx *ctx, const struct watch_view *v,
			    struct json_object *status)
{
	size_t first = (v->next + RECLAIMCTL_WATCH_EVENTS - v->n_events) % RECLAIMCTL_WATCH_EVENTS;
	char up[FORMAT_DURATION_MAX];

	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	printf("reclaimd %s, up %s, mode %s\n\n", jstr(status, "version"),
	       jusec(status, "uptime_usec", up, sizeof(up)), jstr(status, "mode"));
	print_node_lines(ctx, jget(status, "nodes"));
	printf("\nrecent events:\n");
	for (size_t i = 0; i < v->n_events; i++)
		printf("  %s\n", v->events[(first + i) % RECLAIMCTL_WATCH_EVENTS]);
	fflush(stdout);
}

/* A live view: node lines refreshed every interval, the latest events under. */
static int watch_live(const struct ctx *ctx, uint64_t interval_usec)
{
	_cleanup_(ctl_client_freep) struct ctl_client *events = NULL, *poll_client = NULL;
	struct watch_view view = {};
	int r;

	r = watch_subscribe(ctx, &events);
	if (r == 0)
		r = connect_or_hint(ctx, &poll_client);
	if (r != 0)
		return r;
	for (;;) {
		struct json_object *status = NULL;
		uint64_t deadline = now_usec() + interval_usec;

		r = client_call(ctx, poll_client, "status", NULL, &status);
		if (r != 0)
			return r;
		watch_view_draw(ctx, &view, status);
		json_object_put(status);
		while (now_usec() < deadline) {
			struct ctl_reply reply;
			struct ctl_error e;

			r = ctl_client_read(events, deadline - now_usec(), &reply, &e);
			if (r == -ETIMEDOUT)
				break;
			if (r < 0) {
				log_error("%s", e.message);
				return EXIT_REFUSED;
			}
			if (reply.kind == CTL_REPLY_EVENT)
				watch_view_add(&view, reply.payload);
			ctl_reply_done(&reply);
		}
	}
}

static int verb_watch(const struct ctx *ctx, const struct cli *cli)
{
	uint64_t interval_usec = USEC_PER_SEC;
	const char *interval = cli->opt[OPT_INTERVAL];

	if (interval && (parse_duration(interval, USEC_PER_SEC, &interval_usec) < 0 ||
			 interval_usec < 100 * USEC_PER_MSEC)) {
		log_error("Invalid interval '%s': use e.g. 1s or 500ms (at least 100ms).",
			  interval);
		return EXIT_USAGE;
	}
	return ctx->json || cli->opt[OPT_EVENTS] ? watch_events(ctx)
						 : watch_live(ctx, interval_usec);
}

struct verb {
	const char *name;
	int min_args, max_args; /* positional, not counting the verb */
	int (*run)(const struct ctx *ctx, const struct cli *cli);
	const char *usage;
};

static const struct verb verbs[] = {
	{ "status", 0, 0, verb_status, "status" },
	{ "nodes", 0, 0, verb_nodes, "nodes" },
	{ "cgroups", 0, 0, verb_cgroups, "cgroups" },
	{ "stats", 0, 0, verb_stats, "stats [--reset] [--format=table|prometheus]" },
	{ "config", 0, 0, verb_config, "config" },
	{ "set", 2, 2, verb_set, "set KEY VALUE" },
	{ "reload", 0, 0, verb_reload, "reload" },
	{ "pause", 0, 0, verb_pause, "pause" },
	{ "resume", 0, 0, verb_pause, "resume" },
	{ "reclaim", 3, 3, verb_reclaim, "reclaim node N|cgroup PATH BYTES [--swappiness=N]" },
	{ "boost", 2, 3, verb_boost, "boost [node] N BYTES" },
	{ "watch", 0, 0, verb_watch, "watch [--events] [--interval=TIME]" },
};

#define HELP_COLUMNS 80
#define HELP_INDENT 24

/* Print text word-wrapped to HELP_COLUMNS from column col, continuation
 * lines indented to indent. */
static void help_wrap(const char *text, size_t col, size_t indent)
{
	bool line_start = true;

	while (*text) {
		size_t w = strcspn(text, " ");

		if (!line_start && col + 1 + w > HELP_COLUMNS) {
			printf("\n%*s", (int)indent, "");
			col = indent;
		} else if (!line_start) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, text);
		col += w;
		line_start = false;
		text += w;
		text += strspn(text, " ");
	}
	putchar('\n');
}

/* "  usage   help": the help beside a short usage, under a long one. */
static void help_item(const char *usage, const char *text)
{
	int col = printf("  %s", usage);

	if (col >= HELP_INDENT - 1) {
		printf("\n%*s", HELP_INDENT, "");
		col = HELP_INDENT;
	} else
		col += printf("%*s", HELP_INDENT - col, "");
	help_wrap(text, (size_t)col, HELP_INDENT);
}

static void help_options(const char *verb)
{
	for (size_t i = 0; i < _OPT_MAX; i++) {
		const struct cli_option *o = &cli_options[i];
		char usage[64];

		if (!streq(o->verb, verb) && (verb || o->verb))
			continue;
		if (o->short_name)
			snprintf(usage, sizeof(usage), "-%c --%s", o->short_name, o->name);
		else
			snprintf(usage, sizeof(usage), "   --%s%s%s", o->name, o->arg ? "=" : "",
				 o->arg ? o->arg : "");
		help_item(usage, o->help);
	}
}

static void help(void)
{
	printf("Usage: %s [OPTIONS] COMMAND [ARGS]\n"
	       "\n"
	       "Steer and observe reclaimd. Options may come before or after the command.\n"
	       "\n"
	       "Options:\n",
	       program_invocation_short_name);
	help_options(NULL);
	printf("\nCommands (%s COMMAND --help for one):\n", program_invocation_short_name);
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
		const struct ctl_command *c = ctl_command_find(verbs[i].name);

		help_item(verbs[i].usage, c ? c->help : "");
	}
	/* The path on a line of its own: a long --prefix stays within 80. */
	printf("\nThe socket, unless $RECLAIMD_SOCKET or --socket says otherwise:\n"
	       "  %s\n"
	       "Exit status: 0 ok, 1 the daemon refused, failed or did not answer in\n"
	       "time, 2 usage, 3 cannot connect. See reclaimctl(1).\n",
	       RECLAIMD_SOCKET_PATH);
}

static void help_verb(const struct verb *v)
{
	const struct ctl_command *c = ctl_command_find(v->name);

	printf("Usage: %s [OPTIONS] %s\n\n", program_invocation_short_name, v->usage);
	if (c) {
		help_wrap(c->help, 0, 0);
		if (c->mutating)
			printf("Needs root or membership of AdminGroup=.\n");
	}
	printf("\nOptions:\n");
	help_options(v->name);
	help_options(NULL);
}

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* A verb's own options are refused with any other verb. */
static int verb_check_options(const struct verb *v, const struct cli *cli)
{
	for (size_t i = 0; i < _OPT_MAX; i++)
		if (cli->opt[i] && cli_options[i].verb && !streq(cli_options[i].verb, v->name)) {
			log_error("Unknown option '--%s' for '%s'. See %s %s --help.",
				  cli_options[i].name, v->name, program_invocation_short_name,
				  v->name);
			return EXIT_USAGE;
		}
	return 0;
}

static bool want_color(void)
{
	const char *no_color = getenv("NO_COLOR");

	/* https://no-color.org: any non-empty NO_COLOR disables colour. */
	if (no_color && *no_color)
		return false;
	return isatty(STDOUT_FILENO) && !streq(getenv("TERM"), "dumb");
}

int main(int argc, char *argv[])
{
	struct ctx ctx = { .socket_path = ctl_client_default_path(), .color = want_color() };
	struct cli cli = {};
	const struct verb *verb;
	int n, r;

	/* reclaimctl talks to people and scripts, never to journald. */
	log_set_prefix_mode(0);
	if (cli_parse(&cli, argc, argv) < 0)
		return EXIT_USAGE;
	if (cli.opt[OPT_VERSION]) {
		printf("reclaimctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (cli.n_args == 0) {
		help();
		return cli.opt[OPT_HELP] ? EXIT_SUCCESS : EXIT_USAGE;
	}
	verb = verb_find(cli.args[0]);
	if (!verb) {
		log_error("Unknown command '%s'. See %s --help.", cli.args[0],
			  program_invocation_short_name);
		return EXIT_USAGE;
	}
	r = verb_check_options(verb, &cli);
	if (r != 0)
		return r;
	if (cli.opt[OPT_HELP]) {
		help_verb(verb);
		return EXIT_SUCCESS;
	}
	n = cli.n_args - 1;
	if (n < verb->min_args || n > verb->max_args) {
		log_error("Usage: %s %s", program_invocation_short_name, verb->usage);
		return EXIT_USAGE;
	}
	if (cli.opt[OPT_SOCKET])
		ctx.socket_path = cli.opt[OPT_SOCKET];
	ctx.json = cli.opt[OPT_JSON] != NULL;
	if (cli.opt[OPT_TIMEOUT]) {
		if (streq(cli.opt[OPT_TIMEOUT], "infinity"))
			ctx.timeout_usec = USEC_INFINITY;
		else if (parse_duration(cli.opt[OPT_TIMEOUT], USEC_PER_SEC, &ctx.timeout_usec) < 0 ||
			 ctx.timeout_usec < USEC_PER_MSEC) {
			log_error("Invalid timeout '%s': use e.g. 30s, 5min or infinity (at "
				  "least 1ms).",
				  cli.opt[OPT_TIMEOUT]);
			return EXIT_USAGE;
		}
	}
	return verb->run(&ctx, &cli);
}
