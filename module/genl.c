// SPDX-License-Identifier: GPL-2.0
/*
 * The "skbstamp" generic netlink family: the module's only interface.
 *
 * Every operation needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM), and so does joining the "records" group: records
 * describe other users' traffic.  Validation is strict: attributes the
 * policy does not list, or lists as output-only, are refused with an
 * extack message naming the attribute.
 */
#include <linux/in.h>
#include <linux/socket.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "skbstamp.h"
#include "hist.h"

static const struct nla_policy sks_cfg_policy[SKBSTAMP_CFG_MAX + 1] = {
	[SKBSTAMP_CFG_STAGES]	= NLA_POLICY_MASK(NLA_U32,
						  BIT(__SKBSTAMP_STAGE_MAX) - 1),
	[SKBSTAMP_CFG_BUFFER]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_PID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SKBSTAMP_CFG_CGROUP]	= { .type = NLA_U64 },
	[SKBSTAMP_CFG_NETNS]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SKBSTAMP_CFG_PROTO]	= NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP, IPPROTO_UDP),
	[SKBSTAMP_CFG_FAMILY]	= NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SKBSTAMP_CFG_SADDR]	= NLA_POLICY_EXACT_LEN(16),
	[SKBSTAMP_CFG_SADDR_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SKBSTAMP_CFG_DADDR]	= NLA_POLICY_EXACT_LEN(16),
	[SKBSTAMP_CFG_DADDR_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SKBSTAMP_CFG_SPORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SKBSTAMP_CFG_DPORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SKBSTAMP_CFG_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SKBSTAMP_CFG_SAMPLE]	= { .type = NLA_U32 },
	[SKBSTAMP_CFG_PAD]	= { .type = NLA_REJECT },
	[SKBSTAMP_CFG_MODE]	= NLA_POLICY_MAX(NLA_U32, SKBSTAMP_MODE_SUMMARY),
	[SKBSTAMP_CFG_DRAIN]	= NLA_POLICY_MAX(NLA_U32, SKBSTAMP_DRAIN_DUMP),
	[SKBSTAMP_CFG_ACKS]	= { .type = NLA_FLAG },
};

/* Output-only attributes are NLA_REJECT: a request carrying one is wrong. */
static const struct nla_policy sks_genl_policy[SKBSTAMP_A_MAX + 1] = {
	[SKBSTAMP_A_PAD]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_VERSION]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_KERNEL]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_STATE]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_STAGES_AVAIL]	= { .type = NLA_REJECT },
	[SKBSTAMP_A_CONFIG]		= NLA_POLICY_NESTED(sks_cfg_policy),
	[SKBSTAMP_A_COUNTERS]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_CPU]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_SEQ]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_RECORD_SIZE]	= { .type = NLA_REJECT },
	[SKBSTAMP_A_RECORDS]		= { .type = NLA_REJECT },
	[SKBSTAMP_A_HIST]		= { .type = NLA_REJECT },
};

