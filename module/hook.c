// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks, found by name and registered only while tracing.
 *
 * Every hook is an ftrace callback on one kernel function, found with
 * ftrace_set_filter() when the module loads.  A function the compiler
 * inlined or renamed on this kernel is simply not found: the stages that
 * need it are reported unavailable (STAGES_AVAIL, and a line in the kernel
 * log) instead of silently producing nothing.
 *
 * Hooks are registered at START for the configured stages and all are
 * unregistered at STOP, so a stopped module costs the stack nothing.
 */
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/netlink.h>
#include <linux/module.h>
#include <linux/string.h>

#include "skbstamp.h"
#include "hook.h"

/*
 * The ftrace callbacks: one per handler, so that the handler, called on
 * every call of a hooked function, is a direct call.  Handlers read the
 * configuration as RCU-sched readers; not every ftrace path disables
 * preemption around a callback.
 */
static __always_inline void sks_ftrace_call(sks_hook_fn fn,
					    unsigned long parent_ip,
					    sks_ftrace_regs_t *fregs)
{
	preempt_disable_notrace();
	if (fregs && sks_ftrace_has_args(fregs))
		fn(fregs, parent_ip);
	preempt_enable_notrace();
}

#define SKS_FTRACE_CB(fn)						\
static void notrace fn##_cb(unsigned long ip, unsigned long parent_ip,	\
			    struct ftrace_ops *op,			\
			    sks_ftrace_regs_t *fregs)			\
{									\
	sks_ftrace_call(fn, parent_ip, fregs);				\
}

SKS_FTRACE_CB(sks_hook_tcp_sendmsg)
SKS_FTRACE_CB(sks_hook_udp_sendmsg)
SKS_FTRACE_CB(sks_hook_tcp_transmit)
SKS_FTRACE_CB(sks_hook_ip_send_skb)
SKS_FTRACE_CB(sks_hook_ip6_send_skb)
SKS_FTRACE_CB(sks_hook_skb_tstamp_tx)
SKS_FTRACE_CB(sks_hook_xmit_list)
SKS_FTRACE_CB(sks_hook_txdone)
SKS_FTRACE_CB(sks_hook_ip_fragment)
SKS_FTRACE_CB(sks_hook_sock_destruct)
SKS_FTRACE_CB(sks_hook_rx_free)
SKS_FTRACE_CB(sks_hook_rx_clone)
SKS_FTRACE_CB(sks_hook_rx_gro_merge)
SKS_FTRACE_CB(sks_hook_rx_coalesce)
SKS_FTRACE_CB(sks_hook_rx_irq)
SKS_FTRACE_CB(sks_hook_rx_napi_gro)
SKS_FTRACE_CB(sks_hook_rx_napi)
SKS_FTRACE_CB(sks_hook_rx_ip)
SKS_FTRACE_CB(sks_hook_rx_ip_list)
SKS_FTRACE_CB(sks_hook_rx_l4)
SKS_FTRACE_CB(sks_hook_rx_sockq)
SKS_FTRACE_CB(sks_hook_rx_read)
SKS_FTRACE_CB(sks_hook_rx_read_csum)
SKS_FTRACE_CB(sks_hook_rx_read_udp)

