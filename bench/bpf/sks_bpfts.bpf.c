// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration 7 of the benchmark: what BPF timestamping (Linux 6.15+)
 * costs for the same stages skbstamp records.  A sock_ops program turns
 * SK_BPF_CB_TX_TIMESTAMPING on for every TCP connection of the cgroup once
 * it is established, asks in BPF_SOCK_OPS_TSTAMP_SENDMSG_CB for the send
 * call's skbs to be tracked (bpf_sock_ops_enable_tx_tstamp), and sends one
 * record per stage (sendmsg, sched, sw, ack) to user space through a ring
 * buffer, as skbstamp's records mode does through netlink.
 *
 * Configuration 10 attaches sks_bpfts_hist instead: the same callbacks
 * keep each skb's sendmsg, sched and software times in a hash map keyed
 * by (socket cookie, tskey), and add the delays sendmsg->sched,
 * sched->sw, sw->ack (and sendmsg->ack) to per-CPU log2 histograms, as
 * skbstamp's summary mode does; nothing goes to user space until the
 * loader reads the histograms at exit.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define SOL_SOCKET	1

#include "sks_kfuncs.h"

struct sks_bpfts_rec {
	__u64 ts_ns;
	__u64 cookie;
	__u32 op;
	__u32 saddr;
	__u32 daddr;
	__u32 sport;
	__u32 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} sks_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sks_lost SEC(".maps");

/*
 * What both programs do first: switch BPF timestamping on for each
 * connection once established, and ask for the send call's skbs to be
 * tracked.  Returns whether @skops is a timestamping callback (the send
 * call's or a stage's) for the program to handle.
 */
static __always_inline int sks_tstamp_cb(struct bpf_sock_ops *skops)
{
	int flags = SK_BPF_CB_TX_TIMESTAMPING;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		bpf_setsockopt(skops, SOL_SOCKET, SK_BPF_CB_FLAGS, &flags,
			       sizeof(flags));
		return 0;
	case BPF_SOCK_OPS_TSTAMP_SENDMSG_CB:
		bpf_sock_ops_enable_tx_tstamp(bpf_cast_to_kern_ctx(skops), 0);
		return 1;
	case BPF_SOCK_OPS_TSTAMP_SCHED_CB:
	case BPF_SOCK_OPS_TSTAMP_SND_SW_CB:
	case BPF_SOCK_OPS_TSTAMP_ACK_CB:
		return 1;
	default:
		return 0;
	}
}

SEC("sockops")
int sks_bpfts(struct bpf_sock_ops *skops)
{
	struct sks_bpfts_rec *r;
	__u32 zero = 0;
	__u64 *lost;

	if (!sks_tstamp_cb(skops))
		return 1;
	r = bpf_ringbuf_reserve(&sks_events, sizeof(*r), 0);
	if (!r) {
		lost = bpf_map_lookup_elem(&sks_lost, &zero);
		if (lost)
			(*lost)++;
		return 1;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->cookie = bpf_get_socket_cookie(skops);
	r->op = skops->op;
	r->saddr = skops->local_ip4;
	r->daddr = skops->remote_ip4;
	r->sport = skops->local_port;
	r->dport = skops->remote_port;	/* network order, as sock_ops gives it */
	bpf_ringbuf_submit(r, 0);
	return 1;
}

/* One skb in flight: when it passed sendmsg, sched and sw (0: not yet). */
struct sks_bpfts_key {
	__u64 cookie;
	__u32 tskey;
	__u32 pad;
};

struct sks_bpfts_times {
	__u64 ts[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct sks_bpfts_key);
	__type(value, struct sks_bpfts_times);
} sks_inflight SEC(".maps");

#define SKS_BPFTS_PAIRS		4	/* sendmsg-sched sched-sw sw-ack sendmsg-ack */
#define SKS_BPFTS_BUCKETS	64	/* bucket i: [2^i, 2^(i+1)) ns */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKS_BPFTS_PAIRS * SKS_BPFTS_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} sks_hist SEC(".maps");

static __always_inline __u32 sks_log2(__u64 v)
{
	__u32 r = 0;

	__u32 shift;

	for (shift = 32; shift; shift >>= 1) {
		if (v >> shift) {
			v >>= shift;
			r += shift;
		}
	}
	return r;
}

static __always_inline void sks_hist_add(__u32 pair, __u64 from, __u64 to)
{
	__u32 idx;
	__u64 *b;

	if (!from || to < from)
		return;
	idx = pair * SKS_BPFTS_BUCKETS + sks_log2(to - from);
	b = bpf_map_lookup_elem(&sks_hist, &idx);
	if (b)
		(*b)++;
}

/* The key of the skb the callback is about: its socket and tskey. */
static __always_inline void sks_key_of(struct bpf_sock_ops *skops,
				       struct sks_bpfts_key *key)
{
	struct bpf_sock_ops_kern *kern = bpf_cast_to_kern_ctx(skops);
	struct sk_buff *skb = kern->skb;
	struct skb_shared_info *sh;

	sh = bpf_rdonly_cast(skb->head + skb->end,
			     bpf_core_type_id_kernel(struct skb_shared_info));
	key->cookie = bpf_get_socket_cookie(skops);
	key->tskey = sh->tskey;
	key->pad = 0;
}

SEC("sockops")
int sks_bpfts_hist(struct bpf_sock_ops *skops)
{
	struct sks_bpfts_times *t, fresh = {};
	struct sks_bpfts_key key;
	__u64 now;

	if (!sks_tstamp_cb(skops))
		return 1;
	if (skops->op == BPF_SOCK_OPS_TSTAMP_SENDMSG_CB) {
		sks_key_of(skops, &key);
		fresh.ts[0] = bpf_ktime_get_ns();
		bpf_map_update_elem(&sks_inflight, &key, &fresh, BPF_ANY);
		return 1;
	}
	now = bpf_ktime_get_ns();
	sks_key_of(skops, &key);
	t = bpf_map_lookup_elem(&sks_inflight, &key);
	if (!t)
		return 1;
	switch (skops->op) {
	case BPF_SOCK_OPS_TSTAMP_SCHED_CB:
		sks_hist_add(0, t->ts[0], now);
		t->ts[1] = now;
		break;
	case BPF_SOCK_OPS_TSTAMP_SND_SW_CB:
		sks_hist_add(1, t->ts[1], now);
		t->ts[2] = now;
		break;
	default:
		sks_hist_add(2, t->ts[2], now);
		sks_hist_add(3, t->ts[0], now);
		bpf_map_delete_elem(&sks_inflight, &key);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "GPL";
