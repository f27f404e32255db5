// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp monitor [count N] [duration SEC]: stream the module's records.
 *
 * With --json every record is one JSON object on its own line, for log
 * shippers.  Otherwise records are assembled into packets and each packet
 * is printed on one line when its last stage arrives (or, incomplete,
 * after a second), with every stage as a delta from the send call.
 *
 * Records arrive on the records group or, when tracing was started with
 * "drain dump", are pulled with dump requests every 50 ms: they wait in
 * the module's buffers until the tool asks, so a slow tool loses nothing
 * unless a buffer fills (which the module counts).  At stop, what is
 * left is multicast either way.
 *
 * "trace FILE" also writes every record to FILE as a Chrome/Perfetto
 * trace (trace.c), whatever standard output gets.  "raw FILE" writes the
 * records to FILE as they came, in the raw stream of rawfmt.h, instead of
 * printing them: for machines, which "decode" turns into lines later.
 *
 * Batches carry a per-CPU sequence number; a gap means the module could
 * not deliver a batch, and the tool says so at once.  An overflow of this
 * socket's receive buffer is reported too.  Nothing is lost silently.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "batch.h"
#include "fmt.h"
#include "rawfmt.h"
#include "trace.h"

/* Output collected per batch: 250 JSON lines of about 400 bytes fit. */
#define SKS_MON_OBUF	(256 << 10)

static volatile sig_atomic_t sks_stop_req;

static void sks_on_signal(int sig)
{
	(void)sig;
	sks_stop_req = 1;
}

struct sks_mon {
	struct sks_ctx *ctx;
	struct sks_asm *as;	/* text mode packet assembly */
	struct sks_obuf out;	/* lines not written yet */
	struct sks_trace *trace;	/* trace FILE, or NULL */
	FILE *raw;		/* raw FILE, or NULL: records printed */
	const char *raw_name;
	uint64_t count;		/* stop after this many lines (raw: records) */
	uint64_t lines;
	uint64_t records;
	uint64_t overflows;
	bool count_reached;	/* print nothing more */
	struct sks_batches batches;
};

/* A record into the trace, a drop's location and reason by name. */
static void sks_mon_trace(struct sks_trace *t, const struct skbstamp_record *r)
{
	char where[300];

	if (r->stage != SKBSTAMP_STAGE_DROP) {
		sks_trace_add(t, r, NULL, NULL);
		return;
	}
	*sks_fmt_drop_where(where, r->location) = '\0';
	sks_trace_add(t, r, where, sks_drop_reason_name(r->drop_reason));
}

/* One record of a batch: a line (JSON now, text once its packet is whole). */
static int sks_mon_record(const struct skbstamp_record *r, void *arg)
{
	struct sks_mon *m = arg;

	m->records++;
	if (m->trace)
		sks_mon_trace(m->trace, r);
	if (m->ctx->json) {
		char *line = sks_obuf_line(&m->out);

		sks_obuf_done(&m->out, sks_fmt_json_record(line, r));
		m->lines++;
	} else {
		m->lines += sks_asm_add(m->as, r);
	}
	if (m->count && m->lines >= m->count) {
		sks_stop_req = 1;
		m->count_reached = true;
		return 1;
	}
	return 0;
}

/*
 * A batch to the raw stream: its records as they are, in one write when
 * their size is this tool's, and flushed with the batch, as lines are.
 */
static int sks_mon_raw_batch(struct sks_mon *m, struct nlattr **tb)
{
	struct skbstamp_record r;
	uint32_t i, n, size;
	const char *p;
	int ret;

	ret = sks_batch_records(&m->batches, tb, &p, &n, &size);
	if (m->count && n >= m->count - m->lines) {
		n = m->count - m->lines;
		sks_stop_req = 1;
		m->count_reached = true;
	}
	m->records += n;
	m->lines += n;
	for (i = 0; m->trace && i < n; i++) {
		memcpy(&r, p + (size_t)i * size, sizeof(r));
		sks_mon_trace(m->trace, &r);
	}
	if (sks_raw_write_records(m->raw, p, n, size) || fflush(m->raw) ||
	    ferror(m->raw)) {
		fprintf(stderr, "skbstamp: cannot write %s: %s\n", m->raw_name,
			strerror(errno));
		sks_stop_req = 1;
		return SKS_EXIT_KERNEL;
	}
	return ret;
}

