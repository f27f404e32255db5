// SPDX-License-Identifier: GPL-2.0
/*
 * Records as a Chrome/Perfetto JSON trace (ui.perfetto.dev,
 * chrome://tracing), streamed: events are written as packets close, and
 * only packets still open are kept.
 *
 * A packet is a sent skb (socket cookie, protocol, key, offset, retrans)
 * or a received one (its id).  Its records are collected for a window of
 * two seconds of record time from its first one (records of one packet
 * come from several CPUs' batches, in no set order), then it is drawn:
 * each pair of successive stages, in time order, is one complete ("X")
 * slice named FROM-TO; a packet with one stage is an instant, and drops
 * and merges are instants too, with where and why.  A sent skb's first
 * slice starts at the send call that produced it (its sendmsg record);
 * a retransmission's starts at its own first stage.  Slices of one packet
 * must not overlap another packet's on a thread, so every socket (sent)
 * and every CPU (received, by the CPU of its first stage) is a process
 * whose threads are lanes: a packet takes the first lane free over its
 * whole span.  A flow arrow ("s"/"f") joins a sent skb's driver slice to
 * the first slice of the received packet with the same bytes on this
 * host: the same addresses and ports (a received packet's are its
 * sender's), length, and for TCP the same key.
 *
 * Memory is bounded: open packets, remembered send calls and arrow ends
 * each have a fixed table (slots.c, calls.c: monitor's packet assembly
 * keeps its own in the same); a packet written early because the table
 * was full is counted and reported.  Times are microseconds, as the
 * format wants, with the nanoseconds as three decimals.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "fmt.h"
#include "trace.h"
#include "slots.h"
#include "calls.h"

#define SKS_TR_PENDING	8192		/* open packets */
#define SKS_TR_WINDOW	2000000000ull	/* ns a packet stays open */
#define SKS_TR_CALLS	4096		/* send calls remembered */
#define SKS_TR_ENDS	4096		/* arrow ends waiting, per side */
#define SKS_TR_LANES	32		/* threads per process */
#define SKS_TR_GBITS	10
#define SKS_TR_NONE	(-1)
#define SKS_TR_OBUF	(256 << 10)
#define SKS_NSTAGES	__SKBSTAMP_STAGE_MAX

struct sks_tr_pkt {
	bool rx;
	uint32_t have;			/* stages seen */
	uint64_t ts[SKS_NSTAGES];
	uint32_t len[SKS_NSTAGES];
	uint32_t key[SKS_NSTAGES];
	uint16_t cpu[SKS_NSTAGES];
	struct skbstamp_record r;	/* the first record, and what later ones add */
	uint64_t born_ns;		/* its first record, for the window */
	char *where, *reason;		/* drop */
};

/* One end of an arrow, waiting for the other. */
struct sks_tr_end {
	uint64_t ts_ns;			/* sent: sw; received: first stage */
	uint64_t bind_ns;		/* inside the slice it binds to */
	int pid, tid;
	uint32_t key, len;
	uint8_t proto, family;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

/* The ends of one side waiting, the oldest forgotten first. */
struct sks_tr_side {
	struct sks_slots tab;
	struct sks_tr_end e[SKS_TR_ENDS];
};

struct sks_tr_group {
	uint64_t key;			/* sent: socket cookie; received: CPU | 1 << 63 */
	int pid;
	unsigned int nlanes;
	uint64_t busy[SKS_TR_LANES];	/* each lane is taken up to */
	int hnext;
};

struct sks_trace {
	struct sks_obuf out;
	FILE *f;
	const char *path;
	bool first;			/* no event written yet */
	uint64_t now;			/* the latest time known */
	struct sks_slots open;		/* of pkt, the oldest closed first */
	struct sks_tr_pkt pkt[SKS_TR_PENDING];
	struct sks_calls calls;
	bool call_used[SKS_TR_CALLS];	/* some skb's slices start at it */
	struct sks_tr_side tx, rx;
	struct sks_tr_group *group;
	unsigned int ngroups, cap;
	int gbucket[1 << SKS_TR_GBITS];
	uint64_t serial;		/* packets written */
	uint64_t records, slices, instants, arrows, cut, crowded;
};

/* --- writing events ---------------------------------------------------- */

/* ns as microseconds with three decimals. */
static char *sks_tr_us(char *p, uint64_t ns)
{
	p = sks_fmt_u64(p, ns / 1000);
	*p++ = '.';
	return sks_fmt_u64_pad(p, ns % 1000, 3);
}

/* The start of an event: {"name":"NAME","cat":"CAT","ph":"PH","ts":..,"pid":..,"tid":.. */
static char *sks_tr_begin(struct sks_trace *t, const char *name, const char *cat,
			  char ph, uint64_t ts, int pid, int tid)
{
	char *p = sks_obuf_line(&t->out);

	if (!t->first)
		p = sks_fmt_lit(p, ",\n");
	t->first = false;
	p = sks_fmt_lit(p, "{\"name\":\"");
	p = sks_fmt_json_esc(p, name, SIZE_MAX);
	p = sks_fmt_lit(p, "\",\"cat\":\"");
	p = sks_fmt_str(p, cat);
	p = sks_fmt_lit(p, "\",\"ph\":\"");
	*p++ = ph;
	p = sks_tr_us(sks_fmt_lit(p, "\",\"ts\":"), ts);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"pid\":"), pid);
	return sks_fmt_u64(sks_fmt_lit(p, ",\"tid\":"), tid);
}

