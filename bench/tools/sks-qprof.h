/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few calls of QEMU's plugin API (version 1, QEMU 4.2 to 8.x) that
 * sks-qprof.c uses, declared from QEMU's documentation: Debian ships the
 * plugin loader but no qemu-plugin.h.
 */
#ifndef SKS_QPROF_H
#define SKS_QPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;

/* QEMU's qemu_info_t, of which the plugin reads nothing. */
struct sks_qemu_info {
	const char *target_name;
	struct { int min, cur; } version;
	bool system_emulation;
	union { struct { int smp_vcpus, max_vcpus; } system; };
};

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   void (*cb)(qemu_plugin_id_t id,
						      struct qemu_plugin_tb *tb));
/* op 0: add @imm to the u64 at @ptr each time the block runs */
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      int op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#endif /* SKS_QPROF_H */
