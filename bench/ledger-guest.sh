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
# summary, records (records mode, sks-sink discarding), or
# summary:STAGES / records:STAGES / unmatched:STAGES for one set of stages.
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
set +e

sks_netns_pair
mark=1
: >"$SKS_OUT/windows"
for cfg in "$@"; do
	name=${cfg%%:*}
	stages=()
	[ "$name" != "$cfg" ] && stages=(stages "${cfg#*:}")
	insmod "$KO" || { echo "ledger: insmod failed"; exit 1; }
	sink=
	case $name in
	loaded|warmup) ;;
	unmatched) "$TOOL" start dport 1 "${stages[@]}" ;;
	summary) "$TOOL" start mode summary "${stages[@]}" ;;
	records)
		"$TOOL" start "${stages[@]}"
		"$SINK" >/dev/null 2>"/tmp/sink.err" &
		sink=$!
		for _ in $(seq 1 200); do
			grep -q 'listening for records' /tmp/sink.err && break
			sleep 0.05
		done
		;;
	*) echo "ledger: unknown configuration $cfg"; exit 1 ;;
	esac
	syms=kallsyms-$mark
	cat /proc/kallsyms >"$SKS_OUT/$syms"
	for w in tcp udp; do
		port=$((7000 + mark))
		ip netns exec b "$BENCH" rr-server "$w" 10.0.0.2 "$port" &
		srv=$!
		for _ in $(seq 1 400); do
			[ -n "$(ip netns exec b ss -Hlnut "sport = :$port")" ] && break
			sleep 0.05
		done
		ip netns exec a "$BENCH" rr-marked "$w" 10.0.0.2 "$port" \
			"$WARMUP" "$N" "$SKS_OUT" "$mark" ||
			echo "ledger: $cfg $w: client failed"
		echo "$mark $cfg $w $N $syms" >>"$SKS_OUT/windows"
		mark=$((mark + 2))
		kill "$srv"
		wait "$srv" 2>/dev/null
	done
	"$TOOL" --json status >"$SKS_OUT/status-$cfg.json" 2>&1
	[ -n "$sink" ] && kill "$sink" && wait "$sink" 2>/dev/null
	rmmod skbstamp
done
exit 0
