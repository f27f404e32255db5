// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp: per-stage packet timestamps for unmodified applications.
 *
 * Module entry points.  Loading finds the functions to hook and registers
 * the generic netlink family, nothing more: no hook is installed until
 * tracing is started (by START, or at load with autostart=1, see
 * params.c), so a loaded but idle module costs the network stack nothing.
 */
#include <linux/module.h>

#include "skbstamp.h"
#include "hist.h"

static int __init skbstamp_init(void)
{
	int err;

	sks_hist_init();
	err = sks_hooks_probe();
	if (err)
		return err;
	err = sks_genl_register();
	if (err) {
		pr_err("cannot register generic netlink family: %d\n", err);
		sks_hooks_release();
		return err;
	}
	pr_info("version %s loaded, stages available %#x\n", SKBSTAMP_VERSION,
		sks_stages_avail());
	/* autostart=1 (params.c): a refusal fails the load, loudly. */
	err = sks_params_autostart();
	if (err) {
		sks_genl_unregister();
		sks_shutdown();
		sks_hooks_release();
		return err;
	}
	return 0;
}

static void __exit skbstamp_exit(void)
{
	/* No new request can arrive once the family is gone. */
	sks_genl_unregister();
	sks_shutdown();
	sks_hooks_release();
	pr_info("unloaded\n");
}

module_init(skbstamp_init);
module_exit(skbstamp_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("skbstamp developers");
MODULE_DESCRIPTION("Per-stage packet timestamps for unmodified applications");
MODULE_VERSION(SKBSTAMP_VERSION);
