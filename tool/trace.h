/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records as a timeline in the Chrome/Perfetto JSON trace-event format
 * (trace.c), for both "skbstamp monitor trace FILE" and "skbstamp trace
 * convert": one code path from a record to the events that draw it.
 */
#ifndef SKBSTAMP_TRACE_H
#define SKBSTAMP_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include <linux/skbstamp.h>

struct sks_trace;

/* Events go to @f (named @path in messages), which the trace closes. */
struct sks_trace *sks_trace_open(FILE *f, const char *path);
/*
 * One record, in the order they came.  A drop names where (@where,
 * symbol+offset) and why (@reason, or NULL when the kernel gave no name).
 */
void sks_trace_add(struct sks_trace *t, const struct skbstamp_record *r,
		   const char *where, const char *reason);
/* The time is now @now_ns (CLOCK_MONOTONIC): packets older are written. */
void sks_trace_advance(struct sks_trace *t, uint64_t now_ns);
/*
 * Writes every packet still open and the end of the document, reports
 * what was written (and cut) on standard error, closes the file and
 * frees @t.  Returns 0, or -1 if the file could not be written.
 */
int sks_trace_close(struct sks_trace *t);

#endif /* SKBSTAMP_TRACE_H */
