/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The configuration: one table (conf_items[] in conf.c) defines every key,
 * its section, type, default, range, unit and help. The table drives the
 * parser, conf_set(), the effective-config dump (conf_to_json), the key
 * reference in reclaimd.conf(5) (reclaimd-conf-doc) and the test that the
 * shipped etc/reclaimd.conf documents every key.
 *
 * Files: the main file, then every "*.conf" of the drop-in directories,
 * sorted by file name; a later assignment wins, per key. For the default
 * file the directories are /etc, /run and /usr/lib's
 * reclaimd/reclaimd.conf.d, with systemd's precedence (the same name in
 * /etc hides /run's, which hides /usr/lib's); for --config=FILE, FILE.d.
 *
 * A struct conf is immutable once loaded, except through conf_set(); a
 * reload builds a new one and the caller swaps pointers only on success.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Highest node number accepted in [Node N] (the kernel's MAX_NUMNODES is
 * at most 1 << 10). */
#define CONF_NODE_MAX 1023U

/* The word that stands for "not set" in a numeric key ("kernel", "none",
 * "inherit", "off") is stored as CONF_SPECIAL. */
#define CONF_SPECIAL UINT64_MAX

/* Permyriad: 1/10000. "0.5%" is 50. */
#define CONF_PERMYRIAD_MAX UINT64_C(10000)

enum conf_section {
	CONF_SECTION_RECLAIM,
	CONF_SECTION_NODE,
	CONF_SECTION_CGROUP,
	CONF_SECTION_CONTROL,
	_CONF_SECTION_MAX,
};

enum conf_type {
	CONF_BOOL,
	CONF_UINT,
	CONF_SIZE,	/* bytes; K/M/G/T suffixes (binary) */
	CONF_PERMYRIAD, /* "12.5%" -> 1250 */
	CONF_AMOUNT,	/* a size, or a percentage of a base (struct conf_amount) */
	CONF_DURATION,	/* microseconds; us/ms/s/min/h suffixes */
	CONF_STRING,
	CONF_ENUM,	/* one of item->enum_names, stored as int */
	CONF_PSI_TRIGGER, /* "some|full STALL_USEC WINDOW_USEC" or "off" */
	_CONF_TYPE_MAX,
};

/* A size or a share of a base that is only known later (managed pages). */
struct conf_amount {
	uint64_t value; /* bytes, or permyriad if permyriad */
	bool permyriad;
};

/* A PSI trigger as the kernel takes it: "some 150000 1000000" asks for a
 * wakeup when tasks stalled (some/full) for 150 ms within any 1 s window. */
struct conf_psi_trigger {
	bool enabled;
	bool full;
	uint64_t stall_usec;
	uint64_t window_usec;
};

/* [Reclaim]; the keys flagged per-node can be overridden in [Node N]. */
struct conf_reclaim {
	struct conf_amount watermark_headroom; /* per node */
	uint64_t watermark_headroom_max_bytes; /* per node */
	uint64_t swappiness;		       /* 0..200 or CONF_SPECIAL ("kernel"); per node */
	uint64_t step_size_bytes;	       /* per node */
	uint64_t rate_limit_bytes_per_sec;     /* 0 = unlimited; per node */
	uint64_t monitor_interval_min_usec;
	uint64_t monitor_interval_max_usec;
	struct conf_psi_trigger psi_trigger;
	uint64_t psi_boost_bytes; /* per node */
	uint64_t pressure_limit_permyriad;
	uint64_t system_brake_permyriad;
	uint64_t pressure_window_usec;
	uint64_t rescan_interval_usec;
	bool dry_run;
	bool paused; /* per node */
	int log_level; /* syslog LOG_ERR..LOG_DEBUG */
};

