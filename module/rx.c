// SPDX-License-Identifier: GPL-2.0
/*
 * Receive stages.
 *
 * A received TCP or UDP packet (over IPv4 or IPv6, past any IPv6
 * extension headers, TCP only when it carries data) gets a tracking id at
 * the first receive hook it meets and keeps it to its last stage: read,
 * drop or merge.  An IP fragment is not one: the datagram IP reassembles
 * from fragments is, from l4 (the first stage that sees it whole).  The
 * state lives in rxtrack.c's table, keyed by the skb's pointer; the skb
 * itself is never written to.
 *
 *   rx_hw  skb_hwtstamps() at napi, when the NIC stamped the packet; hw_ns
 *          is the raw PHC time, ts_ns when the module saw it
 *   irq    the driver scheduled its NAPI poll (__napi_schedule, from its
 *          interrupt handler on real NICs): ts_ns is that time, so napi
 *          minus irq is the delay from interrupt to poll
 *   napi   napi_gro_receive() (gro_receive_skb() from 6.15),
 *          netif_receive_skb(), netif_receive_skb_list(), netif_rx() and
 *          __netif_rx() (6.0) or netif_rx_ni() (before), and the
 *          napi_gro_frags_entry tracepoint
 *   netif  the netif_receive_skb tracepoint (__netif_receive_skb_core)
 *   ip     ip_rcv(), ipv6_rcv(), and the list versions GRO batches use
 *   l4     tcp_v4_rcv(), tcp_v6_rcv(), udp_rcv(), udpv6_rcv()
 *   sockq  tcp_rcv_established() and tcp_rcv_state_process() (the socket
 *          queues the data, or coalesces it into its last skb),
 *          __udp_enqueue_schedule_skb()
 *   read   skb_copy_datagram_iter(), skb_copy_and_csum_datagram_msg(),
 *          skb_consume_udp(), skb_splice_bits(), tcp_recv_skb(): UDP,
 *          the datagram's copy (or the end of its recvmsg); TCP, the copy
 *          (or splice to a pipe) of the skb's last byte, or, for a reader
 *          that maps the data (TCP_ZEROCOPY_RECEIVE), TCP's freeing of
 *          the skb once the reader has taken it all
 *   drop   the kfree_skb tracepoint: location, and from 5.17 the reason;
 *          before 5.17 also TCP's __kfree_skb() of data it refuses
 *          (compat/tcp_drop.c), location the caller
 *   merge  skb_gro_receive() (flags gro), skb_try_coalesce() (flags
 *          coalesced): head_id is the id of the packet it was merged
 *          into, whose later stages carry its data.  GRO's fraglist
 *          chaining is no merge: each packet keeps its id and passes
 *          the stages its head passes (sks_rx_flist_pass())
 *
 * Records use the packet's own orientation: saddr/sport is its sender.
 * TCP's tskey is the sequence number of its last byte, as on transmit, so
 * the receiver's records of a segment match the sender's; a GRO head's
 * len and tskey grow at netif, once merged.  UDP's tskey is 0.
 *
 * Filters are applied as soon as what they test is known: flow, device
 * and network namespace at the packet's first stage (a packet that does
 * not match is never entered in the table), the socket's cgroup at sockq
 * (or read), the process at read (the one that reads it).  Until then the
 * stages passed are kept in the entry and recorded only once the packet
 * is known to match (records name the CPU each stage happened on), or
 * forgotten without a trace; a packet still undecided when it is freed
 * is forgotten.  Sampling picks one packet in N at its first stage.
 *
 * Merges are known for sure only afterwards: skb_gro_receive() and
 * skb_try_coalesce() may refuse.  So the merged skb is marked, and the
 * merge is recorded when that skb is freed (GRO's stolen heads, which
 * 5.10 frees in a static function: when napi_gro_receive() returns
 * GRO_MERGED_FREE), or, for an skb GRO chained to its head's frag_list,
 * when the head passes its next stage; if the skb shows up at a later
 * stage of its own instead, the merge did not happen.
 */
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "skbstamp.h"
#include "filter.h"
#include "hist.h"
#include "hook.h"
#include "track.h"
#include "compat/rx.h"
#include "compat/tcp_drop.h"

/* A GRO batch handed to ip_list_rcv() is at most a NAPI budget long. */
#define SKS_RX_LIST_MAX		64
/* NAPI instances scheduled on one CPU whose last schedule is kept. */
#define SKS_IRQ_SLOTS		8

struct sks_irq_slot {
	const void *napi;
	u64 ns;
};

static DEFINE_PER_CPU(struct sks_irq_slot[SKS_IRQ_SLOTS], sks_irq_slots);
static DEFINE_PER_CPU(u64, sks_rx_seq);

/*
 * This CPU's slot of @napi, or NULL; with @add, the slot to reuse for it
 * if it has none (an empty one, else the one scheduled longest ago).  A
 * slot per NAPI instance, not a hash of it: a poll that transmits (TCP
 * ACKs) schedules its peer's NAPI on the same CPU, and must not take the
 * place of the poll still running.  Interrupts off.
 */
