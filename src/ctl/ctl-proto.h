/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The control protocol between reclaimd and its clients (reclaimctl, tests,
 * scripts): the ONE header both sides include. Pure encode/decode, no I/O.
 *
 * One JSON object per line ("\n"-terminated, UTF-8) each way:
 *
 *   request  {"v":1,"id":7,"cmd":"reclaim","args":{"node":0,"bytes":1048576}}
 *   reply    {"v":1,"id":7,"ok":true,"result":{...}}
 *   error    {"v":1,"id":7,"error":{"code":"EPERM","message":"..."}}
 *   event    {"v":1,"event":{"type":"wake",...}}        (watch subscribers)
 *
 * The reply schema of every command is in docs/protocol.md.
 *
 * Don't forget to bump CTL_PROTOCOL_VERSION when a request or reply changes
 * in a way an older peer would misread (a renamed or retyped field, a new
 * required argument). Adding an optional argument or a new result field is
 * compatible and needs no bump.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define CTL_PROTOCOL_VERSION 1

/* A request line longer than this is refused and the client disconnected:
 * the longest legitimate request (a cgroup path of PATH_MAX = 4096 bytes
 * plus a few arguments) is far below it. */
#define CTL_REQUEST_MAX_BYTES (64 * 1024)

/* Reply lines can be long (the cgroups list on a host with thousands of
 * cgroups is a few MiB); clients accept up to this much. */
#define CTL_REPLY_MAX_BYTES (16 * 1024 * 1024)

/* JSON nesting refused beyond this depth; requests need 2. */
#define CTL_JSON_MAX_DEPTH 16

/* A human-readable error message fits in this. */
#define CTL_ERROR_MESSAGE_MAX 256

enum ctl_command_id {
	CTL_CMD_STATUS,
	CTL_CMD_NODES,
	CTL_CMD_CGROUPS,
	CTL_CMD_STATS,
	CTL_CMD_CONFIG,
	CTL_CMD_SET,
	CTL_CMD_RELOAD,
	CTL_CMD_PAUSE,
	CTL_CMD_RESUME,
	CTL_CMD_RECLAIM,
	CTL_CMD_BOOST,
	CTL_CMD_WATCH,
	_CTL_CMD_MAX,
};

enum ctl_arg_type {
	CTL_ARG_BOOL,   /* JSON true/false */
	CTL_ARG_UINT,   /* JSON integer, 0 <= n <= max (max 0: no limit but INT64_MAX) */
	CTL_ARG_STRING, /* JSON string, no NUL, no control characters */
	CTL_ARG_CGROUP, /* JSON string: an absolute cgroup path, see ctl_cgroup_path_valid() */
};

struct ctl_arg {
	const char *name;
	enum ctl_arg_type type;
	bool required;
	/* Arguments with the same non-zero one_of group: exactly one of them
	 * must be given (reclaim takes node or cgroup). */
	unsigned one_of;
	/* true when giving this argument as true makes the request change the
	 * daemon (stats reset), so it needs an admin peer. */
	bool mutating_if_true;
	uint64_t min; /* CTL_ARG_UINT only */
	uint64_t max; /* CTL_ARG_UINT only */
	const char *help;
};

struct ctl_command {
	enum ctl_command_id id;
	const char *name;
	bool mutating; /* changes the daemon: root or the admin group only */
	bool stream;   /* the reply is followed by events (watch) */
	const struct ctl_arg *args;
	size_t n_args;
	const char *help;
};

/* The command table, indexed by enum ctl_command_id. */
extern const struct ctl_command ctl_commands[_CTL_CMD_MAX];

const struct ctl_command *ctl_command_find(const char *name);
const struct ctl_arg *ctl_command_find_arg(const struct ctl_command *command,
					   const char *name);

/* true when this request needs an admin peer (the command mutates, or an
 * argument such as stats' reset is set). args may be NULL. */
bool ctl_command_is_mutating(const struct ctl_command *command,
			     struct json_object *args);

/*
 * An absolute cgroup path relative to the cgroup root: "/", or "/a/b" with
 * no empty, "." or ".." component, no trailing slash, no control
 * characters, at most 4095 bytes. This is syntax only: the actuators
 * resolve the path beneath the root (no symlinks out) when they open it.
 */
bool ctl_cgroup_path_valid(const char *path);

/* An error as carried on the wire: a negative errno and a sentence. */
struct ctl_error {
	int code; /* negative errno, e.g. -EPERM */
	char message[CTL_ERROR_MESSAGE_MAX];
};

/* "EPERM" for -EPERM (or EPERM); "EIO" for anything not in the table. */
const char *ctl_error_code_to_string(int code);
/* -EPERM for "EPERM"; -EIO for unknown names. */
int ctl_error_code_from_string(const char *s);

/* A decoded, validated request. */
struct ctl_request {
	int64_t id;  /* -1 when the client sent none */
	const struct ctl_command *command;
	struct json_object *args; /* always an object (maybe empty); owned */
};

void ctl_request_done(struct ctl_request *req);

/*
 * Decode one request line (without the "\n"; len bytes, NUL not needed).
 * On success fills *ret and returns 0. On failure returns a negative errno
 * (-EINVAL bad JSON/types/arguments, -EPROTO wrong version, -ENOENT unknown
 * command... all listed in docs/protocol.md), fills *ret_error with a
 * sentence a person can act on, stores the request id in *ret_id when one
 * could be read (-1 otherwise), and leaves *ret untouched.
 */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *ret,
		      int64_t *ret_id, struct ctl_error *ret_error);

/*
 * Encoders: each returns a newly allocated line ending in "\n" (free()
 * it), or NULL on allocation failure. id < 0 encodes as null. result/args
 * may be NULL (an empty object is sent); they are not consumed.
 */
char *ctl_request_format(int64_t id, const char *cmd, struct json_object *args);
char *ctl_reply_format_ok(int64_t id, struct json_object *result);
char *ctl_reply_format_error(int64_t id, int code, const char *message);
char *ctl_event_format(struct json_object *event);

/* A decoded reply or event line, on the client side. */
enum ctl_reply_kind {
	CTL_REPLY_OK,
	CTL_REPLY_ERROR,
	CTL_REPLY_EVENT,
};

struct ctl_reply {
	enum ctl_reply_kind kind;
	int64_t id;                  /* -1 for events and null ids */
	struct json_object *payload; /* result or event; owned; NULL for errors */
	struct ctl_error error;      /* CTL_REPLY_ERROR only */
};

void ctl_reply_done(struct ctl_reply *reply);

/* Decode one reply/event line; -EBADMSG (with a message in *ret_error) on
 * anything that is not a well-formed reply of this protocol version. */
int ctl_reply_parse(const char *line, size_t len, struct ctl_reply *ret,
		    struct ctl_error *ret_error);

/* Blank between and after requests: space, tab, CR (not NUL). */
bool ctl_is_blank(char c);

/* Serialise JSON the way the protocol does: one line, no escaped slashes. */
const char *ctl_json_to_string(struct json_object *o);