/* [CGroup PATTERN] */
struct conf_cgroup_policy {
	bool protect;
	uint64_t floor_bytes;
	uint64_t soft_target_bytes;	   /* CONF_SPECIAL ("none"): no soft target */
	uint64_t weight;		   /* 1..10000, 100 is neutral */
	uint64_t pressure_limit_permyriad; /* CONF_SPECIAL ("inherit"): [Reclaim] PressureLimit */
	bool offload;
	uint64_t offload_pressure_permyriad; /* of offload_interval_usec */
	uint64_t offload_interval_usec;
	struct conf_amount offload_max_step; /* bytes, or permyriad of memory.current */
	uint64_t offload_swappiness;	     /* 0..200 or CONF_SPECIAL ("auto") */
};

/* [Control] */
struct conf_control {
	char *socket;	   /* path of the control socket */
	char *admin_group; /* "" = only root may change state */
	char *metrics_file; /* "" = no Prometheus text file */
};

struct conf_item {
	enum conf_section section;
	const char *name;
	enum conf_type type;
	const char *default_value; /* text, parsed by the same code as files */
	uint64_t min, max;	   /* numeric types, in stored units */
	const char *special;	   /* word stored as CONF_SPECIAL, or NULL */
	const char *const *enum_names; /* CONF_ENUM: NULL-terminated */
	const int *enum_values;
	bool (*valid)(const char *s); /* CONF_STRING: accepts the text? */
	const char *expect;	       /* CONF_STRING: what valid() accepts, in words */
	const char *unit;
	const char *help;
	size_t offset; /* into the struct of the section */
	bool per_node; /* [Reclaim] keys that [Node N] may override */
	/* Read only at start: conf_set() refuses it ("needs a restart") and a
	 * reload keeps the running value, with a warning. Every other key
	 * takes effect on set and reload (tests/unit/test-manager-conf.c). */
	bool restart;
	uint64_t max_bytes; /* CONF_AMOUNT: largest size (its max is the share's) */
	/* [CGroup] keys that bound a candidate's own reclaim and do not reach
	 * the cgroups below (Protect= and the Offload keys do):
	 * conf_cgroup_sections_above_leaves() says when they reach none. */
	bool leaf_only;
};

extern const struct conf_item conf_items[];
extern const size_t conf_n_items;

struct conf;

/* Where a value came from. */
enum conf_source_kind {
	CONF_SOURCE_DEFAULT,
	CONF_SOURCE_FILE,
	CONF_SOURCE_RUNTIME,
	CONF_SOURCE_CMDLINE, /* --dry-run, --socket, --log-level: fixed until restart */
};

const char *conf_section_name(enum conf_section s);
const char *conf_type_name(enum conf_type t);

struct conf *conf_new_defaults(void);
struct conf *conf_free(struct conf *conf);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct conf *, conf_free);
#define _cleanup_conf_free_ _cleanup_(conf_freep)

enum {
	/* The main file must exist (--config=FILE); without this flag a
	 * missing main file means "all defaults". */
	CONF_LOAD_MAIN_REQUIRED = 1 << 0,
};

/*
 * Parse main_path, then dropin_dir/ *.conf in lexical order, into a new
 * struct conf. Either path may be NULL. On an invalid value returns
 * -EINVAL with "FILE:LINE: message" in err, and *ret untouched. Unknown
 * sections and keys are warnings (conf_warning()), not errors.
 */
int conf_load(const char *main_path, const char *dropin_dir, struct conf **ret,
	      char *err, size_t errlen);
int conf_load_flags(const char *main_path, const char *dropin_dir, unsigned flags,
		    struct conf **ret, char *err, size_t errlen);
/* The same with several drop-in directories in precedence order, as
 * systemd reads them: all "*.conf" files sorted by name, a name in an
 * earlier directory hiding the same name in later ones. reclaimd passes
 * /etc, /run and /usr/lib's reclaimd/reclaimd.conf.d for its default file. */
int conf_load_dirs(const char *main_path, const char *const *dropin_dirs, size_t n_dropin_dirs,
		   unsigned flags, struct conf **ret, char *err, size_t errlen);
/* Re-read the files old was loaded from into a new object (SIGHUP). Keys
 * set on the command line keep old's value; a restart-only key
 * (item->restart) whose value in the files changed keeps the running
 * value, with a warning: the new object holds only values in force. */
