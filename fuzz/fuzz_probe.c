/*
 * fuzz_probe.c: the readers of mailautoconf-probe (probe_parse.c) on the
 * answers it fetches from the network: config-v1.1.xml, the POX response,
 * the Autodiscover v2 JSON and an Apple profile (plain or inside CMS),
 * and pp_show, the filter every network string is printed through.
 *
 * The first byte picks the reader ('a', 'p', 'j', 'm'; anything else
 * runs all four).  Beyond memory errors: every string of the answer ends
 * within its buffer, no more servers than PR_SRV_MAX, a reader that fails
 * says why, a server marked valid has a host name and a port, and
 * pp_show's output is printable ASCII only.
 */
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_str(const char *s, size_t n)
{
	if (memchr(s, '\0', n) == NULL)
		abort();
}

static void
check_answer(int rc, const struct answer *a)
{
	size_t	i;

	if (rc != 0 && a->why == NULL)
		abort();
	if (a->nsrv > PR_SRV_MAX)
		abort();
	check_str(a->id, sizeof(a->id));
	check_str(a->url, sizeof(a->url));
	check_str(a->raddr, sizeof(a->raddr));
	check_str(a->msurl, sizeof(a->msurl));
	for (i = 0; i < a->nsrv; i++) {
		const struct msrv *s = &a->srv[i];

		check_str(s->host, sizeof(s->host));
		check_str(s->user, sizeof(s->user));
		/* autoconfig hosts may hold placeholders the client fills */
		if (s->valid && (s->port == 0 || s->port > 65535 ||
		    !pp_host_template(s->host)))
			abort();
	}
}

static void
check_show(const char *s, size_t n)
{
	char	out[PR_SHOW_MAX];
	size_t	i;

	pp_show(out, sizeof(out), s, n);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			abort();
	if (i >= sizeof(out))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct answer	 a;
	const char		*s = (const char *)data + 1;
	size_t			 n = size - 1;
	char			 sel;

	if (size < 1 || size > PR_BODY_MAX)
		return 0;
	sel = (char)data[0];
	if (sel == 'a' || !strchr("apjm", sel))
		check_answer(pp_autoconfig(s, n, &a), &a);
	if (sel == 'p' || !strchr("apjm", sel))
		check_answer(pp_pox(s, n, &a), &a);
	if (sel == 'j' || !strchr("apjm", sel))
		check_answer(pp_json(s, n, &a), &a);
	if (sel == 'm' || !strchr("apjm", sel))
		check_answer(pp_plist(s, n, &a), &a);
	check_show(s, n);
	return 0;
}
