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
 *                         user -> kernel as a dump request (drain "dump"):
 *                         the reply is batches of the same form, taken
 *                         from the per-CPU buffers, which the collector
 *                         thereby drains at its own pace (records wait in
 *                         the buffers until it asks; only a full buffer
 *                         loses any, counted as dropped_full).  At STOP
 *                         what is left is multicast as usual.
 *   SKBSTAMP_CMD_SET      attrs: CONFIG.  While running, replaces the
 *                         filters, sampling and stages by those given
 *                         (absent means none/default, as for START), in
 *                         one atomic swap: a hook sees either the old
 *                         configuration or the new one.  MODE, BUFFER and
 *                         DRAIN cannot change while running (EINVAL unless
 *                         equal), nor can a stage whose hooks START did
 *                         not register (EOPNOTSUPP).  EALREADY if stopped.
 *   SKBSTAMP_CMD_STATS    dump: one message per possible CPU with CPU and
 *                         COUNTERS for that CPU (current or last run).
 *   SKBSTAMP_CMD_HIST     dump: one message per summary histogram that has
 *                         samples, with a HIST nest (current or last run).
 *   SKBSTAMP_CMD_RESET    clears the summary histograms (a fresh set is
 *                         swapped in).  Record counters are not reset:
 *                         they must balance, and restart at START.
 *
 * Modes (SKBSTAMP_CFG_MODE):
 *   records   every stage of every traced packet is a record, delivered
 *             over the records group (or drained by dump requests).
 *   summary   no records leave the kernel: each stage closes one or more
 *             stage pairs of its packet (enum skbstamp_pair), whose latency
 *             goes into a per-CPU log-linear histogram per pair and
 *             protocol, read with HIST.  The cheapest always-on mode.
 *
 * Histogram buckets (SKBSTAMP_HIST_BUCKETS, u64 counts, index i): values
 * below 2^SKBSTAMP_BUCKET_SUB_BITS nanoseconds have a bucket each; above,
 * every power of two is split into 2^SKBSTAMP_BUCKET_SUB_BITS equal buckets,
 * so a bucket is at most 1/8 of its lower bound wide and its midpoint is
 * within 6.25% of any value in it.  skbstamp_bucket_lower() gives a bucket's
 * lower bound; the next bucket's is its upper bound (exclusive).  The last
 * bucket also counts every larger value.
 *
 * Records are an array of struct skbstamp_record in one binary attribute;
 * RECORD_SIZE gives the size the module uses, so a tool built against an
 * older header, whose struct is a prefix of the module's, still reads them.
 *
 * Nothing is lost silently:
 *   generated = delivered + dropped_full + dropped_send + buffered
 *               + summarized
 * where buffered is what sits in the per-CPU buffers, and it is 0 after
 * STOP.  After STOP this holds exactly.  While running, a snapshot is
 * consistent with the buffers' delivery (taken under the same lock), but a
 * hook writing a record on another CPU at that instant may already count
 * it as generated and not yet as buffered: at most one record per CPU.
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
	SKBSTAMP_CMD_SET,
	SKBSTAMP_CMD_STATS,
	SKBSTAMP_CMD_HIST,
	SKBSTAMP_CMD_RESET,

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
	SKBSTAMP_A_HIST,		/* nest: SKBSTAMP_HIST_* */

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
	SKBSTAMP_CFG_MODE,		/* u32: enum skbstamp_mode; default
					 * records
					 */
	SKBSTAMP_CFG_DRAIN,		/* u32: enum skbstamp_drain; default
					 * multicast
					 */
	SKBSTAMP_CFG_ACKS,		/* flag: trace received TCP segments
					 * without data (pure ACKs) too
					 */

	__SKBSTAMP_CFG_MAX,
	SKBSTAMP_CFG_MAX = __SKBSTAMP_CFG_MAX - 1
};

