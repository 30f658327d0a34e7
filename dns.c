/*
 * dns.c: mailautoconf --dns, the DNS records that make clients find us
 * (DESIGN.md §7), as zone-file lines (docs/deploy.md section 3), on
 * standard output or one fragment per domain in a directory; and
 * --cert-names, the names a certificate must cover for them.
 *
 * Per domain: autoconfig. and autodiscover. CNAMEs to web_host (no
 * autodiscover. with --srv-only; none for a name that is web_host), the
 * _autodiscover._tcp SRV record Outlook tries when the names above have no
 * certificate (the hoster's route), and the RFC 6186 SRV records for mail
 * access and submission.  RFC 6186 §3.4 has clients compare priorities
 * across _imap, _imaps, _pop3 and _pop3s; RFC 8314 §5.1 wants implicit
 * TLS preferred: so _imaps < _imap < _pop3s < _pop3, and _submissions <
 * _submission.  A service not offered gets target "." (RFC 2782), and so
 * does one offered only without TLS: we do not advertise cleartext.
 *
 * Calendars and contacts (RFC 6764 §3, §4): _caldavs._tcp and
 * _carddavs._tcp SRV records with a TXT record "path=" at the same name,
 * the context path clients must use; _caldav._tcp and _carddav._tcp get
 * ".", as cleartext does above.  PACC (draft-ietf-mailmaint-pacc): the
 * ua-auto-config CNAME to web_host and the _ua-auto-config TXT record
 * with the digest of the document we serve there (pacc.c computes both
 * from the same bytes).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mailautoconf.h"

static const struct srvrec {
	const char	*name;
	enum srv_type	 type;
	enum sock_type	 sock;
	unsigned	 prio;
} srvrecs[] = {
	{ "_imaps._tcp", SRV_IMAP, SOCK_SSL, 0 },
	{ "_imap._tcp", SRV_IMAP, SOCK_STARTTLS, 10 },
	{ "_pop3s._tcp", SRV_POP3, SOCK_SSL, 20 },
	{ "_pop3._tcp", SRV_POP3, SOCK_STARTTLS, 30 },
	{ "_submissions._tcp", SRV_SMTP, SOCK_SSL, 0 },
	{ "_submission._tcp", SRV_SMTP, SOCK_STARTTLS, 10 },
};

/* A host template filled with the domain; false if not a DNS name. */
static bool
dns_target(char *dst, size_t cap, const char *host, const char *domain)
{
	if (host[0] == '[' || !ph_host(dst, cap, host, domain))
		return false;
	/* an IPv4 address is no SRV target either */
	return strspn(dst, "0123456789.") != strlen(dst);
}

/*
 * One DAV service: SRV to the URL's host and port, TXT with its path.  A
 * URL that DNS cannot state (http, a literal address, a query, a path
 * that would need quoting or more than one TXT string with its "path=",
 * one naming the user) gets ".".
 */
static void
dns_dav(const char *label, const char *url, const char *d, long long ttl,
    FILE *fp)
{
	struct fill	 f = { NULL, NULL, d };
	struct davurl	 u;
	const char	*why;
	size_t		 i;
	bool		 ok;

	ok = url != NULL && dav_split(&u, url, &f, &why) == 0 && u.tls &&
	    !u.literal && !u.query && u.plen <= DNS_TXT_MAX - 5 &&
	    strspn(u.host, "0123456789.") != strlen(u.host);
	for (i = 0; ok && i < u.plen; i++)
		if (u.url[u.path + i] <= ' ' || u.url[u.path + i] >= 0x7f ||
		    u.url[u.path + i] == '"' || u.url[u.path + i] == '\\')
			ok = false;
	if (!ok) {
		fprintf(fp, "_%ss._tcp.%s.\t%lld\tIN\tSRV\t0 0 0 .\n", label,
		    d, ttl);
	} else {
		fprintf(fp, "_%ss._tcp.%s.\t%lld\tIN\tSRV\t0 1 %u %s.\n",
		    label, d, ttl, u.port, u.host);
		fprintf(fp, "_%ss._tcp.%s.\t%lld\tIN\tTXT\t\"path=%.*s\"\n",
		    label, d, ttl, (int)u.plen, u.url + u.path);
	}
	fprintf(fp, "_%s._tcp.%s.\t%lld\tIN\tSRV\t0 0 0 .\n", label, d, ttl);
}

/* Whether LABEL.d is web_host itself (a hoster's web server's own name). */
static bool
dns_is_web_host(const struct config *cf, const char *label, const char *d)
{
	size_t	ll = strlen(label);

	return strncasecmp(cf->web_host, label, ll) == 0 &&
	    cf->web_host[ll] == '.' && strcasecmp(cf->web_host + ll + 1, d) == 0;
}

/*
 * LABEL.d CNAME web_host, unless that is web_host itself: a name cannot
 * alias itself, and it needs its own address records.
 */
