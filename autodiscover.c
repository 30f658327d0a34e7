/*
 * autodiscover.c: Outlook Autodiscover, POX (DESIGN.md §4) and the v2 JSON
 * answer (DESIGN.md §5).
 *
 * Unlike autoconfig, Outlook fills in nothing itself: LoginName and host
 * templates are filled with the requested address here.
 */
#include <string.h>

#include "mailautoconf.h"

/* http://, not https://: Mailu once shipped https:// and Outlook ignored it */
static const char NS_RESPONSE[] =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
static const char NS_OUTLOOK[] =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a";
static const char NS_MOBILESYNC[] =
    "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
    "responseschema/2006";

static const char *
onoff(bool v)
{
	/* exactly on/off: Thunderbird drops SSL "true", Outlook "yes" */
	return v ? "on" : "off";
}

static void
ad_ttl(const struct config *cf, struct out *o)
{
	if (cf->ad_ttl > 0)
		xml_elem_uint(o, "TTL", (unsigned long)cf->ad_ttl);
}

/* MS-OXDSCLI's Protocol order: LoginName, then DomainRequired */
static void
ad_login(const struct request *r, const struct server *s,
    const struct fill *f, struct out *o)
{
	if (r->has_addr || !ph_needs_address(s->username))
		xml_elem_fill(o, "LoginName", s->username, f);
	xml_elem(o, "DomainRequired", "off");
}

static void
ad_protocol(const struct request *r, const struct config *cf,
    const struct server *s, const struct fill *f, struct out *o)
{
	static const char *const type[] = {
		[SRV_IMAP] = "IMAP", [SRV_POP3] = "POP3", [SRV_SMTP] = "SMTP",
	};
	enum auth	first = (enum auth)s->auth.a[0];

	xml_open(o, "Protocol");
	xml_elem(o, "Type", type[s->type]);
	ad_ttl(cf, o);
	xml_elem_fill(o, "Server", s->host, f);
	xml_elem_uint(o, "Port", s->port);
	ad_login(r, s, f, o);
	xml_elem(o, "SPA", onoff(first == AUTH_ENCRYPTED || first == AUTH_NTLM));
	/* Encryption wins over SSL; "TLS" means STARTTLS to Outlook */
	xml_elem(o, "SSL", onoff(s->sock != SOCK_PLAIN));
	xml_elem(o, "Encryption", s->sock == SOCK_SSL ? "SSL" :
	    s->sock == SOCK_STARTTLS ? "TLS" : "None");
	xml_elem(o, "AuthRequired", onoff(first != AUTH_NONE));
	if (s->type == SRV_SMTP) {
		xml_elem(o, "UsePOPAuth", onoff(first != AUTH_NONE));
		xml_elem(o, "SMTPLast", "off");
	}
	xml_close(o);
}

/*
 * The first ews line as an EXCH block, which Thunderbird reads for its
 * EWS account: EwsUrl, and ASUrl as its fallback (Microsoft's sample
 * carries the EWS URL there).  Not EXPR, which Thunderbird ignores.
 */
static void
ad_exch(const struct request *r, const struct config *cf,
    const struct server *s, const struct fill *f, struct out *o)
{
	xml_open(o, "Protocol");
	xml_elem(o, "Type", "EXCH");
	ad_ttl(cf, o);
	xml_elem_fill(o, "Server", s->host, f);
	xml_elem_fill(o, "ASUrl", s->url, f);
	xml_elem_fill(o, "EwsUrl", s->url, f);
	ad_login(r, s, f, o);
	xml_close(o);
}

/*
 * MS-OXDSCLI 2.2.4.1.1.2.6.27.1: OWAUrl's AuthenticationMethod, required,
 * the methods separated by commas.  Thunderbird reads the URL only from
 * an OWAUrl with an attribute.  OAuth2 is a sign-in page: Fba.
 */
