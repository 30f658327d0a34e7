/*
 * unit.c: the one C unit runner: table-driven tests of the parsers, the
 * tables and the escaper here, and those of the client formats in
 * unit-clients.c, which it includes so that all count in one closing
 * line.  Ends with "N passed, N failed" and exits 1 on any failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

#include "expect.h"


/* a string with its NUL, for building test input */
static void
mcpy(char *dst, const char *src)
{
	memcpy(dst, src, strlen(src) + 1);
}


/* ---- percent-decoding ----------------------------------------------- */

static void
test_urldecode(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: rejected */
	} t[] = {
		{ "jane%40example.com", "jane@example.com" },
		{ "a+b", "a+b" },
		{ "%41%62", "Ab" },
		{ "", "" },
		{ "%", NULL },
		{ "%4", NULL },
		{ "%4g", NULL },
		{ "%00", NULL },
		{ "a%00b", NULL },
		{ "%zz", NULL },
		{ "100%", NULL },
		{ "%C3%A9", "\xc3\xa9" },
	};
	char	buf[64];
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ssize_t n = req_urldecode(buf, sizeof(buf), t[i].in,
		    strlen(t[i].in));

		if (t[i].out == NULL)
			expect(n < 0, "urldecode '%s' should fail", t[i].in);
		else
			expect(n >= 0 && strcmp(buf, t[i].out) == 0,
			    "urldecode '%s'", t[i].in);
	}
	/* the NUL must fit: 3 bytes into a 3-byte buffer fails */
	expect(req_urldecode(buf, 3, "abc", 3) < 0, "urldecode leaves room "
	    "for the NUL");
	expect(req_urldecode(buf, 4, "abc", 3) == 3, "urldecode exact fit");
}

/* ---- query strings ---------------------------------------------------- */

