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
 *   sks-recfmt raw-json|raw-text|wide-json|wide-text all|tx N [SEED]
 *   sks-recfmt decode json|text
 *
 *   sks-recfmt check N [SEED]
 *
 * "all" is a random corpus: every stage, both families, odd flags, comm
 * bytes that need escaping, drops, merges, values of every width, packets
 * that never complete.  "tx" is what the benchmark's configuration (3)
 * produces: TCP over IPv4, every transmit stage but hw, both ends of a
 * one-byte request/response.  The records are generated before the
 * first batch is fed, so that a profiler collecting in sks_feed() alone
 * counts what monitor spends per record.
 *
 * raw-json and raw-text write the same corpus as json and text would
 * format, as the raw record stream "monitor raw" writes (rawfmt.c);
 * "decode" is "skbstamp [--json] decode" of standard input (cmd_decode.c),
 * with the drop reason names the formatting modes use: the round trip
 * must give json's and text's output byte for byte.  wide-json and
 * wide-text write that stream from batches of longer records, as a newer
 * module would send (sks_raw_write_records() cuts them): the same stream.
 *
 * "check" compares, for N random records and packets, the lines fmt.c
 * formats with those printf and inet_ntop make (the tool's code before
 * fmt.c, kept here), and numbers, every shape of IPv6 address and every
 * byte's JSON escape; make check runs it.
 *
 * With SKS_RECFMT_NS in the environment, the formatting modes and the
 * raw ones report on stderr how long formatting and writing took.
 *
 * Exit codes: 0 ok, 1 usage, 2 a difference (each one on stderr).
 */
#include <arpa/inet.h>
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
#include "fmt.h"
#include "rawfmt.h"

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

/*
 * One side's packet of a one-byte request/response: its four stages up
 * to txdone (sendmsg and ack name no device: the module records the
 * device where the skb has one), @t its sendmsg time.
 */
static void gen_bench_pkt(struct gen *g, struct skbstamp_record *r,
			  uint64_t t)
{
	static const uint8_t stages[] = {
		SKBSTAMP_STAGE_SENDMSG, SKBSTAMP_STAGE_SCHED, SKBSTAMP_STAGE_SW,
		SKBSTAMP_STAGE_TXDONE,
	};
	static const uint64_t delta[] = { 0, 5400, 6200, 7500 };
	unsigned int i;

	for (i = 0; i < sizeof(stages); i++) {
		r->stage = stages[i];
		r->ts_ns = t + delta[i] + rnd_below(1000);
		r->ifindex = r->stage == SKBSTAMP_STAGE_SENDMSG ? 0 : 3;
		gen_emit(g, r);
	}
}

static void gen_bench_ack(struct gen *g, struct skbstamp_record *r,
			  uint64_t t)
{
	r->stage = SKBSTAMP_STAGE_ACK;
	r->ts_ns = t + rnd_below(1000);
	r->ifindex = 0;
	gen_emit(g, r);
}

/*
 * What the benchmark's configuration (3) records, in the order a guest's
 * trace of sks-bench's TCP exchange has them: the client's request, the
 * server's ack of its last response, the server's response, the client's
 * ack of its request; two flows, ten records a transaction.
 */
static void gen_bench_tx(struct gen *g)
{
	struct skbstamp_record c, s;
	uint64_t now = 10800123456789ull;
	bool first = true;

	memset(&c, 0, sizeof(c));
	c.cookie = 4099;
	c.tskey = 2862933555u;
	c.len = 1;
	c.pid = 2371;
	c.proto = IPPROTO_TCP;
	c.family = AF_INET;
	c.sport = htons(43918);
	c.dport = htons(5001);
	memcpy(c.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(c.daddr, "\x0a\x00\x00\x02", 4);
	memcpy(c.comm, "sks-bench", 10);
	s = c;
	s.cookie = 4100;
	s.tskey = 1203374811u;
	s.pid = 2370;
	s.sport = c.dport;
	s.dport = c.sport;
	memcpy(s.saddr, c.daddr, 4);
	memcpy(s.daddr, c.saddr, 4);
	while (g->n < g->cap) {
		gen_bench_pkt(g, &c, now);
		if (!first) {
			gen_bench_ack(g, &s, now + 9400);
			s.tskey++;
		}
		gen_bench_pkt(g, &s, now + 16800);
		gen_bench_ack(g, &c, now + 26300);
		first = false;
		c.tskey++;
		now += 34000 + rnd_below(5000);
	}
}

/*
 * printf's version of monitor's lines, as the tool printed them before
 * fmt.c: what the check compares fmt.c's output with.
 */
static char *ref_json_string(char *p, const char *s)
{
	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			p += sprintf(p, "\\%c", c);
		else if (c == '\n')
			p += sprintf(p, "\\n");
		else if (c == '\t')
			p += sprintf(p, "\\t");
		else if (c < 0x20)
			p += sprintf(p, "\\u%04x", c);
		else
			*p++ = c;
	}
	*p++ = '"';
	return p;
}

