/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skbstamp join: saved "skbstamp --json monitor" output read back
 * (join_read.c), and what cmd_join.c matches it with.
 */
#ifndef SKBSTAMP_JOIN_H
#define SKBSTAMP_JOIN_H

#include <stdbool.h>
#include <stdint.h>

/* A packet's 5-tuple in its own orientation: saddr/sport is its sender. */
struct sks_jflow {
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint8_t proto, family;	/* IPPROTO_*, 4 or 6 */
};

/* The fields of a record that join uses. */
struct sks_jrec {
	struct sks_jflow flow;
	uint64_t ts, hw;	/* ts_ns, hw_ns */
	uint64_t id;		/* receive: the packet's tracking id */
	uint64_t sk;		/* transmit: the socket cookie */
	uint32_t tskey, len, offset;
	uint8_t stage;
	bool rx;		/* a receive record (it has "id") */
	bool retrans, fragment;
};

struct sks_jfile {
	const char *path;
	struct sks_jrec *recs;
	size_t n;
	size_t ntx, nrx;	/* transmit and receive records */
};

/*
 * Read @f->path: 0, or the exit code after a message naming the file and,
 * for a line that is not a record, its number.
 */
int sks_jfile_read(struct sks_jfile *f);
void sks_jfile_free(struct sks_jfile *f);

#endif /* SKBSTAMP_JOIN_H */
