/*
 * fuzz.h: what the fuzz targets that answer requests share: the config
 * they answer from, loaded once before the first input.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "mailautoconf.h"

/* A built-in config, or abort: a target without one tests nothing. */
static struct config *
fuzz_config(const char *ini)
{
	struct diag	 d = { stderr, false, 0, 0 };
	struct config	*c;

	if ((c = prov_load_mem(ini, strlen(ini), "fuzz.ini", &d)) == NULL)
		abort();
	return c;
}

#endif
