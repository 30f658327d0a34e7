/*
 * probe.c: mailautoconf-probe ADDRESS -- replays every client's discovery
 * list against the live deployment and says, per client, which step
 * works or why each fails, with a fix in one line.  Options, the set-up
 * of the look-ups, and the output (text for people, --json for scripts).
 * Exit status: 0 every client sets up, 1 some cannot, 2 the probe could
 * not run.  Everything printed that came from the network goes through
 * pp_show (text) or json_str (JSON): bounded, control bytes replaced.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libpsl.h>

#include "probe_client.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

static const char *const vnames[] = { "ok", "warn", "FAIL", "skip" };
static const char *const jnames[] = { "ok", "warn", "fail", "skip" };

static struct clientres	 results[8];
/* --all: what a domain's DNS records and certificate lack against the
 * plan, "dns" or "cert" */
struct finding {
	const char	*kind;
	char		 text[PR_MSG_MAX];
};
static struct finding	 finds[PR_DRIFT_MAX];
static size_t		 nfind;
static time_t		 run_end;	/* --max-time; 0: a single address */
static struct pctx	 ctx;
static struct config	*config;	/* -c, kept to free it */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mailautoconf-probe [-c providers.ini] [--json] "
	    "[--resolver IP[:PORT]]\n"
	    "           [--connect-to HOST:PORT:IP:PORT]... [--ca FILE] "
	    "[--timeout S]\n"
	    "           [--route one-cert|per-domain] ADDRESS | --all | "
	    "--domains FILE\n"
	    "           (--all, --domains: [--jobs N] [--max-time S])\n"
	    "       mailautoconf-probe --help | --version\n");
}

static int
die(const char *what, const char *why)
{
	char	w[PR_MSG_MAX], s[PR_MSG_MAX];

	/* a file name too is shown safely: an ESC in it never reaches a tty */
	pp_show(s, sizeof(s), what, strlen(what));
	pp_show(w, sizeof(w), why, strlen(why));
	fprintf(stderr, "mailautoconf-probe: %s: %s\n", s, w);
	return 2;
}

/* ---- output --------------------------------------------------------- */

/* one value, safe to print: bounded, printable ASCII only */
static void
put(FILE *fp, const char *pre, const char *s)
{
	char	buf[PR_URL_MAX + PR_MSG_MAX];

	pp_show(buf, sizeof(buf), s, strlen(s));
	fprintf(fp, "%s%s\n", pre, buf);
}

static void
text_step(FILE *fp, size_t i, const struct stepres *sr)
{
	char	w[PR_URL_MAX];

	pp_show(w, sizeof(w), sr->what, strlen(sr->what));
	fprintf(fp, "  %2zu %-4s  %s\n", i + 1, vnames[sr->verdict], w);
	if (sr->note[0] != '\0')
		put(fp, "           ", sr->note);
	if (sr->problem[0] != '\0')
		put(fp, "           ", sr->problem);
	if (sr->fix[0] != '\0' && sr->verdict != PV_OK &&
	    sr->verdict != PV_SKIP)
		put(fp, "           fix: ", sr->fix);
}

static void
text_server(FILE *fp, const struct srvuse *u)
{
	const struct pcheck	*c = &pc_checks[u->check];
	char			 h[PR_SHOW_MAX], days[64] = "";

	pp_show(h, sizeof(h), c->s.host, strlen(c->s.host));
	if (c->m.days > -1000)
		pr_msg(days, sizeof(days), ", certificate %s %ld days",
		    c->m.days >= 0 ? "valid for" : "expired", c->m.days >= 0 ?
		    c->m.days : -c->m.days);
	fprintf(fp, "     %-4s  server %s %s:%u %s%s%s\n",
	    vnames[c->m.verdict], srv_names[c->s.type], h, c->s.port,
	    sock_names[c->s.sock], u->primary ? " (default)" : "", days);
	if (c->m.problem[0] != '\0')
		put(fp, "           ", c->m.problem);
	if (c->m.fix[0] != '\0')
		put(fp, "           fix: ", c->m.fix);
}

static void
text_out(FILE *fp, size_t n)
{
	size_t	i, j;

	fprintf(fp, "mailautoconf-probe %s: %s\n", VERSION, ctx.addr.full);
	if (ctx.mx[0] != '\0')
		fprintf(fp, "MX of %s: %s\n", ctx.addr.domain, ctx.mx);
	fprintf(fp, "route: %s\n", ctx.onecert ? "one certificate for the "
	    "web server (the _autodiscover._tcp SRV record)" : "per domain "
	    "(autoconfig.D and autodiscover.D on the certificate)");
	for (i = 0; i < n; i++) {
		const struct clientres *r = &results[i];

		fprintf(fp, "\n== %s\n", pc_client_name(i));
		for (j = 0; j < r->nsteps; j++)
			text_step(fp, j, &r->steps[j]);
		for (j = 0; j < r->nuse; j++)
			text_server(fp, &r->use[j]);
		if (r->unchecked > 0)
			fprintf(fp, "     skip  %zu more servers of the answer "
			    "not checked (the first %d are)\n", r->unchecked,
			    PR_MAIL_CHECKS);
	}
	fprintf(fp, "\n");
	for (i = 0; i < n; i++) {
		char	s[PR_MSG_MAX];

		pp_show(s, sizeof(s), results[i].summary,
		    strlen(results[i].summary));
		fprintf(fp, "%-12s %-4s  %s\n", pc_client_id(i),
		    vnames[results[i].verdict], s);
		if (results[i].verdict == PV_FAIL && results[i].fix[0])
			put(fp, "                   fix: ", results[i].fix);
	}
}

/* a JSON string: printable ASCII as is, everything else escaped */
static void
json_str(FILE *fp, const char *s)
{
	size_t	n = 0;

	fputc('"', fp);
	for (; *s != '\0' && n < PR_URL_MAX + PR_MSG_MAX; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, fp);
		else
			fprintf(fp, "\\u%04x", c);
	}
	fputc('"', fp);
}

