/*
 * fcgi-load: the second load of `make bench`'s loaded row.  Against a
 * FastCGI unix socket it opens IDLE connections that send nothing (and
 * are not opened again when the server closes them to make room), and
 * one slow reader: a connection that pipelines keep-conn requests and
 * reads its answers 512 bytes every 10 ms.  It runs for SECONDS (or until
 * SIGTERM), then prints what it saw.
 *
 * usage: fcgi-load SOCKET IDLE SECONDS
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un	sun;
static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
dial(void)
{
	int	fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static size_t
rec(unsigned char *p, int type, const void *c, size_t len)
{
	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = 0;
	p[3] = 1;
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = p[7] = 0;
	memcpy(p + 8, c, len);
	return 8 + len;
}

static size_t
pair(unsigned char *p, const char *n, const char *v)
{
	size_t	nl = strlen(n), vl = strlen(v);

	p[0] = (unsigned char)nl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, n, nl);
	memcpy(p + 2 + nl, v, vl);
	return 2 + nl + vl;
}

/* One keep-conn GET, as nginx would send it. */
static size_t
request(unsigned char *p)
{
	static const unsigned char begin[8] = { 0, 1, 1 };
	unsigned char	pv[512];
	size_t		n = 0, o = 0;

	n += pair(pv + n, "REQUEST_METHOD", "GET");
	n += pair(pv + n, "REQUEST_URI", "/mail/config-v1.1.xml");
	n += pair(pv + n, "QUERY_STRING", "emailaddress=jane%40mailbox.org");
	n += pair(pv + n, "HTTP_HOST", "autoconfig.mailbox.org");
	o += rec(p + o, 1, begin, 8);
	o += rec(p + o, 4, pv, n);
	o += rec(p + o, 4, "", 0);
	o += rec(p + o, 5, "", 0);
	return o;
}

int
main(int argc, char *argv[])
{
	static int	 fds[100000];
	struct rlimit	 rl;
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	unsigned char	 req[1024], buf[512];
	size_t		 rlen, off = 0;
	long long	 got = 0;
	int		 idle, secs, i, n = 0, slow, closed = 0, ticks;
	ssize_t		 r;
	char		 c;

	if (argc != 4) {
		fprintf(stderr, "usage: fcgi-load socket idle seconds\n");
		return 2;
	}
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	idle = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (idle < 0 || idle > 100000 || secs < 1)
		return 2;
	/* room for the idle connections */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < idle; i++)
		if ((fds[n] = dial()) >= 0)
			n++;
	if ((slow = dial()) < 0) {
		perror("fcgi-load: connect");
		return 1;
	}
	rlen = request(req);
	signal(SIGTERM, on_term);
	for (ticks = 0; ticks < secs * 100 && !stop; ticks++) {
		/* keep the pipe full: the server's answers wait for us */
		while ((r = write(slow, req + off, rlen - off)) > 0)
			off = (off + (size_t)r) % rlen;
		if ((r = read(slow, buf, sizeof(buf))) > 0)
			got += r;
		else if (r == 0)
			break;
		nanosleep(&tick, NULL);
	}
	for (i = 0; i < n; i++) {
		closed += read(fds[i], &c, 1) == 0;
		close(fds[i]);
	}
	printf("fcgi-load: %d idle connections made, %d of them closed by "
	    "the server; the slow reader got %lld bytes%s\n", n, closed, got,
	    ticks < secs * 100 && !stop ? " and was closed" : "");
	close(slow);
	return 0;
}
