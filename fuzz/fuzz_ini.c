/*
 * fuzz_ini.c: prov_load_mem, the same path as loading a file (the raw
 * check, inih through our reader, the handler, values, the domain table).
 * A config that loads is rendered for each of its providers, as
 * `--check` does, and so are its PACC documents, DAV redirects and
 * `--dns` records (to /dev/null), what --check warns of included.
 * The files that include and domains_file name come from the input too,
 * through an in-memory file hook (prov_fs): the input is the INI, then
 * after each line "%%%" one more file, named f1, f2, ... (so that
 * "include = f*" and "domains_file = f2" reach them).  With
 * MAC_FUZZ_OOM=1 in the environment each input is
 * loaded a second time with one allocation failing: the load must fail
 * cleanly (LeakSanitizer finds what it left behind).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static bool		oom_round;
static struct request	req;
static char		buf[OUT_MAX];
static FILE		*devnull;

/* ---- the files of the input ----------------------------------------- */

#define NFILES	8
static struct {
	const char	*p;
	size_t		 n;
}		 files[NFILES];
static size_t	 nfiles;
static const char sep[] = "\n%%%\n";

/* The INI (files[0]) and the files after it. */
static void
split(const char *d, size_t n)
{
	const char	*e, *m;

	if (n == 0)
		d = "";
	e = d + n;
	nfiles = 0;
	while (nfiles < NFILES) {
		m = memmem(d, (size_t)(e - d), sep, sizeof(sep) - 1);
		files[nfiles].p = d;
		files[nfiles++].n = m != NULL ? (size_t)(m - d) : (size_t)(e - d);
		if (m == NULL)
			break;
		d = m + sizeof(sep) - 1;
	}
}

/* "f3" -> 3; anything else -> 0 (no such file) */
static size_t
file_no(const char *path)
{
	if (path[0] != 'f' || path[1] < '1' || path[1] > '0' + NFILES - 1 ||
	    path[2] != '\0' || (size_t)(path[1] - '0') >= nfiles)
		return 0;
	return (size_t)(path[1] - '0');
}

static int
mem_read(const char *path, char **bufp, size_t *len, struct stat *st,
    const char **why)
{
	size_t	i = file_no(path);

	*why = strerror(ENOENT);
	if (i == 0 || (*bufp = mac_alloc(files[i].n + 1)) == NULL)
		return -1;
	memcpy(*bufp, files[i].p, files[i].n);
	(*bufp)[files[i].n] = '\0';
	*len = files[i].n;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0644;
	st->st_size = (off_t)files[i].n;
	st->st_ino = (ino_t)i + 1;
	st->st_dev = 1;
	return 0;
}

static int
mem_glob(const char *pat, char ***names, size_t *n, const char **why)
{
	char	name[3] = "f0";
	size_t	i;

	*n = 0;
	*why = "out of memory";
	if ((*names = mac_alloc(NFILES * sizeof(**names))) == NULL)
		return -1;
	for (i = 1; i < nfiles; i++) {
		name[1] = (char)('0' + i);
		if (fnmatch(pat, name, 0) != 0)
			continue;
		if (((*names)[*n] = mac_alloc(3)) == NULL) {
			prov_names_free(*names, *n);
			return -1;
		}
		memcpy((*names)[(*n)++], name, 3);
	}
	return 0;
}

static const struct prov_fs mem_fs = { mem_read, mem_glob };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*e = getenv("MAC_FUZZ_OOM");

	(void)argc;
	(void)argv;
	oom_round = e != NULL && strcmp(e, "1") == 0;
	prov_fs = &mem_fs;
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
	split((const char *)data, size);
	cf = prov_load_mem(files[0].p, files[0].n, "fuzz.ini", &d);
	if ((cf == NULL) != (d.errors > 0))
		abort();
	if (cf != NULL)
		render(cf);
	prov_free(cf);
	if (!oom_round)
		return 0;
	memset(&d, 0, sizeof(d));
	mac_alloc_fail_after((long)(spread(data, size) % 48) + 1);
	cf = prov_load_mem(files[0].p, files[0].n, "fuzz.ini", &d);
	mac_alloc_fail_after(0);
	if ((cf == NULL) != (d.errors > 0))
		abort();
	prov_free(cf);
	return 0;
}
