/*
 * bounds.h: every limit of mailautoconf, with the reason beside it.
 * Limits on input are checked before the input is parsed.
 */
#ifndef BOUNDS_H
#define BOUNDS_H

/* A limit as text, so that messages quote it: LIMIT_STR(ADDR_MAX) "254" */
#define LIMIT_STR_(n)	#n
#define LIMIT_STR(n)	LIMIT_STR_(n)

/* DESIGN.md §8: a longer QUERY_STRING is refused with 414. */
#define QUERY_MAX	4096
/* DESIGN.md §8 / §4: a POX or form body over 64 KiB is refused with 413. */
#define BODY_MAX	65536
/* RFC 5321 §4.5.3.1 as amended by RFC 3696 errata: 254 bytes of address. */
#define ADDR_MAX	254
/* RFC 5321 §4.5.3.1.1: 64 bytes of local part. */
#define LOCAL_MAX	64
/* RFC 1035 §2.3.4: 253 bytes of domain name (without the trailing dot). */
#define DOMAIN_MAX	253
/* RFC 1035 §2.3.4: 63 bytes a label. */
#define LABEL_MAX	63
/* Paths we answer are short; anything longer is a 404 without a look. */
#define PATH_MAX_LEN	1024
/* Query keys we know are short; value slots hold an address at most. */
#define QKEY_MAX	32
#define QVAL_MAX	(ADDR_MAX + 1)
/*
 * CGI: a body the answer does not need is still read and dropped, up to
 * this much (main.c cgi_drain: Apache's mod_cgid drops the answer of a
 * script that leaves its body unread).  A bigger one is no mail client's.
 */
#define CGI_DRAIN_MAX	(1024 * 1024)
/* POX: element nesting deeper than this is not an Autodiscover request. */
#define POX_DEPTH	16
/* POX: the schema URI we compare (never echoed); longer is error 600. */
#define SCHEMA_MAX	256

/*
 * One answer: the largest provider section the format allows renders to a
 * few KiB; a response that would not fit becomes a 500, never a cut
 * document (STYLE: "formatting fails closed").
 */
#define OUT_MAX		(64 * 1024)
#define HEAD_MAX	1024
/*
 * A caldav/carddav URL once its placeholders are filled: a configured
 * URL plus an address percent-encoded (3 x 254 bytes) fits easily; one
 * that does not is left out of the answer, never cut.
 */
#define DAV_URL_MAX	2048
/*
 * The TTL of the records --dns prints.  The PACC document is cached for
 * no longer than this: a client holding the document longer than the TXT
 * record with its digest could pair a new document with an old digest.
 */
#define DNS_TTL		3600
/* --ttl: RFC 2181 §8, a TTL is 0 to 2^31 - 1 seconds. */
#define DNS_TTL_MAX	2147483647LL
/*
 * PACC's info.provider: a name of at most 60 characters and a short name
 * of at most 20 (draft-ietf-mailmaint-pacc); a longer one gives way.
 */
#define PACC_NAME_MAX	60
#define PACC_SHORT_MAX	20
/* RFC 1035 §3.3: a TXT character-string holds at most 255 bytes. */
#define DNS_TXT_MAX	255
/* Element nesting of our own output. */
#define XML_DEPTH	16

/*
 * Debian 12's libinih r55 reads lines into a 200-byte buffer and parses the
 * rest of a longer line as a new line; it cuts section names to 49 bytes.
 * providers.ini(5): a line of 200 bytes or more, or a section name of 50
 * bytes or more, is an error.
 */
#define INI_LINE_MAX	200
#define INI_SECTION_MAX	50
/* A config file larger than this is surely not a providers.ini. */
#define INI_FILE_MAX	(64 * 1024 * 1024)
/*
 * Domain files (domains_file): one domain a line, and a domain is at most
 * 253 bytes as an A-label; its UTF-8 form may take a few times that.  A
 * longer line is no domain (a binary file, a wrong export).
 */
#define DOMFILE_LINE_MAX	1024
/* include: nesting deeper than this is a mistake, not a layout. */
#define INCLUDE_DEPTH_MAX	8
/*
 * A file whose size or mtime changes while it is read is being written
 * in place: read again after a pause, this many times at most.
 */
#define FILE_RETRIES		5
#define FILE_RETRY_MS		100
/*
 * reload_max_drop: a reload or --compile that stops serving more than
 * this share (percent) of the domains served is refused: a cut or failed
 * export is the likely cause, not the departure of so many customers.
 * A drop of at most DROP_FLOOR domains always passes (a small config
 * edited by hand).
 */
#define MAX_DROP_DEFAULT	25
#define DROP_FLOOR		10

/*
 * Providers a process keeps decoded from a compiled config (image.c): a
 * FastCGI process answers a few providers most of the time; a view is
 * some hundred bytes, so 256 cost well under 1 MiB at most.
 */
#define IMG_CACHE	256
/* Authentication methods in one list; the format defines nine. */
#define AUTH_MAX	9
/* Rows of the config-key table: the loader keeps a line per row. */
#define CFG_KEYS_MAX	64
/* Errors printed before the loader stops listing them. */
#define ERRORS_MAX	100
/* cache_max_age: one year, as RFC 9111 suggests for "never expires". */
#define CACHE_AGE_MAX	31536000
/* autodiscover.ttl, in hours: one year. */
#define AD_TTL_MAX	8760

