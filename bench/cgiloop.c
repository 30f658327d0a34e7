/*
 * cgiloop: run a program many times, one after the other, the way a web
 * server runs a CGI program (spawn, stdin from the request body, read
 * stdout, wait), and report the wall time per run. For `make bench`.
 *
 *	cgiloop [-n RUNS] [-t SECONDS] [-i STDIN-FILE] PROG [ARG ...]
 *
 * The environment is passed on unchanged, so the caller sets
 * REQUEST_METHOD, QUERY_STRING and the rest. Output is thrown away; a
 * run that exits non-zero is counted as failed. Stops after RUNS runs or
 * SECONDS seconds, whichever comes first. Prints one line:
 *	runs=N mean_us=X p50_us=X p99_us=X min_us=X failed=N
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(void)
{
	fprintf(stderr, "usage: cgiloop [-n runs] [-t seconds] "
	    "[-i stdin-file] prog [arg ...]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	posix_spawn_file_actions_t	 fa;
	const char			*in = "/dev/null";
	double				*t, start, t0, sum = 0, limit = 10;
	long				 runs = 1000, i;
	int				 c, st, failed = 0;
	pid_t				 pid;

	while ((c = getopt(argc, argv, "+n:t:i:")) != -1) {
		switch (c) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		case 'i':
			in = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || runs < 1 || runs > 1000000)
		usage();
	if ((t = calloc((size_t)runs, sizeof(*t))) == NULL)
		return 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

	start = now_us();
	for (i = 0; i < runs; i++) {
		t0 = now_us();
		if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
			perror(argv[0]);
			return 1;
		}
		if (waitpid(pid, &st, 0) == -1)
			return 1;
		t[i] = now_us() - t0;
		sum += t[i];
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
		if (now_us() - start > limit * 1e6) {
			i++;
			break;
		}
	}
	runs = i;
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("runs=%ld mean_us=%.1f p50_us=%.1f p99_us=%.1f min_us=%.1f "
	    "failed=%d\n", runs, sum / runs, t[runs / 2],
	    t[(runs * 99) / 100 < runs ? (runs * 99) / 100 : runs - 1], t[0],
	    failed);
	return 0;
}
