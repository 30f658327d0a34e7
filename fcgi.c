/*
 * fcgi.c: the FastCGI responder (FastCGI 1.0), one process serving many
 * connections with epoll.
 *
 * Why not libfcgi's FCGX_Accept_r loop: it serves one connection at a time.
 * Behind nginx with fastcgi_keep_conn and an upstream keepalive pool (the
 * fastest set-up), every kept connection holds a process, and the next
 * connection waits in the accept queue until nginx lets one go: make bench
 * measured a p99 of 1.8 s with one process.  It also reads each record
 * with separate calls.  Here a connection costs a slot, not a process; a
 * request is one read and its answer one write in the common case.
 *
 * Requests are not multiplexed on a connection (FCGI_MPXS_CONNS is 0, as
 * nginx, Apache and lighttpd expect): a second FCGI_BEGIN_REQUEST while one
 * is open is refused with FCGI_CANT_MPX_CONN.  Memory is per connection
 * slot, allocated when a slot is first used and kept: nothing is allocated
 * per request.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailautoconf.h"

enum {
	T_BEGIN = 1, T_ABORT = 2, T_END = 3, T_PARAMS = 4, T_STDIN = 5,
	T_STDOUT = 6, T_STDERR = 7, T_GET_VALUES = 9, T_GET_VALUES_RESULT = 10,
	T_UNKNOWN = 11
};
enum {
	ST_COMPLETE = 0, ST_CANT_MPX = 1, ST_UNKNOWN_ROLE = 3
};
#define ROLE_RESPONDER	1
#define FLAG_KEEP	1
#define HDR		8
/* the largest record: header, 65535 bytes of content, 255 of padding */
#define REC_MAX		(HDR + 65535 + 255)

enum cstate {
	C_FREE, C_IDLE, C_PARAMS, C_STDIN, C_WRITE
};

struct fconn {
	int		 fd;
	enum cstate	 state;
	unsigned	 id;		/* request id */
	bool		 keep;
	bool		 params_over;	/* more params than PARAMS_MAX */
	time_t		 since;		/* the request began */
	unsigned char	*in;		/* REC_MAX, records not yet parsed */
	size_t		 inlen;
	char		*params;	/* PARAMS_MAX, the raw pairs */
	size_t		 plen;
	char		*env;		/* PARAMS_MAX: name\0value\0 ... */
	const char	*envp[FCGI_ENV_MAX][2];
	size_t		 nenv;
	char		*body;		/* grows to BODY_MAX + 1 */
	size_t		 blen;
	size_t		 bcap;
	size_t		 bread;		/* how much fcgi_read gave out */
	char		*pend;		/* an answer the socket did not take */
	size_t		 pendlen;
	size_t		 pendoff;
	size_t		 pendcap;
	char		 err[512];	/* FCGI_STDERR lines */
	size_t		 errlen;
};

static struct fconn	 conns[FCGI_CONNS_MAX];
static int		 ep = -1;
/* one answer, framed: up to two STDOUT records, STDERR, the ends */
static unsigned char	 frame[HEAD_MAX + OUT_MAX + 1024 + 8 * HDR];

static void
put_hdr(unsigned char *p, int type, unsigned id, size_t len)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = (unsigned char)(id >> 8);
	p[3] = (unsigned char)id;
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = 0;
	p[7] = 0;
}

static void
conn_close(struct fconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
}

static void
conn_reset(struct fconn *c)
{
	c->state = C_IDLE;
	c->plen = c->blen = c->bread = c->nenv = c->errlen = 0;
	c->params_over = false;
	c->pendlen = c->pendoff = 0;
}

/* Write what is pending; true when all of it went out. */
static bool
conn_flush(struct fconn *c)
{
	while (c->pendoff < c->pendlen) {
		ssize_t w = write(c->fd, c->pend + c->pendoff,
		    c->pendlen - c->pendoff);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return false;
		if (w <= 0) {
			conn_close(c);
			return false;
		}
		c->pendoff += (size_t)w;
	}
	return true;
}

