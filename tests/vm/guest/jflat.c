/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jflat: flatten JSON from stdin into "path<TAB>value" lines so guest shell
 * scripts can check reclaimctl --json output with awk (busybox has no JSON
 * tool). Paths join object keys and array indices with dots:
 * {"nodes":[{"zones":[{"min_bytes":4}]}]} gives "nodes.0.zones.0.min_bytes\t4".
 * Strings are printed raw, null as "null". Several JSON values in a row (JSON
 * lines) are flattened one after another. Exit 1 on invalid JSON.
 *
 * jflat --lines prints each JSON value on one line instead, as
 * "path=value" fields separated by tabs: one line per event of
 * "reclaimctl --json watch --events", for awk -F '\t'.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int jflat_lines;

static void jflat_print(const char *path, struct json_object *o)
{
	char sub[4096];
	const char *fmt = jflat_lines ? "%s=%s\t" : "%s\t%s\n";

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			jflat_print(sub, val);
		}
		break;
	}
	case json_type_array: {
		size_t i, n = json_object_array_length(o);

		for (i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s%s%zu", path, *path ? "." : "", i);
			jflat_print(sub, json_object_array_get_idx(o, i));
		}
		break;
	}
	case json_type_null:
		printf(fmt, path, "null");
		break;
	default:
		printf(fmt, path, json_object_get_string(o));
		break;
	}
}

int main(int argc, char *argv[])
{
	struct json_tokener *tok = json_tokener_new();
	static char buf[65536];
	struct json_object *o;
	size_t n, off;
	ssize_t k;
	enum json_tokener_error err;

	jflat_lines = argc > 1 && strcmp(argv[1], "--lines") == 0;

	/* read(), not fread(): fread waits for a full buffer, and a watch
	 * stream must be flattened as its events come. */
	while ((k = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		n = (size_t)k;
		off = 0;
		while (off < n) {
			o = json_tokener_parse_ex(tok, buf + off, (int)(n - off));
			err = json_tokener_get_error(tok);
			if (err == json_tokener_continue)
				break;
			if (err != json_tokener_success) {
				fprintf(stderr, "jflat: %s\n", json_tokener_error_desc(err));
				return 1;
			}
			off += json_tokener_get_parse_end(tok);
			jflat_print("", o);
			if (jflat_lines)
				putchar('\n');
			fflush(stdout);
			json_object_put(o);
			json_tokener_reset(tok);
			while (off < n && strchr(" \t\r\n", buf[off]))
				off++;
		}
	}
	json_tokener_free(tok);
	return 0;
}
