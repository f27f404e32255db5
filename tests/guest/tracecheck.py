#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check Chrome/Perfetto traces written by skbstamp against the records.

usage: tracecheck.py RECORDS.jsonl TRACE.json [OTHER.json...]
                     [--arrows PORT,...] [--stderr FILE...]

RECORDS.jsonl is "skbstamp --json monitor" output; TRACE.json its
conversion (trace convert) and each OTHER.json a trace of the same records
written live (monitor trace FILE).  Every trace must be valid JSON with
the format's fields on every event; every record must be an end of a slice
or an instant of exactly one packet drawn, all the records of one packet
(its key, or its id) of the same one; nothing drawn that is not a record;
each packet in its socket's process (sent) or its CPU's (received); every
send call the start of the first slice of an skb it sent; a packet's
slices must follow each other without gap or overlap, on one thread, and
no two packets may share a thread at once; drops are instants with where
and why; flow arrows pair up and join a sent skb to the received packet of
the same bytes (every received datagram and TCP segment of the flows to
the ports given by --arrows, but for a TCP flow that retransmitted).  The
numbers a trace ends with (otherData), and those the writer reported on
the --stderr files, must be what it holds.  The other traces must hold the
same slices and instants as TRACE.json.
"""
import argparse
import json
import os
import re
import sys

# python3 -I (sks_python) leaves the script's directory out of the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sksjson import check, done  # noqa: E402

US = 1e-3


def close(a, b):
    return abs(a - b) < 5e-4 * max(1.0, abs(b) * 1e-12)


def ident(r):
    """The packet a record is about, as the trace's args name it."""
    if "id" in r:
        return ("rx", r["id"])
    return ("tx", r["sk"], r["tskey"], r["offset"], r["retrans"])


def ev_ident(a, rx):
    if rx:
        return ("rx", a["id"])
    return ("tx", a["sk"], a["key"], a["offset"], a["retrans"])


def load_trace(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        check(False, "%s: valid JSON (%s)" % (path, e))
        return None
    ok = isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list)
    check(ok, "%s: an object with a traceEvents array" % path)
    return doc if ok else None


def fields_ok(e):
    if not (isinstance(e.get("name"), str) and e.get("ph") in ("X", "i", "s", "f", "M")
            and isinstance(e.get("ts"), (int, float)) and isinstance(e.get("pid"), int)
            and isinstance(e.get("tid"), int)):
        return False
    if e["ph"] == "X":
        return isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0
    if e["ph"] in ("s", "f"):
        return isinstance(e.get("id"), int) and e.get("bp") == "e" and e.get("cat")
    if e["ph"] == "i":
        return e.get("s") == "t"
    return isinstance(e.get("args", {}).get("name"), str)


