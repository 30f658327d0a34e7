/*
 * probe_net.c: every connection of the probe, through libcurl: the
 * HTTP(S) requests of the clients' lists and the IMAP, POP3 and SMTP
 * servers the answers announce (greeting, STARTTLS, implicit TLS).
 * Certificates are verified against the system's store (plus --ca) with
 * SNI set to the URL's host; the name is checked on the certificate the
 * handshake read (CURLOPT_CERTINFO, pn_named); when libcurl refuses the
 * chain, a second handshake without verification reads it to say why.
 *
 * Where to connect: the probe's own DNS look-up (probe_dns.c, so that
 * --resolver is obeyed), then the --connect-to rules, handed to curl as
 * CURLOPT_CONNECT_TO; curl itself never resolves a name.
 */
#define _XOPEN_SOURCE 700
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "probe.h"

/*
 * The Fetch standard's bad ports (fetch.spec.whatwg.org, "port blocking"),
 * which browsers and Thunderbird's Gecko never fetch from: a redirect, a
 * JSON Url or an SRV record naming one would make the probe speak HTTP to
 * a mail, SSH or X11 port of the answer's choosing.
 */
static const unsigned short bad_ports[] = {
	1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69,
	77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119,
	123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
	526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
	993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000,
	6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080
};

static struct route	 routes[PR_ROUTES_MAX];
static size_t		 nroutes;
static const char	*cafile;
long			 pr_timeout = PR_TIMEOUT;
static struct timespec	 deadline;	/* of the domain; 0: none */
static struct timespec	 step_end;	/* of a step and its redirects */
unsigned long		 pn_connects, pn_requests, pn_reused;
static CURLSH		*share;		/* the kept connections */

bool
pn_bad_port(unsigned port)
{
	size_t	i;

	for (i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++)
		if (bad_ports[i] == port)
			return true;
	return false;
}

/* from now on, everything ends within secs seconds; 0: no deadline */
void
pn_deadline(long secs)
{
	memset(&deadline, 0, sizeof(deadline));
	if (secs > 0 && clock_gettime(CLOCK_MONOTONIC, &deadline) == 0)
		deadline.tv_sec += secs;
}

/* a step begins (on) or ends: its redirect hops share one time-out */
void
pn_step(bool on)
{
	memset(&step_end, 0, sizeof(step_end));
	if (on && clock_gettime(CLOCK_MONOTONIC, &step_end) == 0)
		step_end.tv_sec += pr_timeout;
}

static long
pn_ms(const struct timespec *end, const struct timespec *now)
{
	if (end->tv_sec == 0)
		return pr_timeout * 1000;
	return (long)(end->tv_sec - now->tv_sec) * 1000 +
	    (end->tv_nsec - now->tv_nsec) / 1000000;
}

static long
pn_domain_left(void)
{
	struct timespec	now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 1;
	return pn_ms(&deadline, &now);
}

/* milliseconds to the nearest deadline (one time-out at most); <= 0: past */
long
pn_left(void)
{
	struct timespec	now;
	long		ms, st;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return pr_timeout * 1000;
	ms = pn_ms(&deadline, &now);
	if ((st = pn_ms(&step_end, &now)) < ms)
		ms = st;
	return ms < pr_timeout * 1000 ? ms : pr_timeout * 1000;
}

/*
 * The HTTP connections are kept between requests (libcurl's connection
 * cache, shared by every request of the run): the domains of a fleet
 * whose names lead to one web server reach it over the same few
 * connections.
 */
int
pn_init(const char *ca)
{
	cafile = ca;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (share = curl_share_init()) == NULL ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) !=
	    CURLSHE_OK)
		return -1;
	return 0;
}

static void	memo_clear(void);

void
pn_free(void)
{
	memo_clear();
	curl_share_cleanup(share);
	share = NULL;
	curl_global_cleanup();
}

