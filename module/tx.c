// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit stages.
 *
 * sendmsg is recorded at the entry of the protocol's send call.  The other
 * stages come from the kernel's own SO_TIMESTAMPING generation points: the
 * module tags each traced skb with SKBTX_* requests (and TCP's ACK request)
 * just before it leaves the protocol (__tcp_transmit_skb, ip_send_skb,
 * ip6_send_skb), so the qdisc layer, the driver and TCP's ACK processing
 * call __skb_tstamp_tx() for it.  That function is redirected, the way
 * livepatch redirects functions, to sks_skb_tstamp_tx(): it records the
 * stage and calls the original only when the application itself asked for
 * that timestamp, so the application's error queue sees exactly what it
 * would without skbstamp.
 *
 * Keys follow SO_TIMESTAMPING's OPT_ID: TCP, the sequence number of the
 * skb's last byte; UDP, a per-socket datagram counter the module keeps.
 *
 * In summary mode the same stages feed latency histograms instead of
 * records: the tag entry carries the times the skb passed sendmsg, sched
 * and sw, and each later stage adds the pairs it ends (hist.c).
 *
 * Every hook reads the configuration once (sks_conf()) and passes it on,
 * so a SET that swaps it in the middle changes nothing half-way.
 */
#include <linux/errqueue.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/sock_diag.h>
#include <linux/udp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "skbstamp.h"
#include "filter.h"
#include "hist.h"
#include "hook.h"
#include "track.h"
#include "compat/gso.h"

/* The SKBTX_* requests the module adds, by the stages configured. */
static u8 sks_skbtx_mine(const struct sks_config *cfg)
{
	u8 flags = SKBTX_SCHED_TSTAMP | SKBTX_SW_TSTAMP;

	if (cfg->stages & BIT(SKBSTAMP_STAGE_HW))
		flags |= SKS_SKBTX_HW_TSTAMP;
	return flags;
}

/* Only TCP and UDP over IPv4 and IPv6 are traced. */
static __always_inline bool sks_traced_sk(const struct sock *sk)
{
	if (!sk || !sk_fullsock(sk))
		return false;
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return false;
	return sk->sk_protocol == IPPROTO_TCP || sk->sk_protocol == IPPROTO_UDP;
}

/*
 * A note on the hooks below: the kernels of the matrix but 5.10 zero every
 * local variable on entry (INIT_STACK_ALL_ZERO), a tag and a record are
 * some 300 bytes, and most skbs a hook sees are not traced.  So the hooks
 * decide on a flow alone and leave the rest to a function of its own
 * (noinline), whose locals only skbs that get that far pay for.
 */

/* The flow as the socket knows it (connected sockets). */
static void sks_flow_sk(struct sks_flow *fl, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	fl->proto = sk->sk_protocol;
	fl->sport = inet->inet_sport;
	fl->dport = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		fl->family = AF_INET6;
		memcpy(fl->saddr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(fl->daddr, &sk->sk_v6_daddr, 16);
		return;
	}
#endif
	fl->family = AF_INET;
	memset(fl->saddr, 0, sizeof(fl->saddr));
	memset(fl->daddr, 0, sizeof(fl->daddr));
	memcpy(fl->saddr, &inet->inet_saddr, 4);
	memcpy(fl->daddr, &inet->inet_daddr, 4);
}

/* The device the socket's cached route leaves by, 0: none cached. */
static int sks_sk_ifindex(struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get(sk);

	return dst && dst->dev ? dst->dev->ifindex : 0;
}

/* The flow from the headers of a UDP skb about to leave IP. */
static void sks_flow_udp(struct sks_flow *fl, const struct sk_buff *skb,
			 int family)
{
	const struct udphdr *uh = udp_hdr(skb);

	fl->proto = IPPROTO_UDP;
	fl->family = family;
	fl->sport = uh->source;
	fl->dport = uh->dest;
	if (family == AF_INET6) {
		memcpy(fl->saddr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(fl->daddr, &ipv6_hdr(skb)->daddr, 16);
	} else {
		memset(fl->saddr, 0, sizeof(fl->saddr));
		memset(fl->daddr, 0, sizeof(fl->daddr));
		memcpy(fl->saddr, &ip_hdr(skb)->saddr, 4);
		memcpy(fl->daddr, &ip_hdr(skb)->daddr, 4);
	}
}

/* @rec->stage is set: a driver stage of a GSO-split skb has its own length. */
static void sks_rec_from_tag(struct skbstamp_record *rec,
			     const struct sks_tag *t)
{
	rec->cookie = t->cookie;
	rec->tskey = t->key;
	rec->len = t->len;
	rec->offset = t->offset;
	if (t->seg_len && rec->stage != SKBSTAMP_STAGE_SCHED &&
	    rec->stage != SKBSTAMP_STAGE_ACK)
		rec->len = t->seg_len;
	rec->pid = t->owner.pid;
	memcpy(rec->comm, t->owner.comm, sizeof(rec->comm));
	rec->flags = t->rflags;
	sks_flow_to_record(rec, &t->flow);
}

/* The sendmsg record of a call on @fl whose first byte has key @key. */
static noinline void sks_emit_sendmsg(const struct sks_flow *fl, u64 cookie,
				      u32 key, u32 len, u64 now)
{
	struct skbstamp_record *rec;
	unsigned long flags;

	rec = sks_rec_begin(now, SKBSTAMP_STAGE_SENDMSG, &flags);
	if (!rec)
		return;
	rec->cookie = cookie;
	rec->tskey = key;
	rec->len = len;
	rec->pid = task_tgid_nr(current);
	sks_current_comm(rec->comm);
	sks_flow_to_record(rec, fl);
	sks_rec_end(rec, -1, flags);
}

/*
 * A traced send call's stage: a record, or in summary mode (where the
 * call's time waits in the socket's entry for its skbs' pairs) a count;
 * a record's locals are paid for only where one is made.
 */
static void sks_sendmsg_stage(const struct sks_config *cfg,
			      const struct sks_flow *fl, u64 cookie, u32 key,
			      u32 len, u64 now)
{
	if (sks_summary(cfg))
		sks_count_summarized();
	else
		sks_emit_sendmsg(fl, cookie, key, len, now);
}

/*
 * Is a packet's whole flow needed, for the filters or for its records?
 * Summary mode's histograms want its protocol alone, so the hooks do not
 * build the rest there unless a filter looks at it.
 */
static bool sks_needs_flow(const struct sks_config *cfg)
{
	return cfg->filter.fields || !sks_summary(cfg);
}

/* Sampling makes the send call hooks decide for the skbs too. */
static bool sks_sampling(const struct sks_config *cfg)
{
	return cfg->filter.sample > 1;
}

/*
 * The filters at a send call, which runs in the sender's context: the
 * sender's pid is only looked at when a filter wants it.
 */
static bool sks_filter_send_call(const struct sks_config *cfg,
				 const struct sock *sk, const struct sks_flow *fl)
{
	return sks_filter_match_flow(cfg, sk, fl, 0) &&
	       (!sks_filter_needs_owner(&cfg->filter) ||
		sks_filter_pid(&cfg->filter, task_tgid_nr(current)));
}

/* The port filters on a connected socket's own ports. */
static __always_inline bool sks_sk_ports_may_match(const struct sks_config *cfg,
						   const struct sock *sk)
{
	return sks_filter_ports_may_match(&cfg->filter, sk->sk_protocol,
					  inet_sk(sk)->inet_sport,
					  inet_sk(sk)->inet_dport);
}

/*
 * A TCP send call of @size bytes on a socket the port filters may let
 * through: the other filters, then the call's stage.
 */
static noinline void sks_tcp_send_call(const struct sks_config *cfg,
				       struct sock *sk, size_t size)
{
	struct sks_flow fl;
	bool sampled;
	u64 now, cookie;
	u32 key;

	if (sks_needs_flow(cfg)) {
		sks_flow_sk(&fl, sk);
		if (!sks_filter_send_call(cfg, sk, &fl))
			return;
	}
	now = ktime_get_ns();
	sampled = sks_filter_sample(cfg);
	/* The call's bytes get keys write_seq .. write_seq + size - 1. */
	key = READ_ONCE(tcp_sk(sk)->write_seq);
	cookie = sks_cookie(sk);
	sks_sock_sendmsg(cookie, true, sampled && sks_sampling(cfg), key, size,
			 now);
	if (sampled && sks_want(cfg, SKBSTAMP_STAGE_SENDMSG))
		sks_sendmsg_stage(cfg, &fl, cookie, key, size, now);
}

/* tcp_sendmsg_locked(struct sock *sk, struct msghdr *msg, size_t size) */
void sks_hook_tcp_sendmsg(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sock *sk = (struct sock *)sks_ftrace_arg(fregs, 0);
	const struct sks_config *cfg = sks_conf();

	if (sks_traced_sk(sk) && sks_sk_ports_may_match(cfg, sk))
		sks_tcp_send_call(cfg, sk, sks_ftrace_arg(fregs, 2));
}

/*
 * The flow of a UDP send call on @sk: an unconnected socket names its
 * destination in msg_name.
 */
static void sks_flow_udp_call(struct sks_flow *fl, const struct sock *sk,
			      const struct msghdr *msg)
{
	sks_flow_sk(fl, sk);
	if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = msg->msg_name;
		const struct sockaddr_in6 *sin6 = msg->msg_name;

		memset(fl->daddr, 0, sizeof(fl->daddr));
		if (sin->sin_family == AF_INET) {
			fl->family = AF_INET;
			fl->dport = sin->sin_port;
			memcpy(fl->daddr, &sin->sin_addr, 4);
		} else if (sin6->sin6_family == AF_INET6 &&
			   msg->msg_namelen >= sizeof(*sin6)) {
			fl->dport = sin6->sin6_port;
			if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
				fl->family = AF_INET;
				memcpy(fl->daddr, &sin6->sin6_addr.s6_addr32[3], 4);
			} else {
				fl->family = AF_INET6;
				memcpy(fl->daddr, &sin6->sin6_addr, 16);
			}
		}
	}
}

