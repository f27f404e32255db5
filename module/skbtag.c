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
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "skbstamp.h"
#include "track.h"

#define SKS_TAG_BITS	12
#define SKS_TAG_WAYS	4

struct sks_tag_bucket {
	raw_spinlock_t lock;
	struct sks_tag t[SKS_TAG_WAYS];
};

static struct sks_tag_bucket *sks_tags;
static atomic64_t sks_tag_evicted;
static atomic64_t sks_tag_used;

int sks_tag_alloc(void)
{
	int i;

	sks_tags = vzalloc(sizeof(*sks_tags) << SKS_TAG_BITS);
	if (!sks_tags)
		return -ENOMEM;
	for (i = 0; i < 1 << SKS_TAG_BITS; i++)
		raw_spin_lock_init(&sks_tags[i].lock);
	atomic64_set(&sks_tag_evicted, 0);
	atomic64_set(&sks_tag_used, 0);
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
	return atomic64_read(&sks_tag_used);
}

static struct sks_tag_bucket *sks_tag_bucket(const void *shinfo)
{
	return &sks_tags[hash_ptr(shinfo, SKS_TAG_BITS)];
}

/* Insert or replace the entry of @t->shinfo. */
void sks_tag_put(const struct sks_tag *t)
{
	struct sks_tag_bucket *b = sks_tag_bucket(t->shinfo);
	struct sks_tag *e, *slot = NULL, *old = &b->t[0];
	unsigned long flags;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++) {
		if (e->shinfo == t->shinfo) {
			slot = e;
			break;
		}
		if (!e->shinfo && !slot)
			slot = e;
		if (time_before(e->stamp, old->stamp))
			old = e;
	}
	if (!slot) {
		slot = old;
		atomic64_inc(&sks_tag_evicted);
	} else if (!slot->shinfo) {
		atomic64_inc(&sks_tag_used);
	}
	*slot = *t;
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

/* Copy out the entry of @shinfo if it belongs to @sk. */
bool sks_tag_get(const void *shinfo, const void *sk, struct sks_tag *t)
{
	struct sks_tag_bucket *b = sks_tag_bucket(shinfo);
	unsigned long flags;
	struct sks_tag *e;
	bool found = false;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++) {
		if (e->shinfo == shinfo && e->sk == sk) {
			*t = *e;
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return found;
}

void sks_tag_del(const void *shinfo, const void *sk)
{
	struct sks_tag_bucket *b = sks_tag_bucket(shinfo);
	unsigned long flags;
	struct sks_tag *e;

	raw_spin_lock_irqsave(&b->lock, flags);
	for (e = b->t; e < b->t + SKS_TAG_WAYS; e++) {
		if (e->shinfo == shinfo && e->sk == sk) {
			e->shinfo = NULL;
			atomic64_dec(&sks_tag_used);
			break;
		}
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
}
