/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control socket load benchmark: C clients x N "status" requests each,
 * every client on its own connection and thread, measuring each round
 * trip. Against a forked in-process server with a fake handler (default),
 * or a real daemon (--socket=PATH --pid=PID). Reports p50/p99/max latency,
 * throughput, and the server's VmRSS before and after.
 *
 * --serve=PATH runs only the fake server (canned replies in the schema of
 * docs/protocol.md), for trying reclaimctl without a daemon.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "ctl-client.h"
#include "ctl-server.h"
#include "log.h"
#include "util.h"

/* Canned results, one per command, shaped like docs/protocol.md. */
static const char *const bench_canned[_CTL_CMD_MAX] = {
	[CTL_CMD_STATUS] =
		"{\"version\":\"" PACKAGE_VERSION "\",\"protocol\":1,\"pid\":1,"
		"\"uptime_usec\":3600000000,\"mode\":\"dry-run\","
		"\"features\":{\"per_node_reclaim\":true,\"memory_reclaim\":false},"
		"\"actuators\":[\"node-file\"],\"nodes\":[{\"node\":0,\"state\":"
		"\"balancing\",\"priority\":10,\"free_bytes\":1073741824,\"low_bytes\":"
		"268435456,\"high_bytes\":402653184,\"boost_bytes\":0,\"failures\":0}]}",
	[CTL_CMD_NODES] =
		"{\"nodes\":[{\"node\":0,\"state\":\"sleeping\",\"priority\":12,"
		"\"wake_reason\":null,\"failures\":0,\"hopeless\":false,\"boost\":"
		"{\"kernel_bytes\":0,\"user_bytes\":0,\"pending_bytes\":0},\"counters\":"
		"{\"wakes\":3,\"runs\":2,\"reclaimed_bytes\":1048576},\"zones\":[{\"zone\":"
		"\"Normal\",\"free_bytes\":1073741824,\"min_bytes\":67108864,\"low_bytes\":"
		"83886080,\"high_bytes\":100663296,\"user_low_bytes\":268435456,"
		"\"user_high_bytes\":402653184,\"boost_bytes\":0,\"managed_bytes\":"
		"8589934592}]}]}",
	[CTL_CMD_CGROUPS] =
		"{\"cgroups\":[{\"path\":\"/batch.slice\",\"reclaimable_bytes\":536870912,"
		"\"nodes\":[{\"node\":0,\"reclaimable_bytes\":536870912}],\"floor_bytes\":"
		"134217728,\"protection_bytes\":0,\"reclaimed_bytes\":104857600,"
		"\"pressure_some_avg10\":0.12,\"pressure_full_avg10\":0.0,\"braked\":false,"
		"\"brake_reason\":null}]}",
	[CTL_CMD_STATS] =
		"{\"since_usec\":3600000000,\"counters\":[{\"name\":\"wakes_total\",\"type\":"
		"\"counter\",\"help\":\"Node thread wake-ups.\",\"labels\":{\"node\":\"0\"},"
		"\"value\":12},{\"name\":\"reclaimed_bytes_total\",\"type\":\"counter\","
		"\"help\":\"Bytes reclaimed.\",\"labels\":{\"node\":\"0\"},\"value\":1048576}]}",
	[CTL_CMD_CONFIG] =
		"{\"file\":\"/etc/reclaimd/reclaimd.conf\",\"settings\":[{\"key\":"
		"\"Node.1.WatermarkHeadroom\",\"value\":\"2%\",\"default\":\"0.5%\",\"source\":"
		"\"/etc/reclaimd/reclaimd.conf:3\"}]}",
	[CTL_CMD_SET] = "{\"key\":\"k\",\"value\":\"v\",\"previous\":\"p\"}",
	[CTL_CMD_RELOAD] = "{\"file\":\"/etc/reclaimd/reclaimd.conf\",\"changed\":[]}",
	[CTL_CMD_PAUSE] = "{\"mode\":\"paused\",\"changed\":true}",
	[CTL_CMD_RESUME] = "{\"mode\":\"running\",\"changed\":true}",
	[CTL_CMD_RECLAIM] =
		("{\"node\":0,\"requested_bytes\":1048576,\"reclaimed_bytes\":1048576,"
		 "\"duration_usec\":1000,\"swappiness\":null,\"dry_run\":true,\"result\":\"ok\"}"),
	[CTL_CMD_BOOST] = "{\"node\":0,\"added_bytes\":1048576,\"pending_bytes\":1048576}",
};

static int bench_handle(void *userdata, struct ctl_call *call, const struct ctl_peer *peer,
			const struct ctl_command *command, struct json_object *args,
			struct json_object **ret_result, char *errbuf, size_t errlen)
{
	struct ctl_server *server = *(struct ctl_server **)userdata;
	struct json_object *ev;

	(void)call;
	(void)peer;
	(void)args;
	(void)errbuf;
	(void)errlen;
	*ret_result = bench_canned[command->id] ? json_tokener_parse(bench_canned[command->id])
						: NULL;
	/* Give watchers something to see. */
	ev = json_object_new_object();
	json_object_object_add(ev, "type", json_object_new_string("command"));
	json_object_object_add(ev, "time_usec", json_object_new_int64(realtime_usec()));
	json_object_object_add(ev, "cmd", json_object_new_string(command->name));
	ctl_server_broadcast_event(server, ev);
	json_object_put(ev);
	return 0;
}

static const struct ctl_handler bench_handler = { .handle = bench_handle };

