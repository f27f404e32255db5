# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-guest test cases (tests/cases/*.sh).  Each case runs as
# its own bash process with this file sourced; it passes by exiting 0, fails
# by exiting 1 (sks_fail) and is skipped with exit 4 (sks_skip).  Everything
# a case prints becomes a KTAP diagnostic line.
#
# Environment, set by tests/guest/suite.sh:
#   SKS_KO    the skbstamp.ko built for this kernel, without its debug
#             information (a copy in the guest's memory)
#   SKS_TOOL  the skbstamp tool
#   SKS_TOP   the checkout
#   SKS_TMP   a scratch directory private to the case
#   SKS_SOAK  1 in make soak: the stress cases at full scale (sks_scale)

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

# sks_scale CHECK SOAK: how many cycles (sockets, loads...) a stress case
# runs: CHECK in make check, SOAK in make soak (SKS_SOAK=1).
sks_scale()
{
	if [ "${SKS_SOAK:-0}" = 1 ]; then echo "$2"; else echo "$1"; fi
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

# sks_python ARGS...: Debian's python3 for the checkers, which only need
# the standard library: -I (no user site, no PYTHON* variables) and -S (no
# site module, which scans dist-packages and its .pth files) make each
# start a second cheaper in a TCG guest, where it costs seconds.
sks_python()
{
	/usr/bin/python3 -I -S "$@"
}

# sks_check DIR [ARGS...] <<'EOF' ... EOF: run the Python checks on
# standard input with tests/guest/sksjson.py importable (check(), done(),
# load() and records() of files in DIR).
sks_check()
{
	sks_python -c 'import sys
sys.path.insert(0, sys.argv.pop(1))
exec(compile(sys.stdin.read(), "<checks>", "exec"))' "$SKS_TOP/tests/guest" "$@"
}

# sks_json FILE EXPR...: evaluate Python expressions on the JSON object in
# FILE (bound to j) and print one result per line.  One python3 start per
# call, however many expressions: each start costs seconds in a guest.
sks_json()
{
	sks_python -c 'import json, sys
j = json.load(open(sys.argv[1]))
for e in sys.argv[2:]:
    print(eval(e))' "$@"
}

# Every process a TCG guest starts costs it about a tenth of a second:
# the helpers below give ip its commands in batches (ip -batch), one
# process per namespace, where a command each took four times as many.

# sks_netns_dad_off NS: IPv6 duplicate address detection off in namespace
# NS, for the devices made there after it, so addresses work at once.
sks_netns_dad_off()
{
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

# sks_netns NS: a namespace with lo up and IPv6 duplicate address
# detection off (sks_netns_dad_off).
sks_netns()
{
	ip netns add "$1"
	ip -n "$1" link set lo up
	sks_netns_dad_off "$1"
}

# sks_addr_pair DEV-A DEV-B NET4 NET6: DEV-A (in namespace "a") gets
# NET4.1/24 and NET6::1/64, DEV-B (in "b") NET4.2/24 and NET6::2/64; both
# up, and lo in both namespaces too.
sks_addr_pair()
{
	local ns dev host side
	for side in "a $1 1" "b $2 2"; do
		read -r ns dev host <<<"$side"
		ip -n "$ns" -batch - <<-EOF || sks_fail "addresses of $dev in namespace $ns"
			link set lo up
			addr add $3.$host/24 dev $dev
			addr add $4::$host/64 dev $dev nodad
			link set $dev up
		EOF
	done
}

# sks_netns_pair: namespaces "a" and "b" joined by veth va <-> vb, with
# 10.0.0.1/24 and fd00::1/64 on va, 10.0.0.2/24 and fd00::2/64 on vb;
# lo up and duplicate address detection off in both, as sks_netns makes
# them.  The veth pair is made once detection is off: devices take the
# namespace's setting when they are made.
sks_netns_pair()
{
	ip -batch - <<-EOF || sks_fail "namespaces a and b"
		netns add a
		netns add b
	EOF
	sks_netns_dad_off a
	sks_netns_dad_off b
	ip -n a link add va type veth peer name vb netns b
	sks_addr_pair va vb 10.0.0 fd00
}

# sks_wire_pair: the guest's two virtio-net NICs, which vm-run.sh wires to
# each other, renamed wa (in namespace "a", 10.7.0.1/24 and fd07::1/64) and
# wb (in "b", 10.7.0.2/24 and fd07::2/64), both up.  Skips the case on a
# guest without them.
sks_wire_pair()
{
	local ns d dev
	modprobe virtio_net 2>/dev/null || true
	for ns in a b; do
		dev=
		for d in /sys/class/net/*; do
			[ "$(<"$d/address")" = "52:54:00:5c:00:0$ns" ] 2>/dev/null &&
				dev=${d##*/}
		done
		[ -n "$dev" ] || sks_skip "no virtio-net NIC 52:54:00:5c:00:0$ns (vm-run.sh adds two)"
		sks_netns "$ns"
		ip link set "$dev" down
		ip link set "$dev" name "w$ns" netns "$ns"
	done
	sks_addr_pair wa wb 10.7.0 fd07
}

# sks_rx_flows NET4 NET6 PORT: the flows of the receive path cases, from
# namespace a to b: UDP to NET4.2 PORT+1 and NET6::2 PORT+2, TCP (no delay,
# 20 ms between calls) to NET4.2 PORT+3 and NET6::2 PORT+4.
# sks_rx_flows_check RECORDS PORT: rxcheck.py on them.
sks_rx_flows()
{
	sks_udp_flow "$1.2" $(($3 + 1)) 6 sizes 10,200,1000,1400,64,1 gap-us 5000 quiet-ms 1
	sks_udp_flow "$2::2" $(($3 + 2)) 4 sizes 20,300,1200,8 gap-us 5000 quiet-ms 1
	sks_tcp_flow "$1.2" $(($3 + 3)) sizes 100,1000,1448,5000,333 gap-us 20000 nodelay quiet-ms 1
	sks_tcp_flow "$2::2" $(($3 + 4)) sizes 100,1000,1448,5000,333 gap-us 20000 nodelay quiet-ms 1
}

sks_rx_flows_check()
{
	sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$1" "udp:$(($2 + 1)):2675:4" \
		"udp:$(($2 + 2)):1528:6" "tcp:$(($2 + 3)):7881:4" "tcp:$(($2 + 4)):7881:6"
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

# sks_sleep SECONDS: sleep without starting a process.  Every exec costs
# 0.1-0.5 s in a TCG guest (dynamic loading over 9p), more than the short
# waits of the polling loops below.  read -t on a fifo nobody writes to:
# suite.sh's (SKS_SLEEP_FD, open in every case), else one of the case's.
sks_sleep()
{
	if [ -z "${sks_sleep_fd:-}" ]; then
		if [ -n "${SKS_SLEEP_FD:-}" ] && [ -p "/proc/self/fd/$SKS_SLEEP_FD" ]; then
			sks_sleep_fd=$SKS_SLEEP_FD
		else
			mkfifo "$SKS_TMP/.sleep"
			exec {sks_sleep_fd}<>"$SKS_TMP/.sleep"
		fi
	fi
	read -r -t "$1" -u "$sks_sleep_fd" _ || true
}

# sks_file_has FILE STRING: FILE has a line containing STRING (a shell
# loop, not grep, for the same reason).
sks_file_has()
{
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		[[ $l == *"$2"* ]] && return 0
	done 2>/dev/null <"$1"
	return 1
}

# sks_monitor_start FILE [OPTIONS...] [monitor ARGS...]: run the monitor in
# the background with stdout in FILE (stderr in FILE.err), and return once
# it listens (polled every 50 ms, given up after 60 s).
sks_monitor_start()
{
	local out=$1 end=$((SECONDS + 60))
	shift
	if [[ " $* " != *" monitor "* ]]; then
		set -- "$@" monitor
	fi
	"$SKS_TOOL" "$@" >"$out" 2>"$out.err" &
	sks_monitor_pid=$!
	while [ "$SECONDS" -lt "$end" ]; do
		sks_file_has "$out.err" 'listening for records' && return 0
		kill -0 "$sks_monitor_pid" 2>/dev/null || break
		sks_sleep 0.05
	done
	cat "$out.err"
	sks_fail "the monitor did not start"
}

# sks_monitor_stop: let the drain deliver, then stop the monitor cleanly.
sks_monitor_stop()
{
	sks_sleep 0.3
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || sks_fail "the monitor exited with status $?"
}

# sks_wait_file FILE: wait until FILE exists (a server's --ready-file),
# polled every 50 ms, given up after 60 s.
sks_wait_file()
{
	local end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		[ -e "$1" ] && return 0
		sks_sleep 0.05
	done
	sks_fail "timed out waiting for $1"
}

# sks_udp PORT N [SIZE]: N datagrams of SIZE bytes (default 64) from
# namespace a to 10.0.0.2:PORT, where a server in b receives them all.
sks_udp()
{
	sks_udp_flow 10.0.0.2 "$1" "$2" size "${3:-64}" count "$2"
}

# sks_udp_flow ADDR PORT N CLIENT-ARGS...: a UDP server in namespace b
# expecting N datagrams on ADDR PORT, and sks-traffic udp-client with
# CLIENT-ARGS in namespace a; their reports in $SKS_TMP/server.PORT and
# $SKS_TMP/client.PORT.  Fails unless the server received all N.  The
# server's 8 MiB receive buffer holds thousands of small datagrams: the
# client sends without pacing, and a slow guest (CI once dropped 72 of
# 220's 600 at the default buffer) must not lose what a case counts.
sks_udp_flow()
{
	local addr=$1 port=$2 n=$3 srv
	shift 3
	ip netns exec b "$SKS_TRAFFIC" udp-server "$addr" "$port" count "$n" timeout 5000 \
		rcvbuf 8388608 --ready-file "$SKS_TMP/ready.$port" >"$SKS_TMP/server.$port" &
	srv=$!
	sks_wait_file "$SKS_TMP/ready.$port"
	ip netns exec a "$SKS_TRAFFIC" udp-client "$addr" "$port" "$@" \
		>"$SKS_TMP/client.$port" || sks_fail "udp client to port $port failed"
	wait $srv || sks_fail "udp server on port $port failed"
	sks_file_has "$SKS_TMP/server.$port" "{\"received\":$n," ||
		sks_fail "udp server on port $port did not receive $n datagrams: $(<"$SKS_TMP/server.$port")"
	rm -f "$SKS_TMP/ready.$port"
}

# sks_tcp_flow ADDR PORT CLIENT-ARGS...: a TCP server in namespace b on
# ADDR PORT, and sks-traffic tcp-client with CLIENT-ARGS in namespace a;
# their reports in $SKS_TMP/server.PORT and $SKS_TMP/client.PORT.  Fails
# unless the server received every byte the client sent.  The server gets
# the words of $sks_tcp_server_args too (splice, say).
sks_tcp_flow()
{
	local addr=$1 port=$2 srv sent
	shift 2
	# shellcheck disable=SC2086
	ip netns exec b "$SKS_TRAFFIC" tcp-server "$addr" "$port" ${sks_tcp_server_args:-} \
		--ready-file "$SKS_TMP/ready.$port" >"$SKS_TMP/server.$port" &
	srv=$!
	sks_wait_file "$SKS_TMP/ready.$port"
	ip netns exec a "$SKS_TRAFFIC" tcp-client "$addr" "$port" "$@" \
		>"$SKS_TMP/client.$port" || sks_fail "tcp client to port $port failed"
	wait $srv || sks_fail "tcp server on port $port failed"
	# The client's report starts {"sent":BYTES,"calls":...
	sent=$(<"$SKS_TMP/client.$port")
	sent=${sent#'{"sent":'}
	sent=${sent%%,*}
	[[ $sent =~ ^[0-9]+$ ]] || sks_fail "tcp client to port $port: no sent count in its report"
	sks_file_has "$SKS_TMP/server.$port" "{\"received\":$sent}" ||
		sks_fail "tcp server on port $port did not receive the $sent bytes sent: $(<"$SKS_TMP/server.$port")"
	rm -f "$SKS_TMP/ready.$port"
}

# sks_wait_has FILE STRING: wait until FILE has a line containing STRING,
# polled every 50 ms, given up after 60 s.
sks_wait_has()
{
	local end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		sks_file_has "$1" "$2" && return 0
		sks_sleep 0.05
	done
	sks_fail "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# sks_raw_ns: CLOCK_MONOTONIC_RAW in ns, the clock the test NIC's mock PHC
# counts from (plus 10^18).
sks_raw_ns()
{
	sks_python -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW))'
}

# sks_wait_drained FILE: wait (up to 10 s) until the module's buffers are
# empty, leaving the last 'status --json' in FILE.
sks_wait_drained()
{
	local i
	for ((i = 0; i < 100; i++)); do
		"$SKS_TOOL" --json status >"$1"
		grep -q '"buffered":0[,}]' "$1" && return 0
		sks_sleep 0.1
	done
	sks_fail "records still buffered after 10 s: $(cat "$1")"
}

# sks_wait_settled FILE: wait (up to 10 s) until no tagged skb waits for a
# stage (tags_pending 0: TCP's last ACK may come after the client exited,
# later still on a stalled guest), then until nothing is buffered; the
# last 'status --json' in FILE.  The checks that follow say what is missing.
sks_wait_settled()
{
	local i
	for ((i = 0; i < 100; i++)); do
		"$SKS_TOOL" --json status >"$1"
		grep -q '"tags_pending":0[,}]' "$1" && break
		sks_sleep 0.1
	done
	sks_wait_drained "$1"
}

# sks_modules_writable: make /lib/modules/$(uname -r) writable for the
# case (the guest's modules tree is the host's cache, read-only): a tmpfs
# overlay, removed when the case exits.  For modprobe, depmod and DKMS.
sks_modules_writable()
{
	local m=/lib/modules/$(uname -r) t=$SKS_TMP/modules-ovl
	mkdir -p "$t"
	mount -t tmpfs tmpfs "$t" || sks_fail "tmpfs for $m"
	mkdir -p "$t/upper" "$t/work"
	mount -t overlay -o "lowerdir=$m,upperdir=$t/upper,workdir=$t/work" overlay "$m" ||
		sks_skip "cannot overlay $m"
	# shellcheck disable=SC2064
	trap "umount -l '$m'; umount -l '$t'" EXIT
}

# sks_module_install KO DEST: put the module KO at DEST, under the
# running kernel's writable modules tree (sks_modules_writable), where
# modprobe finds it.  skbstamp depends on no other module: an index of it
# alone is enough, and much quicker than depmod -a under emulation.
sks_module_install()
{
	install -D -m 0644 "$1" "$2" || sks_fail "cannot install $1 as $2"
	depmod "$(uname -r)" "$2" || sks_fail "depmod $2 failed"
}

# sks_mem_now: SUnreclaim, VmallocUsed and Percpu (kB) into the array
# sks_mem, once SLUB has given back its empty slabs (freed objects leave
# their slab pages allocated otherwise).
sks_mem_now()
{
	local k v _ f
	declare -gA sks_mem
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null || true
	done
	while read -r k v _; do
		case $k in
		SUnreclaim:|VmallocUsed:|Percpu:) sks_mem[${k%:}]=$v ;;
		esac
	done </proc/meminfo
}

# sks_no_patching_under_load: skip a case that registers hooks (patches
# kernel text) while other CPUs run the functions being patched, when the
# guest runs on multi-threaded TCG (make soak's 6.1-mt job): there QEMU 7.2
# livelocks every vCPU at such a call site, whether skbstamp is loaded or
# not (case 995 shows it with the function tracer alone; docs/testing.md).
sks_no_patching_under_load()
{
	[[ ${SKS_ACCEL:-} != *thread=multi* ]] ||
		sks_skip "patches kernel text under load, which livelocks multi-threaded TCG without the module too (case 995)"
}

# sks_churn_begin: the memory baseline, then namespaces a and b with a TCP
# and a UDP sender pinned to each CPU, running until sks_churn_end.  One
# load, start, stop and unload come first, so that whatever the kernel
# allocates once, on first use (ftrace hashes, the family's id, the
# namespaces' and traffic tools' first run), is in the baseline.
sks_churn_begin()
{
	local c k ncpu
	ncpu=$(nproc)
	[ "$ncpu" -ge 4 ] || sks_fail "the guest has $ncpu CPUs; make check boots four"
	sks_netns_pair
	sks_load
	"$SKS_TOOL" start || sks_fail "warm-up start"
	sks_udp 6399 5
	"$SKS_TOOL" stop || sks_fail "warm-up stop"
	sks_unload
	ip netns del a
	ip netns del b
	sks_sleep 2
	sks_mem_now
	declare -gA sks_mem_base
	for k in "${!sks_mem[@]}"; do sks_mem_base[$k]=${sks_mem[$k]}; done
	echo "# baseline: SUnreclaim ${sks_mem[SUnreclaim]} kB," \
		"VmallocUsed ${sks_mem[VmallocUsed]} kB, Percpu ${sks_mem[Percpu]} kB"

	sks_netns_pair
	sks_churn_traffic
}

# sks_churn_traffic: in namespaces a and b (sks_netns_pair), a TCP and a
# UDP sender pinned to each CPU, sending every 50 ms to servers in b
# until the case ends; their pids in sks_churn_senders, the servers'
# in sks_churn_pids.
sks_churn_traffic()
{
	local c ncpu
	ncpu=$(nproc)
	sks_churn_pids=() sks_churn_senders=()
	for ((c = 0; c < ncpu; c++)); do
		ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 $((6300 + c)) \
			--ready-file "$SKS_TMP/t.$c" >/dev/null &
		sks_churn_pids+=($!)
		ip netns exec b "$SKS_TRAFFIC" udp-server fd00::2 $((6310 + c)) \
			count 1000000 timeout 600000 --ready-file "$SKS_TMP/u.$c" >/dev/null &
		sks_churn_pids+=($!)
	done
	for ((c = 0; c < ncpu; c++)); do
		sks_wait_file "$SKS_TMP/t.$c"
		sks_wait_file "$SKS_TMP/u.$c"
	done
	for ((c = 0; c < ncpu; c++)); do
		ip netns exec a taskset -c $c "$SKS_TRAFFIC" tcp-client 10.0.0.2 \
			$((6300 + c)) size 1000 count 1000000 gap-us 50000 quiet-ms 1 >/dev/null &
		sks_churn_senders+=($!)
		ip netns exec a taskset -c $c "$SKS_TRAFFIC" udp-client fd00::2 \
			$((6310 + c)) size 200 count 1000000 gap-us 50000 quiet-ms 1 >/dev/null &
		sks_churn_senders+=($!)
	done
}

# sks_churn_end: the senders ran through it all (none exited); then, with
# the traffic and namespaces gone and the module unloaded, memory is back
# to the baseline, within what a process start or a socket's buffers
# leave behind: a leaked table or ring (32 kB or more each) per cycle
# would exceed it many times over.
sks_churn_end()
{
	local p k n tol d
	for p in "${sks_churn_senders[@]}"; do
		kill -0 "$p" 2>/dev/null || sks_fail "a sender stopped during the cycles"
	done
	kill "${sks_churn_senders[@]}" "${sks_churn_pids[@]}" 2>/dev/null || true
	wait "${sks_churn_senders[@]}" "${sks_churn_pids[@]}" 2>/dev/null || true
	ip netns del a
	ip netns del b
	sks_sleep 2
	sks_mem_now
	echo "# after: SUnreclaim ${sks_mem[SUnreclaim]} kB," \
		"VmallocUsed ${sks_mem[VmallocUsed]} kB, Percpu ${sks_mem[Percpu]} kB"
	for k in SUnreclaim:2048 VmallocUsed:1024 Percpu:64; do
		n=${k%:*} tol=${k#*:}
		d=$((sks_mem[$n] - sks_mem_base[$n]))
		[ "$d" -le "$tol" ] || sks_fail "$n grew by $d kB over the cycles (more than $tol kB)"
	done
}
