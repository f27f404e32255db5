#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-guest test suite: runs every tests/cases/*.sh (or those whose name
# matches $SKS_ONLY) and prints KTAP.  After each case the kernel log is
# searched for warnings, and the module is unloaded if the case left it
# loaded, so one case's failure cannot hide in the next one's result.
#
# usage: suite.sh KO TOOL [OUTDIR]
# KO may be empty when no case run loads the suite's module (the deb job
# of make soak runs case 430 alone, which loads what DKMS built).
# Writes the KTAP to stdout and, when OUTDIR is given, to OUTDIR/ktap.
# SKS_CASE_TIMEOUT: seconds a case may take (default 600).
#
# On a kernel with kmemleak (make check-debug's) its list is cleared before
# the first case, and after the last one, with every module unloaded, a
# final test scans for leaks: an unreferenced object allocated from code of
# a module fails it.  On a kernel with lockdep a last test checks that
# lockdep is still on (a splat, or running out of lock classes or chains,
# turns it off for the rest of the run).

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
export SKS_KO=$1 SKS_TOOL=$2 SKS_TOP=$top
# The module without its debug information, in the guest's memory: an
# insmod then reads 170 KB from tmpfs instead of 4 MB over 9p, and the
# suite loads it a hundred times.  The symbol table stays (kallsyms).
if [ -n "$SKS_KO" ]; then
	mkdir -p /run/sks-ko
	objcopy --strip-debug "$SKS_KO" /run/sks-ko/skbstamp.ko || exit 1
	SKS_KO=/run/sks-ko/skbstamp.ko
fi
# The cases use Debian's tools, which tests/lib/deps.sh installs, not what
# the caller's PATH puts first: vm-run.sh passes that PATH on, and a pyenv
# shim there costs ~250 execs per python3 start, 20-50 s in a TCG guest.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=${3:-${SKS_OUT:-}}

# Kernel messages that mean the kernel or the module misbehaved.
bad_dmesg='WARNING:|BUG:|Oops|general protection|scheduling while atomic|rcu: INFO|self-detected stall|Call Trace|kernel BUG|UBSAN|KASAN|kmemleak'
# lockdep's reports (they start with WARNING: too)
bad_dmesg+='|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|lock held when returning'
kmemleak=/sys/kernel/debug/kmemleak
case_timeout=${SKS_CASE_TIMEOUT:-600}

# Undo what a case may leave behind: namespaces, devices, tracing state.
cleanup()
{
	local tr=/sys/kernel/tracing e
	# (ip, a process, only where a case left a namespace)
	! compgen -G '/run/netns/*' >/dev/null || ip -all netns delete 2>/dev/null
	# The events a case left enabled lose their filters too (a case that
	# sets a filter clears it when done with the event): resetting all
	# 1,300 filters would cost a second per case under TCG.
	if [ -w $tr/set_event ]; then
		for e in $(<$tr/set_event); do
			echo 0 >"$tr/events/${e/://}/filter"
		done 2>/dev/null
		echo >$tr/set_event
	fi
	[ -w $tr/trace ] && echo >$tr/trace
	# The next case that needs the test NIC loads it afresh.
	[ -d /sys/module/sks_testnic ] && rmmod sks_testnic 2>/dev/null
	return 0
}

# dmesg_bad FILE: print the first line of the kernel log FILE that means
# the kernel or the module misbehaved (bad_dmesg); false if none.
dmesg_bad()
{
	local l
	while IFS= read -r l; do
		if [[ $l =~ $bad_dmesg ]]; then
			printf '%s\n' "$l"
			return 0
		fi
	done <"$1"
	return 1
}

ktap()
{
	echo "$*"
	[ -z "$out" ] || echo "$*" >>"$out/ktap"
}

# ktap_log FILE: FILE's lines as KTAP diagnostics, one write to each
# output: a case may print thousands of lines (400's export), and a shell
# loop with an open and append per line, over 9p, is slow under TCG.
# Bash's printf of the whole array, not awk: every process started
# between cases costs a TCG guest a tenth of a second or more.
ktap_log()
{
	local lines
	mapfile -t lines <"$1"
	[ "${#lines[@]}" -gt 0 ] || return 0
	printf '# %s\n' "${lines[@]}"
	[ -z "$out" ] || printf '# %s\n' "${lines[@]}" >>"$out/ktap"
}

[ -z "$out" ] || : >"$out/ktap"
mapfile -t cases < <(ls "$top"/tests/cases/*.sh | sort)
if [ -n "${SKS_ONLY:-}" ]; then
	sel=()
	# A comma-separated list of name fragments: ONLY=040,summary
	IFS=, read -ra pats <<<"$SKS_ONLY"
	for c in "${cases[@]}"; do
		for p in "${pats[@]}"; do
			b=${c##*/}
			if [[ ${b%.sh} == *$p* ]]; then
				sel+=("$c")
				break
			fi
		done
	done
	cases=("${sel[@]}")
fi

# The debug kernel's own checks, after the cases.
final=()
[ -w $kmemleak ] && final+=(kmemleak)
[ -r /proc/lockdep_stats ] && final+=(lockdep)

