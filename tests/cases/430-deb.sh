# The Debian packages "make deb" built (make check builds them in the host
# suite), installed in the guest as on a host, the service started from
# their unit (no systemd in the guest: the unit's ExecStart, ExecReload
# and ExecStop lines are run as systemd would) with the module DKMS
# built, skbstamp status showing it running, a reload applying a changed
# config, and purging removing every file.
#
# Two ways, by SKS_DEB_BUILD:
# - guest (make soak's and "make check KERNELS=deb"'s deb job): the
#   skbstamp-dkms postinst has DKMS build and install the module for the
#   running kernel, in the guest, from the packaged source; purging
#   removes the module DKMS installed.  The compile under emulation takes
#   minutes, longer than any other case: that job runs this case alone in
#   a guest of its own, with a longer case limit (tests/check.sh).
# - host (make check, in the 6.1 guest): DKMS autoinstall is off
#   (/etc/dkms/no-autoinstall, which the postinst honours), the packaged
#   source must be byte for byte the tree that this kernel's job had DKMS
#   add, build and install on the host (SKS_DEB_SRC, its module
#   SKS_DKMS_KO), DKMS registers the packaged source (dkms add, as the
#   postinst does before building), and that module takes the place
#   DKMS installs to.  What only the guest way checks is that the
#   postinst's build runs and the guest's compiler takes the source.
# The other kernels' guests get no SKS_DEB_DIR and skip this case.

dir=${SKS_DEB_DIR:-}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SKS_TOP/dkms.conf")
[ -n "$dir" ] || sks_skip "no packages given (SKS_DEB_DIR: make check gives them to the 6.1 guest)"
for f in "skbstamp_$ver-1_amd64.deb" "skbstamp-dkms_$ver-1_all.deb"; do
	[ -f "$dir/$f" ] || sks_fail "SKS_DEB_DIR=$dir has no $f: $(ls -l "$dir" 2>&1)"
done
abi=$(uname -r)
sks_modules_writable
ko=/lib/modules/$abi/updates/dkms/skbstamp.ko
[ ! -e "$ko" ] || sks_fail "$ko exists before the packages are installed"
how=${SKS_DEB_BUILD:-host}
case $how in
guest)
	[ -d "${SKS_KHDR:-}" ] || sks_skip "no kernel headers given (SKS_KHDR)"
	ln -sfn "$SKS_KHDR" "/lib/modules/$abi/build"
	# DKMS compiles with the compiler the headers name, from the guest's
	# userland, which is the host's (gcc-12).  Older gcc-N: the host's
	# gcc stands in, as for every module build of the suite; newer: not
	# possible.
	cc=$(sed -n 's/^CC = .*\(gcc-[0-9][0-9]*\).*/\1/p' "$SKS_KHDR/.kernelvariables" 2>/dev/null || true)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
		[ "${cc#gcc-}" -le 12 ] ||
			sks_skip "$abi's headers need $cc, the guest's userland (the host's) has gcc-12"
		ln -s "$(command -v gcc)" "/usr/local/bin/$cc"
	fi
	;;
host)
	[ -d "${SKS_DEB_SRC:-}" ] || sks_fail "no SKS_DEB_SRC: the source DKMS built on the host"
	[ -f "${SKS_DKMS_KO:-}" ] || sks_fail "no SKS_DKMS_KO: the module DKMS built on the host"
	[ ! -e /etc/dkms/no-autoinstall ] || sks_fail "/etc/dkms/no-autoinstall exists already"
	mkdir -p /etc/dkms
	touch /etc/dkms/no-autoinstall
	;;
*) sks_fail "SKS_DEB_BUILD=$how: guest or host" ;;
esac

# Whole seconds, as the files' times are compared with it: anything DKMS
# writes from here on is at least this new.
start=$(date +%s)
dpkg -i --no-triggers "$dir/skbstamp-dkms_$ver-1_all.deb" "$dir/skbstamp_$ver-1_amd64.deb" \
	>"$SKS_TMP/dpkg.log" 2>&1 || { rm -f /etc/dkms/no-autoinstall; tail -n 30 "$SKS_TMP/dpkg.log"; sks_fail "dpkg -i failed"; }
echo "dpkg -i (DKMS build: $how) took $(( $(date +%s) - start ))s"
grep -E 'Building|Done|Installing|autoinstall|Signing' "$SKS_TMP/dpkg.log" || true