static void
dns_cname(const struct config *cf, const char *label, const char *d,
    long long ttl, FILE *fp)
{
	if (dns_is_web_host(cf, label, d))
		fprintf(fp, "; %s.%s. is web_host itself: its A and AAAA "
		    "records, no CNAME\n", label, d);
	else
		fprintf(fp, "%s.%s.\t%lld\tIN\tCNAME\t%s.\n", label, d, ttl,
		    cf->web_host);
}

/*
 * PACC: the name clients fetch from, and the digest they check.  The TXT
 * record keeps DNS_TTL whatever --ttl says: the document is cached for as
 * long (bounds.h), and the two must not outlive each other.
 */
static void
dns_pacc(const struct config *cf, const struct provider *p, const char *d,
    long long ttl, FILE *fp)
{
	char	txt[128];
	int	rc = pacc_txt(p, d, txt, sizeof(txt));

	if (rc != 0) {
		fprintf(fp, "; %s: no PACC document (%s)\n", d, rc > 0 ?
		    "nothing PACC can state" : "it does not fit");
		return;
	}
	dns_cname(cf, "ua-auto-config", d, ttl, fp);
	fprintf(fp, "_ua-auto-config.%s.\t%d\tIN\tTXT\t\"%s\"\n", d,
	    DNS_TTL, txt);
}

/* RFC 8620 §2.2: _jmap._tcp names the host and port of the jmap URL */
static void
dns_jmap(const struct provider *p, const char *d, long long ttl, FILE *fp)
{
	struct fill	 f = { NULL, NULL, d };
	struct davurl	 u;
	const char	*why;

	if (p->first[SRV_JMAP] != NULL &&
	    dav_split(&u, p->first[SRV_JMAP]->url, &f, &why) == 0 &&
	    !u.literal && u.host[strspn(u.host, "0123456789.")] != '\0')
		fprintf(fp, "_jmap._tcp.%s.\t%lld\tIN\tSRV\t0 1 %u %s.\n", d,
		    ttl, u.port, u.host);
}

/* the first server of a type and TLS mode: the SRV record's (the probe too) */
const struct server *
dns_find(const struct provider *p, enum srv_type t, enum sock_type s)
{
	const struct server	*list = t == SRV_SMTP ? p->out : p->in;
	size_t			 n = t == SRV_SMTP ? p->nout : p->nin, i;

	for (i = 0; i < n; i++)
		if (list[i].type == t && list[i].sock == s)
			return &list[i];
	return NULL;
}

/*
 * One domain's records.  The SRV route (--srv-only) leaves out what needs
 * a certificate for a name under the customer's domain (the autodiscover
 * and ua-auto-config CNAMEs) and the PACC digest, which changes with every
 * edit of the provider's section: what stays depends on web_host and the
 * servers' names and ports (and the DAV paths) only.
 */
static void
dns_domain(const struct config *cf, const struct provider *p,
    const char *d, const struct dns_out *o, FILE *fp)
{
	char	 target[DOMAIN_MAX + 1];
	size_t	 i;

	fprintf(fp, "; %s, provider [%s]\n", d, p->id);
	dns_cname(cf, "autoconfig", d, o->ttl, fp);
	if (!(o->flags & DNS_SRV_ROUTE))
		dns_cname(cf, "autodiscover", d, o->ttl, fp);
	fprintf(fp, "_autodiscover._tcp.%s.\t%lld\tIN\tSRV\t0 0 443 %s.\n", d,
	    o->ttl, cf->web_host);
	for (i = 0; i < sizeof(srvrecs) / sizeof(srvrecs[0]); i++) {
		const struct srvrec	*r = &srvrecs[i];
		const struct server	*s = dns_find(p, r->type, r->sock);

		if (s != NULL && dns_target(target, sizeof(target), s->host, d))
			fprintf(fp, "%s.%s.\t%lld\tIN\tSRV\t%u 1 %u %s.\n",
			    r->name, d, o->ttl, r->prio, s->port, target);
		else
			fprintf(fp, "%s.%s.\t%lld\tIN\tSRV\t0 0 0 .\n", r->name,
			    d, o->ttl);
	}
	dns_dav("caldav", p->caldav, d, o->ttl, fp);
	dns_dav("carddav", p->carddav, d, o->ttl, fp);
	dns_jmap(p, d, o->ttl, fp);
	if (!(o->flags & DNS_SRV_ROUTE))
		dns_pacc(cf, p, d, o->ttl, fp);
}

/*
 * DIR/D.zone, written under a temporary name and renamed into place: a
 * name server or a script reading the directory never sees half a file.
 * D is a domain of the table (LDH labels, idn.c), so it names no other
 * directory.
 */
