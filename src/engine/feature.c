/* SPDX-License-Identifier: GPL-2.0-only */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feature.h"
#include "log.h"
#include "util.h"

/* The probe asks for nothing: the kernel parses the whole line (swappiness=
 * included) before its reclaim loop, which then does not run. It asked for
 * a page once, and a page asked of the root cgroup is a batch of 32 taken
 * from each cgroup the kernel walks, protected ones too: the 6.18 VM saw
 * 12-128 pages leave Protect=yes cgroups at every start (memory.stat
 * pgsteal_proactive). */
#define FEATURE_PROBE_BYTES "0"

/*
 * /proc/meminfo: "Key:   VALUE kB" lines; only the swap lines matter here.
 * Returns -EINVAL when either is missing or malformed.
 */
int feature_parse_meminfo_swap(const char *buf, size_t len, uint64_t *ret_total,
				uint64_t *ret_free)
{
	static const char *const keys[] = { "SwapTotal:", "SwapFree:" };
	uint64_t v[2];
	bool seen[2] = {};
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		for (unsigned k = 0; k < ELEMENTSOF(keys); k++) {
			size_t kl = strlen(keys[k]);
			char num[32];
			size_t i = kl, j = 0;

			if (n < kl || memcmp(p, keys[k], kl) != 0)
				continue;
			while (i < n && p[i] == ' ')
				i++;
			while (i < n && p[i] != ' ' && j + 1 < sizeof(num))
				num[j++] = p[i++];
			num[j] = '\0';
			if (seen[k] || safe_atou64(num, &v[k]) < 0 || v[k] > UINT64_MAX / 1024)
				return -EINVAL;
			if (i + 3 != n || memcmp(p + i, " kB", 3) != 0)
				return -EINVAL;
			seen[k] = true;
		}
		p += n + 1;
	}
	if (!seen[0] || !seen[1])
		return -EINVAL;
	*ret_total = v[0] * 1024;
	*ret_free = v[1] * 1024;
	return 0;
}

