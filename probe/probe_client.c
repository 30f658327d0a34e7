/*
 * probe_client.c: each client's discovery list (docs/mailautoconf-probe.8
 * and the table below), replayed against the live deployment: the DNS
 * look-ups, the requests as the client sends them, its acceptance rules
 * on the answer, the answer against providers.ini, then the servers the
 * answer announces.  One table of clients, one list of steps each.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "probe_client.h"

enum sk {
	SK_AC,		/* GET config-v1.1.xml */
	SK_POX,		/* POST autodiscover.xml */
	SK_POXREDIR,	/* GET over http, one 302 to https, then POST */
	SK_JSON,	/* GET autodiscover.json, then POST to its Url */
	SK_SRVAD,	/* SRV _autodiscover._tcp, then POST */
	SK_SRV6186,	/* RFC 6186/8314 SRV records */
	SK_MC,		/* GET email.mobileconfig */
	SK_PACC,	/* GET user-agent-configuration.json + TXT */
	SK_MS		/* POST the MobileSync request */
};

enum hs {
	H_NONE, H_AUTOCONFIG, H_DOMAIN, H_AUTODISCOVER, H_MXFULL, H_MXBASE,
	H_UA, H_WEB
};

/* rules of a client on an answer */
#define R_CTYPE		0x01	/* Content-Type text/xml, application/xml, text/rdf */
#define R_K9		0x02	/* imap+smtp only; plain kills the document */
#define R_TB_SRV	0x04	/* TB's lower-case SRV path; else Outlook's */
#define R_MS		0x08	/* wants a MobileSync answer (ActiveSync) */

struct step {
	enum sk		 kind;
	bool		 https;
	enum hs		 host;
	const char	*path;		/* %A: the address, %-encoded */
};

struct client {
	const char		*id;
	const char		*name;
	const char		*headers;	/* GET; POST adds its type */
	const char		*post_type;
	unsigned		 rules;
	bool			 future;	/* not counted in the exit status */
	const struct step	*steps;
	size_t			 nsteps;
};

/* the autoconfig paths, with and without the address (%A) */
#define AC	"/mail/config-v1.1.xml"
#define WK	"/.well-known/autoconfig" AC
#define AC_Q	AC "?emailaddress=%A"
#define WK_Q	WK "?emailaddress=%A"
#define AD	"/autodiscover/autodiscover.xml"
#define MC_Q	"/email.mobileconfig?emailaddress=%A"

/* mailautoconf-probe(8): Thunderbird 153, in its priority order */
static const struct step tb_steps[] = {
	{ SK_AC, true, H_AUTOCONFIG, AC_Q },
	{ SK_AC, true, H_DOMAIN, WK_Q },
	{ SK_AC, false, H_AUTOCONFIG, AC_Q },
	{ SK_AC, false, H_DOMAIN, WK_Q },
	{ SK_AC, true, H_MXFULL, AC_Q },
	{ SK_AC, true, H_MXBASE, AC_Q },
	{ SK_POX, true, H_AUTODISCOVER, AD },
	{ SK_POX, true, H_DOMAIN, AD },
	{ SK_POX, false, H_AUTODISCOVER, AD },
	{ SK_SRVAD, true, H_NONE, AD },
};
/* Thunderbird for Android: no emailaddress at all */
static const struct step k9_steps[] = {
	{ SK_AC, true, H_AUTOCONFIG, AC },
	{ SK_AC, true, H_DOMAIN, WK },
	{ SK_AC, false, H_AUTOCONFIG, AC },
	{ SK_AC, false, H_DOMAIN, WK },
	{ SK_AC, true, H_MXFULL, AC },
	{ SK_AC, true, H_MXBASE, AC },
};
/* FairEmail: RFC 6186/8314 first, then autoconfig over https only */
static const struct step fe_steps[] = {
	{ SK_SRV6186, false, H_NONE, NULL },
	{ SK_AC, true, H_AUTOCONFIG, AC_Q },
	{ SK_AC, true, H_DOMAIN, WK_Q },
};
/* Outlook classic, after Microsoft's own cloud (which the probe skips) */
static const struct step ol_steps[] = {
	{ SK_JSON, true, H_DOMAIN, "/autodiscover/autodiscover.json?Email=%A"
	    "&Protocol=AutodiscoverV1&RedirectCount=1" },
	{ SK_POX, true, H_DOMAIN, AD },
	{ SK_POX, true, H_AUTODISCOVER, AD },
	{ SK_POXREDIR, false, H_AUTODISCOVER, AD },
	{ SK_SRVAD, true, H_NONE, "/Autodiscover/Autodiscover.xml" },
};
/* the profile is opened by the user: autoconfig.D, or on the one-certificate
 * route the hoster's own form page (docs/deploy.md, section 4) */
static const struct step ap_steps[] = {
	{ SK_MC, true, H_AUTOCONFIG, MC_Q },
	{ SK_MC, true, H_WEB, MC_Q },
};
/* Android's and Samsung's Exchange account (AOSP EasAutoDiscover.genUri):
 * no SRV; the http step is a GET, re-POSTed to the https it redirects to */
static const struct step ms_steps[] = {
	{ SK_MS, true, H_DOMAIN, AD },
	{ SK_MS, true, H_AUTODISCOVER, AD },
	{ SK_POXREDIR, false, H_AUTODISCOVER, AD },
};
static const struct step pacc_steps[] = {
	{ SK_PACC, true, H_UA, "/.well-known/user-agent-configuration.json" },
};

#define TB_UA	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) " \
	"Gecko/20100101 Thunderbird/153.8.0\nAccept: */*\n" \
	"Accept-Language: en-US,en;q=0.9"
#define OL_UA	"User-Agent: Microsoft Office/16.0 (Windows NT 10.0; " \
	"Microsoft Outlook 16.0.17328; Pro)\nAccept: */*"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
static const struct client clients[] = {
	{ "thunderbird", "Thunderbird 153 (desktop)", TB_UA,
	    "text/xml; charset=utf-8", R_CTYPE | R_TB_SRV, false,
	    tb_steps, N(tb_steps) },
	{ "k9", "Thunderbird for Android (K-9)", "User-Agent: okhttp/4.12.0",
	    NULL, R_CTYPE | R_K9, false, k9_steps, N(k9_steps) },
	{ "fairemail", "FairEmail", "User-Agent: Dalvik/2.1.0 (Linux; U; "
	    "Android 14)", NULL, R_CTYPE, false, fe_steps, N(fe_steps) },
	{ "outlook", "Outlook classic (2016 and later)", OL_UA, "text/xml",
	    0, false, ol_steps, N(ol_steps) },
	{ "apple", "Apple Mail (profile)", "User-Agent: Mozilla/5.0 (iPhone; "
	    "CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
	    "like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", NULL, 0,
	    false, ap_steps, N(ap_steps) },
	{ "pacc", "PACC (draft, no shipping client)", "User-Agent: "
	    "mailautoconf-probe", NULL, 0, true, pacc_steps, N(pacc_steps) },
	{ "mobilesync", "Exchange ActiveSync (Android, Samsung, new Outlook)",
	    "User-Agent: Android-Mail/2024.01.01", "text/xml", R_MS, true,
	    ms_steps, N(ms_steps) },
};
const size_t pc_nclients = N(clients);

