/*
 * sbtest.c: enter the sandbox as mailautoconf does, then try one thing.
 *
 * usage: sbtest cgi|fastcgi|supervisor CONFIG ACTION
 *        sbtest built        prints "yes" when the filter is built in
 *
 * Exit status: 0 when ACTION worked, 1 when it failed with an error (the
 * errno is printed: EPERM from the filter, EACCES from Landlock), 2 on a
 * usage or setup error; the calls an exploit wants kill the process with
 * SIGSYS before it can say anything.  There is no
 * switch in mailautoconf for this: it is a program of its own, linked
 * against the same library.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailautoconf.h"

static int
result(int r, const char *what)
{
	if (r < 0) {
		printf("%s: %s\n", what, strerror(errno));
		return 1;
	}
	printf("%s: allowed\n", what);
	return 0;
}

static int
act(const char *a, const char *config)
{
	char	 buf[64], prog[] = "/bin/true";
	char	*argv[] = { prog, NULL };
	int	 fd;

	if (strcmp(a, "read-config") == 0) {
		if ((fd = open(config, O_RDONLY | O_CLOEXEC)) < 0)
			return result(-1, a);
		return result((int)read(fd, buf, sizeof(buf)), a);
	}
	if (strcmp(a, "read-passwd") == 0)
		return result(open("/etc/passwd", O_RDONLY), a);
	if (strcmp(a, "write-config") == 0)
		return result(open(config, O_WRONLY | O_APPEND), a);
	if (strcmp(a, "create") == 0)
		return result(open("/tmp/mac-sbtest-created", O_WRONLY | O_CREAT,
		    0600), a);
	if (strcmp(a, "execve") == 0)
		return result(execve(argv[0], argv, NULL), a);
	if (strcmp(a, "socket") == 0)
		return result(socket(AF_INET, SOCK_STREAM, 0), a);
	if (strcmp(a, "fork") == 0) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return result(pid < 0 ? -1 : 0, a);
	}
	if (strcmp(a, "setuid") == 0)
		return result(setuid(0), a);
	if (strcmp(a, "mmap-exec") == 0)
		return result(mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0,
		    a);
	/* turning the Speculative Store Bypass mitigation on (sb_secret) */
	if (strcmp(a, "ssb-on") == 0) {
		int r = prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS,
		    PR_SPEC_DISABLE, 0, 0);

		return result(r == 0 || errno == ENXIO ? 0 : -1, a);
	}
	/* ... and off again: never */
	if (strcmp(a, "ssb-off") == 0) {
		int r = prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS,
		    PR_SPEC_ENABLE, 0, 0);

		return result(r == 0 || errno == ENXIO ? 0 : -1, a);
	}
	/* raise() is tgkill(getpid(), ...): the pid written into the filter */
	if (strcmp(a, "raise") == 0) {
		signal(SIGUSR1, SIG_IGN);
		return result(raise(SIGUSR1), a);
	}
	if (strcmp(a, "kill-parent") == 0)
		return result((int)syscall(SYS_tgkill, getppid(), getppid(), 0),
		    a);
	if (strcmp(a, "chmod") == 0)
		return result(chmod(config, 0666), a);
	fprintf(stderr, "sbtest: unknown action %s\n", a);
	return 2;
}

int
main(int argc, char *argv[])
{
	enum sb_mode	mode;

	if (argc == 2 && strcmp(argv[1], "built") == 0) {
		puts(sb_built ? "yes" : "no");
		return 0;
	}
	if (argc != 4)
		return 2;
	if (strcmp(argv[1], "cgi") == 0)
		mode = SB_CGI;
	else if (strcmp(argv[1], "fastcgi") == 0)
		mode = SB_FASTCGI;
	else if (strcmp(argv[1], "supervisor") == 0)
		mode = SB_SUPERVISOR;
	else
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (sb_enter(mode, argv[2]) != 0)
		return 2;
	return act(argv[3], argv[2]);
}
