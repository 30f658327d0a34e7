/*
 * probe_parse.c: the answers the probe fetched, read as the clients read
 * them: config-v1.1.xml (Thunderbird's readFromXML rules, DESIGN.md §3), the
 * POX response (Response/Account/Protocol), the Autodiscover v2 JSON
 * (its Url) and an Apple profile's mail payload.  Everything here came
 * from the network: bounded, never trusted, never printed unfiltered
 * (pp_show).  Expat with entity declarations refused, as import.c does.
 * fuzz/fuzz_probe.c runs all four readers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <expat.h>

#include "probe.h"

/* element nesting of any answer we read: clientConfig is four deep */
#define PP_DEPTH	12
#define PP_NAME		32

enum pp_kind {
	PK_AUTOCONFIG, PK_POX, PK_PLIST
};

struct pp {
	XML_Parser	 xp;
	enum pp_kind	 kind;
	struct answer	*a;
	int		 depth;
	char		 stack[PP_DEPTH][PP_NAME];	/* "": too long */
	char		 text[PR_TEXT_MAX];
	size_t		 tlen;
	bool		 tlong;
	struct msrv	*cur;		/* the server being read */
	bool		 root_ok;
	bool		 inmail;	/* plist: keys of the mail payload */
	char		 key[PP_NAME];	/* plist: the last <key> */
	char		 ptype[PP_NAME];	/* plist: PayloadType seen */
	struct msrv	 pin, pout;	/* plist: Incoming, Outgoing */
	bool		 pin_ssl, pout_ssl;
	bool		 pop;
	bool		 mstype;	/* MobileSync: this Server's Type */
	char		 msu[PR_URL_MAX];	/* MobileSync: its Url */
};

