# Two monitors listening at once both receive every record.  Then drain
# "dump": the collector pulls records itself, so one stopped with SIGSTOP
# while 600 datagrams (1800 records) are traced loses nothing: the
# records wait in the module's buffers (counted as buffered) and arrive
# when it resumes; multicast with the same stop loses them (case 170).

sks_load
sks_netns_pair


# Two monitors, multicast.
"$SKS_TOOL" start stages sendmsg,sched,sw || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/m1.json" --json
m1=$sks_monitor_pid
sks_monitor_start "$SKS_TMP/m2.json" --json
sks_udp 6401 50
sks_monitor_stop
sks_monitor_pid=$m1
sks_monitor_stop
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s1.json"

# Drain by dump, collector stopped during the traffic.
"$SKS_TOOL" start stages sendmsg,sched,sw drain dump buffer 4096 ||
	sks_fail "start drain dump failed"
sks_monitor_start "$SKS_TMP/d.json" --json
kill -STOP "$sks_monitor_pid"
sks_udp 6402 600
"$SKS_TOOL" --json status >"$SKS_TMP/s2.json"
kill -CONT "$sks_monitor_pid"
# Let it pull everything, then stop tracing with nothing left to flush.
sks_wait_drained "$SKS_TMP/s3.json"
"$SKS_TOOL" stop || sks_fail "stop failed"
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/s4.json"
cat "$SKS_TMP/d.json.err"

sks_check "$SKS_TMP" <<'EOF' || sks_fail "monitor/drain checks failed"
from sksjson import check, done, load, records as recs

c1 = load("s1.json")["counters"]
m1, m2 = recs("m1.json"), recs("m2.json")
check(c1["generated"] == 150 and c1["delivered"] == 150, "50 datagrams: 150 records delivered")
key = lambda r: (r["stage"], r["ts_ns"], r["cpu"], r["tskey"])
check(len(m1) == len(m2) == 150, "both monitors received all 150 (%d, %d)" % (len(m1), len(m2)))
check(sorted(map(key, m1)) == sorted(map(key, m2)), "both monitors received the same records")

c2 = load("s2.json")["counters"]
check(c2["buffered"] == 1800 and c2["delivered"] == 0,
      "collector stopped: all 1800 records wait in the buffers (buffered %d)" % c2["buffered"])
c4 = load("s4.json")["counters"]
d = recs("d.json")
check(load("s2.json")["config"]["drain"] == "dump", "status shows drain dump")
check(c4["generated"] == 1800, "1800 records generated")
check(c4["dropped_full"] == 0 and c4["dropped_send"] == 0, "nothing dropped")
check(c4["delivered"] == 1800 == len(d), "the collector received all 1800 (%d)" % len(d))
check(len({key(r) for r in d}) == 1800, "no record received twice")
done()
EOF
grep -q "1800 records received, 0 batches lost, 0 overflows" "$SKS_TMP/d.json.err" ||
	sks_fail "the dump collector reported a loss"
