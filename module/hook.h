/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hook descriptors and the handlers hook.c attaches.
 */
#ifndef SKS_HOOK_H
#define SKS_HOOK_H

#include <linux/bits.h>
#include <linux/ftrace.h>

struct pt_regs;

/* @parent_ip: return address into the caller of the hooked function. */
typedef void (*sks_hook_fn)(struct pt_regs *regs, unsigned long parent_ip);

struct sks_fhook {
	const char *func;	/* kernel function to hook */
	sks_hook_fn fn;
	u32 stages;		/* stages that need this hook */
	bool ipmodify;		/* the handler may redirect the function */
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
void sks_hook_tcp_sendmsg(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_udp_sendmsg(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_tcp_transmit(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_ip_send_skb(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_ip6_send_skb(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_skb_tstamp_tx(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_txdone(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_xmit_list(struct pt_regs *regs, unsigned long parent_ip);

/* rx.c */
void sks_hook_rx_napi(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_napi_gro(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_irq(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_ip(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_ip_list(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_l4(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_sockq(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_read(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_read_csum(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_read_udp(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_gro_merge(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_coalesce(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_free(struct pt_regs *regs, unsigned long parent_ip);
void sks_hook_rx_clone(struct pt_regs *regs, unsigned long parent_ip);

/*
 * Which stages need a receive hook: the first ones a packet meets also
 * start tracking it, so every later stage needs them.
 */
#define SKS_RX_FROM(s)	(SKS_STAGES_RX & ~((u32)BIT(s) - 1))
#define SKS_RX_NAPI	((u32)(BIT(SKBSTAMP_STAGE_RX_HW) | BIT(SKBSTAMP_STAGE_IRQ) | \
			       BIT(SKBSTAMP_STAGE_NAPI)))

#endif /* SKS_HOOK_H */
