// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp reset: clear the summary histograms.  Record counters are not
 * touched: they must always balance, and restart with each start.
 */
#include <stdio.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

int sks_cmd_reset(struct sks_ctx *ctx, int argc, char **argv)
{
	int ret;

	(void)argv;
	ret = sks_open_noargs(ctx, "reset", argc);
	if (ret)
		return ret;
	return sks_nl_request(ctx, SKBSTAMP_CMD_RESET, NULL, NULL, NULL);
}