static void
test_query(void)
{
	static const struct {
		enum endpoint	 ep;
		const char	*q;
		int		 status;
		const char	*addr;
	} t[] = {
		{ EP_AUTOCONFIG, "emailaddress=jane%40example.com", 0,
		    "jane@example.com" },
		{ EP_AUTOCONFIG, "EmailAddress=a%40b.c", 0, "a@b.c" },
		{ EP_AUTOCONFIG, "email=a%40b.c", 0, "a@b.c" },
		{ EP_AUTOCONFIG, "emailaddress=EVOLUTIONUSER%40example.com&"
		    "emailmd5=0123abcd", 0, "EVOLUTIONUSER@example.com" },
		{ EP_AUTOCONFIG, "", 0, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%40b.c&emailaddress=x%40y.z",
		    400, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%40b.c&email=x%40y.z", 400,
		    NULL },
		{ EP_AUTOCONFIG, "emailaddress", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%40b.c&", 400, NULL },
		{ EP_AUTOCONFIG, "&emailaddress=a%40b.c", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%40b.c&&x=1", 400, NULL },
		{ EP_AUTOCONFIG, "foo=bar", 400, NULL },
		/* a prefix of a key is not the key (bgplgd's n= bug) */
		{ EP_AUTOCONFIG, "e=a%40b.c", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddres=a%40b.c", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddressx=a%40b.c", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%00%40b.c", 400, NULL },
		{ EP_AUTOCONFIG, "emailaddress=a%4", 400, NULL },
		{ EP_AUTOCONFIG, "protocol=x", 400, NULL },
		{ EP_JSON, "Email=a%40b.c&Protocol=AutodiscoverV1&"
		    "RedirectCount=1", 0, "a@b.c" },
		{ EP_JSON, "Protocol=a&protocol=b", 400, NULL },
		{ EP_JSON, "emailmd5=x", 400, NULL },
	};
	static struct request r;
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int st;

		memset(&r, 0, offsetof(struct request, body));
		r.ep = t[i].ep;
		st = req_query(&r, t[i].q, strlen(t[i].q));
		expect(st == t[i].status, "query '%s': status %d, want %d",
		    t[i].q, st, t[i].status);
		if (st == 0 && t[i].addr != NULL)
			expect(r.has_qaddr && strcmp(r.qaddr, t[i].addr) == 0,
			    "query '%s': address '%s'", t[i].q, r.qaddr);
		if (st == 0 && t[i].addr == NULL)
			expect(!r.has_qaddr, "query '%s': no address", t[i].q);
		if (st != 0)
			expect(r.why != NULL, "query '%s': a reason", t[i].q);
	}
}

/* ---- addresses -------------------------------------------------------- */

/* long: most of it is the table of cases */
static void
test_address(void)
{
	static const struct {
		const char	*in;
		const char	*domain;	/* NULL: 400 */
	} t[] = {
		{ "jane@example.com", "example.com" },
		{ "Jane.Doe@Example.COM.", "example.com" },
		{ "jane+tag@mail.example.com", "mail.example.com" },
		{ "a!#$%&'*+-/=?^_`{|}~b@example.com", "example.com" },
		{ "j\xc3\xa1ne@example.com", "example.com" },
		{ "EVOLUTIONUSER@example.com", "example.com" },
		{ "x@localhost", "localhost" },
		{ "x@xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "", NULL },
		{ "jane", NULL },
		{ "@example.com", NULL },
		{ "jane@", NULL },
		{ "jane@@example.com", NULL },
		{ "ja@ne@example.com", NULL },
		{ ".jane@example.com", NULL },
		{ "jane.@example.com", NULL },
		{ "ja..ne@example.com", NULL },
		{ "\"jane\"@example.com", NULL },
		{ "ja ne@example.com", NULL },
		{ "ja<ne@example.com", NULL },
		{ "jane\r\nX: y@example.com", NULL },
		{ "ja\x01ne@example.com", NULL },
		{ "ja\xc2\x85ne@example.com", NULL },
		{ "ja\xffne@example.com", NULL },
		{ "ja\xc3ne@example.com", NULL },
		/* not XML characters: the answer could not hold them */
		{ "ja\xef\xbf\xbene@example.com", NULL },
		{ "ja\xef\xbf\xbfne@example.com", NULL },
		{ "ja\xef\xb7\x90ne@example.com", NULL },
		{ "ja\xf0\x9f\xbf\xbfne@example.com", NULL },
		{ "ja\xed\xa0\x80ne@example.com", NULL },
		{ "jane@exa\xef\xbf\xbfmple.com", NULL },
		{ "j\xef\xbf\xbdne@example.com", "example.com" },
		{ "jane@[127.0.0.1]", NULL },
		{ "jane@127.0.0.1", NULL },
		{ "jane@exa_mple.com", NULL },
		{ "jane@-example.com", NULL },
		{ "jane@example-.com", NULL },
		{ "jane@example..com", NULL },
		{ "jane@.example.com", NULL },
		{ "jane@example.com..", NULL },
		{ "jane@exa<mple.com", NULL },
	};
	struct address	 a;
	const char	*why;
	size_t		 i;
	char		 big[400], msg[64];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int st = req_address(&a, t[i].in, strlen(t[i].in), &why);

		if (t[i].domain == NULL)
			expect(st == 400, "address '%s' should be 400", t[i].in);
		else
			expect(st == 0 && strcmp(a.domain, t[i].domain) == 0,
			    "address '%s': %s", t[i].in,
			    st == 0 ? a.domain : why);
	}
	/* 64-byte local part passes, 65 fails */
	memset(big, 'a', 65);
	memcpy(big + 64, "@example.com", 13);
	expect(req_address(&a, big, strlen(big), &why) == 0, "local part 64");
	memset(big, 'a', 65);
	memcpy(big + 65, "@example.com", 13);
	expect(req_address(&a, big, strlen(big), &why) == 400, "local part 65");
	/* the messages quote bounds.h's limits */
	snprintf(msg, sizeof(msg), "local part longer than %d bytes", LOCAL_MAX);
	expect(strcmp(why, msg) == 0, "local part 65: '%s'", why);
	/* a 63-byte label passes, 64 fails */
	memcpy(big, "a@", 2);
	memset(big + 2, 'b', 64);
	memcpy(big + 66, ".com", 5);
	expect(req_address(&a, big, strlen(big), &why) == 400, "label 64");
	memcpy(big + 65, ".com", 5);
	expect(req_address(&a, big, strlen(big), &why) == 0, "label 63");
	/* 255 bytes in all fails */
	memset(big, 'c', sizeof(big));
	memcpy(big, "a@", 2);
	for (i = 63 + 2; i < 255; i += 64)
		big[i] = '.';
	big[255] = '\0';
	expect(req_address(&a, big, 255, &why) == 400, "address of 255 bytes");
	snprintf(msg, sizeof(msg), "address longer than %d bytes", ADDR_MAX);
	expect(strcmp(why, msg) == 0, "address of 255 bytes: '%s'", why);
}

/* ---- Host headers ------------------------------------------------------ */

/* The service prefixes come off a Host, the server's and the probe's. */
static void
test_svc_domain(void)
{
	static const char *const t[][2] = {
		{ "autoconfig.example.com", "example.com" },
		{ "autodiscover.example.com", "example.com" },
		{ "ua-auto-config.example.com", "example.com" },
		{ "autoconfig.", "autoconfig." },
		{ "mail.example.com", "mail.example.com" },
		{ "autoconfigexample.com", "autoconfigexample.com" },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect(strcmp(req_svc_domain(t[i][0]), t[i][1]) == 0,
		    "service domain of '%s': want '%s', got '%s'", t[i][0],
		    t[i][1], req_svc_domain(t[i][0]));
}

static void
test_host(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: 400 */
	} t[] = {
		{ "autoconfig.example.com", "autoconfig.example.com" },
		{ "Autodiscover.Example.COM:443", "autodiscover.example.com" },
		{ "example.com.", "example.com" },
		{ "", NULL },
		{ "127.0.0.1", NULL },
		{ "[::1]:80", NULL },
		{ "example.com:", NULL },
		{ "example.com:99999", NULL },
		{ "exa mple.com", NULL },
		{ "example.com\r\nX: y", NULL },
		{ "ex<a>mple.com", NULL },
	};
	char		 h[DOMAIN_MAX + 1];
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int st = req_host(h, t[i].in, &why);

		if (t[i].out == NULL)
			expect(st == 400, "host '%s' should be 400", t[i].in);
		else
			expect(st == 0 && strcmp(h, t[i].out) == 0,
			    "host '%s'", t[i].in);
	}
	test_svc_domain();
}

/* ---- the escaper ------------------------------------------------------ */

/* The printable filter: every byte, in place and cut to the room. */
static void
test_printable(void)
{
	char	in[256], out[257], d[8];
	size_t	i, n;

	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	n = mac_printable(out, sizeof(out), in, sizeof(in));
	expect(n == 256 && out[256] == '\0', "printable: all 256 bytes");
	for (i = 0; i < 256; i++)
		expect(out[i] == (i >= 0x20 && i < 0x7f ? (char)i : '?'),
		    "printable: byte 0x%02zx", i);
	memcpy(d, "a\nb\x80" "c", 6);
	expect(mac_printable(d, 4, d, 5) == 3 && strcmp(d, "a?b") == 0,
	    "printable: in place, cut to the room: '%s'", d);
}

static void
test_escape(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} t[] = {
		{ "plain", "plain" },
		{ "a&b", "a&amp;b" },
		{ "<x>", "&lt;x&gt;" },
		{ "\"'", "&quot;&apos;" },
		{ "&amp;", "&amp;amp;" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "tab\there", "tab\there" },
		{ "", "" },
		{ "a\nb", NULL },
		{ "a\rb", NULL },
		{ "\x01", NULL },
		{ "\x7f", NULL },
		{ "\xc2\x80", NULL },
		{ "\xc3", NULL },
		{ "\xe0\x80\x80", NULL },
		{ "\xed\xa0\x80", NULL },
		{ "\xf4\x90\x80\x80", NULL },
		{ "\xc0\xaf", NULL },
		{ "\xff", NULL },
		/* XML 1.0 §2.2: noncharacters are no Char either */
		{ "\xef\xbf\xbe", NULL },		/* U+FFFE */
		{ "\xef\xbf\xbf", NULL },		/* U+FFFF */
		{ "\xef\xb7\x90", NULL },		/* U+FDD0 */
		{ "\xef\xb7\xaf", NULL },		/* U+FDEF */
		{ "\xf0\x9f\xbf\xbe", NULL },	/* U+1FFFE */
		{ "\xf4\x8f\xbf\xbf", NULL },	/* U+10FFFF */
		{ "\xc2\x9f", NULL },		/* U+009F, C1 */
		{ "a\xc2\x85" "b", NULL },		/* U+0085, NEL */
		{ "\xef\xb7\x8f", "\xef\xb7\x8f" },	/* U+FDCF */
		{ "\xef\xb7\xb0", "\xef\xb7\xb0" },	/* U+FDF0 */
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },	/* U+FFFD */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* U+1F600 */
		{ "\xc2\xa0", "\xc2\xa0" },		/* U+00A0 */
	};
	char	buf[64];
	size_t	i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok = xml_escape(buf, sizeof(buf), t[i].in,
		    strlen(t[i].in), &n);

		if (t[i].out == NULL)
			expect(!ok, "escape refuses %zu", i);
		else
			expect(ok && n == strlen(t[i].out) &&
			    memcmp(buf, t[i].out, n) == 0, "escape %zu", i);
	}
	/* fails closed when the output does not fit */
	expect(!xml_escape(buf, 4, "&", 1, &n), "escape overflow");
	expect(xml_escape(buf, 5, "&", 1, &n) && n == 5 - 0, "escape fits");
}

