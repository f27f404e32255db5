#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QEMU option strings contain commas; cleanup() runs from a trap:
# shellcheck disable=SC2054,SC2317
#
# vm-run.sh - boot an (extracted) Debian kernel in QEMU/TCG with the host's
# root filesystem and run one command in it.
#
# Usage:
#   vm-run.sh --kernel VMLINUZ --modules DIR/lib/modules/<abi>
#             [--smp N] [--mem SIZE] [--timeout SEC] [--out HOSTDIR]
#             [--append 'extra cmdline'] [--net] [--cache DIR]
#             [--env NAME=VALUE]... [--share-tmp /tmp/DIR]...
#             -- COMMAND [ARGS...]
#
# How it works:
#   * The host's / is exported read-only over virtio-9p (tag sksroot) and is
#     the lower layer of an overlayfs with a tmpfs upper layer, so the guest
#     runs the host's own tools (bash, ip, iperf3, python3 ...) and may write
#     anywhere; nothing reaches the host's disk.
#   * HOSTDIR (--out, else a temporary dir) is a second, read-write 9p share,
#     mounted in the guest at /run/sks/out and exported as $SKS_OUT.
#     vm-run.sh keeps its control files in HOSTDIR/.sks/ (cmd.sh, guest.conf,
#     rc) and writes the kernel console to HOSTDIR/console.log.
#   * The guest's /tmp is a fresh tmpfs.  Host dirs under /tmp the command
#     needs -- its cwd, this checkout, --share-tmp DIRs -- are overlaid back
#     at the same path (host content below, writes go to guest RAM).
#   * The initramfs (mkinitramfs.sh; cached per abi + script hash) loads the
#     virtio/9p/overlay modules and switch_roots; guest-init.sh stage 2 mounts
#     devpts, /dev/shm, debugfs, tracefs, cgroup2, bpffs, binds the kernel's
#     modules tree on /lib/modules/<abi> (so modprobe works), sets the
#     hostname, brings lo up and runs COMMAND as root in the caller's cwd with
#     PATH, LANG/LC_ALL, all SKS_* variables of the caller and the --env ones.
#   * Output: COMMAND's stdout+stderr (merged, stdin is /dev/null) go to the
#     guest's ttyS1, which QEMU copies to this script's stdout live.  Kernel
#     messages go to ttyS0 -> HOSTDIR/console.log only (shown live on stderr
#     with SKS_CONSOLE=1).
#   * Two virtio-net NICs, MAC addresses 52:54:00:5c:00:0a and
#     52:54:00:5c:00:0b, are wired to each other by a QEMU hub and to
#     nothing else: what one sends the other receives, through the real
#     virtio-net driver (interrupts, NAPI, GRO).  Tests move them into
#     namespaces; otherwise they stay down.
#   * After the run console.log is scanned for WARNING:, BUG: (BUG: KASAN),
#     Oops, panics, GPFs, stalls, Call Trace, lockdep's reports ...; any hit
#     is a failure.  panic_on_warn=1 oops=panic panic=-1 plus QEMU
#     -no-reboot make a dying kernel exit QEMU.
#
# Exit status: COMMAND's status if the kernel stayed clean, otherwise
#   250  guest did not run COMMAND (boot/setup failure, QEMU error)
#   251  kernel problem found in the console log (even if COMMAND succeeded)
#   252  timeout
#   253  usage / host-side setup error
# On failure the last lines of console.log are printed to stderr.
#
# Environment:
#   SKS_ACCEL     QEMU accelerator (default tcg,thread=single: multi-threaded
#                 TCG once produced an 'Oops: int3' from a cross-CPU text
#                 patching race on 7.2; use tcg,thread=multi for speed)
#   SKS_ICOUNT=1  add -icount shift=0,sleep=off (deterministic; needs
#                 single-threaded TCG (the default) and forces --smp 1:
#                 with icount QEMU 7.2 hangs bringing up the second x86 CPU)
#   SKS_CPU       -cpu model (default max)
#   SKS_CONSOLE=1 stream the kernel console to stderr while running
#   SKS_KEEP=1    keep the temporary out dir (when no --out) even on success
#   SKS_DEBUG=1   set -x in the guest init and print the QEMU command line
#   SKS_INITRAMFS_CACHE  initramfs + vmlinux cache dir (also --cache;
#                 default ${SKS_CACHE:-/var/cache/skbstamp}/initramfs if
#                 writable, else ~/.cache/skbstamp/initramfs)
#   SKS_PVH=0     boot the bzImage as is (default: boot the extracted,
#                 cached vmlinux via PVH, saves the in-guest decompression)
#   SKS_QEMU      QEMU binary (default qemu-system-x86_64)
#   SKS_MACHINE   -machine type (default pc)
#   SKS_QEMU_EXTRA  extra QEMU arguments (word-split)
set -uo pipefail

LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXIT_BOOT=250 EXIT_KERNEL=251 EXIT_TIMEOUT=252 EXIT_USAGE=253

log() { echo "vm-run: $*" >&2; }
die() { log "$*"; exit $EXIT_USAGE; }
usage() { sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;/^set -uo/d'; exit "${1:-0}"; }

KERNEL="" MODDIR="" SMP=2 MEM=2G TIMEOUT=300 OUT="" APPEND="" NET=0 CACHE=""
EXTRA_ENV=() SHARE_TMP=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KERNEL=${2-}; shift 2 ;;
	--modules) MODDIR=${2-}; shift 2 ;;
	--smp) SMP=${2-}; shift 2 ;;
	--mem) MEM=${2-}; shift 2 ;;
	--timeout) TIMEOUT=${2-}; shift 2 ;;
	--out) OUT=${2-}; shift 2 ;;
	--append) APPEND=${2-}; shift 2 ;;
	--cache) CACHE=${2-}; shift 2 ;;
	--env) EXTRA_ENV+=("${2-}"); shift 2 ;;
	--share-tmp) SHARE_TMP+=("$(realpath "${2-}")"); shift 2 ;;
	--net) NET=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	*) log "unknown argument: $1"; usage $EXIT_USAGE >&2 ;;
	esac
