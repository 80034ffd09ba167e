/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A small blocking client for the control socket (reclaimctl, tests,
 * benchmarks): connect with a timeout, send a request, read its reply, or
 * read the event stream after "watch". Every wait is bounded by poll().
 */

#include <stdint.h>

#include "ctl-proto.h"
#include "macro.h"

struct json_object;
struct ctl_client;

/* The socket path to use: $RECLAIMD_SOCKET if set and not empty, else the
 * built-in default. */
const char *ctl_client_default_path(void);

/* Connect to path, waiting at most timeout_usec for a full backlog. */
int ctl_client_connect(const char *path, uint64_t timeout_usec,
		       struct ctl_client **ret);
struct ctl_client *ctl_client_free(struct ctl_client *client);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ctl_client *, ctl_client_free);

int ctl_client_fd(const struct ctl_client *client);

/* Wait at most this long for each reply (default 30 s: a reclaim of many
 * GiB through memory.reclaim can take seconds). */
void ctl_client_set_timeout(struct ctl_client *client, uint64_t timeout_usec);

/*
 * Send one request and wait for its reply. Returns 0 with *ret_result set
 * (a new reference), or -EREMOTE when the daemon answered with an error
 * (*ret_error filled, code and message as sent), or another negative errno
 * when the connection failed (*ret_error says what happened). Events that
 * arrive before the reply are skipped.
 */
int ctl_client_call(struct ctl_client *client, const char *cmd,
		    struct json_object *args, struct json_object **ret_result,
		    struct ctl_error *ret_error);

/* Send a raw line (tests: malformed input); "\n" is not added. */
int ctl_client_send_raw(struct ctl_client *client, const char *data, size_t len);

/*
 * Read the next line and decode it: a reply, an error or an event.
 * timeout_usec bounds the wait (USEC_INFINITY waits for ever). -ETIMEDOUT
 * if nothing complete arrived, -ECONNRESET when the daemon closed.
 */
int ctl_client_read(struct ctl_client *client, uint64_t timeout_usec,
		    struct ctl_reply *ret, struct ctl_error *ret_error);
