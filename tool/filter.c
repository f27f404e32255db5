// SPDX-License-Identifier: GPL-2.0
/*
 * The filter vocabulary of "skbstamp start": turned into SKBSTAMP_CFG_*
 * attributes of the CONFIG nest, checked here so mistakes are reported
 * before anything reaches the module.
 *
 *   pid N | cgroup PATH | netns NAME|PATH | proto tcp|udp | family 4|6 |
 *   src ADDR[/LEN] | dst ADDR[/LEN] | sport N | dport N | dev IFNAME |
 *   sample N | acks on|off
 *
 * "acks on" is not a filter but widens what the receive stages trace:
 * TCP segments without data (pure ACKs) too.  It lives here so that
 * start, set and the configuration file all take it.
 *
 * "dev" names a device of the caller's network namespace, and implies that
 * namespace unless "netns" says otherwise (device indexes are per
 * namespace).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

int sks_parse_addr(const char *what, const char *arg, struct sks_addr_arg *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t plen;
	int max;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		goto bad;
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(a->addr, 0, sizeof(a->addr));
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		goto bad;
	max = a->family == AF_INET ? 32 : 128;
	a->plen = max;
	if (slash) {
		if (sks_parse_u32("prefix length", slash, &plen) || plen > (uint32_t)max)
			goto bad;
		a->plen = plen;
	}
	return 0;
bad:
	fprintf(stderr, "skbstamp: invalid %s address '%s'\n", what, arg);
	return -1;
}

/* A cgroup v2 directory's inode number is the cgroup's id. */
static int sks_cgroup_id(const char *path, uint64_t *id)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) || stat(path, &st)) {
		fprintf(stderr, "skbstamp: cgroup '%s': %m\n", path);
		return -1;
	}
	if (sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "skbstamp: '%s' is not a cgroup v2 directory\n", path);
		return -1;
	}
	*id = st.st_ino;
	return 0;
}

/* A network namespace by name (ip netns) or by path (/proc/PID/ns/net). */
static int sks_netns_inum(const char *arg, uint32_t *inum)
{
	char path[256];
	struct stat st;

	if (strchr(arg, '/'))
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", arg);
	if (stat(path, &st)) {
		fprintf(stderr, "skbstamp: network namespace '%s': %m\n", arg);
		return -1;
	}
	*inum = st.st_ino;
	return 0;
}

/*
 * Consume one filter argument pair (@key @val) into @msg, inside the
 * CONFIG nest.  Returns 1 if @key is not a filter, 0 on success, -1 on a
 * bad value (message printed).
 */
int sks_filter_arg(struct nl_msg *msg, const char *key, const char *val,
		   struct sks_filter_state *st)
{
	struct sks_addr_arg a;
	uint32_t v;
	uint64_t id;

	if (!strcmp(key, "pid")) {
		if (sks_parse_u32("pid", val, &v) || !v)
			return -1;
		return nla_put_u32(msg, SKBSTAMP_CFG_PID, v) ? -1 : 0;
	}
	if (!strcmp(key, "cgroup")) {
		if (sks_cgroup_id(val, &id))
			return -1;
		return nla_put_u64(msg, SKBSTAMP_CFG_CGROUP, id) ? -1 : 0;
	}
	if (!strcmp(key, "netns")) {
		if (sks_netns_inum(val, &v))
			return -1;
		st->netns = true;
		return nla_put_u32(msg, SKBSTAMP_CFG_NETNS, v) ? -1 : 0;
	}
	if (!strcmp(key, "proto")) {
		if (strcmp(val, "tcp") && strcmp(val, "udp")) {
			fprintf(stderr, "skbstamp: proto is tcp or udp, not '%s'\n", val);
			return -1;
		}
		return nla_put_u8(msg, SKBSTAMP_CFG_PROTO,
				  strcmp(val, "tcp") ? IPPROTO_UDP : IPPROTO_TCP) ? -1 : 0;
	}
	if (!strcmp(key, "family")) {
		if (strcmp(val, "4") && strcmp(val, "6")) {
			fprintf(stderr, "skbstamp: family is 4 or 6, not '%s'\n", val);
			return -1;
		}
		v = strcmp(val, "4") ? AF_INET6 : AF_INET;
		if (st->family && st->family != (int)v)
			goto family_mismatch;
		st->family = v;
		return 0;
	}
	if (!strcmp(key, "src") || !strcmp(key, "dst")) {
		bool src = !strcmp(key, "src");

		if (sks_parse_addr(key, val, &a))
			return -1;
		if (st->family && st->family != a.family)
			goto family_mismatch;
		st->family = a.family;
		if (nla_put(msg, src ? SKBSTAMP_CFG_SADDR : SKBSTAMP_CFG_DADDR, 16, a.addr) ||
		    nla_put_u8(msg, src ? SKBSTAMP_CFG_SADDR_PLEN : SKBSTAMP_CFG_DADDR_PLEN,
			       a.plen))
			return -1;
		return 0;
	}
	if (!strcmp(key, "sport") || !strcmp(key, "dport")) {
		if (sks_parse_u32(key, val, &v) || !v || v > 65535) {
			fprintf(stderr, "skbstamp: %s must be 1 .. 65535\n", key);
			return -1;
		}
		return nla_put_u16(msg, strcmp(key, "sport") ? SKBSTAMP_CFG_DPORT :
				   SKBSTAMP_CFG_SPORT, v) ? -1 : 0;
	}
	if (!strcmp(key, "dev")) {
		v = if_nametoindex(val);
		if (!v) {
			fprintf(stderr, "skbstamp: no device '%s' in this namespace\n", val);
			return -1;
		}
		/* Device indexes are per namespace: this one's is implied. */
		st->dev = true;
		return nla_put_u32(msg, SKBSTAMP_CFG_IFINDEX, v) ? -1 : 0;
	}
	if (!strcmp(key, "sample")) {
		if (sks_parse_u32("sample", val, &v) || !v)
			return -1;
		return nla_put_u32(msg, SKBSTAMP_CFG_SAMPLE, v) ? -1 : 0;
	}
	if (!strcmp(key, "acks")) {
		if (strcmp(val, "on") && strcmp(val, "off")) {
			fprintf(stderr, "skbstamp: acks is on or off, not '%s'\n", val);
			return -1;
		}
		if (!strcmp(val, "off"))
			return 0;
		return nla_put_flag(msg, SKBSTAMP_CFG_ACKS) ? -1 : 0;
	}
	return 1;

family_mismatch:
	fprintf(stderr, "skbstamp: filters name both IPv4 and IPv6\n");
	return -1;
}

/* After the last argument: the family, which address filters need. */
int sks_filter_finish(struct nl_msg *msg, struct sks_filter_state *st)
{
	uint32_t inum;

	if (st->family && nla_put_u8(msg, SKBSTAMP_CFG_FAMILY, st->family))
		return -1;
	if (st->dev && !st->netns) {
		if (sks_netns_inum("/proc/self/ns/net", &inum) ||
		    nla_put_u32(msg, SKBSTAMP_CFG_NETNS, inum))
			return -1;
	}
	return 0;
}
