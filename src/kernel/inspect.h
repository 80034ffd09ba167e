/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * `reclaimd --inspect`: everything the readers see under a root, as one
 * json-c object, with the kernel's field names and units (pages for
 * zoneinfo, kB for meminfo, microseconds for PSI totals):
 *
 *	{ "root": "/fixture",
 *	  "nodes": [ { "id": 0, "cpulist": "0-1",
 *	               "node_unreclaimable": false,
 *	               "lru": { "nr_inactive_file": 416444, ... },   (if printed)
 *	               "meminfo": { "MemFree": 3259328, ... },       (if readable)
 *	               "zones": [ { "name": "DMA", "free": 3840, "boost": 0,
 *	                            "min": 47, "low": 58, "high": 69, "promo": 80,
 *	                            "spanned": 4095, "present": 3998,
 *	                            "managed": 3840, "cma": 0,
 *	                            "protection": [0, 3019, 5323, 5323, 5323],
 *	                            "node_unreclaimable": false } ] } ],
 *	  "pressure": { "memory": { "some": { "avg10": 0.00, "avg60": 0.46,
 *	                                      "avg300": 0.50, "total": 4900649 },
 *	                            "full": {...} }, "io": {...}, "cpu": {...} },
 *	  "vmstat": { "allocstall_normal": 0, ... },
 *	  "meminfo": { "MemTotal": 24684092, ... } }
 *
 * Keys a kernel does not print are left out (boost and promo before 5.0 and
 * 6.x, cma on old kernels, "full" for cpu before 5.13, node_unreclaimable
 * in empty zones). A source that cannot be read is
 * { "error": "<strerror>" } in its place (PSI absent: ENOENT), except
 * zoneinfo, without which there is nothing to inspect.
 *
 * The lead's main adds "cgroups"/"features" keys to the same object.
 */

#include <json-c/json.h>

int inspect_kernel_state(const char *root, struct json_object **ret);