if [ "$how" = host ]; then
	rm /etc/dkms/no-autoinstall
	grep -q 'autoinstall for dkms modules has been disabled' "$SKS_TMP/dpkg.log" ||
		sks_fail "the postinst did not see /etc/dkms/no-autoinstall: $(cat "$SKS_TMP/dpkg.log")"
	diff -r "/usr/src/skbstamp-$ver" "$SKS_DEB_SRC" >"$SKS_TMP/srcdiff" 2>&1 ||
		{ head -n 30 "$SKS_TMP/srcdiff"; sks_fail "the packaged source is not what DKMS built on the host"; }
	echo "/usr/src/skbstamp-$ver is the source DKMS built on the host"
	dkms add -m skbstamp -v "$ver" >"$SKS_TMP/add.log" 2>&1 ||
		{ cat "$SKS_TMP/add.log"; sks_fail "dkms add of the packaged source failed"; }
	dkms status -m skbstamp | tee "$SKS_TMP/dkms"
	grep -q "^skbstamp/$ver: added" "$SKS_TMP/dkms" ||
		sks_fail "dkms status does not show skbstamp $ver added"
	sks_module_install "$SKS_DKMS_KO" "$ko"
else
	dkms status -m skbstamp | tee "$SKS_TMP/dkms"
	grep -q "^skbstamp/$ver, $abi, [^:]*: installed" "$SKS_TMP/dkms" ||
		sks_fail "dkms status does not show skbstamp $ver installed for $abi"
	# Built here and now: the make.log of DKMS's build names every
	# source file the package ships as compiled, and the module it
	# installed is newer than the start of the case.
	mlog=""
	for f in /var/lib/dkms/skbstamp/"$ver"/"$abi"/*/log/make.log; do
		if [ -f "$f" ]; then mlog=$f; fi
	done
	[ -n "$mlog" ] || sks_fail "no make.log of a DKMS build for $abi"
	[ "$(stat -c %Y "$mlog")" -ge "$start" ] || sks_fail "$mlog is older than this case"
	n=0
	for c in "/usr/src/skbstamp-$ver"/module/*.c; do
		o=$(basename "$c" .c).o
		grep -Eq "CC \[M\] +.*/module/$o\$" "$mlog" ||
			sks_fail "DKMS's make.log does not compile module/$o"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || sks_fail "no module source in /usr/src/skbstamp-$ver"
	[ -f "$ko" ] || sks_fail "DKMS installed no $ko"
	[ "$(stat -c %Y "$ko")" -ge "$start" ] || sks_fail "$ko is older than this case"
	echo "DKMS compiled $n source files and installed $ko"
fi
found=$(modinfo -n skbstamp 2>&1) || true
[ "$found" = "$ko" ] || sks_fail "modprobe finds '$found', not $ko"
modinfo -F vermagic "$ko" | grep -q "^$abi " || sks_fail "$ko is not built for $abi"
modinfo -F version "$ko" | grep -qx "$ver" || sks_fail "$ko is not version $ver"
id=$(readelf -n "$ko" | sed -n 's/^ *Build ID: *//p')
[ -n "$id" ] || sks_fail "$ko has no build ID"

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
# The module the service loaded is the file DKMS just installed: the
# kernel keeps the module's build ID note (a hash of the linked module).
note=/sys/module/skbstamp/notes/.note.gnu.build-id
[ -r "$note" ] || sks_fail "the loaded module has no $note"
hex=$(od -An -tx1 -v "$note" | tr -d ' \n')
[[ $hex == *"$id"* ]] ||
	sks_fail "the loaded module's build ID is not that of $ko ($id)"
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
# The module DKMS did not install (host) is not DKMS's to remove.
[ "$how" = guest ] || rm "$ko"
left=""
for f in /usr/sbin/skbstamp /etc/skbstamp.conf "$unit" /usr/lib/skbstamp \
	/usr/share/man/man8/skbstamp.8.gz /usr/share/bash-completion/completions/skbstamp \
	"/usr/src/skbstamp-$ver" /var/lib/dkms/skbstamp "$ko"; do
	[ -e "$f" ] && left="$left $f"
done
[ -z "$left" ] || sks_fail "purge left:$left"
! dpkg -l skbstamp skbstamp-dkms 2>/dev/null | grep -q '^[a-z][a-z] *skbstamp' ||
	sks_fail "dpkg still lists a package"
