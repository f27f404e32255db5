/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP's drops where no tracepoint reports them (tcp_drop.c).
 */
#ifndef SKS_COMPAT_TCP_DROP_H
#define SKS_COMPAT_TCP_DROP_H

#include <linux/types.h>

#ifndef SKS_HAVE_KFREE_SKB_REASON
void sks_tcp_drop_probe(void);
bool sks_tcp_drop_site(unsigned long ip);
#else
static inline void sks_tcp_drop_probe(void)
{
}

/* TCP drops with kfree_skb_reason(): the kfree_skb tracepoint sees them. */
static inline bool sks_tcp_drop_site(unsigned long ip)
{
	return false;
}
#endif

#endif /* SKS_COMPAT_TCP_DROP_H */
