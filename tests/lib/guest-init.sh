#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-init.sh - PID 1 of the vm-run.sh guests.  POSIX sh, run by busybox:
# stage 1 from the initramfs, stage 2 from a copy of busybox in /run/sks
# after switch_root (host binaries cost 9p round trips, slow under TCG; only
# modprobe and the command itself come from the host).
#
# Stage 1 (/init in the initramfs):
#   insmod virtio/9p/overlay modules, mount the host's / (9p tag "sksroot",
#   read-only) as the lower layer of an overlay with a tmpfs upper layer,
#   move /proc /sys /dev into it, mount tmpfs /run and /tmp, mount the
#   results share (9p tag "sksout", read-write) at /run/sks/out, copy this
#   script + busybox to /run/sks and switch_root into the overlay.
# Stage 2 (/run/sks/guest-init.sh --stage2):
#   devpts, /dev/shm, debugfs, tracefs, cgroup2, bpffs; bind-mount the
#   kernel's modules tree (a host path, visible through 9p) on
#   /lib/modules/$(uname -r); overlay host dirs under /tmp that the command
#   needs (SKS_TMP_PATHS) back over the guest's tmpfs /tmp; hostname; lo up; optional virtio_net; then run
#   /run/sks/out/.sks/cmd.sh (written by vm-run.sh) with stdin </dev/null and
#   stdout+stderr on /dev/ttyS1, write its exit status to
#   /run/sks/out/.sks/rc and power off.
#
# Any setup failure prints "SKS-INIT: FATAL: ..." on the console and powers
# off without writing rc: vm-run.sh reports a boot failure.

SKS_DIR=/run/sks
SKS_OUT_DIR=$SKS_DIR/out
CTL=$SKS_OUT_DIR/.sks

msg() { echo "SKS-INIT: $*"; }

halt_now() {
	sync
	# -f: no init to talk to, call reboot(2) directly.  -no-reboot on the
	# QEMU side turns a reboot into an exit too.
	for bb in /bin/busybox $SKS_DIR/busybox; do
		[ -x "$bb" ] || continue
		"$bb" poweroff -f
		"$bb" reboot -f
	done
	echo o > /proc/sysrq-trigger
	sleep 30
}

fatal() {
	msg "FATAL: $*"
	halt_now
}

