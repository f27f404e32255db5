// SPDX-License-Identifier: GPL-2.0
/*
 * monitor's lines: a record's JSON line, a packet's text line, and the
 * names of a drop's location and reason they print.
 *
 * They are formatted with fmt.c, not printf: a line costs a few hundred
 * instructions instead of ten thousand, and is byte for byte what printf
 * made of it (sks-recfmt keeps printf's version to compare).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "fmt.h"

/*
 * A drop's location as symbol+offset, from /proc/kallsyms (loaded once;
 * root sees real addresses).  NULL if it cannot be named.
 */
struct sks_ksym {
	uint64_t addr;
	char *name;
};

static struct sks_ksym *sks_ksyms;
static size_t sks_nksyms;
static bool sks_ksyms_loaded;

static int sks_ksym_cmp(const void *a, const void *b)
{
	const struct sks_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void sks_ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type, name[256];
	size_t cap = 0;
	char line[512];

	sks_ksyms_loaded = true;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr ||
		    (type != 't' && type != 'T'))
			continue;
		if (sks_nksyms == cap) {
			struct sks_ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(sks_ksyms, cap * sizeof(*n));
			if (!n)
				break;
			sks_ksyms = n;
		}
		sks_ksyms[sks_nksyms].addr = addr;
		sks_ksyms[sks_nksyms].name = strdup(name);
		if (!sks_ksyms[sks_nksyms].name)
			break;
		sks_nksyms++;
	}
	fclose(f);
	qsort(sks_ksyms, sks_nksyms, sizeof(*sks_ksyms), sks_ksym_cmp);
}

const char *sks_ksym_find(uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi;

	if (!sks_ksyms_loaded)
		sks_ksyms_load();
	hi = sks_nksyms;
	if (!addr || !hi || addr < sks_ksyms[0].addr)
		return NULL;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sks_ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*off = addr - sks_ksyms[lo].addr;
	return sks_ksyms[lo].name;
}

/*
 * The name of a drop reason, from the kfree_skb tracepoint's format, whose
 * __print_symbolic() lists { value, "NAME" } pairs (5.17 on).  NULL if not
 * known.
 */
#define SKS_REASONS_MAX	512
static char *sks_reasons[SKS_REASONS_MAX];
static bool sks_reasons_loaded;

/* The { value, "NAME" } pairs of a kfree_skb format file's text. */
void sks_drop_reasons_parse(const char *fmt)
{
	char name[64];
	unsigned int v;
	const char *p;
	int used;

	sks_reasons_loaded = true;
	for (p = strstr(fmt, "{ "); p; p = strstr(p + 1, "{ ")) {
		if (sscanf(p, "{ %u, \"%63[A-Z0-9_]\" }%n", &v, name, &used) >= 2 &&
		    v < SKS_REASONS_MAX && !sks_reasons[v])
			sks_reasons[v] = strdup(name);
	}
}

static void sks_reasons_load(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/skb/kfree_skb/format",
		"/sys/kernel/debug/tracing/events/skb/kfree_skb/format",
	};
	char buf[65536];
	FILE *f = NULL;
	size_t i, n;

	sks_reasons_loaded = true;
	for (i = 0; i < ARRAY_SIZE(paths) && !f; i++)
		f = fopen(paths[i], "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	sks_drop_reasons_parse(buf);
}

const char *sks_drop_reason_name(unsigned int reason)
{
	if (!sks_reasons_loaded)
		sks_reasons_load();
	return reason < SKS_REASONS_MAX ? sks_reasons[reason] : NULL;
}

/* "symbol+0xoff", or "0xaddr"; declared in monitor.h */
char *sks_fmt_drop_where(char *p, uint64_t location)
{
	uint64_t off;
	const char *name = sks_ksym_find(location, &off);

	if (!name)
		return sks_fmt_hex(sks_fmt_lit(p, "0x"), location);
	p = sks_fmt_str(p, name);
	return sks_fmt_hex(sks_fmt_lit(p, "+0x"), off);
}

