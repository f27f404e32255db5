# The module loads, registers its generic netlink family, says so in the
# kernel log, and unloads leaving no family behind; repeatedly.

want_ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SKS_TOP/dkms.conf")

for i in 1 2 3 4 5; do
	sks_load
	sks_eq "$(cat /sys/module/skbstamp/version)" "$want_ver" "sysfs version (round $i)"
	sks_tool status
	sks_eq "$sks_rc" 0 "status exit code with the module loaded (round $i)"
	sks_unload
	sks_tool status
	sks_eq "$sks_rc" 3 "status exit code after unload (round $i)"
done
dmesg | grep -q "skbstamp: version $want_ver loaded" ||
	sks_fail "no load message with pr_fmt prefix in the kernel log"
dmesg | grep -q "skbstamp: unloaded" || sks_fail "no unload message in the kernel log"
