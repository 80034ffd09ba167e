/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * sd_notify(3) glue: READY=1, STATUS=, RELOADING=1, STOPPING=1 and the
 * watchdog. Every call is a no-op returning 0 when the daemon does not run
 * under systemd (no NOTIFY_SOCKET).
 *
 * Watchdog: systemd restarts the service when WATCHDOG=1 stops arriving
 * for WatchdogSec. A live event loop alone proves little: a node thread
 * stuck in a memory.reclaim write (or in a loop) must stop the pings too.
 * So every node thread registers a heartbeat at start-up and beats it on
 * each iteration; the manager calls notify_watchdog_tick() from a timer
 * every notify_watchdog_interval_usec(), and the ping is sent only while
 * every heartbeat is fresh. A thread parked in its "sleep until woken"
 * wait marks itself idle: waiting on a condition variable is not stuck.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* One per node thread, plus spares for other threads. */
#define NOTIFY_HEARTBEATS_MAX 1088

struct notify_heartbeat {
	uint64_t last_usec; /* CLOCK_MONOTONIC of the last beat; atomic */
	bool idle;	    /* atomic */
	char name[16];
};

struct notify;

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID (sd_watchdog_enabled). */
int notify_new(struct notify **ret);
struct notify *notify_free(struct notify *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct notify *, notify_free);

bool notify_enabled(const struct notify *n);	  /* NOTIFY_SOCKET set */
uint64_t notify_watchdog_usec(const struct notify *n); /* 0: no watchdog */
/* How often to call notify_watchdog_tick(): a third of WatchdogSec, so a
 * late timer or one withheld tick does not kill the service. 0: never. */
uint64_t notify_watchdog_interval_usec(const struct notify *n);
/* A heartbeat older than this is stale: half of WatchdogSec. */
uint64_t notify_stale_after_usec(const struct notify *n);
/* Override the staleness threshold (tests; a daemon option later). */
void notify_set_stale_after_usec(struct notify *n, uint64_t usec);

/* "READY=1\nSTATUS=..." once the nodes are up. */
int notify_ready(struct notify *n, const char *status);
/* One-line live summary; newlines are replaced by spaces. */
int notify_status(struct notify *n, const char *status);
/* Around a reload: RELOADING=1 with MONOTONIC_USEC=now, then READY=1. */
int notify_reloading(struct notify *n, uint64_t now_usec);
int notify_reloaded(struct notify *n, const char *status);
int notify_stopping(struct notify *n);

/* Start-up only (allocates nothing, but is not thread-safe): returns a
 * heartbeat that stays valid until notify_free(), or NULL when full. */
struct notify_heartbeat *notify_register(struct notify *n, const char *name, uint64_t now_usec);

/* From the owning thread; lock-free. */
void notify_heartbeat_beat(struct notify_heartbeat *hb, uint64_t now_usec);
void notify_heartbeat_set_idle(struct notify_heartbeat *hb, bool idle, uint64_t now_usec);

/*
 * Pure: true if every heartbeat is idle or beat within stale_after_usec of
 * now_usec. Otherwise false with the index of the stalest one in *ret_stale
 * (may be NULL). A beat "from the future" (a thread read the clock after
 * the caller) is fresh.
 */
bool notify_heartbeats_alive(const struct notify_heartbeat *hb, size_t n, uint64_t now_usec,
			     uint64_t stale_after_usec, size_t *ret_stale);

/*
 * From the event loop timer: send WATCHDOG=1 if notify_heartbeats_alive().
 * Returns 1 if a ping was sent, 0 if withheld (a thread is stale; logged
 * once per episode) or there is no watchdog, negative errno on error.
 */
int notify_watchdog_tick(struct notify *n, uint64_t now_usec);