/* Thunderbird's request body (DESIGN.md §4), address XML-escaped */
static const char pox_body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "    <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
    "autodiscover/outlook/requestschema/2006\">\n"
    "      <Request>\n"
    "        <EMailAddress>%s</EMailAddress>\n"
    "        <AcceptableResponseSchema>http://schemas.microsoft.com/"
    "exchange/autodiscover/outlook/responseschema/2006a"
    "</AcceptableResponseSchema>\n"
    "      </Request>\n"
    "    </Autodiscover>\n";

/* the MobileSync request (MS-ASCMD 6.3), as AOSP Exchange sends it */
static const char ms_body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
    "autodiscover/mobilesync/requestschema/2006\">\n"
    "  <Request>\n"
    "    <EMailAddress>%s</EMailAddress>\n"
    "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/"
    "autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema>\n"
    "  </Request>\n"
    "</Autodiscover>\n";

static const char ms_fix[] = "none for IMAP clients, which are unaffected; "
    "where an ActiveSync server (SOGo, Z-Push) exists, answer this request "
    "with its MobileSync Url";

struct pcheck	pc_checks[PC_CHECKS_MAX];
static size_t	pc_nchecks;

const char *
pc_client_id(size_t i)
{
	return clients[i].id;
}

const char *
pc_client_name(size_t i)
{
	return clients[i].name;
}

bool
pc_client_future(size_t i)
{
	return clients[i].future;
}

#define SET(b, ...)	pr_msg((b), sizeof(b), __VA_ARGS__)

static void
fail(struct stepres *sr, int v)
{
	sr->verdict = v;
}

/* ---- building the requests ------------------------------------------ */

static const char *
step_host(const struct pctx *x, enum hs h, char *buf, size_t n)
{
	switch (h) {
	case H_AUTOCONFIG:
		pr_msg(buf, n, "autoconfig.%s", x->addr.domain);
		break;
	case H_AUTODISCOVER:
		pr_msg(buf, n, "autodiscover.%s", x->addr.domain);
		break;
	case H_UA:
		pr_msg(buf, n, "ua-auto-config.%s", x->addr.domain);
		break;
	case H_WEB:
		if (!x->onecert || strcmp(x->webhost, "WEBSERVER") == 0)
			return NULL;
		mac_strlcpy(buf, x->webhost, n);
		break;
	case H_MXFULL:
		if (x->mxfull[0] == '\0')
			return NULL;
		pr_msg(buf, n, "autoconfig.%s", x->mxfull);
		break;
	case H_MXBASE:
		/* one request when both reductions give the same name */
		if (x->mxbase[0] == '\0' || strcmp(x->mxbase, x->mxfull) == 0)
			return NULL;
		pr_msg(buf, n, "autoconfig.%s", x->mxbase);
		break;
	default:
		mac_strlcpy(buf, x->addr.domain, n);
	}
	return buf;
}

/* scheme://host + path with %A replaced */
static void
step_url(const struct pctx *x, bool https, const char *host, const char *port,
    const char *path, char *url, size_t n)
{
	const char	*a = strstr(path, "%A");
	int		 o;

	o = snprintf(url, n, "%s://%s%s", https ? "https" : "http", host, port);
	if (o < 0 || (size_t)o >= n)
		return;
	if (a == NULL)
		pr_msg(url + o, n - (size_t)o, "%s", path);
	else
		pr_msg(url + o, n - (size_t)o, "%.*s%s%s", (int)(a - path),
		    path, x->qaddr, a + 2);
}

/* the URL without its query, for messages */
static const char *
no_query(const char *url, char *buf, size_t n)
{
	pp_copy(buf, n, url, strcspn(url, "?"));
	return buf;
}

static bool	url_host(const char *, char *, size_t);

/* ---- transport and HTTP verdicts ------------------------------------ */

/*
 * The fix for a name without an address, always a record that can be
 * published: a CNAME only where the name has no other records (NXDOMAIN),
 * to the web server's canonical name (no chain, no loop); the address
 * itself where other records are there; nothing at the mail domain, which
 * has its MX (and at a zone apex SOA and NS): the clients go on to
 * autoconfig.D and autodiscover.D, which are the fix.
 */
static void
address_fix(const struct pctx *x, const char *host, enum pd_rc rc,
    struct stepres *sr)
{
	const char	*w = x->webcanon[0] != '\0' ? x->webcanon : x->webhost;

	if (strcasecmp(host, x->addr.domain) == 0 && x->onecert)
		SET(sr->fix, "none at %s itself: its MX (and at a zone apex SOA "
		    "and NS) records leave no room for a CNAME, and clients go "
		    "on to `_autodiscover._tcp.%s. SRV 0 0 443 %s.` and "
		    "http://autoconfig.%s", host, host, w, host);
	else if (strcasecmp(host, x->addr.domain) == 0)
		SET(sr->fix, "none at %s itself: its MX (and at a zone apex SOA "
		    "and NS) records leave no room for a CNAME, and clients go "
		    "on to `autoconfig.%s. CNAME %s.` and `_autodiscover._tcp."
		    "%s. SRV 0 0 443 %s.` (or `autodiscover.%s. CNAME %s.`)",
		    host, host, w, host, w, host, w);
	else if (rc == PD_NODATA && x->webaddr[0] != '\0')
		SET(sr->fix, "publish `%s. %s %s` (%s has other records: no "
		    "CNAME can go there)", host, strchr(x->webaddr, ':') !=
		    NULL ? "AAAA" : "A", x->webaddr, host);
	else if (rc == PD_NODATA || strcasecmp(host, w) == 0)
		SET(sr->fix, "give %s the address of the web server (an A or "
		    "AAAA record: it has other records, no CNAME can go there)",
		    host);
	else
		SET(sr->fix, "publish `%s. CNAME %s.`", host, w);
}

/* a per-domain name the one-certificate route leaves off the certificate */
static bool
route_name(const struct pctx *x, const char *host)
{
	static const char *const pre[] = { "autoconfig.", "autodiscover." };
	size_t	i, l;

	for (i = 0; x->onecert && i < N(pre); i++) {
		l = strlen(pre[i]);
		if (strncasecmp(host, pre[i], l) == 0 &&
		    strcasecmp(host + l, x->addr.domain) == 0)
			return true;
	}
	return false;
}

