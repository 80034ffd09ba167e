/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "keytable.h"
#include "macro.h"
#include "reread.h"
#include "textscan.h"
#include "zoneinfo.h"

/*
 * /proc/zoneinfo, as printed by zoneinfo_show_print() in mm/vmstat.c
 * (4.19 to 6.18). One block per zone of every online node, empty zones
 * included; numbers are pages unless noted:
 *
 *	Node 0, zone      DMA                     "Node %d, zone %8s"
 *	  per-node stats                          only in the node's first
 *	      nr_inactive_anon 8516               *populated* zone: absent from
 *	      ...                                 empty zones and memoryless nodes
 *	  pages free     3840
 *	        boost    0                        5.0+
 *	        min      47
 *	        low      58
 *	        high     69
 *	        promo    80                       6.x+ (memory tiering)
 *	        spanned  4095
 *	        present  3998
 *	        managed  3840
 *	        cma      0                        5.x+
 *	        protection: (0, 3019, 5323, 5323, 5323)   lowmem_reserve[], %ld
 *	      nr_free_pages 3840                  } zone stats, pagesets:
 *	      ...                                 } populated zones only
 *	  pagesets                                }
 *	    cpu: 0                                }
 *	              high:     0                 } ("high:" is not "high")
 *	  node_unreclaimable:  0                  populated zones only
 *	  start_pfn:           1
 *
 * The grammar the parser enforces, per line (leading blanks ignored):
 *	"Node" N "," "zone" NAME     starts a zone; a new N starts a node
 *	"per-node stats"             at most once per node, before "pages free"
 *	"pages free" N               ends the header, starts the zone's fields
 *	KEY N                        a known key, at most once per zone (or per
 *	                             per-node block); unknown keys are ignored,
 *	                             since kernels keep adding fields
 *	"protection:" "(" N ("," N)* ")"
 *	"node_unreclaimable:" 0|1
 * Each zone must have free, min, low, high, spanned, present, managed and
 * protection. Per-node LRU keys count only inside the per-node block (4.19+
 * keeps LRU counters per node; zone lines are nr_zone_*). Before 5.9 the
 * workingset counters were file-only and unsuffixed: "workingset_refault"
 * and "workingset_activate" are read as their _file versions.
 */

enum zoneinfo_scope {
	ZONEINFO_SCOPE_HEADER, /* special lines */
	ZONEINFO_SCOPE_ZONE,   /* offset into struct zone_stat */
	ZONEINFO_SCOPE_NODE,   /* offset into struct node_lru_stat */
};

enum zoneinfo_key {
	ZONEINFO_NODE,
	ZONEINFO_PER_NODE,
	ZONEINFO_PAGES,
	ZONEINFO_BOOST,
	ZONEINFO_MIN,
	ZONEINFO_LOW,
	ZONEINFO_HIGH,
	ZONEINFO_PROMO,
	ZONEINFO_SPANNED,
	ZONEINFO_PRESENT,
	ZONEINFO_MANAGED,
	ZONEINFO_CMA,
	ZONEINFO_PROTECTION,
	ZONEINFO_NODE_UNRECLAIMABLE,
	ZONEINFO_NR_INACTIVE_ANON,
	ZONEINFO_NR_ACTIVE_ANON,
	ZONEINFO_NR_INACTIVE_FILE,
	ZONEINFO_NR_ACTIVE_FILE,
	ZONEINFO_NR_UNEVICTABLE,
	ZONEINFO_NR_SLAB_RECLAIMABLE,
	ZONEINFO_NR_SLAB_UNRECLAIMABLE,
	ZONEINFO_NR_FILE_PAGES,
	ZONEINFO_NR_ANON_PAGES,
	ZONEINFO_NR_SHMEM,
	ZONEINFO_NR_MAPPED,
	ZONEINFO_NR_DIRTY,
	ZONEINFO_NR_WRITEBACK,
	ZONEINFO_WORKINGSET_REFAULT_ANON,
	ZONEINFO_WORKINGSET_REFAULT_FILE,
	ZONEINFO_WORKINGSET_ACTIVATE_ANON,
	ZONEINFO_WORKINGSET_ACTIVATE_FILE,
	ZONEINFO_WORKINGSET_NODERECLAIM,
	_ZONEINFO_KEY_MAX,
};