static int
num_port(const char *s, size_t n, unsigned *port)
{
	char		b[8];
	long long	v;

	if (n == 0) {
		*port = 0;
		return 0;
	}
	if (n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	if (mac_strtonum(b, 1, 65535, &v) != 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* HOST:PORT:IP:PORT, as curl's --connect-to; an empty field: any/same */
int
pn_route_add(const char *spec)
{
	struct route	*r;
	const char	*f[4], *e;
	size_t		 len[4], i;

	if (nroutes >= PR_ROUTES_MAX)
		return -1;
	r = &routes[nroutes];
	for (i = 0, e = spec; i < 4; i++) {
		f[i] = e;
		if (*e == '[' && (e = strchr(e, ']')) == NULL)
			return -1;
		e += strcspn(e, ":");
		len[i] = (size_t)(e - f[i]);
		if (i < 3 && *e++ != ':')
			return -1;
	}
	if (*e != '\0' || len[0] > DOMAIN_MAX || len[2] >= sizeof(r->to))
		return -1;
	pp_copy(r->host, sizeof(r->host), f[0], len[0]);
	pp_copy(r->to, sizeof(r->to), f[2], len[2]);
	if (num_port(f[1], len[1], &r->port) != 0 ||
	    num_port(f[3], len[3], &r->toport) != 0)
		return -1;
	nroutes++;
	return 0;
}

/*
 * "host:port:addr:port" for CURLOPT_CONNECT_TO, or -1 with err set when
 * the name has no address.
 */
static int
pn_target(const char *host, unsigned port, char *dst, size_t n, char *err,
    size_t en)
{
	struct pd_addrs	 a;
	const char	*to = NULL;
	unsigned	 toport = port;
	size_t		 i;
	enum pd_rc	 rc;

	for (i = 0; i < nroutes; i++) {
		if ((routes[i].host[0] != '\0' &&
		    strcasecmp(routes[i].host, host) != 0) ||
		    (routes[i].port != 0 && routes[i].port != port))
			continue;
		if (routes[i].to[0] != '\0')
			to = routes[i].to;
		if (routes[i].toport != 0)
			toport = routes[i].toport;
		break;
	}
	if (to == NULL) {
		if ((rc = pd_addr(host, &a)) != PD_OK) {
			pr_msg(err, en, "%s", rc == PD_FAIL ?
			    "DNS look-up failed" : "no address");
			return -1;
		}
		to = a.a[0];
	}
	if (strchr(to, ':') != NULL && to[0] != '[')
		pr_msg(dst, n, "%s:%u:[%s]:%u", host, port, to, toport);
	else
		pr_msg(dst, n, "%s:%u:%s:%u", host, port, to, toport);
	return 0;
}

static size_t
pn_write(char *data, size_t sz, size_t nm, void *u)
{
	struct fetch	*f = u;
	size_t		 n = sz * nm;
	char		*nb;

	if (f->len + n > PR_BODY_MAX) {
		f->cut = true;
		return 0;
	}
	if ((nb = realloc(f->body, f->len + n + 1)) == NULL)
		return 0;
	f->body = nb;
	memcpy(f->body + f->len, data, n);
	f->len += n;
	f->body[f->len] = '\0';
	return n;
}

static time_t
pn_time(const char *s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%b %d %H:%M:%S %Y GMT", &tm) == NULL)
		return (time_t)-1;
	return timegm(&tm);
}

/* "DNS:a, DNS:b, IP Address:..." -> the DNS names, shown safely */
static void
pn_sans(struct certview *cv, const char *v)
{
	size_t	n, o;

	while (*v != '\0') {
		while (*v == ' ' || *v == ',')
			v++;
		n = strcspn(v, ",");
		if (n <= 4 || strncmp(v, "DNS:", 4) != 0) {
			v += n;
			continue;
		}
		if (cv->nnames >= PR_CERTNAMES)
			cv->nmore++;
		else
			pp_show(cv->names[cv->nnames++], PR_SHOW_MAX, v + 4,
			    n - 4);
		o = strlen(cv->all);
		if (o + n - 4 + 2 > sizeof(cv->all))
			cv->allcut = true;
		else {
			pp_copy(cv->all + o, sizeof(cv->all) - o, v + 4, n - 4);
			strcat(cv->all + o, "\n");
		}
		v += n;
	}
}

/* RFC 6125: a name, or "*." covering exactly one left-most label */
bool
pn_cert_covers(const struct certview *cv, const char *host)
{
	const char	*dot = strchr(host, '.'), *p, *e;
	size_t		 l, hl = strlen(host), dl = dot != NULL ? strlen(dot) : 0;

	for (p = cv->all; *p != '\0'; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			break;
		l = (size_t)(e - p);
		if (l == hl && strncasecmp(p, host, l) == 0)
			return true;
		/* "*.b.c": one label for the star, two after it at least */
		if (l > 2 && p[0] == '*' && p[1] == '.' && dot != NULL &&
		    dot != host && dl == l - 1 &&
		    memchr(p + 2, '.', l - 2) != NULL &&
		    strncasecmp(p + 1, dot, l - 1) == 0)
			return true;
	}
	return false;
}

/* the leaf certificate's names, issuer and dates, from CURLINFO_CERTINFO */
static void
pn_certinfo(CURL *c, struct certview *cv)
{
	struct curl_certinfo	*ci = NULL;
	struct curl_slist	*l;
	time_t			 now = time(NULL), t;

	memset(cv, 0, sizeof(*cv));
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	cv->have = true;
	for (l = ci->certinfo[0]; l != NULL; l = l->next) {
		const char *v = strchr(l->data, ':');

		if (v++ == NULL)
			continue;
		if (strncmp(l->data, "Issuer:", 7) == 0)
			pp_show(cv->issuer, sizeof(cv->issuer), v, strlen(v));
		else if (strncmp(l->data, "Expire date:", 12) == 0 &&
		    (t = pn_time(v)) != (time_t)-1)
			cv->days = (long)((t - now) / 86400) - (t < now);
		else if (strncmp(l->data, "Start date:", 11) == 0 &&
		    (t = pn_time(v)) != (time_t)-1)
			cv->notyet = t > now;
		else if (strncmp(l->data, "X509v3 Subject Alternative Name:",
		    32) == 0)
			pn_sans(cv, v);
	}
}

/* the options every connection shares: routing, trust, the time-out */
static CURL *
pn_easy(const char *host, unsigned port, struct curl_slist **ct, char *err,
    size_t en, int *rc)
{
	CURL	*c;
	char	 to[DOMAIN_MAX + 96];
	long	 left = pn_left();

	*ct = NULL;
	*rc = CURLE_OPERATION_TIMEDOUT;
	if (left <= 0) {
		pr_msg(err, en, "not tried: the probe's time for this %s ran "
		    "out", pn_domain_left() > 0 ? "step and its redirects" :
		    "domain");
		return NULL;
	}
	*rc = CURLE_COULDNT_RESOLVE_HOST;
	if (pn_target(host, port, to, sizeof(to), err, en) != 0)
		return NULL;
	if ((c = curl_easy_init()) == NULL ||
	    (*ct = curl_slist_append(NULL, to)) == NULL) {
		curl_easy_cleanup(c);
		pr_msg(err, en, "out of memory");
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_CONNECT_TO, *ct);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (cafile != NULL) {
		/* an extra anchor: the file, and the system's store beside */
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
		curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	return c;
}

/*
 * A connection and its handshake, no request (mail: the greeting and
 * STARTTLS when usessl): what the server presents.  Without verify, the
 * certificate is read whatever it is, to say why it was refused.
 */
static int
pn_handshake(const char *url, const char *host, unsigned port, long usessl,
    bool verify, struct certview *cv, char *err, size_t en)
{
	struct curl_slist	*ct;
	char			 eb[CURL_ERROR_SIZE];
	CURL			*c;
	int			 rc;

	memset(cv, 0, sizeof(*cv));
	if ((c = pn_easy(host, port, &ct, err, en, &rc)) == NULL)
		return rc;
	pn_connects++;
	eb[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, eb);
	if (usessl != 0)
		curl_easy_setopt(c, CURLOPT_USE_SSL, usessl);
	if (!verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	rc = (int)curl_easy_perform(c);
	if (rc == CURLE_OK)
		pn_certinfo(c, cv);
	else
		pp_show(err, en, eb[0] ? eb : curl_easy_strerror(rc),
		    strlen(eb[0] ? eb : curl_easy_strerror(rc)));
	curl_easy_cleanup(c);
	curl_slist_free_all(ct);
	return rc;
}

/* ---- what the run remembers (PR_SEEN_MAX, PR_MEMO_MAX) --------------- */

struct seen {
	/* the CONNECT_TO line; for a request that had no answer, then its
	 * method and path */
	char		 key[DOMAIN_MAX + 96 + PR_URL_MAX];
	unsigned long	 used;
	int		 rc;	/* CURLE_OK: cert is what it presents */
	char		 err[PR_MSG_MAX];
	struct certview	 cert;
};

struct memo {
	char		*key;	/* URL, method and body, headers */
	size_t		 klen;
	unsigned long	 used;
	struct fetch	 f;	/* its body a copy of our own */
};

static struct seen	 seen[PR_SEEN_MAX];
static struct memo	 memo[PR_MEMO_MAX];
static unsigned long	 ticks;

static struct seen *
seen_find(const char *key)
{
	size_t	i;

	for (i = 0; i < PR_SEEN_MAX; i++)
		if (seen[i].key[0] != '\0' && strcmp(seen[i].key, key) == 0) {
			seen[i].used = ++ticks;
			return &seen[i];
		}
	return NULL;
}

static void
seen_put(const char *key, int rc, const char *err, const struct certview *cv)
{
	struct seen	*s;
	size_t		 i;

	if ((s = seen_find(key)) == NULL)
		for (s = &seen[0], i = 1; i < PR_SEEN_MAX; i++)
			if (seen[i].used < s->used)
				s = &seen[i];
	mac_strlcpy(s->key, key, sizeof(s->key));
	s->used = ++ticks;
	s->rc = rc;
	mac_strlcpy(s->err, err, sizeof(s->err));
	if (cv != NULL)
		s->cert = *cv;
	else
		memset(&s->cert, 0, sizeof(s->cert));
}

/* a request as a key: URL, then method and body, then headers */
static char *
memo_key(const char *url, const char *body, const char *hd, size_t *kl)
{
	size_t	ul = strlen(url) + 1, bl = body ? strlen(body) : 0,
		hl = hd ? strlen(hd) : 0;
	char	*k;

	*kl = ul + 1 + bl + 1 + hl;
	if ((k = malloc(*kl)) == NULL)
		return NULL;
	memcpy(k, url, ul);
	k[ul] = body != NULL ? 'P' : 'G';
	if (bl > 0)
		memcpy(k + ul + 1, body, bl);
	k[ul + 1 + bl] = '\0';
	if (hl > 0)
		memcpy(k + ul + 2 + bl, hd, hl);
	return k;
}

static char *
memo_dup(const struct fetch *f)
{
	char	*b;

	if (f->body == NULL || (b = malloc(f->len + 1)) == NULL)
		return NULL;
	memcpy(b, f->body, f->len + 1);
	return b;
}

/* the same request sent before: its answer into f */
static bool
memo_get(const char *key, size_t kl, struct fetch *f)
{
	size_t	i;

	for (i = 0; i < PR_MEMO_MAX; i++) {
		struct memo *m = &memo[i];

		if (m->key == NULL || m->klen != kl || memcmp(m->key, key, kl))
			continue;
		*f = m->f;
		if ((f->body = memo_dup(&m->f)) == NULL && m->f.body != NULL)
			return false;
		m->used = ++ticks;
		pn_reused++;
		return true;
	}
	return false;
}

/* an answer kept, in the place of the least recently used; key is ours */
static void
memo_put(char *key, size_t kl, const struct fetch *f)
{
	struct memo	*m = &memo[0];
	size_t		 i;

	if (f->rc != CURLE_OK || f->status == 0 || f->len > PR_MEMO_BODY) {
		free(key);
		return;
	}
	for (i = 1; i < PR_MEMO_MAX && m->key != NULL; i++)
		if (memo[i].key == NULL || memo[i].used < m->used)
			m = &memo[i];
	free(m->key);
	free(m->f.body);
	m->key = key;
	m->klen = kl;
	m->used = ++ticks;
	m->f = *f;
	m->f.body = memo_dup(f);
	if (m->f.body == NULL)
		m->f.len = 0;
}

static void
memo_clear(void)
{
	size_t	i;

	for (i = 0; i < PR_MEMO_MAX; i++) {
		free(memo[i].key);
		free(memo[i].f.body);
	}
	memset(memo, 0, sizeof(memo));
}

/* host and port of an http(s) URL */
static int
pn_url(const char *url, char *host, size_t hn, unsigned *port)
{
	CURLU	*u = curl_url();
	char	*h = NULL, *p = NULL;
	int	 rc = -1;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK && strlen(h) < hn) {
		mac_strlcpy(host, h, hn);
		*port = (unsigned)atoi(p);
		rc = 0;
	}
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

static void
pn_result(CURL *c, struct fetch *f)
{
	char	*s = NULL;
	long	 code = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	f->status = code;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		pp_copy(f->ctype, sizeof(f->ctype), s, strlen(s));
	s = NULL;
	if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &s) == CURLE_OK &&
	    s != NULL)
		pp_copy(f->location, sizeof(f->location), s, strlen(s));
	s = NULL;
	if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &s) == CURLE_OK &&
	    s != NULL)
		pp_copy(f->ip, sizeof(f->ip), s, strlen(s));
	pn_certinfo(c, &f->cert);
}

/* "Name: value" lines joined by '\n', as a curl list */
static struct curl_slist *
pn_headers(const char *headers)
{
	struct curl_slist	*hl = NULL;
	const char		*p, *e;
	char			 line[512];

	for (p = headers; p != NULL && *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		pp_copy(line, sizeof(line), p, (size_t)(e - p));
		hl = curl_slist_append(hl, line);
	}
	return hl;
}

/*
 * The keys under which what a request met is kept: its server (name,
 * port, address: the CONNECT_TO line), the address alone, and the server
 * with the method and path (no query).
 */
struct keys {
	const char	*conn;
	char		 addr[80];
	char		 path[sizeof(seen[0].key)];
};

static void
pn_keys(struct keys *k, const char *conn, const char *url, bool post)
{
	const char	*a = strchr(conn, ':'), *p = strstr(url, "://");

	k->conn = conn;
	/* "host:port:" is left out of the address's key */
	a = a != NULL ? strchr(a + 1, ':') : NULL;
	pr_msg(k->addr, sizeof(k->addr), "@%s", a != NULL ? a + 1 : conn);
	p = p != NULL ? p + 3 + strcspn(p + 3, "/?#") : url;
	pr_msg(k->path, sizeof(k->path), "%s %s %.*s", conn, post ? "POST" :
	    "GET", (int)strcspn(p, "?#"), p);
}

/*
 * After a request: count its connection, and remember what the server
 * did.  A kept connection's certificate is the one read when it was
 * made.  A refused certificate is read again without verification, to
 * say why.  An address that refused the connection, or never completed it
 * (TCP, or the TLS handshake) within half a time-out or more, is not
 * tried again in this run, whatever name leads there; nor is a path that
 * gave no answer in that time (with another query: the next domain's
 * address).
 */
static void
pn_remember(CURL *c, const struct keys *k, const char *url,
    const char *host, unsigned port, long given, struct fetch *f)
{
	struct seen	*s;
	curl_off_t	 ct = 0, act = 0;
	long		 nc = 0;
	char		 e2[PR_MSG_MAX];
	bool		 slow = f->rc == CURLE_OPERATION_TIMEDOUT &&
			    given >= pr_timeout * 500;

	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nc);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &ct);
	curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &act);
	if (f->status != 0 && nc == 0) {
		if ((s = seen_find(k->conn)) != NULL && s->rc == CURLE_OK)
			f->cert = s->cert;
		return;
	}
	pn_connects += nc > 0 ? (unsigned long)nc : 1;
	if (f->status != 0 && f->cert.have)
		seen_put(k->conn, CURLE_OK, "", &f->cert);
	else if (f->rc == CURLE_PEER_FAILED_VERIFICATION) {
		if (!f->cert.have)
			pn_handshake(url, host, port, 0, false, &f->cert, e2,
			    sizeof(e2));
		seen_put(k->conn, f->rc, f->err, &f->cert);
	} else if (f->rc == CURLE_COULDNT_CONNECT || (slow && (ct == 0 ||
	    (strncmp(url, "https:", 6) == 0 && act == 0))))
		seen_put(k->addr, f->rc, f->err, NULL);
	else if (slow && f->status == 0)
		seen_put(k->path, f->rc, f->err, NULL);
}

