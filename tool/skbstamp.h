/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the skbstamp tool.
 */
#ifndef SKBSTAMP_TOOL_H
#define SKBSTAMP_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in skbstamp.8. */
enum {
	SKS_EXIT_OK	= 0,
	SKS_EXIT_USAGE	= 1,	/* bad command line */
	SKS_EXIT_KERNEL	= 2,	/* netlink failure or refusal by the module */
	SKS_EXIT_NOMOD	= 3,	/* the skbstamp module is not loaded */
};

struct sks_ctx {
	bool json;
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

/* output.c: one code path for text and JSON */
void sks_out_begin(struct sks_ctx *ctx);
void sks_out_end(struct sks_ctx *ctx);
void sks_out_str(struct sks_ctx *ctx, const char *key, const char *label,
		 const char *val);
void sks_out_u64(struct sks_ctx *ctx, const char *key, const char *label,
		 uint64_t val);
void sks_json_string(const char *s);

/* Commands, one file each. */
int sks_cmd_status(struct sks_ctx *ctx, int argc, char **argv);

#endif /* SKBSTAMP_TOOL_H */
