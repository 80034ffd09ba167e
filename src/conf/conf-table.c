/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config table (oomd's ConfigTableItem, tmux's options-table): every
 * key with its section, type, default, range, unit and help. It drives the
 * parser, conf_set(), the effective-config dump, reclaimd.conf(5) and the
 * shipped config (reclaimd-conf-doc), and tests/unit/test-manager-conf,
 * which checks that each key applies at runtime or is marked restart-only.
 */

#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "conf-internal.h"
#include "util.h"

static bool conf_valid_path(const char *s)
{
	return s[0] == '/' && !strstr(s, "/../") && !strstr(s, "//");
}

static bool conf_valid_path_or_empty(const char *s)
{
	return s[0] == '\0' || conf_valid_path(s);
}

/* POSIX portable names as useradd(8) takes them: [a-z_][a-z0-9_-]*[$]. */
static bool conf_valid_group_or_empty(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	if (n > 32 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-' || (c == '$' && i == n - 1))
			continue;
		return false;
	}
	return true;
}

static const char *const conf_log_level_names[] = { "err", "warning", "notice", "info",
						    "debug", NULL };
static const int conf_log_level_values[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
					     LOG_DEBUG };

#define R(field) offsetof(struct conf_reclaim, field)
#define C(field) offsetof(struct conf_cgroup_policy, field)
#define K(field) offsetof(struct conf_control, field)

