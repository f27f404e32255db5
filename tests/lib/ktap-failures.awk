# SPDX-License-Identifier: GPL-2.0
#
# ktap-failures.awk: a short account of every failed test in the KTAP that
# make check and make check-debug print, to go last in their output.  CI
# keeps only the end of a long run's output, so what failed, and why, must
# be there and not only in the middle of thousands of passing cases' logs.
#
# For each failed subtest: its last 6 lines (where it stopped), then its
# first "FAIL" lines (what the case said went wrong) and vm-run.sh's
# verdict on the guest (matching -v verdict, the caller's ktap_verdict)
# that are not among those, then "# FAILED suite: test".  The why goes
# last: CI's excerpt of a failed run is its last two dozen lines.  Prints
# nothing if nothing failed.

function flush_failure(name,	i, start, shown)
{
	print "# ---"
	start = nlines > 6 ? nlines - 5 : 1
	for (i = start; i <= nlines; i++)
		print "# " lines[i]
	shown = 0
	for (i = 1; i <= nfail && shown < 8; i++) {
		if (failat[i] >= start)
			break
		print "# " lines[failat[i]]
		shown++
	}
	print "# FAILED " suite ": " name
}

function reset()
{
	nlines = 0
	nfail = 0
}

BEGIN { reset() }

/^    # Subtest: / {
	suite = substr($0, 16)
	reset()
	next
}

# A subtest's diagnostic line: the case's log, as suite.sh printed it.
/^    # / {
	line = substr($0, 7)
	lines[++nlines] = line
	if (line ~ /FAIL/ || line ~ verdict)
		failat[++nfail] = nlines
	next
}

/^    not ok / {
	name = $0
	sub(/^    not ok [0-9]+ /, "", name)
	flush_failure(name)
	reset()
	next
}

/^    ok / { reset() }
