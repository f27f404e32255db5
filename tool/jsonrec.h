/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading back what "skbstamp --json monitor" wrote (jsonrec.c): one JSON
 * object per line, into the record the module sent, so that a capture
 * saved on one machine can be processed on another as if it were live.
 */
#ifndef SKBSTAMP_JSONREC_H
#define SKBSTAMP_JSONREC_H

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

#endif /* SKBSTAMP_JSONREC_H */
