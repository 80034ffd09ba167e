/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control protocol: command table, request validation, line encoders
 * and decoders. Pure: no I/O, no clock, no logging above debug.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl-proto.h"
#include "macro.h"
#include "util.h"

/* Node ids go up to MAX_NUMNODES - 1; the kernel's largest NODES_SHIFT is 10. */
#define CTL_NODE_MAX 1023
/* swappiness= of memory.reclaim is 0..200 (mm/vmscan.c, 6.8+). */
#define CTL_SWAPPINESS_MAX 200
/* A reclaim/boost request of more than 1 PiB is a typo, not a wish. */
#define CTL_BYTES_MAX (UINT64_C(1) << 50)

static const struct ctl_arg ctl_args_stats[] = {
	{ .name = "reset", .type = CTL_ARG_BOOL, .mutating_if_true = true,
	  .help = "zero all counters after reading them (admin only)" },
};

static const struct ctl_arg ctl_args_set[] = {
	{ .name = "key", .type = CTL_ARG_STRING, .required = true,
	  .help = "config key as in reclaimd.conf, e.g. \"Node.1.StepSize\"" },
	{ .name = "value", .type = CTL_ARG_STRING, .required = true,
	  .help = "new value, as written in reclaimd.conf" },
};

static const struct ctl_arg ctl_args_reclaim[] = {
	{ .name = "node", .type = CTL_ARG_UINT, .one_of = 1, .max = CTL_NODE_MAX,
	  .help = "NUMA node id (per-node reclaim file)" },
	{ .name = "cgroup", .type = CTL_ARG_CGROUP, .one_of = 1,
	  .help = "cgroup path below the cgroup root, e.g. /batch.slice" },
	{ .name = "bytes", .type = CTL_ARG_UINT, .required = true, .min = 1,
	  .max = CTL_BYTES_MAX, .help = "how much to reclaim, in bytes" },
	{ .name = "swappiness", .type = CTL_ARG_UINT, .max = CTL_SWAPPINESS_MAX,
	  .help = "swappiness= for this write, 0..200 (0: file pages only)" },
};

static const struct ctl_arg ctl_args_boost[] = {
	{ .name = "node", .type = CTL_ARG_UINT, .required = true,
	  .max = CTL_NODE_MAX, .help = "NUMA node id" },
	{ .name = "bytes", .type = CTL_ARG_UINT, .required = true, .min = 1,
	  .max = CTL_BYTES_MAX, .help = "extra reclaim without swap, in bytes" },
};

#define ARGS(a) .args = (a), .n_args = ELEMENTSOF(a)

const struct ctl_command ctl_commands[_CTL_CMD_MAX] = {
	[CTL_CMD_STATUS] = { CTL_CMD_STATUS, "status",
		.help = "version, uptime, mode, features and one line per node" },
	[CTL_CMD_NODES] = { CTL_CMD_NODES, "nodes",
		.help = "per node and zone: free pages against the watermarks, "
			"thread state, boost ledger, failures, counters" },
	[CTL_CMD_CGROUPS] = { CTL_CMD_CGROUPS, "cgroups",
		.help = "reclaim candidates: node-local reclaimable memory, floors, "
			"protection, reclaimed, pressure, brakes" },
	[CTL_CMD_STATS] = { CTL_CMD_STATS, "stats", ARGS(ctl_args_stats),
		.help = "all counters" },
	[CTL_CMD_CONFIG] = { CTL_CMD_CONFIG, "config",
		.help = "effective configuration and where each value came from" },
	[CTL_CMD_SET] = { CTL_CMD_SET, "set", .mutating = true, ARGS(ctl_args_set),
		.help = "change one config value at run time (validated)" },
	[CTL_CMD_RELOAD] = { CTL_CMD_RELOAD, "reload", .mutating = true,
		.help = "re-read the config file; on error keep the running one" },
	[CTL_CMD_PAUSE] = { CTL_CMD_PAUSE, "pause", .mutating = true,
		.help = "stop reclaiming (threads freeze, monitoring goes on)" },
	[CTL_CMD_RESUME] = { CTL_CMD_RESUME, "resume", .mutating = true,
		.help = "undo pause" },
	[CTL_CMD_RECLAIM] = { CTL_CMD_RECLAIM, "reclaim", .mutating = true,
		ARGS(ctl_args_reclaim),
		.help = "reclaim BYTES from a node or a cgroup now and report "
			"what was measured" },
	[CTL_CMD_BOOST] = { CTL_CMD_BOOST, "boost", .mutating = true,
		ARGS(ctl_args_boost),
		.help = "add BYTES of boost reclaim (no swap) to a node" },
	[CTL_CMD_WATCH] = { CTL_CMD_WATCH, "watch", .stream = true,
		.help = "subscribe to events: wakes, runs, writes, brakes" },
};

