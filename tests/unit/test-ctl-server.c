/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control server in-process: the event loop runs in a thread with a
 * fake handler, the test talks to it over a real Unix socket in a temporary
 * directory with the client library and raw sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <json-c/json.h>

#include "ctl-client.h"
#include "ctl-server.h"
#include "util.h"

struct fixture {
	char dir[64];
	char path[128];
	struct event_base *base;
	struct ctl_server *server;
	pthread_t thread;
	/* Written by the loop thread, read after it stopped. */
	unsigned calls[_CTL_CMD_MAX];
	unsigned mutating_calls_from_non_admin;
	size_t pad_bytes;
	struct ctl_call *deferred;
	bool hold_deferred;   /* a deferred call is never answered by the timer */
	struct event *timer;
	/* subscribers_changed(): calls and the last count (atomics: the
	 * loop thread writes, the test reads while it runs). */
	unsigned subs_changes, subs_last;
};

static void fake_timer_cb(evutil_socket_t fd, short what, void *userdata)
{
	struct fixture *f = userdata;
	struct json_object *result = json_object_new_object();

	(void)fd;
	(void)what;
	json_object_object_add(result, "reclaimed_bytes", json_object_new_int64(4096));
	ctl_call_reply(f->deferred, 0, result, NULL);
	f->deferred = NULL;
}

static int fake_handle(void *userdata, struct ctl_call *call, const struct ctl_peer *peer,
		       const struct ctl_command *command, struct json_object *args,
		       struct json_object **ret_result, char *errbuf, size_t errlen)
{
	struct fixture *f = userdata;
	struct json_object *o = json_object_new_object(), *ev;
	struct timeval tv = { 0, 50000 };

	f->calls[command->id]++;
	if (ctl_command_is_mutating(command, args) && !peer->admin)
		f->mutating_calls_from_non_admin++;
	switch (command->id) {
	case CTL_CMD_STATUS:
		json_object_object_add(o, "clients",
				       json_object_new_int(ctl_server_n_clients(f->server)));
		json_object_object_add(o, "subscribers",
				       json_object_new_int(ctl_server_n_subscribers(f->server)));
		json_object_object_add(o, "uid", json_object_new_int(peer->uid));
		json_object_object_add(o, "admin", json_object_new_boolean(peer->admin));
		if (f->pad_bytes) {
			char *pad = malloc(f->pad_bytes + 1);

			memset(pad, 'x', f->pad_bytes);
			pad[f->pad_bytes] = '\0';
			json_object_object_add(o, "pad", json_object_new_string(pad));
			free(pad);
		}
		break;
	case CTL_CMD_CONFIG:
		json_object_put(o);
		snprintf(errbuf, errlen, "No such key \"x\".");
		return -ENOENT;
	case CTL_CMD_PAUSE:
		ev = json_object_new_object();
		json_object_object_add(ev, "type", json_object_new_string("pause"));
		ctl_server_broadcast_event(f->server, ev);
		json_object_put(ev);
		break;
	case CTL_CMD_RECLAIM:
		json_object_put(o);
		__atomic_store_n(&f->deferred, call, __ATOMIC_RELEASE);
		if (f->hold_deferred)
			return CTL_HANDLE_DEFERRED;
		if (!f->timer)
			f->timer = evtimer_new(f->base, fake_timer_cb, f);
		evtimer_add(f->timer, &tv);
		return CTL_HANDLE_DEFERRED;
	default:
		break;
	}
	*ret_result = o;
	return 0;
}

static void fake_subscribers_changed(void *userdata, unsigned n)
{
	struct fixture *f = userdata;

	__atomic_store_n(&f->subs_last, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&f->subs_changes, 1, __ATOMIC_RELEASE);
}

static const struct ctl_handler fake_handler = { .handle = fake_handle,
						 .subscribers_changed = fake_subscribers_changed };

static unsigned subs_changes(struct fixture *f)
{
	return __atomic_load_n(&f->subs_changes, __ATOMIC_ACQUIRE);
}

static unsigned subs_last(struct fixture *f)
{
	return __atomic_load_n(&f->subs_last, __ATOMIC_RELAXED);
}

/* A close is seen by the loop thread in its own time: up to 5 s for the
 * calls to reach n. */
static unsigned subs_changes_reach(struct fixture *f, unsigned n)
{
	for (unsigned i = 0; i < 500 && subs_changes(f) < n; i++)
		usleep(10000);
	return subs_changes(f);
}

static void *loop_thread(void *userdata)
{
	struct fixture *f = userdata;

	event_base_loop(f->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static struct fixture *server_start(const struct ctl_server_options *options)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ctl_server_options o = options ? *options : (struct ctl_server_options){};

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test-ctl-server.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* The unprivileged child must reach the socket. */
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(f->path, sizeof(f->path), "%s/sub/control.sock", f->dir);
	f->base = event_base_new();
	assert_non_null(f->base);
	o.path = f->path;
	assert_int_equal(ctl_server_new(f->base, &o, &fake_handler, f, &f->server), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, loop_thread, f), 0);
	return f;
}

static void server_stop(struct fixture *f)
{
	event_base_loopexit(f->base, NULL);
	assert_int_equal(pthread_join(f->thread, NULL), 0);
}

