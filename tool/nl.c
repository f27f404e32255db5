// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing: resolve the family, send one request, collect
 * its replies, and turn a refusal into an error message the user can act on
 * (the kernel's extended ack text when it sent one).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int sks_nl_open(struct sks_ctx *ctx)
{
	int one = 1;
	int err;

	ctx->sk = nl_socket_alloc();
	if (!ctx->sk) {
		fprintf(stderr, "skbstamp: out of memory\n");
		return SKS_EXIT_KERNEL;
	}
	err = genl_connect(ctx->sk);
	if (err < 0) {
		fprintf(stderr, "skbstamp: cannot open a generic netlink socket: %s\n",
			nl_geterror(err));
		return SKS_EXIT_KERNEL;
	}
	/* Ask for the kernel's reason with every error, and not our request. */
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	ctx->family = genl_ctrl_resolve(ctx->sk, SKBSTAMP_GENL_NAME);
	if (ctx->family == -NLE_OBJ_NOTFOUND) {
		if (ctx->quiet)
			return SKS_EXIT_NOMOD;
		fprintf(stderr,
			"skbstamp: the skbstamp kernel module is not loaded; load it with 'modprobe skbstamp'\n");
		return SKS_EXIT_NOMOD;
	}
	if (ctx->family < 0) {
		fprintf(stderr, "skbstamp: cannot resolve generic netlink family '%s': %s\n",
			SKBSTAMP_GENL_NAME, nl_geterror(ctx->family));
		return SKS_EXIT_KERNEL;
	}
	return SKS_EXIT_OK;
}

void sks_nl_close(struct sks_ctx *ctx)
{
	nl_socket_free(ctx->sk);
	ctx->sk = NULL;
}

struct nla_policy sks_attr_policy[SKBSTAMP_A_MAX + 1] = {
	[SKBSTAMP_A_VERSION]	= { .type = NLA_STRING },
	[SKBSTAMP_A_KERNEL]	= { .type = NLA_STRING },
	[SKBSTAMP_A_STATE]	= { .type = NLA_U32 },
	[SKBSTAMP_A_STAGES_AVAIL] = { .type = NLA_U32 },
	[SKBSTAMP_A_CONFIG]	= { .type = NLA_NESTED },
	[SKBSTAMP_A_COUNTERS]	= { .type = NLA_NESTED },
	[SKBSTAMP_A_CPU]	= { .type = NLA_U32 },
	[SKBSTAMP_A_SEQ]	= { .type = NLA_U64 },
	[SKBSTAMP_A_RECORD_SIZE] = { .type = NLA_U32 },
	[SKBSTAMP_A_HIST]	= { .type = NLA_NESTED },
};

/* A message of the family's, to @st's reply callback.  NL_OK or NL_STOP. */
static int sks_valid_hdr(struct nlmsghdr *nlh, struct sks_req_state *st)
{
	struct nlattr *tb[SKBSTAMP_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlh, 0, tb, SKBSTAMP_A_MAX, sks_attr_policy);
	if (err < 0) {
		fprintf(stderr, "skbstamp: malformed reply from the module: %s\n",
			nl_geterror(err));
		st->reply_err = SKS_EXIT_KERNEL;
		return NL_STOP;
	}
	if (st->reply) {
		err = st->reply(tb, st->arg);
		if (err) {
			st->reply_err = err;
			return NL_STOP;
		}
	}
	return NL_OK;
}

int sks_valid_cb(struct nl_msg *msg, void *arg)
{
	return sks_valid_hdr(nlmsg_hdr(msg), arg);
}

/*
 * Read one datagram of the records socket @sk (non-blocking) and hand its
 * messages to @st's reply callback.  Not nl_recvmsgs(): for each message
 * libnl allocates a zeroed copy (calloc, memcpy), and the batches are
 * what the collector spends most on (up to 32 KB each, ring.c).  Read in
 * place from one buffer, the raw monitor's cost per record fell from 832
 * to 545 instructions, the JSON monitor's from 2,238 to 1,956 (make
 * bench, 6.1, docs/benchmark.md).  Returns the number of
 * messages, -NLE_AGAIN when there was none, -NLE_NOMEM when the socket's
 * buffer overflowed (ENOBUFS, as libnl says it), another -NLE_* error
 * else.
 */
int sks_nl_read_records(struct nl_sock *sk, struct sks_req_state *st)
{
	/* The largest message, with margin; aligned for nlmsghdr. */
	static uint64_t buf[64 * 1024 / sizeof(uint64_t)];
	struct sockaddr_nl from;
	socklen_t fromlen;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	ssize_t len;
	int n = 0, rem;

	do {
		fromlen = sizeof(from);
		len = recvfrom(nl_socket_get_fd(sk), buf, sizeof(buf),
			       MSG_DONTWAIT | MSG_TRUNC,
			       (struct sockaddr *)&from, &fromlen);
	} while (len < 0 && errno == EINTR);
	if (len < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -NLE_AGAIN;
		return errno == ENOBUFS ? -NLE_NOMEM : -nl_syserr2nlerr(errno);
	}
	if ((size_t)len > sizeof(buf))
		return -NLE_MSG_TRUNC;
	/* Only the kernel speaks for the module: not another process. */
	if (from.nl_pid != 0)
		return 0;
	rem = len;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, rem);
	     nlh = nlmsg_next(nlh, &rem)) {
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_DONE:
			return n;
		case NLMSG_OVERRUN:
			return -NLE_MSG_OVERFLOW;
		case NLMSG_ERROR:
			e = nlmsg_data(nlh);
			if (nlh->nlmsg_len < (__u32)nlmsg_size(sizeof(*e)))
				return -NLE_MSG_TRUNC;
			if (e->error)
				return -nl_syserr2nlerr(-e->error);
			continue;
		}
		n++;
		if (sks_valid_hdr(nlh, st) == NL_STOP)
			break;
	}
	return n;
}

