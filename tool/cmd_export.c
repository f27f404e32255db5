// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp export: the summary histograms and the record counters in the
 * Prometheus text exposition format (version 0.0.4), for monitoring:
 *
 *   skbstamp export                          once, to standard output
 *   skbstamp export file PATH [interval SEC] written atomically, for
 *                                            node_exporter's textfile
 *                                            collector; refreshed every SEC
 *   skbstamp export listen ADDR:PORT         served over HTTP (GET /metrics)
 *   ... [host NAME]                          the host label (default: the
 *                                            host name)
 *
 * Histograms: skbstamp_latency_seconds{host,pair,proto} with cumulative
 * "le" buckets.  The module's buckets hold integer nanoseconds from their
 * lower bound up to, excluding, the next bucket's lower bound U, so the
 * samples at or below U - 1 ns are exactly those of the buckets up to this
 * one: each module bucket becomes the Prometheus bucket
 * le="(U - 1 ns) in seconds", exact.  Every finite bucket is written,
 * empty or not, so every histogram has the same le values on every host
 * and sum by (le) aggregates them; the module's last bucket, which takes
 * every larger value, only counts towards le="+Inf".  _sum is in seconds, _count is
 * the +Inf bucket.  Counters end in _total.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

/* Counters of the GET reply: name, help, and whether it is a gauge. */
static const struct {
	int attr;
	const char *name;
	const char *help;
	bool gauge;
} sks_exp_counters[] = {
	{ SKBSTAMP_CNT_GENERATED, "skbstamp_records_generated_total",
	  "Stage events produced by the hooks since start.", false },
	{ SKBSTAMP_CNT_DELIVERED, "skbstamp_records_delivered_total",
	  "Records taken by a listener or a dump (records mode).", false },
	{ SKBSTAMP_CNT_DROPPED_FULL, "skbstamp_records_dropped_full_total",
	  "Records lost because a per-CPU buffer was full.", false },
	{ SKBSTAMP_CNT_DROPPED_SEND, "skbstamp_records_dropped_send_total",
	  "Records lost because no listener took them.", false },
	{ SKBSTAMP_CNT_SUMMARIZED, "skbstamp_records_summarized_total",
	  "Stage events folded into histograms (summary mode).", false },
	{ SKBSTAMP_CNT_TAGS_ABANDONED, "skbstamp_tags_abandoned_total",
	  "Tagged skbs whose last stage had not come when stop gave up waiting.",
	  false },
	{ SKBSTAMP_CNT_RX_EVICTED, "skbstamp_rx_evicted_total",
	  "Received packets whose tracking ended before their last stage.",
	  false },
	{ SKBSTAMP_CNT_TAGS_EVICTED, "skbstamp_tags_evicted_total",
	  "Tagged skbs whose entry was reused before their last stage.",
	  false },
	{ SKBSTAMP_CNT_SOCKS_EVICTED, "skbstamp_socks_evicted_total",
	  "Entries of live traced sockets reused because the table was full.",
	  false },
	{ SKBSTAMP_CNT_BUFFERED, "skbstamp_records_buffered",
	  "Records waiting in the per-CPU buffers.", true },
	{ SKBSTAMP_CNT_RX_TRACKED, "skbstamp_rx_tracked",
	  "Received packets being tracked.", true },
	{ SKBSTAMP_CNT_TAGS_PENDING, "skbstamp_tags_pending",
	  "Tagged skbs whose last stage has not come yet.", true },
	{ SKBSTAMP_CNT_SOCKS_TRACKED, "skbstamp_socks_tracked",
	  "Traced sockets the module keeps state for.", true },
};

struct sks_exp {
	FILE *f;		/* the output */
	FILE *fmax;		/* the max gauge family, appended at the end */
	char *maxbuf;
	size_t maxlen;
	char host[256];		/* escaped label value */
	unsigned int nhist;
	int err;
};

#define SKS_EXP_HIST_HELP "# HELP skbstamp_latency_seconds Latency from one " \
	"stage of a packet to a later one (summary mode), per stage pair and protocol.\n"
#define SKS_EXP_MAX_HELP "# HELP skbstamp_latency_max_seconds Largest sample " \
	"of a latency histogram.\n"

