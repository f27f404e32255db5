/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hook descriptors and the handlers hook.c attaches.
 */
#ifndef SKS_HOOK_H
#define SKS_HOOK_H

#include <linux/bits.h>
#include <linux/ftrace.h>

/*
 * @fregs: the hooked function's arguments (sks_ftrace_arg()), and full
 * registers for a hook with .ipmodify (sks_ftrace_pt_regs());
 * @parent_ip: return address into the caller of the hooked function.
 */
typedef void (*sks_hook_fn)(sks_ftrace_regs_t *fregs, unsigned long parent_ip);

struct sks_fhook {
	const char *func;	/* kernel function to hook */
	ftrace_func_t cb;	/* hook.c's callback for the handler */
	u32 stages;		/* stages that need this hook */
	/*
	 * The handler may redirect the function: it gets full registers.
	 * The others ask ftrace for the arguments alone where it can.
	 */
	bool ipmodify;
	/*
	 * Reports stages of skbs already tagged: registered before and
	 * unregistered after every tagging hook, so tagged skbs in flight at
	 * STOP still reach their last stage.
	 */
	bool reporting;
	bool helper;		/* needed by its stages, provides none */
	bool optional;		/* a helper they can do without */
	bool found;
	bool registered;
	struct ftrace_ops ops;
};

/* Hooks referred to by index in sks_fhooks[]. */
#define SKS_FHOOK_TSTAMP_TX	6

#define SKS_STAGES_SENDMSG	((u32)BIT(SKBSTAMP_STAGE_SENDMSG))
/* Stages reported through the kernel's own SO_TIMESTAMPING points. */
#define SKS_STAGES_TAGGED	((u32)(BIT(SKBSTAMP_STAGE_SCHED) | \
				 BIT(SKBSTAMP_STAGE_SW) | \
				 BIT(SKBSTAMP_STAGE_HW) | \
				 BIT(SKBSTAMP_STAGE_ACK) | \
				 BIT(SKBSTAMP_STAGE_TXDONE)))
#define SKS_STAGES_TXDONE	((u32)BIT(SKBSTAMP_STAGE_TXDONE))

/* tx.c */
void sks_hook_tcp_sendmsg(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_udp_sendmsg(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_tcp_transmit(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_ip_send_skb(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_ip6_send_skb(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_skb_tstamp_tx(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_txdone(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_xmit_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_ip_fragment(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_sock_destruct(sks_ftrace_regs_t *fregs, unsigned long parent_ip);

/* rx.c */
void sks_hook_rx_napi(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_napi_gro(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_irq(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_ip(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_ip_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_l4(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_sockq(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read_csum(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read_udp(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_gro_merge(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_coalesce(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_free(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_clone(sks_ftrace_regs_t *fregs, unsigned long parent_ip);

/*
 * Which stages need a receive hook: the first ones a packet meets also
 * start tracking it, so every later stage needs them.
 */
#define SKS_RX_FROM(s)	(SKS_STAGES_RX & ~((u32)BIT(s) - 1))
/* merge too: GRO merges what napi started tracking. */
#define SKS_RX_NAPI	((u32)(BIT(SKBSTAMP_STAGE_RX_HW) | BIT(SKBSTAMP_STAGE_IRQ) | \
			       BIT(SKBSTAMP_STAGE_NAPI) | BIT(SKBSTAMP_STAGE_MERGE)))

#endif /* SKS_HOOK_H */