/* Keep NLMSGERR_ATTR_MSG of the attributes at @attrs, if there is one. */
static void sks_extack_msg(struct sks_req_state *st, void *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(st->extack, sizeof(st->extack), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/* Pull NLMSGERR_ATTR_MSG out of an extended ack, if the kernel sent one. */
static int sks_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct sks_req_state *st = arg;
	size_t off = sizeof(*e);

	(void)nla;
	st->done = true;
	st->error = e->error;
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off < hdr->nlmsg_len)
		sks_extack_msg(st, (char *)e + off, hdr->nlmsg_len - NLMSG_HDRLEN - off);
	return NL_STOP;
}

/* The ACK of a request. */
static int sks_ack_cb(struct nl_msg *msg, void *arg)
{
	struct sks_req_state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

/*
 * The NLMSG_DONE that ends a dump.  Its payload is the dump's result: 0,
 * or the negative errno of a dump that failed midway, then (with
 * NLM_F_ACK_TLVS) the extended ack's attributes.  libnl does not look at
 * it, so a failed dump would otherwise pass for a short one.
 */
static int sks_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct sks_req_state *st = arg;
	int off = NLMSG_ALIGN(sizeof(int));
	int error;

	st->done = true;
	if (nlmsg_datalen(hdr) < (int)sizeof(int))
		return NL_STOP;
	memcpy(&error, nlmsg_data(hdr), sizeof(error));
	if (error >= 0)
		return NL_STOP;
	st->error = error;
	if (hdr->nlmsg_flags & NLM_F_ACK_TLVS)
		sks_extack_msg(st, (char *)nlmsg_data(hdr) + off, nlmsg_datalen(hdr) - off);
	return NL_STOP;
}

/*
 * Send @req (or an attribute-less request with @flags when NULL) as
 * command @cmd and feed every reply message to @reply.  Returns an exit
 * code.
 */
static int sks_nl_send(struct sks_ctx *ctx, uint8_t cmd, int flags,
		       struct nl_msg *req, sks_reply_fn reply, void *arg)
{
	struct sks_req_state st = { .reply = reply, .arg = arg };
	struct nl_msg *msg = req;
	struct nl_cb *cb;
	int err;

	if (!msg)
		msg = nlmsg_alloc();
	if (!msg)
		return SKS_EXIT_KERNEL;
	if (!req && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family,
				 0, flags, cmd, SKBSTAMP_GENL_VERSION)) {
		nlmsg_free(msg);
		return SKS_EXIT_KERNEL;
	}

	/* Callbacks for this request only: the socket's stay untouched. */
	cb = nl_cb_clone(nl_socket_get_cb(ctx->sk));
	if (!cb) {
		nlmsg_free(msg);
		return SKS_EXIT_KERNEL;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, sks_valid_cb, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, sks_ack_cb, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, sks_finish_cb, &st);
	nl_cb_err(cb, NL_CB_CUSTOM, sks_err_cb, &st);

	err = nl_send_auto(ctx->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		fprintf(stderr, "skbstamp: cannot send request: %s\n", nl_geterror(err));
		return SKS_EXIT_KERNEL;
	}
	/*
	 * nl_recvmsgs() returns after a reply that is not multipart: go on
	 * until the request's ACK, or the next request would read it.
	 */
	do {
		err = nl_recvmsgs(ctx->sk, cb);
	} while (err >= 0 && !st.done && !st.reply_err);
	nl_cb_put(cb);
	if (st.reply_err)
		return st.reply_err;
	if (st.error) {
		fprintf(stderr, "skbstamp: the module refused: %s%s%s\n",
			strerror(-st.error), st.extack[0] ? ": " : "", st.extack);
		if (st.error == -EPERM)
			fprintf(stderr, "skbstamp: %s\n", SKS_MSG_NEED_CAP);
		return SKS_EXIT_KERNEL;
	}
	if (err < 0) {
		fprintf(stderr, "skbstamp: netlink receive failed: %s\n", nl_geterror(err));
		return SKS_EXIT_KERNEL;
	}
	return SKS_EXIT_OK;
}

int sks_nl_request(struct sks_ctx *ctx, uint8_t cmd, struct nl_msg *req,
		   sks_reply_fn reply, void *arg)
{
	return sks_nl_send(ctx, cmd, NLM_F_ACK, req, reply, arg);
}

/* A dump request: every message of the reply goes to @reply. */
int sks_nl_dump(struct sks_ctx *ctx, uint8_t cmd, sks_reply_fn reply, void *arg)
{
	return sks_nl_send(ctx, cmd, NLM_F_DUMP, NULL, reply, arg);
}
