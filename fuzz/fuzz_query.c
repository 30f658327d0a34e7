/*
 * fuzz_query.c: req_query (every endpoint's key table) and req_urldecode.
 *
 * The first byte picks the endpoint (modulo their number) and the
 * decoder's capacity; the rest is the query.  req_urldecode is checked against a plain reference
 * decoder, so a wrong answer is a crash too, not only a bad access.
 */
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct request	req;

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The reference: decode all of s, then see whether it fits. */
static ssize_t
ref_decode(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	i, d = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || hex(s[i + 1]) < 0 ||
			    hex(s[i + 2]) < 0)
				return -1;
			c = hex(s[i + 1]) * 16 + hex(s[i + 2]);
			i += 2;
		}
		if (c == 0)
			return -1;
		dst[d++] = (char)c;
	}
	if (d + 1 > cap)
		return -1;
	dst[d] = '\0';
	return (ssize_t)d;
}

static void
check_decode(const char *s, size_t n, size_t cap)
{
	char	*got, *want;
	ssize_t	 g, w;

	/* exact-size heap blocks: ASan sees a write one past the end */
	got = malloc(cap == 0 ? 1 : cap);
	want = malloc(n + 1);
	if (got == NULL || want == NULL)
		abort();
	g = req_urldecode(got, cap, s, n);
	w = ref_decode(want, cap, s, n);
	if (g != w)
		abort();
	if (g >= 0 && (memcmp(got, want, (size_t)g + 1) != 0 ||
	    strlen(got) != (size_t)g))
		abort();
	free(got);
	free(want);
}

/* A request that passed: what it holds must be within its limits. */
static void
check_request(const struct request *r)
{
	if (r->has_qaddr && strlen(r->qaddr) >= sizeof(r->qaddr))
		abort();
	if (r->has_protocol && strlen(r->protocol) >= sizeof(r->protocol))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*q = (const char *)data + 1;
	size_t		 n;
	int		 st;

	if (size < 1)
		return 0;
	n = size - 1;
	check_decode(q, n, (size_t)(data[0] >> 2));
	check_decode(q, n, QVAL_MAX);
	memset(&req, 0, offsetof(struct request, body));
	req.ep = (enum endpoint)(data[0] % nendpoints);
	req.qaddr[0] = req.protocol[0] = '\0';
	st = req_query(&req, q, n);
	if (st == 0)
		check_request(&req);
	else if (st != 400 || req.why == NULL)
		abort();
	return 0;
}
