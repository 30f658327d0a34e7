/*
 * providers.c: the meaning of providers.ini (providers.ini(5)):
 * the config-key table, the value checks, the providers built from the
 * entries ini.c hands over, and the domain table and its lookup.
 *
 * ini.c checks the raw file and parses it (with file:line for every
 * entry); here each entry goes through its row of cfg_keys[] into its
 * target, every error is reported with file:line, and once every section
 * is known the catch-all, the signer and the domain table follow.  Any
 * error frees everything and returns NULL: a config is never half-loaded.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

const char *const auth_names[AUTH__N] = {
	"password-cleartext", "password-encrypted", "OAuth2", "NTLM",
	"GSSAPI", "client-IP-address", "TLS-client-cert", "none",
	"smtp-after-pop",
};
const char *const srv_names[] = {
	"imap", "pop3", "smtp", "ews", "owa", "graph", "activesync", "jmap",
};
const char *const sock_names[] = {
	"SSL", "STARTTLS", "plain",
};

/* a slot of the domain table: open addressing, power of two */
struct dslot {
	const char		*name;	/* NULL: empty slot */
	size_t			 len;
	uint32_t		 hash;
	const struct provider	*prov;
};

static uint32_t	prov_hash(const char *, size_t);

/* ---- the loader's state ----------------------------------------------- */

/* A global key read once every section is known (catch_all, signing). */
struct later {
	const char	*val;
	int		 line;
};

/* The provider being built. */
struct pbuild {
	struct provider	*p;
	size_t		 domcap, incap, outcap, doccap, instrcap;
	size_t		 descrcap;
	int		 oauth2_line;
	bool		 domfile;	/* it has a domains_file */
};

/* Where a domain was claimed: its domains line, or its domain file's. */
struct dorig {
	const char	*file;
	int		 line;
};

/* An open include: its name and identity, to see a cycle. */
struct incl {
	const char	*path;
	uint64_t	 dev, ino;
};

struct loader {
	const char	*file;		/* being read: the INI or an include */
	struct diag	*d;
	struct config	*cf;
	const struct ini_sink *sink;
	bool		 oom;
	size_t		 nsecs;		/* sections seen so far */
	size_t		 ahead;		/* announced, not seen yet */
	size_t		 provcap;
	size_t		*seen;		/* the section-name set, see seen_section */
	size_t		 mask;
	struct pbuild	 b;		/* b.p == NULL: in the global part */
	int		 once[CFG_KEYS_MAX];	/* line of a single key, 0: unseen */
	struct later	 catch_all, sign_cert, sign_key;
	struct dorig	*orig;		/* of every domain, in table order */
	size_t		 norig, origcap;
	struct incl	 chain[INCLUDE_DEPTH_MAX + 1];	/* [0]: the INI */
	int		 depth;		/* includes open */
	size_t		 srccap, patcap;
};

/* One entry as the key parsers see it. */
struct kv {
	const char	*key;		/* as written */
	const char	*val;
	const char	*lang;		/* after the key's name, or NULL */
	int		 line;
};

