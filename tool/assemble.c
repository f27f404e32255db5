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
 *
 * Packets and send calls are kept in slots.c's tables (found by hash,
 * the oldest packet first in the order they came): no scan of the tables
 * per record.  Slots are taken lowest first: expiry prints packets in slot
 * order.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "fmt.h"
#include "slots.h"
#include "calls.h"

#define SKS_PENDING	4096
#define SKS_CALLS	1024
#define SKS_EXPIRE_NS	1000000000ull

struct sks_pkt {
	bool rx;
	uint64_t seen_ns;	/* first record, for expiry */
	uint32_t have;		/* stages seen */
	uint64_t ts[__SKBSTAMP_STAGE_MAX];
	struct skbstamp_record r;	/* the first record, for the flow */
};

struct sks_asm {
	struct sks_ctx *ctx;	/* for GET; ctx->sk may be NULL */
	struct sks_obuf *out;
	sks_asm_sink_fn sink;	/* instead of lines, if set (top) */
	void *sink_arg;
	uint64_t cfg_ns;	/* when the configuration was last read */
	uint32_t fixed;		/* stages given (decode), 0: read with GET */
	uint32_t need[256];	/* by protocol: stages that complete a packet */
	uint32_t stages;	/* traced */
	struct sks_slots open;	/* of pkt */
	struct sks_pkt pkt[SKS_PENDING];
	struct sks_calls calls;
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
	uint32_t stages = a->fixed;

	a->cfg_ns = sks_mono_ns();
	if (!stages && a->ctx->sk)
		sks_nl_request(a->ctx, SKBSTAMP_CMD_GET, NULL, sks_cfg_stages_reply, &stages);
	/* Without a configuration (no start yet), what start traces by default. */
	if (!stages)
		stages = SKS_TX_STAGES;
	a->need[IPPROTO_TCP] = stages & (skb_stages | 1u << SKBSTAMP_STAGE_ACK);
	a->need[IPPROTO_UDP] = stages & skb_stages;
	a->stages = stages;
}

struct sks_asm *sks_asm_new(struct sks_ctx *ctx, struct sks_obuf *out)
{
	struct sks_asm *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (sks_slots_init(&a->open, SKS_PENDING) || sks_calls_init(&a->calls, SKS_CALLS)) {
		sks_asm_free(a);
		return NULL;
	}
	a->ctx = ctx;
	a->out = out;
	sks_asm_config(a);
	return a;
}

void sks_asm_set_stages(struct sks_asm *a, uint32_t stages)
{
	a->fixed = stages;
	sks_asm_config(a);
}

void sks_asm_set_sink(struct sks_asm *a, sks_asm_sink_fn sink, void *arg)
{
	a->sink = sink;
	a->sink_arg = arg;
}

void sks_asm_free(struct sks_asm *a)
{
	if (!a)
		return;
	sks_slots_fini(&a->open);
	sks_calls_fini(&a->calls);
	free(a);
}

/* What a packet's bucket is found from. */
static uint64_t sks_pkt_key(bool rx, const struct skbstamp_record *r)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;	/* 2^64 / golden ratio */

	return rx ? r->id : r->cookie ^ r->proto ^ ((uint64_t)r->tskey << 32 | r->offset) * k;
}

/* Whether pending packet @p is the one record @r is about. */
static bool sks_pkt_is(const struct sks_pkt *p, bool rx, const struct skbstamp_record *r)
{
	if (rx)
		return p->rx && p->r.id == r->id;
	return !p->rx && p->r.cookie == r->cookie && p->r.tskey == r->tskey &&
	       p->r.proto == r->proto && p->r.offset == r->offset;
}

static struct sks_pkt *sks_pkt_find(struct sks_asm *a, unsigned int h, bool rx,
				    const struct skbstamp_record *r)
{
	int i;

	for (i = sks_slots_first(&a->open, h); i != SKS_SLOT_NONE; i = sks_slots_next(&a->open, i))
		if (sks_pkt_is(&a->pkt[i], rx, r))
			return &a->pkt[i];
	return NULL;
}

/*
 * The packet to evict: the smallest seen_ns and, of equals, the lowest
 * slot.  The list is in the order packets came, so equals are its head.
 */
static struct sks_pkt *sks_pkt_oldest(struct sks_asm *a)
{
	int o = a->open.oldest, i;

	for (i = a->open.slot[o].next;
	     i != SKS_SLOT_NONE && a->pkt[i].seen_ns == a->pkt[o].seen_ns;
	     i = a->open.slot[i].next)
		if (i < o)
			o = i;
	return &a->pkt[o];
}