static void server_free(struct fixture *f)
{
	char sub[160], lock[160];

	f->server = ctl_server_free(f->server);
	/* The server removes the socket it created (not its lock file). */
	assert_int_equal(access(f->path, F_OK), -1);
	snprintf(lock, sizeof(lock), "%s.lock", f->path);
	unlink(lock);
	if (f->timer)
		event_free(f->timer);
	event_base_free(f->base);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
}

static struct ctl_client *connect_ok(struct fixture *f)
{
	struct ctl_client *c = NULL;

	assert_int_equal(ctl_client_connect(f->path, 2 * USEC_PER_SEC, &c), 0);
	ctl_client_set_timeout(c, 5 * USEC_PER_SEC);
	return c;
}

static int64_t status_int(struct ctl_client *c, const char *key)
{
	struct json_object *result = NULL, *v;
	struct ctl_error e;
	int64_t n;

	if (ctl_client_call(c, "status", NULL, &result, &e) < 0)
		fail_msg("status failed: %s", e.message);
	assert_true(json_object_object_get_ex(result, key, &v));
	n = json_object_get_int64(v);
	json_object_put(result);
	return n;
}

/* Read one line and expect an error with this code. */
static void expect_error(struct ctl_client *c, int code, const char *substring)
{
	struct ctl_reply reply;
	struct ctl_error e;

	assert_int_equal(ctl_client_read(c, 5 * USEC_PER_SEC, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_ERROR);
	if (reply.error.code != code || !strstr(reply.error.message, substring))
		fail_msg("got %s \"%s\", want %s \"%s\"",
			 ctl_error_code_to_string(reply.error.code), reply.error.message,
			 ctl_error_code_to_string(code), substring);
}

static void expect_closed(struct ctl_client *c)
{
	struct ctl_reply reply;
	struct ctl_error e;

	assert_int_equal(ctl_client_read(c, 5 * USEC_PER_SEC, &reply, &e), -ECONNRESET);
}

static void send_line(struct ctl_client *c, const char *line)
{
	assert_int_equal(ctl_client_send_raw(c, line, strlen(line)), 0);
}

static void test_socket_created(void **state)
{
	struct fixture *f = server_start(NULL);
	struct stat st;

	(void)state;
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	server_stop(f);
	server_free(f);
}

static void test_status_roundtrip(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	struct json_object *result = NULL;
	struct ctl_error e;

	(void)state;
	assert_int_equal(status_int(c, "clients"), 1);
	assert_int_equal(status_int(c, "uid"), getuid());
	assert_int_equal(status_int(c, "admin"), getuid() == 0);
	/* A handler error reaches the client with its code and message. */
	assert_int_equal(ctl_client_call(c, "config", NULL, &result, &e), -EREMOTE);
	assert_int_equal(e.code, -ENOENT);
	assert_string_equal(e.message, "No such key \"x\".");
	assert_null(result);
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 3);
	assert_int_equal(f->calls[CTL_CMD_CONFIG], 1);
	server_free(f);
}

static void test_bad_requests_keep_connection(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);

	(void)state;
	send_line(c, "this is not json\n");
	expect_error(c, -EINVAL, "not valid JSON");
	send_line(c, "\n   \n{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":\"0\",\"bytes\":1}}\n");
	expect_error(c, -EINVAL, "\"node\" of \"reclaim\" must be a non-negative integer, not a string");
	send_line(c, "{\"v\":1,\"id\":6,\"cmd\":\"frobnicate\"}\n");
	expect_error(c, -EOPNOTSUPP, "Unknown command \"frobnicate\"");
	send_line(c, "{\"v\":1,\"id\":7,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/../../etc\",\"bytes\":4096}}\n");
	expect_error(c, -EINVAL, "absolute path below the cgroup root");
	send_line(c, "{\"v\":9,\"id\":8,\"cmd\":\"status\"}\n");
	expect_error(c, -EPROTO, "protocol version 1");
	/* A NUL is not a blank (issue 17 B15), alone or after a request. */
	assert_int_equal(ctl_client_send_raw(c, "\0\n", 2), 0);
	expect_error(c, -EINVAL, "not valid JSON");
	assert_int_equal(ctl_client_send_raw(c, "{\"v\":1,\"id\":9,\"cmd\":\"status\"}\0\n", 31), 0);
	expect_error(c, -EINVAL, "Unexpected data after the JSON object");
	/* Still connected and served. */
	assert_int_equal(status_int(c, "clients"), 1);
	server_stop(f);
	/* None of the bad requests reached the handler. */
	assert_int_equal(f->calls[CTL_CMD_RECLAIM], 0);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 1);
	server_free(f);
}

static void test_oversized_line(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	_cleanup_(ctl_client_freep) struct ctl_client *c2 = connect_ok(f);
	size_t n = CTL_REQUEST_MAX_BYTES + 100;
	char *big = malloc(n);

	(void)state;
	/* A line that is valid JSON up to the limit, but never ends. */
	memset(big, ' ', n);
	memcpy(big, "{\"v\":1,\"cmd\":\"status\",\"pad\":\"", 29);
	assert_int_equal(ctl_client_send_raw(c, big, n), 0);
	free(big);
	expect_error(c, -E2BIG, "longer than 65536 bytes");
	expect_closed(c);
	/* Other clients are unaffected. */
	assert_int_equal(status_int(c2, "clients"), 1);
	server_stop(f);
	server_free(f);
}