/* the host has an address; else the fix is a DNS record */
static bool
host_resolves(const struct pctx *x, const char *host, struct stepres *sr)
{
	struct pd_addrs	a;
	enum pd_rc	rc = pd_addr(host, &a);

	if (rc == PD_OK)
		return true;
	fail(sr, PV_FAIL);
	if (rc == PD_FAIL) {
		SET(sr->problem, "DNS look-up of %s failed: %s", host,
		    pd_error());
		SET(sr->fix, "check the DNS servers of %s's zone", host);
		return false;
	}
	SET(sr->problem, "%s has no address (%s)", host, rc == PD_NXDOMAIN ?
	    "no such name" : "no A/AAAA record");
	if (route_name(x, host) && strncmp(host, "autodiscover.", 13) == 0) {
		sr->verdict = PV_SKIP;
		SET(sr->fix, "none: the one-certificate route leaves this name "
		    "out (the _autodiscover._tcp SRV record serves)");
		return false;
	}
	address_fix(x, host, rc, sr);
	return false;
}

static void
transport_fail(const struct pctx *x, const char *url, const char *host,
    const struct fetch *f, struct stepres *sr)
{
	bool	https = strncmp(url, "https:", 6) == 0;

	fail(sr, PV_FAIL);
	switch (f->rc) {
	case 7:		/* CURLE_COULDNT_CONNECT */
		SET(sr->problem, "%s does not connect on port %s", host,
		    https ? "443" : "80");
		if (https)
			SET(sr->fix, "serve https for %s (`listen 443 ssl;` "
			    "with a certificate for it, contrib/"
			    "nginx-fastcgi.conf)", host);
		else
			SET(sr->fix, "serve http for %s on port 80 (optional "
			    "when the https steps work)", host);
		break;
	case 60:	/* CURLE_PEER_FAILED_VERIFICATION */
		pn_cert_problem(&f->cert, host, sr->problem,
		    sizeof(sr->problem), sr->fix, sizeof(sr->fix));
		if (route_name(x, host) && f->cert.have && f->cert.days >= 0 &&
		    !f->cert.notyet && !pn_cert_covers(&f->cert, host)) {
			/* the route's certificate names the web server only */
			sr->verdict = PV_SKIP;
			SET(sr->fix, "none on the one-certificate route: the "
			    "client goes on to the next step");
		}
		break;
	case 1:		/* CURLE_UNSUPPORTED_PROTOCOL: a bad port */
		SET(sr->problem, "%s: %s", host, f->err);
		SET(sr->fix, "point clients at port 443 (https) or 80 (http) "
		    "of %s", host);
		break;
	case 28:	/* CURLE_OPERATION_TIMEDOUT */
		if (strncmp(f->err, "not tried", 9) == 0)
			SET(sr->problem, "%s: %s", host, f->err);
		else
			SET(sr->problem, "no answer from %s within %ld s", host,
			    pr_timeout);
		SET(sr->fix, "check the web server of %s and its firewall",
		    host);
		break;
	default:
		SET(sr->problem, "%s: %s", host, f->err);
		SET(sr->fix, "check the web server of %s", host);
	}
}

/*
 * A request without an address (Thunderbird for Android) is answered for
 * its Host with autoconfig. removed (DESIGN.md §2): true, with that domain in
 * dom, when providers.ini has no provider for it.
 */
static bool
by_host(const struct pctx *x, const char *url, char *dom, size_t n)
{
	char	host[DOMAIN_MAX + 1];

	if (x->cf == NULL || strstr(url, "?emailaddress=") != NULL ||
	    strstr(url, "Email=") != NULL || !url_host(url, host, sizeof(host)))
		return false;
	mac_strlcpy(dom, req_svc_domain(host), n);
	return prov_lookup(x->cf, dom, strlen(dom)) == NULL;
}

static bool
status_ok(const struct pctx *x, const char *url, const struct fetch *f,
    const char *cname, struct stepres *sr)
{
	char	p[PR_URL_MAX];

	if (f->status >= 200 && f->status < 300)
		return true;
	fail(sr, PV_FAIL);
	no_query(url, p, sizeof(p));
	SET(sr->problem, "%s answers HTTP %ld", p, f->status);
	if (f->status == 404 && x->cf != NULL && x->prov == NULL)
		SET(sr->fix, "add %s to providers.ini (mailautoconf answers "
		    "404 for unknown domains)", x->addr.domain);
	else if (f->status == 404 && by_host(x, url, p, sizeof(p)))
		SET(sr->fix, "no address in this request: mailautoconf answers "
		    "for the Host, %s, which providers.ini lacks (add it to "
		    "the domains of a provider to serve it)", p);
	else if (f->status == 404)
		SET(sr->fix, "route this path to mailautoconf (the location "
		    "block of contrib/nginx-fastcgi.conf)");
	else if (f->status == 401 || f->status == 403)
		SET(sr->fix, "do not protect this path with a password (%s "
		    "then blames the user's password)", cname);
	else if (f->status >= 300 && f->status < 400)
		SET(sr->fix, "answer here directly: %s does not follow this "
		    "redirect", cname);
	else
		SET(sr->fix, "see the web server's error log");
	return false;
}

static bool
ctype_ok(const struct fetch *f, const char *want, const char *cname,
    struct stepres *sr)
{
	static const char *const xml[] = {
		"text/xml", "application/xml", "text/rdf"
	};
	char	show[PR_SHOW_MAX];
	size_t	i;

	if (want == NULL) {
		for (i = 0; i < N(xml); i++)
			if (strncmp(f->ctype, xml[i], strlen(xml[i])) == 0)
				return true;
	} else if (strncmp(f->ctype, want, strlen(want)) == 0)
		return true;
	fail(sr, PV_FAIL);
	pp_show(show, sizeof(show), f->ctype, strlen(f->ctype));
	SET(sr->problem, "Content-Type is `%s`, %s reads only %s", show[0] ?
	    show : "(none)", cname, want != NULL ? want :
	    "text/xml, application/xml or text/rdf");
	SET(sr->fix, "send `Content-Type: %s` (mailautoconf does; a static "
	    "file needs a types entry)", want != NULL ? want : "text/xml");
	return false;
}

/* ---- the rules on the answer ----------------------------------------- */

