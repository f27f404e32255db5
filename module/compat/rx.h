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

static inline const void *sks_napi_of_gro_arg(unsigned long arg)
{
#ifdef SKS_HAVE_GRO_NODE
	return arg ? container_of((struct gro_node *)arg, struct napi_struct,
				  gro) : NULL;
#else
	return (const void *)arg;
#endif
}

#endif /* SKS_COMPAT_RX_H */
