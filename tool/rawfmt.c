// SPDX-License-Identifier: GPL-2.0
/*
 * The raw record stream's header (rawfmt.h).
 */
#include <errno.h>
#include <string.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "rawfmt.h"

int sks_raw_write_header(FILE *f, uint32_t stages)
{
	struct sks_raw_header h = {
		.version = SKS_RAW_VERSION,
		.record_size = sizeof(struct skbstamp_record),
		.stages = stages,
	};

	memcpy(h.magic, SKS_RAW_MAGIC, sizeof(h.magic));
	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -1;
}

int sks_raw_write_records(FILE *f, const void *recs, uint32_t n, uint32_t size)
{
	/* A newer module's longer records, cut to ours, a few per write. */
	static struct skbstamp_record cut[64];
	const char *p = recs;
	uint32_t i, k;

	if (size == sizeof(cut[0]))
		return fwrite(recs, size, n, f) == n ? 0 : -1;
	for (i = 0; i < n; i += k) {
		for (k = 0; k < ARRAY_SIZE(cut) && i + k < n; k++)
			memcpy(&cut[k], p + (size_t)(i + k) * size, sizeof(cut[0]));
		if (fwrite(cut, sizeof(cut[0]), k, f) != k)
			return -1;
	}
	return 0;
}

int sks_raw_read_header(FILE *f, const char *name, struct sks_raw_header *hp)
{
	struct sks_raw_header h;
	size_t got = fread(&h, 1, sizeof(h), f);

	if (got != sizeof(h)) {
		if (ferror(f)) {
			fprintf(stderr, "skbstamp: cannot read %s: %s\n", name,
				strerror(errno));
			return SKS_EXIT_KERNEL;
		}
		fprintf(stderr, "skbstamp: %s: %s\n", name,
			got ? "truncated header: not a raw record stream" :
			      "empty: not a raw record stream");
		return SKS_EXIT_USAGE;
	}
	if (memcmp(h.magic, SKS_RAW_MAGIC, sizeof(h.magic))) {
		fprintf(stderr, "skbstamp: %s: %s\n", name,
			"not a raw record stream ('skbstamp monitor raw FILE' writes them)");
		return SKS_EXIT_USAGE;
	}
	if (h.version != SKS_RAW_VERSION) {
		fprintf(stderr, "skbstamp: %s: raw stream version %u (this tool reads %u%s)\n",
			name, h.version, SKS_RAW_VERSION,
			h.version == __builtin_bswap32(SKS_RAW_VERSION) ?
			"; written on a host of the other byte order" : "");
		return SKS_EXIT_USAGE;
	}
	if (h.record_size < sizeof(struct skbstamp_record) ||
	    h.record_size > (1u << 16)) {
		fprintf(stderr, "skbstamp: %s: %u-byte records (this tool's are %zu)\n",
			name, h.record_size, sizeof(struct skbstamp_record));
		return SKS_EXIT_USAGE;
	}
	*hp = h;
	return 0;
}
