/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify.c against a real NOTIFY_SOCKET: a datagram socket bound in a
 * temporary directory, read back after each call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "util.h"

#define SEC USEC_PER_SEC

struct fixture {
	char dir[64];
	char path[96];
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char pid[16];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-notify-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/notify", f->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("NOTIFY_SOCKET", f->path, 1);
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	free(f);
	return 0;
}

/* The next datagram, or "" if none is queued. */
static const char *next_msg(struct fixture *f, char *buf, size_t size)
{
	ssize_t n = recv(f->fd, buf, size - 1, 0);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void test_messages(void **state)
{
	struct fixture *f = *state;
	_cleanup_(notify_freep) struct notify *n = NULL;
	char buf[1024];

	assert_int_equal(notify_new(&n), 0);
	assert_true(notify_enabled(n));
	assert_int_equal(notify_watchdog_usec(n), 30 * SEC);
	assert_int_equal(notify_watchdog_interval_usec(n), 10 * SEC);
	assert_int_equal(notify_stale_after_usec(n), 15 * SEC);

	assert_int_equal(notify_ready(n, "1 node, 2.0G free, idle"), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "READY=1\nSTATUS=1 node, 2.0G free, idle");

	/* STATUS= stays one line. */
	assert_int_equal(notify_status(n, "a\nb\nWATCHDOG=1"), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "STATUS=a b WATCHDOG=1");

	assert_int_equal(notify_reloading(n, 123456789), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "RELOADING=1\nMONOTONIC_USEC=123456789");
	assert_int_equal(notify_reloaded(n, "reloaded"), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "READY=1\nSTATUS=reloaded");

	assert_int_equal(notify_stopping(n), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "STOPPING=1");
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "");
}

/* A stuck node thread stops the pings; they resume when it moves again. */
static void test_watchdog_stale_thread(void **state)
{
	struct fixture *f = *state;
	_cleanup_(notify_freep) struct notify *n = NULL;
	struct notify_heartbeat *a, *b;
	char buf[256];
	uint64_t t = 1000 * SEC;

	assert_int_equal(notify_new(&n), 0);
	a = notify_register(n, "node0", t);
	b = notify_register(n, "node1", t);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->name, "node0");

	assert_int_equal(notify_watchdog_tick(n, t + 10 * SEC), 1);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "WATCHDOG=1");

	/* node0 keeps beating, node1 is stuck in a write: 15s is still fresh. */
	notify_heartbeat_beat(a, t + 15 * SEC);
	assert_int_equal(notify_watchdog_tick(n, t + 15 * SEC), 1);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "WATCHDOG=1");

	notify_heartbeat_beat(a, t + 20 * SEC);
	assert_int_equal(notify_watchdog_tick(n, t + 20 * SEC), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "");
	assert_int_equal(notify_watchdog_tick(n, t + 30 * SEC), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "");

	/* It comes back. */
	notify_heartbeat_beat(b, t + 31 * SEC);
	notify_heartbeat_beat(a, t + 31 * SEC);
	assert_int_equal(notify_watchdog_tick(n, t + 32 * SEC), 1);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "WATCHDOG=1");

	/* Parked until woken is not stuck, however long. */
	notify_heartbeat_set_idle(b, true, t + 32 * SEC);
	notify_heartbeat_beat(a, t + 500 * SEC);
	assert_int_equal(notify_watchdog_tick(n, t + 500 * SEC), 1);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "WATCHDOG=1");
	/* Woken, it is judged by its beats again. */
	notify_heartbeat_set_idle(b, false, t + 500 * SEC);
	assert_int_equal(notify_watchdog_tick(n, t + 516 * SEC), 0);
}

struct alive_case {
	uint64_t last[3];
	bool idle[3];
	size_t n;
	uint64_t now, stale_after;
	bool alive;
	size_t stale;
};

static void test_heartbeats_alive(void **state)
{
	static const struct alive_case cases[] = {
		{ { 0 }, { false }, 0, 100, 10, true, 99 },	       /* no threads */
		{ { 95, 90, 100 }, { false }, 3, 100, 10, true, 99 },  /* age 10 is fresh */
		{ { 95, 89, 100 }, { false }, 3, 100, 10, false, 1 },  /* age 11 is stale */
		{ { 50, 80, 70 }, { false }, 3, 100, 10, false, 0 },   /* the stalest */
		{ { 50, 80, 70 }, { true, false, true }, 3, 100, 10, false, 1 },
		{ { 50, 95, 70 }, { true, false, true }, 3, 100, 10, true, 99 },
		{ { 200, 0, 0 }, { false }, 1, 100, 10, true, 99 },    /* beat after now */
		{ { 0 }, { false }, 1, UINT64_MAX, 10, false, 0 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct notify_heartbeat hb[3] = {};
		size_t stale = 99;

		for (size_t k = 0; k < 3; k++) {
			hb[k].last_usec = cases[i].last[k];
			hb[k].idle = cases[i].idle[k];
		}
		if (notify_heartbeats_alive(hb, cases[i].n, cases[i].now, cases[i].stale_after,
					    &stale) != cases[i].alive ||
		    stale != cases[i].stale)
			fail_msg("case %zu: alive/stale wrong (stale=%zu)", i, stale);
	}
}

/* Outside systemd every call is a quiet no-op. */
static void test_disabled(void **state)
{
	struct fixture *f = *state;
	_cleanup_(notify_freep) struct notify *n = NULL;
	char buf[64];

	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(notify_new(&n), 0);
	assert_false(notify_enabled(n));
	assert_int_equal(notify_watchdog_usec(n), 0);
	assert_int_equal(notify_watchdog_interval_usec(n), 0);
	assert_int_equal(notify_ready(n, "x"), 0);
	assert_int_equal(notify_watchdog_tick(n, 1), 0);
	assert_string_equal(next_msg(f, buf, sizeof(buf)), "");
	n = notify_free(n);

	/* A watchdog meant for another process is not ours. */
	setenv("NOTIFY_SOCKET", f->path, 1);
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(notify_new(&n), 0);
	assert_int_equal(notify_watchdog_usec(n), 0);
}

static void test_register_full(void **state)
{
	_cleanup_(notify_freep) struct notify *n = NULL;

	assert_int_equal(notify_new(&n), 0);
	for (size_t i = 0; i < NOTIFY_HEARTBEATS_MAX; i++)
		assert_non_null(notify_register(n, "t", 1));
	assert_null(notify_register(n, "t", 1));
}

static int notify_run_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_stale_thread, setup, teardown),
		cmocka_unit_test(test_heartbeats_alive),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_full, setup, teardown),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}

