# skbstamp monitor raw FILE: the records unformatted, for machines, and
# skbstamp decode to read them back.  Four monitors listen to the same TCP
# and UDP traffic at once: --json, text, raw to a file, and raw to
# standard output with "count 7".  The raw stream's header names its
# version, the record size and the stages traced; it holds one record per
# JSON line; decoding it gives the JSON monitor's lines and the text
# monitor's lines byte for byte; the counted monitor stops by itself after
# exactly 7 records, the first 7 the others got.

sks_load
sks_netns_pair
"$SKS_TOOL" start stages sendmsg,sched,sw,ack,txdone || sks_fail "start failed"
sks_monitor_start "$SKS_TMP/j.json" --json
mj=$sks_monitor_pid
sks_monitor_start "$SKS_TMP/t.txt"
mt=$sks_monitor_pid
sks_monitor_start "$SKS_TMP/r.out" monitor raw "$SKS_TMP/r.raw"
mr=$sks_monitor_pid
sks_monitor_start "$SKS_TMP/c.raw" monitor raw - count 7
mc=$sks_monitor_pid

sks_tcp_flow 10.0.0.2 7301 sizes 100,200,300 gap-us 10000 nodelay quiet-ms 1
sks_udp 7302 20
wait "$mc" || sks_fail "the monitor with count 7 exited with status $?"
for sks_monitor_pid in "$mr" "$mt" "$mj"; do
	sks_monitor_stop
done
"$SKS_TOOL" stop || sks_fail "stop failed"

# The header: version 1, 136-byte records, stages 0-2, 4 and 5 (55).
read -r version size stages reserved < <(od -An -tu4 -j8 -N16 "$SKS_TMP/r.raw")
sks_eq "$(head -c 8 "$SKS_TMP/r.raw")" SKBSTAMP "raw stream magic"
sks_eq "$version $size $stages $reserved" "1 136 55 0" \
	"raw header: version, record size, stages, reserved"
[ -s "$SKS_TMP/r.out" ] && sks_fail "monitor raw FILE printed on standard output"

# One record per JSON line: 3 TCP sends of 5 stages, 20 datagrams of 4
# (no ACK), at least.
bytes=$(stat -c %s "$SKS_TMP/r.raw")
records=$(((bytes - 24) / 136))
sks_eq $(((bytes - 24) % 136)) 0 "raw stream: whole records after the header"
mapfile -t json <"$SKS_TMP/j.json"
sks_eq "$records" "${#json[@]}" "raw records against JSON lines"
[ "$records" -ge 95 ] || sks_fail "only $records records for 3 TCP sends and 20 datagrams"
sks_file_has "$SKS_TMP/r.out.err" "$records records received" ||
	sks_fail "the raw monitor's count: $(<"$SKS_TMP/r.out.err")"

"$SKS_TOOL" --json decode "$SKS_TMP/r.raw" >"$SKS_TMP/d.json" ||
	sks_fail "decode --json exited with status $?"
cmp "$SKS_TMP/d.json" "$SKS_TMP/j.json" ||
	sks_fail "decode of the raw stream differs from --json monitor"
"$SKS_TOOL" decode <"$SKS_TMP/r.raw" >"$SKS_TMP/d.txt" ||
	sks_fail "decode (text) exited with status $?"
[ -s "$SKS_TMP/t.txt" ] || sks_fail "the text monitor printed nothing"
cmp "$SKS_TMP/d.txt" "$SKS_TMP/t.txt" ||
	sks_fail "text decode of the raw stream differs from the text monitor"

sks_eq "$(stat -c %s "$SKS_TMP/c.raw")" $((24 + 7 * 136)) "monitor raw - count 7: bytes"
"$SKS_TOOL" --json decode "$SKS_TMP/c.raw" >"$SKS_TMP/c.json" ||
	sks_fail "decode of the counted stream exited with status $?"
cmp "$SKS_TMP/c.json" <(printf '%s\n' "${json[@]:0:7}") ||
	sks_fail "the counted stream is not the first 7 records"
echo "raw: $records records, decoded as the JSON and text monitors printed them"