static int sks_mon_batch(struct nlattr **tb, void *arg)
{
	struct sks_mon *m = arg;
	int ret;

	if (m->count_reached)
		return 0;
	if (m->raw)
		return sks_mon_raw_batch(m, tb);
	ret = sks_batch_walk(&m->batches, tb, sks_mon_record, m);
	/* A line leaves within the batch it came in. */
	sks_obuf_flush(&m->out);
	return ret;
}

/* Between two waits for records (sks_mon_wait()). */
static void sks_mon_tick(void *arg, bool fd2_in)
{
	struct sks_mon *m = arg;

	(void)fd2_in;
	if (!m->ctx->json) {
		m->lines += sks_asm_expire(m->as, false);
		sks_obuf_flush(&m->out);
	}
	/* Records share the clock: packets quiet for long enough close. */
	if (m->trace)
		sks_trace_advance(m->trace, sks_mono_ns());
}

static int sks_mon_parse_args(struct sks_mon *m, int argc, char **argv,
			      uint32_t *duration, uint32_t *rcvbuf, const char **trace,
			      const char **raw)
{
	uint32_t v;
	int i;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "skbstamp monitor: '%s' needs a value\n", argv[i]);
			return -1;
		}
		if (!strcmp(argv[i], "trace")) {
			*trace = argv[i + 1];
			continue;
		}
		if (!strcmp(argv[i], "raw")) {
			*raw = argv[i + 1];
			continue;
		}
		if (sks_parse_u32(argv[i], argv[i + 1], &v))
			return -1;
		if (!strcmp(argv[i], "count")) {
			m->count = v;
		} else if (!strcmp(argv[i], "duration")) {
			*duration = v;
		} else if (!strcmp(argv[i], "rcvbuf")) {
			*rcvbuf = v;
		} else {
			fprintf(stderr, "skbstamp monitor: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int sks_mon_wait(struct sks_ctx *ctx, struct nl_sock *sk,
		 struct sks_req_state *st, bool pull, int timeout, int fd2,
		 const volatile sig_atomic_t *stop, void (*tick)(void *arg, bool fd2_in),
		 int (*reply)(struct nlattr **tb, void *arg), void *arg)
{
	struct pollfd pfd[2] = {
		{ .fd = nl_socket_get_fd(sk), .events = POLLIN },
		{ .fd = fd2, .events = POLLIN },
	};
	int err;

	if (poll(pfd, fd2 < 0 ? 1 : 2, timeout) < 0 && errno != EINTR)
		return SKS_EXIT_KERNEL;
	tick(arg, fd2 >= 0 && (pfd[1].revents & POLLIN));
	if (pull && !*stop) {
		err = sks_nl_dump(ctx, SKBSTAMP_CMD_RECORDS, reply, arg);
		if (err)
			return err;
	}
	if (!(pfd[0].revents & POLLIN))
		return 0;
	err = sks_nl_read_records(sk, st);
	if (st->reply_err)
		return st->reply_err;
	if (err == -NLE_NOMEM)
		return SKS_MON_OVERFLOW;
	if (err < 0 && err != -NLE_AGAIN) {
		fprintf(stderr, "skbstamp: netlink receive failed: %s\n", nl_geterror(err));
		return SKS_EXIT_KERNEL;
	}
	return 0;
}

struct nl_sock *sks_mon_socket(struct sks_ctx *ctx, int bufsz, int *group)
{
	int grp, err;
	struct nl_sock *sk;

	grp = genl_ctrl_resolve_grp(ctx->sk, SKBSTAMP_GENL_NAME, SKBSTAMP_MCGRP_RECORDS);
	if (grp < 0) {
		fprintf(stderr, "skbstamp: cannot find the records group: %s\n", nl_geterror(grp));
		return NULL;
	}
	sk = nl_socket_alloc();
	if (!sk)
		return NULL;
	nl_socket_disable_seq_check(sk);
	err = genl_connect(sk);
	if (!err)
		err = nl_socket_add_membership(sk, grp);
	if (err) {
		fprintf(stderr, "skbstamp: cannot listen to the records group: %s\n",
			nl_geterror(err));
		if (err == -NLE_PERM)
			fprintf(stderr, "skbstamp: %s\n", SKS_MSG_NEED_CAP);
		nl_socket_free(sk);
		return NULL;
	}
	*group = grp;
	/* A large buffer rides out bursts; root may exceed rmem_max. */
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &bufsz, sizeof(bufsz)))
		nl_socket_set_buffer_size(sk, bufsz, 0);
	nl_socket_set_nonblocking(sk);
	return sk;
}

