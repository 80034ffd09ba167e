/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl-prometheus.h"
#include "ctl-proto.h"
#include "util.h"

struct request_case {
	const char *line;
	int r;                  /* expected return */
	int64_t id;             /* expected id (also on failure) */
	int cmd;                /* expected command id on success */
	const char *message;    /* substring of the error message */
};

static void test_request_parse_valid(void **state)
{
	static const struct request_case cases[] = {
		{ "{\"v\":1,\"id\":7,\"cmd\":\"status\"}", 0, 7, CTL_CMD_STATUS, NULL },
		{ "{\"v\":1,\"cmd\":\"nodes\",\"args\":{}}", 0, -1, CTL_CMD_NODES, NULL },
		{ "{\"v\":1,\"id\":null,\"cmd\":\"cgroups\",\"args\":null}", 0, -1, CTL_CMD_CGROUPS, NULL },
		{ "{\"v\":1,\"id\":0,\"cmd\":\"stats\",\"args\":{\"reset\":true}}", 0, 0, CTL_CMD_STATS, NULL },
		{ "{\"v\":1,\"id\":1,\"cmd\":\"config\"}  \r", 0, 1, CTL_CMD_CONFIG, NULL },
		{ "{\"v\":1,\"id\":2,\"cmd\":\"set\",\"args\":{\"key\":\"Node.Headroom\",\"value\":\"5%\"}}", 0, 2, CTL_CMD_SET, NULL },
		{ "{\"v\":1,\"id\":3,\"cmd\":\"reload\"}", 0, 3, CTL_CMD_RELOAD, NULL },
		{ "{\"v\":1,\"id\":4,\"cmd\":\"pause\"}", 0, 4, CTL_CMD_PAUSE, NULL },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"resume\"}", 0, 5, CTL_CMD_RESUME, NULL },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":1048576}}", 0, 6, CTL_CMD_RECLAIM, NULL },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/batch.slice/a b\",\"bytes\":1,\"swappiness\":200}}", 0, 6, CTL_CMD_RECLAIM, NULL },
		{ "{\"v\":1,\"id\":8,\"cmd\":\"boost\",\"args\":{\"node\":1023,\"bytes\":4096}}", 0, 8, CTL_CMD_BOOST, NULL },
		{ "{\"v\":1,\"id\":9223372036854775807,\"cmd\":\"watch\"}", 0, INT64_MAX, CTL_CMD_WATCH, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_request req;
		struct ctl_error e = { 0 };
		int64_t id = 12345;
		int r = ctl_request_parse(cases[i].line, strlen(cases[i].line), &req, &id, &e);

		if (r != 0)
			fail_msg("case %zu: %s -> %d %s", i, cases[i].line, r, e.message);
		assert_int_equal(id, cases[i].id);
		assert_int_equal(req.id, cases[i].id);
		assert_int_equal(req.command->id, cases[i].cmd);
		assert_ptr_equal(req.command, &ctl_commands[cases[i].cmd]);
		assert_true(json_object_is_type(req.args, json_type_object));
		ctl_request_done(&req);
		assert_null(req.args);
	}
}

static void test_request_parse_args_values(void **state)
{
	static const char line[] =
		"{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a/b\","
		"\"bytes\":18446744073709551615,\"swappiness\":0}}";
	static const char big[] =
		"{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"node\":0,"
		"\"bytes\":1125899906842624}}";
	struct ctl_request req;
	struct ctl_error e;
	struct json_object *v;
	int64_t id;

	(void)state;
	/* 2^64-1 bytes is above the 1 PiB cap. */
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, &id, &e), -ERANGE);
	assert_non_null(strstr(e.message, "at most 1125899906842624, not 18446744073709551615"));
	assert_int_equal(id, 6);

	assert_int_equal(ctl_request_parse(big, strlen(big), &req, &id, &e), 0);
	assert_true(json_object_object_get_ex(req.args, "bytes", &v));
	assert_int_equal(json_object_get_uint64(v), UINT64_C(1) << 50);
	assert_true(json_object_object_get_ex(req.args, "node", &v));
	assert_int_equal(json_object_get_int(v), 0);
	ctl_request_done(&req);
}

