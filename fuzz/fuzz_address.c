/*
 * fuzz_address.c: req_address and req_host, the address and Host rules
 * of DESIGN.md §2.  An accepted address must come out within its limits, with
 * a lower-case LDH domain and the local part unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
ldh_domain(const char *d, size_t n)
{
	size_t	i;

	if (n == 0 || n > DOMAIN_MAX || strlen(d) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= '0' && d[i] <= '9') || d[i] == '-' || d[i] == '.'))
			return false;
	return d[0] != '.' && d[0] != '-';
}

static void
check_address(const struct address *a, const char *s)
{
	size_t	ll = strlen(a->local);

	if (ll == 0 || ll > LOCAL_MAX || memcmp(a->local, s, ll) != 0 ||
	    s[ll] != '@')
		abort();
	/* a UTF-8 domain comes out as its A-label: longer, but LDH */
	if (!ldh_domain(a->domain, a->dlen))
		abort();
	if (strlen(a->full) != ll + 1 + a->dlen || strlen(a->full) > ADDR_MAX)
		abort();
	if (!mac_text_ok(a->local, ll))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct address	 a;
	char		*s, host[DOMAIN_MAX + 1];
	const char	*why = NULL;
	int		 st;

	/* exact-size copy: ASan sees a read past the input */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	st = req_address(&a, s, size, &why);
	if (st == 0)
		check_address(&a, s);
	else if (st != 400 || why == NULL)
		abort();
	why = NULL;
	st = req_host(host, s, &why);
	if (st == 0 && !ldh_domain(host, strlen(host)))
		abort();
	if (st != 0 && (st != 400 || why == NULL))
		abort();
	free(s);
	return 0;
}