const struct ctl_command *ctl_command_find(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(ctl_commands); i++)
		if (streq(ctl_commands[i].name, name))
			return &ctl_commands[i];
	return NULL;
}

const struct ctl_arg *ctl_command_find_arg(const struct ctl_command *command,
					   const char *name)
{
	for (size_t i = 0; i < command->n_args; i++)
		if (streq(command->args[i].name, name))
			return &command->args[i];
	return NULL;
}

bool ctl_command_is_mutating(const struct ctl_command *command,
			     struct json_object *args)
{
	if (command->mutating)
		return true;
	for (size_t i = 0; args && i < command->n_args; i++) {
		struct json_object *v;

		if (!command->args[i].mutating_if_true)
			continue;
		if (json_object_object_get_ex(args, command->args[i].name, &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v))
			return true;
	}
	return false;
}

/* cgroupfs names cannot hold "/" or NUL; we also refuse control characters,
 * which no sane unit name has and which would garble logs and tables. */
bool ctl_cgroup_path_valid(const char *path)
{
	size_t len;

	if (!path || path[0] != '/')
		return false;
	len = strlen(path);
	if (len >= 4096)
		return false;
	if (len == 1)
		return true;
	if (path[len - 1] == '/')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	for (const char *c = path + 1;;) {
		const char *end = strchrnul(c, '/');
		size_t n = end - c;

		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (*end == '\0')
			return true;
		c = end + 1;
	}
}

/* The errno names a reply may carry, indexed by errno; any other is
 * said as EIO. */
