# SPDX-License-Identifier: GPL-2.0
#
# time-table.awk: where one make check job's time went, for the table
# check.sh prints at the end of its output (and so keeps in the log).
#
# usage: awk -v job=NAME -f time-table.awk JOB/times JOB/out/ktap
#
# JOB/times holds "SECS STEP..." lines, one per step as check.sh timed it
# (fetch, builds, DKMS, "guest" for the whole guest run); the guest's KTAP
# has "ok N CASE # time SECSs" per case.  Prints two comment lines: the
# job's total by step, with the guest split into its cases and the rest
# (boot, shutdown, the suite's work between cases), then its slowest cases.

FNR == NR {
	secs = $1
	$1 = ""
	sub(/^ /, "")
	step[++nsteps] = $0
	took[nsteps] = secs
	total += secs
	if ($0 == "guest")
		guest = secs
	next
}

/^(not )?ok / && / # time [0-9]+s$/ {
	name = $0
	sub(/^(not )?ok [0-9]+ /, "", name)
	sub(/ # .*/, "", name)
	t = $NF
	sub(/s$/, "", t)
	cases += t
	c_name[++ncases] = name
	c_secs[ncases] = t + 0
}

END {
	line = sprintf("# %s: %d s =", job, total)
	for (i = 1; i <= nsteps; i++)
		line = line sprintf("%s %s %d", i > 1 ? " +" : "", step[i], took[i])
	if (ncases)
		line = line sprintf(" (cases %d, boot and between cases %d)",
				    cases, guest - cases)
	print line
	if (!ncases)
		exit
	# The slowest six, by selection: there are a few dozen cases.
	line = "#   slowest:"
	for (n = 1; n <= 6 && n <= ncases; n++) {
		best = 0
		for (i = 1; i <= ncases; i++)
			if (!(i in shown) && (!best || c_secs[i] > c_secs[best]))
				best = i
		shown[best] = 1
		line = line sprintf("%s %s %d", n > 1 ? "," : "", c_name[best],
				    c_secs[best])
	}
	print line
}