/* ---- the writer: overflow turns into an error, never a cut document ---- */

static void
test_writer(void)
{
	char		buf[64];
	struct out	o;

	out_init(&o, buf, sizeof(buf));
	xml_open(&o, "a");
	xml_elem(&o, "b", "x<y");
	xml_close(&o);
	expect(!o.err && o.len == strlen("<a>\n  <b>x&lt;y</b>\n</a>\n") &&
	    memcmp(buf, "<a>\n  <b>x&lt;y</b>\n</a>\n", o.len) == 0,
	    "writer output");
	out_init(&o, buf, 16);
	xml_open(&o, "a");
	xml_elem(&o, "b", "0123456789abcdef");
	xml_close(&o);
	expect(o.err, "writer overflow is an error");
	out_init(&o, buf, sizeof(buf));
	xml_close(&o);
	expect(o.err, "writer close without open");
	out_init(&o, buf, sizeof(buf));
	xml_elem(&o, "b", "bad\x01");
	expect(o.err, "writer refuses control bytes");
}

/* ---- the INI loader ---------------------------------------------------- */

static struct config *
load(const char *ini, int *errors, int *warns)
{
	struct diag	 d = { NULL, true, 0, 0 };
	struct config	*cf;

	cf = prov_load_mem(ini, strlen(ini), "t.ini", &d);
	*errors = d.errors;
	if (warns != NULL)
		*warns = d.warns;
	return cf;
}

static const char GOOD[] =
    "[example.com]\n"
    "imap = mail.example.com\n"
    "smtp = mail.example.com:587 starttls\n";