static void ref_drop_where(uint64_t location, char *buf, size_t len)
{
	uint64_t off;
	const char *name = sks_ksym_find(location, &off);

	if (name)
		snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)location);
}

static void ref_addrs(const struct skbstamp_record *r, char *sa, char *da)
{
	int af = r->family == AF_INET6 ? AF_INET6 : AF_INET;

	inet_ntop(af, r->saddr, sa, INET6_ADDRSTRLEN);
	inet_ntop(af, r->daddr, da, INET6_ADDRSTRLEN);
}

static char *ref_json_drop(char *p, const struct skbstamp_record *r)
{
	char where[300];

	ref_drop_where(r->location, where, sizeof(where));
	p += sprintf(p, ",\"drop_reason\":%u,\"location\":", r->drop_reason);
	p = ref_json_string(p, where);
	if (sks_drop_reason_name(r->drop_reason)) {
		p += sprintf(p, ",\"drop_reason_name\":");
		p = ref_json_string(p, sks_drop_reason_name(r->drop_reason));
	}
	return p;
}

static char *ref_json_record(char *p, const struct skbstamp_record *r)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], comm[17];

	ref_addrs(r, sa, da);
	memcpy(comm, r->comm, 16);
	comm[16] = '\0';
	p += sprintf(p, "{\"stage\":\"%s\",\"ts_ns\":%llu,", sks_stage_name(r->stage),
		     (unsigned long long)r->ts_ns);
	if (r->stage == SKBSTAMP_STAGE_HW || r->stage == SKBSTAMP_STAGE_RX_HW)
		p += sprintf(p, "\"hw_ns\":%llu,", (unsigned long long)r->hw_ns);
	p += sprintf(p, "\"cpu\":%u,\"sk\":%llu,\"tskey\":%u,\"len\":%u,\"pid\":%u,\"comm\":",
		     r->cpu, (unsigned long long)r->cookie, r->tskey, r->len, r->pid);
	p = ref_json_string(p, comm);
	p += sprintf(p, ",\"proto\":\"%s\",\"family\":%d", sks_proto_name(r->proto),
		     r->family == AF_INET6 ? 6 : 4);
	p += sprintf(p, ",\"saddr\":\"%s\",\"daddr\":\"%s\"", sa, da);
	p += sprintf(p, ",\"sport\":%u,\"dport\":%u,\"ifindex\":%d",
		     ntohs(r->sport), ntohs(r->dport), r->ifindex);
	if (r->stage <= SKBSTAMP_STAGE_TXDONE)
		p += sprintf(p, ",\"retrans\":%s,\"segment\":%s,\"fragment\":%s,\"offset\":%u",
			     r->flags & SKBSTAMP_RF_RETRANS ? "true" : "false",
			     r->flags & SKBSTAMP_RF_SEGMENT ? "true" : "false",
			     r->flags & SKBSTAMP_RF_FRAGMENT ? "true" : "false", r->offset);
	else
		p += sprintf(p, ",\"id\":%llu", (unsigned long long)r->id);
	if (r->stage == SKBSTAMP_STAGE_DROP)
		p = ref_json_drop(p, r);
	if (r->stage == SKBSTAMP_STAGE_MERGE)
		p += sprintf(p, ",\"head_id\":%llu,\"by\":\"%s\"", (unsigned long long)r->head_id,
			     r->flags & SKBSTAMP_RF_GRO ? "gro" : "coalesce");
	return p + sprintf(p, "}\n");
}

static void ref_delta(char *buf, size_t len, uint64_t d)
{
	if (d < 1000)
		snprintf(buf, len, "+%lluns", (unsigned long long)d);
	else if (d < 1000000)
		snprintf(buf, len, "+%.1fus", d / 1e3);
	else
		snprintf(buf, len, "+%.3fms", d / 1e6);
}

