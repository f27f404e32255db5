/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw record stream (rawfmt.c): what "monitor raw FILE" writes and
 * "decode" reads.  A header, then the records back to back, each exactly
 * as the module sent it (struct skbstamp_record of uapi/linux/skbstamp.h,
 * the host's byte order), record_size bytes each:
 *
 *   offset 0   8 bytes   "SKBSTAMP"
 *   offset 8   u32       version, 1
 *   offset 12  u32       record_size (136 today; a larger one has fields
 *                        a newer tool added at the end)
 *   offset 16  u32       stages traced when the stream began (BIT(enum
 *                        skbstamp_stage)), 0 if not known
 *   offset 20  u32       0
 *
 * For machines: no formatting on the way in, so a collector keeps up at a
 * fraction of the cost of --json, and nothing a record carries is lost.
 */
#ifndef SKS_RAWFMT_H
#define SKS_RAWFMT_H

#include <stdint.h>
#include <stdio.h>

#define SKS_RAW_MAGIC	"SKBSTAMP"
#define SKS_RAW_VERSION	1

struct sks_raw_header {
	char magic[8];
	uint32_t version;
	uint32_t record_size;
	uint32_t stages;
	uint32_t reserved;
};

/* @stages: traced, 0 if not known.  Returns 0, or -1 with errno set. */
int sks_raw_write_header(FILE *f, uint32_t stages);
/*
 * @n records of @size bytes each, as a batch brought them, written as the
 * stream's records: a newer module's longer ones (@size larger than
 * ours) cut to this tool's size, which the header names.  @size is at
 * least ours (sks_batch_records() checks).  Returns 0, or -1 with errno
 * set; stdio may hold what it wrote until flushed.
 */
int sks_raw_write_records(FILE *f, const void *recs, uint32_t n, uint32_t size);
/*
 * Read and check the header of @name's stream @f into @h.  Returns 0, or
 * an exit code (said on stderr).
 */
int sks_raw_read_header(FILE *f, const char *name, struct sks_raw_header *h);

#endif /* SKS_RAWFMT_H */
