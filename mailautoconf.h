/*
 * mailautoconf.h: the types that cross files, and what each file offers
 * the others, grouped by the file that offers it.  Everything else is
 * static.  Test hooks (what only test/ and fuzz/ call) are in the marked
 * section at the end, except those kept beside their file's declarations:
 * fcgi_feed and fcgi_log (fcgi.c), img_open_mem and img_reseal (image.c),
 * imp_mem (import.c).
 *
 * Who uses whom (each file uses only what is below it, none two ways):
 *
 *	main.c		options, modes, CGI, --check, --dns, --import
 *	fcgi.c prefork.c sandbox.c	FastCGI, --workers, the sandbox
 *	log.c		where log lines go; the line per request
 *	http.c		dispatch: endpoint table -> lookup -> handler -> head
 *	request.c pox.c	the CGI environment and body -> struct request
 *			(routing, methods and query keys: the endpoint table)
 *	endpoint.c	the endpoint table, and each row's handler wiring
 *	autoconfig.c autodiscover.c mobileconfig.c	the handlers
 *	dns.c import.c	--dns; --import (written through the config-key
 *			table, then loaded with the real loader)
 *	pacc.c		the PACC document (a handler) and its digest (--dns)
 *	dav.c		caldav/carddav URLs, filled and taken apart
 *	image.c		the compiled config: --compile, the mapped reader
 *			(answers through the hooks of struct config)
 *	providers.c	the config-key table, providers, the domain table
 *	ini.c		INI syntax (libinih r55-safe) and load diagnostics
 *	mcsign.c	profile signatures: the loader loads the key,
 *			mobileconfig.c signs
 *	xmlout.c	the escaping writer and the placeholder table
 *	util.c idn.c sha1.c sha256.c	strings, numbers, UTF-8 and XML
 *			characters, allocation and the arena; A-labels; SHA-1;
 *			SHA-256 and base64
 *
 * sbgen.c is a build tool: it writes the seccomp programs sandbox.c
 * installs.  mailautoconf-probe (probe/) is a second program on the same
 * library: it loads the config and looks domains up (providers.c), checks
 * addresses (request.c), takes the PACC digest (pacc.c) and escapes
 * (xmlout.c); its answer readers (probe/probe_parse.c) are libprobe.a,
 * which fuzz/fuzz_probe.c links too.  Nothing of the server uses the
 * probe.  docs/DESIGN.md tells the whole.
 */
#ifndef MAILAUTOCONF_H
#define MAILAUTOCONF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "bounds.h"

/* ---- util.c: strings and numbers ------------------------------------ */

size_t	 mac_strlcpy(char *, const char *, size_t);
int	 mac_strtonum(const char *, long long, long long, long long *);
int	 mac_casecmp_n(const char *, size_t, const char *);
bool	 mac_utf8_ok(const unsigned char *, size_t);
bool	 mac_text_ok(const char *, size_t);
size_t	 mac_printable(char *, size_t, const char *, size_t);
size_t	 mac_read_all(int, char *, size_t);
size_t	 mac_xml_seq(const unsigned char *, size_t);
int	 mac_domain(char *, size_t *, const char *, size_t, const char **);
void	*mac_alloc(size_t);
void	*mac_realloc(void *, size_t);
void	 mac_free(void *);

/* util.c: an arena, every byte of a config, freed at once */
struct arena;
void	*arena_alloc(struct arena **, size_t);
char	*arena_strndup(struct arena **, const char *, size_t);
void	*arena_push(struct arena **, void *, size_t *, size_t *, size_t);
void	 arena_free(struct arena *);

/* idn.c: mac_domain for UTF-8 names too, through their A-label form */
int	 mac_domain_idn(char *, size_t *, const char *, size_t,
	    const char **);

/* sha1.c: SHA-1 and name-based (v5) UUIDs for Apple profiles */
#define MAC_SHA1_LEN	20
#define MAC_UUID_LEN	36
void	 mac_uuid5(char *, const unsigned char *, const char *, size_t);
void	 mac_sha1(const void *, size_t, unsigned char *);

