#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check hardware timestamps of UDP traffic through an sks_testnic pair.

  hwts-check.py rx --port P --count N --phc /dev/ptpX [--timeout S]
      Receive N datagrams with SOF_TIMESTAMPING_RX_HARDWARE|RAW_HARDWARE
      (and software RX stamps); every one must carry a raw hardware stamp
      that is not in the future of the PHC and not older than --window s.
  hwts-check.py tx --dst ADDR --port P --count N --phc /dev/ptpX [--sw]
      Send N datagrams with SOF_TIMESTAMPING_TX_HARDWARE|RAW_HARDWARE|OPT_ID
      (--sw: also TX_SOFTWARE|SOFTWARE|OPT_TX_SWHW) and read each TX
      timestamp from the error queue: the hardware stamp must lie between
      PHC readings taken before and after the send.
  hwts-check.py hold --dst ADDR --port P --count N --wait-file F
      Send N datagrams requesting hardware TX stamps and do not read them;
      print the socket's send-queue bytes (SIOCOUTQ), wait until F exists,
      print them again (0 = every skb the driver held was released).

Prints one line per datagram and a summary; exit status 0 on success.
"""

import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time

SO_TIMESTAMPING = 37            # SO_TIMESTAMPING_OLD, == SCM_TIMESTAMPING
SOF_TX_HARDWARE = 1 << 0
SOF_TX_SOFTWARE = 1 << 1
SOF_RX_HARDWARE = 1 << 2
SOF_RX_SOFTWARE = 1 << 3
SOF_SOFTWARE = 1 << 4
SOF_RAW_HARDWARE = 1 << 6
SOF_OPT_ID = 1 << 7
SOF_OPT_TX_SWHW = 1 << 14
SO_EE_ORIGIN_TIMESTAMPING = 4
SCM_TSTAMP_SND = 0
IP_RECVERR = 11
IPV6_RECVERR = 25
CLOCKFD = 3


def phc_open(path):
    fd = os.open(path, os.O_RDONLY)
    return fd, ((~fd) << 3) | CLOCKFD


def phc_ns(clk):
    return time.clock_gettime_ns(clk)


def parse_ts(data):
    """struct scm_timestamping: ts[0] software, ts[2] raw hardware."""
    v = struct.unpack('qqqqqq', data[:48])
    return v[0] * 10**9 + v[1], v[4] * 10**9 + v[5]


def fmt(ns):
    return '%d.%09d' % divmod(ns, 10**9)


def udp_socket(addr, port=0, bind=False):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if bind:
        s.bind((addr, port))
    return s


def do_rx(a):
    _, clk = phc_open(a.phc)
    s = udp_socket(a.bind, a.port, bind=True)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                 SOF_RX_HARDWARE | SOF_RAW_HARDWARE | SOF_RX_SOFTWARE | SOF_SOFTWARE)
    s.settimeout(a.timeout)
    bad = 0
    if a.ready:
        open(a.ready, 'w').close()
    for i in range(a.count):
        try:
            _, anc, _, src = s.recvmsg(2048, 1024)
        except socket.timeout:
            print('rx: timeout after %d datagrams' % i)
            return 1
        now = phc_ns(clk)
        sw = hw = 0
        for lvl, typ, data in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPING:
                sw, hw = parse_ts(data)
        ok = hw and 0 <= now - hw <= a.window * 10**9
        bad += not ok
        print('rx %d from %s: hw %s sw %s phc-hw %+.6f ms %s' %
              (i, src[0], fmt(hw), fmt(sw), (now - hw) / 1e6, 'ok' if ok else 'BAD'))
    print('rx: %d/%d datagrams with a plausible hardware stamp' % (a.count - bad, a.count))
    return 1 if bad else 0


def tx_socket(a, flags):
    s = udp_socket(a.dst)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, flags)
    return s


def read_errqueue(s, timeout):
    """Wait for one error-queue message: (hw, sw, ee_info, ee_data) or None."""
    p = select.poll()
    p.register(s, select.POLLERR)
    if not p.poll(timeout * 1000):
        return None
    _, anc, _, _ = s.recvmsg(2048, 1024, socket.MSG_ERRQUEUE)
    hw = sw = 0
    info = data_id = None
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPING:
            sw, hw = parse_ts(data)
        elif (lvl, typ) in ((socket.IPPROTO_IP, IP_RECVERR), (socket.IPPROTO_IPV6, IPV6_RECVERR)):
            _, origin, _, _, _, info, data_id = struct.unpack('IBBBBII', data[:16])
            if origin != SO_EE_ORIGIN_TIMESTAMPING:
                info = None
    return hw, sw, info, data_id


def do_tx(a):
    _, clk = phc_open(a.phc)
    flags = SOF_TX_HARDWARE | SOF_RAW_HARDWARE | SOF_OPT_ID
    if a.sw:
        flags |= SOF_TX_SOFTWARE | SOF_SOFTWARE | SOF_OPT_TX_SWHW
    s = tx_socket(a, flags)
    bad = 0
    lat = []
    for i in range(a.count):
        before = phc_ns(clk)
        t0 = time.monotonic_ns()
        s.sendto(b'skbstamp-testnic %d' % i, (a.dst, a.port))
        hw = sw = 0
        while not hw:
            r = read_errqueue(s, a.timeout)
            if r is None:
                break
            if r[0]:
                hw = r[0]
                lat.append(time.monotonic_ns() - t0)
            if r[1]:
                sw = r[1]
        after = phc_ns(clk)
        if a.sw and not sw:   # the software stamp may come after the hardware one
            r = read_errqueue(s, a.timeout)
            sw = r[1] if r else 0
        ok = hw and before <= hw <= after and (sw or not a.sw)
        bad += not ok
        print('tx %d: hw %s in [%s, %s] (+%.3f ms after 1st PHC read) sw %s %s' %
              (i, fmt(hw), fmt(before), fmt(after), (hw - before) / 1e6, fmt(sw),
               'ok' if ok else 'BAD'))
        time.sleep(a.interval)
    if lat:
        lat.sort()
        print('tx: send -> hw stamp on error queue: min %.3f ms median %.3f ms max %.3f ms' %
              (lat[0] / 1e6, lat[len(lat) // 2] / 1e6, lat[-1] / 1e6))
    print('tx: %d/%d datagrams with a hardware stamp within the PHC bracket' %
          (a.count - bad, a.count))
    return 1 if bad else 0


def outq(s):
    return struct.unpack('i', fcntl.ioctl(s, termios.TIOCOUTQ, b'\0' * 4))[0]


def do_hold(a):
    s = tx_socket(a, SOF_TX_HARDWARE | SOF_RAW_HARDWARE | SOF_OPT_ID)
    for i in range(a.count):
        s.sendto(b'skbstamp-testnic hold %d' % i, (a.dst, a.port))
    time.sleep(0.5)
    print('hold: sent %d, send queue %d bytes' % (a.count, outq(s)), flush=True)
    while not os.path.exists(a.wait_file):
        time.sleep(0.1)
    time.sleep(0.2)
    q = outq(s)
    n = 0
    while read_errqueue(s, 0) is not None:
        n += 1
    print('hold: after %s: send queue %d bytes, %d error-queue messages' % (a.wait_file, q, n))
    return 1 if q else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', choices=('rx', 'tx', 'hold'))
    ap.add_argument('--dst')
    ap.add_argument('--bind', default='::')
    ap.add_argument('--port', type=int, default=31900)
    ap.add_argument('--count', type=int, default=5)
    ap.add_argument('--phc')
    ap.add_argument('--sw', action='store_true')
    ap.add_argument('--timeout', type=float, default=10)
    ap.add_argument('--window', type=float, default=10, help='max age of an RX stamp, s')
    ap.add_argument('--interval', type=float, default=0.05)
    ap.add_argument('--ready', help='file to create once the receiver is bound')
    ap.add_argument('--wait-file')
    a = ap.parse_args()
    return {'rx': do_rx, 'tx': do_tx, 'hold': do_hold}[a.mode](a)


if __name__ == '__main__':
    sys.exit(main())