static struct sks_fhook sks_fhooks[] = {
	{ "tcp_sendmsg_locked", sks_hook_tcp_sendmsg_cb, SKS_STAGES_SENDMSG },
	{ "udp_sendmsg", sks_hook_udp_sendmsg_cb, SKS_STAGES_SENDMSG },
	{ "udpv6_sendmsg", sks_hook_udp_sendmsg_cb, SKS_STAGES_SENDMSG },
	{ "__tcp_transmit_skb", sks_hook_tcp_transmit_cb, SKS_STAGES_TAGGED },
	{ "ip_send_skb", sks_hook_ip_send_skb_cb, SKS_STAGES_TAGGED },
	{ "ip6_send_skb", sks_hook_ip6_send_skb_cb, SKS_STAGES_TAGGED },
	[SKS_FHOOK_TSTAMP_TX] = { "__skb_tstamp_tx", sks_hook_skb_tstamp_tx_cb,
				  SKS_STAGES_TAGGED, .ipmodify = true,
				  .reporting = true },
	/* Software GSO's segments, on their way to the driver. */
	{ "dev_hard_start_xmit", sks_hook_xmit_list_cb, SKS_STAGES_TAGGED },
	/* IP fragments of a datagram larger than the MTU. */
	{ "ip_do_fragment", sks_hook_ip_fragment_cb, SKS_STAGES_TAGGED },
	{ "ip6_fragment", sks_hook_ip_fragment_cb, SKS_STAGES_TAGGED },
	/*
	 * The socket's write-memory destructors: the driver (or veth, handing
	 * the skb to its peer) releases a transmitted skb.
	 */
	{ "tcp_wfree", sks_hook_txdone_cb, SKS_STAGES_TXDONE, .reporting = true },
	{ "sock_wfree", sks_hook_txdone_cb, SKS_STAGES_TXDONE, .reporting = true },
	/*
	 * A socket's end frees its entry in the socket table (which the
	 * send calls and tagging fill); without it, LRU reuse alone.
	 */
	{ "inet_sock_destruct", sks_hook_sock_destruct_cb,
	  SKS_STAGES_SENDMSG | SKS_STAGES_TAGGED, .helper = true,
	  .optional = true },
	/* Receive (rx.c).  The frees first: no skb is tracked unseen. */
	{ "__kfree_skb", sks_hook_rx_free_cb, SKS_STAGES_RX, .helper = true },
	{ "kfree_skb_partial", sks_hook_rx_free_cb, SKS_STAGES_RX, .helper = true },
	/* Where the kernel has them (NULL: skipped). */
	{ SKS_STOLEN_HEAD_FREE_FUNC, sks_hook_rx_free_cb, SKS_STAGES_RX,
	  .helper = true, .optional = true },
	{ SKS_KFREE_SKB_DEFER_FUNC, sks_hook_rx_free_cb, SKS_STAGES_RX,
	  .helper = true, .optional = true },
	{ SKS_NAPI_KFREE_SKB_FUNC, sks_hook_rx_free_cb, SKS_STAGES_RX,
	  .helper = true, .optional = true },
	{ "__copy_skb_header", sks_hook_rx_clone_cb, SKS_STAGES_RX,
	  .helper = true, .optional = true },
	{ "skb_gro_receive", sks_hook_rx_gro_merge_cb, BIT(SKBSTAMP_STAGE_MERGE) },
	{ "skb_try_coalesce", sks_hook_rx_coalesce_cb, BIT(SKBSTAMP_STAGE_MERGE) },
	{ "__napi_schedule", sks_hook_rx_irq_cb, BIT(SKBSTAMP_STAGE_IRQ) },
	{ "__napi_schedule_irqoff", sks_hook_rx_irq_cb, BIT(SKBSTAMP_STAGE_IRQ) },
	{ SKS_NAPI_GRO_FUNC, sks_hook_rx_napi_gro_cb, SKS_RX_NAPI },
	{ "netif_receive_skb", sks_hook_rx_napi_cb, SKS_RX_NAPI },
	{ "netif_rx", sks_hook_rx_napi_cb, SKS_RX_NAPI },
	{ SKS_NETIF_RX2_FUNC, sks_hook_rx_napi_cb, SKS_RX_NAPI },
	{ "ip_rcv", sks_hook_rx_ip_cb, SKS_RX_FROM(SKBSTAMP_STAGE_IP) },
	{ "ipv6_rcv", sks_hook_rx_ip_cb, SKS_RX_FROM(SKBSTAMP_STAGE_IP) },
	{ "ip_list_rcv", sks_hook_rx_ip_list_cb, SKS_RX_FROM(SKBSTAMP_STAGE_IP) },
	{ "ipv6_list_rcv", sks_hook_rx_ip_list_cb, SKS_RX_FROM(SKBSTAMP_STAGE_IP) },
	{ "tcp_v4_rcv", sks_hook_rx_l4_cb, SKS_RX_FROM(SKBSTAMP_STAGE_L4) },
	{ "tcp_v6_rcv", sks_hook_rx_l4_cb, SKS_RX_FROM(SKBSTAMP_STAGE_L4) },
	{ "udp_rcv", sks_hook_rx_l4_cb, SKS_RX_FROM(SKBSTAMP_STAGE_L4) },
	{ "udpv6_rcv", sks_hook_rx_l4_cb, SKS_RX_FROM(SKBSTAMP_STAGE_L4) },
	{ "tcp_rcv_established", sks_hook_rx_sockq_cb, BIT(SKBSTAMP_STAGE_SOCKQ) },
	{ "tcp_rcv_state_process", sks_hook_rx_sockq_cb, BIT(SKBSTAMP_STAGE_SOCKQ) },
	{ "__udp_enqueue_schedule_skb", sks_hook_rx_sockq_cb,
	  BIT(SKBSTAMP_STAGE_SOCKQ) },
	{ "skb_copy_datagram_iter", sks_hook_rx_read_cb, BIT(SKBSTAMP_STAGE_READ) },
	{ "skb_copy_and_csum_datagram_msg", sks_hook_rx_read_csum_cb,
	  BIT(SKBSTAMP_STAGE_READ) },
	{ "skb_consume_udp", sks_hook_rx_read_udp_cb, BIT(SKBSTAMP_STAGE_READ) },
};

