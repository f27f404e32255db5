// SPDX-License-Identifier: GPL-2.0
/*
 * sks_testnic - test-only pairs of PTP-capable Ethernet NICs.
 *
 * Each pair sksnic<N>a <-> sksnic<N>b behaves like two real NICs connected
 * by a cable: a frame transmitted on one end is copied "onto the wire" into
 * a fresh buffer, queued on the other end's receive queue and handed to the
 * stack by that end's NAPI poll (napi_gro_receive(); with rx_list set
 * netif_receive_skb_list(), one list per poll, as drivers that batch do;
 * with rx_frags set napi_gro_frags(), the frame copied into a page of
 * the skb napi_get_frags() gives, as drivers that receive into pages do;
 * counted in rx_list_packets and rx_frags_packets).  The devices have no
 * rtnl_link_ops: like hardware they exist from module load to unload, can
 * be moved between network namespaces and return to init_net when theirs
 * goes away.
 *
 * Every pair shares one mock PTP hardware clock (/dev/ptpN): its time is
 * CLOCK_MONOTONIC_RAW plus an offset (initially 10^18 ns), settime/adjtime
 * move the offset, adjfine is accepted and ignored.  Hardware timestamping
 * is configured with SIOCSHWTSTAMP (off by default):
 *
 *  - TX (tx_type ON): for an skb with SKBTX_HW_TSTAMP the driver latches
 *    the PHC time when the frame goes on the wire, sets SKBTX_IN_PROGRESS,
 *    keeps a reference (at most 16 outstanding per device, beyond that the
 *    request is counted in tx_hwtstamp_skipped and not stamped) and reports
 *    the timestamp later, tx_delay_us after transmission, from a work item
 *    with skb_tstamp_tx(), as drivers reading a timestamp register do.
 *    skb_tx_timestamp() (the software stamp) is called for every frame,
 *    before the frame goes on the wire: as on real NICs, a frame's
 *    hardware stamp never comes before its software stamp.
 *  - RX (rx_filter ALL): the PHC time of arrival goes to
 *    skb_hwtstamps(skb)->hwtstamp: the time the frame left plus wire_ns,
 *    the cable's propagation delay (0 by default), so that a test knows
 *    the one-way delay between the two NICs' stamps exactly.
 *
 * Requests still outstanding when a device is unregistered (module unload)
 * are dropped and counted in tx_hwtstamp_flushed (and logged).  Counters:
 * ethtool -S; /sys/kernel/debug/sks_testnic/<N><a|b> shows the state of a
 * device wherever its namespace.
 *
 * Two offloads are off until ethtool -K turns them on: tx-checksumming
 * (the checksum is filled in as the frame goes on the wire) and
 * rx-gro-list (GRO's fraglist chaining, done by the stack).
 *
 * A link that pauses: frames of exactly tx_hold_len bytes (0: none) stay
 * in the NIC tx_hold_us before they go on the wire and are released
 * (counted in tx_held), others pass; a held skb keeps its socket.
 *
 * Module parameters: pairs (number of pairs created at load, default 1),
 * tx_delay_us (delay of TX timestamp completion, default 200, writable),
 * wire_ns (propagation delay in RX stamps, default 0, writable).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/net_tstamp.h>
#include <linux/netdevice.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "compat.h"

#define SKS_TN_MAX_PAIRS	64
#define SKS_TN_TX_PENDING_MAX	16
#define SKS_TN_RXQ_MAX		1024
#define SKS_TN_MAX_MTU		9000
#define SKS_TN_NAPI_WEIGHT	16
#define SKS_TN_PHC_BASE_NS	1000000000000000000LL
/* An hour: long enough for a test to hold stamps until it unloads the NIC. */
#define SKS_TN_TX_DELAY_MAX_US	3600000000U

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "Number of device pairs sksnic<N>a/b to create (default 1)");

static unsigned int wire_ns;
module_param(wire_ns, uint, 0644);
MODULE_PARM_DESC(wire_ns,
		 "Propagation delay added to RX hardware timestamps in nanoseconds (default 0)");

static unsigned int tx_delay_us = 200;
module_param(tx_delay_us, uint, 0644);
MODULE_PARM_DESC(tx_delay_us,
		 "Delay of TX hardware timestamp completion in microseconds (default 200, at most an hour)");

static unsigned int tx_hold_len;
module_param(tx_hold_len, uint, 0644);
MODULE_PARM_DESC(tx_hold_len,
		 "Hold transmitted frames of exactly this length (bytes, default 0: none) for tx_hold_us");

static unsigned int tx_hold_us = 100000;
module_param(tx_hold_us, uint, 0644);
MODULE_PARM_DESC(tx_hold_us,
		 "How long frames of tx_hold_len stay in the NIC before they go on the wire, in microseconds (default 100000, at most an hour)");

static bool rx_list;
module_param(rx_list, bool, 0644);
MODULE_PARM_DESC(rx_list,
		 "Deliver received packets with netif_receive_skb_list(), one list per NAPI poll, instead of napi_gro_receive() (default no)");

