/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket server (libevent_core). Glue only: framing, limits,
 * credentials and dispatch; the protocol is in ctl-proto.c and the answers
 * come from the manager's handler.
 *
 * A client that misbehaves is marked (closing: flush an error line, then
 * close; dead: close now) inside its callback and freed later by the
 * server's deferred event, never inside its own callback, so no libevent
 * callback ever runs on a freed bufferevent.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "ctl-server.h"
#include "log.h"
#include "macro.h"
#include "util.h"

/* listen(2) backlog: connections beyond max_clients are accepted and
 * refused with an error line, so the backlog only absorbs bursts. */
#define CTL_SERVER_BACKLOG 128

struct ctl_client {
	struct ctl_server *server;
	struct ctl_client *prev, *next;
	struct bufferevent *bev;
	struct ctl_peer peer;
	struct ctl_call *pending; /* deferred call in flight, at most one */
	/* Closes the client when no complete request arrives in time. */
	struct event *deadline;
	bool subscriber;
	bool closing;      /* flush the output, then close */
	bool dead;         /* close at the next deferred run */
	bool need_process; /* input left to process at the next deferred run */
	bool throttled;    /* output over the cap: input waits until it drains */
	bool eof;          /* the peer shut down its side: answer, flush, close */
	/* Bytes at the start of the input already searched for "\n": a
	 * client dripping a long line byte by byte costs O(n), not O(n^2). */
	size_t scanned;
	/* Bytes at the start of the output sent by ctl_client_flush_now()
	 * (after the loop: they stay in the frozen buffer). */
	size_t flushed;
};

struct ctl_call {
	struct ctl_client *client; /* NULL once the client is gone */
	int64_t id;
	bool flush; /* the answer is sent at once (ctl_call_flush_reply()) */
};

struct ctl_server {
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *deferred;
	struct ctl_handler handler;
	void *userdata;
	struct ctl_server_options options;
	char *admin_group;
	gid_t admin_gid;
	bool has_admin_gid;
	char *unlink_path; /* socket we created, removed on free */
	int lock_fd;       /* flock()ed lock file beside it, held while we run */
	struct ctl_client *clients;
	unsigned n_clients, n_subscribers, next_peer_id;
	bool refusing; /* logged "too many clients" since the last accept */
};

static void ctl_server_schedule(struct ctl_server *server)
{
	event_active(server->deferred, 0, 0);
}

static void ctl_client_kill(struct ctl_client *client)
{
	client->dead = true;
	ctl_server_schedule(client->server);
}

static bool ctl_client_output_full(struct ctl_client *client)
{
	return evbuffer_get_length(bufferevent_get_output(client->bev)) >
	       client->server->options.max_output_bytes;
}

/* Queue one line (consumed). Replies are never refused: the input is not
 * read while the output is over the cap (ctl_client_process()), so at
 * most one reply lands above it. */
static void ctl_client_send_line(struct ctl_client *client, char *line)
{
	struct evbuffer *out = bufferevent_get_output(client->bev);

	if (!line || evbuffer_add(out, line, strlen(line)) < 0) {
		free(line);
		log_warning("Control client %u: out of memory, dropping it.",
			    client->peer.id);
		ctl_client_kill(client);
	}
	free(line);
}

/* Queue one event line (consumed) for a subscriber. Events cannot be held
 * back: judged by what was already queued, so a subscriber that leaves
 * earlier output unread is dropped at the next event. */
static void ctl_client_send_event(struct ctl_client *client, char *line)
{
	if (ctl_client_output_full(client)) {
		log_notice("Control client %u (pid %d) does not read its events "
			   "(%zu bytes queued), dropping it.",
			   client->peer.id, (int)client->peer.pid,
			   evbuffer_get_length(bufferevent_get_output(client->bev)));
		free(line);
		ctl_client_kill(client);
		return;
	}
	ctl_client_send_line(client, line);
}

static void ctl_client_send_error(struct ctl_client *client, int64_t id,
				  int code, const char *message)
{
	ctl_client_send_line(client, ctl_reply_format_error(id, code, message));
}

/* Send an error and close once it is written. */
static void ctl_client_send_error_and_close(struct ctl_client *client,
					    int code, const char *message)
{
	ctl_client_send_error(client, -1, code, message);
	client->closing = true;
	bufferevent_disable(client->bev, EV_READ);
	evtimer_del(client->deadline);
}

