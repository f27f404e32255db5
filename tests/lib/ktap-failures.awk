# SPDX-License-Identifier: GPL-2.0
#
# ktap-failures.awk: a short account of every failed test in the KTAP that
# make check and make check-debug print, to go last in their output.  CI
# keeps only the end of a long run's output, so what failed, and why, must
# be there and not only in the middle of thousands of passing cases' logs.
#
# For each failed subtest: the case's first "FAIL" lines (what the case
# itself said went wrong) or vm-run.sh's verdict on the guest (a kernel
# problem in its console, a timeout), if its last 8 lines do not hold
# them, those
# last lines (where it stopped), then
# "# FAILED suite: test".  Prints nothing if nothing failed.

function flush_failure(name,	i, start, shown)
{
	print "# ---"
	start = nlines > 8 ? nlines - 7 : 1
	shown = 0
	for (i = 1; i <= nfail && shown < 8; i++) {
		if (failat[i] >= start)
			break
		print "# " lines[failat[i]]
		shown++
	}
	for (i = start; i <= nlines; i++)
		print "# " lines[i]
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
	if (line ~ /FAIL|^vm-run: (KERNEL PROBLEM|TIMEOUT|guest|QEMU|  )/)
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
