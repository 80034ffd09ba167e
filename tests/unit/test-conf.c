/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <inttypes.h>
#include <stdlib.h>

#include "backend.h"
#include "conf.h"
#include "offload.h"
#include "watermark.h"
#include "util.h"

#define SHIPPED_CONF TOP_SRCDIR "/etc/reclaimd.conf.in"

#define SENTINEL ((struct conf *)(uintptr_t)0x5e47)

static struct conf *load_ok(const char *text)
{
	struct conf *c = NULL;
	char err[1024] = "";
	int r = conf_load_string(text, strlen(text), "test.conf", &c, err, sizeof(err));

	if (r < 0)
		fail_msg("unexpected error %d: %s", r, err);
	assert_non_null(c);
	return c;
}

/* Every default parses, is in range, and formats back to itself. */
static void test_defaults_round_trip(void **state)
{
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	char buf[256];

	assert_non_null(c);
	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_item *it = &conf_items[i];
		const void *base;
		struct conf_cgroup_policy p;

		assert_non_null(it->help);
		assert_true(strlen(it->help) > 20);
		if (it->section == CONF_SECTION_CGROUP) {
			conf_cgroup_policy(c, "x", &p);
			if (streq(it->name, "PressureLimit"))
				continue; /* resolved from [Reclaim] by the lookup */
			base = &p;
		} else if (it->section == CONF_SECTION_CONTROL)
			base = conf_control(c);
		else
			base = conf_reclaim(c);
		assert_int_equal(conf_format_value(it, base, buf, sizeof(buf)), 0);
		assert_string_equal(buf, it->default_value);
	}
}

static void test_default_values(void **state)
{
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	const struct conf_reclaim *r = conf_reclaim(c);

	assert_true(r->watermark_headroom.permyriad);
	assert_int_equal(r->watermark_headroom.value, 50);
	assert_int_equal(r->watermark_headroom_max_bytes, UINT64_C(1) << 30);
	assert_true(r->swappiness == CONF_SPECIAL);
	assert_int_equal(r->step_size_bytes, 32 << 20);
	assert_int_equal(r->rate_limit_bytes_per_sec, 128 << 20);
	assert_int_equal(r->monitor_interval_min_usec, 100000);
	assert_int_equal(r->monitor_interval_max_usec, 2000000);
	assert_true(r->psi_trigger.enabled);
	assert_false(r->psi_trigger.full);
	assert_int_equal(r->psi_trigger.stall_usec, 150000);
	assert_int_equal(r->psi_trigger.window_usec, 1000000);
	assert_int_equal(r->psi_boost_bytes, 64 << 20);
	assert_int_equal(r->pressure_limit_permyriad, 1000);
	assert_int_equal(r->system_brake_permyriad, 500);
	assert_int_equal(r->pressure_window_usec, 2000000);
	assert_int_equal(r->rescan_interval_usec, 30000000);
	assert_false(r->dry_run);
	assert_false(r->paused);
	assert_int_equal(r->log_level, 6 /* LOG_INFO */);
	assert_string_equal(conf_control(c)->socket, RECLAIMD_SOCKET_PATH);
	assert_string_equal(conf_control(c)->admin_group, "");
	assert_string_equal(conf_control(c)->metrics_file, "");
}

/* The numbers the docs quote for a 1 GiB VM and a 1 TiB host. */
static void test_headroom(void **state)
{
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	_cleanup_conf_free_ struct conf *abs = NULL;

	/* 0.5% of 1 GiB = 5368709 bytes (5.1M). */
	assert_int_equal(conf_headroom_bytes(conf_reclaim(c), UINT64_C(1) << 30), 5368709);
	/* 0.5% of 1 TiB = 5.1G, capped at 1G. */
	assert_int_equal(conf_headroom_bytes(conf_reclaim(c), UINT64_C(1) << 40),
			 UINT64_C(1) << 30);
	/* A size is not capped. */
	abs = load_ok("[Reclaim]\nWatermarkHeadroom=2G\n");
	assert_int_equal(conf_headroom_bytes(conf_reclaim(abs), UINT64_C(1) << 40),
			 UINT64_C(2) << 30);
	/* No overflow near 2^64. */
	assert_int_equal(conf_amount_bytes((struct conf_amount){ 10000, true }, UINT64_MAX),
			 UINT64_MAX);
}

struct error_case {
	const char *name;
	const char *text;
	const char *err;
};

