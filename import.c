/*
 * import.c: mailautoconf --import FILE.xml (DESIGN.md §1).  An existing
 * config-v1.1.xml (a hand-written one like the seed's mailbox.org file,
 * an ISPDB entry) becomes a providers.ini section on stdout that, served
 * back, gives the same answer: the same servers, ports, socket types,
 * authentication, usernames and order, documentation, enable, webMail,
 * oAuth2, addressBook and calendar.
 *
 * libexpat reads the file with entity declarations refused (no "billion
 * laughs") and no external entity ever loaded (no XXE).  What
 * providers.ini cannot express is named on stderr as a warning; what
 * cannot be written at all is an error, and then nothing is printed.
 * The section is loaded with the real loader before it is printed, so an
 * import never prints what --check would refuse.  This is a command-line
 * tool, not the request path: it allocates freely.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "mailautoconf.h"

enum el {
	E_OTHER, E_ROOT, E_PROVIDER, E_DOMAIN, E_DISPLAYNAME, E_SHORTNAME,
	E_IN, E_OUT, E_HOSTNAME, E_PORT, E_SOCKET, E_AUTH, E_USERNAME,
	E_PASSWORD, E_OPT, E_URL, E_XURL, E_POP3, E_POPOPT, E_INTERVAL,
	E_DOC, E_DESCR, E_ENABLE, E_INSTR, E_WEBMAIL, E_LOGINPAGE,
	E_OAUTH2, E_OAUTHVAL, E_DAV, E_SERVERURL, E_DAVURL,
};

/*
 * config-v1.1.xml as Thunderbird's reader knows it; arg: an index; opt:
 * the server option (a CFG_SERVER row of the config-key table) it becomes
 */
static const struct elem {
	const char	*name;
	enum el		 parent;
	enum el		 id;
	int		 arg;
	const char	*opt;
} elems[] = {
	{ "clientConfig", E_OTHER, E_ROOT, 0, NULL },
	{ "emailProvider", E_ROOT, E_PROVIDER, 0, NULL },
	{ "domain", E_PROVIDER, E_DOMAIN, 0, NULL },
	{ "displayName", E_PROVIDER, E_DISPLAYNAME, 0, NULL },
	{ "displayShortName", E_PROVIDER, E_SHORTNAME, 0, NULL },
	{ "incomingServer", E_PROVIDER, E_IN, 0, NULL },
	{ "outgoingServer", E_PROVIDER, E_OUT, 0, NULL },
	{ "documentation", E_PROVIDER, E_DOC, 0, NULL },
	{ "descr", E_DOC, E_DESCR, 0, NULL },
	{ "enable", E_PROVIDER, E_ENABLE, 0, NULL },
	{ "instruction", E_ENABLE, E_INSTR, 0, NULL },
	{ "hostname", E_IN, E_HOSTNAME, 0, NULL },
	{ "hostname", E_OUT, E_HOSTNAME, 0, NULL },
	{ "port", E_IN, E_PORT, 0, NULL },
	{ "port", E_OUT, E_PORT, 0, NULL },
	{ "socketType", E_IN, E_SOCKET, 0, NULL },
	{ "socketType", E_OUT, E_SOCKET, 0, NULL },
	{ "authentication", E_IN, E_AUTH, 0, NULL },
	{ "authentication", E_OUT, E_AUTH, 0, NULL },
	{ "username", E_IN, E_USERNAME, 0, NULL },
	{ "username", E_OUT, E_USERNAME, 0, NULL },
	{ "password", E_IN, E_PASSWORD, 0, NULL },
	{ "password", E_OUT, E_PASSWORD, 0, NULL },
	{ "restriction", E_OUT, E_OPT, 0, "restriction" },
	{ "addThisServer", E_OUT, E_OPT, 0, "add_this_server" },
	{ "useGlobalPreferredServer", E_IN, E_OPT, 0, "use_global_preferred_server" },
	{ "useGlobalPreferredServer", E_OUT, E_OPT, 0, "use_global_preferred_server" },
	{ "owaURL", E_IN, E_URL, SRV_OWA, NULL },
	{ "ewsURL", E_IN, E_URL, SRV_EWS, NULL },
	{ "graphURL", E_IN, E_URL, SRV_GRAPH, NULL },
	/* ews, owa, graph in the form of the ISPDB and the draft */
	{ "url", E_IN, E_XURL, 0, NULL },
	{ "pop3", E_IN, E_POP3, 0, NULL },
	{ "leaveMessagesOnServer", E_POP3, E_POPOPT, 0, "leave_messages_on_server" },
	{ "downloadOnBiff", E_POP3, E_POPOPT, 0, "download_on_biff" },
	{ "daysToLeaveMessagesOnServer", E_POP3, E_POPOPT, 0, "days_to_leave_messages_on_server" },
	{ "checkInterval", E_POP3, E_INTERVAL, 0, "check_interval" },
	/* Thunderbird reads these under clientConfig; some files nest them */
	{ "webMail", E_ROOT, E_WEBMAIL, 0, NULL },
	{ "webMail", E_PROVIDER, E_WEBMAIL, 0, NULL },
	{ "loginPage", E_WEBMAIL, E_LOGINPAGE, 0, NULL },
	{ "oAuth2", E_ROOT, E_OAUTH2, 0, NULL },
	{ "oAuth2", E_PROVIDER, E_OAUTH2, 0, NULL },
	{ "issuer", E_OAUTH2, E_OAUTHVAL, 0, NULL },
	{ "scope", E_OAUTH2, E_OAUTHVAL, 1, NULL },
	{ "authURL", E_OAUTH2, E_OAUTHVAL, 2, NULL },
	{ "tokenURL", E_OAUTH2, E_OAUTHVAL, 3, NULL },
	{ "clientID", E_OAUTH2, E_OAUTHVAL, 4, NULL },
	{ "addressBook", E_ROOT, E_DAV, 0, NULL },
	{ "addressBook", E_PROVIDER, E_DAV, 0, NULL },
	{ "calendar", E_ROOT, E_DAV, 1, NULL },
	{ "calendar", E_PROVIDER, E_DAV, 1, NULL },
	{ "username", E_DAV, E_USERNAME, 0, NULL },
	{ "authentication", E_DAV, E_AUTH, 0, NULL },
	{ "serverURL", E_DAV, E_SERVERURL, 0, NULL },
	/* draft-ietf-mailmaint-autoconfig-06: addressbook, and url in both */
	{ "addressbook", E_ROOT, E_DAV, 0, NULL },
	{ "url", E_DAV, E_DAVURL, 0, NULL },
};

