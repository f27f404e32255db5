# A TCP segment sent again while its first copy is still in the NIC: each
# copy keeps its own stages.  The test NIC holds frames of 618 bytes for
# 150 ms (tx_hold_len, tx_hold_us): that is the second segment of a
# 2000-byte send (1448 + 552 bytes of payload), cut by software GSO (the
# NIC has no TSO).  TCP sends an skb again only once the copy it sent
# before is out of the host, but GSO's segments are not that copy: the
# 3000-byte send 30 ms later reaches the peer, whose SACKs make TCP send
# the missing 552 bytes again (RACK) long before the first copy leaves
# the NIC; that copy is held too.  So the send's key has two copies in
# the host at once: the first one's txdone (150 ms after its sw) must be
# recorded as the first copy's, not the retransmission's, and the
# retransmission has its own sw, txdone and the one ACK (the module gives
# it a key of its own, the byte before, while its records keep the
# skb's).  Before, the first copy's txdone came out flagged retrans and
# the retransmission's was lost.

HOLD_US=150000
sks_testnic_pair
echo 618 >/sys/module/sks_testnic/parameters/tx_hold_len
echo $HOLD_US >/sys/module/sks_testnic/parameters/tx_hold_us
sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
sks_tcp_flow 10.9.0.2 7601 sizes 2000,3000 gap-us 30000 nodelay quiet-ms 300
echo 0 >/sys/module/sks_testnic/parameters/tx_hold_len
sks_wait_settled "$SKS_TMP/st.json"
sks_monitor_stop
"$SKS_TOOL" stop
held=$(ip netns exec a ethtool -S sksnic0a | sed -n 's/^ *tx_held: //p')
echo "# frames the NIC held: ${held:-none}"
[ "${held:-0}" -ge 2 ] || sks_fail "the NIC held ${held:-no} frames, not both copies"

sks_check "$SKS_TMP" "$HOLD_US" <<'PY' || sks_fail "records of a segment resent in flight"
import sys
from sksjson import check, done, load, tx_flow
hold = int(sys.argv[2]) * 1000
flow = tx_flow("rec.json", "tcp", 7601)
sends = [r for r in flow if r["stage"] == "sendmsg"]
check(len(sends) == 2, "two send calls (%d)" % len(sends))
# The first send's key: its last byte.
key = (sends[0]["tskey"] + sends[0]["len"] - 1) % 2**32
rs = [r for r in flow if r["tskey"] == key]
for r in rs:
    print("%-7s %12d%s" % (r["stage"], r["ts_ns"] - rs[0]["ts_ns"], " retrans" if r["retrans"] else ""))
sw = [r for r in rs if r["stage"] == "sw"]
txdone = [r for r in rs if r["stage"] == "txdone"]
check(len(sw) >= 2, "key %d: sent twice or more while held (%d sw)" % (key, len(sw)))
check(len(txdone) == len(sw), "a txdone per copy (%d of %d)" % (len(txdone), len(sw)))
check([r["retrans"] for r in sw] == [False] + [True] * (len(sw) - 1),
      "sw: the first copy's is not flagged retrans, the others' are")
check([r["retrans"] for r in txdone] == [False] + [True] * (len(txdone) - 1),
      "txdone: the first copy's is not flagged retrans, the others' are")
# The NIC releases frames in order, each after the hold.
for s, t in zip(sw, txdone):
    check(t["ts_ns"] - s["ts_ns"] >= hold - 2000000,
          "copy sent at +%d ms released %d ms later (held %d ms)"
          % ((s["ts_ns"] - sw[0]["ts_ns"]) // 10**6, (t["ts_ns"] - s["ts_ns"]) // 10**6,
             hold // 10**6))
check(sum(1 for r in rs if r["stage"] == "ack") == 1, "one ack for the key")
check(all(r["len"] == 552 for r in rs if r["retrans"]),
      "the retransmission is the 552 bytes held: %s" % sorted({r["len"] for r in rs if r["retrans"]}))
c = load("st.json")["counters"]
check(c["tags_pending"] == 0, "no entry left pending (%d)" % c["tags_pending"])
check(c["tags_evicted"] == 0, "no entry evicted (%d)" % c["tags_evicted"])
done()
PY
