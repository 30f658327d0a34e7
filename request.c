/*
 * request.c: the CGI environment and the body into a struct request.
 *
 * Every limit is checked before the input it guards is parsed.  Each
 * function returns an HTTP status: 0 means go on; otherwise r->why names
 * the broken rule for the one log line.  Nothing here allocates.
 */
#include <string.h>

#include "mailautoconf.h"

#define REJECT(r, st, rule)	do { (r)->why = (rule); return (st); } while (0)

/* The limits' messages, with bounds.h's numbers */
#define MSG_QUERY_LONG	"query string longer than " LIMIT_STR(QUERY_MAX) " bytes"
#define MSG_BODY_LONG	"body larger than " LIMIT_STR(BODY_MAX) " bytes"
#define MSG_ADDR_LONG	"address longer than " LIMIT_STR(ADDR_MAX) " bytes"
#define MSG_LOCAL_LONG	"local part longer than " LIMIT_STR(LOCAL_MAX) " bytes"

/* ---- routing ---------------------------------------------------------- */

/* The path: REQUEST_URI without its query, else SCRIPT_NAME + PATH_INFO. */
static int
req_path(struct request *r, const char *uri, const char *sn, const char *pi,
    char *buf, const char **path, size_t *n)
{
	if (uri != NULL && *uri != '\0') {
		*path = uri;
		*n = strcspn(uri, "?");
	} else if ((sn != NULL && *sn != '\0') || (pi != NULL && *pi != '\0')) {
		size_t a = sn == NULL ? 0 : strlen(sn);
		size_t b = pi == NULL ? 0 : strlen(pi);

		if (a + b >= PATH_MAX_LEN)
			REJECT(r, 404, "path too long");
		memcpy(buf, sn == NULL ? "" : sn, a);
		memcpy(buf + a, pi == NULL ? "" : pi, b);
		*path = buf;
		*n = a + b;
	} else
		*path = NULL;
	return 0;
}

/*
 * DESIGN.md §2: the endpoint table's paths, matched case-insensitively
 * (Outlook, Windows Mail), then the paths that carry an address.
 */
static int
route(struct request *r, const char *uri, const char *sn, const char *pi)
{
	char		 buf[PATH_MAX_LEN];
	const char	*path, *pre;
	size_t		 n, i, vl;
	int		 e, st;

	if ((st = req_path(r, uri, sn, pi, buf, &path, &n)) != 0)
		return st;
	if (path == NULL) {
		/* shell use: the autoconfig answer */
		r->ep = EP_AUTOCONFIG;
		return 0;
	}
	if (n >= PATH_MAX_LEN)
		REJECT(r, 404, "path too long");
	for (e = 0; (size_t)e < nendpoints; e++)
		for (i = 0; endpoints[e].paths[i] != NULL; i++)
			if (mac_casecmp_n(path, n, endpoints[e].paths[i]) == 0) {
				r->ep = (enum endpoint)e;
				return 0;
			}
	for (e = 0; (size_t)e < nendpoints; e++) {
		if ((pre = endpoints[e].addr_prefix) == NULL)
			continue;
		vl = strlen(pre);
		if (n > vl && mac_casecmp_n(path, vl, pre) == 0) {
			if (req_urldecode(r->qaddr, sizeof(r->qaddr), path + vl,
			    n - vl) < 0)
				REJECT(r, 400, "bad address in the JSON path");
			r->has_qaddr = true;
			r->ep = (enum endpoint)e;
			return 0;
		}
	}
	REJECT(r, 404, "unknown path");
}

/* ---- query strings and form bodies ---------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode n bytes into dst (capacity cap, NUL included).  '+' stays
 * '+': no address holds a space, and a '+' typed in a shell or sent
 * unencoded is a sub-address (jane+list@example.com).  Bad escapes, %00
 * and output that would not fit with its NUL are errors (-1).
 */
ssize_t
req_urldecode(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	i, d = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || d + 1 >= cap)
			return -1;
		dst[d++] = (char)c;
	}
	if (cap == 0)
		return -1;
	dst[d] = '\0';
	return (ssize_t)d;
}

/* The query keys we know; the endpoint table says which each takes. */
static const struct {
	const char	*name;
	enum qkey	 key;
} qkeys[] = {
	{ "emailaddress", Q_ADDR },
	{ "email", Q_ADDR },
	{ "emailmd5", Q_MD5 },
	{ "protocol", Q_PROTOCOL },
	{ "redirectcount", Q_REDIRECTCOUNT },
};

