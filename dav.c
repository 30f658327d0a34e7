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

static const struct {
	const char	*name;
	size_t		 len;
	size_t		 off;
} dav_ph[] = {
	{ "%EMAILADDRESS%", 14, offsetof(struct fill, address) },
	{ "%EMAILLOCALPART%", 16, offsetof(struct fill, local) },
	{ "%EMAILDOMAIN%", 13, offsetof(struct fill, domain) },
};

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
	size_t	i = 0, k;

	while (i < n) {
		const char	*v = NULL;

		if (s[i] != '%') {
			if (!put(u, d, s + i, 1, false))
				return false;
			i++;
			continue;
		}
		for (k = 0; k < sizeof(dav_ph) / sizeof(dav_ph[0]); k++)
			if (n - i >= dav_ph[k].len &&
			    memcmp(s + i, dav_ph[k].name, dav_ph[k].len) == 0)
				break;
		if (k == sizeof(dav_ph) / sizeof(dav_ph[0])) {
			/* a percent-escape of the URL itself */
			if (authority || !put(u, d, s + i, 1, false))
				return false;
			i++;
			continue;
		}
		if (f != NULL)
			v = *(const char *const *)((const char *)f +
			    dav_ph[k].off);
		if (v == NULL || (authority && k != 2))
			return false;
		if (!put(u, d, v, strlen(v), !authority))
			return false;
		i += dav_ph[k].len;
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
