#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/guest.sh results into bench/results/ and the summary of
docs/benchmark.md.

usage: report.py --date DATE --outdir DIR [--doc docs/benchmark.md] RUNDIR...

Each RUNDIR (build/bench/KERNEL/MODE) holds meta.json (written by
bench/run.sh) and results.jsonl (written by bench/guest.sh in the guest).
Writes DIR/bench-DATE.json and DIR/bench-DATE.md, copies the Markdown to
DIR/latest.md and replaces the --doc file's text between the bench
markers with the summary.  Nothing here is a target check: the targets
are reported.
"""

import argparse
import json
import math
import os
import re
import sys

CONFIGS = {
    0: "(0) module not loaded",
    1: "(1) loaded, not started",
    2: "(2) started, filter matches nothing",
    3: "(3) records, every transmit stage, monitor draining",
    4: "(4) summary mode",
    5: "(5) application's own SO_TIMESTAMPING",
    6: "(6) bpftrace kprobes, per packet",
    7: "(7) BPF sock_ops timestamping",
    8: "(8) as (3), receive stages too",
    9: "(9) as (4), receive stages too",
    10: "(10) BPF timestamping, in-kernel histograms",
    11: "(11) records, every transmit stage, discarding collector (sks-sink)",
    12: "(12) records, every transmit stage, text monitor",
    13: "(13) one stage's hooks, filter matches nothing",
    14: "(14) summary, one stage",
    15: "(15) records, one stage, discarding collector",
    16: "(16) hooked calls counted (untimed)",
    17: "(17) records, every transmit stage, raw monitor (machine format)",
    18: "(18) as (17), receive stages too",
}
# configurations whose collector reads the records multicast group
NL_COLLECTOR = (3, 8, 11, 12, 15, 17, 18)
RECORDING = (3, 4, 8, 9, 11, 12, 14, 15, 17, 18)
LEDGER = (13, 14, 15, 16)
WORKLOADS = {
    "tcp_rr": "TCP RR (sockperf, 14 B)",
    "udp_rr": "UDP RR (sockperf, 14 B)",
    "tcp_rr_app": "TCP RR (sks-bench, 1 B)",
    "udp_rr_app": "UDP RR (sks-bench, 1 B)",
    "tcp_stream": "TCP bulk (iperf3)",
    "tcp_churn": "TCP churn (1 send/conn)",
}
MODES = {
    "icount": "QEMU TCG -icount shift=0,sleep=off, -smp 1: guest time counts "
              "instructions (1 ns = 1 instruction), so the host's load does not move "
              "the figures; the guest's own randomness (ports, sequence numbers, "
              "hash seeds) still does, by a few tenths of a percent between boots",
    "tcg": "QEMU TCG (-accel {accel}), -smp 2, real time: NOISY (2 host cores "
           "shared with other guests)",
}
BEGIN = "<!-- bench:begin (bench/report.py writes this section) -->"
END = "<!-- bench:end -->"


def load(rundir):
    meta = json.load(open(os.path.join(rundir, "meta.json")))
    rows, pipe, unavail, hooks = [], [], {}, {}
    path = os.path.join(rundir, "results.jsonl")
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                print("report: bad line in %s: %s" % (path, line), file=sys.stderr)
                continue
            if r.get("pipeline"):
                pipe.append(r)
            elif "hooks" in r:
                hooks[r["hooks"]] = r["functions"]
            elif "workload" not in r and r.get("stages"):
                unavail["%d:%s" % (r["config"], r["stages"])] = r.get("unavailable", "?")
            elif "workload" not in r:
                unavail[r["config"]] = r.get("unavailable", "?")
            else:
                rows.append(r)
    meta.update(results=rows, pipeline=pipe, unavailable=unavail, hooks=hooks,
                run=os.path.basename(os.path.normpath(rundir)))
    return meta


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def work_of(r, run):
    """Units of work the client did: transactions (sockperf's replies,
    sks-bench's ops), connections (churn) or Mbit (bulk)."""
    det = r.get("detail") or {}
    if det.get("received"):
        return det["received"]
    if det.get("ops"):
        return det["ops"]
    if r["workload"] == "tcp_stream":
        return r["rate"] * max(1, math.ceil(run["secs"]))
    return None


def key_of(r):
    """(config, workload) or (config, workload, stages) for the ledger's
    per-stage configurations."""
    if r.get("stages") and r["config"] in LEDGER:
        return (r["config"], r["workload"], r["stages"])
    return (r["config"], r["workload"])


def analyse(run):
    """Per (config, workload): rate, throughput loss vs (0), and from the
    measurement window: busy CPU per unit of work, its overhead vs (0),
    the collector's share and instructions per record."""
    res = {}
    for r in run["results"]:
        res[key_of(r)] = r
    out = {}
    icount = run["mode"] == "icount"
    for k, r in res.items():
        c, w = k[0], k[1]
        a = {"config": c, "workload": w}
        if len(k) > 2:
            a["stages"] = k[2]
        if "rate" not in r:
            a["unavailable"] = r.get("unavailable", "?")
            out[k] = a
            continue
        a.update(rate=r["rate"], unit=r["unit"])
        base = res.get((0, w))
        if base and base.get("rate"):
            a["overhead_pct"] = 100.0 * (1 - r["rate"] / base["rate"])
        work = work_of(r, run)
        win = r.get("window")
        bwin = base.get("window") if base else None
        if win and work and bwin and "core_busy_ns" in win:
            # the client's transactions (the core), plus what the window's
            # tail (the client's exit, the tracing's backlog) cost beyond
            # the same tail under (0)
            a["work"] = work
            a["busy_ns"] = win["core_busy_ns"] + win["tail_busy_ns"] - bwin["tail_busy_ns"]
            a["busy_per_work"] = a["busy_ns"] / work
            a["drain_s"] = win["drain_ns"] / 1e9
            bwork = work_of(base, run) if "rate" in base else None
            if bwork:
                b = bwin["core_busy_ns"] / bwork
                a["extra_per_work"] = a["busy_per_work"] - b
                a["cost_pct"] = 100.0 * (a["busy_per_work"] / b - 1)
        el = r.get("elapsed") or 0
        if c in RECORDING:
            n = r["generated"]
            a["lost"] = r["dropped_full"] + r["dropped_send"]
        elif c in (6, 7):
            n = r.get("tracer_lines", 0)
            a["lost"] = None
        elif c == 5:
            n = r.get("detail", {}).get("stamps", 0)
            a["lost"] = None
        else:
            n = 0
        if c in (4, 9, 14):
            a["events"] = r.get("summarized", 0)
        det = r.get("detail") or {}
        ops = det.get("received") or det.get("ops")
        if n and (ops or el):
            a["records"] = n
            # records per transaction times transactions per second where
            # the client counts its transactions (the rate's own window);
            # else over the client's whole run
            if ops:
                a["records_per_s"] = n / ops * r["rate"]
            elif w == "tcp_stream":
                # iperf3 -t takes whole seconds; its setup and teardown
                # around them carry next to no records
                a["records_per_s"] = n / max(1, math.ceil(run["secs"]))
            else:
                a["records_per_s"] = n / el
            if icount and "extra_per_work" in a:
                # the whole window's extra busy CPU over the records
                a["insn_per_record"] = a["extra_per_work"] * work / n
        if win and "collector_ns" in win and c in NL_COLLECTOR:
            got = r.get("delivered") or 0
            a["collector_ns"] = win["collector_ns"]
            if got:
                a["collector_per_record"] = win["collector_ns"] / got
                if "extra_per_work" in a and n:
                    a["kernel_per_record"] = (a["extra_per_work"] * work -
                                              win["collector_ns"]) / n
        if "calls" in r and work:
            a["calls_per_work"] = {f: v / work for f, v in r["calls"].items()}
        out[k] = a
    return out


def table(run, an, cost=False):
    """Configurations 0-12 by workload: the client's rate and its loss vs
    (0), or (cost) busy CPU per unit of work in the window and its
    increase over (0)."""
    keys = [k for k in an if len(k) == 2 and k[0] not in LEDGER]
    if cost and not any("busy_per_work" in an[k] for k in keys):
        return []
    wls = [w for w in WORKLOADS if any(k[1] == w for k in keys)]
    cfgs = sorted({k[0] for k in keys} |
                  {c for c in run["unavailable"] if isinstance(c, int) and c not in LEDGER})
    def head(w):
        if cost:
            u = "instr" if run["mode"] == "icount" else "ns"
            per = {"tcp_stream": "Mbit", "tcp_churn": "conn"}.get(w, "trans")
            return "%s [%s/%s]" % (WORKLOADS[w], u, per)
        u = next((an[k]["unit"] for k in keys if k[1] == w and "unit" in an[k]), None)
        return WORKLOADS[w] + (" [%s]" % u if u else "")
    lines = ["| configuration | " + " | ".join(head(w) for w in wls) + " |",
             "| --- |" + " ---: |" * len(wls)]
    for c in cfgs:
        cells = []
        for w in wls:
            a = an.get((c, w))
            if c in run["unavailable"]:
                cells.append("n/a")
            elif not a:
                cells.append("")
            elif "rate" not in a:
                cells.append("n/a")
            elif cost:
                if "busy_per_work" not in a:
                    cells.append("-")
                elif c == 0 or "cost_pct" not in a:
                    cells.append("%.0f" % a["busy_per_work"])
                else:
                    cells.append("%.0f (%+.2f%%)" % (a["busy_per_work"], a["cost_pct"]))
            elif c == 0 or "overhead_pct" not in a:
                cells.append(fmt(a["rate"]))
            else:
                cells.append("%s (%+.2f%%)" % (fmt(a["rate"]), a["overhead_pct"]))
        lines.append("| %s | %s |" % (CONFIGS[c], " | ".join(cells)))
    lines.append("")
    if cost:
        lines.append("Cells: busy CPU per unit of work over the configuration's own "
                     "window (client start until the CPU is idle, every record "
                     "delivered or dropped and the collector's socket empty), in guest "
                     "nanoseconds, which icount makes instructions (the increase over "
                     "(0) of the same workload in parentheses).")
        return lines
    lines.append("Cells: rate (throughput loss vs (0) of the same workload; "
                 "negative = faster).")
    skipped = [w for w in WORKLOADS if w not in wls]
    if skipped:
        lines.append("Not run this time (SKS_BENCH_WORKLOADS): %s." % ", ".join(skipped))
    notes = []
    for c in cfgs:
        if c in run["unavailable"]:
            notes.append("(%d) unavailable: %s" % (c, run["unavailable"][c]))
        for w in wls:
            a = an.get((c, w))
            if a and "unavailable" in a and c not in run["unavailable"]:
                notes.append("(%d) %s: %s" % (c, w, a["unavailable"]))
    if notes:
        lines.append("")
        lines += ["* " + n for n in notes]
    return lines


def records_table(run, an):
    lines = ["| configuration | workload | records/s | records | lost | "
             "instructions/record, whole window | collector's instructions/record | "
             "kernel's instructions/record | drain after the client (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    def opt(a, f, form="%.0f"):
        return form % a[f] if a.get(f) is not None else "-"
    for k, a in sorted(an.items(), key=lambda kv: (kv[0][0], list(WORKLOADS).index(kv[0][1]))):
        if len(k) > 2 or "records_per_s" not in a:
            continue
        lines.append("| (%d) | %s | %s | %d | %s | %s | %s | %s | %s |" % (
            k[0], k[1], fmt(a["records_per_s"]), a["records"],
            "-" if a["lost"] is None else a["lost"],
            opt(a, "insn_per_record"), opt(a, "collector_per_record"),
            opt(a, "kernel_per_record"), opt(a, "drain_s", "%.2f")))
    return lines


def ledger(run, an):
    """The cost ledger of the transmit path on request/response: per hooked
    function its calls per transaction, per stage the instructions per
    event untraced, in summary and in records mode (with a discarding
    collector), each stage alone against (1).  Returns (markdown lines,
    JSON)."""
    md, js = [], {}
    hooks = run.get("hooks") or {}
    units = "instructions" if run["mode"] == "icount" else "ns"
    for w in ("tcp_rr_app", "udp_rr_app", "tcp_rr", "udp_rr"):
        if not any(len(k) > 2 and k[1] == w for k in an):
            continue
        base = an.get((1, w)) or an.get((0, w))
        if not base or "busy_per_work" not in base:
            continue
        b = base["busy_per_work"]
        j = {"baseline_config": base["config"], "baseline_per_trans": b, "stages": {},
             "functions": {}}
        def extra(a):
            return a["busy_per_work"] - b if a and "busy_per_work" in a else None
        calls_u = (an.get((16, w, "unmatched")) or {}).get("calls_per_work") or {}
        calls_t = (an.get((16, w, "summary")) or {}).get("calls_per_work") or {}
        fnames = sorted(set(calls_u) | set(calls_t) |
                        {f for fs in hooks.values() for f in fs})
        md += ["#### %s: hooked functions" % WORKLOADS[w], "",
               "| function | hooked for stages | calls/trans, filter matches nothing | "
               "calls/trans, summary (every transmit stage) |",
               "| --- | --- | ---: | ---: |"]
        for f in fnames:
            st = [s for s, fs in hooks.items() if f in fs]
            cu, ct = calls_u.get(f), calls_t.get(f)
            if not cu and not ct:
                continue
            j["functions"][f] = {"stages": st, "calls_untraced": cu, "calls_traced": ct}
            md.append("| `%s` | %s | %s | %s |" % (
                f, ", ".join(st) or "-", "-" if cu is None else "%.2f" % cu,
                "-" if ct is None else "%.2f" % ct))
        md += ["", "#### %s: %s per event, each stage alone, over (%d) (%.0f per transaction)" % (
            WORKLOADS[w], units, base["config"], b), "",
               "| stage | untraced: extra/trans | hook hits/trans | per hit | "
               "summary: extra/trans | events/trans | per event | "
               "records: extra/trans | records/trans | per record | of which collector |",
               "| --- |" + " ---: |" * 10]
        stages = sorted({k[2] for k in an if len(k) > 2 and k[1] == w and k[0] in (13, 14, 15)},
                        key=lambda s: (["sendmsg", "sched", "sw", "ack", "txdone"] + [s]).index(s))
        def row(name, au, as_, ar, fs):
            eu, es, er = extra(au), extra(as_), extra(ar)
            hits = sum(calls_u.get(f, 0) for f in fs) if fs and calls_u else None
            ev = as_["events"] / as_["work"] if as_ and as_.get("work") and "events" in as_ else None
            rec = ar["records"] / ar["work"] if ar and ar.get("work") and ar.get("records") else None
            col = (ar["collector_per_record"] if ar and "collector_per_record" in ar else None)
            d = {"untraced_extra": eu, "hook_hits": hits,
                 "untraced_per_hit": eu / hits if eu is not None and hits else None,
                 "summary_extra": es, "events": ev,
                 "summary_per_event": es / ev if es is not None and ev else None,
                 "records_extra": er, "records": rec,
                 "records_per_record": er / rec if er is not None and rec else None,
                 "collector_per_record": col}
            def c(v, form="%.0f"):
                return "-" if v is None else form % v
            md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, c(eu), c(hits, "%.2f"), c(d["untraced_per_hit"]),
                c(es), c(ev, "%.2f"), c(d["summary_per_event"]),
                c(er), c(rec, "%.2f"), c(d["records_per_record"]), c(col)))
            return d
        tot = {}
        for s_ in stages:
            d = row(s_, an.get((13, w, s_)), an.get((14, w, s_)), an.get((15, w, s_)),
                    hooks.get(s_))
            j["stages"][s_] = d
            for f in ("untraced_extra", "summary_extra", "records_extra"):
                if d[f] is not None:
                    tot[f] = tot.get(f, 0) + d[f]
        alls = {f for fs in hooks.values() for f in fs}
        j["all"] = row("all (2) / (4) / (11)", an.get((2, w)), an.get((4, w)),
                       an.get((11, w)), alls)
        md += ["", "Sum of the stages alone: untraced %s, summary %s, records %s %s per "
               "transaction; the difference from \"all\" is cost the stages share "
               "(tagging and the socket table run for any traced stage) or that one "
               "stage alone does not reach." % (
                   *("%.0f" % tot[f] if f in tot else "-"
                     for f in ("untraced_extra", "summary_extra", "records_extra")), units), ""]
        j["sum_of_stages"] = tot
        js[w] = j
    if md:
        md += ["Method: each stage alone (`start dport 1 stages S`, `start mode summary "
               "stages S`, `start stages S` with bench/tools/sks-sink) against (1), as "
               "busy CPU per transaction over the configuration's window; hook hits and "
               "calls per transaction from an untimed pass with kprobe events on every "
               "function the module hooks (enabled_functions), under `start dport 1` and "
               "under `start mode summary`; events = the module's summarized counter, "
               "records = its generated counter; \"of which collector\" = sks-sink's own "
               "run time (/proc/PID/schedstat) per record.  Under icount, `rep movsb/stosb` "
               "count one instruction per byte, so copies and zeroed allocations weigh "
               "more than on hardware."]
    return md, js


