/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the skbstamp tool.
 */
#ifndef SKBSTAMP_TOOL_H
#define SKBSTAMP_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/skbstamp.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in nanoseconds, the clock records carry. */
static inline uint64_t sks_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Exit codes, documented in skbstamp.8. */
enum {
	SKS_EXIT_OK	= 0,
	SKS_EXIT_USAGE	= 1,	/* bad command line, input that is not records */
	SKS_EXIT_KERNEL	= 2,	/* netlink failure, refusal by the module, I/O error */
	SKS_EXIT_NOMOD	= 3,	/* the skbstamp module is not loaded */
	SKS_EXIT_NOMATCH = 4,	/* join: no packet of one file matched the other */
};

#define SKS_MSG_NEED_CAP "CAP_NET_ADMIN in the initial user namespace is required"

struct sks_ctx {
	bool json;
	bool quiet;		/* no message when the module is not loaded */
	struct nl_sock *sk;
	int family;		/* generic netlink family id */
	/* JSON object state, see output.c */
	int depth;
	bool need_comma;
};

struct sks_cmd {
	const char *name;
	int (*run)(struct sks_ctx *ctx, int argc, char **argv);
	const char *usage;	/* arguments, for --help */
	const char *help;	/* one line */
};

/* nl.c: talking to the module */
int sks_nl_open(struct sks_ctx *ctx);
void sks_nl_close(struct sks_ctx *ctx);
typedef int (*sks_reply_fn)(struct nlattr **tb, void *arg);
int sks_nl_request(struct sks_ctx *ctx, uint8_t cmd, struct nl_msg *req,
		   sks_reply_fn reply, void *arg);
int sks_nl_dump(struct sks_ctx *ctx, uint8_t cmd, sks_reply_fn reply, void *arg);

struct sks_req_state {
	sks_reply_fn reply;
	void *arg;
	int error;		/* negative errno from the kernel, or 0 */
	char extack[256];	/* the kernel's explanation, if any */
	int reply_err;		/* exit code requested by the reply parser */
	bool done;		/* the request's ACK or error has arrived */
};

extern struct nla_policy sks_attr_policy[SKBSTAMP_A_MAX + 1];
/* Parses a message of the family and hands its attributes to st->reply. */
int sks_valid_cb(struct nl_msg *msg, void *arg);
int sks_nl_read_records(struct nl_sock *sk, struct sks_req_state *st);

/* output.c: one code path for text and JSON */
void sks_out_begin(struct sks_ctx *ctx);
void sks_out_end(struct sks_ctx *ctx);
void sks_out_str(struct sks_ctx *ctx, const char *key, const char *label,
		 const char *val);
void sks_out_u64(struct sks_ctx *ctx, const char *key, const char *label,
		 uint64_t val);
void sks_out_stages(struct sks_ctx *ctx, const char *key, const char *label,
		    uint32_t mask);
void sks_out_nest_begin(struct sks_ctx *ctx, const char *key);
void sks_out_nest_end(struct sks_ctx *ctx);
/* JSON: a comma if one is due, then "key": for a value the caller prints. */
void sks_out_key(struct sks_ctx *ctx, const char *key);
void sks_json_string(const char *s);

/* stages.c: names */
/* @names[@i] of @n names, or "unknown" for a hole or an index past them. */
const char *sks_name(const char *const *names, size_t n, unsigned int i);
/* "tcp", "udp", or "?" */
const char *sks_proto_name(unsigned int proto);
/*
 * The groups "tx" and "rx" name: every transmit stage but hw, which is
 * only asked for by name (it takes the NIC's stamping from whoever set it
 * up), and every receive stage (rx_hw only reads what the NIC gave).
 * Without "stages", start traces the tx group.
 */
#define SKS_TX_ALL	((1u << (SKBSTAMP_STAGE_TXDONE + 1)) - 1)
#define SKS_TX_STAGES	(SKS_TX_ALL & ~(1u << SKBSTAMP_STAGE_HW))
#define SKS_RX_STAGES	(((1u << (SKBSTAMP_STAGE_MERGE + 1)) - 1) & ~SKS_TX_ALL)
const char *sks_stage_name(unsigned int stage);
/* The stage a single name means; -1 if none. */
int sks_stage_by_name(const char *name);
int sks_stages_parse(const char *arg, uint32_t *mask);
const char *sks_stages_format(uint32_t mask, char *buf, size_t len);

/* cmd_startstop.c */
int sks_parse_u32(const char *what, const char *arg, uint32_t *val);
/* For commands without arguments: check there are none, then sks_nl_open. */
int sks_open_noargs(struct sks_ctx *ctx, const char *cmd, int argc);

/* config.c: the configuration start and set take */
int sks_config_request(struct sks_ctx *ctx, uint8_t cmd, const char *name,
		       int argc, char **argv);
const char *sks_mode_name(unsigned int mode);
const char *sks_drain_name(unsigned int drain);

/* filter.c */
struct sks_filter_state {
	int family;
	bool dev;
	bool netns;
};

int sks_filter_arg(struct nl_msg *msg, const char *key, const char *val,
		   struct sks_filter_state *st);
int sks_filter_finish(struct nl_msg *msg, struct sks_filter_state *st);

/* ADDR[/LEN] of either family; -1 after a message naming @what. */
struct sks_addr_arg {
	uint8_t addr[16];
	uint8_t plen;
	int family;
};

int sks_parse_addr(const char *what, const char *arg, struct sks_addr_arg *a);

/* cmd_status.c */
int sks_get_stages_avail(struct sks_ctx *ctx, uint32_t *mask);
/* The counters of a COUNTERS nest, by their JSON keys and text labels. */
void sks_out_counters(struct sks_ctx *ctx, struct nlattr *nest);
/* The configuration's drain (GET); -1 when not running. */
int sks_get_drain(struct sks_ctx *ctx);
/* The running configuration's mode and drain; -1 each when not running. */
struct sks_run {
	int mode, drain;
	uint32_t stages;	/* traced, 0: not running */
};

int sks_get_run(struct sks_ctx *ctx, struct sks_run *run);

/* cmd_hist.c: what hist and export share */
const char *sks_pair_name(unsigned int pair);
int sks_hist_parse(struct nlattr **tb, struct nlattr **h);
/* A duration for people: "850ns", "12.3us", "20.01ms", "1.50s". */
const char *sks_dur(uint64_t ns, char *buf, size_t len);
/*
 * Quantile @q of @count samples in @n log-linear buckets: the midpoint of
 * the bucket that holds it, at most @max.
 */
uint64_t sks_quantile(const uint64_t *b, unsigned int n, uint64_t count,
		      double q, uint64_t max);

/* Commands, one file each. */
int sks_cmd_status(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_start(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_stop(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_monitor(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_hwstamp(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_set(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_stats(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_hist(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_reset(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_export(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_join(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_top(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_trace(struct sks_ctx *ctx, int argc, char **argv);
int sks_cmd_decode(struct sks_ctx *ctx, int argc, char **argv);

#endif /* SKBSTAMP_TOOL_H */
