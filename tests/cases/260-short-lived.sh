# Short-lived traced sockets (issue 8): TCP connections (connect, one
# 10-byte send, close; the server reads to EOF and closes) and UDP sockets
# (one 10-byte datagram each, then close), half each, made by four
# processes of each kind at once, while every default transmit stage is
# traced and a collector reads; then a smaller run with the receive stages
# too (stages tx,rx).  Per-socket and per-packet state must be freed:
# once the sockets are gone, the module's tables are back to their
# baseline (tags_pending 0, socks_tracked and rx_tracked as before the
# traffic), no entry was evicted, the tables' memory (vmalloc) did not
# grow and is gone after stop, and after stop and unload no slab cache
# of the kernel's holds a share of the sockets' objects and the caches
# that grew gained little in all.  Every connection and datagram is
# counted at both ends, and the records add up: generated =
# delivered + dropped, the collector got every delivered one, and the
# transmit run generated exactly one record per traced stage of every
# packet (TCP retransmissions, counted by the kernel, may add theirs).
#
# 10,000 sockets in make check, 100,000 (as issue 8 asks) in make soak
# (SKS_CHURN_SOCKETS=N for another count; make check passes SKS_*
# variables to the guest), then 4,000 with the receive stages
# (SKS_CHURN_RX_SOCKETS): every packet has twice as many stages there.
# 10,000 is enough for what is checked: a leak per socket or per packet
# is 5,000 objects or more in some slab cache, far above the noise the
# slab check allows, and the tables must be back to their baseline
# exactly, whatever the count.

procs=4
total=${SKS_CHURN_SOCKETS:-$(sks_scale 10000 100000)}
tcp_n=$((total / 2 / procs * procs)) udp_n=$((total / 2 / procs * procs))
# The receive run: every packet has twice as many stages.
total=${SKS_CHURN_RX_SOCKETS:-4000}
rx_tcp_n=$((total / 2 / procs * procs)) rx_udp_n=$((total / 2 / procs * procs))
echo "$tcp_n + $udp_n sockets, then $rx_tcp_n + $rx_udp_n with the receive stages"

# Datagrams blasted from four CPUs must not overflow the receive backlog
# (a global setting: restored when the case ends).
backlog=$(</proc/sys/net/core/netdev_max_backlog)
trap 'echo "$backlog" >/proc/sys/net/core/netdev_max_backlog' EXIT
echo 100000 >/proc/sys/net/core/netdev_max_backlog

# The client closes first: TIME_WAIT would keep 50,000 sockets (and
# their ports) for a minute.  Without it the socket goes at once.
sks_netns_pair
for ns in a b; do
	ip netns exec $ns sysctl -qw net.ipv4.tcp_max_tw_buckets=0 ||
		sks_fail "no tcp_max_tw_buckets in namespace $ns"
done