static void
json_kv(FILE *fp, const char *k, const char *v, bool comma)
{
	fprintf(fp, "\"%s\":", k);
	json_str(fp, v);
	if (comma)
		fputc(',', fp);
}

static void
json_server(FILE *fp, const struct srvuse *u)
{
	const struct pcheck *c = &pc_checks[u->check];

	fprintf(fp, "{\"type\":\"%s\",", srv_names[c->s.type]);
	json_kv(fp, "host", c->s.host, true);
	fprintf(fp, "\"port\":%u,\"tls\":\"%s\",\"default\":%s,\"verdict\":"
	    "\"%s\",", c->s.port, sock_names[c->s.sock], u->primary ? "true" :
	    "false", jnames[c->m.verdict]);
	if (c->m.days > -1000)
		fprintf(fp, "\"days\":%ld,", c->m.days);
	json_kv(fp, "problem", c->m.problem, true);
	json_kv(fp, "fix", c->m.fix, false);
	fputc('}', fp);
}

static void
json_client(FILE *fp, size_t i)
{
	const struct clientres	*r = &results[i];
	size_t			 j;

	fprintf(fp, "{\"id\":\"%s\",", pc_client_id(i));
	json_kv(fp, "name", pc_client_name(i), true);
	fprintf(fp, "\"future\":%s,\"verdict\":\"%s\",\"step\":%d,"
	    "\"unchecked\":%zu,", pc_client_future(i) ? "true" : "false",
	    jnames[r->verdict], r->chosen + 1, r->unchecked);
	json_kv(fp, "summary", r->summary, true);
	json_kv(fp, "fix", r->fix, true);
	fprintf(fp, "\"steps\":[");
	for (j = 0; j < r->nsteps; j++) {
		const struct stepres *s = &r->steps[j];

		fprintf(fp, "%s{\"n\":%zu,\"verdict\":\"%s\",", j ? "," : "",
		    j + 1, jnames[s->verdict]);
		json_kv(fp, "what", s->what, true);
		json_kv(fp, "note", s->note, true);
		json_kv(fp, "problem", s->problem, true);
		json_kv(fp, "fix", s->fix, false);
		fputc('}', fp);
	}
	fprintf(fp, "],\"servers\":[");
	for (j = 0; j < r->nuse; j++) {
		if (j)
			fputc(',', fp);
		json_server(fp, &r->use[j]);
	}
	fprintf(fp, "]}");
}

/* "name":[the findings of this kind], */
static void
json_finds(FILE *fp, const char *name, const char *kind)
{
	size_t	i, k = 0;

	fprintf(fp, "\"%s\":[", name);
	for (i = 0; i < nfind; i++)
		if (strcmp(finds[i].kind, kind) == 0) {
			if (k++)
				fputc(',', fp);
			json_str(fp, finds[i].text);
		}
	fprintf(fp, "],");
}

static void
json_out(FILE *fp, size_t n, int rc)
{
	size_t	i;

	fputc('{', fp);
	json_kv(fp, "address", ctx.addr.full, true);
	json_kv(fp, "domain", ctx.addr.domain, true);
	json_kv(fp, "mx", ctx.mx, true);
	json_kv(fp, "route", ctx.onecert ? "one-cert" : "per-domain", true);
	fprintf(fp, "\"clients\":[");
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', fp);
		json_client(fp, i);
	}
	fprintf(fp, "],");
	json_finds(fp, "drift", "dns");
	json_finds(fp, "certificate", "cert");
	fprintf(fp, "\"exit\":%d}\n", rc);
}

/* ---- set-up ----------------------------------------------------------- */

