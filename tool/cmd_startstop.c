// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp start [CONFIG...] and skbstamp stop.
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

/* For commands without arguments: 0, or -1 after a message. */
int sks_no_args(const char *cmd, int argc)
{
	if (!argc)
		return 0;
	fprintf(stderr, "skbstamp %s: takes no arguments\n", cmd);
	return -1;
}

int sks_cmd_start(struct sks_ctx *ctx, int argc, char **argv)
{
	return sks_config_request(ctx, SKBSTAMP_CMD_START, "start", argc, argv);
}

int sks_cmd_stop(struct sks_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)argv;
	if (sks_no_args("stop", argc))
		return SKS_EXIT_USAGE;
	ret = sks_nl_open(ctx);
	if (ret)
		return ret;
	return sks_nl_request(ctx, SKBSTAMP_CMD_STOP, NULL, NULL, NULL);
}
