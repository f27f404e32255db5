/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed number of slots found by a hash of their key and listed in the
 * order they were taken (slots.c): the open packets and send calls of
 * monitor's packet assembly (assemble.c), and those and the arrow ends of
 * the trace (trace.c).  The user keeps its entries in an array of its own,
 * indexed by slot, and compares keys itself as it walks a bucket.
 */
#ifndef SKBSTAMP_SLOTS_H
#define SKBSTAMP_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#define SKS_SLOT_NONE	(-1)	/* the end of a bucket or of the list */

struct sks_slot {
	unsigned int bucket;	/* of its key's hash */
	int hnext, hprev;	/* neighbours in that bucket, hnext taken earlier */
	int prev, next;		/* neighbours in the order slots were taken */
};

struct sks_slots {
	unsigned int size, hbits;
	unsigned int nused;	/* slots taken */
	int oldest, newest;	/* ends of the list in the order taken */
	int *bucket;		/* the latest slot of each bucket taken */
	struct sks_slot *slot;
	uint64_t *free_bits;	/* a bit per free slot */
	uint64_t *free_words;	/* a bit per word of free_bits with one set */
};

/* @size slots, a multiple of 64, and twice as many buckets.  0 or -1. */
int sks_slots_init(struct sks_slots *s, unsigned int size);
void sks_slots_fini(struct sks_slots *s);
/* The bucket of a key that hashes to @h. */
unsigned int sks_slots_hash(const struct sks_slots *s, uint64_t h);
bool sks_slots_used(const struct sks_slots *s, int i);
/*
 * The lowest free slot, put in bucket @bucket and at the end of the list;
 * SKS_SLOT_NONE when all are taken.
 */
int sks_slots_take(struct sks_slots *s, unsigned int bucket);
void sks_slots_release(struct sks_slots *s, int i);

/* The slots of @bucket, the latest taken first, until SKS_SLOT_NONE. */
static inline int sks_slots_first(const struct sks_slots *s, unsigned int bucket)
{
	return s->bucket[bucket];
}

static inline int sks_slots_next(const struct sks_slots *s, int i)
{
	return s->slot[i].hnext;
}

#endif /* SKBSTAMP_SLOTS_H */
