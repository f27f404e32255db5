#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cost ledger from bench/ledger-guest.sh's windows (bench/ledger.sh).

usage: ledger.py RUNDIR KERNEL [--json FILE] [--top N]

Each window's instructions, block by block, are the difference of the
plugin's dumps at its two marks; blocks are attributed to the function
that contains their first instruction (the guest's /proc/kallsyms saved
in the window's configuration, module symbols and ftrace trampolines
included).  Every configuration is compared with "loaded" (module loaded,
not started) on the same workload: the extra instructions per transaction,
in total and function by function.  A block that starts in one function
and runs on (a fall-through into the next symbol) is counted whole to the
first: rare in kernel text, where functions end in a return or a jump.
"""
import bisect
import json
import os
import sys

# A block further than this past the last symbol below it has no symbol.
MAX_FUNC = 64 * 1024


def load_prof(path):
    blocks = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#'):
                continue
            v, n, c = line.split()
            blocks[(int(v, 16), int(n, 16))] = int(c)
    return blocks


def load_syms(path):
    addrs, names = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 3 or p[1] not in 'tTwW':
                continue
            a = int(p[0], 16)
            if not a:
                continue
            name = p[2]
            if len(p) > 3:
                name += ' ' + p[3]
            addrs.append(a)
            names.append(name)
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order]


class Symbolizer:
    def __init__(self, path):
        self.addrs, self.names = load_syms(path)
        self.starts = set(self.addrs)
        self.cache = {}

    def __call__(self, a):
        if a in self.cache:
            return self.cache[a]
        if a < 0xffff800000000000:
            name = '[user]'
        else:
            i = bisect.bisect_right(self.addrs, a) - 1
            if i < 0 or a - self.addrs[i] > MAX_FUNC:
                name = '[kernel, no symbol]'
            else:
                name = self.names[i]
        self.cache[a] = name
        return name


def window(rundir, idx, sym):
    """Instructions and calls by function between marks idx and idx + 1.

    A function's calls are the runs of the block at its first address
    (a loop back to the very first instruction would count as a call:
    kernel functions start with their ftrace call site, never a loop head).
    """
    a = load_prof(os.path.join(rundir, 'prof-%d' % idx))
    b = load_prof(os.path.join(rundir, 'prof-%d' % (idx + 1)))
    funcs, calls = {}, {}
    for key, c in b.items():
        d = c - a.get(key, 0)
        if d > 0:
            name = sym(key[0])
            funcs[name] = funcs.get(name, 0) + d * key[1]
            if key[0] in sym.starts:
                calls[name] = calls.get(name, 0) + d
    return funcs, calls


def module_text(funcs):
    return sum(v for k, v in funcs.items() if k.endswith('[skbstamp]'))


def check(rundir, wins, per):
    """What says the windows measured what they claim, else a list of why not.

    Not started, the module runs no instruction; started, its hooks run on
    every packet, as BPF timestamping's programs do on every TCP packet; summary mode summarizes and records mode delivers at
    least the 2 transmit events per transaction every stage set has (the
    module's own counters, read at the end of each configuration).
    """
    problems = []
    for _, cfg, wl, n, _ in wins:
        mod = module_text(per[(cfg, wl)])
        if cfg in ('loaded', 'warmup') and mod:
            problems.append('%s %s: %.0f module instructions per transaction '
                            'while not started' % (cfg, wl, mod))
        bpf = cfg.split(':')[0] in ('bpfhist', 'bpfring')
        if cfg not in ('loaded', 'warmup') and not bpf and mod < 10:
            problems.append('%s %s: no module instructions: the window missed '
                            'the hooks' % (cfg, wl))
        # BPF timestamping (sock_ops) sees TCP alone.
        if bpf and wl == 'tcp' and sum(
                v for k, v in per[(cfg, wl)].items() if k.endswith('[bpf]')) < 10:
            problems.append('%s %s: no BPF program instructions' % (cfg, wl))
    for cfg in {c for _, c, _, _, _ in wins}:
        name = cfg.split(':')[0]
        if name not in ('summary', 'records', 'json', 'text', 'raw'):
            continue
        n = sum(w[3] for w in wins if w[1] == cfg)
        try:
            with open(os.path.join(rundir, 'status-%s.json' % cfg)) as f:
                st = json.load(f)
        except (OSError, ValueError) as e:
            problems.append('%s: no status: %s' % (cfg, e))
            continue
        key = 'summarized' if name == 'summary' else 'delivered'
        got = st.get('counters', st).get(key, 0)
        if got < 2 * n:
            problems.append('%s: %s %d, fewer than 2 per transaction (%d)'
                            % (cfg, key, got, n))
    return problems


def main():
    args = sys.argv[1:]
    jpath, top = None, 40
    if '--json' in args:
        i = args.index('--json')
        jpath = args[i + 1]
        del args[i:i + 2]
    if '--top' in args:
        i = args.index('--top')
        top = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    rundir, kernel = args
    wins = []
    with open(os.path.join(rundir, 'windows')) as f:
        for line in f:
            idx, cfg, wl, n, syms = line.split()
            wins.append((int(idx), cfg, wl, int(n), syms))
    syms = {}
    per, ncalls = {}, {}
    for idx, cfg, wl, n, sname in wins:
        if sname not in syms:
            syms[sname] = Symbolizer(os.path.join(rundir, sname))
        funcs, calls = window(rundir, idx, syms[sname])
        per[(cfg, wl)] = {k: v / n for k, v in funcs.items()}
        ncalls[(cfg, wl)] = {k: v / n for k, v in calls.items()}

    problems = check(rundir, wins, per)
    out = {'kernel': kernel, 'windows': [], 'problems': problems}
    print('# Cost ledger, %s: instructions per transaction (icount, exact)'
          % kernel)
    print()
    print('From bench/ledger.sh: guest instructions counted block by block by '
          'the sks-qprof QEMU plugin over windows of one-byte request/response '
          'transactions (client in netns a, server in b, veth, one vCPU, '
          '-icount). "extra" is against the module loaded but not started. '
          'Under icount a `rep movs/stos` counts once per iteration.')
    print()
    workloads = sorted({wl for _, _, wl, _, _ in wins})
    cfgs = []
    for _, cfg, _, _, _ in wins:
        if cfg not in cfgs:
            cfgs.append(cfg)
    print('"module text" is exact: instructions run in the module\'s own '
          'functions.  The rest of "extra" is the kernel: ftrace\'s '
          'trampolines, the clock, locks, copies and netlink the module '
          'calls, but also the state of the guest (slab refills, neighbour '
          'resolution), which moves a window by a few hundred instructions '
          'per transaction either way: the warm-up row, the same '
          'configuration as "loaded", shows by how much.')
    print()
    print('| configuration | ' + ' | '.join(
        '%s RR instr/trans | extra | module text' % wl.upper()
        for wl in workloads) + ' |')
    print('| --- |' + ' ---: | ---: | ---: |' * len(workloads))
    for cfg in cfgs:
        row = ['| %s' % cfg]
        for wl in workloads:
            cur = per.get((cfg, wl), {})
            t = sum(cur.values())
            base = sum(per.get(('loaded', wl), {}).values())
            mod = module_text(cur)
            row.append('%.0f' % t)
            row.append('%+.0f (%+.2f%%)' % (t - base, 100 * (t - base) / base)
                       if base and cfg != 'loaded' else '')
            row.append('%.0f' % mod)
        print(' | '.join(row) + ' |')
    print()
    for cfg in cfgs:
        if cfg == 'loaded':
            continue
        for wl in workloads:
            cur, base = per.get((cfg, wl)), per.get(('loaded', wl))
            if cur is None or base is None:
                continue
            names = set(cur) | set(base)
            diff = {k: cur.get(k, 0) - base.get(k, 0) for k in names}
            cc, bc = ncalls[(cfg, wl)], ncalls[('loaded', wl)]
            dcalls = {k: cc.get(k, 0) - bc.get(k, 0) for k in names}
            total = sum(diff.values())
            mod = module_text(diff)
            rows = sorted(diff.items(), key=lambda kv: -abs(kv[1]))
            out['windows'].append({'config': cfg, 'workload': wl,
                                   'extra_per_trans': total,
                                   'module_per_trans': mod,
                                   'functions': {k: {'instr': v,
                                                     'calls': dcalls[k]}
                                                 for k, v in rows
                                                 if abs(v) >= 1}})
            print('## %s, %s RR: %+.0f instructions per transaction '
                  '(module text %+.0f, kernel %+.0f)'
                  % (cfg, wl.upper(), total, mod, total - mod))
            print()
            print('| function | extra instr/trans | extra calls/trans '
                  '| instr/call |')
            print('| --- | ---: | ---: | ---: |')
            shown = 0
            for k, v in rows:
                if shown >= top or abs(v) < 2:
                    break
                c = dcalls[k]
                per_call = ('%.0f' % (cur.get(k, 0) / cc[k])
                            if cc.get(k, 0) >= 0.5 else '')
                print('| `%s` | %+.1f | %+.2f | %s |' % (k, v, c, per_call))
                shown += 1
            print()
    if jpath:
        with open(jpath, 'w') as f:
            json.dump(out, f, indent=1)
    for p in problems:
        print('ledger: %s' % p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
