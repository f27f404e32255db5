// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp join SENDER.jsonl RECEIVER.jsonl [offset NS | estimate]
 *               [flow FILTER...]
 *
 * One-way delay across two hosts, from two saved "skbstamp --json
 * monitor" outputs: each packet the receiver got is matched with the
 * sender's transmission of the same bytes, and its delay is the time from
 * the sender's driver stage (sw; hw when both ends have hardware stamps)
 * to the receiver's first stage (the earliest of irq and napi; netif when
 * the driver's hand-over is not hooked; rx_hw with hardware stamps).
 *
 * Matching: the same 5-tuple (the receive records carry the packet's own
 * orientation, as the transmit ones do), then for TCP the bytes: the
 * received segment's [tskey - len + 1, tskey] lies within a transmitted
 * skb's (keys are sequence numbers of the last byte on both sides, so a
 * TSO skb cut into segments on the wire matches each of them).  Bytes sent
 * more than once (retransmissions) match the last sending that left before
 * the packet arrived.  UDP's receive records have no key: datagrams are
 * matched in order within their flow, by length, skipping those lost.
 *
 * The two hosts' clocks differ by an offset (receiver minus sender): given
 * (from PTP, say), or estimated from TCP packets both ways.  A packet from
 * the sender gives offset <= rx - tx (its delay is not negative), one from
 * the receiver offset >= tx - rx: the offset lies between the largest
 * lower and the smallest upper bound, and join takes the middle, with
 * half the gap as its error bound.  For a request and its reply that is
 * NTP's ((t2 - t1) - (t4 - t3)) / 2, with half the round trip's network
 * part as the bound; join picks the two packets that make it smallest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "jsonrec.h"

/* A packet's 5-tuple in its own orientation: saddr/sport is its sender. */
struct sks_jflow {
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;	/* host order */
	uint8_t proto, family;	/* IPPROTO_*, AF_* */
};

/*
 * A file, and of its records (read by jsonrec.c) those a delay starts or
 * ends at: transmit at the driver (sw, hw), receive up to netif.
 */
struct sks_jfile {
	const char *path;
	struct skbstamp_record *recs;
	size_t n, cap;
	size_t ntx, nrx;	/* every transmit and receive record */
};

/* A transmission of some bytes: the driver's sw record, and its hw one. */
struct sks_jtx {
	struct sks_jflow flow;
	uint64_t sk, sw, hw;
	uint32_t tskey, len, offset;
	bool has_sw, has_hw, retrans;
};

/* A received packet: its first stage, and the stamp of its NIC. */
struct sks_jrx {
	struct sks_jflow flow;
	uint64_t id, ts, hw;
	uint32_t tskey, len;
	uint8_t stage;
	bool has_hw;
};

/* Bytes sent more than once have more than one candidate sending. */
#define SKS_JCAND	8

struct sks_jmatch {
	size_t rx;
	size_t cand[SKS_JCAND];
	unsigned int ncand;
	size_t tx;		/* the candidate chosen */
	int64_t delay;		/* rx - tx, offset not applied */
};

struct sks_jside {
	struct sks_jtx *tx;
	size_t ntx;
	struct sks_jrx *rx;
	size_t nrx;
};

struct sks_jfilter {
	uint8_t proto;
	struct sks_addr_arg src, dst;
	bool has_src, has_dst;
	uint16_t sport, dport;
};

struct sks_join {
	struct sks_ctx *ctx;
	struct sks_jfile f[2];		/* sender, receiver */
	struct sks_jside s[2];		/* what each file sent and received */
	struct sks_jfilter filt;
	bool hw;			/* clock: PHC stamps at both ends */
	bool estimate;
	int64_t offset, bound;
	/* The forward direction's matches. */
	struct sks_jmatch *m;
	size_t nm, unmatched;
};

static int sks_jflow_cmp(const struct sks_jflow *a, const struct sks_jflow *b)
{
	return memcmp(a, b, sizeof(*a));
}

static bool sks_jrx_stage(unsigned int stage)
{
	return stage >= SKBSTAMP_STAGE_RX_HW;
}

