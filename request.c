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

static const char OUTLOOK_SCHEMA[] =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a";
static const char MOBILESYNC_SCHEMA[] =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
    "responseschema/2006";

/* ---- routing ---------------------------------------------------------- */

/* SPEC §2; matched case-insensitively (Outlook, Windows Mail). */
static const struct route {
	const char	*path;
	enum endpoint	 ep;
} routes[] = {
	{ "/mail/config-v1.1.xml", EP_AUTOCONFIG },
	{ "/.well-known/autoconfig/mail/config-v1.1.xml", EP_AUTOCONFIG },
	{ "/v1.1/mail/config-v1.1.xml", EP_AUTOCONFIG },
	{ "/autodiscover/autodiscover.xml", EP_POX },
	{ "/autodiscover/autodiscover.json", EP_JSON },
	{ "/email.mobileconfig", EP_MOBILECONFIG },
	{ "/mobileconfig", EP_MOBILECONFIG },
};

static const char JSON_V1[] = "/autodiscover/autodiscover.json/v1.0/";

/* Methods each endpoint takes, bit per enum method, and the Allow value. */
static const struct {
	unsigned	 methods;
	const char	*allow;
} ep_methods[] = {
	[EP_AUTOCONFIG] = { 7, "GET, HEAD, POST" },
	[EP_POX] = { 7, "GET, HEAD, POST" },
	[EP_JSON] = { 3, "GET, HEAD" },
	[EP_MOBILECONFIG] = { 7, "GET, HEAD, POST" },
};