/*
 * A UDP send call of @len bytes on a socket the port filters may let
 * through.
 */
static noinline void sks_udp_send_call(const struct sks_config *cfg,
				       struct sock *sk,
				       const struct msghdr *msg, size_t len)
{
	struct sks_flow fl;
	bool sampled;
	u64 now, cookie;
	u32 next;

	if (sks_needs_flow(cfg)) {
		sks_flow_udp_call(&fl, sk, msg);
		if (!sks_filter_send_call(cfg, sk, &fl))
			return;
	}
	now = ktime_get_ns();
	sampled = sks_filter_sample(cfg);
	cookie = sks_cookie(sk);
	next = sks_sock_sendmsg(cookie, false, sampled && sks_sampling(cfg),
				0, 0, now);
	/* The datagram this call completes will get key @next. */
	if (sampled && sks_want(cfg, SKBSTAMP_STAGE_SENDMSG))
		sks_sendmsg_stage(cfg, &fl, cookie, next, len, now);
}

/*
 * A UDP send's destination port: msg_name's (as sks_udp_send_call()
 * reads it), else the connected one.
 */
static __always_inline __be16 sks_udp_dport(const struct sock *sk,
					    const struct msghdr *msg)
{
	const struct sockaddr_in *sin = msg->msg_name;

	/* The port is at the same place in both. */
	BUILD_BUG_ON(offsetof(struct sockaddr_in, sin_port) !=
		     offsetof(struct sockaddr_in6, sin6_port));
	if (sin && msg->msg_namelen >= sizeof(*sin) &&
	    (sin->sin_family == AF_INET ||
	     (sin->sin_family == AF_INET6 &&
	      msg->msg_namelen >= sizeof(struct sockaddr_in6))))
		return sin->sin_port;
	return inet_sk(sk)->inet_dport;
}

/*
 * udp_sendmsg() and udpv6_sendmsg(struct sock *sk, struct msghdr *msg,
 * size_t len)
 */
void sks_hook_udp_sendmsg(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sock *sk = (struct sock *)sks_ftrace_arg(fregs, 0);
	struct msghdr *msg = (struct msghdr *)sks_ftrace_arg(fregs, 1);
	const struct sks_config *cfg = sks_conf();

	if (sks_traced_sk(sk) &&
	    sks_filter_ports_may_match(&cfg->filter, sk->sk_protocol,
				       inet_sk(sk)->inet_sport,
				       sks_udp_dport(sk, msg)))
		sks_udp_send_call(cfg, sk, msg, sks_ftrace_arg(fregs, 2));
}

