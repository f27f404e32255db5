# set swaps the running filters atomically: traffic to the old port stops
# producing records and traffic to the new one starts, without a restart
# (the record counters keep counting).  What set must not change (mode,
# drain, buffer, a stage that was not hooked) is refused with the module's
# reason, as is set while stopped and bad input.  stats gives per-CPU
# counters that add up to status's totals and balance on every CPU.

sks_load
sks_netns_pair


# expect_refusal TEXT ARGS...: the tool exits 2 and prints TEXT.
expect_refusal()
{
	local text=$1
	shift
	sks_tool "$@"
	cat "$SKS_TMP/err"
	sks_eq "$sks_rc" 2 "exit code of '$*'"
	grep -q "$text" "$SKS_TMP/err" || sks_fail "'$*' did not say '$text'"
}

expect_refusal "tracing is not running" set dport 6301
"$SKS_TOOL" start stages sendmsg,sched,sw dport 6301 || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
sks_udp 6301 4
sks_udp 6302 5
"$SKS_TOOL" set stages sendmsg,sched,sw dport 6302 || sks_fail "set dport 6302 failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st.json"
sks_udp 6301 6
sks_udp 6302 7

expect_refusal "the mode cannot change while running" set mode summary
expect_refusal "the buffer cannot change while running" set buffer 128
expect_refusal "the drain cannot change while running" set drain dump
sks_tool set dport 0x
sks_eq "$sks_rc" 1 "exit code of set with a bad port"
sks_tool set bogus 1
sks_eq "$sks_rc" 1 "exit code of set with an unknown argument"

"$SKS_TOOL" --json stats >"$SKS_TMP/stats.json" || sks_fail "stats --json failed"
"$SKS_TOOL" stats || sks_fail "stats failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st2.json"
sks_monitor_stop
"$SKS_TOOL" stop || sks_fail "stop failed"
"$SKS_TOOL" --json stats >"$SKS_TMP/stats3.json" || sks_fail "stats after stop failed"
"$SKS_TOOL" --json status >"$SKS_TMP/st3.json"

# A stage, or sampling, whose hooks start did not register.
"$SKS_TOOL" start stages sched,sw || sks_fail "start sched,sw failed"
expect_refusal "was not hooked at start" set stages sendmsg,sched,sw
expect_refusal "was not hooked at start" set stages sched,sw sample 2
"$SKS_TOOL" set stages sched,sw,ack || sks_fail "set to a stage with the same hooks failed"
"$SKS_TOOL" stop || sks_fail "stop failed"

sks_check "$SKS_TMP" <<'EOF' || sks_fail "set/stats checks failed"
from sksjson import check, done, load, records
recs = records("rec.json")

by_port = {}
for r in recs:
    by_port[r["dport"]] = by_port.get(r["dport"], 0) + 1
# Records are traced per datagram: sendmsg, sched, sw.
print("records by port:", by_port)
check(by_port.get(6301) == 4 * 3, "before set: 4 datagrams to 6301 traced (12 records)")
check(by_port.get(6302) == 7 * 3, "after set: only the 7 later datagrams to 6302 (21 records)")
check(set(by_port) == {6301, 6302}, "no other port traced")
check(load("st.json")["config"].get("dport") == 6302, "status shows the new filter")
check(load("st.json")["state"] == "running", "still running after set")

keys = ("generated", "delivered", "dropped_full", "dropped_send", "buffered", "summarized")
for name, st in (("running", load("stats.json")), ("stopped", load("stats3.json"))):
    tot = {k: sum(c[k] for c in st["cpus"]) for k in keys}
    check(tot == {k: st["total"][k] for k in keys}, "%s: per-CPU counters add up to the total" % name)
    check(all(c["generated"] == sum(c[k] for k in keys[1:]) for c in st["cpus"]),
          "%s: every CPU balances" % name)
    check(len(st["cpus"]) >= 1, "%s: one row per CPU" % name)
s3 = load("stats3.json")["total"]
c3 = load("st3.json")["counters"]
check(all(s3[k] == c3[k] for k in keys), "after stop: stats total equals status counters")
check(s3["generated"] == len(recs) == s3["delivered"], "every record generated was delivered and received")
done()
EOF
