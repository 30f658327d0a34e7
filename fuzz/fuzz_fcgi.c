/*
 * fuzz_fcgi.c: the FastCGI record parser of fcgi.c (records, name-value
 * pairs, request states), fed in reads of a size the input picks, with a
 * handler that serves the request for real: its parameters reach
 * req_start through fcgi_param, its body through fcgi_read.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static const char INI[] =
    "[mailbox.org]\n"
    "imap = imap.mailbox.org:993 ssl\n"
    "smtp = smtp.mailbox.org:465 ssl\n";

static struct config	*cf;
static struct request	 req;
static struct response	 resp;
static int		 devnull;

static void
handle(void *arg, void *ctx, bool over, const char **head, size_t *hl,
    const char **body, size_t *bl)
{
	int	st;

	(void)arg;
	if (over || (st = req_start(&req, fcgi_param, ctx)) != 0)
		http_error(&resp, &req, 400);
	else {
		req.bodylen = fcgi_read(ctx, req.body, sizeof(req.body));
		if ((st = req_finish(&req)) != 0)
			http_error(&resp, &req, st);
		else
			http_respond(cf, &req, &resp);
	}
	fcgi_log(ctx, "mailautoconf: fuzz\n");
	*head = resp.head;
	*hl = resp.hlen;
	*body = resp.body;
	*bl = resp.blen;
}

static void
tick(void *arg)
{
	(void)arg;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cf = fuzz_config(INI);
	if ((devnull = open("/dev/null", O_WRONLY)) == -1)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct fcgi_hooks	h = { handle, tick, NULL };
	size_t			step;
	int			fd;

	if (n < 1)
		return 0;
	/* the first byte picks the read size: 1 to 256, or all at once */
	step = data[0] == 0 ? n : data[0];
	if ((fd = dup(devnull)) == -1)
		abort();
	fcgi_feed(data + 1, n - 1, step, fd, &h);
	return 0;
}
