#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The raw record stream on the host (no module): "skbstamp monitor raw"'s
# format read back by "skbstamp decode".
#
# - Round trip: a corpus written raw (sks-recfmt raw-json|raw-text) and
#   decoded by the tool's decode code gives what monitor's formatting gives
#   the same records, JSON and text, byte for byte.
# - Longer records (a newer module's) are written cut to ours.
# - The skbstamp binary itself decodes a file and standard input alike.
# - Input that is not a whole raw stream is refused with a clear message
#   and exit status 1; a file that cannot be opened is status 2.
# - A received packet whose napi comes after its read (records of two
#   CPUs) is one whole text line (tool/assemble.c).
#
# Usage: tests/lib/raw-check.sh (from the top of the tree, tool and
# tests/tools built).  Prints what it checked; exit 1 at the first failure.
set -u
tool=tool/skbstamp
recfmt=tests/tools/sks-recfmt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail()
{
	echo "FAIL: $*"
	exit 1
}

for mode in json text; do
	for corpus in all tx; do
		"$recfmt" raw-$mode $corpus 30000 5 >"$tmp/in.raw" || fail "raw-$mode $corpus"
		"$recfmt" decode $mode <"$tmp/in.raw" >"$tmp/dec" || fail "decode $mode"
		"$recfmt" $mode $corpus 30000 5 >"$tmp/fmt" || fail "$mode $corpus"
		[ -s "$tmp/fmt" ] || fail "$mode $corpus printed nothing"
		cmp "$tmp/dec" "$tmp/fmt" || fail "decode of raw $corpus differs from $mode"
		echo "ok: $mode, corpus $corpus: $(wc -l <"$tmp/fmt") lines, decoded the same"
	done
done

# A newer module's longer records are cut to ours as monitor raw writes
# them (sks_raw_write_records(), in pieces of 64): the very same stream.
for mode in json text; do
	"$recfmt" raw-$mode all 30000 6 >"$tmp/in.raw" || fail "raw-$mode all"
	"$recfmt" wide-$mode all 30000 6 >"$tmp/wide.raw" || fail "wide-$mode all"
	[ "$(wc -c <"$tmp/in.raw")" -eq $((24 + 30000 * 136)) ] ||
		fail "raw-$mode all: $(wc -c <"$tmp/in.raw") bytes"
	cmp "$tmp/wide.raw" "$tmp/in.raw" || fail "longer records cut differ ($mode)"
	echo "ok: $mode, records 27 bytes longer than ours: cut to the same stream"
done

# The binary: a file argument, "-" and standard input give the same lines
# (the tx corpus has no drops, whose names depend on the host).
"$recfmt" raw-json tx 2000 3 >"$tmp/tx.raw"
"$recfmt" json tx 2000 3 >"$tmp/tx.json"
"$tool" --json decode "$tmp/tx.raw" >"$tmp/a" || fail "decode FILE: status $?"
"$tool" --json decode - <"$tmp/tx.raw" >"$tmp/b" || fail "decode -: status $?"
"$tool" --json decode <"$tmp/tx.raw" >"$tmp/c" || fail "decode (stdin): status $?"
cmp "$tmp/a" "$tmp/tx.json" && cmp "$tmp/b" "$tmp/tx.json" && cmp "$tmp/c" "$tmp/tx.json" ||
	fail "skbstamp --json decode differs from the records' JSON"
echo "ok: skbstamp --json decode FILE, -, stdin: $(wc -l <"$tmp/a") lines as formatted"

# expect STATUS MESSAGE-PART ARGS... <INPUT: decode refuses INPUT.
expect()
{
	local want=$1 msg=$2 rc
	shift 2
	"$tool" --json decode "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "decode $*: status $rc, not $want ($(<"$tmp/err"))"
	grep -qF -- "$msg" "$tmp/err" || fail "decode $*: said '$(<"$tmp/err")', not '$msg'"
	[ -s "$tmp/out" ] && fail "decode $*: printed something"
	echo "ok: status $want, '$(<"$tmp/err")'"
}

