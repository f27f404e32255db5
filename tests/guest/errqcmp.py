#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what an application got from its error queue in two runs.

usage: errqcmp.py UNTRACED.json TRACED.json

Both files are sks-traffic client reports.  The timestamp messages must be
the same multiset of (type, key, software, hardware), and POLLERR the same.
"""
import json
import sys


def msgs(path):
    rep = json.load(open(path))
    return rep["pollerr"], sorted((e.get("type"), e.get("key"), e.get("sw"), e.get("hw"))
                                  for e in rep["errqueue"])


a, b = msgs(sys.argv[1]), msgs(sys.argv[2])
if a != b:
    print("FAIL: untraced got pollerr=%s %s" % a)
    print("FAIL: traced   got pollerr=%s %s" % b)
    sys.exit(1)
print("same: pollerr=%s, %d messages %s" % (a[0], len(a[1]), sorted({m[0] for m in a[1]})))
