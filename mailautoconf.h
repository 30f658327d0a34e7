/*
 * mailautoconf.h: the types that cross files, and the functions each
 * file offers the others.  Everything else is static.
 *
 * Floors: main.c (options, modes, libfcgi) above the handlers
 * (autoconfig.c, autodiscover.c, http.c's dispatcher), above request.c and
 * providers.c, above xmlout.c and util.c, which import nothing of ours.
 */
#ifndef MAILAUTOCONF_H
#define MAILAUTOCONF_H

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
int	 mac_domain(char *, size_t *, const char *, size_t, const char **);
void	*mac_alloc(size_t);
void	*mac_realloc(void *, size_t);
void	 mac_free(void *);
/* test builds: fail the Nth allocation from now (0: never) */
void	 mac_alloc_fail_after(long);

/* idn.c: mac_domain for UTF-8 names too, through their A-label form */
int	 mac_domain_idn(char *, size_t *, const char *, size_t,
	    const char **);

/* sha1.c: SHA-1 and name-based (v5) UUIDs for Apple profiles */
#define MAC_SHA1_LEN	20
#define MAC_UUID_LEN	36
void	 mac_sha1(const void *, size_t, unsigned char *);
void	 mac_uuid5(char *, const unsigned char *, const char *, size_t);

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

void	 out_init(struct out *, char *, size_t);
void	 out_raw(struct out *, const char *, size_t);
void	 out_str(struct out *, const char *);
void	 out_text(struct out *, const char *, size_t);
void	 out_uint(struct out *, unsigned long);
void	 xml_decl(struct out *);
void	 xml_open(struct out *, const char *);
void	 xml_attr(struct out *, const char *, const char *);
void	 xml_attr_fill(struct out *, const char *, const char *,
	    const struct fill *);
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
bool	 xml_escape(char *, size_t, const char *, size_t, size_t *);
void	 out_json_str(struct out *, const char *, size_t);
void	 out_hdr_token(struct out *, const char *);

/* ---- providers.c: the configuration --------------------------------- */

enum srv_type {
	SRV_IMAP, SRV_POP3, SRV_SMTP, SRV_EWS, SRV_OWA, SRV_GRAPH
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
	const char	*ad_redirect;
	const char	*mc_identifier;
	int		 line;
	/*
	 * Derived at load: the first server of each type (NULL: none), and
	 * what Outlook gets, the first IMAP, POP3 and SMTP server in the
	 * order of their lines.
	 */
	const struct server *first[SRV_GRAPH + 1];
	const struct server *ad[3];
	size_t		 nad;
};

struct dslot {
	const char		*name;	/* NULL: empty slot */
	size_t			 len;
	uint32_t		 hash;
	const struct provider	*prov;
};

struct arena;
struct mc_signer;

struct config {
	const char		*file;
	struct provider		*prov;
	size_t			 nprov;
	struct dslot		*table;	/* open addressing, power of two */
	size_t			 tmask;
	size_t			 ndomains;
	const struct provider	*catch_all;
	unsigned long		 cache_max_age;
	long			 ad_ttl;	/* hours; -1: not set */
	const char		*web_host;
	struct arena		*arena;
	struct mc_signer	*mc_signer;	/* NULL: profiles go unsigned */
};

/* where load errors and --check warnings go: one line each */
struct diag {
	FILE		*fp;		/* NULL: count only */
	bool		 warnings;	/* also check what is legal but unwise */
	int		 errors;
	int		 warns;
};

struct config	*prov_load_file(const char *, struct diag *);
struct config	*prov_load_mem(const char *, size_t, const char *,
		    struct diag *);
void		 prov_free(struct config *);
const struct provider *prov_lookup(const struct config *, const char *,
		    size_t);
uint32_t	 prov_hash(const char *, size_t);

/* ---- request.c: environment and body -> struct request --------------- */

enum method {
	M_GET, M_HEAD, M_POST, M_OTHER
};
enum endpoint {
	EP_AUTOCONFIG, EP_POX, EP_JSON, EP_MOBILECONFIG
};
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
	const char	*allow;		/* methods, for a 405 */
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
	long long	 now_ms;	/* wall clock, for POX error ids */
	char		 body[BODY_MAX + 1];	/* last: resets stop before it */
};

int	 req_start(struct request *, req_getenv, void *);
int	 req_finish(struct request *);
int	 req_query(struct request *, const char *, size_t);
int	 req_address(struct address *, const char *, size_t, const char **);
int	 req_host(char *, const char *, const char **);
int	 req_pox(struct request *, const char *, size_t);
ssize_t	 req_urldecode(char *, size_t, const char *, size_t);

/* ---- handlers: (request, provider) -> writer calls -> HTTP status ---- */

int	 ac_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
int	 ad_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
int	 ad_error(const struct request *, int, struct out *);
int	 ad_json(const struct request *, const struct config *,
	    const struct provider *, struct out *);
void	 ad_json_error(const struct request *, int, struct out *);
int	 mc_render(const struct request *, const struct config *,
	    const struct provider *, struct out *);
int	 mc_page(const struct request *, const struct config *,
	    const struct provider *, struct out *);

/* ---- mcsign.c: CMS signatures for Apple profiles (libcrypto) --------- */

struct mc_signer *mc_sign_load(const char *, const char *, char *, size_t);
void	 mc_sign_free(struct mc_signer *);
int	 mc_sign(const struct mc_signer *, const char *, size_t, struct out *,
	    char *, size_t);

/* ---- import.c: config-v1.1.xml -> a providers.ini section (--import) - */

int	 imp_mem(const char *, size_t, const char *, FILE *, FILE *);
int	 imp_file(const char *, FILE *, FILE *);

/* ---- sandbox.c: privileges, Landlock, seccomp (after loading) -------- */

enum sb_mode {
	SB_CGI, SB_FASTCGI, SB_SUPERVISOR
};

extern const bool sb_built;	/* false: built with SANDBOX=0 or a sanitizer */

int	 sb_privileges(const char *, bool);
int	 sb_enter(enum sb_mode, const char *);

/* ---- prefork.c: --workers N under a supervisor ------------------------ */

typedef struct config *(*pf_reload)(struct config *, const char *);

int	 pf_supervise(int, struct config **, const char *, pf_reload);

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

int		 fcgi_serve(int, const struct fcgi_hooks *,
		    volatile sig_atomic_t *);
int		 fcgi_listen(const char *);
bool		 fcgi_is_listener(int);
const char	*fcgi_param(void *, const char *);
size_t		 fcgi_read(void *, char *, size_t);
void		 fcgi_log(void *, const char *);
void		 fcgi_feed(const unsigned char *, size_t, size_t, int,
		    const struct fcgi_hooks *);

/* ---- dns.c: --dns --------------------------------------------------- */

int	 dns_print(const struct config *, const char *, FILE *);

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

#endif