static struct sks_irq_slot *sks_irq_slot(const void *napi, bool add)
{
	struct sks_irq_slot *s = this_cpu_ptr(sks_irq_slots), *old = s;
	unsigned int i;

	for (i = 0; i < SKS_IRQ_SLOTS; i++) {
		if (s[i].napi == napi)
			return &s[i];
		if (s[i].ns < old->ns)
			old = &s[i];
	}
	return add ? old : NULL;
}

static u16 sks_rx_bit(unsigned int stage)
{
	return BIT(stage - SKS_RX_FIRST);
}

/* Unique in a run: the CPU in the top bits, its count below. */
static u64 sks_rx_new_id(void)
{
	return (u64)smp_processor_id() << 48 | this_cpu_inc_return(sks_rx_seq);
}

/* At most this many IPv6 extension headers are skipped. */
#define SKS_RX_EXTHDR_MAX	8

/*
 * The offset of the upper-layer header of an IPv6 packet whose extension
 * headers (if any) start at @off with *@proto: past them, with its
 * protocol in *@proto.  -1 for a header out of reach and for a fragment:
 * a fragment's payload is not a whole TCP segment or UDP datagram (its
 * datagram is tracked from the layer that sees it reassembled).
 */
static int sks_rx_ipv6_l4(const struct sk_buff *skb, int off, u8 *proto)
{
	struct ipv6_opt_hdr _h;
	const struct ipv6_opt_hdr *h;
	unsigned int n;

	for (n = 0; ipv6_ext_hdr(*proto); n++) {
		if (n == SKS_RX_EXTHDR_MAX || *proto == NEXTHDR_FRAGMENT ||
		    *proto == NEXTHDR_NONE)
			return -1;
		h = skb_header_pointer(skb, off, sizeof(_h), &_h);
		if (!h)
			return -1;
		off += *proto == NEXTHDR_AUTH ? ipv6_authlen(h) : ipv6_optlen(h);
		*proto = h->nexthdr;
	}
	return off;
}

/*
 * A TCP segment without data that only acknowledges (with or without
 * FIN; not a SYN or RST), which @acks says to trace too: its key is the
 * last byte it acknowledges, the key of the sender's skb that byte ended,
 * so that the sender's ack record matches the ACK it took.
 */
static bool sks_rx_pure_ack(const struct tcphdr *th, bool acks,
			    struct sks_rx *e)
{
	if (!acks || !th->ack || th->syn || th->rst)
		return false;
	e->len = 0;
	e->tskey = ntohl(th->ack_seq) - 1;
	return true;
}

/*
 * The flow, payload length and key of @skb, whose IP header is @off bytes
 * from skb->data, into @e; false for anything not traced (pure TCP ACKs
 * unless @acks).  Only headers are read, through skb_header_pointer():
 * they may be short or in fragments.  @e->ip_len remembers the packet's
 * length as read, so that later stages read the headers again only if it
 * changed (GRO).
 */
static bool sks_rx_parse(const struct sk_buff *skb, int off, bool acks,
			 struct sks_rx *e)
{
	unsigned int plen, hl;
	int l4off;
	u8 proto;

	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_MF | IP_OFFSET)))
			return false;
		hl = iph->ihl * 4;
		plen = ntohs(iph->tot_len);
		if (plen < hl)
			return false;
		plen -= hl;
		l4off = off + hl;
		proto = iph->protocol;
		e->flow.family = AF_INET;
		memset(e->flow.saddr, 0, sizeof(e->flow.saddr));
		memset(e->flow.daddr, 0, sizeof(e->flow.daddr));
		memcpy(e->flow.saddr, &iph->saddr, 4);
		memcpy(e->flow.daddr, &iph->daddr, 4);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return false;
		proto = ip6h->nexthdr;
		l4off = sks_rx_ipv6_l4(skb, off + sizeof(*ip6h), &proto);
		if (l4off < 0)
			return false;
		hl = l4off - off - sizeof(*ip6h);	/* extension headers */
		plen = ntohs(ip6h->payload_len);
		/* BIG TCP: a GRO packet over 64 KiB has no length field. */
		if (!plen && skb->len > l4off)
			plen = skb->len - l4off;
		else if (plen >= hl)
			plen -= hl;
		else
			return false;
		e->flow.family = AF_INET6;
		memcpy(e->flow.saddr, &ip6h->saddr, 16);
		memcpy(e->flow.daddr, &ip6h->daddr, 16);
	} else {
		return false;
	}

	if (proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, l4off, sizeof(_th), &_th);
		if (!th || th->doff < 5 || plen < th->doff * 4)
			return false;
		if (plen == th->doff * 4) {
			if (!sks_rx_pure_ack(th, acks, e))
				return false;
		} else {
			e->len = plen - th->doff * 4;
			e->tskey = ntohl(th->seq) + e->len - 1;
		}
		e->flow.sport = th->source;
		e->flow.dport = th->dest;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, l4off, sizeof(_uh), &_uh);
		if (!uh || plen < sizeof(*uh))
			return false;
		e->len = plen - sizeof(*uh);
		e->tskey = 0;
		e->flow.sport = uh->source;
		e->flow.dport = uh->dest;
	} else {
		return false;
	}
	e->flow.proto = proto;
	e->ip_len = skb->len - off;
	return true;
}

