/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Table-driven configuration (oomd's ConfigTableItem, tmux's options-table).
 *
 * Grammar (inih, Debian's libinih 55):
 *	file    = { line "\n" }
 *	line    = blank | comment | "[" section "]" | key ( "=" | ":" ) value
 *	comment = ( "#" | ";" ) text          inline: " ;" text
 *	section = "Reclaim" | "Control" | "Node " N | "CGroup " PATTERN
 * Lines are at most 198 bytes (inih's INI_MAX_LINE is 200 with "\n\0").
 * An empty value resets a key to its default. Keys and sections are
 * case-sensitive, as in systemd's unit files.
 *
 * Debian's libinih is built without INI_HANDLER_LINENO, so the handler is
 * not told the line: conf_parse_buffer() feeds ini_parse_stream() through
 * its own reader, which counts lines. inih handles each line completely
 * before it asks for the next, so the count is the handler's line.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "backend.h"
#include "conf-internal.h"
#include "log.h"
#include "offload.h"
#include "target.h"
#include "util.h"
#include "watermark.h"

/* Upper bound on one config file: far above any sane config, low enough
 * that a wrong path (a disk image) fails fast. */
#define CONF_FILE_MAX_BYTES (UINT64_C(1) << 20)
/* conf_read_file(): the path is not a regular file or directory. */
#define EFTYPE_CONF EBADFD



struct conf_source {
	enum conf_source_kind kind;
	const char *file; /* interned in conf->files */
	unsigned line;
	uint64_t seq; /* assignment order, for "last wins" across sections */
};

struct conf_node {
	unsigned node;
	struct conf_reclaim values;
	struct conf_source src[CONF_ITEMS_MAX]; /* DEFAULT: not overridden */
};

struct conf_cgroup {
	char *pattern;
	struct conf_cgroup_policy values;
	struct conf_source src[CONF_ITEMS_MAX];
};

struct conf {
	struct conf_reclaim reclaim;
	struct conf_control control;
	struct conf_source src[CONF_ITEMS_MAX];
	struct conf_node *nodes;
	size_t n_nodes;
	struct conf_cgroup *cgroups;
	size_t n_cgroups;
	char **files;
	size_t n_files;
	char **warnings;
	size_t n_warnings;
	char *main_path;
	char **dropin_dirs; /* in precedence order */
	size_t n_dropin_dirs;
	uint64_t seq;
};


static const char *const conf_section_names[_CONF_SECTION_MAX] = {
	[CONF_SECTION_RECLAIM] = "Reclaim",
	[CONF_SECTION_NODE] = "Node",
	[CONF_SECTION_CGROUP] = "CGroup",
	[CONF_SECTION_CONTROL] = "Control",
};


const char *conf_section_name(enum conf_section s)
{
	return s < _CONF_SECTION_MAX ? conf_section_names[s] : NULL;
}


/* ---- the object ----------------------------------------------------- */

static size_t conf_item_index(const struct conf_item *item)
{
	return (size_t)(item - conf_items);
}

static const struct conf_item *conf_find_item(enum conf_section section, const char *name)
{
	if (section == CONF_SECTION_NODE)
		section = CONF_SECTION_RECLAIM;
	for (size_t i = 0; i < conf_n_items; i++)
		if (conf_items[i].section == section && streq(conf_items[i].name, name))
			return &conf_items[i];
	return NULL;
}

/* Defaults are the same text a file would hold, parsed by the same code. */
static int conf_init_section(enum conf_section section, void *base)
{
	char msg[CONF_MSG_MAX];

	for (size_t i = 0; i < conf_n_items; i++) {
		union conf_value v;
		int r;

		if (conf_items[i].section != section)
			continue;
		r = conf_value_parse(&conf_items[i], conf_items[i].default_value, &v, msg,
				     sizeof(msg));
		if (r < 0)
			return r;
		conf_value_store(&conf_items[i], base, &v);
	}
	return 0;
}

static void conf_control_done(struct conf_control *c)
{
	free(c->socket);
	free(c->admin_group);
	free(c->metrics_file);
}

struct conf *conf_free(struct conf *conf)
{
	if (!conf)
		return NULL;
	conf_control_done(&conf->control);
	free(conf->nodes);
	for (size_t i = 0; i < conf->n_cgroups; i++)
		free(conf->cgroups[i].pattern);
	free(conf->cgroups);
	for (size_t i = 0; i < conf->n_files; i++)
		free(conf->files[i]);
	free(conf->files);
	for (size_t i = 0; i < conf->n_warnings; i++)
		free(conf->warnings[i]);
	free(conf->warnings);
	free(conf->main_path);
	for (size_t i = 0; i < conf->n_dropin_dirs; i++)
		free(conf->dropin_dirs[i]);
	free(conf->dropin_dirs);
	free(conf);
	return NULL;
}

struct conf *conf_new_defaults(void)
{
	_cleanup_conf_free_ struct conf *conf = calloc(1, sizeof(*conf));

	if (!conf)
		return NULL;
	if (conf_init_section(CONF_SECTION_RECLAIM, &conf->reclaim) < 0 ||
	    conf_init_section(CONF_SECTION_CONTROL, &conf->control) < 0)
		return NULL;
	return TAKE_PTR(conf);
}

static int conf_add_warning(struct conf *conf, const char *fmt, ...) _printf_(2, 3);
static int conf_add_warning(struct conf *conf, const char *fmt, ...)
{
	char **w;
	va_list ap;
	int k;

	w = realloc(conf->warnings, (conf->n_warnings + 1) * sizeof(char *));
	if (!w)
		return -ENOMEM;
	conf->warnings = w;
	va_start(ap, fmt);
	k = vasprintf(&w[conf->n_warnings], fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	conf->n_warnings++;
	return 0;
}

static const char *conf_intern_file(struct conf *conf, const char *name)
{
	char **f;

	for (size_t i = 0; i < conf->n_files; i++)
		if (streq(conf->files[i], name))
			return conf->files[i];
	f = realloc(conf->files, (conf->n_files + 1) * sizeof(char *));
	if (!f)
		return NULL;
	conf->files = f;
	f[conf->n_files] = strdup(name);
	if (!f[conf->n_files])
		return NULL;
	return f[conf->n_files++];
}

static struct conf_node *conf_get_node(struct conf *conf, unsigned node, bool create)
{
	struct conf_node *n;

	for (size_t i = 0; i < conf->n_nodes; i++)
		if (conf->nodes[i].node == node)
			return &conf->nodes[i];
	if (!create)
		return NULL;
	n = realloc(conf->nodes, (conf->n_nodes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	conf->nodes = n;
	n = &n[conf->n_nodes++];
	*n = (struct conf_node){ .node = node };
	return n;
}

static struct conf_cgroup *conf_get_cgroup(struct conf *conf, const char *pattern, bool create)
{
	struct conf_cgroup *c;

	for (size_t i = 0; i < conf->n_cgroups; i++)
		if (streq(conf->cgroups[i].pattern, pattern))
			return &conf->cgroups[i];
	if (!create)
		return NULL;
	c = realloc(conf->cgroups, (conf->n_cgroups + 1) * sizeof(*c));
	if (!c)
		return NULL;
	conf->cgroups = c;
	c = &c[conf->n_cgroups];
	*c = (struct conf_cgroup){ .pattern = strdup(pattern) };
	if (!c->pattern || conf_init_section(CONF_SECTION_CGROUP, &c->values) < 0) {
		free(c->pattern);
		return NULL;
	}
	conf->n_cgroups++;
	return c;
}

/* A cgroup glob: relative to the cgroup root, no "." or ".." component, no
 * empty component, brackets closed. Checked here because fnmatch() treats
 * a broken pattern as "no match" rather than an error. */
static int conf_check_pattern(const char *p, char *msg, size_t msglen)
{
	const char *why = NULL;
	bool in_bracket = false;

	if (streq(p, "/"))
		return 0; /* the root cgroup */
	if (p[0] == '\0')
		why = "empty pattern";
	else if (strstr(p, "//") || p[strlen(p) - 1] == '/')
		why = "empty path component";
	else if (streq(p, "..") || startswith(p, "../") || strstr(p, "/../") ||
		 (strlen(p) >= 3 && streq(p + strlen(p) - 3, "/..")) || streq(p, ".") ||
		 startswith(p, "./") || strstr(p, "/./"))
		why = "\".\" or \"..\" component";
	for (const char *c = p; !why && *c; c++) {
		if (*c == '\\' && c[1])
			c++;
		else if (*c == '[' && !in_bracket) {
			in_bracket = true;
			/* "[]...]" and "[!]...]": a leading ']' is literal. */
			if (c[1] == '!' || c[1] == '^')
				c++;
			if (c[1] == ']')
				c++;
		} else if (*c == ']' && in_bracket)
			in_bracket = false;
		else if (*c == '/' && in_bracket)
			why = "'/' inside [...]";
	}
	if (!why && in_bracket)
		why = "unterminated '[' (a section header ends at the first ']', so [...] "
		      "classes cannot be used)";
	if (why) {
		snprintf(msg, msglen, "[CGroup %s]: invalid cgroup pattern: %s", p, why);
		return -EINVAL;
	}
	return 0;
}

/* Where one [Section] resolves to: the struct and the sources to update. */
struct conf_target {
	enum conf_section section;
	void *base;
	struct conf_source *src;
	unsigned node;
};

static int conf_node_number(const char *s, unsigned *ret, char *msg, size_t msglen)
{
	unsigned n;

	if (safe_atou(s, &n) < 0 || n > CONF_NODE_MAX) {
		snprintf(msg, msglen, "[Node %s]: invalid node number; expected an integer from 0 to %u",
			 s, CONF_NODE_MAX);
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

/* "/web.slice" and "web.slice" name the same cgroup; "/" is the root. */
static const char *conf_cgroup_pattern(const char *section)
{
	const char *pattern = section + strlen("CGroup ");

	while (*pattern == '/' && pattern[1])
		pattern++;
	return pattern;
}

/* Check a section header's name: 1 known, 0 unknown, -EINVAL (msg set) for
 * a known kind with a bad argument. Creates nothing. */
static int conf_check_section(const char *section, char *msg, size_t msglen)
{
	unsigned node;

	if (streq(section, "Reclaim") || streq(section, "Control"))
		return 1;
	if (startswith(section, "Node "))
		return conf_node_number(section + 5, &node, msg, msglen) < 0 ? -EINVAL : 1;
	if (startswith(section, "CGroup "))
		return conf_check_pattern(conf_cgroup_pattern(section), msg, msglen) < 0 ? -EINVAL : 1;
	return 0;
}

/*
 * Resolve a section header. Returns 1 and fills *t, 0 if the section is
 * unknown, or -EINVAL (msg set) for a known kind with a bad argument.
 */
static int conf_resolve_section(struct conf *conf, const char *section, struct conf_target *t,
				char *msg, size_t msglen)
{
	int r;

	if (streq(section, "Reclaim")) {
		*t = (struct conf_target){ CONF_SECTION_RECLAIM, &conf->reclaim, conf->src, 0 };
		return 1;
	}
	if (streq(section, "Control")) {
		*t = (struct conf_target){ CONF_SECTION_CONTROL, &conf->control, conf->src, 0 };
		return 1;
	}
	if (startswith(section, "Node ")) {
		struct conf_node *n;
		unsigned node;

		r = conf_node_number(section + 5, &node, msg, msglen);
		if (r < 0)
			return r;
		n = conf_get_node(conf, node, /* create= */ true);
		if (!n)
			return -ENOMEM;
		*t = (struct conf_target){ CONF_SECTION_NODE, &n->values, n->src, node };
		return 1;
	}
	if (startswith(section, "CGroup ")) {
		const char *pattern = conf_cgroup_pattern(section);
		struct conf_cgroup *c;

		r = conf_check_pattern(pattern, msg, msglen);
		if (r < 0)
			return r;
		c = conf_get_cgroup(conf, pattern, /* create= */ true);
		if (!c)
			return -ENOMEM;
		*t = (struct conf_target){ CONF_SECTION_CGROUP, &c->values, c->src, 0 };
		return 1;
	}
	return 0;
}

static void conf_format_source(const struct conf_source *s, char *buf, size_t size)
{
	switch (s->kind) {
	case CONF_SOURCE_FILE:
		snprintf(buf, size, "%s:%u", s->file, s->line);
		break;
	case CONF_SOURCE_RUNTIME:
		snprintf(buf, size, "runtime");
		break;
	case CONF_SOURCE_CMDLINE:
		snprintf(buf, size, "command line");
		break;
	default:
		snprintf(buf, size, "default");
	}
}

/* ---- files ----------------------------------------------------------- */

struct conf_parser {
	struct conf *conf;
	const char *file; /* interned */
	const char *text;
	size_t len, pos;
	unsigned line;
	unsigned section_line; /* of the last "[...]" header */
	char section[256];     /* its name, see conf_reader_header() */
	bool section_known;
	bool warned_outside;
	int r;		 /* first error */
	unsigned err_line;
	char *err;
	size_t errlen;
};

static void conf_parser_fail_at(struct conf_parser *p, unsigned line, int r, const char *fmt,
				...) _printf_(4, 5);
static void conf_parser_fail_at(struct conf_parser *p, unsigned line, int r, const char *fmt,
				...)
{
	char msg[CONF_MSG_MAX];
	va_list ap;

	if (p->r < 0)
		return; /* the first error is the one reported */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->r = r;
	p->err_line = line;
	snprintf(p->err, p->errlen, "%s:%u: %s", p->file, line, msg);
}

#define conf_parser_fail(p, r, ...) conf_parser_fail_at(p, (p)->line, r, __VA_ARGS__)

/*
 * A "[Name]" line: inih copies section names into a 50-byte buffer and
 * silently truncates longer ones, which would turn a long [CGroup PATTERN]
 * into another pattern. So the reader keeps the name itself, checks it
 * here (at its own line, also when no key follows) and hands inih a
 * one-byte stand-in, "[\001]".
 */
static void conf_reader_header(struct conf_parser *p, char *str)
{
	char *open = str + strspn(str, " \t"), *close = strchr(open, ']');
	char msg[CONF_MSG_MAX];
	int r;

	if (!close)
		return; /* inih reports the syntax error */
	snprintf(p->section, sizeof(p->section), "%.*s", (int)(close - open - 1), open + 1);
	p->section_line = p->line;
	r = conf_check_section(p->section, msg, sizeof(msg));
	if (r < 0)
		conf_parser_fail(p, r, "%s", msg);
	else if (r == 0 && conf_add_warning(p->conf, "%s:%u: unknown section [%s], ignoring",
					    p->file, p->line, p->section) < 0)
		conf_parser_fail(p, -ENOMEM, "out of memory");
	p->section_known = r > 0;
	strcpy(str, "[\001]");
}

/* fgets() over the buffer, counting lines; see the comment at the top. */
static char *conf_reader(char *str, int num, void *stream)
{
	struct conf_parser *p = stream;
	const char *start, *nl;
	size_t n;

	if (p->pos >= p->len || num < 8)
		return NULL;
	start = p->text + p->pos;
	nl = memchr(start, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - start) : p->len - p->pos;
	p->pos += n + (nl ? 1 : 0);
	p->line++;
	str[0] = '\0';
	if (memchr(start, '\0', n))
		conf_parser_fail(p, -EINVAL, "NUL byte in line");
	else if (n + 2 > (size_t)num)
		conf_parser_fail(p, -EINVAL, "line too long (%zu bytes, at most %d)", n, num - 2);
	else {
		memcpy(str, start, n);
		str[n] = '\0';
		if (str[strspn(str, " \t")] == '[')
			conf_reader_header(p, str);
	}
	return str;
}

static int conf_assign(struct conf *conf, const struct conf_target *t,
		       const struct conf_item *item, const char *value,
		       const struct conf_source *source, char *msg, size_t msglen)
{
	struct conf_source *src = &t->src[conf_item_index(item)];
	union conf_value v;
	int r;

	r = conf_value_parse(item, value, &v, msg, msglen);
	if (r < 0)
		return r;
	conf_value_store(item, t->base, &v);
	*src = *source;
	src->seq = ++conf->seq;
	return 0;
}

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parser *p = user;
	const struct conf_item *item;
	struct conf_target t;
	char msg[CONF_MSG_MAX];
	int r;

	if (p->r < 0)
		return 1; /* keep inih going; only the first error is reported */

	if (section[0] == '\0') {
		/* One warning per run of keys before the first header. */
		if (!p->warned_outside &&
		    conf_add_warning(p->conf, "%s:%u: %s= outside of a section, ignoring", p->file,
				     p->line, name) < 0)
			conf_parser_fail(p, -ENOMEM, "out of memory");
		p->warned_outside = true;
		return 1;
	}
	if (!p->section_known)
		return 1; /* warned about at the header */
	section = p->section;
	r = conf_resolve_section(p->conf, section, &t, msg, sizeof(msg));
	if (r <= 0) {
		/* Checked at the header already: only -ENOMEM is left. */
		conf_parser_fail(p, r < 0 ? r : -EINVAL, "%s", r == -ENOMEM ? "out of memory" : msg);
		return 1;
	}

	item = conf_find_item(t.section, name);
	if (!item || (t.section == CONF_SECTION_NODE && !item->per_node)) {
		r = conf_add_warning(p->conf, "%s:%u: unknown key %s= in [%s]%s, ignoring", p->file,
				     p->line, name, section,
				     item ? " (not a per-node key)" : "");
		if (r < 0)
			conf_parser_fail(p, r, "out of memory");
		return 1;
	}

	{
		const struct conf_source *old = &t.src[conf_item_index(item)];
		if (old->kind == CONF_SOURCE_FILE && old->file == p->file) {
			r = conf_add_warning(p->conf,
					     "%s:%u: %s= in [%s] was already set on line %u, "
					     "the last assignment wins",
					     p->file, p->line, name, section, old->line);
			if (r < 0)
				conf_parser_fail(p, r, "out of memory");
		}
	}

	r = conf_assign(p->conf, &t, item, value,
			&(struct conf_source){ CONF_SOURCE_FILE, p->file, p->line, 0 }, msg,
			sizeof(msg));
	if (r < 0)
		conf_parser_fail(p, r, "%s", r == -ENOMEM ? "out of memory" : msg);
	return 1;
}

static int conf_parse_buffer(struct conf *conf, const char *name, const char *text, size_t len,
			     char *err, size_t errlen)
{
	struct conf_parser p = {
		.conf = conf, .text = text, .len = len, .err = err, .errlen = errlen,
	};
	int k;

	p.file = conf_intern_file(conf, name);
	if (!p.file)
		return -ENOMEM;
	/* A line starting with white space is an ordinary line, not the
	 * continuation of the previous value (inih's multi-line mode would
	 * call the handler again with the same key). */
	ini_allow_multiline = false;
	k = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (k > 0 && (p.r >= 0 || (unsigned)k < p.err_line)) {
		p.r = 0;
		p.line = (unsigned)k;
		conf_parser_fail(&p, -EINVAL,
				 "syntax error: expected [Section], Key=Value, or a comment");
	} else if (k < 0 && p.r >= 0)
		conf_parser_fail(&p, -ENOMEM, "out of memory");
	return p.r < 0 ? p.r : 0;
}

static int conf_read_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	/* O_NONBLOCK: opening a FIFO without a writer would block the main
	 * loop (a reload) or --check-config; the type is checked right after. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EFTYPE_CONF;
	if ((uint64_t)st.st_size > CONF_FILE_MAX_BYTES)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 2);
	if (!buf)
		return -ENOMEM;
	n = pread_file(fd, buf, (size_t)st.st_size + 2);
	if (n < 0)
		return (int)n;
	*ret_len = (size_t)n;
	*ret = TAKE_PTR(buf);
	return 0;
}

static int conf_parse_file(struct conf *conf, const char *path, bool required, char *err,
			   size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = conf_read_file(path, &text, &len);
	if (r == -ENOENT && !required)
		return 0;
	if (r == -EFTYPE_CONF) {
		snprintf(err, errlen, "%s: not a regular file (a FIFO, socket or device); "
			 "a config file must be a regular file", path);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	return conf_parse_buffer(conf, path, text, len, err, errlen);
}

static int conf_dropin_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".conf");
}

/* One drop-in: its name, and the directory it is read from. */
struct conf_dropin {
	char *name;
	const char *dir;
};

static int conf_dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_dropin *)a)->name, ((const struct conf_dropin *)b)->name);
}

/* Add dir's "*.conf" names not already taken by an earlier directory. */
static int conf_collect_dropins(const char *dir, struct conf_dropin **list, size_t *n,
				char *err, size_t errlen)
{
	struct dirent **names = NULL;
	int k, r = 0;

	k = scandir(dir, &names, conf_dropin_filter, alphasort);
	if (k < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		r = negative_errno();
		snprintf(err, errlen, "%s: cannot read directory: %s", dir, strerror(-r));
		return r;
	}
	for (int i = 0; i < k; i++) {
		bool taken = false;

		for (size_t j = 0; j < *n && !taken; j++)
			taken = streq((*list)[j].name, names[i]->d_name);
		if (!taken && r >= 0) {
			struct conf_dropin *l = realloc(*list, (*n + 1) * sizeof(**list));

			if (!l)
				r = -ENOMEM;
			else {
				*list = l;
				l[*n] = (struct conf_dropin){ strdup(names[i]->d_name), dir };
				if (!l[*n].name)
					r = -ENOMEM;
				else
					(*n)++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return r;
}

/*
 * Drop-ins as systemd reads them (systemd.unit(5), "drop-in"): every
 * "*.conf" of every directory, sorted by file name; a name in an earlier
 * directory hides the same name in a later one (/etc over /run over
 * /usr/lib). dirs is in that precedence order.
 */
static int conf_parse_dropins(struct conf *conf, char *const *dirs, size_t n_dirs, char *err,
			      size_t errlen)
{
	struct conf_dropin *list = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t d = 0; d < n_dirs && r >= 0; d++)
		r = conf_collect_dropins(dirs[d], &list, &n, err, errlen);
	if (r >= 0 && n > 0) /* qsort() wants a non-NULL array even for 0 */
		qsort(list, n, sizeof(*list), conf_dropin_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];

		if (r >= 0 && snprintf(path, sizeof(path), "%s/%s", list[i].dir, list[i].name) >=
				      (int)sizeof(path)) {
			snprintf(err, errlen, "%s/%s: path too long", list[i].dir, list[i].name);
			r = -ENAMETOOLONG;
		}
		if (r >= 0)
			r = conf_parse_file(conf, path, /* required= */ true, err, errlen);
		free(list[i].name);
	}
	free(list);
	return r;
}

/* Relations between keys, checked once every file is in. */
static int conf_check(const struct conf *conf, char *err, size_t errlen)
{
	const struct conf_item *lo = conf_find_item(CONF_SECTION_RECLAIM, "MonitorIntervalMin");
	const struct conf_item *hi = conf_find_item(CONF_SECTION_RECLAIM, "MonitorIntervalMax");
	char a[32], b[32], where[600], other[600];

	if (conf->reclaim.monitor_interval_min_usec <= conf->reclaim.monitor_interval_max_usec)
		return 0;
	conf_format_value(lo, &conf->reclaim, a, sizeof(a));
	conf_format_value(hi, &conf->reclaim, b, sizeof(b));
	/* Blame the later of the two assignments. */
	if (conf->src[conf_item_index(lo)].seq >= conf->src[conf_item_index(hi)].seq) {
		conf_format_source(&conf->src[conf_item_index(lo)], where, sizeof(where));
		conf_format_source(&conf->src[conf_item_index(hi)], other, sizeof(other));
	} else {
		conf_format_source(&conf->src[conf_item_index(hi)], where, sizeof(where));
		conf_format_source(&conf->src[conf_item_index(lo)], other, sizeof(other));
	}
	snprintf(err, errlen, "%s: MonitorIntervalMin=%s is above MonitorIntervalMax=%s (other value from %s)",
		 where, a, b, other);
	return -EINVAL;
}

static int conf_set_paths(struct conf *conf, const char *main_path,
			  const char *const *dropin_dirs, size_t n_dropin_dirs)
{
	if (main_path && !(conf->main_path = strdup(main_path)))
		return -ENOMEM;
	conf->dropin_dirs = calloc(n_dropin_dirs + 1, sizeof(char *));
	if (!conf->dropin_dirs)
		return -ENOMEM;
	for (size_t i = 0; i < n_dropin_dirs; i++) {
		conf->dropin_dirs[i] = strdup(dropin_dirs[i]);
		if (!conf->dropin_dirs[i])
			return -ENOMEM;
		conf->n_dropin_dirs++;
	}
	return 0;
}

int conf_load_dirs(const char *main_path, const char *const *dropin_dirs, size_t n_dropin_dirs,
		   unsigned flags, struct conf **ret, char *err, size_t errlen)
{
	_cleanup_conf_free_ struct conf *conf = conf_new_defaults();
	int r;

	if (!conf || conf_set_paths(conf, main_path, dropin_dirs, n_dropin_dirs) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (main_path) {
		r = conf_parse_file(conf, main_path, flags & CONF_LOAD_MAIN_REQUIRED, err, errlen);
		if (r < 0)
			return r;
	}
	r = conf_parse_dropins(conf, conf->dropin_dirs, conf->n_dropin_dirs, err, errlen);
	if (r < 0)
		return r;
	r = conf_check(conf, err, errlen);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(conf);
	return 0;
}

int conf_load_flags(const char *main_path, const char *dropin_dir, unsigned flags,
		    struct conf **ret, char *err, size_t errlen)
{
	return conf_load_dirs(main_path, &dropin_dir, dropin_dir ? 1 : 0, flags, ret, err, errlen);
}

int conf_load(const char *main_path, const char *dropin_dir, struct conf **ret, char *err,
	      size_t errlen)
{
	return conf_load_flags(main_path, dropin_dir, 0, ret, err, errlen);
}

/* Copy one value between two structs of item's section (strings duplicated). */
static int conf_copy_value(const struct conf_item *item, void *dst, const void *src)
{
	union conf_value v = {};

	conf_value_get(item, src, &v);
	if (item->type == CONF_STRING) {
		v.s = strdup(v.s ? v.s : "");
		if (!v.s)
			return -ENOMEM;
	}
	conf_value_store(item, dst, &v);
	return 0;
}

static void *conf_top_base(struct conf *conf, const struct conf_item *item)
{
	return item->section == CONF_SECTION_CONTROL ? (void *)&conf->control
						     : (void *)&conf->reclaim;
}

/* After a reload: command-line values, and the running value of every
 * restart-only key whose value in the files changed (with a warning). */
static int conf_keep_running(const struct conf *old, struct conf *new)
{
	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_item *it = &conf_items[i];
		const struct conf_source *os = &old->src[i];
		char a[256], b[256];
		int r;

		if (it->section != CONF_SECTION_RECLAIM && it->section != CONF_SECTION_CONTROL)
			continue;
		if (os->kind != CONF_SOURCE_CMDLINE) {
			if (!it->restart)
				continue;
			conf_format_value(it, conf_top_base((struct conf *)old, it), a, sizeof(a));
			conf_format_value(it, conf_top_base(new, it), b, sizeof(b));
			if (streq(a, b))
				continue;
			r = conf_add_warning(new, "%s.%s=%s needs a restart; keeping %s until then",
					     conf_section_name(it->section), it->name, b,
					     a[0] ? a : "the empty value");
			if (r < 0)
				return r;
		}
		r = conf_copy_value(it, conf_top_base(new, it), conf_top_base((struct conf *)old, it));
		if (r < 0)
			return r;
		new->src[i] = *os;
		if (os->file && !(new->src[i].file = conf_intern_file(new, os->file)))
			return -ENOMEM;
	}
	return 0;
}

int conf_reload(const struct conf *old, struct conf **ret, char *err, size_t errlen)
{
	_cleanup_conf_free_ struct conf *new = NULL;
	int r;

	r = conf_load_dirs(old->main_path, (const char *const *)old->dropin_dirs,
			   old->n_dropin_dirs, 0, &new, err, errlen);
	if (r < 0)
		return r;
	r = conf_keep_running(old, new);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		return r;
	}
	*ret = TAKE_PTR(new);
	return 0;
}

int conf_load_string(const char *text, size_t len, const char *name, struct conf **ret,
		     char *err, size_t errlen)
{
	_cleanup_conf_free_ struct conf *conf = conf_new_defaults();
	int r;

	if (!conf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = conf_parse_buffer(conf, name, text, len, err, errlen);
	if (r < 0)
		return r;
	r = conf_check(conf, err, errlen);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(conf);
	return 0;
}

void conf_log_warnings(const struct conf *conf)
{
	for (size_t i = 0; i < conf->n_warnings; i++)
		log_warning("%s", conf->warnings[i]);
}

size_t conf_n_warnings(const struct conf *conf)
{
	return conf->n_warnings;
}

const char *conf_warning(const struct conf *conf, size_t i)
{
	return i < conf->n_warnings ? conf->warnings[i] : NULL;
}

const char *conf_main_path(const struct conf *conf)
{
	return conf->main_path;
}

const char *conf_dropin_dir(const struct conf *conf)
{
	return conf->n_dropin_dirs ? conf->dropin_dirs[0] : NULL;
}

/* ---- runtime set ----------------------------------------------------- */

/*
 * "Reclaim.Swappiness" -> section "Reclaim", key "Swappiness";
 * "CGroup.web.slice*.Weight" -> section "CGroup web.slice*", key "Weight".
 */
static int conf_split_key(const char *key, char *section, size_t size, const char **ret_name)
{
	const char *dot = strchr(key, '.'), *last = strrchr(key, '.');
	size_t kind = dot ? (size_t)(dot - key) : 0;
	int k;

	if (!dot || dot == last) {
		if (!dot || kind == 0 || !dot[1])
			return -EINVAL;
		k = snprintf(section, size, "%.*s", (int)kind, key);
	} else
		k = snprintf(section, size, "%.*s %.*s", (int)kind, key, (int)(last - dot - 1),
			     dot + 1);
	if (k < 0 || (size_t)k >= size || !last[1])
		return -EINVAL;
	*ret_name = last + 1;
	return 0;
}

/* conf_check() for a value about to be set: try it on a copy. */
static int conf_check_set(const struct conf *conf, const struct conf_target *t,
			  const struct conf_item *item, const char *value, char *err,
			  size_t errlen)
{
	_cleanup_free_ struct conf *copy = NULL;
	char msg[CONF_MSG_MAX];
	union conf_value v;
	int r;

	if (t->section != CONF_SECTION_RECLAIM)
		return 0; /* no relations outside [Reclaim] */
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	/* Shallow: [Reclaim] holds no pointers, and the copy is only read. */
	*copy = *conf;
	r = conf_value_parse(item, value, &v, msg, sizeof(msg));
	if (r < 0)
		return r;
	conf_value_store(item, &copy->reclaim, &v);
	copy->src[conf_item_index(item)] = (struct conf_source){ CONF_SOURCE_RUNTIME };
	copy->src[conf_item_index(item)].seq = conf->seq + 1;
	return conf_check(copy, err, errlen);
}

/* The item a "Section.Key" names, with its section header in section. */
static const struct conf_item *conf_item_split(const char *key, char *section, size_t size)
{
	const struct conf_item *item;
	const char *name;

	if (conf_split_key(key, section, size, &name) < 0)
		return NULL;
	item = conf_find_item(startswith(section, "Node ")	  ? CONF_SECTION_NODE
			      : startswith(section, "CGroup ") ? CONF_SECTION_CGROUP
			      : streq(section, "Control")	  ? CONF_SECTION_CONTROL
								  : CONF_SECTION_RECLAIM,
			      name);
	if (!item || (startswith(section, "Node ") && !item->per_node) ||
	    !(streq(section, "Reclaim") || streq(section, "Control") ||
	      startswith(section, "Node ") || startswith(section, "CGroup ")))
		return NULL;
	return item;
}

const struct conf_item *conf_item_by_key(const char *key)
{
	char section[256];

	return conf_item_split(key, section, sizeof(section));
}

static int conf_set_source(struct conf *conf, const char *key, const char *value,
			   enum conf_source_kind kind, char *err, size_t errlen)
{
	const struct conf_item *item;
	struct conf_target t;
	char section[256], msg[CONF_MSG_MAX];
	const char *name;
	int r;

	if (conf_split_key(key, section, sizeof(section), &name) < 0) {
		snprintf(err, errlen,
			 "%s: expected Reclaim.KEY, Control.KEY, Node.N.KEY or CGroup.PATTERN.KEY", key);
		return -EINVAL;
	}
	/* Validate before resolving: resolving creates node and cgroup entries. */
	item = conf_item_split(key, section, sizeof(section));
	if (!item) {
		snprintf(err, errlen, "%s: unknown key", key);
		return -ENOENT;
	}
	if (kind == CONF_SOURCE_CMDLINE && item->section != CONF_SECTION_RECLAIM &&
	    item->section != CONF_SECTION_CONTROL) {
		snprintf(err, errlen, "%s: not a [Reclaim] or [Control] key", key);
		return -EINVAL;
	}
	if (kind == CONF_SOURCE_RUNTIME && item->restart) {
		snprintf(err, errlen, "%s: needs a restart (read only at start)", key);
		return -EBUSY;
	}
	if (kind == CONF_SOURCE_RUNTIME && (streq(section, "Reclaim") || streq(section, "Control")) &&
	    conf->src[conf_item_index(item)].kind == CONF_SOURCE_CMDLINE) {
		snprintf(err, errlen, "%s: set on the command line; needs a restart without that option",
			 key);
		return -EBUSY;
	}
	{
		union conf_value v;
		r = conf_value_parse(item, value, &v, msg, sizeof(msg));
		if (r < 0) {
			snprintf(err, errlen, "%s", msg);
			return r;
		}
		if (item->type == CONF_STRING)
			free(v.s);
	}
	r = conf_resolve_section(conf, section, &t, msg, sizeof(msg));
	if (r <= 0) {
		snprintf(err, errlen, "%s", r == -ENOMEM ? "out of memory" : msg);
		return r < 0 ? r : -ENOENT;
	}
	r = conf_check_set(conf, &t, item, value, err, errlen);
	if (r < 0)
		return r;
	r = conf_assign(conf, &t, item, value, &(struct conf_source){ kind }, msg, sizeof(msg));
	if (r < 0)
		snprintf(err, errlen, "%s", msg);
	return r;
}

int conf_set(struct conf *conf, const char *key, const char *value, char *err, size_t errlen)
{
	return conf_set_source(conf, key, value, CONF_SOURCE_RUNTIME, err, errlen);
}

int conf_set_cmdline(struct conf *conf, const char *key, const char *value, char *err,
		     size_t errlen)
{
	return conf_set_source(conf, key, value, CONF_SOURCE_CMDLINE, err, errlen);
}

/* ---- lookups ---------------------------------------------------------- */

const struct conf_reclaim *conf_reclaim(const struct conf *conf)
{
	return &conf->reclaim;
}

const struct conf_control *conf_control(const struct conf *conf)
{
	return &conf->control;
}

static void conf_copy_field(const struct conf_item *item, void *dst, const void *src)
{
	memcpy((char *)dst + item->offset, (const char *)src + item->offset,
	       conf_item_ops(item)->size);
}

void conf_node_reclaim(const struct conf *conf, unsigned node, struct conf_reclaim *ret)
{
	const struct conf_node *n = NULL;

	*ret = conf->reclaim;
	for (size_t i = 0; i < conf->n_nodes; i++)
		if (conf->nodes[i].node == node)
			n = &conf->nodes[i];
	if (!n)
		return;
	for (size_t i = 0; i < conf_n_items; i++)
		if (conf_items[i].per_node && n->src[i].kind != CONF_SOURCE_DEFAULT)
			conf_copy_field(&conf_items[i], ret, &n->values);
}

bool conf_node_paused(const struct conf *conf, unsigned node)
{
	struct conf_reclaim rc;

	conf_node_reclaim(conf, node, &rc);
	return rc.paused && !conf->reclaim.paused;
}

/* The section that last assigned item i among those matching path (already
 * without its leading '/'), or NULL: the key keeps its default there. */
static const struct conf_cgroup *conf_cgroup_assigned(const struct conf *conf, const char *path,
						      size_t i, bool *matched)
{
	const struct conf_cgroup *best = NULL;

	for (size_t c = 0; c < conf->n_cgroups; c++) {
		const struct conf_cgroup *cg = &conf->cgroups[c];
		const char *pat = streq(cg->pattern, "/") ? "" : cg->pattern;

		if (fnmatch(pat, path, 0) != 0)
			continue;
		*matched = true;
		if (cg->src[i].kind != CONF_SOURCE_DEFAULT &&
		    (!best || cg->src[i].seq > best->src[i].seq))
			best = cg;
	}
	return best;
}

bool conf_cgroup_policy(const struct conf *conf, const char *path,
			struct conf_cgroup_policy *ret)
{
	struct conf_cgroup_policy p;
	bool matched = false;

	while (*path == '/')
		path++;
	if (conf_init_section(CONF_SECTION_CGROUP, &p) < 0)
		return false; /* the defaults are tested to parse */

	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_cgroup *best;

		if (conf_items[i].section != CONF_SECTION_CGROUP)
			continue;
		best = conf_cgroup_assigned(conf, path, i, &matched);
		if (best)
			conf_copy_field(&conf_items[i], &p, &best->values);
	}
	if (p.pressure_limit_permyriad == CONF_SPECIAL)
		p.pressure_limit_permyriad = conf->reclaim.pressure_limit_permyriad;
	*ret = p;
	return matched;
}

/* The keys a cgroup takes from its nearest ancestor that assigns them when
 * no section matching the cgroup itself does: the Offload* keys. reclaimd
 * reclaims from memory leaves, so [CGroup work.slice] Offload=yes must
 * reach the services below the slice; each is trimmed by its own
 * controller, on its own memory.pressure. */
static bool conf_cgroup_key_inherited(const struct conf_item *item)
{
	return item->section == CONF_SECTION_CGROUP && startswith(item->name, "Offload");
}

void conf_cgroup_policy_subtree(const struct conf *conf, const char *path,
				struct conf_cgroup_policy *ret)
{
	struct conf_cgroup_policy p;
	char anc[4096];
	char *slash;
	bool matched = false;

	conf_cgroup_policy(conf, path, &p);
	while (*path == '/')
		path++;
	snprintf(anc, sizeof(anc), "%s", path);
	while (!p.protect && (slash = strrchr(anc, '/'))) {
		struct conf_cgroup_policy ap;

		*slash = '\0';
		if (*anc && conf_cgroup_policy(conf, anc, &ap) && ap.protect)
			p.protect = true;
	}
	for (size_t i = 0; i < conf_n_items; i++) {
		if (!conf_cgroup_key_inherited(&conf_items[i]) ||
		    conf_cgroup_assigned(conf, path, i, &matched))
			continue;
		snprintf(anc, sizeof(anc), "%s", path);
		while ((slash = strrchr(anc, '/'))) {
			const struct conf_cgroup *best;

			*slash = '\0';
			best = *anc ? conf_cgroup_assigned(conf, anc, i, &matched) : NULL;
			if (best) {
				conf_copy_field(&conf_items[i], &p, &best->values);
				break;
			}
		}
	}
	*ret = p;
}

bool conf_psi_trigger_eq(const struct conf_psi_trigger *a, const struct conf_psi_trigger *b)
{
	return a->enabled == b->enabled &&
	       (!a->enabled || (a->full == b->full && a->stall_usec == b->stall_usec &&
				a->window_usec == b->window_usec));
}

void conf_offload_params(const struct conf_cgroup_policy *p, uint64_t page_bytes,
			 struct offload_params *ret)
{
	*ret = (struct offload_params){
		.interval_usec = p->offload_interval_usec,
		.target_usec = p->offload_pressure_permyriad * p->offload_interval_usec /
			       CONF_PERMYRIAD_MAX,
		.max_step_permyriad = p->offload_max_step.permyriad ? p->offload_max_step.value : 0,
		.max_step_bytes = p->offload_max_step.permyriad ? 0 : p->offload_max_step.value,
		.page_bytes = page_bytes,
	};
}

int conf_offload_swappiness(const struct conf_cgroup_policy *p, bool swap_compressed)
{
	if (p->offload_swappiness != CONF_SPECIAL)
		return (int)p->offload_swappiness;
	return swap_compressed ? SWAPPINESS_KERNEL_DEFAULT : 0;
}

/* Does pattern match path, or (ancestors) one of the cgroups above it?
 * Returns the matching path's length, 0 for none. */
static size_t cgroup_pattern_match(const char *pat, const char *path, bool ancestors)
{
	char anc[4096];
	char *slash;

	if (!ancestors)
		return fnmatch(pat, path, 0) == 0 ? strlen(path) + 1 : 0;
	snprintf(anc, sizeof(anc), "%s", path);
	while ((slash = strrchr(anc, '/'))) {
		*slash = '\0';
		if (fnmatch(pat, anc, 0) == 0)
			return strlen(anc) + 1;
	}
	return 0;
}

size_t conf_cgroup_sections_above_leaves(const struct conf *conf, const char *const *paths,
					 size_t n,
					 void (*fn)(void *userdata, const char *pattern,
						    const char *keys, const char *path),
					 void *userdata)
{
	size_t found = 0;

	for (size_t c = 0; c < conf->n_cgroups; c++) {
		const struct conf_cgroup *cg = &conf->cgroups[c];
		const char *pat = streq(cg->pattern, "/") ? "" : cg->pattern;
		char keys[128] = "", above[4096] = "";
		size_t len = 0;
		bool leaf = false;

		for (size_t i = 0; i < conf_n_items; i++) {
			const struct conf_item *it = &conf_items[i];
			int w;

			if (!it->leaf_only || cg->src[i].kind == CONF_SOURCE_DEFAULT)
				continue;
			w = snprintf(keys + len, sizeof(keys) - len, "%s%s=", len ? " " : "",
				     it->name);
			if (w > 0 && (size_t)w < sizeof(keys) - len)
				len += (size_t)w;
		}
		if (len == 0)
			continue;
		for (size_t k = 0; k < n && !leaf; k++)
			leaf = cgroup_pattern_match(pat, paths[k], false) > 0;
		/* The root holds every cgroup: "[CGroup /]" is above them all. */
		if (!leaf && !*pat && n > 0)
			snprintf(above, sizeof(above), "/");
		for (size_t k = 0; k < n && !leaf && !above[0]; k++) {
			size_t m = cgroup_pattern_match(pat, paths[k], true);

			if (m)
				snprintf(above, sizeof(above), "/%.*s", (int)(m - 1), paths[k]);
		}
		if (leaf || !above[0])
			continue;
		found++;
		if (fn)
			fn(userdata, cg->pattern, keys, above);
	}
	return found;
}

void conf_cgroup_policy_resolve(const struct conf *conf, const char *path, bool swap_compressed,
				uint64_t page_bytes, struct cgroup_policy *ret)
{
	const struct conf_reclaim *rc = conf_reclaim(conf);
	struct conf_cgroup_policy p;

	conf_cgroup_policy_subtree(conf, path, &p);
	*ret = (struct cgroup_policy){
		.protect = p.protect,
		.floor_bytes = p.floor_bytes,
		.soft_target_bytes = p.soft_target_bytes == CONF_SPECIAL ? 0 : p.soft_target_bytes,
		.weight = (unsigned)p.weight,
		.pressure_limit_usec = p.pressure_limit_permyriad * rc->pressure_window_usec /
				       CONF_PERMYRIAD_MAX,
		.offload = p.offload,
		.offload_swappiness = conf_offload_swappiness(&p, swap_compressed),
	};
	conf_offload_params(&p, page_bytes, &ret->offload_params);
}

uint64_t conf_amount_bytes(struct conf_amount a, uint64_t base_bytes)
{
	if (!a.permyriad)
		return a.value;
	/* base/10000*v + remainder term: no overflow for any base below 2^64. */
	return base_bytes / CONF_PERMYRIAD_MAX * a.value +
	       base_bytes % CONF_PERMYRIAD_MAX * a.value / CONF_PERMYRIAD_MAX;
}

void conf_watermark_params(const struct conf_reclaim *c, uint64_t page_size,
			   struct watermark_params *p)
{
	watermark_params_init(p);
	if (c->watermark_headroom.permyriad) {
		p->headroom_permyriad = (uint32_t)c->watermark_headroom.value;
		p->headroom_max_bytes = c->watermark_headroom_max_bytes;
		p->headroom_min_bytes = MIN(p->headroom_min_bytes, p->headroom_max_bytes);
	} else {
		/* An absolute size: the same headroom for every zone. */
		p->headroom_permyriad = 0;
		p->headroom_min_bytes = c->watermark_headroom.value;
		p->headroom_max_bytes = c->watermark_headroom.value;
	}
	p->interval_min_usec = c->monitor_interval_min_usec;
	p->interval_max_usec = c->monitor_interval_max_usec;
	p->page_size = page_size;
}

uint64_t conf_headroom_bytes(const struct conf_reclaim *r, uint64_t managed_bytes)
{
	uint64_t b = conf_amount_bytes(r->watermark_headroom, managed_bytes);

	if (r->watermark_headroom.permyriad)
		b = MIN(b, r->watermark_headroom_max_bytes);
	return b;
}

/* ---- effective config as JSON ------------------------------------------ */

static int conf_json_key(struct json_object *obj, const struct conf_item *item,
			 const void *base, const struct conf_source *src)
{
	struct json_object *o;
	char value[256], source[600];
	union conf_value v = {};

	conf_value_get(item, base, &v);
	conf_item_ops(item)->format(item, &v, value, sizeof(value));
	conf_format_source(src, source, sizeof(source));

	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "source", json_object_new_string(source));
	if (conf_item_ops(item)->raw)
		json_object_object_add(o, "raw", conf_item_ops(item)->raw(&v));
	json_object_object_add(obj, item->name, o);
	return 0;
}

/* only_set: list only the keys a file or conf_set() assigned. */
static struct json_object *conf_json_section(enum conf_section section, const void *base,
					     const struct conf_source *src, bool only_set)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	for (size_t i = 0; i < conf_n_items; i++) {
		if (conf_items[i].section != section)
			continue;
		if (only_set && src[i].kind == CONF_SOURCE_DEFAULT)
			continue;
		if (conf_json_key(obj, &conf_items[i], base, &src[i]) < 0) {
			json_object_put(obj);
			return NULL;
		}
	}
	return obj;
}

