// SPDX-License-Identifier: GPL-2.0
/*
 * sks-cpu: one snapshot of the guest's CPU time, for bench/guest.sh's
 * measurement windows (see sks-cpu.h).
 *
 *   sks-cpu [PID]
 *	prints "MONO_NS IDLE_NS NCPU [RUN_NS]": CLOCK_MONOTONIC, the idle
 *	time of every CPU together (idle and iowait), the number of CPUs
 *	online, and PID's run time (/proc/PID/schedstat, first field; 0 if
 *	it is gone).
 */
#include "sks-cpu.h"

int main(int argc, char **argv)
{
	struct sks_cpu c;

	sks_cpu_snap(&c, argc > 1 ? argv[1] : NULL);
	printf("%llu %llu %ld", (unsigned long long)c.mono,
	       (unsigned long long)c.idle, c.ncpu);
	if (argc > 1)
		printf(" %llu", (unsigned long long)c.run);
	printf("\n");
	return 0;
}