static const char *const ctl_error_name_table[] = {
	[EPERM] = "EPERM",
	[ENOENT] = "ENOENT",
	[ESRCH] = "ESRCH",
	[EINTR] = "EINTR",
	[EIO] = "EIO",
	[E2BIG] = "E2BIG",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST",
	[ENODEV] = "ENODEV",
	[EINVAL] = "EINVAL",
	[ENOSPC] = "ENOSPC",
	[EROFS] = "EROFS",
	[ERANGE] = "ERANGE",
	[ENOSYS] = "ENOSYS",
	[EPROTO] = "EPROTO",
	[EBADMSG] = "EBADMSG",
	[EUSERS] = "EUSERS",
	[EOPNOTSUPP] = "EOPNOTSUPP",
	[ETIMEDOUT] = "ETIMEDOUT",
	[EALREADY] = "EALREADY",
	[ECANCELED] = "ECANCELED",
	/* Errors of opening a path: said as such, not as EIO (issue 17 B15). */
	[ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR",
	[ELOOP] = "ELOOP",
	[ENAMETOOLONG] = "ENAMETOOLONG",
	[EMFILE] = "EMFILE",
	[ENFILE] = "ENFILE",
	[ENXIO] = "ENXIO",
	[EBADF] = "EBADF",
	[EOVERFLOW] = "EOVERFLOW",
	[ESTALE] = "ESTALE",
};

DEFINE_STRING_TABLE_TO_STRING(static, ctl_error_name, int, ELEMENTSOF(ctl_error_name_table))
DEFINE_STRING_TABLE_FROM_STRING(static, ctl_error_name, ELEMENTSOF(ctl_error_name_table))

const char *ctl_error_code_to_string(int code)
{
	const char *name = ctl_error_name_to_string(code < 0 ? -code : code);

	return name ? name : "EIO";
}

int ctl_error_code_from_string(const char *s)
{
	int e = s ? ctl_error_name_from_string(s, strlen(s)) : -EINVAL;

	return e < 0 ? -EIO : -e;
}

_printf_(3, 4) static int ctl_error_set(struct ctl_error *e, int code,
					const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	/* A message cut at the buffer's end must not end in half a
	 * character (the strings it quotes are UTF-8, checked by the JSON
	 * parser). */
	e->message[utf8_prefix(e->message, sizeof(e->message) - 1)] = '\0';
	return code;
}

const char *ctl_json_to_string(struct json_object *o)
{
	return json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

bool ctl_is_blank(char c)
{
	/* Not strchr(" \t\r", c): that finds the terminating NUL too, and a
	 * NUL after a request is an error, not a blank (issue 17 B15). */
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Parse exactly one JSON value from line[0..len): strict RFC 8259, valid
 * UTF-8, depth-limited, nothing but blanks after it. NULL with a message
 * in *ret_error otherwise.
 */
static struct json_object *ctl_json_parse(const char *line, size_t len,
					  struct ctl_error *ret_error)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;

	if (len > INT32_MAX) {
		ctl_error_set(ret_error, -E2BIG, "The line is too long.");
		return NULL;
	}
	tok = json_tokener_new_ex(CTL_JSON_MAX_DEPTH);
	if (!tok) {
		ctl_error_set(ret_error, -ENOMEM, "Out of memory.");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && jerr == json_tokener_continue) {
		/* A bare literal or number ("null", "12") is only complete once
		 * a delimiter follows: give it the end of the line. */
		o = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	json_tokener_free(tok);

	if (!o && jerr == json_tokener_success && end > 0) {
		/* json-c returns NULL for a complete JSON null. */
		ctl_error_set(ret_error, -EINVAL,
			      "The line must be a JSON object like "
			      "{\"v\":%d,\"id\":1,\"cmd\":\"status\"}, not null.",
			      CTL_PROTOCOL_VERSION);
		return NULL;
	}
	if (!o || jerr != json_tokener_success) {
		json_object_put(o);
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			ctl_error_set(ret_error, -EINVAL,
				      "The line is not valid JSON: it ends before "
				      "the object is complete. Send one whole JSON "
				      "object per line.");
		else
			ctl_error_set(ret_error, -EINVAL,
				      "The line is not valid JSON (%s near byte %zu). "
				      "Send one JSON object per line, e.g. "
				      "{\"v\":%d,\"id\":1,\"cmd\":\"status\"}.",
				      json_tokener_error_desc(jerr), end,
				      CTL_PROTOCOL_VERSION);
		return NULL;
	}
	for (size_t i = end; i < len; i++)
		if (!ctl_is_blank(line[i])) {
			json_object_put(o);
			ctl_error_set(ret_error, -EINVAL,
				      "Unexpected data after the JSON object at "
				      "byte %zu: send exactly one object per line.",
				      i);
			return NULL;
		}
	return o;
}

static const char *ctl_json_type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fractional number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "unknown";
}

static bool ctl_string_clean(struct json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t len = json_object_get_string_len(v);

	/* A "\u0000" inside would truncate the string for every C consumer. */
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* json-c's UTF-8 check lets overlong forms through ("\xc0\xb8", found by
 * fuzz-ctl-proto): a string the daemon would act on must be strict UTF-8,
 * the same the replies are held to (utf8_sanitize()), or an echo of it
 * would differ from what was sent. */
static bool ctl_string_utf8(struct json_object *v)
{
	size_t len = json_object_get_string_len(v);

	return utf8_prefix(json_object_get_string(v), len) == len;
}

/* A non-negative JSON integer, read as uint64 (json-c stores values above
 * INT64_MAX unsigned). */
static bool ctl_json_get_uint(struct json_object *v, uint64_t *ret)
{
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return false;
	*ret = json_object_get_uint64(v);
	return true;
}

static int ctl_arg_validate(const struct ctl_command *command,
			    const struct ctl_arg *arg, struct json_object *v,
			    struct ctl_error *e)
{
	uint64_t u, max;

	switch (arg->type) {
	case CTL_ARG_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" must be true "
					     "or false, not %s.",
					     arg->name, command->name,
					     ctl_json_type_name(v));
		return 0;
	case CTL_ARG_UINT:
		if (!ctl_json_get_uint(v, &u))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" must be a "
					     "non-negative integer, not %s%s.",
					     arg->name, command->name,
					     json_object_is_type(v, json_type_int)
						     ? "negative "
						     : "",
					     ctl_json_type_name(v));
		max = arg->max ? arg->max : INT64_MAX;
		if (u < arg->min)
			return ctl_error_set(e, -ERANGE,
					     "Argument \"%s\" of \"%s\" must be at "
					     "least %" PRIu64 ", not %" PRIu64 ".",
					     arg->name, command->name, arg->min, u);
		if (u > max)
			return ctl_error_set(e, -ERANGE,
					     "Argument \"%s\" of \"%s\" must be at "
					     "most %" PRIu64 ", not %" PRIu64 ".",
					     arg->name, command->name, max, u);
		return 0;
	case CTL_ARG_STRING:
	case CTL_ARG_CGROUP:
		if (!json_object_is_type(v, json_type_string))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" must be a "
					     "string, not %s.",
					     arg->name, command->name,
					     ctl_json_type_name(v));
		if (!ctl_string_clean(v))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" contains a NUL "
					     "or control character.",
					     arg->name, command->name);
		if (!ctl_string_utf8(v))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" is not valid UTF-8 "
					     "(an overlong form, a surrogate or a stray byte).",
					     arg->name, command->name);
		if (arg->type == CTL_ARG_CGROUP &&
		    !ctl_cgroup_path_valid(json_object_get_string(v)))
			return ctl_error_set(e, -EINVAL,
					     "Argument \"%s\" of \"%s\" must be an "
					     "absolute path below the cgroup root, "
					     "like /system.slice/foo.service, with no "
					     "\"..\", \".\" or empty components and no "
					     "trailing slash.",
					     arg->name, command->name);
		return 0;
	}
	return ctl_error_set(e, -EINVAL, "Internal error: bad argument type.");
}