/* Every class of invalid value: the exact message, and nothing returned. */
static void test_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "bad number", "[Reclaim]\nSwappiness=ten\n",
		  "test.conf:2: Swappiness=ten: not a number; expected an integer from 0 to 200, "
		  "or \"kernel\"" },
		{ "out of range", "# comment\n[Reclaim]\n\nSwappiness=201\n",
		  "test.conf:4: Swappiness=201: out of range; expected an integer from 0 to 200, "
		  "or \"kernel\"" },
		{ "negative", "[Reclaim]\nSwappiness=-1\n",
		  "test.conf:2: Swappiness=-1: not a number; expected an integer from 0 to 200, "
		  "or \"kernel\"" },
		{ "bad size suffix", "[Reclaim]\nStepSize=64Q\n",
		  "test.conf:2: StepSize=64Q: not a size; expected a size from 4K to 1G (bytes, "
		  "or with a K, M, G or T suffix)" },
		{ "size out of range", "[Reclaim]\nStepSize=2G\n",
		  "test.conf:2: StepSize=2G: out of range; expected a size from 4K to 1G (bytes, "
		  "or with a K, M, G or T suffix)" },
		{ "size overflow", "[Reclaim]\nRateLimit=99999999999T\n",
		  "test.conf:2: RateLimit=99999999999T: out of range; expected a size from 0 to "
		  "1T (bytes, or with a K, M, G or T suffix)" },
		{ "bad duration", "[Reclaim]\nMonitorIntervalMin=5parsecs\n",
		  "test.conf:2: MonitorIntervalMin=5parsecs: not a duration; expected a duration "
		  "from 10ms to 10s (a systemd time span such as \"1min 30s\" or \"500ms\"; a bare number is seconds)" },
		{ "duration out of range", "[Reclaim]\nRescanInterval=2h\n",
		  "test.conf:2: RescanInterval=2h: out of range; expected a duration from 1s to "
		  "1h (a systemd time span such as \"1min 30s\" or \"500ms\"; a bare number is seconds)" },
		{ "bad bool", "[Reclaim]\nDryRun=maybe\n",
		  "test.conf:2: DryRun=maybe: not a boolean; expected a boolean (yes/no, "
		  "true/false, on/off, 1/0)" },
		{ "bad enum", "[Reclaim]\nLogLevel=loud\n",
		  "test.conf:2: LogLevel=loud: unknown value; expected one of err, warning, "
		  "notice, info, debug" },
		{ "percent without %", "[Reclaim]\nPressureLimit=10\n",
		  "test.conf:2: PressureLimit=10: not a percentage; expected a percentage from "
		  "0% to 100% with at most two decimals" },
		{ "percent, three decimals", "[Reclaim]\nSystemBrake=0.125%\n",
		  "test.conf:2: SystemBrake=0.125%: not a percentage; expected a percentage from "
		  "0% to 100% with at most two decimals" },
		{ "percent over 100", "[Reclaim]\nSystemBrake=100.01%\n",
		  "test.conf:2: SystemBrake=100.01%: out of range; expected a percentage from 0% "
		  "to 100% with at most two decimals" },
		{ "amount percent over max", "[Reclaim]\nWatermarkHeadroom=25%\n",
		  "test.conf:2: WatermarkHeadroom=25%: out of range; expected a size up to 1T "
		  "(bytes, or with a K, M, G or T suffix), or a percentage from 0% to 20% with at "
		  "most two decimals" },
		/* issue 17 B10: a size without bound kept every node reclaiming (1P)
		 * or wrapped the marks (16383P). */
		{ "amount size over max", "[Reclaim]\nWatermarkHeadroom=1025G\n",
		  "test.conf:2: WatermarkHeadroom=1025G: out of range; expected a size up to 1T "
		  "(bytes, or with a K, M, G or T suffix), or a percentage from 0% to 20% with at "
		  "most two decimals" },
		{ "amount size far over max", "[Reclaim]\nWatermarkHeadroom=16383P\n",
		  "test.conf:2: WatermarkHeadroom=16383P: out of range; expected a size up to 1T "
		  "(bytes, or with a K, M, G or T suffix), or a percentage from 0% to 20% with at "
		  "most two decimals" },
		{ "floor over max", "[CGroup a]\nFloor=1025T\n",
		  "test.conf:2: Floor=1025T: out of range; expected a size from 0 to 1024T "
		  "(bytes, or with a K, M, G or T suffix)" },
		{ "psi trigger kind", "[Reclaim]\nPSITrigger=most 1 1000000\n",
		  "test.conf:2: PSITrigger=most 1 1000000: not a PSI trigger; expected \"some "
		  "STALL WINDOW\" or \"full STALL WINDOW\" in microseconds, WINDOW from 500000 to "
		  "10000000 and STALL from 1 to WINDOW, or \"off\"" },
		{ "psi trigger window", "[Reclaim]\nPSITrigger=some 100 100000\n",
		  "test.conf:2: PSITrigger=some 100 100000: out of range; expected \"some STALL "
		  "WINDOW\" or \"full STALL WINDOW\" in microseconds, WINDOW from 500000 to "
		  "10000000 and STALL from 1 to WINDOW, or \"off\"" },
		{ "psi trigger extra", "[Reclaim]\nPSITrigger=some 1 1000000 9\n",
		  "test.conf:2: PSITrigger=some 1 1000000 9: not a PSI trigger; expected \"some "
		  "STALL WINDOW\" or \"full STALL WINDOW\" in microseconds, WINDOW from 500000 to "
		  "10000000 and STALL from 1 to WINDOW, or \"off\"" },
		{ "relative socket", "[Control]\nSocket=control.sock\n",
		  "test.conf:2: Socket=control.sock: invalid; expected an absolute path" },
		{ "bad group", "[Control]\nAdminGroup=Wheel Users\n",
		  "test.conf:2: AdminGroup=Wheel Users: invalid; expected a group name, or empty" },
		{ "bad glob section", "[Reclaim]\nDryRun=no\n[CGroup web[.slice]\nWeight=5\n",
		  "test.conf:3: [CGroup web[.slice]: invalid cgroup pattern: unterminated '[' (a "
		  "section header ends at the first ']', so [...] classes cannot be used)" },
		{ "dotdot glob", "[CGroup ../etc]\nWeight=5\n",
		  "test.conf:1: [CGroup ../etc]: invalid cgroup pattern: \".\" or \"..\" component" },
		{ "bad glob, no keys", "[Reclaim]\n[CGroup a//b]\n",
		  "test.conf:2: [CGroup a//b]: invalid cgroup pattern: empty path component" },
		{ "bad node", "[Node x]\nStepSize=1M\n",
		  "test.conf:1: [Node x]: invalid node number; expected an integer from 0 to 1023" },
		{ "node too high", "[Node 1024]\nStepSize=1M\n",
		  "test.conf:1: [Node 1024]: invalid node number; expected an integer from 0 to "
		  "1023" },
		{ "bad value in cgroup", "[CGroup a*]\nWeight=0\n",
		  "test.conf:2: Weight=0: out of range; expected an integer from 1 to 10000" },
		{ "syntax", "[Reclaim]\nStepSize\n",
		  "test.conf:2: syntax error: expected [Section], Key=Value, or a comment" },
		{ "unclosed section", "[Reclaim\nStepSize=1M\n",
		  "test.conf:1: syntax error: expected [Section], Key=Value, or a comment" },
		{ "first error wins", "[Reclaim]\nStepSize=1\nSwappiness=300\n",
		  "test.conf:2: StepSize=1: out of range; expected a size from 4K to 1G (bytes, or "
		  "with a K, M, G or T suffix)" },
		{ "min above max", "[Reclaim]\nMonitorIntervalMin=5s\n",
		  "test.conf:2: MonitorIntervalMin=5s is above MonitorIntervalMax=2s (other value "
		  "from default)" },
		{ "max below min, blames later", "[Reclaim]\nMonitorIntervalMin=1s\nMonitorIntervalMax=500ms\n",
		  "test.conf:3: MonitorIntervalMin=1s is above MonitorIntervalMax=500ms (other "
		  "value from test.conf:2)" },
		{ "NUL byte", "[Reclaim]\nDryRun=no\0\n", "test.conf:2: NUL byte in line" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct conf *c = SENTINEL;
		char err[1024] = "";
		size_t len = strlen(cases[i].text);
		int r;

		if (streq(cases[i].name, "NUL byte"))
			len = 21;
		r = conf_load_string(cases[i].text, len, "test.conf", &c, err, sizeof(err));
		if (r != -EINVAL || !streq(err, cases[i].err))
			fail_msg("case '%s': r=%d\n got: %s\nwant: %s", cases[i].name, r, err,
				 cases[i].err);
		assert_ptr_equal(c, SENTINEL);
	}
}

