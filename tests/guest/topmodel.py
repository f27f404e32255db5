# SPDX-License-Identifier: GPL-2.0
"""skbstamp top's rows computed again from "skbstamp --json monitor" records.

rows(records) gives, per flow, what one interval of top holding the same
packets shows, by the rules docs/top.md states and without top's code: a
sent packet is (sk, proto, tskey, offset) and its send call the socket's
call whose bytes hold its key (TCP) or with its key (UDP); a received
packet is its id; a flow is seen from its local end; the percentiles are
bucket midpoints of the module's log-linear buckets (8 per power of two),
the ceil(q * n)-th sample's, at most the largest sample.
"""

SUB = 8
NBUCKETS = (36 - 3 + 1) * SUB
COLS = ("sendmsg_sw", "sw_ack", "napi_read")


def lower(i):
    """The lower bound of bucket i (the uapi header's formula)."""
    return i if i < SUB else (SUB + i % SUB) << (i // SUB - 1)


def bucket(ns):
    i = 0
    while i + 1 < NBUCKETS and lower(i + 1) <= ns:
        i += 1
    return i


def quantile(samples, q):
    """The midpoint of the bucket of the ceil(q * n)-th sample, at most the max."""
    s = sorted(samples)
    want = max(1, int(q * len(s) + 0.999999))
    i = bucket(s[want - 1])
    if i >= NBUCKETS - 1:
        return s[-1]
    v = i if i < SUB else (lower(i) + lower(i + 1)) // 2
    return min(v, s[-1])


def endpoint(r, addr, port):
    return ("[%s]:%d" if r["family"] == 6 else "%s:%d") % (r[addr], r[port])


def flow_of(r, rx):
    local, remote = (("daddr", "dport"), ("saddr", "sport")) if rx else \
        (("saddr", "sport"), ("daddr", "dport"))
    return (r["proto"], endpoint(r, *local), endpoint(r, *remote))


def rows(records):
    """{(proto, local, remote): row} with top's JSON keys."""
    flows = {}

    def row(key):
        return flows.setdefault(key, dict(
            {"sends": 0, "packets": 0, "received": 0, "drops": 0},
            **{c: [] for c in COLS}))

    calls, tx, rx = {}, {}, {}
    for r in records:
        if "id" in r:
            rx.setdefault(r["id"], []).append(r)
        elif r["stage"] == "sendmsg":
            calls.setdefault((r["sk"], r["proto"]), []).append(r)
            if r["proto"] == "tcp":
                row(flow_of(r, False))["sends"] += 1
        else:
            tx.setdefault((r["sk"], r["proto"], r["tskey"], r["offset"]), []).append(r)

    for (sk, proto, key, offset), recs in tx.items():
        ts = {r["stage"]: r["ts_ns"] for r in recs}
        f = row(flow_of(recs[0], False))
        f["packets"] += 1
        if proto == "udp" and offset == 0:
            f["sends"] += 1
        own = [c for c in calls.get((sk, proto), [])
               if ((key - c["tskey"]) % 2**32 < c["len"] if proto == "tcp"
                   else key == c["tskey"])]
        if own:
            ts["sendmsg"] = own[-1]["ts_ns"]
        for col, a, b in (("sendmsg_sw", "sendmsg", "sw"), ("sw_ack", "sw", "ack")):
            if col == "sendmsg_sw" and any(r["retrans"] for r in recs):
                continue
            if a in ts and b in ts and ts[b] >= ts[a]:
                f[col].append(ts[b] - ts[a])

    for recs in rx.values():
        ts = {r["stage"]: r["ts_ns"] for r in recs}
        f = row(flow_of(recs[0], True))
        f["received"] += "read" in ts
        f["drops"] += "drop" in ts
        if "napi" in ts and "read" in ts and ts["read"] >= ts["napi"]:
            f["napi_read"].append(ts["read"] - ts["napi"])

    for f in flows.values():
        f["worst_p99_ns"] = 0
        for c in COLS:
            s = f.pop(c)
            f[c + "_count"] = len(s)
            f[c + "_p50_ns"] = quantile(s, 0.50) if s else None
            f[c + "_p99_ns"] = quantile(s, 0.99) if s else None
            f["worst_p99_ns"] = max(f["worst_p99_ns"], f[c + "_p99_ns"] or 0)
    return flows


SORT = {
    "worst": "worst_p99_ns", "sends": "sends", "sendmsg-sw": "sendmsg_sw_p99_ns",
    "sw-ack": "sw_ack_p99_ns", "napi-read": "napi_read_p99_ns", "drops": "drops",
}


def order_key(row, sort):
    """What top sorts by, largest first: the key, then the worst p99, then sends."""
    return (row[SORT[sort]] or 0, row["worst_p99_ns"], row["sends"])
