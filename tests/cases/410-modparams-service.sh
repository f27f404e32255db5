# Config-file deployment without the tool's command line: module
# parameters (autostart=1 mode=summary ... starts tracing at load; a bad
# value fails the load), then deploy/skbstamp-service, what
# skbstamp.service runs (no systemd in the guest: its three commands are
# run directly): start loads the module with modprobe and starts from the
# config file, reload applies a changed file with set and keeps the
# histograms, a mode change is refused, stop stops and unloads.

svc=$SKS_TOP/deploy/skbstamp-service
sks_netns_pair

# A bad value: the load fails and says why.
insmod "$SKS_KO" autostart=1 mode=bogus 2>/dev/null && sks_fail "insmod with mode=bogus succeeded"
! sks_loaded || sks_fail "module loaded despite mode=bogus"
dmesg | grep -q "skbstamp: mode: records or summary, not 'bogus'" ||
	sks_fail "no reason in the kernel log for mode=bogus"

sks_load autostart=1 mode=summary stages=sendmsg,sched,sw proto=udp dport=6300 src=10.0.0.0/24 acks=on
"$SKS_TOOL" --json status >"$SKS_TMP/p.json" || sks_fail "status failed"
sks_udp 6300 5
sks_udp 6399 3
sks_sleep 0.3
"$SKS_TOOL" --json hist >"$SKS_TMP/ph.json" || sks_fail "hist failed"
sks_unload

# The service's script, with modprobe finding the module: the guest's
# modules tree is read-only, so a tmpfs overlay takes the module.
abi=$(uname -r)
sks_modules_writable
sks_module_install "$SKS_KO" "/lib/modules/$abi/updates/skbstamp.ko"

export SKBSTAMP_CONF=$SKS_TMP/skbstamp.conf SKBSTAMP=$SKS_TOOL
printf '# test\nmode summary   # histograms\nstages sendmsg,sched,sw\n\nproto udp\ndport 6302\nacks on\n' \
	>"$SKBSTAMP_CONF"
"$svc" start || sks_fail "skbstamp-service start failed"
sks_loaded || sks_fail "start did not load the module"
"$SKS_TOOL" status
"$SKS_TOOL" --json status >"$SKS_TMP/s1.json"
sks_udp 6302 4
sed -i -e 's/^dport 6302/dport 6303/' -e '/^acks on/d' "$SKBSTAMP_CONF"
"$svc" reload || sks_fail "skbstamp-service reload failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s2.json"
sks_udp 6303 3
sks_udp 6302 2
sks_sleep 0.3
"$SKS_TOOL" --json hist >"$SKS_TMP/h2.json"
sed -i 's/^mode summary.*/mode records/' "$SKBSTAMP_CONF"
"$svc" reload 2>"$SKS_TMP/err" && sks_fail "reload changing the mode succeeded"
cat "$SKS_TMP/err"
"$svc" stop || sks_fail "skbstamp-service stop failed"
! sks_loaded || sks_fail "stop left the module loaded"
"$svc" stop || sks_fail "a second stop failed"

sks_check "$SKS_TMP" <<'PY' || sks_fail "checks failed"
from sksjson import check, done, load

def udp(name, pair="sched-sw"):
    return {h["pair"]: h["count"] for h in load(name)["histograms"] if h["proto"] == "udp"}.get(pair)

p = load("p.json")
check(p["state"] == "running", "autostart=1: running after insmod")
c = p["config"]
check(c["mode"] == "summary", "mode=summary")
check(c["stages"] == ["sendmsg", "sched", "sw"] or c["stages"] == "sendmsg,sched,sw", "stages=: %s" % c["stages"])
check(c.get("proto") == "udp" and c.get("dport") == 6300 and c.get("src") == "10.0.0.0/24", "filters: %s" % c)
check(c.get("acks") == "on", "acks=on")
check(udp("ph.json") == 5, "autostart filters: only the 5 datagrams to port 6300")
s1, s2 = load("s1.json"), load("s2.json")
check(s1["state"] == "running" and s1["config"]["mode"] == "summary", "service start: running, summary")
check(s1["config"].get("dport") == 6302, "service start: dport from the file")
check(s1["config"].get("acks") == "on", "service start: acks on from the file")
check(s2["config"].get("dport") == 6303, "reload: dport from the changed file")
check("acks" not in s2["config"], "reload: acks off once the file drops it")
check(udp("h2.json") == 7, "reload keeps the histogram: 4 before + 3 after, not the 2 filtered")
done()
PY
