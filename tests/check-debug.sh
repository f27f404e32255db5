#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the in-guest suite on a debug kernel and print KTAP as
# make check does.  The kernel, Debian's linux-source-6.1 with KASAN,
# lockdep (PROVE_LOCKING), kmemleak and DEBUG_ATOMIC_SLEEP, is built once by
# tests/lib/debug-kernel.sh and cached under the test cache root
# ($SKS_CACHE, default /var/cache/skbstamp); the first run takes hours on a
# small machine, later ones reuse it.  Then the tool, the packages, the
# module (W=1), the test NIC and DKMS's build against that tree, and the
# guest runs tests/guest/suite.sh: the console is scanned for KASAN and
# lockdep reports (tests/lib/vm-run.sh), and after the last case kmemleak
# must find no leak from the modules and lockdep must still be on.
#
# SKS_ONLY=PATTERNS (make check-debug ONLY=...) as for make check.
# Debug kernels under TCG are slow: SKS_CASE_TIMEOUT (default 7200) seconds
# per case, SKS_DEBUG_TIMEOUT (default 36000) for the whole guest.  (430's
# in-guest DKMS compile alone took 2947 s on a busy host.)
# Results in build/debug/; progress goes to stderr, KTAP to stdout.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh
# shellcheck source=tests/lib/ktap.sh
source tests/lib/ktap.sh

# The kernel's source and what building it takes beyond make check's needs.
tests/lib/deps.sh linux-source-6.1 flex bison libssl-dev ||
	die "cannot install the packages the tests need"

passed=0 failed=0 skipped=0
suite_no=0
build=$top/build
kb=$build/debug
rm -rf "$kb"
mkdir -p "$kb/out"
log=$kb/log
suite_name=debug-6.1
t0=$(date +%s)

echo "KTAP version 1"
echo "1..1"
sub_begin

# Its progress to the terminal too: the first build takes hours.
if dir=$(tests/lib/debug-kernel.sh 2> >(tee "$log" >&2)); then
	sub_result 0 "debug kernel $(cat "$dir/release") (KASAN, lockdep, kmemleak) built or cached"
else
	sub_result 1 "debug kernel built (KASAN, lockdep, kmemleak)" "$log"
	sub_end " # $(( $(date +%s) - t0 ))s"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 1
fi
kdir=$dir/linux-source-6.1
rel=$(cat "$dir/release")

(sks_build_host) >"$log" 2>&1
sub_result $? "tool and test programs build with -Werror" "$log"
make -s deb >"$log" 2>&1
sub_result $? "make deb builds skbstamp and skbstamp-dkms" "$log"

src=$build/src
sks_stage_src "$src"
SKS_KDIR=$kdir tests/lib/build-module.sh debug "$src" "$kb/module" >"$log" 2>&1
sub_result $? "module builds with W=1, no warnings" "$log"
SKS_KDIR=$kdir tests/lib/build-module.sh debug tests/testnic "$kb/testnic" >"$log" 2>&1
sub_result $? "test NIC builds with W=1, no warnings" "$log"
SKS_KDIR=$kdir tests/lib/dkms-build.sh debug "$src" "$kb/dkms" >"$log" 2>&1
sub_result $? "dkms add, build and install" "$log"

# The debug kernel sometimes dies while booting, long before the suite
# (about 1 boot in 4 under TCG: "KASAN: wild-memory-access" in
# do_raw_spin_lock during identify_boot_cpu, untainted, no module loaded).
# A guest that never started the suite is booted again, twice at most, and
# the log says so; a failure once the suite has started is final.
attempt=1
while [ -f "$kb/module/skbstamp.ko" ]; do
	rc=0
	rm -f "$kb/out/ktap"
	# Four vCPUs as in make check (case 240); KASAN's shadow, lockdep and
	# kmemleak's metadata want more memory than the 2G default.
	# SKS_PVH=0: the PVH entry runs KASAN-instrumented code before KASAN's
	# shadow exists, and the guest resets at once; the bzImage boots.
	SKS_PVH=0 tests/lib/vm-run.sh --kernel "$dir/root/boot/vmlinuz-$rel" \
		--modules "$dir/root/lib/modules/$rel" --out "$kb/out" \
		--smp 4 --mem 4G --timeout "${SKS_DEBUG_TIMEOUT:-36000}" -- \
		env SKS_ONLY="${SKS_ONLY:-}" \
		SKS_CASE_TIMEOUT="${SKS_CASE_TIMEOUT:-7200}" \
		SKS_TESTNIC_KO="$kb/testnic/sks_testnic.ko" \
		SKS_DEB_DIR="$build/deb" \
		SKS_KHDR="$kdir" \
		SKS_DKMS_KO="$kb/dkms/lib/modules/$rel/updates/dkms/skbstamp.ko" \
		tests/guest/suite.sh "$kb/module/skbstamp.ko" \
		"$top/tool/skbstamp" >"$log" 2>&1 || rc=$?
	if [ "$rc" != 0 ] && ! grep -qs '^KTAP version' "$kb/out/ktap" &&
	   [ "$attempt" -lt 3 ]; then
		echo "debug kernel: boot $attempt died before the suite started; booting again" >&2
		grep -E 'KASAN|BUG:|Oops' "$kb/out/console.log" 2>/dev/null | head -n 3 >&2
		attempt=$((attempt + 1))
		continue
	fi
	[ -f "$kb/out/ktap" ] && sub_guest "$kb/out/ktap"
	sub_result "$rc" "guest ran the suite without kernel warnings (KASAN, lockdep)" "$log"
	break
done
sub_end " # $(( $(date +%s) - t0 ))s" | tee "$kb/block"
ktap_failures <"$kb/block"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
