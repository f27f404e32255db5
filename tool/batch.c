// SPDX-License-Identifier: GPL-2.0
/*
 * The module's RECORDS messages: one batch of one CPU's records each, with
 * the CPU, a per-CPU sequence number and the record size.  A gap in a
 * CPU's sequence is batches lost (the module's drops, or this socket's
 * receive buffer); it is counted and said on standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skbstamp.h"
#include "batch.h"

/* CPU numbers above this are not followed (their batches still count). */
#define SKS_BATCH_CPUS	4096

int sks_batches_init(struct sks_batches *b)
{
	memset(b, 0, sizeof(*b));
	b->last_seq = calloc(SKS_BATCH_CPUS, sizeof(*b->last_seq));
	if (!b->last_seq)
		return -1;
	b->ncpus = SKS_BATCH_CPUS;
	return 0;
}

void sks_batches_free(struct sks_batches *b)
{
	free(b->last_seq);
	b->last_seq = NULL;
}

/* Note batch @seq of @cpu, and the batches lost before it. */
static void sks_batch_seq(struct sks_batches *b, uint32_t cpu, uint64_t seq)
{
	uint64_t last, lost;

	if (cpu >= b->ncpus)
		return;
	last = b->last_seq[cpu];
	/*
	 * Sequence numbers restart at 1 with every START: a number not above
	 * the last one is a new run, whose batches before it were lost.
	 */
	lost = !last ? 0 : seq > last ? seq - last - 1 : seq - 1;
	if (lost) {
		b->lost += lost;
		fprintf(stderr, "skbstamp: lost %llu batch(es) from CPU %u\n",
			(unsigned long long)lost, cpu);
	}
	b->last_seq[cpu] = seq;
}

/*
 * The records of the batch in @tb, once its sequence is noted: *@n of
 * *@size bytes each from *@p (not aligned in the message).  Returns 0
 * (*@n 0: not a batch), or SKS_EXIT_KERNEL for records smaller than this
 * tool's (an older module).
 */
int sks_batch_records(struct sks_batches *b, struct nlattr **tb,
		      const char **p, uint32_t *n, uint32_t *size)
{
	*n = 0;
	if (!tb[SKBSTAMP_A_CPU] || !tb[SKBSTAMP_A_SEQ] ||
	    !tb[SKBSTAMP_A_RECORD_SIZE] || !tb[SKBSTAMP_A_RECORDS])
		return 0;
	*size = nla_get_u32(tb[SKBSTAMP_A_RECORD_SIZE]);
	if (*size < sizeof(struct skbstamp_record)) {
		fprintf(stderr, "skbstamp: %u-byte records: the module is older than this tool\n",
			*size);
		return SKS_EXIT_KERNEL;
	}
	sks_batch_seq(b, nla_get_u32(tb[SKBSTAMP_A_CPU]),
		      nla_get_u64(tb[SKBSTAMP_A_SEQ]));
	*p = nla_data(tb[SKBSTAMP_A_RECORDS]);
	*n = nla_len(tb[SKBSTAMP_A_RECORDS]) / *size;
	return 0;
}

/*
 * Hand the records of the batch in @tb to @fn.  Returns 0, or
 * SKS_EXIT_KERNEL for records smaller than this tool's (an older module).
 */
int sks_batch_walk(struct sks_batches *b, struct nlattr **tb,
		   sks_record_fn fn, void *arg)
{
	struct skbstamp_record r;
	uint32_t n, size;
	const char *p;
	int ret;

	ret = sks_batch_records(b, tb, &p, &n, &size);
	for (; n; n--, p += size) {
		/* Records are not aligned in the message. */
		memcpy(&r, p, sizeof(r));
		if (fn(&r, arg))
			break;
	}
	return ret;
}
