/* SPDX-License-Identifier: GPL-2.0-only */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "kick.h"
#include "util.h"

/* The threads kick_thread_create() made and kick_join() has not joined:
 * a fixed table, no allocation. */
static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t kick_threads[KICK_MAX_THREADS];
static bool kick_live[KICK_MAX_THREADS];

static void kick_handler(int sig)
{
	(void)sig; /* its whole work is to be pending: EINTR */
}

static int kick_setup_result;

static void kick_setup_once(void)
{
	struct sigaction sa = { .sa_handler = kick_handler }; /* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	kick_setup_result = sigaction(KICK_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
}

int kick_thread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
		       void *arg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	/* A fault blocked is delivered with its default action, past any
	 * handler (ASan's report): leave them open. */
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };
	sigset_t mask, old;
	unsigned slot;
	int r;

	(void)pthread_once(&once, kick_setup_once);
	if (kick_setup_result < 0)
		return kick_setup_result;
	sigfillset(&mask);
	sigdelset(&mask, KICK_SIGNAL);
	for (unsigned i = 0; i < ELEMENTSOF(faults); i++)
		sigdelset(&mask, faults[i]);

	pthread_mutex_lock(&kick_lock);
	for (slot = 0; slot < KICK_MAX_THREADS && kick_live[slot]; slot++)
		;
	if (slot == KICK_MAX_THREADS) {
		pthread_mutex_unlock(&kick_lock);
		return -ENOSPC;
	}
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	r = -pthread_create(t, attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == 0) {
		kick_threads[slot] = *t;
		kick_live[slot] = true;
	}
	pthread_mutex_unlock(&kick_lock);
	return r;
}

/* Under kick_lock, so that no thread is kicked once joined (its pthread_t
 * may be a new thread's by then). */
static void kick_all_locked(void)
{
	/* A thread that has exited but is not joined yet takes it harmlessly. */
	for (unsigned i = 0; i < KICK_MAX_THREADS; i++)
		if (kick_live[i])
			(void)pthread_kill(kick_threads[i], KICK_SIGNAL);
}

void kick_join(pthread_t t)
{
	pthread_mutex_lock(&kick_lock);
	for (;;) {
		struct timespec until;

		kick_all_locked();
		timespec_after_usec(&until, KICK_INTERVAL_USEC);
		if (pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &until) != ETIMEDOUT)
			break;
	}
	for (unsigned i = 0; i < KICK_MAX_THREADS; i++)
		if (kick_live[i] && pthread_equal(kick_threads[i], t))
			kick_live[i] = false;
	pthread_mutex_unlock(&kick_lock);
}
