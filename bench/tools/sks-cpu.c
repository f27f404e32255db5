// SPDX-License-Identifier: GPL-2.0
/*
 * sks-cpu: one snapshot of the guest's CPU time, for bench/guest.sh's
 * measurement windows.
 *
 *   sks-cpu [PID...]
 *	prints "MONO_NS IDLE_NS NCPU [RUN_NS...]": CLOCK_MONOTONIC, the idle
 *	time of every CPU together (idle and iowait), the number of CPUs
 *	online, and each PID's run time (/proc/PID/schedstat, first field;
 *	0 if it is gone).  Busy CPU time over a window is then
 *	NCPU * dMONO - dIDLE; under QEMU icount a guest nanosecond of busy
 *	CPU is one instruction.
 *
 * With one CPU the idle time comes from /proc/timer_list
 * (tick_sched.idle_sleeptime, in nanoseconds; exact, since the CPU that
 * reads it is not idle); with more, or without it, from /proc/stat (in
 * USER_HZ ticks, computed by the kernel from the same nanosecond
 * counters, and right for CPUs idle at the time of reading).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t idle_timer_list(int *ok)
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
		if (sscanf(line, " .idle_sleeptime: %llu nsecs", &v) == 1 ||
		    sscanf(line, " .iowait_sleeptime: %llu nsecs", &v) == 1) {
			sum += v;
			n++;
		}
	}
	fclose(f);
	*ok = n > 0;
	return sum;
}

static uint64_t idle_proc_stat(void)
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

static uint64_t run_ns(const char *pid)
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

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct timespec ts;
	uint64_t idle = 0;
	int ok = 0, i;

	if (ncpu == 1)
		idle = idle_timer_list(&ok);
	if (!ok)
		idle = idle_proc_stat();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%llu %llu %ld",
	       (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec,
	       (unsigned long long)idle, ncpu);
	for (i = 1; i < argc; i++)
		printf(" %llu", (unsigned long long)run_ns(argv[i]));
	printf("\n");
	return 0;
}