/* sha256.c: SHA-256 and base64, for the digest of the PACC document */
#define MAC_SHA256_LEN	32
void	 mac_sha256(const void *, size_t, unsigned char *);
bool	 mac_base64(char *, size_t, const unsigned char *, size_t);

/* ---- xmlout.c: the one writer of request-dependent bytes ------------- */

struct out {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	bool		 err;		/* overflow or refused text: 500 */
	int		 depth;
	bool		 intag;		/* inside a start tag: attributes go */
	bool		 inline_open;	/* the open element holds text only */
	const char	*open[XML_DEPTH];
};

/* what a template's placeholders are filled with; NULL: keep them */
struct fill {
	const char	*address;
	const char	*local;
	const char	*domain;
};

/*
 * The placeholder table: each placeholder, where it may stand (PH_ bits),
 * whether it comes from the address (so that without one the template
 * cannot be filled), and which field of struct fill fills it.
 */
#define PH_USERNAME	0x1	/* username templates */
#define PH_HOST		0x2	/* server host names */
#define PH_REDIRECT	0x4	/* autodiscover.redirect */
#define PH_DAV		0x8	/* caldav/carddav URLs (dav.c; the host part
				   takes PH_HOST ones only) */
struct placeholder {
	const char	*name;
	size_t		 len;
	unsigned	 where;
	bool		 from_address;
	size_t		 fill;		/* offset in struct fill */
};
extern const struct placeholder placeholders[];
extern const size_t nplaceholders;
const struct placeholder *ph_at(const char *);
bool	 ph_needs_address(const char *);
bool	 ph_host(char *, size_t, const char *, const char *);

void	 out_init(struct out *, char *, size_t);
void	 out_raw(struct out *, const char *, size_t);	/* unescaped */
void	 out_str(struct out *, const char *);
void	 out_text(struct out *, const char *, size_t);
/* the escaper out_text uses, for a buffer of one's own (the probe) */
bool	 xml_escape(char *, size_t, const char *, size_t, size_t *);
void	 out_uint(struct out *, unsigned long);
void	 xml_decl(struct out *);
void	 xml_open(struct out *, const char *);
void	 xml_attr(struct out *, const char *, const char *);
void	 xml_close(struct out *);
void	 xml_elem(struct out *, const char *, const char *);
void	 xml_elem_fill(struct out *, const char *, const char *,
	    const struct fill *);
void	 xml_elem_uint(struct out *, const char *, unsigned long);
void	 xml_elem_attr(struct out *, const char *, const char *, const char *,
	    const char *);
void	 xml_elem_attr_fill(struct out *, const char *, const char *,
	    const char *, const char *, const struct fill *);
void	 xml_attr_uint(struct out *, const char *, unsigned long);
void	 xml_empty(struct out *, const char *);
void	 out_json_str(struct out *, const char *, size_t);
void	 out_hdr_token(struct out *, const char *);

/* ---- ini.c: INI syntax (libinih r55-safe) and load diagnostics ------- */

/* where load errors and --check warnings go: one line each */
struct diag {
	FILE		*fp;		/* NULL: count only */
	bool		 warnings;	/* also check what is legal but unwise */
	int		 errors;
	int		 warns;
};

void	 diag_vmsg(struct diag *, const char *, bool, int, const char *,
	    va_list) __attribute__((format(printf, 5, 0)));
void	 diag_msg(struct diag *, const char *, bool, int, const char *, ...)
	    __attribute__((format(printf, 5, 6)));
const char *diag_safe(char *, size_t, const char *);

/* How a continued value is joined (providers.ini(5)). */
enum ini_join {
	INI_JOIN_NONE, INI_JOIN_SPACE, INI_JOIN_CONCAT
};

/*
 * What ini_read hands on, in file order: begin with the number of
 * sections, then each section followed by its entries (the global
 * entries come before the first section).  join says how a continued
 * value of a key is joined.
 */
struct ini_sink {
	enum ini_join	(*join)(void *, const char *);
	void		(*begin)(void *, size_t);
	void		(*section)(void *, const char *, int);
	void		(*entry)(void *, const char *, const char *, int);
	void		*arg;
};

int	 ini_read(const char *, size_t, const char *, struct diag *,
	    const struct ini_sink *);
bool	 ini_section_ok(const char *, size_t);

