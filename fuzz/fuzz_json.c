/*
 * fuzz_json.c: the Autodiscover v2 JSON endpoint (DESIGN.md §5) end to end, and
 * the JSON string escaper out_json_str on raw bytes.
 *
 * The input is "PATH\nQUERY\nHOST": PATH is appended to
 * /autodiscover/autodiscover.json (so "/v1.0/ADDR" reaches the path form),
 * and the request runs as main.c runs it, against a fixed config.  Every
 * JSON answer must be one object of string members as our writer makes
 * them; the headers must hold nothing the input planted ("X-Evil").
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static const char INI[] =
    "[mailbox.org]\n"
    "domains = mailbox.org, b\xc3\xbc" "cher.example\n"
    "imap = imap.mailbox.org:993 ssl\n"
    "smtp = smtp.mailbox.org:465 ssl\n"
    "activesync = https://sync.%EMAILDOMAIN%/eas/?u=%EMAILADDRESS%\n";

static struct config	*cf;
static struct request	 req;
static struct response	 resp;

struct env {
	char	uri[PATH_MAX_LEN + 64];
	char	query[QUERY_MAX + 2];
	char	host[512];
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cf = fuzz_config(INI);
	return 0;
}

static const char *
env_get(void *ctx, const char *name)
{
	struct env	*e = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "GET";
	if (strcmp(name, "REQUEST_URI") == 0)
		return e->uri;
	if (strcmp(name, "QUERY_STRING") == 0)
		return e->query;
	if (strcmp(name, "HTTP_HOST") == 0)
		return e->host;
	return NULL;
}

/* A JSON string literal at s[*i] as out_json_str writes it. */
static void
json_string(const char *s, size_t n, size_t *i)
{
	if (*i >= n || s[(*i)++] != '"')
		abort();
	while (*i < n && s[*i] != '"') {
		unsigned char c = (unsigned char)s[*i];

		if (c < 0x20 || c == 0x7f || strchr("<>&'", c) != NULL)
			abort();
		if (c == '\\') {
			if (*i + 1 >= n)
				abort();
			if (s[*i + 1] == 'u') {
				if (*i + 6 > n || strspn(s + *i + 2,
				    "0123456789abcdef") < 4)
					abort();
				*i += 6;
				continue;
			}
			if (s[*i + 1] != '"' && s[*i + 1] != '\\')
				abort();
			*i += 2;
			continue;
		}
		(*i)++;
	}
	if (*i >= n)
		abort();
	(*i)++;
}

/* {"A":"B","C":"D"}: the only shape our JSON answers have. */
static void
json_object(const char *s, size_t n)
{
	size_t	i = 0;

	if (n == 0 || s[i++] != '{')
		abort();
	for (;;) {
		json_string(s, n, &i);
		if (i >= n || s[i++] != ':')
			abort();
		json_string(s, n, &i);
		if (i >= n)
			abort();
		if (s[i] == '}')
			break;
		if (s[i++] != ',')
			abort();
	}
	if (i + 1 != n || !mac_utf8_ok((const unsigned char *)s, n))
		abort();
}

static void
fuzz_escaper(const uint8_t *data, size_t size)
{
	static char	buf[6 * 4096 + 2];
	struct out	o;
	size_t		i = 0;

	if (size > 4096)
		size = 4096;
	out_init(&o, buf, sizeof(buf));
	out_json_str(&o, (const char *)data, size);
	if (o.err != !mac_utf8_ok(data, size))
		abort();
	if (!o.err) {
		json_string(buf, o.len, &i);
		if (i != o.len)
			abort();
	}
}

static void
split(struct env *e, const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;
	char		*dst[3] = { e->uri, e->query, e->host };
	size_t		 cap[3] = { sizeof(e->uri), sizeof(e->query),
			    sizeof(e->host) }, k, n, off;

	memcpy(e->uri, "/autodiscover/autodiscover.json", 31);
	for (k = 0; k < 3; k++) {
		off = k == 0 ? 31 : 0;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > cap[k] - off - 1)
			n = cap[k] - off - 1;
		memcpy(dst[k] + off, p, n);
		dst[k][off + n] = '\0';
		/* a NUL in the input ends the variable, as in an environment */
		p = nl != NULL ? nl + 1 : end;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct env	e;
	int		st;

	fuzz_escaper(data, size);
	split(&e, data, size);
	memset(&req, 0, offsetof(struct request, body));
	req.now_ms = 1;
	if ((st = req_start(&req, env_get, &e)) == 0)
		st = req_finish(&req);
	if (st != 0)
		http_error(&resp, &req, st);
	else
		http_respond(cf, &req, &resp);
	if (resp.blen > sizeof(resp.body) || resp.hlen > sizeof(resp.head))
		abort();
	if (memmem(resp.head, resp.hlen, "X-Evil", 6) != NULL)
		abort();
	if (memmem(resp.head, resp.hlen, "application/json", 16) != NULL)
		json_object(resp.body, resp.blen);
	return 0;
}
