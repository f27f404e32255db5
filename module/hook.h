/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hook descriptors and the handlers hook.c attaches.
 */
#ifndef SKS_HOOK_H
#define SKS_HOOK_H

#include <linux/bits.h>
#include <linux/ftrace.h>

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
void sks_hook_gso_segment(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_ip_fragment(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_sock_destruct(sks_ftrace_regs_t *fregs, unsigned long parent_ip);

/* rx.c */
void sks_hook_rx_napi(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_napi_gro(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_napi_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_irq(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_ip(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_ip_list(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_l4(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_sockq(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read_csum(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read_udp(sks_ftrace_regs_t *fregs, unsigned long parent_ip);
void sks_hook_rx_read_splice(sks_ftrace_regs_t *fregs,
			     unsigned long parent_ip);
void sks_hook_rx_read_tcp_eaten(sks_ftrace_regs_t *fregs,
				unsigned long parent_ip);
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
