// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses of the kernel functions to hook, by name.
 *
 * ftrace_set_filter() takes a name, but matches it by walking every
 * function ftrace knows and naming each one: about 150 ms per name in a
 * TCG guest, seconds for the ~40 hooked functions at every load.  kprobes
 * resolve a name with the kallsyms lookup (a binary search since 6.2), so
 * each name is registered as a disabled kprobe, which never patches any
 * code, just long enough to read its address; all of them are then
 * unregistered at once, with one grace period.  On kernels with IBT the
 * address kprobes give is past the function's endbr64, at its fentry call.
 */
#include <linux/kprobes.h>
#include <linux/slab.h>

#include "skbstamp.h"

/*
 * Fill @addrs[i] with the address of @names[i] (NULL: not looked up), or
 * 0 where the name is unknown or cannot be probed.  Called at load only.
 */
int sks_ksym_lookup(const char *const *names, unsigned long *addrs,
		    unsigned int n)
{
	struct kprobe **done, *kps;
	unsigned int i, ndone = 0;

	kps = kcalloc(n, sizeof(*kps), GFP_KERNEL);
	done = kcalloc(n, sizeof(*done), GFP_KERNEL);
	if (!kps || !done) {
		kfree(kps);
		kfree(done);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		addrs[i] = 0;
		if (!names[i])
			continue;
		kps[i].symbol_name = names[i];
		kps[i].flags = KPROBE_FLAG_DISABLED;
		if (register_kprobe(&kps[i]))
			continue;
		addrs[i] = (unsigned long)kps[i].addr;
		done[ndone++] = &kps[i];
	}
	if (ndone)
		unregister_kprobes(done, ndone);
	kfree(done);
	kfree(kps);
	return 0;
}