/* ---- providers.c: the configuration --------------------------------- */

enum srv_type {
	SRV_IMAP, SRV_POP3, SRV_SMTP, SRV_EWS, SRV_OWA, SRV_GRAPH,
	SRV_ACTIVESYNC, SRV_JMAP,	/* https URL servers, one line each */
	SRV__N
};
enum sock_type {
	SOCK_SSL, SOCK_STARTTLS, SOCK_PLAIN
};
enum auth {
	AUTH_CLEARTEXT, AUTH_ENCRYPTED, AUTH_OAUTH2, AUTH_NTLM, AUTH_GSSAPI,
	AUTH_CLIENT_IP, AUTH_TLS_CERT, AUTH_NONE, AUTH_SMTP_AFTER_POP,
	AUTH__N
};
extern const char *const auth_names[AUTH__N];
extern const char *const srv_names[];
extern const char *const sock_names[];

struct authlist {
	unsigned char	 n;
	unsigned char	 a[AUTH_MAX];
};

/* -1: not set, 0: false, 1: true */
struct server {
	enum srv_type	 type;
	enum sock_type	 sock;
	unsigned	 port;
	const char	*host;		/* name, [v6] literal or template */
	const char	*url;		/* ews, owa, graph */
	const char	*username;	/* template (provider's if not set) */
	struct authlist	 auth;		/* provider's if not set */
	const char	*restriction;
	signed char	 global_preferred;
	signed char	 add_this_server;
	signed char	 leave_on_server;
	signed char	 download_on_biff;
	long		 days_to_leave;	/* -1: not set */
	long		 check_interval;
	int		 line;
};

struct text {
	const char	*lang;		/* NULL: no language */
	const char	*text;
};

struct doc {
	const char	*url;
	struct text	*descr;
	size_t		 ndescr;
};

struct provider {
	const char	*id;
	const char	*name;
	const char	*short_name;
	const char	**domains;
	size_t		 ndomains;
	struct server	*in;		/* imap, pop3, ews, owa, graph */
	size_t		 nin;
	struct server	*out;		/* smtp */
	size_t		 nout;
	struct authlist	 auth;
	const char	*username;
	struct doc	*docs;
	size_t		 ndocs;
	const char	*enable;
	struct text	*instr;
	size_t		 ninstr;
	const char	*webmail;
	const char	*carddav;
	const char	*caldav;
	const char	*oauth2_issuer;
	const char	*oauth2_scope;
	const char	*oauth2_auth_url;
	const char	*oauth2_token_url;
	const char	*oauth2_client_id;	/* a public client's ID */
	const char	*oauth2_issuer_url;	/* RFC 8414 issuer, exact */
	const char	*ad_redirect;
	const char	*mc_identifier;
	int		 line;
	const char	*file;		/* of its section; NULL: the config's */
	/*
	 * Derived at load: the first server of each type (NULL: none), and
	 * what Outlook gets, the first IMAP, POP3 and SMTP server in the
	 * order of their lines.
	 */
	const struct server *first[SRV__N];
	const struct server *ad[3];
	size_t		 nad;
};


struct dslot;		/* a slot of the domain table (providers.c) */
struct image;		/* a compiled config (image.c) */
struct mc_signer;

/*
 * A file a config was read from (the INI, an include, a domain file):
 * what --compile records and a compiled image is checked against.
 */
enum cfg_src_kind {
	SRC_INI, SRC_INCLUDE, SRC_DOMAINS
};
struct cfg_src {
	const char	*path;		/* as opened */
	unsigned	 kind;
	bool		 racy;		/* changed just before it was read */
	uint64_t	 size;
	int64_t		 mtime, ctime;
	uint32_t	 mtime_ns, ctime_ns;
	uint64_t	 ino, dev;
	unsigned char	 hash[MAC_SHA1_LEN];
	size_t		 ndomains;	/* SRC_DOMAINS: the domains it held */
};
/* An include pattern and the files it matched, sorted. */
struct cfg_pat {
	const char	*pattern;
	const char	**match;
	size_t		 nmatch;
};

