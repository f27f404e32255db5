# Receive through tests/testnic's PTP-capable NIC pair: with receive
# stamping on (hwstamp_ctl -r 1), every packet has an rx_hw record whose
# hw_ns is the mock PHC's time of arrival (CLOCK_MONOTONIC_RAW + 10^18),
# and an irq record (the driver scheduling its NAPI poll) no later than
# napi.  The NIC's NAPI poll uses napi_gro_receive(), so a TCP burst is
# merged by GRO (with the heads stolen, which 5.10 frees in a static
# function: the merge ends at the napi_gro_receive_exit tracepoint there):
# every segment is still accounted for.

sks_testnic_pair
ip netns exec b hwstamp_ctl -i sksnic0b -r 1 >/dev/null || sks_fail "hwstamp_ctl -r 1 failed"
sks_load
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"

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
