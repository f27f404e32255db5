#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing skbstamp needs, if
# any is missing.  make check and make demo start here, so a fresh machine
# (CI's, a new developer's) needs nothing installed by hand.  Arguments
# are further packages (make bench's).

set -euo pipefail

pkgs=(
	# building the module and the tool
	gcc make libc6-dev pkg-config libelf-dev bc sparse dwarves
	libnl-3-dev libnl-genl-3-dev libmnl-dev
	# fetching and unpacking kernels, the chroot for gcc-16
	apt-utils dpkg-dev debootstrap xz-utils zstd cpio kmod
	# booting guests
	qemu-system-x86 busybox-static
	# what the in-guest tests use (guests run the host's root filesystem)
	iproute2 python3 python3-yaml util-linux procps iperf3 sockperf ethtool linuxptp
	# lint
	linux-source-6.12
	# deployment: promtool checks `skbstamp export` (prometheus), DKMS
	# builds the module per kernel, make deb builds the Debian packages
	prometheus dkms dh-dkms debhelper fakeroot
	"$@"
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; install them: apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
