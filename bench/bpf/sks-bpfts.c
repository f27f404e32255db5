// SPDX-License-Identifier: GPL-2.0
/*
 * sks-bpfts CGROUP: load sks_bpfts.bpf.o (next to this program), attach it
 * to CGROUP (cgroup v2 directory) and drain its records until SIGINT or
 * SIGTERM, printing one line per record to stdout, as a collector of
 * skbstamp's records does.  Prints "attached" on stderr once attached and
 * the record and loss counts at exit.  Configuration 7 of make bench.
 *
 * sks-bpfts CGROUP discard: the same, but the records are only counted,
 * as bench/tools/sks-sink does with skbstamp's (make ledger's bpfring).
 *
 * sks-bpfts CGROUP hist: attach the histogram program instead and sleep
 * until SIGINT or SIGTERM; then print each pair's sample count, and the
 * skbs still in flight, on stderr.  Configuration 10.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct sks_bpfts_rec {
	uint64_t ts_ns;
	uint64_t cookie;
	uint32_t op;
	uint32_t saddr;
	uint32_t daddr;
	uint32_t sport;
	uint32_t dport;
};

static volatile sig_atomic_t stop;
static unsigned long long records;
static int discard;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t len)
{
	const struct sks_bpfts_rec *r = data;

	(void)ctx;
	if (len < sizeof(*r))
		return 0;
	records++;
	if (discard)
		return 0;
	printf("%llu %llu op %u %08x:%u > %08x:%u\n",
	       (unsigned long long)r->ts_ns, (unsigned long long)r->cookie,
	       r->op, r->saddr, r->sport, r->daddr, r->dport);
	return 0;
}

#define SKS_PAIRS	4
#define SKS_BUCKETS	64

/* The histogram program's sample counts, summed over the CPUs. */
static void print_hist(struct bpf_object *obj)
{
	static const char *const names[SKS_PAIRS] = {
		"sendmsg-sched", "sched-sw", "sw-ack", "sendmsg-ack"
	};
	int fd = bpf_object__find_map_fd_by_name(obj, "sks_hist");
	int ncpu = libbpf_num_possible_cpus(), i, c;
	unsigned long long count[SKS_PAIRS] = { 0 };
	struct { uint64_t c; uint32_t t; uint32_t p; } key, next;
	unsigned long long inflight = 0;
	uint64_t *vals;
	uint32_t idx;

	vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));
	for (idx = 0; vals && idx < SKS_PAIRS * SKS_BUCKETS; idx++)
		if (!bpf_map_lookup_elem(fd, &idx, vals))
			for (c = 0; c < ncpu; c++)
				count[idx / SKS_BUCKETS] += vals[c];
	free(vals);
	fd = bpf_object__find_map_fd_by_name(obj, "sks_inflight");
	if (!bpf_map_get_next_key(fd, NULL, &next)) {
		do {
			inflight++;
			key = next;
		} while (!bpf_map_get_next_key(fd, &key, &next));
	}
	for (i = 0; i < SKS_PAIRS; i++)
		fprintf(stderr, "sks-bpfts: %s %llu samples\n", names[i],
			count[i]);
	fprintf(stderr, "sks-bpfts: %llu skbs in flight\n", inflight);
}

static int die(const char *what)
{
	fprintf(stderr, "sks-bpfts: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	char obj_path[PATH_MAX], *slash;
	unsigned long long lost = 0;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct ring_buffer *rb;
	struct bpf_link *link;
	int cg, ncpu, i, hist;
	uint64_t *vals;
	uint32_t zero = 0;
	ssize_t n;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && strcmp(argv[2], "hist") && strcmp(argv[2], "discard"))) {
		fprintf(stderr, "Usage: sks-bpfts CGROUP-DIR [hist|discard]\n");
		return 1;
	}
	hist = argc == 3 && !strcmp(argv[2], "hist");
	discard = argc == 3 && !strcmp(argv[2], "discard");
	n = readlink("/proc/self/exe", obj_path, sizeof(obj_path) - 32);
	if (n < 0)
		return die("readlink /proc/self/exe");
	obj_path[n] = '\0';
	slash = strrchr(obj_path, '/');
	slash = slash ? slash + 1 : obj_path;
	snprintf(slash, obj_path + sizeof(obj_path) - slash, "sks_bpfts.bpf.o");

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		return die(obj_path);
	if (bpf_object__load(obj))
		return die("loading the BPF program");
	prog = bpf_object__find_program_by_name(obj, hist ? "sks_bpfts_hist" :
						"sks_bpfts");
	cg = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (!prog || cg < 0)
		return die(argv[1]);
	link = bpf_program__attach_cgroup(prog, cg);
	if (!link)
		return die("attaching to the cgroup");
	if (hist) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		fprintf(stderr, "sks-bpfts: attached to %s\n", argv[1]);
		/* A second's sleep, not pause(): a signal may come before it. */
		while (!stop)
			sleep(1);
		print_hist(obj);
		bpf_link__destroy(link);
		bpf_object__close(obj);
		return 0;
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "sks_events"),
			      on_record, NULL, NULL);
	if (!rb)
		return die("ring buffer");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "sks-bpfts: attached to %s\n", argv[1]);
	while (!stop) {
		if (ring_buffer__poll(rb, 100) < 0 && errno != EINTR)
			break;
		fflush(stdout);
	}
	ring_buffer__consume(rb);
	fflush(stdout);
	ncpu = libbpf_num_possible_cpus();
	vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));
	if (vals && ncpu > 0 &&
	    !bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "sks_lost"),
				 &zero, vals))
		for (i = 0; i < ncpu; i++)
			lost += vals[i];
	fprintf(stderr, "sks-bpfts: %llu records, %llu lost\n", records, lost);
	free(vals);
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
