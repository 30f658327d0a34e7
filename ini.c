/*
 * ini.c: the INI syntax of providers.ini (providers.ini(5)), safe for
 * Debian 12's libinih r55, and the load diagnostics.  It knows nothing of
 * providers or keys: it hands sections and entries, each with its line,
 * to its caller's sink, and asks the caller only how a continued value of
 * a key is joined.
 *
 * Two steps, so that what r55 would silently get wrong never reaches it:
 *  1. the raw bytes are checked (line length, section names, NUL bytes),
 *     because r55 splits lines of 200 bytes or more and cuts section names
 *     to 49 bytes;
 *  2. inih parses the file through our reader, which counts lines (r55's
 *     handler gets no line number) and tells continuation lines apart;
 *     the handler only collects (section, key, value, line) entries.
 * Only when inih is done are the entries handed on, in file order.
 */
#include <stdarg.h>
#include <string.h>

#include <ini.h>

#include "mailautoconf.h"

/* ---- diagnostics ----------------------------------------------------- */

/* Bytes from a file reach the log only as printable ASCII. */
const char *
diag_safe(char *buf, size_t cap, const char *s)
{
	mac_printable(buf, cap, s, strnlen(s, cap));
	return buf;
}

/*
 * "mailautoconf: FILE:LINE: [warning: ]MESSAGE", the whole line through
 * the printable filter: whatever a caller passes (a section id, a
 * language tag, an imported value), no byte of it reaches a terminal or
 * a log as a control character.
 */
void
diag_vmsg(struct diag *d, const char *file, bool warning, int line,
    const char *fmt, va_list ap)
{
	char	msg[1024], out[1024], fb[1024];

	if (warning) {
		d->warns++;
		if (!d->warnings)
			return;
	} else
		d->errors++;
	if (d->fp == NULL || d->errors + d->warns > ERRORS_MAX)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	diag_safe(fb, sizeof(fb), file);
	if (line >= 0)
		fprintf(d->fp, "mailautoconf: %s:%d: %s", fb, line,
		    warning ? "warning: " : "");
	else
		fprintf(d->fp, "mailautoconf: %s: %s", fb,
		    warning ? "warning: " : "");
	fputs(diag_safe(out, sizeof(out), msg), d->fp);
	fputc('\n', d->fp);
}

/* The same, for "FILE: MESSAGE" too (line < 0). */
void
diag_msg(struct diag *d, const char *file, bool warning, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vmsg(d, file, warning, line, fmt, ap);
	va_end(ap);
}

/* ---- the reader's state ---------------------------------------------- */

/*
 * While inih runs, keys and values live in one growing text buffer (a
 * value is always the last thing in it, so a continuation appends in
 * place), and entries hold offsets.  100 000 domains are some 340 000
 * entries: a per-entry buffer cost 150 MiB at peak (make bench).
 */
struct entry {
	int		 sec;		/* index in sections, -1: global */
	int		 line;		/* < 0: dropped */
	size_t		 koff;
	size_t		 voff;
};

struct section {
	char		 name[INI_SECTION_MAX];
	int		 line;
};

struct ini {
	const char		*file;
	const char		*buf;
	size_t			 len;
	size_t			 pos;
	int			 line;	/* of the line last handed to inih */
	bool			 at_start;	/* the next read starts a line */
	bool			 cont;	/* that line continues a value */
	bool			 have_key;	/* inih's prev_name is set */
	int			 cursec;
	struct diag		*d;
	const struct ini_sink	*sink;
	struct entry		*ents;
	size_t			 nents;
	size_t			 entcap;
	char			*text;	/* keys and values, see struct entry */
	size_t			 tlen;
	size_t			 tcap;
	struct section		*secs;
	size_t			 nsecs;
	size_t			 seccap;
	bool			 oom;
};

#define ERR(x, line, ...) \
	diag_msg((x)->d, (x)->file, false, (line), __VA_ARGS__)

/* ---- step 1: the raw file ------------------------------------------- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The line's first non-blank byte, skipping a UTF-8 BOM on line 1. */
static const char *
line_start(const char *p, const char *end, int line)
{
	if (line == 1 && end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && is_space(*p))
		p++;
	return p;
}

