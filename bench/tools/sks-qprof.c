// SPDX-License-Identifier: GPL-2.0
/*
 * sks-qprof: a QEMU TCG plugin that counts the guest instructions each
 * translation block executes, for the cost ledger (bench/ledger.sh).
 *
 *   qemu-system-x86_64 ... -plugin PATH/sks-qprof.so,dir=DIR
 *
 * Every translated block gets an inline counter of its executions.  A
 * thread of the plugin watches DIR: when the guest (which shares DIR over
 * 9p) creates DIR/mark-N, the plugin writes DIR/prof-N, one line per block
 * executed so far, "VADDR NINSNS COUNT" in hex, hex and decimal, then
 * creates DIR/ack-N, which the guest waits for.  The difference of two
 * dumps, block by block, is what ran in between: instructions by address,
 * which bench/ledger.py turns into instructions by function.
 *
 * A block counts all its instructions when it starts, so one cut short by
 * an interrupt or an exception is over-counted by the rest of it; with
 * -icount, which also cuts blocks at its budget, the error stays well
 * under 1% of a window of thousands of transactions.
 *
 * QEMU's plugin API is declared in sks-qprof.h, not included: Debian
 * ships no qemu-plugin.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sks-qprof.h"

#define SKS_EXPORT __attribute__((visibility("default")))
#define SKS_INLINE_ADD_U64 0

SKS_EXPORT int qemu_plugin_version = 1;

/* Blocks are keyed by (address, length): a retranslation shares its slot. */
#define SKS_SLOT_BITS	21
#define SKS_NSLOTS	2097152u	/* 2^SKS_SLOT_BITS */

struct sks_slot {
	uint64_t vaddr;
	uint64_t ninsns;	/* 0: free */
	uint64_t count;
};

static struct sks_slot *sks_slots;
static pthread_mutex_t sks_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long sks_full;
static char sks_dir[4096];

static struct sks_slot *sks_slot_get(uint64_t vaddr, uint64_t n)
{
	uint64_t h = (vaddr ^ (n << 48)) * 0x9e3779b97f4a7c15ull;
	uint32_t i = h >> (64 - SKS_SLOT_BITS), probe;
	struct sks_slot *s;

	for (probe = 0; probe < 64; probe++, i = (i + 1) & (SKS_NSLOTS - 1)) {
		s = &sks_slots[i];
		if (s->ninsns == n && s->vaddr == vaddr)
			return s;
		if (!s->ninsns) {
			s->vaddr = vaddr;
			__atomic_store_n(&s->ninsns, n, __ATOMIC_RELEASE);
			return s;
		}
	}
	return NULL;
}

static void sks_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t n = qemu_plugin_tb_n_insns(tb);
	struct sks_slot *s;

	(void)id;
	if (!n)
		return;
	pthread_mutex_lock(&sks_lock);
	s = sks_slot_get(qemu_plugin_tb_vaddr(tb), n);
	if (!s)
		sks_full++;
	pthread_mutex_unlock(&sks_lock);
	if (s)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, SKS_INLINE_ADD_U64,
							 &s->count, 1);
}

static int sks_exists(const char *name, unsigned int n)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s-%u", sks_dir, name, n);
	return stat(path, &st) == 0;
}

static void sks_dump(unsigned int n)
{
	char path[4200], tmp[4300];
	uint32_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/prof-%u", sks_dir, n);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "sks-qprof: %s: %s\n", tmp, strerror(errno));
		return;
	}
	pthread_mutex_lock(&sks_lock);
	fprintf(f, "# unplaced blocks %lu\n", sks_full);
	for (i = 0; i < SKS_NSLOTS; i++) {
		const struct sks_slot *s = &sks_slots[i];
		uint64_t c = __atomic_load_n(&s->count, __ATOMIC_RELAXED);

		if (s->ninsns && c)
			fprintf(f, "%" PRIx64 " %" PRIx64 " %" PRIu64 "\n",
				s->vaddr, s->ninsns, c);
	}
	pthread_mutex_unlock(&sks_lock);
	fclose(f);
	rename(tmp, path);
	snprintf(path, sizeof(path), "%s/ack-%u", sks_dir, n);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

/* Answer the guest's marks, in order, for as long as QEMU runs. */
static void *sks_watch(void *arg)
{
	const struct timespec tick = { 0, 2000000 };
	unsigned int n = 1;

	(void)arg;
	for (;;) {
		if (sks_exists("mark", n) && !sks_exists("ack", n)) {
			sks_dump(n);
			n++;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

SKS_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
				   const struct sks_qemu_info *info, int argc,
				   char **argv)
{
	pthread_t t;
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "dir=", 4))
			snprintf(sks_dir, sizeof(sks_dir), "%s", argv[i] + 4);
	if (!sks_dir[0]) {
		fprintf(stderr, "sks-qprof: dir=DIR is required\n");
		return -1;
	}
	sks_slots = calloc(SKS_NSLOTS, sizeof(*sks_slots));
	if (!sks_slots)
		return -1;
	if (pthread_create(&t, NULL, sks_watch, NULL))
		return -1;
	pthread_detach(t);
	qemu_plugin_register_vcpu_tb_trans_cb(id, sks_tb_trans);
	return 0;
}
