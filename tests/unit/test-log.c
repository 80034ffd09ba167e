/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.c's decisions without journald: whether stderr is the journal
 * (JOURNAL_STREAM against stderr's device and inode), the journal fields of
 * an event, and that stderr lines carry "<N>" only for the journal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct stream_case {
	const char *env;
	uint64_t dev, ino;
	bool journal;
};

static void test_stream_is_journal(void **state)
{
	static const struct stream_case cases[] = {
		{ "8:1234", 8, 1234, true },
		{ "64769:1234567890123", 64769, UINT64_C(1234567890123), true },
		{ "8:1234", 8, 1235, false },   /* another stream: a pipe */
		{ "9:1234", 8, 1234, false },
		{ NULL, 8, 1234, false },       /* not under journald */
		{ "", 8, 1234, false },
		{ "8", 8, 1234, false },
		{ "8:", 8, 1234, false },
		{ "8:1234x", 8, 1234, false },
		{ "8:1234:5", 8, 1234, false },
		{ " 8:1234", 8, 1234, false },
		{ "-8:1234", (uint64_t)-8, 1234, false },
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		assert_int_equal(log_stream_is_journal(cases[i].env, cases[i].dev, cases[i].ino),
				 cases[i].journal);
}

static void test_event_fields(void **state)
{
	static char bufs[LOG_FIELDS_MAX][LOG_FIELD_BYTES];
	const struct log_fields run = { .node = 1, .priority_level = 10, .has_reclaimed = true,
					.reclaimed_bytes = UINT64_C(16777216) };
	const struct log_fields brake = { .node = -1, .cgroup = "/batch.slice",
					  .priority_level = -1 };
	size_t n;

	(void)state;
	n = log_event_fields(bufs, LOG_FIELDS_MAX, LOG_INFO, LOG_EVENT_RUN_END, &run, "ran");
	assert_int_equal(n, 7);
	assert_string_equal(bufs[0], "MESSAGE=ran");
	assert_string_equal(bufs[1], "PRIORITY=6");
	assert_true(strncmp(bufs[2], "SYSLOG_IDENTIFIER=", 18) == 0);
	assert_string_equal(bufs[3], log_event_message_id(LOG_EVENT_RUN_END));
	assert_string_equal(bufs[4], "NODE=1");
	assert_string_equal(bufs[5], "PRIORITY_LEVEL=10");
	assert_string_equal(bufs[6], "RECLAIMED_BYTES=16777216");

	n = log_event_fields(bufs, LOG_FIELDS_MAX, LOG_NOTICE, LOG_EVENT_BRAKE, &brake, "b");
	assert_int_equal(n, 5);
	assert_string_equal(bufs[1], "PRIORITY=5");
	assert_string_equal(bufs[4], "CGROUP=/batch.slice");

	/* Never more than asked for. */
	assert_int_equal(log_event_fields(bufs, 2, LOG_INFO, LOG_EVENT_RUN_END, &run, "x"), 2);
}

static void test_message_ids(void **state)
{
	(void)state;
	for (int i = 0; i < _LOG_EVENT_MAX; i++) {
		const char *id = log_event_message_id(i);

		assert_non_null(id);
		assert_int_equal(strlen(id), strlen("MESSAGE_ID=") + 32);
		assert_int_equal(strspn(id + 11, "0123456789abcdef"), 32);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(id, log_event_message_id(k));
	}
	assert_null(log_event_message_id(_LOG_EVENT_MAX));
}

/* stderr to a file: no prefix (the file is not the stream JOURNAL_STREAM
 * names); forced on, a prefix. Nothing logs before this test, so the
 * once-per-process decision is taken here, on the file. */
static void test_prefix_on_file(void **state)
{
	char path[] = "/tmp/test-log.XXXXXX", buf[256] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	FILE *f;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	setenv("JOURNAL_STREAM", "1:1", 1);
	dup2(fd, STDERR_FILENO);
	log_info("plain");
	log_set_prefix_mode(1);
	log_info("forced");
	log_set_prefix_mode(-1);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f) > 0, 1);
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "plain\n<6>forced\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_is_journal),
		cmocka_unit_test(test_event_fields),
		cmocka_unit_test(test_message_ids),
		cmocka_unit_test(test_prefix_on_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
