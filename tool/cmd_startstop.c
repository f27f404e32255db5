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

/*
 * Put the configuration given by the arguments into @msg (inside the
 * CONFIG nest).  "stages all" is left to the caller (*all), since only the
 * module knows which stages it offers.  Returns 0, or -1 after a message.
 */
static int sks_config_attrs(struct nl_msg *msg, int argc, char **argv, bool *all)
{
	struct sks_filter_state fst = { 0 };
	uint32_t stages, buffer;
	int i, r;

	*all = false;
	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "skbstamp start: '%s' needs a value\n", argv[i]);
			return -1;
		}
		if (!strcmp(argv[i], "stages")) {
			if (sks_stages_parse(argv[i + 1], &stages))
				return -1;
			if (stages == UINT32_MAX)
				*all = true;
			else if (nla_put_u32(msg, SKBSTAMP_CFG_STAGES, stages))
				return -1;
			continue;
		}
		if (!strcmp(argv[i], "buffer")) {
			if (sks_parse_u32("buffer size", argv[i + 1], &buffer) ||
			    nla_put_u32(msg, SKBSTAMP_CFG_BUFFER, buffer))
				return -1;
			continue;
		}
		r = sks_filter_arg(msg, argv[i], argv[i + 1], &fst);
		if (r < 0)
			return -1;
		if (r > 0) {
			fprintf(stderr, "skbstamp start: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	return sks_filter_finish(msg, &fst);
}

int sks_cmd_start(struct sks_ctx *ctx, int argc, char **argv)
{
	struct nl_msg *msg;
	struct nlattr *cfg;
	uint32_t stages = 0;
	bool all;
	int ret;

	/* Check the arguments before talking to the module. */
	msg = nlmsg_alloc();
	if (!msg)
		goto nomem;
	ret = sks_config_attrs(msg, argc, argv, &all);
	nlmsg_free(msg);
	if (ret)
		return SKS_EXIT_USAGE;

	ret = sks_nl_open(ctx);
	if (ret)
		return ret;
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
			 NLM_F_ACK, SKBSTAMP_CMD_START, SKBSTAMP_GENL_VERSION))
		goto nomem_free;
	cfg = nla_nest_start(msg, SKBSTAMP_A_CONFIG);
	if (!cfg || sks_config_attrs(msg, argc, argv, &all))
		goto nomem_free;
	if (all) {
		ret = sks_get_stages_avail(ctx, &stages);
		if (ret) {
			nlmsg_free(msg);
			return ret;
		}
		if (nla_put_u32(msg, SKBSTAMP_CFG_STAGES, stages))
			goto nomem_free;
	}
	nla_nest_end(msg, cfg);
	return sks_nl_request(ctx, SKBSTAMP_CMD_START, msg, NULL, NULL);

nomem_free:
	nlmsg_free(msg);
nomem:
	fprintf(stderr, "skbstamp: out of memory\n");
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