static volatile sig_atomic_t sks_exp_stop;

static void sks_exp_signal(int sig)
{
	(void)sig;
	sks_exp_stop = 1;
}

/* A label value with \, " and newline escaped. */
static void sks_exp_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; *src && o + 3 < len; src++) {
		if (*src == '\\' || *src == '"') {
			dst[o++] = '\\';
			dst[o++] = *src;
		} else if (*src == '\n') {
			dst[o++] = '\\';
			dst[o++] = 'n';
		} else {
			dst[o++] = *src;
		}
	}
	dst[o] = '\0';
}

/* @ns as exact decimal seconds: 0.000012345, 10, 1.5. */
static const char *sks_exp_secs(uint64_t ns, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / 1000000000, ns % 1000000000);
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	return buf;
}

static int sks_exp_hist_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *h[SKBSTAMP_HIST_MAX + 1];
	struct sks_exp *e = arg;
	uint64_t cum = 0, sum, max, v;
	unsigned int i, n, pair;
	char lbl[400], s[32];
	const char *proto;
	const uint8_t *raw;

	if (sks_hist_parse(tb, h))
		return SKS_EXIT_KERNEL;
	pair = nla_get_u32(h[SKBSTAMP_HIST_PAIR]);
	proto = sks_proto_name(nla_get_u8(h[SKBSTAMP_HIST_PROTO]));
	sum = h[SKBSTAMP_HIST_SUM_NS] ? nla_get_u64(h[SKBSTAMP_HIST_SUM_NS]) : 0;
	max = h[SKBSTAMP_HIST_MAX_NS] ? nla_get_u64(h[SKBSTAMP_HIST_MAX_NS]) : 0;
	n = nla_len(h[SKBSTAMP_HIST_BUCKETS]) / sizeof(uint64_t);
	if (n > SKBSTAMP_NBUCKETS)
		n = SKBSTAMP_NBUCKETS;
	raw = nla_data(h[SKBSTAMP_HIST_BUCKETS]);

	snprintf(lbl, sizeof(lbl), "host=\"%s\",pair=\"%s\",proto=\"%s\"", e->host,
		 sks_pair_name(pair), proto);
	if (!e->nhist++)
		fputs(SKS_EXP_HIST_HELP "# TYPE skbstamp_latency_seconds histogram\n", e->f);
	/* The module sends buckets up to the last non-empty one. */
	for (i = 0; i < SKBSTAMP_NBUCKETS; i++) {
		v = 0;
		if (i < n)	/* the attribute is only 4-byte aligned */
			memcpy(&v, raw + i * sizeof(v), sizeof(v));
		cum += v;
		if (i == SKBSTAMP_NBUCKETS - 1)
			break;
		fprintf(e->f, "skbstamp_latency_seconds_bucket{%s,le=\"%s\"} %" PRIu64 "\n",
			lbl, sks_exp_secs(skbstamp_bucket_lower(i + 1) - 1, s, sizeof(s)), cum);
	}
	fprintf(e->f, "skbstamp_latency_seconds_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n",
		lbl, cum);
	fprintf(e->f, "skbstamp_latency_seconds_sum{%s} %s\n", lbl,
		sks_exp_secs(sum, s, sizeof(s)));
	fprintf(e->f, "skbstamp_latency_seconds_count{%s} %" PRIu64 "\n", lbl, cum);
	fprintf(e->fmax, "skbstamp_latency_max_seconds{%s} %s\n", lbl,
		sks_exp_secs(max, s, sizeof(s)));
	return 0;
}

