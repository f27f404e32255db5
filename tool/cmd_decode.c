// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp decode [FILE]: the lines monitor would have printed, from a raw
 * record stream ("monitor raw FILE", rawfmt.h); standard input without
 * FILE or with "-".  No module needed.
 *
 * With --json the lines are --json monitor's, byte for byte.  The text
 * output assembles packets as monitor does, with the stages traced when
 * the stream began; a packet whose last stage is not in the stream is
 * printed, incomplete, at its end (monitor prints it after a second).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skbstamp.h"
#include "monitor.h"
#include "fmt.h"
#include "rawfmt.h"

/* Records read per fread(), and output collected before a write. */
#define SKS_DEC_BATCH	256
#define SKS_DEC_OBUF	(256 << 10)

struct sks_dec {
	FILE *in;
	const char *name;
	uint32_t size;		/* bytes per record in the stream */
	char *buf;		/* SKS_DEC_BATCH records */
	size_t cut;		/* bytes of a last record cut short */
};

/*
 * Up to SKS_DEC_BATCH records into d->buf: their number, 0 at the end, or
 * -1 with the error said.  A last record cut short is an error once the
 * whole ones before it are out.
 */
static long sks_dec_read(struct sks_dec *d, int *err)
{
	size_t got;

	if (d->cut) {
		fprintf(stderr, "skbstamp: %s: the last record is cut short (%zu of %u bytes)\n",
			d->name, d->cut, d->size);
		*err = SKS_EXIT_USAGE;
		return -1;
	}
	got = fread(d->buf, 1, (size_t)d->size * SKS_DEC_BATCH, d->in);
	if (ferror(d->in)) {
		fprintf(stderr, "skbstamp: cannot read %s: %s\n", d->name,
			strerror(errno));
		*err = SKS_EXIT_KERNEL;
		return -1;
	}
	/* fread() stops short only at the end of the input. */
	d->cut = got % d->size;
	/* Nothing whole before the cut: the error now. */
	if (d->cut && got < d->size)
		return sks_dec_read(d, err);
	return got / d->size;
}

static int sks_dec_run(struct sks_ctx *ctx, struct sks_dec *d, uint32_t stages)
{
	struct sks_asm *as = NULL;
	struct skbstamp_record r;
	struct sks_obuf out;
	int err = SKS_EXIT_OK;
	long i, n;

	if (sks_obuf_init(&out, stdout, SKS_DEC_OBUF))
		goto nomem;
	if (!ctx->json) {
		as = sks_asm_new(ctx, &out);
		if (!as) {
			sks_obuf_free(&out);
			goto nomem;
		}
		if (stages)
			sks_asm_set_stages(as, stages);
	}
	while ((n = sks_dec_read(d, &err)) > 0) {
		for (i = 0; i < n; i++) {
			memcpy(&r, d->buf + (size_t)i * d->size, sizeof(r));
			if (as) {
				sks_asm_add(as, &r);
			} else {
				char *line = sks_obuf_line(&out);

				sks_obuf_done(&out, sks_fmt_json_record(line, &r));
			}
		}
	}
	if (as) {
		sks_asm_expire(as, true);
		sks_asm_free(as);
	}
	sks_obuf_flush(&out);
	sks_obuf_free(&out);
	return err;
nomem:
	fprintf(stderr, "skbstamp: out of memory\n");
	return SKS_EXIT_KERNEL;
}

int sks_cmd_decode(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_dec d = { .in = stdin, .name = "standard input" };
	struct sks_raw_header h;
	int ret;

	if (argc > 1) {
		fprintf(stderr, "skbstamp decode: one FILE at most; try 'skbstamp --help'\n");
		return SKS_EXIT_USAGE;
	}
	if (argc == 1 && strcmp(argv[0], "-")) {
		d.name = argv[0];
		d.in = fopen(d.name, "r");
		if (!d.in) {
			fprintf(stderr, "skbstamp decode: cannot open %s: %s\n",
				d.name, strerror(errno));
			return SKS_EXIT_KERNEL;
		}
	}
	ret = sks_raw_read_header(d.in, d.name, &h);
	if (!ret) {
		d.size = h.record_size;
		d.buf = malloc((size_t)d.size * SKS_DEC_BATCH);
		if (d.buf)
			ret = sks_dec_run(ctx, &d, h.stages);
		else
			ret = SKS_EXIT_KERNEL;
		if (!d.buf)
			fprintf(stderr, "skbstamp: out of memory\n");
	}
	free(d.buf);
	if (d.in != stdin)
		fclose(d.in);
	return ret;
}