static char *ref_pkt_end(char *p, const struct skbstamp_record *r, uint32_t have, bool rx)
{
	if (rx && (have & (1u << SKBSTAMP_STAGE_MERGE)))
		p += sprintf(p, " into %llu (%s)", (unsigned long long)r->head_id,
			     r->flags & SKBSTAMP_RF_GRO ? "gro" : "coalesce");
	if (rx && (have & (1u << SKBSTAMP_STAGE_DROP))) {
		char where[300];

		ref_drop_where(r->location, where, sizeof(where));
		p += sprintf(p, " at %s", where);
		if (sks_drop_reason_name(r->drop_reason))
			p += sprintf(p, " reason %s", sks_drop_reason_name(r->drop_reason));
		else if (r->drop_reason)
			p += sprintf(p, " reason %u", r->drop_reason);
	}
	if (!rx && (r->flags & SKBSTAMP_RF_RETRANS))
		p += sprintf(p, " retrans");
	if (r->flags & SKBSTAMP_RF_SEGMENT)
		p += sprintf(p, " segment");
	if (r->flags & SKBSTAMP_RF_FRAGMENT)
		p += sprintf(p, " fragment");
	if (r->offset)
		p += sprintf(p, " offset %u", r->offset);
	return p;
}

static char *ref_pkt(char *p, const struct skbstamp_record *r, const uint64_t *ts,
		     uint32_t have, bool rx, bool complete)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], d[32], comm[17];
	bool v6 = r->family == AF_INET6;
	uint64_t base = UINT64_MAX;
	unsigned int s;

	for (s = 0; s < __SKBSTAMP_STAGE_MAX; s++)
		if ((have & (1u << s)) && ts[s] < base)
			base = ts[s];
	ref_addrs(r, sa, da);
	memcpy(comm, r->comm, 16);
	comm[16] = '\0';
	p += sprintf(p, "%llu.%06llu %s%s %s%s%s:%u > %s%s%s:%u key %u len %u %s/%u",
		     (unsigned long long)(base / 1000000000),
		     (unsigned long long)(base / 1000 % 1000000),
		     rx ? "rx " : "", sks_proto_name(r->proto),
		     v6 ? "[" : "", sa, v6 ? "]" : "", ntohs(r->sport),
		     v6 ? "[" : "", da, v6 ? "]" : "", ntohs(r->dport),
		     r->tskey, r->len, comm[0] ? comm : "-", r->pid);
	if (rx)
		p += sprintf(p, " id %llu", (unsigned long long)r->id);
	*p++ = ':';
	for (s = 0; s < __SKBSTAMP_STAGE_MAX; s++) {
		if (!(have & (1u << s)))
			continue;
		ref_delta(d, sizeof(d), ts[s] - base);
		p += sprintf(p, " %s %s", sks_stage_name(s), d);
	}
	p = ref_pkt_end(p, r, have, rx);
	if (!complete)
		p += sprintf(p, " (incomplete)");
	*p++ = '\n';
	return p;
}

/* Whether @what's two versions are the same bytes; says so if not. */
static bool sks_same(const char *what, const char *fast, const char *fast_end,
		     const char *ref, const char *ref_end)
{
	if (fast_end - fast == ref_end - ref && !memcmp(fast, ref, ref_end - ref))
		return true;
	fprintf(stderr, "sks-recfmt: %s differs from printf's\n  fmt.c:  %.*s\n  printf: %.*s\n",
		what, (int)(fast_end - fast), fast, (int)(ref_end - ref), ref);
	return false;
}

/* @v as each of the number formats, @v's low 32 bits as a signed one. */
static bool sks_check_number(uint64_t v)
{
	unsigned long long llu = v, pad = v % 1000000;
	int32_t d = (int32_t)(uint32_t)v;
	char fast[32], ref[32];
	bool ok = true;

	ok &= sks_same("%llu", fast, sks_fmt_u64(fast, v), ref, ref + sprintf(ref, "%llu", llu));
	ok &= sks_same("%llx", fast, sks_fmt_hex(fast, v), ref, ref + sprintf(ref, "%llx", llu));
	ok &= sks_same("%d", fast, sks_fmt_s32(fast, d), ref, ref + sprintf(ref, "%d", d));
	ok &= sks_same("%06llu", fast, sks_fmt_u64_pad(fast, pad, 6),
		       ref, ref + sprintf(ref, "%06llu", pad));
	return ok;
}

