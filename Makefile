# SPDX-License-Identifier: GPL-2.0
#
# skbstamp: top-level targets.
#
#   make                  module (for the running kernel) and tool
#   make module KDIR=...  module against a kernel build tree
#   make tool             the skbstamp tool
#   make install          module through DKMS, and the tool (as root)
#   make demo             boot a guest and show real per-packet timelines
#   make check            the test suite on every kernel of tests/kernels.conf
#   make check KERNELS=6.1 ONLY=status   one kernel, one test
#   make bench [KERNELS=...]  overhead benchmark in the guests (bench/)
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

# Everything below boots guests; tests/check.sh installs what it needs.
KERNELS ?=
ONLY ?=

check:
	SKS_ONLY=$(ONLY) tests/check.sh $(KERNELS)

demo:
	tests/demo.sh

# Not part of check: minutes of emulation per kernel.
bench:
	bench/run.sh $(KERNELS)

.PHONY: all module tool clean dkms-src dkms-install dkms-uninstall install \
	check demo bench
