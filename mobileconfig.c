/*
 * mobileconfig.c: Apple configuration profiles (SPEC §6), and the page
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
 * again replaces it (SPEC §6).
 */
static void
mc_uuid(char *dst, const struct provider *p,
    const struct request *r, const char *role)
{
	char		name[DOMAIN_MAX + ADDR_MAX + 32];
	struct out	n;

	out_init(&n, name, sizeof(name));
	out_str(&n, p->mc_identifier);
	out_str(&n, "\n");
	out_str(&n, r->addr.full);
	out_str(&n, "\n");
	out_str(&n, role);
	mac_uuid5(dst, MC_NS, name, n.err ? 0 : n.len);
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

	mc_uuid(uuid, p, r, "mail");
	if (mac_strlcpy(ident, p->mc_identifier, sizeof(ident)) >=
	    sizeof(ident) - MAC_UUID_LEN - 16) {
		o->err = true;
		return;
	}
	mac_strlcpy(ident + strlen(ident), ".mail.", 7);
	mac_strlcpy(ident + strlen(ident), uuid, MAC_UUID_LEN + 1);
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
	mc_string(o, "PayloadDescription", "E-mail account");
	mc_string(o, "PayloadDisplayName", p->name);
	mc_string(o, "PayloadIdentifier", ident);
	mc_string(o, "PayloadType", "com.apple.mail.managed");
	mc_string(o, "PayloadUUID", uuid);
	mc_int(o, "PayloadVersion", 1);
	xml_close(o);
}

static void
mc_plist(const struct request *r, const struct provider *p,
    const struct server *in, const struct server *out, struct out *o)
{
	char	uuid[MAC_UUID_LEN + 1], ident[DOMAIN_MAX + 64];

	mc_uuid(uuid, p, r, "profile");
	if (mac_strlcpy(ident, p->mc_identifier, sizeof(ident)) >=
	    sizeof(ident) - MAC_UUID_LEN - 16) {
		o->err = true;
		return;
	}
	mac_strlcpy(ident + strlen(ident), ".", 2);
	mac_strlcpy(ident + strlen(ident), uuid, MAC_UUID_LEN + 1);
	xml_decl(o);
	out_str(o, "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	    "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
	xml_open(o, "plist");
	xml_attr(o, "version", "1.0");
	xml_open(o, "dict");
	mc_key(o, "PayloadContent");
	xml_open(o, "array");
	mc_mail_payload(r, p, in, out, o);
	xml_close(o);
	mc_string(o, "PayloadDescription", "Mail settings for this address.");
	mc_string(o, "PayloadDisplayName", p->name);
	mc_string(o, "PayloadIdentifier", ident);
	mc_bool(o, "PayloadRemovalDisallowed", false);
	mc_string(o, "PayloadType", "Configuration");
	mc_string(o, "PayloadUUID", uuid);
	mc_int(o, "PayloadVersion", 1);
	xml_close(o);
	xml_close(o);
}

/*
 * The profile for r->addr: 200, 404 when the provider has no IMAP or POP3
 * server or no SMTP server (a mail payload needs both), 500 when signing
 * fails.  Signed when the config has a signer.
 */
int
mc_render(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	/* the first IMAP server, else the first POP3 server */
	const struct server	*in = p->first[SRV_IMAP] != NULL ?
				    p->first[SRV_IMAP] : p->first[SRV_POP3];
	struct out		 plain;

	if (in == NULL || p->first[SRV_SMTP] == NULL)
		return 404;
	if (cf->mc_signer == NULL) {
		mc_plist(r, p, in, p->first[SRV_SMTP], o);
		return 200;
	}
	out_init(&plain, mc_plain, sizeof(mc_plain));
	mc_plist(r, p, in, p->first[SRV_SMTP], &plain);
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
 * to this path with ?emailaddress=.  The domain from Host is only a
 * placeholder hint, escaped like every other byte of the request.
 */
int
mc_page(const struct request *r, const struct config *cf,
    const struct provider *p, struct out *o)
{
	(void)cf;
	out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>Mail settings: ");
	out_text(o, p->name, strlen(p->name));
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
	out_text(o, p->name, strlen(p->name));
	out_str(o, "</h1>\n<p>Enter your e-mail address to download a "
	    "configuration profile that sets up Mail on your iPhone, iPad or "
	    "Mac. The profile holds no password: you type it when you install "
	    "the profile.</p>\n<form method=\"get\">\n"
	    "<label for=\"emailaddress\">E-mail address</label>\n"
	    "<input id=\"emailaddress\" name=\"emailaddress\" type=\"email\" "
	    "required autocomplete=\"email\" autofocus placeholder=\"name@");
	out_text(o, r->domain, strlen(r->domain));
	out_str(o, "\">\n<button type=\"submit\">Download profile</button>\n"
	    "</form>\n</main>\n</body>\n</html>\n");
	return 200;
}