/* long: most of it is the table of cases */
static void
test_ini_errors(void)
{
	static const struct {
		const char	*ini;
		const char	*what;
	} bad[] = {
		{ "[a.com]\nimapp = x\n", "unknown key" },
		{ "foo = 1\n", "unknown global key" },
		{ "[a.com]\nimap = x:0\n", "port 0" },
		{ "[a.com]\nimap = x:65536\n", "port 65536" },
		{ "[a.com]\nimap = x:99a\n", "port not a number" },
		{ "[a.com]\nimap = x tls\n", "bad socket word" },
		{ "[a.com]\nimap = x ssl foo=bar\n", "unknown option" },
		{ "[a.com]\nimap = x ssl restriction=client-IP-address\n",
		    "smtp-only option on imap" },
		{ "[a.com]\npop3 = x ssl check_interval=0\n", "interval 0" },
		{ "[a.com]\nsmtp = x add_this_server=yes\n", "bool yes" },
		{ "[a.com]\nauth = password-clear\n", "unknown auth" },
		{ "[a.com]\nusername = %EMAIL%\n", "unknown placeholder" },
		{ "[a.com]\nname = a\nname = b\n", "name twice" },
		{ "[a.com]\ndomains = a..com\n", "bad domain" },
		{ "[a.com]\n[b.com]\ndomains = a.com\n", "domain twice" },
		{ "[a.com]\ndomains = x.com\n[b.com]\ndomains = X.com.\n",
		    "domain twice, case and dot" },
		{ "[a.com]\n[a.com]\n", "section twice" },
		{ "catch_all = nope\n[a.com]\n", "catch_all unknown" },
		{ "cache_max_age = -1\n", "negative age" },
		{ "cache_max_age = 1\ncache_max_age = 2\n", "global twice" },
		{ "[a.com]\ndocumentation.descr = x\n", "descr before doc" },
		{ "[a.com]\ndocumentation = ftp://x\n", "non-http URL" },
		{ "[a.com]\nwebmail = https://a b\n", "URL with space" },
		{ "[a.com]\noauth2.issuer = a.com\n", "oauth2 partial" },
		{ "[a.com]\nimap = x\n  y\n", "continued server line" },
		{ "[a.com]\nthis is not a pair\n", "line without =" },
		{ "[a.com\n", "section without ]" },
		{ "[]\n", "empty section name" },
		{ "[a b]\n", "section name with space" },
		/* the default display name: XML characters only */
		{ "[a\xc2\x85" "b]\ndomains = a.com\nimap = x.a.com\n",
		    "section name with a C1 control" },
		{ "[a\xef\xbf\xbe" "b]\ndomains = a.com\nimap = x.a.com\n",
		    "section name with U+FFFE" },
		{ "[not_a_domain]\nimap = x\n", "id not a domain, no domains" },
		{ "[a.com]\nimap = ex ample.com\n", "host with space: 2 words" },
		{ "[a.com]\nimap = [zz::1]\n", "bad v6" },
		{ "[a.com]\nautodiscover.redirect = x\n", "redirect without @" },
		{ "[a.com]\nname = a\x01" "b\n", "control byte" },
		{ "[a.com]\nname = a\xff" "b\n", "invalid UTF-8" },
		{ "web_host = -x.com\n", "bad web_host" },
		{ "[a.com]\news = https://user@x.com/\n", "URL with a user" },
		{ "[a.com]\nowa = https://x.com:0/\n", "URL port 0" },
		{ "[a.com]\ngraph = https://x_y.com/\n", "URL bad host" },
		/* a host holds %EMAILDOMAIN% only (the placeholder table) */
		{ "[a.com]\nimap = %EMAILLOCALPART%.a.com\n", "host %EMAILLOCALPART%" },
		{ "[a.com]\nimap = %EMAILADDRESS%\n", "host %EMAILADDRESS%" },
		{ "[a.com]\nsmtp = mail.%FOO%.com\n", "host %FOO%" },
		{ "[a.com]\nsmtp = mail.%EMAILDOMAIN\n", "host with a lone %" },
		{ "[a.com]\news = https://%EMAILLOCALPART%.a.com/\n",
		    "URL host %EMAILLOCALPART%" },
		{ "[a.com]\noauth2.issuer = %EMAILLOCALPART%.a.com\n",
		    "issuer %EMAILLOCALPART%" },
		{ "[a.com]\nusername = %EMAILDOMAINX%\n", "username %EMAILDOMAINX%" },
		{ "[a.com]\nname = a\xef\xbf\xbf" "b\n", "name with U+FFFF" },
		{ "[a.com]\ndocumentation = https://a.com/\n"
		    "documentation.descr.d\x01 = x\n", "language tag with a control" },
		{ "[a.com]\ndocumentation = https://a.com/\n"
		    "documentation.descr. = x\n", "empty language tag" },
		/* activesync, jmap: https only, no user, one line each */
		{ "[a.com]\nactivesync = http://s.a.com/Microsoft-Server-"
		    "ActiveSync\n", "activesync http:" },
		{ "[a.com]\njmap = http://j.a.com/jmap/session\n", "jmap http:" },
		/* found by fuzz_ini: a line that fails left a server without URL */
		{ "[a.com]\nactivesync = ftp://s.a.com/\n", "activesync ftp:" },
		{ "[a.com]\nactivesync = https://u:p@s.a.com/\n",
		    "activesync with credentials" },
		{ "[a.com]\njmap = https://u@j.a.com/\n", "jmap with a user" },
		{ "[a.com]\njmap = https://j.a.com/a\x01b\n", "jmap control byte" },
		{ "[a.com]\nactivesync = https://s.a.com/\r\n/x\n",
		    "activesync with CR" },
		{ "[a.com]\nactivesync = https://s.a.com/\n"
		    "activesync = https://t.a.com/\n", "activesync twice" },
		{ "[a.com]\njmap = https://%EMAILLOCALPART%.a.com/\n",
		    "jmap host %EMAILLOCALPART%" },
		{ "[a.com]\nactivesync = https://s.a.com/ leave_messages_on_"
		    "server=true\n", "pop3 option on activesync" },
		/* oauth2 for public clients: an exact https issuer, no secret */
		{ "[a.com]\noauth2.issuer_url = http://login.a.com\n",
		    "issuer_url http:" },
		{ "[a.com]\noauth2.issuer_url = https://login.a.com/?x=1\n",
		    "issuer_url with a query" },
		{ "[a.com]\noauth2.issuer_url = https://login.a.com/#f\n",
		    "issuer_url with a fragment" },
		{ "[a.com]\noauth2.issuer_url = https://u@login.a.com/\n",
		    "issuer_url with a user" },
		{ "[a.com]\noauth2.issuer_url = https://%EMAILDOMAIN%/\n",
		    "issuer_url with a placeholder" },
		{ "[a.com]\noauth2.issuer_url = https://a\x7f.com/\n",
		    "issuer_url with DEL" },
		{ "[a.com]\noauth2.client_secret = s3cret\n", "client_secret" },
		{ "[a.com]\noauth2.client_id = a b\n", "client_id with space" },
		{ "[a.com]\noauth2.client_id = a<b\n", "client_id with markup" },
		{ "[a.com]\nimap = i.a.com\nsmtp = s.a.com\n"
		    "oauth2.client_id = x\n", "client_id without oauth2" },
	};
	int		 e;
	size_t		 i;
	struct config	*cf;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cf = load(bad[i].ini, &e, NULL);
		expect(cf == NULL && e > 0, "ini rejects: %s", bad[i].what);
		prov_free(cf);
	}
	cf = load(GOOD, &e, NULL);
	expect(cf != NULL && e == 0, "ini: the good file loads");
	prov_free(cf);
}

/* The message of a load error, with its file:line, printable only. */
static void
test_ini_messages(void)
{
	static const struct {
		const char	*ini;
		const char	*want;
	} t[] = {
		{ "[a.com]\nsmtp = x.a.com\nimap = %EMAILLOCALPART%.a.com\n",
		    "t.ini:3: bad server host name: a host name may hold no "
		    "placeholder but %EMAILDOMAIN%\n" },
		{ "[a.com]\nimap = %FOO%\n", "t.ini:2: bad server host name: "
		    "a host name may hold no placeholder but %EMAILDOMAIN%\n" },
		{ "[a\xc3\xa9" "b]\n[a\xc3\xa9" "b]\n",
		    "t.ini:2: section [a??b] repeated (first on line 1)\n" },
		{ "[a.com]\ndocumentation = https://a.com/\n"
		    "documentation.descr.\xc3\xa9 = x\n",
		    "t.ini:3: bad language tag in '?" "?'\n" },
		{ "[a.com]\nimap = i.a.com\njmap = http://j.a.com/\n",
		    "t.ini:3: 'jmap' must be an https:// URL\n" },
		{ "[a.com]\n\noauth2.client_secret = x\n",
		    "t.ini:3: oauth2.client_secret is refused: every answer is "
		    "public, so a published secret is no secret" },
		{ "[a.com]\noauth2.issuer_url = https://l.a.com/?a\n",
		    "t.ini:2: oauth2.issuer_url must be an https:// URL" },
		/* an empty or cut file: no provider is an error */
		{ "", "t.ini: no provider section (an empty or cut file?)\n" },
		{ "; only a comment\ncache_max_age = 60\n",
		    "t.ini: no provider section" },
		/* a second claim: at its domains line, naming the first */
		{ "[a.com]\nimap = i\nsmtp = s\n[b.com]\nimap = i\n"
		    "smtp = s\ndomains = b.com\ndomains = a.com\n",
		    "t.ini:8: domain a.com is served by [a.com] (line 1) "
		    "already\n" },
		{ "[a.com]\ninclude = x.ini\n",
		    "t.ini:2: 'include' goes before the first section\n" },
		{ "reload_max_drop = 101\n[a.com]\n",
		    "t.ini:1: 'reload_max_drop' must be a number from 0 to 100\n" },
	};
	char		*buf;
	size_t		 len, i;
	FILE		*fp;
	struct diag	 d;
	struct config	*cf;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf = NULL;
		if ((fp = open_memstream(&buf, &len)) == NULL)
			continue;
		d = (struct diag){ fp, false, 0, 0 };
		cf = prov_load_mem(t[i].ini, strlen(t[i].ini), "t.ini", &d);
		fclose(fp);
		expect(cf == NULL && buf != NULL && strstr(buf, t[i].want) !=
		    NULL, "load message %zu: got '%s'", i, buf);
		prov_free(cf);
		free(buf);
	}
}