static void test_long_line(void **state)
{
	char text[512], err[512];
	struct conf *c = SENTINEL;

	/* 196 bytes fit inih's 200-byte buffer with "\n\0"; 250 do not. */
	snprintf(text, sizeof(text), "[Control]\nMetricsFile=/%0*d\n", 196 - 13, 0);
	c = load_ok(text);
	assert_int_equal(strlen(conf_control(c)->metrics_file), 196 - 12);
	conf_free(c);

	c = SENTINEL;
	snprintf(text, sizeof(text), "[Control]\nMetricsFile=/%0*d\n", 250 - 13, 0);
	assert_int_equal(conf_load_string(text, strlen(text), "test.conf", &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "test.conf:2: line too long (250 bytes, at most 198)");
	assert_ptr_equal(c, SENTINEL);
}

struct warning_case {
	const char *name;
	const char *text;
	const char *warning;
};

/* Unknown sections and keys are ignored with a warning naming file:line. */
static void test_warnings(void **state)
{
	static const struct warning_case cases[] = {
		{ "unknown section", "[Reclaim]\nDryRun=yes\n[Foo]\nBar=1\nBaz=2\n",
		  "test.conf:3: unknown section [Foo], ignoring" },
		{ "unknown section, no keys", "[Reclaim]\nDryRun=yes\n[reclaim]\n",
		  "test.conf:3: unknown section [reclaim], ignoring" },
		{ "keys after unknown section", "[Foo]\nDryRun=no\n[Reclaim]\nDryRun=yes\n",
		  "test.conf:1: unknown section [Foo], ignoring" },
		{ "unknown key", "[Reclaim]\nFoo=1\nDryRun=yes\n",
		  "test.conf:2: unknown key Foo= in [Reclaim], ignoring" },
		{ "key case matters", "[Reclaim]\ndryrun=1\nDryRun=yes\n",
		  "test.conf:2: unknown key dryrun= in [Reclaim], ignoring" },
		{ "cgroup key in reclaim", "[Reclaim]\nWeight=5\nDryRun=yes\n",
		  "test.conf:2: unknown key Weight= in [Reclaim], ignoring" },
		{ "not per node", "[Node 0]\nDryRun=yes\n[Reclaim]\nDryRun=yes\n",
		  "test.conf:2: unknown key DryRun= in [Node 0] (not a per-node key), ignoring" },
		{ "outside section", "DryRun=no\n[Reclaim]\nDryRun=yes\n",
		  "test.conf:1: DryRun= outside of a section, ignoring" },
		{ "duplicate", "[Reclaim]\nDryRun=no\n\nDryRun=yes\n",
		  "test.conf:4: DryRun= in [Reclaim] was already set on line 2, the last "
		  "assignment wins" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_conf_free_ struct conf *c = load_ok(cases[i].text);

		if (conf_n_warnings(c) != 1 || !streq(conf_warning(c, 0), cases[i].warning))
			fail_msg("case '%s': %zu warnings, first: %s", cases[i].name,
				 conf_n_warnings(c), conf_warning(c, 0));
		/* The valid line after the ignored one still took effect. */
		assert_true(conf_reclaim(c)->dry_run);
		assert_null(conf_warning(c, 1));
	}
}

static void test_values(void **state)
{
	_cleanup_conf_free_ struct conf *c = load_ok(
		"; comment\n"
		"[Reclaim]\n"
		"WatermarkHeadroom = 64M\n"
		"Swappiness=0\n"
		"  StepSize=1.5M\n" /* indented: a key, not a continuation */
		"RateLimit=0 ; inline comment\n"
		"MonitorIntervalMin=1s\n"
		"MonitorIntervalMax=1min\n"
		"PSITrigger=full 50000 2000000\n"
		"PSIBoost=0\n"
		"PressureLimit=12.5%\n"
		"SystemBrake=0.01%\n"
		"PressureWindow=10s\n"
		"RescanInterval=90\n"
		"DryRun=on\n"
		"Paused=true\n"
		"LogLevel=debug\n"
		"[Control]\n"
		"Socket=/run/x.sock\n"
		"AdminGroup=reclaim-admins\n"
		"MetricsFile=/var/lib/prom/reclaimd.prom\n");
	const struct conf_reclaim *r = conf_reclaim(c);

	assert_int_equal(conf_n_warnings(c), 0);
	assert_false(r->watermark_headroom.permyriad);
	assert_int_equal(r->watermark_headroom.value, 64 << 20);
	assert_int_equal(r->swappiness, 0);
	assert_int_equal(r->step_size_bytes, 3 << 19);
	assert_int_equal(r->rate_limit_bytes_per_sec, 0);
	assert_int_equal(r->monitor_interval_min_usec, 1000000);
	assert_int_equal(r->monitor_interval_max_usec, 60000000);
	assert_true(r->psi_trigger.enabled && r->psi_trigger.full);
	assert_int_equal(r->psi_trigger.stall_usec, 50000);
	assert_int_equal(r->psi_trigger.window_usec, 2000000);
	assert_int_equal(r->psi_boost_bytes, 0);
	assert_int_equal(r->pressure_limit_permyriad, 1250);
	assert_int_equal(r->system_brake_permyriad, 1);
	assert_int_equal(r->pressure_window_usec, 10000000);
	assert_int_equal(r->rescan_interval_usec, 90000000);
	assert_true(r->dry_run);
	assert_true(r->paused);
	assert_int_equal(r->log_level, 7);
	assert_string_equal(conf_control(c)->socket, "/run/x.sock");
	assert_string_equal(conf_control(c)->admin_group, "reclaim-admins");
	assert_string_equal(conf_control(c)->metrics_file, "/var/lib/prom/reclaimd.prom");
}

/* "Key=" resets to the default; "off" disables the PSI trigger. */
static void test_reset_and_off(void **state)
{
	_cleanup_conf_free_ struct conf *c =
		load_ok("[Reclaim]\nStepSize=1M\nStepSize=\nPSITrigger=off\n");

	assert_int_equal(conf_reclaim(c)->step_size_bytes, 32 << 20);
	assert_false(conf_reclaim(c)->psi_trigger.enabled);
}

static void test_node_override(void **state)
{
	_cleanup_conf_free_ struct conf *c = load_ok("[Reclaim]\nStepSize=8M\n"
						      "[Node 1]\nStepSize=2M\nSwappiness=60\n"
						      "[Reclaim]\nRateLimit=1M\nStepSize=4M\n");
	struct conf_reclaim n0, n1;

	conf_node_reclaim(c, 0, &n0);
	conf_node_reclaim(c, 1, &n1);
	assert_int_equal(n0.step_size_bytes, 4 << 20);
	assert_true(n0.swappiness == CONF_SPECIAL);
	/* The node keeps its override even though [Reclaim] set StepSize later. */
	assert_int_equal(n1.step_size_bytes, 2 << 20);
	assert_int_equal(n1.swappiness, 60);
	/* and inherits what it does not override. */
	assert_int_equal(n1.rate_limit_bytes_per_sec, 1 << 20);
}

/* A node pauses on its own only where [Node N] Paused=yes differs from
 * [Reclaim]: the daemon's pause covers the rest, and `resume` undoes it. */
static void test_node_paused(void **state)
{
	static const struct {
		const char *text;
		bool paused[3]; /* nodes 0, 1, 2 */
	} cases[] = {
		{ "", { false, false, false } },
		{ "[Node 1]\nPaused=yes\n", { false, true, false } },
		/* The daemon's pause: no node is paused on its own. */
		{ "[Reclaim]\nPaused=yes\n", { false, false, false } },
		{ "[Reclaim]\nPaused=yes\n[Node 1]\nPaused=yes\n", { false, false, false } },
		{ "[Reclaim]\nPaused=yes\n[Node 1]\nPaused=no\n", { false, false, false } },
		{ "[Node 0]\nPaused=yes\n[Node 2]\nPaused=no\n", { true, false, false } },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_conf_free_ struct conf *c = load_ok(cases[i].text);

		for (unsigned n = 0; n < 3; n++)
			if (conf_node_paused(c, n) != cases[i].paused[n])
				fail_msg("case %zu node %u: paused should be %d", i, n,
					 cases[i].paused[n]);
	}
}

static void test_cgroup_policy(void **state)
{
	_cleanup_conf_free_ struct conf *c = load_ok("[Reclaim]\nPressureLimit=20%\n"
						      "[CGroup /web.slice*]\nProtect=yes\nWeight=300\n"
						      "[CGroup web.slice/batch-*.service]\nProtect=no\n"
						      "SoftTarget=1G\nPressureLimit=50%\n"
						      "[CGroup *]\nFloor=16M\n"
						      "[CGroup /]\nWeight=1\n");
	struct conf_cgroup_policy p;

	assert_true(conf_cgroup_policy(c, "/web.slice/nginx.service", &p));
	assert_true(p.protect);
	assert_int_equal(p.weight, 300);
	assert_int_equal(p.floor_bytes, 16 << 20);
	assert_true(p.soft_target_bytes == CONF_SPECIAL);
	assert_int_equal(p.pressure_limit_permyriad, 2000); /* inherited */

	/* A later section wins per key; the others still apply. */
	assert_true(conf_cgroup_policy(c, "web.slice/batch-7.service", &p));
	assert_false(p.protect);
	assert_int_equal(p.weight, 300);
	assert_int_equal(p.soft_target_bytes, UINT64_C(1) << 30);
	assert_int_equal(p.pressure_limit_permyriad, 5000);

	assert_true(conf_cgroup_policy(c, "system.slice", &p));
	assert_false(p.protect);
	assert_int_equal(p.weight, 100);
	assert_int_equal(p.floor_bytes, 16 << 20);

	/* "[CGroup /]" is the root cgroup only. */
	assert_true(conf_cgroup_policy(c, "/", &p));
	assert_int_equal(p.weight, 1);
}

/* Offload's parameters from [CGroup PATTERN]: the stall target is
 * OffloadPressure= of OffloadInterval=, OffloadMaxStep= is a share or a size,
 * and OffloadSwappiness=auto depends on whether swap is compressed. */
static void test_offload_params(void **state)
{
	_cleanup_conf_free_ struct conf *c =
		load_ok("[CGroup share]\nOffload=yes\nOffloadPressure=1%\nOffloadInterval=10s\n"
			"OffloadMaxStep=5%\n"
			"[CGroup size]\nOffloadMaxStep=64M\nOffloadSwappiness=60\n"
			"[CGroup none]\nOffloadSwappiness=0\n");
	struct conf_cgroup_policy p;
	struct offload_params o;

	memset(&o, 0x5e, sizeof(o));
	assert_true(conf_cgroup_policy(c, "share", &p));
	conf_offload_params(&p, 4096, &o);
	assert_int_equal(o.interval_usec, 10 * USEC_PER_SEC);
	assert_int_equal(o.target_usec, 100 * USEC_PER_MSEC); /* 1% of 10 s */
	assert_int_equal(o.max_step_permyriad, 500);
	assert_int_equal(o.max_step_bytes, 0);
	assert_int_equal(o.hold_intervals, 0); /* the controller's default */
	assert_int_equal(o.page_bytes, 4096);
	/* auto: the kernel's swappiness only where swap is compressed. */
	assert_int_equal(conf_offload_swappiness(&p, /* swap_compressed= */ true),
			 SWAPPINESS_KERNEL_DEFAULT);
	assert_int_equal(conf_offload_swappiness(&p, /* swap_compressed= */ false), 0);

	assert_true(conf_cgroup_policy(c, "size", &p));
	conf_offload_params(&p, 65536, &o);
	assert_int_equal(o.interval_usec, 6 * USEC_PER_SEC);
	assert_int_equal(o.target_usec, 6 * USEC_PER_MSEC); /* the default 0.1% of 6 s */
	assert_int_equal(o.max_step_permyriad, 0);
	assert_int_equal(o.max_step_bytes, 64 << 20);
	assert_int_equal(o.page_bytes, 65536);
	/* A number is taken as it is. */
	assert_int_equal(conf_offload_swappiness(&p, true), 60);
	assert_int_equal(conf_offload_swappiness(&p, false), 60);

	assert_true(conf_cgroup_policy(c, "none", &p));
	assert_int_equal(conf_offload_swappiness(&p, true), 0);
}

/* inih truncates section names at 49 bytes; reclaimd does not. */
static void test_cgroup_long_pattern(void **state)
{
	const char *path = "system.slice/system-postgresql.slice/postgresql@15-main.service";
	char text[256];
	struct conf *c;
	struct conf_cgroup_policy p;

	snprintf(text, sizeof(text), "[CGroup %s]\nWeight=42\n", path);
	c = load_ok(text);
	assert_true(conf_cgroup_policy(c, path, &p));
	assert_int_equal(p.weight, 42);
	/* Not the 42-byte prefix that inih would have kept. */
	assert_false(conf_cgroup_policy(c, "system.slice/system-postgresql.slice/post", &p));
	conf_free(c);
}

static void test_cgroup_no_match(void **state)
{
	_cleanup_conf_free_ struct conf *c =
		load_ok("[CGroup web.slice]\nProtect=yes\n[CGroup a?c]\nWeight=7\n");
	struct conf_cgroup_policy p;

	/* Without '*' a pattern names one cgroup, not its subtree. */
	assert_false(conf_cgroup_policy(c, "web.slice/nginx.service", &p));
	assert_false(p.protect);
	assert_int_equal(p.weight, 100);
	assert_int_equal(p.pressure_limit_permyriad, 1000);
	assert_true(conf_cgroup_policy(c, "abc", &p));
	assert_int_equal(p.weight, 7);
	assert_false(conf_cgroup_policy(c, "abbc", &p));
	assert_false(conf_cgroup_policy(c, "ac", &p));
}

static void test_set(void **state)
{
	_cleanup_conf_free_ struct conf *c = load_ok("[Reclaim]\nSwappiness=5\n");
	struct conf_reclaim n;
	struct conf_cgroup_policy p;
	char err[512] = "";

	assert_int_equal(conf_set(c, "Reclaim.Swappiness", "10", err, sizeof(err)), 0);
	assert_int_equal(conf_reclaim(c)->swappiness, 10);

	assert_int_equal(conf_set(c, "Reclaim.Swappiness", "300", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Swappiness=300: out of range; expected an integer from 0 to "
				 "200, or \"kernel\"");
	assert_int_equal(conf_reclaim(c)->swappiness, 10);

	assert_int_equal(conf_set(c, "Reclaim.Nope", "1", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "Reclaim.Nope: unknown key");
	assert_int_equal(conf_set(c, "Bogus.StepSize", "1M", err, sizeof(err)), -ENOENT);
	assert_int_equal(conf_set(c, "Node.1.DryRun", "yes", err, sizeof(err)), -ENOENT);
	assert_int_equal(conf_set(c, "Swappiness", "1", err, sizeof(err)), -EINVAL);
	assert_int_equal(conf_set(c, "Node.x.StepSize", "1M", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[Node x]: invalid node number; expected an integer from 0 to "
				 "1023");

	/* Relations are checked too, and a refused value changes nothing. */
	assert_int_equal(conf_set(c, "Reclaim.MonitorIntervalMin", "5s", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "runtime: MonitorIntervalMin=5s is above MonitorIntervalMax=2s "
				 "(other value from default)");
	assert_int_equal(conf_reclaim(c)->monitor_interval_min_usec, 100000);

	assert_int_equal(conf_set(c, "Node.1.StepSize", "8M", err, sizeof(err)), 0);
	conf_node_reclaim(c, 1, &n);
	assert_int_equal(n.step_size_bytes, 8 << 20);
	assert_int_equal(n.swappiness, 10);

	/* The pattern may contain dots. */
	assert_int_equal(conf_set(c, "CGroup.web.slice*.Weight", "250", err, sizeof(err)), 0);
	assert_true(conf_cgroup_policy(c, "web.slice/x", &p));
	assert_int_equal(p.weight, 250);

	/* Issue 17 B1: no key naming a file is settable at runtime (an admin
	 * would get root's file-writing rights); the value stays. */
	assert_int_equal(conf_set(c, "Control.MetricsFile", "/tmp/m.prom", err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "Control.MetricsFile: needs a restart (read only at start)");
	assert_string_equal(conf_control(c)->metrics_file, "");
	assert_int_equal(conf_set(c, "Control.Socket", "/tmp/s", err, sizeof(err)), -EBUSY);
	for (size_t i = 0; i < conf_n_items; i++)
		if (conf_items[i].type == CONF_STRING && conf_items[i].valid &&
		    conf_items[i].valid("/a/path"))
			assert_true(conf_items[i].restart);
}

static struct json_object *jpath(struct json_object *o, const char *a, const char *b,
				 const char *c)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, a, &v));
	if (b)
		assert_true(json_object_object_get_ex(v, b, &v));
	if (c)
		assert_true(json_object_object_get_ex(v, c, &v));
	return v;
}

static void test_json(void **state)
{
	_cleanup_conf_free_ struct conf *c =
		load_ok("[Reclaim]\nStepSize=8M\nFoo=1\n[Node 2]\nPaused=yes\n"
			"[CGroup batch.slice*]\nWeight=50\n");
	struct json_object *j, *k;
	char err[256];
	size_t n_reclaim = 0, n_control = 0;

	assert_int_equal(conf_set(c, "Reclaim.Swappiness", "30", err, sizeof(err)), 0);
	j = conf_to_json(c);
	assert_non_null(j);

	/* Every key of [Reclaim] and [Control] is listed. */
	for (size_t i = 0; i < conf_n_items; i++) {
		n_reclaim += conf_items[i].section == CONF_SECTION_RECLAIM;
		n_control += conf_items[i].section == CONF_SECTION_CONTROL;
	}
	assert_int_equal(json_object_object_length(jpath(j, "Reclaim", NULL, NULL)), n_reclaim);
	assert_int_equal(json_object_object_length(jpath(j, "Control", NULL, NULL)), n_control);

	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "StepSize", "value")), "8M");
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "StepSize", "source")),
			    "test.conf:2");
	assert_int_equal(json_object_get_uint64(jpath(j, "Reclaim", "StepSize", "raw")), 8 << 20);
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "Swappiness", "source")),
			    "runtime");
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "RateLimit", "source")),
			    "default");
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "RateLimit", "value")),
			    "128M");
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "PSITrigger", "value")),
			    "some 150000 1000000");
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "WatermarkHeadroom", "value")),
			    "0.5%");

	/* Overrides list only what was set. */
	k = jpath(j, "Node", "2", NULL);
	assert_int_equal(json_object_object_length(k), 1);
	assert_string_equal(json_object_get_string(jpath(k, "Paused", "source", NULL)),
			    "test.conf:5");
	k = json_object_array_get_idx(jpath(j, "CGroup", NULL, NULL), 0);
	assert_string_equal(json_object_get_string(jpath(k, "pattern", NULL, NULL)), "batch.slice*");
	assert_string_equal(json_object_get_string(jpath(k, "keys", "Weight", "value")), "50");

	assert_string_equal(json_object_get_string(
				    json_object_array_get_idx(jpath(j, "warnings", NULL, NULL), 0)),
			    "test.conf:3: unknown key Foo= in [Reclaim], ignoring");
	json_object_put(j);
}