static int sks_exp_get_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *ct[SKBSTAMP_CNT_MAX + 1];
	struct sks_exp *e = arg;
	char ver[128], kern[128];
	size_t i;

	sks_exp_escape(ver, sizeof(ver), tb[SKBSTAMP_A_VERSION] ?
		       nla_get_string(tb[SKBSTAMP_A_VERSION]) : "");
	sks_exp_escape(kern, sizeof(kern), tb[SKBSTAMP_A_KERNEL] ?
		       nla_get_string(tb[SKBSTAMP_A_KERNEL]) : "");
	fprintf(e->f,
		"# HELP skbstamp_up Whether the skbstamp module answered.\n"
		"# TYPE skbstamp_up gauge\n"
		"skbstamp_up{host=\"%s\"} 1\n"
		"# HELP skbstamp_info The module's and the tool's version, and the kernel.\n"
		"# TYPE skbstamp_info gauge\n"
		"skbstamp_info{host=\"%s\",version=\"%s\",tool_version=\"%s\",kernel=\"%s\"} 1\n"
		"# HELP skbstamp_running Whether tracing is running.\n"
		"# TYPE skbstamp_running gauge\n"
		"skbstamp_running{host=\"%s\"} %d\n",
		e->host, e->host, ver, SKBSTAMP_VERSION, kern, e->host,
		tb[SKBSTAMP_A_STATE] &&
		nla_get_u32(tb[SKBSTAMP_A_STATE]) == SKBSTAMP_STATE_RUNNING);
	if (!tb[SKBSTAMP_A_COUNTERS] ||
	    nla_parse_nested(ct, SKBSTAMP_CNT_MAX, tb[SKBSTAMP_A_COUNTERS], NULL))
		return 0;
	for (i = 0; i < ARRAY_SIZE(sks_exp_counters); i++) {
		if (!ct[sks_exp_counters[i].attr])
			continue;
		fprintf(e->f, "# HELP %s %s\n# TYPE %s %s\n%s{host=\"%s\"} %" PRIu64 "\n",
			sks_exp_counters[i].name, sks_exp_counters[i].help,
			sks_exp_counters[i].name,
			sks_exp_counters[i].gauge ? "gauge" : "counter",
			sks_exp_counters[i].name, e->host,
			nla_get_u64(ct[sks_exp_counters[i].attr]));
	}
	return 0;
}

/*
 * The metrics, as a malloc'ed string in *@out, and 0; or, when they cannot
 * be had, an exit code and only skbstamp_up 0 in *@out.  @quiet (the
 * long-running forms): no message for an unloaded module.
 */
static int sks_exp_collect(const char *host, bool quiet, char **out, size_t *len)
{
	struct sks_ctx ctx = { .quiet = quiet };
	struct sks_exp e = { 0 };
	int ret, r;

	sks_exp_escape(e.host, sizeof(e.host), host);
	e.f = open_memstream(out, len);
	e.fmax = open_memstream(&e.maxbuf, &e.maxlen);
	if (!e.f || !e.fmax) {
		fprintf(stderr, "skbstamp: out of memory\n");
		exit(SKS_EXIT_KERNEL);
	}
	ret = sks_nl_open(&ctx);
	if (!ret)
		ret = sks_nl_request(&ctx, SKBSTAMP_CMD_GET, NULL, sks_exp_get_reply, &e);
	if (!ret)
		ret = sks_nl_dump(&ctx, SKBSTAMP_CMD_HIST, sks_exp_hist_reply, &e);
	if (ctx.sk)
		sks_nl_close(&ctx);
	fclose(e.fmax);
	if (!ret && e.maxlen) {
		fputs(SKS_EXP_MAX_HELP "# TYPE skbstamp_latency_max_seconds gauge\n", e.f);
		fwrite(e.maxbuf, 1, e.maxlen, e.f);
	}
	free(e.maxbuf);
	fclose(e.f);
	if (!ret)
		return 0;
	/* What came before the failure is dropped: a partial set would mislead. */
	free(*out);
	r = asprintf(out, "# HELP skbstamp_up Whether the skbstamp module answered.\n"
		     "# TYPE skbstamp_up gauge\nskbstamp_up{host=\"%s\"} 0\n", e.host);
	if (r < 0) {
		fprintf(stderr, "skbstamp: out of memory\n");
		exit(SKS_EXIT_KERNEL);
	}
	*len = r;
	return ret;
}