const struct conf_item conf_items[] = {
	/* [Reclaim] */
	{ .section = CONF_SECTION_RECLAIM, .name = "WatermarkHeadroom", .type = CONF_AMOUNT,
	  .default_value = "0.5%", .min = 0, .max = 2000, .max_bytes = TIB,
	  .unit = "bytes or % of managed",
	  .offset = R(watermark_headroom), .per_node = true,
	  /* The formula and both examples are checked against the code by
	   * test-conf's test_headroom_doc. */
	  .help = "How far above the kernel's high watermark reclaimd keeps free memory: "
		  "its low watermark is the kernel's high plus this, its high watermark "
		  "the kernel's high plus one and a half times this. A percentage is of "
		  "the node's managed memory (a userspace watermark_scale_factor), at "
		  "least 8M and at most WatermarkHeadroomMax; a size is used as it is. "
		  "The default 0.5% (five times the kernel's default low-to-high gap, "
		  "watermark_scale_factor=10) is 8M on a 1 GiB VM (the floor; 0.5% "
		  "would be 5M) and 1G on a 1 TiB host (the cap; 0.5% would be 5G)." },
	{ .section = CONF_SECTION_RECLAIM, .name = "WatermarkHeadroomMax", .type = CONF_SIZE,
	  .default_value = "1G", .min = 0, .max = TIB, .unit = "bytes",
	  .offset = R(watermark_headroom_max_bytes), .per_node = true,
	  .help = "Cap on a percentage WatermarkHeadroom, so that a large host does not "
		  "keep gigabytes idle." },
	{ .section = CONF_SECTION_RECLAIM, .name = "Swappiness", .type = CONF_UINT,
	  .default_value = "kernel", .min = 0, .max = 200, .special = "kernel",
	  .offset = R(swappiness), .per_node = true,
	  .help = "swappiness= passed to memory.reclaim at low priorities (anon versus "
		  "file balance, 0..200, kernel 6.8+). \"kernel\" passes none, so the "
		  "cgroup's or vm.swappiness applies. Gentle priorities and boosted "
		  "passes always reclaim file pages only (swappiness=0), and so does "
		  "any pass the node's page cache covers, until a file-only pass "
		  "frees nothing, and any pass while the node is above the "
		  "kernel's own high watermarks." },
	{ .section = CONF_SECTION_RECLAIM, .name = "StepSize", .type = CONF_SIZE,
	  .default_value = "32M", .min = 4 * KIB, .max = GIB, .unit = "bytes",
	  .offset = R(step_size_bytes), .per_node = true,
	  .help = "Largest single reclaim write (memory.reclaim or a node's reclaim file): "
		  "a node's passes and an operator's node reclaim take the node's value, "
		  "offload and an operator's cgroup reclaim the [Reclaim] one. A write is "
		  "synchronous and can take seconds, so smaller steps keep a pause prompt, "
		  "and a stop, which the kernel lets cut a write short only between its "
		  "tries (on 6.1 a write is one try)." },
	{ .section = CONF_SECTION_RECLAIM, .name = "RateLimit", .type = CONF_SIZE,
	  .default_value = "128M", .min = 0, .max = TIB, .unit = "bytes per second",
	  .offset = R(rate_limit_bytes_per_sec), .per_node = true,
	  .help = "Most a node reclaims per second beyond its watermarks: PSIBoost= boosts "
		  "and an operator's node reclaim (a quota like DAMON_RECLAIM's, whose default "
		  "is also 128M/s). The watermark job is not paced by it, as the kernel's "
		  "kswapd is not: a balance run on a node below its high watermarks (reclaimd's, "
		  "which sit on the kernel's and carry the kernel's watermark boost and the "
		  "pacing lead) is not held back for what the node lacks to them. The [Reclaim] "
		  "value also bounds offload and an operator's cgroup reclaim, together, in a "
		  "bucket of their own: their memory.reclaim writes take from every node of a "
		  "cgroup. 0 means unlimited." },
	{ .section = CONF_SECTION_RECLAIM, .name = "MonitorIntervalMin", .type = CONF_DURATION,
	  .default_value = "100ms", .min = 10 * USEC_PER_MSEC, .max = 10 * USEC_PER_SEC,
	  .unit = "duration", .offset = R(monitor_interval_min_usec),
	  .help = "Shortest interval between reads of free memory (/proc/buddyinfo), used "
		  "when free memory is near the low watermark (not in a dry run, whose "
		  "nodes are woken at most once per MonitorIntervalMax). Must not be above "
		  "MonitorIntervalMax." },
	{ .section = CONF_SECTION_RECLAIM, .name = "MonitorIntervalMax", .type = CONF_DURATION,
	  .default_value = "2s", .min = 100 * USEC_PER_MSEC, .max = 60 * USEC_PER_SEC,
	  .unit = "duration", .offset = R(monitor_interval_max_usec),
	  .help = "Longest interval between reads of free memory, used when free memory "
		  "is far above the watermarks; and between reads of the whole of "
		  "/proc/zoneinfo (the watermarks, the kernel's boosts), which free "
		  "memory nearer the marks does not make more frequent." },
	{ .section = CONF_SECTION_RECLAIM, .name = "PSITrigger", .type = CONF_PSI_TRIGGER,
	  .default_value = "some 150000 1000000", .unit = "some|full stall_us window_us",
	  .offset = R(psi_trigger),
	  .help = "PSI memory trigger that wakes every node: tasks stalled (some or full) "
		  "for STALL microseconds within a WINDOW (500000..10000000 us, the "
		  "kernel's limits). \"off\" disables it. Where the kernel refuses "
		  "triggers, reclaimd polls the pressure file instead." },
	{ .section = CONF_SECTION_RECLAIM, .name = "PSIBoost", .type = CONF_SIZE,
	  .default_value = "64M", .min = 0, .max = TIB, .unit = "bytes",
	  .offset = R(psi_boost_bytes), .per_node = true,
	  .help = "Boost a PSI trigger adds to each node: reclaimed file-only on top of "
		  "the watermarks, as the kernel's watermark_boost. 0 disables it." },
	{ .section = CONF_SECTION_RECLAIM, .name = "PressureLimit", .type = CONF_PERMYRIAD,
	  .default_value = "10%", .min = 0, .max = CONF_PERMYRIAD_MAX,
	  .unit = "% of PressureWindow", .offset = R(pressure_limit_permyriad),
	  .help = "Default per-cgroup brake: a cgroup whose memory.pressure \"some\" "
		  "stall grew by more than this share of PressureWindow is skipped "
		  "until it calms (reclaim was eating its working set). 100% disables "
		  "the brake." },
	{ .section = CONF_SECTION_RECLAIM, .name = "SystemBrake", .type = CONF_PERMYRIAD,
	  .default_value = "5%", .min = 0, .max = CONF_PERMYRIAD_MAX,
	  .unit = "% of PressureWindow", .offset = R(system_brake_permyriad),
	  .help = "System-wide brake: no proactive reclaim while /proc/pressure/memory "
		  "\"full\" stall grew by more than this share of PressureWindow and, in "
		  "the same window, at least 1 MiB that reclaim had evicted, and a tenth "
		  "of what was reclaimed, was refaulted (/proc/vmstat workingset_refault "
		  "against pgsteal; the stall alone on kernels without it). A node below the kernel's own high watermarks is still "
		  "reclaimed up to them, as the kernel's kswapd would, then waits a second. "
		  "100% disables it." },
	{ .section = CONF_SECTION_RECLAIM, .name = "PressureWindow", .type = CONF_DURATION,
	  .default_value = "2s", .min = 500 * USEC_PER_MSEC, .max = 60 * USEC_PER_SEC,
	  .unit = "duration", .offset = R(pressure_window_usec),
	  .help = "Window over which PressureLimit and SystemBrake are measured, from "
		  "PSI \"total\" deltas (the avg10 figures lag by about 2 s)." },
	{ .section = CONF_SECTION_RECLAIM, .name = "RescanInterval", .type = CONF_DURATION,
	  .default_value = "30s", .min = USEC_PER_SEC, .max = 3600 * USEC_PER_SEC,
	  .unit = "duration", .offset = R(rescan_interval_usec),
	  .help = "How often the cgroup tree is walked again for new and removed "
		  "cgroups, as a backstop: a cgroup created or removed next to a "
		  "known one (inotify on the cgroup directories) triggers a walk "
		  "within 100 ms." },
	{ .section = CONF_SECTION_RECLAIM, .name = "DryRun", .type = CONF_BOOL,
	  .default_value = "no", .offset = R(dry_run),
	  .help = "Decide and report, but never write a reclaim file." },
	{ .section = CONF_SECTION_RECLAIM, .name = "Paused", .type = CONF_BOOL,
	  .default_value = "no", .offset = R(paused), .per_node = true,
	  .help = "Start with reclaim paused (reclaimctl resume starts it). In [Node N], that "
		  "node alone. memory.reclaim cannot spare a node, so the other nodes' "
		  "passes leave out every cgroup with memory on a paused node, offload "
		  "pauses it, and reclaimctl reclaim cgroup refuses it." },
	{ .section = CONF_SECTION_RECLAIM, .name = "LogLevel", .type = CONF_ENUM,
	  .default_value = "info", .enum_names = conf_log_level_names,
	  .enum_values = conf_log_level_values, .offset = R(log_level),
	  .help = "Most verbose level logged. info logs a balance run woken by other "
		  "than the watermark alone (a boost, the kernel's boost, PSI, an "
		  "operator), or that paid a boost, went below priority 10, ended "
		  "otherwise than balanced or kernel-balanced, or left the node with "
		  "failures; of the other, routine runs, the first after a quiet minute, "
		  "and the rest summed up a line a minute. debug logs every run and each "
		  "decision's inputs. --log-level overrides it." },

	/* [CGroup PATTERN] */
	{ .section = CONF_SECTION_CGROUP, .name = "Protect", .type = CONF_BOOL,
	  .default_value = "no", .offset = C(protect),
	  .help = "Never reclaim from matching cgroups or anything below them." },
	{ .section = CONF_SECTION_CGROUP, .name = "Floor", .type = CONF_SIZE,
	  .leaf_only = true, .default_value = "0", .min = 0, .max = PIB, .unit = "bytes",
	  .offset = C(floor_bytes),
	  .help = "Never reclaim a matching cgroup below this much memory; the floor "
		  "used is the largest of this, memory.min and memory.low." },
	{ .section = CONF_SECTION_CGROUP, .name = "SoftTarget", .type = CONF_SIZE,
	  .leaf_only = true, .default_value = "none", .min = 0, .max = PIB, .special = "none",
	  .unit = "bytes", .offset = C(soft_target_bytes),
	  .help = "Matching cgroups above this give memory first, before the "
		  "proportional pass (the kernel's soft limit reclaim)." },
	{ .section = CONF_SECTION_CGROUP, .name = "Weight", .type = CONF_UINT,
	  .leaf_only = true, .default_value = "100", .min = 1, .max = 10000, .offset = C(weight),
	  .help = "Scales a matching cgroup's share of each reclaim pass: 200 gives "
		  "twice as much as the default 100, 50 half. It scales the size a "
		  "node pass reaches the cgroup at too: a pass at the kernel's first "
		  "scan priority takes from cgroups with 4096 pages (16 MiB with 4 KiB "
		  "pages) of page cache on the node (or anon, when it may swap), "
		  "smaller ones only if those cannot cover it; at 200, from 2048 pages." },
	{ .section = CONF_SECTION_CGROUP, .name = "PressureLimit", .type = CONF_PERMYRIAD,
	  .leaf_only = true, .default_value = "inherit", .min = 0, .max = CONF_PERMYRIAD_MAX,
	  .special = "inherit", .unit = "% of PressureWindow",
	  .offset = C(pressure_limit_permyriad),
	  .help = "Brake for matching cgroups; \"inherit\" uses [Reclaim] "
		  "PressureLimit." },
	{ .section = CONF_SECTION_CGROUP, .name = "Offload", .type = CONF_BOOL,
	  .default_value = "no", .offset = C(offload),
	  .help = "Trim matching cgroups towards their working set: every OffloadInterval, "
		  "reclaim up to OffloadMaxStep scaled down by the cgroup's own "
		  "memory.pressure (none at OffloadPressure or above), as Meta's "
		  "TMO/senpai does. The Offload keys reach the cgroups below a matching "
		  "one, each trimmed by its own controller, unless a section matching "
		  "them sets its own. Never below the floor, never with Protect=yes, and "
		  "not while a node the cgroup has memory on is paused (Paused=, "
		  "reclaimctl pause). A node pass spread over memory.reclaim counts a "
		  "cgroup whose stall was below OffloadPressure at up to twice its "
		  "Weight (1 + how far below)." },
	{ .section = CONF_SECTION_CGROUP, .name = "OffloadPressure", .type = CONF_PERMYRIAD,
	  .default_value = "0.1%", .min = 1, .max = 1000, .unit = "% of OffloadInterval",
	  .offset = C(offload_pressure_permyriad),
	  .help = "Stall target of offload: memory.pressure \"some\" stall allowed per "
		  "interval. At or above it, reclaim stops and holds off for three "
		  "intervals. 0.1% is 6 ms per 6 s, below senpai's 10 ms, because the "
		  "node's own reclaim adds to the cgroup's stall." },
	{ .section = CONF_SECTION_CGROUP, .name = "OffloadInterval", .type = CONF_DURATION,
	  .default_value = "6s", .min = USEC_PER_SEC, .max = 600 * USEC_PER_SEC,
	  .unit = "duration", .offset = C(offload_interval_usec),
	  .help = "How often offload judges a matching cgroup (senpai's 6 s)." },
	{ .section = CONF_SECTION_CGROUP, .name = "OffloadMaxStep", .type = CONF_AMOUNT,
	  .default_value = "1%", .min = 1, .max = 1000, .max_bytes = TIB,
	  .unit = "bytes or % of memory.current", .offset = C(offload_max_step),
	  .help = "Most offload reclaims from a matching cgroup in one interval, when "
		  "it shows no stall and refaulted nothing: a percentage of its "
		  "memory.current (senpai's 1% probe) or a size. Stall scales it down, "
		  "to nothing at OffloadPressure; refaults (or swap-ins, memory.swap.current "
		  "falling, whichever is more) by the share of it they make up (a whole "
		  "step of them takes nothing for three intervals, after which the "
		  "steps start at an eighth and double each interval). What the kernel "
		  "reclaims beyond a step comes off the next ones. 0 only observes: "
		  "the state and the working-set estimate, no reclaim (refaults are then "
		  "weighed against 1%)." },
	{ .section = CONF_SECTION_CGROUP, .name = "OffloadSwappiness", .type = CONF_UINT,
	  .default_value = "auto", .min = 0, .max = 200, .special = "auto",
	  .offset = C(offload_swappiness),
	  .help = "swappiness= of offload's memory.reclaim writes (kernel 6.8+). \"auto\": "
		  "the kernel's (anonymous memory too) when swap is compressed (zram in "
		  "/proc/swaps, or zswap enabled), else 0 (page cache only)." },

	/* [Control] */
	{ .section = CONF_SECTION_CONTROL, .name = "Socket", .type = CONF_STRING,
	  .default_value = RECLAIMD_SOCKET_PATH, .valid = conf_valid_path,
	  .expect = "an absolute path", .offset = K(socket), .restart = true,
	  .help = "Path of the control socket when it is not passed by systemd "
		  "(reclaimd.socket)." },
	{ .section = CONF_SECTION_CONTROL, .name = "AdminGroup", .type = CONF_STRING,
	  .default_value = "", .valid = conf_valid_group_or_empty,
	  .expect = "a group name, or empty", .offset = K(admin_group), .restart = true,
	  .help = "Members of this group may change state over the socket (set, "
		  "reload, pause, resume, reclaim, boost). Empty: only root." },
	{ .section = CONF_SECTION_CONTROL, .name = "MetricsFile", .type = CONF_STRING,
	  .default_value = "", .valid = conf_valid_path_or_empty,
	  .expect = "an absolute path, or empty", .offset = K(metrics_file), .restart = true,
	  .help = "Write Prometheus text metrics here (for node_exporter's textfile "
		  "collector). Empty: none." },
};
const size_t conf_n_items = ELEMENTSOF(conf_items);
_Static_assert(ELEMENTSOF(conf_items) <= CONF_ITEMS_MAX, "raise CONF_ITEMS_MAX");

#undef R
#undef C
#undef K
