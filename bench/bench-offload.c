/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench-offload: reclaimd's offload controller (src/core/offload.c) against
 * a senpai-style controller written from senpai's published algorithm
 * (every 6 s: reclaim = memory.current x 1% x max(0, 1 - stall / 10 ms),
 * nothing when the stall reaches the target), on the simulated cgroup of
 * tests/unit/sim-cgroup.h: 200 MiB of working set in 1 GiB, 300 intervals
 * (30 min), then the working set grows by 100 MiB that offload had
 * evicted, 60 intervals more. senpai runs twice: with its published 10 ms
 * target, and with ours (6 ms), which tells the hold's share from the
 * target's. Pure: no kernel, the same numbers every run.
 *
 *   bench-offload
 */
#include <inttypes.h>
#include <stdio.h>

#include "offload.h"
#include "sim-cgroup.h"

#define SEC UINT64_C(1000000)
#define MiB (UINT64_C(1) << 20)
#define INTERVAL_USEC (6 * SEC)
#define SETTLE_INTERVALS 300
#define GROWN_INTERVALS 60

/* senpai: probe 1%, target 10 ms per 6 s interval. */
#define SENPAI_TARGET_USEC UINT64_C(10000)
#define SENPAI_PROBE_PERMYRIAD UINT64_C(100)

struct senpai {
	uint64_t target_usec;
	uint64_t last_stall_total_usec;
	bool started;
};

static uint64_t senpai_step(struct senpai *s, const struct offload_input *in)
{
	uint64_t stall = in->stall_total_usec - s->last_stall_total_usec;
	bool first = !s->started;

	s->started = true;
	s->last_stall_total_usec = in->stall_total_usec;
	if (first || stall >= s->target_usec)
		return 0;
	return in->current_bytes * SENPAI_PROBE_PERMYRIAD / 10000 * (s->target_usec - stall) /
	       s->target_usec;
}

struct result {
	const char *name;
	unsigned converged_at;     /* first interval within 15% of the working set */
	uint64_t steady_stall_usec; /* mean per interval, the last 100 before growth */
	unsigned steady_over_6ms;  /* of those, intervals above 6 ms */
	uint64_t steady_current_bytes; /* mean memory.current, the same 100 */
	uint64_t grown_stall_usec; /* summed over the intervals after growth */
	uint64_t grown_refault_bytes;
	unsigned grown_probes;     /* steps taken in the 5 intervals after growth */
	uint64_t final_current_bytes;
};

/* senpai_target_usec 0: reclaimd's controller. */
static void run(const char *name, uint64_t senpai_target_usec, struct result *ret)
{
	static const struct offload_params p = {
		.interval_usec = INTERVAL_USEC,
		.target_usec = INTERVAL_USEC / 1000, /* OffloadPressure=0.1% */
		.max_step_permyriad = 100,
		.page_bytes = SIM_CGROUP_PAGE_BYTES,
	};
	struct offload_state st = {};
	struct senpai sp = { .target_usec = senpai_target_usec };
	bool ours = senpai_target_usec == 0;
	struct sim_cgroup m;
	uint64_t stall0 = 0, refault0 = 0;

	*ret = (struct result){ .name = name };
	sim_cgroup_init(&m, INTERVAL_USEC, 200 * MiB, 824 * MiB);
	for (unsigned i = 0; i < SETTLE_INTERVALS + GROWN_INTERVALS; i++) {
		struct offload_input in;
		uint64_t step;

		if (i == SETTLE_INTERVALS) {
			m.wss_bytes += 100 * MiB;
			stall0 = m.stall_total_usec;
			refault0 = m.refault_pages;
		}
		in = sim_cgroup_input(&m);
		step = ours ? offload_update(&st, &p, &in) : senpai_step(&sp, &in);
		if (i >= SETTLE_INTERVALS && i < SETTLE_INTERVALS + 5 && step > 0)
			ret->grown_probes++;
		sim_cgroup_reclaim(&m, step);
		sim_cgroup_run(&m);
		if (!ret->converged_at && sim_cgroup_current(&m) <= m.wss_bytes * 115 / 100)
			ret->converged_at = i + 1;
		if (i >= SETTLE_INTERVALS - 100 && i < SETTLE_INTERVALS) {
			ret->steady_stall_usec += m.last_stall_usec;
			ret->steady_over_6ms += m.last_stall_usec > 6000;
			ret->steady_current_bytes += sim_cgroup_current(&m);
		}
	}
	ret->steady_stall_usec /= 100;
	ret->steady_current_bytes /= 100;
	ret->grown_stall_usec = m.stall_total_usec - stall0;
	ret->grown_refault_bytes = (m.refault_pages - refault0) * SIM_CGROUP_PAGE_BYTES;
	ret->final_current_bytes = sim_cgroup_current(&m);
}

int main(void)
{
	struct result r[3];

	run("reclaimd offload", 0, &r[0]);
	run("senpai, 10 ms", SENPAI_TARGET_USEC, &r[1]);
	run("senpai, 6 ms", INTERVAL_USEC / 1000, &r[2]);
	printf("%-20s %10s %12s %9s %14s %12s %12s %9s %9s\n", "controller", "converged",
	       "steady_stall", "over_6ms", "steady_current", "grown_stall", "grown_refault", "probes_5", "final");
	for (unsigned i = 0; i < 3; i++)
		printf("%-20s %8.1fmin %10.2fms %6u/100 %11" PRIu64 "MiB %10.1fms %10" PRIu64 "MiB %9u %6" PRIu64
		       "MiB\n",
		       r[i].name, r[i].converged_at * 6.0 / 60, r[i].steady_stall_usec / 1000.0,
		       r[i].steady_over_6ms, r[i].steady_current_bytes / MiB, r[i].grown_stall_usec / 1000.0,
		       r[i].grown_refault_bytes / MiB, r[i].grown_probes,
		       r[i].final_current_bytes / MiB);
	return 0;
}
