// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks, found by name and registered only while tracing.
 *
 * Every hook is an ftrace callback on a kernel function, found by name
 * (ksym.c) when the module loads.  A function the compiler inlined or
 * renamed on this kernel is simply not found: the stages that need it are
 * reported unavailable (STAGES_AVAIL, and a line in the kernel log)
 * instead of silently producing nothing.
 *
 * Hooks are registered at START for the configured stages and all are
 * unregistered at STOP, so a stopped module costs the stack nothing.
 */
#include <linux/ftrace.h>
#include <linux/netlink.h>
#include <linux/module.h>
#include <linux/string.h>

#include "skbstamp.h"
#include "hook.h"
#include "compat/tcp_drop.h"

/*
 * Hooks are registered in groups, one ftrace_ops each: the functions one
 * set of stages needs.  A START or STOP then costs ftrace one code update
 * and, at STOP, one RCU-tasks grace period per group instead of per
 * function (each at least HZ/10: a STOP's time is mostly these waits).
 * The group's callback tells the functions apart by the ftrace location
 * it is called for and calls their handlers directly, so a group only
 * takes in a function its hot ones never compare against: one that a
 * different set of stages needs says so (.stages), and each START
 * filters the group's ops to what it needs (sks_group_filter()).
 */
enum sks_group {
	SKS_G_SENDMSG,
	SKS_G_TAGGED,
	SKS_G_GSO,
	SKS_G_TSTAMP_TX,
	SKS_G_TXDONE,
	SKS_G_RX_TRACK,
	SKS_G_RX_MERGE,
	SKS_G_RX_IRQ,
	SKS_G_RX_NAPI,
	SKS_G_RX_IP,
	SKS_G_RX_L4,
	SKS_G_RX_SOCKQ,
	SKS_G_RX_READ,
	SKS_NR_GROUPS
};

enum sks_hook_id {
	SKS_H_TCP_SENDMSG,
	SKS_H_UDP_SENDMSG,
	SKS_H_UDPV6_SENDMSG,
	SKS_H_TCP_TRANSMIT,
	SKS_H_IP_SEND_SKB,
	SKS_H_IP6_SEND_SKB,
	SKS_H_GSO_SEGMENT,
	SKS_H_IP_FRAGMENT,
	SKS_H_IP6_FRAGMENT,
	SKS_H_TSTAMP_TX,
	SKS_H_TCP_WFREE,
	SKS_H_SOCK_WFREE,
	SKS_H_SOCK_DESTRUCT,
	SKS_H_KFREE_SKB,
	SKS_H_KFREE_SKB_PARTIAL,
	SKS_H_STOLEN_HEAD_FREE,
	SKS_H_KFREE_SKB_DEFER,
	SKS_H_NAPI_KFREE_SKB,
	SKS_H_DEFER_FREE,
	SKS_H_COPY_SKB_HEADER,
	SKS_H_GRO_RECEIVE,
	SKS_H_TRY_COALESCE,
	SKS_H_NAPI_SCHEDULE,
	SKS_H_NAPI_SCHEDULE_IRQOFF,
	SKS_H_NAPI_GRO,
	SKS_H_NETIF_RECEIVE_SKB,
	SKS_H_NETIF_RX,
	SKS_H_NETIF_RX2,
	SKS_H_NETIF_RECEIVE_SKB_LIST,
	SKS_H_IP_RCV,
	SKS_H_IPV6_RCV,
	SKS_H_IP_LIST_RCV,
	SKS_H_IPV6_LIST_RCV,
	SKS_H_TCP_V4_RCV,
	SKS_H_TCP_V6_RCV,
	SKS_H_UDP_RCV,
	SKS_H_UDPV6_RCV,
	SKS_H_TCP_RCV_ESTABLISHED,
	SKS_H_TCP_RCV_STATE,
	SKS_H_UDP_ENQUEUE,
	SKS_H_COPY_DATAGRAM,
	SKS_H_COPY_AND_CSUM,
	SKS_H_CONSUME_UDP,
	SKS_H_SPLICE_BITS,
	SKS_H_TCP_RECV_SKB,
	SKS_NR_HOOKS
};

