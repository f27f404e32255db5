# Receive filters: traffic that does not match leaves no receive record;
# each filter is decided where what it tests is known (ports at the first
# stage, the network namespace from the device, the process at read).

sks_load
sks_netns_pair

# rx_ports FILE: the ports of the receive records, sorted, and how many.
rx_ports()
{
	sks_python -c 'import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
r = [x for x in r if "id" in x]
print(" ".join(sorted({str(x["dport"]) for x in r})), len(r))' "$1"
}

# tx_stages FILE PORT: the transmit records to PORT, as sorted STAGE:COUNT.
tx_stages()
{
	sks_python -c 'import collections, json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
n = collections.Counter(x["stage"] for x in r if "retrans" in x and x["dport"] == int(sys.argv[2]))
print(" ".join("%s:%d" % kv for kv in sorted(n.items())))' "$1" "$2"
}

"$SKS_TOOL" start stages tx,rx dport 7601 || sks_fail "start dport failed"
sks_monitor_start "$SKS_TMP/port.json" --json
sks_udp_flow 10.0.0.2 7601 3 size 100 count 3 gap-us 2000 quiet-ms 1
sks_udp_flow 10.0.0.2 7602 3 size 100 count 3 gap-us 2000 quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" stop
sks_eq "$(rx_ports "$SKS_TMP/port.json")" "7601 18" "dport 7601: receive records (3 x 6 stages)"

# The namespace of the receiving device: only b receives.
"$SKS_TOOL" start stages tx,rx netns a || sks_fail "start netns failed"
sks_monitor_start "$SKS_TMP/ns.json" --json
sks_udp_flow 10.0.0.2 7603 3 size 100 count 3 gap-us 2000 quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" stop
sks_eq "$(rx_ports "$SKS_TMP/ns.json")" " 0" "netns a: receive records of traffic to b"
# ...while the sender in a was traced: the monitor ran and the filter matched.
sks_eq "$(tx_stages "$SKS_TMP/ns.json" 7603)" "sched:3 sendmsg:3 sw:3 txdone:3" \
	"netns a: transmit records of the sender in a"

# The process that reads: a server that is started with the filter
# naming it, and a second one that is not.
ip netns exec b "$SKS_TRAFFIC" udp-server 10.0.0.2 7604 count 3 timeout 5000 \
	--ready-file "$SKS_TMP/r.7604" >/dev/null &
srv=$!
sks_wait_file "$SKS_TMP/r.7604"
"$SKS_TOOL" start stages tx,rx pid $srv || sks_fail "start pid failed"
sks_monitor_start "$SKS_TMP/pid.json" --json
ip netns exec a "$SKS_TRAFFIC" udp-client 10.0.0.2 7604 size 100 count 3 gap-us 2000 \
	quiet-ms 1 >/dev/null || sks_fail "udp client to 7604 failed"
wait $srv
sks_udp_flow 10.0.0.2 7605 3 size 100 count 3 gap-us 2000 quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" stop
sks_eq "$(rx_ports "$SKS_TMP/pid.json")" "7604 18" "pid: receive records of the named reader"
