# SPDX-License-Identifier: GPL-2.0
"""Check deploy/grafana/skbstamp.json, the dashboard of skbstamp export.

  dashcheck.py DASHBOARD [--export PROM] [--rules OUT]

Always: the dashboard is one JSON object in Grafana's dashboard model
(schemaVersion, templating with a Prometheus datasource variable and a host
variable, panels with id, type, title and gridPos inside the 24-column grid,
every query panel's targets with refId and expr, every datasource the
variable).  --export: every metric and label name in every PromQL expression
(panels' and variables') is one a real skbstamp export wrote in PROM, and
every label matcher with a literal value (no $variable) matches a value the
export gave that label, so a misspelled value (pair="sched_sw") fails.
--rules: every expression, template variables replaced by values, written as
a Prometheus rule file, so that promtool check rules parses them all.
Prints ok/FAIL per check and exits 1 if any failed.
"""
import json
import re
import sys

bad = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        bad.append(what)


# PromQL words that are not metric names when they stand alone.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan"}


def names(expr):
    """The metric names and label names an expression uses."""
    labels = set()
    # String literals hold label values and regexes, never names.
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    for sel in re.findall(r"\{([^}]*)\}", e):
        labels.update(re.findall(r"([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)", sel))
    e = re.sub(r"\{[^}]*\}", " ", e)
    for grp in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", e):
        labels.update(x.strip() for x in grp.split(",") if x.strip())
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    # Range and subquery durations: [5m], [$__rate_interval], [1h:1m].
    e = re.sub(r"\[[^\]]*\]", " ", e)
    metrics = set()
    for m in re.finditer(r"(?<![\w.$])([A-Za-z_:][\w:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in KEYWORDS:
            continue
        metrics.add(word)
    return metrics, labels


def matchers(expr):
    """(label, op, value) of the label matchers whose value is a literal."""
    out = []
    for sel in re.findall(r'\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}', expr):
        for lab, op, val in re.findall(r'([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', sel):
            if "$" not in val:
                out.append((lab, op, val))
    return out


def variable_queries(dash):
    """(name, metric-selector expression, label) of label_values() variables."""
    out = []
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"^\s*label_values\((.*),\s*([A-Za-z_]\w*)\s*\)\s*$", q or "")
        check(m is not None, "variable %s: label_values(SELECTOR, LABEL)" % v.get("name"))
        if m:
            out.append((v["name"], m.group(1), m.group(2)))
    return out


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def structure(dash):
    check(isinstance(dash, dict), "the dashboard is a JSON object")
    check(isinstance(dash.get("schemaVersion"), int) and 36 <= dash["schemaVersion"] <= 41,
          "schemaVersion %r (Grafana 9-11)" % dash.get("schemaVersion"))
    for k in ("uid", "title"):
        check(isinstance(dash.get(k), str) and dash[k], "has a %s" % k)
    tl = dash.get("templating", {}).get("list", [])
    by = {v.get("name"): v for v in tl}
    ds = by.get("datasource", {})
    check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
          "a Prometheus datasource variable named datasource")
    for name in ("host", "pair"):
        v = by.get(name, {})
        check(v.get("type") == "query" and v.get("datasource", {}).get("uid") == "${datasource}",
              "variable %s queries ${datasource}" % name)
    exprs = []
    ids = set()
    panels = list(all_panels(dash.get("panels", [])))
    check(len(panels) > 0, "has panels")
    kinds = set()
    for p in panels:
        what = "panel %r" % p.get("title")
        check(isinstance(p.get("id"), int) and p["id"] not in ids, what + ": a unique id")
        ids.add(p.get("id"))
        check(isinstance(p.get("type"), str) and isinstance(p.get("title"), str) and p["title"],
              what + ": type and title")
        g = p.get("gridPos", {})
        check(all(isinstance(g.get(k), int) for k in "hwxy") and g.get("w", 0) > 0 and
              g.get("h", 0) > 0 and g.get("x", -1) >= 0 and g.get("x", 0) + g.get("w", 0) <= 24,
              what + ": gridPos inside the 24 columns")
        kinds.add(p.get("type"))
        if p.get("type") == "row":
            continue
        check(p.get("datasource", {}).get("uid") == "${datasource}", what + ": datasource ${datasource}")
        ts = p.get("targets", [])
        check(len(ts) > 0, what + ": has targets")
        refs = [t.get("refId") for t in ts]
        check(len(set(refs)) == len(refs) and all(refs), what + ": unique refIds")
        for t in ts:
            check(t.get("datasource", {}).get("uid") == "${datasource}",
                  what + " " + str(t.get("refId")) + ": datasource ${datasource}")
            check(isinstance(t.get("expr"), str) and t["expr"].strip() != "",
                  what + " " + str(t.get("refId")) + ": an expr")
            exprs.append((what + " " + str(t.get("refId")), t.get("expr", ""), p))
    for k in ("heatmap", "timeseries", "stat"):
        check(k in kinds, "a %s panel" % k)
    check(any(p.get("repeat") == "pair" for p in panels), "a row or panel repeated per pair")
    return exprs


