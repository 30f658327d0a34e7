/*
 * log.c: where mailautoconf's lines go, and the one line per request.
 *
 * Two destinations.  Standard error: the web server's error log under
 * CGI, the journal under systemd (then each line starts with "<N>", the
 * priority journald reads).  Syslog: the local socket /dev/log, ident
 * "mailautoconf" with the pid, facility daemon.  Without a choice
 * (--log, $MAILAUTOCONF_LOG), standard error unless it leads nowhere
 * (closed, or /dev/null as spawn-fcgi leaves it).
 *
 * Our own syslog client, not syslog(3): the socket is connected before
 * the sandbox (seccomp kills socket() afterwards, and glibc's syslog()
 * calls it again after any failed send), and a line is one write(2),
 * which every sandbox mode allows.  A line the socket does not take is
 * dropped; a server never blocks or dies for its syslog.  When the
 * daemon it was connected to has gone (restarted: its new socket is
 * another one at the same path), the line goes to the path with
 * sendto(2), which finds the new daemon: no new socket and no connect(2),
 * which the sandbox forbids (log_syslog()).
 *
 * Request lines name only what passed validation: the status, the
 * endpoint (the endpoint table's name), the domain (LDH, lower case,
 * A-label), a client kind from request.c's fixed table, and the rule
 * from the code.  No byte of the request.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

static struct {
	enum log_dest	 dest;
	int		 fd;		/* syslog socket, -1: none */
	bool		 journal;	/* stderr is journald's: "<N>" */
	bool		 verbose;
	bool		 stderr_closed;	/* fd 2 was closed at start */
	bool		 lost;		/* the daemon fd met has gone */
	struct sockaddr_un sun;		/* LOG_SOCKET */
} lg = { LOG_TO_STDERR, -1, false, false, false, false, { 0 } };

/* Before sane_fds(): a closed fd 2 leads nowhere. */
void
log_probe(void)
{
	struct stat	st;

	lg.stderr_closed = fstat(STDERR_FILENO, &st) != 0;
}

static bool
stderr_nowhere(void)
{
	struct stat	st, null;

	if (lg.stderr_closed || fstat(STDERR_FILENO, &st) != 0)
		return true;
	return S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 &&
	    st.st_rdev == null.st_rdev;
}