static struct json_object *conf_json_strings(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

struct json_object *conf_to_json(const struct conf *conf)
{
	struct json_object *root = json_object_new_object(), *nodes, *cgroups;

	if (!root)
		return NULL;
	json_object_object_add(root, "Reclaim",
			       conf_json_section(CONF_SECTION_RECLAIM, &conf->reclaim, conf->src,
						 false));
	json_object_object_add(root, "Control",
			       conf_json_section(CONF_SECTION_CONTROL, &conf->control, conf->src,
						 false));
	nodes = json_object_new_object();
	for (size_t i = 0; nodes && i < conf->n_nodes; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%u", conf->nodes[i].node);
		json_object_object_add(nodes, name,
				       conf_json_section(CONF_SECTION_RECLAIM,
							 &conf->nodes[i].values,
							 conf->nodes[i].src, true));
	}
	json_object_object_add(root, "Node", nodes);
	cgroups = json_object_new_array();
	for (size_t i = 0; cgroups && i < conf->n_cgroups; i++) {
		struct json_object *c = json_object_new_object();
		if (!c)
			break;
		json_object_object_add(c, "pattern", json_object_new_string(conf->cgroups[i].pattern));
		json_object_object_add(c, "keys",
				       conf_json_section(CONF_SECTION_CGROUP,
							 &conf->cgroups[i].values,
							 conf->cgroups[i].src, true));
		json_object_array_add(cgroups, c);
	}
	json_object_object_add(root, "CGroup", cgroups);
	json_object_object_add(root, "files", conf_json_strings(conf->files, conf->n_files));
	json_object_object_add(root, "warnings",
			       conf_json_strings(conf->warnings, conf->n_warnings));
	return root;
}

/* ---- the control protocol's view: flat "Section.Key" settings ---------- */

/* Calls fn for every key a conf holds: all [Reclaim] and [Control] keys,
 * and the keys set in each [Node N] and [CGroup PATTERN]. */
static int conf_foreach(const struct conf *conf,
			int (*fn)(const char *key, const struct conf_item *item, const void *base,
				  const struct conf_source *src, void *userdata),
			void *userdata)
{
	char key[512];
	int r;

	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_item *it = &conf_items[i];
		if (it->section != CONF_SECTION_RECLAIM && it->section != CONF_SECTION_CONTROL)
			continue;
		snprintf(key, sizeof(key), "%s.%s", conf_section_name(it->section), it->name);
		r = fn(key, it,
		       it->section == CONF_SECTION_RECLAIM ? (const void *)&conf->reclaim
							   : (const void *)&conf->control,
		       &conf->src[i], userdata);
		if (r < 0)
			return r;
	}
	for (size_t n = 0; n < conf->n_nodes; n++)
		for (size_t i = 0; i < conf_n_items; i++) {
			if (!conf_items[i].per_node || conf->nodes[n].src[i].kind == CONF_SOURCE_DEFAULT)
				continue;
			snprintf(key, sizeof(key), "Node.%u.%s", conf->nodes[n].node, conf_items[i].name);
			r = fn(key, &conf_items[i], &conf->nodes[n].values, &conf->nodes[n].src[i],
			       userdata);
			if (r < 0)
				return r;
		}
	for (size_t c = 0; c < conf->n_cgroups; c++)
		for (size_t i = 0; i < conf_n_items; i++) {
			if (conf_items[i].section != CONF_SECTION_CGROUP ||
			    conf->cgroups[c].src[i].kind == CONF_SOURCE_DEFAULT)
				continue;
			snprintf(key, sizeof(key), "CGroup.%s.%s", conf->cgroups[c].pattern,
				 conf_items[i].name);
			r = fn(key, &conf_items[i], &conf->cgroups[c].values, &conf->cgroups[c].src[i],
			       userdata);
			if (r < 0)
				return r;
		}
	return 0;
}