struct sks_fhook {
	const char *func;	/* kernel function; NULL: not on this kernel */
	enum sks_group group;
	/* the stages that need it; 0: its group's (sks_hook_stages()) */
	u32 stages;
	bool helper;		/* needed by its stages, provides none */
	bool optional;		/* a helper they can do without */
	unsigned long addr;	/* its ftrace location; 0: not hooked */
	bool in_filter;		/* in its group's ftrace filter */
};

static struct sks_fhook sks_fhooks[SKS_NR_HOOKS] = {
	[SKS_H_TCP_SENDMSG] = { "tcp_sendmsg_locked", SKS_G_SENDMSG },
	[SKS_H_UDP_SENDMSG] = { "udp_sendmsg", SKS_G_SENDMSG },
	[SKS_H_UDPV6_SENDMSG] = { "udpv6_sendmsg", SKS_G_SENDMSG },
	[SKS_H_TCP_TRANSMIT] = { "__tcp_transmit_skb", SKS_G_TAGGED },
	[SKS_H_IP_SEND_SKB] = { "ip_send_skb", SKS_G_TAGGED },
	[SKS_H_IP6_SEND_SKB] = { "ip6_send_skb", SKS_G_TAGGED },
	/*
	 * Software GSO: the segments it cuts a tagged skb into, redirected
	 * (tx.c).  Without it, such a tagged skb's records describe only
	 * its last segment's driver stages.
	 */
	[SKS_H_GSO_SEGMENT] = { "__skb_gso_segment", SKS_G_GSO,
				.helper = true, .optional = true },
	/* IP fragments of a datagram larger than the MTU. */
	[SKS_H_IP_FRAGMENT] = { "ip_do_fragment", SKS_G_TAGGED },
	[SKS_H_IP6_FRAGMENT] = { "ip6_fragment", SKS_G_TAGGED },
	[SKS_H_TSTAMP_TX] = { "__skb_tstamp_tx", SKS_G_TSTAMP_TX },
	/*
	 * The socket's write-memory destructors: the driver (or veth, handing
	 * the skb to its peer) releases a transmitted skb.
	 */
	[SKS_H_TCP_WFREE] = { "tcp_wfree", SKS_G_TXDONE },
	[SKS_H_SOCK_WFREE] = { "sock_wfree", SKS_G_TXDONE },
	/*
	 * A socket's end frees its entry in the socket table (which the
	 * send calls and tagging fill); without it, LRU reuse alone.  In
	 * the send calls' group, so that STOP waits for one grace period
	 * fewer (see the groups above), though tagging alone needs it too.
	 */
	[SKS_H_SOCK_DESTRUCT] = { "inet_sock_destruct", SKS_G_SENDMSG,
				  .stages = SKS_STAGES_SENDMSG |
					    SKS_STAGES_TAGGED,
				  .helper = true, .optional = true },
	/* Receive (rx.c): the frees and clones of the skbs it tracks. */
	[SKS_H_KFREE_SKB] = { "__kfree_skb", SKS_G_RX_TRACK, .helper = true },
	[SKS_H_KFREE_SKB_PARTIAL] = { "kfree_skb_partial", SKS_G_RX_TRACK,
				      .helper = true },
	/* Where the kernel has them (compat.h; NULL: skipped). */
	[SKS_H_STOLEN_HEAD_FREE] = { SKS_STOLEN_HEAD_FREE_FUNC, SKS_G_RX_TRACK,
				     .helper = true, .optional = true },
	[SKS_H_KFREE_SKB_DEFER] = { SKS_KFREE_SKB_DEFER_FUNC, SKS_G_RX_TRACK,
				    .helper = true, .optional = true },
	[SKS_H_NAPI_KFREE_SKB] = { SKS_NAPI_KFREE_SKB_FUNC, SKS_G_RX_TRACK,
				   .helper = true, .optional = true },
	/*
	 * TCP's reader gives a read skb back here, to be freed now or later
	 * by the CPU that allocated it: later may be long after (its list
	 * waits for that CPU's next receive), and now goes through
	 * functions the compiler may inline.  Either way nothing uses the
	 * skb after this call, so its entry ends here.
	 */
	[SKS_H_DEFER_FREE] = { SKS_DEFER_FREE_FUNC, SKS_G_RX_TRACK,
			       .helper = true, .optional = true },
	[SKS_H_COPY_SKB_HEADER] = { "__copy_skb_header", SKS_G_RX_TRACK,
				    .helper = true, .optional = true },
	[SKS_H_GRO_RECEIVE] = { "skb_gro_receive", SKS_G_RX_MERGE },
	[SKS_H_TRY_COALESCE] = { "skb_try_coalesce", SKS_G_RX_MERGE },
	[SKS_H_NAPI_SCHEDULE] = { "__napi_schedule", SKS_G_RX_IRQ },
	[SKS_H_NAPI_SCHEDULE_IRQOFF] = { "__napi_schedule_irqoff", SKS_G_RX_IRQ },
	[SKS_H_NAPI_GRO] = { SKS_NAPI_GRO_FUNC, SKS_G_RX_NAPI },
	[SKS_H_NETIF_RECEIVE_SKB] = { "netif_receive_skb", SKS_G_RX_NAPI },
	[SKS_H_NETIF_RX] = { "netif_rx", SKS_G_RX_NAPI },
	[SKS_H_NETIF_RX2] = { SKS_NETIF_RX2_FUNC, SKS_G_RX_NAPI },
	/* Drivers that hand a poll's packets over as one list. */
	[SKS_H_NETIF_RECEIVE_SKB_LIST] = { "netif_receive_skb_list",
					   SKS_G_RX_NAPI, .helper = true,
					   .optional = true },
	[SKS_H_IP_RCV] = { "ip_rcv", SKS_G_RX_IP },
	[SKS_H_IPV6_RCV] = { "ipv6_rcv", SKS_G_RX_IP },
	[SKS_H_IP_LIST_RCV] = { "ip_list_rcv", SKS_G_RX_IP },
	[SKS_H_IPV6_LIST_RCV] = { "ipv6_list_rcv", SKS_G_RX_IP },
	[SKS_H_TCP_V4_RCV] = { "tcp_v4_rcv", SKS_G_RX_L4 },
	[SKS_H_TCP_V6_RCV] = { "tcp_v6_rcv", SKS_G_RX_L4 },
	[SKS_H_UDP_RCV] = { "udp_rcv", SKS_G_RX_L4 },
	[SKS_H_UDPV6_RCV] = { "udpv6_rcv", SKS_G_RX_L4 },
	[SKS_H_TCP_RCV_ESTABLISHED] = { "tcp_rcv_established", SKS_G_RX_SOCKQ },
	[SKS_H_TCP_RCV_STATE] = { "tcp_rcv_state_process", SKS_G_RX_SOCKQ },
	[SKS_H_UDP_ENQUEUE] = { "__udp_enqueue_schedule_skb", SKS_G_RX_SOCKQ },
	[SKS_H_COPY_DATAGRAM] = { "skb_copy_datagram_iter", SKS_G_RX_READ },
	[SKS_H_COPY_AND_CSUM] = { "skb_copy_and_csum_datagram_msg",
				  SKS_G_RX_READ },
	[SKS_H_CONSUME_UDP] = { "skb_consume_udp", SKS_G_RX_READ },
	/* TCP's splice() to a pipe: a read without a copy. */
	[SKS_H_SPLICE_BITS] = { "skb_splice_bits", SKS_G_RX_READ,
				.helper = true, .optional = true },
	/*
	 * Where TCP's readers that do not copy give the data they took back
	 * (TCP_ZEROCOPY_RECEIVE, tcp_read_sock()): never on recvmsg()'s path.
	 */
	[SKS_H_TCP_RECV_SKB] = { "tcp_recv_skb", SKS_G_RX_READ,
				 .helper = true, .optional = true },
};

