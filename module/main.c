// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp: per-stage packet timestamps for unmodified applications.
 *
 * Module entry points.  Loading registers the generic netlink family and
 * nothing else: no hook is installed until tracing is started, so a loaded
 * but idle module costs the network stack nothing.
 */
#include <linux/module.h>

#include "skbstamp.h"

enum skbstamp_state sks_state(void)
{
	return SKBSTAMP_STATE_STOPPED;
}

static int __init skbstamp_init(void)
{
	int err;

	err = sks_genl_register();
	if (err) {
		pr_err("cannot register generic netlink family: %d\n", err);
		return err;
	}
	pr_info("version %s loaded\n", SKBSTAMP_VERSION);
	return 0;
}

static void __exit skbstamp_exit(void)
{
	sks_genl_unregister();
	pr_info("unloaded\n");
}

module_init(skbstamp_init);
module_exit(skbstamp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("skbstamp developers");
MODULE_DESCRIPTION("Per-stage packet timestamps for unmodified applications");
MODULE_VERSION(SKBSTAMP_VERSION);