static void test_line_in_pieces(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	static const char line[] = "{\"v\":1,\"id\":42,\"cmd\":\"status\"}\n";
	struct ctl_reply reply;
	struct ctl_error e;

	(void)state;
	/* Dripped a few bytes at a time: the remembered scan position must
	 * not skip the newline when it finally comes, nor the next line. */
	for (size_t i = 0; i < sizeof(line) - 1; i += 5) {
		assert_int_equal(ctl_client_send_raw(c, line + i, MIN((size_t)5, sizeof(line) - 1 - i)), 0);
		usleep(2000);
	}
	assert_int_equal(ctl_client_read(c, 2 * USEC_PER_SEC, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_OK);
	assert_int_equal(reply.id, 42);
	ctl_reply_done(&reply);
	send_line(c, "{\"v\":1,\"id\":43,");
	usleep(20000);
	send_line(c, "\"cmd\":\"status\"}\n{\"v\":1,\"id\":44,\"cmd\":\"status\"}\n");
	for (int64_t id = 43; id <= 44; id++) {
		assert_int_equal(ctl_client_read(c, 2 * USEC_PER_SEC, &reply, &e), 0);
		assert_int_equal(reply.kind, CTL_REPLY_OK);
		assert_int_equal(reply.id, id);
		ctl_reply_done(&reply);
	}
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 3);
	server_free(f);
}

static void test_line_at_limit_accepted(void **state)
{
	struct ctl_server_options o = { .max_line_bytes = 100 };
	struct fixture *f = server_start(&o);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	char line[128];

	(void)state;
	/* Exactly 100 bytes before the newline is allowed, 101 is not. */
	snprintf(line, sizeof(line), "{\"v\":1,\"id\":99,\"cmd\":\"status\"}%70s\n", "");
	assert_int_equal(strlen(line), 101);
	send_line(c, line);
	assert_int_equal(status_int(c, "clients"), 1);
	snprintf(line, sizeof(line), "{\"v\":1,\"id\":99,\"cmd\":\"status\"}%71s\n", "");
	send_line(c, line);
	expect_error(c, -E2BIG, "longer than 100 bytes");
	expect_closed(c);
	server_stop(f);
	server_free(f);
}

static void test_max_clients(void **state)
{
	struct ctl_server_options o = { .max_clients = 3 };
	struct fixture *f = server_start(&o);
	struct ctl_client *c[4];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		c[i] = connect_ok(f);
		assert_int_equal(status_int(c[i], "clients"), (int64_t)i + 1);
	}
	c[3] = connect_ok(f);
	expect_error(c[3], -EUSERS, "at most 3 at once");
	expect_closed(c[3]);
	ctl_client_free(c[3]);
	/* When one leaves, a newcomer is served again. */
	ctl_client_free(c[0]);
	usleep(100000);
	c[0] = connect_ok(f);
	assert_int_equal(status_int(c[0], "clients"), 3);
	for (size_t i = 0; i < 3; i++)
		ctl_client_free(c[i]);
	server_stop(f);
	server_free(f);
}

static void test_slow_reader_throttled(void **state)
{
	struct ctl_server_options o = { .max_output_bytes = 64 * 1024,
					.idle_timeout_usec = 500 * USEC_PER_MSEC };
	struct fixture *f = server_start(&o);
	_cleanup_(ctl_client_freep) struct ctl_client *lazy = connect_ok(f);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	static const char req[] = "{\"v\":1,\"cmd\":\"status\"}\n";
	int clients = 2, polls = 0;

	(void)state;
	/* The handler's thread only reads this after we stop it, and the
	 * replies below are what make the lazy client's output pile up. */
	f->pad_bytes = 16 * 1024;
	/* Never read: 200 replies of 16 KiB are 3.2 MiB, far past the socket
	 * buffers and the 64 KiB cap. */
	for (int i = 0; i < 200; i++) {
		int r = ctl_client_send_raw(lazy, req, strlen(req));

		if (r == -EPIPE || r == -ECONNRESET)
			break;
		assert_int_equal(r, 0);
	}
	/* Its output makes no progress: closed after the idle time. Up to
	 * 10 s for a loaded CI machine; the check is that it happens. */
	for (; polls < 500 && clients != 1; polls++) {
		usleep(20000);
		clients = (int)status_int(c, "clients");
	}
	assert_int_equal(clients, 1);
	server_stop(f);
	/* Its requests stopped being read once the output was over the cap:
	 * 64 KiB / 16 KiB plus what the socket buffers held (~13 MiB at most
	 * is 800 replies; far fewer in practice), never all 200. */
	assert_true(f->calls[CTL_CMD_STATUS] - (unsigned)polls < 200u);
	server_free(f);
}

/* Issue 17 B7: a client that pipelines many requests in one write and
 * reads the replies afterwards gets every reply, however large the
 * output gets meanwhile. */
static void test_pipelined_not_dropped(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	static const char req[] = "{\"v\":1,\"id\":%d,\"cmd\":\"status\"}\n";
	size_t n = 0, size = 1000 * 40;
	char *buf = malloc(size);
	struct ctl_reply reply;
	struct ctl_error e;

	(void)state;
	/* 1000 replies of 2 KiB: 2 MB, four times the output cap. */
	f->pad_bytes = 2048;
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(buf + n, size - n, req, i);
	assert_int_equal(ctl_client_send_raw(c, buf, n), 0);
	free(buf);
	usleep(200000); /* let the server fill its queue before we read */
	for (int64_t i = 0; i < 1000; i++) {
		if (ctl_client_read(c, 5 * USEC_PER_SEC, &reply, &e) < 0)
			fail_msg("reply %" PRIi64 " of 1000 missing: %s", i, e.message);
		assert_int_equal(reply.kind, CTL_REPLY_OK);
		assert_int_equal(reply.id, i);
		ctl_reply_done(&reply);
	}
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 1000);
	server_free(f);
}

