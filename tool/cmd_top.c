// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp top [count N] [interval SEC] [sort KEY] [flows N]: the flows
 * that are slow right now, one row per flow, refreshed every interval.
 *
 * Built from records (the module keeps no per-flow state): the records
 * are assembled into packets by assemble.c, and each packet's stage pairs
 * go into its flow's histograms (top.c).  So tracing must run in records
 * mode; summary mode sends no records, and top says so instead of
 * showing nothing.
 *
 * On a terminal the screen is redrawn and keys change the sort; otherwise
 * each interval prints a table (or, with --json, one JSON object per
 * line), for scripts and logs.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netlink/genl/genl.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"
#include "batch.h"
#include "top.h"

enum sks_top_sort {
	SKS_SORT_WORST,		/* the largest p99 of any column */
	SKS_SORT_SENDS,
	SKS_SORT_SENDMSG_SW,
	SKS_SORT_SW_ACK,
	SKS_SORT_NAPI_READ,
	SKS_SORT_DROPS,
	SKS_SORT_N
};

static const char *const sks_sort_names[SKS_SORT_N] = {
	"worst", "sends", "sendmsg-sw", "sw-ack", "napi-read", "drops",
};

/* The keys that choose each sort on a terminal. */
static const char sks_sort_keys[SKS_SORT_N] = { 'p', 's', '1', '2', '3', 'd' };
static const char sks_keys_help[] =
	"keys: p worst p99, s sends, 1 sendmsg-sw, 2 sw-ack, 3 napi-read, d drops, q quit";

static const char *const sks_col_json[SKS_TOP_NCOLS] = {
	"sendmsg_sw", "sw_ack", "napi_read",
};

static volatile sig_atomic_t sks_top_stop;

static void sks_top_on_signal(int sig)
{
	(void)sig;
	sks_top_stop = 1;
}

struct sks_top {
	struct sks_ctx *ctx;
	struct sks_top_table *table;
	struct sks_asm *as;
	struct sks_top_row *rows;
	unsigned int nrows, max_flows;
	uint32_t count, interval;
	enum sks_top_sort sort;
	bool screen;		/* stdout is a terminal: redraw it */
	uint64_t records;	/* this interval's */
	uint64_t shown_records;	/* the last interval's */
	uint64_t overflows;	/* receive buffer overflows since the start */
	struct sks_batches batches;	/* and the batches lost */
	uint64_t elapsed_ns;	/* the last interval's real length */
	uint64_t snap_ns;	/* when it ended */
};

static struct termios sks_tty_saved;
static bool sks_tty_raw;

/* Keys without Enter and without echo; ^C still signals. */
static void sks_tty_raw_on(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &sks_tty_saved))
		return;
	t = sks_tty_saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
		sks_tty_raw = true;
}

static void sks_tty_restore(void)
{
	if (sks_tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &sks_tty_saved);
	sks_tty_raw = false;
}

static int sks_top_record(const struct skbstamp_record *r, void *arg)
{
	struct sks_top *t = arg;

	t->records++;
	if (r->stage == SKBSTAMP_STAGE_SENDMSG)
		sks_top_send(t->table, r);
	sks_asm_add(t->as, r);
	return 0;
}

static int sks_top_batch(struct nlattr **tb, void *arg)
{
	struct sks_top *t = arg;

	return sks_batch_walk(&t->batches, tb, sks_top_record, t);
}

static uint64_t sks_top_sort_val(const struct sks_top_row *r, enum sks_top_sort s)
{
	switch (s) {
	case SKS_SORT_SENDS:
		return r->sends;
	case SKS_SORT_SENDMSG_SW:
		return r->p99[SKS_TOP_SENDMSG_SW];
	case SKS_SORT_SW_ACK:
		return r->p99[SKS_TOP_SW_ACK];
	case SKS_SORT_NAPI_READ:
		return r->p99[SKS_TOP_NAPI_READ];
	case SKS_SORT_DROPS:
		return r->drops;
	default:
		return r->worst;
	}
}

static enum sks_top_sort sks_sort_by;

/* Largest first; ties by the worst p99, then by sends. */
static int sks_top_cmp(const void *a, const void *b)
{
	const struct sks_top_row *x = a, *y = b;
	uint64_t vx = sks_top_sort_val(x, sks_sort_by), vy = sks_top_sort_val(y, sks_sort_by);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	if (x->worst != y->worst)
		return x->worst < y->worst ? 1 : -1;
	if (x->sends != y->sends)
		return x->sends < y->sends ? 1 : -1;
	return 0;
}