/*
 * A section name: no blank, control byte or bracket, UTF-8 of XML
 * characters only (it is the default display name: a C1 control would
 * make every answer a 500); the length is raw_check's.  import.c asks
 * the same before it writes one.
 */
bool
ini_section_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n >= INI_SECTION_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '[' ||
		    s[i] == ']')
			return false;
	return mac_text_ok(s, n);
}

/* The section header of the line [s, e), if it is one: its errors. */
static void
raw_section(struct ini *x, int line, const char *s, const char *e)
{
	const char	*rb = memchr(s, ']', (size_t)(e - s));

	if (rb == NULL)
		ERR(x, line, "section name without ']'");
	else if ((size_t)(rb - s - 1) >= INI_SECTION_MAX)
		ERR(x, line, "section name of %zu bytes; at most %d",
		    (size_t)(rb - s - 1), INI_SECTION_MAX - 1);
	else if (!ini_section_ok(s + 1, (size_t)(rb - s - 1)))
		ERR(x, line, "bad section name");
}

static void
raw_check(struct ini *x)
{
	const char	*p = x->buf, *end = x->buf + x->len;
	int		 line = 0;

	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*le = nl != NULL ? nl : end, *s;
		size_t		 n;

		line++;
		n = (size_t)(le - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL)
			ERR(x, line, "NUL byte in line");
		else if (n >= INI_LINE_MAX)
			ERR(x, line, "line of %zu bytes; lines must be shorter "
			    "than %d (continue long values on indented lines)",
			    n, INI_LINE_MAX);
		else if (!mac_utf8_ok((const unsigned char *)p, n))
			ERR(x, line, "line is not valid UTF-8");
		else if ((s = line_start(p, p + n, line)) < p + n && *s == '[')
			raw_section(x, line, s, p + n);
		p = nl != NULL ? nl + 1 : end;
	}
}

/* ---- step 2: inih, through a reader that counts lines ---------------- */

static void
new_section(struct ini *x, const char *s, const char *rb)
{
	struct section	*ns = x->secs;

	if (x->nsecs == x->seccap) {
		size_t nc = x->seccap == 0 ? 16 : x->seccap * 2;

		if ((ns = mac_realloc(x->secs, nc * sizeof(*ns))) == NULL) {
			x->oom = true;
			return;
		}
		x->secs = ns;
		x->seccap = nc;
	}
	ns = &x->secs[x->nsecs];
	memset(ns->name, 0, sizeof(ns->name));
	memcpy(ns->name, s + 1, (size_t)(rb - s - 1));
	ns->line = x->line;
	x->cursec = (int)x->nsecs++;
	x->have_key = false;
}

/* What inih will make of the line starting at p (it mirrors inih's ini.c). */
static void
classify(struct ini *x, const char *p, const char *end)
{
	const char	*s, *e;

	if (end > p && end[-1] == '\n')
		end--;
	s = line_start(p, end, x->line);
	e = end;
	while (e > s && is_space(e[-1]))
		e--;
	x->cont = false;
	if (s == e || *s == ';' || *s == '#')
		return;
	if (x->have_key && s > p) {
		x->cont = true;
		return;
	}
	if (*s == '[') {
		const char *rb = memchr(s, ']', (size_t)(e - s));

		if (rb != NULL)
			new_section(x, s, rb);
		return;
	}
	for (; s < e; s++)
		if (*s == '=' || *s == ':') {
			x->have_key = true;
			return;
		}
	ERR(x, x->line, "expected 'key = value'");
}

/* fgets() for inih over our buffer; every line fits (step 1). */
static char *
reader(char *str, int num, void *stream)
{
	struct ini	*x = stream;
	const char	*p = x->buf + x->pos, *end = x->buf + x->len, *nl;
	size_t		 n;

	if (p >= end || num < 2)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	if (x->at_start) {
		x->line++;
		classify(x, p, p + n);
	}
	memcpy(str, p, n);
	str[n] = '\0';
	x->pos += n;
	x->at_start = n > 0 && str[n - 1] == '\n';
	return str;
}