/* Send n bytes of frame; keep what the socket does not take. */
static bool
conn_send(struct fconn *c, const unsigned char *p, size_t n)
{
	ssize_t			w;
	struct epoll_event	ev;

	do
		w = write(c->fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN) {
		conn_close(c);
		return false;
	}
	if (w < 0)
		w = 0;
	if ((size_t)w == n)
		return true;
	if (c->pendcap < n - (size_t)w) {
		char *np = mac_realloc(c->pend, sizeof(frame));

		if (np == NULL) {
			conn_close(c);
			return false;
		}
		c->pend = np;
		c->pendcap = sizeof(frame);
	}
	memcpy(c->pend, p + w, n - (size_t)w);
	c->pendlen = n - (size_t)w;
	c->pendoff = 0;
	c->state = C_WRITE;
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	return false;
}

/* FCGI_END_REQUEST for request id with a protocol status. */
static size_t
put_end(unsigned char *p, unsigned id, int status)
{
	put_hdr(p, T_END, id, 8);
	memset(p + HDR, 0, 8);
	p[HDR + 4] = (unsigned char)status;
	return 2 * HDR;
}

/* ---- the request, as the handlers see it ------------------------------ */

const char *
fcgi_param(void *ctx, const char *name)
{
	struct fconn	*c = ctx;
	size_t		 i;

	for (i = 0; i < c->nenv; i++)
		if (strcmp(c->envp[i][0], name) == 0)
			return c->envp[i][1];
	return NULL;
}

size_t
fcgi_read(void *ctx, char *buf, size_t n)
{
	struct fconn	*c = ctx;
	size_t		 k = c->blen - c->bread;

	if (k > n)
		k = n;
	if (k == 0)
		return 0;
	memcpy(buf, c->body + c->bread, k);
	c->bread += k;
	return k;
}

void
fcgi_log(void *ctx, const char *line)
{
	struct fconn	*c = ctx;
	size_t		 n = strlen(line);

	if (n > sizeof(c->err) - c->errlen)
		n = sizeof(c->err) - c->errlen;
	memcpy(c->err + c->errlen, line, n);
	c->errlen += n;
}

