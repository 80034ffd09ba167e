/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * Inside src/conf: the three files and what they share.
 *
 *	conf-table.c	the table: every key, its type, default, range and help
 *	conf-types.c	the value types: one entry of operations per type
 *			(parse, format, describe, JSON), the only place that
 *			knows how a boolean or a size is written
 *	conf.c		loading files and drop-ins, conf_set(), the lookups
 *			and the reports
 */

#include <json-c/json.h>

#include "conf.h"

#define CONF_ITEMS_MAX 48
#define CONF_MSG_MAX 512

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)
#define PIB (UINT64_C(1) << 50)

/* A parsed value of any type (strings are owned). */
union conf_value {
	bool b;
	uint64_t u;
	int i;
	struct conf_amount a;
	struct conf_psi_trigger t;
	char *s;
};

/* What the table entry's type carries: systemd's config tables carry the
 * parser in the entry, ours carry the type, whose row is here. */
struct conf_type_ops {
	const char *name; /* "size": conf_type_name() */
	const char *what; /* "not a size": the head of a parse error */
	size_t size;      /* bytes of the stored field */
	/* text -> *ret (range checked against item); -EINVAL, -ERANGE */
	int (*parse)(const struct conf_item *item, const char *text, union conf_value *ret);
	void (*format)(const struct conf_item *item, const union conf_value *v, char *buf,
		       size_t size);
	/* what the item accepts, in words */
	void (*describe)(const struct conf_item *item, char *buf, size_t size);
	/* the "raw" member of conf_to_json(), NULL for none */
	struct json_object *(*raw)(const union conf_value *v);
};

extern const struct conf_type_ops conf_types[_CONF_TYPE_MAX];

static inline const struct conf_type_ops *conf_item_ops(const struct conf_item *item)
{
	return &conf_types[item->type];
}

/* Parse text for item into *ret (a new string for CONF_STRING); an empty
 * text is the default. On failure "Key=value: problem; expected ..." in msg. */
int conf_value_parse(const struct conf_item *item, const char *text, union conf_value *ret,
		     char *msg, size_t msglen);
/* Read an item's field from the struct of its section. */
void conf_value_get(const struct conf_item *item, const void *base, union conf_value *ret);
/* Store a parsed value into the struct of its section; takes the string. */
void conf_value_store(const struct conf_item *item, void *base, union conf_value *v);