/* --import's messages quote imported values as printable ASCII only. */
static void
test_import_messages(void)
{
	static const char xml[] =
	    "<clientConfig><emailProvider id=\"a.example\">"
	    "<incomingServer type=\"im\xc2\x85" "ap\"/>"
	    "</emailProvider></clientConfig>";
	char	*buf = NULL;
	size_t	 len = 0, i;
	FILE	*fp;
	int	 rc, bad = 0;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	rc = imp_mem(xml, sizeof(xml) - 1, "u.xml", NULL, fp);
	fclose(fp);
	for (i = 0; i < len; i++)
		bad += (buf[i] < 0x20 && buf[i] != '\n') || buf[i] >= 0x7f;
	expect(rc != 0 && buf != NULL && strstr(buf, "type 'im??ap'") != NULL,
	    "import: the type quoted, filtered ('%s')", buf);
	expect(bad == 0, "import: messages printable");
	free(buf);
}

/* The tables hold together: what every reader of them relies on. */
static void
test_key_table(void)
{
	const struct cfg_key	*k, *f;
	const char		*lang;
	size_t			 i, j, n;

	for (i = 0; i < cfg_nkeys; i++) {
		k = &cfg_keys[i];
		f = cfg_key_find(k->scope, k->name, strlen(k->name), &lang);
		expect(f == k && lang == NULL, "key %s: found as itself",
		    k->name);
		expect(k->parse != NULL, "key %s: a parser", k->name);
		expect((k->scope == CFG_SERVER) == (k->types != 0),
		    "key %s: server types exactly for server options", k->name);
		expect(k->scope != CFG_SERVER || (k->join == INI_JOIN_NONE &&
		    !(k->flags & (CFG_REPEAT | CFG_LANG))), "key %s: a server "
		    "option is one word", k->name);
		for (j = 0, n = 0; j < i; j++)
			n += cfg_keys[j].scope == k->scope &&
			    strcmp(cfg_keys[j].name, k->name) == 0;
		expect(n == 0, "key %s: once in its scope", k->name);
	}
	f = cfg_key_find(CFG_PROVIDER, "enable.instruction.de", 21, &lang);
	expect(f != NULL && strcmp(f->name, "enable.instruction") == 0 &&
	    lang != NULL && strcmp(lang, "de") == 0, "key with a language");
	expect(cfg_key_find(CFG_PROVIDER, "enable.x", 8, &lang) == NULL,
	    "no language on a key without one");
	expect(cfg_key_join("documentation.descr.de") == INI_JOIN_SPACE &&
	    cfg_key_join("webmail") == INI_JOIN_CONCAT &&
	    cfg_key_join("imap") == INI_JOIN_NONE &&
	    cfg_key_join("nope") == INI_JOIN_NONE, "joins");
}

static void
test_endpoint_table(void)
{
	size_t	n;
	int	e;

	/* every endpoint: a name, a way in, methods, a handler, a type */
	for (e = 0; (size_t)e < nendpoints; e++) {
		const struct endpoint_def *ep = &endpoints[e];

		expect(ep->name != NULL && ep->answer != NULL &&
		    ep->ctype != NULL, "endpoint %d: name, handler, type", e);
		expect(ep->paths[0] != NULL || ep->addr_prefix != NULL,
		    "endpoint %d: a path", e);
		/* any method (RFC 6764's redirects) only without a body */
		expect((ep->methods & MB(M_GET)) &&
		    (!(ep->methods & MB(M_OTHER)) || ep->no_body),
		    "endpoint %d: methods", e);
		for (n = 0; ep->paths[n] != NULL; n++)
			expect(ep->paths[n][0] == '/', "endpoint %d path %zu",
			    e, n);
	}
}

/* A host filled for pacc.c and dns.c: exactly what fits, nothing else. */
static void
test_ph_host(void)
{
	char	b[16];

	expect(ph_host(b, sizeof(b), "mx.%EMAILDOMAIN%", "a.org") &&
	    strcmp(b, "mx.a.org") == 0, "ph_host fills the domain");
	expect(ph_host(b, sizeof(b), "[::1]", "a.org") &&
	    strcmp(b, "[::1]") == 0, "ph_host copies a literal");
	expect(ph_host(b, 9, "mx.%EMAILDOMAIN%", "a.org"),
	    "ph_host: 8 bytes and the NUL fit 9");
	expect(!ph_host(b, 8, "mx.%EMAILDOMAIN%", "a.org"),
	    "ph_host: one byte short is refused");
	expect(!ph_host(b, 0, "", "a.org"), "ph_host: no room at all");
	expect(!ph_host(b, sizeof(b), "%EMAILLOCALPART%.a", "a.org") &&
	    !ph_host(b, sizeof(b), "%EMAILADDRESS%", "a.org") &&
	    !ph_host(b, sizeof(b), "a%b", "a.org"),
	    "ph_host: no placeholder from the address, no stray '%%'");
}

static void
test_placeholder_table(void)
{
	size_t	i, n;
	int	e;

	/* every placeholder is "%NAME%"; a host takes %EMAILDOMAIN% only */
	for (i = 0; i < nplaceholders; i++) {
		const struct placeholder *ph = &placeholders[i];

		n = strlen(ph->name);
		expect(n == ph->len && n > 2 && ph->name[0] == '%' &&
		    ph->name[n - 1] == '%', "placeholder %zu: %%NAME%%", i);
		expect(ph_at(ph->name) == ph, "placeholder %zu found", i);
		expect(!(ph->where & PH_HOST) || (!ph->from_address &&
		    strcmp(ph->name, "%EMAILDOMAIN%") == 0),
		    "placeholder %s: in a host only if not from the address",
		    ph->name);
	}
	expect(ph_needs_address("%EMAILLOCALPART%@x") &&
	    ph_needs_address("a%EMAILADDRESS%") &&
	    !ph_needs_address("mail.%EMAILDOMAIN%") &&
	    !ph_needs_address("100%"), "needs an address");
	test_ph_host();
	/* and the loader takes what the table allows */
	prov_free(load("[a.com]\nimap = mail.%EMAILDOMAIN%\nsmtp = x.a.com\n",
	    &e, NULL));
	expect(e == 0, "host with %%EMAILDOMAIN%% loads");
}

