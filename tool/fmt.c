// SPDX-License-Identifier: GPL-2.0
/*
 * Formatting without printf: numbers, addresses and JSON strings for
 * monitor's lines, and the buffer that collects the lines for one write.
 */
#include <stdlib.h>

#include "fmt.h"

static const char sks_hexdig[] = "0123456789abcdef";

/* "00" "01" .. "99": two digits per division, half the divisions. */
#define SKS_TENS(t)	#t "0" #t "1" #t "2" #t "3" #t "4" #t "5" #t "6" #t "7" #t "8" #t "9"
static const char sks_pairs[] =
	SKS_TENS(0) SKS_TENS(1) SKS_TENS(2) SKS_TENS(3) SKS_TENS(4)
	SKS_TENS(5) SKS_TENS(6) SKS_TENS(7) SKS_TENS(8) SKS_TENS(9);

/* The two digits of @v < 100, written backwards to end at @end. */
static inline char *sks_pair_back(char *end, unsigned int v)
{
	end -= 2;
	memcpy(end, sks_pairs + 2 * v, 2);
	return end;
}

/*
 * The decimal digits of @v, written backwards to end at @end: two per
 * division, and in 32 bits, which is cheaper, once fewer than 9 are left.
 */
static char *sks_digits_back(char *end, uint64_t v)
{
	uint32_t low;
	unsigned int i;

	while (v >= 100000000) {
		low = v % 100000000;
		v /= 100000000;
		for (i = 0; i < 4; i++) {
			end = sks_pair_back(end, low % 100);
			low /= 100;
		}
	}
	for (low = v; low >= 100; low /= 100)
		end = sks_pair_back(end, low % 100);
	if (low >= 10)
		return sks_pair_back(end, low);
	*--end = '0' + low;
	return end;
}

/*
 * How many digits @v has: log10 from the bit length (1233 / 4096 is just
 * below log10(2)), then one comparison.  0 has one digit, hence pow10[0] = 0.
 */
static unsigned int sks_ndigits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
		1000000000, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull,
		10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	unsigned int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + (v >= pow10[t]);
}

char *sks_fmt_u64(char *p, uint64_t v)
{
	char *end;

	/* CPUs, offsets, short lengths: mostly one or two digits. */
	if (v < 10) {
		*p = '0' + v;
		return p + 1;
	}
	if (v < 100)
		return sks_pair_back(p + 2, v) + 2;
	end = p + sks_ndigits(v);
	sks_digits_back(end, v);
	return end;
}

char *sks_fmt_u64_pad(char *p, uint64_t v, unsigned int width)
{
	char *end = p + width, *s = sks_digits_back(end, v);

	while (s > p)
		*--s = '0';
	return end;
}

char *sks_fmt_s32(char *p, int32_t v)
{
	if (v >= 0)
		return sks_fmt_u64(p, v);
	*p++ = '-';
	return sks_fmt_u64(p, -(int64_t)v);
}

char *sks_fmt_hex(char *p, uint64_t v)
{
	char *end = p + (64 - __builtin_clzll(v | 1) + 3) / 4, *q = end;

	do {
		*--q = sks_hexdig[v & 15];
		v >>= 4;
	} while (q > p);
	return end;
}

char *sks_fmt_ipv4(char *p, const uint8_t *a)
{
	p = sks_fmt_u64(p, a[0]);
	*p++ = '.';
	p = sks_fmt_u64(p, a[1]);
	*p++ = '.';
	p = sks_fmt_u64(p, a[2]);
	*p++ = '.';
	return sks_fmt_u64(p, a[3]);
}

/* A 16-bit group as "%x": lowercase, no leading zeros (RFC 5952 4.1, 4.3). */
static char *sks_fmt_group(char *p, unsigned int w)
{
	int shift = (31 - __builtin_clz(w | 1)) & ~3;	/* of the first digit */

	for (; shift >= 0; shift -= 4)
		*p++ = sks_hexdig[(w >> shift) & 15];
	return p;
}

/*
 * As glibc's inet_ntop() prints it (RFC 5952): the first longest run of
 * two or more zero groups becomes "::", and the last 32 bits are dotted
 * IPv4 in a v4-mapped address (::ffff:0:0/96) and a v4-compatible one
 * (96 zero bits, then a nonzero group: ::1 stays ::1).
 */
char *sks_fmt_ipv6(char *p, const uint8_t *a)
{
	int i, best = -1, best_len = 0, cur = -1;
	unsigned int w[8];

	for (i = 0; i < 8; i++) {
		w[i] = a[2 * i] << 8 | a[2 * i + 1];
		if (w[i]) {
			cur = -1;
			continue;
		}
		if (cur < 0)
			cur = i;
		if (i - cur + 1 > best_len) {
			best = cur;
			best_len = i - cur + 1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return sks_fmt_ipv4(p, a + 12);
		p = sks_fmt_group(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

/*
 * What follows the backslash of a byte's escape, 'u' for "\u00XX"; 0 for
 * a byte that stands as it is (DEL and bytes above 0x7f too).
 */
static const char sks_json_esc[256] = {
	[0 ... 8] = 'u', ['\t'] = 't', ['\n'] = 'n', [0x0b ... 0x1f] = 'u',
	['"'] = '"', ['\\'] = '\\',
};

char *sks_fmt_json_esc(char *p, const char *s, size_t max)
{
	for (; max && *s; s++, max--) {
		unsigned char c = *s;
		char e = sks_json_esc[c];

		if (!e) {
			*p++ = c;
			continue;
		}
		*p++ = '\\';
		*p++ = e;
		if (e == 'u') {
			p = sks_fmt_lit(p, "00");
			*p++ = sks_hexdig[c >> 4];
			*p++ = sks_hexdig[c & 15];
		}
	}
	return p;
}

/*
 * The stream goes unbuffered: its own buffer would only cut the lines
 * collected here, and each flush is then one write of whole lines.
 */
int sks_obuf_init(struct sks_obuf *o, FILE *f, size_t size)
{
	o->f = f;
	o->len = 0;
	o->size = size;
	o->buf = malloc(size);
	if (!o->buf)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	return 0;
}

void sks_obuf_free(struct sks_obuf *o)
{
	sks_obuf_flush(o);
	free(o->buf);
	o->buf = NULL;
}

/* A failed write leaves the stream's error flag set, for main's verdict. */
void sks_obuf_flush(struct sks_obuf *o)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, o->f);
	o->len = 0;
}
