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
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
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

/*
 * A connection is in one protocol state (where the peer is in its
 * request) and, apart from that, may have output waiting.  While output
 * waits the connection is watched for EPOLLOUT only and not read: a peer
 * that pipelines and does not read leaves its records in the kernel's
 * buffers and costs no wake-ups; reading resumes once the answer is out.
 */
enum cstate {
	C_FREE, C_IDLE, C_PARAMS, C_STDIN
};

/* Why a request is answered 400 without being read (the log line). */
enum refusal {
	RF_NONE, RF_SIZE, RF_COUNT, RF_NUL, RF_BROKEN
};

static const char *const refusal_line[] = {
	[RF_SIZE] = "mailautoconf: 400: FastCGI parameters too large\n",
	[RF_COUNT] = "mailautoconf: 400: too many FastCGI parameters\n",
	[RF_NUL] = "mailautoconf: 400: a FastCGI parameter holds a NUL byte\n",
};

struct fconn {
	int		 fd;
	enum cstate	 state;
	unsigned	 id;		/* request id */
	bool		 keep;
	bool		 used;		/* answered a request: idle means kept */
	bool		 busy;		/* a request has begun: its deadline runs */
	bool		 closing;	/* close once the output is out */
	enum refusal	 refuse;
	int64_t		 deadline;	/* ms, CLOCK_MONOTONIC */
	int64_t		 since;		/* the request's first byte came */
	int64_t		 wsince;	/* output began to wait (0: never) */
	int64_t		 last;		/* the last byte in or out: eviction */
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
	char		*pend;		/* output the socket did not take */
	size_t		 pendlen;
	size_t		 pendoff;
	size_t		 pendcap;
	char		 err[512];	/* FCGI_STDERR lines */
	size_t		 errlen;
};

static struct fconn	 conns[FCGI_CONNS_MAX];
static size_t		 nconns;	/* slots in use */
static int		 ep = -1;
static int		 lsock = -1;	/* the listening socket */
static bool		 listening;	/* lsock is in the epoll set */
static bool		 draining;	/* retiring or stopping: accept no more */
static bool		 stopping;	/* SIGTERM: and close what is kept idle */
static int64_t		 drain_end;	/* ms: when stopping, no deadline later */
static int64_t		 now;		/* ms, the current wake-up */
/* one answer, framed: up to two STDOUT records, STDERR, the ends, and
 * the farewell record */
static unsigned char	 frame[HEAD_MAX + OUT_MAX + 1024 + 8 * HDR];

static int64_t
clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_deadline(struct fconn *c, int64_t t)
{
	c->deadline = stopping && t > drain_end ? drain_end : t;
}

static bool
out_waits(const struct fconn *c)
{
	return c->pendoff < c->pendlen;
}

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

/*
 * The listener in or out of the epoll set.  Out while every slot holds a
 * connection that cannot be closed to make room, or accept4() ran out of
 * descriptors (slowcgi's answer to EMFILE): the connections wait in the
 * kernel's queue, or go to another process on the same socket.
 */
static void
listener(bool on)
{
	struct epoll_event	ev;

	if (on == listening || lsock < 0 || (on && draining))
		return;
	if (on) {
		/* --workers, spawn-fcgi -F: wake one process, not all */
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.ptr = NULL;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, lsock, &ev) != 0)
			return;
	} else
		epoll_ctl(ep, EPOLL_CTL_DEL, lsock, NULL);
	listening = on;
}

