/*
 * alloc.c: allocation-failure injection for config loading.
 *
 * For each config (the files named, and a generated one of a few thousand
 * lines), load it with allocation n failing, for n = 1, 2, 3 ... until a
 * load succeeds.  Every failed load must return NULL, count an error and
 * print an error line; none may leak (counted here with mallinfo2() where
 * the allocator reports it, and by ASan or valgrind around the whole run);
 * the load that succeeds must not have had an allocation fail under it (a
 * swallowed failure would be a half-loaded config).
 *
 * usage: alloc [-g PROVIDERS] FILE...     ends with "N passed, N failed"
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailautoconf.h"

#include "expect.h"

static bool	count_heap;


static size_t
heap_in_use(void)
{
	return count_heap ? mallinfo2().uordblks : 0;
}

/*
 * ASan's and valgrind's mallinfo2() report nothing: then skip it.  glibc
 * counts the chunks its per-thread cache and fast bins hold as in use, so
 * both are turned off (the cache only by a tunable, before start-up: the
 * program runs itself again with it set).
 */
static void
probe_heap(char *argv[])
{
	size_t	 before;
	char	*p;

	count_heap = true;
	before = heap_in_use();
	if ((p = malloc(4096)) == NULL)
		abort();
	p[0] = 1;
	count_heap = heap_in_use() >= before + 4096;
	free(p);
	if (count_heap && getenv("GLIBC_TUNABLES") == NULL) {
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
		execv("/proc/self/exe", argv);
		count_heap = false;
	}
	mallopt(M_MXFAST, 0);
}

/*
 * Was the injected failure used up?  The countdown is private to util.c:
 * a few allocations tell: one of them fails while it still runs.
 */
static bool
countdown_fired(long n)
{
	void	*p[64];
	long	 i, k = n < 64 ? n : 64;
	bool	 fired = true;

	for (i = 0; i < k; i++)
		if ((p[i] = mac_alloc(1)) == NULL) {
			fired = false;
			break;
		}
	while (--i >= 0)
		mac_free(p[i]);
	mac_alloc_fail_after(0);
	return fired;
}

/*
 * One load with allocation n failing, one check; true when it succeeded.
 * A failed load must return NULL, count an error and print its line; a
 * load that succeeds must not have had an allocation fail under it; and
 * neither may leave memory behind.
 */
static bool
load_failing(const char *file, long n)
{
	struct diag	 d = { NULL, false, 0, 0 };
	struct config	*cf;
	char		*log = NULL;
	const char	*why = NULL;
	size_t		 loglen = 0, heap;
	bool		 fired, loaded;

	heap = heap_in_use();
	if ((d.fp = open_memstream(&log, &loglen)) == NULL)
		abort();
	mac_alloc_fail_after(n);
	cf = prov_load_file(file, &d);
	fired = countdown_fired(n);
	loaded = cf != NULL;
	fclose(d.fp);
	if (cf != NULL && fired)
		why = "the allocation failed, yet the load succeeded";
	else if (cf != NULL && d.errors != 0)
		why = "loaded with errors counted";
	else if (cf == NULL && !fired)
		why = "the load failed without a failed allocation";
	else if (cf == NULL && d.errors == 0)
		why = "NULL without an error counted";
	else if (cf == NULL && (strncmp(log, "mailautoconf: ", 14) != 0 ||
	    strchr(log, '\n') == NULL))
		why = "NULL without an error line";
	prov_free(cf);
	free(log);
	if (why == NULL && heap_in_use() != heap)
		why = "memory left behind";
	expect(why == NULL, "%s: allocation %ld failing: %s", file, n, why);
	return loaded;
}

static void
run(const char *file)
{
	long	n;
	int	f0 = failed;

	for (n = 1; n < 1000000; n++)
		if (load_failing(file, n))
			break;
	printf("%s: %ld allocation failures injected, %s\n", file, n - 1,
	    failed == f0 ? "each failed cleanly" : "FAILURES");
}

/* Every key of providers.ini(5), np times over, with continuations. */
static void
generate(FILE *fp, int np)
{
	int	i;

	fprintf(fp, "cache_max_age = 600\nweb_host = autoconfig.p0.example\n"
	    "catch_all = p0.example\nautodiscover.ttl = 24\n");
	for (i = 0; i < np; i++) {
		fprintf(fp, "\n[p%d.example]\ndomains = p%d.example, "
		    "p%d.example.net\n  p%d.example.org\n", i, i, i, i);
		fprintf(fp, "name = Provider %d\nshort_name = P%d\n"
		    "auth = password-cleartext, OAuth2\n"
		    "username = %%EMAILADDRESS%%\n", i, i);
		fprintf(fp, "imap = imap.p%d.example:993 ssl\n"
		    "imap = mail.%%EMAILDOMAIN%% starttls "
		    "use_global_preferred_server=true\n"
		    "pop3 = [2001:db8::%x]:995 ssl leave_messages_on_server=true "
		    "days_to_leave_messages_on_server=14 check_interval=15\n"
		    "smtp = smtp.p%d.example:465 ssl\n"
		    "smtp = smtp.p%d.example:587 starttls auth=password-"
		    "encrypted username=%%EMAILLOCALPART%% add_this_server=true\n"
		    "ews = https://ews.p%d.example/EWS/Exchange.asmx auth=NTLM\n",
		    i, i + 1, i, i, i);
		fprintf(fp, "documentation = https://help.p%d.example/\n"
		    "  mail/setup\ndocumentation.descr = Setting up mail\n"
		    "documentation.descr.de = E-Mail einrichten\n"
		    "enable = https://p%d.example/settings\n"
		    "enable.instruction.en = Tick \"IMAP\" and save.\n"
		    "webmail = https://webmail.p%d.example/\n"
		    "carddav = https://dav.p%d.example/card/\n"
		    "caldav = https://dav.p%d.example/cal/\n", i, i, i, i, i);
		fprintf(fp, "oauth2.issuer = auth.p%d.example\n"
		    "oauth2.scope = https://p%d.example/mail\n"
		    "oauth2.auth_url = https://auth.p%d.example/a\n"
		    "oauth2.token_url = https://auth.p%d.example/t\n"
		    "mobileconfig.identifier = example.p%d\n", i, i, i, i, i);
	}
}

static void
run_generated(int np)
{
	char	 path[] = "/tmp/mac-alloc.XXXXXX";
	FILE	*fp;
	int	 fd;

	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		perror("mkstemp");
		exit(2);
	}
	generate(fp, np);
	if (fclose(fp) != 0)
		exit(2);
	run(path);
	unlink(path);
}

int
main(int argc, char *argv[])
{
	int	i, np = 0;

	probe_heap(argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-g") == 0 && i + 1 < argc)
			np = atoi(argv[++i]);
		else
			run(argv[i]);
	}
	if (np > 0)
		run_generated(np);
	return expect_done();
}