/* a failure kept under key, into f; false when there is none */
static bool
pn_failed(const char *key, struct fetch *f)
{
	struct seen	*s = seen_find(key);

	if (s == NULL || s->rc == CURLE_OK)
		return false;
	f->rc = s->rc;
	if (s->rc == CURLE_OPERATION_TIMEDOUT)
		pr_msg(f->err, sizeof(f->err), "not tried again: it gave no "
		    "answer within %ld s earlier in this run", pr_timeout);
	else
		mac_strlcpy(f->err, s->err, sizeof(f->err));
	f->cert = s->cert;
	pn_reused++;
	return true;
}

/* what an earlier request there ended with, when it failed */
static bool
pn_failed_before(const struct keys *k, struct fetch *f)
{
	return pn_failed(k->conn, f) || pn_failed(k->addr, f) ||
	    pn_failed(k->path, f);
}

/*
 * Plain http goes to the address, the name in the Host header: curl
 * keeps a connection per name, so the domains of a fleet that lead to
 * one web server would each open their own.  The request's bytes are the
 * client's.  url becomes the address's; origin is the name's, for a
 * redirect the server made relative.
 */
static struct curl_slist *
pn_plain(const char *key, const char *host, unsigned port, char *url,
    size_t un, char *origin, size_t on, struct curl_slist *hl)
{
	const char	*to = strchr(key + strlen(host) + 1, ':');
	char		*nu = NULL, h[DOMAIN_MAX + 16], a[64];
	CURLU		*u;

	origin[0] = '\0';
	if (to == NULL || strrchr(to, ':') == to ||
	    (size_t)(strrchr(to, ':') - to) > sizeof(a) ||
	    (u = curl_url()) == NULL)
		return hl;
	pp_copy(a, sizeof(a), to + 1, (size_t)(strrchr(to, ':') - to - 1));
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_HOST, a, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PORT, strrchr(to, ':') + 1, 0) ==
	    CURLUE_OK && curl_url_get(u, CURLUPART_URL, &nu, 0) == CURLUE_OK &&
	    strlen(nu) < un) {
		pr_msg(origin, on, port == 80 ? "http://%s" : "http://%s:%u",
		    host, port);
		pr_msg(h, sizeof(h), port == 80 ? "Host: %s" : "Host: %s:%u",
		    host, port);
		mac_strlcpy(url, nu, un);
		hl = curl_slist_append(hl, h);
	}
	curl_free(nu);
	curl_url_cleanup(u);
	return hl;
}