/* Write @buf to @path atomically: a temporary file beside it, renamed. */
static int sks_exp_write_file(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX];
	bool ok;
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "skbstamp export: path too long\n");
		return SKS_EXIT_USAGE;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "skbstamp export: cannot create %s: %m\n", tmp);
		return SKS_EXIT_KERNEL;
	}
	/* Readable by the collector, whatever the umask. */
	if (fchmod(fd, 0644)) {
		err = errno;
		close(fd);
		goto fail;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
		goto fail;
	}
	ok = fwrite(buf, 1, len, f) == len && !fflush(f) && !fsync(fd);
	err = errno;
	if (fclose(f) && ok) {
		ok = false;
		err = errno;
	}
	if (ok && rename(tmp, path)) {
		ok = false;
		err = errno;
	}
	if (ok)
		return 0;
fail:
	fprintf(stderr, "skbstamp export: cannot write %s: %s\n", path, strerror(err));
	unlink(tmp);
	return SKS_EXIT_KERNEL;
}

/*
 * The file is written whatever the collection gave (skbstamp_up 0 when it
 * failed), so the collector sees the failure too.  Once: the exit code is
 * the collection's, else the write's.  With @interval a file that cannot
 * be written the first time (a wrong directory) ends the command; later
 * failures are reported and retried.
 */
static int sks_exp_file(const char *host, const char *path, uint32_t interval)
{
	struct timespec ts = { .tv_sec = interval };
	bool first = true;
	int ret, wret;
	size_t len;
	char *buf;

	for (;;) {
		buf = NULL;
		ret = sks_exp_collect(host, interval, &buf, &len);
		wret = sks_exp_write_file(path, buf, len);
		free(buf);
		if (!interval)
			return ret ? ret : wret;
		if (wret && first)
			return wret;
		first = false;
		/* A signal ends the sleep early; the loop then ends. */
		if (!sks_exp_stop)
			nanosleep(&ts, NULL);
		if (sks_exp_stop)
			return 0;
	}
}

/* A listening socket on @ai (both IPv6 and IPv4 when @dual), or -1. */
static int sks_exp_bind_one(const struct addrinfo *ai, bool dual)
{
	int fd, one = 1, zero = 0, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (!setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	    (!dual || !setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) &&
	    !bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 16))
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * ADDR:PORT, [V6ADDR]:PORT or :PORT.  A name is tried at each of its
 * addresses in getaddrinfo's order; :PORT is every address, IPv6 and
 * IPv4 on one dual-stack socket, or IPv4 alone where IPv6 is not there.
 */
static int sks_exp_bind(const char *arg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	const struct addrinfo *p;
	struct addrinfo *ai;
	char host[256], *port;
	int fd = -1, r, pass, err = EADDRNOTAVAIL;

	if (snprintf(host, sizeof(host), "%s", arg) >= (int)sizeof(host))
		goto usage;
	port = strrchr(host, ':');
	if (!port || !port[1])
		goto usage;
	*port++ = '\0';
	if (host[0] == '[') {
		size_t l = strlen(host);

		if (l < 2 || host[l - 1] != ']')
			goto usage;
		host[l - 1] = '\0';
		memmove(host, host + 1, l - 1);
	}
	r = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (r) {
		fprintf(stderr, "skbstamp export: listen %s: %s\n", arg, gai_strerror(r));
		return -SKS_EXIT_USAGE;
	}
	/*
	 * A name: each address, in pass 1.  :PORT: the IPv6 wildcard,
	 * dual-stack, in pass 0; the IPv4 one in pass 1.
	 */
	for (pass = host[0] ? 1 : 0; pass < 2 && fd < 0; pass++) {
		for (p = ai; p && fd < 0; p = p->ai_next) {
			bool v6 = p->ai_family == AF_INET6;

			if (!host[0] && pass == v6)
				continue;
			fd = sks_exp_bind_one(p, !pass);
			if (fd < 0)
				err = errno;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		fprintf(stderr, "skbstamp export: listen %s: %s\n", arg, strerror(err));
		return -SKS_EXIT_KERNEL;
	}
	return fd;
usage:
	fprintf(stderr, "skbstamp export: listen takes %s, not '%s'\n",
		"ADDR:PORT, [ADDR]:PORT or :PORT", arg);
	return -SKS_EXIT_USAGE;
}

static void sks_exp_send_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len) {
		w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		buf += w;
		len -= w;
	}
}