static bool rx_frags;
module_param(rx_frags, bool, 0644);
MODULE_PARM_DESC(rx_frags,
		 "Deliver received frames with napi_gro_frags(), each copied into a page, instead of napi_gro_receive() (default no)");

/* ethtool -S counters, in this order. */
enum sks_tn_estat {
	SKS_TN_TX_HWTSTAMPS,
	SKS_TN_TX_HWTSTAMP_SKIPPED,
	SKS_TN_TX_HWTSTAMP_FLUSHED,
	SKS_TN_TX_HWTSTAMP_PENDING,	/* gauge, not kept in stats[] */
	SKS_TN_RX_HWTSTAMPS,
	SKS_TN_RX_QUEUE_FULL,
	SKS_TN_RX_LIST_PACKETS,
	SKS_TN_RX_FRAGS_PACKETS,
	SKS_TN_TX_HELD,
	SKS_TN_NUM_ESTATS
};

static const char sks_tn_estat_names[SKS_TN_NUM_ESTATS][ETH_GSTRING_LEN] = {
	[SKS_TN_TX_HWTSTAMPS] = "tx_hwtstamps",
	[SKS_TN_TX_HWTSTAMP_SKIPPED] = "tx_hwtstamp_skipped",
	[SKS_TN_TX_HWTSTAMP_FLUSHED] = "tx_hwtstamp_flushed",
	[SKS_TN_TX_HWTSTAMP_PENDING] = "tx_hwtstamp_pending",
	[SKS_TN_RX_HWTSTAMPS] = "rx_hwtstamps",
	[SKS_TN_RX_QUEUE_FULL] = "rx_queue_full",
	[SKS_TN_RX_LIST_PACKETS] = "rx_list_packets",
	[SKS_TN_RX_FRAGS_PACKETS] = "rx_frags_packets",
	[SKS_TN_TX_HELD] = "tx_held",
};

/* Further counters, for ndo_get_stats64. */
enum sks_tn_stat {
	SKS_TN_TX_PACKETS = SKS_TN_NUM_ESTATS,
	SKS_TN_TX_BYTES,
	SKS_TN_TX_DROPPED,
	SKS_TN_RX_PACKETS,
	SKS_TN_RX_BYTES,
	SKS_TN_RX_DROPPED,
	SKS_TN_NUM_STATS
};

/* A TX timestamp request waiting for completion. */
struct sks_tn_txts {
	struct sk_buff *skb;
	u64 hwts_ns;		/* PHC time latched at transmission */
	u64 due_ns;		/* ktime_get_ns() at which to report it */
	bool posted;		/* handed to the "hardware" (sks_tn_txts_post()) */
};

struct sks_tn_pair;

struct sks_tn_priv {
	struct net_device *dev;
	struct net_device *peer;
	struct sks_tn_pair *pair;
	char end;			/* 'a' or 'b' */
	bool registered;

	struct napi_struct napi;
	struct sk_buff_head rxq;	/* frames "on the wire" to this end */

	int tx_type;			/* HWTSTAMP_TX_OFF/ON */
	int rx_filter;			/* HWTSTAMP_FILTER_NONE/ALL */

	spinlock_t txts_lock;		/* protects the txts_* fields */
	struct sks_tn_txts txts[SKS_TN_TX_PENDING_MAX];	/* FIFO ring */
	unsigned int txts_head;
	unsigned int txts_count;
	bool txts_stopping;
	struct delayed_work txts_work;

	struct sk_buff_head holdq;	/* frames held back (tx_hold_len) */
	struct delayed_work hold_work;

	atomic64_t stats[SKS_TN_NUM_STATS];
};

struct sks_tn_pair {
	unsigned int index;
	struct ptp_clock_info ptp_info;
	struct ptp_clock *ptp;
	atomic64_t offset_ns;		/* PHC time - CLOCK_MONOTONIC_RAW */
	struct net_device *dev[2];
};

static struct sks_tn_pair *sks_tn_pairs;
static unsigned int sks_tn_npairs;
static struct dentry *sks_tn_debugfs;

static void sks_tn_inc(struct sks_tn_priv *priv, int stat)
{
	atomic64_inc(&priv->stats[stat]);
}

static void sks_tn_add(struct sks_tn_priv *priv, int stat, u64 val)
{
	atomic64_add(val, &priv->stats[stat]);
}

static u64 sks_tn_get(struct sks_tn_priv *priv, int stat)
{
	return atomic64_read(&priv->stats[stat]);
}

/* ---- mock PTP hardware clock -------------------------------------------- */

static u64 sks_tn_phc_ns(struct sks_tn_pair *pair)
{
	return ktime_get_raw_ns() + (u64)atomic64_read(&pair->offset_ns);
}

static struct sks_tn_pair *sks_tn_ptp_pair(struct ptp_clock_info *info)
{
	return container_of(info, struct sks_tn_pair, ptp_info);
}

static int sks_tn_ptp_gettimex64(struct ptp_clock_info *info, struct timespec64 *ts,
				 struct ptp_system_timestamp *sts)
{
	struct sks_tn_pair *pair = sks_tn_ptp_pair(info);
	u64 ns;

