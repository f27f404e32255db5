// SPDX-License-Identifier: GPL-2.0
/*
 * sks-bench: the benchmark's own workloads (make bench, bench/guest.sh).
 *
 *   rr-server tcp|udp ADDR PORT
 *   rr-client tcp|udp ADDR PORT SECONDS [tstamp]
 *	one-byte request/response.  With "tstamp" the client does what an
 *	application timing its own packets does: SO_TIMESTAMPING for the
 *	sched, software and (TCP) ACK stages with OPT_ID, a CLOCK_MONOTONIC
 *	read around each send call, and the error queue read after every
 *	transaction.
 *   rr-marked tcp|udp ADDR PORT WARMUP N DIR K
 *	the cost ledger's window (bench/ledger.sh): WARMUP transactions,
 *	then DIR/mark-K, N transactions, DIR/mark-K+1, each mark waiting
 *	for the profiler's DIR/ack-K before going on.
 *   churn-server ADDR PORT
 *   churn-client ADDR PORT SECONDS
 *	connection churn: each connection sends one byte and is closed.
 *   udp-sink ADDR PORT
 *   udp-flood ADDR PORT RATE SECONDS
 *	one-byte datagrams paced at RATE per second.
 *
 * Servers run until killed.  Clients print one JSON line:
 * {"ops": N, "seconds": S, "rate": N/S, ...}.  IPv4 only.  The rr and
 * churn clients add "cpu": two sks-cpu.h snapshots [MONO, IDLE, NCPU,
 * RUN] taken just before the first transaction and just after the last,
 * RUN being the run time of the process $SKS_BENCH_COLLECTOR names, so
 * that bench/guest.sh's window can leave the client's start out.
 * Exit codes: 0 ok, 1 usage, 2 runtime error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include "sks-cpu.h"

#define SKS_EXIT_USAGE		1
#define SKS_EXIT_RUNTIME	2
#define NSEC_PER_SEC		1000000000ULL

static void help(void)
{
	fprintf(stderr,
		"Usage: sks-bench rr-server tcp|udp ADDR PORT\n"
		"       sks-bench rr-client tcp|udp ADDR PORT SECONDS [tstamp]\n"
		"       sks-bench rr-marked tcp|udp ADDR PORT WARMUP N DIR K\n"
		"       sks-bench churn-server ADDR PORT\n"
		"       sks-bench churn-client ADDR PORT SECONDS\n"
		"       sks-bench udp-sink ADDR PORT\n"
		"       sks-bench udp-flood ADDR PORT RATE SECONDS\n");
	exit(SKS_EXIT_USAGE);
}

static void fail(const char *what)
{
	fprintf(stderr, "sks-bench: %s: %s\n", what, strerror(errno));
	exit(SKS_EXIT_RUNTIME);
}

static struct sks_cpu cpu0, cpu1;

static void snap(struct sks_cpu *c)
{
	sks_cpu_snap(c, getenv("SKS_BENCH_COLLECTOR"));
}

/* ", \"cpu\": [[...], [...]]" for the JSON line. */
static void print_cpu(void)
{
	printf(", \"cpu\": [[%llu, %llu, %ld, %llu], [%llu, %llu, %ld, %llu]]",
	       (unsigned long long)cpu0.mono, (unsigned long long)cpu0.idle,
	       cpu0.ncpu, (unsigned long long)cpu0.run,
	       (unsigned long long)cpu1.mono, (unsigned long long)cpu1.idle,
	       cpu1.ncpu, (unsigned long long)cpu1.run);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static double num(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v <= 0)
		help();
	return v;
}

static struct sockaddr_in addr_of(const char *a, const char *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, a, &sin.sin_addr) != 1)
		help();
	sin.sin_port = htons((uint16_t)num(port));
	return sin;
}

