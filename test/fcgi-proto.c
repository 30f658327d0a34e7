/*
 * fcgi-proto.c: FastCGI at the byte level against a running mailautoconf
 * (fcgi.c), for what web servers seldom send: records split anywhere,
 * padding, several requests on a kept connection, a second request while
 * one is open, other roles, FCGI_GET_VALUES, unknown record types, an
 * abort, parameters past the limit, a body in many records, garbage;
 * and hostile peers: pipelining without reading, reading one byte at a
 * time, closing mid-answer, a management record inside a request.
 *
 * usage: fcgi-proto SOCKET-PATH
 *        fcgi-proto -f SOCKET-PATH PID N      N idle and N stalled
 *            connections, then fresh requests
 *        fcgi-proto -n SOCKET-PATH PID SECONDS   a pipelining non-reader
 *            and the server's CPU time meanwhile
 *        fcgi-proto -p SOCKET-PATH PID PEERS  PEERS pipelining
 *            non-readers (more than the slots), then fresh requests
 *        fcgi-proto -c SOCKET-PATH N TEXT     N requests, each on a
 *            connection of its own: print how many answers hold TEXT
 *        fcgi-proto -s SOCKET-PATH PID        SIGTERM to PID in the middle
 *            of a request: the request is still answered, then closed;
 *            so is one whose request comes after; a kept one is closed
 *        fcgi-proto -r SOCKET-PATH PID        SIGHUP to the supervisor PID
 *            (--workers): connections held are not closed under a request
 *        fcgi-proto -d SOCKET-PATH SECONDS    connections that stop
 *            inside a record header, inside the parameters, that do not
 *            read their answers or read them a little at a time, are
 *            closed by the server after SECONDS (past its request and
 *            write deadlines); an idle one is not
 * Each mode but -c ends with "N passed, N failed".
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"

static const char	*path;


static int
dial(void)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { 5, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A message under construction. */
struct msg {
	unsigned char	b[200000];
	size_t		n;
};

static void
rec(struct msg *m, int type, int id, const void *p, size_t len, int pad)
{
	unsigned char *h = m->b + m->n;

	h[0] = 1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = (unsigned char)pad;
	h[7] = 0;
	memcpy(h + 8, p, len);
	memset(h + 8 + len, 0xee, (size_t)pad);
	m->n += 8 + len + (size_t)pad;
}

static void
begin(struct msg *m, int id, int role, int keep)
{
	unsigned char b[8] = { 0, (unsigned char)role, (unsigned char)keep };

	rec(m, 1, id, b, 8, 0);
}

/* name-value pairs; a length of 128 or more takes four bytes */
static size_t
nv(unsigned char *p, const char *name, const char *val)
{
	size_t nl = strlen(name), vl = strlen(val), o = 0;

	if (nl < 128)
		p[o++] = (unsigned char)nl;
	else {
		p[o++] = (unsigned char)(0x80 | nl >> 24);
		p[o++] = (unsigned char)(nl >> 16);
		p[o++] = (unsigned char)(nl >> 8);
		p[o++] = (unsigned char)nl;
	}
	if (vl < 128)
		p[o++] = (unsigned char)vl;
	else {
		p[o++] = (unsigned char)(0x80 | vl >> 24);
		p[o++] = (unsigned char)(vl >> 16);
		p[o++] = (unsigned char)(vl >> 8);
		p[o++] = (unsigned char)vl;
	}
	memcpy(p + o, name, nl);
	memcpy(p + o + nl, val, vl);
	return o + nl + vl;
}

/* A GET for the autoconfig of ADDR, with padding on every record. */
static void
get(struct msg *m, int id, int keep, const char *query)
{
	unsigned char	p[4096];
	size_t		n = 0;

	begin(m, id, 1, keep);
	n += nv(p + n, "REQUEST_METHOD", "GET");
	n += nv(p + n, "REQUEST_URI", "/mail/config-v1.1.xml");
	n += nv(p + n, "QUERY_STRING", query);
	rec(m, 4, id, p, n, 3);
	rec(m, 4, id, "", 0, 0);
	rec(m, 5, id, "", 0, 5);
}

