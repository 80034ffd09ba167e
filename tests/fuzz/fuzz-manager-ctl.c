/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's command handlers (manager-ctl.c) behind the real control
 * server, on a copy of a 4-node fixture tree with cgroups, in dry-run:
 * every command with any arguments, pipelined, from an admin peer (the
 * fuzzer runs as root), then the half-close. Replies must be protocol
 * lines in valid UTF-8, and the daemon must keep answering.
 *
 * Not fuzzed: `set` of a key that names a file or the log (MetricsFile,
 * Socket, ...): the fuzzer runs as root and must not write where a
 * mutated path points; an input with one is skipped whole.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz-socket.h"
#include "log.h"
#include "manager.h"

static struct manager *m;

/* Keys a fuzzer must not set: they name files, or flood the log. */
static bool key_unsafe(const char *key)
{
	static const char *const words[] = { "file", "socket", "dir", "path", "log", "group" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(key, words[i]))
			return true;
	return false;
}

static bool input_unsafe(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ctl_request req;
		struct ctl_error e;
		struct json_object *k;
		int64_t id;

		if (ctl_request_parse(p, n, &req, &id, &e) == 0) {
			bool bad = req.command->id == CTL_CMD_SET &&
				   json_object_object_get_ex(req.args, "key", &k) &&
				   key_unsafe(json_object_get_string(k));

			ctl_request_done(&req);
			if (bad)
				return true;
		}
		p += n + 1;
	}
	return false;
}

static int run(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/fuzz-manager-ctl.XXXXXX", root[128], sock[128], conf_path[128],
		    dropins[160], cmd[1024];
	struct manager_options opts = { .dry_run = true };
	struct conf *conf = NULL;
	char err[1024];

	(void)argc;
	(void)argv;
	log_set_max_level(LOG_CRIT);
	if (!mkdtemp(dir))
		abort();
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(sock, sizeof(sock), "%s/control.sock", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/reclaimd.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s.d", conf_path);
	/* A copy: the actuator opens memory.reclaim for writing. */
	snprintf(cmd, sizeof(cmd),
		 "cp -r '%s/vm-6.12-4node' '%s' && chmod -R u+w '%s' && mkdir '%s' && "
		 "printf '[Reclaim]\\nRescanInterval=1h\\n[CGroup protected.slice]\\nProtect=yes\\n' >'%s' && "
		 "printf '[CGroup system.slice/cache.service]\\nWeight=400\\n' >'%s/10-web.conf'",
		 FIXTURES_DIR, root, root, dropins, conf_path, dropins);
	if (run(cmd) < 0)
		abort();
	if (conf_load(conf_path, dropins, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	opts.root = root;
	opts.socket_path = sock;
	if (manager_new(&opts, conf, &m) < 0)
		abort();
	log_set_max_level(LOG_CRIT);
	return 0;
}

static unsigned n_clients(void)
{
	return ctl_server_n_clients(m->ctl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t status[] = "x{\"v\":1,\"id\":1,\"cmd\":\"status\"}\n";

	if (input_unsafe(data + (size > 0), size - (size > 0)))
		return 0;
	(void)fuzz_socket_session(m->base, m->socket_path, data, size);
	fuzz_socket_settle(m->base, n_clients);
	/* Whatever came before, the daemon still answers. */
	if (fuzz_socket_session(m->base, m->socket_path, status, sizeof(status) - 1) == 0)
		__builtin_trap();
	fuzz_socket_settle(m->base, n_clients);
	return 0;
}
