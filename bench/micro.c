/*
 * micro: the request path alone, for `make bench`: parse the request
 * (req_start, the body, req_finish), look the domain up (prov_lookup),
 * render the answer with its headers (http_respond), in a loop, with no
 * process start, no config load and no I/O. What main.c's serve() does
 * for each request, minus the transport.
 *
 *	micro -c CONFIG [-d DOMAIN] [-p | -m] [-i] [-t SECONDS | -n COUNT | -L]
 *
 * The request is Thunderbird's autoconfig GET for jane@DOMAIN (default
 * mailbox.org), or with -p the Autodiscover POX POST
 * (DESIGN.md §4), or with -m the same POST with the
 * mobilesync schema, as AOSP Exchange sends it (the provider needs an
 * activesync line). With -t (default 2) it prints
 * ns/request for the whole path and for its parts. With -n it runs the
 * whole path COUNT times and prints nothing but errors: under
 *	valgrind --tool=callgrind --instr-atstart=no
 * only those COUNT requests are counted (the config load runs
 * uninstrumented, which matters for a large one). With -L it prints the
 * time prov_load_file takes (the median of five loads) instead.  With -i
 * the config is CONFIG's compiled image (CONFIG.cdb, img_load), for the
 * load and for the requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#define ROUNDS	5

struct env {
	const char	*name[12];
	const char	*value[12];
	int		 n;
};

static struct request	req;
static struct response	resp;
static struct env	env;
static char		body[1024];
static size_t		bodylen;
static volatile size_t	sink;
static int		image;

static struct config *
load(const char *file, struct diag *d)
{
	if (image)
		return img_load(file, stderr, 0);
	return prov_load_file(file, d);
}

static const char *
env_get(void *ctx, const char *name)
{
	struct env	*e = ctx;
	int		 i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

static void
env_set(const char *name, const char *value)
{
	env.name[env.n] = name;
	env.value[env.n++] = value;
}

static double
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* as main.c's serve(), minus the transport */
static int
parse(void)
{
	int	st;

	if ((st = req_start(&req, env_get, &env)) != 0)
		return st;
	if (req.body_want > 0) {
		memcpy(req.body, body, bodylen);
		req.bodylen = bodylen;
	}
	return req_finish(&req);
}

static int
full(const struct config *cf)
{
	int	st;

	if ((st = parse()) != 0) {
		http_error(&resp, &req, st);
		return st;
	}
	http_respond(cf, &req, &resp);
	return resp.status;
}