/* Debian's libinih r55 splits lines of 200 bytes: we refuse them. */
static void
test_ini_r55(void)
{
	char		 ini[1024], *p;
	int		 e;
	struct config	*cf;

	/* 199 bytes: fine */
	p = ini + snprintf(ini, sizeof(ini), "[a.com]\nname = ");
	memset(p, 'x', 199 - 7);
	mcpy(p + 199 - 7, "\nimap = x\nsmtp = x\n");
	cf = load(ini, &e, NULL);
	expect(cf != NULL && strlen(cf->prov[0].name) == 192,
	    "ini: line of 199 bytes loads");
	prov_free(cf);
	/* 200 bytes: the tail would reach inih as "secret = x" */
	p = ini + snprintf(ini, sizeof(ini), "[a.com]\nname = ");
	memset(p, 'x', 200 - 7 - 10);
	mcpy(p + 200 - 7 - 10, "secret = x\nimap = x\n");
	cf = load(ini, &e, NULL);
	expect(cf == NULL && e == 1, "ini: line of 200 bytes is an error");
	/* section names: 49 bytes fine, 50 an error */
	p = ini;
	*p++ = '[';
	memset(p, 'a', 45);
	mcpy(p + 45, ".com]\nimap = x\nsmtp = x\n");
	cf = load(ini, &e, NULL);
	expect(cf != NULL && strlen(cf->prov[0].id) == 49,
	    "ini: section name of 49 bytes");
	prov_free(cf);
	memset(p, 'a', 46);
	mcpy(p + 46, ".com]\nimap = x\n");
	cf = load(ini, &e, NULL);
	expect(cf == NULL && e == 1, "ini: section name of 50 bytes is an "
	    "error");
	{
		struct diag	d = { NULL, false, 0, 0 };
		static const char nul[] = "[a.com]\nname = a\0b\n";

		cf = prov_load_mem(nul, sizeof(nul) - 1, "t.ini", &d);
		expect(cf == NULL && d.errors == 1, "ini: NUL byte");
	}
	/* CRLF line ends count like LF */
	cf = load("[a.com]\r\nimap = x\r\nsmtp = y\r\n", &e, NULL);
	expect(cf != NULL && strcmp(cf->prov[0].in[0].host, "x") == 0,
	    "ini: CRLF");
	prov_free(cf);
}

/* long: most of it is the table of cases */
static void
test_ini_values(void)
{
	static const char ini[] =
	    "cache_max_age = 60\n"
	    "autodiscover.ttl = 2\n"
	    "web_host = Web.Example.NET.\n"
	    "catch_all = b.org\n"
	    "[a.com]\n"
	    "domains = a.com, A.net.\n"
	    "domains = a.org\n"
	    "  a.info\n"
	    "auth = NTLM,password-CLEARTEXT\n"
	    "imap = [2001:db8::1]:1993 starttls username=%EMAILLOCALPART%\n"
	    "pop3 = mail.%EMAILDOMAIN% plain leave_messages_on_server=true\n"
	    "smtp = 192.0.2.1 starttls auth=none add_this_server=false\n"
	    "smtp = s.a.com:2525\n"
	    "ews = https://ews.a.com/EWS/Exchange.asmx\n"
	    "documentation = https://a.com/\n"
	    "  help/\n"
	    "documentation.descr.pt-BR = Ajuda  ; a comment\n"
	    "  em linha\n"
	    "[b.org]\n"
	    "imap = i.b.org\n"
	    "smtp = s.b.org\n";
	int			 e, w;
	struct config		*cf;
	const struct provider	*p;

	/* Outlook's picks: first of each type, in the order of the lines */
	cf = load("[a.com]\nsmtp = s1\npop3 = p1\nimap = i1\nimap = i2\n"
	    "smtp = s2\n", &e, NULL);
	expect(cf != NULL && cf->prov[0].nad == 3 &&
	    strcmp(cf->prov[0].ad[0]->host, "s1") == 0 &&
	    strcmp(cf->prov[0].ad[1]->host, "p1") == 0 &&
	    strcmp(cf->prov[0].ad[2]->host, "i1") == 0 &&
	    cf->prov[0].first[SRV_IMAP] == &cf->prov[0].in[1],
	    "ini: first servers and Outlook's order");
	prov_free(cf);
	cf = load("[a.com]\nowa = http://[2001:db8::1]:8080/owa\nimap = x\n"
	    "smtp = y\n", &e, NULL);
	expect(cf != NULL && strcmp(cf->prov[0].in[0].host, "[2001:db8::1]") ==
	    0 && cf->prov[0].in[0].port == 8080 &&
	    cf->prov[0].in[0].sock == SOCK_PLAIN, "ini: http URL, v6, port");
	prov_free(cf);
	cf = load(ini, &e, &w);
	expect(cf != NULL, "ini values: loads (%d errors)", e);
	if (cf == NULL)
		return;
	expect(cf->cache_max_age == 60 && cf->ad_ttl == 2, "ini: globals");
	expect(strcmp(cf->web_host, "web.example.net") == 0, "ini: web_host");
	p = prov_lookup(cf, "a.net", 5);
	expect(p != NULL && strcmp(p->id, "a.com") == 0, "ini: lookup a.net");
	expect(prov_lookup(cf, "a.info", 6) == p, "ini: continued domains");
	expect(prov_lookup(cf, "zzz.com", 7) == &cf->prov[1],
	    "ini: catch_all");
	expect(p->ndomains == 4, "ini: 4 domains");
	expect(p->nin == 3 && p->nout == 2, "ini: servers");
	expect(strcmp(p->in[0].host, "[2001:db8::1]") == 0 &&
	    p->in[0].port == 1993 && p->in[0].sock == SOCK_STARTTLS,
	    "ini: v6 host");
	expect(p->in[0].auth.n == 2 && p->in[0].auth.a[0] == AUTH_NTLM,
	    "ini: provider auth inherited");
	expect(strcmp(p->in[0].username, "%EMAILLOCALPART%") == 0,
	    "ini: username option");
	expect(p->in[1].port == 110 && p->in[1].sock == SOCK_PLAIN &&
	    p->in[1].leave_on_server == 1, "ini: pop3 plain");
	expect(p->out[0].port == 587 && p->out[0].auth.a[0] == AUTH_NONE &&
	    p->out[0].add_this_server == 0, "ini: smtp options");
	expect(p->out[1].port == 2525 && p->out[1].sock == SOCK_SSL,
	    "ini: smtp default ssl");
	expect(p->in[2].type == SRV_EWS, "ini: ews");
	expect(strcmp(p->in[2].host, "ews.a.com") == 0 && p->in[2].port == 443 &&
	    p->in[2].sock == SOCK_SSL, "ini: ews host, port, socket from the URL");
	expect(p->ndocs == 1 && strcmp(p->docs[0].url,
	    "https://a.com/help/") == 0, "ini: URL continuation joins with "
	    "nothing");
	expect(p->docs[0].ndescr == 1 &&
	    strcmp(p->docs[0].descr[0].lang, "pt-BR") == 0 &&
	    strcmp(p->docs[0].descr[0].text, "Ajuda em linha") == 0,
	    "ini: text continuation joins with a space, inline comment "
	    "dropped ('%s')", p->docs[0].ndescr ? p->docs[0].descr[0].text :
	    "");
	expect(strcmp(p->mc_identifier, "com.a") == 0, "ini: identifier");
	expect(w == 1, "ini: one warning (plain pop3): %d", w);
	prov_free(cf);
}