static void __attribute__((format(printf, 3, 4)))
lerr(struct loader *l, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vmsg(l->d, l->file, false, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
lwarn(struct loader *l, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vmsg(l->d, l->file, true, line, fmt, ap);
	va_end(ap);
}

#define ERR	lerr
#define WARN	lwarn
#define safe	diag_safe

/* ---- values ----------------------------------------------------------- */

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

/*
 * An http(s) URL of printable ASCII with a host: NULL, or what is wrong.
 * import.c asks the same before it writes one.
 */
const char *
cfg_url_why(const char *v)
{
	const char	*p;

	if (strncmp(v, "https://", 8) == 0)
		p = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		p = v + 7;
	else
		return "is not an http:// or https:// URL";
	if (*p == '\0' || *p == '/')
		return "URL has no host";
	for (p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '<' ||
		    *p == '>' || *p == '\\' || *p == '`')
			return "URL has a character that must be "
			    "percent-encoded";
	return NULL;
}

static bool
url_val(struct loader *l, int line, const char *key, const char *v)
{
	const char	*why = cfg_url_why(v);
	char		 sb[64];

	if (why == NULL)
		return true;
	ERR(l, line, "'%s' %s", safe(sb, sizeof(sb), key), why);
	return false;
}

/*
 * A template may only use the placeholders the place allows (where: a
 * PH_ bit); their list comes from the placeholder table (xmlout.c).
 */
static bool
tmpl_val(struct loader *l, int line, const char *what, const char *v,
    unsigned where)
{
	const struct placeholder	*ph;
	const char			*p;
	char				 known[128];
	size_t				 i, kl = 0;

	if (!text_val(l, line, what, v))
		return false;
	for (p = v; (p = strchr(p, '%')) != NULL; p += ph->len)
		if ((ph = ph_at(p)) == NULL || !(ph->where & where))
			break;
	if (p == NULL)
		return true;
	for (i = 0; i < nplaceholders; i++)
		if (placeholders[i].where & where)
			kl += (size_t)snprintf(known + kl, sizeof(known) - kl,
			    "%s%s", kl > 0 ? ", " : "", placeholders[i].name);
	ERR(l, line, "unknown placeholder in %s (known: %s)", what, known);
	return false;
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
 * A server host: a domain name, possibly with the placeholders a host may
 * hold (%EMAILDOMAIN%: request bytes of the local part never become part
 * of a server name); an IPv4 address; or an IPv6 literal in brackets.
 * NULL, or what is wrong.
 */
static const char *
host_why(const char *h, size_t n)
{
	char				 tmp[DOMAIN_MAX + 1], dom[DOMAIN_MAX + 1];
	size_t				 i, t = 0, dl;
	const char			*why;
	const struct placeholder	*ph;

	if (n == 0)
		return "";
	if (h[0] == '[') {
		if (n < 4 || h[n - 1] != ']')
			return "";
		for (i = 1; i < n - 1; i++)
			if (strchr("0123456789abcdefABCDEF:.", h[i]) == NULL)
				return "";
		return memchr(h, ':', n) != NULL ? NULL : "";
	}
	/* placeholders stand for a valid label sequence: check with "x" */
	for (i = 0; i < n && t < DOMAIN_MAX; ) {
		if (h[i] != '%') {
			tmp[t++] = h[i++];
			continue;
		}
		if ((ph = ph_at(h + i)) == NULL || i + ph->len > n ||
		    !(ph->where & PH_HOST))
			return "a host name may hold no placeholder but "
			    "%EMAILDOMAIN%";
		tmp[t++] = 'x';
		i += ph->len;
	}
	if (i < n)
		return "";
	if (mac_domain(dom, &dl, tmp, t, &why) == 0)
		return NULL;
	/* a dotted IPv4 address */
	for (i = 0; i < n; i++)
		if (strchr("0123456789.", h[i]) == NULL)
			return "";
	return n >= 7 ? NULL : "";
}

/* The same rule for the compiled image's reader (image.c). */
bool
prov_host_ok(const char *h, size_t n)
{
	return host_why(h, n) == NULL;
}
static bool	srv_option(struct loader *, int, struct server *, const char *,
		    size_t, const char *);

/* ---- server lines ----------------------------------------------------- */

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
	const char	*why;

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
	if (hl == 0 || hl > DOMAIN_MAX)
		goto bad;
	if ((why = host_why(w, hl)) != NULL) {
		if (*why != '\0') {
			ERR(l, line, "bad server host name: %s", why);
			return false;
		}
		goto bad;
	}
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
	/* ActiveSync sends the password, JMAP a token: never in the clear */
	if (!tls && s->type >= SRV_ACTIVESYNC) {
		ERR(l, line, "'%s' must be an https:// URL",
		    srv_names[s->type]);
		return false;
	}
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


/* ---- sections --------------------------------------------------------- */

/* One domain (its normal form) for the provider, claimed at file:line. */
static bool
push_domain(struct loader *l, struct pbuild *b, const char *d,
    const char *file, int line)
{
	struct provider	*p = b->p;
	const char	**nd;

	if (l->norig == l->origcap) {
		size_t		 nc = l->origcap == 0 ? 64 : l->origcap * 2;
		struct dorig	*no = mac_realloc(l->orig, nc * sizeof(*no));

		if (no == NULL) {
			l->oom = true;
			return false;
		}
		l->orig = no;
		l->origcap = nc;
	}
	nd = arena_push(&l->cf->arena, p->domains, &p->ndomains,
	    &b->domcap, sizeof(*p->domains));
	if (nd == NULL || (nd[p->ndomains - 1] = adup(l, d)) == NULL) {
		l->oom = true;
		return false;
	}
	p->domains = nd;
	l->orig[l->norig].file = file;
	l->orig[l->norig++].line = line;
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
		const char	*why;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if ((n = strcspn(s, " ,\t")) == 0)
			break;
		/* a UTF-8 name is stored as its A-label (DESIGN.md §2) */
		if (mac_domain_idn(d, &dl, s, n, &why) != 0) {
			ERR(l, line, "bad domain: %s", why);
			return false;
		}
		if (!push_domain(l, b, d, l->file, line))
			return false;
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

/*
 * A language tag as providers.ini takes it after "documentation.descr."
 * or "enable.instruction.": letters, digits and '-', 1 to 35 bytes.
 */
bool
cfg_lang_ok(const char *lang)
{
	size_t	i;

	for (i = 0; lang[i] != '\0'; i++)
		if (!((lang[i] >= 'a' && lang[i] <= 'z') ||
		    (lang[i] >= 'A' && lang[i] <= 'Z') ||
		    (lang[i] >= '0' && lang[i] <= '9') || lang[i] == '-'))
			return false;
	return i > 0 && i <= 35;
}

/* "documentation.descr", "documentation.descr.de", ... */
static bool
add_text(struct loader *l, const struct kv *e, struct text **arr, size_t *n,
    size_t *cap)
{
	struct text	*na;
	char		 sb[64];

	if (e->lang != NULL && !cfg_lang_ok(e->lang)) {
		ERR(l, e->line, "bad language tag in '%s'",
		    safe(sb, sizeof(sb), e->lang));
		return false;
	}
	if (!text_val(l, e->line, e->key, e->val))
		return false;
	if ((na = arena_push(&l->cf->arena, *arr, n, cap, sizeof(*na))) == NULL)
		return false;
	*arr = na;
	na[*n - 1].lang = e->lang == NULL ? NULL : adup(l, e->lang);
	na[*n - 1].text = adup(l, e->val);
	return !l->oom;
}

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

/*
 * The id an autoconfig answer gives: Thunderbird refuses the whole answer
 * when <emailProvider id> holds anything but letters, digits, '.', '-' or
 * '%' (its sanitizer reads the id as a host name), so a section name that
 * is UTF-8 or has other bytes is answered as the provider's first domain,
 * which the loader holds in its ASCII (A-label) form.
 */
static bool
id_is_host(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		    *s == '%'))
			return false;
	return true;
}

const char *
prov_answer_id(const struct provider *p)
{
	return id_is_host(p->id) ? p->id : p->domains[0];
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
void
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

/*
 * Android keeps only the host and port of the ActiveSync URL and asks
 * /Microsoft-Server-ActiveSync there (AOSP Exchange,
 * EasServerConnection.makeBaseUriString): another path is lost on it.
 */
static void
eas_warn(struct loader *l, const struct provider *p)
{
	static const char	 path[] = "/Microsoft-Server-ActiveSync";
	const struct server	*s = p->first[SRV_ACTIVESYNC];
	const char		*u;

	/* no URL: its line failed, and the load with it */
	if (s == NULL || s->url == NULL)
		return;
	u = s->url + 8;
	u += strcspn(u, "/?#");
	if (mac_casecmp_n(u, strcspn(u, "?#"), path) != 0)
		WARN(l, s->line, "provider '%s': the activesync URL's path is "
		    "not %s, which Android asks on the URL's host whatever "
		    "the path", p->id, path);
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
	if (p->ndomains == 0 && b->domfile) {
		ERR(l, p->line, "[%s] serves no domain: its domain files are "
		    "empty", p->id);
		return;
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
	if (p->oauth2_client_id != NULL && oa == 0)
		ERR(l, p->line, "provider '%s': oauth2.client_id needs the "
		    "oauth2 block it is part of (issuer, scope, auth_url, "
		    "token_url)", p->id);
	eas_warn(l, p);
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
	if (!id_is_host(p->id))
		WARN(l, p->line, "provider id '%s' is not a host name, which "
		    "Thunderbird refuses: autoconfig answers give '%s' as the id",
		    p->id, p->domains[0]);
	if (server_plain(p->in, p->nin) || server_plain(p->out, p->nout))
		WARN(l, p->line, "provider '%s' has a 'plain' server: "
		    "Thunderbird for Android drops the whole config", p->id);
}

/* ---- files: domain files, includes, and what was read ----------------- */

static bool
same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* One read of the whole file; 1: it changed meanwhile, read again. */
static int
read_once(int fd, struct stat *st, char **bufp, size_t *lenp,
    const char **why)
{
	struct stat	 st2;
	char		*buf;
	size_t		 got;

	if (fstat(fd, st) != 0) {
		*why = strerror(errno);
		return -1;
	}
	*why = S_ISDIR(st->st_mode) ? "is a directory" : "not a regular file";
	if (!S_ISREG(st->st_mode))
		return -1;
	*why = "too large for a config file";
	if (st->st_size > INI_FILE_MAX)
		return -1;
	*why = "out of memory";
	if ((buf = mac_alloc((size_t)st->st_size + 2)) == NULL)
		return -1;
	/* one byte more than the size: a file that grew is seen */
	got = mac_read_all(fd, buf, (size_t)st->st_size + 1);
	if (got != (size_t)st->st_size || fstat(fd, &st2) != 0 ||
	    !same_stat(st, &st2)) {
		mac_free(buf);
		return 1;
	}
	buf[got] = '\0';
	*bufp = buf;
	*lenp = got;
	return 0;
}

/*
 * The whole file, as it was at one moment: a file written in place while
 * it is read (its size or mtime changes) is read again after a pause, and
 * refused if it keeps changing.  O_NONBLOCK: a FIFO does not hang us.
 */
int
prov_fs_read(const char *path, char **bufp, size_t *lenp, struct stat *st,
    const char **why)
{
	struct timespec	 ts = { 0, FILE_RETRY_MS * 1000000L };
	int		 fd, tries, rc = 1;

	for (tries = 0; rc == 1 && tries <= FILE_RETRIES; tries++) {
		if (tries > 0)
			nanosleep(&ts, NULL);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
			*why = strerror(errno);
			return -1;
		}
		rc = read_once(fd, st, bufp, lenp, why);
		close(fd);
	}
	if (rc == 1)
		*why = "it kept changing while it was read (write it "
		    "elsewhere, then rename it into place)";
	return rc == 0 ? 0 : -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A directory of the pattern that cannot be read stops the glob (a
 * reload must not take "unreadable" for "empty"); one that does not
 * exist matches nothing.
 */
static int
glob_err(const char *path, int err)
{
	(void)path;
	return err != ENOENT && err != ENOTDIR;
}

/* The names pattern matches, sorted bytewise (no locale decides). */
int
prov_fs_glob(const char *pattern, char ***names, size_t *n, const char **why)
{
	glob_t	 g;
	size_t	 i;
	int	 rc;

	*names = NULL;
	*n = 0;
	memset(&g, 0, sizeof(g));
	rc = glob(pattern, GLOB_NOSORT, glob_err, &g);
	if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
		globfree(&g);
		return 0;
	}
	*why = rc == GLOB_NOSPACE ? "out of memory" : "a directory cannot be "
	    "read";
	if (rc != 0 ||
	    (*names = mac_alloc(g.gl_pathc * sizeof(**names))) == NULL) {
		globfree(&g);
		return -1;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		size_t	 len = strlen(g.gl_pathv[i]) + 1;

		if (((*names)[i] = mac_alloc(len)) == NULL)
			break;
		memcpy((*names)[i], g.gl_pathv[i], len);
	}
	*n = i;
	globfree(&g);
	if (i < g.gl_pathc) {
		prov_names_free(*names, *n);
		*why = "out of memory";
		return -1;
	}
	qsort(*names, *n, sizeof(**names), name_cmp);
	return 0;
}

void
prov_names_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		mac_free(names[i]);
	mac_free(names);
}

static const struct prov_fs fs_real = { prov_fs_read, prov_fs_glob };
const struct prov_fs *prov_fs = &fs_real;

/*
 * A file changed in the current tick of the clock file times come from
 * (the coarse one) may change again within that tick, its size and times
 * unchanged: the image then hashes it at every start instead of trusting
 * its stat (git's "racy clean").  A change in any later tick gets a later
 * ctime, and ctime cannot be set back.
 */
static bool
racy(const struct stat *st)
{
	struct timespec	now;

	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) != 0)
		return true;
	return st->st_ctim.tv_sec > now.tv_sec ||
	    (st->st_ctim.tv_sec == now.tv_sec &&
	    st->st_ctim.tv_nsec >= now.tv_nsec);
}