struct zoneinfo_key_info {
	struct keytable_name name; /* first: keytable_index */
	enum zoneinfo_key key;
	enum zoneinfo_scope scope;
	size_t offset;
	/* Keys that alias another (pre-5.9 names) share its duplicate bit. */
	enum zoneinfo_key seen_as;
};

/* clang-format off */
#define Z(n, k) { KEYTABLE_NAME(#n), ZONEINFO_##k, ZONEINFO_SCOPE_ZONE, offsetof(struct zone_stat, n), ZONEINFO_##k }
#define N(n, k) { KEYTABLE_NAME(#n), ZONEINFO_##k, ZONEINFO_SCOPE_NODE, offsetof(struct node_lru_stat, n), ZONEINFO_##k }
#define H(n, k) { KEYTABLE_NAME(n), ZONEINFO_##k, ZONEINFO_SCOPE_HEADER, 0, ZONEINFO_##k }
/* A pre-5.9 name read into the field of its 5.9+ _file successor. */
#define A(n, f, k) { KEYTABLE_NAME(#n), ZONEINFO_##k, ZONEINFO_SCOPE_NODE, offsetof(struct node_lru_stat, f), ZONEINFO_##k }
/* clang-format on */

/* Sorted by name (strcmp order), so keys sharing a first byte are
 * contiguous for keytable_index; test-zoneinfo checks the order. */
static const struct zoneinfo_key_info zoneinfo_keys[] = {
	H("Node", NODE),
	Z(boost, BOOST),
	Z(cma, CMA),
	Z(high, HIGH),
	Z(low, LOW),
	Z(managed, MANAGED),
	Z(min, MIN),
	H("node_unreclaimable:", NODE_UNRECLAIMABLE),
	N(nr_active_anon, NR_ACTIVE_ANON),
	N(nr_active_file, NR_ACTIVE_FILE),
	N(nr_anon_pages, NR_ANON_PAGES),
	N(nr_dirty, NR_DIRTY),
	N(nr_file_pages, NR_FILE_PAGES),
	N(nr_inactive_anon, NR_INACTIVE_ANON),
	N(nr_inactive_file, NR_INACTIVE_FILE),
	N(nr_mapped, NR_MAPPED),
	N(nr_shmem, NR_SHMEM),
	N(nr_slab_reclaimable, NR_SLAB_RECLAIMABLE),
	N(nr_slab_unreclaimable, NR_SLAB_UNRECLAIMABLE),
	N(nr_unevictable, NR_UNEVICTABLE),
	N(nr_writeback, NR_WRITEBACK),
	H("pages", PAGES),
	H("per-node", PER_NODE),
	Z(present, PRESENT),
	Z(promo, PROMO),
	H("protection:", PROTECTION),
	Z(spanned, SPANNED),
	A(workingset_activate, workingset_activate_file, WORKINGSET_ACTIVATE_FILE),
	N(workingset_activate_anon, WORKINGSET_ACTIVATE_ANON),
	N(workingset_activate_file, WORKINGSET_ACTIVATE_FILE),
	N(workingset_nodereclaim, WORKINGSET_NODERECLAIM),
	A(workingset_refault, workingset_refault_file, WORKINGSET_REFAULT_FILE),
	N(workingset_refault_anon, WORKINGSET_REFAULT_ANON),
	N(workingset_refault_file, WORKINGSET_REFAULT_FILE),
};

#undef Z
#undef N
#undef H
#undef A

/* Keys every zone prints on every supported kernel. */
#define ZONEINFO_REQUIRED                                                                          \
	((UINT64_C(1) << ZONEINFO_PAGES) | (UINT64_C(1) << ZONEINFO_MIN) |                         \
	 (UINT64_C(1) << ZONEINFO_LOW) | (UINT64_C(1) << ZONEINFO_HIGH) |                          \
	 (UINT64_C(1) << ZONEINFO_SPANNED) | (UINT64_C(1) << ZONEINFO_PRESENT) |                   \
	 (UINT64_C(1) << ZONEINFO_MANAGED) | (UINT64_C(1) << ZONEINFO_PROTECTION))

