# Multicast batches are built on pages the module reuses (batchpool.c):
# a page is written again only once no listener holds a batch on it.
# One raw monitor is stopped (SIGSTOP) with a receive buffer big enough
# to queue every batch of 2400 datagrams (7200 records, at least 31
# batches: more than the pool's 18 slots for the default buffer of 4096
# records), another reads as they come.
# The stopped one holds every pool slot, so later batches are allocated
# afresh; once it resumes, what it read must be byte for byte what the
# running one read: a slot written again under its queue would show as
# later records in an earlier batch's place.  Nothing may be lost or
# dropped either way.

sks_load
sks_netns_pair
"$SKS_TOOL" start stages sendmsg,sched,sw || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/held.out" monitor raw "$SKS_TMP/held.raw" \
	rcvbuf 16777216
held=$sks_monitor_pid
kill -STOP "$held"
sks_monitor_start "$SKS_TMP/live.out" monitor raw "$SKS_TMP/live.raw"
live=$sks_monitor_pid

sks_udp 6411 2400
sks_wait_drained "$SKS_TMP/s1.json"
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s2.json"
want=$((24 + 7200 * 136))
sks_eq "$(stat -c %s "$SKS_TMP/live.raw")" "$want" "the running monitor's stream: bytes"
kill -CONT "$held"
# The resumed monitor reads its whole queue before it is stopped.
for ((i = 0; i < 300; i++)); do
	[ "$(stat -c %s "$SKS_TMP/held.raw")" -ge "$want" ] && break
	sks_sleep 0.1
done
sks_monitor_pid=$held
sks_monitor_stop
sks_monitor_pid=$live
sks_monitor_stop
cat "$SKS_TMP/held.out.err"
sks_file_has "$SKS_TMP/held.out.err" "7200 records received, 0 batches lost, 0 overflows" ||
	sks_fail "the stopped monitor did not receive every batch"
sks_eq "$(stat -c %s "$SKS_TMP/held.raw")" "$want" "the stopped monitor's stream: bytes"
cmp "$SKS_TMP/held.raw" "$SKS_TMP/live.raw" ||
	sks_fail "the batches a stopped monitor held differ from the running one's"

sks_check "$SKS_TMP" <<'EOF' || sks_fail "batch pool checks failed"
from sksjson import check, done, load

c = load("s2.json")["counters"]
check(c["generated"] == 7200, "2400 datagrams: 7200 records (%d)" % c["generated"])
check(c["delivered"] == 7200 and c["dropped_send"] == 0 and c["dropped_full"] == 0,
      "every batch delivered while one listener held the pool (%r)" % c)
done()
EOF
"$SKS_TOOL" --json decode "$SKS_TMP/held.raw" >"$SKS_TMP/held.json" ||
	sks_fail "decode exited with status $?"
sks_eq "$(grep -c '"stage":"sw"' "$SKS_TMP/held.json")" 2400 "sw records the stopped monitor read"
echo "held: 7200 records, the same bytes as the running monitor's"
