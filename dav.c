/*
 * dav.c: a provider's caldav and carddav URLs, filled in and taken apart
 * for the answers that state their parts: the Apple payloads (host, port,
 * TLS, principal URL), the RFC 6764 well-known redirect, the SRV and
 * path= TXT records of --dns, and the PACC document.
 *
 * The host may hold only %EMAILDOMAIN%, which is filled with a validated
 * domain; in the path, a filled address or local part is percent-encoded
 * (RFC 3986 §3.3 pchar), so that no byte of the request changes the URL's
 * structure.  A placeholder whose value is not given (a per-domain answer
 * has no address) makes the URL unusable there: fail closed.
 */
#include <string.h>

#include "mailautoconf.h"

/* RFC 3986 §3.3: pchar without '%' (we encode it) */
static bool
pchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

static bool
put(struct davurl *u, size_t *d, const char *s, size_t n, bool encode)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!encode || pchar(c)) {
			if (*d + 1 >= sizeof(u->url))
				return false;
			u->url[(*d)++] = (char)c;
		} else {
			if (*d + 3 >= sizeof(u->url))
				return false;
			u->url[(*d)++] = '%';
			u->url[(*d)++] = hex[c >> 4];
			u->url[(*d)++] = hex[c & 0xf];
		}
	}
	return true;
}

/*
 * Copy s[0..n) into u->url at *d with its placeholders filled; in the
 * authority only %EMAILDOMAIN% may stand.  False: unfilled, or too long.
 */
static bool
fill(struct davurl *u, size_t *d, const char *s, size_t n,
    const struct fill *f, bool authority)
{
	const struct placeholder	*ph;
	const char			*v;
	size_t				 i = 0;

	while (i < n) {
		if (s[i] != '%' || (ph = ph_at(s + i)) == NULL ||
		    !(ph->where & PH_DAV) || ph->len > n - i) {
			/* a byte, or a percent-escape of the URL itself */
			if ((authority && s[i] == '%') ||
			    !put(u, d, s + i, 1, false))
				return false;
			i++;
			continue;
		}
		v = f == NULL ? NULL :
		    *(const char *const *)((const char *)f + ph->fill);
		if (v == NULL || (authority && !(ph->where & PH_HOST)))
			return false;
		if (!put(u, d, v, strlen(v), !authority))
			return false;
		i += ph->len;
	}
	return true;
}

