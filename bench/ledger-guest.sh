#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cost ledger's in-guest driver (bench/ledger.sh runs it under QEMU with
# the sks-qprof plugin).  For each configuration and each one-byte
# request/response workload, sks-bench rr-marked makes a window of N
# transactions between two marks; at each mark the plugin dumps how many
# times every translation block ran, so the window's instructions are
# known block by block.  /proc/kallsyms is saved while each configuration
# runs (the module's symbols and ftrace's trampolines with it).
#
# usage: ledger-guest.sh KO TOOL N CONFIG...
# CONFIG: loaded (module loaded, not started; "warmup" is the same, run
# first so that "loaded" does not pay for the first packets' neighbour
# resolution and slab refills), unmatched (start dport 1),
# summary, records (records mode, sks-sink discarding), json, text and
# raw (records mode with skbstamp's own monitor as the collector:
# --json monitor, monitor, monitor raw, each writing to a file in the
# guest's tmpfs, as make bench's (3), (12) and (17)), or
# summary:STAGES / records:STAGES / unmatched:STAGES for one set of stages;
# on a kernel with BPF timestamping, with $SKS_BPFTS the loader that
# bench/bpf/build.sh built: bpfhist (make bench's configuration 10: sock_ops
# TSTAMP callbacks keeping histograms in BPF maps) and bpfring (7: every
# stamp through a ring buffer to the loader, which only counts them here,
# as sks-sink does with records).  sock_ops sees TCP only: their UDP
# windows trace nothing.
# The module stays loaded, not started, in those, as in "loaded".
# Writes $SKS_OUT/windows: "INDEX CONFIG WORKLOAD N KALLSYMS" per window,
# whose dumps are $SKS_OUT/prof-INDEX and prof-(INDEX+1).

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KO=$1 TOOL=$2 N=$3
shift 3
BENCH=$top/bench/tools/sks-bench
SINK=$top/bench/tools/sks-sink
WARMUP=${SKS_LEDGER_WARMUP:-300}
export SKS_TOP=$top
# shellcheck source=tests/guest/lib.sh
source "$top/tests/guest/lib.sh"
# shellcheck source=bench/guest-lib.sh
source "$top/bench/guest-lib.sh"
set +e

sks_netns_pair
mark=1
bg_pid=""
: >"$SKS_OUT/windows"
for cfg in "$@"; do
	name=${cfg%%:*}
	stages=()
	[ "$name" != "$cfg" ] && stages=(stages "${cfg#*:}")
	insmod "$KO" || { note "insmod failed"; exit 1; }
	case $name in
	loaded|warmup) ;;
	unmatched) "$TOOL" start dport 1 "${stages[@]}" ;;
	summary) "$TOOL" start mode summary "${stages[@]}" ;;
	records)
		"$TOOL" start "${stages[@]}"
		"$SINK" >/dev/null 2>/tmp/sink.err &
		bg_pid=$!
		bg_wait_ready /tmp/sink.err 'listening for records' ||
			{ note "sks-sink did not start"; exit 1; }
		;;
	json|text|raw)
		# The collector's own work, user and kernel, falls in the
		# windows as it runs: a batch or so at each end moves between
		# windows, under 1% of 3,000 transactions' records.
		"$TOOL" start "${stages[@]}"
		rm -f /tmp/ledger-mon.out
		case $name in
		json) "$TOOL" --json monitor >/tmp/ledger-mon.out 2>/tmp/mon.err & ;;
		text) "$TOOL" monitor >/tmp/ledger-mon.out 2>/tmp/mon.err & ;;
		raw) "$TOOL" monitor raw /tmp/ledger-mon.out 2>/tmp/mon.err & ;;
		esac
		bg_pid=$!
		bg_wait_ready /tmp/mon.err 'listening for records' ||
			{ note "$cfg: skbstamp monitor did not start"; cat /tmp/mon.err; exit 1; }
		;;
	bpfhist|bpfring)
		[ -n "${SKS_BPFTS:-}" ] ||
			{ note "$cfg: no BPF timestamping loader"; exit 1; }
		mode=discard
		[ "$name" = bpfhist ] && mode=hist
		"$SKS_BPFTS" /sys/fs/cgroup "$mode" >/dev/null 2>/tmp/bpfts.err &
		bg_pid=$!
		bg_wait_ready /tmp/bpfts.err attached ||
			{ note "$cfg: the loader did not attach"; cat /tmp/bpfts.err; exit 1; }
		;;
	*) note "unknown configuration $cfg"; exit 1 ;;
	esac
	syms=kallsyms-$mark
	cat /proc/kallsyms >"$SKS_OUT/$syms"
	for w in tcp udp; do
		port=$((7000 + mark))
		server "$BENCH" rr-server "$w" 10.0.0.2 "$port"
		ip netns exec a "$BENCH" rr-marked "$w" 10.0.0.2 "$port" \
			"$WARMUP" "$N" "$SKS_OUT" "$mark" ||
			{ note "$cfg $w: client failed"; exit 1; }
		echo "$mark $cfg $w $N $syms" >>"$SKS_OUT/windows"
		mark=$((mark + 2))
		server_stop
	done
	"$TOOL" --json status >"$SKS_OUT/status-$cfg.json" 2>&1
	# A monitor that died, or wrote nothing, measured no collector.
	case $name in
	json|text|raw)
		kill -0 "$bg_pid" 2>/dev/null && [ -s /tmp/ledger-mon.out ] ||
			{ note "$cfg: skbstamp monitor died or wrote nothing"; cat /tmp/mon.err; exit 1; }
		;;
	esac
	if [ -n "$bg_pid" ]; then
		kill "$bg_pid"
		wait "$bg_pid" 2>/dev/null
		bg_pid=""
	fi
	rmmod skbstamp
done
exit 0
