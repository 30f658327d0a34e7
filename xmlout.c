/*
 * xmlout.c: the only code that writes request-dependent bytes.
 *
 * Everything goes into a caller's fixed buffer.  A write that does not fit,
 * or text that may not stand in a document (invalid UTF-8, or a code
 * point that is not an XML 1.0 character: controls, noncharacters such as
 * U+FFFE and U+FFFF), sets the error flag; the caller then sends a 500 instead of a cut or
 * unsafe document.  Element and attribute names are always literals of
 * ours, never free text.
 */
#include <string.h>

#include "mailautoconf.h"

static void	xml_attr_fill(struct out *, const char *, const char *,
		    const struct fill *);

void
out_init(struct out *o, char *buf, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->cap = cap;
}

void
out_raw(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (n > o->cap - o->len) {
		o->err = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void
out_str(struct out *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

void
out_uint(struct out *o, unsigned long v)
{
	char	tmp[24];
	size_t	i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	out_raw(o, tmp + i, sizeof(tmp) - i);
}

/*
 * What each byte is to the escaper: 0 stands as it is, 1 to 5 the entity
 * of ent[] that replaces it, 6 refused (C0 controls but tab, DEL), 7 the
 * first byte of a UTF-8 sequence, taken when it is one XML character.
 */
static const unsigned char xclass[256] = {
	6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 6, 6, 6, 6, 6, 6,	/* 00 */
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,	/* 10 */
	0, 0, 4, 0, 0, 0, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0,	/* 20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0,	/* 30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6,	/* 70 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* 80 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* 90 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* a0 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* b0 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* c0 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* d0 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* e0 */
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,	/* f0 */
};
static const struct {
	const char	*s;
	size_t		 n;
} ent[6] = {
	{ NULL, 0 }, { "&amp;", 5 }, { "&lt;", 4 }, { "&gt;", 4 },
	{ "&quot;", 6 }, { "&apos;", 6 },
};

/*
 * Escape n bytes of s for XML text and attribute values alike, in one
 * pass that also checks them: false for bytes that no escaping makes
 * safe (see mac_text_ok) and when the output does not fit dst (capacity
 * cap); else the length is in *dlen.  Runs of bytes that stand as they
 * are go in one copy.
 */
bool
xml_escape(char *dst, size_t cap, const char *s, size_t n, size_t *dlen)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, d = 0, run, k;
	unsigned		 c;

	while (i < n) {
		for (run = i; i < n && xclass[u[i]] == 0; i++)
			;
		if (i > run) {
			if (i - run > cap - d)
				return false;
			memcpy(dst + d, s + run, i - run);
			d += i - run;
			continue;
		}
		if ((c = xclass[u[i]]) == 6)
			return false;
		if (c == 7) {
			if ((k = mac_xml_seq(u + i, n - i)) == 0 || k > cap - d)
				return false;
			memcpy(dst + d, s + i, k);
			d += k;
			i += k;
			continue;
		}
		if (ent[c].n > cap - d)
			return false;
		memcpy(dst + d, ent[c].s, ent[c].n);
		d += ent[c].n;
		i++;
	}
	*dlen = d;
	return true;
}

/* Escaped text straight into the output buffer. */
void
out_text(struct out *o, const char *s, size_t n)
{
	size_t	d;

	if (o->err)
		return;
	if (!xml_escape(o->buf + o->len, o->cap - o->len, s, n, &d)) {
		o->err = true;
		return;
	}
	o->len += d;
}

/* ---- the placeholder table -------------------------------------------- */

/*
 * The placeholders clients know (Thunderbird's autoconfig), where each may
 * stand, and what fills it.  A host may hold %EMAILDOMAIN% only: the
 * local part is the client's free text and must never become part of a
 * server name.  No placeholder is filled in a URL (a '%' there is
 * percent-encoding), but in the caldav/carddav URLs that dav.c fills for
 * the answers that state their parts (PH_DAV).  The loader (providers.c),
 * the writer below, autodiscover.c, dav.c and --dns ask this table.
 */
const struct placeholder placeholders[] = {
	{ "%EMAILADDRESS%", 14, PH_USERNAME | PH_REDIRECT | PH_DAV, true,
	    offsetof(struct fill, address) },
	{ "%EMAILLOCALPART%", 16, PH_USERNAME | PH_REDIRECT | PH_DAV, true,
	    offsetof(struct fill, local) },
	{ "%EMAILDOMAIN%", 13, PH_USERNAME | PH_HOST | PH_REDIRECT | PH_DAV,
	    false, offsetof(struct fill, domain) },
};
const size_t nplaceholders = sizeof(placeholders) / sizeof(placeholders[0]);

/* The placeholder that starts at p, or NULL. */
const struct placeholder *
ph_at(const char *p)
{
	size_t	i;

	for (i = 0; i < nplaceholders; i++)
		if (strncmp(p, placeholders[i].name, placeholders[i].len) == 0)
			return &placeholders[i];
	return NULL;
}

/*
 * A host template with its placeholders filled from domain (the loader
 * lets only PH_HOST ones into a host, none from the address): dst gets
 * the name and its NUL.  False when it does not fit in cap bytes or holds
 * anything else; a bracketed literal is copied as it stands.  pacc.c and
 * dns.c state hosts as names of their own, not as XML text.
 */
bool
ph_host(char *dst, size_t cap, const char *host, const char *domain)
{
	const struct placeholder	*ph;
	const char			*p = host, *add;
	size_t				 d = 0, n;

	while (*p != '\0') {
		add = p;
		n = 1;
		if (*p == '%') {
			if ((ph = ph_at(p)) == NULL || !(ph->where & PH_HOST) ||
			    ph->from_address)
				return false;
			add = domain;
			n = strlen(domain);
			p += ph->len;
		} else
			p++;
		if (n >= cap - d)
			return false;
		memcpy(dst + d, add, n);
		d += n;
	}
	if (cap == 0)
		return false;
	dst[d] = '\0';
	return true;
}

/* Whether a template holds a placeholder that only an address fills. */
bool
ph_needs_address(const char *tmpl)
{
	const struct placeholder	*ph;
	const char			*p;

	for (p = tmpl; (p = strchr(p, '%')) != NULL; p++)
		if ((ph = ph_at(p)) != NULL && ph->from_address)
			return true;
	return false;
}

/* Escaped text with the placeholders of a template filled from f. */
static void
out_fill(struct out *o, const char *s, const struct fill *f)
{
	const struct placeholder	*ph;
	const char			*p, *v;

	while ((p = strchr(s, '%')) != NULL) {
		out_text(o, s, (size_t)(p - s));
		ph = ph_at(p);
		v = ph == NULL || f == NULL ? NULL :
		    *(const char *const *)((const char *)f + ph->fill);
		if (v != NULL) {
			out_text(o, v, strlen(v));
			s = p + ph->len;
		} else {
			out_text(o, p, 1);
			s = p + 1;
		}
	}
	out_text(o, s, strlen(s));
}

void
xml_decl(struct out *o)
{
	out_str(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
}

static void
indent(struct out *o)
{
	static const char sp[] = "                                ";
	size_t n = (size_t)o->depth * 2;

	out_raw(o, "\n", o->len == 0 || o->buf[o->len - 1] == '\n' ? 0 : 1);
	out_raw(o, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
}

static void
endtag(struct out *o)
{
	if (o->intag) {
		out_raw(o, ">", 1);
		o->intag = false;
	}
}

void
xml_open(struct out *o, const char *name)
{
	if (o->depth >= XML_DEPTH) {
		o->err = true;
		return;
	}
	endtag(o);
	indent(o);
	out_raw(o, "<", 1);
	out_str(o, name);
	o->open[o->depth++] = name;
	o->intag = true;
	o->inline_open = false;
}

void
xml_attr(struct out *o, const char *name, const char *val)
{
	xml_attr_fill(o, name, val, NULL);
}

static void
xml_attr_fill(struct out *o, const char *name, const char *val,
    const struct fill *f)
{
	if (!o->intag) {
		o->err = true;
		return;
	}
	out_raw(o, " ", 1);
	out_str(o, name);
	out_raw(o, "=\"", 2);
	out_fill(o, val, f);
	out_raw(o, "\"", 1);
}

void
xml_close(struct out *o)
{
	const char	*name;

	if (o->depth == 0) {
		o->err = true;
		return;
	}
	name = o->open[--o->depth];
	if (o->intag) {
		/* only elements that carry attributes alone end up here */
		out_raw(o, "/>", 2);
		o->intag = false;
	} else {
		if (!o->inline_open)
			indent(o);
		out_raw(o, "</", 2);
		out_str(o, name);
		out_raw(o, ">", 1);
	}
	o->inline_open = false;
	if (o->depth == 0)
		out_raw(o, "\n", 1);
}

void
xml_elem_fill(struct out *o, const char *name, const char *text,
    const struct fill *f)
{
	xml_open(o, name);
	endtag(o);
	out_fill(o, text, f);
	o->inline_open = true;
	xml_close(o);
}

/* <name aname="aval">text</name>; no attribute when aval is NULL */
void
xml_elem_attr(struct out *o, const char *name, const char *aname,
    const char *aval, const char *text)
{
	xml_elem_attr_fill(o, name, aname, aval, text, NULL);
}

/* the same with the text's placeholders filled */
void
xml_elem_attr_fill(struct out *o, const char *name, const char *aname,
    const char *aval, const char *text, const struct fill *f)
{
	xml_open(o, name);
	if (aval != NULL)
		xml_attr(o, aname, aval);
	endtag(o);
	out_fill(o, text, f);
	o->inline_open = true;
	xml_close(o);
}

void
xml_elem(struct out *o, const char *name, const char *text)
{
	xml_elem_attr(o, name, NULL, NULL, text);
}

void
xml_attr_uint(struct out *o, const char *name, unsigned long v)
{
	if (!o->intag) {
		o->err = true;
		return;
	}
	out_raw(o, " ", 1);
	out_str(o, name);
	out_raw(o, "=\"", 2);
	out_uint(o, v);
	out_raw(o, "\"", 1);
}

void
xml_elem_uint(struct out *o, const char *name, unsigned long v)
{
	xml_open(o, name);
	endtag(o);
	out_uint(o, v);
	o->inline_open = true;
	xml_close(o);
}

void
xml_empty(struct out *o, const char *name)
{
	xml_open(o, name);
	xml_close(o);
}

/*
 * A JSON string, quotes included (DESIGN.md §5).  '"' and '\' are escaped as
 * JSON wants; control bytes (C0, DEL, C1) and & < > ' become \u00XX, so
 * the string stays inert if a browser or a log viewer shows it as HTML.
 * Invalid UTF-8 is refused: the answer becomes a 500.
 */
void
out_json_str(struct out *o, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[6] = { '\\', 'u', '0', '0', '0', '0' };
	size_t			 i;

	if (!mac_utf8_ok(u, n)) {
		o->err = true;
		return;
	}
	out_raw(o, "\"", 1);
	for (i = 0; i < n && !o->err; i++) {
		unsigned c = u[i];

		/* U+0080..U+009F, the C1 controls, are 0xC2 0x80..0x9F */
		if (c == 0xc2 && i + 1 < n && u[i + 1] < 0xa0)
			c = u[++i];
		else if (c >= 0x80 || (c >= 0x20 && c != 0x7f &&
		    strchr("\"\\&<>'", (int)c) == NULL)) {
			out_raw(o, s + i, 1);
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			out_raw(o, esc, 2);
			esc[1] = 'u';
			continue;
		}
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xf];
		out_raw(o, esc, 6);
	}
	out_raw(o, "\"", 1);
}

/*
 * A token inside a quoted header value (the file name of a profile):
 * letters, digits, '.', '-' and '_' only.  Anything else, which a
 * validated domain never holds, fails the answer instead of being
 * escaped: no request byte reaches a header unchecked (DESIGN.md §8).
 */
void
out_hdr_token(struct out *o, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '-' || s[i] == '_')) {
			o->err = true;
			return;
		}
	if (i == 0)
		o->err = true;
	out_raw(o, s, i);
}
