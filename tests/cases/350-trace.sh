# Timeline pictures: TCP and UDP (IPv4 and IPv6) between two namespaces,
# and a datagram to a closed port (a drop), with transmit and receive
# stages.  One monitor writes the records as JSON lines and, live, a
# Chrome/Perfetto trace; a second one writes a trace only.  trace convert
# turns the records into a trace too, and tracecheck.py checks all three
# against the records: every record a stage of exactly one packet drawn,
# and of the packet its key or id names, nothing drawn that is not a
# record, each send call the start of its skb's slices, each packet in its
# socket's or CPU's process, slices consecutive per packet, no two packets
# at once on a thread, the format's fields, the drop as an instant with
# its reason, arrows from each sent skb to the same bytes received, the
# numbers each writer reported; the live traces hold what the conversion
# holds.  Then the errors: a missing file, input that is not records.

sks_load
sks_netns_pair
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json monitor trace "$SKS_TMP/live.json"
json_pid=$sks_monitor_pid
sks_monitor_start "$SKS_TMP/text.txt" monitor trace "$SKS_TMP/live2.json"
sks_udp_flow 10.0.0.2 7501 4 sizes 10,200,1400,1 gap-us 5000 quiet-ms 1
sks_udp_flow fd00::2 7502 3 sizes 20,1200,8 gap-us 5000 quiet-ms 1
sks_tcp_flow 10.0.0.2 7503 sizes 100,1000,5000,333 gap-us 20000 nodelay quiet-ms 1
ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 7509 size 100 count 1 quiet-ms 1 \
	>/dev/null 2>&1 || true
sks_wait_settled "$SKS_TMP/st.json"
sks_monitor_stop
sks_monitor_pid=$json_pid
sks_monitor_stop
"$SKS_TOOL" stop
cat "$SKS_TMP/rec.json.err" "$SKS_TMP/text.txt.err"

sks_tool trace convert "$SKS_TMP/rec.json" "$SKS_TMP/conv.json"
cat "$SKS_TMP/err"
sks_eq "$sks_rc" 0 "trace convert"
sks_python "$SKS_TOP/tests/guest/tracecheck.py" "$SKS_TMP/rec.json" "$SKS_TMP/conv.json" \
	"$SKS_TMP/live.json" "$SKS_TMP/live2.json" --arrows 7501,7502,7503 \
	--stderr "$SKS_TMP/err" "$SKS_TMP/rec.json.err" "$SKS_TMP/text.txt.err" || {
	cat "$SKS_TMP/rec.json"
	sks_fail "the traces do not show the records"
}

# Errors: the path and why, a line number, and no half-written output.
sks_tool trace convert "$SKS_TMP/none.jsonl" "$SKS_TMP/x.json"
sks_eq "$sks_rc" 2 "a missing input file"
sks_file_has "$SKS_TMP/err" "$SKS_TMP/none.jsonl: No such file or directory" ||
	sks_fail "missing file: $(<"$SKS_TMP/err")"
{ head -n 2 "$SKS_TMP/rec.json"; echo 'not json'; } >"$SKS_TMP/bad.jsonl"
sks_tool trace convert "$SKS_TMP/bad.jsonl" "$SKS_TMP/x.json"
sks_eq "$sks_rc" 1 "garbage input"
sks_file_has "$SKS_TMP/err" "bad.jsonl:3: not a JSON object" ||
	sks_fail "garbage: $(<"$SKS_TMP/err")"
[ ! -e "$SKS_TMP/x.json" ] || sks_fail "a half trace was left behind"
"$SKS_TOOL" --json status >"$SKS_TMP/status.jsonl"
sks_tool trace convert "$SKS_TMP/status.jsonl" "$SKS_TMP/x.json"
sks_eq "$sks_rc" 1 "records of the wrong kind"
sks_file_has "$SKS_TMP/err" 'status.jsonl:1: not a record of skbstamp --json monitor' ||
	sks_fail "wrong kind: $(<"$SKS_TMP/err")"
sks_tool monitor trace "$SKS_TMP/no/such/dir.json"
sks_eq "$sks_rc" 2 "monitor trace into a missing directory"
sks_file_has "$SKS_TMP/err" "$SKS_TMP/no/such/dir.json: No such file or directory" ||
	sks_fail "monitor trace: $(<"$SKS_TMP/err")"
