// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration 7 of the benchmark: what BPF timestamping (Linux 6.15+)
 * costs for the same stages skbstamp records.  A sock_ops program turns
 * SK_BPF_CB_TX_TIMESTAMPING on for every TCP connection of the cgroup once
 * it is established, asks in BPF_SOCK_OPS_TSTAMP_SENDMSG_CB for the send
 * call's skbs to be tracked (bpf_sock_ops_enable_tx_tstamp), and sends one
 * record per stage (sendmsg, sched, sw, ack) to user space through a ring
 * buffer, as skbstamp's records mode does through netlink.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

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

SEC("sockops")
int sks_bpfts(struct bpf_sock_ops *skops)
{
	int flags = SK_BPF_CB_TX_TIMESTAMPING;
	struct sks_bpfts_rec *r;
	__u32 zero = 0;
	__u64 *lost;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		bpf_setsockopt(skops, SOL_SOCKET, SK_BPF_CB_FLAGS, &flags,
			       sizeof(flags));
		return 1;
	case BPF_SOCK_OPS_TSTAMP_SENDMSG_CB:
		bpf_sock_ops_enable_tx_tstamp(bpf_cast_to_kern_ctx(skops), 0);
		break;
	case BPF_SOCK_OPS_TSTAMP_SCHED_CB:
	case BPF_SOCK_OPS_TSTAMP_SND_SW_CB:
	case BPF_SOCK_OPS_TSTAMP_ACK_CB:
		break;
	default:
		return 1;
	}
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

char _license[] SEC("license") = "GPL";