static void ctl_command_arg_names(const struct ctl_command *command, char *buf,
				  size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < command->n_args && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
			      command->args[i].name);
	if (command->n_args == 0)
		snprintf(buf, size, "none");
}

static int ctl_args_validate(const struct ctl_command *command,
			     struct json_object *args, struct ctl_error *e)
{
	char names[128];
	unsigned one_of_seen[4] = {};
	int r;

	json_object_object_foreach(args, key, v) {
		const struct ctl_arg *arg = ctl_command_find_arg(command, key);

		if (!arg) {
			ctl_command_arg_names(command, names, sizeof(names));
			return ctl_error_set(e, -EINVAL,
					     "Command \"%s\" has no argument \"%.*s\"; "
					     "its arguments are: %s.",
					     command->name, (int)utf8_prefix(key, 64), key,
					     names);
		}
		r = ctl_arg_validate(command, arg, v, e);
		if (r < 0)
			return r;
		if (arg->one_of && arg->one_of < ELEMENTSOF(one_of_seen))
			one_of_seen[arg->one_of]++;
	}
	for (size_t i = 0; i < command->n_args; i++) {
		const struct ctl_arg *arg = &command->args[i];

		if (arg->required && !json_object_object_get_ex(args, arg->name, NULL))
			return ctl_error_set(e, -EINVAL,
					     "Command \"%s\" needs argument \"%s\" "
					     "(%s).",
					     command->name, arg->name, arg->help);
		if (arg->one_of && arg->one_of < ELEMENTSOF(one_of_seen) &&
		    one_of_seen[arg->one_of] != 1) {
			size_t n = 0;

			names[0] = '\0';
			for (size_t j = 0; j < command->n_args; j++)
				if (command->args[j].one_of == arg->one_of &&
				    n < sizeof(names))
					n += snprintf(names + n, sizeof(names) - n,
						      "%s\"%s\"", n ? " or " : "",
						      command->args[j].name);
			return ctl_error_set(e, -EINVAL,
					     "Command \"%s\" needs exactly one of %s.",
					     command->name, names);
		}
	}
	return 0;
}

