/*
 * pox.c: the body of an Autodiscover POX request (DESIGN.md §4) into the
 * request's address and schema: a bounded scanner of the little XML such
 * a request holds, no XML engine.  No DOCTYPE, entity declaration or
 * CDATA section is taken; the five predefined entities are.  Nothing here
 * allocates.
 */
#include <string.h>

#include "mailautoconf.h"

#define REJECT(r, st, rule)	do { (r)->why = (rule); return (st); } while (0)

static const char OUTLOOK_SCHEMA[] =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a";
static const char MOBILESYNC_SCHEMA[] =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
    "responseschema/2006";

/* ---- the POX body: a bounded scanner, no XML engine ------------------- */

struct pox {
	const char	*s;
	size_t		 n;
	size_t		 i;
	int		 depth;
	bool		 root_seen;
	bool		 root_done;
	const char	*stack[POX_DEPTH];
	size_t		 slen[POX_DEPTH];
	int		 capture;	/* 1: address, 2: schema, 0: none */
	char		*cap;
	size_t		 caplen;
	size_t		 capmax;
	bool		 got_addr;
	bool		 got_schema;
};

static bool
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The local name of a qualified name (after any prefix). */
static void
local_name(const char *q, size_t qn, const char **ln, size_t *lnn)
{
	const char *c = memchr(q, ':', qn);

	*ln = c != NULL ? c + 1 : q;
	*lnn = c != NULL ? qn - (size_t)(c + 1 - q) : qn;
}

/* "&amp;" etc. at s[0]; the five predefined entities only (no XXE). */
static int
entity(const char *s, size_t n, char *out)
{
	static const struct {
		const char	*e;
		char		 c;
	} ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t	i, l;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		l = strlen(ents[i].e);
		if (n >= l && memcmp(s, ents[i].e, l) == 0) {
			*out = ents[i].c;
			return (int)l;
		}
	}
	return -1;
}

/* Character data up to the next '<'. */
static int
pox_text(struct pox *p)
{
	while (p->i < p->n && p->s[p->i] != '<') {
		char	c = p->s[p->i];
		int	l = 1;

		if (c == '&' && (l = entity(p->s + p->i, p->n - p->i, &c)) < 0)
			return -1;
		if (p->depth == 0 && !xml_space(c))
			return -1;
		if (p->capture != 0) {
			if (p->caplen + 1 >= p->capmax)
				return -1;
			p->cap[p->caplen++] = c;
			p->cap[p->caplen] = '\0';
		}
		p->i += (size_t)l;
	}
	return 0;
}

static int
pox_skip(struct pox *p, const char *end)
{
	const char *e = memmem(p->s + p->i, p->n - p->i, end, strlen(end));

	if (e == NULL)
		return -1;
	p->i = (size_t)(e - p->s) + strlen(end);
	return 0;
}

/* Attributes of a start tag, up to '>' or "/>"; returns 1 for "/>". */
static int
pox_attrs(struct pox *p)
{
	for (;;) {
		char	q;

		while (p->i < p->n && xml_space(p->s[p->i]))
			p->i++;
		if (p->i >= p->n)
			return -1;
		if (p->s[p->i] == '>') {
			p->i++;
			return 0;
		}
		if (p->s[p->i] == '/') {
			if (p->i + 1 >= p->n || p->s[p->i + 1] != '>')
				return -1;
			p->i += 2;
			return 1;
		}
		while (p->i < p->n && !xml_space(p->s[p->i]) &&
		    strchr("=<>/'\"&", p->s[p->i]) == NULL)
			p->i++;
		while (p->i < p->n && xml_space(p->s[p->i]))
			p->i++;
		if (p->i >= p->n || p->s[p->i] != '=')
			return -1;
		p->i++;
		while (p->i < p->n && xml_space(p->s[p->i]))
			p->i++;
		if (p->i >= p->n || (p->s[p->i] != '"' && p->s[p->i] != '\''))
			return -1;
		q = p->s[p->i++];
		while (p->i < p->n && p->s[p->i] != q) {
			char c;
			int l = 1;

			if (p->s[p->i] == '<')
				return -1;
			if (p->s[p->i] == '&' &&
			    (l = entity(p->s + p->i, p->n - p->i, &c)) < 0)
				return -1;
			p->i += (size_t)l;
		}
		if (p->i >= p->n)
			return -1;
		p->i++;
	}
}