expect 1 "empty: not a raw record stream" </dev/null
head -c 10 "$tmp/tx.raw" >"$tmp/short"
expect 1 "truncated header" "$tmp/short"
printf 'NOTSKBST\1\0\0\0\210\0\0\0\0\0\0\0\0\0\0\0' >"$tmp/magic"
expect 1 "not a raw record stream" <"$tmp/magic"
printf 'SKBSTAMP\0\0\0\1\210\0\0\0\0\0\0\0\0\0\0\0' >"$tmp/swapped"
expect 1 "other byte order" <"$tmp/swapped"
printf 'SKBSTAMP\1\0\0\0\100\0\0\0\0\0\0\0\0\0\0\0' >"$tmp/small"
expect 1 "64-byte records" <"$tmp/small"
expect 2 "cannot open" "$tmp/nonexistent"
expect 1 "one FILE at most" a b </dev/null
# A whole record, then part of one: the whole one is printed first.
head -c $((24 + 136 + 50)) "$tmp/tx.raw" >"$tmp/cut"
"$tool" --json decode "$tmp/cut" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -qF "cut short (50 of 136 bytes)" "$tmp/err" ||
	fail "a cut record: status $rc, '$(<"$tmp/err")'"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && cmp -s "$tmp/out" <(head -n 1 "$tmp/tx.json") ||
	fail "a cut record: the whole one before it was not printed as formatted"
echo "ok: status 1 for a cut record, the whole one before it printed"
# A header and no record: nothing, and success.
head -c 24 "$tmp/tx.raw" | "$tool" --json decode >"$tmp/out" ||
	fail "a stream of no records: status $?"
[ -s "$tmp/out" ] && fail "a stream of no records printed something"
echo "ok: a stream of no records prints nothing"
# monitor raw - refuses a terminal before it asks the module anything.
script -qec "$tool monitor raw -" /dev/null >"$tmp/tty" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -qF "not writing a raw record stream to a terminal" "$tmp/tty" ||
	fail "monitor raw - on a terminal: status $rc, '$(<"$tmp/tty")'"
echo "ok: monitor raw - refuses a terminal (status 1)"

# A received packet's records from two CPUs, its napi (CPU 1) after its
# read (CPU 0), as per-CPU batches can bring them: the text line waits
# for the napi, one whole line, not one at the read and an incomplete
# one after it.
python3 - "$tmp/order.raw" <<'PY'
import socket, struct, sys
NAPI, NETIF, IP, L4, SOCKQ, READ = 8, 9, 10, 11, 12, 13
stages = sum(1 << s for s in (NAPI, NETIF, IP, L4, SOCKQ, READ))
def rec(stage, ts, cpu):
    return struct.pack("<QQQQIIIiIHBBBBHH2s16s16s16sQQII",
                       ts, 0, 77, 7, 1000, 100, 42, 2, 0, cpu, stage,
                       socket.IPPROTO_TCP, socket.AF_INET, 0,
                       socket.htons(5000), socket.htons(6000), b"",
                       bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]),
                       b"reader", 0, 0, 0, 0)
out = b"SKBSTAMP" + struct.pack("<IIII", 1, 136, stages, 0)
t = 5_000_000_000
for i, s in enumerate((NETIF, IP, L4, SOCKQ, READ)):
    out += rec(s, t + 1000 * (i + 1), 0)
out += rec(NAPI, t, 1)
open(sys.argv[1], "wb").write(out)
PY
"$tool" decode "$tmp/order.raw" >"$tmp/order.txt" || fail "decode of the napi-last stream"
lines=$(grep -c " id 7:" "$tmp/order.txt")
[ "$lines" = 1 ] && grep -q " id 7: napi +0ns netif .* read " "$tmp/order.txt" &&
	! grep -q incomplete "$tmp/order.txt" ||
	fail "napi after read: $lines lines: $(<"$tmp/order.txt")"
echo "ok: a received packet's napi after its read: one whole line"