/* The control protocol's flat view, "set"'s previous value, reload's diff. */
static void test_settings_get_diff(void **state)
{
	_cleanup_conf_free_ struct conf *a =
		load_ok("[Reclaim]\nStepSize=8M\n[Node 1]\nPaused=yes\n[CGroup web*]\nWeight=5\n");
	_cleanup_conf_free_ struct conf *b =
		load_ok("[Reclaim]\nStepSize=8M\nDryRun=yes\n[CGroup web*]\nWeight=6\n");
	struct json_object *j, *list, *first, *changed;
	char buf[64];
	size_t n_global = 0, n_changed;
	bool node_seen = false, cgroup_seen = false;

	j = conf_settings_json(a);
	assert_non_null(j);
	list = jpath(j, "settings", NULL, NULL);
	for (size_t i = 0; i < conf_n_items; i++)
		n_global += conf_items[i].section != CONF_SECTION_CGROUP;
	assert_int_equal(json_object_array_length(list), n_global + 2);
	first = json_object_array_get_idx(list, 0);
	assert_string_equal(json_object_get_string(jpath(first, "key", NULL, NULL)),
			    "Reclaim.WatermarkHeadroom");
	assert_string_equal(json_object_get_string(jpath(first, "default", NULL, NULL)), "0.5%");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *k = json_object_get_string(
			jpath(json_object_array_get_idx(list, i), "key", NULL, NULL));
		node_seen |= streq(k, "Node.1.Paused");
		cgroup_seen |= streq(k, "CGroup.web*.Weight");
	}
	assert_true(node_seen && cgroup_seen);
	json_object_put(j);

	assert_int_equal(conf_get(a, "Reclaim.StepSize", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8M");
	assert_int_equal(conf_get(a, "Node.1.Paused", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "yes");
	assert_int_equal(conf_get(a, "Node.0.StepSize", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8M"); /* not overridden: what applies */
	assert_int_equal(conf_get(a, "CGroup.web*.Weight", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "5");
	assert_int_equal(conf_get(a, "Reclaim.Nope", buf, sizeof(buf)), -ENOENT);

	changed = conf_changed_keys(a, b);
	n_changed = json_object_array_length(changed);
	assert_int_equal(n_changed, 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(changed, 0)),
			    "Reclaim.DryRun");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(changed, 1)),
			    "CGroup.web*.Weight");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(changed, 2)),
			    "Node.1.Paused");
	json_object_put(changed);
	changed = conf_changed_keys(a, a);
	assert_int_equal(json_object_array_length(changed), 0);
	json_object_put(changed);
}

