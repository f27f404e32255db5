// SPDX-License-Identifier: GPL-2.0
/*
 * sks-nlfuzz: robustness client for the skbstamp generic netlink family.
 *
 * It resolves the family and its "records" group itself (CTRL_CMD_GETFAMILY)
 * and, depending on the mode (see sks_help()):
 *
 *   storm   sends a deterministic stream of malformed and random requests
 *           for every command number 0 .. SKBSTAMP_CMD_MAX + 3, in batches
 *           (many messages per sendmsg, then their answers), checks that
 *           each is answered exactly once, that every refusal carries a
 *           negative errno, and that every refusal by the family itself
 *           (past the generic netlink layer) carries an extack message;
 *           then checks that GET, START and STOP still work.
 *   unpriv  the same without CAP_NET_ADMIN: every command is refused with
 *           EPERM (unknown ones with EOPNOTSUPP) and the records group
 *           cannot be joined.
 *   race    threads issuing START, STOP, GET (and SET where the header and
 *           the module have it) at once, with UDP traffic, then checks the
 *           state and that the record counters balance.
 *   cycles  START and STOP, one after the other, N times, from one socket
 *           (no process start per cycle): each must succeed, GET must say
 *           running between them, and each stopped run's counters must
 *           balance exactly.  Prints the records the runs generated, so a
 *           caller with traffic running can check that every run traced.
 *   check   the post-storm checks alone.
 *
 * Every request carries NLM_F_REQUEST | NLM_F_ACK and an honest nlmsg_len,
 * so the kernel answers each with exactly one NLMSG_ERROR, or NLMSG_DONE
 * for a dump that started: that is how answers are counted.  Messages the
 * netlink core drops without an answer by design (nlmsg_len shorter than
 * its header or longer than the datagram, empty datagrams) are sent
 * separately as "core probes" and checked to get no answer at all.
 *
 * Message N of a storm is generated from (seed, N) alone, so one failing
 * message can be replayed and dumped with --only N.
 *
 * Exit codes: 0 ok, 1 usage, 2 a check failed or a runtime error,
 * 3 the skbstamp family is not registered (module not loaded).
 */
#define _GNU_SOURCE		/* recvmmsg() */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/skbstamp.h>

/* The kernel's helpers, for a userspace file in the kernel's style. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1u << (n))

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define SKS_EXIT_OK		0
#define SKS_EXIT_USAGE		1
#define SKS_EXIT_FAIL		2
#define SKS_EXIT_NOFAMILY	3

/* Command numbers fuzzed: every one the header knows, and three beyond. */
#define SKS_CMD_END		(SKBSTAMP_CMD_MAX + 4)
#define SKS_GENL_MSG_MIN	(NLMSG_HDRLEN + GENL_HDRLEN)

#define SKS_MSG_MAX		(160u << 10)	/* largest message generated */
#define SKS_BATCH_BYTES		(2u << 20)	/* bytes per sendmsg at most */
#define SKS_BATCH_MAX		1024u		/* messages per sendmsg at most */
#define SKS_RCVBUF		(32 << 20)
#define SKS_SNDBUF		(8 << 20)
/* Datagrams one receive call takes at most, and the room for each. */
#define SKS_RX_VLEN		64
#define SKS_RX_SIZE		(64u << 10)
/*
 * STOP may wait two seconds for tagged skbs, TCG is slow, and a guest's
 * clock may run several times too fast on a loaded host.
 */
#define SKS_TIMEOUT_MS		120000
#define SKS_ERRNO_SLOTS		4096		/* errno values tallied */
#define SKS_FAIL_PRINT_MAX	40		/* failures printed in full */
#define SKS_THREADS_MAX		64		/* race threads at most */

/* One START in this many may succeed in a storm: see sks_spoil_start(). */
#define SKS_START_ONE_IN	2048

/* Stage bits the header defines: STAGES_AVAIL must stay within them. */
#define SKS_STAGES_ALL		(BIT(__SKBSTAMP_STAGE_MAX) - 1)

static const char *sks_prog = "sks-nlfuzz";
static unsigned long sks_failures;
static pthread_mutex_t sks_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static bool sks_verbose;
static struct utsname sks_uts;

static void sks_help(FILE *f)
{
	fprintf(f,
		"usage: %s MODE [OPTIONS]\n"
		"\n"
		"  resolve                      print the family, its ops and groups\n"
		"  storm [--seed N] [--count N] [--batch N] [--only N]\n"
		"                               malformed and random requests, then checks\n"
		"                               (defaults: seed 1, 100000, 8 per sendmsg)\n"
		"  unpriv [--seed N] [--count N] without CAP_NET_ADMIN: all refused, no group\n"
		"  race [--threads N] [--seconds N] [--seed N]\n"
		"                               concurrent START/STOP/GET(/SET), then checks\n"
		"  cycles [--count N] [--hold-ms N]\n"
		"                               N START/STOP pairs, held N ms each\n"
		"                               (defaults: 200, 20), checked one by one\n"
		"  check                        GET, START, STOP and the counters\n"
		"\n"
		"  --verbose                    print every failure and each answer of --only\n"
		"Exit codes: 0 ok, 1 usage, 2 check failed, 3 family not registered.\n",
		sks_prog);
}

/* A check failed: say what, count it, and go on to find more. */
static int sks_fail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sks_fail_lock);
	if (++sks_failures <= SKS_FAIL_PRINT_MAX || sks_verbose) {
		va_start(ap, fmt);
		fprintf(stderr, "FAIL: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	pthread_mutex_unlock(&sks_fail_lock);
	return 1;
}

static uint64_t sks_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t sks_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t sks_below(uint64_t *state, uint32_t n)
{
	return n ? (uint32_t)(sks_rand(state) % n) : 0;
}

static const struct {
	int err;
	const char *name;
} sks_errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINVAL, "EINVAL" },
	{ ERANGE, "ERANGE" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EBUSY, "EBUSY" },
	{ EALREADY, "EALREADY" }, { EMSGSIZE, "EMSGSIZE" }, { ENOMEM, "ENOMEM" },
	{ ENOBUFS, "ENOBUFS" }, { EAGAIN, "EAGAIN" }, { E2BIG, "E2BIG" },
	{ ENODEV, "ENODEV" }, { ESRCH, "ESRCH" }, { EEXIST, "EEXIST" },
	{ EFAULT, "EFAULT" }, { ENOSPC, "ENOSPC" }, { EIO, "EIO" },
};

/* "EINVAL" for 22; kernel-internal values such as 524 print as numbers. */
static const char *sks_errname(int err)
{
	static __thread char buf[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sks_errnames); i++)
		if (sks_errnames[i].err == err)
			return sks_errnames[i].name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* --- sockets ------------------------------------------------------------ */

struct sks_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;
	int rcvbuf, sndbuf;	/* what the kernel granted */
	/* Receiving: SKS_RX_VLEN datagrams of up to SKS_RX_SIZE bytes. */
	char *buf;
	struct mmsghdr mm[SKS_RX_VLEN];
	struct iovec iov[SKS_RX_VLEN];
};

/* The largest buffer the kernel grants us: forced if privileged. */
static int sks_sockbuf(int fd, int force_opt, int opt, int want)
{
	socklen_t len = sizeof(want);
	int got = 0;

	if (setsockopt(fd, SOL_SOCKET, force_opt, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
	getsockopt(fd, SOL_SOCKET, opt, &got, &len);
	return got;
}

static int sks_sock_open(struct sks_sock *s)
{
	int one = 1;
	int fd, i;

	memset(s, 0, sizeof(*s));
	s->buf = malloc(SKS_RX_VLEN * SKS_RX_SIZE);
	for (i = 0; s->buf && i < SKS_RX_VLEN; i++) {
		s->iov[i].iov_base = s->buf + i * SKS_RX_SIZE;
		s->iov[i].iov_len = SKS_RX_SIZE;
		s->mm[i].msg_hdr.msg_iov = &s->iov[i];
		s->mm[i].msg_hdr.msg_iovlen = 1;
	}
	s->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!s->buf || !s->nl) {
		perror("sks-nlfuzz: generic netlink socket");
		return -1;
	}
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("sks-nlfuzz: bind");
		return -1;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	/* Every refusal with the kernel's reason, without our request. */
	if (mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		perror("sks-nlfuzz: NETLINK_EXT_ACK/NETLINK_CAP_ACK");
		return -1;
	}
	fd = mnl_socket_get_fd(s->nl);
	/* A whole batch's answers must fit, or the kernel drops acks. */
	s->rcvbuf = sks_sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF, SKS_RCVBUF);
	s->sndbuf = sks_sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF, SKS_SNDBUF);
	return 0;
}

static void sks_sock_close(struct sks_sock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	s->nl = NULL;
	s->buf = NULL;
}

/*
 * Take what is queued, up to @vlen datagrams in one call (a storm's answers
 * come one per datagram), waiting up to @ms for the first.  Returns how
 * many, 0 on timeout, -1 on error; datagram i is at s->iov[i].iov_base,
 * s->mm[i].msg_len bytes.
 */
static int sks_recv(struct sks_sock *s, unsigned int vlen, int ms)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(s->nl), .events = POLLIN };
	int i, n;

	while ((n = recvmmsg(p.fd, s->mm, vlen, MSG_DONTWAIT, NULL)) < 0 &&
	       errno == EAGAIN) {
		n = poll(&p, 1, ms);
		if (n <= 0)
			return n;
	}
	for (i = 0; i < n; i++) {
		if (s->mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
			sks_fail("a datagram did not fit %u bytes", SKS_RX_SIZE);
			return -1;
		}
	}
	return n;
}

static struct nlmsghdr *sks_req(void *buf, uint16_t type, uint16_t flags,
				uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SKBSTAMP_GENL_VERSION;
	return nlh;
}

/* --- answers ------------------------------------------------------------ */

struct sks_ack {
	int error;
	bool done;		/* NLMSG_DONE, the end of a dump */
	bool has_msg;		/* NLMSGERR_ATTR_MSG */
	bool has_offs;		/* NLMSGERR_ATTR_OFFS */
	char msg[128];
};

static int sks_ack_tlv(const struct nlattr *a, void *data)
{
	struct sks_ack *ack = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) {
			sks_fail("extack message is not a string");
			break;
		}
		ack->has_msg = true;
		snprintf(ack->msg, sizeof(ack->msg), "%s", mnl_attr_get_str(a));
		break;
	case NLMSGERR_ATTR_OFFS:
		ack->has_offs = true;
		break;
	}
	return MNL_CB_OK;
}

/* Fill @ack from an NLMSG_ERROR or NLMSG_DONE; false if it is malformed. */
static bool sks_parse_ack(const struct nlmsghdr *nlh, struct sks_ack *ack)
{
	const char *pl = mnl_nlmsg_get_payload(nlh);
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	size_t off;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)pl;

		if (len < sizeof(*e))
			return false;
		ack->error = e->error;
		off = sizeof(*e);
		/* The request is echoed unless capped (NETLINK_CAP_ACK). */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else {
		ack->done = true;
		if (len < sizeof(int))
			return true;
		memcpy(&ack->error, pl, sizeof(int));
		off = sizeof(int);
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return true;
	return mnl_attr_parse_payload(pl + off, len - off, sks_ack_tlv,
				      ack) >= MNL_CB_STOP;
}

static bool sks_is_ack(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE;
}

typedef void (*sks_reply_fn)(const struct nlmsghdr *nlh, void *arg);