static char *sks_fmt_addr(char *p, const struct skbstamp_record *r, const uint8_t *addr)
{
	return r->family == AF_INET6 ? sks_fmt_ipv6(p, addr) : sks_fmt_ipv4(p, addr);
}

static char *sks_fmt_bool(char *p, bool v)
{
	return v ? sks_fmt_lit(p, "true") : sks_fmt_lit(p, "false");
}

static char *sks_fmt_json_drop(char *p, const struct skbstamp_record *r)
{
	const char *name = sks_drop_reason_name(r->drop_reason);
	char where[300];

	p = sks_fmt_u64(sks_fmt_lit(p, ",\"drop_reason\":"), r->drop_reason);
	p = sks_fmt_lit(p, ",\"location\":\"");
	p = sks_fmt_json_esc(p, where, sks_fmt_drop_where(where, r->location) - where);
	if (name) {
		p = sks_fmt_lit(p, "\",\"drop_reason_name\":\"");
		p = sks_fmt_json_esc(p, name, SIZE_MAX);
	}
	*p++ = '"';
	return p;
}

/*
 * The middle of a record's JSON line, from ",\"sk\":" to the dport's
 * value, repeats from record to record: a packet's five or more records
 * share its socket, key and length, and a flow's packets share the rest
 * (task, addresses, ports: the fields sks_json_same_flow() compares).  So
 * it is kept as it was formatted, in two parts, for the last packet of
 * each flow: over a third of a line's cost went there.  One slot per hash
 * of the flow, so that interleaved flows keep theirs.  The device is not
 * part of it: a packet's sendmsg and ack records name none, its other
 * stages the device it left by, and with the device kept three of a TCP
 * packet's five records missed their slot (729 instructions a record
 * instead of 450, bench/results/collector-ledger.md).
 */
#define SKS_JSON_FLOWS	64
/* Room for the longest: a comm escaped byte by byte, two IPv6 addresses. */
#define SKS_JSON_FLOW_MAX	384
/* ",\"sk\":" and 20 digits, ",\"tskey\":" and 10, ",\"len\":" and 10: 62 */
#define SKS_JSON_PKT_MAX	64

struct sks_json_flow {
	/* the fields compared; 0 family: empty */
	struct skbstamp_record key;
	unsigned int pkt_len, len;
	/*
	 * sk, tskey and len of key's packet, ending where its flow's pid ..
	 * dport begins (text), so that the two are one copy
	 */
	char pkt[SKS_JSON_PKT_MAX];
	char text[SKS_JSON_FLOW_MAX];
};

static struct sks_json_flow sks_json_flows[SKS_JSON_FLOWS];
_Static_assert(offsetof(struct sks_json_flow, text) ==
	       offsetof(struct sks_json_flow, pkt) + SKS_JSON_PKT_MAX,
	       "a flow slot's packet part ends where its flow part begins");

/* Every field the flow's part prints, and nothing else. */
static bool sks_json_same_flow(const struct skbstamp_record *a,
			       const struct skbstamp_record *b)
{
	/* sport to comm's end: ports, pad, addresses and comm, in one piece */
	const size_t from = offsetof(struct skbstamp_record, sport),
		     to = offsetof(struct skbstamp_record, comm) + sizeof(a->comm);

	return a->pid == b->pid && a->proto == b->proto && a->family == b->family &&
	       !memcmp((const char *)a + from, (const char *)b + from, to - from);
}

static bool sks_json_same_pkt(const struct skbstamp_record *a,
			      const struct skbstamp_record *b)
{
	return a->cookie == b->cookie && a->tskey == b->tskey && a->len == b->len;
}

static char *sks_fmt_json_pkt_text(char *p, const struct skbstamp_record *r)
{
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"sk\":"), r->cookie);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"tskey\":"), r->tskey);
	return sks_fmt_u64(sks_fmt_lit(p, ",\"len\":"), r->len);
}