/* ---- files ------------------------------------------------------------- */

struct tmpdir {
	char path[64];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}


/* Issue 17 B6: a FIFO as the main file or as a drop-in is refused at once
 * (it used to block the loop in open() until a writer came). */
static void test_fifo(void **state)
{
	char dir[] = "/tmp/test-conf-XXXXXX", path[512], dropins[256], err[512];
	struct conf *c = SENTINEL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/reclaimd.conf", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(conf_load(path, NULL, &c, err, sizeof(err)), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(unlink(path), 0);

	write_file(dir, "reclaimd.conf", "[Reclaim]\nStepSize=4M\n");
	snprintf(dropins, sizeof(dropins), "%s/reclaimd.conf.d", dir);
	assert_int_equal(mkdir(dropins, 0755), 0);
	snprintf(path, sizeof(path), "%s/50-fifo.conf", dropins);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(conf_load(NULL, dropins, &c, err, sizeof(err)), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	assert_non_null(strstr(err, "50-fifo.conf: not a regular file"));
	rm_rf(dir);
}

/* Issue 17 B10: at the largest values the table allows, the derived marks
 * stay ordered (kernel high < reclaimd low <= reclaimd high) on zones far
 * larger than any machine. */
static void test_marks_ordered(void **state)
{
	static const char *const headrooms[] = { "20%", "1T", "0", "0.01%" };
	static const uint64_t pages[] = { 1, 1 << 18, UINT64_C(1) << 40, UINT64_C(1) << 48 };

	for (size_t h = 0; h < ELEMENTSOF(headrooms); h++) {
		_cleanup_conf_free_ struct conf *c = NULL;
		char text[128], err[256];
		struct watermark_params p;

		snprintf(text, sizeof(text), "[Reclaim]\nWatermarkHeadroom=%s\nWatermarkHeadroomMax=1T\n",
			 headrooms[h]);
		assert_int_equal(conf_load_string(text, strlen(text), "t.conf", &c, err, sizeof(err)), 0);
		conf_watermark_params(conf_reclaim(c), 4096, &p);
		for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
			struct zone_stat z = { .managed = pages[i], .high = pages[i] / 8 };
			struct zone_watermarks w;

			watermark_zone(&z, &p, &w);
			assert_true(w.low >= z.high);
			assert_true(w.high >= w.low);
			assert_true(w.low - z.high <= (UINT64_C(1) << 40) / 4096);
		}
	}
}

/* The formula and the two examples in WatermarkHeadroom='s help (shown in
 * reclaimd.conf(5) and the shipped config) are what the code computes. */