static bool
has_inout(const struct answer *a, bool imap_only)
{
	bool	in = false, out = false;
	size_t	i;

	for (i = 0; i < a->nsrv; i++) {
		if (!a->srv[i].valid)
			continue;
		if (a->srv[i].type == SRV_SMTP)
			out = true;
		else if (a->srv[i].type == SRV_IMAP ||
		    (a->srv[i].type == SRV_POP3 && !imap_only))
			in = true;
	}
	return in && out;
}

static bool
k9_rules(const struct answer *a, struct stepres *sr)
{
	const struct msrv	*s;
	size_t			 i;

	for (i = 0; i < a->nsrv; i++) {
		s = &a->srv[i];
		if (s->type == SRV_POP3 || (s->sock != SOCK_PLAIN && s->sock_ok))
			continue;
		fail(sr, PV_FAIL);
		SET(sr->problem, "the answer has a `%s` server (%s:%u): "
		    "Thunderbird for Android refuses the whole document",
		    s->sock_ok ? "plain" : "bad socketType", s->host, s->port);
		SET(sr->fix, "remove `%s = %s:%u plain` from providers.ini, "
		    "or make it starttls", srv_names[s->type], s->host,
		    s->port);
		return false;
	}
	if (!pp_hostname(a->id)) {
		fail(sr, PV_FAIL);
		SET(sr->problem, "emailProvider id is not a host name");
		SET(sr->fix, "name the providers.ini section after a domain");
		return false;
	}
	return true;
}

static void	fill(const struct pctx *, const char *, char *, size_t);

/* the placeholders of autoconfig host names, filled in as the clients do */
static void
fill_hosts(const struct pctx *x, struct answer *a)
{
	char	h[DOMAIN_MAX + 1];
	size_t	i;

	for (i = 0; i < a->nsrv; i++) {
		if (strchr(a->srv[i].host, '%') == NULL)
			continue;
		fill(x, a->srv[i].host, h, sizeof(h));
		mac_strlcpy(a->srv[i].host, h, sizeof(a->srv[i].host));
		a->srv[i].valid = a->srv[i].valid && pp_hostname(h);
	}
}

/* a MobileSync answer: a Server of Type MobileSync with an https Url */
static bool
ms_ok(const struct answer *a, struct stepres *sr)
{
	char	show[PR_SHOW_MAX];

	if (strncmp(a->msurl, "https://", 8) == 0) {
		pp_show(show, sizeof(show), a->msurl, strlen(a->msurl));
		SET(sr->note, "ActiveSync at %s", show);
		sr->verdict = PV_OK;
		return true;
	}
	fail(sr, PV_FAIL);
	SET(sr->problem, "%s", a->msurl[0] != '\0' ? "the MobileSync Url is "
	    "not https" : "no MobileSync server in the answer (Action, "
	    "Settings, Server of Type MobileSync with a Url)");
	SET(sr->fix, "%s", ms_fix);
	return false;
}

/*
 * Thunderbird's account hub makes an Exchange account of a POX answer
 * with a Protocol of Type EXCH, EXHTTP or WEB (mailcow#6642): wrong when
 * the provider serves no EWS.
 */
static bool
exch_ok(const struct pctx *x, const struct answer *a, struct stepres *sr)
{
	if (!a->exch || x->prov == NULL || x->prov->first[SRV_EWS] != NULL)
		return true;
	fail(sr, PV_FAIL);
	SET(sr->problem, "the answer offers Exchange (a Protocol of Type EXCH, "
	    "EXHTTP or WEB) and providers.ini has no ews server: Thunderbird's "
	    "account hub would set up an Exchange account that cannot work");
	SET(sr->fix, "make sure mailautoconf answers here (it sends EXCH only "
	    "for an ews line)");
	return false;
}

/* parse by kind, then the client's rules; 0: accepted */
static bool
answer_ok(const struct pctx *x, const struct client *c, enum sk kind, const struct fetch *f,
    struct answer *a, struct stepres *sr)
{
	int	rc;

	if (kind == SK_AC)
		rc = pp_autoconfig(f->body, f->len, a);
	else if (kind == SK_MC)
		rc = pp_plist(f->body, f->len, a);
	else
		rc = pp_pox(f->body, f->len, a);
	if (rc != 0 || f->cut) {
		fail(sr, PV_FAIL);
		SET(sr->problem, "%s", f->cut ? "the answer is over 1 MiB" :
		    a->why);
		SET(sr->fix, "%s", kind == SK_MS ? ms_fix : "make sure "
		    "mailautoconf answers here, not another program");
		return false;
	}
	if (kind == SK_MS)
		return ms_ok(a, sr);
	if (kind == SK_POX && (c->rules & R_TB_SRV) && !exch_ok(x, a, sr))
		return false;
	if (kind == SK_AC)
		fill_hosts(x, a);
	if (kind == SK_AC && (c->rules & R_K9) && !k9_rules(a, sr))
		return false;
	if (!has_inout(a, (c->rules & R_K9) != 0)) {
		fail(sr, PV_FAIL);
		SET(sr->problem, "the answer has no usable %s server and SMTP "
		    "server", (c->rules & R_K9) ? "IMAP" : "incoming");
		SET(sr->fix, "give the provider an imap (or pop3) and an smtp "
		    "line in providers.ini");
		return false;
	}
	if (kind == SK_POX && a->raddr[0] != '\0') {
		fail(sr, PV_FAIL);
		SET(sr->problem, "the answer redirects to another address");
		SET(sr->fix, "probe that address as well");
		return false;
	}
	sr->verdict = PV_OK;
	return true;
}

/* ---- one HTTP step ---------------------------------------------------- */

/* the host of an http(s) URL; false when there is none we would use */
static bool
url_host(const char *url, char *host, size_t n)
{
	const char	*h = strstr(url, "://");
	size_t		 l;

	if (h == NULL)
		return false;
	h += 3;
	l = strcspn(h, ":/?#@[");
	if (l == 0 || l >= n || h[l] == '@' || h[l] == '[')
		return false;
	pp_copy(host, n, h, l);
	return pp_hostname(host);
}

static void
headers(const struct client *c, bool post, char *buf, size_t n)
{
	if (post)
		pr_msg(buf, n, "%s\nContent-Type: %s", c->headers,
		    c->post_type != NULL ? c->post_type : "text/xml");
	else
		pr_msg(buf, n, "%s", c->headers);
}

/* redirects each kind follows: autoconfig clients use XHR or OkHttp */
static int
max_hops(enum sk kind, const char *url)
{
	if (kind == SK_AC || kind == SK_MC)
		return 3;
	return strncmp(url, "http:", 5) == 0 ? 1 : 0;
}

