// SPDX-License-Identifier: GPL-2.0
/*
 * One output path for text and JSON: commands describe each field once
 * (JSON key, text label, value) and the context decides how it is printed.
 */
#include <stdio.h>
#include <inttypes.h>

#include "skbstamp.h"
#include "fmt.h"

void sks_json_string(const char *s)
{
	char buf[6];

	putchar('"');
	for (; *s; s++)
		fwrite(buf, 1, sks_fmt_json_esc(buf, s, 1) - buf, stdout);
	putchar('"');
}

void sks_out_begin(struct sks_ctx *ctx)
{
	if (ctx->json)
		putchar('{');
	ctx->depth++;
	ctx->need_comma = false;
}

void sks_out_end(struct sks_ctx *ctx)
{
	ctx->depth--;
	if (ctx->json) {
		putchar('}');
		if (!ctx->depth)
			putchar('\n');
	}
	ctx->need_comma = true;
}

void sks_out_key(struct sks_ctx *ctx, const char *key)
{
	if (ctx->need_comma)
		putchar(',');
	sks_json_string(key);
	putchar(':');
	ctx->need_comma = true;
}

void sks_out_str(struct sks_ctx *ctx, const char *key, const char *label,
		 const char *val)
{
	if (ctx->json) {
		sks_out_key(ctx, key);
		sks_json_string(val);
	} else {
		printf("%-18s %s\n", label, val);
	}
}

void sks_out_u64(struct sks_ctx *ctx, const char *key, const char *label,
		 uint64_t val)
{
	if (ctx->json) {
		sks_out_key(ctx, key);
		printf("%" PRIu64, val);
	} else {
		printf("%-18s %" PRIu64 "\n", label, val);
	}
}

void sks_out_nest_begin(struct sks_ctx *ctx, const char *key)
{
	if (!ctx->json)
		return;
	sks_out_key(ctx, key);
	putchar('{');
	ctx->need_comma = false;
}

void sks_out_nest_end(struct sks_ctx *ctx)
{
	if (!ctx->json)
		return;
	putchar('}');
	ctx->need_comma = true;
}

/* A stage mask: a JSON array of names, or a comma-separated text list. */
void sks_out_stages(struct sks_ctx *ctx, const char *key, const char *label,
		    uint32_t mask)
{
	char buf[256];
	unsigned int i;
	bool first = true;

	if (!ctx->json) {
		sks_stages_format(mask, buf, sizeof(buf));
		printf("%-18s %s\n", label, buf[0] ? buf : "none");
		return;
	}
	sks_out_key(ctx, key);
	putchar('[');
	for (i = 0; i < 32; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			putchar(',');
		sks_json_string(sks_stage_name(i));
		first = false;
	}
	putchar(']');
}
