# Without CAP_NET_ADMIN every command is refused with EPERM (exit 2), and
# the records group cannot be joined, for root with the capabilities
# dropped and for an ordinary user alike.  (Debian's 5.10 guards the group
# with CAP_SYS_ADMIN instead, so root drops both.)

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
for who in "--bounding-set=-net_admin,-sys_admin" "--reuid=65534 --regid=65534 --clear-groups"; do
	for cmd in status start stop "set dport 1" stats hist reset "monitor duration 1"; do
		sks_rc=0
		# shellcheck disable=SC2086
		setpriv $who -- "$SKS_TOOL" $cmd >"$SKS_TMP/out" 2>"$SKS_TMP/err" || sks_rc=$?
		echo "setpriv $who skbstamp $cmd: exit $sks_rc: $(head -n1 "$SKS_TMP/err")"
		sks_eq "$sks_rc" 2 "exit code of '$cmd' with setpriv $who"
		grep -q 'Operation not permitted' "$SKS_TMP/err" ||
			sks_fail "no EPERM message for '$cmd' with setpriv $who"
		grep -q '"\|records\|samples' "$SKS_TMP/out" &&
			sks_fail "'$cmd' printed data with setpriv $who"
	done
done
# Nothing the refused commands asked for happened.
sks_tool --json status
grep -q '"state":"running"' "$SKS_TMP/out" || sks_fail "an unprivileged stop took effect"
grep -q '"dport"' "$SKS_TMP/out" && sks_fail "an unprivileged set took effect"
"$SKS_TOOL" stop || sks_fail "stop failed"