/* the request and the redirects the kind follows; false: sr says why */
static bool
http_fetch(const struct pctx *x, enum sk kind, char *url, size_t un,
    const char *body, const char *hd, struct fetch *f, struct stepres *sr)
{
	char	host[DOMAIN_MAX + 1];
	int	hops;

	for (hops = 0;; hops++) {
		if (!url_host(url, host, sizeof(host))) {
			fail(sr, PV_FAIL);
			SET(sr->problem, "not a URL the client would fetch");
			SET(sr->fix, "announce an https URL with a host name");
			return false;
		}
		if (!host_resolves(x, host, sr))
			return false;
		if (pn_http(url, body, hd, f) != 0) {
			transport_fail(x, url, host, f, sr);
			pn_fetch_free(f);
			return false;
		}
		if (f->status < 300 || f->status > 308 ||
		    f->location[0] == '\0' || hops >= max_hops(kind, url))
			return true;
		SET(sr->note, "followed HTTP %ld to %s", f->status,
		    f->location);
		mac_strlcpy(url, f->location, un);
		pn_fetch_free(f);
	}
}

static bool
http_step(const struct pctx *x, const struct client *c, enum sk kind,
    const char *url0, struct stepres *sr, struct answer *a)
{
	char		 url[PR_URL_MAX], hd[1024];
	char		 body[sizeof(pox_body) + sizeof(x->xaddr)];
	struct fetch	 f;
	bool		 post = kind == SK_POX || kind == SK_MS, ok;

	mac_strlcpy(url, url0, sizeof(url));
	if (kind == SK_MS)
		pr_msg(body, sizeof(body), ms_body, x->xaddr);
	else
		pr_msg(body, sizeof(body), pox_body, x->xaddr);
	headers(c, post, hd, sizeof(hd));
	/* the hops of one step share its time-out */
	pn_step(true);
	ok = http_fetch(x, kind, url, sizeof(url), post ? body : NULL, hd,
	    &f, sr);
	pn_step(false);
	if (!ok)
		return false;
	ok = status_ok(x, url, &f, c->name, sr) &&
	    (kind == SK_MC ? ctype_ok(&f, "application/x-apple-aspen-config",
	    c->name, sr) : !(c->rules & R_CTYPE) || kind == SK_JSON ||
	    ctype_ok(&f, NULL, c->name, sr));
	if (ok && kind == SK_JSON) {
		if ((ok = pp_json(f.body, f.len, a) == 0) == false) {
			fail(sr, PV_FAIL);
			SET(sr->problem, "%s", a->why);
			SET(sr->fix, "make sure mailautoconf answers here");
		}
	} else if (ok)
		ok = answer_ok(x, c, kind, &f, a, sr);
	pn_fetch_free(&f);
	return ok;
}

/* ---- the kinds of steps --------------------------------------------- */

/* Outlook: the JSON answer names the POX URL, which is then POSTed */
static bool
st_json(const struct pctx *x, const struct client *c, const char *url,
    struct stepres *sr, struct answer *a)
{
	char	pox[PR_URL_MAX], show[PR_SHOW_MAX];

	if (!http_step(x, c, SK_JSON, url, sr, a))
		return false;
	mac_strlcpy(pox, a->url, sizeof(pox));
	pp_show(show, sizeof(show), pox, strlen(pox));
	if (strncmp(pox, "https://", 8) != 0) {
		fail(sr, PV_FAIL);
		SET(sr->problem, "the JSON Url `%s` is not https", show);
		SET(sr->fix, "let mailautoconf write the Url (it names "
		    "https://autodiscover.%s/)", x->addr.domain);
		return false;
	}
	SET(sr->note, "the JSON answer points at %s", show);
	return http_step(x, c, SK_POX, pox, sr, a);
}

/* Outlook's redirect method: one 302 from http to an https URL */
static bool
st_poxredir(const struct pctx *x, const struct client *c, const char *url,
    struct stepres *sr, struct answer *a)
{
	char		 host[DOMAIN_MAX + 1], hd[1024], show[PR_SHOW_MAX];
	struct fetch	 f;
	bool		 redir;

	if (!url_host(url, host, sizeof(host)) ||
	    !host_resolves(x, host, sr))
		return false;
	headers(c, false, hd, sizeof(hd));
	if (pn_http(url, NULL, hd, &f) != 0) {
		transport_fail(x, url, host, &f, sr);
		pn_fetch_free(&f);
		return false;
	}
	redir = (f.status == 301 || f.status == 302) &&
	    strncmp(f.location, "https://", 8) == 0;
	pp_show(show, sizeof(show), f.location, strlen(f.location));
	if (!redir) {
		/* not an error while an https step works: a plain skip */
		SET(sr->problem, "answers HTTP %ld, not a redirect to https",
		    f.status);
		SET(sr->fix, "only needed when autodiscover.%s cannot have a "
		    "certificate: 302 to an https URL", x->addr.domain);
		sr->verdict = PV_SKIP;
		pn_fetch_free(&f);
		return false;
	}
	SET(sr->note, "redirected to %s (Outlook asks the user first)", show);
	mac_strlcpy(hd, f.location, sizeof(hd));
	pn_fetch_free(&f);
	return http_step(x, c, (c->rules & R_MS) ? SK_MS : SK_POX, hd, sr, a);
}

static bool
st_srvad(const struct pctx *x, const struct client *c, const char *path,
    struct stepres *sr, struct answer *a)
{
	char		 name[DOMAIN_MAX + 32], t[DOMAIN_MAX + 1], url[PR_URL_MAX];
	char		 ps[16] = "";
	unsigned	 port = 0;
	enum pd_rc	 rc;

	pr_msg(name, sizeof(name), "_autodiscover._tcp.%s", x->addr.domain);
	SET(sr->what, "SRV %s", name);
	if ((rc = pd_srv(name, t, sizeof(t), &port)) != PD_OK || t[0] == '\0') {
		sr->verdict = rc == PD_FAIL ? PV_FAIL : PV_SKIP;
		SET(sr->problem, "%s", rc == PD_FAIL ? pd_error() :
		    "no SRV record (optional)");
		return false;
	}
	if (port != 443)
		pr_msg(ps, sizeof(ps), ":%u", port);
	step_url(x, true, t, ps, path, url, sizeof(url));
	SET(sr->what, "SRV %s -> POST %s", name, url);
	if (http_step(x, c, SK_POX, url, sr, a))
		return true;
	if (sr->verdict != PV_FAIL || strstr(sr->fix, "providers.ini") != NULL)
		return false;
	/* an SRV target is a canonical name, never an alias */
	if (x->webcanon[0] != '\0' && strcasecmp(x->webcanon, t) != 0)
		SET(sr->fix, "publish `%s. SRV 0 0 443 %s.` (now %s:%u; the "
		    "target must serve Autodiscover with a certificate for its "
		    "name)", name, x->webcanon, t, port);
	else
		SET(sr->fix, "point %s at a host that serves Autodiscover with "
		    "a certificate for its name, on port 443 (now %s:%u)", name,
		    t, port);
	return false;
}