def check_trace(path, recs, arrow_ports, reports):
    doc = load_trace(path)
    if doc is None:
        return None
    evs = doc["traceEvents"]
    bad = [e for e in evs if not fields_ok(e)]
    check(not bad, "%s: %d events, all with the fields the format requires%s"
          % (path, len(evs), (" (first bad: %s)" % bad[:1]) if bad else ""))
    names = {(e["pid"], e["tid"]) for e in evs
             if e["ph"] == "M" and e["name"] == "thread_name"}
    procs = {e["pid"] for e in evs if e["ph"] == "M" and e["name"] == "process_name"}
    used = {(e["pid"], e["tid"]) for e in evs if e["ph"] in ("X", "i", "s", "f")}
    check(used <= names and {p for p, _ in used} <= procs,
          "%s: every process and thread used is named" % path)

    pk = {}
    for e in evs:
        if e["ph"] in ("X", "i"):
            pk.setdefault(e["args"]["packet"], []).append(e)
    pname = {e["pid"]: e["args"]["name"] for e in evs
             if e["ph"] == "M" and e["name"] == "process_name"}
    # Every end of every slice and every instant: (packet identity, stage,
    # ns), and the packets it is in.
    ends = {}
    problems = []
    for n, es in pk.items():
        rx = "id" in es[0]["args"]
        who = ev_ident(es[0]["args"], rx)
        if len({(e["pid"], e["tid"]) for e in es}) != 1:
            problems.append("packet %d on several threads" % n)
        first = min(es, key=lambda e: e["ts"])
        home = ("receive on CPU %d" % first["args"].get("from_cpu", first["args"].get("cpu"))
                if rx else " sk %d " % who[1])
        if home not in pname.get(es[0]["pid"], ""):
            problems.append("packet %d in process %r, not %r's" % (n, pname.get(es[0]["pid"]), home))
        xs = sorted((e for e in es if e["ph"] == "X"), key=lambda e: e["args"]["from_ns"])
        mine = set()
        for e in es:
            a = e["args"]
            if ev_ident(a, rx) != who:
                problems.append("packet %d: events of other packets" % n)
            if e["ph"] == "X":
                frm, to = e["name"].split()[-1].split("-")
                mine.add((who, frm, a["from_ns"]))
                mine.add((who, to, a["to_ns"]))
                if not (close(e["ts"], a["from_ns"] * US) and
                        close(e["dur"], (a["to_ns"] - a["from_ns"]) * US)):
                    problems.append("packet %d: %s ts/dur not its stage times" % (n, e["name"]))
                if a["retrans"] if not rx else False:
                    if not e["name"].startswith("retrans "):
                        problems.append("packet %d: a retransmission not named so" % n)
            else:
                mine.add((who, e["name"], a["ts_ns"]))
                if not close(e["ts"], a["ts_ns"] * US):
                    problems.append("packet %d: instant ts not its stage time" % n)
        for x in mine:
            ends.setdefault(x, set()).add(n)
        for a, b in zip(xs, xs[1:]):
            if (a["args"]["to_ns"] != b["args"]["from_ns"] or
                    a["name"].split("-")[-1] != b["name"].split()[-1].split("-")[0]):
                problems.append("packet %d: %s then %s: not consecutive" % (n, a["name"], b["name"]))
    check(not problems, "%s: %d packets, each on one thread, slices consecutive%s"
          % (path, len(pk), (": %s" % problems[:3]) if problems else ""))

    # No two packets at once on a thread.
    spans = {}
    for n, es in pk.items():
        t0 = min(e["ts"] for e in es)
        t1 = max(e["ts"] + e.get("dur", 0) for e in es)
        spans.setdefault((es[0]["pid"], es[0]["tid"]), []).append((t0, t1, n))
    overlap = []
    for th, ss in spans.items():
        ss.sort()
        for a, b in zip(ss, ss[1:]):
            if b[0] < a[1] - 1e-6:
                overlap.append((th, a[2], b[2]))
    check(not overlap, "%s: no two packets overlap on a thread %s" % (path, overlap[:3]))

    # Every record is there, in one packet, and nothing else is.  A send
    # call is the first stage of the skbs it sent (TCP: keys in its range,
    # a GSO skb's segments too; UDP: its datagram's key), or an instant of
    # its own.
    missing = []
    twice = []
    foreign = []
    calls = {}
    for w, s, t in ends:
        if s == "sendmsg":
            calls.setdefault((w[1], t), []).append(w)
    seen = set()
    for r in recs:
        if r["stage"] == "sendmsg":
            ws = calls.get((r["sk"], r["ts_ns"]), [])
            alone = [w for w in ws if not any(e["ph"] == "X" for n in ends[(w, "sendmsg", r["ts_ns"])]
                                              for e in pk[n])]
            if not ws:
                missing.append("sendmsg@%d" % r["ts_ns"])
            elif alone and len(ws) > 1:
                twice.append("sendmsg@%d in %s" % (r["ts_ns"], ws))
            foreign += ["sendmsg@%d key %d len %d in %s" % (r["ts_ns"], r["tskey"], r["len"], w)
                        for w in ws if w[4] or not (0 <= w[2] - r["tskey"] < r["len"]
                                                    if r["proto"] == "tcp" else w[2] == r["tskey"])]
            seen.update((w, "sendmsg", r["ts_ns"]) for w in ws)
            continue
        k = (ident(r), r["stage"], r["ts_ns"])
        if k not in ends:
            missing.append("%s %s@%d" % k)
        elif len(ends[k]) != 1:
            twice.append("%s %s@%d" % k)
        seen.add(k)
    check(not missing, "%s: every one of %d records is a stage of its packet%s"
          % (path, len(recs), (" (missing %d: %s)" % (len(missing), missing[:3])) if missing else ""))
    check(not twice, "%s: no record in two packets%s" % (path, (": %s" % twice[:3]) if twice else ""))
    check(not foreign, "%s: send calls start only skbs they sent%s"
          % (path, (": %s" % foreign[:3]) if foreign else ""))
    extra = [k for k in ends if k not in seen]
    check(not extra, "%s: no stage drawn that is not a record%s"
          % (path, (": %s" % extra[:3]) if extra else ""))

    # The records of one packet are one packet drawn, unless a stage came
    # twice (its key sent again).
    byident = {}
    for r in recs:
        if r["stage"] != "sendmsg":
            byident.setdefault(ident(r), []).append(r)
    split = []
    for w, rs in byident.items():
        if len({r["stage"] for r in rs}) < len(rs):
            continue
        ns = set().union(*(ends.get((w, r["stage"], r["ts_ns"]), set()) for r in rs))
        if len(ns) > 1:
            split.append("%s in packets %s" % (w, sorted(ns)))
    check(not split, "%s: the records of each of %d packets in one%s"
          % (path, len(byident), (": %s" % split[:3]) if split else ""))

    # Our flows' calls each start an skb's slices (TCP: the skb holding
    # its last byte, whose key that is; UDP: its datagram), not an instant.
    unstarted = []
    for r in recs:
        if r["stage"] != "sendmsg" or r["dport"] not in arrow_ports:
            continue
        ns = set().union(*(ends[(w, "sendmsg", r["ts_ns"])]
                           for w in calls.get((r["sk"], r["ts_ns"]), [])))
        if not any(e["ph"] == "X" for n in ns for e in pk[n]):
            unstarted.append("%s key %d len %d" % (r["proto"], r["tskey"], r["len"]))
    check(not unstarted, "%s: every send call to ports %s starts an skb's slices%s"
          % (path, arrow_ports, (": %s" % unstarted[:3]) if unstarted else ""))

    # Drops are instants, with where and why.
    drops = [r for r in recs if r["stage"] == "drop"]
    inst = {e["args"]["id"]: e for e in evs
            if e["ph"] == "i" and e["name"] == "drop"}
    check(drops and all(r["id"] in inst and inst[r["id"]]["args"]["location"] == r["location"]
                        and inst[r["id"]]["args"].get("drop_reason_name") == r.get("drop_reason_name")
                        and inst[r["id"]]["args"]["drop_reason"] == r["drop_reason"]
                        for r in drops),
          "%s: %d drops, each an instant with its location and reason" % (path, len(drops)))

    # Arrows: pairs, from a sent skb's slice to the same bytes received.
    flows = {}
    for e in evs:
        if e["ph"] in ("s", "f"):
            flows.setdefault(e["id"], []).append(e)
    paired = all(sorted(x["ph"] for x in v) == ["f", "s"] and
                 len({(x["name"], x["cat"]) for x in v}) == 1 for v in flows.values())
    check(paired, "%s: %d arrows, each one start and one finish" % (path, len(flows)))

    def slice_at(e):
        for x in evs:
            if (x["ph"] == "X" and x["pid"] == e["pid"] and x["tid"] == e["tid"] and
                    x["ts"] - 1e-6 <= e["ts"] <= x["ts"] + x["dur"] + 1e-6):
                return x
        return None

    wrong = []
    got = set()
    for v in flows.values():
        s = [x for x in v if x["ph"] == "s"][0]
        f = [x for x in v if x["ph"] == "f"][0]
        a, b = slice_at(s), slice_at(f)
        if not a or not b:
            wrong.append("arrow %d binds to no slice" % s["id"])
            continue
        a, b = a["args"], b["args"]
        if ("id" in a or "id" not in b or a["flow"] != b["flow"] or a["len"] != b["len"]
                or s["ts"] > f["ts"] + 0.0015 or (a["flow"].startswith("tcp") and a["key"] != b.get("key", a["key"]))):
            wrong.append("arrow %d: %s -> %s" % (s["id"], a, b))
        got.add(b["id"])
    check(not wrong, "%s: arrows join a sent skb to the same bytes received%s"
          % (path, (": %s" % wrong[:2]) if wrong else ""))
    for port in arrow_ports:
        want = {r["id"] for r in recs if "id" in r and r["dport"] == port and r["stage"] == "napi"}
        # A retransmitted TCP segment is received once, from either send.
        retrans = any(r.get("retrans") for r in recs if r["dport"] == port)
        check(want and (want <= got or (retrans and want & got)),
              "%s: port %d: %d of %d received packets have an arrow from their send%s"
              % (path, port, len(want & got), len(want), " (retransmissions: not all needed)" if retrans else ""))

    # What the trace says it holds, at its end and on standard error.
    counts = {"records": len(recs), "packets": len(pk), "arrows": len(flows),
              "slices": sum(e["ph"] == "X" for e in evs),
              "instants": sum(e["ph"] == "i" for e in evs)}
    other = doc.get("otherData", {})
    check(all(other.get(k) == counts[k] for k in ("records", "packets", "arrows")),
          "%s: otherData %s, holds %s" % (path, other, counts))
    said = reports.get(path)
    check(said == counts, "%s: reported %s, holds %s" % (path, said, counts))
    return evs