static int
pox_start(struct pox *p, struct request *r)
{
	const char	*q = p->s + p->i, *ln;
	size_t		 qn = 0, lnn;
	int		 empty;

	while (p->i + qn < p->n && !xml_space(q[qn]) &&
	    strchr("/>", q[qn]) == NULL)
		qn++;
	/* no markup inside the values we read, no second root */
	if (qn == 0 || p->root_done || p->capture != 0)
		return -1;
	p->i += qn;
	if ((empty = pox_attrs(p)) < 0)
		return -1;
	local_name(q, qn, &ln, &lnn);
	if (p->depth == 0) {
		if (mac_casecmp_n(ln, lnn, "Autodiscover") != 0)
			return -1;
		p->root_seen = true;
	}
	p->capture = 0;
	if (mac_casecmp_n(ln, lnn, "EMailAddress") == 0) {
		if (p->got_addr)
			return -1;
		p->got_addr = true;
		p->capture = 1;
		p->cap = r->qaddr;
		p->capmax = sizeof(r->qaddr);
	} else if (mac_casecmp_n(ln, lnn, "AcceptableResponseSchema") == 0) {
		if (p->got_schema)
			return -1;
		p->got_schema = true;
		p->capture = 2;
		p->cap = r->schema_uri;
		p->capmax = sizeof(r->schema_uri);
	}
	p->caplen = 0;
	if (empty) {
		p->capture = 0;
		if (p->depth == 0)
			p->root_done = true;
		return 0;
	}
	if (p->depth >= POX_DEPTH)
		return -1;
	p->stack[p->depth] = q;
	p->slen[p->depth++] = qn;
	return 0;
}

static int
pox_end(struct pox *p)
{
	const char	*q = p->s + p->i;
	size_t		 qn = 0;

	while (p->i + qn < p->n && !xml_space(q[qn]) && q[qn] != '>')
		qn++;
	p->i += qn;
	while (p->i < p->n && xml_space(p->s[p->i]))
		p->i++;
	if (p->i >= p->n || p->s[p->i] != '>' || p->depth == 0)
		return -1;
	p->i++;
	p->depth--;
	if (p->slen[p->depth] != qn || memcmp(p->stack[p->depth], q, qn) != 0)
		return -1;
	if (p->capture != 0)
		p->cap[p->caplen] = '\0';
	p->capture = 0;
	if (p->depth == 0)
		p->root_done = true;
	return 0;
}

static int
pox_scan(struct pox *p, struct request *r)
{
	if (p->n >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		p->i = 3;
	for (;;) {
		if (pox_text(p) != 0)
			return -1;
		if (p->i >= p->n)
			break;
		p->i++;		/* '<' */
		if (p->i < p->n && p->s[p->i] == '?') {
			if (pox_skip(p, "?>") != 0)
				return -1;
		} else if (p->n - p->i >= 3 &&
		    memcmp(p->s + p->i, "!--", 3) == 0) {
			if (pox_skip(p, "-->") != 0)
				return -1;
		} else if (p->i < p->n && p->s[p->i] == '!') {
			/* DOCTYPE, ENTITY, CDATA: not in an Autodiscover request */
			return -1;
		} else if (p->i < p->n && p->s[p->i] == '/') {
			p->i++;
			if (pox_end(p) != 0)
				return -1;
		} else if (pox_start(p, r) != 0)
			return -1;
	}
	return p->root_seen && p->depth == 0 && p->got_addr ? 0 : -1;
}

/* Trim XML white space in place. */
static size_t
trim(char *s)
{
	size_t	n = strlen(s), b = 0;

	while (n > 0 && xml_space(s[n - 1]))
		n--;
	while (b < n && xml_space(s[b]))
		b++;
	memmove(s, s + b, n - b);
	s[n - b] = '\0';
	return n - b;
}

/*
 * DESIGN.md §4: EMailAddress and AcceptableResponseSchema, whatever their
 * prefix.  A malformed body is not a 4xx: Outlook reads error 600.
 */
int
req_pox(struct request *r, const char *s, size_t n)
{
	struct pox	p;
	size_t		sl, i;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.n = n;
	r->pox_error = false;
	r->schema = POX_OUTLOOK;
	r->qaddr[0] = r->schema_uri[0] = '\0';
	if (r->has_qaddr)
		REJECT(r, 400, "address both in the query and the body");
	if (!mac_utf8_ok((const unsigned char *)s, n) ||
	    memchr(s, '\0', n) != NULL || pox_scan(&p, r) != 0) {
		r->pox_error = true;
		r->qaddr[0] = r->schema_uri[0] = '\0';
		r->why = "malformed Autodiscover request (error 600)";
		return 0;
	}
	trim(r->qaddr);
	sl = trim(r->schema_uri);
	r->has_qaddr = true;
	/*
	 * Trimmed and case-insensitive, as Z-Push and Stalwart compare it;
	 * the request's namespace is not asked (AOSP Exchange, Samsung).
	 */
	if (sl == 0 || mac_casecmp_n(r->schema_uri, sl, OUTLOOK_SCHEMA) == 0)
		r->schema = POX_OUTLOOK;
	else if (mac_casecmp_n(r->schema_uri, sl, MOBILESYNC_SCHEMA) == 0)
		r->schema = POX_MOBILESYNC;
	else {
		/*
		 * A URI is printable ASCII without markup; anything else is
		 * a malformed request.  (It is no longer echoed: error 601
		 * answers in the 2006 namespace, autodiscover.c.)
		 */
		for (i = 0; i < sl; i++)
			if (r->schema_uri[i] <= ' ' || r->schema_uri[i] >= 0x7f ||
			    strchr("<>\"'&", r->schema_uri[i]) != NULL) {
				r->pox_error = true;
				r->schema_uri[0] = '\0';
				r->why = "bad AcceptableResponseSchema "
				    "(error 600)";
				return 0;
			}
		r->schema = POX_OTHER;
	}
	return 0;
}
