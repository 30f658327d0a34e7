/*
 * pacc.c: the PACC document (draft-ietf-mailmaint-pacc, the members of
 * revision -03), served at
 * https://ua-auto-config.DOMAIN/.well-known/user-agent-configuration.json,
 * and the digest of its bytes that --dns publishes in the TXT record
 * _ua-auto-config.DOMAIN ("v=UAAC1; a=sha256; d=BASE64").
 *
 * A client sends no address and checks one digest per domain, so the
 * document is a function of (provider, domain) alone: the same bytes for
 * every request, with %EMAILDOMAIN% filled and nothing else left to fill.
 * Both the endpoint and --dns call pacc_render(), so what is published
 * is what is served.
 *
 * PACC can say little: a host name per mail protocol, on its implicit-TLS
 * port (993, 995, 465), logging in with the address as typed; an https URL
 * on port 443 per DAV protocol.  A server it cannot describe is left out,
 * never described wrongly; pacc_warn() tells --check what was left out.
 */
#include <stdarg.h>
#include <string.h>

#include "mailautoconf.h"

/* The mail protocols PACC names, in the draft's member order. */
static const struct {
	const char	*member;
	enum srv_type	 type;
	unsigned	 port;
} pacc_mail[] = {
	{ "imap", SRV_IMAP, 993 },
	{ "pop3", SRV_POP3, 995 },
	/* "submit" since -03; -02 (and Stalwart) said "smtp" */
	{ "submit", SRV_SMTP, 465 },
};

static char	pacc_doc[OUT_MAX];	/* --dns: the document to digest */

/* A server's host with %EMAILDOMAIN% filled, no brackets; false: not so. */
static bool
pacc_host(char *dst, size_t cap, const char *host, const char *domain)
{
	size_t	n;

	if (host[0] != '[')
		return ph_host(dst, cap, host, domain);
	n = strlen(host);
	if (n < 3 || n - 2 >= cap)
		return false;
	memcpy(dst, host + 1, n - 2);
	dst[n - 2] = '\0';
	return true;
}

/* Why PACC cannot describe s (for a domain); NULL: it can. */
static const char *
pacc_unfit(const struct server *s, unsigned port, const char *domain)
{
	char	h[DOMAIN_MAX + 1];

	if (s->sock != SOCK_SSL)
		return s->sock == SOCK_STARTTLS ? "is STARTTLS (PACC states "
		    "implicit TLS only)" : "has no TLS";
	if (s->port != port)
		return "is not on the implicit-TLS port PACC implies (993, "
		    "995, 465)";
	if (strcmp(s->username, "%EMAILADDRESS%") != 0)
		return "logs in with another username than the address, "
		    "which PACC clients send";
	if (!pacc_host(h, sizeof(h), s->host, domain))
		return "has a host PACC cannot state";
	return NULL;
}

/* The first server of type t that PACC can describe, or NULL. */
static const struct server *
pacc_pick(const struct provider *p, enum srv_type t, unsigned port,
    const char *domain, const char **why)
{
	const struct server	*list = t == SRV_SMTP ? p->out : p->in;
	size_t			 n = t == SRV_SMTP ? p->nout : p->nin, i;
	const char		*w;

	*why = NULL;
	for (i = 0; i < n; i++) {
		if (list[i].type != t)
			continue;
		if ((w = pacc_unfit(&list[i], port, domain)) == NULL)
			return &list[i];
		if (*why == NULL)
			*why = w;
	}
	return NULL;
}

/* A DAV URL as PACC states it: https, port 443, no user in it. */
static int
pacc_dav(struct davurl *u, const char *url, const char *domain,
    const char **why)
{
	struct fill	f = { NULL, NULL, domain };

	if (dav_split(u, url, &f, why) != 0)
		return -1;
	if (!u->tls)
		return *why = "not https", -1;
	if (u->explicit_port)
		return *why = "a port in the URL (PACC implies 443)", -1;
	return 0;
}

static bool
pacc_password(const struct authlist *al)
{
	unsigned	i;

	for (i = 0; i < al->n; i++)
		if (al->a[i] == AUTH_CLEARTEXT || al->a[i] == AUTH_ENCRYPTED)
			return true;
	return false;
}