static const char *const owa_auth[AUTH__N] = {
	[AUTH_CLEARTEXT] = "Basic", [AUTH_ENCRYPTED] = "Digest",
	[AUTH_OAUTH2] = "Fba", [AUTH_NTLM] = "Ntlm",
	[AUTH_GSSAPI] = "WindowsIntegrated",
};

static void
ad_web(const struct config *cf, const struct server *owa,
    const struct server *ews, const struct fill *f, struct out *o)
{
	char		 m[96];
	struct out	 mo;
	unsigned	 i;

	out_init(&mo, m, sizeof(m) - 1);
	for (i = 0; i < owa->auth.n; i++)
		if (owa_auth[owa->auth.a[i]] != NULL) {
			out_str(&mo, mo.len > 0 ? "," : "");
			out_str(&mo, owa_auth[owa->auth.a[i]]);
		}
	if (mo.len == 0)
		out_str(&mo, "Fba");
	m[mo.len] = '\0';
	xml_open(o, "Protocol");
	xml_elem(o, "Type", "WEB");
	xml_open(o, "External");
	xml_elem_attr_fill(o, "OWAUrl", "AuthenticationMethod", m, owa->url,
	    f);
	if (ews != NULL) {
		xml_open(o, "Protocol");
		xml_elem(o, "Type", "EXCH");
		xml_elem_fill(o, "ASUrl", ews->url, f);
		xml_close(o);
	}
	xml_close(o);
	ad_ttl(cf, o);
	xml_close(o);
}

/*
 * The placeholders of the request, and an answer's head: Autodiscover in
 * the response namespace, then Response in the schema's own (NS).
 */
static void
ad_start(const struct request *r, struct fill *f, const char *ns,
    struct out *o)
{
	f->address = r->has_addr ? r->addr.full : NULL;
	f->local = r->has_addr ? r->addr.local : NULL;
	f->domain = r->domain;
	xml_decl(o);
	xml_open(o, "Autodiscover");
	xml_attr(o, "xmlns", NS_RESPONSE);
	xml_open(o, "Response");
	xml_attr(o, "xmlns", ns);
}

/*
 * EWS and OWA first: Thunderbird writes EXCH and WEB into the incoming
 * server it holds, so an IMAP block read before them would be turned into
 * an Exchange server (Thunderbird's accountcreation module
 * ExchangeAutoDiscover).  Outlook for Windows may take EXCH as an
 * Exchange account and skip IMAP: it gets neither (Vary: User-Agent,
 * http.c).  A URL that needs the address is left out without one, as
 * LoginName is.
 */
static void
ad_exchange(const struct request *r, const struct config *cf,
    const struct provider *p, const struct fill *f, struct out *o)
{
	const struct server	*ews = p->first[SRV_EWS];
	const struct server	*owa = p->first[SRV_OWA];

	if (r->ua_outlook)
		return;
	if (ews != NULL && !r->has_addr && ph_needs_address(ews->url))
		ews = NULL;
	if (owa != NULL && !r->has_addr && ph_needs_address(owa->url))
		owa = NULL;
	if (ews != NULL)
		ad_exch(r, cf, ews, f, o);
	if (owa != NULL)
		ad_web(cf, owa, ews, f, o);
}

int
ad_render(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	struct fill		 f;
	size_t			 i;

	ad_start(r, &f, NS_OUTLOOK, o);
	xml_open(o, "User");
	xml_elem(o, "DisplayName", p->name);
	xml_close(o);
	xml_open(o, "Account");
	xml_elem(o, "AccountType", "email");
	if (p->ad_redirect != NULL &&
	    (r->has_addr || !ph_needs_address(p->ad_redirect))) {
		xml_elem(o, "Action", "redirectAddr");
		xml_elem_fill(o, "RedirectAddr", p->ad_redirect, &f);
	} else {
		xml_elem(o, "Action", "settings");
		ad_exchange(r, cf, p, &f, o);
		for (i = 0; i < p->nad; i++)
			ad_protocol(r, cf, p->ad[i], &f, o);
	}
	xml_close(o);
	xml_close(o);
	xml_close(o);
	return 200;
}

