/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reclaimd: a userspace kswapd. Keeps free memory on every NUMA node above a
 * proactive watermark by driving the kernel's own reclaim (per-node reclaim
 * file, cgroup v2 memory.reclaim), following mm/vmscan.c's kswapd().
 *
 * This file: command line, start-up checks, then hand over to the manager.
 */

#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf.h"
#include "inspect.h"
#include "log.h"
#include "manager.h"
#include "util.h"

static void help(void)
{
	printf("Usage: %s [OPTIONS]\n"
	       "\n"
	       "A userspace kswapd: keeps free memory on every NUMA node above a\n"
	       "proactive watermark through the kernel's memory.reclaim.\n"
	       "\n"
	       "Options:\n"
	       "  -h --help              Show this help and exit\n"
	       "  -V --version           Show the version and exit\n"
	       "  -c --config=FILE       Config file (default %s)\n"
	       "     --root=DIR          Read /proc, /sys and cgroupfs below DIR\n"
	       "     --socket=PATH       Control socket (default %s)\n"
	       "     --inspect           Print what was read and derived as JSON, exit\n"
	       "     --check-config      Validate the config and exit\n"
	       "  -n --dry-run           Decide and report, but never write reclaim files\n"
	       "  -l --log-level=LEVEL   err, warning, notice, info, debug\n"
	       "\n"
	       "See reclaimd(8), reclaimd.conf(5) and reclaimctl(1).\n",
	       program_invocation_short_name, RECLAIMD_CONFIG_FILE,
	       RECLAIMD_SOCKET_PATH);
}

static int load_config(const char *path, bool required, struct conf **ret)
{
	/* systemd's order: /etc hides /run, which hides /usr/lib. */
	static const char *const default_dirs[] = { RECLAIMD_CONFIG_DIR, RECLAIMD_CONFIG_DIR_RUN,
						    RECLAIMD_CONFIG_DIR_LIB };
	char err[1024] = "", dropins[4096 + 8];
	const char *own[] = { dropins };
	bool is_default = streq(path, RECLAIMD_CONFIG_FILE);
	int r;

	snprintf(dropins, sizeof(dropins), "%s.d", path);
	r = conf_load_dirs(path, is_default ? default_dirs : own,
			   is_default ? ELEMENTSOF(default_dirs) : ELEMENTSOF(own),
			   required ? CONF_LOAD_MAIN_REQUIRED : 0, ret, err, sizeof(err));
	if (r < 0) {
		/* The message already names FILE:LINE, the key and what is allowed. */
		if (*err)
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return r;
	}
	for (size_t i = 0; i < conf_n_warnings(*ret); i++)
		log_warning("%s", conf_warning(*ret, i));
	return 0;
}

/* --dry-run, --socket and --log-level win over the files: they enter the
 * config as "command line" values, shown so by `reclaimctl config`, kept
 * across reloads and refused by `set`. */
static int apply_cmdline(struct conf *conf, const struct manager_options *opts,
			 const char *log_level)
{
	static const struct {
		const char *key, *option;
	} keys[] = {
		{ "Reclaim.DryRun", "--dry-run" },
		{ "Control.Socket", "--socket" },
		{ "Reclaim.LogLevel", "--log-level" },
	};
	const char *values[] = { opts->dry_run ? "yes" : NULL, opts->socket_path, log_level };
	char err[1024];
	int r;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		if (!values[i])
			continue;
		r = conf_set_cmdline(conf, keys[i].key, values[i], err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", keys[i].option, err);
			return r;
		}
	}
	return 0;
}

static int inspect(const char *root, const struct conf *conf)
{
	struct json_object *j = NULL;
	int r;

	r = inspect_kernel_state(root, &j);
	if (r < 0)
		return log_error_errno(r, "Failed to read the kernel's state below '%s': %m",
				       *root ? root : "/");
	(void)manager_inspect(root, conf, j);
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	return 0;
}

