# Two monitors listening at once both receive every record.  With one of
# them stopped (SIGSTOP, tiny socket buffer) the other still receives
# everything and the module counts it all delivered: a batch is dropped
# only when no listener takes it, and the stopped monitor reports its own
# overflow.  Then drain "dump": the collector pulls records itself, so one
# stopped with SIGSTOP while 600 datagrams (1800 records) are traced loses
# nothing: the records wait in the module's buffers (counted as buffered)
# and arrive when it resumes; multicast with the same stop loses them
# (case 170).

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

# Two monitors, multicast, one of them stopped with a tiny buffer: 1800
# records come in at least eight batches (at most 250 records each), and
# its socket takes one before it is full.
"$SKS_TOOL" start stages sendmsg,sched,sw || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/slow.json" --json monitor rcvbuf 8192
slow=$sks_monitor_pid
kill -STOP "$slow"
sks_monitor_start "$SKS_TMP/fast.json" --json
sks_udp 6403 600
sks_wait_drained "$SKS_TMP/s5w.json"
"$SKS_TOOL" stop || sks_fail "stop failed"
sks_monitor_stop
kill -CONT "$slow"
sks_monitor_pid=$slow
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/s5.json"
cat "$SKS_TMP/slow.json.err"
grep -q 'receive buffer overflow' "$SKS_TMP/slow.json.err" ||
	sks_fail "the stopped monitor did not report its socket's overflow"

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

c5 = load("s5.json")["counters"]
fast, slow = recs("fast.json"), recs("slow.json")
check(c5["generated"] == 1800, "600 datagrams: 1800 records (%d)" % c5["generated"])
check(c5["delivered"] == 1800 and c5["dropped_send"] == 0 and c5["dropped_full"] == 0,
      "one listener overflowing while another takes every batch: all delivered (%r)" % c5)
check(len(fast) == 1800 and len({key(r) for r in fast}) == 1800,
      "the running monitor received all 1800 once (%d)" % len(fast))
check(0 < len(slow) < 1800, "the stopped monitor received part of them (%d)" % len(slow))
check({key(r) for r in slow} <= {key(r) for r in fast},
      "what the stopped monitor received, the running one received too")

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