/* What was read, for the image and the reload log; path is kept. */
static struct cfg_src *
src_add(struct loader *l, const char *path, unsigned kind,
    const struct stat *st, const char *buf, size_t len)
{
	struct config	*cf = l->cf;
	struct cfg_src	*s;

	if ((s = arena_push(&cf->arena, cf->src, &cf->nsrc, &l->srccap,
	    sizeof(*s))) == NULL) {
		l->oom = true;
		return NULL;
	}
	cf->src = s;
	s += cf->nsrc - 1;
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->kind = kind;
	s->size = (uint64_t)len;
	s->mtime = (int64_t)st->st_mtim.tv_sec;
	s->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	s->ctime = (int64_t)st->st_ctim.tv_sec;
	s->ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
	s->ino = (uint64_t)st->st_ino;
	s->dev = (uint64_t)st->st_dev;
	s->racy = racy(st);
	mac_sha1(buf, len, s->hash);
	return s;
}

/* A line of a domain file: NULL, or what is wrong with it. */
static const char *
domline(struct loader *l, const char *file, int line, const char *p,
    size_t n)
{
	char		 d[DOMAIN_MAX + 1];
	const char	*e, *why;
	size_t		 dl, i;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (memchr(p, '\0', n) != NULL)
		return "NUL byte in line";
	if (n >= DOMFILE_LINE_MAX)
		return "line too long for a domain";
	if (!mac_utf8_ok((const unsigned char *)p, n))
		return "line is not valid UTF-8";
	if ((e = memchr(p, '#', n)) != NULL)
		n = (size_t)(e - p);
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if (n == 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (p[i] == ' ' || p[i] == '\t' || p[i] == ',')
			return "one domain per line";
	if (mac_domain_idn(d, &dl, p, n, &why) != 0) {
		diag_msg(l->d, file, false, line, "bad domain: %s", why);
		return "";
	}
	return push_domain(l, &l->b, d, file, line) ? NULL : "";
}

/* A domain file's text: one domain a line, '#' comments, LF or CRLF. */
static size_t
domfile_parse(struct loader *l, const char *file, const char *buf,
    size_t len)
{
	const char	*p = buf, *end = buf + len, *nl, *why;
	size_t		 had = l->b.p->ndomains;
	int		 line = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && !l->oom) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		why = domline(l, file, line, p, (size_t)((nl != NULL ? nl :
		    end) - p));
		if (why != NULL && *why != '\0')
			diag_msg(l->d, file, false, line, "%s", why);
		p = nl != NULL ? nl + 1 : end;
	}
	return l->b.p->ndomains - had;
}

/* The file a key names, beside the file being read; NULL: an error. */
static const char *
beside(struct loader *l, int line, const char *key, const char *val)
{
	char	path[4096], sb[64];

	if (!prov_beside(path, sizeof(path), l->file, val)) {
		ERR(l, line, "'%s': path too long", safe(sb, sizeof(sb), key));
		return NULL;
	}
	return adup(l, path);
}

static bool
kp_domfile(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	struct cfg_src	*s;
	struct stat	 st;
	const char	*why, *path;
	char		*buf, pb[1024];
	size_t		 len, n;

	(void)k;
	(void)dst;
	l->b.domfile = true;
	if ((path = beside(l, e->line, e->key, e->val)) == NULL)
		return false;
	if (prov_fs->read(path, &buf, &len, &st, &why) != 0) {
		ERR(l, e->line, "domains_file %s: %s",
		    safe(pb, sizeof(pb), path), why);
		return false;
	}
	if ((n = domfile_parse(l, path, buf, len)) == 0 && l->d->errors == 0)
		WARN(l, e->line, "domains_file %s holds no domain",
		    safe(pb, sizeof(pb), path));
	if ((s = src_add(l, path, SRC_DOMAINS, &st, buf, len)) != NULL)
		s->ndomains = n;
	mac_free(buf);
	return !l->oom;
}

static void	end_section(struct loader *);

/* "a -> b -> a": the includes open from the one path repeats. */
static void
cycle(struct loader *l, int from, const char *path, int line)
{
	char	 chain[1024], pb[1024];
	size_t	 n = 0;
	int	 i;

	chain[0] = '\0';
	for (i = from; i <= l->depth && n < sizeof(chain); i++)
		n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s -> ",
		    safe(pb, sizeof(pb), l->chain[i].path));
	if (n < sizeof(chain))
		snprintf(chain + n, sizeof(chain) - n, "%s",
		    safe(pb, sizeof(pb), path));
	ERR(l, line, "include cycle: %s", chain);
}