/*
 * One field of a row: in JSON "key":value through output.c (a string
 * quoted), in text a column @width wide (negative: left-aligned).
 */
static void sks_top_field(struct sks_top *t, const char *key, int width,
			  const char *text, bool quote)
{
	if (!t->ctx->json) {
		printf("%*s ", width, text);
	} else if (quote) {
		sks_out_str(t->ctx, key, key, text);
	} else {
		sks_out_key(t->ctx, key);
		fputs(text, stdout);
	}
}

/* A count: in JSON always, in text only when it has a column (@width). */
static void sks_top_field_u64(struct sks_top *t, const char *key, int width, uint64_t v)
{
	if (t->ctx->json)
		sks_out_u64(t->ctx, key, key, v);
	else if (width)
		printf("%*" PRIu64 " ", width, v);
}

/* A latency: ns in JSON, readable in text; null or "-" without samples. */
static void sks_top_field_dur(struct sks_top *t, const char *key, uint64_t ns, bool have)
{
	char buf[32];

	if (!have)
		snprintf(buf, sizeof(buf), t->ctx->json ? "null" : "-");
	else if (t->ctx->json)
		snprintf(buf, sizeof(buf), "%" PRIu64, ns);
	else
		sks_dur(ns, buf, sizeof(buf));
	sks_top_field(t, key, 9, buf, false);
}

static void sks_top_print_row(struct sks_top *t, const struct sks_top_row *r)
{
	char local[64], remote[64], who[40], rate[24], comm[sizeof(r->comm) + 1];
	double secs = t->elapsed_ns ? t->elapsed_ns / 1e9 : 1;
	const struct sks_top_key *k = &r->key;
	unsigned int c;

	/* The kernel's comm has its NUL; a record's is not trusted to. */
	memcpy(comm, r->comm, sizeof(r->comm));
	comm[sizeof(r->comm)] = 0;
	*sks_fmt_endpoint_af(local, k->family, k->laddr, k->lport) = 0;
	*sks_fmt_endpoint_af(remote, k->family, k->raddr, k->rport) = 0;
	sks_out_begin(t->ctx);
	sks_top_field(t, "proto", -4, sks_proto_name(k->proto), true);
	sks_top_field_u64(t, "family", 0, k->family == AF_INET6 ? 6 : 4);
	sks_top_field(t, "local", -23, local, true);
	sks_top_field(t, "remote", -23, remote, true);
	if (t->ctx->json) {
		sks_top_field_u64(t, "pid", 0, r->pid);
		sks_top_field(t, "comm", 0, comm, true);
	} else {
		snprintf(who, sizeof(who), "%s/%u", comm[0] ? comm : "-", r->pid);
		sks_top_field(t, "who", -22, who, true);
	}
	snprintf(rate, sizeof(rate), "%.1f", r->sends / secs);
	sks_top_field(t, "sends_per_s", 8, rate, false);
	sks_top_field_u64(t, "sends", 0, r->sends);
	sks_top_field_u64(t, "packets", 0, r->packets);
	sks_top_field_u64(t, "received", 0, r->received);
	for (c = 0; c < SKS_TOP_NCOLS; c++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_count", sks_col_json[c]);
		sks_top_field_u64(t, key, 0, r->count[c]);
		snprintf(key, sizeof(key), "%s_p50_ns", sks_col_json[c]);
		sks_top_field_dur(t, key, r->p50[c], r->count[c]);
		snprintf(key, sizeof(key), "%s_p99_ns", sks_col_json[c]);
		sks_top_field_dur(t, key, r->p99[c], r->count[c]);
	}
	sks_top_field_u64(t, "drops", 5, r->drops);
	sks_top_field_u64(t, "worst_p99_ns", 0, r->worst);
	sks_out_end(t->ctx);
	if (!t->ctx->json)
		putchar('\n');
}