/* A process's or thread's name ("M"). */
static void sks_tr_meta(struct sks_trace *t, const char *what, int pid, int tid,
			const char *name)
{
	char *p = sks_tr_begin(t, what, "__metadata", 'M', 0, pid, tid);

	p = sks_fmt_lit(p, ",\"args\":{\"name\":\"");
	p = sks_fmt_json_esc(p, name, SIZE_MAX);
	sks_obuf_done(&t->out, sks_fmt_lit(p, "\"}}"));
}

/* "tcp 10.0.0.1:40112 > 10.0.0.2:5000" */
static char *sks_tr_flow(char *p, const struct skbstamp_record *r)
{
	p = sks_fmt_str(p, sks_proto_name(r->proto));
	*p++ = ' ';
	p = sks_fmt_endpoint(p, r, r->saddr, r->sport);
	p = sks_fmt_lit(p, " > ");
	return sks_fmt_endpoint(p, r, r->daddr, r->dport);
}

static char *sks_tr_bool(char *p, const char *key, bool v)
{
	p = sks_fmt_str(p, key);
	return v ? sks_fmt_lit(p, "true") : sks_fmt_lit(p, "false");
}

/* What every event of packet @k says of it, in its args. */
static char *sks_tr_pkt_args(char *p, const struct sks_tr_pkt *k, uint64_t serial)
{
	const struct skbstamp_record *r = &k->r;
	size_t n = strnlen(r->comm, sizeof(r->comm));

	p = sks_fmt_u64(sks_fmt_lit(p, ",\"args\":{\"packet\":"), serial);
	p = sks_tr_flow(sks_fmt_lit(p, ",\"flow\":\""), r);
	p = sks_fmt_u64(sks_fmt_lit(p, "\",\"sk\":"), r->cookie);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"pid\":"), r->pid);
	p = sks_fmt_lit(p, ",\"comm\":\"");
	p = sks_fmt_json_esc(p, r->comm, n);
	*p++ = '"';
	if (k->rx)
		return sks_fmt_u64(sks_fmt_lit(p, ",\"id\":"), r->id);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"key\":"), r->tskey);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"offset\":"), r->offset);
	p = sks_tr_bool(p, ",\"retrans\":", r->flags & SKBSTAMP_RF_RETRANS);
	p = sks_tr_bool(p, ",\"segment\":", r->flags & SKBSTAMP_RF_SEGMENT);
	return sks_tr_bool(p, ",\"fragment\":", r->flags & SKBSTAMP_RF_FRAGMENT);
}

static const char *sks_tr_cat(const struct sks_tr_pkt *k)
{
	if (k->rx)
		return "rx";
	return k->r.flags & SKBSTAMP_RF_RETRANS ? "tx,retrans" : "tx";
}

