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

static bool log_use_prefix(void)
{
	if (log_prefix_mode >= 0)
		return log_prefix_mode;
	/* journald sets JOURNAL_STREAM for the services whose stderr it reads. */
	return getenv("JOURNAL_STREAM") || !isatty(STDERR_FILENO);
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
