/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sd_notify glue and the watchdog that checks every node thread; see notify.h.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"
#include "util.h"

struct notify {
	bool enabled;
	uint64_t watchdog_usec;
	uint64_t stale_after_usec;
	bool withheld; /* pings withheld: log once per episode */
	size_t n_heartbeats;
	struct notify_heartbeat heartbeats[NOTIFY_HEARTBEATS_MAX];
};

int notify_new(struct notify **ret)
{
	_cleanup_(notify_freep) struct notify *n = calloc(1, sizeof(*n));
	const char *e;
	uint64_t usec = 0;
	int r;

	if (!n)
		return -ENOMEM;
	e = getenv("NOTIFY_SOCKET");
	n->enabled = e && *e;
	/* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is us. */
	r = sd_watchdog_enabled(/* unset_environment= */ 0, &usec);
	if (r < 0)
		return r;
	n->watchdog_usec = r > 0 ? usec : 0;
	n->stale_after_usec = n->watchdog_usec / 2;
	*ret = TAKE_PTR(n);
	return 0;
}

struct notify *notify_free(struct notify *n)
{
	free(n);
	return NULL;
}

bool notify_enabled(const struct notify *n)
{
	return n->enabled;
}

uint64_t notify_watchdog_usec(const struct notify *n)
{
	return n->watchdog_usec;
}

uint64_t notify_watchdog_interval_usec(const struct notify *n)
{
	return n->watchdog_usec / 3;
}

uint64_t notify_stale_after_usec(const struct notify *n)
{
	return n->stale_after_usec;
}

void notify_set_stale_after_usec(struct notify *n, uint64_t usec)
{
	n->stale_after_usec = usec;
}

static int notify_send(struct notify *n, const char *msg)
{
	int r;

	if (!n->enabled)
		return 0;
	r = sd_notify(/* unset_environment= */ 0, msg);
	return r < 0 ? r : 0;
}

/* "PREFIX" + "STATUS=" + status on one line. */
static int notify_send_status(struct notify *n, const char *prefix, const char *status)
{
	char msg[512];
	size_t k;

	k = (size_t)snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", prefix, *prefix ? "\n" : "",
			     status ? status : "");
	if (k >= sizeof(msg))
		k = sizeof(msg) - 1;
	/* STATUS= is one line: a newline would start a new assignment. */
	for (char *p = msg + strlen(prefix) + (*prefix ? 1 : 0); *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (!status)
		msg[strlen(prefix)] = '\0';
	return notify_send(n, msg);
}

int notify_ready(struct notify *n, const char *status)
{
	return notify_send_status(n, "READY=1", status);
}

int notify_status(struct notify *n, const char *status)
{
	return notify_send_status(n, "", status);
}

int notify_reloading(struct notify *n, uint64_t now_usec)
{
	char msg[64];

	/* MONOTONIC_USEC lets systemd (254+) order the reload; older ones ignore it. */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_usec);
	return notify_send(n, msg);
}

int notify_reloaded(struct notify *n, const char *status)
{
	return notify_ready(n, status);
}

int notify_stopping(struct notify *n)
{
	return notify_send(n, "STOPPING=1");
}

struct notify_heartbeat *notify_register(struct notify *n, const char *name, uint64_t now_usec)
{
	struct notify_heartbeat *hb;

	if (n->n_heartbeats >= NOTIFY_HEARTBEATS_MAX)
		return NULL;
	hb = &n->heartbeats[n->n_heartbeats];
	snprintf(hb->name, sizeof(hb->name), "%s", name);
	notify_heartbeat_beat(hb, now_usec);
	/* Publish the beat before the count, so the loop never reads a zero. */
	__atomic_store_n(&n->n_heartbeats, n->n_heartbeats + 1, __ATOMIC_RELEASE);
	return hb;
}

void notify_heartbeat_beat(struct notify_heartbeat *hb, uint64_t now_usec)
{
	__atomic_store_n(&hb->last_usec, now_usec, __ATOMIC_RELAXED);
}

void notify_heartbeat_set_idle(struct notify_heartbeat *hb, bool idle, uint64_t now_usec)
{
	notify_heartbeat_beat(hb, now_usec);
	__atomic_store_n(&hb->idle, idle, __ATOMIC_RELAXED);
}

bool notify_heartbeats_alive(const struct notify_heartbeat *hb, size_t n, uint64_t now_usec,
			     uint64_t stale_after_usec, size_t *ret_stale)
{
	uint64_t worst_age = 0;
	size_t worst = 0;
	bool alive = true;

	for (size_t i = 0; i < n; i++) {
		uint64_t last = __atomic_load_n(&hb[i].last_usec, __ATOMIC_RELAXED);
		uint64_t age = now_usec > last ? now_usec - last : 0;

		if (__atomic_load_n(&hb[i].idle, __ATOMIC_RELAXED) || age <= stale_after_usec)
			continue;
		if (alive || age > worst_age) {
			worst = i;
			worst_age = age;
		}
		alive = false;
	}
	if (!alive && ret_stale)
		*ret_stale = worst;
	return alive;
}

int notify_watchdog_tick(struct notify *n, uint64_t now_usec)
{
	size_t count = __atomic_load_n(&n->n_heartbeats, __ATOMIC_ACQUIRE), stale;
	char age[FORMAT_DURATION_MAX];
	int r;

	if (n->watchdog_usec == 0)
		return 0;
	if (!notify_heartbeats_alive(n->heartbeats, count, now_usec, n->stale_after_usec, &stale)) {
		if (!n->withheld)
			log_error("Thread %s made no progress for %s, withholding watchdog pings.",
				  n->heartbeats[stale].name,
				  format_duration(age, sizeof(age),
						  now_usec - __atomic_load_n(&n->heartbeats[stale].last_usec,
									     __ATOMIC_RELAXED)));
		n->withheld = true;
		return 0;
	}
	if (n->withheld)
		log_notice("Every thread is making progress again, resuming watchdog pings.");
	n->withheld = false;
	r = notify_send(n, "WATCHDOG=1");
	return r < 0 ? r : 1;
}