const char *zoneinfo_key_name_at(size_t i)
{
	return i < ELEMENTSOF(zoneinfo_keys) ? zoneinfo_keys[i].name.name : NULL;
}

static const struct zoneinfo_key_info *zoneinfo_lookup(const struct keytable_index *ix,
						       struct textscan_token t)
{
	int i = keytable_index_lookup(ix, t);

	return i < 0 ? NULL : &zoneinfo_keys[i];
}

enum zoneinfo_section {
	ZONEINFO_SECTION_NONE,	     /* before the first "Node" line */
	ZONEINFO_SECTION_HEADER,     /* after "Node N, zone X" */
	ZONEINFO_SECTION_NODE_STATS, /* after "per-node stats" */
	ZONEINFO_SECTION_ZONE,	     /* after "pages free" */
};

struct zoneinfo_parser {
	struct zoneinfo *out; /* NULL: validate only */
	struct keytable_index index;
	unsigned n_nodes;
	int node_ids[ZONEINFO_MAX_NODES];
	struct node_zoneinfo node; /* being built; copied to out when whole */
	enum zoneinfo_section section;
	uint64_t zone_seen, lru_seen;
	bool after_protection; /* the zone's own counters follow: skipped */
};

static struct zone_stat *zoneinfo_parser_zone(struct zoneinfo_parser *p)
{
	return &p->node.zones[p->node.n_zones - 1];
}

static int zoneinfo_finish_zone(struct zoneinfo_parser *p)
{
	struct zone_stat *z;

	if (p->section == ZONEINFO_SECTION_NONE)
		return 0;
	if ((p->zone_seen & ZONEINFO_REQUIRED) != ZONEINFO_REQUIRED)
		return -EINVAL; /* zone cut short: truncated or malformed */
	z = zoneinfo_parser_zone(p);
	z->has_boost = p->zone_seen & (UINT64_C(1) << ZONEINFO_BOOST);
	z->has_promo = p->zone_seen & (UINT64_C(1) << ZONEINFO_PROMO);
	z->has_cma = p->zone_seen & (UINT64_C(1) << ZONEINFO_CMA);
	if (z->node_unreclaimable)
		p->node.node_unreclaimable = true;
	return 0;
}

/* The per-node lines the kernel's node-reclaim test reads
 * (node_pagecache_reclaimable(), and the slab beside it). */
#define ZONEINFO_NODE_RECLAIM_KEYS                                                                  \
	((UINT64_C(1) << ZONEINFO_NR_INACTIVE_FILE) | (UINT64_C(1) << ZONEINFO_NR_ACTIVE_FILE) |  \
	 (UINT64_C(1) << ZONEINFO_NR_MAPPED) | (UINT64_C(1) << ZONEINFO_NR_DIRTY) |               \
	 (UINT64_C(1) << ZONEINFO_NR_SLAB_RECLAIMABLE))

static int zoneinfo_finish_node(struct zoneinfo_parser *p)
{
	int r;

	if (p->section == ZONEINFO_SECTION_NONE)
		return 0;
	r = zoneinfo_finish_zone(p);
	if (r < 0)
		return r;
	p->node.has_node_reclaim_lines =
		(p->lru_seen & ZONEINFO_NODE_RECLAIM_KEYS) == ZONEINFO_NODE_RECLAIM_KEYS;
	if (p->out)
		p->out->nodes[p->n_nodes - 1] = p->node;
	return 0;
}

/* "Node" N "," "zone" NAME: the rest of the line after "Node". */
static int zoneinfo_parse_header(const char *s, const char *end, int *ret_id,
				 struct textscan_token *ret_name)
{
	struct textscan_token t, name;
	uint64_t id;
	size_t n;

	textscan_skip_spaces(&s, end);
	n = textscan_u64(s, end, &id);
	if (n == 0 || id > INT32_MAX)
		return -EINVAL;
	s += n;
	if (s >= end || *s != ',')
		return -EINVAL;
	s++;
	t = textscan_take(&s, end);
	if (!textscan_token_eq(t, "zone"))
		return -EINVAL;
	name = textscan_take(&s, end);
	if (name.len == 0 || name.len >= ZONE_NAME_MAX || !textscan_at_eol(&s, end))
		return -EINVAL;
	*ret_id = (int)id;
	*ret_name = name;
	return 0;
}

