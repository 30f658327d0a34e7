/*
 * unit-dav.c (included by unit.c, the one C unit runner): table-driven
 * tests of calendars, contacts and PACC: SHA-256 (FIPS 180-4 vectors and
 * block boundaries), base64 (RFC 4648 §10), DAV URLs filled and split,
 * the PACC document (the exact bytes and digest of the example in our
 * notes, and every omission), and the Apple profile's DAV payloads and
 * fail-closed UUIDs.
 *
 * unit --sha256 prints the SHA-256 of stdin in hex, for t15 to compare
 * with openssl dgst -sha256.
 */
/* ---- SHA-256 and base64 ------------------------------------------------ */

static void
test_sha256(void)
{
	static const struct hash_vec t[] = {
		/* FIPS 180-2 appendix B and the long-message vector */
		{ "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ NULL, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
		/* padding either side of 56 and 64, in one block and two */
		{ NULL, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ NULL, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ NULL, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ NULL, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ NULL, 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ NULL, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ NULL, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ NULL, 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};

	hash_vectors("sha256", mac_sha256, MAC_SHA256_LEN, t,
	    sizeof(t) / sizeof(t[0]));
}

static void
test_base64(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" }, { "\xff\xfe\xfd", "//79" },
		{ "\xfb\xff", "+/8=" },
	};
	char	out[16];
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		expect(mac_base64(out, sizeof(out),
		    (const unsigned char *)t[i].in, strlen(t[i].in)) &&
		    strcmp(out, t[i].want) == 0, "base64 of '%s': %s",
		    t[i].want, out);
	}
	/* "Zm9v" and its NUL need 5 bytes; 4 are refused, never cut */
	expect(!mac_base64(out, 4, (const unsigned char *)"foo", 3) &&
	    out[0] == '\0', "base64 refuses a short buffer");
	expect(mac_base64(out, 5, (const unsigned char *)"foo", 3),
	    "base64 fits exactly");
	expect(!mac_base64(out, 0, (const unsigned char *)"", 0),
	    "base64 refuses no buffer");
}

/* ---- DAV URLs ----------------------------------------------------------- */

static void
test_dav_split(void)
{
	static const struct {
		const char	*url;
		bool		 per_user;	/* an address at hand */
		const char	*want;		/* NULL: refused */
		const char	*host;
		unsigned	 port;
		bool		 tls;
		const char	*path;
	} t[] = {
		{ "https://dav.example.com/", false, "https://dav.example.com/",
		    "dav.example.com", 443, true, "/" },
		{ "https://dav.example.com", false, "https://dav.example.com/",
		    "dav.example.com", 443, true, "/" },
		{ "http://dav.example.com:8080/cal/", false,
		    "http://dav.example.com:8080/cal/", "dav.example.com", 8080,
		    false, "/cal/" },
		{ "https://dav.%EMAILDOMAIN%/dav/%EMAILDOMAIN%/", false,
		    "https://dav.customer.example/dav/customer.example/",
		    "dav.customer.example", 443, true,
		    "/dav/customer.example/" },
		{ "https://[2001:db8::1]:8443/x/", false,
		    "https://[2001:db8::1]:8443/x/", "2001:db8::1", 8443, true,
		    "/x/" },
		{ "https://h.example/a%20b/?x=1", false,
		    "https://h.example/a%20b/?x=1", "h.example", 443, true,
		    "/a%20b/" },
		/* a user in the path: percent-encoded, per user only */
		{ "https://h.example/SOGo/dav/%EMAILADDRESS%/", true,
		    "https://h.example/SOGo/dav/o'b%23r%2Fx@customer.example/",
		    "h.example", 443, true,
		    "/SOGo/dav/o'b%23r%2Fx@customer.example/" },
		{ "https://h.example/%EMAILLOCALPART%/", false, NULL, NULL, 0,
		    false, NULL },
		{ "https://%EMAILLOCALPART%.example/", true, NULL, NULL, 0,
		    false, NULL },
		{ "https://user@h.example/", false, NULL, NULL, 0, false, NULL },
		{ "https://h.example:0/", false, NULL, NULL, 0, false, NULL },
		{ "https://h.example:65536/", false, NULL, NULL, 0, false, NULL },
		{ "https://h.example:/", false, NULL, NULL, 0, false, NULL },
		{ "https://h_x.example/", false, NULL, NULL, 0, false, NULL },
		{ "https://h%41.example/", false, NULL, NULL, 0, false, NULL },
		{ "https://[zz]/", false, NULL, NULL, 0, false, NULL },
		{ "ftp://h.example/", false, NULL, NULL, 0, false, NULL },
		{ "https:///x", false, NULL, NULL, 0, false, NULL },
	};
	struct fill	 dom = { NULL, NULL, "customer.example" };
	struct fill	 user = { "o'b#r/x@customer.example", "o'b#r/x",
			    "customer.example" };
	struct davurl	 u;
	const char	*why;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why = NULL;
		rc = dav_split(&u, t[i].url, t[i].per_user ? &user : &dom,
		    &why);
		if (t[i].want == NULL) {
			expect(rc == -1 && why != NULL, "dav_split refuses %s",
			    t[i].url);
			continue;
		}
		expect(rc == 0 && strcmp(u.url, t[i].want) == 0 &&
		    u.len == strlen(u.url) && strcmp(u.host, t[i].host) == 0 &&
		    u.port == t[i].port && u.tls == t[i].tls &&
		    u.plen == strlen(t[i].path) &&
		    memcmp(u.url + u.path, t[i].path, u.plen) == 0,
		    "dav_split %s: rc %d, %s host %s port %u", t[i].url, rc,
		    rc == 0 ? u.url : why, u.host, u.port);
	}
}