static void
test_ini_warnings(void)
{
	int		 e, w;
	struct config	*cf;

	cf = load("[a.com]\nimap = x\n", &e, &w);
	expect(cf != NULL && w == 1, "ini: warn on no smtp");
	prov_free(cf);
	cf = load("[a.com]\nsmtp = x\n", &e, &w);
	expect(cf != NULL && w == 1, "ini: warn on no incoming");
	prov_free(cf);
	cf = load(GOOD, &e, &w);
	expect(cf != NULL && w == 0, "ini: no warning on a good file");
	prov_free(cf);
	cf = load("[a.com]\news = https://a.com/EWS/Exchange.asmx "
	    "use_global_preferred_server=true\n", &e, &w);
	expect(cf != NULL && w == 1 && cf->prov[0].in[0].global_preferred == 1 &&
	    cf->prov[0].first[SRV_EWS] == &cf->prov[0].in[0],
	    "ini: ews alone warns once, takes use_global_preferred_server");
	prov_free(cf);
	cf = load("[a.com]\ngraph = https://g.a.com/ "
	    "use_global_preferred_server=true\nsmtp = s\n", &e, &w);
	expect(cf == NULL && e == 1, "ini: graph has no legacy element");
	prov_free(cf);
}

/* A hosting company lists 100 000 domains: lookup stays O(1). */
static void
test_ini_many(void)
{
	size_t		 n = 20000, i, len = 0, cap = n * 64;
	char		*ini = malloc(cap);
	int		 e;
	struct config	*cf;
	char		 d[64];

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(ini + len, cap - len,
		    "[p%zu.example]\ndomains = d%zu.example\nimap = x\n"
		    "smtp = y\n", i, i);
	cf = load(ini, &e, NULL);
	expect(cf != NULL && cf->ndomains == n, "ini: 20000 providers");
	if (cf != NULL) {
		int hits = 0;

		for (i = 0; i < n; i++) {
			int dl = snprintf(d, sizeof(d), "d%zu.example", i);
			const struct provider *p = prov_lookup(cf, d,
			    (size_t)dl);

			hits += p == &cf->prov[i];
		}
		expect(hits == (int)n, "ini: every domain found");
		expect(prov_lookup(cf, "nope.example", 12) == NULL,
		    "ini: unknown domain");
	}
	prov_free(cf);
	free(ini);
}

/* ---- the POX scanner --------------------------------------------------- */

#define REQ_NS	"http://schemas.microsoft.com/exchange/autodiscover/outlook/" \
		"requestschema/2006"
#define RESP_A	"http://schemas.microsoft.com/exchange/autodiscover/outlook/" \
		"responseschema/2006a"
#define MOBILE	"http://schemas.microsoft.com/exchange/autodiscover/" \
		"mobilesync/responseschema/2006"

