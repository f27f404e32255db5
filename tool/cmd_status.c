// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp status: what the loaded module is and what it is doing, with
 * the record accounting of the current (or last) run:
 * generated = delivered + dropped + buffered.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const char *const sks_state_names[] = {
	[SKBSTAMP_STATE_STOPPED] = "stopped",
	[SKBSTAMP_STATE_RUNNING] = "running",
};

static struct nla_policy sks_cfg_pol[SKBSTAMP_CFG_MAX + 1] = {
	[SKBSTAMP_CFG_STAGES]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_BUFFER]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_PID]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_CGROUP]	= { .type = NLA_U64 },
	[SKBSTAMP_CFG_NETNS]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_PROTO]	= { .type = NLA_U8 },
	[SKBSTAMP_CFG_FAMILY]	= { .type = NLA_U8 },
	[SKBSTAMP_CFG_SADDR_PLEN] = { .type = NLA_U8 },
	[SKBSTAMP_CFG_DADDR_PLEN] = { .type = NLA_U8 },
	[SKBSTAMP_CFG_SPORT]	= { .type = NLA_U16 },
	[SKBSTAMP_CFG_DPORT]	= { .type = NLA_U16 },
	[SKBSTAMP_CFG_IFINDEX]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_SAMPLE]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_MODE]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_DRAIN]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_ACKS]	= { .type = NLA_FLAG },
};

/* The filters of a configuration, as "skbstamp start" spells them. */
static void sks_out_filters(struct sks_ctx *ctx, struct nlattr **cf)
{
	static const struct { int attr; const char *key; } nums[] = {
		{ SKBSTAMP_CFG_PID, "pid" }, { SKBSTAMP_CFG_CGROUP, "cgroup" },
		{ SKBSTAMP_CFG_NETNS, "netns" }, { SKBSTAMP_CFG_SPORT, "sport" },
		{ SKBSTAMP_CFG_DPORT, "dport" }, { SKBSTAMP_CFG_IFINDEX, "ifindex" },
		{ SKBSTAMP_CFG_SAMPLE, "sample" },
	};
	int family = cf[SKBSTAMP_CFG_FAMILY] ? nla_get_u8(cf[SKBSTAMP_CFG_FAMILY]) : 0;
	char buf[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];
	size_t i;
	int addr;

	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		struct nlattr *n = cf[nums[i].attr];
		uint64_t v;

		if (!n)
			continue;
		v = nla_len(n) == 8 ? nla_get_u64(n) : nla_len(n) == 2 ? nla_get_u16(n) :
		    nla_get_u32(n);
		snprintf(buf, sizeof(buf), "%s:", nums[i].key);
		sks_out_u64(ctx, nums[i].key, buf, v);
	}
	if (cf[SKBSTAMP_CFG_ACKS])
		sks_out_str(ctx, "acks", "acks:", "on");
	if (cf[SKBSTAMP_CFG_PROTO])
		sks_out_str(ctx, "proto", "proto:",
			    sks_proto_name(nla_get_u8(cf[SKBSTAMP_CFG_PROTO])));
	if (family)
		sks_out_u64(ctx, "family", "family:", family == AF_INET6 ? 6 : 4);
	for (addr = SKBSTAMP_CFG_SADDR; addr <= SKBSTAMP_CFG_DADDR; addr += 2) {
		bool src = addr == SKBSTAMP_CFG_SADDR;

		if (!cf[addr] || nla_len(cf[addr]) != 16)
			continue;
		inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, nla_data(cf[addr]),
			  a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s/%u", a,
			 cf[addr + 1] ? nla_get_u8(cf[addr + 1]) : 0);
		sks_out_str(ctx, src ? "src" : "dst", src ? "src:" : "dst:", buf);
	}
}

static const struct {
	int attr;
	const char *key;
	const char *label;
} sks_counter_names[] = {
	{ SKBSTAMP_CNT_GENERATED, "generated", "records:" },
	{ SKBSTAMP_CNT_DELIVERED, "delivered", "delivered:" },
	{ SKBSTAMP_CNT_DROPPED_FULL, "dropped_full", "dropped (full):" },
	{ SKBSTAMP_CNT_DROPPED_SEND, "dropped_send", "dropped (send):" },
	{ SKBSTAMP_CNT_BUFFERED, "buffered", "buffered:" },
	{ SKBSTAMP_CNT_TAGS_ABANDONED, "tags_abandoned", "skbs abandoned:" },
	{ SKBSTAMP_CNT_SUMMARIZED, "summarized", "summarized:" },
	{ SKBSTAMP_CNT_RX_EVICTED, "rx_evicted", "rx evicted:" },
	{ SKBSTAMP_CNT_RX_TRACKED, "rx_tracked", "rx tracked:" },
	{ SKBSTAMP_CNT_TAGS_PENDING, "tags_pending", "skbs pending:" },
	{ SKBSTAMP_CNT_TAGS_EVICTED, "tags_evicted", "skbs evicted:" },
	{ SKBSTAMP_CNT_SOCKS_TRACKED, "socks_tracked", "sockets tracked:" },
	{ SKBSTAMP_CNT_SOCKS_EVICTED, "socks_evicted", "sockets evicted:" },
};

void sks_out_counters(struct sks_ctx *ctx, struct nlattr *nest)
{
	struct nlattr *ct[SKBSTAMP_CNT_MAX + 1];
	size_t i;

	if (nla_parse_nested(ct, SKBSTAMP_CNT_MAX, nest, NULL))
		return;
	for (i = 0; i < ARRAY_SIZE(sks_counter_names); i++)
		if (ct[sks_counter_names[i].attr])
			sks_out_u64(ctx, sks_counter_names[i].key,
				    sks_counter_names[i].label,
				    nla_get_u64(ct[sks_counter_names[i].attr]));
}

