/*
 * fuzz_import.c: imp_mem, the --import reader (libexpat with entity
 * declarations refused) and the providers.ini writer behind it.
 *
 * Beyond memory errors: a section that imp_mem prints must keep the
 * line rules of providers.ini(5) (every line under 200 bytes, no NUL, a
 * continuation never starting with ';' or '#'), and must load with the
 * real loader (imp_mem checks that itself; here it is checked again from
 * the printed bytes, comment line included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_section(const char *s, size_t n)
{
	struct diag	 d = { NULL, false, 0, 0 };
	struct config	*cf;
	size_t		 i, line = 0;

	if (memchr(s, '\0', n) != NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			line = 0;
			continue;
		}
		if (line == 0 && (s[i] == ' ' || s[i] == '\t') && i + 1 < n &&
		    (s[i + 1] == ';' || s[i + 1] == '#'))
			abort();
		if (++line >= INI_LINE_MAX)
			abort();
	}
	if ((cf = prov_load_mem(s, n, "fuzz.ini", &d)) == NULL)
		abort();
	prov_free(cf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*out = NULL;
	size_t	 olen = 0;
	FILE	*fp;
	int	 rc;

	if (size > IMPORT_MAX)
		return 0;
	if ((fp = open_memstream(&out, &olen)) == NULL)
		abort();
	rc = imp_mem((const char *)data, size, "fuzz.xml", fp, NULL);
	fclose(fp);
	if (rc != 0 && olen != 0)
		abort();	/* an error prints nothing */
	if (rc == 0)
		check_section(out, olen);
	free(out);
	return 0;
}
