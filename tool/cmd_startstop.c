// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp start [stages LIST] [buffer N] and skbstamp stop.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

/* Parse a decimal unsigned number that must fit 32 bits. */
int sks_parse_u32(const char *what, const char *arg, uint32_t *val)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "skbstamp: invalid %s '%s'\n", what, arg);
		return -1;
	}
	*val = v;
	return 0;
}

int sks_cmd_start(struct sks_ctx *ctx, int argc, char **argv)
{
	uint32_t stages = 0, buffer = 0;
	struct nl_msg *msg;
	struct nlattr *cfg;
	int i;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "skbstamp start: '%s' needs a value\n", argv[i]);
			return SKS_EXIT_USAGE;
		}
		if (!strcmp(argv[i], "stages")) {
			if (sks_stages_parse(argv[i + 1], &stages))
				return SKS_EXIT_USAGE;
		} else if (!strcmp(argv[i], "buffer")) {
			if (sks_parse_u32("buffer size", argv[i + 1], &buffer))
				return SKS_EXIT_USAGE;
		} else {
			fprintf(stderr, "skbstamp start: unknown argument '%s'\n", argv[i]);
			return SKS_EXIT_USAGE;
		}
	}

	i = sks_nl_open(ctx);
	if (i)
		return i;
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
			 NLM_F_ACK, SKBSTAMP_CMD_START, SKBSTAMP_GENL_VERSION))
		goto nomem;
	cfg = nla_nest_start(msg, SKBSTAMP_A_CONFIG);
	if (!cfg)
		goto nomem;
	/* "all" means every stage this kernel offers: ask the module. */
	if (stages == UINT32_MAX) {
		stages = 0;
		if (sks_get_stages_avail(ctx, &stages))
			goto fail;
	}
	if (stages && nla_put_u32(msg, SKBSTAMP_CFG_STAGES, stages))
		goto nomem;
	if (buffer && nla_put_u32(msg, SKBSTAMP_CFG_BUFFER, buffer))
		goto nomem;
	nla_nest_end(msg, cfg);
	return sks_nl_request(ctx, SKBSTAMP_CMD_START, msg, NULL, NULL);

nomem:
	fprintf(stderr, "skbstamp: out of memory\n");
fail:
	nlmsg_free(msg);
	return SKS_EXIT_KERNEL;
}

int sks_cmd_stop(struct sks_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)argv;
	if (argc) {
		fprintf(stderr, "skbstamp stop: takes no arguments\n");
		return SKS_EXIT_USAGE;
	}
	ret = sks_nl_open(ctx);
	if (ret)
		return ret;
	return sks_nl_request(ctx, SKBSTAMP_CMD_STOP, NULL, NULL, NULL);
}