static int sks_put_config(struct sk_buff *msg, const struct sks_config *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, SKBSTAMP_A_CONFIG);

	const struct sks_filter *f = &cfg->filter;

	if (!nest ||
	    nla_put_u32(msg, SKBSTAMP_CFG_STAGES, cfg->stages) ||
	    nla_put_u32(msg, SKBSTAMP_CFG_BUFFER, cfg->buffer) ||
	    nla_put_u32(msg, SKBSTAMP_CFG_MODE, cfg->mode) ||
	    nla_put_u32(msg, SKBSTAMP_CFG_DRAIN, cfg->drain) ||
	    (f->sample > 1 && nla_put_u32(msg, SKBSTAMP_CFG_SAMPLE, f->sample)) ||
	    (f->acks && nla_put_flag(msg, SKBSTAMP_CFG_ACKS)) ||
	    ((f->fields & SKS_F_PID) && nla_put_u32(msg, SKBSTAMP_CFG_PID, f->pid)) ||
	    ((f->fields & SKS_F_CGROUP) &&
	     nla_put_u64_64bit(msg, SKBSTAMP_CFG_CGROUP, f->cgroup, SKBSTAMP_CFG_PAD)) ||
	    ((f->fields & SKS_F_NETNS) && nla_put_u32(msg, SKBSTAMP_CFG_NETNS, f->netns)) ||
	    ((f->fields & SKS_F_PROTO) && nla_put_u8(msg, SKBSTAMP_CFG_PROTO, f->proto)) ||
	    ((f->fields & SKS_F_FAMILY) && nla_put_u8(msg, SKBSTAMP_CFG_FAMILY, f->family)) ||
	    ((f->fields & SKS_F_SADDR) &&
	     (nla_put(msg, SKBSTAMP_CFG_SADDR, 16, f->saddr) ||
	      nla_put_u8(msg, SKBSTAMP_CFG_SADDR_PLEN, f->saddr_plen))) ||
	    ((f->fields & SKS_F_DADDR) &&
	     (nla_put(msg, SKBSTAMP_CFG_DADDR, 16, f->daddr) ||
	      nla_put_u8(msg, SKBSTAMP_CFG_DADDR_PLEN, f->daddr_plen))) ||
	    ((f->fields & SKS_F_SPORT) && nla_put_u16(msg, SKBSTAMP_CFG_SPORT, f->sport)) ||
	    ((f->fields & SKS_F_DPORT) && nla_put_u16(msg, SKBSTAMP_CFG_DPORT, f->dport)) ||
	    ((f->fields & SKS_F_IFINDEX) &&
	     nla_put_u32(msg, SKBSTAMP_CFG_IFINDEX, f->ifindex)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Filters from a CONFIG nest; the policy has checked types and ranges. */
static int sks_parse_filter(struct nlattr **tb, struct sks_filter *f,
			    struct netlink_ext_ack *extack)
{
	unsigned int max_plen;

	memset(f, 0, sizeof(*f));
	if (tb[SKBSTAMP_CFG_SAMPLE])
		f->sample = nla_get_u32(tb[SKBSTAMP_CFG_SAMPLE]);
	f->acks = nla_get_flag(tb[SKBSTAMP_CFG_ACKS]);
	if (tb[SKBSTAMP_CFG_PID]) {
		f->fields |= SKS_F_PID;
		f->pid = nla_get_u32(tb[SKBSTAMP_CFG_PID]);
	}
	if (tb[SKBSTAMP_CFG_CGROUP]) {
		f->fields |= SKS_F_CGROUP;
		f->cgroup = nla_get_u64(tb[SKBSTAMP_CFG_CGROUP]);
	}
	if (tb[SKBSTAMP_CFG_NETNS]) {
		f->fields |= SKS_F_NETNS;
		f->netns = nla_get_u32(tb[SKBSTAMP_CFG_NETNS]);
	}
	if (tb[SKBSTAMP_CFG_PROTO]) {
		f->proto = nla_get_u8(tb[SKBSTAMP_CFG_PROTO]);
		if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SKBSTAMP_CFG_PROTO],
					    "protocol must be TCP or UDP");
			return -EINVAL;
		}
		f->fields |= SKS_F_PROTO;
	}
	if (tb[SKBSTAMP_CFG_FAMILY]) {
		f->family = nla_get_u8(tb[SKBSTAMP_CFG_FAMILY]);
		if (f->family != AF_INET && f->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SKBSTAMP_CFG_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		f->fields |= SKS_F_FAMILY;
	}
	max_plen = f->family == AF_INET ? 32 : 128;
	if (tb[SKBSTAMP_CFG_SADDR] || tb[SKBSTAMP_CFG_DADDR]) {
		if (!(f->fields & SKS_F_FAMILY)) {
			NL_SET_ERR_MSG(extack, "an address filter needs the family");
			return -EINVAL;
		}
	}
	if (tb[SKBSTAMP_CFG_SADDR]) {
		f->fields |= SKS_F_SADDR;
		nla_memcpy(f->saddr, tb[SKBSTAMP_CFG_SADDR], 16);
		f->saddr_plen = tb[SKBSTAMP_CFG_SADDR_PLEN] ?
				nla_get_u8(tb[SKBSTAMP_CFG_SADDR_PLEN]) : max_plen;
	}
	if (tb[SKBSTAMP_CFG_DADDR]) {
		f->fields |= SKS_F_DADDR;
		nla_memcpy(f->daddr, tb[SKBSTAMP_CFG_DADDR], 16);
		f->daddr_plen = tb[SKBSTAMP_CFG_DADDR_PLEN] ?
				nla_get_u8(tb[SKBSTAMP_CFG_DADDR_PLEN]) : max_plen;
	}
	if (f->saddr_plen > max_plen || f->daddr_plen > max_plen) {
		NL_SET_ERR_MSG(extack, "prefix length longer than the address");
		return -EINVAL;
	}
	if (tb[SKBSTAMP_CFG_SPORT]) {
		f->fields |= SKS_F_SPORT;
		f->sport = nla_get_u16(tb[SKBSTAMP_CFG_SPORT]);
	}
	if (tb[SKBSTAMP_CFG_DPORT]) {
		f->fields |= SKS_F_DPORT;
		f->dport = nla_get_u16(tb[SKBSTAMP_CFG_DPORT]);
	}
	if (tb[SKBSTAMP_CFG_IFINDEX]) {
		f->fields |= SKS_F_IFINDEX;
		f->ifindex = nla_get_u32(tb[SKBSTAMP_CFG_IFINDEX]);
	}
	return 0;
}