static void
test_dav_long(void)
{
	char		 url[DAV_URL_MAX + 64];
	struct fill	 user = { "a@b.example", "a", "b.example" };
	struct davurl	 u;
	const char	*why;
	size_t		 n;

	/* a URL that fills past the limit is refused, never cut */
	n = (size_t)snprintf(url, sizeof(url), "https://h.example/");
	memset(url + n, 'x', DAV_URL_MAX - n - 4);
	url[DAV_URL_MAX - 4] = '\0';
	expect(dav_split(&u, url, &user, &why) == 0, "a long URL that fits");
	strcat(url, "%EMAILADDRESS%");
	expect(dav_split(&u, url, &user, &why) == -1,
	    "a URL too long once filled is refused");
}

/* ---- PACC --------------------------------------------------------------- */

static struct config *
dav_load(const char *ini)
{
	struct diag	 d = { NULL, false, 0, 0 };
	struct config	*cf = prov_load_mem(ini, strlen(ini), "test.ini", &d);

	if (cf == NULL) {
		printf("FAIL config does not load:\n%s\n", ini);
		exit(1);
	}
	return cf;
}

static int
dav_doc(const char *ini, const char *domain, char *buf, size_t cap, size_t *len)
{
	struct config	*cf = dav_load(ini);
	struct out	 o;
	int		 st;

	out_init(&o, buf, cap - 1);
	st = pacc_render(prov_lookup(cf, domain, strlen(domain)), domain, &o);
	buf[o.err ? 0 : o.len] = '\0';
	*len = o.len;
	prov_free(cf);
	return st;
}

/*
 * The example of draft-ietf-mailmaint-pacc-02 §4.1: 277 bytes, a
 * published digest.
 */
static void
test_pacc_example(void)
{
	static const char ini[] =
	    "[example.com]\nname = Example Mail\nshort_name = Example\n"
	    "imap = imap.example.com:993 ssl\nsmtp = smtp.example.com:465 ssl\n"
	    "caldav = https://dav.example.com/\n"
	    "carddav = https://dav.example.com/\n";
	static const char want[] = "{\"protocols\":{\"imap\":{\"host\":"
	    "\"imap.example.com\"},\"submit\":{\"host\":\"smtp.example.com\"},"
	    "\"caldav\":{\"url\":\"https://dav.example.com/\"},\"carddav\":"
	    "{\"url\":\"https://dav.example.com/\"}},\"authentication\":"
	    "{\"password\":true},\"info\":{\"provider\":{\"name\":"
	    "\"Example Mail\",\"shortName\":\"Example\"}}}";
	struct config	*cf = dav_load(ini);
	char		 buf[1024], txt[128];
	size_t		 len = 0;
	int		 st;

	st = dav_doc(ini, "example.com", buf, sizeof(buf), &len);
	expect(st == 200 && strcmp(buf, want) == 0 && len == 277,
	    "PACC example: %d %zu %s", st, len, buf);
	expect(pacc_txt(prov_lookup(cf, "example.com", 11), "example.com",
	    txt, sizeof(txt)) == 0 && strcmp(txt, "v=UAAC1; a=sha256; "
	    "d=vE75PvlmwsMRxTv32eUkiNRqCSqMA2MeohzjFJfDkyM=") == 0,
	    "PACC example digest: %s", txt);
	expect(pacc_txt(prov_lookup(cf, "example.com", 11), "example.com",
	    txt, 60) == -1, "PACC TXT refuses a short buffer");
	prov_free(cf);
}

