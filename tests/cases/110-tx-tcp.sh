# TCP over veth between two namespaces: every send call has a sendmsg
# record, and every skb it produced has sched, sw, txdone and ack records,
# in that order, with keys that follow the sequence numbers and lengths that add up
# to the bytes sent.  Then a 256 KiB send: one record set per skb the stack
# actually transmitted (counted independently with the net_dev_xmit
# tracepoint).

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_netns_pair


sks_monitor_start "$SKS_TMP/rec.json" --json
sks_tcp_flow 10.0.0.2 5001 sizes 100,1000,1448,5000,333 gap-us 20000 nodelay
sks_wait_settled "$SKS_TMP/st.json"
sks_monitor_stop
# txdone: veth releases the skb (to its peer) before the ACK comes back.
tx_stages=(--stages sendmsg,sched,sw,ack,txdone --order sendmsg,sched,sw,txdone)
# A host that stalls the guest can make TCP retransmit, here as below.
sks_python "$SKS_TOP/tests/guest/txcheck.py" tcp "$SKS_TMP/rec.json" "$SKS_TMP/client.5001" 5001 \
	--retrans-ok "${tx_stages[@]}"

# Count the data packets va really transmits for the bulk send.
tr=/sys/kernel/tracing
# Data packets: longer than a bare ACK or FIN (66 bytes) or the SYN with its
# options (74 bytes).  (A final skb of at most 8 bytes would be missed and
# show as one record set too many: the send size makes that unlikely.)
echo 'len > 74' >$tr/events/net/net_dev_xmit/filter
echo 1 >$tr/events/net/net_dev_xmit/enable
echo >$tr/trace
sks_monitor_start "$SKS_TMP/bulk.json" --json
sks_tcp_flow 10.0.0.2 5002 size 262144
sks_wait_settled "$SKS_TMP/st.json"
sks_monitor_stop
echo 0 >$tr/events/net/net_dev_xmit/enable
segs=$(grep -c 'dev=va ' $tr/trace || true)
echo "net_dev_xmit saw $segs data skbs on va"
[ "$segs" -gt 1 ] || sks_fail "the 256 KiB send went out as $segs skbs"
sks_python "$SKS_TOP/tests/guest/txcheck.py" tcp "$SKS_TMP/bulk.json" "$SKS_TMP/client.5002" 5002 \
	--segments "$segs" --retrans-ok "${tx_stages[@]}"

# Software GSO: with TSO off, the stack cuts each large skb into segments
# before the driver.  Each segment the driver gets has its own sw and
# txdone records (marked segment unless it carries the skb's own key),
# and together they cover every byte once; sched and ack stay per skb.
ip netns exec a ethtool -K va tso off gso on >/dev/null ||
	sks_fail "cannot switch TSO off on veth"
echo >$tr/trace
echo 1 >$tr/events/net/net_dev_xmit/enable
sks_monitor_start "$SKS_TMP/gso.json" --json
sks_tcp_flow 10.0.0.2 5003 size 262144
sks_wait_settled "$SKS_TMP/st.json"
sks_monitor_stop
echo 0 >$tr/events/net/net_dev_xmit/enable
echo 0 >$tr/events/net/net_dev_xmit/filter
segs=$(grep -c 'dev=va ' $tr/trace || true)
echo "net_dev_xmit saw $segs data segments on va with TSO off"
sks_check "$SKS_TMP" "$segs" <<'PY' || sks_fail "GSO segment checks failed"
import sys
from sksjson import check, done, records
segs = int(sys.argv[2])
# Transmit records (they carry "retrans"; b's receive records of the
# segments have the same dport).
allrec = [r for r in records("gso.json")
          if r["dport"] == 5003 and r["stage"] != "sendmsg" and "retrans" in r]
# A host that stalls the guest can make TCP retransmit: the driver sees
# those segments again, with sw records of their own marked retrans.
retx_sw = sum(1 for r in allrec if r["retrans"] and r["stage"] == "sw")
flow = [r for r in allrec if not r["retrans"]]
by = {}
for r in flow:
    by.setdefault(r["tskey"], {}).setdefault(r["stage"], []).append(r)
sw = {k: v["sw"] for k, v in by.items() if "sw" in v}
retx_keys = {r["tskey"] for r in allrec if r["retrans"]}
# TCP sends an skb again only once the clone it sent before is freed, but
# software GSO frees that clone when it cuts it: a segment still on its way
# (here: not yet taken by b's stack, on a stalled guest) when TCP sends the
# skb again has the same key as the new send's segment, and its txdone can
# come marked retrans, or not at all (docs/design.md, "Transmit stages").  The
# stages of a key sent again are those of all its sends (which may have
# sent an skb ending there: sched, ack).
allby = {}
for r in allrec:
    allby.setdefault(r["tskey"], set()).add(r["stage"])
def stages(k):
    return allby[k] if k in retx_keys else set(by[k])
def seg_ok(k):
    return stages(k) >= {"sw", "txdone"} if k in retx_keys else stages(k) == {"sw", "txdone"}
check(all(len(v) == 1 for v in sw.values()), "one sw record per key")
check(len(sw) + retx_sw == segs, "%d keys with a sw record and %d retransmitted, the driver got %d segments"
      % (len(sw), retx_sw, segs))
check(sum(v[0]["len"] for v in sw.values()) == 262144, "sw records cover the 262144 bytes once")
cut = [k for k, v in by.items() if any(r["segment"] for rs in v.values() for r in rs)]
check(len(cut) > 0, "software GSO produced segment records")
bad = [k for k in cut if not seg_ok(k)]
for k in bad[:5]:
    print("segment key %d: %s" % (k, [(r["stage"], r["retrans"], r["len"])
                                     for r in allrec if r["tskey"] == k]))
check(not bad, "segments have sw and txdone only (%d keys sent again)" % len(retx_keys))
whole = [k for k in by if k not in cut]
check(len(whole) > 0, "TCP built skbs of its own (%d)" % len(whole))
check(len(cut) == len(sw) - len(whole),
      "every skb and segment has its sw record: %d segments, %d keys with sw, %d skbs"
      % (len(cut), len(sw), len(whole)))
check(sum(by[k]["sched"][0]["len"] for k in whole if "sched" in by[k]) == 262144,
      "the skbs' sched records cover the 262144 bytes once")
acks = [r for r in flow if r["stage"] == "ack"]
check(len(acks) == len([k for k in whole if k not in retx_keys]),
      "one ack record per skb not retransmitted (%d acks, %d skbs, %d retransmitted)"
      % (len(acks), len(whole), len([k for k in whole if k in retx_keys])))
# A retransmitted skb's ACK comes with its retransmission's records.
check(all(stages(k) >= {"sched", "sw", "txdone"} and ("ack" in by[k] or k in retx_keys)
          for k in whole), "the skbs TCP built keep sched and ack")
check(all(by[k]["txdone"][0]["len"] == by[k]["sw"][0]["len"]
          for k in by if "sw" in by[k] and "txdone" in by[k]),
      "txdone covers what sw covers")
check(all(by[k]["sched"][0]["len"] >= by[k]["sw"][0]["len"] for k in whole),
      "sched covers the whole skb, sw its last segment")
done()
PY
