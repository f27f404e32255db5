# skbstamp join: one-way delays from a sender's and a receiver's saved
# records.  Two hosts are played by namespaces a and b on one guest (one
# clock, so the true offset is 0), joined through a router namespace m
# whose egress qdiscs hold every packet 20 ms each way: the delay lands
# between a's sw (a's veth xmit) and b's napi (b's veth receive), where
# join measures.  (netem on a's own veth would sit before sw.)
#
# One capture of tx and rx stages is split by host, as two hosts' monitors
# would have written it: a's file has what a's sockets sent and the packets
# that reached a's stack (an l4 record: m only forwards), b's likewise.
# Checked: with offset 0 every packet's delay is at least the 20 ms and
# under 20 ms + 200 ms (an emulated guest on a loaded host has held a
# packet 16 ms past netem's; the pairing itself is proven exactly by the
# next check), each delay is napi - sw of the
# records of its key and length (the datagrams' lengths all differ), a
# flow's count is what was sent; flow filters keep exactly their packets;
# a datagram missing from the sender's file is unmatched and the others
# still pair; of bytes sent again (retransmissions added to a copy of a's
# file) the last sending before they arrived is taken; b's clock then shifted by X in a copy, 'estimate' recovers
# X within the bound it states (TCP both ways), and 'offset X' gives the
# delays of offset 0.  Then the errors and their exit codes.

D_NS=20000000
X_NS=123456789
sks_load
sks_netns a
sks_netns m
sks_netns b
# "name" and "dev" spelled out: ip takes a bare "ma" for "master".
ip link add name va netns a type veth peer name ma netns m
ip link add name vb netns b type veth peer name mb netns m
ip -n a addr add 10.1.0.1/24 dev va
ip -n m addr add 10.1.0.2/24 dev ma
ip -n m addr add 10.2.0.1/24 dev mb
ip -n b addr add 10.2.0.2/24 dev vb
for l in "a va" "m ma" "m mb" "b vb"; do
	set -- $l
	ip -n "$1" link set dev "$2" up
done
ip -n a route add default via 10.1.0.2
ip -n b route add default via 10.2.0.1
ip netns exec m sysctl -qw net.ipv4.ip_forward=1
ip netns exec m tc qdisc add dev mb root netem delay 20ms limit 10000 ||
	sks_fail "netem is not available"
ip netns exec m tc qdisc add dev ma root netem delay 20ms limit 10000

"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
# a -> b: TCP (five send calls 30 ms apart, TCP_NODELAY: five skbs) and UDP.
sks_tcp_flow 10.2.0.2 7101 sizes 100,1000,1448,2000,333 gap-us 30000 nodelay quiet-ms 1
sks_udp_flow 10.2.0.2 7102 6 sizes 10,200,1000,1400,64,1 gap-us 5000 quiet-ms 1
# b -> a: TCP the other way, for the estimate.
ip netns exec a "$SKS_TRAFFIC" tcp-server 10.1.0.1 7103 \
	--ready-file "$SKS_TMP/ready.7103" >"$SKS_TMP/server.7103" &
srv=$!
sks_wait_file "$SKS_TMP/ready.7103"
ip netns exec b "$SKS_TRAFFIC" tcp-client 10.1.0.1 7103 sizes 200,400,600,800,1000 \
	gap-us 30000 nodelay quiet-ms 1 >"$SKS_TMP/client.7103" ||
	sks_fail "tcp client b -> a failed"
wait $srv || sks_fail "tcp server in a failed"
sks_monitor_stop
"$SKS_TOOL" stop

# The two hosts' files, and b's with its clock X ahead.
sks_check "$SKS_TMP" "$X_NS" <<'PY' || sks_fail "splitting the capture"
import json, sys
from sksjson import check, done, records, tmp
x = int(sys.argv[2])
recs = records("rec.json")
l4 = {r["id"] for r in recs if "id" in r and r["stage"] == "l4"}
def host(addr):
    return [r for r in recs if ("retrans" in r and r["saddr"] == addr) or
            ("id" in r and r["daddr"] == addr and r["id"] in l4)]
def write(name, rs):
    with open("%s/%s" % (tmp, name), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rs)
a, b = host("10.1.0.1"), host("10.2.0.2")
check(any("id" in r for r in a) and any("retrans" in r for r in a), "a's file: tx and rx records")
check(any("id" in r for r in b) and any("retrans" in r for r in b), "b's file: tx and rx records")
write("a.jsonl", a)
write("b.jsonl", b)
write("a-tx.jsonl", [r for r in a if "retrans" in r])
write("a-lost.jsonl", [r for r in a if not ("retrans" in r and r["proto"] == "udp" and r["len"] == 1000)])
# The TCP skb of 1000 bytes sent again 1 us later and 1 s later: the
# first retransmission left before the packet arrived, the second after.
t = next(r for r in a if r["stage"] == "sw" and r["proto"] == "tcp" and r["len"] == 1000)
write("a-re.jsonl", a + [dict(t, ts_ns=t["ts_ns"] + dt, retrans=True) for dt in (1000, 10**9)])
write("b-tx.jsonl", [r for r in b if "retrans" in r])
write("b-shift.jsonl", [dict(r, ts_ns=r["ts_ns"] + x) for r in b])
done()
PY

