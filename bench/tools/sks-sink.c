// SPDX-License-Identifier: GPL-2.0
/*
 * sks-sink: a collector that keeps nothing, to measure what skbstamp's
 * records mode costs without a formatter (bench/guest.sh, configuration
 * 11).  It joins the "records" multicast group, reads every batch and
 * counts its records, and prints "records N batches M bytes B overflows
 * O" to standard error on SIGUSR1 and when it ends (SIGINT, SIGTERM).
 * It prints "listening for records" once it is a member, as the tool's
 * monitor does.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/skbstamp.h>

static volatile sig_atomic_t stop, report;
static unsigned long long records, batches, bytes, overflows;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_report(int sig)
{
	(void)sig;
	report = 1;
}

static void show(void)
{
	fprintf(stderr, "records %llu batches %llu bytes %llu overflows %llu\n",
		records, batches, bytes, overflows);
}

/* Count the records of every SKBSTAMP_CMD_RECORDS message in buf. */
static void count(void *buf, int len)
{
	struct nlmsghdr *nh;

	for (nh = buf; nlmsg_ok(nh, len); nh = nlmsg_next(nh, &len)) {
		struct genlmsghdr *gh = nlmsg_data(nh);
		struct nlattr *attrs, *size, *recs;
		int alen;

		if (nh->nlmsg_type < NLMSG_MIN_TYPE ||
		    gh->cmd != SKBSTAMP_CMD_RECORDS)
			continue;
		batches++;
		attrs = genlmsg_attrdata(gh, 0);
		alen = genlmsg_attrlen(gh, 0);
		size = nla_find(attrs, alen, SKBSTAMP_A_RECORD_SIZE);
		recs = nla_find(attrs, alen, SKBSTAMP_A_RECORDS);
		if (size && recs && nla_get_u32(size))
			records += nla_len(recs) / nla_get_u32(size);
	}
}

int main(void)
{
	static char buf[1 << 17];
	struct nl_sock *sk = nl_socket_alloc();
	struct sigaction sa = { 0 };
	int grp, fd, rcvbuf = 32 << 20;
	ssize_t n;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "sks-sink: no generic netlink socket\n");
		return 2;
	}
	grp = genl_ctrl_resolve_grp(sk, SKBSTAMP_GENL_NAME,
				    SKBSTAMP_MCGRP_RECORDS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		fprintf(stderr, "sks-sink: cannot join the records group (module not loaded?)\n");
		return 2;
	}
	fd = nl_socket_get_fd(sk);
	/* the tool's monitor asks for the same */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	sa.sa_handler = on_stop;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_report;
	sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "listening for records\n");
	while (!stop) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			bytes += n;
			count(buf, n);
		} else if (n < 0 && errno == ENOBUFS) {
			/* the module counts the batches as dropped_send */
			overflows++;
		} else if (n < 0 && errno != EINTR) {
			perror("sks-sink: recv");
			return 2;
		}
		if (report) {
			report = 0;
			show();
		}
	}
	show();
	return 0;
}