/* Watch for input, or for room to write while output waits. */
static void
conn_watch(struct fconn *c)
{
	struct epoll_event	ev;

	ev.events = out_waits(c) ? EPOLLOUT : EPOLLIN;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
conn_close(struct fconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	c->pendlen = c->pendoff = 0;
	nconns--;
	listener(true);
}

/* The request is over; the connection waits for the next one. */
static void
conn_reset(struct fconn *c)
{
	c->state = C_IDLE;
	c->plen = c->blen = c->bread = c->nenv = c->errlen = 0;
	c->refuse = RF_NONE;
	c->busy = false;
}

static void
conn_open(struct fconn *c, int fd)
{
	c->fd = fd;
	c->inlen = 0;
	c->pendlen = c->pendoff = 0;
	c->wsince = 0;
	c->closing = false;
	c->used = false;
	conn_reset(c);
	c->last = now;
	set_deadline(c, now + FCGI_IDLE_TIMEOUT * 1000);
	nconns++;
}

/*
 * The deadline after input was taken: an empty connection may idle for
 * FCGI_IDLE_TIMEOUT; from the first byte of a request (even half a record
 * header) the whole request must arrive within FCGI_REQ_TIMEOUT, however
 * it trickles.  Only a connection whose socket had no more to read
 * (drained) is idle again for the write deadline (conn_send).  A kept
 * connection that goes idle while stopping is closed; one that has not
 * carried a request yet waits for it (drain()).
 */
static void
conn_arm(struct fconn *c, bool drained)
{
	if (c->state == C_IDLE && c->inlen == 0) {
		c->busy = false;
		if (drained)
			c->wsince = 0;
		set_deadline(c, now + FCGI_IDLE_TIMEOUT * 1000);
		if (stopping && c->used)
			conn_close(c);
		return;
	}
	if (!c->busy) {
		c->busy = true;
		c->since = now;
	}
	set_deadline(c, c->since + FCGI_REQ_TIMEOUT * 1000);
}

/*
 * Send n bytes; what the socket does not take waits in c->pend, and the
 * output then has FCGI_WRITE_TIMEOUT to go out.  The clock runs on until
 * the connection is idle again: a peer that pipelines and reads a little
 * now and then does not get a new 30 s for every answer.  False when the
 * connection is gone.
 */
static bool
conn_send(struct fconn *c, const unsigned char *p, size_t n)
{
	ssize_t	w = 0;
	bool	waiting = out_waits(c);

	if (!waiting) {
		do
			w = write(c->fd, p, n);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN) {
			conn_close(c);
			return false;
		}
		if (w < 0)
			w = 0;
		c->last = now;
		if ((size_t)w == n)
			return true;
		c->pendlen = c->pendoff = 0;
	}
	p += w;
	n -= (size_t)w;
	if (c->pendoff > 0) {
		memmove(c->pend, c->pend + c->pendoff, c->pendlen - c->pendoff);
		c->pendlen -= c->pendoff;
		c->pendoff = 0;
	}
	if (c->pend == NULL && (c->pend = mac_alloc(sizeof(frame))) != NULL)
		c->pendcap = sizeof(frame);
	if (c->pend == NULL || n > c->pendcap - c->pendlen) {
		conn_close(c);
		return false;
	}
	memcpy(c->pend + c->pendlen, p, n);
	c->pendlen += n;
	if (!waiting) {
		if (c->wsince == 0)
			c->wsince = now;
		set_deadline(c, c->wsince + FCGI_WRITE_TIMEOUT * 1000);
		conn_watch(c);
	}
	return true;
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

/*
 * After the END_REQUEST of a request: whether the connection closes once
 * the answer is out (the peer did not ask to keep it, or this process is
 * draining), and what follows the END_REQUEST in the same write.  A kept
 * connection closed while draining gets an empty FCGI_GET_VALUES_RESULT
 * (a management record, request id 0): nginx puts a connection back in
 * its keepalive pool only when its read ended exactly at the END_REQUEST
 * (ngx_http_fastcgi_module.c, both input filters), so it never sends the
 * next request into our close; Apache does not reuse a connection with
 * unread bytes or an EOF waiting (mod_proxy_fcgi.c: its
 * ap_proxy_check_connection() with PROXY_CHECK_CONN_EMPTY).
 * Returns the bytes put at p (0 or one header).
 */
static size_t
put_farewell(struct fconn *c, unsigned char *p)
{
	c->closing = !c->keep || draining;
	c->used = true;
	conn_reset(c);
	if (!c->keep || !draining)
		return 0;
	put_hdr(p, T_GET_VALUES_RESULT, 0, 0);
	return HDR;
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

/*
 * The raw pairs into name\0value\0 strings.  A pair past FCGI_ENV_MAX, or
 * one holding a NUL (a name that would hide behind a shorter one), makes
 * the request a 400: dropping it would answer a different request.
 */
static enum refusal
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
			return RF_BROKEN;
		if (c->nenv == FCGI_ENV_MAX)
			return RF_COUNT;
		if (memchr(p, '\0', nl + vl) != NULL)
			return RF_NUL;
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
	return RF_NONE;
}

/* The answer into frame: STDOUT records of at most 65535 bytes, STDERR,
 * the empty STDOUT, END_REQUEST.  Returns its length. */
static size_t
frame_answer(const struct fconn *c, const char *head, size_t hl,
    const char *body, size_t bl)
{
	size_t	n = 0, chunk, off = 0, total = hl + bl;

	/* head and body run on from one record into the next */
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
	return n + put_end(frame + n, c->id, ST_COMPLETE);
}

/* Answer a complete request: the handler, then one framed write. */
static void
respond(struct fconn *c, const struct fcgi_hooks *h)
{
	const char	*head, *body;
	size_t		 hl, bl, n;

	if (c->refuse == RF_NONE)
		c->refuse = decode_params(c);
	if (c->refuse == RF_BROKEN) {
		conn_close(c);
		return;
	}
	c->bread = 0;
	if (c->refuse != RF_NONE) {
		/* the handler answers 400 from no parameters at all */
		c->nenv = 0;
		fcgi_log(c, refusal_line[c->refuse]);
	}
	h->handle(h->arg, c, c->refuse != RF_NONE, &head, &hl, &body, &bl);
	n = frame_answer(c, head, hl, body, bl);
	n += put_farewell(c, frame + n);
	if (conn_send(c, frame, n) && c->closing && !out_waits(c))
		conn_close(c);
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
	return true;
}

static bool
rec_params(struct fconn *c, unsigned id, const unsigned char *p, size_t len)
{
	if (c->state != C_PARAMS || id != c->id)
		return false;
	if (len == 0) {
		c->state = C_STDIN;
		return true;
	}
	/* once over, drop the rest: a later small record would land after
	 * the gap and garble the pairs; the request is a 400 */
	if (c->refuse != RF_NONE || len > PARAMS_MAX - c->plen) {
		c->refuse = RF_SIZE;
		return true;
	}
	memcpy(c->params + c->plen, p, len);
	c->plen += len;
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

/*
 * One whole record.  False when the connection must go (the caller closes
 * it if it is not closed already).  A reply that must wait leaves the
 * request's state as it is: the request goes on once the reply is out.
 */
static bool
record(struct fconn *c, const struct fcgi_hooks *h, int type, unsigned id,
    const unsigned char *p, size_t len)
{
	unsigned char	out[3 * HDR];
	size_t		n;

	switch (type) {
	case T_BEGIN:
		return rec_begin(c, id, p, len);
	case T_GET_VALUES:
		return rec_get_values(c);
	case T_ABORT:
		if (c->state == C_IDLE || id != c->id)
			return true;
		n = put_end(out, id, ST_COMPLETE);
		n += put_farewell(c, out + n);
		if (conn_send(c, out, n) && c->closing &&
		    !out_waits(c))
			conn_close(c);
		return true;
	case T_PARAMS:
		return rec_params(c, id, p, len);
	case T_STDIN:
		if (c->state != C_STDIN || id != c->id)
			return false;
		if (len == 0) {
			respond(c, h);
			return true;
		}
		return rec_stdin(c, p, len);
	default:
		put_hdr(out, T_UNKNOWN, 0, 8);
		memset(out + HDR, 0, 8);
		out[HDR] = (unsigned char)type;
		return conn_send(c, out, 2 * HDR);
	}
}

/* Parse the whole records in the input buffer, until output waits. */
static void
conn_records(struct fconn *c, const struct fcgi_hooks *h)
{
	size_t	off = 0;

	while (c->state != C_FREE && !out_waits(c) && !c->closing &&
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
			if (c->state != C_FREE)
				conn_close(c);
			return;
		}
	}
	if (c->state == C_FREE)
		return;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

/*
 * Read and parse.  A read that does not fill the buffer took all there
 * was: no second read only to hear EAGAIN (epoll is level-triggered and
 * says when more comes).  A full buffer is parsed and read again, a few
 * times at most, so that one busy peer does not hold the loop.
 */
static void
conn_readable(struct fconn *c, const struct fcgi_hooks *h)
{
	ssize_t	r;
	size_t	room;
	int	rounds = 0;

	do {
		room = REC_MAX - c->inlen;
		r = read(c->fd, c->in + c->inlen, room);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			break;
		if (r <= 0) {
			conn_close(c);
			return;
		}
		c->inlen += (size_t)r;
		c->last = now;
		conn_records(c, h);
		if (c->state == C_FREE || out_waits(c))
			return;
	} while ((size_t)r == room && ++rounds < 4);
	conn_arm(c, r < 0 ? errno == EAGAIN : (size_t)r < room);
}

/* Room to write: the rest of the output, then the records that waited. */
static void
conn_writable(struct fconn *c, const struct fcgi_hooks *h)
{
	ssize_t	w;

	while (out_waits(c)) {
		w = write(c->fd, c->pend + c->pendoff, c->pendlen - c->pendoff);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			conn_close(c);
			return;
		}
		c->pendoff += (size_t)w;
		c->last = now;
	}
	c->pendlen = c->pendoff = 0;
	if (c->closing) {
		conn_close(c);
		return;
	}
	conn_watch(c);
	/* a slot that could make room again: accept if the listener was out */
	listener(true);
	/* the records that waited, then what the socket holds */
	conn_records(c, h);
	if (c->state != C_FREE && !out_waits(c) && !c->closing)
		conn_readable(c, h);
}

/* ---- the loop --------------------------------------------------------- */

/*
 * When every slot is taken, the connection that has waited longest for
 * its peer (idle between requests, or stalled inside one) makes room:
 * nginx's keep-alive pool connects again.  Failing that, the one whose
 * answer has waited longest for its peer to read, once that is
 * FCGI_EVICT_WAIT or more: peers that pipeline and do not read cannot
 * hold every slot.  With neither there is no victim.
 */
static struct fconn *
victim(void)
{
	struct fconn	*v = NULL, *w = NULL;
	size_t		 i;

	for (i = 0; i < FCGI_CONNS_MAX; i++) {
		struct fconn *c = &conns[i];

		if (c->state == C_FREE)
			continue;
		if (!out_waits(c)) {
			if (v == NULL || c->last < v->last)
				v = c;
		} else if (c->wsince + FCGI_EVICT_WAIT * 1000 <= now &&
		    (w == NULL || c->wsince < w->wsince))
			w = c;
	}
	return v != NULL ? v : w;
}

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

/*
 * Accept a few connections (FCGI_ACCEPT_BATCH), and read each at once:
 * the request is usually there already.  With every slot taken, a victim
 * makes room once a connection is in hand; with no victim the listener
 * leaves the epoll set until a slot frees, and the connection waits in
 * the queue (or another worker takes it) instead of being dropped.
 */
static void
conn_accept(const struct fcgi_hooks *h)
{
	struct epoll_event	 ev;
	struct fconn		*c, *v = NULL;
	int			 fd, i;

	for (i = 0; i < FCGI_ACCEPT_BATCH && listening; i++) {
		if (nconns == FCGI_CONNS_MAX && (v = victim()) == NULL) {
			listener(false);
			return;
		}
		fd = accept4(lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				listener(false);
			return;
		}
		if (nconns == FCGI_CONNS_MAX)
			conn_close(v);
		if ((c = slot()) == NULL) {
			close(fd);
			listener(false);
			return;
		}
		conn_open(c, fd);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			conn_close(c);
			continue;
		}
		conn_readable(c, h);
	}
}

