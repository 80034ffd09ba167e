/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Drive a control server from a fuzzer: connect to it over its real Unix
 * socket, send the input in chunks (the first byte picks the chunk size,
 * so line splitting is tried at every offset), half-close, run the event
 * loop until the server closes, and check every reply line: a reply or an
 * event of the protocol, valid UTF-8. The server must close a half-closed
 * client (issue 17 B8); one that never does is a bug.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl-proto.h"
#include "util.h"

/* Loop iterations without progress before the harness waits in the loop. */
#define FUZZ_SOCKET_STALL_MAX 20000
/* Then 100 ms waits in the loop without progress before the server counts
 * as hung: 300 s. A starved fuzzer is slow, not hung: stop 20's trapping
 * input (12 pipelined commands, two deferred reclaims) took 0.6 s alone
 * and 53.6 s at nice 19 beside two busy loops. Still short of libFuzzer's
 * own -timeout (1200 s). */
#define FUZZ_SOCKET_WAIT_USEC 100000
#define FUZZ_SOCKET_WAITS_MAX 3000
/* Reply bytes kept for checking; the rest are counted and dropped. */
#define FUZZ_SOCKET_KEEP_BYTES (4 * 1024 * 1024)

static void fuzz_check_reply_line(const char *line, size_t n)
{
	struct ctl_reply reply;
	struct ctl_error e;

	if (utf8_prefix(line, n) != n)
		__builtin_trap(); /* invalid UTF-8 on the wire (issue 17 B12) */
	if (ctl_reply_parse(line, n, &reply, &e) < 0)
		__builtin_trap(); /* not a line of the protocol */
	ctl_reply_done(&reply);
}

static void fuzz_check_replies(char *out, size_t n)
{
	char *p = out, *end = out + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		*nl = '\0';
		fuzz_check_reply_line(p, (size_t)(nl - p));
		p = nl + 1;
	}
	/* A reply line is whole, or cut only by our own keep limit. */
	if (p != end && n < FUZZ_SOCKET_KEEP_BYTES)
		__builtin_trap();
}

/* Run the loop until the server has freed every client (it closed ours
 * already: freeing is one deferred event away). */
static void fuzz_socket_settle(struct event_base *base, unsigned (*n_clients)(void))
{
	for (int i = 0; i < 1000 && n_clients() > 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	if (n_clients() > 0)
		__builtin_trap(); /* a closed client is never freed */
}

static void fuzz_socket_tick(evutil_socket_t fd, short what, void *userdata)
{
	(void)fd;
	(void)what;
	(void)userdata;
}

/* Returns the number of reply bytes received. */
static size_t fuzz_socket_session(struct event_base *base, const char *path,
				  const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t chunk = size ? 1 + data[0] % 97 : 1, sent = 0, got = 0, kept = 0;
	char *out = malloc(FUZZ_SOCKET_KEEP_BYTES + 1), buf[65536];
	unsigned stall = 0, waits = 0;
	bool shut = false, eof = false;
	int fd;

	if (!out)
		return 0;
	if (size) {
		data++;
		size--;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		__builtin_trap();
	while (!eof) {
		bool progress = false;
		ssize_t k;

		if (sent < size) {
			k = send(fd, data + sent, MIN(chunk, size - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k > 0) {
				sent += (size_t)k;
				progress = true;
			} else if (k < 0 && errno != EAGAIN)
				sent = size; /* closed on us (oversized line): fine */
		} else if (!shut) {
			(void)shutdown(fd, SHUT_WR);
			shut = true;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		while ((k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			size_t keep = MIN((size_t)k, FUZZ_SOCKET_KEEP_BYTES - kept);

			memcpy(out + kept, buf, keep);
			kept += keep;
			got += (size_t)k;
			progress = true;
		}
		if (k == 0 || (k < 0 && errno != EAGAIN))
			eof = true;
		stall = progress ? 0 : stall + 1;
		if (progress)
			waits = 0;
		if (stall > FUZZ_SOCKET_STALL_MAX) {
			/* Nothing moves: wait in the server's loop itself, not
			 * beside it. A deferred reply (a reclaim job) comes from a
			 * worker thread through the loop's eventfd, so a wait on
			 * our socket alone held the reply back until it gave up
			 * (the 10 s trap of stop 20, under load). A true
			 * hang (the server never closes a half-closed client)
			 * still traps, after FUZZ_SOCKET_WAITS_MAX waits. */
			struct timeval tick = { 0, FUZZ_SOCKET_WAIT_USEC };
			struct event *t = evtimer_new(base, fuzz_socket_tick, NULL);

			/* Our own timer, freed after the wait: a loopexit
			 * left pending would cut a later wait short. */
			if (!t)
				__builtin_trap();
			evtimer_add(t, &tick);
			event_base_loop(base, EVLOOP_ONCE);
			event_free(t);
			if (++waits > FUZZ_SOCKET_WAITS_MAX)
				__builtin_trap(); /* a half-closed client never closed */
			stall = 0;
		}
	}
	close(fd);
	fuzz_check_replies(out, kept);
	free(out);
	return got;
}
