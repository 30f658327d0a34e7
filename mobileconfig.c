/*
 * mobileconfig.c: Apple configuration profiles (DESIGN.md §6), and the page
 * that asks for the address when the request brings none.
 *
 * Apple Mail fills in nothing itself: host names and usernames are filled
 * with the requested address here, as for Outlook.  The profile holds no
 * password; the device asks for it when the profile is installed.
 */
#include <string.h>

#include "mailautoconf.h"

/*
 * Namespace of our name-based UUIDs: uuid5(NAMESPACE_URL,
 * "urn:mailautoconf:mobileconfig") = 6662a165-dd01-5031-ac48-57b01e49d73b.
 * Changing it would give every user a second profile instead of
 * replacing the first.
 */
static const unsigned char MC_NS[16] = {
	0x66, 0x62, 0xa1, 0x65, 0xdd, 0x01, 0x50, 0x31,
	0xac, 0x48, 0x57, 0xb0, 0x1e, 0x49, 0xd7, 0x3b,
};

/* Scratch for the plain profile while it is signed into the answer. */
static char	mc_plain[OUT_MAX];

/*
 * The PayloadUUID of one payload: v5 of "identifier\naddress\nrole".  The
 * same address always gets the same UUIDs, so that installing the profile
 * again replaces it (DESIGN.md §6).  A name that does not fit is never hashed
 * cut short (two profiles would share a UUID): false, and the answer
 * becomes a 500.
 */
static bool
mc_uuid(char *dst, const struct provider *p,
    const struct request *r, const char *role)
{
	char		name[DOMAIN_MAX + 1 + ADDR_MAX + 1 + 16];
	struct out	n;

	out_init(&n, name, sizeof(name));
	out_str(&n, p->mc_identifier);
	out_str(&n, "\n");
	out_str(&n, r->addr.full);
	out_str(&n, "\n");
	out_str(&n, role);
	if (n.err) {
		dst[0] = '\0';
		return false;
	}
	mac_uuid5(dst, MC_NS, name, n.len);
	return true;
}

/*
 * A payload's UUID and its PayloadIdentifier "identifier[.role].UUID";
 * false (o->err set) when either would not fit.
 */
static bool
mc_ids(char *uuid, char *ident, size_t icap, const struct provider *p,
    const struct request *r, const char *role, bool top, struct out *o)
{
	struct out	i;

	if (!mc_uuid(uuid, p, r, role)) {
		o->err = true;
		return false;
	}
	out_init(&i, ident, icap - 1);
	out_str(&i, p->mc_identifier);
	out_str(&i, ".");
	if (!top) {
		out_str(&i, role);
		out_str(&i, ".");
	}
	out_str(&i, uuid);
	if (i.err) {
		o->err = true;
		return false;
	}
	ident[i.len] = '\0';
	return true;
}

static void
mc_key(struct out *o, const char *key)
{
	xml_elem(o, "key", key);
}

static void
mc_string(struct out *o, const char *key, const char *val)
{
	mc_key(o, key);
	xml_elem(o, "string", val);
}

static void
mc_bool(struct out *o, const char *key, bool v)
{
	mc_key(o, key);
	xml_empty(o, v ? "true" : "false");
}

static void
mc_int(struct out *o, const char *key, unsigned long v)
{
	mc_key(o, key);
	xml_elem_uint(o, "integer", v);
}

/*
 * The keys every account payload ends with, in the order Apple's
 * profiles have them, and the end of its dict.
 */
static void
mc_payload_end(struct out *o, const char *descr, const struct provider *p,
    const char *ident, const char *type, const char *uuid)
{
	mc_string(o, "PayloadDescription", descr);
	mc_string(o, "PayloadDisplayName", p->name);
	mc_string(o, "PayloadIdentifier", ident);
	mc_string(o, "PayloadType", type);
	mc_string(o, "PayloadUUID", uuid);
	mc_int(o, "PayloadVersion", 1);
	xml_close(o);
}

/*
 * Apple's authentication words for a server's list: the first method the
 * profile can express.  OAuth2, GSSAPI and client certificates have no
 * word in com.apple.mail.managed; a server with only those gets
 * EmailAuthPassword, Apple's default (the user types an app password).
 */
