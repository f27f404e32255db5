# The tables' in-use counts that status reports (tags_pending,
# socks_tracked, rx_tracked) count what is really in flight, and go back
# to 0 once it is gone.  They are summed from per-CPU parts, so a count
# that is only ever 0 would pass every "back to 0" check elsewhere: here
# something is held in each table on purpose.
#  - tags_pending: a connected TCP socket sends 5 one-byte writes while
#    netem drops everything b sends back, so no ACK ends their entries.
#  - rx_tracked: 20 datagrams wait unread in b's UDP socket (receive
#    stages traced: a packet is tracked until it is read).
#  - socks_tracked: the two sending sockets are alive.

sks_netns_pair
sks_load
"$SKS_TOOL" start mode summary stages tx,rx || sks_fail "start failed"
"$SKS_TOOL" --json status >"$SKS_TMP/s0.json"
{ read -r t0; read -r s0; read -r r0; } < <(sks_json "$SKS_TMP/s0.json" \
	'j["counters"]["tags_pending"]' 'j["counters"]["socks_tracked"]' \
	'j["counters"]["rx_tracked"]')
sks_eq "$t0 $s0 $r0" "0 0 0" "tags_pending socks_tracked rx_tracked before traffic"

# b: a UDP socket nobody reads until 'go' exists, and a TCP listener.
ip netns exec b /usr/bin/python3 -I -S -c '
import os, socket, sys, time
d = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("10.0.0.2", 7501))
t = socket.socket()
t.bind(("10.0.0.2", 7502))
t.listen()
open(d + "/b.ready", "w").close()
c, _ = t.accept()
while not os.path.exists(d + "/go"):
    time.sleep(0.05)
u.setblocking(False)
n = 0
try:
    while True:
        u.recv(100)
        n += 1
except BlockingIOError:
    pass
print(n)
while c.recv(100):
    pass
' "$SKS_TMP" >"$SKS_TMP/b.out" &
bpid=$!
sks_wait_file "$SKS_TMP/b.ready"

# a: connect, then (once b's replies are dropped) 5 writes and 20
# datagrams; the sockets stay open until 'go'.
ip netns exec a /usr/bin/python3 -I -S -c '
import os, socket, sys, time
d = sys.argv[1]
t = socket.create_connection(("10.0.0.2", 7502))
t.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
open(d + "/a.ready", "w").close()
while not os.path.exists(d + "/lossy"):
    time.sleep(0.05)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    u.sendto(b"x" * 10, ("10.0.0.2", 7501))
for i in range(5):
    t.send(b"y")
    time.sleep(0.02)
open(d + "/a.sent", "w").close()
while not os.path.exists(d + "/go"):
    time.sleep(0.05)
t.close()
' "$SKS_TMP" &
apid=$!
sks_wait_file "$SKS_TMP/a.ready"
tc -n b qdisc add dev vb root netem loss 100% || sks_fail "netem on vb failed"
touch "$SKS_TMP/lossy"
sks_wait_file "$SKS_TMP/a.sent"
sks_sleep 0.3

"$SKS_TOOL" --json status >"$SKS_TMP/s1.json"
cat "$SKS_TMP/s1.json"
{ read -r t1; read -r s1; read -r r1; } < <(sks_json "$SKS_TMP/s1.json" \
	'j["counters"]["tags_pending"]' 'j["counters"]["socks_tracked"]' \
	'j["counters"]["rx_tracked"]')
# The 5 writes (TCP may have merged unacknowledged ones on a resend).
[ "$t1" -ge 1 ] && [ "$t1" -le 5 ] ||
	sks_fail "tags_pending $t1 with 5 unacknowledged writes (want 1..5)"
[ "$s1" -ge 2 ] || sks_fail "socks_tracked $s1 with two sending sockets (want >= 2)"
[ "$r1" -ge 20 ] || sks_fail "rx_tracked $r1 with 20 datagrams unread (want >= 20)"

# Let the ACKs through, read the datagrams, close: every count goes back.
tc -n b qdisc del dev vb root
touch "$SKS_TMP/go"
wait $apid || sks_fail "the sender failed"
wait $bpid || sks_fail "the receiver failed"
sks_eq "$(cat "$SKS_TMP/b.out")" 20 "datagrams b read"
# TCP resends after its backed-off timer: up to 30 s.
for ((i = 0; i < 300; i++)); do
	"$SKS_TOOL" --json status >"$SKS_TMP/s2.json"
	grep -q '"tags_pending":0[,}]' "$SKS_TMP/s2.json" &&
		grep -q '"rx_tracked":0[,}]' "$SKS_TMP/s2.json" && break
	sks_sleep 0.1
done
cat "$SKS_TMP/s2.json"
{ read -r t2; read -r r2; } < <(sks_json "$SKS_TMP/s2.json" \
	'j["counters"]["tags_pending"]' 'j["counters"]["rx_tracked"]')
sks_eq "$t2 $r2" "0 0" "tags_pending rx_tracked once acknowledged and read"
"$SKS_TOOL" stop || sks_fail "stop failed"
