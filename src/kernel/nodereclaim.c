/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <limits.h>

#include "macro.h"
#include "nodereclaim.h"
#include "textscan.h"

static const char *const node_reclaim_paths[] = {
	"/proc/sys/vm/min_unmapped_ratio",
	"/proc/sys/vm/min_slab_ratio",
	"/proc/sys/vm/zone_reclaim_mode",
};

int node_reclaim_parse_value(const char *buf, size_t len, unsigned *ret)
{
	const char *p = buf, *end = buf + len, *line, *eol;
	struct textscan_token t;
	uint64_t v;
	int r;

	r = textscan_check_text(buf, len);
	if (r < 0)
		return r;
	if (!textscan_next_line(&p, end, &line, &eol))
		return -EINVAL;
	t = textscan_take(&line, eol);
	if (!textscan_token_u64(t, &v) || v > UINT_MAX || line != eol || p != end)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int node_reclaim_reader_open(const char *root, struct node_reclaim_reader *ret)
{
	struct node_reclaim_reader r;
	int k;

	for (size_t i = 0; i < ELEMENTSOF(r.files); i++)
		r.files[i] = REREAD_FILE_NULL;
	for (size_t i = 0; i < ELEMENTSOF(r.files); i++) {
		k = reread_file_open(root, node_reclaim_paths[i], 64, &r.files[i]);
		if (k < 0) {
			node_reclaim_reader_close(&r);
			return k;
		}
	}
	*ret = r;
	return 0;
}

int node_reclaim_reader_read(struct node_reclaim_reader *r, struct node_reclaim_limits *ret)
{
	unsigned v[ELEMENTSOF(r->files)];

	if (!r || !ret)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(r->files); i++) {
		ssize_t n = reread_file_read(&r->files[i]);
		int k;

		if (n < 0)
			return (int)n;
		k = node_reclaim_parse_value(r->files[i].buf, (size_t)n, &v[i]);
		if (k < 0)
			return k;
	}
	*ret = (struct node_reclaim_limits){
		.known = true,
		.min_unmapped_ratio = v[0],
		.min_slab_ratio = v[1],
		.zone_reclaim_mode = v[2],
	};
	return 0;
}

void node_reclaim_reader_close(struct node_reclaim_reader *r)
{
	for (size_t i = 0; i < ELEMENTSOF(r->files); i++)
		reread_file_close(&r->files[i]);
}
