// SPDX-License-Identifier: GPL-2.0
/*
 * Summary mode: per-CPU log-linear latency histograms, one per stage pair
 * (enum skbstamp_pair) and protocol.
 *
 * A hook adds a sample with this_cpu_*() operations, which are safe against
 * interrupts on the same CPU and need no lock; HIST sums the CPUs.  The set
 * of histograms is reached through an RCU pointer so RESET can swap in a
 * zeroed set atomically (no sample is half counted in both) and free the
 * old one after a grace period.  Memory is bounded: a set is allocated at
 * START (and RESET), never in a hook, and the last run's set is kept after
 * STOP so it can still be read.
 *
 * Bucket layout: see SKBSTAMP_BUCKET_SUB_BITS in the uapi header.
 */
#include <linux/bitops.h>
#include <linux/in.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "skbstamp.h"
#include "hist.h"

#define SKS_HIST_PROTOS	2	/* 0: TCP, 1: UDP */

struct sks_hist {
	u64 count;
	u64 sum;
	u64 max;
	u64 b[SKBSTAMP_NBUCKETS];
};

/*
 * One per-CPU allocation per pair: the whole set would exceed what the
 * percpu allocator gives in one piece (PCPU_MIN_UNIT_SIZE, 32 KiB).
 */
struct sks_hist_set {
	struct sks_hist __percpu *h[__SKBSTAMP_PAIR_MAX];	/* [proto] */
	struct rcu_head rcu;
};

#define SKS_HIST_N	(__SKBSTAMP_PAIR_MAX * SKS_HIST_PROTOS)

static struct sks_hist_set __rcu *sks_hists __read_mostly;

/* The stages each pair starts and ends at. */
static const u8 sks_pair_stages[__SKBSTAMP_PAIR_MAX][2] = {
	[SKBSTAMP_PAIR_SENDMSG_SCHED] = { SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_SCHED },
	[SKBSTAMP_PAIR_SCHED_SW] = { SKBSTAMP_STAGE_SCHED, SKBSTAMP_STAGE_SW },
	[SKBSTAMP_PAIR_SW_HW] = { SKBSTAMP_STAGE_SW, SKBSTAMP_STAGE_HW },
	[SKBSTAMP_PAIR_SW_ACK] = { SKBSTAMP_STAGE_SW, SKBSTAMP_STAGE_ACK },
	[SKBSTAMP_PAIR_SENDMSG_SW] = { SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_SW },
	[SKBSTAMP_PAIR_SENDMSG_ACK] = { SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_ACK },
	[SKBSTAMP_PAIR_SW_TXDONE] = { SKBSTAMP_STAGE_SW, SKBSTAMP_STAGE_TXDONE },
	[SKBSTAMP_PAIR_IRQ_NAPI] = { SKBSTAMP_STAGE_IRQ, SKBSTAMP_STAGE_NAPI },
	[SKBSTAMP_PAIR_NAPI_SOCKQ] = { SKBSTAMP_STAGE_NAPI, SKBSTAMP_STAGE_SOCKQ },
	[SKBSTAMP_PAIR_SOCKQ_READ] = { SKBSTAMP_STAGE_SOCKQ, SKBSTAMP_STAGE_READ },
	[SKBSTAMP_PAIR_NAPI_READ] = { SKBSTAMP_STAGE_NAPI, SKBSTAMP_STAGE_READ },
};

/*
 * For each stage, the pairs that end there (BIT(pair)), so that a stage
 * adds its samples without going through every pair.  Filled at load.
 */
u16 sks_hist_pairs_ending[__SKBSTAMP_STAGE_MAX] __read_mostly;

/* The stages some pair begins or ends at (BIT(stage)).  Filled at load. */
u32 sks_hist_stages_timed __read_mostly;

void __init sks_hist_init(void)
{
	unsigned int pair;

	BUILD_BUG_ON(__SKBSTAMP_PAIR_MAX > 16);
	BUILD_BUG_ON(__SKBSTAMP_STAGE_MAX > 32);
	for (pair = 0; pair < __SKBSTAMP_PAIR_MAX; pair++) {
		sks_hist_pairs_ending[sks_pair_stages[pair][1]] |= BIT(pair);
		sks_hist_stages_timed |= BIT(sks_pair_stages[pair][0]) |
					 BIT(sks_pair_stages[pair][1]);
	}
}

void sks_hist_pair_stages(unsigned int pair, u32 *from, u32 *to)
{
	*from = sks_pair_stages[pair][0];
	*to = sks_pair_stages[pair][1];
}

/* The bucket of a latency of @ns nanoseconds. */
static unsigned int sks_hist_bucket(u64 ns)
{
	unsigned int sub = 1u << SKBSTAMP_BUCKET_SUB_BITS;
	unsigned int shift, i;

	if (ns < sub)
		return ns;
	shift = fls64(ns) - 1 - SKBSTAMP_BUCKET_SUB_BITS;
	i = (shift + 1) * sub + ((ns >> shift) & (sub - 1));
	return min_t(unsigned int, i, SKBSTAMP_NBUCKETS - 1);
}

