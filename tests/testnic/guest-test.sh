#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-test.sh KO - exercise sks_testnic.ko inside a test guest (as root, in
# a throwaway kernel: it loads/unloads the module and creates netns a and b).
#
#   load -> pair in two netns -> IPv4/IPv6 ping, MTU 9000 -> PHC via
#   phc_ctl/ethtool -T -> hwstamp_ctl -> TX/RX hardware stamps checked by
#   hwts-check.py -> netns deletion returns the device -> unload with TX
#   timestamp requests pending (flushed, socket memory released).
#
# Run from the host: tests/testnic/run.sh [KERNEL...]
set -u
KO=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CHECK=(python3 "$HERE/hwts-check.py")
fails=0
T0=$(date +%s.%N)

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
step() { printf '\n=== %s (+%ss)\n' "$*" "$(since "$T0")"; }
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # check DESC CMD...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
A() { ip netns exec a "$@"; }
B() { ip netns exec b "$@"; }
estat() { # estat NS DEV NAME
	ip netns exec "$1" ethtool -S "$2" | awk -v n="$3:" '$1 == n { print $2 }'
}

step "load on $(uname -r)"
modprobe ptp 2>/dev/null   # a module on 5.10, built in later
check "insmod" insmod "$KO" pairs=1
dmesg | grep sks_testnic | tail -n 2
ip -br link show | grep sksnic
ethtool -i sksnic0a | head -n 2

step "pair in netns a and b"
ip netns add a
ip netns add b
ip link set sksnic0a netns a
ip link set sksnic0b netns b
A ip addr add 10.77.0.1/24 dev sksnic0a
B ip addr add 10.77.0.2/24 dev sksnic0b
A ip addr add fd77::1/64 dev sksnic0a nodad
B ip addr add fd77::2/64 dev sksnic0b nodad
for ns in a b; do
	ip -n $ns link set lo up
	ip -n $ns link set sksnic0$ns up
done
sleep 1
A ip -br addr show dev sksnic0a
A ip link set sksnic0a mtu 9000
B ip link set sksnic0b mtu 9000
if command -v ping >/dev/null; then
	check "ping IPv4" A ping -q -c 3 -i 0.2 -W 2 10.77.0.2
	check "ping IPv6" A ping -6 -q -c 3 -i 0.2 -W 2 fd77::2
	check "ping 8000 bytes, DF, MTU 9000" A ping -q -c 2 -s 8000 -M "do" -W 2 10.77.0.2
else
	echo "SKIP: no ping (apt-get install iputils-ping); the UDP checks below cover connectivity"
fi
check "MTU 9001 refused" bash -c '! ip netns exec a ip link set sksnic0a mtu 9001 2>/dev/null'
A ip -s link show dev sksnic0a | sed -n '1p;4,7p'

step "PHC"
A ethtool -T sksnic0a
phc=$(A ethtool -T sksnic0a | sed -n 's/.*PTP Hardware Clock: *\([0-9]*\).*/\1/p')
phcb=$(B ethtool -T sksnic0b | sed -n 's/.*PTP Hardware Clock: *\([0-9]*\).*/\1/p')
dev=/dev/ptp$phc
echo "PHC index a=$phc b=$phcb; $(cat /sys/class/ptp/ptp"$phc"/clock_name)"
check "both ends share one PHC" test -n "$phc" -a "$phc" = "$phcb" -a -c "$dev"
phc_ctl "$dev" get cmp
t1=$(phc_ctl -q "$dev" get 2>&1 | awk '/clock time is/ { print $5 }')
phc_ctl -q "$dev" adj 5 >/dev/null
t2=$(phc_ctl -q "$dev" get 2>&1 | awk '/clock time is/ { print $5 }')
phc_ctl -q "$dev" adj -5 >/dev/null
echo "PHC $t1, after adj +5 s: $t2"
check "PHC near 1e9 s and adjtime moves it" \
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(a > 1e9 && a < 1.1e9 && b - a > 4.9 && b - a < 7) }'
check "adjfine accepted" bash -c "phc_ctl -q $dev freq 100 >/dev/null"

step "hardware timestamping config"
check "SIOCGHWTSTAMP default off" bash -c 'ip netns exec a hwstamp_ctl -i sksnic0a | grep -q "tx_type 0"'
check "hwstamp_ctl a" A hwstamp_ctl -i sksnic0a -t 1 -r 1
check "hwstamp_ctl b" B hwstamp_ctl -i sksnic0b -t 1 -r 1
A hwstamp_ctl -i sksnic0a
check "PTP_V2 filter reported as ALL" \
	bash -c 'ip netns exec b hwstamp_ctl -i sksnic0b -t 1 -r 12 | grep -q "rx_filter 1"'
