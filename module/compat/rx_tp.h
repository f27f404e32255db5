/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probes of the tracepoints the receive path uses.  A probe must take
 * exactly the arguments its tracepoint passes, and those of kfree_skb and
 * consume_skb grew over time, so the probes live here; tphook.c includes
 * this and passes them to tracepoint_probe_register().
 */
#ifndef SKS_COMPAT_RX_TP_H
#define SKS_COMPAT_RX_TP_H

#include <linux/skbuff.h>

/* netif_receive_skb(struct sk_buff *skb), every kernel */
static void sks_tp_netif_receive_skb(void *data, struct sk_buff *skb)
{
	sks_rx_netif(skb);
}

/*
 * napi_gro_frags_entry(const struct sk_buff *skb) and
 * napi_gro_frags_exit(int ret), every kernel
 */
static void sks_tp_napi_gro_frags_entry(void *data, const struct sk_buff *skb)
{
	sks_rx_gro_frags_enter((struct sk_buff *)skb);
}

static void sks_tp_napi_gro_frags_exit(void *data, int ret)
{
	sks_rx_gro_frags_done(ret);
}

#if defined(SKS_HAVE_KFREE_SKB_RX_SK)
static void sks_tp_kfree_skb(void *data, struct sk_buff *skb, void *location,
			     enum skb_drop_reason reason,
			     const struct sock *rx_sk)
{
	sks_rx_freed(skb, location, true, reason);
}
#elif defined(SKS_HAVE_KFREE_SKB_REASON)
static void sks_tp_kfree_skb(void *data, struct sk_buff *skb, void *location,
			     enum skb_drop_reason reason)
{
	sks_rx_freed(skb, location, true, reason);
}
#else
static void sks_tp_kfree_skb(void *data, struct sk_buff *skb, void *location)
{
	sks_rx_freed(skb, location, true, 0);
}
#endif

#ifdef SKS_HAVE_CONSUME_SKB_LOCATION
static void sks_tp_consume_skb(void *data, struct sk_buff *skb,
			       void *location)
{
	sks_rx_freed(skb, location, false, 0);
}
#else
static void sks_tp_consume_skb(void *data, struct sk_buff *skb)
{
	sks_rx_freed(skb, NULL, false, 0);
}
#endif

/*
 * napi_gro_receive_exit(int ret): where GRO frees stolen heads unseen
 * (napi_skb_free_stolen_head() static, 5.10), the end of such a merge.
 */
#ifndef SKS_HAVE_NAPI_SKB_FREE_STOLEN_HEAD
#define SKS_TP_GRO_EXIT	1
static void sks_tp_napi_gro_exit(void *data, int ret)
{
	sks_rx_gro_done(ret);
}
#endif

#endif /* SKS_COMPAT_RX_TP_H */
