/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which packets are traced (filter.c).
 */
#ifndef SKS_FILTER_H
#define SKS_FILTER_H

#include <linux/types.h>
#include <asm/byteorder.h>

struct sks_config;
struct sock;
struct sks_flow;
struct sks_rx;

/* Bits of sks_filter.fields: which filters are set. */
#define SKS_F_PID	BIT(0)
#define SKS_F_CGROUP	BIT(1)
#define SKS_F_NETNS	BIT(2)
#define SKS_F_PROTO	BIT(3)
#define SKS_F_FAMILY	BIT(4)
#define SKS_F_SADDR	BIT(5)
#define SKS_F_DADDR	BIT(6)
#define SKS_F_SPORT	BIT(7)
#define SKS_F_DPORT	BIT(8)
#define SKS_F_IFINDEX	BIT(9)

struct sks_filter {
	u32 fields;
	u32 pid;
	u64 cgroup;
	u32 netns;
	u8 proto;
	u8 family;
	u8 saddr_plen;
	u8 daddr_plen;
	u8 saddr[16];
	u8 daddr[16];
	u16 sport;
	u16 dport;
	int ifindex;
	u32 sample;
	bool acks;		/* received pure TCP ACKs are traced too */
};

/*
 * Is the packet of flow @fl, sent on @sk through
 * device @ifindex (0: not known yet), one the filters on the flow, the
 * socket and the device let through?  Needs no lookup: hooks call it first.
 */
bool sks_filter_match_flow(const struct sks_config *cfg, const struct sock *sk,
			   const struct sks_flow *fl, int ifindex);

/*
 * The first look of the hooks every packet passes, before they build a
 * flow: could a packet of protocol @proto from port @sport (0: not chosen
 * yet, which does not fail, as in sks_filter_match_flow()) to port @dport
 * (network order) match the protocol and port filters?  A yes is only a
 * maybe: sks_filter_match_flow() decides.  Kept to loads and compares
 * the socket or the headers give at hand, because a filter that excludes
 * most traffic is usually on ports or protocol.
 */
static __always_inline bool
sks_filter_ports_may_match(const struct sks_filter *f, u8 proto, __be16 sport,
			   __be16 dport)
{
	u32 fields = f->fields;

	if (likely(!(fields & (SKS_F_PROTO | SKS_F_SPORT | SKS_F_DPORT))))
		return true;
	if ((fields & SKS_F_PROTO) && proto != f->proto)
		return false;
	if ((fields & SKS_F_SPORT) && sport && sport != htons(f->sport))
		return false;
	return !(fields & SKS_F_DPORT) || dport == htons(f->dport);
}

/* Do the filters need the packet's sender (its owner's lookup)? */
static inline bool sks_filter_needs_owner(const struct sks_filter *f)
{
	return f->fields & SKS_F_PID;
}

/* The sender filter alone: is thread group @pid one that is traced? */
static inline bool sks_filter_pid(const struct sks_filter *f, u32 pid)
{
	return !(f->fields & SKS_F_PID) || pid == f->pid;
}

/* At a send call: is this call one of the sampled ones? */
bool sks_filter_sample(const struct sks_config *cfg);

#define SKS_FILTER_NOMATCH	0
#define SKS_FILTER_MATCH	1
#define SKS_FILTER_UNKNOWN	2
int sks_filter_rx(const struct sks_config *cfg, const struct sks_rx *e,
		  const struct sock *sk);
bool sks_filter_sample_rx(const struct sks_config *cfg);

#endif /* SKS_FILTER_H */
