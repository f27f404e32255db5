# The Grafana dashboard (deploy/grafana/skbstamp.json) against a real
# skbstamp export after summary-mode traffic: every metric and label name
# its PromQL uses is one the export wrote (tests/guest/dashcheck.py), and
# promtool, where installed, parses every expression.  The export must hold
# the series the panels show: the UDP sched-sw histogram with one sample
# per datagram, and the up and running gauges at 1.  Every literal label
# value the PromQL uses is one the export gave.  Altered dashboards show
# the check is not vacuous.

sks_load
sks_netns_pair
"$SKS_TOOL" start mode summary || sks_fail "start mode summary failed"
sks_udp 6300 12
sks_tcp_flow 10.0.0.2 6301 sizes 100,200 gap-us 2000 nodelay
sks_sleep 0.3
"$SKS_TOOL" export host dash1 >"$SKS_TMP/out.prom" || sks_fail "export failed"
"$SKS_TOOL" stop || sks_fail "stop failed"

grep -qx 'skbstamp_latency_seconds_count{host="dash1",pair="sched-sw",proto="udp"} 12' \
	"$SKS_TMP/out.prom" || sks_fail "export lacks udp sched-sw _count 12"
grep -qx 'skbstamp_up{host="dash1"} 1' "$SKS_TMP/out.prom" || sks_fail "export lacks skbstamp_up 1"
grep -qx 'skbstamp_running{host="dash1"} 1' "$SKS_TMP/out.prom" ||
	sks_fail "export lacks skbstamp_running 1"
sks_python "$SKS_TOP/tests/guest/dashcheck.py" "$SKS_TOP/deploy/grafana/skbstamp.json" \
	--export "$SKS_TMP/out.prom" --rules "$SKS_TMP/rules.yml" >"$SKS_TMP/check.txt" ||
	{ grep -v '^ok' "$SKS_TMP/check.txt"; sks_fail "dashboard check against the export failed"; }
grep -c '^ok' "$SKS_TMP/check.txt"
# The check is not vacuous: an export without skbstamp_running fails it.
grep -v '^skbstamp_running' "$SKS_TMP/out.prom" >"$SKS_TMP/less.prom"
sks_python "$SKS_TOP/tests/guest/dashcheck.py" "$SKS_TOP/deploy/grafana/skbstamp.json" \
	--export "$SKS_TMP/less.prom" >"$SKS_TMP/less.txt" &&
	sks_fail "dashcheck passed an export without skbstamp_running"
grep -q "^FAIL: .*'skbstamp_running'" "$SKS_TMP/less.txt" ||
	sks_fail "dashcheck did not name the missing skbstamp_running"
# Nor blind to a misspelled label value or a panel without a query: one
# literal matcher spelled as exported (proto="udp") passes, one misspelled
# (pair="sched_sw") fails, and so does a panel whose targets are gone.
sks_python -c 'import json, sys
d = json.load(open(sys.argv[1]))
p = {q["id"]: q for r in d["panels"] for q in [r] + r.get("panels", [])}
t = p[6]["targets"][0]
t["expr"] = t["expr"].replace("proto=~\"$proto\"", "proto=\"udp\"")
for t in p[7]["targets"]:
    t["expr"] = t["expr"].replace("pair=~\"$pair\"", "pair=\"sched_sw\"")
del p[9]["targets"]
json.dump(d, open(sys.argv[2], "w"))' "$SKS_TOP/deploy/grafana/skbstamp.json" "$SKS_TMP/bad.json" ||
	sks_fail "could not write the altered dashboard"
sks_python "$SKS_TOP/tests/guest/dashcheck.py" "$SKS_TMP/bad.json" \
	--export "$SKS_TMP/out.prom" >"$SKS_TMP/bad.txt" &&
	sks_fail "dashcheck passed a misspelled label value and a panel without targets"
grep -v '^ok' "$SKS_TMP/bad.txt"
sks_file_has "$SKS_TMP/bad.txt" "ok: panel '\$pair latency histogram' A: proto='udp' matches" ||
	sks_fail "dashcheck did not accept proto=\"udp\""
sks_file_has "$SKS_TMP/bad.txt" "FAIL: panel '\$pair p50 / p99 per host' B: pair='sched_sw' matches" ||
	sks_fail "dashcheck did not name the misspelled pair=\"sched_sw\""
sks_file_has "$SKS_TMP/bad.txt" "FAIL: panel 'Stage events per second': has targets" ||
	sks_fail "dashcheck did not name the panel without targets"
[ "$(grep -c '^FAIL' "$SKS_TMP/bad.txt")" = 3 ] ||
	sks_fail "dashcheck failed more than the three alterations"
if command -v promtool >/dev/null; then
	promtool check rules "$SKS_TMP/rules.yml" || sks_fail "promtool rejects the dashboard's expressions"
fi