struct config {
	const char		*file;
	struct cfg_src		*src;	/* every file read, the INI first */
	size_t			 nsrc;
	struct cfg_pat		*pat;
	size_t			 npat;
	long			 max_drop;	/* percent, reload_max_drop */
	struct provider		*prov;
	size_t			 nprov;
	struct dslot		*table;	/* open addressing, power of two */
	size_t			 tmask;
	size_t			 ndomains;
	const struct provider	*catch_all;
	unsigned long		 cache_max_age;
	long			 ad_ttl;	/* hours; -1: not set */
	signed char		 pacc_warnings;	/* 0: --check is silent on PACC */
	const char		*web_host;
	struct arena		*arena;
	struct mc_signer	*mc_signer;	/* NULL: profiles go unsigned */
	const char		*sign_cert;	/* as written in the file */
	const char		*sign_key;
	/*
	 * A compiled image (image.c) answers instead of the domain table:
	 * prov_lookup and prov_free hand over to these (NULL: parsed INI).
	 */
	struct image		*img;
	const struct provider	*(*lookup)(const struct config *,
				    const char *, size_t);
	void			(*release)(struct config *);
};

/*
 * The config-key table (providers.c): every key of providers.ini with its
 * scope, whether it may stand twice, how a continued value is joined, its
 * value parser and its target.  The loader, import.c and the docs test
 * read it.
 */
enum cfg_scope {
	CFG_GLOBAL, CFG_PROVIDER, CFG_SERVER
};
#define CFG_REPEAT	0x1	/* may stand more than once in its scope */
#define CFG_LANG	0x2	/* takes a ".LANG" suffix */
#define CFG_OAUTH2	0x4	/* one of the four oauth2 keys, all or none */
#define CFG_LATER	0x8	/* read once every section is known */

struct loader;
struct kv;
struct cfg_key {
	const char	*name;
	enum cfg_scope	 scope;
	unsigned	 flags;
	enum ini_join	 join;
	unsigned	 types;		/* CFG_SERVER: bit per enum srv_type */
	bool		(*parse)(struct loader *, const struct cfg_key *,
			    const struct kv *, void *);
	size_t		 off;		/* target in the scope's struct */
	long long	 min, max;	/* numbers */
	int		 arg;		/* server type; PH_ bits; a variant */
};
extern const struct cfg_key cfg_keys[];
extern const size_t cfg_nkeys;
const struct cfg_key *cfg_key_find(enum cfg_scope, const char *, size_t,
		    const char **);
enum ini_join	 cfg_key_join(const char *);
const char	*cfg_url_why(const char *);
bool		 cfg_lang_ok(const char *);

struct config	*prov_load_file(const char *, struct diag *);
/*
 * How the loader reads files and expands include patterns: the real
 * file system, or the fuzz target's files in memory.  read: the whole
 * file (mac_free it) and its stat; glob: the sorted names (free each and
 * the array with mac_free).  -1 and *why on failure.
 */
struct stat;
struct prov_fs {
	int	(*read)(const char *, char **, size_t *, struct stat *,
		    const char **);
	int	(*glob)(const char *, char ***, size_t *, const char **);
};
extern const struct prov_fs *prov_fs;
int		 prov_fs_read(const char *, char **, size_t *, struct stat *,
		    const char **);
int		 prov_fs_glob(const char *, char ***, size_t *, const char **);
void		 prov_names_free(char **, size_t);
bool		 prov_served(const struct config *, const char *, size_t);
void		 prov_each_domain(const struct config *,
		    void (*)(void *, const char *, size_t), void *);
struct config	*prov_load_mem(const char *, size_t, const char *,
		    struct diag *);
void		 prov_free(struct config *);
const char	*prov_answer_id(const struct provider *);
const struct provider *prov_lookup(const struct config *, const char *,
		    size_t);
bool		 prov_host_ok(const char *, size_t);
void		 prov_pick(struct provider *);
bool		 prov_beside(char *, size_t, const char *, const char *);

/* ---- image.c: the compiled config (--compile), mapped, not parsed ---- */

int		 img_path(char *, size_t, const char *);
int		 img_write(const struct config *, const char *, FILE *);
#define IMG_QUIET	0x1	/* no line when there is no image */
#define IMG_COPY	0x2	/* into private memory, not mapped */
#define IMG_ANY_AGE	0x4	/* a stale image too */
struct config	*img_load(const char *, FILE *, unsigned);
struct config	*img_open_mem(const void *, size_t, const char *,
		    const char **);