/* systemd's JOURNAL_STREAM=DEV:INO names our stderr when it is the journal */
static bool
stderr_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static int
syslog_connect(void)
{
	int	fd;

	lg.sun.sun_family = AF_UNIX;
	mac_strlcpy(lg.sun.sun_path, LOG_SOCKET, sizeof(lg.sun.sun_path));
	/* non-blocking: a full queue drops the line, never stalls a request */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&lg.sun, sizeof(lg.sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One line to syslog.  The connected socket first; once the daemon it
 * met has gone (the kernel says ECONNREFUSED, then ENOTCONN), every line
 * is sent to LOG_SOCKET by name, where a restarted daemon listens again.
 * A full queue (EAGAIN) is no reason: that line is dropped.
 */
static void
log_syslog(const char *line, size_t n)
{
	if (!lg.lost) {
		if (write(lg.fd, line, n) >= 0 || (errno != ECONNREFUSED &&
		    errno != ENOTCONN && errno != ECONNRESET))
			return;
		lg.lost = true;
	}
	(void)sendto(lg.fd, line, n, 0, (struct sockaddr *)&lg.sun,
	    sizeof(lg.sun));
}

/* "stderr", "syslog" or "" (choose); -1 for anything else */
int
log_parse(const char *s, enum log_dest *d)
{
	if (s == NULL || *s == '\0')
		*d = LOG_TO_AUTO;
	else if (strcmp(s, "stderr") == 0)
		*d = LOG_TO_STDERR;
	else if (strcmp(s, "syslog") == 0)
		*d = LOG_TO_SYSLOG;
	else
		return -1;
	return 0;
}

/*
 * Choose the destination; before the sandbox.  Syslog without a socket
 * (no syslog daemon) falls back to stderr.
 */
void
log_setup(enum log_dest d, bool verbose)
{
	lg.verbose = verbose;
	if (d == LOG_TO_AUTO)
		d = stderr_nowhere() ? LOG_TO_SYSLOG : LOG_TO_STDERR;
	if (d == LOG_TO_SYSLOG) {
		tzset();	/* localtime_r() reads no file later */
		if ((lg.fd = syslog_connect()) < 0)
			d = LOG_TO_STDERR;
	}
	lg.dest = d;
	lg.journal = d == LOG_TO_STDERR && stderr_journal();
}

bool
log_verbose(void)
{
	return lg.verbose;
}

/* One line: "mailautoconf: MSG", to the destination chosen. */
void
log_msg(int prio, const char *fmt, ...)
{
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char		 line[LOG_LINE_MAX];
	size_t		 n = 0, start;
	ssize_t		 w;
	int		 k;
	va_list		 ap;
	time_t		 now;
	struct tm	 tm;

	if (lg.dest == LOG_TO_SYSLOG) {
		now = time(NULL);
		localtime_r(&now, &tm);
		k = snprintf(line, sizeof(line), "<%d>%s %2d %02d:%02d:%02d "
		    "mailautoconf[%ld]: ", LOG_DAEMON | prio, mon[tm.tm_mon],
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (long)getpid());
	} else if (lg.journal)
		k = snprintf(line, sizeof(line), "<%d>mailautoconf: ", prio);
	else
		k = snprintf(line, sizeof(line), "mailautoconf: ");
	if (k < 0)
		return;
	n = start = (size_t)k;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	n += (size_t)k;
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	/*
	 * One line of printable ASCII, as diag_safe() makes the loader's:
	 * a file or socket name from the command line may hold anything.
	 */
	mac_printable(line + start, n - start + 1, line + start, n - start);
	/* a line that cannot be written is dropped; the server goes on */
	if (lg.dest == LOG_TO_SYSLOG)
		log_syslog(line, n);
	else {
		line[n++] = '\n';
		w = write(STDERR_FILENO, line, n);
		(void)w;
	}
}

/* Lines some code writes to a FILE (the config loader): each one logged. */
void
log_lines(int prio, const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *nl;
	const char	*pfx = "mailautoconf: ";
	size_t		 pl = strlen(pfx);

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) >= pl && memcmp(p, pfx, pl) == 0)
			p += pl;
		if (nl > p)
			log_msg(prio, "%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
}

/* ---- one line per request --------------------------------------------- */

/* What this process answered since it started: the stop line has them. */
static struct {
	unsigned long	answered, missed, refused, failed;
} counts;

void
log_count(const struct request *r, int status)
{
	if (status >= 500)
		counts.failed++;
	else if (status == 404)
		counts.missed++;
	else if (status >= 400 || r->pox_error)
		counts.refused++;
	else
		counts.answered++;
}

/* "stopped" and the counts; a worker under --workers names itself */
void
log_stop(bool worker)
{
	log_msg(LOG_INFO, "%s: %lu answered, %lu missed (404), %lu refused, "
	    "%lu failed (500)", worker ? "worker stopped" : "stopped",
	    counts.answered, counts.missed, counts.refused, counts.failed);
}

/*
 * The priority: a server error is an error, a miss (404) a notice, every
 * other refusal a warning, an answer info (logged with --verbose only).
 */
void
log_request(const struct request *r, int status)
{
	int		 prio;
	const char	*ep = (size_t)r->ep < nendpoints ? endpoints[r->ep].name :
			    "?";
	const char	*d = r->dlen > 0 ? r->domain : "-";
	const char	*client = r->client != NULL ? r->client : "other";

	if (status >= 500)
		prio = LOG_ERR;
	else if (status == 404)
		prio = LOG_NOTICE;
	else if (status >= 400 || r->pox_error)
		prio = LOG_WARNING;
	else if (lg.verbose)
		prio = LOG_INFO;
	else
		return;
	log_msg(prio, "%d: %s (%s %s %s)", status, r->why != NULL ? r->why :
	    http_reason(status), ep, d, client);
}
