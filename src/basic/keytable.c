/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>

#include "keytable.h"
#include "macro.h"

int keytable_lookup(const struct keytable_entry *table, size_t n, struct textscan_token key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = textscan_token_cmp(key, table[mid].name);

		if (c == 0)
			return table[mid].id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const char *keytable_name(const struct keytable_entry *table, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].id == id)
			return table[i].name;
	return NULL;
}

bool keytable_is_valid(const struct keytable_entry *table, size_t n, int n_ids)
{
	if (n != (size_t)n_ids)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(table[i - 1].name, table[i].name) >= 0)
			return false;
		if (table[i].id < 0 || table[i].id >= n_ids)
			return false;
		for (size_t j = 0; j < i; j++)
			if (table[j].id == table[i].id)
				return false;
	}
	return true;
}

void keytable_index_build(struct keytable_index *ix, const void *table, size_t n, size_t stride)
{
	memset(ix, 0, sizeof(*ix));
	ix->table = table;
	ix->stride = stride;
	for (size_t i = 0; i < n && i < UINT8_MAX; i++) {
		unsigned char c = (unsigned char)keytable_index_at(ix, i)->name[0];

		if (ix->hi[c] == 0)
			ix->lo[c] = (uint8_t)i;
		ix->hi[c] = (uint8_t)(i + 1);
	}
}
