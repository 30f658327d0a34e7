/*
 * main.c: options, modes, the CGI-once answer and the FastCGI set-up,
 * signals, reload.  The FastCGI protocol itself is fcgi.c's.
 *
 * Modes (DESIGN.md §1): CGI when fd 0 is not a listening socket (web server
 * CGI, or a shell with QUERY_STRING set); FastCGI on fd 0 (spawn-fcgi),
 * on a socket handed over by systemd (LISTEN_FDS), or on our own socket
 * (--listen).  Setup failures are loud and exit; request failures only
 * drop the request.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef VERSION
#define VERSION "unknown"
#endif

static const char DEFAULT_CONFIG[] = SYSCONFDIR "/mailautoconf/providers.ini";

static volatile sig_atomic_t reload_pending;

/* --user: whom a daemon started as root becomes; --workers: how many */
static const char	*opt_user;
static long long	 opt_workers = 1;
/* a worker under --workers: its stop line says so (the supervisor reloads) */
static bool		 is_worker;

/* Kept off the stack: the request holds a 64 KiB body, the answer more. */
static struct request	req;
static struct response	resp;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mailautoconf [-c file]                 CGI or FastCGI (fd 0)\n"
	    "       mailautoconf [-c file] --listen addr:port|path\n"
	    "           [--user name] [--workers n]      (FastCGI)\n"
	    "           [--socket-mode mode] [--socket-group group]\n"
	    "           serving: [--log stderr|syslog] [--verbose]\n"
	    "       mailautoconf [-c file] --check\n"
	    "       mailautoconf [-c file] --compile     file.cdb beside it\n"
	    "       mailautoconf [-c file] --dns [--srv-only] [--ttl seconds]\n"
	    "           [--dns-dir dir] [domain]     zone file lines\n"
	    "       mailautoconf [-c file] --cert-names [--srv-only] [domain]\n"
	    "       mailautoconf --import file.xml      config-v1.1.xml to "
	    "providers.ini\n"
	    "       mailautoconf --help | --version\n"
	    "The config is -c file, else $MAILAUTOCONF_CONFIG, else\n"
	    "%s.\n", DEFAULT_CONFIG);
}

/* fds 0-2 must exist, or a later open() would become stdout. */
static void
sane_fds(void)
{
	int	fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDWR) != fd)
			_exit(1);
}

static long long
now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Load to serve: the loader's messages go to the log, all of them at
 * start (what = NULL), the first one on reload.
 */
static struct config *
load(const char *file, const char *what)
{
	static char	 buf[LOAD_DIAG_MAX];
	struct diag	 d = { NULL, false, 0, 0 };
	struct config	*cf;
	size_t		 n;

	memset(buf, 0, sizeof(buf));
	d.fp = fmemopen(buf, sizeof(buf) - 1, "w");
	cf = prov_load_file(file, &d);
	if (d.fp != NULL)
		fclose(d.fp);
	n = strlen(buf);
	if (what != NULL)
		n = strcspn(buf, "\n");
	log_lines(LOG_ERR, buf, n);
	if (cf == NULL && what != NULL)
		log_msg(LOG_ERR, "%s: %s failed (%d error%s, the first above), "
		    "keeping the old configuration", file, what, d.errors,
		    d.errors == 1 ? "" : "s");
	return cf;
}

/*
 * What serves: the compiled image when it is current (image.c), else the
 * INI through load(), after one line saying why (cgi: none when there is
 * no image at all).  A start whose INI does not load serves the last
 * image compiled from it, saying so loudly: a typo saved in place must
 * not wait for the next restart to become an outage.
 */
static struct config *
load_serving(const char *file, const char *what, bool cgi)
{
	char		 buf[1024];
	struct config	*cf;
	FILE		*fp;
	unsigned	 how = cgi ? IMG_QUIET : IMG_COPY;

	memset(buf, 0, sizeof(buf));
	fp = fmemopen(buf, sizeof(buf) - 1, "w");
	cf = img_load(file, fp, how);
	if (fp != NULL)
		fclose(fp);
	log_lines(LOG_WARNING, buf, strlen(buf));
	if (cf != NULL || (cf = load(file, what)) != NULL || what != NULL)
		return cf;
	if ((cf = img_load(file, NULL, (how & IMG_COPY) | IMG_ANY_AGE)) != NULL)
		log_msg(LOG_ERR, "%s: does not load (errors above): serving "
		    "its last compiled config instead (%zu providers, %zu "
		    "domains), which may be out of date; fix the file, then "
		    "reload", file, cf->nprov, cf->ndomains);
	return cf;
}