static int conf_settings_one(const char *key, const struct conf_item *item, const void *base,
			     const struct conf_source *src, void *userdata)
{
	struct json_object *o = json_object_new_object();
	char value[256], source[600];

	if (!o)
		return -ENOMEM;
	conf_format_value(item, base, value, sizeof(value));
	conf_format_source(src, source, sizeof(source));
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "default", json_object_new_string(item->default_value));
	json_object_object_add(o, "source", json_object_new_string(source));
	json_object_object_add(o, "help", json_object_new_string(item->help));
	json_object_array_add(userdata, o);
	return 0;
}

struct json_object *conf_settings_json(const struct conf *conf)
{
	struct json_object *root = json_object_new_object(), *list = json_object_new_array();

	if (!root || !list || conf_foreach(conf, conf_settings_one, list) < 0) {
		json_object_put(root);
		json_object_put(list);
		return NULL;
	}
	if (conf->main_path)
		json_object_object_add(root, "file", json_object_new_string(conf->main_path));
	json_object_object_add(root, "settings", list);
	json_object_object_add(root, "warnings", conf_json_strings(conf->warnings, conf->n_warnings));
	return root;
}

struct conf_get_ctx {
	const char *key;
	char *buf;
	size_t size;
	bool found;
};

static int conf_get_one(const char *key, const struct conf_item *item, const void *base,
			const struct conf_source *src, void *userdata)
{
	struct conf_get_ctx *ctx = userdata;

	if (!streq(key, ctx->key))
		return 0;
	conf_format_value(item, base, ctx->buf, ctx->size);
	ctx->found = true;
	return 0;
}

