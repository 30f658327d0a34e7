/*
 * http.c: the status line, headers and fixed error bodies, and the
 * dispatch from a parsed request to its handler.
 *
 * Error bodies are fixed text: nothing of the request reaches them or any
 * header (SPEC §8).
 */
#include <string.h>

#include "mailautoconf.h"

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

static const char CT_XML[] = "text/xml; charset=utf-8";
static const char CT_TEXT[] = "text/plain; charset=utf-8";
static const char CT_JSON[] = "application/json";
static const char CT_HTML[] = "text/html; charset=utf-8";
static const char CT_APPLE[] = "application/x-apple-aspen-config";
static const char VARY_UA[] = "Vary: User-Agent";
/* the profile page loads nothing, runs nothing, posts only to us */
static const char CSP_PAGE[] = "Content-Security-Policy: default-src 'none'; "
    "style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}

/* extra: header lines of ours, "\r\n" between them, or NULL */
static void
http_head(struct response *rs, const char *ctype, unsigned long max_age,
    const char *allow, const char *extra)
{
	struct out	h;

	out_init(&h, rs->head, sizeof(rs->head));
	out_str(&h, "Status: ");
	out_uint(&h, (unsigned long)rs->status);
	out_str(&h, " ");
	out_str(&h, http_reason(rs->status));
	out_str(&h, "\r\nContent-Type: ");
	out_str(&h, ctype);
	out_str(&h, "\r\nContent-Length: ");
	out_uint(&h, (unsigned long)rs->blen);
	if (allow != NULL) {
		out_str(&h, "\r\nAllow: ");
		out_str(&h, allow);
	}
	if (max_age > 0) {
		out_str(&h, "\r\nCache-Control: max-age=");
		out_uint(&h, max_age);
	} else
		out_str(&h, "\r\nCache-Control: no-store");
	if (extra != NULL) {
		out_str(&h, "\r\n");
		out_str(&h, extra);
	}
	out_str(&h, "\r\nX-Content-Type-Options: nosniff\r\n\r\n");
	rs->hlen = h.len;
}

/* A fixed body for each status: "404 Not Found\n". */
void
http_error(struct response *rs, const struct request *r, int status)
{
	struct out	b;

	rs->status = status;
	out_init(&b, rs->body, sizeof(rs->body));
	if (r->ep == EP_JSON) {
		/* a JSON client gets its error as JSON, fixed text still */
		ad_json_error(r, status, &b);
		rs->blen = b.len;
		http_head(rs, CT_JSON, 0, status == 405 ? r->allow : NULL,
		    NULL);
		return;
	}
	out_uint(&b, (unsigned long)status);
	out_str(&b, " ");
	out_str(&b, http_reason(status));
	out_str(&b, "\n");
	rs->blen = b.len;
	http_head(rs, CT_TEXT, 0, status == 405 ? r->allow : NULL, NULL);
}

/*
 * "Content-Disposition: attachment; filename="DOMAIN.mobileconfig"".  The
 * domain is a validated LDH name; out_hdr_token checks it again, so no
 * request byte reaches a header unchecked.  NULL when it is refused.
 */
static const char *
http_attachment(char *buf, size_t cap, const char *domain)
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

/* SPEC §6: the profile, or without an address the page that asks. */
static int
http_mobileconfig(const struct config *cf, struct request *r,
    const struct provider *p, struct out *o, const char **ct,
    const char **extra, char *xh, size_t xcap)
{
	int	st;

	if (!r->has_addr) {
		*ct = CT_HTML;
		*extra = CSP_PAGE;
		return mc_page(r, cf, p, o);
	}
	*ct = CT_APPLE;
	if ((st = mc_render(r, cf, p, o)) == 404)
		r->why = "no IMAP or POP3 server and SMTP server for a profile";
	else if (st != 200)
		r->why = "cannot sign the profile";
	else if ((*extra = http_attachment(xh, xcap, r->domain)) == NULL)
		o->err = true;
	return st;
}

void
http_respond(const struct config *cf, struct request *r, struct response *rs)
{
	const struct provider	*p;
	struct out		 o;
	unsigned long		 age = 0;
	const char		*ct = CT_XML, *extra = NULL;
	char			 xh[256];

	rs->send_body = r->method != M_HEAD;
	out_init(&o, rs->body, sizeof(rs->body));
	if (r->pox_error) {
		rs->status = ad_error(r, 600, &o);
		goto done;
	}
	if ((p = prov_lookup(cf, r->domain, r->dlen)) == NULL) {
		/* clients fall through to ISPDB and MX lookups */
		r->why = "unknown domain";
		http_error(rs, r, 404);
		return;
	}
	switch (r->ep) {
	case EP_AUTOCONFIG:
		rs->status = ac_render(r, cf, p, &o);
		age = cf->cache_max_age;
		break;
	case EP_POX:
		if (r->schema != POX_OUTLOOK)
			rs->status = ad_error(r, 601, &o);
		else
			rs->status = ad_render(r, cf, p, &o);
		break;
	case EP_JSON:
		ct = CT_JSON;
		if ((rs->status = ad_json(r, cf, p, &o)) == 400)
			r->why = "Protocol is not AutodiscoverV1";
		break;
	case EP_MOBILECONFIG:
		rs->status = http_mobileconfig(cf, r, p, &o, &ct, &extra, xh,
		    sizeof(xh));
		if (rs->status != 200) {
			http_error(rs, r, rs->status);
			return;
		}
		if (!r->has_addr)
			age = cf->cache_max_age;
		break;
	}
done:
	if (o.err) {
		r->why = "answer larger than the output buffer or unsafe text";
		http_error(rs, r, 500);
		return;
	}
	rs->blen = o.len;
	/* the POX answer depends on the User-Agent (autodiscover.c) */
	if (r->ep == EP_POX)
		extra = VARY_UA;
	http_head(rs, ct, age, NULL, extra);
}