	ptp_read_system_prets(sts);
	ns = sks_tn_phc_ns(pair);
	ptp_read_system_postts(sts);
	*ts = ns_to_timespec64((s64)ns);
	return 0;
}

static int sks_tn_ptp_gettime64(struct ptp_clock_info *info, struct timespec64 *ts)
{
	return sks_tn_ptp_gettimex64(info, ts, NULL);
}

static int sks_tn_ptp_settime64(struct ptp_clock_info *info, const struct timespec64 *ts)
{
	struct sks_tn_pair *pair = sks_tn_ptp_pair(info);

	atomic64_set(&pair->offset_ns, timespec64_to_ns(ts) - (s64)ktime_get_raw_ns());
	return 0;
}

static int sks_tn_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	atomic64_add(delta, &sks_tn_ptp_pair(info)->offset_ns);
	return 0;
}

static int sks_tn_ptp_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	return 0;	/* accepted and ignored: the mock clock runs at a fixed rate */
}

static int sks_tn_ptp_enable(struct ptp_clock_info *info, struct ptp_clock_request *rq, int on)
{
	return -EOPNOTSUPP;
}

static const struct ptp_clock_info sks_tn_ptp_template = {
	.owner		= THIS_MODULE,
	.max_adj	= 1000000,
	.adjfine	= sks_tn_ptp_adjfine,
	.adjtime	= sks_tn_ptp_adjtime,
	.gettime64	= sks_tn_ptp_gettime64,
	.gettimex64	= sks_tn_ptp_gettimex64,
	.settime64	= sks_tn_ptp_settime64,
	.enable		= sks_tn_ptp_enable,
};

/* ---- TX hardware timestamps ----------------------------------------------- */

/*
 * Take a TX timestamp request; false if none is taken (ring full, stopping).
 * Like a real driver, which sets SKBTX_IN_PROGRESS and calls
 * skb_tx_timestamp() before it hands the frame to the hardware, the
 * request waits for sks_tn_txts_post(): its stamp cannot be reported
 * before the software stamp.
 */
static bool sks_tn_txts_queue(struct sks_tn_priv *priv, struct sk_buff *skb, u64 hwts_ns)
{
	u64 delay_us = min(READ_ONCE(tx_delay_us), SKS_TN_TX_DELAY_MAX_US);
	u64 due = ktime_get_ns() + delay_us * NSEC_PER_USEC;
	struct sks_tn_txts *slot;
	unsigned long flags;

	spin_lock_irqsave(&priv->txts_lock, flags);
	if (priv->txts_stopping || priv->txts_count == SKS_TN_TX_PENDING_MAX) {
		spin_unlock_irqrestore(&priv->txts_lock, flags);
		return false;
	}
	slot = &priv->txts[(priv->txts_head + priv->txts_count) % SKS_TN_TX_PENDING_MAX];
	slot->skb = skb_get(skb);
	slot->hwts_ns = hwts_ns;
	slot->due_ns = due;
	slot->posted = false;
	priv->txts_count++;
	skb_shinfo(skb)->tx_flags |= SKBTX_IN_PROGRESS;
	spin_unlock_irqrestore(&priv->txts_lock, flags);
	return true;
}

/* The frame of the request sks_tn_txts_queue() took for @skb is on the wire. */
static void sks_tn_txts_post(struct sks_tn_priv *priv, struct sk_buff *skb)
{
	unsigned long flags;
	bool stopping;
	unsigned int i;

	spin_lock_irqsave(&priv->txts_lock, flags);
	/* Requests are posted in order: this one is the last not posted. */
	for (i = priv->txts_count; i-- > 0;) {
		struct sks_tn_txts *slot =
			&priv->txts[(priv->txts_head + i) % SKS_TN_TX_PENDING_MAX];

		if (slot->skb == skb) {
			slot->posted = true;
			break;
		}
	}
	stopping = priv->txts_stopping;
	spin_unlock_irqrestore(&priv->txts_lock, flags);
	if (!stopping)
		schedule_delayed_work(&priv->txts_work, 0);
}

/*
 * Report the timestamps that are due, in order.  Short waits are slept here
 * (jiffies are too coarse for ~100 us), long ones re-arm the delayed work.
 */