static void test_headroom_doc(void **state)
{
	static const struct {
		uint64_t managed_bytes;
		const char *before, *after;
	} examples[] = {
		{ UINT64_C(1) << 30, "is ", " on a 1 GiB VM" },
		{ UINT64_C(1) << 40, "and ", " on a 1 TiB host" },
	};
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	const struct conf_item *it = NULL;
	struct watermark_params p;

	for (size_t i = 0; i < conf_n_items; i++)
		if (streq(conf_items[i].name, "WatermarkHeadroom"))
			it = &conf_items[i];
	assert_non_null(it);
	conf_watermark_params(conf_reclaim(c), 4096, &p);
	for (size_t i = 0; i < ELEMENTSOF(examples); i++) {
		struct zone_stat z = { .managed = examples[i].managed_bytes / 4096, .high = 1000 };
		struct zone_watermarks w;
		char want[128];

		watermark_zone(&z, &p, &w);
		uint64_t bytes = (w.low - z.high) * 4096;

		/* as the config writes sizes: "8M", "1G" */
		if (bytes % (UINT64_C(1) << 30) == 0)
			snprintf(want, sizeof(want), "%s%" PRIu64 "G%s", examples[i].before,
				 bytes >> 30, examples[i].after);
		else
			snprintf(want, sizeof(want), "%s%" PRIu64 "M%s", examples[i].before,
				 bytes >> 20, examples[i].after);
		if (!strstr(it->help, want))
			fail_msg("help does not say \"%s\"", want);
		/* "its high watermark the kernel's high plus one and a half times this" */
		assert_int_equal(w.high - z.high, (w.low - z.high) + (w.low - z.high) / 2);
	}
	assert_non_null(strstr(it->help, "the kernel's high plus one and a half times this"));
}

/* Every key in docs/protocol.md's examples ("key": "K" in the config and
 * set replies, "changed": ["K"] in reload's) is one that conf_set() takes. */
static void test_protocol_doc_keys(void **state)
{
	static const char *const marks[] = { "\"key\": \"", "\"changed\": [\"" };
	_cleanup_conf_free_ struct conf *c = conf_new_defaults();
	FILE *f = fopen(TOP_SRCDIR "/docs/protocol.md", "re");
	char line[1024];
	unsigned n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		for (size_t m = 0; m < ELEMENTSOF(marks); m++)
			for (const char *p = line; (p = strstr(p, marks[m])); n++) {
				char key[256], value[256], err[512];
				size_t k;

				p += strlen(marks[m]);
				k = strcspn(p, "\"");
				snprintf(key, sizeof(key), "%.*s", (int)k, p);
				if (conf_get(c, key, value, sizeof(value)) < 0)
					fail_msg("docs/protocol.md names %s, which is no key", key);
				/* restart-only keys are refused, by their reason */
				if (conf_set(c, key, value, err, sizeof(err)) < 0 &&
				    !strstr(err, "needs a restart"))
					fail_msg("docs/protocol.md: %s=%s: %s", key, value, err);
			}
	fclose(f);
	assert_true(n >= 3);
}

/* Protect= covers the subtree; the other keys but Offload* do not inherit. */
static void test_cgroup_policy_subtree(void **state)
{
	static const struct {
		const char *path;
		bool protect;
		uint64_t weight;
	} cases[] = {
		{ "web.slice", true, 100 },
		{ "/web.slice", true, 100 },
		{ "web.slice/nginx.service", true, 300 },
		{ "web.slice/a/b/c", true, 100 },
		{ "web.slicex/a", false, 100 },
		{ "batch.slice/job", false, 100 },
		{ "batch.slice/job/keep.scope", true, 100 },
		{ "other", false, 100 },
	};
	_cleanup_conf_free_ struct conf *c =
		load_ok("[CGroup web.slice]\nProtect=yes\n[CGroup web.slice/nginx.service]\nWeight=300\n"
			"[CGroup batch.slice/*/keep.scope]\nProtect=yes\n");

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct conf_cgroup_policy p;

		conf_cgroup_policy_subtree(c, cases[i].path, &p);
		if (p.protect != cases[i].protect || p.weight != cases[i].weight)
			fail_msg("%s: protect %d weight %" PRIu64, cases[i].path, p.protect, p.weight);
	}
}

struct above_leaves {
	char got[1024];
};

static void above_leaves_cb(void *userdata, const char *pattern, const char *keys,
			    const char *path)
{
	struct above_leaves *a = userdata;
	size_t n = strlen(a->got);

	snprintf(a->got + n, sizeof(a->got) - n, "%s|%s|%s;", pattern, keys, path);
}

/* Floor=, SoftTarget=, Weight= and PressureLimit= bound a candidate's own
 * reclaim and do not reach down: a section that sets them and matches a
 * slice but none of the candidates below it is ignored, and said so. A
 * catch-all that also matches candidates is not; nor a section for a
 * cgroup that does not exist (yet), nor one that sets only keys that reach
 * down (Protect=, Offload*). */
static void test_cgroup_sections_above_leaves(void **state)
{
	static const char *const paths[] = {
		"work.slice/redis.service", "work.slice/db.service", "app.slice/web.service",
		"batch",
	};
	_cleanup_conf_free_ struct conf *c =
		load_ok("[CGroup work.slice]\nFloor=1G\nOffload=yes\n"
			"[CGroup *]\nWeight=200\n"
			"[CGroup app.slice]\nProtect=yes\nPressureLimit=5%\nSoftTarget=1G\n"
			"[CGroup off.slice]\nOffload=yes\nOffloadMaxStep=2%\n"
			"[CGroup gone.slice]\nFloor=1G\n"
			"[CGroup batch]\nFloor=64M\n"
			"[CGroup /]\nWeight=50\n");
	struct above_leaves a = {};

	assert_int_equal(conf_cgroup_sections_above_leaves(c, paths, ELEMENTSOF(paths),
							   above_leaves_cb, &a), 3);
	assert_string_equal(a.got, "work.slice|Floor=|/work.slice;"
				   "app.slice|SoftTarget= PressureLimit=|/app.slice;"
				   "/|Weight=|/;");
	/* Which keys those are: the table says (leaf_only). */
	{
		char got[256] = "";

		for (size_t i = 0; i < conf_n_items; i++)
			if (conf_items[i].leaf_only) {
				assert_int_equal(conf_items[i].section, CONF_SECTION_CGROUP);
				strcat(got, conf_items[i].name);
				strcat(got, " ");
			}
		assert_string_equal(got, "Floor SoftTarget Weight PressureLimit ");
	}
	/* The root alone is a candidate where nothing below has memory. */
	{
		static const char *const root[] = { "" };
		_cleanup_conf_free_ struct conf *r = load_ok("[CGroup /]\nWeight=50\n");

		assert_int_equal(conf_cgroup_sections_above_leaves(r, root, 1, NULL, NULL), 0);
	}
}

/* The Offload* keys reach the cgroups below the one whose section assigns
 * them (reclaimd reclaims from memory leaves: [CGroup work.slice]
 * Offload=yes must trim the slice's services), key by key from the nearest
 * ancestor; a section matching the cgroup itself wins, Offload=no too. */
