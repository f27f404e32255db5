/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between skbstamp's source files.
 */
#ifndef SKS_SKBSTAMP_H
#define SKS_SKBSTAMP_H

#include <linux/bits.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/skbstamp.h>
#include <linux/types.h>
#include <linux/sock_diag.h>
#include <net/sock.h>

#include "filter.h"

struct netlink_callback;
struct netlink_ext_ack;
struct sk_buff;
struct sock;

/* genl.c */
extern struct genl_family sks_genl_family;
/* Index of the "records" group in the family's mcgrps. */
#define SKS_MCGRP_RECORDS 0
int sks_genl_register(void);
void sks_genl_unregister(void);

/* control.c: the tracing state machine */
struct sks_config {
	u32 stages;		/* BIT(enum skbstamp_stage) */
	u32 buffer;		/* records per CPU ring, power of two */
	u32 mode;		/* enum skbstamp_mode */
	u32 drain;		/* enum skbstamp_drain */
	struct sks_filter filter;
};

struct sks_counters {
	u64 generated;
	u64 delivered;
	u64 dropped_full;
	u64 dropped_send;
	u64 buffered;
	u64 tags_abandoned;	/* tagged skbs whose last stage never came */
	u64 summarized;		/* summary mode: folded into histograms */
	u64 rx_evicted;		/* receive tracking entries lost */
	u64 rx_tracked;		/* received packets being tracked */
	u64 tags_pending;	/* tag table entries in use */
	u64 tags_evicted;	/* tag entries reused before their last stage */
	u64 socks_tracked;	/* socket table entries in use */
	u64 socks_evicted;	/* socket entries reused while in use */
};

enum skbstamp_state sks_state(void);
void sks_config_default(struct sks_config *cfg);
int sks_start(const struct sks_config *cfg, struct netlink_ext_ack *extack);
int sks_stop(struct netlink_ext_ack *extack);
int sks_set(const struct sks_config *cfg, struct netlink_ext_ack *extack);
int sks_reset(struct netlink_ext_ack *extack);
void sks_shutdown(void);
/* Snapshot for GET; returns false when never started. */
bool sks_snapshot(struct sks_config *cfg, struct sks_counters *cnt);
u32 sks_stages_avail(void);
/*
 * The configuration hooks read, once per call, with preemption disabled
 * (ftrace callbacks; see hook.c): SET swaps it with RCU.  Never NULL while
 * a hook is registered.
 */
extern struct sks_config __rcu *sks_cfg_rcu;

static inline const struct sks_config *sks_conf(void)
{
	return rcu_dereference_sched(sks_cfg_rcu);
}

static inline bool sks_want(const struct sks_config *cfg, unsigned int stage)
{
	return cfg->stages & BIT(stage);
}

static inline bool sks_summary(const struct sks_config *cfg)
{
	return cfg->mode == SKBSTAMP_MODE_SUMMARY;
}

/* SO_COOKIE's value, generated if the socket has none yet. */
static inline u64 sks_cookie(struct sock *sk)
{
	u64 c = atomic64_read(&sk->sk_cookie);

	if (unlikely(!c)) {
		u32 v[2];

		sock_diag_save_cookie(sk, v);
		c = (u64)v[1] << 32 | v[0];
	}
	return c;
}

/* params.c: module parameters; starts tracing if autostart=1 */
int sks_params_autostart(void);

/* ring.c: per-CPU record buffers drained to netlink */
int sks_ring_alloc(u32 size, bool summary);
void sks_ring_free_bufs(void);
void sks_ring_release(void);
struct skbstamp_record *sks_rec_begin(u64 ts, unsigned int stage,
				      unsigned long *flags);
void sks_rec_end(struct skbstamp_record *rec, int cpu, unsigned long flags);
void sks_count_summarized(void);
void sks_drain_start(void);
void sks_drain_enable(void);
void sks_drain_stop(void);
/* @cpu: one CPU's counters, or -1 for the sum. */
void sks_ring_counters(struct sks_counters *c, int cpu);
int sks_ring_dump(struct sk_buff *skb, struct netlink_callback *cb);

/*
 * batchpool.c: pages multicast batches are built on, reused.  A batch's
 * records fit in 32 KiB (ring.c): a compound page of this order.
 */
#define SKS_BATCH_ORDER	get_order(SZ_32K)
void sks_pool_fill(unsigned int batches);
void sks_pool_release(void);
struct page *sks_pool_take(void);

/* hook.c: finding and (un)registering hooks by name */
int sks_hooks_probe(void);
void sks_hooks_release(void);
int sks_hooks_register(u32 stages, struct netlink_ext_ack *extack);
void sks_hooks_unregister_taggers(void);
void sks_hooks_unregister_reporting(void);
bool sks_hooks_any_registered(void);
bool sks_hooks_cover(u32 stages);

/* ksym.c: function addresses by name, at load */
int sks_ksym_lookup(const char *const *names, unsigned long *addrs,
		    unsigned int n);

/* tphook.c: tracepoints, found by name and registered like the hooks */
u32 sks_tp_probe(void);
int sks_tp_register(u32 stages, struct netlink_ext_ack *extack);
void sks_tp_unregister(void);
bool sks_tp_cover(u32 stages);
bool sks_tp_any_registered(void);

/* rx.c */
#define SKS_STAGES_RX	((u32)(BIT(SKBSTAMP_STAGE_RX_HW) | \
			       BIT(SKBSTAMP_STAGE_IRQ) | \
			       BIT(SKBSTAMP_STAGE_NAPI) | \
			       BIT(SKBSTAMP_STAGE_NETIF) | \
			       BIT(SKBSTAMP_STAGE_IP) | \
			       BIT(SKBSTAMP_STAGE_L4) | \
			       BIT(SKBSTAMP_STAGE_SOCKQ) | \
			       BIT(SKBSTAMP_STAGE_READ) | \
			       BIT(SKBSTAMP_STAGE_DROP) | \
			       BIT(SKBSTAMP_STAGE_MERGE)))
void sks_rx_netif(struct sk_buff *skb);
void sks_rx_freed(struct sk_buff *skb, void *location, bool drop,
		  u32 reason);
void sks_rx_gro_done(int ret);
void sks_rx_gro_frags_enter(struct sk_buff *skb);
void sks_rx_gro_frags_done(int ret);

#endif /* SKS_SKBSTAMP_H */
