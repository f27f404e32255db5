/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded state about traced sockets and tagged skbs (sockstate.c,
 * skbtag.c).
 */
#ifndef SKS_TRACK_H
#define SKS_TRACK_H

#include <linux/cache.h>
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/skbstamp.h>
#include <linux/types.h>

/*
 * A packet's flow as records carry it: addresses and ports in network
 * byte order, an IPv4 address in the first 4 bytes.
 */
struct sks_flow {
	u8 proto;
	u8 family;
	__be16 sport;
	__be16 dport;
	u8 saddr[16];
	u8 daddr[16];
};

static inline void sks_flow_to_record(struct skbstamp_record *rec,
				      const struct sks_flow *fl)
{
	rec->proto = fl->proto;
	rec->family = fl->family;
	rec->sport = fl->sport;
	rec->dport = fl->dport;
	memcpy(rec->saddr, fl->saddr, sizeof(rec->saddr));
	memcpy(rec->daddr, fl->daddr, sizeof(rec->daddr));
}

/*
 * The current task's name, as the scheduler's tracepoints read it: no
 * task_lock(), which is a sleeping lock on PREEMPT_RT and must not be
 * taken under the tables' raw spinlocks.  A concurrent rename may give a
 * mix of the two names, which is harmless here.
 */
static inline void sks_current_comm(char *comm)
{
	memcpy(comm, current->comm, TASK_COMM_LEN);
}

struct sks_owner {
	u32 pid;
	char comm[TASK_COMM_LEN];
	u64 send_ns;		/* the send call that wrote the skb, 0: unknown */
};

int sks_sock_alloc(void);
void sks_sock_free(void);
u64 sks_sock_evictions(void);
u64 sks_sock_count(void);
void sks_sock_forget(u64 cookie);
u32 sks_sock_sendmsg(u64 cookie, bool tcp, bool sampled, u32 tcp_seq, u32 len,
		     u64 now);
void sks_sock_owner(u64 cookie, struct sks_owner *o, u32 *udp_key,
		    const u32 *tcp_last);
bool sks_sock_sampled(u64 cookie, bool tcp, u32 seq, u32 len);
void sks_sock_tcp_owner(u64 cookie, struct sks_owner *o, u32 last,
			bool send_ns);

/*
 * A tagged skb: what the module set on it and what it needs to describe
 * its later stages.  Keyed by its socket's cookie and the tskey in its
 * shared info: both survive clones, copies and pskb_expand_head() (which
 * gives a clone new data and shared info), unlike any pointer.
 *
 * A stage reads and updates it in place, under its bucket's lock
 * (sks_tag_lock()).
 */
struct sks_tag {
	u64 cookie;		/* 0: free slot */
	u32 tskey;		/* skb_shinfo(skb)->tskey: the lookup key */
	u32 key;		/* the key records carry */
	u32 len;
	u8 ours;		/* SKBTX_* flags the module added */
	u8 app;			/* SKBTX_* flags the application had set */
	bool ack_ours;		/* the module asked for the ACK stamp */
	u8 state;		/* SKS_TAG_* */
	/* summary mode: when the skb passed sendmsg, sched and sw (0: not) */
	u64 ts[SKBSTAMP_STAGE_SW + 1];
	unsigned long stamp;	/* jiffies when tagged */
	/*
	 * Software GSO split the skb: bytes of the segment its driver stages
	 * (sw, hw, txdone) describe; sched and ack describe the whole skb.
	 */
	u32 seg_len;
	u32 offset;		/* IP fragment, UDP segment: see the record's */
	u16 gso_size;		/* UDP GSO: payload bytes per segment */
	u8 rflags;		/* SKBSTAMP_RF_* */
	struct sks_owner owner;
	struct sks_flow flow;
};

/* sks_tag.state: stages seen, so the entry ends after the last of them. */
#define SKS_TAG_HW_PENDING	BIT(0)	/* the driver took a hw request */
#define SKS_TAG_HW_DONE		BIT(1)
#define SKS_TAG_ACK_DONE	BIT(2)
#define SKS_TAG_SW_DONE		BIT(3)	/* the driver took the skb */
#define SKS_TAG_TXDONE_DONE	BIT(4)	/* ... and released it */
#define SKS_TAG_SEGMENT		BIT(5)	/* a segment software GSO made */
#define SKS_TAG_RESENT		BIT(6)	/* sent again under another key */

/*
 * sks_tag_end_done() options: end the entry when the stage was its skb's
 * last (SKS_MARK_END); the entry then waits for txdone only with
 * SKS_MARK_TXDONE, when the run traces it.
 */
#define SKS_MARK_END		BIT(1)
#define SKS_MARK_TXDONE		BIT(2)

#define SKS_TAG_BITS	12
#define SKS_TAG_WAYS	4

/*
 * The tag table's buckets are known here so that sks_tag_lock() is
 * inline: every stage of a tagged skb takes one.
 */
