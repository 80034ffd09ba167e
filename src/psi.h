/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Pressure stall information: /proc/pressure/{memory,io,cpu} and cgroup v2
 * *.pressure files:
 *	some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *	full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * avg* are percentages (kept here in hundredths of a percent, as printed);
 * total is cumulative stall time in microseconds. The averages lag by about
 * 2 s, so control decisions use total deltas.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct psi_line {
	uint32_t avg10, avg60, avg300; /* hundredths of a percent: 12.34% = 1234 */
	uint64_t total_usec;
};

struct psi_stat {
	struct psi_line some, full;
	bool has_full; /* cpu has no "full" before 5.13 */
};

/* Returns 0, -EINVAL on malformed input; *ret untouched on failure. */
int psi_parse(const char *buf, size_t len, struct psi_stat *ret);