int conf_get(const struct conf *conf, const char *key, char *buf, size_t size)
{
	struct conf_get_ctx ctx = { key, buf, size, false };
	char section[256];
	const char *name;

	(void)conf_foreach(conf, conf_get_one, &ctx);
	if (ctx.found)
		return 0;
	/* A per-node or per-cgroup key not overridden reads as what applies. */
	if (conf_split_key(key, section, sizeof(section), &name) < 0)
		return -ENOENT;
	if (startswith(section, "Node ")) {
		const struct conf_item *it = conf_find_item(CONF_SECTION_NODE, name);
		unsigned node;
		struct conf_reclaim r;

		if (!it || !it->per_node || safe_atou(section + 5, &node) < 0)
			return -ENOENT;
		conf_node_reclaim(conf, node, &r);
		return conf_format_value(it, &r, buf, size);
	}
	if (startswith(section, "CGroup ")) {
		const struct conf_item *it = conf_find_item(CONF_SECTION_CGROUP, name);
		struct conf_cgroup_policy p;

		if (!it)
			return -ENOENT;
		/* The value a cgroup literally named PATTERN would get. */
		conf_cgroup_policy(conf, section + 7, &p);
		return conf_format_value(it, &p, buf, size);
	}
	return -ENOENT;
}

struct conf_diff_ctx {
	const struct conf *other;
	struct json_object *changed;
};

