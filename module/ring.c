// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU record buffers and their delivery over generic netlink.
 *
 * Hooks run in any context (process, softirq, hardirq) and must neither
 * sleep nor allocate, so each CPU owns a preallocated ring of records.
 * The producer is the CPU itself with interrupts off, so a ring has exactly
 * one producer and one consumer (the drain work) and needs no lock: head is
 * published with release semantics after the record is written, tail after
 * the record has been copied out.
 *
 * The drain work copies whole runs of records into SKBSTAMP_CMD_RECORDS
 * messages, many records per message, and multicasts them on the "records"
 * group; the records go into pages it reuses (batchpool.c).  Every record
 * is accounted for exactly once: generated at the hook, then delivered,
 * dropped_full (ring full) or dropped_send (netlink failed); until then it
 * is buffered.  In summary mode there are no records, only counters:
 * every stage event is generated and summarized.
 *
 * With drain "dump" no work item runs: a collector pulls batches with
 * SKBSTAMP_CMD_RECORDS dump requests (sks_ring_dump()), so records wait in
 * the rings until it asks and netlink never has to drop one.
 *
 * The per-CPU counters outlive the record arrays: they are read after STOP
 * (GET, STATS) and replaced at the next START.
 */
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "skbstamp.h"

/* How often the drain runs when no ring is filling up quickly. */
#define SKS_DRAIN_MS	20

/*
 * The producer's fields and the drain's are on cache lines of their own:
 * the drain runs on any CPU, and each of its writes would otherwise take
 * the line the producer writes on every record.
 */
struct sks_ring {
	/* written by the producer (the CPU itself) only */
	struct skbstamp_record *recs;	/* NULL in summary mode */
	u32 mask;		/* size - 1; size is a power of two */
	u32 head;		/* next slot to write */
	u64 generated;
	u64 dropped_full;
	u64 summarized;		/* summary mode */
	/* written by the drain only */
	u32 tail ____cacheline_aligned_in_smp;	/* next slot to read */
	u64 seq;		/* batches of this CPU sent so far */
	u64 delivered;
	u64 dropped_send;
};

static struct sks_ring __percpu *sks_rings __read_mostly;
static u32 sks_ring_size;
static void sks_drain_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(sks_drain_work, sks_drain_fn);
/* Serialises drains: the periodic work and the final drain at stop. */
static DEFINE_MUTEX(sks_drain_lock);
/* Set while the rings exist and may be drained. */
static bool sks_draining;
/* enum skbstamp_drain of the run; under sks_drain_lock. */
static u32 sks_conf_drain;

/* New rings (and counters) for a run; the last run's counters go. */
static void sks_rings_free(struct sks_ring __percpu *rings)
{
	int cpu;

	if (!rings)
		return;
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(rings, cpu)->recs);
	free_percpu(rings);
}

/*
 * New rings (and counters) for a run; the last run's go.  The pointer
 * changes under the drain lock, which STATS and GET hold while reading.
 */
int sks_ring_alloc(u32 size, bool summary)
{
	struct sks_ring __percpu *rings = alloc_percpu(struct sks_ring);
	int cpu;

	if (!rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct sks_ring *r = per_cpu_ptr(rings, cpu);

		if (summary)
			break;
		r->recs = vmalloc_node(array_size(size, sizeof(*r->recs)),
				       cpu_to_node(cpu));
		if (!r->recs) {
			sks_rings_free(rings);
			return -ENOMEM;
		}
		r->mask = size - 1;
	}
	mutex_lock(&sks_drain_lock);
	swap(rings, sks_rings);
	sks_ring_size = size;
	mutex_unlock(&sks_drain_lock);
	sks_rings_free(rings);
	return 0;
}

/* At STOP, once drained: the records go, the counters stay. */
void sks_ring_free_bufs(void)
{
	int cpu;

	mutex_lock(&sks_drain_lock);
	for_each_possible_cpu(cpu) {
		struct sks_ring *r;

		if (!sks_rings)
			break;
		r = per_cpu_ptr(sks_rings, cpu);
		vfree(r->recs);
		r->recs = NULL;
	}
	sks_pool_release();
	mutex_unlock(&sks_drain_lock);
}

/* At unload. */
void sks_ring_release(void)
{
	struct sks_ring __percpu *rings;

	mutex_lock(&sks_drain_lock);
	rings = sks_rings;
	sks_rings = NULL;
	sks_pool_release();
	mutex_unlock(&sks_drain_lock);
	sks_rings_free(rings);
}

/* Summary mode: a stage event went into a histogram instead of a record. */
void sks_count_summarized(void)
{
	this_cpu_inc(sks_rings->generated);
	this_cpu_inc(sks_rings->summarized);
}

