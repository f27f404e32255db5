// SPDX-License-Identifier: GPL-2.0
/*
 * sks-sink: a collector that keeps nothing, to measure what skbstamp's
 * records mode costs without a formatter (bench/guest.sh, configuration
 * 11).  It joins the "records" multicast group, reads every batch and
 * counts its records, and prints "records N batches M bytes B" to
 * standard error on SIGUSR1 and when it ends (SIGINT, SIGTERM).  It
 * prints "listening for records" once it is a member, as the tool's
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
static unsigned long long records, batches, bytes;

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
	fprintf(stderr, "records %llu batches %llu bytes %llu\n",
		records, batches, bytes);
}

/* Count the records of every SKBSTAMP_CMD_RECORDS message in buf. */
static void count(const char *buf, size_t len)
{
	const struct nlmsghdr *nh = (const void *)buf;
	const struct nlattr *a;
	uint32_t recsz, reclen;
	int rem;

	for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		const struct genlmsghdr *gh = NLMSG_DATA(nh);

		if (nh->nlmsg_type < NLMSG_MIN_TYPE ||
		    gh->cmd != SKBSTAMP_CMD_RECORDS)
			continue;
		batches++;
		recsz = 0;
		reclen = 0;
		a = (const void *)((const char *)gh + GENL_HDRLEN);
		rem = (int)nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		while (rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= rem) {
			int type = a->nla_type & NLA_TYPE_MASK;

			if (type == SKBSTAMP_A_RECORD_SIZE)
				memcpy(&recsz, (const char *)a + NLA_HDRLEN,
				       sizeof(recsz));
			else if (type == SKBSTAMP_A_RECORDS)
				reclen = a->nla_len - NLA_HDRLEN;
			rem -= NLA_ALIGN(a->nla_len);
			a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
		}
		if (recsz)
			records += reclen / recsz;
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
		} else if (n < 0 && errno != EINTR && errno != ENOBUFS) {
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
