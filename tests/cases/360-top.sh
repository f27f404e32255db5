# skbstamp top: flows of known, different delays.  A netem qdisc on va
# holds every packet 60 ms between sched and sw, so the UDP flow over it
# (unconnected) has sendmsg-sw of at least 60 ms; a UDP flow (connected)
# and a TCP flow over a second veth pair va2-vb2 have none.  A --json
# monitor and four tops take the same traffic in one interval: every row
# of --json top must be the row topmodel.py computes from the monitor's
# records (counts, and p50/p99 by the documented bucket rule), in the
# order of its sort key; the same with sort sends (another order); a
# table of 2 flows sorted by sends holds 2 and counts evictions; text,
# sorted by sw-ack, has the TCP flow first.  Then the errors: bad
# arguments, tracing stopped, summary mode, the module unloaded.

D_NS=60000000
sks_load

sks_tool top count 1 interval 0
sks_eq "$sks_rc" 1 "top interval 0: exit code"
sks_tool top count 1 flows 0
sks_eq "$sks_rc" 1 "top flows 0: exit code"
sks_tool top sort fastest
sks_eq "$sks_rc" 1 "top sort fastest: exit code"
sks_tool top count
sks_eq "$sks_rc" 1 "top count without a value: exit code"
sks_tool top bogus 1
sks_eq "$sks_rc" 1 "top bogus 1: exit code"
sks_tool --json top count 1
sks_eq "$sks_rc" 2 "top while not tracing: exit code"
sks_file_has "$SKS_TMP/err" "tracing is not running" || sks_fail "top while not tracing: $(<"$SKS_TMP/err")"
"$SKS_TOOL" start mode summary || sks_fail "start mode summary failed"
sks_tool --json top count 1
sks_eq "$sks_rc" 2 "top in summary mode: exit code"
sks_file_has "$SKS_TMP/err" "top needs records mode" || sks_fail "top in summary mode: $(<"$SKS_TMP/err")"
[ ! -s "$SKS_TMP/out" ] || sks_fail "top in summary mode printed: $(<"$SKS_TMP/out")"
"$SKS_TOOL" stop || sks_fail "stop failed"

sks_netns_pair
ip link add va2 netns a type veth peer vb2 netns b
sks_addr_pair va2 vb2 10.0.1 fd01
ip netns exec a tc qdisc add dev va root netem delay 60ms limit 10000 ||
	sks_fail "netem is not available"
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"

top_start()
{
	local out=$1 end=$((SECONDS + 60)) pid
	shift
	"$SKS_TOOL" "$@" >"$out" 2>"$out.err" &
	pid=$!
	while ! sks_file_has "$out.err" 'listening for records'; do
		kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ] ||
			sks_fail "top did not start: $(<"$out.err")"
		sks_sleep 0.05
	done
	top_pids+=("$pid")
}
top_pids=()
# The records of the same traffic, from which topmodel.py computes the rows
# top must show.
sks_monitor_start "$SKS_TMP/mon.json" --json
top_start "$SKS_TMP/top.json" --json top count 1 interval 10
top_start "$SKS_TMP/top2.json" --json top count 1 interval 10 flows 2 sort sends
top_start "$SKS_TMP/top3.json" --json top count 1 interval 10 sort sends
top_start "$SKS_TMP/top.txt" top count 1 interval 10 sort sw-ack
t0=$SECONDS

sks_udp_flow 10.0.0.2 6300 20 size 64 count 20 gap-us 2000
sks_udp_flow 10.0.1.2 6301 30 size 64 count 30 gap-us 2000 connect
sks_tcp_flow 10.0.1.2 6302 sizes 100,200,300,400,500 gap-us 30000 nodelay
# Every packet must be handed over (complete, or expired after 1 s) inside
# top's interval for the monitor's records to be the same packets.
took=$((SECONDS - t0))
echo "traffic took $took s of top's 10 s interval"
[ "$took" -le 7 ] || sks_fail "traffic took $took s: too close to the interval's end"
for pid in "${top_pids[@]}"; do
	wait "$pid" || sks_fail "top exited with status $?"
done
sks_monitor_stop
cat "$SKS_TMP/top.txt"

sks_check "$SKS_TMP" "$D_NS" <<'PY' || sks_fail "top checks failed"
import sys
from sksjson import check, done, load, records
from topmodel import COLS, SORT, order_key, rows
d = int(sys.argv[2])

err = open(sys.argv[1] + "/mon.json.err").read()
check(" 0 batches lost, 0 overflows" in err, "the monitor lost nothing: %s" % err.strip().split("\n")[-1])
model = rows(records("mon.json"))

def key(f):
    return (f["proto"], f["local"], f["remote"])

top = load("top.json")
flows = top["flows"]
check(top["flows_max"] == 1024 and top["flows_evicted"] == 0, "a table of 1024, nothing evicted")
check(top["overflows"] == 0 and top["batches_lost"] == 0,
      "no overflow of top's buffer, no batch lost")
check(top["records"] > 0 and 9.5e9 < top["interval_ns"] < 11e9, "records in a 10 s interval")
check(top["sort"] == "worst", "sorted by the worst p99 by default")

