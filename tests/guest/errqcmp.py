#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what applications got from their error queues in two runs.

usage: errqcmp.py LABEL UNTRACED.json TRACED.json [LABEL UNTRACED TRACED]...

Each pair of files are sks-traffic client reports of one application, run
untraced and traced.  The timestamp messages must be the same multiset of
(type, key, software, hardware), and POLLERR the same.  Every pair is
checked (one python start for all: each costs about a second in a TCG
guest); the exit status is 1 if any differs.
"""
import json
import sys


def msgs(path):
    rep = json.load(open(path))
    return rep["pollerr"], sorted((e.get("type"), e.get("key"), e.get("sw"), e.get("hw"))
                                  for e in rep["errqueue"])


args = sys.argv[1:]
if not args or len(args) % 3:
    sys.exit("usage: errqcmp.py LABEL UNTRACED.json TRACED.json...")
bad = 0
for i in range(0, len(args), 3):
    label, a, b = args[i], msgs(args[i + 1]), msgs(args[i + 2])
    print("%s:" % label)
    if a != b:
        print("FAIL: untraced got pollerr=%s %s" % a)
        print("FAIL: traced   got pollerr=%s %s" % b)
        bad = 1
        continue
    print("same: pollerr=%s, %d messages %s" % (a[0], len(a[1]), sorted({m[0] for m in a[1]})))
sys.exit(bad)
