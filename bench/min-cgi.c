/*
 * min-cgi: the cheapest possible CGI program, for `make bench`.
 *
 * No libfcgi, no stdio: read the body (a POST), write a fixed answer
 * compiled in from answers.h (the bytes mailautoconf sends for the same
 * request), exit. What it costs is fork, exec, the dynamic loader and
 * exit: the floor under any CGI program.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answers.h"

static int
put(const unsigned char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(1, p, n);
		if (w <= 0)
			return 1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(void)
{
	const char	*method;
	char		 buf[4096];

	method = getenv("REQUEST_METHOD");
	if (method != NULL && strcmp(method, "POST") == 0) {
		while (read(0, buf, sizeof(buf)) > 0)
			continue;
		return put(answer_post, sizeof(answer_post));
	}
	return put(answer_get, sizeof(answer_get));
}
