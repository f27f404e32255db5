#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest test suite: runs every tests/cases/*.sh (or those whose name
# matches $SKS_ONLY) and prints KTAP.  After each case the kernel log is
# searched for warnings, and the module is unloaded if the case left it
# loaded, so one case's failure cannot hide in the next one's result.
#
# usage: suite.sh KO TOOL [OUTDIR]
# Writes the KTAP to stdout and, when OUTDIR is given, to OUTDIR/ktap.

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
export SKS_KO=$1 SKS_TOOL=$2 SKS_TOP=$top
# The cases use Debian's tools, which tests/lib/deps.sh installs, not what
# the caller's PATH puts first: vm-run.sh passes that PATH on, and a pyenv
# shim there costs ~250 execs per python3 start, 20-50 s in a TCG guest.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=${3:-${SKS_OUT:-}}

# Kernel messages that mean the kernel or the module misbehaved.
bad_dmesg='WARNING:|BUG:|Oops|general protection|scheduling while atomic|rcu: INFO|self-detected stall|Call Trace|kernel BUG|UBSAN|KASAN|kmemleak'

# Undo what a case may leave behind: namespaces, devices, tracing state.
cleanup()
{
	local tr=/sys/kernel/tracing
	ip -all netns delete 2>/dev/null
	[ -w $tr/events/enable ] && echo 0 >$tr/events/enable
	[ -w $tr/trace ] && echo >$tr/trace
	for f in $tr/events/*/*/filter; do
		[ -w "$f" ] && echo 0 >"$f"
	done 2>/dev/null
	return 0
}

ktap()
{
	echo "$*"
	[ -z "$out" ] || echo "$*" >>"$out/ktap"
}

[ -z "$out" ] || : >"$out/ktap"
mapfile -t cases < <(ls "$top"/tests/cases/*.sh | sort)
if [ -n "${SKS_ONLY:-}" ]; then
	sel=()
	# A comma-separated list of name fragments: ONLY=040,summary
	IFS=, read -ra pats <<<"$SKS_ONLY"
	for c in "${cases[@]}"; do
		for p in "${pats[@]}"; do
			if [[ $(basename "$c" .sh) == *$p* ]]; then
				sel+=("$c")
				break
			fi
		done
	done
	cases=("${sel[@]}")
fi

ktap "KTAP version 1"
ktap "# kernel $(uname -r)"
ktap "1..${#cases[@]}"
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	tmp=$(mktemp -d /tmp/sks-case.XXXXXX)
	dmesg -C
	start=$(date +%s)
	rc=0
	# Its own session, so whatever the case leaves running is killed.
	SKS_TMP=$tmp timeout 600 setsid --wait bash -c \
		'echo $$ >"$SKS_TMP/.sid"; source "$1"/tests/guest/lib.sh; source "$2"' \
		sks "$top" "$c" >"$tmp/log" 2>&1 </dev/null || rc=$?
	[ -s "$tmp/.sid" ] && pkill -KILL -s "$(cat "$tmp/.sid")" 2>/dev/null
	cleanup
	secs=$(( $(date +%s) - start ))
	if sks_warn=$(dmesg | grep -E "$bad_dmesg"); then
		echo "kernel log after the case:" >>"$tmp/log"
		dmesg | tail -n 40 >>"$tmp/log"
		[ "$rc" -eq 4 ] && rc=1
		[ "$rc" -eq 0 ] && rc=1
		echo "FAIL: kernel warning: ${sks_warn%%$'\n'*}" >>"$tmp/log"
	fi
	if [ -d /sys/module/skbstamp ]; then
		rmmod skbstamp >>"$tmp/log" 2>&1 || { echo "FAIL: cannot unload the module after the case" >>"$tmp/log"; rc=1; }
	fi
	while IFS= read -r line; do ktap "# $line"; done <"$tmp/log"
	case $rc in
	0) ktap "ok $n $name # time ${secs}s" ;;
	4) ktap "ok $n $name # SKIP $(grep -m1 '^SKIP:' "$tmp/log" | cut -c7-)" ;;
	124) ktap "not ok $n $name # timeout after ${secs}s" ;;
	*) ktap "not ok $n $name # exit $rc" ;;
	esac
	rm -rf "$tmp"
done
