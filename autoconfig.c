/*
 * autoconfig.c: the Mozilla autoconfig answer (DESIGN.md §3), config-v1.1.xml.
 *
 * A pure mapping from (request, provider) to writer calls.  Usernames,
 * host names and URLs keep the placeholders of the address: the client
 * fills them in, so the answer is the same for every address of a domain
 * (cacheable, and it tells nothing about which addresses exist; Evolution
 * asks with a fixed local part and would get a wrong username from a
 * server that filled it).  Those of the domain (%EMAILDOMAIN%) are filled
 * here: the answer is for one domain already, and Evolution's account
 * assistant never tells its parser the domain, so it would turn
 * mail.%EMAILDOMAIN% into "mail." (e-mail-autoconfig.c).
 */
#include <string.h>

#include "mailautoconf.h"

static void
ac_auth(struct out *o, const struct authlist *al)
{
	unsigned	i;

	for (i = 0; i < al->n; i++)
		xml_elem(o, "authentication", auth_names[al->a[i]]);
}

static void
ac_bool(struct out *o, const char *name, signed char v)
{
	if (v >= 0)
		xml_elem(o, name, v ? "true" : "false");
}

static void
ac_pop3(struct out *o, const struct server *s)
{
	if (s->leave_on_server < 0 && s->download_on_biff < 0 &&
	    s->days_to_leave < 0 && s->check_interval < 0)
		return;
	xml_open(o, "pop3");
	ac_bool(o, "leaveMessagesOnServer", s->leave_on_server);
	ac_bool(o, "downloadOnBiff", s->download_on_biff);
	if (s->days_to_leave >= 0)
		xml_elem_uint(o, "daysToLeaveMessagesOnServer",
		    (unsigned long)s->days_to_leave);
	if (s->check_interval >= 0) {
		xml_open(o, "checkInterval");
		xml_attr_uint(o, "minutes", (unsigned long)s->check_interval);
		xml_close(o);
	}
	xml_close(o);
}

static const char *const ac_type[] = {
	[SRV_IMAP] = "imap", [SRV_POP3] = "pop3", [SRV_SMTP] = "smtp",
	[SRV_EWS] = "ews", [SRV_OWA] = "owa", [SRV_GRAPH] = "graph",
	/* the spelling of draft-ietf-mailmaint-autoconfig-06's type table */
	[SRV_ACTIVESYNC] = "activeSync", [SRV_JMAP] = "jmap",
};

static void
ac_mail_server(struct out *o, const struct server *s, const struct fill *f)
{
	xml_open(o, s->type == SRV_SMTP ? "outgoingServer" : "incomingServer");
	xml_attr(o, "type", ac_type[s->type]);
	xml_elem_fill(o, "hostname", s->host, f);
	xml_elem_uint(o, "port", s->port);
	xml_elem(o, "socketType", sock_names[s->sock]);
	ac_auth(o, &s->auth);
	xml_elem_fill(o, "username", s->username, f);
	if (s->type == SRV_POP3)
		ac_pop3(o, s);
	if (s->restriction != NULL)
		xml_elem(o, "restriction", s->restriction);
	ac_bool(o, "addThisServer", s->add_this_server);
	ac_bool(o, "useGlobalPreferredServer", s->global_preferred);
	xml_close(o);
}

/*
 * A URL server's methods in the draft's words first, then in
 * Thunderbird's: the draft has clients take the first value they know,
 * and Thunderbird skips an element with an attribute
 * (draft-ietf-mailmaint-autoconfig; Thunderbird's accountcreation
 * module readFromXML).
 */
static void
ac_url_auth(struct out *o, const struct authlist *al)
{
	unsigned	i;

	for (i = 0; i < al->n; i++) {
		if (al->a[i] == AUTH_CLEARTEXT)
			xml_elem_attr(o, "authentication", "system", "http",
			    "Basic");
		else if (al->a[i] == AUTH_ENCRYPTED)
			xml_elem_attr(o, "authentication", "system", "http",
			    "Digest");
		xml_elem(o, "authentication", auth_names[al->a[i]]);
	}
}

/*
 * ews, owa and graph in the form of the draft and of Thunderbird 150 and
 * later: the URL says host, port and TLS.  A URL with a port of its own
 * also states them, since Thunderbird takes the URL's host with its
 * ":port" for a host name and drops the server otherwise.
 */
static void
ac_url_server(struct out *o, const struct server *s, const struct fill *f)
{
	xml_open(o, "incomingServer");
	xml_attr(o, "type", ac_type[s->type]);
	xml_elem_fill(o, "url", s->url, f);
	if (s->port != (s->sock == SOCK_SSL ? 443u : 80u)) {
		xml_elem_fill(o, "hostname", s->host, f);
		xml_elem_uint(o, "port", s->port);
		xml_elem(o, "socketType", sock_names[s->sock]);
	}
	ac_url_auth(o, &s->auth);
	xml_elem_fill(o, "username", s->username, f);
	xml_close(o);
}

/*
 * The element Thunderbird before 150 reads for Exchange, after the last
 * incoming server as in Mozilla's ISPDB, so that a newer Thunderbird
 * never takes it as its default: the first ews line (else the first owa
 * line) gives host, port, socket type and login, the first of each names
 * its URL.  graph has no URL element here.
 */
