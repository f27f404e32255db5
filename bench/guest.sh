#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's in-guest driver (started by bench/run.sh through
# tests/lib/vm-run.sh).  Namespaces a and b are joined by veth; every
# workload runs from a (client) to b (server) once per configuration:
#
#   0  module not loaded          4  summary mode
#   1  loaded, not started        5  the application's own SO_TIMESTAMPING
#   2  started, filter dport 1       (sks-bench workloads only)
#   3  records mode, every stage, 6  bpftrace kprobes at the same points
#      monitor --json draining    7  BPF sock_ops timestamping (6.15+)
#   8  as 3, with the receive     9  as 4, with the receive stages
#      stages too (stages tx,rx)     too (stages tx,rx)
#
# and finally the record pipeline: UDP datagrams paced at increasing rates
# under configuration 3, with the module's exact counters.
#
# usage: guest.sh KO TOOL RESULTS.jsonl [BPFTS-LOADER]
# Environment: SKS_BENCH_SECS (seconds of guest time per data point),
# SKS_BENCH_CONFIGS (e.g. "0 1 3"), SKS_BENCH_WORKLOADS, SKS_BENCH_RATES.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KO=$1 TOOL=$2 RES=$3 BPFTS=${4:-}
SECS=${SKS_BENCH_SECS:-2}
# sockperf and iperf3 take whole seconds (iperf3 -t 0 runs forever)
ISECS=$(awk -v s="$SECS" 'BEGIN { t = int(s + 0.999); print t < 1 ? 1 : t }')
CONFIGS=${SKS_BENCH_CONFIGS:-0 1 2 3 4 5 6 7 8 9}
WORKLOADS=${SKS_BENCH_WORKLOADS:-tcp_rr udp_rr tcp_rr_app udp_rr_app tcp_stream tcp_churn}
RATES=${SKS_BENCH_RATES:-2000 5000 10000 20000 40000 80000}
BENCH=$top/bench/tools/sks-bench
T=/tmp/sks-bench
mkdir -p "$T"
: >"$RES"

export SKS_TOP=$top
# shellcheck source=tests/guest/lib.sh
source "$top/tests/guest/lib.sh"
set +e

note() { echo "bench: $*"; }
emit() { echo "$1" >>"$RES"; }
jq_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "${s//$'\n'/; }"; }

# counters: "generated delivered dropped_full dropped_send summarized" of
# the module's current run (zeros when it is not running / not loaded);
# counters_of: the same from a 'status --json' on standard input.
counters()
{
	[ -d /sys/module/skbstamp ] && "$TOOL" --json status 2>/dev/null | counters_of
	[ -d /sys/module/skbstamp ] || echo "0 0 0 0 0"
}
counters_of()
{
	local j k v out=
	j=$(cat)
	for k in generated delivered dropped_full dropped_send summarized; do
		v=$(grep -Eo "\"$k\": *[0-9]+" <<<"${j:-}" | head -n 1 | grep -Eo '[0-9]+$')
		out+="${v:-0} "
	done
	echo "$out"
}

# json_num FILE KEY: the first number KEY has in FILE's JSON.
json_num()
{
	grep -Eo "\"$2\": *[0-9.e+-]+" "$1" | head -n 1 | sed 's/.*: *//'
}

# Servers: started once per workload, in b.
srv_pid=""
server()
{
	local i
	ip netns exec b "$@" >/dev/null 2>&1 &
	srv_pid=$!
	# Until its socket is bound (port $port of the caller).  By tries,
	# not by time: under icount (sleep=off) the guest clock leaps over the
	# host's reads of a program's first start, and 15 s of guest time
	# once passed before sockperf's server listened.
	for i in $(seq 1 3000); do
		[ -n "$(ip netns exec b ss -Hlnut "sport = :$port" 2>/dev/null)" ] && return 0
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	note "server $1 did not listen on port $port"
}
server_stop()
{
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	srv_pid=""
}

# client CMD...: run a client in a, its guest time (s) in $T/elapsed.
client()
{
	local t0 t1 rc
	t0=$(date +%s.%N)
	ip netns exec a "$@"
	rc=$?
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >"$T/elapsed"
	return $rc
}

