// SPDX-License-Identifier: GPL-2.0
/*
 * A JSON line of "skbstamp --json monitor" back into a struct
 * skbstamp_record.
 *
 * The lines are flat objects of strings, numbers and booleans (record.c
 * writes them), so this is a small parser for exactly that, strict about
 * syntax and types: a line that is not such an object is an error the
 * caller reports with its line number, never a record made of defaults.
 * Fields it does not know are skipped, so that captures of a newer tool
 * still read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "skbstamp.h"
#include "jsonrec.h"

#define SKS_JVAL_MAX	512	/* the longest string value kept */

struct sks_jval {
	enum { SKS_JSTR, SKS_JNUM, SKS_JBOOL } type;
	char s[SKS_JVAL_MAX];	/* string, or the number's text */
	bool b;
};

static const char *sks_jskip(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/*
 * Appends code point @c to @o as UTF-8, or as the byte itself below 0x100
 * (record.c writes a byte it must escape as \u00XX).
 */
static char *sks_jput(char *o, unsigned int c)
{
	if (c < 0x100) {
		*o++ = c;
	} else if (c < 0x800) {
		*o++ = 0xc0 | c >> 6;
		*o++ = 0x80 | (c & 0x3f);
	} else {
		*o++ = 0xe0 | c >> 12;
		*o++ = 0x80 | (c >> 6 & 0x3f);
		*o++ = 0x80 | (c & 0x3f);
	}
	return o;
}

/* The string at @p (after its opening quote) into @out; the end, or NULL. */
static const char *sks_jstring(const char *p, char *out)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	char *o = out, *end = out + SKS_JVAL_MAX - 4;
	const char *e;
	unsigned int c;

	while (*p != '"') {
		if (!*p || (unsigned char)*p < 0x20 || o >= end)
			return NULL;
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		if (*p == 'u') {
			char hex[5] = { 0 };

			memcpy(hex, p + 1, 4);
			if (strspn(hex, "0123456789abcdefABCDEF") != 4)
				return NULL;
			c = strtoul(hex, NULL, 16);
			o = sks_jput(o, c);
			p += 5;
			continue;
		}
		e = *p ? strchr(esc_in, *p) : NULL;
		if (!e)
			return NULL;
		*o++ = esc_out[e - esc_in];
		p++;
	}
	*o = '\0';
	return p + 1;
}

/* A value: string, number (kept as text) or boolean.  The end, or NULL. */
static const char *sks_jvalue(const char *p, struct sks_jval *v)
{
	size_t n;

	if (*p == '"') {
		v->type = SKS_JSTR;
		return sks_jstring(p + 1, v->s);
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		v->type = SKS_JBOOL;
		v->b = *p == 't';
		return p + (v->b ? 4 : 5);
	}
	n = strspn(p, "-0123456789.eE+");
	if (!n || n >= sizeof(v->s))
		return NULL;
	v->type = SKS_JNUM;
	memcpy(v->s, p, n);
	v->s[n] = '\0';
	return p + n;
}