static int sks_put_counters(struct sk_buff *msg, const struct sks_counters *c)
{
	struct nlattr *nest = nla_nest_start(msg, SKBSTAMP_A_COUNTERS);

	if (!nest ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_GENERATED, c->generated,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_DELIVERED, c->delivered,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_DROPPED_FULL, c->dropped_full,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_DROPPED_SEND, c->dropped_send,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_BUFFERED, c->buffered,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_TAGS_ABANDONED,
			      c->tags_abandoned, SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_SUMMARIZED, c->summarized,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_RX_EVICTED, c->rx_evicted,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_RX_TRACKED, c->rx_tracked,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_TAGS_PENDING, c->tags_pending,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_TAGS_EVICTED, c->tags_evicted,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_SOCKS_TRACKED, c->socks_tracked,
			      SKBSTAMP_CNT_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_CNT_SOCKS_EVICTED, c->socks_evicted,
			      SKBSTAMP_CNT_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int sks_genl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sks_counters cnt;
	struct sks_config cfg;
	struct sk_buff *msg;
	bool started;
	void *hdr;

	started = sks_snapshot(&cfg, &cnt);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &sks_genl_family, 0,
				SKBSTAMP_CMD_GET);
	if (!hdr)
		goto too_big;

	if (nla_put_string(msg, SKBSTAMP_A_VERSION, SKBSTAMP_VERSION) ||
	    nla_put_string(msg, SKBSTAMP_A_KERNEL, init_utsname()->release) ||
	    nla_put_u32(msg, SKBSTAMP_A_STATE, sks_state()) ||
	    nla_put_u32(msg, SKBSTAMP_A_STAGES_AVAIL, sks_stages_avail()))
		goto too_big;
	if (started &&
	    (sks_put_config(msg, &cfg) || sks_put_counters(msg, &cnt)))
		goto too_big;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	NL_SET_ERR_MSG(info->extack, "reply does not fit a message");
	return -EMSGSIZE;
}

/* Fill @cfg, preset by the caller, from the request's CONFIG nest. */
static int sks_parse_config(struct genl_info *info, struct sks_config *cfg)
{
	struct nlattr *tb[SKBSTAMP_CFG_MAX + 1];
	int err;

	if (!info->attrs[SKBSTAMP_A_CONFIG])
		return 0;
	err = nla_parse_nested(tb, SKBSTAMP_CFG_MAX,
			       info->attrs[SKBSTAMP_A_CONFIG],
			       sks_cfg_policy, info->extack);
	if (err)
		return err;
	if (tb[SKBSTAMP_CFG_STAGES])
		cfg->stages = nla_get_u32(tb[SKBSTAMP_CFG_STAGES]);
	if (tb[SKBSTAMP_CFG_BUFFER])
		cfg->buffer = nla_get_u32(tb[SKBSTAMP_CFG_BUFFER]);
	if (tb[SKBSTAMP_CFG_MODE])
		cfg->mode = nla_get_u32(tb[SKBSTAMP_CFG_MODE]);
	if (tb[SKBSTAMP_CFG_DRAIN])
		cfg->drain = nla_get_u32(tb[SKBSTAMP_CFG_DRAIN]);
	return sks_parse_filter(tb, &cfg->filter, info->extack);
}

static int sks_genl_start(struct sk_buff *skb, struct genl_info *info)
{
	struct sks_config cfg;
	int err;

	sks_config_default(&cfg);
	err = sks_parse_config(info, &cfg);
	if (err)
		return err;
	return sks_start(&cfg, info->extack);
}

/*
 * Filters, sampling and stages not given are reset as for START; mode,
 * buffer and drain not given keep the running values (sks_set() refuses
 * to change them).
 */
static int sks_genl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct sks_counters cnt;
	struct sks_config cur, cfg;
	int err;

	sks_snapshot(&cur, &cnt);
	sks_config_default(&cfg);
	cfg.mode = cur.mode;
	cfg.buffer = cur.buffer;
	cfg.drain = cur.drain;
	err = sks_parse_config(info, &cfg);
	if (err)
		return err;
	return sks_set(&cfg, info->extack);
}

