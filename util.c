/*
 * util.c: the bounded-copy helper, the range-checked number parser, UTF-8
 * validation and the allocation wrapper.  glibc 2.36 has neither strlcpy
 * nor strtonum.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailautoconf.h"

static long alloc_countdown;	/* test builds: fail when it reaches 1 */

/* Copy with truncation; returns strlen(src) so callers can detect it. */
size_t
mac_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	n;

	n = strlen(src);
	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

/*
 * Decimal number in [min, max], whole string, no sign unless min < 0,
 * no leading blanks.  Returns 0 and stores it, or -1.
 */
int
mac_strtonum(const char *s, long long min, long long max, long long *res)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	if (*s == '-' && min >= 0)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*res = v;
	return 0;
}

/* Compare s[0..n) with the NUL-terminated lit, ASCII case-insensitively. */
int
mac_casecmp_n(const char *s, size_t n, const char *lit)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)lit[i];

		if (b == '\0')
			return 1;
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return a < b ? -1 : 1;
	}
	return lit[n] == '\0' ? 0 : -1;
}

/*
 * One UTF-8 sequence at s[0] (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF): its length, and its code point in *cp; 0 when
 * it is not one.  s[0] is not ASCII.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char	c = s[0];
	size_t		k, j;
	uint32_t	v, min;

	if (c >= 0xc2 && c <= 0xdf) {
		k = 1; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 2; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 3; v = c & 0x07; min = 0x10000;
	} else
		return 0;
	if (n <= k)
		return 0;
	for (j = 1; j <= k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[j] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return k + 1;
}

/* Strict UTF-8 (RFC 3629). */
bool
mac_utf8_ok(const unsigned char *s, size_t n)
{
	size_t		i = 0, k;
	uint32_t	cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i, &cp)) == 0)
			return false;
		i += k;
	}
	return true;
}

/*
 * XML 1.0 §2.2 Char, as a code point: no C0 control but tab (and the line
 * ends, which our text never holds), no DEL or C1 control, no surrogate
 * (refused by utf8_seq), and no noncharacter (U+FDD0..U+FDEF, and the
 * last two of every plane, U+FFFE and U+FFFF among them): a document
 * holding one is not XML, or not text for any reader.
 */
static bool
xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t';
	if (cp >= 0x7f && cp <= 0x9f)
		return false;
	if (cp >= 0xfdd0 && cp <= 0xfdef)
		return false;
	return (cp & 0xfffe) != 0xfffe;
}

/*
 * The length of the UTF-8 sequence at s[0] (not ASCII) when it is one XML
 * character, else 0.
 */
size_t
mac_xml_seq(const unsigned char *s, size_t n)
{
	size_t		k;
	uint32_t	cp;

	if ((k = utf8_seq(s, n, &cp)) == 0 || !xml_char_ok(cp))
		return 0;
	return k;
}

/* Text that may reach a document: valid UTF-8 of XML characters only. */
bool
mac_text_ok(const char *str, size_t n)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, k;

	while (i < n) {
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((k = mac_xml_seq(s + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

/*
 * The one printable filter: s[0..n) into dst as printable ASCII, every
 * other byte '?', at most cap - 1 bytes and a NUL (cap > 0); returns the
 * bytes written.  dst may be s.  Whatever a file, the command line or the
 * network holds reaches a log or a terminal only through here.
 */
size_t
mac_printable(char *dst, size_t cap, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
	return i;
}

/*
 * Up to n bytes of fd into buf, through short reads and EINTR; returns
 * the bytes read, fewer than n at the end of the file or on an error.
 */
size_t
mac_read_all(int fd, char *buf, size_t n)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* Every allocation goes through here, so tests can make one fail. */
void *
mac_alloc(size_t n)
{
	if (alloc_countdown > 0 && --alloc_countdown == 0)
		return NULL;
	return malloc(n);
}

void *
mac_realloc(void *p, size_t n)
{
	if (alloc_countdown > 0 && --alloc_countdown == 0)
		return NULL;
	return realloc(p, n);
}

void
mac_free(void *p)
{
	free(p);
}

void
mac_alloc_fail_after(long n)
{
	alloc_countdown = n;
}

/*
 * A domain name as DESIGN.md §2 wants it: labels of 1..63 letters, digits and
 * hyphens (no hyphen first or last), 253 bytes at most, lower-cased, one
 * trailing dot dropped, and not a dotted IP address (its last label all
 * digits).  Writes the normal form to dst (DOMAIN_MAX + 1 bytes).
 */
int
mac_domain(char *dst, size_t *dlen, const char *s, size_t n, const char **why)
{
	size_t	i, lab = 0, d = 0;
	bool	digits = true;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty domain";
		return -1;
	}
	if (n > DOMAIN_MAX) {
		*why = "domain longer than " LIMIT_STR(DOMAIN_MAX) " bytes";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-') {
				*why = "empty label or label ending in '-'";
				return -1;
			}
			lab = 0;
			digits = true;
			dst[d++] = c;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-')) {
			*why = "domain has a character other than letters, "
			    "digits, '-' and '.'";
			return -1;
		}
		if (c == '-' && lab == 0) {
			*why = "label starting with '-'";
			return -1;
		}
		if (c < '0' || c > '9')
			digits = false;
		if (++lab > LABEL_MAX) {
			*why = "label longer than " LIMIT_STR(LABEL_MAX) " bytes";
			return -1;
		}
		dst[d++] = c;
	}
	if (lab == 0 || s[n - 1] == '-') {
		*why = "empty label or label ending in '-'";
		return -1;
	}
	if (digits) {
		*why = "domain is an IP address";
		return -1;
	}
	dst[d] = '\0';
	*dlen = d;
	return 0;
}

/* ---- arena: every byte of a config, freed at once ------------------- */

struct arena {
	struct arena	*next;
	size_t		 used;
	size_t		 cap;
	max_align_t	 data[];
};

#define ARENA_CHUNK	(64 * 1024)

void *
arena_alloc(struct arena **ap, size_t n)
{
	struct arena	*a = *ap;
	size_t		 al = sizeof(max_align_t);
	void		*p;

	n = (n + al - 1) / al * al;
	if (a == NULL || a->cap - a->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		if ((a = mac_alloc(sizeof(*a) + cap)) == NULL)
			return NULL;
		a->next = *ap;
		a->used = 0;
		a->cap = cap;
		*ap = a;
	}
	p = (char *)a->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena **ap, const char *s, size_t n)
{
	char	*p;

	if ((p = arena_alloc(ap, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_free(struct arena *a)
{
	while (a != NULL) {
		struct arena *n = a->next;

		mac_free(a);
		a = n;
	}
}

/* Make room for one more element; the old block stays in the arena. */
void *
arena_push(struct arena **ap, void *arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t	 nc = *cap == 0 ? 4 : *cap * 2;
		void	*na;

		if ((na = arena_alloc(ap, nc * sz)) == NULL)
			return NULL;
		if (*n > 0)
			memcpy(na, arr, *n * sz);
		arr = na;
		*cap = nc;
	}
	(*n)++;
	return arr;
}