static void test_request_parse_errors(void **state)
{
	static const struct request_case cases[] = {
		/* not JSON */
		{ "", -EINVAL, -1, 0, "ends before the object is complete" },
		{ "hello", -EINVAL, -1, 0, "not valid JSON" },
		{ "{\"v\":1,", -EINVAL, -1, 0, "ends before" },
		{ "{v:1}", -EINVAL, -1, 0, "not valid JSON" },
		{ "{\"v\":1,\"cmd\":\"status\",}", -EINVAL, -1, 0, "not valid JSON" },
		{ "{\"v\":1,\"cmd\":\"status\"} {}", -EINVAL, -1, 0, "not valid JSON (unexpected character near byte 23)" },
		{ "{\"v\":1,\"cmd\":\"st\xff\xfe\"}", -EINVAL, -1, 0, "not valid JSON" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", -EINVAL, -1, 0, "not valid JSON" },
		/* not an object */
		{ "[1,2]", -EINVAL, -1, 0, "must be a JSON object like" },
		{ "\"status\"", -EINVAL, -1, 0, "not a string" },
		{ "null", -EINVAL, -1, 0, "not null" },
		/* version */
		{ "{\"id\":3,\"cmd\":\"status\"}", -EINVAL, 3, 0, "no protocol version" },
		{ "{\"v\":\"1\",\"id\":3,\"cmd\":\"status\"}", -EINVAL, 3, 0, "\"v\" must be the integer 1, not a string" },
		{ "{\"v\":2,\"id\":3,\"cmd\":\"status\"}", -EPROTO, 3, 0, "request is version 2" },
		/* id */
		{ "{\"v\":1,\"id\":-1,\"cmd\":\"status\"}", -EINVAL, -1, 0, "\"id\" must be a non-negative integer" },
		{ "{\"v\":1,\"id\":\"x\",\"cmd\":\"status\"}", -EINVAL, -1, 0, "not a string" },
		{ "{\"v\":1,\"id\":1.5,\"cmd\":\"status\"}", -EINVAL, -1, 0, "not a fractional number" },
		{ "{\"v\":1,\"id\":9223372036854775808,\"cmd\":\"status\"}", -ERANGE, -1, 0, "\"id\" must be at most 9223372036854775807" },
		/* fields and commands */
		{ "{\"v\":1,\"id\":4,\"cmd\":\"status\",\"sudo\":true}", -EINVAL, 4, 0, "Unknown field \"sudo\"" },
		{ "{\"v\":1,\"id\":4}", -EINVAL, 4, 0, "no \"cmd\"" },
		{ "{\"v\":1,\"id\":4,\"cmd\":42}", -EINVAL, 4, 0, "\"cmd\" must be a command name string, not an integer" },
		{ "{\"v\":1,\"id\":4,\"cmd\":\"shutdown\"}", -EOPNOTSUPP, 4, 0, "Unknown command \"shutdown\"; the commands are: status, nodes" },
		{ "{\"v\":1,\"id\":4,\"cmd\":\"STATUS\"}", -EOPNOTSUPP, 4, 0, "Unknown command" },
		{ "{\"v\":1,\"id\":4,\"cmd\":\"sta\\u0000tus\"}", -EINVAL, 4, 0, "\"cmd\" must be a command name string" },
		{ "{\"v\":1,\"id\":4,\"cmd\":\"status\",\"args\":[]}", -EINVAL, 4, 0, "\"args\" must be an object, not an array" },
		/* arguments */
		{ "{\"v\":1,\"id\":5,\"cmd\":\"status\",\"args\":{\"x\":1}}", -EINVAL, 5, 0, "\"status\" has no argument \"x\"; its arguments are: none" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":1,\"force\":true}}", -EINVAL, 5, 0, "its arguments are: node, cgroup, bytes, swappiness" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"stats\",\"args\":{\"reset\":1}}", -EINVAL, 5, 0, "\"reset\" of \"stats\" must be true or false, not an integer" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"stats\",\"args\":{\"reset\":\"yes\"}}", -EINVAL, 5, 0, "not a string" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"set\",\"args\":{\"key\":\"a\"}}", -EINVAL, 5, 0, "\"set\" needs argument \"value\"" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"set\",\"args\":{\"key\":1,\"value\":\"2\"}}", -EINVAL, 5, 0, "\"key\" of \"set\" must be a string, not an integer" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"set\",\"args\":{\"key\":\"a\\nb\",\"value\":\"2\"}}", -EINVAL, 5, 0, "NUL or control character" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"set\",\"args\":{\"key\":\"a\",\"value\":\"2\\u0000rm\"}}", -EINVAL, 5, 0, "NUL or control character" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"bytes\":1}}", -EINVAL, 5, 0, "needs exactly one of \"node\" or \"cgroup\"" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"cgroup\":\"/a\",\"bytes\":1}}", -EINVAL, 5, 0, "needs exactly one of" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0}}", -EINVAL, 5, 0, "needs argument \"bytes\"" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":-1,\"bytes\":1}}", -EINVAL, 5, 0, "must be a non-negative integer, not negative an integer" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":1024,\"bytes\":1}}", -ERANGE, 5, 0, "\"node\" of \"reclaim\" must be at most 1023, not 1024" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":\"1G\"}}", -EINVAL, 5, 0, "\"bytes\" of \"reclaim\" must be a non-negative integer, not a string" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":1e9}}", -EINVAL, 5, 0, "not a fractional number" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":1,\"swappiness\":201}}", -ERANGE, 5, 0, "at most 200, not 201" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"boost\",\"args\":{\"bytes\":1}}", -EINVAL, 5, 0, "\"boost\" needs argument \"node\"" },
		/* strict UTF-8 in strings acted on: json-c lets an overlong form
		 * through (found by fuzz-ctl-proto) */
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a\xc0\xb8\",\"bytes\":1}}", -EINVAL, 5, 0, "\"cgroup\" of \"reclaim\" is not valid UTF-8" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"st\xe0\x80\x80\"}", -EINVAL, 5, 0, "\"cmd\" must be a command name string" },
		/* bytes is documented 1..2^50 (issue 17 B15) */
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"node\":0,\"bytes\":0}}", -ERANGE, 5, 0, "\"bytes\" of \"reclaim\" must be at least 1, not 0" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a\",\"bytes\":0}}", -ERANGE, 5, 0, "at least 1, not 0" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"boost\",\"args\":{\"node\":0,\"bytes\":0}}", -ERANGE, 5, 0, "\"bytes\" of \"boost\" must be at least 1, not 0" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"boost\",\"args\":{\"node\":0,\"bytes\":1125899906842625}}", -ERANGE, 5, 0, "at most 1125899906842624" },
		{ "{\"v\":1,\"id\":5,\"cmd\":\"boost\",\"args\":{\"node\":true,\"bytes\":1}}", -EINVAL, 5, 0, "not a boolean" },
		/* cgroup path traversal and junk */
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/../etc\",\"bytes\":1}}", -EINVAL, 6, 0, "absolute path below the cgroup root" },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a/../../b\",\"bytes\":1}}", -EINVAL, 6, 0, "absolute path" },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"a/b\",\"bytes\":1}}", -EINVAL, 6, 0, "absolute path" },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"\",\"bytes\":1}}", -EINVAL, 6, 0, "absolute path" },
		{ "{\"v\":1,\"id\":6,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"\\/..\",\"bytes\":1}}", -EINVAL, 6, 0, "absolute path" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_request req = { .id = 4242, .command = NULL, .args = NULL };
		struct ctl_error e = { 0 };
		int64_t id = 12345;
		int r = ctl_request_parse(cases[i].line, strlen(cases[i].line), &req, &id, &e);

		if (r != cases[i].r || e.code != cases[i].r || !strstr(e.message, cases[i].message))
			fail_msg("case %zu: %s -> %d (want %d) \"%s\" (want \"%s\")", i,
				 cases[i].line, r, cases[i].r, e.message, cases[i].message);
		assert_int_equal(id, cases[i].id);
		/* Sentinel: the output is untouched on failure. */
		assert_int_equal(req.id, 4242);
		assert_null(req.command);
		assert_null(req.args);
	}
}