struct sks_drops {
	uint64_t full, send;
};

static int sks_drops_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *ct[SKBSTAMP_CNT_MAX + 1];
	struct sks_drops *d = arg;

	if (!tb[SKBSTAMP_A_COUNTERS] ||
	    nla_parse_nested(ct, SKBSTAMP_CNT_MAX, tb[SKBSTAMP_A_COUNTERS], NULL))
		return 0;
	if (ct[SKBSTAMP_CNT_DROPPED_FULL])
		d->full = nla_get_u64(ct[SKBSTAMP_CNT_DROPPED_FULL]);
	if (ct[SKBSTAMP_CNT_DROPPED_SEND])
		d->send = nla_get_u64(ct[SKBSTAMP_CNT_DROPPED_SEND]);
	return 0;
}

static void sks_mon_get_drops(struct sks_ctx *ctx, struct sks_drops *d)
{
	memset(d, 0, sizeof(*d));
	sks_nl_request(ctx, SKBSTAMP_CMD_GET, NULL, sks_drops_reply, d);
}

/*
 * Losses before the records reached any socket are the module's to tell:
 * those since the monitor started (counters restart with each START).
 */
static void sks_mon_report_drops(struct sks_ctx *ctx, const struct sks_drops *base)
{
	struct sks_drops now;
	uint64_t full, send;

	sks_mon_get_drops(ctx, &now);
	full = now.full >= base->full ? now.full - base->full : now.full;
	send = now.send >= base->send ? now.send - base->send : now.send;
	if (full || send)
		fprintf(stderr,
			"skbstamp: the module dropped %llu records (buffer full: %llu, netlink: %llu)\n",
			(unsigned long long)(full + send), (unsigned long long)full,
			(unsigned long long)send);
}

/* Non-zero if the raw stream's last writes failed. */
static int sks_mon_raw_close(struct sks_mon *m)
{
	int err = 0;

	if (!m->raw || m->raw == stdout)
		return 0;
	if (fclose(m->raw)) {
		fprintf(stderr, "skbstamp monitor: cannot write %s: %s\n",
			m->raw_name, strerror(errno));
		err = -1;
	}
	m->raw = NULL;
	return err;
}

/* The raw stream to @name ("-": standard output), its header written. */
static int sks_mon_raw_open(struct sks_mon *m, const char *name)
{
	bool out = !strcmp(name, "-");
	struct sks_run run;

	m->raw_name = out ? "standard output" : name;
	m->raw = out ? stdout : fopen(name, "w");
	if (!m->raw) {
		fprintf(stderr, "skbstamp monitor: cannot open %s: %s\n", name,
			strerror(errno));
		return SKS_EXIT_KERNEL;
	}
	/*
	 * A batch goes out in one write() straight from the netlink buffer:
	 * through stdio's block-sized buffer it was three writes and a copy.
	 */
	setvbuf(m->raw, NULL, _IONBF, 0);
	/* Which stages make a packet whole, for decode's text output. */
	if (sks_get_run(m->ctx, &run))
		run.stages = 0;
	if (sks_raw_write_header(m->raw, run.stages) || fflush(m->raw)) {
		fprintf(stderr, "skbstamp monitor: cannot write %s: %s\n",
			m->raw_name, strerror(errno));
		sks_mon_raw_close(m);
		return SKS_EXIT_KERNEL;
	}
	return 0;
}

