#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --strict over every C file of the project.  The module and the
# uapi header follow the kernel's coding style to the letter; userspace
# (tool, tests) too, except for what standard C prescribes in userspace.  checkpatch.pl comes from Debian's linux-source-6.12
# tarball, extracted once into the cache.

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/common.sh
source "$top/tests/lib/common.sh"

src=/usr/src/linux-source-6.12.tar.xz
dir=$(sks_cache)/checkpatch
cp=$dir/linux-source-6.12/scripts/checkpatch.pl
if [ ! -x "$cp" ]; then
	[ -f "$src" ] || die "lint: $src missing (apt-get install linux-source-6.12)"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xf "$src" -C "$dir.tmp" --wildcards '*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi

# checkpatch looks for a git tree in its cwd; --no-tree and a neutral cwd
# keep it to the files named.  With --quiet it prints only problems.
run()
{
	(cd /tmp && "$cp" --no-tree --strict --terse --show-types --quiet "$@") 2>&1 |
		grep -E ': (ERROR|WARNING|CHECK):' || true
}

# The kernel's files and userspace's in two checkpatch processes at once
# (each takes about as long), which halves make check's wait for them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run -f "$top"/module/*.c "$top"/module/*.h "$top"/module/compat/*.[ch] \
	"$top"/uapi/linux/skbstamp.h >"$tmp/kernel" &
mapfile -t user < <(find "$top/tool" "$top/tests" "$top/bench" -name '*.[ch]' | sort)
# Userspace: <stdint.h> types, PRIu64 and volatile sig_atomic_t are what C
# itself prescribes there.
[ ${#user[@]} -eq 0 ] ||
	run --ignore PREFER_KERNEL_TYPES,CAMELCASE,VOLATILE -f "${user[@]}" >"$tmp/user"
wait
out=$(cat "$tmp/kernel" "$tmp/user" 2>/dev/null)
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