static void
encode(const char *s, char *dst, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	o = 0;

	for (; *s != '\0' && o + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			dst[o++] = (char)c;
		else {
			dst[o++] = '%';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
}

/* the MX host and the two names Thunderbird derives from it */
static int
mx_names(struct pctx *x)
{
	const char	*dot, *base;
	enum pd_rc	 rc;

	rc = pd_mx(x->addr.domain, x->mx, sizeof(x->mx));
	if (rc == PD_FAIL)
		return die("DNS", pd_error());
	if (rc != PD_OK || !pp_hostname(x->mx)) {
		x->mx[0] = '\0';
		return rc == PD_NXDOMAIN ? 1 : 0;
	}
	if ((dot = strchr(x->mx, '.')) != NULL && strchr(dot + 1, '.') != NULL)
		mac_strlcpy(x->mxfull, dot + 1, sizeof(x->mxfull));
	base = psl_registrable_domain(psl_builtin(), x->mx);
	if (base != NULL)
		mac_strlcpy(x->mxbase, base, sizeof(x->mxbase));
	return 0;
}

static void
web_host(struct pctx *x)
{
	struct pd_addrs	a;
	char		n[DOMAIN_MAX + 16];

	mac_strlcpy(x->webhost, "WEBSERVER", sizeof(x->webhost));
	if (x->cf != NULL && x->cf->web_host != NULL) {
		mac_strlcpy(x->webhost, x->cf->web_host, sizeof(x->webhost));
		return;
	}
	pr_msg(n, sizeof(n), "autodiscover.%s", x->addr.domain);
	if (pd_addr(n, &a) == PD_OK && a.cname[0] != '\0')
		mac_strlcpy(x->webhost, a.cname, sizeof(x->webhost));
	pr_msg(n, sizeof(n), "autoconfig.%s", x->addr.domain);
	if (pd_addr(n, &a) == PD_OK && a.cname[0] != '\0')
		mac_strlcpy(x->webhost, a.cname, sizeof(x->webhost));
}

/* the web server's canonical name and an address: what fixes may name */
static void
web_canon(struct pctx *x)
{
	struct pd_addrs	a;

	if (strcmp(x->webhost, "WEBSERVER") == 0 ||
	    pd_addr(x->webhost, &a) != PD_OK)
		return;
	mac_strlcpy(x->webcanon, a.cname[0] != '\0' ? a.cname : x->webhost,
	    sizeof(x->webcanon));
	mac_strlcpy(x->webaddr, a.a[0], sizeof(x->webaddr));
}

/* the routes of docs/deploy.md, section 4 */
enum proute {
	ROUTE_AUTO, ROUTE_ONECERT, ROUTE_PERDOMAIN
};
static const char *const route_names[] = {
	"auto", "one-cert", "per-domain"
};

/*
 * The one-certificate route: the _autodiscover._tcp SRV record and no
 * autodiscover.D (what `mailautoconf --dns --srv-only` publishes).  A
 * domain without autodiscover.D is judged by it, with or without the SRV
 * record: a domain whose records are all missing gets the fixes of the
 * route that needs the fewest (and those serve the other route too).
 */
static void
set_route(struct pctx *x, enum proute r)
{
	struct pd_addrs	a;
	char		n[DOMAIN_MAX + 32];

	if (r != ROUTE_AUTO) {
		x->onecert = r == ROUTE_ONECERT;
		return;
	}
	pr_msg(n, sizeof(n), "autodiscover.%s", x->addr.domain);
	x->onecert = pd_addr(n, &a) == PD_NXDOMAIN;
}

/* the config and the resolver, once per run */
static int
setup_run(const char *conf, const char *resolver)
{
	struct diag	 d = { stderr, false, 0, 0 };
	char		 err[PR_MSG_MAX];

	if (conf != NULL) {
		if ((config = prov_load_file(conf, &d)) == NULL)
			return die(conf, "cannot load the config");
		ctx.cf = config;
	}
	if (pd_init(resolver, err, sizeof(err)) != 0)
		return die("DNS", err);
	return 0;
}

/* seconds one domain may take: its own, or what is left of the run's */
static long
domain_time(void)
{
	long	secs = pr_timeout * PR_DEADLINE_STEPS;
	time_t	now = time(NULL);

	if (run_end != 0 && run_end - now < secs)
		secs = run_end > now ? (long)(run_end - now) : 1;
	return secs;
}

/* one address: its domain's MX, web server and route; 2 when it cannot */
static int
setup_addr(const char *arg, const char *conf, enum proute r)
{
	const struct config	*cf = ctx.cf;
	struct pd_addrs		 a;
	const char		*why;
	size_t			 xl;
	int			 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cf = cf;
	if (req_address(&ctx.addr, arg, strlen(arg), &why) != 0)
		return die("not an e-mail address", why);
	encode(ctx.addr.full, ctx.qaddr, sizeof(ctx.qaddr));
	if (!xml_escape(ctx.xaddr, sizeof(ctx.xaddr) - 1, ctx.addr.full,
	    strlen(ctx.addr.full), &xl))
		return die("not an e-mail address", "not valid text");
	ctx.xaddr[xl] = '\0';
	if (cf != NULL && (ctx.prov = prov_lookup(cf, ctx.addr.domain,
	    strlen(ctx.addr.domain))) == NULL) {
		char	c[PR_MSG_MAX];

		pp_show(c, sizeof(c), conf, strlen(conf));
		fprintf(stderr, "mailautoconf-probe: %s is not in %s: "
		    "answers are not compared\n", ctx.addr.domain, c);
	}
	/* everything of one domain ends within its time, and the run's */
	pn_deadline(domain_time());
	if ((rc = mx_names(&ctx)) != 0) {
		if (rc == 2)
			return 2;
		if (pd_addr(ctx.addr.domain, &a) == PD_NXDOMAIN)
			return die(ctx.addr.domain, "no such domain in DNS "
			    "(NXDOMAIN)");
	}
	web_host(&ctx);
	web_canon(&ctx);
	set_route(&ctx, r);
	return 0;
}

/* every client on ctx; 1 when one that counts cannot set up */
static int
run_clients(size_t n)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < n; i++) {
		pc_run(&ctx, i, &results[i]);
		if (results[i].verdict == PV_FAIL && !pc_client_future(i))
			rc = 1;
	}
	return rc;
}