/* Characters, not bytes: UTF-8 continuation bytes do not count. */
static size_t
pacc_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
pacc_member(struct out *o, bool *first, const char *name)
{
	if (!*first)
		out_raw(o, ",", 1);
	*first = false;
	out_json_str(o, name, strlen(name));
	out_raw(o, ":", 1);
}

static void
pacc_value(struct out *o, bool *first, const char *member, const char *key,
    const char *val)
{
	pacc_member(o, first, member);
	out_raw(o, "{", 1);
	out_json_str(o, key, strlen(key));
	out_raw(o, ":", 1);
	out_json_str(o, val, strlen(val));
	out_raw(o, "}", 1);
}

/* "protocols": {...}; *pw: whether a listed service takes a password */
static bool
pacc_protocols(const struct provider *p, const char *domain, struct out *o,
    bool *pw)
{
	const char *const	 dav[2] = { p->caldav, p->carddav };
	const struct server	*jm = p->first[SRV_JMAP];
	const char		*why;
	char			 h[DOMAIN_MAX + 1];
	struct davurl		 u;
	bool			 first = true;
	size_t			 i;

	*pw = false;
	out_str(o, "\"protocols\":{");
	for (i = 0; i < sizeof(pacc_mail) / sizeof(pacc_mail[0]); i++) {
		const struct server *s = pacc_pick(p, pacc_mail[i].type,
		    pacc_mail[i].port, domain, &why);

		if (s == NULL || !pacc_host(h, sizeof(h), s->host, domain))
			continue;
		pacc_value(o, &first, pacc_mail[i].member, "host", h);
		*pw = *pw || pacc_password(&s->auth);
	}
	for (i = 0; i < 2; i++) {
		if (dav[i] == NULL || pacc_dav(&u, dav[i], domain, &why) != 0)
			continue;
		pacc_value(o, &first, i == 0 ? "caldav" : "carddav", "url",
		    u.url);
		*pw = *pw || pacc_password(&p->auth);
	}
	/* the JMAP session resource (RFC 8620 §2), stated like a DAV URL */
	if (jm != NULL && pacc_dav(&u, jm->url, domain, &why) == 0) {
		pacc_value(o, &first, "jmap", "url", u.url);
		*pw = *pw || pacc_password(&jm->auth);
	}
	out_raw(o, "}", 1);
	return !first;
}

static void
pacc_info(const struct provider *p, struct out *o)
{
	const char	*name = p->name;
	bool		 first = true;

	/* the draft caps the name; the short name or the id stand in */
	if (pacc_chars(name) > PACC_NAME_MAX)
		name = pacc_chars(p->short_name) <= PACC_NAME_MAX ?
		    p->short_name : p->id;
	out_str(o, "\"info\":{\"provider\":{");
	pacc_member(o, &first, "name");
	out_json_str(o, name, strlen(name));
	if (strcmp(p->short_name, name) != 0 &&
	    pacc_chars(p->short_name) <= PACC_SHORT_MAX) {
		pacc_member(o, &first, "shortName");
		out_json_str(o, p->short_name, strlen(p->short_name));
	}
	out_str(o, "}}");
}

/*
 * The document for `domain' (lower case, as looked up) of provider p:
 * 200, or 404 when PACC can express none of its services.  Compact JSON
 * in a fixed member order, no trailing newline: one byte more and the
 * published digest no longer matches.
 */
int
pacc_render(const struct provider *p, const char *domain, struct out *o)
{
	char	iss[DOMAIN_MAX + 1];
	bool	pw, first = true;

	out_raw(o, "{", 1);
	if (!pacc_protocols(p, domain, o, &pw))
		return 404;
	out_str(o, ",\"authentication\":{");
	/*
	 * An RFC 8414 issuer is an https URL compared byte for byte:
	 * oauth2.issuer_url as written, else one made of the host name.
	 */
	if (p->oauth2_issuer_url != NULL) {
		pacc_member(o, &first, "oauth-public");
		out_str(o, "{\"issuer\":");
		out_json_str(o, p->oauth2_issuer_url,
		    strlen(p->oauth2_issuer_url));
		out_str(o, "}");
	} else if (p->oauth2_issuer != NULL &&
	    pacc_host(iss, sizeof(iss), p->oauth2_issuer, domain) &&
	    strchr(iss, ':') == NULL) {
		pacc_member(o, &first, "oauth-public");
		out_str(o, "{\"issuer\":\"https://");
		out_str(o, iss);
		out_str(o, "\"}");
	}
	pacc_member(o, &first, "password");
	out_str(o, pw ? "true" : "false");
	out_str(o, "},");
	pacc_info(p, o);
	out_raw(o, "}", 1);
	return 200;
}

