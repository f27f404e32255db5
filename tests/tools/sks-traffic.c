// SPDX-License-Identifier: GPL-2.0
/*
 * sks-traffic: small, fast-starting traffic generator for skbstamp tests.
 *
 * The in-guest tests need TCP and UDP senders and receivers that start in
 * milliseconds (python3 over 9p in a TCG guest takes seconds) and that can
 * play an application using SO_TIMESTAMPING itself, to check that skbstamp
 * does not change what such an application gets on its error queue.
 *
 * The servers accept one connection (TCP) or a number of datagrams (UDP)
 * and print what they received as one JSON line.  The clients send a list
 * of sizes, one send call each, and print one JSON line with the calls,
 * whether poll() ever reported POLLERR and every error queue message in
 * arrival order.  See sks_help() for the command line.
 *
 * Exit codes: 0 ok, 1 usage, 2 runtime error (message on stderr).
 */
#define _GNU_SOURCE	/* splice() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/udp.h>

/* Older uapi headers lack some of these. */
#ifndef SO_EE_ORIGIN_TIMESTAMPING
#define SO_EE_ORIGIN_TIMESTAMPING	4
#endif
#ifndef SCM_TSTAMP_SND
#define SCM_TSTAMP_SND		0
#define SCM_TSTAMP_SCHED	1
#define SCM_TSTAMP_ACK		2
#endif
#ifndef SO_TIMESTAMPING_NEW
#define SO_TIMESTAMPING_NEW	65
#endif
#ifndef SCM_TIMESTAMPING_OPT_STATS
#define SCM_TIMESTAMPING_OPT_STATS	54
#endif
/* The kernel's helpers, for a userspace file in the kernel's style. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1u << (n))

/* Added in Linux 6.2; older kernels reject it with EINVAL. */
#define SKS_TS_OPT_ID_TCP	BIT(16)

#define SKS_EXIT_USAGE		1
#define SKS_EXIT_RUNTIME	2

#define SKS_MAX_SIZE		(16u << 20)	/* largest single send */
#define SKS_MAX_CALLS		1000000u
#define SKS_TCP_QUIET_MS	500	/* end: wait for late ACK timestamps */
#define SKS_UDP_QUIET_MS	200
#define SKS_END_MAX_MS		10000	/* end: give up even if they go on */
#define SKS_EOF_TIMEOUT_MS	10000	/* tcp-client: wait for server close */

static const char *sks_prog = "sks-traffic";

static void sks_help(FILE *f)
{
	fprintf(f,
		"usage: %s SUBCOMMAND ARGS...\n"
		"\n"
		"  tcp-server ADDR PORT [count BYTES] [timeout MS] [splice]\n"
		"             [zerocopy] [--ready-file PATH]\n"
		"      listen (SO_REUSEADDR), accept ONE connection, read until EOF or\n"
		"      BYTES read, close, print {\"received\":N}.  splice: take the\n"
		"      data out with splice() to a pipe (then drained), not recv().\n"
		"      zerocopy: map it with TCP_ZEROCOPY_RECEIVE, recv() what cannot\n"
		"      be mapped, until EOF; then also print {\"mapped\":M}.\n"
		"  udp-server ADDR PORT count N [timeout MS] [rcvbuf B] [gro]\n"
		"             [--ready-file PATH]\n"
		"      bind, receive N datagrams, print {\"received\":N,\"bytes\":B,\n"
		"      \"reads\":R}: R receive calls.  gro sets UDP_GRO: datagrams GRO\n"
		"      merged come in one call, counted by the size its cmsg gives.\n"
		"      timeout: stop when MS pass without a datagram (default: never).\n"
		"  Servers print \"listening\" on stderr once ready, and create PATH\n"
		"  if --ready-file is given.  tcp-server timeout bounds each wait.\n"
		"\n"
		"  tcp-client ADDR PORT [SIZES] [gap-us U] [nodelay] [tstamp FLAGS]\n"
		"             [cmsg FLAGS] [quiet-ms MS] [timeout MS] [dstopts]\n"
		"             [zerocopy]\n"
		"      connect, send each size with one send call, shut down writing,\n"
		"      wait for the server to close (at most timeout MS, default %d).\n"
		"      zerocopy: MSG_ZEROCOPY sends (SO_ZEROCOPY) from page-aligned\n"
		"      data; their completions are not reported.\n"
		"  udp-client ADDR PORT [SIZES] [gap-us U] [connect] [more]\n"
		"             [tstamp FLAGS] [cmsg FLAGS] [quiet-ms MS] [gso G]\n"
		"             [dstopts]\n"
		"      send each size as one datagram with sendto (send after\n"
		"      connect() with 'connect').  With 'more' each datagram is built\n"
		"      from two sendmsg calls: the first half with MSG_MORE, then the\n"
		"      rest without.  gso G sets UDP_SEGMENT: the kernel cuts each\n"
		"      send into datagrams of G bytes (the last one shorter).\n"
		"\n"
		"  tcp-churn-server ADDR PORT count N [timeout MS] [--ready-file PATH]\n"
		"      listen, and serve N connections (several at a time): read each\n"
		"      until EOF, then close it.  Prints {\"connections\":C,\n"
		"      \"received\":BYTES}; timeout: stop when MS pass without an event.\n"
		"  tcp-churn ADDR PORT count N [size S] [wait] [timeout MS]\n"
		"      N short connections, one after the other, each: connect, one\n"
		"      send of S bytes (default 10), close; with 'wait', shut down\n"
		"      writing and read until the server closes (at most timeout MS)\n"
		"      before closing.  Prints {\"connections\":N,\"sent\":BYTES}.\n"
		"  udp-churn ADDR PORT count N [size S]\n"
		"      N short-lived UDP sockets, one after the other, each sending one\n"
		"      datagram of S bytes (default 10) with sendto, then closed.\n"
		"      Prints {\"sockets\":N,\"sent\":BYTES}.\n"
		"  udp-server's rcvbuf B forces its receive buffer to B bytes.\n"
		"  SIZES is 'sizes S1,S2,...' or 'size S [count N]' (default: size\n"
		"  1000).  gap-us sleeps U microseconds between send calls.  nodelay\n"
		"  sets TCP_NODELAY.  dstopts (IPv6) puts an 8-byte destination\n"
		"  options header (PadN) in every packet the client sends.\n"
		"\n"
		"  tstamp FLAGS sets SO_TIMESTAMPING before the first send (TCP: after\n"
		"  connect, as opt_id needs a connected socket).  cmsg FLAGS passes\n"
		"  FLAGS as an SO_TIMESTAMPING control message on every send call\n"
		"  instead; only tx_* flags are allowed there, the reporting flags\n"
		"  (software, raw_hardware, opt_id, opt_tsonly...) must still be set\n"
		"  with 'tstamp', the kernel takes them only from the socket option.\n"
		"  FLAGS is a comma list of: tx_sched tx_software tx_hardware tx_ack\n"
		"  rx_software rx_hardware software raw_hardware opt_id opt_id_tcp\n"
		"  opt_tsonly opt_tx_swhw opt_stats opt_cmsg opt_pktinfo.  The kernel\n"
		"  wants opt_stats with opt_tsonly, and opt_id_tcp (6.2+) with opt_id.\n"
		"\n"
		"  Clients print one JSON line:\n"
		"    {\"sent\":BYTES,\"calls\":[{\"len\":L}...],\"pollerr\":BOOL,\n"
		"     \"errqueue\":[{\"type\":\"sched|snd|ack\",\"key\":K,\"hw\":BOOL,\n"
		"     \"sw\":BOOL}...]}\n"
		"  A MSG_MORE call is {\"len\":L,\"more\":true}.  After every send, and\n"
		"  at the end, poll(events=0) is checked for POLLERR and the error\n"
		"  queue is drained without blocking.  At the end the client goes on\n"
		"  until quiet-ms pass without a message (default TCP %d, UDP %d).\n"
		"  key is ee_data (meaningful with opt_id), sw/hw say whether ts[0]/\n"
		"  ts[2] of the timestamping cmsg were nonzero.  Other error queue\n"
		"  messages appear as {\"type\":\"other\",\"origin\":O,\"errno\":E}.\n"
		"  POLLERR with an empty error queue is a pending socket error (say\n"
		"  ECONNREFUSED on a connected UDP socket): it is read with SO_ERROR,\n"
		"  which clears it, and printed on stderr.\n"
		"\n"
		"  ADDR is IPv4 dotted or IPv6.  Exit: 0 ok, 1 usage, 2 runtime error.\n",
		sks_prog, SKS_EOF_TIMEOUT_MS, SKS_TCP_QUIET_MS, SKS_UDP_QUIET_MS);
}

