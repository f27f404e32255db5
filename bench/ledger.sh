#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make ledger: the cost ledger, exact.  Boots each kernel's guest under
# -icount with the sks-qprof QEMU plugin, runs bench/ledger-guest.sh (a
# window of N one-byte TCP and UDP transactions per configuration) and has
# bench/ledger.py turn the plugin's per-block counts into instructions per
# transaction, function by function, against the module loaded but not
# started.  Report: build/ledger/KERNEL/ledger.md (and .json).
#
# usage: bench/ledger.sh [KERNEL...]   (default: every kernel of the matrix)
# Environment: SKS_LEDGER_N (transactions per window, default 4000),
# SKS_LEDGER_CONFIGS (default "loaded unmatched summary records"; json,
# text and raw are records mode with skbstamp monitor as the collector;
# bpfhist
# and bpfring, BPF timestamping, need a 6.15+ kernel and clang, libbpf and
# bpftool: bench/bpf/build.sh),
# SKS_LEDGER_TAG (output in build/ledger-TAG instead).

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(sks_kernel_names)
fi
N=${SKS_LEDGER_N:-4000}
read -ra configs <<<"${SKS_LEDGER_CONFIGS:-loaded unmatched summary records}"
[ "${configs[0]}" = loaded ] || configs=(loaded "${configs[@]}")
configs=(warmup "${configs[@]}")
out=$top/build/ledger${SKS_LEDGER_TAG:+-$SKS_LEDGER_TAG}
mkdir -p "$out"

# A fresh machine has neither the workload tools nor, for bpfhist and
# bpfring, BPF's toolchain (as for make bench).
bpfdeps=()
[[ " ${configs[*]} " != *" bpf"* ]] || bpfdeps=(clang llvm libbpf-dev bpftool)
tests/lib/deps.sh sockperf "${bpfdeps[@]}" || die "installing the ledger's packages failed"
sks_build_host
make -s -C bench/tools
sks_stage_src "$out/src"
failed=0
for k in "${kernels[@]}"; do
	tests/lib/fetch-kernel.sh "$k" >"$out/fetch-$k.log" 2>&1 ||
		die "fetching kernel $k failed: $out/fetch-$k.log"
	tests/lib/build-module.sh "$k" "$out/src" "$out/$k/module" >/dev/null 2>&1 ||
		die "building the module for $k failed: $out/$k/module/build.log"
	bpfts=
	if [[ " ${configs[*]} " == *" bpf"* ]]; then
		bench/bpf/build.sh "$k" "$out/$k/bpfts" >"$out/$k/bpfts.log" 2>&1 ||
			{ log "$k: no BPF timestamping: $(tail -n 1 "$out/$k/bpfts.log")"
			  failed=1; continue; }
		bpfts=$out/$k/bpfts/sks-bpfts
	fi
	d=$out/$k/run
	rm -rf "$d"
	mkdir -p "$d"
	log "$k: ledger windows of $N transactions: ${configs[*]}"
	SKS_ICOUNT=1 SKS_ACCEL=tcg,thread=single \
	SKS_QEMU_EXTRA="-plugin $top/bench/tools/sks-qprof.so,dir=$d" \
		tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$k")" \
		--modules "$(sks_kernel_modules "$k")" --out "$d" \
		--timeout "${SKS_LEDGER_TIMEOUT:-3600}" -- \
		env SKS_BPFTS="$bpfts" bench/ledger-guest.sh "$out/$k/module/skbstamp.ko" \
		"$top/tool/skbstamp" "$N" "${configs[@]}" >"$d/log" 2>&1 ||
		{ log "$k: guest failed: $d/log"; failed=1; continue; }
	python3 bench/ledger.py "$d" "$k" --json "$out/$k/ledger.json" \
		>"$out/$k/ledger.md" || { failed=1; continue; }
	log "$k: $out/$k/ledger.md"
done
exit $failed
