#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the receive records of flows against what was sent.

usage: rxcheck.py RECORDS.jsonl [--stages LIST] [--drops N] FLOW...

FLOW is PROTO:DPORT:BYTES:FAMILY, one flow the receiver got BYTES of
payload on.  RECORDS.jsonl is "skbstamp --json monitor" output.  Every
received packet (a tracking id) must have each of --stages at most once,
in order, all of them up to its end: read, or a merge into a packet whose
own timeline reaches read, possibly through further merges (GRO merges
end after napi, TCP coalescing after sockq); read must not come before sockq; the packets' own lengths must add
up to BYTES, and a GRO head's length at netif, ip and l4 must be its own
and its merged segments'.  Exactly --drops packets may be dropped, not counting TCP
packets whose bytes the sender's records show sent again (a stalled guest
makes TCP retransmit what had arrived; the receiver drops the duplicate).
Prints one line per flow; exits 1 on the first violation.
"""
import argparse
import json
import sys

ORDER = ["rx_hw", "irq", "napi", "netif", "ip", "l4", "sockq", "read"]
ENDS = ("read", "drop", "merge")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records")
    ap.add_argument("flows", nargs="+")
    ap.add_argument("--stages", default="napi,netif,ip,l4,sockq,read")
    ap.add_argument("--drops", type=int, default=0)
    ap.add_argument("--merges", default=None,
                    help="gro|coalesce|any: at least one merge of that kind")
    a = ap.parse_args()
    want = a.stages.split(",")
    recs = [json.loads(line) for line in open(a.records) if line.startswith("{")]
    rx = [r for r in recs if "id" in r]
    # Transmit records carry "retrans": what the sender sent again.
    resent = [r for r in recs if r.get("retrans")]
    merges = {"gro": 0, "coalesce": 0}
    heads_checked = [0]
    for spec in a.flows:
        proto, dport, nbytes, fam = spec.split(":")
        flow = [r for r in rx if r["proto"] == proto and r["dport"] == int(dport)]
        if not flow:
            fail("%s: no receive records among %d" % (spec, len(recs)))
        pk = {}
        for r in flow:
            pk.setdefault(r["id"], {}).setdefault(r["stage"], []).append(r)
        got = 0
        drops = 0
        # A stalled guest can make TCP retransmit what already arrived: the
        # receiver drops the second copy.  Such a drop is no loss if the
        # sender's records show those bytes sent again.
        spans = [((r["tskey"] - r["len"] + 1) % 2**32, r["len"]) for r in resent
                 if r["proto"] == proto and r["dport"] == int(dport)]
        dups = 0
        for pid, st in pk.items():
            desc = ", ".join("%s@%d" % (s, v[0]["ts_ns"]) for s, v in st.items())
            for s, v in st.items():
                if len(v) != 1:
                    fail("%s: packet %d has %d %s records (%s)" % (spec, pid, len(v), s, desc))
            if any(v[0]["family"] != int(fam) for v in st.values()):
                fail("%s: packet %d: family is not %s" % (spec, pid, fam))
            ends = [s for s in ENDS if s in st]
            if "read" in ends and len(ends) > 1:
                fail("%s: packet %d is read and %s (%s)" % (spec, pid, ends, desc))
            if "drop" in st:
                d = st["drop"][0]
                lo = (d["tskey"] - d["len"] + 1) % 2**32
                if proto == "tcp" and d["len"] and any(
                        (lo - s) % 2**32 < n or (s - lo) % 2**32 < d["len"]
                        for s, n in spans):
                    dups += 1
                else:
                    drops += 1
                continue
            if "merge" in st:
                m = st["merge"][0]
                merges[m["by"]] += 1
                # The head may itself be merged further (GRO, then coalescing).
                hid, seen = m["head_id"], {pid}
                while hid in pk and "merge" in pk[hid] and hid not in seen:
                    seen.add(hid)
                    hid = pk[hid]["merge"][0]["head_id"]
                head = pk.get(hid)
                if not head or "read" not in head:
                    fail("%s: packet %d merged into %s, which is never read (%s; last head %s: %s)"
                         % (spec, pid, m["head_id"], desc, hid, head and list(head)))
                if m["ts_ns"] > head["read"][0]["ts_ns"]:
                    fail("%s: packet %d merged after its head was read" % (spec, pid))
                # TCP coalesces at the socket, or in its backlog (from l4).
                last = "napi" if m["by"] == "gro" else "l4"
            elif "read" in st:
                last = "read"
            else:
                fail("%s: packet %d neither read, dropped nor merged (%s)" % (spec, pid, desc))
            need = [s for s in want if ORDER.index(s) <= ORDER.index(last)]
            missing = [s for s in need if s not in st]
            if missing:
                fail("%s: packet %d lacks %s (%s)" % (spec, pid, missing, desc))
            # rx_hw's ts_ns is when napi saw the stamp, not the arrival.
            t = [st[s][0]["ts_ns"] for s in ORDER if s in st and s != "rx_hw"]
            if t != sorted(t):
                fail("%s: packet %d: stages out of order (%s)" % (spec, pid, desc))
            if "read" in st:
                r = st["read"][0]
                if r["comm"] != "sks-traffic" or not r["pid"] or not r["sk"]:
                    fail("%s: packet %d: read by %s/%d, socket %d" % (spec, pid, r["comm"], r["pid"], r["sk"]))
            first = [st[s][0] for s in ORDER if s in st][0]
            got += first["len"]
        # A GRO head's length from netif on is its own and all the
        # segments GRO merged into it: its headers were read again.
        into = {}
        for pid, st in pk.items():
            if "merge" in st and st["merge"][0]["by"] == "gro":
                m = st["merge"][0]
                first = [st[s][0] for s in ORDER if s in st][0]
                into.setdefault(m["head_id"], []).append(first["len"])
        for hid, lens in into.items():
            head = pk.get(hid, {})
            own = [head[s][0] for s in ORDER if s in head]
            for s in ("netif", "ip", "l4"):
                if own and s in head and head[s][0]["len"] != own[0]["len"] + sum(lens):
                    fail("%s: GRO head %d: %s len %d, not its own %d and its %d merged segments' %d"
                         % (spec, hid, s, head[s][0]["len"], own[0]["len"], len(lens), sum(lens)))
            heads_checked[0] += 1
        if drops != a.drops:
            fail("%s: %d drop records, expected %d" % (spec, drops, a.drops))
        if a.drops == 0 and got != int(nbytes):
            fail("%s: packets carry %d bytes, %s were sent" % (spec, got, nbytes))
        print("ok: %s: %d packets, %d bytes, merges %s%s" % (spec, len(pk), got, merges,
              ", %d duplicates of retransmitted bytes dropped" % dups if dups else ""))
    if a.merges and (merges["gro"] + merges["coalesce"] == 0 if a.merges == "any"
                     else not merges[a.merges]):
        fail("no %s merge among %s" % (a.merges, merges))
    if a.merges == "gro" and not heads_checked[0]:
        fail("no GRO head's length to check")
    if heads_checked[0]:
        print("ok: %d GRO heads' lengths are their segments'" % heads_checked[0])


main()