/* ---- what a new config changes ----------------------------------------- */

struct count {
	const struct config	*other;
	size_t			 n;
};

static void
count_unserved(void *arg, const char *d, size_t n)
{
	struct count	*c = arg;

	if (!prov_served(c->other, d, n))
		c->n++;
}

/* Domains of nw that old does not serve (added), and the reverse. */
static void
cfg_diff(const struct config *old, const struct config *nw, size_t *added,
    size_t *removed)
{
	struct count	c = { old, 0 };

	prov_each_domain(nw, count_unserved, &c);
	*added = c.n;
	c.other = nw;
	c.n = 0;
	prov_each_domain(old, count_unserved, &c);
	*removed = c.n;
}

/* A drop nw's reload_max_drop allows (bounds.h: DROP_FLOOR). */
static bool
drop_ok(const struct config *old, const struct config *nw, size_t removed)
{
	return removed <= DROP_FLOOR ||
	    removed * 100 <= (size_t)nw->max_drop * old->ndomains;
}

/* Eight hex digits for every file read, in order: what was loaded. */
static const char *
cfg_digest(const struct config *cf, char *out)
{
	unsigned char	h[MAC_SHA1_LEN], *buf;
	size_t		i;

	buf = mac_alloc(cf->nsrc * MAC_SHA1_LEN + 1);
	if (buf == NULL)
		return "?";
	for (i = 0; i < cf->nsrc; i++)
		memcpy(buf + i * MAC_SHA1_LEN, cf->src[i].hash, MAC_SHA1_LEN);
	mac_sha1(buf, cf->nsrc * MAC_SHA1_LEN, h);
	mac_free(buf);
	snprintf(out, 9, "%02x%02x%02x%02x", h[0], h[1], h[2], h[3]);
	return out;
}

/* ---- one request, whatever the transport ---------------------------- */

struct io {
	req_getenv	 get;
	void		*ctx;
	size_t		(*read)(void *, char *, size_t);
};


/* Read the body the request announced, one byte past the limit at most. */
static void
read_body(struct request *r, const struct io *io)
{
	size_t	want, got;

	r->bodylen = 0;
	if (r->body_want <= 0)
		return;
	want = (size_t)r->body_want;
	if (want > sizeof(r->body))
		want = sizeof(r->body);
	while (r->bodylen < want) {
		got = io->read(io->ctx, r->body + r->bodylen, want - r->bodylen);
		if (got == 0)
			break;
		r->bodylen += got;
	}
}

static void
serve(const struct config *cf, const struct io *io)
{
	int	st;

	req.now_ms = now_ms();
	if ((st = req_start(&req, io->get, io->ctx)) == 0) {
		read_body(&req, io);
		st = req_finish(&req);
	}
	if (st != 0) {
		http_error(&resp, &req, st);
		resp.send_body = req.method != M_HEAD;
	} else if (cf == NULL) {
		req.why = "no configuration loaded";
		http_error(&resp, &req, 500);
		resp.send_body = true;
	} else
		http_respond(cf, &req, &resp);
	log_count(&req, resp.status);
	/* to our log, in FastCGI too: docs/deploy.md says why */
	if (resp.status >= 400 || req.pox_error || log_verbose())
		log_request(&req, resp.status);
}

/* ---- CGI ------------------------------------------------------------- */