static void ctl_command_list(char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(ctl_commands) && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
			      ctl_commands[i].name);
}

/* Read the request id first, so that every later error can carry it. */
static int ctl_request_read_id(struct json_object *o, int64_t *ret_id,
			       struct ctl_error *e)
{
	struct json_object *v;
	uint64_t u;

	*ret_id = -1;
	if (!json_object_object_get_ex(o, "id", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!ctl_json_get_uint(v, &u))
		return ctl_error_set(e, -EINVAL,
				     "\"id\" must be a non-negative integer, not %s.",
				     ctl_json_type_name(v));
	if (u > INT64_MAX)
		return ctl_error_set(e, -ERANGE,
				     "\"id\" must be at most %" PRIi64 ".", INT64_MAX);
	*ret_id = (int64_t)u;
	return 0;
}

static int ctl_request_check_fields(struct json_object *o, struct ctl_error *e)
{
	static const char *const known[] = { "v", "id", "cmd", "args" };

	json_object_object_foreach(o, key, v) {
		bool found = false;

		(void)v;
		for (size_t i = 0; i < ELEMENTSOF(known); i++)
			found = found || streq(known[i], key);
		if (!found)
			return ctl_error_set(e, -EINVAL,
					     "Unknown field \"%.*s\" in the request; "
					     "a request has only v, id, cmd and args.",
					     (int)utf8_prefix(key, 64), key);
	}
	return 0;
}

static int ctl_request_check_version(struct json_object *o, struct ctl_error *e)
{
	struct json_object *v;
	uint64_t u;

	if (!json_object_object_get_ex(o, "v", &v))
		return ctl_error_set(e, -EINVAL,
				     "The request has no protocol version: add "
				     "\"v\":%d.",
				     CTL_PROTOCOL_VERSION);
	if (!ctl_json_get_uint(v, &u))
		return ctl_error_set(e, -EINVAL,
				     "\"v\" must be the integer %d, not %s.",
				     CTL_PROTOCOL_VERSION, ctl_json_type_name(v));
	if (u != CTL_PROTOCOL_VERSION)
		return ctl_error_set(e, -EPROTO,
				     "This reclaimd speaks protocol version %d but "
				     "the request is version %" PRIu64 ": use the "
				     "reclaimctl of the same release.",
				     CTL_PROTOCOL_VERSION, u);
	return 0;
}

static int ctl_request_read_command(struct json_object *o,
				    const struct ctl_command **ret,
				    struct ctl_error *e)
{
	struct json_object *v;
	const struct ctl_command *command;
	char names[256];