/* One included file: its sections join the config, its errors name it. */
static void
read_include(struct loader *l, const char *path, int line)
{
	struct stat	 st;
	const char	*why, *saved = l->file;
	char		*buf, pb[1024];
	size_t		 len;
	int		 i, once[CFG_KEYS_MAX];

	if (prov_fs->read(path, &buf, &len, &st, &why) != 0) {
		ERR(l, line, "include %s: %s", safe(pb, sizeof(pb), path), why);
		return;
	}
	for (i = 0; i <= l->depth; i++)
		if (strcmp(l->chain[i].path, path) == 0 ||
		    (l->chain[i].ino != 0 && l->chain[i].ino == st.st_ino &&
		    l->chain[i].dev == (uint64_t)st.st_dev))
			break;
	if (i <= l->depth)
		cycle(l, i, path, line);
	else if (l->depth == INCLUDE_DEPTH_MAX)
		ERR(l, line, "include %s: nested more than %d deep",
		    safe(pb, sizeof(pb), path), INCLUDE_DEPTH_MAX);
	else if (src_add(l, path, SRC_INCLUDE, &st, buf, len) != NULL) {
		l->chain[++l->depth].path = path;
		l->chain[l->depth].ino = (uint64_t)st.st_ino;
		l->chain[l->depth].dev = (uint64_t)st.st_dev;
		memcpy(once, l->once, sizeof(once));
		l->file = path;
		if (ini_read(buf, len, path, l->d, l->sink) == -2)
			l->oom = true;
		end_section(l);
		l->file = saved;
		memcpy(l->once, once, sizeof(once));
		l->depth--;
	}
	mac_free(buf);
}

/* A pattern and its matches, for the image (stale when they change). */
static void
pat_add(struct loader *l, const char *pat, const char *const *names,
    size_t n)
{
	struct config	*cf = l->cf;
	struct cfg_pat	*p;
	size_t		 i;

	if ((p = arena_push(&cf->arena, cf->pat, &cf->npat, &l->patcap,
	    sizeof(*p))) == NULL ||
	    (p[cf->npat - 1].match = arena_alloc(&cf->arena,
	    (n + 1) * sizeof(char *))) == NULL) {
		l->oom = true;
		return;
	}
	cf->pat = p;
	p += cf->npat - 1;
	p->pattern = pat;
	p->nmatch = n;
	for (i = 0; i < n; i++)
		if ((p->match[i] = adup(l, names[i])) == NULL)
			return;
}

/*
 * include = PATTERN: a file, or a glob whose matches are read in sorted
 * order.  A plain name must exist; a glob may match nothing (--check
 * warns).
 */
static bool
kp_include(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	char		**names, pb[1024];
	const char	*why, *pat;
	size_t		 n, i, pi;

	(void)k;
	(void)dst;
	if ((pat = beside(l, e->line, e->key, e->val)) == NULL)
		return false;
	if (strpbrk(pat, "*?[") == NULL) {
		pat_add(l, pat, &pat, 1);
		read_include(l, pat, e->line);
		return !l->oom;
	}
	if (prov_fs->glob(pat, &names, &n, &why) != 0) {
		ERR(l, e->line, "include %s: %s", safe(pb, sizeof(pb), pat),
		    why);
		return false;
	}
	pat_add(l, pat, (const char *const *)names, n);
	if (n == 0)
		WARN(l, e->line, "include %s matches no file",
		    safe(pb, sizeof(pb), pat));
	/* its own entry: a nested include adds more (and moves cf->pat) */
	pi = l->cf->npat - 1;
	for (i = 0; i < n && !l->oom; i++)
		read_include(l, l->cf->pat[pi].match[i], e->line);
	prov_names_free(names, n);
	return !l->oom;
}

/* ---- the key parsers: one entry into its target ----------------------- */

