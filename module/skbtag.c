// SPDX-License-Identifier: GPL-2.0
/*
 * The table of skbs the module tagged with timestamp requests.
 *
 * It answers the question the kernel cannot: when __skb_tstamp_tx() runs
 * for an skb, did the application ask for this timestamp, the module, or
 * both?  Only the application's requests may reach its error queue.
 *
 * Entries are created when the module tags an skb and removed at the skb's
 * last stage (TCP: the ACK, which the module always requests; UDP: the
 * software or hardware transmit stamp).  An skb that never gets there
 * (dropped, socket closed) leaves an entry that is reused by the next
 * tagging in its bucket; those reuses are counted.
 */
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "skbstamp.h"
#include "pcount.h"
#include "track.h"

struct sks_tag_bucket *sks_tags __read_mostly;
static atomic64_t sks_tag_evicted;
static DEFINE_PER_CPU(long, sks_tag_used);

int sks_tag_alloc(void)
{
	int i;

	sks_tags = vzalloc(sizeof(*sks_tags) << SKS_TAG_BITS);
	if (!sks_tags)
		return -ENOMEM;
	for (i = 0; i < 1 << SKS_TAG_BITS; i++)
		raw_spin_lock_init(&sks_tags[i].lock);
	atomic64_set(&sks_tag_evicted, 0);
	sks_pcount_zero(&sks_tag_used);
	return 0;
}

void sks_tag_free(void)
{
	vfree(sks_tags);
	sks_tags = NULL;
}

u64 sks_tag_evictions(void)
{
	return atomic64_read(&sks_tag_evicted);
}

/* Entries in use: skbs tagged whose last stage has not come yet. */
u64 sks_tag_count(void)
{
	return sks_pcount_sum(&sks_tag_used);
}

/*
 * The slot in locked bucket @b for an entry of (@cookie, @tskey): the
 * entry already under that key (*@found), else a free slot, else the
 * bucket's oldest entry, evicted (counted).  A slot not in use before is
 * counted as used: the caller fills it in.
 */
static __always_inline struct sks_tag *
sks_tag_slot(struct sks_tag_bucket *b, u64 cookie, u32 tskey, bool *found)
{
	struct sks_tag *e, *slot = NULL;

	*found = false;
	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++) {
		if (sks_tag_is(e, cookie, tskey)) {
			*found = true;
			return e;
		}
		if (!e->cookie && !slot)
			slot = e;
	}
	if (slot) {
		this_cpu_inc(sks_tag_used);
		return slot;
	}
	/* A full bucket: its oldest entry goes. */
	slot = b->t;
	for (e = b->t + 1; e < b->t + SKS_TAG_WAYS; e++)
		if (time_before(e->stamp, slot->stamp))
			slot = e;
	atomic64_inc(&sks_tag_evicted);
	return slot;
}

/*
 * Lock the bucket of (@cookie, @tskey) and return the slot for a new
 * entry of that key, replacing the one already there if any.  The caller
 * writes the whole entry in place, then sks_tag_unlock(): a tagged skb's
 * entry is not built elsewhere and copied in.
 */
struct sks_tag *sks_tag_lock_new(u64 cookie, u32 tskey, struct sks_tag_ref *ref)
	__acquires(&ref->b->lock)
{
	bool found;

	ref->b = sks_tag_bucket(cookie, tskey);
	raw_spin_lock_irqsave(&ref->b->lock, ref->flags);
	return sks_tag_slot(ref->b, cookie, tskey, &found);
}

/*
 * Insert the entry of (@t->cookie, @t->tskey), replacing one with that key
 * if @replace, else leaving it and returning false.
 */
static bool sks_tag_store(const struct sks_tag *t, bool replace)
{
	struct sks_tag_bucket *b = sks_tag_bucket(t->cookie, t->tskey);
	struct sks_tag *slot;
	unsigned long flags;
	bool found;

	raw_spin_lock_irqsave(&b->lock, flags);
	slot = sks_tag_slot(b, t->cookie, t->tskey, &found);
	if (found && !replace) {
		raw_spin_unlock_irqrestore(&b->lock, flags);
		return false;
	}
	*slot = *t;
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return true;
}

/* Insert or replace the entry of (@t->cookie, @t->tskey). */
void sks_tag_put(const struct sks_tag *t)
{
	sks_tag_store(t, true);
}

/* Insert the entry of (@t->cookie, @t->tskey) unless there is one. */
bool sks_tag_add(const struct sks_tag *t)
{
	return sks_tag_store(t, false);
}

/* Locked entry @e ends: its slot is free (its fields stay until unlock). */
void sks_tag_end(struct sks_tag *e)
{
	e->cookie = 0;
	this_cpu_dec(sks_tag_used);
}

/* A copy of the entry of (@cookie, @tskey), if there is one. */
bool sks_tag_get(u64 cookie, u32 tskey, struct sks_tag *t)
{
	struct sks_tag_ref ref;
	struct sks_tag *e;

	e = sks_tag_lock(cookie, tskey, &ref);
	if (e)
		*t = *e;
	sks_tag_unlock(&ref);
	return e;
}

/*
 * The skb was split (by software GSO or IP fragmentation): from now on its
 * records cover @len bytes (0: unchanged), its driver stages @seg_len
 * (0: all of them), and carry @rflags too.
 */
void sks_tag_narrow(u64 cookie, u32 tskey, u32 len, u32 seg_len, u8 rflags)
{
	struct sks_tag_ref ref;
	struct sks_tag *e;

	e = sks_tag_lock(cookie, tskey, &ref);
	if (e) {
		if (len)
			e->len = len;
		if (seg_len)
			e->seg_len = seg_len;
		e->rflags |= rflags;
	}
	sks_tag_unlock(&ref);
}