static void test_cgroup_policy_subtree_offload(void **state)
{
	static const struct {
		const char *path;
		bool offload;
		uint64_t interval_usec, pressure_permyriad, max_step;
	} cases[] = {
		{ "work.slice", true, 3 * USEC_PER_SEC, 20, 200 },
		{ "/work.slice/redis.service", true, 3 * USEC_PER_SEC, 20, 200 },
		{ "work.slice/a/b/c.scope", true, 3 * USEC_PER_SEC, 20, 200 },
		/* Its own section's OffloadMaxStep=, the slice's other keys. */
		{ "work.slice/big.service", true, 3 * USEC_PER_SEC, 20, 500 },
		{ "work.slice/big.service/x", true, 3 * USEC_PER_SEC, 20, 500 },
		{ "work.slice/db.service", false, 3 * USEC_PER_SEC, 20, 200 },
		{ "work.slice/db.service/inner", false, 3 * USEC_PER_SEC, 20, 200 },
		{ "work.slicex/a", false, 6 * USEC_PER_SEC, 10, 100 },
		{ "other.slice/a", false, 6 * USEC_PER_SEC, 10, 100 },
	};
	_cleanup_conf_free_ struct conf *c =
		load_ok("[CGroup work.slice]\nOffload=yes\nOffloadInterval=3s\nOffloadPressure=0.2%\n"
			"OffloadMaxStep=2%\n"
			"[CGroup work.slice/big.service]\nOffloadMaxStep=5%\nWeight=300\n"
			"[CGroup work.slice/db.service]\nOffload=no\n");

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct conf_cgroup_policy p;

		conf_cgroup_policy_subtree(c, cases[i].path, &p);
		if (p.offload != cases[i].offload || p.offload_interval_usec != cases[i].interval_usec ||
		    p.offload_pressure_permyriad != cases[i].pressure_permyriad ||
		    p.offload_max_step.value != cases[i].max_step || !p.offload_max_step.permyriad)
			fail_msg("%s: offload %d interval %" PRIu64 " pressure %" PRIu64
				 " max step %" PRIu64 "%s",
				 cases[i].path, p.offload, p.offload_interval_usec,
				 p.offload_pressure_permyriad, p.offload_max_step.value,
				 p.offload_max_step.permyriad ? "/10000" : " bytes");
		/* Weight= is not inherited: only big.service's own section. */
		if (p.weight != (streq(cases[i].path, "work.slice/big.service") ? 300u : 100u))
			fail_msg("%s: weight %" PRIu64, cases[i].path, p.weight);
	}
}

/* A reload re-arms the PSI trigger only when conf_psi_trigger_eq() says
 * it changed: "off" is "off" whatever else the struct holds. */
static void test_psi_trigger_eq(void **state)
{
	static const struct conf_psi_trigger some = { true, false, 150000, 1000000 };
	static const struct {
		struct conf_psi_trigger a, b;
		bool eq;
	} cases[] = {
		{ some, some, true },
		{ { false }, { false }, true },
		/* Off, with leftovers of an earlier value: still off. */
		{ { false, true, 1, 2 }, { false, false, 150000, 1000000 }, true },
		{ some, { false, false, 150000, 1000000 }, false },
		{ some, { true, true, 150000, 1000000 }, false },
		{ some, { true, false, 100000, 1000000 }, false },
		{ some, { true, false, 150000, 2000000 }, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		if (conf_psi_trigger_eq(&cases[i].a, &cases[i].b) != cases[i].eq)
			fail_msg("case %zu: a~b should be %d", i, cases[i].eq);
		if (conf_psi_trigger_eq(&cases[i].b, &cases[i].a) != cases[i].eq)
			fail_msg("case %zu: b~a should be %d", i, cases[i].eq);
	}
}

/* Drop-ins from /etc, /run and /usr/lib under an injected root, with
 * systemd's precedence: the same name in /etc hides /run's, which hides
 * /usr/lib's; all are read sorted by name after the main file. */
static void test_dropin_dirs(void **state)
{
	char root[] = "/tmp/test-conf-XXXXXX", d[3][256], main_path[512], err[512], src[600];
	const char *dirs[3] = { d[0], d[1], d[2] };
	static const char *const rel[3] = { "etc", "run", "usr/lib" };
	struct conf *c = NULL;
	struct conf_reclaim n;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < 3; i++) {
		char cmd[1024];

		snprintf(d[i], sizeof(d[i]), "%s/%s/reclaimd/reclaimd.conf.d", root, rel[i]);
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", d[i]);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(main_path, sizeof(main_path), "%s/etc/reclaimd/reclaimd.conf", root);
	write_file(root, "etc/reclaimd/reclaimd.conf",
		   "[Reclaim]\nStepSize=4M\nRateLimit=1M\nSwappiness=1\nPSIBoost=1M\n");
	/* 10-x: /etc hides /run and /usr/lib (which would fail to parse) */
	write_file(d[0], "10-x.conf", "[Reclaim]\nStepSize=8M\n");
	write_file(d[1], "10-x.conf", "[Reclaim]\nStepSize=bogus\n");
	write_file(d[2], "10-x.conf", "[Reclaim]\nStepSize=bogus\n");
	/* 20-y: /run hides /usr/lib */
	write_file(d[1], "20-y.conf", "[Reclaim]\nRateLimit=2M\n");
	write_file(d[2], "20-y.conf", "[Reclaim]\nRateLimit=bogus\n");
	/* 05-z only in /usr/lib, read first by name: 10-x overrides it */
	write_file(d[2], "05-z.conf", "[Reclaim]\nStepSize=64M\nSwappiness=5\n");
	/* 30-w only in /usr/lib, read last by name: wins over the /etc file */
	write_file(d[2], "30-w.conf", "[Reclaim]\nPSIBoost=3M\n");

	assert_int_equal(conf_load_dirs(main_path, dirs, 3, 0, &c, err, sizeof(err)), 0);
	conf_node_reclaim(c, 0, &n);
	assert_int_equal(n.step_size_bytes, 8 << 20);
	assert_int_equal(n.rate_limit_bytes_per_sec, 2 << 20);
	assert_int_equal(n.swappiness, 5);
	assert_int_equal(n.psi_boost_bytes, 3 << 20);
	snprintf(src, sizeof(src), "%s/10-x.conf", d[0]);
	{
		struct json_object *j = conf_to_json(c), *k, *s;

		assert_true(json_object_object_get_ex(j, "Reclaim", &k));
		assert_true(json_object_object_get_ex(k, "StepSize", &k));
		assert_true(json_object_object_get_ex(k, "source", &s));
		assert_true(startswith(json_object_get_string(s), src));
		json_object_put(j);
	}
	conf_free(c);
	c = NULL;
	/* A reload reads the same directories. */
	write_file(d[0], "20-y.conf", "[Reclaim]\nRateLimit=4M\n");
	{
		_cleanup_conf_free_ struct conf *old = NULL;

		assert_int_equal(conf_load_dirs(main_path, dirs, 3, 0, &old, err, sizeof(err)), 0);
		assert_int_equal(conf_reload(old, &c, err, sizeof(err)), 0);
	}
	assert_int_equal(conf_reclaim(c)->rate_limit_bytes_per_sec, 4 << 20);
	conf_free(c);
	rm_rf(root);
}

static void test_dropins(void **state)
{
	char dir[] = "/tmp/test-conf-XXXXXX", main_path[256], dropins[256], src[512], err[512];
	struct conf *c = NULL;
	struct json_object *j;

	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof(main_path), "%s/reclaimd.conf", dir);
	snprintf(dropins, sizeof(dropins), "%s/reclaimd.conf.d", dir);
	assert_int_equal(mkdir(dropins, 0755), 0);
	write_file(dir, "reclaimd.conf", "[Reclaim]\nStepSize=4M\nRateLimit=1M\nSwappiness=1\n");
	write_file(dropins, "20-b.conf", "[Reclaim]\nStepSize=16M\n");
	write_file(dropins, "10-a.conf", "[Reclaim]\nStepSize=8M\n\nSwappiness=10\n");
	/* Not read: wrong suffix, hidden. Both would fail if they were. */
	write_file(dropins, "30-c.conf.disabled", "[Reclaim]\nStepSize=bogus\n");
	write_file(dropins, ".40-d.conf", "[Reclaim]\nStepSize=bogus\n");

	assert_int_equal(conf_load(main_path, dropins, &c, err, sizeof(err)), 0);
	assert_int_equal(conf_reclaim(c)->step_size_bytes, 16 << 20);
	assert_int_equal(conf_reclaim(c)->swappiness, 10);
	assert_int_equal(conf_reclaim(c)->rate_limit_bytes_per_sec, 1 << 20);
	/* A later file is not a duplicate within one file. */
	assert_int_equal(conf_n_warnings(c), 0);

	j = conf_to_json(c);
	snprintf(src, sizeof(src), "%s/20-b.conf:2", dropins);
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "StepSize", "source")), src);
	snprintf(src, sizeof(src), "%s/10-a.conf:4", dropins);
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "Swappiness", "source")), src);
	snprintf(src, sizeof(src), "%s:3", main_path);
	assert_string_equal(json_object_get_string(jpath(j, "Reclaim", "RateLimit", "source")), src);
	assert_int_equal(json_object_array_length(jpath(j, "files", NULL, NULL)), 3);
	json_object_put(j);
	conf_free(c);

	/* An error in a drop-in names the drop-in. */
	write_file(dropins, "50-e.conf", "[Reclaim]\n\n\nDryRun=perhaps\n");
	c = SENTINEL;
	assert_int_equal(conf_load(main_path, dropins, &c, err, sizeof(err)), -EINVAL);
	snprintf(src, sizeof(src),
		 "%s/50-e.conf:4: DryRun=perhaps: not a boolean; expected a boolean (yes/no, "
		 "true/false, on/off, 1/0)",
		 dropins);
	assert_string_equal(err, src);
	assert_ptr_equal(c, SENTINEL);
	rm_rf(dir);
}

