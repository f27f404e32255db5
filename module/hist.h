/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Summary mode's latency histograms (hist.c).
 */
#ifndef SKS_HIST_H
#define SKS_HIST_H

#include <linux/skbstamp.h>
#include <linux/kernel.h>
#include <linux/types.h>

/* One histogram summed over the CPUs, for HIST. */
struct sks_hist_sum {
	unsigned int pair;	/* enum skbstamp_pair */
	u8 proto;
	u64 count;
	u64 sum;
	u64 max;
	u64 b[SKBSTAMP_NBUCKETS];
};

void sks_hist_init(void);
int sks_hist_reset(void);
void sks_hist_free(void);
void sks_hist_add_pairs(unsigned int pairs, u8 proto, const u64 *ts,
			unsigned int first, unsigned int n, u64 now);

extern u16 sks_hist_pairs_ending[__SKBSTAMP_STAGE_MAX];
extern u32 sks_hist_stages_timed;

/*
 * Does a histogram pair begin or end at @stage?  Summary mode reads the
 * clock only where one does: elsewhere (netif, ip, l4) nobody would read
 * the time.
 */
static inline bool sks_hist_stage_timed(unsigned int stage)
{
	return sks_hist_stages_timed & BIT(stage);
}

/*
 * A packet of protocol @proto passed @stage at @now: a sample for every
 * pair ending there whose first stage it passed.  @ts[i] is when it
 * passed stage @first + i (0: not), for @n stages.  Inline up to the
 * test, since most receive stages (netif, ip, l4) end no pair.
 */
static inline void sks_hist_add_stage(unsigned int stage, u8 proto,
				      const u64 *ts, unsigned int first,
				      unsigned int n, u64 now)
{
	if (stage < ARRAY_SIZE(sks_hist_pairs_ending) &&
	    sks_hist_pairs_ending[stage])
		sks_hist_add_pairs(sks_hist_pairs_ending[stage], proto, ts,
				   first, n, now);
}

int sks_hist_read(unsigned int idx, struct sks_hist_sum *out);
void sks_hist_pair_stages(unsigned int pair, u32 *from, u32 *to);

#endif /* SKS_HIST_H */
