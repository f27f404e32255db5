# Churn under load: 200 START/STOP cycles, then 50 load/unload cycles,
# while a TCP and a UDP sender run on every CPU and a collector reads.
# No warning or crash (panic_on_warn), every START and STOP succeeds and
# every run's counters balance exactly (sks-nlfuzz cycles), every run and
# every load traced the traffic, the senders keep going throughout, and
# after the last unload the kernel's unreclaimable slab, vmalloc and
# per-CPU memory are back to what they were before the first load.
# Small leaks the meminfo figures cannot see are make check-debug's
# (kmemleak) to find.

ncpu=$(nproc)
[ "$ncpu" -ge 4 ] || sks_fail "the guest has $ncpu CPUs; make check boots four"
START_STOP_CYCLES=200
LOAD_CYCLES=50

# SUnreclaim, VmallocUsed and Percpu, in kB, once SLUB has given back its
# empty slabs (objects freed leave their slab pages allocated otherwise).
mem_now()
{
	local k v _ f
	declare -gA mem
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null || true
	done
	while read -r k v _; do
		case $k in
		SUnreclaim:|VmallocUsed:|Percpu:) mem[${k%:}]=$v ;;
		esac
	done </proc/meminfo
}

# One load, start, stop and unload first: whatever the kernel allocates
# once, on first use (ftrace hashes, the genetlink family's id), is in the
# baseline.  The namespaces and the traffic tools are used once too.
sks_netns_pair
sks_load
"$SKS_TOOL" start || sks_fail "warm-up start"
sks_udp 6399 5
"$SKS_TOOL" stop || sks_fail "warm-up stop"
sks_unload
ip netns del a
ip netns del b
sks_sleep 2
mem_now
declare -A base
for k in "${!mem[@]}"; do base[$k]=${mem[$k]}; done
echo "# baseline: SUnreclaim ${base[SUnreclaim]} kB, VmallocUsed ${base[VmallocUsed]} kB, Percpu ${base[Percpu]} kB"

sks_netns_pair
pids=()
for ((c = 0; c < ncpu; c++)); do
	ip netns exec b "$SKS_TRAFFIC" tcp-server 10.0.0.2 $((6300 + c)) \
		--ready-file "$SKS_TMP/t.$c" >"$SKS_TMP/tcp.server.$c" &
	pids+=($!)
	ip netns exec b "$SKS_TRAFFIC" udp-server fd00::2 $((6310 + c)) count 1000000 \
		timeout 600000 --ready-file "$SKS_TMP/u.$c" >/dev/null &
	pids+=($!)
done
for ((c = 0; c < ncpu; c++)); do
	sks_wait_file "$SKS_TMP/t.$c"
	sks_wait_file "$SKS_TMP/u.$c"
done
senders=()
for ((c = 0; c < ncpu; c++)); do
	ip netns exec a taskset -c $c "$SKS_TRAFFIC" tcp-client 10.0.0.2 $((6300 + c)) \
		size 1000 count 1000000 gap-us 50000 quiet-ms 1 >/dev/null &
	senders+=($!)
	ip netns exec a taskset -c $c "$SKS_TRAFFIC" udp-client fd00::2 $((6310 + c)) \
		size 200 count 1000000 gap-us 50000 quiet-ms 1 >/dev/null &
	senders+=($!)
done

# START/STOP from one process: a process start per command would cost
# more than the cycle itself in a TCG guest.
t0=$SECONDS
sks_load
sks_monitor_start "$SKS_TMP/mon" --json
"$SKS_TOP/tests/tools/sks-nlfuzz" cycles --count $START_STOP_CYCLES --hold-ms 20 \
	>"$SKS_TMP/cycles" 2>&1 || { cat "$SKS_TMP/cycles"; sks_fail "start/stop cycles"; }
cat "$SKS_TMP/cycles"
sks_monitor_stop
read -r ncycles traced <<<"$(tr '=' ' ' <"$SKS_TMP/cycles" | awk '/^cycles summary/ {print $4, $6}')"
sks_eq "$ncycles" "$START_STOP_CYCLES" "start/stop cycles completed"
sks_eq "$traced" "$START_STOP_CYCLES" "runs that traced the traffic"
grep -q '"stage":"sched"' "$SKS_TMP/mon" || sks_fail "the collector got no records"
sks_unload
echo "# $START_STOP_CYCLES start/stop cycles took $((SECONDS - t0)) s"
t0=$SECONDS

# Load with autostart=1 (tracing from the load on), a collector, unload
# while tracing with records in flight.
# The same module without its debug information: insmod reads 4 MB less
# over 9p at each load.
objcopy --strip-debug "$SKS_KO" "$SKS_TMP/skbstamp.ko"
for ((i = 1; i <= LOAD_CYCLES; i++)); do
	insmod "$SKS_TMP/skbstamp.ko" autostart=1 || sks_fail "insmod, load cycle $i"
	sks_monitor_start "$SKS_TMP/mon.$i" --json
	sks_wait_has "$SKS_TMP/mon.$i" '"stage":"sched"' ||
		sks_fail "load cycle $i: the collector got no records"
	kill -INT "$sks_monitor_pid"
	wait "$sks_monitor_pid" || sks_fail "load cycle $i: the collector exited with $?"
	rmmod skbstamp || sks_fail "rmmod while tracing, load cycle $i"
done
echo "# $LOAD_CYCLES load cycles took $((SECONDS - t0)) s"

# The senders ran through all of it: none of them exited.
for p in "${senders[@]}"; do
	kill -0 "$p" 2>/dev/null || sks_fail "a sender stopped during the cycles"
done
kill "${senders[@]}" "${pids[@]}" 2>/dev/null || true
wait "${senders[@]}" "${pids[@]}" 2>/dev/null || true
ip netns del a
ip netns del b
sks_sleep 2

# Back to the baseline, within what one process start or a socket's
# buffers leave behind: a ring, table or histogram leaked per cycle would
# be 250 times its size (each is at least a page).
mem_now
echo "# after: SUnreclaim ${mem[SUnreclaim]} kB, VmallocUsed ${mem[VmallocUsed]} kB, Percpu ${mem[Percpu]} kB"
for k in SUnreclaim:2048 VmallocUsed:1024 Percpu:256; do
	n=${k%:*} tol=${k#*:}
	d=$((mem[$n] - base[$n]))
	[ "$d" -le "$tol" ] || sks_fail "$n grew by $d kB over the cycles (more than $tol kB)"
done
