#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/guest.sh results into bench/results/ and README's summary.

usage: report.py --date DATE --outdir DIR [--readme README.md] RUNDIR...

Each RUNDIR (build/bench/KERNEL/MODE) holds meta.json (written by
bench/run.sh) and results.jsonl (written by bench/guest.sh in the guest).
Writes DIR/bench-DATE.json and DIR/bench-DATE.md, copies the Markdown to
DIR/latest.md and replaces README's text between the bench markers with
the summary.  Nothing here is a target check: the targets are reported.
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
}
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
    rows, pipe, unavail = [], [], {}
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
            elif "workload" not in r:
                unavail[r["config"]] = r.get("unavailable", "?")
            else:
                rows.append(r)
    meta.update(results=rows, pipeline=pipe, unavailable=unavail,
                run=os.path.basename(os.path.normpath(rundir)))
    return meta


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def analyse(run):
    """Per (config, workload): rate, overhead vs (0), records/s, insn/record."""
    res = {}
    for r in run["results"]:
        res[(r["config"], r["workload"])] = r
    out = {}
    for (c, w), r in res.items():
        a = {"config": c, "workload": w}
        if "rate" not in r:
            a["unavailable"] = r.get("unavailable", "?")
            out[(c, w)] = a
            continue
        a.update(rate=r["rate"], unit=r["unit"])
        base = res.get((0, w))
        if base and base.get("rate"):
            a["overhead_pct"] = 100.0 * (1 - r["rate"] / base["rate"])
        el = r.get("elapsed") or 0
        if c in (3, 4, 8, 9):
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
            # icount, one CPU always busy: 1e9 guest ns per guest second are
            # 1e9 instructions; what the tracing costs per second of work,
            # spread over its records.
            if run["mode"] == "icount" and base and base.get("rate"):
                a["insn_per_record"] = 1e9 * (1 - r["rate"] / base["rate"]) / a["records_per_s"]
        out[(c, w)] = a
    return out


def table(run, an):
    wls = [w for w in WORKLOADS if any(k[1] == w for k in an)]
    cfgs = sorted({k[0] for k in an} | set(run["unavailable"]))
    def head(w):
        u = next((an[k]["unit"] for k in an if k[1] == w and "unit" in an[k]), None)
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
            elif c == 0 or "overhead_pct" not in a:
                cells.append(fmt(a["rate"]))
            else:
                cells.append("%s (%+.2f%%)" % (fmt(a["rate"]), a["overhead_pct"]))
        lines.append("| %s | %s |" % (CONFIGS[c], " | ".join(cells)))
    lines.append("")
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
    lines = ["| configuration | workload | records/s | records | lost | instructions/record |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for (c, w), a in sorted(an.items(), key=lambda kv: (kv[0][0], list(WORKLOADS).index(kv[0][1]))):
        if "records_per_s" not in a:
            continue
        ipr = a.get("insn_per_record")
        lines.append("| (%d) | %s | %s | %d | %s | %s |" % (
            c, w, fmt(a["records_per_s"]), a["records"],
            "-" if a["lost"] is None else a["lost"],
            "%.0f" % ipr if ipr is not None else "-"))
    return lines


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
    """The issue's targets, reported (not asserted)."""
    def ov(c, w):
        a = an.get((c, w))
        return a.get("overhead_pct") if a else None
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
    line("(2) target <1% on one-byte RR", [(w, ov(2, w)) for w in rr], 1)
    line("(3) target <5% on one-byte RR", [(w, ov(3, w)) for w in rr], 5)
    line("(3) target <2% bulk", [("tcp_stream", ov(3, "tcp_stream"))], 2)
    line("(4) target <2%", [(w, ov(4, w)) for w in WORKLOADS], 2)
    for c in (5, 6, 7):
        for w in ("tcp_rr_app", "udp_rr_app", "tcp_rr", "udp_rr", "tcp_stream", "tcp_churn"):
            a3, ac = ov(3, w), ov(c, w)
            if a3 is None or ac is None:
                continue
            out.append("* (3) vs (%d) on %s: %+.2f%% vs %+.2f%% -> %s" % (
                c, w, a3, ac, "(3) lower" if a3 < ac else "(3) NOT lower"))
    return out


def overview(runs, ans):
    """Every icount run side by side: overhead vs (0) on the one-byte RR
    workloads (sks-bench), bulk and churn, one column per kernel.  @ans
    holds analyse()'s result for each run."""
    pairs = [(r, an) for r, an in zip(runs, ans) if r["mode"] == "icount"]
    if not pairs:
        return []
    runs = [r for r, _ in pairs]
    ws = ("tcp_rr_app", "udp_rr_app", "tcp_stream", "tcp_churn")
    lines = ["Overhead against (0) of the same boot, in percent, icount mode: "
             "TCP RR / UDP RR (sks-bench, 1 B) / TCP bulk / TCP churn; - = not run "
             "or not possible (full tables below).", "",
             "| configuration | %s |" % " | ".join(
                 "%s (%s)" % (r["kernel"], r["run"]) if r["run"] != "icount" else r["kernel"]
                 for r in runs),
             "| --- |%s" % (" ---: |" * len(runs))]
    for c in sorted(CONFIGS):
        if c == 0:
            continue
        vals = [[(an.get((c, w)) or {}).get("overhead_pct") for w in ws]
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
    ap.add_argument("--readme")
    ap.add_argument("runs", nargs="+")
    o = ap.parse_args()
    runs = [load(d) for d in o.runs]
    md = ["# skbstamp benchmark, %s" % o.date, "",
          "Produced by `make bench` (bench/run.sh); see README's Benchmark section "
          "for what is measured.", ""]
    summary = []
    ans = []
    for run in runs:
        an = analyse(run)
        ans.append(an)
        run["analysis"] = [dict(v) for v in an.values()]
        head = "%s (%s), %s" % (run["kernel"], run["abi"], run["run"])
        body = ["Run of %s.  Mode: %s.  %s.  %s s of guest time per data point; guest exit "
                "status %d; %d s of wall time." % (
                    run["date"], MODES.get(run["mode"], run["mode"]).format(
                        accel=run.get("accel", "tcg,thread=single")),
                    run["qemu"], run["secs"],
                    run["guest_rc"], run["wall_s"]), ""]
        body += table(run, an)
        rt = records_table(run, an)
        if len(rt) > 2:
            body += ["", "Records (what each tracer produced while the client ran; "
                     "instructions/record = extra guest instructions per second of "
                     "work over records per second, icount only):", ""] + rt
        pt = pipeline_table(run)
        if pt:
            body += ["", "Record pipeline, configuration 3 (stages sendmsg, sched, sw: "
                     "three records per datagram), one-byte UDP paced from a to b:",
                     ""] + pt
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
    if o.readme:
        text = open(o.readme).read()
        if BEGIN not in text or END not in text:
            print("report: no bench markers in %s, not updated" % o.readme,
                  file=sys.stderr)
            return
        new = "\n".join([BEGIN, "",
                         "Latest run (%s), deterministic (icount) mode; all modes, "
                         "including the noisy real-time one, in `%s`." % (o.date, mpath),
                         ""] + ov + [""] + summary + [END])
        i, j = text.index(BEGIN), text.index(END) + len(END)
        open(o.readme, "w").write(text[:i] + new + text[j:])
        print("report: updated %s" % o.readme)


if __name__ == "__main__":
    main()