static int conf_diff_one(const char *key, const struct conf_item *item, const void *base,
			 const struct conf_source *src, void *userdata)
{
	struct conf_diff_ctx *ctx = userdata;
	char a[256], b[256];

	conf_format_value(item, base, a, sizeof(a));
	if (conf_get(ctx->other, key, b, sizeof(b)) < 0 || !streq(a, b))
		json_object_array_add(ctx->changed, json_object_new_string(key));
	return 0;
}

struct json_object *conf_changed_keys(const struct conf *old, const struct conf *new)
{
	struct conf_diff_ctx ctx = { old, json_object_new_array() };
	size_t n;

	if (!ctx.changed)
		return NULL;
	(void)conf_foreach(new, conf_diff_one, &ctx);
	/* Overrides that the new config dropped. */
	n = json_object_array_length(ctx.changed);
	{
		struct conf_diff_ctx back = { new, json_object_new_array() };
		if (!back.changed)
			return ctx.changed;
		(void)conf_foreach(old, conf_diff_one, &back);
		for (size_t i = 0; i < json_object_array_length(back.changed); i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(back.changed, i));
			bool dup = false;
			for (size_t j = 0; j < n; j++)
				dup |= streq(k, json_object_get_string(
							json_object_array_get_idx(ctx.changed, j)));
			if (!dup)
				json_object_array_add(ctx.changed, json_object_new_string(k));
		}
		json_object_put(back.changed);
	}
	return ctx.changed;
}