/* Handle one datagram of answers to request @seq; true once it is acked. */
static bool sks_transact_datagram(const void *buf, int len, uint32_t seq,
				  sks_reply_fn fn, void *arg,
				  struct sks_ack *ack)
{
	const struct nlmsghdr *m = buf;
	bool done = false;

	for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
		if (m->nlmsg_seq != seq || done) {
			sks_fail("answer to an unknown request (seq %u, type %u)",
				 m->nlmsg_seq, m->nlmsg_type);
		} else if (!sks_is_ack(m)) {
			if (fn)
				fn(m, arg);
		} else {
			if (!sks_parse_ack(m, ack))
				sks_fail("malformed answer");
			done = true;
		}
	}
	return done;
}

/*
 * Send @nlh and read until its answer, passing the other messages for it
 * (replies, dump parts) to @fn.  Returns 0 with @ack filled, -1 if the
 * answer never came.
 */
static int sks_transact(struct sks_sock *s, struct nlmsghdr *nlh,
			sks_reply_fn fn, void *arg, struct sks_ack *ack)
{
	uint32_t seq = ++s->seq;
	bool done = false;
	int n, i;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		sks_fail("sendto: %s", strerror(errno));
		return -1;
	}
	while (!done && (n = sks_recv(s, SKS_RX_VLEN, SKS_TIMEOUT_MS)) > 0) {
		for (i = 0; i < n; i++)
			done |= sks_transact_datagram(s->iov[i].iov_base,
						      s->mm[i].msg_len, seq, fn,
						      arg, ack);
	}
	if (done)
		return 0;
	sks_fail("no answer to request seq %u: %s", seq,
		 n < 0 ? strerror(errno) : "timeout");
	return -1;
}

/* --- the family ----------------------------------------------------------- */

struct sks_family {
	uint16_t id;
	uint32_t version;
	uint32_t maxattr;
	uint32_t records_grp;		/* 0: not found */
	uint32_t op_flags[256];		/* CTRL_ATTR_OP_FLAGS by command */
	/*
	 * The generic layer itself refuses a non-zero genlmsghdr.reserved and
	 * stray nlmsg_flags (Linux 6.1 on); found out by asking.
	 */
	bool strict_hdr;
};

static int sks_ctrl_op(const struct nlattr *a, void *data)
{
	struct sks_family *fam = data;
	uint32_t id = 0, flags = 0;
	const struct nlattr *i;

	mnl_attr_for_each_nested(i, a) {
		if (mnl_attr_validate(i, MNL_TYPE_U32) < 0)
			continue;
		if (mnl_attr_get_type(i) == CTRL_ATTR_OP_ID)
			id = mnl_attr_get_u32(i);
		else if (mnl_attr_get_type(i) == CTRL_ATTR_OP_FLAGS)
			flags = mnl_attr_get_u32(i);
	}
	if (id < ARRAY_SIZE(fam->op_flags))
		fam->op_flags[id] = flags;
	return MNL_CB_OK;
}

static int sks_ctrl_grp(const struct nlattr *a, void *data)
{
	struct sks_family *fam = data;
	const char *name = NULL;
	uint32_t id = 0;
	const struct nlattr *i;

	mnl_attr_for_each_nested(i, a) {
		if (mnl_attr_get_type(i) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(i, MNL_TYPE_NUL_STRING) >= 0)
			name = mnl_attr_get_str(i);
		else if (mnl_attr_get_type(i) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(i, MNL_TYPE_U32) >= 0)
			id = mnl_attr_get_u32(i);
	}
	if (name && !strcmp(name, SKBSTAMP_MCGRP_RECORDS))
		fam->records_grp = id;
	return MNL_CB_OK;
}

static int sks_ctrl_attr(const struct nlattr *a, void *data)
{
	struct sks_family *fam = data;
	const struct nlattr *i;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			fam->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			fam->version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MAXATTR:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			fam->maxattr = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_OPS:
		mnl_attr_for_each_nested(i, a)
			sks_ctrl_op(i, fam);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(i, a)
			sks_ctrl_grp(i, fam);
		break;
	}
	return MNL_CB_OK;
}

static void sks_ctrl_reply(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, GENL_HDRLEN, sks_ctrl_attr, arg);
}

/* Resolve the family with CTRL_CMD_GETFAMILY; returns an exit code. */
static int sks_resolve(struct sks_sock *s, struct sks_family *fam)
{
	char buf[256];
	struct nlmsghdr *nlh = sks_req(buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	struct sks_ack ack;

	memset(fam, 0, sizeof(*fam));
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SKBSTAMP_GENL_NAME);
	if (sks_transact(s, nlh, sks_ctrl_reply, fam, &ack) < 0)
		return SKS_EXIT_FAIL;
	if (ack.error == -ENOENT) {
		fprintf(stderr, "%s: family '%s' not registered (module not loaded)%s%s\n",
			sks_prog, SKBSTAMP_GENL_NAME, ack.has_msg ? ": " : "", ack.msg);
		return SKS_EXIT_NOFAMILY;
	}
	if (ack.error || !fam->id) {
		fprintf(stderr, "%s: cannot resolve '%s': %s\n", sks_prog,
			SKBSTAMP_GENL_NAME, strerror(-ack.error));
		return SKS_EXIT_FAIL;
	}
	if (!fam->records_grp) {
		sks_fail("the family has no '%s' multicast group",
			 SKBSTAMP_MCGRP_RECORDS);
		return SKS_EXIT_FAIL;
	}
	return SKS_EXIT_OK;
}

/* Does the family take command @cmd as a dump (or a doit when !dump)? */
static bool sks_has_op(const struct sks_family *fam, unsigned int cmd,
		       bool dump)
{
	uint32_t cap = dump ? GENL_CMD_CAP_DUMP : GENL_CMD_CAP_DO;

	return cmd < ARRAY_SIZE(fam->op_flags) && (fam->op_flags[cmd] & cap);
}

/*
 * Would the generic layer let this header through to the family?  Mirrors
 * genl_family_rcv_msg(): length, then (6.1 on) reserved and flags, then
 * the command's op.
 */
enum sks_stop_at {
	SKS_AT_FAMILY,		/* reached the family's policy and handlers */
	SKS_AT_SHORT,		/* no complete genlmsghdr: EINVAL */
	SKS_AT_HDR,		/* reserved or stray flags: EINVAL */
	SKS_AT_CMD,		/* no such op: EOPNOTSUPP */
};

static const char * const sks_stop_names[] = {
	[SKS_AT_FAMILY] = "family", [SKS_AT_SHORT] = "short",
	[SKS_AT_HDR] = "header", [SKS_AT_CMD] = "command",
};

static enum sks_stop_at sks_stop_at(const struct sks_family *fam,
				    const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint16_t flags = nlh->nlmsg_flags;
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;

	if (nlh->nlmsg_len < SKS_GENL_MSG_MIN)
		return SKS_AT_SHORT;
	if (dump)
		flags &= ~NLM_F_DUMP;
	if (fam->strict_hdr &&
	    (g->reserved || (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))))
		return SKS_AT_HDR;
	if (!sks_has_op(fam, g->cmd, dump))
		return SKS_AT_CMD;
	return SKS_AT_FAMILY;
}

/* --- GET replies ----------------------------------------------------------- */

struct sks_status {
	bool valid;			/* a GET reply was parsed */
	unsigned int bad;		/* malformed attributes in it */
	bool have_state, have_avail, have_config, have_counters;
	uint32_t state, avail;
	char version[64], kernel[128];
	uint64_t cnt[SKBSTAMP_CNT_MAX + 1];
};

static int sks_cnt_attr(const struct nlattr *a, void *data)
{
	struct sks_status *st = data;
	uint16_t t = mnl_attr_get_type(a);

	if (t == SKBSTAMP_CNT_PAD || t > SKBSTAMP_CNT_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		st->bad++;
	else
		st->cnt[t] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static void sks_status_str(const struct nlattr *a, struct sks_status *st,
			   char *dst, size_t size)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		st->bad++;
	else
		snprintf(dst, size, "%s", mnl_attr_get_str(a));
}

static bool sks_status_u32(const struct nlattr *a, struct sks_status *st,
			   uint32_t *dst)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		st->bad++;
		return false;
	}
	*dst = mnl_attr_get_u32(a);
	return true;
}

static int sks_status_attr(const struct nlattr *a, void *data)
{
	struct sks_status *st = data;

	switch (mnl_attr_get_type(a)) {
	case SKBSTAMP_A_VERSION:
		sks_status_str(a, st, st->version, sizeof(st->version));
		break;
	case SKBSTAMP_A_KERNEL:
		sks_status_str(a, st, st->kernel, sizeof(st->kernel));
		break;
	case SKBSTAMP_A_STATE:
		st->have_state = sks_status_u32(a, st, &st->state);
		break;
	case SKBSTAMP_A_STAGES_AVAIL:
		st->have_avail = sks_status_u32(a, st, &st->avail);
		break;
	case SKBSTAMP_A_CONFIG:
		st->have_config = true;
		st->bad += mnl_attr_validate(a, MNL_TYPE_NESTED) < 0;
		break;
	case SKBSTAMP_A_COUNTERS:
		st->have_counters = true;
		if (mnl_attr_parse_nested(a, sks_cnt_attr, st) < MNL_CB_STOP)
			st->bad++;
		break;
	}
	return MNL_CB_OK;
}

static void sks_status_parse(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct sks_status *st = arg;

	if (nlh->nlmsg_len < SKS_GENL_MSG_MIN || g->cmd != SKBSTAMP_CMD_GET)
		return;
	memset(st, 0, sizeof(*st));
	st->valid = true;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, sks_status_attr, st) < MNL_CB_STOP)
		st->bad++;
}

/* What the counters say is still somewhere besides generated. */
static uint64_t sks_accounted(const struct sks_status *st)
{
	uint64_t sum = st->cnt[SKBSTAMP_CNT_DELIVERED] +
		       st->cnt[SKBSTAMP_CNT_DROPPED_FULL] +
		       st->cnt[SKBSTAMP_CNT_DROPPED_SEND] +
		       st->cnt[SKBSTAMP_CNT_BUFFERED];
#ifdef SKS_HAVE_SKBSTAMP_CNT_SUMMARIZED
	sum += st->cnt[SKBSTAMP_CNT_SUMMARIZED];
#endif
	return sum;
}

/*
 * Is this a sane GET reply?  @expect is the state the caller knows, or -1.
 * A stopped module's counters are final and must balance exactly.
 */
static bool sks_status_check(const struct sks_status *st, int expect,
			     const char *where)
{
	const uint64_t *c = st->cnt;
	int bad = 0;

	if (!st->valid)
		return !sks_fail("%s: no GET reply", where);
	if (st->bad)
		bad += sks_fail("%s: %u malformed attributes in the GET reply", where, st->bad);
	if (!st->have_state || st->state > SKBSTAMP_STATE_RUNNING)
		bad += sks_fail("%s: bad or missing STATE %u", where, st->state);
	else if (expect >= 0 && st->state != (uint32_t)expect)
		bad += sks_fail("%s: STATE %u, expected %d", where, st->state, expect);
	if (!st->have_avail || !st->avail || (st->avail & ~SKS_STAGES_ALL))
		bad += sks_fail("%s: bad STAGES_AVAIL %#x", where, st->avail);
	if (!st->version[0])
		bad += sks_fail("%s: no VERSION", where);
	if (strcmp(st->kernel, sks_uts.release))
		bad += sks_fail("%s: KERNEL '%s', running '%s'", where, st->kernel,
				sks_uts.release);
	if (st->state == SKBSTAMP_STATE_RUNNING &&
	    (!st->have_config || !st->have_counters))
		bad += sks_fail("%s: running without CONFIG or COUNTERS", where);
	if (st->state != SKBSTAMP_STATE_STOPPED || !st->have_counters)
		return !bad;
	if (c[SKBSTAMP_CNT_BUFFERED])
		bad += sks_fail("%s: %llu records buffered while stopped", where,
				(unsigned long long)c[SKBSTAMP_CNT_BUFFERED]);
	if (c[SKBSTAMP_CNT_GENERATED] != sks_accounted(st))
		bad += sks_fail("%s: stopped, generated %llu != accounted %llu", where,
				(unsigned long long)c[SKBSTAMP_CNT_GENERATED],
				(unsigned long long)sks_accounted(st));
	return !bad;
}

