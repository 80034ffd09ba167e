/* SPDX-License-Identifier: GPL-2.0-only */

#include "sim-cgroup.h"

void sim_cgroup_init(struct sim_cgroup *m, uint64_t interval_usec, uint64_t wss, uint64_t cold)
{
	*m = (struct sim_cgroup){ .interval_usec = interval_usec,
				  .now_usec = UINT64_C(1000000000),
				  .wss_bytes = wss, .hot_bytes = wss, .cold_bytes = cold,
				  .min_current_bytes = UINT64_MAX };
}

uint64_t sim_cgroup_current(const struct sim_cgroup *m)
{
	return m->hot_bytes + m->cold_bytes;
}

void sim_cgroup_reclaim(struct sim_cgroup *m, uint64_t take)
{
	double frac = (double)m->wss_bytes / (double)sim_cgroup_current(m);
	uint64_t hot;

	take = take < sim_cgroup_current(m) ? take : sim_cgroup_current(m);
	for (int i = 0; i < 4; i++)
		frac *= frac; /* ^16 */
	hot = (uint64_t)((double)take * frac);
	if (take - hot > m->cold_bytes)
		hot = take - m->cold_bytes;
	hot = hot < m->hot_bytes ? hot : m->hot_bytes;
	m->hot_bytes -= hot;
	m->cold_bytes -= take - hot;
	if (sim_cgroup_current(m) < m->min_current_bytes)
		m->min_current_bytes = sim_cgroup_current(m);
}

void sim_cgroup_run(struct sim_cgroup *m)
{
	uint64_t deficit = m->wss_bytes - m->hot_bytes;

	m->last_stall_usec = (uint64_t)((double)deficit / (double)m->wss_bytes *
					(double)m->interval_usec / 2);
	m->stall_total_usec += m->last_stall_usec;
	m->refault_pages += deficit / SIM_CGROUP_PAGE_BYTES;
	m->hot_bytes = m->wss_bytes;
	m->now_usec += m->interval_usec;
}

struct offload_input sim_cgroup_input(const struct sim_cgroup *m)
{
	return (struct offload_input){
		.now_usec = m->now_usec,
		.stall_total_usec = m->stall_total_usec,
		.refault_total_pages = m->refault_pages,
		.current_bytes = sim_cgroup_current(m),
		.floor_bytes = m->floor_bytes,
		.protect = m->protect,
	};
}
