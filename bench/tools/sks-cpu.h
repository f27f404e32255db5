/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of the guest's CPU time for bench/guest.sh's measurement
 * windows (sks-cpu, and sks-bench's clients around their transactions).
 *
 * Busy CPU time over a window is NCPU * dMONO - dIDLE; under QEMU icount
 * a guest nanosecond of busy CPU is one instruction.  With one CPU the
 * idle time comes from /proc/timer_list (tick_sched.idle_sleeptime and
 * iowait_sleeptime, in nanoseconds; exact, since the CPU that reads them
 * is not idle); with more, or without it, from /proc/stat (USER_HZ
 * ticks, computed by the kernel from the same counters, and right for
 * CPUs idle at the time of reading).
 */
#ifndef SKS_CPU_H
#define SKS_CPU_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sks_cpu {
	uint64_t mono;		/* CLOCK_MONOTONIC, ns */
	uint64_t idle;		/* idle time of every CPU together, ns */
	long ncpu;		/* CPUs online */
	uint64_t run;		/* run time of one process, ns (0: none) */
};

/* The value of a "  .NAME   : N nsecs" line of /proc/timer_list. */
static inline int field(const char *line, const char *name, unsigned long long *v)
{
	const char *p = strstr(line, name);

	if (!p || p[-1] != '.')
		return 0;
	p = strchr(p, ':');
	return p && sscanf(p + 1, "%llu", v) == 1;
}

static inline uint64_t idle_timer_list(int *ok)
{
	FILE *f = fopen("/proc/timer_list", "r");
	unsigned long long v;
	uint64_t sum = 0;
	char line[256];
	int n = 0;

	*ok = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (field(line, "idle_sleeptime", &v) ||
		    field(line, "iowait_sleeptime", &v)) {
			sum += v;
			n++;
		}
	}
	fclose(f);
	/* both lines, for each CPU */
	*ok = n > 0 && n % 2 == 0;
	return sum;
}

static inline uint64_t idle_proc_stat(void)
{
	unsigned long long u, ni, s, idle = 0, iow = 0;
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu", &u, &ni, &s,
			 &idle, &iow) != 5) {
		fprintf(stderr, "sks-cpu: cannot read /proc/stat\n");
		exit(2);
	}
	fclose(f);
	return (idle + iow) * (1000000000ULL / (hz > 0 ? hz : 100));
}

static inline uint64_t sks_run_ns(const char *pid)
{
	unsigned long long v = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/schedstat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* A snapshot; @pid: a process whose run time to read too, or NULL. */
static inline void sks_cpu_snap(struct sks_cpu *c, const char *pid)
{
	struct timespec ts;
	int ok = 0;

	c->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	c->idle = 0;
	if (c->ncpu == 1)
		c->idle = idle_timer_list(&ok);
	if (!ok)
		c->idle = idle_proc_stat();
	c->run = pid && *pid ? sks_run_ns(pid) : 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->mono = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
