/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading back what "skbstamp --json monitor" wrote (jsonrec.c): one JSON
 * object per line, into the record the module sent, so that a capture
 * saved on one machine can be processed on another as if it were live.
 */
#ifndef SKBSTAMP_JSONREC_H
#define SKBSTAMP_JSONREC_H

#include <stdio.h>
#include <linux/skbstamp.h>

/* A record, and the names its JSON line gave instead of numbers. */
struct sks_jrec {
	struct skbstamp_record r;
	char where[300];	/* drop: "location", already symbol+offset */
	char reason[64];	/* drop: "drop_reason_name", or "" */
};

/*
 * Parses the NUL-terminated line @s (its newline may be there) into @j.
 * Returns 0, or -1 with @err saying what is wrong: not JSON, not an
 * object of skbstamp --json monitor (such as status or hist output), or
 * a field of the wrong type.
 */
int sks_jrec_parse(const char *s, struct sks_jrec *j, const char **err);

/*
 * Every record of @in, in file order, to @fn, which returns 0 or an exit
 * code that stops the reading.  Blank lines are skipped, and so is a last
 * line cut short (a writer killed mid-line), with a warning.  Any other
 * line that is not a record stops it too: "@who: @path:LINE: why", exit
 * 1 (the input is not what the command takes).  Returns 0 or the exit
 * code; a read error is 2.
 */
int sks_jrec_read(FILE *in, const char *path, const char *who,
		  int (*fn)(void *arg, const struct sks_jrec *j), void *arg);

#endif /* SKBSTAMP_JSONREC_H */