struct opts {
	const char	*conf, *resolver, *ca;
	const char	*domains;	/* --domains FILE */
	const char	*fleet;		/* --all or --domains: not NULL */
	size_t		 jobs;		/* --jobs */
	long		 max_time;	/* --max-time, seconds */
	bool		 json;
	enum proute	 route;
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "resolver", required_argument, NULL, 'r' },
	{ "connect-to", required_argument, NULL, 't' },
	{ "ca", required_argument, NULL, 'a' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "route", required_argument, NULL, 'R' },
	{ "all", no_argument, NULL, 'A' },
	{ "domains", required_argument, NULL, 'D' },
	{ "jobs", required_argument, NULL, 'J' },
	{ "max-time", required_argument, NULL, 'M' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* the options with a number: -1 go on, else the exit status */
static int
option_num(int ch, struct opts *o)
{
	long long	v;

	switch (ch) {
	case 'T':
		if (mac_strtonum(optarg, 1, PR_TIMEOUT_MAX, &v) != 0)
			return die("--timeout", "want 1 to 60 seconds");
		pr_timeout = (long)v;
		break;
	case 'J':
		if (mac_strtonum(optarg, 1, PR_JOBS_MAX, &v) != 0)
			return die("--jobs", "want 1 to 32");
		o->jobs = (size_t)v;
		break;
	case 'M':
		if (mac_strtonum(optarg, 1, PR_RUN_MAX, &v) != 0)
			return die("--max-time", "want 1 to 86400 seconds");
		o->max_time = (long)v;
		break;
	}
	return -1;
}

/* one option: -1 go on, else the exit status */
static int
option(int ch, struct opts *o)
{
	int	r;

	switch (ch) {
	case 'c':
		o->conf = optarg;
		break;
	case 'j':
		o->json = true;
		break;
	case 'r':
		o->resolver = optarg;
		break;
	case 't':
		if (pn_route_add(optarg) != 0)
			return die("--connect-to", "want HOST:PORT:IP:PORT "
			    "(at most 32)");
		break;
	case 'a':
		if (access(optarg, R_OK) != 0)
			return die(optarg, "cannot read the CA file");
		o->ca = optarg;
		break;
	case 'R':
		for (r = 1; r < 3 && strcmp(optarg, route_names[r]) != 0; r++)
			;
		if (r == 3)
			return die("--route", "want one-cert or per-domain");
		o->route = (enum proute)r;
		break;
	case 'A':
		o->fleet = "--all";
		break;
	case 'D':
		o->fleet = o->domains = optarg;
		break;
	case 'T': case 'J': case 'M':
		return option_num(ch, o);
	case 'h':
		usage(stdout);
		return 0;
	case 'V':
		printf("mailautoconf-probe %s\n", VERSION);
		return 0;
	default:
		usage(stderr);
		return 2;
	}
	return -1;
}

/* -1: go on; else the exit status */
static int
options(int argc, char *argv[], struct opts *o)
{
	int	ch, rc;

	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1)
		if ((rc = option(ch, o)) >= 0)
			return rc;
	if (argc - optind != (o->fleet != NULL ? 0 : 1)) {
		usage(stderr);
		return 2;
	}
	if (o->fleet != NULL && o->domains == NULL && o->conf == NULL)
		return die("--all", "needs -c providers.ini");
	return -1;
}

/* ---- DNS drift: the records `mailautoconf --dns` prints, as published --- */

#define FIND(k, ...)	do {						\
	if (nfind < PR_DRIFT_MAX) {					\
		finds[nfind].kind = (k);				\
		pr_msg(finds[nfind++].text, PR_MSG_MAX, __VA_ARGS__);	\
	}								\
} while (0)
#define DRIFT(...)	FIND("dns", __VA_ARGS__)

/* the end of a name's CNAME chain, or the name itself */
static void
canon(const char *name, char *dst, size_t n)
{
	struct pd_addrs	a;

	if (pd_addr(name, &a) == PD_OK && a.cname[0] != '\0')
		mac_strlcpy(dst, a.cname, n);
	else
		mac_strlcpy(dst, name, n);
}

static void
drift_cname(const char *name, const char *target)
{
	struct pd_addrs	a;
	char		c[DOMAIN_MAX + 1];
	enum pd_rc	rc = pd_addr(name, &a);

	canon(target, c, sizeof(c));
	if (rc == PD_NXDOMAIN || rc == PD_NODATA)
		DRIFT("missing: `%s. CNAME %s.`", name, target);
	else if (rc == PD_OK && a.cname[0] == '\0')
		DRIFT("different: %s has its own address, the plan is "
		    "`CNAME %s.`", name, target);
	else if (rc == PD_OK && strcasecmp(a.cname, c) != 0)
		DRIFT("different: %s leads to %s, the plan to %s", name,
		    a.cname, c);
}

/* "PRIO WEIGHT PORT TARGET." of the plan against the published record */
static void
drift_srv(const char *name, const char *data)
{
	struct pd_addrs	 a;
	char		 t[DOMAIN_MAX + 1], want[DOMAIN_MAX + 1];
	unsigned	 port = 0, wport = 0, pr, w;
	enum pd_rc	 rc;

	if (sscanf(data, "%u %u %u %253s", &pr, &w, &wport, want) != 4)
		return;
	if (strcmp(want, ".") == 0)
		want[0] = '\0';
	else if (want[strlen(want) - 1] == '.')
		want[strlen(want) - 1] = '\0';
	if ((rc = pd_srv(name, t, sizeof(t), &port)) == PD_NXDOMAIN ||
	    rc == PD_NODATA) {
		DRIFT("missing: `%s. SRV %s`", name, data);
		return;
	}
	if (rc != PD_OK)
		return;
	/* an alias as the target: of the planned host, or the planned one */
	if (t[0] != '\0' && pd_addr(t, &a) == PD_OK && a.cname[0] != '\0' &&
	    (strcasecmp(t, want) == 0 || strcasecmp(a.cname, want) == 0))
		DRIFT("extra indirection: the target of %s, %s, is an alias "
		    "of %s (an SRV target must be the host itself)", name, t,
		    a.cname);
	else if (strcasecmp(t, want) != 0 || (want[0] != '\0' &&
	    port != wport))
		DRIFT("different: %s names %s:%u, the plan `%s`", name,
		    t[0] != '\0' ? t : ".", port, data);
}

static void
drift_txt(const char *name, const char *data)
{
	char		txt[1024], want[1024];
	size_t		l = strlen(data);
	enum pd_rc	rc;

	if (l < 2 || data[0] != '"' || data[l - 1] != '"')
		return;
	pp_copy(want, sizeof(want), data + 1, l - 2);
	rc = pd_txt(name, txt, sizeof(txt));
	if (rc == PD_NXDOMAIN || rc == PD_NODATA)
		DRIFT("missing: `%s. TXT %s`", name, data);
	else if (rc == PD_OK && strcmp(txt, want) != 0)
		DRIFT("different: %s has TXT \"%s\", the plan %s", name,
		    txt, data);
}

