// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp trace convert IN OUT: a capture of "skbstamp --json monitor"
 * (JSON lines) as a Chrome/Perfetto trace, so that a capture taken on a
 * server can be looked at elsewhere.  The same conversion as "monitor
 * trace FILE" (trace.c); no module needed.
 *
 * IN or OUT "-" is standard input or output.  A line that is not a record
 * stops the conversion with its number (exit 1) and OUT is removed; only
 * a last line cut short (a writer killed mid-line) is skipped, with a
 * warning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skbstamp.h"
#include "jsonrec.h"
#include "trace.h"

static FILE *sks_trace_fopen(const char *path, const char *mode)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return *mode == 'r' ? stdin : stdout;
	f = fopen(path, mode);
	if (!f)
		fprintf(stderr, "skbstamp trace: cannot open %s: %s\n", path, strerror(errno));
	return f;
}

static int sks_trace_one(void *t, const struct sks_jrec *j)
{
	sks_trace_add(t, &j->r, j->where, j->reason);
	return 0;
}

int sks_cmd_trace(struct sks_ctx *ctx, int argc, char **argv)
{
	const char *ipath, *opath;
	struct sks_trace *t;
	FILE *in, *out;
	int ret;

	if (argc != 3 || strcmp(argv[0], "convert")) {
		fprintf(stderr, "usage: skbstamp trace convert IN.jsonl OUT.json\n");
		return SKS_EXIT_USAGE;
	}
	if (ctx->json) {
		fprintf(stderr, "skbstamp trace: --json does not apply: the trace is JSON\n");
		return SKS_EXIT_USAGE;
	}
	ipath = argv[1];
	opath = argv[2];
	in = sks_trace_fopen(ipath, "r");
	if (!in)
		return SKS_EXIT_KERNEL;
	out = sks_trace_fopen(opath, "w");
	if (!out) {
		fclose(in);
		return SKS_EXIT_KERNEL;
	}
	t = sks_trace_open(out, opath);
	if (!t) {
		fprintf(stderr, "skbstamp trace: out of memory\n");
		ret = SKS_EXIT_KERNEL;
	} else {
		ret = sks_jrec_read(in, ipath, "skbstamp trace", sks_trace_one, t);
		if (sks_trace_close(t) && !ret)
			ret = SKS_EXIT_KERNEL;
	}
	if (in != stdin)
		fclose(in);
	/* No half trace left behind to be mistaken for a whole one. */
	if (ret && out != stdout)
		unlink(opath);
	return ret;
}