/* The slice from stage @a to stage @b of packet @k. */
static void sks_tr_slice(struct sks_trace *t, const struct sks_tr_pkt *k, int pid,
			 int tid, unsigned int a, unsigned int b)
{
	char name[48], *p = name;

	if (!k->rx && (k->r.flags & SKBSTAMP_RF_RETRANS))
		p = sks_fmt_lit(p, "retrans ");
	p = sks_fmt_str(p, sks_stage_name(a));
	*p++ = '-';
	*sks_fmt_str(p, sks_stage_name(b)) = '\0';
	p = sks_tr_begin(t, name, sks_tr_cat(k), 'X', k->ts[a], pid, tid);
	p = sks_tr_us(sks_fmt_lit(p, ",\"dur\":"), k->ts[b] - k->ts[a]);
	p = sks_tr_pkt_args(p, k, t->serial);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"from_ns\":"), k->ts[a]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"to_ns\":"), k->ts[b]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"from_cpu\":"), k->cpu[a]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"to_cpu\":"), k->cpu[b]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"len\":"), k->len[a]);
	sks_obuf_done(&t->out, sks_fmt_lit(p, "}}"));
	t->slices++;
}

/* Stage @s of packet @k as an instant, with what a drop or merge says. */
static void sks_tr_instant(struct sks_trace *t, const struct sks_tr_pkt *k, int pid,
			   int tid, unsigned int s)
{
	char *p = sks_tr_begin(t, sks_stage_name(s), sks_tr_cat(k), 'i', k->ts[s], pid, tid);

	p = sks_fmt_lit(p, ",\"s\":\"t\"");
	p = sks_tr_pkt_args(p, k, t->serial);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"ts_ns\":"), k->ts[s]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"cpu\":"), k->cpu[s]);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"len\":"), k->len[s]);
	if (s == SKBSTAMP_STAGE_DROP) {
		p = sks_fmt_lit(p, ",\"location\":\"");
		p = sks_fmt_json_esc(p, k->where ? k->where : "", 300);
		p = sks_fmt_u64(sks_fmt_lit(p, "\",\"drop_reason\":"), k->r.drop_reason);
		if (k->reason) {
			p = sks_fmt_lit(p, ",\"drop_reason_name\":\"");
			p = sks_fmt_json_esc(p, k->reason, 64);
			*p++ = '"';
		}
	}
	if (s == SKBSTAMP_STAGE_MERGE) {
		p = sks_fmt_u64(sks_fmt_lit(p, ",\"head_id\":"), k->r.head_id);
		p = k->r.flags & SKBSTAMP_RF_GRO ? sks_fmt_lit(p, ",\"by\":\"gro\"") :
						   sks_fmt_lit(p, ",\"by\":\"coalesce\"");
	}
	sks_obuf_done(&t->out, sks_fmt_lit(p, "}}"));
	t->instants++;
}

/* --- processes and lanes ------------------------------------------------ */