static void test_missing_main(void **state)
{
	struct conf *c = NULL;
	char err[512];

	assert_int_equal(conf_load("/nonexistent/reclaimd.conf", "/nonexistent/reclaimd.conf.d",
				   &c, err, sizeof(err)),
			 0);
	assert_int_equal(conf_reclaim(c)->step_size_bytes, 32 << 20);
	conf_free(c);

	c = SENTINEL;
	assert_int_equal(conf_load_flags("/nonexistent/reclaimd.conf", NULL,
					 CONF_LOAD_MAIN_REQUIRED, &c, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/reclaimd.conf: cannot read: No such file or directory");
	assert_ptr_equal(c, SENTINEL);

	assert_int_equal(conf_load_flags("/tmp", NULL, CONF_LOAD_MAIN_REQUIRED, &c, err,
					 sizeof(err)),
			 -EISDIR);
}

/* A reload that fails leaves the running config as it was. */
static void test_reload(void **state)
{
	char dir[] = "/tmp/test-conf-XXXXXX", main_path[256], want[512], err[512];
	_cleanup_conf_free_ struct conf *running = NULL;
	struct conf *next = SENTINEL;

	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof(main_path), "%s/reclaimd.conf", dir);
	write_file(dir, "reclaimd.conf", "[Reclaim]\nStepSize=8M\nDryRun=yes\n");
	assert_int_equal(conf_load(main_path, NULL, &running, err, sizeof(err)), 0);
	assert_string_equal(conf_main_path(running), main_path);
	assert_null(conf_dropin_dir(running));

	write_file(dir, "reclaimd.conf", "[Reclaim]\nStepSize=16M\nDryRun=yes\nSwappiness=x\n");
	assert_int_equal(conf_reload(running, &next, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:4: Swappiness=x: not a number; expected an integer from 0 to 200, or \"kernel\"",
		 main_path);
	assert_string_equal(err, want);
	assert_ptr_equal(next, SENTINEL);
	assert_int_equal(conf_reclaim(running)->step_size_bytes, 8 << 20);
	assert_true(conf_reclaim(running)->dry_run);

	write_file(dir, "reclaimd.conf", "[Reclaim]\nStepSize=16M\n");
	assert_int_equal(conf_reload(running, &next, err, sizeof(err)), 0);
	assert_int_equal(conf_reclaim(next)->step_size_bytes, 16 << 20);
	assert_false(conf_reclaim(next)->dry_run);
	assert_int_equal(conf_reclaim(running)->step_size_bytes, 8 << 20);
	conf_free(next);
	rm_rf(dir);
}

/*
 * The shipped etc/reclaimd.conf documents every key with its default:
 * with its "#Key=" and "#[Section]" lines uncommented it loads without a
 * warning, every key is set by the file, and the values are the defaults.
 */
static void test_shipped_conf(void **state)
{
	char line[1024], err[512];
	_cleanup_free_ char *text = NULL;
	size_t len = 0, cap = 1 << 16;
	FILE *f = fopen(SHIPPED_CONF, "re");
	_cleanup_conf_free_ struct conf *c = NULL;
	struct json_object *j, *cg;

	assert_non_null(f);
	text = malloc(cap);
	assert_non_null(text);
	while (fgets(line, sizeof(line), f)) {
		const char *l = line;

		/* make substitutes @runstatedir@ as configured. */
		if (streq(line, "#Socket=@runstatedir@/reclaimd/control.sock\n"))
			snprintf(line, sizeof(line), "#Socket=%s\n", RECLAIMD_SOCKET_PATH);
		if (line[0] == '#' && (line[1] == '[' || (line[1] >= 'A' && line[1] <= 'Z' &&
							  strchr(line, '='))))
			l++;
		assert_true(len + strlen(l) < cap);
		memcpy(text + len, l, strlen(l));
		len += strlen(l);
	}
	fclose(f);

	assert_int_equal(conf_load_string(text, len, "reclaimd.conf", &c, err, sizeof(err)), 0);
	for (size_t i = 0; i < conf_n_warnings(c); i++)
		print_message("warning: %s\n", conf_warning(c, i));
	assert_int_equal(conf_n_warnings(c), 0);

	j = conf_to_json(c);
	cg = json_object_array_get_idx(jpath(j, "CGroup", NULL, NULL), 0);
	assert_non_null(cg);
	assert_int_equal(json_object_array_length(jpath(j, "CGroup", NULL, NULL)), 1);
	for (size_t i = 0; i < conf_n_items; i++) {
		const struct conf_item *it = &conf_items[i];
		struct json_object *k;

		if (it->section == CONF_SECTION_CGROUP)
			k = jpath(cg, "keys", it->name, NULL);
		else
			k = jpath(j, conf_section_name(it->section), it->name, NULL);
		if (!startswith(json_object_get_string(jpath(k, "source", NULL, NULL)),
				"reclaimd.conf:"))
			fail_msg("%s= is not documented in etc/reclaimd.conf", it->name);
		if (!streq(json_object_get_string(jpath(k, "value", NULL, NULL)), it->default_value))
			fail_msg("%s= is documented as %s, default is %s", it->name,
				 json_object_get_string(jpath(k, "value", NULL, NULL)),
				 it->default_value);
	}
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_round_trip),
		cmocka_unit_test(test_default_values),
		cmocka_unit_test(test_headroom),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_reset_and_off),
		cmocka_unit_test(test_node_override),
		cmocka_unit_test(test_node_paused),
		cmocka_unit_test(test_cgroup_policy),
		cmocka_unit_test(test_offload_params),
		cmocka_unit_test(test_cgroup_long_pattern),
		cmocka_unit_test(test_cgroup_no_match),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_settings_get_diff),
		cmocka_unit_test(test_dropins),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_dropin_dirs),
		cmocka_unit_test(test_cgroup_policy_subtree),
		cmocka_unit_test(test_cgroup_policy_subtree_offload),
		cmocka_unit_test(test_cgroup_sections_above_leaves),
		cmocka_unit_test(test_psi_trigger_eq),
		cmocka_unit_test(test_marks_ordered),
		cmocka_unit_test(test_headroom_doc),
		cmocka_unit_test(test_protocol_doc_keys),
		cmocka_unit_test(test_missing_main),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_shipped_conf),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