/*
 * Is the callback, called for the ftrace location @ip, running for hook
 * @id?  A function's fentry call is at its address, or one endbr64 past
 * it where kprobes did not already skip that; hooked functions are at
 * least 16 bytes apart, so the window cannot take in another one.
 */
#define SKS_FENTRY_SLACK	8

static __always_inline bool sks_at(unsigned long ip, enum sks_hook_id id)
{
	return ip - sks_fhooks[id].addr < SKS_FENTRY_SLACK;
}

/*
 * A group's handlers, for @ip.  Every branch names its functions: a
 * callback never hands a function's arguments to another's handler.
 * Groups of one handler need no test (the ops' filter is the test).
 */
static __always_inline void sks_dispatch(enum sks_group g, unsigned long ip,
					 sks_ftrace_regs_t *fregs,
					 unsigned long pip)
{
	/*
	 * What the handlers read: the function's arguments, but for the
	 * redirecting hooks, which may get no register frame (compat.h).
	 */
	if (!fregs || (g != SKS_G_TSTAMP_TX && g != SKS_G_GSO &&
		       !sks_ftrace_has_args(fregs)))
		return;
	switch (g) {
	case SKS_G_SENDMSG:
		if (sks_at(ip, SKS_H_TCP_SENDMSG))
			sks_hook_tcp_sendmsg(fregs, pip);
		else if (sks_at(ip, SKS_H_UDP_SENDMSG) ||
			 sks_at(ip, SKS_H_UDPV6_SENDMSG))
			sks_hook_udp_sendmsg(fregs, pip);
		/* Last: a socket ends once, it sends many times. */
		else if (unlikely(sks_at(ip, SKS_H_SOCK_DESTRUCT)))
			sks_hook_sock_destruct(fregs, pip);
		break;
	case SKS_G_TAGGED:
		if (sks_at(ip, SKS_H_TCP_TRANSMIT))
			sks_hook_tcp_transmit(fregs, pip);
		else if (sks_at(ip, SKS_H_IP_SEND_SKB))
			sks_hook_ip_send_skb(fregs, pip);
		else if (sks_at(ip, SKS_H_IP6_SEND_SKB))
			sks_hook_ip6_send_skb(fregs, pip);
		else if (sks_at(ip, SKS_H_IP_FRAGMENT) ||
			 sks_at(ip, SKS_H_IP6_FRAGMENT))
			sks_hook_ip_fragment(fregs, pip);
		break;
	case SKS_G_GSO:
		sks_hook_gso_segment(fregs, pip);
		break;
	case SKS_G_TSTAMP_TX:
		sks_hook_skb_tstamp_tx(fregs, pip);
		break;
	case SKS_G_TXDONE:
		sks_hook_txdone(fregs, pip);
		break;
	case SKS_G_RX_TRACK:
		/* Only the clone hook takes other arguments than a free. */
		if (sks_at(ip, SKS_H_COPY_SKB_HEADER))
			sks_hook_rx_clone(fregs, pip);
		else
			sks_hook_rx_free(fregs, pip);
		break;
	case SKS_G_RX_MERGE:
		if (sks_at(ip, SKS_H_GRO_RECEIVE))
			sks_hook_rx_gro_merge(fregs, pip);
		else if (sks_at(ip, SKS_H_TRY_COALESCE))
			sks_hook_rx_coalesce(fregs, pip);
		break;
	case SKS_G_RX_IRQ:
		sks_hook_rx_irq(fregs, pip);
		break;
	case SKS_G_RX_NAPI:
		if (sks_at(ip, SKS_H_NAPI_GRO))
			sks_hook_rx_napi_gro(fregs, pip);
		else if (sks_at(ip, SKS_H_NETIF_RECEIVE_SKB) ||
			 sks_at(ip, SKS_H_NETIF_RX) ||
			 sks_at(ip, SKS_H_NETIF_RX2))
			sks_hook_rx_napi(fregs, pip);
		else if (sks_at(ip, SKS_H_NETIF_RECEIVE_SKB_LIST))
			sks_hook_rx_napi_list(fregs, pip);
		break;
	case SKS_G_RX_IP:
		if (sks_at(ip, SKS_H_IP_RCV) || sks_at(ip, SKS_H_IPV6_RCV))
			sks_hook_rx_ip(fregs, pip);
		else if (sks_at(ip, SKS_H_IP_LIST_RCV) ||
			 sks_at(ip, SKS_H_IPV6_LIST_RCV))
			sks_hook_rx_ip_list(fregs, pip);
		break;
	case SKS_G_RX_L4:
		sks_hook_rx_l4(fregs, pip);
		break;
	case SKS_G_RX_SOCKQ:
		sks_hook_rx_sockq(fregs, pip);
		break;
	case SKS_G_RX_READ:
		if (sks_at(ip, SKS_H_COPY_DATAGRAM))
			sks_hook_rx_read(fregs, pip);
		else if (sks_at(ip, SKS_H_CONSUME_UDP))
			sks_hook_rx_read_udp(fregs, pip);
		else if (sks_at(ip, SKS_H_COPY_AND_CSUM))
			sks_hook_rx_read_csum(fregs, pip);
		else if (sks_at(ip, SKS_H_SPLICE_BITS))
			sks_hook_rx_read_splice(fregs, pip);
		else if (sks_at(ip, SKS_H_TCP_RECV_SKB))
			sks_hook_rx_read_tcp_eaten(fregs, pip);
		break;
	case SKS_NR_GROUPS:
		break;
	}
}

