/* SPDX-License-Identifier: GPL-2.0 */
/* The kfuncs sks_bpfts.bpf.c calls (Linux 6.15+), resolved through BTF. */
#ifndef SKS_KFUNCS_H
#define SKS_KFUNCS_H

/*
 * The kernel's prototype (7.2's BTF): int (struct bpf_sock_ops_kern *skops,
 * u64 flags).  libbpf checks an extern kfunc's prototype against it kind
 * by kind: a forward declaration of the struct is BTF kind FWD, which
 * does not match the kernel's STRUCT ("func_proto ... incompatible with
 * kernel"); a definition does, and libbpf does not compare members, so
 * this one declares none the program uses.
 */
struct bpf_sock_ops_kern {
	int opaque;
};

void *bpf_cast_to_kern_ctx(void *obj) __ksym;
int bpf_sock_ops_enable_tx_tstamp(struct bpf_sock_ops_kern *skops,
				  __u64 flags) __ksym;

#endif