/* one line of the plan: NAME. TTL IN TYPE DATA */
static void
drift_line(char *line)
{
	char	*f[5], *p = line;
	size_t	 i;

	if (line[0] == ';' || line[0] == '\0')
		return;
	for (i = 0; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, '\t')) == NULL)
			return;
		*p++ = '\0';
	}
	f[4] = p;
	if ((i = strlen(f[0])) > 1 && f[0][i - 1] == '.')
		f[0][i - 1] = '\0';
	if (strcmp(f[3], "CNAME") == 0) {
		if ((i = strlen(f[4])) > 1 && f[4][i - 1] == '.')
			f[4][i - 1] = '\0';
		drift_cname(f[0], f[4]);
	} else if (strcmp(f[3], "SRV") == 0)
		drift_srv(f[0], f[4]);
	else if (strcmp(f[3], "TXT") == 0)
		drift_txt(f[0], f[4]);
}

/*
 * The plan is dns.c's own output (libmac.a) for this domain and its
 * route, a line at a time: the records of --dns, or the names of
 * --cert-names.
 */
static void
plan(const char *dom, bool names, void (*each)(char *))
{
	char		*buf = NULL, *line, *next;
	size_t		 len = 0;
	unsigned	 flags = ctx.onecert ? DNS_SRV_ROUTE : 0;
	FILE		*fp;

	if (ctx.prov == NULL || config == NULL || config->web_host == NULL ||
	    (fp = open_memstream(&buf, &len)) == NULL)
		return;
	if (names)
		dns_cert_names(config, dom, flags, fp);
	else
		dns_print(config, dom, flags, fp);
	fclose(fp);
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		each(line);
	}
	free(buf);
}

/*
 * One name the certificate must cover for what the domain publishes,
 * against the certificate served there.  A name without an address is
 * left to the DNS drift, one that serves no TLS to the clients' steps.
 */
static void
cert_line(char *name)
{
	struct certview	cv;
	struct pd_addrs	a;
	char		err[PR_MSG_MAX], pr[PR_MSG_MAX], fix[PR_MSG_MAX];

	if (name[0] == '\0' || pd_addr(name, &a) != PD_OK ||
	    pn_cert(name, &cv, err, sizeof(err)) <= 0)
		return;
	pn_cert_problem(&cv, name, pr, sizeof(pr), fix, sizeof(fix));
	FIND("cert", "%s; fix: %s", pr, fix);
}

/* what the domain lacks against the plan: records, certificate names */
static void
findings(const char *dom)
{
	nfind = 0;
	plan(dom, false, drift_line);
	plan(dom, true, cert_line);
}

/* ---- a fleet: every domain of the config, or of a list ----------------- */

struct cause {
	char	 text[PR_MSG_MAX];
	size_t	 count;
	char	 doms[PR_CAUSE_DOMS][DOMAIN_MAX + 1];
};

struct fsum {
	size_t		 domains, working, unprobed, drifted, certgap;
	/* the workers' costs (--jobs) */
	unsigned long	 queries, connects, requests, reused;
	size_t		 broken[8];
	struct cause	 causes[PR_CAUSES];
	size_t		 ncauses;
};
static struct fsum	 fs;

/* a cause, the domain's name replaced by D, counted with its domains */
static void
cause_add(const char *client, const char *what, const char *dom)
{
	char		 t[PR_MSG_MAX], *o = t;
	const char	*p = what, *h;
	size_t		 dl = strlen(dom), i;

	o += snprintf(t, sizeof(t), "%s: ", client);
	while ((h = strstr(p, dom)) != NULL && o + (h - p) + 2 < t + sizeof(t)) {
		memcpy(o, p, (size_t)(h - p));
		o += h - p;
		*o++ = 'D';
		p = h + dl;
	}
	pr_msg(o, sizeof(t) - (size_t)(o - t), "%s", p);
	for (i = 0; i < fs.ncauses; i++)
		if (strcmp(fs.causes[i].text, t) == 0)
			break;
	if (i == fs.ncauses) {
		if (fs.ncauses >= PR_CAUSES)
			return;
		mac_strlcpy(fs.causes[fs.ncauses++].text, t, PR_MSG_MAX);
	}
	if (fs.causes[i].count < PR_CAUSE_DOMS)
		mac_strlcpy(fs.causes[i].doms[fs.causes[i].count], dom,
		    DOMAIN_MAX + 1);
	fs.causes[i].count++;
}

static void
fleet_text(FILE *fp, const char *dom, size_t n, int rc, const char *why)
{
	char	d[PR_SHOW_MAX];
	size_t	i;

	/* a domain of --domains FILE is input: shown as the network's is */
	pp_show(d, sizeof(d), dom, strlen(dom));
	fprintf(fp, "== %s: ", d);
	if (why != NULL) {
		fprintf(fp, "not probed (%s)\n", why);
		return;
	}
	fprintf(fp, "%s\n", rc == 0 && nfind == 0 ? "ok" : "FAIL");
	for (i = 0; i < nfind; i++) {
		fprintf(fp, "   %-5s", finds[i].kind);
		put(fp, "", finds[i].text);
	}
	for (i = 0; i < n; i++) {
		if (results[i].verdict != PV_FAIL || pc_client_future(i))
			continue;
		fprintf(fp, "   %-12s FAIL  ", pc_client_id(i));
		put(fp, "", results[i].summary);
		if (results[i].fix[0] != '\0')
			put(fp, "                     fix: ", results[i].fix);
	}
}

/* a domain of the fleet that was not probed, and why */
static int
fleet_skip(const struct opts *o, const char *dom, const char *why)
{
	fs.unprobed++;
	cause_add("all", why, dom);
	if (!o->json)
		fleet_text(stdout, dom, 0, 2, why);
	else {
		fprintf(stdout, "{");
		json_kv(stdout, "domain", dom, true);
		fprintf(stdout, "\"probed\":false,");
		json_kv(stdout, "why", why, false);
		fprintf(stdout, "}\n");
	}
	return 1;
}

