// SPDX-License-Identifier: GPL-2.0
/*
 * Assembling records into packets for the text output of monitor.
 *
 * A sent packet is (socket cookie, protocol, tskey, offset: the pieces of
 * a UDP datagram share its key).  It is printed when
 * every stage traced for its protocol has arrived, or after a second
 * without them, marked incomplete.  The stages traced are the running
 * configuration's (the tx group before any start); when packets expire
 * incomplete it is read again, at most once a second, so a later start
 * or set is followed.  A received packet is its tracking id,
 * printed at read, drop or merge (its last stages), deltas from its first
 * stage; later records complete what earlier ones did not know (socket,
 * reader).  A sent packet's time base is the send call that
 * produced it: TCP calls cover keys [key, key + len), a UDP call has the
 * key of its datagram.  Memory is bounded: when the table is full the
 * oldest packet is printed as incomplete.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "fmt.h"

#define SKS_PENDING	4096
#define SKS_CALLS	1024
#define SKS_EXPIRE_NS	1000000000ull

struct sks_pkt {
	bool used;
	bool rx;
	uint64_t seen_ns;	/* first record, for expiry */
	uint32_t have;		/* stages seen */
	uint64_t ts[__SKBSTAMP_STAGE_MAX];
	struct skbstamp_record r;	/* the first record, for the flow */
};

struct sks_call {
	uint64_t cookie;
	uint64_t ts_ns;
	uint32_t key;
	uint32_t len;
	uint8_t proto;
};

struct sks_asm {
	struct sks_ctx *ctx;	/* for GET; ctx->sk may be NULL */
	struct sks_obuf *out;
	uint64_t cfg_ns;	/* when the configuration was last read */
	uint32_t need[256];	/* by protocol: stages that complete a packet */
	struct sks_pkt pkt[SKS_PENDING];
	struct sks_call call[SKS_CALLS];
	unsigned int ncall;
};

static int sks_cfg_stages_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *cf[SKBSTAMP_CFG_MAX + 1];

	if (tb[SKBSTAMP_A_CONFIG] &&
	    !nla_parse_nested(cf, SKBSTAMP_CFG_MAX, tb[SKBSTAMP_A_CONFIG], NULL) &&
	    cf[SKBSTAMP_CFG_STAGES])
		*(uint32_t *)arg = nla_get_u32(cf[SKBSTAMP_CFG_STAGES]);
	return 0;
}

static uint64_t sks_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Read the stages traced (GET) and what completes a packet of each protocol. */
static void sks_asm_config(struct sks_asm *a)
{
	/*
	 * The per-skb stages each protocol has; a packet is complete once all
	 * of them that are traced have come, in whatever order (a NIC may
	 * report txdone or its hardware stamp after the ACK).
	 */
	const uint32_t skb_stages = 1u << SKBSTAMP_STAGE_SCHED | 1u << SKBSTAMP_STAGE_SW |
				    1u << SKBSTAMP_STAGE_HW | 1u << SKBSTAMP_STAGE_TXDONE;
	uint32_t stages = 0;

	a->cfg_ns = sks_mono_ns();
	if (a->ctx->sk)
		sks_nl_request(a->ctx, SKBSTAMP_CMD_GET, NULL, sks_cfg_stages_reply, &stages);
	/* Without a configuration (no start yet), what start traces by default. */
	if (!stages)
		stages = SKS_TX_STAGES;
	a->need[IPPROTO_TCP] = stages & (skb_stages | 1u << SKBSTAMP_STAGE_ACK);
	a->need[IPPROTO_UDP] = stages & skb_stages;
}

struct sks_asm *sks_asm_new(struct sks_ctx *ctx, struct sks_obuf *out)
{
	struct sks_asm *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ctx = ctx;
	a->out = out;
	sks_asm_config(a);
	return a;
}

void sks_asm_free(struct sks_asm *a)
{
	free(a);
}

static const struct sks_call *sks_find_call(struct sks_asm *a,
					    const struct skbstamp_record *r)
{
	unsigned int i, n = a->ncall < SKS_CALLS ? a->ncall : SKS_CALLS;

	for (i = 1; i <= n; i++) {
		const struct sks_call *c = &a->call[(a->ncall - i) % SKS_CALLS];

		if (c->cookie != r->cookie || c->proto != r->proto)
			continue;
		if (r->proto == IPPROTO_TCP ? r->tskey - c->key < c->len : r->tskey == c->key)
			return c;
	}
	return NULL;
}