/*
 * The MobileSync answer of MS-ASCMD §2.2.3 (example §4.2.4, schemas
 * §6.2 and §6.4) for a provider with an activesync URL: Culture, User,
 * then Action with Settings/Server (Type, Url, Name = Url, as Microsoft's
 * example, Z-Push and Horde have it), or Redirect for
 * autodiscover.redirect.  Default namespaces, no prefixes: AOSP Exchange
 * compares raw element names.  Nothing asks for or reads credentials.
 */
int
ad_mobilesync(const struct request *r, const struct provider *p,
    struct out *o)
{
	const struct server	*s = p->first[SRV_ACTIVESYNC];
	struct fill		 f;

	ad_start(r, &f, NS_MOBILESYNC, o);
	/* every example of Microsoft's writes en:us */
	xml_elem(o, "Culture", "en:us");
	xml_open(o, "User");
	xml_elem(o, "DisplayName", p->name);
	xml_elem(o, "EMailAddress", r->addr.full);
	xml_close(o);
	xml_open(o, "Action");
	if (p->ad_redirect != NULL) {
		xml_elem_fill(o, "Redirect", p->ad_redirect, &f);
	} else {
		xml_open(o, "Settings");
		xml_open(o, "Server");
		xml_elem(o, "Type", "MobileSync");
		xml_elem_fill(o, "Url", s->url, &f);
		xml_elem_fill(o, "Name", s->url, &f);
		xml_close(o);
		xml_close(o);
	}
	xml_close(o);
	xml_close(o);
	xml_close(o);
	return 200;
}

/* "HH:MM:SS.mmm" of the day, UTC. */
static void
ad_time(char *buf, long long ms)
{
	long long	d = ms % 86400000;
	int		v[4] = { (int)(d / 3600000), (int)(d / 60000 % 60),
			    (int)(d / 1000 % 60), (int)(d % 1000) };

	buf[0] = (char)('0' + v[0] / 10); buf[1] = (char)('0' + v[0] % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + v[1] / 10); buf[4] = (char)('0' + v[1] % 10);
	buf[5] = ':';
	buf[6] = (char)('0' + v[2] / 10); buf[7] = (char)('0' + v[2] % 10);
	buf[8] = '.';
	buf[9] = (char)('0' + v[3] / 100);
	buf[10] = (char)('0' + v[3] / 10 % 10);
	buf[11] = (char)('0' + v[3] % 10);
	buf[12] = '\0';
}

/*
 * Error 600 (malformed request) or 601 (schema we do not serve), in the
 * form Outlook reads: HTTP 200 with an Error element.  The Response is in
 * the 2006 response namespace, whatever schema the client asked for, as
 * MS-OXDSCLI's error example has it: nothing of the request is echoed.
 */
int
ad_error(const struct request *r, int code, struct out *o)
{
	char		 t[13];

	ad_time(t, r->now_ms < 0 ? 0 : r->now_ms);
	xml_decl(o);
	xml_open(o, "Autodiscover");
	xml_attr(o, "xmlns", NS_RESPONSE);
	xml_open(o, "Response");
	xml_open(o, "Error");
	xml_attr(o, "Time", t);
	xml_attr_uint(o, "Id", (unsigned long)((r->now_ms / 1000) % 4294967296LL));
	xml_elem_uint(o, "ErrorCode", (unsigned long)code);
	xml_elem(o, "Message", code == 600 ? "Invalid Request" :
	    "Provider is not available");
	xml_empty(o, "DebugData");
	xml_close(o);
	xml_close(o);
	xml_close(o);
	return 200;
}

/* ---- Autodiscover v2 JSON (DESIGN.md §5) ----------------------------- */

