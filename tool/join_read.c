// SPDX-License-Identifier: GPL-2.0
/*
 * Saved "skbstamp --json monitor" output, read back for join.
 *
 * Every line is one flat JSON object (record.c writes them): string,
 * number and boolean values, no nesting.  The parser accepts exactly
 * that, so anything else (another tool's JSON, text output, a cut line)
 * is reported with its line number instead of being half understood.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/skbstamp.h>

#include "skbstamp.h"
#include "join.h"

/* The longest value join reads is an IPv6 address; others are skipped. */
#define SKS_JVAL_MAX	64

/* A record's fields, by the bit join_read keeps of each it found. */
enum {
	SKS_JF_STAGE, SKS_JF_TS, SKS_JF_HW, SKS_JF_SK, SKS_JF_TSKEY, SKS_JF_LEN,
	SKS_JF_PROTO, SKS_JF_FAMILY, SKS_JF_SADDR, SKS_JF_DADDR, SKS_JF_SPORT,
	SKS_JF_DPORT, SKS_JF_ID, SKS_JF_RETRANS, SKS_JF_FRAGMENT, SKS_JF_OFFSET,
	SKS_JF_NUM
};

static const char *const sks_jf_names[SKS_JF_NUM] = {
	"stage", "ts_ns", "hw_ns", "sk", "tskey", "len", "proto", "family",
	"saddr", "daddr", "sport", "dport", "id", "retrans", "fragment", "offset",
};

/* What every record has; a transmit one adds retrans, a receive one id. */
#define SKS_JF_ALWAYS	((1u << SKS_JF_STAGE) | (1u << SKS_JF_TS) |		\
			 (1u << SKS_JF_TSKEY) | (1u << SKS_JF_LEN) |		\
			 (1u << SKS_JF_PROTO) | (1u << SKS_JF_FAMILY) |		\
			 (1u << SKS_JF_SADDR) | (1u << SKS_JF_DADDR) |		\
			 (1u << SKS_JF_SPORT) | (1u << SKS_JF_DPORT))

struct sks_jparse {
	const char *p;
	const char *err;	/* why the line is not a record */
};