/* Attributes of SKBSTAMP_A_COUNTERS; all u64, totals since START. */
enum skbstamp_cnt {
	SKBSTAMP_CNT_UNSPEC,
	SKBSTAMP_CNT_PAD,
	SKBSTAMP_CNT_GENERATED,		/* records produced by the hooks */
	SKBSTAMP_CNT_DELIVERED,		/* records queued to at least one
					 * listener's socket (multicast) or
					 * copied into a dump reply; with
					 * several listeners, one whose socket
					 * overflowed sees the gap in SEQ
					 */
	SKBSTAMP_CNT_DROPPED_FULL,	/* lost: per-CPU buffer was full */
	SKBSTAMP_CNT_DROPPED_SEND,	/* lost: no listener took the batch
					 * (none, or every socket full), or
					 * netlink could not allocate it; also
					 * counted when a listener that set
					 * NETLINK_BROADCAST_ERROR overflowed,
					 * as netlink then reports failure
					 */
	SKBSTAMP_CNT_BUFFERED,		/* waiting in the per-CPU buffers */
	SKBSTAMP_CNT_TAGS_ABANDONED,	/* skbs tagged before STOP whose last
					 * stage had not come when STOP gave
					 * up waiting (dropped, or a stalled
					 * connection)
					 */
	SKBSTAMP_CNT_SUMMARIZED,	/* summary mode: stage events folded
					 * into histograms instead of records;
					 * generated = delivered + dropped_full
					 * + dropped_send + buffered + summarized
					 */
	SKBSTAMP_CNT_RX_EVICTED,	/* received packets whose tracking
					 * entry was reused before their last
					 * stage: table bucket full, older than
					 * SKBSTAMP_RX_MAX_AGE_S, or its skb
					 * freed unseen; their later stages are
					 * not recorded
					 */
	SKBSTAMP_CNT_RX_TRACKED,	/* received packets being tracked */
	/*
	 * Occupancy and reuse of the transmit tables, which are fixed-size.
	 * While running, the entries in use; after STOP, what the table held
	 * when STOP freed it.
	 */
	SKBSTAMP_CNT_TAGS_PENDING,	/* tagged skbs whose last stage has not
					 * come yet (after STOP: as many as
					 * TAGS_ABANDONED)
					 */
	SKBSTAMP_CNT_TAGS_EVICTED,	/* tagged skbs whose entry was reused
					 * (table bucket full) before their
					 * last stage: their later stages are
					 * not recorded
					 */
	SKBSTAMP_CNT_SOCKS_TRACKED,	/* traced sockets the module keeps
					 * state for (sender, UDP key); an
					 * entry ends when its socket is freed
					 */
	SKBSTAMP_CNT_SOCKS_EVICTED,	/* entries of live sockets reused
					 * (table bucket full): a socket's UDP
					 * keys restart from 0 after that
					 */

	__SKBSTAMP_CNT_MAX,
	SKBSTAMP_CNT_MAX = __SKBSTAMP_CNT_MAX - 1
};

/* Attributes of SKBSTAMP_A_HIST: one histogram of the summary mode. */
enum skbstamp_hist {
	SKBSTAMP_HIST_UNSPEC,
	SKBSTAMP_HIST_PAD,
	SKBSTAMP_HIST_PAIR,		/* u32: enum skbstamp_pair */
	SKBSTAMP_HIST_FROM,		/* u32: enum skbstamp_stage it starts */
	SKBSTAMP_HIST_TO,		/* u32: enum skbstamp_stage it ends */
	SKBSTAMP_HIST_PROTO,		/* u8: IPPROTO_TCP or IPPROTO_UDP */
	SKBSTAMP_HIST_COUNT,		/* u64: samples */
	SKBSTAMP_HIST_SUM_NS,		/* u64: sum of the samples */
	SKBSTAMP_HIST_MAX_NS,		/* u64: largest sample */
	SKBSTAMP_HIST_SUB_BITS,		/* u32: SKBSTAMP_BUCKET_SUB_BITS */
	SKBSTAMP_HIST_BUCKETS,		/* binary: __u64 counts of buckets 0 ..
					 * the last non-empty one
					 */

	__SKBSTAMP_HIST_MAX,
	SKBSTAMP_HIST_MAX = __SKBSTAMP_HIST_MAX - 1
};

enum skbstamp_state {
	SKBSTAMP_STATE_STOPPED,
	SKBSTAMP_STATE_RUNNING,
};

enum skbstamp_mode {
	SKBSTAMP_MODE_RECORDS,
	SKBSTAMP_MODE_SUMMARY,
};

/* How records leave the per-CPU buffers in records mode. */
enum skbstamp_drain {
	SKBSTAMP_DRAIN_MULTICAST,	/* a work item multicasts them */
	SKBSTAMP_DRAIN_DUMP,		/* a collector pulls them (CMD_RECORDS
					 * dump requests)
					 */
};

/*
 * Stage pairs whose latency summary mode measures, per packet: from the
 * first stage's time to the second's.  sendmsg pairs use the send call
 * that wrote the skb's last byte, and are not measured for
 * retransmissions.
 */
