#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that uapi/skbstamp.yaml and uapi/linux/skbstamp.h agree.

Every enum of the header (commands, attributes, config and counter
attributes, states, stages) must appear in the spec with the same names and
values, and the spec must not name anything the header lacks.  Prints the
differences and exits 1 if there are any.
"""
import re
import sys

import yaml


def header_enums(text):
    """{enum name: {ENTRY: value}} with C's implicit numbering."""
    enums = {}
    for name, body in re.findall(r"enum (\w+) \{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        val, entries = -1, {}
        for item in body.split(","):
            item = item.strip()
            if not item or item.startswith("__") or "=" in item and item.split("=")[0].strip().endswith("_MAX"):
                continue
            if "=" in item:
                key, expr = (x.strip() for x in item.split("=", 1))
                val = int(expr, 0)
            else:
                key, val = item, val + 1
            entries[key] = val
        enums[name] = entries
    return enums


def spec_list(items, prefix, start):
    """YNL's implicit numbering: a value sets it, the next ones count on."""
    out, val = {}, start - 1
    for it in items:
        name = it if isinstance(it, str) else it["name"]
        val = it.get("value", val + 1) if isinstance(it, dict) else val + 1
        out[(prefix + name).upper().replace("-", "_")] = val
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    hdr = header_enums(open(top + "/uapi/linux/skbstamp.h").read())
    spec = yaml.safe_load(open(top + "/uapi/skbstamp.yaml"))
    want = {}
    for s in spec["attribute-sets"]:
        want[s["name"]] = spec_list(s["attributes"], s["name-prefix"], 1)
    ops = spec["operations"]
    want["cmd"] = spec_list(ops["list"], ops["name-prefix"], 1)
    for d in spec["definitions"]:
        if d["type"] == "enum":
            want[d["name"]] = spec_list(d["entries"], "skbstamp-%s-" % d["name"], 0)
    pairs = {"skbstamp": "skbstamp_attr", "cfg": "skbstamp_cfg",
             "cnt": "skbstamp_cnt", "cmd": "skbstamp_cmd",
             "state": "skbstamp_state", "stage": "skbstamp_stage",
             "hist": "skbstamp_hist", "mode": "skbstamp_mode",
             "drain": "skbstamp_drain", "pair": "skbstamp_pair"}
    bad = 0
    for sname, hname in pairs.items():
        h = {k: v for k, v in hdr.get(hname, {}).items() if not k.endswith("_UNSPEC")}
        w = want.get(sname, {})
        for k in sorted(set(h) | set(w)):
            if h.get(k) != w.get(k):
                print("%s: header %s, spec %s" % (k, h.get(k), w.get(k)))
                bad += 1
    consts = {d["name"]: d["value"] for d in spec["definitions"] if d["type"] == "const"}
    m = re.search(r"#define SKBSTAMP_BUCKET_SUB_BITS\s+(\d+)", open(top + "/uapi/linux/skbstamp.h").read())
    if not m or consts.get("bucket-sub-bits") != int(m.group(1)):
        print("bucket-sub-bits: header %s, spec %s" % (m and m.group(1), consts.get("bucket-sub-bits")))
        bad += 1
    if spec["name"] != "skbstamp" or spec["mcast-groups"]["list"][0]["name"] != "records":
        print("family or group name differs from SKBSTAMP_GENL_NAME / SKBSTAMP_MCGRP_RECORDS")
        bad += 1
    # The module's parameters and the tool spell stages alike: both
    # tables must name every stage of the spec, as the spec does.
    stages = [e if isinstance(e, str) else e["name"]
              for d in spec["definitions"] if d["name"] == "stage" for e in d["entries"]]
    for path in ("module/params.c", "tool/stages.c"):
        src = open(top + "/" + path).read()
        names = dict(re.findall(r'\[SKBSTAMP_STAGE_(\w+)\]\s*=\s*"(\w+)"', src))
        want_names = {s.upper().replace("-", "_"): s.replace("-", "_") for s in stages}
        if names != want_names:
            print("%s: stage names %s, spec %s" % (path, names, want_names))
            bad += 1
    if bad:
        sys.exit(1)
    print("spec and header agree: %d enums, %d entries"
          % (len(pairs), sum(len(v) for v in want.values())))


main()