/*
 * PF_MEMALLOC for userspace: keep our own pages resident so that reclaim
 * never has to page reclaimd back in while memory is short. MCL_ONFAULT
 * locks pages as they are touched instead of populating every mapping
 * (thread stacks are 8 MiB of which we use a few pages).
 */
static void lock_memory(void)
{
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		log_warning_errno(negative_errno(),
				  "mlockall() failed: %m; reclaimd's own pages may be reclaimed "
				  "(needs CAP_IPC_LOCK or a large enough LimitMEMLOCK=)");
}

/*
 * Each cgroup candidate keeps 9 control files open (memory.reclaim,
 * numa_stat, stat, pressure, min, low, current, swap.current,
 * cgroup.events) so that the reclaim path never opens a file: 4096
 * candidates need some 37k fds, far above the usual soft limit of 1024.
 * Take the hard limit.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warning_errno(negative_errno(), "Failed to raise the open files limit: %m, "
				  "ignoring; large cgroup trees may be cut short");
}

int main(int argc, char *argv[])
{
	enum { ARG_ROOT = 0x100, ARG_SOCKET, ARG_INSPECT, ARG_CHECK_CONFIG };
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, ARG_ROOT },
		{ "socket", required_argument, NULL, ARG_SOCKET },
		{ "inspect", no_argument, NULL, ARG_INSPECT },
		{ "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "log-level", required_argument, NULL, 'l' },
		{}
	};
	struct manager_options opts = { .root = "" };
	const char *config = RECLAIMD_CONFIG_FILE;
	bool config_required = false, do_inspect = false, check_config = false;
	struct manager *m = NULL;
	struct conf *conf = NULL;
	int c, r, log_level = -1;
	const char *log_level_name = NULL;

	while ((c = getopt_long(argc, argv, "hVc:nl:", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'c':
			config = optarg;
			config_required = true;
			break;
		case ARG_ROOT:
			opts.root = optarg;
			break;
		case ARG_SOCKET:
			opts.socket_path = optarg;
			break;
		case ARG_INSPECT:
			do_inspect = true;
			break;
		case ARG_CHECK_CONFIG:
			check_config = true;
			break;
		case 'n':
			opts.dry_run = true;
			break;
		case 'l':
			log_level = log_level_from_string(optarg);
			if (log_level < 0) {
				log_error("Unknown log level '%s': use err, warning, notice, "
					  "info or debug.",
					  optarg);
				return 2;
			}
			break;
		case '?':
			return 2;
		default:
			break;
		}
	}
	if (optind < argc) {
		log_error("%s takes no arguments: '%s'.", program_invocation_short_name,
			  argv[optind]);
		return 2;
	}
	if (log_level >= 0)
		log_set_max_level(log_level);

	/* EX_CONFIG: the unit's RestartPreventExitStatus= does not restart a
	 * daemon whose configuration is wrong. */
	r = load_config(config, config_required, &conf);
	if (r < 0)
		return EX_CONFIG;
	/* Levels above err (crit, alert, emerg) are not LogLevel= values. */
	if (log_level >= LOG_ERR)
		log_level_name = log_level_to_string(log_level);
	r = apply_cmdline(conf, &opts, log_level_name);
	if (r < 0) {
		conf_free(conf);
		return 2;
	}
	if (check_config) {
		printf("%s: OK\n", config);
		conf_free(conf);
		return EXIT_SUCCESS;
	}
	if (log_level < 0)
		log_set_max_level(conf_reclaim(conf)->log_level);
	if (do_inspect) {
		r = inspect(opts.root, conf);
		conf_free(conf);
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	lock_memory();
	raise_fd_limit();
	/* A client that disconnects mid-reply must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	r = manager_new(&opts, conf, &m); /* takes conf over, even on failure */
	if (r < 0)
		return EXIT_FAILURE;
	if (log_level >= 0)
		log_set_max_level(log_level);
	r = manager_run(m);
	manager_free(m);
	log_info("Stopped.");
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