# run_workload W [tstamp]: prints "rate unit detail-json" or nothing.
run_workload()
{
	local w=$1 ts=${2:-} out=$T/out port
	# the same port in every configuration: fewer differences between
	# their instruction streams
	port=$((20000 + $(printf '%s' "$w" | cksum | cut -d' ' -f1) % 20000))
	case $w in
	tcp_rr|udp_rr)
		local p=--tcp
		[ "$w" = udp_rr ] && p=
		# shellcheck disable=SC2086 # $p is empty or one word
		server sockperf sr $p -i 10.0.0.2 -p "$port"
		# shellcheck disable=SC2086
		client sockperf pp $p -i 10.0.0.2 -p "$port" \
			-t "$ISECS" \
			-m 14 --mps=max ${SKS_BENCH_SOCKPERF:-} >"$out" 2>&1
		server_stop
		# sockperf's latency statistics need its TSC calibration, which
		# icount upsets ("No valid observations"); its Total Run line is
		# exact in both modes: replies received over the run time.
		awk '/\[Total Run\]/ { for (i = 1; i <= NF; i++) {
			if ($i ~ /^RunTime=/) { split($i, a, "="); t = a[2] }
			if ($i ~ /^ReceivedMessages=/) { split($i, a, "="); n = a[2] } } }
		     END { if (t > 0 && n > 0) printf "%.3f trans/s {\"received\": %d, \"runtime_s\": %s}\n", n / t, n, t }' "$out"
		;;
	tcp_rr_app|udp_rr_app)
		server "$BENCH" rr-server "${w%%_*}" 10.0.0.2 "$port"
		client "$BENCH" rr-client "${w%%_*}" 10.0.0.2 "$port" "$SECS" $ts >"$out" 2>&1
		server_stop
		grep -q '"rate"' "$out" && echo "$(json_num "$out" rate) trans/s $(tail -n 1 "$out")"
		;;
	tcp_stream)
		server iperf3 -s -B 10.0.0.2 -p "$port"
		client iperf3 -c 10.0.0.2 -p "$port" -t "$ISECS" \
			-f m >"$out" 2>&1
		server_stop
		# [  5]   0.00-2.00   sec   123 MBytes   516 Mbits/sec   receiver
		awk '/receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") r = $(i - 1) }
		     END { if (r != "") printf "%s Mbit/s {}\n", r }' "$out"
		;;
	tcp_churn)
		server "$BENCH" churn-server 10.0.0.2 "$port"
		client "$BENCH" churn-client 10.0.0.2 "$port" "$SECS" >"$out" 2>&1
		server_stop
		grep -q '"rate"' "$out" && echo "$(json_num "$out" rate) conn/s $(tail -n 1 "$out")"
		;;
	esac
	[ -s "$out" ] && sed 's/^/  | /' "$out" | grep -v 'sockperf: *[0-9<>-]' | tail -n "${SKS_BENCH_SHOW:-3}" >&2
}

# The kprobe points of configuration 6, those this kernel has.
bt_script()
{
	local f
	for f in tcp_sendmsg_locked udp_sendmsg udpv6_sendmsg; do
		grep -qw "$f" /proc/kallsyms &&
			echo "kprobe:$f { printf(\"%llu %d %s sendmsg %llx\\n\", nsecs, pid, comm, arg0); }"
	done
	for f in __dev_queue_xmit:sched dev_hard_start_xmit:sw tcp_ack:ack; do
		grep -qw "${f%%:*}" /proc/kallsyms &&
			echo "kprobe:${f%%:*} { printf(\"%llu %d ${f##*:} %llx\\n\", nsecs, cpu, arg0); }"
	done
}

