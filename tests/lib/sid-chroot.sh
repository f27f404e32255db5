#!/bin/bash
# Debian sid build chroot, needed for kernels whose headers want a newer
# compiler than the host's gcc-12 (7.2 wants gcc-16, and its kbuild helper
# binaries need sid's glibc).
#
#   sid-chroot.sh [ensure]               create once at $SKS_CACHE/sid-chroot
#   sid-chroot.sh run [DIR...] -- CMD... run CMD in the chroot with each DIR
#                                        bind-mounted at the SAME path, plus /proc
#
# Creation is atomic: debootstrap + apt-get into sid-chroot.tmp, write the
# stamp, then rename.  The mirror URI is read from the machine's apt sources.
# `run` does its mounts inside a private mount namespace (unshare -m), so
# they disappear when the command exits, even if it is killed; the trap
# unmounts explicitly as well.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

# What module builds need inside the chroot: compiler (gcc-16-for-host gives
# the x86_64-linux-gnu-gcc-16 the headers' Makefile asks for), make, libc
# headers, pahole (linux-kbuild depends on it, BTF for modules), sparse
# (C=1), kmod (modinfo), and the libraries the prebuilt kbuild tools link.
SID_PKGS="gcc-16 gcc-16-for-host make libc6-dev pahole sparse kmod libelf1t64 libssl3t64 zlib1g"

CACHE=$(sks_cache)
ROOT=$CACHE/sid-chroot
STAMP=$ROOT/.skbstamp-ok

ensure() {
	[[ -e $STAMP && $(cat "$STAMP") == "$SID_PKGS" ]] && return 0
	sks_lock chroot
	[[ -e $STAMP && $(cat "$STAMP") == "$SID_PKGS" ]] && return 0
	command -v debootstrap >/dev/null || die "debootstrap not installed (apt-get install debootstrap)"
	local dir=$ROOT mirror start=$SECONDS
	mirror=$(sks_debian_uri sid)
	if [[ ! -e $STAMP ]]; then
		dir=$ROOT.tmp
		# A killed debootstrap can leave proc/sys mounted: never rm -rf
		# through a mount point.
		findmnt -rn -o TARGET | grep -E "^($ROOT|$dir)/" | sort -r | xargs -r umount -l || true
		rm -rf "$dir" "$ROOT"
		log "debootstrap --variant=minbase sid from $mirror (takes a few minutes)"
		debootstrap --variant=minbase --keyring="$SKS_KEYRING" sid "$dir" "$mirror" \
			>"$CACHE/sid-debootstrap.log" 2>&1 ||
			die "debootstrap failed, see $CACHE/sid-debootstrap.log"
	fi
	log "installing build deps in sid chroot: $SID_PKGS"
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	# Same release-file date policy as the host's apt: the archive served
	# here can be a frozen snapshot older than Valid-Until (host apt.conf.d
	# then disables that check; signatures are still verified).
	apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' \
		>"$dir/etc/apt/apt.conf.d/99skbstamp-host-policy" || true
	# shellcheck disable=SC2086,SC2016
	unshare --mount --propagation private sh -c '
		mount -t proc proc "$1/proc" && shift &&
		chroot "$0" env DEBIAN_FRONTEND=noninteractive sh -c \
			"apt-get update && apt-get install -y --no-install-recommends $*"
		' "$dir" "$dir" $SID_PKGS >"$CACHE/sid-apt.log" 2>&1 ||
		die "apt-get in sid chroot failed, see $CACHE/sid-apt.log"
	chroot "$dir" apt-get clean
	printf '%s\n' "$SID_PKGS" >"$dir/.skbstamp-ok"
	[[ $dir == "$ROOT" ]] || mv -T "$dir" "$ROOT"
	log "sid chroot ready in $((SECONDS - start))s"
}

# run DIR... -- CMD...  (called by build-module.sh)
run() {
	local dirs=()
	while (($#)) && [[ $1 != -- ]]; do dirs+=("$(realpath "$1")"); shift; done
	[[ ${1:-} == -- ]] || die "usage: $0 run [DIR...] -- CMD..."
	shift
	(($#)) || die "run: no command"
	ensure
	# Fresh private mount namespace: nothing leaks to the host mount table.
	exec unshare --mount --propagation private "$0" _inner "${#dirs[@]}" "${dirs[@]}" "$@"
}

_inner() {
	local n=$1 d
	shift
	mounted=()   # global: the EXIT trap runs after this function returns
	umount_all() {
		local i
		for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
	}
	trap umount_all EXIT
	mount -t proc proc "$ROOT/proc" && mounted+=("$ROOT/proc")   # objtool wants /proc
	for ((; n > 0; n--)); do
		d=$1; shift
		mkdir -p "$ROOT$d"
		mount --bind "$d" "$ROOT$d" && mounted+=("$ROOT$d")
	done
	# Not exec: the trap must run after the command.
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
}

case ${1:-ensure} in
ensure) ensure ;;
run) shift; run "$@" ;;
_inner) shift; _inner "$@" ;;
*) die "usage: $0 [ensure] | run [DIR...] -- CMD..." ;;
esac