ktap "KTAP version 1"
ktap "# kernel $(uname -r)"
ktap "1..$(( ${#cases[@]} + ${#final[@]} ))"
# What boot left unreferenced is not the module's.
[ -w $kmemleak ] && echo clear >$kmemleak
# Each case's own directory, made at once: one mkdir, not one per case.
tmproot=/tmp/sks-suite.$$
tmpdirs=("$tmproot")
for ((n = 1; n <= ${#cases[@]}; n++)); do
	tmpdirs+=("$tmproot/$n")
done
mkdir -m 0700 "${tmpdirs[@]}" || exit 1
# The fifo tests/guest/lib.sh's sks_sleep waits on, open in every case.
mkfifo "$tmproot/.sleep" || exit 1
exec {SKS_SLEEP_FD}<>"$tmproot/.sleep"
export SKS_SLEEP_FD
dmesg -C
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	name=${c##*/}
	name=${name%.sh}
	tmp=$tmproot/$n
	# Bash's own clock and file reads: each process a TCG guest starts
	# between cases costs tens of milliseconds.
	start=$EPOCHSECONDS
	rc=0
	# Its own session, so whatever the case leaves running is killed.
	SKS_TMP=$tmp timeout "$case_timeout" setsid --wait bash -c \
		'echo $$ >"$SKS_TMP/.sid"; source "$1"/tests/guest/lib.sh; source "$2"' \
		sks "$top" "$c" >"$tmp/log" 2>&1 </dev/null || rc=$?
	[ -s "$tmp/.sid" ] && pkill -KILL -s "$(<"$tmp/.sid")" 2>/dev/null
	cleanup
	secs=$((EPOCHSECONDS - start))
	if [ -d /sys/module/skbstamp ]; then
		rmmod skbstamp >>"$tmp/log" 2>&1 || { echo "FAIL: cannot unload the module after the case" >>"$tmp/log"; rc=1; }
	fi
	# The case's kernel log, its unload's included, read and cleared in
	# one process and searched by bash.
	dmesg -c >"$tmp/dmesg"
	if sks_warn=$(dmesg_bad "$tmp/dmesg"); then
		echo "kernel log after the case:" >>"$tmp/log"
		mapfile -t klog <"$tmp/dmesg"
		k=$(( ${#klog[@]} > 40 ? ${#klog[@]} - 40 : 0 ))
		printf '%s\n' "${klog[@]:k}" >>"$tmp/log"
		[ "$rc" -eq 4 ] && rc=1
		[ "$rc" -eq 0 ] && rc=1
		echo "FAIL: kernel warning: $sks_warn" >>"$tmp/log"
	fi
	ktap_log "$tmp/log"
	case $rc in
	0) ktap "ok $n $name # time ${secs}s" ;;
	4) ktap "ok $n $name # SKIP $(grep -m1 '^SKIP:' "$tmp/log" | cut -c7-)" ;;
	124) ktap "not ok $n $name # timeout after ${secs}s" ;;
	*) ktap "not ok $n $name # exit $rc" ;;
	esac
	rm -rf "$tmp"
done
exec {SKS_SLEEP_FD}>&-
rm -f "$tmproot/.sleep"
rmdir "$tmproot" 2>/dev/null

# kmemleak_check: scan with every module unloaded; prints the leaks
# allocated from a module's code and fails if there is one.  The modules
# are gone, so their frames show as bare addresses in the module area
# (0xffffffffc0000000 up) instead of symbols; skbstamp and the test NIC
# are the only modules the suite loads.
kmemleak_check()
{
	local m
	for m in skbstamp sks_testnic; do
		[ -d /sys/module/$m ] && rmmod $m
	done
	# kmemleak reports objects at least 5 s old, and an object reached only
	# through a pointer the scan caught in flight shows up a scan later.
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	awk '
		/^unreferenced object/ { flush(); obj = $0; mod = 0; next }
		obj != "" { obj = obj "\n" $0 }
		/\[skbstamp\]|\[sks_testnic\]|\] 0xffffffff[c-f][0-9a-f]+$/ { mod = 1 }
		function flush() { if (obj != "" && mod) { print obj; n++ } obj = "" }
		END { flush(); exit (n > 0) }' $kmemleak || {
		echo "FAIL: unreferenced objects allocated from a module's code (above)"
		return 1
	}
	echo "no leak from a module ($(grep -c '^unreferenced object' $kmemleak) other unreferenced objects)"
}

lockdep_check()
{
	grep -E 'debug_locks|lock-classes|direct dependencies|dependency chains' /proc/lockdep_stats
	grep -Eq 'debug_locks: +1$' /proc/lockdep_stats || {
		echo "FAIL: lockdep turned itself off during the run"
		return 1
	}
}

for f in "${final[@]}"; do
	n=$((n + 1))
	rc=0
	"${f}_check" >/tmp/sks-final.log 2>&1 || rc=$?
	ktap_log /tmp/sks-final.log
	case $f in
	kmemleak) name="kmemleak: no leak from skbstamp or the test NIC after unload" ;;
	lockdep) name="lockdep still on after every case" ;;
	esac
	if [ "$rc" -eq 0 ]; then ktap "ok $n $name"; else ktap "not ok $n $name"; fi
done