/*
 * A tracked packet seen at a later stage is longer or shorter than when
 * its headers were read: a GRO head that took in more segments (or one
 * whose padding IP trimmed).  Its payload length and key are read again.
 */
static noinline void sks_rx_reparse(const struct sk_buff *skb, int off,
				    struct sks_rx *e)
{
	struct sks_rx __uninitialized now;	/* written by the parse */

	/* Tracked already: a pure ACK was let in then. */
	if (sks_rx_parse(skb, off, true, &now)) {
		e->len = now.len;
		e->tskey = now.tskey;
		e->ip_len = now.ip_len;
	}
}

/*
 * When a packet passes a layer @stage (netif, ip, l4): now, but in
 * summary mode, where no histogram pair begins or ends at the stage and
 * the time would be read by nobody, 0 and no clock read.
 */
static u64 sks_rx_layer_time(const struct sks_config *cfg, unsigned int stage)
{
	if (sks_summary(cfg) && !sks_hist_stage_timed(stage))
		return 0;
	return ktime_get_ns();
}

static void sks_rx_pass(struct sks_rx *e, unsigned int stage, u64 ts)
{
	unsigned int i = stage - SKS_RX_FIRST;

	e->ts[i] = ts;
	e->cpu[i] = smp_processor_id();
	e->passed |= sks_rx_bit(stage);
}

/*
 * Summary mode: the pairs @stage, passed at @ts, ends (a pair whose first
 * stage was not passed has no sample).
 */
static void sks_rx_summarize(const struct sks_rx *e, unsigned int stage, u64 ts)
{
	sks_hist_add_stage(stage, e->flow.proto, e->ts, SKS_RX_FIRST,
			   ARRAY_SIZE(e->ts), ts);
	sks_count_summarized();
}

/*
 * A record of @e's @stage at @ts, claimed in the ring (see
 * sks_rec_begin()); NULL if the ring is full.
 */
static struct skbstamp_record *sks_rx_rec(const struct sks_rx *e,
					  unsigned int stage, u64 ts,
					  unsigned long *flags)
{
	struct skbstamp_record *rec = sks_rec_begin(ts, stage, flags);

	if (!rec)
		return NULL;
	rec->id = e->id;
	rec->cookie = e->cookie;
	rec->tskey = e->tskey;
	rec->len = e->len;
	rec->pid = e->pid;
	rec->ifindex = e->ifindex;
	sks_flow_to_record(rec, &e->flow);
	memcpy(rec->comm, e->comm, sizeof(rec->comm));
	return rec;
}

/*
 * Record (or summarize) the stages passed and not recorded yet, in stage
 * order.  Usually one is: the stage just passed.
 */
static void sks_rx_flush(const struct sks_config *cfg, struct sks_rx *e)
{
	struct skbstamp_record *rec;
	unsigned long flags, pending;
	unsigned int stage, i;

	if (!(e->state & SKS_RX_MATCH))
		return;
	pending = e->passed & ~e->emitted;
	e->emitted |= pending;
	for (; pending; pending &= pending - 1) {
		i = __ffs(pending);
		stage = SKS_RX_FIRST + i;
		if (sks_summary(cfg)) {
			sks_rx_summarize(e, stage, e->ts[i]);
			continue;
		}
		rec = sks_rx_rec(e, stage, e->ts[i], &flags);
		if (!rec)
			continue;
		if (stage == SKBSTAMP_STAGE_RX_HW)
			rec->hw_ns = e->hw_ns;
		sks_rec_end(rec, e->cpu[i], flags);
	}
}

/* Apply the filters with what is known; @sk: the socket, if known. */
static void sks_rx_decide(const struct sks_config *cfg, struct sks_rx *e,
			  const struct sock *sk)
{
	if (e->state & (SKS_RX_MATCH | SKS_RX_NOMATCH))
		return;
	switch (sks_filter_rx(cfg, e, sk)) {
	case SKS_FILTER_MATCH:
		e->state |= SKS_RX_MATCH;
		break;
	case SKS_FILTER_NOMATCH:
		e->state |= SKS_RX_NOMATCH;
		break;
	}
}

/* A last record: drop or merge. */
static void sks_rx_final(const struct sks_config *cfg, const struct sks_rx *e,
			 unsigned int stage, u64 ts, void *location, u32 reason)
{
	struct skbstamp_record *rec;
	unsigned long flags;

	if (!sks_want(cfg, stage))
		return;
	if (sks_summary(cfg)) {
		sks_count_summarized();
		return;
	}
	rec = sks_rx_rec(e, stage, ts, &flags);
	if (!rec)
		return;
	if (stage == SKBSTAMP_STAGE_MERGE) {
		rec->head_id = e->head_id;
		rec->flags = e->rflags;
	} else {
		rec->location = (unsigned long)location;
		rec->drop_reason = reason;
	}
	sks_rec_end(rec, -1, flags);
}

/*
 * The skb of @e is gone (its entry already out of the table): dropped if
 * @drop, else freed, which confirms a pending merge.  An undecided packet
 * is forgotten.
 */
