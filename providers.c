/*
 * providers.c: providers.ini (providers-ini.md, normative) into a
 * struct config, and the domain lookup.
 *
 * Loading runs in three steps so that a config is never half-loaded:
 *  1. the raw bytes are checked (line length, section names, NUL bytes),
 *     because Debian 12's libinih r55 silently splits lines of 200 bytes
 *     or more and cuts section names to 49 bytes;
 *  2. inih parses the file through our reader, which counts lines (r55's
 *     handler gets no line number) and tells continuation lines apart;
 *     the handler only collects (section, key, value, line) entries;
 *  3. the entries become providers, every error is reported with
 *     file:line, and the domain table is built.
 * Any error in any step frees everything and returns NULL.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "mailautoconf.h"

const char *const auth_names[AUTH__N] = {
	"password-cleartext", "password-encrypted", "OAuth2", "NTLM",
	"GSSAPI", "client-IP-address", "TLS-client-cert", "none",
	"smtp-after-pop",
};
const char *const srv_names[] = {
	"imap", "pop3", "smtp", "ews", "owa", "graph",
};
const char *const sock_names[] = {
	"SSL", "STARTTLS", "plain",
};

/* ---- arena: every byte of a config, freed at once ------------------- */

struct arena {
	struct arena	*next;
	size_t		 used;
	size_t		 cap;
	max_align_t	 data[];
};

#define ARENA_CHUNK	(64 * 1024)