static const struct {
	const char	*label;
	enum srv_type	 type;
	enum sock_type	 sock;
} srv6186[] = {
	{ "_imaps._tcp", SRV_IMAP, SOCK_SSL },
	{ "_imap._tcp", SRV_IMAP, SOCK_STARTTLS },
	{ "_submissions._tcp", SRV_SMTP, SOCK_SSL },
	{ "_submission._tcp", SRV_SMTP, SOCK_STARTTLS },
};

/* FairEmail: the first record found of the incoming and outgoing pairs */
static bool
st_srv6186(const struct pctx *x, struct stepres *sr, struct answer *a)
{
	char		 name[DOMAIN_MAX + 32];
	struct msrv	*s;
	size_t		 i;
	unsigned	 port;

	memset(a, 0, sizeof(*a));
	SET(sr->what, "SRV _imaps._tcp.%s, _submissions._tcp.%s (or _imap, "
	    "_submission)", x->addr.domain, x->addr.domain);
	for (i = 0; i < N(srv6186); i++) {
		if ((i == 1 && a->nsrv == 1) || (i == 3 && a->nsrv > 0 &&
		    a->srv[a->nsrv - 1].type == SRV_SMTP))
			continue;
		s = &a->srv[a->nsrv];
		pr_msg(name, sizeof(name), "%s.%s", srv6186[i].label,
		    x->addr.domain);
		if (pd_srv(name, s->host, sizeof(s->host), &port) != PD_OK ||
		    s->host[0] == '\0' || !pp_hostname(s->host))
			continue;
		s->type = srv6186[i].type;
		s->sock = srv6186[i].sock;
		s->port = port;
		s->valid = s->sock_ok = port != 0;
		mac_strlcpy(s->user, x->addr.full, sizeof(s->user));
		a->nsrv++;
	}
	if (has_inout(a, true)) {
		sr->verdict = PV_OK;
		return true;
	}
	sr->verdict = a->nsrv == 0 ? PV_SKIP : PV_FAIL;
	SET(sr->problem, "%s", a->nsrv == 0 ? "no RFC 6186 SRV records "
	    "(optional)" : "an incoming or a submission SRV record is missing");
	SET(sr->fix, "publish the SRV records _imaps._tcp.%s and "
	    "_submissions._tcp.%s (RFC 6186, RFC 8314) for the IMAP and "
	    "submission hosts: `mailautoconf --dns %s` prints them",
	    x->addr.domain, x->addr.domain, x->addr.domain);
	return false;
}

/* PACC: the body's SHA-256 must be the d= of the TXT record */
static bool
pacc_digest(const char *txtname, const struct fetch *f, struct stepres *sr)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], b64[2 * EVP_MAX_MD_SIZE];
	unsigned int	 mdl = 0;
	char		 txt[1024];
	const char	*d;

	if (pd_txt(txtname, txt, sizeof(txt)) != PD_OK) {
		fail(sr, PV_FAIL);
		SET(sr->problem, "no TXT record %s to vouch for the document",
		    txtname);
		SET(sr->fix, "publish `%s. TXT \"v=UAAC1; a=sha256; d=...\"`",
		    txtname);
		return false;
	}
	if (EVP_Digest(f->body, f->len, md, &mdl, EVP_sha256(), NULL) != 1)
		return false;
	EVP_EncodeBlock(b64, md, (int)mdl);
	if ((d = strstr(txt, "d=")) != NULL &&
	    strncmp(d + 2, (char *)b64, strlen((char *)b64)) == 0)
		return true;
	fail(sr, PV_FAIL);
	SET(sr->problem, "the TXT digest of %s does not match the document",
	    txtname);
	SET(sr->fix, "publish d=%s (the SHA-256 of the exact body)", b64);
	return false;
}

static bool
st_pacc(const struct pctx *x, const struct client *c, const char *url,
    struct stepres *sr)
{
	char		 host[DOMAIN_MAX + 1], txt[DOMAIN_MAX + 32], hd[1024];
	struct pd_addrs	 ad;
	struct fetch	 f;
	bool		 ok;

	if (!url_host(url, host, sizeof(host)) || pd_addr(host, &ad) != PD_OK) {
		sr->verdict = PV_SKIP;
		SET(sr->problem, "not published (a draft: no shipping client "
		    "reads it yet)");
		return false;
	}
	headers(c, false, hd, sizeof(hd));
	if (pn_http(url, NULL, hd, &f) != 0) {
		transport_fail(x, url, host, &f, sr);
		pn_fetch_free(&f);
		return false;
	}
	pr_msg(txt, sizeof(txt), "_ua-auto-config.%s", x->addr.domain);
	ok = status_ok(x, url, &f, c->name, sr) &&
	    ctype_ok(&f, "application/json", c->name, sr) &&
	    pacc_digest(txt, &f, sr);
	pn_fetch_free(&f);
	if (ok)
		sr->verdict = PV_OK;
	return ok;
}

/* ---- the answer against providers.ini --------------------------------- */

/* a template with the address's placeholders filled in */
static void
fill(const struct pctx *x, const char *t, char *dst, size_t n)
{
	static const char *const ph[] = {
		"%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"
	};
	const char	*v[3] = { x->addr.full, x->addr.local, x->addr.domain };
	size_t		 o = 0, i, l;

	for (; *t != '\0' && o + 1 < n; ) {
		for (i = 0; i < N(ph); i++)
			if (strncmp(t, ph[i], strlen(ph[i])) == 0)
				break;
		if (i == N(ph)) {
			dst[o++] = *t++;
			continue;
		}
		l = strlen(v[i]);
		if (o + l >= n)
			break;
		memcpy(dst + o, v[i], l);
		o += l;
		t += strlen(ph[i]);
	}
	dst[o] = '\0';
}

/* does the client read this server of the answer? */
static bool
reads(const struct client *c, const struct msrv *s)
{
	if (s->type > SRV_SMTP)
		return false;
	return !(c->rules & R_K9) || s->type != SRV_POP3;
}

static void
expect_one(const struct pctx *x, const struct server *s, struct msrv *e)
{
	const char	*u = s->username != NULL ? s->username :
			    x->prov->username;

	memset(e, 0, sizeof(*e));
	e->type = s->type;
	e->sock = s->sock;
	e->port = s->port;
	fill(x, s->host != NULL ? s->host : "", e->host, sizeof(e->host));
	fill(x, u != NULL ? u : "", e->user, sizeof(e->user));
}

