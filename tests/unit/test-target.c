/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "macro.h"
#include "target.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static const struct target_params file_only = { .may_swap = false, .min_write_bytes = 0 };

/* A candidate with plenty of memory above its floor. */
static struct target_candidate cand(uint64_t file, uint64_t anon, unsigned weight)
{
	return (struct target_candidate){
		.node_file_bytes = file,
		.node_anon_bytes = anon,
		.current_bytes = 64 * GiB,
		.weight = weight,
	};
}

static void test_spread_proportional(void **state)
{
	struct target_candidate c[] = { cand(300 * MiB, 0, 0), cand(100 * MiB, 0, 0) };

	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 75 * MiB);
	assert_int_equal(c[1].amount_bytes, 25 * MiB);
}

static void test_spread_weight(void **state)
{
	struct target_candidate c[] = { cand(100 * MiB, 0, 300), cand(100 * MiB, 0, 100) };

	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 75 * MiB);
	assert_int_equal(c[1].amount_bytes, 25 * MiB);
}

/* A's weighted share (90%) exceeds its room (10 MiB): the rest goes to B. */
static void test_spread_cap_redistributes(void **state)
{
	struct target_candidate c[] = { cand(10 * MiB, 0, 900), cand(100 * MiB, 0, 100) };

	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 10 * MiB);
	assert_int_equal(c[1].amount_bytes, 90 * MiB);
}

/* Floor = max(min, low, Floor=) is computed by the caller; here: current
 * 120 MiB with floor 100 MiB leaves 20 MiB although 300 MiB is file. */
static void test_spread_floor(void **state)
{
	struct target_candidate c[] = { cand(300 * MiB, 0, 0), cand(180 * MiB, 0, 0) };

	c[0].current_bytes = 120 * MiB;
	c[0].floor_bytes = 100 * MiB;
	assert_int_equal(target_room(&c[0], &file_only), 20 * MiB);
	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 10 * MiB);
	assert_int_equal(c[1].amount_bytes, 90 * MiB);

	/* At or below the floor: nothing. */
	c[0].current_bytes = 100 * MiB;
	assert_int_equal(target_room(&c[0], &file_only), 0);
	c[0].current_bytes = 50 * MiB;
	assert_int_equal(target_room(&c[0], &file_only), 0);
	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 100 * MiB);
}

static void test_spread_protect_and_skip(void **state)
{
	struct target_candidate c[] = { cand(GiB, 0, 0), cand(40 * MiB, 0, 0),
					cand(GiB, 0, 0) };

	c[0].protect = true;
	c[2].skip = true;
	/* Only B can give, and only its 40 MiB. */
	assert_int_equal(target_spread(c, 3, 100 * MiB, &file_only), 40 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 40 * MiB);
	assert_int_equal(c[2].amount_bytes, 0);
}

/* A candidate with memory on a paused node other than the pass's: its
 * memory.reclaim would reclaim there too, so the node pass and the
 * soft-target pass plan it nothing and the others take its share. */
