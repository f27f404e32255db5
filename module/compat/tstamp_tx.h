/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The function __skb_tstamp_tx() is redirected to.  It must take exactly
 * the arguments the running kernel passes, and those changed in 5.11 (the
 * ack_skb argument), so it lives here.  tx.c includes this after defining
 * sks_tstamp_tx_report(), which records the stage and says whether the
 * application asked for this timestamp itself.
 *
 * The call to the original must stay a real call, never a tail call: the
 * ftrace handler lets __skb_tstamp_tx() run unredirected only when it is
 * called from inside the module, which it tells by the return address.
 * A tail call would return straight to the kernel's caller, and the
 * handler would redirect it again, forever.  The barrier() after the call
 * keeps the compiler from turning it into a jump.
 */
#ifndef SKS_COMPAT_TSTAMP_TX_H
#define SKS_COMPAT_TSTAMP_TX_H

#ifdef SKS_HAVE_TSTAMP_TX_ACK_SKB
static void sks_skb_tstamp_tx(struct sk_buff *orig_skb,
			      const struct sk_buff *ack_skb,
			      struct skb_shared_hwtstamps *hwtstamps,
			      struct sock *sk, int tstype)
{
	if (sks_tstamp_tx_report_sched(orig_skb, hwtstamps, sk, tstype))
		__skb_tstamp_tx(orig_skb, ack_skb, hwtstamps, sk, tstype);
	barrier();
}
#else
static void sks_skb_tstamp_tx(struct sk_buff *orig_skb,
			      struct skb_shared_hwtstamps *hwtstamps,
			      struct sock *sk, int tstype)
{
	if (sks_tstamp_tx_report_sched(orig_skb, hwtstamps, sk, tstype))
		__skb_tstamp_tx(orig_skb, hwtstamps, sk, tstype);
	barrier();
}
#endif

#endif /* SKS_COMPAT_TSTAMP_TX_H */
