// SPDX-License-Identifier: GPL-2.0
/*
 * Stage names, as the JSON output and the command line spell them, and
 * the lookup every name table of the tool uses.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const char *const sks_stage_names[] = {
	[SKBSTAMP_STAGE_SENDMSG]	= "sendmsg",
	[SKBSTAMP_STAGE_SCHED]		= "sched",
	[SKBSTAMP_STAGE_SW]		= "sw",
	[SKBSTAMP_STAGE_HW]		= "hw",
	[SKBSTAMP_STAGE_ACK]		= "ack",
	[SKBSTAMP_STAGE_TXDONE]		= "txdone",
	[SKBSTAMP_STAGE_RX_HW]		= "rx_hw",
	[SKBSTAMP_STAGE_IRQ]		= "irq",
	[SKBSTAMP_STAGE_NAPI]		= "napi",
	[SKBSTAMP_STAGE_NETIF]		= "netif",
	[SKBSTAMP_STAGE_IP]		= "ip",
	[SKBSTAMP_STAGE_L4]		= "l4",
	[SKBSTAMP_STAGE_SOCKQ]		= "sockq",
	[SKBSTAMP_STAGE_READ]		= "read",
	[SKBSTAMP_STAGE_DROP]		= "drop",
	[SKBSTAMP_STAGE_MERGE]		= "merge",
};

const char *sks_name(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

const char *sks_proto_name(unsigned int proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

const char *sks_stage_name(unsigned int stage)
{
	return sks_name(sks_stage_names, ARRAY_SIZE(sks_stage_names), stage);
}

int sks_stage_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sks_stage_names); i++)
		if (!strcmp(name, sks_stage_names[i]))
			return i;
	return -1;
}

/*
 * Parse "sendmsg,sched,sw", "tx,rx" or "all" into a mask; -1 on an
 * unknown name.
 */
int sks_stages_parse(const char *arg, uint32_t *mask)
{
	char buf[256], *tok, *save;
	int i;

	if (!strcmp(arg, "all")) {
		*mask = UINT32_MAX;
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -1;
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "tx") || !strcmp(tok, "rx")) {
			*mask |= tok[0] == 't' ? SKS_TX_STAGES : SKS_RX_STAGES;
			continue;
		}
		i = sks_stage_by_name(tok);
		if (i < 0) {
			fprintf(stderr, "skbstamp: unknown stage '%s'\n", tok);
			return -1;
		}
		*mask |= 1u << i;
	}
	return *mask ? 0 : -1;
}

/* "sendmsg,sched" for a mask, into @buf. */
const char *sks_stages_format(uint32_t mask, char *buf, size_t len)
{
	unsigned int i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(sks_stage_names); i++) {
		if (!(mask & (1u << i)))
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? "," : "", sks_stage_names[i]);
	}
	return buf;
}