/* a Location made absolute against the address: the name's again */
static void
pn_unplain(struct fetch *f, const char *url, const char *origin)
{
	size_t	ol = strcspn(url + 7, "/?#") + 7;
	char	l[PR_URL_MAX];

	if (origin[0] == '\0' || strncmp(f->location, url, ol) != 0 ||
	    strchr("/?#", f->location[ol]) == NULL)
		return;
	pr_msg(l, sizeof(l), "%s%s", origin, f->location + ol);
	mac_strlcpy(f->location, l, sizeof(f->location));
}

/*
 * https: libcurl verifies the chain against the trust store, the name is
 * checked here (pn_cert_covers, RFC 6125 as Gecko: the DNS names of the
 * certificate, no common name) on the certificate of the same handshake,
 * so that a name the certificate does not cover costs one handshake, not
 * a second one to read it.  A kept connection counts as checked while the
 * run remembers its name as good.  What cannot be told so (no certificate
 * read, a list of names too long to keep whole, a kept connection no
 * longer remembered) is told by a handshake that libcurl verifies.
 */
static void
pn_named(CURL *c, const struct keys *k, const char *url, const char *host,
    unsigned port, struct fetch *f)
{
	struct certview	 cv;
	struct seen	*s;
	char		 e[8];
	long		 nc = 0;
	bool		 sure;

	if (f->status == 0 || strncmp(url, "https:", 6) != 0)
		return;
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nc);
	if (nc == 0 && (s = seen_find(k->conn)) != NULL && s->rc == CURLE_OK)
		return;
	sure = nc > 0 && f->cert.have && !f->cert.allcut;
	if (sure ? pn_cert_covers(&f->cert, host) : pn_handshake(url, host,
	    port, 0, true, &cv, e, sizeof(e)) == CURLE_OK)
		return;
	pn_fetch_free(f);
	f->status = 0;
	f->cut = false;
	f->ctype[0] = f->location[0] = '\0';
	f->rc = CURLE_PEER_FAILED_VERIFICATION;
	pr_msg(f->err, sizeof(f->err), "the certificate does not name %s",
	    host);
}

