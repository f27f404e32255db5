# TCP over veth between two namespaces: every send call has a sendmsg
# record, and every skb it produced has sched, sw and ack records, in that
# order, with keys that follow the sequence numbers and lengths that add up
# to the bytes sent.  Then a 256 KiB send: one record set per skb the stack
# actually transmitted (counted independently with the net_dev_xmit
# tracepoint).

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_netns_pair

run_tcp()
{
	local port=$1
	shift
	ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 "$port" \
		--ready-file "$SKS_TMP/ready.$port" >"$SKS_TMP/server.$port" &
	local srv=$!
	sks_wait_file "$SKS_TMP/ready.$port"
	ip netns exec a "$SKS_TRAFFIC" tcp-client 10.0.0.2 "$port" "$@" \
		>"$SKS_TMP/client.$port" || sks_fail "client failed"
	wait $srv || sks_fail "server failed"
}

sks_monitor_start "$SKS_TMP/rec.json" --json
run_tcp 5001 sizes 100,1000,1448,5000,333 gap-us 20000 nodelay
sks_monitor_stop
sks_python "$SKS_TOP/tests/guest/txcheck.py" tcp "$SKS_TMP/rec.json" "$SKS_TMP/client.5001" 5001

# Count the data packets va really transmits for the bulk send.
tr=/sys/kernel/tracing
# Data packets: longer than a bare ACK or FIN (66 bytes) or the SYN with its
# options (74 bytes).  (A final skb of at most 8 bytes would be missed and
# show as one record set too many: the send size makes that unlikely.)
echo 'len > 74' >$tr/events/net/net_dev_xmit/filter
echo 1 >$tr/events/net/net_dev_xmit/enable
echo >$tr/trace
sks_monitor_start "$SKS_TMP/bulk.json" --json
run_tcp 5002 size 262144
sks_monitor_stop
echo 0 >$tr/events/net/net_dev_xmit/enable
segs=$(grep -c 'dev=va ' $tr/trace || true)
echo "net_dev_xmit saw $segs data skbs on va"
[ "$segs" -gt 1 ] || sks_fail "the 256 KiB send went out as $segs skbs"
sks_python "$SKS_TOP/tests/guest/txcheck.py" tcp "$SKS_TMP/bulk.json" "$SKS_TMP/client.5002" 5002 \
	--segments "$segs"
