/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every skbstamp object by Kbuild, before any other
 * header.  It is the only place that knows kernel versions differ: the
 * probes in probe.sh decide what features.h defines, and the wrappers below
 * give the rest of the module one API to write against.
 */
#ifndef SKS_COMPAT_H
#define SKS_COMPAT_H

/* Set once, here, so every message carries the module's name. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "features.h"

#endif /* SKS_COMPAT_H */