static _Noreturn void usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", sks_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", sks_prog);
	exit(SKS_EXIT_USAGE);
}

/* Runtime error: with errno's text when err is nonzero. */
static _Noreturn void die(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", sks_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(SKS_EXIT_RUNTIME);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die(ENOMEM, "realloc");
	return p;
}

/* Monotonic clock in milliseconds. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(unsigned long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (us % 1000000) * 1000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* ----- command line ----- */

/* Keywords; each subcommand accepts a subset. */
enum {
	K_COUNT		= 1 << 0,
	K_TIMEOUT	= 1 << 1,
	K_SIZES		= 1 << 2,
	K_SIZE		= 1 << 3,
	K_GAP		= 1 << 4,
	K_NODELAY	= 1 << 5,
	K_CONNECT	= 1 << 6,
	K_MORE		= 1 << 7,
	K_TSTAMP	= 1 << 8,
	K_CMSG		= 1 << 9,
	K_QUIET		= 1 << 10,
	K_READY		= 1 << 11,
	K_GSO		= 1 << 12,
	K_RCVBUF	= 1 << 13,
	K_WAIT		= 1 << 14,
	K_DSTOPTS	= 1 << 15,
	K_GRO		= 1 << 16,
	K_SPLICE	= 1 << 17,
	K_ZEROCOPY	= 1 << 18,
};

struct sks_opts {
	bool tcp;
	struct sockaddr_storage sa;
	socklen_t salen;
	unsigned int given;		/* K_* seen */
	unsigned long long count;
	long timeout_ms;		/* -1: none */
	size_t *sizes;
	unsigned int nsizes;
	unsigned long size;
	unsigned long gap_us;
	unsigned int tstamp;		/* SO_TIMESTAMPING option */
	unsigned int cmsg;		/* SO_TIMESTAMPING cmsg */
	long quiet_ms;
	const char *ready_file;
	int gso;			/* UDP_SEGMENT size, 0: none */
	int rcvbuf;			/* SO_RCVBUFFORCE, 0: default */
	bool wait_close;		/* tcp-churn: wait for the server's close */
};

