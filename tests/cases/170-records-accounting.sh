# Nothing is lost silently.  With a tiny per-CPU buffer and the collector
# stopped (SIGSTOP) while 3000 records are produced, records are lost, and
# every one is accounted for: after STOP, generated = delivered +
# dropped_full + dropped_send exactly, nothing stays buffered, the
# collector received exactly the delivered records, and it reported the
# loss (batch gaps or its own overflow) on stderr.

sks_load
sks_netns_pair
"$SKS_TOOL" start stages sendmsg,sched,sw buffer 64 || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json monitor rcvbuf 8192
# A small receive buffer, and no reading: netlink must refuse batches.
kill -STOP "$sks_monitor_pid"


ip netns exec b "$SKS_TRAFFIC" udp-server 10.0.0.2 6200 count 1000 timeout 3000 \
	--ready-file "$SKS_TMP/r" >/dev/null &
srv=$!
sks_wait_file "$SKS_TMP/r"
ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 6200 size 16 count 1000 quiet-ms 1 >/dev/null
wait $srv || true

# Running: every record is somewhere.
"$SKS_TOOL" --json status >"$SKS_TMP/run.json"
cat "$SKS_TMP/run.json"
kill -CONT "$sks_monitor_pid"
"$SKS_TOOL" stop
# The collector reads what reached its socket, then exits.
kill -INT "$sks_monitor_pid"
wait "$sks_monitor_pid" || sks_fail "the monitor failed"
cat "$SKS_TMP/rec.json.err"

"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
cat "$SKS_TMP/st.json"
{ read -r gen; read -r del; read -r full; read -r send; read -r buffered; } < <(sks_json \
	"$SKS_TMP/st.json" "j['counters']['generated']" "j['counters']['delivered']" \
	"j['counters']['dropped_full']" "j['counters']['dropped_send']" \
	"j['counters']['buffered']")
sks_eq "$gen" 3000 "records generated for 1000 datagrams x 3 stages"
sks_eq "$((del + full + send))" "$gen" "delivered + dropped"
sks_eq "$buffered" 0 "records buffered after stop"
[ "$((full + send))" -gt 0 ] || sks_fail "nothing was dropped: the test did not overload"
got=$(grep -c '^{' "$SKS_TMP/rec.json" || true)
sks_eq "$got" "$del" "records the collector received"
grep -q "$got records received" "$SKS_TMP/rec.json.err" || sks_fail "the monitor's count is wrong"
grep -q "the module dropped $((full + send)) records (" "$SKS_TMP/rec.json.err" ||
	sks_fail "the monitor did not report the module's drops"
grep -q 'receive buffer overflow' "$SKS_TMP/rec.json.err" ||
	sks_fail "the monitor did not report its socket's overflow"