/*
 * The ftrace callbacks, one per group.  Handlers read the configuration
 * as RCU-sched readers; not every ftrace path disables preemption around
 * a callback.
 *
 * ftrace calls them straight from the trampoline, without its recursion
 * guard (ftrace_ops_assist_func(): a call, a test-and-set of
 * current->trace_recursion and a preemption toggle on every call of
 * every hooked function, for a host's every packet).  The guard stops a
 * callback that calls a function it hooks from running again inside
 * itself, in the same context; none of these can:
 *  - what the handlers call outside the module is ktime_get*(), raw
 *    spinlocks, memcmp(), sock_diag_save_cookie(), skb_copy_bits()
 *    (skb_header_pointer()) and mod_delayed_work_on() (a records ring
 *    half full): nothing hooked, nothing of the network stack (the
 *    module's call graph from its callbacks and tracepoint probes says
 *    so: objdump -dr skbstamp.ko);
 *  - __skb_tstamp_tx() and __skb_gso_segment() are called by
 *    sks_skb_tstamp_tx() and sks_skb_gso_segment(), the functions their
 *    hooks redirect to, once the callback has returned, and their
 *    callbacks let calls from the module through;
 *  - no handler frees, clones, sends or receives an skb.
 * An interrupt that runs a hooked function during a callback nests it in
 * another context, which the guard let through too: the handlers take
 * their locks with interrupts off and count with this_cpu operations.
 * Every hooked function runs where RCU is watching, so FTRACE_OPS_FL_RCU
 * (the assist's other use) is not needed either.  A handler that comes to
 * call something hooked must bring the guard back (compat.h).
 */
