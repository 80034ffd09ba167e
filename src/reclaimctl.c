// SPDX-License-Identifier: GPL-2.0-only
/*
 * reclaimctl: steer and observe reclaimd over its control socket.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "util.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS] COMMAND [ARGS]\n"
	       "\n"
	       "Steer and observe reclaimd.\n"
	       "\n"
	       "Options:\n"
	       "  -h --help          Show this help and exit\n"
	       "  -V --version       Show the version and exit\n"
	       "     --socket=PATH   Control socket (default $RECLAIMD_SOCKET or %s)\n"
	       "     --json          Print JSON instead of tables\n"
	       "\n"
	       "See reclaimctl(8).\n",
	       program_invocation_short_name, RECLAIMD_SOCKET_PATH);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			printf("reclaimctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			return 2;
		}
	}
	help();
	return 2;
}
