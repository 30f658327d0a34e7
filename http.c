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

const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}

static void
http_head(struct response *rs, const char *ctype, unsigned long max_age,
    const char *allow)
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
	out_uint(&b, (unsigned long)status);
	out_str(&b, " ");
	out_str(&b, http_reason(status));
	out_str(&b, "\n");
	rs->blen = b.len;
	http_head(rs, CT_TEXT, 0, status == 405 ? r->allow : NULL);
}

void
http_respond(const struct config *cf, struct request *r, struct response *rs)
{
	const struct provider	*p;
	struct out		 o;
	unsigned long		 age = 0;

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
	default:
		r->why = "endpoint not built in";
		http_error(rs, r, 404);
		return;
	}
done:
	if (o.err) {
		r->why = "answer larger than the output buffer or unsafe text";
		http_error(rs, r, 500);
		return;
	}
	rs->blen = o.len;
	http_head(rs, CT_XML, age, NULL);
}
