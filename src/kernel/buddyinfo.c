/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <string.h>

#include "buddyinfo.h"
#include "macro.h"
#include "textscan.h"

static uint64_t buddyinfo_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t buddyinfo_pages(uint64_t blocks, unsigned order)
{
	return blocks > (UINT64_MAX >> order) ? UINT64_MAX : blocks << order;
}

/* "Node" NID "," : returns the node id or -EINVAL. */
static int buddyinfo_parse_node(const char **p, const char *eol)
{
	struct textscan_token t = textscan_take(p, eol);
	uint64_t id;

	if (!textscan_token_eq(t, "Node"))
		return -EINVAL;
	t = textscan_take(p, eol);
	if (t.len < 2 || t.s[t.len - 1] != ',')
		return -EINVAL;
	t.len--;
	if (!textscan_token_u64(t, &id) || id >= BUDDYINFO_MAX_NODES)
		return -EINVAL;
	return (int)id;
}

static struct buddyinfo_node *buddyinfo_get(struct buddyinfo *b, int id)
{
	for (unsigned i = 0; i < b->n_nodes; i++)
		if (b->nodes[i].id == id)
			return &b->nodes[i];
	if (b->n_nodes >= BUDDYINFO_MAX_NODES)
		return NULL;
	b->nodes[b->n_nodes] = (struct buddyinfo_node){ .id = id };
	return &b->nodes[b->n_nodes++];
}

static int buddyinfo_parse_line(struct buddyinfo *b, const char *line, const char *eol)
{
	struct buddyinfo_node *n;
	struct buddyinfo_zone *z;
	struct textscan_token t, name;
	unsigned order = 0;
	int id;

	id = buddyinfo_parse_node(&line, eol);
	if (id < 0)
		return id;
	if (!textscan_token_eq(textscan_take(&line, eol), "zone"))
		return -EINVAL;
	name = textscan_take(&line, eol); /* the zone's name */
	if (name.len == 0 || name.len >= BUDDYINFO_ZONE_NAME_MAX)
		return -EINVAL;
	n = buddyinfo_get(b, id);
	if (!n || n->n_zones >= BUDDYINFO_MAX_ZONES)
		return -EINVAL;
	for (unsigned i = 0; i < n->n_zones; i++)
		if (strlen(n->zones[i].name) == name.len &&
		    memcmp(n->zones[i].name, name.s, name.len) == 0)
			return -EINVAL; /* a zone twice in a node */
	z = &n->zones[n->n_zones++];
	memcpy(z->name, name.s, name.len);
	z->name[name.len] = '\0';
	while ((t = textscan_take(&line, eol)).len > 0) {
		uint64_t v;

		if (order >= BUDDYINFO_MAX_ORDERS || !textscan_token_u64(t, &v))
			return -EINVAL;
		n->free_blocks[order] = buddyinfo_add_sat(n->free_blocks[order], v);
		z->free_pages = buddyinfo_add_sat(z->free_pages, buddyinfo_pages(v, order));
		order++;
	}
	if (order == 0)
		return -EINVAL;
	n->n_orders = MAX(n->n_orders, order);
	return 0;
}

int buddyinfo_parse(const char *buf, size_t len, struct buddyinfo *ret)
{
	const char *cur = buf, *end = buf + len, *line, *eol;
	struct buddyinfo b = { 0 }; /* 22 KiB: *ret stays untouched on failure */
	int r;

	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	while (textscan_next_line(&cur, end, &line, &eol)) {
		const char *p = line;

		if (textscan_at_eol(&p, eol))
			continue;
		r = buddyinfo_parse_line(&b, line, eol);
		if (r < 0)
			return r;
	}
	*ret = b;
	return 0;
}

const struct buddyinfo_node *buddyinfo_node(const struct buddyinfo *b, int id)
{
	for (unsigned i = 0; i < b->n_nodes; i++)
		if (b->nodes[i].id == id)
			return &b->nodes[i];
	return NULL;
}

int buddyinfo_zone_free_pages(const struct buddyinfo_node *n, const char *name,
			      uint64_t *ret_pages)
{
	for (unsigned i = 0; i < n->n_zones; i++)
		if (strcmp(n->zones[i].name, name) == 0) {
			*ret_pages = n->zones[i].free_pages;
			return 0;
		}
	return -ENOENT;
}

int buddyinfo_zone_free_into(const struct buddyinfo_node *n, struct node_zoneinfo *zi)
{
	uint64_t free[ZONEINFO_MAX_ZONES] = { 0 };
	unsigned nz = MIN(zi->n_zones, (unsigned)ZONEINFO_MAX_ZONES);
	int r;

	for (unsigned i = 0; i < nz; i++) {
		if (zi->zones[i].managed == 0)
			continue;
		r = buddyinfo_zone_free_pages(n, zi->zones[i].name, &free[i]);
		if (r < 0)
			return r;
	}
	for (unsigned i = 0; i < nz; i++)
		if (zi->zones[i].managed)
			zi->zones[i].free = free[i];
	return 0;
}

uint64_t buddyinfo_free_pages_from(const struct buddyinfo_node *n, unsigned min_order)
{
	uint64_t pages = 0;

	for (unsigned o = min_order; o < n->n_orders && o < BUDDYINFO_MAX_ORDERS; o++)
		pages = buddyinfo_add_sat(pages, buddyinfo_pages(n->free_blocks[o], o));
	return pages;
}

uint64_t buddyinfo_free_pages(const struct buddyinfo_node *n)
{
	return buddyinfo_free_pages_from(n, 0);
}

/* 3 zones x 64 nodes x ~100 bytes; reread sizes it from the first read. */
#define BUDDYINFO_MIN_BUFFER_BYTES 4096

int buddyinfo_reader_open(const char *root, struct buddyinfo_reader *ret)
{
	return reread_file_open(root, "/proc/buddyinfo", BUDDYINFO_MIN_BUFFER_BYTES, &ret->file);
}

int buddyinfo_reader_read(struct buddyinfo_reader *r, struct buddyinfo *ret)
{
	return REREAD_READER_PARSE(r, buddyinfo_parse, ret);
}

void buddyinfo_reader_close(struct buddyinfo_reader *r)
{
	reread_file_close(&r->file);
}
