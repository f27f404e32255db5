// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint hooks: found by name when the module loads (they need not be
 * exported) and registered at START for the stages that need them, like
 * the ftrace hooks of hook.c.  Tracepoint probes run with preemption
 * disabled, as the configuration's RCU-sched readers require.
 */
#include <linux/netlink.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "skbstamp.h"
#include "compat/rx_tp.h"

struct sks_tphook {
	const char *name;
	void *probe;
	u32 stages;		/* stages that need it */
	bool helper;		/* needed, but provides no stage by itself */
	bool optional;		/* a helper the stages can do without */
	struct tracepoint *tp;
	bool registered;
};

static struct sks_tphook sks_tphooks[] = {
	{ "netif_receive_skb", sks_tp_netif_receive_skb,
	  BIT(SKBSTAMP_STAGE_NETIF) },
	/* Every free of a tracked skb ends its entry; drops are recorded. */
	{ "kfree_skb", sks_tp_kfree_skb, SKS_STAGES_RX, true },
	{ "consume_skb", sks_tp_consume_skb, SKS_STAGES_RX, true },
	/*
	 * Drivers that build skbs from pages (napi_gro_frags()): the packet
	 * at its napi stage, and the end of a merge whose skb GRO recycles
	 * for the driver's next packet instead of freeing it.
	 */
	{ "napi_gro_frags_entry", sks_tp_napi_gro_frags_entry, SKS_STAGES_RX,
	  true, true },
	{ "napi_gro_frags_exit", sks_tp_napi_gro_frags_exit, SKS_STAGES_RX,
	  true, true },
#ifdef SKS_TP_GRO_EXIT
	/* GRO's stolen heads: their merges end here (compat/rx_tp.h). */
	{ "napi_gro_receive_exit", sks_tp_napi_gro_exit, SKS_STAGES_RX, true,
	  true },
#endif
};

static void sks_tp_match(struct tracepoint *tp, void *priv)
{
	struct sks_tphook *h;

	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++)
		if (!h->tp && !strcmp(tp->name, h->name))
			h->tp = tp;
}

/* Find the tracepoints; returns the stages they provide. */
u32 sks_tp_probe(void)
{
	struct sks_tphook *h;
	u32 avail = 0;

	for_each_kernel_tracepoint(sks_tp_match, NULL);
	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++) {
		if (!h->tp) {
			pr_warn("tracepoint %s not found on this kernel\n",
				h->name);
			continue;
		}
		if (!h->helper)
			avail |= h->stages;
	}
	/* Without the free hooks, skb pointers could not be trusted. */
	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++)
		if (h->helper && !h->optional && !h->tp)
			avail &= ~SKS_STAGES_RX;
	return avail;
}

int sks_tp_register(u32 stages, struct netlink_ext_ack *extack)
{
	struct sks_tphook *h;
	int err;

	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++) {
		if (!h->tp || !(h->stages & stages))
			continue;
		err = tracepoint_probe_register(h->tp, h->probe, NULL);
		if (err) {
			pr_err("cannot attach to tracepoint %s: %d\n", h->name,
			       err);
			NL_SET_ERR_MSG(extack, "cannot attach to a tracepoint");
			sks_tp_unregister();
			return err;
		}
		h->registered = true;
	}
	return 0;
}

/* Once this returns, no probe runs any more. */
void sks_tp_unregister(void)
{
	struct sks_tphook *h;
	bool any = false;

	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++) {
		if (!h->registered)
			continue;
		tracepoint_probe_unregister(h->tp, h->probe, NULL);
		h->registered = false;
		any = true;
	}
	if (any)
		tracepoint_synchronize_unregister();
}

bool sks_tp_cover(u32 stages)
{
	struct sks_tphook *h;

	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++)
		if (h->tp && (h->stages & stages) && !h->registered)
			return false;
	return true;
}

bool sks_tp_any_registered(void)
{
	struct sks_tphook *h;

	for (h = sks_tphooks; h < sks_tphooks + ARRAY_SIZE(sks_tphooks); h++)
		if (h->registered)
			return true;
	return false;
}