def pipeline_table(run):
    if not run["pipeline"]:
        return []
    lines = ["| target datagrams/s | sent/s | records generated/s | delivered | dropped | loss |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    best = None
    stopped = [p for p in run["pipeline"] if p.get("collector_stopped")]
    for p in run["pipeline"]:
        if p.get("collector_stopped"):
            continue
        secs = p["seconds"] or 1
        drop = p["dropped_full"] + p["dropped_send"]
        gen = p["generated"]
        lines.append("| %d | %s | %s | %d | %d | %.2f%% |" % (
            p["target_rate"], fmt(p["sent"] / secs), fmt(gen / secs),
            p["delivered"], drop, 100.0 * drop / gen if gen else 0))
        if gen and drop == 0:
            best = max(best or 0, gen / secs)
    lines.append("")
    lines.append("Highest record rate delivered with zero loss: %s records/s." %
                 (fmt(best) if best else "none of the rates tried"))
    if best and all(p["dropped_full"] + p["dropped_send"] == 0 for p in run["pipeline"]):
        lines.append("Nothing was lost at any rate tried: where the sent rate stays "
                     "below the target, the one-CPU guest could not send faster, so "
                     "this is a lower bound and the loss point was not reached.")
    for p in stopped:
        secs = p["seconds"] or 1
        drop = p["dropped_full"] + p["dropped_send"]
        gen = p["generated"]
        run_rate = [q["sent"] / (q["seconds"] or 1) for q in run["pipeline"]
                    if not q.get("collector_stopped") and q["target_rate"] == p["target_rate"]]
        lines.append("")
        lines.append("Past the pipeline's capacity (the same flood at %d datagrams/s with "
                     "the collector stopped by SIGSTOP): %d records generated, %d delivered, "
                     "%d dropped (%.1f%%), %s; the sender sent %s datagrams/s%s." % (
                         p["target_rate"], gen, p["delivered"], drop,
                         100.0 * drop / gen if gen else 0,
                         "every record accounted for (generated = delivered + dropped)"
                         if gen == p["delivered"] + drop else
                         "NOT accounted for: generated != delivered + dropped",
                         fmt(p["sent"] / secs),
                         " against %s with the collector running" % fmt(run_rate[0])
                         if run_rate else ""))
    return lines


def targets(an):
    """Issue 17's targets, reported (not asserted): on the window's cost
    where there is one, else on the throughput loss."""
    def ov(c, w):
        a = an.get((c, w)) or {}
        return a.get("cost_pct", a.get("overhead_pct"))
    out = []

    def line(what, vals, limit):
        vs = [(w, v) for w, v in vals if v is not None]
        if not vs:
            return
        worst = max(v for _, v in vs)
        out.append("* %s: %s -> %s" % (
            what, ", ".join("%s %+.2f%%" % (w, v) for w, v in vs),
            "met" if worst <= limit else "NOT met (target %s%%)" % limit))
    rr = ["tcp_rr", "udp_rr", "tcp_rr_app", "udp_rr_app"]
    line("(1) target 0.0%", [(w, ov(1, w)) for w in WORKLOADS], 0.05)
    line("(2) target <=0.5% on one-byte RR", [(w, ov(2, w)) for w in rr], 0.5)
    line("(4) target <=3% on one-byte RR", [(w, ov(4, w)) for w in rr], 3)
    line("(4) target <=0.5% bulk", [("tcp_stream", ov(4, "tcp_stream"))], 0.5)
    line("(9) target <=8% on one-byte RR", [(w, ov(9, w)) for w in rr], 8)
    line("(11) (records, module with a discarding collector) target <=10% on one-byte RR",
         [(w, ov(11, w)) for w in rr], 10)
    line("(11) target <=3% bulk", [("tcp_stream", ov(11, "tcp_stream"))], 3)
    line("(17) (records, raw collector: a machine format) target <=10% on one-byte RR",
         [(w, ov(17, w)) for w in rr], 10)
    line("(17) target <=3% bulk", [("tcp_stream", ov(17, "tcp_stream"))], 3)
    line("(3) (records, JSON collector) target <=10% on one-byte RR",
         [(w, ov(3, w)) for w in rr], 10)
    line("(8) (JSON collector) target <=20% on one-byte RR", [(w, ov(8, w)) for w in rr], 20)
    line("(18) (as (8), raw collector: a machine format) target <=20% on one-byte RR",
         [(w, ov(18, w)) for w in rr], 20)
    for c, name in ((3, "skbstamp --json monitor"), (12, "skbstamp monitor"),
                    (17, "skbstamp monitor raw")):
        vs = [(w, (an.get((c, w)) or {}).get("collector_per_record")) for w in rr]
        vs = [(w, v) for w, v in vs if v is not None]
        if vs:
            out.append("* %s: %s instructions per record in the collector -> %s" % (
                name, ", ".join("%s %.0f" % wv for wv in vs),
                "met" if max(v for _, v in vs) <= 1500 else "NOT met (target 1500)"))
    for lo, hi in ((3, 7), (17, 7), (11, 7), (4, 10), (3, 5), (3, 6)):
        for w in ("tcp_rr_app", "udp_rr_app", "tcp_rr", "udp_rr", "tcp_stream", "tcp_churn"):
            a3, ac = ov(lo, w), ov(hi, w)
            if a3 is None or ac is None:
                continue
            out.append("* (%d) vs (%d) on %s: %+.2f%% vs %+.2f%% -> %s" % (
                lo, hi, w, a3, ac, "(%d) lower" % lo if a3 < ac else "(%d) NOT lower" % lo))
    return out


def overview(runs, ans):
    """Every icount run side by side: overhead vs (0) on the one-byte RR
    workloads (sks-bench), bulk and churn, one column per kernel.  @ans
    holds analyse()'s result for each run."""
    pairs = [(r, an) for r, an in zip(runs, ans) if r["mode"] == "icount"]
    if not pairs:
        return []
    runs = [r for r, _ in pairs]
    ws = [w for w in ("tcp_rr_app", "udp_rr_app", "tcp_rr", "udp_rr", "tcp_stream",
                      "tcp_churn")
          if any(k[1] == w for _, an in pairs for k in an)]
    lines = ["Cost against (0) of the same boot, in percent (busy CPU per unit of "
             "work in each configuration's own window; throughput loss for runs "
             "without windows), icount mode: %s; - = not run "
             "or not possible (full tables below)." % " / ".join(WORKLOADS[w] for w in ws), "",
             "| configuration | %s |" % " | ".join(
                 "%s (%s)" % (r["kernel"], r["run"]) if r["run"] != "icount" else r["kernel"]
                 for r in runs),
             "| --- |%s" % (" ---: |" * len(runs))]
    for c in sorted(CONFIGS):
        if c == 0 or c in LEDGER:
            continue
        vals = [[(lambda a: a.get("cost_pct", a.get("overhead_pct")))(an.get((c, w)) or {})
                 for w in ws]
                for _, an in pairs]
        if all(v is None for vs in vals for v in vs):
            continue
        cells = [" / ".join("-" if v is None else "%+.1f" % v for v in vs)
                 for vs in vals]
        lines.append("| %s | %s |" % (CONFIGS[c], " | ".join(cells)))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--date", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--doc")
    ap.add_argument("runs", nargs="+")
    o = ap.parse_args()
    runs = [load(d) for d in o.runs]
    md = ["# skbstamp benchmark, %s" % o.date, "",
          "Produced by `make bench` (bench/run.sh); see docs/benchmark.md "
          "for what is measured.", ""]
    summary = []
    ans = []
    for run in runs:
        an = analyse(run)
        ans.append(an)
        run["analysis"] = [dict(v) for v in an.values()]
        lmd, run["ledger"] = ledger(run, an)
        head = "%s (%s), %s" % (run["kernel"], run["abi"], run["run"])
        body = ["Run of %s.  Mode: %s.  %s.  %s s of guest time per data point; guest exit "
                "status %d; %d s of wall time." % (
                    run["date"], MODES.get(run["mode"], run["mode"]).format(
                        accel=run.get("accel", "tcg,thread=single")),
                    run["qemu"], run["secs"],
                    run["guest_rc"], run["wall_s"]), ""]
        ct = table(run, an, cost=True)
        if ct:
            body += ["Cost per unit of work, each configuration in its own window:", ""] + ct + [""]
        body += ["Throughput of the client:", ""] + table(run, an)
        rt = records_table(run, an)
        if len(rt) > 2:
            body += ["", "Records (generated while the client ran; instructions/record, "
                     "icount only = the window's extra busy CPU over (0) per record; "
                     "collector's = its own run time per record it received; kernel's = "
                     "the rest, i.e. capture, drain and delivery):", ""] + rt
        pt = pipeline_table(run)
        if pt:
            body += ["", "Record pipeline, configuration 3 (stages sendmsg, sched, sw: "
                     "three records per datagram), one-byte UDP paced from a to b:",
                     ""] + pt
        if lmd:
            body += ["", "### Cost ledger: the transmit path, %s" % head, ""] + lmd
        tg = targets(an)
        if tg:
            body += ["", "Targets (reported, not asserted):", ""] + tg
        md += ["## " + head, ""] + body + [""]
        if run["mode"] == "icount":
            summary += ["#### " + head, ""] + body + [""]
    base = "bench-%s" % re.sub(r"[^0-9A-Za-z]", "", o.date)
    os.makedirs(o.outdir, exist_ok=True)
    jpath = os.path.join(o.outdir, base + ".json")
    mpath = os.path.join(o.outdir, base + ".md")
    ov = overview(runs, ans)
    if ov:
        md[4:4] = ov + [""]
    json.dump({"date": o.date, "runs": runs}, open(jpath, "w"), indent=1)
    open(mpath, "w").write("\n".join(md))
    open(os.path.join(o.outdir, "latest.md"), "w").write("\n".join(md))
    print("report: wrote %s and %s" % (mpath, jpath))
    if o.doc:
        text = open(o.doc).read()
        if BEGIN not in text or END not in text:
            print("report: no bench markers in %s, not updated" % o.doc,
                  file=sys.stderr)
            return
        new = "\n".join([BEGIN, "",
                         "Latest run (%s), deterministic (icount) mode; all modes, "
                         "including the noisy real-time one, in `%s`." % (o.date, mpath),
                         ""] + ov + [""] + summary + [END])
        i, j = text.index(BEGIN), text.index(END) + len(END)
        open(o.doc, "w").write(text[:i] + new + text[j:])
        print("report: updated %s" % o.doc)


if __name__ == "__main__":
    main()
