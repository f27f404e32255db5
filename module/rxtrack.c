// SPDX-License-Identifier: GPL-2.0
/*
 * The table of received packets being tracked, keyed by skb pointer.
 *
 * A pointer is only a name while the skb lives, so every way an skb
 * carrying a tracked packet is freed removes its entry (rx.c hooks the
 * kfree_skb and consume_skb tracepoints, __kfree_skb, kfree_skb_partial,
 * the GRO free paths and skb_attempt_defer_free), and the first receive
 * stage of a packet (napi) replaces whatever entry its pointer still had.
 * Entries also expire: one older than SKBSTAMP_RX_MAX_AGE_S is reused as
 * if free.
 *
 * Bounded: a fixed table of small buckets, each with a raw spinlock (the
 * hooks run in any context, hardirq included).  A full bucket reuses its
 * oldest entry.  Reused entries of packets in flight (full bucket, aged
 * out) are counted as evictions.
 */
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "skbstamp.h"
#include "pcount.h"
#include "track.h"

#define SKS_RX_MAX_AGE	(SKBSTAMP_RX_MAX_AGE_S * HZ)

struct sks_rx_bucket *sks_rxt __read_mostly;
static atomic64_t sks_rx_evicted;
static DEFINE_PER_CPU(long, sks_rx_used);

int sks_rx_alloc(void)
{
	int i;

	sks_rxt = vzalloc(sizeof(*sks_rxt) << SKS_RX_BITS);
	if (!sks_rxt)
		return -ENOMEM;
	for (i = 0; i < 1 << SKS_RX_BITS; i++)
		raw_spin_lock_init(&sks_rxt[i].lock);
	atomic64_set(&sks_rx_evicted, 0);
	sks_pcount_zero(&sks_rx_used);
	return 0;
}

void sks_rx_free(void)
{
	vfree(sks_rxt);
	sks_rxt = NULL;
}

u64 sks_rx_evictions(void)
{
	return atomic64_read(&sks_rx_evicted);
}

u64 sks_rx_count(void)
{
	return sks_pcount_sum(&sks_rx_used);
}

static bool sks_rx_expired(const struct sks_rx *e)
{
	return time_after(jiffies, e->stamp + SKS_RX_MAX_AGE);
}

/* Free slot @e, which is in use; with the bucket locked. */
static void sks_rx_clear(struct sks_rx_bucket *b, struct sks_rx *e)
{
	WRITE_ONCE(e->skb, NULL);	/* sks_rx_maybe_in() reads it unlocked */
	b->used--;
	this_cpu_dec(sks_rx_used);
}

/*
 * The entry of @skb in @b, or NULL; an expired one is freed on the way.
 * With the bucket locked.
 */
static struct sks_rx *sks_rx_find(struct sks_rx_bucket *b, const void *skb)
{
	struct sks_rx *e;

	for (e = b->e; e < b->e + SKS_RX_WAYS; e++) {
		if (e->skb != skb)
			continue;
		if (sks_rx_expired(e)) {
			sks_rx_clear(b, e);
			atomic64_inc(&sks_rx_evicted);
			return NULL;
		}
		return e;
	}
	return NULL;
}

/*
 * Lock the bucket of @skb and return its entry, to read and update in
 * place, or NULL; sks_rx_unlock() or sks_rx_remove() lets the bucket go,
 * found or not.  Callers look first with sks_rx_maybe(), which skips the
 * lock for an empty bucket.  While one bucket is held, no other may be
 * locked: two CPUs could take a pair of them in opposite orders.
 */
struct sks_rx *sks_rx_lock(const void *skb, struct sks_rx_ref *ref)
	__acquires(ref)
{
	ref->b = sks_rx_bucket(skb);
	raw_spin_lock_irqsave(&ref->b->lock, ref->flags);
	return sks_rx_find(ref->b, skb);
}

void sks_rx_unlock(struct sks_rx_ref *ref)
	__releases(ref)
{
	raw_spin_unlock_irqrestore(&ref->b->lock, ref->flags);
}

/* Free the locked entry @e and let its bucket go. */
void sks_rx_remove(struct sks_rx_ref *ref, struct sks_rx *e)
	__releases(ref)
{
	sks_rx_clear(ref->b, e);
	sks_rx_unlock(ref);
}

/* Copy out the entry of @skb, removing it if @take. */
static bool sks_rx_lookup(const void *skb, struct sks_rx *out, bool take)
{
	struct sks_rx_bucket *b = sks_rx_bucket(skb);
	unsigned long flags;
	struct sks_rx *e;

	if (!READ_ONCE(b->used))
		return false;
	raw_spin_lock_irqsave(&b->lock, flags);
	e = sks_rx_find(b, skb);
	if (e) {
		*out = *e;
		if (take)
			sks_rx_clear(b, e);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return e;
}

bool sks_rx_get(const void *skb, struct sks_rx *out)
{
	return sks_rx_lookup(skb, out, false);
}

/* Remove the entry of @skb, returning it in @out. */
bool sks_rx_take(const void *skb, struct sks_rx *out)
{
	return sks_rx_lookup(skb, out, true);
}

/*
 * Insert or replace the entry of @in->skb.  When an entry for the pointer
 * was there, it is returned in @old (if given) and true is returned.
 */
bool sks_rx_put(const struct sks_rx *in, struct sks_rx *old)
{
	struct sks_rx_bucket *b = sks_rx_bucket(in->skb);
	struct sks_rx *e, *slot = NULL, *lru = NULL;
	unsigned long flags;
	bool had = false;

	raw_spin_lock_irqsave(&b->lock, flags);
	slot = sks_rx_find(b, in->skb);
	if (slot) {
		had = true;
		if (old)
			*old = *slot;
		goto write;
	}
	for (e = b->e; e < b->e + SKS_RX_WAYS; e++) {
		if (!e->skb) {
			b->used++;
			this_cpu_inc(sks_rx_used);
			slot = e;
			goto write;
		}
		if (!lru || time_before(e->stamp, lru->stamp))
			lru = e;
	}
	/* Full: the oldest goes (it may have expired anyway). */
	slot = lru;
	atomic64_inc(&sks_rx_evicted);
write:
	*slot = *in;
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return had;
}
