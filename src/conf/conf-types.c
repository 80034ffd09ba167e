/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The value types of the config table: for each, how its text is parsed
 * and range-checked, how a stored value is written back (so that the two
 * round-trip: "64M", "1536K", "0.5%", "1min"), what it accepts in words
 * (the tail of every error and the man page's "Accepts" line) and its raw
 * JSON. conf_types[] is indexed by enum conf_type; nothing else in
 * src/conf switches on a type.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-internal.h"
#include "util.h"

/* ---- writing numbers ------------------------------------------------- */

/* Exact, so that formatting and parsing round-trip: "64M", "1536K", "4097". */
static void conf_format_size(char *buf, size_t size, uint64_t v)
{
	static const struct {
		uint64_t mult;
		char suffix;
	} units[] = { { TIB, 'T' }, { GIB, 'G' }, { MIB, 'M' }, { KIB, 'K' } };

	for (size_t i = 0; v != 0 && i < ELEMENTSOF(units); i++)
		if (v % units[i].mult == 0) {
			snprintf(buf, size, "%" PRIu64 "%c", v / units[i].mult, units[i].suffix);
			return;
		}
	snprintf(buf, size, "%" PRIu64, v);
}

static void conf_format_duration(char *buf, size_t size, uint64_t v)
{
	static const struct {
		uint64_t usec;
		const char *suffix;
	} units[] = { { 3600 * USEC_PER_SEC, "h" }, { 60 * USEC_PER_SEC, "min" },
		      { USEC_PER_SEC, "s" },	    { USEC_PER_MSEC, "ms" } };

	for (size_t i = 0; v != 0 && i < ELEMENTSOF(units); i++)
		if (v % units[i].usec == 0) {
			snprintf(buf, size, "%" PRIu64 "%s", v / units[i].usec, units[i].suffix);
			return;
		}
	snprintf(buf, size, "%" PRIu64 "us", v);
}

static void conf_format_permyriad(char *buf, size_t size, uint64_t v)
{
	if (v % 100 == 0)
		snprintf(buf, size, "%" PRIu64 "%%", v / 100);
	else if (v % 10 == 0)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "%%", v / 100, v % 100 / 10);
	else
		snprintf(buf, size, "%" PRIu64 ".%02" PRIu64 "%%", v / 100, v % 100);
}

static void conf_format_decimal(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%" PRIu64, v);
}

/* A numeric type's format: the special word, or its own writer. */
static void conf_format_numeric(const struct conf_item *item, uint64_t v, char *buf, size_t size,
				void (*fmt)(char *, size_t, uint64_t))
{
	if (item->special && v == CONF_SPECIAL)
		snprintf(buf, size, "%s", item->special);
	else
		fmt(buf, size, v);
}

static void conf_describe_range(const struct conf_item *item, char *buf, size_t size,
				void (*fmt)(char *, size_t, uint64_t), const char *head,
				const char *tail)
{
	char lo[32], hi[32], special[48] = "";

	if (item->special)
		snprintf(special, sizeof(special), ", or \"%s\"", item->special);
	fmt(lo, sizeof(lo), item->min);
	fmt(hi, sizeof(hi), item->max);
	snprintf(buf, size, "%s from %s to %s%s%s", head, lo, hi, tail, special);
}

static int conf_check_range(const struct conf_item *item, uint64_t v)
{
	return v < item->min || v > item->max ? -ERANGE : 0;
}

static struct json_object *conf_raw_u64(const union conf_value *v)
{
	return v->u == CONF_SPECIAL ? NULL : json_object_new_uint64(v->u);
}

/* ---- boolean ---------------------------------------------------------- */

static int conf_bool_parse(const struct conf_item *item, const char *text, union conf_value *ret)
{
	int r = parse_boolean(text);

	if (r < 0)
		return r;
	ret->b = r;
	return 0;
}

static void conf_bool_format(const struct conf_item *item, const union conf_value *v, char *buf,
			     size_t size)
{
	snprintf(buf, size, "%s", v->b ? "yes" : "no");
}

static void conf_bool_describe(const struct conf_item *item, char *buf, size_t size)
{
	snprintf(buf, size, "a boolean (yes/no, true/false, on/off, 1/0)");
}

static struct json_object *conf_bool_raw(const union conf_value *v)
{
	return json_object_new_boolean(v->b);
}

/* ---- integer ---------------------------------------------------------- */

static int conf_uint_parse(const struct conf_item *item, const char *text, union conf_value *ret)
{
	int r = safe_atou64(text, &ret->u);

	return r < 0 ? r : conf_check_range(item, ret->u);
}

static void conf_uint_format(const struct conf_item *item, const union conf_value *v, char *buf,
			     size_t size)
{
	conf_format_numeric(item, v->u, buf, size, conf_format_decimal);
}

static void conf_uint_describe(const struct conf_item *item, char *buf, size_t size)
{
	conf_describe_range(item, buf, size, conf_format_decimal, "an integer", "");
}

/* ---- size ------------------------------------------------------------- */

static int conf_size_parse(const struct conf_item *item, const char *text, union conf_value *ret)
{
	int r = parse_size(text, /* percent_base= */ 0, &ret->u);

	return r < 0 ? r : conf_check_range(item, ret->u);
}

static void conf_size_format(const struct conf_item *item, const union conf_value *v, char *buf,
			     size_t size)
{
	conf_format_numeric(item, v->u, buf, size, conf_format_size);
}

static void conf_size_describe(const struct conf_item *item, char *buf, size_t size)
{
	conf_describe_range(item, buf, size, conf_format_size, "a size",
			    " (bytes, or with a K, M, G or T suffix)");
}

/* ---- percentage (permyriad) --------------------------------------------- */

/* "12.5%" -> 1250; at most two decimals, so nothing is silently dropped. */
static int conf_parse_percent(const char *s, uint64_t *ret)
{
	uint64_t whole = 0, frac = 0;
	const char *p = s;
	unsigned digits = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 100000)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits == 2)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (digits == 0)
			return -EINVAL;
		if (digits == 1)
			frac *= 10;
	}
	if (!streq(p, "%"))
		return -EINVAL;
	*ret = whole * 100 + frac;
	return 0;
}

static int conf_permyriad_parse(const struct conf_item *item, const char *text,
				union conf_value *ret)
{
	int r = conf_parse_percent(text, &ret->u);

	return r < 0 ? r : conf_check_range(item, ret->u);
}

static void conf_permyriad_format(const struct conf_item *item, const union conf_value *v,
				  char *buf, size_t size)
{
	conf_format_numeric(item, v->u, buf, size, conf_format_permyriad);
}

static void conf_permyriad_describe(const struct conf_item *item, char *buf, size_t size)
{
	conf_describe_range(item, buf, size, conf_format_permyriad, "a percentage",
			    " with at most two decimals");
}

/* ---- amount: a size, or a share of a base --------------------------------- */

static int conf_amount_parse(const struct conf_item *item, const char *text,
			     union conf_value *ret)
{
	int r;

	if (strchr(text, '%')) {
		ret->a.permyriad = true;
		r = conf_parse_percent(text, &ret->a.value);
		return r < 0 ? r : conf_check_range(item, ret->a.value);
	}
	ret->a.permyriad = false;
	r = parse_size(text, 0, &ret->a.value);
	if (r >= 0 && ret->a.value > item->max_bytes)
		r = -ERANGE;
	return r;
}

static void conf_amount_format(const struct conf_item *item, const union conf_value *v,
			       char *buf, size_t size)
{
	if (v->a.permyriad)
		conf_format_permyriad(buf, size, v->a.value);
	else
		conf_format_size(buf, size, v->a.value);
}

static void conf_amount_describe(const struct conf_item *item, char *buf, size_t size)
{
	char lo[32], hi[32], max[32];

	conf_format_permyriad(lo, sizeof(lo), item->min);
	conf_format_permyriad(hi, sizeof(hi), item->max);
	conf_format_size(max, sizeof(max), item->max_bytes);
	snprintf(buf, size,
		 "a size up to %s (bytes, or with a K, M, G or T suffix), or a percentage "
		 "from %s to %s with at most two decimals",
		 max, lo, hi);
}

static struct json_object *conf_amount_raw(const union conf_value *v)
{
	return json_object_new_uint64(v->a.value);
}

/* ---- duration ----------------------------------------------------------- */

static int conf_duration_parse(const struct conf_item *item, const char *text,
			       union conf_value *ret)
{
	int r = parse_duration(text, USEC_PER_SEC, &ret->u);

	return r < 0 ? r : conf_check_range(item, ret->u);
}

static void conf_duration_format(const struct conf_item *item, const union conf_value *v,
				 char *buf, size_t size)
{
	conf_format_numeric(item, v->u, buf, size, conf_format_duration);
}

static void conf_duration_describe(const struct conf_item *item, char *buf, size_t size)
{
	conf_describe_range(item, buf, size, conf_format_duration, "a duration",
			    " (a systemd time span such as \"1min 30s\" or \"500ms\"; a bare "
			    "number is seconds)");
}

/* ---- string ------------------------------------------------------------- */

static int conf_string_parse(const struct conf_item *item, const char *text,
			     union conf_value *ret)
{
	if (!item->valid(text))
		return -EINVAL;
	ret->s = strdup(text);
	return ret->s ? 0 : -ENOMEM;
}

static void conf_string_format(const struct conf_item *item, const union conf_value *v,
			       char *buf, size_t size)
{
	snprintf(buf, size, "%s", v->s ? v->s : "");
}

static void conf_string_describe(const struct conf_item *item, char *buf, size_t size)
{
	snprintf(buf, size, "%s", item->expect);
}

/* ---- enumeration -------------------------------------------------------- */

static int conf_enum_parse(const struct conf_item *item, const char *text, union conf_value *ret)
{
	for (size_t i = 0; item->enum_names[i]; i++)
		if (streq(text, item->enum_names[i])) {
			ret->i = item->enum_values[i];
			return 0;
		}
	return -EINVAL;
}

static void conf_enum_format(const struct conf_item *item, const union conf_value *v, char *buf,
			     size_t size)
{
	snprintf(buf, size, "?");
	for (size_t i = 0; item->enum_names[i]; i++)
		if (item->enum_values[i] == v->i)
			snprintf(buf, size, "%s", item->enum_names[i]);
}

static void conf_enum_describe(const struct conf_item *item, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "one of");

	for (size_t i = 0; item->enum_names[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s %s", i ? "," : "", item->enum_names[i]);
}

/* ---- PSI trigger ---------------------------------------------------------- */

static int conf_psi_trigger_parse(const struct conf_item *item, const char *s,
				  union conf_value *ret)
{
	char kind[8], stall[24], window[24], extra[2];
	struct conf_psi_trigger t = { .enabled = true };
	int r;

	if (streq(s, "off")) {
		ret->t = (struct conf_psi_trigger){};
		return 0;
	}
	if (sscanf(s, "%7s %23s %23s %1s", kind, stall, window, extra) != 3)
		return -EINVAL;
	if (streq(kind, "full"))
		t.full = true;
	else if (!streq(kind, "some"))
		return -EINVAL;
	r = safe_atou64(stall, &t.stall_usec);
	if (r < 0)
		return r;
	r = safe_atou64(window, &t.window_usec);
	if (r < 0)
		return r;
	/* The kernel's psi_trigger_create(): window 500ms..10s, 0 < threshold <= window. */
	if (t.window_usec < 500 * USEC_PER_MSEC || t.window_usec > 10 * USEC_PER_SEC ||
	    t.stall_usec == 0 || t.stall_usec > t.window_usec)
		return -ERANGE;
	ret->t = t;
	return 0;
}

static void conf_psi_trigger_format(const struct conf_item *item, const union conf_value *v,
				    char *buf, size_t size)
{
	if (!v->t.enabled)
		snprintf(buf, size, "off");
	else
		snprintf(buf, size, "%s %" PRIu64 " %" PRIu64, v->t.full ? "full" : "some",
			 v->t.stall_usec, v->t.window_usec);
}

static void conf_psi_trigger_describe(const struct conf_item *item, char *buf, size_t size)
{
	snprintf(buf, size,
		 "\"some STALL WINDOW\" or \"full STALL WINDOW\" in microseconds, "
		 "WINDOW from 500000 to 10000000 and STALL from 1 to WINDOW, or \"off\"");
}

/* ---- the table of types ---------------------------------------------------- */

const struct conf_type_ops conf_types[_CONF_TYPE_MAX] = {
	[CONF_BOOL] = { "boolean", "not a boolean", sizeof(bool), conf_bool_parse,
			conf_bool_format, conf_bool_describe, conf_bool_raw },
	[CONF_UINT] = { "integer", "not a number", sizeof(uint64_t), conf_uint_parse,
			conf_uint_format, conf_uint_describe, conf_raw_u64 },
	[CONF_SIZE] = { "size", "not a size", sizeof(uint64_t), conf_size_parse,
			conf_size_format, conf_size_describe, conf_raw_u64 },
	[CONF_PERMYRIAD] = { "percentage", "not a percentage", sizeof(uint64_t),
			     conf_permyriad_parse, conf_permyriad_format,
			     conf_permyriad_describe, conf_raw_u64 },
	[CONF_AMOUNT] = { "size or percentage", "not a size", sizeof(struct conf_amount),
			  conf_amount_parse, conf_amount_format, conf_amount_describe,
			  conf_amount_raw },
	[CONF_DURATION] = { "duration", "not a duration", sizeof(uint64_t), conf_duration_parse,
			    conf_duration_format, conf_duration_describe, conf_raw_u64 },
	[CONF_STRING] = { "string", "invalid", sizeof(char *), conf_string_parse,
			  conf_string_format, conf_string_describe, NULL },
	[CONF_ENUM] = { "enumeration", "unknown value", sizeof(int), conf_enum_parse,
			conf_enum_format, conf_enum_describe, NULL },
	[CONF_PSI_TRIGGER] = { "PSI trigger", "not a PSI trigger",
			       sizeof(struct conf_psi_trigger), conf_psi_trigger_parse,
			       conf_psi_trigger_format, conf_psi_trigger_describe, NULL },
};

const char *conf_type_name(enum conf_type t)
{
	return t < _CONF_TYPE_MAX ? conf_types[t].name : NULL;
}

/* ---- values of any type ------------------------------------------------------ */

void conf_item_describe(const struct conf_item *item, char *buf, size_t size)
{
	conf_item_ops(item)->describe(item, buf, size);
}

void conf_value_get(const struct conf_item *item, const void *base, union conf_value *ret)
{
	*ret = (union conf_value){};
	memcpy(ret, (const char *)base + item->offset, conf_item_ops(item)->size);
}

int conf_format_value(const struct conf_item *item, const void *base, char *buf, size_t size)
{
	union conf_value v;

	conf_value_get(item, base, &v);
	conf_item_ops(item)->format(item, &v, buf, size);
	return 0;
}

int conf_value_parse(const struct conf_item *item, const char *text, union conf_value *ret,
		     char *msg, size_t msglen)
{
	union conf_value v = {};
	char allowed[256];
	int r = 0;

	if (item->type != CONF_STRING && text[0] == '\0')
		text = item->default_value; /* "Key=" resets */

	if (item->special && streq(text, item->special))
		v.u = CONF_SPECIAL;
	else
		r = conf_item_ops(item)->parse(item, text, &v);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		conf_item_describe(item, allowed, sizeof(allowed));
		snprintf(msg, msglen, "%s=%s: %s; expected %s", item->name, text,
			 r == -ERANGE ? "out of range" : conf_item_ops(item)->what, allowed);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

void conf_value_store(const struct conf_item *item, void *base, union conf_value *v)
{
	char *field = (char *)base + item->offset;

	if (item->type == CONF_STRING) {
		char *old;

		memcpy(&old, field, sizeof(old));
		free(old);
	}
	memcpy(field, v, conf_item_ops(item)->size);
	if (item->type == CONF_STRING)
		v->s = NULL;
}