int sks_cmd_monitor(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_mon m = { .ctx = ctx };
	struct sks_req_state st = { .reply = sks_mon_batch, .arg = &m };
	uint32_t duration = 0, rcvbuf = 32 << 20;
	const char *trace = NULL, *raw = NULL;
	struct sks_drops base;
	uint64_t end = 0;
	struct sigaction sa = { .sa_handler = sks_on_signal };
	struct nl_sock *sk;
	int ret = SKS_EXIT_OK, grp;
	bool pull;

	if (sks_mon_parse_args(&m, argc, argv, &duration, &rcvbuf, &trace, &raw))
		return SKS_EXIT_USAGE;
	if (raw && !strcmp(raw, "-") && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "skbstamp monitor: %s\n",
			"not writing a raw record stream to a terminal; redirect standard output or give a file");
		return SKS_EXIT_USAGE;
	}
	ret = sks_nl_open(ctx);
	if (ret)
		return ret;
	if (raw) {
		ret = sks_mon_raw_open(&m, raw);
		if (ret)
			return ret;
	}
	if (trace) {
		FILE *f = fopen(trace, "w");

		if (!f) {
			fprintf(stderr, "skbstamp monitor: cannot open %s: %s\n", trace,
				strerror(errno));
			sks_mon_raw_close(&m);
			return SKS_EXIT_KERNEL;
		}
		m.trace = sks_trace_open(f, trace);
		if (!m.trace) {
			fclose(f);
			fprintf(stderr, "skbstamp: out of memory\n");
			sks_mon_raw_close(&m);
			return SKS_EXIT_KERNEL;
		}
	}
	/* Join the group first: no record is missed while setting up. */
	sk = sks_mon_socket(ctx, rcvbuf, &grp);
	if (!sk) {
		if (m.trace)
			sks_trace_close(m.trace);
		sks_mon_raw_close(&m);
		return SKS_EXIT_KERNEL;
	}
	if (!sks_batches_init(&m.batches) &&
	    !sks_obuf_init(&m.out, stdout, SKS_MON_OBUF))
		m.as = sks_asm_new(ctx, &m.out);
	if (!m.as) {
		fprintf(stderr, "skbstamp: out of memory\n");
		ret = SKS_EXIT_KERNEL;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (duration)
		end = sks_mono_ns() / 1000000 + duration * 1000ull;
	sks_mon_get_drops(ctx, &base);
	pull = sks_get_drain(ctx) == SKBSTAMP_DRAIN_DUMP;
	/* Scripts wait for this line before generating traffic. */
	fprintf(stderr, "skbstamp: listening for records\n");

	while (!sks_stop_req) {
		int timeout = pull ? 50 : 200;

		if (end) {
			uint64_t now = sks_mono_ns() / 1000000;

			if (now >= end)
				break;
			if (end - now < (uint64_t)timeout)
				timeout = end - now;
		}
		ret = sks_mon_wait(ctx, sk, &st, pull, timeout, -1, &sks_stop_req,
				   sks_mon_tick, sks_mon_batch, &m);
		if (ret == SKS_MON_OVERFLOW) {
			/*
			 * ENOBUFS: our receive buffer overflowed.  The module
			 * counts a batch as dropped only if no listener took
			 * it, so with another monitor running it may not.
			 */
			m.overflows++;
			fprintf(stderr,
				"skbstamp: receive buffer overflow: records lost (counted by the module as dropped unless another listener took them)\n");
			ret = SKS_EXIT_OK;
		} else if (ret) {
			break;
		}
	}
	/*
	 * What already reached the socket is delivered: read it all.  Leave
	 * the group first, or records still being traced would keep this
	 * loop going for as long as they come faster than it prints them.
	 */
	nl_socket_drop_membership(sk, grp);
	if (!st.reply_err && ret == SKS_EXIT_OK && !m.count_reached)
		while (sks_nl_read_records(sk, &st) >= 0 && !st.reply_err)
			;
	if (!ctx->json)
		sks_asm_expire(m.as, true);
	sks_obuf_flush(&m.out);
	fprintf(stderr, "skbstamp: %llu records received, %llu batches lost, %llu overflows\n",
		(unsigned long long)m.records, (unsigned long long)m.batches.lost,
		(unsigned long long)m.overflows);
	sks_mon_report_drops(ctx, &base);
out:
	if (m.trace && sks_trace_close(m.trace) && ret == SKS_EXIT_OK)
		ret = SKS_EXIT_KERNEL;
	if (sks_mon_raw_close(&m) && ret == SKS_EXIT_OK)
		ret = SKS_EXIT_KERNEL;
	nl_socket_free(sk);
	sks_asm_free(m.as);
	sks_obuf_free(&m.out);
	sks_batches_free(&m.batches);
	return ret;
}
