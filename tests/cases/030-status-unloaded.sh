# Without the module, 'skbstamp status' says so and exits 3, in text and
# JSON mode alike; usage errors exit 1.

! sks_loaded || sks_fail "module unexpectedly loaded"
for args in "status" "--json status"; do
	# shellcheck disable=SC2086
	sks_tool $args
	sks_eq "$sks_rc" 3 "exit code of '$args' without the module"
	grep -q 'module is not loaded' "$SKS_TMP/err" || sks_fail "'$args': no clear message: $(cat "$SKS_TMP/err")"
	[ ! -s "$SKS_TMP/out" ] || sks_fail "'$args' printed on stdout: $(cat "$SKS_TMP/out")"
done
sks_tool no-such-command
sks_eq "$sks_rc" 1 "exit code of an unknown command"
sks_tool status extra-argument
sks_eq "$sks_rc" 1 "exit code of status with an argument"
sks_tool --help
sks_eq "$sks_rc" 0 "exit code of --help"
grep -q '^  status' "$SKS_TMP/out" || sks_fail "--help does not list status"
