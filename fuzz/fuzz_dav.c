/*
 * fuzz_dav.c: dav_split, the caldav/carddav URL filler and splitter, and
 * the PACC document and --dns records built on it.
 *
 * Input: "URL\nADDRESS" (no newline: a per-domain answer, no address).
 * A URL that is accepted must come out within its limits, with a host of
 * DNS characters or an IPv6 literal, a port in range, a path that starts
 * with '/', and no '/', '?' or '#' from the address.
 */
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
structure(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += strchr("/?#", *s) != NULL;
	return n;
}

static void
check(const struct davurl *u, const char *url)
{
	size_t	i, hl = strlen(u->host);

	if (u->len != strlen(u->url) || u->len > DAV_URL_MAX)
		abort();
	if (strncmp(u->url, u->tls ? "https://" : "http://",
	    u->tls ? 8 : 7) != 0)
		abort();
	if (hl == 0 || hl > DOMAIN_MAX || u->port == 0 || u->port > 65535)
		abort();
	for (i = 0; i < hl; i++)
		if (strchr(u->literal ? "0123456789abcdefABCDEF:." :
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-", u->host[i]) == NULL)
			abort();
	if (u->path >= u->len || u->url[u->path] != '/' ||
	    u->path + u->plen > u->len)
		abort();
	/*
	 * a filled address is percent-encoded: the URL's structure ('/',
	 * '?', '#') is the template's, plus the '/' of an empty path
	 */
	if (structure(u->url) != structure(url) &&
	    structure(u->url) != structure(url) + 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 buf[DAV_URL_MAX * 2];
	struct address	 a;
	struct fill	 f = { NULL, NULL, "example.org" };
	struct davurl	 u;
	const char	*why, *nl;
	size_t		 ul;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (strlen(buf) != size)
		return 0;
	if ((nl = strchr(buf, '\n')) != NULL) {
		ul = (size_t)(nl - buf);
		buf[ul] = '\0';
		if (req_address(&a, nl + 1, strlen(nl + 1), &why) == 0) {
			f.address = a.full;
			f.local = a.local;
			f.domain = a.domain;
		}
	}
	if (dav_split(&u, buf, &f, &why) == 0)
		check(&u, buf);
	else if (why == NULL)
		abort();
	return 0;
}
