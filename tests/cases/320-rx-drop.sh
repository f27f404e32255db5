# Drops: a UDP datagram to a closed port and one dropped by a tc filter on
# the receiver's ingress each give exactly one drop record, naming where
# (the freeing function) and, on kernels with drop reasons (5.17 on), why.
# Nothing else of theirs is read.  The tc-dropped datagram never reaches
# IP, and tc's own counters confirm its filter dropped exactly it (a
# filter matching nothing would leave it to UDP's closed-port drop).

sks_load
sks_netns_pair
ip netns exec b tc qdisc add dev vb clsact || sks_fail "no clsact qdisc"
ip netns exec b tc filter add dev vb ingress protocol ip prio 1 u32 \
	match ip protocol 17 0xff match ip dport 7402 0xffff action drop ||
	sks_fail "no u32 classifier or gact"
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 7401 size 100 count 1 quiet-ms 1 \
	>/dev/null 2>&1 || true
ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 7402 size 100 count 1 quiet-ms 1 \
	>/dev/null 2>&1 || true
sks_monitor_stop
"$SKS_TOOL" stop
ip netns exec b tc -s filter show dev vb ingress >"$SKS_TMP/tc.txt" ||
	sks_fail "tc -s filter show failed"
cat "$SKS_TMP/tc.txt"
sks_file_has "$SKS_TMP/tc.txt" ' bytes 1 pkt (dropped 1,' ||
	sks_fail "the tc filter did not drop exactly one packet"

reasons=0
grep -q '{ [0-9]*, "NO_SOCKET" }' /sys/kernel/tracing/events/skb/kfree_skb/format 2>/dev/null &&
	reasons=1
sks_check "$SKS_TMP" "$reasons" <<'PY' || sks_fail "drop records"
import sys
from sksjson import check, done, records
reasons = sys.argv[2] == "1"
rx = [r for r in records("rec.json") if "id" in r]
for port, where, why in ((7401, "udp", "NO_SOCKET"), (7402, "", None)):
    d = [r for r in rx if r["dport"] == port and r["stage"] == "drop"]
    check(len(d) == 1, "port %d: one drop record (%d)" % (port, len(d)))
    if not d:
        continue
    d = d[0]
    print("port %d: dropped at %s, reason %s" % (port, d["location"], d.get("drop_reason_name")))
    check("+0x" in d["location"] and where in d["location"], "port %d: location names a function" % port)
    if reasons:
        check(d["drop_reason"] > 0 and "drop_reason_name" in d and
              (why is None or d["drop_reason_name"] == why),
              "port %d: a drop reason (%s)" % (port, d.get("drop_reason_name")))
    else:
        check(d["drop_reason"] == 0, "port %d: no reasons on this kernel" % port)
    own = [r for r in rx if r["id"] == d["id"]]
    check(not [r for r in own if r["stage"] == "read"], "port %d: not read" % port)
    check(all(r["ts_ns"] <= d["ts_ns"] for r in own), "port %d: drop is the last stage" % port)
    if port == 7402:
        # Dropped by tc at ingress: before IP, not by UDP.
        check(not [r for r in own if r["stage"] in ("ip", "l4")],
              "port 7402: no ip or l4 record (%s)" % sorted(r["stage"] for r in own))
        check("udp" not in d["location"], "port 7402: not dropped in UDP (%s)" % d["location"])
        check(d.get("drop_reason_name") != "NO_SOCKET", "port 7402: not a NO_SOCKET drop")
l4 = [r for r in rx if r["dport"] == 7401 and r["stage"] == "l4"]
check(len(l4) == 1, "the datagram to the closed port reached l4")
done()
PY