/*
 * A record is written in place, in this CPU's ring: sks_rec_begin()
 * claims the next slot, zeroed (it goes to user space whole) but for its
 * time and stage, and sks_rec_end() publishes it.  In between, interrupts
 * are off: the CPU is its ring's only producer, and an interrupt's record
 * must not take the slot being filled.  Callable from any context but
 * NMI.  NULL: the ring is full, which is counted.
 */
struct skbstamp_record *sks_rec_begin(u64 ts, unsigned int stage,
				      unsigned long *flags)
{
	struct skbstamp_record *rec;
	struct sks_ring *r;
	u32 head;

	local_irq_save(*flags);
	r = this_cpu_ptr(sks_rings);
	r->generated++;
	head = r->head;
	/* Pairs with the drain's release of tail: the slot is free. */
	if (unlikely(head - smp_load_acquire(&r->tail) > r->mask)) {
		r->dropped_full++;
		local_irq_restore(*flags);
		return NULL;
	}
	rec = &r->recs[head & r->mask];
	memset(rec, 0, sizeof(*rec));
	rec->ts_ns = ts;
	rec->stage = stage;
	return rec;
}

/*
 * Publish @rec, from sks_rec_begin(); it names @cpu, or this CPU if
 * negative (a stage recorded later than it happened names the CPU it
 * happened on).
 */
void sks_rec_end(struct skbstamp_record *rec, int cpu, unsigned long flags)
{
	struct sks_ring *r = this_cpu_ptr(sks_rings);
	u32 head = r->head + 1;

	rec->cpu = cpu < 0 ? smp_processor_id() : cpu;
	/* Publish the record: pairs with the drain's acquire of head. */
	smp_store_release(&r->head, head);
	local_irq_restore(flags);

	/* Half full: do not wait for the next period (multicast only). */
	if (unlikely(head - READ_ONCE(r->tail) == (r->mask + 1) / 2) &&
	    READ_ONCE(sks_conf_drain) == SKBSTAMP_DRAIN_MULTICAST)
		mod_delayed_work(system_wq, &sks_drain_work, 0);
}

#define SKS_REC_SIZE	sizeof(struct skbstamp_record)
/* Room a batch of @n records needs in a message, beyond the headers. */
#define SKS_BATCH_ROOM(n) (nla_total_size((n) * SKS_REC_SIZE) + \
			   3 * nla_total_size_64bit(8))
/* The skb a multicast batch of @n records is allocated as: data and shinfo. */
#define SKS_BATCH_ALLOC(n) (SKB_DATA_ALIGN(NLMSG_HDRLEN + GENL_HDRLEN + \
					   SKS_BATCH_ROOM(n)) + \
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info)))
/*
 * Records per message: as many as fit a 32 KiB allocation.  Kernels with
 * init_on_alloc (the distributions' default) zero every allocation whole,
 * and one record more would make it 64 KiB: twice the bytes cleared for
 * each record delivered, when a batch cannot use the pool's pages (a dump
 * reply, a pool slot still held).
 */
#define SKS_BATCH_MAX	((SZ_32K - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) - \
			  SMP_CACHE_BYTES - NLMSG_HDRLEN - GENL_HDRLEN - \
			  SKS_BATCH_ROOM(0)) / SKS_REC_SIZE)

/* Copy the first @len bytes of @r's unread records to @dst. */
static void sks_ring_read(const struct sks_ring *r, void *dst, size_t len)
{
	size_t size = (size_t)(r->mask + 1) * SKS_REC_SIZE;
	size_t from = (size_t)(r->tail & r->mask) * SKS_REC_SIZE;
	size_t part = min(len, size - from);

	/* The ring may wrap in between. */
	memcpy(dst, (char *)r->recs + from, part);
	memcpy((char *)dst + part, r->recs, len - part);
}

/* A batch's attributes before its records: CPU, SEQ and RECORD_SIZE. */
static int sks_batch_head(struct sk_buff *msg, const struct sks_ring *r,
			  int cpu)
{
	if (nla_put_u32(msg, SKBSTAMP_A_CPU, cpu) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_A_SEQ, r->seq + 1, SKBSTAMP_A_PAD) ||
	    nla_put_u32(msg, SKBSTAMP_A_RECORD_SIZE, SKS_REC_SIZE))
		return -EMSGSIZE;
	return 0;
}

/*
 * Put the next @n records of @r, with CPU and SEQ, into @msg after its
 * genetlink header.  The caller releases the slots.
 */
static int sks_batch_fill(struct sk_buff *msg, struct sks_ring *r, int cpu,
			  u32 n)
{
	struct nlattr *attr;

	if (sks_batch_head(msg, r, cpu))
		return -EMSGSIZE;
	attr = nla_reserve(msg, SKBSTAMP_A_RECORDS, n * SKS_REC_SIZE);
	if (!attr)
		return -EMSGSIZE;
	sks_ring_read(r, nla_data(attr), n * SKS_REC_SIZE);
	r->seq++;
	return 0;
}