static const struct {
	const char *name;
	unsigned int flag;
} sks_tsflags[] = {
	{ "tx_hardware",	SOF_TIMESTAMPING_TX_HARDWARE },
	{ "tx_software",	SOF_TIMESTAMPING_TX_SOFTWARE },
	{ "rx_hardware",	SOF_TIMESTAMPING_RX_HARDWARE },
	{ "rx_software",	SOF_TIMESTAMPING_RX_SOFTWARE },
	{ "software",		SOF_TIMESTAMPING_SOFTWARE },
	{ "raw_hardware",	SOF_TIMESTAMPING_RAW_HARDWARE },
	{ "opt_id",		SOF_TIMESTAMPING_OPT_ID },
	{ "tx_sched",		SOF_TIMESTAMPING_TX_SCHED },
	{ "tx_ack",		SOF_TIMESTAMPING_TX_ACK },
	{ "opt_cmsg",		SOF_TIMESTAMPING_OPT_CMSG },
	{ "opt_tsonly",		SOF_TIMESTAMPING_OPT_TSONLY },
	{ "opt_stats",		SOF_TIMESTAMPING_OPT_STATS },
	{ "opt_pktinfo",	SOF_TIMESTAMPING_OPT_PKTINFO },
	{ "opt_tx_swhw",	SOF_TIMESTAMPING_OPT_TX_SWHW },
	{ "opt_id_tcp",		SKS_TS_OPT_ID_TCP },
};

#define SKS_TX_RECORD	(SOF_TIMESTAMPING_TX_HARDWARE | \
			 SOF_TIMESTAMPING_TX_SOFTWARE | \
			 SOF_TIMESTAMPING_TX_SCHED | \
			 SOF_TIMESTAMPING_TX_ACK)

static unsigned int parse_tsflags(const char *kw, const char *s)
{
	unsigned int flags = 0;
	char *copy, *tok, *save = NULL;
	size_t i;

	copy = strdup(s);
	if (!copy)
		die(ENOMEM, "strdup");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(sks_tsflags); i++)
			if (!strcmp(tok, sks_tsflags[i].name))
				break;
		if (i == ARRAY_SIZE(sks_tsflags))
			usage_err("%s: unknown flag '%s'", kw, tok);
		flags |= sks_tsflags[i].flag;
	}
	free(copy);
	if (!flags)
		usage_err("%s: empty flag list", kw);
	return flags;
}

static unsigned long long parse_num(const char *kw, const char *s,
				    unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		usage_err("%s: bad number '%s'", kw, s);
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		usage_err("%s: bad number '%s' (at most %llu)", kw, s, max);
	return v;
}

static void parse_sizes(struct sks_opts *o, const char *s)
{
	const char *p = s;
	char num[32];
	size_t n;

	while (*p) {
		n = strcspn(p, ",");
		if (!n || n >= sizeof(num))
			usage_err("sizes: bad list '%s'", s);
		memcpy(num, p, n);
		num[n] = '\0';
		if (o->nsizes >= SKS_MAX_CALLS)
			usage_err("sizes: more than %u", SKS_MAX_CALLS);
		o->sizes = xrealloc(o->sizes, (o->nsizes + 1) * sizeof(*o->sizes));
		o->sizes[o->nsizes++] = parse_num("sizes", num, SKS_MAX_SIZE);
		p += n;
		if (*p == ',' && !*++p)
			usage_err("sizes: bad list '%s'", s);
	}
	if (!o->nsizes)
		usage_err("sizes: empty list");
}

static void parse_addr(struct sks_opts *o, const char *addr, const char *port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&o->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&o->sa;
	uint16_t p = parse_num("PORT", port, 65535);

	memset(&o->sa, 0, sizeof(o->sa));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		o->salen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		o->salen = sizeof(*sin6);
	} else {
		usage_err("bad address '%s' (IPv4 dotted or IPv6)", addr);
	}
}