void
pp_copy(char *dst, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/*
 * pp_show: a value from the network, made safe to print: printable ASCII
 * stays, every other byte becomes '?', and a value longer than the room
 * ends in "...".  Every string of the network goes through here (or
 * through the JSON writer's escaper) before it is printed.
 */
void
pp_show(char *dst, size_t n, const char *s, size_t len)
{
	size_t	i, o;

	i = o = mac_printable(dst, n, s, len);
	if (i < len && n > 4) {
		o = o < n - 4 ? o : n - 4;
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

void
pr_msg(char *dst, size_t n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* a host name as Thunderbird's sanitize.hostname takes it (LDH labels) */
bool
pp_hostname(const char *s)
{
	char		 d[DOMAIN_MAX + 1];
	size_t		 dl;
	const char	*why;
	size_t		 n = strlen(s);

	if (n == 0 || n > DOMAIN_MAX)
		return false;
	if (s[0] == '[')
		return n > 2 && s[n - 1] == ']';
	return mac_domain(d, &dl, s, n, &why) == 0;
}

/*
 * An autoconfig host name, which may hold placeholders the client fills
 * in (mail.%EMAILDOMAIN%): Thunderbird's sanitize.hostname takes LDH text
 * with %NAME% parts; each stands for one label here.
 */
bool
pp_host_template(const char *s)
{
	char		 d[DOMAIN_MAX + 1];
	const char	*e;
	size_t		 o = 0;

	if (strchr(s, '%') == NULL)
		return pp_hostname(s);
	for (; *s != '\0' && o + 1 < sizeof(d); s++) {
		if (*s != '%') {
			d[o++] = *s;
			continue;
		}
		e = s + 1 + strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (*e != '%' || e == s + 1)
			return false;
		d[o++] = 'x';
		s = e;
	}
	d[o] = '\0';
	return *s == '\0' && pp_hostname(d);
}

static bool
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static const char *
parent(const struct pp *p, int up)
{
	return p->depth - 1 - up >= 0 ? p->stack[p->depth - 1 - up] : "";
}

static const char *
attr(const XML_Char **at, const char *name)
{
	for (; at[0] != NULL; at += 2)
		if (is(at[0], name))
			return at[1];
	return NULL;
}

static struct msrv *
pp_newsrv(struct pp *p, enum srv_type t)
{
	struct msrv	*s;

	if (p->a->nsrv >= PR_SRV_MAX) {
		p->a->overflow = true;
		return NULL;
	}
	s = &p->a->srv[p->a->nsrv++];
	memset(s, 0, sizeof(*s));
	s->type = t;
	s->sock = SOCK_PLAIN;
	return s;
}

/* config-v1.1.xml: the server elements and emailProvider@id */
static void
ac_start(struct pp *p, const char *el, const XML_Char **at)
{
	const char	*v;

	if (p->depth == 1) {
		p->root_ok = is(el, "clientConfig");
		return;
	}
	if (is(el, "emailProvider") && (v = attr(at, "id")) != NULL)
		pp_copy(p->a->id, sizeof(p->a->id), v, strlen(v));
	if (!is(parent(p, 1), "emailProvider"))
		return;
	v = attr(at, "type");
	if (is(el, "incomingServer") && v != NULL && is(v, "imap"))
		p->cur = pp_newsrv(p, SRV_IMAP);
	else if (is(el, "incomingServer") && v != NULL && is(v, "pop3"))
		p->cur = pp_newsrv(p, SRV_POP3);
	else if (is(el, "outgoingServer") && v != NULL && is(v, "smtp"))
		p->cur = pp_newsrv(p, SRV_SMTP);
}

static unsigned
pp_port(const char *s)
{
	long long	v;

	if (mac_strtonum(s, 1, 65535, &v) != 0)
		return 0;
	return (unsigned)v;
}

static void
ac_end(struct pp *p, const char *el)
{
	struct msrv	*s = p->cur;

	if (s == NULL)
		return;
	if (is(el, "incomingServer") || is(el, "outgoingServer")) {
		s->valid = s->sock_ok && s->port != 0 &&
		    pp_host_template(s->host);
		p->cur = NULL;
	} else if (!is(parent(p, 1), "incomingServer") &&
	    !is(parent(p, 1), "outgoingServer"))
		return;
	else if (is(el, "hostname") && !p->tlong)
		pp_copy(s->host, sizeof(s->host), p->text, p->tlen);
	else if (is(el, "port"))
		s->port = pp_port(p->text);
	else if (is(el, "username"))
		pp_copy(s->user, sizeof(s->user), p->text, p->tlen);
	else if (is(el, "socketType")) {
		/* exactly these spellings (DESIGN.md §3) */
		s->sock_ok = true;
		if (is(p->text, "SSL"))
			s->sock = SOCK_SSL;
		else if (is(p->text, "STARTTLS"))
			s->sock = SOCK_STARTTLS;
		else if (is(p->text, "plain"))
			s->sock = SOCK_PLAIN;
		else
			s->sock_ok = false;
	}
}

/* POX: Response/Account/Protocol; Type, Server, Port, SSL, Encryption */
static void
pox_start(struct pp *p, const char *el)
{
	if (p->depth == 1)
		p->root_ok = is(el, "Autodiscover");
	if (is(el, "Protocol") && is(parent(p, 1), "Account")) {
		p->cur = pp_newsrv(p, SRV_IMAP);
		if (p->cur != NULL)
			p->cur->sock = SOCK_SSL;	/* SSL defaults to on */
	}
}

static void
pox_field(struct pp *p, struct msrv *s, const char *el)
{
	if (is(el, "Type")) {
		if (is(p->text, "IMAP"))
			s->type = SRV_IMAP;
		else if (is(p->text, "POP3"))
			s->type = SRV_POP3;
		else if (is(p->text, "SMTP"))
			s->type = SRV_SMTP;
		else
			s->type = SRV_EWS;	/* not a mail protocol */
		/* what Thunderbird turns into an Exchange server */
		if (is(p->text, "EXCH") || is(p->text, "EXHTTP") ||
		    is(p->text, "WEB"))
			p->a->exch = true;
	} else if (is(el, "Server") && !p->tlong)
		pp_copy(s->host, sizeof(s->host), p->text, p->tlen);
	else if (is(el, "Port"))
		s->port = pp_port(p->text);
	else if (is(el, "LoginName"))
		pp_copy(s->user, sizeof(s->user), p->text, p->tlen);
	else if (is(el, "SSL")) {
		/* exactly on/off (DESIGN.md §4): anything else is refused */
		if (is(p->text, "off"))
			s->sock = SOCK_PLAIN;
		else if (!is(p->text, "on"))
			s->sock_ok = false;
	} else if (is(el, "Encryption")) {
		/* wins over SSL; "TLS" is STARTTLS to Outlook */
		if (is(p->text, "SSL"))
			s->sock = SOCK_SSL;
		else if (is(p->text, "TLS"))
			s->sock = SOCK_STARTTLS;
		else if (is(p->text, "None"))
			s->sock = SOCK_PLAIN;
		else
			s->sock_ok = false;
	}
}

/* MobileSync (MS-ASCMD 2.2.3): Action/Settings/Server with Type and Url */
static void
ms_end(struct pp *p, const char *el)
{
	if (is(el, "Type") && is(parent(p, 1), "Server") &&
	    is(parent(p, 2), "Settings"))
		p->mstype = is(p->text, "MobileSync");
	else if (is(el, "Url") && is(parent(p, 1), "Server") && !p->tlong)
		pp_copy(p->msu, sizeof(p->msu), p->text, p->tlen);
	else if (is(el, "Server") && is(parent(p, 1), "Settings")) {
		if (p->mstype && p->msu[0] != '\0' && p->a->msurl[0] == '\0')
			mac_strlcpy(p->a->msurl, p->msu, sizeof(p->a->msurl));
		p->mstype = false;
		p->msu[0] = '\0';
	}
}

static void
pox_end(struct pp *p, const char *el)
{
	struct msrv	*s = p->cur;

	if (is(el, "RedirectUrl") || is(el, "RedirectURL"))
		pp_copy(p->a->url, sizeof(p->a->url), p->text, p->tlen);
	else if (is(el, "RedirectAddr"))
		pp_copy(p->a->raddr, sizeof(p->a->raddr), p->text, p->tlen);
	else if (is(el, "ErrorCode") && p->a->why == NULL)
		p->a->why = "the answer is an Autodiscover error";
	else if (s == NULL)
		ms_end(p, el);
	if (s == NULL)
		return;
	if (is(el, "Protocol")) {
		s->valid = s->type <= SRV_SMTP && s->port != 0 &&
		    pp_hostname(s->host);
		p->cur = NULL;
	} else if (is(parent(p, 1), "Protocol"))
		pox_field(p, s, el);
}

/*
 * Apple profile: the dict whose PayloadType is com.apple.mail.managed.
 * Keys are read at any depth; the mail payload is the only dict with the
 * Incoming/Outgoing keys, so the first value of each wins.
 */
static void
pl_value(struct pp *p, const char *el)
{
	struct msrv	*s;
	const char	*k = p->key;
	bool		 b = is(el, "true");

	if (strncmp(k, "Incoming", 8) == 0)
		s = &p->pin, k += 8;
	else if (strncmp(k, "Outgoing", 8) == 0)
		s = &p->pout, k += 8;
	else {
		if (is(k, "PayloadType") && is(p->ptype, ""))
			pp_copy(p->ptype, sizeof(p->ptype), p->text, p->tlen);
		if (is(k, "EmailAccountType"))
			p->pop = is(p->text, "EmailTypePOP");
		return;
	}
	if (is(k, "MailServerHostName") && !p->tlong)
		pp_copy(s->host, sizeof(s->host), p->text, p->tlen);
	else if (is(k, "MailServerPortNumber"))
		s->port = pp_port(p->text);
	else if (is(k, "MailServerUsername"))
		pp_copy(s->user, sizeof(s->user), p->text, p->tlen);
	else if (is(k, "MailServerUseSSL"))
		*(s == &p->pin ? &p->pin_ssl : &p->pout_ssl) = b;
}

static void
pl_end(struct pp *p, const char *el)
{
	if (p->depth == 1) {
		p->root_ok = is(el, "plist");
		return;
	}
	if (is(el, "key")) {
		pp_copy(p->key, sizeof(p->key), p->text, p->tlen);
		if (p->tlen >= sizeof(p->key))
			p->key[0] = '\0';
		return;
	}
	if (is(el, "string") || is(el, "integer") || is(el, "true") ||
	    is(el, "false"))
		pl_value(p, el);
	p->key[0] = '\0';
}

/*
 * Apple Mail: UseSSL is "TLS at all"; it uses implicit TLS on the
 * implicit-TLS ports (RFC 8314) and STARTTLS elsewhere.
 */
static void
pl_finish(struct pp *p)
{
	struct msrv	*s;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		const struct msrv *from = i == 0 ? &p->pin : &p->pout;
		bool	ssl = i == 0 ? p->pin_ssl : p->pout_ssl;

		if ((s = pp_newsrv(p, i == 0 ? (p->pop ? SRV_POP3 :
		    SRV_IMAP) : SRV_SMTP)) == NULL)
			return;
		memcpy(s->host, from->host, sizeof(s->host));
		memcpy(s->user, from->user, sizeof(s->user));
		s->port = from->port;
		s->sock_ok = true;
		s->sock = !ssl ? SOCK_PLAIN : (s->port == 993 ||
		    s->port == 995 || s->port == 465) ? SOCK_SSL :
		    SOCK_STARTTLS;
		s->valid = s->port != 0 && pp_hostname(s->host);
	}
}

static void XMLCALL
pp_start(void *u, const XML_Char *el, const XML_Char **at)
{
	struct pp	*p = u;

	if (p->depth >= PP_DEPTH) {
		p->a->why = "the document nests too deep";
		XML_StopParser(p->xp, XML_FALSE);
		return;
	}
	pp_copy(p->stack[p->depth], PP_NAME, el, strlen(el));
	if (strlen(el) >= PP_NAME)
		p->stack[p->depth][0] = '\0';
	p->depth++;
	p->tlen = 0;
	p->tlong = false;
	p->text[0] = '\0';
	if (p->kind == PK_AUTOCONFIG)
		ac_start(p, p->stack[p->depth - 1], at);
	else if (p->kind == PK_POX)
		pox_start(p, p->stack[p->depth - 1]);
}

static void XMLCALL
pp_end(void *u, const XML_Char *el)
{
	struct pp	*p = u;
	char		 name[PP_NAME];

	pp_copy(name, sizeof(name), el, strlen(el));
	if (strlen(el) >= PP_NAME)
		name[0] = '\0';
	if (p->kind == PK_AUTOCONFIG)
		ac_end(p, name);
	else if (p->kind == PK_POX)
		pox_end(p, name);
	else
		pl_end(p, name);
	p->depth--;
	p->tlen = 0;
	p->text[0] = '\0';
}

static void XMLCALL
pp_chars(void *u, const XML_Char *s, int len)
{
	struct pp	*p = u;
	size_t		 n = (size_t)len;

	if (p->tlen + n >= sizeof(p->text)) {
		p->tlong = true;
		n = sizeof(p->text) - 1 - p->tlen;
	}
	memcpy(p->text + p->tlen, s, n);
	p->tlen += n;
	p->text[p->tlen] = '\0';
}

static void XMLCALL
pp_entity(void *u, const XML_Char *name, int pe, const XML_Char *v, int vl,
    const XML_Char *base, const XML_Char *sys, const XML_Char *pub,
    const XML_Char *nota)
{
	struct pp	*p = u;

	(void)name, (void)pe, (void)v, (void)vl, (void)base, (void)sys;
	(void)pub, (void)nota;
	p->a->why = "the document declares entities";
	XML_StopParser(p->xp, XML_FALSE);
}

static int
pp_xml(enum pp_kind kind, const char *buf, size_t len, struct answer *a)
{
	static struct pp	 p;
	int			 ok;

	memset(a, 0, sizeof(*a));
	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.a = a;
	if (len > PR_BODY_MAX)
		return a->why = "the answer is too large", -1;
	if ((p.xp = XML_ParserCreate("UTF-8")) == NULL)
		return a->why = "out of memory", -1;
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, pp_start, pp_end);
	XML_SetCharacterDataHandler(p.xp, pp_chars);
	XML_SetEntityDeclHandler(p.xp, pp_entity);
	XML_SetParamEntityParsing(p.xp, XML_PARAM_ENTITY_PARSING_NEVER);
	ok = XML_Parse(p.xp, buf, (int)len, XML_TRUE) == XML_STATUS_OK;
	XML_ParserFree(p.xp);
	if (!ok && a->why == NULL)
		a->why = "the answer is not well-formed XML";
	if (ok && !p.root_ok)
		a->why = kind == PK_AUTOCONFIG ? "the root is not clientConfig" :
		    kind == PK_POX ? "the root is not Autodiscover" :
		    "the root is not plist";
	if (a->why == NULL && kind == PK_PLIST) {
		if (!is(p.ptype, "Configuration") && !is(p.ptype,
		    "com.apple.mail.managed"))
			a->why = "no configuration profile";
		else
			pl_finish(&p);
	}
	return a->why == NULL ? 0 : -1;
}

int
pp_autoconfig(const char *buf, size_t len, struct answer *a)
{
	return pp_xml(PK_AUTOCONFIG, buf, len, a);
}

int
pp_pox(const char *buf, size_t len, struct answer *a)
{
	return pp_xml(PK_POX, buf, len, a);
}

/* A signed profile is CMS (DER) around the plist: read the plist inside. */
int
pp_plist(const char *buf, size_t len, struct answer *a)
{
	const char	*b, *e;
	bool		 sig = len > 0 && (unsigned char)buf[0] == 0x30;
	int		 rc;

	if (sig) {
		b = memmem(buf, len, "<?xml", 5);
		e = b == NULL ? NULL : memmem(b, len - (size_t)(b - buf),
		    "</plist>", 8);
		if (e == NULL) {
			memset(a, 0, sizeof(*a));
			return a->why = "a signed profile without a plist", -1;
		}
		len = (size_t)(e + 8 - b);
		buf = b;
	}
	rc = pp_xml(PK_PLIST, buf, len, a);
	a->signed_profile = sig;
	return rc;
}

/* ---- JSON: {"Protocol":"AutodiscoverV1","Url":"..."} ----------------- */

struct js {
	const char	*s;
	size_t		 n, i;
};

static void
js_ws(struct js *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
	    j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

/* a string into dst; \u escapes other than ASCII become '?' */
static int
js_str(struct js *j, char *dst, size_t dn)
{
	size_t	o = 0;

	if (j->i >= j->n || j->s[j->i] != '"')
		return -1;
	for (j->i++; j->i < j->n; j->i++) {
		char	c = j->s[j->i];

		if (c == '"') {
			j->i++;
			dst[o] = '\0';
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			if (++j->i >= j->n)
				return -1;
			c = j->s[j->i];
			if (c == 'u') {
				if (j->i + 4 >= j->n)
					return -1;
				j->i += 4;
				c = '?';
			} else if (c == 'n' || c == 't' || c == 'r' ||
			    c == 'b' || c == 'f')
				c = '?';
			else if (c != '"' && c != '\\' && c != '/')
				return -1;
		}
		if (o + 1 < dn)
			dst[o++] = c;
	}
	return -1;
}

/* skip a value that is not a string: numbers, literals, flat only */
static int
js_skip(struct js *j)
{
	size_t	start = j->i;

	while (j->i < j->n && j->s[j->i] != ',' && j->s[j->i] != '}' &&
	    j->s[j->i] != '{' && j->s[j->i] != '[' && j->s[j->i] != '"')
		j->i++;
	return j->i > start && j->i < j->n && j->s[j->i] != '{' &&
	    j->s[j->i] != '[' && j->s[j->i] != '"' ? 0 : -1;
}

int
pp_json(const char *buf, size_t len, struct answer *a)
{
	struct js	 j = { buf, len, 0 };
	char		 key[PP_NAME], val[PR_URL_MAX];
	bool		 proto = false;

	memset(a, 0, sizeof(*a));
	js_ws(&j);
	if (j.i >= j.n || buf[j.i++] != '{')
		return a->why = "the answer is not a JSON object", -1;
	for (;;) {
		js_ws(&j);
		if (js_str(&j, key, sizeof(key)) != 0)
			return a->why = "the answer is not the JSON Outlook "
			    "reads", -1;
		js_ws(&j);
		if (j.i >= j.n || buf[j.i++] != ':')
			return a->why = "the answer is not valid JSON", -1;
		js_ws(&j);
		val[0] = '\0';
		if ((j.i < j.n && buf[j.i] == '"') ?
		    js_str(&j, val, sizeof(val)) : js_skip(&j))
			return a->why = "the answer is not the JSON Outlook "
			    "reads", -1;
		if (is(key, "Url"))
			pp_copy(a->url, sizeof(a->url), val, strlen(val));
		if (is(key, "Protocol"))
			proto = is(val, "AutodiscoverV1");
		js_ws(&j);
		if (j.i < j.n && buf[j.i] == ',') {
			j.i++;
			continue;
		}
		if (j.i >= j.n || buf[j.i] != '}')
			return a->why = "the answer is not valid JSON", -1;
		break;
	}
	if (!proto || a->url[0] == '\0')
		return a->why = "no Protocol AutodiscoverV1 with a Url", -1;
	return 0;
}
