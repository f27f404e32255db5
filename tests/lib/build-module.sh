#!/bin/bash
# Build an out-of-tree module against one kernel of tests/kernels.conf.
#
#   build-module.sh NAME SRCDIR OUTDIR [extra make args, e.g. C=1]
#
# SRCDIR (a tree with a top-level Kbuild) is copied to a fresh OUTDIR and
# built with `make -C <headers> M=OUTDIR W=1 modules`: with the host gcc for
# toolchain=host kernels, inside the sid chroot (gcc-16) for toolchain=sid.
# The full log is OUTDIR/build.log.  Fails if make fails or if any
# warning:/error: line (compiler, sparse with C=1/C=2, modpost) refers to
# the module's own files.
#
# SKS_KDIR=DIR builds against the kernel tree DIR (make check-debug's,
# built here by tests/lib/debug-kernel.sh) with the host gcc instead; NAME
# then only names it in messages.
#
# SRCDIR may be OUTDIR itself, a tree an earlier call built: it is then
# built again where it is, log OUTDIR/build-again.log.  With C=2 that runs
# sparse over every source file without compiling them all a second time.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
LIB=$(cd "$(dirname "$0")" && pwd)

(($# >= 3)) || die "usage: $0 NAME SRCDIR OUTDIR [make args...]"
name=$1 src=$2 out=$3
shift 3
[[ -f $src/Kbuild ]] || die "$src has no top-level Kbuild"
if [[ -n ${SKS_KDIR:-} ]]; then
	hdr=$(realpath "$SKS_KDIR") toolchain=host
else
	"$LIB/fetch-kernel.sh" "$name"   # quiet no-op when already cached
	root=$(realpath "$(sks_kernel_root "$name")")
	hdr=$root/usr/src/linux-headers-$(sks_kernel_field "$name" abi)
	toolchain=$(sks_kernel_field "$name" toolchain)
fi

if [[ -d $out && $(realpath "$src") == "$(realpath "$out")" ]]; then
	out=$(realpath "$out")
	log=$out/build-again.log
else
	rm -rf "$out"
	mkdir -p "$out"
	out=$(realpath "$out")
	cp -a "$src/." "$out/"
	log=$out/build.log
fi

margs=(-C "$hdr" "M=$out" W=1)
case $toolchain in
host)
	# The headers name the compiler Debian built the kernel with
	# (.kernelvariables: CC = ...gcc-N).  If that one is not on the host
	# (5.10 wants gcc-10), use plain gcc; kbuild then only notes that the
	# compiler differs.
	want=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$hdr/.kernelvariables" 2>/dev/null || true)
	if [[ -n $want ]] && ! command -v "$want" >/dev/null; then margs+=(CC=gcc); fi
	# 6.12+ generate module BTF with pahole (Debian: apt-get install dwarves).
	# Without it, skip module BTF rather than fail: loading does not need it.
	if ! command -v pahole >/dev/null && grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$hdr/.config"; then
		log "$name: pahole not found (apt-get install dwarves); building without module BTF"
		margs+=(CONFIG_DEBUG_INFO_BTF_MODULES=)
	fi
	run=(make)
	;;
sid)
	"$LIB/sid-chroot.sh" ensure
	run=("$LIB/sid-chroot.sh" run "$root" "$out" -- make)
	;;
*) die "$name: unknown toolchain '$toolchain' in kernels.conf" ;;
esac

rc=0
"${run[@]}" "${margs[@]}" "$@" modules >"$log" 2>&1 || rc=$?
if ((rc)); then
	tail -n 40 "$log" >&2
	die "$name: module build failed (rc=$rc), full log: $log"
fi

# Warnings (W=1, sparse with C=1/C=2, modpost) about the module's files.
sks_module_diagnostics "$log" "$out" "$hdr" >&2 ||
	die "$name: diagnostics in module sources, or sparse requested but not run (see above), full log: $log"
log "$name: built $(cd "$out" && find . -name '*.ko' | sed 's#^\./##' | tr '\n' ' ')in $out"