/*
 * Close what has passed its deadline; take the listener back if it was
 * out for want of descriptors, or of a victim.  Returns when to look
 * again: the nearest
 * deadline, a second from now at the latest (every timeout is longer,
 * so one set after this look is never missed by more than that).
 */
static int64_t
sweep(void)
{
	int64_t	next = now + 1000;
	size_t	i;

	for (i = 0; i < FCGI_CONNS_MAX; i++) {
		struct fconn *c = &conns[i];

		if (c->state == C_FREE)
			continue;
		if (c->deadline <= now)
			conn_close(c);
		else if (c->deadline < next)
			next = c->deadline;
	}
	if (nconns < FCGI_CONNS_MAX || (!listening && victim() != NULL))
		listener(true);
	return next;
}

/*
 * Accept no more; every request a connection brings is answered and the
 * connection then closed (put_farewell), including one just accepted
 * whose request has not arrived yet.  Retiring (an old worker after a
 * reload, FCGI_RETIRE): a connection the peer keeps idle stays until the
 * peer closes it, sends one more request, or is idle FCGI_IDLE_TIMEOUT,
 * longer than the web server's own keepalive timeout (bounds.h): no
 * connection a request may be on is closed.  Stopping (SIGTERM): a kept
 * connection idle for FCGI_STOP_GRACE closes now, one in use more
 * recently gets the rest of that time for one last request, and the rest
 * get FCGI_DRAIN_TIMEOUT.
 */
