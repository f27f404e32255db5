# The module as DKMS built and installed it for this kernel (make check
# runs tests/lib/dkms-build.sh on the host: dkms add, build, install into a
# private tree) loads, reports the version of dkms.conf and the running
# kernel, starts in summary mode and unloads.

[ -n "${SKS_DKMS_KO:-}" ] || sks_skip "no DKMS-built module (run by make check)"
[ -f "$SKS_DKMS_KO" ] || sks_fail "$SKS_DKMS_KO missing"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SKS_TOP/dkms.conf")
insmod "$SKS_DKMS_KO" || sks_fail "insmod of the DKMS-built module failed"
sks_loaded || sks_fail "module not present after insmod"
"$SKS_TOOL" status | tee "$SKS_TMP/st"
grep -q "^module version: *$ver\$" "$SKS_TMP/st" || sks_fail "module version is not $ver"
grep -q "^kernel: *$(uname -r)\$" "$SKS_TMP/st" || sks_fail "kernel is not $(uname -r)"
"$SKS_TOOL" start mode summary || sks_fail "start mode summary failed"
"$SKS_TOOL" stop || sks_fail "stop failed"
sks_unload
