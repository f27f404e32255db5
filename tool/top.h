/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skbstamp top's per-flow table (top.c) and the rows it gives the view
 * (cmd_top.c).
 */
#ifndef SKBSTAMP_TOP_H
#define SKBSTAMP_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/skbstamp.h>

/* The latency columns: stage pairs measured per packet. */
enum {
	SKS_TOP_SENDMSG_SW,
	SKS_TOP_SW_ACK,
	SKS_TOP_NAPI_READ,
	SKS_TOP_NCOLS
};

/*
 * A flow as its local socket sees it: transmit records' source and
 * receive records' destination are the local end.
 */
struct sks_top_key {
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;	/* network order */
	uint8_t proto, family;
};

/* One flow's numbers over one interval. */
struct sks_top_row {
	struct sks_top_key key;
	uint32_t pid;
	char comm[16];
	uint64_t sends;		/* TCP send calls, UDP datagrams */
	uint64_t packets;	/* transmitted packets (skbs, segments) */
	uint64_t received;	/* packets read by the application */
	uint64_t drops;		/* received packets dropped */
	uint64_t count[SKS_TOP_NCOLS];
	uint64_t p50[SKS_TOP_NCOLS], p99[SKS_TOP_NCOLS];
	uint64_t worst;		/* the largest p99 */
};

struct sks_top_table;

struct sks_top_table *sks_top_new(unsigned int max_flows);
void sks_top_free(struct sks_top_table *t);
/* A sendmsg record. */
void sks_top_send(struct sks_top_table *t, const struct skbstamp_record *r);
/* An assembled packet (assemble.c's sink). */
void sks_top_pkt(void *t, const struct skbstamp_record *r, const uint64_t *ts,
		 uint32_t have, bool rx, bool complete);
/*
 * The rows of the flows active since the last call, into @rows (room for
 * max_flows); the interval's numbers restart and flows idle for a whole
 * interval leave the table.  Returns the number of rows.
 */
unsigned int sks_top_snapshot(struct sks_top_table *t, struct sks_top_row *rows);
/* Flows evicted from a full table since the start. */
uint64_t sks_top_evicted(const struct sks_top_table *t);

#endif /* SKBSTAMP_TOP_H */
