/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Config text: conf_load_string() must return a config or an error with a
 * message, never crash; a loaded config must dump and answer lookups.
 */

#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "", "/", "web.slice", "web.slice/nginx.service",
					     "a/b/c" };
	_cleanup_conf_free_ struct conf *c = NULL;
	struct conf_cgroup_policy p;
	struct conf_reclaim r;
	struct json_object *j;
	char err[1024];

	log_set_max_level(LOG_CRIT);
	if (conf_load_string((const char *)data, size, "fuzz.conf", &c, err, sizeof(err)) < 0) {
		/* Every error names where it is. */
		if (strncmp(err, "fuzz.conf:", 10) != 0)
			__builtin_trap();
		return 0;
	}
	j = conf_to_json(c);
	if (!j || !json_object_to_json_string(j))
		__builtin_trap();
	json_object_put(j);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)conf_cgroup_policy(c, paths[i], &p);
	for (unsigned node = 0; node < 4; node++) {
		conf_node_reclaim(c, node, &r);
		(void)conf_headroom_bytes(&r, UINT64_C(1) << 40);
	}
	/* The first line, as "KEY VALUE", through the runtime path too. */
	{
		char line[256], *sp, buf[256];
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;

		if (!nl || n >= sizeof(line) || memchr(data, '\0', n))
			return 0;
		memcpy(line, data, n);
		line[n] = '\0';
		sp = strchr(line, ' ');
		if (!sp)
			return 0;
		*sp = '\0';
		if (conf_set(c, line, sp + 1, err, sizeof(err)) == 0 &&
		    conf_get(c, line, buf, sizeof(buf)) < 0)
			__builtin_trap(); /* a key that was set can be read back */
		j = conf_settings_json(c);
		json_object_put(j);
	}
	return 0;
}
