// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp set [CONFIG...]: replace the running configuration's filters,
 * sampling and stages in one atomic swap.  What is not given is reset as
 * for start (no filter, every available transmit stage but hw); mode, drain and
 * buffer keep their values unless given, and the module refuses to change
 * them while running.  Summary histograms are kept.
 */
#include <linux/skbstamp.h>

#include "skbstamp.h"

int sks_cmd_set(struct sks_ctx *ctx, int argc, char **argv)
{
	return sks_config_request(ctx, SKBSTAMP_CMD_SET, "set", argc, argv);
}
