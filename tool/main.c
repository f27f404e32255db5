// SPDX-License-Identifier: GPL-2.0
/*
 * skbstamp: command-line front end of the skbstamp kernel module.
 *
 * Global options come first, then one command and its arguments, in the
 * style of ip(8) and ethtool's netlink commands.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "skbstamp.h"

static const struct sks_cmd sks_cmds[] = {
	{ "status", sks_cmd_status, "",
	  "show the module, the kernel, the tracing state and record counters" },
	{ "start", sks_cmd_start,
	  "[mode records|summary] [drain multicast|dump] [stages LIST] [buffer N]\n"
	  "      [FILTER...]",
	  "start tracing (stages: comma-separated names, tx, rx, or all); FILTER: pid N,\n"
	  "      cgroup PATH, netns NAME|PATH, proto tcp|udp, family 4|6, src ADDR[/LEN],\n"
	  "      dst ADDR[/LEN], sport N, dport N, dev IFNAME, sample N; acks on: the\n"
	  "      receive stages trace pure TCP ACKs too" },
	{ "set", sks_cmd_set, "[stages LIST] [FILTER...]",
	  "replace the running filters, sampling and stages atomically (what is\n"
	  "      not given is reset as for start; histograms are kept); mode, drain\n"
	  "      and buffer are accepted with their running values only" },
	{ "stop", sks_cmd_stop, "",
	  "stop tracing; every hook is removed" },
	{ "monitor", sks_cmd_monitor,
	  "[count N] [duration SEC] [rcvbuf BYTES] [trace FILE] [raw FILE]",
	  "print records as they arrive: one line per packet, or JSON; trace:\n"
	  "      also write them to FILE as a Chrome/Perfetto trace; raw: write them\n"
	  "      to FILE (- for standard output) unformatted instead, for decode" },
	{ "decode", sks_cmd_decode, "[FILE]",
	  "print a raw record stream (monitor raw FILE; standard input without\n"
	  "      FILE) as monitor would have: text, or JSON byte for byte" },
	{ "trace", sks_cmd_trace, "convert IN.jsonl OUT.json",
	  "a capture of --json monitor as a Chrome/Perfetto trace (ui.perfetto.dev)" },
	{ "top", sks_cmd_top, "[count N] [interval SEC] [sort KEY] [flows N]",
	  "the flows that are slow right now, refreshed every interval (records\n"
	  "      mode); KEY: worst, sends, sendmsg-sw, sw-ack, napi-read, drops" },
	{ "stats", sks_cmd_stats, "",
	  "record counters of each CPU" },
	{ "hist", sks_cmd_hist, "",
	  "summary mode's latency histograms per stage pair and protocol" },
	{ "reset", sks_cmd_reset, "",
	  "clear the summary histograms" },
	{ "export", sks_cmd_export, "[file PATH [interval SEC] | listen ADDR:PORT] [host NAME]",
	  "histograms and counters in the Prometheus text format: to stdout, to a\n"
	  "      file written atomically (node_exporter textfile), or served over HTTP" },
	{ "join", sks_cmd_join,
	  "SENDER.jsonl RECEIVER.jsonl [offset NS | estimate] [flow FILTER...]",
	  "one-way delays from two hosts' saved 'skbstamp --json monitor' output\n"
	  "      (no module needed); FILTER: proto tcp|udp, src ADDR[/LEN],\n"
	  "      dst ADDR[/LEN], sport N, dport N" },
	{ "hwstamp", sks_cmd_hwstamp, "DEV on|off [force]",
	  "switch a NIC's hardware timestamping (the hw stage needs it)" },
};

#define SKS_NCMDS ARRAY_SIZE(sks_cmds)

static void sks_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: skbstamp [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Per-stage packet timestamps for unmodified applications, from the\n"
		"skbstamp kernel module.\n"
		"\n"
		"Options:\n"
		"  -j, --json     print JSON instead of text\n"
		"  -h, --help     show this help\n"
		"  -V, --version  show the tool's version\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < SKS_NCMDS; i++)
		fprintf(f, "  %s %s\n      %s\n", sks_cmds[i].name,
			sks_cmds[i].usage, sks_cmds[i].help);
	fprintf(f,
		"\n"
		"Stages: sendmsg sched sw hw ack txdone rx_hw irq napi netif ip l4\n"
		"sockq read drop merge ('skbstamp status' lists those this kernel\n"
		"has).\n"
		"\n"
		"Exit status: 0 success, 1 usage error or input that is not records,\n"
		"2 netlink error, refusal by the module, a file that cannot be read\n"
		"or output that cannot be written, 3 module not loaded, 4 join\n"
		"matched nothing.\n"
		"See skbstamp(8).\n");
}

/* Output that did not get out (a full disk, a closed pipe) is a failure. */
static int sks_flush_stdout(int ret)
{
	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return ret;
	fprintf(stderr, "skbstamp: cannot write standard output%s%s\n",
		errno ? ": " : "", errno ? strerror(errno) : "");
	return ret ? ret : SKS_EXIT_KERNEL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sks_ctx ctx = { 0 };
	const struct sks_cmd *cmd = NULL;
	size_t i;
	int c, ret;

	/* '+': stop at the command, its arguments are its own. */
	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			sks_usage(stdout);
			return sks_flush_stdout(SKS_EXIT_OK);
		case 'V':
			printf("skbstamp %s\n", SKBSTAMP_VERSION);
			return sks_flush_stdout(SKS_EXIT_OK);
		default:
			sks_usage(stderr);
			return SKS_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		sks_usage(stderr);
		return SKS_EXIT_USAGE;
	}
	for (i = 0; i < SKS_NCMDS; i++)
		if (!strcmp(argv[optind], sks_cmds[i].name))
			cmd = &sks_cmds[i];
	if (!cmd) {
		fprintf(stderr, "skbstamp: unknown command '%s'; try 'skbstamp --help'\n",
			argv[optind]);
		return SKS_EXIT_USAGE;
	}

	/* Commands check their arguments, then connect (sks_nl_open). */
	ret = cmd->run(&ctx, argc - optind - 1, argv + optind + 1);
	if (ctx.sk)
		sks_nl_close(&ctx);
	return sks_flush_stdout(ret);
}