static void sks_rx_end(const struct sks_config *cfg, struct sks_rx *e,
		       bool drop, void *location, u32 reason)
{
	sks_rx_decide(cfg, e, NULL);
	if (!(e->state & SKS_RX_MATCH))
		return;
	sks_rx_flush(cfg, e);
	if (e->state & SKS_RX_MERGING)
		sks_rx_final(cfg, e, SKBSTAMP_STAGE_MERGE, e->merge_ns, NULL, 0);
	else if (drop)
		sks_rx_final(cfg, e, SKBSTAMP_STAGE_DROP, ktime_get_ns(),
			     location, reason);
}

/* The part of sks_rx_freed() for an skb that may be tracked. */
static noinline void sks_rx_freed_maybe(struct sk_buff *skb, void *location,
					bool drop, u32 reason)
{
	struct sks_rx_ref ref;
	struct sks_rx *e = sks_rx_lock(skb, &ref);

	if (!e) {
		sks_rx_unlock(&ref);
		return;
	}
	/*
	 * Before 5.17 TCP drops data with a plain free (compat/tcp_drop.c).
	 * Not a pure ACK: those functions free the ACKs they took that way.
	 */
	if (!drop && e->len && sks_tcp_drop_site((unsigned long)location))
		drop = true;
	sks_rx_end(sks_conf(), e, drop, location, reason);
	sks_rx_remove(&ref, e);
}

/*
 * Tracepoints kfree_skb (@drop) and consume_skb, and the free hooks.
 * Called for every skb the system frees: most are not tracked, and leave
 * on the lockless test without paying for an entry's locals (zeroed on
 * entry, INIT_STACK_ALL_ZERO).
 */
void sks_rx_freed(struct sk_buff *skb, void *location, bool drop, u32 reason)
{
	if (sks_rx_maybe(skb))
		sks_rx_freed_maybe(skb, location, drop, reason);
}

/*
 * Begin tracking @skb, at the first stage that sees it; false if it is
 * not traced (not TCP/UDP data, or the filters say no).
 */
static bool sks_rx_new(const struct sks_config *cfg, struct sk_buff *skb,
		       int off, struct sks_rx *e)
{
	memset(e, 0, sizeof(*e));
	if (!skb->dev || !sks_rx_parse(skb, off, cfg->filter.acks, e))
		return false;
	e->skb = skb;
	e->stamp = jiffies;
	e->id = sks_rx_new_id();
	e->ifindex = skb->dev->ifindex;
	e->netns = dev_net(skb->dev)->ns.inum;
	sks_rx_decide(cfg, e, NULL);
	if (e->state & SKS_RX_NOMATCH)
		return false;
	/* Kept, so later stages do not draw again. */
	if (!sks_filter_sample_rx(cfg))
		e->state |= SKS_RX_NOMATCH;
	return true;
}

/* An entry replaced at napi: its skb was freed unseen (a GRO stolen head). */
static void sks_rx_replaced(const struct sks_config *cfg, struct sks_rx *old)
{
	if (old->state & SKS_RX_MERGING)
		sks_rx_end(cfg, old, false, NULL, 0);
}

/* napi: a driver hands @skb to the stack; @napi if known (irq). */
static void sks_rx_napi(struct sk_buff *skb, const void *napi)
{
	const struct sks_config *cfg = sks_conf();
	/*
	 * Not zeroed on entry (INIT_STACK_ALL_ZERO): sks_rx_new() clears @e,
	 * and @old is read only once a lookup filled it.
	 */
	struct sks_rx __uninitialized e;
	struct sks_rx __uninitialized old;
	u64 now;

	if (!skb)
		return;
	if (!sks_rx_new(cfg, skb, 0, &e)) {
		/* Not traced, but its pointer may name an old skb. */
		if (sks_rx_maybe(skb) && sks_rx_take(skb, &old))
			sks_rx_replaced(cfg, &old);
		return;
	}
	now = ktime_get_ns();
	if (sks_want(cfg, SKBSTAMP_STAGE_RX_HW) && skb_hwtstamps(skb)->hwtstamp) {
		e.hw_ns = ktime_to_ns(skb_hwtstamps(skb)->hwtstamp);
		sks_rx_pass(&e, SKBSTAMP_STAGE_RX_HW, now);
	}
	if (napi && sks_want(cfg, SKBSTAMP_STAGE_IRQ)) {
		struct sks_irq_slot *s;
		unsigned long flags;
		u64 irq = 0;

		local_irq_save(flags);
		s = sks_irq_slot(napi, false);
		if (s)
			irq = s->ns;
		local_irq_restore(flags);
		/* Only the schedule that led to this poll. */
		if (irq && irq <= now && now - irq < NSEC_PER_SEC)
			sks_rx_pass(&e, SKBSTAMP_STAGE_IRQ, irq);
	}
	if (sks_want(cfg, SKBSTAMP_STAGE_NAPI))
		sks_rx_pass(&e, SKBSTAMP_STAGE_NAPI, now);
	sks_rx_flush(cfg, &e);
	if (sks_rx_put(&e, &old))
		sks_rx_replaced(cfg, &old);
}