int conf_reload(const struct conf *old, struct conf **ret, char *err, size_t errlen);
/* Parse text as if it were a file called name (tests, fuzzing). */
int conf_load_string(const char *text, size_t len, const char *name, struct conf **ret,
		     char *err, size_t errlen);

/* Warnings from loading ("FILE:LINE: unknown key ..., ignoring"). */
size_t conf_n_warnings(const struct conf *conf);
const char *conf_warning(const struct conf *conf, size_t i);
/* log_warning() each of them (at start-up and after a reload). */
void conf_log_warnings(const struct conf *conf);

/* The files a conf was loaded from (for reload). */
const char *conf_main_path(const struct conf *conf);
const char *conf_dropin_dir(const struct conf *conf);

/*
 * Runtime change: key is "Reclaim.Swappiness", "Control.MetricsFile",
 * "Node.1.StepSize" or "CGroup.PATTERN.Weight" (PATTERN may contain dots).
 * Validated exactly as in a file; the source becomes "runtime".
 * On error returns -EINVAL/-ENOENT with a message in err; conf untouched.
 */
int conf_set(struct conf *conf, const char *key, const char *value, char *err, size_t errlen);
/* A command-line override of a [Reclaim] or [Control] key (what
 * conf_set() takes): the source becomes "command line", conf_set()
 * refuses the key, and conf_reload() carries the value over. */
int conf_set_cmdline(struct conf *conf, const char *key, const char *value, char *err,
		     size_t errlen);
/* The item of a "Section.Key" / "Node.N.Key" / "CGroup.PATTERN.Key"; NULL if none. */
const struct conf_item *conf_item_by_key(const char *key);

/* Effective configuration: every key with "value" (config syntax),
 * "source" ("default", "FILE:LINE" or "runtime") and, for numbers, "raw". */
struct json_object *conf_to_json(const struct conf *conf);

/*
 * The control protocol's view (docs/protocol.md "config"): {"file": main
 * path, "settings": [{"key": "Reclaim.StepSize", "value": "32M", "default":
 * "32M", "source": "default", "help": "..."}, ...], "warnings": [...]}, with
 * every [Reclaim]/[Control] key and each set Node.N.KEY / CGroup.PATTERN.KEY.
 */
struct json_object *conf_settings_json(const struct conf *conf);
/* A key's value in config syntax, for "set"'s "previous"; -ENOENT if unknown. */
int conf_get(const struct conf *conf, const char *key, char *buf, size_t size);
/* Keys whose value differs between two configs (for "reload"'s "changed"):
 * a JSON array of strings. */
struct json_object *conf_changed_keys(const struct conf *old, const struct conf *new);

const struct conf_reclaim *conf_reclaim(const struct conf *conf);
const struct conf_control *conf_control(const struct conf *conf);

/* [Reclaim] with the [Node N] overrides of node applied. */
void conf_node_reclaim(const struct conf *conf, unsigned node, struct conf_reclaim *ret);

/* Whether node is paused by its own Paused=: [Reclaim] Paused= is the
 * daemon's pause, which `resume` undoes for every node, so a node pauses
 * on its own only where its [Node N] says yes and [Reclaim] says no. */
bool conf_node_paused(const struct conf *conf, unsigned node);

/*
 * Policy for a cgroup path relative to the cgroup root ("web.slice/nginx.service",
 * a leading '/' is ignored): defaults, then for each key the value of the
 * last-assigned [CGroup PATTERN] whose pattern matches the whole path
 * (fnmatch(3) without FNM_PATHNAME: '*' also matches '/'). PressureLimit
 * "inherit" is resolved to [Reclaim] PressureLimit. Returns true if any
 * section matched.
 */
bool conf_cgroup_policy(const struct conf *conf, const char *path,
			struct conf_cgroup_policy *ret);

/*
 * The policy reclaim applies to the cgroup at path: conf_cgroup_policy(),
 * with Protect= covering the subtree, as memory.min protects a parent's
 * children: [CGroup web.slice] Protect=yes keeps web.slice/nginx.service.
 * The Offload* keys reach down too, key by key from the nearest ancestor
 * whose sections assign them, where no section matching path does: the
 * cgroups reclaimd reclaims from are memory leaves, so [CGroup work.slice]
 * Offload=yes trims each service below the slice.
 * Pure (no file is read); the manager calls it on every cgroup walk.
 */