/* (Re)start the clock for the next complete request. */
static void ctl_client_arm_deadline(struct ctl_client *client)
{
	struct timeval tv = {
		.tv_sec = client->server->options.idle_timeout_usec / USEC_PER_SEC,
		.tv_usec = client->server->options.idle_timeout_usec % USEC_PER_SEC,
	};

	if (client->subscriber || client->closing || client->dead)
		evtimer_del(client->deadline);
	else
		evtimer_add(client->deadline, &tv);
}

static void ctl_client_answer(struct ctl_client *client, int64_t id, int r,
			      struct json_object *result, const char *message)
{
	if (r < 0)
		ctl_client_send_error(client, id, r, message);
	else
		ctl_client_send_line(client, ctl_reply_format_ok(id, result));
	json_object_put(result);
}

/* Live connections of uid, or only those that watch. */
static unsigned ctl_server_n_held_by(const struct ctl_server *server, uid_t uid,
				     bool watchers_only)
{
	unsigned n = 0;

	for (const struct ctl_client *c = server->clients; c; c = c->next)
		n += (c->subscriber || !watchers_only) && c->peer.uid == uid && !c->dead;
	return n;
}

/* The limits one kind of place (a connection, a watcher) is admitted by. */
struct ctl_admission {
	const char *what;   /* "clients", "watchers" */
	const char *each;   /* what a uid holds: "connections", "watchers" */
	const char *retry;  /* "has disconnected", "has stopped" */
	const char *drop;   /* "close one", "stop one" */
	unsigned n;         /* held now */
	unsigned max;
	unsigned reserved;  /* of max, for root and the admin group */
	unsigned per_uid;   /* for any other uid */
	unsigned n_of_uid;  /* held now by the peer's uid */
};

/* May this peer have a place? 0, or -EUSERS with the reason in message.
 * Root and the admin group can always take the reserved places, so no
 * unprivileged user (however many connections, watchers or uids) locks
 * them out; any other uid holds at most per_uid. */
static int ctl_admit(const struct ctl_admission *a, const struct ctl_peer *peer,
		     char *message, size_t size)
{
	if (a->n >= a->max) {
		snprintf(message, size,
			 "Too many %s: reclaimd serves at most %u at once; "
			 "try again when one %s.",
			 a->what, a->max, a->retry);
		return -EUSERS;
	}
	if (peer->admin)
		return 0;
	if (a->n >= a->max - a->reserved) {
		snprintf(message, size,
			 "Too many %s: reclaimd serves at most %u at once; "
			 "the last %u %s are kept for root and the admin group.",
			 a->what, a->max, a->reserved, a->each);
		return -EUSERS;
	}
	if (a->n_of_uid >= a->per_uid) {
		snprintf(message, size,
			 "Too many %s: uid %u already has %u %s, the most one "
			 "user may hold; %s first.",
			 a->what, (unsigned)peer->uid, a->per_uid, a->each, a->drop);
		return -EUSERS;
	}
	return 0;
}

/* May this client watch? The same three rules as a connection's. */
static int ctl_server_admit_subscriber(const struct ctl_server *server,
				       const struct ctl_peer *peer,
				       char *message, size_t size)
{
	const struct ctl_server_options *o = &server->options;

	return ctl_admit(&(struct ctl_admission){
				 .what = "watchers",
				 .each = "watchers",
				 .retry = "has stopped",
				 .drop = "stop one",
				 .n = server->n_subscribers,
				 .max = o->max_subscribers,
				 .reserved = o->reserved_admin_subscribers,
				 .per_uid = o->max_subscribers_per_uid,
				 .n_of_uid = ctl_server_n_held_by(server, peer->uid, true),
			 },
			 peer, message, size);
}

static void ctl_client_subscribe(struct ctl_client *client, int64_t id)
{
	struct ctl_server *server = client->server;
	struct json_object *result;
	char message[CTL_ERROR_MESSAGE_MAX];
	int r;

	if (!client->subscriber) {
		r = ctl_server_admit_subscriber(server, &client->peer, message,
						sizeof(message));
		if (r < 0) {
			ctl_client_send_error(client, id, r, message);
			return;
		}
	}
	result = json_object_new_object();
	if (!client->subscriber) {
		client->subscriber = true;
		server->n_subscribers++;
		if (server->handler.subscribers_changed)
			server->handler.subscribers_changed(server->userdata,
							    server->n_subscribers);
		/* A subscriber may stay silent for ever; it must still read
		 * (the write timeout stays). */
		evtimer_del(client->deadline);
	}
	if (result)
		json_object_object_add(result, "subscribed", json_object_new_boolean(true));
	ctl_client_answer(client, id, 0, result, NULL);
}

