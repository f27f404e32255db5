#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KERNEL...] - build sks_testnic (W=1, sparse) against each kernel of
# tests/kernels.conf (default: all) and run guest-test.sh in a QEMU guest.
# Work dirs: ${SKS_TESTNIC_OUT:-/var/tmp/sks-testnic}/<kernel>/ (build log,
# module, vm/console.log); the guest needs them outside /tmp.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../lib
out=${SKS_TESTNIC_OUT:-/var/tmp/sks-testnic}
if (($# == 0)); then
	mapfile -t all < <(awk '!/^#/ && NF { print $1 }' "$here/../kernels.conf")
	set -- "${all[@]}"
fi
rc=0
for k in "$@"; do
	"$lib/build-module.sh" "$k" "$here" "$out/$k" C=1
	eval "$("$lib/kernel-paths.sh" "$k")"
	# shellcheck disable=SC2154 # set by kernel-paths.sh
	if "$lib/vm-run.sh" --kernel "$vmlinuz" --modules "$modules" --out "$out/$k/vm" \
		--timeout 600 -- "$out/$k/guest-test.sh" "$out/$k/sks_testnic.ko" \
		> "$out/$k/guest.log" 2>&1; then
		echo "$k: PASS ($(grep -c '^PASS' "$out/$k/guest.log") checks), log $out/$k/guest.log"
	else
		echo "$k: FAIL (status $?), log $out/$k/guest.log"
		grep '^FAIL' "$out/$k/guest.log" || tail -n 20 "$out/$k/guest.log"
		rc=1
	fi
done
exit $rc
