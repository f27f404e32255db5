// SPDX-License-Identifier: GPL-2.0
/*
 * What monitor prints of a record: its JSON line, its addresses, and the
 * names of a drop's location and reason.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "monitor.h"

void sks_addr_str(const struct skbstamp_record *r, const uint8_t *addr,
		  char *buf, size_t len)
{
	inet_ntop(r->family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, len);
}

/*
 * A drop's location as symbol+offset, from /proc/kallsyms (loaded once;
 * root sees real addresses).  NULL if it cannot be named.
 */
struct sks_ksym {
	uint64_t addr;
	char *name;
};

static struct sks_ksym *sks_ksyms;
static size_t sks_nksyms;
static bool sks_ksyms_loaded;

static int sks_ksym_cmp(const void *a, const void *b)
{
	const struct sks_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void sks_ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type, name[256];
	size_t cap = 0;
	char line[512];

	sks_ksyms_loaded = true;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr ||
		    (type != 't' && type != 'T'))
			continue;
		if (sks_nksyms == cap) {
			struct sks_ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(sks_ksyms, cap * sizeof(*n));
			if (!n)
				break;
			sks_ksyms = n;
		}
		sks_ksyms[sks_nksyms].addr = addr;
		sks_ksyms[sks_nksyms].name = strdup(name);
		if (!sks_ksyms[sks_nksyms].name)
			break;
		sks_nksyms++;
	}
	fclose(f);
	qsort(sks_ksyms, sks_nksyms, sizeof(*sks_ksyms), sks_ksym_cmp);
}

static const char *sks_ksym_name(uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (!sks_ksyms_loaded)
		sks_ksyms_load();
	hi = sks_nksyms;
	if (!addr || !hi || addr < sks_ksyms[0].addr)
		return NULL;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (sks_ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, len, "%s+0x%llx", sks_ksyms[lo].name,
		 (unsigned long long)(addr - sks_ksyms[lo].addr));
	return buf;
}

/*
 * The name of a drop reason, from the kfree_skb tracepoint's format, whose
 * __print_symbolic() lists { value, "NAME" } pairs (5.17 on).  NULL if not
 * known.
 */
#define SKS_REASONS_MAX	512
static char *sks_reasons[SKS_REASONS_MAX];
static bool sks_reasons_loaded;

/* The { value, "NAME" } pairs of a kfree_skb format file's text. */
void sks_drop_reasons_parse(const char *fmt)
{
	char name[64];
	unsigned int v;
	const char *p;
	int used;

	sks_reasons_loaded = true;
	for (p = strstr(fmt, "{ "); p; p = strstr(p + 1, "{ ")) {
		if (sscanf(p, "{ %u, \"%63[A-Z0-9_]\" }%n", &v, name, &used) >= 2 &&
		    v < SKS_REASONS_MAX && !sks_reasons[v])
			sks_reasons[v] = strdup(name);
	}
}

static void sks_reasons_load(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/skb/kfree_skb/format",
		"/sys/kernel/debug/tracing/events/skb/kfree_skb/format",
	};
	char buf[65536];
	FILE *f = NULL;
	size_t i, n;

	sks_reasons_loaded = true;
	for (i = 0; i < ARRAY_SIZE(paths) && !f; i++)
		f = fopen(paths[i], "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	sks_drop_reasons_parse(buf);
}

const char *sks_drop_reason_name(unsigned int reason)
{
	if (!sks_reasons_loaded)
		sks_reasons_load();
	return reason < SKS_REASONS_MAX ? sks_reasons[reason] : NULL;
}

void sks_drop_where(const struct skbstamp_record *r, char *buf, size_t len)
{
	if (!sks_ksym_name(r->location, buf, len))
		snprintf(buf, len, "0x%llx", (unsigned long long)r->location);
}

void sks_print_json(const struct skbstamp_record *r)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], comm[17];

	sks_addr_str(r, r->saddr, sa, sizeof(sa));
	sks_addr_str(r, r->daddr, da, sizeof(da));
	memcpy(comm, r->comm, 16);
	comm[16] = '\0';
	printf("{\"stage\":\"%s\",\"ts_ns\":%llu,", sks_stage_name(r->stage),
	       (unsigned long long)r->ts_ns);
	if (r->stage == SKBSTAMP_STAGE_HW || r->stage == SKBSTAMP_STAGE_RX_HW)
		printf("\"hw_ns\":%llu,", (unsigned long long)r->hw_ns);
	printf("\"cpu\":%u,\"sk\":%llu,\"tskey\":%u,\"len\":%u,\"pid\":%u,\"comm\":",
	       r->cpu, (unsigned long long)r->cookie, r->tskey, r->len, r->pid);
	sks_json_string(comm);
	printf(",\"proto\":\"%s\",\"family\":%d", sks_proto_name(r->proto),
	       r->family == AF_INET6 ? 6 : 4);
	printf(",\"saddr\":\"%s\",\"daddr\":\"%s\",\"sport\":%u,\"dport\":%u,\"ifindex\":%d",
	       sa, da, ntohs(r->sport), ntohs(r->dport), r->ifindex);
	if (r->stage <= SKBSTAMP_STAGE_TXDONE)
		printf(",\"retrans\":%s,\"segment\":%s,\"fragment\":%s,\"offset\":%u",
		       r->flags & SKBSTAMP_RF_RETRANS ? "true" : "false",
		       r->flags & SKBSTAMP_RF_SEGMENT ? "true" : "false",
		       r->flags & SKBSTAMP_RF_FRAGMENT ? "true" : "false",
		       r->offset);
	else
		printf(",\"id\":%llu", (unsigned long long)r->id);
	if (r->stage == SKBSTAMP_STAGE_DROP) {
		char where[300];

		sks_drop_where(r, where, sizeof(where));
		printf(",\"drop_reason\":%u,\"location\":", r->drop_reason);
		sks_json_string(where);
		if (sks_drop_reason_name(r->drop_reason)) {
			printf(",\"drop_reason_name\":");
			sks_json_string(sks_drop_reason_name(r->drop_reason));
		}
	}
	if (r->stage == SKBSTAMP_STAGE_MERGE)
		printf(",\"head_id\":%llu,\"by\":\"%s\"", (unsigned long long)r->head_id,
		       r->flags & SKBSTAMP_RF_GRO ? "gro" : "coalesce");
	printf("}\n");
}

