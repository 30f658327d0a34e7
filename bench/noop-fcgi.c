/*
 * noop-fcgi: the cheapest possible FastCGI responder, for `make bench`.
 *
 * It accepts requests with FCGX_Accept_r on fd 0 (spawn-fcgi hands it the
 * listening socket there), reads the request body as any responder must,
 * and writes a fixed answer compiled in from answers.h: the bytes
 * mailautoconf sends for the same request, so the two differ only in the
 * work between reading the request and writing the answer. What it costs
 * is the FastCGI hop itself: nginx, the socket, libfcgi's record layer.
 */
#include <string.h>

#include <fcgiapp.h>

#include "answers.h"

int
main(void)
{
	FCGX_Request	 r;
	const char	*method;
	char		 buf[4096];

	if (FCGX_Init() != 0)
		return 1;
	if (FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		method = FCGX_GetParam("REQUEST_METHOD", r.envp);
		if (method != NULL && strcmp(method, "POST") == 0) {
			while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
				continue;
			FCGX_PutStr((const char *)answer_post,
			    (int)sizeof(answer_post), r.out);
		} else
			FCGX_PutStr((const char *)answer_get,
			    (int)sizeof(answer_get), r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
