#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the transmit records of one flow against what the sender did.

usage: txcheck.py tcp|udp RECORDS.jsonl CLIENT.json DPORT [--stages LIST]
                  [--order LIST] [--segments N] [--coalesced]
                  [--retrans-ok]

RECORDS.jsonl is "skbstamp --json monitor" output, CLIENT.json the report
of tests/tools/sks-traffic (its "calls").  Exits 1 with a message on the
first violation; prints a summary on success.
"""
import argparse
import json
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["tcp", "udp"])
    ap.add_argument("records")
    ap.add_argument("client")
    ap.add_argument("dport", type=int)
    ap.add_argument("--stages", default="sendmsg,sched,sw,ack")
    ap.add_argument("--order", default=None,
                    help="stages whose timestamps must not decrease (default: --stages)")
    ap.add_argument("--retrans-ok", action="store_true",
                    help="TCP may retransmit (a loaded machine): retransmission"
                    " records are left out, and an skb whose bytes were sent"
                    " again (alone, or merged into another skb) may have its"
                    " ack among them")
    ap.add_argument("--coalesced", action="store_true",
                    help="TCP may have merged send calls into one skb (a loaded"
                    " machine): calls need not end at an skb's end")
    ap.add_argument("--segments", type=int, default=None,
                    help="number of skbs the stack produced for the flow")
    a = ap.parse_args()

    # Transmit records only: receive records carry an id instead of retrans.
    recs = [json.loads(line) for line in open(a.records) if line.startswith("{")]
    recs = [r for r in recs if "retrans" in r]
    calls = json.load(open(a.client))["calls"]
    # Batches come per CPU, so records are only ordered within a CPU.
    flow = sorted((r for r in recs if r["proto"] == a.proto and r["dport"] == a.dport),
                  key=lambda r: r["ts_ns"])
    if not flow:
        fail("no %s records to port %d among %d records" % (a.proto, a.dport, len(recs)))
    for r in flow:
        for k in ("stage", "ts_ns", "cpu", "sk", "tskey", "len", "pid", "comm",
                  "family", "saddr", "daddr", "sport", "ifindex", "retrans"):
            if k not in r:
                fail("record lacks %s: %s" % (k, r))
        if r["ts_ns"] <= 0:
            fail("record without a timestamp: %s" % r)
    cookies = {r["sk"] for r in flow}
    if len(cookies) != 1 or 0 in cookies:
        fail("expected one socket cookie for the flow, got %s" % cookies)
    if any(r["comm"] != "sks-traffic" for r in flow):
        fail("records not attributed to the sender: %s" % {r["comm"] for r in flow})

    stages = a.stages.split(",")
    sends = [r for r in flow if r["stage"] == "sendmsg"]
    want_calls = [c["len"] for c in calls]
    if [s["len"] for s in sends] != want_calls:
        fail("sendmsg lengths %s, sender made calls of %s"
             % ([s["len"] for s in sends], want_calls))

    # Keys: TCP calls are contiguous in sequence space; UDP counts datagrams,
    # from 0 on the fresh socket every caller sends from.
    if a.proto == "udp" and sends and sends[0]["tskey"] != 0:
        fail("the first send has key %d, a fresh UDP socket's is 0" % sends[0]["tskey"])
    for i in range(1, len(sends)):
        prev, cur = sends[i - 1], sends[i]
        if a.proto == "tcp":
            want = (prev["tskey"] + prev["len"]) % 2**32
        else:
            # A MSG_MORE call and the next one build the same datagram.
            want = prev["tskey"] + (0 if calls[i - 1].get("more") else 1)
        if cur["tskey"] != want:
            fail("sendmsg %d has key %d, expected %d" % (i, cur["tskey"], want))

    # Every skb: each stage exactly once, in order, within its send call.
    skbs = {}
    retx = []
    retx_sw = 0
    for r in flow:
        if r["stage"] == "sendmsg":
            continue
        if r["stage"] not in stages:
            fail("record of a stage not traced (--stages %s): %s" % (a.stages, r))
        if r["retrans"]:
            if not a.retrans_ok:
                fail("unexpected retransmission: %s" % r)
            # The bytes it carried: TCP may have merged skbs into it.
            retx.append(((r["tskey"] - r["len"] + 1) % 2**32, r["len"]))
            retx_sw += r["stage"] == "sw"
            continue
        skbs.setdefault(r["tskey"], {}).setdefault(r["stage"], []).append(r)
    covered = 0
    for key, st in sorted(skbs.items()):
        # A retransmitted skb's ACK is recorded with the retransmission,
        # whose skb may be another one TCP merged this one into.
        resent = any((key - lo) % 2**32 < n for lo, n in retx)
        need = [s for s in stages[1:] if not (resent and s == "ack")]
        for s in need:
            if len(st.get(s, [])) != 1:
                fail("skb with key %d has %d '%s' records (it has: %s)"
                     % (key, len(st.get(s, [])), s,
                        ", ".join("%s@%d" % (n, r[0]["ts_ns"]) for n, r in st.items())))
        if a.proto == "tcp":
            owner = [s for s in sends if (key - s["tskey"]) % 2**32 < s["len"]]
        else:
            owner = [s for s in sends if s["tskey"] == key][:1]
        if len(owner) != 1:
            fail("skb with key %d belongs to %d send calls" % (key, len(owner)))
        order = (a.order or a.stages).split(",")
        t = [owner[0]["ts_ns"]] + [st[s][0]["ts_ns"] for s in order[1:] if s in need]
        if t != sorted(t):
            fail("skb %d: timestamps %s not in stage order %s" % (key, t, order))
        # Whatever --order leaves out, an skb is never acked before the
        # driver got it.
        if "ack" in st and "sw" in st and st["ack"][0]["ts_ns"] < st["sw"][0]["ts_ns"]:
            fail("skb %d: ack at %d before sw at %d"
                 % (key, st["ack"][0]["ts_ns"], st["sw"][0]["ts_ns"]))
        lens = {st[s][0]["len"] for s in need}
        if len(lens) != 1:
            fail("skb %d: stages disagree on its length: %s" % (key, lens))
        covered += lens.pop()
        if a.proto == "udp" and st["sw"][0]["ifindex"] <= 0:
            fail("skb %d: sw stage without a device" % key)
    if covered != sum(want_calls):
        fail("skbs cover %d bytes, sender sent %d" % (covered, sum(want_calls)))
    if a.proto == "tcp" and not a.coalesced:
        # The skbs of a call tile its key range without gaps or overlaps.
        for s in sends:
            keys = sorted((k - s["tskey"]) % 2**32 for k in skbs
                          if (k - s["tskey"]) % 2**32 < s["len"])
            if not keys or keys[-1] != s["len"] - 1:
                fail("call with key %d: its last byte has no skb" % s["tskey"])
            got = sum(skbs[(s["tskey"] + k) % 2**32]["sched"][0]["len"] for k in keys)
            if got != s["len"]:
                fail("call with key %d: skbs cover %d of %d bytes" % (s["tskey"], got, s["len"]))
    # The driver also saw the retransmissions, each with its sw record.
    if a.segments is not None and len(skbs) + retx_sw != a.segments:
        fail("%d skbs and %d retransmissions recorded, the driver got %d"
             % (len(skbs), retx_sw, a.segments))
    print("ok: %d calls, %d skbs, %d bytes, stages %s" % (len(sends), len(skbs), covered, ",".join(stages)))


main()
