/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stderr logging with optional syslog priority prefixes (see log.h).
 *
 * No allocation: each line is formatted into a stack buffer and written with
 * one write(2), so that lines from node threads do not interleave and logging
 * keeps working when memory is short.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static int log_prefix_mode = -1;

void log_set_max_level(int level)
{
	log_max_level = CLAMP(level, LOG_EMERG, LOG_DEBUG);
}

int log_get_max_level(void)
{
	return log_max_level;
}

void log_set_prefix_mode(int mode)
{
	log_prefix_mode = mode;
}

static const char *const log_level_table[] = {
	[LOG_EMERG] = "emerg",	 [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err",	 [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info",	[LOG_DEBUG] = "debug",
};

int log_level_from_string(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(log_level_table); i++)
		if (strcasecmp(s, log_level_table[i]) == 0)
			return (int)i;
	if (strcasecmp(s, "error") == 0)
		return LOG_ERR;
	return -EINVAL;
}

DEFINE_STRING_TABLE_TO_STRING(, log_level, int, ELEMENTSOF(log_level_table))

bool log_stream_is_journal(const char *journal_stream, uint64_t dev, uint64_t ino)
{
	unsigned long long d, i;
	int n = 0;

	if (!journal_stream ||
	    sscanf(journal_stream, "%llu:%llu%n", &d, &i, &n) != 2 ||
	    journal_stream[n] != '\0' || journal_stream[0] < '0' || journal_stream[0] > '9')
		return false;
	return d == dev && i == ino;
}

bool log_stderr_is_journal(void)
{
	static int cached = -1;
	struct stat st;

	if (cached < 0)
		cached = fstat(STDERR_FILENO, &st) == 0 &&
			 log_stream_is_journal(getenv("JOURNAL_STREAM"), (uint64_t)st.st_dev,
					       (uint64_t)st.st_ino);
	return cached;
}

static bool log_use_prefix(void)
{
	if (log_prefix_mode >= 0)
		return log_prefix_mode;
	return log_stderr_is_journal();
}

/* Random 128-bit ids (as journalctl --new-id128 makes), generated once;
 * never change a published one (reclaimd(8) lists them). */
static const char *const log_event_ids[_LOG_EVENT_MAX] = {
	[LOG_EVENT_RUN_END] = "MESSAGE_ID=589561f1712540afbbed55c4510e1a71",
	[LOG_EVENT_HOPELESS] = "MESSAGE_ID=2516d336329c4508b73acd72225de244",
	[LOG_EVENT_BRAKE] = "MESSAGE_ID=9e2dee8fd2a9480c965390591fedc199",
	[LOG_EVENT_RELOAD] = "MESSAGE_ID=38890e7e7aa84069bb1bd7702300d5d7",
	[LOG_EVENT_WATCHDOG] = "MESSAGE_ID=b1acb7075444459184c065b8ecc9f663",
	[LOG_EVENT_DRY_RUN] = "MESSAGE_ID=ba835fe7070948edbae1b16b1457b1bf",
	[LOG_EVENT_OFFLOAD] = "MESSAGE_ID=04c3bf173edb4d02a474d8b7dbff59ae",
	[LOG_EVENT_RUN_SUMMARY] = "MESSAGE_ID=c8ee90a44abb497e9bc016b270bb1818",
};

const char *log_event_message_id(enum log_event ev)
{
	return (unsigned)ev < _LOG_EVENT_MAX ? log_event_ids[ev] : NULL;
}

size_t log_event_fields(char bufs[][LOG_FIELD_BYTES], size_t max, int level,
			enum log_event ev, const struct log_fields *f, const char *message)
{
	size_t n = 0;

#define FIELD(...)                                                             \
	do {                                                                   \
		if (n < max)                                                   \
			snprintf(bufs[n++], LOG_FIELD_BYTES, __VA_ARGS__);     \
	} while (0)
	FIELD("MESSAGE=%s", message);
	FIELD("PRIORITY=%d", level);
	FIELD("SYSLOG_IDENTIFIER=%s", program_invocation_short_name);
	if (log_event_message_id(ev))
		FIELD("%s", log_event_message_id(ev));
	if (f && f->node >= 0)
		FIELD("NODE=%d", f->node);
	if (f && f->cgroup)
		FIELD("CGROUP=%s", f->cgroup);
	if (f && f->priority_level >= 0)
		FIELD("PRIORITY_LEVEL=%d", f->priority_level);
	if (f && f->has_reclaimed)
		FIELD("RECLAIMED_BYTES=%llu", (unsigned long long)f->reclaimed_bytes);
#undef FIELD
	return n;
}

int log_event_internal(int level, enum log_event ev, const struct log_fields *f,
		       const char *file, int line, const char *func, const char *format, ...)
{
	static char bufs[LOG_FIELDS_MAX][LOG_FIELD_BYTES];
	struct iovec iov[LOG_FIELDS_MAX];
	char message[2048];
	va_list ap;
	size_t n;

	va_start(ap, format);
	vsnprintf(message, sizeof(message), format, ap);
	va_end(ap);
	/* bufs is static (17 KiB is too much stack for a log call): events
	 * are logged from the event loop's thread only. */
	if (!log_stderr_is_journal() || log_prefix_mode == 0)
		return log_internal(level, 0, file, line, func, "%s", message);
	n = log_event_fields(bufs, LOG_FIELDS_MAX, level, ev, f, message);
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = strlen(bufs[i]) };
	if (sd_journal_sendv(iov, (int)n) < 0)
		return log_internal(level, 0, file, line, func, "%s", message);
	return 0;
}

int log_internal(int level, int error, const char *file, int line,
		 const char *func, const char *format, ...)
{
	char buf[2048];
	size_t n = 0;
	int saved_errno = errno;
	va_list ap;
	int k;

	if (log_use_prefix()) {
		k = snprintf(buf, sizeof(buf), "<%d>", level);
		n = k > 0 ? (size_t)k : 0;
	}
	if (log_max_level >= LOG_DEBUG) {
		k = snprintf(buf + n, sizeof(buf) - n, "%s:%d: ", file, line);
		n += k > 0 ? MIN((size_t)k, sizeof(buf) - 1 - n) : 0;
	}
	/* Set errno for "%m" last: isatty() above may have changed it. */
	errno = error != 0 ? abs(error) : saved_errno;
	va_start(ap, format);
	k = vsnprintf(buf + n, sizeof(buf) - n, format, ap);
	va_end(ap);
	n += k > 0 ? MIN((size_t)k, sizeof(buf) - 1 - n) : 0;
	buf[n++] = '\n';
	(void)!write(STDERR_FILENO, buf, n);

	(void)func;
	errno = saved_errno;
	return -abs(error);
}