/* A name-value length: one byte, or four with the high bit set. */
static bool
nv_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
	if (*p >= end)
		return false;
	if (**p < 0x80) {
		*len = *(*p)++;
		return true;
	}
	if (end - *p < 4)
		return false;
	*len = ((size_t)((*p)[0] & 0x7f) << 24) | ((size_t)(*p)[1] << 16) |
	    ((size_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	return true;
}

/* The raw pairs into name\0value\0 strings; false for a broken stream. */
static bool
decode_params(struct fconn *c)
{
	const unsigned char	*p = (const unsigned char *)c->params;
	const unsigned char	*end = p + c->plen;
	size_t			 nl, vl, o = 0;

	c->nenv = 0;
	while (p < end) {
		if (!nv_len(&p, end, &nl) || !nv_len(&p, end, &vl) ||
		    nl > (size_t)(end - p) || vl > (size_t)(end - p) - nl ||
		    o + nl + vl + 2 > PARAMS_MAX)
			return false;
		/* a name with a NUL would hide behind a shorter one */
		if (c->nenv == FCGI_ENV_MAX || memchr(p, '\0', nl) != NULL ||
		    memchr(p + nl, '\0', vl) != NULL) {
			p += nl + vl;
			continue;
		}
		c->envp[c->nenv][0] = c->env + o;
		memcpy(c->env + o, p, nl);
		o += nl;
		c->env[o++] = '\0';
		c->envp[c->nenv++][1] = c->env + o;
		memcpy(c->env + o, p + nl, vl);
		o += vl;
		c->env[o++] = '\0';
		p += nl + vl;
	}
	return true;
}

/* Answer a complete request: the handler, then one framed write. */
static void
respond(struct fconn *c, const struct fcgi_hooks *h)
{
	const char	*head, *body;
	size_t		 hl, bl, n = 0, chunk, off = 0, total;
	char		 over[] = "mailautoconf: 400: FastCGI parameters too large\n";

	/* too many params: no environment, the handler answers 400 */
	if (!c->params_over && !decode_params(c)) {
		conn_close(c);
		return;
	}
	c->bread = 0;
	if (c->params_over) {
		c->nenv = 0;
		fcgi_log(c, over);
	}
	h->handle(h->arg, c, c->params_over, &head, &hl, &body, &bl);
	total = hl + bl;
	/* STDOUT records of at most 65535 bytes: head and body run on */
	while (off < total) {
		chunk = total - off > 65535 ? 65535 : total - off;
		put_hdr(frame + n, T_STDOUT, c->id, chunk);
		n += HDR;
		if (off < hl) {
			size_t a = hl - off < chunk ? hl - off : chunk;

			memcpy(frame + n, head + off, a);
			memcpy(frame + n + a, body, chunk - a);
		} else
			memcpy(frame + n, body + (off - hl), chunk);
		n += chunk;
		off += chunk;
	}
	if (c->errlen > 0) {
		put_hdr(frame + n, T_STDERR, c->id, c->errlen);
		memcpy(frame + n + HDR, c->err, c->errlen);
		n += HDR + c->errlen;
	}
	put_hdr(frame + n, T_STDOUT, c->id, 0);
	n += HDR;
	n += put_end(frame + n, c->id, ST_COMPLETE);
	if (!conn_send(c, frame, n))
		return;
	if (!c->keep)
		conn_close(c);
	else
		conn_reset(c);
}

/* ---- records ---------------------------------------------------------- */

static bool
rec_begin(struct fconn *c, unsigned id, const unsigned char *p, size_t len)
{
	unsigned char	out[2 * HDR];

	if (len < 8)
		return false;
	if (c->state != C_IDLE) {
		put_end(out, id, ST_CANT_MPX);
		return conn_send(c, out, sizeof(out));
	}
	if (((p[0] << 8) | p[1]) != ROLE_RESPONDER) {
		put_end(out, id, ST_UNKNOWN_ROLE);
		return conn_send(c, out, sizeof(out));
	}
	c->id = id;
	c->keep = (p[2] & FLAG_KEEP) != 0;
	c->state = C_PARAMS;
	c->since = time(NULL);
	return true;
}

static bool
rec_stdin(struct fconn *c, const unsigned char *p, size_t len)
{
	size_t	room;

	/* past BODY_MAX + 1 the request is a 413 anyway: drop the rest */
	room = BODY_MAX + 1 - c->blen;
	if (len > room)
		len = room;
	if (len == 0)
		return true;
	if (c->bcap < c->blen + len) {
		size_t	 nc = c->bcap == 0 ? 4096 : c->bcap;
		char	*nb;

		while (nc < c->blen + len)
			nc *= 2;
		if (nc > BODY_MAX + 1)
			nc = BODY_MAX + 1;
		if ((nb = mac_realloc(c->body, nc)) == NULL)
			return false;
		c->body = nb;
		c->bcap = nc;
	}
	memcpy(c->body + c->blen, p, len);
	c->blen += len;
	return true;
}

/* FCGI_GET_VALUES: what we are, for servers that ask. */
static bool
rec_get_values(struct fconn *c)
{
	static const unsigned char vals[] =
	    "\017\001FCGI_MPXS_CONNS0"
	    "\015\001FCGI_MAX_REQS1";
	unsigned char	out[HDR + sizeof(vals)];

	put_hdr(out, T_GET_VALUES_RESULT, 0, sizeof(vals) - 1);
	memcpy(out + HDR, vals, sizeof(vals) - 1);
	return conn_send(c, out, HDR + sizeof(vals) - 1);
}

/* One whole record; false when the connection is gone or must go. */
static bool
record(struct fconn *c, const struct fcgi_hooks *h, int type, unsigned id,
    const unsigned char *p, size_t len)
{
	unsigned char	out[2 * HDR];

	switch (type) {
	case T_BEGIN:
		return rec_begin(c, id, p, len);
	case T_GET_VALUES:
		return rec_get_values(c);
	case T_ABORT:
		if (c->state == C_IDLE || id != c->id)
			return true;
		put_end(out, id, ST_COMPLETE);
		conn_reset(c);
		return conn_send(c, out, sizeof(out));
	case T_PARAMS:
		if (c->state != C_PARAMS || id != c->id)
			return false;
		if (len == 0) {
			c->state = C_STDIN;
			return true;
		}
		/* once over, drop the rest: a later small record would
		 * land after the gap and garble the pairs */
		if (c->params_over || len > PARAMS_MAX - c->plen) {
			c->params_over = true;
			return true;
		}
		memcpy(c->params + c->plen, p, len);
		c->plen += len;
		return true;
	case T_STDIN:
		if (c->state != C_STDIN || id != c->id)
			return false;
		if (len == 0) {
			respond(c, h);
			return c->state == C_IDLE;
		}
		return rec_stdin(c, p, len);
	default:
		put_hdr(out, T_UNKNOWN, 0, 8);
		memset(out + HDR, 0, 8);
		out[HDR] = (unsigned char)type;
		return conn_send(c, out, sizeof(out));
	}
}

/* Parse every whole record in the input buffer. */
static void
conn_records(struct fconn *c, const struct fcgi_hooks *h)
{
	size_t	off = 0;

	while (c->state != C_FREE && c->state != C_WRITE &&
	    c->inlen - off >= HDR) {
		const unsigned char	*r = c->in + off;
		size_t			 len = ((size_t)r[4] << 8) | r[5];
		size_t			 all = HDR + len + r[6];

		if (r[0] != 1) {
			conn_close(c);
			return;
		}
		if (c->inlen - off < all)
			break;
		off += all;
		if (!record(c, h, r[1], ((unsigned)r[2] << 8) | r[3],
		    r + HDR, len)) {
			if (c->state != C_FREE && c->state != C_WRITE)
				conn_close(c);
			if (c->state == C_FREE)
				return;
		}
	}
	if (c->state == C_FREE)
		return;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

static void
conn_readable(struct fconn *c, const struct fcgi_hooks *h)
{
	ssize_t	r;

	for (;;) {
		if (c->state == C_WRITE)
			return;
		r = read(c->fd, c->in + c->inlen, REC_MAX - c->inlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			conn_close(c);
			return;
		}
		c->inlen += (size_t)r;
		conn_records(c, h);
		if (c->state == C_FREE)
			return;
	}
}

static void
conn_writable(struct fconn *c, const struct fcgi_hooks *h)
{
	struct epoll_event	ev;

	if (!conn_flush(c))
		return;
	if (!c->keep) {
		conn_close(c);
		return;
	}
	conn_reset(c);
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	conn_records(c, h);
}

/* ---- the loop --------------------------------------------------------- */

static struct fconn *
slot(void)
{
	size_t	i;

	for (i = 0; i < FCGI_CONNS_MAX; i++) {
		struct fconn *c = &conns[i];

		if (c->state != C_FREE)
			continue;
		if (c->in == NULL) {
			c->in = mac_alloc(REC_MAX);
			c->params = mac_alloc(PARAMS_MAX);
			c->env = mac_alloc(PARAMS_MAX);
			if (c->in == NULL || c->params == NULL ||
			    c->env == NULL) {
				mac_free(c->in);
				mac_free(c->params);
				mac_free(c->env);
				c->in = NULL;
				c->params = c->env = NULL;
				return NULL;
			}
		}
		return c;
	}
	return NULL;
}

static void
accept_all(int lfd)
{
	struct epoll_event	 ev;
	struct fconn		*c;
	int			 fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC))
	    >= 0) {
		if ((c = slot()) == NULL) {
			/* every slot busy: the web server sees a reset */
			close(fd);
			continue;
		}
		c->fd = fd;
		c->inlen = 0;
		conn_reset(c);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			c->state = C_FREE;
		}
	}
}