/* host[:port] of the filled URL; a bracketed IPv6 literal loses them */
static bool
hostport(struct davurl *u, const char *a, size_t n)
{
	size_t		 hl = n, i;
	const char	*h = a;
	long long	 port;
	char		 pb[8];

	if (n > 0 && a[0] == '[') {
		const char *rb = memchr(a, ']', n);

		if (rb == NULL || rb - a < 3)
			return false;
		h = a + 1;
		hl = (size_t)(rb - a) - 1;
		for (i = 0; i < hl; i++)
			if (strchr("0123456789abcdefABCDEF:.", h[i]) == NULL)
				return false;
		u->literal = true;
		a = rb + 1;
		n -= hl + 2;
	} else {
		const char *c = memchr(a, ':', n);

		hl = c != NULL ? (size_t)(c - a) : n;
		for (i = 0; i < hl; i++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", h[i]) == NULL)
				return false;
		a += hl;
		n -= hl;
	}
	if (hl == 0 || hl > DOMAIN_MAX)
		return false;
	memcpy(u->host, h, hl);
	u->host[hl] = '\0';
	u->port = u->tls ? 443 : 80;
	u->explicit_port = false;
	if (n == 0)
		return true;
	if (a[0] != ':' || n < 2 || n - 1 >= sizeof(pb))
		return false;
	memcpy(pb, a + 1, n - 1);
	pb[n - 1] = '\0';
	if (mac_strtonum(pb, 1, 65535, &port) != 0)
		return false;
	u->port = (unsigned)port;
	u->explicit_port = true;
	return true;
}

/*
 * Fill and split a caldav/carddav URL.  f: the values at hand (a field
 * NULL when the answer has none).  Returns 0, or -1: the URL cannot be
 * stated with these values (*why says why).
 */
int
dav_split(struct davurl *u, const char *url, const struct fill *f,
    const char **why)
{
	size_t		 d = 0, al, sl;
	const char	*a;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "https://", 8) == 0) {
		u->tls = true;
		sl = 8;
	} else if (strncmp(url, "http://", 7) == 0)
		sl = 7;
	else
		return *why = "not an http(s) URL", -1;
	a = url + sl;
	al = strcspn(a, "/?#");
	if (memchr(a, '@', al) != NULL)
		return *why = "URL with a user name", -1;
	if (!put(u, &d, url, sl, false) || !fill(u, &d, a, al, f, true))
		return *why = "host holds more than %EMAILDOMAIN% or is too "
		    "long", -1;
	if (!hostport(u, u->url + sl, d - sl))
		return *why = "bad host or port in the URL", -1;
	u->path = d;
	if (a[al] != '/')
		/* "https://h" and "https://h?q" have the path "/" */
		if (!put(u, &d, "/", 1, false))
			return *why = "URL too long", -1;
	if (!fill(u, &d, a + al, strlen(a + al), f, false))
		return *why = f == NULL || f->address == NULL ?
		    "URL names the user, and this answer is for a whole "
		    "domain" : "URL too long once filled", -1;
	u->url[d] = '\0';
	u->len = d;
	u->plen = strcspn(u->url + u->path, "?#");
	u->query = u->url[u->path + u->plen] != '\0';
	return 0;
}

/*
 * RFC 6764 §5: /.well-known/caldav and /.well-known/carddav redirect to
 * the context path, whatever the method.  loc gets the whole header line
 * "Location: URL".  307 keeps the method and body (a PROPFIND stays one);
 * 404 when the provider has no such URL, or one we do not send a client
 * to for a whole domain: http:// (a downgrade from the https request) or
 * one naming the user.  500 when the header would not fit.
 */
int
dav_redirect(const struct provider *p, const char *domain, bool card,
    char *loc, size_t cap, const char **why)
{
	const char	*url = card ? p->carddav : p->caldav;

	if (url == NULL)
		return *why = card ? "no carddav URL for this domain" :
		    "no caldav URL for this domain", 404;
	return dav_location(url, domain, loc, cap, why);
}

/*
 * RFC 8620 §2.2: /.well-known/jmap redirects to the JMAP session
 * resource, the jmap URL (always https: the loader says so).
 */
int
dav_jmap(const struct provider *p, const char *domain, char *loc,
    size_t cap, const char **why)
{
	if (p->first[SRV_JMAP] == NULL)
		return *why = "no jmap URL for this domain", 404;
	return dav_location(p->first[SRV_JMAP]->url, domain, loc, cap, why);
}

/* The "Location: URL" line of a well-known redirect to url, for domain. */
int
dav_location(const char *url, const char *domain, char *loc, size_t cap,
    const char **why)
{
	struct fill	 f = { NULL, NULL, domain };
	struct davurl	 u;
	struct out	 o;
	size_t		 i;

	if (dav_split(&u, url, &f, why) != 0)
		return 404;
	if (!u.tls)
		return *why = "the DAV URL is http://, not redirected to",
		    404;
	/* a header value: printable ASCII only, whatever the config says */
	for (i = 0; i < u.len; i++)
		if (u.url[i] <= ' ' || u.url[i] >= 0x7f)
			return *why = "the DAV URL holds a byte a header "
			    "cannot", 404;
	out_init(&o, loc, cap - 1);
	out_str(&o, "Location: ");
	out_raw(&o, u.url, u.len);
	if (o.err)
		return *why = "the DAV URL does not fit a header", 500;
	loc[o.len] = '\0';
	return 307;
}