/*
 * What tagging decides about an skb before its entry is written.  The
 * entry itself is written in its slot, under its bucket's lock
 * (sks_tag_skb()), not built on the stack and copied there.
 */
struct sks_tag_new {
	u64 cookie;
	u32 key;		/* TCP: the skb's last byte; UDP: the datagram's */
	u32 len;
	u16 gso_size;
	u8 proto;
	u8 rflags;
	bool ack_ours;
	/* the whole flow, or NULL where only @proto is needed */
	const struct sks_flow *flow;
	struct sks_owner owner;
};

/*
 * Does the application own @sk's key for an skb it asked stamps of
 * (@app_asked)?  With OPT_ID the kernel reports tskey to it, so the
 * module must not write its own there.
 */
static __always_inline bool sks_app_owns_key(const struct sock *sk,
					     bool app_asked)
{
	return app_asked &&
	       (READ_ONCE(sk->sk_tsflags) & SOF_TIMESTAMPING_OPT_ID);
}

/*
 * Add the module's requests to @skb and remember what was whose.  The
 * entry is found again by (socket cookie, shinfo->tskey).  The module
 * writes its own key into tskey unless the application relies on its own:
 * that is, unless it requested a timestamp for this skb with OPT_ID, the
 * only case in which the kernel reports tskey to it.  @app_ack: the
 * application asked for the ACK stamp.
 */
static void sks_tag_skb(const struct sks_config *cfg, struct sk_buff *skb,
			struct sock *sk, const struct sks_tag_new *n,
			bool app_ack)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	u8 app = sh->tx_flags & SKBTX_ANY_TSTAMP;
	u8 ours = sks_skbtx_mine(cfg) & ~app;
	struct sks_tag_ref ref;
	struct sks_tag *e;

	if (!sks_app_owns_key(sk, app || app_ack))
		sh->tskey = n->key;
	sh->tx_flags |= ours;
	e = sks_tag_lock_new(n->cookie, sh->tskey, &ref);
	e->cookie = n->cookie;
	e->tskey = sh->tskey;
	e->key = n->key;
	e->len = n->len;
	e->ours = ours;
	e->app = app;
	e->ack_ours = n->ack_ours;
	e->state = 0;
	e->ts[SKBSTAMP_STAGE_SENDMSG] = n->owner.send_ns;
	e->ts[SKBSTAMP_STAGE_SCHED] = 0;
	e->ts[SKBSTAMP_STAGE_SW] = 0;
	BUILD_BUG_ON(ARRAY_SIZE(e->ts) != 3);
	e->stamp = jiffies;
	e->seg_len = 0;
	e->offset = 0;
	e->gso_size = n->gso_size;
	e->rflags = n->rflags;
	e->owner = n->owner;
	if (n->flow) {
		e->flow = *n->flow;
	} else {
		memset(&e->flow, 0, sizeof(e->flow));
		e->flow.proto = n->proto;
	}
	sks_tag_unlock(&ref);
}

/*
 * Locked entry @e's skb is sent again (@n) while the copy sent before is
 * in the host: that copy's remaining stages come with @e's key, so this
 * one gets an entry and a key of its own, the byte before (its records
 * carry the same key, the skb's last byte, and the retransmission flag).
 * Only where the module owns the skb's key (sks_app_owns_key()) and the
 * byte before is the skb's.
 */
static bool sks_tcp_may_rekey(struct sock *sk, struct sk_buff *skb,
			      const struct sks_tag_new *n,
			      const struct sks_tag *e)
{
	return !sks_app_owns_key(sk, e->app || !e->ack_ours) &&
	       n->len >= 2 && after(e->tskey, TCP_SKB_CB(skb)->seq);
}

/*
 * The new entry of @skb sent again (@n), from @t, a copy of the entry of
 * the copy sent before.  The ACK now fires for the new key, so the old
 * entry ends with its driver stages (SKS_TAG_RESENT, set by the caller).
 */
static void sks_tcp_rekey(struct sk_buff *skb, const struct sks_tag_new *n,
			  struct sks_tag *t)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	t->tskey--;
	t->len = n->len;
	t->rflags |= n->rflags;
	t->state = 0;
	memset(t->ts, 0, sizeof(t->ts));
	t->stamp = jiffies;
	t->seg_len = 0;
	t->offset = 0;
	sks_tag_put(t);
	sh->tskey = t->tskey;
	sh->tx_flags |= t->ours;
}

/*
 * A TCP skb whose requests say it may have been tagged before, sent again
 * (@n: its key, length and retransmission flag as sent now).  Returns
 * whether its entry stays as it is, with the module's requests back on it;
 * otherwise @n->len may shrink to the bytes after the entry's.
 */
static bool sks_tcp_tag_again(const struct sks_config *cfg, struct sock *sk,
			      struct sk_buff *skb, struct sks_tag_new *n)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct sks_tag_ref ref;
	struct sks_tag *e;

	e = sks_tag_lock(n->cookie, sh->tskey, &ref);
	if (e && e->key == n->key && (n->rflags & SKBSTAMP_RF_RETRANS)) {
		/*
		 * The copy sent before is still in the host (a clone TCP
		 * copies instead: it carries no requests, so this copy has
		 * no stages), or its driver stages are still to come under
		 * this key: this copy gets a new one.
		 */
		if (skb_cloned(skb)) {
			sks_tag_unlock(&ref);
			return true;
		}
		if (sks_tag_in_host(e, sks_want(cfg, SKBSTAMP_STAGE_TXDONE)) &&
		    sks_tcp_may_rekey(sk, skb, n, e)) {
			struct sks_tag t;

			e->state |= SKS_TAG_RESENT;
			t = *e;
			sks_tag_unlock(&ref);
			sks_tcp_rekey(skb, n, &t);
			return true;
		}
	}
	if (e && e->key == n->key) {
		/*
		 * Sent before: what was recorded of the application's
		 * requests stays, since the skb now carries the module's too.
		 */
		e->rflags |= n->rflags;
		e->stamp = jiffies;
		/*
		 * A retransmission's wait is not the send call's, and
		 * software GSO cuts it into segments afresh.
		 */
		if (n->rflags & SKBSTAMP_RF_RETRANS) {
			e->ts[SKBSTAMP_STAGE_SENDMSG] = 0;
			e->seg_len = 0;
		}
		sh->tx_flags |= e->ours;
		sks_tag_unlock(&ref);
		return true;
	}
	/*
	 * Sent again with bytes after its key: it absorbed an skb without
	 * requests (tcp_retrans_try_collapse()).  The new entry covers those
	 * bytes only, so that its ACK finds this one before it
	 * (sks_tag_ack_merged()).  The requests the skb carries for that one
	 * are partly the module's: they are taken back, so that the new
	 * entry tells the application's own apart again.
	 */
	if (e && (n->rflags & SKBSTAMP_RF_RETRANS) && after(n->key, e->key) &&
	    !before(e->key, tcb->seq)) {
		n->len = n->key - e->key;
		sh->tx_flags &= ~e->ours;
		if (e->ack_ours)
			tcb->txstamp_ack &= ~1;
	}
	sks_tag_unlock(&ref);
	return false;
}

