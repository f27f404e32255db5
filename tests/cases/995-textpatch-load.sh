# Kernel text patched under load, with skbstamp never loaded: the churn
# traffic of cases 180 and 185 (a TCP and a UDP sender pinned to each CPU)
# while the function tracer is switched on and off 200 times for the
# functions skbstamp's transmit hooks patch.  It shows that the soft
# lockup of issue 19 part 3 is not skbstamp's: under multi-threaded TCG
# (QEMU 7.2) every vCPU ends up stuck at one of those functions' first
# instruction (seen at __tcp_transmit_skb+0x0, no module in the list),
# while single-threaded TCG runs the 200 cycles in about 40 s.  The case
# fails on a sender that died or a kernel warning (the suite's check).
#
# Opt-in, SKS_TEXTPATCH=1: it tests QEMU and the kernel, not skbstamp, and
# on multi-threaded TCG it hangs the guest until the case limit:
#   make soak KERNELS=6.1 ONLY=995 SKS_TEXTPATCH=1

[ "${SKS_TEXTPATCH:-0}" = 1 ] || sks_skip "opt-in (SKS_TEXTPATCH=1): text patching under load, no module"
tr=/sys/kernel/tracing
[ -w $tr/set_ftrace_filter ] || sks_skip "no function tracer"
! sks_loaded || sks_fail "skbstamp is loaded"
sks_netns_pair
sks_churn_traffic
printf '%s\n' tcp_sendmsg_locked udp_sendmsg udpv6_sendmsg __tcp_transmit_skb \
	ip_send_skb ip6_send_skb tcp_wfree sock_wfree >$tr/set_ftrace_filter
t0=$SECONDS
for ((i = 1; i <= 200; i++)); do
	echo function >$tr/current_tracer
	sks_sleep 0.02
	echo nop >$tr/current_tracer
	sks_sleep 0.02
	((i % 50)) || echo "cycle $i at $((SECONDS - t0)) s"
done
echo >$tr/set_ftrace_filter
for p in "${sks_churn_senders[@]}"; do
	kill -0 "$p" 2>/dev/null || sks_fail "a sender died during the cycles"
done
! sks_loaded || sks_fail "skbstamp got loaded"
echo "200 function tracer cycles on 8 functions under load, no module: done"
