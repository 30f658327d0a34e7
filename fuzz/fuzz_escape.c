/*
 * fuzz_escape.c: xml_escape.  What it accepts must be text (mac_text_ok),
 * what it writes must hold no markup character but as one of the five
 * entities, and unescaping the output must give the input back.  The
 * first byte sets the output capacity, so that the "does not fit" path is
 * taken too: it must fail rather than cut.
 */
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The five predefined entities back to their bytes; -1 on anything else. */
static ssize_t
unescape(char *dst, const char *s, size_t n)
{
	static const struct {
		const char	*e;
		size_t		 l;
		char		 c;
	} ents[] = {
		{ "&amp;", 5, '&' }, { "&lt;", 4, '<' }, { "&gt;", 4, '>' },
		{ "&quot;", 6, '"' }, { "&apos;", 6, '\'' },
	};
	size_t	i = 0, d = 0, k;

	while (i < n) {
		if (strchr("<>\"'", s[i]) != NULL && s[i] != '\0')
			return -1;
		if (s[i] != '&') {
			dst[d++] = s[i++];
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (n - i >= ents[k].l &&
			    memcmp(s + i, ents[k].e, ents[k].l) == 0)
				break;
		if (k == sizeof(ents) / sizeof(ents[0]))
			return -1;
		dst[d++] = ents[k].c;
		i += ents[k].l;
	}
	return (ssize_t)d;
}

static size_t
escaped_len(const char *s, size_t n)
{
	size_t	i, l = 0;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '&': l += 5; break;
		case '<': case '>': l += 4; break;
		case '"': case '\'': l += 6; break;
		default: l++; break;
		}
	return l;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;
	char		*out, *back;
	size_t		 n, cap, dlen = 0;
	ssize_t		 bl;
	bool		 ok;

	if (size < 1)
		return 0;
	n = size - 1;
	cap = data[0] == 0xff ? 6 * n : (size_t)data[0] % 64 + n;
	if ((out = malloc(cap == 0 ? 1 : cap)) == NULL ||
	    (back = malloc(cap + 1)) == NULL)
		abort();
	ok = xml_escape(out, cap, s, n, &dlen);
	if (!mac_text_ok(s, n)) {
		if (ok)
			abort();
	} else if (ok != (escaped_len(s, n) <= cap))
		abort();
	if (ok) {
		if (dlen > cap || (bl = unescape(back, out, dlen)) < 0 ||
		    (size_t)bl != n || memcmp(back, s, n) != 0)
			abort();
	}
	free(out);
	free(back);
	return 0;
}
