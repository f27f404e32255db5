// SPDX-License-Identifier: GPL-2.0
/*
 * Filters: which packets are traced.
 *
 * They run at the first hook a packet meets (the send call, or the point
 * where the module would tag the skb), before anything is written to the
 * skb: a packet that does not match costs this check and nothing else.
 * The filters on the flow, the socket and the device
 * (sks_filter_match_flow()) need nothing but the socket and the packet,
 * and come before any lookup.  Only the pid filter, in the tagging hooks
 * (which need not run in the sender's context), needs the socket's entry
 * (sockstate.c).  Each hook passes the configuration it read once (see
 * sks_conf()).
 */
#include <linux/cgroup.h>
#include <linux/in.h>
#include <linux/percpu.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "skbstamp.h"
#include "filter.h"
#include "track.h"

/*
 * Sampling counts per CPU: a shared counter would bounce between CPUs on
 * every send and every received packet.  One in N still holds per CPU.
 */
static DEFINE_PER_CPU(u32, sks_sample_tx);
static DEFINE_PER_CPU(u32, sks_sample_rx);

/* Callers are hooks: preemption is off. */
static bool sks_sample_one(u32 __percpu *count, u32 n)
{
	return n <= 1 || this_cpu_inc_return(*count) % n == 0;
}

/* Do the first @plen bits of @a and @b agree? */
static bool sks_prefix_match(const u8 *a, const u8 *b, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !bits || !((a[bytes] ^ b[bytes]) & (0xff << (8 - bits)));
}

static bool sks_cgroup_match(const struct sock *sk, u64 id)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct cgroup *c;

	for (c = sock_cgroup_ptr((struct sock_cgroup_data *)&sk->sk_cgrp_data);
	     c; c = cgroup_parent(c))
		if (cgroup_id(c) == id)
			return true;
#endif
	return false;
}

static bool sks_addr_unset(const u8 *a)
{
	static const u8 zero[16];

	return !memcmp(a, zero, sizeof(zero));
}

/*
 * The filters on the packet's own flow.  @partial: a source address or
 * port not chosen yet (an unconnected UDP socket at its send call) does
 * not fail the match; the tagging hook, which sees the headers, decides.
 */
static bool sks_filter_flow(const struct sks_filter *f,
			    const struct sks_flow *fl, bool partial)
{
	u32 fields = f->fields;

	if ((fields & SKS_F_PROTO) && fl->proto != f->proto)
		return false;
	if ((fields & SKS_F_FAMILY) && fl->family != f->family)
		return false;
	if ((fields & SKS_F_SPORT) && !(partial && !fl->sport) &&
	    ntohs(fl->sport) != f->sport)
		return false;
	if ((fields & SKS_F_DPORT) && ntohs(fl->dport) != f->dport)
		return false;
	if ((fields & SKS_F_SADDR) && !(partial && sks_addr_unset(fl->saddr)) &&
	    !sks_prefix_match(fl->saddr, f->saddr, f->saddr_plen))
		return false;
	if ((fields & SKS_F_DADDR) &&
	    !sks_prefix_match(fl->daddr, f->daddr, f->daddr_plen))
		return false;
	return true;
}

/*
 * Everything but the sender: what the socket itself and the packet's
 * headers tell, so no table is looked up.  Hooks run this before anything
 * that costs (cookie, locks, the owner's lookup).
 */
bool sks_filter_match_flow(const struct sks_config *cfg, const struct sock *sk,
			   const struct sks_flow *fl, int ifindex)
{
	const struct sks_filter *f = &cfg->filter;
	u32 fields = f->fields;

	if (likely(!fields))
		return true;
	if (!sks_filter_flow(f, fl, true))
		return false;
	if ((fields & SKS_F_NETNS) && sock_net(sk)->ns.inum != f->netns)
		return false;
	if ((fields & SKS_F_IFINDEX) && ifindex && ifindex != f->ifindex)
		return false;
	if ((fields & SKS_F_CGROUP) && !sks_cgroup_match(sk, f->cgroup))
		return false;
	return true;
}

/*
 * A received packet (@e: flow, device and namespace known), at a stage
 * where @sk is its socket (NULL before sockq).  Addresses and ports are the
 * packet's own: a filter on dport 80 traces what is sent to port 80 and
 * what arrives at it.  The socket's cgroup is known from sockq on, the
 * process (the one that reads) at read.  Returns SKS_FILTER_MATCH or
 * SKS_FILTER_NOMATCH once known, else SKS_FILTER_UNKNOWN.
 */
int sks_filter_rx(const struct sks_config *cfg, const struct sks_rx *e,
		  const struct sock *sk)
{
	const struct sks_filter *f = &cfg->filter;
	u32 fields = f->fields;
	bool unknown = false;

	if (likely(!fields))
		return SKS_FILTER_MATCH;
	if (!sks_filter_flow(f, &e->flow, false))
		return SKS_FILTER_NOMATCH;
	if ((fields & SKS_F_NETNS) && e->netns != f->netns)
		return SKS_FILTER_NOMATCH;
	if ((fields & SKS_F_IFINDEX) && e->ifindex != f->ifindex)
		return SKS_FILTER_NOMATCH;
	if (fields & SKS_F_CGROUP) {
		if (!sk)
			unknown = true;
		else if (!sks_cgroup_match(sk, f->cgroup))
			return SKS_FILTER_NOMATCH;
	}
	if (fields & SKS_F_PID) {
		if (!(e->state & SKS_RX_OWNER))
			unknown = true;
		else if (e->pid != f->pid)
			return SKS_FILTER_NOMATCH;
	}
	return unknown ? SKS_FILTER_UNKNOWN : SKS_FILTER_MATCH;
}

/* Receive sampling: one packet in N, counted apart from send calls. */
bool sks_filter_sample_rx(const struct sks_config *cfg)
{
	return sks_sample_one(&sks_sample_rx, cfg->filter.sample);
}

bool sks_filter_sample(const struct sks_config *cfg)
{
	return sks_sample_one(&sks_sample_tx, cfg->filter.sample);
}