def exported(path):
    """Metric names, and each label's values, of a Prometheus text exposition."""
    metrics, values, odd = set(), {}, []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+$", line.rstrip("\n"))
        if m:
            metrics.add(m.group(1))
            for lab, val in re.findall(r'([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""):
                values.setdefault(lab, set()).add(val)
        else:
            odd.append(line.strip())
    check(not odd, "every export line parses %s" % odd[:3])
    return metrics, values


def substitute(expr, values):
    """Grafana's variables replaced as Grafana would, for promtool."""
    e = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
    for k, v in values.items():
        e = e.replace("${%s}" % k, v).replace("$" + k, v)
    return e


def main():
    args = sys.argv[1:]
    opt = {}
    while len(args) > 1 and args[-2].startswith("--"):
        opt[args[-2]] = args[-1]
        args = args[:-2]
    if len(args) != 1 or set(opt) - {"--export", "--rules"}:
        sys.exit("usage: dashcheck.py DASHBOARD [--export PROM] [--rules OUT]")
    with open(args[0]) as f:
        dash = json.load(f)
    exprs = structure(dash)
    for name, sel, label in variable_queries(dash):
        exprs.append(("variable " + name, sel, None))
        exprs.append(("variable " + name + " label", "x{%s=\"\"}" % label, None))
    check(len(exprs) > 0, "PromQL expressions found")
    used_m, used_l = set(), set()
    for what, e, _ in exprs:
        m, lab = names(e)
        used_m |= m
        used_l |= lab
    if "--export" in opt:
        em, ev = exported(opt["--export"])
        el = set(ev)
        check(len(em) > 0, "the export has metrics")
        for what, e, _ in exprs:
            m, lab = names(e)
            if what.endswith(" label"):
                m = set()
            check(m <= em, "%s: metrics %s exported" % (what, sorted(m - em) or "all"))
            check(lab <= el, "%s: labels %s exported" % (what, sorted(lab - el) or "all"))
            for l, op, v in [] if what.endswith(" label") else matchers(e):
                # A negative matcher of a value never exported excludes
                # nothing: as wrong as a positive one that selects nothing.
                hit = [x for x in ev.get(l, ()) if
                       (re.fullmatch(v, x) if "~" in op else x == v)]
                check(hit, "%s: %s%s%r matches an exported value %s"
                      % (what, l, op, v, sorted(ev.get(l, ()))[:6]))
        check("le" in used_l and "host" in used_l, "the dashboard uses le and host")
        hist = {x for x in em if x.startswith("skbstamp_latency_seconds")}
        check(hist <= used_m | {"skbstamp_latency_seconds_sum", "skbstamp_latency_seconds_count"},
              "the latency histogram's buckets are shown")
    if "--rules" in opt:
        values = {"host": ".*", "pair": "sched-sw", "proto": ".*", "datasource": "prometheus"}
        with open(opt["--rules"], "w") as f:
            f.write("groups:\n- name: skbstamp-dashboard\n  rules:\n")
            for i, (what, e, _) in enumerate(exprs):
                f.write("  - record: skbstamp_dashboard:expr%d\n    expr: %s\n"
                        % (i, json.dumps(substitute(e, values))))
        print("wrote %d expressions to %s" % (len(exprs), opt["--rules"]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