/* the domain's outcome into the summary */
static void
fleet_count(const char *dom, size_t n)
{
	size_t	i;
	bool	dns = false, cert = false;

	for (i = 0; i < n; i++)
		if (results[i].verdict == PV_FAIL && !pc_client_future(i)) {
			fs.broken[i]++;
			cause_add(pc_client_id(i), results[i].summary, dom);
		}
	for (i = 0; i < nfind; i++) {
		cause_add(finds[i].kind, finds[i].text, dom);
		*(strcmp(finds[i].kind, "dns") == 0 ? &dns : &cert) = true;
	}
	fs.drifted += dns;
	fs.certgap += cert;
}

/* one domain of the fleet: probe@DOMAIN, what it lacks, its output */
static int
fleet_one(const struct opts *o, const char *dom, size_t n)
{
	char	addr[ADDR_MAX + 1], why[PR_MSG_MAX];
	int	rc;

	fs.domains++;
	nfind = 0;
	if (time(NULL) >= run_end) {
		pr_msg(why, sizeof(why), "the run's time, --max-time %ld s, "
		    "ran out before it", o->max_time);
		return fleet_skip(o, dom, why);
	}
	pr_msg(addr, sizeof(addr), "probe@%s", dom);
	if ((rc = setup_addr(addr, o->conf, o->route)) == 0) {
		rc = run_clients(n);
		findings(ctx.addr.domain);
	}
	if (rc == 2)
		return fleet_skip(o, dom, "the probe could not run: see the "
		    "message on standard error");
	fleet_count(dom, n);
	if (rc == 0 && nfind == 0)
		fs.working++;
	if (o->json)
		json_out(stdout, n, rc);
	else
		fleet_text(stdout, dom, n, rc, NULL);
	return rc != 0 || nfind > 0 ? 1 : 0;
}

/* causes by count, most first; equal counts by their text, so that two
 * runs compare line by line */
static int
cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

/*
 * What the run cost: seconds, DNS questions sent, connections, and the
 * peak RSS of its largest process (this one or a --jobs worker).
 */
static void
run_cost(char *dst, size_t n, time_t start, bool json)
{
	struct rusage	ru;
	long		kib = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		kib = ru.ru_maxrss;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0 && ru.ru_maxrss > kib)
		kib = ru.ru_maxrss;
	pr_msg(dst, n, json ? "\"seconds\":%ld,\"dns_questions\":%lu,"
	    "\"connections\":%lu,\"http_requests\":%lu,\"reused\":%lu,"
	    "\"peak_rss_kib\":%ld" : "run: %ld s, %lu DNS questions, %lu "
	    "connections, %lu HTTP requests, %lu answers reused, peak RSS %ld "
	    "KiB", (long)(time(NULL) - start), pd_queries + fs.queries,
	    pn_connects + fs.connects, pn_requests + fs.requests,
	    pn_reused + fs.reused, kib);
}

static void
summary_text(FILE *fp, size_t n, time_t start)
{
	char	cost[PR_MSG_MAX], l[PR_CAUSE_DOMS * (DOMAIN_MAX + 2) + 8];
	size_t	i, j;

	fprintf(fp, "\nsummary: %zu domains, %zu fully working, %zu with DNS "
	    "drift, %zu with certificate gaps, %zu not probed\nbroken per "
	    "client:", fs.domains, fs.working, fs.drifted, fs.certgap,
	    fs.unprobed);
	for (i = 0; i < n; i++)
		if (!pc_client_future(i))
			fprintf(fp, " %s %zu", pc_client_id(i), fs.broken[i]);
	fprintf(fp, "\n");
	for (i = 0; i < fs.ncauses && i < PR_CAUSES_SHOWN; i++) {
		const struct cause *c = &fs.causes[i];

		fprintf(fp, "%6zu  ", c->count);
		put(fp, "", c->text);
		for (l[0] = '\0', j = 0; j < c->count && j < PR_CAUSE_DOMS; j++)
			pr_msg(l + strlen(l), sizeof(l) - strlen(l), " %s",
			    c->doms[j]);
		pr_msg(l + strlen(l), sizeof(l) - strlen(l), "%s",
		    c->count > PR_CAUSE_DOMS ? " ..." : "");
		put(fp, "        domains:", l);
	}
	run_cost(cost, sizeof(cost), start, false);
	fprintf(fp, "%s\n", cost);
}

static void
summary_json(FILE *fp, size_t n, int rc, time_t start)
{
	char	cost[PR_MSG_MAX];
	size_t	i, j;

	fprintf(fp, "{\"summary\":{\"domains\":%zu,\"working\":%zu,"
	    "\"drift\":%zu,\"certificate\":%zu,\"unprobed\":%zu,"
	    "\"broken\":{", fs.domains, fs.working, fs.drifted, fs.certgap,
	    fs.unprobed);
	for (i = 0, j = 0; i < n; i++)
		if (!pc_client_future(i))
			fprintf(fp, "%s\"%s\":%zu", j++ ? "," : "",
			    pc_client_id(i), fs.broken[i]);
	fprintf(fp, "},\"causes\":[");
	for (i = 0; i < fs.ncauses; i++) {
		const struct cause *c = &fs.causes[i];

		fprintf(fp, "%s{\"count\":%zu,", i ? "," : "", c->count);
		json_kv(fp, "cause", c->text, true);
		fprintf(fp, "\"domains\":[");
		for (j = 0; j < c->count && j < PR_CAUSE_DOMS; j++) {
			if (j)
				fputc(',', fp);
			json_str(fp, c->doms[j]);
		}
		fprintf(fp, "]}");
	}
	run_cost(cost, sizeof(cost), start, true);
	fprintf(fp, "],%s},\"exit\":%d}\n", cost, rc);
}

/* count, rate and time left, on a terminal only */
static void
progress(size_t k, size_t total, time_t start)
{
	long	el = (long)(time(NULL) - start);

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%zu/%zu domains, %.1f/s, about %lds left   ", k,
	    total, el > 0 ? (double)k / el : 0.0, k > 0 && el > 0 ?
	    (long)((double)(total - k) * el / k) : 0L);
	if (k == total)
		fputc('\n', stderr);
}