static void sks_tn_txts_work(struct work_struct *work)
{
	struct sks_tn_priv *priv = container_of(to_delayed_work(work), struct sks_tn_priv,
						txts_work);

	for (;;) {
		struct skb_shared_hwtstamps hwts;
		struct sk_buff *skb = NULL;
		unsigned long flags;
		s64 wait_ns = 0;
		u64 ts = 0;

		spin_lock_irqsave(&priv->txts_lock, flags);
		if (!priv->txts_stopping && priv->txts_count) {
			struct sks_tn_txts *slot = &priv->txts[priv->txts_head];

			wait_ns = (s64)(slot->due_ns - ktime_get_ns());
			/* Not on the wire yet: its post schedules the work. */
			if (!slot->posted) {
				wait_ns = 0;
			} else if (wait_ns <= 0) {
				skb = slot->skb;
				ts = slot->hwts_ns;
				slot->skb = NULL;
				priv->txts_head = (priv->txts_head + 1) % SKS_TN_TX_PENDING_MAX;
				priv->txts_count--;
			}
		}
		spin_unlock_irqrestore(&priv->txts_lock, flags);

		if (skb) {
			memset(&hwts, 0, sizeof(hwts));
			hwts.hwtstamp = ns_to_ktime(ts);
			skb_tstamp_tx(skb, &hwts);
			dev_kfree_skb_any(skb);
			sks_tn_inc(priv, SKS_TN_TX_HWTSTAMPS);
			continue;
		}
		if (wait_ns <= 0)
			return;		/* nothing pending, or stopping */
		if (wait_ns > 2 * (s64)jiffies_to_nsecs(1)) {
			schedule_delayed_work(&priv->txts_work,
					      usecs_to_jiffies(div_u64(wait_ns, NSEC_PER_USEC)));
			return;
		}
		usleep_range(div_u64(wait_ns, NSEC_PER_USEC) + 1,
			     div_u64(wait_ns, NSEC_PER_USEC) + 50);
	}
}

/* Stop TX timestamping for good and drop what is outstanding. */
static void sks_tn_txts_flush(struct sks_tn_priv *priv)
{
	struct sk_buff *skbs[SKS_TN_TX_PENDING_MAX];
	unsigned int i, n = 0;
	unsigned long flags;

	spin_lock_irqsave(&priv->txts_lock, flags);
	priv->txts_stopping = true;
	spin_unlock_irqrestore(&priv->txts_lock, flags);
	cancel_delayed_work_sync(&priv->txts_work);

	spin_lock_irqsave(&priv->txts_lock, flags);
	while (priv->txts_count) {
		struct sks_tn_txts *slot = &priv->txts[priv->txts_head];

		skbs[n++] = slot->skb;
		slot->skb = NULL;
		priv->txts_head = (priv->txts_head + 1) % SKS_TN_TX_PENDING_MAX;
		priv->txts_count--;
	}
	spin_unlock_irqrestore(&priv->txts_lock, flags);

	for (i = 0; i < n; i++)
		dev_kfree_skb_any(skbs[i]);
	if (n) {
		sks_tn_add(priv, SKS_TN_TX_HWTSTAMP_FLUSHED, n);
		netdev_info(priv->dev, "flushed %u pending TX hardware timestamp request(s)\n", n);
	}
}

static unsigned int sks_tn_txts_pending(struct sks_tn_priv *priv)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&priv->txts_lock, flags);
	n = priv->txts_count;
	spin_unlock_irqrestore(&priv->txts_lock, flags);
	return n;
}

/* ---- data path ------------------------------------------------------------ */

/* Put a copy of skb on the wire to the peer, arriving at PHC time phc_ns. */
static void sks_tn_wire(struct sks_tn_priv *priv, struct sk_buff *skb, u64 phc_ns)
{
	struct sks_tn_priv *ppriv = netdev_priv(priv->peer);
	unsigned int len = skb->len;
	struct sk_buff *nskb;

	if (!netif_running(priv->peer)) {
		sks_tn_inc(priv, SKS_TN_TX_DROPPED);
		return;
	}
	if (skb_queue_len(&ppriv->rxq) >= SKS_TN_RXQ_MAX) {
		sks_tn_inc(ppriv, SKS_TN_RX_QUEUE_FULL);
		sks_tn_inc(ppriv, SKS_TN_RX_DROPPED);
		return;
	}
	nskb = netdev_alloc_skb_ip_align(priv->peer, len);
	if (!nskb || skb_copy_bits(skb, 0, skb_put(nskb, len), len)) {
		kfree_skb(nskb);
		sks_tn_inc(ppriv, SKS_TN_RX_DROPPED);
		return;
	}
	if (READ_ONCE(ppriv->rx_filter) != HWTSTAMP_FILTER_NONE)
		skb_hwtstamps(nskb)->hwtstamp =
			ns_to_ktime(phc_ns + READ_ONCE(wire_ns));

	sks_tn_inc(priv, SKS_TN_TX_PACKETS);
	sks_tn_add(priv, SKS_TN_TX_BYTES, len);
	skb_queue_tail(&ppriv->rxq, nskb);
	napi_schedule(&ppriv->napi);
}

/* What a held frame keeps in its control block, which is the driver's. */
struct sks_tn_hold_cb {
	u64 due_ns;
	bool hwts;
};

static struct sks_tn_hold_cb *sks_tn_hold_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct sks_tn_hold_cb) > sizeof(skb->cb));
	return (struct sks_tn_hold_cb *)skb->cb;
}

/*
 * Hold @skb back if it is tx_hold_len long, as a NIC whose link is paused
 * holds its ring: the frame goes on the wire, and the skb is released
 * (its TX completion), tx_hold_us later, in order, while frames of other
 * lengths pass.  It keeps its socket, so TCP sees it still in the host.
 * Its software stamp was taken when the driver got it; its hardware stamp
 * request (@hwts) is reported once it is on the wire.
 */
