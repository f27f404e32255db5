#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: on a fresh machine (as root) install what is missing, fetch the
# default kernel, build module, tool and traffic generator, boot a guest and
# show real per-packet timelines from skbstamp.  KERNEL=NAME picks another
# kernel of tests/kernels.conf.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/lib/common.sh
source tests/lib/common.sh
# shellcheck source=tests/lib/build.sh
source tests/lib/build.sh

k=${KERNEL:-6.1}
tests/lib/deps.sh
log "fetching kernel $k (cached after the first time)"
tests/lib/fetch-kernel.sh "$k"
sks_build_all "$k" build/demo

log "booting $(sks_kernel_field "$k" abi) under QEMU (software emulation, ~10 s)"
tests/lib/vm-run.sh --kernel "$(sks_kernel_vmlinuz "$k")" \
	--modules "$(sks_kernel_modules "$k")" --timeout 300 -- \
	tests/guest/demo.sh "$top/build/demo/module/skbstamp.ko" "$top/tool/skbstamp"