/*
 * A TCP skb about to be sent whose flow the filters let through (@flow_ok)
 * or that carries requests (@requested), which may make it a tagged skb
 * sent again.
 */
static noinline void sks_tcp_tag(const struct sks_config *cfg,
				 struct sock *sk, struct sk_buff *skb,
				 bool requested)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	/* Each field is set before it is read: not zeroed. */
	struct sks_tag_new __uninitialized n;
	struct sks_flow __uninitialized fl;
	bool app_ack, flow_ok = true;

	/*
	 * The filters on the flow first, from the socket alone.  An skb that
	 * carries no timestamp request and no ACK request was never tagged
	 * (tagging always asks for the ACK), so nothing below could apply
	 * to it: one the filters exclude costs no lookup.  One that does
	 * carry requests may be a tagged skb sent again, which keeps its tag
	 * whatever the filters say now.
	 */
	n.proto = IPPROTO_TCP;
	n.flow = NULL;
	if (sks_needs_flow(cfg)) {
		sks_flow_sk(&fl, sk);
		n.flow = &fl;
	}
	if (cfg->filter.fields) {
		flow_ok = sks_filter_match_flow(cfg, sk, n.flow,
						sks_sk_ifindex(sk));
		if (!flow_ok && !requested)
			return;
	}

	n.key = tcb->seq + skb->len - 1;
	n.len = skb->len;
	n.gso_size = 0;
	n.rflags = 0;
	if (before(tcb->seq, tcp_sk(sk)->snd_nxt))
		n.rflags |= SKBSTAMP_RF_RETRANS;
	n.cookie = sks_cookie(sk);

	/*
	 * Only an skb with requests can have been tagged: a first
	 * transmission costs no lookup.
	 */
	if (requested && sks_tcp_tag_again(cfg, sk, skb, &n))
		return;
	if (!flow_ok)
		return;
	/* The send call's time only feeds summary mode's pairs. */
	sks_sock_tcp_owner(n.cookie, &n.owner, n.key, sks_summary(cfg));
	if (n.rflags & SKBSTAMP_RF_RETRANS)
		n.owner.send_ns = 0;
	if (!sks_filter_pid(&cfg->filter, n.owner.pid))
		return;
	if (sks_sampling(cfg) &&
	    !sks_sock_sampled(n.cookie, true, tcb->seq, skb->len))
		return;
	/*
	 * The ACK stamp is always requested: it ends the skb's entry.  TCP
	 * fires it when the acked range passes shinfo->tskey, which is the
	 * last byte unless the application's own key is kept.
	 */
	app_ack = tcb->txstamp_ack & 1;
	n.ack_ours = !app_ack;
	tcb->txstamp_ack |= 1;
	sks_tag_skb(cfg, skb, sk, &n, app_ack);
}

/*
 * __tcp_transmit_skb(struct sock *sk, struct sk_buff *skb, int clone_it,
 * gfp_t gfp_mask, u32 rcv_nxt): @skb is the write-queue skb, about to be
 * cloned for transmission.  Its shared info (and so the requests) is shared
 * with the clone; its control block, which holds the ACK request, is not.
 */
void sks_hook_tcp_transmit(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sock *sk = (struct sock *)sks_ftrace_arg(fregs, 0);
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 1);
	const struct sks_config *cfg = sks_conf();
	bool requested;

	if (!sks_ftrace_arg(fregs, 2) || !skb->len ||
	    !sks_traced_sk(sk))
		return;
	/* Requests: maybe a tagged skb sent again (see sks_tcp_tag()). */
	requested = (TCP_SKB_CB(skb)->txstamp_ack & 1) ||
		    (skb_shinfo(skb)->tx_flags & SKBTX_ANY_TSTAMP);
	if (requested || sks_sk_ports_may_match(cfg, sk))
		sks_tcp_tag(cfg, sk, skb, requested);
}

/*
 * A UDP datagram of @family about to leave IP whose ports the filters
 * may let through: the other filters, from the headers, come before any
 * lookup.
 */
static noinline void sks_tag_udp_flow(const struct sks_config *cfg,
				      struct sk_buff *skb, struct sock *sk,
				      int family)
{
	/* Each field is set before it is read: not zeroed. */
	struct sks_tag_new __uninitialized n;
	struct sks_flow __uninitialized fl;

	n.proto = IPPROTO_UDP;
	n.flow = NULL;
	if (sks_needs_flow(cfg)) {
		sks_flow_udp(&fl, skb, family);
		n.flow = &fl;
	}
	if (cfg->filter.fields &&
	    !sks_filter_match_flow(cfg, sk, n.flow,
				   skb_dst(skb) && skb_dst(skb)->dev ?
				   skb_dst(skb)->dev->ifindex : 0))
		return;
	n.len = skb->len - skb_transport_offset(skb) - sizeof(struct udphdr);
	n.cookie = sks_cookie(sk);
	/* Only the sender filter needs the socket's entry. */
	if (sks_filter_needs_owner(&cfg->filter)) {
		struct sks_owner o;

		sks_sock_owner(n.cookie, &o, NULL, NULL);
		if (!sks_filter_pid(&cfg->filter, o.pid))
			return;
	}
	if (sks_sampling(cfg) && !sks_sock_sampled(n.cookie, false, 0, 0))
		return;
	sks_sock_owner(n.cookie, &n.owner, &n.key, NULL);
	n.gso_size = 0;
	if (skb_is_gso(skb) && (skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4))
		n.gso_size = skb_shinfo(skb)->gso_size;
	n.rflags = 0;
	n.ack_ours = false;
	sks_tag_skb(cfg, skb, sk, &n, false);
}

