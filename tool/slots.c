// SPDX-License-Identifier: GPL-2.0
/*
 * Slots found by hash, listed in the order taken (slots.h).  No scan per
 * operation but a bucket's walk: the buckets and the list are both doubly
 * linked (the calls of one socket share a bucket, and the oldest leaves
 * first), and the lowest free slot comes from two levels of bitmaps.
 * Slots are taken lowest first, so that a user walking the table in slot
 * order sees the same order for the same input.
 */
#include <stdlib.h>
#include <string.h>

#include "slots.h"

int sks_slots_init(struct sks_slots *s, unsigned int size)
{
	unsigned int i, words = size / 64;

	memset(s, 0, sizeof(*s));
	s->size = size;
	for (s->hbits = 1; 1u << s->hbits < 2 * size; s->hbits++)
		;
	s->oldest = SKS_SLOT_NONE;
	s->newest = SKS_SLOT_NONE;
	s->bucket = malloc(sizeof(*s->bucket) << s->hbits);
	s->slot = calloc(size, sizeof(*s->slot));
	s->free_bits = malloc(words * sizeof(*s->free_bits));
	s->free_words = calloc((words + 63) / 64, sizeof(*s->free_words));
	if (!s->bucket || !s->slot || !s->free_bits || !s->free_words) {
		sks_slots_fini(s);
		return -1;
	}
	for (i = 0; i < 1u << s->hbits; i++)
		s->bucket[i] = SKS_SLOT_NONE;
	memset(s->free_bits, 0xff, words * sizeof(*s->free_bits));
	for (i = 0; i < words; i++)
		s->free_words[i / 64] |= 1ull << (i % 64);
	return 0;
}

void sks_slots_fini(struct sks_slots *s)
{
	free(s->bucket);
	free(s->slot);
	free(s->free_bits);
	free(s->free_words);
	memset(s, 0, sizeof(*s));
}

unsigned int sks_slots_hash(const struct sks_slots *s, uint64_t h)
{
	return (h * 0x9e3779b97f4a7c15ull) >> (64 - s->hbits);	/* 2^64 / phi */
}

bool sks_slots_used(const struct sks_slots *s, int i)
{
	return !(s->free_bits[i / 64] & 1ull << (i % 64));
}

int sks_slots_take(struct sks_slots *s, unsigned int bucket)
{
	unsigned int w = 0, i;

	if (s->nused == s->size)
		return SKS_SLOT_NONE;
	while (!s->free_words[w])
		w++;
	w = w * 64 + __builtin_ctzll(s->free_words[w]);
	i = w * 64 + __builtin_ctzll(s->free_bits[w]);
	s->free_bits[w] &= s->free_bits[w] - 1;
	if (!s->free_bits[w])
		s->free_words[w / 64] &= ~(1ull << (w % 64));
	s->nused++;
	s->slot[i].bucket = bucket;
	s->slot[i].hnext = s->bucket[bucket];
	s->slot[i].hprev = SKS_SLOT_NONE;
	if (s->bucket[bucket] != SKS_SLOT_NONE)
		s->slot[s->bucket[bucket]].hprev = i;
	s->bucket[bucket] = i;
	s->slot[i].prev = s->newest;
	s->slot[i].next = SKS_SLOT_NONE;
	if (s->newest != SKS_SLOT_NONE)
		s->slot[s->newest].next = i;
	else
		s->oldest = i;
	s->newest = i;
	return i;
}

void sks_slots_release(struct sks_slots *s, int i)
{
	struct sks_slot *l = &s->slot[i];

	if (l->hprev != SKS_SLOT_NONE)
		s->slot[l->hprev].hnext = l->hnext;
	else
		s->bucket[l->bucket] = l->hnext;
	if (l->hnext != SKS_SLOT_NONE)
		s->slot[l->hnext].hprev = l->hprev;
	if (l->prev != SKS_SLOT_NONE)
		s->slot[l->prev].next = l->next;
	else
		s->oldest = l->next;
	if (l->next != SKS_SLOT_NONE)
		s->slot[l->next].prev = l->prev;
	else
		s->newest = l->prev;
	s->nused--;
	s->free_bits[i / 64] |= 1ull << (i % 64);
	s->free_words[i / 4096] |= 1ull << (i / 64 % 64);
}
