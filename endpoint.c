/*
 * endpoint.c: the endpoint table, one row for each thing we answer
 * (DESIGN.md §2): its paths, methods, query keys, handler, content type,
 * caching and extra headers.  request.c routes with it, http.c dispatches
 * and writes the headers with it, main.c's --check renders the rows that
 * ask for it, and the docs test (t05) reads it through `unit --tables`.
 *
 * Adding an endpoint is one row here and one handler: a function of type
 * ep_handler that writes the body and returns the status.
 */
#include <string.h>

#include "mailautoconf.h"

const char *const method_names[] = {
	[M_GET] = "GET", [M_HEAD] = "HEAD", [M_POST] = "POST",
};

static const char CT_XML[] = "text/xml; charset=utf-8";
static const char CT_TEXT[] = "text/plain; charset=utf-8";
static const char CT_JSON[] = "application/json";
static const char CT_HTML[] = "text/html; charset=utf-8";
static const char CT_APPLE[] = "application/x-apple-aspen-config";
/* the profile page loads nothing, runs nothing, posts only to us */
static const char CSP_PAGE[] = "Content-Security-Policy: default-src 'none'; "
    "style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

/* ---- the handlers' wiring --------------------------------------------- */

static int
ep_autoconfig(struct request *r, const struct config *cf,
    const struct provider *p, struct out *o, struct reply *rp)
{
	(void)rp;
	return ac_render(r, cf, p, o);
}

/* without a provider: the body was malformed (error 600) */
static int
ep_pox(struct request *r, const struct config *cf, const struct provider *p,
    struct out *o, struct reply *rp)
{
	(void)rp;
	if (p == NULL)
		return ad_error(r, 600, o);
	/* ActiveSync (Android, Samsung, iOS): only where there is a server */
	if (r->schema == POX_MOBILESYNC && p->first[SRV_ACTIVESYNC] != NULL)
		return ad_mobilesync(r, p, o);
	if (r->schema != POX_OUTLOOK)
		return ad_error(r, 601, o);
	return ad_render(r, cf, p, o);
}

static int
ep_json(struct request *r, const struct config *cf, const struct provider *p,
    struct out *o, struct reply *rp)
{
	int	st;

	(void)rp;
	if ((st = ad_json(r, cf, p, o)) == 400)
		r->why = "Protocol is not AutodiscoverV1";
	return st;
}

/*
 * "Content-Disposition: attachment; filename="DOMAIN.mobileconfig"".  The
 * domain is a validated LDH name; out_hdr_token checks it again, so no
 * request byte reaches a header unchecked.  NULL when it is refused.
 */
static const char *
attachment(char *buf, size_t cap, const char *domain)
{
	struct out	x;

	out_init(&x, buf, cap - 1);
	out_str(&x, "Content-Disposition: attachment; filename=\"");
	out_hdr_token(&x, domain);
	out_str(&x, ".mobileconfig\"");
	if (x.err)
		return NULL;
	buf[x.len] = '\0';
	return buf;
}

/* DESIGN.md §6: the profile, or without an address the page that asks. */
static int
ep_mobileconfig(struct request *r, const struct config *cf,
    const struct provider *p, struct out *o, struct reply *rp)
{
	int	st;

	if (!r->has_addr) {
		/* on any Host, listed or not: the address typed decides */
		rp->ctype = CT_HTML;
		rp->extra = CSP_PAGE;
		rp->cache = 1;
		if ((st = mc_page(r, cf, p, o)) != 200)
			rp->error_page = true;
		return st;
	}
	if (p == NULL) {
		rp->error_page = true;
		return r->why = "unknown domain", 404;
	}
	if ((st = mc_render(r, cf, p, o)) == 404)
		r->why = "nothing for a profile: no IMAP or POP3 and SMTP "
		    "server, no caldav or carddav";
	else if (st != 200)
		r->why = "cannot sign the profile";
	else if ((rp->extra = attachment(rp->xh, sizeof(rp->xh),
	    r->domain)) == NULL)
		o->err = true;
	if (st != 200)
		rp->error_page = true;
	return st;
}

/*
 * RFC 6764 §5: a redirect to the provider's caldav or carddav URL, for
 * every method; no body.  RFC 8620 §2.2: the same for jmap.
 */
static int
ep_dav(struct request *r, const struct config *cf, const struct provider *p,
    struct out *o, struct reply *rp)
{
	int	st;

	(void)cf;
	(void)o;
	if (endpoints[r->ep].jmap)
		st = dav_jmap(p, r->domain, rp->xh, sizeof(rp->xh), &r->why);
	else
		st = dav_redirect(p, r->domain, endpoints[r->ep].dav_card,
		    rp->xh, sizeof(rp->xh), &r->why);
	if (st == 307)
		rp->extra = rp->xh;
	else
		rp->error_page = true;
	return st;
}

