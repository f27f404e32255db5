/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * skbstamp: per-stage packet timestamps for unmodified applications.
 *
 * The module is driven over the generic netlink family SKBSTAMP_GENL_NAME.
 * Every command needs CAP_NET_ADMIN in the initial user namespace, and so
 * does joining the SKBSTAMP_MCGRP_RECORDS multicast group: records reveal
 * other users' traffic.
 *
 * Commands (userspace -> kernel, doit unless noted):
 *
 *   SKBSTAMP_CMD_GET      reply: VERSION, KERNEL, STATE
 *
 * This header is append-only: values never change meaning or number, new
 * commands, attributes and enum values are only ever added before the
 * __*_MAX sentinels.  Unknown attributes and commands are rejected by the
 * kernel with an extended ack message, so a newer tool talking to an older
 * module fails loudly instead of being silently ignored.
 */
#ifndef _UAPI_LINUX_SKBSTAMP_H
#define _UAPI_LINUX_SKBSTAMP_H

#include <linux/types.h>

#define SKBSTAMP_GENL_NAME	"skbstamp"
#define SKBSTAMP_GENL_VERSION	1

/* Multicast group carrying batches of records (records mode). */
#define SKBSTAMP_MCGRP_RECORDS	"records"

enum skbstamp_cmd {
	SKBSTAMP_CMD_UNSPEC,
	SKBSTAMP_CMD_GET,

	__SKBSTAMP_CMD_MAX,
	SKBSTAMP_CMD_MAX = __SKBSTAMP_CMD_MAX - 1
};

enum skbstamp_attr {
	SKBSTAMP_A_UNSPEC,
	SKBSTAMP_A_PAD,			/* padding for 64-bit attributes */
	SKBSTAMP_A_VERSION,		/* string: module version */
	SKBSTAMP_A_KERNEL,		/* string: release of the running kernel */
	SKBSTAMP_A_STATE,		/* u32: enum skbstamp_state */

	__SKBSTAMP_A_MAX,
	SKBSTAMP_A_MAX = __SKBSTAMP_A_MAX - 1
};

enum skbstamp_state {
	SKBSTAMP_STATE_STOPPED,
	SKBSTAMP_STATE_RUNNING,
};

/*
 * Stages of a packet's life.  Transmit stages follow SO_TIMESTAMPING's
 * generation points (see Documentation/networking/timestamping.rst);
 * receive stages follow the layers of the receive path.
 */
enum skbstamp_stage {
	SKBSTAMP_STAGE_SENDMSG,		/* entry of the send call */
	SKBSTAMP_STAGE_SCHED,		/* skb entered the qdisc layer */
	SKBSTAMP_STAGE_SW,		/* driver handed the skb to the NIC */
	SKBSTAMP_STAGE_HW,		/* NIC hardware (PHC) transmit time */
	SKBSTAMP_STAGE_ACK,		/* TCP: peer acked the skb's last byte */
	SKBSTAMP_STAGE_TXDONE,		/* driver released the skb */
	SKBSTAMP_STAGE_RX_HW,		/* NIC hardware receive time */
	SKBSTAMP_STAGE_IRQ,		/* NIC queue interrupt handler ran */
	SKBSTAMP_STAGE_NAPI,		/* NAPI poll built the skb */
	SKBSTAMP_STAGE_NETIF,		/* core receive */
	SKBSTAMP_STAGE_IP,		/* ip_rcv / ipv6_rcv */
	SKBSTAMP_STAGE_L4,		/* TCP / UDP receive */
	SKBSTAMP_STAGE_SOCKQ,		/* queued to the socket */
	SKBSTAMP_STAGE_READ,		/* application copied the data out */
	SKBSTAMP_STAGE_DROP,		/* freed without delivery */

	__SKBSTAMP_STAGE_MAX,
	SKBSTAMP_STAGE_MAX = __SKBSTAMP_STAGE_MAX - 1
};

#endif /* _UAPI_LINUX_SKBSTAMP_H */