/* Issue 17 B8: requests followed by shutdown(SHUT_WR) are all answered
 * (a last line without "\n" too), then the server closes. */
static void test_half_closed(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	static const char req[] = "{\"v\":1,\"id\":%d,\"cmd\":\"status\"}\n";
	size_t n = 0, size = 100 * 40;
	char *buf = malloc(size);
	struct ctl_reply reply;
	struct ctl_error e;

	(void)state;
	f->pad_bytes = 8192; /* 800 KiB of replies: past the cap, too */
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, size - n, req, i);
	/* The last request has no newline: EOF ends it. */
	n--;
	assert_int_equal(ctl_client_send_raw(c, buf, n), 0);
	free(buf);
	assert_int_equal(shutdown(ctl_client_fd(c), SHUT_WR), 0);
	for (int64_t i = 0; i < 100; i++) {
		if (ctl_client_read(c, 5 * USEC_PER_SEC, &reply, &e) < 0)
			fail_msg("reply %" PRIi64 " of 100 missing: %s", i, e.message);
		assert_int_equal(reply.kind, CTL_REPLY_OK);
		assert_int_equal(reply.id, i);
		ctl_reply_done(&reply);
	}
	expect_closed(c);
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 100);
	server_free(f);
}

/* Issue 17 B3: a byte at a time (or blank lines) does not extend the
 * time a client has to complete a request. */
static void test_trickle_deadline(void **state)
{
	struct ctl_server_options o = { .idle_timeout_usec = 300 * USEC_PER_MSEC };
	struct fixture *f = server_start(&o);
	_cleanup_(ctl_client_freep) struct ctl_client *drip = connect_ok(f);
	_cleanup_(ctl_client_freep) struct ctl_client *blank = connect_ok(f);
	bool drip_open = true, blank_open = true;
	struct pollfd pfd[2] = {
		{ .fd = ctl_client_fd(drip), .events = POLLIN },
		{ .fd = ctl_client_fd(blank), .events = POLLIN },
	};

	(void)state;
	send_line(drip, "{");
	/* Up to 3 s, ten times the deadline, one byte each 50 ms. */
	for (int i = 0; i < 60 && (drip_open || blank_open); i++) {
		usleep(50000);
		if (drip_open)
			drip_open = ctl_client_send_raw(drip, " ", 1) == 0 &&
				    poll(&pfd[0], 1, 0) == 0;
		if (blank_open)
			blank_open = ctl_client_send_raw(blank, "\n", 1) == 0 &&
				     poll(&pfd[1], 1, 0) == 0;
	}
	assert_false(drip_open);
	assert_false(blank_open);
	expect_error(drip, -ETIMEDOUT, "no complete request");
	expect_error(blank, -ETIMEDOUT, "no complete request");
	server_stop(f);
	server_free(f);
}

/* Hold n connections as uid in a child, trickling a byte into each
 * every 20 ms until killed; one byte on ready when they are open. */
static pid_t hog_child(const char *path, uid_t uid, unsigned n, int ready)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fds[256];

		strcpy(sa.sun_path, path);
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(uid) < 0)
			_exit(100);
		/* After setuid(), which clears it: never outlive a failed test. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (unsigned i = 0; i < n; i++) {
			fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
				_exit(101);
			(void)send(fds[i], "{", 1, MSG_NOSIGNAL);
		}
		(void)write(ready, "x", 1);
		for (;;) {
			for (unsigned i = 0; i < n; i++)
				(void)send(fds[i], " ", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			usleep(20000);
		}
	}
	return pid;
}

/* Issue 17 B3: unprivileged users cannot take every slot. One uid is held
 * to its share; many uids together leave the reserved slots to root. */
static void test_root_not_locked_out(void **state)
{
	struct fixture *f;
	pid_t pids[8];
	int ready[2];
	char x;
	uint64_t t0, dt, best = UINT64_MAX;

	(void)state;
	if (getuid() != 0) {
		skip(); /* needs setuid() to other uids */
		return;
	}
	f = server_start(NULL);
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_int_equal(pipe(ready), 0);
	/* 8 uids x 17 trickling connections = 136 attempts for 128 slots. */
	for (unsigned u = 0; u < 8; u++) {
		pids[u] = hog_child(f->path, 65526 + u, 17, ready[1]);
		assert_int_equal(read(ready[0], &x, 1), 1);
	}
	usleep(200000);
	/* Root connects and asks for status five times while the hogs keep
	 * trickling; the best of the five must answer within 100 ms (the
	 * issue's bound). The best, not each: one slow round is this shared
	 * machine's scheduler, five are the server. Before the fix root was
	 * refused outright (EUSERS). */
	for (unsigned round = 0; round < 5; round++) {
		_cleanup_(ctl_client_freep) struct ctl_client *root = NULL;
		int64_t clients;

		t0 = now_usec();
		root = connect_ok(f);
		clients = status_int(root, "clients");
		dt = now_usec() - t0;
		best = MIN(best, dt);
		print_message("root's status with 8 uids x 17 trickling clients: %" PRIu64 " us\n",
			      dt);
		/* Each uid got at most its 16, and everyone together at most
		 * the 120 unreserved slots; root is the one more (two while
		 * the server has yet to see the last round's close). */
		assert_true(clients <= 122);
		assert_true(clients >= 100);
	}
	for (unsigned u = 0; u < 8; u++) {
		kill(pids[u], SIGKILL);
		waitpid(pids[u], NULL, 0);
	}
	assert_true(best < 100 * USEC_PER_MSEC);
	close(ready[0]);
	close(ready[1]);
	server_stop(f);
	server_free(f);
}

