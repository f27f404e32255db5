# SPDX-License-Identifier: GPL-2.0
#
# skbstamp: top-level targets.
#
#   make                  module (for the running kernel) and tool
#   make module KDIR=...  module against a kernel build tree
#   make tool             the skbstamp tool
#   make install          module through DKMS, and the tool (as root)
#   make install-service  skbstamp.service and /etc/skbstamp.conf (as root)
#   make deb              Debian packages skbstamp and skbstamp-dkms
#   make demo             boot a guest and show real per-packet timelines
#   make check            the test suite on every kernel of tests/kernels.conf
#   make check KERNELS=6.1 ONLY=status   one kernel, one test
#   make check KERNELS=deb  the Debian packages alone: installed in a guest,
#                         where their postinst has DKMS build the module
#   make soak [KERNELS=...] [ONLY=...]  the stress cases at full scale
#                         (200 start/stop cycles, 50 loads, 100,000 sockets)
#                         and the packages' in-guest DKMS compile (deb)
#   make check-debug [ONLY=...] [SOAK=1]  the suite on a KASAN/lockdep/
#                         kmemleak 6.1 kernel (built once, cached; hours the
#                         first time); SOAK=1: stress cases at full scale
#   make bench [KERNELS=...]  overhead benchmark in the guests (bench/)
#   make ledger [KERNELS=...]  instructions per transaction, function by
#                         function, counted by a QEMU plugin (bench/ledger.sh)
#
# The module's own build rules are in Kbuild; everything that needs a guest
# is in tests/.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DESTDIR ?=
PREFIX ?= /usr/local

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C tool

clean:
	$(MAKE) -C tool clean
	if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf build

# The module source as DKMS wants it: /usr/src/skbstamp-VERSION.
DKMS_SRC := $(DESTDIR)/usr/src/skbstamp-$(VERSION)
DKMS_FILES := Kbuild dkms.conf module uapi

dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r $(DKMS_FILES) $(DKMS_SRC)/

dkms-install: dkms-src
	dkms add -m skbstamp -v $(VERSION)
	dkms build -m skbstamp -v $(VERSION)
	dkms install -m skbstamp -v $(VERSION)

dkms-uninstall:
	dkms remove -m skbstamp -v $(VERSION) --all || true
	rm -rf $(DKMS_SRC)

install: dkms-install tool
	$(MAKE) -C tool install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The service runs $(PREFIX)/lib/skbstamp/skbstamp-service; an existing
# /etc/skbstamp.conf is kept.
install-service:
	install -D -m 0755 deploy/skbstamp-service \
		$(DESTDIR)/usr/lib/skbstamp/skbstamp-service
	install -D -m 0644 deploy/skbstamp.service \
		$(DESTDIR)/lib/systemd/system/skbstamp.service
	[ -e $(DESTDIR)/etc/skbstamp.conf ] || \
		install -D -m 0644 deploy/skbstamp.conf $(DESTDIR)/etc/skbstamp.conf

# Debian packages, built from a copy in build/deb with the standard tools
# (dpkg-buildpackage, dh, dh_dkms); debian/changelog is written there with
# dkms.conf's version.  The .debs end up in build/deb/.
DEB_DIR := build/deb/skbstamp-$(VERSION)
DEB_FILES := Kbuild Makefile README.md dkms.conf module uapi tool deploy debian

deb:
	rm -rf build/deb
	mkdir -p $(DEB_DIR)
	cp -a $(DEB_FILES) $(DEB_DIR)/
	$(MAKE) -C $(DEB_DIR)/tool clean
	printf '%s\n' "skbstamp ($(VERSION)-1) unstable; urgency=medium" "" \
		"  * Version $(VERSION), from dkms.conf." "" \
		" -- skbstamp developers <skbstamp@localhost>  $$(date -R)" \
		>$(DEB_DIR)/debian/changelog
	cd $(DEB_DIR) && dpkg-buildpackage -us -uc -b

# Everything below boots guests; tests/check.sh installs what it needs.
KERNELS ?=
ONLY ?=

check:
	SKS_ONLY=$(ONLY) tests/check.sh $(KERNELS)

# The stress cases at full scale (tests/guest/lib.sh sks_scale): make
# check runs the same cases smaller.  430 brings the deb job, where the
# packages' postinst has DKMS compile the module in a guest.
SOAK_CASES := 155,180,185,190,240,250,260,430
soak:
	SKS_SOAK=1 SKS_ONLY=$(or $(ONLY),$(SOAK_CASES)) tests/check.sh $(KERNELS)

# Not part of check: a debug kernel build (once) and a slow guest.
SOAK ?=
check-debug:
	SKS_SOAK=$(SOAK) SKS_ONLY=$(ONLY) tests/check-debug.sh

demo:
	tests/demo.sh

# Not part of check: minutes of emulation per kernel.
bench:
	bench/run.sh $(KERNELS)

ledger:
	bench/ledger.sh $(KERNELS)

.PHONY: all module tool clean dkms-src dkms-install dkms-uninstall install \
	install-service deb check soak check-debug demo bench ledger
