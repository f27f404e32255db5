# Every CPU at once (make check boots its guests with four vCPUs): a TCP
# and a UDP sender pinned to each CPU while every stage is traced and a
# collector reads.  Each flow's records are complete and in order
# (txcheck.py; with eight senders on a loaded machine TCP may merge send
# calls into one skb, so calls need not end at skb ends, and it may
# retransmit when the host stalls the guest), each sender's
# sendmsg records come from its own CPU, the records come from every CPU,
# and the accounting balances exactly after stop: generated = delivered +
# dropped, nothing left buffered.

ncpu=$(nproc)
[ "$ncpu" -ge 4 ] || sks_fail "the guest has $ncpu CPUs; make check boots four"
sks_load
sks_netns_pair
"$SKS_TOOL" start buffer 16384 || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json

pids=()
for ((c = 0; c < ncpu; c++)); do
	ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 $((6400 + c)) \
		--ready-file "$SKS_TMP/t.$c" >/dev/null &
	pids+=($!)
	# The first client starts once all 2 x ncpu servers are up, and each
	# start takes seconds on a slow guest (make check-debug's): the
	# servers wait a minute for a datagram, not 10 s.
	ip netns exec b "$SKS_TRAFFIC" udp-server fd00::2 $((6500 + c)) count 100 timeout 60000 \
		--ready-file "$SKS_TMP/u.$c" >/dev/null &
	pids+=($!)
done
for ((c = 0; c < ncpu; c++)); do
	sks_wait_file "$SKS_TMP/t.$c"
	sks_wait_file "$SKS_TMP/u.$c"
done
for ((c = 0; c < ncpu; c++)); do
	ip netns exec a taskset -c $c "$SKS_TRAFFIC" tcp-client 10.0.0.2 $((6400 + c)) \
		size 700 count 100 gap-us 1000 nodelay >"$SKS_TMP/client.$((6400 + c))" &
	pids+=($!)
	ip netns exec a taskset -c $c "$SKS_TRAFFIC" udp-client fd00::2 $((6500 + c)) \
		size 300 count 100 gap-us 1000 connect >"$SKS_TMP/client.$((6500 + c))" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || sks_fail "a sender or receiver failed"
done
sks_wait_drained "$SKS_TMP/run.json"
sks_monitor_stop
"$SKS_TOOL" stop || sks_fail "stop failed"

for ((c = 0; c < ncpu; c++)); do
	sks_python "$SKS_TOP/tests/guest/txcheck.py" tcp "$SKS_TMP/rec.json" \
		"$SKS_TMP/client.$((6400 + c))" $((6400 + c)) \
		--stages sendmsg,sched,sw,ack,txdone --order sendmsg,sched,sw,txdone \
		--coalesced --retrans-ok ||
		sks_fail "TCP flow on CPU $c"
	sks_python "$SKS_TOP/tests/guest/txcheck.py" udp "$SKS_TMP/rec.json" \
		"$SKS_TMP/client.$((6500 + c))" $((6500 + c)) --stages sendmsg,sched,sw,txdone ||
		sks_fail "UDP flow on CPU $c"
done
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
sks_check "$SKS_TMP" "$ncpu" <<'PY'
import sys
from sksjson import check, done, load, records
ncpu = int(sys.argv[2])
recs = records("rec.json")
st = load("st.json")["counters"]
for c in range(ncpu):
    for base in (6400, 6500):
        cpus = {r["cpu"] for r in recs if r["dport"] == base + c and r["stage"] == "sendmsg"}
        check(cpus == {c}, "sender pinned to CPU %d: its sendmsg records on CPUs %s" % (c, sorted(cpus)))
allcpus = {r["cpu"] for r in recs}
check(allcpus == set(range(ncpu)), "records from CPUs %s, the guest has %d" % (sorted(allcpus), ncpu))
check(st["buffered"] == 0, "nothing buffered after stop: %s" % st)
check(st["generated"] == st["delivered"] + st["dropped_full"] + st["dropped_send"],
      "generated = delivered + dropped: %s" % st)
check(st["delivered"] == len(recs), "the collector got the %d delivered records: %d" % (st["delivered"], len(recs)))
check(st["tags_abandoned"] == 0, "no tag abandoned: %s" % st)
done()
PY
