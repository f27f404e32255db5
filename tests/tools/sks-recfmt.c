// SPDX-License-Identifier: GPL-2.0
/*
 * sks-recfmt: skbstamp monitor's output, without a kernel.
 *
 * Feeds synthetic batches of records through the functions skbstamp
 * monitor formats them with (built from tool/'s own sources) and writes
 * what monitor would print to standard output:
 *
 *   sks-recfmt json|text all|tx N [SEED]
 *
 * "all" is a random corpus: every stage, both families, odd flags, comm
 * bytes that need escaping, drops, merges, values of every width, packets
 * that never complete.  "tx" is what the benchmark's configuration (3)
 * produces: TCP over IPv4, every transmit stage but hw.  The records are
 * generated before the first batch is fed, so that a profiler collecting
 * in sks_feed() alone counts what monitor spends per record.
 *
 * Exit codes: 0 ok, 1 usage.
 */
#include <stdbool.h>
#include <sys/cdefs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"

/* Records per batch, as the module sends them. */
#define SKS_BATCH	250

/* splitmix64: the same corpus for the same seed, on every host. */
static uint64_t sks_rng;

static uint64_t rnd(void)
{
	uint64_t z = (sks_rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* A value of random width, so that every number of digits comes up. */
static uint64_t rnd_wide(void)
{
	unsigned int bits = rnd_below(65);

	return bits == 64 ? rnd() : rnd() & ((1ull << bits) - 1);
}

static void gen_addr4(uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < 16; i++)	/* past the fourth byte: ignored */
		a[i] = rnd();
	for (i = 0; i < 4; i++) {
		switch (rnd_below(4)) {
		case 0:
			a[i] = 0;
			break;
		case 1:
			a[i] = rnd_below(10);
			break;
		case 2:
			a[i] = 10 + rnd_below(90);
			break;
		}
	}
}

/* Every shape RFC 5952 treats apart: zero runs, v4-mapped, v4-compatible. */
static void gen_addr6(uint8_t *a)
{
	unsigned int i;

	memset(a, 0, 16);
	switch (rnd_below(8)) {
	case 0:
		a[10] = 0xff;
		a[11] = 0xff;
		gen_addr4(a + 12);
		break;
	case 1:
		a[12] = rnd_below(3) ? rnd() : 0;
		a[13] = rnd();
		a[14] = rnd();
		a[15] = rnd();
		break;
	case 2:
		a[rnd_below(16)] = rnd_below(3);
		break;
	default:
		for (i = 0; i < 8; i++) {
			uint16_t w = rnd_below(2) ? 0 : rnd_wide() & 0xffff;

			if (!rnd_below(8))
				w = 0xffff;
			a[2 * i] = w >> 8;
			a[2 * i + 1] = w;
		}
	}
}

static void gen_addrs(struct skbstamp_record *r)
{
	unsigned int f = rnd_below(20);

	r->family = f < 9 ? AF_INET : f < 18 ? AF_INET6 : rnd_below(3) ? 0 : rnd();
	if (r->family == AF_INET6) {
		gen_addr6(r->saddr);
		gen_addr6(r->daddr);
	} else {
		gen_addr4(r->saddr);
		gen_addr4(r->daddr);
	}
}

/* Up to 16 bytes, some that JSON must escape; garbage after a NUL. */
static void gen_comm(char *comm)
{
	static const char odd[] = "\"\\\n\t\r\b\f\x01\x1f\x7f\x80\xc3\xa9\xff/ {}:,";
	unsigned int i, len = rnd_below(17);

	for (i = 0; i < 16; i++)
		comm[i] = rnd();
	for (i = 0; i < len; i++) {
		unsigned int k = rnd_below(10);

		if (k < 6)
			comm[i] = 'a' + rnd_below(26);
		else if (k < 9)
			comm[i] = odd[rnd_below(sizeof(odd) - 1)];
		else
			comm[i] = 1 + rnd_below(255);
	}
	if (len < 16)
		comm[len] = '\0';
}

static uint8_t gen_proto(void)
{
	unsigned int p = rnd_below(20);

	return p < 9 ? IPPROTO_TCP : p < 18 ? IPPROTO_UDP : rnd();
}

/* A kernel text address the host's kallsyms names, or not. */
static uint64_t gen_location(void)
{
	switch (rnd_below(4)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	default:
		return 0xffffffff81000000ull + rnd_below(1 << 24);
	}
}

/* Names for some reasons, as a kernel's kfree_skb format lists them. */
static const char sks_reasons_fmt[] =
	"{ 1, \"NOT_SPECIFIED\" }, { 2, \"NO_SOCKET\" }, { 5, \"TCP_CSUM\" }, { 30, \"DUP_FRAG\" }";

static void gen_record(struct skbstamp_record *r)
{
	memset(r, 0, sizeof(*r));
	r->stage = rnd_below(20) ? rnd_below(__SKBSTAMP_STAGE_MAX) : rnd();
	r->ts_ns = rnd_wide();
	r->hw_ns = rnd_below(3) ? rnd_wide() : 0;
	r->cookie = rnd_wide();
	r->id = rnd_wide();
	r->tskey = rnd_wide();
	r->len = rnd_wide();
	r->pid = rnd_wide();
	r->ifindex = rnd_wide();
	r->drop_reason = rnd_below(2) ? rnd_below(8) : rnd_wide();
	r->cpu = rnd_wide();
	r->proto = gen_proto();
	r->flags = rnd_below(4) ? rnd() & 0x1f : rnd();
	r->sport = rnd();
	r->dport = rnd();
	gen_addrs(r);
	gen_comm(r->comm);
	r->head_id = rnd_wide();
	r->location = gen_location();
	r->offset = rnd_below(2) ? 0 : rnd_wide();
}

/* A flow of the packet corpus: a socket and what its records carry. */
struct gen_sock {
	struct skbstamp_record flow;
	uint32_t key;
};

#define GEN_SOCKS	12
#define GEN_ACTIVE	64
#define GEN_STEPS	12

/* A packet whose records are still to come, in the order they will. */
struct gen_pkt {
	struct skbstamp_record rec[GEN_STEPS];
	unsigned int n, next;
};

struct gen {
	struct skbstamp_record *out;
	size_t n, cap;
	struct gen_sock sock[GEN_SOCKS];
	struct gen_pkt act[GEN_ACTIVE];
	unsigned int nact;
	uint64_t now, rx_id;
};

static void gen_emit(struct gen *g, const struct skbstamp_record *r)
{
	if (g->n < g->cap)
		g->out[g->n++] = *r;
}

/* How far a stage comes after the one before: every unit, rounding ties. */
static uint64_t gen_delta(void)
{
	switch (rnd_below(10)) {
	case 0:
		return rnd_below(1000);
	case 1:
		return rnd_below(10000) * 100 + 50;
	case 2:
		return rnd_below(100000) * 1000 + 500;
	case 3:
		return rnd_wide();
	case 4:
		return rnd_below(1000000000) * 10;
	default:
		return 1000 + rnd_below(100000);
	}
}

static struct skbstamp_record *gen_step(struct gen_pkt *p, const struct skbstamp_record *base,
					unsigned int stage, uint64_t *ts)
{
	struct skbstamp_record *r = &p->rec[p->n++];

	*r = *base;
	r->stage = stage;
	*ts += gen_delta();
	r->ts_ns = *ts;
	r->cpu = rnd_below(4);
	if (stage == SKBSTAMP_STAGE_HW || stage == SKBSTAMP_STAGE_RX_HW)
		r->hw_ns = rnd_wide();
	return r;
}

static void gen_tx_pkt(struct gen *g, struct gen_pkt *p)
{
	static const uint8_t stages[] = {
		SKBSTAMP_STAGE_SCHED, SKBSTAMP_STAGE_SW, SKBSTAMP_STAGE_HW,
		SKBSTAMP_STAGE_ACK, SKBSTAMP_STAGE_TXDONE,
	};
	struct gen_sock *s = &g->sock[rnd_below(GEN_SOCKS)];
	struct skbstamp_record base = s->flow;
	uint64_t ts = g->now;
	unsigned int i, len = 1 + rnd_below(3000);

	base.tskey = s->key;
	if (rnd_below(5)) {
		struct skbstamp_record *c = gen_step(p, &base, SKBSTAMP_STAGE_SENDMSG, &ts);

		c->len = base.proto == IPPROTO_TCP ? len + rnd_below(2) * len : 1;
	}
	base.tskey = base.proto == IPPROTO_TCP ? s->key + len - 1 : s->key;
	s->key += base.proto == IPPROTO_TCP ? len : 1;
	base.len = len;
	base.flags = 0;
	if (!rnd_below(10))
		base.flags |= SKBSTAMP_RF_RETRANS;
	if (!rnd_below(10))
		base.flags |= SKBSTAMP_RF_SEGMENT;
	if (base.proto != IPPROTO_TCP && !rnd_below(10))
		base.flags |= SKBSTAMP_RF_FRAGMENT;
	if (base.flags & (SKBSTAMP_RF_SEGMENT | SKBSTAMP_RF_FRAGMENT) && rnd_below(2))
		base.offset = rnd_below(2) ? rnd_below(65536) : rnd_wide();
	for (i = 0; i < sizeof(stages); i++) {
		if (stages[i] == SKBSTAMP_STAGE_HW ? rnd_below(3) : !rnd_below(10))
			continue;
		if (stages[i] == SKBSTAMP_STAGE_ACK && base.proto != IPPROTO_TCP)
			continue;
		gen_step(p, &base, stages[i], &ts);
	}
	/* Now and then, a stage comes late (txdone or hw after the ACK). */
	if (p->n > 2 && !rnd_below(4)) {
		struct skbstamp_record t = p->rec[p->n - 1];

		p->rec[p->n - 1] = p->rec[p->n - 2];
		p->rec[p->n - 2] = t;
	}
}

static void gen_rx_pkt(struct gen *g, struct gen_pkt *p)
{
	struct gen_sock *s = &g->sock[rnd_below(GEN_SOCKS)];
	struct skbstamp_record base = s->flow, *r;
	uint64_t ts = g->now;
	unsigned int stage, end = rnd_below(20);

	base.id = ++g->rx_id;
	base.cookie = 0;
	base.pid = 0;
	memset(base.comm, 0, sizeof(base.comm));
	base.tskey = rnd_below(4) ? rnd() : 0;
	base.len = rnd_below(65536);
	base.flags = rnd_below(10) ? 0 : SKBSTAMP_RF_SEGMENT;
	for (stage = SKBSTAMP_STAGE_RX_HW; stage <= SKBSTAMP_STAGE_SOCKQ; stage++) {
		if (!rnd_below(4))
			continue;
		gen_step(p, &base, stage, &ts);
		if (stage >= SKBSTAMP_STAGE_L4 && rnd_below(2))
			base.cookie = s->flow.cookie;
	}
	if (end < 12) {
		base.pid = s->flow.pid;
		memcpy(base.comm, s->flow.comm, sizeof(base.comm));
		gen_step(p, &base, SKBSTAMP_STAGE_READ, &ts);
	} else if (end < 15) {
		r = gen_step(p, &base, SKBSTAMP_STAGE_DROP, &ts);
		r->location = gen_location();
		r->drop_reason = rnd_below(3) ? rnd_below(8) : rnd_wide();
	} else if (end < 18) {
		r = gen_step(p, &base, SKBSTAMP_STAGE_MERGE, &ts);
		r->head_id = rnd_below(2) ? base.id - 1 - rnd_below(3) : rnd_wide();
		r->flags |= rnd_below(2) ? SKBSTAMP_RF_GRO : SKBSTAMP_RF_COALESCED;
	}
}

static void gen_socks(struct gen *g)
{
	unsigned int i;

	for (i = 0; i < GEN_SOCKS; i++) {
		struct skbstamp_record *f = &g->sock[i].flow;

		gen_record(f);
		f->proto = i < GEN_SOCKS - 1 ? (i & 1 ? IPPROTO_UDP : IPPROTO_TCP) : rnd();
		f->cookie = rnd_below(8) ? 4096 + i : rnd_wide();
		f->pid = rnd_below(100000);
		f->ifindex = rnd_below(8) ? rnd_below(8) : rnd_wide();
		f->flags = 0;
		f->offset = 0;
		g->sock[i].key = rnd();
	}
}

/*
 * Packets, their records interleaved with those of up to GEN_ACTIVE others.
 * About a third never complete (a stage left out, no read), so monitor's
 * table fills and evicts the oldest.
 */
static void gen_packets(struct gen *g)
{
	gen_socks(g);
	g->now = 1000000000ull + rnd_below(1ull << 40);
	while (g->n < g->cap) {
		struct gen_pkt *p;

		if (g->nact < GEN_ACTIVE && (!g->nact || rnd_below(3))) {
			p = &g->act[g->nact++];
			p->n = 0;
			p->next = 0;
			if (rnd_below(3))
				gen_tx_pkt(g, p);
			else
				gen_rx_pkt(g, p);
			g->now += rnd_below(20000);
			if (!rnd_below(100000))
				g->now = rnd();
			continue;
		}
		p = &g->act[rnd_below(g->nact)];
		if (p->next < p->n)
			gen_emit(g, &p->rec[p->next++]);
		if (p->next >= p->n)
			*p = g->act[--g->nact];
	}
}

/* What the benchmark's configuration (3) sends: 1-byte TCP requests. */
static void gen_bench_tx(struct gen *g)
{
	static const uint8_t stages[] = {
		SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_SCHED, SKBSTAMP_STAGE_SW,
		SKBSTAMP_STAGE_TXDONE, SKBSTAMP_STAGE_ACK,
	};
	static const uint64_t delta[] = { 0, 2100, 5300, 7700, 48000 };
	struct skbstamp_record r;
	uint64_t now = 10800123456789ull;
	uint32_t key = 2862933555u;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.cookie = 4099;
	r.len = 1;
	r.pid = 2371;
	r.ifindex = 3;
	r.proto = IPPROTO_TCP;
	r.family = AF_INET;
	r.sport = htons(43918);
	r.dport = htons(5001);
	memcpy(r.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(r.daddr, "\x0a\x00\x00\x02", 4);
	memcpy(r.comm, "sks-bench", 10);
	while (g->n < g->cap) {
		for (i = 0; i < sizeof(stages); i++) {
			r.stage = stages[i];
			r.ts_ns = now + delta[i] + rnd_below(1000);
			r.tskey = key;
			gen_emit(g, &r);
		}
		key++;
		now += 63000 + rnd_below(5000);
	}
}

/*
 * One batch, handed on as monitor's sks_mon_batch() does: each record is
 * copied out of the message, then formatted, then the output is flushed.
 */
static __attribute_noinline__ void sks_feed(const struct skbstamp_record *recs, size_t n,
					    struct sks_asm *as)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct skbstamp_record r;

		memcpy(&r, &recs[i], sizeof(r));
		if (as)
			sks_asm_add(as, &r);
		else
			sks_print_json(&r);
	}
	fflush(stdout);
}