#define SKS_GROUP_CB(name, g)						\
static void notrace name(unsigned long ip, unsigned long parent_ip,	\
			 struct ftrace_ops *op, sks_ftrace_regs_t *fregs) \
{									\
	preempt_disable_notrace();					\
	sks_dispatch(g, ip, fregs, parent_ip);				\
	preempt_enable_notrace();					\
}

SKS_GROUP_CB(sks_sendmsg_cb, SKS_G_SENDMSG)
SKS_GROUP_CB(sks_tagged_cb, SKS_G_TAGGED)
SKS_GROUP_CB(sks_gso_cb, SKS_G_GSO)
SKS_GROUP_CB(sks_tstamp_tx_cb, SKS_G_TSTAMP_TX)
SKS_GROUP_CB(sks_txdone_cb, SKS_G_TXDONE)
SKS_GROUP_CB(sks_rx_track_cb, SKS_G_RX_TRACK)
SKS_GROUP_CB(sks_rx_merge_cb, SKS_G_RX_MERGE)
SKS_GROUP_CB(sks_rx_irq_cb, SKS_G_RX_IRQ)
SKS_GROUP_CB(sks_rx_napi_cb, SKS_G_RX_NAPI)
SKS_GROUP_CB(sks_rx_ip_cb, SKS_G_RX_IP)
SKS_GROUP_CB(sks_rx_l4_cb, SKS_G_RX_L4)
SKS_GROUP_CB(sks_rx_sockq_cb, SKS_G_RX_SOCKQ)
SKS_GROUP_CB(sks_rx_read_cb, SKS_G_RX_READ)

