/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cgroup v2 memory file parsers. Grammars (mm/memcontrol.c, 5.19..6.18):
 *
 *	memory.stat:      line   = key SP u64 LF
 *	memory.numa_stat: line   = key 1*(SP "N" node "=" u64) LF
 *	single value:     file   = (u64 / "max") [LF]
 *	cgroup.events:    line   = ("populated" / "frozen") SP ("0" / "1") LF
 *
 *	key = 1*(lowercase / digit / "_"); u64 = 1*DIGIT without overflow.
 *
 * A line file ends in LF, as every kernel text file the readers take
 * (textscan_check_text()): a last line without one was cut. An empty line
 * file is whole (no keys). A single value may lack its LF: it is one
 * token, not a line.
 */

#include <errno.h>
#include <string.h>

#include "keytable.h"
#include "macro.h"
#include "memstat.h"
#include "textscan.h"

/* Sorted by name (strcmp order) for keytable_lookup(). */
static const struct keytable_entry memstat_names[] = {
	{"active_anon", MEMSTAT_ACTIVE_ANON},
	{"active_file", MEMSTAT_ACTIVE_FILE},
	{"anon", MEMSTAT_ANON},
	{"anon_thp", MEMSTAT_ANON_THP},
	{"file", MEMSTAT_FILE},
	{"file_dirty", MEMSTAT_FILE_DIRTY},
	{"file_mapped", MEMSTAT_FILE_MAPPED},
	{"file_thp", MEMSTAT_FILE_THP},
	{"file_writeback", MEMSTAT_FILE_WRITEBACK},
	{"inactive_anon", MEMSTAT_INACTIVE_ANON},
	{"inactive_file", MEMSTAT_INACTIVE_FILE},
	{"kernel", MEMSTAT_KERNEL},
	{"kernel_stack", MEMSTAT_KERNEL_STACK},
	{"pagetables", MEMSTAT_PAGETABLES},
	{"pgfault", MEMSTAT_PGFAULT},
	{"pgmajfault", MEMSTAT_PGMAJFAULT},
	{"pgscan", MEMSTAT_PGSCAN},
	{"pgscan_direct", MEMSTAT_PGSCAN_DIRECT},
	{"pgscan_khugepaged", MEMSTAT_PGSCAN_KHUGEPAGED},
	{"pgscan_kswapd", MEMSTAT_PGSCAN_KSWAPD},
	{"pgscan_proactive", MEMSTAT_PGSCAN_PROACTIVE},
	{"pgsteal", MEMSTAT_PGSTEAL},
	{"pgsteal_direct", MEMSTAT_PGSTEAL_DIRECT},
	{"pgsteal_khugepaged", MEMSTAT_PGSTEAL_KHUGEPAGED},
	{"pgsteal_kswapd", MEMSTAT_PGSTEAL_KSWAPD},
	{"pgsteal_proactive", MEMSTAT_PGSTEAL_PROACTIVE},
	{"shmem", MEMSTAT_SHMEM},
	{"shmem_thp", MEMSTAT_SHMEM_THP},
	{"slab", MEMSTAT_SLAB},
	{"slab_reclaimable", MEMSTAT_SLAB_RECLAIMABLE},
	{"slab_unreclaimable", MEMSTAT_SLAB_UNRECLAIMABLE},
	{"sock", MEMSTAT_SOCK},
	{"swapcached", MEMSTAT_SWAPCACHED},
	{"unevictable", MEMSTAT_UNEVICTABLE},
	{"workingset_activate_anon", MEMSTAT_WORKINGSET_ACTIVATE_ANON},
	{"workingset_activate_file", MEMSTAT_WORKINGSET_ACTIVATE_FILE},
	{"workingset_nodereclaim", MEMSTAT_WORKINGSET_NODERECLAIM},
	{"workingset_refault_anon", MEMSTAT_WORKINGSET_REFAULT_ANON},
	{"workingset_refault_file", MEMSTAT_WORKINGSET_REFAULT_FILE},
	{"workingset_restore_anon", MEMSTAT_WORKINGSET_RESTORE_ANON},
	{"workingset_restore_file", MEMSTAT_WORKINGSET_RESTORE_FILE},
};