/* a request's own options, beside pn_easy's */
static void
pn_request(CURL *c, const char *url, struct curl_slist *hl,
    const char *body, struct fetch *f, char *eb)
{
	curl_easy_setopt(c, CURLOPT_SHARE, share);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, pn_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, eb);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
}

/* one request over the network; 0 when an HTTP answer came */
static int
pn_send(const char *url, const char *body, const char *headers,
    struct fetch *f)
{
	struct curl_slist	*ct = NULL, *hl;
	char			 host[DOMAIN_MAX + 1], eb[CURL_ERROR_SIZE];
	char			 u[PR_URL_MAX], origin[DOMAIN_MAX + 16];
	struct keys		 k;
	long			 given;
	const char		*e;
	unsigned		 port;
	CURL			*c;

	if (pn_url(url, host, sizeof(host), &port) != 0) {
		pr_msg(f->err, sizeof(f->err), "not a URL");
		return f->rc = CURLE_URL_MALFORMAT, -1;
	}
	if (pn_bad_port(port)) {
		pr_msg(f->err, sizeof(f->err), "port %u is one browsers and "
		    "Thunderbird refuse to fetch from (the Fetch standard's bad "
		    "ports): not connected", port);
		return f->rc = CURLE_UNSUPPORTED_PROTOCOL, -1;
	}
	if ((c = pn_easy(host, port, &ct, f->err, sizeof(f->err), &f->rc)) ==
	    NULL)
		return -1;
	pn_keys(&k, ct->data, url, body != NULL);
	if (pn_failed_before(&k, f)) {
		curl_easy_cleanup(c);
		curl_slist_free_all(ct);
		return -1;
	}
	hl = pn_headers(headers);
	mac_strlcpy(u, url, sizeof(u));
	origin[0] = '\0';
	if (strncmp(url, "http:", 5) == 0)
		hl = pn_plain(ct->data, host, port, u, sizeof(u), origin,
		    sizeof(origin), hl);
	else
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	eb[0] = '\0';
	pn_request(c, u, hl, body, f, eb);
	pn_requests++;
	given = pn_left();
	f->rc = (int)curl_easy_perform(c);
	pn_result(c, f);
	pn_unplain(f, u, origin);
	if (f->rc != CURLE_OK && !f->cut) {
		e = eb[0] ? eb : curl_easy_strerror((CURLcode)f->rc);
		pp_show(f->err, sizeof(f->err), e, strlen(e));
	}
	pn_named(c, &k, url, host, port, f);
	pn_remember(c, &k, url, host, port, given, f);
	curl_easy_cleanup(c);
	curl_slist_free_all(ct);
	curl_slist_free_all(hl);
	return f->rc == CURLE_OK || (f->cut && f->status != 0) ? 0 : -1;
}

