/*
 * sbgen.c: the seccomp rules of the sandbox (sandbox.c says what it does
 * and when), written out as BPF programs: sbgen >sb_filter.h.
 *
 * make builds and runs this at build time, linked with libseccomp:
 * libseccomp turns the rules into BPF once, on the build host, and
 * sandbox.c includes the finished programs.  Compiling the filter at
 * every start cost a CGI more than a third of its time (libseccomp's rule
 * database, its API probes: ten seccomp(2) calls, and its pages); the
 * binary now installs the finished program with one seccomp(2) call and
 * does not link libseccomp at all.  A security update of libseccomp
 * therefore needs a rebuild of mailautoconf (README.md).
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/filter.h>
#include <seccomp.h>

#include "mailautoconf.h"

/*
 * Three answers.  What serving needs is allowed.  What an exploit wants
 * (a program, a socket, a debugger, other privileges, a file opened for
 * writing) kills the process.  Anything else fails with
 * EPERM: a library that takes a path nobody foresaw while re-reading the
 * config (OpenSSL loading a signing key) makes that reload fail, logged,
 * and the old config keeps serving (DESIGN.md §1) instead of the server dying.
 */

/* Serving one request, whatever the transport. */
static const int sys_common[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction), SCMP_SYS(restart_syscall),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getrandom),
	SCMP_SYS(futex), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* log.c: a line to the syslog socket by name once its daemon
	 * restarted (no new socket: socket(2) and connect(2) kill) */
	SCMP_SYS(sendto),
};

/*
 * The FastCGI responder's loop (fcgi.c: accept4, epoll, fcntl on the
 * listening socket); the reload's opens are in add_args().
 */
static const int sys_fastcgi[] = {
	SCMP_SYS(accept4), SCMP_SYS(fcntl), SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	/* the reload: an include pattern's directory, a file read again */
	SCMP_SYS(getdents64), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
};

/*
 * --workers: forking and watching the workers, and letting a new worker
 * add its own, narrower filter (a filter can only take away).
 */
static const int sys_supervisor[] = {
	SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(pause), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(seccomp),
};

/* Never: these end the process. */
static const int sys_kill[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
	SCMP_SYS(process_vm_writev), SCMP_SYS(socket), SCMP_SYS(socketpair),
	SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
	SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setgroups), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
	SCMP_SYS(capset), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(chroot), SCMP_SYS(pivot_root), SCMP_SYS(unshare),
	SCMP_SYS(setns), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
	SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(userfaultfd),
	SCMP_SYS(io_uring_setup), SCMP_SYS(personality),
	SCMP_SYS(memfd_create),
};

static int
add_list(scmp_filter_ctx c, uint32_t act, const int *sys, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(c, act, sys[i], 0) != 0)
			return -1;
	return 0;
}

/* open(2) and openat(2) with any flag that writes or creates: death. */
static int
kill_writing_open(scmp_filter_ctx c)
{
	static const uint64_t	w[] = {
		O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, __O_TMPFILE,
	};
	size_t			i;
	int			r = 0;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, w[i], w[i]));
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, w[i], w[i]));
	}
	return r;
}

/* Calls whose arguments decide. */
static int
add_args(scmp_filter_ctx c, enum sb_mode mode)
{
	const uint64_t	x = PROT_EXEC;
	/*
	 * glibc's __O_TMPFILE holds O_DIRECTORY: left in, it would refuse
	 * opening a directory (an include pattern's, on reload); O_TMPFILE
	 * itself kills (kill_writing_open).
	 */
	const uint64_t	ro = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND |
			    (__O_TMPFILE & ~O_DIRECTORY) | O_PATH;
	const uint64_t	ns = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
			    CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
			    CLONE_NEWCGROUP | CLONE_THREAD | CLONE_VM;
	int		r = kill_writing_open(c);

	/*
	 * Executable memory fails (EPERM, the default) rather than kills: a
	 * reload that adds profile signing dlopen()s libcrypto, and that
	 * reload should fail and be logged, not end the server.
	 */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, x, 0));
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, x, 0));
	/* glibc's fstat() is newfstatat(fd, "", buf, AT_EMPTY_PATH) */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
	    SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH, 0));
	/* raise(): to ourselves only; sc_enter() writes in the pid */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, SB_PID_MARK, 0));
	/* turning the Speculative Store Bypass mitigation on (mcsign.c) */
	r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 3,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_SPECULATION_CTRL, 0),
	    SCMP_A1(SCMP_CMP_EQ, PR_SPEC_STORE_BYPASS, 0),
	    SCMP_A2(SCMP_CMP_EQ, PR_SPEC_DISABLE, 0));
	/* libc would try these first one day: let it fall back */
	r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	r |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (mode != SB_CGI) {
		/* the reload: read-only opens, stat() (OpenSSL's BIO_new_file) */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, ro, O_RDONLY));
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, ro, O_RDONLY));
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
		    SCMP_A3(SCMP_CMP_EQ, 0, 0));
		/* lstat(): whose is a symbolic link to the image (image.c) */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
		    SCMP_A3(SCMP_CMP_EQ, AT_SYMLINK_NOFOLLOW, 0));
	}
	if (mode == SB_SUPERVISOR)
		/* fork() is clone(SIGCHLD | CLONE_CHILD_*): no namespaces */
		r |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0));
	else
		r |= seccomp_rule_add(c, SCMP_ACT_KILL_PROCESS,
		    SCMP_SYS(clone), 0);
	return r != 0 ? -1 : 0;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static scmp_filter_ctx