static void test_spread_paused(void **state)
{
	struct target_candidate c[] = { cand(300 * MiB, 0, 0), cand(100 * MiB, 0, 0) };

	c[0].paused = true;
	assert_int_equal(target_room(&c[0], &file_only), 0);
	assert_int_equal(target_spread(c, 2, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 60 * MiB);
	/* Short of the ask: only what the other holds, never the paused. */
	assert_int_equal(target_spread(c, 2, 200 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	/* Every share below min_write: the one write is not the paused one. */
	assert_int_equal(target_spread(c, 2, 4096,
				       &(struct target_params){ .min_write_bytes = MiB }),
			 4096);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 4096);

	/* The soft-target pass too. */
	c[0].current_bytes = c[1].current_bytes = 500 * MiB;
	c[0].soft_target_bytes = c[1].soft_target_bytes = 450 * MiB;
	assert_int_equal(target_soft(c, 2, GiB, &file_only), 50 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 50 * MiB);
}

static void test_spread_anon_only_with_swap(void **state)
{
	struct target_params swap = { .may_swap = true };
	struct target_candidate c[] = { cand(0, 100 * MiB, 0), cand(100 * MiB, 0, 0) };

	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 100 * MiB);

	assert_int_equal(target_spread(c, 2, 100 * MiB, &swap), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 50 * MiB);
	assert_int_equal(c[1].amount_bytes, 50 * MiB);
}

static void test_spread_min_write(void **state)
{
	struct target_params p = { .min_write_bytes = 2 * MiB };
	struct target_candidate c[] = { cand(99 * MiB, 0, 0), cand(1 * MiB, 0, 0) };

	/* B's 1 MiB share is below the minimum write: dropped. */
	assert_int_equal(target_spread(c, 2, 100 * MiB, &p), 99 * MiB);
	assert_int_equal(c[0].amount_bytes, 99 * MiB);
	assert_int_equal(c[1].amount_bytes, 0);
}

/* An ask every share of which is below the minimum write (a swap pass
 * capped at the kernel's small deficit) is one write to the candidate with
 * the most room, not none: a pass that writes nothing would read as one
 * that freed nothing, down every priority to a failure. */
static void test_spread_small_ask(void **state)
{
	struct target_params p = { .min_write_bytes = 64 << 10 };
	struct target_candidate c[] = { cand(100 * MiB, 0, 0), cand(300 * MiB, 0, 0),
					cand(200 * MiB, 0, 0) };

	assert_int_equal(target_spread(c, 3, 128 << 10, &p), 128 << 10);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 128 << 10);
	assert_int_equal(c[2].amount_bytes, 0);
	assert_int_equal(target_spread(c, 3, 4096, &p), 4096);
	assert_int_equal(c[1].amount_bytes, 4096);
	/* No room anywhere: nothing. */
	c[0] = c[1] = c[2] = cand(0, 0, 0);
	assert_int_equal(target_spread(c, 3, 4096, &p), 0);
}

static void test_spread_rounding_exact(void **state)
{
	struct target_candidate c[] = { cand(1000, 0, 0), cand(1000, 0, 0),
					cand(1000, 0, 0) };
	uint64_t sum = 0;

	/* 1000/3 rounds down; the remainder still goes out. */
	assert_int_equal(target_spread(c, 3, 1000, &file_only), 1000);
	for (int i = 0; i < 3; i++) {
		assert_in_range(c[i].amount_bytes, 333, 334);
		sum += c[i].amount_bytes;
	}
	assert_int_equal(sum, 1000);
}

static void test_spread_huge_values(void **state)
{
	struct target_candidate c[] = { cand(UINT64_MAX, UINT64_MAX, TARGET_WEIGHT_MAX + 5),
					cand(UINT64_MAX, 0, 1) };
	struct target_params swap = { .may_swap = true };

	c[0].current_bytes = UINT64_MAX;
	c[1].current_bytes = UINT64_MAX;
	/* Arithmetic is capped at 2^56 bytes (64 PiB): no overflow; the
	 * weight (clamped to TARGET_WEIGHT_MAX) orders the
	 * shares, 10000:1 to within a few bytes, and the total is exact. */
	assert_true(target_spread(c, 2, UINT64_MAX, &swap) == UINT64_C(1) << 56);
	assert_true(c[0].amount_bytes + c[1].amount_bytes == UINT64_C(1) << 56);
	assert_true(c[0].amount_bytes / TARGET_WEIGHT_MAX >= c[1].amount_bytes - 8);
	assert_true(c[0].amount_bytes / TARGET_WEIGHT_MAX <= c[1].amount_bytes + 8);
}

static void test_spread_empty(void **state)
{
	struct target_candidate c[1] = { cand(0, 0, 0) };

	assert_int_equal(target_spread(NULL, 0, 100 * MiB, &file_only), 0);
	assert_int_equal(target_spread(c, 1, 100 * MiB, &file_only), 0);
	assert_int_equal(target_spread(c, 1, 0, &file_only), 0);
}

/* The kernel's scan reaches a memcg's node-local LRU at priority P when
 * it holds at least 2^P pages; Weight= and the slack scale the size. */