/* Issue 17 B3: watchers are capped; a refused one keeps its connection. */
static void test_watchers_capped(void **state)
{
	struct ctl_server_options o = { .max_subscribers = 2 };
	struct fixture *f = server_start(&o);
	struct ctl_client *c[3];
	struct json_object *result = NULL;
	struct ctl_error e;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		c[i] = connect_ok(f);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(ctl_client_call(c[i], "watch", NULL, &result, &e), 0);
		json_object_put(result);
		/* The handler hears of each one (the daemon's event ring is
		 * lazy while there are none). */
		assert_int_equal(subs_changes(f), i + 1);
		assert_int_equal(subs_last(f), i + 1);
	}
	/* A second watch on a watching connection changes nothing. */
	assert_int_equal(ctl_client_call(c[1], "watch", NULL, &result, &e), 0);
	json_object_put(result);
	assert_int_equal(subs_changes(f), 2);
	assert_int_equal(ctl_client_call(c[2], "watch", NULL, &result, &e), -EREMOTE);
	assert_int_equal(e.code, -EUSERS);
	assert_non_null(strstr(e.message, "at most 2"));
	assert_int_equal(status_int(c[2], "subscribers"), 2);
	assert_int_equal(subs_changes(f), 2);
	ctl_client_free(c[0]);
	assert_int_equal(subs_changes_reach(f, 3), 3);
	assert_int_equal(subs_last(f), 1);
	assert_int_equal(ctl_client_call(c[2], "watch", NULL, &result, &e), 0);
	json_object_put(result);
	ctl_client_free(c[1]);
	ctl_client_free(c[2]);
	assert_int_equal(subs_changes_reach(f, 6), 6); /* c[2] watched, then two closed */
	assert_int_equal(subs_last(f), 0);
	server_stop(f);
	server_free(f);
}

/* In a child as uid: open n connections and ask each to watch; write one
 * byte per accepted watcher to ready, then a 'd', and hold them until
 * killed. The child re-executes this test ("--watch-child", as
 * run_child()) so that nothing allocates between fork and exec. */
static int watch_child_main(const char *path, unsigned n, int ready)
{
	struct ctl_client *c[64];
	struct json_object *result = NULL;
	struct ctl_error e;

	if (n > 64)
		return 100;
	for (unsigned i = 0; i < n; i++) {
		if (ctl_client_connect(path, 2 * USEC_PER_SEC, &c[i]) < 0)
			return 101;
		if (ctl_client_call(c[i], "watch", NULL, &result, &e) == 0)
			(void)write(ready, "w", 1);
		else if (e.code != -EUSERS)
			return 102;
		json_object_put(result);
		result = NULL;
	}
	(void)write(ready, "d", 1);
	for (;;)
		pause();
}

