# GRO over veth: with segmentation off on the sender (va) and GRO on the
# receiver (vb, which puts veth in NAPI mode; 5.13 on), a TCP burst arrives
# as MTU-sized segments that GRO merges.  Every segment is in the timeline:
# read itself, or a merge record naming the packet it went into, which is
# read; the segments' lengths add up to what was sent.  TCP coalescing at
# the socket (a slow reader) is reported the same way.  The reader runs on
# another CPU than the sender (whose CPU runs veth's NAPI poll and
# allocated the skbs): TCP then hands the free of what it read back to
# that CPU, late, and segments GRO chained to a head's frag_list, freed
# only with it, must still have their merge recorded by the end.  A UDP
# receiver with UDP_GRO gets datagrams GRO merged as one (UDP GRO): they
# are accounted for the same way.

pin_rd=() pin_wr=()
if [ "$(nproc)" -ge 2 ]; then
	pin_rd=(taskset -c 1) pin_wr=(taskset -c 0)
fi
sks_load
sks_netns_pair
ip netns exec a ethtool -K va tso off gso off >/dev/null 2>&1 || sks_skip "ethtool -K va failed"
# UDP GSO sends too are cut into datagrams on va, not carried whole.
ip netns exec a ethtool -K va tx-udp-segmentation off >/dev/null 2>&1 || true
ip netns exec b ethtool -K vb gro on >/dev/null 2>&1 || sks_skip "ethtool -K vb gro on failed"
# Without NAPI (veth before 5.13 needs XDP for it) veth does no GRO,
# whatever ethtool says (5.10 shows it on): see whether what vb receives
# goes through napi_gro_receive.
if ! ip netns exec b ethtool -k vb | grep -q '^generic-receive-offload: on'; then
	sks_skip "veth GRO not available on this kernel"
fi
ev=/sys/kernel/tracing/events/net/napi_gro_receive_entry
if [ -d $ev ]; then
	echo 'name == "vb"' >$ev/filter
	echo 1 >$ev/enable
	echo >/sys/kernel/tracing/trace
	# One datagram a -> b (no one listens; it reaches vb all the same).
	ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 7300 size 10 count 1 quiet-ms 1 \
		>/dev/null 2>&1 || true
	sks_sleep 0.2
	echo 0 >$ev/enable
	echo 0 >$ev/filter
	grep -q napi_gro_receive_entry /sys/kernel/tracing/trace ||
		sks_skip "veth does no GRO on this kernel (no NAPI without XDP)"
fi
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json

for port in 7301 7302; do
	ip netns exec b "${pin_rd[@]}" "$SKS_TRAFFIC" tcp-server 10.0.0.2 $port \
		--ready-file "$SKS_TMP/r.$port" >/dev/null &
	srv=$!
	sks_wait_file "$SKS_TMP/r.$port"
	ip netns exec a "${pin_wr[@]}" "$SKS_TRAFFIC" tcp-client 10.0.0.2 $port size 200000 quiet-ms 1 \
		>/dev/null || sks_fail "tcp client failed"
	wait $srv || sks_fail "tcp server failed"
done
# UDP GRO: a receiver with UDP_GRO gets datagrams GRO merged in one read.
# The sender's UDP GSO sends leave va as 20 datagrams each (segmentation
# off there: software GSO), back to back, for vb's NAPI poll to merge.
ip netns exec b "${pin_rd[@]}" "$SKS_TRAFFIC" udp-server 10.0.0.2 7303 count 40 gro \
	timeout 5000 --ready-file "$SKS_TMP/r.7303" >"$SKS_TMP/server.7303" &
srv=$!
sks_wait_file "$SKS_TMP/r.7303"
ip netns exec a "${pin_wr[@]}" "$SKS_TRAFFIC" udp-client 10.0.0.2 7303 sizes 20000,20000 \
	gso 1000 gap-us 20000 quiet-ms 1 >/dev/null || sks_fail "udp client failed"
wait $srv || sks_fail "udp server failed"
sks_file_has "$SKS_TMP/server.7303" '{"received":40,' ||
	sks_fail "the UDP GRO receiver did not get the 40 datagrams: $(<"$SKS_TMP/server.7303")"
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
"$SKS_TOOL" stop

sks_eq "$(sks_json "$SKS_TMP/st.json" 'j["counters"]["rx_evicted"]')" 0 "evicted entries"
reads=$(sed -n 's/.*"reads":\([0-9]*\).*/\1/p' "$SKS_TMP/server.7303")
echo "# UDP GRO: 40 datagrams in ${reads:-?} reads"
[ "${reads:-40}" -lt 40 ] || sks_fail "UDP GRO merged no datagrams: $(<"$SKS_TMP/server.7303")"
sks_check "$SKS_TMP" <<'PY' || sks_fail "UDP GRO"
from sksjson import check, done, records
rx = [r for r in records("rec.json") if "id" in r and r["dport"] == 7303]
ids = {r["id"] for r in rx}
merged = [r for r in rx if r["stage"] == "merge" and r["by"] == "gro"]
check(len(ids) == 40, "udp 7303: the 40 datagrams are 40 packets (%d)" % len(ids))
check(merged, "udp 7303: GRO merged datagrams (%d merge records)" % len(merged))
done()
PY
if ! sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" --merges gro \
	tcp:7301:200000:4 tcp:7302:200000:4 udp:7303:40000:4; then
	# Keep the records for a look from the host.
	[ -n "${SKS_OUT:-}" ] && cp "$SKS_TMP/rec.json" "$SKS_OUT/310-rec.json"
	sks_fail "receive records with GRO"
fi