static void sks_jskip_ws(struct sks_jparse *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

/*
 * A string at j->p, its first @max - 1 bytes into @out; escapes are
 * kept as they are (join compares none of the strings that may have them).
 */
static int sks_jstring(struct sks_jparse *j, char *out, size_t max)
{
	size_t n = 0;

	if (*j->p != '"')
		return -1;
	for (j->p++; *j->p != '"'; j->p++) {
		if (!*j->p || *j->p == '\n')
			return -1;
		if (*j->p == '\\' && !*++j->p)
			return -1;
		if (n + 1 < max)
			out[n++] = *j->p;
	}
	j->p++;
	out[n] = '\0';
	return 0;
}

/* A value: a string, an unsigned or negative integer, true or false. */
static int sks_jvalue(struct sks_jparse *j, char *out, bool *str)
{
	size_t n = 0;

	*str = *j->p == '"';
	if (*str)
		return sks_jstring(j, out, SKS_JVAL_MAX);
	while ((*j->p >= '0' && *j->p <= '9') || (*j->p >= 'a' && *j->p <= 'z') ||
	       *j->p == '-') {
		if (n + 1 >= SKS_JVAL_MAX)
			return -1;
		out[n++] = *j->p++;
	}
	out[n] = '\0';
	return n ? 0 : -1;
}

static int sks_jnum(const char *v, bool str, uint64_t max, uint64_t *out)
{
	char *end;

	if (str || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return *end || errno || *out > max ? -1 : 0;
}

static int sks_jfield(struct sks_jrec *r, unsigned int f, const char *v, bool str)
{
	uint64_t n = 0;
	unsigned int i;

	switch (f) {
	case SKS_JF_STAGE:
		for (i = 0; i < __SKBSTAMP_STAGE_MAX; i++)
			if (str && !strcmp(v, sks_stage_name(i)))
				break;
		r->stage = i;
		return i < __SKBSTAMP_STAGE_MAX ? 0 : -1;
	case SKS_JF_PROTO:
		r->flow.proto = !strcmp(v, "tcp") ? IPPROTO_TCP :
				!strcmp(v, "udp") ? IPPROTO_UDP : 0;
		return str && r->flow.proto ? 0 : -1;
	case SKS_JF_SADDR:
	case SKS_JF_DADDR:
		/* The family says which; both parse, in either order. */
		if (!str)
			return -1;
		memset(f == SKS_JF_SADDR ? r->flow.saddr : r->flow.daddr, 0, 16);
		return inet_pton(strchr(v, ':') ? AF_INET6 : AF_INET, v,
				 f == SKS_JF_SADDR ? r->flow.saddr : r->flow.daddr) == 1 ? 0 : -1;
	case SKS_JF_RETRANS:
	case SKS_JF_FRAGMENT:
		if (str || (strcmp(v, "true") && strcmp(v, "false")))
			return -1;
		if (f == SKS_JF_RETRANS)
			r->retrans = v[0] == 't';
		else
			r->fragment = v[0] == 't';
		return 0;
	}
	if (sks_jnum(v, str, UINT64_MAX, &n))
		return -1;
	switch (f) {
	case SKS_JF_TS:
		r->ts = n;
		break;
	case SKS_JF_HW:
		r->hw = n;
		break;
	case SKS_JF_SK:
		r->sk = n;
		break;
	case SKS_JF_ID:
		r->id = n;
		break;
	case SKS_JF_TSKEY:
		r->tskey = n;
		return n > UINT32_MAX ? -1 : 0;
	case SKS_JF_LEN:
		r->len = n;
		return n > UINT32_MAX ? -1 : 0;
	case SKS_JF_OFFSET:
		r->offset = n;
		return n > UINT32_MAX ? -1 : 0;
	case SKS_JF_SPORT:
		r->flow.sport = n;
		return n > 65535 ? -1 : 0;
	case SKS_JF_DPORT:
		r->flow.dport = n;
		return n > 65535 ? -1 : 0;
	case SKS_JF_FAMILY:
		r->flow.family = n;
		return n == 4 || n == 6 ? 0 : -1;
	}
	return 0;
}

/* One line into @r; false with j->err set if it is not a record. */
static bool sks_jline(struct sks_jparse *j, struct sks_jrec *r)
{
	char key[32], val[SKS_JVAL_MAX];
	uint32_t seen = 0;
	unsigned int f;
	bool str;

	memset(r, 0, sizeof(*r));
	j->err = "not a JSON object";
	sks_jskip_ws(j);
	if (*j->p++ != '{')
		return false;
	for (;;) {
		sks_jskip_ws(j);
		if (sks_jstring(j, key, sizeof(key)))
			return false;
		sks_jskip_ws(j);
		if (*j->p++ != ':')
			return false;
		sks_jskip_ws(j);
		if (sks_jvalue(j, val, &str))
			return false;
		for (f = 0; f < SKS_JF_NUM; f++)
			if (!strcmp(key, sks_jf_names[f]))
				break;
		if (f < SKS_JF_NUM) {
			if (sks_jfield(r, f, val, str)) {
				j->err = "a field of a record has a bad value";
				return false;
			}
			seen |= 1u << f;
		}
		sks_jskip_ws(j);
		if (*j->p == '}')
			break;
		if (*j->p++ != ',')
			return false;
	}
	j->p++;
	sks_jskip_ws(j);
	if (*j->p && *j->p != '\n')
		return false;
	j->err = "not an skbstamp record (a field is missing)";
	if ((seen & SKS_JF_ALWAYS) != SKS_JF_ALWAYS)
		return false;
	r->rx = seen & (1u << SKS_JF_ID);
	if (r->rx == !!(seen & (1u << SKS_JF_RETRANS)))
		return false;
	/* A stage that does not go with the record's direction. */
	j->err = "not an skbstamp record (stage and fields disagree)";
	return r->rx == (r->stage > SKBSTAMP_STAGE_TXDONE);
}

int sks_jfile_read(struct sks_jfile *f)
{
	size_t cap = 0, lineno = 0, lcap = 0;
	struct sks_jparse j;
	char *line = NULL;
	ssize_t len;
	FILE *in;

	in = fopen(f->path, "r");
	if (!in) {
		fprintf(stderr, "skbstamp: %s: %m\n", f->path);
		return SKS_EXIT_KERNEL;
	}
	while ((len = getline(&line, &lcap, in)) >= 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		if (f->n == cap) {
			struct sks_jrec *n;

			cap = cap ? cap * 2 : 4096;
			n = realloc(f->recs, cap * sizeof(*n));
			if (!n) {
				fprintf(stderr, "skbstamp: out of memory\n");
				goto fail;
			}
			f->recs = n;
		}
		j.p = line;
		if (!sks_jline(&j, &f->recs[f->n])) {
			fprintf(stderr, "skbstamp: %s:%zu: %s (not skbstamp monitor JSON)\n",
				f->path, lineno, j.err);
			goto fail;
		}
		if (f->recs[f->n].rx)
			f->nrx++;
		else
			f->ntx++;
		f->n++;
	}
	if (ferror(in)) {
		fprintf(stderr, "skbstamp: %s: read error\n", f->path);
		goto fail;
	}
	free(line);
	fclose(in);
	return 0;
fail:
	free(line);
	fclose(in);
	return SKS_EXIT_KERNEL;
}

void sks_jfile_free(struct sks_jfile *f)
{
	free(f->recs);
	f->recs = NULL;
	f->n = 0;
}