stage1() {
	export PATH=/bin
	/bin/busybox mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	case " $(cat /proc/cmdline) " in *" sks.debug=1 "*) set -x ;; esac

	for m in /modules/*.ko; do
		[ -e "$m" ] || continue
		insmod "$m" || fatal "insmod $m failed"
	done

	# virtio probing is synchronous, but be tolerant of slow device setup
	i=0
	while ! grep -qs sksroot /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
		i=$((i + 1))
		[ $i -lt 50 ] || fatal "9p device 'sksroot' did not show up"
		sleep 0.1
	done

	# 9p before Linux 6.1 allocates two msize-sized buffers for every
	# request, however small (6.1: "smaller buffers for small messages"):
	# with msize=512000 every walk, open and clunk of a host file moved
	# 2 x 500 KB through virtio, which made exec on 5.10 several times
	# slower than on 6.1 (same 5.10 workload: 48 s of QEMU CPU, 29 s with
	# 64 KiB).  Those kernels read file data a page per request anyway
	# (cache=loose readpage), so a big msize buys them nothing.
	msize=512000
	rel=$(cat /proc/sys/kernel/osrelease)
	major=${rel%%.*}
	minor=${rel#*.}
	minor=${minor%%.*}
	if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 1 ]; }; then
		msize=65536
	fi

	# cache=loose: the lower layer is read-only and static for the run.
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=$msize,cache=loose sksroot /lower ||
		fatal "mounting host root over 9p failed"
	mount -t tmpfs -o mode=0755 tmpfs /rw || fatal "tmpfs /rw"
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
		fatal "overlay mount failed"

	for d in proc sys dev; do
		mkdir -p /newroot/$d
		mount --move /$d /newroot/$d || fatal "move /$d"
	done
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || fatal "tmpfs /run"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/tmp || fatal "tmpfs /tmp"
	mkdir -p /newroot$SKS_OUT_DIR
	# cache=none (default): every write goes straight to the host.
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=$msize sksout /newroot$SKS_OUT_DIR ||
		fatal "mounting results share failed"
	# keep the plain (read-only) host root reachable for stage 2
	mkdir -p /newroot$SKS_DIR/lower
	mount --move /lower /newroot$SKS_DIR/lower || fatal "move /lower"
	cp /init /newroot$SKS_DIR/guest-init.sh
	cp /bin/busybox /newroot$SKS_DIR/busybox
	# stage 2 keeps running on busybox from tmpfs: every dynamically linked
	# host binary costs 9p round trips, which are slow under TCG.
	# shellcheck disable=SC2093 # reached only if exec fails
	exec switch_root /newroot $SKS_DIR/busybox sh $SKS_DIR/guest-init.sh --stage2
	fatal "switch_root failed"
}

stage2() {
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	bb=$SKS_DIR/busybox
	for a in mount mkdir ln hostname ip stty cut mv sync; do
		eval "$a() { $bb $a \"\$@\"; }"
	done
	[ -f $CTL/guest.conf ] || fatal "$CTL/guest.conf missing"
	# SKS_MODDIR SKS_HOSTNAME SKS_NET SKS_DEBUG SKS_TMP_PATHS
	# shellcheck source=/dev/null
	. $CTL/guest.conf
	[ "${SKS_DEBUG:-0}" = 1 ] && set -x

	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	mount -t debugfs debugfs /sys/kernel/debug || fatal "debugfs"
	mount -t tracefs tracefs /sys/kernel/tracing || fatal "tracefs"
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
	mount -t bpf bpf /sys/fs/bpf 2>/dev/null

	abi=$(uname -r)
	if [ -n "${SKS_MODDIR:-}" ] && [ "$SKS_MODDIR" != "/lib/modules/$abi" ]; then
		mkdir -p "/lib/modules/$abi"
		mount --bind "$SKS_DIR/lower$SKS_MODDIR" "/lib/modules/$abi" ||
			fatal "bind mount of $SKS_MODDIR failed"
	fi
	[ -f "/lib/modules/$abi/modules.dep" ] || msg "warning: no modules.dep for $abi"

	# The guest's /tmp is a fresh tmpfs, which hides the host's /tmp.  Host
	# paths under /tmp the command needs (its cwd, the checkout) get a
	# writable overlay (host dir read-only below, tmpfs above) at the same path.
	i=0
	for p in ${SKS_TMP_PATHS:-}; do
		i=$((i + 1))
		[ -d "$SKS_DIR/lower$p" ] || continue
		mkdir -p "$p" $SKS_DIR/ovl/$i/upper $SKS_DIR/ovl/$i/work
		mount -t overlay -o "lowerdir=$SKS_DIR/lower$p,upperdir=$SKS_DIR/ovl/$i/upper,workdir=$SKS_DIR/ovl/$i/work" overlay "$p" ||
			fatal "overlay for $p failed"
	done

	hostname "${SKS_HOSTNAME:-sks-guest}" 2>/dev/null || echo "${SKS_HOSTNAME:-sks-guest}" > /proc/sys/kernel/hostname
	ip link set lo up || fatal "lo up"
	if [ "${SKS_NET:-0}" = 1 ]; then
		# the host's kmod, not busybox's applet (which can't do .ko.xz/.zst)
		mp=/usr/sbin/modprobe
		[ -x $mp ] || mp=/sbin/modprobe
		$mp virtio_net || fatal "modprobe virtio_net"
	fi

	# Command output goes to the second serial port, raw (no \r\n mangling),
	# so it never mixes with kernel messages on ttyS0.
	out=/dev/ttyS1
	if [ -c $out ]; then
		stty -F $out raw -echo 115200 2>/dev/null
	else
		msg "warning: $out missing, command output goes to the console"
		out=/dev/console
	fi
	msg "running command (uptime $(cut -d" " -f1 /proc/uptime)s)"
	bash $CTL/cmd.sh </dev/null >$out 2>&1
	rc=$?
	echo "$rc" > $CTL/rc.tmp && mv $CTL/rc.tmp $CTL/rc
	msg "command exited with status $rc"
	halt_now
}

if [ "${1:-}" = --stage2 ]; then
	stage2
else
	stage1
fi
fatal "unreachable"
