# Receive through tests/testnic's PTP-capable NIC pair: with receive
# stamping on (hwstamp_ctl -r 1), every packet has an rx_hw record whose
# hw_ns is the mock PHC's time of arrival (CLOCK_MONOTONIC_RAW + 10^18),
# and an irq record (the driver scheduling its NAPI poll) no later than
# napi.  The NIC's NAPI poll uses napi_gro_receive(), so a TCP burst is
# merged by GRO (with the heads stolen, which 5.10 frees in a static
# function: the merge ends at the napi_gro_receive_exit tracepoint there):
# every segment is still accounted for.
#
# The sending end stamps in hardware too (hwstamp_ctl -t 1, stage hw), and
# the cable takes WIRE_NS (the test NIC's wire_ns: its RX stamps are the
# time the frame left plus that), so that `skbstamp join` of the two
# ends' records, with the NICs' clock ("clock":"hw"), must find each
# datagram's delay, its rx_hw stamp minus its hw stamp, to be exactly
# WIRE_NS.

WIRE_NS=1234567
sks_testnic_pair
echo "$WIRE_NS" >/sys/module/sks_testnic/parameters/wire_ns
ip netns exec b hwstamp_ctl -i sksnic0b -r 1 >/dev/null || sks_fail "hwstamp_ctl -r 1 failed"
ip netns exec a hwstamp_ctl -i sksnic0a -t 1 >/dev/null || sks_fail "hwstamp_ctl -t 1 failed"
sks_load
"$SKS_TOOL" start stages tx,rx,hw || sks_fail "start failed"

t0=$(sks_raw_ns)
sks_monitor_start "$SKS_TMP/rec.json" --json
sks_udp_flow 10.9.0.2 7501 5 sizes 50,500,1000,1400,8 gap-us 5000 quiet-ms 1
sks_tcp_flow 10.9.0.2 7502 size 100000 quiet-ms 1
sks_monitor_stop
t1=$(sks_raw_ns)
"$SKS_TOOL" stop

st=rx_hw,irq,napi,netif,ip,l4,sockq,read
flows="udp:7501:2958:4 tcp:7502:100000:4"
merges="--merges gro"
tcp=1
# shellcheck disable=SC2086
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" --stages $st \
	$merges $flows || sks_fail "receive records through the test NIC"
sks_check "$SKS_TMP" "$t0" "$t1" "$tcp" <<'PY' || sks_fail "rx_hw stamps"
import sys
from sksjson import check, done, records
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
rx = [r for r in records("rec.json") if "id" in r and r["dport"] in (7501, 7502)]
# The 5 datagrams: one packet each, every one stamped by the NIC.
for stage in ("napi", "rx_hw"):
    n = sum(1 for r in rx if r["dport"] == 7501 and r["stage"] == stage)
    check(n == 5, "udp 7501: %d %s records, 5 datagrams" % (n, stage))
if sys.argv[4] == "1":
    # 100000 bytes in segments of at most 1448: 70 packets, each seen at napi.
    n = sum(1 for r in rx if r["dport"] == 7502 and r["stage"] == "napi")
    check(n >= 60, "tcp 7502: %d napi records, at least 60" % n)
hw = [r for r in rx if r["stage"] == "rx_hw"]
napi = {r["id"]: r for r in rx if r["stage"] == "napi"}
check(len(hw) == len(napi) > 5, "an rx_hw record per packet (%d of %d)" % (len(hw), len(napi)))
check(all(t0 <= r["hw_ns"] - 10**18 <= t1 for r in hw), "rx_hw carries the PHC's time of arrival")
irq = [r for r in rx if r["stage"] == "irq"]
check(all(r["ts_ns"] <= napi[r["id"]]["ts_ns"] for r in irq), "irq comes before napi")
merged = [r for r in rx if r["stage"] == "merge"]
print("%d packets, %d merged by GRO" % (len(napi), len(merged)))
done()
PY

# join with the NICs' clock: a's transmit records, b's receive records.
sks_check "$SKS_TMP" <<'PY' || sks_fail "splitting the capture by host"
import json
from sksjson import check, done, records, tmp
recs = records("rec.json")
tx = [r for r in recs if "id" not in r and r.get("saddr") == "10.9.0.1"]
rx = [r for r in recs if "id" in r and r.get("daddr") == "10.9.0.2"]
check(any(r["stage"] == "hw" for r in tx), "a's file has hw records")
for name, rs in (("a.jsonl", tx), ("b.jsonl", rx)):
    with open("%s/%s" % (tmp, name), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rs)
