/*
 * probe.h: mailautoconf-probe, the deployment check (docs/mailautoconf-probe.8).
 *
 * A separate program on purpose: libcurl, ldns and libpsl are linked into
 * it, never into mailautoconf, so that a CGI start pays nothing for them.
 * Floors: probe.c (options, the clients, output) above probe_net.c
 * (libcurl), probe_dns.c (ldns) and probe_parse.c (the answers, expat),
 * which use only mailautoconf.h's lower floors.
 */
#ifndef PROBE_H
#define PROBE_H

#include "../mailautoconf.h"

/*
 * The probe's limits (bounds.h holds the server's).  An answer is a few
 * KiB (OUT_MAX is what mailautoconf itself would ever send); anything past
 * 1 MiB is not a mail client config and is cut off unread.
 */
#define PR_BODY_MAX	(1024 * 1024)
/* Servers read from one answer: ISPDB's largest lists a dozen. */
#define PR_SRV_MAX	32
/* URLs we build or read back: a host, a short path and an address. */
#define PR_URL_MAX	1024
/* One line of a problem or a fix; longer network text is cut with "...". */
#define PR_MSG_MAX	512
/* A value shown from the network (host, Content-Type, subject): bounded. */
#define PR_SHOW_MAX	120
/* Text of one element in an answer: host names and usernames are short. */
#define PR_TEXT_MAX	512
/* --connect-to rules and addresses kept per name. */
#define PR_ROUTES_MAX	32
#define PR_ADDRS_MAX	8
/* Names in a certificate we list in a message; all its DNS names are kept
 * for the coverage check, in this many bytes (a hoster's certificate
 * has 100 names, the most an ACME CA signs) */
#define PR_CERTNAMES	8
#define PR_SANS_MAX	8192
/* Every step waits this long at most, as Thunderbird does (5 s); --timeout
 * up to a minute for slow links (and valgrind). */
#define PR_TIMEOUT	5
#define PR_TIMEOUT_MAX	60
extern long pr_timeout;
/*
 * One domain's whole check, every client and server, ends after this many
 * time-outs at most (60 s by default): a deployment that is silent
 * everywhere costs a minute, not one time-out per step, hop and server.
 */
#define PR_DEADLINE_STEPS	12
/*
 * What the run remembers of the servers it reached (probe_net.c): per
 * server (name, port, address), its certificate or why it could not be
 * reached; and whole answers to requests sent again unchanged (the MX
 * host's autoconfig asked without an address), those of at most
 * PR_MEMO_BODY bytes.  Least recently used first out.
 */
#define PR_SEEN_MAX	128
#define PR_MEMO_MAX	32
#define PR_MEMO_BODY	(64 * 1024)
/* Tries per DNS question, as glibc's resolver (attempts:2). */
#define PR_DNS_TRIES	2
/* Questions whose answers one run keeps (a domain asks about 40). */
#define PR_DNS_CACHE	512
/* Mail servers of one answer that are connected to; the rest are listed
 * as not checked (an answer may name dozens of silent hosts). */
#define PR_MAIL_CHECKS	6
/* --all, --domains: records of one domain's plan that differ, causes kept
 * for the summary (and shown), domains named per cause, a list's line */
#define PR_DRIFT_MAX	16
#define PR_CAUSES	64
#define PR_CAUSES_SHOWN	10
#define PR_CAUSE_DOMS	5
#define PR_LINE_MAX	512
/* --jobs: worker processes of a fleet run; the work waits on the network
 * far more than on the CPU */
#define PR_JOBS		4
#define PR_JOBS_MAX	32
/*
 * --max-time: a fleet run ends within this many seconds (an hour by
 * default, a day at most): no domain begins after it, and one under way
 * has only the time left.  The domains not probed are named as such.
 */
#define PR_RUN		3600
#define PR_RUN_MAX	86400

/* ---- probe_parse.c: the answers a client reads ----------------------- */

/* one mail server as a client took it from an answer */
struct msrv {
	enum srv_type	 type;		/* SRV_IMAP, SRV_POP3 or SRV_SMTP */
	enum sock_type	 sock;
	unsigned	 port;
	bool		 valid;		/* the client keeps it */
	bool		 sock_ok;	/* socketType spelt as the spec says */
	char		 host[DOMAIN_MAX + 1];
	char		 user[PR_TEXT_MAX];
};

