// SPDX-License-Identifier: GPL-2.0
/*
 * TCP's drops on kernels whose kfree_skb tracepoint has no reason (before
 * 5.17).  There tcp_drop() frees the data TCP refuses (old or out of
 * window, after a FIN, pruned from the out-of-order queue) with
 * __kfree_skb(), which no tracepoint reports, and it is inlined into its
 * callers (5.10), so it cannot be hooked either.  Those callers free no
 * data skb otherwise through a hooked free but once its data was merged
 * (kfree_skb_partial() after skb_try_coalesce(), which rx.c records as a
 * merge, not a drop): a tracked skb freed from one of them was dropped.
 * Their address ranges are found at load; a name the kernel does not
 * have is skipped.
 */
#include <linux/kallsyms.h>
#include <linux/kernel.h>

#include "../skbstamp.h"
#include "tcp_drop.h"

#ifndef SKS_HAVE_KFREE_SKB_REASON
static const char *const sks_tcp_drop_funcs[] = {
	"tcp_drop",
	"tcp_validate_incoming",
	"tcp_data_queue",
	"tcp_data_queue_ofo",
	"tcp_ofo_queue",
	"tcp_prune_ofo_queue",
	"tcp_rcv_established",
	"tcp_rcv_state_process",
	"tcp_rcv_synsent_state_process",
};

#define SKS_TCP_DROP_N	ARRAY_SIZE(sks_tcp_drop_funcs)

static struct {
	unsigned long start, end;
} sks_tcp_drop_ranges[SKS_TCP_DROP_N] __read_mostly;

/* Find the functions' ranges; called once at load. */
void sks_tcp_drop_probe(void)
{
	unsigned long addrs[SKS_TCP_DROP_N], off, size;
	char sym[KSYM_SYMBOL_LEN];
	const char *p;
	unsigned int i;

	if (sks_ksym_lookup(sks_tcp_drop_funcs, addrs, SKS_TCP_DROP_N))
		return;
	for (i = 0; i < SKS_TCP_DROP_N; i++) {
		if (!addrs[i])
			continue;
		/* "name+0xOFF/0xSIZE": kprobes may give an address past endbr64. */
		sprint_symbol(sym, addrs[i]);
		p = strrchr(sym, '+');
		if (!p || sscanf(p, "+%lx/%lx", &off, &size) != 2 ||
		    off > addrs[i])
			continue;
		sks_tcp_drop_ranges[i].start = addrs[i] - off;
		sks_tcp_drop_ranges[i].end = addrs[i] - off + size;
	}
}

/* Is @ip, a free's return address, in one of the functions that drop? */
bool sks_tcp_drop_site(unsigned long ip)
{
	unsigned int i;

	for (i = 0; i < SKS_TCP_DROP_N; i++)
		if (ip - sks_tcp_drop_ranges[i].start <
		    sks_tcp_drop_ranges[i].end - sks_tcp_drop_ranges[i].start)
			return true;
	return false;
}
#endif