static void test_reach(void **state)
{
	struct target_params swap = { .may_swap = true };
	struct target_candidate c = cand(16 * MiB, 0, 0);

	assert_int_equal(target_reach(&c, &file_only), 12); /* 4096 pages */
	c.node_file_bytes = 16 * MiB - 4096;
	assert_int_equal(target_reach(&c, &file_only), 11);
	c.node_file_bytes = 3 * MiB; /* 768 pages */
	assert_int_equal(target_reach(&c, &file_only), 9);
	c.node_file_bytes = 8192;
	assert_int_equal(target_reach(&c, &file_only), 1);
	c.node_file_bytes = 4096;
	assert_int_equal(target_reach(&c, &file_only), 0);
	c.node_file_bytes = 0;
	assert_int_equal(target_reach(&c, &file_only), 0);
	c.node_file_bytes = UINT64_MAX; /* 2^52 pages, any weight */
	c.weight = 1;
	assert_int_equal(target_reach(&c, &file_only), 12);
	c.weight = 0;
	c.node_file_bytes = 64 * GiB; /* capped at DEF_PRIORITY */
	assert_int_equal(target_reach(&c, &file_only), 12);

	/* Weight=1000 reaches as 30 MiB would; Weight=1 as 30 KiB. */
	c = cand(3 * MiB, 0, 1000);
	assert_int_equal(target_reach(&c, &file_only), 12);
	c.weight = 1;
	assert_int_equal(target_reach(&c, &file_only), 2);
	c.weight = 0; /* default */
	c.slack_permyriad = TARGET_SLACK_PERMYRIAD_MAX; /* 2x */
	assert_int_equal(target_reach(&c, &file_only), 10);

	/* Anon counts when the pass may swap: the larger type. */
	c = cand(MiB, 64 * MiB, 0);
	assert_int_equal(target_reach(&c, &file_only), 8);
	assert_int_equal(target_reach(&c, &swap), 12);

	/* In the LRU's unit: 64 KiB pages make 16 MiB 256 of them. */
	c = cand(16 * MiB, 0, 0);
	assert_int_equal(target_reach(&c, &(struct target_params){ .page_bytes = 65536 }), 8);
}

/* Issue 15: a balance run's pass at DEF_PRIORITY leaves the small services
 * alone while the large cgroups cover it; without a priority (before) each
 * gave its share by size. */
static void test_spread_priority_spares_small(void **state)
{
	struct target_params run = { .priority = 12 };
	/* The redis benchmark's node: the stream, the harness, journald. */
	struct target_candidate c[] = { cand(500 * MiB, 0, 0), cand(11 * MiB, 0, 0),
					cand(3 * MiB, 0, 0) };

	assert_int_equal(target_spread(c, 3, 32 * MiB, &file_only), 32 * MiB);
	assert_true(c[1].amount_bytes > 0 && c[2].amount_bytes > 0);

	assert_int_equal(target_spread(c, 3, 32 * MiB, &run), 32 * MiB);
	assert_int_equal(c[0].amount_bytes, 32 * MiB);
	assert_int_equal(c[1].amount_bytes, 0);
	assert_int_equal(c[2].amount_bytes, 0);

	/* Among the cgroups reached, the spread is as before: in proportion. */
	c[1] = cand(1500 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 3, 200 * MiB, &run), 200 * MiB);
	assert_int_equal(c[0].amount_bytes, 50 * MiB);
	assert_int_equal(c[1].amount_bytes, 150 * MiB);
	assert_int_equal(c[2].amount_bytes, 0);

	/* Weight=1000 reaches at 12 what its size alone would not. */
	c[1] = cand(11 * MiB, 0, 1000);
	assert_int_equal(target_spread(c, 3, 32 * MiB, &run), 32 * MiB);
	assert_true(c[1].amount_bytes > 0);
	assert_int_equal(c[2].amount_bytes, 0);

	/* A run already at priority 9 reaches journald's 768 pages. */
	c[1] = cand(11 * MiB, 0, 0);
	run.priority = 9;
	assert_int_equal(target_spread(c, 3, 32 * MiB, &run), 32 * MiB);
	assert_true(c[2].amount_bytes > 0);
}

/* Where the reached room falls short the spread descends, priority by
 * priority, to the first whose reached room covers the ask, as the
 * kernel's priority drops when the large memcgs did not cover it; with
 * nothing covering it everyone is reached, so a pass never plans less for
 * the priority than it would have without it. */