static void ctl_client_refuse(struct ctl_client *client, int64_t id,
			      const struct ctl_command *command)
{
	const struct ctl_server *server = client->server;
	char message[CTL_ERROR_MESSAGE_MAX];

	if (server->admin_group)
		snprintf(message, sizeof(message),
			 "Permission denied: \"%s\" changes the daemon and needs "
			 "root or membership of group \"%s\"; you are uid %u. "
			 "Read-only commands work for you.",
			 command->name, server->admin_group, (unsigned)client->peer.uid);
	else
		snprintf(message, sizeof(message),
			 "Permission denied: \"%s\" changes the daemon and needs "
			 "root (no admin group is configured); you are uid %u. "
			 "Read-only commands work for you.",
			 command->name, (unsigned)client->peer.uid);
	ctl_client_send_error(client, id, -EPERM, message);
}

static void ctl_client_dispatch(struct ctl_client *client, struct ctl_request *req)
{
	struct ctl_server *server = client->server;
	struct json_object *result = NULL;
	char errbuf[CTL_ERROR_MESSAGE_MAX] = "";
	struct ctl_call *call;
	int r;

	if (ctl_command_is_mutating(req->command, req->args) && !client->peer.admin) {
		ctl_client_refuse(client, req->id, req->command);
		return;
	}
	if (req->command->id == CTL_CMD_WATCH) {
		ctl_client_subscribe(client, req->id);
		return;
	}
	call = malloc(sizeof(*call));
	if (!call) {
		ctl_client_send_error(client, req->id, -ENOMEM, "Out of memory.");
		return;
	}
	*call = (struct ctl_call){ .client = client, .id = req->id };
	r = server->handler.handle(server->userdata, call, &client->peer, req->command,
				   req->args, &result, errbuf, sizeof(errbuf));
	if (r == CTL_HANDLE_DEFERRED) {
		client->pending = call;
		bufferevent_disable(client->bev, EV_READ);
		return;
	}
	free(call);
	ctl_client_answer(client, req->id, r, r < 0 ? NULL : result, errbuf);
	if (r < 0)
		json_object_put(result);
}

static bool ctl_line_blank(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ctl_is_blank(line[i]))
			return false;
	return true;
}

static void ctl_client_handle_line(struct ctl_client *client, const char *line,
				   size_t n)
{
	struct ctl_request req;
	struct ctl_error error;
	int64_t id;
	int r;

	/* Blank lines are what a person typing into socat sends by mistake;
	 * they do not count as a request for the idle clock. */
	if (ctl_line_blank(line, n))
		return;
	ctl_client_arm_deadline(client);
	r = ctl_request_parse(line, n, &req, &id, &error);
	if (r < 0) {
		log_debug("Control client %u: bad request: %s", client->peer.id,
			  error.message);
		ctl_client_send_error(client, id, r, error.message);
		return;
	}
	ctl_client_dispatch(client, &req);
	ctl_request_done(&req);
}

static void ctl_client_line_too_long(struct ctl_client *client)
{
	char message[CTL_ERROR_MESSAGE_MAX];

	log_notice("Control client %u (pid %d) sent a line over %zu bytes, "
		   "closing it.",
		   client->peer.id, (int)client->peer.pid,
		   client->server->options.max_line_bytes);
	snprintf(message, sizeof(message),
		 "Request line longer than %zu bytes; closing the connection. "
		 "Send one JSON object per line, terminated by a newline.",
		 client->server->options.max_line_bytes);
	ctl_client_send_error_and_close(client, -E2BIG, message);
}

/* The peer shut down its side and every complete line is answered: the
 * rest of the input (a last line without "\n") is a request too; then
 * flush and close. */
static void ctl_client_finish(struct ctl_client *client)
{
	struct evbuffer *in = bufferevent_get_input(client->bev);
	size_t n = evbuffer_get_length(in);

	if (n > 0) {
		_cleanup_free_ char *line = malloc(n + 1);

		if (!line) {
			ctl_client_kill(client);
			return;
		}
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		client->scanned = 0;
		ctl_client_handle_line(client, line, n);
		if (client->pending || client->dead)
			return;
	}
	client->closing = true;
	evtimer_del(client->deadline);
	if (evbuffer_get_length(bufferevent_get_output(client->bev)) == 0)
		ctl_client_kill(client);
}

/* Handle every complete line in the input, unless a deferred call is in
 * flight (replies stay in request order) or the client leaves its replies
 * unread (its input waits, see CTL_SERVER_MAX_OUTPUT_BYTES_DEFAULT). */