# Configuration setup and teardown.  A tracer that runs in the background
# (monitor, bpftrace, the BPF loader) is $bg_pid.
bg_pid=""
bg_wait_ready()
{
	local file=$1 pat=$2 i
	for i in $(seq 1 3000); do
		grep -q "$pat" "$file" 2>/dev/null && return 0
		kill -0 "$bg_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

setup()
{
	case $1 in
	0|5) ;;
	1) insmod "$KO" ;;
	2) insmod "$KO" && "$TOOL" start dport 1 ;;
	3|8)
		# 8: every packet's receive stages too, on the same host
		local rx=()
		[ "$1" = 8 ] && rx=(stages tx,rx)
		insmod "$KO" && "$TOOL" start "${rx[@]}" || return 1
		"$TOOL" --json monitor >>"$T/trace.out" 2>"$T/mon.err" &
		bg_pid=$!
		bg_wait_ready "$T/mon.err" 'listening for records'
		;;
	4) insmod "$KO" && "$TOOL" start mode summary ;;
	9) insmod "$KO" && "$TOOL" start mode summary stages tx,rx ;;
	6)
		command -v bpftrace >/dev/null || { echo "bpftrace not installed"; return 1; }
		bt_script >"$T/bt.bt"
		cat "$T/bt.bt" >&2
		bpftrace -B full "$T/bt.bt" >>"$T/trace.out" 2>"$T/bt.err" &
		bg_pid=$!
		# bpftrace prints "Attaching N probes..." once attached
		bg_wait_ready "$T/trace.out" 'Attaching' || { cat "$T/bt.err"; return 1; }
		sleep 1
		;;
	7)
		[ -n "$BPFTS" ] || { echo "no BPF timestamping loader for this kernel"; return 1; }
		"$BPFTS" /sys/fs/cgroup >>"$T/trace.out" 2>"$T/bpfts.err" &
		bg_pid=$!
		bg_wait_ready "$T/bpfts.err" 'attached' || { cat "$T/bpfts.err"; return 1; }
		;;
	esac
}

teardown()
{
	rm -f "$T/trace.out"
	if [ -n "$bg_pid" ]; then
		kill -INT "$bg_pid" 2>/dev/null
		wait "$bg_pid" 2>/dev/null
		bg_pid=""
	fi
	[ -d /sys/module/skbstamp ] && { "$TOOL" stop >/dev/null 2>&1; rmmod skbstamp; }
	return 0
}

sks_netns_pair
ip netns exec a sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
sysctl -qw kernel.perf_event_paranoid=-1 2>/dev/null

# Every workload once, discarded, before configuration 0: the first run of
# a program in a fresh guest pays for its first page faults, first
# connections and, for sockperf, its clock calibration (6.12's first
# sockperf TCP run once measured 37% below configuration 1's).
note "warming up: every workload once, not measured"
for w in $WORKLOADS; do
	run_workload "$w" >/dev/null 2>&1
done

for c in $CONFIGS; do
	wl=$WORKLOADS ts=
	if [ "$c" = 5 ]; then
		wl=$(for w in $WORKLOADS; do [[ $w == *_app ]] && echo "$w"; done)
		ts=tstamp
	fi
	teardown
	note "configuration $c: setting up"
	setup "$c" >"$T/setup.msg" 2>&1
	rc=$?
	msg=$(tail -n 3 "$T/setup.msg")
	if [ "$rc" -ne 0 ]; then
		note "configuration $c unavailable: $msg"
		emit "{\"config\": $c, \"unavailable\": $(jq_str "${msg:-setup failed}")}"
		teardown
		continue
	fi
	for w in $wl; do
		[ "$c" = 7 ] && [ "$w" != tcp_rr ] && [ "$w" != tcp_stream ] &&
			[ "$w" != tcp_churn ] && [ "$w" != tcp_rr_app ] && {
			emit "{\"config\": 7, \"workload\": \"$w\", \"unavailable\": \"sock_ops callbacks (which enable BPF timestamping) run for TCP sockets only\"}"
			continue
		}
		read -r g0 d0 f0 s0 m0 < <(counters)
		: >"$T/trace.out"
		r=$(run_workload "$w" $ts)
		sleep 0.3	# let the tracers' last batches drain
		read -r g1 d1 f1 s1 m1 < <(counters)
		if [ -z "$r" ]; then
			note "configuration $c, $w: no result"
			emit "{\"config\": $c, \"workload\": \"$w\", \"unavailable\": \"the workload failed in the guest\"}"
			continue
		fi
		read -r rate unit detail <<<"$r"
		extra="\"tracer_lines\": $(wc -l <"$T/trace.out"), \"elapsed\": $(cat "$T/elapsed")"
		note "configuration $c, $w: $rate $unit"
		emit "{\"config\": $c, \"workload\": \"$w\", \"rate\": $rate, \"unit\": \"$unit\", \"detail\": $detail, \"generated\": $((g1 - g0)), \"delivered\": $((d1 - d0)), \"dropped_full\": $((f1 - f0)), \"dropped_send\": $((s1 - s0)), \"summarized\": $((m1 - m0)), $extra}"
	done
	teardown
