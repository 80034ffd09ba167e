/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Blocking control-socket client with bounded waits.
 */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "ctl-client.h"
#include "macro.h"
#include "util.h"

#define CTL_CLIENT_TIMEOUT_USEC_DEFAULT (30 * USEC_PER_SEC)
/* Replies are read in chunks of this size; most fit in one. */
#define CTL_CLIENT_READ_CHUNK_BYTES 65536

struct ctl_client {
	int fd;
	uint64_t timeout_usec;
	int64_t next_id;
	char *buf;          /* received, not yet consumed */
	size_t len, size;
};

const char *ctl_client_default_path(void)
{
	const char *e = getenv("RECLAIMD_SOCKET");

	return e && *e ? e : RECLAIMD_SOCKET_PATH;
}

_printf_(3, 4) static int ctl_client_error(struct ctl_error *e, int code,
					   const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

/* Milliseconds left until deadline for poll(); -1 for no deadline. */
static int ctl_poll_ms(uint64_t deadline)
{
	uint64_t now;

	if (deadline == USEC_INFINITY)
		return -1;
	now = now_usec();
	if (now >= deadline)
		return 0;
	return (int)MIN(DIV_ROUND_UP(deadline - now, USEC_PER_MSEC), (uint64_t)INT32_MAX);
}

static uint64_t ctl_deadline(uint64_t timeout_usec)
{
	uint64_t now = now_usec();

	/* A timeout past the end of the clock is none. */
	return timeout_usec >= USEC_INFINITY - now ? USEC_INFINITY : now + timeout_usec;
}

static int ctl_wait(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	for (;;) {
		r = poll(&p, 1, ctl_poll_ms(deadline));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return negative_errno();
	}
}

int ctl_client_connect(const char *path, uint64_t timeout_usec,
		       struct ctl_client **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	uint64_t deadline = ctl_deadline(timeout_usec);
	struct ctl_client *c;
	int r;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return negative_errno();
	/* AF_UNIX connect() fails with EAGAIN while the listen backlog is
	 * full, and poll() cannot wait for room there (an unconnected socket
	 * polls writable at once): retry every 10 ms until the deadline. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINPROGRESS) {
			r = ctl_wait(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			break;
		}
		if (errno != EAGAIN && errno != EINTR)
			return negative_errno();
		if (now_usec() >= deadline)
			return -ETIMEDOUT;
		(void)usleep(10000);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = TAKE_FD(fd);
	c->timeout_usec = CTL_CLIENT_TIMEOUT_USEC_DEFAULT;
	c->next_id = 1;
	*ret = c;
	return 0;
}

struct ctl_client *ctl_client_free(struct ctl_client *client)
{
	if (!client)
		return NULL;
	safe_close(client->fd);
	free(client->buf);
	free(client);
	return NULL;
}

int ctl_client_fd(const struct ctl_client *client)
{
	return client->fd;
}

void ctl_client_set_timeout(struct ctl_client *client, uint64_t timeout_usec)
{
	client->timeout_usec = timeout_usec;
}

int ctl_client_send_raw(struct ctl_client *client, const char *data, size_t len)
{
	uint64_t deadline = ctl_deadline(client->timeout_usec);
	int r;

	while (len > 0) {
		ssize_t n = send(client->fd, data, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return negative_errno();
			r = ctl_wait(client->fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Receive more bytes into the buffer; -ECONNRESET on EOF. */
static int ctl_client_fill(struct ctl_client *client, uint64_t deadline)
{
	ssize_t n;
	int r;

	if (client->size - client->len < CTL_CLIENT_READ_CHUNK_BYTES) {
		size_t size = client->size + CTL_CLIENT_READ_CHUNK_BYTES;
		char *b = realloc(client->buf, size);

		if (!b)
			return -ENOMEM;
		client->buf = b;
		client->size = size;
	}
	for (;;) {
		n = recv(client->fd, client->buf + client->len,
			 client->size - client->len - 1, 0);
		if (n > 0) {
			client->len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return negative_errno();
		r = ctl_wait(client->fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

int ctl_client_read(struct ctl_client *client, uint64_t timeout_usec,
		    struct ctl_reply *ret, struct ctl_error *ret_error)
{
	uint64_t deadline = ctl_deadline(timeout_usec);
	struct ctl_error local;
	char *nl;
	size_t n;
	int r;

	for (;;) {
		nl = client->len ? memchr(client->buf, '\n', client->len) : NULL;
		if (nl)
			break;
		if (client->len > CTL_REPLY_MAX_BYTES)
			return ctl_client_error(ret_error, -E2BIG,
						"The daemon sent a line longer than "
						"%d bytes.",
						CTL_REPLY_MAX_BYTES);
		r = ctl_client_fill(client, deadline);
		if (r == -ECONNRESET || r == -EPIPE)
			return ctl_client_error(ret_error, -ECONNRESET,
						"The daemon closed the connection.");
		if (r == -ETIMEDOUT)
			return ctl_client_error(ret_error, r,
						"No answer from the daemon in time.");
		if (r < 0)
			return ctl_client_error(ret_error, r,
						"Reading from the daemon failed: %s.",
						strerror(-r));
	}
	n = (size_t)(nl - client->buf);
	r = ctl_reply_parse(client->buf, n, ret, ret_error ? ret_error : &local);
	memmove(client->buf, nl + 1, client->len - n - 1);
	client->len -= n + 1;
	return r;
}

int ctl_client_call(struct ctl_client *client, const char *cmd,
		    struct json_object *args, struct json_object **ret_result,
		    struct ctl_error *ret_error)
{
	_cleanup_free_ char *line = NULL;
	int64_t id = client->next_id++;
	uint64_t deadline;
	int r;

	line = ctl_request_format(id, cmd, args);
	if (!line)
		return ctl_client_error(ret_error, -ENOMEM, "Out of memory.");
	r = ctl_client_send_raw(client, line, strlen(line));
	if (r < 0)
		return ctl_client_error(ret_error, r == -EPIPE ? -ECONNRESET : r,
					"Sending to the daemon failed: %s.",
					strerror(-r));
	deadline = ctl_deadline(client->timeout_usec);
	for (;;) {
		struct ctl_reply reply;
		uint64_t now = now_usec();

		r = ctl_client_read(client,
				    deadline == USEC_INFINITY
					    ? USEC_INFINITY
					    : (deadline > now ? deadline - now : 0),
				    &reply, ret_error);
		if (r < 0)
			return r;
		if (reply.kind == CTL_REPLY_EVENT) {
			ctl_reply_done(&reply);
			continue;
		}
		if (reply.kind == CTL_REPLY_ERROR && (reply.id == id || reply.id < 0)) {
			/* An error without our id (a connection-level refusal such
			 * as too many clients or an oversized line) is ours too. */
			if (ret_error)
				*ret_error = reply.error;
			return -EREMOTE;
		}
		if (reply.id != id) {
			ctl_reply_done(&reply);
			continue;
		}
		*ret_result = TAKE_PTR(reply.payload);
		return 0;
	}
}
