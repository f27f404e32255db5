// SPDX-License-Identifier: GPL-2.0
/*
 * The "skbstamp" generic netlink family: the module's only interface.
 *
 * Every operation needs CAP_NET_ADMIN in the initial user namespace
 * (GENL_ADMIN_PERM): the records the module produces describe other users'
 * traffic.  Validation is strict: attributes the policy does not list, or
 * lists as output-only (NLA_UNSPEC), are refused with an extack message.
 */
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "skbstamp.h"

static struct genl_family sks_genl_family;

/* No command takes input attributes yet; all listed ones are output-only. */
static const struct nla_policy sks_genl_policy[SKBSTAMP_A_MAX + 1] = {
	[SKBSTAMP_A_PAD]	= { .type = NLA_REJECT },
	[SKBSTAMP_A_VERSION]	= { .type = NLA_REJECT },
	[SKBSTAMP_A_KERNEL]	= { .type = NLA_REJECT },
	[SKBSTAMP_A_STATE]	= { .type = NLA_REJECT },
};

static int sks_genl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &sks_genl_family, 0,
				SKBSTAMP_CMD_GET);
	if (!hdr)
		goto too_big;

	if (nla_put_string(msg, SKBSTAMP_A_VERSION, SKBSTAMP_VERSION) ||
	    nla_put_string(msg, SKBSTAMP_A_KERNEL, init_utsname()->release) ||
	    nla_put_u32(msg, SKBSTAMP_A_STATE, sks_state()))
		goto too_big;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	NL_SET_ERR_MSG(info->extack, "reply does not fit a message");
	return -EMSGSIZE;
}

static const struct genl_ops sks_genl_ops[] = {
	{
		.cmd	= SKBSTAMP_CMD_GET,
		.doit	= sks_genl_get,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family sks_genl_family __ro_after_init = {
	.name		= SKBSTAMP_GENL_NAME,
	.version	= SKBSTAMP_GENL_VERSION,
	.maxattr	= SKBSTAMP_A_MAX,
	.policy		= sks_genl_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= sks_genl_ops,
	.n_ops		= ARRAY_SIZE(sks_genl_ops),
};

int sks_genl_register(void)
{
	return genl_register_family(&sks_genl_family);
}

void sks_genl_unregister(void)
{
	genl_unregister_family(&sks_genl_family);
}