/*
 * A GRO packet whose frag_list holds whole packets (skb_gro_receive_list():
 * a device with rx-gro-list on): they go up the stack together as @head,
 * up to the socket, where UDP (or a forwarding device) splits them again
 * into the very same skbs (skb_segment_list()), each with its own data.
 * So they are not merged: each packet passes @stage when its head does,
 * at the same time, and goes on with its own length and id.
 */
static noinline void sks_rx_flist_pass(const struct sks_config *cfg,
				       struct sk_buff *head, unsigned int stage)
{
	struct sks_rx_ref ref;
	struct sk_buff *skb;
	struct sks_rx *e;
	u64 ts = 0;

	if (!sks_want(cfg, stage))
		return;
	skb_walk_frags(head, skb) {
		if (!sks_rx_maybe(skb))
			continue;
		e = sks_rx_lock(skb, &ref);
		if (e && !(e->state & SKS_RX_NOMATCH) &&
		    !(e->passed & sks_rx_bit(stage))) {
			if (!ts)
				ts = sks_rx_layer_time(cfg, stage);
			sks_rx_pass(e, stage, ts);
			sks_rx_flush(cfg, e);
		}
		sks_rx_unlock(&ref);
	}
}

/* @skb, a GRO packet, carries whole packets in its frag_list (see above). */
static bool sks_rx_is_flist(const struct sk_buff *skb)
{
	return skb_is_gso(skb) &&
	       (skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST);
}

/*
 * What GRO cannot add to a head's frags it chains to the head's frag_list
 * (skb_gro_receive()): those skbs are merged for sure once the head goes
 * up the stack, but they are freed only with the head, which may be long
 * after the head was read (TCP hands the free to the CPU that allocated
 * the skb, skb_attempt_defer_free(), which may not get to it before the
 * trace ends).  Record their merge now, when @head, tracked, passes a
 * stage of its own.  A fraglist GRO packet's are not merged.
 */
static noinline void sks_rx_merged_list(const struct sks_config *cfg,
					struct sk_buff *head, unsigned int stage)
{
	struct sks_rx_ref ref;
	struct sk_buff *skb;
	struct sks_rx *e;
	bool traced;
	int n = 0;

	if (sks_rx_is_flist(head)) {
		sks_rx_flist_pass(cfg, head, stage);
		return;
	}
	/* Each entry is locked alone (see sks_rx_lock()). */
	if (!sks_rx_maybe(head))
		return;
	e = sks_rx_lock(head, &ref);
	traced = e && !(e->state & SKS_RX_NOMATCH);
	sks_rx_unlock(&ref);
	if (!traced)
		return;
	skb_walk_frags(head, skb) {
		/* The rest go when they are freed. */
		if (n++ == SKS_RX_LIST_MAX)
			break;
		if (!sks_rx_maybe(skb))
			continue;
		e = sks_rx_lock(skb, &ref);
		if (!e || !(e->state & SKS_RX_MERGING)) {
			sks_rx_unlock(&ref);
			continue;
		}
		/* The head's owner owns its frag_list: nobody else frees it. */
		sks_rx_end(cfg, e, false, NULL, 0);
		sks_rx_remove(&ref, e);
	}
}

/* The first stage of a packet no hook saw before: netif, ip or l4. */
static noinline void sks_rx_layer_new(const struct sks_config *cfg,
				      struct sk_buff *skb, unsigned int stage,
				      int off)
{
	struct sks_rx __uninitialized e;	/* sks_rx_new() clears it */

	if (!sks_rx_new(cfg, skb, off, &e))
		return;
	if (!(e.state & SKS_RX_NOMATCH) && sks_want(cfg, stage)) {
		sks_rx_pass(&e, stage, sks_rx_layer_time(cfg, stage));
		sks_rx_flush(cfg, &e);
	}
	sks_rx_put(&e, NULL);
}

/*
 * A stage that sees the IP header, @off bytes from skb->data: netif, ip,
 * l4.  The packet's first one tracks it; a GRO head's length is updated
 * and the skbs chained to it are recorded as merged.  A tracked packet's
 * entry is updated in place.
 */
static void sks_rx_layer(struct sk_buff *skb, unsigned int stage, int off)
{
	const struct sks_config *cfg = sks_conf();
	struct sks_rx_ref ref;
	struct sks_rx *e;

	if (!skb)
		return;
	if (unlikely(skb_has_frag_list(skb)))
		sks_rx_merged_list(cfg, skb, stage);
	if (!sks_rx_maybe(skb)) {
		sks_rx_layer_new(cfg, skb, stage, off);
		return;
	}
	e = sks_rx_lock(skb, &ref);
	if (!e) {
		sks_rx_unlock(&ref);
		sks_rx_layer_new(cfg, skb, stage, off);
		return;
	}
	if (!(e->state & SKS_RX_NOMATCH) && !(e->passed & sks_rx_bit(stage))) {
		/* A fraglist head's length is its own packet's (see above). */
		if (e->ip_len != skb->len - off && !sks_rx_is_flist(skb))
			sks_rx_reparse(skb, off, e);
		/* Here on its own: it was not merged after all. */
		e->state &= ~SKS_RX_MERGING;
		if (sks_want(cfg, stage)) {
			sks_rx_pass(e, stage, sks_rx_layer_time(cfg, stage));
			sks_rx_flush(cfg, e);
		}
	}
	sks_rx_unlock(&ref);
}

