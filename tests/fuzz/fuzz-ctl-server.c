/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control server's framing and limits over a real socket: line
 * splitting at every chunk boundary, blank and NUL lines, oversized lines,
 * a pipelining client whose output passes the cap (throttled, not
 * dropped), deferred replies, broadcast events to a subscriber, and the
 * half-close at the end. Small limits so that every one of them is
 * reached by short inputs. A fake handler answers: the manager's handlers
 * have their own target (fuzz-manager-ctl).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "ctl-server.h"
#include "fuzz-socket.h"
#include "log.h"

static struct event_base *base;
static struct ctl_server *server;
static struct event *answer;
static struct ctl_call *pending;
static char path[64];

static void answer_cb(evutil_socket_t fd, short what, void *userdata)
{
	struct json_object *o = json_object_new_object();

	(void)fd;
	(void)what;
	(void)userdata;
	json_object_object_add(o, "reclaimed_bytes", json_object_new_int64(4096));
	ctl_call_reply(pending, 0, o, NULL);
	pending = NULL;
}

static int fake_handle(void *userdata, struct ctl_call *call, const struct ctl_peer *peer,
		       const struct ctl_command *command, struct json_object *args,
		       struct json_object **ret, char *err, size_t errlen)
{
	struct json_object *o, *x;

	(void)userdata;
	(void)peer;
	switch (command->id) {
	case CTL_CMD_RECLAIM:
		if (pending)
			__builtin_trap(); /* one deferred call per client at a time */
		pending = call;
		event_active(answer, 0, 0);
		return CTL_HANDLE_DEFERRED;
	case CTL_CMD_CONFIG:
		/* An error whose message echoes request bytes. */
		snprintf(err, errlen, "No such key \"%s\".",
			 json_object_object_get_ex(args, "key", &x) ? json_object_get_string(x) : "");
		return -ENOENT;
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(command->name));
		ctl_server_broadcast_event(server, o);
		json_object_put(o);
		break;
	default:
		break;
	}
	/* Replies of a few hundred bytes: 8 of them pass the output cap. */
	o = json_object_new_object();
	json_object_object_add(o, "command", json_object_new_string(command->name));
	json_object_object_add(o, "pad", json_object_new_string(
		"................................................................"
		"................................................................"
		"................................................................"));
	*ret = o;
	return 0;
}

static const struct ctl_handler handler = { .handle = fake_handle };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ctl_server_options o = {
		.max_line_bytes = 512,
		.max_output_bytes = 2048,
		.idle_timeout_usec = 60 * USEC_PER_SEC,
	};
	char dir[] = "/tmp/fuzz-ctl-server.XXXXXX";

	(void)argc;
	(void)argv;
	log_set_max_level(LOG_CRIT);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	base = event_base_new();
	answer = event_new(base, -1, 0, answer_cb, NULL);
	o.path = path;
	if (!base || !answer || ctl_server_new(base, &o, &handler, NULL, &server) < 0)
		abort();
	return 0;
}

static unsigned n_clients(void)
{
	return ctl_server_n_clients(server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fuzz_socket_session(base, path, data, size);
	/* Every client is gone once it closed: nothing leaks across inputs. */
	fuzz_socket_settle(base, n_clients);
	if (ctl_server_n_subscribers(server) != 0 || pending)
		__builtin_trap();
	return 0;
}