done
[ $# -gt 0 ] || die "no COMMAND given (use: ... -- COMMAND)"
if [ -z "$KERNEL" ] || [ ! -f "$KERNEL" ]; then die "--kernel: no such file: '$KERNEL'"; fi
if [ -z "$MODDIR" ] || [ ! -d "$MODDIR" ]; then die "--modules: no such dir: '$MODDIR'"; fi
[[ "$SMP" =~ ^[0-9]+$ ]] || die "--smp: not a number: $SMP"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout: not a number of seconds: $TIMEOUT"
for e in "${EXTRA_ENV[@]}"; do
	[[ "$e" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env: expected NAME=VALUE, got '$e'"
done
KERNEL=$(realpath "$KERNEL")
MODDIR=$(realpath "$MODDIR")
ABI=$(basename "$MODDIR")
QEMU=${SKS_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || die "$QEMU not found"

CWD=$(pwd -P)

# ---- out dir / control files -------------------------------------------
TMPOUT=0
if [ -n "$OUT" ]; then
	mkdir -p "$OUT" || die "cannot create $OUT"
	OUT=$(realpath "$OUT")
else
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/sks-vm.XXXXXX") || die "mktemp failed"
	TMPOUT=1
fi
CTL=$OUT/.sks
CONSOLE=$OUT/console.log
rm -rf "$CTL"
mkdir -p "$CTL" || die "cannot create $CTL"
rm -f "$CONSOLE"

QPID="" TAILPID=""
cleanup() {
	[ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	if [ "$TMPOUT" = 1 ] && [ "${KEEP_OUT:-0}" = 0 ] && [ "${SKS_KEEP:-0}" != 1 ]; then
		rm -rf "$OUT"
	fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

INITRD=$("$LIBDIR/mkinitramfs.sh" --modules "$MODDIR" ${CACHE:+--cache "$CACHE"}) ||
	die "building the initramfs failed"

# Boot the uncompressed ELF vmlinux through QEMU's PVH entry when the kernel
# has one (CONFIG_PVH, Debian has it): decompressing an xz bzImage under TCG
# costs ~4 s per boot.  Extracted once per kernel into the initramfs cache.
extract_vmlinux() {
	local vmlinuz=$1 cache=$2 key out tmp off magic cmd
	command -v readelf >/dev/null || return 1
	key=$(sha256sum "$vmlinuz" | cut -c1-16)
	out="$cache/$ABI-vmlinux-$key.elf"
	if [ -s "$out" ]; then echo "$out"; return 0; fi
	tmp=$(mktemp "$cache/.$ABI-vmlinux.XXXXXX") || return 1
	for magic in xz zstd gzip lz4; do
		case $magic in
		xz) off=$(grep -abo -m1 $'\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1); cmd="xz -dc --single-stream" ;;
		zstd) off=$(grep -abo -m1 $'\x28\xb5\x2f\xfd' "$vmlinuz" | head -1 | cut -d: -f1); cmd="zstd -qdc" ;;
		gzip) off=$(grep -abo -m1 $'\x1f\x8b\x08' "$vmlinuz" | head -1 | cut -d: -f1); cmd="gzip -dc" ;;
		lz4) off=$(grep -abo -m1 $'\x02\x21\x4c\x18' "$vmlinuz" | head -1 | cut -d: -f1); cmd="lz4 -dc" ;;
		esac
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$vmlinuz" | $cmd > "$tmp" 2>/dev/null
		# PVH entry point: ELF note XEN_ELFNOTE_PHYS32_ENTRY (18)
		if [ "$(head -c 4 "$tmp" | od -An -c | tr -d ' ')" = '177ELF' ] &&
		   readelf -n "$tmp" 2>/dev/null | grep -q '(0x00000012)'; then
			chmod 0644 "$tmp"
			mv -f "$tmp" "$out"
			echo "$out"
			return 0
		fi
	done
	rm -f "$tmp"
	return 1
}
BOOTKERNEL=$KERNEL
if [ "${SKS_PVH:-1}" = 1 ]; then
	BOOTKERNEL=$(extract_vmlinux "$KERNEL" "$(dirname "$INITRD")") || {
		log "note: no PVH-capable vmlinux in $KERNEL, booting the bzImage (slower)"
		BOOTKERNEL=$KERNEL
	}
fi

# The guest mounts a fresh tmpfs on /tmp.  Host dirs below /tmp that the
# command is likely to need (cwd, this checkout, --share-tmp ones) are
# overlaid back at the same path (top-level /tmp/<name> dir each).
TMP_PATHS=()
for p in "$CWD" "$(cd "$LIBDIR/../.." && pwd -P)" "${SHARE_TMP[@]}"; do
	case "$p" in /tmp/?*) ;; *) continue ;; esac
	rest=${p#/tmp/}; top=/tmp/${rest%%/*}
	[[ "$top" =~ ^[A-Za-z0-9._/+@-]+$ ]] || { log "warning: $top not shareable into the guest's /tmp (odd characters)"; continue; }
	case " ${TMP_PATHS[*]} " in *" $top "*) continue ;; esac
	TMP_PATHS+=("$top")
done

sq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
{
	echo "SKS_MODDIR=$(sq "$MODDIR")"
	host=sks-${ABI%%-*}
	echo "SKS_HOSTNAME=$(sq "${host//[^A-Za-z0-9.-]/-}")"
	echo "SKS_NET=$NET"
	echo "SKS_TMP_PATHS=$(sq "${TMP_PATHS[*]}")"
	echo "SKS_DEBUG=${SKS_DEBUG:-0}"
} > "$CTL/guest.conf"

{
	echo '#!/bin/bash'
	echo '# generated by vm-run.sh'
	# shellcheck disable=SC2016 # expanded in the guest
	echo 'unset $(compgen -e)'
	guest_path=${PATH:-/usr/bin:/bin}
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		case ":$guest_path:" in *":$d:"*) ;; *) guest_path=$guest_path:$d ;; esac
	done
	printf 'export PATH=%q\n' "$guest_path"
	echo 'export HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb'
	for v in LANG LC_ALL; do
		[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	while IFS= read -r v; do
		case "$v" in SKS_OUT|SKS_GUEST|SKS_KERNEL_ABI) continue ;; esac
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^SKS_')
	echo 'export SKS_OUT=/run/sks/out SKS_GUEST=1'
	printf 'export SKS_KERNEL_ABI=%q\n' "$ABI"
	for e in "${EXTRA_ENV[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'cd %q || exit 126\n' "$CWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} > "$CTL/cmd.sh"

# ---- QEMU ----------------------------------------------------------------
ACCEL=${SKS_ACCEL:-tcg,thread=single}
ICOUNT=()
if [ "${SKS_ICOUNT:-0}" = 1 ]; then
	case "$ACCEL" in *thread=multi*) die "SKS_ICOUNT=1 needs single-threaded TCG (SKS_ACCEL=$ACCEL)" ;; esac
	ICOUNT=(-icount shift=0,sleep=off)
	# QEMU 7.2 + icount: x86 SMP bring-up hangs at "x86: Booting SMP
	# configuration" (any cpu model, sleep=on/off, shift=0/auto, PVH or not).
	if [ "$SMP" != 1 ]; then
		log "note: SKS_ICOUNT=1 forces --smp 1 (icount hangs x86 SMP bring-up)"
		SMP=1
	fi
fi

CMDLINE="console=ttyS0 panic_on_warn=1 panic=-1 oops=panic nokaslr"
CMDLINE+=" loglevel=5 rdinit=/init 8250.nr_uarts=2 tsc=reliable"
[ "${SKS_DEBUG:-0}" = 1 ] && CMDLINE+=" sks.debug=1 loglevel=7"
[ -n "$APPEND" ] && CMDLINE+=" $APPEND"