static int sock_of(int type)
{
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int listener(int type, const struct sockaddr_in *sin)
{
	int fd = sock_of(type);

	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		fail("bind");
	if (type == SOCK_STREAM && listen(fd, 1024))
		fail("listen");
	return fd;
}

static int connected(int type, const struct sockaddr_in *sin)
{
	int fd = sock_of(type);

	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		fail("connect");
	return fd;
}

static void rr_server(bool tcp, const struct sockaddr_in *sin)
{
	int lfd = listener(tcp ? SOCK_STREAM : SOCK_DGRAM, sin), fd, one = 1;
	struct sockaddr_storage peer;
	socklen_t plen;
	char buf[2048];
	ssize_t n;

	if (!tcp) {
		for (;;) {
			plen = sizeof(peer);
			n = recvfrom(lfd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&peer, &plen);
			if (n > 0)
				sendto(lfd, buf, n, 0,
				       (struct sockaddr *)&peer, plen);
		}
	}
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				break;
		close(fd);
	}
}

/* Read every timestamp the error queue holds; returns how many. */
static unsigned int drain_errqueue(int fd)
{
	char ctrl[512], data[64];
	unsigned int stamps = 0;
	struct cmsghdr *cm;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctrl;
		msg.msg_controllen = sizeof(ctrl);
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return stamps;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_TIMESTAMPING)
				stamps++;
	}
}

static void rr_client(bool tcp, const struct sockaddr_in *sin, double secs,
		      bool tstamp)
{
	int fd = connected(tcp ? SOCK_STREAM : SOCK_DGRAM, sin);
	uint64_t t0, end, ops = 0, stamps = 0, sendmsg_ns = 0, t;
	unsigned int flags;
	char c = 'x';

	if (tstamp) {
		flags = SOF_TIMESTAMPING_TX_SCHED | SOF_TIMESTAMPING_TX_SOFTWARE |
			SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
			SOF_TIMESTAMPING_OPT_TSONLY;
		if (tcp)
			flags |= SOF_TIMESTAMPING_TX_ACK;
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags,
			       sizeof(flags)))
			fail("SO_TIMESTAMPING");
	}
	snap(&cpu0);
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * NSEC_PER_SEC);
	do {
		t = tstamp ? now_ns() : 0;
		if (send(fd, &c, 1, 0) != 1)
			fail("send");
		if (tstamp)
			sendmsg_ns += now_ns() - t;
		if (recv(fd, &c, 1, 0) != 1)
			fail("recv");
		if (tstamp)
			stamps += drain_errqueue(fd);
		ops++;
	} while (now_ns() < end);
	t = now_ns() - t0;
	snap(&cpu1);
	printf("{\"ops\": %llu, \"seconds\": %.6f, \"rate\": %.1f, \"stamps\": %llu",
	       (unsigned long long)ops, t / 1e9, ops * 1e9 / t,
	       (unsigned long long)stamps);
	print_cpu();
	printf("}\n");
	close(fd);
}

/* Create DIR/mark-@n and wait for the profiler's DIR/ack-@n. */
static void wait_mark(const char *dir, unsigned int n)
{
	const struct timespec tick = { 0, 1000000 };
	char path[4096];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/mark-%u", dir, n);
	f = fopen(path, "w");
	if (!f || fclose(f))
		fail(path);
	snprintf(path, sizeof(path), "%s/ack-%u", dir, n);
	while (stat(path, &st))
		nanosleep(&tick, NULL);
}

static void rr_marked(bool tcp, const struct sockaddr_in *sin,
		      unsigned long warmup, unsigned long n, const char *dir,
		      unsigned int k)
{
	const struct timespec settle = { 0, 100000000 };
	int fd = connected(tcp ? SOCK_STREAM : SOCK_DGRAM, sin);
	unsigned long i;
	char c = 'x';

	for (i = 0; i < warmup + n; i++) {
		if (i == warmup)
			wait_mark(dir, k);
		if (send(fd, &c, 1, 0) != 1)
			fail("send");
		if (recv(fd, &c, 1, 0) != 1)
			fail("recv");
	}
	/* Idle a moment: the work the window caused (drains) is done. */
	nanosleep(&settle, NULL);
	wait_mark(dir, k + 1);
	printf("{\"ops\": %lu}\n", n);
	close(fd);
}

