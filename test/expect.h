/*
 * expect.h: the one assertion of the C test programs.  Each includes it
 * once, calls expect(), and ends with expect_done(), which prints the
 * closing "N passed, N failed" line that make check sums.
 */
#ifndef EXPECT_H
#define EXPECT_H

#include <stdarg.h>
#include <stdio.h>

static int	passed, failed;

static void __attribute__((format(printf, 2, 3)))
expect(int cond, const char *fmt, ...)
{
	va_list	ap;

	if (cond) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The closing line; the exit status for main. */
static int
expect_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif
