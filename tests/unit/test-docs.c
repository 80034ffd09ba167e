/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the docs say the marks are, against the code that computes them
 * (issue 13: "the formulas in the docs are generated from, or checked
 * against, the code"):
 *
 *  - docs/design.md's formula lines are read from the file and evaluated by
 *    the small calculator below, on the inputs of watermark_zone(),
 *    watermark_monitor_interval_usec() and balance_pace_update(), and must
 *    give what they give;
 *  - the numbers in design.md's prose and table, in reclaimd(8), in
 *    protocol.md and in WatermarkHeadroom='s help (which is the shipped
 *    config: conf-doc.sh compares them) must be the defaults the daemon runs
 *    with (conf_new_defaults(), conf_watermark_params()).
 *
 * A doc or a formula in the code changed alone fails a case here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"
#include "conf.h"
#include "macro.h"
#include "target.h"
#include "util.h"
#include "watermark.h"

#define PAGE 4096u
#define MIB  (UINT64_C(1) << 20)
#define GIB  (UINT64_C(1) << 30)
#define TIB  (UINT64_C(1) << 40)

/* --- A calculator for the docs' formula lines ---------------------------
 *
 * expr = term *(("+" / "-") term); term = factor *(("*" / "/") factor);
 * factor = "-" factor / "(" expr ")" / number [unit] / name / FUNC "(" args ")"
 * with FUNC one of MIN, MAX, CLAMP and unit "s" or "ms" (a time, in
 * seconds). Integer formulas divide as C does (int_div).
 */

struct calc_var {
	const char *name;
	double value;
};

struct calc {
	const char *p;
	const struct calc_var *vars;
	size_t n_vars;
	bool int_div;
	bool ok;
};

static double calc_expr(struct calc *c);

static void calc_skip(struct calc *c)
{
	while (*c->p == ' ')
		c->p++;
}

static bool calc_eat(struct calc *c, char ch)
{
	calc_skip(c);
	if (*c->p != ch)
		return false;
	c->p++;
	return true;
}

static size_t calc_name(struct calc *c, const char **ret)
{
	calc_skip(c);
	*ret = c->p;
	while (isalnum((unsigned char)*c->p) || *c->p == '_')
		c->p++;
	return (size_t)(c->p - *ret);
}

static double calc_number(struct calc *c)
{
	const char *unit, *after;
	char *e;
	double v = strtod(c->p, &e);
	size_t n;

	c->p = e;
	after = c->p;
	n = calc_name(c, &unit);
	if (n == 2 && memcmp(unit, "ms", 2) == 0)
		return v / 1000;
	if (n == 1 && unit[0] == 's')
		return v;
	c->p = after;
	return v;
}

static double calc_var(struct calc *c, const char *name, size_t n)
{
	for (size_t i = 0; i < c->n_vars; i++)
		if (strlen(c->vars[i].name) == n && memcmp(c->vars[i].name, name, n) == 0)
			return c->vars[i].value;
	print_error("unknown name in formula: %.*s\n", (int)n, name);
	c->ok = false;
	return 0;
}

static double calc_call(struct calc *c, const char *name, size_t n)
{
	double a[3] = {};
	size_t k = 0;

	do {
		if (k < ELEMENTSOF(a))
			a[k] = calc_expr(c);
		k++;
	} while (calc_eat(c, ','));
	if (!calc_eat(c, ')'))
		c->ok = false;
	if (n == 3 && memcmp(name, "MIN", 3) == 0 && k == 2)
		return MIN(a[0], a[1]);
	if (n == 3 && memcmp(name, "MAX", 3) == 0 && k == 2)
		return MAX(a[0], a[1]);
	if (n == 5 && memcmp(name, "CLAMP", 5) == 0 && k == 3)
		return MIN(MAX(a[0], a[1]), a[2]);
	print_error("unknown function in formula: %.*s/%zu\n", (int)n, name, k);
	c->ok = false;
	return 0;
}

static double calc_factor(struct calc *c)
{
	const char *name;
	size_t n;
	double v;

	calc_skip(c);
	if (*c->p == '-') {
		c->p++;
		return -calc_factor(c);
	}
	if (*c->p == '(') {
		c->p++;
		v = calc_expr(c);
		if (!calc_eat(c, ')'))
			c->ok = false;
		return v;
	}
	if (isdigit((unsigned char)*c->p))
		return calc_number(c);
	n = calc_name(c, &name);
	if (n == 0) {
		c->ok = false;
		return 0;
	}
	if (calc_eat(c, '('))
		return calc_call(c, name, n);
	return calc_var(c, name, n);
}

static double calc_term(struct calc *c)
{
	double v = calc_factor(c);

	for (;;) {
		if (calc_eat(c, '*'))
			v *= calc_factor(c);
		else if (calc_eat(c, '/')) {
			double d = calc_factor(c);

			/* the integer formulas' values are far below 2^63 */
			v = c->int_div ? (double)(int64_t)(v / d) : v / d;
		} else
			return v;
	}
}

static double calc_expr(struct calc *c)
{
	double v = calc_term(c);

	for (;;) {
		if (calc_eat(c, '+'))
			v += calc_term(c);
		else if (calc_eat(c, '-'))
			v -= calc_term(c);
		else
			return v;
	}
}

static double calc_eval(const char *formula, const struct calc_var *vars, size_t n_vars,
			bool int_div)
{
	struct calc c = {
		.p = formula, .vars = vars, .n_vars = n_vars, .int_div = int_div, .ok = true};
	double v = calc_expr(&c);

	calc_skip(&c);
	if (!c.ok || *c.p)
		fail_msg("cannot evaluate the doc's formula \"%s\" (at \"%s\")", formula, c.p);
	return v;
}

/* --- Reading the docs ---------------------------------------------------- */

static char *doc_load(const char *rel)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TOP_SRCDIR, rel);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The lines of text from the line that starts with heading to the next
 * Markdown heading, copied. */
static char *doc_section(const char *text, const char *heading)
{
	const char *s = strstr(text, heading), *e;

	if (!s || (s != text && s[-1] != '\n')) {
		fail_msg("no section \"%s\"", heading);
		return NULL;
	}
	e = strstr(s + 1, "\n#");
	return strndup(s, e ? (size_t)(e - s + 1) : strlen(s));
}

/* Prose wraps where it likes: every run of blanks and newlines as one
 * space. */
static char *doc_flat(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p; p++) {
		bool blank = *p == ' ' || *p == '\t' || *p == '\n';

		if (!blank)
			*o++ = *p;
		else if (o > out && o[-1] != ' ')
			*o++ = ' ';
	}
	*o = '\0';
	return out;
}

/* The flattened text from the first occurrence of prefix on. */
static const char *doc_find(const char *flat, const char *prefix)
{
	const char *s = strstr(flat, prefix);

	if (!s)
		fail_msg("the doc no longer says \"%s...\"", prefix);
	return s;
}

static bool doc_gap(const char *p)
{
	return p[0] == ' ' && p[1] == ' ' && p[2] == ' ';
}

/* Where a statement may start: at a line's first non-blank, after a
 * backtick, or after a gap of three blanks (two statements on one line). */
static bool doc_statement_start(const char *text, const char *q)
{
	const char *b = q;

	if (q > text && q[-1] == '`')
		return true;
	if (q - text >= 3 && doc_gap(q - 3))
		return true;
	while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	return b == text || b[-1] == '\n';
}

/*
 * The right-hand side of the statement "name op ..." in text ("ulow = high +
 * headroom", "rate += ..."): it ends at a backtick, a gap of three blanks
 * (where a "(pages)" note or a second statement follows) or the end of the
 * line, unless a parenthesis is still open: then it goes on with the next
 * line's text.
 */
static void doc_formula(const char *text, const char *name, const char *op, char *buf, size_t size)
{
	size_t n = strlen(name), k = 0;
	int depth = 0;

	for (const char *q = text; (q = strstr(q, name)); q++) {
		const char *p = q + n;

		if (!doc_statement_start(text, q))
			continue;
		while (*p == ' ')
			p++;
		if (strncmp(p, op, strlen(op)) != 0 || p[strlen(op)] != ' ')
			continue;
		for (p += strlen(op); *p == ' '; p++)
			;
		for (; *p && *p != '`' && k + 2 < size; p++) {
			if (*p == '\n' || (*p == ' ' && doc_gap(p))) {
				if (depth == 0)
					break;
				while (*p == ' ' || *p == '\n' || *p == '\t')
					p++;
				buf[k++] = ' ';
			}
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			buf[k++] = *p;
		}
		while (k > 0 && buf[k - 1] == ' ')
			k--;
		buf[k] = '\0';
		return;
	}
	fail_msg("no formula \"%s %s ...\"", name, op);
}

static unsigned number_word(const char *w)
{
	static const char *const words[] = {"zero", "one",   "two",   "three", "four", "five",
					    "six",  "seven", "eight", "nine",  "ten"};

	for (unsigned i = 0; i < ELEMENTSOF(words); i++)
		if (strncmp(w, words[i], strlen(words[i])) == 0 &&
		    !isalpha((unsigned char)w[strlen(words[i])]))
			return i;
	fail_msg("not a number word: %.12s", w);
	return 0;
}

/* "0.5%" for 50 permyriad, as the docs and the config write shares. */
static void format_percent(uint32_t permyriad, char *buf, size_t size)
{
	snprintf(buf, size, "%g%%", permyriad / 100.0);
}

/* --- The daemon's defaults ------------------------------------------------ */

static struct watermark_params running_params(void)
{
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	struct watermark_params p;

	assert_non_null(c);
	conf_watermark_params(conf_reclaim(c), PAGE, &p);
	return p;
}

static uint64_t running_step_bytes(void)
{
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();

	assert_non_null(c);
	return conf_reclaim(c)->step_size_bytes;
}

/* --- design.md, "Userspace watermarks" ----------------------------------- */

struct wm_formulas {
	char headroom[256], ulow[128], uhigh[128];
};

static void wm_formulas(struct wm_formulas *f)
{
	char *doc = doc_load("docs/design.md");
	char *s = doc_section(doc, "### Userspace watermarks");

	doc_formula(s, "headroom", "=", f->headroom, sizeof(f->headroom));
	doc_formula(s, "ulow", "=", f->ulow, sizeof(f->ulow));
	doc_formula(s, "uhigh", "=", f->uhigh, sizeof(f->uhigh));
	free(s);
	free(doc);
}

/* The doc's three lines, in pages (its "(pages)" note: the byte bounds
 * divided by the page size), against watermark_zone(). */
static void check_wm_formulas(const struct wm_formulas *f, const struct watermark_params *p,
			      const struct zone_stat *z)
{
	struct calc_var v[] = {
		{"managed", (double)z->managed},
		{"high", (double)z->high},
		{"headroom_permyriad", p->headroom_permyriad},
		{"headroom_min_bytes", (double)(p->headroom_min_bytes / p->page_size)},
		{"headroom_max_bytes", (double)(p->headroom_max_bytes / p->page_size)},
		{"headroom", 0},
		{"ulow", 0},
	};
	struct zone_watermarks w;

	watermark_zone(z, p, &w);
	v[5].value = calc_eval(f->headroom, v, ELEMENTSOF(v), true);
	v[6].value = calc_eval(f->ulow, v, ELEMENTSOF(v), true);
	if (v[5].value != (double)w.headroom || v[6].value != (double)w.low ||
	    calc_eval(f->uhigh, v, ELEMENTSOF(v), true) != (double)w.high)
		fail_msg("managed %" PRIu64 " high %" PRIu64 ": the doc gives headroom %.0f "
			 "ulow %.0f uhigh %.0f, the code %" PRIu64 " %" PRIu64 " %" PRIu64,
			 z->managed, z->high, v[5].value, v[6].value,
			 calc_eval(f->uhigh, v, ELEMENTSOF(v), true), w.headroom, w.low, w.high);
}

static void test_design_watermark_formulas(void **state)
{
	static const struct zone_stat zones[] = {
		{.managed = 0, .high = 0},
		{.managed = 3976, .high = 20},	   /* DMA */
		{.managed = 239872, .high = 1510}, /* 1 GiB VM: the floor */
		{.managed = 500000, .high = 2000},
		{.managed = 4194304, .high = 12000},	/* 16 GiB: the share */
		{.managed = 268435456, .high = 602931}, /* 1 TiB: the cap */
		{.managed = 268435455, .high = 1},
	};
	struct watermark_params params[4];
	struct wm_formulas f;

	wm_formulas(&f);
	params[0] = running_params();
	params[1] = params[0];
	params[1].headroom_permyriad = 237;
	params[1].headroom_max_bytes = 64 * GIB;
	params[2] = params[0];
	params[2].headroom_min_bytes = 0;
	/* WatermarkHeadroom=64M: a size, the same for every zone. */
	params[3] = params[0];
	params[3].headroom_permyriad = 0;
	params[3].headroom_min_bytes = params[3].headroom_max_bytes = 64 * MIB;
	for (size_t i = 0; i < ELEMENTSOF(params); i++)
		for (size_t j = 0; j < ELEMENTSOF(zones); j++)
			check_wm_formulas(&f, &params[i], &zones[j]);
}

static void test_design_watermark_defaults(void **state)
{
	struct watermark_params p = running_params();
	char *doc = doc_load("docs/design.md");
	char *flat = doc_flat(doc);
	char pct[32], want[32];
	unsigned permyriad;
	uint64_t floor_mib, cap_gib;

	assert_int_equal(sscanf(doc_find(flat, "Defaults: "),
				"Defaults: %u permyriad (%31[^)]), floor %" SCNu64
				" MiB, cap %" SCNu64 " GiB per zone.",
				&permyriad, pct, &floor_mib, &cap_gib),
			 4);
	format_percent(p.headroom_permyriad, want, sizeof(want));
	assert_int_equal(permyriad, p.headroom_permyriad);
	assert_string_equal(pct, want);
	assert_int_equal(floor_mib * MIB, p.headroom_min_bytes);
	assert_int_equal(cap_gib * GIB, p.headroom_max_bytes);
	free(flat);
	free(doc);
}

/* One table cell: "~937 MiB", "4.7 MiB", "8 MiB (floor)". */
struct doc_size {
	double value;
	int decimals;
	uint64_t unit;
	char note[16];
};

static struct doc_size doc_size(const char *cell)
{
	static const struct {
		const char *name;
		uint64_t bytes;
	} units[] = {{"MiB", MIB}, {"GiB", GIB}, {"TiB", TIB}};
	struct doc_size s = {};
	const char *dot;
	char unit[8] = "";
	char *e;

	while (*cell == ' ' || *cell == '~')
		cell++;
	s.value = strtod(cell, &e);
	dot = memchr(cell, '.', (size_t)(e - cell));
	s.decimals = dot ? (int)(e - dot - 1) : 0;
	if (sscanf(e, " %7s (%15[^)])", unit, s.note) < 1)
		fail_msg("not a size: %s", cell);
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (streq(unit, units[i].name))
			s.unit = units[i].bytes;
	if (!s.unit)
		fail_msg("not a size: %s", cell);
	return s;
}

static uint64_t doc_size_pages(struct doc_size s)
{
	return (uint64_t)(s.value * (double)s.unit / PAGE);
}

/* The code's pages printed as the doc printed its figure. */
static void check_doc_size(const char *what, struct doc_size doc, uint64_t pages)
{
	char want[64], got[64];

	snprintf(want, sizeof(want), "%.*f", doc.decimals, doc.value);
	snprintf(got, sizeof(got), "%.*f", doc.decimals, (double)pages * PAGE / (double)doc.unit);
	if (!streq(want, got))
		fail_msg("%s: the doc says %s, the code gives %s", what, want, got);
}

/* | machine | zone managed | 0.5% | headroom | kernel high | ulow | uhigh | */
static void check_table_row(const char *row, const struct watermark_params *p)
{
	char cell[8][64];
	struct zone_stat z = {};
	struct zone_watermarks w;
	struct doc_size managed, share, headroom;
	const char *note;
	uint64_t unclamped;

	assert_int_equal(
		sscanf(row, "| %63[^|]| %*s %63[^|]| %63[^|]| %63[^|]| %63[^|]| %63[^|]| %63[^|]|",
		       cell[0], cell[1], cell[2], cell[3], cell[4], cell[5], cell[6]),
		7);
	managed = doc_size(cell[1]);
	share = doc_size(cell[2]);
	headroom = doc_size(cell[3]);
	z.managed = doc_size_pages(managed);
	z.high = doc_size_pages(doc_size(cell[4]));
	watermark_zone(&z, p, &w);
	unclamped = z.managed * p->headroom_permyriad / 10000;
	check_doc_size("the share", share, unclamped);
	check_doc_size("the headroom", headroom, w.headroom);
	note = w.headroom > unclamped ? "floor" : w.headroom < unclamped ? "cap" : "";
	if (!streq(headroom.note, note))
		fail_msg("%s: the doc says (%s), the code's headroom is at its %s", cell[0],
			 headroom.note, note[0] ? note : "share");
	check_doc_size("ulow", doc_size(cell[5]), w.low);
	check_doc_size("uhigh", doc_size(cell[6]), w.high);
}

static void test_design_watermark_table(void **state)
{
	struct watermark_params p = running_params();
	char *doc = doc_load("docs/design.md");
	char *s = doc_section(doc, "### Userspace watermarks");
	char header[64], pct[16];
	unsigned rows = 0;

	format_percent(p.headroom_permyriad, pct, sizeof(pct));
	snprintf(header, sizeof(header), "| machine | zone managed | %s | headroom |", pct);
	assert_non_null(strstr(s, header));
	/* The rows: "| 1 GiB VM | ...", not the header or the rule. */
	for (const char *l = s; (l = strstr(l, "\n| ")); l++)
		if (isdigit((unsigned char)l[3])) {
			check_table_row(l + 1, &p);
			rows++;
		}
	assert_true(rows > 0); /* the table is still where the parser looks */
	free(s);
	free(doc);
}

/* "interval = min + (max - min) * MIN(d, m) / m, i.e. 20 ms at the low mark,
 * rising linearly to 1 s at twice the low mark". */
static void test_design_monitor_interval(void **state)
{
	struct watermark_params p = running_params();
	char *doc = doc_load("docs/design.md");
	char *s = doc_section(doc, "### Userspace watermarks");
	char *flat = doc_flat(s);
	struct node_zoneinfo n = {.n_zones = 1};
	struct zone_watermarks w;
	unsigned min_ms, max_s;
	char f[256];

	doc_formula(s, "interval", "=", f, sizeof(f));
	n.zones[0] = (struct zone_stat){.managed = 500000, .high = 2000};
	watermark_zone(&n.zones[0], &p, &w);
	for (uint64_t d = 0; d <= 3 * w.low; d += w.low / 7) {
		const struct calc_var v[] = {
			{"min", (double)p.interval_min_usec},
			{"max", (double)p.interval_max_usec},
			{"d", (double)d},
			{"m", (double)w.low},
		};

		n.zones[0].free = w.low + d;
		assert_int_equal((uint64_t)calc_eval(f, v, ELEMENTSOF(v), true),
				 watermark_monitor_interval_usec(&n, WATERMARK_ZONEIDX_ALL, &p));
	}
	assert_int_equal(
		sscanf(doc_find(flat, "i.e. "),
		       "i.e. %u ms at the low mark, rising linearly to %u s at twice the low mark",
		       &min_ms, &max_s),
		2);
	assert_int_equal(min_ms * UINT64_C(1000), p.interval_min_usec);
	assert_int_equal(max_s * UINT64_C(1000000), p.interval_max_usec);
	free(flat);
	free(s);
	free(doc);
}

/* --- design.md, "Pacing" ------------------------------------------------- */

struct pace_formulas {
	char rate_avg[256], rate_floor[128], lead[128], ulow[128];
};

static char *pace_section(struct pace_formulas *f)
{
	char *doc = doc_load("docs/design.md");
	char *s = doc_section(doc, "### Pacing");

	doc_formula(s, "rate", "+=", f->rate_avg, sizeof(f->rate_avg));
	doc_formula(s, "rate", "=", f->rate_floor, sizeof(f->rate_floor));
	doc_formula(s, "lead", "=", f->lead, sizeof(f->lead));
	doc_formula(s, "ulow'", "=", f->ulow, sizeof(f->ulow));
	free(doc);
	return s;
}

/* One monitor sample: the doc's rate and lead against balance_pace_update(),
 * with dt in seconds (the doc's "1 s" and "250 ms" are times). */
static void check_pace_sample(const struct pace_formulas *f, uint64_t dt_usec, uint64_t free_before,
			      uint64_t free_now, uint64_t reclaimed_since, double rate_before)
{
	struct balance_node b = {};
	struct balance_params bp;
	struct node_zoneinfo n = {.n_zones = 1};
	struct zone_watermarks w;
	double rate, lead;

	balance_params_init(&bp);
	bp.wmark = running_params();
	n.zones[0] = (struct zone_stat){.managed = 239872, .high = 1510, .free = free_now};
	watermark_zone(&n.zones[0], &bp.wmark, &w);
	b.pace = (struct balance_pace){.last_usec = 1000000,
				       .last_free = free_before,
				       .last_reclaimed = 7,
				       .rate = rate_before};
	/* "our writes = the node's runs' (less what they took from other
	 * nodes) + others'": a third of what was reclaimed since by
	 * offload, the rest by the node's runs, which also took 5 pages and
	 * a quarter more from other nodes. */
	b.counters.reclaimed_bytes[DEF_PRIORITY] =
		(7 + reclaimed_since - reclaimed_since / 3 + 5 + reclaimed_since / 4) * PAGE;
	b.counters.reclaimed_elsewhere_bytes = (5 + reclaimed_since / 4) * PAGE;
	balance_pace_update(&b, &bp, &n, reclaimed_since / 3 * PAGE, 1000000 + dt_usec);

	/* "consumed = (free before - free now) + (pages our writes reclaimed
	 * since)" */
	struct calc_var v[] = {
		{"dt", (double)dt_usec / 1e6},
		{"consumed", (double)free_before - (double)free_now + (double)reclaimed_since},
		{"rate", rate_before},
		{"cap", (double)(w.headroom * WATERMARK_PACE_MAX_HEADROOMS)},
	};
	rate = rate_before + calc_eval(f->rate_avg, v, ELEMENTSOF(v), false);
	v[2].value = rate;
	rate = calc_eval(f->rate_floor, v, ELEMENTSOF(v), false);
	v[2].value = rate;
	lead = calc_eval(f->lead, v, ELEMENTSOF(v), false);
	if (b.pace.rate - rate > 1e-6 * MAX(1.0, rate) ||
	    rate - b.pace.rate > 1e-6 * MAX(1.0, -rate) || b.pace.pages != (uint64_t)lead)
		fail_msg("dt %" PRIu64
			 " us: the doc gives rate %.3f lead %.0f, the code %.3f %" PRIu64,
			 dt_usec, rate, lead, b.pace.rate, b.pace.pages);
}

static void test_design_pacing(void **state)
{
	struct pace_formulas f;
	char *s = pace_section(&f);

	check_pace_sample(&f, 20000, 100000, 99500, 0, 0);	  /* 25000 pages/s used */
	check_pace_sample(&f, 100000, 100000, 100000, 3000, 500); /* our own reclaim is use */
	check_pace_sample(&f, 100000, 90000, 190000, 0, 0);	  /* given back: floored */
	check_pace_sample(&f, 50000, 100000, 100000, 0, 40000);	  /* decaying */
	check_pace_sample(&f, 250000, 200000, 100001, 0, 0);	  /* past the cap */
	assert_non_null(strstr(
		s, "consumed = (free before - free now) + (pages our writes reclaimed since)"));
	assert_non_null(strstr(s, "our writes = the node's runs' (less what they took from other"));
	free(s);
}

/* "ulow' = ulow + MIN(lead, 4 * headroom)    uhigh' = uhigh + the same" */
static void test_design_paced_marks(void **state)
{
	struct watermark_params p = running_params();
	struct zone_stat z = {.managed = 239872, .high = 1510};
	struct zone_watermarks w0;
	struct pace_formulas f;
	char *s = pace_section(&f);

	watermark_zone(&z, &p, &w0);
	for (uint64_t lead = 0; lead < 6 * w0.headroom; lead += w0.headroom / 3 + 1) {
		const struct calc_var v[] = {
			{"ulow", (double)w0.low},
			{"lead", (double)lead},
			{"headroom", (double)w0.headroom},
		};
		struct watermark_params pp = p;
		struct zone_watermarks w;

		pp.pace_pages = lead;
		watermark_zone(&z, &pp, &w);
		assert_int_equal((uint64_t)calc_eval(f.ulow, v, ELEMENTSOF(v), true), w.low);
		assert_int_equal(w.high - w0.high, w.low - w0.low);
	}
	assert_non_null(strstr(s, "uhigh' = uhigh + the same"));
	free(s);
}

/* "The cap (4 headrooms, 32 MiB per zone at the 8 MiB floor)"; "the band
 * from ulow to uhigh is half a headroom, 4 MiB per zone on a small machine" */
static void test_design_pacing_prose(void **state)
{
	struct watermark_params p = running_params();
	struct pace_formulas f;
	char *s = pace_section(&f);
	char *flat = doc_flat(s);
	unsigned n, cap_mib, floor_mib, band_mib;

	assert_int_equal(sscanf(doc_find(flat, "The cap ("),
				"The cap (%u headrooms, %u MiB per zone at the %u MiB floor)", &n,
				&cap_mib, &floor_mib),
			 3);
	assert_int_equal(n, WATERMARK_PACE_MAX_HEADROOMS);
	assert_int_equal(floor_mib * MIB, p.headroom_min_bytes);
	assert_int_equal(cap_mib * MIB, WATERMARK_PACE_MAX_HEADROOMS * p.headroom_min_bytes);
	assert_int_equal(sscanf(doc_find(flat, "the band from ulow to uhigh is half a headroom, "),
				"the band from ulow to uhigh is half a headroom, %u MiB per zone",
				&band_mib),
			 1);
	assert_int_equal(band_mib * MIB, p.headroom_min_bytes / 2);
	free(flat);
	free(s);
}

/* "pass = CLAMP(want, 32 pages (SWAP_CLUSTER_MAX), step_bytes)" and the
 * step's default. */
static void test_design_pass(void **state)
{
	char *doc = doc_load("docs/design.md");
	char *s = doc_section(doc, "### Per-pass amount");
	char *flat = doc_flat(s);
	unsigned cluster, step_mib;

	assert_int_equal(sscanf(doc_find(flat, "pass = CLAMP("),
				"pass = CLAMP(want, %u pages (SWAP_CLUSTER_MAX), step_bytes)",
				&cluster),
			 1);
	assert_int_equal(cluster, BALANCE_CLUSTER_PAGES);
	assert_int_equal(sscanf(doc_find(flat, "`step_bytes` (`StepSize=`, "),
				"`step_bytes` (`StepSize=`, %u MiB by default", &step_mib),
			 1);
	assert_int_equal(step_mib * MIB, running_step_bytes());
	free(flat);
	free(s);
	free(doc);
}

/* --- reclaimd(8), protocol.md, WatermarkHeadroom='s help ------------------ */

/* Both userspace marks as reclaimd(8) and the help word them: low = kernel
 * high + headroom, high = kernel high + one and a half headrooms. */
static void check_marks_in_words(const struct watermark_params *p)
{
	static const uint64_t managed[] = {3976, 239872, 4194304, 268435456};

	for (size_t i = 0; i < ELEMENTSOF(managed); i++) {
		struct zone_stat z = {.managed = managed[i], .high = 777};
		struct zone_watermarks w;

		watermark_zone(&z, p, &w);
		assert_int_equal(w.low - z.high, w.headroom);
		/* 1.5 headrooms, to the page below */
		assert_int_equal(w.high - z.high, w.headroom * 3 / 2);
	}
}

static void test_man_page(void **state)
{
	struct watermark_params p = running_params();
	char *doc = doc_load("docs/reclaimd.8.scd");
	char *flat = doc_flat(doc);
	char word[16];
	unsigned lead_ms;

	assert_non_null(strstr(flat,
			       "low is the kernel's high watermark plus *WatermarkHeadroom=*, "
			       "high is the kernel's high plus one and a half times that"));
	check_marks_in_words(&p);
	assert_int_equal(sscanf(doc_find(flat, "marks rise by what "),
				"marks rise by what %u ms of the measured use takes (at most %15s "
				"headrooms a zone",
				&lead_ms, word),
			 2);
	assert_int_equal(lead_ms * UINT64_C(1000), BALANCE_PACE_LEAD_USEC);
	assert_int_equal(number_word(word), WATERMARK_PACE_MAX_HEADROOMS);
	free(flat);
	free(doc);
}

static void test_protocol_pace(void **state)
{
	char *doc = doc_load("docs/protocol.md");
	char *flat = doc_flat(doc);
	unsigned n;

	assert_int_equal(sscanf(doc_find(flat, "(capped per zone at "),
				"(capped per zone at %u headrooms)", &n),
			 1);
	assert_int_equal(n, WATERMARK_PACE_MAX_HEADROOMS);
	free(flat);
	free(doc);
}

/* The help text of the config key named name (any section). */
static const char *item_help(const char *name)
{
	for (size_t i = 0; i < conf_n_items; i++)
		if (streq(conf_items[i].name, name))
			return conf_items[i].help;
	fail_msg("no config key %s", name);
	return NULL;
}

/* The numbers of WatermarkHeadroom='s help that test-conf's
 * test_headroom_doc does not check: the floor, the default as a multiple
 * of the kernel's gap, and the unclamped shares of its two examples. */
static void test_headroom_help(void **state)
{
	struct watermark_params p = running_params();
	const char *help = NULL;
	char pct[16], want[16], times[16];
	unsigned floor_mib, wsf, vm_mib, host_gib;

	help = item_help("WatermarkHeadroom");
	assert_int_equal(sscanf(doc_find(help, "at least "),
				"at least %uM and at most WatermarkHeadroomMax", &floor_mib),
			 1);
	assert_int_equal(floor_mib * MIB, p.headroom_min_bytes);
	assert_int_equal(
		sscanf(doc_find(help, "The default "),
		       "The default %15s (%15s times the kernel's default low-to-high gap, "
		       "watermark_scale_factor=%u)",
		       pct, times, &wsf),
		3);
	format_percent(p.headroom_permyriad, want, sizeof(want));
	assert_string_equal(pct, want);
	/* watermark_scale_factor is in permyriad of managed, as ours. */
	assert_int_equal(number_word(times) * wsf, p.headroom_permyriad);
	assert_int_equal(
		sscanf(doc_find(help, "(the floor; "), "(the floor; %*s would be %uM)", &vm_mib),
		1);
	assert_int_equal(vm_mib,
			 (GIB / PAGE * p.headroom_permyriad / 10000 * PAGE + MIB / 2) / MIB);
	assert_int_equal(
		sscanf(doc_find(help, "(the cap; "), "(the cap; %*s would be %uG)", &host_gib), 1);
	assert_int_equal(host_gib,
			 (TIB / PAGE * p.headroom_permyriad / 10000 * PAGE + GIB / 2) / GIB);
	check_marks_in_words(&p);
}

/* Pages of file on the node at which a cgroup of weight w is reached at
 * priority prio, and one fewer is not. */
static void check_reach_at(uint64_t pages, unsigned weight, unsigned prio)
{
	const struct target_params p = { .page_bytes = PAGE };
	struct target_candidate c = { .node_file_bytes = pages * PAGE, .weight = weight };

	assert_int_equal(target_reach(&c, &p), prio);
	c.node_file_bytes -= PAGE;
	assert_true(target_reach(&c, &p) < prio);
}

/* The spread's reach (issue 15) as design.md, reclaimd(8) and Weight='s
 * help put it in numbers, against target_reach(). */
static void test_reach_docs(void **state)
{
	char *doc = doc_load("docs/design.md");
	char *sec = doc_section(doc, "### Which cgroups a pass takes from");
	char *flat = doc_flat(sec), *man = doc_load("docs/reclaimd.8.scd"), *mflat = doc_flat(man);
	const struct target_params p = { .page_bytes = PAGE };
	struct target_candidate c = { 0 };
	const char *help = NULL;
	unsigned pages, mib, w, prio, half, pages200;

	assert_int_equal(sscanf(doc_find(flat, "at `DEF_PRIORITY` a memcg with under "),
				"at `DEF_PRIORITY` a memcg with under %u pages (%u MiB)", &pages, &mib),
			 2);
	check_reach_at(pages, 0, DEF_PRIORITY);
	assert_int_equal((uint64_t)mib * MIB, (uint64_t)pages * PAGE);
	assert_int_equal(sscanf(doc_find(flat, "a cgroup with "),
				"a cgroup with %u MiB of file split evenly between its lists is "
				"reached at %u here, at %u by",
				&mib, &prio, &half),
			 3);
	c.node_file_bytes = (uint64_t)mib * MIB;
	assert_int_equal(target_reach(&c, &p), prio);
	c.node_file_bytes /= 2; /* one list */
	assert_int_equal(target_reach(&c, &p), half);
	assert_int_equal(sscanf(doc_find(flat, "share: at "),
				"share: at %u a %u MiB cgroup is reached at `DEF_PRIORITY`, at 1 "
				"only at priority %u",
				&w, &mib, &prio),
			 3);
	c = (struct target_candidate){ .node_file_bytes = (uint64_t)mib * MIB, .weight = w };
	assert_int_equal(target_reach(&c, &p), DEF_PRIORITY);
	c.weight = 1;
	assert_int_equal(target_reach(&c, &p), prio);

	assert_int_equal(sscanf(doc_find(mflat, "only from those with "),
				"only from those with %u pages (%u MiB with 4 KiB pages)", &pages,
				&mib),
			 2);
	check_reach_at(pages, 0, DEF_PRIORITY);
	assert_int_equal((uint64_t)mib * MIB, (uint64_t)pages * PAGE);

	help = item_help("Weight");
	assert_int_equal(sscanf(doc_find(help, "takes from cgroups with "),
				"takes from cgroups with %u pages", &pages),
			 1);
	check_reach_at(pages, 0, DEF_PRIORITY);
	assert_int_equal(sscanf(doc_find(help, "at 200, from "), "at 200, from %u pages",
				&pages200),
			 1);
	check_reach_at(pages200, 200, DEF_PRIORITY);
	free(mflat);
	free(man);
	free(flat);
	free(sec);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_watermark_formulas),
		cmocka_unit_test(test_design_watermark_defaults),
		cmocka_unit_test(test_design_watermark_table),
		cmocka_unit_test(test_design_monitor_interval),
		cmocka_unit_test(test_design_pacing),
		cmocka_unit_test(test_design_paced_marks),
		cmocka_unit_test(test_design_pacing_prose),
		cmocka_unit_test(test_design_pass),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_protocol_pace),
		cmocka_unit_test(test_headroom_help),
		cmocka_unit_test(test_reach_docs),
	};

	return cmocka_run_group_tests_name("docs", tests, NULL, NULL);
}