static int sks_genl_reset(struct sk_buff *skb, struct genl_info *info)
{
	return sks_reset(info->extack);
}

/* STATS: one message per possible CPU; cb->args[0] is the next CPU. */
static int sks_genl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int cpu;

	for (cpu = cb->args[0]; cpu < nr_cpu_ids; cpu++) {
		struct sks_counters c;
		void *hdr;

		if (!cpu_possible(cpu))
			continue;
		sks_ring_counters(&c, cpu);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sks_genl_family,
				  NLM_F_MULTI, SKBSTAMP_CMD_STATS);
		if (!hdr)
			break;
		if (nla_put_u32(skb, SKBSTAMP_A_CPU, cpu) ||
		    sks_put_counters(skb, &c)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = cpu;
	return skb->len;
}

/* One histogram as a HIST nest; buckets up to the last non-empty one. */
static int sks_put_hist(struct sk_buff *msg, const struct sks_hist_sum *h)
{
	unsigned int n = SKBSTAMP_NBUCKETS;
	struct nlattr *nest;
	u32 from, to;

	while (n && !h->b[n - 1])
		n--;
	sks_hist_pair_stages(h->pair, &from, &to);
	nest = nla_nest_start(msg, SKBSTAMP_A_HIST);
	if (!nest ||
	    nla_put_u32(msg, SKBSTAMP_HIST_PAIR, h->pair) ||
	    nla_put_u32(msg, SKBSTAMP_HIST_FROM, from) ||
	    nla_put_u32(msg, SKBSTAMP_HIST_TO, to) ||
	    nla_put_u8(msg, SKBSTAMP_HIST_PROTO, h->proto) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_HIST_COUNT, h->count, SKBSTAMP_HIST_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_HIST_SUM_NS, h->sum, SKBSTAMP_HIST_PAD) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_HIST_MAX_NS, h->max, SKBSTAMP_HIST_PAD) ||
	    nla_put_u32(msg, SKBSTAMP_HIST_SUB_BITS, SKBSTAMP_BUCKET_SUB_BITS) ||
	    nla_put(msg, SKBSTAMP_HIST_BUCKETS, n * sizeof(u64), h->b))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * HIST: one message per histogram with samples; cb->args[0] is the next
 * histogram.  The sum is too large for the stack: one per dump call.
 */
static int sks_genl_hist_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sks_hist_sum *h = kmalloc(sizeof(*h), GFP_KERNEL);
	unsigned int idx;

	if (!h)
		return -ENOMEM;
	for (idx = cb->args[0]; !sks_hist_read(idx, h); idx++) {
		void *hdr;

		if (!h->count)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sks_genl_family,
				  NLM_F_MULTI, SKBSTAMP_CMD_HIST);
		if (!hdr)
			break;
		if (sks_put_hist(skb, h)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	kfree(h);
	cb->args[0] = idx;
	return skb->len;
}

static int sks_genl_stop(struct sk_buff *skb, struct genl_info *info)
{
	return sks_stop(info->extack);
}

static const struct genl_ops sks_genl_ops[] = {
	{
		.cmd	= SKBSTAMP_CMD_GET,
		.doit	= sks_genl_get,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_START,
		.doit	= sks_genl_start,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_STOP,
		.doit	= sks_genl_stop,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_RECORDS,
		.dumpit	= sks_ring_dump,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_SET,
		.doit	= sks_genl_set,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_STATS,
		.dumpit	= sks_genl_stats_dump,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_HIST,
		.dumpit	= sks_genl_hist_dump,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= SKBSTAMP_CMD_RESET,
		.doit	= sks_genl_reset,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group sks_genl_mcgrps[] = {
	[SKS_MCGRP_RECORDS] = {
		.name = SKBSTAMP_MCGRP_RECORDS,
		SKS_MCGRP_PRIVILEGED,
	},
};

struct genl_family sks_genl_family __ro_after_init = {
	.name		= SKBSTAMP_GENL_NAME,
	.version	= SKBSTAMP_GENL_VERSION,
	.maxattr	= SKBSTAMP_A_MAX,
	.policy		= sks_genl_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= sks_genl_ops,
	.n_ops		= ARRAY_SIZE(sks_genl_ops),
	.mcgrps		= sks_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(sks_genl_mcgrps),
};

int sks_genl_register(void)
{
	return genl_register_family(&sks_genl_family);
}

void sks_genl_unregister(void)
{
	genl_unregister_family(&sks_genl_family);
}
