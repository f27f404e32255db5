// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp hist: the summary mode's latency histograms, one per stage pair
 * and protocol that has samples.
 *
 * Text: a header line with count, mean and percentiles, then a bcc-style
 * bar chart with one line per power of two (the module's finer buckets
 * summed).  JSON: one object with a "histograms" array; each histogram
 * lists its non-empty buckets with their bounds, so a consumer can compute
 * any quantile itself.  Percentiles are the midpoint of the bucket that
 * holds them, within 6.25% of the true value (the bucket layout is in the
 * uapi header).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const char *const sks_pair_names[] = {
	[SKBSTAMP_PAIR_SENDMSG_SCHED] = "sendmsg-sched",
	[SKBSTAMP_PAIR_SCHED_SW] = "sched-sw",
	[SKBSTAMP_PAIR_SW_HW] = "sw-hw",
	[SKBSTAMP_PAIR_SW_ACK] = "sw-ack",
	[SKBSTAMP_PAIR_SENDMSG_SW] = "sendmsg-sw",
	[SKBSTAMP_PAIR_SENDMSG_ACK] = "sendmsg-ack",
	[SKBSTAMP_PAIR_SW_TXDONE] = "sw-txdone",
	[SKBSTAMP_PAIR_IRQ_NAPI] = "irq-napi",
	[SKBSTAMP_PAIR_NAPI_SOCKQ] = "napi-sockq",
	[SKBSTAMP_PAIR_SOCKQ_READ] = "sockq-read",
	[SKBSTAMP_PAIR_NAPI_READ] = "napi-read",
};

const char *sks_pair_name(unsigned int pair)
{
	return sks_name(sks_pair_names, ARRAY_SIZE(sks_pair_names), pair);
}

static struct nla_policy sks_hist_pol[SKBSTAMP_HIST_MAX + 1] = {
	[SKBSTAMP_HIST_PAIR]	= { .type = NLA_U32 },
	[SKBSTAMP_HIST_FROM]	= { .type = NLA_U32 },
	[SKBSTAMP_HIST_TO]	= { .type = NLA_U32 },
	[SKBSTAMP_HIST_PROTO]	= { .type = NLA_U8 },
	[SKBSTAMP_HIST_COUNT]	= { .type = NLA_U64 },
	[SKBSTAMP_HIST_SUM_NS]	= { .type = NLA_U64 },
	[SKBSTAMP_HIST_MAX_NS]	= { .type = NLA_U64 },
	[SKBSTAMP_HIST_SUB_BITS] = { .type = NLA_U32 },
};

struct sks_hist_out {
	struct sks_ctx *ctx;
	unsigned int n;
};