/* Parse "ADDR PORT keyword..." into o, allowing the keywords in allowed. */
static void parse_args(struct sks_opts *o, int argc, char **argv,
		       unsigned int allowed)
{
	static const struct {
		const char *name;
		unsigned int key;
		bool value;
	} kws[] = {
		{ "count",		K_COUNT,	true },
		{ "timeout",		K_TIMEOUT,	true },
		{ "sizes",		K_SIZES,	true },
		{ "size",		K_SIZE,		true },
		{ "gap-us",		K_GAP,		true },
		{ "nodelay",		K_NODELAY,	false },
		{ "connect",		K_CONNECT,	false },
		{ "more",		K_MORE,		false },
		{ "tstamp",		K_TSTAMP,	true },
		{ "cmsg",		K_CMSG,		true },
		{ "quiet-ms",		K_QUIET,	true },
		{ "--ready-file",	K_READY,	true },
		{ "gso",		K_GSO,		true },
		{ "rcvbuf",		K_RCVBUF,	true },
		{ "wait",		K_WAIT,		false },
		{ "dstopts",		K_DSTOPTS,	false },
		{ "gro",		K_GRO,		false },
		{ "splice",		K_SPLICE,	false },
		{ "zerocopy",		K_ZEROCOPY,	false },
	};
	const char *kw, *val;
	unsigned int k;
	int i;

	if (argc < 2)
		usage_err("ADDR and PORT needed");
	parse_addr(o, argv[0], argv[1]);
	for (i = 2; i < argc; i++) {
		kw = argv[i];
		for (k = 0; k < ARRAY_SIZE(kws); k++)
			if (!strcmp(kw, kws[k].name))
				break;
		if (k == ARRAY_SIZE(kws) || !(kws[k].key & allowed))
			usage_err("unexpected argument '%s'", kw);
		if (o->given & kws[k].key)
			usage_err("'%s' given twice", kw);
		o->given |= kws[k].key;
		val = NULL;
		if (kws[k].value) {
			if (++i == argc)
				usage_err("'%s' needs a value", kw);
			val = argv[i];
		}
		switch (kws[k].key) {
		case K_COUNT:
			o->count = parse_num(kw, val, ULLONG_MAX);
			break;
		case K_TIMEOUT:
			o->timeout_ms = parse_num(kw, val, INT_MAX);
			break;
		case K_SIZES:
			parse_sizes(o, val);
			break;
		case K_SIZE:
			o->size = parse_num(kw, val, SKS_MAX_SIZE);
			break;
		case K_GAP:
			o->gap_us = parse_num(kw, val, 60000000);
			break;
		case K_TSTAMP:
			o->tstamp = parse_tsflags(kw, val);
			break;
		case K_CMSG:
			o->cmsg = parse_tsflags(kw, val);
			if (o->cmsg & ~SKS_TX_RECORD)
				usage_err("cmsg: only tx_* flags are allowed (set the others with tstamp)");
			break;
		case K_QUIET:
			o->quiet_ms = parse_num(kw, val, 600000);
			break;
		case K_READY:
			o->ready_file = val;
			break;
		case K_GSO:
			o->gso = parse_num(kw, val, 65000);
			break;
		case K_RCVBUF:
			o->rcvbuf = parse_num(kw, val, 1 << 30);
			break;
		case K_WAIT:
			o->wait_close = true;
			break;
		case K_DSTOPTS:
			if (o->sa.ss_family != AF_INET6)
				usage_err("dstopts: an IPv6 address only");
			break;
		}
	}

	/* Clients: turn 'size S count N' into the list of sizes. */
	if (allowed & K_SIZES) {
		if ((o->given & K_SIZES) && (o->given & (K_SIZE | K_COUNT)))
			usage_err("'sizes' excludes 'size' and 'count'");
		if ((o->given & K_COUNT) && !(o->given & K_SIZE))
			usage_err("'count' needs 'size'");
		if (!(o->given & K_SIZES)) {
			if (!(o->given & K_SIZE))
				o->size = 1000;
			if (!(o->given & K_COUNT))
				o->count = 1;
			if (o->count > SKS_MAX_CALLS)
				usage_err("count: at most %u", SKS_MAX_CALLS);
			o->nsizes = o->count;
			o->sizes = xrealloc(NULL, (o->nsizes + 1) * sizeof(*o->sizes));
			for (k = 0; k < o->nsizes; k++)
				o->sizes[k] = o->size;
		}
	}
}

/* ----- servers ----- */

static int sks_socket(const struct sks_opts *o)
{
	int fd = socket(o->sa.ss_family, o->tcp ? SOCK_STREAM : SOCK_DGRAM, 0);

	if (fd < 0)
		die(errno, "socket");
	return fd;
}

