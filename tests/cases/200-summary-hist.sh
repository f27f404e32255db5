# Summary mode: no records leave the kernel, the stage pairs go into
# histograms instead.  A netem qdisc on va holds every packet 10 ms
# between the qdisc (sched) and the driver (sw), so every sched-sw sample
# is at least 10 ms: the histograms must say so (lowest bucket, p50, mean)
# and count exactly one sample per datagram.  The receive pairs count every
# datagram b reads.  Then reset clears them, and only later traffic is
# counted; stop keeps them readable.

D_NS=10000000
sks_load
sks_netns_pair
ip netns exec a tc qdisc add dev va root netem delay 10ms limit 10000 ||
	sks_fail "netem is not available"
"$SKS_TOOL" start mode summary stages tx,rx || sks_fail "start mode summary failed"
sks_monitor_start "$SKS_TMP/rec.json" --json

sks_udp 6100 20
# Five send calls 30 ms apart with TCP_NODELAY: five data skbs, each out
# and acked before the next call.
sks_tcp_flow 10.0.0.2 6101 sizes 100,200,300,400,500 gap-us 30000 nodelay
sks_sleep 0.3

"$SKS_TOOL" --json hist >"$SKS_TMP/h1.json" || sks_fail "hist --json failed"
"$SKS_TOOL" hist >"$SKS_TMP/h1.txt" || sks_fail "hist failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s1.json" || sks_fail "status failed"
cat "$SKS_TMP/h1.txt"
grep -q '^udp sched-sw: 20 samples' "$SKS_TMP/h1.txt" ||
	sks_fail "text histogram lacks 'udp sched-sw: 20 samples'"

"$SKS_TOOL" reset || sks_fail "reset failed"
"$SKS_TOOL" --json hist >"$SKS_TMP/h2.json" || sks_fail "hist after reset failed"
sks_udp 6102 7
sks_sleep 0.3
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json hist >"$SKS_TMP/h3.json" || sks_fail "hist after stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s3.json" || sks_fail "status failed"
sks_monitor_stop

sks_check "$SKS_TMP" "$D_NS" <<'EOF' || sks_fail "histogram checks failed"
import sys
from sksjson import check, done, load
d = int(sys.argv[2])

def hists(doc):
    return {(h["proto"], h["pair"]): h for h in doc["histograms"]}

h1 = hists(load("h1.json"))
for key, h in sorted(h1.items()):
    # Every histogram is self-consistent.
    check(sum(b["count"] for b in h["buckets"]) == h["count"], "%s: buckets add up to count" % (key,))
    check(all(b["lower_ns"] < b["upper_ns"] for b in h["buckets"]), "%s: bucket bounds" % (key,))
    lo = h["buckets"][0]["lower_ns"]
    check(lo * h["count"] <= h["sum_ns"] <= h["max_ns"] * h["count"], "%s: sum within bounds" % (key,))
    check(h["p50_ns"] <= h["p99_ns"] <= h["p999_ns"] <= h["max_ns"], "%s: p50 <= p99 <= p999 <= max" % (key,))
    # No bucket holds more than 1/8 of its lower bound's width (<= 6.25% midpoint error).
    check(all(b["upper_ns"] - b["lower_ns"] <= max(1, b["lower_ns"] // 8) for b in h["buckets"]),
          "%s: buckets are at most 1/8 wide" % (key,))

for pair in ("sendmsg-sched", "sched-sw", "sendmsg-sw"):
    check(h1.get(("udp", pair), {}).get("count") == 20, "udp %s: one sample per datagram (20)" % pair)
u = h1[("udp", "sched-sw")]
check(u["buckets"][0]["upper_ns"] > d, "udp sched-sw: no sample below the 10 ms netem delay")
check(u["p50_ns"] >= d * 15 // 16, "udp sched-sw: p50 %d >= 10 ms - 6.25%%" % u["p50_ns"])
check(u["sum_ns"] >= d * u["count"], "udp sched-sw: mean >= 10 ms")
s = h1[("udp", "sendmsg-sw")]
check(s["sum_ns"] >= u["sum_ns"], "udp: sendmsg-sw adds up to at least sched-sw")

t = h1.get(("tcp", "sched-sw"))
check(t is not None and t["count"] == 5, "tcp sched-sw: a sample per data skb (5, got %s)"
      % (t and t["count"]))
check(t and t["buckets"][0]["upper_ns"] > d, "tcp sched-sw: no sample below 10 ms")
a = h1.get(("tcp", "sw-ack"))
check(a is not None and a["count"] == 5, "tcp sw-ack: one sample per data skb (5, got %s)"
      % (a and a["count"]))
check(h1.get(("tcp", "sendmsg-ack"), {}).get("count") == 5, "tcp sendmsg-ack: each send call's skb (5)")
sa = h1[("tcp", "sendmsg-ack")]
check(sa["buckets"][0]["upper_ns"] > d, "tcp sendmsg-ack: every sample spans the 10 ms delay")

# Receive pairs: b received every datagram, each passed napi, sockq and
# read once, so the pairs count 20 each, and napi-read is napi-sockq plus
# sockq-read, datagram by datagram: their sums agree to the nanosecond.
rx = {p: h1.get(("udp", p), {}) for p in ("napi-sockq", "sockq-read", "napi-read")}
for pair, h in rx.items():
    check(h.get("count") == 20, "udp %s: one sample per datagram (20, got %s)" % (pair, h.get("count")))
check(rx["napi-read"].get("sum_ns") ==
      rx["napi-sockq"].get("sum_ns", 0) + rx["sockq-read"].get("sum_ns", 0),
      "udp: napi-read = napi-sockq + sockq-read")
check(rx["napi-read"].get("max_ns", 0) > 0, "udp napi-read: a largest sample")
tr = h1.get(("tcp", "napi-read"), {})
check(1 <= tr.get("count", 0) <= 5, "tcp napi-read: a sample per segment read (1-5, got %s)" % tr.get("count"))

c1 = load("s1.json")["counters"]
check(c1["delivered"] == 0 and c1["buffered"] == 0, "summary mode delivers no records")
check(c1["summarized"] == c1["generated"] > 0, "every stage event is summarized")
check(load("s1.json")["config"]["mode"] == "summary", "status shows the mode")

check(load("h2.json")["histograms"] == [], "reset leaves no samples")
h3 = hists(load("h3.json"))
check(h3.get(("udp", "sched-sw"), {}).get("count") == 7, "after reset: only the 7 later datagrams")
check(h3.get(("udp", "napi-read"), {}).get("count") == 7, "after reset: 7 datagrams received")
check(("tcp", "sched-sw") not in h3, "after reset: no TCP samples")
c3 = load("s3.json")["counters"]
check(c3["generated"] == c3["summarized"] and c3["generated"] >= c1["generated"] + 21,
      "reset does not touch the record counters")
done()
EOF
recs=$(grep -c '^{' "$SKS_TMP/rec.json" || true)
sks_eq "$recs" 0 "records multicast in summary mode"
