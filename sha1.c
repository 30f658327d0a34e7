/*
 * sha1.c: SHA-1 (FIPS 180-4) and name-based UUIDs (RFC 9562 §5.5,
 * version 5), for the PayloadUUIDs of Apple profiles (DESIGN.md §6): the same
 * address must always get the same UUIDs, so that installing a profile
 * again replaces it instead of adding a second account.
 *
 * SHA-1 is used as RFC 9562 prescribes for v5, not for security.  Written
 * here rather than taken from libcrypto so that the request path neither
 * allocates (EVP contexts do) nor depends on the signing library.
 */
#include <string.h>

#include "mailautoconf.h"

struct sha1 {
	uint32_t	h[5];
	uint64_t	len;		/* bytes so far */
	unsigned char	blk[64];
	size_t		n;		/* bytes in blk */
};

static uint32_t
rol(uint32_t v, int s)
{
	return (v << s) | (v >> (32 - s));
}

static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
	uint32_t	w[80], a, b, d, e, f, k, t, cc;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & cc) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ cc ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & cc) | (b & d) | (cc & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ cc ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = cc;
		cc = rol(b, 30);
		b = a;
		a = t;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void
sha1_init(struct sha1 *c)
{
	static const uint32_t iv[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->n = 0;
}

static void
sha1_update(struct sha1 *c, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 take;

	c->len += n;
	while (n > 0) {
		take = 64 - c->n < n ? 64 - c->n : n;
		memcpy(c->blk + c->n, p, take);
		c->n += take;
		p += take;
		n -= take;
		if (c->n == 64) {
			sha1_block(c, c->blk);
			c->n = 0;
		}
	}
}

static void
sha1_final(struct sha1 *c, unsigned char md[MAC_SHA1_LEN])
{
	uint64_t	bits = c->len * 8;
	unsigned char	pad[72];
	size_t		pl, i;

	/* 0x80, zeros to 56 mod 64, then the length in bits, big-endian */
	pl = (c->n < 56 ? 56 : 120) - c->n;
	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[pl + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(c, pad, pl + 8);
	for (i = 0; i < 5; i++) {
		md[4 * i] = (unsigned char)(c->h[i] >> 24);
		md[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		md[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		md[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void
mac_sha1(const void *data, size_t n, unsigned char *md)
{
	struct sha1	c;

	sha1_init(&c);
	sha1_update(&c, data, n);
	sha1_final(&c, md);
}

/*
 * RFC 9562 §5.5: SHA-1 over the namespace UUID's 16 bytes and the name;
 * the first 16 bytes of the hash with version 5 and the RFC variant set.
 * dst gets the upper-case text form (37 bytes with the NUL), as Apple's
 * tools write PayloadUUIDs.
 */
void
mac_uuid5(char *dst, const unsigned char *ns,
    const char *name, size_t n)
{
	static const char	hex[] = "0123456789ABCDEF";
	struct sha1		c;
	unsigned char		md[MAC_SHA1_LEN];
	size_t			i, d = 0;

	sha1_init(&c);
	sha1_update(&c, ns, 16);
	sha1_update(&c, name, n);
	sha1_final(&c, md);
	md[6] = (md[6] & 0x0f) | 0x50;
	md[8] = (md[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			dst[d++] = '-';
		dst[d++] = hex[md[i] >> 4];
		dst[d++] = hex[md[i] & 0xf];
	}
	dst[d] = '\0';
}