done()
PY
"$SKS_TOOL" --json join "$SKS_TMP/a.jsonl" "$SKS_TMP/b.jsonl" flow dport 7501 \
	>"$SKS_TMP/j.json" || sks_fail "join (clock hw): exit $?"
sks_check "$SKS_TMP" "$WIRE_NS" <<'PY' || sks_fail "join with the NICs' clock"
import json, sys
from sksjson import check, done, records, tmp
recs = records("rec.json")
def stamps(stage, rx):
    return {r["len"]: r["hw_ns"] for r in recs if r["stage"] == stage and
            ("id" in r) == rx and r["dport"] == 7501}
hw, rx_hw = stamps("hw", False), stamps("rx_hw", True)
out = [json.loads(l) for l in open("%s/j.json" % tmp)]
off = [o for o in out if o["type"] == "offset"]
check(len(off) == 1 and off[0]["clock"] == "hw", "join uses the NICs' clock: %s" % off)
pk = [o for o in out if o["type"] == "packet"]
check(sorted(p["len"] for p in pk) == [8, 50, 500, 1000, 1400],
      "the 5 datagrams joined: %s" % sorted(p["len"] for p in pk))
for p in pk:
    check(p["tx_stage"] == "hw" and p["rx_stage"] == "rx_hw",
          "len %d: hw to rx_hw, not %s to %s" % (p["len"], p["tx_stage"], p["rx_stage"]))
    check(p["tx_ns"] == hw.get(p["len"]) and p["rx_ns"] == rx_hw.get(p["len"]),
          "len %d: the two NIC stamps of the datagram" % p["len"])
    check(p["delay_ns"] == p["rx_ns"] - p["tx_ns"] == int(sys.argv[2]),
          "len %d: delay %d ns, rx_hw - hw: the wire's" % (p["len"], p["delay_ns"]))
print("hw delays (ns):", sorted(p["delay_ns"] for p in pk))
done()
PY

# nic_run PARAM NAME UDP-PORT TCP-PORT TCP-BYTES: a run with the test NIC's
# module parameter PARAM set (how it hands packets over), the same
# datagrams as above and a TCP transfer; records in NAME.json, status in
# NAME-st.json, and in $n the packets the NIC counted in PARAM_packets.
nic_run()
{
	echo 1 >"/sys/module/sks_testnic/parameters/$1"
	"$SKS_TOOL" start stages tx,rx,hw || sks_fail "start failed"
	sks_monitor_start "$SKS_TMP/$2.json" --json
	sks_udp_flow 10.9.0.2 "$3" 5 sizes 50,500,1000,1400,8 gap-us 5000 quiet-ms 1
	sks_tcp_flow 10.9.0.2 "$4" size "$5" quiet-ms 1
	sks_monitor_stop
	"$SKS_TOOL" --json status >"$SKS_TMP/$2-st.json"
	"$SKS_TOOL" stop
	echo 0 >"/sys/module/sks_testnic/parameters/$1"
	n=$(ip netns exec b ethtool -S sksnic0b | sed -n "s/^ *$1_packets: //p")
	echo "# $1: ${n:-no} packets"
	sks_eq "$(sks_json "$SKS_TMP/$2-st.json" 'j["counters"]["rx_evicted"]')" 0 "evicted entries"
}

# The same NIC handing each poll's packets over as one list
# (netif_receive_skb_list(), as drivers that batch do): every packet still
# has its napi record, and its rx_hw stamp (no irq: the list names no
# NAPI instance, and no GRO).
nic_run rx_list list 7511 7512 20000
[ "${n:-0}" -gt 5 ] || sks_fail "the NIC delivered ${n:-no} packets as lists"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/list.json" \
	--stages rx_hw,napi,netif,ip,l4,sockq,read udp:7511:2958:4 tcp:7512:20000:4 ||
	sks_fail "receive records of packets delivered in lists"

# The same NIC receiving into pages (napi_gro_frags(), the napi stage at
# its entry tracepoint): every packet has napi and rx_hw, and the TCP
# burst's segments that GRO merged, whose skbs it gives back to the
# driver for the next frame instead of freeing them, end as merged.
nic_run rx_frags frags 7521 7522 100000
[ "${n:-0}" -gt 60 ] || sks_fail "the NIC delivered ${n:-no} packets from pages"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/frags.json" --merges gro \
	--stages rx_hw,napi,netif,ip,l4,sockq,read udp:7521:2958:4 tcp:7522:100000:4 ||
	sks_fail "receive records of packets delivered from pages"