/* long: most of it is the table of cases */
static void
test_pox(void)
{
	static const struct {
		const char	*body;
		int		 ok;	/* 1: parsed, 0: error 600 */
		const char	*addr;
		enum pox_schema	 schema;
	} t[] = {
		{ "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover "
		    "xmlns=\"" REQ_NS "\">\n<Request>\n<EMailAddress>jane@"
		    "example.com</EMailAddress>\n<AcceptableResponseSchema>"
		    RESP_A "</AcceptableResponseSchema>\n</Request>\n"
		    "</Autodiscover>", 1, "jane@example.com", POX_OUTLOOK },
		{ "<a:Autodiscover xmlns:a=\"x\"><a:Request><a:EMailAddress>"
		    " j@e.com </a:EMailAddress></a:Request></a:Autodiscover>",
		    1, "j@e.com", POX_OUTLOOK },
		{ "<Autodiscover><Request><EMailAddress>j@e.com</EMailAddress>"
		    "<AcceptableResponseSchema>" MOBILE
		    "</AcceptableResponseSchema></Request></Autodiscover>", 1,
		    "j@e.com", POX_MOBILESYNC },
		{ "<Autodiscover><Request><EMailAddress>j@e.com</EMailAddress>"
		    "<AcceptableResponseSchema>urn:other"
		    "</AcceptableResponseSchema></Request></Autodiscover>", 1,
		    "j@e.com", POX_OTHER },
		{ "<Autodiscover><!-- c --><Request><EMailAddress>j&amp;x@e.com"
		    "</EMailAddress></Request></Autodiscover>", 1,
		    "j&x@e.com", POX_OUTLOOK },
		{ "<!DOCTYPE a [<!ENTITY x \"y\">]><Autodiscover><Request>"
		    "<EMailAddress>&x;</EMailAddress></Request></Autodiscover>",
		    0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>&x;</EMailAddress>"
		    "</Request></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>&#64;</EMailAddress>"
		    "</Request></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress><![CDATA[a@b.c]]>"
		    "</EMailAddress></Request></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>a@b.c</EMailAddress>"
		    "</Request>", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>a@b.c</Request>"
		    "</EMailAddress></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover><Request></Request></Autodiscover>", 0, NULL,
		    0 },
		{ "<Other><EMailAddress>a@b.c</EMailAddress></Other>", 0,
		    NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>a@b.c</EMailAddress>"
		    "<EMailAddress>x@y.z</EMailAddress></Request>"
		    "</Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>a<b/>@b.c"
		    "</EMailAddress></Request></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover a='1' b=\"x>y\"><Request><EMailAddress>a@b.c"
		    "</EMailAddress></Request></Autodiscover>", 1, "a@b.c", 0 },
		{ "<Autodiscover a=1><Request/></Autodiscover>", 0, NULL, 0 },
		{ "<Autodiscover></Autodiscover><Autodiscover/>", 0, NULL, 0 },
		{ "junk<Autodiscover/>", 0, NULL, 0 },
		{ "", 0, NULL, 0 },
		{ "<", 0, NULL, 0 },
		{ "<Autodiscover><Request><EMailAddress>a@b.c</EMailAddress>"
		    "<AcceptableResponseSchema>urn:\"x</AcceptableResponse"
		    "Schema></Request></Autodiscover>", 1, NULL, 0 },
	};
	static struct request	r;
	size_t			i;
	char			deep[2048];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int st;

		memset(&r, 0, offsetof(struct request, body));
		st = req_pox(&r, t[i].body, strlen(t[i].body));
		expect(st == 0, "pox %zu: status %d", i, st);
		if (t[i].ok && t[i].addr != NULL)
			expect(!r.pox_error && strcmp(r.qaddr, t[i].addr) == 0 &&
			    r.schema == t[i].schema, "pox %zu: parsed ('%s')",
			    i, r.qaddr);
		else if (t[i].ok)
			expect(r.pox_error, "pox %zu: schema with a quote is "
			    "600", i);
		else
			expect(r.pox_error, "pox %zu: error 600", i);
	}
	/* nesting beyond POX_DEPTH is refused */
	mcpy(deep, "<Autodiscover>");
	for (i = 0; i < POX_DEPTH + 2; i++)
		mcpy(deep + 14 + 3 * i, "<a>");
	memset(&r, 0, offsetof(struct request, body));
	req_pox(&r, deep, strlen(deep));
	expect(r.pox_error, "pox: deep nesting");
}

/* ---- the User-Agent bit and the empty POX body ---------------------- */

static const char *
ua_env(void *ctx, const char *name)
{
	const char *const *kv = ctx;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static void
test_user_agent(void)
{
	static const struct {
		const char	*ua;
		bool		 outlook;
	} t[] = {
		{ "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook "
		    "16.0.18129; Pro)", true },
		{ "Microsoft Office/15.0 (Windows NT 6.1; MAPI 15.0.4420)",
		    true },
		{ "Mozilla/4.0 (compatible; MSIE 7.0; Microsoft Outlook 16.0)",
		    true },
		{ "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 "
		    "Thunderbird/153.0", false },
		{ "Microsoft-Server-ActiveSync/12.0", false },
		{ "microsoft outlook", false },	/* as Outlook writes it only */
		{ "Microsoft Office", false },
		{ "", false },
		{ NULL, false },
	};
	static struct request	 r;
	const char		*env[] = { "REQUEST_METHOD", "POST",
				    "REQUEST_URI", "/autodiscover/autodiscover.xml",
				    "CONTENT_TYPE", "text/xml", "HTTP_HOST",
				    "autodiscover.e.com", "HTTP_USER_AGENT", NULL,
				    NULL, NULL };
	size_t			 i;
	int			 st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env[9] = t[i].ua;
		if (t[i].ua == NULL)
			env[8] = NULL;
		memset(&r, 0, offsetof(struct request, body));
		st = req_start(&r, ua_env, env);
		expect(st == 0 && r.ua_outlook == t[i].outlook,
		    "user agent %zu: outlook %d", i, r.ua_outlook);
	}
	/* a POX POST without a body is error 600, not an answer by Host */
	env[8] = NULL;
	memset(&r, 0, offsetof(struct request, body));
	st = req_start(&r, ua_env, env);
	r.bodylen = 0;
	if (st == 0)
		st = req_finish(&r);
	expect(st == 0 && r.pox_error && !r.has_addr, "pox: empty body is 600");
}

#include "unit-clients.c"
#include "unit-dav.c"

/*
 * unit --tables: the config-key and endpoint tables as lines, for the docs
 * test (t05), which checks the man pages against them both ways.
 */
static int
print_tables(void)
{
	static const char *const scope[] = {
		[CFG_GLOBAL] = "global", [CFG_PROVIDER] = "provider",
		[CFG_SERVER] = "server",
	};
	size_t	i;
	int	e;

	for (i = 0; i < cfg_nkeys; i++) {
		printf("key %s %s\n", scope[cfg_keys[i].scope], cfg_keys[i].name);
		if (cfg_keys[i].flags & CFG_LANG)
			printf("key %s %s.LANG\n", scope[cfg_keys[i].scope],
			    cfg_keys[i].name);
	}
	for (e = 0; (size_t)e < nendpoints; e++) {
		for (i = 0; endpoints[e].paths[i] != NULL; i++)
			printf("path %s\n", endpoints[e].paths[i]);
		if (endpoints[e].addr_prefix != NULL)
			printf("path %s\n", endpoints[e].addr_prefix);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--tables") == 0)
		return print_tables();
	if (argc == 2 && strcmp(argv[1], "--sha256") == 0)
		return unit_sha256_stdin();
	test_urldecode();
	test_query();
	test_address();
	test_host();
	test_escape();
	test_printable();
	test_writer();
	test_ini_errors();
	test_ini_messages();
	test_import_messages();
	test_key_table();
	test_endpoint_table();
	test_placeholder_table();
	test_ini_r55();
	test_ini_values();
	test_ini_warnings();
	test_ini_many();
	test_pox();
	test_user_agent();
	unit_clients();
	unit_dav();
	return expect_done();
}