static void test_request_parse_len_not_nul(void **state)
{
	/* The parser reads len bytes, not up to a NUL: a request embedded in a
	 * larger buffer parses on its own. */
	static const char buf[] = "{\"v\":1,\"id\":1,\"cmd\":\"status\"}GARBAGE";
	struct ctl_request req;
	struct ctl_error e;
	int64_t id;

	(void)state;
	assert_int_equal(ctl_request_parse(buf, strlen(buf) - 7, &req, &id, &e), 0);
	ctl_request_done(&req);
	assert_int_equal(ctl_request_parse(buf, strlen(buf), &req, &id, &e), -EINVAL);
	/* An embedded NUL byte is not JSON. */
	assert_int_equal(ctl_request_parse("{\"v\":1}\0{}", 10, &req, &id, &e), -EINVAL);
	/* Nor is a NUL after a whole request blank (issue 17 B15). */
	assert_int_equal(ctl_request_parse(buf, strlen(buf) - 7, &req, &id, &e), 0);
	ctl_request_done(&req);
	assert_int_equal(ctl_request_parse("{\"v\":1,\"id\":1,\"cmd\":\"status\"}\0", 30, &req, &id,
					   &e), -EINVAL);
	assert_non_null(strstr(e.message, "Unexpected data after the JSON object at byte 29"));
	assert_int_equal(ctl_request_parse("{\"v\":1,\"id\":1,\"cmd\":\"status\"} \t\r", 32, &req, &id,
					   &e), 0);
	ctl_request_done(&req);
	assert_false(ctl_is_blank('\0'));
	assert_true(ctl_is_blank(' '));
}

