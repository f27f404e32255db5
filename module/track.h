/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded state about traced sockets and tagged skbs (sockstate.c,
 * skbtag.c).
 */
#ifndef SKS_TRACK_H
#define SKS_TRACK_H

#include <linux/sched.h>
#include <linux/types.h>

struct sks_owner {
	u32 pid;
	char comm[TASK_COMM_LEN];
};

int sks_sock_alloc(void);
void sks_sock_free(void);
u64 sks_sock_evictions(void);
u32 sks_sock_sendmsg(u64 cookie);
void sks_sock_owner(u64 cookie, struct sks_owner *o, u32 *udp_key);

/*
 * A tagged skb: what the module set on it and what it needs to describe
 * its later stages.  Keyed by the skb's shared info, which its clones
 * share and which lives as long as the data.
 */
struct sks_tag {
	const void *shinfo;	/* NULL: free slot */
	const void *sk;		/* validates a lookup */
	unsigned long stamp;	/* jiffies when tagged */
	u64 cookie;
	u32 key;		/* tskey */
	u32 len;
	struct sks_owner owner;
	u8 ours;		/* SKBTX_* flags the module added */
	u8 app;			/* SKBTX_* flags the application had set */
	bool ack_ours;		/* the module asked for the ACK stamp */
	u8 rflags;		/* SKBSTAMP_RF_* */
	u8 proto;
	u8 family;
	__be16 sport;
	__be16 dport;
	u8 saddr[16];
	u8 daddr[16];
};

int sks_tag_alloc(void);
void sks_tag_free(void);
u64 sks_tag_evictions(void);
u64 sks_tag_count(void);
void sks_tag_put(const struct sks_tag *t);
bool sks_tag_get(const void *shinfo, const void *sk, struct sks_tag *t);
void sks_tag_del(const void *shinfo, const void *sk);

#endif /* SKS_TRACK_H */