/* Numbers at every digit count and power of two, either side of them. */
static bool sks_check_numbers(void)
{
	uint64_t v = 1, two;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < 64; i++) {
		two = 1ull << i;
		ok &= sks_check_number(v) & sks_check_number(v - 1) & sks_check_number(v + 1);
		ok &= sks_check_number(two) & sks_check_number(two - 1) & sks_check_number(two + 1);
		ok &= sks_check_number(-two) & sks_check_number(-v);
		if (i < 19)
			v *= 10;
	}
	return ok;
}

/*
 * Every pattern of zero groups, with the groups around them at 1, ffff and
 * random widths (v4-mapped and v4-compatible shapes among them), and
 * random addresses of both families.
 */
static bool sks_check_addrs(unsigned int n)
{
	char fast[INET6_ADDRSTRLEN + 8], ref[INET6_ADDRSTRLEN];
	unsigned int mask, variant, i;
	uint8_t a[16];
	bool ok = true;

	for (mask = 0; mask < 256; mask++) {
		for (variant = 0; variant < 8; variant++) {
			for (i = 0; i < 8; i++) {
				unsigned int w = variant == 0 ? 1 : variant == 1 ? 0xffff :
						 rnd_wide() & 0xffff;

				if (mask & (1u << i))
					w = 0;
				else if (!w || (variant == 2 && i == 5))
					w = 0xffff;
				a[2 * i] = w >> 8;
				a[2 * i + 1] = w;
			}
			inet_ntop(AF_INET6, a, ref, sizeof(ref));
			ok &= sks_same("IPv6", fast, sks_fmt_ipv6(fast, a), ref, ref + strlen(ref));
		}
	}
	for (i = 0; i < n; i++) {
		gen_addr6(a);
		inet_ntop(AF_INET6, a, ref, sizeof(ref));
		ok &= sks_same("IPv6", fast, sks_fmt_ipv6(fast, a), ref, ref + strlen(ref));
		gen_addr4(a);
		inet_ntop(AF_INET, a, ref, sizeof(ref));
		ok &= sks_same("IPv4", fast, sks_fmt_ipv4(fast, a), ref, ref + strlen(ref));
	}
	return ok;
}

static bool sks_check_escapes(void)
{
	char fast[8], ref[16], s[2] = "";
	unsigned int c;
	bool ok = true;

	for (c = 1; c < 256; c++) {
		s[0] = c;
		ok &= sks_same("a JSON escape", fast, sks_fmt_json_esc(fast, s, 1),
			       ref + 1, ref_json_string(ref, s) - 1);
	}
	return ok;
}

/* A packet line's deltas: every unit, rounding ties, past 2^53. */
static void gen_pkt_times(uint64_t *ts, uint32_t *have)
{
	uint64_t base = rnd_below(2) ? rnd_wide() : 1000000000ull + rnd_below(1ull << 40);
	unsigned int s;

	*have = rnd() & ((1u << __SKBSTAMP_STAGE_MAX) - 1);
	if (!*have)
		*have = 1u << rnd_below(__SKBSTAMP_STAGE_MAX);
	for (s = 0; s < __SKBSTAMP_STAGE_MAX; s++)
		ts[s] = base + (rnd_below(4) ? gen_delta() : rnd_below(2000000));
	ts[rnd_below(__SKBSTAMP_STAGE_MAX)] = base;
}

/*
 * The record before, with one field changed or none.  The JSON formatter
 * keeps the text of a flow and a packet, and a timestamp's high digits,
 * from record to record: a field its keeping overlooked would print
 * stale text here.
 */