/* The last snapshot, sorted as asked: a key press shows it again at once. */
static void sks_top_print(struct sks_top *t)
{
	unsigned int i;

	sks_sort_by = t->sort;
	qsort(t->rows, t->nrows, sizeof(*t->rows), sks_top_cmp);
	if (t->ctx->json) {
		sks_out_begin(t->ctx);
		sks_out_u64(t->ctx, "time_ns", NULL, t->snap_ns);
		sks_out_u64(t->ctx, "interval_ns", NULL, t->elapsed_ns);
		sks_out_str(t->ctx, "sort", NULL, sks_sort_names[t->sort]);
		sks_out_u64(t->ctx, "records", NULL, t->shown_records);
		sks_out_u64(t->ctx, "overflows", NULL, t->overflows);
		sks_out_u64(t->ctx, "batches_lost", NULL, t->batches.lost);
		sks_out_u64(t->ctx, "flows_max", NULL, t->max_flows);
		sks_out_u64(t->ctx, "flows_evicted", NULL,
			    sks_top_evicted(t->table));
		sks_out_key(t->ctx, "flows");
		putchar('[');
		for (i = 0; i < t->nrows; i++) {
			if (i)
				putchar(',');
			sks_top_print_row(t, &t->rows[i]);
		}
		putchar(']');
		sks_out_end(t->ctx);
		fflush(stdout);
		return;
	}
	/* Home and clear: the table replaces the last one. */
	if (t->screen)
		printf("\033[H\033[2J");
	printf("skbstamp top: %u flows, %" PRIu64 " records in %.1f s, sorted by %s%s;"
	       " table %u, evicted %" PRIu64 ", overflows %" PRIu64
	       ", batches lost %" PRIu64 "\n",
	       t->nrows, t->shown_records, t->elapsed_ns / 1e9, sks_sort_names[t->sort],
	       t->sort == SKS_SORT_SENDS || t->sort == SKS_SORT_DROPS ? "" : " p99",
	       t->max_flows, sks_top_evicted(t->table), t->overflows,
	       t->batches.lost);
	if (t->screen && sks_tty_raw)
		puts(sks_keys_help);
	printf("%-4s %-23s %-23s %-22s %8s %9s %9s %9s %9s %9s %9s %5s\n",
	       "PROT", "LOCAL", "REMOTE", "COMM/PID", "SENDS/S", "SND-SW50",
	       "SND-SW99", "SW-ACK50", "SW-ACK99", "NAPI-RD50", "NAPI-RD99", "DROPS");
	for (i = 0; i < t->nrows; i++)
		sks_top_print_row(t, &t->rows[i]);
	if (!t->screen)
		putchar('\n');
	fflush(stdout);
}

static void sks_top_key(struct sks_top *t)
{
	unsigned int i;
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1) {
		if (c == 'q') {
			sks_top_stop = 1;
			return;
		}
		for (i = 0; i < SKS_SORT_N; i++)
			if (c == sks_sort_keys[i] && t->sort != i) {
				t->sort = i;
				sks_top_print(t);
			}
	}
}

static int sks_top_args(struct sks_top *t, int argc, char **argv)
{
	unsigned int i;
	uint32_t v;
	int a;

	for (a = 0; a < argc; a += 2) {
		if (a + 1 >= argc) {
			fprintf(stderr, "skbstamp top: '%s' needs a value\n", argv[a]);
			return -1;
		}
		if (!strcmp(argv[a], "sort")) {
			for (i = 0; i < SKS_SORT_N; i++)
				if (!strcmp(argv[a + 1], sks_sort_names[i]))
					break;
			if (i == SKS_SORT_N) {
				fprintf(stderr,
					"skbstamp top: unknown sort '%s' (worst, sends, sendmsg-sw, sw-ack, napi-read, drops)\n",
					argv[a + 1]);
				return -1;
			}
			t->sort = i;
			continue;
		}
		if (sks_parse_u32(argv[a], argv[a + 1], &v))
			return -1;
		if (!strcmp(argv[a], "count")) {
			t->count = v;
		} else if (!strcmp(argv[a], "interval")) {
			t->interval = v;
		} else if (!strcmp(argv[a], "flows")) {
			t->max_flows = v;
		} else {
			fprintf(stderr, "skbstamp top: unknown argument '%s'\n", argv[a]);
			return -1;
		}
	}
	if (t->interval < 1 || t->interval > 3600 || t->max_flows < 1 || t->max_flows > 65536) {
		fprintf(stderr, "skbstamp top: interval must be 1..3600, flows 1..65536\n");
		return -1;
	}
	return 0;
}

