// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp hwstamp DEV on|off [force]: switch a NIC's hardware
 * timestamping, which the hw stage needs.
 *
 * skbstamp never does this by itself.  A NIC's timestamping configuration
 * is shared by every user of the NIC (ptp4l, applications), so a
 * configuration somebody else set is neither overwritten nor switched off
 * unless "force" is given.  "on" means every transmitted packet may be
 * stamped and every received packet is (HWTSTAMP_TX_ON, FILTER_ALL).
 * Works in the caller's network namespace (use "ip netns exec").
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>

#include "skbstamp.h"

static int sks_hwts_ioctl(int fd, const char *dev, unsigned long req,
			  struct hwtstamp_config *cfg)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)cfg;
	return ioctl(fd, req, &ifr);
}

static bool sks_hwts_is(const struct hwtstamp_config *c, bool on)
{
	return on ? c->tx_type == HWTSTAMP_TX_ON && c->rx_filter == HWTSTAMP_FILTER_ALL
		  : c->tx_type == HWTSTAMP_TX_OFF && c->rx_filter == HWTSTAMP_FILTER_NONE;
}

static void sks_hwts_print(struct sks_ctx *ctx, const char *dev,
			   const struct hwtstamp_config *c)
{
	sks_out_begin(ctx);
	sks_out_str(ctx, "dev", "device:", dev);
	sks_out_u64(ctx, "tx_type", "tx type:", c->tx_type);
	sks_out_u64(ctx, "rx_filter", "rx filter:", c->rx_filter);
	sks_out_end(ctx);
}

int sks_cmd_hwstamp(struct sks_ctx *ctx, int argc, char **argv)
{
	struct hwtstamp_config cur = { 0 }, want = { 0 };
	bool on, force = false;
	const char *dev;
	int fd, ret = SKS_EXIT_KERNEL;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "force")) ||
	    (strcmp(argv[1], "on") && strcmp(argv[1], "off"))) {
		fprintf(stderr, "usage: skbstamp hwstamp DEV on|off [force]\n");
		return SKS_EXIT_USAGE;
	}
	dev = argv[0];
	on = !strcmp(argv[1], "on");
	force = argc == 3;
	if (strlen(dev) >= IFNAMSIZ) {
		fprintf(stderr, "skbstamp: invalid device name '%s'\n", dev);
		return SKS_EXIT_USAGE;
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "skbstamp: socket: %s\n", strerror(errno));
		return SKS_EXIT_KERNEL;
	}
	if (sks_hwts_ioctl(fd, dev, SIOCGHWTSTAMP, &cur)) {
		if (errno == ENODEV)
			fprintf(stderr, "skbstamp: no device '%s' in this namespace\n", dev);
		else if (errno == EOPNOTSUPP || errno == EINVAL)
			fprintf(stderr, "skbstamp: %s has no hardware timestamping\n", dev);
		else
			fprintf(stderr, "skbstamp: reading the configuration of %s: %s\n",
				dev, strerror(errno));
		goto out;
	}
	if (sks_hwts_is(&cur, on)) {
		sks_hwts_print(ctx, dev, &cur);
		ret = SKS_EXIT_OK;
		goto out;
	}
	/* Ours to change: the default (off), or what "on" sets. */
	if (!force && !sks_hwts_is(&cur, false) && !sks_hwts_is(&cur, true)) {
		fprintf(stderr,
			"skbstamp: %s has a timestamping configuration set by someone else (tx type %d, rx filter %d); add 'force' to replace it\n",
			dev, cur.tx_type, cur.rx_filter);
		goto out;
	}
	want.tx_type = on ? HWTSTAMP_TX_ON : HWTSTAMP_TX_OFF;
	want.rx_filter = on ? HWTSTAMP_FILTER_ALL : HWTSTAMP_FILTER_NONE;
	if (sks_hwts_ioctl(fd, dev, SIOCSHWTSTAMP, &want)) {
		fprintf(stderr, "skbstamp: setting hardware timestamping on %s: %s%s\n", dev,
			strerror(errno), errno == EPERM ? " (CAP_NET_ADMIN is required)" : "");
		goto out;
	}
	/* The driver reports what it really set (it may widen rx_filter). */
	sks_hwts_print(ctx, dev, &want);
	ret = SKS_EXIT_OK;
out:
	close(fd);
	return ret;
}