static bool
kp_text(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	if (!text_val(l, e->line, e->key, e->val))
		return false;
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

static bool
kp_url(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	if (!url_val(l, e->line, e->key, e->val))
		return false;
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/*
 * caldav, carddav: a URL that dav.c can fill and take apart for every
 * answer that states its parts (no user name in it, a valid port, a host
 * with no placeholder but %EMAILDOMAIN%), checked with a sample address.
 */
static bool
kp_dav(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	static const struct fill sample = { "a@example.org", "a",
	    "example.org" };
	struct davurl	 u;
	const char	*why;
	char		 sb[64];

	if (!url_val(l, e->line, e->key, e->val))
		return false;
	if (dav_split(&u, e->val, &sample, &why) != 0) {
		ERR(l, e->line, "'%s' %s", safe(sb, sizeof(sb), k->name), why);
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/* username (of a provider or a server): a template */
static bool
kp_tmpl(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	if (!tmpl_val(l, e->line, k->name, e->val, (unsigned)k->arg))
		return false;
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

static bool
kp_redirect(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	if (!tmpl_val(l, e->line, k->name, e->val, (unsigned)k->arg))
		return false;
	if (strchr(e->val, '@') == NULL) {
		ERR(l, e->line, "autodiscover.redirect must be an address "
		    "pattern with '@'");
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

static bool
kp_auth(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	return auth_val(l, e->line, e->val, dst);
}

static bool
kp_bool(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	return bool_val(l, e->line, k->name, e->val, dst);
}

static bool
kp_long(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	return num_val(l, e->line, k->name, e->val, k->min, k->max, dst);
}

static bool
kp_ulong(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	long	v;

	if (!num_val(l, e->line, k->name, e->val, k->min, k->max, &v))
		return false;
	*(unsigned long *)dst = (unsigned long)v;
	return true;
}

static bool
kp_restriction(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	if (strcmp(e->val, "client-IP-address") != 0) {
		ERR(l, e->line, "restriction must be client-IP-address");
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/* a domain name: web_host, mobileconfig.identifier (reverse-DNS) */
static bool
kp_domain(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	char		 d[DOMAIN_MAX + 1];
	size_t		 dl;
	const char	*why;

	if (mac_domain(d, &dl, e->val, strlen(e->val), &why) != 0) {
		ERR(l, e->line, "%s%s", k->arg ? "mobileconfig.identifier "
		    "must be a reverse-DNS name: " : "web_host: ", why);
		return false;
	}
	/* the identifier is kept as written, the web host normalised */
	return (*(const char **)dst = adup(l, k->arg ? e->val : d)) != NULL;
}

static bool
kp_issuer(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	if (host_why(e->val, strlen(e->val)) != NULL) {
		ERR(l, e->line, "oauth2.issuer must be a host name");
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/*
 * oauth2.client_id: the ID a public client (one without a registration of
 * its own) uses, RFC 6749 §2.2's characters (printable ASCII, no space).
 */
static bool
kp_client_id(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	const char	*c;

	(void)k;
	for (c = e->val; *c > ' ' && *c < 0x7f && strchr("<>&\"'", *c) == NULL;
	    c++)
		;
	if (*c != '\0' || c == e->val) {
		ERR(l, e->line, "oauth2.client_id must be printable ASCII "
		    "without spaces or markup");
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/*
 * oauth2.issuer_url: the authorization server's issuer identifier as RFC
 * 8414 §2 defines it -- https, no query, no fragment -- kept byte for
 * byte, since the client compares it with the metadata's "issuer" so
 * (https://h and https://h/ differ).  No placeholder: one server.
 */
static bool
kp_issuer_url(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	const char	*h = e->val + 8;

	if (!url_val(l, e->line, k->name, e->val))
		return false;
	if (strncmp(e->val, "https://", 8) != 0 ||
	    strpbrk(e->val, "?#%") != NULL ||
	    memchr(h, '@', strcspn(h, "/")) != NULL ||
	    host_why(h, strcspn(h, ":/")) != NULL) {
		ERR(l, e->line, "oauth2.issuer_url must be an https:// URL "
		    "with a host and no user name, query, fragment or "
		    "placeholder (RFC 8414 §2)");
		return false;
	}
	return (*(const char **)dst = adup(l, e->val)) != NULL;
}

/*
 * oauth2.client_secret: refused.  Every answer is public (anyone may ask
 * for any domain), so a secret written here is no secret; a client that
 * cannot keep one is a public client and needs none (RFC 6749 §2.1,
 * RFC 8252 §8.5).
 */
static bool
kp_secret(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	(void)dst;
	ERR(l, e->line, "oauth2.client_secret is refused: every answer is "
	    "public, so a published secret is no secret; public clients "
	    "need none (RFC 8252 §8.5): give oauth2.client_id only");
	return false;
}

/* a global key read once every section is known; k->arg: text only */
static bool
kp_later(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	struct later	*lt = dst;

	if (k->arg && !text_val(l, e->line, e->key, e->val))
		return false;
	lt->line = e->line;
	return (lt->val = adup(l, e->val)) != NULL;
}

static bool
kp_domains(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	(void)dst;
	return add_domains(l, &l->b, e->line, e->val);
}

/* imap, pop3, smtp, ews, owa, graph: k->arg is the server type */
static bool
kp_server(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	struct server	*s;

	(void)dst;
	if ((s = add_server(l, &l->b, (enum srv_type)k->arg)) == NULL) {
		l->oom = true;
		return false;
	}
	return server_line(l, e->line, s, e->val);
}

static bool
kp_doc(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	struct provider	*p = l->b.p;
	struct doc	*nd;

	(void)dst;
	nd = arena_push(&l->cf->arena, p->docs, &p->ndocs, &l->b.doccap,
	    sizeof(*nd));
	if (nd == NULL)
		return false;
	p->docs = nd;
	l->b.descrcap = 0;
	return kp_url(l, k, e, &nd[p->ndocs - 1].url);
}

static bool
kp_descr(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	struct provider	*p = l->b.p;
	struct doc	*d;
	char		 sb[64];

	(void)k;
	(void)dst;
	if (p->ndocs == 0) {
		ERR(l, e->line, "'%s' before any 'documentation'",
		    safe(sb, sizeof(sb), e->key));
		return false;
	}
	d = &p->docs[p->ndocs - 1];
	return add_text(l, e, &d->descr, &d->ndescr, &l->b.descrcap);
}

static bool
kp_instr(struct loader *l, const struct cfg_key *k, const struct kv *e,
    void *dst)
{
	(void)k;
	(void)dst;
	return add_text(l, e, &l->b.p->instr, &l->b.p->ninstr,
	    &l->b.instrcap);
}

/* ---- the config-key table --------------------------------------------- */

#define T_(x)	(1u << (x))
#define T_MAIL	(T_(SRV_IMAP) | T_(SRV_POP3) | T_(SRV_SMTP))
#define T_ALL	(T_MAIL | T_(SRV_EWS) | T_(SRV_OWA) | T_(SRV_GRAPH) | \
		    T_(SRV_ACTIVESYNC) | T_(SRV_JMAP))

#define G_(f)	offsetof(struct config, f)
#define L_(f)	offsetof(struct loader, f)
#define P_(f)	offsetof(struct provider, f)
#define S_(f)	offsetof(struct server, f)
#define SP	INI_JOIN_SPACE
#define CAT	INI_JOIN_CONCAT
#define NO	INI_JOIN_NONE
#define USERPH	(PH_USERNAME)

/*
 * Every key of providers.ini (providers.ini(5)), once: the loader, the
 * join of continued values, import.c and the docs test read it.  The
 * target is an offset in the struct of the key's scope (struct config;
 * the loader for CFG_LATER; struct provider; struct server).  Server
 * options are in the order import.c writes them.  Adding a key is one row
 * here, and a parser if none of the above fits.
 */
const struct cfg_key cfg_keys[] = {
	/* name, scope, flags, join, server types, parser, target, min, max, arg */
	{ "cache_max_age", CFG_GLOBAL, 0, NO, 0, kp_ulong, G_(cache_max_age),
	    0, CACHE_AGE_MAX, 0 },
	{ "catch_all", CFG_GLOBAL, CFG_LATER, NO, 0, kp_later, L_(catch_all),
	    0, 0, 0 },
	{ "web_host", CFG_GLOBAL, 0, NO, 0, kp_domain, G_(web_host), 0, 0, 0 },
	{ "autodiscover.ttl", CFG_GLOBAL, 0, NO, 0, kp_long, G_(ad_ttl),
	    1, AD_TTL_MAX, 0 },
	{ "pacc.warnings", CFG_GLOBAL, 0, NO, 0, kp_bool, G_(pacc_warnings),
	    0, 0, 0 },
	{ "mobileconfig.sign_cert", CFG_GLOBAL, CFG_LATER, NO, 0, kp_later,
	    L_(sign_cert), 0, 0, 1 },
	{ "mobileconfig.sign_key", CFG_GLOBAL, CFG_LATER, NO, 0, kp_later,
	    L_(sign_key), 0, 0, 1 },
	{ "include", CFG_GLOBAL, CFG_REPEAT, NO, 0, kp_include, 0, 0, 0, 0 },
	{ "reload_max_drop", CFG_GLOBAL, 0, NO, 0, kp_long, G_(max_drop),
	    0, 100, 0 },

	{ "domains", CFG_PROVIDER, CFG_REPEAT, SP, 0, kp_domains, 0, 0, 0, 0 },
	{ "domains_file", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_domfile, 0,
	    0, 0, 0 },
	{ "name", CFG_PROVIDER, 0, NO, 0, kp_text, P_(name), 0, 0, 0 },
	{ "short_name", CFG_PROVIDER, 0, NO, 0, kp_text, P_(short_name),
	    0, 0, 0 },
	{ "auth", CFG_PROVIDER, 0, SP, 0, kp_auth, P_(auth), 0, 0, 0 },
	{ "username", CFG_PROVIDER, 0, NO, 0, kp_tmpl, P_(username), 0, 0,
	    USERPH },
	{ "imap", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_IMAP },
	{ "pop3", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_POP3 },
	{ "smtp", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_SMTP },
	{ "ews", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_EWS },
	{ "owa", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_OWA },
	{ "graph", CFG_PROVIDER, CFG_REPEAT, NO, 0, kp_server, 0, 0, 0,
	    SRV_GRAPH },
	{ "activesync", CFG_PROVIDER, 0, NO, 0, kp_server, 0, 0, 0,
	    SRV_ACTIVESYNC },
	{ "jmap", CFG_PROVIDER, 0, NO, 0, kp_server, 0, 0, 0, SRV_JMAP },
	{ "documentation", CFG_PROVIDER, CFG_REPEAT, CAT, 0, kp_doc, 0,
	    0, 0, 0 },
	{ "documentation.descr", CFG_PROVIDER, CFG_REPEAT | CFG_LANG, SP, 0,
	    kp_descr, 0, 0, 0, 0 },
	{ "enable", CFG_PROVIDER, 0, CAT, 0, kp_url, P_(enable), 0, 0, 0 },
	{ "enable.instruction", CFG_PROVIDER, CFG_REPEAT | CFG_LANG, SP, 0,
	    kp_instr, 0, 0, 0, 0 },
	{ "webmail", CFG_PROVIDER, 0, CAT, 0, kp_url, P_(webmail), 0, 0, 0 },
	{ "carddav", CFG_PROVIDER, 0, CAT, 0, kp_dav, P_(carddav), 0, 0, 0 },
	{ "caldav", CFG_PROVIDER, 0, CAT, 0, kp_dav, P_(caldav), 0, 0, 0 },
	{ "oauth2.issuer", CFG_PROVIDER, CFG_OAUTH2, NO, 0, kp_issuer,
	    P_(oauth2_issuer), 0, 0, 0 },
	{ "oauth2.scope", CFG_PROVIDER, CFG_OAUTH2, SP, 0, kp_text,
	    P_(oauth2_scope), 0, 0, 0 },
	{ "oauth2.auth_url", CFG_PROVIDER, CFG_OAUTH2, CAT, 0, kp_url,
	    P_(oauth2_auth_url), 0, 0, 0 },
	{ "oauth2.token_url", CFG_PROVIDER, CFG_OAUTH2, CAT, 0, kp_url,
	    P_(oauth2_token_url), 0, 0, 0 },
	{ "oauth2.client_id", CFG_PROVIDER, 0, NO, 0, kp_client_id,
	    P_(oauth2_client_id), 0, 0, 0 },
	{ "oauth2.issuer_url", CFG_PROVIDER, 0, CAT, 0, kp_issuer_url,
	    P_(oauth2_issuer_url), 0, 0, 0 },
	{ "oauth2.client_secret", CFG_PROVIDER, 0, NO, 0, kp_secret, 0,
	    0, 0, 0 },
	{ "autodiscover.redirect", CFG_PROVIDER, 0, NO, 0, kp_redirect,
	    P_(ad_redirect), 0, 0, PH_REDIRECT },
	{ "mobileconfig.identifier", CFG_PROVIDER, 0, NO, 0, kp_domain,
	    P_(mc_identifier), 0, 0, 1 },

	{ "auth", CFG_SERVER, 0, NO, T_ALL, kp_auth, S_(auth), 0, 0, 0 },
	{ "username", CFG_SERVER, 0, NO, T_ALL, kp_tmpl, S_(username), 0, 0,
	    USERPH },
	{ "restriction", CFG_SERVER, 0, NO, T_(SRV_SMTP), kp_restriction,
	    S_(restriction), 0, 0, 0 },
	{ "add_this_server", CFG_SERVER, 0, NO, T_(SRV_SMTP), kp_bool,
	    S_(add_this_server), 0, 0, 0 },
	/* ews, owa: written into autoconfig's legacy exchange element */
	{ "use_global_preferred_server", CFG_SERVER, 0, NO,
	    T_MAIL | T_(SRV_EWS) | T_(SRV_OWA), kp_bool,
	    S_(global_preferred), 0, 0, 0 },
	{ "leave_messages_on_server", CFG_SERVER, 0, NO, T_(SRV_POP3), kp_bool,
	    S_(leave_on_server), 0, 0, 0 },
	{ "download_on_biff", CFG_SERVER, 0, NO, T_(SRV_POP3), kp_bool,
	    S_(download_on_biff), 0, 0, 0 },
	{ "days_to_leave_messages_on_server", CFG_SERVER, 0, NO, T_(SRV_POP3),
	    kp_long, S_(days_to_leave), 0, 100000, 0 },
	{ "check_interval", CFG_SERVER, 0, NO, T_(SRV_POP3), kp_long,
	    S_(check_interval), 1, 100000, 0 },
};
const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

_Static_assert(sizeof(cfg_keys) / sizeof(cfg_keys[0]) <= CFG_KEYS_MAX,
    "CFG_KEYS_MAX (bounds.h) is smaller than the key table");

/*
 * The row of key (kl bytes) in scope, or NULL; *lang gets what follows a
 * CFG_LANG key's name and a '.' ("de" of "enable.instruction.de"), NULL
 * when nothing does.
 */
const struct cfg_key *
cfg_key_find(enum cfg_scope scope, const char *key, size_t kl,
    const char **lang)
{
	const struct cfg_key	*k;
	size_t			 n;

	*lang = NULL;
	for (k = cfg_keys; k < cfg_keys + cfg_nkeys; k++) {
		if (k->scope != scope || k->name[0] != key[0])
			continue;
		n = strlen(k->name);
		if (n == kl && memcmp(k->name, key, n) == 0)
			return k;
		if ((k->flags & CFG_LANG) && kl > n && key[n] == '.' &&
		    memcmp(k->name, key, n) == 0) {
			*lang = key + n + 1;
			return k;
		}
	}
	return NULL;
}

/* How a continued value of key is joined (for ini.c and import.c). */
enum ini_join
cfg_key_join(const char *key)
{
	const char		*lang;
	const struct cfg_key	*k;

	k = cfg_key_find(CFG_PROVIDER, key, strlen(key), &lang);
	if (k == NULL)
		k = cfg_key_find(CFG_GLOBAL, key, strlen(key), &lang);
	return k != NULL ? k->join : INI_JOIN_NONE;
}

/*
 * One entry of a scope into base (the struct of the scope): the table
 * says which parser, which target, and whether it may stand twice.
 */
static bool
key_apply(struct loader *l, const struct cfg_key *k, struct kv *e, void *base)
{
	size_t	i = (size_t)(k - cfg_keys);

	if (!(k->flags & CFG_REPEAT)) {
		if (l->once[i] != 0) {
			ERR(l, e->line, "'%s' given twice (first on line %d)",
			    k->name, l->once[i]);
			return false;
		}
		l->once[i] = e->line;
	}
	if (k->flags & CFG_OAUTH2)
		l->b.oauth2_line = e->line;
	return k->parse(l, k, e, (char *)base + k->off);
}
/* ---- entries into the config ------------------------------------------ */

/* "option=value" on a server line: a CFG_SERVER row of the key table. */
static bool
srv_option(struct loader *l, int line, struct server *s, const char *k,
    size_t kl, const char *v)
{
	const struct cfg_key	*key;
	const char		*lang;
	char			 sb[64], kb[64];
	struct kv		 e;

	mac_strlcpy(kb, k, kl + 1 < sizeof(kb) ? kl + 1 : sizeof(kb));
	key = cfg_key_find(CFG_SERVER, kb, strlen(kb), &lang);
	if (key == NULL || !(key->types & T_(s->type))) {
		ERR(l, line, "unknown option '%s' for a %s server",
		    safe(sb, sizeof(sb), kb), srv_names[s->type]);
		return false;
	}
	e.key = kb;
	e.val = v;
	e.lang = NULL;
	e.line = line;
	return key->parse(l, key, &e, (char *)s + key->off);
}

/*
 * The first section of this name: i itself, or an earlier one.  seen is
 * an open-addressing set of section index + 1, mask + 1 slots: a quadratic
 * compare of every name with every earlier one took 85% of loading 20 000
 * providers (make bench).
 */
static size_t
seen_section(const struct loader *l, size_t i)
{
	const char	*name = l->cf->prov[i].id;
	size_t		 h = prov_hash(name, strlen(name)) & l->mask;

	for (; l->seen[h] != 0; h = (h + 1) & l->mask)
		if (strcmp(l->cf->prov[l->seen[h] - 1].id, name) == 0)
			return l->seen[h] - 1;
	l->seen[h] = i + 1;
	return i;
}

static enum ini_join
sink_join(void *arg, const char *key)
{
	(void)arg;
	return cfg_key_join(key);
}

/* The section-name set, made again for mask + 1 slots. */
static bool
seen_rebuild(struct loader *l)
{
	size_t	i;

	mac_free(l->seen);
	if ((l->seen = mac_alloc((l->mask + 1) * sizeof(*l->seen))) == NULL)
		return false;
	memset(l->seen, 0, (l->mask + 1) * sizeof(*l->seen));
	for (i = 0; i < l->nsecs; i++)
		(void)seen_section(l, i);
	return true;
}

/* Room for need sections in all. */
static void
prov_room(struct loader *l, size_t need)
{
	struct config	*cf = l->cf;
	struct provider	*np;
	size_t		 bi;

	if (l->oom || need <= l->provcap)
		return;
	if (need < 2 * l->provcap)
		need = 2 * l->provcap;
	if ((np = arena_alloc(&cf->arena, need * sizeof(*np))) == NULL) {
		l->oom = true;
		return;
	}
	memset(np, 0, need * sizeof(*np));
	if (l->nsecs > 0)
		memcpy(np, cf->prov, l->nsecs * sizeof(*np));
	bi = l->b.p != NULL ? (size_t)(l->b.p - cf->prov) : 0;
	cf->prov = np;
	if (l->b.p != NULL)
		l->b.p = np + bi;
	l->provcap = need;
	while (l->mask + 1 < 2 * need)
		l->mask = l->mask * 2 + 1;
	if (!seen_rebuild(l))
		l->oom = true;
}

/*
 * A file announces nsecs sections: an include's come while the sections
 * of the file that includes it are still ahead.
 */
static void
sink_begin(void *arg, size_t nsecs)
{
	struct loader	*l = arg;

	l->ahead += nsecs;
	prov_room(l, l->nsecs + l->ahead + 1);
}

static void
end_section(struct loader *l)
{
	if (l->b.p != NULL && !l->oom)
		prov_finish(l, &l->b);
	l->b.p = NULL;
}

static void
sink_section(void *arg, const char *name, int line)
{
	struct loader	*l = arg;
	struct config	*cf = l->cf;
	struct provider	*p;
	size_t		 i, k;
	char		 fb[1024];

	end_section(l);
	if (l->ahead > 0)
		l->ahead--;
	prov_room(l, l->nsecs + l->ahead + 2);
	if (l->oom)
		return;
	i = l->nsecs++;
	cf->nprov = l->nsecs;
	p = &cf->prov[i];
	p->line = line;
	p->file = l->file;
	if ((p->id = adup(l, name)) == NULL)
		return;
	if ((k = seen_section(l, i)) != i && cf->prov[k].file == l->file)
		ERR(l, line, "section [%s] repeated (first on line %d)",
		    cf->prov[k].id, cf->prov[k].line);
	else if (k != i)
		ERR(l, line, "section [%s] repeated (first in %s:%d)",
		    cf->prov[k].id, safe(fb, sizeof(fb), cf->prov[k].file),
		    cf->prov[k].line);
	memset(&l->b, 0, sizeof(l->b));
	memset(l->once, 0, sizeof(l->once));
	l->b.p = p;
}

static void
sink_entry(void *arg, const char *key, const char *val, int line)
{
	struct loader		*l = arg;
	const struct cfg_key	*k;
	struct kv		 e;
	char			 sb[64];
	enum cfg_scope		 sc = l->b.p != NULL ? CFG_PROVIDER : CFG_GLOBAL;
	void			*base;

	if (l->oom)
		return;
	e.key = key;
	e.val = val;
	e.line = line;
	if ((k = cfg_key_find(sc, key, strlen(key), &e.lang)) == NULL &&
	    strcmp(key, "include") == 0) {
		ERR(l, line, "'include' goes before the first section");
		return;
	}
	if (k == NULL) {
		ERR(l, line, "unknown %skey '%s'", sc == CFG_GLOBAL ?
		    "global " : "", safe(sb, sizeof(sb), key));
		return;
	}
	if (sc == CFG_GLOBAL && l->depth > 0 && k->parse != kp_include) {
		ERR(l, line, "'%s' in an included file: global keys go in the "
		    "main file", safe(sb, sizeof(sb), key));
		return;
	}
	if (sc == CFG_PROVIDER)
		base = l->b.p;
	else if (k->flags & CFG_LATER)
		base = l;
	else
		base = l->cf;
	key_apply(l, k, &e, base);
}

/* ---- the domain table ----------------------------------------------- */

/* FNV-1a over the lower-case name. */
static uint32_t
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

/* "line 3" in the same file, else "other.ini:3". */
static const char *
where(char *buf, size_t cap, const struct dorig *o, const char *file)
{
	char	fb[1024];

	if (o->file == file)
		snprintf(buf, cap, "line %d", o->line);
	else
		snprintf(buf, cap, "%s:%d", diag_safe(fb, sizeof(fb), o->file),
		    o->line);
	return buf;
}

/*
 * A domain claimed twice is reported at its second claim (its domains
 * line, or its domain file's line), naming the first.  k: the domain's
 * number in claim order; first[slot]: the claim in that slot.
 */
static bool
table_put(struct loader *l, size_t *first, size_t k, const char *d,
    const struct provider *p)
{
	struct config	*cf = l->cf;
	size_t		 dl = strlen(d), h;
	uint32_t	 hv = prov_hash(d, dl);
	struct dslot	*s;
	char		 wb[1100];

	for (h = hv & cf->tmask; (s = &cf->table[h])->name != NULL;
	    h = (h + 1) & cf->tmask)
		if (s->hash == hv && s->len == dl && memcmp(s->name, d, dl) == 0)
			break;
	if (s->name != NULL) {
		diag_msg(l->d, l->orig[k].file, false, l->orig[k].line,
		    "domain %s is served by [%s] (%s) already", d, s->prov->id,
		    where(wb, sizeof(wb), &l->orig[first[h]], l->orig[k].file));
		return false;
	}
	s->name = d;
	s->len = dl;
	s->hash = hv;
	s->prov = p;
	first[h] = k;
	return true;
}

static void
build_table(struct loader *l)
{
	struct config	*cf = l->cf;
	size_t		 n = 0, size = 16, i, j, k = 0, *first;

	for (i = 0; i < cf->nprov; i++)
		n += cf->prov[i].ndomains;
	while (size < n * 2)
		size *= 2;
	if (n != l->norig ||
	    (cf->table = arena_alloc(&cf->arena, size * sizeof(*cf->table))) ==
	    NULL || (first = mac_alloc(size * sizeof(*first))) == NULL) {
		l->oom = true;
		return;
	}
	cf->tmask = size - 1;
	cf->ndomains = n;
	for (i = 0; i < cf->nprov; i++)
		for (j = 0; j < cf->prov[i].ndomains; j++)
			table_put(l, first, k++, cf->prov[i].domains[j],
			    &cf->prov[i]);
	mac_free(first);
}

const struct provider *
prov_lookup(const struct config *cf, const char *d, size_t n)
{
	uint32_t		 hv;
	size_t			 h;
	const struct dslot	*s;

	if (cf->lookup != NULL)
		return cf->lookup(cf, d, n);
	hv = prov_hash(d, n);
	for (h = hv & cf->tmask; (s = &cf->table[h])->name != NULL;
	    h = (h + 1) & cf->tmask)
		if (s->hash == hv && s->len == n && memcmp(s->name, d, n) == 0)
			return s->prov;
	return cf->catch_all;
}

static void
resolve_catch_all(struct loader *l)
{
	size_t	k;

	if (l->catch_all.val == NULL)
		return;
	for (k = 0; k < l->cf->nprov; k++)
		if (strcmp(l->cf->prov[k].id, l->catch_all.val) == 0)
			l->cf->catch_all = &l->cf->prov[k];
	if (l->cf->catch_all == NULL)
		ERR(l, l->catch_all.line, "catch_all names no section");
}

/* A relative path names a file beside the config (as nginx's do). */
bool
prov_beside(char *dst, size_t cap, const char *file, const char *path)
{
	const char	*slash = strrchr(file, '/');
	size_t		 dl, pl = strlen(path);

	/* memcpy, not snprintf: a CGI start joins one path per file */
	dl = path[0] == '/' || slash == NULL ? 0 : (size_t)(slash - file) + 1;
	if (cap == 0 || dl + pl >= cap)
		return false;
	memcpy(dst, file, dl);
	memcpy(dst + dl, path, pl + 1);
	return true;
}

/*
 * mobileconfig.sign_cert and mobileconfig.sign_key: both or neither.  The
 * key is read now, once, so that a request never touches a file.
 */
static void
load_signer(struct loader *l)
{
	const struct later	*cert = &l->sign_cert, *key = &l->sign_key;
	char			 cp[4096], kp[4096], err[256];

	if (cert->val == NULL && key->val == NULL)
		return;
	if (cert->val == NULL || key->val == NULL) {
		ERR(l, (cert->val != NULL ? cert : key)->line,
		    "mobileconfig.sign_cert and mobileconfig.sign_key go "
		    "together");
		return;
	}
	if (!prov_beside(cp, sizeof(cp), l->file, cert->val) ||
	    !prov_beside(kp, sizeof(kp), l->file, key->val)) {
		ERR(l, cert->line, "signing file path too long");
		return;
	}
	/* as written: a compiled image resolves them again (image.c) */
	if ((l->cf->sign_cert = adup(l, cert->val)) == NULL ||
	    (l->cf->sign_key = adup(l, key->val)) == NULL)
		return;
	if ((l->cf->mc_signer = mc_sign_load(cp, kp, err, sizeof(err))) ==
	    NULL)
		ERR(l, cert->line, "mobileconfig.sign_cert/sign_key: %s", err);
}

/* ---- entry points --------------------------------------------------- */

/* The config of buf, read from file (st: its stat; NULL: not a file). */
static struct config *
load(const char *buf, size_t len, const char *file, const struct stat *st,
    struct diag *d)
{
	static const struct ini_sink sink0 = {
		sink_join, sink_begin, sink_section, sink_entry, NULL
	};
	struct ini_sink	 sink = sink0;
	struct loader	 l;
	struct config	*cf;
	struct arena	*a = NULL;
	int		 rc;

	memset(&l, 0, sizeof(l));
	l.d = d;
	sink.arg = &l;
	l.sink = &sink;
	if ((cf = arena_alloc(&a, sizeof(*cf))) == NULL)
		goto oom;
	cf->arena = a;
	cf->cache_max_age = 3600;
	cf->ad_ttl = -1;
	cf->max_drop = MAX_DROP_DEFAULT;
	cf->pacc_warnings = 1;
	l.cf = cf;
	if ((cf->file = adup(&l, file)) == NULL)
		goto oom;
	l.file = l.chain[0].path = cf->file;
	if (st != NULL) {
		l.chain[0].ino = (uint64_t)st->st_ino;
		l.chain[0].dev = (uint64_t)st->st_dev;
		src_add(&l, cf->file, SRC_INI, st, buf, len);
	}
	/* past the raw check, go on so that --check lists every error */
	if ((rc = ini_read(buf, len, file, d, &sink)) == -2)
		l.oom = true;
	end_section(&l);
	if (rc == 0 && !l.oom)
		resolve_catch_all(&l);
	if (rc == 0 && !l.oom && cf->nprov == 0)
		diag_msg(d, file, false, -1, "no provider section (an empty "
		    "or cut file?)");
	if (d->errors == 0 && !l.oom)
		load_signer(&l);
	if (d->errors == 0 && !l.oom)
		build_table(&l);
	mac_free(l.seen);
	mac_free(l.orig);
	if (l.oom)
		goto oom;
	if (d->errors != 0) {
		prov_free(cf);
		return NULL;
	}
	return cf;
oom:
	diag_msg(d, file, false, -1, "out of memory");
	if (cf != NULL)
		prov_free(cf);
	else
		arena_free(a);
	return NULL;
}

struct config *
prov_load_mem(const char *buf, size_t len, const char *file, struct diag *d)
{
	return load(buf, len, file, NULL, d);
}

/* The INI, read as one moment's text, and every file it names. */
struct config *
prov_load_file(const char *file, struct diag *d)
{
	struct config	*cf;
	struct stat	 st;
	const char	*why;
	char		*buf;
	size_t		 len;

	if (prov_fs->read(file, &buf, &len, &st, &why) != 0) {
		diag_msg(d, file, false, -1, "%s", why);
		return NULL;
	}
	cf = load(buf, len, file, &st, d);
	mac_free(buf);
	return cf;
}

/* Whether cf serves d itself (the catch-all aside). */
bool
prov_served(const struct config *cf, const char *d, size_t n)
{
	uint32_t		 hv;
	size_t			 h;
	const struct dslot	*s;

	if (cf->img != NULL)
		return img_served(cf, d, n);
	hv = prov_hash(d, n);
	for (h = hv & cf->tmask; (s = &cf->table[h])->name != NULL;
	    h = (h + 1) & cf->tmask)
		if (s->hash == hv && s->len == n && memcmp(s->name, d, n) == 0)
			return true;
	return false;
}

/* Every domain cf serves itself, to fn. */
void
prov_each_domain(const struct config *cf,
    void (*fn)(void *, const char *, size_t), void *arg)
{
	size_t	i, j;

	if (cf->img != NULL) {
		img_each_domain(cf, fn, arg);
		return;
	}
	for (i = 0; i < cf->nprov; i++)
		for (j = 0; j < cf->prov[i].ndomains; j++)
			fn(arg, cf->prov[i].domains[j],
			    strlen(cf->prov[i].domains[j]));
}

void
prov_free(struct config *cf)
{
	if (cf != NULL && cf->release != NULL)
		cf->release(cf);
	else if (cf != NULL) {
		mc_sign_free(cf->mc_signer);
		arena_free(cf->arena);
	}
}