static void server_ready(const struct sks_opts *o)
{
	int fd;

	fputs("listening\n", stderr);
	fflush(stderr);
	if (!o->ready_file)
		return;
	fd = open(o->ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(errno, "%s", o->ready_file);
	close(fd);
}

/* Wait for events on fd; false on timeout (timeout_ms < 0: none). */
static bool wait_fd(int fd, short events, long timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms < 0 ? -1 : (int)timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die(errno, "poll");
	return n > 0;
}

static char sks_buf[65536];

/*
 * Take up to @want bytes out of TCP socket @fd without copying them to
 * user space: splice() to the pipe @p, then drained from it.
 */
static ssize_t tcp_splice_recv(int fd, const int *p, size_t want)
{
	ssize_t n = splice(fd, NULL, p[1], NULL, want, SPLICE_F_MOVE), m, left;

	for (left = n; left > 0; left -= m) {
		m = read(p[0], sks_buf, left < (ssize_t)sizeof(sks_buf) ?
			 (size_t)left : sizeof(sks_buf));
		if (m <= 0)
			die(m ? errno : 0, "read from the splice pipe");
	}
	return n;
}

/* recv() up to @want bytes into sks_buf: how many, 0 at EOF. */
static ssize_t tcp_recv(int fd, size_t want)
{
	ssize_t n;

	do {
		n = recv(fd, sks_buf, want, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die(errno, "recv");
	return n;
}

/*
 * Bytes TCP_ZEROCOPY_RECEIVE maps at once: the pages of whole skbs are
 * mapped, the rest (recv_skip_hint) read with recv().
 */
#define SKS_ZC_CHUNK	(1024 * 1024)

/*
 * tcp-server zerocopy: take the data with TCP_ZEROCOPY_RECEIVE, which maps
 * the pages of the data into a mapping of the socket instead of copying
 * them, and recv() what cannot be mapped, until EOF.  Prints
 * {"received":N} and {"mapped":M}, M of the N bytes mapped.
 */
static int tcp_zc_server(struct sks_opts *o, int fd)
{
	unsigned long long got = 0, mapped = 0;
	struct tcp_zerocopy_receive zc;
	socklen_t len;
	size_t want;
	void *addr;
	ssize_t n;

	addr = mmap(NULL, SKS_ZC_CHUNK, PROT_READ, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		die(errno, "mmap of the TCP socket");
	for (;;) {
		if (!wait_fd(fd, POLLIN, o->timeout_ms))
			die(0, "timeout after %llu bytes", got);
		memset(&zc, 0, sizeof(zc));
		zc.address = (uintptr_t)addr;
		zc.length = SKS_ZC_CHUNK;
		len = sizeof(zc);
		/* EIO: the peer closed and nothing is left. */
		if (getsockopt(fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &len)) {
			if (errno == EINTR)
				continue;
			if (errno != EIO)
				die(errno, "TCP_ZEROCOPY_RECEIVE");
			zc.length = 0;
			zc.recv_skip_hint = 0;
		}
		mapped += zc.length;
		got += zc.length;
		if (zc.length)
			continue;
		/* Nothing mapped: read what cannot be (or see the EOF). */
		want = zc.recv_skip_hint ? zc.recv_skip_hint : sizeof(sks_buf);
		if (want > sizeof(sks_buf))
			want = sizeof(sks_buf);
		n = tcp_recv(fd, want);
		if (!n)
			break;
		got += n;
	}
	munmap(addr, SKS_ZC_CHUNK);
	close(fd);
	printf("{\"received\":%llu}\n{\"mapped\":%llu}\n", got, mapped);
	return 0;
}

static int tcp_server(struct sks_opts *o)
{
	unsigned long long got = 0;
	int one = 1;
	int lfd, fd, p[2];
	ssize_t n;
	size_t want;

	lfd = sks_socket(o);
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die(errno, "SO_REUSEADDR");
	if (bind(lfd, (struct sockaddr *)&o->sa, o->salen))
		die(errno, "bind");
	if (listen(lfd, 1))
		die(errno, "listen");
	server_ready(o);

	if (!wait_fd(lfd, POLLIN, o->timeout_ms))
		die(0, "timeout waiting for a connection");
	do {
		fd = accept(lfd, NULL, NULL);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die(errno, "accept");
	close(lfd);
	if ((o->given & K_SPLICE) && pipe(p))
		die(errno, "pipe");
	if (o->given & K_ZEROCOPY)
		return tcp_zc_server(o, fd);

	while (!(o->given & K_COUNT) || got < o->count) {
		want = sizeof(sks_buf);
		if ((o->given & K_COUNT) && o->count - got < want)
			want = o->count - got;
		if (!wait_fd(fd, POLLIN, o->timeout_ms))
			die(0, "timeout after %llu bytes", got);
		if (o->given & K_SPLICE)
			n = tcp_splice_recv(fd, p, want);
		else
			n = tcp_recv(fd, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(errno, "splice");
		if (!n)
			break;
		got += n;
	}
	close(fd);
	printf("{\"received\":%llu}\n", got);
	return 0;
}

/*
 * One receive call: the bytes, and in *@segs how many datagrams they are
 * (UDP_GRO hands datagrams GRO merged over as one buffer, and says their
 * size in a cmsg; the last may be shorter).
 */
static ssize_t udp_recv(int fd, unsigned int *segs)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { sks_buf, sizeof(sks_buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int gso = 0;

	*segs = 1;
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == IPPROTO_UDP && cm->cmsg_type == UDP_GRO)
			memcpy(&gso, CMSG_DATA(cm), sizeof(gso));
	*segs = gso > 0 ? (n + gso - 1) / gso : 1;
	return n;
}

static int udp_server(struct sks_opts *o)
{
	unsigned long long got = 0, bytes = 0, reads = 0;
	unsigned int segs;
	ssize_t n;
	int fd, one = 1;

	if (!(o->given & K_COUNT))
		usage_err("udp-server needs 'count N'");
	fd = sks_socket(o);
	if (o->rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &o->rcvbuf, sizeof(o->rcvbuf)))
		die(errno, "SO_RCVBUFFORCE");
	if ((o->given & K_GRO) &&
	    setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)))
		die(errno, "UDP_GRO");
	if (bind(fd, (struct sockaddr *)&o->sa, o->salen))
		die(errno, "bind");
	server_ready(o);

	while (got < o->count) {
		if (!wait_fd(fd, POLLIN, o->timeout_ms))
			break;
		n = udp_recv(fd, &segs);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			die(errno, "recv");
		got += segs;
		bytes += n;
		reads++;
	}
	close(fd);
	printf("{\"received\":%llu,\"bytes\":%llu,\"reads\":%llu}\n", got, bytes,
	       reads);
	return 0;
}

/* ----- clients ----- */

struct sks_call {
	size_t len;
	bool more;
};

/* One error queue message. */
struct sks_err {
	bool tstamp;		/* a timestamp, else some other error */
	uint32_t type;		/* ee_info: SCM_TSTAMP_* */
	uint32_t key;		/* ee_data */
	bool sw, hw;
	uint8_t origin;		/* not a timestamp: ee_origin and ee_errno */
	uint32_t err;
};

struct sks_client {
	struct sks_opts *o;
	int fd;
	unsigned long long sent;
	struct sks_call *calls;
	unsigned int ncalls;
	struct sks_err *errs;
	unsigned int nerrs;
	bool pollerr;
};

/* Read the three timestamps of a SO_TIMESTAMPING(_OLD/_NEW) cmsg. */
static void parse_tscmsg(struct sks_err *e, struct cmsghdr *cm)
{
	struct scm_timestamping64 t64;
	struct scm_timestamping t;

	if (cm->cmsg_type == SO_TIMESTAMPING_NEW &&
	    cm->cmsg_len >= CMSG_LEN(sizeof(t64))) {
		memcpy(&t64, CMSG_DATA(cm), sizeof(t64));
		e->sw = t64.ts[0].tv_sec || t64.ts[0].tv_nsec;
		e->hw = t64.ts[2].tv_sec || t64.ts[2].tv_nsec;
	} else if (cm->cmsg_len >= CMSG_LEN(sizeof(t))) {
		memcpy(&t, CMSG_DATA(cm), sizeof(t));
		e->sw = t.ts[0].tv_sec || t.ts[0].tv_nsec;
		e->hw = t.ts[2].tv_sec || t.ts[2].tv_nsec;
	}
}

/* Drain the error queue without blocking; returns how many were read. */
static unsigned int drain_errqueue(struct sks_client *c)
{
	union {
		char buf[1024];
		struct cmsghdr align;
	} ctrl;
	struct sock_extended_err serr;
	unsigned int got = 0;
	struct sks_err *e;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	bool have_serr;
	ssize_t n;

	for (;;) {
		iov.iov_base = sks_buf;
		iov.iov_len = sizeof(sks_buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctrl.buf;
		msg.msg_controllen = sizeof(ctrl.buf);
		n = recvmsg(c->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return got;
		if (n < 0)
			die(errno, "recvmsg(MSG_ERRQUEUE)");
		if (msg.msg_flags & MSG_CTRUNC)
			fprintf(stderr, "%s: error queue control data truncated\n",
				sks_prog);

		c->errs = xrealloc(c->errs, (c->nerrs + 1) * sizeof(*c->errs));
		e = &c->errs[c->nerrs++];
		memset(e, 0, sizeof(*e));
		have_serr = false;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    (cm->cmsg_type == SO_TIMESTAMPING_OLD ||
			     cm->cmsg_type == SO_TIMESTAMPING_NEW)) {
				parse_tscmsg(e, cm);
			} else if (((cm->cmsg_level == SOL_IP &&
				     cm->cmsg_type == IP_RECVERR) ||
				    (cm->cmsg_level == SOL_IPV6 &&
				     cm->cmsg_type == IPV6_RECVERR)) &&
				   cm->cmsg_len >= CMSG_LEN(sizeof(serr))) {
				memcpy(&serr, CMSG_DATA(cm), sizeof(serr));
				have_serr = true;
			}
			/* SCM_TIMESTAMPING_OPT_STATS, PKTINFO: not reported */
		}
		/* MSG_ZEROCOPY's completions: not reported. */
		if (have_serr && serr.ee_origin == SO_EE_ORIGIN_ZEROCOPY) {
			c->nerrs--;
			continue;
		}
		if (have_serr && serr.ee_errno == ENOMSG &&
		    serr.ee_origin == SO_EE_ORIGIN_TIMESTAMPING) {
			e->tstamp = true;
			e->type = serr.ee_info;
			e->key = serr.ee_data;
		} else if (have_serr) {
			e->origin = serr.ee_origin;
			e->err = serr.ee_errno;
		}
		got++;
	}
}

/*
 * After a send and at the end: note whether poll() says POLLERR, then
 * drain the error queue.  POLLERR without queued messages is a pending
 * socket error (sk_err); read it, which clears it, and tell.
 */
static void check_errors(struct sks_client *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = 0 };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pfd, 1, 0) < 0 && errno != EINTR)
		die(errno, "poll");
	if (pfd.revents & POLLERR)
		c->pollerr = true;
	if (!drain_errqueue(c) && (pfd.revents & POLLERR)) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			die(errno, "SO_ERROR");
		if (err)
			fprintf(stderr, "%s: socket error: %s\n", sks_prog,
				strerror(err));
	}
}

