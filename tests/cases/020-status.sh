# 'skbstamp status' reports the module version, the running kernel and the
# state, identically in text and JSON.

sks_load
want_ver=$(cat /sys/module/skbstamp/version)

sks_tool --json status
sks_eq "$sks_rc" 0 "status --json exit code"
cat "$SKS_TMP/out"
{ read -r ver; read -r kernel; read -r state; read -r tool_ver; } < <(sks_json "$SKS_TMP/out" \
	'j["version"]' 'j["kernel"]' 'j["state"]' 'j["tool_version"]')
sks_eq "$ver" "$want_ver" "json version"
sks_eq "$kernel" "$(uname -r)" "json kernel"
sks_eq "$state" stopped "json state"
sks_eq "$tool_ver" "$want_ver" "json tool_version"

sks_tool status
sks_eq "$sks_rc" 0 "status exit code"
cat "$SKS_TMP/out"
# field LABEL: the value of a "label:   value" line of the text output.
field() { awk -v l="$1" '{ k = $0; sub(/: .*/, ":", k) } k == l { sub(/^[^:]*: +/, ""); print }' "$SKS_TMP/out"; }
sks_eq "$(field 'module version:')" "$want_ver" "text: module version"
sks_eq "$(field 'kernel:')" "$(uname -r)" "text: kernel"
sks_eq "$(field 'state:')" stopped "text: state"