struct sks_hook_group {
	ftrace_func_t cb;
	u32 stages;		/* stages that need its functions (but see .stages) */
	/*
	 * The handler may redirect the function (compat.h says what it asks
	 * ftrace for).  The others ask for the arguments alone where they
	 * can.
	 */
	bool ipmodify;
	/*
	 * Reports stages of skbs already tagged: registered before and
	 * unregistered after every tagging hook, so tagged skbs in flight at
	 * STOP still reach their last stage.
	 */
	bool reporting;
	bool registered;
	unsigned int hooked;	/* functions in the ops' filter */
	struct ftrace_ops ops;
};

/* In registration order; STOP unregisters in reverse. */
static struct sks_hook_group sks_groups[SKS_NR_GROUPS] = {
	[SKS_G_SENDMSG] = { sks_sendmsg_cb, SKS_STAGES_SENDMSG },
	[SKS_G_TAGGED] = { sks_tagged_cb, SKS_STAGES_TAGGED },
	[SKS_G_GSO] = { sks_gso_cb, SKS_STAGES_TAGGED, .ipmodify = true },
	[SKS_G_TSTAMP_TX] = { sks_tstamp_tx_cb, SKS_STAGES_TAGGED,
			      .ipmodify = true, .reporting = true },
	[SKS_G_TXDONE] = { sks_txdone_cb, SKS_STAGES_TXDONE,
			   .reporting = true },
	/* The frees first: no skb is tracked unseen. */
	[SKS_G_RX_TRACK] = { sks_rx_track_cb, SKS_STAGES_RX },
	[SKS_G_RX_MERGE] = { sks_rx_merge_cb, BIT(SKBSTAMP_STAGE_MERGE) },
	[SKS_G_RX_IRQ] = { sks_rx_irq_cb, BIT(SKBSTAMP_STAGE_IRQ) },
	[SKS_G_RX_NAPI] = { sks_rx_napi_cb, SKS_RX_NAPI },
	[SKS_G_RX_IP] = { sks_rx_ip_cb, SKS_RX_FROM(SKBSTAMP_STAGE_IP) },
	[SKS_G_RX_L4] = { sks_rx_l4_cb, SKS_RX_FROM(SKBSTAMP_STAGE_L4) },
	[SKS_G_RX_SOCKQ] = { sks_rx_sockq_cb, BIT(SKBSTAMP_STAGE_SOCKQ) },
	[SKS_G_RX_READ] = { sks_rx_read_cb, BIT(SKBSTAMP_STAGE_READ) },
};

static u32 sks_avail;

static bool sks_fhook_found(const struct sks_fhook *h)
{
	return h->addr;
}

/* The stages that need hook @h. */
static u32 sks_hook_stages(const struct sks_fhook *h)
{
	return h->stages ?: sks_groups[h->group].stages;
}

/* Every hook that serves @stages was found. */
static bool sks_hooks_found(u32 stages)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + SKS_NR_HOOKS; h++)
		if ((sks_hook_stages(h) & stages) && !sks_fhook_found(h))
			return false;
	return true;
}