static void *
arena_alloc(struct arena **ap, size_t n)
{
	struct arena	*a = *ap;
	size_t		 al = sizeof(max_align_t);
	void		*p;

	n = (n + al - 1) / al * al;
	if (a == NULL || a->cap - a->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		if ((a = mac_alloc(sizeof(*a) + cap)) == NULL)
			return NULL;
		a->next = *ap;
		a->used = 0;
		a->cap = cap;
		*ap = a;
	}
	p = (char *)a->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

static char *
arena_strndup(struct arena **ap, const char *s, size_t n)
{
	char	*p;

	if ((p = arena_alloc(ap, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
arena_free(struct arena *a)
{
	while (a != NULL) {
		struct arena *n = a->next;

		mac_free(a);
		a = n;
	}
}

/* Make room for one more element; the old block stays in the arena. */
static void *
arena_push(struct arena **ap, void *arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t	 nc = *cap == 0 ? 4 : *cap * 2;
		void	*na;

		if ((na = arena_alloc(ap, nc * sz)) == NULL)
			return NULL;
		if (*n > 0)
			memcpy(na, arr, *n * sz);
		arr = na;
		*cap = nc;
	}
	(*n)++;
	return arr;
}

/* ---- diagnostics ----------------------------------------------------- */

/*
 * While inih runs, keys and values live in one growing text buffer (a
 * value is always the last thing in it, so a continuation appends in
 * place), and entries hold offsets; once it is done they get pointers.
 * 100 000 domains are some 340 000 entries: a per-entry buffer cost
 * 150 MiB at peak (make bench).
 */
struct entry {
	int		 sec;		/* index in sections, -1: global */
	int		 line;		/* < 0: dropped */
	size_t		 koff;
	size_t		 voff;
	const char	*key;
	const char	*val;
};

struct section {
	char		 name[INI_SECTION_MAX];
	int		 line;
};

struct loader {
	const char	*file;
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	int		 line;		/* of the line last handed to inih */
	bool		 at_start;	/* the next read starts a new line */
	bool		 cont;		/* that line continues a value */
	bool		 have_key;	/* inih's prev_name is set */
	int		 cursec;
	struct diag	*d;
	struct entry	*ents;
	size_t		 nents;
	size_t		 entcap;
	char		*text;		/* keys and values, see struct entry */
	size_t		 tlen;
	size_t		 tcap;
	struct section	*secs;
	size_t		 nsecs;
	size_t		 seccap;
	struct config	*cf;
	bool		 oom;
};

/* Bytes from the file reach the log only as printable ASCII. */
static const char *
safe(char *buf, size_t cap, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static void __attribute__((format(printf, 4, 5)))
diag(struct loader *l, bool warning, int line, const char *fmt, ...)
{
	va_list	ap;

	if (warning) {
		l->d->warns++;
		if (!l->d->warnings)
			return;
	} else
		l->d->errors++;
	if (l->d->fp == NULL || l->d->errors + l->d->warns > ERRORS_MAX)
		return;
	fprintf(l->d->fp, "mailautoconf: %s:%d: %s", l->file, line,
	    warning ? "warning: " : "");
	va_start(ap, fmt);
	vfprintf(l->d->fp, fmt, ap);
	va_end(ap);
	fputc('\n', l->d->fp);
}

#define ERR(l, line, ...)	diag((l), false, (line), __VA_ARGS__)
#define WARN(l, line, ...)	diag((l), true, (line), __VA_ARGS__)

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

static bool
section_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '[')
			return false;
	return mac_utf8_ok((const unsigned char *)s, n);
}

static void
raw_check(struct loader *l)
{
	const char	*p = l->buf, *end = l->buf + l->len;
	int		 line = 0;

	while (p < end) {
		const char	*nl = memchr(p, '\n', (size_t)(end - p));
		const char	*le = nl != NULL ? nl : end, *s, *rb;
		size_t		 n;

		line++;
		n = (size_t)(le - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL)
			ERR(l, line, "NUL byte in line");
		else if (n >= INI_LINE_MAX)
			ERR(l, line, "line of %zu bytes; lines must be shorter "
			    "than %d (continue long values on indented lines)",
			    n, INI_LINE_MAX);
		else if (!mac_utf8_ok((const unsigned char *)p, n))
			ERR(l, line, "line is not valid UTF-8");
		else if ((s = line_start(p, p + n, line)) < p + n && *s == '[') {
			rb = memchr(s, ']', (size_t)(p + n - s));
			if (rb == NULL)
				ERR(l, line, "section name without ']'");
			else if ((size_t)(rb - s - 1) >= INI_SECTION_MAX)
				ERR(l, line, "section name of %zu bytes; at "
				    "most %d", (size_t)(rb - s - 1),
				    INI_SECTION_MAX - 1);
			else if (!section_name_ok(s + 1, (size_t)(rb - s - 1)))
				ERR(l, line, "bad section name");
		}
		p = nl != NULL ? nl + 1 : end;
	}
}

/* ---- step 2: inih, through a reader that counts lines ---------------- */

/* What inih will make of the line starting at p (it mirrors ini.c). */
static void
classify(struct loader *l, const char *p, const char *end)
{
	const char	*s, *e;

	if (end > p && end[-1] == '\n')
		end--;
	s = line_start(p, end, l->line);
	e = end;
	while (e > s && is_space(e[-1]))
		e--;
	l->cont = false;
	if (s == e || *s == ';' || *s == '#')
		return;
	if (l->have_key && s > p) {
		l->cont = true;
		return;
	}
	if (*s == '[') {
		const char	*rb = memchr(s, ']', (size_t)(e - s));
		struct section	*ns;

		if (rb == NULL)
			return;
		ns = arena_push(&l->cf->arena, l->secs, &l->nsecs, &l->seccap,
		    sizeof(*l->secs));
		if (ns == NULL) {
			l->oom = true;
			return;
		}
		l->secs = ns;
		memcpy(l->secs[l->nsecs - 1].name, s + 1, (size_t)(rb - s - 1));
		l->secs[l->nsecs - 1].line = l->line;
		l->cursec = (int)l->nsecs - 1;
		l->have_key = false;
		return;
	}
	for (; s < e; s++)
		if (*s == '=' || *s == ':') {
			l->have_key = true;
			return;
		}
	ERR(l, l->line, "expected 'key = value'");
}

/* fgets() for inih over our buffer; every line fits (step 1). */
static char *
reader(char *str, int num, void *stream)
{
	struct loader	*l = stream;
	const char	*p = l->buf + l->pos, *end = l->buf + l->len, *nl;
	size_t		 n;

	if (p >= end || num < 2)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	if (l->at_start) {
		l->line++;
		classify(l, p, p + n);
	}
	memcpy(str, p, n);
	str[n] = '\0';
	l->pos += n;
	l->at_start = n > 0 && str[n - 1] == '\n';
	return str;
}

/* How a continued value is joined (providers-ini.md). */
enum join {
	J_NONE, J_SPACE, J_CONCAT
};

static enum join
key_join(const char *key)
{
	static const char *const text[] = {
		"domains", "auth", "oauth2.scope",
	};
	static const char *const url[] = {
		"documentation", "enable", "webmail", "carddav", "caldav",
		"oauth2.auth_url", "oauth2.token_url",
	};
	size_t	i;

	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (strcmp(key, text[i]) == 0)
			return J_SPACE;
	for (i = 0; i < sizeof(url) / sizeof(url[0]); i++)
		if (strcmp(key, url[i]) == 0)
			return J_CONCAT;
	if (strncmp(key, "documentation.descr", 19) == 0 ||
	    strncmp(key, "enable.instruction", 18) == 0)
		return J_SPACE;
	return J_NONE;
}

/* Append a, then b, then a NUL to the text buffer. */
static bool
text_add(struct loader *l, const char *a, const char *b)
{
	size_t	al = strlen(a), bl = strlen(b), need = l->tlen + al + bl + 1;
	char	*nt;

	if (need > l->tcap) {
		size_t nc = l->tcap == 0 ? 4096 : l->tcap;

		while (nc < need)
			nc *= 2;
		if ((nt = mac_realloc(l->text, nc)) == NULL)
			return false;
		l->text = nt;
		l->tcap = nc;
	}
	memcpy(l->text + l->tlen, a, al);
	memcpy(l->text + l->tlen + al, b, bl + 1);
	l->tlen += al + bl + 1;
	return true;
}

static int
handler(void *user, const char *section, const char *key, const char *val)
{
	struct loader	*l = user;
	struct entry	*e;
	char		 sb[64];

	(void)section;
	if (l->oom)
		return 0;
	if (l->cont) {
		enum join j;

		e = l->nents > 0 ? &l->ents[l->nents - 1] : NULL;
		if (e == NULL || e->line < 0)
			return 1;
		if ((j = key_join(l->text + e->koff)) == J_NONE) {
			ERR(l, l->line, "'%s' cannot be continued on another "
			    "line", safe(sb, sizeof(sb), l->text + e->koff));
			e->line = -e->line;	/* drop the entry */
			return 1;
		}
		/* the value is the last string in the text: extend it */
		l->tlen--;
		if (!text_add(l, j == J_SPACE ? " " : "", val))
			l->oom = true;
		return !l->oom;
	}
	if (l->nents == l->entcap) {
		size_t		 nc = l->entcap == 0 ? 64 : l->entcap * 2;
		struct entry	*ne = mac_realloc(l->ents, nc * sizeof(*ne));

		if (ne == NULL) {
			l->oom = true;
			return 0;
		}
		l->ents = ne;
		l->entcap = nc;
	}
	e = &l->ents[l->nents];
	memset(e, 0, sizeof(*e));
	e->sec = l->cursec;
	e->line = l->line;
	e->koff = l->tlen;
	if (!text_add(l, key, "")) {
		l->oom = true;
		return 0;
	}
	e->voff = l->tlen;
	if (!text_add(l, val, "")) {
		l->oom = true;
		return 0;
	}
	l->nents++;
	return 1;
}

/* ---- step 3: values -------------------------------------------------- */

static const char *
adup(struct loader *l, const char *s)
{
	const char *p = arena_strndup(&l->cf->arena, s, strlen(s));

	if (p == NULL)
		l->oom = true;
	return p;
}

/* Printable text for names and descriptions. */
static bool
text_val(struct loader *l, int line, const char *key, const char *v)
{
	char	sb[64];

	if (*v == '\0') {
		ERR(l, line, "'%s' is empty", safe(sb, sizeof(sb), key));
		return false;
	}
	if (!mac_text_ok(v, strlen(v))) {
		ERR(l, line, "'%s' has control characters",
		    safe(sb, sizeof(sb), key));
		return false;
	}
	return true;
}

/* An http(s) URL of printable ASCII with a host. */
static bool
url_val(struct loader *l, int line, const char *key, const char *v)
{
	const char	*p;
	char		 sb[64];

	if (strncmp(v, "https://", 8) == 0)
		p = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		p = v + 7;
	else {
		ERR(l, line, "'%s' is not an http:// or https:// URL",
		    safe(sb, sizeof(sb), key));
		return false;
	}
	if (*p == '\0' || *p == '/') {
		ERR(l, line, "'%s' URL has no host", safe(sb, sizeof(sb), key));
		return false;
	}
	for (p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || *p == '`') {
			ERR(l, line, "'%s' URL has a character that must be "
			    "percent-encoded", safe(sb, sizeof(sb), key));
			return false;
		}
	return true;
}

/* A template may only use the three placeholders clients know. */
static bool
tmpl_val(struct loader *l, int line, const char *what, const char *v)
{
	const char	*p;

	if (!text_val(l, line, what, v))
		return false;
	for (p = v; (p = strchr(p, '%')) != NULL; ) {
		if (strncmp(p, "%EMAILADDRESS%", 14) == 0)
			p += 14;
		else if (strncmp(p, "%EMAILLOCALPART%", 16) == 0)
			p += 16;
		else if (strncmp(p, "%EMAILDOMAIN%", 13) == 0)
			p += 13;
		else {
			ERR(l, line, "unknown placeholder in %s (known: "
			    "%%EMAILADDRESS%%, %%EMAILLOCALPART%%, "
			    "%%EMAILDOMAIN%%)", what);
			return false;
		}
	}
	return true;
}

static bool
auth_val(struct loader *l, int line, const char *v, struct authlist *al)
{
	const char	*p = v;
	char		 sb[64];

	al->n = 0;
	while (*p != '\0') {
		size_t	n;
		int	i;

		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		for (i = 0; i < AUTH__N; i++)
			if (mac_casecmp_n(p, n, auth_names[i]) == 0)
				break;
		if (i == AUTH__N) {
			char w[64];

			mac_strlcpy(w, p, n + 1 < sizeof(w) ? n + 1 : sizeof(w));
			ERR(l, line, "unknown authentication '%s'",
			    safe(sb, sizeof(sb), w));
			return false;
		}
		if (al->n == AUTH_MAX) {
			ERR(l, line, "too many authentication methods");
			return false;
		}
		al->a[al->n++] = (unsigned char)i;
		p += n;
	}
	if (al->n == 0) {
		ERR(l, line, "empty authentication list");
		return false;
	}
	return true;
}

static bool
num_val(struct loader *l, int line, const char *key, const char *v,
    long long min, long long max, long *res)
{
	long long	n;
	char		sb[64];

	if (mac_strtonum(v, min, max, &n) != 0) {
		ERR(l, line, "'%s' must be a number from %lld to %lld",
		    safe(sb, sizeof(sb), key), min, max);
		return false;
	}
	*res = (long)n;
	return true;
}

static bool
bool_val(struct loader *l, int line, const char *key, const char *v,
    signed char *res)
{
	char	sb[64];

	if (strcmp(v, "true") == 0)
		*res = 1;
	else if (strcmp(v, "false") == 0)
		*res = 0;
	else {
		ERR(l, line, "'%s' must be true or false",
		    safe(sb, sizeof(sb), key));
		return false;
	}
	return true;
}

/*
 * A server host: a domain name, possibly with placeholders; an IPv4
 * address; or an IPv6 literal in brackets.
 */
static bool
host_ok(const char *h, size_t n)
{
	char	 tmp[DOMAIN_MAX + 1], dom[DOMAIN_MAX + 1];
	size_t	 i, t = 0, dl;
	const char *why;

	if (n == 0)
		return false;
	if (h[0] == '[') {
		if (n < 4 || h[n - 1] != ']')
			return false;
		for (i = 1; i < n - 1; i++)
			if (strchr("0123456789abcdefABCDEF:.", h[i]) == NULL)
				return false;
		return memchr(h, ':', n) != NULL;
	}
	/* placeholders stand for a valid label sequence: check with "x" */
	for (i = 0; i < n && t < DOMAIN_MAX; ) {
		if (h[i] == '%') {
			const char *e = memchr(h + i + 1, '%', n - i - 1);

			if (e == NULL)
				return false;
			tmp[t++] = 'x';
			i = (size_t)(e - h) + 1;
		} else
			tmp[t++] = h[i++];
	}
	if (i < n)
		return false;
	if (mac_domain(dom, &dl, tmp, t, &why) == 0)
		return true;
	/* a dotted IPv4 address */
	for (i = 0; i < n; i++)
		if (strchr("0123456789.", h[i]) == NULL)
			return false;
	return n >= 7;
}

struct srvopt {
	const char	*name;
	unsigned	 types;		/* bit per enum srv_type */
};

#define T_(x)	(1u << (x))
#define T_MAIL	(T_(SRV_IMAP) | T_(SRV_POP3) | T_(SRV_SMTP))
#define T_ALL	(T_MAIL | T_(SRV_EWS) | T_(SRV_OWA) | T_(SRV_GRAPH))

static const struct srvopt srvopts[] = {
	{ "auth", T_ALL },
	{ "username", T_ALL },
	{ "restriction", T_(SRV_SMTP) },
	{ "add_this_server", T_(SRV_SMTP) },
	/* ews, owa: for autoconfig's legacy exchange element */
	{ "use_global_preferred_server", T_MAIL | T_(SRV_EWS) | T_(SRV_OWA) },
	{ "leave_messages_on_server", T_(SRV_POP3) },
	{ "download_on_biff", T_(SRV_POP3) },
	{ "days_to_leave_messages_on_server", T_(SRV_POP3) },
	{ "check_interval", T_(SRV_POP3) },
};

static bool
srv_option(struct loader *l, int line, struct server *s, const char *k,
    size_t kl, const char *v)
{
	size_t	i;
	char	sb[64], kb[64];

	mac_strlcpy(kb, k, kl + 1 < sizeof(kb) ? kl + 1 : sizeof(kb));
	for (i = 0; i < sizeof(srvopts) / sizeof(srvopts[0]); i++)
		if (strcmp(kb, srvopts[i].name) == 0)
			break;
	if (i == sizeof(srvopts) / sizeof(srvopts[0]) ||
	    !(srvopts[i].types & T_(s->type))) {
		ERR(l, line, "unknown option '%s' for a %s server",
		    safe(sb, sizeof(sb), kb), srv_names[s->type]);
		return false;
	}
	switch (i) {
	case 0:
		return auth_val(l, line, v, &s->auth);
	case 1:
		if (!tmpl_val(l, line, "username", v))
			return false;
		return (s->username = adup(l, v)) != NULL;
	case 2:
		if (strcmp(v, "client-IP-address") != 0) {
			ERR(l, line, "restriction must be client-IP-address");
			return false;
		}
		return (s->restriction = adup(l, v)) != NULL;
	case 3:
		return bool_val(l, line, kb, v, &s->add_this_server);
	case 4:
		return bool_val(l, line, kb, v, &s->global_preferred);
	case 5:
		return bool_val(l, line, kb, v, &s->leave_on_server);
	case 6:
		return bool_val(l, line, kb, v, &s->download_on_biff);
	case 7:
		return num_val(l, line, kb, v, 0, 100000, &s->days_to_leave);
	default:
		return num_val(l, line, kb, v, 1, 100000, &s->check_interval);
	}
}

static unsigned
default_port(enum srv_type t, enum sock_type k)
{
	switch (t) {
	case SRV_IMAP:
		return k == SOCK_SSL ? 993 : 143;
	case SRV_POP3:
		return k == SOCK_SSL ? 995 : 110;
	case SRV_SMTP:
		return k == SOCK_SSL ? 465 : 587;
	default:
		return 443;
	}
}

/* "HOST[:PORT]" or "[V6][:PORT]" */
static bool
srv_hostport(struct loader *l, int line, struct server *s, const char *w,
    size_t n)
{
	const char	*colon = NULL;
	size_t		 hl = n;
	long		 port;
	char		 pb[8];

	if (n > 0 && w[0] == '[') {
		const char *rb = memchr(w, ']', n);

		if (rb != NULL && (size_t)(rb - w) + 1 < n) {
			if (rb[1] != ':')
				goto bad;
			colon = rb + 1;
		}
	} else
		colon = memchr(w, ':', n);
	if (colon != NULL) {
		hl = (size_t)(colon - w);
		if (n - hl - 1 == 0 || n - hl - 1 >= sizeof(pb))
			goto badport;
		mac_strlcpy(pb, colon + 1, n - hl);
		if (!num_val(l, line, "port", pb, 1, 65535, &port))
			return false;
		s->port = (unsigned)port;
	}
	if (hl == 0 || hl > DOMAIN_MAX || !host_ok(w, hl))
		goto bad;
	if ((s->host = arena_strndup(&l->cf->arena, w, hl)) == NULL)
		l->oom = true;
	return s->host != NULL;
bad:
	ERR(l, line, "bad server host name");
	return false;
badport:
	ERR(l, line, "bad port");
	return false;
}

/*
 * An ews, owa or graph URL.  Its host, port and socket type are taken out
 * here, once, for the answers that state them (autoconfig's hostname,
 * port, socketType), not at every request.
 */
static bool
url_server(struct loader *l, int line, struct server *s, const char *p,
    size_t n)
{
	char		*u;
	const char	*h;
	bool		 tls;

	if ((u = arena_strndup(&l->cf->arena, p, n)) == NULL) {
		l->oom = true;
		return false;
	}
	if (!url_val(l, line, "url", u))
		return false;
	s->url = u;
	tls = u[4] == 's';
	h = u + (tls ? 8 : 7);
	if (memchr(h, '@', strcspn(h, "/?#")) != NULL) {
		ERR(l, line, "URL with a user name");
		return false;
	}
	if (!srv_hostport(l, line, s, h, strcspn(h, "/?#")))
		return false;
	s->sock = tls ? SOCK_SSL : SOCK_PLAIN;
	if (s->port == 0)
		s->port = tls ? 443 : 80;
	return true;
}

static bool
server_line(struct loader *l, int line, struct server *s, const char *v)
{
	const char	*p = v;
	size_t		 n;
	int		 tok = 0;

	s->global_preferred = s->add_this_server = -1;
	s->leave_on_server = s->download_on_biff = -1;
	s->days_to_leave = s->check_interval = -1;
	s->line = line;
	s->sock = SOCK_SSL;
	for (;;) {
		const char *eq;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		eq = memchr(p, '=', n);
		if (tok++ == 0) {
			if (s->type >= SRV_EWS) {
				if (!url_server(l, line, s, p, n))
					return false;
			} else if (!srv_hostport(l, line, s, p, n))
				return false;
		} else if (eq == NULL && s->type < SRV_EWS && tok == 2) {
			if (mac_casecmp_n(p, n, "ssl") == 0)
				s->sock = SOCK_SSL;
			else if (mac_casecmp_n(p, n, "starttls") == 0)
				s->sock = SOCK_STARTTLS;
			else if (mac_casecmp_n(p, n, "plain") == 0)
				s->sock = SOCK_PLAIN;
			else {
				ERR(l, line, "bad socket type (ssl, starttls "
				    "or plain)");
				return false;
			}
		} else if (eq == NULL) {
			ERR(l, line, "expected option=value");
			return false;
		} else {
			char vb[INI_LINE_MAX];

			mac_strlcpy(vb, eq + 1, (size_t)(p + n - eq));
			if (!srv_option(l, line, s, p, (size_t)(eq - p), vb))
				return false;
		}
		p += n;
	}
	if (tok == 0) {
		ERR(l, line, "empty server line");
		return false;
	}
	if (s->port == 0)
		s->port = default_port(s->type, s->sock);
	return true;
}

/* ---- step 3: sections ----------------------------------------------- */

struct pbuild {
	struct provider	*p;
	size_t		 domcap, incap, outcap, doccap, instrcap;
	size_t		 descrcap;
	int		 seen[32];	/* line of each single key, 0: unseen */
	int		 oauth2_line;
};

static const char *const single_keys[] = {
	"name", "short_name", "auth", "username", "enable", "webmail",
	"carddav", "caldav", "oauth2.issuer", "oauth2.scope",
	"oauth2.auth_url", "oauth2.token_url", "autodiscover.redirect",
	"mobileconfig.identifier",
};

/* A key that may stand once: report the second, give its slot. */
static bool
once(struct loader *l, struct pbuild *b, const struct entry *e)
{
	size_t	i;

	for (i = 0; i < sizeof(single_keys) / sizeof(single_keys[0]); i++)
		if (strcmp(e->key, single_keys[i]) == 0) {
			if (b->seen[i] != 0) {
				ERR(l, e->line, "'%s' given twice (first on "
				    "line %d)", single_keys[i], b->seen[i]);
				return false;
			}
			b->seen[i] = e->line;
		}
	return true;
}

static bool
add_domains(struct loader *l, struct pbuild *b, int line, const char *s)
{
	struct provider	*p = b->p;
	size_t		 had = p->ndomains;

	while (*s != '\0') {
		char		 d[DOMAIN_MAX + 1];
		size_t		 n, dl;
		const char	*why, **nd;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if ((n = strcspn(s, " ,\t")) == 0)
			break;
		/* a UTF-8 name is stored as its A-label (SPEC §2) */
		if (mac_domain_idn(d, &dl, s, n, &why) != 0) {
			ERR(l, line, "bad domain: %s", why);
			return false;
		}
		nd = arena_push(&l->cf->arena, p->domains, &p->ndomains,
		    &b->domcap, sizeof(*p->domains));
		if (nd == NULL || (nd[p->ndomains - 1] = adup(l, d)) == NULL)
			return false;
		p->domains = nd;
		s += n;
	}
	/* "domains = ," or a section [,] would serve no domain at all */
	if (p->ndomains == had) {
		ERR(l, line, "no domain in the list");
		return false;
	}
	return true;
}

static struct server *
add_server(struct loader *l, struct pbuild *b, enum srv_type t)
{
	struct provider	*p = b->p;
	struct server	*ns;

	if (t == SRV_SMTP) {
		ns = arena_push(&l->cf->arena, p->out, &p->nout, &b->outcap,
		    sizeof(*ns));
		if (ns == NULL)
			return NULL;
		p->out = ns;
		ns += p->nout - 1;
	} else {
		ns = arena_push(&l->cf->arena, p->in, &p->nin, &b->incap,
		    sizeof(*ns));
		if (ns == NULL)
			return NULL;
		p->in = ns;
		ns += p->nin - 1;
	}
	ns->type = t;
	return ns;
}

/* "documentation.descr", "documentation.descr.de", ... */
static bool
add_text(struct loader *l, const struct entry *e, const char *lang,
    struct text **arr, size_t *n, size_t *cap)
{
	struct text	*na;
	size_t		 i;

	if (lang != NULL) {
		if (*lang == '\0' || strlen(lang) > 35)
			goto badlang;
		for (i = 0; lang[i] != '\0'; i++)
			if (!((lang[i] >= 'a' && lang[i] <= 'z') ||
			    (lang[i] >= 'A' && lang[i] <= 'Z') ||
			    (lang[i] >= '0' && lang[i] <= '9') ||
			    lang[i] == '-'))
				goto badlang;
	}
	if (!text_val(l, e->line, e->key, e->val))
		return false;
	if ((na = arena_push(&l->cf->arena, *arr, n, cap, sizeof(*na))) == NULL)
		return false;
	*arr = na;
	na[*n - 1].lang = lang == NULL ? NULL : adup(l, lang);
	na[*n - 1].text = adup(l, e->val);
	return !l->oom;
badlang:
	ERR(l, e->line, "bad language tag in '%s'", lang);
	return false;
}

static bool
set_url(struct loader *l, const struct entry *e, const char **dst)
{
	if (!url_val(l, e->line, e->key, e->val))
		return false;
	return (*dst = adup(l, e->val)) != NULL;
}

static bool
prov_key(struct loader *l, struct pbuild *b, const struct entry *e)
{
	struct provider	*p = b->p;
	const char	*k = e->key, *v = e->val;
	struct server	*s;
	size_t		 i;
	char		 sb[64];

	if (!once(l, b, e))
		return false;
	for (i = 0; i < sizeof(srv_names) / sizeof(srv_names[0]); i++)
		if (strcmp(k, srv_names[i]) == 0) {
			if ((s = add_server(l, b, (enum srv_type)i)) == NULL) {
				l->oom = true;
				return false;
			}
			return server_line(l, e->line, s, v);
		}
	if (strcmp(k, "domains") == 0)
		return add_domains(l, b, e->line, v);
	if (strcmp(k, "name") == 0 || strcmp(k, "short_name") == 0) {
		if (!text_val(l, e->line, k, v))
			return false;
		return (*(k[0] == 'n' ? &p->name : &p->short_name) =
		    adup(l, v)) != NULL;
	}
	if (strcmp(k, "auth") == 0)
		return auth_val(l, e->line, v, &p->auth);
	if (strcmp(k, "username") == 0) {
		if (!tmpl_val(l, e->line, "username", v))
			return false;
		return (p->username = adup(l, v)) != NULL;
	}
	if (strcmp(k, "documentation") == 0) {
		struct doc *nd = arena_push(&l->cf->arena, p->docs, &p->ndocs,
		    &b->doccap, sizeof(*nd));

		if (nd == NULL)
			return false;
		p->docs = nd;
		b->descrcap = 0;
		return set_url(l, e, &nd[p->ndocs - 1].url);
	}
	if (strncmp(k, "documentation.descr", 19) == 0 &&
	    (k[19] == '\0' || k[19] == '.')) {
		struct doc *d;

		if (p->ndocs == 0) {
			ERR(l, e->line, "'%s' before any 'documentation'",
			    safe(sb, sizeof(sb), k));
			return false;
		}
		d = &p->docs[p->ndocs - 1];
		return add_text(l, e, k[19] == '.' ? k + 20 : NULL, &d->descr,
		    &d->ndescr, &b->descrcap);
	}
	if (strcmp(k, "enable") == 0)
		return set_url(l, e, &p->enable);
	if (strncmp(k, "enable.instruction", 18) == 0 &&
	    (k[18] == '\0' || k[18] == '.'))
		return add_text(l, e, k[18] == '.' ? k + 19 : NULL, &p->instr,
		    &p->ninstr, &b->instrcap);
	if (strcmp(k, "webmail") == 0)
		return set_url(l, e, &p->webmail);
	if (strcmp(k, "carddav") == 0)
		return set_url(l, e, &p->carddav);
	if (strcmp(k, "caldav") == 0)
		return set_url(l, e, &p->caldav);
	if (strcmp(k, "oauth2.issuer") == 0) {
		b->oauth2_line = e->line;
		if (!host_ok(v, strlen(v))) {
			ERR(l, e->line, "oauth2.issuer must be a host name");
			return false;
		}
		return (p->oauth2_issuer = adup(l, v)) != NULL;
	}
	if (strcmp(k, "oauth2.scope") == 0) {
		b->oauth2_line = e->line;
		if (!text_val(l, e->line, k, v))
			return false;
		return (p->oauth2_scope = adup(l, v)) != NULL;
	}
	if (strcmp(k, "oauth2.auth_url") == 0) {
		b->oauth2_line = e->line;
		return set_url(l, e, &p->oauth2_auth_url);
	}
	if (strcmp(k, "oauth2.token_url") == 0) {
		b->oauth2_line = e->line;
		return set_url(l, e, &p->oauth2_token_url);
	}
	if (strcmp(k, "autodiscover.redirect") == 0) {
		if (!tmpl_val(l, e->line, k, v))
			return false;
		if (strchr(v, '@') == NULL) {
			ERR(l, e->line, "autodiscover.redirect must be an "
			    "address pattern with '@'");
			return false;
		}
		return (p->ad_redirect = adup(l, v)) != NULL;
	}
	if (strcmp(k, "mobileconfig.identifier") == 0) {
		char	d[DOMAIN_MAX + 1];
		size_t	dl;
		const char *why;

		if (mac_domain(d, &dl, v, strlen(v), &why) != 0) {
			ERR(l, e->line, "mobileconfig.identifier must be a "
			    "reverse-DNS name: %s", why);
			return false;
		}
		return (p->mc_identifier = adup(l, v)) != NULL;
	}
	ERR(l, e->line, "unknown key '%s'", safe(sb, sizeof(sb), k));
	return false;
}

/* "org.mailbox" from "mailbox.org" */
static const char *
reverse_dns(struct loader *l, const char *d)
{
	size_t	 n = strlen(d), o = 0;
	char	*r;
	const char *end = d + n;

	if ((r = arena_alloc(&l->cf->arena, n + 1)) == NULL) {
		l->oom = true;
		return NULL;
	}
	while (end > d) {
		const char *dot = end;

		while (dot > d && dot[-1] != '.')
			dot--;
		if (o > 0)
			r[o++] = '.';
		memcpy(r + o, dot, (size_t)(end - dot));
		o += (size_t)(end - dot);
		end = dot > d ? dot - 1 : d;
	}
	r[o] = '\0';
	return r;
}

static bool
server_plain(const struct server *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (s[i].type < SRV_EWS && s[i].sock == SOCK_PLAIN)
			return true;
	return false;
}

static bool
url_only(const struct provider *p)
{
	size_t	i;

	for (i = 0; i < p->nin; i++)
		if (p->in[i].url == NULL)
			return false;
	return true;
}

/* The servers picked by type; the arrays do not move any more. */
static void
prov_pick(struct provider *p)
{
	size_t	i, j;
	int	t;

	for (i = 0; i < p->nin; i++)
		if (p->first[p->in[i].type] == NULL)
			p->first[p->in[i].type] = &p->in[i];
	if (p->nout > 0)
		p->first[SRV_SMTP] = &p->out[0];
	for (t = SRV_IMAP; t <= SRV_SMTP; t++) {
		if (p->first[t] == NULL)
			continue;
		for (j = p->nad; j > 0 && p->ad[j - 1]->line > p->first[t]->line;
		    j--)
			p->ad[j] = p->ad[j - 1];
		p->ad[j] = p->first[t];
		p->nad++;
	}
}

/* Defaults and whole-section rules, once every key is read. */
static void
prov_finish(struct loader *l, struct pbuild *b)
{
	struct provider	*p = b->p;
	size_t		 i, oa;
	struct server	*all[2] = { p->in, p->out };
	size_t		 nall[2] = { p->nin, p->nout };

	if (p->name == NULL)
		p->name = p->id;
	if (p->short_name == NULL)
		p->short_name = p->name;
	if (p->auth.n == 0) {
		p->auth.n = 1;
		p->auth.a[0] = AUTH_CLEARTEXT;
	}
	if (p->username == NULL)
		p->username = "%EMAILADDRESS%";
	for (int k = 0; k < 2; k++)
		for (i = 0; i < nall[k]; i++) {
			if (all[k][i].auth.n == 0)
				all[k][i].auth = p->auth;
			if (all[k][i].username == NULL)
				all[k][i].username = p->username;
		}
	if (p->ndomains == 0 && (!add_domains(l, b, p->line, p->id) ||
	    p->ndomains == 0))
		return;
	if (p->mc_identifier == NULL)
		p->mc_identifier = reverse_dns(l, p->domains[0]);
	prov_pick(p);
	oa = (p->oauth2_issuer != NULL) + (p->oauth2_scope != NULL) +
	    (p->oauth2_auth_url != NULL) + (p->oauth2_token_url != NULL);
	if (oa != 0 && oa != 4)
		ERR(l, b->oauth2_line, "oauth2 needs all four of issuer, "
		    "scope, auth_url and token_url");
	if (p->nin == 0)
		WARN(l, p->line, "provider '%s' has no incoming server: "
		    "Thunderbird drops the whole config", p->id);
	if (p->nout == 0 && p->nin > 0 && url_only(p))
		WARN(l, p->line, "provider '%s' has only URL servers (ews, "
		    "owa, graph) and no smtp server: Thunderbird drops the "
		    "whole config, EWS included", p->id);
	else if (p->nout == 0)
		WARN(l, p->line, "provider '%s' has no smtp server: "
		    "Thunderbird drops the whole config", p->id);
	if (server_plain(p->in, p->nin) || server_plain(p->out, p->nout))
		WARN(l, p->line, "provider '%s' has a 'plain' server: "
		    "Thunderbird for Android drops the whole config", p->id);
}

static void
global_key(struct loader *l, const struct entry *e)
{
	struct config	*cf = l->cf;
	char		 sb[64], d[DOMAIN_MAX + 1];
	size_t		 dl;
	const char	*why;
	long		 v;

	if (strcmp(e->key, "cache_max_age") == 0) {
		if (num_val(l, e->line, e->key, e->val, 0, CACHE_AGE_MAX, &v))
			cf->cache_max_age = (unsigned long)v;
	} else if (strcmp(e->key, "autodiscover.ttl") == 0) {
		if (num_val(l, e->line, e->key, e->val, 1, AD_TTL_MAX, &v))
			cf->ad_ttl = v;
	} else if (strcmp(e->key, "catch_all") == 0) {
		/* resolved once every section is known */
	} else if (strcmp(e->key, "mobileconfig.sign_cert") == 0 ||
	    strcmp(e->key, "mobileconfig.sign_key") == 0) {
		/* read by load_signer once both are known */
		text_val(l, e->line, e->key, e->val);
	} else if (strcmp(e->key, "web_host") == 0) {
		if (mac_domain(d, &dl, e->val, strlen(e->val), &why) != 0)
			ERR(l, e->line, "web_host: %s", why);
		else
			cf->web_host = adup(l, d);
	} else
		ERR(l, e->line, "unknown global key '%s'",
		    safe(sb, sizeof(sb), e->key));
}

/* Global keys may stand once each. */
static void
globals(struct loader *l)
{
	static const char *const keys[] = {
		"cache_max_age", "catch_all", "web_host", "autodiscover.ttl",
		"mobileconfig.sign_cert", "mobileconfig.sign_key",
	};
	int	seen[sizeof(keys) / sizeof(keys[0])] = { 0 };
	size_t	i, k;

	for (i = 0; i < l->nents; i++) {
		struct entry *e = &l->ents[i];

		if (e->sec != -1 || e->line <= 0)
			continue;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(e->key, keys[k]) == 0) {
				if (seen[k] != 0) {
					ERR(l, e->line, "'%s' given twice "
					    "(first on line %d)", keys[k],
					    seen[k]);
					e->line = -e->line;
				} else
					seen[k] = e->line;
			}
		if (e->line > 0)
			global_key(l, e);
	}
}

/*
 * The first section of this name: i itself, or an earlier one.  seen is
 * an open-addressing set of section index + 1, mask + 1 slots: a quadratic
 * compare of every name with every earlier one took 85% of loading 20 000
 * providers (make bench).
 */
static size_t
seen_section(const struct loader *l, size_t *seen, size_t mask, size_t i)
{
	const char	*name = l->secs[i].name;
	size_t		 h = prov_hash(name, strlen(name)) & mask;

	for (; seen[h] != 0; h = (h + 1) & mask)
		if (strcmp(l->secs[seen[h] - 1].name, name) == 0)
			return seen[h] - 1;
	seen[h] = i + 1;
	return i;
}

static void
sections(struct loader *l)
{
	struct config	*cf = l->cf;
	size_t		 i, j, k, mask = 15, *seen;

	while (mask + 1 < 2 * l->nsecs)
		mask = mask * 2 + 1;
	cf->prov = arena_alloc(&cf->arena, (l->nsecs + 1) * sizeof(*cf->prov));
	seen = mac_alloc((mask + 1) * sizeof(*seen));
	if (cf->prov == NULL || seen == NULL) {
		mac_free(seen);
		l->oom = true;
		return;
	}
	memset(seen, 0, (mask + 1) * sizeof(*seen));
	cf->nprov = l->nsecs;
	for (i = 0, j = 0; i < l->nsecs && !l->oom; i++) {
		struct pbuild	 b;
		struct provider	*p = &cf->prov[i];

		memset(&b, 0, sizeof(b));
		b.p = p;
		p->line = l->secs[i].line;
		if ((k = seen_section(l, seen, mask, i)) != i)
			ERR(l, p->line, "section [%s] repeated (first on line "
			    "%d)", cf->prov[k].id, l->secs[k].line);
		if ((p->id = adup(l, l->secs[i].name)) == NULL)
			break;
		while (j < l->nents && l->ents[j].sec < (int)i)
			j++;
		for (; j < l->nents && l->ents[j].sec == (int)i; j++)
			if (l->ents[j].line > 0)
				prov_key(l, &b, &l->ents[j]);
		if (!l->oom)
			prov_finish(l, &b);
	}
	mac_free(seen);
}

/* ---- the domain table ----------------------------------------------- */

/* FNV-1a over the lower-case name. */
uint32_t
prov_hash(const char *s, size_t n)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void
build_table(struct loader *l)
{
	struct config	*cf = l->cf;
	size_t		 n = 0, size = 16, i, j;

	for (i = 0; i < cf->nprov; i++)
		n += cf->prov[i].ndomains;
	while (size < n * 2)
		size *= 2;
	if ((cf->table = arena_alloc(&cf->arena, size * sizeof(*cf->table))) ==
	    NULL) {
		l->oom = true;
		return;
	}
	cf->tmask = size - 1;
	cf->ndomains = n;
	for (i = 0; i < cf->nprov; i++)
		for (j = 0; j < cf->prov[i].ndomains; j++) {
			const char	*d = cf->prov[i].domains[j];
			size_t		 dl = strlen(d), h;
			uint32_t	 hv = prov_hash(d, dl);
			struct dslot	*s;

			for (h = hv & cf->tmask; (s = &cf->table[h])->name !=
			    NULL; h = (h + 1) & cf->tmask)
				if (s->hash == hv && s->len == dl &&
				    memcmp(s->name, d, dl) == 0)
					break;
			if (s->name != NULL) {
				ERR(l, cf->prov[i].line, "domain %s is served "
				    "by [%s] (line %d) already", d,
				    s->prov->id, s->prov->line);
				continue;
			}
			s->name = d;
			s->len = dl;
			s->hash = hv;
			s->prov = &cf->prov[i];
		}
}

const struct provider *
prov_lookup(const struct config *cf, const char *d, size_t n)
{
	uint32_t		 hv = prov_hash(d, n);
	size_t			 h;
	const struct dslot	*s;

	for (h = hv & cf->tmask; (s = &cf->table[h])->name != NULL;
	    h = (h + 1) & cf->tmask)
		if (s->hash == hv && s->len == n && memcmp(s->name, d, n) == 0)
			return s->prov;
	return cf->catch_all;
}

static void
resolve_catch_all(struct loader *l)
{
	size_t	i, k;

	for (i = 0; i < l->nents; i++) {
		const struct entry *e = &l->ents[i];

		if (e->sec != -1 || e->line <= 0 ||
		    strcmp(e->key, "catch_all") != 0)
			continue;
		for (k = 0; k < l->cf->nprov; k++)
			if (strcmp(l->cf->prov[k].id, e->val) == 0)
				l->cf->catch_all = &l->cf->prov[k];
		if (l->cf->catch_all == NULL)
			ERR(l, e->line, "catch_all names no section");
	}
}

/* A relative path names a file beside the config (as nginx's do). */
static bool
beside_config(char *dst, size_t cap, const char *file, const char *path)
{
	const char	*slash = strrchr(file, '/');
	int		 n;

	if (path[0] == '/' || slash == NULL)
		n = snprintf(dst, cap, "%s", path);
	else
		n = snprintf(dst, cap, "%.*s/%s", (int)(slash - file), file,
		    path);
	return n >= 0 && (size_t)n < cap;
}

/*
 * mobileconfig.sign_cert and mobileconfig.sign_key: both or neither.  The
 * key is read now, once, so that a request never touches a file.
 */
static void
load_signer(struct loader *l)
{
	const struct entry	*cert = NULL, *key = NULL;
	char			 cp[4096], kp[4096], err[256];
	size_t			 i;

	for (i = 0; i < l->nents; i++) {
		const struct entry *e = &l->ents[i];

		if (e->sec != -1 || e->line <= 0)
			continue;
		if (strcmp(e->key, "mobileconfig.sign_cert") == 0)
			cert = e;
		else if (strcmp(e->key, "mobileconfig.sign_key") == 0)
			key = e;
	}
	if (cert == NULL && key == NULL)
		return;
	if (cert == NULL || key == NULL) {
		ERR(l, (cert != NULL ? cert : key)->line, "mobileconfig.sign_cert "
		    "and mobileconfig.sign_key go together");
		return;
	}
	if (!beside_config(cp, sizeof(cp), l->file, cert->val) ||
	    !beside_config(kp, sizeof(kp), l->file, key->val)) {
		ERR(l, cert->line, "signing file path too long");
		return;
	}
	if ((l->cf->mc_signer = mc_sign_load(cp, kp, err, sizeof(err))) ==
	    NULL)
		ERR(l, cert->line, "mobileconfig.sign_cert/sign_key: %s", err);
}

/* ---- entry points --------------------------------------------------- */

struct config *
prov_load_mem(const char *buf, size_t len, const char *file, struct diag *d)
{
	struct loader	 l;
	struct config	*cf;
	struct arena	*a = NULL;
	size_t		 i;
	bool		 raw_ok;

	memset(&l, 0, sizeof(l));
	l.file = file;
	l.buf = buf;
	l.len = len;
	l.d = d;
	l.at_start = true;
	l.cursec = -1;
	if ((cf = arena_alloc(&a, sizeof(*cf))) == NULL)
		goto oom;
	cf->arena = a;
	cf->cache_max_age = 3600;
	cf->ad_ttl = -1;
	l.cf = cf;
	if ((cf->file = adup(&l, file)) == NULL)
		goto oom;
	raw_check(&l);
	raw_ok = d->errors == 0;
	if (raw_ok) {
		if (ini_parse_stream(reader, &l, handler, &l) == -2)
			l.oom = true;
		/* the text stops moving: offsets become pointers */
		for (i = 0; i < l.nents; i++) {
			l.ents[i].key = l.text + l.ents[i].koff;
			l.ents[i].val = l.text + l.ents[i].voff;
		}
	}
	/* past the raw check, go on so that --check lists every error */
	if (raw_ok && !l.oom)
		globals(&l);
	if (raw_ok && !l.oom)
		sections(&l);
	if (raw_ok && !l.oom)
		resolve_catch_all(&l);
	if (d->errors == 0 && !l.oom)
		load_signer(&l);
	if (d->errors == 0 && !l.oom)
		build_table(&l);
	mac_free(l.text);
	mac_free(l.ents);
	if (l.oom)
		goto oom;
	if (d->errors != 0) {
		prov_free(cf);
		return NULL;
	}
	return cf;
oom:
	d->errors++;
	if (d->fp != NULL)
		fprintf(d->fp, "mailautoconf: %s: out of memory\n", file);
	if (cf != NULL)
		prov_free(cf);
	else
		arena_free(a);
	return NULL;
}

struct config *
prov_load_file(const char *file, struct diag *d)
{
	struct config	*cf;
	struct stat	 st;
	char		*buf;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (d->fp != NULL)
			fprintf(d->fp, "mailautoconf: %s: %s\n", file,
			    strerror(errno));
		d->errors++;
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > INI_FILE_MAX) {
		if (d->fp != NULL)
			fprintf(d->fp, "mailautoconf: %s: not a regular file "
			    "of at most %d bytes\n", file, INI_FILE_MAX);
		d->errors++;
		close(fd);
		return NULL;
	}
	if ((buf = mac_alloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		d->errors++;
		if (d->fp != NULL)
			fprintf(d->fp, "mailautoconf: %s: out of memory\n",
			    file);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	cf = prov_load_mem(buf, got, file, d);
	mac_free(buf);
	return cf;
}

void
prov_free(struct config *cf)
{
	if (cf != NULL) {
		mc_sign_free(cf->mc_signer);
		arena_free(cf->arena);
	}
}
