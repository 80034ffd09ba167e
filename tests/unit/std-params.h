/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

/*
 * The engine tests' standard parameters (test-balance, test-kswapd,
 * test-kswapd-alloc): the defaults, without the soft-target pass (the
 * simulated node has no cgroups unless a test gives it some), and
 * swappiness 60 below DEF_PRIORITY - 2 so that the swap rule shows.
 */

#include "balance.h"

static inline struct balance_params std_params(void)
{
	struct balance_params p;

	balance_params_init(&p);
	p.soft_target = false;
	p.swappiness = 60;
	return p;
}
