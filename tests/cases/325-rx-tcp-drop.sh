# TCP's own drops end with a drop record on every kernel: the sender's
# qdisc duplicates every packet (netem duplicate 100%), so each data
# segment reaches the receiver twice; TCP reads the first copy and drops
# the second as old data.  Every data segment then has two receive ids
# with its key: one read, not dropped, and one that ends with exactly
# one drop record, in TCP, with a reason where the kernel has them
# (5.17 on), after the copy's other stages.  Before the drop reasons,
# TCP freed such data with __kfree_skb() from an inlined tcp_drop(),
# which no tracepoint reports (module/compat/tcp_drop.c).

sks_load
sks_netns_pair
ip netns exec a tc qdisc add dev va root netem duplicate 100% ||
	sks_fail "no netem qdisc"
"$SKS_TOOL" start stages rx dport 7450 || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
# One segment per send: nodelay, and a gap longer than the RTT.
sks_tcp_flow 10.0.0.2 7450 size 100 count 5 nodelay gap-us 20000
sks_wait_drained "$SKS_TMP/st.json"
sks_monitor_stop
"$SKS_TOOL" stop || sks_fail "stop failed"

reasons=0
grep -q '{ [0-9]*, "NO_SOCKET" }' /sys/kernel/tracing/events/skb/kfree_skb/format 2>/dev/null &&
	reasons=1
sks_check "$SKS_TMP" "$reasons" <<'PY' || sks_fail "TCP drop records"
import collections, sys
from sksjson import check, done, records
reasons = sys.argv[2] == "1"
rx = [r for r in records("rec.json") if "id" in r and r["dport"] == 7450]
ids = collections.defaultdict(list)
for r in rx:
    ids[r["id"]].append(r)
bykey = collections.defaultdict(list)
for i, own in ids.items():
    bykey[own[0]["tskey"]].append(i)
check(len(bykey) == 5, "five data segments received (keys %s)" % sorted(bykey))
for key, copies in sorted(bykey.items()):
    check(len(copies) == 2, "key %d: two copies received (%d)" % (key, len(copies)))
    read = [i for i in copies if any(r["stage"] == "read" for r in ids[i])]
    dropped = [i for i in copies if any(r["stage"] == "drop" for r in ids[i])]
    check(len(read) == 1 and len(dropped) == 1 and read != dropped,
          "key %d: one copy read, the other dropped (read %s, dropped %s)"
          % (key, read, dropped))
    for i in dropped:
        own = ids[i]
        d = [r for r in own if r["stage"] == "drop"]
        check(len(d) == 1, "key %d: one drop record (%d)" % (key, len(d)))
        d = d[0]
        print("key %d: dropped at %s, reason %s" % (key, d["location"],
                                                   d.get("drop_reason_name")))
        check("tcp" in d["location"] and "+0x" in d["location"],
              "key %d: dropped in TCP (%s)" % (key, d["location"]))
        if reasons:
            check(d["drop_reason"] > 0, "key %d: a drop reason (%s)"
                  % (key, d.get("drop_reason_name")))
        else:
            check(d["drop_reason"] == 0, "key %d: no reasons on this kernel" % key)
        check(any(r["stage"] == "l4" for r in own), "key %d: the dropped copy reached l4" % key)
        check(all(r["ts_ns"] <= d["ts_ns"] for r in own),
              "key %d: drop is the dropped copy's last stage" % key)
done()
PY