static int bench_serve(const char *path)
{
	struct ctl_server_options o = { .path = path };
	struct event_base *base = event_base_new();
	struct ctl_server *server = NULL;
	int r;

	if (!base)
		return log_oom();
	r = ctl_server_new(base, &o, &bench_handler, &server, &server);
	if (r < 0)
		return log_error_errno(r, "Cannot serve on %s: %m", path);
	event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	ctl_server_free(server);
	event_base_free(base);
	return 0;
}

struct bench_worker {
	pthread_t thread;
	const char *path;
	unsigned requests;
	uint64_t *latency_usec; /* requests entries */
	int r;
};

static void *bench_worker_run(void *userdata)
{
	struct bench_worker *w = userdata;
	struct ctl_client *c = NULL;

	w->r = ctl_client_connect(w->path, 10 * USEC_PER_SEC, &c);
	for (unsigned i = 0; w->r >= 0 && i < w->requests; i++) {
		struct json_object *result = NULL;
		struct ctl_error e;
		uint64_t t0 = now_usec();

		w->r = ctl_client_call(c, "status", NULL, &result, &e);
		w->latency_usec[i] = now_usec() - t0;
		json_object_put(result);
		if (w->r < 0)
			fprintf(stderr, "request %u: %s\n", i, e.message);
	}
	ctl_client_free(c);
	return NULL;
}

static long bench_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int bench_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int bench_run(const char *path, pid_t pid, unsigned clients, unsigned requests)
{
	size_t total = (size_t)clients * requests;
	uint64_t *lat = calloc(total, sizeof(uint64_t)), t0, elapsed;
	struct bench_worker *w = calloc(clients, sizeof(*w));
	long rss_before, rss_after;
	int failed = 0;

	if (!lat || !w)
		return log_oom();
	rss_before = bench_rss_kib(pid);
	t0 = now_usec();
	for (unsigned i = 0; i < clients; i++) {
		w[i] = (struct bench_worker){ .path = path, .requests = requests,
					      .latency_usec = lat + (size_t)i * requests };
		if (pthread_create(&w[i].thread, NULL, bench_worker_run, &w[i]) != 0)
			return log_error_errno(-EAGAIN, "Cannot start thread %u.", i);
	}
	for (unsigned i = 0; i < clients; i++) {
		pthread_join(w[i].thread, NULL);
		failed += w[i].r < 0;
	}
	elapsed = now_usec() - t0;
	rss_after = bench_rss_kib(pid);
	qsort(lat, total, sizeof(uint64_t), bench_cmp);
	printf("clients %u x requests %u = %zu status round trips in %.2f s (%.0f/s)\n",
	       clients, requests, total, elapsed / 1e6, total / (elapsed / 1e6));
	printf("latency p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64 " us\n",
	       lat[total / 2], lat[total * 99 / 100], lat[total - 1]);
	printf("server pid %d VmRSS before %ld KiB, after %ld KiB\n", (int)pid, rss_before,
	       rss_after);
	printf("failed clients: %d\n", failed);
	free(lat);
	free(w);
	return failed ? -EIO : 0;
}

int main(int argc, char *argv[])
{
	enum { ARG_SOCKET = 0x100, ARG_PID, ARG_CLIENTS, ARG_REQUESTS, ARG_SERVE, ARG_ROUNDS };
	static const struct option options[] = {
		{ "socket", required_argument, NULL, ARG_SOCKET },
		{ "pid", required_argument, NULL, ARG_PID },
		{ "clients", required_argument, NULL, ARG_CLIENTS },
		{ "requests", required_argument, NULL, ARG_REQUESTS },
		{ "serve", required_argument, NULL, ARG_SERVE },
		{ "rounds", required_argument, NULL, ARG_ROUNDS },
		{}
	};
	const char *socket_path = NULL;
	unsigned clients = 100, requests = 1000, rounds = 1;
	char path[64] = "";
	pid_t pid = 0, child = 0;
	int c, r, pid_arg = 0;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		switch (c) {
		case ARG_SOCKET:
			socket_path = optarg;
			break;
		case ARG_PID:
			if (safe_atoi(optarg, &pid_arg) < 0)
				return 2;
			pid = pid_arg;
			break;
		case ARG_CLIENTS:
			if (safe_atou(optarg, &clients) < 0 || clients == 0)
				return 2;
			break;
		case ARG_REQUESTS:
			if (safe_atou(optarg, &requests) < 0 || requests == 0)
				return 2;
			break;
		case ARG_ROUNDS:
			if (safe_atou(optarg, &rounds) < 0 || rounds == 0)
				return 2;
			break;
		case ARG_SERVE:
			return bench_serve(optarg) < 0 ? 1 : 0;
		default:
			return 2;
		}
	}
	if (!socket_path) {
		/* The fake server in a child process, so its RSS is its own. */
		snprintf(path, sizeof(path), "/tmp/bench-ctl.%d.sock", (int)getpid());
		child = fork();
		if (child < 0)
			return 1;
		if (child == 0)
			_exit(bench_serve(path) < 0 ? 1 : 0);
		for (int i = 0; i < 200 && access(path, F_OK) < 0; i++)
			usleep(10000);
		socket_path = path;
		pid = child;
	}
	/* Several rounds show whether RSS keeps growing or settles after the
	 * first (allocator arenas, libevent buffers). */
	r = 0;
	for (unsigned i = 0; i < rounds && r >= 0; i++) {
		printf("round %u:\n", i + 1);
		r = bench_run(socket_path, pid, clients, requests);
	}
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		unlink(path);
	}
	return r < 0 ? 1 : 0;
}
