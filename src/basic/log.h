/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/*
 * Logging to stderr. Under journald (JOURNAL_STREAM set) or when asked, each
 * line starts with a "<N>" syslog priority prefix, which journald turns into
 * the entry's priority (sd-daemon.h SD_ERR etc.). On a terminal the prefix is
 * left out so that people can read it.
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