static char *sks_fmt_json_flow_text(char *p, const struct skbstamp_record *r)
{
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"pid\":"), r->pid);
	p = sks_fmt_lit(p, ",\"comm\":\"");
	p = sks_fmt_json_esc(p, r->comm, sizeof(r->comm));
	p = sks_fmt_lit(p, "\",\"proto\":\"");
	p = sks_fmt_str(p, sks_proto_name(r->proto));
	p = r->family == AF_INET6 ? sks_fmt_lit(p, "\",\"family\":6") :
				    sks_fmt_lit(p, "\",\"family\":4");
	p = sks_fmt_lit(p, ",\"saddr\":\"");
	p = sks_fmt_addr(p, r, r->saddr);
	p = sks_fmt_lit(p, "\",\"daddr\":\"");
	p = sks_fmt_addr(p, r, r->daddr);
	p = sks_fmt_u64(sks_fmt_lit(p, "\",\"sport\":"), ntohs(r->sport));
	return sks_fmt_u64(sks_fmt_lit(p, ",\"dport\":"), ntohs(r->dport));
}

static char *sks_fmt_json_middle(char *p, const struct skbstamp_record *r)
{
	struct sks_json_flow *f;
	uint32_t a, b, h;
	char *mid, *end;
	bool flow_kept;

	memcpy(&a, r->saddr + 12, 4);
	memcpy(&b, r->daddr + 12, 4);
	h = (r->pid ^ a ^ (b + ((uint32_t)r->sport << 16 | r->dport))) * 0x9e3779b1u;
	f = &sks_json_flows[(h >> 16) % SKS_JSON_FLOWS];	/* mixed bits */
	flow_kept = f->key.family && sks_json_same_flow(&f->key, r);

	if (flow_kept && sks_json_same_pkt(&f->key, r))
		return sks_fmt_mem(p, f->text - f->pkt_len, f->pkt_len + f->len);
	mid = sks_fmt_json_pkt_text(p, r);
	if (flow_kept) {
		end = sks_fmt_mem(mid, f->text, f->len);
	} else {
		end = sks_fmt_json_flow_text(mid, r);
		/* A record whose family is 0 is formatted every time: 0 marks empty. */
		if (!r->family || end - mid > SKS_JSON_FLOW_MAX)
			return end;
		f->len = end - mid;
		memcpy(f->text, mid, f->len);
	}
	f->key = *r;
	f->pkt_len = mid - p;
	memcpy(f->text - f->pkt_len, p, f->pkt_len);
	return end;
}

/*
 * Text that depends on one small field only, made the first time it is
 * needed and copied after that: the line's head up to ts_ns's value, per
 * stage, and a transmit record's three flags up to offset's value.
 */
struct sks_json_piece {
	unsigned char len;
	char text[63];
};

static char *sks_fmt_json_head(char *p, uint8_t stage)
{
	static struct sks_json_piece heads[256];
	struct sks_json_piece *h = &heads[stage];
	char *end;

	if (!h->len) {
		end = sks_fmt_lit(h->text, "{\"stage\":\"");
		end = sks_fmt_str(end, sks_stage_name(stage));
		h->len = sks_fmt_lit(end, "\",\"ts_ns\":") - h->text;
	}
	return sks_fmt_mem(p, h->text, h->len);
}

static char *sks_fmt_json_tx_flags(char *p, uint8_t flags)
{
	static struct sks_json_piece pieces[8];
	unsigned int i = (flags & SKBSTAMP_RF_RETRANS ? 1 : 0) |
			 (flags & SKBSTAMP_RF_SEGMENT ? 2 : 0) |
			 (flags & SKBSTAMP_RF_FRAGMENT ? 4 : 0);
	struct sks_json_piece *t = &pieces[i];
	char *end;

	if (!t->len) {
		end = sks_fmt_bool(sks_fmt_lit(t->text, ",\"retrans\":"), i & 1);
		end = sks_fmt_bool(sks_fmt_lit(end, ",\"segment\":"), i & 2);
		end = sks_fmt_bool(sks_fmt_lit(end, ",\"fragment\":"), i & 4);
		t->len = sks_fmt_lit(end, ",\"offset\":") - t->text;
	}
	return sks_fmt_mem(p, t->text, t->len);
}

/*
 * A timestamp's digits above its last eight change once in 100 ms, while
 * records come by the thousand: those are kept from the record before.
 */