static void
drain(bool stop)
{
	size_t	i;

	if (draining && (stopping || !stop))
		return;
	listener(false);
	draining = true;
	if (!stop)
		return;
	stopping = true;
	drain_end = now + FCGI_DRAIN_TIMEOUT * 1000;
	for (i = 0; i < FCGI_CONNS_MAX; i++) {
		struct fconn *c = &conns[i];

		if (c->state == C_FREE)
			continue;
		if (!c->used || c->state != C_IDLE || c->inlen > 0 ||
		    out_waits(c))
			set_deadline(c, c->deadline);
		else if (c->last + FCGI_STOP_GRACE * 1000 <= now)
			conn_close(c);
		else
			c->deadline = c->last + FCGI_STOP_GRACE * 1000;
	}
}

static void
dispatch(struct epoll_event *e, const struct fcgi_hooks *h)
{
	struct fconn *c = e->data.ptr;

	if (c == NULL)
		conn_accept(h);
	else if (c->state == C_FREE)
		return;		/* closed earlier in this round */
	else if (out_waits(c))
		conn_writable(c, h);
	else
		conn_readable(c, h);
}

/* The loop until *stop says FCGI_STOP or FCGI_RETIRE and all is done. */
static int
serve_loop(const struct fcgi_hooks *h, volatile sig_atomic_t *stop,
    const sigset_t *waiting)
{
	struct epoll_event	 evs[64];
	int			 n, i;
	int64_t			 next, wait;

	now = clock_ms();
	next = now + 1000;
	for (;;) {
		if (*stop != 0)
			drain(*stop == FCGI_STOP);
		if (draining && nconns == 0)
			return 0;
		wait = next - clock_ms();
		n = epoll_pwait(ep, evs, 64, wait < 0 ? 0 : (int)wait,
		    waiting);
		if (n < 0 && errno != EINTR)
			return -1;
		now = clock_ms();
		for (i = 0; i < n; i++)
			dispatch(&evs[i], h);
		h->tick(h->arg);
		if (now >= next)
			next = sweep();
	}
}

