# IPv6 extension headers and IP fragments on receive.  Datagrams and a
# TCP stream whose every IPv6 packet carries a destination options header
# (tc on the receiver counts them) are tracked like any other: napi to
# read, one id each, their lengths adding up to what was sent.  UDP
# datagrams larger than the MTU arrive as IPv4 and IPv6 fragments: no
# fragment is a packet of its own (its payload is not a datagram); the
# datagram IP reassembles from them is, from l4, the first stage that
# sees it whole, to read, with its whole length.

sks_load
sks_netns_pair
ip netns exec b tc qdisc add dev vb clsact || sks_fail "no clsact qdisc"
ip netns exec b tc filter add dev vb ingress protocol ipv6 prio 1 u32 \
	match ip6 protocol 60 0xff action ok ||
	sks_fail "no u32 classifier or gact"
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
sks_udp_flow fd00::2 7501 4 sizes 20,300,1200,8 gap-us 5000 quiet-ms 1 dstopts
sks_tcp_flow fd00::2 7502 sizes 100,1000,1400,5000,333 gap-us 20000 nodelay quiet-ms 1 dstopts
sks_udp_flow 10.0.0.2 7503 3 sizes 3000,1600,5000 gap-us 5000 quiet-ms 1
sks_udp_flow fd00::2 7504 3 sizes 3000,1600,5000 gap-us 5000 quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
"$SKS_TOOL" stop

ip netns exec b tc -s filter show dev vb ingress >"$SKS_TMP/tc.txt" ||
	sks_fail "tc -s filter show failed"
# Four datagrams and at least the stream's handshake and data segments.
n=$(sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' "$SKS_TMP/tc.txt" | head -n 1)
[ "${n:-0}" -ge 9 ] || sks_fail "only ${n:-no} packets with a destination options header: $(<"$SKS_TMP/tc.txt")"
echo "# $n packets carried a destination options header"

sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" \
	udp:7501:1528:6 tcp:7502:7833:6 || sks_fail "receive records with extension headers"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" --stages l4,sockq,read \
	udp:7503:9600:4 udp:7504:9600:6 || sks_fail "receive records of reassembled datagrams"
sks_check "$SKS_TMP" <<'PY' || sks_fail "reassembled datagrams"
from sksjson import check, done, load, records
ORDER = ["rx_hw", "irq", "napi", "netif", "ip", "l4", "sockq", "read"]
recs = [r for r in records("rec.json") if "id" in r and r["dport"] in (7503, 7504)]
# Each packet's earliest stage (the CPUs' records come out interleaved).
first = {}
for r in recs:
    f = first.get(r["id"])
    if r["stage"] in ORDER and (not f or ORDER.index(r["stage"]) < ORDER.index(f["stage"])):
        first[r["id"]] = r
# Each datagram is one packet, first seen whole at l4.
check(sorted(r["len"] for r in first.values() if r["dport"] == 7503) == [1600, 3000, 5000],
      "IPv4: three packets of the datagrams' lengths")
check(sorted(r["len"] for r in first.values() if r["dport"] == 7504) == [1600, 3000, 5000],
      "IPv6: three packets of the datagrams' lengths")
check(all(r["stage"] == "l4" for r in first.values()),
      "each first seen at l4 (%s)" % ", ".join("%d:%s@%s" % (r["dport"], r["len"], r["stage"])
                                               for r in first.values()))
c = load("st.json")["counters"]
check(c["rx_evicted"] == 0, "no receive tracking entry evicted")
done()
PY
