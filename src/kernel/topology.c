/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "textscan.h"
#include "topology.h"
#include "util.h"

/*
 * Grammar of the kernel's list format, as bitmap_print_to_pagebuf() writes
 * it ("%*pbl" then '\n'):
 *	list  := [ range ( "," range )* ] [ "\n" ]
 *	range := N | N "-" N          (first <= last)
 * with ranges ascending and disjoint, as the kernel prints them.
 * Both passes below walk the same text: the first checks it, the second
 * sets bits, so the caller's bitmap is untouched when the text is bad.
 */
static int topology_walk_list(const char *s, const char *end, uint64_t *bitmap, unsigned n_bits)
{
	uint64_t next = 0; /* ranges ascend and do not overlap */

	if (s < end && end[-1] == '\n')
		end--;
	while (s < end) {
		uint64_t a, b;
		size_t k;

		k = textscan_u64(s, end, &a);
		if (k == 0)
			return -EINVAL;
		s += k;
		b = a;
		if (s < end && *s == '-') {
			s++;
			k = textscan_u64(s, end, &b);
			if (k == 0)
				return -EINVAL;
			s += k;
			if (b < a)
				return -EINVAL;
		}
		if (a < next)
			return -EINVAL; /* out of order or overlapping */
		if (b >= n_bits)
			return -ERANGE;
		if (s < end) {
			if (*s != ',' || s + 1 == end)
				return -EINVAL; /* trailing or stray character */
			s++;
		}
		for (uint64_t i = a; i <= b && bitmap; i++)
			bitmap[i / 64] |= UINT64_C(1) << (i % 64);
		next = b + 1;
	}
	return 0;
}

static int topology_popcount(const uint64_t *bitmap, unsigned n_bits)
{
	int n = 0;

	for (unsigned i = 0; i < TOPOLOGY_WORDS(n_bits); i++)
		n += __builtin_popcountll(bitmap[i]);
	return n;
}

int topology_parse_list(const char *buf, size_t len, uint64_t *bitmap, unsigned n_bits)
{
	int r;

	if (!buf || !bitmap || n_bits == 0)
		return -EINVAL;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	r = topology_walk_list(buf, buf + len, NULL, n_bits);
	if (r < 0)
		return r;
	memset(bitmap, 0, TOPOLOGY_WORDS(n_bits) * sizeof(uint64_t));
	(void)topology_walk_list(buf, buf + len, bitmap, n_bits);
	return topology_popcount(bitmap, n_bits);
}

int topology_format_list(const uint64_t *bitmap, unsigned n_bits, char *buf, size_t size)
{
	size_t pos = 0;

	if (!bitmap || !buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	for (unsigned i = 0; i < n_bits; i++) {
		unsigned j = i;
		int k;

		if (!topology_test_bit(bitmap, i))
			continue;
		while (j + 1 < n_bits && topology_test_bit(bitmap, j + 1))
			j++;
		if (j == i)
			k = snprintf(buf + pos, size - pos, "%s%u", pos ? "," : "", i);
		else
			k = snprintf(buf + pos, size - pos, "%s%u-%u", pos ? "," : "", i, j);
		if (k < 0 || (size_t)k >= size - pos)
			return -ENOSPC;
		pos += (size_t)k;
		i = j;
	}
	return 0;
}

static int topology_read_list(const char *root, const char *path, uint64_t *bitmap, unsigned n_bits)
{
	char p[PATH_MAX], buf[TOPOLOGY_LIST_MAX];
	ssize_t n;
	int r;

	r = path_join(p, sizeof(p), root, path);
	if (r < 0)
		return r;
	n = read_file_at(AT_FDCWD, p, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return topology_parse_list(buf, (size_t)n, bitmap, n_bits);
}

static int topology_read_node(const char *root, int id, struct topology_node *ret)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", id);
	r = topology_read_list(root, path, ret->cpus, TOPOLOGY_MAX_CPUS);
	if (r < 0)
		return r;
	ret->id = id;
	ret->n_cpus = (unsigned)r;
	return 0;
}

/* No /sys/devices/system/node: a kernel without CONFIG_NUMA, one node. */
static int topology_discover_flat(const char *root, struct topology *t)
{
	int r;

	r = topology_read_list(root, "/sys/devices/system/cpu/online", t->nodes[0].cpus,
			       TOPOLOGY_MAX_CPUS);
	if (r < 0)
		return r;
	t->nodes[0].id = 0;
	t->nodes[0].n_cpus = (unsigned)r;
	t->n_nodes = 1;
	return 0;
}

int topology_discover(const char *root, struct topology *ret)
{
	uint64_t online[TOPOLOGY_WORDS(TOPOLOGY_MAX_NODE_ID)];
	_cleanup_free_ struct topology *t = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = topology_read_list(root, "/sys/devices/system/node/online", online,
			       TOPOLOGY_MAX_NODE_ID);
	if (r == -ENOENT)
		r = topology_discover_flat(root, t);
	else if (r >= 0)
		for (int id = 0; id < TOPOLOGY_MAX_NODE_ID && r >= 0; id++) {
			if (!topology_test_bit(online, (unsigned)id))
				continue;
			if (t->n_nodes >= ZONEINFO_MAX_NODES)
				return -E2BIG;
			r = topology_read_node(root, id, &t->nodes[t->n_nodes++]);
		}
	if (r < 0)
		return r;
	if (t->n_nodes == 0)
		return -EINVAL; /* "online" listed no node */
	memcpy(ret, t, sizeof(*t));
	return 0;
}

const struct topology_node *topology_node(const struct topology *t, int node_id)
{
	if (!t)
		return NULL;
	for (unsigned i = 0; i < t->n_nodes && i < ZONEINFO_MAX_NODES; i++)
		if (t->nodes[i].id == node_id)
			return &t->nodes[i];
	return NULL;
}

int topology_node_cpuset(const struct topology_node *n, cpu_set_t *set, size_t setsize)
{
	if (!n || !set)
		return -EINVAL;
	for (unsigned i = 0; i < TOPOLOGY_MAX_CPUS; i++)
		if (topology_test_bit(n->cpus, i) && i >= setsize * 8)
			return -ERANGE;
	CPU_ZERO_S(setsize, set);
	for (unsigned i = 0; i < TOPOLOGY_MAX_CPUS; i++)
		if (topology_test_bit(n->cpus, i))
			CPU_SET_S(i, setsize, set);
	return 0;
}