static void
send_all(int fd, const unsigned char *p, size_t n, size_t step)
{
	size_t	o = 0;

	while (o < n) {
		size_t	 k = n - o < step ? n - o : step;
		ssize_t	 w = write(fd, p + o, k);

		if (w <= 0)
			return;
		o += (size_t)w;
		if (step < n)
			usleep(200);
	}
}

/* Everything the server sends until END_REQUEST for id, or EOF. */
struct reply {
	char	out[100000];
	size_t	outlen;
	char	err[4096];
	size_t	errlen;
	int	end_status;	/* -1: no END_REQUEST */
	int	types[32];	/* other record types seen */
	int	ntypes;
};

static void
read_reply(int fd, struct reply *r, int id)
{
	unsigned char	h[8], body[70000];
	size_t		len;

	memset(r, 0, sizeof(*r));
	r->end_status = -1;
	for (;;) {
		if (recv(fd, h, 8, MSG_WAITALL) != 8)
			return;
		len = ((size_t)h[4] << 8 | h[5]) + h[6];
		if (len > 0 && recv(fd, body, len, MSG_WAITALL) != (ssize_t)len)
			return;
		len -= h[6];
		if (h[1] == 6 && r->outlen + len < sizeof(r->out)) {
			memcpy(r->out + r->outlen, body, len);
			r->outlen += len;
		} else if (h[1] == 7 && r->errlen + len < sizeof(r->err)) {
			memcpy(r->err + r->errlen, body, len);
			r->errlen += len;
		} else if (h[1] == 3 && ((h[2] << 8) | h[3]) == id) {
			r->end_status = body[4];
			return;
		} else if (r->ntypes < 32)
			r->types[r->ntypes++] = h[1];
		if (h[1] == 10 || h[1] == 11)
			return;
	}
}

static bool
status_is(const struct reply *r, const char *st)
{
	return r->outlen > strlen(st) && memcmp(r->out, st, strlen(st)) == 0;
}

static bool
closed(int fd)
{
	char c;

	return recv(fd, &c, 1, 0) == 0;
}

static struct msg	m;
static struct reply	r;

static void
test_split(void)
{
	size_t	steps[] = { 1, 7, 8, 9, 4096 };
	size_t	i;
	int	fd;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		m.n = 0;
		get(&m, 1, 0, "emailaddress=a%40mailbox.org");
		fd = dial();
		send_all(fd, m.b, m.n, steps[i]);
		read_reply(fd, &r, 1);
		expect(r.end_status == 0 && status_is(&r, "Status: 200 OK"),
		    "records sent %zu bytes at a time", steps[i]);
		expect(closed(fd), "closed after a request without KEEP_CONN");
		close(fd);
	}
}

static void
test_keep(void)
{
	int	fd = dial(), i, ok = 0;

	for (i = 1; i <= 50; i++) {
		m.n = 0;
		get(&m, i, 1, i % 2 ? "emailaddress=a%40mailbox.org" :
		    "emailaddress=%00");
		send_all(fd, m.b, m.n, m.n);
		read_reply(fd, &r, i);
		ok += r.end_status == 0 && status_is(&r, i % 2 ?
		    "Status: 200" : "Status: 400");
	}
	expect(ok == 50, "50 requests on one kept connection (%d right)", ok);
	/* two requests in one write: answered in turn */
	m.n = 0;
	get(&m, 7, 1, "emailaddress=b%40mailbox.org");
	get(&m, 8, 1, "emailaddress=c%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 7);
	expect(r.end_status == 0, "first of two pipelined requests");
	read_reply(fd, &r, 8);
	expect(r.end_status == 0 && status_is(&r, "Status: 200"),
	    "second of two pipelined requests");
	close(fd);
}

static void
test_refusals(void)
{
	unsigned char	gv[64];
	size_t		n;
	int		fd;

	/* another role: FCGI_UNKNOWN_ROLE */
	fd = dial();
	m.n = 0;
	begin(&m, 3, 2, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 3);
	expect(r.end_status == 3, "authorizer role refused (%d)", r.end_status);
	close(fd);
	/* a second request while one is open: FCGI_CANT_MPX_CONN */
	fd = dial();
	m.n = 0;
	begin(&m, 1, 1, 1);
	begin(&m, 2, 1, 1);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 2);
	expect(r.end_status == 1, "multiplexing refused (%d)", r.end_status);
	close(fd);
	/* FCGI_GET_VALUES */
	fd = dial();
	m.n = 0;
	n = nv(gv, "FCGI_MPXS_CONNS", "");
	rec(&m, 9, 0, gv, n, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 0);
	expect(r.ntypes == 1 && r.types[0] == 10, "GET_VALUES answered");
	/* an unknown record type: FCGI_UNKNOWN_TYPE */
	m.n = 0;
	rec(&m, 42, 0, "x", 1, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 0);
	expect(r.ntypes == 1 && r.types[0] == 11, "unknown type answered");
	close(fd);
	/* FCGI_ABORT_REQUEST ends the request */
	fd = dial();
	m.n = 0;
	begin(&m, 5, 1, 1);
	rec(&m, 2, 5, "", 0, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 5);
	expect(r.end_status == 0 && r.outlen == 0, "abort ends the request");
	close(fd);
	/* not FastCGI at all: the connection is dropped */
	fd = dial();
	send_all(fd, (const unsigned char *)"GET / HTTP/1.0\r\n\r\n", 18, 18);
	expect(closed(fd), "HTTP on the FastCGI socket is dropped");
	close(fd);
	/* STDIN for a request never begun */
	fd = dial();
	m.n = 0;
	rec(&m, 5, 9, "x", 1, 0);
	send_all(fd, m.b, m.n, m.n);
	expect(closed(fd), "STDIN without BEGIN is dropped");
	close(fd);
}

