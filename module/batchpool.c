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
 * SKS_POOL_SLOTS_MAX.  A slot is one compound page, so that a batch is
 * one fragment: a listener's recvmsg() does its per-fragment work once.
 *
 * A batch's records are copied into a free slot, which the batch carries
 * as a page fragment holding a reference.  netlink shares it between the
 * listeners' clones; each listener's recvmsg() copies it out like linear
 * data, and freeing the last clone drops the batch's reference.  A slot
 * is free again when the pool's reference is its page's only one.
 *
 * Nothing in the module runs when a batch is freed: a batch that
 * outlives the run, or the module, in a listener's queue frees its page
 * itself, after the pool let go of it.  A slot still held (a listener
 * has not read that batch yet) is never written: the drain falls back to
 * a fresh allocation, as when the pool could not be allocated at all.
 *
 * Only the drain uses the pool, under its lock (ring.c).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "skbstamp.h"

/* 2 MiB: a ring of more than 15,000 records is drained in turns. */
#define SKS_POOL_SLOTS_MAX	64

static struct page **sks_pool;
static unsigned int sks_pool_slots, sks_pool_next;

/* At a run's end: batches still queued to listeners keep their pages. */
void sks_pool_release(void)
{
	unsigned int s;

	for (s = 0; s < sks_pool_slots; s++)
		put_page(sks_pool[s]);
	kfree(sks_pool);
	sks_pool = NULL;
	sks_pool_slots = 0;
}

/*
 * At a multicast run's start, for @batches batches.  Without memory the
 * pool is smaller, or empty: batches are then allocated afresh.
 */
void sks_pool_fill(unsigned int batches)
{
	unsigned int s;

	sks_pool_release();
	batches = clamp(batches, 1U, SKS_POOL_SLOTS_MAX);
	sks_pool = kcalloc(batches, sizeof(*sks_pool), GFP_KERNEL | __GFP_NOWARN);
	if (!sks_pool)
		return;
	for (s = 0; s < batches; s++) {
		sks_pool[s] = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN,
					  SKS_BATCH_ORDER);
		if (!sks_pool[s])
			break;
	}
	sks_pool_slots = s;
	sks_pool_next = 0;
}

/*
 * A free slot, a compound page of SKS_BATCH_ORDER, or NULL if every slot
 * is still held.  Slots are taken in turn, so the one tried first is the
 * one whose batch listeners have had longest to read.
 */
struct page *sks_pool_take(void)
{
	unsigned int i, s;

	for (i = 0; i < sks_pool_slots; i++) {
		s = (sks_pool_next + i) % sks_pool_slots;
		if (page_ref_count(sks_pool[s]) == 1) {
			/*
			 * The last listener's reads of the page came before
			 * its reference went (a fully ordered atomic): order
			 * them before our writes.
			 */
			smp_mb();
			sks_pool_next = s + 1;
			return sks_pool[s];
		}
	}
	return NULL;
}
