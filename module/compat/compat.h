/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every skbstamp object by Kbuild, before any other
 * header.  It is the only place that knows kernel versions differ: the
 * probes in probe.sh decide what features.h defines, and the wrappers below
 * give the rest of the module one API to write against.
 */
#ifndef SKS_COMPAT_H
#define SKS_COMPAT_H

/* Set once, here, so every message carries the module's name. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "features.h"

#include <linux/ftrace.h>

#include <linux/ptrace.h>

/*
 * ftrace callbacks.  Where ftrace is asked for full registers
 * (FTRACE_OPS_FL_SAVE_REGS), a callback sees them as a struct pt_regs
 * (sks_ftrace_pt_regs(), NULL without them).
 */
#ifdef SKS_HAVE_FTRACE_REGS
#define sks_ftrace_regs_t struct ftrace_regs

static __always_inline struct pt_regs *sks_ftrace_pt_regs(sks_ftrace_regs_t *f)
{
	return ftrace_get_regs(f);
}
#else
#define sks_ftrace_regs_t struct pt_regs

static __always_inline struct pt_regs *sks_ftrace_pt_regs(sks_ftrace_regs_t *f)
{
	return f;
}
#endif

/*
 * The other hooks only read their function's arguments
 * (sks_ftrace_arg()), and SKS_FTRACE_OPS_FL_ARGS is what they ask ftrace
 * for.  Where ftrace passes the arguments without a full register frame
 * (DYNAMIC_FTRACE_WITH_ARGS), that is nothing: the trampoline then skips
 * saving and restoring every other register, on every call of every
 * hooked function.  The arguments are read with the kernel's accessor, or,
 * on x86 kernels from before it (probe.sh), from the registers that
 * trampoline does save, where the accessor reads them too.  Elsewhere
 * (5.10: no DYNAMIC_FTRACE_WITH_ARGS) it is SAVE_REGS.
 */
#if IS_ENABLED(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && \
	(defined(SKS_HAVE_FTRACE_REGS_GET_ARGUMENT) || \
	 (defined(SKS_HAVE_FTRACE_REGS) && \
	  defined(SKS_HAVE_FTRACE_REGS_X86_PT_REGS)))
#define SKS_FTRACE_OPS_FL_ARGS	0

/* Does @f (not NULL) carry the arguments? */
static __always_inline bool sks_ftrace_has_args(sks_ftrace_regs_t *f)
{
	return true;
}

static __always_inline unsigned long sks_ftrace_arg(sks_ftrace_regs_t *f,
						    unsigned int n)
{
#ifdef SKS_HAVE_FTRACE_REGS_GET_ARGUMENT
	return ftrace_regs_get_argument(f, n);
#else
	/* Arguments past the sixth: from rsp, which the trampoline sets. */
	return regs_get_kernel_argument(&f->regs, n);
#endif
}
#else
#define SKS_FTRACE_OPS_FL_ARGS	FTRACE_OPS_FL_SAVE_REGS

static __always_inline bool sks_ftrace_has_args(sks_ftrace_regs_t *f)
{
	return sks_ftrace_pt_regs(f);
}

static __always_inline unsigned long sks_ftrace_arg(sks_ftrace_regs_t *f,
						    unsigned int n)
{
	return regs_get_kernel_argument(sks_ftrace_pt_regs(f), n);
}
#endif

/*
 * The hook that redirects its function (__skb_tstamp_tx()) sets the
 * instruction ftrace returns to, with sks_ftrace_redirect() (false: it
 * could not).  Where the trampoline that passes arguments only honours
 * that (DYNAMIC_FTRACE_WITH_ARGS and the arch's setter, 5.11 on, as
 * livepatch uses it), the hook needs no full register frame, which
 * saves saving and restoring every register on each of a traced skb's
 * stamps; elsewhere it asks for one (SKS_FTRACE_OPS_FL_REDIRECT).
 */
#if IS_ENABLED(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && \
	(defined(SKS_HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER) || \
	 defined(SKS_HAVE_FTRACE_INSTRUCTION_POINTER_SET))
#define SKS_FTRACE_OPS_FL_REDIRECT	0

static __always_inline bool sks_ftrace_redirect(sks_ftrace_regs_t *f,
						unsigned long ip)
{
#ifdef SKS_HAVE_FTRACE_REGS_SET_INSTRUCTION_POINTER
	ftrace_regs_set_instruction_pointer(f, ip);
#else
	ftrace_instruction_pointer_set(f, ip);
#endif
	return true;
}
#else
#define SKS_FTRACE_OPS_FL_REDIRECT	FTRACE_OPS_FL_SAVE_REGS

static __always_inline bool sks_ftrace_redirect(sks_ftrace_regs_t *f,
						unsigned long ip)
{
	struct pt_regs *regs = sks_ftrace_pt_regs(f);

	if (!regs)
		return false;
	instruction_pointer_set(regs, ip);
	return true;
}
#endif