static const char *
mc_auth(const struct server *s)
{
	unsigned	i;

	for (i = 0; i < s->auth.n; i++)
		switch (s->auth.a[i]) {
		case AUTH_CLEARTEXT:
			return "EmailAuthPassword";
		case AUTH_ENCRYPTED:
			return "EmailAuthCRAMMD5";
		case AUTH_NTLM:
			return "EmailAuthNTLM";
		case AUTH_NONE:
		case AUTH_CLIENT_IP:
		case AUTH_SMTP_AFTER_POP:
			return "EmailAuthNone";
		default:
			break;
		}
	return "EmailAuthPassword";
}

/* Host name with its template filled; an IPv6 literal without brackets. */
static void
mc_host(struct out *o, const char *key, const char *host, const struct fill *f)
{
	char	v6[DOMAIN_MAX + 1];
	size_t	n = strlen(host);

	mc_key(o, key);
	if (host[0] == '[' && n > 2 && n - 2 < sizeof(v6)) {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		xml_elem(o, "string", v6);
	} else
		xml_elem_fill(o, "string", host, f);
}

/* One side of the account: "Incoming" or "Outgoing". */
static void
mc_server(struct out *o, const char *side, const struct server *s,
    const struct fill *f)
{
	char	k[48];
	size_t	sl = mac_strlcpy(k, side, sizeof(k));

	mac_strlcpy(k + sl, "MailServerAuthentication", sizeof(k) - sl);
	mc_string(o, k, mc_auth(s));
	mac_strlcpy(k + sl, "MailServerHostName", sizeof(k) - sl);
	mc_host(o, k, s->host, f);
	mac_strlcpy(k + sl, "MailServerPortNumber", sizeof(k) - sl);
	mc_int(o, k, s->port);
	/* a boolean for "TLS at all": STARTTLS is true too (automx2 bug) */
	mac_strlcpy(k + sl, "MailServerUseSSL", sizeof(k) - sl);
	mc_bool(o, k, s->sock != SOCK_PLAIN);
	mac_strlcpy(k + sl, "MailServerUsername", sizeof(k) - sl);
	mc_key(o, k);
	xml_elem_fill(o, "string", s->username, f);
}

static void
mc_mail_payload(const struct request *r, const struct provider *p,
    const struct server *in, const struct server *out, struct out *o)
{
	struct fill	f = { r->addr.full, r->addr.local, r->domain };
	char		uuid[MAC_UUID_LEN + 1], ident[DOMAIN_MAX + 64];

	if (!mc_ids(uuid, ident, sizeof(ident), p, r, "mail", false, o))
		return;
	xml_open(o, "dict");
	mc_string(o, "EmailAccountDescription", p->short_name);
	mc_string(o, "EmailAccountType",
	    in->type == SRV_IMAP ? "EmailTypeIMAP" : "EmailTypePOP");
	mc_string(o, "EmailAddress", r->addr.full);
	mc_server(o, "Incoming", in, &f);
	mc_server(o, "Outgoing", out, &f);
	/* one password prompt when both sides log in alike */
	mc_bool(o, "OutgoingPasswordSameAsIncomingPassword",
	    strcmp(in->username, out->username) == 0 &&
	    strcmp(mc_auth(out), "EmailAuthNone") != 0);
	mc_payload_end(o, "E-mail account", p, ident,
	    "com.apple.mail.managed", uuid);
}

/* The two DAV account payloads: their key prefix, role and words. */
static const struct mc_dav {
	const char	*prefix;	/* of every account key */
	const char	*role;		/* in the UUID's name and identifier */
	const char	*type;		/* PayloadType */
	const char	*descr;		/* PayloadDescription */
	size_t		 off;		/* the URL in struct provider */
} mc_davs[] = {
	{ "CalDAV", "caldav", "com.apple.caldav.account", "Calendar account",
	    offsetof(struct provider, caldav) },
	{ "CardDAV", "carddav", "com.apple.carddav.account",
	    "Contacts account", offsetof(struct provider, carddav) },
};

static void
mc_dav_key(struct out *o, const struct mc_dav *d, const char *key)
{
	char	k[48];
	size_t	n = mac_strlcpy(k, d->prefix, sizeof(k));

	mac_strlcpy(k + n, key, sizeof(k) - n);
	mc_key(o, k);
}