static void gen_variant(struct skbstamp_record *r)
{
	switch (rnd_below(16)) {
	case 0:
		r->pid ^= 1u << rnd_below(32);
		break;
	case 1:
		r->ifindex ^= 1u << rnd_below(32);
		break;
	case 2:
		r->proto = gen_proto();
		break;
	case 3:
		r->family = r->family == AF_INET6 ? AF_INET : AF_INET6;
		break;
	case 4:
		r->sport ^= 1u << rnd_below(16);
		break;
	case 5:
		r->dport ^= 1u << rnd_below(16);
		break;
	case 6:
		r->saddr[rnd_below(16)] ^= 1u << rnd_below(8);
		break;
	case 7:
		r->daddr[rnd_below(16)] ^= 1u << rnd_below(8);
		break;
	case 8:
		r->comm[rnd_below(16)] ^= 1u << rnd_below(8);
		break;
	case 9:
		r->ts_ns += rnd_below(2) ? rnd_below(100000) : rnd_below(1000000000);
		break;
	case 10:
		r->stage = rnd_below(__SKBSTAMP_STAGE_MAX);
		r->flags = rnd();
		break;
	case 11:
		r->cookie = rnd_wide();
		break;
	case 12:
		r->tskey = rnd_wide();
		break;
	case 13:
		r->len = rnd_wide();
		break;
	}
}

/*
 * sks-recfmt check N: @n random records' JSON lines (and three variants
 * of each), @n packets' text lines, numbers, addresses and escapes,
 * formatted by fmt.c and by printf; any difference fails.
 */
static int sks_check(unsigned int n)
{
	static char fast[SKS_LINE_MAX], ref[SKS_LINE_MAX];
	struct skbstamp_record r;
	uint64_t ts[__SKBSTAMP_STAGE_MAX], off = 0;
	unsigned int i, v, bad = 0;
	uint32_t have;
	/* The last kernel symbol, wherever KASLR put it: a location it names. */
	const char *sym = sks_ksym_find(UINT64_MAX, &off);
	uint64_t named = UINT64_MAX - off;

	bad += !sks_check_numbers();
	bad += !sks_check_addrs(n);
	bad += !sks_check_escapes();
	for (i = 0; i < n && bad < 10; i++) {
		bool rx = rnd_below(2), complete = rnd_below(2);

		gen_record(&r);
		if (sym && rnd_below(2))
			r.location = named - rnd_below(1 << 24);
		bad += !sks_same("JSON line", fast, sks_fmt_json_record(fast, &r),
				 ref, ref_json_record(ref, &r));
		for (v = 0; v < 3; v++) {
			gen_variant(&r);
			bad += !sks_same("JSON line of a record like the one before",
					 fast, sks_fmt_json_record(fast, &r),
					 ref, ref_json_record(ref, &r));
		}
		gen_pkt_times(ts, &have);
		bad += !sks_same("text line", fast, sks_fmt_pkt(fast, &r, ts, have, rx, complete),
				 ref, ref_pkt(ref, &r, ts, have, rx, complete));
	}
	if (bad)
		return 2;
	printf("sks-recfmt: %u JSON and %u text lines, numbers, addresses, escapes: as printf's\n",
	       n, n);
	if (!sym)
		printf("sks-recfmt: no kernel symbols readable: \"symbol+0xoff\" not checked\n");
	return 0;
}

/*
 * One batch, handed on as monitor's sks_mon_batch() does: each record is
 * copied out of the message and formatted, then the lines are written.
 */
static __attribute_noinline__ void sks_feed(const struct skbstamp_record *recs, size_t n,
					    struct sks_asm *as, struct sks_obuf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct skbstamp_record r;

		memcpy(&r, &recs[i], sizeof(r));
		if (as) {
			sks_asm_add(as, &r);
		} else {
			char *line = sks_obuf_line(out);

			sks_obuf_done(out, sks_fmt_json_record(line, &r));
		}
	}
	sks_obuf_flush(out);
}

/*
 * How much longer than ours a newer module's records are made for
 * "wide-": odd, so that no record lies aligned in the batch.
 */
#define SKS_WIDE_EXTRA	27

/*
 * The corpus as "monitor raw" writes it, batch by batch through
 * sks_raw_write_records(); with @extra, each record comes @extra bytes
 * longer (garbage after our fields), as from a newer module, and the
 * stream must still hold our records exactly.
 */
static int sks_write_raw(const struct skbstamp_record *recs, size_t n,
			 size_t extra)
{
	size_t size = sizeof(*recs) + extra, i, k, b;
	char *batch = malloc(SKS_BATCH * size);

	if (!batch || sks_raw_write_header(stdout, 0))
		return 2;
	for (i = 0; i < n; i += k) {
		k = n - i < SKS_BATCH ? n - i : SKS_BATCH;
		for (b = 0; b < k; b++) {
			memcpy(batch + b * size, &recs[i + b], sizeof(*recs));
			memset(batch + b * size + sizeof(*recs), 0xa5 ^ (int)b, extra);
		}
		if (sks_raw_write_records(stdout, batch, k, size))
			return 2;
	}
	free(batch);
	return fflush(stdout) ? 2 : 0;
}

