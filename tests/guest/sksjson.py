# SPDX-License-Identifier: GPL-2.0
"""Helpers for the in-guest cases' JSON checks (python3 - DIR <<'EOF').

check() prints every assertion as ok/FAIL and remembers failures; done()
exits 1 if any failed, so a case sees all that is wrong in one run.
"""
import json
import sys

_bad = []
tmp = sys.argv[1] if len(sys.argv) > 1 else "."


def load(name):
    """The JSON document in tmp/name."""
    with open("%s/%s" % (tmp, name)) as f:
        return json.load(f)


def records(name, killed=False):
    """The JSON records (one object per line) in tmp/name.

    killed: the writer was killed, so its last line may be cut short; that
    line alone is left out.
    """
    with open("%s/%s" % (tmp, name)) as f:
        lines = [line for line in f if line.startswith("{")]
    if killed and lines and not lines[-1].endswith("\n"):
        lines.pop()
    return [json.loads(line) for line in lines]


def tx_flow(name, proto, dport, killed=False):
    """The transmit records (they carry "retrans"; receive records do not)
    of the proto flow to dport in tmp/name, in time order (killed: as
    records())."""
    return sorted((r for r in records(name, killed)
                   if r["dport"] == dport and r["proto"] == proto and "retrans" in r),
                  key=lambda r: r["ts_ns"])


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        _bad.append(what)


def done():
    sys.exit(1 if _bad else 0)
