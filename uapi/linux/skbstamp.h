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
 *   SKBSTAMP_CMD_GET      reply: VERSION, KERNEL, STATE, STAGES_AVAIL,
 *                         and while running CONFIG and COUNTERS
 *   SKBSTAMP_CMD_START    attrs: CONFIG (optional; defaults apply).
 *                         Allocates the per-CPU buffers and registers the
 *                         hooks the configured stages need.  EBUSY if
 *                         already running.
 *   SKBSTAMP_CMD_STOP     unregisters every hook, delivers what is still
 *                         buffered, frees the buffers.  EALREADY if stopped.
 *   SKBSTAMP_CMD_RECORDS  kernel -> user on group "records": a batch of
 *                         records from one CPU: CPU, SEQ, RECORD_SIZE,
 *                         RECORDS.  SEQ counts the batches of that CPU from
 *                         1 at START, so a listener sees any lost batch.
 *
 * Records are an array of struct skbstamp_record in one binary attribute;
 * RECORD_SIZE gives the size the module uses, so a tool built against an
 * older header, whose struct is a prefix of the module's, still reads them.
 *
 * Nothing is lost silently: at any moment
 *   generated = delivered + dropped_full + dropped_send + buffered
 * where buffered is what sits in the per-CPU buffers, and it is 0 after
 * STOP.
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
	SKBSTAMP_CMD_START,
	SKBSTAMP_CMD_STOP,
	SKBSTAMP_CMD_RECORDS,

	__SKBSTAMP_CMD_MAX,
	SKBSTAMP_CMD_MAX = __SKBSTAMP_CMD_MAX - 1
};

enum skbstamp_attr {
	SKBSTAMP_A_UNSPEC,
	SKBSTAMP_A_PAD,			/* padding for 64-bit attributes */
	SKBSTAMP_A_VERSION,		/* string: module version */
	SKBSTAMP_A_KERNEL,		/* string: release of the running kernel */
	SKBSTAMP_A_STATE,		/* u32: enum skbstamp_state */
	SKBSTAMP_A_STAGES_AVAIL,	/* u32: BIT(enum skbstamp_stage) of the
					 * stages whose hooks were found on this
					 * kernel
					 */
	SKBSTAMP_A_CONFIG,		/* nest: SKBSTAMP_CFG_* */
	SKBSTAMP_A_COUNTERS,		/* nest: SKBSTAMP_CNT_* */
	SKBSTAMP_A_CPU,			/* u32: CPU a batch of records is from */
	SKBSTAMP_A_SEQ,			/* u64: batch sequence number of that CPU */
	SKBSTAMP_A_RECORD_SIZE,		/* u32: sizeof(struct skbstamp_record) */
	SKBSTAMP_A_RECORDS,		/* binary: struct skbstamp_record[] */

	__SKBSTAMP_A_MAX,
	SKBSTAMP_A_MAX = __SKBSTAMP_A_MAX - 1
};