/* what the client should get from this provider, in order */
static size_t
expect(const struct pctx *x, const struct client *c, enum sk akind,
    struct msrv *e)
{
	const struct provider	*p = x->prov;
	const struct server	*in;
	size_t			 n = 0, i;

	if (akind == SK_POX) {
		for (i = 0; i < p->nad && n < PR_SRV_MAX; i++)
			expect_one(x, p->ad[i], &e[n++]);
	} else if (akind == SK_MC) {
		in = p->first[SRV_IMAP] != NULL ? p->first[SRV_IMAP] :
		    p->first[SRV_POP3];
		if (in != NULL && p->first[SRV_SMTP] != NULL) {
			expect_one(x, in, &e[n++]);
			expect_one(x, p->first[SRV_SMTP], &e[n++]);
		}
	} else {
		for (i = 0; i < p->nin && n < PR_SRV_MAX; i++)
			if (p->in[i].type <= SRV_POP3 && (p->in[i].type ==
			    SRV_IMAP || !(c->rules & R_K9)))
				expect_one(x, &p->in[i], &e[n++]);
		for (i = 0; i < p->nout && n < PR_SRV_MAX; i++)
			expect_one(x, &p->out[i], &e[n++]);
	}
	return n;
}

static bool
differs(const struct msrv *g, const struct msrv *w, char *what, size_t n)
{
	char	gu[PR_TEXT_MAX];

	if (g->type != w->type)
		return pr_msg(what, n, "is %s, providers.ini says %s",
		    srv_names[g->type], srv_names[w->type]), true;
	if (strcasecmp(g->host, w->host) != 0)
		return pr_msg(what, n, "has host %s, providers.ini says %s",
		    g->host, w->host), true;
	if (g->port != w->port)
		return pr_msg(what, n, "has port %u, providers.ini says %u",
		    g->port, w->port), true;
	if (g->sock != w->sock)
		return pr_msg(what, n, "has %s, providers.ini says %s",
		    sock_names[g->sock], sock_names[w->sock]), true;
	pp_show(gu, sizeof(gu), g->user, strlen(g->user));
	if (g->user[0] != '\0' && w->user[0] != '\0' &&
	    strcmp(g->user, w->user) != 0)
		return pr_msg(what, n, "has username %s, providers.ini says "
		    "%s", gu, w->user), true;
	return false;
}

/* true when the answer is what providers.ini says, field by field */
static bool
compare(const struct pctx *x, const struct client *c, enum sk akind,
    const struct answer *a, char *pr, size_t pn)
{
	static struct msrv	 e[PR_SRV_MAX];
	struct msrv		 g;
	char			 what[PR_MSG_MAX];
	size_t			 ne, i, k = 0;

	ne = expect(x, c, akind, e);
	for (i = 0; i < a->nsrv; i++) {
		if (!reads(c, &a->srv[i]))
			continue;
		g = a->srv[i];
		fill(x, a->srv[i].user, g.user, sizeof(g.user));
		if (k >= ne) {
			pr_msg(pr, pn, "server %zu of the answer (%s) is not "
			    "in providers.ini", k + 1, srv_names[g.type]);
			return false;
		}
		if (differs(&g, &e[k], what, sizeof(what))) {
			pr_msg(pr, pn, "server %zu of the answer (%s) %s",
			    k + 1, srv_names[g.type], what);
			return false;
		}
		k++;
	}
	if (k < ne) {
		pr_msg(pr, pn, "providers.ini has %zu servers for this "
		    "client, the answer %zu", ne, k);
		return false;
	}
	return true;
}

/* RFC 6186 records against providers.ini: a host renamed without new DNS */
static bool
compare_srv(const struct pctx *x, const struct answer *a, char *pr,
    size_t pn)
{
	const struct server	*s;
	struct msrv		 e;
	size_t			 i;

	for (i = 0; i < a->nsrv; i++) {
		const struct msrv *g = &a->srv[i];

		/* what --dns publishes for this record (dns.c) */
		if ((s = dns_find(x->prov, g->type, g->sock)) == NULL) {
			pr_msg(pr, pn, "the %s %s SRV record names %s:%u, "
			    "providers.ini has no such server",
			    srv_names[g->type], sock_names[g->sock], g->host,
			    g->port);
			return false;
		}
		expect_one(x, s, &e);
		if (strcasecmp(e.host, g->host) != 0 || e.port != g->port) {
			pr_msg(pr, pn, "the %s %s SRV record names %s:%u, "
			    "providers.ini says %s:%u", srv_names[g->type],
			    sock_names[g->sock], g->host, g->port, e.host,
			    e.port);
			return false;
		}
	}
	return true;
}

/* ---- the servers ------------------------------------------------------ */

static int
check_server(const struct msrv *s)
{
	size_t	i;

	for (i = 0; i < pc_nchecks; i++)
		if (pc_checks[i].s.type == s->type && pc_checks[i].s.sock ==
		    s->sock && pc_checks[i].s.port == s->port &&
		    strcasecmp(pc_checks[i].s.host, s->host) == 0)
			return (int)i;
	if (pc_nchecks >= PC_CHECKS_MAX)
		return -1;
	pc_checks[pc_nchecks].s = *s;
	pn_mail(s, &pc_checks[pc_nchecks].m);
	return (int)pc_nchecks++;
}

static void
use_server(struct clientres *r, const struct msrv *s, bool primary)
{
	if (r->nuse >= PR_MAIL_CHECKS) {
		r->unchecked++;
		return;
	}
	r->use[r->nuse].check = check_server(s);
	if (r->use[r->nuse].check >= 0)
		r->use[r->nuse++].primary = primary;
}

/*
 * The servers of the answer the client reads: the default incoming and
 * outgoing one first, then the others up to PR_MAIL_CHECKS in all; the
 * rest are counted in r->unchecked and never connected to.
 */
static void
check_servers(const struct client *c, struct clientres *r)
{
	int	first[2] = { -1, -1 };
	size_t	i;

	for (i = 0; i < r->ans.nsrv; i++) {
		const struct msrv *s = &r->ans.srv[i];
		int	*f = &first[s->type == SRV_SMTP];

		if (s->valid && reads(c, s) && *f < 0)
			*f = (int)i;
	}
	for (i = 0; i < 2; i++)
		if (first[i] >= 0)
			use_server(r, &r->ans.srv[first[i]], true);
	for (i = 0; i < r->ans.nsrv; i++)
		if (r->ans.srv[i].valid && reads(c, &r->ans.srv[i]) &&
		    (int)i != first[0] && (int)i != first[1])
			use_server(r, &r->ans.srv[i], false);
}

/* ---- one client -------------------------------------------------------- */

