/*
 * fcgi-proto.c: FastCGI at the byte level against a running mailautoconf
 * (fcgi.c), for what web servers seldom send: records split anywhere,
 * padding, several requests on a kept connection, a second request while
 * one is open, other roles, FCGI_GET_VALUES, unknown record types, an
 * abort, parameters past the limit, a body in many records, garbage.
 *
 * usage: fcgi-proto SOCKET-PATH; ends with "N passed, N failed".
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

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

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: fcgi-proto socket\n");
		return 2;
	}
	path = argv[1];
	test_split();
	test_keep();
	test_refusals();
	test_limits();
	return expect_done();
}