static void ctl_client_process(struct ctl_client *client)
{
	struct evbuffer *in = bufferevent_get_input(client->bev);
	size_t max = client->server->options.max_line_bytes;

	client->need_process = false;
	while (!client->dead && !client->closing && !client->pending) {
		struct evbuffer_ptr eol;
		size_t n;
		char *line;

		if (ctl_client_output_full(client)) {
			client->throttled = true;
			return;
		}
		if (evbuffer_ptr_set(in, &eol, client->scanned, EVBUFFER_PTR_SET) < 0) {
			client->scanned = 0;
			continue;
		}
		eol = evbuffer_search_eol(in, &eol, NULL, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			client->scanned = evbuffer_get_length(in);
			if (client->scanned > max)
				ctl_client_line_too_long(client);
			else if (client->eof)
				ctl_client_finish(client);
			return;
		}
		client->scanned = 0;
		if ((size_t)eol.pos > max) {
			ctl_client_line_too_long(client);
			return;
		}
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
		if (!line) {
			ctl_client_kill(client);
			return;
		}
		ctl_client_handle_line(client, line, n);
		free(line);
	}
}

static void ctl_client_read_cb(struct bufferevent *bev, void *userdata)
{
	(void)bev;
	ctl_client_process(userdata);
}

static void ctl_client_write_cb(struct bufferevent *bev, void *userdata)
{
	struct ctl_client *client = userdata;

	/* Called when the output is down to the cap (the low watermark). */
	if (client->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_client_kill(client);
	if (client->throttled && !ctl_client_output_full(client)) {
		client->throttled = false;
		client->need_process = true;
		ctl_server_schedule(client->server);
	}
}

/* No complete request within the idle timeout (a deferred call in flight
 * is the daemon's time, not the client's). */
static void ctl_client_deadline_cb(evutil_socket_t fd, short what, void *userdata)
{
	struct ctl_client *client = userdata;
	char message[CTL_ERROR_MESSAGE_MAX];

	(void)fd;
	(void)what;
	if (client->pending) {
		ctl_client_arm_deadline(client);
		return;
	}
	if (client->closing || client->dead || client->subscriber)
		return;
	log_debug("Control client %u: no complete request for %llu s, closing it.",
		  client->peer.id,
		  (unsigned long long)(client->server->options.idle_timeout_usec /
				       USEC_PER_SEC));
	snprintf(message, sizeof(message),
		 "Idle for %llu s (no complete request); closing the connection. "
		 "Reconnect to send more requests.",
		 (unsigned long long)(client->server->options.idle_timeout_usec /
				      USEC_PER_SEC));
	ctl_client_send_error_and_close(client, -ETIMEDOUT, message);
}

static void ctl_client_event_cb(struct bufferevent *bev, short what, void *userdata)
{
	struct ctl_client *client = userdata;

	(void)bev;
	if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) && !client->closing) {
		/* Half-closed (shutdown(SHUT_WR)): what was sent is answered. */
		client->eof = true;
		client->need_process = true;
		ctl_server_schedule(client->server);
		return;
	}
	/* An error, or a write that made no progress for the idle timeout. */
	ctl_client_kill(client);
}

static struct ctl_client *ctl_client_free(struct ctl_client *client)
{
	struct ctl_server *server = client->server;

	if (client->pending)
		client->pending->client = NULL;
	if (client->prev)
		client->prev->next = client->next;
	else
		server->clients = client->next;
	if (client->next)
		client->next->prev = client->prev;
	server->n_clients--;
	if (client->subscriber) {
		server->n_subscribers--;
		if (server->handler.subscribers_changed)
			server->handler.subscribers_changed(server->userdata,
							    server->n_subscribers);
	}
	if (client->deadline)
		event_free(client->deadline);
	bufferevent_free(client->bev);
	free(client);
	return NULL;
}

static void ctl_server_deferred_cb(evutil_socket_t fd, short what, void *userdata)
{
	struct ctl_server *server = userdata;
	struct ctl_client *c, *next;

	(void)fd;
	(void)what;
	for (c = server->clients; c; c = c->next)
		if (c->need_process && !c->dead)
			ctl_client_process(c);
	for (c = server->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			ctl_client_free(c);
	}
}

/*
 * Credentials of the peer at connect time. SO_PEERGROUPS (Linux 4.13) gives
 * the supplementary groups as they were at connect(), unlike
 * /proc/PID/status, which a peer could race by exiting and having its pid
 * reused. Without it, only uid 0 and the primary group count.
 */
