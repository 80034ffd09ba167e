/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Config loading from files: a main file and drop-ins, as the daemon reads
 * them at start and on reload. The input is split at "\n--\n" into the
 * main file and up to 8 drop-ins (00.conf, 01.conf, ...; the last one may
 * be a non-.conf name, which must be ignored). conf_load() must return a
 * config or "FILE:LINE: message"; a loaded config must dump, reload from
 * the same files to the same settings, and answer lookups.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "log.h"

static char dir[] = "/tmp/fuzz-conf-dropins.XXXXXX", main_path[128], dropins[160];

static void write_file(const char *path, const uint8_t *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_max_level(LOG_CRIT);
	if (!mkdtemp(dir))
		abort();
	snprintf(main_path, sizeof(main_path), "%s/reclaimd.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s.d", main_path);
	if (mkdir(dropins, 0700) < 0)
		abort();
	return 0;
}

static void clear_dropins(void)
{
	char path[256];

	for (unsigned i = 0; i < 9; i++) {
		snprintf(path, sizeof(path), "%s/%02u.conf", dropins, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/zz.conf.disabled", dropins);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_conf_free_ struct conf *c = NULL, *again = NULL;
	const uint8_t *p = data, *end = data + size;
	struct json_object *j, *j2;
	char err[1024], path[256];
	unsigned part = 0;

	clear_dropins();
	while (p <= end && part < 10) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\n--\n", 4);
		size_t n = sep ? (size_t)(sep - p) + 1 : (size_t)(end - p);

		if (part == 0)
			snprintf(path, sizeof(path), "%s", main_path);
		else if (part < 9)
			snprintf(path, sizeof(path), "%s/%02u.conf", dropins, part - 1);
		else
			snprintf(path, sizeof(path), "%s/zz.conf.disabled", dropins);
		write_file(path, p, n);
		part++;
		if (!sep)
			break;
		p = sep + 4;
	}
	if (conf_load(main_path, dropins, &c, err, sizeof(err)) < 0) {
		/* Every error names the file it is in. */
		if (strncmp(err, dir, strlen(dir)) != 0)
			__builtin_trap();
		return 0;
	}
	j = conf_to_json(c);
	if (!j || !json_object_to_json_string(j))
		__builtin_trap();
	/* The same files read again give the same settings. */
	if (conf_reload(c, &again, err, sizeof(err)) < 0)
		__builtin_trap();
	j2 = conf_to_json(again);
	if (!j2 || strcmp(json_object_to_json_string(j), json_object_to_json_string(j2)) != 0)
		__builtin_trap();
	json_object_put(j);
	json_object_put(j2);
	j = conf_settings_json(c);
	json_object_put(j);
	return 0;
}