static pid_t watch_child(const char *path, uid_t uid, unsigned n, int ready)
{
	char n_s[16], fd_s[16];
	pid_t pid;

	snprintf(n_s, sizeof(n_s), "%u", n);
	snprintf(fd_s, sizeof(fd_s), "%d", ready);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(uid) < 0)
			_exit(100);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl("/proc/self/exe", "test-ctl-server", "--watch-child", path, n_s, fd_s,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Issue 17 B3: watchers are capped per uid and for everyone unprivileged
 * together, and root keeps its reserved watchers: 8 uids asking for 8
 * each cannot lock root (or an admin) out of watch. */
static void test_unprivileged_watchers_capped(void **state)
{
	struct fixture *f;
	pid_t pids[8];
	unsigned got[8] = { 0 };
	int ready[2];
	char x;

	(void)state;
	if (getuid() != 0) {
		skip(); /* needs setuid() to other uids */
		return;
	}
	f = server_start(NULL);
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_int_equal(pipe(ready), 0);
	for (unsigned u = 0; u < 8; u++) {
		pids[u] = watch_child(f->path, 65526 + u, 8, ready[1]);
		while (read(ready[0], &x, 1) == 1 && x == 'w')
			got[u]++;
		assert_int_equal(x, 'd');
		/* One uid: at most its 4. */
		assert_true(got[u] <= CTL_SERVER_MAX_SUBSCRIBERS_PER_UID_DEFAULT);
	}
	{
		_cleanup_(ctl_client_freep) struct ctl_client *root = connect_ok(f);
		struct json_object *result = NULL;
		struct ctl_error e;
		unsigned total = 0;

		for (unsigned u = 0; u < 8; u++)
			total += got[u];
		/* Everyone unprivileged together: at most the 28 unreserved. */
		assert_int_equal(total, CTL_SERVER_MAX_SUBSCRIBERS_DEFAULT -
					CTL_SERVER_RESERVED_ADMIN_SUBSCRIBERS_DEFAULT);
		assert_int_equal(status_int(root, "subscribers"), total);
		/* Before the fix the 32 went to the first uids and root got
		 * EUSERS here. */
		assert_int_equal(ctl_client_call(root, "watch", NULL, &result, &e), 0);
		json_object_put(result);
	}
	for (unsigned u = 0; u < 8; u++) {
		kill(pids[u], SIGKILL);
		waitpid(pids[u], NULL, 0);
	}
	close(ready[0]);
	close(ready[1]);
	server_stop(f);
	server_free(f);
}

static void test_idle_timeout(void **state)
{
	struct ctl_server_options o = { .idle_timeout_usec = 200 * USEC_PER_MSEC };
	struct fixture *f = server_start(&o);
	/* Before the connect: the idle clock starts when the server accepts,
	 * and connecting the watcher can take long under ASan. */
	uint64_t t0 = now_usec();
	_cleanup_(ctl_client_freep) struct ctl_client *idle = connect_ok(f);
	_cleanup_(ctl_client_freep) struct ctl_client *watcher = connect_ok(f);
	struct json_object *result = NULL;
	struct ctl_reply reply;
	struct ctl_error e;

	(void)state;
	assert_int_equal(ctl_client_call(watcher, "watch", NULL, &result, &e), 0);
	json_object_put(result);
	expect_error(idle, -ETIMEDOUT, "Idle for 0 s (no complete request)");
	expect_closed(idle);
	/* libevent schedules the timeout from its cached loop time, which can
	 * lag the accept by a loop iteration (tens of ms under ASan): closed
	 * after the idle time, give or take that, not at once. */
	assert_true(now_usec() - t0 >= 100 * USEC_PER_MSEC);
	assert_true(now_usec() - t0 < 10 * USEC_PER_SEC); /* loaded CI machines */
	/* The subscriber outlives the idle timeout and still gets events. */
	usleep(400000);
	{
		_cleanup_(ctl_client_freep) struct ctl_client *admin = connect_ok(f);

		assert_int_equal(ctl_client_call(admin, "pause", NULL, &result, &e), 0);
		json_object_put(result);
	}
	assert_int_equal(ctl_client_read(watcher, 2 * USEC_PER_SEC, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_EVENT);
	assert_string_equal(json_object_get_string(json_object_object_get(reply.payload, "type")),
			    "pause");
	ctl_reply_done(&reply);
	server_stop(f);
	server_free(f);
}

static void test_deferred_in_order(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	struct ctl_reply reply;
	struct ctl_error e;

	(void)state;
	/* Pipelined: the deferred reclaim is answered 50 ms later, and the
	 * status after it waits for it. */
	send_line(c, "{\"v\":1,\"id\":1,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":4096}}\n"
		     "{\"v\":1,\"id\":2,\"cmd\":\"status\"}\n");
	assert_int_equal(ctl_client_read(c, 2 * USEC_PER_SEC, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_OK);
	assert_int_equal(reply.id, 1);
	assert_int_equal(json_object_get_int(json_object_object_get(reply.payload, "reclaimed_bytes")), 4096);
	ctl_reply_done(&reply);
	assert_int_equal(ctl_client_read(c, 2 * USEC_PER_SEC, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_OK);
	assert_int_equal(reply.id, 2);
	ctl_reply_done(&reply);
	server_stop(f);
	server_free(f);
}

static void test_deferred_client_gone(void **state)
{
	struct fixture *f = server_start(NULL);
	struct ctl_client *c = connect_ok(f);
	_cleanup_(ctl_client_freep) struct ctl_client *c2 = connect_ok(f);

	(void)state;
	send_line(c, "{\"v\":1,\"id\":1,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":4096}}\n");
	usleep(10000);
	ctl_client_free(c);
	/* The late reply to a vanished client is dropped, not a crash. */
	usleep(150000);
	assert_int_equal(status_int(c2, "clients"), 1);
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_RECLAIM], 1);
	assert_null(f->deferred);
	server_free(f);
}

/* A call in progress when the daemon stops is answered, not dropped: the
 * manager replies ECANCELED after the loop has ended, and freeing the
 * server sends it (the VM scenario `stop` saw "The daemon closed the
 * connection" instead). */
static void test_stop_answers_call_in_progress(void **state)
{
	struct fixture *f = server_start(NULL);
	_cleanup_(ctl_client_freep) struct ctl_client *c = connect_ok(f);
	struct json_object *result = NULL;
	struct ctl_error e;

	(void)state;
	f->hold_deferred = true;
	/* A round trip first: the server knows the client. */
	assert_int_equal(ctl_client_call(c, "status", NULL, &result, &e), 0);
	json_object_put(result);
	send_line(c, "{\"v\":1,\"id\":7,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":4096}}\n");
	for (int i = 0; i < 200 && !__atomic_load_n(&f->deferred, __ATOMIC_ACQUIRE); i++)
		usleep(5000);
	server_stop(f);
	assert_non_null(f->deferred);
	ctl_call_reply(f->deferred, -ECANCELED, NULL, "reclaimd is stopping.");
	f->deferred = NULL;
	f->server = ctl_server_free(f->server);
	expect_error(c, -ECANCELED, "reclaimd is stopping.");
	f->server = NULL;
	server_free(f);
}

/* In a child: drop to uid 65534 with the given groups, try every mutating
 * request and return the number of requests that were NOT refused. */