static bool ctl_peer_in_group(int fd, gid_t gid)
{
	gid_t small[64];
	_cleanup_free_ gid_t *big = NULL;
	gid_t *groups = small;
	socklen_t len = sizeof(small);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return false;
		big = malloc(len);
		if (!big)
			return false;
		groups = big;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			return false;
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static int ctl_peer_read(struct ctl_server *server, int fd, struct ctl_peer *ret)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return negative_errno();
	*ret = (struct ctl_peer){
		.id = ++server->next_peer_id,
		.pid = cred.pid,
		.uid = cred.uid,
		.gid = cred.gid,
	};
	ret->admin = cred.uid == 0 ||
		     (server->has_admin_gid &&
		      (cred.gid == server->admin_gid ||
		       ctl_peer_in_group(fd, server->admin_gid)));
	return 0;
}

static void ctl_server_refuse_fd(int fd, int code, const char *message)
{
	_cleanup_free_ char *line = ctl_reply_format_error(-1, code, message);

	/* Non-blocking: a fresh socket's buffer always holds one short line. */
	if (line)
		(void)send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	safe_close(fd);
}

static int ctl_client_new(struct ctl_server *server, int fd, const struct ctl_peer *peer)
{
	struct ctl_client *client;
	struct timeval tv = {
		.tv_sec = server->options.idle_timeout_usec / USEC_PER_SEC,
		.tv_usec = server->options.idle_timeout_usec % USEC_PER_SEC,
	};

	client = calloc(1, sizeof(*client));
	if (!client)
		return -ENOMEM;
	client->server = server;
	client->peer = *peer;
	client->deadline = evtimer_new(server->base, ctl_client_deadline_cb, client);
	if (!client->deadline) {
		free(client);
		return -ENOMEM;
	}
	client->bev = bufferevent_socket_new(server->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!client->bev) {
		event_free(client->deadline);
		free(client);
		return -ENOMEM;
	}
	bufferevent_setcb(client->bev, ctl_client_read_cb, ctl_client_write_cb,
			  ctl_client_event_cb, client);
	/* Stop reading once a line is over the limit, so a client cannot
	 * make us buffer more than one maximal line. */
	bufferevent_setwatermark(client->bev, EV_READ, 0,
				 server->options.max_line_bytes + 2);
	/* The write callback runs once the output is back under the cap, to
	 * resume a throttled client. */
	bufferevent_setwatermark(client->bev, EV_WRITE, server->options.max_output_bytes, 0);
	/* Writes only: the read side is judged per request (deadline). */
	bufferevent_set_timeouts(client->bev, NULL, &tv);
	bufferevent_enable(client->bev, EV_READ | EV_WRITE);
	ctl_client_arm_deadline(client);

	client->next = server->clients;
	if (server->clients)
		server->clients->prev = client;
	server->clients = client;
	server->n_clients++;
	log_debug("Control client %u connected: pid %d uid %u gid %u%s.",
		  client->peer.id, (int)client->peer.pid, (unsigned)client->peer.uid,
		  (unsigned)client->peer.gid, client->peer.admin ? " (admin)" : "");
	return 0;
}

/* May this peer connect? */
static int ctl_server_admit(const struct ctl_server *server, const struct ctl_peer *peer,
			    char *message, size_t size)
{
	const struct ctl_server_options *o = &server->options;

	return ctl_admit(&(struct ctl_admission){
				 .what = "clients",
				 .each = "connections",
				 .retry = "has disconnected",
				 .drop = "close one",
				 .n = server->n_clients,
				 .max = o->max_clients,
				 .reserved = o->reserved_admin_clients,
				 .per_uid = o->max_clients_per_uid,
				 .n_of_uid = ctl_server_n_held_by(server, peer->uid, false),
			 },
			 peer, message, size);
}

static void ctl_server_accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
				 struct sockaddr *addr, int socklen, void *userdata)
{
	struct ctl_server *server = userdata;
	char message[CTL_ERROR_MESSAGE_MAX];
	struct ctl_peer peer;
	int r;

	(void)listener;
	(void)addr;
	(void)socklen;
	r = ctl_peer_read(server, fd, &peer);
	if (r < 0) {
		log_warning_errno(r, "Control socket: cannot read the peer's credentials: %m, "
				  "dropping it.");
		safe_close(fd);
		return;
	}
	if (ctl_server_admit(server, &peer, message, sizeof(message)) < 0) {
		/* Once per episode: a connection flood must not flood the journal. */
		if (!server->refusing)
			log_notice("Control socket: %u clients connected, refusing uid %u "
				   "(%s) until one leaves.",
				   server->n_clients, (unsigned)peer.uid, message);
		server->refusing = true;
		ctl_server_refuse_fd(fd, -EUSERS, message);
		return;
	}
	server->refusing = false;
	r = ctl_client_new(server, fd, &peer);
	if (r < 0) {
		log_warning_errno(r, "Control socket: cannot set up a client: %m, dropping it.");
		safe_close(fd);
	}
}