/* One " key=value" of a summary line. */
static void sks_kv(const char *key, unsigned long long v)
{
	printf(" %s=%llu", key, v);
}

/* Send a command without attributes (START: @buffer records, if not 0). */
static int sks_simple(struct sks_sock *s, const struct sks_family *fam,
		      uint8_t cmd, uint32_t buffer, struct sks_status *st,
		      struct sks_ack *ack)
{
	char buf[256];
	struct nlmsghdr *nlh = sks_req(buf, fam->id, 0, cmd);

	if (buffer) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, SKBSTAMP_A_CONFIG);

		mnl_attr_put_u32(nlh, SKBSTAMP_CFG_BUFFER, buffer);
		mnl_attr_nest_end(nlh, nest);
	}
	if (st)
		st->valid = false;
	return sks_transact(s, nlh, st ? sks_status_parse : NULL, st, ack);
}

/* A command that must succeed; false (and a failure) if it did not. */
static bool sks_expect_ok(struct sks_sock *s, const struct sks_family *fam,
			  uint8_t cmd, const char *what)
{
	struct sks_ack ack;

	if (sks_simple(s, fam, cmd, cmd == SKBSTAMP_CMD_START ? 64 : 0, NULL,
		       &ack) < 0)
		return false;
	if (ack.error) {
		sks_fail("%s refused: %s%s%s", what, sks_errname(-ack.error),
			 ack.has_msg ? ": " : "", ack.msg);
		return false;
	}
	return true;
}

static bool sks_get(struct sks_sock *s, const struct sks_family *fam,
		    struct sks_status *st)
{
	struct sks_ack ack;

	if (sks_simple(s, fam, SKBSTAMP_CMD_GET, 0, st, &ack) < 0)
		return false;
	if (ack.error) {
		sks_fail("GET refused: %s%s%s", sks_errname(-ack.error),
			 ack.has_msg ? ": " : "", ack.msg);
		return false;
	}
	return true;
}

/*
 * After a storm or a race: GET must report a sane state (@expect, or -1
 * for either); leave it stopped; a START then STOP must work; the final
 * counters must balance; a second STOP is refused with a reason.
 */
static void sks_print_counters(const char *who, const char *when,
			       const struct sks_status *st)
{
	printf("%s: %s:", who, when);
	sks_kv("generated", st->cnt[SKBSTAMP_CNT_GENERATED]);
	sks_kv("delivered", st->cnt[SKBSTAMP_CNT_DELIVERED]);
	sks_kv("dropped_full", st->cnt[SKBSTAMP_CNT_DROPPED_FULL]);
	sks_kv("dropped_send", st->cnt[SKBSTAMP_CNT_DROPPED_SEND]);
	sks_kv("buffered", st->cnt[SKBSTAMP_CNT_BUFFERED]);
	printf("\n");
}

static void sks_final_checks(struct sks_sock *s, const struct sks_family *fam,
			     int expect, const char *who)
{
	struct sks_status st;
	struct sks_ack ack;
	char where[64];

	snprintf(where, sizeof(where), "%s: GET after", who);
	if (!sks_get(s, fam, &st) || !sks_status_check(&st, expect, where))
		return;
	if (st.state == SKBSTAMP_STATE_RUNNING) {
		if (!sks_expect_ok(s, fam, SKBSTAMP_CMD_STOP, "STOP of what was left running"))
			return;
		if (sks_get(s, fam, &st))
			sks_status_check(&st, SKBSTAMP_STATE_STOPPED, "GET after STOP");
	}
	/* The last run's counters: sks_status_check() saw them balance. */
	sks_print_counters(who, "last run", &st);
	if (!sks_expect_ok(s, fam, SKBSTAMP_CMD_START, "START"))
		return;
	if (sks_get(s, fam, &st))
		sks_status_check(&st, SKBSTAMP_STATE_RUNNING, "GET after START");
	if (!sks_expect_ok(s, fam, SKBSTAMP_CMD_STOP, "STOP"))
		return;
	if (sks_get(s, fam, &st))
		sks_status_check(&st, SKBSTAMP_STATE_STOPPED, "GET after START, STOP");
	if (sks_simple(s, fam, SKBSTAMP_CMD_STOP, 0, NULL, &ack) == 0 &&
	    (ack.error != -EALREADY || !ack.has_msg))
		sks_fail("STOP while stopped: %s, extack '%s' (expected EALREADY with a reason)",
			 sks_errname(-ack.error), ack.msg);
	sks_print_counters(who, "after START, STOP", &st);
}

/* --- the generator --------------------------------------------------------- */

/* What an attribute carries, for well-formed and plausible payloads. */
enum sks_type {
	SKS_T_UNKNOWN,		/* newer than this client: guess u32 */
	SKS_T_U8, SKS_T_U16, SKS_T_U32, SKS_T_U64,
	SKS_T_ADDR,		/* binary, exactly 16 bytes */
	SKS_T_STR, SKS_T_BIN, SKS_T_NEST,
};

struct sks_attr_info {
	uint8_t type;
	bool output;		/* output-only: the policy rejects it */
};

static const struct sks_attr_info sks_top_info[SKBSTAMP_A_MAX + 1] = {
	[SKBSTAMP_A_PAD]		= { SKS_T_BIN, true },
	[SKBSTAMP_A_VERSION]		= { SKS_T_STR, true },
	[SKBSTAMP_A_KERNEL]		= { SKS_T_STR, true },
	[SKBSTAMP_A_STATE]		= { SKS_T_U32, true },
	[SKBSTAMP_A_STAGES_AVAIL]	= { SKS_T_U32, true },
	[SKBSTAMP_A_CONFIG]		= { SKS_T_NEST, false },
	[SKBSTAMP_A_COUNTERS]		= { SKS_T_NEST, true },
	[SKBSTAMP_A_CPU]		= { SKS_T_U32, true },
	[SKBSTAMP_A_SEQ]		= { SKS_T_U64, true },
	[SKBSTAMP_A_RECORD_SIZE]	= { SKS_T_U32, true },
	[SKBSTAMP_A_RECORDS]		= { SKS_T_BIN, true },
};

static const struct sks_attr_info sks_cfg_info[SKBSTAMP_CFG_MAX + 1] = {
	[SKBSTAMP_CFG_STAGES]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_BUFFER]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_PID]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_CGROUP]		= { SKS_T_U64 },
	[SKBSTAMP_CFG_NETNS]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_PROTO]		= { SKS_T_U8 },
	[SKBSTAMP_CFG_FAMILY]		= { SKS_T_U8 },
	[SKBSTAMP_CFG_SADDR]		= { SKS_T_ADDR },
	[SKBSTAMP_CFG_SADDR_PLEN]	= { SKS_T_U8 },
	[SKBSTAMP_CFG_DADDR]		= { SKS_T_ADDR },
	[SKBSTAMP_CFG_DADDR_PLEN]	= { SKS_T_U8 },
	[SKBSTAMP_CFG_SPORT]		= { SKS_T_U16 },
	[SKBSTAMP_CFG_DPORT]		= { SKS_T_U16 },
	[SKBSTAMP_CFG_IFINDEX]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_SAMPLE]		= { SKS_T_U32 },
	[SKBSTAMP_CFG_PAD]		= { SKS_T_BIN, true },
};

/* Boundaries of the policies and of the integer types. */
static const uint64_t sks_interesting[] = {
	0, 1, 2, 6, 7, 10, 16, 17, 18, 31, 32, 33, 63, 64, 65, 127, 128, 129,
	255, 256, 4095, 4096, 65535, 65536, 1048575, 1048576, 1048577,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, UINT64_MAX,
};

enum sks_kind {
	SKS_K_VALIDISH,		/* well-formed, random types' values */
	SKS_K_BADLEN,		/* a known attribute with a wrong length */
	SKS_K_OVERRUN,		/* nla_len beyond the message or the nest */
	SKS_K_OVERSIZE,		/* huge attributes, many attributes */
	SKS_K_NESTFLAG,		/* NLA_F_NESTED on a non-nest attribute */
	SKS_K_NONEST,		/* CONFIG without NLA_F_NESTED, or raw data */
	SKS_K_DEEP,		/* nests in nests, deeper than any policy */
	SKS_K_UNKNOWN,		/* attribute types 0 and above MAX */
	SKS_K_OUTPUT,		/* output-only attributes in a request */
	SKS_K_RANDOM,		/* random bytes after the genl header */
	SKS_K_MUTATE,		/* a well-formed request with bytes flipped */
	SKS_K_VERSION,		/* a random genl version */
	SKS_K_HDR,		/* reserved byte, stray nlmsg_flags */
	SKS_K_DUMP,		/* NLM_F_DUMP, some with huge payloads */
	SKS_K_SHORT,		/* no or a partial genl header, no attributes */
	SKS_K_TRAILING,		/* 1..3 stray bytes after the last attribute */
	SKS_K_SWEEP,		/* the deterministic sweep of every command */
	SKS_K_NR
};

static const struct {
	const char *name;
	unsigned int weight;
} sks_kinds[SKS_K_NR] = {
	[SKS_K_VALIDISH]	= { "validish", 8 },
	[SKS_K_BADLEN]		= { "badlen", 12 },
	[SKS_K_OVERRUN]		= { "overrun", 10 },
	[SKS_K_OVERSIZE]	= { "oversize", 1 },
	[SKS_K_NESTFLAG]	= { "nestflag", 8 },
	[SKS_K_NONEST]		= { "nonest", 8 },
	[SKS_K_DEEP]		= { "deep", 6 },
	[SKS_K_UNKNOWN]		= { "unknown", 12 },
	[SKS_K_OUTPUT]		= { "output", 10 },
	[SKS_K_RANDOM]		= { "random", 12 },
	[SKS_K_MUTATE]		= { "mutate", 12 },
	[SKS_K_VERSION]		= { "version", 6 },
	[SKS_K_HDR]		= { "header", 8 },
	[SKS_K_DUMP]		= { "dump", 10 },
	[SKS_K_SHORT]		= { "short", 4 },
	[SKS_K_TRAILING]	= { "trailing", 6 },
	[SKS_K_SWEEP]		= { "sweep", 0 },
};

struct sks_gen {
	uint64_t rng;
	struct nlmsghdr *nlh;
	size_t cap;		/* bytes the message may use */
	/* Set only once the defect is in the message: the kernel must refuse. */
	bool must_refuse;
};

static uint32_t sks_gbelow(struct sks_gen *g, uint32_t n)
{
	return sks_below(&g->rng, n);
}

static bool sks_chance(struct sks_gen *g, uint32_t one_in)
{
	return sks_gbelow(g, one_in) == 0;
}