done

# The record pipeline: configuration 3, UDP paced at RATES datagrams/s
# (three records each: sendmsg, sched, sw).
if [ -n "$RATES" ] && [[ " $CONFIGS " == *" 3 "* ]]; then
	insmod "$KO" && "$TOOL" start stages sendmsg,sched,sw
	"$TOOL" --json monitor >/dev/null 2>"$T/mon.err" &
	bg_pid=$!
	bg_wait_ready "$T/mon.err" 'listening for records'
	port=$((20000 + RANDOM % 20000))
	server "$BENCH" udp-sink 10.0.0.2 "$port"
	for rate in $RATES; do
		read -r g0 d0 f0 s0 m0 < <(counters)
		ip netns exec a "$BENCH" udp-flood 10.0.0.2 "$port" "$rate" "$SECS" >"$T/flood" 2>&1
		sleep 0.3	# the last batch drains every 20 ms
		read -r g1 d1 f1 s1 m1 < <(counters)
		ops=$(json_num "$T/flood" ops) secs=$(json_num "$T/flood" seconds)
		ops=${ops:-0} secs=${secs:-0}
		note "pipeline $rate/s: sent $ops in ${secs}s, records $((g1 - g0)) delivered $((d1 - d0)) dropped $((f1 - f0 + s1 - s0))"
		emit "{\"pipeline\": 1, \"target_rate\": $rate, \"sent\": $ops, \"seconds\": $secs, \"generated\": $((g1 - g0)), \"delivered\": $((d1 - d0)), \"dropped_full\": $((f1 - f0)), \"dropped_send\": $((s1 - s0))}"
	done
	# Past the pipeline's capacity: the same flood at the highest rate
	# with the collector stopped (SIGSTOP), so that its socket fills and
	# the module must drop.  Its receive buffer is 1 MB for this, not the
	# tool's 32 MB, which holds a second of this flood.  The drops are
	# counted exactly (generated = delivered + dropped once the collector
	# resumed and the run is stopped), and the sender is not slowed: its
	# rate is compared with the same flood under the running collector.
	rate=${RATES##* }
	kill -INT "$bg_pid"
	wait "$bg_pid"
	"$TOOL" --json monitor rcvbuf 1048576 >/dev/null 2>"$T/mon.err" &
	bg_pid=$!
	bg_wait_ready "$T/mon.err" 'listening for records'
	kill -STOP "$bg_pid"
	read -r g0 d0 f0 s0 m0 < <(counters)
	ip netns exec a "$BENCH" udp-flood 10.0.0.2 "$port" "$rate" "$SECS" >"$T/flood" 2>&1
	kill -CONT "$bg_pid"
	sleep 0.3
	"$TOOL" stop
	read -r g1 d1 f1 s1 m1 < <("$TOOL" --json status 2>/dev/null | counters_of)
	ops=$(json_num "$T/flood" ops) secs=$(json_num "$T/flood" seconds)
	ops=${ops:-0} secs=${secs:-0}
	note "pipeline $rate/s, collector stopped: sent $ops in ${secs}s, records $((g1 - g0)) delivered $((d1 - d0)) dropped $((f1 - f0 + s1 - s0))"
	emit "{\"pipeline\": 1, \"collector_stopped\": true, \"target_rate\": $rate, \"sent\": $ops, \"seconds\": $secs, \"generated\": $((g1 - g0)), \"delivered\": $((d1 - d0)), \"dropped_full\": $((f1 - f0)), \"dropped_send\": $((s1 - s0))}"
	server_stop
	teardown
fi
note "done"
