#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the records of UDP sends that the stack split into pieces.

usage: splitcheck.py fragment RECORDS.jsonl CLIENT.json DPORT --mtu M --family 4|6
       splitcheck.py segment RECORDS.jsonl CLIENT.json DPORT --gso G

fragment: every datagram larger than the MTU left as IP fragments; each
fragment must have its own sched, sw and txdone records with the
datagram's key, flagged "fragment", whose offset and len are the bytes of
the datagram's payload the kernel put into it (the first fragment also
carries the 8-byte UDP header; every fragment but the last carries a
multiple of 8 bytes of IP payload).

segment: UDP_SEGMENT cut every send into datagrams of G bytes in software
GSO; the send keeps one sched record (len: the whole send), and each
datagram has sw and txdone records with the send's key, the first one
unflagged, the others flagged "segment".

Pieces must tile each send exactly and timestamps must not decrease
sendmsg <= sched <= sw <= txdone.  Exits 1 with a message on the first
violation; prints a summary on success.
"""
import argparse
import json
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def pieces(kind, size, a):
    """[(offset, len)] the kernel makes of a send of @size payload bytes."""
    if kind == "segment":
        step = a.gso
        first = step
    else:
        iph = 20 if a.family == 4 else 40
        if size + 8 + iph <= a.mtu:
            return [(0, size)]
        if a.family == 6:
            iph += 8            # the fragment header
        step = (a.mtu - iph) & ~7
        first = step - 8        # the UDP header is in the first fragment
    out, off = [], 0
    n = min(first, size)
    while off < size:
        out.append((off, n))
        off += n
        n = min(step, size - off)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["fragment", "segment"])
    ap.add_argument("records")
    ap.add_argument("client")
    ap.add_argument("dport", type=int)
    ap.add_argument("--mtu", type=int, default=1500)
    ap.add_argument("--family", type=int, choices=[4, 6], default=4)
    ap.add_argument("--gso", type=int, default=0)
    a = ap.parse_args()
    if a.kind == "segment" and a.gso <= 0:
        fail("segment needs --gso")

    recs = [json.loads(line) for line in open(a.records) if line.startswith("{")]
    calls = [c["len"] for c in json.load(open(a.client))["calls"]]
    # Transmit records carry "retrans"; the receiver's have the same dport.
    flow = sorted((r for r in recs if "retrans" in r and r["proto"] == "udp"
                   and r["dport"] == a.dport),
                  key=lambda r: r["ts_ns"])
    if not flow:
        fail("no udp records to port %d among %d records" % (a.dport, len(recs)))
    sends = [r for r in flow if r["stage"] == "sendmsg"]
    if [s["len"] for s in sends] != calls:
        fail("sendmsg lengths %s, sender made calls of %s"
             % ([s["len"] for s in sends], calls))
    keys = [s["tskey"] for s in sends]
    if keys != list(range(keys[0], keys[0] + len(keys))):
        fail("send keys not consecutive: %s" % keys)

    npieces = 0
    for send in sends:
        key, size = send["tskey"], send["len"]
        mine = [r for r in flow if r["tskey"] == key and r["stage"] != "sendmsg"]
        want = pieces(a.kind, size, a)
        split = len(want) > 1
        offsets = sorted({r["offset"] for r in mine})
        if offsets != [o for o, _ in want]:
            fail("key %d (%d bytes): pieces at offsets %s, the kernel made %s"
                 % (key, size, offsets, want))
        for i, (off, plen) in enumerate(want):
            got = [r for r in mine if r["offset"] == off]
            stages = sorted(r["stage"] for r in got)
            if a.kind == "fragment" or i == 0:
                need = ["sched", "sw", "txdone"]
            else:
                need = ["sw", "txdone"]
            if stages != sorted(need):
                fail("key %d offset %d: stages %s, want %s" % (key, off, stages, need))
            ts = {r["stage"]: r["ts_ns"] for r in got}
            if ts.get("sched", send["ts_ns"]) < send["ts_ns"] or \
               ts["sw"] < ts.get("sched", send["ts_ns"]) or ts["txdone"] < ts["sw"]:
                fail("key %d offset %d: timestamps decrease: send %d %s"
                     % (key, off, send["ts_ns"], ts))
            for r in got:
                whole = a.kind == "segment" and r["stage"] == "sched"
                if r["len"] != (size if whole else plen):
                    fail("key %d offset %d %s: len %d, want %d"
                         % (key, off, r["stage"], r["len"], size if whole else plen))
                frag = a.kind == "fragment" and split
                seg = a.kind == "segment" and i > 0
                if r["fragment"] != frag or r["segment"] != seg:
                    fail("key %d offset %d %s: fragment %s segment %s, want %s %s"
                         % (key, off, r["stage"], r["fragment"], r["segment"], frag, seg))
                if r["sk"] != send["sk"]:
                    fail("key %d offset %d: socket %d, the send's %d"
                         % (key, off, r["sk"], send["sk"]))
        npieces += len(want)
    # Nothing else: sendmsg, then sched, sw and txdone per fragment, or one
    # sched per send and sw and txdone per segment.
    per_send = 1 if a.kind == "fragment" else 2
    per_piece = 3 if a.kind == "fragment" else 2
    want_recs = per_send * len(sends) + per_piece * npieces
    if len(flow) != want_recs:
        fail("%d records to port %d, %d sends in %d pieces make %d"
             % (len(flow), a.dport, len(sends), npieces, want_recs))
    print("ok: %d sends of %d bytes in %d %ss, %d records"
          % (len(sends), sum(calls), npieces, a.kind, len(flow)))


main()