static int zoneinfo_start_node(struct zoneinfo_parser *p, int id)
{
	int r;

	for (unsigned i = 0; i < p->n_nodes; i++)
		if (p->node_ids[i] == id)
			return -EINVAL; /* node listed twice, apart */
	r = zoneinfo_finish_node(p);
	if (r < 0)
		return r;
	if (p->n_nodes >= ZONEINFO_MAX_NODES)
		return -E2BIG;
	p->node_ids[p->n_nodes++] = id;
	memset(&p->node, 0, sizeof(p->node));
	p->node.id = id;
	p->lru_seen = 0;
	return 0;
}

static int zoneinfo_on_node_line(struct zoneinfo_parser *p, const char *s, const char *end)
{
	struct textscan_token name;
	struct zone_stat *z;
	int id, r;

	r = zoneinfo_parse_header(s, end, &id, &name);
	if (r < 0)
		return r;
	if (p->section == ZONEINFO_SECTION_NONE || id != p->node.id) {
		r = zoneinfo_start_node(p, id);
	} else {
		r = zoneinfo_finish_zone(p);
	}
	if (r < 0)
		return r;
	for (unsigned i = 0; i < p->node.n_zones; i++)
		if (strlen(p->node.zones[i].name) == name.len &&
		    memcmp(p->node.zones[i].name, name.s, name.len) == 0)
			return -EINVAL; /* zone listed twice in a node */
	if (p->node.n_zones >= ZONEINFO_MAX_ZONES)
		return -E2BIG;
	z = &p->node.zones[p->node.n_zones++];
	memset(z, 0, sizeof(*z));
	memcpy(z->name, name.s, name.len);
	z->name[name.len] = '\0';
	p->section = ZONEINFO_SECTION_HEADER;
	p->zone_seen = 0;
	return 0;
}

/* "(" N ("," N)* ")" */
static int zoneinfo_parse_protection(const char *s, const char *end, struct zone_stat *z)
{
	uint64_t v[ZONEINFO_MAX_ZONES];
	unsigned n = 0;

	textscan_skip_spaces(&s, end);
	if (s >= end || *s != '(')
		return -EINVAL;
	s++;
	for (;;) {
		size_t k;

		textscan_skip_spaces(&s, end);
		if (n >= ZONEINFO_MAX_ZONES)
			return -E2BIG;
		k = textscan_u64(s, end, &v[n]);
		if (k == 0)
			return -EINVAL;
		n++;
		s += k;
		textscan_skip_spaces(&s, end);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == ')') {
			s++;
			break;
		}
		return -EINVAL;
	}
	if (!textscan_at_eol(&s, end))
		return -EINVAL;
	memcpy(z->protection, v, n * sizeof(v[0]));
	z->n_protection = n;
	return 0;
}

static int zoneinfo_take_value(const char **s, const char *end, uint64_t *ret)
{
	struct textscan_token t = textscan_take(s, end);

	if (!textscan_token_u64(t, ret) || !textscan_at_eol(s, end))
		return -EINVAL;
	return 0;
}

static int zoneinfo_mark_seen(uint64_t *seen, enum zoneinfo_key k)
{
	uint64_t bit = UINT64_C(1) << k;

	if (*seen & bit)
		return -EINVAL; /* duplicate key */
	*seen |= bit;
	return 0;
}

static int zoneinfo_on_per_node(struct zoneinfo_parser *p, const char *s, const char *end)
{
	struct textscan_token t = textscan_take(&s, end);

	if (!textscan_token_eq(t, "stats") || !textscan_at_eol(&s, end))
		return 0; /* some other "per-node ..." line */
	if (p->section != ZONEINFO_SECTION_HEADER || p->node.has_lru)
		return -EINVAL; /* misplaced, or twice in a node */
	p->node.has_lru = true;
	p->section = ZONEINFO_SECTION_NODE_STATS;
	return 0;
}

