/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Stopping a thread that is inside a long system call. A memory.reclaim
 * write, and a node's reclaim file (user_proactive_reclaim()), loops in the
 * kernel until it has what it was asked for or 16 tries found nothing; it
 * ends early, with EINTR, only when a signal is pending for the writing
 * thread, seen between its tries. One such write outlived a SIGTERM by more
 * than the unit's TimeoutStopSec=30s (an offload write on 6.12 under TCG,
 * in CI), and systemd would have killed the daemon.
 *
 * So the daemon's threads block every signal but KICK_SIGNAL and the
 * faults (SIGTERM and SIGHUP go to the event loop's thread, and never cut a
 * write short), and KICK_SIGNAL's handler does nothing and is installed
 * without SA_RESTART. A stop sets the threads' own stop flags, then
 * kick_join() sends KICK_SIGNAL every KICK_INTERVAL_USEC until the thread
 * joined has exited: a kick that comes just before a write begins is lost,
 * the next one is not.
 *
 * Each round kicks every thread made by kick_thread_create() that has not
 * been joined yet, not only the one joined: a thread waiting for a lock
 * that another holds across a write (manager.c's per-node shrink_lock,
 * which a node thread and an operator's node reclaim share, or its
 * cgroup_shrink_lock, offload's and an operator's cgroup reclaim's) leaves
 * only once that write is cut short, and a mutex wait is not interrupted.
 * Joins are made from one thread (the loop's, at stop); a join holds the
 * table, so no thread is made meanwhile.
 */

#include <pthread.h>
#include <signal.h>

#define KICK_SIGNAL (SIGRTMIN + 1)
#define KICK_INTERVAL_USEC (20 * 1000)
#define KICK_MAX_THREADS 256

/* pthread_create() with every signal but KICK_SIGNAL and the faults
 * blocked in the new thread, KICK_SIGNAL's handler installed, and the
 * thread known to kick_join(); negative errno (-ENOSPC past
 * KICK_MAX_THREADS threads not yet joined). */
int kick_thread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
		       void *arg);

/* Join t (its stop flag is set: the caller's), kicking it and every other
 * thread not yet joined out of any system call until t has exited. */
void kick_join(pthread_t t);
