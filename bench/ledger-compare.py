#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two runs of make ledger, configuration by configuration.

usage: ledger-compare.py BEFORE-DIR AFTER-DIR [KERNEL...]

BEFORE-DIR and AFTER-DIR are ledger outputs (build/ledger-TAG), each with
KERNEL/ledger.json and KERNEL/ledger.md.  Prints a markdown table: for
each kernel, configuration and workload, the module's own instructions
per transaction (exact) and the whole extra cost against "loaded", in
instructions and in percent of that run's "loaded" transaction.  Without
KERNEL arguments, every kernel both runs have.
"""

import json
import os
import re
import sys


def load(d, kernel):
    """({(config, workload): window}, {workload: loaded instr/trans})."""
    with open(os.path.join(d, kernel, 'ledger.json')) as f:
        wins = {(w['config'], w['workload']): w
                for w in json.load(f)['windows']}
    base = {}
    with open(os.path.join(d, kernel, 'ledger.md')) as f:
        for line in f:
            m = re.match(r'\| loaded \| (\d+) \|[^|]*\|[^|]*\| (\d+) \|', line)
            if m:
                base = {'tcp': int(m.group(1)), 'udp': int(m.group(2))}
                break
    if not base:
        sys.exit('%s/%s/ledger.md: no "loaded" row' % (d, kernel))
    return wins, base


def cell(before, after, base_b, base_a):
    mb, ma = before['module_per_trans'], after['module_per_trans']
    eb, ea = before['extra_per_trans'], after['extra_per_trans']
    change = ' (%+.0f%%)' % ((ma - mb) * 100.0 / mb) if mb else ''
    return ('%s -> %s%s' % (format(round(mb), ','), format(round(ma), ','),
                            change),
            '%+.1f%% -> %+.1f%%' % (eb * 100.0 / base_b, ea * 100.0 / base_a))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().split('\n\n')[1])
    bdir, adir = sys.argv[1], sys.argv[2]
    kernels = sys.argv[3:] or sorted(
        set(os.listdir(bdir)) & set(os.listdir(adir)) - {'src'},
        key=lambda k: [int(x) for x in re.findall(r'\d+', k)])
    print('| kernel | configuration | TCP module text | TCP extra | '
          'UDP module text | UDP extra |')
    print('| --- | --- | ---: | ---: | ---: | ---: |')
    for k in kernels:
        if not os.path.exists(os.path.join(bdir, k, 'ledger.json')):
            continue
        bw, bb = load(bdir, k)
        aw, ab = load(adir, k)
        configs = [c for c, w in aw if w == 'tcp' and
                   c not in ('warmup', 'loaded') and (c, 'tcp') in bw]
        for c in configs:
            row = [k, c]
            for wl in ('tcp', 'udp'):
                if (c, wl) in bw and (c, wl) in aw:
                    row += cell(bw[(c, wl)], aw[(c, wl)], bb[wl], ab[wl])
                else:
                    row += ['-', '-']
            print('| ' + ' | '.join(row) + ' |')


if __name__ == '__main__':
    main()