/* Put @h in its group's filter, or take it out (@in). */
static int sks_fhook_set(struct sks_fhook *h, bool in)
{
	struct sks_hook_group *g = &sks_groups[h->group];
	int err = ftrace_set_filter_ip(&g->ops, h->addr, !in, 0);

	if (err)
		return err;
	h->in_filter = in;
	if (in)
		g->hooked++;
	else
		g->hooked--;
	return 0;
}

/* Put @h in its group's filter; a function ftrace cannot trace is lost. */
static void sks_fhook_filter(struct sks_fhook *h)
{
	if (h->addr && sks_fhook_set(h, true))
		h->addr = 0;
	if (!h->addr && h->func)
		pr_warn("%s() cannot be hooked on this kernel (inlined or renamed?)\n",
			h->func);
}

/* Find every hooked function; called once at load. */
int sks_hooks_probe(void)
{
	const char *names[SKS_NR_HOOKS];
	unsigned long addrs[SKS_NR_HOOKS];
	struct sks_hook_group *g;
	struct sks_fhook *h;
	int i, err;

	for (i = 0; i < SKS_NR_HOOKS; i++)
		names[i] = sks_fhooks[i].func;
	err = sks_ksym_lookup(names, addrs, SKS_NR_HOOKS);
	if (err)
		return err;
	sks_tcp_drop_probe();
	for (g = sks_groups; g < sks_groups + SKS_NR_GROUPS; g++) {
		g->ops.func = g->cb;
		g->ops.flags = SKS_FTRACE_OPS_FL_NO_ASSIST;
		if (g->ipmodify)
			g->ops.flags |= SKS_FTRACE_OPS_FL_REDIRECT |
					FTRACE_OPS_FL_IPMODIFY;
		else
			g->ops.flags |= SKS_FTRACE_OPS_FL_ARGS;
	}
	for (i = 0; i < SKS_NR_HOOKS; i++) {
		h = &sks_fhooks[i];
		h->addr = addrs[i];
		sks_fhook_filter(h);
		if (sks_fhook_found(h) && !h->helper)
			sks_avail |= sks_hook_stages(h);
	}
	sks_avail |= sks_tp_probe();
	/* Stages whose indispensable helper is missing cannot be offered. */
	for (h = sks_fhooks; h < sks_fhooks + SKS_NR_HOOKS; h++)
		if (h->helper && !h->optional && !sks_fhook_found(h))
			sks_avail &= ~sks_hook_stages(h);
	/* Without the reporting point, tagging skbs would be pointless. */
	if (!sks_fhook_found(&sks_fhooks[SKS_H_TSTAMP_TX]))
		sks_avail &= ~SKS_STAGES_TAGGED;
	/* txdone needs both destructors, and everything tagging needs. */
	if (!sks_hooks_found(SKS_STAGES_TXDONE))
		sks_avail &= ~SKS_STAGES_TXDONE;
	if (sks_avail != (SKS_STAGES_SENDMSG | SKS_STAGES_TAGGED | SKS_STAGES_RX))
		pr_warn("stages unavailable on this kernel: %#x\n",
			(SKS_STAGES_SENDMSG | SKS_STAGES_TAGGED | SKS_STAGES_RX) &
			~sks_avail);
	return 0;
}

/*
 * Drop the filters ftrace_set_filter_ip() allocated; called at unload.  An
 * emptied filter is ftrace's shared empty hash, so resetting frees it
 * (ftrace_free_filter() is not exported on every supported kernel).
 */
void sks_hooks_release(void)
{
	struct sks_hook_group *g;

	for (g = sks_groups; g < sks_groups + SKS_NR_GROUPS; g++)
		if (g->hooked)
			ftrace_set_filter(&g->ops, NULL, 0, 1);
}

u32 sks_stages_avail(void)
{
	return sks_avail;
}

/*
 * Make @g's filter hold the functions @stages need and no other (a group's
 * functions may serve different stages: sks_hook_stages()), and return
 * how many that is.  Only the functions that changed since the last START
 * are touched, each a hash update of an ops not registered yet: usually
 * none.
 */
