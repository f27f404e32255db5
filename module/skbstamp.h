/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between skbstamp's source files.
 */
#ifndef SKS_SKBSTAMP_H
#define SKS_SKBSTAMP_H

#include <linux/skbstamp.h>

int sks_genl_register(void);
void sks_genl_unregister(void);

enum skbstamp_state sks_state(void);

#endif /* SKS_SKBSTAMP_H */