check "ONESTEP_SYNC refused" bash -c '! ip netns exec a hwstamp_ctl -i sksnic0a -t 2 >/dev/null 2>&1'

for dst in 10.77.0.2 fd77::2; do
	step "UDP TX/RX hardware stamps to $dst"
	rm -f /tmp/rx.ready
	B "${CHECK[@]}" rx --port 31900 --count 10 --timeout 60 --phc "$dev" --ready /tmp/rx.ready > /tmp/rx.out 2>&1 &
	rxpid=$!
	for _ in $(seq 50); do [ -e /tmp/rx.ready ] && break; sleep 0.1; done
	check "TX hw stamps ($dst)" A "${CHECK[@]}" tx --dst "$dst" --port 31900 --count 5 --phc "$dev"
	check "TX hw+sw stamps ($dst)" A "${CHECK[@]}" tx --dst "$dst" --port 31900 --count 5 \
		--phc "$dev" --sw
	wait $rxpid
	rc=$?
	cat /tmp/rx.out
	check "RX hw stamps ($dst)" test $rc = 0
done
A ethtool -S sksnic0a
B ethtool -S sksnic0b
check "a: tx_hwtstamps >= 20" test "$(estat a sksnic0a tx_hwtstamps)" -ge 20
check "b: rx_hwtstamps >= 20" test "$(estat b sksnic0b rx_hwtstamps)" -ge 20

step "TX timestamping off: no hw stamp, nothing pending"
A hwstamp_ctl -i sksnic0a -t 0 -r 0 >/dev/null
n0=$(estat a sksnic0a tx_hwtstamps)
A "${CHECK[@]}" tx --dst 10.77.0.2 --port 31901 --count 2 --phc "$dev" --timeout 1 | tail -n 1
check "no TX stamp when off" test "$(estat a sksnic0a tx_hwtstamps)" = "$n0"
A hwstamp_ctl -i sksnic0a -t 1 -r 1 >/dev/null

step "netns b deleted: sksnic0b returns to init_net"
ip netns del b
sleep 1
check "sksnic0b back in init_net" ip link show sksnic0b
ip -br link show sksnic0b

step "unload with TX timestamp requests pending"
echo 5000000 > /sys/module/sks_testnic/parameters/tx_delay_us
ip link set sksnic0b up
# b has no address now: a static neighbour keeps a's frames going out.
A ip neigh replace 10.77.0.2 lladdr 02:00:00:00:00:02 dev sksnic0a nud permanent
rm -f /tmp/unloaded
A "${CHECK[@]}" hold --dst 10.77.0.2 --port 31902 --count 20 --wait-file /tmp/unloaded \
	> /tmp/hold.out 2>&1 &
holdpid=$!
for _ in $(seq 100); do grep -q 'send queue' /tmp/hold.out && break; sleep 0.1; done
cat /tmp/hold.out
dbg=/sys/kernel/debug/sks_testnic/0a
cat $dbg
check "16 requests pending (debugfs)" grep -qx 'tx_hwtstamp_pending 16' $dbg
check "4 requests skipped" test "$(estat a sksnic0a tx_hwtstamp_skipped)" = 4
ts=$(date +%s.%N)
check "rmmod with requests pending" rmmod sks_testnic
echo "rmmod took $(since "$ts") s"
touch /tmp/unloaded
wait $holdpid
rc=$?
cat /tmp/hold.out
check "held skbs released (send queue 0)" test $rc = 0
dmesg | grep -E 'sks_testnic|sksnic' | tail -n 3
check "flush logged" bash -c 'dmesg | grep -Eq "sksnic0a( \(unregistering\))?: flushed 16 pending"'
check "devices gone" bash -c '! ip netns exec a ip link show sksnic0a 2>/dev/null'
check "PHC gone" test ! -e /sys/class/ptp/ptp"$phc"
check "module gone" test ! -e /sys/module/sks_testnic

step "reload and unload (2 pairs)"
check "insmod pairs=2" insmod "$KO" pairs=2
ip -br link show | grep sksnic
check "rmmod" rmmod sks_testnic

step "done: $fails failure(s)"
exit $((fails != 0))