# Every row is the monitor's records' row, number for number: counts, and
# percentiles by the documented bucket rule (the same bucket: exact).
check(sorted(map(key, flows)) == sorted(model),
      "top's flows are the records' flows: %s, %s" % (sorted(map(key, flows)), sorted(model)))
fields = ["sends", "packets", "received", "drops", "worst_p99_ns"] + \
    [c + s for c in COLS for s in ("_count", "_p50_ns", "_p99_ns")]
for f in flows:
    m = model.get(key(f), {})
    diff = {k: (f[k], m.get(k)) for k in fields if f[k] != m.get(k)}
    check(not diff, "%s %s > %s as its records say %s" % (key(f) + (diff or "",)))

def row(proto, local, remote):
    got = [f for f in flows if f["proto"] == proto and f["local"].startswith(local)
           and f["remote"].endswith(remote)]
    check(len(got) == 1, "one %s row %s > %s (got %d)" % (proto, local, remote, len(got)))
    return got[0] if got else {}

slow = row("udp", "10.0.0.1:", "10.0.0.2:6300")
fast = row("udp", "10.0.1.1:", "10.0.1.2:6301")
tcp = row("tcp", "10.0.1.1:", "10.0.1.2:6302")
rx_slow = row("udp", "10.0.0.2:6300", "")
rx_fast = row("udp", "10.0.1.2:6301", "")
check(flows and flows[0] is slow, "the netem-delayed flow comes first")

def ordered(t, sort):
    ks = [order_key(f, sort) for f in t["flows"]]
    check(t["sort"] == sort and ks == sorted(ks, reverse=True),
          "%d rows in order of %s: %s" % (len(ks), sort, ks))

ordered(top, "worst")

# The records themselves: every datagram and send call of the traffic,
# and the delay netem adds.
check(slow.get("sends") == 20 and slow.get("sendmsg_sw_count") == 20,
      "delayed udp: 20 sends, 20 sendmsg-sw samples (%s, %s)" % (slow.get("sends"), slow.get("sendmsg_sw_count")))
check(fast.get("sends") == 30 and fast.get("sendmsg_sw_count") == 30,
      "udp: 30 sends, 30 samples (%s, %s)" % (fast.get("sends"), fast.get("sendmsg_sw_count")))
check(tcp.get("sends") == 5, "tcp: 5 send calls (%s)" % tcp.get("sends"))
check(tcp.get("sw_ack_count") == 5 and tcp.get("sendmsg_sw_count") == 5,
      "tcp: 5 data skbs with sw-ack and sendmsg-sw (%s, %s)" % (tcp.get("sw_ack_count"), tcp.get("sendmsg_sw_count")))
for f, n in ((rx_slow, 20), (rx_fast, 30)):
    check(f.get("received") == n and f.get("napi_read_count") == n,
          "udp receiver: %d read, %d napi-read samples (%s, %s)"
          % (n, n, f.get("received"), f.get("napi_read_count")))
check(all(f["comm"] == "sks-traffic" for f in flows if f["sends"]), "senders named")
check(abs(slow.get("sends_per_s", 0) - 20 / (top["interval_ns"] / 1e9)) < 0.1, "sends/s of the interval")
v = slow.get("sendmsg_sw_p50_ns") or 0
check(v >= d * 15 // 16, "delayed udp sendmsg-sw p50 %d at least the 60 ms delay less 1/16" % v)

# sort sends: the same rows in another order (the fast UDP flow, 30 sends,
# first; by the worst p99 it is not), so the key is really used.
t3 = load("top3.json")
check(sorted(map(key, t3["flows"])) == sorted(model), "sort sends: every flow")
ordered(t3, "sends")
check(t3["flows"] and key(t3["flows"][0]) == key(fast), "sort sends: the 30-send flow first")

# A table of 2 flows: the 5 flows cannot all fit, so it holds 2, has
# evicted the others (each at least once), and an evicted flow's numbers
# are lost, never more than the whole interval's.
t2 = load("top2.json")
check(t2["flows_max"] == 2 and len(t2["flows"]) == 2, "2 rows from a table of 2 (%d)" % len(t2["flows"]))
check(t2["flows_evicted"] >= len(model) - 2, "evictions counted (%d of %d flows)"
      % (t2["flows_evicted"], len(model)))
for f in t2["flows"]:
    m = model.get(key(f), {})
    check(all(f[k] <= m.get(k, -1) for k in ("sends", "packets", "received")),
          "table of 2: %s %s > %s within its records' counts" % key(f))
ordered(t2, "sends")

txt = open(sys.argv[1] + "/top.txt").read().splitlines()
check(txt and txt[0].startswith("skbstamp top: %d flows" % len(model)) and
      "sorted by sw-ack p99" in txt[0], "text header: %s" % (txt[:1],))
check(len(txt) > 2 and "COMM/PID" in txt[1] and
      txt[2].split()[:3] == [tcp.get("proto"), tcp.get("local"), tcp.get("remote")],
      "text sorted by sw-ack: the TCP flow's row first, under the column names")
done()
PY

"$SKS_TOOL" stop || sks_fail "stop failed"
sks_unload
sks_tool --json top count 1
sks_eq "$sks_rc" 3 "top without the module: exit code"