void conf_cgroup_policy_subtree(const struct conf *conf, const char *path,
				struct conf_cgroup_policy *ret);

/* Whether two PSITrigger= values arm the same kernel trigger: any two
 * "off" are the same (their other fields mean nothing), so a reload that
 * leaves the trigger off or as it was does not close and re-open it. */
bool conf_psi_trigger_eq(const struct conf_psi_trigger *a, const struct conf_psi_trigger *b);

/* The offload controller's parameters (offload.h) of a [CGroup PATTERN]
 * policy: OffloadPressure= as the stall allowed per OffloadInterval=, and
 * OffloadMaxStep= as a share of memory.current or a size. page_bytes is
 * the unit of the refault counters. */
struct offload_params;
void conf_offload_params(const struct conf_cgroup_policy *p, uint64_t page_bytes,
			 struct offload_params *ret);

/* OffloadSwappiness= resolved to what a memory.reclaim write passes: "auto"
 * lets the kernel's swappiness (SWAPPINESS_KERNEL_DEFAULT) take anonymous
 * memory where swap is compressed in memory (zram, zswap), and keeps
 * offload to page cache (0) where a swap-out is a disk write. */
int conf_offload_swappiness(const struct conf_cgroup_policy *p, bool swap_compressed);

/* What the cgroup walk asks for a path: the [CGroup PATTERN] rules that
 * apply to it (conf_cgroup_policy_subtree()) as the engine's policy
 * (target.h), PressureLimit= against [Reclaim] PressureWindow=,
 * OffloadSwappiness= resolved for swap_compressed. */
struct cgroup_policy;
void conf_cgroup_policy_resolve(const struct conf *conf, const char *path, bool swap_compressed,
				uint64_t page_bytes, struct cgroup_policy *ret);

/*
 * The [CGroup PATTERN] sections whose Floor=, SoftTarget=, Weight= or
 * PressureLimit= reach no cgroup reclaimd reclaims from: the section matches
 * none of the candidates (paths, the bottom of the memory hierarchy, without
 * a leading '/') but one of the cgroups above them (a slice). Those keys
 * bound a candidate's own reclaim and do not reach down, so what such a
 * section sets is ignored. A section that matches no cgroup at all is not
 * one (its cgroup may come later). Calls fn with the pattern, the keys it
 * sets ("Floor= Weight=") and the first cgroup it matches; returns how
 * many.
 */
size_t conf_cgroup_sections_above_leaves(const struct conf *conf, const char *const *paths,
					 size_t n,
					 void (*fn)(void *userdata, const char *pattern,
						    const char *keys, const char *path),
					 void *userdata);

/* Resolve an amount against base bytes: permyriad of base, or the bytes. */
uint64_t conf_amount_bytes(struct conf_amount a, uint64_t base_bytes);

/* The watermark parameters (watermark.h) of [Reclaim] or a node's view:
 * WatermarkHeadroom= as a share with its floor and cap, or as a size, and
 * the monitor's interval bounds. */
struct watermark_params;
void conf_watermark_params(const struct conf_reclaim *c, uint64_t page_size,
			   struct watermark_params *ret);

/* Userspace watermark headroom in bytes for a node with managed_bytes:
 * WatermarkHeadroom, capped at WatermarkHeadroomMax when it is a share. */
uint64_t conf_headroom_bytes(const struct conf_reclaim *r, uint64_t managed_bytes);

/* What an item accepts, in words ("an integer from 0 to 200, or \"kernel\""):
 * the tail of every value error and the man page's "Accepts" line. */
void conf_item_describe(const struct conf_item *item, char *buf, size_t size);

/* Format an item's stored value in config syntax ("64M", "0.5%", "2s"). */
int conf_format_value(const struct conf_item *item, const void *base, char *buf, size_t size);