static struct sks_tr_group *sks_tr_group(struct sks_trace *t, const struct sks_tr_pkt *k,
					 unsigned int first)
{
	uint64_t key = k->rx ? 1ull << 63 | k->cpu[first] : k->r.cookie;
	unsigned int h = (key * 0x9e3779b97f4a7c15ull) >> (64 - SKS_TR_GBITS);
	struct sks_tr_group *g;
	char name[160], *p = name;
	int i;

	for (i = t->gbucket[h]; i != SKS_TR_NONE; i = t->group[i].hnext)
		if (t->group[i].key == key)
			return &t->group[i];
	if (t->ngroups == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 64;
		struct sks_tr_group *n = realloc(t->group, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->group = n;
		t->cap = cap;
	}
	g = &t->group[t->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = key;
	g->pid = ++t->ngroups;
	g->hnext = t->gbucket[h];
	t->gbucket[h] = g - t->group;
	if (k->rx) {
		p = sks_fmt_u64(sks_fmt_lit(p, "receive on CPU "), k->cpu[first]);
	} else {
		size_t n = strnlen(k->r.comm, sizeof(k->r.comm));

		p = sks_tr_flow(p, &k->r);
		p = sks_fmt_u64(sks_fmt_lit(p, " sk "), key);
		*p++ = ' ';
		p = n ? sks_fmt_mem(p, k->r.comm, n) : sks_fmt_lit(p, "-");
		*p++ = '/';
		p = sks_fmt_u64(p, k->r.pid);
	}
	*p = '\0';
	sks_tr_meta(t, "process_name", g->pid, g->pid * 100, name);
	return g;
}

/*
 * The thread for a packet spanning [@a, @b]: the first lane free from @a
 * on.  When all are taken, the one free soonest (the slices then overlap:
 * counted).
 */
static int sks_tr_lane(struct sks_trace *t, struct sks_tr_group *g, uint64_t a, uint64_t b)
{
	unsigned int i, best = 0;
	char name[16];

	for (i = 0; i < g->nlanes; i++) {
		if (g->busy[i] <= a)
			break;
		if (g->busy[i] < g->busy[best])
			best = i;
	}
	if (i == g->nlanes && g->nlanes < SKS_TR_LANES) {
		g->nlanes++;
		*sks_fmt_u64(sks_fmt_lit(name, "lane "), i) = '\0';
		sks_tr_meta(t, "thread_name", g->pid, g->pid * 100 + i + 1, name);
	} else if (i == g->nlanes) {
		i = best;
		t->crowded++;
	}
	if (g->busy[i] < b)
		g->busy[i] = b;
	return g->pid * 100 + i + 1;
}

/* --- arrows --------------------------------------------------------------- */

/* What an end's bucket is found from. */
static uint64_t sks_tr_end_key(const struct sks_tr_end *e)
{
	uint64_t h = (uint64_t)e->sport << 16 | e->dport;
	unsigned int i;

	for (i = 0; i < 16; i++)
		h = h * 31 + e->saddr[i] * 7 + e->daddr[i];
	return h ^ ((uint64_t)e->len << 32 | e->key) ^ e->proto;
}

static bool sks_tr_end_same(const struct sks_tr_end *a, const struct sks_tr_end *b)
{
	return a->proto == b->proto && a->family == b->family && a->sport == b->sport &&
	       a->dport == b->dport && a->len == b->len && a->key == b->key &&
	       !memcmp(a->saddr, b->saddr, 16) && !memcmp(a->daddr, b->daddr, 16);
}

/*
 * The end on side @s that @e pairs with.  A sent skb must leave before
 * the received packet arrives, within the window.  Of several, a received
 * packet takes the latest TCP send of its bytes (a retransmission when
 * the first send was lost) and the earliest UDP datagram (they arrive in
 * the order sent); a sent skb takes the earliest arrival.
 */
static int sks_tr_end_find(struct sks_tr_side *s, const struct sks_tr_end *e, bool want_tx)
{
	struct sks_tr_end *best = NULL;
	int i;

	for (i = sks_slots_first(&s->tab, sks_slots_hash(&s->tab, sks_tr_end_key(e)));
	     i != SKS_SLOT_NONE; i = sks_slots_next(&s->tab, i)) {
		struct sks_tr_end *c = &s->e[i];
		uint64_t tx = want_tx ? c->ts_ns : e->ts_ns, rx = want_tx ? e->ts_ns : c->ts_ns;

		if (!sks_tr_end_same(c, e) || tx > rx || rx - tx > SKS_TR_WINDOW)
			continue;
		if (!best || (want_tx && e->proto == IPPROTO_TCP ? c->ts_ns > best->ts_ns :
							      c->ts_ns < best->ts_ns))
			best = c;
	}
	return best ? best - s->e : SKS_SLOT_NONE;
}

static void sks_tr_arrow(struct sks_trace *t, const struct sks_tr_end *from,
			 const struct sks_tr_end *to)
{
	char *p;

	t->arrows++;
	p = sks_tr_begin(t, "packet", "flow", 's', from->bind_ns, from->pid, from->tid);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"id\":"), t->arrows);
	sks_obuf_done(&t->out, sks_fmt_lit(p, ",\"bp\":\"e\"}"));
	p = sks_tr_begin(t, "packet", "flow", 'f', to->bind_ns, to->pid, to->tid);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"id\":"), t->arrows);
	sks_obuf_done(&t->out, sks_fmt_lit(p, ",\"bp\":\"e\"}"));
}

/* Pairs end @e with one waiting on the other side, or leaves it waiting. */
static void sks_tr_end_add(struct sks_trace *t, struct sks_tr_end *e, bool rx)
{
	struct sks_tr_side *mine = rx ? &t->rx : &t->tx, *other = rx ? &t->tx : &t->rx;
	int i = sks_tr_end_find(other, e, rx);

	if (i != SKS_SLOT_NONE) {
		sks_tr_arrow(t, rx ? &other->e[i] : e, rx ? e : &other->e[i]);
		sks_slots_release(&other->tab, i);
		return;
	}
	if (mine->tab.nused == SKS_TR_ENDS)
		sks_slots_release(&mine->tab, mine->tab.oldest);
	i = sks_slots_take(&mine->tab, sks_slots_hash(&mine->tab, sks_tr_end_key(e)));
	mine->e[i] = *e;
}