static bool sks_tn_hold(struct sks_tn_priv *priv, struct sk_buff *skb, bool hwts)
{
	unsigned int len = READ_ONCE(tx_hold_len);
	u64 us = min(READ_ONCE(tx_hold_us), SKS_TN_TX_DELAY_MAX_US);

	if (!len || skb->len != len)
		return false;
	sks_tn_hold_cb(skb)->due_ns = ktime_get_ns() + us * NSEC_PER_USEC;
	sks_tn_hold_cb(skb)->hwts = hwts;
	skb_queue_tail(&priv->holdq, skb);
	sks_tn_inc(priv, SKS_TN_TX_HELD);
	schedule_delayed_work(&priv->hold_work, usecs_to_jiffies(us));
	return true;
}

/* Put the held frames that are due on the wire, in order. */
static void sks_tn_hold_work(struct work_struct *work)
{
	struct sks_tn_priv *priv = container_of(to_delayed_work(work), struct sks_tn_priv,
						hold_work);
	struct sk_buff *skb;
	unsigned long flags;
	s64 wait_ns;

	for (;;) {
		spin_lock_irqsave(&priv->holdq.lock, flags);
		skb = skb_peek(&priv->holdq);
		wait_ns = skb ? (s64)(sks_tn_hold_cb(skb)->due_ns - ktime_get_ns()) : 0;
		if (skb && wait_ns <= 0)
			__skb_unlink(skb, &priv->holdq);
		spin_unlock_irqrestore(&priv->holdq.lock, flags);
		if (!skb)
			return;
		if (wait_ns > 0) {
			wait_ns = div_u64(wait_ns, NSEC_PER_USEC);
			schedule_delayed_work(&priv->hold_work, usecs_to_jiffies(wait_ns) + 1);
			return;
		}
		/* As from the transmit path: the peer's poll runs in softirq. */
		local_bh_disable();
		sks_tn_wire(priv, skb, sks_tn_phc_ns(priv->pair));
		local_bh_enable();
		if (sks_tn_hold_cb(skb)->hwts)
			sks_tn_txts_post(priv, skb);
		dev_consume_skb_any(skb);
	}
}

/* The device stops: held frames never go on the wire. */
static void sks_tn_hold_flush(struct sks_tn_priv *priv)
{
	cancel_delayed_work_sync(&priv->hold_work);
	skb_queue_purge(&priv->holdq);
}

static netdev_tx_t sks_tn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct sks_tn_priv *priv = netdev_priv(dev);
	u64 now = sks_tn_phc_ns(priv->pair);
	bool hwts = false;

	if (unlikely(skb_shinfo(skb)->tx_flags & SKBTX_HW_TSTAMP) &&
	    READ_ONCE(priv->tx_type) == HWTSTAMP_TX_ON) {
		hwts = sks_tn_txts_queue(priv, skb, now);
		if (!hwts)
			sks_tn_inc(priv, SKS_TN_TX_HWTSTAMP_SKIPPED);
	}
	skb_tx_timestamp(skb);

	/* Checksum offload: the NIC fills in the checksum as it sends. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		sks_tn_inc(priv, SKS_TN_TX_DROPPED);
		goto done;
	}
	if (sks_tn_hold(priv, skb, hwts))
		return NETDEV_TX_OK;
	sks_tn_wire(priv, skb, now);
done:
	if (hwts)
		sks_tn_txts_post(priv, skb);
	/* The copy is on the wire: this is the TX completion. */
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

/*
 * Hand @skb's frame over as a driver receiving into pages does: copied
 * into a page of the skb napi_get_frags() gives, its Ethernet header
 * left for napi_gro_frags() to read.  False (nothing done) if the frame
 * does not fit a page or there is no memory.
 */
static bool sks_tn_rx_frags(struct napi_struct *napi, struct sk_buff *skb)
{
	struct sk_buff *fskb;
	struct page *page;

	if (skb->len > PAGE_SIZE)
		return false;
	fskb = napi_get_frags(napi);
	if (!fskb)
		return false;
	page = dev_alloc_page();
	if (!page)
		return false;
	memcpy(page_address(page), skb->data, skb->len);
	skb_add_rx_frag(fskb, 0, page, 0, skb->len, PAGE_SIZE);
	skb_hwtstamps(fskb)->hwtstamp = skb_hwtstamps(skb)->hwtstamp;
	consume_skb(skb);
	napi_gro_frags(napi);
	return true;
}

static int sks_tn_poll(struct napi_struct *napi, int budget)
{
	struct sks_tn_priv *priv = container_of(napi, struct sks_tn_priv, napi);
	bool list = READ_ONCE(rx_list), frags = READ_ONCE(rx_frags);
	struct sk_buff *skb;
	LIST_HEAD(rx);
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&priv->rxq))) {
		sks_tn_inc(priv, SKS_TN_RX_PACKETS);
		sks_tn_add(priv, SKS_TN_RX_BYTES, skb->len);
		if (skb_hwtstamps(skb)->hwtstamp)
			sks_tn_inc(priv, SKS_TN_RX_HWTSTAMPS);
		done++;
		if (frags && sks_tn_rx_frags(napi, skb)) {
			sks_tn_inc(priv, SKS_TN_RX_FRAGS_PACKETS);
			continue;
		}
		skb->protocol = eth_type_trans(skb, priv->dev);
		if (list) {
			list_add_tail(&skb->list, &rx);
			sks_tn_inc(priv, SKS_TN_RX_LIST_PACKETS);
		} else {
			napi_gro_receive(napi, skb);
		}
	}
	if (!list_empty(&rx))
		netif_receive_skb_list(&rx);
	if (done < budget && napi_complete_done(napi, done) &&
	    !skb_queue_empty_lockless(&priv->rxq))
		napi_schedule(napi);
	return done;
}

