# skbstamp export: the summary histograms and counters in the Prometheus
# text format, on stdout, in a file written atomically (once and with
# interval), and over HTTP.  promtool (Debian's prometheus package) must
# accept each, and the numbers must be those of hist --json and status
# --json: per histogram the cumulative count at every finite bucket's le
# (the same le set everywhere, so histograms aggregate across hosts), _count,
# _sum in seconds; the record counters as _total.

command -v promtool >/dev/null || sks_skip "promtool not installed (apt-get install prometheus)"
sks_load
sks_netns_pair
ip link set lo up
"$SKS_TOOL" start mode summary || sks_fail "start mode summary failed"
sks_udp 6200 30
sks_tcp_flow 10.0.0.2 6201 sizes 100,200,300 gap-us 2000 nodelay
sks_sleep 0.3

# While running: the file form, refreshed by interval, replaced atomically.
"$SKS_TOOL" export file "$SKS_TMP/live.prom" interval 1 host guest1 &
exp=$!
# The file is renamed into place: once there, it is complete.
sks_wait_file "$SKS_TMP/live.prom"
grep -q '^skbstamp_running{host="guest1"} 1$' "$SKS_TMP/live.prom" ||
	sks_fail "export file: no skbstamp_running 1 while running"
"$SKS_TOOL" stop || sks_fail "stop failed"
# The next rewrites (every second) see the stop.
sks_wait_has "$SKS_TMP/live.prom" 'skbstamp_running{host="guest1"} 0'
kill -TERM $exp
wait $exp || sks_fail "export file interval exited with status $?"
grep -q '^skbstamp_running{host="guest1"} 0$' "$SKS_TMP/live.prom" ||
	sks_fail "export file interval did not refresh the file after stop"
ls "$SKS_TMP" | grep -q 'live.prom.' && sks_fail "export file left a temporary file"

# Stopped: the histograms of the run stay, so every form sees one snapshot.
"$SKS_TOOL" export host guest1 >"$SKS_TMP/out.prom" || sks_fail "export failed"
"$SKS_TOOL" export file "$SKS_TMP/file.prom" host guest1 || sks_fail "export file failed"
"$SKS_TOOL" export listen 127.0.0.1:9977 host guest1 2>"$SKS_TMP/listen.err" &
exp=$!
sks_wait_has "$SKS_TMP/listen.err" serving
exec 3<>/dev/tcp/127.0.0.1/9977
printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' >&3
cat <&3 >"$SKS_TMP/http.txt"
exec 3<&-
kill -TERM $exp
wait $exp || sks_fail "export listen exited with status $?"
head -n 1 "$SKS_TMP/http.txt" | grep -q '^HTTP/1.0 200' || sks_fail "HTTP status: $(head -n 1 "$SKS_TMP/http.txt")"
sed '1,/^\r$/d' "$SKS_TMP/http.txt" >"$SKS_TMP/http.prom"
cmp -s "$SKS_TMP/out.prom" "$SKS_TMP/file.prom" || sks_fail "export file differs from stdout"
cmp -s "$SKS_TMP/out.prom" "$SKS_TMP/http.prom" || sks_fail "export listen differs from stdout"
for f in out live; do
	promtool check metrics <"$SKS_TMP/$f.prom" || sks_fail "promtool rejects $f.prom"
done
"$SKS_TOOL" --json hist >"$SKS_TMP/h.json" || sks_fail "hist --json failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s.json" || sks_fail "status --json failed"
head -n 30 "$SKS_TMP/out.prom"

sks_check "$SKS_TMP" <<'PY' || sks_fail "export numbers differ from hist --json"
import re
from decimal import Decimal
from sksjson import check, done, load, tmp

m = {}
for line in open(tmp + "/out.prom"):
    if line.startswith("#") or not line.strip():
        continue
    name, labels, val = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line).groups()
    lab = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels or ""))
    check(lab.get("host") == "guest1", "%s: host label" % name)
    m.setdefault(name, []).append((lab, val))

# The uapi's bucket layout: SKBSTAMP_BUCKET_SUB_BITS 3, buckets up to 2^36 ns.
NBUCKETS = (36 - 3 + 1) << 3