/*
 * One request: GET, or POST of body; headers "Name: value" lines joined
 * by '\n'.  Redirects are not followed (each client follows its own way).
 * The same request sent before in the run gets the same answer, from
 * memory.  Returns 0 when an HTTP answer came, -1 with f->err set
 * otherwise.
 */
int
pn_http(const char *url, const char *body, const char *headers,
    struct fetch *f)
{
	size_t	 kl;
	char	*key = memo_key(url, body, headers, &kl);
	int	 rc;

	memset(f, 0, sizeof(*f));
	if (key != NULL && memo_get(key, kl, f)) {
		free(key);
		return 0;
	}
	if ((rc = pn_send(url, body, headers, f)) == 0 && key != NULL)
		memo_put(key, kl, f);
	else
		free(key);
	return rc;
}

/* a name's certificate, the first time it is asked for: a handshake */
static int
pn_cert_seen(const char *name, const char *key, struct certview *cv,
    char *err, size_t en)
{
	char	url[DOMAIN_MAX + 16], e2[8];
	int	rc;

	pr_msg(url, sizeof(url), "https://%s/", name);
	rc = pn_handshake(url, name, 443, 0, true, cv, err, en);
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		pn_handshake(url, name, 443, 0, false, cv, e2, sizeof(e2));
	if (rc == CURLE_OK || rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_COULDNT_CONNECT)
		seen_put(key, rc, err, cv);
	return rc;
}

