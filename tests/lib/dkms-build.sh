#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS against one kernel of tests/kernels.conf, the way a host gets the
# module: dkms add, dkms build and dkms install of the staged source (what
# "make dkms-src" installs in /usr/src), with private trees so nothing of
# the machine's own DKMS state or /lib/modules is touched.
#
#   dkms-build.sh [--checks] NAME SRCDIR OUTDIR
#
# Leaves the installed module in OUTDIR/lib/modules/ABI/updates/dkms/ and
# dkms's output in OUTDIR/dkms.log.  It also checks that dkms.conf's
# BUILD_EXCLUSIVE_KERNEL accepts the kernel.
#
# --checks: DKMS's compile is also the warnings check, so that make check
# compiles the module once per kernel instead of three times (a W=1 build,
# sparse over it, DKMS): kbuild takes W=1 and C=1 from the environment
# (KBUILD_EXTRA_WARN, KBUILD_CHECKSRC), which dkms passes on to its make,
# and fails if make.log (kept as OUTDIR/make.log) has a warning or error
# about the module's files (tests/lib/common.sh sks_module_diagnostics).
# Neither changes the code: the module is the one DKMS builds anyway.
#
# SKS_KDIR=DIR: against the kernel tree DIR instead (make check-debug's,
# tests/lib/debug-kernel.sh), with the host's gcc; NAME only names it.
#
# toolchain=host kernels: the host's dkms with the headers' compiler; when
# that one is not installed (5.10's headers name gcc-10), a gcc-N on PATH
# runs the host's gcc, as build-module.sh's CC=gcc does (dkms unsets CC).
# toolchain=sid kernels (7.2 needs gcc-16): the host's dkms script runs
# inside the sid chroot, where gcc-16 is.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
LIB=$(cd "$(dirname "$0")" && pwd)

checks=0
[[ ${1:-} != --checks ]] || { checks=1; shift; }
(($# == 3)) || die "usage: $0 [--checks] NAME SRCDIR OUTDIR"
name=$1 src=$2 out=$3
command -v dkms >/dev/null || die "dkms not installed (apt-get install dkms)"
if [[ -n ${SKS_KDIR:-} ]]; then
	hdr=$(realpath "$SKS_KDIR") toolchain=host
	abi=$(make -s -C "$hdr" kernelrelease)
else
	"$LIB/fetch-kernel.sh" "$name"
	abi=$(sks_kernel_field "$name" abi)
	root=$(realpath "$(sks_kernel_root "$name")")
	hdr=$root/usr/src/linux-headers-$abi
	toolchain=$(sks_kernel_field "$name" toolchain)
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf")

rm -rf "$out"
mkdir -p "$out/src/skbstamp-$ver" "$out/tree" "$out/lib/modules/$abi" "$out/bin"
out=$(realpath "$out")
cp -a "$src/." "$out/src/skbstamp-$ver/"
log=$out/dkms.log

excl=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$src/dkms.conf")
[[ $abi =~ $excl ]] || die "$name: BUILD_EXCLUSIVE_KERNEL '$excl' refuses $abi"
for old in 5.9.0-1-amd64 5.4.0-1-amd64 4.19.0-27-amd64 3.16.0-11-amd64; do
	[[ ! $old =~ $excl ]] || die "BUILD_EXCLUSIVE_KERNEL '$excl' accepts $old (older than 5.10)"
done

opts=(-m skbstamp -v "$ver" --dkmstree "$out/tree" --sourcetree "$out/src"
	--installtree "$out/lib/modules")
kopts=(-k "$abi" --kernelsourcedir "$hdr" --no-depmod)
warn=()
((checks == 0)) || warn=(KBUILD_EXTRA_WARN=1 KBUILD_CHECKSRC=1)
case $toolchain in
host)
	want=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$hdr/.kernelvariables" 2>/dev/null || true)
	if [[ -n $want ]] && ! command -v "$want" >/dev/null; then
		ln -s "$(command -v gcc)" "$out/bin/$want"
	fi
	run=(env "PATH=$out/bin:$PATH" "${warn[@]}" dkms)
	;;
sid)
	cp "$(command -v dkms)" "$out/bin/dkms"
	run=("$LIB/sid-chroot.sh" run "$root" "$out" -- env "${warn[@]}" bash "$out/bin/dkms")
	;;
*) die "$name: unknown toolchain '$toolchain' in kernels.conf" ;;
esac

for action in add build install; do
	args=("${opts[@]}")
	[[ $action == add ]] || args+=("${kopts[@]}")
	if ! "${run[@]}" "$action" "${args[@]}" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		find "$out/tree" -name make.log -exec tail -n 40 {} + >&2 || true
		die "$name: dkms $action failed, full log: $log"
	fi
done
if ((checks)); then
	# Paths in make.log name DKMS's build directory, gone by now: name
	# the copy of the same tree in the source tree instead.
	sed "s#$out/tree/skbstamp/$ver/build/#$out/src/skbstamp-$ver/#g" \
		"$out/tree/skbstamp/$ver/$abi/$(uname -m)/log/make.log" >"$out/make.log"
	sks_module_diagnostics "$out/make.log" "$out/src/skbstamp-$ver" "$hdr" >&2 ||
		die "$name: diagnostics in module sources under W=1 and sparse (see above), full log: $out/make.log"
	grep -q 'CHECK ' "$out/make.log" || die "$name: sparse did not run, full log: $out/make.log"
	log "$name: dkms's compile has no warning under W=1 and sparse"
fi
ko=$out/lib/modules/$abi/updates/dkms/skbstamp.ko
[[ -f $ko ]] || die "$name: dkms install left no $ko"
modinfo -F vermagic "$ko" | grep -q "^$abi " || die "$name: $ko is not built for $abi"
log "$name: dkms installed $ko"