/*
 * A multicast batch of the next @n records of @r, on the pool's @page:
 * the message's linear part ends with the RECORDS attribute's header,
 * and the records follow in the page, as its one fragment.  A listener
 * reads one message either way.
 */
static struct sk_buff *sks_batch_paged(struct sks_ring *r, int cpu, u32 n,
				       struct page *page)
{
	size_t len = (size_t)n * SKS_REC_SIZE;
	struct sk_buff *msg;
	struct nlattr *attr;
	void *hdr;

	msg = genlmsg_new(SKS_BATCH_ROOM(0), GFP_KERNEL);
	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &sks_genl_family, 0, SKBSTAMP_CMD_RECORDS);
	attr = hdr && !sks_batch_head(msg, r, cpu) ?
	       nla_reserve(msg, SKBSTAMP_A_RECORDS, 0) : NULL;
	if (!attr) {
		nlmsg_free(msg);
		return NULL;
	}
	/* Records are a multiple of NLA_ALIGNTO long: no padding follows. */
	attr->nla_len += len;
	genlmsg_end(msg, hdr);
	sks_ring_read(r, page_address(page), len);
	get_page(page);
	/*
	 * A listener's socket is charged for the pages the records take, as
	 * for a linear batch of their size: a small batch does not fill its
	 * buffer as a whole slot would.
	 */
	skb_add_rx_frag(msg, 0, page, 0, len, PAGE_ALIGN(len));
	/* genlmsg_end() counted the linear part only. */
	nlmsg_hdr(msg)->nlmsg_len += len;
	r->seq++;
	return msg;
}

/* Send up to SKS_BATCH_MAX records of @r as one message; returns how many. */
static u32 sks_drain_batch(struct sks_ring *r, int cpu, u32 avail)
{
	u32 n = min_t(u32, avail, SKS_BATCH_MAX);
	struct sk_buff *msg = NULL;
	struct page *page;
	void *hdr;
	int err;

	BUILD_BUG_ON(SKS_BATCH_ALLOC(SKS_BATCH_MAX) > SZ_32K);
	BUILD_BUG_ON(SKS_BATCH_MAX * SKS_REC_SIZE > PAGE_SIZE << SKS_BATCH_ORDER);
	BUILD_BUG_ON(SKS_REC_SIZE % NLA_ALIGNTO);

	page = sks_pool_take();
	if (page)
		msg = sks_batch_paged(r, cpu, n, page);
	if (!msg) {
		msg = genlmsg_new(SKS_BATCH_ROOM(n), GFP_KERNEL);
		if (!msg)
			goto lost;
		hdr = genlmsg_put(msg, 0, 0, &sks_genl_family, 0,
				  SKBSTAMP_CMD_RECORDS);
		if (!hdr || sks_batch_fill(msg, r, cpu, n))
			goto free;
		genlmsg_end(msg, hdr);
	}

	/*
	 * The records are copied: give the slots back to the producer, which
	 * pairs with its acquire of tail.
	 */
	smp_store_release(&r->tail, r->tail + n);
	err = genlmsg_multicast(&sks_genl_family, msg, 0, SKS_MCGRP_RECORDS,
				GFP_KERNEL);
	/*
	 * 0: at least one listener's socket took the batch.  -ESRCH: none
	 * did (no listener, or every socket full).  -ENOBUFS: a listener
	 * that set NETLINK_BROADCAST_ERROR overflowed, whatever the others
	 * got; counted as lost, so drops may be over-, never under-counted.
	 */
	if (err)
		r->dropped_send += n;
	else
		r->delivered += n;
	return n;

free:
	nlmsg_free(msg);
lost:
	/* The batch is lost: count it so listeners see the gap. */
	r->seq++;
	/* Give the slots back: pairs with the producer's acquire of tail. */
	smp_store_release(&r->tail, r->tail + n);
	r->dropped_send += n;
	return n;
}

/*
 * A collector's SKBSTAMP_CMD_RECORDS dump request (drain "dump"): fill the
 * reply with batches, one message per CPU run of records, until it is full
 * or every ring is empty.  Records leave a ring only once copied into the
 * reply, which netlink delivers as the collector reads: nothing is lost
 * between the rings and the collector.  cb->args[0]: the next CPU to look
 * at, so CPUs take turns when the collector cannot keep up.
 */