void sks_rx_netif(struct sk_buff *skb)
{
	sks_rx_layer(skb, SKBSTAMP_STAGE_NETIF, 0);
}

/*
 * sockq and read, for the locked entry @e of a packet already tracked:
 * @sk is the socket (read: the skb's owner).  The entry is let go, and
 * removed if the packet is not to be followed.
 */
static void sks_rx_sock(const struct sks_config *cfg, struct sks_rx_ref *ref,
			struct sks_rx *e, struct sock *sk)
	__releases(ref)
{
	if (sk && sk_fullsock(sk) && !(e->state & SKS_RX_SOCK)) {
		e->cookie = sks_cookie(sk);
		e->state |= SKS_RX_SOCK;
	}
	e->state &= ~SKS_RX_MERGING;
	sks_rx_decide(cfg, e, sk && sk_fullsock(sk) ? sk : NULL);
	if (e->state & SKS_RX_NOMATCH) {
		sks_rx_remove(ref, e);
		return;
	}
	sks_rx_flush(cfg, e);
	sks_rx_unlock(ref);
}

static noinline void sks_rx_sockq(struct sock *sk, struct sk_buff *skb)
{
	const struct sks_config *cfg = sks_conf();
	struct sks_rx_ref ref;
	struct sks_rx *e = sks_rx_lock(skb, &ref);

	if (!e || (e->state & SKS_RX_NOMATCH) ||
	    (e->passed & sks_rx_bit(SKBSTAMP_STAGE_SOCKQ))) {
		sks_rx_unlock(&ref);
		return;
	}
	if (sks_want(cfg, SKBSTAMP_STAGE_SOCKQ))
		sks_rx_pass(e, SKBSTAMP_STAGE_SOCKQ, ktime_get_ns());
	sks_rx_sock(cfg, &ref, e, sk);
}

/*
 * tcp_rcv_established(), tcp_rcv_state_process(), and UDP's enqueue.
 * Here and in the hooks below, which see skbs of every flow, an untracked
 * skb leaves on the lockless test before an entry's locals are paid for.
 */
void sks_hook_rx_sockq(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 1);

	if (skb && sks_rx_maybe(skb))
		sks_rx_sockq((struct sock *)sks_ftrace_arg(fregs, 0), skb);
}

/*
 * The reader takes @len bytes of @skb from @off out of the socket (copies
 * them, or splices them to a pipe), or with @whole all of them.
 */
static noinline void sks_rx_read_maybe(struct sk_buff *skb, int off, int len,
				       bool whole)
{
	const struct sks_config *cfg;
	struct sock *sk = skb->sk;
	struct sks_rx_ref ref;
	struct sks_rx *e = sks_rx_lock(skb, &ref);

	if (!e || (e->state & SKS_RX_NOMATCH) ||
	    (e->passed & sks_rx_bit(SKBSTAMP_STAGE_READ)))
		goto out;
	/*
	 * A clone read by another kind of socket (a packet socket: tcpdump)
	 * carries the packet's id but is not the application's read.
	 */
	if (sk && (!sk_fullsock(sk) || sk->sk_protocol != e->flow.proto ||
		   (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)))
		goto out;
	/* TCP: read once its last byte is copied out. */
	if (!whole && e->flow.proto == IPPROTO_TCP &&
	    off + len < (int)skb->len)
		goto out;
	cfg = sks_conf();
	if (in_task()) {
		e->pid = task_tgid_nr(current);
		sks_current_comm(e->comm);
		e->state |= SKS_RX_OWNER;
	}
	if (sks_want(cfg, SKBSTAMP_STAGE_READ))
		sks_rx_pass(e, SKBSTAMP_STAGE_READ, ktime_get_ns());
	sks_rx_sock(cfg, &ref, e, sk);
	return;
out:
	sks_rx_unlock(&ref);
}

static __always_inline void sks_rx_read(struct sk_buff *skb, int off,
					int len, bool whole)
{
	if (skb && sks_rx_maybe(skb))
		sks_rx_read_maybe(skb, off, len, whole);
}

/*
 * skb_copy_datagram_iter(const struct sk_buff *skb, int offset,
 * struct iov_iter *to, int len)
 */
void sks_hook_rx_read(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_read((struct sk_buff *)sks_ftrace_arg(fregs, 0),
		    sks_ftrace_arg(fregs, 1), sks_ftrace_arg(fregs, 3), false);
}

/*
 * skb_copy_and_csum_datagram_msg(struct sk_buff *skb, int hlen,
 * struct msghdr *msg): a whole datagram.
 */
void sks_hook_rx_read_csum(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_read((struct sk_buff *)sks_ftrace_arg(fregs, 0), 0, 0, true);
}

