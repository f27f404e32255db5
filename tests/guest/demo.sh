#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the guest: load skbstamp, start tracing, run a TCP and
# a UDP exchange between two network namespaces over veth, and show what
# "skbstamp monitor" printed for them.
#
# usage: demo.sh KO TOOL

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export SKS_KO=$1 SKS_TOOL=$2 SKS_TOP=$top SKS_TMP=/tmp/sks-demo
mkdir -p "$SKS_TMP"
# shellcheck source=tests/guest/lib.sh
source "$top/tests/guest/lib.sh"
T=$SKS_TOOL

step() { printf '\n=== %s\n' "$*"; }

step "insmod skbstamp.ko; skbstamp start"
sks_load
"$T" start
"$T" status

step "namespaces a (10.0.0.1, fd00::1) and b (10.0.0.2, fd00::2) over veth"
sks_netns_pair

sks_monitor_start "$SKS_TMP/monitor.txt"
step "TCP: 4 sends of 100, 1000, 3000 and 20000 bytes from a to b:5000"
ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 5000 --ready-file "$SKS_TMP/tcp.ready" >"$SKS_TMP/tcp.server" &
srv=$!
sks_wait_file "$SKS_TMP/tcp.ready"
ip netns exec a "$SKS_TRAFFIC" tcp-client 10.0.0.2 5000 sizes 100,1000,3000,20000 gap-us 20000 nodelay
wait $srv
step "UDP over IPv6: 3 datagrams of 200 bytes from a to [fd00::2]:6000"
ip netns exec b "$SKS_TRAFFIC" udp-server fd00::2 6000 count 3 timeout 5000 --ready-file "$SKS_TMP/udp.ready" >"$SKS_TMP/udp.server" &
srv=$!
sks_wait_file "$SKS_TMP/udp.ready"
ip netns exec a "$SKS_TRAFFIC" udp-client fd00::2 6000 size 200 count 3 gap-us 10000
wait $srv
sks_monitor_stop

step "skbstamp monitor printed (one line per packet, deltas from the send call):"
cat "$SKS_TMP/monitor.txt"
step "skbstamp status"
"$T" status
"$T" stop
