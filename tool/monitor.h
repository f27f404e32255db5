/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text-mode packet assembly for skbstamp monitor (assemble.c).
 */
#ifndef SKBSTAMP_MONITOR_H
#define SKBSTAMP_MONITOR_H

#include <stdbool.h>
#include <linux/skbstamp.h>

struct sks_ctx;
struct sks_asm;

struct sks_asm *sks_asm_new(struct sks_ctx *ctx);
/* Both return the number of lines printed. */
int sks_asm_add(struct sks_asm *a, const struct skbstamp_record *r);
int sks_asm_expire(struct sks_asm *a, bool all);
void sks_asm_free(struct sks_asm *a);

const char *sks_drop_reason_name(unsigned int reason);
void sks_drop_where(const struct skbstamp_record *r, char *buf, size_t len);
void sks_addr_str(const struct skbstamp_record *r, const uint8_t *addr,
		  char *buf, size_t len);

#endif /* SKBSTAMP_MONITOR_H */