def lower(i):
    return i if i < 8 else (8 + i % 8) << (i // 8 - 1)

def one(name, **want):
    v = [val for lab, val in m.get(name, []) if all(lab.get(k) == x for k, x in want.items())]
    return v[0] if len(v) == 1 else None

hs = load("h.json")["histograms"]
check(len(hs) >= 6, "at least six histograms (udp and tcp pairs)")
# The traffic: 30 datagrams, and 3 TCP send calls of one skb each.
check(one("skbstamp_latency_seconds_count", pair="sched-sw", proto="udp") == "30",
      "udp sched-sw: _count 30, one per datagram")
check(one("skbstamp_latency_seconds_count", pair="sendmsg-ack", proto="tcp") == "3",
      "tcp sendmsg-ack: _count 3, one per send call")
check(len(m["skbstamp_latency_seconds_count"]) == len(hs), "one exported histogram per hist --json histogram")
for h in hs:
    key = dict(pair=h["pair"], proto=h["proto"])
    what = "%s %s" % (h["proto"], h["pair"])
    check(one("skbstamp_latency_seconds_count", **key) == str(h["count"]), what + ": _count")
    check(one("skbstamp_latency_seconds_bucket", le="+Inf", **key) == str(h["count"]), what + ": +Inf bucket")
    check(Decimal(one("skbstamp_latency_seconds_sum", **key)) == Decimal(h["sum_ns"]) / 10**9, what + ": _sum in seconds")
    check(Decimal(one("skbstamp_latency_max_seconds", **key)) == Decimal(h["max_ns"]) / 10**9, what + ": max in seconds")
    got = {}
    for lab, val in m["skbstamp_latency_seconds_bucket"]:
        if lab["pair"] == h["pair"] and lab["proto"] == h["proto"] and lab["le"] != "+Inf":
            got.setdefault(Decimal(lab["le"]) * 10**9, []).append(val)
    bad = 0
    for i in range(NBUCKETS - 1):
        le = lower(i + 1) - 1
        cum = sum(b["count"] for b in h["buckets"] if b["upper_ns"] - 1 <= le)
        bad += got.get(le) != [str(cum)]
    check(bad == 0, what + ": cumulative count at every finite bucket's le = upper - 1 ns")
    check(len(got) == NBUCKETS - 1, what + ": the same le set for every histogram: every finite bucket")

c = load("s.json")["counters"]
for k in ("generated", "delivered", "dropped_full", "dropped_send", "summarized", "tags_abandoned"):
    name = "skbstamp_tags_abandoned_total" if k == "tags_abandoned" else "skbstamp_records_%s_total" % k
    check(one(name) == str(c[k]), "%s = status %s (%d)" % (name, k, c[k]))
check(one("skbstamp_records_buffered") == str(c["buffered"]), "buffered gauge")
check(one("skbstamp_rx_evicted_total") == str(c["rx_evicted"]), "rx evicted counter")
check(one("skbstamp_rx_tracked") == str(c["rx_tracked"]), "rx tracked gauge")
for k in ("tags_evicted", "socks_evicted"):
    check(one("skbstamp_%s_total" % k) == str(c[k]), "%s counter" % k)
for k in ("tags_pending", "socks_tracked"):
    check(one("skbstamp_" + k) == str(c[k]), "%s gauge" % k)
check(one("skbstamp_running") == "0" and one("skbstamp_up") == "1", "up 1, running 0 after stop")
done()
PY

# Unloaded: the one-shot form fails like every command, the server says up 0.
sks_unload
"$SKS_TOOL" export >/dev/null 2>&1 && sks_fail "export without the module succeeded"
"$SKS_TOOL" export file "$SKS_TMP/down.prom" interval 1 &
exp=$!
sks_wait_file "$SKS_TMP/down.prom"
kill -TERM $exp
wait $exp || sks_fail "export file interval without the module exited with $?"
grep -q '^skbstamp_up{.*} 0$' "$SKS_TMP/down.prom" || sks_fail "no skbstamp_up 0 without the module"
