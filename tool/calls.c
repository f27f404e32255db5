// SPDX-License-Identifier: GPL-2.0
/*
 * Send calls by socket (calls.h).  The calls of sockets of the same hash
 * are one bucket, latest first: a packet's call is found without a scan
 * of the table.
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "calls.h"

int sks_calls_init(struct sks_calls *c, unsigned int size)
{
	c->r = calloc(size, sizeof(*c->r));
	if (!c->r || sks_slots_init(&c->tab, size)) {
		free(c->r);
		c->r = NULL;
		return -1;
	}
	return 0;
}

void sks_calls_fini(struct sks_calls *c)
{
	sks_slots_fini(&c->tab);
	free(c->r);
	c->r = NULL;
}

int sks_calls_add(struct sks_calls *c, const struct skbstamp_record *r)
{
	int i;

	if (c->tab.nused == c->tab.size)
		sks_slots_release(&c->tab, c->tab.oldest);
	i = sks_slots_take(&c->tab, sks_slots_hash(&c->tab, r->cookie));
	c->r[i] = *r;
	return i;
}

int sks_calls_find(const struct sks_calls *c, const struct skbstamp_record *r, uint64_t ts)
{
	int i;

	for (i = sks_slots_first(&c->tab, sks_slots_hash(&c->tab, r->cookie)); i != SKS_SLOT_NONE;
	     i = sks_slots_next(&c->tab, i)) {
		const struct skbstamp_record *k = &c->r[i];

		if (k->cookie != r->cookie || k->proto != r->proto || k->ts_ns > ts)
			continue;
		if (r->proto == IPPROTO_TCP ? r->tskey - k->tskey < k->len : r->tskey == k->tskey)
			return i;
	}
	return SKS_SLOT_NONE;
}