static int
dns_file(const struct config *cf, const struct provider *p, const char *d,
    const struct dns_out *o)
{
	char	 path[4096], tmp[4096], sb[1024];
	FILE	*fp;
	int	 fd = -1, n, m, bad;

	n = snprintf(path, sizeof(path), "%s/%s.zone", o->dir, d);
	m = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", o->dir, d);
	if (n < 0 || (size_t)n >= sizeof(path) || m < 0 ||
	    (size_t)m >= sizeof(tmp)) {
		fprintf(stderr, "mailautoconf: --dns-dir: %s: path too long\n",
		    d);
		return 1;
	}
	if ((fd = mkstemp(tmp)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "mailautoconf: --dns-dir: %s: %s\n",
		    diag_safe(sb, sizeof(sb), o->dir), strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		return 1;
	}
	dns_domain(cf, p, d, o, fp);
	bad = fchmod(fd, 0644) != 0 || fflush(fp) != 0 || ferror(fp);
	if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
		fprintf(stderr, "mailautoconf: --dns-dir: %s: %s\n",
		    diag_safe(sb, sizeof(sb), path), strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

static int
dns_one(const struct config *cf, const struct provider *p, const char *d,
    const struct dns_out *o, FILE *fp)
{
	if (o->dir != NULL)
		return dns_file(cf, p, d, o);
	dns_domain(cf, p, d, o, fp);
	return 0;
}

/* `only' as a served domain's A-label into norm: its provider, or NULL. */
static const struct provider *
dns_only(const struct config *cf, const char *what, const char *only,
    char *norm)
{
	const struct provider	*p;
	const char		*why;
	size_t			 nl;

	if (mac_domain_idn(norm, &nl, only, strlen(only), &why) != 0) {
		fprintf(stderr, "mailautoconf: %s: %s\n", what, why);
		return NULL;
	}
	if ((p = prov_lookup(cf, norm, nl)) == NULL)
		fprintf(stderr, "mailautoconf: %s: %s is not served\n", what,
		    norm);
	return p;
}

static int
dns_need_web_host(const struct config *cf, const char *what)
{
	if (cf->web_host != NULL)
		return 0;
	fprintf(stderr, "mailautoconf: %s: %s needs the global key web_host "
	    "(the web server's public name)\n", cf->file, what);
	return 1;
}

/*
 * Write the records of every served domain, or of `only', to fp or into
 * o->dir.  Returns 0, or 1 after a message on stderr.
 */
int
dns_write(const struct config *cf, const char *only, const struct dns_out *o,
    FILE *fp)
{
	char			 norm[DOMAIN_MAX + 1];
	size_t			 i, j;
	const struct provider	*p;

	if (dns_need_web_host(cf, "--dns") != 0)
		return 1;
	if (only != NULL)
		return (p = dns_only(cf, "--dns", only, norm)) == NULL ? 1 :
		    dns_one(cf, p, norm, o, fp);
	for (i = 0; i < cf->nprov; i++)
		for (j = 0; j < cf->prov[i].ndomains; j++)
			if (dns_one(cf, &cf->prov[i], cf->prov[i].domains[j],
			    o, fp) != 0)
				return 1;
	return 0;
}

int
dns_print(const struct config *cf, const char *only, unsigned flags,
    FILE *fp)
{
	struct dns_out	o = { flags, DNS_TTL, NULL };

	return dns_write(cf, only, &o, fp);
}

/*
 * The names one domain asks of the web server's certificate beside
 * web_host: autoconfig. and autodiscover., and ua-auto-config. when it
 * has a PACC document; none on the SRV route, where clients reach
 * web_host itself (Thunderbird through the MX host's domain, Outlook
 * through the SRV record).
 */
static void
cert_domain(const struct config *cf, const struct provider *p,
    const char *d, unsigned flags, FILE *fp)
{
	static const char *const labels[] = {
		"autoconfig", "autodiscover", "ua-auto-config"
	};
	char	txt[128];
	size_t	i;

	if (flags & DNS_SRV_ROUTE)
		return;
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!dns_is_web_host(cf, labels[i], d) && (i < 2 ||
		    pacc_txt(p, d, txt, sizeof(txt)) == 0))
			fprintf(fp, "%s.%s\n", labels[i], d);
}

/*
 * --cert-names: web_host, then the names of every served domain (or of
 * `only'), one a line, as an ACME client's list takes them.
 */
int
dns_cert_names(const struct config *cf, const char *only, unsigned flags,
    FILE *fp)
{
	char			 norm[DOMAIN_MAX + 1];
	size_t			 i, j;
	const struct provider	*p;

	if (dns_need_web_host(cf, "--cert-names") != 0)
		return 1;
	if (only != NULL && (p = dns_only(cf, "--cert-names", only,
	    norm)) == NULL)
		return 1;
	fprintf(fp, "%s\n", cf->web_host);
	if (only != NULL)
		cert_domain(cf, p, norm, flags, fp);
	else
		for (i = 0; i < cf->nprov; i++)
			for (j = 0; j < cf->prov[i].ndomains; j++)
				cert_domain(cf, &cf->prov[i],
				    cf->prov[i].domains[j], flags, fp);
	return 0;
}