/* One HTTP/1.0-style exchange: GET /metrics (or /), then close. */
static void sks_exp_serve(int fd, const char *host)
{
	struct timeval tv = { .tv_sec = 5 };
	char req[2048], hdr[256], *body = NULL;
	const char *status = "200 OK";
	size_t got = 0, len = 0;
	ssize_t r;
	int ret;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Read the request head (its first line is all that matters). */
	while (got < sizeof(req) - 1) {
		r = recv(fd, req + got, sizeof(req) - 1 - got, 0);
		if (r <= 0)
			break;
		got += r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (strncmp(req, "GET ", 4)) {
		status = "405 Method Not Allowed";
	} else if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/ ", 2) &&
		   strncmp(req + 4, "/metrics\r", 9)) {
		status = "404 Not Found";
	} else {
		ret = sks_exp_collect(host, true, &body, &len);
		/* An unloaded module is skbstamp_up 0, other failures are ours. */
		if (ret && ret != SKS_EXIT_NOMOD) {
			status = "500 Internal Server Error";
			free(body);
			body = NULL;
			len = 0;
		}
	}
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, len);
	sks_exp_send_all(fd, hdr, strlen(hdr));
	if (body)
		sks_exp_send_all(fd, body, len);
	free(body);
}

static int sks_exp_listen(const char *host, const char *addr)
{
	int lfd, fd;

	lfd = sks_exp_bind(addr);
	if (lfd < 0)
		return -lfd;
	fprintf(stderr, "skbstamp export: serving metrics on http://%s/metrics\n", addr);
	while (!sks_exp_stop) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "skbstamp export: accept: %m\n");
			close(lfd);
			return SKS_EXIT_KERNEL;
		}
		sks_exp_serve(fd, host);
		close(fd);
	}
	close(lfd);
	return 0;
}

int sks_cmd_export(struct sks_ctx *ctx, int argc, char **argv)
{
	const char *file = NULL, *listen_addr = NULL, *host = NULL;
	struct sigaction sa = { .sa_handler = sks_exp_signal };
	char hostname[HOST_NAME_MAX + 1];
	uint32_t interval = 0;
	size_t len;
	char *buf = NULL;
	int i, ret;

	if (ctx->json) {
		fprintf(stderr, "skbstamp export: the Prometheus text format has no --json\n");
		return SKS_EXIT_USAGE;
	}
	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "skbstamp export: '%s' needs a value\n", argv[i]);
			return SKS_EXIT_USAGE;
		}
		if (!strcmp(argv[i], "file")) {
			file = argv[i + 1];
		} else if (!strcmp(argv[i], "listen")) {
			listen_addr = argv[i + 1];
		} else if (!strcmp(argv[i], "host")) {
			host = argv[i + 1];
		} else if (!strcmp(argv[i], "interval")) {
			if (sks_parse_u32("interval", argv[i + 1], &interval))
				return SKS_EXIT_USAGE;
			if (!interval) {
				fprintf(stderr, "skbstamp export: interval is at least 1 s\n");
				return SKS_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "skbstamp export: unknown argument '%s'\n", argv[i]);
			return SKS_EXIT_USAGE;
		}
	}
	if (file && listen_addr) {
		fprintf(stderr, "skbstamp export: file and listen exclude each other\n");
		return SKS_EXIT_USAGE;
	}
	if (interval && !file) {
		fprintf(stderr, "skbstamp export: interval needs file\n");
		return SKS_EXIT_USAGE;
	}
	if (!host) {
		if (gethostname(hostname, sizeof(hostname)))
			snprintf(hostname, sizeof(hostname), "localhost");
		hostname[sizeof(hostname) - 1] = '\0';
		host = hostname;
	}

	/* The long-running forms end cleanly on SIGINT and SIGTERM. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (listen_addr)
		return sks_exp_listen(host, listen_addr);
	if (file)
		return sks_exp_file(host, file, interval);
	/* A failure to write is main()'s to report. */
	ret = sks_exp_collect(host, false, &buf, &len);
	if (!ret)
		fwrite(buf, 1, len, stdout);
	free(buf);
	return ret;
}