static int
cmpd(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * ns per call of what `what` selects, the median of ROUNDS rounds of
 * `secs / ROUNDS` seconds each: the median shrugs off a round that
 * something else on the machine disturbed.
 */
static double
time_it(const struct config *cf, int what, double secs)
{
	double	r[ROUNDS], t0, t;
	long	n, i;
	int	k;

	for (k = 0; k < ROUNDS; k++) {
		n = 0;
		t0 = now_ns();
		do {
			for (i = 0; i < 1000; i++) {
				if (what == 0)
					sink += (size_t)full(cf);
				else if (what == 1)
					sink += (size_t)parse();
				else
					sink += (size_t)prov_lookup(cf,
					    req.domain, req.dlen);
			}
			n += 1000;
			t = now_ns() - t0;
		} while (t < secs / ROUNDS * 1e9);
		r[k] = t / n;
	}
	qsort(r, ROUNDS, sizeof(r[0]), cmpd);
	return r[ROUNDS / 2];
}

/* the median of ROUNDS loads of the file, in ms */
static int
time_load(const char *file)
{
	struct diag	 d = { stderr, false, 0, 0 };
	struct config	*cf;
	double		 r[ROUNDS], t0;
	size_t		 nd = 0;
	int		 k;

	for (k = 0; k < ROUNDS; k++) {
		t0 = now_ns();
		if ((cf = load(file, &d)) == NULL)
			return 1;
		r[k] = (now_ns() - t0) / 1e6;
		nd = cf->ndomains;
		prov_free(cf);
	}
	qsort(r, ROUNDS, sizeof(r[0]), cmpd);
	printf("load %zu domains: %.2f ms (%s, median of %d)\n",
	    nd, r[ROUNDS / 2], image ? "img_load" : "prov_load_file", ROUNDS);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: micro -c config [-d domain] [-p | -m] "
	    "[-i] [-t seconds | -n count | -L]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct diag	 d = { stderr, false, 0, 0 };
	struct config	*cf;
	const char	*file = NULL, *domain = "mailbox.org";
	static char	 qs[300], uri[400], host[300], clen[16];
	double		 secs = 2, tf, tp, tl;
	long		 count = -1, i;
	int		 c, pox = 0, st, loadonly = 0;
	const char	*family = "outlook", *schema = "2006a";

	while ((c = getopt(argc, argv, "c:d:impt:n:L")) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			domain = optarg;
			break;
		case 'i':
			image = 1;
			break;
		case 'p':
			pox = 1;
			break;
		case 'm':
			pox = 2;
			family = "mobilesync";
			schema = "2006";
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'L':
			loadonly = 1;
			break;
		default:
			usage();
		}
	}
	if (file == NULL || strlen(domain) > 250 || secs <= 0)
		usage();
	if (loadonly)
		return time_load(file);
	if ((cf = load(file, &d)) == NULL)
		return 1;

	env_set("GATEWAY_INTERFACE", "CGI/1.1");
	env_set("SERVER_PROTOCOL", "HTTP/1.1");
	env_set("REMOTE_ADDR", "127.0.0.1");
	if (pox) {
		snprintf(host, sizeof(host), "autodiscover.%s", domain);
		bodylen = (size_t)snprintf(body, sizeof(body),
		    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		    "    <Autodiscover xmlns=\"http://schemas.microsoft.com/"
		    "exchange/autodiscover/%s/requestschema/2006\">\n"
		    "      <Request>\n"
		    "        <EMailAddress>jane@%s</EMailAddress>\n"
		    "        <AcceptableResponseSchema>http://schemas.microsoft"
		    ".com/exchange/autodiscover/%s/responseschema/%s"
		    "</AcceptableResponseSchema>\n"
		    "      </Request>\n"
		    "    </Autodiscover>\n", family, domain, family, schema);
		snprintf(clen, sizeof(clen), "%zu", bodylen);
		env_set("REQUEST_METHOD", "POST");
		env_set("REQUEST_URI", "/autodiscover/autodiscover.xml");
		env_set("QUERY_STRING", "");
		env_set("CONTENT_TYPE", "text/xml; charset=utf-8");
		env_set("CONTENT_LENGTH", clen);
	} else {
		snprintf(host, sizeof(host), "autoconfig.%s", domain);
		snprintf(qs, sizeof(qs), "emailaddress=jane%%40%s", domain);
		snprintf(uri, sizeof(uri), "/mail/config-v1.1.xml?%s", qs);
		env_set("REQUEST_METHOD", "GET");
		env_set("REQUEST_URI", uri);
		env_set("QUERY_STRING", qs);
	}
	env_set("HTTP_HOST", host);

	if ((st = full(cf)) != 200) {
		fprintf(stderr, "micro: %s for %s: HTTP %d (%s)\n",
		    pox ? "POST" : "GET", domain, st,
		    req.why != NULL ? req.why : "");
		return 1;
	}
	if (count >= 0) {
		CALLGRIND_START_INSTRUMENTATION;
		for (i = 0; i < count; i++)
			sink += (size_t)full(cf);
		CALLGRIND_STOP_INSTRUMENTATION;
		prov_free(cf);
		return 0;
	}
	tf = time_it(cf, 0, secs);
	tp = time_it(cf, 1, secs);
	tl = time_it(cf, 2, secs);
	printf("%s %s, %zu domains: %.0f ns/request (parse %.0f, lookup %.0f, "
	    "render and headers %.0f), %zu bytes\n", pox == 2 ?
	    "MobileSync POST" : pox ? "POX POST" : "GET",
	    domain, cf->ndomains, tf, tp, tl, tf - tp - tl,
	    resp.hlen + resp.blen);
	prov_free(cf);
	return 0;
}
