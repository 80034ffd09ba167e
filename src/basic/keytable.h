/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Name tables for "key value" files (vmstat, meminfo): an array of
 * { name, id } sorted by name (strcmp order) so that a line's key is found
 * with a binary search; each module's test checks its table is sorted and
 * names every id once.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"
#include "textscan.h"

struct keytable_entry {
	const char *name;
	int id;
};

/* The entry's id, or -1 when the key is not in the table. */
int keytable_lookup(const struct keytable_entry *table, size_t n, struct textscan_token key);

/* The name of id, or NULL. */
const char *keytable_name(const struct keytable_entry *table, size_t n, int id);

/* Sorted, and ids 0..n_ids-1 each named exactly once. */
bool keytable_is_valid(const struct keytable_entry *table, size_t n, int n_ids);

/*
 * macro.h's DEFINE_STRING_TABLE_TO_STRING for a module whose names are a
 * keytable (sorted by name, for the parser): NAME_to_string(TYPE), NULL for
 * an id the table does not name. MODULE_table_is_valid() is for the
 * module's test.
 */
#define DEFINE_KEYTABLE_TO_STRING(scope, name, type, table)                                        \
	scope const char *name##_to_string(type i)                                                 \
	{                                                                                          \
		return keytable_name(table, ELEMENTSOF(table), (int)i);                            \
	}
#define DEFINE_KEYTABLE_IS_VALID(scope, module, table, n_ids)                                      \
	scope bool module##_table_is_valid(void)                                                   \
	{                                                                                          \
		return keytable_is_valid(table, ELEMENTSOF(table), (n_ids));                       \
	}

/*
 * For tables whose records carry more than an id (zoneinfo's: scope, field
 * offset): records sorted by name whose FIRST member is a struct
 * keytable_name, and an index of where the names starting with each byte
 * sit. Building it costs a few dozen ns for 33 keys; it turns most lookups
 * of the ~700 lines of a 4-node zoneinfo into no comparison at all, and the
 * rest into a length compare before any memcmp().
 */
struct keytable_name {
	const char *name;
	size_t len; /* strlen(name) */
};

struct keytable_index {
	const char *table;
	size_t stride;
	uint8_t lo[256], hi[256];
};

#define KEYTABLE_NAME(s)                                                                           \
	{                                                                                          \
		.name = (s), .len = sizeof(s) - 1                                                  \
	}

/* n records of stride bytes at table, n < 256. */
void keytable_index_build(struct keytable_index *ix, const void *table, size_t n, size_t stride);

static inline const struct keytable_name *keytable_index_at(const struct keytable_index *ix,
							    size_t i)
{
	return (const struct keytable_name *)(const void *)(ix->table + i * ix->stride);
}

/* The position of the record named key, or -1. Inline: it runs once per
 * line of zoneinfo. */
static inline int keytable_index_lookup(const struct keytable_index *ix, struct textscan_token key)
{
	unsigned char c;

	if (key.len == 0)
		return -1;
	c = (unsigned char)key.s[0];
	/* A linear scan of the few names with this first byte, comparing
	 * lengths first: memcmp() runs only on a likely match. */
	for (size_t i = ix->lo[c]; i < ix->hi[c]; i++) {
		const struct keytable_name *k = keytable_index_at(ix, i);

		if (k->len == key.len && memcmp(k->name, key.s, key.len) == 0)
			return (int)i;
	}
	return -1;
}