/* The lowest free slot, for a new packet of bucket @h; NULL when full. */
static struct sks_pkt *sks_pkt_take(struct sks_asm *a, unsigned int h, bool rx,
				    const struct skbstamp_record *r)
{
	int i = sks_slots_take(&a->open, h);
	struct sks_pkt *p;

	if (i == SKS_SLOT_NONE)
		return NULL;
	p = &a->pkt[i];
	memset(p, 0, sizeof(*p));
	p->rx = rx;
	p->seen_ns = sks_mono_ns();
	p->r = *r;
	return p;
}

/* Print @p's line (or hand it to the sink), and free its slot. */
static void sks_print_pkt(struct sks_asm *a, struct sks_pkt *p, bool complete)
{
	int c = p->rx ? SKS_SLOT_NONE : sks_calls_find(&a->calls, &p->r, UINT64_MAX);

	if (c != SKS_SLOT_NONE) {
		p->ts[SKBSTAMP_STAGE_SENDMSG] = a->calls.r[c].ts_ns;
		p->have |= 1u << SKBSTAMP_STAGE_SENDMSG;
	}
	if (a->sink)
		a->sink(a->sink_arg, &p->r, p->ts, p->have, p->rx, complete);
	else
		sks_obuf_done(a->out, sks_fmt_pkt(sks_obuf_line(a->out), &p->r, p->ts,
						  p->have, p->rx, complete));
	sks_slots_release(&a->open, p - a->pkt);
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

/* Whether received packet @p has its last stage: read, drop or merge. */
static bool sks_rx_has_end(const struct sks_pkt *p)
{
	uint32_t end = 1u << SKBSTAMP_STAGE_READ | 1u << SKBSTAMP_STAGE_DROP |
		       1u << SKBSTAMP_STAGE_MERGE;

	/* A pure ACK (acks on) has no data to read: the socket took it. */
	if (p->r.proto == IPPROTO_TCP && !p->r.len)
		end |= 1u << SKBSTAMP_STAGE_SOCKQ;
	return p->have & end;
}

/*
 * Whether received packet @p is done: its last stage has come and, if
 * traced, its napi.  Records come in per-CPU batches, so the napi of a
 * packet polled on one CPU can arrive after its read (or a pure ACK's
 * sockq) on another: printed at the read, its line would lack napi and
 * a second, incomplete line would follow (seen in case 335 on 6.12).  A
 * packet whose napi never comes is printed at expiry, whole if it ended.
 */
static bool sks_rx_ended(const struct sks_asm *a, const struct sks_pkt *p)
{
	const uint32_t napi = 1u << SKBSTAMP_STAGE_NAPI;

	return sks_rx_has_end(p) && (!(a->stages & napi) || (p->have & napi));
}

/* Whether packet @p, printed now, is whole. */
static bool sks_pkt_whole(const struct sks_asm *a, const struct sks_pkt *p)
{
	return p->rx ? sks_rx_has_end(p) : sks_pkt_complete(a, p);
}

int sks_asm_add(struct sks_asm *a, const struct skbstamp_record *r)
{
	struct sks_pkt *p;
	unsigned int h;
	int lines = 0;
	bool rx;

	if (r->stage == SKBSTAMP_STAGE_SENDMSG) {
		sks_calls_add(&a->calls, r);
		return 0;
	}
	if (r->stage >= __SKBSTAMP_STAGE_MAX)
		return 0;
	rx = r->stage >= SKBSTAMP_STAGE_RX_HW;
	h = sks_slots_hash(&a->open, sks_pkt_key(rx, r));
	p = sks_pkt_find(a, h, rx, r);
	if (p)
		goto found;
	if (a->open.nused == SKS_PENDING) {
		p = sks_pkt_oldest(a);
		sks_print_pkt(a, p, sks_pkt_whole(a, p));
		lines++;
	}
	p = sks_pkt_take(a, h, rx, r);
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
		if (sks_rx_ended(a, p)) {
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

	/* The oldest packet is the first due: if it is not, none is. */
	if (!all && (a->open.oldest == SKS_SLOT_NONE ||
		     now - a->pkt[a->open.oldest].seen_ns <= SKS_EXPIRE_NS))
		return 0;
	for (i = 0; i < SKS_PENDING; i++) {
		struct sks_pkt *p = &a->pkt[i];

		if (!sks_slots_used(&a->open, i) || (!all && now - p->seen_ns <= SKS_EXPIRE_NS))
			continue;
		/*
		 * Stages that never come may no longer be traced: a start or
		 * set since the configuration was read.
		 */
		if (!p->rx && !sks_pkt_complete(a, p) && now - a->cfg_ns >= SKS_EXPIRE_NS)
			sks_asm_config(a);
		sks_print_pkt(a, p, sks_pkt_whole(a, p));
		lines++;
	}
	return lines;
}