static void
test_limits(void)
{
	static unsigned char	p[70000];
	static char		big[40000];
	size_t			n;
	int			fd, i;

	/* parameters past PARAMS_MAX: a 400 and a log line, still alive */
	fd = dial();
	m.n = 0;
	begin(&m, 1, 1, 1);
	memset(big, 'x', sizeof(big) - 1);
	n = nv(p, "HTTP_COOKIE", big);
	for (i = 0; (size_t)i * 60000 < n; i++)
		rec(&m, 4, 1, p + i * 60000, n - (size_t)i * 60000 > 60000 ?
		    60000 : n - (size_t)i * 60000, 0);
	rec(&m, 4, 1, "", 0, 0);
	rec(&m, 5, 1, "", 0, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 1);
	expect(r.end_status == 0 && status_is(&r, "Status: 400"),
	    "oversized parameters are a 400");
	expect(r.errlen > 0 && strstr(r.err, "parameters too large") != NULL,
	    "and a log line on FCGI_STDERR");
	m.n = 0;
	get(&m, 2, 0, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 2);
	expect(r.end_status == 0 && status_is(&r, "Status: 200"),
	    "the connection serves on after it");
	close(fd);
	/* a POX body in many small STDIN records */
	{
		const char *body = "<Autodiscover><Request><EMailAddress>"
		    "a@mailbox.org</EMailAddress></Request></Autodiscover>";
		char	 cl[16];
		size_t	 bl = strlen(body), k;

		fd = dial();
		m.n = 0;
		begin(&m, 4, 1, 0);
		snprintf(cl, sizeof(cl), "%zu", bl);
		n = nv(p, "REQUEST_METHOD", "POST");
		n += nv(p + n, "REQUEST_URI", "/autodiscover/autodiscover.xml");
		n += nv(p + n, "CONTENT_TYPE", "text/xml");
		n += nv(p + n, "CONTENT_LENGTH", cl);
		rec(&m, 4, 4, p, n, 0);
		rec(&m, 4, 4, "", 0, 0);
		for (k = 0; k < bl; k += 5)
			rec(&m, 5, 4, body + k, bl - k < 5 ? bl - k : 5, 1);
		rec(&m, 5, 4, "", 0, 0);
		send_all(fd, m.b, m.n, 13);
		read_reply(fd, &r, 4);
		expect(r.end_status == 0 && status_is(&r, "Status: 200") &&
		    strstr(r.out, "<LoginName>a@mailbox.org</LoginName>") !=
		    NULL, "POX body in 5-byte records");
		close(fd);
	}
	/* a body over 64 KiB in STDIN records: 413 */
	fd = dial();
	m.n = 0;
	begin(&m, 6, 1, 0);
	n = nv(p, "REQUEST_METHOD", "POST");
	n += nv(p + n, "REQUEST_URI", "/autodiscover/autodiscover.xml");
	n += nv(p + n, "CONTENT_TYPE", "text/xml");
	rec(&m, 4, 6, p, n, 0);
	rec(&m, 4, 6, "", 0, 0);
	memset(p, 'a', 60000);
	rec(&m, 5, 6, p, 60000, 0);
	rec(&m, 5, 6, p, 60000, 0);
	rec(&m, 5, 6, "", 0, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 6);
	expect(r.end_status == 0 && status_is(&r, "Status: 413"),
	    "a body over 64 KiB is a 413");
	close(fd);
}