static void ctl_server_accept_error_cb(struct evconnlistener *listener, void *userdata)
{
	(void)listener;
	(void)userdata;
	/* EMFILE and friends: libevent retries on the next readiness. */
	log_warning_errno(-EVUTIL_SOCKET_ERROR(), "Control socket: accept failed: %m, ignoring.");
}

static int ctl_server_resolve_options(struct ctl_server *server,
				      const struct ctl_server_options *o)
{
	struct group *gr;

	server->options = o ? *o : (struct ctl_server_options){};
	server->options.path = NULL;
	server->options.socket_group = NULL;
	server->options.admin_group = NULL;
	if (!server->options.max_clients)
		server->options.max_clients = CTL_SERVER_MAX_CLIENTS_DEFAULT;
	if (!server->options.reserved_admin_clients)
		server->options.reserved_admin_clients = CTL_SERVER_RESERVED_ADMIN_CLIENTS_DEFAULT;
	/* Keep at least one slot for everyone else. */
	server->options.reserved_admin_clients =
		MIN(server->options.reserved_admin_clients, server->options.max_clients - 1);
	if (!server->options.max_clients_per_uid)
		server->options.max_clients_per_uid = CTL_SERVER_MAX_CLIENTS_PER_UID_DEFAULT;
	if (!server->options.max_subscribers)
		server->options.max_subscribers = CTL_SERVER_MAX_SUBSCRIBERS_DEFAULT;
	if (!server->options.reserved_admin_subscribers)
		server->options.reserved_admin_subscribers =
			CTL_SERVER_RESERVED_ADMIN_SUBSCRIBERS_DEFAULT;
	server->options.reserved_admin_subscribers =
		MIN(server->options.reserved_admin_subscribers,
		    server->options.max_subscribers - 1);
	if (!server->options.max_subscribers_per_uid)
		server->options.max_subscribers_per_uid =
			CTL_SERVER_MAX_SUBSCRIBERS_PER_UID_DEFAULT;
	if (!server->options.idle_timeout_usec)
		server->options.idle_timeout_usec = CTL_SERVER_IDLE_TIMEOUT_USEC_DEFAULT;
	if (!server->options.max_line_bytes)
		server->options.max_line_bytes = CTL_REQUEST_MAX_BYTES;
	if (!server->options.max_output_bytes)
		server->options.max_output_bytes = CTL_SERVER_MAX_OUTPUT_BYTES_DEFAULT;
	if (!o || !o->admin_group)
		return 0;
	server->admin_group = strdup(o->admin_group);
	if (!server->admin_group)
		return -ENOMEM;
	gr = getgrnam(o->admin_group);
	if (!gr) {
		log_notice("Admin group '%s' does not exist: only root may change "
			   "reclaimd over the control socket.",
			   o->admin_group);
		return 0;
	}
	server->admin_gid = gr->gr_gid;
	server->has_admin_gid = true;
	return 0;
}

static int ctl_server_setup(struct event_base *base, int fd,
			    const struct ctl_server_options *options,
			    const struct ctl_handler *handler, void *userdata,
			    struct ctl_server **ret)
{
	struct ctl_server *server;
	int r;

	server = calloc(1, sizeof(*server));
	if (!server)
		return -ENOMEM;
	server->base = base;
	server->lock_fd = -1;
	server->handler = *handler;
	server->userdata = userdata;
	r = ctl_server_resolve_options(server, options);
	if (r < 0)
		goto fail;
	server->deferred = event_new(base, -1, 0, ctl_server_deferred_cb, server);
	if (!server->deferred) {
		r = -ENOMEM;
		goto fail;
	}
	/* backlog 0: the socket is already listening. */
	server->listener = evconnlistener_new(base, ctl_server_accept_cb, server,
					      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
					      0, fd);
	if (!server->listener) {
		r = -ENOMEM;
		goto fail;
	}
	evconnlistener_set_error_cb(server->listener, ctl_server_accept_error_cb);
	/* A client that disconnects while we write must not kill the daemon:
	 * libevent writes with writev(), which raises SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	*ret = server;
	return 0;
fail:
	ctl_server_free(server);
	return r;
}

int ctl_server_new_from_fd(struct event_base *base, int fd,
			   const struct ctl_server_options *options,
			   const struct ctl_handler *handler, void *userdata,
			   struct ctl_server **ret)
{
	int r, flags;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return negative_errno();
	r = ctl_server_setup(base, fd, options, handler, userdata, ret);
	if (r < 0)
		safe_close(fd);
	return r;
}

static int ctl_mkdir_parents(const char *path)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	return 0;
}

/* Is something listening on this path? A refused connection means a stale
 * socket left by a crashed daemon, which we may remove. */
static bool ctl_socket_alive(const struct sockaddr_un *sa)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return true;
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
	       errno != ECONNREFUSED;
}