/*
 * skb_splice_bits(struct sk_buff *skb, struct sock *sk,
 * unsigned int offset, struct pipe_inode_info *pipe, unsigned int len,
 * unsigned int flags): TCP's splice() moves the data to a pipe instead
 * of copying it.
 */
void sks_hook_rx_read_splice(sks_ftrace_regs_t *fregs,
			     unsigned long parent_ip)
{
	sks_rx_read((struct sk_buff *)sks_ftrace_arg(fregs, 0),
		    sks_ftrace_arg(fregs, 2), sks_ftrace_arg(fregs, 4), false);
}

/*
 * tcp_recv_skb(struct sock *sk, u32 seq, u32 *off): TCP frees the skbs of
 * its receive queue whose data all lies before @seq (but one with a FIN),
 * which readers that do not copy have taken: TCP_ZEROCOPY_RECEIVE, which
 * maps the data's pages into the reader's memory, moves copied_seq past
 * them and then calls this; tcp_read_sock() (splice, already read at
 * skb_splice_bits()) too.  Such an skb is read now, by the current task.  The socket is
 * locked by its reader, as for tcp_recv_skb() itself.
 */
static noinline void sks_rx_read_tcp_eaten(struct sock *sk, u32 seq)
{
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		const struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
		/* As tcp_recv_skb() counts: a SYN takes a sequence number. */
		u32 off = seq - tcb->seq - !!(tcb->tcp_flags & TCPHDR_SYN);

		if (off < skb->len)
			break;
		/*
		 * All its data taken.  With a FIN it stays queued until the
		 * reader sees the end, which copies nothing: read now.
		 */
		sks_rx_read(skb, 0, 0, true);
		if (tcb->tcp_flags & TCPHDR_FIN)
			break;
	}
}

void sks_hook_rx_read_tcp_eaten(sks_ftrace_regs_t *fregs,
				unsigned long parent_ip)
{
	struct sock *sk = (struct sock *)sks_ftrace_arg(fregs, 0);

	if (sk && !skb_queue_empty(&sk->sk_receive_queue))
		sks_rx_read_tcp_eaten(sk, sks_ftrace_arg(fregs, 1));
}

/*
 * skb_consume_udp(struct sock *sk, struct sk_buff *skb, int len): UDP's
 * recvmsg is done with the datagram, which it may have copied with an
 * inline copy of its own (copy_linear_skb()).
 */
void sks_hook_rx_read_udp(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_read((struct sk_buff *)sks_ftrace_arg(fregs, 1), 0, 0, true);
}

/*
 * A list of skbs a hook got, at @stage (napi, or ip with the IP header
 * at skb->data), at most SKS_RX_LIST_MAX of them: the rest start being
 * tracked at their next stage.
 */
static void sks_rx_list(struct list_head *head, unsigned int stage)
{
	struct sk_buff *skb;
	int n = 0;

	if (!head)
		return;
	list_for_each_entry(skb, head, list) {
		if (n++ == SKS_RX_LIST_MAX)
			break;
		if (stage == SKBSTAMP_STAGE_NAPI)
			sks_rx_napi(skb, NULL);
		else
			sks_rx_layer(skb, stage, 0);
	}
}

/* Any function whose first argument is an skb a driver hands over. */
void sks_hook_rx_napi(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_napi((struct sk_buff *)sks_ftrace_arg(fregs, 0), NULL);
}

/*
 * netif_receive_skb_list(struct list_head *head): a driver hands a poll's
 * packets over as one list (GRO's own lists go another way).
 */
void sks_hook_rx_napi_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_list((struct list_head *)sks_ftrace_arg(fregs, 0),
		    SKBSTAMP_STAGE_NAPI);
}

/*
 * napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb), or
 * from 6.15 gro_receive_skb(struct gro_node *gro, struct sk_buff *skb),
 * gro being napi->gro (compat.h).
 */
void sks_hook_rx_napi_gro(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 1);

	sks_gro_enter(skb);
	sks_rx_napi(skb, sks_napi_of_gro_arg(sks_ftrace_arg(fregs, 0)));
}

/*
 * The skb napi_gro_frags() is handling on this CPU, from its entry
 * tracepoint to its exit one (in NAPI context, which they do not leave).
 */
static DEFINE_PER_CPU(struct sk_buff *, sks_frags_skb);

/*
 * The napi_gro_frags_entry tracepoint: a driver that builds its skbs from
 * pages (napi_get_frags()) hands one over, its Ethernet header already
 * pulled, as napi_gro_receive() gets it: the napi stage (no irq: the
 * tracepoint names no NAPI instance).
 */
void sks_rx_gro_frags_enter(struct sk_buff *skb)
{
	this_cpu_write(sks_frags_skb, skb);
	sks_rx_napi(skb, NULL);
}

/*
 * The napi_gro_frags_exit tracepoint: GRO merged the packet and gives
 * its skb back to the driver for the next packet (napi_reuse_skb(),
 * GRO_MERGED_FREE), freed by no one: its merge ends here.  A stolen
 * head's free, which the hooks see, ended it already.
 */
