/*
 * fuzz_ini.c: prov_load_mem, the same path as loading a file (the raw
 * check, inih through our reader, the handler, values, the domain table).
 * A config that loads is rendered for each of its providers, as
 * `--check` does, and so are its PACC documents, DAV redirects and
 * `--dns` records (to /dev/null), what --check warns of included.  With MAC_FUZZ_OOM=1 in the environment each input is
 * loaded a second time with one allocation failing: the load must fail
 * cleanly (LeakSanitizer finds what it left behind).
 */
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static bool		oom_round;
static struct request	req;
static char		buf[OUT_MAX];
static FILE		*devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*e = getenv("MAC_FUZZ_OOM");

	(void)argc;
	(void)argv;
	oom_round = e != NULL && strcmp(e, "1") == 0;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

/* A redirect is a whole printable header line, or none. */
static void
redirect(const struct provider *p, const char *domain, bool card)
{
	char		 loc[512];
	const char	*why;
	size_t		 i;

	if (dav_redirect(p, domain, card, loc, sizeof(loc), &why) != 307)
		return;
	if (strncmp(loc, "Location: https://", 18) != 0)
		abort();
	for (i = 0; loc[i] != '\0'; i++)
		if (loc[i] < ' ' || loc[i] >= 0x7f)
			abort();
}

/* The answers of one domain that --check does not render. */
static void
render_domain(const struct provider *p, const char *domain)
{
	struct out	o;

	out_init(&o, buf, sizeof(buf));
	if (pacc_render(p, domain, &o) == 200 && !o.err &&
	    (o.len < 2 || buf[0] != '{' || buf[o.len - 1] != '}'))
		abort();
	redirect(p, domain, false);
	redirect(p, domain, true);
}

static void
render(const struct config *cf)
{
	struct diag	d = { devnull, true, 0, 0 };
	struct out	o;
	size_t		i, j;

	for (i = 0; i < cf->nprov; i++) {
		const struct provider *p = &cf->prov[i];

		if (p->ndomains == 0 || p->name == NULL)
			abort();
		for (j = 0; j < p->ndomains; j++)
			if (prov_lookup(cf, p->domains[j],
			    strlen(p->domains[j])) != p)
				abort();
		memset(&req, 0, offsetof(struct request, body));
		req.dlen = mac_strlcpy(req.domain, p->domains[0],
		    sizeof(req.domain));
		out_init(&o, buf, sizeof(buf));
		ac_render(&req, cf, p, &o);
		out_init(&o, buf, sizeof(buf));
		ad_render(&req, cf, p, &o);
		for (j = 0; j < p->ndomains; j++)
			render_domain(p, p->domains[j]);
	}
	pacc_warn(cf, &d);
	dns_print(cf, NULL, 0, devnull);
}

/* FNV-1a, to spread the failing allocation over the inputs. */
static unsigned long
spread(const uint8_t *d, size_t n)
{
	unsigned long	h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 d = { NULL, true, 0, 0 };
	struct config	*cf;

	if (size > 256 * 1024)
		return 0;
	cf = prov_load_mem((const char *)data, size, "fuzz.ini", &d);
	if ((cf == NULL) != (d.errors > 0))
		abort();
	if (cf != NULL)
		render(cf);
	prov_free(cf);
	if (!oom_round)
		return 0;
	memset(&d, 0, sizeof(d));
	mac_alloc_fail_after((long)(spread(data, size) % 48) + 1);
	cf = prov_load_mem((const char *)data, size, "fuzz.ini", &d);
	mac_alloc_fail_after(0);
	if ((cf == NULL) != (d.errors > 0))
		abort();
	prov_free(cf);
	return 0;
}