static void sks_tag_udp(struct sk_buff *skb, int family)
{
	const struct sks_config *cfg = sks_conf();
	struct sock *sk = skb->sk;
	const struct udphdr *uh;

	if (!sks_traced_sk(sk) || sk->sk_protocol != IPPROTO_UDP)
		return;
	uh = udp_hdr(skb);
	if (sks_filter_ports_may_match(&cfg->filter, IPPROTO_UDP, uh->source,
				       uh->dest))
		sks_tag_udp_flow(cfg, skb, sk, family);
}

/* ip_send_skb(struct net *net, struct sk_buff *skb) */
void sks_hook_ip_send_skb(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_tag_udp((struct sk_buff *)sks_ftrace_arg(fregs, 1), AF_INET);
}

/* ip6_send_skb(struct sk_buff *skb) */
void sks_hook_ip6_send_skb(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	sks_tag_udp((struct sk_buff *)sks_ftrace_arg(fregs, 0), AF_INET6);
}

/*
 * Called instead of __skb_tstamp_tx() (see compat/tstamp_tx.h): records
 * the stage of an skb the module tagged.  Returns whether the original
 * must run, that is, whether the application requested this timestamp.
 */
/* Summary mode: the pairs that @stage ends, from the times in @t. */
static void sks_summarize(const struct sks_tag *t, unsigned int stage, u64 now)
{
	sks_hist_add_stage(stage, t->flow.proto, t->ts, 0, ARRAY_SIZE(t->ts),
			   now);
	sks_count_summarized();
}

/* The driver took a hardware stamp request for @st's skb and owes it. */
static bool sks_tag_hw_owed(u8 st)
{
	return (st & SKS_TAG_HW_PENDING) && !(st & SKS_TAG_HW_DONE);
}

/*
 * When a stage of a tagged skb ends its entry: with the skb's last stage,
 * which is txdone's if traced.
 */
static u8 sks_mark_opts(const struct sks_config *cfg)
{
	u8 opts = SKS_MARK_END;

	if (cfg && sks_want(cfg, SKBSTAMP_STAGE_TXDONE))
		opts |= SKS_MARK_TXDONE;
	return opts;
}

/* The record of a tagged skb's @stage; it names @skb's device, if any. */
static noinline void sks_emit_stage(const struct sks_tag *t,
				    unsigned int stage, u64 now,
				    const struct sk_buff *skb,
				    const struct skb_shared_hwtstamps *hwtstamps)
{
	struct skbstamp_record *rec;
	unsigned long flags;

	rec = sks_rec_begin(now, stage, &flags);
	if (!rec)
		return;
	sks_rec_from_tag(rec, t);
	if (hwtstamps)
		rec->hw_ns = ktime_to_ns(hwtstamps->hwtstamp);
	if (skb && skb->dev)
		rec->ifindex = skb->dev->ifindex;
	sks_rec_end(rec, -1, flags);
}

/*
 * A traced stage of a tagged skb: a record, or histogram samples (a
 * record's locals are paid for only where one is made).  @dev_skb: the
 * skb whose device the record names, NULL for none.
 */
static void sks_report_stage(const struct sks_config *cfg,
			     const struct sks_tag *t, unsigned int stage,
			     u64 now, const struct sk_buff *dev_skb,
			     const struct skb_shared_hwtstamps *hwtstamps)
{
	if (sks_summary(cfg))
		sks_summarize(t, stage, now);
	else
		sks_emit_stage(t, stage, now, dev_skb, hwtstamps);
}

/* At most this many merged skbs' entries are acknowledged per ACK stamp. */
#define SKS_MERGED_MAX	16

/*
 * The ACK stamp of TCP's @skb came for the entry of @key, which covers
 * its @len bytes up to @key.  TCP may have merged skbs before those
 * into @skb: SACK processing (tcp_shifted_skb()) and retransmission
 * (tcp_retrans_try_collapse()) move the timestamp key of the skb absorbed
 * to the one that absorbs it.  Their bytes are acknowledged now, and no
 * stamp will ever come for their own entries: they are keyed by their
 * last bytes, each right before the next, so they are found walking back
 * within @skb's bytes, get their ack record and end.  An entry still
 * waiting for its driver (a hardware stamp, txdone) stays until then.
 * The caller checks that the entry does not cover all of @skb's bytes:
 * most ACK stamps then cost nothing here.
 */
static noinline void sks_tag_ack_merged(const struct sks_config *cfg,
					u64 cookie, struct sk_buff *skb,
					u32 key, u32 len, u64 now)
{
	u32 seq = TCP_SKB_CB(skb)->seq, below = key - len + 1;
	struct sks_tag_ref ref;
	struct sks_tag *e;
	bool merged;
	int n;

	for (n = 0; n < SKS_MERGED_MAX && after(below, seq); n++) {
		e = sks_tag_lock(cookie, below - 1, &ref);
		merged = e && !(e->state & SKS_TAG_ACK_DONE);
		if (merged) {
			sks_tag_pass(e, SKS_TAG_ACK_DONE, SKBSTAMP_STAGE_ACK, now);
			/* Module-keyed entries only: their key is their tskey. */
			merged = e->key == below - 1 && e->len;
		}
		if (merged) {
			if (cfg && sks_want(cfg, SKBSTAMP_STAGE_ACK))
				sks_report_stage(cfg, e, SKBSTAMP_STAGE_ACK,
						 now, NULL, NULL);
			/* The driver may still owe a stamp of its last send. */
			if (!sks_tag_hw_owed(e->state) &&
			    !(cfg && sks_want(cfg, SKBSTAMP_STAGE_TXDONE) &&
			      (e->state & SKS_TAG_SW_DONE) &&
			      !(e->state & SKS_TAG_TXDONE_DONE)))
				sks_tag_end(e);
			below -= e->len;
		}
		sks_tag_unlock(&ref);
		if (!merged)
			return;
	}
}

/*
 * Does the application want this stamp of its skb itself?  @app: its
 * SKBTX_* requests; @ack_ours: the ACK request is the module's.
 */