static void test_spread_priority_descends(void **state)
{
	struct target_params run = { .priority = 12 };
	struct target_candidate c[] = { cand(20 * MiB, 0, 0), cand(6 * MiB, 0, 0),
					cand(3 * MiB, 0, 0) };

	/* 20 MiB at 12 and 11; 26 at 10 (1536 pages); 29 at 9. */
	assert_int_equal(target_spread(c, 3, 18 * MiB, &run), 18 * MiB);
	assert_int_equal(c[0].amount_bytes, 18 * MiB);
	assert_int_equal(c[1].amount_bytes + c[2].amount_bytes, 0);
	assert_int_equal(target_spread(c, 3, 24 * MiB, &run), 24 * MiB);
	assert_true(c[0].amount_bytes > 0 && c[1].amount_bytes > 0);
	assert_int_equal(c[2].amount_bytes, 0);
	assert_int_equal(target_spread(c, 3, 28 * MiB, &run), 28 * MiB);
	assert_true(c[2].amount_bytes > 0);
	/* More than all: each its room, as without a priority. */
	assert_int_equal(target_spread(c, 3, 40 * MiB, &run), 29 * MiB);
	assert_int_equal(c[2].amount_bytes, 3 * MiB);

	/* Only single pages (reach 0): everyone. */
	c[0] = cand(4096, 0, 0);
	c[1] = cand(4096, 0, 0);
	c[2] = cand(4096, 0, 0);
	assert_int_equal(target_spread(c, 3, 8192, &run), 8192);

	/* A floor bounds the reached room: a large cgroup 1 MiB above its
	 * floor cannot cover a 4 MiB ask, so the small ones are reached, and
	 * the three share it by room (1 : 3 : 3). */
	c[0] = cand(500 * MiB, 0, 0);
	c[0].current_bytes = 101 * MiB;
	c[0].floor_bytes = 100 * MiB;
	c[1] = cand(3 * MiB, 0, 0);
	c[2] = cand(3 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 3, 4 * MiB, &run), 4 * MiB);
	assert_int_equal(c[0].amount_bytes, 4 * MiB / 7);
	assert_true(c[1].amount_bytes > 0 && c[2].amount_bytes > 0);

	/* Anon counts when the pass may swap: an anon-only cgroup of 64 MiB
	 * is reached at 12 and a file one of 3 MiB is not. */
	c[0] = cand(0, 64 * MiB, 0);
	c[1] = cand(3 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 2, 8 * MiB,
				       &(struct target_params){ .priority = 12, .may_swap = true }),
			 8 * MiB);
	assert_int_equal(c[0].amount_bytes, 8 * MiB);
	assert_int_equal(c[1].amount_bytes, 0);

	/* Protect= and a floor bound the reached room: a protected large
	 * cgroup covers nothing, so the small ones are reached. */
	c[0] = cand(500 * MiB, 0, 0);
	c[0].protect = true;
	c[1] = cand(3 * MiB, 0, 0);
	c[2] = cand(3 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 3, 4 * MiB, &run), 4 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	assert_int_equal(c[1].amount_bytes, 2 * MiB);
	assert_int_equal(c[2].amount_bytes, 2 * MiB);
}

/* The rooms reached cover the ask, but a share below MinWrite= is
 * dropped: the spread is made again over everyone, so that the priority
 * never plans less than the spread without it. */
static void test_spread_priority_min_write(void **state)
{
	struct target_params run = { .priority = 12, .min_write_bytes = 64 << 10 };
	struct target_candidate c[] = { cand(500 * MiB, 0, 0), cand(16 * MiB, 0, 0),
					cand(3 * MiB, 0, 0) };
	uint64_t ask = 32 * MiB + (32 << 10);
	unsigned prio;

	c[0].current_bytes = 132 * MiB; /* 32 MiB above its floor */
	c[0].floor_bytes = 100 * MiB;
	c[1].current_bytes = 100 * MiB + (32 << 10); /* reached at 12, 32 KiB room */
	c[1].floor_bytes = 100 * MiB;
	assert_int_equal(target_spread(c, 3, ask, &(struct target_params){
						       .min_write_bytes = 64 << 10 }),
			 ask);
	assert_int_equal(target_spread_at(c, 3, ask, &run, &prio), ask);
	assert_true(c[2].amount_bytes >= 64 << 10);
	assert_int_equal(prio, 0); /* made again over everyone */
	assert_int_equal(target_spread_at(c, 3, 16 * MiB, &run, &prio), 16 * MiB);
	assert_int_equal(prio, 12);
}