/*
 * With SKS_RECFMT_NS set in the environment, the time the formatting
 * took, the output's write()s included, goes to stderr: under QEMU's
 * "-icount shift=0" a guest's nanosecond is one instruction, so this is
 * what a collector spends per record in the guest, kernel side of the
 * writes included (bench/results/collector-ledger.md).
 */
static void sks_report_ns(uint64_t t0, size_t n)
{
	uint64_t ns = sks_mono_ns() - t0;

	if (getenv("SKS_RECFMT_NS"))
		fprintf(stderr, "sks-recfmt: %zu records in %llu ns, %.1f ns per record\n",
			n, (unsigned long long)ns, n ? (double)ns / n : 0.0);
}

static int sks_usage(void)
{
	fprintf(stderr, "usage: sks-recfmt json|text all|tx N [SEED]\n"
		"       sks-recfmt raw-json|raw-text|wide-json|wide-text all|tx N [SEED]\n"
		"       sks-recfmt decode json|text\n"
		"       sks-recfmt check N [SEED]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct sks_ctx ctx = { 0 };
	struct gen g = { 0 };
	struct sks_asm *as = NULL;
	struct sks_obuf out;
	uint64_t off, t0;
	bool json, bench, raw = false, wide = false;
	size_t i;
	int ret;

	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "check")) {
		sks_rng = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
		sks_drop_reasons_parse(sks_reasons_fmt);
		return sks_check(strtoul(argv[2], NULL, 0));
	}
	if (argc == 3 && !strcmp(argv[1], "decode")) {
		ctx.json = !strcmp(argv[2], "json");
		if (!ctx.json && strcmp(argv[2], "text"))
			return sks_usage();
		sks_drop_reasons_parse(sks_reasons_fmt);
		i = sks_cmd_decode(&ctx, 0, NULL);
		return fflush(stdout) || i ? 2 : 0;
	}
	if (argc < 4 || argc > 5)
		return sks_usage();
	if (!strncmp(argv[1], "raw-", 4) || !strncmp(argv[1], "wide-", 5)) {
		raw = true;
		wide = argv[1][0] == 'w';
		argv[1] = strchr(argv[1], '-') + 1;
	}
	json = !strcmp(argv[1], "json");
	bench = !strcmp(argv[2], "tx");
	if ((!json && strcmp(argv[1], "text")) || (!bench && strcmp(argv[2], "all")))
		return sks_usage();
	g.cap = strtoull(argv[3], NULL, 0);
	sks_rng = argc > 4 ? strtoull(argv[4], NULL, 0) : 1;
	g.out = calloc(g.cap ? g.cap : 1, sizeof(*g.out));
	if (!g.out || sks_obuf_init(&out, stdout, 256 << 10))
		return 1;
	if (bench)
		gen_bench_tx(&g);
	else if (json)
		for (; g.n < g.cap; g.n++)
			gen_record(&g.out[g.n]);
	else
		gen_packets(&g);

	if (raw) {
		t0 = sks_mono_ns();
		ret = sks_write_raw(g.out, g.n, wide ? SKS_WIDE_EXTRA : 0);
		sks_report_ns(t0, g.n);
		free(g.out);
		return ret;
	}
	/* Names are loaded once; not per record, so not in sks_feed(). */
	sks_drop_reasons_parse(sks_reasons_fmt);
	sks_ksym_find(1, &off);
	if (!json) {
		as = sks_asm_new(&ctx, &out);
		if (!as)
			return 1;
	}
	t0 = sks_mono_ns();
	for (i = 0; i < g.n; i += SKS_BATCH)
		sks_feed(g.out + i, g.n - i < SKS_BATCH ? g.n - i : SKS_BATCH, as, &out);
	fflush(stdout);
	sks_report_ns(t0, g.n);
	if (as) {
		sks_asm_expire(as, true);
		sks_asm_free(as);
	}
	sks_obuf_free(&out);
	free(g.out);
	return 0;
}