static char *sks_fmt_json_ts(char *p, uint64_t ts)
{
	static uint64_t last_high = UINT64_MAX;
	static char high_text[20];
	static unsigned int high_len;
	uint64_t high = ts / 100000000;

	if (!high)
		return sks_fmt_u64(p, ts);
	if (high != last_high) {
		high_len = sks_fmt_u64(high_text, high) - high_text;
		last_high = high;
	}
	p = sks_fmt_mem(p, high_text, high_len);
	return sks_fmt_u64_pad(p, ts % 100000000, 8);
}

char *sks_fmt_json_record(char *p, const struct skbstamp_record *r)
{
	p = sks_fmt_json_ts(sks_fmt_json_head(p, r->stage), r->ts_ns);
	if (r->stage == SKBSTAMP_STAGE_HW || r->stage == SKBSTAMP_STAGE_RX_HW)
		p = sks_fmt_u64(sks_fmt_lit(p, ",\"hw_ns\":"), r->hw_ns);
	p = sks_fmt_u64(sks_fmt_lit(p, ",\"cpu\":"), r->cpu);
	p = sks_fmt_json_middle(p, r);
	p = sks_fmt_s32(sks_fmt_lit(p, ",\"ifindex\":"), r->ifindex);
	if (r->stage <= SKBSTAMP_STAGE_TXDONE)
		p = sks_fmt_u64(sks_fmt_json_tx_flags(p, r->flags), r->offset);
	else
		p = sks_fmt_u64(sks_fmt_lit(p, ",\"id\":"), r->id);
	if (r->stage == SKBSTAMP_STAGE_DROP)
		p = sks_fmt_json_drop(p, r);
	if (r->stage == SKBSTAMP_STAGE_MERGE) {
		p = sks_fmt_u64(sks_fmt_lit(p, ",\"head_id\":"), r->head_id);
		p = r->flags & SKBSTAMP_RF_GRO ? sks_fmt_lit(p, ",\"by\":\"gro\"") :
						 sks_fmt_lit(p, ",\"by\":\"coalesce\"");
	}
	return sks_fmt_lit(p, "}\n");
}

/*
 * "+%lluns", or @d / 1e3 as "+%.1fus", or @d / 1e6 as "+%.3fms".  printf
 * rounds the double to nearest, and the double of such a quotient is
 * closer to it than any rounding boundary is, so integer rounding gives
 * the same digits; except at an exact tie (...50 ns, ...500 ns), where
 * the double falls on either side, and beyond 2^53 ns (104 days), where
 * @d itself has no exact double.  Those rare values go to snprintf.
 */
static char *sks_fmt_delta(char *p, uint64_t d)
{
	uint64_t t;

	*p++ = '+';
	if (d < 1000) {
		p = sks_fmt_u64(p, d);
		return sks_fmt_lit(p, "ns");
	}
	if (d < 1000000) {
		if (d % 100 == 50)
			return p + snprintf(p, 32, "%.1fus", d / 1e3);
		t = (d + 50) / 100;
		p = sks_fmt_u64(p, t / 10);
		*p++ = '.';
		*p++ = '0' + t % 10;
		return sks_fmt_lit(p, "us");
	}
	if (d % 1000 == 500 || d >= 1ull << 53)
		return p + snprintf(p, 32, "%.3fms", d / 1e6);
	t = (d + 500) / 1000;
	p = sks_fmt_u64(p, t / 1000);
	*p++ = '.';
	p = sks_fmt_u64_pad(p, t % 1000, 3);
	return sks_fmt_lit(p, "ms");
}

/* "1.2.3.4:80", "[::1]:80"; declared in monitor.h */
char *sks_fmt_endpoint_af(char *p, int family, const uint8_t *addr,
			  uint16_t port)
{
	if (family != AF_INET6) {
		p = sks_fmt_ipv4(p, addr);
	} else {
		*p++ = '[';
		p = sks_fmt_ipv6(p, addr);
		*p++ = ']';
	}
	*p++ = ':';
	return sks_fmt_u64(p, ntohs(port));
}