static int unprivileged_child(const char *path, gid_t gid, const gid_t *groups,
			      size_t n_groups, int want_code)
{
	static const char *const requests[] = {
		"{\"v\":1,\"id\":1,\"cmd\":\"set\",\"args\":{\"key\":\"a\",\"value\":\"b\"}}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"reload\"}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"pause\"}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"resume\"}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":4096}}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a\",\"bytes\":4096,\"swappiness\":0}}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"boost\",\"args\":{\"node\":0,\"bytes\":4096}}\n",
		"{\"v\":1,\"id\":1,\"cmd\":\"stats\",\"args\":{\"reset\":true}}\n",
	};
	struct ctl_client *c = NULL;
	struct ctl_reply reply;
	struct ctl_error e;
	int wrong = 0;

	if (setgroups(n_groups, groups) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
		return 100;
	if (ctl_client_connect(path, 2 * USEC_PER_SEC, &c) < 0)
		return 101;
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (ctl_client_send_raw(c, requests[i], strlen(requests[i])) < 0 ||
		    ctl_client_read(c, 5 * USEC_PER_SEC, &reply, &e) < 0)
			return 102;
		if (want_code == 0 ? reply.kind != CTL_REPLY_OK
				   : (reply.kind != CTL_REPLY_ERROR || reply.error.code != want_code ||
				      !strstr(reply.error.message, "Permission denied")))
			wrong++;
		ctl_reply_done(&reply);
	}
	/* Reading stays allowed. */
	{
		struct json_object *result = NULL;

		if (ctl_client_call(c, "status", NULL, &result, &e) < 0)
			wrong += 10;
		json_object_put(result);
		if (ctl_client_call(c, "stats", NULL, &result, &e) < 0)
			wrong += 10;
		json_object_put(result);
	}
	ctl_client_free(c);
	return wrong;
}

/* The child re-executes this test (main()'s "--unprivileged-child"): the
 * server's thread may hold an allocator lock at fork(), and a child that
 * allocates before exec can wait on it for ever (seen under ASan). Only
 * exec runs between fork and exec, on strings made before the fork. */
