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

/*
 * What a free hook passes on as the free's location: its caller, which
 * tells TCP's drops apart.  It costs the hook three instructions on every
 * free (the caller kept across the tracked-skb test).
 */
static inline void *sks_free_site(unsigned long parent_ip)
{
	return (void *)parent_ip;
}
#else
/* Not needed: the free hooks' skbs are not drops. */
static inline void *sks_free_site(unsigned long parent_ip)
{
	return NULL;
}

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
