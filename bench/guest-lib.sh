# SPDX-License-Identifier: GPL-2.0
#
# What the benchmark's guest drivers (bench/guest.sh, bench/ledger-guest.sh)
# share: servers in namespace b, and waiting for a background tracer or
# collector to say it is ready.  Sourced.

note() { echo "bench: $*"; }

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

# bg_wait_ready FILE PATTERN: until the background process $bg_pid has
# written PATTERN to FILE (false if it died or never did).
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