enum skbstamp_pair {
	SKBSTAMP_PAIR_SENDMSG_SCHED,
	SKBSTAMP_PAIR_SCHED_SW,
	SKBSTAMP_PAIR_SW_HW,
	SKBSTAMP_PAIR_SW_ACK,
	SKBSTAMP_PAIR_SENDMSG_SW,
	SKBSTAMP_PAIR_SENDMSG_ACK,
	SKBSTAMP_PAIR_SW_TXDONE,
	SKBSTAMP_PAIR_IRQ_NAPI,		/* receive: NAPI scheduled -> polled */
	SKBSTAMP_PAIR_NAPI_SOCKQ,	/* receive: driver -> socket queue */
	SKBSTAMP_PAIR_SOCKQ_READ,	/* receive: queued -> application read */
	SKBSTAMP_PAIR_NAPI_READ,	/* receive: driver -> application read */

	__SKBSTAMP_PAIR_MAX,
	SKBSTAMP_PAIR_MAX = __SKBSTAMP_PAIR_MAX - 1
};

#define SKBSTAMP_BUCKET_SUB_BITS	3
/* Buckets up to 2^36 ns (about 69 s); the last one takes anything larger. */
#define SKBSTAMP_NBUCKETS	((36 - SKBSTAMP_BUCKET_SUB_BITS + 1) << \
				 SKBSTAMP_BUCKET_SUB_BITS)

/* Lower bound, in ns, of histogram bucket @i. */
static inline __u64 skbstamp_bucket_lower(unsigned int i)
{
	unsigned int sub = 1u << SKBSTAMP_BUCKET_SUB_BITS;
	unsigned int shift;

	if (i < sub)
		return i;
	shift = i / sub - 1;
	return (__u64)(sub + i % sub) << shift;
}

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
	SKBSTAMP_STAGE_MERGE,		/* merged into another received packet
					 * (GRO, TCP coalescing): head_id names
					 * it, its later stages are the head's
					 */

	__SKBSTAMP_STAGE_MAX,
	SKBSTAMP_STAGE_MAX = __SKBSTAMP_STAGE_MAX - 1
};

/* skbstamp_record.flags */
#define SKBSTAMP_RF_RETRANS	0x01	/* TCP retransmission */
/*
 * A segment software GSO cut from a larger skb (the device could not do
 * TSO).  Segments have sw, hw and txdone records of their own, keyed by
 * their last byte; the skb they were cut from keeps its sched and ack
 * records (len: the whole skb), and its driver stages describe the segment
 * holding its last byte (len: that segment).  A UDP GSO (UDP_SEGMENT)
 * send is cut the same way, into datagrams: they all carry the send's key
 * and differ in offset; the first segment is the skb UDP built.
 */
#define SKBSTAMP_RF_SEGMENT	0x02
#define SKBSTAMP_RF_GRO		0x04	/* merge: by GRO, in the driver's poll */
#define SKBSTAMP_RF_COALESCED	0x08	/* merge: by TCP, at the socket queue */
/*
 * An IP fragment of a UDP datagram larger than the path MTU.  Every
 * fragment has its own sched, sw, hw and txdone records, with the
 * datagram's key; offset and len say which bytes of the datagram's
 * payload the fragment carries (the first one's include no UDP header).
 */
#define SKBSTAMP_RF_FRAGMENT	0x10

/*
 * Receive tracking entries (and so a packet's id) live at most this long:
 * a packet whose data waits longer to be read loses its later stages, and
 * that is counted as SKBSTAMP_CNT_RX_EVICTED.
 */
#define SKBSTAMP_RX_MAX_AGE_S	10

/*
 * One timestamp of one packet at one stage.  Addresses and ports are in
 * network byte order; an IPv4 address fills the first 4 bytes of saddr and
 * daddr.  New fields are only ever appended.
 */
struct skbstamp_record {
	__u64	ts_ns;		/* CLOCK_MONOTONIC when the stage happened */
	__u64	hw_ns;		/* raw PHC time for hw/rx_hw, else 0 */
	__u64	cookie;		/* socket cookie (SO_COOKIE), 0 if none */
	__u64	id;		/* receive: tracking id of the packet, from
				 * its first stage to read, drop or merge
				 */
	__u32	tskey;		/* TCP: sequence number of the last byte;
				 * UDP: the module's datagram counter of the
				 * socket (receive: 0).  sendmsg: the first
				 * key of the call
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
	char	comm[16];	/* task that sent (receive: read), if known */
	__u64	head_id;	/* merge: id of the packet it was merged into */
	__u64	location;	/* drop: kernel text address that freed it */
	__u32	offset;		/* RF_FRAGMENT, UDP RF_SEGMENT: first payload
				 * byte of the datagram this skb carries
				 */
	__u32	pad2;
};

#endif /* _UAPI_LINUX_SKBSTAMP_H */
