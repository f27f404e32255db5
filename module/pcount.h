/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counts that every CPU changes on the per-packet path and only control
 * paths read (entries in use in the bounded tables): one part per CPU,
 * summed on read.  A shared atomic would move its cache line between
 * CPUs on every traced packet; a percpu_counter would still fold into a
 * shared count under a spinlock every few dozen changes, for a sum only
 * STATS and GET read.  An entry may be taken on one CPU and freed on
 * another, so a part may go negative; only the sum means anything.
 */
#ifndef SKS_PCOUNT_H
#define SKS_PCOUNT_H

#include <linux/percpu.h>

static inline void sks_pcount_zero(long __percpu *v)
{
	int cpu;

	for_each_possible_cpu(cpu)
		WRITE_ONCE(*per_cpu_ptr(v, cpu), 0);
}

static inline u64 sks_pcount_sum(long __percpu *v)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(v, cpu));
	return sum > 0 ? sum : 0;
}

#endif /* SKS_PCOUNT_H */
