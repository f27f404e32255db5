# UDP over IPv4 and IPv6, connected and not: every datagram has sendmsg,
# sched, sw and txdone records, keys count the socket's datagrams from 0, and a
# datagram built from two MSG_MORE calls is one key.

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_netns_pair

sks_monitor_start "$SKS_TMP/rec.json" --json
sks_udp_flow 10.0.0.2 6001 5 sizes 10,200,1000,1400,64 gap-us 5000
sks_udp_flow fd00::2 6002 4 sizes 20,300,1200,8 gap-us 5000 connect
sks_udp_flow 10.0.0.2 6003 2 sizes 100,301 gap-us 5000 more connect
sks_monitor_stop
for port in 6001 6002 6003; do
	sks_python "$SKS_TOP/tests/guest/txcheck.py" udp "$SKS_TMP/rec.json" \
		"$SKS_TMP/client.$port" $port --stages sendmsg,sched,sw,txdone
done
# Transmit records only (they have "retrans"): port 6002 receives too.
fam6=$(grep '"dport":6002' "$SKS_TMP/rec.json" | grep '"retrans"' | grep -c '"family":6' || true)
[ "$fam6" -eq 16 ] || sks_fail "expected 16 IPv6 records to port 6002, got $fam6"
# Every tagged datagram reached its last stage (txdone) before STOP took
# the reporting hooks away: none is left abandoned.
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
grep -q '"tags_abandoned":0[,}]' "$SKS_TMP/st.json" ||
	sks_fail "tagged skbs abandoned at stop: $(cat "$SKS_TMP/st.json")"