/* ---- net_device_ops ------------------------------------------------------- */

static int sks_tn_open(struct net_device *dev)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	skb_queue_purge(&priv->rxq);
	napi_enable(&priv->napi);
	netif_start_queue(dev);
	if (netif_running(priv->peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(priv->peer);
	}
	return 0;
}

static int sks_tn_stop(struct net_device *dev)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	netif_carrier_off(dev);
	netif_carrier_off(priv->peer);
	netif_stop_queue(dev);
	napi_disable(&priv->napi);
	skb_queue_purge(&priv->rxq);
	sks_tn_hold_flush(priv);
	return 0;
}

/* Unregistering: the device is closed and no longer transmits. */
static void sks_tn_uninit(struct net_device *dev)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	sks_tn_hold_flush(priv);
	sks_tn_txts_flush(priv);
	skb_queue_purge(&priv->rxq);
}

static void sks_tn_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	s->tx_packets = sks_tn_get(priv, SKS_TN_TX_PACKETS);
	s->tx_bytes = sks_tn_get(priv, SKS_TN_TX_BYTES);
	s->tx_dropped = sks_tn_get(priv, SKS_TN_TX_DROPPED);
	s->rx_packets = sks_tn_get(priv, SKS_TN_RX_PACKETS);
	s->rx_bytes = sks_tn_get(priv, SKS_TN_RX_BYTES);
	s->rx_dropped = sks_tn_get(priv, SKS_TN_RX_DROPPED);
}

/* Validate a configuration and reduce it to what the device does. */
static int sks_tn_hwtstamp_check(int *tx_type, int *rx_filter)
{
	if (*tx_type != HWTSTAMP_TX_OFF && *tx_type != HWTSTAMP_TX_ON)
		return -ERANGE;
	if (*rx_filter < HWTSTAMP_FILTER_NONE || *rx_filter > HWTSTAMP_FILTER_NTP_ALL)
		return -ERANGE;
	if (*rx_filter != HWTSTAMP_FILTER_NONE)
		*rx_filter = HWTSTAMP_FILTER_ALL;
	return 0;
}

static void sks_tn_hwtstamp_apply(struct sks_tn_priv *priv, int tx_type, int rx_filter)
{
	WRITE_ONCE(priv->tx_type, tx_type);
	WRITE_ONCE(priv->rx_filter, rx_filter);
	netdev_dbg(priv->dev, "hwtstamp tx_type %d rx_filter %d\n", tx_type, rx_filter);
}

#ifdef SKS_TN_HAVE_NDO_HWTSTAMP
static int sks_tn_hwtstamp_get(struct net_device *dev, struct kernel_hwtstamp_config *cfg)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	cfg->flags = 0;
	cfg->tx_type = READ_ONCE(priv->tx_type);
	cfg->rx_filter = READ_ONCE(priv->rx_filter);
	return 0;
}

static int sks_tn_hwtstamp_set(struct net_device *dev, struct kernel_hwtstamp_config *cfg,
			       struct netlink_ext_ack *extack)
{
	int err;

	if (cfg->flags) {
		NL_SET_ERR_MSG(extack, "hwtstamp flags not supported");
		return -EINVAL;
	}
	err = sks_tn_hwtstamp_check(&cfg->tx_type, &cfg->rx_filter);
	if (err) {
		NL_SET_ERR_MSG(extack, "hwtstamp tx_type or rx_filter not supported");
		return err;
	}
	sks_tn_hwtstamp_apply(netdev_priv(dev), cfg->tx_type, cfg->rx_filter);
	return 0;
}
#else
static int sks_tn_ioctl(struct net_device *dev, struct ifreq *ifr, int cmd)
{
	struct sks_tn_priv *priv = netdev_priv(dev);
	struct hwtstamp_config cfg;
	int err;

	switch (cmd) {
	case SIOCSHWTSTAMP:
		if (copy_from_user(&cfg, ifr->ifr_data, sizeof(cfg)))
			return -EFAULT;
		if (cfg.flags)
			return -EINVAL;
		err = sks_tn_hwtstamp_check(&cfg.tx_type, &cfg.rx_filter);
		if (err)
			return err;
		sks_tn_hwtstamp_apply(priv, cfg.tx_type, cfg.rx_filter);
		break;
	case SIOCGHWTSTAMP:
		memset(&cfg, 0, sizeof(cfg));
		cfg.tx_type = READ_ONCE(priv->tx_type);
		cfg.rx_filter = READ_ONCE(priv->rx_filter);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return copy_to_user(ifr->ifr_data, &cfg, sizeof(cfg)) ? -EFAULT : 0;
}
#endif

static const struct net_device_ops sks_tn_netdev_ops = {
	.ndo_uninit		= sks_tn_uninit,
	.ndo_open		= sks_tn_open,
	.ndo_stop		= sks_tn_stop,
	.ndo_start_xmit		= sks_tn_xmit,
	.ndo_get_stats64	= sks_tn_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
#ifdef SKS_TN_HAVE_NDO_HWTSTAMP
	.ndo_hwtstamp_get	= sks_tn_hwtstamp_get,
	.ndo_hwtstamp_set	= sks_tn_hwtstamp_set,
#else
	.ndo_eth_ioctl		= sks_tn_ioctl,
#endif
};

/* ---- ethtool -------------------------------------------------------------- */

static void sks_tn_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	snprintf(info->bus_info, sizeof(info->bus_info), "pair%u%c",
		 priv->pair->index, priv->end);
}

