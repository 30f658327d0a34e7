/*
 * unit-clients.c (included by unit.c, the one C unit runner): table-driven
 * tests of what the JSON endpoint, Apple
 * profiles, IDN and --import add: SHA-1 (FIPS 180-4 vectors and block
 * boundaries), v5 UUIDs (RFC 9562), the JSON string escaper, the header
 * token writer, IDN domains and addresses, and import refusals.
 */



/* ---- SHA-1 -------------------------------------------------------------- */

static void
hex(char *dst, const unsigned char *md, size_t n)
{
	static const char	h[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = h[md[i] >> 4];
		dst[2 * i + 1] = h[md[i] & 0xf];
	}
	dst[2 * n] = '\0';
}

/*
 * One hash's test vectors: the input (NULL: n times 'a') and the digest
 * in hex.  SHA-1 and SHA-256 (unit-dav.c) are both checked through here.
 */
struct hash_vec {
	const char	*in;
	size_t		 n;
	const char	*want;
};

static void
hash_vectors(const char *name, void (*fn)(const void *, size_t,
    unsigned char *), size_t mdlen, const struct hash_vec *t, size_t nt)
{
	unsigned char	md[64];
	char		got[2 * 64 + 1], *buf;
	size_t		i;

	for (i = 0; i < nt; i++) {
		if (t[i].in == NULL) {
			if ((buf = malloc(t[i].n)) == NULL)
				abort();
			memset(buf, 'a', t[i].n);
			fn(buf, t[i].n, md);
			free(buf);
		} else
			fn(t[i].in, t[i].n, md);
		hex(got, md, mdlen);
		expect(strcmp(got, t[i].want) == 0, "%s of %zu bytes: %s",
		    name, t[i].n, got);
	}
}