static void
test_pacc_map(void)
{
	static const struct {
		const char	*what;
		const char	*ini;
		const char	*domain;
		int		 st;
		const char	*want;	/* the document; NULL with 404 */
	} t[] = {
		{ "STARTTLS, other ports and other usernames are left out",
		  "[a.example]\nimap = i.a.example:143 starttls\n"
		  "imap = i2.a.example:994 ssl\n"
		  "imap = i3.a.example:993 ssl username=%EMAILLOCALPART%\n"
		  "imap = i4.a.example:993 ssl\n"
		  "pop3 = p.a.example:110 plain\n"
		  "smtp = s.a.example:587 starttls\n",
		  "a.example", 200,
		  "{\"protocols\":{\"imap\":{\"host\":\"i4.a.example\"}},"
		  "\"authentication\":{\"password\":true},\"info\":{\"provider\":"
		  "{\"name\":\"a.example\"}}}" },
		{ "nothing PACC can state: 404",
		  "[b.example]\nimap = i.b.example starttls\n"
		  "smtp = s.b.example:587 starttls\n"
		  "caldav = http://dav.b.example/\n"
		  "carddav = https://dav.b.example:8443/\n",
		  "b.example", 404, NULL },
		{ "%EMAILDOMAIN% filled, per-user DAV left out, OAuth issuer",
		  "[hoster]\ndomains = c.example, d.example\n"
		  "name = Hoster \"quoted\" <&>\nshort_name = Hoster\n"
		  "auth = OAuth2\n"
		  "pop3 = pop.%EMAILDOMAIN%:995 ssl\n"
		  "smtp = smtp.%EMAILDOMAIN%:465 ssl\n"
		  "caldav = https://dav.%EMAILDOMAIN%/cal/%EMAILADDRESS%/\n"
		  "carddav = https://dav.%EMAILDOMAIN%/card/\n"
		  "oauth2.issuer = auth.%EMAILDOMAIN%\n"
		  "oauth2.scope = mail\n"
		  "oauth2.auth_url = https://auth.example/a\n"
		  "oauth2.token_url = https://auth.example/t\n",
		  "d.example", 200,
		  "{\"protocols\":{\"pop3\":{\"host\":\"pop.d.example\"},"
		  "\"submit\":{\"host\":\"smtp.d.example\"},\"carddav\":"
		  "{\"url\":\"https://dav.d.example/card/\"}},"
		  "\"authentication\":{\"oauth-public\":{\"issuer\":"
		  "\"https://auth.d.example\"},\"password\":false},"
		  "\"info\":{\"provider\":{\"name\":\"Hoster \\\"quoted\\\" "
		  "\\u003c\\u0026\\u003e\",\"shortName\":\"Hoster\"}}}" },
		{ "a name over 60 characters gives way to the short name",
		  "[e.example]\nname = "
		  "\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		  "short_name = E\nsmtp = s.e.example:465 ssl\n",
		  "e.example", 200,
		  "{\"protocols\":{\"submit\":{\"host\":\"s.e.example\"}},"
		  "\"authentication\":{\"password\":true},\"info\":{\"provider\":"
		  "{\"name\":\"E\"}}}" },
		{ "60 characters in more bytes stay",
		  "[f.example]\nname = "
		  "\xc3\xa9\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		  "short_name = a short name over 20 chars\n"
		  "smtp = s.f.example:465 ssl\n",
		  "f.example", 200,
		  "{\"protocols\":{\"submit\":{\"host\":\"s.f.example\"}},"
		  "\"authentication\":{\"password\":true},\"info\":{\"provider\":"
		  "{\"name\":\"\xc3\xa9\xc3\xa9xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxx\"}}}" },
	};
	char	buf[2048];
	size_t	i, len;
	int	st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = dav_doc(t[i].ini, t[i].domain, buf, sizeof(buf), &len);
		expect(st == t[i].st &&
		    (t[i].want == NULL || strcmp(buf, t[i].want) == 0),
		    "PACC: %s: %d %s", t[i].what, st, buf);
	}
}

/* The same bytes for every request of a domain, and none for another. */
static void
test_pacc_stable(void)
{
	static const char ini[] = "[g.example]\ndomains = g.example, h.example\n"
	    "imap = imap.%EMAILDOMAIN%:993 ssl\n";
	char	a[512], b[512], c[512];
	size_t	la, lb, lc;

	dav_doc(ini, "g.example", a, sizeof(a), &la);
	dav_doc(ini, "g.example", b, sizeof(b), &lb);
	dav_doc(ini, "h.example", c, sizeof(c), &lc);
	expect(la == lb && memcmp(a, b, la) == 0, "PACC: byte-identical");
	expect(strstr(c, "imap.h.example") != NULL && strcmp(a, c) != 0,
	    "PACC: per domain");
	expect(strchr(a, '%') == NULL && strchr(a, '\n') == NULL,
	    "PACC: no placeholder, no newline");
}

