# Teardown races (issue 8): network namespaces are deleted, with their
# veth devices and the traced sockets in them, while TCP and UDP traffic
# runs and every stage is traced.  Three rounds (six in make soak), each
# killing the senders and receivers (SIGKILL) and deleting both
# namespaces at once once both flows have been traced (each round's
# sockets have their own cookies, so the records show a TCP and a UDP
# sender per round).  The
# kernel must not warn (the suite checks its log after the case), the
# module keeps tracing (a new flow afterwards has every record), and the
# accounting still balances after stop: generated = delivered + dropped,
# nothing buffered.  skbs freed by the teardown never reach their last
# stage: their entries are counted as abandoned at stop.

sks_load
"$SKS_TOOL" start || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json

# sched_of PORT: how many sched records to PORT the monitor has written.
sched_of()
{
	grep -c "^{\"stage\":\"sched\",.*\"dport\":$1," "$SKS_TMP/rec.json" || true
}
declare -A seen

round()
{
	local i=$1 pids=()
	ip netns add x$i && ip netns add y$i || sks_fail "round $i: netns add"
	ip link add vx netns x$i type veth peer vy netns y$i
	ip -n x$i addr add 10.9.0.1/24 dev vx
	ip -n y$i addr add 10.9.0.2/24 dev vy
	ip -n x$i link set vx up
	ip -n y$i link set vy up
	ip netns exec y$i "$SKS_TRAFFIC" tcp-server 10.9.0.2 7700 \
		--ready-file "$SKS_TMP/t.$i" >/dev/null 2>&1 &
	pids+=($!)
	ip netns exec y$i "$SKS_TRAFFIC" udp-server 10.9.0.2 7701 count 100000 \
		--ready-file "$SKS_TMP/u.$i" >/dev/null 2>&1 &
	pids+=($!)
	sks_wait_file "$SKS_TMP/t.$i"
	sks_wait_file "$SKS_TMP/u.$i"
	seen=([7700]=$(sched_of 7700) [7701]=$(sched_of 7701))
	ip netns exec x$i "$SKS_TRAFFIC" tcp-client 10.9.0.2 7700 size 3000 count 100000 \
		gap-us 200 >/dev/null 2>&1 &
	pids+=($!)
	ip netns exec x$i "$SKS_TRAFFIC" udp-client 10.9.0.2 7701 size 2000 count 100000 \
		gap-us 200 >/dev/null 2>&1 &
	pids+=($!)
	sks_sleep 0.5
	# Not before both flows of this round have sched records (in a slow
	# guest the clients may take longer than that to start).
	local end=$((SECONDS + 60)) port
	for port in 7700 7701; do
		while [ "$(sched_of $port)" -le "${seen[$port]}" ]; do
			[ "$SECONDS" -lt "$end" ] || sks_fail "round $i: no sched record to port $port"
			sks_sleep 0.1
		done
	done
	# Everything at once: the namespaces go while their sockets die.
	ip netns delete x$i &
	local dx=$!
	ip netns delete y$i &
	local dy=$!
	kill -KILL "${pids[@]}" 2>/dev/null
	# Not a bare wait: the monitor is a child too.  The killed ones end
	# with status 137, which is the point.
	wait "$dx" "$dy" "${pids[@]}" 2>/dev/null || true
}

# Each round races the teardown against traced packets in flight; a
# round takes about 5 s under TCG.
rounds=$(sks_scale 3 6)
for ((i = 1; i <= rounds; i++)); do
	round "$i"
done
# The namespaces are really gone, and their devices with them.
[ -z "$(ip netns list | grep -E '^(x|y)[0-9]')" ] || sks_fail "namespaces left: $(ip netns list)"

# Tracing still works: a fresh flow has all its records.
sks_netns_pair
sks_udp_flow 10.0.0.2 7800 5 size 100 count 5 gap-us 5000
sks_wait_drained "$SKS_TMP/run.json"
sks_monitor_stop
sks_python "$SKS_TOP/tests/guest/txcheck.py" udp "$SKS_TMP/rec.json" \
	"$SKS_TMP/client.7800" 7800 --stages sendmsg,sched,sw,txdone ||
	sks_fail "the flow after the teardowns"
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
cat "$SKS_TMP/st.json"
sks_check "$SKS_TMP" "$rounds" <<'PY'
import sys
from sksjson import check, done, load, records
rounds = int(sys.argv[2])
c = load("st.json")["counters"]
recs = records("rec.json")
check(c["buffered"] == 0, "nothing buffered after stop")
check(c["generated"] == c["delivered"] + c["dropped_full"] + c["dropped_send"],
      "generated = delivered + dropped")
check(c["delivered"] == len(recs), "the collector got every delivered record (%d)" % len(recs))
for port in (7700, 7701):
    sks = {r["sk"] for r in recs if r["dport"] == port and r["stage"] == "sched"}
    check(len(sks) == rounds, "port %d: sched records of the %d rounds' sockets (%d cookies)"
          % (port, rounds, len(sks)))
print("entries abandoned at stop: %d" % c["tags_abandoned"])
done()
PY