/*
 * The end: keep checking until quiet_ms pass without a new message (late
 * ACK timestamps), at most SKS_END_MAX_MS.  poll() is not enough to sleep
 * on as a closed TCP socket always reports POLLHUP, so sleep in steps.
 */
static void wait_quiet(struct sks_client *c)
{
	int64_t start = now_ms(), last = start;
	unsigned int seen;

	for (;;) {
		seen = c->nerrs;
		check_errors(c);
		if (c->nerrs != seen)
			last = now_ms();
		if (now_ms() - last >= c->o->quiet_ms ||
		    now_ms() - start >= SKS_END_MAX_MS)
			break;
		sleep_us(2000);
	}
}

static void add_call(struct sks_client *c, size_t len, bool more)
{
	c->calls = xrealloc(c->calls, (c->ncalls + 1) * sizeof(*c->calls));
	c->calls[c->ncalls].len = len;
	c->calls[c->ncalls].more = more;
	c->ncalls++;
}

/*
 * IPV6_DSTOPTS: every packet of the socket carries a destination options
 * header, an extension header the receiver must skip to find TCP or UDP.
 * Eight bytes: next header and length (filled by the kernel), then PadN
 * padding the header out.
 */
static void set_dstopts(int fd)
{
	unsigned char opt[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

	if (setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, opt, sizeof(opt)))
		die(errno, "IPV6_DSTOPTS");
}

/*
 * One sendmsg call, with the SO_TIMESTAMPING cmsg if asked for.  TCP loops
 * on partial sends (each piece carries the cmsg); it still counts as one
 * call.
 */
static void send_one(struct sks_client *c, const char *data, size_t len,
		     int flags, bool to)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctrl;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	uint32_t tsflags = c->o->cmsg;
	size_t done = 0;
	ssize_t n;

	do {
		iov.iov_base = (void *)(data + done);
		iov.iov_len = len - done;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (to) {
			msg.msg_name = &c->o->sa;
			msg.msg_namelen = c->o->salen;
		}
		if (tsflags) {
			memset(&ctrl, 0, sizeof(ctrl));
			msg.msg_control = ctrl.buf;
			msg.msg_controllen = sizeof(ctrl.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SO_TIMESTAMPING;
			cm->cmsg_len = CMSG_LEN(sizeof(tsflags));
			memcpy(CMSG_DATA(cm), &tsflags, sizeof(tsflags));
		}
		n = sendmsg(c->fd, &msg, flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(errno, "sendmsg (call %u, %zu bytes)", c->ncalls, len);
		done += n;
	} while (c->o->tcp && done < len);
	c->sent += done;
	add_call(c, len, flags & MSG_MORE);
}

static void set_tstamp(struct sks_client *c)
{
	int val = c->o->tstamp;

	if (setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPING, &val, sizeof(val)))
		die(errno, "SO_TIMESTAMPING 0x%x", val);
}