char *sks_fmt_endpoint(char *p, const struct skbstamp_record *r,
		       const uint8_t *addr, uint16_t port)
{
	return sks_fmt_endpoint_af(p, r->family, addr, port);
}

/* Flow, key, length and task: "tcp 10.0.0.1:80 > 10.0.0.2:5001 key 1 len 1 nc/42" */
static char *sks_fmt_pkt_flow(char *p, const struct skbstamp_record *r)
{
	size_t n = strnlen(r->comm, sizeof(r->comm));

	p = sks_fmt_str(p, sks_proto_name(r->proto));
	*p++ = ' ';
	p = sks_fmt_endpoint(p, r, r->saddr, r->sport);
	p = sks_fmt_lit(p, " > ");
	p = sks_fmt_endpoint(p, r, r->daddr, r->dport);
	p = sks_fmt_u64(sks_fmt_lit(p, " key "), r->tskey);
	p = sks_fmt_u64(sks_fmt_lit(p, " len "), r->len);
	*p++ = ' ';
	p = n ? sks_fmt_mem(p, r->comm, n) : sks_fmt_lit(p, "-");
	*p++ = '/';
	return sks_fmt_u64(p, r->pid);
}

/* What a received packet's last stage says: merged into, dropped where and why. */
static char *sks_fmt_pkt_rx_end(char *p, const struct skbstamp_record *r, uint32_t have)
{
	const char *reason;

	if (have & (1u << SKBSTAMP_STAGE_MERGE)) {
		p = sks_fmt_u64(sks_fmt_lit(p, " into "), r->head_id);
		p = r->flags & SKBSTAMP_RF_GRO ? sks_fmt_lit(p, " (gro)") :
						 sks_fmt_lit(p, " (coalesce)");
	}
	if (!(have & (1u << SKBSTAMP_STAGE_DROP)))
		return p;
	p = sks_fmt_drop_where(sks_fmt_lit(p, " at "), r->location);
	reason = sks_drop_reason_name(r->drop_reason);
	if (reason)
		p = sks_fmt_str(sks_fmt_lit(p, " reason "), reason);
	else if (r->drop_reason)
		p = sks_fmt_u64(sks_fmt_lit(p, " reason "), r->drop_reason);
	return p;
}

char *sks_fmt_pkt(char *p, const struct skbstamp_record *r, const uint64_t *ts,
		  uint32_t have, bool rx, bool complete)
{
	uint64_t base = UINT64_MAX;
	unsigned int s;

	for (s = 0; s < __SKBSTAMP_STAGE_MAX; s++)
		if ((have & (1u << s)) && ts[s] < base)
			base = ts[s];
	p = sks_fmt_u64(p, base / 1000000000);
	*p++ = '.';
	p = sks_fmt_u64_pad(p, base / 1000 % 1000000, 6);
	p = rx ? sks_fmt_lit(p, " rx ") : sks_fmt_lit(p, " ");
	p = sks_fmt_pkt_flow(p, r);
	if (rx)
		p = sks_fmt_u64(sks_fmt_lit(p, " id "), r->id);
	*p++ = ':';
	for (s = 0; s < __SKBSTAMP_STAGE_MAX; s++) {
		if (!(have & (1u << s)))
			continue;
		*p++ = ' ';
		p = sks_fmt_str(p, sks_stage_name(s));
		*p++ = ' ';
		p = sks_fmt_delta(p, ts[s] - base);
	}
	if (rx)
		p = sks_fmt_pkt_rx_end(p, r, have);
	if (!rx && (r->flags & SKBSTAMP_RF_RETRANS))
		p = sks_fmt_lit(p, " retrans");
	if (r->flags & SKBSTAMP_RF_SEGMENT)
		p = sks_fmt_lit(p, " segment");
	if (r->flags & SKBSTAMP_RF_FRAGMENT)
		p = sks_fmt_lit(p, " fragment");
	if (r->offset)
		p = sks_fmt_u64(sks_fmt_lit(p, " offset "), r->offset);
	if (!complete)
		p = sks_fmt_lit(p, " (incomplete)");
	*p++ = '\n';
	return p;
}