/* sks_jrec_read()'s callback: every record counted, those join uses kept. */
static int sks_jfile_add(void *arg, const struct sks_jrec *j)
{
	const struct skbstamp_record *r = &j->r;
	struct sks_jfile *f = arg;

	if (sks_jrx_stage(r->stage))
		f->nrx++;
	else
		f->ntx++;
	/* No IP fragment either: receive traces none, so none matches. */
	if ((r->stage != SKBSTAMP_STAGE_SW && r->stage != SKBSTAMP_STAGE_HW &&
	     (r->stage < SKBSTAMP_STAGE_RX_HW || r->stage > SKBSTAMP_STAGE_NETIF)) ||
	    (r->flags & SKBSTAMP_RF_FRAGMENT))
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4096;
		struct skbstamp_record *n = realloc(f->recs, cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "skbstamp: out of memory\n");
			return SKS_EXIT_KERNEL;
		}
		f->recs = n;
		f->cap = cap;
	}
	f->recs[f->n++] = *r;
	return 0;
}

/* 0, or the exit code after a message naming the file (and line). */
static int sks_jfile_read(struct sks_jfile *f)
{
	FILE *in = fopen(f->path, "r");
	int ret;

	if (!in) {
		fprintf(stderr, "skbstamp: %s: %m\n", f->path);
		return SKS_EXIT_KERNEL;
	}
	ret = sks_jrec_read(in, f->path, "skbstamp", sks_jfile_add, f);
	fclose(in);
	return ret;
}

static void sks_jflow_of(const struct skbstamp_record *r, struct sks_jflow *fl)
{
	memcpy(fl->saddr, r->saddr, sizeof(fl->saddr));
	memcpy(fl->daddr, r->daddr, sizeof(fl->daddr));
	fl->sport = ntohs(r->sport);
	fl->dport = ntohs(r->dport);
	fl->proto = r->proto;
	fl->family = r->family;
}

/*
 * Transmit records in time order (the files are in batch order, per
 * CPU), then receive ones by packet and time.
 */
