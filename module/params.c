// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: start tracing when the module is loaded, for hosts
 * configured by files only (/etc/modprobe.d/skbstamp.conf):
 *
 *   options skbstamp autostart=1 mode=summary stages=sendmsg,sched,sw
 *
 * Without autostart=1 the other parameters are ignored and the module
 * waits for START as usual.  They take the values of the tool's start
 * command, spelled the same way: mode=records|summary, stages=LIST|all,
 * buffer=N, and the filters pid=N, proto=tcp|udp, family=4|6,
 * src=ADDR[/LEN], dst=ADDR[/LEN], sport=N, dport=N, sample=N, and
 * acks=on|off (received pure TCP ACKs, with the receive stages).  The
 * configuration goes through the same checks as a START request; a value
 * that is not valid, or a START the module refuses, fails the load with
 * the reason in the kernel log.  All parameters are read-only at runtime:
 * the running configuration is changed with SET (skbstamp set).
 */
#include <linux/inet.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "skbstamp.h"

static bool sks_p_autostart;
module_param_named(autostart, sks_p_autostart, bool, 0444);
MODULE_PARM_DESC(autostart, "Start tracing when loaded (default: no)");

static char *sks_p_mode;
module_param_named(mode, sks_p_mode, charp, 0444);
MODULE_PARM_DESC(mode, "With autostart: records or summary (default: records)");

static char *sks_p_stages;
module_param_named(stages, sks_p_stages, charp, 0444);
MODULE_PARM_DESC(stages, "With autostart: comma-separated stages and the groups tx and rx, or all (default: the transmit stages but hw)");

static unsigned int sks_p_buffer;
module_param_named(buffer, sks_p_buffer, uint, 0444);
MODULE_PARM_DESC(buffer, "With autostart: records per CPU buffer (default: 4096)");

static unsigned int sks_p_pid;
module_param_named(pid, sks_p_pid, uint, 0444);
MODULE_PARM_DESC(pid, "With autostart: trace only this thread group");

static char *sks_p_proto;
module_param_named(proto, sks_p_proto, charp, 0444);
MODULE_PARM_DESC(proto, "With autostart: trace only tcp or udp");

static unsigned int sks_p_family;
module_param_named(family, sks_p_family, uint, 0444);
MODULE_PARM_DESC(family, "With autostart: trace only IPv4 (4) or IPv6 (6)");

static char *sks_p_src;
module_param_named(src, sks_p_src, charp, 0444);
MODULE_PARM_DESC(src, "With autostart: local address ADDR[/LEN]");

static char *sks_p_dst;
module_param_named(dst, sks_p_dst, charp, 0444);
MODULE_PARM_DESC(dst, "With autostart: remote address ADDR[/LEN]");

static ushort sks_p_sport;
module_param_named(sport, sks_p_sport, ushort, 0444);
MODULE_PARM_DESC(sport, "With autostart: local port");

static ushort sks_p_dport;
module_param_named(dport, sks_p_dport, ushort, 0444);
MODULE_PARM_DESC(dport, "With autostart: remote port");

static unsigned int sks_p_sample;
module_param_named(sample, sks_p_sample, uint, 0444);
MODULE_PARM_DESC(sample, "With autostart: trace one send call in N");

static bool sks_p_acks;
module_param_named(acks, sks_p_acks, bool, 0444);
MODULE_PARM_DESC(acks, "With autostart: trace received pure TCP ACKs too (default: no)");

