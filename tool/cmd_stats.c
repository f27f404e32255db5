// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp stats: the record counters of each CPU (current or last run),
 * and their total.  For each CPU, and so in total,
 * generated = delivered + dropped_full + dropped_send + buffered +
 * summarized.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const struct {
	int attr;
	const char *key;
} sks_stats_cols[] = {
	{ SKBSTAMP_CNT_GENERATED, "generated" },
	{ SKBSTAMP_CNT_DELIVERED, "delivered" },
	{ SKBSTAMP_CNT_DROPPED_FULL, "dropped_full" },
	{ SKBSTAMP_CNT_DROPPED_SEND, "dropped_send" },
	{ SKBSTAMP_CNT_BUFFERED, "buffered" },
	{ SKBSTAMP_CNT_SUMMARIZED, "summarized" },
};

#define SKS_NCOLS ARRAY_SIZE(sks_stats_cols)

struct sks_stats {
	struct sks_ctx *ctx;
	unsigned int cpus;
	uint64_t total[SKS_NCOLS];
};

/* One row: "cpu" (or "total") and the counters, as text or JSON. */
static void sks_stats_row(struct sks_ctx *ctx, const char *cpu, const uint64_t *v)
{
	size_t i;

	if (!ctx->json) {
		printf("%-6s", cpu);
		for (i = 0; i < SKS_NCOLS; i++)
			printf(" %13" PRIu64, v[i]);
		putchar('\n');
		return;
	}
	printf("{\"cpu\":");
	if (strcmp(cpu, "total"))
		printf("%s", cpu);
	else
		sks_json_string(cpu);
	for (i = 0; i < SKS_NCOLS; i++)
		printf(",\"%s\":%" PRIu64, sks_stats_cols[i].key, v[i]);
	putchar('}');
}

/* Printed with the first row: a refused request prints nothing. */
static void sks_stats_header(struct sks_ctx *ctx)
{
	size_t i;

	if (ctx->json) {
		printf("{\"cpus\":[");
		return;
	}
	printf("%-6s", "cpu");
	for (i = 0; i < SKS_NCOLS; i++)
		printf(" %13s", sks_stats_cols[i].key);
	putchar('\n');
}

static int sks_stats_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *ct[SKBSTAMP_CNT_MAX + 1];
	struct sks_stats *st = arg;
	uint64_t v[SKS_NCOLS];
	char cpu[16];
	size_t i;

	if (!tb[SKBSTAMP_A_CPU] || !tb[SKBSTAMP_A_COUNTERS] ||
	    nla_parse_nested(ct, SKBSTAMP_CNT_MAX, tb[SKBSTAMP_A_COUNTERS], NULL)) {
		fprintf(stderr, "skbstamp: malformed STATS message from the module\n");
		return SKS_EXIT_KERNEL;
	}
	for (i = 0; i < SKS_NCOLS; i++) {
		struct nlattr *a = ct[sks_stats_cols[i].attr];

		v[i] = a ? nla_get_u64(a) : 0;
		st->total[i] += v[i];
	}
	snprintf(cpu, sizeof(cpu), "%u", nla_get_u32(tb[SKBSTAMP_A_CPU]));
	if (!st->cpus)
		sks_stats_header(st->ctx);
	else if (st->ctx->json)
		putchar(',');
	sks_stats_row(st->ctx, cpu, v);
	st->cpus++;
	return 0;
}

int sks_cmd_stats(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_stats st = { .ctx = ctx };
	int ret;

	(void)argv;
	ret = sks_open_noargs(ctx, "stats", argc);
	if (ret)
		return ret;
	ret = sks_nl_dump(ctx, SKBSTAMP_CMD_STATS, sks_stats_reply, &st);
	if (ret) {
		if (ctx->json && st.cpus)
			printf("]}\n");
		return ret;
	}
	if (!st.cpus)
		sks_stats_header(ctx);
	if (ctx->json)
		printf("],\"total\":");
	sks_stats_row(ctx, "total", st.total);
	if (ctx->json)
		printf("}\n");
	return SKS_EXIT_OK;
}