/* Attributes of SKBSTAMP_A_CONFIG. */
enum skbstamp_cfg {
	SKBSTAMP_CFG_UNSPEC,
	SKBSTAMP_CFG_STAGES,		/* u32: BIT(enum skbstamp_stage) to
					 * trace; default: all available
					 */
	SKBSTAMP_CFG_BUFFER,		/* u32: records per CPU buffer,
					 * 64 .. 1048576, rounded up to a power
					 * of two; default 4096
					 */
	/*
	 * Filters: a packet is traced only if it matches all that are
	 * given.  They are applied before an skb is tagged, so packets that
	 * do not match are never touched.
	 */
	SKBSTAMP_CFG_PID,		/* u32: thread group of the sender */
	SKBSTAMP_CFG_CGROUP,		/* u64: cgroup v2 id; the socket's
					 * cgroup or one of its ancestors
					 */
	SKBSTAMP_CFG_NETNS,		/* u32: inode number of the socket's
					 * network namespace
					 */
	SKBSTAMP_CFG_PROTO,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	SKBSTAMP_CFG_FAMILY,		/* u8: AF_INET or AF_INET6; required
					 * with SADDR or DADDR
					 */
	SKBSTAMP_CFG_SADDR,		/* binary, 16 bytes: local address
					 * (IPv4: the first 4 bytes)
					 */
	SKBSTAMP_CFG_SADDR_PLEN,	/* u8: prefix length of SADDR */
	SKBSTAMP_CFG_DADDR,		/* binary, 16 bytes: remote address */
	SKBSTAMP_CFG_DADDR_PLEN,	/* u8: prefix length of DADDR */
	SKBSTAMP_CFG_SPORT,		/* u16: local port, host byte order */
	SKBSTAMP_CFG_DPORT,		/* u16: remote port, host byte order */
	SKBSTAMP_CFG_IFINDEX,		/* u32: output device */
	SKBSTAMP_CFG_SAMPLE,		/* u32: trace one send call in N
					 * (0 and 1: every call)
					 */
	SKBSTAMP_CFG_PAD,		/* padding for 64-bit attributes */

	__SKBSTAMP_CFG_MAX,
	SKBSTAMP_CFG_MAX = __SKBSTAMP_CFG_MAX - 1
};

/* Attributes of SKBSTAMP_A_COUNTERS; all u64, totals since START. */
enum skbstamp_cnt {
	SKBSTAMP_CNT_UNSPEC,
	SKBSTAMP_CNT_PAD,
	SKBSTAMP_CNT_GENERATED,		/* records produced by the hooks */
	SKBSTAMP_CNT_DELIVERED,		/* records handed to netlink */
	SKBSTAMP_CNT_DROPPED_FULL,	/* lost: per-CPU buffer was full */
	SKBSTAMP_CNT_DROPPED_SEND,	/* lost: no listener, or netlink could
					 * not allocate or queue the batch
					 */
	SKBSTAMP_CNT_BUFFERED,		/* waiting in the per-CPU buffers */
	SKBSTAMP_CNT_TAGS_ABANDONED,	/* skbs tagged before STOP whose last
					 * stage had not come when STOP gave
					 * up waiting (dropped, or a stalled
					 * connection)
					 */

	__SKBSTAMP_CNT_MAX,
	SKBSTAMP_CNT_MAX = __SKBSTAMP_CNT_MAX - 1
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

/* skbstamp_record.flags */
#define SKBSTAMP_RF_RETRANS	0x01	/* TCP retransmission */

/*
 * One timestamp of one packet at one stage.  Addresses and ports are in
 * network byte order; an IPv4 address fills the first 4 bytes of saddr and
 * daddr.  New fields are only ever appended.
 */
struct skbstamp_record {
	__u64	ts_ns;		/* CLOCK_MONOTONIC when the stage happened */
	__u64	hw_ns;		/* raw PHC time for hw/rx_hw, else 0 */
	__u64	cookie;		/* socket cookie (SO_COOKIE), 0 if none */
	__u64	id;		/* receive: tracking id of the packet */
	__u32	tskey;		/* TCP: sequence number of the last byte;
				 * UDP: the module's datagram counter of the
				 * socket.  sendmsg: the first key of the call
				 */
	__u32	len;		/* payload bytes the stage covers */
	__u32	pid;		/* thread group id of the sender, if known */
	__s32	ifindex;	/* device, 0 if not known yet */
	__u32	drop_reason;	/* drop: enum skb_drop_reason, if known */
	__u16	cpu;		/* CPU the stage happened on */
	__u8	stage;		/* enum skbstamp_stage */
	__u8	proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8	family;		/* AF_INET or AF_INET6 */
	__u8	flags;		/* SKBSTAMP_RF_* */
	__be16	sport;
	__be16	dport;
	__u8	pad[2];
	__u8	saddr[16];
	__u8	daddr[16];
	char	comm[16];	/* task that sent, if known */
};

#endif /* _UAPI_LINUX_SKBSTAMP_H */
