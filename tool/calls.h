/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The send calls (sendmsg records) last seen, to start a sent packet at
 * the call that produced it (calls.c): for monitor's packets (assemble.c)
 * and for the trace (trace.c).  TCP calls cover keys [key, key + len), a
 * UDP call has the key of its datagram.
 */
#ifndef SKBSTAMP_CALLS_H
#define SKBSTAMP_CALLS_H

#include <stdint.h>
#include <linux/skbstamp.h>

#include "slots.h"

struct sks_calls {
	struct sks_slots tab;		/* found by socket cookie */
	struct skbstamp_record *r;	/* each slot's call */
};

/* Room for @size calls, a multiple of 64.  0 or -1. */
int sks_calls_init(struct sks_calls *c, unsigned int size);
void sks_calls_fini(struct sks_calls *c);
/*
 * Remembers call @r, forgetting the oldest if all slots are taken (the
 * user looks at tab.oldest first if it cares).  Returns its slot.
 */
int sks_calls_add(struct sks_calls *c, const struct skbstamp_record *r);
/*
 * The slot of the latest call remembered that produced sent skb @r and
 * came no later than @ts, or SKS_SLOT_NONE.
 */
int sks_calls_find(const struct sks_calls *c, const struct skbstamp_record *r, uint64_t ts);

#endif /* SKBSTAMP_CALLS_H */