/* ---- helpers for tests/integration/notify.sh ----------------------------- */

/*
 * "listen WATCHDOG_USEC TIMEOUT_MS CMD...": run CMD under a NOTIFY_SOCKET as
 * systemd would (WATCHDOG_USEC, WATCHDOG_PID = CMD's pid) and print every
 * datagram as "SECONDS MSG" (newlines shown as '|') until CMD exits or the
 * timeout, when it gets SIGTERM. Exits with CMD's status.
 */
static int helper_listen(int argc, char *argv[])
{
	char dir[] = "/tmp/notify-listen-XXXXXX", path[96], buf[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t start = now_usec(), timeout_usec;
	int fd, status = 0;
	bool exited = false, termed = false;
	pid_t pid;

	if (argc < 5 || !mkdtemp(dir))
		return 2;
	timeout_usec = strtoull(argv[3], NULL, 10) * USEC_PER_MSEC;
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 2;

	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		char p[16];
		snprintf(p, sizeof(p), "%d", (int)getpid());
		setenv("NOTIFY_SOCKET", path, 1);
		setenv("WATCHDOG_USEC", argv[2], 1);
		setenv("WATCHDOG_PID", p, 1);
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t t = now_usec() - start;

		if (!termed && t > timeout_usec) {
			kill(pid, SIGTERM);
			termed = true;
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
		if (poll(&pfd, 1, exited ? 0 : 20) > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
			if (n < 0)
				continue;
			buf[n] = '\0';
			for (char *c = buf; *c; c++)
				if (*c == '\n')
					*c = '|';
			printf("%.3f %s\n", (double)(now_usec() - start) / 1e6, buf);
			fflush(stdout);
		} else if (exited)
			break;
	}
	close(fd);
	unlink(path);
	rmdir(dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct driver_thread {
	struct notify_heartbeat *hb;
	uint64_t stop_at_usec; /* stop beating (stuck) from then on; 0: never */
	volatile bool quit;
};

static void sleep_usec(uint64_t usec)
{
	struct timespec ts = { .tv_sec = (time_t)(usec / USEC_PER_SEC),
			       .tv_nsec = (long)(usec % USEC_PER_SEC * 1000) };

	nanosleep(&ts, NULL);
}

static void *driver_thread(void *arg)
{
	struct driver_thread *t = arg;

	while (!t->quit) {
		uint64_t now = now_usec();
		if (!t->stop_at_usec || now < t->stop_at_usec)
			notify_heartbeat_beat(t->hb, now);
		sleep_usec(20 * USEC_PER_MSEC);
	}
	return NULL;
}

/*
 * "driver STUCK_MS TOTAL_MS": what the daemon does with notify.c, with two
 * node threads; node1 stops beating after STUCK_MS (and says so in STATUS),
 * heartbeats go stale after a third of WatchdogSec.
 */
static int helper_driver(int argc, char *argv[])
{
	_cleanup_(notify_freep) struct notify *n = NULL;
	struct driver_thread t[2] = {};
	pthread_t th[2];
	uint64_t start = now_usec(), stuck, total;
	bool said_stuck = false;

	if (argc < 4 || notify_new(&n) < 0 || notify_watchdog_usec(n) == 0)
		return 2;
	stuck = strtoull(argv[2], NULL, 10) * USEC_PER_MSEC;
	total = strtoull(argv[3], NULL, 10) * USEC_PER_MSEC;
	notify_set_stale_after_usec(n, notify_watchdog_usec(n) / 3);
	for (int i = 0; i < 2; i++) {
		t[i].hb = notify_register(n, i ? "node1" : "node0", start);
		t[i].stop_at_usec = i ? start + stuck : 0;
		pthread_create(&th[i], NULL, driver_thread, &t[i]);
	}
	notify_ready(n, "driver: 2 nodes up");
	while (now_usec() - start < total) {
		if (!said_stuck && now_usec() >= start + stuck) {
			notify_status(n, "driver: node1 stuck");
			said_stuck = true;
		}
		notify_watchdog_tick(n, now_usec());
		sleep_usec(notify_watchdog_interval_usec(n) / 2);
	}
	notify_stopping(n);
	for (int i = 0; i < 2; i++) {
		t[i].quit = true;
		pthread_join(th[i], NULL);
	}
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc > 1 && streq(argv[1], "listen"))
		return helper_listen(argc, argv);
	if (argc > 1 && streq(argv[1], "driver"))
		return helper_driver(argc, argv);

	return notify_run_tests();
}