static int
query_pair(struct request *r, const char *k, size_t kl, const char *v,
    size_t vl, unsigned *seen)
{
	char	tmp[QVAL_MAX];
	size_t	i;
	ssize_t	dl;

	for (i = 0; i < sizeof(qkeys) / sizeof(qkeys[0]); i++)
		if (mac_casecmp_n(k, kl, qkeys[i].name) == 0 &&
		    (endpoints[r->ep].query & QB(qkeys[i].key)))
			break;
	if (i == sizeof(qkeys) / sizeof(qkeys[0]))
		REJECT(r, 400, "unknown parameter");
	if (*seen & (1u << qkeys[i].key))
		REJECT(r, 400, "repeated parameter");
	*seen |= 1u << qkeys[i].key;
	switch (qkeys[i].key) {
	case Q_ADDR:
		if (r->has_qaddr)
			REJECT(r, 400, "repeated parameter");
		if (vl > 3 * QVAL_MAX)
			REJECT(r, 400, MSG_ADDR_LONG);
		dl = req_urldecode(r->qaddr, sizeof(r->qaddr), v, vl);
		if (dl < 0)
			REJECT(r, 400, "bad percent-escape, %00 or overlong "
			    "address");
		r->has_qaddr = true;
		break;
	case Q_PROTOCOL:
		dl = req_urldecode(r->protocol, sizeof(r->protocol), v, vl);
		if (dl < 0)
			REJECT(r, 400, "bad Protocol parameter");
		r->has_protocol = true;
		break;
	default:
		if (req_urldecode(tmp, sizeof(tmp), v, vl) < 0)
			REJECT(r, 400, "bad percent-escape or %00");
		/* only Evolution sends emailmd5 (autoconfig.c orders for it) */
		if (qkeys[i].key == Q_MD5)
			r->evolution = true;
		break;
	}
	return 0;
}

/* "k=v&k=v": every pair needs its '=', no key twice. */
int
req_query(struct request *r, const char *q, size_t n)
{
	unsigned	 seen = 0;
	size_t		 i = 0;
	int		 st;

	/* a key seen in the query counts when the form body repeats it */
	if (r->has_qaddr)
		seen |= 1u << Q_ADDR;
	if (r->has_protocol)
		seen |= 1u << Q_PROTOCOL;
	while (i < n) {
		const char	*p = q + i, *amp, *eq;
		size_t		 pl;

		amp = memchr(p, '&', n - i);
		pl = amp != NULL ? (size_t)(amp - p) : n - i;
		if (pl == 0)
			REJECT(r, 400, "empty parameter");
		if ((eq = memchr(p, '=', pl)) == NULL)
			REJECT(r, 400, "parameter without '='");
		if ((size_t)(eq - p) > QKEY_MAX)
			REJECT(r, 400, "unknown parameter");
		st = query_pair(r, p, (size_t)(eq - p), eq + 1,
		    pl - (size_t)(eq - p) - 1, &seen);
		if (st != 0)
			return st;
		i += pl + (amp != NULL ? 1 : 0);
		if (amp != NULL && i == n)
			REJECT(r, 400, "empty parameter");
	}
	return 0;
}

/* ---- addresses and host names ----------------------------------------- */

static bool
atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 ||
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/*
 * DESIGN.md §2: at most 254 bytes; a local part of at most 64 bytes, a dot-atom
 * of RFC 5322 atext or UTF-8 without control characters (RFC 6531), never
 * quoted; a domain of LDH labels, no IP literal.
 */
int
req_address(struct address *a, const char *s, size_t n, const char **why)
{
	const char	*at;
	size_t		 ll, i;

	if (n == 0)
		return *why = "empty address", 400;
	if (n > ADDR_MAX)
		return *why = MSG_ADDR_LONG, 400;
	if ((at = memchr(s, '@', n)) == NULL)
		return *why = "address has no '@'", 400;
	ll = (size_t)(at - s);
	if (ll == 0)
		return *why = "empty local part", 400;
	if (ll > LOCAL_MAX)
		return *why = MSG_LOCAL_LONG, 400;
	for (i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (i == 0 || i == ll - 1 || s[i - 1] == '.')
				return *why = "misplaced '.' in local part",
				    400;
		} else if (!atext(c))
			return *why = "local part is not a dot-atom", 400;
	}
	if (!mac_text_ok(s, ll))
		return *why = "local part is not valid UTF-8 text", 400;
	if (n - ll - 1 > 0 && s[ll + 1] == '[')
		return *why = "IP literal as domain", 400;
	/* a UTF-8 domain is matched through its A-label form (DESIGN.md §2) */
	if (mac_domain_idn(a->domain, &a->dlen, at + 1, n - ll - 1, why) != 0)
		return 400;
	/* an A-label may be longer than the UTF-8 it came from */
	if (ll + 1 + a->dlen > ADDR_MAX)
		return *why = MSG_ADDR_LONG, 400;
	memcpy(a->local, s, ll);
	a->local[ll] = '\0';
	memcpy(a->full, s, ll + 1);
	memcpy(a->full + ll + 1, a->domain, a->dlen + 1);
	return 0;
}