static bool valid_utf8(const char *s)
{
	return utf8_prefix(s, strlen(s)) == strlen(s);
}

/* Issue 17 B12: no reply carries invalid UTF-8, and an echoed name is
 * never cut inside a character. */
static void test_utf8_replies(void **state)
{
	/* 63 ASCII bytes, then a 2-byte character across the 64-byte cut. */
	static const char name[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9zz";
	static const char *const around[][2] = {
		{ "{\"v\":1,\"cmd\":\"", "\"}" },
		{ "{\"v\":1,\"cmd\":\"status\",\"", "\":1}" },
		{ "{\"v\":1,\"cmd\":\"status\",\"args\":{\"", "\":1}}" },
	};
	struct ctl_request req;
	struct ctl_error e;
	struct json_object *o;
	char line[256], *s;
	int64_t id;

	(void)state;
	for (size_t i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
		snprintf(line, sizeof(line), "%s%s%s", around[i][0], name, around[i][1]);
		assert_true(ctl_request_parse(line, strlen(line), &req, &id, &e) < 0);
		if (!valid_utf8(e.message))
			fail_msg("case %zu: invalid UTF-8 in \"%s\"", i, e.message);
		/* Cut before the character, not inside it. */
		assert_non_null(strstr(e.message, "aaaa\""));
		s = ctl_reply_format_error(1, e.code, e.message);
		assert_true(valid_utf8(s));
		free(s);
	}
	/* Bytes from elsewhere (a cgroup name on disk, a handler's message)
	 * are replaced, and the line stays JSON. */
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string("/bad\xff\xfe/cut\xc3"));
	s = ctl_reply_format_ok(1, o);
	assert_string_equal(s, "{\"v\":1,\"id\":1,\"ok\":true,\"result\":{\"path\":"
			       "\"/bad\xef\xbf\xbd\xef\xbf\xbd/cut\xef\xbf\xbd\"}}\n");
	free(s);
	json_object_put(o);
	s = ctl_reply_format_error(1, -ENOENT, "No cgroup /\xed\xa0\x80 (a surrogate)");
	assert_true(valid_utf8(s));
	assert_non_null(strstr(s, "/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd (a surrogate)"));
	free(s);
	/* A request with bytes json-c takes but RFC 3629 does not (an overlong
	 * form, a surrogate) is refused, so no reply echoes it altered (found
	 * by fuzz-ctl-proto's round trip). */
	static const char *const bad[] = {
		"{\"v\":1,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/a\xc0\xbb\",\"bytes\":1}}",
		"{\"v\":1,\"cmd\":\"reclaim\",\"args\":{\"cgroup\":\"/\xed\xa0\x80\",\"bytes\":1}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctl_request_parse(bad[i], strlen(bad[i]), &req, &id, &e), -EINVAL);
		assert_non_null(strstr(e.message, "not valid UTF-8"));
	}
	s = ctl_reply_format_error(1, -ENOENT, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_non_null(strstr(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
	free(s);
}

static void test_cgroup_path(void **state)
{
	static const struct {
		const char *path;
		bool valid;
	} cases[] = {
		{ "/", true },
		{ "/a", true },
		{ "/system.slice/foo.service", true },
		{ "/a/..b/c..", true },
		{ "/.hidden", true },
		{ "", false },
		{ "a", false },
		{ "//", false },
		{ "/a//b", false },
		{ "/a/", false },
		{ "/.", false },
		{ "/..", false },
		{ "/a/./b", false },
		{ "/a/../b", false },
		{ "/a/..", false },
		{ "/a\tb", false },
		{ "/a\x7f", false },
	};
	char longpath[5000];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ctl_cgroup_path_valid(cases[i].path) != cases[i].valid)
			fail_msg("case %zu: \"%s\" want %d", i, cases[i].path, cases[i].valid);
	assert_false(ctl_cgroup_path_valid(NULL));
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[4095] = '\0';
	assert_true(ctl_cgroup_path_valid(longpath));
	longpath[4095] = 'a';
	longpath[4096] = '\0';
	assert_false(ctl_cgroup_path_valid(longpath));
}

static void test_command_table(void **state)
{
	struct json_object *args;

	(void)state;
	for (size_t i = 0; i < _CTL_CMD_MAX; i++) {
		assert_int_equal(ctl_commands[i].id, i);
		assert_non_null(ctl_commands[i].name);
		assert_non_null(ctl_commands[i].help);
		assert_ptr_equal(ctl_command_find(ctl_commands[i].name), &ctl_commands[i]);
	}
	assert_null(ctl_command_find("nope"));
	assert_null(ctl_command_find(NULL));

	/* Exactly these commands change the daemon. */
	assert_false(ctl_commands[CTL_CMD_STATUS].mutating);
	assert_false(ctl_commands[CTL_CMD_NODES].mutating);
	assert_false(ctl_commands[CTL_CMD_CGROUPS].mutating);
	assert_false(ctl_commands[CTL_CMD_STATS].mutating);
	assert_false(ctl_commands[CTL_CMD_CONFIG].mutating);
	assert_false(ctl_commands[CTL_CMD_WATCH].mutating);
	assert_true(ctl_commands[CTL_CMD_SET].mutating);
	assert_true(ctl_commands[CTL_CMD_RELOAD].mutating);
	assert_true(ctl_commands[CTL_CMD_PAUSE].mutating);
	assert_true(ctl_commands[CTL_CMD_RESUME].mutating);
	assert_true(ctl_commands[CTL_CMD_RECLAIM].mutating);
	assert_true(ctl_commands[CTL_CMD_BOOST].mutating);

	/* stats mutates only with reset:true. */
	args = json_tokener_parse("{\"reset\":true}");
	assert_true(ctl_command_is_mutating(&ctl_commands[CTL_CMD_STATS], args));
	json_object_put(args);
	args = json_tokener_parse("{\"reset\":false}");
	assert_false(ctl_command_is_mutating(&ctl_commands[CTL_CMD_STATS], args));
	json_object_put(args);
	assert_false(ctl_command_is_mutating(&ctl_commands[CTL_CMD_STATS], NULL));
	assert_true(ctl_command_is_mutating(&ctl_commands[CTL_CMD_PAUSE], NULL));
	assert_true(ctl_commands[CTL_CMD_WATCH].stream);
}

static void test_error_codes(void **state)
{
	(void)state;
	assert_string_equal(ctl_error_code_to_string(-EPERM), "EPERM");
	assert_string_equal(ctl_error_code_to_string(EINVAL), "EINVAL");
	assert_string_equal(ctl_error_code_to_string(-EUSERS), "EUSERS");
	assert_string_equal(ctl_error_code_to_string(-EXDEV), "EIO");
	/* Path errors are named, not EIO (issue 17 B15). */
	assert_string_equal(ctl_error_code_to_string(-ELOOP), "ELOOP");
	assert_string_equal(ctl_error_code_to_string(-EISDIR), "EISDIR");
	assert_string_equal(ctl_error_code_to_string(-ENOTDIR), "ENOTDIR");
	assert_string_equal(ctl_error_code_to_string(-ENAMETOOLONG), "ENAMETOOLONG");
	assert_int_equal(ctl_error_code_from_string("ELOOP"), -ELOOP);
	assert_string_equal(ctl_error_code_to_string(0), "EIO");
	assert_int_equal(ctl_error_code_from_string("EPERM"), -EPERM);
	assert_int_equal(ctl_error_code_from_string("E2BIG"), -E2BIG);
	assert_int_equal(ctl_error_code_from_string("ETIMEDOUT"), -ETIMEDOUT);
	assert_int_equal(ctl_error_code_from_string("EWHATEVER"), -EIO);
	assert_int_equal(ctl_error_code_from_string(NULL), -EIO);
	/* Every name said is read back as its errno. */
	for (int e = 1; e < 256; e++) {
		const char *name = ctl_error_code_to_string(-e);

		if (e == EIO || !streq(name, "EIO"))
			assert_int_equal(ctl_error_code_from_string(name), -e);
	}
}

static void test_encode(void **state)
{
	struct json_object *o = json_tokener_parse("{\"path\":\"/a/b\",\"n\":1}");
	char *s;

	(void)state;
	s = ctl_request_format(3, "reclaim", o);
	assert_string_equal(s, "{\"v\":1,\"id\":3,\"cmd\":\"reclaim\",\"args\":{\"path\":\"/a/b\",\"n\":1}}\n");
	free(s);
	s = ctl_request_format(-1, "status", NULL);
	assert_string_equal(s, "{\"v\":1,\"id\":null,\"cmd\":\"status\",\"args\":{}}\n");
	free(s);
	s = ctl_reply_format_ok(9, o);
	assert_string_equal(s, "{\"v\":1,\"id\":9,\"ok\":true,\"result\":{\"path\":\"/a/b\",\"n\":1}}\n");
	free(s);
	s = ctl_reply_format_ok(9, NULL);
	assert_string_equal(s, "{\"v\":1,\"id\":9,\"ok\":true,\"result\":{}}\n");
	free(s);
	s = ctl_reply_format_error(-1, -EPERM, "No.\nReally \"no\".");
	assert_string_equal(s, "{\"v\":1,\"id\":null,\"error\":{\"code\":\"EPERM\",\"message\":\"No.\\nReally \\\"no\\\".\"}}\n");
	free(s);
	s = ctl_reply_format_error(2, -ENOENT, NULL);
	assert_string_equal(s, "{\"v\":1,\"id\":2,\"error\":{\"code\":\"ENOENT\",\"message\":\"No such file or directory\"}}\n");
	free(s);
	s = ctl_event_format(o);
	assert_string_equal(s, "{\"v\":1,\"event\":{\"path\":\"/a/b\",\"n\":1}}\n");
	free(s);
	/* Borrowed, not consumed. */
	assert_int_equal(json_object_object_length(o), 2);
	json_object_put(o);
}

static void test_reply_roundtrip(void **state)
{
	struct json_object *o = json_tokener_parse("{\"mode\":\"dry-run\"}"), *v;
	struct ctl_reply reply;
	struct ctl_error e;
	char *s;

	(void)state;
	s = ctl_reply_format_ok(41, o);
	assert_int_equal(ctl_reply_parse(s, strlen(s) - 1, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_OK);
	assert_int_equal(reply.id, 41);
	assert_true(json_object_object_get_ex(reply.payload, "mode", &v));
	assert_string_equal(json_object_get_string(v), "dry-run");
	ctl_reply_done(&reply);
	free(s);

	s = ctl_reply_format_error(42, -EPERM, "go away");
	assert_int_equal(ctl_reply_parse(s, strlen(s) - 1, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_ERROR);
	assert_int_equal(reply.id, 42);
	assert_int_equal(reply.error.code, -EPERM);
	assert_string_equal(reply.error.message, "go away");
	assert_null(reply.payload);
	free(s);

	s = ctl_event_format(o);
	assert_int_equal(ctl_reply_parse(s, strlen(s) - 1, &reply, &e), 0);
	assert_int_equal(reply.kind, CTL_REPLY_EVENT);
	assert_int_equal(reply.id, -1);
	ctl_reply_done(&reply);
	free(s);
	json_object_put(o);
}

static void test_reply_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"nope",
		"[]",
		"{\"id\":1,\"ok\":true,\"result\":{}}",
		"{\"v\":2,\"id\":1,\"ok\":true,\"result\":{}}",
		"{\"v\":1,\"id\":1,\"ok\":false,\"result\":{}}",
		"{\"v\":1,\"id\":1,\"ok\":true}",
		"{\"v\":1,\"id\":1,\"ok\":true,\"result\":[]}",
		"{\"v\":1,\"id\":1,\"error\":{\"code\":\"EPERM\"}}",
		"{\"v\":1,\"id\":1,\"error\":\"EPERM\"}",
		"{\"v\":1,\"event\":3}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_reply reply = { .kind = 99, .id = 77 };
		struct ctl_error e = { 0 };

		if (ctl_reply_parse(bad[i], strlen(bad[i]), &reply, &e) != -EBADMSG)
			fail_msg("case %zu: %s accepted", i, bad[i]);
		assert_int_equal(e.code, -EBADMSG);
		assert_true(strlen(e.message) > 10);
		assert_int_equal(reply.kind, 99);
		assert_int_equal(reply.id, 77);
	}
}

static void test_prometheus(void **state)
{
	static const char stats[] =
		"{\"counters\":["
		"{\"name\":\"runs_total\",\"type\":\"counter\",\"help\":\"Runs\\nstarted\",\"labels\":{\"node\":\"0\"},\"value\":12},"
		"{\"name\":\"free_bytes\",\"type\":\"gauge\",\"help\":\"Free\",\"labels\":{\"node\":1,\"zone\":\"Nor\\\"mal\"},\"value\":4096},"
		"{\"name\":\"runs_total\",\"type\":\"counter\",\"help\":\"Runs\",\"labels\":{\"node\":\"1\"},\"value\":18446744073709551615},"
		"{\"name\":\"bad-name\",\"value\":1},"
		"{\"name\":\"no_value\"},"
		"{\"name\":\"bad_label\",\"labels\":{\"__x\":\"1\"},\"value\":1},"
		"{\"name\":\"ratio\",\"value\":0.25},"
		"3"
		"]}";
	static const char want[] =
		"# HELP reclaimd_runs_total Runs\\nstarted\n"
		"# TYPE reclaimd_runs_total counter\n"
		"reclaimd_runs_total{node=\"0\"} 12\n"
		"reclaimd_runs_total{node=\"1\"} 18446744073709551615\n"
		"# HELP reclaimd_free_bytes Free\n"
		"# TYPE reclaimd_free_bytes gauge\n"
		"reclaimd_free_bytes{node=\"1\",zone=\"Nor\\\"mal\"} 4096\n"
		"# TYPE reclaimd_ratio untyped\n"
		"reclaimd_ratio 0.25\n";
	struct json_object *o = json_tokener_parse(stats);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	(void)state;
	assert_non_null(o);
	assert_int_equal(ctl_format_prometheus(o, f), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	json_object_put(o);

	o = json_tokener_parse("{\"counters\":{}}");
	f = open_memstream(&buf, &size);
	assert_int_equal(ctl_format_prometheus(o, f), -EINVAL);
	fclose(f);
	assert_int_equal(size, 0);
	free(buf);
	json_object_put(o);
}

/* A histogram entry: _bucket per le, +Inf from value, _sum, _count. */
static void test_prometheus_histogram(void **state)
{
	static const char stats[] =
		"{\"counters\":[{\"name\":\"write_duration_seconds\",\"type\":\"histogram\","
		"\"help\":\"Writes\",\"labels\":{\"node\":\"0\"},\"value\":3,"
		"\"buckets\":[[0.005,1],[0.1,2]],\"sum\":0.25,\"count\":3},"
		"{\"name\":\"bad_histogram\",\"type\":\"histogram\",\"value\":1,"
		"\"buckets\":[[1,\"x\"]],\"sum\":1}]}";
	static const char want[] =
		"# HELP reclaimd_write_duration_seconds Writes\n"
		"# TYPE reclaimd_write_duration_seconds histogram\n"
		"reclaimd_write_duration_seconds_bucket{node=\"0\",le=\"0.005\"} 1\n"
		"reclaimd_write_duration_seconds_bucket{node=\"0\",le=\"0.1\"} 2\n"
		"reclaimd_write_duration_seconds_bucket{node=\"0\",le=\"+Inf\"} 3\n"
		"reclaimd_write_duration_seconds_sum{node=\"0\"} 0.25\n"
		"reclaimd_write_duration_seconds_count{node=\"0\"} 3\n"
		"# TYPE reclaimd_bad_histogram untyped\n"
		"reclaimd_bad_histogram 1\n";
	struct json_object *o = json_tokener_parse(stats);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	(void)state;
	assert_non_null(o);
	assert_int_equal(ctl_format_prometheus(o, f), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_histogram),
		cmocka_unit_test(test_request_parse_valid),
		cmocka_unit_test(test_request_parse_args_values),
		cmocka_unit_test(test_request_parse_errors),
		cmocka_unit_test(test_request_parse_len_not_nul),
		cmocka_unit_test(test_utf8_replies),
		cmocka_unit_test(test_cgroup_path),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_reply_parse_errors),
		cmocka_unit_test(test_prometheus),
	};

	return cmocka_run_group_tests_name("ctl-proto", tests, NULL, NULL);
}
