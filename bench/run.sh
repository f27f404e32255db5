#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench [KERNELS="6.1 7.2"]: the overhead benchmark (issue 7).  For
# every kernel (default: all of tests/kernels.conf) and every QEMU mode
# (SKS_BENCH_MODES, default "icount tcg"), boot the kernel's guest with
# tests/lib/vm-run.sh and run bench/guest.sh in it; then bench/report.py
# writes bench/results/ (Markdown and JSON) and docs/benchmark.md's summary.
#
# QEMU modes:
#   icount  -icount shift=0,sleep=off, -smp 1 (SKS_ICOUNT=1): the guest's
#           clock counts instructions (1 ns = 1 instruction), so figures
#           repeat exactly on a busy host and ratios are exact.
#   tcg     multi-threaded TCG (SKS_BENCH_TCG_ACCEL, default
#           tcg,thread=multi), -smp 2, real time: one host thread per
#           vCPU, as the issue asks.  Noisy: the host is shared.  (Tests
#           use single-threaded TCG because of a rare text-patching int3
#           race under multi-threaded TCG; a bench guest hit by it fails
#           its run, visibly, and is rerun.)
#
# One guest at a time.  SKS_BENCH_SECS: guest seconds per data point
# (default 2).  Everything SKS_BENCH_* is passed on to bench/guest.sh;
# SKS_BENCH_TCG_CONFIGS and SKS_BENCH_TCG_WORKLOADS replace
# SKS_BENCH_CONFIGS and SKS_BENCH_WORKLOADS in tcg mode.  With
# SKS_BENCH_APPEND=1 the report also covers the runs of the previous
# make bench (build/bench/runs.list), e.g. another kernel's, and
# SKS_BENCH_TAG keeps such a run apart from an earlier one of the same
# kernel and mode.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh

# Beyond make check's packages: bpftrace for (6), clang, libbpf and bpftool
# for (7).  (sockperf and iperf3 are make check's too.)
tests/lib/deps.sh sockperf iperf3 bpftrace clang llvm libbpf-dev bpftool ||
	die "cannot install the packages the benchmark needs"

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(sks_kernel_names)
fi
modes=${SKS_BENCH_MODES:-icount tcg}
tcg_accel=${SKS_BENCH_TCG_ACCEL:-tcg,thread=multi}
out=$top/build/bench
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$out"

sks_build_host
make -s -C bench/tools
sks_stage_src "$out/src"

failed=0
[ "${SKS_BENCH_APPEND:-0}" = 1 ] || : >"$out/runs.list"
for k in "${kernels[@]}"; do
	abi=$(sks_kernel_field "$k" abi)
	tests/lib/fetch-kernel.sh "$k" >"$out/fetch-$k.log" 2>&1 ||
		die "fetching kernel $k failed: $out/fetch-$k.log"
	log "$k: building the module"
	tests/lib/build-module.sh "$k" "$out/src" "$out/$k/module" >/dev/null 2>&1 ||
		die "building the module for $k failed: $out/$k/module/build.log"
	bpfts=
	if bench/bpf/build.sh "$k" "$out/$k/bpfts" >"$out/$k/bpfts.log" 2>&1; then
		bpfts=$out/$k/bpfts/sks-bpfts
	else
		log "$k: no BPF timestamping loader: $(tail -n 1 "$out/$k/bpfts.log")"
	fi
	for m in $modes; do
		env=()
		case $m in
		icount) accel=${SKS_ACCEL:-tcg,thread=single} smp=1
			env=(SKS_ICOUNT=1 SKS_ACCEL="$accel") ;;
		tcg) accel=$tcg_accel smp=2
			env=(SKS_ICOUNT=0 SKS_ACCEL="$accel"
			SKS_BENCH_CONFIGS="${SKS_BENCH_TCG_CONFIGS:-${SKS_BENCH_CONFIGS:-}}"
			SKS_BENCH_WORKLOADS="${SKS_BENCH_TCG_WORKLOADS:-${SKS_BENCH_WORKLOADS:-}}") ;;
		*) die "unknown mode '$m' (icount or tcg)" ;;
		esac
		d=$out/$k/$m${SKS_BENCH_TAG:+-$SKS_BENCH_TAG}
		rm -rf "$d"
		mkdir -p "$d"
		log "$k ($abi), $m: running the benchmark in a guest"
		t0=$(date +%s)
		rc=0
		env "${env[@]}" tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$k")" \
			--modules "$(sks_kernel_modules "$k")" --out "$d" \
			--timeout "${SKS_BENCH_TIMEOUT:-5400}" -- \
			bench/guest.sh "$out/$k/module/skbstamp.ko" "$top/tool/skbstamp" \
			/run/sks/out/results.jsonl $bpfts 2>&1 | tee "$d/log" >&2 || rc=$?
		log "$k, $m: guest exited with $rc after $(( $(date +%s) - t0 ))s"
		cat >"$d/meta.json" <<-EOF
		{"kernel": "$k", "abi": "$abi", "mode": "$m", "smp": $smp, "accel": "$accel",
		 "qemu": "$(qemu-system-x86_64 --version | head -n 1)",
		 "date": "$date", "secs": ${SKS_BENCH_SECS:-2}, "guest_rc": $rc,
		 "wall_s": $(( $(date +%s) - t0 ))}
		EOF
		grep -qxF "$d" "$out/runs.list" || echo "$d" >>"$out/runs.list"
		[ "$rc" -eq 0 ] || failed=1
	done
done

mapfile -t runs <"$out/runs.list"
python3 bench/report.py --date "$date" --doc docs/benchmark.md \
	--outdir bench/results "${runs[@]}"
[ "$failed" -eq 0 ] || die "a guest failed; its log is in $out/KERNEL/MODE/log"
