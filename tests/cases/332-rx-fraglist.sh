# GRO's fraglist merging (a device with rx-gro-list on): GRO chains
# datagrams of one flow to a head's frag_list (skb_gro_receive_list()),
# the head goes up the stack alone, and UDP splits it again before the
# socket (skb_segment_list()) into the very same skbs.  Each datagram
# keeps its own id and length and has every stage: it passes netif, ip and
# l4 with its head, at the head's time, and nothing is recorded as merged.
# Without that, the split gave each datagram its head's header and id: the
# head was read four times and the others never.
#
# The test NIC's sender checksums in "hardware" (tx-checksumming), so that
# UDP_SEGMENT sends leave as frames software GSO cuts in one go: its peer's
# NAPI poll finds them together and GRO chains them.  IPv4 and IPv6.

sks_testnic_pair
ip -n a addr add fd09::1/64 dev sksnic0a nodad
ip -n b addr add fd09::2/64 dev sksnic0b nodad
ip netns exec b ethtool -K sksnic0b rx-gro-list on >/dev/null ||
	sks_fail "cannot turn rx-gro-list on"
ip netns exec a ethtool -K sksnic0a tx-checksumming on >/dev/null ||
	sks_fail "cannot turn tx-checksumming on"
sks_load
"$SKS_TOOL" start stages rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
# Three sends of 4000 bytes in 1000-byte datagrams, per family.
sks_udp_flow 10.9.0.2 7601 12 sizes 4000,4000,4000 gap-us 20000 connect gso 1000
sks_udp_flow fd09::2 7602 12 sizes 4000,4000,4000 gap-us 20000 connect gso 1000
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
"$SKS_TOOL" stop
sks_eq "$(sks_json "$SKS_TMP/st.json" 'j["counters"]["rx_evicted"]')" 0 "evicted entries"

sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" \
	--stages napi,netif,ip,l4,sockq,read udp:7601:12000:4 udp:7602:12000:6 ||
	sks_fail "receive records of datagrams GRO chained"
sks_check "$SKS_TMP" <<'PY' || sks_fail "fraglist GRO"
from sksjson import check, done, records
rx = [r for r in records("rec.json") if "id" in r and r["dport"] in (7601, 7602)]
for port in (7601, 7602):
    flow = [r for r in rx if r["dport"] == port]
    ids = {r["id"] for r in flow}
    check(len(ids) == 12, "%d: 12 datagrams, 12 ids (%d)" % (port, len(ids)))
    check(not [r for r in flow if r["stage"] == "merge"], "%d: nothing merged" % port)
    check(all(r["len"] == 1000 for r in flow), "%d: every record has its datagram's length, 1000: %s"
          % (port, sorted({r["len"] for r in flow})))
    # GRO chained datagrams: they passed l4 with their head, at one time.
    at = {}
    for r in flow:
        if r["stage"] == "l4":
            at.setdefault(r["ts_ns"], []).append(r["id"])
    chained = max(len(v) for v in at.values())
    check(chained >= 2, "%d: datagrams that passed l4 together: up to %d (%d times for 12)"
          % (port, chained, len(at)))
    print("%d: 12 datagrams passed l4 at %d times" % (port, len(at)))
done()
PY
