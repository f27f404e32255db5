# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-guest test cases (tests/cases/*.sh).  Each case runs as
# its own bash process with this file sourced; it passes by exiting 0, fails
# by exiting 1 (sks_fail) and is skipped with exit 4 (sks_skip).  Everything
# a case prints becomes a KTAP diagnostic line.
#
# Environment, set by tests/guest/suite.sh:
#   SKS_KO    the skbstamp.ko built for this kernel
#   SKS_TOOL  the skbstamp tool
#   SKS_TOP   the checkout
#   SKS_TMP   a scratch directory private to the case

set -euo pipefail

SKS_EXIT_SKIP=4

sks_fail()
{
	echo "FAIL: $*"
	exit 1
}

sks_skip()
{
	echo "SKIP: $*"
	exit "$SKS_EXIT_SKIP"
}

# sks_eq ACTUAL EXPECTED WHAT
sks_eq()
{
	[ "$1" = "$2" ] || sks_fail "$3: got '$1', expected '$2'"
}

sks_loaded()
{
	[ -d /sys/module/skbstamp ]
}

sks_load()
{
	insmod "$SKS_KO" "$@" || sks_fail "insmod $SKS_KO failed"
	sks_loaded || sks_fail "module not present after insmod"
}

sks_unload()
{
	rmmod skbstamp || sks_fail "rmmod skbstamp failed"
	! sks_loaded || sks_fail "module still present after rmmod"
}

# sks_tool ARGS...: run the tool, keeping stdout, stderr and status in
# $SKS_TMP/out, $SKS_TMP/err and $sks_rc for the case to inspect.
sks_tool()
{
	sks_rc=0
	"$SKS_TOOL" "$@" >"$SKS_TMP/out" 2>"$SKS_TMP/err" || sks_rc=$?
}

# sks_json FILE EXPR...: evaluate Python expressions on the JSON object in
# FILE (bound to j) and print one result per line.  One python3 start per
# call, however many expressions: each start costs seconds in a guest.
sks_json()
{
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
for e in sys.argv[2:]:
    print(eval(e))' "$@"
}

# sks_netns_pair: namespaces "a" and "b" joined by veth va <-> vb, with
# 10.0.0.1/24 and fd00::1/64 on va, 10.0.0.2/24 and fd00::2/64 on vb.
# IPv6 duplicate address detection is off so the addresses work at once.
sks_netns_pair()
{
	local ns
	for ns in a b; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	ip link add va netns a type veth peer vb netns b
	ip -n a addr add 10.0.0.1/24 dev va
	ip -n b addr add 10.0.0.2/24 dev vb
	ip -n a addr add fd00::1/64 dev va nodad
	ip -n b addr add fd00::2/64 dev vb nodad
	ip -n a link set va up
	ip -n b link set vb up
}

# sks_testnic_pair: tests/testnic's pair 0, sksnic0a in namespace "a" with
# 10.9.0.1/24 and sksnic0b in "b" with 10.9.0.2/24, both up.
sks_testnic_pair()
{
	local ns
	[ -n "${SKS_TESTNIC_KO:-}" ] || sks_fail "SKS_TESTNIC_KO is not set"
	modprobe ptp 2>/dev/null || true
	insmod "$SKS_TESTNIC_KO" pairs=1 || sks_fail "cannot load sks_testnic"
	for ns in a b; do
		ip netns add $ns
		ip -n $ns link set lo up
		ip link set sksnic0$ns netns $ns
	done
	ip -n a addr add 10.9.0.1/24 dev sksnic0a
	ip -n b addr add 10.9.0.2/24 dev sksnic0b
	ip -n a link set sksnic0a up
	ip -n b link set sksnic0b up
}

SKS_TRAFFIC=${SKS_TRAFFIC:-$SKS_TOP/tests/tools/sks-traffic}

# sks_monitor_start FILE [OPTIONS...] [monitor ARGS...]: run the monitor in
# the background with stdout in FILE (stderr in FILE.err), and return once
# it listens.
sks_monitor_start()
{
	local out=$1 i
	shift
	if [[ " $* " != *" monitor "* ]]; then
		set -- "$@" monitor
	fi
	"$SKS_TOOL" "$@" >"$out" 2>"$out.err" &
	sks_monitor_pid=$!
	for i in $(seq 1 200); do
		grep -q 'listening for records' "$out.err" 2>/dev/null && return 0
		kill -0 "$sks_monitor_pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$out.err"
	sks_fail "the monitor did not start"
}

# sks_monitor_stop: let the drain deliver, then stop the monitor cleanly.
sks_monitor_stop()
{
	sleep 0.3
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || sks_fail "the monitor exited with status $?"
}

# sks_wait_file FILE: wait until FILE exists (a server's --ready-file).
sks_wait_file()
{
	local i
	for i in $(seq 1 400); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	sks_fail "timed out waiting for $1"
}

# sks_udp PORT N [SIZE]: N datagrams of SIZE bytes (default 64) from
# namespace a to 10.0.0.2:PORT, where a server in b receives them all.
sks_udp()
{
	local port=$1 n=$2 size=${3:-64} srv
	ip netns exec b "$SKS_TRAFFIC" udp-server 10.0.0.2 "$port" count "$n" timeout 5000 \
		--ready-file "$SKS_TMP/ready.$port" >/dev/null &
	srv=$!
	sks_wait_file "$SKS_TMP/ready.$port"
	ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 "$port" size "$size" count "$n" \
		>/dev/null || sks_fail "udp client to port $port failed"
	wait $srv || sks_fail "udp server on port $port failed"
	rm -f "$SKS_TMP/ready.$port"
}