/*
 * The certificate NAME presents on port 443, verified for NAME: 0; 1 when
 * it is refused (cv: what was presented); -1 when NAME was not reached
 * (err says why).  What a request of the run saw there is the answer.
 */
int
pn_cert(const char *name, struct certview *cv, char *err, size_t en)
{
	char		 key[DOMAIN_MAX + 96];
	struct seen	*s;
	struct keys	 k;
	int		 rc;

	memset(cv, 0, sizeof(*cv));
	err[0] = '\0';
	if (pn_target(name, 443, key, sizeof(key), err, en) != 0)
		return -1;
	pn_keys(&k, key, "https://", false);
	if ((s = seen_find(k.addr)) != NULL && s->rc != CURLE_OK)
		return -1;
	if ((s = seen_find(key)) != NULL) {
		*cv = s->cert;
		mac_strlcpy(err, s->err, en);
		rc = s->rc;
	} else
		rc = pn_cert_seen(name, key, cv, err, en);
	return rc == CURLE_OK ? 0 : rc == CURLE_PEER_FAILED_VERIFICATION ? 1 :
	    -1;
}

void
pn_fetch_free(struct fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = 0;
}

/* why a certificate was refused, and what to do about it */
void
pn_cert_problem(const struct certview *cv, const char *host, char *pr,
    size_t pn, char *fix, size_t fn)
{
	char	names[PR_MSG_MAX / 2], more[32] = "";
	size_t	i, o = 0;

	names[0] = '\0';
	for (i = 0; i < cv->nnames && o + 2 < sizeof(names); i++) {
		pr_msg(names + o, sizeof(names) - o, "%s%s", i ? ", " : "",
		    cv->names[i]);
		o = strlen(names);
	}
	/* a list cut for length says so, with the count of the rest */
	if (i < cv->nnames || cv->nmore > 0)
		pr_msg(more, sizeof(more), " and %zu more", cv->nnames - i +
		    cv->nmore);
	if (!cv->have) {
		pr_msg(pr, pn, "the TLS certificate of %s is refused", host);
		pr_msg(fix, fn, "install a certificate for %s from a "
		    "public CA", host);
	} else if (cv->days < 0) {
		pr_msg(pr, pn, "the certificate of %s expired %ld days "
		    "ago", host, -cv->days);
		pr_msg(fix, fn, "renew the certificate of %s (certbot "
		    "renew) and reload the server", host);
	} else if (cv->notyet) {
		pr_msg(pr, pn, "the certificate of %s is not valid yet",
		    host);
		pr_msg(fix, fn, "check the clock of %s's server", host);
	} else if (!pn_cert_covers(cv, host)) {
		pr_msg(pr, pn, "the certificate for %s covers only %s%s",
		    host, names[0] ? names : "no DNS name", more);
		pr_msg(fix, fn, "add %s to the certificate's names "
		    "(certbot -d %s)", host, host);
	} else {
		pr_msg(pr, pn, "the certificate of %s is not from a "
		    "trusted CA (issuer %s)", host, cv->issuer);
		pr_msg(fix, fn, "use a certificate from a public CA and "
		    "send the whole chain (fullchain.pem)");
	}
}

static const char *const mscheme[SRV_SMTP + 1][2] = {
	{ "imap", "imaps" }, { "pop3", "pop3s" }, { "smtp", "smtps" }
};
static const char *const mproto[SRV_SMTP + 1] = { "IMAP", "POP3", "SMTP" };
static const unsigned mtls[SRV_SMTP + 1] = { 993, 995, 465 };
static const unsigned mstarttls[SRV_SMTP + 1] = { 143, 110, 587 };

/* one connection: greeting, STARTTLS when usessl, TLS when implicit */
static int
pn_try(const struct msrv *s, bool implicit, long usessl, bool verify,
    struct certview *cv, char *err, size_t en)
{
	char	url[DOMAIN_MAX + 32];

	pr_msg(url, sizeof(url), "%s://%s:%u/", mscheme[s->type][implicit],
	    s->host, s->port);
	return pn_handshake(url, s->host, s->port, usessl, verify, cv, err,
	    en);
}

/* the announced mode failed: does the port speak the other one? */
static void
pn_other_mode(const struct msrv *s, int rc, const char *err,
    struct mcheck *m)
{
	struct certview	 cv;
	char		 e2[PR_MSG_MAX];
	const char	*t = srv_names[s->type];
	bool		 implicit = s->sock == SOCK_SSL;

