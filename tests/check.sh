#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build and test skbstamp on every kernel of tests/kernels.conf
# (or those named as arguments) and print KTAP: a "host" suite (tool build,
# coding style), then one suite per kernel (fetch, W=1 build, sparse, DKMS add,
# build and install into a private tree, and
# the in-guest suite tests/guest/suite.sh), then "N passed, N failed,
# N skipped".  Exits non-zero if anything failed.
#
# SKS_ONLY=PATTERNS (make check ONLY=...) runs only the in-guest cases whose
# name contains one of the comma-separated PATTERNS.  SKS_JOBS=N (default
# 2, one per core: each guest is one single-threaded TCG process) kernels
# are tested at once, the longest first (by the time a complete run took
# last, build/K.secs); their KTAP is printed in kernels.conf order.
# Progress goes to stderr, KTAP to stdout.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh
# shellcheck source=tests/lib/ktap.sh
source tests/lib/ktap.sh

tests/lib/deps.sh || die "cannot install the packages the tests need"

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(sks_kernel_names)
fi
for k in "${kernels[@]}"; do
	sks_kernel_field "$k" abi >/dev/null
done

passed=0 failed=0 skipped=0
suite_no=0
build=$top/build
mkdir -p "$build"

echo "KTAP version 1"
echo "1..$(( ${#kernels[@]} + 1 ))"

# --- host suite -----------------------------------------------------------
suite_name=host
sub_begin
log=$build/host.log
make -s -C tool clean >/dev/null 2>&1
(sks_build_host) >"$log" 2>&1
sub_result $? "tool and test programs build with -Werror" "$log"
tests/lib/lint.sh >"$log" 2>&1
sub_result $? "checkpatch --strict clean" "$log"
/usr/bin/python3 tests/lib/ynl-check.py . >"$log" 2>&1
sub_result $? "uapi YNL spec agrees with the header" "$log"
make -s deb >"$log" 2>&1
sub_result $? "make deb builds skbstamp and skbstamp-dkms" "$log"
sub_end

# The module's source as DKMS gets it, copied per kernel by build-module.sh.
src=$build/src
sks_stage_src "$src"

# --- one suite per kernel ---------------------------------------------------
# run_kernel K: everything for kernel K, in a subshell of its own; leaves
# its KTAP block in $build/K/block and "passed failed skipped" in
# $build/K/counts.
run_kernel()
{
	local k=$1 t0 rc kb=$build/$1 log secs abi
	suite_name=$k
	passed=0 failed=0 skipped=0
	sub_begin
	t0=$(date +%s)
	log=$kb/log

	tests/lib/fetch-kernel.sh "$k" >"$log" 2>&1
	sub_result $? "fetch kernel $(sks_kernel_field "$k" abi)$(sks_pin_note "$k")" "$log"
	if [ "$sub_fail" -eq 0 ]; then
		tests/lib/build-module.sh "$k" "$src" "$kb/module" >"$log" 2>&1
		sub_result $? "module builds with W=1, no warnings" "$log"
		# sparse over every source file of the tree just built (C=2:
		# whether or not make recompiles it), so nothing compiles twice.
		tests/lib/build-module.sh "$k" "$kb/module" "$kb/module" C=2 >"$log" 2>&1
		sub_result $? "sparse (C=2) clean" "$log"
		tests/lib/build-module.sh "$k" tests/testnic "$kb/testnic" C=1 >"$log" 2>&1
		sub_result $? "test NIC builds with W=1 and sparse, no warnings" "$log"
		tests/lib/dkms-build.sh "$k" "$src" "$kb/dkms" >"$log" 2>&1
		sub_result $? "dkms add, build and install" "$log"
	fi
	if [ -f "$kb/module/skbstamp.ko" ]; then
		rc=0
		# The whole guest's limit only catches a guest that stopped
		# responding (each case has its own 600 s): generous, since a
		# machine shared with other guests runs several times slower.
		abi=$(sks_kernel_field "$k" abi)
		# Four vCPUs, so that per-CPU paths run concurrently (case 240);
		# single-threaded TCG runs them on one host thread all the same.
		tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$k")" \
			--modules "$(sks_kernel_modules "$k")" --out "$kb/out" \
			--smp 4 --timeout 3000 -- \
			env SKS_ONLY="${SKS_ONLY:-}" \
			SKS_TESTNIC_KO="$kb/testnic/sks_testnic.ko" \
			SKS_DEB_DIR="$build/deb" SKS_DEB_DKMS_BUILD="${SKS_DEB_DKMS_BUILD:-0}" \
			SKS_KHDR="$(realpath "$(sks_kernel_root "$k")")/usr/src/linux-headers-$abi" \
			SKS_DKMS_KO="$kb/dkms/lib/modules/$abi/updates/dkms/skbstamp.ko" \
			tests/guest/suite.sh "$kb/module/skbstamp.ko" \
			"$top/tool/skbstamp" >"$log" 2>&1 || rc=$?
		[ -f "$kb/out/ktap" ] && sub_guest "$kb/out/ktap"
		# The guest as a whole: booted, finished, no kernel warning.
		sub_result "$rc" "guest ran the suite without kernel warnings" "$log"
	fi
	secs=$(( $(date +%s) - t0 ))
	sub_end " # ${secs}s" >"$kb/block"
	echo "$passed $failed $skipped" >"$kb/counts"
	# What the whole suite took, for run_order: kept from complete runs
	# only (not ONLY= ones, nor failed ones, which may have stopped early).
	[ -n "${SKS_ONLY:-}" ] || [ "$sub_fail" -ne 0 ] || echo "$secs" >"$build/$k.secs"
}

# run_order: the kernels, longest first by what their whole suite took
# the last time (build/K.secs), so that the job started last is a short
# one and the SKS_JOBS slots finish close together.  Kernels never timed
# go first, in kernels.conf order (oldest, and slowest, first).
run_order()
{
	local k s
	for k in "${kernels[@]}"; do
		s=$(cat "$build/$k.secs" 2>/dev/null)
		echo "${s:-999999} $k"
	done | sort -s -k1,1nr | cut -d' ' -f2
}

jobs_max=${SKS_JOBS:-2}
mapfile -t order < <(run_order)
for k in "${order[@]}"; do
	rm -rf "${build:?}/$k"
	mkdir -p "$build/$k/out"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	# Its suite number is its place in the printed order (kernels.conf's).
	for i in "${!kernels[@]}"; do
		[ "${kernels[$i]}" = "$k" ] && break
	done
	( suite_no=$(( suite_no + i )); run_kernel "$k" ) &
done
wait
for k in "${kernels[@]}"; do
	suite_no=$((suite_no + 1))
	if [ -f "$build/$k/counts" ]; then
		cat "$build/$k/block"
		read -r p f sk <"$build/$k/counts"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + sk))
	else
		echo "not ok $suite_no $k # the test run died"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