static void
ac_legacy_exchange(struct out *o, const struct provider *p,
    const struct fill *f)
{
	const struct server	*ews = p->first[SRV_EWS];
	const struct server	*owa = p->first[SRV_OWA];
	const struct server	*b = ews != NULL ? ews : owa;

	if (b == NULL)
		return;
	xml_open(o, "incomingServer");
	xml_attr(o, "type", "exchange");
	xml_elem_fill(o, "hostname", b->host, f);
	xml_elem_uint(o, "port", b->port);
	xml_elem(o, "socketType", sock_names[b->sock]);
	ac_auth(o, &b->auth);
	xml_elem_fill(o, "username", b->username, f);
	if (owa != NULL)
		xml_elem_fill(o, "owaURL", owa->url, f);
	if (ews != NULL)
		xml_elem_fill(o, "ewsURL", ews->url, f);
	ac_bool(o, "useGlobalPreferredServer", b->global_preferred);
	xml_close(o);
}

static void
ac_texts(struct out *o, const char *name, const struct text *t, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		xml_elem_attr(o, name, "lang", t[i].lang, t[i].text);
}

/*
 * CardDAV and CalDAV share the provider's login (providers.ini(5)).  One
 * body for the 1.1 readers (Stalwart's shape: http-basic, serverURL) and
 * the draft-06 ones (url, system="http" Basic), each keeping what it
 * knows: an attribute only on authentication, and a plain one after it.
 * v12: also the url and the draft's authentication; the draft spells the
 * contacts element addressbook, so addressBook gets the 1.1 body only.
 */
static void
ac_dav(struct out *o, const struct provider *p, const struct fill *f,
    const char *el, const char *type, const char *url, bool v12)
{
	bool	oauth = p->auth.a[0] == AUTH_OAUTH2;

	if (url == NULL)
		return;
	xml_open(o, el);
	xml_attr(o, "type", type);
	xml_elem_fill(o, "username", p->username, f);
	if (v12 && !oauth)
		xml_elem_attr(o, "authentication", "system", "http", "Basic");
	xml_elem(o, "authentication", oauth ? "OAuth2" : "http-basic");
	xml_elem_fill(o, "serverURL", url, f);
	if (v12)
		xml_elem_fill(o, "url", url, f);
	xml_close(o);
}

static void
ac_provider_extras(struct out *o, const struct provider *p)
{
	size_t	i;

	if (p->enable != NULL) {
		xml_open(o, "enable");
		xml_attr(o, "visiturl", p->enable);
		ac_texts(o, "instruction", p->instr, p->ninstr);
		xml_close(o);
	}
	for (i = 0; i < p->ndocs; i++) {
		xml_open(o, "documentation");
		xml_attr(o, "url", p->docs[i].url);
		ac_texts(o, "descr", p->docs[i].descr, p->docs[i].ndescr);
		xml_close(o);
	}
}

/*
 * The servers of one direction.  Evolution keeps the last server of each
 * type it reads, not the first (e-mail-autoconfig.c): it gets them in
 * reverse line order, so that the first line of each type, the preferred
 * one, comes last.
 */
static void
ac_servers(struct out *o, const struct server *s, size_t n, bool last_wins,
    const struct fill *f)
{
	size_t	i, k;

	for (k = 0; k < n; k++) {
		i = last_wins ? n - 1 - k : k;
		if (s[i].url != NULL)
			ac_url_server(o, &s[i], f);
		else
			ac_mail_server(o, &s[i], f);
	}
}

int
ac_render(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	const struct fill	 f = { NULL, NULL, r->domain };
	bool			 evo = r->evolution;

	(void)cf;
	xml_decl(o);
	xml_open(o, "clientConfig");
	xml_attr(o, "version", "1.1");
	xml_open(o, "emailProvider");
	xml_attr(o, "id", prov_answer_id(p));
	/* only the domain asked about: the others may be customers' names */
	xml_elem(o, "domain", r->domain);
	xml_elem(o, "displayName", p->name);
	xml_elem(o, "displayShortName", p->short_name);
	/* incoming servers in the order of their lines, whatever the type */
	ac_servers(o, p->in, p->nin, evo, &f);
	ac_legacy_exchange(o, p, &f);
	ac_servers(o, p->out, p->nout, evo, &f);
	ac_provider_extras(o, p);
	xml_close(o);
	if (p->webmail != NULL) {
		xml_open(o, "webMail");
		xml_open(o, "loginPage");
		xml_attr(o, "url", p->webmail);
		xml_close(o);
		xml_close(o);
	}
	if (p->oauth2_issuer != NULL) {
		xml_open(o, "oAuth2");
		xml_elem(o, "issuer", p->oauth2_issuer);
		xml_elem(o, "scope", p->oauth2_scope);
		xml_elem(o, "authURL", p->oauth2_auth_url);
		xml_elem(o, "tokenURL", p->oauth2_token_url);
		/* a public client's ID; a secret is never configured */
		if (p->oauth2_client_id != NULL)
			xml_elem(o, "clientID", p->oauth2_client_id);
		xml_close(o);
	}
	ac_dav(o, p, &f, "addressBook", "carddav", p->carddav, false);
	ac_dav(o, p, &f, "addressbook", "carddav", p->carddav, true);
	ac_dav(o, p, &f, "calendar", "caldav", p->caldav, true);
	xml_close(o);
	return 200;
}
