# Start/stop and unload/load (6 cycles) while TCP and UDP traffic runs and a collector
# reads: no warning, no crash (panic_on_warn is on), tracing works after
# every cycle, and the traffic is not disturbed.

sks_netns_pair
ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 6300 --ready-file "$SKS_TMP/t" \
	>"$SKS_TMP/tcp.server" &
tsrv=$!
ip netns exec b "$SKS_TRAFFIC" udp-server fd00::2 6301 count 100000 timeout 60000 \
	--ready-file "$SKS_TMP/u" >/dev/null &
usrv=$!
sks_wait_file "$SKS_TMP/t"
sks_wait_file "$SKS_TMP/u"
# Traffic for the whole test: a TCP stream of many sends and UDP datagrams.
ip netns exec a "$SKS_TRAFFIC" tcp-client 10.0.0.2 6300 size 3000 count 4000 gap-us 2000 \
	quiet-ms 1 >"$SKS_TMP/tcp.client" &
tcli=$!
ip netns exec a "$SKS_TRAFFIC" udp-client fd00::2 6301 size 200 count 100000 gap-us 2000 \
	quiet-ms 1 >/dev/null &
ucli=$!

for i in $(seq 1 6); do
	sks_load
	sks_monitor_start "$SKS_TMP/mon.$i" --json
	for j in 1 2 3; do
		"$SKS_TOOL" start || sks_fail "start $i.$j"
		sks_sleep 0.2
		"$SKS_TOOL" stop || sks_fail "stop $i.$j"
	done
	"$SKS_TOOL" start || sks_fail "start $i"
	sks_sleep 0.2
	# Unload while tracing, with records in flight.
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || true
	rmmod skbstamp || sks_fail "rmmod while tracing, cycle $i"
	grep -q '"stage":"sched"' "$SKS_TMP/mon.$i" || sks_fail "cycle $i: no records"
done


kill $ucli $usrv 2>/dev/null
wait $tcli || sks_fail "the TCP sender failed: $(cat "$SKS_TMP/tcp.client")"
wait $tsrv || sks_fail "the TCP receiver failed"
sks_eq "$(sks_json "$SKS_TMP/tcp.server" 'j["received"]')" 12000000 "bytes received over TCP"
grep -q '"pollerr":false,"errqueue":\[\]' "$SKS_TMP/tcp.client" ||
	sks_fail "the TCP sender saw timestamps: $(cut -c1-300 "$SKS_TMP/tcp.client")"
