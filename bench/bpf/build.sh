#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh NAME OUTDIR: configuration 7's program for kernel NAME of
# tests/kernels.conf: the sock_ops BPF timestamping program (sks_bpfts.bpf.c,
# clang -target bpf against a vmlinux.h that bpftool dumps from the
# kernel's BTF) and its libbpf loader OUTDIR/sks-bpfts.  Fails, saying why
# on its last line, for a kernel without BPF timestamping (before 6.15).

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/common.sh
source "$top/tests/lib/common.sh"
here=$top/bench/bpf

(($# == 2)) || die "usage: $0 NAME OUTDIR"
name=$1 out=$2
hdr=$(sks_kernel_root "$name")/usr/src/linux-headers-$(sks_kernel_field "$name" abi)
uapi=$(ls -d "$hdr"/../linux-headers-*-common/include/uapi/linux/bpf.h 2>/dev/null | head -n 1)
if [ -z "$uapi" ] || ! grep -q BPF_SOCK_OPS_TSTAMP_SENDMSG_CB "$uapi"; then
	echo "kernel $name has no BPF timestamping (BPF_SOCK_OPS_TSTAMP_*_CB, Linux 6.15+)"
	exit 1
fi

# The kernel's own uapi (it has the TSTAMP callbacks the host's lacks),
# then libbpf's bpf_helpers.h and the host's asm/ from the default paths.
common=$(cd "$(dirname "$uapi")/../../.." && pwd)
inc=(-D__EXPORTED_HEADERS__ -I"$common/include/uapi" -I"$hdr/include/generated/uapi"
	-I"$common/arch/x86/include/uapi" -I"$hdr/arch/x86/include/generated/uapi"
	-I/usr/include/x86_64-linux-gnu)
rm -rf "$out"
mkdir -p "$out"
clang -O2 -g -Wall -Werror -target bpf "${inc[@]}" -c "$here/sks_bpfts.bpf.c" \
	-o "$out/sks_bpfts.bpf.o"
${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -Werror -o "$out/sks-bpfts" \
	"$here/sks-bpfts.c" -lbpf
echo "built $out/sks-bpfts and $out/sks_bpfts.bpf.o"