/* A request begun and not finished within FCGI_TIMEOUT is dropped. */
static void
sweep(time_t now)
{
	size_t	i;

	for (i = 0; i < FCGI_CONNS_MAX; i++)
		if ((conns[i].state == C_PARAMS || conns[i].state == C_STDIN ||
		    conns[i].state == C_WRITE) &&
		    now - conns[i].since > FCGI_TIMEOUT)
			conn_close(&conns[i]);
}

/*
 * Serve FastCGI on the listening socket lfd until *stop is set.  h->tick
 * runs after every wake-up (signals are looked at there).  Returns 0, or
 * -1 when the socket or epoll fails.
 */
int
fcgi_serve(int lfd, const struct fcgi_hooks *h, volatile sig_atomic_t *stop)
{
	struct epoll_event	 ev, evs[64];
	int			 n, i, fl;
	time_t			 last = time(NULL), now;

	if ((fl = fcntl(lfd, F_GETFL)) == -1 ||
	    fcntl(lfd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	/*
	 * Processes sharing the socket (--workers, spawn-fcgi -F): wake one
	 * of them, not all.  Harmless for a process alone.
	 */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0)
		return -1;
	while (!*stop) {
		n = epoll_wait(ep, evs, 64, 1000);
		if (n < 0 && errno != EINTR)
			return -1;
		for (i = 0; i < n; i++) {
			struct fconn *c = evs[i].data.ptr;

			if (c == NULL)
				accept_all(lfd);
			else if (c->state == C_WRITE)
				conn_writable(c, h);
			else if (c->state != C_FREE)
				conn_readable(c, h);
		}
		h->tick(h->arg);
		if ((now = time(NULL)) != last) {
			sweep(now);
			last = now;
		}
	}
	return 0;
}

/* ---- for the fuzzer ----------------------------------------------------- */

/*
 * Feed n bytes to a fresh connection as if they came from the socket, in
 * reads of at most `step' bytes; answers go to fd out, which is closed
 * at the end.  The parser is the one the loop runs: conn_records(),
 * record() and respond().
 */
void
fcgi_feed(const unsigned char *p, size_t n, size_t step, int out,
    const struct fcgi_hooks *h)
{
	struct fconn	*c;
	size_t		 k;

	if ((c = slot()) == NULL)
		return;
	c->fd = out;
	c->inlen = 0;
	conn_reset(c);
	while (n > 0 && c->state != C_FREE && c->state != C_WRITE) {
		k = REC_MAX - c->inlen;
		if (k > step)
			k = step;
		if (k > n)
			k = n;
		memcpy(c->in + c->inlen, p, k);
		c->inlen += k;
		p += k;
		n -= k;
		conn_records(c, h);
	}
	/* as if the peer hung up: out is closed, the slot free again */
	if (c->state != C_FREE)
		conn_close(c);
}

/* ---- sockets ------------------------------------------------------------ */

/* fd is a listening socket: spawn-fcgi, systemd or inetd passed it. */
bool
fcgi_is_listener(int fd)
{
	int		on = 0;
	socklen_t	len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on != 0;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (mac_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a socket left by an earlier run would block bind(); nothing else */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/*
	 * Readable and writable by all: the web server runs as a user of its
	 * own (www-data) and connecting needs write permission on the socket,
	 * which root creates before --user drops.  The socket gives nothing
	 * that the public HTTP endpoint does not; restrict the directory it
	 * lives in to hide it.
	 */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, 0666) != 0 || listen(fd, SOMAXCONN) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* "127.0.0.1:9000", "[::1]:9000", ":9000" (every address) or a path. */
int
fcgi_listen(const char *addr)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*colon, *h = host;
	size_t		 hl;
	int		 fd = -1, on = 1;

	if (addr[0] == '/')
		return listen_unix(addr);
	if ((colon = strrchr(addr, ':')) == NULL ||
	    (hl = (size_t)(colon - addr)) >= sizeof(host)) {
		errno = EINVAL;
		return -1;
	}
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		memcpy(host, addr + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		memcpy(host, addr, hl);
		host[hl] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (getaddrinfo(hl == 0 ? NULL : h, colon + 1, &hints, &res) != 0) {
		errno = EINVAL;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SOMAXCONN) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