/* the next domain of the list: a line, # comments and blanks skipped */
static bool
next_domain(FILE *fp, char *dom, size_t n)
{
	char	line[PR_LINE_MAX];
	size_t	l;

	while (fgets(line, sizeof(line), fp) != NULL) {
		l = strcspn(line, "# \t\r\n");
		if (l == 0 || l >= n)
			continue;
		pp_copy(dom, n, line, l);
		return true;
	}
	return false;
}

/* the k-th domain of the fleet into dom: the list's next, or the config's */
static bool
fleet_next(const struct opts *o, FILE *fp, size_t *i, size_t *j, char *dom,
    size_t n)
{
	(void)o;
	if (fp != NULL)
		return next_domain(fp, dom, n);
	while (*i < config->nprov && *j >= config->prov[*i].ndomains)
		(*i)++, *j = 0;
	if (*i >= config->nprov)
		return false;
	mac_strlcpy(dom, config->prov[*i].domains[(*j)++], n);
	return true;
}

/*
 * --jobs: the number of the next domain, which the first worker free
 * takes (shared memory): a worker held up by one slow domain holds up no
 * other domain.
 */
static size_t	*next_claim;

static size_t
claim(void)
{
	static size_t	 one;

	if (next_claim == NULL)
		return one++;
	return __atomic_fetch_add(next_claim, 1, __ATOMIC_SEQ_CST);
}

/* where a worker's report of the k-th domain is in its file */
struct block {
	size_t	k;
	long	off, len;
};
static FILE	*blocks;	/* a worker's: a struct block per domain */

/*
 * The domains of the fleet this process claims; one byte to pfd per
 * domain done (-1: progress printed here).
 */
static int
fleet_part(const struct opts *o, size_t n, FILE *fp, size_t total, int pfd,
    time_t start)
{
	char		dom[DOMAIN_MAX + 1];
	size_t		k, i = 0, j = 0, want = claim();
	struct block	b;
	int		rc = 0;

	for (k = 0; k < total && want < total &&
	    fleet_next(o, fp, &i, &j, dom, sizeof(dom)); k++) {
		if (k != want)
			continue;
		want = claim();
		b.k = k;
		b.off = ftell(stdout);
		rc |= fleet_one(o, dom, n);
		fflush(stdout);
		b.len = ftell(stdout) - b.off;
		if (blocks != NULL)
			fwrite(&b, sizeof(b), 1, blocks);
		if (pfd < 0)
			progress(k + 1, total, start);
		else if (write(pfd, "", 1) != 1)
			pfd = -1;
	}
	return rc;
}

/* a worker's summary, at the end of its file, into c */
static void
fleet_summary(FILE *f, struct fsum *c)
{
	if (fseek(f, -(long)sizeof(*c), SEEK_END) != 0 ||
	    fread(c, sizeof(*c), 1, f) != 1)
		memset(c, 0, sizeof(*c));
}

/* one domain's report from a worker's file to stdout */
static void
block_copy(FILE *f, const struct block *b)
{
	char	buf[4096];
	long	left;
	size_t	r;

	if (b->off < 0 || b->len <= 0 || fseek(f, b->off, SEEK_SET) != 0)
		return;
	for (left = b->len; left > 0; left -= (long)r) {
		r = fread(buf, 1, left < (long)sizeof(buf) ? (size_t)left :
		    sizeof(buf), f);
		if (r == 0)
			return;
		fwrite(buf, 1, r, stdout);
	}
}

/*
 * The workers' reports in the order of the list, whatever the worker: a
 * merge of their blocks by number (each worker's come in order).
 */
static void
fleet_print(FILE *const out[], FILE *const idx[], size_t jobs)
{
	struct block	 b[PR_JOBS_MAX];
	bool		 have[PR_JOBS_MAX];
	size_t		 w, best;

	for (w = 0; w < jobs; w++) {
		rewind(idx[w]);
		have[w] = fread(&b[w], sizeof(b[w]), 1, idx[w]) == 1;
	}
	for (;;) {
		for (best = jobs, w = 0; w < jobs; w++)
			if (have[w] && (best == jobs || b[w].k < b[best].k))
				best = w;
		if (best == jobs)
			return;
		block_copy(out[best], &b[best]);
		have[best] = fread(&b[best], sizeof(b[best]), 1,
		    idx[best]) == 1;
	}
}

/* a worker's summary added to ours */
static void
fleet_merge(const struct fsum *c)
{
	size_t	i, k, d, have;

	fs.domains += c->domains;
	fs.working += c->working;
	fs.unprobed += c->unprobed;
	fs.drifted += c->drifted;
	fs.certgap += c->certgap;
	fs.queries += c->queries;
	fs.connects += c->connects;
	fs.requests += c->requests;
	fs.reused += c->reused;
	for (i = 0; i < sizeof(fs.broken) / sizeof(fs.broken[0]); i++)
		fs.broken[i] += c->broken[i];
	for (i = 0; i < c->ncauses; i++) {
		for (k = 0; k < fs.ncauses; k++)
			if (strcmp(fs.causes[k].text, c->causes[i].text) == 0)
				break;
		if (k == fs.ncauses && fs.ncauses >= PR_CAUSES)
			continue;
		if (k == fs.ncauses)
			fs.causes[fs.ncauses++] = (struct cause){ .count = 0 };
		if (fs.causes[k].text[0] == '\0')
			mac_strlcpy(fs.causes[k].text, c->causes[i].text,
			    PR_MSG_MAX);
		have = fs.causes[k].count < PR_CAUSE_DOMS ?
		    fs.causes[k].count : PR_CAUSE_DOMS;
		for (d = 0; d < c->causes[i].count && d < PR_CAUSE_DOMS &&
		    have < PR_CAUSE_DOMS; d++, have++)
			mac_strlcpy(fs.causes[k].doms[have],
			    c->causes[i].doms[d], DOMAIN_MAX + 1);
		fs.causes[k].count += c->causes[i].count;
	}
}