/*
 * The end of an arrow packet @k has, if any: a sent skb's at its driver
 * stage (the slice from sw on, or the one ending there), not a fragment's
 * (fragments are not traced on receive); a received packet's at its first
 * slice.
 */
static void sks_tr_pkt_end(struct sks_trace *t, const struct sks_tr_pkt *k,
			   const unsigned int *order, unsigned int n, int pid, int tid)
{
	struct sks_tr_end e = { .pid = pid, .tid = tid };
	unsigned int i = 0, s;
	bool last;
	uint64_t d;

	if (n < 2)
		return;
	if (!k->rx) {
		if (!(k->have & 1u << SKBSTAMP_STAGE_SW) || (k->r.flags & SKBSTAMP_RF_FRAGMENT))
			return;
		while (order[i] != SKBSTAMP_STAGE_SW)
			i++;
	}
	s = order[i];
	/*
	 * A nanosecond inside the slice from the point the arrow joins (its
	 * start, or its end when the stage is the last): the slice is not in
	 * doubt with its neighbour, and the arrow never points back in time.
	 */
	last = i == n - 1;
	if (last)
		i--;
	d = k->ts[order[i + 1]] > k->ts[order[i]];
	e.ts_ns = k->ts[s];
	e.bind_ns = last ? e.ts_ns - d : e.ts_ns + d;
	/* As sent: a GRO head's length and key grow once merged. */
	e.len = k->len[s];
	e.key = k->r.proto == IPPROTO_TCP ? k->key[s] : 0;
	e.proto = k->r.proto;
	e.family = k->r.family;
	e.sport = k->r.sport;
	e.dport = k->r.dport;
	memcpy(e.saddr, k->r.saddr, 16);
	memcpy(e.daddr, k->r.daddr, 16);
	sks_tr_end_add(t, &e, k->rx);
}

/* --- packets ---------------------------------------------------------------- */

/* Stage @s of packet @k is what record @r says. */
static void sks_tr_set_stage(struct sks_tr_pkt *k, unsigned int s, const struct skbstamp_record *r)
{
	k->have |= 1u << s;
	k->ts[s] = r->ts_ns;
	k->len[s] = r->len;
	k->key[s] = r->tskey;
	k->cpu[s] = r->cpu;
}

/*
 * A first transmission starts at the send call that produced it, no later
 * than @ts; whether @k found it now.  It is looked for when the packet
 * opens, so that calls need be remembered only until their skbs come,
 * and again when it is drawn, in case the skb came first (in another
 * CPU's batch).
 */
static bool sks_tr_find_call(struct sks_trace *t, struct sks_tr_pkt *k, uint64_t ts)
{
	int c;

	if (k->rx || (k->r.flags & SKBSTAMP_RF_RETRANS) || (k->have & 1u << SKBSTAMP_STAGE_SENDMSG))
		return false;
	c = sks_calls_find(&t->calls, &k->r, ts);
	if (c == SKS_SLOT_NONE)
		return false;
	t->call_used[c] = true;
	sks_tr_set_stage(k, SKBSTAMP_STAGE_SENDMSG, &t->calls.r[c]);
	return true;
}

/* Draws packet @k: its slices, instants and arrow end. */
static void sks_tr_draw(struct sks_trace *t, struct sks_tr_pkt *k)
{
	unsigned int order[SKS_NSTAGES], n = 0, i, j, s;
	struct sks_tr_group *g;
	int tid;

	/* Stages in time order; of equal times, in the order of the stack. */
	for (s = 0; s < SKS_NSTAGES; s++) {
		if (!(k->have & 1u << s))
			continue;
		for (j = n++; j && k->ts[order[j - 1]] > k->ts[s]; j--)
			order[j] = order[j - 1];
		order[j] = s;
	}
	if (sks_tr_find_call(t, k, k->ts[order[0]])) {
		/* No later than the first stage, and first of the stack. */
		memmove(order + 1, order, n++ * sizeof(*order));
		order[0] = SKBSTAMP_STAGE_SENDMSG;
	}
	g = sks_tr_group(t, k, order[0]);
	if (!g)
		return;
	tid = sks_tr_lane(t, g, k->ts[order[0]], k->ts[order[n - 1]]);
	t->serial++;
	for (i = 0; i + 1 < n; i++)
		sks_tr_slice(t, k, g->pid, tid, order[i], order[i + 1]);
	for (i = 0; i < n; i++)
		if (n == 1 || order[i] == SKBSTAMP_STAGE_DROP || order[i] == SKBSTAMP_STAGE_MERGE)
			sks_tr_instant(t, k, g->pid, tid, order[i]);
	sks_tr_pkt_end(t, k, order, n, g->pid, tid);
}