static int sks_status_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *cf[SKBSTAMP_CFG_MAX + 1];
	struct sks_ctx *ctx = arg;
	uint32_t state;

	if (!tb[SKBSTAMP_A_VERSION] || !tb[SKBSTAMP_A_KERNEL] ||
	    !tb[SKBSTAMP_A_STATE]) {
		fprintf(stderr, "skbstamp: the module's reply lacks version, kernel or state\n");
		return SKS_EXIT_KERNEL;
	}
	state = nla_get_u32(tb[SKBSTAMP_A_STATE]);

	sks_out_begin(ctx);
	sks_out_str(ctx, "version", "module version:",
		    nla_get_string(tb[SKBSTAMP_A_VERSION]));
	sks_out_str(ctx, "tool_version", "tool version:", SKBSTAMP_VERSION);
	sks_out_str(ctx, "kernel", "kernel:", nla_get_string(tb[SKBSTAMP_A_KERNEL]));
	sks_out_str(ctx, "state", "state:",
		    sks_name(sks_state_names, ARRAY_SIZE(sks_state_names), state));
	if (tb[SKBSTAMP_A_STAGES_AVAIL])
		sks_out_stages(ctx, "stages_available", "stages available:",
			       nla_get_u32(tb[SKBSTAMP_A_STAGES_AVAIL]));
	if (tb[SKBSTAMP_A_CONFIG] &&
	    !nla_parse_nested(cf, SKBSTAMP_CFG_MAX, tb[SKBSTAMP_A_CONFIG], sks_cfg_pol)) {
		sks_out_nest_begin(ctx, "config");
		if (cf[SKBSTAMP_CFG_MODE])
			sks_out_str(ctx, "mode", "mode:",
				    sks_mode_name(nla_get_u32(cf[SKBSTAMP_CFG_MODE])));
		if (cf[SKBSTAMP_CFG_DRAIN])
			sks_out_str(ctx, "drain", "drain:",
				    sks_drain_name(nla_get_u32(cf[SKBSTAMP_CFG_DRAIN])));
		if (cf[SKBSTAMP_CFG_STAGES])
			sks_out_stages(ctx, "stages", "stages traced:",
				       nla_get_u32(cf[SKBSTAMP_CFG_STAGES]));
		if (cf[SKBSTAMP_CFG_BUFFER])
			sks_out_u64(ctx, "buffer", "buffer/CPU:",
				    nla_get_u32(cf[SKBSTAMP_CFG_BUFFER]));
		sks_out_filters(ctx, cf);
		sks_out_nest_end(ctx);
	}
	if (tb[SKBSTAMP_A_COUNTERS]) {
		sks_out_nest_begin(ctx, "counters");
		sks_out_counters(ctx, tb[SKBSTAMP_A_COUNTERS]);
		sks_out_nest_end(ctx);
	}
	sks_out_end(ctx);
	return 0;
}

int sks_cmd_status(struct sks_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)argv;
	ret = sks_open_noargs(ctx, "status", argc);
	if (ret)
		return ret;
	return sks_nl_request(ctx, SKBSTAMP_CMD_GET, NULL, sks_status_reply, ctx);
}

static int sks_avail_reply(struct nlattr **tb, void *arg)
{
	if (tb[SKBSTAMP_A_STAGES_AVAIL])
		*(uint32_t *)arg = nla_get_u32(tb[SKBSTAMP_A_STAGES_AVAIL]);
	return 0;
}

int sks_get_stages_avail(struct sks_ctx *ctx, uint32_t *mask)
{
	return sks_nl_request(ctx, SKBSTAMP_CMD_GET, NULL, sks_avail_reply, mask);
}

static int sks_run_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *cf[SKBSTAMP_CFG_MAX + 1];
	struct sks_run *run = arg;

	run->drain = -1;
	run->mode = -1;
	run->stages = 0;
	if (!tb[SKBSTAMP_A_STATE] || !tb[SKBSTAMP_A_CONFIG] ||
	    nla_get_u32(tb[SKBSTAMP_A_STATE]) != SKBSTAMP_STATE_RUNNING ||
	    nla_parse_nested(cf, SKBSTAMP_CFG_MAX, tb[SKBSTAMP_A_CONFIG], sks_cfg_pol))
		return 0;
	/* Absent attributes are the defaults. */
	run->drain = cf[SKBSTAMP_CFG_DRAIN] ? (int)nla_get_u32(cf[SKBSTAMP_CFG_DRAIN]) :
					      SKBSTAMP_DRAIN_MULTICAST;
	run->mode = cf[SKBSTAMP_CFG_MODE] ? (int)nla_get_u32(cf[SKBSTAMP_CFG_MODE]) :
					    SKBSTAMP_MODE_RECORDS;
	if (cf[SKBSTAMP_CFG_STAGES])
		run->stages = nla_get_u32(cf[SKBSTAMP_CFG_STAGES]);
	return 0;
}

int sks_get_run(struct sks_ctx *ctx, struct sks_run *run)
{
	run->drain = -1;
	run->mode = -1;
	run->stages = 0;
	return sks_nl_request(ctx, SKBSTAMP_CMD_GET, NULL, sks_run_reply, run);
}

int sks_get_drain(struct sks_ctx *ctx)
{
	struct sks_run run;

	if (sks_get_run(ctx, &run))
		return -1;
	return run.drain;
}
