# UDP sends the stack splits: datagrams larger than the MTU leave as IP
# fragments (IPv4 and IPv6), and UDP_SEGMENT sends are cut into datagrams
# by software GSO (veth's UDP segmentation offload turned off).  Every
# piece the driver gets has its own records with the send's key, an
# offset and a length that tile the send exactly (splitcheck.py).

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_netns_pair
# Software GSO: the kernel cuts UDP_SEGMENT sends before veth.
ip netns exec a ethtool -K va tx-udp-segmentation off >/dev/null ||
	sks_fail "cannot turn off UDP segmentation offload on va"

sks_monitor_start "$SKS_TMP/rec.json" --json
# 1472 fits one IPv4 frame; 1473 needs a second fragment of one byte.
sks_udp_flow 10.0.0.2 6101 5 sizes 4000,1472,1473,9000,3000 gap-us 5000
sks_udp_flow fd00::2 6102 3 sizes 5000,1452,2000 gap-us 5000 connect
# 4000/1000: four datagrams; 2500/1000: 1000, 1000, 500.
sks_udp_flow 10.0.0.2 6103 7 sizes 4000,2500 gap-us 5000 connect gso 1000
sks_udp_flow fd00::2 6104 3 sizes 3000 gap-us 5000 connect gso 1200
sks_monitor_stop
sks_python "$SKS_TOP/tests/guest/splitcheck.py" fragment "$SKS_TMP/rec.json" \
	"$SKS_TMP/client.6101" 6101 --mtu 1500 --family 4 || sks_fail "IPv4 fragments"
sks_python "$SKS_TOP/tests/guest/splitcheck.py" fragment "$SKS_TMP/rec.json" \
	"$SKS_TMP/client.6102" 6102 --mtu 1500 --family 6 || sks_fail "IPv6 fragments"
sks_python "$SKS_TOP/tests/guest/splitcheck.py" segment "$SKS_TMP/rec.json" \
	"$SKS_TMP/client.6103" 6103 --gso 1000 || sks_fail "IPv4 UDP GSO segments"
sks_python "$SKS_TOP/tests/guest/splitcheck.py" segment "$SKS_TMP/rec.json" \
	"$SKS_TMP/client.6104" 6104 --gso 1200 || sks_fail "IPv6 UDP GSO segments"
# The server got every datagram it was sent, and every piece's entry
# ended before STOP: none abandoned.
grep -q '"received":7' "$SKS_TMP/server.6103" || sks_fail "server 6103: $(cat "$SKS_TMP/server.6103")"
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
grep -q '"tags_abandoned":0[,}]' "$SKS_TMP/st.json" ||
	sks_fail "tagged skbs abandoned at stop: $(cat "$SKS_TMP/st.json")"
