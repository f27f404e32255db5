// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration arguments "start" and "set" share, and the request
 * that carries them:
 *
 *   [mode records|summary] [drain multicast|dump] [stages LIST]
 *   [buffer N] [FILTER...]
 *
 * Arguments are checked before the module is asked anything, so a typo is
 * a usage error (exit 1), never a half-applied configuration.
 */
#include <stdio.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"

static const char *const sks_mode_names[] = {
	[SKBSTAMP_MODE_RECORDS] = "records",
	[SKBSTAMP_MODE_SUMMARY] = "summary",
};

static const char *const sks_drain_names[] = {
	[SKBSTAMP_DRAIN_MULTICAST] = "multicast",
	[SKBSTAMP_DRAIN_DUMP] = "dump",
};

static int sks_name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

const char *sks_mode_name(unsigned int mode)
{
	return sks_name(sks_mode_names, ARRAY_SIZE(sks_mode_names), mode);
}

const char *sks_drain_name(unsigned int drain)
{
	return sks_name(sks_drain_names, ARRAY_SIZE(sks_drain_names), drain);
}

/* One "key value" pair of the configuration; 1 if @key is not one. */
static int sks_config_arg(struct nl_msg *msg, const char *cmd, const char *key,
			  const char *val, bool *all)
{
	uint32_t v;
	int i;

	if (!strcmp(key, "stages")) {
		if (sks_stages_parse(val, &v))
			return -1;
		if (v == UINT32_MAX)
			*all = true;
		else if (nla_put_u32(msg, SKBSTAMP_CFG_STAGES, v))
			return -1;
	} else if (!strcmp(key, "buffer")) {
		if (sks_parse_u32("buffer size", val, &v) ||
		    nla_put_u32(msg, SKBSTAMP_CFG_BUFFER, v))
			return -1;
	} else if (!strcmp(key, "mode")) {
		i = sks_name_index(sks_mode_names, ARRAY_SIZE(sks_mode_names), val);
		if (i < 0) {
			fprintf(stderr, "skbstamp %s: mode is records or summary, not '%s'\n",
				cmd, val);
			return -1;
		}
		if (nla_put_u32(msg, SKBSTAMP_CFG_MODE, i))
			return -1;
	} else if (!strcmp(key, "drain")) {
		i = sks_name_index(sks_drain_names, ARRAY_SIZE(sks_drain_names), val);
		if (i < 0) {
			fprintf(stderr, "skbstamp %s: drain is multicast or dump, not '%s'\n",
				cmd, val);
			return -1;
		}
		if (nla_put_u32(msg, SKBSTAMP_CFG_DRAIN, i))
			return -1;
	} else {
		return 1;
	}
	return 0;
}

/*
 * Put the configuration given by the arguments into @msg (inside the
 * CONFIG nest).  "stages all" is left to the caller (*all), since only the
 * module knows which stages it offers.  Returns 0, or -1 after a message.
 */
static int sks_config_attrs(struct nl_msg *msg, const char *cmd, int argc,
			    char **argv, bool *all)
{
	struct sks_filter_state fst = { 0 };
	int i, r;

	*all = false;
	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "skbstamp %s: '%s' needs a value\n", cmd, argv[i]);
			return -1;
		}
		r = sks_config_arg(msg, cmd, argv[i], argv[i + 1], all);
		if (r > 0)
			r = sks_filter_arg(msg, argv[i], argv[i + 1], &fst);
		if (r < 0)
			return -1;
		if (r > 0) {
			fprintf(stderr, "skbstamp %s: unknown argument '%s'\n", cmd, argv[i]);
			return -1;
		}
	}
	return sks_filter_finish(msg, &fst);
}

/* Send command @cmd (START or SET) with the configuration in @argv. */
int sks_config_request(struct sks_ctx *ctx, uint8_t cmd, const char *name,
		       int argc, char **argv)
{
	struct nl_msg *msg;
	struct nlattr *cfg;
	uint32_t stages = 0;
	bool all;
	int ret;

	/* Check the arguments before talking to the module. */
	msg = nlmsg_alloc();
	if (!msg)
		goto nomem;
	ret = sks_config_attrs(msg, name, argc, argv, &all);
	nlmsg_free(msg);
	if (ret)
		return SKS_EXIT_USAGE;

	ret = sks_nl_open(ctx);
	if (ret)
		return ret;
	msg = nlmsg_alloc();
	if (!msg ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
			 NLM_F_ACK, cmd, SKBSTAMP_GENL_VERSION))
		goto nomem_free;
	cfg = nla_nest_start(msg, SKBSTAMP_A_CONFIG);
	if (!cfg || sks_config_attrs(msg, name, argc, argv, &all))
		goto nomem_free;
	if (all) {
		ret = sks_get_stages_avail(ctx, &stages);
		if (ret) {
			nlmsg_free(msg);
			return ret;
		}
		if (nla_put_u32(msg, SKBSTAMP_CFG_STAGES, stages))
			goto nomem_free;
	}
	nla_nest_end(msg, cfg);
	return sks_nl_request(ctx, cmd, msg, NULL, NULL);

nomem_free:
	nlmsg_free(msg);
nomem:
	fprintf(stderr, "skbstamp: out of memory\n");
	return SKS_EXIT_KERNEL;
}
