/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reclaimd-conf-doc: print the key reference from the config table, so that
 * reclaimd.conf(5) and the sample config cannot drift from the parser.
 *
 *	reclaimd-conf-doc man     scdoc text for reclaimd.conf(5)'s key list
 *	reclaimd-conf-doc conf    the sample reclaimd.conf (every key commented out)
 */

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "util.h"

/* scdoc: '*' and '_' start emphasis, '\' escapes. */
static void conf_doc_put_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void conf_doc_man_item(const struct conf_item *item)
{
	char accepts[512];

	conf_item_describe(item, accepts, sizeof(accepts));
	printf("*%s=*\n\t", item->name);
	conf_doc_put_escaped(item->help);
	printf("\n\n\tDefault: ");
	if (item->default_value[0]) {
		printf("*");
		conf_doc_put_escaped(item->default_value);
		printf("*");
	} else
		printf("empty");
	printf(". Accepts ");
	conf_doc_put_escaped(accepts);
	printf(".%s%s\n\n", item->per_node ? " May be overridden in *[Node N]*." : "",
	       item->restart ? " Read only at start: a change needs a restart (*reclaimctl "
			       "set* refuses it, a reload keeps the running value)."
			     : "");
}

static void conf_doc_man(void)
{
	static const char *const intro[_CONF_SECTION_MAX] = {
		[CONF_SECTION_RECLAIM] = "Global tunables. Keys marked as such may be "
					 "overridden for one NUMA node in a *[Node N]* section.",
		[CONF_SECTION_CGROUP] = "Policies for the cgroups whose path (relative to the "
					"cgroup root) matches PATTERN; see *CGROUP PATTERNS*.",
		[CONF_SECTION_CONTROL] = "The control socket and metrics.",
	};
	static const enum conf_section order[] = { CONF_SECTION_RECLAIM, CONF_SECTION_CGROUP,
						   CONF_SECTION_CONTROL };

	for (size_t s = 0; s < ELEMENTSOF(order); s++) {
		printf("## [%s%s]\n\n%s\n\n", conf_section_name(order[s]),
		       order[s] == CONF_SECTION_CGROUP ? " PATTERN" : "", intro[order[s]]);
		for (size_t i = 0; i < conf_n_items; i++)
			if (conf_items[i].section == order[s])
				conf_doc_man_item(&conf_items[i]);
	}
}

/* Wrap help text into "# " comment lines of at most 78 columns. */
static void conf_doc_comment(const char *text)
{
	char word[256];
	size_t col = 0;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, " ");

		snprintf(word, sizeof(word), "%.*s", (int)MIN(n, sizeof(word) - 1), p);
		if (col && col + 1 + strlen(word) > 78) {
			putchar('\n');
			col = 0;
		}
		col += (size_t)printf("%s%s", col ? " " : "# ", word);
		p += n;
		while (*p == ' ')
			p++;
	}
	if (col)
		putchar('\n');
}

static void conf_doc_conf(void)
{
	static const enum conf_section order[] = { CONF_SECTION_RECLAIM, CONF_SECTION_CONTROL,
						   CONF_SECTION_CGROUP };

	printf("# reclaimd.conf: see reclaimd.conf(5).\n"
	       "#\n"
	       "# Every key is shown with its default, commented out. Override keys in a\n"
	       "# drop-in (reclaimd.conf.d/NAME.conf) rather than here: drop-ins from\n"
	       "# /etc, /run and /usr/lib (the same name in /etc wins) are read after\n"
	       "# this file, sorted by name, and the last assignment wins.\n"
	       "# Every key takes effect on reload and with reclaimctl set, except\n"
	       "# those marked as read only at start.\n"
	       "# Sizes take K, M, G, T (binary); durations are systemd time spans\n"
	       "# (systemd.time(7)): \"500ms\", \"1min 30s\", \"2h\"; a bare number is seconds.\n");
	for (size_t s = 0; s < ELEMENTSOF(order); s++) {
		if (order[s] == CONF_SECTION_CGROUP)
			printf("\n# Per-cgroup policy, one section per glob pattern over cgroup\n"
			       "# paths relative to the cgroup root ('*' also matches '/'):\n"
			       "#[CGroup PATTERN]\n");
		else
			printf("\n[%s]\n", conf_section_name(order[s]));
		for (size_t i = 0; i < conf_n_items; i++) {
			if (conf_items[i].section != order[s])
				continue;
			printf("\n");
			conf_doc_comment(conf_items[i].help);
			if (conf_items[i].restart)
				printf("# Read only at start: a change needs a restart.\n");
			printf("#%s=%s\n", conf_items[i].name, conf_items[i].default_value);
		}
	}
	printf("\n# Per-node overrides of the [Reclaim] keys that allow it, e.g.:\n"
	       "# [Node 1]\n# StepSize=16M\n");
}

int main(int argc, char *argv[])
{
	if (argc == 2 && streq(argv[1], "man"))
		conf_doc_man();
	else if (argc == 2 && streq(argv[1], "conf"))
		conf_doc_conf();
	else {
		fprintf(stderr, "Usage: %s man|conf\n", argv[0]);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