/* ---- hostile peers ---------------------------------------------------- */

/* n GET requests with KEEP_CONN, ids 1..n, in m */
static void
pipeline(struct msg *mm, int n)
{
	int	i;

	mm->n = 0;
	for (i = 1; i <= n && mm->n + 512 < sizeof(mm->b); i++)
		get(mm, i, 1, "emailaddress=a%40mailbox.org");
}

/*
 * What a stream of records holds, parsed as it comes: answers ended,
 * answers that began "Status: 200", GET_VALUES results.
 */
struct sink {
	unsigned char	b[70000];
	size_t		n;
	int		ends, ok, values, other;
	bool		fresh;		/* the next STDOUT begins an answer */
};

static void
sink_feed(struct sink *k, const unsigned char *p, size_t len)
{
	size_t	rl;

	memcpy(k->b + k->n, p, len);
	k->n += len;
	while (k->n >= 8 && k->n >= 8 + (rl = ((size_t)k->b[4] << 8 |
	    k->b[5]) + k->b[6])) {
		size_t cl = rl - k->b[6];

		if (k->b[1] == 6 && cl > 0 && k->fresh) {
			k->ok += cl >= 11 && memcmp(k->b + 8, "Status: 200",
			    11) == 0;
			k->fresh = false;
		} else if (k->b[1] == 3) {
			k->ends++;
			k->fresh = true;
		} else if (k->b[1] == 10)
			k->values++;
		else if (k->b[1] != 6 && k->b[1] != 7)
			k->other++;
		memmove(k->b, k->b + 8 + rl, k->n - 8 - rl);
		k->n -= 8 + rl;
	}
}

/*
 * Write out[] and read what comes, step bytes a read, until `ends'
 * answers have ended; false when nothing moves for 20 s.
 */
static bool
pump(int fd, const unsigned char *out, size_t outlen, int ends, size_t step,
    struct sink *k)
{
	struct pollfd	pfd = { fd, 0, 0 };
	unsigned char	buf[4096];
	size_t		off = 0;
	ssize_t		got;

	memset(k, 0, sizeof(*k));
	k->fresh = true;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (k->ends < ends) {
		pfd.events = POLLIN | (off < outlen ? POLLOUT : 0);
		if (poll(&pfd, 1, 20000) <= 0)
			return false;
		if ((pfd.revents & POLLOUT) && off < outlen &&
		    (got = write(fd, out + off, outlen - off)) > 0)
			off += (size_t)got;
		if (pfd.revents & (POLLIN | POLLHUP)) {
			got = read(fd, buf, step < sizeof(buf) ? step : sizeof(buf));
			if (got == 0)
				return false;
			if (got > 0)
				sink_feed(k, buf, (size_t)got);
		}
	}
	return true;
}

static struct msg	m2;
static struct sink	sk;

/* Pipelined requests read one byte a read; the answers all whole. */
static void
test_slow_reader(void)
{
	int	fd = dial();
	bool	done;

	pipeline(&m2, 150);
	done = pump(fd, m2.b, m2.n, 150, 1, &sk);
	expect(done && sk.ends == 150 && sk.ok == 150 && sk.other == 0,
	    "150 pipelined answers read a byte at a time (%d ended, %d 200)",
	    sk.ends, sk.ok);
	close(fd);
}

/* A management record between a request's records keeps the request,
 * also while answers wait to be read. */
