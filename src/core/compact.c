/* SPDX-License-Identifier: GPL-2.0-only */
#include "compact.h"
#include "macro.h"

static const char *const compact_reason_table[_COMPACT_REASON_MAX] = {
	[COMPACT_NONE] = "none",
	[COMPACT_BOOST] = "boost",
	[COMPACT_FRAGMENTED] = "fragmented",
};

DEFINE_STRING_TABLE_TO_STRING(, compact_reason, enum compact_reason, _COMPACT_REASON_MAX)

bool compact_fragmented(const struct compact_input *in)
{
	if (!in->have_blocks || in->free_pages == 0 || in->high_order_pages > in->free_pages)
		return false;
	/* high * 100 < free * 10, without overflow: free pages fit in 52 bits
	 * on any machine (4 PiB of 4 KiB pages). */
	if (in->free_pages > (UINT64_MAX / 100))
		return in->high_order_pages / COMPACT_FREE_HIGH_ORDER_PERCENT <
		       in->free_pages / 100;
	return in->high_order_pages * 100 < in->free_pages * COMPACT_FREE_HIGH_ORDER_PERCENT;
}

enum compact_reason compact_decide(struct compact_state *s, const struct compact_input *in,
				   uint64_t now_usec)
{
	uint64_t interval = s->interval_usec ? s->interval_usec : COMPACT_INTERVAL_USEC_DEFAULT;
	enum compact_reason why;

	if (!in->balanced)
		return COMPACT_NONE;
	if (in->kernel_boost_paid)
		why = COMPACT_BOOST;
	else if (!in->kernel_compacts_fragmented && compact_fragmented(in))
		why = COMPACT_FRAGMENTED;
	else
		return COMPACT_NONE;
	if (s->last_usec && now_usec >= s->last_usec && now_usec - s->last_usec < interval)
		return COMPACT_NONE;
	s->last_usec = now_usec ? now_usec : 1;
	return why;
}