static int zoneinfo_on_pages(struct zoneinfo_parser *p, const char *s, const char *end)
{
	struct textscan_token t = textscan_take(&s, end);
	uint64_t v;
	int r;

	if (!textscan_token_eq(t, "free"))
		return 0;
	if (p->section != ZONEINFO_SECTION_HEADER && p->section != ZONEINFO_SECTION_NODE_STATS)
		return -EINVAL; /* a second "pages free" in a zone */
	r = zoneinfo_take_value(&s, end, &v);
	if (r < 0)
		return r;
	zoneinfo_parser_zone(p)->free = v;
	p->section = ZONEINFO_SECTION_ZONE;
	return zoneinfo_mark_seen(&p->zone_seen, ZONEINFO_PAGES);
}

static int zoneinfo_on_protection(struct zoneinfo_parser *p, const char *s, const char *end)
{
	int r;

	if (p->section != ZONEINFO_SECTION_ZONE)
		return -EINVAL;
	r = zoneinfo_mark_seen(&p->zone_seen, ZONEINFO_PROTECTION);
	if (r < 0)
		return r;
	p->after_protection = true;
	return zoneinfo_parse_protection(s, end, zoneinfo_parser_zone(p));
}

static int zoneinfo_on_node_unreclaimable(struct zoneinfo_parser *p, const char *s, const char *end)
{
	uint64_t v;
	int r;

	if (p->section != ZONEINFO_SECTION_ZONE)
		return -EINVAL;
	r = zoneinfo_take_value(&s, end, &v);
	if (r < 0)
		return r;
	if (v > 1)
		return -EINVAL; /* printed as %u of a comparison */
	zoneinfo_parser_zone(p)->node_unreclaimable = v;
	return zoneinfo_mark_seen(&p->zone_seen, ZONEINFO_NODE_UNRECLAIMABLE);
}

static int zoneinfo_on_header_key(struct zoneinfo_parser *p, const struct zoneinfo_key_info *k,
				  const char *s, const char *end)
{
	switch (k->key) {
	case ZONEINFO_NODE:
		return zoneinfo_on_node_line(p, s, end);
	case ZONEINFO_PER_NODE:
		return zoneinfo_on_per_node(p, s, end);
	case ZONEINFO_PAGES:
		return zoneinfo_on_pages(p, s, end);
	case ZONEINFO_PROTECTION:
		return zoneinfo_on_protection(p, s, end);
	case ZONEINFO_NODE_UNRECLAIMABLE:
		return zoneinfo_on_node_unreclaimable(p, s, end);
	default:
		return -EINVAL;
	}
}

static int zoneinfo_on_value_key(struct zoneinfo_parser *p, const struct zoneinfo_key_info *k,
				 const char *s, const char *end)
{
	uint64_t v, *seen;
	char *base;
	int r;

	if (k->scope == ZONEINFO_SCOPE_NODE) {
		/* LRU counters count only in the per-node block. */
		if (p->section != ZONEINFO_SECTION_NODE_STATS)
			return 0;
		base = (char *)&p->node.lru;
		seen = &p->lru_seen;
	} else {
		/* Watermarks before "pages free", or in the per-node block,
		 * are not where the kernel prints them. */
		if (p->section != ZONEINFO_SECTION_ZONE)
			return -EINVAL;
		base = (char *)zoneinfo_parser_zone(p);
		seen = &p->zone_seen;
	}
	r = zoneinfo_take_value(&s, end, &v);
	if (r < 0)
		return r;
	r = zoneinfo_mark_seen(seen, k->seen_as);
	if (r < 0)
		return r;
	memcpy(base + k->offset, &v, sizeof(v));
	return 0;
}

static int zoneinfo_parse_line(struct zoneinfo_parser *p, const char *s, const char *end)
{
	const struct zoneinfo_key_info *k;
	struct textscan_token t;

	t = textscan_take(&s, end);
	if (t.len == 0)
		return 0; /* blank line */
	k = zoneinfo_lookup(&p->index, t);
	if (p->section == ZONEINFO_SECTION_NONE && (!k || k->key != ZONEINFO_NODE))
		return -EINVAL; /* zone data before any "Node" line */
	if (!k)
		return 0; /* a field this parser does not use */
	if (k->scope == ZONEINFO_SCOPE_HEADER)
		return zoneinfo_on_header_key(p, k, s, end);
	return zoneinfo_on_value_key(p, k, s, end);
}