/*
 * A worker: its report to out, where each domain's is to idx, its
 * summary and costs at the end of out.
 */
static void __attribute__((noreturn))
fleet_worker(const struct opts *o, size_t n, FILE *fp, size_t total,
    FILE *out, FILE *idx, int pfd, time_t start)
{
	int	st;

	/* its own reading of the list: the offset is not shared */
	if (fp != NULL && (fp = fopen(o->domains, "r")) == NULL)
		_exit(2);
	if (dup2(fileno(out), STDOUT_FILENO) < 0)
		_exit(2);
	blocks = idx;
	st = fleet_part(o, n, fp, total, pfd, start);
	fflush(stdout);
	fflush(idx);
	fs.queries = pd_queries;
	fs.connects = pn_connects;
	fs.requests = pn_requests;
	fs.reused = pn_reused;
	fwrite(&fs, sizeof(fs), 1, out);
	fflush(out);
	_exit(st);
}

/*
 * --jobs workers, processes that take the next domain as they come free
 * (claim), each report to a temporary file; then the reports in the
 * list's order and the summaries merged.
 */
static int
fleet_jobs(const struct opts *o, size_t n, FILE *fp, size_t total,
    time_t start)
{
	static struct fsum	 part;
	FILE			*out[PR_JOBS_MAX], *idx[PR_JOBS_MAX];
	pid_t			 pid[PR_JOBS_MAX];
	size_t			 w, jobs = o->jobs, done = 0;
	int			 pfd[2], rc = 0, st;
	char			 buf[256];
	ssize_t			 r;

	if (pipe(pfd) != 0 || (next_claim = mmap(NULL, sizeof(*next_claim),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) ==
	    MAP_FAILED)
		return die("--jobs", "no pipe or shared memory");
	*next_claim = 0;
	fflush(stdout);
	for (w = 0; w < jobs; w++) {
		if ((out[w] = tmpfile()) == NULL || (idx[w] = tmpfile()) ==
		    NULL || (pid[w] = fork()) < 0)
			return die("--jobs", "cannot start a worker");
		if (pid[w] == 0) {
			close(pfd[0]);
			fleet_worker(o, n, fp, total, out[w], idx[w], pfd[1],
			    start);
		}
	}
	close(pfd[1]);
	while ((r = read(pfd[0], buf, sizeof(buf))) > 0)
		progress(done += (size_t)r, total, start);
	close(pfd[0]);
	for (w = 0; w < jobs; w++) {
		if (waitpid(pid[w], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) > 1)
			rc |= 2;
		else
			rc |= WEXITSTATUS(st);
		fleet_summary(out[w], &part);
		fleet_merge(&part);
	}
	fleet_print(out, idx, jobs);
	for (w = 0; w < jobs; w++) {
		fclose(out[w]);
		fclose(idx[w]);
	}
	munmap(next_claim, sizeof(*next_claim));
	next_claim = NULL;
	return rc;
}

/*
 * --all or --domains FILE: each domain within its own time, its output as
 * it comes (memory stays the same whatever the count), then the summary.
 * The domains of one worker share its DNS answers, its connections, what
 * each server presented or failed with, and the mail servers' checks
 * (probe_net.c, probe_client.c).
 */
static int
fleet(const struct opts *o, size_t n)
{
	char	 dom[DOMAIN_MAX + 1];
	FILE	*fp = NULL;
	size_t	 total = 0, i;
	time_t	 start = time(NULL);
	int	 rc;

	run_end = start + o->max_time;
	if (o->domains != NULL) {
		if ((fp = fopen(o->domains, "r")) == NULL)
			return die(o->domains, "cannot read the list");
		while (next_domain(fp, dom, sizeof(dom)))
			total++;
		rewind(fp);
	} else
		for (i = 0; i < config->nprov; i++)
			total += config->prov[i].ndomains;
	if (total == 0) {
		if (fp != NULL)
			fclose(fp);
		return die(o->domains != NULL ? o->domains : o->conf,
		    "no domains");
	}
	if (o->jobs > 1 && total > 1)
		rc = fleet_jobs(o, n, fp, total, start);
	else
		rc = fleet_part(o, n, fp, total, -1, start);
	if (fp != NULL)
		fclose(fp);
	qsort(fs.causes, fs.ncauses, sizeof(fs.causes[0]), cause_cmp);
	if (o->json)
		summary_json(stdout, n, rc, start);
	else
		summary_text(stdout, n, start);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts	 o = { NULL, NULL, NULL, NULL, NULL, PR_JOBS, PR_RUN,
			    false, ROUTE_AUTO };
	size_t		 n = pc_nclients;
	int		 rc;

	if ((rc = options(argc, argv, &o)) >= 0)
		return rc;
	if (n > sizeof(results) / sizeof(results[0]))
		n = sizeof(results) / sizeof(results[0]);
	if (pn_init(o.ca) != 0)
		return die("libcurl", "cannot initialise");
	if (o.fleet == NULL) {
		const char	*why;
		struct address	 a;

		/* the address first: its message before any other */
		if (req_address(&a, argv[optind], strlen(argv[optind]),
		    &why) != 0)
			return die("not an e-mail address", why);
	}
	if ((rc = setup_run(o.conf, o.resolver)) != 0)
		return rc;
	if (o.fleet != NULL)
		rc = fleet(&o, n);
	else if ((rc = setup_addr(argv[optind], o.conf, o.route)) == 0) {
		rc = run_clients(n);
		if (o.json)
			json_out(stdout, n, rc);
		else
			text_out(stdout, n);
	}
	pd_free();
	pn_free();
	if (config != NULL)
		prov_free(config);
	return rc;
}
