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