static bool sks_app_wants(unsigned int stage, u8 app, bool ack_ours,
			  bool hw)
{
	/* BPF timestamping asked too: its callbacks run in the original. */
	if (app & SKS_SKBTX_BPF)
		return true;
	switch (stage) {
	case SKBSTAMP_STAGE_SCHED:
		return app & SKBTX_SCHED_TSTAMP;
	case SKBSTAMP_STAGE_SW:
	case SKBSTAMP_STAGE_HW:
		return app & (hw ? SKBTX_HW_TSTAMP : SKBTX_SW_TSTAMP);
	default:
		return !ack_ours;
	}
}

/*
 * A stamp of an skb the module has no entry for: not one of the module's,
 * or its entry was reused under load.  Applications that want timestamps
 * must set the reporting flags with SO_TIMESTAMPING; without any, the
 * request can only have been the module's (or BPF timestamping's, which
 * runs in the original).
 */
static bool sks_untagged_wanted(const struct sk_buff *skb,
				const struct sock *sk)
{
	return READ_ONCE(sk->sk_tsflags) ||
	       (skb_shinfo(skb)->tx_flags & SKS_SKBTX_BPF);
}

/*
 * A stamp of a tagged skb: the stage is marked, and recorded or added to
 * the histograms, in the one hold of its entry's lock (sks_tag_lock()):
 * nothing is copied out.  Only the merged skbs an ACK stamp covers are
 * looked up after it is let go, each under its own lock.
 */
static bool sks_tstamp_tx_report(struct sk_buff *orig_skb,
				 struct skb_shared_hwtstamps *hwtstamps,
				 struct sock *sk, int tstype)
{
	u32 tskey = skb_shinfo(orig_skb)->tskey;
	bool in_progress = skb_shinfo(orig_skb)->tx_flags & SKBTX_IN_PROGRESS;
	const struct sks_config *cfg = sks_conf();
	struct sks_tag_ref ref;
	unsigned int stage;
	struct sks_tag *e;
	bool app_wants;
	u32 key, len;
	u64 cookie, now;
	u8 seen;

	if (!sk)
		return true;
	switch (tstype) {
	case SCM_TSTAMP_SCHED:
		stage = SKBSTAMP_STAGE_SCHED;
		seen = 0;
		break;
	case SCM_TSTAMP_SND:
		stage = hwtstamps ? SKBSTAMP_STAGE_HW : SKBSTAMP_STAGE_SW;
		/* The driver took a hardware request: that stamp is to come. */
		seen = hwtstamps ? SKS_TAG_HW_DONE : SKS_TAG_SW_DONE |
		       (in_progress ? SKS_TAG_HW_PENDING : 0);
		break;
	case SCM_TSTAMP_ACK:
		stage = SKBSTAMP_STAGE_ACK;
		seen = SKS_TAG_ACK_DONE;
		break;
	default:
		return true;
	}
	/* A socket the module never tagged for may have no cookie yet. */
	cookie = atomic64_read(&sk->sk_cookie);
	if (!cookie)
		return sks_untagged_wanted(orig_skb, sk);
	e = sks_tag_lock(cookie, tskey, &ref);
	if (!e) {
		sks_tag_unlock(&ref);
		return sks_untagged_wanted(orig_skb, sk);
	}
	/* The time is taken once the entry is held: stages stay in order. */
	now = ktime_get_ns();
	app_wants = sks_app_wants(stage, e->app, e->ack_ours, hwtstamps);
	sks_tag_pass(e, seen, stage, now);
	/* The write-queue skb's dev (the ACK's) aliases its rbtree node. */
	if (cfg && sks_want(cfg, stage))
		sks_report_stage(cfg, e, stage, now,
				 tstype == SCM_TSTAMP_ACK ? NULL : orig_skb,
				 hwtstamps);
	sks_tag_end_done(e, sks_mark_opts(cfg));
	key = e->key;
	len = e->len;
	sks_tag_unlock(&ref);
	/* Bytes before the entry's: skbs merged into this one. */
	if (stage == SKBSTAMP_STAGE_ACK &&
	    after(key - len + 1, TCP_SKB_CB(orig_skb)->seq))
		sks_tag_ack_merged(cfg, cookie, orig_skb, key, len, now);
	return app_wants;
}

/*
 * The redirected call runs in any context, preemptible too: the
 * configuration (an RCU-sched pointer) is read with preemption off.
 */
static bool sks_tstamp_tx_report_sched(struct sk_buff *orig_skb,
				       struct skb_shared_hwtstamps *hwtstamps,
				       struct sock *sk, int tstype)
{
	bool ret;

	preempt_disable_notrace();
	ret = sks_tstamp_tx_report(orig_skb, hwtstamps, sk, tstype);
	preempt_enable_notrace();
	return ret;
}

#include "compat/tstamp_tx.h"

/*
 * ftrace handler of __skb_tstamp_tx(): send the call to
 * sks_skb_tstamp_tx(), except when that is the caller.
 */
void sks_hook_skb_tstamp_tx(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	if (!sks_within_module_text(parent_ip))
		sks_ftrace_redirect(fregs, (unsigned long)sks_skb_tstamp_tx);
}

/* A released skb that asked for a software stamp, on a socket with a cookie. */
static noinline void sks_txdone(struct sk_buff *skb, u64 cookie)
{
	const struct sks_config *cfg = sks_conf();
	struct sks_tag_ref ref;
	struct sks_tag *e;
	u64 now;

	e = sks_tag_lock(cookie, skb_shinfo(skb)->tskey, &ref);
	/* The driver took the skb (sw), and this is the first release. */
	if (e && (e->state & SKS_TAG_SW_DONE) && !(e->state & SKS_TAG_TXDONE_DONE)) {
		now = ktime_get_ns();
		sks_tag_pass(e, SKS_TAG_TXDONE_DONE, SKBSTAMP_STAGE_TXDONE, now);
		if (sks_want(cfg, SKBSTAMP_STAGE_TXDONE))
			sks_report_stage(cfg, e, SKBSTAMP_STAGE_TXDONE, now,
					 skb, NULL);
		sks_tag_end_done(e, sks_mark_opts(cfg));
	}
	sks_tag_unlock(&ref);
}

/*
 * tcp_wfree() and sock_wfree(struct sk_buff *skb): the skb's memory goes
 * back to its socket because the driver released it after transmitting
 * (or, on veth, handed it to the peer).  A tagged skb that the driver
 * never took (dropped in the qdisc, say) has no sw stage and gets no
 * txdone: it was not transmitted.
 */
