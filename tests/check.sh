#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build and test skbstamp on every kernel of tests/kernels.conf
# (or those named as arguments) and print KTAP: a "host" suite (tool build,
# monitor's lines against printf's, coding style, the Grafana dashboard's
# JSON and PromQL, make deb), then one suite per kernel (fetch, DKMS
# add, build with W=1 and sparse, and install into a private tree, the
# test NIC's build, and the in-guest suite tests/guest/suite.sh, which
# loads the module DKMS built; in the 6.1 guest case 430 installs
# the packages make deb built, with the module DKMS built on the host).
# make soak, or "deb" named as an argument, adds the "deb" suite: case 430
# alone in a 6.1 guest of its own, where the Debian packages' postinst has
# DKMS compile the module (minutes under emulation, so a longer case
# limit: SKS_DEB_CASE_TIMEOUT, default 3600 s).  Then "N passed, N
# failed, N skipped", after a short account of every failure
# (tests/lib/ktap-failures.awk).  Exits non-zero if anything failed.
#
# Arguments name what to run: kernels of tests/kernels.conf and "deb"
# (default: every kernel, and deb in make soak).  SKS_ONLY=PATTERNS (make check ONLY=...)
# runs only the in-guest cases whose name contains one of the
# comma-separated PATTERNS (deb only if they select 430-deb).  SKS_JOBS=N
# (default 2, one per core: each guest is one single-threaded TCG process)
# jobs run at once, the longest first (by the time a complete run took
# last, build/NAME.secs); their KTAP is printed in kernels.conf order, deb
# last.  SKS_SOAK=1 (make soak) runs the stress cases at full scale
# (tests/guest/lib.sh sks_scale), and adds a job "6.1-mt": 6.1's suite
# under multi-threaded TCG.  At the end, before the totals, a table
# of where each job's time went (tests/lib/time-table.awk): its steps,
# its guest's boot and cases, its slowest cases.  Progress goes to
# stderr, KTAP to stdout.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
check_t0=$(date +%s)
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh
# shellcheck source=tests/lib/ktap.sh
source tests/lib/ktap.sh

tests/lib/deps.sh || die "cannot install the packages the tests need"