/*
 * The Host header: a port is dropped, the name must be a domain.  dst gets
 * the whole host name (DOMAIN_MAX + 1 bytes).
 */
int
req_host(char *dst, const char *h, const char **why)
{
	size_t	n, dl;

	if (h == NULL || *h == '\0')
		return *why = "no Host", 400;
	n = strcspn(h, ":");
	if (h[n] == ':') {
		long long port;

		if (mac_strtonum(h + n + 1, 1, 65535, &port) != 0)
			return *why = "bad port in Host", 400;
	}
	if (mac_domain_idn(dst, &dl, h, n, why) != 0)
		return 400;
	return 0;
}

/*
 * The service host prefixes: a client that has no address asks the host
 * of the service, and the mail domain is what follows the prefix
 * (DESIGN.md §2).  Thunderbird's autoconfig., Outlook's autodiscover.,
 * PACC's ua-auto-config. (draft-ietf-mailmaint-pacc).  The probe strips
 * them the same way (req_svc_domain).
 */
static const char *const svc_prefixes[] = {
	"autoconfig.", "autodiscover.", "ua-auto-config.",
};

/* The mail domain host h names: h without a service prefix. */
const char *
req_svc_domain(const char *h)
{
	size_t	i, n;

	for (i = 0; i < sizeof(svc_prefixes) / sizeof(svc_prefixes[0]); i++) {
		n = strlen(svc_prefixes[i]);
		if (strncmp(h, svc_prefixes[i], n) == 0 && h[n] != '\0')
			return h + n;
	}
	return h;
}

static void
host_domain(struct request *r)
{
	const char	*h = req_svc_domain(r->host);

	r->dlen = strlen(h);
	memcpy(r->domain, h, r->dlen + 1);
}

/* ---- the request ------------------------------------------------------ */

static bool
ctype_is(const char *ct, const char *want)
{
	size_t	n;

	if (ct == NULL)
		return false;
	n = strcspn(ct, "; \t");
	return mac_casecmp_n(ct, n, want) == 0;
}

static int
req_body_rules(struct request *r, const char *ct, const char *cl)
{
	long long len;

	r->form_body = false;
	if (r->method != M_POST || endpoints[r->ep].no_body)
		return 0;
	if (endpoints[r->ep].xml_body) {
		if (ct != NULL && *ct != '\0' && !ctype_is(ct, "text/xml") &&
		    !ctype_is(ct, "application/xml"))
			REJECT(r, 415, "POX body is not text/xml");
	} else if (ctype_is(ct, "application/x-www-form-urlencoded"))
		r->form_body = true;
	else
		REJECT(r, 415, "POST body is not form-encoded");
	if (cl == NULL || *cl == '\0') {
		/* chunked (Samsung mail): read to EOF, at most the limit */
		r->body_want = BODY_MAX + 1;
		return 0;
	}
	if (mac_strtonum(cl, 0, 0x7fffffffffffffffLL, &len) != 0)
		REJECT(r, 400, "bad Content-Length");
	if (len > BODY_MAX)
		REJECT(r, 413, MSG_BODY_LONG);
	r->body_want = (long)len;
	return 0;
}

/*
 * Outlook for Windows ("Microsoft Office/16.0 (... Microsoft Outlook
 * 16.0...)") may take an EXCH block for an Exchange account and skip
 * IMAP.  The User-Agent only selects: it is kept as this one bit.
 */
static bool
ua_outlook(const char *ua)
{
	return ua != NULL && (strstr(ua, "Microsoft Office/") != NULL ||
	    strstr(ua, "Microsoft Outlook") != NULL);
}

/*
 * The kind of client, for the log line (log.c): the first entry whose
 * pattern the User-Agent holds (any case) names it; "other" else.
 * Android builds of Thunderbird come before Thunderbird.
 */