static bool zoneinfo_starts_with(const char *s, const char *end, const char *prefix, size_t n)
{
	return (size_t)(end - s) >= n && memcmp(s, prefix, n) == 0;
}

/* The start of the next line at or after cur that begins with prefix (n
 * bytes), or end. */
static const char *zoneinfo_next_line_with(const char *cur, const char *end, const char *prefix,
					   size_t n)
{
	const char *s = cur;

	while (!zoneinfo_starts_with(s, end, prefix, n)) {
		s = memchr(s, '\n', (size_t)(end - s));
		if (!s)
			return end;
		s++;
	}
	return s;
}

/* Past the lines at cur that begin with a or, if b, with b. */
static const char *zoneinfo_skip_lines(const char *cur, const char *end, const char *a, size_t na,
				       const char *b, size_t nb)
{
	const char *s = cur;

	while (zoneinfo_starts_with(s, end, a, na) || (b && zoneinfo_starts_with(s, end, b, nb))) {
		s = memchr(s, '\n', (size_t)(end - s));
		if (!s)
			return end;
		s++;
	}
	return s;
}

/* Past the lines of a "pagesets" block at cur: "    cpu: N" and the
 * values below it (indented four or more), "  vm stats threshold: N". The
 * first other line ("  node_unreclaimable:", or whatever a kernel prints
 * there) is parsed as usual. */
static const char *zoneinfo_skip_pagesets(const char *cur, const char *end)
{
	static const char CPU[] = "    ", THRESHOLD[] = "  vm stats threshold:";

	return zoneinfo_skip_lines(cur, end, CPU, sizeof(CPU) - 1, THRESHOLD,
				   sizeof(THRESHOLD) - 1);
}

/* One value line of a CPU's block ("count:", "high:"): *ret set if key. */
static void zoneinfo_pageset_value(const char *s, const char *end, const char *key,
				   uint64_t *ret, bool *seen)
{
	struct textscan_token t = textscan_take(&s, end);
	uint64_t v;

	if (!textscan_token_eq(t, key))
		return;
	t = textscan_take(&s, end);
	if (textscan_token_u64(t, &v) && textscan_at_eol(&s, end)) {
		*ret = v;
		*seen = true;
	}
}

/* A "pagesets" block at cur, read for cpu's "count:" and "high:" into the
 * zone being parsed; every other CPU's lines are passed over as
 * zoneinfo_skip_pagesets() does. A block without both leaves has_pcp
 * false: the room is unknown, never guessed. */
static const char *zoneinfo_read_pagesets(struct zoneinfo_parser *p, const char *cur,
					  const char *end, int cpu)
{
	static const char CPU[] = "    ", CPU_LINE[] = "    cpu: ",
			  THRESHOLD[] = "  vm stats threshold:";
	uint64_t count = 0, high = 0, id;
	bool mine = false, has_count = false, has_high = false;
	const char *s = cur, *line, *eol;

	while (zoneinfo_starts_with(s, end, CPU, sizeof(CPU) - 1) ||
	       zoneinfo_starts_with(s, end, THRESHOLD, sizeof(THRESHOLD) - 1)) {
		line = s;
		eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			eol = end;
		if (zoneinfo_starts_with(line, eol, CPU_LINE, sizeof(CPU_LINE) - 1)) {
			size_t k = textscan_u64(line + sizeof(CPU_LINE) - 1, eol, &id);

			mine = k > 0 && id == (uint64_t)cpu;
		} else if (mine) {
			zoneinfo_pageset_value(line, eol, "count:", &count, &has_count);
			zoneinfo_pageset_value(line, eol, "high:", &high, &has_high);
		}
		s = eol < end ? eol + 1 : end;
	}
	if (has_count && has_high && p->out && p->section == ZONEINFO_SECTION_ZONE) {
		struct zone_stat *z = zoneinfo_parser_zone(p);

		z->pcp_room = high > count ? high - count : 0;
		z->has_pcp = true;
	}
	return s;
}