/*
 * The TXT record's text for `domain': "v=UAAC1; a=sha256; d=..." (the
 * base64 of SHA-256 over the document's bytes).  Returns 0; 1 when there
 * is no document; -1 when it does not fit.
 */
int
pacc_txt(const struct provider *p, const char *domain, char *dst,
    size_t cap)
{
	static const char	pre[] = "v=UAAC1; a=sha256; d=";
	unsigned char		md[MAC_SHA256_LEN];
	struct out		o;

	out_init(&o, pacc_doc, sizeof(pacc_doc));
	if (pacc_render(p, domain, &o) != 200)
		return 1;
	if (o.err || cap < sizeof(pre))
		return -1;
	mac_sha256(o.buf, o.len, md);
	memcpy(dst, pre, sizeof(pre));
	if (!mac_base64(dst + sizeof(pre) - 1, cap - sizeof(pre) + 1, md,
	    sizeof(md)))
		return -1;
	return 0;
}

/* A --check warning, through the loader's printable filter. */
static void __attribute__((format(printf, 4, 5)))
pacc_say(const struct config *cf, const struct provider *p, struct diag *d,
    const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_msg(d, cf->file, true, p->line, "provider '%s': PACC %s", p->id,
	    msg);
}

/* What the PACC document of p leaves out, or that there is none. */
static void
pacc_warn_one(const struct config *cf, const struct provider *p,
    struct diag *d)
{
	const char *const	 dav[2] = { p->caldav, p->carddav };
	const char		*dom = p->domains[0], *why;
	struct davurl		 u;
	struct out		 o;
	size_t			 i;

	for (i = 0; i < sizeof(pacc_mail) / sizeof(pacc_mail[0]); i++)
		if (pacc_pick(p, pacc_mail[i].type, pacc_mail[i].port, dom,
		    &why) == NULL && why != NULL)
			pacc_say(cf, p, d, "leaves out %s: its first %s "
			    "server %s", pacc_mail[i].member,
			    srv_names[pacc_mail[i].type], why);
	for (i = 0; i < 2; i++)
		if (dav[i] != NULL && pacc_dav(&u, dav[i], dom, &why) != 0)
			pacc_say(cf, p, d, "leaves out %s: %s",
			    i == 0 ? "caldav" : "carddav", why);
	if (p->first[SRV_JMAP] != NULL &&
	    pacc_dav(&u, p->first[SRV_JMAP]->url, dom, &why) != 0)
		pacc_say(cf, p, d, "leaves out jmap: %s", why);
	if (p->oauth2_issuer != NULL && p->oauth2_issuer_url == NULL)
		pacc_say(cf, p, d, "gives the issuer https://%s, made from "
		    "the host name oauth2.issuer; a client compares it byte "
		    "for byte with the server's metadata: give the exact one "
		    "as oauth2.issuer_url", p->oauth2_issuer);
	if (pacc_chars(p->name) > PACC_NAME_MAX)
		pacc_say(cf, p, d, "names the provider by its short name or "
		    "id: the name is longer than %d characters",
		    PACC_NAME_MAX);
	out_init(&o, pacc_doc, sizeof(pacc_doc));
	if (pacc_render(p, dom, &o) == 404)
		pacc_say(cf, p, d, "has nothing to say: "
		    "/.well-known/user-agent-configuration.json answers 404");
}

/*
 * --check and --compile: for every provider, what PACC cannot say; not a
 * word with pacc.warnings = false (a site that does not care for a draft
 * no client ships yet).
 */
void
pacc_warn(const struct config *cf, struct diag *d)
{
	size_t	i;

	if (cf->pacc_warnings == 0)
		return;
	for (i = 0; i < cf->nprov; i++)
		if (cf->prov[i].ndomains > 0)
			pacc_warn_one(cf, &cf->prov[i], d);
}