static const struct {
	const char	*pattern;
	const char	*kind;
} clients[] = {
	{ "k-9", "k9" },
	{ "k9mail", "k9" },
	{ "thunderbird-android", "k9" },
	{ "fairemail", "fairemail" },
	{ "thunderbird", "thunderbird" },
	{ "outlook", "outlook" },
	{ "microsoft office", "outlook" },
	{ "msoffice", "outlook" },
	{ "windows-mail", "outlook" },
	{ "evolution", "evolution" },
	{ "kmail", "kmail" },
	{ "akonadi", "kmail" },
	{ "geary", "geary" },
	{ "iphone", "apple" },
	{ "ipad", "apple" },
	{ "macintosh", "apple" },
	{ "cfnetwork", "apple" },
	{ "darwin", "apple" },
	{ "curl/", "curl" },
};

static const char *
ua_client(const char *ua)
{
	size_t	i;

	if (ua == NULL)
		return "other";
	for (i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
		if (strcasestr(ua, clients[i].pattern) != NULL)
			return clients[i].kind;
	return "other";
}

int
req_start(struct request *r, req_getenv get, void *ctx)
{
	const char	*m, *q, *h, *why;
	size_t		 ql;
	int		 st;

	r->why = NULL;
	r->has_addr = r->has_qaddr = r->has_protocol = false;
	r->domain[0] = r->host[0] = '\0';
	r->dlen = 0;
	r->body_want = -1;
	r->bodylen = 0;
	r->schema = POX_OUTLOOK;
	r->schema_uri[0] = '\0';
	r->pox_error = false;
	r->ua_outlook = ua_outlook(get(ctx, "HTTP_USER_AGENT"));
	r->client = ua_client(get(ctx, "HTTP_USER_AGENT"));
	r->evolution = strcmp(r->client, "evolution") == 0;

	m = get(ctx, "REQUEST_METHOD");
	if (m == NULL || strcmp(m, "GET") == 0)
		r->method = M_GET;
	else if (strcmp(m, "HEAD") == 0)
		r->method = M_HEAD;
	else if (strcmp(m, "POST") == 0)
		r->method = M_POST;
	else
		r->method = M_OTHER;

	r->ep = EP_AUTOCONFIG;
	if ((st = route(r, get(ctx, "REQUEST_URI"), get(ctx, "SCRIPT_NAME"),
	    get(ctx, "PATH_INFO"))) != 0)
		return st;
	if (!(endpoints[r->ep].methods & MB(r->method)))
		REJECT(r, 405, "method not allowed");
	q = get(ctx, "QUERY_STRING");
	ql = q == NULL ? 0 : strlen(q);
	if (ql > QUERY_MAX)
		REJECT(r, 414, MSG_QUERY_LONG);
	if ((st = req_query(r, q == NULL ? "" : q, ql)) != 0)
		return st;
	h = get(ctx, "HTTP_HOST");
	if (h != NULL && req_host(r->host, h, &why) != 0)
		r->host[0] = '\0';
	return req_body_rules(r, get(ctx, "CONTENT_TYPE"),
	    get(ctx, "CONTENT_LENGTH"));
}

int
req_finish(struct request *r)
{
	int	st;

	if (r->method == M_POST && r->bodylen > BODY_MAX)
		REJECT(r, 413, MSG_BODY_LONG);
	/* an empty POX request is malformed too, not a request by Host */
	if (r->method == M_POST && r->bodylen == 0 &&
	    endpoints[r->ep].xml_body) {
		r->pox_error = true;
		r->why = "empty Autodiscover request (error 600)";
		return 0;
	}
	if (r->method == M_POST && r->bodylen > 0) {
		if (r->form_body) {
			if ((st = req_query(r, r->body, r->bodylen)) != 0)
				return st;
		} else if ((st = req_pox(r, r->body, r->bodylen)) != 0)
			return st;
		if (r->pox_error)
			return 0;
	}
	if (endpoints[r->ep].need_protocol && !r->has_protocol)
		REJECT(r, 400, "no Protocol parameter");
	if (endpoints[r->ep].need_host && r->host[0] == '\0')
		REJECT(r, 400, "request without a valid Host");
	if (r->has_qaddr) {
		if ((st = req_address(&r->addr, r->qaddr, strlen(r->qaddr),
		    &r->why)) != 0)
			return st;
		r->has_addr = true;
		r->dlen = r->addr.dlen;
		memcpy(r->domain, r->addr.domain, r->dlen + 1);
		return 0;
	}
	if (r->host[0] == '\0' && !endpoints[r->ep].any_domain)
		REJECT(r, 400, "no address and no valid Host");
	host_domain(r);
	return 0;
}