/* tcp-client: shut down writing and read until the server closes. */
static void tcp_finish(struct sks_client *c)
{
	long timeout = c->o->given & K_TIMEOUT ? c->o->timeout_ms : SKS_EOF_TIMEOUT_MS;
	int64_t end = now_ms() + timeout;
	int64_t left;
	ssize_t n;

	if (shutdown(c->fd, SHUT_WR))
		die(errno, "shutdown");
	for (;;) {
		left = end - now_ms();
		if (left <= 0 || !wait_fd(c->fd, POLLIN, left))
			die(0, "timeout waiting for the server to close");
		check_errors(c);
		n = recv(c->fd, sks_buf, sizeof(sks_buf), MSG_DONTWAIT);
		if (!n)
			return;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			die(errno, "recv");
	}
}

static void print_report(const struct sks_client *c)
{
	static const char * const types[] = {
		[SCM_TSTAMP_SND] = "snd",
		[SCM_TSTAMP_SCHED] = "sched",
		[SCM_TSTAMP_ACK] = "ack",
	};
	const struct sks_err *e;
	unsigned int i;

	printf("{\"sent\":%llu,\"calls\":[", c->sent);
	for (i = 0; i < c->ncalls; i++)
		printf("%s{\"len\":%zu%s}", i ? "," : "", c->calls[i].len,
		       c->calls[i].more ? ",\"more\":true" : "");
	printf("],\"pollerr\":%s,\"errqueue\":[", c->pollerr ? "true" : "false");
	for (i = 0; i < c->nerrs; i++) {
		e = &c->errs[i];
		if (i)
			putchar(',');
		if (!e->tstamp) {
			printf("{\"type\":\"other\",\"origin\":%u,\"errno\":%u}",
			       e->origin, e->err);
			continue;
		}
		if (e->type < ARRAY_SIZE(types) && types[e->type])
			printf("{\"type\":\"%s\"", types[e->type]);
		else
			printf("{\"type\":\"%u\"", e->type);
		printf(",\"key\":%u,\"hw\":%s,\"sw\":%s}", e->key,
		       e->hw ? "true" : "false", e->sw ? "true" : "false");
	}
	printf("]}\n");
}

