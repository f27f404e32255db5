#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh - build (or reuse from cache) the tiny initramfs used by
# vm-run.sh to boot a Debian kernel with the host's root filesystem as a
# read-only 9p lower layer of an overlayfs.
#
# Usage: mkinitramfs.sh --modules DIR/lib/modules/<abi> [--cache DIR] [--force]
#
# Cache dir: --cache, else $SKS_INITRAMFS_CACHE, else $SKS_CACHE/initramfs
# (SKS_CACHE defaults to /var/cache/skbstamp), else ~/.cache/skbstamp/initramfs
# when that is not writable.  vm-run.sh also keeps the extracted vmlinux there.
#
# Prints the path of the (cached) uncompressed cpio archive on stdout.
#
# Contents:  /bin/busybox (+ applet links), /init (= guest-init.sh),
#            /modules/NNN-<name>.ko (uncompressed, in load order),
#            /modules/builtin (names of modules built into the kernel).
# Modules:   virtio_pci, 9pnet_virtio, 9p, overlay and their dependencies
#            (netfs/fscache on kernels that need them), computed with the
#            host's `modprobe --show-depends -d ROOT -S ABI`.
#            .ko.xz/.ko.zst/.ko.gz are decompressed (busybox insmod can't).
# Cache key: abi + sha256 of (this script, guest-init.sh, busybox binary,
#            the kernel tree's modules.dep).  Writes are atomic (tmp + mv),
#            so concurrent callers for the same or different kernels are safe.
set -euo pipefail

LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC="$LIBDIR/guest-init.sh"
ROOT_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

die() { echo "mkinitramfs: $*" >&2; exit 1; }

MODDIR="" CACHE="" FORCE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--modules) MODDIR=$2; shift 2 ;;
	--cache) CACHE=$2; shift 2 ;;
	--force) FORCE=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d'; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done
[ -n "$MODDIR" ] || die "--modules DIR is required"
[ -d "$MODDIR" ] || die "no such modules dir: $MODDIR"
MODDIR=$(realpath "$MODDIR")
ABI=$(basename "$MODDIR")
[ -f "$MODDIR/modules.dep" ] || die "$MODDIR/modules.dep missing (run: depmod -b <root> $ABI)"

BUSYBOX=""
for b in /usr/bin/busybox /bin/busybox /usr/lib/initramfs-tools/bin/busybox; do
	# a static binary makes ldd fail ("not a dynamic executable")
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$(realpath "$b"); break; fi
done
[ -n "$BUSYBOX" ] || die "need a statically linked busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || die "need cpio"
command -v modprobe >/dev/null || [ -x /sbin/modprobe ] || die "need kmod's modprobe"
MODPROBE=$(command -v modprobe || echo /sbin/modprobe)

if [ -z "$CACHE" ]; then
	CACHE=${SKS_INITRAMFS_CACHE:-}
fi
if [ -z "$CACHE" ]; then
	CACHE=${SKS_CACHE:-/var/cache/skbstamp}/initramfs
	if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
		CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/skbstamp/initramfs
	fi
fi
mkdir -p "$CACHE"

KEY=$( {
	sha256sum "$0" "$INIT_SRC" "$BUSYBOX" | cut -d' ' -f1
	sha256sum "$MODDIR/modules.dep" | cut -d' ' -f1
	echo "${ROOT_MODULES[*]}"
} | sha256sum | cut -c1-16)
OUT="$CACHE/$ABI-$KEY.cpio"
if [ "$FORCE" = 0 ] && [ -s "$OUT" ]; then
	echo "$OUT"
	exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sks-initramfs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# modprobe -d wants ROOT/lib/modules/ABI; the caller's dir may live anywhere.
mkdir -p "$WORK/modroot/lib/modules" "$WORK/img"/{bin,dev,proc,sys,lower,rw,newroot,modules}
ln -s "$MODDIR" "$WORK/modroot/lib/modules/$ABI"

cp "$BUSYBOX" "$WORK/img/bin/busybox"
for a in sh mount umount insmod mkdir cat echo sleep switch_root poweroff reboot cp ls; do
	ln -s busybox "$WORK/img/bin/$a"
done
install -m 0755 "$INIT_SRC" "$WORK/img/init"

n=0
declare -A seen=()
: > "$WORK/img/modules/builtin"
for m in "${ROOT_MODULES[@]}"; do
	deps=$("$MODPROBE" --show-depends -d "$WORK/modroot" -S "$ABI" "$m" 2>&1) ||
		die "modprobe --show-depends $m failed for $ABI: $deps"
	while read -r kind path _; do
		case "$kind" in
		builtin) echo "$path" >> "$WORK/img/modules/builtin"; continue ;;
		insmod) ;;
		*) continue ;;
		esac
		[ -z "${seen[$path]:-}" ] || continue
		seen[$path]=1
		n=$((n + 1))
		name=$(basename "$path"); name=${name%%.ko*}
		dst=$(printf '%s/img/modules/%03d-%s.ko' "$WORK" "$n" "$name")
		case "$path" in
		*.ko) cp "$path" "$dst" ;;
		*.ko.xz) xz -dc "$path" > "$dst" ;;
		*.ko.zst) zstd -qdc "$path" > "$dst" ;;
		*.ko.gz) gzip -dc "$path" > "$dst" ;;
		*) die "unknown module format: $path" ;;
		esac
	done <<< "$deps"
done
[ "$n" -gt 0 ] || grep -q . "$WORK/img/modules/builtin" || die "no modules found for $ABI"

# Uncompressed: the kernel unpacks it fastest and it is only a few MB.
(cd "$WORK/img" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) > "$WORK/initrd.cpio"
TMPOUT=$(mktemp "$CACHE/.$ABI-$KEY.XXXXXX")
mv "$WORK/initrd.cpio" "$TMPOUT"
chmod 0644 "$TMPOUT"
mv -f "$TMPOUT" "$OUT"
# drop this kernel's initramfs images of older script versions (a day old:
# a concurrent run of another checkout may just be starting with one)
find "$CACHE" -maxdepth 1 -name "$ABI-*.cpio" ! -name "$ABI-$KEY.cpio" -mtime +0 -delete 2>/dev/null || true
echo "$OUT"
