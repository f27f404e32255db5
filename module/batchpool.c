// SPDX-License-Identifier: GPL-2.0
/*
 * Pages that multicast batches of records are built on, reused from one
 * batch to the next.
 *
 * A batch allocated afresh costs a 32 KiB allocation that kernels with
 * init_on_alloc (the distributions' default) zero whole before the
 * records are copied over it: about as much work again as the copy.  The
 * pool's pages are allocated (and zeroed) once, when a run starts: as
 * many 32 KiB slots as batches hold one CPU's ring, so that a drain that
 * empties a full ring finds a slot for each batch, at most
 * SKS_POOL_SLOTS_MAX.  A
 * batch's records are copied into a free slot's pages, which the batch
 * carries as page fragments holding a reference each.  netlink shares
 * them between the listeners' clones; each listener's recvmsg() copies
 * them out like linear data, and freeing the last clone drops the
 * batch's references.
 *
 * A slot is free again when the pool's reference is each of its pages'
 * only one.  Nothing in the module runs when a batch is freed: a batch
 * that outlives the run, or the module, in a listener's queue frees its
 * pages itself, after the pool let go of them.  A slot still held (a
 * listener has not read that batch yet) is never written: the drain
 * falls back to a fresh allocation, as when the pool could not be
 * allocated at all.
 *
 * Only the drain uses the pool, under its lock (ring.c).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "skbstamp.h"

/* 2 MiB: a ring of more than 15,000 records is drained in turns. */
#define SKS_POOL_SLOTS_MAX	64

static struct page *(*sks_pool)[SKS_BATCH_PAGES];
static unsigned int sks_pool_slots, sks_pool_next;

static void sks_pool_put_slot(struct page **slot)
{
	unsigned int i;

	for (i = 0; i < SKS_BATCH_PAGES; i++) {
		if (slot[i])
			put_page(slot[i]);
		slot[i] = NULL;
	}
}

/*
 * At a multicast run's start, for @batches batches.  Without memory the
 * pool is smaller, or empty: batches are then allocated afresh.
 */
void sks_pool_fill(unsigned int batches)
{
	unsigned int s, i;

	BUILD_BUG_ON(SKS_BATCH_PAGES > MAX_SKB_FRAGS);
	sks_pool_release();
	batches = clamp(batches, 1U, SKS_POOL_SLOTS_MAX);
	sks_pool = kcalloc(batches, sizeof(*sks_pool), GFP_KERNEL | __GFP_NOWARN);
	if (!sks_pool)
		return;
	sks_pool_slots = batches;
	sks_pool_next = 0;
	for (s = 0; s < sks_pool_slots; s++) {
		for (i = 0; i < SKS_BATCH_PAGES; i++) {
			sks_pool[s][i] = alloc_page(GFP_KERNEL | __GFP_NOWARN);
			if (!sks_pool[s][i]) {
				sks_pool_put_slot(sks_pool[s]);
				break;
			}
		}
	}
}

/* At a run's end: batches still queued to listeners keep their pages. */
void sks_pool_release(void)
{
	unsigned int s;

	for (s = 0; s < sks_pool_slots; s++)
		sks_pool_put_slot(sks_pool[s]);
	kfree(sks_pool);
	sks_pool = NULL;
	sks_pool_slots = 0;
}

static bool sks_pool_slot_free(struct page **slot)
{
	unsigned int i;

	if (!slot[0])
		return false;
	for (i = 0; i < SKS_BATCH_PAGES; i++)
		if (page_ref_count(slot[i]) != 1)
			return false;
	/*
	 * The last listener's reads of the pages came before its reference
	 * went (a fully ordered atomic): order them before our writes.
	 */
	smp_mb();
	return true;
}

/*
 * The pages of a free slot, SKS_BATCH_PAGES of them, or NULL if every
 * slot is still held.  Slots are taken in turn, so the one tried first
 * is the one whose batch listeners have had longest to read.
 */
struct page **sks_pool_take(void)
{
	unsigned int i, s;

	for (i = 0; i < sks_pool_slots; i++) {
		s = (sks_pool_next + i) % sks_pool_slots;
		if (sks_pool_slot_free(sks_pool[s])) {
			sks_pool_next = s + 1;
			return sks_pool[s];
		}
	}
	return NULL;
}