void sks_hook_txdone(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 0);
	u64 cookie;

	/*
	 * Every skb the module tags carries a software stamp request: most
	 * skbs leave here on that one test.
	 */
	if (!skb || !skb->sk ||
	    !(skb_shinfo(skb)->tx_flags & SKBTX_SW_TSTAMP) ||
	    !sks_traced_sk(skb->sk))
		return;
	cookie = atomic64_read(&skb->sk->sk_cookie);
	if (cookie)
		sks_txdone(skb, cookie);
}

/* Payload bytes of a TCP segment, or 0 if its headers are not in reach. */
static u32 sks_tcp_seg_payload(const struct sk_buff *seg, u32 *seq)
{
	const struct tcphdr *th;
	int off = skb_transport_offset(seg);

	if (!skb_transport_header_was_set(seg) || off < 0 ||
	    off + (int)sizeof(*th) > (int)skb_headlen(seg))
		return 0;
	th = tcp_hdr(seg);
	if (off + th->doff * 4 >= (int)seg->len)
		return 0;
	*seq = ntohl(th->seq);
	return seg->len - off - th->doff * 4;
}

/*
 * Tag @skb, a piece the stack cut from a tagged skb, as @t (key, tskey,
 * len set) with the requests @ours and none of the application's.  With
 * @replace false an entry already under @t->tskey is kept and the piece
 * goes untagged.
 */
static void sks_tag_piece(struct sk_buff *skb, struct sks_tag *t, u8 ours,
			  bool replace)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	t->gso_size = 0;
	t->app = 0;
	t->ack_ours = false;
	t->ours = ours;
	t->stamp = jiffies;
	if (replace)
		sks_tag_put(t);
	else if (!sks_tag_add(t))
		return;
	sh->tskey = t->tskey;
	sh->tx_flags |= ours;
}

/*
 * The pieces a datagram is split into (IP fragments, UDP GSO segments)
 * carry its key in their records; their entries need lookup keys of their
 * own.  The @idx-th piece (1..SKS_SUB_MAX) uses the datagram's key with
 * @idx in the top byte: UDP keys are a per-socket counter, so this cannot
 * meet the key of another datagram in flight (it would be 2^24 sends
 * away).
 */
#define SKS_SUB_MAX	255

/*
 * Tag the piece @skb of a datagram; @t is the datagram's entry with the
 * piece's offset, len and flags set.  The piece gets the requests @ours
 * and none of the application's, which are on the first piece.  An
 * entry already under the piece's lookup key (an application's own key
 * may be anything) is left alone, and the piece goes untagged.
 */
static void sks_tag_sub(struct sk_buff *skb, struct sks_tag *t, u32 idx, u8 ours)
{
	t->tskey = t->key ^ (idx << 24);
	t->seg_len = 0;
	sks_tag_piece(skb, t, ours, false);
}

/* UDP payload bytes of a datagram GSO made, or 0 if not in reach. */
static u32 sks_udp_seg_payload(const struct sk_buff *seg)
{
	int off = skb_transport_offset(seg);

	if (!skb_transport_header_was_set(seg) || off < 0 ||
	    off + (int)sizeof(struct udphdr) >= (int)seg->len)
		return 0;
	return seg->len - off - sizeof(struct udphdr);
}

/*
 * @first is the first datagram UDP GSO cut from a send (it kept the send's
 * requests, __udp_gso_segment()); the untagged datagrams of its socket
 * right after it, up to the send's length, are the others.  They get
 * driver stages of their own with the send's key; sched stays with the
 * send.  Returns the last skb looked at.
 */
static struct sk_buff *sks_tag_udp_segs(const struct sks_config *cfg,
					struct sk_buff *first)
{
	u64 cookie = atomic64_read(&first->sk->sk_cookie);
	u32 tskey = skb_shinfo(first)->tskey;
	u32 off, len, idx = 0;
	struct sks_tag parent, t;
	struct sk_buff *s, *last = first;

	if (!cookie || !sks_tag_get(cookie, tskey, &parent) ||
	    !parent.gso_size || parent.seg_len)
		return first;
	off = sks_udp_seg_payload(first);
	if (!off || off >= parent.len)
		return first;
	for (s = first->next; s && s->sk == first->sk && off < parent.len;
	     s = s->next) {
		if ((skb_shinfo(s)->tx_flags & SKBTX_ANY_TSTAMP) ||
		    ++idx > SKS_SUB_MAX)
			break;
		len = sks_udp_seg_payload(s);
		if (!len)
			break;
		t = parent;
		t.offset = off;
		t.len = len;
		t.state = SKS_TAG_SEGMENT;
		t.rflags |= SKBSTAMP_RF_SEGMENT;
		sks_tag_sub(s, &t, idx, sks_skbtx_mine(cfg) & ~SKBTX_SCHED_TSTAMP);
		off += len;
		last = s;
	}
	if (last != first)
		sks_tag_narrow(cookie, tskey, 0, sks_udp_seg_payload(first), 0);
	return last;
}

/*
 * Tag a segment software GSO cut from the tagged skb described by @parent:
 * it gets driver stages (sw, hw, txdone) of its own, keyed by its last
 * byte, and nothing the application asked for.
 */
static void sks_tag_segment(const struct sks_config *cfg, struct sk_buff *seg,
			    const struct sks_tag *parent)
{
	struct sks_tag t = *parent;
	u32 seq, len = sks_tcp_seg_payload(seg, &seq);

	if (!len)
		return;
	t.key = seq + len - 1;
	t.tskey = t.key;
	t.len = len;
	t.seg_len = len;
	t.state = SKS_TAG_SEGMENT;
	t.rflags |= SKBSTAMP_RF_SEGMENT;
	sks_tag_piece(seg, &t, sks_skbtx_mine(cfg) & ~SKBTX_SCHED_TSTAMP, true);
}

/*
 * @run .. @last (exclusive) are untagged skbs of @last's socket just before
 * it in a list of segments.  Those whose bytes lie within the skb @last was
 * cut from are its GSO siblings and get tagged; @last's entry learns that
 * its driver stages describe only its own bytes.
 */
static void sks_tag_run(const struct sks_config *cfg, struct sk_buff *run,
			struct sk_buff *last)
{
	u64 cookie = atomic64_read(&last->sk->sk_cookie);
	u32 tskey = skb_shinfo(last)->tskey;
	u32 seq, len, start, n = 0;
	struct sks_tag parent;
	struct sk_buff *p;