_Static_assert(_MEMSTAT_KEY_MAX <= 64, "present is a 64-bit mask");

DEFINE_KEYTABLE_TO_STRING(, memstat_key, enum memstat_key, memstat_names)
DEFINE_KEYTABLE_IS_VALID(, memstat, memstat_names, _MEMSTAT_KEY_MAX)

int memstat_key_from_string(const char *s, size_t len)
{
	int k = keytable_lookup(memstat_names, ELEMENTSOF(memstat_names),
				(struct textscan_token){.s = s, .len = len});

	return k < 0 ? -EINVAL : k;
}

/* Whole lines, or nothing at all: an empty file has no keys. */
static int memstat_check_text(const char *buf, size_t len)
{
	if (!buf)
		return -EINVAL;
	return len == 0 ? 0 : textscan_check_text(buf, len);
}

/* The next line, without its LF: 1, 0 at the end, -E2BIG when over-long. */
static int memstat_next_line(const char **cursor, const char *end, const char **ret_line,
			     const char **ret_eol)
{
	if (!textscan_next_line(cursor, end, ret_line, ret_eol))
		return 0;
	return (size_t)(*ret_eol - *ret_line) > MEMSTAT_LINE_MAX ? -E2BIG : 1;
}

/* "key SP": the key, or -EINVAL. */
static int memstat_scan_key(const char **p, const char *end, struct textscan_token *ret)
{
	struct textscan_token key = textscan_take_key(p, end);

	if (key.len == 0 || !textscan_skip_char(p, end, ' '))
		return -EINVAL;
	*ret = key;
	return 0;
}

/* A u64 that is all of what is left of the line. */
static int memstat_scan_last_u64(const char *p, const char *end, uint64_t *ret)
{
	return textscan_token_u64((struct textscan_token){.s = p, .len = (size_t)(end - p)}, ret)
		       ? 0
		       : -EINVAL;
}

/* The next "key value" line of a flat keyed file: 1 with the key and its
 * value, 0 at the end, negative errno on a malformed line. */
static int memstat_next_key_value(const char **cursor, const char *end,
				  struct textscan_token *ret_key, uint64_t *ret_value)
{
	const char *line, *eol;
	int r;

	r = memstat_next_line(cursor, end, &line, &eol);
	if (r <= 0)
		return r;
	r = memstat_scan_key(&line, eol, ret_key);
	if (r < 0)
		return r;
	r = memstat_scan_last_u64(line, eol, ret_value);
	if (r < 0)
		return r;
	return 1;
}

/*
 * A flat keyed file (memory.stat, cgroup.events): the values of the keys in
 * table into v[id], their bits into *present. Every value must be at most
 * max_value; unknown keys are skipped (kernels add keys), a known key twice
 * is -EINVAL. v and *present are scratch: the callers copy out when whole.
 */
static int memstat_parse_keyed(const char *buf, size_t len, const struct keytable_entry *table,
			       size_t n, uint64_t max_value, uint64_t *v, uint64_t *present)
{
	const char *cur = buf, *end = buf + len;
	struct textscan_token key;
	uint64_t value;
	int r;

	r = memstat_check_text(buf, len);
	if (r < 0)
		return r;
	while ((r = memstat_next_key_value(&cur, end, &key, &value)) > 0) {
		int k;

		if (value > max_value)
			return -EINVAL;
		k = keytable_lookup(table, n, key);
		if (k < 0)
			continue;
		if ((*present >> k) & 1)
			return -EINVAL;
		v[k] = value;
		*present |= UINT64_C(1) << k;
	}
	return r;
}