/* Call @c, if none of its skbs was drawn: an instant of its own. */
static void sks_tr_write_call(struct sks_trace *t, int c)
{
	struct sks_tr_pkt k = { .r = t->calls.r[c] };

	if (t->call_used[c])
		return;
	t->call_used[c] = true;
	k.r.flags &= ~SKBSTAMP_RF_RETRANS;
	sks_tr_set_stage(&k, SKBSTAMP_STAGE_SENDMSG, &k.r);
	sks_tr_draw(t, &k);
}

static void sks_tr_add_call(struct sks_trace *t, const struct skbstamp_record *r)
{
	if (t->calls.tab.nused == SKS_TR_CALLS)
		sks_tr_write_call(t, t->calls.tab.oldest);
	t->call_used[sks_calls_add(&t->calls, r)] = false;
}

/* What a packet's bucket is found from: a retransmission is a packet of its own. */
static uint64_t sks_tr_pkt_key(bool rx, const struct skbstamp_record *r)
{
	if (rx)
		return r->id;
	return r->cookie ^ r->proto ^ (r->flags & SKBSTAMP_RF_RETRANS) ^
	       ((uint64_t)r->tskey << 32 | r->offset) * 0x9e3779b97f4a7c15ull;
}

static bool sks_tr_pkt_is(const struct sks_tr_pkt *k, bool rx, const struct skbstamp_record *r)
{
	if (rx)
		return k->rx && k->r.id == r->id;
	return !k->rx && k->r.cookie == r->cookie && k->r.tskey == r->tskey &&
	       k->r.proto == r->proto && k->r.offset == r->offset &&
	       !(k->r.flags & SKBSTAMP_RF_RETRANS) == !(r->flags & SKBSTAMP_RF_RETRANS);
}

/* Draws open packet @i and frees its slot. */
static void sks_tr_close_pkt(struct sks_trace *t, int i)
{
	struct sks_tr_pkt *k = &t->pkt[i];

	sks_tr_draw(t, k);
	free(k->where);
	free(k->reason);
	sks_slots_release(&t->open, i);
}

/* The open packet record @r is about, opened if there is none. */
static struct sks_tr_pkt *sks_tr_pkt(struct sks_trace *t, bool rx, const struct skbstamp_record *r)
{
	unsigned int h = sks_slots_hash(&t->open, sks_tr_pkt_key(rx, r));
	struct sks_tr_pkt *k;
	int i;

	for (i = sks_slots_first(&t->open, h); i != SKS_SLOT_NONE;
	     i = sks_slots_next(&t->open, i)) {
		if (!sks_tr_pkt_is(&t->pkt[i], rx, r))
			continue;
		/* A stage seen twice: the key was sent again, a new packet. */
		if (!(t->pkt[i].have & 1u << r->stage))
			return &t->pkt[i];
		sks_tr_close_pkt(t, i);
		break;
	}
	if (t->open.nused == SKS_TR_PENDING) {
		t->cut++;
		sks_tr_close_pkt(t, t->open.oldest);
	}
	i = sks_slots_take(&t->open, h);
	k = &t->pkt[i];
	memset(k, 0, sizeof(*k));
	k->rx = rx;
	k->r = *r;
	k->born_ns = r->ts_ns;
	sks_tr_find_call(t, k, r->ts_ns);
	return k;
}

void sks_trace_advance(struct sks_trace *t, uint64_t now_ns)
{
	if (now_ns > t->now)
		t->now = now_ns;
	while (t->open.oldest != SKS_SLOT_NONE &&
	       t->now - t->pkt[t->open.oldest].born_ns > SKS_TR_WINDOW)
		sks_tr_close_pkt(t, t->open.oldest);
}