/* A whole, non-negative integer up to @max. */
static int sks_jnum(const struct sks_jval *v, uint64_t max, uint64_t *out)
{
	char *end;

	if (v->type != SKS_JNUM || v->s[0] < '0' || v->s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(v->s, &end, 10);
	return *end || errno || *out > max ? -1 : 0;
}

/* The fields of a record, in the order record.c writes them. */
enum {
	SKS_JF_STAGE, SKS_JF_TS, SKS_JF_HW, SKS_JF_CPU, SKS_JF_SK, SKS_JF_TSKEY,
	SKS_JF_LEN, SKS_JF_PID, SKS_JF_COMM, SKS_JF_PROTO, SKS_JF_FAMILY,
	SKS_JF_SADDR, SKS_JF_DADDR, SKS_JF_SPORT, SKS_JF_DPORT, SKS_JF_IFINDEX,
	SKS_JF_RETRANS, SKS_JF_SEGMENT, SKS_JF_FRAGMENT, SKS_JF_OFFSET, SKS_JF_ID,
	SKS_JF_REASON, SKS_JF_LOCATION, SKS_JF_REASON_NAME, SKS_JF_HEAD, SKS_JF_BY,
	SKS_JF_NUM
};

static const char *const sks_jfields[SKS_JF_NUM] = {
	"stage", "ts_ns", "hw_ns", "cpu", "sk", "tskey", "len", "pid", "comm",
	"proto", "family", "saddr", "daddr", "sport", "dport", "ifindex",
	"retrans", "segment", "fragment", "offset", "id", "drop_reason",
	"location", "drop_reason_name", "head_id", "by",
};

/*
 * What every record has (hw_ns: hardware stages only); a transmit record
 * has retrans, a receive one id.
 */
#define SKS_JF_NEED	(((1u << (SKS_JF_DPORT + 1)) - 1) & ~(1u << SKS_JF_HW))

static int sks_jaddr(const struct sks_jval *v, struct skbstamp_record *r, uint8_t *a)
{
	if (v->type != SKS_JSTR)
		return -1;
	if (inet_pton(AF_INET6, v->s, a) == 1) {
		r->family = AF_INET6;
		return 0;
	}
	memset(a, 0, 16);
	return inet_pton(AF_INET, v->s, a) == 1 ? 0 : -1;
}

static int sks_jflag(const struct sks_jval *v, struct skbstamp_record *r, uint8_t flag)
{
	if (v->type != SKS_JBOOL)
		return -1;
	if (v->b)
		r->flags |= flag;
	return 0;
}

/* @s into @dst of @size, cut if need be. */
static void sks_jcopy(char *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Field @f of value @v into @j; -1 if the value has the wrong type.  The
 * family goes to @fam: the addresses, parsed apart, must agree with it.
 */
static int sks_jfield(struct sks_jrec *j, int f, const struct sks_jval *v, int *fam)
{
	struct skbstamp_record *r = &j->r;
	uint64_t n = 0;
	int s;

	switch (f) {
	case SKS_JF_STAGE:
		s = v->type == SKS_JSTR ? sks_stage_by_name(v->s) : -1;
		if (s < 0)
			return -1;
		r->stage = s;
		return 0;
	case SKS_JF_COMM:
		if (v->type != SKS_JSTR)
			return -1;
		memcpy(r->comm, v->s, strnlen(v->s, sizeof(r->comm)));
		return 0;
	case SKS_JF_PROTO:
		if (v->type != SKS_JSTR || (strcmp(v->s, "tcp") && strcmp(v->s, "udp")))
			return -1;
		r->proto = v->s[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		return 0;
	case SKS_JF_SADDR:
		return sks_jaddr(v, r, r->saddr);
	case SKS_JF_DADDR:
		return sks_jaddr(v, r, r->daddr);
	case SKS_JF_RETRANS:
		return sks_jflag(v, r, SKBSTAMP_RF_RETRANS);
	case SKS_JF_SEGMENT:
		return sks_jflag(v, r, SKBSTAMP_RF_SEGMENT);
	case SKS_JF_FRAGMENT:
		return sks_jflag(v, r, SKBSTAMP_RF_FRAGMENT);
	case SKS_JF_LOCATION:
	case SKS_JF_REASON_NAME:
		if (v->type != SKS_JSTR)
			return -1;
		sks_jcopy(f == SKS_JF_LOCATION ? j->where : j->reason,
			  f == SKS_JF_LOCATION ? sizeof(j->where) : sizeof(j->reason), v->s);
		return 0;
	case SKS_JF_BY:
		if (v->type != SKS_JSTR || (strcmp(v->s, "gro") && strcmp(v->s, "coalesce")))
			return -1;
		r->flags |= v->s[0] == 'g' ? SKBSTAMP_RF_GRO : SKBSTAMP_RF_COALESCED;
		return 0;
	case SKS_JF_IFINDEX:
		/* Signed: -1 would be a device the module could not tell. */
		if (v->type != SKS_JNUM)
			return -1;
		r->ifindex = strtol(v->s, NULL, 10);
		return 0;
	}
	if (sks_jnum(v, f == SKS_JF_SPORT || f == SKS_JF_DPORT ? 65535 :
			f == SKS_JF_CPU ? 65535 :
			f == SKS_JF_FAMILY ? 6 :
			f == SKS_JF_TS || f == SKS_JF_HW || f == SKS_JF_SK ||
			f == SKS_JF_ID || f == SKS_JF_HEAD ? UINT64_MAX : UINT32_MAX, &n))
		return -1;
	switch (f) {
	case SKS_JF_TS:
		r->ts_ns = n;
		break;
	case SKS_JF_HW:
		r->hw_ns = n;
		break;
	case SKS_JF_CPU:
		r->cpu = n;
		break;
	case SKS_JF_SK:
		r->cookie = n;
		break;
	case SKS_JF_TSKEY:
		r->tskey = n;
		break;
	case SKS_JF_LEN:
		r->len = n;
		break;
	case SKS_JF_PID:
		r->pid = n;
		break;
	case SKS_JF_FAMILY:
		if (n != 4 && n != 6)
			return -1;
		*fam = n;
		break;
	case SKS_JF_SPORT:
		r->sport = htons(n);
		break;
	case SKS_JF_DPORT:
		r->dport = htons(n);
		break;
	case SKS_JF_OFFSET:
		r->offset = n;
		break;
	case SKS_JF_ID:
		r->id = n;
		break;
	case SKS_JF_REASON:
		r->drop_reason = n;
		break;
	case SKS_JF_HEAD:
		r->head_id = n;
		break;
	}
	return 0;
}

/* Which fields a record of its kind must have, and that they agree. */
static int sks_jcheck(struct sks_jrec *j, uint32_t seen, int fam, const char **err)
{
	struct skbstamp_record *r = &j->r;
	bool rx = r->stage >= SKBSTAMP_STAGE_RX_HW;
	unsigned int f;

	if (!(seen & 1u << SKS_JF_STAGE)) {
		*err = "not a record of skbstamp --json monitor (no \"stage\")";
		return -1;
	}
	for (f = 0; f < SKS_JF_NUM; f++) {
		if ((SKS_JF_NEED & 1u << f) && !(seen & 1u << f)) {
			*err = "a record without a field every record has";
			return -1;
		}
	}
	if (!(seen & 1u << (rx ? SKS_JF_ID : SKS_JF_RETRANS)) ||
	    (r->stage == SKBSTAMP_STAGE_DROP && !(seen & 1u << SKS_JF_LOCATION)) ||
	    (r->stage == SKBSTAMP_STAGE_MERGE &&
	     !(seen & (1u << SKS_JF_HEAD | 1u << SKS_JF_BY)))) {
		*err = "a record without the fields of its stage";
		return -1;
	}
	if (fam != (r->family == AF_INET6 ? 6 : 4)) {
		*err = "addresses not of the record's family";
		return -1;
	}
	r->family = fam == 6 ? AF_INET6 : AF_INET;
	return 0;
}

int sks_jrec_parse(const char *s, struct sks_jrec *j, const char **err)
{
	static char errbuf[128];
	static struct sks_jval key, val;
	const char *p = sks_jskip(s);
	uint32_t seen = 0;
	bool more = false;	/* after a comma: another field must come */
	int f, fam = 0;

	memset(j, 0, sizeof(*j));
	*err = "not a JSON object";
	if (*p != '{')
		return -1;
	p = sks_jskip(p + 1);
	*err = "not a flat JSON object of strings, numbers and booleans";
	while (*p != '}' || more) {
		more = false;
		if (*p != '"')
			return -1;
		p = sks_jstring(p + 1, key.s);
		if (!p)
			return -1;
		p = sks_jskip(p);
		if (*p != ':')
			return -1;
		p = sks_jskip(p + 1);
		/* status, hist and stats nest objects; records never do. */
		if (*p == '{' || *p == '[') {
			*err = "not a record of skbstamp --json monitor (nested objects)";
			return -1;
		}
		p = sks_jvalue(p, &val);
		if (!p)
			return -1;
		for (f = 0; f < SKS_JF_NUM && strcmp(key.s, sks_jfields[f]); f++)
			;
		if (f < SKS_JF_NUM) {
			if (seen & 1u << f) {
				*err = "a field given twice";
				return -1;
			}
			seen |= 1u << f;
			if (sks_jfield(j, f, &val, &fam)) {
				snprintf(errbuf, sizeof(errbuf),
					 "field \"%s\": not a value skbstamp writes there",
					 sks_jfields[f]);
				*err = errbuf;
				return -1;
			}
		}
		p = sks_jskip(p);
		if (*p == ',') {
			p = sks_jskip(p + 1);
			more = true;
		} else if (*p != '}') {
			return -1;
		}
	}
	if (*sks_jskip(p + 1)) {
		*err = "more after the JSON object";
		return -1;
	}
	return sks_jcheck(j, seen, fam, err);
}

int sks_jrec_read(FILE *in, const char *path, const char *who,
		  int (*fn)(void *arg, const struct sks_jrec *j), void *arg)
{
	struct sks_jrec j;
	unsigned long lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	const char *err;
	ssize_t n;
	int ret = SKS_EXIT_OK;

	while (!ret && (n = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (!line[strspn(line, " \t\r\n")])
			continue;
		if (!sks_jrec_parse(line, &j, &err)) {
			ret = fn(arg, &j);
			continue;
		}
		if (line[n - 1] != '\n' && feof(in)) {
			fprintf(stderr, "%s: %s:%lu: last line cut short, skipped\n",
				who, path, lineno);
			break;
		}
		fprintf(stderr, "%s: %s:%lu: %s\n", who, path, lineno, err);
		ret = SKS_EXIT_USAGE;
	}
	if (ret == SKS_EXIT_OK && ferror(in)) {
		fprintf(stderr, "%s: cannot read %s: %s\n", who, path, strerror(errno));
		ret = SKS_EXIT_KERNEL;
	}
	free(line);
	return ret;
}
