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
 * group.  Every record is accounted for exactly once: generated at the
 * hook, then delivered, dropped_full (ring full) or dropped_send (netlink
 * failed); until then it is buffered.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "skbstamp.h"

/* How often the drain runs when no ring is filling up quickly. */
#define SKS_DRAIN_MS	20
/* Records per netlink message: 290 * 112 bytes fits a 32 KiB skb. */
#define SKS_BATCH_MAX	290

struct sks_ring {
	struct skbstamp_record *recs;
	u32 mask;		/* size - 1; size is a power of two */
	u32 head;		/* next slot to write; producer only */
	u32 tail;		/* next slot to read; drain only */
	u64 seq;		/* batches of this CPU sent so far */
	/* written by the producer only */
	u64 generated;
	u64 dropped_full;
	/* written by the drain only */
	u64 delivered;
	u64 dropped_send;
};

static struct sks_ring __percpu *sks_rings;
static u32 sks_ring_size;
static void sks_drain_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(sks_drain_work, sks_drain_fn);
/* Serialises drains: the periodic work and the final drain at stop. */
static DEFINE_MUTEX(sks_drain_lock);
/* Set while the rings exist and may be drained. */
static bool sks_draining;

int sks_ring_alloc(u32 size)
{
	int cpu;

	sks_rings = alloc_percpu(struct sks_ring);
	if (!sks_rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct sks_ring *r = per_cpu_ptr(sks_rings, cpu);

		r->recs = vmalloc_node(array_size(size, sizeof(*r->recs)),
				       cpu_to_node(cpu));
		if (!r->recs) {
			sks_ring_free();
			return -ENOMEM;
		}
		r->mask = size - 1;
	}
	sks_ring_size = size;
	return 0;
}

void sks_ring_free(void)
{
	int cpu;

	if (!sks_rings)
		return;
	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(sks_rings, cpu)->recs);
	free_percpu(sks_rings);
	sks_rings = NULL;
}

/*
 * Copy @rec into this CPU's ring.  Callable from any context but NMI; the
 * caller fills everything but cpu.
 */
void sks_emit(struct skbstamp_record *rec)
{
	struct sks_ring *r;
	unsigned long flags;
	u32 head, used;

	local_irq_save(flags);
	r = this_cpu_ptr(sks_rings);
	r->generated++;
	head = r->head;
	/* Pairs with the drain's release of tail: the slot is free. */
	used = head - smp_load_acquire(&r->tail);
	if (unlikely(used > r->mask)) {
		r->dropped_full++;
		local_irq_restore(flags);
		return;
	}
	rec->cpu = smp_processor_id();
	r->recs[head & r->mask] = *rec;
	/* Publish the record: pairs with the drain's acquire of head. */
	smp_store_release(&r->head, head + 1);
	local_irq_restore(flags);

	/* Half full: do not wait for the next period. */
	if (unlikely(used + 1 == (r->mask + 1) / 2))
		mod_delayed_work(system_wq, &sks_drain_work, 0);
}

/* Send up to SKS_BATCH_MAX records of @r as one message; returns how many. */
static u32 sks_drain_batch(struct sks_ring *r, int cpu, u32 avail)
{
	u32 n = min_t(u32, avail, SKS_BATCH_MAX);
	u32 first = r->tail & r->mask;
	u32 part = min_t(u32, n, r->mask + 1 - first);
	size_t sz = sizeof(struct skbstamp_record);
	struct sk_buff *msg;
	struct nlattr *attr;
	void *hdr;
	int err;

	r->seq++;
	msg = genlmsg_new(nla_total_size(n * sz) + 3 * nla_total_size(8),
			  GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &sks_genl_family, 0, SKBSTAMP_CMD_RECORDS);
	if (!hdr)
		goto free;
	if (nla_put_u32(msg, SKBSTAMP_A_CPU, cpu) ||
	    nla_put_u64_64bit(msg, SKBSTAMP_A_SEQ, r->seq, SKBSTAMP_A_PAD) ||
	    nla_put_u32(msg, SKBSTAMP_A_RECORD_SIZE, sz))
		goto free;
	attr = nla_reserve(msg, SKBSTAMP_A_RECORDS, n * sz);
	if (!attr)
		goto free;
	memcpy(nla_data(attr), &r->recs[first], part * sz);
	memcpy((char *)nla_data(attr) + part * sz, r->recs, (n - part) * sz);
	genlmsg_end(msg, hdr);

	/*
	 * The records are copied: give the slots back to the producer, which
	 * pairs with its acquire of tail.
	 */
	smp_store_release(&r->tail, r->tail + n);
	err = genlmsg_multicast(&sks_genl_family, msg, 0, SKS_MCGRP_RECORDS,
				GFP_KERNEL);
	if (err)
		r->dropped_send += n;
	else
		r->delivered += n;
	return n;

free:
	nlmsg_free(msg);
lost:
	/* Give the slots back: pairs with the producer's acquire of tail. */
	smp_store_release(&r->tail, r->tail + n);
	r->dropped_send += n;
	return n;
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
	if (sks_draining) {
		sks_drain_all();
		schedule_delayed_work(&sks_drain_work,
				      msecs_to_jiffies(SKS_DRAIN_MS));
	}
	mutex_unlock(&sks_drain_lock);
}

void sks_drain_start(void)
{
	mutex_lock(&sks_drain_lock);
	sks_draining = true;
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
	sks_drain_all();
	mutex_unlock(&sks_drain_lock);
}

void sks_ring_counters(struct sks_counters *c)
{
	int cpu;

	memset(c, 0, sizeof(*c));
	if (!sks_rings)
		return;
	for_each_possible_cpu(cpu) {
		struct sks_ring *r = per_cpu_ptr(sks_rings, cpu);
		u64 gen = READ_ONCE(r->generated);
		u64 full = READ_ONCE(r->dropped_full);

		c->generated += gen;
		c->dropped_full += full;
		c->delivered += READ_ONCE(r->delivered);
		c->dropped_send += READ_ONCE(r->dropped_send);
		c->buffered += (u32)(READ_ONCE(r->head) - READ_ONCE(r->tail));
	}
}