bool		 img_broken(const struct config *);
bool		 img_served(const struct config *, const char *, size_t);
void		 img_each_domain(const struct config *,
		    void (*)(void *, const char *, size_t), void *);
void		 img_reseal(unsigned char *, size_t);


/* ---- request.c: environment and body -> struct request --------------- */

enum method {
	M_GET, M_HEAD, M_POST, M_OTHER
};
#define MB(m)	(1u << (m))	/* a set of methods */
/*
 * A row of the endpoint table (endpoint.c).  The names are those of the
 * rows that code outside the table names; rows after them need none.
 */
enum endpoint {
	EP_AUTOCONFIG, EP_POX, EP_JSON, EP_MOBILECONFIG, EP_CALDAV, EP_CARDDAV,
	EP_PACC
};
/* the query keys request.c knows; each endpoint says which it takes */
enum qkey {
	Q_ADDR, Q_MD5, Q_PROTOCOL, Q_REDIRECTCOUNT
};
#define QB(q)	(1u << (q))	/* a set of query keys */
enum pox_schema {
	POX_OUTLOOK, POX_MOBILESYNC, POX_OTHER
};

struct address {
	char		 full[ADDR_MAX + 1];
	char		 local[LOCAL_MAX + 1];
	char		 domain[DOMAIN_MAX + 1];	/* lower case, ASCII */
	size_t		 dlen;
};

typedef const char *(*req_getenv)(void *, const char *);

struct request {
	enum method	 method;
	enum endpoint	 ep;
	const char	*why;		/* the rule a rejected request broke */
	bool		 has_addr;
	struct address	 addr;
	char		 domain[DOMAIN_MAX + 1];	/* the one to answer for */
	size_t		 dlen;
	char		 host[DOMAIN_MAX + 1];	/* validated Host, or "" */
	char		 qaddr[QVAL_MAX];	/* the address parameter */
	bool		 has_qaddr;
	char		 protocol[QKEY_MAX];	/* JSON Protocol */
	bool		 has_protocol;
	bool		 form_body;	/* POST form-encoded */
	long		 body_want;	/* -1: none; else bytes, or BODY_MAX+1 */
	size_t		 bodylen;
	enum pox_schema	 schema;
	char		 schema_uri[SCHEMA_MAX + 1];
	bool		 pox_error;	/* answer with error 600 */
	bool		 ua_outlook;	/* User-Agent is Outlook's: no EXCH/WEB */
	bool		 evolution;	/* Evolution (User-Agent or emailmd5):
					   the last server of a type wins */
	const char	*client;	/* its kind, for the log (ua_client) */
	long long	 now_ms;	/* wall clock, for POX error ids */
	char		 body[BODY_MAX + 1];	/* last: resets stop before it */
};

int	 req_start(struct request *, req_getenv, void *);
int	 req_finish(struct request *);
int	 req_address(struct address *, const char *, size_t, const char **);
const char	*req_svc_domain(const char *);

/* pox.c: the POX body (DESIGN.md §4) into the address and schema */
int	 req_pox(struct request *, const char *, size_t);

/* ---- handlers: (request, provider) -> writer calls -> HTTP status ---- */

/* autoconfig.c: Thunderbird's config-v1.1.xml (DESIGN.md §3) */
int	 ac_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
/* autodiscover.c: Outlook's POX (DESIGN.md §4), the v2 JSON (§5) */
int	 ad_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
int	 ad_error(const struct request *, int, struct out *);
int	 ad_mobilesync(const struct request *, const struct provider *,
	    struct out *);
int	 ad_json(const struct request *, const struct config *,
	    const struct provider *, struct out *);
void	 ad_json_error(const struct request *, int, struct out *);
/* mobileconfig.c: the Apple profile and its page (DESIGN.md §6) */
int	 mc_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
int	 mc_page(const struct request *, const struct config *,
	    const struct provider *, struct out *);

/* ---- endpoint.c: the endpoint table -------------------------------- */