/* Past a zone's own counters at cur, which follow its "protection:" line
 * indented six ("      nr_free_pages 123", numa_hit ...): the daemon
 * reads the node's (the "per-node stats" block) and the watermarks above
 * them, none of these. A line indented otherwise (the next, "  pagesets";
 * a watermark's eight, where no kernel prints one) is parsed as usual. */
static const char *zoneinfo_skip_zone_stats(const char *cur, const char *end)
{
	static const char STAT[] = "      ";
	const char *s = cur;

	while (zoneinfo_starts_with(s, end, STAT, sizeof(STAT) - 1) &&
	       (size_t)(end - s) > sizeof(STAT) - 1 && s[sizeof(STAT) - 1] != ' ') {
		s = memchr(s, '\n', (size_t)(end - s));
		if (!s)
			return end;
		s++;
	}
	return s;
}

/* "  pagesets", the per-CPU lists' heading. */
static bool zoneinfo_pagesets_line(const char *s, const char *end)
{
	struct textscan_token t = textscan_take(&s, end);

	return textscan_token_eq(t, "pagesets") && textscan_at_eol(&s, end);
}

/* Is the line at s a "Node N," header of a node other than node? */
static bool zoneinfo_other_node(const char *s, const char *end, int node)
{
	int id;
	struct textscan_token name;
	struct textscan_token t = textscan_take(&s, end);

	return textscan_token_eq(t, "Node") && zoneinfo_parse_header(s, end, &id, &name) >= 0 &&
	       id != node;
}

/*
 * One pass; with out != NULL, out->nodes[] is written as nodes complete, so
 * on failure it may hold part of the input. node >= 0 parses that node's
 * zones alone: the others' lines are skipped unread, up to the next "Node"
 * line (a node thread's snapshot, issue 14: on 2 nodes half the parse, on 8
 * an eighth). The zone's own counters (zoneinfo_skip_zone_stats()) are
 * skipped unparsed, and so are its per-CPU pagesets (five lines a CPU: most
 * of the file on a large machine; zoneinfo_skip_pagesets()) but for cpu's
 * "count:" and "high:" where cpu >= 0 (zoneinfo_read_pagesets()).
 */
static int zoneinfo_parse_pass(const char *buf, size_t len, struct zoneinfo *out, int node,
			       int cpu, unsigned *ret_n_nodes)
{
	static const char NODE_LINE[] = "Node ";
	struct zoneinfo_parser p = {.out = out};
	const char *cur = buf, *end = buf + len, *line, *eol;
	int r;

	keytable_index_build(&p.index, zoneinfo_keys, ELEMENTSOF(zoneinfo_keys),
			     sizeof(zoneinfo_keys[0]));
	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	while (textscan_next_line(&cur, end, &line, &eol)) {
		if (node >= 0 && zoneinfo_other_node(line, eol, node)) {
			cur = zoneinfo_next_line_with(cur, end, NODE_LINE, sizeof(NODE_LINE) - 1);
			continue;
		}
		if (zoneinfo_pagesets_line(line, eol)) {
			cur = cpu >= 0 ? zoneinfo_read_pagesets(&p, cur, end, cpu)
				       : zoneinfo_skip_pagesets(cur, end);
			continue;
		}
		r = zoneinfo_parse_line(&p, line, eol);
		if (r < 0)
			return r;
		if (p.after_protection) {
			cur = zoneinfo_skip_zone_stats(cur, end);
			p.after_protection = false;
		}
	}
	r = zoneinfo_finish_node(&p);
	if (r < 0)
		return r;
	if (p.n_nodes == 0)
		return node >= 0 ? -ENOENT : -EINVAL; /* no such node, or none */
	*ret_n_nodes = p.n_nodes;
	return 0;
}

int zoneinfo_parse(const char *buf, size_t len, struct zoneinfo *ret)
{
	unsigned n;
	int r;

	/* Validate first, write second: *ret is untouched on failure
	 * without a 100 KiB scratch copy on the caller's stack. */
	r = zoneinfo_parse_pass(buf, len, NULL, -1, -1, &n);
	if (r < 0)
		return r;
	r = zoneinfo_parse_pass(buf, len, ret, -1, -1, &n);
	if (r < 0)
		return r; /* cannot happen: same input, same verdict */
	ret->n_nodes = n;
	return 0;
}