QARGS=(
	-nodefaults -no-user-config -display none -vga none -no-reboot
	-machine "${SKS_MACHINE:-pc}" -accel "$ACCEL" "${ICOUNT[@]}"
	-cpu "${SKS_CPU:-max}" -smp "$SMP" -m "$MEM"
	-kernel "$BOOTKERNEL" -initrd "$INITRD" -append "$CMDLINE"
	-chardev "file,id=con,path=$CONSOLE" -serial chardev:con
	-chardev stdio,id=cmdout,signal=off -serial chardev:cmdout
	-fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=fsroot,mount_tag=sksroot
	-fsdev "local,id=fsout,path=$OUT,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=fsout,mount_tag=sksout
	-netdev hubport,id=wirea,hubid=7
	-device virtio-net-pci,netdev=wirea,mac=52:54:00:5c:00:0a
	-netdev hubport,id=wireb,hubid=7
	-device virtio-net-pci,netdev=wireb,mac=52:54:00:5c:00:0b
)
# shellcheck disable=SC2206 # word splitting intended
[ -n "${SKS_QEMU_EXTRA:-}" ] && QARGS+=($SKS_QEMU_EXTRA)
if [ "$NET" = 1 ]; then
	QARGS+=(-nic user,model=virtio-net-pci,restrict=on)
fi
[ "${SKS_DEBUG:-0}" = 1 ] && log "$QEMU ${QARGS[*]}"

if [ "${SKS_CONSOLE:-0}" = 1 ]; then
	: > "$CONSOLE"
	tail -n +1 -F -s 0.2 "$CONSOLE" >&2 2>/dev/null &
	TAILPID=$!
fi

T0=$(date +%s.%N)
timeout -k 10 "$TIMEOUT" "$QEMU" "${QARGS[@]}" </dev/null &
QPID=$!
wait $QPID
QRC=$?
QPID=""
T1=$(date +%s.%N)
if [ -n "$TAILPID" ]; then
	sleep 0.3
	kill "$TAILPID" 2>/dev/null
	wait "$TAILPID" 2>/dev/null
	TAILPID=""
fi

# ---- verdict -------------------------------------------------------------
PATTERNS='WARNING:|BUG:|Oops|Kernel panic|general protection fault|scheduling while atomic|rcu_sched self-detected stall|rcu: INFO|rcu_preempt detected stall|Call Trace|kernel BUG|Unable to handle kernel|soft lockup|hard LOCKUP|blocked for more than|UBSAN:|KASAN:'
# lockdep (debug kernels): its reports also start with WARNING:, but name them
PATTERNS+='|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage'
tail_console() {
	echo "---- last 60 lines of $CONSOLE ----" >&2
	tail -n 60 "$CONSOLE" >&2 2>/dev/null
	echo "---- end of console ----" >&2
}

RC=""
[ -f "$CTL/rc" ] && RC=$(cat "$CTL/rc")
ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')
STATUS=""
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
	log "TIMEOUT after ${TIMEOUT}s (kernel $ABI)"
	STATUS=$EXIT_TIMEOUT
elif grep -Eaq "$PATTERNS" "$CONSOLE" 2>/dev/null; then
	log "KERNEL PROBLEM in console log (kernel $ABI):"
	grep -Ea -m 10 "$PATTERNS" "$CONSOLE" | sed 's/^/vm-run:   /' >&2
	STATUS=$EXIT_KERNEL
elif grep -aq 'SKS-INIT: FATAL' "$CONSOLE" 2>/dev/null; then
	log "guest setup failed (kernel $ABI): $(grep -a -m1 'SKS-INIT: FATAL' "$CONSOLE")"
	STATUS=$EXIT_BOOT
elif [ "$QRC" != 0 ]; then
	log "QEMU exited with status $QRC (kernel $ABI)"
	STATUS=$EXIT_BOOT
elif ! [[ "$RC" =~ ^[0-9]+$ ]]; then
	log "guest did not run the command / report a status (kernel $ABI)"
	STATUS=$EXIT_BOOT
fi

if [ -n "$STATUS" ]; then
	[ -n "$RC" ] && log "command exit status was $RC"
	tail_console
	KEEP_OUT=1
	log "console log: $CONSOLE (${ELAPSED}s)"
	exit "$STATUS"
fi
[ "${SKS_DEBUG:-0}" = 1 ] && log "ok: status $RC, ${ELAPSED}s, console $CONSOLE"
exit "$RC"
