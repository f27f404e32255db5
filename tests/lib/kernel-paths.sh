#!/bin/bash
# Print where a fetched kernel lives, as shell-sourceable KEY=value lines:
#
#   kernel-paths.sh NAME [KEY]    KEY: abi|vmlinuz|modules|headers|root
#
# e.g.  eval "$(tests/lib/kernel-paths.sh 6.1)"; qemu ... -kernel "$vmlinuz"
#       tests/lib/kernel-paths.sh 6.1 vmlinuz
# Fails if the kernel has not been fetched (run fetch-kernel.sh NAME first).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
(($# >= 1)) || die "usage: $0 NAME [abi|vmlinuz|modules|headers|root]"
sks_kernel_ready "$1" || die "kernel $1 not fetched: run tests/lib/fetch-kernel.sh $1"
abi=$(sks_kernel_field "$1" abi)
root=$(sks_kernel_root "$1")
vmlinuz=$(sks_kernel_vmlinuz "$1")
modules=$(sks_kernel_modules "$1")
headers=$(sks_kernel_headers "$1")
case ${2:-all} in
all) printf 'abi=%q\nroot=%q\nvmlinuz=%q\nmodules=%q\nheaders=%q\n' \
	"$abi" "$root" "$vmlinuz" "$modules" "$headers" ;;
abi | root | vmlinuz | modules | headers) printf '%s\n' "${!2}" ;;
*) die "unknown key '$2'" ;;
esac
