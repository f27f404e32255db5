/* SPDX-License-Identifier: GPL-2.0 */
/* The kfuncs sks_bpfts.bpf.c calls (Linux 6.15+), resolved through BTF. */
#ifndef SKS_KFUNCS_H
#define SKS_KFUNCS_H

/*
 * The kernel's prototype (7.2's BTF): int (struct bpf_sock_ops_kern *skops,
 * u64 flags).  libbpf checks an extern kfunc's prototype against it kind
 * by kind: a forward declaration of the struct is BTF kind FWD, which
 * does not match the kernel's STRUCT ("func_proto ... incompatible with
 * kernel"); a definition does, and libbpf does not compare members.  The
 * members declared are the ones the histogram program reads, relocated
 * against the kernel's BTF (CO-RE), as are those of the two structs
 * after it.
 */
struct sk_buff {
	unsigned char *head;
	unsigned int end;
} __attribute__((preserve_access_index));

struct skb_shared_info {
	__u32 tskey;
} __attribute__((preserve_access_index));

struct bpf_sock_ops_kern {
	struct sk_buff *skb;
} __attribute__((preserve_access_index));

void *bpf_cast_to_kern_ctx(void *obj) __ksym;
void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
int bpf_sock_ops_enable_tx_tstamp(struct bpf_sock_ops_kern *skops,
				  __u64 flags) __ksym;

#endif