static void sks_fill_rand(struct sks_gen *g, void *dst, size_t len)
{
	char *p = dst;
	uint64_t r;

	for (; len; p += sizeof(r), len -= sizeof(r)) {
		r = sks_rand(&g->rng);
		if (len < sizeof(r)) {
			memcpy(p, &r, len);
			break;
		}
		memcpy(p, &r, sizeof(r));
	}
}

/* 1 KiB to 64 KiB, as many of each power of two: big, not always huge. */
static size_t sks_big_len(struct sks_gen *g)
{
	size_t len = ((size_t)1024 << sks_gbelow(g, 7)) + sks_gbelow(g, 1024);

	return len < 65000 ? len : 65000;
}

static uint64_t sks_value(struct sks_gen *g)
{
	if (sks_chance(g, 2))
		return sks_interesting[sks_gbelow(g, ARRAY_SIZE(sks_interesting))];
	return sks_rand(&g->rng) >> sks_gbelow(g, 64);
}

/*
 * Append an attribute of @len payload bytes (left for the caller to fill)
 * with an honest nla_len; NULL if it does not fit.
 */
static struct nlattr *sks_reserve(struct sks_gen *g, uint16_t type, size_t len)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(g->nlh);
	size_t total = MNL_ALIGN(MNL_ATTR_HDRLEN + len);

	if (MNL_ATTR_HDRLEN + len > UINT16_MAX ||
	    MNL_ALIGN(g->nlh->nlmsg_len) + total > g->cap)
		return NULL;
	a->nla_type = type;
	a->nla_len = MNL_ATTR_HDRLEN + len;
	memset((char *)a + a->nla_len, 0, total - a->nla_len);
	g->nlh->nlmsg_len = MNL_ALIGN(g->nlh->nlmsg_len) + total;
	return a;
}

static struct nlattr *sks_put_rand(struct sks_gen *g, uint16_t type, size_t len)
{
	struct nlattr *a = sks_reserve(g, type, len);

	if (a)
		sks_fill_rand(g, mnl_attr_get_payload(a), len);
	return a;
}

static size_t sks_type_len(uint8_t type)
{
	switch (type) {
	case SKS_T_U8:
		return 1;
	case SKS_T_U16:
		return 2;
	case SKS_T_U64:
		return 8;
	case SKS_T_ADDR:
		return 16;
	default:
		return 4;
	}
}

/* A well-formed attribute of @type with a random or boundary value. */
static struct nlattr *sks_put_typed(struct sks_gen *g, uint16_t attr,
				    uint8_t type)
{
	uint64_t v = sks_value(g);
	struct nlattr *a;
	size_t len;
	char *p;

	if (type == SKS_T_STR) {
		len = 1 + sks_gbelow(g, 40);
		a = sks_reserve(g, attr, len);
		if (!a)
			return NULL;
		p = mnl_attr_get_payload(a);
		while (len-- > 1)
			*p++ = 'a' + sks_gbelow(g, 26);
		*p = 0;
		return a;
	}
	if (type == SKS_T_BIN)
		return sks_put_rand(g, attr, sks_gbelow(g, 130));
	if (type == SKS_T_NEST)
		return sks_reserve(g, attr | NLA_F_NESTED, 0);
	len = sks_type_len(type);
	a = sks_reserve(g, attr, len);
	if (!a)
		return NULL;
	p = mnl_attr_get_payload(a);
	if (type == SKS_T_ADDR) {
		sks_fill_rand(g, p, len);
		if (sks_chance(g, 3))
			memset(p + 4, 0, len - 4);
	} else {
		/* Little endian: the low bytes of v are the narrow value. */
		memcpy(p, &v, len);
	}
	return a;
}

/* A stage mask that is often acceptable: a few bits of the header's. */
static void sks_put_stages(struct sks_gen *g)
{
	uint32_t mask = sks_rand(&g->rng) & SKS_STAGES_ALL;
	struct nlattr *a;

	if (sks_chance(g, 2))
		mask &= BIT(SKBSTAMP_STAGE_SENDMSG) | BIT(SKBSTAMP_STAGE_SCHED) |
			BIT(SKBSTAMP_STAGE_SW);
	a = sks_reserve(g, SKBSTAMP_CFG_STAGES, 4);
	if (a)
		memcpy(mnl_attr_get_payload(a), &mask, 4);
}

static void sks_nest_end(struct sks_gen *g, struct nlattr *nest)
{
	nest->nla_len = (char *)mnl_nlmsg_get_payload_tail(g->nlh) - (char *)nest;
}

/* Up to @n well-formed CONFIG attributes of random types. */
static void sks_cfg_attrs(struct sks_gen *g, unsigned int n)
{
	while (n--) {
		uint16_t t = 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX);

		if (t == SKBSTAMP_CFG_STAGES && sks_chance(g, 2)) {
			sks_put_stages(g);
			continue;
		}
		if (sks_put_typed(g, t, sks_cfg_info[t].type) &&
		    sks_cfg_info[t].output)
			g->must_refuse = true;
	}
}

/* Limit what goes into a nest to what its u16 nla_len can say. */
static size_t sks_nest_cap(struct sks_gen *g, const struct nlattr *nest)
{
	size_t old = g->cap;
	size_t lim = (const char *)nest - (const char *)g->nlh + UINT16_MAX;

	if (lim < g->cap)
		g->cap = lim & ~(size_t)3;
	return old;
}

/* A CONFIG nest with up to @n well-formed attributes. */
static struct nlattr *sks_config(struct sks_gen *g, unsigned int n)
{
	struct nlattr *nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
	size_t cap;

	if (!nest)
		return NULL;
	cap = sks_nest_cap(g, nest);
	sks_cfg_attrs(g, n);
	g->cap = cap;
	sks_nest_end(g, nest);
	return nest;
}

/* A plausible request: nothing, or a CONFIG of random well-formed values. */
static void sks_gen_validish(struct sks_gen *g)
{
	if (sks_chance(g, 4))
		return;
	sks_config(g, sks_gbelow(g, 6));
	if (sks_chance(g, 8))
		sks_config(g, sks_gbelow(g, 3));
}

/* A CONFIG attribute of a fixed-size type with any other length. */
static void sks_gen_badlen(struct sks_gen *g)
{
	static const uint8_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 32, 200 };
	struct nlattr *nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
	uint16_t t = 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX);
	uint8_t type = sks_cfg_info[t].type;
	size_t len;

	if (!nest)
		return;
	sks_cfg_attrs(g, sks_gbelow(g, 3));
	do {
		len = lens[sks_gbelow(g, ARRAY_SIZE(lens))];
	} while (len == sks_type_len(type));
	if (sks_put_rand(g, t, len) &&
	    (sks_cfg_info[t].output ||
	     (type != SKS_T_UNKNOWN && type != SKS_T_BIN)))
		g->must_refuse = true;
	sks_cfg_attrs(g, sks_gbelow(g, 2));
	sks_nest_end(g, nest);
}

/*
 * The last attribute claims more than there is: at the end of the message
 * (nla_len larger than the message) or at the end of the CONFIG nest.
 */
static void sks_gen_overrun(struct sks_gen *g)
{
	struct nlattr *nest = NULL, *a;
	size_t room;

	if (sks_chance(g, 2)) {
		nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
		if (!nest)
			return;
		sks_cfg_attrs(g, sks_gbelow(g, 3));
	} else if (sks_chance(g, 2)) {
		sks_config(g, sks_gbelow(g, 3));
	}
	a = sks_put_rand(g, 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX + 2),
			 sks_gbelow(g, 9));
	if (!a)
		return;
	room = (char *)mnl_nlmsg_get_payload_tail(g->nlh) - (char *)a;
	a->nla_len = room + 1 + sks_gbelow(g, UINT16_MAX - room);
	if (nest)
		sks_nest_end(g, nest);
	g->must_refuse = true;
}

/* Up to three CONFIG nests of 1000 .. 8000 attributes: up to 160 KiB. */
static void sks_huge(struct sks_gen *g)
{
	unsigned int n;

	for (n = 1 + sks_gbelow(g, 3); n--;)
		sks_config(g, 1000 + sks_gbelow(g, 7000));
}

/* Very large attributes, or very many, or a very large message. */
static void sks_gen_oversize(struct sks_gen *g)
{
	struct nlattr *nest;
	size_t cap;

	switch (sks_gbelow(g, 8)) {
	case 0:
	case 1:
	case 2:		/* a fixed-size CONFIG attribute of 1 .. 64 KiB */
		nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
		if (!nest)
			return;
		cap = sks_nest_cap(g, nest);
		if (sks_put_rand(g, 1 + sks_gbelow(g, SKBSTAMP_CFG_PAD - 1),
				 sks_big_len(g)))
			g->must_refuse = true;
		g->cap = cap;
		sks_nest_end(g, nest);
		break;
	case 3:
	case 4:
	case 5:		/* a CONFIG nest full of valid attributes */
		sks_config(g, 100 + sks_gbelow(g, 2000));
		break;
	case 6:		/* a huge output-only attribute */
		if (sks_put_rand(g, SKBSTAMP_A_RECORDS, sks_big_len(g)))
			g->must_refuse = true;
		break;
	default:
		sks_huge(g);
		break;
	}
}

/* A non-nest attribute marked NLA_F_NESTED, at the top or in CONFIG. */
static void sks_gen_nestflag(struct sks_gen *g)
{
	struct nlattr *outer = NULL, *a;
	uint16_t t;

	if (sks_chance(g, 3)) {
		do {
			t = sks_gbelow(g, SKBSTAMP_A_MAX + 1);
		} while (!sks_top_info[t].output);
	} else {
		outer = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
		if (!outer)
			return;
		sks_cfg_attrs(g, sks_gbelow(g, 2));
		t = 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX);
	}
	a = sks_reserve(g, t | NLA_F_NESTED, 0);
	if (a) {
		sks_cfg_attrs(g, sks_gbelow(g, 3));
		sks_nest_end(g, a);
		g->must_refuse = true;
	}
	if (outer)
		sks_nest_end(g, outer);
}

/* CONFIG without NLA_F_NESTED, or CONFIG holding data, not attributes. */
static void sks_gen_nonest(struct sks_gen *g)
{
	struct nlattr *nest;

	if (sks_chance(g, 2)) {
		nest = sks_config(g, sks_gbelow(g, 4));
		if (nest) {
			nest->nla_type &= ~NLA_F_NESTED;
			g->must_refuse = true;
		}
		return;
	}
	/* 1 .. 3 bytes cannot hold an attribute header: always trailing. */
	if (sks_chance(g, 2)) {
		if (sks_put_rand(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED,
				 1 + sks_gbelow(g, 3)))
			g->must_refuse = true;
		return;
	}
	sks_put_rand(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 4 + sks_gbelow(g, 64));
}

/* Is @t a CONFIG attribute whose policy is known not to be a nest? */
static bool sks_cfg_not_nest(uint16_t t)
{
	return t > SKBSTAMP_CFG_MAX ||
	       (sks_cfg_info[t].type != SKS_T_UNKNOWN &&
		sks_cfg_info[t].type != SKS_T_NEST);
}

/*
 * Nests in nests, far deeper than the policy's one level: in CONFIG, or
 * in an unknown top-level attribute.
 */
