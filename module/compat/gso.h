/* SPDX-License-Identifier: GPL-2.0 */
/*
 * __skb_gso_segment(), whose declaration moved to <net/gso.h> in 6.4.
 */
#ifndef SKS_COMPAT_GSO_H
#define SKS_COMPAT_GSO_H

#ifdef SKS_HAVE_NET_GSO_H
#include <net/gso.h>
#else
#include <linux/netdevice.h>
#endif

#endif /* SKS_COMPAT_GSO_H */