/*
 * Tell ftrace that a callback needs no recursion guard (hook.c says why),
 * so that the trampoline calls it directly instead of through
 * ftrace_ops_assist_func().  From 5.11 the guard is asked for
 * (FTRACE_OPS_FL_RECURSION) and not asking is enough; before, it is
 * declined with FTRACE_OPS_FL_RECURSION_SAFE.
 */
#if defined(SKS_HAVE_FTRACE_OPS_FL_RECURSION)
#define SKS_FTRACE_OPS_FL_NO_ASSIST	0
#elif defined(SKS_HAVE_FTRACE_OPS_FL_RECURSION_SAFE)
#define SKS_FTRACE_OPS_FL_NO_ASSIST	FTRACE_OPS_FL_RECURSION_SAFE
#else
#error "this kernel's ftrace says neither how to ask for a recursion guard nor how to decline it"
#endif

/*
 * Is @addr in this module's core text?  The hook of __skb_tstamp_tx()
 * asks on every call (compat/tstamp_tx.h), and within_module() walks all
 * the module's memory types, init ones too, where a kernel has them
 * (6.4): there, only MOD_TEXT is looked at.  Before, the core layout is
 * one range.
 */
#include <linux/module.h>

static __always_inline bool sks_within_module_text(unsigned long addr)
{
#ifdef SKS_HAVE_WITHIN_MODULE_MEM_TYPE
	return within_module_mem_type(addr, THIS_MODULE, MOD_TEXT);
#else
	return within_module_core(addr, THIS_MODULE);
#endif
}

/*
 * Only privileged sockets may join the records group: records describe
 * other users' traffic.  Kernels have either the upstream flag or, in older
 * stable backports, a bit demanding CAP_SYS_ADMIN (stricter, still safe).
 * A kernel with neither would let anyone listen, so it is not supported.
 */
#if defined(SKS_HAVE_GENL_MCAST_CAP)
#define SKS_MCGRP_PRIVILEGED .flags = GENL_MCAST_CAP_NET_ADMIN
#elif defined(SKS_HAVE_GENL_MCAST_CAP_SYS_ADMIN_BIT)
#define SKS_MCGRP_PRIVILEGED .cap_sys_admin = 1
#else
#error "this kernel cannot restrict generic netlink multicast groups to privileged listeners"
#endif

/*
 * BPF timestamping's own request bit, where the kernel has it.  There,
 * SKBTX_HW_TSTAMP means "hardware stamp for the socket or for BPF", and a
 * request for the socket alone is SKBTX_HW_TSTAMP_NOBPF.
 */
#ifdef SKS_HAVE_SKBTX_BPF
#define SKS_SKBTX_BPF		SKBTX_BPF
#define SKS_SKBTX_HW_TSTAMP	SKBTX_HW_TSTAMP_NOBPF
#else
#define SKS_SKBTX_BPF		0
#define SKS_SKBTX_HW_TSTAMP	SKBTX_HW_TSTAMP
#endif

/* The receive entry points drivers call (see rx.c and compat/rx.h). */
#ifdef SKS_HAVE_GRO_NODE
#define SKS_NAPI_GRO_FUNC	"gro_receive_skb"
#else
#define SKS_NAPI_GRO_FUNC	"napi_gro_receive"
#endif
#ifdef SKS_HAVE___NETIF_RX
#define SKS_NETIF_RX2_FUNC	"__netif_rx"
#else
#define SKS_NETIF_RX2_FUNC	"netif_rx_ni"
#endif

/*
 * The functions GRO frees merged skbs with, other than __kfree_skb(), on
 * kernels whose headers declare them (a static one cannot be hooked);
 * NULL: none.
 */
#ifdef SKS_HAVE_NAPI_SKB_FREE_STOLEN_HEAD
#define SKS_STOLEN_HEAD_FREE_FUNC	"napi_skb_free_stolen_head"
#else
#define SKS_STOLEN_HEAD_FREE_FUNC	NULL
#endif
#ifdef SKS_HAVE___KFREE_SKB_DEFER
#define SKS_KFREE_SKB_DEFER_FUNC	"__kfree_skb_defer"
#else
#define SKS_KFREE_SKB_DEFER_FUNC	NULL
#endif
#ifdef SKS_HAVE___NAPI_KFREE_SKB
#define SKS_NAPI_KFREE_SKB_FUNC		"__napi_kfree_skb"
#else
#define SKS_NAPI_KFREE_SKB_FUNC		NULL
#endif
#ifdef SKS_HAVE_SKB_ATTEMPT_DEFER_FREE
#define SKS_DEFER_FREE_FUNC		"skb_attempt_defer_free"
#else
#define SKS_DEFER_FREE_FUNC		NULL
#endif

#endif /* SKS_COMPAT_H */
