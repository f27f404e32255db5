# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Building what the guests run; sourced by check.sh and demo.sh after
# common.sh.  Guests see the host's filesystem, so everything is built on
# the host: the tool and test programs with the host compiler, the module
# per kernel with tests/lib/build-module.sh.

# sks_stage_src DIR: the module's source as DKMS gets it ("make dkms-src"),
# so per-kernel builds never happen inside the checkout.
sks_stage_src()
{
	rm -rf "$1"
	mkdir -p "$1"
	cp -r "$SKS_TESTS_DIR/../Kbuild" "$SKS_TESTS_DIR/../dkms.conf" \
		"$SKS_TESTS_DIR/../module" "$SKS_TESTS_DIR/../uapi" "$1/"
}

# sks_build_host: the tool and the test programs (tests/tools/).
sks_build_host()
{
	local top=$SKS_TESTS_DIR/..
	make -s -C "$top/tool"
	make -s -C "$top/tests/tools"
}

# sks_build_all NAME OUTDIR: host programs, then the module for kernel NAME
# in OUTDIR/module.
sks_build_all()
{
	sks_build_host
	sks_stage_src "$2/src"
	"$SKS_TESTS_DIR/lib/build-module.sh" "$1" "$2/src" "$2/module" >"$2/build.log" 2>&1 ||
		{ cat "$2/build.log"; die "building the module for $1 failed"; }
}