	if (!json_object_object_get_ex(o, "cmd", &v))
		return ctl_error_set(e, -EINVAL,
				     "The request has no \"cmd\": add e.g. "
				     "\"cmd\":\"status\".");
	if (!json_object_is_type(v, json_type_string) || !ctl_string_clean(v) ||
	    !ctl_string_utf8(v))
		return ctl_error_set(e, -EINVAL,
				     "\"cmd\" must be a command name string, not %s.",
				     ctl_json_type_name(v));
	command = ctl_command_find(json_object_get_string(v));
	if (!command) {
		ctl_command_list(names, sizeof(names));
		return ctl_error_set(e, -EOPNOTSUPP,
				     "Unknown command \"%.*s\"; the commands are: %s.",
				     (int)utf8_prefix(json_object_get_string(v), 64),
				     json_object_get_string(v), names);
	}
	*ret = command;
	return 0;
}

int ctl_request_parse(const char *line, size_t len, struct ctl_request *ret,
		      int64_t *ret_id, struct ctl_error *ret_error)
{
	struct json_object *o, *args = NULL;
	const struct ctl_command *command = NULL;
	int64_t id = -1;
	int r;

	*ret_id = -1;
	o = ctl_json_parse(line, len, ret_error);
	if (!o)
		return ret_error->code;
	if (!json_object_is_type(o, json_type_object)) {
		r = ctl_error_set(ret_error, -EINVAL,
				  "The request must be a JSON object like "
				  "{\"v\":%d,\"id\":1,\"cmd\":\"status\"}, not %s.",
				  CTL_PROTOCOL_VERSION, ctl_json_type_name(o));
		goto fail;
	}
	r = ctl_request_read_id(o, &id, ret_error);
	if (r < 0)
		goto fail;
	*ret_id = id;
	r = ctl_request_check_version(o, ret_error);
	if (r < 0)
		goto fail;
	r = ctl_request_check_fields(o, ret_error);
	if (r < 0)
		goto fail;
	r = ctl_request_read_command(o, &command, ret_error);
	if (r < 0)
		goto fail;
	if (json_object_object_get_ex(o, "args", &args) &&
	    !json_object_is_type(args, json_type_null)) {
		if (!json_object_is_type(args, json_type_object)) {
			r = ctl_error_set(ret_error, -EINVAL,
					  "\"args\" must be an object, not %s.",
					  ctl_json_type_name(args));
			goto fail;
		}
		json_object_get(args);
	} else {
		args = json_object_new_object();
		if (!args) {
			r = ctl_error_set(ret_error, -ENOMEM, "Out of memory.");
			goto fail;
		}
	}
	r = ctl_args_validate(command, args, ret_error);
	if (r < 0) {
		json_object_put(args);
		goto fail;
	}
	json_object_put(o);
	*ret = (struct ctl_request){ .id = id, .command = command, .args = args };
	return 0;
fail:
	json_object_put(o);
	return r;
}

void ctl_request_done(struct ctl_request *req)
{
	json_object_put(req->args);
	req->args = NULL;
}

/* Serialise o as one "\n"-terminated line; consumes o. */
static char *ctl_line_take(struct json_object *o)
{
	const char *s;
	char *line = NULL;
	size_t n;

	if (!o)
		return NULL;
	s = ctl_json_to_string(o);
	if (s) {
		_cleanup_free_ char *clean = NULL;

		/* json-c copies string bytes as they are: a cgroup name or
		 * a message with invalid UTF-8 would make the line invalid.
		 * Such bytes become U+FFFD (issue 17 B12). */
		n = strlen(s);
		if (utf8_prefix(s, n) != n) {
			clean = utf8_sanitize(s, n);
			if (!clean) {
				json_object_put(o);
				return NULL;
			}
			s = clean;
			n = strlen(s);
		}
		line = malloc(n + 2);
		if (line) {
			memcpy(line, s, n);
			line[n] = '\n';
			line[n + 1] = '\0';
		}
	}
	json_object_put(o);
	return line;
}

static struct json_object *ctl_message_new(int64_t id, bool with_id)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "v", json_object_new_int(CTL_PROTOCOL_VERSION));
	if (with_id)
		json_object_object_add(o, "id",
				       id >= 0 ? json_object_new_int64(id) : NULL);
	return o;
}

/* A borrowed object, or a new empty one for NULL. */
static struct json_object *ctl_ref_or_empty(struct json_object *o)
{
	return o ? json_object_get(o) : json_object_new_object();
}

char *ctl_request_format(int64_t id, const char *cmd, struct json_object *args)
{
	struct json_object *o = ctl_message_new(id, true);

	if (!o)
		return NULL;
	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	json_object_object_add(o, "args", ctl_ref_or_empty(args));
	return ctl_line_take(o);
}

char *ctl_reply_format_ok(int64_t id, struct json_object *result)
{
	struct json_object *o = ctl_message_new(id, true);

	if (!o)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(true));
	json_object_object_add(o, "result", ctl_ref_or_empty(result));
	return ctl_line_take(o);
}

