/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The Prometheus text exposition format (version 0.0.4) of a "stats"
 * result, shared by `reclaimctl stats --format=prometheus` and the daemon's
 * MetricsFile= writer (write to a temporary file with this, then rename()
 * over the target, so node_exporter's textfile collector never reads half).
 */

#include <stdio.h>

struct json_object;

/* Every metric gets this prefix: reclaimd_runs_total. */
#define CTL_PROMETHEUS_PREFIX "reclaimd_"

/*
 * Write stats (the result object of "stats", schema in docs/protocol.md:
 * {"counters":[{"name","type","help","labels":{},"value"}...]}) to f:
 * one # HELP and # TYPE per metric name, then its samples. Entries with an
 * invalid metric or label name, or a non-numeric value, are skipped.
 * Returns 0, -EINVAL if stats has no "counters" array, or -EIO on a write
 * error.
 */
int ctl_format_prometheus(struct json_object *stats, FILE *f);
