#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once; cached) make check-debug's kernel: Debian's
# linux-source-6.1 configured from x86_64_defconfig + kvm_guest.config +
# tests/lib/debug-kernel.config (KASAN, lockdep, kmemleak, atomic-sleep
# checks and what the tests need, almost all built in).
#
# Usage: debug-kernel.sh [--print]
#   --print  only print the directory the kernel is (or would be) in
#
# Layout, under the test cache root ($SKS_CACHE, default /var/cache/skbstamp):
#   debug-kernel/<source version>-<key>/
#     linux-source-6.1/  the configured and built tree (KDIR for modules)
#     root/boot/vmlinuz-<release>, root/lib/modules/<release>/ (modules_install)
#     build.log, .configured (the build may resume), .skbstamp-ok (complete)
# <key> hashes debug-kernel.config and the recipe version below, so changing
# an option rebuilds; older builds are left for the user to delete.
# Prints the directory on stdout.  The build runs under `nice`, with
# SKS_DEBUG_JOBS (default: the number of CPUs) jobs.

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/common.sh
source "$top/tests/lib/common.sh"

frag=$top/tests/lib/debug-kernel.config
src_pkg=linux-source-6.1
# Bump when the steps below change what gets built.
recipe=1

print_only=0
case ${1:-} in
--print) print_only=1 ;;
"") ;;
*) die "usage: debug-kernel.sh [--print]" ;;
esac

srcver=$(dpkg-query -W -f '${Version}' "$src_pkg" 2>/dev/null) ||
	die "$src_pkg is not installed (tests/lib/deps.sh $src_pkg)"
key=$( { echo "$recipe"; sed -e 's/#.*//' -e '/^$/d' "$frag"; grep '^# CONFIG_' "$frag"; } |
	sha256sum | cut -c1-12)
dir=$(sks_cache)/debug-kernel/$srcver-$key
if [ "$print_only" = 1 ]; then
	echo "$dir"
	exit 0
fi
if [ -e "$dir/.skbstamp-ok" ]; then
	echo "$dir"
	exit 0
fi

sks_lock debug-kernel
# Another run may have finished it while this one waited for the lock.
if [ -e "$dir/.skbstamp-ok" ]; then
	echo "$dir"
	exit 0
fi

tree=$dir/$src_pkg
jobs=${SKS_DEBUG_JOBS:-$(nproc)}
kmake() { nice -n 5 make -C "$tree" -j"$jobs" "$@"; }

# configure: extract the source and configure it; every option of the
# fragment must have survived olddefconfig (a missing dependency drops it
# silently).
configure()
{
	local args=() line opt val bad=0
	rm -rf "$dir"
	mkdir -p "$dir"
	log "extracting /usr/src/$src_pkg.tar.xz into $dir"
	tar -C "$dir" -xJf "/usr/src/$src_pkg.tar.xz"
	[ -f "$tree/Makefile" ] || die "no $tree/Makefile after extracting"

	# The options as scripts/config arguments.
	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			opt=${line#"# CONFIG_"}
			args+=(--disable "${opt%% *}") ;;
		CONFIG_*=\"*\")
			opt=${line#CONFIG_}
			val=${opt#*=}
			args+=(--set-str "${opt%%=*}" "${val//\"/}") ;;
		CONFIG_*=y) opt=${line#CONFIG_}; args+=(--enable "${opt%%=*}") ;;
		CONFIG_*=m) opt=${line#CONFIG_}; args+=(--module "${opt%%=*}") ;;
		CONFIG_*=*) opt=${line#CONFIG_}; args+=(--set-val "${opt%%=*}" "${opt#*=}") ;;
		esac
	done <"$frag"

	{
		kmake x86_64_defconfig
		kmake kvm_guest.config
		"$tree/scripts/config" --file "$tree/.config" "${args[@]}"
		kmake olddefconfig
	} >"$dir/build.log" 2>&1 || die "configuring failed, see $dir/build.log"

	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			opt=${line#"# "}
			opt=${opt%% *}
			if grep -q "^$opt=" "$tree/.config"; then
				log "config: $opt is set, wanted off"
				bad=1
			fi ;;
		CONFIG_*=*)
			if ! grep -qxF "$line" "$tree/.config"; then
				log "config: wanted $line, got: $(grep "^${line%%=*}=" "$tree/.config" || echo unset)"
				bad=1
			fi ;;
		esac
	done <"$frag"
	[ "$bad" = 0 ] || die "the kernel configuration lacks options of $frag"
	touch "$dir/.configured"
}

# An interrupted build (hours on a small machine) goes on where it stopped.
if [ -e "$dir/.configured" ]; then
	log "resuming the build in $dir"
else
	configure
fi

log "building $src_pkg $srcver with $jobs jobs (log: $dir/build.log)"
t0=$(date +%s)
{
	kmake bzImage modules
	kmake INSTALL_MOD_PATH="$dir/root" modules_install
} >>"$dir/build.log" 2>&1 || die "the kernel build failed, see $dir/build.log"
rel=$(make -s -C "$tree" kernelrelease)
mkdir -p "$dir/root/boot"
cp "$tree/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$rel"
[ -f "$dir/root/lib/modules/$rel/modules.dep" ] ||
	die "modules_install left no $dir/root/lib/modules/$rel/modules.dep"
# The module tree links to the build tree, as a Debian headers package does.
ln -sfn "$tree" "$dir/root/lib/modules/$rel/build"
echo "$rel" >"$dir/release"
log "built $rel in $(( $(date +%s) - t0 ))s"
touch "$dir/.skbstamp-ok"
echo "$dir"