static const char *const sks_p_stage_names[] = {
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

static int sks_p_parse_stages(const char *arg, u32 *mask)
{
	char *buf, *cur, *tok;
	int i, err = 0;

	if (!strcmp(arg, "all")) {
		*mask = sks_stages_avail();
		return 0;
	}
	buf = kstrdup(arg, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*mask = 0;
	cur = buf;
	while ((tok = strsep(&cur, ",")) != NULL) {
		/* The tool's groups: transmit but hw, and receive. */
		if (!strcmp(tok, "tx")) {
			*mask |= GENMASK(SKBSTAMP_STAGE_TXDONE, 0) &
				 ~BIT(SKBSTAMP_STAGE_HW);
			continue;
		}
		if (!strcmp(tok, "rx")) {
			*mask |= SKS_STAGES_RX;
			continue;
		}
		i = match_string(sks_p_stage_names, ARRAY_SIZE(sks_p_stage_names), tok);
		if (i < 0) {
			pr_err("stages: unknown stage '%s'\n", tok);
			err = -EINVAL;
			break;
		}
		*mask |= BIT(i);
	}
	kfree(buf);
	return err;
}

/* ADDR[/LEN] of @family into @addr and @plen. */
static int sks_p_parse_addr(const char *what, const char *arg, u8 family,
			    u8 *addr, u8 *plen)
{
	unsigned int max = family == AF_INET ? 32 : 128;
	const char *end;
	int ok;

	if (family == AF_INET)
		ok = in4_pton(arg, -1, addr, '/', &end);
	else
		ok = in6_pton(arg, -1, addr, '/', &end);
	if (!ok)
		goto bad;
	*plen = max;
	if (*end == '/') {
		if (kstrtou8(end + 1, 10, plen) || *plen > max)
			goto bad;
	} else if (*end) {
		goto bad;
	}
	return 0;
bad:
	pr_err("%s: '%s' is not an IPv%u ADDR[/LEN]\n", what, arg,
	       family == AF_INET ? 4 : 6);
	return -EINVAL;
}

static int sks_p_config(struct sks_config *cfg)
{
	struct sks_filter *f = &cfg->filter;
	int err;

	sks_config_default(cfg);
	if (sks_p_mode) {
		if (!strcmp(sks_p_mode, "summary")) {
			cfg->mode = SKBSTAMP_MODE_SUMMARY;
		} else if (strcmp(sks_p_mode, "records")) {
			pr_err("mode: records or summary, not '%s'\n", sks_p_mode);
			return -EINVAL;
		}
	}
	if (sks_p_stages) {
		err = sks_p_parse_stages(sks_p_stages, &cfg->stages);
		if (err)
			return err;
	}
	if (sks_p_buffer)
		cfg->buffer = sks_p_buffer;
	f->sample = sks_p_sample;
	f->acks = sks_p_acks;
	if (sks_p_pid) {
		f->fields |= SKS_F_PID;
		f->pid = sks_p_pid;
	}
	if (sks_p_proto) {
		if (!strcmp(sks_p_proto, "tcp")) {
			f->proto = IPPROTO_TCP;
		} else if (!strcmp(sks_p_proto, "udp")) {
			f->proto = IPPROTO_UDP;
		} else {
			pr_err("proto: tcp or udp, not '%s'\n", sks_p_proto);
			return -EINVAL;
		}
		f->fields |= SKS_F_PROTO;
	}
	if (sks_p_family) {
		if (sks_p_family != 4 && sks_p_family != 6) {
			pr_err("family: 4 or 6, not %u\n", sks_p_family);
			return -EINVAL;
		}
		f->family = sks_p_family == 4 ? AF_INET : AF_INET6;
		f->fields |= SKS_F_FAMILY;
	}
	if (sks_p_src || sks_p_dst) {
		/* As in the tool, the address gives the family if none was. */
		if (!f->family)
			f->family = strchr(sks_p_src ? sks_p_src : sks_p_dst, ':') ?
				    AF_INET6 : AF_INET;
		f->fields |= SKS_F_FAMILY;
	}
	if (sks_p_src) {
		err = sks_p_parse_addr("src", sks_p_src, f->family, f->saddr,
				       &f->saddr_plen);
		if (err)
			return err;
		f->fields |= SKS_F_SADDR;
	}
	if (sks_p_dst) {
		err = sks_p_parse_addr("dst", sks_p_dst, f->family, f->daddr,
				       &f->daddr_plen);
		if (err)
			return err;
		f->fields |= SKS_F_DADDR;
	}
	if (sks_p_sport) {
		f->fields |= SKS_F_SPORT;
		f->sport = sks_p_sport;
	}
	if (sks_p_dport) {
		f->fields |= SKS_F_DPORT;
		f->dport = sks_p_dport;
	}
	return 0;
}

int sks_params_autostart(void)
{
	struct netlink_ext_ack extack = {};
	struct sks_config *cfg;
	int err;

	if (!sks_p_autostart)
		return 0;
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	err = sks_p_config(cfg);
	if (!err) {
		err = sks_start(cfg, &extack);
		if (err)
			pr_err("autostart: start refused (%d): %s\n", err,
			       extack._msg ? extack._msg : "no reason given");
	}
	if (!err)
		pr_info("autostart: tracing in %s mode\n",
			cfg->mode == SKBSTAMP_MODE_SUMMARY ? "summary" : "records");
	kfree(cfg);
	return err;
}
