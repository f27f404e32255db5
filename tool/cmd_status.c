// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp status: what the loaded module is and what it is doing.
 */
#include <stdio.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const char *const sks_state_names[] = {
	[SKBSTAMP_STATE_STOPPED] = "stopped",
	[SKBSTAMP_STATE_RUNNING] = "running",
};

static int sks_status_reply(struct nlattr **tb, void *arg)
{
	struct sks_ctx *ctx = arg;
	uint32_t state;

	if (!tb[SKBSTAMP_A_VERSION] || !tb[SKBSTAMP_A_KERNEL] ||
	    !tb[SKBSTAMP_A_STATE]) {
		fprintf(stderr, "skbstamp: the module's reply lacks version, kernel or state\n");
		return SKS_EXIT_KERNEL;
	}
	state = nla_get_u32(tb[SKBSTAMP_A_STATE]);

	sks_out_begin(ctx);
	sks_out_str(ctx, "version", "module version:",
		    nla_get_string(tb[SKBSTAMP_A_VERSION]));
	sks_out_str(ctx, "tool_version", "tool version:", SKBSTAMP_VERSION);
	sks_out_str(ctx, "kernel", "kernel:", nla_get_string(tb[SKBSTAMP_A_KERNEL]));
	if (state < ARRAY_SIZE(sks_state_names))
		sks_out_str(ctx, "state", "state:", sks_state_names[state]);
	else
		sks_out_u64(ctx, "state", "state:", state);
	sks_out_end(ctx);
	return 0;
}

int sks_cmd_status(struct sks_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "skbstamp status: takes no arguments\n");
		return SKS_EXIT_USAGE;
	}
	return sks_nl_request(ctx, SKBSTAMP_CMD_GET, NULL, sks_status_reply, ctx);
}