/* Append a, then b, then a NUL to the text buffer. */
static bool
text_add(struct ini *x, const char *a, const char *b)
{
	size_t	al = strlen(a), bl = strlen(b), need = x->tlen + al + bl + 1;
	char	*nt;

	if (need > x->tcap) {
		size_t nc = x->tcap == 0 ? 4096 : x->tcap;

		while (nc < need)
			nc *= 2;
		if ((nt = mac_realloc(x->text, nc)) == NULL)
			return false;
		x->text = nt;
		x->tcap = nc;
	}
	memcpy(x->text + x->tlen, a, al);
	memcpy(x->text + x->tlen + al, b, bl + 1);
	x->tlen += al + bl + 1;
	return true;
}

/* A continuation line: the value is the last string in the text. */
static int
continued(struct ini *x, const char *val)
{
	struct entry	*e = x->nents > 0 ? &x->ents[x->nents - 1] : NULL;
	enum ini_join	 j;
	char		 sb[64];

	if (e == NULL || e->line < 0)
		return 1;
	j = x->sink->join(x->sink->arg, x->text + e->koff);
	if (j == INI_JOIN_NONE) {
		ERR(x, x->line, "'%s' cannot be continued on another line",
		    diag_safe(sb, sizeof(sb), x->text + e->koff));
		e->line = -e->line;	/* drop the entry */
		return 1;
	}
	x->tlen--;
	if (!text_add(x, j == INI_JOIN_SPACE ? " " : "", val))
		x->oom = true;
	return !x->oom;
}

static int
handler(void *user, const char *section, const char *key, const char *val)
{
	struct ini	*x = user;
	struct entry	*e;

	(void)section;
	if (x->oom)
		return 0;
	if (x->cont)
		return continued(x, val);
	if (x->nents == x->entcap) {
		size_t		 nc = x->entcap == 0 ? 64 : x->entcap * 2;
		struct entry	*ne = mac_realloc(x->ents, nc * sizeof(*ne));

		if (ne == NULL) {
			x->oom = true;
			return 0;
		}
		x->ents = ne;
		x->entcap = nc;
	}
	e = &x->ents[x->nents];
	e->sec = x->cursec;
	e->line = x->line;
	e->koff = x->tlen;
	if (!text_add(x, key, "")) {
		x->oom = true;
		return 0;
	}
	e->voff = x->tlen;
	if (!text_add(x, val, "")) {
		x->oom = true;
		return 0;
	}
	x->nents++;
	return 1;
}

/* ---- handing on ------------------------------------------------------- */

/* Every section, each followed by its entries; the global ones first. */
static void
hand_on(struct ini *x)
{
	const struct ini_sink	*k = x->sink;
	size_t			 i, j = 0;

	k->begin(k->arg, x->nsecs);
	for (i = 0; i <= x->nsecs; i++) {
		if (i > 0)
			k->section(k->arg, x->secs[i - 1].name,
			    x->secs[i - 1].line);
		for (; j < x->nents && x->ents[j].sec == (int)i - 1; j++)
			if (x->ents[j].line > 0)
				k->entry(k->arg, x->text + x->ents[j].koff,
				    x->text + x->ents[j].voff, x->ents[j].line);
	}
}

/*
 * Returns 0 when the sink has had every section and entry (there may
 * still be errors in d), -1 when the raw check failed and nothing was
 * handed on, -2 when memory ran out.
 */
int
ini_read(const char *buf, size_t len, const char *file, struct diag *d,
    const struct ini_sink *sink)
{
	struct ini	x;
	int		rc = 0;

	memset(&x, 0, sizeof(x));
	x.file = file;
	x.buf = buf;
	x.len = len;
	x.d = d;
	x.sink = sink;
	x.at_start = true;
	x.cursec = -1;
	raw_check(&x);
	if (d->errors != 0)
		return -1;
	if (ini_parse_stream(reader, &x, handler, &x) == -2 || x.oom)
		rc = -2;
	else
		hand_on(&x);
	mac_free(x.text);
	mac_free(x.ents);
	mac_free(x.secs);
	return rc;
}
