// SPDX-License-Identifier: GPL-2.0
/*
 * What the module remembers about a traced socket, without touching the
 * socket itself: who last sent on it (records made in softirq context,
 * long after the send, still name the sender) and the UDP datagram counter
 * that gives datagrams their tskey (the application's own sk_tskey is
 * never used).
 *
 * With sampling, it also remembers which send calls were sampled, so the
 * skbs they produce are the ones tagged: the last few TCP sequence ranges,
 * or whether the next UDP datagram is from a sampled call.
 *
 * Bounded: a fixed table of buckets keyed by socket cookie; a full bucket
 * reuses its least recently used entry, which is counted.  Eight ways per
 * bucket rather than more buckets of fewer: sockets that outlive their
 * close (unacknowledged data, slow RCU callbacks) made four-way buckets
 * overflow with a few hundred traced sockets alive at once (13 evictions
 * in 100,000 short-lived sockets on the debug kernel); eight ways in half
 * as many buckets hold as many entries and make that rare by orders of
 * magnitude.  An
 * entry ends with its socket (sks_sock_forget(), from the socket's
 * destructor): by then no skb of the socket is left to need it, and
 * short-lived sockets do not fill the table with the dead.
 */
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/hash.h>

#include "skbstamp.h"
#include "pcount.h"
#include "track.h"

#define SKS_SOCK_BITS	9
#define SKS_SOCK_WAYS	8
#define SKS_SOCK_RANGES	4	/* sampled TCP calls remembered */
#define SKS_SOCK_CALLS	4	/* TCP send calls remembered for summary */

struct sks_sock_ent {
	u32 udp_next;		/* key of the next UDP datagram */
	bool udp_sampled;	/* the next datagram has a sampled call */
	u8 range_next;
	struct { u32 seq, len; } range[SKS_SOCK_RANGES];
	/* when the last send calls were made: TCP by bytes, UDP the last */
	u8 call_next;
	struct { u32 seq, len; u64 ns; } call[SKS_SOCK_CALLS];
	u64 udp_ns;
	u32 pid;
	char comm[TASK_COMM_LEN];
};

struct sks_sock_bucket {
	raw_spinlock_t lock;
	/*
	 * The ways' sockets (0: free) and last use (jiffies), apart from the
	 * entries: a lookup reads one cache line, not one per way.
	 */
	u64 cookie[SKS_SOCK_WAYS];
	unsigned long used[SKS_SOCK_WAYS];
	struct sks_sock_ent e[SKS_SOCK_WAYS];
} ____cacheline_aligned_in_smp;

static struct sks_sock_bucket *sks_socks __read_mostly;
static atomic64_t sks_sock_evicted;
static DEFINE_PER_CPU(long, sks_sock_used);

/*
 * Each CPU's last TCP send call.  Most calls transmit their bytes right
 * away, in the sender's own context: those transmissions find their
 * sender and the call's time here, without the table's lock.  Written
 * and read in task context with preemption off (the hooks' callbacks),
 * so a CPU's slot changes only between two hooks, and only by a send
 * call; the task and socket tell whose call it is.
 */
struct sks_sock_call {
	const struct task_struct *task;
	u64 cookie;
	u32 seq, len;		/* the call's bytes */
	u64 ns;
};

static DEFINE_PER_CPU(struct sks_sock_call, sks_sock_last);

int sks_sock_alloc(void)
{
	int i;

	sks_socks = vzalloc(sizeof(*sks_socks) << SKS_SOCK_BITS);
	if (!sks_socks)
		return -ENOMEM;
	for (i = 0; i < 1 << SKS_SOCK_BITS; i++)
		raw_spin_lock_init(&sks_socks[i].lock);
	atomic64_set(&sks_sock_evicted, 0);
	sks_pcount_zero(&sks_sock_used);
	/* A call of an earlier run is not this one's. */
	for_each_possible_cpu(i)
		memset(per_cpu_ptr(&sks_sock_last, i), 0,
		       sizeof(struct sks_sock_call));
	return 0;
}

void sks_sock_free(void)
{
	vfree(sks_socks);
	sks_socks = NULL;
}

u64 sks_sock_evictions(void)
{
	return atomic64_read(&sks_sock_evicted);
}

/* Entries in use: traced sockets not destroyed yet. */
u64 sks_sock_count(void)
{
	return sks_pcount_sum(&sks_sock_used);
}

/*
 * Find or claim the entry of @cookie in @b: a free one, else the least
 * recently used one.  Called with the lock held.
 */
static struct sks_sock_ent *sks_sock_get(struct sks_sock_bucket *b, u64 cookie)
{
	int i, free = -1, lru = 0;

	for (i = 0; i < SKS_SOCK_WAYS; i++) {
		if (b->cookie[i] == cookie)
			goto found;
		if (!b->cookie[i] && free < 0)
			free = i;
	}
	if (free >= 0) {
		i = free;
		this_cpu_inc(sks_sock_used);
	} else {
		for (i = 1; i < SKS_SOCK_WAYS; i++)
			if (time_before(b->used[i], b->used[lru]))
				lru = i;
		i = lru;
		atomic64_inc(&sks_sock_evicted);
	}
	memset(&b->e[i], 0, sizeof(b->e[i]));
	WRITE_ONCE(b->cookie[i], cookie);
found:
	b->used[i] = jiffies;
	return &b->e[i];
}

static struct sks_sock_bucket *sks_sock_bucket(u64 cookie)
{
	return &sks_socks[hash_64(cookie, SKS_SOCK_BITS)];
}

/*
 * At a send call made at @now: remember the sender, when, and whether the
 * call was sampled (TCP: the call's bytes start at @tcp_seq); return the
 * next UDP key.
 */