/* Outlook 2019 sends "Autodiscoverv1": compared case-insensitively. */
static bool
ad_json_v1(const struct request *r)
{
	return r->has_protocol &&
	    mac_casecmp_n(r->protocol, strlen(r->protocol), "AutodiscoverV1") ==
	    0;
}

/*
 * The JSON endpoint's error bodies, fixed text like every error body
 * (DESIGN.md §8): nothing of the request is echoed, not even the Protocol it
 * named.  Exchange Online answers a protocol it does not serve with
 * ErrorCode InvalidProtocol; the other codes are ours.
 */
void
ad_json_error(const struct request *r, int status, struct out *o)
{
	const char	*code, *msg;

	if (status == 400 && !ad_json_v1(r)) {
		code = "InvalidProtocol";
		msg = "The Protocol parameter must be AutodiscoverV1.";
	} else if (status == 400) {
		code = "InvalidRequest";
		msg = "The request is malformed or the address is invalid.";
	} else if (status == 404) {
		code = "NotFound";
		msg = "No mail settings are published for this domain.";
	} else if (status == 405) {
		code = "MethodNotAllowed";
		msg = "Use GET.";
	} else if (status < 500) {
		code = "InvalidRequest";
		msg = "The request was refused.";
	} else {
		code = "InternalError";
		msg = "The server could not answer.";
	}
	out_str(o, "{\"ErrorCode\":");
	out_json_str(o, code, strlen(code));
	out_str(o, ",\"ErrorMessage\":");
	out_json_str(o, msg, strlen(msg));
	out_str(o, "}");
}

/* Protocol=ActiveSync, for a provider with an activesync URL */
static bool
ad_json_eas(const struct request *r, const struct provider *p)
{
	return r->has_protocol && p->first[SRV_ACTIVESYNC] != NULL &&
	    mac_casecmp_n(r->protocol, strlen(r->protocol), "ActiveSync") == 0;
}

/*
 * The ActiveSync URL, as Exchange and mailcow answer Protocol=ActiveSync,
 * filled for the domain (and the address when the request names one).
 * A URL that names the user cannot be given without an address: 400.
 */
static int
ad_json_url(const struct request *r, const struct provider *p,
    struct out *o)
{
	struct fill	 f;
	struct davurl	 u;
	const char	*why;

	f.address = r->has_addr ? r->addr.full : NULL;
	f.local = r->has_addr ? r->addr.local : NULL;
	f.domain = r->domain;
	if (dav_split(&u, p->first[SRV_ACTIVESYNC]->url, &f, &why) != 0) {
		ad_json_error(r, 400, o);
		return 400;
	}
	out_str(o, "{\"Protocol\":\"ActiveSync\",\"Url\":");
	out_json_str(o, u.url, u.len);
	out_str(o, "}");
	return 200;
}

/*
 * AutodiscoverV1: send the client on to the POX endpoint of the host it
 * asked (r->host, a validated LDH name: req_finish requires it).  The
 * answer is the same for every provider, but an unknown domain has been
 * answered 404 already, as everywhere.
 */
int
ad_json(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	char	url[sizeof("https:///Autodiscover/Autodiscover.xml") +
		    DOMAIN_MAX];
	size_t	hl = strlen(r->host);

	(void)cf;
	if (ad_json_eas(r, p))
		return ad_json_url(r, p, o);
	if (!ad_json_v1(r)) {
		ad_json_error(r, 400, o);
		return 400;
	}
	if (hl == 0 || hl > DOMAIN_MAX) {
		o->err = true;
		return 500;
	}
	memcpy(url, "https://", 8);
	memcpy(url + 8, r->host, hl);
	mac_strlcpy(url + 8 + hl, "/Autodiscover/Autodiscover.xml",
	    sizeof(url) - 8 - hl);
	out_str(o, "{\"Protocol\":\"AutodiscoverV1\",\"Url\":");
	out_json_str(o, url, strlen(url));
	out_str(o, "}");
	return 200;
}
