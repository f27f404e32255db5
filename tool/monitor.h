/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What skbstamp monitor prints: packets assembled from records for the
 * text output (assemble.c), and records as JSON lines (record.c).
 */
#ifndef SKBSTAMP_MONITOR_H
#define SKBSTAMP_MONITOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/skbstamp.h>

struct sks_ctx;
struct sks_asm;
struct sks_obuf;
struct sks_req_state;
struct nl_sock;
struct nlattr;

/* Packets go to @out, whole lines; the caller flushes it. */
struct sks_asm *sks_asm_new(struct sks_ctx *ctx, struct sks_obuf *out);
/* Both return the number of lines printed. */
int sks_asm_add(struct sks_asm *a, const struct skbstamp_record *r);
int sks_asm_expire(struct sks_asm *a, bool all);
void sks_asm_free(struct sks_asm *a);
/* Packets are complete with @stages traced, not what GET says (decode). */
void sks_asm_set_stages(struct sks_asm *a, uint32_t stages);
/*
 * Packets go to @sink instead of @out (top): @r is the packet's flow,
 * @ts[s] its time at each stage s in @have.
 */
typedef void (*sks_asm_sink_fn)(void *arg, const struct skbstamp_record *r,
				const uint64_t *ts, uint32_t have, bool rx,
				bool complete);
void sks_asm_set_sink(struct sks_asm *a, sks_asm_sink_fn sink, void *arg);

/*
 * cmd_monitor.c: a non-blocking socket in the records group, read with
 * sks_nl_read_records() (nl.c).
 */
struct nl_sock *sks_mon_socket(struct sks_ctx *ctx, int bufsz, int *group);

/*
 * One wait for records, monitor's and top's (cmd_monitor.c): poll the
 * records socket @sk, and @fd2 if not -1, for up to @timeout ms; call
 * @tick(@arg, fd2 has input); with @pull (drain dump), unless *@stop,
 * fetch the module's buffers through @reply(@arg); then read what reached
 * @sk (records go to @st's reply).  Returns 0, an exit code, or
 * SKS_MON_OVERFLOW when the socket's receive buffer overflowed: records
 * were lost, which the caller counts and reports.
 */
#define SKS_MON_OVERFLOW	(-1)
int sks_mon_wait(struct sks_ctx *ctx, struct nl_sock *sk,
		 struct sks_req_state *st, bool pull, int timeout, int fd2,
		 const volatile sig_atomic_t *stop, void (*tick)(void *arg, bool fd2_in),
		 int (*reply)(struct nlattr **tb, void *arg), void *arg);

/*
 * record.c: lines, formatted at @p as fmt.h's functions do; at most
 * SKS_LINE_MAX bytes with their newline.
 */
char *sks_fmt_json_record(char *p, const struct skbstamp_record *r);
/*
 * A packet's text line: @r's flow, and the time of each stage in @have,
 * as a delta from the first.
 */
char *sks_fmt_pkt(char *p, const struct skbstamp_record *r, const uint64_t *ts,
		  uint32_t have, bool rx, bool complete);
/* "1.2.3.4:80", "[::1]:80": @r's family, @addr and @port (network order). */
char *sks_fmt_endpoint(char *p, const struct skbstamp_record *r,
		       const uint8_t *addr, uint16_t port);
/* The same of @family (AF_INET6 or not): at most 53 bytes, no NUL. */
char *sks_fmt_endpoint_af(char *p, int family, const uint8_t *addr,
			  uint16_t port);
/* "symbol+0xoff", or "0xaddr": at most 255 + 19 bytes. */
char *sks_fmt_drop_where(char *p, uint64_t location);
const char *sks_drop_reason_name(unsigned int reason);
/* Names from the text of a kfree_skb format file; read by itself if not. */
void sks_drop_reasons_parse(const char *fmt);
/* The kernel symbol at or below @addr, and @addr's offset from it; or NULL. */
const char *sks_ksym_find(uint64_t addr, uint64_t *off);

#endif /* SKBSTAMP_MONITOR_H */