/*
 * What a handler wrote beside its body and status: NULL or -1 fields
 * leave the endpoint's own.  error_page: send the fixed error body of the
 * status instead of what was written.
 */
struct reply {
	const char	*ctype;
	const char	*extra;		/* header lines, "\r\n" between */
	signed char	 cache;		/* 1: max-age=cache_max_age, 0: no-store */
	bool		 error_page;
	char		 xh[512];	/* room for a header the handler builds
					   (a Location: with a DAV URL) */
};

typedef int (*ep_handler)(struct request *, const struct config *,
    const struct provider *, struct out *, struct reply *);

/*
 * One row for each endpoint: routing (request.c), dispatch and headers
 * (http.c), --check (main.c) and the docs test read it.  A provider is
 * looked up before the handler runs (NULL only when the request already
 * failed in a way the handler answers, a malformed POX body).
 */
struct endpoint_def {
	const char	*name;
	const char	*paths[4];	/* matched case-insensitively; NULL-ended */
	const char	*addr_prefix;	/* a path with the address after it */
	unsigned	 methods;	/* MB() bits; also the Allow of a 405 */
	unsigned	 query;		/* QB() bits: the query keys it takes */
	ep_handler	 answer;
	void		(*error)(const struct request *, int, struct out *);
	const char	*ctype;		/* of the answer, and of error bodies
					   written by error */
	bool		 cache;		/* max-age=cache_max_age, else no-store */
	unsigned long	 cache_cap;	/* and no longer than this (0: no cap) */
	const char	*extra;		/* header lines, or NULL */
	bool		 check;		/* --check renders it for every provider */
	bool		 no_body;	/* a body is not read (nor refused) */
	bool		 any_domain;	/* the handler runs without a provider
					   too (NULL), and without a Host */
	bool		 xml_body;	/* a POST body is Autodiscover XML
					   (pox.c; empty: error 600), else a
					   form */
	bool		 need_protocol;	/* 400 without a Protocol key */
	bool		 need_host;	/* 400 without a valid Host */
	bool		 dav_card;	/* ep_dav: CardDAV, else CalDAV */
	bool		 jmap;		/* ep_dav: the JMAP session URL */
};

extern const struct endpoint_def endpoints[];
extern const size_t nendpoints;
extern const char *const method_names[];

/* ---- mcsign.c: CMS signatures for Apple profiles (libcrypto) --------- */

struct mc_signer *mc_sign_load(const char *, const char *, char *, size_t);
void	 mc_sign_free(struct mc_signer *);
void	 mc_sign_seal(void);
int	 mc_sign(const struct mc_signer *, const char *, size_t, struct out *,
	    char *, size_t);

/* ---- import.c: config-v1.1.xml -> a providers.ini section (--import) - */

int	 imp_mem(const char *, size_t, const char *, FILE *, FILE *);
int	 imp_file(const char *, FILE *, FILE *);

/* ---- sandbox.c: privileges, Landlock, seccomp (after loading) -------- */

enum sb_mode {
	SB_CGI, SB_FASTCGI, SB_SUPERVISOR
};
/* Room for the largest program (sb_filter.h has about 150 instructions) */
#define SB_PROG_MAX	1024
/* Stands for the pid in the programs of sbgen.c; beyond any pid_max */
#define SB_PID_MARK	0x7a5ec0deU

extern const bool sb_built;	/* false: built with SANDBOX=0 or a sanitizer */

int	 sb_privileges(const char *, bool);
int	 sb_enter(enum sb_mode, const char *);

/* ---- prefork.c: --workers N under a supervisor ------------------------ */

typedef struct config *(*pf_reload)(struct config *, const char *);

int	 pf_supervise(int, struct config **, const char *, pf_reload,
	    void (*)(void));

/* ---- fcgi.c: the FastCGI responder ----------------------------------- */

/*
 * handle(arg, ctx, params_over, &head, &hlen, &body, &blen) answers one
 * request whose parameters and body fcgi_param/fcgi_read give from ctx;
 * tick(arg) runs after every wake-up of the loop.
 */
struct fcgi_hooks {
	void	(*handle)(void *, void *, bool, const char **, size_t *,
		    const char **, size_t *);
	void	(*tick)(void *);
	void	*arg;
};