int sks_ring_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int cpu, i, start = cb->args[0];
	int sent = 0;

	mutex_lock(&sks_drain_lock);
	if (!sks_draining || !sks_rings ||
	    READ_ONCE(sks_conf_drain) != SKBSTAMP_DRAIN_DUMP)
		goto out;
	for (i = 0; i < nr_cpu_ids; i++) {
		struct sks_ring *r;
		u32 avail, room, n;
		void *hdr;

		cpu = (start + i) % nr_cpu_ids;
		if (!cpu_possible(cpu))
			continue;
		r = per_cpu_ptr(sks_rings, cpu);
		/* Pairs with the producer's release of head. */
		avail = smp_load_acquire(&r->head) - r->tail;
		if (!avail)
			continue;
		room = skb_tailroom(skb);
		if (room < SKS_BATCH_ROOM(1) + GENL_HDRLEN + NLMSG_HDRLEN)
			break;
		n = (room - GENL_HDRLEN - NLMSG_HDRLEN - SKS_BATCH_ROOM(0)) /
		    SKS_REC_SIZE;
		n = min3(n, avail, (u32)SKS_BATCH_MAX);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sks_genl_family,
				  NLM_F_MULTI, SKBSTAMP_CMD_RECORDS);
		if (!hdr)
			break;
		if (sks_batch_fill(skb, r, cpu, n)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		/* Copied: pairs with the producer's acquire of tail. */
		smp_store_release(&r->tail, r->tail + n);
		r->delivered += n;
		sent++;
		cb->args[0] = cpu + 1;
	}
out:
	mutex_unlock(&sks_drain_lock);
	/* An empty reply ends the dump; the collector asks again later. */
	return sent ? skb->len : 0;
}

static void sks_drain_all(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct sks_ring *r = per_cpu_ptr(sks_rings, cpu);
		u32 avail;

		/* Pairs with the producer's release of head. */
		while ((avail = smp_load_acquire(&r->head) - r->tail))
			sks_drain_batch(r, cpu, avail);
		cond_resched();
	}
}

static void sks_drain_fn(struct work_struct *work)
{
	mutex_lock(&sks_drain_lock);
	/* With drain "dump" the collector pulls: the work never runs. */
	if (sks_draining && sks_conf_drain == SKBSTAMP_DRAIN_MULTICAST) {
		sks_drain_all();
		schedule_delayed_work(&sks_drain_work,
				      msecs_to_jiffies(SKS_DRAIN_MS));
	}
	mutex_unlock(&sks_drain_lock);
}

/* Rings may be drained from now on: by dump requests only. */
void sks_drain_enable(void)
{
	mutex_lock(&sks_drain_lock);
	sks_draining = true;
	WRITE_ONCE(sks_conf_drain, SKBSTAMP_DRAIN_DUMP);
	mutex_unlock(&sks_drain_lock);
}

/* ... and by the periodic work, which multicasts. */
void sks_drain_start(void)
{
	mutex_lock(&sks_drain_lock);
	sks_draining = true;
	WRITE_ONCE(sks_conf_drain, SKBSTAMP_DRAIN_MULTICAST);
	/* Records mode: summary mode has no records to send. */
	if (sks_ring_size)
		sks_pool_fill(DIV_ROUND_UP(sks_ring_size, SKS_BATCH_MAX));
	mutex_unlock(&sks_drain_lock);
	schedule_delayed_work(&sks_drain_work, msecs_to_jiffies(SKS_DRAIN_MS));
}

/* Called once no hook can run any more: deliver what is left, stop. */
void sks_drain_stop(void)
{
	mutex_lock(&sks_drain_lock);
	sks_draining = false;
	mutex_unlock(&sks_drain_lock);
	cancel_delayed_work_sync(&sks_drain_work);
	mutex_lock(&sks_drain_lock);
	if (sks_rings)
		sks_drain_all();
	mutex_unlock(&sks_drain_lock);
}

/*
 * Counters of one CPU (@only) or all.  Taken under the drain lock, so a
 * batch is never caught between leaving its ring and being counted as
 * delivered or dropped.  Process context.
 */
void sks_ring_counters(struct sks_counters *c, int only)
{
	int cpu;

	memset(c, 0, sizeof(*c));
	mutex_lock(&sks_drain_lock);
	if (!sks_rings)
		goto out;
	for_each_possible_cpu(cpu) {
		struct sks_ring *r = per_cpu_ptr(sks_rings, cpu);

		if (only >= 0 && cpu != only)
			continue;
		c->generated += READ_ONCE(r->generated);
		c->dropped_full += READ_ONCE(r->dropped_full);
		c->delivered += READ_ONCE(r->delivered);
		c->dropped_send += READ_ONCE(r->dropped_send);
		c->summarized += READ_ONCE(r->summarized);
		c->buffered += (u32)(READ_ONCE(r->head) - READ_ONCE(r->tail));
	}
out:
	mutex_unlock(&sks_drain_lock);
}