static int
route(struct request *r, const char *uri, const char *sn, const char *pi)
{
	char		 buf[PATH_MAX_LEN];
	const char	*path;
	size_t		 n, i, vl = sizeof(JSON_V1) - 1;

	if (uri != NULL && *uri != '\0') {
		path = uri;
		n = strcspn(uri, "?");
	} else if ((sn != NULL && *sn != '\0') || (pi != NULL && *pi != '\0')) {
		size_t a = sn == NULL ? 0 : strlen(sn);
		size_t b = pi == NULL ? 0 : strlen(pi);

		if (a + b >= sizeof(buf))
			REJECT(r, 404, "path too long");
		memcpy(buf, sn == NULL ? "" : sn, a);
		memcpy(buf + a, pi == NULL ? "" : pi, b);
		path = buf;
		n = a + b;
	} else {
		/* shell use: the autoconfig answer */
		r->ep = EP_AUTOCONFIG;
		return 0;
	}
	if (n >= PATH_MAX_LEN)
		REJECT(r, 404, "path too long");
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (mac_casecmp_n(path, n, routes[i].path) == 0) {
			r->ep = routes[i].ep;
			return 0;
		}
	if (n > vl && mac_casecmp_n(path, vl, JSON_V1) == 0) {
		ssize_t dl = req_urldecode(r->qaddr, sizeof(r->qaddr),
		    path + vl, n - vl);

		if (dl < 0)
			REJECT(r, 400, "bad address in the JSON path");
		r->has_qaddr = true;
		r->ep = EP_JSON;
		return 0;
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

enum qkey {
	Q_ADDR, Q_MD5, Q_PROTOCOL, Q_REDIRECTCOUNT
};

/* Keys each endpoint knows (bgplgd's rule: anything else is a 400). */
static const struct {
	const char	*name;
	enum qkey	 key;
	unsigned	 eps;		/* bit per enum endpoint */
} qkeys[] = {
	{ "emailaddress", Q_ADDR, 0xf },
	{ "email", Q_ADDR, 0xf },
	/* Evolution sends emailmd5 beside its fixed local part */
	{ "emailmd5", Q_MD5, 1 << EP_AUTOCONFIG },
	{ "protocol", Q_PROTOCOL, 1 << EP_JSON },
	{ "redirectcount", Q_REDIRECTCOUNT, 1 << EP_JSON },
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
		    (qkeys[i].eps & (1u << r->ep)))
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
			REJECT(r, 400, "address longer than 254 bytes");
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
 * SPEC §2: at most 254 bytes; a local part of at most 64 bytes, a dot-atom
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
		return *why = "address longer than 254 bytes", 400;
	if ((at = memchr(s, '@', n)) == NULL)
		return *why = "address has no '@'", 400;
	ll = (size_t)(at - s);
	if (ll == 0)
		return *why = "empty local part", 400;
	if (ll > LOCAL_MAX)
		return *why = "local part longer than 64 bytes", 400;
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
	/* a UTF-8 domain is matched through its A-label form (SPEC §2) */
	if (mac_domain_idn(a->domain, &a->dlen, at + 1, n - ll - 1, why) != 0)
		return 400;
	/* an A-label may be longer than the UTF-8 it came from */
	if (ll + 1 + a->dlen > ADDR_MAX)
		return *why = "address longer than 254 bytes", 400;
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

/* The mail domain a Host names: without autoconfig. or autodiscover. */
static void
host_domain(struct request *r)
{
	const char	*h = r->host;

	if (strncmp(h, "autoconfig.", 11) == 0 && h[11] != '\0')
		h += 11;
	else if (strncmp(h, "autodiscover.", 13) == 0 && h[13] != '\0')
		h += 13;
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
	if (r->method != M_POST)
		return 0;
	if (r->ep == EP_POX) {
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
		REJECT(r, 413, "body larger than 64 KiB");
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

int
req_start(struct request *r, req_getenv get, void *ctx)
{
	const char	*m, *q, *h, *why;
	size_t		 ql;
	int		 st;

	r->why = NULL;
	r->allow = NULL;
	r->has_addr = r->has_qaddr = r->has_protocol = false;
	r->domain[0] = r->host[0] = '\0';
	r->dlen = 0;
	r->body_want = -1;
	r->bodylen = 0;
	r->schema = POX_OUTLOOK;
	r->schema_uri[0] = '\0';
	r->pox_error = false;
	r->ua_outlook = ua_outlook(get(ctx, "HTTP_USER_AGENT"));

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
	if (!(ep_methods[r->ep].methods & (1u << r->method))) {
		r->allow = ep_methods[r->ep].allow;
		REJECT(r, 405, "method not allowed");
	}
	q = get(ctx, "QUERY_STRING");
	ql = q == NULL ? 0 : strlen(q);
	if (ql > QUERY_MAX)
		REJECT(r, 414, "query string longer than 4 KiB");
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
		REJECT(r, 413, "body larger than 64 KiB");
	/* an empty POX request is malformed too, not a request by Host */
	if (r->method == M_POST && r->bodylen == 0 && r->ep == EP_POX) {
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
	if (r->ep == EP_JSON) {
		if (!r->has_protocol)
			REJECT(r, 400, "no Protocol parameter");
		if (r->host[0] == '\0')
			REJECT(r, 400, "JSON request without a valid Host");
	}
	if (r->has_qaddr) {
		if ((st = req_address(&r->addr, r->qaddr, strlen(r->qaddr),
		    &r->why)) != 0)
			return st;
		r->has_addr = true;
		r->dlen = r->addr.dlen;
		memcpy(r->domain, r->addr.domain, r->dlen + 1);
		return 0;
	}
	if (r->host[0] == '\0')
		REJECT(r, 400, "no address and no valid Host");
	host_domain(r);
	return 0;
}

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
 * SPEC §4: EMailAddress and AcceptableResponseSchema, whatever their
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
	if (sl == 0 || strcmp(r->schema_uri, OUTLOOK_SCHEMA) == 0)
		r->schema = POX_OUTLOOK;
	else if (strcmp(r->schema_uri, MOBILESYNC_SCHEMA) == 0)
		r->schema = POX_MOBILESYNC;
	else {
		/* echoed as a namespace: printable ASCII, no markup */
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
