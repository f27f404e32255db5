/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatting without printf, for monitor's lines (fmt.c).
 *
 * monitor prints a line per record or packet, and printf's format parsing,
 * locale and per-call locking cost more than the rest of the collector
 * together.  Each sks_fmt_* function writes at @p, which the caller
 * guarantees room at, and returns the end of what it wrote; no NUL.
 * Their output is byte for byte printf's and inet_ntop's, which the
 * test program sks-recfmt checks.
 */
#ifndef SKBSTAMP_FMT_H
#define SKBSTAMP_FMT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* "%llu", "%d", "%llx" */
char *sks_fmt_u64(char *p, uint64_t v);
char *sks_fmt_s32(char *p, int32_t v);
char *sks_fmt_hex(char *p, uint64_t v);
/* "%0*llu": @v in exactly @width digits (@v < 10^@width). */
char *sks_fmt_u64_pad(char *p, uint64_t v, unsigned int width);
/* inet_ntop(AF_INET) and inet_ntop(AF_INET6): at most 15 and 45 bytes. */
char *sks_fmt_ipv4(char *p, const uint8_t *a);
char *sks_fmt_ipv6(char *p, const uint8_t *a);
/*
 * The bytes of @s up to its NUL or @max, escaped for a JSON string (no
 * quotes): at most 6 bytes out per byte in.
 */
char *sks_fmt_json_esc(char *p, const char *s, size_t max);

static inline char *sks_fmt_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal: its length is known at compile time. */
#define sks_fmt_lit(p, s)	sks_fmt_mem(p, s, sizeof(s) - 1)

static inline char *sks_fmt_str(char *p, const char *s)
{
	return sks_fmt_mem(p, s, strlen(s));
}

/*
 * Whole lines collected for one write.  A line is formatted in place at
 * sks_obuf_line(), which leaves SKS_LINE_MAX bytes of room, and ends at
 * sks_obuf_done(); sks_obuf_flush() writes what was collected.  The
 * longest line, a JSON drop record whose location is a 255-byte symbol
 * name escaped byte by byte, is under 2.5 KB.
 */
#define SKS_LINE_MAX	4096

struct sks_obuf {
	FILE *f;
	char *buf;
	size_t len, size;
};

int sks_obuf_init(struct sks_obuf *o, FILE *f, size_t size);
void sks_obuf_free(struct sks_obuf *o);
void sks_obuf_flush(struct sks_obuf *o);

static inline char *sks_obuf_line(struct sks_obuf *o)
{
	if (o->size - o->len < SKS_LINE_MAX)
		sks_obuf_flush(o);
	return o->buf + o->len;
}

static inline void sks_obuf_done(struct sks_obuf *o, char *end)
{
	o->len = end - o->buf;
}

#endif /* SKBSTAMP_FMT_H */