static int ctl_socket_bind(int fd, const struct sockaddr_un *sa)
{
	struct stat st;

	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return negative_errno();
	if (lstat(sa->sun_path, &st) < 0)
		return negative_errno();
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	if (ctl_socket_alive(sa))
		return -EADDRINUSE;
	log_info("Removing stale control socket %s.", sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return negative_errno();
	return RET_NERRNO(bind(fd, (const struct sockaddr *)sa, sizeof(*sa)));
}

/*
 * Take "PATH.lock" beside the socket, held for the server's lifetime.
 * Without it two daemons starting at once could both find the socket
 * stale, and the second unlink+bind would silently take the path from
 * the first (seen 1 in 20 in issue 17 B14). The lock file is never
 * removed: unlinking it would let a third daemon lock a new inode while
 * the second still holds the old one.
 */
static int ctl_socket_lock(const char *path, int *ret_fd)
{
	_cleanup_free_ char *lock = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&lock, "%s.lock", path) < 0)
		return -ENOMEM;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return log_error_errno(negative_errno(), "Cannot open the lock file %s: %m",
				       lock);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return log_error_errno(-EADDRINUSE, "%s is locked: is another "
					       "reclaimd running?", lock);
		return log_error_errno(negative_errno(), "Cannot lock %s: %m", lock);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int ctl_socket_open(const struct ctl_server_options *options, int *ret_lock_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1, lock_fd = -1;
	struct group *gr;
	struct stat st;
	int r;

	if (!options || !options->path || options->path[0] != '/')
		return -EINVAL;
	if (strlen(options->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, options->path);
	r = ctl_mkdir_parents(options->path);
	if (r < 0)
		return log_error_errno(r, "Cannot create the directory of %s: %m",
				       options->path);
	r = ctl_socket_lock(options->path, &lock_fd);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return negative_errno();
	r = ctl_socket_bind(fd, &sa);
	if (r == -EEXIST)
		return log_error_errno(r, "%s exists and is not a socket, refusing "
				       "to replace it.", options->path);
	if (r == -EADDRINUSE)
		return log_error_errno(r, "Something already listens on %s: is "
				       "another reclaimd running?", options->path);
	if (r < 0)
		return log_error_errno(r, "Cannot bind the control socket %s: %m",
				       options->path);
	/* Before listen(): nobody can connect yet, so no window with a wider mode. */
	if (chmod(options->path, 0660) < 0)
		r = negative_errno();
	/* A daemon whose group is that group already made the socket in it
	 * (reclaimd.service: Group=reclaimd) and needs no chown(), hence no
	 * @chown in its system call filter; root run by hand gives it away. */
	gr = options->socket_group ? getgrnam(options->socket_group) : NULL;
	if (r >= 0 && gr && (stat(options->path, &st) < 0 || st.st_gid != gr->gr_gid) &&
	    chown(options->path, (uid_t)-1, gr->gr_gid) < 0)
		r = negative_errno();
	if (r >= 0 && listen(fd, CTL_SERVER_BACKLOG) < 0)
		r = negative_errno();
	if (r < 0) {
		(void)unlink(options->path);
		return log_error_errno(r, "Cannot set up the control socket %s: %m",
				       options->path);
	}
	*ret_lock_fd = TAKE_FD(lock_fd);
	return TAKE_FD(fd);
}

int ctl_server_new(struct event_base *base, const struct ctl_server_options *options,
		   const struct ctl_handler *handler, void *userdata,
		   struct ctl_server **ret)
{
	_cleanup_free_ char *path = NULL;
	struct ctl_server *server = NULL;
	int fd, lock_fd = -1, r;

	fd = ctl_socket_open(options, &lock_fd);
	if (fd < 0)
		return fd;
	path = strdup(options->path);
	if (!path) {
		(void)unlink(options->path);
		safe_close(fd);
		safe_close(lock_fd);
		return -ENOMEM;
	}
	r = ctl_server_setup(base, fd, options, handler, userdata, &server);
	if (r < 0) {
		(void)unlink(path);
		safe_close(fd);
		safe_close(lock_fd);
		return r;
	}
	server->unlink_path = TAKE_PTR(path);
	server->lock_fd = lock_fd;
	*ret = server;
	return 0;
}

/* Send what is queued for client at once, without the loop: what the
 * socket takes within about 100 ms (an answer is a line; a client that
 * reads nothing loses it). The output buffer's front belongs to the
 * bufferevent (frozen), so it is peeked and the sent part skipped, not
 * drained: client->flushed keeps it, so that a second flush (the call's
 * own, then the server's at free) sends nothing twice. */
static void ctl_client_flush_now(struct ctl_client *client)
{
	struct evbuffer *out = bufferevent_get_output(client->bev);
	int fd = bufferevent_getfd(client->bev);
	size_t sent = client->flushed, len = evbuffer_get_length(out);

	for (int round = 0; round < 10 && sent < len; round++) {
		struct evbuffer_iovec v[16];
		struct iovec iov[16];
		struct evbuffer_ptr at;
		ssize_t k;
		int n;

		if (evbuffer_ptr_set(out, &at, sent, EVBUFFER_PTR_SET) < 0)
			return;
		n = evbuffer_peek(out, -1, &at, v, ELEMENTSOF(v));
		if (n <= 0)
			return;
		n = MIN(n, (int)ELEMENTSOF(v));
		for (int i = 0; i < n; i++)
			iov[i] = (struct iovec){ .iov_base = v[i].iov_base,
						 .iov_len = v[i].iov_len };
		k = sendmsg(fd, &(struct msghdr){ .msg_iov = iov, .msg_iovlen = (size_t)n },
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (k > 0) {
			sent += (size_t)k;
			client->flushed = sent;
			continue;
		}
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return;
		(void)poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 10);
	}
}

struct ctl_server *ctl_server_free(struct ctl_server *server)
{
	if (!server)
		return NULL;
	/* The loop has ended: what is queued for a client goes out now, or
	 * the client would see the connection closed without a word. */
	for (struct ctl_client *c = server->clients; c; c = c->next)
		if (!c->dead)
			ctl_client_flush_now(c);
	while (server->clients)
		ctl_client_free(server->clients);
	if (server->listener)
		evconnlistener_free(server->listener);
	if (server->deferred)
		event_free(server->deferred);
	/* Unlink before dropping the lock: a daemon waiting for it then
	 * binds a fresh path. */
	if (server->unlink_path)
		(void)unlink(server->unlink_path);
	safe_close(server->lock_fd);
	free(server->unlink_path);
	free(server->admin_group);
	free(server);
	return NULL;
}

void ctl_server_broadcast_event(struct ctl_server *server, struct json_object *event)
{
	_cleanup_free_ char *line = NULL;

	if (!server || server->n_subscribers == 0)
		return;
	line = ctl_event_format(event);
	if (!line)
		return;
	for (struct ctl_client *c = server->clients; c; c = c->next)
		if (c->subscriber && !c->dead && !c->closing)
			ctl_client_send_event(c, strdup(line));
}

unsigned ctl_server_n_clients(const struct ctl_server *server)
{
	return server->n_clients;
}

unsigned ctl_server_n_subscribers(const struct ctl_server *server)
{
	return server->n_subscribers;
}

void ctl_call_flush_reply(struct ctl_call *call)
{
	if (call)
		call->flush = true;
}

void ctl_call_reply(struct ctl_call *call, int r, struct json_object *result,
		    const char *message)
{
	struct ctl_client *client;
	bool flush;

	if (!call) {
		json_object_put(result);
		return;
	}
	client = call->client;
	if (!client || client->dead) {
		json_object_put(result);
		if (client)
			client->pending = NULL;
		free(call);
		return;
	}
	client->pending = NULL;
	ctl_client_answer(client, call->id, r, r < 0 ? NULL : result, message);
	if (r < 0)
		json_object_put(result);
	flush = call->flush;
	free(call);
	if (flush)
		ctl_client_flush_now(client);
	if (!client->closing) {
		/* After EOF there is nothing more to read from the socket. */
		if (!client->eof)
			bufferevent_enable(client->bev, EV_READ);
		/* Lines that arrived meanwhile wait in the input buffer. */
		client->need_process = true;
		ctl_server_schedule(client->server);
	}
}
