/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What skbstamp monitor prints: packets assembled from records for the
 * text output (assemble.c), and records as JSON lines (record.c).
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

/* record.c */
const char *sks_drop_reason_name(unsigned int reason);
/* Names from the text of a kfree_skb format file; read by itself if not. */
void sks_drop_reasons_parse(const char *fmt);
void sks_drop_where(const struct skbstamp_record *r, char *buf, size_t len);
void sks_addr_str(const struct skbstamp_record *r, const uint8_t *addr,
		  char *buf, size_t len);
void sks_print_json(const struct skbstamp_record *r);

#endif /* SKBSTAMP_MONITOR_H */