/* what fcgi_serve's *stop says: SIGTERM, or a worker replaced by a reload */
#define FCGI_STOP	1
#define FCGI_RETIRE	2
int		 fcgi_serve(int, const struct fcgi_hooks *,
		    volatile sig_atomic_t *);
int		 fcgi_listen(const char *, mode_t, gid_t);
int		 fcgi_sockperm(const char *, const char *, const char *,
		    mode_t *, gid_t *);
bool		 fcgi_is_listener(int);
const char	*fcgi_param(void *, const char *);
size_t		 fcgi_read(void *, char *, size_t);
void		 fcgi_log(void *, const char *);
void		 fcgi_feed(const unsigned char *, size_t, size_t, int,
		    const struct fcgi_hooks *);

/* ---- dav.c: caldav/carddav URLs, filled and taken apart ------------- */

struct davurl {
	char		 url[DAV_URL_MAX + 1];	/* filled */
	size_t		 len;
	char		 host[DOMAIN_MAX + 1];	/* no brackets */
	unsigned	 port;		/* the URL's, else 443 or 80 */
	bool		 explicit_port;
	bool		 tls;		/* https */
	bool		 literal;	/* host is an IPv6 literal */
	size_t		 path;		/* offset of the path in url */
	size_t		 plen;		/* its length, query excluded */
	bool		 query;		/* a query or fragment follows */
};

int	 dav_split(struct davurl *, const char *, const struct fill *,
	    const char **);
int	 dav_redirect(const struct provider *, const char *, bool, char *,
	    size_t, const char **);
int	 dav_jmap(const struct provider *, const char *, char *, size_t,
	    const char **);
int	 dav_location(const char *, const char *, char *, size_t,
	    const char **);

/* ---- pacc.c: the PACC document and its digest ---------------------- */

int	 pacc_render(const struct provider *, const char *, struct out *);
int	 pacc_txt(const struct provider *, const char *, char *, size_t);
void	 pacc_warn(const struct config *, struct diag *);

/* ---- dns.c: --dns --------------------------------------------------- */

#define DNS_SRV_ROUTE	0x1	/* --srv-only: the one-certificate route */
int	 dns_print(const struct config *, const char *, unsigned, FILE *);
/* --dns's output: DNS_SRV_ROUTE, the TTL, a directory for one file a domain */
struct dns_out {
	unsigned	 flags;
	long long	 ttl;
	const char	*dir;		/* NULL: the stream */
};
int	 dns_write(const struct config *, const char *, const struct dns_out *,
	    FILE *);
int	 dns_cert_names(const struct config *, const char *, unsigned, FILE *);
const struct server *dns_find(const struct provider *, enum srv_type,
	    enum sock_type);

/* ---- log.c: where lines go; one line per request --------------------- */

enum log_dest {
	LOG_TO_AUTO, LOG_TO_STDERR, LOG_TO_SYSLOG
};

void		 log_probe(void);
int		 log_parse(const char *, enum log_dest *);
void		 log_setup(enum log_dest, bool);
bool		 log_verbose(void);
void		 log_msg(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 log_lines(int, const char *, size_t);

/* ---- http.c: status, headers, fixed error bodies, dispatch ----------- */

struct response {
	int		 status;
	char		 head[HEAD_MAX];
	size_t		 hlen;
	char		 body[OUT_MAX];
	size_t		 blen;
	bool		 send_body;	/* false for HEAD */
};

const char	*http_reason(int);
void		 http_error(struct response *, const struct request *, int);
void		 http_respond(const struct config *, struct request *,
		    struct response *);

/* log.c, once struct request is known */
void		 log_request(const struct request *, int);
void		 log_count(const struct request *, int);
void		 log_stop(bool);

/* ---- test hooks: for test/ and fuzz/ only, never the request path ---- */

/* util.c: fail the Nth allocation from now (0: never) */
void	 mac_alloc_fail_after(long);
/* request.c: the parts of req_start */
int	 req_query(struct request *, const char *, size_t);
int	 req_host(char *, const char *, const char **);
ssize_t	 req_urldecode(char *, size_t, const char *, size_t);

#endif
