# The Debian packages "make deb" built (make check builds them in the host
# suite): installed in the guest, the module registered with DKMS for the
# running kernel, the service starts (no systemd in the guest: the unit's
# ExecStart, ExecReload and ExecStop lines are run as systemd would),
# skbstamp status shows it running, and purging removes every file.
#
# With SKS_DEB_DKMS_BUILD=1 the package's postinst builds the module with
# DKMS in the guest, as on a real host.  That compile takes over ten
# minutes under emulation (more than a case may take), so by default
# /etc/dkms/no-autoinstall stops the postinst before DKMS, the case
# registers the package's source with "dkms add" itself, and the module
# the suite built goes where "dkms install" puts it; the DKMS build and
# install themselves are tested per kernel on the host (dkms-build.sh) and
# loaded by case 420.

# Installing and purging the packages does not depend on the kernel (the
# per-kernel part, DKMS, is case 420): it runs in the 6.1 guest, Debian
# bookworm's kernel, and make check stays within its time.
case $(uname -r) in
6.1.*) ;;
*) sks_skip "the packages are installed in the 6.1 guest only (420 covers DKMS per kernel)" ;;
esac

dir=${SKS_DEB_DIR:-}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SKS_TOP/dkms.conf")
[ -n "$dir" ] || sks_skip "no packages (make check builds them with make deb)"
for f in "skbstamp_$ver-1_amd64.deb" "skbstamp-dkms_$ver-1_all.deb"; do
	[ -f "$dir/$f" ] || sks_fail "SKS_DEB_DIR=$dir has no $f: $(ls -l "$dir" 2>&1)"
done
[ -d "${SKS_KHDR:-}" ] || sks_skip "no kernel headers given (SKS_KHDR)"
abi=$(uname -r)
sks_modules_writable
ln -sfn "$SKS_KHDR" "/lib/modules/$abi/build"
full=${SKS_DEB_DKMS_BUILD:-0}
[ "$full" = 1 ] || { mkdir -p /etc/dkms && touch /etc/dkms/no-autoinstall; }
if [ "$full" = 1 ]; then
	# DKMS compiles with the compiler the headers name, from the guest's
	# userland, which is the host's (gcc-12).  Older gcc-N: the host's gcc
	# stands in, as for every module build of the suite; newer: not possible.
	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$SKS_KHDR/.kernelvariables" 2>/dev/null || true)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
		[ "${cc#gcc-}" -le 12 ] ||
			sks_skip "$abi's headers need $cc, the guest's userland (the host's) has gcc-12"
		ln -s "$(command -v gcc)" "/usr/local/bin/$cc"
	fi
fi

dpkg -i --no-triggers "$dir/skbstamp-dkms_$ver-1_all.deb" "$dir/skbstamp_$ver-1_amd64.deb" \
	>"$SKS_TMP/dpkg.log" 2>&1 || { tail -n 30 "$SKS_TMP/dpkg.log"; sks_fail "dpkg -i failed"; }
grep -E 'Building|Done|Installing|autoinstall' "$SKS_TMP/dpkg.log" || true
if [ "$full" != 1 ]; then
	dkms add -m skbstamp -v "$ver" >>"$SKS_TMP/dpkg.log" 2>&1 || sks_fail "dkms add of the package's source failed"
	mkdir -p "/lib/modules/$abi/updates/dkms"
	cp "$SKS_KO" "/lib/modules/$abi/updates/dkms/"
	# skbstamp depends on no other module; see case 410.
	depmod "$abi" "/lib/modules/$abi/updates/dkms/skbstamp.ko" || sks_fail "depmod failed"
	rm -f /etc/dkms/no-autoinstall
fi
dkms status -m skbstamp | tee "$SKS_TMP/dkms"
if [ "$full" = 1 ]; then
	grep -q "^skbstamp/$ver, $abi, [^:]*: installed" "$SKS_TMP/dkms" ||
		sks_fail "dkms status does not show skbstamp $ver installed for $abi"
else
	grep -q "^skbstamp/$ver: added" "$SKS_TMP/dkms" ||
		sks_fail "dkms status does not show skbstamp $ver added"
fi
modinfo -F version skbstamp | grep -qx "$ver" || sks_fail "modprobe does not find the DKMS module"

unit=/lib/systemd/system/skbstamp.service
[ -f "$unit" ] && [ -f /etc/skbstamp.conf ] || sks_fail "the unit or /etc/skbstamp.conf is missing"
run_unit()
{
	local cmd
	cmd=$(sed -n "s/^$1=//p" "$unit")
	[ -n "$cmd" ] || sks_fail "no $1 in $unit"
	$cmd || sks_fail "$1 ($cmd) failed"
}
run_unit ExecStart
skbstamp status | tee "$SKS_TMP/st"
grep -q '^state: *running$' "$SKS_TMP/st" || sks_fail "status does not show running"
grep -q '^mode: *summary$' "$SKS_TMP/st" || sks_fail "status does not show summary mode"
echo 'proto udp' >>/etc/skbstamp.conf
run_unit ExecReload
skbstamp status | grep -q '^proto: *udp$' || sks_fail "reload did not apply proto udp"
run_unit ExecStop
! sks_loaded || sks_fail "ExecStop left the module loaded"

dpkg --purge skbstamp skbstamp-dkms >"$SKS_TMP/purge.log" 2>&1 ||
	{ tail -n 30 "$SKS_TMP/purge.log"; sks_fail "dpkg --purge failed"; }
# The module file is DKMS's to remove only if DKMS installed it.
ko=""
[ "$full" != 1 ] || ko=/lib/modules/$abi/updates/dkms/skbstamp.ko
left=""
for f in /usr/sbin/skbstamp /etc/skbstamp.conf "$unit" /usr/lib/skbstamp \
	/usr/share/man/man8/skbstamp.8.gz /usr/share/bash-completion/completions/skbstamp \
	"/usr/src/skbstamp-$ver" /var/lib/dkms/skbstamp $ko; do
	[ -e "$f" ] && left="$left $f"
done
[ -z "$left" ] || sks_fail "purge left:$left"
! dpkg -l skbstamp skbstamp-dkms 2>/dev/null | grep -q '^[a-z][a-z] *skbstamp' ||
	sks_fail "dpkg still lists a package"
