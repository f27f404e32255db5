/* SPDX-License-Identifier: GPL-2.0 */
/* The kfuncs sks_bpfts.bpf.c calls (Linux 6.15+), resolved through BTF. */
#ifndef SKS_KFUNCS_H
#define SKS_KFUNCS_H

/*
 * libbpf checks a kfunc's prototype against the kernel's and takes a
 * forward declaration for an incompatible kind: any struct will do.
 */
struct bpf_sock_ops_kern {
	int opaque;
};

void *bpf_cast_to_kern_ctx(void *obj) __ksym;
int bpf_sock_ops_enable_tx_tstamp(struct bpf_sock_ops_kern *skops,
				  __u64 flags) __ksym;

#endif