/*
 * com.apple.caldav.account / com.apple.carddav.account (Apple's
 * device-management schema): host, port (an integer, as the schema says),
 * TLS and the principal URL from the configured URL, filled for this
 * address; the provider's username filled in; never a password.  A URL
 * that cannot be stated for this address leaves its payload out
 * (--check says so).
 */
static void
mc_dav_payload(const struct request *r, const struct provider *p,
    const struct mc_dav *d, struct out *o)
{
	const char	*url = *(const char *const *)((const char *)p + d->off);
	struct fill	 f = { r->addr.full, r->addr.local, r->domain };
	char		 uuid[MAC_UUID_LEN + 1], ident[DOMAIN_MAX + 64];
	struct davurl	 u;
	const char	*why;

	if (url == NULL || dav_split(&u, url, &f, &why) != 0)
		return;
	if (!mc_ids(uuid, ident, sizeof(ident), p, r, d->role, false, o))
		return;
	xml_open(o, "dict");
	mc_dav_key(o, d, "AccountDescription");
	xml_elem(o, "string", p->short_name);
	mc_dav_key(o, d, "HostName");
	xml_elem(o, "string", u.host);
	mc_dav_key(o, d, "Port");
	xml_elem_uint(o, "integer", u.port);
	mc_dav_key(o, d, "PrincipalURL");
	xml_elem(o, "string", u.url);
	mc_dav_key(o, d, "UseSSL");
	xml_empty(o, u.tls ? "true" : "false");
	mc_dav_key(o, d, "Username");
	xml_elem_fill(o, "string", p->username, &f);
	mc_payload_end(o, d->descr, p, ident, d->type, uuid);
}

/*
 * com.apple.eas.account (Apple's device-management schema, Exchange
 * ActiveSync): the host and TLS of the activesync URL, filled for this
 * address, the address and the login filled in; never a password (the
 * device asks).  The payload names a host, not a URL: a path other than
 * /Microsoft-Server-ActiveSync is lost (--check warns).  A URL that cannot
 * be stated for this address leaves the payload out.
 */
static void
mc_eas_payload(const struct request *r, const struct provider *p,
    struct out *o)
{
	const struct server	*s = p->first[SRV_ACTIVESYNC];
	struct fill		 f = { r->addr.full, r->addr.local, r->domain };
	char			 uuid[MAC_UUID_LEN + 1], ident[DOMAIN_MAX + 64];
	struct davurl		 u;
	const char		*why;

	if (s == NULL || dav_split(&u, s->url, &f, &why) != 0)
		return;
	if (!mc_ids(uuid, ident, sizeof(ident), p, r, "activesync", false, o))
		return;
	xml_open(o, "dict");
	mc_string(o, "EmailAddress", r->addr.full);
	mc_string(o, "Host", u.host);
	mc_key(o, "SSL");
	xml_empty(o, u.tls ? "true" : "false");
	mc_key(o, "UserName");
	xml_elem_fill(o, "string", s->username, &f);
	mc_payload_end(o, "Exchange ActiveSync account", p, ident,
	    "com.apple.eas.account", uuid);
}

static void
mc_plist(const struct request *r, const struct provider *p,
    const struct server *in, const struct server *out, struct out *o)
{
	char	uuid[MAC_UUID_LEN + 1], ident[DOMAIN_MAX + 64];
	size_t	i;

	if (!mc_ids(uuid, ident, sizeof(ident), p, r, "profile", true, o))
		return;
	xml_decl(o);
	out_str(o, "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
	xml_open(o, "plist");
	xml_attr(o, "version", "1.0");
	xml_open(o, "dict");
	mc_key(o, "PayloadContent");
	xml_open(o, "array");
	if (in != NULL && out != NULL)
		mc_mail_payload(r, p, in, out, o);
	for (i = 0; i < sizeof(mc_davs) / sizeof(mc_davs[0]); i++)
		mc_dav_payload(r, p, &mc_davs[i], o);
	mc_eas_payload(r, p, o);
	xml_close(o);
	mc_string(o, "PayloadDescription", in != NULL && out != NULL ?
	    "Mail settings for this address." :
	    "Calendar and contacts settings for this address.");
	mc_string(o, "PayloadDisplayName", p->name);
	mc_string(o, "PayloadIdentifier", ident);
	mc_bool(o, "PayloadRemovalDisallowed", false);
	mc_string(o, "PayloadType", "Configuration");
	mc_string(o, "PayloadUUID", uuid);
	mc_int(o, "PayloadVersion", 1);
	xml_close(o);
	xml_close(o);
}

/* Whether a DAV payload can be stated for this address. */
static bool
mc_dav_any(const struct request *r, const struct provider *p)
{
	struct fill	 f = { r->addr.full, r->addr.local, r->domain };
	struct davurl	 u;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(mc_davs) / sizeof(mc_davs[0]); i++) {
		const char *url = *(const char *const *)((const char *)p +
		    mc_davs[i].off);

		if (url != NULL && dav_split(&u, url, &f, &why) == 0)
			return true;
	}
	return false;
}