/* Records reach top only while tracing runs in records mode. */
static int sks_top_check_mode(struct sks_ctx *ctx, bool *pull)
{
	struct sks_run run;
	int ret = sks_get_run(ctx, &run);

	if (ret)
		return ret;
	if (run.mode < 0) {
		fprintf(stderr,
			"skbstamp top: tracing is not running; start it in records mode: 'skbstamp start [stages tx,rx]'\n");
		return SKS_EXIT_KERNEL;
	}
	if (run.mode != SKBSTAMP_MODE_RECORDS) {
		fprintf(stderr,
			"skbstamp top: tracing runs in summary mode, which sends no records; top needs records mode ('skbstamp stop', then 'skbstamp start mode records')\n");
		return SKS_EXIT_KERNEL;
	}
	*pull = run.drain == SKBSTAMP_DRAIN_DUMP;
	return 0;
}

/* Between two waits for records: a key pressed, packets quiet closed. */
static void sks_top_tick(void *arg, bool key)
{
	struct sks_top *t = arg;

	if (key)
		sks_top_key(t);
	sks_asm_expire(t->as, false);
}

/* Wait for records (and keys) until @deadline. */
static int sks_top_wait(struct sks_top *t, struct nl_sock *sk, struct sks_req_state *st,
			bool pull, uint64_t deadline)
{
	while (!sks_top_stop) {
		uint64_t now = sks_mono_ns();
		int timeout = pull ? 50 : 200, ret;

		if (now >= deadline)
			return 0;
		if ((deadline - now) / 1000000 < (uint64_t)timeout)
			timeout = (deadline - now) / 1000000 + 1;
		ret = sks_mon_wait(t->ctx, sk, st, pull, timeout,
				   sks_tty_raw ? STDIN_FILENO : -1, &sks_top_stop,
				   sks_top_tick, sks_top_batch, t);
		/* A receive buffer overflow: the header shows it. */
		if (ret == SKS_MON_OVERFLOW)
			t->overflows++;
		else if (ret)
			return ret;
	}
	return 0;
}

int sks_cmd_top(struct sks_ctx *ctx, int argc, char **argv)
{
	struct sks_top t = { .ctx = ctx, .interval = 1, .max_flows = 1024 };
	struct sks_req_state st = { .reply = sks_top_batch, .arg = &t };
	struct sigaction sa = { .sa_handler = sks_top_on_signal };
	struct nl_sock *sk = NULL;
	uint64_t start, next;
	uint32_t shown = 0;
	int ret, grp;
	bool pull = false;

	if (sks_top_args(&t, argc, argv))
		return SKS_EXIT_USAGE;
	ret = sks_nl_open(ctx);
	if (!ret)
		ret = sks_top_check_mode(ctx, &pull);
	if (ret)
		return ret;
	sk = sks_mon_socket(ctx, 32 << 20, &grp);
	if (!sk)
		return SKS_EXIT_KERNEL;
	t.table = sks_top_new(t.max_flows);
	t.rows = calloc(t.max_flows, sizeof(*t.rows));
	t.as = sks_asm_new(ctx, NULL);
	if (!t.table || !t.rows || !t.as || sks_batches_init(&t.batches)) {
		fprintf(stderr, "skbstamp: out of memory\n");
		ret = SKS_EXIT_KERNEL;
		goto out;
	}
	sks_asm_set_sink(t.as, sks_top_pkt, t.table);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	t.screen = !ctx->json && isatty(STDOUT_FILENO);
	if (t.screen)
		sks_tty_raw_on();
	/* Scripts wait for this line before generating traffic. */
	fprintf(stderr, "skbstamp: listening for records\n");
	start = sks_mono_ns();
	for (next = start + t.interval * 1000000000ull; !sks_top_stop;
	     next += t.interval * 1000000000ull) {
		ret = sks_top_wait(&t, sk, &st, pull, next);
		if (ret || sks_top_stop)
			break;
		t.snap_ns = sks_mono_ns();
		t.elapsed_ns = t.snap_ns - start;
		start = t.snap_ns;
		t.nrows = sks_top_snapshot(t.table, t.rows);
		t.shown_records = t.records;
		t.records = 0;
		sks_top_print(&t);
		if (t.count && ++shown >= t.count)
			break;
	}
out:
	sks_tty_restore();
	nl_socket_free(sk);
	sks_asm_free(t.as);
	sks_top_free(t.table);
	sks_batches_free(&t.batches);
	free(t.rows);
	return ret;
}
