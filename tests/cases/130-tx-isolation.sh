# Nothing changes for the application.  A plain TCP or UDP sender that is
# traced sees no error-queue message and no POLLERR.  A sender that uses
# SO_TIMESTAMPING itself (socket option or per-message cmsg, OPT_ID,
# OPT_TSONLY, asking for all or only some stages) gets exactly the same
# messages, keys and count with tracing as without.

sks_load
sks_netns_pair
# The 2000-byte UDP datagrams leave as IP fragments; with gso, software
# GSO cuts them into datagrams (the module tags the pieces).
ip netns exec a ethtool -K va tx-udp-segmentation off >/dev/null ||
	sks_fail "cannot turn off UDP segmentation offload on va"
port=7000

# client PROTO ARGS...: one exchange; the client's report in $SKS_TMP/c.$port
client()
{
	local proto=$1 dst=10.0.0.2
	shift
	port=$((port + 1))
	if [ "$proto" = tcp ]; then
		ip netns exec b "$SKS_TRAFFIC" tcp-server $dst $port \
			--ready-file "$SKS_TMP/r.$port" >/dev/null &
	else
		# gso 500 makes four datagrams of the 2000 bytes
		local n=3
		[[ " $* " == *" gso "* ]] && n=6
		ip netns exec b "$SKS_TRAFFIC" udp-server $dst $port count $n timeout 5000 \
			--ready-file "$SKS_TMP/r.$port" >/dev/null &
	fi
	local srv=$!
	sks_wait_file "$SKS_TMP/r.$port"
	ip netns exec a "$SKS_TRAFFIC" $proto-client $dst $port sizes 100,2000,300 \
		gap-us 20000 "$@" >"$SKS_TMP/c.$port" || sks_fail "$proto client failed"
	wait $srv || sks_fail "$proto server failed"
}

apps=(
	"tcp nodelay"
	"udp"
	"udp gso 500"
	"tcp nodelay tstamp tx_sched,tx_software,tx_ack,software,opt_id,opt_tsonly"
	"tcp nodelay tstamp tx_ack,software,opt_id"
	"tcp nodelay tstamp software,opt_id cmsg tx_sched,tx_ack"
	"udp tstamp tx_sched,tx_software,software,opt_id"
	"udp tstamp tx_software,software,opt_id,opt_tsonly"
	"udp tstamp software,opt_id cmsg tx_sched"
	"udp gso 500 tstamp tx_sched,tx_software,software,opt_id"
)

# Untraced (module loaded, tracing stopped), then traced, each app.
untraced=()
for app in "${apps[@]}"; do
	# shellcheck disable=SC2086
	client $app
	untraced+=("$SKS_TMP/c.$port")
done
"$SKS_TOOL" start || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/rec.json" --json
traced=()
cmp=()
i=0
for app in "${apps[@]}"; do
	# shellcheck disable=SC2086
	client $app
	traced+=($port)
	cmp+=("$app" "${untraced[$i]}" "$SKS_TMP/c.$port")
	i=$((i + 1))
done
sks_monitor_stop
sks_python "$SKS_TOP/tests/guest/errqcmp.py" "${cmp[@]}" ||
	sks_fail "a traced application's error queue differs from its untraced run"

# Each traced run was really traced: its flow has records of every stage.
# One pass in bash over the records (a grep per port and stage would be
# thirty processes, which cost a TCG guest seconds).
declare -A seen=()
while IFS= read -r l; do
	[[ $l =~ \"stage\":\"([a-z_]+)\".*\"dport\":([0-9]+), ]] &&
		seen[${BASH_REMATCH[1]}:${BASH_REMATCH[2]}]=1
done <"$SKS_TMP/rec.json"
i=0
for p in "${traced[@]}"; do
	for st in sendmsg sched sw; do
		[ -n "${seen[$st:$p]:-}" ] ||
			sks_fail "traced run of '${apps[$i]}' has no $st record"
	done
	i=$((i + 1))
done
# The plain apps: not a single message, no POLLERR, while traced.
for i in 0 1 2; do
	grep -q '"pollerr":false,"errqueue":\[\]' "$SKS_TMP/c.${traced[$i]}" ||
		sks_fail "plain app '${apps[$i]}' saw: $(cat "$SKS_TMP/c.${traced[$i]}")"
done
