# START/STOP churn under load: 20 cycles (200 in make soak) while a TCP and a UDP sender
# run on every CPU and a collector reads.  No warning or crash
# (panic_on_warn), every START and STOP succeeds and every run's counters
# balance exactly (sks-nlfuzz cycles: one process, since a process start
# per command would cost more than a cycle in a TCG guest), every run
# traced the traffic, the collector got records, the senders kept going,
# and after the unload the kernel's unreclaimable slab, vmalloc and
# per-CPU memory are back to the baseline (sks_churn_end).  Small leaks
# the meminfo figures cannot see are make check-debug's (kmemleak).

# 20 cycles: each START allocates the run's tables, ring and histograms
# (hundreds of kB of vmalloc and per-CPU memory) and registers every hook,
# so a leak of one run is megabytes after 20, far above the baseline
# check's slack, and a stale hook shows in the first few; 20 runs still
# race hook (un)registration against packets in flight on four CPUs 20
# times (about 0.8 s per cycle under TCG: text patching and RCU grace
# periods).  make soak runs 200.
CYCLES=$(sks_scale 20 200)
sks_no_patching_under_load

sks_churn_begin
t0=$SECONDS
sks_load
sks_monitor_start "$SKS_TMP/mon" --json
"$SKS_TOP/tests/tools/sks-nlfuzz" cycles --count $CYCLES --hold-ms 20 \
	>"$SKS_TMP/cycles" 2>&1 || { cat "$SKS_TMP/cycles"; sks_fail "start/stop cycles"; }
cat "$SKS_TMP/cycles"
sks_monitor_stop
read -r ncycles traced <<<"$(tr '=' ' ' <"$SKS_TMP/cycles" | awk '/^cycles summary/ {print $4, $6}')"
sks_eq "$ncycles" "$CYCLES" "start/stop cycles completed"
sks_eq "$traced" "$CYCLES" "runs that traced the traffic"
grep -q '"stage":"sched"' "$SKS_TMP/mon" || sks_fail "the collector got no records"
sks_unload
echo "# $CYCLES start/stop cycles took $((SECONDS - t0)) s"
sks_churn_end