/*
 * Serve FastCGI on the listening socket lfd until *stop is set (FCGI_STOP
 * or FCGI_RETIRE), then finish as drain() says.  The signals that set it,
 * and SIGHUP, are let in only while epoll_pwait() waits: one that comes
 * while the loop works is taken at the next wait, which returns at once,
 * so an idle server leaves as soon as it is told.  h->tick runs after
 * every wake-up (signals are looked at there).  Returns 0, or -1 when the
 * socket or epoll fails.
 */
int
fcgi_serve(int lfd, const struct fcgi_hooks *h, volatile sig_atomic_t *stop)
{
	sigset_t	block, waiting;
	int		fl, rc;

	if ((fl = fcntl(lfd, F_GETFL)) == -1 ||
	    fcntl(lfd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	lsock = lfd;
	listener(true);
	if (!listening)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &waiting);
	rc = serve_loop(h, stop, &waiting);
	sigprocmask(SIG_SETMASK, &waiting, NULL);
	return rc;
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
	conn_open(c, out);
	while (n > 0 && c->state != C_FREE && !out_waits(c) && !c->closing) {
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

/*
 * A unix socket at path, made with mode and (gid != -1) that group.  Root
 * creates it before --user drops, and the web server runs as a user of its
 * own (www-data): connecting needs write permission on the socket, which
 * --socket-group gives to the web server's group alone.  The socket gives
 * nothing the public HTTP endpoint does not, but a local user should not
 * fill its slots.  It is created 0600 (umask) and then opened up, so it is
 * never wider than asked, not even for an instant.
 */
static int
listen_unix(const char *path, mode_t mode, gid_t gid)
{
	struct sockaddr_un	sun;
	struct stat		st;
	mode_t			old;
	int			fd, r;

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
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r != 0 || (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) ||
	    chmod(path, mode) != 0 || listen(fd, SOMAXCONN) != 0) {
		r = errno;
		close(fd);
		errno = r;
		return -1;
	}
	return fd;
}

/*
 * --socket-mode and --socket-group, for --listen PATH: the mode in octal,
 * 0660 unless given (the socket's group may connect, nobody else); the
 * group by name or number, else the primary group of --user (so that
 * --user www-data alone gives nginx's www-data the socket), else the
 * creator's.  0, or -1 with a message.
 */
int
fcgi_sockperm(const char *mode, const char *group, const char *user,
    mode_t *mp, gid_t *gp)
{
	struct group	*gr;
	struct passwd	*pw;
	char		*end;
	long		 v;
	long long	 n;

	*mp = 0660;
	*gp = (gid_t)-1;
	if (mode != NULL) {
		errno = 0;
		v = strtol(mode, &end, 8);
		if (*mode == '\0' || *end != '\0' || errno != 0 || v < 0 ||
		    v > 0777) {
			log_msg(LOG_ERR, "--socket-mode %s: not an octal mode "
			    "from 0 to 0777", mode);
			return -1;
		}
		*mp = (mode_t)v;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) != NULL)
			*gp = gr->gr_gid;
		else if (mac_strtonum(group, 0, 0x7fffffff, &n) == 0)
			*gp = (gid_t)n;
		else {
			log_msg(LOG_ERR, "--socket-group %s: no such group",
			    group);
			return -1;
		}
	} else if (user != NULL && (pw = getpwnam(user)) != NULL)
		*gp = pw->pw_gid;
	return 0;
}

/*
 * "127.0.0.1:9000", "[::1]:9000", ":9000" (every address) or a path; a
 * path's socket gets mode and group gid (-1: the creator's).
 */
int
fcgi_listen(const char *addr, mode_t mode, gid_t gid)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*colon, *h = host;
	size_t		 hl;
	int		 fd = -1, on = 1;

	if (addr[0] == '/')
		return listen_unix(addr, mode, gid);
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