/* Issue 18: an offload cgroup's slack scales its weight by 1 + slack, at
 * most 2x, inside the proportional spread: equal rooms give 1 : 1 + slack,
 * no share passes its room, unequal rooms still count, Weight= still
 * dominates, and skip or Protect= still keep a cgroup whole. */
static void test_spread_slack(void **state)
{
	struct target_candidate c[] = { cand(100 * MiB, 0, 0), cand(100 * MiB, 0, 0) };

	c[1].slack_permyriad = TARGET_SLACK_PERMYRIAD_MAX; /* no stall: 2x */
	assert_int_equal(target_spread(c, 2, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 20 * MiB);
	assert_int_equal(c[1].amount_bytes, 40 * MiB);
	c[1].slack_permyriad = 5000; /* half the target: 1.5x */
	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 40 * MiB);
	assert_int_equal(c[1].amount_bytes, 60 * MiB);
	c[1].slack_permyriad = UINT32_MAX; /* clamped: 2x at most */
	assert_int_equal(target_spread(c, 2, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 20 * MiB);
	assert_int_equal(c[1].amount_bytes, 40 * MiB);

	/* Its 2x share past its room: capped there, the rest from the other;
	 * more than both hold: each its room, no more. */
	assert_int_equal(target_spread(c, 2, 190 * MiB, &file_only), 190 * MiB);
	assert_int_equal(c[0].amount_bytes, 90 * MiB);
	assert_int_equal(c[1].amount_bytes, 100 * MiB);
	assert_int_equal(target_spread(c, 2, 250 * MiB, &file_only), 200 * MiB);
	assert_int_equal(c[0].amount_bytes, 100 * MiB);
	assert_int_equal(c[1].amount_bytes, 100 * MiB);

	/* Room still counts: 300 MiB at 1x against 100 MiB at 2x. */
	c[0] = cand(300 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 2, 100 * MiB, &file_only), 100 * MiB);
	assert_int_equal(c[0].amount_bytes, 60 * MiB);
	assert_int_equal(c[1].amount_bytes, 40 * MiB);

	/* Weight=1 with full slack against Weight=10000 without: 2 : 10000,
	 * the heavy one gives all but 2/10002 of 50 MiB (10484 bytes). */
	c[0] = cand(100 * MiB, 0, 1);
	c[0].slack_permyriad = TARGET_SLACK_PERMYRIAD_MAX;
	c[1] = cand(100 * MiB, 0, TARGET_WEIGHT_MAX);
	assert_int_equal(target_spread(c, 2, 50 * MiB, &file_only), 50 * MiB);
	assert_in_range(c[0].amount_bytes, 10483, 10485);
	assert_int_equal(c[1].amount_bytes, 50 * MiB - c[0].amount_bytes);

	/* Braked (or in offload backoff) or protected: nothing, slack or not. */
	c[0] = cand(100 * MiB, 0, 0);
	c[0].slack_permyriad = TARGET_SLACK_PERMYRIAD_MAX;
	c[0].skip = true;
	c[1] = cand(100 * MiB, 0, 0);
	assert_int_equal(target_spread(c, 2, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
	c[0].skip = false;
	c[0].protect = true;
	assert_int_equal(target_spread(c, 2, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
}

static void test_soft(void **state)
{
	struct target_candidate c[] = { cand(300 * MiB, 0, 0), cand(300 * MiB, 0, 0),
					cand(300 * MiB, 0, 0), cand(300 * MiB, 0, 0) };

	c[0].current_bytes = 500 * MiB; /* 100 MiB over */
	c[0].soft_target_bytes = 400 * MiB;
	c[1].current_bytes = 100 * MiB; /* under */
	c[1].soft_target_bytes = 200 * MiB;
	c[2].current_bytes = 900 * MiB; /* no soft target */
	c[3].current_bytes = 450 * MiB; /* 50 MiB over, floor at 430 MiB */
	c[3].soft_target_bytes = 400 * MiB;
	c[3].floor_bytes = 430 * MiB;
	assert_int_equal(target_soft(c, 4, GiB, &file_only), 120 * MiB);
	assert_int_equal(c[0].amount_bytes, 100 * MiB);
	assert_int_equal(c[1].amount_bytes, 0);
	assert_int_equal(c[2].amount_bytes, 0);
	assert_int_equal(c[3].amount_bytes, 20 * MiB);

	/* The limit stops the pass. */
	assert_int_equal(target_soft(c, 4, 60 * MiB, &file_only), 60 * MiB);
	assert_int_equal(c[0].amount_bytes, 60 * MiB);
	assert_int_equal(c[3].amount_bytes, 0);

	/* Protected: never. */
	c[0].protect = true;
	assert_int_equal(target_soft(c, 4, GiB, &file_only), 20 * MiB);
	assert_int_equal(c[0].amount_bytes, 0);
}

/* Issue 12 defect 1: every combination of the backend choice's inputs. */
static void test_choose_backend(void **state)
{
#define N TARGET_BACKEND_NONE
#define F TARGET_BACKEND_NODE_FILE
#define C TARGET_BACKEND_CGROUPS
	/* index: node_file | cgroups << 1 | avoid << 2 | policy << 3 */
	static const enum target_backend want[16] = {
		/* no policy on the node */
		[0] = N,  /* nothing */
		[1] = F,  /* node file only */
		[2] = C,  /* cgroups only */
		[3] = F,  /* both, no policy: the node file is exact and cheaper */
		[4] = N,  /* avoid, nothing */
		[5] = N,  /* avoid, node file only: not used */
		[6] = C,
		[7] = C,  /* avoid: always spread */
		/* a policy covers memory on the node */
		[8] = N,
		[9] = F,  /* no cgroup v2: no policy can apply; the file */
		[10] = C,
		[11] = C, /* both: spread, the node file would bypass the policy */
		[12] = N,
		[13] = N,
		[14] = C,
		[15] = C,
	};
#undef N
#undef F
#undef C

	for (unsigned i = 0; i < 32; i++) {
		struct target_backend_input in = {
			.node_file = i & 1,
			.cgroups = i & 2,
			.avoid_node_file = i & 4,
			.policy_on_node = i & 8,
			.node_file_stalled = i & 16,
		};
		enum target_backend got = target_choose_backend(&in);
		/* The node file stalled earlier in the run (bit 4): spread
		 * wherever cgroups exist, else as without the stall. */
		enum target_backend w = (i & 16) && (i & 2) ? TARGET_BACKEND_CGROUPS
							      : want[i & 15];

		if (got != w)
			fail_msg("case %u: %s, want %s", i, target_backend_to_string(got),
				 target_backend_to_string(w));
	}
	assert_string_equal(target_backend_to_string(TARGET_BACKEND_NODE_FILE), "node-file");
	assert_null(target_backend_to_string(_TARGET_BACKEND_MAX));
}

/* A node-file pass falls short when the kernel answers EAGAIN, at any
 * priority and swappiness: on 6.18 (MGLRU) the node file left two cgroups'
 * read-once page cache alone and answered EAGAIN to "16M swappiness=0",
 * and reclaimed 0 bytes from an anon-only node. */
static void test_node_file_stalled(void **state)
{
	static const struct {
		struct target_node_file_pass p;
		bool stalled;
	} t[] = {
		/* a write answered EAGAIN */
		{ { 1, 1 }, true },
		/* EAGAIN after writes answered in full */
		{ { 3, 1 }, true },
		/* every write answered in full (what pgsteal showed aside) */
		{ { 1, 0 }, false },
		{ { 4, 0 }, false },
		/* no write issued (error, interrupted, dry run) */
		{ { 0, 0 }, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		if (target_node_file_stalled(&t[i].p) != t[i].stalled)
			fail_msg("case %zu: want %d", i, t[i].stalled);
}

/* The kernel's test before __node_reclaim() shrinks a node, on figures of
 * Debian's 6.18 in the VM (scenario node-file-gate): node 1 of 247719
 * managed pages, so min_unmapped_pages 2477 and min_slab_pages 12385 at
 * the default ratios. */
static void test_node_file_gated(void **state)
{
	static const struct node_reclaim_limits dflt = { true, 1, 5, 0 };
	static const struct {
		struct node_reclaim_limits l;
		uint64_t managed[2];
		uint64_t file, mapped, dirty, file_pages, slab;
		bool has_lru, gated;
	} t[] = {
		/* anonymous memory alone, swap or not: EAGAIN, nothing taken */
		{ dflt, { 247719 }, 2, 494, 1, 2, 143, true, true },
		/* 2310 unmapped clean pages left: the write the kernel answered
		 * EAGAIN; at 3334 it still took 1024 pages */
		{ dflt, { 247719 }, 2806, 494, 2, 2806, 143, true, true },
		{ dflt, { 247719 }, 3830, 494, 2, 3830, 143, true, false },
		/* judged open from a sixteenth below the minimum (2477 - 154):
		 * the kernel's minimum may be its boot-time one, the snapshot a
		 * second old, and a wrong "gated" costs more than an EAGAIN */
		{ dflt, { 247719 }, 2323 + 494, 494, 0, 0, 143, true, true },
		{ dflt, { 247719 }, 2324 + 494, 494, 0, 0, 143, true, false },
		{ dflt, { 247719 }, 2477 + 494, 494, 0, 0, 143, true, false },
		/* dirty pages do not count (no RECLAIM_WRITE) */
		{ dflt, { 247719 }, 5000 + 494, 494, 2700, 0, 143, true, true },
		/* reclaimable slab near or above its minimum (12385 - 774)
		 * opens it */
		{ dflt, { 247719 }, 2, 494, 1, 2, 11611, true, true },
		{ dflt, { 247719 }, 2, 494, 1, 2, 11612, true, false },
		{ dflt, { 247719 }, 2, 494, 1, 2, 12386, true, false },
		/* ratios 0: any slab at all opens it (the VM's write then
		 * swapped 16 MiB); nothing at all keeps it shut */
		{ { true, 0, 0, 0 }, { 247719 }, 2, 494, 1, 2, 143, true, false },
		{ { true, 0, 0, 0 }, { 247719 }, 0, 0, 0, 0, 0, true, true },
		/* RECLAIM_UNMAP: every file page counts, mapped too */
		{ { true, 1, 5, NODE_RECLAIM_RECLAIM_UNMAP }, { 247719 }, 3000, 2900, 0, 3000, 143,
		  true, false },
		/* RECLAIM_WRITE: dirty pages count */
		{ { true, 1, 5, NODE_RECLAIM_RECLAIM_WRITE }, { 247719 }, 5000 + 494, 494, 2700, 0,
		  143, true, false },
		/* per zone: 1% of 150 + 1% of 150 is 1 + 1, not 3 */
		{ dflt, { 150, 150 }, 3, 0, 0, 0, 0, true, false },
		{ dflt, { 150, 150 }, 2, 0, 0, 0, 0, true, true },
		/* mapped beyond the file LRU (tmpfs) is no negative page cache */
		{ dflt, { 247719 }, 100, 900, 0, 0, 143, true, true },
		/* a ratio above 100 (the kernel refuses one) counts as 100 */
		{ { true, 1000, 5, 0 }, { 247719 }, 200000, 0, 0, 0, 143, true, true },
		/* unknown: the write decides */
		{ { false, 1, 5, 0 }, { 247719 }, 2, 494, 1, 2, 143, true, false },
		{ dflt, { 247719 }, 2, 494, 1, 2, 143, false, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		struct node_zoneinfo n = { .n_zones = 2, .has_lru = t[i].has_lru,
					   .has_node_reclaim_lines = t[i].has_lru };

		n.zones[0].managed = t[i].managed[0];
		n.zones[1].managed = t[i].managed[1];
		n.lru.nr_inactive_file = t[i].file / 2;
		n.lru.nr_active_file = t[i].file - t[i].file / 2;
		n.lru.nr_mapped = t[i].mapped;
		n.lru.nr_dirty = t[i].dirty;
		n.lru.nr_file_pages = t[i].file_pages;
		n.lru.nr_slab_reclaimable = t[i].slab;
		if (target_node_file_gated(&t[i].l, &n) != t[i].gated)
			fail_msg("case %zu: want %d", i, t[i].gated);
	}
	/* A node whose per-node block lacks one of the five lines: unknown,
	 * not zero. */
	{
		struct node_zoneinfo n = { .n_zones = 1, .has_lru = true };

		n.zones[0].managed = 247719;
		assert_false(target_node_file_gated(&dflt, &n));
	}
	assert_false(target_node_file_gated(NULL, NULL));
	assert_false(target_node_file_gated(&dflt, NULL));
	(void)state;
}

static void test_policy_on_node(void **state)
{
	static const struct {
		struct target_candidate c;
		bool policy;
		bool guarantee; /* covers every node, memory there or not */
	} cases[] = {
		{ { .weight = 0 }, false, false },
		{ { .weight = TARGET_WEIGHT_DEFAULT }, false, false },
		{ { .weight = 50 }, true, false },
		{ { .protect = true }, true, true },
		{ { .skip = true }, true, true },            /* braked */
		{ { .floor_bytes = 1, .conf_floor_bytes = 1 }, true, true }, /* Floor= */
		/* memory.min or memory.low alone: the kernel keeps them in
		 * node reclaim itself (systemd-oomd.service ships
		 * MemoryMin=64M: otherwise no systemd host used the node
		 * file). */
		{ { .floor_bytes = 1 }, false, false },
		{ { .soft_target_bytes = 1 }, true, false },
		/* Offload's slack is a weight inside a spread, not a reason
		 * to spread: the node file stays (issue 18). */
		{ { .slack_permyriad = TARGET_SLACK_PERMYRIAD_MAX }, false, false },
		/* Nor is a pause elsewhere: the node file, node-bound, is what
		 * spares the paused node. */
		{ { .paused = true }, false, false },
	};
	struct target_candidate c[2];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		if (target_has_policy(&cases[i].c) != cases[i].policy)
			fail_msg("case %zu: policy should be %d", i, cases[i].policy);
		/* A preference covers the node only with memory there, file or
		 * anon; a guarantee always (numa_stat is flushed lazily, so a
		 * few pages on a node can read as none, and the cgroup may
		 * fault pages there before the write). */
		c[0] = (struct target_candidate){ .node_file_bytes = 1 << 20 };
		c[1] = cases[i].c;
		assert_int_equal(target_policy_on_node(c, 2), cases[i].guarantee);
		c[1].node_anon_bytes = 4096;
		assert_int_equal(target_policy_on_node(c, 2), cases[i].policy);
		c[1].node_anon_bytes = 0;
		c[1].node_file_bytes = 4096;
		assert_int_equal(target_policy_on_node(c, 2), cases[i].policy);
	}
	assert_false(target_policy_on_node(c, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread_proportional),
		cmocka_unit_test(test_spread_weight),
		cmocka_unit_test(test_spread_cap_redistributes),
		cmocka_unit_test(test_spread_small_ask),
		cmocka_unit_test(test_spread_floor),
		cmocka_unit_test(test_spread_protect_and_skip),
		cmocka_unit_test(test_spread_paused),
		cmocka_unit_test(test_spread_anon_only_with_swap),
		cmocka_unit_test(test_spread_min_write),
		cmocka_unit_test(test_spread_rounding_exact),
		cmocka_unit_test(test_spread_huge_values),
		cmocka_unit_test(test_spread_empty),
		cmocka_unit_test(test_spread_slack),
		cmocka_unit_test(test_reach),
		cmocka_unit_test(test_spread_priority_spares_small),
		cmocka_unit_test(test_spread_priority_descends),
		cmocka_unit_test(test_spread_priority_min_write),
		cmocka_unit_test(test_soft),
		cmocka_unit_test(test_choose_backend),
		cmocka_unit_test(test_node_file_stalled),
		cmocka_unit_test(test_node_file_gated),
		cmocka_unit_test(test_policy_on_node),
	};

	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