# cnt FILE NAME: counter NAME of a 'status --json' in FILE (no python:
# this runs in polling loops).
cnt()
{
	local s
	s=$(<"$1")
	[[ $s =~ \"$2\":([0-9]+) ]] || sks_fail "no counter $2 in $1: $s"
	echo "${BASH_REMATCH[1]}"
}

# churn TAG PORT NTCP NUDP: the servers in b, $procs TCP and $procs UDP
# clients in a, all at once; fails unless every connection and datagram
# made it.
churn()
{
	local tag=$1 port=$2 nt=$3 nu=$4 pids=() i tsrv usrv conns=0 socks=0 s t0
	ip netns exec b "$SKS_TRAFFIC" tcp-churn-server 10.0.0.2 "$port" count "$nt" \
		timeout 30000 --ready-file "$SKS_TMP/t.$tag" >"$SKS_TMP/tsrv.$tag" &
	tsrv=$!
	ip netns exec b "$SKS_TRAFFIC" udp-server 10.0.0.2 "$((port + 1))" count "$nu" \
		timeout 30000 rcvbuf 16777216 --ready-file "$SKS_TMP/u.$tag" \
		>"$SKS_TMP/usrv.$tag" &
	usrv=$!
	sks_wait_file "$SKS_TMP/t.$tag"
	sks_wait_file "$SKS_TMP/u.$tag"
	t0=$SECONDS
	for ((i = 0; i < procs; i++)); do
		ip netns exec a "$SKS_TRAFFIC" tcp-churn 10.0.0.2 "$port" \
			count "$((nt / procs))" >"$SKS_TMP/tcli.$tag.$i" &
		pids+=($!)
		ip netns exec a "$SKS_TRAFFIC" udp-churn 10.0.0.2 "$((port + 1))" \
			count "$((nu / procs))" >"$SKS_TMP/ucli.$tag.$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || sks_fail "$tag: a churn client failed"
	done
	wait $tsrv || sks_fail "$tag: the TCP server failed"
	wait $usrv || sks_fail "$tag: the UDP server failed"
	echo "$tag: $nt TCP connections and $nu UDP sockets in $((SECONDS - t0)) s"
	for ((i = 0; i < procs; i++)); do
		s=$(<"$SKS_TMP/tcli.$tag.$i")
		[[ $s =~ \"connections\":([0-9]+) ]] && conns=$((conns + BASH_REMATCH[1]))
		s=$(<"$SKS_TMP/ucli.$tag.$i")
		[[ $s =~ \"sockets\":([0-9]+) ]] && socks=$((socks + BASH_REMATCH[1]))
	done
	sks_eq "$conns" "$nt" "$tag: TCP connections the clients made"
	sks_eq "$socks" "$nu" "$tag: UDP sockets the clients used"
	sks_eq "$(<"$SKS_TMP/tsrv.$tag")" "{\"connections\":$nt,\"received\":$((nt * 10))}" \
		"$tag: what the TCP server got"
	# One read per datagram: no UDP GRO on these sockets.
	[ "$(<"$SKS_TMP/usrv.$tag")" = "{\"received\":$nu,\"bytes\":$((nu * 10)),\"reads\":$nu}" ] ||
		sks_fail "$tag: the UDP server did not get $nu datagrams: $(<"$SKS_TMP/usrv.$tag");" \
			"softnet_stat: $(cat /proc/net/softnet_stat)"
}

# settle FILE BASE-SOCKS: wait (up to 30 s) until no tagged skb is
# pending, no received packet tracked and the socket table is back to
# BASE-SOCKS entries; the last 'status --json' in FILE.  (Received skbs a
# TCP reader gave back may wait on a CPU's deferred free list, 6.0+, until
# that CPU receives again; nothing here makes it: the module ends their
# entries when they are handed to that list.)
settle()
{
	local i
	for ((i = 0; i < 300; i++)); do
		"$SKS_TOOL" --json status >"$1"
		[ "$(cnt "$1" tags_pending)" = 0 ] && [ "$(cnt "$1" rx_tracked)" = 0 ] &&
			[ "$(cnt "$1" socks_tracked)" = "$2" ] && return 0
		sks_sleep 0.1
	done
	echo "the tables did not go back to their baseline in 30 s: $(cat "$1")"
}

# vmalloc_of: the module's own vmalloc areas (its tables and buffers),
# sizes only, sorted.
vmalloc_of()
{
	grep '\[skbstamp\]' /proc/vmallocinfo | awk '{print $2, $3}' | sed 's/+0x[0-9a-f]*\/0x[0-9a-f]*//' | sort || true
}

# slab_snap NAME: unreclaimable slab (kB) into $SKS_TMP/NAME.kb and
# /proc/slabinfo into $SKS_TMP/NAME.slabinfo, once the caches gave back
# their empty slabs.
slab_snap()
{
	local f
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	echo 2 >/proc/sys/vm/drop_caches
	awk '/^SUnreclaim:/ {print $2}' /proc/meminfo >"$SKS_TMP/$1.kb"
	cat /proc/slabinfo >"$SKS_TMP/$1.slabinfo"
}

# Warm up the kernel's caches for this traffic, then the baseline.
churn warm 6000 200 200
slab_snap before
cut -d' ' -f1 "$SKS_TMP/before.slabinfo" | sort >"$SKS_TMP/caches.0"

sks_load
# run TAG PORT NTCP NUDP START-ARGS...: one traced run, checked.
run()
{
	local tag=$1 port=$2 nt=$3 nu=$4 base
	shift 4
	"$SKS_TOOL" start "$@" || sks_fail "$tag: start $* failed"
	"$SKS_TOOL" --json status >"$SKS_TMP/base.$tag.json"
	base=$(cnt "$SKS_TMP/base.$tag.json" socks_tracked)
	vmalloc_of >"$SKS_TMP/vm0.$tag"
	[ -s "$SKS_TMP/vm0.$tag" ] || sks_fail "$tag: no vmalloc area of the module's while running"
	ip netns exec a cat /proc/net/snmp >"$SKS_TMP/snmp0.$tag"
	"$SKS_TOOL" --json monitor >/dev/null 2>"$SKS_TMP/mon.$tag" &
	sks_monitor_pid=$!
	sks_wait_has "$SKS_TMP/mon.$tag" 'listening for records'
	churn "$tag" "$port" "$nt" "$nu"
	ip netns exec a cat /proc/net/snmp >"$SKS_TMP/snmp1.$tag"
	settle "$SKS_TMP/after.$tag.json" "$base"
	cat "$SKS_TMP/after.$tag.json"
	vmalloc_of >"$SKS_TMP/vm1.$tag"
	cmp -s "$SKS_TMP/vm0.$tag" "$SKS_TMP/vm1.$tag" ||
		sks_fail "$tag: the module's vmalloc areas changed: $(diff "$SKS_TMP/vm0.$tag" "$SKS_TMP/vm1.$tag")"
	cut -d' ' -f1 /proc/slabinfo | sort >"$SKS_TMP/caches.$tag"
	sks_wait_drained "$SKS_TMP/drained.$tag.json"
	sks_monitor_stop
	"$SKS_TOOL" stop || sks_fail "$tag: stop failed"
	"$SKS_TOOL" --json status >"$SKS_TMP/st.$tag.json"
	cat "$SKS_TMP/st.$tag.json" "$SKS_TMP/mon.$tag"
	[ -z "$(vmalloc_of)" ] || sks_fail "$tag: vmalloc areas of the module's left after stop: $(vmalloc_of)"
	sks_check "$SKS_TMP" "$tag" "$nt" "$nu" "$base" <<'PY'
import re, sys
from sksjson import check, done, load, tmp
tag, nt, nu, base = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
a = load("after.%s.json" % tag)["counters"]
s = load("st.%s.json" % tag)
c = s["counters"]
stages = set(s["config"]["stages"])
check(a["tags_pending"] == 0,
      "%s: tags_pending back to 0 once the sockets are gone (%d)" % (tag, a["tags_pending"]))
# Every received packet's entry ends when its skb is freed or handed to a
# deferred free list: a free path the module missed leaves entries here
# (before skb_attempt_defer_free() was hooked: 3-21 of 4,000 on 6.1, 132
# on 7.2).
check(a["rx_tracked"] == 0,
      "%s: rx_tracked back to 0 (%d)" % (tag, a["rx_tracked"]))
check(a["socks_tracked"] == base,
      "%s: socks_tracked back to its baseline %d (%d)" % (tag, base, a["socks_tracked"]))
for k in ("tags_evicted", "socks_evicted", "rx_evicted", "tags_abandoned"):
    check(c[k] == 0, "%s: %s 0 (%d)" % (tag, k, c[k]))
check(c["buffered"] == 0, "%s: nothing buffered after stop" % tag)
check(c["generated"] == c["delivered"] + c["dropped_full"] + c["dropped_send"],
      "%s: generated %d = delivered %d + dropped %d + %d" % (tag, c["generated"],
      c["delivered"], c["dropped_full"], c["dropped_send"]))
m = re.search(r"(\d+) records received", open("%s/mon.%s" % (tmp, tag)).read())
check(m is not None and int(m.group(1)) == c["delivered"],
      "%s: the collector received the %d delivered records (%s)" % (tag, c["delivered"],
      m and m.group(1)))

def retrans(name):
    lines = [l.split() for l in open("%s/%s" % (tmp, name)) if l.startswith("Tcp:")]
    return int(lines[1][lines[0].index("RetransSegs")])
rt = retrans("snmp1.%s" % tag) - retrans("snmp0.%s" % tag)
tx_tcp = len(stages & {"sendmsg", "sched", "sw", "ack", "txdone"})
tx_udp = len(stages & {"sendmsg", "sched", "sw", "txdone"})
want = nt * tx_tcp + nu * tx_udp
if not stages & {"napi", "netif", "ip", "l4", "sockq", "read"}:
    # A retransmitted data skb has sched, sw and txdone again.
    check(want <= c["generated"] <= want + 3 * rt,
          "%s: %d records for %d x %d TCP and %d x %d UDP stages, %d TCP retransmissions"
          % (tag, c["generated"], nt, tx_tcp, nu, tx_udp, rt))
else:
    check(c["generated"] > want, "%s: %d records, more than the %d transmit ones"
          % (tag, c["generated"], want))
done()
PY
}

run tx 7000 "$tcp_n" "$udp_n"
run rx 7100 "$rx_tcp_n" "$rx_udp_n" stages tx,rx

# The module made no slab cache of its own.
for t in tx rx; do
	new=$(comm -13 "$SKS_TMP/caches.0" "$SKS_TMP/caches.$t")
	[ -z "$new" ] || sks_fail "$t: slab caches appeared while tracing: $new"
done
# Once unloaded, nothing of the module's is left in the kernel's slab: no
# cache has grown by a share of the sockets or packets (the module
# allocates from the kernel's kmalloc caches, and a leak per socket or
# per packet would leave at least one object per TCP connection or UDP
# socket in one of them), and the unreclaimable total is back near its
# baseline.
sks_unload
slab_snap after
sks_check "$SKS_TMP" "$((tcp_n + udp_n + rx_tcp_n + rx_udp_n))" <<'PY'
import sys
from sksjson import check, done, tmp

socks = int(sys.argv[2])

def slabinfo(name):
    """Active objects and object size of every cache."""
    caches = {}
    for line in open("%s/%s.slabinfo" % (tmp, name)):
        f = line.split()
        if line.startswith(("slabinfo", "#")) or len(f) < 4:
            continue
        caches[f[0]] = (int(f[1]), int(f[3]))
    return caches

a, b = slabinfo("before"), slabinfo("after")
grew = sorted(((n, b[n][0] - a.get(n, (0, 0))[0], b[n][1]) for n in b),
              key=lambda g: -g[1] * g[2])
print("slab caches that grew most (objects, kB):",
      ", ".join("%s +%d %+d" % (n, d, d * sz // 1024) for n, d, sz in grew[:6] if d > 0)
      or "none")
# Half the sockets are TCP and half UDP: a leak on every socket of
# either kind, or every packet, is at least socks / 2 objects.
limit = socks // 4
over = ["%s +%d" % (n, d) for n, d, sz in grew if d > limit]
check(not over, "no slab cache grew by more than %d objects (%s)"
      % (limit, ", ".join(over) or "none did"))
kb0, kb1 = (int(open("%s/%s.kb" % (tmp, f)).read()) for f in ("before", "after"))
print("unreclaimable slab: %d kB before loading, %d kB after unloading" % (kb0, kb1))
# The objects the caches hold, not their pages: SUnreclaim also counts
# partly used slabs, which moved by up to 728 kB here (7.2, 100,000
# sockets) while no cache gained 100 kB of objects.  Leaks under the
# per-cache limit add up here: 20,000 objects of 64 bytes are 1250 kB.
# Only the caches that grew: a net sum would let one cache's shrinking
# (they fell by 583-962 kB in all after unloading) hide another's leak.
kb = sum(d * sz for n, d, sz in grew if d > 0) // 1024
check(kb <= 1024, "slab objects the caches that grew gained after unloading: "
      "%d kB, 1024 at most" % kb)
done()
PY