void sks_rx_gro_frags_done(int ret)
{
	struct sk_buff *skb = this_cpu_xchg(sks_frags_skb, NULL);

	if (skb && ret == GRO_MERGED_FREE)
		sks_rx_freed(skb, NULL, false, 0);
}

/*
 * The napi_gro_receive_exit tracepoint, where the kernel frees a stolen
 * GRO head where no hook sees it (5.10: a static function): the skb that
 * napi_gro_receive() got was merged and freed (GRO_MERGED_FREE).  A free
 * the hooks saw ended its entry already.
 */
void sks_rx_gro_done(int ret)
{
	struct sk_buff *skb = sks_gro_leave();

	if (skb && ret == GRO_MERGED_FREE)
		sks_rx_freed(skb, NULL, false, 0);
}

/* __napi_schedule(struct napi_struct *n) and __napi_schedule_irqoff(n) */
void sks_hook_rx_irq(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	const void *napi = (const void *)sks_ftrace_arg(fregs, 0);
	struct sks_irq_slot *s;
	unsigned long flags;

	local_irq_save(flags);
	s = sks_irq_slot(napi, true);
	s->napi = napi;
	s->ns = ktime_get_ns();
	local_irq_restore(flags);
}

/* ip_rcv() and ipv6_rcv(struct sk_buff *skb, ...) */
void sks_hook_rx_ip(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_layer((struct sk_buff *)sks_ftrace_arg(fregs, 0),
		     SKBSTAMP_STAGE_IP, 0);
}

/* ip_list_rcv() and ipv6_list_rcv(struct list_head *head, ...) */
void sks_hook_rx_ip_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_list((struct list_head *)sks_ftrace_arg(fregs, 0),
		    SKBSTAMP_STAGE_IP);
}

/* tcp_v4_rcv(), tcp_v6_rcv(), udp_rcv(), udpv6_rcv(struct sk_buff *skb) */
void sks_hook_rx_l4(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 0);

	if (skb)
		sks_rx_layer(skb, SKBSTAMP_STAGE_L4, skb_network_offset(skb));
}

/* skb_gro_receive(p, skb), skb_try_coalesce(to, from, ...): a merge try. */
static noinline void sks_rx_merge_maybe(struct sk_buff *head,
					struct sk_buff *skb, u8 how)
{
	struct sks_rx_ref ref;
	struct sks_rx *e;
	u64 head_id = 0;

	/*
	 * Each entry is locked alone (see sks_rx_lock()): the head's first,
	 * and only for an skb its bucket holds (sks_rx_merge()).
	 */
	if (head && sks_rx_maybe(head)) {
		e = sks_rx_lock(head, &ref);
		if (e)
			head_id = e->id;
		sks_rx_unlock(&ref);
	}
	e = sks_rx_lock(skb, &ref);
	if (e && !(e->state & SKS_RX_NOMATCH)) {
		e->head_id = head_id;
		e->merge_ns = ktime_get_ns();
		e->rflags = how;
		e->state |= SKS_RX_MERGING;
	}
	sks_rx_unlock(&ref);
}

static __always_inline void sks_rx_merge(sks_ftrace_regs_t *fregs, u8 how)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 1);

	if (skb && sks_rx_maybe_in(skb))
		sks_rx_merge_maybe((struct sk_buff *)sks_ftrace_arg(fregs, 0),
				   skb, how);
}

void sks_hook_rx_gro_merge(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_merge(fregs, SKBSTAMP_RF_GRO);
}

void sks_hook_rx_coalesce(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_merge(fregs, SKBSTAMP_RF_COALESCED);
}

/*
 * __kfree_skb(), kfree_skb_partial(), GRO's frees and
 * skb_attempt_defer_free(): (struct sk_buff *)
 */
void sks_hook_rx_free(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_rx_freed((struct sk_buff *)sks_ftrace_arg(fregs, 0),
		     sks_free_site(parent_ip), false, 0);
}

/*
 * __copy_skb_header(struct sk_buff *new, const struct sk_buff *old): a
 * clone or copy of a tracked packet goes on with its id (ip_rcv() clones
 * a shared skb, one a packet socket holds too).
 */
static noinline void sks_rx_cloned(struct sk_buff *nskb, struct sk_buff *skb)
{
	struct sks_rx __uninitialized e;	/* read once the lookup filled it */

	/*
	 * skb_segment_list() gives each packet of a fraglist GRO packet
	 * (see sks_rx_flist_pass()) its head's header back: @nskb, tracked
	 * since it arrived, is then a packet of its own, not a clone of
	 * @skb (whose real clones are new skbs).
	 */
	if (sks_rx_is_flist(skb) && sks_rx_maybe_in(nskb))
		return;
	if (!sks_rx_get(skb, &e) || (e.state & SKS_RX_NOMATCH))
		return;
	e.skb = nskb;
	e.state &= ~SKS_RX_MERGING;
	sks_rx_put(&e, NULL);
}

/* Every clone of the system (TCP clones every skb it sends) comes here. */
void sks_hook_rx_clone(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *nskb = (struct sk_buff *)sks_ftrace_arg(fregs, 0);
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 1);

	if (nskb && skb && sks_rx_maybe_in(skb))
		sks_rx_cloned(nskb, skb);
}
