# Load/unload churn under load: 50 loads with autostart=1 (tracing from
# the load on), each with a collector that must get records, each unloaded
# while tracing with records in flight, while a TCP and a UDP sender run
# on every CPU.  No warning or crash (panic_on_warn), the senders kept
# going, and memory is back to the baseline after the last unload
# (sks_churn_end).

CYCLES=50

sks_churn_begin
t0=$SECONDS
# The module without its debug information: insmod reads 4 MB less over
# 9p at each load.
objcopy --strip-debug "$SKS_KO" "$SKS_TMP/skbstamp.ko"
for ((i = 1; i <= CYCLES; i++)); do
	insmod "$SKS_TMP/skbstamp.ko" autostart=1 || sks_fail "insmod, load cycle $i"
	sks_monitor_start "$SKS_TMP/mon.$i" --json
	sks_wait_has "$SKS_TMP/mon.$i" '"stage":"sched"'
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || sks_fail "load cycle $i: the collector exited with $?"
	rmmod skbstamp || sks_fail "rmmod while tracing, load cycle $i"
done
echo "# $CYCLES load cycles took $((SECONDS - t0)) s"
sks_churn_end
