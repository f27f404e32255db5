/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the module's RECORDS messages (batch.c), as monitor and top do.
 */
#ifndef SKS_BATCH_H
#define SKS_BATCH_H

#include <stdint.h>
#include <netlink/attr.h>
#include <linux/skbstamp.h>

/* A stream of batches: each CPU's sequence, to count the batches lost. */
struct sks_batches {
	uint64_t *last_seq;	/* by CPU; 0: none yet */
	unsigned int ncpus;
	uint64_t lost;
};

/* Called for each record; non-zero stops the batch (not an error). */
typedef int (*sks_record_fn)(const struct skbstamp_record *r, void *arg);

int sks_batches_init(struct sks_batches *b);
void sks_batches_free(struct sks_batches *b);
int sks_batch_records(struct sks_batches *b, struct nlattr **tb,
		      const char **p, uint32_t *n, uint32_t *size);
int sks_batch_walk(struct sks_batches *b, struct nlattr **tb,
		   sks_record_fn fn, void *arg);

#endif /* SKS_BATCH_H */