# The packages' guest (the deb job's, and the kernel job that runs case
# 430 in make check): bookworm's kernel, whose headers name the compiler
# the guest's userland (the host's, bookworm) has, gcc-12.
deb_kernel=6.1
deb=0
kernels=()
if [ $# -gt 0 ]; then
	for k in "$@"; do
		if [ "$k" = deb ]; then deb=1; else kernels+=("$k"); fi
	done
else
	mapfile -t kernels < <(sks_kernel_names)
	# The packages' in-guest DKMS compile is a soak: minutes of
	# emulation that compile the very source each kernel's DKMS step
	# built on the host.  make check's case 430 runs in the 6.1 guest
	# without it.
	[ "${SKS_SOAK:-0}" != 1 ] || deb=1
fi
for k in "${kernels[@]}"; do
	sks_kernel_field "$k" abi >/dev/null
done
# only_selects NAME: whether SKS_ONLY (as tests/guest/suite.sh reads it)
# selects the case NAME.
only_selects()
{
	local p pats
	[ -n "${SKS_ONLY:-}" ] || return 0
	IFS=, read -ra pats <<<"$SKS_ONLY"
	for p in "${pats[@]}"; do
		[[ $1 == *$p* ]] && return 0
	done
	return 1
}
only_selects 430-deb || deb=0
jobs_all=("${kernels[@]}")
[ "$deb" -eq 0 ] || jobs_all+=(deb)
# make soak: 6.1's suite once more under multi-threaded TCG (run_kernel).
if [ "${SKS_SOAK:-0}" = 1 ]; then
	for k in "${kernels[@]}"; do
		[ "$k" = 6.1 ] && jobs_all+=(6.1-mt)
	done
fi

passed=0 failed=0 skipped=0
suite_no=0
build=$top/build
mkdir -p "$build"

echo "KTAP version 1"
echo "1..$(( ${#jobs_all[@]} + 1 ))"

# step_done DIR STEP: STEP of the job whose results are in DIR took the
# seconds since the previous step (or the job's start): for time_table.
step_done()
{
	local now
	now=$(date +%s)
	echo "$((now - step_t0)) $2" >>"$1/times"
	step_t0=$now
}

# --- host suite -----------------------------------------------------------
suite_name=host
sub_begin
log=$build/host.log
hostd=$build/host.d
rm -rf "$hostd"
mkdir -p "$hostd"
step_t0=$(date +%s)
make -s -C tool clean >/dev/null 2>&1
(sks_build_host) >"$log" 2>&1
sub_result $? "tool and test programs build with -Werror" "$log"
step_done "$hostd" build
tests/tools/sks-recfmt check 100000 >"$log" 2>&1
sub_result $? "monitor's JSON and text lines are printf's, byte for byte" "$log"
tests/lib/raw-check.sh >"$log" 2>&1
sub_result $? "raw record streams decode to monitor's lines; bad ones are refused" "$log"
step_done "$hostd" recfmt
tests/lib/lint.sh >"$log" 2>&1
sub_result $? "checkpatch --strict clean" "$log"
step_done "$hostd" checkpatch
/usr/bin/python3 tests/lib/ynl-check.py . >"$log" 2>&1
sub_result $? "uapi YNL spec agrees with the header" "$log"
# The dashboard's JSON, and its PromQL as promtool parses it (the guest
# case 405 checks the names against a real export).
/usr/bin/python3 tests/guest/dashcheck.py deploy/grafana/skbstamp.json \
	--rules "$build/dashboard-rules.yml" >"$log" 2>&1 &&
	promtool check rules "$build/dashboard-rules.yml" >>"$log" 2>&1
sub_result $? "Grafana dashboard is valid, promtool parses its PromQL" "$log"
step_done "$hostd" "ynl, dashboard"
make -s deb >"$log" 2>&1
sub_result $? "make deb builds skbstamp and skbstamp-dkms" "$log"
step_done "$hostd" "make deb"
sub_end

# The module's source as DKMS gets it, copied per kernel by build-module.sh.
src=$build/src
sks_stage_src "$src"

# --- one suite per kernel ---------------------------------------------------
# job_begin NAME: a job's suite starts, in the job's subshell.
job_begin()
{
	suite_name=$1
	passed=0 failed=0 skipped=0
	sub_begin
	job_t0=$(date +%s)
	step_t0=$job_t0
}

# job_fetch K LOG: the kernel K a job boots, fetched (once, shared).
job_fetch()
{
	tests/lib/fetch-kernel.sh "$1" >"$2" 2>&1
	sub_result $? "fetch kernel $(sks_kernel_field "$1" abi)$(sks_pin_note "$1")" "$2"
}

# job_end DIR NAME: the job's KTAP block in DIR/block and "passed failed
# skipped" in DIR/counts.
job_end()
{
	local secs=$(( $(date +%s) - job_t0 ))
	sub_end " # ${secs}s" >"$1/block"
	echo "$passed $failed $skipped" >"$1/counts"
	# What the whole suite took, for run_order: kept from complete runs
	# only (not ONLY= ones, nor failed ones, which may have stopped early).
	[ -n "${SKS_ONLY:-}" ] || [ "$sub_fail" -ne 0 ] || echo "$secs" >"$build/$2.secs"
}

# run_kernel JOB: everything for job JOB, kernel K or K-mt (make soak: the
# same under multi-threaded TCG), in a subshell of its own; leaves its
# KTAP block in $build/JOB/block and "passed failed skipped" in
# $build/JOB/counts.
run_kernel()
{
	local job=$1 k=${1%-mt} rc kb=$build/$1 log=$build/$1/log abi ko debenv
	# Multi-threaded TCG runs the four vCPUs on host threads of their
	# own, so that the cases' races between CPUs really happen in
	# parallel (single-threaded TCG runs one vCPU at a time).  Cases
	# that patch kernel text under load skip there (the guest sees
	# SKS_ACCEL; tests/guest/lib.sh sks_no_patching_under_load).
	[ "$job" = "$k" ] || export SKS_ACCEL=tcg,thread=multi
	job_begin "$job"
	job_fetch "$k" "$log"
	step_done "$kb" fetch
	if [ "$sub_fail" -eq 0 ]; then
		# One compile of the module per kernel: DKMS's, with W=1 and
		# sparse (tests/lib/dkms-build.sh --checks).  The guest loads
		# the module DKMS installed, as a host would.
		tests/lib/dkms-build.sh --checks "$k" "$src" "$kb/dkms" >"$log" 2>&1
		sub_result $? "dkms add, build (W=1, sparse: no warnings) and install" "$log"
		step_done "$kb" dkms
		tests/lib/build-module.sh "$k" tests/testnic "$kb/testnic" C=1 >"$log" 2>&1
		sub_result $? "test NIC builds with W=1 and sparse, no warnings" "$log"
		step_done "$kb" "test NIC"
	fi
	abi=$(sks_kernel_field "$k" abi)
	ko=$kb/dkms/lib/modules/$abi/updates/dkms/skbstamp.ko
	if [ -f "$ko" ]; then
		rc=0
		# The whole guest's limit only catches a guest that stopped
		# responding (each case has its own 600 s): generous, since a
		# machine shared with other guests runs several times slower.
		# Four vCPUs, so that per-CPU paths run concurrently (case 240);
		# single-threaded TCG runs them on one host thread all the same.
		# Case 430, in the packages' guest: they install, and ship
		# the source this job's DKMS step built ($src).
		debenv=()
		[ "$k" != "$deb_kernel" ] ||
			debenv=(SKS_DEB_DIR="$build/deb" SKS_DEB_SRC="$src")
		tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$k")" \
			--modules "$(sks_kernel_modules "$k")" --out "$kb/out" \
			--smp 4 --timeout 3000 -- \
			env SKS_ONLY="${SKS_ONLY:-}" \
			SKS_TESTNIC_KO="$kb/testnic/sks_testnic.ko" \
			SKS_DKMS_KO="$ko" \
			"${debenv[@]}" \
			tests/guest/suite.sh "$ko" \
			"$top/tool/skbstamp" >"$log" 2>&1 || rc=$?
		step_done "$kb" guest
		[ -f "$kb/out/ktap" ] && sub_guest "$kb/out/ktap"
		# The guest as a whole: booted, finished, no kernel warning.
		sub_result "$rc" "guest ran the suite without kernel warnings" "$log"
	fi
	job_end "$kb" "$job"
}

# run_deb: the "deb" suite (make soak, or "deb" named), in a subshell of
# its own like run_kernel: the packages of the host suite installed in a
# $deb_kernel guest of their own, where the postinst has DKMS compile the
# module (case 430 alone, SKS_DEB_BUILD=guest).  That build takes minutes
# of emulation, more than the 600 s other cases get, and does not depend
# on the rest of the suite, so it runs beside the kernels' jobs instead of
# lengthening one of them.
run_deb()
{
	local kb=$1 rc log=$1/log abi ct
	job_begin deb
	job_fetch "$deb_kernel" "$log"
	step_done "$kb" fetch
	if [ "$sub_fail" -eq 0 ]; then
		rc=0
		abi=$(sks_kernel_field "$deb_kernel" abi)
		ct=${SKS_DEB_CASE_TIMEOUT:-3600}
		# The suite.sh KO is empty: case 430 loads the module DKMS
		# builds, never the suite's.
		tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$deb_kernel")" \
			--modules "$(sks_kernel_modules "$deb_kernel")" --out "$kb/out" \
			--smp 4 --timeout $((ct + 600)) -- \
			env SKS_ONLY=430-deb SKS_CASE_TIMEOUT="$ct" \
			SKS_DEB_DIR="$build/deb" SKS_DEB_BUILD=guest \
			SKS_KHDR="$(realpath "$(sks_kernel_root "$deb_kernel")")/usr/src/linux-headers-$abi" \
			tests/guest/suite.sh "" "$top/tool/skbstamp" >"$log" 2>&1 || rc=$?
		step_done "$kb" guest
		[ -f "$kb/out/ktap" ] && sub_guest "$kb/out/ktap"
		sub_result "$rc" "guest ran the package test without kernel warnings" "$log"
	fi
	job_end "$kb" deb
}

# job_dir NAME: a job's results.  build/deb holds the packages make deb
# built, so the deb job's are elsewhere.
job_dir()
{
	if [ "$1" = deb ]; then echo "$build/deb-guest"; else echo "$build/$1"; fi
}

# run_order: the jobs, longest first by what their whole suite took the
# last time (build/NAME.secs), so that the job started last is a short
# one and the SKS_JOBS slots finish close together.  Jobs never timed go
# first, in kernels.conf order (oldest, and slowest, first), deb last.
run_order()
{
	local k s
	for k in "${jobs_all[@]}"; do
		s=$(cat "$build/$k.secs" 2>/dev/null)
		echo "${s:-999999} $k"
	done | sort -s -k1,1nr | cut -d' ' -f2
}

jobs_max=${SKS_JOBS:-2}
mapfile -t order < <(run_order)
for k in "${order[@]}"; do
	kb=$(job_dir "$k")
	rm -rf "${kb:?}"
	mkdir -p "$kb/out"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	# Its suite number is its place in the printed order.
	for i in "${!jobs_all[@]}"; do
		[ "${jobs_all[$i]}" = "$k" ] && break
	done
	if [ "$k" = deb ]; then
		( suite_no=$(( suite_no + i )); run_deb "$kb" ) &
	else
		( suite_no=$(( suite_no + i )); run_kernel "$k" ) &
	fi
done
wait
for k in "${jobs_all[@]}"; do
	suite_no=$((suite_no + 1))
	kb=$(job_dir "$k")
	if [ -f "$kb/counts" ]; then
		cat "$kb/block"
		read -r p f sk <"$kb/counts"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + sk))
	else
		echo "not ok $suite_no $k # the test run died"
		failed=$((failed + 1))
	fi
done
# Where the time went: every job's steps and slowest cases, then the wall
# clock (package installation included).  The jobs ran SKS_JOBS at once.
echo "# Time, in seconds (jobs ran ${jobs_max} at once):"
awk -v job=host -f tests/lib/time-table.awk "$hostd/times" /dev/null
for k in "${jobs_all[@]}"; do
	kb=$(job_dir "$k")
	[ -f "$kb/times" ] || continue
	awk -v job="$k" -f tests/lib/time-table.awk "$kb/times" \
		"$( [ -f "$kb/out/ktap" ] && echo "$kb/out/ktap" || echo /dev/null)"
done
echo "# make check: $(( $(date +%s) - check_t0 )) s wall"
# What failed and why, again at the end, where a truncated log keeps it
# (CI shows a failed run's last two dozen lines): after the time table.
for k in "${jobs_all[@]}"; do
	cat "$(job_dir "$k")/block" 2>/dev/null
done | ktap_failures
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