static bool
run_step(struct pctx *x, const struct client *c, const struct step *st,
    struct stepres *sr, struct answer *a, enum sk *akind)
{
	char	host[DOMAIN_MAX + 16], url[PR_URL_MAX];

	*akind = st->kind == SK_MC ? SK_MC : st->kind == SK_AC ? SK_AC :
	    st->kind == SK_SRV6186 ? SK_SRV6186 : (c->rules & R_MS) ? SK_MS :
	    SK_POX;
	if (st->kind == SK_SRV6186)
		return st_srv6186(x, sr, a);
	if (st->kind == SK_SRVAD)
		return st_srvad(x, c, st->path, sr, a);
	if (step_host(x, st->host, host, sizeof(host)) == NULL &&
	    st->host == H_WEB) {
		sr->verdict = PV_SKIP;
		SET(sr->what, "the hoster's form page, https://WEB_HOST%s",
		    st->path);
		SET(sr->problem, "only on the one-certificate route "
		    "(--route one-cert)");
		return false;
	}
	if (step_host(x, st->host, host, sizeof(host)) == NULL) {
		sr->verdict = PV_SKIP;
		SET(sr->what, "MX-based autoconfig");
		SET(sr->problem, "%s", x->mx[0] ? "the same name as the step "
		    "before" : "no MX record");
		return false;
	}
	step_url(x, st->https, host, "", st->path, url, sizeof(url));
	SET(sr->what, "%s %s", st->kind == SK_POX || st->kind == SK_MS ?
	    "POST" : "GET", url);
	switch (st->kind) {
	case SK_JSON:
		return st_json(x, c, url, sr, a);
	case SK_POXREDIR:
		return st_poxredir(x, c, url, sr, a);
	case SK_PACC:
		memset(a, 0, sizeof(*a));
		return st_pacc(x, c, url, sr);
	default:
		return http_step(x, c, st->kind, url, sr, a);
	}
}

/*
 * The fix for an answer that differs from providers.ini.  A request
 * without an address to another domain's name (Thunderbird for Android's
 * MX step) is answered for that domain (DESIGN.md §2), rightly: the fix
 * is the record that makes the client ask for its own domain first.
 */
static void
differ_fix(const struct pctx *x, const struct stepres *sr, char *fix,
    size_t n)
{
	const char	*url = strchr(sr->what, ' '), *d;
	char		 host[DOMAIN_MAX + 1];

	if (url == NULL || strstr(url, "emailaddress=") != NULL ||
	    !url_host(url + 1, host, sizeof(host)) ||
	    strcasecmp(d = req_svc_domain(host), x->addr.domain) == 0) {
		pr_msg(fix, n, "the server answers from another config: reload "
		    "mailautoconf, or point the name at the right server");
		return;
	}
	pr_msg(fix, n, "none in mailautoconf: this request carries no address "
	    "and is answered for %s, the MX host's domain; publish "
	    "`autoconfig.%s. CNAME %s.`, which the client asks first", d,
	    x->addr.domain, x->webcanon[0] != '\0' ? x->webcanon : x->webhost);
}

static void
verdict(const struct pctx *x, const struct client *c, enum sk akind,
    struct clientres *r)
{
	struct stepres	*sr = &r->steps[r->chosen];
	size_t		 i;

	r->verdict = PV_OK;
	SET(r->summary, "sets up from step %d (%s)", r->chosen + 1, sr->what);
	if (x->prov != NULL && akind == SK_SRV6186 &&
	    !compare_srv(x, &r->ans, sr->problem, sizeof(sr->problem))) {
		sr->verdict = r->verdict = PV_FAIL;
		SET(sr->fix, "publish the SRV records that `mailautoconf --dns "
		    "%s%s` prints (DNS still names other servers)",
		    x->onecert ? "--srv-only " : "", x->addr.domain);
		SET(r->summary, "step %d's SRV records differ from "
		    "providers.ini: %s", r->chosen + 1, sr->problem);
		SET(r->fix, "%s", sr->fix);
		return;
	}
	if (x->prov != NULL && akind != SK_SRV6186 && !c->future &&
	    !compare(x, c, akind, &r->ans, sr->problem, sizeof(sr->problem))) {
		sr->verdict = r->verdict = PV_FAIL;
		differ_fix(x, sr, sr->fix, sizeof(sr->fix));
		SET(r->summary, "step %d's answer differs from providers.ini: "
		    "%s", r->chosen + 1, sr->problem);
		SET(r->fix, "%s", sr->fix);
		return;
	}
	for (i = 0; i < r->nuse; i++) {
		const struct mcheck *m = &pc_checks[r->use[i].check].m;

		if (m->verdict != PV_FAIL || !r->use[i].primary)
			continue;
		r->verdict = PV_FAIL;
		SET(r->summary, "step %d's answer has a broken server: %s",
		    r->chosen + 1, m->problem);
		SET(r->fix, "%s", m->fix);
		return;
	}
}

void
pc_run(struct pctx *x, size_t ci, struct clientres *r)
{
	const struct client	*c = &clients[ci];
	static struct answer	 a;
	enum sk			 akind, chosen_kind = SK_AC;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->chosen = -1;
	for (i = 0; i < c->nsteps && i < PC_STEPS_MAX; i++, r->nsteps++) {
		struct stepres *sr = &r->steps[i];

		sr->verdict = PV_FAIL;
		if (run_step(x, c, &c->steps[i], sr, &a, &akind)) {
			sr->verdict = PV_OK;
			if (r->chosen < 0) {
				r->chosen = (int)i;
				r->ans = a;
				chosen_kind = akind;
			}
		} else if (sr->verdict == PV_FAIL && r->chosen >= 0)
			sr->verdict = PV_WARN;	/* a fallback that fails */
	}
	if (r->chosen < 0) {
		r->verdict = PV_FAIL;
		SET(r->summary, "no step gives an answer %s accepts", c->name);
		for (i = 0; i < r->nsteps; i++)
			if (r->steps[i].verdict == PV_FAIL) {
				SET(r->fix, "%s", r->steps[i].fix);
				break;
			}
		/* a draft's client: "not published" is no failure */
		if (c->future && r->steps[0].verdict == PV_SKIP) {
			r->verdict = PV_SKIP;
			SET(r->summary, "%s", r->steps[0].problem);
		}
		/* ActiveSync is an extra a deployment may lack */
		if (c->rules & R_MS) {
			r->verdict = PV_SKIP;
			SET(r->summary, "no MobileSync answer: Exchange accounts "
			    "of Android, Samsung Email and new Outlook cannot "
			    "set up; IMAP clients are unaffected");
		}
		return;
	}
	check_servers(c, r);
	verdict(x, c, chosen_kind, r);
}
