/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * A simulated cgroup for the offload controller's test and bench:
 *
 *  - memory is hot (the working set, wss) or cold; reclaim takes cold pages
 *    first, but the LRU is not perfect: a share (wss / current)^16 of each
 *    step comes from the hot pages, so the closer memory.current gets to the
 *    working set the more of a step costs (at 1.1 x wss, a fifth);
 *  - during the next interval every hot page not resident is refaulted: it
 *    counts in workingset_refault and stalls the cgroup for
 *    deficit / wss x interval / 2 (a whole working set evicted would stall
 *    it half the time); memory.current grows back by the deficit.
 */

#include <stdbool.h>
#include <stdint.h>

#include "offload.h"

#define SIM_CGROUP_PAGE_BYTES UINT64_C(4096)

struct sim_cgroup {
	uint64_t interval_usec;
	uint64_t now_usec;
	uint64_t wss_bytes;             /* the working set */
	uint64_t hot_bytes, cold_bytes; /* resident */
	uint64_t floor_bytes;
	bool protect;
	uint64_t stall_total_usec, refault_pages;
	uint64_t last_stall_usec;       /* the last interval's */
	uint64_t min_current_bytes;     /* lowest memory.current seen */
};

void sim_cgroup_init(struct sim_cgroup *m, uint64_t interval_usec, uint64_t wss, uint64_t cold);
uint64_t sim_cgroup_current(const struct sim_cgroup *m);
/* memory.reclaim of take bytes. */
void sim_cgroup_reclaim(struct sim_cgroup *m, uint64_t take);
/* One interval of the workload: the evicted working set comes back. */
void sim_cgroup_run(struct sim_cgroup *m);
/* What the daemon reads of it. */
struct offload_input sim_cgroup_input(const struct sim_cgroup *m);