static int sks_jrec_cmp(const void *a, const void *b)
{
	const struct skbstamp_record *x = a, *y = b;
	bool xrx = sks_jrx_stage(x->stage), yrx = sks_jrx_stage(y->stage);

	if (xrx != yrx)
		return xrx - yrx;
	if (xrx && x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

/* Transmissions by flow, then TCP by key, UDP by time. */
static int sks_jtx_cmp(const void *a, const void *b)
{
	const struct sks_jtx *x = a, *y = b;
	int c = sks_jflow_cmp(&x->flow, &y->flow);

	if (c)
		return c;
	if (x->flow.proto == IPPROTO_TCP && x->tskey != y->tskey)
		return x->tskey < y->tskey ? -1 : 1;
	return x->sw < y->sw ? -1 : x->sw > y->sw;
}

static int sks_jrx_cmp(const void *a, const void *b)
{
	const struct sks_jrx *x = a, *y = b;
	int c = sks_jflow_cmp(&x->flow, &y->flow);

	if (c)
		return c;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * The transmissions of @recs (transmit records in time order): each sw
 * record starts one (retransmissions and software GSO segments have
 * their own), and a hw record completes the latest one of its skb
 * without one.
 */
static int sks_jtx_build(const struct skbstamp_record *recs, size_t n,
			 struct sks_jside *s)
{
	size_t i, k;

	s->tx = calloc(n ? n : 1, sizeof(*s->tx));
	if (!s->tx)
		return -1;
	for (i = 0; i < n; i++) {
		const struct skbstamp_record *r = &recs[i];
		struct sks_jtx *t = NULL;

		/* The hw stamp comes from the completion, after sw. */
		for (k = s->ntx; r->stage == SKBSTAMP_STAGE_HW && k-- > 0 &&
		     s->ntx - k <= 256;) {
			struct sks_jtx *c = &s->tx[k];

			if (!c->has_hw && c->sk == r->cookie && c->tskey == r->tskey &&
			    c->offset == r->offset) {
				t = c;
				break;
			}
		}
		if (!t) {
			t = &s->tx[s->ntx++];
			sks_jflow_of(r, &t->flow);
			t->sk = r->cookie;
			t->tskey = r->tskey;
			t->len = r->len;
			t->offset = r->offset;
		}
		t->retrans |= !!(r->flags & SKBSTAMP_RF_RETRANS);
		if (r->stage == SKBSTAMP_STAGE_SW) {
			t->sw = r->ts_ns;
			t->has_sw = true;
		} else {
			t->hw = r->hw_ns;
			t->has_hw = true;
		}
	}
	qsort(s->tx, s->ntx, sizeof(*s->tx), sks_jtx_cmp);
	return 0;
}

/*
 * The received packets of @recs (receive records by packet, then time):
 * the earliest of irq and napi, or netif if neither; key, length and flow
 * of the packet's earliest record (a GRO head's grow later, at netif).
 * A packet without such a stage, or without data, is left out.
 */
static int sks_jrx_build(const struct skbstamp_record *recs, size_t n,
			 struct sks_jside *s)
{
	size_t i, e;

	s->rx = calloc(n ? n : 1, sizeof(*s->rx));
	if (!s->rx)
		return -1;
	for (i = 0; i < n; i = e) {
		struct sks_jrx *p = &s->rx[s->nrx];

		memset(p, 0, sizeof(*p));
		sks_jflow_of(&recs[i], &p->flow);
		p->id = recs[i].id;
		p->tskey = recs[i].tskey;
		p->len = recs[i].len;
		for (e = i; e < n && recs[e].id == p->id; e++) {
			const struct skbstamp_record *r = &recs[e];

			if (r->stage == SKBSTAMP_STAGE_RX_HW) {
				p->hw = r->hw_ns;
				p->has_hw = true;
			} else if (!p->stage || (p->stage == SKBSTAMP_STAGE_NETIF &&
						 r->stage != SKBSTAMP_STAGE_NETIF)) {
				/* netif only stands in for a missing irq or napi. */
				p->stage = r->stage;
				p->ts = r->ts_ns;
			}
		}
		if (p->stage && p->len)
			s->nrx++;
	}
	qsort(s->rx, s->nrx, sizeof(*s->rx), sks_jrx_cmp);
	return 0;
}

/* What @f sent and received. */
static int sks_jside_build(struct sks_jfile *f, struct sks_jside *s)
{
	size_t ntx = 0;

	qsort(f->recs, f->n, sizeof(*f->recs), sks_jrec_cmp);
	while (ntx < f->n && !sks_jrx_stage(f->recs[ntx].stage))
		ntx++;
	if (sks_jtx_build(f->recs, ntx, s) ||
	    sks_jrx_build(f->recs + ntx, f->n - ntx, s)) {
		fprintf(stderr, "skbstamp: out of memory\n");
		return SKS_EXIT_KERNEL;
	}
	return 0;
}

static bool sks_jtx_valid(const struct sks_join *j, const struct sks_jtx *t)
{
	return j->hw ? t->has_hw : t->has_sw;
}

static uint64_t sks_jtx_time(const struct sks_join *j, const struct sks_jtx *t)
{
	return j->hw ? t->hw : t->sw;
}

static uint64_t sks_jrx_time(const struct sks_join *j, const struct sks_jrx *r)
{
	return j->hw ? r->hw : r->ts;
}

/*
 * TCP: the sendings of @tx from @from to @ntx (one flow, by key, none
 * longer than @maxlen) holding the bytes of @r.
 */
static void sks_jmatch_tcp(const struct sks_join *j, const struct sks_jtx *tx,
			   size_t from, size_t ntx, uint32_t maxlen,
			   const struct sks_jrx *r, struct sks_jmatch *m)
{
	uint32_t first = r->tskey - r->len + 1;
	size_t lo = from, hi = ntx, i;

	/* The first sending whose last byte is at or after the packet's. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tx[mid].tskey < r->tskey)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Those further on whose first byte is still at or before it. */
	for (i = lo; i < ntx && tx[i].tskey - r->tskey < maxlen; i++) {
		uint32_t tfirst = tx[i].tskey - tx[i].len + 1;

		if (!sks_jtx_valid(j, &tx[i]) || first - tfirst > tx[i].len - r->len ||
		    tx[i].len < r->len)
			continue;
		if (m->ncand < SKS_JCAND)
			m->cand[m->ncand++] = i;
	}
}

/*
 * Matches of direction @dir (0: file 0's transmissions with file 1's
 * receptions) into @out, which has room for every reception; returns
 * how many.  Indexes are into j->s[dir].tx and j->s[!dir].rx.
 */
static size_t sks_jmatch_dir(struct sks_join *j, int dir, struct sks_jmatch *out)
{
	const struct sks_jside *ts = &j->s[dir], *rs = &j->s[!dir];
	size_t ti = 0, ri = 0, n = 0;

	while (ri < rs->nrx) {
		const struct sks_jflow *fl = &rs->rx[ri].flow;
		uint32_t maxlen = 0;
		size_t tend, rend, u;

		while (ti < ts->ntx && sks_jflow_cmp(&ts->tx[ti].flow, fl) < 0)
			ti++;
		for (tend = ti; tend < ts->ntx && !sks_jflow_cmp(&ts->tx[tend].flow, fl);
		     tend++)
			if (ts->tx[tend].len > maxlen)
				maxlen = ts->tx[tend].len;
		for (rend = ri; rend < rs->nrx && !sks_jflow_cmp(&rs->rx[rend].flow, fl);)
			rend++;
		/* UDP: in order, each the next sending of its length. */
		for (u = ti; ri < rend; ri++) {
			struct sks_jmatch *m = &out[n];
			size_t k;

			memset(m, 0, sizeof(*m));
			m->rx = ri;
			/* With the PHC clock, a packet without its stamp. */
			if (j->hw && !rs->rx[ri].has_hw)
				continue;
			if (fl->proto == IPPROTO_TCP) {
				sks_jmatch_tcp(j, ts->tx, ti, tend, maxlen, &rs->rx[ri], m);
			} else {
				for (k = u; k < tend && k < u + 64; k++) {
					if (sks_jtx_valid(j, &ts->tx[k]) &&
					    ts->tx[k].len == rs->rx[ri].len) {
						m->cand[m->ncand++] = k;
						u = k + 1;
						break;
					}
				}
			}
			if (m->ncand)
				n++;
		}
		ti = tend;
	}
	return n;
}

/*
 * The sending a reception came from: the last one to leave before it
 * arrived, once the offset is known; the first if none did (a bad offset).
 */
static void sks_jmatch_choose(const struct sks_join *j, int dir, struct sks_jmatch *m,
			      int64_t offset)
{
	const struct sks_jtx *tx = j->s[dir].tx;
	uint64_t at = sks_jrx_time(j, &j->s[!dir].rx[m->rx]);
	size_t first = m->cand[0], last = 0;
	bool left = false;	/* one left before it arrived */
	unsigned int k;

	for (k = 0; k < m->ncand; k++) {
		size_t c = m->cand[k];
		uint64_t t = sks_jtx_time(j, &tx[c]);

		if (t < sks_jtx_time(j, &tx[first]))
			first = c;
		if ((int64_t)(at - t) >= offset &&
		    (!left || t > sks_jtx_time(j, &tx[last]))) {
			last = c;
			left = true;
		}
	}
	m->tx = left ? last : first;
	m->delay = at - sks_jtx_time(j, &tx[m->tx]);
}

/* A match the estimate trusts: TCP bytes sent once. */
static bool sks_jmatch_sure(const struct sks_join *j, int dir,
			    const struct sks_jmatch *m)
{
	const struct sks_jtx *t = &j->s[dir].tx[m->cand[0]];

	return t->flow.proto == IPPROTO_TCP && m->ncand == 1 && !t->retrans;
}

/* Text: "20.123ms", "-1.5us", "950ns". */
static void sks_jdur(char *buf, size_t len, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";

	if (a < 1000)
		snprintf(buf, len, "%s%" PRIu64 "ns", sign, a);
	else if (a < 1000000)
		snprintf(buf, len, "%s%.3fus", sign, a / 1e3);
	else if (a < 1000000000)
		snprintf(buf, len, "%s%.3fms", sign, a / 1e6);
	else
		snprintf(buf, len, "%s%.3fs", sign, a / 1e9);
}

/*
 * One output line, text or JSON, from one list of fields: text prints
 * "label value" pairs (or the value alone when the label is empty).
 */
static void sks_jout_begin(struct sks_join *j, const char *type)
{
	if (j->ctx->json)
		printf("{\"type\":\"%s\"", type);
	else
		fputs(type, stdout);
}

static void sks_jout_str(struct sks_join *j, const char *key, const char *label,
			 const char *val)
{
	if (j->ctx->json) {
		printf(",\"%s\":", key);
		sks_json_string(val);
	} else {
		printf(" %s%s%s", label, *label ? " " : "", val);
	}
}

/* A number: @num as it is in JSON, @text in text. */
static void sks_jout_num(struct sks_join *j, const char *key, const char *label,
			 const char *num, const char *text)
{
	if (j->ctx->json)
		printf(",\"%s\":%s", key, num);
	else
		printf(" %s%s%s", label, *label ? " " : "", text);
}

static void sks_jout_u64(struct sks_join *j, const char *key, const char *label,
			 uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	sks_jout_num(j, key, label, num, num);
}

/* A duration: nanoseconds in JSON, "20.123ms" in text. */
static void sks_jout_dur(struct sks_join *j, const char *key, const char *label,
			 int64_t ns)
{
	char num[24], text[48];

	snprintf(num, sizeof(num), "%" PRId64, ns);
	sks_jdur(text, sizeof(text), ns);
	sks_jout_num(j, key, label, num, text);
}

/* A timestamp: nanoseconds in JSON, "SEC.NSEC" in text. */
static void sks_jout_time(struct sks_join *j, const char *key, const char *label,
			  uint64_t ns)
{
	char num[24], text[32];

	snprintf(num, sizeof(num), "%" PRIu64, ns);
	snprintf(text, sizeof(text), "%" PRIu64 ".%09" PRIu64, ns / 1000000000,
		 ns % 1000000000);
	sks_jout_num(j, key, label, num, text);
}

static void sks_jout_end(struct sks_join *j)
{
	fputs(j->ctx->json ? "}\n" : "\n", stdout);
}

/* proto, family, addresses and ports; text "tcp 10.0.0.1:80 > 10.0.0.2:99" */
static void sks_jout_flow(struct sks_join *j, const struct sks_jflow *fl)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	bool v6 = fl->family == AF_INET6;

	inet_ntop(fl->family, fl->saddr, s, sizeof(s));
	inet_ntop(fl->family, fl->daddr, d, sizeof(d));
	if (j->ctx->json) {
		printf(",\"proto\":\"%s\",\"family\":%u", sks_proto_name(fl->proto),
		       v6 ? 6 : 4);
		sks_jout_str(j, "saddr", "", s);
		sks_jout_str(j, "daddr", "", d);
		sks_jout_u64(j, "sport", "", fl->sport);
		sks_jout_u64(j, "dport", "", fl->dport);
		return;
	}
	printf(v6 ? " %s [%s]:%u > [%s]:%u" : " %s %s:%u > %s:%u",
	       sks_proto_name(fl->proto), s, fl->sport, d, fl->dport);
}

/* @addr (of @family) within ADDR/LEN */
static bool sks_jfilter_addr(const struct sks_addr_arg *a, const uint8_t *addr,
			     int family)
{
	unsigned int bits = a->plen, i;

	if (family != a->family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (addr[i] != a->addr[i])
			return false;
	return !bits || !((addr[i] ^ a->addr[i]) & (0xff00 >> bits));
}

static bool sks_jfilter_match(const struct sks_jfilter *f, const struct sks_jflow *fl)
{
	return (!f->proto || f->proto == fl->proto) &&
	       (!f->sport || f->sport == fl->sport) &&
	       (!f->dport || f->dport == fl->dport) &&
	       (!f->has_src || sks_jfilter_addr(&f->src, fl->saddr, fl->family)) &&
	       (!f->has_dst || sks_jfilter_addr(&f->dst, fl->daddr, fl->family));
}

static int sks_jdelay_cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Nearest rank: the smallest delay with at least @pct percent at or below. */
static int64_t sks_jpct(const int64_t *v, size_t n, unsigned int pct)
{
	size_t rank = (n * pct + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static void sks_jout_flowstats(struct sks_join *j, const struct sks_jflow *fl,
			       int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), sks_jdelay_cmp);
	sks_jout_begin(j, "flow");
	sks_jout_flow(j, fl);
	sks_jout_u64(j, "count", "packets", n);
	sks_jout_dur(j, "min_ns", "min", v[0]);
	sks_jout_dur(j, "p50_ns", "p50", sks_jpct(v, n, 50));
	sks_jout_dur(j, "p99_ns", "p99", sks_jpct(v, n, 99));
	sks_jout_dur(j, "max_ns", "max", v[n - 1]);
	sks_jout_end(j);
}

/* Every matched packet of the forward direction, then each flow's figures. */
static int sks_jreport(struct sks_join *j)
{
	const struct sks_jside *ts = &j->s[0], *rs = &j->s[1];
	int64_t *v = calloc(j->nm ? j->nm : 1, sizeof(*v));
	const struct sks_jflow *fl = NULL;
	size_t i, n = 0, shown = 0;

	if (!v) {
		fprintf(stderr, "skbstamp: out of memory\n");
		return SKS_EXIT_KERNEL;
	}
	for (i = 0; i < j->nm; i++) {
		struct sks_jmatch *m = &j->m[i];
		const struct sks_jrx *r = &rs->rx[m->rx];
		const struct sks_jtx *t = &ts->tx[m->tx];
		int64_t d = m->delay - j->offset;

		if (!sks_jfilter_match(&j->filt, &r->flow))
			continue;
		/* The previous flow's figures when this one begins. */
		if (n && sks_jflow_cmp(fl, &r->flow)) {
			sks_jout_flowstats(j, fl, v, n);
			n = 0;
		}
		fl = &r->flow;
		v[n++] = d;
		shown++;
		sks_jout_begin(j, "packet");
		sks_jout_flow(j, &r->flow);
		sks_jout_u64(j, "tskey", "key", r->flow.proto == IPPROTO_TCP ?
			     r->tskey : t->tskey);
		sks_jout_u64(j, "len", "len", r->len);
		sks_jout_u64(j, "id", "id", r->id);
		sks_jout_str(j, "tx_stage", "", j->hw ? "hw" : "sw");
		sks_jout_time(j, "tx_ns", "at", sks_jtx_time(j, t));
		sks_jout_str(j, "rx_stage", "", j->hw ? "rx_hw" : sks_stage_name(r->stage));
		sks_jout_time(j, "rx_ns", "at", sks_jrx_time(j, r));
		if (j->ctx->json)
			printf(",\"retrans\":%s", t->retrans ? "true" : "false");
		sks_jout_dur(j, "delay_ns", "delay", d);
		if (!j->ctx->json && t->retrans)
			fputs(" retrans", stdout);
		sks_jout_end(j);
	}
	if (n)
		sks_jout_flowstats(j, fl, v, n);
	free(v);
	sks_jout_begin(j, "total");
	sks_jout_u64(j, "matched", "matched", shown);
	sks_jout_u64(j, "unmatched", "unmatched", j->unmatched);
	sks_jout_end(j);
	if (!shown) {
		fprintf(stderr, "skbstamp: no packet of %s matched one of %s%s\n",
			j->f[1].path, j->f[0].path,
			j->filt.proto || j->filt.sport || j->filt.dport || j->filt.has_src ||
			j->filt.has_dst ? " in the flows asked for" : "");
		return SKS_EXIT_NOMATCH;
	}
	return SKS_EXIT_OK;
}

/*
 * The offset from TCP packets both ways (see the top of the file): the
 * forward ones bound it from above, the backward ones from below.
 */
static int sks_jestimate(struct sks_join *j)
{
	struct sks_jmatch *back = calloc(j->s[0].nrx ? j->s[0].nrx : 1, sizeof(*back));
	int64_t hi = INT64_MAX, lo = INT64_MIN;
	size_t i, nb, nf = 0, nr = 0;

	if (!back) {
		fprintf(stderr, "skbstamp: out of memory\n");
		return SKS_EXIT_KERNEL;
	}
	for (i = 0; i < j->nm; i++) {
		if (!sks_jmatch_sure(j, 0, &j->m[i]))
			continue;
		sks_jmatch_choose(j, 0, &j->m[i], 0);
		if (j->m[i].delay < hi)
			hi = j->m[i].delay;
		nf++;
	}
	nb = sks_jmatch_dir(j, 1, back);
	for (i = 0; i < nb; i++) {
		if (!sks_jmatch_sure(j, 1, &back[i]))
			continue;
		sks_jmatch_choose(j, 1, &back[i], 0);
		if (-back[i].delay > lo)
			lo = -back[i].delay;
		nr++;
	}
	free(back);
	if (!nf || !nr) {
		fprintf(stderr, "skbstamp: no offset estimate: no TCP sent by %s matched in %s\n",
			nf ? j->f[1].path : j->f[0].path, nf ? j->f[0].path : j->f[1].path);
		return SKS_EXIT_NOMATCH;
	}
	/* Clocks that drifted, or files of different captures. */
	if (hi < lo) {
		fprintf(stderr, "skbstamp: no offset estimate: the two ways disagree by %" PRId64
			" ns\n", lo - hi);
		return SKS_EXIT_NOMATCH;
	}
	j->offset = lo + (hi - lo) / 2;
	j->bound = hi - j->offset;
	return 0;
}

static int sks_jparse_args(struct sks_join *j, int argc, char **argv)
{
	bool given = false, flow = false;
	uint32_t v;
	char *end;
	int i;

	if (argc < 2) {
		fprintf(stderr, "skbstamp: SENDER.jsonl RECEIVER.jsonl %s\n",
			"[offset NS | estimate] [flow FILTER...]");
		return -1;
	}
	j->f[0].path = argv[0];
	j->f[1].path = argv[1];
	for (i = 2; i < argc; i++) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!flow && !strcmp(k, "estimate") && !given) {
			j->estimate = true;
			given = true;
			continue;
		}
		if (!flow && !strcmp(k, "flow")) {
			flow = true;
			continue;
		}
		if (!val) {
			fprintf(stderr, "skbstamp: '%s' needs a value, or is not known\n", k);
			return -1;
		}
		i++;
		if (!flow && !strcmp(k, "offset") && !given) {
			errno = 0;
			j->offset = strtoll(val, &end, 10);
			if (errno || *end || end == val) {
				fprintf(stderr, "skbstamp: offset is in nanoseconds, not '%s'\n",
					val);
				return -1;
			}
			given = true;
		} else if (flow && !strcmp(k, "proto")) {
			if (strcmp(val, "tcp") && strcmp(val, "udp")) {
				fprintf(stderr, "skbstamp: proto is tcp or udp, not '%s'\n", val);
				return -1;
			}
			j->filt.proto = strcmp(val, "tcp") ? IPPROTO_UDP : IPPROTO_TCP;
		} else if (flow && (!strcmp(k, "src") || !strcmp(k, "dst"))) {
			bool src = k[0] == 's';

			if (sks_parse_addr(k, val, src ? &j->filt.src : &j->filt.dst))
				return -1;
			*(src ? &j->filt.has_src : &j->filt.has_dst) = true;
		} else if (flow && (!strcmp(k, "sport") || !strcmp(k, "dport"))) {
			if (sks_parse_u32(k, val, &v) || !v || v > 65535) {
				fprintf(stderr, "skbstamp: %s must be 1 .. 65535\n", k);
				return -1;
			}
			*(k[0] == 's' ? &j->filt.sport : &j->filt.dport) = v;
		} else {
			fprintf(stderr, "skbstamp: unknown or repeated argument '%s'%s\n", k,
				flow ? " (flow filters: proto, src, dst, sport, dport)" : "");
			return -1;
		}
	}
	return 0;
}

/*
 * Whether the files hold what the join needs: a clear error if not, and
 * like a line that is not a record, input the command does not take.
 */
static int sks_jcheck_kinds(struct sks_join *j)
{
	static const char *const what[2][2] = {
		{ "transmit record at the driver stage (sw or hw)",
		  "receive record with irq, napi or netif (the estimate needs them)" },
		{ "transmit record at the driver stage (the estimate needs them)",
		  "receive record with irq, napi or netif" },
	};
	int i;

	for (i = 0; i < 2; i++) {
		bool need_tx = !i || j->estimate, need_rx = i || j->estimate;

		if (need_tx && !j->s[i].ntx) {
			fprintf(stderr, "skbstamp: %s has no %s%s\n", j->f[i].path,
				what[i][0], j->f[i].ntx ? "" : ": recorded with the tx stages?");
			return SKS_EXIT_USAGE;
		}
		if (need_rx && !j->s[i].nrx) {
			fprintf(stderr, "skbstamp: %s has no %s%s\n", j->f[i].path,
				what[i][1], j->f[i].nrx ? "" : ": recorded with 'stages tx,rx'?");
			return SKS_EXIT_USAGE;
		}
	}
	return 0;
}

/* Hardware stamps only if every end that counts has them. */
static bool sks_jhw_both(const struct sks_join *j, int dir)
{
	size_t i;
	bool tx = false, rx = false;

	for (i = 0; i < j->s[dir].ntx && !tx; i++)
		tx = j->s[dir].tx[i].has_hw;
	for (i = 0; i < j->s[!dir].nrx && !rx; i++)
		rx = j->s[!dir].rx[i].has_hw;
	return tx && rx;
}

static void sks_jout_offset(struct sks_join *j)
{
	sks_jout_begin(j, "offset");
	sks_jout_dur(j, "offset_ns", "", j->offset);
	if (j->estimate)
		sks_jout_dur(j, "bound_ns", "+-", j->bound);
	sks_jout_str(j, "method", "", j->estimate ? "estimated" : "given");
	if (j->estimate)
		sks_jout_str(j, "from", "from",
			     "TCP both ways: midpoint of max(tx-rx) backward and min(rx-tx) forward");
	sks_jout_str(j, "clock", "clock", j->hw ? "hw" : "sw");
	sks_jout_end(j);
}

int sks_cmd_join(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_join j = { .ctx = ctx };
	size_t i;
	int ret, k;

	if (sks_jparse_args(&j, argc, argv))
		return SKS_EXIT_USAGE;
	for (k = 0; k < 2; k++) {
		ret = sks_jfile_read(&j.f[k]);
		if (ret)
			goto out;
	}
	for (k = 0; k < 2; k++) {
		ret = sks_jside_build(&j.f[k], &j.s[k]);
		if (ret)
			goto out;
	}
	ret = sks_jcheck_kinds(&j);
	if (ret)
		goto out;
	j.hw = sks_jhw_both(&j, 0) && (!j.estimate || sks_jhw_both(&j, 1));
	j.m = calloc(j.s[1].nrx ? j.s[1].nrx : 1, sizeof(*j.m));
	if (!j.m) {
		fprintf(stderr, "skbstamp: out of memory\n");
		ret = SKS_EXIT_KERNEL;
		goto out;
	}
	j.nm = sks_jmatch_dir(&j, 0, j.m);
	j.unmatched = j.s[1].nrx - j.nm;
	if (j.estimate) {
		ret = sks_jestimate(&j);
		if (ret)
			goto out;
	}
	for (i = 0; i < j.nm; i++)
		sks_jmatch_choose(&j, 0, &j.m[i], j.offset);
	sks_jout_offset(&j);
	ret = sks_jreport(&j);
out:
	for (k = 0; k < 2; k++) {
		free(j.s[k].tx);
		free(j.s[k].rx);
		free(j.f[k].recs);
	}
	free(j.m);
	return ret;
}