/* Print @p's line, and free its slot. */
static void sks_print_pkt(struct sks_asm *a, struct sks_pkt *p, bool complete)
{
	const struct sks_call *c = p->rx ? NULL : sks_find_call(a, &p->r);
	char *line;

	if (c) {
		p->ts[SKBSTAMP_STAGE_SENDMSG] = c->ts_ns;
		p->have |= 1u << SKBSTAMP_STAGE_SENDMSG;
	}
	line = sks_obuf_line(a->out);
	sks_obuf_done(a->out, sks_fmt_pkt(line, &p->r, p->ts, p->have, p->rx, complete));
	p->used = false;
}

/* Whether every stage that completes sent packet @p has come. */
static bool sks_pkt_complete(const struct sks_asm *a, const struct sks_pkt *p)
{
	uint32_t need = a->need[p->r.proto];

	if (p->rx)
		return false;
	/* A GSO segment has driver stages only. */
	if (p->r.flags & SKBSTAMP_RF_SEGMENT)
		need &= ~(1u << SKBSTAMP_STAGE_SCHED | 1u << SKBSTAMP_STAGE_ACK);
	return (p->have & need) == need;
}

int sks_asm_add(struct sks_asm *a, const struct skbstamp_record *r)
{
	struct sks_pkt *p, *free_slot = NULL, *oldest = NULL;
	int lines = 0;
	bool rx;
	unsigned int i;

	if (r->stage == SKBSTAMP_STAGE_SENDMSG) {
		struct sks_call *c = &a->call[a->ncall++ % SKS_CALLS];

		c->cookie = r->cookie;
		c->ts_ns = r->ts_ns;
		c->key = r->tskey;
		c->len = r->len;
		c->proto = r->proto;
		return 0;
	}
	if (r->stage >= __SKBSTAMP_STAGE_MAX)
		return 0;
	rx = r->stage >= SKBSTAMP_STAGE_RX_HW;
	for (i = 0; i < SKS_PENDING; i++) {
		p = &a->pkt[i];
		if (!p->used) {
			if (!free_slot)
				free_slot = p;
			continue;
		}
		if (rx ? p->rx && p->r.id == r->id :
		    !p->rx && p->r.cookie == r->cookie && p->r.tskey == r->tskey &&
		    p->r.proto == r->proto && p->r.offset == r->offset)
			goto found;
		if (!oldest || p->seen_ns < oldest->seen_ns)
			oldest = p;
	}
	p = free_slot;
	if (!p) {
		sks_print_pkt(a, oldest, false);
		lines++;
		p = oldest;
	}
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->rx = rx;
	p->seen_ns = sks_mono_ns();
	p->r = *r;
found:
	p->ts[r->stage] = r->ts_ns;
	p->have |= 1u << r->stage;
	p->r.flags |= r->flags;
	if (rx) {
		/* Later stages know more: the socket, the reader, a GRO head's length. */
		if (r->cookie)
			p->r.cookie = r->cookie;
		if (r->pid) {
			p->r.pid = r->pid;
			memcpy(p->r.comm, r->comm, sizeof(p->r.comm));
		}
		p->r.len = r->len;
		p->r.tskey = r->tskey;
		p->r.head_id = r->head_id;
		p->r.location = r->location;
		p->r.drop_reason = r->drop_reason;
		if (r->stage == SKBSTAMP_STAGE_READ || r->stage == SKBSTAMP_STAGE_DROP ||
		    r->stage == SKBSTAMP_STAGE_MERGE) {
			sks_print_pkt(a, p, true);
			lines++;
		}
		return lines;
	}
	if (sks_pkt_complete(a, p)) {
		sks_print_pkt(a, p, true);
		lines++;
	}
	return lines;
}

int sks_asm_expire(struct sks_asm *a, bool all)
{
	uint64_t now = sks_mono_ns();
	int lines = 0;
	unsigned int i;

	for (i = 0; i < SKS_PENDING; i++) {
		struct sks_pkt *p = &a->pkt[i];

		if (!p->used || (!all && now - p->seen_ns <= SKS_EXPIRE_NS))
			continue;
		/*
		 * Stages that never come may no longer be traced: a start or
		 * set since the configuration was read.
		 */
		if (!p->rx && !sks_pkt_complete(a, p) && now - a->cfg_ns >= SKS_EXPIRE_NS)
			sks_asm_config(a);
		sks_print_pkt(a, p, sks_pkt_complete(a, p));
		lines++;
	}
	return lines;
}