static void probe_swap(const struct feature_config *cfg, struct features *f)
{
	char path[4096], buf[8192];
	ssize_t n;

	if (path_join(path, sizeof(path), cfg->root, "/proc/meminfo") < 0)
		return;
	n = read_file_at(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return;
	if (feature_parse_meminfo_swap(buf, (size_t)n, &f->swap_total_bytes,
					&f->swap_free_bytes) < 0)
		return;
	f->swap = f->swap_total_bytes > 0 && f->swap_free_bytes > 0;
}

bool feature_parse_swaps_zram(const char *buf, size_t len)
{
	static const char zram[] = "/dev/zram";
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= sizeof(zram) - 1 && memcmp(p, zram, sizeof(zram) - 1) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/* Compressed swap: zram in /proc/swaps, or zswap in front of any swap
 * (/sys/module/zswap/parameters/enabled "Y"; absent without CONFIG_ZSWAP,
 * as in Debian's 6.12 cloud kernel). */
static void probe_swap_compressed(const struct feature_config *cfg, struct features *f)
{
	char path[4096], buf[8192];
	ssize_t n;

	if (!f->swap)
		return;
	if (path_join(path, sizeof(path), cfg->root, "/proc/swaps") >= 0 &&
	    (n = read_file_at(AT_FDCWD, path, buf, sizeof(buf))) > 0 &&
	    feature_parse_swaps_zram(buf, (size_t)n)) {
		f->swap_compressed = true;
		return;
	}
	if (path_join(path, sizeof(path), cfg->root, "/sys/module/zswap/parameters/enabled") >= 0 &&
	    read_file_at(AT_FDCWD, path, buf, sizeof(buf)) > 0)
		f->swap_compressed = buf[0] == 'Y' || buf[0] == '1';
}

static void probe_psi(const struct feature_config *cfg, struct features *f)
{
	char path[4096], buf[256];

	if (path_join(path, sizeof(path), cfg->root, "/proc/pressure/memory") < 0)
		return;
	f->psi = read_file_at(AT_FDCWD, path, buf, sizeof(buf)) > 0;
}

/* The kernel's proactive compaction (5.9+), at whatever value: at 0 the
 * operator turned it off, and reclaimd does not do it instead. */
static void probe_proactive_compaction(const struct feature_config *cfg, struct features *f)
{
	char path[4096];

	if (path_join(path, sizeof(path), cfg->root, "/proc/sys/vm/compaction_proactiveness") < 0)
		return;
	f->proactive_compaction = access(path, F_OK) == 0;
}

static void probe_node_reclaim(const struct feature_config *cfg, struct features *f)
{
	char path[4096];

	for (unsigned node = 0; node < MEMSTAT_MAX_NODES; node++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%u/reclaim", node);
		if (path_join(path, sizeof(path), cfg->root, rel) < 0)
			return;
		if (file_is_writable(path))
			f->node_reclaim_mask |= UINT64_C(1) << node;
	}
	f->node_reclaim = f->node_reclaim_mask != 0;
}

/* 0 and EAGAIN (less than a page reclaimed) both mean the syntax was
 * accepted; EINVAL means "swappiness=" is unknown (6.1..6.7). */
static int probe_write(const char *path)
{
	int r;

	r = write_file_at(AT_FDCWD, path, FEATURE_PROBE_BYTES " swappiness=0");
	if (r == 0 || r == -EAGAIN)
		return 1;
	if (r == -EINVAL)
		return 0;
	return r;
}

static void probe_swappiness(const struct feature_config *cfg, struct features *f)
{
	char path[4096];
	int r = -ENOENT;

	if (!cfg->probe_write) {
		/* Not probed: assume yes, a write's EINVAL turns it off. */
		f->reclaim_swappiness = true;
		return;
	}
	if (f->memory_reclaim) {
		if (path_join(path, sizeof(path), f->cgroup2_mount, "memory.reclaim") >= 0)
			r = probe_write(path);
	} else if (f->node_reclaim) {
		char rel[64];

		snprintf(rel, sizeof(rel), "/sys/devices/system/node/node%u/reclaim",
			 (unsigned)__builtin_ctzll(f->node_reclaim_mask));
		if (path_join(path, sizeof(path), cfg->root, rel) >= 0)
			r = probe_write(path);
	}
	if (r < 0) {
		log_debug_errno(r, "swappiness= probe failed: %m, assuming supported.");
		f->reclaim_swappiness = true;
		return;
	}
	f->reclaim_swappiness = r == 1;
	f->swappiness_probed = true;
}

int feature_probe(const struct feature_config *cfg, struct features *ret)
{
	struct features f = {};
	char path[4096];

	if (cfg->cgroup_mount && strlen(cfg->cgroup_mount) < sizeof(f.cgroup2_mount)) {
		f.cgroup2_memory = true;
		strcpy(f.cgroup2_mount, cfg->cgroup_mount);
		if (path_join(path, sizeof(path), cfg->cgroup_mount, "memory.reclaim") >= 0)
			f.memory_reclaim = file_is_writable(path);
	}
	probe_node_reclaim(cfg, &f);
	probe_swap(cfg, &f);
	probe_swap_compressed(cfg, &f);
	probe_psi(cfg, &f);
	probe_proactive_compaction(cfg, &f);
	probe_swappiness(cfg, &f);
	*ret = f;
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void format_nodes(uint64_t mask, char *buf, size_t size)
{
	size_t w = 0;

	buf[0] = '\0';
	for (unsigned n = 0; n < 64 && w < size; n++)
		if ((mask >> n) & 1)
			w += (size_t)snprintf(buf + w, size - w, "%s%u", w ? "," : "", n);
	if (w == 0)
		snprintf(buf, size, "none");
}

char *feature_to_string(const struct features *f, char *buf, size_t size)
{
	char nodes[256];

	format_nodes(f->node_reclaim_mask, nodes, sizeof(nodes));
	snprintf(buf, size,
		 "cgroup2-memory=%s memory.reclaim=%s swappiness=%s%s node-reclaim=%s "
		 "swap=%s psi=%s proactive-compaction=%s",
		 yes_no(f->cgroup2_memory), yes_no(f->memory_reclaim),
		 yes_no(f->reclaim_swappiness), f->swappiness_probed ? "" : "(unprobed)",
		 nodes, yes_no(f->swap), yes_no(f->psi), yes_no(f->proactive_compaction));
	return buf;
}

struct json_object *feature_to_json(const struct features *f)
{
	struct json_object *o, *nodes;

	o = json_object_new_object();
	nodes = json_object_new_array();
	if (!o || !nodes) {
		json_object_put(o);
		json_object_put(nodes);
		return NULL;
	}
	for (unsigned n = 0; n < 64; n++)
		if ((f->node_reclaim_mask >> n) & 1)
			json_object_array_add(nodes, json_object_new_int((int)n));
	json_object_object_add(o, "cgroup2_memory", json_object_new_boolean(f->cgroup2_memory));
	json_object_object_add(o, "cgroup2_mount",
			       f->cgroup2_memory ? json_object_new_string(f->cgroup2_mount)
						 : NULL);
	json_object_object_add(o, "memory_reclaim", json_object_new_boolean(f->memory_reclaim));
	json_object_object_add(o, "reclaim_swappiness",
			       json_object_new_boolean(f->reclaim_swappiness));
	json_object_object_add(o, "swappiness_probed",
			       json_object_new_boolean(f->swappiness_probed));
	json_object_object_add(o, "node_reclaim", json_object_new_boolean(f->node_reclaim));
	json_object_object_add(o, "node_reclaim_nodes", nodes);
	json_object_object_add(o, "swap", json_object_new_boolean(f->swap));
	json_object_object_add(o, "swap_total_bytes",
			       json_object_new_uint64(f->swap_total_bytes));
	json_object_object_add(o, "psi", json_object_new_boolean(f->psi));
	json_object_object_add(o, "proactive_compaction",
			       json_object_new_boolean(f->proactive_compaction));
	return o;
}

const char *feature_missing(const struct features *f)
{
	if (f->node_reclaim || f->memory_reclaim)
		return NULL;
	if (f->cgroup2_memory)
		return "No reclaim interface: the cgroup v2 memory hierarchy has no "
		       "memory.reclaim (kernel older than 5.19) and there is no "
		       "/sys/devices/system/node/nodeN/reclaim (kernel older than 6.17). "
		       "Upgrade the kernel to 5.19 or later, or run with --dry-run to "
		       "see decisions only.";
	return "No reclaim interface: no cgroup v2 hierarchy with the memory controller "
	       "(cgroup v1 or hybrid mode) and no per-node "
	       "/sys/devices/system/node/nodeN/reclaim (kernel older than 6.17). Boot with "
	       "systemd.unified_cgroup_hierarchy=1 (cgroup v2, kernel 5.19+) or a 6.17+ "
	       "kernel, or run with --dry-run to see decisions only.";
}
