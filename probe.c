/*
 * probe.c: mailautoconf-probe ADDRESS -- replays every client's discovery
 * list against the live deployment and says, per client, which step
 * works or why each fails, with a fix in one line.  Options, the set-up
 * of the look-ups, and the output (text for people, --json for scripts).
 * Exit status: 0 every client sets up, 1 some cannot, 2 the probe could
 * not run.  Everything printed that came from the network goes through
 * pp_show (text) or json_str (JSON): bounded, control bytes replaced.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpsl.h>

#include "probe_client.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

static const char *const vnames[] = { "ok", "warn", "FAIL", "skip" };
static const char *const jnames[] = { "ok", "warn", "fail", "skip" };

static struct clientres	 results[8];
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
	    "           [--route one-cert|per-domain] ADDRESS\n"
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
	fprintf(fp, "],\"exit\":%d}\n", rc);
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
 * autodiscover.D (what `mailautoconf --dns --srv-only` publishes).
 */
static void
set_route(struct pctx *x, enum proute r)
{
	struct pd_addrs	a;
	char		n[DOMAIN_MAX + 32], t[DOMAIN_MAX + 1];
	unsigned	port;

	if (r != ROUTE_AUTO) {
		x->onecert = r == ROUTE_ONECERT;
		return;
	}
	pr_msg(n, sizeof(n), "_autodiscover._tcp.%s", x->addr.domain);
	if (pd_srv(n, t, sizeof(t), &port) != PD_OK || t[0] == '\0')
		return;
	pr_msg(n, sizeof(n), "autodiscover.%s", x->addr.domain);
	x->onecert = pd_addr(n, &a) == PD_NXDOMAIN;
}

static int
setup(const char *arg, const char *conf, const char *resolver,
    enum proute r)
{
	struct diag	 d = { stderr, false, 0, 0 };
	struct pd_addrs	 a;
	const char	*why;
	char		 err[PR_MSG_MAX];
	size_t		 xl;
	int		 rc;

	if (req_address(&ctx.addr, arg, strlen(arg), &why) != 0)
		return die("not an e-mail address", why);
	encode(ctx.addr.full, ctx.qaddr, sizeof(ctx.qaddr));
	if (!xml_escape(ctx.xaddr, sizeof(ctx.xaddr) - 1, ctx.addr.full,
	    strlen(ctx.addr.full), &xl))
		return die("not an e-mail address", "not valid text");
	ctx.xaddr[xl] = '\0';
	if (conf != NULL) {
		if ((config = prov_load_file(conf, &d)) == NULL)
			return die(conf, "cannot load the config");
		ctx.cf = config;
		ctx.prov = prov_lookup(ctx.cf, ctx.addr.domain,
		    strlen(ctx.addr.domain));
		if (ctx.prov == NULL) {
			char	c[PR_MSG_MAX];

			pp_show(c, sizeof(c), conf, strlen(conf));
			fprintf(stderr, "mailautoconf-probe: %s is not in %s: "
			    "answers are not compared\n", ctx.addr.domain, c);
		}
	}
	if (pd_init(resolver, err, sizeof(err)) != 0)
		return die("DNS", err);
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

struct opts {
	const char	*conf, *resolver, *ca;
	bool		 json;
	enum proute	 route;
};

/* -1: go on; else the exit status */
static int
options(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "connect-to", required_argument, NULL, 't' },
		{ "ca", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "route", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long long	to;
	int		ch, r;

	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
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
				return die("--connect-to", "want "
				    "HOST:PORT:IP:PORT (at most 32)");
			break;
		case 'a':
			if (access(optarg, R_OK) != 0)
				return die(optarg, "cannot read the CA file");
			o->ca = optarg;
			break;
		case 'T':
			if (mac_strtonum(optarg, 1, PR_TIMEOUT_MAX, &to) != 0)
				return die("--timeout", "want 1 to 60 seconds");
			pr_timeout = (long)to;
			break;
		case 'R':
			for (r = 0; r < 3; r++)
				if (strcmp(optarg, route_names[r]) == 0)
					break;
			if (r == 0 || r == 3)
				return die("--route", "want one-cert or "
				    "per-domain");
			o->route = (enum proute)r;
			break;
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
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 2;
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct opts	 o = { NULL, NULL, NULL, false, ROUTE_AUTO };
	size_t		 i, n = pc_nclients;
	int		 rc;

	if ((rc = options(argc, argv, &o)) >= 0)
		return rc;
	if (pn_init(o.ca) != 0)
		return die("libcurl", "cannot initialise");
	pn_deadline(pr_timeout * PR_DEADLINE_STEPS);
	if ((rc = setup(argv[optind], o.conf, o.resolver, o.route)) != 0)
		return rc;
	if (n > sizeof(results) / sizeof(results[0]))
		n = sizeof(results) / sizeof(results[0]);
	for (i = 0; i < n; i++) {
		pc_run(&ctx, i, &results[i]);
		if (results[i].verdict == PV_FAIL && !pc_client_future(i))
			rc = 1;
	}
	if (o.json)
		json_out(stdout, n, rc);
	else
		text_out(stdout, n);
	pd_free();
	pn_free();
	if (config != NULL)
		prov_free(config);
	return rc;
}
