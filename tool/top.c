// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp top's flow table: per flow, the send calls, packets, reads and
 * drops of the current interval, and a histogram per latency column.
 *
 * The histograms use the module's log-linear buckets (8 per power of two):
 * a percentile is the midpoint of the bucket holding it, within 1/16
 * (6.25%) of the true sample, exact below 8 ns; they restart with every
 * interval, so a row's percentiles are the interval's alone.  Memory is
 * bounded: at most max_flows flows, found through a hash of their key.
 * When a new flow finds the table full, the least recently active flow is
 * evicted (its interval's numbers are lost) and counted.  A new flow's
 * slot is found by one pass over the table; known flows by their hash.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "top.h"

#define SKS_TOP_NONE	(-1)

struct sks_top_hist {
	uint64_t count, max;
	uint64_t b[SKBSTAMP_NBUCKETS];
};

struct sks_top_flow {
	bool used;
	bool active;		/* something happened this interval */
	struct sks_top_key key;
	uint64_t seq;		/* the table's event count when last active */
	unsigned int bucket;
	int hnext;
	uint32_t pid;
	char comm[16];
	uint64_t sends, packets, received, drops;
	struct sks_top_hist h[SKS_TOP_NCOLS];
};

struct sks_top_table {
	unsigned int max, nbuckets, used;
	uint64_t seq, evicted;
	int *bucket;		/* first flow of each hash bucket */
	struct sks_top_flow *flow;
};

struct sks_top_table *sks_top_new(unsigned int max_flows)
{
	struct sks_top_table *t = calloc(1, sizeof(*t));
	unsigned int i;

	if (!t)
		return NULL;
	t->max = max_flows;
	/* A power of two, at least twice the flows: short chains. */
	for (t->nbuckets = 2; t->nbuckets < 2 * max_flows; t->nbuckets *= 2)
		;
	t->bucket = malloc(t->nbuckets * sizeof(*t->bucket));
	t->flow = calloc(max_flows, sizeof(*t->flow));
	if (!t->bucket || !t->flow) {
		sks_top_free(t);
		return NULL;
	}
	for (i = 0; i < t->nbuckets; i++)
		t->bucket[i] = SKS_TOP_NONE;
	return t;
}

void sks_top_free(struct sks_top_table *t)
{
	if (!t)
		return;
	free(t->bucket);
	free(t->flow);
	free(t);
}

uint64_t sks_top_evicted(const struct sks_top_table *t)
{
	return t->evicted;
}

static unsigned int sks_top_hash(const struct sks_top_table *t, const struct sks_top_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h & (t->nbuckets - 1);
}

static void sks_top_unlink(struct sks_top_table *t, struct sks_top_flow *f)
{
	int i = f - t->flow, *link;

	for (link = &t->bucket[f->bucket]; *link != i; link = &t->flow[*link].hnext)
		;
	*link = f->hnext;
	f->used = false;
	t->used--;
}

/* A free slot, evicting the least recently active flow if there is none. */
static struct sks_top_flow *sks_top_slot(struct sks_top_table *t)
{
	struct sks_top_flow *f, *lru = NULL;
	unsigned int i;

	for (i = 0; i < t->max; i++) {
		f = &t->flow[i];
		if (!f->used)
			return f;
		if (!lru || f->seq < lru->seq)
			lru = f;
	}
	sks_top_unlink(t, lru);
	t->evicted++;
	return lru;
}

static struct sks_top_flow *sks_top_find(struct sks_top_table *t,
					 const struct skbstamp_record *r, bool rx)
{
	struct sks_top_key k;
	struct sks_top_flow *f;
	unsigned int h;
	int i;

	/* Zeroed: padding is hashed and compared too. */
	memset(&k, 0, sizeof(k));
	k.proto = r->proto;
	k.family = r->family;
	memcpy(k.laddr, rx ? r->daddr : r->saddr, sizeof(k.laddr));
	memcpy(k.raddr, rx ? r->saddr : r->daddr, sizeof(k.raddr));
	k.lport = rx ? r->dport : r->sport;
	k.rport = rx ? r->sport : r->dport;
	h = sks_top_hash(t, &k);
	for (i = t->bucket[h]; i != SKS_TOP_NONE; i = t->flow[i].hnext)
		if (!memcmp(&t->flow[i].key, &k, sizeof(k)))
			goto found;
	f = sks_top_slot(t);
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->key = k;
	f->bucket = h;
	f->hnext = t->bucket[h];
	t->bucket[h] = f - t->flow;
	t->used++;
	i = f - t->flow;
found:
	f = &t->flow[i];
	f->active = true;
	f->seq = ++t->seq;
	/* Who sent (transmit) or read (receive) last. */
	if (r->pid) {
		f->pid = r->pid;
		memcpy(f->comm, r->comm, sizeof(f->comm));
	}
	return f;
}

/* The bucket of @ns: the inverse of skbstamp_bucket_lower(). */
static unsigned int sks_top_bucket(uint64_t ns)
{
	const unsigned int sub = 1u << SKBSTAMP_BUCKET_SUB_BITS;
	unsigned int msb, shift, i;

	if (ns < sub)
		return ns;
	msb = 63 - __builtin_clzll(ns);
	shift = msb - SKBSTAMP_BUCKET_SUB_BITS;
	i = (shift + 1) * sub + (unsigned int)((ns >> shift) & (sub - 1));
	return i < SKBSTAMP_NBUCKETS ? i : SKBSTAMP_NBUCKETS - 1;
}

/* Stage @to minus stage @from into @h, if the packet has both in order. */
static void sks_top_add(struct sks_top_hist *h, const uint64_t *ts, uint32_t have,
			unsigned int from, unsigned int to)
{
	uint64_t d;

	if (!(have & (1u << from)) || !(have & (1u << to)) || ts[to] < ts[from])
		return;
	d = ts[to] - ts[from];
	h->b[sks_top_bucket(d)]++;
	h->count++;
	if (d > h->max)
		h->max = d;
}

/*
 * A TCP send call counts at its sendmsg record.  A UDP socket need not be
 * connected, and its sendmsg record then has no destination: its send
 * calls count as the datagrams they built (sks_top_pkt).
 */
void sks_top_send(struct sks_top_table *t, const struct skbstamp_record *r)
{
	if (r->proto == IPPROTO_TCP)
		sks_top_find(t, r, false)->sends++;
}

void sks_top_pkt(void *arg, const struct skbstamp_record *r, const uint64_t *ts,
		 uint32_t have, bool rx, bool complete)
{
	struct sks_top_flow *f = sks_top_find(arg, r, rx);

	(void)complete;
	if (rx) {
		sks_top_add(&f->h[SKS_TOP_NAPI_READ], ts, have,
			    SKBSTAMP_STAGE_NAPI, SKBSTAMP_STAGE_READ);
		f->received += !!(have & (1u << SKBSTAMP_STAGE_READ));
		f->drops += !!(have & (1u << SKBSTAMP_STAGE_DROP));
		return;
	}
	f->packets++;
	/* The fragments and GSO segments of a datagram after its first do not. */
	if (r->proto == IPPROTO_UDP && !r->offset)
		f->sends++;
	/*
	 * A retransmission's send call is long past: like the module's
	 * summaries, sendmsg pairs leave it out.
	 */
	if (!(r->flags & SKBSTAMP_RF_RETRANS))
		sks_top_add(&f->h[SKS_TOP_SENDMSG_SW], ts, have,
			    SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_SW);
	sks_top_add(&f->h[SKS_TOP_SW_ACK], ts, have, SKBSTAMP_STAGE_SW, SKBSTAMP_STAGE_ACK);
}

static void sks_top_row(const struct sks_top_flow *f, struct sks_top_row *row)
{
	unsigned int c;

	memset(row, 0, sizeof(*row));
	row->key = f->key;
	row->pid = f->pid;
	memcpy(row->comm, f->comm, sizeof(row->comm));
	row->sends = f->sends;
	row->packets = f->packets;
	row->received = f->received;
	row->drops = f->drops;
	for (c = 0; c < SKS_TOP_NCOLS; c++) {
		const struct sks_top_hist *h = &f->h[c];

		row->count[c] = h->count;
		if (!h->count)
			continue;
		row->p50[c] = sks_quantile(h->b, SKBSTAMP_NBUCKETS, h->count, 0.50, h->max);
		row->p99[c] = sks_quantile(h->b, SKBSTAMP_NBUCKETS, h->count, 0.99, h->max);
		if (row->p99[c] > row->worst)
			row->worst = row->p99[c];
	}
}

unsigned int sks_top_snapshot(struct sks_top_table *t, struct sks_top_row *rows)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->max; i++) {
		struct sks_top_flow *f = &t->flow[i];

		if (!f->used)
			continue;
		if (!f->active) {
			sks_top_unlink(t, f);
			continue;
		}
		sks_top_row(f, &rows[n++]);
		f->active = false;
		f->sends = 0;
		f->packets = 0;
		f->received = 0;
		f->drops = 0;
		memset(f->h, 0, sizeof(f->h));
	}
	return n;
}