int memstat_parse(const char *buf, size_t len, struct memstat *ret)
{
	struct memstat s = {};
	int r;

	r = memstat_parse_keyed(buf, len, memstat_names, ELEMENTSOF(memstat_names), UINT64_MAX, s.v,
				&s.present);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

/* One " N<node>=<value>" field: the node id checked against the table. */
static int memstat_scan_numa_field(const char **p, const char *end, uint64_t *ret_node,
				   uint64_t *ret_value)
{
	size_t n;

	if (!textscan_skip_char(p, end, ' ') || !textscan_skip_char(p, end, 'N'))
		return -EINVAL;
	n = textscan_u64(*p, end, ret_node);
	if (n == 0)
		return -EINVAL;
	*p += n;
	if (!textscan_skip_char(p, end, '='))
		return -EINVAL;
	if (*ret_node >= MEMSTAT_MAX_NODES)
		return -E2BIG;
	n = textscan_u64(*p, end, ret_value);
	if (n == 0)
		return -EINVAL;
	*p += n;
	return 0;
}

/* The rest of a numa_stat line, 1*(SP "N" node "=" u64), into v[]
 * (indexed by node id). */
static int memstat_scan_numa_fields(const char *p, const char *end, uint64_t v[MEMSTAT_MAX_NODES],
				    uint64_t *node_mask)
{
	uint64_t seen = 0;

	if (p == end)
		return -EINVAL;
	while (p < end) {
		uint64_t node, val;
		int r;

		r = memstat_scan_numa_field(&p, end, &node, &val);
		if (r < 0)
			return r;
		if ((seen >> node) & 1)
			return -EINVAL; /* "N0=1 N0=2" */
		seen |= UINT64_C(1) << node;
		v[node] = val;
	}
	*node_mask |= seen;
	return 0;
}

int memstat_numa_parse(const char *buf, size_t len, struct memstat_numa *ret)
{
	/* 21 KiB: static per thread rather than on a node thread's stack, and
	 * no allocation on the reclaim path. */
	static _Thread_local struct memstat_numa s;
	uint64_t scratch[MEMSTAT_MAX_NODES];
	const char *cur = buf, *end = buf + len, *line, *eol;
	int r;

	r = memstat_check_text(buf, len);
	if (r < 0)
		return r;
	memset(&s, 0, sizeof(s));
	while ((r = memstat_next_line(&cur, end, &line, &eol)) > 0) {
		struct textscan_token key;
		int k;

		/* "key N0=..": the key's SP is the first field's. */
		key = textscan_take_key(&line, eol);
		if (key.len == 0)
			return -EINVAL;
		k = keytable_lookup(memstat_names, ELEMENTSOF(memstat_names), key);
		if (k >= 0 && ((s.present >> k) & 1))
			return -EINVAL;
		/* Unknown keys are still checked for shape, into scratch. */
		r = memstat_scan_numa_fields(line, eol, k >= 0 ? s.v[k] : scratch, &s.node_mask);
		if (r < 0)
			return r;
		if (k >= 0)
			s.present |= UINT64_C(1) << k;
	}
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int memstat_parse_value(const char *buf, size_t len, uint64_t *ret)
{
	const char *end;

	if (!buf || memchr(buf, '\0', len))
		return -EINVAL;
	end = buf + len;
	if (len > 0 && buf[len - 1] == '\n')
		end--;
	if (end - buf == 3 && memcmp(buf, "max", 3) == 0) {
		*ret = MEMSTAT_MAX;
		return 0;
	}
	return memstat_scan_last_u64(buf, end, ret);
}

enum events_key {
	EVENTS_POPULATED,
	EVENTS_FROZEN,
	_EVENTS_KEY_MAX,
};

static const struct keytable_entry events_names[] = {
	{"frozen", EVENTS_FROZEN},
	{"populated", EVENTS_POPULATED},
};

int memstat_parse_events(const char *buf, size_t len, struct memstat_events *ret)
{
	uint64_t v[_EVENTS_KEY_MAX] = {}, present = 0;
	int r;

	/* Both are 0 or 1. */
	r = memstat_parse_keyed(buf, len, events_names, ELEMENTSOF(events_names),
				/* max_value= */ 1, v, &present);
	if (r < 0)
		return r;
	if (!((present >> EVENTS_POPULATED) & 1))
		return -EINVAL;
	*ret = (struct memstat_events){
		.populated = v[EVENTS_POPULATED],
		.frozen = v[EVENTS_FROZEN],
		.has_frozen = (present >> EVENTS_FROZEN) & 1,
	};
	return 0;
}