static u32 sks_avail;

/* Every hook that serves @stages was found. */
static bool sks_hooks_found(u32 stages)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++)
		if ((h->stages & stages) && !h->found)
			return false;
	return true;
}

/* ftrace_set_filter() may write to the pattern: give it a copy. */
static bool sks_fhook_find(struct sks_fhook *h)
{
	char name[KSYM_NAME_LEN];
	int len = strscpy(name, h->func, sizeof(name));

	return len > 0 && !ftrace_set_filter(&h->ops, name, len, 0);
}

/* Find every hooked function; called once at load. */
int sks_hooks_probe(void)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++) {
		if (!h->func)	/* not on this kernel (compat.h) */
			continue;
		h->ops.func = h->cb;
		h->ops.flags = SKS_FTRACE_OPS_FL_RECURSION;
		if (h->ipmodify)
			h->ops.flags |= FTRACE_OPS_FL_SAVE_REGS |
					FTRACE_OPS_FL_IPMODIFY;
		else
			h->ops.flags |= SKS_FTRACE_OPS_FL_ARGS;
		h->found = sks_fhook_find(h);
		if (h->found && !h->helper)
			sks_avail |= h->stages;
		else if (!h->found)
			pr_warn("%s() cannot be hooked on this kernel (inlined or renamed?)\n",
				h->func);
	}
	sks_avail |= sks_tp_probe();
	/* Stages whose indispensable helper is missing cannot be offered. */
	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++)
		if (h->helper && !h->optional && !h->found)
			sks_avail &= ~h->stages;
	/* Without the reporting point, tagging skbs would be pointless. */
	if (!sks_fhooks[SKS_FHOOK_TSTAMP_TX].found)
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
 * Drop the filters ftrace_set_filter() allocated; called at unload.  An
 * emptied filter is ftrace's shared empty hash, so resetting frees it
 * (ftrace_free_filter() is not exported on every supported kernel).
 */
void sks_hooks_release(void)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++)
		if (h->found)
			ftrace_set_filter(&h->ops, NULL, 0, 1);
}

u32 sks_stages_avail(void)
{
	return sks_avail;
}

static int sks_fhook_register(struct sks_fhook *h,
			      struct netlink_ext_ack *extack)
{
	int err = register_ftrace_function(&h->ops);

	if (err) {
		pr_err("cannot hook %s(): %d\n", h->func, err);
		NL_SET_ERR_MSG(extack, "cannot register an ftrace hook");
		return err;
	}
	h->registered = true;
	return 0;
}

static void sks_fhook_unregister(struct sks_fhook *h)
{
	if (!h->registered)
		return;
	unregister_ftrace_function(&h->ops);
	h->registered = false;
}

/*
 * The reporting hooks go first: from the moment an skb can be tagged, its
 * stamps must be intercepted, or they would reach the application.
 */
int sks_hooks_register(u32 stages, struct netlink_ext_ack *extack)
{
	struct sks_fhook *h;
	int err = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		/* Receive tracepoints: after reporting, before the taggers. */
		if (pass == 1)
			err = sks_tp_register(stages, extack);
		for (h = sks_fhooks; !err && h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++) {
			if (h->reporting != !pass || !h->found || !(h->stages & stages))
				continue;
			err = sks_fhook_register(h, extack);
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
	struct sks_fhook *h;

	for (h = sks_fhooks + ARRAY_SIZE(sks_fhooks) - 1; h >= sks_fhooks; h--)
		if (h->reporting == reporting)
			sks_fhook_unregister(h);
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

	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++)
		if (h->found && (h->stages & stages) && !h->registered)
			return false;
	return sks_tp_cover(stages);
}

/* Registered hooks, for tests and status. */
bool sks_hooks_any_registered(void)
{
	struct sks_fhook *h;

	for (h = sks_fhooks; h < sks_fhooks + ARRAY_SIZE(sks_fhooks); h++)
		if (h->registered)
			return true;
	return sks_tp_any_registered();
}
