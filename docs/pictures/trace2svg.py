#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw one packet of a skbstamp trace as an SVG timeline, for the docs.

usage: trace2svg.py TRACE.json OUT.svg [PACKET]

TRACE.json is what `skbstamp trace convert` (or `monitor ... trace FILE`)
writes.  The picture shows sent packet PACKET (default: the first one
with a flow arrow) and the received packets its arrows reach: one row per
track (a socket's lane, a receive CPU's lane), each stage-to-stage slice
as a box named and timed as in the trace, the arrows as lines.  It is
what ui.perfetto.dev shows of those events, drawn without a browser.
"""
import json
import sys
from xml.sax.saxutils import escape

ROW_H, LABEL_W, WIDTH, TOP = 34, 360, 1200, 40
TITLE = 'skbstamp trace'
COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948',
          '#b07aa1', '#9c755f', '#ff9da7', '#bab0ac']


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ev = json.load(open(sys.argv[1]))['traceEvents']
    names = {}
    for e in ev:
        if e['ph'] == 'M' and e['name'] == 'process_name':
            names[e['pid']] = e['args']['name']
    slices = [e for e in ev if e['ph'] == 'X']
    arrows = {}
    for e in ev:
        if e['ph'] in 'sf':
            arrows.setdefault(e['id'], {})[e['ph']] = e
    pkt_of = {}
    for e in slices:
        pkt_of.setdefault(e['args']['packet'], []).append(e)

    def packet_at(a):
        """The packet whose slice holds arrow end @a."""
        for e in slices:
            if (e['pid'], e['tid']) == (a['pid'], a['tid']) and \
               e['ts'] <= a['ts'] <= e['ts'] + e['dur']:
                return e['args']['packet']
        return None

    links = [(packet_at(a['s']), packet_at(a['f']), a)
             for a in arrows.values() if 's' in a and 'f' in a]
    sent = int(sys.argv[3]) if len(sys.argv) == 4 else \
        min(s for s, _, _ in links if s is not None)
    shown = {sent} | {f for s, f, _ in links if s == sent}
    drawn = [e for e in slices if e['args']['packet'] in shown]
    if not drawn:
        sys.exit('trace2svg: no packet %d in %s' % (sent, sys.argv[1]))
    t0 = min(e['ts'] for e in drawn)
    t1 = max(e['ts'] + e['dur'] for e in drawn)
    scale = (WIDTH - LABEL_W - 20) / (t1 - t0)
    rows = []
    for e in drawn:
        if (e['pid'], e['tid']) not in rows:
            rows.append((e['pid'], e['tid']))
    height = TOP + ROW_H * len(rows) + 64

    def x(ts):
        return LABEL_W + (ts - t0) * scale

    def y(track):
        return TOP + ROW_H * rows.index(track)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (WIDTH, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="18" font-size="13">%s: one send and its arrival '
           'over %.0f us (times in us)</text>' % (escape(TITLE), t1 - t0)]
    for track in rows:
        out.append('<text x="8" y="%d">%s</text>'
                   % (y(track) + 20, escape(names.get(track[0], '')[:60])))
    stage_names = sorted({e['name'] for e in drawn})
    for e in drawn:
        w = max(e['dur'] * scale, 1)
        c = COLORS[stage_names.index(e['name']) % len(COLORS)]
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s">'
                   '<title>%s %.3f us</title></rect>'
                   % (x(e['ts']), y((e['pid'], e['tid'])) + 4, w, ROW_H - 8, c,
                      escape(e['name']), e['dur']))
        label = '%s %.0f' % (e['name'], e['dur'])
        if w > 6.2 * len(label):
            out.append('<text x="%.1f" y="%d" fill="white">%s</text>'
                       % (x(e['ts']) + 3, y((e['pid'], e['tid'])) + 21,
                          escape(label)))
    for s, f, a in links:
        if s == sent and f in shown:
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"'
                       ' stroke-width="1.5"/>'
                       % (x(a['s']['ts']), y((a['s']['pid'], a['s']['tid'])) + ROW_H - 4,
                          x(a['f']['ts']), y((a['f']['pid'], a['f']['tid'])) + 4))
    base = TOP + ROW_H * len(rows) + 12
    for i in range(6):
        ts = t0 + (t1 - t0) * i / 5
        out.append('<text x="%.1f" y="%d" text-anchor="middle">+%.0f</text>'
                   % (x(ts), base, ts - t0))
    # The legend: boxes too narrow for their names are named here.
    lx = LABEL_W
    for name in stage_names:
        c = COLORS[stage_names.index(name) % len(COLORS)]
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>'
                   % (lx, base + 14, c, lx + 14, base + 23, escape(name)))
        lx += 14 + 6.2 * len(name) + 16
    out.append('</svg>')
    with open(sys.argv[2], 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
