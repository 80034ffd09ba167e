/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prometheus text format writer for the "stats" result.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl-prometheus.h"
#include "macro.h"
#include "util.h"

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels without ':'. */
static bool prometheus_name_valid(const char *s, bool allow_colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++) {
		bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			  (*s >= '0' && *s <= '9') || *s == '_' ||
			  (allow_colon && *s == ':');
		if (!ok)
			return false;
	}
	return true;
}

/* Label values escape backslash, double quote and newline; HELP text
 * escapes backslash and newline. */
static void prometheus_escape(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static const char *prometheus_entry_name(struct json_object *e)
{
	struct json_object *v;

	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "name", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !prometheus_name_valid(json_object_get_string(v), true))
		return NULL;
	return json_object_get_string(v);
}

static bool prometheus_value_valid(struct json_object *e)
{
	struct json_object *v;

	return json_object_object_get_ex(e, "value", &v) &&
	       (json_object_is_type(v, json_type_int) ||
		json_object_is_type(v, json_type_double));
}

static bool prometheus_labels_valid(struct json_object *e)
{
	struct json_object *labels;

	if (!json_object_object_get_ex(e, "labels", &labels))
		return true;
	if (!json_object_is_type(labels, json_type_object))
		return false;
	json_object_object_foreach(labels, k, v) {
		if (!prometheus_name_valid(k, false) || startswith(k, "__") ||
		    !(json_object_is_type(v, json_type_string) ||
		      json_object_is_type(v, json_type_int)))
			return false;
	}
	return true;
}

/* type "histogram" with a "buckets" array of [le, cumulative count] pairs
 * and a numeric "sum" (docs/protocol.md). */
static bool prometheus_is_histogram(struct json_object *e)
{
	struct json_object *v, *buckets, *sum;

	if (!json_object_object_get_ex(e, "type", &v) ||
	    !streq(json_object_get_string(v), "histogram") ||
	    !json_object_object_get_ex(e, "buckets", &buckets) ||
	    !json_object_is_type(buckets, json_type_array) ||
	    !json_object_object_get_ex(e, "sum", &sum) ||
	    !(json_object_is_type(sum, json_type_double) || json_object_is_type(sum, json_type_int)))
		return false;
	for (size_t i = 0; i < json_object_array_length(buckets); i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);

		if (!json_object_is_type(b, json_type_array) || json_object_array_length(b) != 2 ||
		    !json_object_is_type(json_object_array_get_idx(b, 1), json_type_int))
			return false;
	}
	return true;
}

static void prometheus_header(FILE *f, const char *name, struct json_object *e)
{
	struct json_object *v;
	const char *type = "untyped";

	if (json_object_object_get_ex(e, "help", &v) &&
	    json_object_is_type(v, json_type_string)) {
		fprintf(f, "# HELP " CTL_PROMETHEUS_PREFIX "%s ", name);
		prometheus_escape(f, json_object_get_string(v), false);
		fputc('\n', f);
	}
	if (json_object_object_get_ex(e, "type", &v) &&
	    (streq(json_object_get_string(v), "counter") ||
	     streq(json_object_get_string(v), "gauge") || prometheus_is_histogram(e)))
		type = json_object_get_string(v);
	fprintf(f, "# TYPE " CTL_PROMETHEUS_PREFIX "%s %s\n", name, type);
}

static void prometheus_number(FILE *f, struct json_object *v)
{
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
		fprintf(f, "%" PRIu64, json_object_get_uint64(v));
	else if (json_object_is_type(v, json_type_int))
		fprintf(f, "%" PRIi64, json_object_get_int64(v));
	else
		fprintf(f, "%.17g", json_object_get_double(v));
}

/* NAME[SUFFIX]{labels[,le="LE"]} VALUE */
static void prometheus_line(FILE *f, const char *name, const char *suffix,
			    struct json_object *e, const char *le, struct json_object *v)
{
	struct json_object *labels = NULL;
	bool first = true;

	fprintf(f, CTL_PROMETHEUS_PREFIX "%s%s", name, suffix);
	if ((json_object_object_get_ex(e, "labels", &labels) &&
	     json_object_object_length(labels) > 0) ||
	    le) {
		fputc('{', f);
		if (labels) {
			json_object_object_foreach(labels, k, lv) {
				fprintf(f, "%s%s=\"", first ? "" : ",", k);
				prometheus_escape(f, json_object_get_string(lv), true);
				fputc('"', f);
				first = false;
			}
		}
		if (le)
			fprintf(f, "%sle=\"%s\"", first ? "" : ",", le);
		fputc('}', f);
	}
	fputc(' ', f);
	prometheus_number(f, v);
	fputc('\n', f);
}

static void prometheus_histogram(FILE *f, const char *name, struct json_object *e)
{
	struct json_object *buckets, *sum, *count;

	json_object_object_get_ex(e, "buckets", &buckets);
	json_object_object_get_ex(e, "sum", &sum);
	json_object_object_get_ex(e, "value", &count);
	for (size_t i = 0; i < json_object_array_length(buckets); i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);
		char le[32];

		snprintf(le, sizeof(le), "%g",
			 json_object_get_double(json_object_array_get_idx(b, 0)));
		prometheus_line(f, name, "_bucket", e, le, json_object_array_get_idx(b, 1));
	}
	prometheus_line(f, name, "_bucket", e, "+Inf", count);
	prometheus_line(f, name, "_sum", e, NULL, sum);
	prometheus_line(f, name, "_count", e, NULL, count);
}

static void prometheus_sample(FILE *f, const char *name, struct json_object *e)
{
	struct json_object *v;

	if (prometheus_is_histogram(e)) {
		prometheus_histogram(f, name, e);
		return;
	}
	json_object_object_get_ex(e, "value", &v);
	prometheus_line(f, name, "", e, NULL, v);
}

static bool prometheus_entry_ok(struct json_object *e)
{
	return prometheus_entry_name(e) && prometheus_value_valid(e) &&
	       prometheus_labels_valid(e);
}

/* Has a valid entry with this name come before index i? */
static bool prometheus_seen(struct json_object *counters, size_t i, const char *name)
{
	for (size_t j = 0; j < i; j++) {
		struct json_object *e = json_object_array_get_idx(counters, j);

		if (prometheus_entry_ok(e) && streq(prometheus_entry_name(e), name))
			return true;
	}
	return false;
}

int ctl_format_prometheus(struct json_object *stats, FILE *f)
{
	struct json_object *counters;
	size_t n;

	if (!json_object_object_get_ex(stats, "counters", &counters) ||
	    !json_object_is_type(counters, json_type_array))
		return -EINVAL;
	n = json_object_array_length(counters);
	/* Group samples under one header per name, in order of first
	 * appearance; O(n^2) over a few hundred counters is nothing. */
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(counters, i);
		const char *name;

		if (!prometheus_entry_ok(e))
			continue;
		name = prometheus_entry_name(e);
		if (prometheus_seen(counters, i, name))
			continue;
		prometheus_header(f, name, e);
		for (size_t j = i; j < n; j++) {
			struct json_object *s = json_object_array_get_idx(counters, j);

			if (prometheus_entry_ok(s) && streq(prometheus_entry_name(s), name))
				prometheus_sample(f, name, s);
		}
	}
	return ferror(f) ? -EIO : 0;
}
