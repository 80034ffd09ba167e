/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "macro.h"

/*
 * Logging to stderr. When journald reads stderr (JOURNAL_STREAM names the
 * device and inode of stderr itself) or when asked, each line starts with a
 * "<N>" syslog priority prefix, which journald turns into the entry's
 * priority (sd-daemon.h SD_ERR etc.). On a terminal, a pipe or a file the
 * prefix is left out: people and scripts read those. JOURNAL_STREAM alone
 * is not enough, since children inherit it whatever their stderr is.
 *
 * log_*_errno(r, ...) set errno to -r so that "%m" prints the error, and
 * return r (negative) so that callers can write
 *	return log_error_errno(r, "Failed to open %s: %m", path);
 */

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_prefix_mode(int mode); /* -1 auto, 0 never, 1 always */
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);

/* Is the stream with this device and inode the one JOURNAL_STREAM
 * ("DEV:INO", decimal) names? Pure: false for NULL or a malformed value. */
bool log_stream_is_journal(const char *journal_stream, uint64_t dev, uint64_t ino);
/* log_stream_is_journal() for stderr, decided once per process. */
bool log_stderr_is_journal(void);

/*
 * Events with structured fields: where stderr is the journal they go
 * through sd_journal_sendv() with MESSAGE_ID= for their kind and the fields
 * set below (so `journalctl -u reclaimd NODE=1` works); elsewhere they are
 * plain lines. The ids are documented in reclaimd(8).
 */
enum log_event {
	LOG_EVENT_RUN_END,
	LOG_EVENT_HOPELESS,
	LOG_EVENT_BRAKE,
	LOG_EVENT_RELOAD,
	LOG_EVENT_WATCHDOG,
	LOG_EVENT_DRY_RUN,
	LOG_EVENT_OFFLOAD,
	LOG_EVENT_RUN_SUMMARY,
	_LOG_EVENT_MAX,
};

struct log_fields {
	int node;            /* NODE=, -1 for none */
	const char *cgroup;  /* CGROUP=, or NULL */
	int priority_level;  /* PRIORITY_LEVEL= (reclaim priority 12..0), -1 none */
	bool has_reclaimed;
	uint64_t reclaimed_bytes; /* RECLAIMED_BYTES= */
};

#define LOG_FIELDS_MAX 12
#define LOG_FIELD_BYTES 4352 /* MESSAGE= of a whole line, or CGROUP= of a path */

/* "MESSAGE_ID=..." for an event kind (32 hex digits), or NULL. */
const char *log_event_message_id(enum log_event ev);

/* Format the journal fields of an event into bufs, one per field: MESSAGE=,
 * PRIORITY=, SYSLOG_IDENTIFIER=, MESSAGE_ID= and those of f that are set.
 * Returns how many. Pure (no allocation), for the unit test. */
size_t log_event_fields(char bufs[][LOG_FIELD_BYTES], size_t max, int level,
			enum log_event ev, const struct log_fields *f, const char *message);

int log_event_internal(int level, enum log_event ev, const struct log_fields *f,
		       const char *file, int line, const char *func, const char *format, ...)
	_printf_(7, 8);

#define log_event(level, ev, fields, ...)                                       \
	({                                                                     \
		int _l = (level);                                              \
		_l <= log_get_max_level()                                      \
			? (void)log_event_internal(_l, (ev), (fields), __FILE__,  \
						   __LINE__, __func__, __VA_ARGS__) \
			: (void)0;                                             \
	})

int log_internal(int level, int error, const char *file, int line,
		 const char *func, const char *format, ...) _printf_(6, 7);

#define log_full_errno(level, error, ...)                                      \
	({                                                                     \
		int _l = (level), _e = (error);                                \
		_l <= log_get_max_level()                                      \
			? log_internal(_l, _e, __FILE__, __LINE__, __func__,   \
				       __VA_ARGS__)                            \
			: -abs(_e);                                            \
	})
#define log_full(level, ...) (void)log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_notice_errno(e, ...) log_full_errno(LOG_NOTICE, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)

/* For allocation failures: -ENOMEM is never recovered from. */
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
