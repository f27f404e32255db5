/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NAPI instance behind the GRO entry point's first argument: a
 * struct napi_struct, or from 6.15 the struct gro_node inside one.  Only
 * an address computation, never dereferenced: it identifies the instance
 * whose scheduling time the irq stage looks up.
 */
#ifndef SKS_COMPAT_RX_H
#define SKS_COMPAT_RX_H

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

static inline const void *sks_napi_of_gro_arg(unsigned long arg)
{
#ifdef SKS_HAVE_GRO_NODE
	return arg ? container_of((struct gro_node *)arg, struct napi_struct,
				  gro) : NULL;
#else
	return (const void *)arg;
#endif
}

/*
 * Where GRO frees stolen heads in a static function (5.10), the skb
 * napi_gro_receive() is handling on this CPU is kept from its entry to its
 * napi_gro_receive_exit tracepoint (rx_tp.h), which tells whether it was
 * merged and freed.  Elsewhere the free is hooked and nothing is kept.
 * Included by rx.c only.
 */
#ifndef SKS_HAVE_NAPI_SKB_FREE_STOLEN_HEAD
static DEFINE_PER_CPU(struct sk_buff *, sks_gro_skb);

static inline void sks_gro_enter(struct sk_buff *skb)
{
	this_cpu_write(sks_gro_skb, skb);
}

static inline struct sk_buff *sks_gro_leave(void)
{
	return this_cpu_xchg(sks_gro_skb, NULL);
}
#else
static inline void sks_gro_enter(struct sk_buff *skb)
{
}

static inline struct sk_buff *sks_gro_leave(void)
{
	return NULL;
}
#endif

#endif /* SKS_COMPAT_RX_H */
