/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The control socket server: a libevent Unix stream listener speaking the
 * protocol of ctl-proto.h. Runs in the manager's event loop; every socket
 * is non-blocking and every limit below is enforced, so no client can stall
 * the loop (and through it the watermark monitor or a node thread).
 *
 * Authorisation (SO_PEERCRED + SO_PEERGROUPS, read once at accept time, so
 * a peer cannot exit and have its pid reused): anyone who can connect may
 * read; only uid 0 and members of the admin group (primary or
 * supplementary) may run a mutating command. Others get EPERM.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl-proto.h"

struct event_base;
struct json_object;
struct ctl_server;
struct ctl_call;

/* Defaults; each can be overridden in struct ctl_server_options. */
/* 128 clients: reclaimctl opens one connection per command, watch two;
 * the load benchmark runs 100 at once. With the output cap below, clients
 * that stop reading pin at most 128 x 512 KiB plus one reply each. */
#define CTL_SERVER_MAX_CLIENTS_DEFAULT 128
/* The last 8 of those slots are for root and the admin group only, so
 * that no unprivileged user can lock them out (issue 17 B3). */
#define CTL_SERVER_RESERVED_ADMIN_CLIENTS_DEFAULT 8
/* An unprivileged uid holds at most 16 connections: reclaimctl needs 1-2,
 * a dashboard polling a few metrics a handful. */
#define CTL_SERVER_MAX_CLIENTS_PER_UID_DEFAULT 16
/* Watch subscribers at once (each one costs an event line per wake). As
 * with connections, the last 4 are for root and the admin group, and one
 * unprivileged uid holds at most 4 (reclaimctl watch needs one), so no
 * user can lock root out of watch (issue 17 B3). */
#define CTL_SERVER_MAX_SUBSCRIBERS_DEFAULT 32
#define CTL_SERVER_RESERVED_ADMIN_SUBSCRIBERS_DEFAULT 4
#define CTL_SERVER_MAX_SUBSCRIBERS_PER_UID_DEFAULT 4
/* A client that completes no request for 60 s is closed (watch subscribers
 * are exempt): interactive use sends within milliseconds. Only a complete
 * request line restarts the clock, so a client dripping one byte at a time
 * (or blank lines) cannot hold its slot for longer. */
#define CTL_SERVER_IDLE_TIMEOUT_USEC_DEFAULT (60 * UINT64_C(1000000))
/* Output queued for one client beyond 512 KiB means it is not reading its
 * replies (the kernel's socket buffers already hold about 200 KiB more):
 * its input is not read any further until the queue drains below that,
 * so a pipelining client is slowed down, never dropped. A single larger
 * reply is always sent whole. A client whose output makes no progress
 * for the idle timeout is closed; a watch subscriber (whose events we
 * cannot hold back) is dropped at the cap. */
#define CTL_SERVER_MAX_OUTPUT_BYTES_DEFAULT (512 * 1024)

struct ctl_server_options {
	/* Socket path (created with its parent directory, mode 0660); ignored
	 * by ctl_server_new_from_fd(). */
	const char *path;
	/* Group owning the socket (by name); NULL or a group that does not
	 * exist leaves root's group. */
	const char *socket_group;
	/* Members of this group may run mutating commands; NULL: root only. */
	const char *admin_group;
	unsigned max_clients;        /* 0: default */
	unsigned reserved_admin_clients; /* 0: default; < max_clients */
	unsigned max_clients_per_uid;    /* 0: default; non-admin peers */
	unsigned max_subscribers;        /* 0: default */
	unsigned reserved_admin_subscribers; /* 0: default; < max_subscribers */
	unsigned max_subscribers_per_uid;    /* 0: default; non-admin peers */
	uint64_t idle_timeout_usec;  /* 0: default */
	size_t max_line_bytes;       /* 0: CTL_REQUEST_MAX_BYTES */
	size_t max_output_bytes;     /* 0: default */
};

/* Who is on the other end of a connection. */
struct ctl_peer {
	unsigned id; /* connection number, for logs */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool admin; /* uid 0 or in the admin group */
};

/* Returned by a handler that will answer later with ctl_call_reply(). */
#define CTL_HANDLE_DEFERRED 1

struct ctl_handler {
	/*
	 * Run one validated command. args is the validated argument object
	 * (borrowed; see ctl_commands[] for the schema). The authorisation
	 * check has been done: a mutating command reaches the handler only
	 * from an admin peer. "watch" is handled by the server and never
	 * reaches the handler.
	 *
	 * Return 0 and set *ret_result to a new object (ownership passes to
	 * the server; NULL sends {}), or a negative errno with a sentence in
	 * errbuf (empty: strerror), or CTL_HANDLE_DEFERRED after keeping call
	 * to answer with ctl_call_reply() later (for slow work such as a
	 * memory.reclaim write on a node thread). The client's further
	 * requests wait until then, so replies stay in order.
	 */
	int (*handle)(void *userdata, struct ctl_call *call,
		      const struct ctl_peer *peer,
		      const struct ctl_command *command, struct json_object *args,
		      struct json_object **ret_result, char *errbuf, size_t errlen);
	/* Optional: the number of watch subscribers changed (a subscribe, or a
	 * subscriber closed or dropped); n is the new number. */
	void (*subscribers_changed)(void *userdata, unsigned n);
};

int ctl_server_new(struct event_base *base, const struct ctl_server_options *options,
		   const struct ctl_handler *handler, void *userdata,
		   struct ctl_server **ret);
/* The same on a listening socket passed by systemd (sd_listen_fds()); the
 * server takes the fd over and closes it on free. */
int ctl_server_new_from_fd(struct event_base *base, int fd,
			   const struct ctl_server_options *options,
			   const struct ctl_handler *handler, void *userdata,
			   struct ctl_server **ret);
/* Closes every client and the listener; unlinks the socket path if this
 * server created it. Deferred calls stay valid until replied. */
struct ctl_server *ctl_server_free(struct ctl_server *server);

/* Send {"v":1,"event":event} to every watch subscriber. event is
 * borrowed. Subscribers whose output piles up past the cap are dropped. */
void ctl_server_broadcast_event(struct ctl_server *server, struct json_object *event);

unsigned ctl_server_n_clients(const struct ctl_server *server);
unsigned ctl_server_n_subscribers(const struct ctl_server *server);

/*
 * Answer a deferred call, exactly once, from the event loop thread:
 * r = 0 sends result (consumed; NULL sends {}), r < 0 sends an error with
 * message (NULL: strerror). Frees call. Safe after the client went away or
 * the server was freed (the answer is then dropped).
 */
void ctl_call_reply(struct ctl_call *call, int r, struct json_object *result,
		    const char *message);
/* Make call's answer go out as ctl_call_reply() queues it, without the
 * loop (after it has ended): what the socket takes within about 100 ms,
 * before anything else of any other client. */
void ctl_call_flush_reply(struct ctl_call *call);