static void sks_gen_deep(struct sks_gen *g)
{
	struct nlattr *stack[256];
	unsigned int depth = 2 + sks_gbelow(g, ARRAY_SIZE(stack) - 2), i;
	bool unknown = sks_chance(g, 4);
	uint16_t t = unknown ? SKBSTAMP_A_MAX + 1 + sks_gbelow(g, 8) :
			       SKBSTAMP_A_CONFIG;
	uint16_t second = 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX + 2);

	for (i = 0; i < depth; i++) {
		stack[i] = sks_reserve(g, t | NLA_F_NESTED, 0);
		if (!stack[i])
			break;
		t = i ? 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX + 2) : second;
	}
	depth = i;
	if (depth && (unknown || (depth > 1 && sks_cfg_not_nest(second))))
		g->must_refuse = true;
	sks_put_typed(g, 1 + sks_gbelow(g, SKBSTAMP_CFG_MAX), SKS_T_U32);
	while (depth--)
		sks_nest_end(g, stack[depth]);
}

/* Attribute types the policy does not know: 0, just above MAX, any. */
static uint16_t sks_unknown_type(struct sks_gen *g, uint16_t max)
{
	switch (sks_gbelow(g, 3)) {
	case 0:
		return 0;
	case 1:
		return max + 1 + sks_gbelow(g, 8);
	default:
		return max + 1 + sks_gbelow(g, NLA_TYPE_MASK - max);
	}
}

static void sks_gen_unknown(struct sks_gen *g)
{
	struct nlattr *nest;

	if (sks_chance(g, 2)) {
		sks_gen_validish(g);
		if (sks_put_rand(g, sks_unknown_type(g, SKBSTAMP_A_MAX),
				 sks_gbelow(g, 20)))
			g->must_refuse = true;
		return;
	}
	nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
	if (!nest)
		return;
	sks_cfg_attrs(g, sks_gbelow(g, 3));
	if (sks_put_rand(g, sks_unknown_type(g, SKBSTAMP_CFG_MAX), sks_gbelow(g, 20)))
		g->must_refuse = true;
	sks_cfg_attrs(g, sks_gbelow(g, 2));
	sks_nest_end(g, nest);
}

/* What the module sends, sent to it: VERSION, STATE, COUNTERS, RECORDS... */
static void sks_gen_output(struct sks_gen *g)
{
	unsigned int n = 1 + sks_gbelow(g, 3);
	struct nlattr *a;
	uint16_t t;

	if (sks_chance(g, 2))
		sks_config(g, sks_gbelow(g, 3));
	while (n--) {
		do {
			t = sks_gbelow(g, SKBSTAMP_A_MAX + 1);
		} while (!sks_top_info[t].output);
		a = sks_put_typed(g, t, sks_top_info[t].type);
		if (!a)
			continue;
		g->must_refuse = true;
		if (t == SKBSTAMP_A_COUNTERS) {
			sks_put_typed(g, SKBSTAMP_CNT_GENERATED, SKS_T_U64);
			sks_put_typed(g, SKBSTAMP_CNT_DELIVERED, SKS_T_U64);
			sks_nest_end(g, a);
		}
	}
}

static void sks_gen_random(struct sks_gen *g)
{
	struct genlmsghdr *gh = mnl_nlmsg_get_payload(g->nlh);
	size_t len = sks_gbelow(g, 512);

	gh->version = sks_gbelow(g, 256);
	if (sks_chance(g, 4))
		gh->reserved = sks_rand(&g->rng);
	if (g->nlh->nlmsg_len + len > g->cap)
		return;
	sks_fill_rand(g, mnl_nlmsg_get_payload_tail(g->nlh), len);
	g->nlh->nlmsg_len += len;
}

static void sks_gen_mutate(struct sks_gen *g)
{
	char *p = mnl_nlmsg_get_payload(g->nlh);
	size_t len;
	unsigned int n;

	sks_config(g, 1 + sks_gbelow(g, 5));
	g->must_refuse = false;
	len = g->nlh->nlmsg_len - SKS_GENL_MSG_MIN;
	p += GENL_HDRLEN;
	for (n = 1 + sks_gbelow(g, 8); n-- && len;) {
		if (sks_chance(g, 2))
			p[sks_gbelow(g, len)] ^= BIT(sks_gbelow(g, 8));
		else
			p[sks_gbelow(g, len)] = sks_rand(&g->rng);
	}
}

static void sks_gen_version(struct sks_gen *g)
{
	struct genlmsghdr *gh = mnl_nlmsg_get_payload(g->nlh);

	do {
		gh->version = sks_gbelow(g, 256);
	} while (gh->version == SKBSTAMP_GENL_VERSION);
	sks_gen_validish(g);
}