static void
test_sha1(void)
{
	static const struct hash_vec t[] = {
		/* FIPS 180-2 appendix A and the NIST long-message vector */
		{ "", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		    "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
		{ NULL, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
		/* padding: one block or two, either side of 56 and 64 */
		{ NULL, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ NULL, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
		{ NULL, 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
		{ NULL, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
		{ NULL, 65, "11655326c708d70319be2610e8a57d9a5b959d3b" },
	};

	hash_vectors("sha1", mac_sha1, MAC_SHA1_LEN, t, sizeof(t) / sizeof(t[0]));
}

/* ---- UUID v5 -------------------------------------------------------------- */

static void
test_uuid5(void)
{
	/* RFC 9562 appendix A: the DNS namespace */
	static const unsigned char dns[16] = {
		0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
		0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
	};
	char	u[MAC_UUID_LEN + 1], v[MAC_UUID_LEN + 1];

	/* Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") */
	mac_uuid5(u, dns, "python.org", 10);
	expect(strcmp(u, "886313E1-3B8A-5372-9B90-0C9AEE199E5D") == 0,
	    "uuid5 python.org: %s", u);
	/* RFC 9562 §A.4: v5 of "www.example.com" in the DNS namespace */
	mac_uuid5(u, dns, "www.example.com", 15);
	expect(strcmp(u, "2ED6657D-E927-568B-95E1-2665A8AEA6A2") == 0,
	    "uuid5 www.example.com: %s", u);
	mac_uuid5(v, dns, "www.example.com", 15);
	expect(strcmp(u, v) == 0, "uuid5 is stable");
	mac_uuid5(v, dns, "www.example.net", 15);
	expect(strcmp(u, v) != 0, "uuid5 differs by name");
	expect(u[14] == '5' && strchr("89AB", u[19]) != NULL,
	    "uuid5 version and variant: %s", u);
}

/* ---- the JSON escaper ------------------------------------------------------ */

static void
test_json(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "", "\"\"" },
		{ "jane@example.com", "\"jane@example.com\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "<&>'", "\"\\u003c\\u0026\\u003e\\u0027\"" },
		{ "tab\there", "\"tab\\u0009here\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "nl\r\n", "\"nl\\u000d\\u000a\"" },
		{ "C1 \xc2\x85 \xc2\x9f", "\"C1 \\u0085 \\u009f\"" },
		{ "\xc2\xa0 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7",
		    "\"\xc2\xa0 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\"" },
		{ "https://h/x", "\"https://h/x\"" },
		{ "\xff", NULL },
		{ "\xc3", NULL },
		{ "\xc0\xaf", NULL },			/* overlong '/' */
		{ "\xed\xa0\x80", NULL },		/* surrogate */
		{ "\xf4\x90\x80\x80", NULL },		/* above U+10FFFF */
	};
	char		buf[256];
	struct out	o;
	size_t		i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out_init(&o, buf, sizeof(buf) - 1);
		out_json_str(&o, t[i].in, strlen(t[i].in));
		buf[o.len] = '\0';
		if (t[i].want == NULL)
			expect(o.err, "json %zu: refused", i);
		else
			expect(!o.err && strcmp(buf, t[i].want) == 0,
			    "json %zu: got %s", i, buf);
	}
	/* NUL inside the string: escaped, not a terminator */
	out_init(&o, buf, sizeof(buf) - 1);
	out_json_str(&o, "a\0b", 3);
	buf[o.len] = '\0';
	expect(!o.err && strcmp(buf, "\"a\\u0000b\"") == 0, "json NUL: %s", buf);
	/* a buffer too small fails, never cuts */
	out_init(&o, buf, 5);
	out_json_str(&o, "abcdef", 6);
	expect(o.err, "json overflow is an error");
}

static void
test_hdr_token(void)
{
	static const struct {
		const char	*in;
		bool		 ok;
	} t[] = {
		{ "mailbox.org", true }, { "xn--bcher-kva.example", true },
		{ "a_b-c.D9", true }, { "", false }, { "a\"b", false },
		{ "a b", false }, { "a\r\nX-Evil: 1", false }, { "a;b", false },
		{ "a\\b", false }, { "b\xc3\xbc", false }, { "a/b", false },
	};
	char		buf[64];
	struct out	o;
	size_t		i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out_init(&o, buf, sizeof(buf));
		out_hdr_token(&o, t[i].in);
		expect(o.err == !t[i].ok, "header token %zu", i);
		if (t[i].ok)
			expect(o.len == strlen(t[i].in) &&
			    memcmp(buf, t[i].in, o.len) == 0, "token %zu", i);
	}
}

/* ---- IDN ------------------------------------------------------------------- */

static void
test_idn(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "mailbox.org", "mailbox.org" },
		{ "MailBox.ORG.", "mailbox.org" },
		{ "b\xc3\xbc" "cher.example", "xn--bcher-kva.example" },
		{ "B\xc3\x9c" "CHER.Example", "xn--bcher-kva.example" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		/* non-transitional: sharp s stays (as browsers do since 2017) */
		{ "stra\xc3\x9f" "e.de", "xn--strae-oqa.de" },
		{ "\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
		    "xn--r8jz45g.xn--zckzah" },
		{ "m\xc3\xbcnchen.de.", "xn--mnchen-3ya.de" },
		{ "b\xff.example", NULL },		/* not UTF-8 */
		{ "b\xc3\xbc\x01.example", NULL },	/* control */
		{ "b\xc3\xbc r.example", NULL },	/* space */
		{ "b\xc3\xbc@r.example", NULL },
		{ "\xc3\xbc..example", NULL },		/* empty label */
		{ "b\xc3\xbc.123", NULL },		/* numeric TLD */
		{ "\xe2\x80\x8b.example", NULL },	/* zero-width space */
	};
	char		d[DOMAIN_MAX + 1], big[1100];
	const char	*why;
	size_t		dl, i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = mac_domain_idn(d, &dl, t[i].in, strlen(t[i].in), &why);

		if (t[i].want == NULL)
			expect(rc != 0, "idn %zu refused", i);
		else
			expect(rc == 0 && strcmp(d, t[i].want) == 0 &&
			    dl == strlen(t[i].want), "idn %zu: %s", i,
			    rc == 0 ? d : why);
	}
	/* 250 bytes of u-umlaut: far over 253 bytes as A-labels */
	for (i = 0; i + 2 <= 250; i += 2)
		memcpy(big + i, "\xc3\xbc", 2);
	memcpy(big + i, ".de", 4);
	expect(mac_domain_idn(d, &dl, big, strlen(big), &why) != 0,
	    "idn: too long after conversion");
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '\xc3';
	big[1] = '\xbc';
	expect(mac_domain_idn(d, &dl, big, sizeof(big) - 1, &why) != 0,
	    "idn: input longer than 4 * 253 bytes");
}

