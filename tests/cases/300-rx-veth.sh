# Receive path over veth between two namespaces, TCP and UDP, IPv4 and
# IPv6, with the default stages: every packet the receiver got has napi,
# netif, ip, l4, sockq and read, in that order, under one id; read by the
# receiving process, on its socket; the packets' lengths add up to what was
# sent.  Then transmit and receive records of one TCP flow match: each
# segment's receive tskey is the sequence number of a byte the sender
# reported.  A reader that splices the data to a pipe instead of copying
# it has its read records too, and so has one that maps the data into its
# memory (TCP_ZEROCOPY_RECEIVE), whose packets are read when TCP frees
# them: an MTU of 8244 makes TCP's segments 8192 bytes (two pages), and
# the sender's MSG_ZEROCOPY sends from page-aligned data, so that the
# receiver gets whole pages the kernel can map.

sks_load
# For the record: the functions this kernel does not let skbstamp hook.
dmesg | grep -E 'skbstamp: .*(cannot be hooked|not found|unavailable)' || true
sks_netns_pair
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
sks_rx_flows 10.0.0 fd00 7000
# A reader that takes the data out with splice() to a pipe, not recv().
sks_tcp_server_args=splice sks_tcp_flow 10.0.0.2 7005 sizes 100,1000,1448,5000,333 \
	gap-us 20000 nodelay quiet-ms 1
ip -n a link set va mtu 8244 && ip -n b link set vb mtu 8244 ||
	sks_fail "cannot set the MTU to 8244"
sks_tcp_server_args=zerocopy sks_tcp_flow 10.0.0.2 7006 sizes 65536,65536,65536,65536 \
	gap-us 20000 zerocopy quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
"$SKS_TOOL" stop

sks_rx_flows_check "$SKS_TMP/rec.json" 7000 || sks_fail "receive records"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" tcp:7005:7881:4 ||
	sks_fail "receive records of a splicing reader"
cat "$SKS_TMP/server.7006"
mapped=$(sed -n 's/^{"mapped":\([0-9]*\)}$/\1/p' "$SKS_TMP/server.7006")
[ "${mapped:-0}" -ge 131072 ] ||
	sks_fail "the zero-copy reader mapped ${mapped:-no} bytes of 262144, not half"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" tcp:7006:262144:4 ||
	sks_fail "receive records of a zero-copy reader"

sks_check "$SKS_TMP" <<'PY' || sks_fail "tx/rx matching"
from sksjson import check, done, load, records
recs = records("rec.json")
tx = [r for r in recs if "retrans" in r and r["dport"] == 7003 and r["stage"] == "sw"]
rx = [r for r in recs if "id" in r and r["dport"] == 7003 and r["stage"] == "l4"]
check(tx and rx, "transmit and receive records of port 7003")
txkeys = {r["tskey"] for r in tx}
check(all(r["tskey"] in txkeys for r in rx),
      "every received segment's tskey is one the sender stamped (%d segments)" % len(rx))
check(sum(r["len"] for r in rx) == sum(r["len"] for r in tx), "same bytes both ways")
c = load("st.json")["counters"]
check(c["rx_evicted"] == 0, "no receive tracking entry evicted")
done()
PY