static const char *
cgi_get(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static size_t
cgi_read(void *ctx, char *buf, size_t n)
{
	ssize_t	r;

	(void)ctx;
	do
		r = read(STDIN_FILENO, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? 0 : (size_t)r;
}


static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * A body the answer did not need (a PROPFIND redirected, a 405 or 415
 * refused before reading) is still read and dropped, CGI_DRAIN_MAX bytes
 * at most: Apache's mod_cgid resets the connection, answer and all, of a
 * script that exits with its body unread.
 */
static void
cgi_drain(const struct request *r)
{
	const char	*cl = getenv("CONTENT_LENGTH");
	long long	 left;
	char		 buf[4096];
	size_t		 got;

	if (cl == NULL || mac_strtonum(cl, 1, CGI_DRAIN_MAX, &left) != 0 ||
	    (left -= (long long)r->bodylen) <= 0)
		return;
	while (left > 0 && (got = cgi_read(NULL, buf, (size_t)left <
	    sizeof(buf) ? (size_t)left : sizeof(buf))) > 0)
		left -= (long long)got;
}

static int
run_cgi(const char *file)
{
	struct config	*cf;
	struct io	 io = { cgi_get, NULL, cgi_read };

	cf = load_serving(file, NULL, true);
	if (sb_privileges(opt_user, false) != 0 || sb_enter(SB_CGI, file) != 0) {
		prov_free(cf);
		return 1;
	}
	serve(cf, &io);
	cgi_drain(&req);
	write_all(STDOUT_FILENO, resp.head, resp.hlen);
	if (resp.send_body)
		write_all(STDOUT_FILENO, resp.body, resp.blen);
	prov_free(cf);
	return 0;
}

/* ---- FastCGI --------------------------------------------------------- */

static volatile sig_atomic_t stop_pending;

static void
on_hup(int sig)
{
	(void)sig;
	reload_pending = 1;
}

/* The loop answers whole requests between wake-ups: stop after this one. */
static void
on_term(int sig)
{
	(void)sig;
	stop_pending = FCGI_STOP;
}

/* A worker a reload replaced (prefork.c): serve what it holds, then go. */
static void
on_retire(int sig)
{
	(void)sig;
	if (stop_pending == 0)
		stop_pending = FCGI_RETIRE;
}

static void
signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_hup;		/* no SA_RESTART: epoll_wait wakes up */
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* A worker under --workers: SIGHUP is the supervisor's, SIGUSR1 retires it
 * (prefork.c). */
static void
worker_signals(void)
{
	struct sigaction	sa;

	signals();
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_retire;
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * The supervisor's or a lone process's: workers ignore SIGHUP.  A config
 * that would stop serving more of the domains than reload_max_drop lets
 * it is refused, and the old one serves on.
 */
static struct config *
reload(struct config *cf, const char *file)
{
	struct config	*n;
	size_t		 added, removed;
	char		 dg[9];

	reload_pending = 0;
	if ((n = load_serving(file, "reload", false)) == NULL)
		return cf;
	cfg_diff(cf, n, &added, &removed);
	if (!drop_ok(cf, n, removed)) {
		log_msg(LOG_ERR, "%s: reload refused: it would stop serving "
		    "%zu of %zu domains (%zu providers, %zu domains; more than "
		    "reload_max_drop = %ld%%), keeping the old configuration",
		    file, removed, cf->ndomains, n->nprov, n->ndomains,
		    n->max_drop);
		prov_free(n);
		return cf;
	}
	prov_free(cf);
	log_msg(LOG_INFO, "%s: reloaded, %zu providers, %zu domains (+%zu "
	    "-%zu), %zu files, digest %s", file, n->nprov, n->ndomains, added,
	    removed, n->nsrc, cfg_digest(n, dg));
	return n;
}

/* What the FastCGI loop needs of us. */
struct fcgi_state {
	struct config	*cf;
	const char	*file;
};

static void
fcgi_handle(void *arg, void *ctx, bool params_over, const char **head,
    size_t *hl, const char **body, size_t *bl)
{
	struct fcgi_state	*fs = arg;
	struct io		 io = { fcgi_param, ctx, fcgi_read };

	if (params_over) {
		/* logged by fcgi.c; the request itself was not read */
		req.method = M_GET;
		req.ep = EP_AUTOCONFIG;
		http_error(&resp, &req, 400);
		resp.send_body = true;
	} else
		serve(fs->cf, &io);
	*head = resp.head;
	*hl = resp.hlen;
	*body = resp.body;
	*bl = resp.send_body ? resp.blen : 0;
}

static void
fcgi_tick(void *arg)
{
	struct fcgi_state	*fs = arg;

	struct config		*n;

	if (reload_pending)
		fs->cf = reload(fs->cf, fs->file);
	/* a record of the image failed its checks: the INI from now on */
	if (img_broken(fs->cf) && (n = load(fs->file, "reload")) != NULL) {
		log_msg(LOG_ERR, "%s: compiled config corrupt; parsing the INI "
		    "(fix: mailautoconf --compile -c %s)", fs->file, fs->file);
		prov_free(fs->cf);
		fs->cf = n;
	}
}

static int
run_fcgi(int fd, const char *file)
{
	struct fcgi_state	 fs = { NULL, file };
	struct fcgi_hooks	 h = { fcgi_handle, fcgi_tick, &fs };
	int			 rc;
	char			 dg[9];

	if ((fs.cf = load_serving(file, NULL, false)) == NULL) {
		log_msg(LOG_ERR, "%s: not started", file);
		return 1;
	}
	if (sb_privileges(opt_user, true) != 0) {
		prov_free(fs.cf);
		return 1;
	}
	log_msg(LOG_INFO, "started: %s: %zu providers, %zu domains%s, %zu "
	    "files, digest %s", file, fs.cf->nprov, fs.cf->ndomains,
	    fs.cf->mc_signer != NULL ? ", profiles signed" : "", fs.cf->nsrc,
	    cfg_digest(fs.cf, dg));
	/* from here a reload cannot load libcrypto: mcsign.c says so */
	mc_sign_seal();
	if (opt_workers > 1) {
		int w = pf_supervise((int)opt_workers, &fs.cf, file, reload,
		    worker_signals);

		if (w != 0) {
			log_msg(LOG_INFO, "stopped");	/* it served nothing */
			prov_free(fs.cf);
			return w < 0;
		}
		is_worker = true;
	} else
		signals();
	if (sb_enter(SB_FASTCGI, file) != 0) {
		prov_free(fs.cf);
		return 1;
	}
	if ((rc = fcgi_serve(fd, &h, &stop_pending)) != 0)
		log_msg(LOG_ERR, "FastCGI: %s", strerror(errno));
	log_stop(is_worker);
	prov_free(fs.cf);
	return rc != 0;
}

/* systemd socket activation: LISTEN_PID is us, LISTEN_FDS >= 1, fd 3. */
static int
systemd_fd(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	long long	 p, n;

	if (pid == NULL || fds == NULL ||
	    mac_strtonum(pid, 1, 0x7fffffff, &p) != 0 || p != getpid() ||
	    mac_strtonum(fds, 1, 64, &n) != 0)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 3;
}

/* ---- --check ---------------------------------------------------------- */

/*
 * Every provider's answers must fit the output buffer: each endpoint the
 * table marks for --check, rendered for the provider's first domain.
 */
static bool
check_fits(const struct config *cf, const struct provider *p)
{
	const struct endpoint_def	*ep;
	struct out			 o;
	struct reply			 rp;

	for (ep = endpoints; ep < endpoints + nendpoints; ep++) {
		if (!ep->check)
			continue;
		memset(&req, 0, offsetof(struct request, body));
		req.ep = (enum endpoint)(ep - endpoints);
		req.dlen = mac_strlcpy(req.domain, p->domains[0],
		    sizeof(req.domain));
		memset(&rp, 0, sizeof(rp));
		rp.cache = -1;
		out_init(&o, resp.body, sizeof(resp.body));
		ep->answer(&req, cf, p, &o, &rp);
		if (o.err)
			return false;
	}
	return true;
}

static int
check_render(const struct config *cf)
{
	size_t	i;
	int	bad = 0;

	for (i = 0; i < cf->nprov; i++) {
		const struct provider	*p = &cf->prov[i];
		char			 sb[INI_SECTION_MAX], fb[1024];

		if (!check_fits(cf, p)) {
			fprintf(stderr, "mailautoconf: %s:%d: the answer for "
			    "[%s] does not fit in %d bytes\n",
			    diag_safe(fb, sizeof(fb), p->file != NULL ? p->file :
			    cf->file), p->line,
			    diag_safe(sb, sizeof(sb), p->id), OUT_MAX);
			bad++;
		}
	}
	return bad;
}

/*
 * What --check and --compile say of a loaded config: an answer that does
 * not fit (an error), PACC's warnings, the note on signing.
 */
static int
check_loaded(const struct config *cf, struct diag *d, const char *f)
{
	int	bad = check_render(cf);

	pacc_warn(cf, d);
	if (cf->mc_signer != NULL)
		fprintf(stderr, "mailautoconf: %s: note: profiles are signed; "
		    "a running FastCGI server started without signing needs a "
		    "restart to sign, a reload cannot turn it on\n", f);
	return bad;
}

/*
 * What a reload would change against the compiled config on disk (its
 * age aside): the counts, a drop reload_max_drop refuses, and each domain
 * file that held domains at --compile and holds none now.  false: a drop
 * past the limit.
 */
static bool
vs_image(const struct config *cf, const char *f, struct diag *d)
{
	struct config	*old;
	size_t		 added, removed, i, j;
	char		 pb[1024];
	bool		 ok;

	if ((old = img_load(cf->file, NULL, IMG_COPY | IMG_ANY_AGE)) == NULL)
		return true;
	cfg_diff(old, cf, &added, &removed);
	fprintf(stderr, "mailautoconf: %s: against its compiled config (%zu "
	    "providers, %zu domains): %zu domains added, %zu removed\n", f,
	    old->nprov, old->ndomains, added, removed);
	if (!(ok = drop_ok(old, cf, removed)))
		diag_msg(d, cf->file, true, -1, "it stops serving %zu of %zu "
		    "domains, more than reload_max_drop = %ld%% allows: a "
		    "reload or --compile would be refused", removed,
		    old->ndomains, cf->max_drop);
	/* the image keeps its paths relative to the INI's directory */
	for (i = 0; i < old->nsrc; i++)
		for (j = 0; j < cf->nsrc; j++)
			if (old->src[i].kind == SRC_DOMAINS &&
			    old->src[i].ndomains > 0 &&
			    cf->src[j].kind == SRC_DOMAINS &&
			    cf->src[j].ndomains == 0 &&
			    prov_beside(pb, sizeof(pb), cf->file,
			    old->src[i].path) && strcmp(pb, cf->src[j].path) == 0)
				diag_msg(d, cf->src[j].path, true, -1, "held "
				    "%zu domains at the last --compile, none "
				    "now", old->src[i].ndomains);
	prov_free(old);
	return ok;
}

static int
run_check(const char *file)
{
	struct diag	 d = { stderr, true, 0, 0 };
	struct config	*cf;
	int		 bad;
	char		 fb[1024];
	const char	*f = diag_safe(fb, sizeof(fb), file);

	if ((cf = prov_load_file(file, &d)) == NULL) {
		fprintf(stderr, "mailautoconf: %s: %d error%s, %d warning%s\n",
		    f, d.errors, d.errors == 1 ? "" : "s", d.warns,
		    d.warns == 1 ? "" : "s");
		return 1;
	}
	bad = check_loaded(cf, &d, f);
	(void)vs_image(cf, f, &d);
	fprintf(stderr, "mailautoconf: %s: %s, %zu providers, %zu domains, "
	    "%d warning%s\n", f, bad ? "errors" : "ok", cf->nprov,
	    cf->ndomains, d.warns, d.warns == 1 ? "" : "s");
	prov_free(cf);
	return bad ? 1 : 0;
}

/*
 * An image that a server would refuse is not written: one owned by
 * someone but the INI's owner or root.
 */
static bool
compile_owner_ok(const char *file, const char *f)
{
	struct stat	st;

	if (geteuid() == 0 || (stat(file, &st) == 0 && st.st_uid == geteuid()))
		return true;
	fprintf(stderr, "mailautoconf: %s: nothing compiled: the image would "
	    "belong to uid %u, and a server trusts only one of the INI's "
	    "owner or root (run --compile as either)\n", f,
	    (unsigned)geteuid());
	return false;
}

/* --compile: --check, then the image beside the INI (image.c). */
static int
run_compile(const char *file)
{
	struct diag	 d = { stderr, true, 0, 0 };
	struct config	*cf;
	char		 path[4096], fb[1024], pb[1024];
	const char	*f = diag_safe(fb, sizeof(fb), file);
	int		 rc = 1;

	if ((cf = prov_load_file(file, &d)) == NULL) {
		fprintf(stderr, "mailautoconf: %s: %d error%s, %d warning%s; "
		    "nothing compiled\n", f, d.errors,
		    d.errors == 1 ? "" : "s", d.warns, d.warns == 1 ? "" : "s");
		return 1;
	}
	if (check_loaded(cf, &d, f) != 0)
		fprintf(stderr, "mailautoconf: %s: errors; nothing compiled\n",
		    f);
	else if (!vs_image(cf, f, &d))
		fprintf(stderr, "mailautoconf: %s: nothing compiled (raise "
		    "reload_max_drop for a drop this large)\n", f);
	else if (!compile_owner_ok(file, f))
		;
	else if (img_path(path, sizeof(path), file) != 0)
		fprintf(stderr, "mailautoconf: %s: path too long\n", f);
	else if (img_write(cf, path, stderr) == 0) {
		fprintf(stderr, "mailautoconf: %s: compiled into %s, %zu "
		    "providers, %zu domains, %zu files, %d warning%s\n", f,
		    diag_safe(pb, sizeof(pb), path), cf->nprov, cf->ndomains,
		    cf->nsrc, d.warns, d.warns == 1 ? "" : "s");
		rc = 0;
	}
	prov_free(cf);
	return rc;
}

static int
run_dns(const char *file, const char *only, const struct dns_out *o,
    bool cert_names)
{
	struct diag	 d = { stderr, false, 0, 0 };
	struct config	*cf;
	int		 rc;

	if ((cf = prov_load_file(file, &d)) == NULL)
		return 1;
	rc = cert_names ? dns_cert_names(cf, only, o->flags, stdout) :
	    dns_write(cf, only, o, stdout);
	prov_free(cf);
	return rc;
}

/* ---- main ------------------------------------------------------------- */

struct opts {
	const char	*file;
	const char	*listen;
	const char	*import;
	const char	*dns_only;
	const char	*log_to;	/* --log, else $MAILAUTOCONF_LOG */
	const char	*sock_mode;	/* --socket-mode, for --listen PATH */
	const char	*sock_group;	/* --socket-group, likewise */
	bool		 check;
	bool		 compile;
	bool		 dns;
	bool		 verbose;
	bool		 cert_names;
	struct dns_out	 dns_out;	/* --srv-only, --ttl, --dns-dir */
};

enum {
	OPT_IMPORT = 256, OPT_DNS, OPT_USER, OPT_WORKERS, OPT_LISTEN,
	OPT_SRV_ONLY, OPT_LOG, OPT_VERBOSE, OPT_COMPILE, OPT_SOCK_MODE,
	OPT_SOCK_GROUP, OPT_TTL, OPT_DNS_DIR, OPT_CERT_NAMES
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check", no_argument, NULL, 't' },
	{ "compile", no_argument, NULL, OPT_COMPILE },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "dns", no_argument, NULL, OPT_DNS },
	{ "srv-only", no_argument, NULL, OPT_SRV_ONLY },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "dns-dir", required_argument, NULL, OPT_DNS_DIR },
	{ "cert-names", no_argument, NULL, OPT_CERT_NAMES },
	{ "user", required_argument, NULL, OPT_USER },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "socket-mode", required_argument, NULL, OPT_SOCK_MODE },
	{ "socket-group", required_argument, NULL, OPT_SOCK_GROUP },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* the options of --dns and --cert-names: as options() returns */
static int
options_dns(int ch, struct opts *o)
{
	switch (ch) {
	case OPT_DNS:
		o->dns = true;
		break;
	case OPT_SRV_ONLY:
		o->dns_out.flags |= DNS_SRV_ROUTE;
		break;
	case OPT_TTL:
		if (mac_strtonum(optarg, 0, DNS_TTL_MAX, &o->dns_out.ttl) != 0)
			return 3;
		break;
	case OPT_DNS_DIR:
		o->dns_out.dir = optarg;
		break;
	case OPT_CERT_NAMES:
		o->cert_names = true;
		break;
	}
	return 0;
}

/*
 * The options into o: 0 to go on, else the exit status plus one (--help
 * and --version are done here).  The one word that is not an option is
 * --dns's DOMAIN.
 */
static int
options(int argc, char *argv[], struct opts *o)
{
	enum log_dest	ld;
	int		ch;

	while ((ch = getopt_long(argc, argv, "c:thV", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			o->file = optarg;
			break;
		case 't':
			o->check = true;
			break;
		case OPT_COMPILE:
			o->compile = true;
			break;
		case OPT_IMPORT:
			o->import = optarg;
			break;
		case OPT_DNS: case OPT_SRV_ONLY: case OPT_TTL: case OPT_DNS_DIR:
		case OPT_CERT_NAMES:
			if (options_dns(ch, o) != 0)
				return 3;
			break;
		case OPT_USER:
			opt_user = optarg;
			break;
		case OPT_WORKERS:
			if (mac_strtonum(optarg, 1, PF_WORKERS_MAX,
			    &opt_workers) != 0)
				return 3;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_SOCK_MODE:
			o->sock_mode = optarg;
			break;
		case OPT_SOCK_GROUP:
			o->sock_group = optarg;
			break;
		case OPT_LOG:
			if (log_parse(optarg, &ld) != 0 || ld == LOG_TO_AUTO)
				return 3;
			o->log_to = optarg;
			break;
		case OPT_VERBOSE:
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("mailautoconf %s\n", VERSION);
			return 1;
		default:
			return 3;
		}
	if (optind < argc && (o->dns || o->cert_names) && o->dns_only == NULL)
		o->dns_only = argv[optind++];
	if ((o->dns_out.flags != 0 && !o->dns && !o->cert_names) ||
	    ((o->dns_out.ttl != DNS_TTL || o->dns_out.dir != NULL) && !o->dns))
		return 3;
	return optind < argc ? 3 : 0;
}

/* Serve: the log first, then FastCGI on whatever socket, else CGI. */
static int
run_serve(const struct opts *o, const char *file)
{
	enum log_dest	ld;
	mode_t		mode;
	gid_t		gid;
	int		fd;

	if (log_parse(o->log_to, &ld) != 0)
		ld = LOG_TO_AUTO;	/* a bad $MAILAUTOCONF_LOG: the default */
	log_setup(ld, o->verbose);
	if (o->listen != NULL) {
		if (fcgi_sockperm(o->sock_mode, o->sock_group, opt_user, &mode,
		    &gid) != 0)
			return 1;
		if ((fd = fcgi_listen(o->listen, mode, gid)) < 0) {
			log_msg(LOG_ERR, "cannot listen on %s: %s", o->listen,
			    strerror(errno));
			return 1;
		}
		return run_fcgi(fd, file);
	}
	if ((fd = systemd_fd()) >= 0)
		return run_fcgi(fd, file);
	if (fcgi_is_listener(STDIN_FILENO))
		return run_fcgi(STDIN_FILENO, file);
	return run_cgi(file);
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	const char	*file, *v;
	int		 rc;

	log_probe();
	sane_fds();
	memset(&o, 0, sizeof(o));
	o.dns_out.ttl = DNS_TTL;
	o.log_to = getenv("MAILAUTOCONF_LOG");
	v = getenv("MAILAUTOCONF_VERBOSE");
	o.verbose = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
	if ((rc = options(argc, argv, &o)) != 0) {
		if (rc == 3)
			usage(stderr);
		return rc - 1;
	}
	/* a converter: needs no config, serves nothing */
	if (o.import != NULL)
		return imp_file(o.import, stdout, stderr);
	if ((file = o.file) == NULL &&
	    (file = getenv("MAILAUTOCONF_CONFIG")) != NULL && *file == '\0')
		file = NULL;
	if (file == NULL)
		file = DEFAULT_CONFIG;
	if (o.check)
		return run_check(file);
	if (o.compile)
		return run_compile(file);
	if (o.dns || o.cert_names)
		return run_dns(file, o.dns_only, &o.dns_out, o.cert_names);
	return run_serve(&o, file);
}
