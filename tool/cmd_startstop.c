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

/* An exit code: a usage error when there are arguments, else sks_nl_open's. */
int sks_open_noargs(struct sks_ctx *ctx, const char *cmd, int argc)
{
	if (argc) {
		fprintf(stderr, "skbstamp %s: takes no arguments\n", cmd);
		return SKS_EXIT_USAGE;
	}
	return sks_nl_open(ctx);
}

int sks_cmd_start(struct sks_ctx *ctx, int argc, char **argv)
{
	return sks_config_request(ctx, SKBSTAMP_CMD_START, "start", argc, argv);
}

int sks_cmd_stop(struct sks_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)argv;
	ret = sks_open_noargs(ctx, "stop", argc);
	if (ret)
		return ret;
	return sks_nl_request(ctx, SKBSTAMP_CMD_STOP, NULL, NULL, NULL);
}