def drawn(evs):
    """The slices and instants, without what depends on the order drawn."""
    out = []
    for e in evs:
        if e["ph"] in ("X", "i"):
            a = dict(e["args"])
            del a["packet"]
            out.append(json.dumps([e["name"], e["ph"], e["ts"], e.get("dur"), a], sort_keys=True))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("records")
    ap.add_argument("traces", nargs="+")
    ap.add_argument("--arrows", default="", help="comma-separated destination ports")
    ap.add_argument("--stderr", nargs="*", default=[], help="what the writers said")
    a = ap.parse_args()
    # skbstamp: trace PATH: N records, N packets, N slices, N instants, N arrows
    reports = {}
    for name in a.stderr:
        with open(name) as f:
            for m in re.finditer(r"^skbstamp: trace (.*): (\d+) records, (\d+) packets, "
                                 r"(\d+) slices, (\d+) instants, (\d+) arrows$", f.read(), re.M):
                reports[m.group(1)] = dict(zip(("records", "packets", "slices", "instants",
                                                "arrows"), map(int, m.groups()[1:])))
    with open(a.records) as f:
        recs = [json.loads(line) for line in f if line.startswith("{")]
    ports = [int(p) for p in a.arrows.split(",") if p]
    check(len(recs) > 0, "%d records" % len(recs))
    first = check_trace(a.traces[0], recs, ports, reports)
    for other in a.traces[1:]:
        evs = check_trace(other, recs, ports, reports)
        if first is not None and evs is not None:
            check(drawn(evs) == drawn(first),
                  "%s: the same slices and instants as %s" % (other, a.traces[0]))
    done()


main()
