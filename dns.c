/*
 * dns.c: mailautoconf --dns, the DNS records that make clients find us
 * (SPEC §7), as zone-file lines.
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
#include <string.h>
#include <strings.h>

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
dns_dav(const char *label, const char *url, const char *d, FILE *fp)
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
		fprintf(fp, "_%ss._tcp.%s.\t%d\tIN\tSRV\t0 0 0 .\n", label, d,
		    DNS_TTL);
	} else {
		fprintf(fp, "_%ss._tcp.%s.\t%d\tIN\tSRV\t0 1 %u %s.\n", label,
		    d, DNS_TTL, u.port, u.host);
		fprintf(fp, "_%ss._tcp.%s.\t%d\tIN\tTXT\t\"path=%.*s\"\n",
		    label, d, DNS_TTL, (int)u.plen, u.url + u.path);
	}
	fprintf(fp, "_%s._tcp.%s.\t%d\tIN\tSRV\t0 0 0 .\n", label, d,
	    DNS_TTL);
}

/*
 * LABEL.d CNAME web_host, unless that is web_host itself (a hoster's web
 * server under a domain it serves): a name cannot alias itself, and it
 * needs its own address records.
 */
static void
dns_cname(const struct config *cf, const char *label, const char *d,
    FILE *fp)
{
	size_t	ll = strlen(label);

	if (strncasecmp(cf->web_host, label, ll) == 0 &&
	    cf->web_host[ll] == '.' && strcasecmp(cf->web_host + ll + 1, d) == 0)
		fprintf(fp, "; %s.%s. is web_host itself: its A and AAAA "
		    "records, no CNAME\n", label, d);
	else
		fprintf(fp, "%s.%s.\t%d\tIN\tCNAME\t%s.\n", label, d,
		    DNS_TTL, cf->web_host);
}

/* PACC: the name clients fetch from, and the digest they check. */
static void
dns_pacc(const struct config *cf, const struct provider *p, const char *d,
    FILE *fp)
{
	char	txt[128];
	int	rc = pacc_txt(p, d, txt, sizeof(txt));

	if (rc != 0) {
		fprintf(fp, "; %s: no PACC document (%s)\n", d, rc > 0 ?
		    "nothing PACC can state" : "it does not fit");
		return;
	}
	dns_cname(cf, "ua-auto-config", d, fp);
	fprintf(fp, "_ua-auto-config.%s.\t%d\tIN\tTXT\t\"%s\"\n", d,
	    DNS_TTL, txt);
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

static void
dns_domain(const struct config *cf, const struct provider *p,
    const char *d, unsigned flags, FILE *fp)
{
	char	 target[DOMAIN_MAX + 1];
	size_t	 i;

	fprintf(fp, "; %s, provider [%s]\n", d, p->id);
	dns_cname(cf, "autoconfig", d, fp);
	if (!(flags & DNS_SRV_ROUTE))
		dns_cname(cf, "autodiscover", d, fp);
	fprintf(fp, "_autodiscover._tcp.%s.\t%d\tIN\tSRV\t0 0 443 %s.\n", d,
	    DNS_TTL, cf->web_host);
	for (i = 0; i < sizeof(srvrecs) / sizeof(srvrecs[0]); i++) {
		const struct srvrec	*r = &srvrecs[i];
		const struct server	*s = dns_find(p, r->type, r->sock);

		if (s != NULL && dns_target(target, sizeof(target), s->host, d))
			fprintf(fp, "%s.%s.\t%d\tIN\tSRV\t%u 1 %u %s.\n",
			    r->name, d, DNS_TTL, r->prio, s->port, target);
		else
			fprintf(fp, "%s.%s.\t%d\tIN\tSRV\t0 0 0 .\n", r->name,
			    d, DNS_TTL);
	}
	dns_dav("caldav", p->caldav, d, fp);
	dns_dav("carddav", p->carddav, d, fp);
	dns_pacc(cf, p, d, fp);
}

/*
 * Print the records of every served domain, or of `only'; DNS_SRV_ROUTE:
 * no autodiscover CNAME, Outlook finds web_host through the SRV record (the
 * hoster's route, whose certificate names web_host only).  Returns 0, or 1
 * after a message on stderr.
 */
int
dns_print(const struct config *cf, const char *only, unsigned flags,
    FILE *fp)
{
	char		 norm[DOMAIN_MAX + 1];
	size_t		 i, j, nl;
	const char	*why;
	const struct provider *p;

	if (cf->web_host == NULL) {
		fprintf(stderr, "mailautoconf: %s: --dns needs the global "
		    "key web_host (the web server's public name)\n", cf->file);
		return 1;
	}
	if (only != NULL) {
		if (mac_domain_idn(norm, &nl, only, strlen(only), &why) != 0) {
			fprintf(stderr, "mailautoconf: --dns: %s\n", why);
			return 1;
		}
		if ((p = prov_lookup(cf, norm, nl)) == NULL) {
			fprintf(stderr, "mailautoconf: --dns: %s is not "
			    "served\n", norm);
			return 1;
		}
		dns_domain(cf, p, norm, flags, fp);
		return 0;
	}
	for (i = 0; i < cf->nprov; i++)
		for (j = 0; j < cf->prov[i].ndomains; j++)
			dns_domain(cf, &cf->prov[i], cf->prov[i].domains[j],
			    flags, fp);
	return 0;
}
