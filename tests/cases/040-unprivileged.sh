# Without CAP_NET_ADMIN every command is refused with EPERM (exit 2), for
# root with the capability dropped and for an ordinary user alike.

sks_load
for who in "--bounding-set=-net_admin" "--reuid=65534 --regid=65534 --clear-groups"; do
	sks_rc=0
	# shellcheck disable=SC2086
	setpriv $who -- "$SKS_TOOL" status >"$SKS_TMP/out" 2>"$SKS_TMP/err" || sks_rc=$?
	cat "$SKS_TMP/err"
	sks_eq "$sks_rc" 2 "status exit code with setpriv $who"
	grep -q 'Operation not permitted' "$SKS_TMP/err" || sks_fail "no EPERM message with setpriv $who"
	[ ! -s "$SKS_TMP/out" ] || sks_fail "unprivileged status printed data"
done