	if (!cookie || !sks_tag_get(cookie, tskey, &parent) || parent.seg_len)
		return;
	start = parent.key - parent.len + 1;
	for (p = run; p != last; p = p->next) {
		len = sks_tcp_seg_payload(p, &seq);
		if (len && seq - start < parent.len &&
		    seq + len - 1 - start < parent.len) {
			sks_tag_segment(cfg, p, &parent);
			n++;
		}
	}
	len = sks_tcp_seg_payload(last, &seq);
	if (n && len)
		sks_tag_narrow(cookie, tskey, 0, len, 0);
}

/*
 * @first heads a list of skbs software GSO cut from one skb (its
 * segments), on their way to the driver.  The kernel moved the GSO skb's
 * timestamp requests to the segment holding its tskey, the last of its
 * run (tcp_gso_tstamp()), or, for UDP, to the first datagram
 * (__udp_gso_segment()); the other segments of the same socket get
 * tagged here.
 */
static void sks_tag_gso_segs(const struct sks_config *cfg,
			     struct sk_buff *first)
{
	struct sk_buff *s, *run = NULL;

	for (s = first; s; s = s->next) {
		struct sock *sk = s->sk;

		if (!sk || !sks_traced_sk(sk)) {
			run = NULL;
			continue;
		}
		if (sk->sk_protocol == IPPROTO_UDP &&
		    (skb_shinfo(s)->tx_flags & SKBTX_SW_TSTAMP)) {
			s = sks_tag_udp_segs(cfg, s);
			run = NULL;
			continue;
		}
		if (sk->sk_protocol != IPPROTO_TCP) {
			run = NULL;
			continue;
		}
		if (run && run->sk != sk)
			run = NULL;
		if (!(skb_shinfo(s)->tx_flags & SKBTX_SW_TSTAMP)) {
			if (!run)
				run = s;
			continue;
		}
		/* A tagged segment closes the run of its GSO skb. */
		if (run)
			sks_tag_run(cfg, run, s);
		run = NULL;
	}
}

/*
 * Called instead of __skb_gso_segment() (redirected as __skb_tstamp_tx()
 * is), which software GSO cuts an skb with, and only then: the segments
 * it returns are tagged here, where a hook on the driver's entry
 * (dev_hard_start_xmit()) would cost every packet of the host a hooked
 * call.  The call to the original is a real call (the hook lets it
 * through by its return address, see compat/tstamp_tx.h), and it runs
 * in any context, preemptible too: the configuration is read with
 * preemption off.
 */
static struct sk_buff *sks_skb_gso_segment(struct sk_buff *skb,
					   netdev_features_t features,
					   bool tx_path)
{
	struct sk_buff *segs = __skb_gso_segment(skb, features, tx_path);
	const struct sks_config *cfg;

	if (IS_ERR_OR_NULL(segs) || !segs->next)
		return segs;
	preempt_disable_notrace();
	cfg = sks_conf();
	if (cfg)
		sks_tag_gso_segs(cfg, segs);
	preempt_enable_notrace();
	return segs;
}

/* ftrace handler of __skb_gso_segment(): as the one of __skb_tstamp_tx(). */
void sks_hook_gso_segment(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	if (!sks_within_module_text(parent_ip))
		sks_ftrace_redirect(fregs, (unsigned long)sks_skb_gso_segment);
}

/*
 * ip_do_fragment() and ip6_fragment(struct net *net, struct sock *sk,
 * struct sk_buff *skb, output): @skb is a datagram larger than the MTU.
 * IP keeps its timestamp requests on the first fragment only.  When its
 * pieces are a frag_list already (as UDP builds a large datagram), each
 * later piece is sent as a fragment as it is, and is tagged here.  IP
 * copies into new skbs instead when the skb is cloned or a piece shared
 * (not tagged, checked first) or, rarely, when a piece no longer fits
 * (the path MTU shrank since the send, or no headroom): then no fragment
 * is an skb the module tagged, and the entries count as abandoned at
 * stop.
 */
void sks_hook_ip_fragment(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sk_buff *skb = (struct sk_buff *)sks_ftrace_arg(fregs, 2);
	const struct sks_config *cfg = sks_conf();
	u32 off, idx = 0, tskey;
	struct sks_tag parent, t;
	struct sk_buff *frag;
	u64 cookie;

	/* Shared pieces (a cloned skb) go the copying way. */
	if (!skb || !skb->sk || !skb_has_frag_list(skb) || skb_cloned(skb) ||
	    !(skb_shinfo(skb)->tx_flags & SKBTX_SW_TSTAMP) ||
	    !sks_traced_sk(skb->sk) || skb->sk->sk_protocol != IPPROTO_UDP)
		return;
	cookie = atomic64_read(&skb->sk->sk_cookie);
	tskey = skb_shinfo(skb)->tskey;
	if (!cookie || !sks_tag_get(cookie, tskey, &parent) ||
	    (parent.rflags & SKBSTAMP_RF_FRAGMENT))
		return;
	off = skb_pagelen(skb) - skb_transport_offset(skb) - sizeof(struct udphdr);
	if (off >= parent.len)
		return;
	/* All pieces or none: a datagram is never half tagged. */
	skb_walk_frags(skb, frag)
		if (++idx > SKS_SUB_MAX || skb_shared(frag))
			return;
	idx = 0;
	sks_tag_narrow(cookie, tskey, off, 0, SKBSTAMP_RF_FRAGMENT);
	skb_walk_frags(skb, frag) {
		idx++;
		t = parent;
		t.offset = off;
		t.len = frag->len;
		t.rflags |= SKBSTAMP_RF_FRAGMENT;
		sks_tag_sub(frag, &t, idx, sks_skbtx_mine(cfg));
		off += frag->len;
	}
}

/*
 * inet_sock_destruct(struct sock *sk), the end of every TCP and UDP
 * socket: each skb the socket sent held its memory, so none is left, and
 * the socket's entry (sender, UDP key counter) is not needed any more.
 */
void sks_hook_sock_destruct(sks_ftrace_regs_t *fregs, unsigned long parent_ip)
{
	struct sock *sk = (struct sock *)sks_ftrace_arg(fregs, 0);
	u64 cookie;

	if (!sk)
		return;
	cookie = atomic64_read(&sk->sk_cookie);
	if (cookie)
		sks_sock_forget(cookie);
}