static void
test_management(void)
{
	unsigned char	p[512], gv[64];
	size_t		n, g, half;
	int		fd = dial();
	bool		done;

	pipeline(&m2, 300);
	begin(&m2, 999, 1, 1);
	n = nv(p, "REQUEST_METHOD", "GET");
	n += nv(p + n, "REQUEST_URI", "/mail/config-v1.1.xml");
	n += nv(p + n, "QUERY_STRING", "emailaddress=b%40mailbox.org");
	half = n / 2;
	rec(&m2, 4, 999, p, half, 0);
	g = nv(gv, "FCGI_MAX_REQS", "");
	rec(&m2, 9, 0, gv, g, 0);
	rec(&m2, 4, 999, p + half, n - half, 0);
	rec(&m2, 4, 999, "", 0, 0);
	rec(&m2, 5, 999, "", 0, 0);
	/* read nothing until all is sent: the server's output waits */
	send_all(fd, m2.b, m2.n, m2.n);
	done = pump(fd, NULL, 0, 301, sizeof(m2.b), &sk);
	expect(done && sk.ends == 301 && sk.ok == 301 && sk.values == 1,
	    "GET_VALUES inside a request, answers waiting: the request kept "
	    "(%d ended, %d 200, %d values)", sk.ends, sk.ok, sk.values);
	close(fd);
}

/* A peer that closes with answers unread; the server serves on. */
static void
test_close_mid_answer(void)
{
	char	buf[1000];
	int	fd = dial();

	pipeline(&m2, 300);
	send_all(fd, m2.b, m2.n, m2.n);
	expect(recv(fd, buf, sizeof(buf), MSG_WAITALL) == sizeof(buf),
	    "the first answers come");
	close(fd);
	fd = dial();
	m.n = 0;
	get(&m, 1, 0, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 1);
	expect(r.end_status == 0 && status_is(&r, "Status: 200"),
	    "served on after a peer closed mid-answer");
	close(fd);
}

/* More parameters than the server keeps, or a NUL in one: 400. */
static void
test_param_refusals(void)
{
	static unsigned char	p[8192];
	char			name[32];
	size_t			n = 0;
	int			fd = dial(), i;

	m.n = 0;
	begin(&m, 1, 1, 1);
	n += nv(p + n, "REQUEST_METHOD", "GET");
	n += nv(p + n, "REQUEST_URI", "/mail/config-v1.1.xml");
	n += nv(p + n, "QUERY_STRING", "emailaddress=a%40mailbox.org");
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "HTTP_X_%d", i);
		n += nv(p + n, name, "y");
	}
	n += nv(p + n, "HTTP_HOST", "autoconfig.mailbox.org");
	rec(&m, 4, 1, p, n, 0);
	rec(&m, 4, 1, "", 0, 0);
	rec(&m, 5, 1, "", 0, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 1);
	expect(r.end_status == 0 && status_is(&r, "Status: 400") &&
	    strstr(r.err, "too many FastCGI parameters") != NULL,
	    "300 parameters: a 400 and its log line, not a silent drop");
	m.n = 0;
	begin(&m, 2, 1, 1);
	n = nv(p, "REQUEST_METHOD", "GET");
	n += nv(p + n, "REQUEST_URI", "/mail/config-v1.1.xml");
	n += nv(p + n, "QUERY_STRING", "emailaddress=a%40mailbox.org");
	memcpy(p + n, "\010\001HTTP_HOS\0T", 11);	/* a NUL in a name */
	n += 11;
	rec(&m, 4, 2, p, n, 0);
	rec(&m, 4, 2, "", 0, 0);
	rec(&m, 5, 2, "", 0, 0);
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 2);
	expect(r.end_status == 0 && status_is(&r, "Status: 400") &&
	    strstr(r.err, "NUL") != NULL, "a NUL in a parameter name: 400");
	m.n = 0;
	get(&m, 3, 1, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 3);
	expect(r.end_status == 0 && status_is(&r, "Status: 200"),
	    "and the connection serves on");
	close(fd);
}

/* one request on a connection of its own: its answer began 200? */
static bool
fresh_request(const char *text)
{
	int	fd = dial();
	bool	good;

	m.n = 0;
	get(&m, 1, 0, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, 1);
	good = r.end_status == 0 && status_is(&r, "Status: 200") &&
	    (text == NULL || memmem(r.out, r.outlen, text, strlen(text)) !=
	    NULL);
	close(fd);
	return good;
}

