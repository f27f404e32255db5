# Load/unload churn under load: 6 loads (50 in make soak) with
# autostart=1 (tracing from the load on), each with a collector that must
# get records, each unloaded while tracing with records in flight, while
# a TCP and a UDP sender run on every CPU.  No warning or crash
# (panic_on_warn), the senders kept going, and memory is back to the
# baseline after the last unload (sks_churn_end).

# 6 loads: what a load adds beyond a START (case 180) is the module's
# own init and exit (genetlink family, hook symbols, the stop that
# rmmod forces with records in flight), each of which leaks or races in
# any cycle it is wrong in; a cycle takes about 2 s under TCG.  make soak
# runs 50.
CYCLES=$(sks_scale 6 50)
sks_no_patching_under_load

sks_churn_begin
t0=$SECONDS
for ((i = 1; i <= CYCLES; i++)); do
	insmod "$SKS_KO" autostart=1 || sks_fail "insmod, load cycle $i"
	sks_monitor_start "$SKS_TMP/mon.$i" --json
	sks_wait_has "$SKS_TMP/mon.$i" '"stage":"sched"'
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || sks_fail "load cycle $i: the collector exited with $?"
	rmmod skbstamp || sks_fail "rmmod while tracing, load cycle $i"
done
echo "# $CYCLES load cycles took $((SECONDS - t0)) s"
sks_churn_end
