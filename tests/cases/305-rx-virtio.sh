# Receive path through a real NIC driver: the guest's two virtio-net NICs,
# wired to each other by QEMU (vm-run.sh), one in each namespace.  TCP and
# UDP, IPv4 and IPv6, as 300 does over veth: every packet the receiver got
# has napi, netif, ip, l4, sockq and read, in that order, under one id,
# read by the receiving process; the lengths add up to what was sent.  A
# 200 kB TCP stream arrives as MTU-sized segments (the hub offers no
# offloads) and virtio-net's GRO merges them: every segment is read
# itself or merged into a packet that is.  The driver's interrupt
# schedules its NAPI poll: every packet has an irq record, before its napi,
# within the poll's second.

sks_load
sks_wire_pair
"$SKS_TOOL" start stages tx,rx || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json

sks_rx_flows 10.7.0 fd07 7050
sks_tcp_flow 10.7.0.2 7055 size 200000 quiet-ms 1
sks_monitor_stop
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
"$SKS_TOOL" stop

sks_rx_flows_check "$SKS_TMP/rec.json" 7050 || sks_fail "receive records"
sks_python "$SKS_TOP/tests/guest/rxcheck.py" "$SKS_TMP/rec.json" --merges gro \
	tcp:7055:200000:4 || sks_fail "receive records of the GRO stream"

# The packets came in through wb, the virtio-net NIC, not another path.
wb_if=$(ip netns exec b cat /sys/class/net/wb/ifindex)
sks_check "$SKS_TMP" "$wb_if" <<'PY' || sks_fail "device, interrupts and counters"
import sys
from sksjson import check, done, load, records
wb = int(sys.argv[2])
recs = [r for r in records("rec.json") if "id" in r and 7051 <= r["dport"] <= 7055]
napi = {r["id"]: r for r in recs if r["stage"] == "napi"}
irq = [r for r in recs if r["stage"] == "irq"]
check(napi and all(r["ifindex"] == wb for r in napi.values()),
      "all %d packets' napi records name wb (ifindex %d)" % (len(napi), wb))
# Every poll that picks a packet up was scheduled by the interrupt (or by
# the poll before it, within the second the module allows).
check(sorted(r["id"] for r in irq) == sorted(napi),
      "every packet has one irq record, from the driver's interrupt (%d irq records, %d packets)"
      % (len(irq), len(napi)))
check(all(r["id"] in napi and 0 <= napi[r["id"]]["ts_ns"] - r["ts_ns"] < 10**9
          for r in irq), "each irq comes before its packet's napi, within a second")
c = load("st.json")["counters"]
check(c["rx_evicted"] == 0, "no receive tracking entry evicted (%d)" % c["rx_evicted"])
check(c["generated"] == c["delivered"] + c["dropped_full"] + c["dropped_send"],
      "generated %d = delivered %d + dropped %d + %d" % (c["generated"],
      c["delivered"], c["dropped_full"], c["dropped_send"]))
done()
PY