/* The descriptors the server holds, or -1 when /proc does not say. */
static int
server_fds(long pid)
{
	char		 d[64];
	DIR		*dir;
	struct dirent	*e;
	int		 n = 0;

	snprintf(d, sizeof(d), "/proc/%ld/fd", pid);
	if ((dir = opendir(d)) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* The server's CPU time (user + system), in clock ticks. */
static long
server_ticks(long pid)
{
	char	f[64], buf[1024], *p;
	long	ut = 0, st = 0;
	int	i;
	FILE	*fp;

	snprintf(f, sizeof(f), "/proc/%ld/stat", pid);
	if ((fp = fopen(f, "r")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), fp);
	fclose(fp);
	/* after the ")" of the name: state is field 3, utime 14, stime 15 */
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 2; i < 14 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %ld %ld", &ut, &st) != 2)
		return -1;
	return ut + st;
}

/* Until the server's CPU time stops growing (60 s at most): it has done
 * all it can with what it was sent. */
static void
settle(long pid)
{
	struct timespec	q = { 0, 300 * 1000 * 1000 };
	long		a = -2, b = server_ticks(pid);
	int		i;

	for (i = 0; i < 200 && a != b; i++) {
		nanosleep(&q, NULL);
		a = b;
		b = server_ticks(pid);
	}
}

static int
dial_nb(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* -f: n idle and n stalled connections, then fresh requests. */
static int
mode_flood(long pid, int n)
{
	static int	fds[20000];
	unsigned char	half[5] = { 1, 1, 0, 1, 0 };
	int		i, got = 0, gone = 0, nf = 0, fds_now;
	char		c;

	for (i = 0; i < 2 * n && i < 20000; i++) {
		if ((fds[i] = dial_nb()) < 0)
			break;
		/* every other one stops inside a record header */
		if (i % 2 && write(fds[i], half, sizeof(half)) < 0)
			break;
		nf++;
	}
	expect(nf == 2 * n, "%d of %d hostile connections made", nf, 2 * n);
	for (i = 0; i < 50; i++)
		got += fresh_request(NULL);
	expect(got == 50, "50 fresh requests among them: %d answered", got);
	fds_now = server_fds(pid);
	expect(fds_now < 0 || fds_now < 300,
	    "the server holds %d descriptors, not one per connection", fds_now);
	for (i = 0; i < nf; i++) {
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		gone += recv(fds[i], &c, 1, 0) == 0;
		close(fds[i]);
	}
	expect(gone >= nf - 256, "%d of the %d closed to make room", gone, nf);
	return expect_done();
}

/*
 * Pipeline keep-conn requests without reading until the socket takes no
 * more.  Returns the connection, its output side blocked.
 */
static int
stuff(int nreq)
{
	int	fd = dial(), i;
	size_t	off;
	ssize_t	w;

	pipeline(&m2, 200);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (i = 0; i < nreq; i += 200)
		for (off = 0; off < m2.n; off += (size_t)w)
			if ((w = write(fd, m2.b + off, m2.n - off)) < 0)
				return fd;
	return fd;
}

/* -n: a non-reader; the server's CPU over secs while others are served */
static int
mode_nonreader(long pid, int secs)
{
	struct timespec	 gap = { 0, 300 * 1000 * 1000 }, one = { 1, 0 };
	long		 hz = sysconf(_SC_CLK_TCK), t0, t1, base, cost;
	int		 fd, i, got = 0, rounds = secs * 1000 / 300;

	/* what the side requests cost alone, to leave room for them */
	t0 = server_ticks(pid);
	for (i = 0; i < rounds; i++)
		fresh_request(NULL);
	cost = server_ticks(pid) - t0;
	fd = stuff(100000);
	nanosleep(&one, NULL);
	settle(pid);
	base = server_ticks(pid);
	for (i = 0; i < rounds; i++) {
		got += fresh_request(NULL);
		nanosleep(&gap, NULL);
	}
	t1 = server_ticks(pid);
	expect(base >= 0, "the server's CPU time is readable");
	expect(got == rounds, "others served meanwhile: %d of %d", got,
	    rounds);
	/* spinning takes whatever share of a core the machine leaves */
	printf("server CPU: %ld ticks over %d s (side requests alone: %ld; %ld a second)\n",
	    t1 - base, secs, cost, hz);
	expect(t1 - base <= hz * secs / 10 + 2 * cost,
	    "a non-reader costs no CPU: %ld ticks over %d s (%ld allowed)",
	    t1 - base, secs, hz * secs / 10 + 2 * cost);
	close(fd);
	expect(fresh_request(NULL), "served after the non-reader left");
	return expect_done();
}

/*
 * A request on a connection of its own, answered within secs (the test's
 * own patience, not a speed limit): true if it began 200.
 */
static bool
answered_within(int secs)
{
	struct pollfd	pfd;
	int		fd = dial();
	bool		good;

	m.n = 0;
	get(&m, 1, 0, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, secs * 1000) != 1) {
		close(fd);
		return false;
	}
	read_reply(fd, &r, 1);
	good = r.end_status == 0 && status_is(&r, "Status: 200");
	close(fd);
	return good;
}

/*
 * -p: more peers than slots pipeline and never read, so that every slot
 * holds an answer waiting; fresh requests are answered all the same
 * (FCGI_EVICT_WAIT, bounds.h), each within 15 s of the test's patience,
 * half the FCGI_WRITE_TIMEOUT after which the old code let one in.
 */
static int
mode_pause(long pid, int peers)
{
	static int	fds[1024];
	int		i, got = 0, n = peers < 1024 ? peers : 1024;

	for (i = 0; i < n; i++)
		fds[i] = stuff(400);
	settle(pid);
	for (i = 0; i < 10; i++)
		got += answered_within(15);
	expect(got == 10, "%d non-readers: %d of 10 fresh requests answered",
	    n, got);
	for (i = 0; i < n; i++)
		close(fds[i]);
	expect(fresh_request(NULL), "all served after");
	return expect_done();
}

/* true when the server has closed fd: all it sent read, then EOF */
static bool
server_closed(int fd)
{
	char	buf[65536];
	ssize_t	n;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		continue;
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/*
 * After the END_REQUEST of a kept connection that a draining server
 * closes: the farewell (an empty FCGI_GET_VALUES_RESULT, id 0), then EOF.
 */
static bool
farewell(int fd)
{
	unsigned char	h[8];

	return recv(fd, h, 8, MSG_WAITALL) == 8 && h[1] == 10 &&
	    h[2] == 0 && h[3] == 0 && h[4] == 0 && h[5] == 0 && closed(fd);
}

/* one keep-conn request on fd and its answer: 200? */
static bool
kept_request(int fd, int id)
{
	m.n = 0;
	get(&m, id, 1, "emailaddress=a%40mailbox.org");
	send_all(fd, m.b, m.n, m.n);
	read_reply(fd, &r, id);
	return r.end_status == 0 && status_is(&r, "Status: 200");
}

/*
 * -s: SIGTERM with a request under way, a kept connection idle, and one
 * accepted whose request has not come yet.
 */
static int
mode_stop(long pid)
{
	struct timespec	 pause = { 0, 300 * 1000 * 1000 };
	struct pollfd	 pfd;
	int		 fd = dial(), kept = dial(), fresh = dial();
	size_t		 cut;

	expect(kept_request(kept, 1), "a kept connection served");
	m.n = 0;
	get(&m, 1, 1, "emailaddress=a%40mailbox.org");
	cut = m.n - 21;		/* the empty PARAMS and STDIN (padded) records */
	send_all(fd, m.b, cut, cut);
	nanosleep(&pause, NULL);
	expect(kill((pid_t)pid, SIGTERM) == 0, "SIGTERM sent");
	nanosleep(&pause, NULL);
	send_all(fd, m.b + cut, m.n - cut, m.n - cut);
	read_reply(fd, &r, 1);
	expect(r.end_status == 0 && status_is(&r, "Status: 200"),
	    "a request under way at SIGTERM is answered");
	expect(farewell(fd), "then the farewell record and the close");
	pfd.fd = kept;
	pfd.events = POLLIN;
	poll(&pfd, 1, 5000);
	expect(server_closed(kept), "a kept idle connection is closed after "
	    "SIGTERM (within FCGI_STOP_GRACE of its last answer)");
	expect(kept_request(fresh, 2),
	    "a connection accepted before SIGTERM whose request came after: "
	    "answered");
	expect(farewell(fresh), "and closed after it");
	close(fd);
	close(kept);
	close(fresh);
	return expect_done();
}

/*
 * -r: a reload under --workers (SIGHUP to the supervisor pid) while a
 * kept connection idles and another was accepted without its request:
 * the retiring worker closes neither; each is answered, then closed.
 */
static int
mode_retire(long pid)
{
	struct timespec	 second = { 1, 0 };
	struct pollfd	 pfd;
	int		 kept = dial(), fresh = dial();

	expect(kept_request(kept, 1), "a kept connection served");
	nanosleep(&second, NULL);
	expect(kill((pid_t)pid, SIGHUP) == 0, "SIGHUP sent");
	nanosleep(&second, NULL);
	nanosleep(&second, NULL);
	pfd.fd = kept;
	pfd.events = POLLIN;
	expect(poll(&pfd, 1, 0) == 0,
	    "2 s after the reload the kept connection is still open");
	expect(kept_request(kept, 2), "and a request on it is answered");
	expect(farewell(kept), "then the farewell record and the close");
	expect(kept_request(fresh, 3), "the connection accepted without its "
	    "request before the reload: answered");
	expect(farewell(fresh), "and closed after it");
	close(kept);
	close(fresh);
	expect(fresh_request(NULL), "new connections go to the new workers");
	return expect_done();
}

/* -d: the deadlines of connections that stall, and of one that idles */
static int
mode_deadlines(int secs)
{
	static char	 sip[65536];
	unsigned char	 half[5] = { 1, 1, 0, 1, 0 };
	struct timespec	 second = { 1, 0 };
	int		 idle = dial(), head = dial(), params = dial(), nr, tr;
	int		 i;
	bool		 tr_open = true;

	expect(write(head, half, sizeof(half)) == sizeof(half),
	    "half a record header sent");
	m.n = 0;
	begin(&m, 1, 1, 1);
	rec(&m, 4, 1, "\016\003REQUEST_METHODGET", 19, 0);
	send_all(params, m.b, m.n, m.n);
	nr = stuff(100000);
	/* pipelines, and takes 64 KiB of answers a second: never idle */
	tr = stuff(100000);
	for (i = 0; i < secs; i++) {
		nanosleep(&second, NULL);
		if (tr_open && read(tr, sip, sizeof(sip)) == 0)
			tr_open = false;
	}
	expect(server_closed(head), "stopped inside a record header: closed");
	expect(server_closed(params), "stopped inside the parameters: closed");
	expect(server_closed(nr), "answers not read: closed");
	expect(!tr_open || server_closed(tr),
	    "answers read a little at a time, never idle: closed");
	expect(!server_closed(idle), "an idle connection is still open");
	close(idle);
	close(head);
	close(params);
	close(nr);
	close(tr);
	expect(fresh_request(NULL), "and the server serves on");
	return expect_done();
}

int
main(int argc, char *argv[])
{
	/* a server that closes is a failed expectation, not our death */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "-r") == 0) {
		path = argv[2];
		return mode_retire(atol(argv[3]));
	}
	if (argc == 4 && strcmp(argv[1], "-s") == 0) {
		path = argv[2];
		return mode_stop(atol(argv[3]));
	}
	if (argc == 4 && strcmp(argv[1], "-d") == 0) {
		path = argv[2];
		return mode_deadlines(atoi(argv[3]));
	}
	if (argc == 5 && strcmp(argv[1], "-f") == 0) {
		path = argv[2];
		return mode_flood(atol(argv[3]), atoi(argv[4]));
	}
	if (argc == 5 && strcmp(argv[1], "-n") == 0) {
		path = argv[2];
		return mode_nonreader(atol(argv[3]), atoi(argv[4]));
	}
	if (argc == 5 && strcmp(argv[1], "-p") == 0) {
		path = argv[2];
		return mode_pause(atol(argv[3]), atoi(argv[4]));
	}
	if (argc == 5 && strcmp(argv[1], "-c") == 0) {
		int	i, n = atoi(argv[3]), hit = 0;

		path = argv[2];
		for (i = 0; i < n; i++)
			hit += fresh_request(argv[4]);
		printf("%d\n", hit);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: fcgi-proto [-f|-n|-p|-c|-s|-r|-d] socket ...\n");
		return 2;
	}
	path = argv[1];
	test_split();
	test_keep();
	test_refusals();
	test_limits();
	test_param_refusals();
	test_slow_reader();
	test_management();
	test_close_mid_answer();
	return expect_done();
}