/* PACC: the document of the Host's domain, the same for every request. */
static int
ep_pacc(struct request *r, const struct config *cf, const struct provider *p,
    struct out *o, struct reply *rp)
{
	int	st;

	(void)cf;
	if ((st = pacc_render(p, r->domain, o)) != 200) {
		r->why = "nothing PACC can state for this domain";
		rp->error_page = true;
	}
	return st;
}

/* ---- the table -------------------------------------------------------- */

#define M_ALL	(MB(M_GET) | MB(M_HEAD) | MB(M_POST))
#define Q_ANY	(QB(Q_ADDR))

/* A new endpoint is a row at the end (no enum name needed) and its handler. */
const struct endpoint_def endpoints[] = {
	[EP_AUTOCONFIG] = {
		.name = "autoconfig",
		.paths = { "/mail/config-v1.1.xml",
		    "/.well-known/autoconfig/mail/config-v1.1.xml",
		    "/v1.1/mail/config-v1.1.xml" },
		.methods = M_ALL,
		/* Evolution sends emailmd5 beside its fixed local part */
		.query = Q_ANY | QB(Q_MD5),
		.answer = ep_autoconfig,
		.ctype = CT_XML,
		.cache = true,
		/* Evolution's User-Agent gets another order (autoconfig.c) */
		.extra = "Vary: User-Agent",
		.check = true,
	},
	[EP_POX] = {
		.name = "autodiscover",
		.paths = { "/autodiscover/autodiscover.xml" },
		.methods = M_ALL,
		.query = Q_ANY,
		.answer = ep_pox,
		.xml_body = true,
		.ctype = CT_XML,
		/* EXCH and WEB are left out for Outlook (autodiscover.c) */
		.extra = "Vary: User-Agent",
		.check = true,
	},
	[EP_JSON] = {
		.name = "autodiscover-json",
		.paths = { "/autodiscover/autodiscover.json" },
		.addr_prefix = "/autodiscover/autodiscover.json/v1.0/",
		.methods = MB(M_GET) | MB(M_HEAD),
		.query = Q_ANY | QB(Q_PROTOCOL) | QB(Q_REDIRECTCOUNT),
		.answer = ep_json,
		/* the answer names the POX endpoint on this Host */
		.need_protocol = true,
		.need_host = true,
		/* a JSON client gets its errors as JSON, fixed text still */
		.error = ad_json_error,
		.ctype = CT_JSON,
	},
	[EP_MOBILECONFIG] = {
		.name = "mobileconfig",
		.paths = { "/email.mobileconfig", "/mobileconfig" },
		.methods = M_ALL,
		.query = Q_ANY,
		.answer = ep_mobileconfig,
		.ctype = CT_APPLE,
		/* the page asks on a hoster's host that lists no customer */
		.any_domain = true,
	},
	/*
	 * RFC 6764 §5: clients start with PROPFIND (or OPTIONS, GET, ...);
	 * every method gets the redirect, which keeps method and body, so
	 * the body is not ours to read.  No query key.
	 */
	[EP_CALDAV] = {
		.name = "caldav",
		.paths = { "/.well-known/caldav" },
		.methods = M_ALL | MB(M_OTHER),
		.answer = ep_dav,
		.ctype = CT_TEXT,
		.no_body = true,
	},
	[EP_CARDDAV] = {
		.name = "carddav",
		.paths = { "/.well-known/carddav" },
		.methods = M_ALL | MB(M_OTHER),
		.answer = ep_dav,
		.dav_card = true,
		.ctype = CT_TEXT,
		.no_body = true,
	},
	/*
	 * PACC, on ua-auto-config.DOMAIN: no address is sent, one digest in
	 * DNS covers the domain.  Cached no longer than that TXT record
	 * lives; readable by any origin (web mail clients).
	 */
	[EP_PACC] = {
		.name = "pacc",
		.paths = { "/.well-known/user-agent-configuration.json" },
		.methods = MB(M_GET) | MB(M_HEAD),
		.answer = ep_pacc,
		.ctype = CT_JSON,
		.cache = true,
		.cache_cap = DNS_TTL,
		.extra = "Access-Control-Allow-Origin: *",
	},
	/* RFC 8620 §2.2: to the session resource, like the DAV ones */
	{
		.name = "jmap",
		.paths = { "/.well-known/jmap" },
		.methods = M_ALL | MB(M_OTHER),
		.answer = ep_dav,
		.jmap = true,
		.ctype = CT_TEXT,
		.no_body = true,
	},
};
const size_t nendpoints = sizeof(endpoints) / sizeof(endpoints[0]);