struct answer {
	struct msrv	 srv[PR_SRV_MAX];
	size_t		 nsrv;
	bool		 overflow;	/* more servers than we keep */
	char		 id[PR_TEXT_MAX];	/* emailProvider id */
	char		 url[PR_URL_MAX];	/* JSON Url, POX redirectUrl */
	char		 raddr[ADDR_MAX + 1];	/* POX redirectAddr */
	char		 msurl[PR_URL_MAX];	/* MobileSync Server Url */
	bool		 exch;		/* POX: a Protocol of Type EXCH, EXHTTP, WEB */
	bool		 signed_profile;
	const char	*why;		/* NULL: parsed */
};

int	 pp_autoconfig(const char *, size_t, struct answer *);
int	 pp_pox(const char *, size_t, struct answer *);
int	 pp_json(const char *, size_t, struct answer *);
int	 pp_plist(const char *, size_t, struct answer *);
bool	 pp_hostname(const char *);
bool	 pp_host_template(const char *);
void	 pp_show(char *, size_t, const char *, size_t);
void	 pp_copy(char *, size_t, const char *, size_t);
/* snprintf for messages, whose cutting at the end is intended */
void	 pr_msg(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---- probe_dns.c: look-ups through a chosen server -------------------- */

enum pd_rc {
	PD_OK, PD_NXDOMAIN, PD_NODATA, PD_FAIL
};

struct pd_addrs {
	char	 a[PR_ADDRS_MAX][48];	/* numeric, IPv6 unbracketed */
	size_t	 n;
	char	 cname[DOMAIN_MAX + 1];	/* "" unless the name is an alias */
};

int	 pd_init(const char *, char *, size_t);
void	 pd_free(void);
enum pd_rc pd_addr(const char *, struct pd_addrs *);
enum pd_rc pd_mx(const char *, char *, size_t);
enum pd_rc pd_srv(const char *, char *, size_t, unsigned *);
enum pd_rc pd_txt(const char *, char *, size_t);
const char *pd_error(void);
extern unsigned long pd_queries;

/* ---- probe_net.c: HTTP(S) and the mail servers, through libcurl ------- */

struct route {
	char		 host[DOMAIN_MAX + 1];	/* "": any */
	unsigned	 port;			/* 0: any */
	char		 to[64];		/* "": the address DNS gave */
	unsigned	 toport;		/* 0: the same port */
};

struct certview {
	bool		 have;
	char		 names[PR_CERTNAMES][PR_SHOW_MAX];
	size_t		 nnames;
	size_t		 nmore;		/* DNS names past PR_CERTNAMES */
	char		 all[PR_SANS_MAX];	/* every DNS name, '\n' after each */
	bool		 allcut;	/* more than all holds */
	char		 issuer[PR_SHOW_MAX];
	long		 days;		/* to expiry; negative: expired */
	bool		 notyet;	/* notBefore in the future */
};

struct fetch {
	long		 status;	/* 0: no HTTP answer */
	char		 ctype[PR_SHOW_MAX];	/* as sent, bounded */
	char		 location[PR_URL_MAX];
	char		*body;
	size_t		 len;
	bool		 cut;		/* longer than PR_BODY_MAX */
	int		 rc;		/* CURLcode */
	char		 err[PR_MSG_MAX];
	char		 ip[64];	/* where it connected */
	struct certview	 cert;
};

struct mcheck {
	int		 verdict;	/* enum pv */
	char		 problem[PR_MSG_MAX];
	char		 fix[PR_MSG_MAX];
	long		 days;		/* -1000: no certificate seen */
};

void	 pn_deadline(long);
void	 pn_step(bool);
/* the cost of a run: connections opened, HTTP requests sent, and those
 * answered from the run's memory instead */
extern unsigned long pn_connects, pn_requests, pn_reused;
long	 pn_left(void);
bool	 pn_bad_port(unsigned);
int	 pn_init(const char *);
void	 pn_free(void);
int	 pn_route_add(const char *);
int	 pn_http(const char *, const char *, const char *, struct fetch *);
void	 pn_fetch_free(struct fetch *);
void	 pn_mail(const struct msrv *, struct mcheck *);
bool	 pn_cert_covers(const struct certview *, const char *);
int	 pn_cert(const char *, struct certview *, char *, size_t);
void	 pn_cert_problem(const struct certview *, const char *, char *, size_t,
	    char *, size_t);

/* ---- probe.c: verdicts ----------------------------------------------- */

enum pv {
	PV_OK, PV_WARN, PV_FAIL, PV_SKIP
};

#endif