static int sks_usage(void)
{
	fprintf(stderr, "usage: sks-recfmt json|text all|tx N [SEED]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct sks_ctx ctx = { 0 };
	struct gen g = { 0 };
	struct skbstamp_record warm = { .location = 0xffffffff81000000ull };
	struct sks_asm *as = NULL;
	bool json, bench;
	char where[300];
	size_t i;

	if (argc < 4 || argc > 5)
		return sks_usage();
	json = !strcmp(argv[1], "json");
	bench = !strcmp(argv[2], "tx");
	if ((!json && strcmp(argv[1], "text")) || (!bench && strcmp(argv[2], "all")))
		return sks_usage();
	g.cap = strtoull(argv[3], NULL, 0);
	sks_rng = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
	g.out = calloc(g.cap ? g.cap : 1, sizeof(*g.out));
	if (!g.out)
		return 1;
	if (bench)
		gen_bench_tx(&g);
	else if (json)
		for (; g.n < g.cap; g.n++)
			gen_record(&g.out[g.n]);
	else
		gen_packets(&g);

	/* Names are loaded once; not per record, so not in sks_feed(). */
	sks_drop_reasons_parse(sks_reasons_fmt);
	sks_drop_where(&warm, where, sizeof(where));
	if (!json) {
		as = sks_asm_new(&ctx);
		if (!as)
			return 1;
	}
	for (i = 0; i < g.n; i += SKS_BATCH)
		sks_feed(g.out + i, g.n - i < SKS_BATCH ? g.n - i : SKS_BATCH, as);
	if (as) {
		sks_asm_expire(as, true);
		sks_asm_free(as);
	}
	fflush(stdout);
	free(g.out);
	return 0;
}