/* --check names what PACC leaves out. */
static void
test_pacc_warn(void)
{
	static const char ini[] =
	    "[w.example]\nimap = i.w.example:143 starttls\n"
	    "pop3 = p.w.example:996 ssl\n"
	    "smtp = s.w.example:465 ssl username=%EMAILLOCALPART%\n"
	    "caldav = http://dav.w.example/\n"
	    "carddav = https://dav.w.example:8443/\n";
	struct config	*cf = dav_load(ini);
	char		*text = NULL;
	size_t		 tl = 0;
	FILE		*fp = open_memstream(&text, &tl);
	struct diag	 d = { fp, true, 0, 0 };

	if (fp == NULL)
		abort();
	pacc_warn(cf, &d);
	fclose(fp);
	expect(d.warns == 6, "PACC warnings: %d\n%s", d.warns, text);
	expect(strstr(text, "leaves out imap: its first imap server is "
	    "STARTTLS") != NULL, "warns about STARTTLS");
	expect(strstr(text, "leaves out pop3: its first pop3 server is not "
	    "on the implicit-TLS port") != NULL, "warns about the port");
	expect(strstr(text, "leaves out submit: its first smtp server logs "
	    "in with another username") != NULL, "warns about the username");
	expect(strstr(text, "leaves out caldav: not https") != NULL,
	    "warns about http");
	expect(strstr(text, "leaves out carddav: a port in the URL") != NULL,
	    "warns about a DAV port");
	expect(strstr(text, "test.ini:1: warning: provider 'w.example': PACC "
	    "has nothing to say") != NULL, "warns about the 404");
	free(text);
	prov_free(cf);
}

/* ---- Apple profiles ----------------------------------------------------- */

static void
test_mc(void)
{
	static const char ini[] = "[m.example]\n"
	    "imap = imap.m.example:993 ssl\nsmtp = smtp.m.example:465 ssl\n"
	    "caldav = https://dav.m.example:8443/cal/%EMAILADDRESS%/\n"
	    "[davonly.example]\ncarddav = https://dav.davonly.example/\n"
	    "[none.example]\nimap = imap.none.example\n";
	static char	 buf[OUT_MAX];
	static struct request r;
	struct config	*cf = dav_load(ini);
	struct provider	 p;
	struct out	 o;
	const char	*why;
	char		 big[700];

	expect(req_address(&r.addr, "jane@m.example", 14, &why) == 0,
	    "address");
	r.dlen = mac_strlcpy(r.domain, "m.example", sizeof(r.domain));
	r.has_addr = true;
	out_init(&o, buf, sizeof(buf) - 1);
	expect(mc_render(&r, cf, prov_lookup(cf, "m.example", 9), &o) == 200 &&
	    !o.err, "profile with caldav");
	buf[o.len] = '\0';
	expect(strstr(buf, "<key>CalDAVPort</key>\n        <integer>8443"
	    "</integer>") != NULL, "CalDAVPort is an integer");
	expect(strstr(buf, "https://dav.m.example:8443/cal/jane@m.example/")
	    != NULL, "principal URL filled");
	expect(strstr(buf, "com.apple.caldav.account") != NULL &&
	    strstr(buf, "com.apple.carddav.account") == NULL,
	    "only the configured DAV payload");
	expect(strstr(buf, "DAVPassword") == NULL, "no CalDAVPassword");

	out_init(&o, buf, sizeof(buf) - 1);
	expect(mc_render(&r, cf, prov_lookup(cf, "davonly.example", 15), &o) ==
	    200 && !o.err, "a profile of contacts alone");
	buf[o.len] = '\0';
	expect(strstr(buf, "com.apple.mail.managed") == NULL &&
	    strstr(buf, "com.apple.carddav.account") != NULL,
	    "no mail payload without mail servers");
	out_init(&o, buf, sizeof(buf) - 1);
	expect(mc_render(&r, cf, prov_lookup(cf, "none.example", 12), &o) ==
	    404, "no payload at all: 404");

	/* an identifier that cannot be hashed whole: a 500, not a UUID */
	p = *prov_lookup(cf, "m.example", 9);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p.mc_identifier = big;
	out_init(&o, buf, sizeof(buf) - 1);
	mc_render(&r, cf, &p, &o);
	expect(o.err, "a UUID never comes from a truncated name");
	prov_free(cf);
}

static int
unit_sha256_stdin(void)
{
	static char	 buf[4 * 1024 * 1024];
	unsigned char	 md[MAC_SHA256_LEN];
	char		 out[2 * MAC_SHA256_LEN + 1];
	size_t		 n;

	n = fread(buf, 1, sizeof(buf), stdin);
	if (!feof(stdin))
		return 1;
	mac_sha256(buf, n, md);
	hex(out, md, sizeof(md));
	printf("%s\n", out);
	return 0;
}

static void
unit_dav(void)
{
	test_sha256();
	test_base64();
	test_dav_split();
	test_dav_long();
	test_pacc_example();
	test_pacc_map();
	test_pacc_stable();
	test_pacc_warn();
	test_mc();
}