const struct node_zoneinfo *zoneinfo_node(const struct zoneinfo *zi, int node_id)
{
	if (!zi)
		return NULL;
	for (unsigned i = 0; i < zi->n_nodes && i < ZONEINFO_MAX_NODES; i++)
		if (zi->nodes[i].id == node_id)
			return &zi->nodes[i];
	return NULL;
}

struct zoneinfo_reader {
	struct reread_file file;
	struct zoneinfo *scratch; /* parsed into, copied out when whole */
};

/* 64 KiB at least: a 2-node 8-CPU server prints about 20 KiB. */
#define ZONEINFO_MIN_BUFFER_BYTES (64 * 1024)

_Static_assert(offsetof(struct zoneinfo_reader, file) == 0, "a reread reader");

int zoneinfo_reader_open(const char *root, struct zoneinfo_reader **ret)
{
	struct zoneinfo_reader *r;
	int k;

	k = REREAD_READER_OPEN(root, "/proc/zoneinfo", ZONEINFO_MIN_BUFFER_BYTES, &r);
	if (k < 0)
		return k;
	r->scratch = calloc(1, sizeof(*r->scratch));
	if (!r->scratch) {
		zoneinfo_reader_free(r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

/* The reader's parse: one pass into its scratch (allocated at open),
 * copied out only when whole, so *ret is untouched on failure;
 * zoneinfo_parse(), with no scratch, makes two passes instead. */
static int zoneinfo_parse_scratch(const char *buf, size_t len, struct zoneinfo *scratch,
				  struct zoneinfo *ret)
{
	unsigned n_nodes;
	int r;

	r = zoneinfo_parse_pass(buf, len, scratch, -1, -1, &n_nodes);
	if (r < 0)
		return r;
	memcpy(ret->nodes, scratch->nodes, n_nodes * sizeof(ret->nodes[0]));
	ret->n_nodes = n_nodes;
	return 0;
}

int zoneinfo_reader_read(struct zoneinfo_reader *r, struct zoneinfo *ret)
{
	return REREAD_READER_PARSE(r, zoneinfo_parse_scratch, ret, r->scratch);
}

/* One node into the scratch (the others skipped), copied out when whole. */
static int zoneinfo_parse_scratch_node(const char *buf, size_t len, struct zoneinfo *scratch,
				       int node, int cpu, struct node_zoneinfo *ret)
{
	unsigned n_nodes;
	int r;

	r = zoneinfo_parse_pass(buf, len, scratch, node, cpu, &n_nodes);
	if (r < 0)
		return r;
	if (n_nodes != 1 || scratch->nodes[0].id != node)
		return -ENOENT;
	*ret = scratch->nodes[0];
	return 0;
}

int zoneinfo_parse_node_cpu(const char *buf, size_t len, int node, int cpu,
			    struct zoneinfo *scratch, struct node_zoneinfo *ret)
{
	if (node < 0)
		return -EINVAL;
	return zoneinfo_parse_scratch_node(buf, len, scratch, node, cpu, ret);
}

int zoneinfo_reader_read_node_cpu(struct zoneinfo_reader *r, int node, int cpu,
				  struct node_zoneinfo *ret)
{
	if (node < 0)
		return -EINVAL;
	return REREAD_READER_PARSE(r, zoneinfo_parse_scratch_node, ret, r->scratch, node, cpu);
}

int zoneinfo_reader_read_node(struct zoneinfo_reader *r, int node, struct node_zoneinfo *ret)
{
	return zoneinfo_reader_read_node_cpu(r, node, -1, ret);
}

struct zoneinfo_reader *zoneinfo_reader_free(struct zoneinfo_reader *r)
{
	if (!r)
		return NULL;
	free(r->scratch);
	return reread_reader_free(r);
}

size_t zoneinfo_reader_buffer_size(const struct zoneinfo_reader *r)
{
	return r ? r->file.size : 0;
}