char *ctl_reply_format_error(int64_t id, int code, const char *message)
{
	struct json_object *o = ctl_message_new(id, true), *err;

	if (!o)
		return NULL;
	err = json_object_new_object();
	if (!err) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(err, "code",
			       json_object_new_string(ctl_error_code_to_string(code)));
	json_object_object_add(err, "message",
			       json_object_new_string(message && *message
							      ? message
							      : strerror(code < 0 ? -code : code)));
	json_object_object_add(o, "error", err);
	return ctl_line_take(o);
}

char *ctl_event_format(struct json_object *event)
{
	struct json_object *o = ctl_message_new(-1, false);

	if (!o)
		return NULL;
	json_object_object_add(o, "event", ctl_ref_or_empty(event));
	return ctl_line_take(o);
}

static int ctl_reply_parse_error(struct json_object *err, struct ctl_reply *r,
				 struct ctl_error *e)
{
	struct json_object *code, *message;

	if (!json_object_is_type(err, json_type_object) ||
	    !json_object_object_get_ex(err, "code", &code) ||
	    !json_object_is_type(code, json_type_string) ||
	    !json_object_object_get_ex(err, "message", &message) ||
	    !json_object_is_type(message, json_type_string))
		return ctl_error_set(e, -EBADMSG,
				     "The daemon sent an error without a code and "
				     "a message.");
	r->kind = CTL_REPLY_ERROR;
	r->error.code = ctl_error_code_from_string(json_object_get_string(code));
	snprintf(r->error.message, sizeof(r->error.message), "%s",
		 json_object_get_string(message));
	return 0;
}

static int ctl_reply_classify(struct json_object *o, struct ctl_reply *r,
			      struct ctl_error *e)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, "event", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return ctl_error_set(e, -EBADMSG,
					     "The daemon sent an event that is not "
					     "an object.");
		r->kind = CTL_REPLY_EVENT;
		r->payload = json_object_get(v);
		return 0;
	}
	if (json_object_object_get_ex(o, "error", &v))
		return ctl_reply_parse_error(v, r, e);
	if (!json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v) ||
	    !json_object_object_get_ex(o, "result", &v) ||
	    !json_object_is_type(v, json_type_object))
		return ctl_error_set(e, -EBADMSG,
				     "The daemon sent a reply with neither "
				     "\"ok\":true and a result object nor an error.");
	r->kind = CTL_REPLY_OK;
	r->payload = json_object_get(v);
	return 0;
}

int ctl_reply_parse(const char *line, size_t len, struct ctl_reply *ret,
		    struct ctl_error *ret_error)
{
	struct json_object *o, *v;
	struct ctl_reply reply = { .id = -1 };
	uint64_t u;
	int r;

	o = ctl_json_parse(line, len, ret_error);
	if (!o) {
		ret_error->code = -EBADMSG;
		return -EBADMSG;
	}
	if (!json_object_is_type(o, json_type_object)) {
		r = ctl_error_set(ret_error, -EBADMSG,
				  "The daemon sent %s instead of an object.",
				  ctl_json_type_name(o));
		goto finish;
	}
	if (!json_object_object_get_ex(o, "v", &v) || !ctl_json_get_uint(v, &u) ||
	    u != CTL_PROTOCOL_VERSION) {
		r = ctl_error_set(ret_error, -EBADMSG,
				  "The daemon speaks another protocol version than "
				  "this reclaimctl (%d): use tools of the same "
				  "release.",
				  CTL_PROTOCOL_VERSION);
		goto finish;
	}
	if (json_object_object_get_ex(o, "id", &v) && ctl_json_get_uint(v, &u) &&
	    u <= INT64_MAX)
		reply.id = (int64_t)u;
	r = ctl_reply_classify(o, &reply, ret_error);
	if (r >= 0)
		*ret = reply;
finish:
	json_object_put(o);
	return r;
}

void ctl_reply_done(struct ctl_reply *reply)
{
	json_object_put(reply->payload);
	reply->payload = NULL;
}
