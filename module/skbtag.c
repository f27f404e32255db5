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

#define SKS_TAG_BITS	12
#define SKS_TAG_WAYS	4

struct sks_tag_bucket {
	raw_spinlock_t lock;
	struct sks_tag t[SKS_TAG_WAYS];
} ____cacheline_aligned_in_smp;

static struct sks_tag_bucket *sks_tags __read_mostly;
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

static struct sks_tag_bucket *sks_tag_bucket(u64 cookie, u32 tskey)
{
	return &sks_tags[hash_64(cookie ^ ((u64)tskey << 32 | tskey), SKS_TAG_BITS)];
}

static bool sks_tag_is(const struct sks_tag *e, u64 cookie, u32 tskey)
{
	return e->cookie == cookie && e->tskey == tskey;
}

/*
 * Insert the entry of (@t->cookie, @t->tskey), replacing one with that key
 * if @replace, else leaving it and returning false.
 */
static bool sks_tag_store(const struct sks_tag *t, bool replace)
{
	struct sks_tag_bucket *b = sks_tag_bucket(t->cookie, t->tskey);
	struct sks_tag *e, *slot = NULL, *old = &b->t[0];
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++) {
		if (sks_tag_is(e, t->cookie, t->tskey)) {
			if (!replace) {
				raw_spin_unlock_irqrestore(&b->lock, flags);
				return false;
			}
			slot = e;
			break;
		}
		if (!e->cookie && !slot)
			slot = e;
		if (time_before(e->stamp, old->stamp))
			old = e;
	}
	if (!slot) {
		slot = old;
		atomic64_inc(&sks_tag_evicted);
	} else if (!slot->cookie) {
		this_cpu_inc(sks_tag_used);
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

/* The entry of (@cookie, @tskey) in @b, whose lock the caller holds. */
static struct sks_tag *sks_tag_find(struct sks_tag_bucket *b, u64 cookie,
				    u32 tskey)
{
	struct sks_tag *e;

	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++)
		if (sks_tag_is(e, cookie, tskey))
			return e;
	return NULL;
}

/*
 * Lock the bucket of (@cookie, @tskey) and return the entry, or NULL if
 * it has none.  The caller reads and updates the entry in place (a stage
 * marks itself with sks_tag_pass() and may end the entry), then
 * sks_tag_unlock() lets the bucket go, found or not.  One lock hold per
 * stage: stages of one skb may complete on several CPUs at once (a
 * hardware stamp and the ACK), and each must see what the others did, so
 * that exactly one of them ends the entry.  Nothing that takes another
 * bucket's lock may be called in between; recording the stage (a ring
 * slot with interrupts off, maybe queueing the drain) or adding its
 * samples may.
 */
struct sks_tag *sks_tag_lock(u64 cookie, u32 tskey, struct sks_tag_ref *ref)
	__acquires(&ref->b->lock)
{
	ref->b = sks_tag_bucket(cookie, tskey);
	raw_spin_lock_irqsave(&ref->b->lock, ref->flags);
	return sks_tag_find(ref->b, cookie, tskey);
}

void sks_tag_unlock(struct sks_tag_ref *ref)
	__releases(&ref->b->lock)
{
	raw_spin_unlock_irqrestore(&ref->b->lock, ref->flags);
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