static void
test_idn_address(void)
{
	struct address	a;
	const char	*why = NULL;
	char		buf[300];
	int		st;

	mac_strlcpy(buf, "Jane@B\xc3\xbc" "cher.example", sizeof(buf));
	st = req_address(&a, buf, strlen(buf), &why);
	expect(st == 0 && strcmp(a.domain, "xn--bcher-kva.example") == 0 &&
	    strcmp(a.full, "Jane@xn--bcher-kva.example") == 0 &&
	    strcmp(a.local, "Jane") == 0, "idn address: %s",
	    st == 0 ? a.full : why);
	mac_strlcpy(buf, "j\xc3\xb6hn@b\xc3\xbc" "cher.example", sizeof(buf));
	st = req_address(&a, buf, strlen(buf), &why);
	expect(st == 0 && strcmp(a.local, "j\xc3\xb6hn") == 0,
	    "utf-8 local part with idn domain");
	/*
	 * 64-byte local part and 25 labels "\xc3\xbc." (77 bytes with "de"):
	 * 142 bytes, but the A-labels ("xn--tda.") make the domain 202 bytes
	 * and the address 267.
	 */
	memset(buf, 'x', 64);
	buf[64] = '@';
	for (st = 0; st < 25; st++)
		memcpy(buf + 65 + 3 * st, "\xc3\xbc.", 3);
	memcpy(buf + 65 + 75, "de", 3);
	expect(req_address(&a, buf, strlen(buf), &why) == 400,
	    "idn address longer than 254 bytes as A-label");
	expect(req_address(&a, "a@b\xc3\xbc\xff.de", 8, &why) == 400,
	    "idn address with invalid UTF-8");
}

/* ---- --import refusals ----------------------------------------------------- */

static void
test_import(void)
{
	static const struct {
		const char	*xml;
		int		 rc;
	} t[] = {
		{ "<clientConfig version=\"1.1\"><emailProvider id=\"a.example\">"
		    "<domain>a.example</domain><displayName>A</displayName>"
		    "<displayShortName>A</displayShortName>"
		    "<incomingServer type=\"imap\"><hostname>i.a.example"
		    "</hostname><port>993</port><socketType>SSL</socketType>"
		    "<authentication>password-cleartext</authentication>"
		    "<username>%EMAILADDRESS%</username></incomingServer>"
		    "<outgoingServer type=\"smtp\"><hostname>s.a.example"
		    "</hostname><port>465</port><socketType>SSL</socketType>"
		    "<authentication>password-cleartext</authentication>"
		    "<username>%EMAILADDRESS%</username></outgoingServer>"
		    "</emailProvider></clientConfig>", 0 },
		{ "<!DOCTYPE c [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
		    "<clientConfig><emailProvider id=\"x\">&b;</emailProvider>"
		    "</clientConfig>", 1 },
		{ "<!DOCTYPE c [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		    "<clientConfig><emailProvider id=\"x\">&e;</emailProvider>"
		    "</clientConfig>", 1 },
		{ "<!DOCTYPE c [<!ENTITY % p SYSTEM \"file:///etc/passwd\">%p;]>"
		    "<clientConfig/>", 1 },
		{ "<clientConfig><emailProvider id=\"x\">&undefined;"
		    "</emailProvider></clientConfig>", 1 },
		{ "<clientConfig><emailProvider id=\"x\">", 1 },
		{ "<other/>", 1 },
		{ "<clientConfig/>", 1 },
		{ "", 1 },
		{ "<clientConfig><emailProvider id=\"x\"/><emailProvider id=\"y\"/>"
		    "</clientConfig>", 1 },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect(imp_mem(t[i].xml, strlen(t[i].xml), "unit.xml", NULL,
		    NULL) == t[i].rc, "import case %zu", i);
}

static void
unit_clients(void)
{
	test_sha1();
	test_uuid5();
	test_json();
	test_hdr_token();
	test_idn();
	test_idn_address();
	test_import();
}