A=$SKS_TMP/a.jsonl
B=$SKS_TMP/b.jsonl
"$SKS_TOOL" --json join "$A" "$B" offset 0 >"$SKS_TMP/j0.json" || sks_fail "join offset 0: exit $?"
"$SKS_TOOL" join "$A" "$B" offset 0 >"$SKS_TMP/j0.txt" || sks_fail "join (text): exit $?"
"$SKS_TOOL" --json join "$A" "$B" >"$SKS_TMP/jdef.json" || sks_fail "join: exit $?"
"$SKS_TOOL" --json join "$A" "$SKS_TMP/b-shift.jsonl" estimate >"$SKS_TMP/je.json" ||
	sks_fail "join estimate: exit $?: $(<"$SKS_TMP/je.json")"
"$SKS_TOOL" --json join "$A" "$SKS_TMP/b-shift.jsonl" offset "$X_NS" >"$SKS_TMP/jx.json" ||
	sks_fail "join offset X: exit $?"
"$SKS_TOOL" --json join "$A" "$B" flow proto udp >"$SKS_TMP/ju.json" ||
	sks_fail "join flow proto udp: exit $?"
"$SKS_TOOL" --json join "$A" "$B" flow src 10.1.0.0/23 dport 7101 >"$SKS_TMP/jt.json" ||
	sks_fail "join flow src dport: exit $?"
"$SKS_TOOL" --json join "$SKS_TMP/a-lost.jsonl" "$B" flow proto udp >"$SKS_TMP/jl.json" ||
	sks_fail "join without a datagram: exit $?"
"$SKS_TOOL" --json join "$SKS_TMP/a-re.jsonl" "$B" >"$SKS_TMP/jr.json" ||
	sks_fail "join with retransmissions: exit $?"
cat "$SKS_TMP/j0.txt" "$SKS_TMP/je.json"

sks_check "$SKS_TMP" "$D_NS" "$X_NS" <<'PY' || sks_fail "join's delays"
import sys
from sksjson import check, done, records
d, x = int(sys.argv[2]), int(sys.argv[3])
tol = 200000000
def kinds(name):
    out = {}
    for r in records(name):
        out.setdefault(r["type"], []).append(r)
    return out
j0 = kinds("j0.json")
off = j0["offset"][0]
check(off["offset_ns"] == 0 and off["method"] == "given" and off["clock"] == "sw",
      "offset 0 given, software clock: %s" % off)
pk = j0["packet"]
check(all(d <= p["delay_ns"] <= d + tol for p in pk),
      "every delay within [20 ms, 220 ms]: %s" % sorted(p["delay_ns"] for p in pk))
# The delays are those of the records: sw of the sender's skb with the
# packet's key (TCP) or datagram key (UDP) and its length, napi of the
# receiver's packet.  A packet paired with another's sending has another
# length (UDP) or key (TCP).
a, b = records("a.jsonl"), records("b.jsonl")
sw = {(r["dport"], r["tskey"]): r for r in a if r["stage"] == "sw"}
napi = {r["id"]: r["ts_ns"] for r in b if r["stage"] == "napi"}
def paired(p):
    s = sw.get((p["dport"], p["tskey"]), {})
    return (p["tx_ns"] == s.get("ts_ns") and p["len"] == s.get("len") and
            p["rx_ns"] == napi.get(p["id"]) and p["rx_stage"] == "napi" and
            p["delay_ns"] == p["rx_ns"] - p["tx_ns"])
check(all(map(paired, pk)), "each delay is napi - sw of the records of its key and length "
      "(%d packets), not: %s" % (len(pk), [p for p in pk if not paired(p)]))
flows = {(f["proto"], f["dport"]): f for f in j0["flow"]}
check(set(flows) == {("tcp", 7101), ("udp", 7102)}, "the two flows a -> b: %s" % sorted(flows))
for proto, port in flows:
    sent = len([r for r in a if r["stage"] == "sw" and r["dport"] == port])
    got = len({r["id"] for r in b if r["dport"] == port})
    f = flows[(proto, port)]
    check(f["count"] == sent == got, "%s %d: count %d = sent %d = received %d" %
          (proto, port, f["count"], sent, got))
    mine = sorted(p["delay_ns"] for p in pk if p["dport"] == port)
    check(f["min_ns"] == mine[0] and f["max_ns"] == mine[-1] and
          f["min_ns"] <= f["p50_ns"] <= f["p99_ns"] <= f["max_ns"], "%s %d: min/p50/p99/max" % (proto, port))