sc_build(enum sb_mode mode)
{
	scmp_filter_ctx	c;
	int		r;

	if ((c = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL)
		return NULL;
	/*
	 * A binary tree of syscall numbers, not a list: the kernel runs the
	 * whole program for every syscall number when it installs it (its
	 * action cache), so installing the 154-instruction list cost a CGI
	 * 0.13 ms, and every syscall walks it.
	 */
	r = seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r == 0)
		r = add_list(c, SCMP_ACT_ALLOW, sys_common, NELEM(sys_common));
	if (r == 0 && mode != SB_CGI)
		r = add_list(c, SCMP_ACT_ALLOW, sys_fastcgi, NELEM(sys_fastcgi));
	if (r == 0 && mode == SB_SUPERVISOR)
		r = add_list(c, SCMP_ACT_ALLOW, sys_supervisor,
		    NELEM(sys_supervisor));
	if (r == 0)
		r = add_list(c, SCMP_ACT_KILL_PROCESS, sys_kill,
		    NELEM(sys_kill));
	if (r == 0)
		r = add_args(c, mode);
	if (r != 0) {
		seccomp_release(c);
		return NULL;
	}
	return c;
}

/* One mode's program as a C array; the pid mark must stand once. */
static int
emit(enum sb_mode mode, const char *name)
{
	scmp_filter_ctx		c;
	struct sock_filter	f[SB_PROG_MAX + 1];
	FILE			*tmp;
	ssize_t			 n;
	size_t			 i, len, marks = 0;

	if ((c = sc_build(mode)) == NULL || (tmp = tmpfile()) == NULL)
		return -1;
	if (seccomp_export_bpf(c, fileno(tmp)) != 0 ||
	    lseek(fileno(tmp), 0, SEEK_SET) != 0 ||
	    (n = read(fileno(tmp), f, sizeof(f))) <= 0 ||
	    n % (ssize_t)sizeof(f[0]) != 0 ||
	    (len = (size_t)n / sizeof(f[0])) > SB_PROG_MAX) {
		fprintf(stderr, "sbgen: %s: cannot export the filter\n", name);
		return -1;
	}
	fclose(tmp);
	seccomp_release(c);
	printf("static const struct sock_filter sb_prog_%s[%zu] = {\n", name,
	    len);
	for (i = 0; i < len; i++) {
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", f[i].code, f[i].jt,
		    f[i].jf, f[i].k);
		if (f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
		    f[i].k == SB_PID_MARK)
			marks++;
	}
	printf("};\n\n");
	if (marks != 1) {
		fprintf(stderr, "sbgen: %s: the pid mark stands %zu times\n",
		    name, marks);
		return -1;
	}
	return 0;
}

int
main(void)
{
	/*
	 * The kernel interface the program is written for, whatever the
	 * build host runs: 3 has SECCOMP_RET_KILL_PROCESS (Linux 4.14).
	 */
	if (seccomp_api_set(3) != 0)
		return 1;
	printf("/* sb_filter.h: generated by sbgen.c; do not edit */"
	    "\n\n");
	if (emit(SB_CGI, "cgi") != 0 || emit(SB_FASTCGI, "fastcgi") != 0 ||
	    emit(SB_SUPERVISOR, "supervisor") != 0)
		return 1;
	printf("static const struct sock_filter *const sb_prog[] = {\n"
	    "\t[SB_CGI] = sb_prog_cgi,\n\t[SB_FASTCGI] = sb_prog_fastcgi,\n"
	    "\t[SB_SUPERVISOR] = sb_prog_supervisor,\n};\n"
	    "static const unsigned short sb_prog_len[] = {\n"
	    "\t[SB_CGI] = sizeof(sb_prog_cgi) / sizeof(sb_prog_cgi[0]),\n"
	    "\t[SB_FASTCGI] = sizeof(sb_prog_fastcgi) / "
	    "sizeof(sb_prog_fastcgi[0]),\n"
	    "\t[SB_SUPERVISOR] = sizeof(sb_prog_supervisor) / "
	    "sizeof(sb_prog_supervisor[0]),\n};\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