static int sks_tn_get_ts_info(struct net_device *dev, struct sks_tn_ts_info *info)
{
	struct sks_tn_priv *priv = netdev_priv(dev);

	info->so_timestamping = SOF_TIMESTAMPING_TX_HARDWARE |
				SOF_TIMESTAMPING_RX_HARDWARE |
				SOF_TIMESTAMPING_RAW_HARDWARE |
				SOF_TIMESTAMPING_TX_SOFTWARE |
				SOF_TIMESTAMPING_RX_SOFTWARE |
				SOF_TIMESTAMPING_SOFTWARE;
	info->phc_index = ptp_clock_index(priv->pair->ptp);
	info->tx_types = BIT(HWTSTAMP_TX_OFF) | BIT(HWTSTAMP_TX_ON);
	info->rx_filters = BIT(HWTSTAMP_FILTER_NONE) | BIT(HWTSTAMP_FILTER_ALL);
	return 0;
}

static int sks_tn_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? SKS_TN_NUM_ESTATS : -EOPNOTSUPP;
}

static void sks_tn_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, sks_tn_estat_names, sizeof(sks_tn_estat_names));
}

static void sks_tn_get_ethtool_stats(struct net_device *dev, struct ethtool_stats *stats,
				     u64 *data)
{
	struct sks_tn_priv *priv = netdev_priv(dev);
	int i;

	for (i = 0; i < SKS_TN_NUM_ESTATS; i++)
		data[i] = sks_tn_get(priv, i);
	data[SKS_TN_TX_HWTSTAMP_PENDING] = sks_tn_txts_pending(priv);
}

static const struct ethtool_ops sks_tn_ethtool_ops = {
	.get_drvinfo		= sks_tn_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_ts_info		= sks_tn_get_ts_info,
	.get_sset_count		= sks_tn_get_sset_count,
	.get_strings		= sks_tn_get_strings,
	.get_ethtool_stats	= sks_tn_get_ethtool_stats,
};

/* ---- debugfs -------------------------------------------------------------- */

static int sks_tn_debugfs_show(struct seq_file *m, void *v)
{
	struct sks_tn_priv *priv = m->private;

	seq_printf(m, "phc_index %d\n", ptp_clock_index(priv->pair->ptp));
	seq_printf(m, "tx_type %d\nrx_filter %d\n",
		   READ_ONCE(priv->tx_type), READ_ONCE(priv->rx_filter));
	seq_printf(m, "tx_hwtstamp_pending %u\n", sks_tn_txts_pending(priv));
	seq_printf(m, "tx_hwtstamps %llu\n", sks_tn_get(priv, SKS_TN_TX_HWTSTAMPS));
	seq_printf(m, "tx_hwtstamp_skipped %llu\n",
		   sks_tn_get(priv, SKS_TN_TX_HWTSTAMP_SKIPPED));
	seq_printf(m, "tx_hwtstamp_flushed %llu\n",
		   sks_tn_get(priv, SKS_TN_TX_HWTSTAMP_FLUSHED));
	seq_printf(m, "rx_hwtstamps %llu\n", sks_tn_get(priv, SKS_TN_RX_HWTSTAMPS));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sks_tn_debugfs);

/* ---- setup and teardown --------------------------------------------------- */

static void sks_tn_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &sks_tn_netdev_ops;
	dev->ethtool_ops = &sks_tn_ethtool_ops;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/*
	 * Off until turned on with ethtool -K: GRO's fraglist merging
	 * (rx-gro-list), and checksum offload (tx-checksumming), which UDP
	 * needs to send UDP_SEGMENT datagrams (software GSO then cuts them
	 * into frames that reach the wire in one go).
	 */
	dev->hw_features |= NETIF_F_GRO_FRAGLIST | NETIF_F_HW_CSUM;
	dev->max_mtu = SKS_TN_MAX_MTU;
	eth_hw_addr_random(dev);
}