static int client(struct sks_opts *o)
{
	struct sks_client c = { .o = o };
	size_t max = 0, half;
	bool connected;
	char *data;
	unsigned int i;
	int one = 1;

	if (!(o->given & K_QUIET))
		o->quiet_ms = o->tcp ? SKS_TCP_QUIET_MS : SKS_UDP_QUIET_MS;
	for (i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > max)
			max = o->sizes[i];
	/*
	 * Page-aligned, so that zerocopy sends (MSG_ZEROCOPY) hand whole
	 * pages to the stack.
	 */
	data = aligned_alloc(4096, (max + 4096) / 4096 * 4096);
	if (!data)
		die(ENOMEM, "data buffer");
	for (i = 0; i < max; i++)
		data[i] = 'a' + i % 26;

	c.fd = sks_socket(o);
	/* TCP refuses OPT_ID before connect; UDP takes it any time. */
	if (o->tstamp && !o->tcp)
		set_tstamp(&c);
	if (o->gso &&
	    setsockopt(c.fd, IPPROTO_UDP, UDP_SEGMENT, &o->gso, sizeof(o->gso)))
		die(errno, "UDP_SEGMENT");
	if (o->given & K_DSTOPTS)
		set_dstopts(c.fd);
	if (o->given & K_NODELAY &&
	    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die(errno, "TCP_NODELAY");
	if (o->given & K_ZEROCOPY &&
	    setsockopt(c.fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		die(errno, "SO_ZEROCOPY");
	connected = o->tcp || (o->given & K_CONNECT);
	if (connected && connect(c.fd, (struct sockaddr *)&o->sa, o->salen))
		die(errno, "connect");
	if (o->tstamp && o->tcp)
		set_tstamp(&c);

	for (i = 0; i < o->nsizes; i++) {
		if (i && o->gap_us)
			sleep_us(o->gap_us);
		if (o->given & K_MORE) {
			half = o->sizes[i] / 2;
			send_one(&c, data, half, MSG_MORE, !connected);
			check_errors(&c);
			send_one(&c, data + half, o->sizes[i] - half, 0,
				 !connected);
		} else {
			send_one(&c, data, o->sizes[i],
				 o->given & K_ZEROCOPY ? MSG_ZEROCOPY : 0,
				 !connected);
		}
		check_errors(&c);
	}
	if (o->tcp)
		tcp_finish(&c);
	wait_quiet(&c);
	close(c.fd);
	print_report(&c);
	free(data);
	free(o->sizes);
	free(c.calls);
	free(c.errs);
	return 0;
}

/* ----- many short-lived sockets ----- */

#define SKS_CHURN_MAX_CONNS	256	/* tcp-churn-server: served at once */
#define SKS_CHURN_SIZE		10

/*
 * tcp-churn-server: accept connections and read each until EOF, several
 * at a time with poll(), until count connections have ended.
 */
static int tcp_churn_server(struct sks_opts *o)
{
	struct pollfd pfd[SKS_CHURN_MAX_CONNS + 1];
	unsigned long long done = 0, got = 0;
	unsigned int nconn = 0, i;
	int one = 1, lfd, fd, n;
	ssize_t r;

	if (!(o->given & K_COUNT))
		usage_err("tcp-churn-server needs 'count N'");
	lfd = sks_socket(o);
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die(errno, "SO_REUSEADDR");
	if (bind(lfd, (struct sockaddr *)&o->sa, o->salen))
		die(errno, "bind");
	if (listen(lfd, 4096))
		die(errno, "listen");
	if (fcntl(lfd, F_SETFL, O_NONBLOCK))
		die(errno, "fcntl");
	server_ready(o);

	while (done < o->count) {
		pfd[0].fd = nconn < SKS_CHURN_MAX_CONNS ? lfd : -1;
		pfd[0].events = POLLIN;
		do {
			n = poll(pfd, nconn + 1, o->timeout_ms < 0 ? -1 : (int)o->timeout_ms);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			die(errno, "poll");
		if (!n)
			break;
		/* The connections first: the array is compacted as they end. */
		for (i = 1; i <= nconn; i++) {
			if (!pfd[i].revents)
				continue;
			r = recv(pfd[i].fd, sks_buf, sizeof(sks_buf), MSG_DONTWAIT);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r < 0)
				die(errno, "recv");
			if (r > 0) {
				got += r;
				continue;
			}
			close(pfd[i].fd);
			done++;
			pfd[i] = pfd[nconn--];
			i--;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		while (nconn < SKS_CHURN_MAX_CONNS) {
			fd = accept(lfd, NULL, NULL);
			if (fd < 0 && errno == EINTR)
				continue;
			if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (fd < 0)
				die(errno, "accept");
			nconn++;
			pfd[nconn].fd = fd;
			pfd[nconn].events = POLLIN;
			pfd[nconn].revents = 0;
		}
	}
	close(lfd);
	printf("{\"connections\":%llu,\"received\":%llu}\n", done, got);
	return 0;
}

/* tcp-churn and udp-churn: count sockets, one after the other. */
static int churn_client(struct sks_opts *o)
{
	long timeout = o->given & K_TIMEOUT ? o->timeout_ms : SKS_EOF_TIMEOUT_MS;
	size_t size = o->given & K_SIZE ? o->size : SKS_CHURN_SIZE;
	unsigned long long i, sent = 0;
	char *data = xrealloc(NULL, size + 1);
	ssize_t n;
	int fd;

	if (!(o->given & K_COUNT))
		usage_err("needs 'count N'");
	memset(data, 'c', size + 1);
	for (i = 0; i < o->count; i++) {
		fd = sks_socket(o);
		if (o->tcp &&
		    connect(fd, (struct sockaddr *)&o->sa, o->salen))
			die(errno, "connect (connection %llu)", i);
		do {
			n = sendto(fd, data, size, 0, o->tcp ? NULL :
				   (struct sockaddr *)&o->sa, o->tcp ? 0 : o->salen);
		} while (n < 0 && errno == EINTR);
		if (n < 0 || (size_t)n != size)
			die(n < 0 ? errno : 0, "send (socket %llu)", i);
		sent += n;
		if (o->tcp && o->wait_close) {
			/* EOF from the server: it read everything and closed. */
			if (shutdown(fd, SHUT_WR))
				die(errno, "shutdown");
			for (;;) {
				if (!wait_fd(fd, POLLIN, timeout))
					die(0, "connection %llu: no close from the server", i);
				n = recv(fd, sks_buf, sizeof(sks_buf), 0);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0)
					die(errno, "recv (connection %llu)", i);
				if (!n)
					break;
			}
		}
		close(fd);
	}
	printf("{\"%s\":%llu,\"sent\":%llu}\n", o->tcp ? "connections" : "sockets",
	       i, sent);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	struct sks_opts o = { .timeout_ms = -1 };
	const char *cmd;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		usage_err("subcommand needed");
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		sks_help(stdout);
		return 0;
	}
	argc -= 2;
	argv += 2;

	if (!strcmp(cmd, "tcp-server")) {
		o.tcp = true;
		parse_args(&o, argc, argv,
			   K_COUNT | K_TIMEOUT | K_READY | K_SPLICE | K_ZEROCOPY);
		return tcp_server(&o);
	}
	if (!strcmp(cmd, "udp-server")) {
		parse_args(&o, argc, argv,
			   K_COUNT | K_TIMEOUT | K_READY | K_RCVBUF | K_GRO);
		return udp_server(&o);
	}
	if (!strcmp(cmd, "tcp-client")) {
		o.tcp = true;
		parse_args(&o, argc, argv,
			   K_SIZES | K_SIZE | K_COUNT | K_GAP | K_NODELAY |
			   K_TSTAMP | K_CMSG | K_QUIET | K_TIMEOUT | K_DSTOPTS |
			   K_ZEROCOPY);
		return client(&o);
	}
	if (!strcmp(cmd, "udp-client")) {
		parse_args(&o, argc, argv,
			   K_SIZES | K_SIZE | K_COUNT | K_GAP | K_CONNECT |
			   K_MORE | K_TSTAMP | K_CMSG | K_QUIET | K_GSO |
			   K_DSTOPTS);
		return client(&o);
	}
	if (!strcmp(cmd, "tcp-churn-server")) {
		o.tcp = true;
		parse_args(&o, argc, argv, K_COUNT | K_TIMEOUT | K_READY);
		return tcp_churn_server(&o);
	}
	if (!strcmp(cmd, "tcp-churn") || !strcmp(cmd, "udp-churn")) {
		o.tcp = cmd[0] == 't';
		parse_args(&o, argc, argv, K_COUNT | K_SIZE | K_TIMEOUT |
			   (o.tcp ? K_WAIT : 0));
		return churn_client(&o);
	}
	usage_err("unknown subcommand '%s'", cmd);
}