struct sks_tag_bucket {
	raw_spinlock_t lock;
	struct sks_tag t[SKS_TAG_WAYS];
} ____cacheline_aligned_in_smp;

extern struct sks_tag_bucket *sks_tags;

/* A locked tag entry's bucket (sks_tag_lock()). */
struct sks_tag_ref {
	struct sks_tag_bucket *b;
	unsigned long flags;
};

int sks_tag_alloc(void);
void sks_tag_free(void);
u64 sks_tag_evictions(void);
u64 sks_tag_count(void);
void sks_tag_put(const struct sks_tag *t);
bool sks_tag_add(const struct sks_tag *t);
bool sks_tag_get(u64 cookie, u32 tskey, struct sks_tag *t);
struct sks_tag *sks_tag_lock_new(u64 cookie, u32 tskey,
				 struct sks_tag_ref *ref)
	__acquires(&ref->b->lock);
void sks_tag_end(struct sks_tag *e);

static inline struct sks_tag_bucket *sks_tag_bucket(u64 cookie, u32 tskey)
{
	return &sks_tags[hash_64(cookie ^ ((u64)tskey << 32 | tskey),
				 SKS_TAG_BITS)];
}

static inline bool sks_tag_is(const struct sks_tag *e, u64 cookie, u32 tskey)
{
	return e->cookie == cookie && e->tskey == tskey;
}

/*
 * Lock the bucket of (@cookie, @tskey) and return the entry, or NULL if
 * it has none.  The caller reads and updates the entry in place (a stage
 * marks itself with sks_tag_pass() and may end the entry), then
 * sks_tag_unlock() lets the bucket go, found or not.  One lock hold per
 * stage: stages of one skb may complete on several CPUs at once (a
 * hardware stamp and the ACK), and each must see what the others did, so
 * that exactly one of them ends the entry.  Nothing that takes another
 * bucket's lock may be called in between; recording the stage (a ring
 * slot with interrupts off, maybe queueing the drain) or adding its
 * samples may.
 */
static inline struct sks_tag *sks_tag_lock(u64 cookie, u32 tskey,
					   struct sks_tag_ref *ref)
	__acquires(&ref->b->lock)
{
	struct sks_tag *e;

	ref->b = sks_tag_bucket(cookie, tskey);
	raw_spin_lock_irqsave(&ref->b->lock, ref->flags);
	for (e = ref->b->t; e < ref->b->t + SKS_TAG_WAYS; e++)
		if (sks_tag_is(e, cookie, tskey))
			return e;
	return NULL;
}

static inline void sks_tag_unlock(struct sks_tag_ref *ref)
	__releases(&ref->b->lock)
{
	raw_spin_unlock_irqrestore(&ref->b->lock, ref->flags);
}

/*
 * Has the entry's skb passed all its stages?  UDP ends with its transmit
 * stamp, TCP with the ACK; either way only once a hardware stamp the
 * driver took has come too (it may come after the ACK), and, when txdone
 * is traced (SKS_MARK_TXDONE), once the driver released the skb (which
 * may also come after the ACK on a NIC that completes late).
 */
static inline bool sks_tag_done(const struct sks_tag *e, u8 opts)
{
	u8 st = e->state;

	if ((st & SKS_TAG_HW_PENDING) && !(st & SKS_TAG_HW_DONE))
		return false;
	if ((opts & SKS_MARK_TXDONE) && !(st & SKS_TAG_TXDONE_DONE))
		return false;
	/* A resent skb's ACK is its new entry's (sks_tcp_tag_again()). */
	if (e->flow.proto == IPPROTO_UDP ||
	    (st & (SKS_TAG_SEGMENT | SKS_TAG_RESENT)))
		return st & (SKS_TAG_SW_DONE | SKS_TAG_HW_DONE);
	return st & SKS_TAG_ACK_DONE;
}

/*
 * Is the copy of entry @e's skb the driver took still in the host: its
 * hardware stamp to come, or, when txdone is traced (@txdone), not yet
 * released?  (One it never took was lost before: nothing more comes.)
 */
static inline bool sks_tag_in_host(const struct sks_tag *e, bool txdone)
{
	u8 st = e->state;

	if (!(st & SKS_TAG_SW_DONE))
		return false;
	return ((st & SKS_TAG_HW_PENDING) && !(st & SKS_TAG_HW_DONE)) ||
	       (txdone && !(st & SKS_TAG_TXDONE_DONE));
}

/*
 * Locked entry @e passed @stage at @ts (0: no time) with @state.  Inline,
 * as sks_tag_end_done(): every stage of a tagged skb calls both.
 */
static inline void sks_tag_pass(struct sks_tag *e, u8 state,
				unsigned int stage, u64 ts)
{
	e->state |= state;
	if (ts && stage < ARRAY_SIZE(e->ts))
		e->ts[stage] = ts;
}

