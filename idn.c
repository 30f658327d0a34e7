/*
 * idn.c: internationalised domain names (DESIGN.md §2: a UTF-8 domain is
 * looked up by its A-label, its punycode form).
 *
 * A domain with bytes >= 0x80 is mapped with libidn2 (UTS #46,
 * non-transitional, as browsers and mail clients resolve names: "ß" stays
 * "ß", upper case folds) to its A-label form, which then passes the same
 * LDH rules as any other domain.  Everything we write stays ASCII.
 *
 * libidn2 allocates its result; that happens only for non-ASCII domains,
 * and the result is freed before we return.
 */
#include <string.h>

#include <idn2.h>

#include "mailautoconf.h"

/* UTF-8 takes at most 4 bytes a code point (RFC 3629). */
#define IDN_IN_MAX	(4 * DOMAIN_MAX)

int
mac_domain_idn(char *dst, size_t *dlen, const char *s, size_t n,
    const char **why)
{
	char	 in[IDN_IN_MAX + 1];
	char	*out = NULL;
	size_t	 i;
	int	 rc, st;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == n)
		return mac_domain(dst, dlen, s, n, why);
	if (n > IDN_IN_MAX) {
		*why = "domain longer than " LIMIT_STR(DOMAIN_MAX) " bytes";
		return -1;
	}
	if (!mac_text_ok(s, n) || memchr(s, '\0', n) != NULL) {
		*why = "domain is not valid UTF-8 text";
		return -1;
	}
	memcpy(in, s, n);
	in[n] = '\0';
	rc = idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&out,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK || out == NULL) {
		idn2_free(out);
		*why = "domain is not a valid internationalised name";
		return -1;
	}
	st = mac_domain(dst, dlen, out, strlen(out), why);
	idn2_free(out);
	return st;
}
