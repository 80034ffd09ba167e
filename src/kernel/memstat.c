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
 * The last line may lack its LF (a truncated capture still parses; pread_file
 * reports real truncation as -E2BIG before we get here).
 */

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "memstat.h"
#include "textscan.h"

static const char *const memstat_key_table[_MEMSTAT_KEY_MAX] = {
	[MEMSTAT_ANON] = "anon",
	[MEMSTAT_FILE] = "file",
	[MEMSTAT_KERNEL] = "kernel",
	[MEMSTAT_KERNEL_STACK] = "kernel_stack",
	[MEMSTAT_PAGETABLES] = "pagetables",
	[MEMSTAT_SOCK] = "sock",
	[MEMSTAT_SHMEM] = "shmem",
	[MEMSTAT_FILE_MAPPED] = "file_mapped",
	[MEMSTAT_FILE_DIRTY] = "file_dirty",
	[MEMSTAT_FILE_WRITEBACK] = "file_writeback",
	[MEMSTAT_SWAPCACHED] = "swapcached",
	[MEMSTAT_ANON_THP] = "anon_thp",
	[MEMSTAT_FILE_THP] = "file_thp",
	[MEMSTAT_SHMEM_THP] = "shmem_thp",
	[MEMSTAT_INACTIVE_ANON] = "inactive_anon",
	[MEMSTAT_ACTIVE_ANON] = "active_anon",
	[MEMSTAT_INACTIVE_FILE] = "inactive_file",
	[MEMSTAT_ACTIVE_FILE] = "active_file",
	[MEMSTAT_UNEVICTABLE] = "unevictable",
	[MEMSTAT_SLAB_RECLAIMABLE] = "slab_reclaimable",
	[MEMSTAT_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
	[MEMSTAT_SLAB] = "slab",
	[MEMSTAT_WORKINGSET_REFAULT_ANON] = "workingset_refault_anon",
	[MEMSTAT_WORKINGSET_REFAULT_FILE] = "workingset_refault_file",
	[MEMSTAT_WORKINGSET_ACTIVATE_ANON] = "workingset_activate_anon",
	[MEMSTAT_WORKINGSET_ACTIVATE_FILE] = "workingset_activate_file",
	[MEMSTAT_WORKINGSET_RESTORE_ANON] = "workingset_restore_anon",
	[MEMSTAT_WORKINGSET_RESTORE_FILE] = "workingset_restore_file",
	[MEMSTAT_WORKINGSET_NODERECLAIM] = "workingset_nodereclaim",
	[MEMSTAT_PGSCAN] = "pgscan",
	[MEMSTAT_PGSTEAL] = "pgsteal",
	[MEMSTAT_PGSCAN_KSWAPD] = "pgscan_kswapd",
	[MEMSTAT_PGSCAN_DIRECT] = "pgscan_direct",
	[MEMSTAT_PGSCAN_KHUGEPAGED] = "pgscan_khugepaged",
	[MEMSTAT_PGSCAN_PROACTIVE] = "pgscan_proactive",
	[MEMSTAT_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[MEMSTAT_PGSTEAL_DIRECT] = "pgsteal_direct",
	[MEMSTAT_PGSTEAL_KHUGEPAGED] = "pgsteal_khugepaged",
	[MEMSTAT_PGSTEAL_PROACTIVE] = "pgsteal_proactive",
	[MEMSTAT_PGFAULT] = "pgfault",
	[MEMSTAT_PGMAJFAULT] = "pgmajfault",
};

_Static_assert(_MEMSTAT_KEY_MAX <= 64, "present is a 64-bit mask");

DEFINE_STRING_TABLE_TO_STRING(, memstat_key, enum memstat_key, _MEMSTAT_KEY_MAX)
DEFINE_STRING_TABLE_FROM_STRING(, memstat_key, _MEMSTAT_KEY_MAX)

/* A decimal u64 in s[0..len): all digits, no sign, no overflow. */
static int parse_u64_n(const char *s, size_t len, uint64_t *ret)
{
	return textscan_token_u64((struct textscan_token){.s = s, .len = len}, ret) ? 0 : -EINVAL;
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * Cut the next line out of buf[*pos..len) with textscan_next_line(). Returns
 * 1 with the line (without its LF; the last line may lack one), 0 at the end,
 * -E2BIG for an over-long line.
 */
static int next_line(const char *buf, size_t len, size_t *pos, const char **ret_line,
		     size_t *ret_len)
{
	const char *cursor = buf + *pos, *line, *eol;

	if (!textscan_next_line(&cursor, buf + len, &line, &eol))
		return 0;
	if ((size_t)(eol - line) > MEMSTAT_LINE_MAX)
		return -E2BIG;
	*pos = (size_t)(cursor - buf);
	*ret_line = line;
	*ret_len = (size_t)(eol - line);
	return 1;
}

/* Split "key rest": returns the key length, -EINVAL when malformed. */
static int split_key(const char *line, size_t len)
{
	size_t k = 0;

	while (k < len && is_key_char(line[k]))
		k++;
	if (k == 0 || k >= len || line[k] != ' ')
		return -EINVAL;
	return (int)k;
}

/* The next "key value" line of a flat keyed file (memory.stat,
 * cgroup.events): 1 with the key (not NUL-terminated) and its value, 0 at
 * the end, negative errno on a malformed line. */
static int next_key_value(const char *buf, size_t len, size_t *pos, const char **ret_key,
			  int *ret_klen, uint64_t *ret_value)
{
	const char *line;
	size_t n;
	int r, klen;

	r = next_line(buf, len, pos, &line, &n);
	if (r <= 0)
		return r;
	klen = split_key(line, n);
	if (klen < 0)
		return klen;
	r = parse_u64_n(line + klen + 1, n - (size_t)klen - 1, ret_value);
	if (r < 0)
		return r;
	*ret_key = line;
	*ret_klen = klen;
	return 1;
}

static bool has_nul(const char *buf, size_t len)
{
	return memchr(buf, '\0', len) != NULL;
}

int memstat_parse(const char *buf, size_t len, struct memstat *ret)
{
	struct memstat s = {};
	const char *line;
	size_t pos = 0;
	uint64_t v;
	int r, klen;

	if (!buf || has_nul(buf, len))
		return -EINVAL;
	while ((r = next_key_value(buf, len, &pos, &line, &klen, &v)) > 0) {
		int key;

		key = memstat_key_from_string(line, (size_t)klen);
		if (key < 0)
			continue; /* a key from a newer kernel */
		if (memstat_has(&s, key))
			return -EINVAL;
		s.v[key] = v;
		s.present |= UINT64_C(1) << key;
	}
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

/* One " N<node>=<value>" field list into v[] (indexed by node id). */
static int parse_numa_fields(const char *p, size_t n, uint64_t v[MEMSTAT_MAX_NODES],
			     uint64_t *node_mask)
{
	uint64_t seen = 0;
	size_t i = 0;

	if (n == 0)
		return -EINVAL;
	while (i < n) {
		size_t id_start, id_end, val_end;
		uint64_t node, val;
		int r;

		if (p[i] != ' ' || i + 1 >= n || p[i + 1] != 'N')
			return -EINVAL;
		id_start = i + 2;
		id_end = id_start;
		while (id_end < n && p[id_end] != '=')
			id_end++;
		if (id_end >= n)
			return -EINVAL;
		val_end = id_end + 1;
		while (val_end < n && p[val_end] != ' ')
			val_end++;
		r = parse_u64_n(p + id_start, id_end - id_start, &node);
		if (r < 0)
			return r;
		if (node >= MEMSTAT_MAX_NODES)
			return -E2BIG;
		r = parse_u64_n(p + id_end + 1, val_end - id_end - 1, &val);
		if (r < 0)
			return r;
		if ((seen >> node) & 1)
			return -EINVAL; /* "N0=1 N0=2" */
		seen |= UINT64_C(1) << node;
		v[node] = val;
		i = val_end;
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
	const char *line;
	size_t n, pos = 0;
	int r;

	if (!buf || has_nul(buf, len))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	while ((r = next_line(buf, len, &pos, &line, &n)) > 0) {
		int klen, key;

		klen = split_key(line, n);
		if (klen < 0)
			return klen;
		key = memstat_key_from_string(line, (size_t)klen);
		if (key >= 0 && ((s.present >> key) & 1))
			return -EINVAL;
		/* Unknown keys are still checked for shape, into scratch. */
		r = parse_numa_fields(line + klen, n - (size_t)klen,
				      key >= 0 ? s.v[key] : scratch, &s.node_mask);
		if (r < 0)
			return r;
		if (key >= 0)
			s.present |= UINT64_C(1) << key;
	}
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int memstat_parse_value(const char *buf, size_t len, uint64_t *ret)
{
	if (!buf || has_nul(buf, len))
		return -EINVAL;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 3 && memcmp(buf, "max", 3) == 0) {
		*ret = MEMSTAT_MAX;
		return 0;
	}
	return parse_u64_n(buf, len, ret);
}

enum events_key {
	EVENTS_POPULATED,
	EVENTS_FROZEN,
	_EVENTS_KEY_MAX,
};

static const char *const events_key_table[_EVENTS_KEY_MAX] = {
	[EVENTS_POPULATED] = "populated",
	[EVENTS_FROZEN] = "frozen",
};

DEFINE_STRING_TABLE_FROM_STRING(static, events_key, _EVENTS_KEY_MAX)

int memstat_parse_events(const char *buf, size_t len, struct memstat_events *ret)
{
	struct memstat_events e = {};
	unsigned seen = 0;
	const char *line;
	size_t pos = 0;
	uint64_t v;
	int r, klen;

	if (!buf || has_nul(buf, len))
		return -EINVAL;
	while ((r = next_key_value(buf, len, &pos, &line, &klen, &v)) > 0) {
		int key;

		if (v > 1)
			return -EINVAL;
		key = events_key_from_string(line, (size_t)klen);
		if (key < 0)
			continue;
		if (seen & (1u << key))
			return -EINVAL;
		seen |= 1u << key;
		if (key == EVENTS_POPULATED)
			e.populated = v;
		else {
			e.frozen = v;
			e.has_frozen = true;
		}
	}
	if (r < 0)
		return r;
	if (!(seen & (1u << EVENTS_POPULATED)))
		return -EINVAL;
	*ret = e;
	return 0;
}