void sks_trace_add(struct sks_trace *t, const struct skbstamp_record *r,
		   const char *where, const char *reason)
{
	struct sks_tr_pkt *k;
	bool rx;

	if (r->stage >= SKS_NSTAGES)
		return;
	t->records++;
	sks_trace_advance(t, r->ts_ns);
	if (r->stage == SKBSTAMP_STAGE_SENDMSG) {
		sks_tr_add_call(t, r);
		return;
	}
	rx = r->stage >= SKBSTAMP_STAGE_RX_HW;
	k = sks_tr_pkt(t, rx, r);
	sks_tr_set_stage(k, r->stage, r);
	k->r.flags |= r->flags;
	if (!rx)
		return;
	/* Later stages know more: the socket, the reader. */
	if (r->cookie)
		k->r.cookie = r->cookie;
	if (r->pid) {
		k->r.pid = r->pid;
		memcpy(k->r.comm, r->comm, sizeof(k->r.comm));
	}
	if (r->stage == SKBSTAMP_STAGE_MERGE)
		k->r.head_id = r->head_id;
	if (r->stage == SKBSTAMP_STAGE_DROP) {
		k->r.drop_reason = r->drop_reason;
		k->where = strdup(where ? where : "");
		k->reason = reason && *reason ? strdup(reason) : NULL;
	}
}

static void sks_trace_free(struct sks_trace *t)
{
	sks_slots_fini(&t->open);
	sks_calls_fini(&t->calls);
	sks_slots_fini(&t->tx.tab);
	sks_slots_fini(&t->rx.tab);
	sks_obuf_free(&t->out);
	free(t->group);
	free(t);
}

struct sks_trace *sks_trace_open(FILE *f, const char *path)
{
	struct sks_trace *t = calloc(1, sizeof(*t));
	char *p;
	int i;

	if (!t)
		return NULL;
	if (sks_obuf_init(&t->out, f, SKS_TR_OBUF) || sks_slots_init(&t->open, SKS_TR_PENDING) ||
	    sks_calls_init(&t->calls, SKS_TR_CALLS) || sks_slots_init(&t->tx.tab, SKS_TR_ENDS) ||
	    sks_slots_init(&t->rx.tab, SKS_TR_ENDS)) {
		sks_trace_free(t);
		return NULL;
	}
	t->f = f;
	t->path = path;
	t->first = true;
	for (i = 0; i < 1 << SKS_TR_GBITS; i++)
		t->gbucket[i] = SKS_TR_NONE;
	p = sks_obuf_line(&t->out);
	sks_obuf_done(&t->out, sks_fmt_lit(p, "{\"traceEvents\":[\n"));
	return t;
}

int sks_trace_close(struct sks_trace *t)
{
	char *p;
	int ret = 0, i;

	while (t->open.oldest != SKS_SLOT_NONE)
		sks_tr_close_pkt(t, t->open.oldest);
	for (i = t->calls.tab.oldest; i != SKS_SLOT_NONE; i = t->calls.tab.slot[i].next)
		sks_tr_write_call(t, i);
	p = sks_obuf_line(&t->out);
	p = sks_fmt_lit(p, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"skbstamp ");
	p = sks_fmt_str(p, SKBSTAMP_VERSION);
	p = sks_fmt_u64(sks_fmt_lit(p, "\",\"records\":"), t->records);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"packets\":"), t->serial);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"arrows\":"), t->arrows);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"cut\":"), t->cut);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"crowded\":"), t->crowded);
	sks_obuf_done(&t->out, sks_fmt_lit(p, "}}\n"));
	sks_obuf_flush(&t->out);
	if (ferror(t->f) || (t->f == stdout ? fflush(t->f) : fclose(t->f))) {
		fprintf(stderr, "skbstamp: cannot write %s\n", t->path);
		ret = -1;
	}
	fprintf(stderr,
		"skbstamp: trace %s: %llu records, %llu packets, %llu slices, %llu instants, %llu arrows\n",
		t->path, (unsigned long long)t->records, (unsigned long long)t->serial,
		(unsigned long long)t->slices, (unsigned long long)t->instants,
		(unsigned long long)t->arrows);
	if (t->cut)
		fprintf(stderr,
			"skbstamp: trace %s: %llu packets written before their window closed (more than %d open)\n",
			t->path, (unsigned long long)t->cut, SKS_TR_PENDING);
	if (t->crowded)
		fprintf(stderr,
			"skbstamp: trace %s: %llu packets overlap another on a thread (more than %d at once on a socket or CPU)\n",
			t->path, (unsigned long long)t->crowded, SKS_TR_LANES);
	sks_trace_free(t);
	return ret;
}
