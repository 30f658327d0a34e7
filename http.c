/*
 * http.c: the status line, headers and fixed error bodies, and the
 * dispatch from a parsed request to its handler through the endpoint
 * table (endpoint.c).
 *
 * Error bodies are fixed text: nothing of the request reaches them or any
 * header (DESIGN.md §8).
 */
#include <string.h>

#include "mailautoconf.h"

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 307, "Temporary Redirect" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

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

/*
 * The head of rs, whose status and body are set.  allow: the methods of a
 * 405 (MB() bits, 0: none); extra: header lines of ours, "\r\n" between
 * them, or NULL.  A head that does not fit is no head: the 500 that
 * replaces it always fits.
 */
static void
http_head(struct response *rs, const char *ctype, unsigned long max_age,
    unsigned allow, const char *extra)
{
	struct out	h;
	int		m;

	out_init(&h, rs->head, sizeof(rs->head));
	out_str(&h, "Status: ");
	out_uint(&h, (unsigned long)rs->status);
	out_str(&h, " ");
	out_str(&h, http_reason(rs->status));
	out_str(&h, "\r\nContent-Type: ");
	out_str(&h, ctype);
	out_str(&h, "\r\nContent-Length: ");
	out_uint(&h, (unsigned long)rs->blen);
	for (m = M_GET; allow != 0 && m < M_OTHER; m++)
		if (allow & MB(m)) {
			out_str(&h, (allow & (MB(m) - 1)) ? ", " : "\r\nAllow: ");
			out_str(&h, method_names[m]);
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
	if (h.err) {
		/* fail closed: never a cut head; this one always fits */
		static const char	fixed[] = "500 Internal Server Error\n";

		rs->status = 500;
		memcpy(rs->body, fixed, sizeof(fixed) - 1);
		rs->blen = sizeof(fixed) - 1;
		http_head(rs, CT_TEXT, 0, 0, NULL);
	}
}

/* A fixed body for each status: "404 Not Found\n". */
void
http_error(struct response *rs, const struct request *r, int status)
{
	const struct endpoint_def	*ep = &endpoints[r->ep];
	struct out			 b;
	unsigned			 allow = status == 405 ? ep->methods : 0;

	rs->status = status;
	out_init(&b, rs->body, sizeof(rs->body));
	if (ep->error != NULL) {
		ep->error(r, status, &b);
		rs->blen = b.len;
		http_head(rs, ep->ctype, 0, allow, NULL);
		return;
	}
	out_uint(&b, (unsigned long)status);
	out_str(&b, " ");
	out_str(&b, http_reason(status));
	out_str(&b, "\n");
	rs->blen = b.len;
	http_head(rs, CT_TEXT, 0, allow, NULL);
}

/*
 * The endpoint's row: look the provider up, call its handler, write the
 * head from the row and what the handler wrote.
 */
void
http_respond(const struct config *cf, struct request *r, struct response *rs)
{
	const struct endpoint_def	*ep = &endpoints[r->ep];
	const struct provider		*p = NULL;
	struct out			 o;
	struct reply			 rp;
	int				 cache;
	unsigned long			 age;

	rs->send_body = r->method != M_HEAD;
	if (!r->pox_error && (p = r->dlen == 0 ? NULL :
	    prov_lookup(cf, r->domain, r->dlen)) == NULL && img_broken(cf)) {
		r->why = "compiled config corrupt: run mailautoconf --compile";
		http_error(rs, r, 500);
		return;
	}
	if (!r->pox_error && p == NULL && !ep->any_domain) {
		/* clients fall through to ISPDB and MX lookups */
		r->why = "unknown domain";
		http_error(rs, r, 404);
		return;
	}
	rp.ctype = rp.extra = NULL;
	rp.cache = -1;
	rp.error_page = false;
	out_init(&o, rs->body, sizeof(rs->body));
	rs->status = ep->answer(r, cf, p, &o, &rp);
	if (rp.error_page) {
		http_error(rs, r, rs->status);
		return;
	}
	if (o.err) {
		r->why = "answer larger than the output buffer or unsafe text";
		http_error(rs, r, 500);
		return;
	}
	rs->blen = o.len;
	cache = rp.cache >= 0 ? rp.cache : ep->cache;
	age = cache ? cf->cache_max_age : 0;
	if (ep->cache_cap > 0 && age > ep->cache_cap)
		age = ep->cache_cap;
	http_head(rs, rp.ctype != NULL ? rp.ctype : ep->ctype, age, 0,
	    rp.extra != NULL ? rp.extra : ep->extra);
}