static int run_child(const char *path, gid_t gid, const gid_t *groups, size_t n_groups,
		     int want_code)
{
	char gid_s[32], group_s[32], code_s[32];
	pid_t pid;
	int status;

	snprintf(gid_s, sizeof(gid_s), "%u", (unsigned)gid);
	snprintf(group_s, sizeof(group_s), "%s%u", n_groups ? "" : "-",
		 n_groups ? (unsigned)groups[0] : 0u);
	snprintf(code_s, sizeof(code_s), "%d", want_code);
	assert_true(n_groups <= 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", "test-ctl-server", "--unprivileged-child", path, gid_s,
		      group_s, code_s, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_unprivileged_refused(void **state)
{
	struct ctl_server_options o = { .admin_group = "nogroup" };
	struct fixture *f;
	gid_t admin_gid = 65534, other = 65533;

	(void)state;
	if (getuid() != 0 || !getgrnam("nogroup")) {
		skip();
		return;
	}
	f = server_start(&o);
	/* The test, not the server, opens the socket to everyone, so that
	 * only the credential check stands between uid 65534 and the daemon. */
	assert_int_equal(chmod(f->path, 0666), 0);
	/* Not in the admin group: every mutating request refused. */
	assert_int_equal(run_child(f->path, other, NULL, 0, -EPERM), 0);
	server_stop(f);
	assert_int_equal(f->mutating_calls_from_non_admin, 0);
	assert_int_equal(f->calls[CTL_CMD_PAUSE], 0);
	assert_int_equal(f->calls[CTL_CMD_SET], 0);
	assert_int_equal(f->calls[CTL_CMD_STATUS], 1);
	assert_int_equal(f->calls[CTL_CMD_STATS], 1);
	server_free(f);

	/* Admin group as primary group, then as a supplementary group only. */
	f = server_start(&o);
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_int_equal(run_child(f->path, admin_gid, NULL, 0, 0), 0);
	assert_int_equal(run_child(f->path, other, &admin_gid, 1, 0), 0);
	server_stop(f);
	assert_int_equal(f->calls[CTL_CMD_PAUSE], 2);
	assert_int_equal(f->calls[CTL_CMD_RECLAIM], 4);
	server_free(f);

	/* No admin group configured: uid 65534 in nogroup is refused. */
	f = server_start(NULL);
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_int_equal(run_child(f->path, admin_gid, &admin_gid, 1, -EPERM), 0);
	server_stop(f);
	assert_int_equal(f->mutating_calls_from_non_admin, 0);
	server_free(f);
}

static void test_stale_socket_and_conflicts(void **state)
{
	struct fixture *f = server_start(NULL);
	struct ctl_server_options o = { .path = f->path };
	struct ctl_server *s = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct event_base *base = event_base_new();
	char path2[160], file[160];
	int fd;

	(void)state;
	/* A live server's socket is never taken over. */
	assert_int_equal(ctl_server_new(base, &o, &fake_handler, NULL, &s), -EADDRINUSE);
	assert_null(s);
	assert_int_equal(access(f->path, F_OK), 0);

	/* A stale socket (bound, nobody listening) is replaced. */
	snprintf(path2, sizeof(path2), "%s/stale.sock", f->dir);
	strcpy(sa.sun_path, path2);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	o.path = path2;
	assert_int_equal(ctl_server_new(base, &o, &fake_handler, NULL, &s), 0);
	s = ctl_server_free(s);
	assert_int_equal(access(path2, F_OK), -1);

	/* A regular file is not a socket: refused, left alone. */
	snprintf(file, sizeof(file), "%s/file", f->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	o.path = file;
	assert_int_equal(ctl_server_new(base, &o, &fake_handler, NULL, &s), -EEXIST);
	assert_int_equal(access(file, F_OK), 0);
	unlink(file);

	o.path = "relative.sock";
	assert_int_equal(ctl_server_new(base, &o, &fake_handler, NULL, &s), -EINVAL);
	event_base_free(base);
	server_stop(f);
	server_free(f);
}

/* In a child: wait for the start signal, try to become the server on
 * path, report 'Y' or 'N', and hold what it got until told to exit. */
static void race_child(const char *path, int start, int result, int done)
{
	struct event_base *base = event_base_new();
	struct ctl_server_options o = { .path = path };
	struct ctl_server *s = NULL;
	char x;
	int r;

	(void)read(start, &x, 1);
	r = ctl_server_new(base, &o, &fake_handler, NULL, &s);
	(void)write(result, r == 0 ? "Y" : r == -EADDRINUSE ? "N" : "E", 1);
	(void)read(done, &x, 1);
	ctl_server_free(s);
	event_base_free(base);
	_exit(0);
}

/* Issue 17 B14: two daemons replacing the same stale socket at once:
 * exactly one may win, every time. */
static void test_stale_socket_race(void **state)
{
	char dir[] = "/tmp/test-ctl-race.XXXXXX", path[64], lock[80];
	int wins_twice = 0, errors = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	for (int round = 0; round < 100; round++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int start[2], result[2], done[2], fd, yes = 0;
		pid_t pids[2];
		char c;

		/* A stale socket: bound, nobody listening. */
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		close(fd);
		assert_int_equal(pipe(start), 0);
		assert_int_equal(pipe(result), 0);
		assert_int_equal(pipe(done), 0);
		for (int i = 0; i < 2; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				close(start[1]);
				close(done[1]);
				race_child(path, start[0], result[1], done[0]);
			}
		}
		close(start[0]);
		close(start[1]); /* both go */
		for (int i = 0; i < 2; i++) {
			assert_int_equal(read(result[0], &c, 1), 1);
			yes += c == 'Y';
			errors += c == 'E';
		}
		wins_twice += yes > 1;
		close(done[1]); /* both exit */
		for (int i = 0; i < 2; i++)
			waitpid(pids[i], NULL, 0);
		close(done[0]);
		close(result[0]);
		close(result[1]);
		unlink(path);
	}
	unlink(lock);
	rmdir(dir);
	assert_int_equal(errors, 0);
	assert_int_equal(wins_twice, 0);
}

static void test_from_fd(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct event_base *base = event_base_new();
	struct fixture *f = calloc(1, sizeof(*f));
	struct ctl_client *c;
	int fd;

	(void)state;
	strcpy(f->dir, "/tmp/test-ctl-server.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/activated.sock", f->dir);
	strcpy(sa.sun_path, f->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	f->base = base;
	assert_int_equal(ctl_server_new_from_fd(base, fd, NULL, &fake_handler, f, &f->server), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, loop_thread, f), 0);
	c = connect_ok(f);
	assert_int_equal(status_int(c, "clients"), 1);
	ctl_client_free(c);
	server_stop(f);
	f->server = ctl_server_free(f->server);
	/* Not created by the server: systemd owns the path. */
	assert_int_equal(access(f->path, F_OK), 0);
	unlink(f->path);
	event_base_free(base);
	rmdir(f->dir);
	free(f);
}

/* run_child()'s child, after exec: PATH GID GROUP|-0 WANT_CODE. */
static int unprivileged_child_main(char **argv)
{
	gid_t group;
	bool has_group = argv[4][0] != '-';

	group = (gid_t)strtoul(has_group ? argv[4] : "0", NULL, 10);
	return unprivileged_child(argv[2], (gid_t)strtoul(argv[3], NULL, 10),
				  has_group ? &group : NULL, has_group ? 1 : 0,
				  (int)strtol(argv[5], NULL, 10));
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "--unprivileged-child") == 0)
		return unprivileged_child_main(argv);
	if (argc == 5 && strcmp(argv[1], "--watch-child") == 0)
		return watch_child_main(argv[2], (unsigned)strtoul(argv[3], NULL, 10),
					(int)strtol(argv[4], NULL, 10));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_created),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_bad_requests_keep_connection),
		cmocka_unit_test(test_oversized_line),
		cmocka_unit_test(test_line_in_pieces),
		cmocka_unit_test(test_line_at_limit_accepted),
		cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_slow_reader_throttled),
		cmocka_unit_test(test_pipelined_not_dropped),
		cmocka_unit_test(test_half_closed),
		cmocka_unit_test(test_trickle_deadline),
		cmocka_unit_test(test_root_not_locked_out),
		cmocka_unit_test(test_watchers_capped),
		cmocka_unit_test(test_unprivileged_watchers_capped),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_deferred_in_order),
		cmocka_unit_test(test_deferred_client_gone),
		cmocka_unit_test(test_stop_answers_call_in_progress),
		cmocka_unit_test(test_unprivileged_refused),
		cmocka_unit_test(test_stale_socket_and_conflicts),
		cmocka_unit_test(test_stale_socket_race),
		cmocka_unit_test(test_from_fd),
	};

	evthread_use_pthreads();
	return cmocka_run_group_tests_name("ctl-server", tests, NULL, NULL);
}