/*
 * The profile for r->addr: a mail payload when the provider has an IMAP
 * or POP3 server and an SMTP server (it needs both), a payload for each
 * of caldav and carddav.  200; 404 when there is no payload at all; 500
 * when signing fails.  Signed when the config has a signer.
 */
int
mc_render(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	/* the first IMAP server, else the first POP3 server */
	const struct server	*in = p->first[SRV_IMAP] != NULL ?
				    p->first[SRV_IMAP] : p->first[SRV_POP3];
	const struct server	*out = p->first[SRV_SMTP];
	struct out		 plain;

	if ((in == NULL || out == NULL) && !mc_dav_any(r, p) &&
	    p->first[SRV_ACTIVESYNC] == NULL)
		return 404;
	if (cf->mc_signer == NULL) {
		mc_plist(r, p, in, out, o);
		return 200;
	}
	out_init(&plain, mc_plain, sizeof(mc_plain));
	mc_plist(r, p, in, out, &plain);
	if (plain.err) {
		o->err = true;
		return 200;
	}
	if (mc_sign(cf->mc_signer, plain.buf, plain.len, o, NULL, 0) != 0)
		return 500;
	return 200;
}

/*
 * Without an address: a page with a form that asks for it and comes back
 * to this path with ?emailaddress=.  It is shown whatever the Host: a
 * hoster's autoconfig.hoster.example serves customer domains it does not
 * list itself, and the address typed decides the provider.  p: the
 * provider of the Host's domain, for its name, or NULL.  The domain from
 * Host is only a placeholder hint, escaped like every other byte of the
 * request.
 */
int
mc_page(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	const char	*name = p != NULL ? p->name : "Mail settings";
	const char	*dom = r->domain[0] != '\0' ? r->domain : "example.com";

	(void)cf;
	out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	if (p != NULL)
		out_str(o, "Mail settings: ");
	out_text(o, name, strlen(name));
	out_str(o, "</title>\n<style>\n"
	    "body{font-family:system-ui,sans-serif;margin:0;padding:2rem 1rem;"
	    "background:#f4f5f7;color:#1d1d1f}\n"
	    "main{max-width:28rem;margin:auto;background:#fff;padding:1.5rem;"
	    "border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.15)}\n"
	    "h1{font-size:1.4rem;margin:0 0 .75rem}\n"
	    "label{display:block;font-weight:600;margin:1rem 0 .3rem}\n"
	    "input,button{font:inherit;width:100%;box-sizing:border-box;"
	    "padding:.6rem;border-radius:.4rem}\n"
	    "input{border:1px solid #888}\n"
	    "button{margin-top:1rem;border:0;background:#0a66d8;color:#fff;"
	    "cursor:pointer}\n"
	    "</style>\n</head>\n<body>\n<main>\n<h1>");
	out_text(o, name, strlen(name));
	out_str(o, "</h1>\n<p>Enter your e-mail address to download a "
	    "configuration profile that sets up Mail on your iPhone, iPad or "
	    "Mac. The profile holds no password: you type it when you install "
	    "the profile.</p>\n<form method=\"get\">\n"
	    "<label for=\"emailaddress\">E-mail address</label>\n"
	    "<input id=\"emailaddress\" name=\"emailaddress\" type=\"email\" "
	    "required autocomplete=\"email\" autofocus placeholder=\"name@");
	out_text(o, dom, strlen(dom));
	out_str(o, "\">\n<button type=\"submit\">Download profile</button>\n"
	    "</form>\n</main>\n</body>\n</html>\n");
	return 200;
}