check(flows[("tcp", 7101)]["count"] == 5, "tcp 7101: five skbs")
check(flows[("udp", 7102)]["count"] == 6, "udp 7102: six datagrams")
check(j0["total"][0]["matched"] == len(pk) and j0["total"][0]["unmatched"] == 0, "total")
check(kinds("jdef.json") == j0, "no offset argument: offset 0")
udp = [p for p in pk if p["proto"] == "udp"]
ju, jt, jl = kinds("ju.json"), kinds("jt.json"), kinds("jl.json")
check(ju["packet"] == udp and len(ju["flow"]) == 1, "flow proto udp: the UDP packets")
check(jt["packet"] == [p for p in pk if p["dport"] == 7101] and len(jt["flow"]) == 1,
      "flow src 10.1.0.0/23 dport 7101: the TCP packets")
check(jl["packet"] == [p for p in udp if p["len"] != 1000] and jl["total"][0]["unmatched"] == 1,
      "the datagram of 1000 bytes not sent: unmatched, the others paired as before")
re = [dict(p, tx_ns=p["tx_ns"] + 1000, delay_ns=p["delay_ns"] - 1000, retrans=True)
      if p["proto"] == "tcp" and p["len"] == 1000 else p for p in pk]
check(kinds("jr.json")["packet"] == re, "bytes sent three times: the last sending before they arrived")

je = kinds("je.json")
e = je["offset"][0]
check(e["method"] == "estimated", "estimated")
check(abs(e["offset_ns"] - x) <= e["bound_ns"],
      "estimate %d within +-%d of the true %d" % (e["offset_ns"], e["bound_ns"], x))
# The bound is half the network part of the best round trip: 20 ms each way.
check(d <= e["bound_ns"] <= d + tol, "bound %d: half of 2 x 20 ms and the slack" % e["bound_ns"])
# Both ways are alike here, so the midpoint is close to the truth.
check(abs(e["offset_ns"] - x) <= 5000000, "symmetric paths: estimate within 5 ms")
jx = kinds("jx.json")
check([p["delay_ns"] for p in jx["packet"]] == [p["delay_ns"] for p in pk],
      "offset X on the shifted file: the delays of offset 0")
check([p["delay_ns"] for p in je["packet"]] == [p["delay_ns"] - e["offset_ns"] + x for p in pk],
      "estimate: the delays corrected by the estimate")
done()
PY
n=$(grep -c '^packet ' "$SKS_TMP/j0.txt" || true)
m=$(grep -c '"type":"packet"' "$SKS_TMP/j0.json" || true)
sks_eq "$n" "$m" "text lines per packet"
grep -q '^flow tcp 10.1.0.1:[0-9]* > 10.2.0.2:7101 packets 5 min ' "$SKS_TMP/j0.txt" ||
	sks_fail "text: no flow line for tcp 7101"

# Errors: exit 2 for a file that cannot be read, 1 for input that is not
# the records needed (as trace convert), 4 when nothing matches.
sks_tool join "$SKS_TMP/none.jsonl" "$B"
sks_eq "$sks_rc" 2 "unknown file"
grep -q 'none.jsonl' "$SKS_TMP/err" || sks_fail "unknown file: $(<"$SKS_TMP/err")"
{ head -n 3 "$A"; echo 'not json'; } >"$SKS_TMP/bad.jsonl"
sks_tool join "$SKS_TMP/bad.jsonl" "$B"
sks_eq "$sks_rc" 1 "not JSON"
grep -q 'bad.jsonl:4: not a JSON object' "$SKS_TMP/err" || sks_fail "not JSON: $(<"$SKS_TMP/err")"
echo '{"hello":1}' >"$SKS_TMP/other.jsonl"
sks_tool join "$A" "$SKS_TMP/other.jsonl"
sks_eq "$sks_rc" 1 "not a record"
grep -q 'other.jsonl:1: not a record of skbstamp --json monitor' "$SKS_TMP/err" || sks_fail "not a record: $(<"$SKS_TMP/err")"
sks_tool join "$A" "$SKS_TMP/b-tx.jsonl"
sks_eq "$sks_rc" 1 "receiver without receive records"
grep -q 'b-tx.jsonl has no receive record' "$SKS_TMP/err" || sks_fail "no rx: $(<"$SKS_TMP/err")"
sks_tool join "$SKS_TMP/a-tx.jsonl" "$B" estimate
sks_eq "$sks_rc" 1 "estimate with a sender file without receive records"
sks_tool join "$A" "$A"
sks_eq "$sks_rc" 4 "a's transmissions against a's receptions"
grep -q 'no packet of .* matched' "$SKS_TMP/err" || sks_fail "nothing matched: $(<"$SKS_TMP/err")"
# Prefixes that hold neither a's nor b's address (for a filter ignored).
for f in "src 10.1.2.0/23" "dst 10.2.2.0/23"; do
	sks_tool join "$A" "$B" flow $f
	sks_eq "$sks_rc" 4 "flow $f: nothing passes"
done
sks_tool join "$A" "$B" offset 1ms
sks_eq "$sks_rc" 1 "offset that is not a number"
sks_tool join "$A"
sks_eq "$sks_rc" 1 "one file"
true
