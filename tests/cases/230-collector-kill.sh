# A collector killed with SIGKILL in the middle of a stream leaves the
# module working: with multicast, a new collector gets every later record
# and the accounting still balances exactly; with drain dump, records the
# dead collector never pulled wait in the buffers for the next one, which
# gets all of them.

sks_load
sks_netns_pair

# kill_mid_stream PORT: 300 datagrams to PORT, 2 ms apart; the collector
# (sks_monitor_pid) is killed with SIGKILL while they flow.
kill_mid_stream()
{
	local srv cli
	ip netns exec b "$SKS_TRAFFIC" udp-server 10.0.0.2 "$1" count 300 timeout 5000 \
		--ready-file "$SKS_TMP/ready.$1" >/dev/null &
	srv=$!
	sks_wait_file "$SKS_TMP/ready.$1"
	ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 "$1" size 64 count 300 \
		gap-us 2000 >/dev/null &
	cli=$!
	sks_sleep 0.3
	kill -KILL "$sks_monitor_pid"
	wait "$sks_monitor_pid" 2>/dev/null || true
	wait $cli || sks_fail "udp client failed"
	wait $srv || sks_fail "udp server failed"
}

"$SKS_TOOL" start stages sendmsg,sched,sw || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/a.json" --json
kill_mid_stream 6501
sks_monitor_start "$SKS_TMP/b.json" --json
sks_udp 6502 50
sks_monitor_stop
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s1.json"

# Drain by dump: kill the collector while it pulls.
"$SKS_TOOL" start stages sendmsg,sched,sw drain dump || sks_fail "start drain dump failed"
sks_monitor_start "$SKS_TMP/c.json" --json
kill_mid_stream 6503
"$SKS_TOOL" --json status >"$SKS_TMP/s2.json"
sks_monitor_start "$SKS_TMP/d.json" --json
sks_wait_drained "$SKS_TMP/s3.json"
"$SKS_TOOL" stop || sks_fail "stop failed"
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/s4.json"

sks_check "$SKS_TMP" <<'EOF' || sks_fail "collector kill checks failed"
from sksjson import check, done, load, records
c1 = load("s1.json")["counters"]
b = [r for r in records("b.json") if r["dport"] == 6502]
check(len(b) == 150, "the new collector got all 150 later records (%d)" % len(b))
check(c1["generated"] == 1050, "1050 records generated (350 datagrams x 3)")
check(c1["generated"] == c1["delivered"] + c1["dropped_full"] + c1["dropped_send"],
      "generated = delivered + dropped after the kill")
check(c1["buffered"] == 0, "nothing left buffered")
key = lambda r: (r["stage"], r["ts_ns"], r["cpu"], r["tskey"])
both = records("c.json", killed=True) + records("d.json")
c4 = load("s4.json")["counters"]
check(c4["generated"] == 900, "dump run: 900 records generated")
check(c4["dropped_full"] == 0 and c4["dropped_send"] == 0, "dump run: nothing dropped")
check(load("s2.json")["counters"]["buffered"] > 0, "records waited for the next collector")
# What the killed collector had pulled into its socket died with it; all
# that was still in the buffers reaches the next one.
c2 = load("s2.json")["counters"]
d = records("d.json")
check(len(d) == c4["delivered"] - c2["delivered"],
      "the next collector got every record pulled after the kill (%d of %d)"
      % (len(d), c4["delivered"] - c2["delivered"]))
check(len(d) >= c2["buffered"], "including all that waited (%d)" % c2["buffered"])
check(c4["generated"] == c4["delivered"] and c4["buffered"] == 0, "dump run balances")
check(len({key(r) for r in both}) == len(both), "no record reached both collectors")
done()
EOF