struct itext {
	const char	*lang;
	const char	*text;
};

struct isrv {
	enum srv_type	 type;
	bool		 out;
	bool		 legacy;	/* type="exchange" */
	const char	*xtype;
	const char	*host, *port, *sock, *username;
	const char	*url[3];	/* owaURL, ewsURL, graphURL */
	const char	*xurl;		/* <url> */
	const char	*opt[CFG_KEYS_MAX];	/* by row of cfg_keys */
	struct authlist	 auth;
	bool		 has_auth;
	int		 line;
};

struct idoc {
	const char	*url;
	struct itext	 descr[IMPORT_TEXTS];
	size_t		 ndescr;
};

struct idav {
	const char	*url, *username, *auth;
	const char	*xurl;		/* the draft's <url> */
	bool		 seen;
};

struct imp {
	XML_Parser	 xp;
	const char	*file;
	FILE		*err;
	int		 errors, warns;
	char		*pool;		/* every string, freed at once */
	size_t		 pused, pcap;
	/* what was read */
	bool		 provider_seen;
	const char	*id, *name, *short_name;
	const char	*domains[IMPORT_DOMAINS];
	size_t		 ndomains;
	struct isrv	 srv[IMPORT_SERVERS];
	size_t		 nsrv;
	struct idoc	 docs[IMPORT_TEXTS];
	size_t		 ndocs;
	const char	*enable;
	struct itext	 instr[IMPORT_TEXTS];
	size_t		 ninstr;
	const char	*webmail;
	const char	*oauth2[5];	/* issuer scope authURL tokenURL clientID */
	struct idav	 dav[2];	/* addressBook (or addressbook), calendar */
	/* where the reader is */
	int		 depth;
	enum el		 stack[IMPORT_DEPTH];
	int		 arg[IMPORT_DEPTH];
	const char	*lang;		/* of the descr/instruction open */
	const char	*asys;		/* of the authentication open */
	char		 text[IMPORT_TEXT_MAX];
	size_t		 tlen;
	/* what is written */
	int		 wline;		/* of the server written, for messages */
	const char	*username;
	struct authlist	 auth;
	FILE		*o;
};

static const char *const dav_names[2] = { "addressBook", "calendar" };
static const char *const dav_keys[2] = { "carddav", "caldav" };

/*
 * One line on stderr with the XML line (or the server's), through the
 * loader's diagnostics: imported values reach it as printable ASCII.
 */
static void __attribute__((format(printf, 3, 4)))
imp_diag(struct imp *m, bool warning, const char *fmt, ...)
{
	struct diag	d = { m->err, true, m->errors, m->warns };
	va_list		ap;
	int		line = -1;

	if (m->xp != NULL)
		line = (int)XML_GetCurrentLineNumber(m->xp);
	else if (m->wline > 0)
		line = m->wline;
	va_start(ap, fmt);
	diag_vmsg(&d, m->file, warning, line, fmt, ap);
	va_end(ap);
	m->errors = d.errors;
	m->warns = d.warns;
}

#define IERR(m, ...)	imp_diag((m), false, __VA_ARGS__)
#define IWARN(m, ...)	imp_diag((m), true, __VA_ARGS__)

/* Errors stop the reader: one wrong element is enough to refuse. */
static void
imp_stop(struct imp *m)
{
	if (m->xp != NULL)
		XML_StopParser(m->xp, XML_FALSE);
}

static const char *
imp_strdup(struct imp *m, const char *s, size_t n)
{
	char	*p;

	if (n + 1 > m->pcap - m->pused) {
		IERR(m, "out of memory");
		imp_stop(m);
		return NULL;
	}
	p = m->pool + m->pused;
	memcpy(p, s, n);
	p[n] = '\0';
	m->pused += n + 1;
	return p;
}

/* Text as readers see it: XML white space runs as one space, trimmed. */
static const char *
imp_norm(struct imp *m, const char *s, size_t n)
{
	char	buf[IMPORT_TEXT_MAX];
	size_t	i, d = 0;
	bool	sp = false;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			sp = d > 0;
			continue;
		}
		if (d + 2 > sizeof(buf)) {
			IERR(m, "text longer than %d bytes", IMPORT_TEXT_MAX);
			imp_stop(m);
			return NULL;
		}
		if (sp)
			buf[d++] = ' ';
		sp = false;
		buf[d++] = s[i];
	}
	return imp_strdup(m, buf, d);
}