static void sks_tn_priv_init(struct sks_tn_pair *pair, int i)
{
	struct net_device *dev = pair->dev[i];
	struct sks_tn_priv *priv = netdev_priv(dev);

	priv->dev = dev;
	priv->peer = pair->dev[!i];
	priv->pair = pair;
	priv->end = 'a' + i;
	priv->tx_type = HWTSTAMP_TX_OFF;
	priv->rx_filter = HWTSTAMP_FILTER_NONE;
	skb_queue_head_init(&priv->rxq);
	spin_lock_init(&priv->txts_lock);
	INIT_DELAYED_WORK(&priv->txts_work, sks_tn_txts_work);
	skb_queue_head_init(&priv->holdq);
	INIT_DELAYED_WORK(&priv->hold_work, sks_tn_hold_work);
	sks_tn_napi_add(dev, &priv->napi, sks_tn_poll, SKS_TN_NAPI_WEIGHT);
	netif_carrier_off(dev);
}

/* Unregister the devices of pairs [0, n) in one batch and free everything. */
static void sks_tn_destroy(unsigned int n)
{
	LIST_HEAD(list);
	unsigned int p;
	int i;

	debugfs_remove_recursive(sks_tn_debugfs);
	sks_tn_debugfs = NULL;

	rtnl_lock();
	for (p = 0; p < n; p++)
		for (i = 0; i < 2; i++) {
			struct net_device *dev = sks_tn_pairs[p].dev[i];

			if (dev && ((struct sks_tn_priv *)netdev_priv(dev))->registered)
				unregister_netdevice_queue(dev, &list);
		}
	unregister_netdevice_many(&list);
	rtnl_unlock();

	for (p = 0; p < n; p++) {
		struct sks_tn_pair *pair = &sks_tn_pairs[p];

		for (i = 0; i < 2; i++) {
			struct sks_tn_priv *priv;

			if (!pair->dev[i])
				continue;
			/* Nothing transmits any more: drop what the peer sent last. */
			priv = netdev_priv(pair->dev[i]);
			if (priv->dev)
				skb_queue_purge(&priv->rxq);
		}
		for (i = 0; i < 2; i++)
			if (pair->dev[i])
				free_netdev(pair->dev[i]);
		if (!IS_ERR_OR_NULL(pair->ptp))
			ptp_clock_unregister(pair->ptp);
	}
	kfree(sks_tn_pairs);
	sks_tn_pairs = NULL;
}

static int sks_tn_pair_create(struct sks_tn_pair *pair, unsigned int index)
{
	char name[IFNAMSIZ];
	int i, err;

	pair->index = index;
	atomic64_set(&pair->offset_ns, SKS_TN_PHC_BASE_NS);
	pair->ptp_info = sks_tn_ptp_template;
	snprintf(pair->ptp_info.name, sizeof(pair->ptp_info.name), "sksnic%u", index);
	pair->ptp = ptp_clock_register(&pair->ptp_info, NULL);
	if (IS_ERR_OR_NULL(pair->ptp))
		return pair->ptp ? PTR_ERR(pair->ptp) : -EOPNOTSUPP;

	for (i = 0; i < 2; i++) {
		if (snprintf(name, sizeof(name), "sksnic%u%c", index, 'a' + i) >= sizeof(name))
			return -EINVAL;
		pair->dev[i] = alloc_netdev(sizeof(struct sks_tn_priv), name, NET_NAME_ENUM,
					    sks_tn_setup);
		if (!pair->dev[i])
			return -ENOMEM;
	}
	for (i = 0; i < 2; i++)
		sks_tn_priv_init(pair, i);

	for (i = 0; i < 2; i++) {
		struct sks_tn_priv *priv = netdev_priv(pair->dev[i]);

		err = register_netdev(pair->dev[i]);
		if (err)
			return err;
		priv->registered = true;
		snprintf(name, sizeof(name), "%u%c", index, priv->end);
		debugfs_create_file(name, 0444, sks_tn_debugfs, priv, &sks_tn_debugfs_fops);
	}
	return 0;
}

static int __init sks_tn_init(void)
{
	unsigned int p;
	int err;

	if (!pairs || pairs > SKS_TN_MAX_PAIRS) {
		pr_err("pairs must be 1..%u\n", SKS_TN_MAX_PAIRS);
		return -EINVAL;
	}
	sks_tn_pairs = kcalloc(pairs, sizeof(*sks_tn_pairs), GFP_KERNEL);
	if (!sks_tn_pairs)
		return -ENOMEM;
	sks_tn_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);

	for (p = 0; p < pairs; p++) {
		err = sks_tn_pair_create(&sks_tn_pairs[p], p);
		if (err) {
			pr_err("creating pair %u failed: %d\n", p, err);
			sks_tn_destroy(p + 1);
			return err;
		}
	}
	sks_tn_npairs = pairs;
	pr_info("%u pair(s) sksnic0a/b..sksnic%ua/b\n", pairs, pairs - 1);
	return 0;
}

static void __exit sks_tn_exit(void)
{
	sks_tn_destroy(sks_tn_npairs);
}

module_init(sks_tn_init);
module_exit(sks_tn_exit);

MODULE_DESCRIPTION("skbstamp test NIC pairs with a mock PTP hardware clock");
MODULE_LICENSE("GPL");