/*
 * End locked entry @e if asked (SKS_MARK_END) and its skb passed its last
 * stage: after the stage is reported, which reads the entry whole.
 */
static inline void sks_tag_end_done(struct sks_tag *e, u8 opts)
{
	if ((opts & SKS_MARK_END) && sks_tag_done(e, opts))
		sks_tag_end(e);
}

void sks_tag_narrow(u64 cookie, u32 tskey, u32 len, u32 seg_len, u8 rflags);

/*
 * A received packet being tracked (rxtrack.c, rx.c), keyed by its skb.
 * The stages it passed are kept until the filters decide about it, so
 * a packet that turns out not to match leaves no record.
 */
#define SKS_RX_FIRST	SKBSTAMP_STAGE_RX_HW
#define SKS_RX_NSTAGES	(SKBSTAMP_STAGE_READ - SKS_RX_FIRST + 1)

struct sks_rx {
	const void *skb;	/* the key; NULL: free slot */
	unsigned long stamp;	/* jiffies when tracking began */
	u64 id;
	u64 head_id;		/* merge pending or done: into this packet */
	u64 merge_ns;		/* when the merge happened */
	u64 cookie;
	u64 hw_ns;
	u64 ts[SKS_RX_NSTAGES];	/* by stage - SKS_RX_FIRST; 0: not passed */
	u16 cpu[SKS_RX_NSTAGES];
	u16 passed;		/* BIT(stage - SKS_RX_FIRST) */
	u16 emitted;		/* of those, recorded (or summarized) */
	u32 tskey;
	u32 len;
	u32 ip_len;		/* IP packet bytes when len and tskey were read */
	u32 pid;
	s32 ifindex;
	u32 netns;
	u8 state;		/* SKS_RX_* */
	u8 rflags;		/* SKBSTAMP_RF_* of the merge */
	struct sks_flow flow;
	char comm[TASK_COMM_LEN];
};

/* sks_rx.state */
#define SKS_RX_MATCH	BIT(0)	/* the filters decided: traced */
#define SKS_RX_NOMATCH	BIT(1)	/* the filters decided: forgotten */
#define SKS_RX_SOCK	BIT(2)	/* the socket is known: cookie */
#define SKS_RX_OWNER	BIT(3)	/* the reading process is known: pid */
#define SKS_RX_MERGING	BIT(4)	/* merged into head_id unless it shows up */

#define SKS_RX_BITS	11
#define SKS_RX_WAYS	4

/*
 * The table's buckets are known here so that sks_rx_maybe() is inline:
 * every skb the system frees, clones or receives passes it while receive
 * stages are traced.
 */
struct sks_rx_bucket {
	raw_spinlock_t lock;
	unsigned int used;	/* entries in use; read locklessly */
	struct sks_rx e[SKS_RX_WAYS];
} ____cacheline_aligned_in_smp;

extern struct sks_rx_bucket *sks_rxt;

static inline struct sks_rx_bucket *sks_rx_bucket(const void *skb)
{
	return &sks_rxt[hash_ptr(skb, SKS_RX_BITS)];
}

/*
 * Could @skb have an entry?  A lockless look at its bucket, for the hooks
 * on every freed skb of the system: most find an empty bucket.
 */
static inline bool sks_rx_maybe(const void *skb)
{
	return sks_rxt && READ_ONCE(sks_rx_bucket(skb)->used);
}

/*
 * Has @skb an entry?  A lockless look at its bucket's keys, for a hook
 * that would otherwise lock another skb's bucket first: a hint, exact
 * for an skb whose entry the running CPU made or last changed (a
 * received packet on its way up).
 */
static inline bool sks_rx_maybe_in(const void *skb)
{
	const struct sks_rx_bucket *b;
	int i;

	if (!sks_rx_maybe(skb))
		return false;
	b = sks_rx_bucket(skb);
	for (i = 0; i < SKS_RX_WAYS; i++)
		if (READ_ONCE(b->e[i].skb) == skb)
			return true;
	return false;
}

/* A locked entry's bucket (sks_rx_lock()). */
struct sks_rx_ref {
	struct sks_rx_bucket *b;
	unsigned long flags;
};

int sks_rx_alloc(void);
void sks_rx_free(void);
u64 sks_rx_evictions(void);
u64 sks_rx_count(void);
bool sks_rx_get(const void *skb, struct sks_rx *e);
bool sks_rx_put(const struct sks_rx *e, struct sks_rx *old);
bool sks_rx_take(const void *skb, struct sks_rx *e);
struct sks_rx *sks_rx_lock(const void *skb, struct sks_rx_ref *ref)
	__acquires(ref);
void sks_rx_unlock(struct sks_rx_ref *ref) __releases(ref);
void sks_rx_remove(struct sks_rx_ref *ref, struct sks_rx *e)
	__releases(ref);

#endif /* SKS_TRACK_H */