static const char *
imp_attr(const XML_Char **atts, const char *name)
{
	size_t	i;

	for (i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

/* ---- reading ---------------------------------------------------------- */

/* <!ENTITY …> of any kind: refused, which also stops "billion laughs". */
static void XMLCALL
imp_entity(void *u, const XML_Char *name, int pe, const XML_Char *value,
    int vlen, const XML_Char *base, const XML_Char *sys, const XML_Char *pub,
    const XML_Char *notation)
{
	struct imp	*m = u;

	(void)name; (void)pe; (void)value; (void)vlen; (void)base;
	(void)sys; (void)pub; (void)notation;
	IERR(m, "entity declarations are refused");
	imp_stop(m);
}

static void XMLCALL
imp_chars(void *u, const XML_Char *s, int n)
{
	struct imp	*m = u;

	if (n <= 0 || m->depth == 0 || m->stack[m->depth - 1] == E_OTHER)
		return;
	if ((size_t)n > sizeof(m->text) - m->tlen) {
		IERR(m, "text longer than %d bytes", IMPORT_TEXT_MAX);
		imp_stop(m);
		return;
	}
	memcpy(m->text + m->tlen, s, (size_t)n);
	m->tlen += (size_t)n;
}

static const struct elem *
imp_find(const char *name, enum el parent)
{
	size_t	i;

	for (i = 0; i < sizeof(elems) / sizeof(elems[0]); i++)
		if (elems[i].parent == parent && strcmp(elems[i].name, name) == 0)
			return &elems[i];
	return NULL;
}

static struct isrv *
imp_cursrv(struct imp *m)
{
	return m->nsrv > 0 ? &m->srv[m->nsrv - 1] : NULL;
}

/*
 * The types Thunderbird reads.  "exchange" is the element Thunderbird
 * before 150 knows (owaURL, ewsURL), the ISPDB's legacy element beside
 * its URL servers: imp_legacy() folds it into ews and owa lines.
 */
static void
imp_server_start(struct imp *m, bool out, const XML_Char **atts)
{
	static const struct {
		const char	*name;
		enum srv_type	 type;
	} types[] = {
		{ "imap", SRV_IMAP }, { "pop3", SRV_POP3 }, { "smtp", SRV_SMTP },
		{ "ews", SRV_EWS }, { "owa", SRV_OWA }, { "graph", SRV_GRAPH },
		{ "exchange", SRV_OWA },
		/* the draft's type table says activeSync, its example activesync */
		{ "activeSync", SRV_ACTIVESYNC }, { "activesync", SRV_ACTIVESYNC },
		{ "jmap", SRV_JMAP },
	};
	const char	*t = imp_attr(atts, "type");
	struct isrv	*s;
	size_t		 i;

	if (m->nsrv == IMPORT_SERVERS) {
		IERR(m, "more than %d servers", IMPORT_SERVERS);
		imp_stop(m);
		return;
	}
	s = &m->srv[m->nsrv++];
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->line = (int)XML_GetCurrentLineNumber(m->xp);
	s->xtype = imp_strdup(m, t == NULL ? "" : t, t == NULL ? 0 : strlen(t));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (t != NULL && strcmp(t, types[i].name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]) ||
	    out != (types[i].type == SRV_SMTP)) {
		IERR(m, "%s type '%s' is not one providers.ini knows",
		    out ? "outgoingServer" : "incomingServer",
		    t == NULL ? "" : t);
		imp_stop(m);
		return;
	}
	s->type = types[i].type;
	s->legacy = strcmp(t, "exchange") == 0;
}

static void
imp_text_start(struct imp *m, const XML_Char **atts, const char *urlattr)
{
	const char	*lang = imp_attr(atts, "lang");
	const char	*url = urlattr != NULL ? imp_attr(atts, urlattr) : NULL;

	m->lang = lang == NULL ? NULL : imp_strdup(m, lang, strlen(lang));
	if (urlattr == NULL)
		return;
	if (url == NULL) {
		IERR(m, "missing %s attribute", urlattr);
		imp_stop(m);
		return;
	}
	url = imp_norm(m, url, strlen(url));
	if (strcmp(urlattr, "visiturl") == 0)
		m->enable = url;
	else if (m->ndocs == IMPORT_TEXTS) {
		IERR(m, "more than %d documentation elements", IMPORT_TEXTS);
		imp_stop(m);
	} else {
		memset(&m->docs[m->ndocs], 0, sizeof(m->docs[0]));
		m->docs[m->ndocs++].url = url;
	}
}

/* What an element's start tag sets up; its text comes at its end. */
static void
imp_open(struct imp *m, const struct elem *e, const XML_Char **atts)
{
	const char	*v;

	switch (e->id) {
	case E_PROVIDER:
		if (m->provider_seen) {
			IERR(m, "a second emailProvider");
			imp_stop(m);
			return;
		}
		m->provider_seen = true;
		if ((v = imp_attr(atts, "id")) != NULL)
			m->id = imp_strdup(m, v, strlen(v));
		break;
	case E_IN:
	case E_OUT:
		imp_server_start(m, e->id == E_OUT, atts);
		break;
	case E_DOC:
		imp_text_start(m, atts, "url");
		break;
	case E_ENABLE:
		imp_text_start(m, atts, "visiturl");
		break;
	case E_DESCR:
	case E_INSTR:
		imp_text_start(m, atts, NULL);
		break;
	case E_LOGINPAGE:
		if ((v = imp_attr(atts, "url")) != NULL)
			m->webmail = imp_norm(m, v, strlen(v));
		break;
	case E_AUTH:
		/* the draft's <authentication system="http">Basic</…> */
		v = imp_attr(atts, "system");
		m->asys = v == NULL ? NULL : imp_strdup(m, v, strlen(v));
		break;
	case E_INTERVAL:
		if ((v = imp_attr(atts, "minutes")) != NULL && imp_cursrv(m) &&
		    m->arg[m->depth - 1] >= 0)
			imp_cursrv(m)->opt[m->arg[m->depth - 1]] = imp_norm(m,
			    v, strlen(v));
		break;
	case E_DAV:
		m->dav[e->arg].seen = true;
		if ((v = imp_attr(atts, "type")) != NULL &&
		    strcmp(v, e->arg == 0 ? "carddav" : "caldav") != 0)
			IWARN(m, "%s type '%s' is written as %s",
			    dav_names[e->arg], v, dav_keys[e->arg]);
		break;
	default:
		break;
	}
}

/* The row of a server option in the config-key table, -1: none. */
static int
imp_opt(const char *name)
{
	const char		*lang;
	const struct cfg_key	*k;

	k = cfg_key_find(CFG_SERVER, name, strlen(name), &lang);
	return k != NULL ? (int)(k - cfg_keys) : -1;
}

static void XMLCALL
imp_start(void *u, const XML_Char *name, const XML_Char **atts)
{
	struct imp		*m = u;
	const struct elem	*e;
	enum el			 parent = m->depth > 0 ?
				    m->stack[m->depth - 1] : E_OTHER;

	if (m->depth == IMPORT_DEPTH) {
		IERR(m, "elements nested deeper than %d", IMPORT_DEPTH);
		imp_stop(m);
		return;
	}
	m->tlen = 0;
	e = parent == E_OTHER && m->depth > 0 ? NULL : imp_find(name, parent);
	if (e == NULL && m->depth == 0) {
		IERR(m, "the root element is not clientConfig");
		imp_stop(m);
		return;
	}
	if (e == NULL && parent != E_OTHER)
		IWARN(m, "<%.40s> is not expressible in providers.ini; dropped",
		    name);
	m->arg[m->depth] = e == NULL ? 0 : e->opt != NULL ? imp_opt(e->opt) :
	    e->arg;
	m->stack[m->depth++] = e != NULL ? e->id : E_OTHER;
	if (e != NULL)
		imp_open(m, e, atts);
}

static void
imp_auth(struct imp *m, struct authlist *al, const char *w)
{
	static const struct {
		const char	*old;
		enum auth	 a;
	} alias[] = {
		/* the words of older Thunderbird versions */
		{ "plain", AUTH_CLEARTEXT }, { "secure", AUTH_ENCRYPTED },
	};
	size_t	i;
	int	a = -1;

	for (i = 0; i < AUTH__N; i++)
		if (strcasecmp(w, auth_names[i]) == 0)
			a = (int)i;
	for (i = 0; a < 0 && i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcasecmp(w, alias[i].old) == 0) {
			a = (int)alias[i].a;
			IWARN(m, "authentication '%s' is written as '%s'", w,
			    auth_names[a]);
		}
	if (a < 0) {
		IWARN(m, "authentication '%.40s' is not known; dropped", w);
		return;
	}
	for (i = 0; i < al->n; i++)
		if (al->a[i] == a)
			return;
	if (al->n < AUTH_MAX)
		al->a[al->n++] = (unsigned char)a;
}

/*
 * The draft's HTTP methods: Basic is password-cleartext, Digest
 * password-encrypted, as autoconfig.c writes them.
 */
static void
imp_http_auth(struct imp *m, struct authlist *al, const char *w)
{
	if (strcasecmp(m->asys, "http") == 0 && strcasecmp(w, "Basic") == 0)
		imp_auth(m, al, auth_names[AUTH_CLEARTEXT]);
	else if (strcasecmp(m->asys, "http") == 0 &&
	    strcasecmp(w, "Digest") == 0)
		imp_auth(m, al, auth_names[AUTH_ENCRYPTED]);
	else
		IWARN(m, "authentication system '%.20s' '%.40s' is not known; "
		    "dropped", m->asys, w);
}

/*
 * A placeholder without its closing '%' ("%EMAILADDRESS", as the ISPDB's
 * office365.com has it for ews and owa) is written with it: the loader
 * refuses the other.
 */
static const char *
imp_tmpl(struct imp *m, const char *t)
{
	static const char *const ph[] = {
		"%EMAILADDRESS", "%EMAILLOCALPART", "%EMAILDOMAIN",
	};
	char		 buf[IMPORT_TEXT_MAX + 8];
	struct out	 o;
	const char	*p;
	size_t		 i, l;
	bool		 fixed = false;

	out_init(&o, buf, sizeof(buf) - 1);
	for (p = t; *p != '\0'; ) {
		for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			if (strncmp(p, ph[i], (l = strlen(ph[i]))) == 0)
				break;
		if (i == sizeof(ph) / sizeof(ph[0])) {
			out_raw(&o, p++, 1);
			continue;
		}
		out_str(&o, ph[i]);
		out_str(&o, "%");
		fixed |= p[l] != '%';
		p += l + (p[l] == '%');
	}
	if (!fixed || o.err)
		return t;
	buf[o.len] = '\0';
	IWARN(m, "username '%.60s' lacks a closing '%%': written as '%.60s'",
	    t, buf);
	return imp_strdup(m, buf, o.len);
}

/* The text of a server's child element. */
static void
imp_server_text(struct imp *m, enum el id, int arg, const char *t)
{
	struct isrv	*s = imp_cursrv(m);

	if (s == NULL)
		return;
	switch (id) {
	case E_HOSTNAME: s->host = t; break;
	case E_PORT: s->port = t; break;
	case E_SOCKET: s->sock = t; break;
	case E_USERNAME: s->username = imp_tmpl(m, t); break;
	case E_AUTH:
		s->has_auth = true;
		if (m->asys != NULL)
			imp_http_auth(m, &s->auth, t);
		else
			imp_auth(m, &s->auth, t);
		break;
	case E_URL: s->url[arg == SRV_OWA ? 0 : arg == SRV_EWS ? 1 : 2] = t;
		break;
	case E_XURL: s->xurl = t; break;
	case E_OPT:
	case E_POPOPT:
		if (arg >= 0)
			s->opt[arg] = t;
		break;
	case E_PASSWORD:
		IWARN(m, "a password is never served; dropped");
		break;
	default:
		break;
	}
}

static void
imp_add_text(struct imp *m, struct itext *arr, size_t *n, const char *t)
{
	if (*n == IMPORT_TEXTS) {
		IERR(m, "more than %d texts in one element", IMPORT_TEXTS);
		imp_stop(m);
		return;
	}
	arr[*n].lang = m->lang;
	arr[(*n)++].text = t;
}

static void
imp_domain(struct imp *m, const char *t)
{
	size_t	i;

	for (i = 0; i < m->ndomains; i++)
		if (strcasecmp(m->domains[i], t) == 0) {
			IWARN(m, "domain %.60s listed twice", t);
			return;
		}
	if (m->ndomains == IMPORT_DOMAINS) {
		IERR(m, "more than %d domains", IMPORT_DOMAINS);
		imp_stop(m);
		return;
	}
	m->domains[m->ndomains++] = t;
}

/* A leaf's text, where it belongs. */
static void
imp_text(struct imp *m, enum el id, enum el parent, int arg, const char *t)
{
	if (parent == E_IN || parent == E_OUT || parent == E_POP3) {
		imp_server_text(m, id, arg, t);
		return;
	}
	switch (id) {
	case E_DOMAIN: imp_domain(m, t); break;
	case E_DISPLAYNAME: m->name = t; break;
	case E_SHORTNAME: m->short_name = t; break;
	case E_DESCR:
		if (m->ndocs > 0)
			imp_add_text(m, m->docs[m->ndocs - 1].descr,
			    &m->docs[m->ndocs - 1].ndescr, t);
		break;
	case E_INSTR: imp_add_text(m, m->instr, &m->ninstr, t); break;
	case E_OAUTHVAL: m->oauth2[arg] = t; break;
	case E_USERNAME: m->dav[m->arg[m->depth - 1]].username = t; break;
	case E_AUTH:
		/* system="http" Basic stands beside the plain word */
		if (m->asys == NULL)
			m->dav[m->arg[m->depth - 1]].auth = t;
		break;
	case E_SERVERURL: m->dav[m->arg[m->depth - 1]].url = t; break;
	case E_DAVURL: m->dav[m->arg[m->depth - 1]].xurl = t; break;
	default: break;
	}
}

static void XMLCALL
imp_end(void *u, const XML_Char *name)
{
	struct imp	*m = u;
	enum el		 id, parent;
	int		 arg;
	const char	*t;

	if (m->depth == 0)
		return;
	id = m->stack[--m->depth];
	arg = m->arg[m->depth];
	parent = m->depth > 0 ? m->stack[m->depth - 1] : E_OTHER;
	if (id == E_OTHER || id == E_ROOT || id == E_PROVIDER || id == E_IN ||
	    id == E_OUT || id == E_DOC || id == E_ENABLE || id == E_POP3 ||
	    id == E_WEBMAIL || id == E_LOGINPAGE || id == E_OAUTH2 ||
	    id == E_DAV || id == E_INTERVAL) {
		m->tlen = 0;
		return;
	}
	if ((t = imp_norm(m, m->text, m->tlen)) == NULL)
		return;
	m->tlen = 0;
	if (*t == '\0') {
		/* Thunderbird reads an empty element as "true": say so */
		IWARN(m, "<%.40s> is empty; dropped", name);
		return;
	}
	imp_text(m, id, parent, arg, t);
}

static int
imp_parse(struct imp *m, const char *buf, size_t n)
{
	XML_Parser	xp;
	int		ok;

	if ((xp = XML_ParserCreate(NULL)) == NULL) {
		IERR(m, "out of memory");
		return -1;
	}
	m->xp = xp;
	XML_SetUserData(xp, m);
	XML_SetElementHandler(xp, imp_start, imp_end);
	XML_SetCharacterDataHandler(xp, imp_chars);
	XML_SetEntityDeclHandler(xp, imp_entity);
	/* no external DTD or entity is ever read (no XXE) */
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
	ok = XML_Parse(xp, buf, (int)n, XML_TRUE) == XML_STATUS_OK;
	if (!ok && m->errors == 0)
		IERR(m, "not well-formed XML: %s",
		    XML_ErrorString(XML_GetErrorCode(xp)));
	m->xp = NULL;
	XML_ParserFree(xp);
	if (m->errors == 0 && !m->provider_seen)
		IERR(m, "no emailProvider");
	return m->errors == 0 ? 0 : -1;
}

/* ---- writing ---------------------------------------------------------- */

/*
 * inih (Debian's r55) reads " ;" as the start of a comment anywhere in a
 * value, and a continuation line that starts with ';' or '#' as a comment
 * line: such text cannot stand in providers.ini.
 */
static bool
imp_ini_safe(struct imp *m, const char *what, const char *v)
{
	if (v[0] == ';' || strstr(v, " ;") != NULL) {
		IERR(m, "%s: \" ;\" would start a comment in providers.ini",
		    what);
		return false;
	}
	if (!mac_text_ok(v, strlen(v))) {
		IERR(m, "%s: control characters or invalid UTF-8", what);
		return false;
	}
	return true;
}

/* One line, which must stay under the 200-byte rule (providers.ini(5)). */
static void
imp_line(struct imp *m, const char *lead, const char *s, size_t n)
{
	if (strlen(lead) + n >= INI_LINE_MAX) {
		IERR(m, "%.*s: a line of %zu bytes cannot be cut for "
		    "providers.ini", (int)strcspn(lead, " \t"), lead,
		    strlen(lead) + n);
		return;
	}
	fprintf(m->o, "%s%.*s\n", lead, (int)n, s);
}

/* Where a continued value may be cut: before v[cut], not before ; or #. */
static bool
imp_cut_ok(const char *v, size_t cut, bool url)
{
	if (!url && v[cut] != ' ')
		return false;
	cut += url ? 0 : 1;
	return v[cut] != ';' && v[cut] != '#';
}

/* The length of the next piece of v: at most avail when it can be. */
static size_t
imp_cut(const char *v, size_t avail, bool url)
{
	size_t	n = strlen(v), cut;

	if (n <= avail)
		return n;
	for (cut = avail; cut > 0; cut--)
		if (imp_cut_ok(v, cut, url))
			return cut;
	/* one long word: the line may grow to the 199-byte limit */
	for (cut = avail; cut < n; cut++)
		if (imp_cut_ok(v, cut, url))
			return cut;
	return n;
}

/*
 * "key = value", continued on lines indented by a tab when long: text is
 * cut at a space (the loader joins the pieces with one), a URL anywhere
 * (joined with nothing).  No piece may start with ';' or '#'.  A key
 * that cannot be continued must fit its line.
 */
static void
imp_kv(struct imp *m, const char *key, const char *v)
{
	char		lead[80];
	size_t		n;
	enum ini_join	how = cfg_key_join(key);	/* the loader's own */
	bool		url = how == INI_JOIN_CONCAT;

	if (!imp_ini_safe(m, key, v))
		return;
	snprintf(lead, sizeof(lead), "%s = ", key);
	if (how == INI_JOIN_NONE) {
		imp_line(m, lead, v, strlen(v));
		return;
	}
	while (*v != '\0') {
		n = imp_cut(v, IMPORT_WRAP > strlen(lead) ?
		    IMPORT_WRAP - strlen(lead) : 1, url);
		imp_line(m, lead, v, n);
		v += n;
		if (!url && *v == ' ')
			v++;
		mac_strlcpy(lead, "\t", sizeof(lead));
	}
}

static void
imp_texts(struct imp *m, const char *key, const struct itext *t, size_t n)
{
	char	k[80];
	size_t	i;

	for (i = 0; i < n; i++) {
		if (t[i].lang == NULL) {
			imp_kv(m, key, t[i].text);
			continue;
		}
		if (!cfg_lang_ok(t[i].lang)) {
			IERR(m, "%s: language tag '%.40s' is not one providers.ini "
			    "takes", key, t[i].lang);
			continue;
		}
		snprintf(k, sizeof(k), "%s.%s", key, t[i].lang);
		imp_kv(m, k, t[i].text);
	}
}

/* The loader's own URL rule (providers.c), said before writing. */
static bool
imp_url_ok(struct imp *m, const char *what, const char *u)
{
	const char	*why = cfg_url_why(u);

	if (why != NULL)
		IERR(m, "%s: %s", what, why);
	return why == NULL;
}

/* ---- planning: the provider's defaults -------------------------------- */

static bool
imp_auth_eq(const struct authlist *a, const struct authlist *b)
{
	return a->n == b->n && memcmp(a->a, b->a, a->n) == 0;
}

static bool
imp_streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * The provider's auth and username.  CardDAV and CalDAV answers are
 * written with them (providers.ini(5)), so a file with an addressBook or
 * calendar decides them; otherwise the first server's, which keeps most
 * server lines short.
 */
static void
imp_defaults(struct imp *m)
{
	const struct idav	*dav = NULL;
	bool			 oauth;
	size_t			 i;

	m->username = "%EMAILADDRESS%";
	m->auth.n = 1;
	m->auth.a[0] = AUTH_CLEARTEXT;
	for (i = 2; i-- > 0; )
		if (m->dav[i].seen && m->dav[i].url != NULL)
			dav = &m->dav[i];
	if (dav == NULL) {
		if (m->nsrv > 0 && m->srv[0].username != NULL)
			m->username = m->srv[0].username;
		if (m->nsrv > 0 && m->srv[0].auth.n > 0)
			m->auth = m->srv[0].auth;
		return;
	}
	if (m->dav[0].url != NULL && m->dav[1].url != NULL &&
	    (!imp_streq(m->dav[0].username, m->dav[1].username) ||
	    !imp_streq(m->dav[0].auth, m->dav[1].auth)))
		IWARN(m, "addressBook and calendar log in differently; both "
		    "are written with the addressBook's login");
	if (dav->username != NULL)
		m->username = dav->username;
	oauth = dav->auth != NULL && strcasecmp(dav->auth, "OAuth2") == 0;
	if (dav->auth != NULL && !oauth && strcmp(dav->auth, "http-basic") != 0)
		IWARN(m, "CardDAV/CalDAV authentication '%.40s' is written as "
		    "http-basic", dav->auth);
	for (i = 0; i < m->nsrv; i++)
		if (m->srv[i].auth.n > 0 &&
		    (m->srv[i].auth.a[0] == AUTH_OAUTH2) == oauth) {
			m->auth = m->srv[i].auth;
			return;
		}
	if (oauth)
		m->auth.a[0] = AUTH_OAUTH2;
}

/* ---- server lines ----------------------------------------------------- */

static void
imp_authlist(struct out *o, const struct authlist *al)
{
	unsigned	i;

	for (i = 0; i < al->n; i++) {
		if (i > 0)
			out_str(o, ",");
		out_str(o, auth_names[al->a[i]]);
	}
}

/*
 * Whether a URL server's hostname, port and socketType are those that
 * autoconfig.c derives from its URL (absent ones count as the same).
 */
static bool
imp_url_same(const struct isrv *s, const char *url)
{
	bool		 tls = url[4] == 's';
	const char	*h = url + (tls ? 8 : 7), *p;
	size_t		 hl = strcspn(h, ":/?#"), pl;

	if (s->host != NULL && (strlen(s->host) != hl ||
	    strncasecmp(s->host, h, hl) != 0))
		return false;
	if (s->sock != NULL && strcmp(s->sock, tls ? "SSL" : "plain") != 0)
		return false;
	if (s->port == NULL)
		return true;
	if (h[hl] != ':')
		return strcmp(s->port, tls ? "443" : "80") == 0;
	p = h + hl + 1;
	pl = strcspn(p, "/?#");
	return strlen(s->port) == pl && strncmp(s->port, p, pl) == 0;
}

static const char *const url_el[3] = { "owaURL", "ewsURL", "graphURL" };

static int
imp_url_index(enum srv_type t)
{
	return t == SRV_OWA ? 0 : t == SRV_EWS ? 1 : 2;
}

/*
 * An ews, owa or graph server's URL: <url> (ISPDB, draft, Thunderbird
 * 150), else the element of its type (the form mailautoconf served
 * before).
 */
static const char *
imp_srv_url(const struct isrv *s)
{
	if (s->type >= SRV_ACTIVESYNC)
		return s->xurl;
	return s->xurl != NULL ? s->xurl : s->url[imp_url_index(s->type)];
}

/* An ews, owa or graph line: host, port and socket come from the URL. */
static void
imp_url_server(struct imp *m, const struct isrv *s, struct out *o)
{
	int		 want = imp_url_index(s->type), i;
	const char	*u = imp_srv_url(s);

	for (i = 0; i < 3; i++)
		if (i != want && s->url[i] != NULL)
			IWARN(m, "%s of the %s server is not expressible; "
			    "dropped", url_el[i], s->xtype);
	if (u == NULL) {
		IERR(m, "the %s server needs url or %s", s->xtype,
		    url_el[want]);
		return;
	}
	if (s->xurl != NULL && s->url[want] != NULL &&
	    strcmp(s->xurl, s->url[want]) != 0)
		IWARN(m, "%s of the %s server is not its url; served as the "
		    "url", url_el[want], s->xtype);
	if (!imp_url_ok(m, "url", u))
		return;
	if (!imp_url_same(s, u))
		IWARN(m, "hostname, port and socketType of the %s server are "
		    "served as its URL says", s->xtype);
	out_str(o, u);
}

/* ---- planning: the legacy exchange element ---------------------------- */

static struct isrv *
imp_first(struct imp *m, enum srv_type t)
{
	size_t	i;

	for (i = 0; i < m->nsrv; i++)
		if (m->srv[i].type == t && !m->srv[i].legacy &&
		    !m->srv[i].out)
			return &m->srv[i];
	return NULL;
}

/*
 * A legacy element beside URL servers is what autoconfig.c writes from
 * them: it says nothing new, but what differs is named, and its
 * useGlobalPreferredServer, which only it carries, goes to the line it
 * is written from.
 */
static void
imp_legacy_same(struct imp *m, const struct isrv *x, struct isrv *b)
{
	const char	*u = imp_srv_url(b);
	int		 g = imp_opt("use_global_preferred_server");

	if (x->has_auth && !imp_auth_eq(&x->auth, &b->auth))
		IWARN(m, "authentication of the exchange server is served as "
		    "the %s server's", b->xtype);
	if (x->username != NULL && !imp_streq(x->username, b->username))
		IWARN(m, "username of the exchange server is served as the %s "
		    "server's", b->xtype);
	if (u != NULL && strncmp(u, "http", 4) == 0 && !imp_url_same(x, u))
		IWARN(m, "hostname, port and socketType of the exchange server "
		    "are served as the %s URL says", b->xtype);
	if (g < 0)
		return;
	if (b->opt[g] == NULL)
		b->opt[g] = x->opt[g];
	else if (x->opt[g] != NULL && strcmp(x->opt[g], b->opt[g]) != 0)
		IWARN(m, "useGlobalPreferredServer of the exchange server is "
		    "served as the %s server's", b->xtype);
}

/*
 * The legacy element at x: its ewsURL and owaURL become ews and owa lines
 * where no such server exists (a file of Thunderbird before 150, or one
 * mailautoconf served before), else they are checked against them.
 * Returns how many servers now stand at x (0 to 2).
 */
static size_t
imp_legacy_one(struct imp *m, size_t x)
{
	struct isrv	 lx = m->srv[x], mk[2], *ex[2];
	enum srv_type	 ty[2] = { SRV_EWS, SRV_OWA };
	size_t		 n = 0, i;

	m->wline = lx.line;
	ex[0] = imp_first(m, SRV_EWS);
	ex[1] = imp_first(m, SRV_OWA);
	if (lx.url[1] == NULL && lx.url[0] == NULL)
		IERR(m, "the exchange server needs ewsURL or owaURL");
	if (lx.url[2] != NULL)
		IWARN(m, "graphURL of the exchange server is not expressible; "
		    "dropped");
	for (i = 0; i < 2; i++) {
		const char *u = lx.url[i == 0 ? 1 : 0];

		if (u == NULL)
			continue;
		if (ex[i] != NULL) {
			if (!imp_streq(u, imp_srv_url(ex[i])))
				IWARN(m, "%s of the exchange server is not the "
				    "%s server's URL; dropped", url_el[i == 0 ?
				    1 : 0], ex[i]->xtype);
			continue;
		}
		mk[n] = lx;
		mk[n].type = ty[i];
		mk[n].legacy = false;
		mk[n].xurl = u;
		mk[n].url[0] = mk[n].url[1] = mk[n].url[2] = NULL;
		mk[n].xtype = i == 0 ? "exchange (ewsURL)" : "exchange (owaURL)";
		if (n > 0 || ex[0] != NULL) {
			/* not the line the legacy element is written from */
			mk[n].host = mk[n].port = mk[n].sock = NULL;
			memset(mk[n].opt, 0, sizeof(mk[n].opt));
		}
		n++;
	}
	/* wholly derived: its login is the one of the line it comes from */
	if (n == 0 && (ex[0] != NULL || ex[1] != NULL))
		imp_legacy_same(m, &lx, ex[0] != NULL ? ex[0] : ex[1]);
	m->wline = 0;
	if (m->nsrv - 1 + n > IMPORT_SERVERS) {
		IERR(m, "more than %d servers", IMPORT_SERVERS);
		return 0;
	}
	memmove(&m->srv[x + n], &m->srv[x + 1],
	    (m->nsrv - x - 1) * sizeof(m->srv[0]));
	memcpy(&m->srv[x], mk, n * sizeof(mk[0]));
	m->nsrv = m->nsrv - 1 + n;
	return n;
}

static void
imp_legacy(struct imp *m)
{
	size_t	i = 0;

	while (i < m->nsrv)
		if (m->srv[i].legacy)
			i += imp_legacy_one(m, i);
		else
			i++;
}

static const char *
imp_sock(struct imp *m, const char *v)
{
	static const char *const xml[] = { "SSL", "STARTTLS", "plain" };
	static const char *const ini[] = { "ssl", "starttls", "plain" };
	size_t	i;

	if (v == NULL) {
		IWARN(m, "no socketType: written as ssl");
		return "ssl";
	}
	for (i = 0; i < 3; i++)
		if (strcmp(v, xml[i]) == 0)
			return ini[i];
	for (i = 0; i < 3; i++)
		if (strcasecmp(v, xml[i]) == 0) {
			IWARN(m, "socketType '%s' is written as %s", v, xml[i]);
			return ini[i];
		}
	IERR(m, "socketType '%.40s' is not SSL, STARTTLS or plain", v);
	return "ssl";
}

static void
imp_hostport(struct imp *m, const struct isrv *s, struct out *o)
{
	long long	port;
	const char	*sock = imp_sock(m, s->sock);

	if (s->host == NULL) {
		IERR(m, "%s server without hostname", s->xtype);
		return;
	}
	/* an IPv6 literal: the loader takes it in brackets */
	if (strchr(s->host, ':') != NULL && s->host[0] != '[') {
		out_str(o, "[");
		out_str(o, s->host);
		out_str(o, "]");
	} else
		out_str(o, s->host);
	if (s->port == NULL)
		IWARN(m, "%s server without port: written with the default "
		    "port", s->xtype);
	else if (mac_strtonum(s->port, 1, 65535, &port) != 0)
		IERR(m, "port '%.20s' is not a number from 1 to 65535",
		    s->port);
	else {
		out_str(o, ":");
		out_uint(o, (unsigned long)port);
	}
	out_str(o, " ");
	out_str(o, sock);
}

/* " option=value" for what differs from the provider or is set. */
static void
imp_options(struct imp *m, const struct isrv *s, struct out *o)
{
	size_t	i;

	if (s->auth.n == 0)
		IWARN(m, "%s server without authentication: served with the "
		    "provider's", s->xtype);
	else if (!imp_auth_eq(&s->auth, &m->auth)) {
		out_str(o, " auth=");
		imp_authlist(o, &s->auth);
	}
	if (s->username == NULL)
		IWARN(m, "%s server without username: served with %s",
		    s->xtype, m->username);
	else if (strcmp(s->username, m->username) != 0) {
		if (strpbrk(s->username, " \t") != NULL)
			IERR(m, "username '%.60s' has a space: a server option "
			    "cannot hold one", s->username);
		out_str(o, " username=");
		out_str(o, s->username);
	}
	/* the other options, in the order of the config-key table */
	for (i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (s->opt[i] == NULL)
			continue;
		if (!(k->types & (1u << s->type))) {
			IWARN(m, "%s of the %s server is not expressible; "
			    "dropped", k->name, s->xtype);
			continue;
		}
		if (strpbrk(s->opt[i], " \t") != NULL)
			IERR(m, "%s '%.40s' has a space", k->name, s->opt[i]);
		out_str(o, " ");
		out_str(o, k->name);
		out_str(o, "=");
		out_str(o, s->opt[i]);
	}
}

/* Server lines cannot be continued: one line under 200 bytes. */
static void
imp_server(struct imp *m, const struct isrv *s)
{
	char		line[INI_LINE_MAX + 1];
	struct out	o;

	m->wline = s->line;
	out_init(&o, line, sizeof(line) - 1);
	out_str(&o, srv_names[s->type]);
	out_str(&o, " = ");
	if (s->type >= SRV_EWS)
		imp_url_server(m, s, &o);
	else {
		if (s->xurl != NULL)
			IWARN(m, "url of the %s server is not expressible; "
			    "dropped", s->xtype);
		imp_hostport(m, s, &o);
	}
	imp_options(m, s, &o);
	if (o.err || o.len >= INI_LINE_MAX) {
		IERR(m, "the %s server line would be 200 bytes or longer, and "
		    "server lines cannot be continued", s->xtype);
		return;
	}
	line[o.len] = '\0';
	if (imp_ini_safe(m, "server", line))
		fprintf(m->o, "%s\n", line);
	m->wline = 0;
}

/* ---- the section ------------------------------------------------------ */

static void
imp_head(struct imp *m)
{
	const char	*id = m->id;
	char		 dl[IMPORT_TEXT_MAX];
	struct out	 o;
	size_t		 i;

	if (id == NULL && m->ndomains > 0) {
		IWARN(m, "emailProvider has no id: the section is named %s",
		    m->domains[0]);
		id = m->domains[0];
	}
	if (id == NULL || !ini_section_ok(id, strlen(id))) {
		IERR(m, "emailProvider id is not a section name of 1 to %d "
		    "bytes without spaces or brackets", INI_SECTION_MAX - 1);
		return;
	}
	fprintf(m->o, "[%s]\n", id);
	out_init(&o, dl, sizeof(dl) - 1);
	for (i = 0; i < m->ndomains; i++) {
		out_str(&o, i > 0 ? " " : "");
		out_str(&o, m->domains[i]);
	}
	dl[o.len] = '\0';
	if (o.err)
		IERR(m, "the domains take more than %d bytes", IMPORT_TEXT_MAX);
	else if (m->ndomains > 0)
		imp_kv(m, "domains", dl);
	if (m->name != NULL)
		imp_kv(m, "name", m->name);
	else
		IWARN(m, "no displayName: served as the id");
	if (m->short_name != NULL)
		imp_kv(m, "short_name", m->short_name);
	else
		IWARN(m, "no displayShortName: served as the displayName");
}

static void
imp_extras(struct imp *m)
{
	static const char *const okeys[4] = {
		"oauth2.issuer", "oauth2.scope", "oauth2.auth_url",
		"oauth2.token_url",
	};
	size_t	i;

	for (i = 0; i < m->ndocs; i++)
		if (imp_url_ok(m, "documentation", m->docs[i].url)) {
			imp_kv(m, "documentation", m->docs[i].url);
			imp_texts(m, "documentation.descr", m->docs[i].descr,
			    m->docs[i].ndescr);
		}
	if (m->enable != NULL && imp_url_ok(m, "enable", m->enable)) {
		imp_kv(m, "enable", m->enable);
		imp_texts(m, "enable.instruction", m->instr, m->ninstr);
	}
	if (m->webmail != NULL && imp_url_ok(m, "webMail", m->webmail))
		imp_kv(m, "webmail", m->webmail);
	for (i = 0; i < 2; i++)
		if (m->dav[i].url == NULL)
			m->dav[i].url = m->dav[i].xurl;
	for (i = 0; i < 2; i++)
		if (m->dav[i].seen && m->dav[i].url == NULL)
			IWARN(m, "%s without serverURL; dropped", dav_names[i]);
		else if (m->dav[i].seen && imp_url_ok(m, dav_keys[i],
		    m->dav[i].url))
			imp_kv(m, dav_keys[i], m->dav[i].url);
	if (!m->oauth2[0] && !m->oauth2[1] && !m->oauth2[2] && !m->oauth2[3])
		return;
	if (!m->oauth2[0] || !m->oauth2[1] || !m->oauth2[2] || !m->oauth2[3]) {
		IWARN(m, "oAuth2 needs issuer, scope, authURL and tokenURL; "
		    "dropped");
		return;
	}
	for (i = 0; i < 4; i++)
		if (i < 2 || imp_url_ok(m, okeys[i], m->oauth2[i]))
			imp_kv(m, okeys[i], m->oauth2[i]);
	if (m->oauth2[4] != NULL)
		imp_kv(m, "oauth2.client_id", m->oauth2[4]);
}

static void
imp_write(struct imp *m)
{
	char		 ab[160];
	struct out	 o;
	size_t		 i;

	imp_head(m);
	out_init(&o, ab, sizeof(ab) - 1);
	imp_authlist(&o, &m->auth);
	ab[o.len] = '\0';
	imp_kv(m, "auth", ab);
	imp_kv(m, "username", m->username);
	for (i = 0; i < m->nsrv; i++)
		imp_server(m, &m->srv[i]);
	imp_extras(m);
}

/* The real loader is the judge: nothing is printed that it refuses. */
static int
imp_check(struct imp *m, const char *sec, size_t n)
{
	struct diag	 d = { m->err, false, 0, 0 };
	struct config	*cf;

	if ((cf = prov_load_mem(sec, n, "(imported section)", &d)) == NULL) {
		IERR(m, "the section would not load:");
		if (m->err != NULL)
			fwrite(sec, 1, n, m->err);
		return -1;
	}
	prov_free(cf);
	return 0;
}

/* A comment naming the source, printable ASCII only (no line breaks). */
static void
imp_comment(FILE *out, const char *file)
{
	const char	*b = strrchr(file, '/');
	size_t		 i;

	b = b != NULL ? b + 1 : file;
	fputs("; imported by mailautoconf --import from ", out);
	for (i = 0; b[i] != '\0' && i < 100; i++)
		fputc(b[i] > ' ' && b[i] < 0x7f ? b[i] : '?', out);
	fputc('\n', out);
}

int
imp_mem(const char *buf, size_t n, const char *file, FILE *out, FILE *err)
{
	struct imp	*m;
	char		*sec = NULL, fb[1024];
	size_t		 slen = 0;
	int		 rc = 1;

	if (n > IMPORT_MAX) {
		if (err != NULL)
			fprintf(err, "mailautoconf: %s: larger than %d bytes\n",
			    diag_safe(fb, sizeof(fb), file), IMPORT_MAX);
		return 1;
	}
	if ((m = mac_alloc(sizeof(*m))) == NULL)
		return 1;
	memset(m, 0, sizeof(*m));
	m->file = file;
	m->err = err;
	/* expat's UTF-8 of a Latin-1 file is at most twice as long */
	m->pcap = 3 * n + 4096;
	if ((m->pool = mac_alloc(m->pcap)) != NULL &&
	    imp_parse(m, buf, n) == 0 &&
	    (m->o = open_memstream(&sec, &slen)) != NULL) {
		imp_legacy(m);
		imp_defaults(m);
		imp_write(m);
		fclose(m->o);
		if (m->errors == 0 && imp_check(m, sec, slen) == 0) {
			if (out != NULL) {
				imp_comment(out, file);
				fwrite(sec, 1, slen, out);
			}
			rc = 0;
		}
	}
	free(sec);
	mac_free(m->pool);
	mac_free(m);
	return rc;
}

int
imp_file(const char *path, FILE *out, FILE *err)
{
	FILE	*fp;
	char	*buf, fb[1024];
	size_t	 n;
	int	 rc;

	diag_safe(fb, sizeof(fb), path);
	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(err, "mailautoconf: %s: cannot open\n", fb);
		return 1;
	}
	if ((buf = mac_alloc(IMPORT_MAX + 1)) == NULL) {
		if (fp != stdin)
			fclose(fp);
		return 1;
	}
	n = fread(buf, 1, IMPORT_MAX + 1, fp);
	rc = ferror(fp) ? -1 : 0;
	if (fp != stdin)
		fclose(fp);
	if (rc != 0)
		fprintf(err, "mailautoconf: %s: read error\n", fb);
	/*
	 * The file is read: the XML parser (third-party input, often run as
	 * root) works in the sandbox a CGI has, which opens nothing.
	 */
	else if ((rc = sb_enter(SB_CGI, NULL)) == 0)
		rc = imp_mem(buf, n, strcmp(path, "-") == 0 ? "(stdin)" : path,
		    out, err);
	mac_free(buf);
	return rc != 0;
}