/* Flags a request has no business carrying; never both dump bits. */
static void sks_gen_hdr(struct sks_gen *g)
{
	static const uint16_t stray[] = {
		NLM_F_MULTI, NLM_F_ECHO, NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED,
		0x40, 0x80, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, 0x800,
		0x1000, 0x2000, 0x4000, 0x8000,
	};
	struct genlmsghdr *gh = mnl_nlmsg_get_payload(g->nlh);

	if (sks_chance(g, 2))
		gh->reserved = 1 + sks_gbelow(g, UINT16_MAX);
	else
		g->nlh->nlmsg_flags |= stray[sks_gbelow(g, ARRAY_SIZE(stray))];
	if ((g->nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		g->nlh->nlmsg_flags &= ~NLM_F_MATCH;
	sks_gen_validish(g);
}

/*
 * Dump requests (NLM_F_DUMP: ROOT and MATCH), for commands with and
 * without a dumpit; some with payloads of up to SKS_MSG_MAX.
 */
static void sks_gen_dump(struct sks_gen *g)
{
	g->nlh->nlmsg_flags |= NLM_F_DUMP;
	if (sks_chance(g, 200)) {
		sks_huge(g);
		return;
	}
	switch (sks_gbelow(g, 3)) {
	case 0:
		sks_gen_validish(g);
		break;
	case 1:
		sks_gen_unknown(g);
		break;
	default:
		sks_gen_random(g);
		break;
	}
}

/* Zero-length requests: no genl header, a partial one, or one alone. */
static void sks_gen_short(struct sks_gen *g)
{
	uint32_t len = sks_gbelow(g, GENL_HDRLEN + 1);

	g->nlh->nlmsg_len = NLMSG_HDRLEN + len;
	if (len < GENL_HDRLEN)
		g->must_refuse = true;
}

static void sks_gen_trailing(struct sks_gen *g)
{
	uint32_t n = 1 + sks_gbelow(g, 3);

	sks_gen_validish(g);
	if (MNL_ALIGN(g->nlh->nlmsg_len) + n > g->cap)
		return;
	sks_fill_rand(g, mnl_nlmsg_get_payload_tail(g->nlh), n);
	g->nlh->nlmsg_len = MNL_ALIGN(g->nlh->nlmsg_len) + n;
	g->must_refuse = true;
}

static void (*const sks_gens[SKS_K_NR])(struct sks_gen *g) = {
	[SKS_K_VALIDISH]	= sks_gen_validish,
	[SKS_K_BADLEN]		= sks_gen_badlen,
	[SKS_K_OVERRUN]		= sks_gen_overrun,
	[SKS_K_OVERSIZE]	= sks_gen_oversize,
	[SKS_K_NESTFLAG]	= sks_gen_nestflag,
	[SKS_K_NONEST]		= sks_gen_nonest,
	[SKS_K_DEEP]		= sks_gen_deep,
	[SKS_K_UNKNOWN]		= sks_gen_unknown,
	[SKS_K_OUTPUT]		= sks_gen_output,
	[SKS_K_RANDOM]		= sks_gen_random,
	[SKS_K_MUTATE]		= sks_gen_mutate,
	[SKS_K_VERSION]		= sks_gen_version,
	[SKS_K_HDR]		= sks_gen_hdr,
	[SKS_K_DUMP]		= sks_gen_dump,
	[SKS_K_SHORT]		= sks_gen_short,
	[SKS_K_TRAILING]	= sks_gen_trailing,
};

/*
 * A START that succeeds registers the hooks, and the STOP after it
 * unregisters them: the better part of a second each under TCG.  So all but
 * one START in SKS_START_ONE_IN that could succeed get a last CONFIG whose
 * buffer is out of range: parsed as a whole, then refused (ERANGE, or EBUSY
 * while running), as the last of a repeated attribute is the one used.
 */
static void sks_spoil_start(struct sks_gen *g)
{
	struct nlattr *nest;
	uint32_t buffer = sks_gbelow(g, 64);

	if (g->must_refuse || (g->nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP ||
	    g->nlh->nlmsg_len < SKS_GENL_MSG_MIN || g->nlh->nlmsg_len % 4)
		return;
	nest = sks_reserve(g, SKBSTAMP_A_CONFIG | NLA_F_NESTED, 0);
	if (!nest || !mnl_attr_put_check(g->nlh, g->cap, SKBSTAMP_CFG_BUFFER,
					 sizeof(buffer), &buffer))
		return;
	sks_nest_end(g, nest);
	g->must_refuse = true;
}

struct sks_meta {
	uint32_t idx;			/* message number */
	uint8_t kind;
	uint8_t cmd;
	bool dump;
	bool must_refuse;
	bool answered;
	enum sks_stop_at at;
};

/*
 * The deterministic sweep that opens a storm: every command number
 * without attributes, as a request and as a dump.  Message @idx of it.
 */
static unsigned int sks_sweep_len(void)
{
	return 2 * SKS_CMD_END;
}

/*
 * Build message @idx of the stream for @seed at @buf (at most @cap bytes)
 * and describe it in @m.
 */
static struct nlmsghdr *sks_generate(uint64_t seed, uint32_t idx, void *buf,
				     size_t cap, uint16_t family,
				     struct sks_meta *m)
{
	struct sks_gen g = { .cap = cap };
	unsigned int w = 0, k;
	uint8_t cmd;

	g.rng = seed ^ (0x51ed270b27f5e1a9ull * (idx + 1ull));
	sks_rand(&g.rng);
	memset(m, 0, sizeof(*m));
	m->idx = idx;
	if (idx < sks_sweep_len()) {
		g.nlh = sks_req(buf, family, idx % 2 ? NLM_F_DUMP : 0, idx / 2);
		m->kind = SKS_K_SWEEP;
		m->cmd = idx / 2;
		m->dump = idx % 2;
		return g.nlh;
	}
	/*
	 * Mostly commands the header knows, so most messages get past the
	 * generic layer to the family; else up to three beyond, or any.
	 */
	switch (sks_gbelow(&g, 16)) {
	case 0:
		cmd = sks_gbelow(&g, 256);
		break;
	case 1:
	case 2:
	case 3:
		cmd = sks_gbelow(&g, SKS_CMD_END);
		break;
	default:
		cmd = 1 + sks_gbelow(&g, SKBSTAMP_CMD_MAX);
		break;
	}
	g.nlh = sks_req(buf, family, 0, cmd);
	for (k = 0; k < SKS_K_NR; k++)
		w += sks_kinds[k].weight;
	w = sks_gbelow(&g, w);
	for (k = 0; w >= sks_kinds[k].weight; k++)
		w -= sks_kinds[k].weight;
	sks_gens[k](&g);
	if (cmd == SKBSTAMP_CMD_START && !sks_chance(&g, SKS_START_ONE_IN))
		sks_spoil_start(&g);
	m->kind = k;
	m->cmd = cmd;
	m->dump = (g.nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	m->must_refuse = g.must_refuse;
	return g.nlh;
}

/* --- the storm -------------------------------------------------------------- */

struct sks_storm {
	const struct sks_family *fam;
	struct sks_sock *s;
	uint64_t seed;
	bool unpriv;
	bool running;			/* the state our successes imply */
	/* The batch in flight. */
	struct sks_meta meta[SKS_BATCH_MAX];
	uint32_t seq0;
	unsigned int n, left;
	/* Tallies. */
	unsigned long sent, answered, ok, refused, dumps_done, replies;
	unsigned long starts, stops, accepted_invalid, bad_errno, stray;
	unsigned long errs[SKS_ERRNO_SLOTS];
	/* Refusals the family made, and those without an extack message. */
	unsigned long fam_refused, fam_noext[SKS_ERRNO_SLOTS];
	/* Refusals of the generic layer by where, with and without message. */
	unsigned long gen[SKS_AT_CMD + 1][2];
	unsigned long gen_unexpected;
	unsigned long dump_busy;	/* a dump while another ran: EBUSY */
	unsigned long kind_sent[SKS_K_NR], kind_ok[SKS_K_NR];
	unsigned long cmd_ok[256];
	unsigned long bytes;
	char sweep[SKS_CMD_END][2][64];
};

static void sks_storm_example(struct sks_storm *st, const struct sks_meta *m,
			      const struct sks_ack *a, const char *what)
{
	sks_fail("%s: message %u (%s, cmd %u%s): %s%s%s; replay: %s storm --seed %llu --only %u",
		 what, m->idx, sks_kinds[m->kind].name, m->cmd,
		 m->dump ? ", dump" : "", sks_errname(-a->error),
		 a->has_msg ? ", extack: " : ", no extack", a->msg, sks_prog,
		 (unsigned long long)st->seed, m->idx);
}

/* A START or STOP that worked or was refused: does it fit the state? */
static void sks_storm_state(struct sks_storm *st, const struct sks_meta *m,
			    const struct sks_ack *a)
{
	if (m->dump)
		return;
	if (m->cmd == SKBSTAMP_CMD_START) {
		if (!a->error && st->running)
			sks_storm_example(st, m, a, "START succeeded while running");
		if (a->error == -EBUSY && !st->running)
			sks_storm_example(st, m, a, "START said EBUSY while stopped");
		if (!a->error) {
			st->running = true;
			st->starts++;
		}
	} else if (m->cmd == SKBSTAMP_CMD_STOP) {
		if (!a->error && !st->running)
			sks_storm_example(st, m, a, "STOP succeeded while stopped");
		if (a->error == -EALREADY && st->running)
			sks_storm_example(st, m, a, "STOP said EALREADY while running");
		if (!a->error) {
			st->running = false;
			st->stops++;
		}
	}
}

/*
 * What the generic layer answers when it refuses before the family sees a
 * request, and whether with an extack message, as found on Debian's 5.10,
 * 6.1, 6.12 and 7.2: no complete genlmsghdr, EINVAL without a message;
 * reserved byte or stray nlmsg_flags (6.1 on; 5.10 ignores both), EINVAL
 * with one; no op for the command, or a dump without a dumpit, EOPNOTSUPP
 * without one; no CAP_NET_ADMIN, EPERM without one.  So only refusals by
 * the family's policy and handlers must carry a message.
 */
static const int sks_at_errno[] = {
	[SKS_AT_SHORT] = -EINVAL, [SKS_AT_HDR] = -EINVAL,
	[SKS_AT_CMD] = -EOPNOTSUPP,
};

/* Judge one answer of a privileged storm, counted already. */
static void sks_judge(struct sks_storm *st, const struct sks_meta *m,
		      const struct sks_ack *a)
{
	if (!a->error) {
		if (m->must_refuse || m->at != SKS_AT_FAMILY) {
			st->accepted_invalid++;
			sks_storm_example(st, m, a, "accepted a message it must refuse");
		}
		sks_storm_state(st, m, a);
		return;
	}
	/*
	 * A dump while another dump of this socket is still running: the
	 * netlink core answers EBUSY (netlink_dump_start()), without a
	 * message, before the family sees the request.
	 */
	if (m->dump && a->error == -EBUSY && !a->has_msg) {
		st->dump_busy++;
		return;
	}
	if (m->at == SKS_AT_FAMILY) {
		st->fam_refused++;
		if (!a->has_msg) {
			st->fam_noext[-a->error]++;
			sks_storm_example(st, m, a, "the family refused without an extack message");
		}
		sks_storm_state(st, m, a);
		return;
	}
	st->gen[m->at][a->has_msg]++;
	if (a->error != sks_at_errno[m->at]) {
		st->gen_unexpected++;
		if (sks_verbose)
			sks_storm_example(st, m, a, "generic refusal not as expected");
	}
}

/*
 * Judge one answer of an unprivileged storm: nothing may get through, and
 * what would reach the family is refused for want of CAP_NET_ADMIN.
 */
static void sks_judge_unpriv(struct sks_storm *st, const struct sks_meta *m,
			     const struct sks_ack *a)
{
	if (!a->error) {
		st->accepted_invalid++;
		sks_storm_example(st, m, a, "an unprivileged request was accepted");
	} else if (m->at == SKS_AT_FAMILY && a->error != -EPERM) {
		sks_storm_example(st, m, a, "expected EPERM");
	} else if (m->at != SKS_AT_FAMILY && a->error != -EPERM &&
		   a->error != sks_at_errno[m->at]) {
		sks_storm_example(st, m, a, "refused for an unexpected reason");
	}
}

/* Count one answer, then judge it. */
static void sks_storm_answer(struct sks_storm *st, const struct sks_meta *m,
			     const struct sks_ack *a)
{
	if (a->error > 0 || -a->error >= SKS_ERRNO_SLOTS) {
		st->bad_errno++;
		sks_storm_example(st, m, a, "answer without a valid errno");
		return;
	}
	if (a->error) {
		st->refused++;
		st->errs[-a->error]++;
	} else {
		st->ok++;
		st->kind_ok[m->kind]++;
		st->cmd_ok[m->cmd]++;
	}
	if (st->unpriv)
		sks_judge_unpriv(st, m, a);
	else
		sks_judge(st, m, a);
}

static void sks_sweep_note(struct sks_storm *st, const struct sks_meta *m,
			   const struct sks_ack *a)
{
	snprintf(st->sweep[m->cmd][m->dump], sizeof(st->sweep[0][0]), "%s%s",
		 a->error ? sks_errname(-a->error) : "ok",
		 a->error && a->has_msg ? "+msg" : "");
}

static void sks_storm_reply(struct sks_storm *st, const struct nlmsghdr *nlh,
			    const struct sks_meta *m)
{
	struct sks_status s;

	st->replies++;
	if (m->dump || m->cmd != SKBSTAMP_CMD_GET)
		return;
	sks_status_parse(nlh, &s);
	if (!s.valid)
		return;
	/* The state as of the requests before this one. */
	if (!sks_status_check(&s, st->running, "GET during the storm"))
		sks_fail("  (GET was message %u)", m->idx);
}

/* Handle one datagram of answers to the batch in flight. */
static void sks_storm_datagram(struct sks_storm *st, const void *buf, int len)
{
	const struct nlmsghdr *nlh = buf;
	struct sks_meta *m;
	struct sks_ack a;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		uint32_t i = nlh->nlmsg_seq - st->seq0;

		if (i >= st->n) {
			st->stray++;
			sks_fail("message for seq %u outside the batch", nlh->nlmsg_seq);
			continue;
		}
		m = &st->meta[i];
		if (!sks_is_ack(nlh)) {
			sks_storm_reply(st, nlh, m);
			continue;
		}
		if (m->answered) {
			sks_fail("message %u answered twice", m->idx);
			continue;
		}
		m->answered = true;
		st->answered++;
		st->left--;
		if (!sks_parse_ack(nlh, &a))
			sks_fail("malformed answer to message %u", m->idx);
		if (a.done)
			st->dumps_done++;
		if (sks_verbose && st->n == 1)
			fprintf(stderr, "answer: %s%s%s%s\n",
				a.error ? sks_errname(-a.error) : "ok",
				a.done ? " (NLMSG_DONE)" : "",
				a.has_msg ? ", extack: " : "", a.msg);
		if (m->kind == SKS_K_SWEEP)
			sks_sweep_note(st, m, &a);
		sks_storm_answer(st, m, &a);
	}
}

static void sks_hexdump(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", b[i], i % 16 == 15 || i + 1 == len ? "\n" : " ");
}

/* Send the batch in @buf (@len bytes, st->n messages) and read all answers. */
static int sks_storm_batch(struct sks_storm *st, const void *buf, size_t len)
{
	int n, i;

	if (send(mnl_socket_get_fd(st->s->nl), buf, len, 0) != (ssize_t)len) {
		sks_fail("sending a batch of %u messages (%zu bytes): %s", st->n,
			 len, strerror(errno));
		return -1;
	}
	st->sent += st->n;
	st->bytes += len;
	st->left = st->n;
	while (st->left) {
		n = sks_recv(st->s, SKS_RX_VLEN, SKS_TIMEOUT_MS);
		if (n <= 0) {
			sks_fail("%u of %u messages got no answer: %s", st->left,
				 st->n, n < 0 ? strerror(errno) : "timeout");
			return -1;
		}
		for (i = 0; i < n; i++)
			sks_storm_datagram(st, st->s->iov[i].iov_base,
					   st->s->mm[i].msg_len);
	}
	return 0;
}

/* Build the next batch from message @idx on; returns its length in bytes. */
static size_t sks_storm_fill(struct sks_storm *st, char *buf, size_t limit,
			     uint32_t idx, uint32_t end, unsigned int max)
{
	size_t off = 0;
	struct nlmsghdr *nlh;

	st->seq0 = st->s->seq + 1;
	for (st->n = 0; st->n < max && idx < end; st->n++, idx++) {
		struct sks_meta *m = &st->meta[st->n];

		if (off + SKS_MSG_MAX > limit && st->n)
			break;
		nlh = sks_generate(st->seed, idx, buf + off, SKS_MSG_MAX,
				   st->fam->id, m);
		nlh->nlmsg_seq = ++st->s->seq;
		m->at = sks_stop_at(st->fam, nlh);
		st->kind_sent[m->kind]++;
		if (sks_verbose && max == 1) {
			fprintf(stderr, "message %u: %s, cmd %u, %u bytes, stops at %s%s\n",
				idx, sks_kinds[m->kind].name, m->cmd, nlh->nlmsg_len,
				sks_stop_names[m->at],
				m->must_refuse ? ", must be refused" : "");
			sks_hexdump(nlh, nlh->nlmsg_len);
		}
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	return off;
}

/*
 * Messages the netlink core drops without an answer, by design: an empty
 * datagram, one shorter than nlmsghdr, nlmsg_len below the header or
 * beyond the datagram.  Each goes alone; then a GET must be the next
 * thing answered, with nothing before it.
 */
static void sks_core_probes(struct sks_storm *st)
{
	char buf[64] = { 0 };
	struct nlmsghdr *nlh = (void *)buf;
	int fd = mnl_socket_get_fd(st->s->nl);
	struct sks_status s;
	struct sks_ack a;
	unsigned int i;
	int err;

	for (i = 0; i < 4; i++) {
		size_t len = sizeof(buf);

		sks_req(buf, st->fam->id, 0, SKBSTAMP_CMD_STOP);
		nlh->nlmsg_seq = ++st->s->seq;
		if (i == 0)
			len = 0;
		else if (i == 1)
			len = 8;
		else if (i == 2)
			nlh->nlmsg_len = 8;
		else
			nlh->nlmsg_len = sizeof(buf) + 4;
		/*
		 * Some kernels refuse an empty datagram in send() itself
		 * (ENODATA, "Zero length message leads to an empty skb").
		 */
		err = send(fd, buf, len, 0) < 0 ? errno : 0;
		if (err && !(i == 0 && err == ENODATA))
			sks_fail("core probe %u: send: %s", i, strerror(err));
		else if (i == 0)
			printf("%s: core probe: empty datagram: %s\n",
			       st->unpriv ? "unpriv" : "storm",
			       err ? "send() refused it with ENODATA" : "taken, no answer");
	}
	/* sks_transact() fails on any answer to another seq. */
	if (sks_simple(st->s, st->fam, SKBSTAMP_CMD_GET, 0,
		       st->unpriv ? NULL : &s, &a) == 0 && !st->unpriv &&
	    (a.error || !s.valid))
		sks_fail("GET after the core probes: %s", sks_errname(-a.error));
}

/* Does the kernel refuse a non-zero genlmsghdr.reserved by itself? */
static void sks_probe_strict_hdr(struct sks_sock *s, struct sks_family *fam)
{
	char buf[64];
	struct nlmsghdr *nlh = sks_req(buf, fam->id, 0, SKBSTAMP_CMD_GET);
	struct sks_ack a;

	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->reserved = 1;
	if (sks_transact(s, nlh, NULL, NULL, &a) == 0)
		fam->strict_hdr = a.error == -EINVAL;
}

static void sks_print_errs(const char *key, const unsigned long *errs)
{
	bool first = true;
	int e;

	printf(" %s=", key);
	for (e = 1; e < SKS_ERRNO_SLOTS; e++) {
		if (!errs[e])
			continue;
		printf("%s%s:%lu", first ? "" : ",", sks_errname(e), errs[e]);
		first = false;
	}
	if (first)
		printf("none");
}

static void sks_storm_report(struct sks_storm *st, uint64_t ms)
{
	unsigned long fam_noext = 0;
	unsigned int k, c;
	int e;

	for (e = 0; e < SKS_ERRNO_SLOTS; e++)
		fam_noext += st->fam_noext[e];
	for (c = 0; c < SKS_CMD_END; c++)
		printf("%s sweep: cmd %u: request %s, dump %s\n",
		       st->unpriv ? "unpriv" : "storm", c, st->sweep[c][0], st->sweep[c][1]);
	printf("%s kinds:", st->unpriv ? "unpriv" : "storm");
	for (k = 0; k < SKS_K_NR; k++)
		printf(" %s=%lu/%lu", sks_kinds[k].name, st->kind_ok[k], st->kind_sent[k]);
	printf(" (accepted/sent)\n");
	if (!st->unpriv) {
		printf("storm successes by command:");
		for (c = 0; c < 256; c++)
			if (st->cmd_ok[c])
				printf(" %u:%lu", c, st->cmd_ok[c]);
		printf("\n");
		/* Refused before the family: without/with an extack message. */
		printf("storm generic refusals (no extack/extack): short=%lu/%lu",
		       st->gen[SKS_AT_SHORT][0], st->gen[SKS_AT_SHORT][1]);
		printf(" header=%lu/%lu command=%lu/%lu dump_busy=%lu unexpected_errno=%lu\n",
		       st->gen[SKS_AT_HDR][0], st->gen[SKS_AT_HDR][1],
		       st->gen[SKS_AT_CMD][0], st->gen[SKS_AT_CMD][1],
		       st->dump_busy, st->gen_unexpected);
	}
	printf("%s summary:", st->unpriv ? "unpriv" : "storm");
	sks_kv("seed", st->seed);
	sks_kv("sent", st->sent);
	sks_kv("answered", st->answered);
	sks_kv("ok", st->ok);
	sks_kv("refused", st->refused);
	sks_kv("bad_errno", st->bad_errno);
	sks_kv("accepted_invalid", st->accepted_invalid);
	sks_kv("stray", st->stray);
	if (!st->unpriv) {
		sks_kv("family_refused", st->fam_refused);
		sks_kv("family_noextack", fam_noext);
		sks_kv("starts", st->starts);
		sks_kv("stops", st->stops);
		sks_kv("dumps_done", st->dumps_done);
		sks_kv("replies", st->replies);
		sks_kv("strict_hdr", st->fam->strict_hdr);
	}
	sks_print_errs("errno", st->errs);
	if (!st->unpriv)
		sks_print_errs("family_noextack_errno", st->fam_noext);
	sks_kv("bytes", st->bytes);
	sks_kv("ms", ms);
	sks_kv("per_s", ms ? st->sent * 1000 / ms : 0);
	printf("\n");
	fflush(stdout);
}

struct sks_args {
	uint64_t seed;
	unsigned long count;
	bool count_set;		/* --count given: cycles' default differs */
	unsigned int batch;
	long only;
	unsigned int threads;
	unsigned int seconds;
	unsigned int hold_ms;
};

/* Run the storm over an open, resolved socket. */
static void sks_storm_run(struct sks_storm *st, const struct sks_args *args)
{
	size_t limit = SKS_BATCH_BYTES, len;
	uint32_t idx = 0, end = sks_sweep_len() + args->count;
	unsigned int max = args->batch;
	uint64_t t0 = sks_now_ms();
	char *buf;

	/* Each datagram must fit the send buffer, and the answers the receive one. */
	if (limit > (size_t)st->s->sndbuf / 2)
		limit = st->s->sndbuf / 2;
	if (limit < SKS_MSG_MAX + 4096) {
		fprintf(stderr, "%s: send buffer of %d bytes is too small\n", sks_prog,
			st->s->sndbuf);
		sks_failures++;
		return;
	}
	if (max > (unsigned int)st->s->rcvbuf / 8192)
		max = st->s->rcvbuf / 8192;
	if (args->only >= 0) {
		idx = args->only;
		end = idx + 1;
		max = 1;
	}
	buf = calloc(1, limit + SKS_MSG_MAX);
	if (!buf) {
		sks_fail("out of memory");
		return;
	}
	sks_core_probes(st);
	while (idx < end && sks_failures < SKS_FAIL_PRINT_MAX) {
		len = sks_storm_fill(st, buf, limit, idx, end, max);
		idx += st->n;
		if (sks_storm_batch(st, buf, len) < 0)
			break;
	}
	free(buf);
	sks_storm_report(st, sks_now_ms() - t0);
}

static void sks_mode_storm(struct sks_sock *s, struct sks_family *fam,
			   const struct sks_args *args)
{
	static struct sks_storm st;
	struct sks_status now;

	st.fam = fam;
	st.s = s;
	st.seed = args->seed;
	/* Start from the module's real state. */
	if (!sks_get(s, fam, &now) ||
	    !sks_status_check(&now, -1, "GET before the storm"))
		return;
	st.running = now.state == SKBSTAMP_STATE_RUNNING;
	sks_storm_run(&st, args);
	if (args->only < 0)
		sks_final_checks(s, fam, st.running, "storm");
}

/* --- unprivileged ------------------------------------------------------------ */

/* Joining the records group must fail: setsockopt and (if < 32) bind. */
static void sks_unpriv_join(struct sks_sock *s, const struct sks_family *fam)
{
	int fd = mnl_socket_get_fd(s->nl);
	uint32_t grp = fam->records_grp;
	const char *bind_res = "n/a";
	int err = 0;

	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) == 0)
		sks_fail("an unprivileged process joined the records group (%u)", grp);
	else
		err = errno;
	if (err && err != EPERM)
		sks_fail("joining the records group: %s, expected EPERM", strerror(err));
	if (grp <= 32) {
		struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);

		if (!nl || mnl_socket_bind(nl, BIT(grp - 1), MNL_SOCKET_AUTOPID) == 0)
			sks_fail("an unprivileged process bound to the records group (%u)", grp);
		else
			bind_res = errno == EPERM ? "EPERM" : strerror(errno);
		if (nl)
			mnl_socket_close(nl);
	}
	printf("unpriv: records group %u: setsockopt(NETLINK_ADD_MEMBERSHIP) %s, bind %s\n",
	       grp, err ? sks_errname(err) : "ok", bind_res);
}

static void sks_mode_unpriv(struct sks_sock *s, struct sks_family *fam,
			    const struct sks_args *args)
{
	static struct sks_storm st;

	sks_unpriv_join(s, fam);
	st.fam = fam;
	st.s = s;
	st.seed = args->seed;
	st.unpriv = true;
	sks_storm_run(&st, args);
}

/* --- races ------------------------------------------------------------------- */

enum sks_race_op { SKS_OP_GET, SKS_OP_START, SKS_OP_STOP, SKS_OP_SET, SKS_OP_NR };

static const char * const sks_op_names[SKS_OP_NR] = {
	"get", "start", "stop", "set",
};

struct sks_race {
	const struct sks_family *fam;
	uint64_t seed;
	uint64_t deadline_ms;
	bool have_set;
	volatile bool traffic_stop;
	pthread_mutex_t lock;
	/* Merged tallies: answers by op and errno (0: ok). */
	unsigned long res[SKS_OP_NR][SKS_ERRNO_SLOTS];
	unsigned long running_gets, unbalanced_running;
	unsigned long stopped_gets;
	unsigned long datagrams;
};

struct sks_racer {
	struct sks_race *r;
	unsigned int id;
	unsigned long res[SKS_OP_NR][SKS_ERRNO_SLOTS];
	unsigned long running_gets, unbalanced_running, stopped_gets;
};

/* The errnos each operation may legitimately answer with in a race. */
static bool sks_race_expected(enum sks_race_op op, int err)
{
	switch (op) {
	case SKS_OP_START:
		return !err || err == -EBUSY;
	case SKS_OP_STOP:
		return !err || err == -EALREADY;
	case SKS_OP_SET:
		return !err || err == -EALREADY;
	default:
		return !err;
	}
}

static void sks_race_build(struct sks_racer *me, uint64_t *rng,
			   enum sks_race_op op, struct nlmsghdr **out, char *buf)
{
	static const uint8_t cmds[SKS_OP_NR] = {
		[SKS_OP_GET] = SKBSTAMP_CMD_GET,
		[SKS_OP_START] = SKBSTAMP_CMD_START,
		[SKS_OP_STOP] = SKBSTAMP_CMD_STOP,
#ifdef SKS_HAVE_SKBSTAMP_CMD_SET
		[SKS_OP_SET] = SKBSTAMP_CMD_SET,
#endif
	};
	struct nlmsghdr *nlh = sks_req(buf, me->r->fam->id, 0, cmds[op]);
	struct nlattr *nest;

	/*
	 * START and SET with a sampling rate and the default buffer: SET
	 * cannot change the buffer, and absent means the default.
	 */
	if (op == SKS_OP_START || op == SKS_OP_SET) {
		nest = mnl_attr_nest_start(nlh, SKBSTAMP_A_CONFIG);
		mnl_attr_put_u32(nlh, SKBSTAMP_CFG_SAMPLE, sks_below(rng, 4));
		mnl_attr_nest_end(nlh, nest);
	}
	*out = nlh;
}

static void *sks_racer_fn(void *arg)
{
	struct sks_racer *me = arg;
	uint64_t rng = me->r->seed + me->id;
	struct sks_status st;
	struct nlmsghdr *nlh;
	struct sks_ack a;
	struct sks_sock s;
	char buf[256];
	unsigned int ops = me->r->have_set ? SKS_OP_NR : SKS_OP_SET;

	if (sks_sock_open(&s) < 0) {
		sks_fail("racer %u: no socket", me->id);
		return NULL;
	}
	while (sks_now_ms() < me->r->deadline_ms) {
		/* GET as often as all the others together. */
		enum sks_race_op op = sks_below(&rng, 2) ? SKS_OP_GET :
				      1 + sks_below(&rng, ops - 1);

		sks_race_build(me, &rng, op, &nlh, buf);
		st.valid = false;
		if (sks_transact(&s, nlh, sks_status_parse, &st, &a) < 0)
			break;
		if (a.error > 0 || -a.error >= SKS_ERRNO_SLOTS) {
			sks_fail("racer %u: %s answered %d", me->id, sks_op_names[op], a.error);
			continue;
		}
		me->res[op][-a.error]++;
		if (!sks_race_expected(op, a.error))
			sks_fail("racer %u: %s refused: %s%s%s", me->id, sks_op_names[op],
				 sks_errname(-a.error), a.has_msg ? ": " : "", a.msg);
		else if (a.error && !a.has_msg)
			sks_fail("racer %u: %s refused with %s and no extack message",
				 me->id, sks_op_names[op], sks_errname(-a.error));
		if (op != SKS_OP_GET || a.error)
			continue;
		/* A stopped module's counters must balance; sks_status_check() says. */
		sks_status_check(&st, -1, "GET during the race");
		if (st.state == SKBSTAMP_STATE_RUNNING) {
			me->running_gets++;
			me->unbalanced_running += st.cnt[SKBSTAMP_CNT_GENERATED] !=
						  sks_accounted(&st);
		} else {
			me->stopped_gets++;
		}
	}
	sks_sock_close(&s);
	return NULL;
}

/* UDP to a closed port on loopback: records for the hooks, nothing else. */
static void *sks_traffic_fn(void *arg)
{
	struct sks_race *r = arg;
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(9),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timespec gap = { .tv_nsec = 200000 };
	char payload[64] = "sks-nlfuzz";
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return NULL;
	while (!r->traffic_stop) {
		if (sendto(fd, payload, sizeof(payload), 0, (void *)&to, sizeof(to)) > 0)
			r->datagrams++;
		nanosleep(&gap, NULL);
	}
	close(fd);
	return NULL;
}

/* Is SET there?  An unknown command is refused with EOPNOTSUPP. */
static bool sks_probe_set(struct sks_sock *s, const struct sks_family *fam)
{
#ifdef SKS_HAVE_SKBSTAMP_CMD_SET
	struct sks_ack a;

	if (sks_simple(s, fam, SKBSTAMP_CMD_SET, 0, NULL, &a) < 0)
		return false;
	return a.error != -EOPNOTSUPP;
#else
	(void)s;
	(void)fam;
	return false;
#endif
}

static void sks_race_merge(struct sks_race *r, const struct sks_racer *me)
{
	unsigned int op, e;

	for (op = 0; op < SKS_OP_NR; op++)
		for (e = 0; e < SKS_ERRNO_SLOTS; e++)
			r->res[op][e] += me->res[op][e];
	r->running_gets += me->running_gets;
	r->unbalanced_running += me->unbalanced_running;
	r->stopped_gets += me->stopped_gets;
}

static void sks_race_report(const struct sks_race *r, unsigned int threads,
			    unsigned int seconds)
{
	unsigned long total = 0;
	unsigned int op;
	int e;

	for (op = 0; op < SKS_OP_NR; op++)
		for (e = 0; e < SKS_ERRNO_SLOTS; e++)
			total += r->res[op][e];
	printf("race summary: threads=%u seconds=%u set=%s requests=%lu",
	       threads, seconds, r->have_set ? "yes" : "absent", total);
	for (op = 0; op < SKS_OP_NR; op++) {
		printf(" %s_ok=%lu", sks_op_names[op], r->res[op][0]);
		sks_print_errs(sks_op_names[op], r->res[op]);
	}
	printf(" stopped_gets=%lu running_gets=%lu running_unbalanced=%lu datagrams=%lu\n",
	       r->stopped_gets, r->running_gets, r->unbalanced_running, r->datagrams);
	fflush(stdout);
}

static void sks_mode_race(struct sks_sock *s, struct sks_family *fam,
			  const struct sks_args *args)
{
	static struct sks_racer racers[SKS_THREADS_MAX];
	static struct sks_race r;
	pthread_t tids[SKS_THREADS_MAX], traffic;
	unsigned int i, n = args->threads;

	r.fam = fam;
	r.seed = args->seed;
	r.have_set = sks_probe_set(s, fam);
	r.deadline_ms = sks_now_ms() + args->seconds * 1000ull;
	pthread_create(&traffic, NULL, sks_traffic_fn, &r);
	for (i = 0; i < n; i++) {
		racers[i].r = &r;
		racers[i].id = i;
		if (pthread_create(&tids[i], NULL, sks_racer_fn, &racers[i])) {
			sks_fail("pthread_create");
			n = i;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(tids[i], NULL);
		sks_race_merge(&r, &racers[i]);
	}
	r.traffic_stop = true;
	pthread_join(traffic, NULL);
	sks_race_report(&r, n, args->seconds);
	if (!r.res[SKS_OP_START][0] || !r.res[SKS_OP_STOP][0])
		sks_fail("the race never started or never stopped tracing");
	sks_final_checks(s, fam, -1, "race");
}

/* --- start/stop cycles ------------------------------------------------------- */

/* One START or STOP (default configuration) that must succeed. */
static bool sks_cycle_cmd(struct sks_sock *s, const struct sks_family *fam,
			  uint8_t cmd, const char *what, unsigned long i)
{
	struct sks_ack ack;

	if (sks_simple(s, fam, cmd, 0, NULL, &ack) < 0)
		return false;
	if (ack.error)
		return !sks_fail("cycle %lu: %s refused: %s%s%s", i, what,
				 sks_errname(-ack.error), ack.has_msg ? ": " : "",
				 ack.msg);
	return true;
}

static void sks_mode_cycles(struct sks_sock *s, struct sks_family *fam,
			    const struct sks_args *args)
{
	struct timespec hold = {
		.tv_sec = args->hold_ms / 1000,
		.tv_nsec = (args->hold_ms % 1000) * 1000000L,
	};
	unsigned long i, done = 0, traced = 0;
	unsigned long n = args->count_set ? args->count : 200;
	unsigned long long generated = 0;
	struct sks_status st;
	char where[64];

	for (i = 1; i <= n; i++) {
		if (!sks_cycle_cmd(s, fam, SKBSTAMP_CMD_START, "START", i))
			break;
		nanosleep(&hold, NULL);
		snprintf(where, sizeof(where), "cycle %lu, running", i);
		if (!sks_get(s, fam, &st) ||
		    !sks_status_check(&st, SKBSTAMP_STATE_RUNNING, where))
			break;
		if (!sks_cycle_cmd(s, fam, SKBSTAMP_CMD_STOP, "STOP", i))
			break;
		snprintf(where, sizeof(where), "cycle %lu, stopped", i);
		if (!sks_get(s, fam, &st) ||
		    !sks_status_check(&st, SKBSTAMP_STATE_STOPPED, where))
			break;
		generated += st.cnt[SKBSTAMP_CNT_GENERATED];
		traced += st.cnt[SKBSTAMP_CNT_GENERATED] != 0;
		done++;
	}
	printf("cycles summary: cycles=%lu traced=%lu generated=%llu\n", done,
	       traced, generated);
}

/* --- main -------------------------------------------------------------------- */

static void sks_mode_resolve(struct sks_sock *s, struct sks_family *fam,
			     const struct sks_args *args)
{
	unsigned int c;

	(void)s;
	(void)args;
	printf("family %s id %u version %u maxattr %u records group %u strict header %s\n",
	       SKBSTAMP_GENL_NAME, fam->id, fam->version, fam->maxattr,
	       fam->records_grp, fam->strict_hdr ? "yes" : "no");
	for (c = 0; c < ARRAY_SIZE(fam->op_flags); c++)
		if (fam->op_flags[c])
			printf("op %u flags %#x%s%s%s\n", c, fam->op_flags[c],
			       fam->op_flags[c] & GENL_CMD_CAP_DO ? " do" : "",
			       fam->op_flags[c] & GENL_CMD_CAP_DUMP ? " dump" : "",
			       fam->op_flags[c] & GENL_ADMIN_PERM ? " admin" : "");
}

static void sks_mode_check(struct sks_sock *s, struct sks_family *fam,
			   const struct sks_args *args)
{
	(void)args;
	sks_final_checks(s, fam, -1, "check");
}

static const struct {
	const char *name;
	void (*run)(struct sks_sock *s, struct sks_family *fam,
		    const struct sks_args *args);
} sks_modes[] = {
	{ "resolve", sks_mode_resolve },
	{ "storm", sks_mode_storm },
	{ "unpriv", sks_mode_unpriv },
	{ "race", sks_mode_race },
	{ "cycles", sks_mode_cycles },
	{ "check", sks_mode_check },
};

static bool sks_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && *s && !*end && *v <= max;
}

static int sks_parse_args(int argc, char **argv, struct sks_args *a)
{
	unsigned long long v;
	int i;

	for (i = 2; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--verbose")) {
			sks_verbose = true;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (!strcmp(o, "--seed") && sks_num(argv[i + 1], UINT64_MAX, &v)) {
			a->seed = v;
		} else if (!strcmp(o, "--count") && sks_num(argv[i + 1], 100000000, &v)) {
			a->count = v;
			a->count_set = true;
		} else if (!strcmp(o, "--batch") && sks_num(argv[i + 1], SKS_BATCH_MAX, &v) && v) {
			a->batch = v;
		} else if (!strcmp(o, "--only") && sks_num(argv[i + 1], UINT32_MAX - 1, &v)) {
			a->only = v;
		} else if (!strcmp(o, "--threads") &&
			   sks_num(argv[i + 1], SKS_THREADS_MAX, &v) && v) {
			a->threads = v;
		} else if (!strcmp(o, "--seconds") && sks_num(argv[i + 1], 3600, &v)) {
			a->seconds = v;
		} else if (!strcmp(o, "--hold-ms") && sks_num(argv[i + 1], 60000, &v)) {
			a->hold_ms = v;
		} else {
			return -1;
		}
		i++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sks_args args = {
		.seed = 1, .count = 100000, .batch = 8, .only = -1,
		.threads = 4, .seconds = 3, .hold_ms = 20,
	};
	const char *mode = argc > 1 ? argv[1] : "";
	struct sks_family fam;
	struct sks_sock s;
	unsigned int i;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&sks_uts);
	if (sks_parse_args(argc, argv, &args) < 0) {
		sks_help(stderr);
		return SKS_EXIT_USAGE;
	}
	if (!strcmp(mode, "-h") || !strcmp(mode, "--help")) {
		sks_help(stdout);
		return SKS_EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(sks_modes); i++) {
		if (strcmp(mode, sks_modes[i].name))
			continue;
		if (sks_sock_open(&s) < 0)
			return SKS_EXIT_FAIL;
		rc = sks_resolve(&s, &fam);
		if (rc)
			return rc;
		sks_probe_strict_hdr(&s, &fam);
		sks_modes[i].run(&s, &fam, &args);
		sks_sock_close(&s);
		return sks_failures ? SKS_EXIT_FAIL : SKS_EXIT_OK;
	}
	sks_help(stderr);
	return SKS_EXIT_USAGE;
}
