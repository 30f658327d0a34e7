/*
 * fuzz_image.c: the reader of compiled configs (image.c) on arbitrary
 * bytes.  The input is an image, opened twice: as it is, and with its
 * checksums made right first (img_reseal), so that mutations reach the
 * checks of the values behind them.  An image that opens is asked
 * for a few domains and, for each provider it yields, for that provider's
 * domains; every answer is rendered: nothing may crash, leak or read
 * outside the input (ASan), whatever the bytes.
 */
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct request	req;
static char		buf[OUT_MAX];

static const char *const names[] = {
	"mailbox.org", "example.net", "example.com", "full.example", "x",
	"",
};

static void
render(const struct config *cf, const struct provider *p, const char *d)
{
	struct out	o;

	memset(&req, 0, offsetof(struct request, body));
	req.dlen = mac_strlcpy(req.domain, d, sizeof(req.domain));
	req.has_addr = true;
	mac_strlcpy(req.addr.full, "jane@x", sizeof(req.addr.full));
	mac_strlcpy(req.addr.local, "jane", sizeof(req.addr.local));
	mac_strlcpy(req.addr.domain, d, sizeof(req.addr.domain));
	req.addr.dlen = req.dlen;
	out_init(&o, buf, sizeof(buf));
	ac_render(&req, cf, p, &o);
	out_init(&o, buf, sizeof(buf));
	ad_render(&req, cf, p, &o);
	out_init(&o, buf, sizeof(buf));
	ad_json(&req, cf, p, &o);
	out_init(&o, buf, sizeof(buf));
	mc_render(&req, cf, p, &o);
}

static void
count(void *arg, const char *d, size_t n)
{
	(void)d;
	(void)n;
	(*(size_t *)arg)++;
}

/* What reloads and --check ask of an image: its domains, its files. */
static void
walk(const struct config *cf)
{
	size_t	i, n = 0;

	prov_each_domain(cf, count, &n);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)prov_served(cf, names[i], strlen(names[i]));
	for (i = 0; i < cf->nsrc; i++)
		if (cf->src[i].path == NULL || cf->src[i].path[0] == '\0')
			abort();
	for (i = 0; i < cf->npat; i++)
		if (cf->pat[i].pattern == NULL || (cf->pat[i].nmatch > 0 &&
		    cf->pat[i].match[cf->pat[i].nmatch - 1] == NULL))
			abort();
}

static void
one(const unsigned char *img, size_t size)
{
	struct config		*cf;
	const struct provider	*p, *q;
	const char		*why;
	size_t			 i, j;

	if ((cf = img_open_mem(img, size, NULL, &why)) == NULL)
		return;
	walk(cf);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((p = prov_lookup(cf, names[i], strlen(names[i]))) == NULL)
			continue;
		render(cf, p, names[i]);
		/*
		 * and its own domains (a resealed image may list domains its
		 * table does not have: what a hostile writer can do anyway)
		 */
		for (j = 0; j < p->ndomains && j < 8; j++)
			if ((q = prov_lookup(cf, p->domains[j],
			    strlen(p->domains[j]))) != NULL)
				render(cf, q, p->domains[j]);
	}
	prov_free(cf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*copy;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	one(copy, size);
	img_reseal(copy, size);
	one(copy, size);
	free(copy);
	return 0;
}