	m->verdict = PV_FAIL;
	if (pn_try(s, !implicit, implicit ? CURLUSESSL_NONE : 0, false, &cv,
	    e2, sizeof(e2)) == CURLE_OK) {
		pr_msg(m->problem, sizeof(m->problem), "%s:%u speaks %s, "
		    "the answer says %s", s->host, s->port, implicit ?
		    "STARTTLS (plain greeting)" : "implicit TLS (SSL)",
		    sock_names[s->sock]);
		pr_msg(m->fix, sizeof(m->fix), implicit ? "announce `%s = "
		    "%s:%u starttls` (or SSL on port %u)" : "announce `%s = "
		    "%s:%u ssl` (or STARTTLS on port %u)", t, s->host, s->port,
		    implicit ? mtls[s->type] : mstarttls[s->type]);
	} else if (rc == CURLE_WEIRD_SERVER_REPLY) {
		pr_msg(m->problem, sizeof(m->problem), "%s:%u does not "
		    "greet as an %s server", s->host, s->port,
		    mproto[s->type]);
		pr_msg(m->fix, sizeof(m->fix), "announce the port where "
		    "%s listens (%u for SSL, %u for STARTTLS)",
		    mproto[s->type], mtls[s->type], mstarttls[s->type]);
	} else {
		pr_msg(m->problem, sizeof(m->problem), "%s:%u with %s: %s",
		    s->host, s->port, sock_names[s->sock], err);
		pr_msg(m->fix, sizeof(m->fix), "check the %s service on "
		    "%s port %u", mproto[s->type], s->host, s->port);
	}
}

/* the announced mode did not work: why, and what to announce instead */
static void
pn_mail_fail(const struct msrv *s, int rc, const char *err, struct mcheck *m)
{
	struct certview	 cv;
	char		 e2[PR_MSG_MAX];
	bool		 implicit = s->sock == SOCK_SSL;
	long		 usessl = s->sock == SOCK_STARTTLS ? CURLUSESSL_ALL :
			    CURLUSESSL_NONE;

	m->verdict = PV_FAIL;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		pr_msg(m->problem, sizeof(m->problem), "%s has no address",
		    s->host);
		pr_msg(m->fix, sizeof(m->fix), "give %s an address (an A or "
		    "AAAA record), or announce the host that serves %s",
		    s->host, mproto[s->type]);
		break;
	case CURLE_COULDNT_CONNECT:
		pr_msg(m->problem, sizeof(m->problem), "%s:%u does not "
		    "connect", s->host, s->port);
		pr_msg(m->fix, sizeof(m->fix), "open port %u on %s (is %s "
		    "listening? a firewall?)", s->port, s->host,
		    mproto[s->type]);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		pn_try(s, implicit, usessl, false, &cv, e2, sizeof(e2));
		pn_cert_problem(&cv, s->host, m->problem, sizeof(m->problem),
		    m->fix, sizeof(m->fix));
		if (cv.have)
			m->days = cv.days;
		break;
	case CURLE_USE_SSL_FAILED:
		pr_msg(m->problem, sizeof(m->problem), "%s:%u offers no "
		    "STARTTLS, the answer says STARTTLS", s->host, s->port);
		pr_msg(m->fix, sizeof(m->fix), "enable TLS in the %s server "
		    "(or announce SSL on port %u)", mproto[s->type],
		    mtls[s->type]);
		break;
	default:
		pn_other_mode(s, rc, err, m);
	}
}

/*
 * One announced server, as the client would use it: connects, greets,
 * honours the announced TLS mode, presents a certificate valid for the
 * announced name; then the days to its expiry.
 */
void
pn_mail(const struct msrv *s, struct mcheck *m)
{
	struct certview	 cv;
	char		 err[PR_MSG_MAX];
	bool		 implicit = s->sock == SOCK_SSL;
	long		 usessl = s->sock == SOCK_STARTTLS ? CURLUSESSL_ALL :
			    CURLUSESSL_NONE;
	int		 rc;

	memset(m, 0, sizeof(*m));
	m->days = -1000;
	rc = pn_try(s, implicit, usessl, true, &cv, err, sizeof(err));
	if (rc == CURLE_OK) {
		m->verdict = PV_OK;
		if (cv.have)
			m->days = cv.days;
		if (s->sock == SOCK_PLAIN) {
			m->verdict = PV_WARN;
			pr_msg(m->problem, sizeof(m->problem), "%s:%u is "
			    "announced without TLS: passwords go in clear",
			    s->host, s->port);
			pr_msg(m->fix, sizeof(m->fix), "announce `%s = %s:%u "
			    "starttls` once the server offers STARTTLS",
			    srv_names[s->type], s->host, s->port);
		} else if (cv.have && cv.days < 14) {
			m->verdict = PV_WARN;
			pr_msg(m->problem, sizeof(m->problem), "the "
			    "certificate of %s expires in %ld days", s->host,
			    cv.days);
			pr_msg(m->fix, sizeof(m->fix), "renew it (certbot "
			    "renew) and reload the server");
		}
		return;
	}
	if (pn_left() <= 0) {
		m->verdict = PV_FAIL;
		pr_msg(m->problem, sizeof(m->problem), "%s:%u: %s", s->host,
		    s->port, err);
		pr_msg(m->fix, sizeof(m->fix), "make every server of the "
		    "answer answer within %ld s", pr_timeout);
		return;
	}
	pn_mail_fail(s, rc, err, m);
}