u32 sks_sock_sendmsg(u64 cookie, bool tcp, bool sampled, u32 tcp_seq, u32 len,
		     u64 now)
{
	struct sks_sock_bucket *b = sks_sock_bucket(cookie);
	struct sks_sock_ent *e;
	unsigned long flags;
	u32 next;

	raw_spin_lock_irqsave(&b->lock, flags);
	e = sks_sock_get(b, cookie);
	e->pid = task_tgid_nr(current);
	sks_current_comm(e->comm);
	next = e->udp_next;
	if (tcp) {
		e->call[e->call_next].seq = tcp_seq;
		e->call[e->call_next].len = len;
		e->call[e->call_next].ns = now;
		e->call_next = (e->call_next + 1) % SKS_SOCK_CALLS;
	} else {
		e->udp_ns = now;
	}
	if (sampled) {
		e->udp_sampled = true;
		e->range[e->range_next].seq = tcp_seq;
		e->range[e->range_next].len = len;
		e->range_next = (e->range_next + 1) % SKS_SOCK_RANGES;
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	if (tcp) {
		struct sks_sock_call *c = this_cpu_ptr(&sks_sock_last);

		c->task = current;
		c->cookie = cookie;
		c->seq = tcp_seq;
		c->len = len;
		c->ns = now;
	}
	return next;
}

/*
 * Was the skb with these bytes (TCP) or the next datagram (UDP) produced
 * by a sampled send call?  UDP consumes the mark.
 */
bool sks_sock_sampled(u64 cookie, bool tcp, u32 seq, u32 len)
{
	struct sks_sock_bucket *b = sks_sock_bucket(cookie);
	struct sks_sock_ent *e;
	unsigned long flags;
	bool ret = false;
	int i;

	raw_spin_lock_irqsave(&b->lock, flags);
	e = sks_sock_get(b, cookie);
	if (!tcp) {
		ret = e->udp_sampled;
		e->udp_sampled = false;
	} else {
		/* Overlap of [seq, seq + len) and a sampled call's range. */
		for (i = 0; i < SKS_SOCK_RANGES && !ret; i++)
			ret = e->range[i].len &&
			      (seq - e->range[i].seq < e->range[i].len ||
			       e->range[i].seq - seq < len);
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
	return ret;
}

/*
 * Fill in the sender of a socket's packet.  With @udp_key, also hand out
 * the socket's next UDP datagram key and the time of the send call that
 * completed it; with @tcp_last, the time of the send call that wrote that
 * byte, if it is one of the last few.
 */
void sks_sock_owner(u64 cookie, struct sks_owner *o, u32 *udp_key,
		    const u32 *tcp_last)
{
	struct sks_sock_bucket *b = sks_sock_bucket(cookie);
	struct sks_sock_ent *e;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&b->lock, flags);
	e = sks_sock_get(b, cookie);
	if (!e->pid && in_task()) {
		e->pid = task_tgid_nr(current);
		sks_current_comm(e->comm);
	}
	o->pid = e->pid;
	memcpy(o->comm, e->comm, sizeof(o->comm));
	o->send_ns = 0;
	if (udp_key) {
		*udp_key = e->udp_next++;
		o->send_ns = e->udp_ns;
		e->udp_ns = 0;
	}
	for (i = 0; tcp_last && i < SKS_SOCK_CALLS; i++)
		if (*tcp_last - e->call[i].seq < e->call[i].len)
			o->send_ns = e->call[i].ns;
	raw_spin_unlock_irqrestore(&b->lock, flags);
}

/*
 * Fill in the sender of a TCP skb whose last byte is @last, and with
 * @send_ns the time of the send call that wrote that byte, if it is one
 * of the last few.  A transmission by the sender itself, of bytes of the
 * call it made last on this CPU, is told by the CPU's last call; the
 * sender and its call are then the ones the table would give.
 */
void sks_sock_tcp_owner(u64 cookie, struct sks_owner *o, u32 last,
			bool send_ns)
{
	const struct sks_sock_call *c = this_cpu_ptr(&sks_sock_last);

	if (in_task() && c->task == current && c->cookie == cookie &&
	    last - c->seq < c->len) {
		o->pid = task_tgid_nr(current);
		sks_current_comm(o->comm);
		o->send_ns = send_ns ? c->ns : 0;
		return;
	}
	sks_sock_owner(cookie, o, NULL, send_ns ? &last : NULL);
}

/* Has @b an entry for @cookie?  Lockless: a hint, to skip the lock. */
static bool sks_sock_maybe_in(const struct sks_sock_bucket *b, u64 cookie)
{
	int i;

	for (i = 0; i < SKS_SOCK_WAYS; i++)
		if (READ_ONCE(b->cookie[i]) == cookie)
			return true;
	return false;
}

/*
 * The socket of @cookie is being destroyed: its entry, if it has one, is
 * free.  Sockets the module never traced have none, and no entry is made.
 * Every socket of the host ends here, so those without an entry do not
 * take the bucket's lock: none can be added for a socket being destroyed.
 */
void sks_sock_forget(u64 cookie)
{
	struct sks_sock_bucket *b = sks_sock_bucket(cookie);
	unsigned long flags;
	int i;

	if (!sks_sock_maybe_in(b, cookie))
		return;
	raw_spin_lock_irqsave(&b->lock, flags);
	for (i = 0; i < SKS_SOCK_WAYS; i++) {
		if (b->cookie[i] == cookie) {
			WRITE_ONCE(b->cookie[i], 0);
			this_cpu_dec(sks_sock_used);
			break;
		}
	}
	raw_spin_unlock_irqrestore(&b->lock, flags);
}
