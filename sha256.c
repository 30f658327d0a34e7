/*
 * sha256.c: SHA-256 (FIPS 180-4 §6.2) and base64 (RFC 4648 §4), for the
 * digest of the PACC document that --dns publishes in the _ua-auto-config
 * TXT record (draft-ietf-mailmaint-pacc: "v=UAAC1; a=sha256; d=...").
 *
 * Written here, as sha1.c is, so that the request path neither allocates
 * nor needs libcrypto (opened only when profiles are signed).
 */
#include <string.h>

#include "mailautoconf.h"

struct sha256 {
	uint32_t	h[8];
	uint64_t	len;		/* bytes so far */
	unsigned char	blk[64];
	size_t		n;		/* bytes in blk */
};

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t v, int s)
{
	return (v >> s) | (v << (32 - s));
}

static void
sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t	w[64], v[8], t1, t2;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10)) +
		    w[i - 7] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 16];
	memcpy(v, c->h, sizeof(v));
	for (i = 0; i < 64; i++) {
		/* v: a b c d e f g h */
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		    ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		    ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		c->h[i] += v[i];
}

static void
sha256_update(struct sha256 *c, const void *data, size_t n)
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
			sha256_block(c, c->blk);
			c->n = 0;
		}
	}
}

void
mac_sha256(const void *data, size_t n, unsigned char *md)
{
	/* FIPS 180-4 §5.3.3 */
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	struct sha256	c;
	uint64_t	bits;
	unsigned char	pad[72];
	size_t		pl, i;

	memcpy(c.h, iv, sizeof(iv));
	c.len = 0;
	c.n = 0;
	sha256_update(&c, data, n);
	/* 0x80, zeros to 56 mod 64, then the length in bits, big-endian */
	bits = c.len * 8;
	pl = (c.n < 56 ? 56 : 120) - c.n;
	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[pl + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(&c, pad, pl + 8);
	for (i = 0; i < 8; i++) {
		md[4 * i] = (unsigned char)(c.h[i] >> 24);
		md[4 * i + 1] = (unsigned char)(c.h[i] >> 16);
		md[4 * i + 2] = (unsigned char)(c.h[i] >> 8);
		md[4 * i + 3] = (unsigned char)c.h[i];
	}
}

/*
 * RFC 4648 §4: standard alphabet, with padding.  dst needs
 * 4 * ((n + 2) / 3) + 1 bytes; returns false (dst empty) if cap is short.
 */
bool
mac_base64(char *dst, size_t cap, const unsigned char *s, size_t n)
{
	static const char	a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			i, d = 0;

	if (cap == 0)
		return false;
	dst[0] = '\0';
	if ((n + 2) / 3 > (cap - 1) / 4)
		return false;
	for (i = 0; i + 2 < n; i += 3) {
		dst[d++] = a[s[i] >> 2];
		dst[d++] = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
		dst[d++] = a[(s[i + 1] & 0xf) << 2 | s[i + 2] >> 6];
		dst[d++] = a[s[i + 2] & 0x3f];
	}
	if (i < n) {
		dst[d++] = a[s[i] >> 2];
		if (i + 1 < n) {
			dst[d++] = a[(s[i] & 3) << 4 | s[i + 1] >> 4];
			dst[d++] = a[(s[i + 1] & 0xf) << 2];
		} else {
			dst[d++] = a[(s[i] & 3) << 4];
			dst[d++] = '=';
		}
		dst[d++] = '=';
	}
	dst[d] = '\0';
	return true;
}
