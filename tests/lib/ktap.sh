# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# suite_name is the caller's:
# shellcheck disable=SC2154
# KTAP output of make check and make check-debug; sourced after common.sh.
# A suite is sub_begin, sub_result/sub_guest per test, sub_end.  The caller
# keeps the totals passed, failed and skipped, and suite_name and suite_no
# (the number of the suite sub_end prints).

# vm-run.sh's verdict on a guest: a kernel problem in its console (and the
# matching lines), a timeout, a guest that did not start or report.
ktap_verdict='^vm-run: (KERNEL PROBLEM|TIMEOUT|guest|QEMU|  )'

# ktap_failures: the KTAP on stdin's failed tests, told again in short
# (tests/lib/ktap-failures.awk).
ktap_failures() { awk -v verdict="$ktap_verdict" -f "$top/tests/lib/ktap-failures.awk"; }

# A suite's lines are collected, then printed indented as a KTAP subtest.
sub=()
sub_n=0 sub_fail=0
sub_begin() { sub=() sub_n=0 sub_fail=0; }

# sub_result RC NAME [DETAIL-FILE]: RC 0 pass, 4 skip, anything else fails.
sub_result()
{
	local rc=$1 name=$2 detail=${3:-}
	sub_n=$((sub_n + 1))
	if [ -n "$detail" ] && [ -s "$detail" ] && [ "$rc" -ne 0 ]; then
		# vm-run.sh's verdict (a kernel problem in the console, a
		# timeout) comes before 60 lines of console, so first.
		while IFS= read -r l; do sub+=("# $l"); done < <(
			grep -a -m 12 -E "$ktap_verdict" "$detail"
			tail -n 40 "$detail")
	fi
	case $rc in
	0) sub+=("ok $sub_n $name"); passed=$((passed + 1)) ;;
	4) sub+=("ok $sub_n $name # SKIP"); skipped=$((skipped + 1)) ;;
	*) sub+=("not ok $sub_n $name"); failed=$((failed + 1)); sub_fail=1 ;;
	esac
	log "$suite_name: $([ "$rc" -eq 0 ] && echo ok || { [ "$rc" -eq 4 ] && echo skip || echo FAIL; }) $name"
}

sub_end()
{
	local extra=${1:-}
	suite_no=$((suite_no + 1))
	echo "    KTAP version 1"
	echo "    # Subtest: $suite_name"
	echo "    1..$sub_n"
	for l in "${sub[@]}"; do echo "    $l"; done
	if [ "$sub_fail" -eq 0 ]; then
		echo "ok $suite_no $suite_name$extra"
	else
		echo "not ok $suite_no $suite_name$extra"
	fi
}

# Fold the guest's KTAP (tests/guest/suite.sh) into the current suite.
sub_guest()
{
	local ktap=$1 line desc
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			desc=${line#ok * }
			sub_result 4 "${desc%% # *}" ;;
		"ok "*)
			desc=${line#ok * }
			sub_result 0 "${desc%% # *}" ;;
		"not ok "*)
			desc=${line#not ok * }
			# Why (a timeout, an exit status) as a diagnostic.
			[ "$desc" = "${desc%% # *}" ] || sub+=("# ${desc#* # }")
			sub_result 1 "${desc%% # *}" ;;
		"# "*)
			sub+=("$line") ;;
		esac
	done <"$ktap"
}