static void sks_hist_set_free(struct sks_hist_set *s)
{
	unsigned int pair;

	if (!s)
		return;
	for (pair = 0; pair < __SKBSTAMP_PAIR_MAX; pair++)
		free_percpu(s->h[pair]);
	kfree(s);
}

static struct sks_hist_set *sks_hist_set_new(void)
{
	struct sks_hist_set *s = kzalloc(sizeof(*s), GFP_KERNEL);
	unsigned int pair;

	BUILD_BUG_ON(sizeof(struct sks_hist) * SKS_HIST_PROTOS >
		     PCPU_MIN_UNIT_SIZE);
	if (!s)
		return NULL;
	for (pair = 0; pair < __SKBSTAMP_PAIR_MAX; pair++) {
		s->h[pair] = __alloc_percpu(sizeof(struct sks_hist) *
					    SKS_HIST_PROTOS,
					    __alignof__(struct sks_hist));
		if (!s->h[pair]) {
			sks_hist_set_free(s);
			return NULL;
		}
	}
	return s;
}

static void sks_hist_set_free_rcu(struct rcu_head *head)
{
	sks_hist_set_free(container_of(head, struct sks_hist_set, rcu));
}

/*
 * A fresh, empty set of histograms; the old one goes once no hook can be
 * using it.  Process context, under the control lock.
 */
int sks_hist_reset(void)
{
	struct sks_hist_set *s = sks_hist_set_new(), *old;

	if (!s)
		return -ENOMEM;
	old = rcu_replace_pointer(sks_hists, s, true);
	if (old)
		call_rcu(&old->rcu, sks_hist_set_free_rcu);
	return 0;
}

/* At unload, or at a START in records mode. */
void sks_hist_free(void)
{
	struct sks_hist_set *old = rcu_replace_pointer(sks_hists, NULL, true);

	/*
	 * Hooks and HIST dumps may still read the old set: wait for them,
	 * and for a reset's pending free.
	 */
	synchronize_rcu();
	rcu_barrier();
	sks_hist_set_free(old);
}

/*
 * Add a sample of pair @pair for protocol @proto, from @from_ns to @to_ns
 * (CLOCK_MONOTONIC), to set @s.  Called by hooks with preemption disabled.
 */
static __always_inline void sks_hist_add(struct sks_hist_set *s,
					 unsigned int pair, u8 proto,
					 u64 from_ns, u64 to_ns)
{
	struct sks_hist __percpu *h;
	u64 ns;

	if (!from_ns || to_ns < from_ns)
		return;
	ns = to_ns - from_ns;
	h = s->h[pair] + (proto == IPPROTO_UDP);
	this_cpu_inc(h->count);
	this_cpu_add(h->sum, ns);
	this_cpu_inc(h->b[sks_hist_bucket(ns)]);
	/* A racing larger sample on this CPU can only be lost to a smaller. */
	if (ns > this_cpu_read(h->max))
		this_cpu_write(h->max, ns);
}

/* sks_hist_add_stage() of a stage that ends @pairs (BIT(pair)). */
void sks_hist_add_pairs(unsigned int pairs, u8 proto, const u64 *ts,
			unsigned int first, unsigned int n, u64 now)
{
	struct sks_hist_set *s = rcu_dereference_sched(sks_hists);
	unsigned int pair, from;

	if (!s)
		return;
	for (; pairs; pairs &= pairs - 1) {
		pair = __ffs(pairs);
		from = sks_pair_stages[pair][0];
		if (from >= first && from - first < n)
			sks_hist_add(s, pair, proto, ts[from - first], now);
	}
}

/*
 * Sum histogram @idx (pair * 2 + protocol) over the CPUs into @out, or
 * return -ENOENT past the last one.  @out->b[] is filled in full.
 */
int sks_hist_read(unsigned int idx, struct sks_hist_sum *out)
{
	struct sks_hist_set *s;
	unsigned int i;
	int cpu;

	if (idx >= SKS_HIST_N)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->pair = idx / SKS_HIST_PROTOS;
	out->proto = idx % SKS_HIST_PROTOS ? IPPROTO_UDP : IPPROTO_TCP;
	rcu_read_lock();
	s = rcu_dereference(sks_hists);
	if (s) {
		for_each_possible_cpu(cpu) {
			const struct sks_hist *h =
				per_cpu_ptr(s->h[out->pair], cpu) +
				idx % SKS_HIST_PROTOS;

			out->count += READ_ONCE(h->count);
			out->sum += READ_ONCE(h->sum);
			out->max = max(out->max, READ_ONCE(h->max));
			for (i = 0; i < SKBSTAMP_NBUCKETS; i++)
				out->b[i] += READ_ONCE(h->b[i]);
		}
	}
	rcu_read_unlock();
	return 0;
}