static int sks_group_filter(struct sks_hook_group *g, u32 stages)
{
	struct sks_fhook *h;
	int n = 0, err;
	bool want;

	for (h = sks_fhooks; h < sks_fhooks + SKS_NR_HOOKS; h++)
		if (&sks_groups[h->group] == g && sks_fhook_found(h) &&
		    (sks_hook_stages(h) & stages))
			n++;
	/* Not to be registered: its filter may stay as it is. */
	if (!n)
		return 0;
	for (h = sks_fhooks; h < sks_fhooks + SKS_NR_HOOKS; h++) {
		if (&sks_groups[h->group] != g || !sks_fhook_found(h))
			continue;
		want = sks_hook_stages(h) & stages;
		if (want == h->in_filter)
			continue;
		err = sks_fhook_set(h, want);
		if (err)
			return err;
	}
	return n;
}

static int sks_group_register(struct sks_hook_group *g, u32 stages,
			      struct netlink_ext_ack *extack)
{
	int err = sks_group_filter(g, stages);

	/* A group with an empty filter would hook every function. */
	if (err <= 0) {
		if (err)
			NL_SET_ERR_MSG(extack, "cannot set an ftrace filter");
		return err;
	}
	err = register_ftrace_function(&g->ops);
	if (err) {
		pr_err("cannot register hook group %td: %d\n", g - sks_groups,
		       err);
		NL_SET_ERR_MSG(extack, "cannot register an ftrace hook");
		return err;
	}
	g->registered = true;
	return 0;
}

static void sks_group_unregister(struct sks_hook_group *g)
{
	if (!g->registered)
		return;
	unregister_ftrace_function(&g->ops);
	g->registered = false;
}

/*
 * The reporting hooks go first: from the moment an skb can be tagged, its
 * stamps must be intercepted, or they would reach the application.  A
 * group none of whose functions @stages need is not registered.
 */
int sks_hooks_register(u32 stages, struct netlink_ext_ack *extack)
{
	struct sks_hook_group *g;
	int err = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		/* Receive tracepoints: after reporting, before the taggers. */
		if (pass == 1)
			err = sks_tp_register(stages, extack);
		for (g = sks_groups; !err && g < sks_groups + SKS_NR_GROUPS; g++) {
			if (g->reporting == !pass)
				err = sks_group_register(g, stages, extack);
		}
		if (err) {
			sks_hooks_unregister_taggers();
			sks_hooks_unregister_reporting();
			return err;
		}
	}
	return 0;
}

/*
 * In reverse order of the table: the receive tracking hooks go before the
 * frees, which end tracking entries.
 */
static void sks_hooks_unregister(bool reporting)
{
	struct sks_hook_group *g;

	for (g = sks_groups + SKS_NR_GROUPS - 1; g >= sks_groups; g--)
		if (g->reporting == reporting)
			sks_group_unregister(g);
}

/*
 * Every hook but the reporting ones.  Once this returns no hook runs any
 * more and no skb gets tagged: unregister_ftrace_function() waits for
 * callbacks in flight, including preempted ones.
 */
void sks_hooks_unregister_taggers(void)
{
	sks_hooks_unregister(false);
	sks_tp_unregister();
}

/* Last: only once tagged skbs no longer need their stages reported. */
void sks_hooks_unregister_reporting(void)
{
	sks_hooks_unregister(true);
}

/* Is every hook that @stages need registered? */
bool sks_hooks_cover(u32 stages)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + SKS_NR_HOOKS; h++)
		if (sks_fhook_found(h) && (sks_hook_stages(h) & stages) &&
		    !(h->in_filter && sks_groups[h->group].registered))
			return false;
	return sks_tp_cover(stages);
}

/* Registered hooks, for tests and status. */
bool sks_hooks_any_registered(void)
{
	struct sks_hook_group *g;

	for (g = sks_groups; g < sks_groups + SKS_NR_GROUPS; g++)
		if (g->registered)
			return true;
	return sks_tp_any_registered();
}
