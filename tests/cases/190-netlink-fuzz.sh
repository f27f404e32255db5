# The generic netlink interface survives malformed and random requests
# (tests/tools/sks-nlfuzz.c).  A storm of over 100000 requests over every
# command number up to SKBSTAMP_CMD_MAX + 3: each is answered exactly once,
# every refusal carries a negative errno, every refusal by the family itself
# (past the generic netlink layer) an extack message, nothing that must be
# refused is accepted; afterwards GET, START and STOP work, the counters
# balance and no hook is left registered.  Without CAP_NET_ADMIN (root with
# every capability dropped, and nobody) every request is refused and the
# records group cannot be joined.  Threads racing START, STOP and GET (and
# SET, where it exists) leave a consistent state.
#
# SKS_NLFUZZ_SEED picks another message stream (default 1); a failing
# message is reported with the command line that replays it alone.
#
# Refusals without an extack message are legitimate only where the generic
# netlink layer refuses before the family sees the request.  Found on all
# four kernels: no complete genlmsghdr, EINVAL; an unknown command or a
# dump of a command without dumpit, EOPNOTSUPP; no CAP_NET_ADMIN, EPERM;
# a dump while another dump of the same socket runs, EBUSY (the netlink
# core, netlink_dump_start()); all without a message.  6.1 on also refuse a non-zero reserved byte and
# stray nlmsg_flags (EINVAL, with a message); 5.10 ignores both.  The genl
# version is ignored everywhere.  An empty datagram is refused by send()
# itself (ENODATA) on all four.

# Its START and STOP race UDP sends on other CPUs (hooks patched under
# load), which multi-threaded TCG cannot run.
sks_no_patching_under_load
fuzz=$SKS_TOP/tests/tools/sks-nlfuzz
seed=${SKS_NLFUZZ_SEED:-1}
ef=/sys/kernel/tracing/enabled_functions

# kv FILE MODE KEY: the value of KEY=N on the "MODE summary:" line of FILE.
kv()
{
	sed -n "s/^$2 summary:.* $3=\([0-9]*\).*/\1/p" "$1"
}

# field LABEL: the value of a "label:   value" line of 'skbstamp status'
# (text, not JSON: a python3 start can take a minute in a loaded guest).
field()
{
	awk -v l="$1" '{ k = $0; sub(/^ +/, "", k); sub(/: .*/, ":", k) }
		k == l { sub(/^ *[^:]*: +/, ""); print }' "$SKS_TMP/out"
}

# run NAME [PREFIX...] -- ARGS...: run sks-nlfuzz ARGS (behind PREFIX,
# e.g. setpriv), output in $SKS_TMP/NAME, and fail unless it exits 0.
run()
{
	local name=$1 rc=0 pre=() t0=$SECONDS
	shift
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	"${pre[@]}" "$fuzz" "$@" >"$SKS_TMP/$name" 2>&1 || rc=$?
	cat "$SKS_TMP/$name"
	echo "$name: $((SECONDS - t0)) s"
	sks_eq "$rc" 0 "sks-nlfuzz $* ($name) exit code"
}

sks_load
hooks_before=$(wc -l <$ef)

run storm -- storm --seed "$seed" --count 100000
f=$SKS_TMP/storm
sent=$(kv "$f" storm sent)
[ "${sent:-0}" -ge 100000 ] || sks_fail "storm: only ${sent:-0} messages sent"
sks_eq "$(kv "$f" storm answered)" "$sent" "storm: answers"
sks_eq "$(kv "$f" storm refused)" "$(( sent - $(kv "$f" storm ok) ))" "storm: refusals"
sks_eq "$(kv "$f" storm bad_errno)" 0 "storm: answers without a valid errno"
sks_eq "$(kv "$f" storm accepted_invalid)" 0 "storm: invalid messages accepted"
sks_eq "$(kv "$f" storm family_noextack)" 0 "storm: family refusals without extack"
sks_eq "$(kv "$f" storm stray)" 0 "storm: answers to no request"
grep -q '^storm: after START, STOP:' "$f" || sks_fail "storm: no post-storm START/STOP"

# The tool agrees: stopped, nothing buffered, no hook left registered.
sks_tool status
sks_eq "$sks_rc" 0 "status after the storm"
cat "$SKS_TMP/out"
sks_eq "$(field state:)" stopped "state after the storm"
sks_eq "$(field buffered:)" 0 "records buffered after the storm"
sks_eq "$(wc -l <$ef)" "$hooks_before" "ftrace hooks after the storm"

# Debian's 5.10 lets CAP_SYS_ADMIN join the group (040-unprivileged.sh), so
# every capability goes, not CAP_NET_ADMIN alone.
run unpriv-root setpriv --inh-caps=-all --bounding-set=-all -- unpriv --seed "$seed" --count 5000
run unpriv-nobody setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all -- unpriv --seed "$seed" --count 5000
for who in root nobody; do
	f=$SKS_TMP/unpriv-$who
	sks_eq "$(kv "$f" unpriv answered)" "$(kv "$f" unpriv sent)" "unpriv $who: answers"
	sks_eq "$(kv "$f" unpriv ok)" 0 "unpriv $who: requests accepted"
	grep -q 'records group [0-9]*: setsockopt(NETLINK_ADD_MEMBERSHIP) EPERM' "$f" ||
		sks_fail "unpriv $who: joining the records group was not refused with EPERM"
done
sks_tool status
sks_eq "$(field state:)" stopped "state after the unprivileged storms"

run race -- race --threads 4 --seconds 3 --seed "$seed"
f=$SKS_TMP/race
[ "$(kv "$f" race start_ok)" -gt 0 ] || sks_fail "race: no START succeeded"
[ "$(kv "$f" race stop_ok)" -gt 0 ] || sks_fail "race: no STOP succeeded"
grep -q '^race: after START, STOP:' "$f" || sks_fail "race: no START/STOP after the race"
sks_eq "$(wc -l <$ef)" "$hooks_before" "ftrace hooks after the race"