/*
 * --workers: FastCGI serves one request at a time per process, so workers
 * beyond a few per CPU only hold memory; 256 is far past any use.
 */
#define PF_WORKERS_MAX	256
/*
 * --workers: old workers that a reload told to retire and that still hold
 * connections the web server keeps (each leaves when the web server has
 * closed them, within FCGI_IDLE_TIMEOUT).  A reload every second for the
 * 90 s of that bound, with a few workers, stays far below; past it the
 * oldest is told to stop at once (its kept idle connections close, which
 * the web server must then retry: docs/deploy.md).
 */
#define PF_RETIRED_MAX	1024

/*
 * --import: ISPDB's config-v1.1.xml files are a few KiB, four elements
 * deep, with a few servers; the largest lists a few hundred domains.
 * Anything beyond these is not a mail client config.
 */
#define IMPORT_MAX	(1024 * 1024)
#define IMPORT_DEPTH	16
#define IMPORT_TEXT_MAX	4096
#define IMPORT_DOMAINS	1024
#define IMPORT_SERVERS	64
#define IMPORT_TEXTS	32
/* --import: continued values are wrapped at this width, for people */
#define IMPORT_WRAP	100
/* mobileconfig.sign_*: a certificate chain or key is a few KiB of PEM. */
#define MC_PEM_MAX	(1024 * 1024)

/*
 * FastCGI (fcgi.c).  Connections one process holds at once: nginx keeps
 * a few per worker (upstream keepalive), a slot costs ~100 KiB once used
 * (~170 KiB with an answer waiting).  When all are taken the connection
 * that has waited longest for its peer is closed to make room; failing
 * that, the one whose answer has waited longest to be read, once it has
 * waited FCGI_EVICT_WAIT: a web server reads FastCGI output as it comes
 * (nginx buffers it), so an answer unread that long is a peer that
 * pipelines and does not read, and such peers cannot hold every slot.
 * Only when every slot has an answer waiting for less than that does the
 * process stop accepting, for that long at most (the next sweep).
 */
#define FCGI_CONNS_MAX	256
#define FCGI_EVICT_WAIT	2
/*
 * Parameters: nginx sends about 1 KiB; a query is at most 4 KiB and the
 * rest are headers.  nginx's fastcgi_params sets 17 and adds one per
 * request header; clients send 5 to 20.  More of either is a 400, never
 * a silent drop (a request that lost HTTP_HOST would get another answer).
 */
#define PARAMS_MAX	16384
#define FCGI_ENV_MAX	128
/*
 * Deadlines, in seconds on CLOCK_MONOTONIC, from the moment a connection
 * is accepted.  Idle (no request begun): longer than nginx's upstream
 * keepalive_timeout (60 s by default), so that nginx, which knows when it
 * is about to reuse a kept connection, is always the one to close it;
 * were ours shorter, nginx could send a request on a connection at the
 * instant we close it and answer that request 502.  The same bound lets
 * a retiring worker (after a reload) close a kept connection safely: idle
 * for 90 s since our last answer means idle for longer than nginx's 60 s
 * since it read that answer, so nginx has closed it already and cannot be
 * sending (Apache's mod_proxy_fcgi and lighttpd do not keep connections
 * by default).  A web server with a longer keepalive timeout for its
 * FastCGI pool needs this raised with it.  A request, from its
 * first byte (half a record header counts) to its last, however it
 * trickles: nginx sends a buffered request at once.  Output, from the
 * first write the socket did not take until the connection is idle again
 * (a pipelining peer that reads slowly gets 30 s in all, not 30 s an
 * answer): nginx reads FastCGI output as it comes.  Stopping (SIGTERM):
 * requests under way, and connections accepted whose request has not
 * come yet, get this long to finish.
 */
#define FCGI_IDLE_TIMEOUT	90
#define FCGI_REQ_TIMEOUT	30
#define FCGI_WRITE_TIMEOUT	30
#define FCGI_DRAIN_TIMEOUT	5
/*
 * Stopping: a connection the web server keeps is closed once it has been
 * idle this long, unless a request comes first (answered, then closed).
 * nginx takes the most recently used connection of its pool first, so
 * under load every kept connection gets its last request within
 * milliseconds and is closed after it, never under a request; one idle
 * for a second is one nginx is not using.  An idle server leaves at once.
 */
#define FCGI_STOP_GRACE		1
/*
 * Connections accepted in one wake-up: enough to empty a burst's queue in
 * a few rounds, few enough that the requests of connections already held
 * are not kept waiting behind a burst, and that other processes on the
 * same socket get their share.
 */
#define FCGI_ACCEPT_BATCH	8

/*
 * One log line: RFC 3164 relays need only take 1024 bytes, and ours are a
 * status, a fixed rule, a domain (253) and a file:line message.
 */
#define LOG_LINE_MAX	1024
/* The local syslog socket (syslog(3)'s _PATH_LOG). */
#define LOG_SOCKET	"/dev/log"
/* The config loader's messages kept for the log at start and on reload. */
#define LOAD_DIAG_MAX	4096

#endif