/* A duration for people: 950ns, 12.3us, 4.56ms, 1.20s. */
const char *sks_dur(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* The upper bound of bucket @i, exclusive. */
static uint64_t sks_upper(unsigned int i)
{
	return (uint64_t)skbstamp_bucket_lower(i + 1);
}

/*
 * Quantile @q of the histogram: the midpoint of the bucket that holds the
 * ceil(q * count)-th sample (exact below 2^SUB_BITS ns), at most @max.
 */
uint64_t sks_quantile(const uint64_t *b, unsigned int n, uint64_t count,
		      double q, uint64_t max)
{
	uint64_t want = (uint64_t)(q * count + 0.999999), cum = 0, v;
	unsigned int i;

	if (!want)
		want = 1;
	for (i = 0; i < n; i++) {
		cum += b[i];
		if (cum >= want)
			break;
	}
	if (i >= n)
		return max;
	if (i == SKBSTAMP_NBUCKETS - 1)
		return max;
	v = i < (1u << SKBSTAMP_BUCKET_SUB_BITS) ? i :
	    ((uint64_t)skbstamp_bucket_lower(i) + sks_upper(i)) / 2;
	return v < max ? v : max;
}

static void sks_hist_json(const char *pair, unsigned int from, unsigned int to,
			  const char *proto, uint64_t count, uint64_t sum,
			  uint64_t max, const uint64_t *b, unsigned int n,
			  const uint64_t *pct)
{
	bool first = true;
	unsigned int i;

	printf("{\"pair\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"proto\":\"%s\",",
	       pair, sks_stage_name(from), sks_stage_name(to), proto);
	printf("\"count\":%" PRIu64 ",\"sum_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64,
	       count, sum, max);
	printf(",\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"p999_ns\":%" PRIu64,
	       pct[0], pct[1], pct[2]);
	printf(",\"buckets\":[");
	for (i = 0; i < n; i++) {
		if (!b[i])
			continue;
		printf("%s{\"lower_ns\":%" PRIu64 ",\"upper_ns\":%" PRIu64
		       ",\"count\":%" PRIu64 "}", first ? "" : ",",
		       (uint64_t)skbstamp_bucket_lower(i), sks_upper(i), b[i]);
		first = false;
	}
	printf("]}");
}

/* bcc style: one line per power of two, stars scaled to the largest. */
static void sks_hist_text(const char *pair, const char *proto, uint64_t count,
			  uint64_t sum, uint64_t max, const uint64_t *b,
			  unsigned int n, const uint64_t *pct)
{
	uint64_t oct[64] = { 0 }, top = 0;
	char d[5][24], lo[24], hi[24];
	unsigned int i, o, last = 0;

	printf("%s %s: %" PRIu64 " samples, mean %s, p50 %s, p99 %s, p999 %s, max %s\n",
	       proto, pair, count, sks_dur(sum / count, d[0], sizeof(d[0])),
	       sks_dur(pct[0], d[1], sizeof(d[1])), sks_dur(pct[1], d[2], sizeof(d[2])),
	       sks_dur(pct[2], d[3], sizeof(d[3])), sks_dur(max, d[4], sizeof(d[4])));
	for (i = 0; i < n; i++) {
		uint64_t l = (uint64_t)skbstamp_bucket_lower(i);

		o = l ? 63 - __builtin_clzll(l) : 0;
		oct[o] += b[i];
	}
	for (o = 0; o < 64; o++) {
		if (oct[o] > top)
			top = oct[o];
		if (oct[o])
			last = o;
	}
	for (o = 0; o <= last; o++) {
		int stars = top ? (int)(oct[o] * 40 / top) : 0;

		if (!oct[o] && (o == 0 || !oct[o - 1]) && o < last && !oct[o + 1])
			continue;
		printf("  %10s .. %-10s %10" PRIu64 " |%-40.*s|\n",
		       sks_dur(o ? 1ull << o : 0, lo, sizeof(lo)),
		       sks_dur(2ull << o, hi, sizeof(hi)), oct[o], stars,
		       "****************************************");
	}
	putchar('\n');
}

/* The HIST nest of a reply into @h, checked; 0 or an exit code. */
int sks_hist_parse(struct nlattr **tb, struct nlattr **h)
{
	if (!tb[SKBSTAMP_A_HIST] ||
	    nla_parse_nested(h, SKBSTAMP_HIST_MAX, tb[SKBSTAMP_A_HIST], sks_hist_pol) ||
	    !h[SKBSTAMP_HIST_PAIR] || !h[SKBSTAMP_HIST_COUNT] || !h[SKBSTAMP_HIST_BUCKETS] ||
	    !h[SKBSTAMP_HIST_SUB_BITS] || !h[SKBSTAMP_HIST_PROTO]) {
		fprintf(stderr, "skbstamp: malformed HIST message from the module\n");
		return SKS_EXIT_KERNEL;
	}
	if (nla_get_u32(h[SKBSTAMP_HIST_SUB_BITS]) != SKBSTAMP_BUCKET_SUB_BITS) {
		fprintf(stderr, "skbstamp: the module's bucket layout is not this tool's\n");
		return SKS_EXIT_KERNEL;
	}
	return 0;
}

static int sks_hist_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *h[SKBSTAMP_HIST_MAX + 1];
	struct sks_hist_out *out = arg;
	uint64_t count, sum, max, pct[3];
	unsigned int pair, n, proto;
	const uint64_t *b;
	uint64_t *copy;

	if (sks_hist_parse(tb, h))
		return SKS_EXIT_KERNEL;
	pair = nla_get_u32(h[SKBSTAMP_HIST_PAIR]);
	proto = nla_get_u8(h[SKBSTAMP_HIST_PROTO]);
	count = nla_get_u64(h[SKBSTAMP_HIST_COUNT]);
	sum = h[SKBSTAMP_HIST_SUM_NS] ? nla_get_u64(h[SKBSTAMP_HIST_SUM_NS]) : 0;
	max = h[SKBSTAMP_HIST_MAX_NS] ? nla_get_u64(h[SKBSTAMP_HIST_MAX_NS]) : 0;
	n = nla_len(h[SKBSTAMP_HIST_BUCKETS]) / sizeof(uint64_t);
	if (n > SKBSTAMP_NBUCKETS)
		n = SKBSTAMP_NBUCKETS;
	/* The attribute is only 4-byte aligned. */
	copy = malloc(n * sizeof(*copy) + 1);
	if (!copy)
		return SKS_EXIT_KERNEL;
	memcpy(copy, nla_data(h[SKBSTAMP_HIST_BUCKETS]), n * sizeof(*copy));
	b = copy;
	if (!count)
		goto out;
	pct[0] = sks_quantile(b, n, count, 0.50, max);
	pct[1] = sks_quantile(b, n, count, 0.99, max);
	pct[2] = sks_quantile(b, n, count, 0.999, max);
	if (out->ctx->json) {
		/* Opened with the first histogram: a refusal prints nothing. */
		printf(out->n ? "," : "{\"histograms\":[");
		sks_hist_json(sks_pair_name(pair),
			      h[SKBSTAMP_HIST_FROM] ? nla_get_u32(h[SKBSTAMP_HIST_FROM]) : ~0u,
			      h[SKBSTAMP_HIST_TO] ? nla_get_u32(h[SKBSTAMP_HIST_TO]) : ~0u,
			      sks_proto_name(proto), count, sum, max, b, n, pct);
	} else {
		sks_hist_text(sks_pair_name(pair),
			      sks_proto_name(proto), count, sum, max, b, n, pct);
	}
	out->n++;
out:
	free(copy);
	return 0;
}

int sks_cmd_hist(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_hist_out out = { .ctx = ctx };
	int ret;

	(void)argv;
	ret = sks_open_noargs(ctx, "hist", argc);
	if (ret)
		return ret;
	ret = sks_nl_dump(ctx, SKBSTAMP_CMD_HIST, sks_hist_reply, &out);
	if (ctx->json && out.n)
		printf("]}\n");
	else if (ctx->json && !ret)
		printf("{\"histograms\":[]}\n");
	else if (!ret && !out.n)
		printf("no samples (summary mode keeps them: 'skbstamp start mode summary')\n");
	return ret;
}