static void churn_server(const struct sockaddr_in *sin)
{
	int lfd = listener(SOCK_STREAM, sin), fd;
	char buf[64];

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

static void churn_client(const struct sockaddr_in *sin, double secs)
{
	uint64_t t0, end, ops = 0, t;
	char c = 'x';
	int fd;

	snap(&cpu0);
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * NSEC_PER_SEC);
	do {
		fd = connected(SOCK_STREAM, sin);
		if (send(fd, &c, 1, 0) != 1)
			fail("send");
		shutdown(fd, SHUT_WR);
		/* the server closes once it has read everything */
		while (read(fd, &c, 1) > 0)
			;
		close(fd);
		ops++;
	} while (now_ns() < end);
	t = now_ns() - t0;
	snap(&cpu1);
	printf("{\"ops\": %llu, \"seconds\": %.6f, \"rate\": %.1f",
	       (unsigned long long)ops, t / 1e9, ops * 1e9 / t);
	print_cpu();
	printf("}\n");
}

static void udp_sink(const struct sockaddr_in *sin)
{
	int fd = listener(SOCK_DGRAM, sin);
	char buf[2048];

	for (;;)
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
			fail("recv");
}

static void udp_flood(const struct sockaddr_in *sin, double rate, double secs)
{
	int fd = connected(SOCK_DGRAM, sin);
	uint64_t t0 = now_ns(), ops = 0, due, t, gap = NSEC_PER_SEC / rate;
	uint64_t end = t0 + (uint64_t)(secs * NSEC_PER_SEC);
	struct timespec ts;
	char c = 'x';

	for (;;) {
		due = t0 + ops * gap;
		if (due >= end)
			break;
		t = now_ns();
		if (t < due) {
			ts.tv_sec = due / NSEC_PER_SEC;
			ts.tv_nsec = due % NSEC_PER_SEC;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL);
		}
		if (send(fd, &c, 1, 0) != 1 && errno != ENOBUFS &&
		    errno != ECONNREFUSED)
			fail("send");
		ops++;
	}
	t = now_ns() - t0;
	printf("{\"ops\": %llu, \"seconds\": %.6f, \"rate\": %.1f}\n",
	       (unsigned long long)ops, t / 1e9, ops * 1e9 / t);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	const char *cmd;
	bool tcp;

	if (argc < 4)
		help();
	cmd = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "rr-marked") && argc == 9) {
		tcp = !strcmp(argv[2], "tcp");
		if (!tcp && strcmp(argv[2], "udp"))
			help();
		sin = addr_of(argv[3], argv[4]);
		rr_marked(tcp, &sin, num(argv[5]), num(argv[6]), argv[7],
			  num(argv[8]));
		return 0;
	}
	if (!strcmp(cmd, "rr-server") || !strcmp(cmd, "rr-client")) {
		if (argc < 5)
			help();
		tcp = !strcmp(argv[2], "tcp");
		if (!tcp && strcmp(argv[2], "udp"))
			help();
		sin = addr_of(argv[3], argv[4]);
		if (!strcmp(cmd, "rr-server"))
			rr_server(tcp, &sin);
		if (argc < 6 || argc > 7 ||
		    (argc == 7 && strcmp(argv[6], "tstamp")))
			help();
		rr_client(tcp, &sin, num(argv[5]), argc == 7);
		return 0;
	}
	sin = addr_of(argv[2], argv[3]);
	if (!strcmp(cmd, "churn-server"))
		churn_server(&sin);
	else if (!strcmp(cmd, "udp-sink"))
		udp_sink(&sin);
	else if (!strcmp(cmd, "churn-client") && argc == 5)
		churn_client(&sin, num(argv[4]));
	else if (!strcmp(cmd, "udp-flood") && argc == 6)
		udp_flood(&sin, num(argv[4]), num(argv[5]));
	else
		help();
	return 0;
}
